/* stash-client.c - GraphQL requests to Stash with a retry policy.
 *
 * Threading: a client is used by one thread at a time (see stash-client.h); it
 * owns no thread.  Backoff sleeps run on the caller's thread in slices of at
 * most 100 ms so the cancel callback is honoured promptly.
 *
 * Retry policy: transport failures, timeouts, truncated bodies, HTTP 5xx and
 * HTTP 429 are retried up to max_retries times.  The wait is "full jitter":
 * uniform in [0, min(backoff_max, backoff_base * 2^retry)], or the server's
 * Retry-After (capped) when it sent one.  Authentication failures, GraphQL
 * errors and other HTTP statuses are returned at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sh-log.h"
#include "stash/stash-client-private.h"

#define LOG_MOD "stash"
#define SLEEP_SLICE_MS 100

struct sh_stash_client {
    sh_stash_http http;
    sh_stash_catalog *catalog;
    char *endpoint;
    bool has_key;
    int max_retries;
    long timeout_ms;
    long backoff_base_ms;
    long backoff_max_ms;
    long retry_after_max_ms;
    int (*cancelled)(void *user_data);
    void *cancel_user_data;
    uint64_t rng;
    sh_stash_client_stats stats;
};

/* What one attempt means for the call as a whole. */
typedef enum verdict { VERDICT_OK, VERDICT_FAIL, VERDICT_RETRY } verdict;

sh_status sh_stash_global_init(sh_error *err)
{
    CURLcode cc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (cc != CURLE_OK)
        return sh_error_set(err, SH_ERR_INTERNAL, "curl_global_init: %s", curl_easy_strerror(cc));
    return SH_OK;
}

void sh_stash_global_cleanup(void)
{
    curl_global_cleanup();
}

void sh_stash_config_init(sh_stash_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->verify_tls = true;
    cfg->connect_timeout_ms = 10000;
    cfg->timeout_ms = 120000;
    cfg->max_retries = 3;
    cfg->backoff_base_ms = 500;
    cfg->backoff_max_ms = 30000;
    cfg->retry_after_max_ms = 120000;
    cfg->max_response_bytes = (size_t)64 * 1024 * 1024;
}

static sh_status check_config(const sh_stash_config *cfg, sh_error *err)
{
    if (!cfg->url || (strncmp(cfg->url, "http://", 7) != 0 && strncmp(cfg->url, "https://", 8) != 0))
        return sh_error_set(err, SH_ERR_INVALID, "Stash URL must start with http:// or https://");
    if (cfg->api_key) {
        for (const unsigned char *p = (const unsigned char *)cfg->api_key; *p; p++) {
            if (*p < 0x20 || *p == 0x7f) /* would break or inject header lines */
                return sh_error_set(err, SH_ERR_INVALID, "API key contains control characters");
        }
    }
    if (cfg->connect_timeout_ms <= 0 || cfg->timeout_ms <= 0)
        return sh_error_set(err, SH_ERR_INVALID, "Stash timeouts must be positive");
    if (cfg->max_retries < 0 || cfg->max_retries > 100)
        return sh_error_set(err, SH_ERR_INVALID, "max_retries must be within 0..100");
    if (cfg->backoff_base_ms < 0 || cfg->backoff_max_ms < 0 || cfg->retry_after_max_ms < 0)
        return sh_error_set(err, SH_ERR_INVALID, "backoff settings must not be negative");
    if (cfg->max_response_bytes == 0)
        return sh_error_set(err, SH_ERR_INVALID, "max_response_bytes must be positive");
    return SH_OK;
}

sh_status sh_stash_client_create_with_sources(const sh_stash_config *cfg,
                                              const sh_stash_gql_source *ops, size_t n_ops,
                                              const sh_stash_gql_source *frags, size_t n_frags,
                                              sh_stash_client **out, sh_error *err)
{
    sh_status rc;
    if (!out)
        return sh_error_set(err, SH_ERR_INVALID, "no output pointer");
    *out = NULL;
    if (!cfg)
        return sh_error_set(err, SH_ERR_INVALID, "no Stash configuration");
    if ((rc = check_config(cfg, err)) != SH_OK)
        return rc;

    sh_stash_client *c = calloc(1, sizeof *c);
    if (!c)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    c->has_key = cfg->api_key && cfg->api_key[0];
    c->max_retries = cfg->max_retries;
    c->timeout_ms = cfg->timeout_ms;
    c->backoff_base_ms = cfg->backoff_base_ms;
    c->backoff_max_ms = cfg->backoff_max_ms;
    c->retry_after_max_ms = cfg->retry_after_max_ms;
    c->cancelled = cfg->cancelled;
    c->cancel_user_data = cfg->cancel_user_data;
    c->stats.last_latency_ms = -1;
    c->rng = (uint64_t)sh_stash_now_ms() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)c;
    if (!c->rng)
        c->rng = 1;

    size_t url_len = strlen(cfg->url);
    while (url_len > 0 && cfg->url[url_len - 1] == '/')
        url_len--;
    size_t ep_len = url_len + sizeof "/graphql";
    c->endpoint = malloc(ep_len);
    if (!c->endpoint) {
        rc = sh_error_set(err, SH_ERR_NOMEM, "out of memory");
        goto fail;
    }
    snprintf(c->endpoint, ep_len, "%.*s/graphql", (int)url_len, cfg->url);

    if ((rc = sh_stash_catalog_create(ops, n_ops, frags, n_frags, &c->catalog, err)) != SH_OK)
        goto fail;
    if ((rc = sh_stash_http_init(&c->http, cfg, c->endpoint, err)) != SH_OK)
        goto fail;
    *out = c;
    return SH_OK;
fail:
    sh_stash_catalog_destroy(c->catalog);
    free(c->endpoint);
    free(c);
    return rc;
}

sh_status sh_stash_client_create(const sh_stash_config *cfg, sh_stash_client **out, sh_error *err)
{
    return sh_stash_client_create_with_sources(
        cfg, sh_stash_embedded_operations, sh_stash_embedded_operations_count,
        sh_stash_embedded_fragments, sh_stash_embedded_fragments_count, out, err);
}

void sh_stash_client_destroy(sh_stash_client *client)
{
    if (!client)
        return;
    sh_stash_http_fini(&client->http);
    sh_stash_catalog_destroy(client->catalog);
    free(client->endpoint);
    free(client);
}

bool sh_stash_has_operation(const sh_stash_client *client, const char *operation)
{
    return client && sh_stash_catalog_document(client->catalog, operation) != NULL;
}

void sh_stash_client_get_stats(const sh_stash_client *client, sh_stash_client_stats *out)
{
    *out = client->stats;
}

static bool is_cancelled(const sh_stash_client *c)
{
    return c->cancelled && c->cancelled(c->cancel_user_data);
}

/* xorshift64*: jitter needs spread, not unpredictability. */
static uint64_t next_random(sh_stash_client *c)
{
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return c->rng * 0x2545F4914F6CDD1DULL;
}

static long backoff_ms(sh_stash_client *c, int retry, long retry_after_ms)
{
    if (retry_after_ms >= 0)
        return retry_after_ms < c->retry_after_max_ms ? retry_after_ms : c->retry_after_max_ms;
    long window = c->backoff_base_ms;
    for (int i = 0; i < retry && window < c->backoff_max_ms; i++)
        window *= 2;
    if (window > c->backoff_max_ms)
        window = c->backoff_max_ms;
    if (window <= 0)
        return 0;
    return (long)(next_random(c) % ((uint64_t)window + 1));
}

/* Sleeps ms in slices; returns false if cancelled meanwhile. */
static bool sleep_unless_cancelled(const sh_stash_client *c, long ms)
{
    int64_t deadline = sh_stash_now_ms() + ms;
    for (;;) {
        if (is_cancelled(c))
            return false;
        int64_t left = deadline - sh_stash_now_ms();
        if (left <= 0)
            return true;
        if (left > SLEEP_SLICE_MS)
            left = SLEEP_SLICE_MS;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)left * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Joins the first GraphQL error messages into err. */
static void set_graphql_error(json_t *errors, sh_error *err)
{
    char msg[SH_ERROR_MSG_MAX] = "";
    size_t n = json_array_size(errors), shown = 0, pos = 0;
    for (size_t i = 0; i < n && shown < 3; i++) {
        const char *m = json_string_value(json_object_get(json_array_get(errors, i), "message"));
        if (!m)
            continue;
        int w = snprintf(msg + pos, sizeof msg - pos, "%s%s", shown ? "; " : "", m);
        if (w < 0 || (size_t)w >= sizeof msg - pos)
            break;
        pos += (size_t)w;
        shown++;
    }
    if (!shown)
        snprintf(msg, sizeof msg, "error without a message");
    if (n > shown)
        sh_error_set(err, SH_ERR_GRAPHQL, "GraphQL error: %s (and %zu more)", msg, n - shown);
    else
        sh_error_set(err, SH_ERR_GRAPHQL, "GraphQL error: %s", msg);
}

/* Interprets a complete HTTP response. */
static verdict interpret_response(const sh_stash_client *c, const sh_stash_attempt *a,
                                  json_t **data_out, sh_error *err)
{
    long status = a->http_status;
    if (status == 401 || status == 403) {
        sh_error_set(err, SH_ERR_UNAUTHENTICATED, "API key rejected (HTTP %ld)%s", status,
                     c->has_key ? "" : ": Stash requires an API key and none is configured");
        return VERDICT_FAIL;
    }
    if (status == 429) {
        sh_error_set(err, SH_ERR_RATE_LIMITED, "rate limited by Stash (HTTP 429)");
        return VERDICT_RETRY;
    }
    if (status >= 500) {
        sh_error_set(err, SH_ERR_UNAVAILABLE, "Stash is unavailable (HTTP %ld)", status);
        return VERDICT_RETRY;
    }

    json_error_t jerr;
    json_t *root = json_loadb(a->body, a->body_len, 0, &jerr);
    bool ok_status = status >= 200 && status < 300;
    if (!root) {
        if (!ok_status) {
            sh_error_set(err, SH_ERR_HTTP, "Stash answered HTTP %ld", status);
            return VERDICT_FAIL;
        }
        sh_error_set(err, SH_ERR_PROTOCOL, "response is not JSON: %s (line %d, column %d)",
                     jerr.text, jerr.line, jerr.column);
        /* An error at the very end means the body was cut short: transient. */
        return (size_t)jerr.position >= a->body_len ? VERDICT_RETRY : VERDICT_FAIL;
    }

    verdict v = VERDICT_FAIL;
    json_t *errors = json_object_get(root, "errors");
    json_t *data = json_object_get(root, "data");
    if (json_is_array(errors) && json_array_size(errors) > 0) {
        set_graphql_error(errors, err); /* also covers gqlgen's HTTP 422 */
    } else if (!ok_status) {
        sh_error_set(err, SH_ERR_HTTP, "Stash answered HTTP %ld", status);
    } else if (!json_is_object(data)) {
        sh_error_set(err, SH_ERR_PROTOCOL, "response has no data object");
    } else {
        *data_out = json_incref(data);
        v = VERDICT_OK;
    }
    json_decref(root);
    return v;
}

static verdict interpret_attempt(const sh_stash_client *c, const sh_stash_attempt *a,
                                 json_t **data_out, sh_error *err)
{
    switch (a->outcome) {
    case SH_STASH_OUT_RESPONSE:
        return interpret_response(c, a, data_out, err);
    case SH_STASH_OUT_TRANSPORT:
        sh_error_set(err, SH_ERR_NETWORK, "cannot reach Stash: %s", a->detail);
        return VERDICT_RETRY;
    case SH_STASH_OUT_TIMEOUT:
        sh_error_set(err, SH_ERR_TIMEOUT, "Stash did not answer within %ld ms", c->timeout_ms);
        return VERDICT_RETRY;
    case SH_STASH_OUT_TRUNCATED:
        sh_error_set(err, SH_ERR_PROTOCOL, "response is not JSON: body truncated (%s)",
                     a->detail);
        return VERDICT_RETRY;
    case SH_STASH_OUT_TOO_LARGE:
        sh_error_set(err, SH_ERR_TOO_LARGE, "response larger than %zu bytes",
                     c->http.max_response_bytes);
        return VERDICT_FAIL;
    case SH_STASH_OUT_CANCELLED:
        sh_error_set(err, SH_ERR_CANCELLED, "request cancelled");
        return VERDICT_FAIL;
    case SH_STASH_OUT_FATAL:
        sh_error_set(err, a->fatal_code, "request to Stash failed: %s", a->detail);
        return VERDICT_FAIL;
    }
    sh_error_set(err, SH_ERR_INTERNAL, "unknown attempt outcome");
    return VERDICT_FAIL;
}

static char *build_request(const char *operation, const char *document, json_t *variables,
                           size_t *len_out)
{
    char *body = NULL;
    json_t *req = json_object();
    if (!req)
        return NULL;
    /* set_new consumes its value even on failure, so nothing leaks here */
    json_t *vars = variables ? json_incref(variables) : json_object();
    if (json_object_set_new(req, "variables", vars) == 0 &&
        json_object_set_new(req, "operationName", json_string(operation)) == 0 &&
        json_object_set_new(req, "query", json_string(document)) == 0)
        body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (body)
        *len_out = strlen(body);
    return body;
}

sh_status sh_stash_execute(sh_stash_client *client, const char *operation, json_t *variables,
                           json_t **data_out, sh_error *err)
{
    if (!client || !operation || !data_out)
        return sh_error_set(err, SH_ERR_INVALID, "sh_stash_execute: missing argument");
    *data_out = NULL;
    client->stats.executions++;

    sh_error local;
    sh_error *e = err ? err : &local; /* messages are needed for the log */
    sh_error_clear(e);
    sh_status rc;
    const char *doc = sh_stash_catalog_document(client->catalog, operation);
    if (!doc) {
        rc = sh_error_set(e, SH_ERR_INVALID, "unknown Stash operation %s", operation);
        goto out;
    }
    if (variables && !json_is_object(variables)) {
        rc = sh_error_set(e, SH_ERR_INVALID, "%s: variables must be a JSON object", operation);
        goto out;
    }
    size_t body_len = 0;
    char *body = build_request(operation, doc, variables, &body_len);
    if (!body) {
        rc = sh_error_set(e, SH_ERR_NOMEM, "%s: cannot encode the request", operation);
        goto out;
    }

    for (int attempt = 0;; attempt++) {
        if (is_cancelled(client)) {
            rc = sh_error_set(e, SH_ERR_CANCELLED, "%s: cancelled", operation);
            break;
        }
        if (attempt > 0)
            client->stats.retries++;
        client->stats.requests++;
        sh_stash_attempt a;
        if (sh_stash_http_post(&client->http, body, body_len, &a) != SH_OK) {
            rc = sh_error_set(e, SH_ERR_NOMEM, "%s: out of memory reading the response", operation);
            break;
        }
        client->stats.last_latency_ms = a.latency_ms;
        client->stats.last_http_status = a.http_status;
        verdict v = interpret_attempt(client, &a, data_out, e);
        long retry_after = a.retry_after_ms;
        sh_stash_attempt_fini(&a);
        if (v == VERDICT_OK) {
            rc = SH_OK;
            break;
        }
        rc = e->code;
        bool again = v == VERDICT_RETRY && attempt < client->max_retries;
        long wait = again ? backoff_ms(client, attempt, retry_after) : 0;
        if (again)
            sh_warn(LOG_MOD, "%s failed (attempt %d of %d, HTTP %ld): %s; retrying in %ld ms",
                    operation, attempt + 1, client->max_retries + 1, client->stats.last_http_status,
                    e->message, wait);
        else if (rc == SH_ERR_CANCELLED) /* asked for, not a failure of Stash */
            sh_info(LOG_MOD, "%s cancelled during attempt %d", operation, attempt + 1);
        else
            sh_warn(LOG_MOD, "%s failed (attempt %d, HTTP %ld): %s", operation, attempt + 1,
                    client->stats.last_http_status, e->message);
        if (!again)
            break;
        if (!sleep_unless_cancelled(client, wait)) {
            rc = sh_error_set(e, SH_ERR_CANCELLED, "%s: cancelled while waiting to retry",
                              operation);
            break;
        }
    }
    free(body);
out:
    if (rc != SH_OK)
        client->stats.failures++;
    return rc;
}
