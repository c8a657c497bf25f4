/* stash-client.c - GraphQL requests to Stash with a retry policy.
 *
 * Threading: a client is used by one thread at a time (see stash-client.h); it
 * owns no thread.  The transport, the retry loop and its cancellable backoff
 * sleeps are server/http's; they run on the caller's thread.
 *
 * Retry policy: transport failures, timeouts, truncated bodies, HTTP 5xx and
 * HTTP 429 are retried up to max_retries times, waiting the server's
 * Retry-After (capped) or a full-jitter backoff (see http/http-client.h).
 * Authentication failures, GraphQL errors and other HTTP statuses are
 * returned at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http/http-client.h"
#include "stash/stash-client-private.h"

struct sh_stash_client {
    sh_http_client *http;
    sh_stash_catalog *catalog;
    char *endpoint;
    bool has_key;
    uint64_t executions;
    uint64_t failures;
};

/* One execution, as seen by the classify hook. */
typedef struct execution {
    const sh_stash_client *client;
    json_t **data_out;
} execution;

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
    return SH_OK;
}

/* The transport; it checks the limits and the key. */
static sh_status create_http(const sh_stash_config *cfg, sh_http_client **out, sh_error *err)
{
    sh_http_config hc = {
        SH_HTTP_CONFIG_FROM(cfg),
        .name = "Stash",
        .peer = "Stash",
        .log_module = "stash",
        .secret_prefix = "ApiKey: ",
        .secret = cfg->api_key,
    };
    return sh_http_client_create(&hc, out, err);
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
    if ((rc = create_http(cfg, &c->http, err)) != SH_OK)
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
    sh_http_client_destroy(client->http);
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
    sh_http_stats hs;
    sh_http_client_get_stats(client->http, &hs);
    *out = (sh_stash_client_stats){
        .executions = client->executions,
        .requests = hs.requests,
        .retries = hs.retries,
        .failures = client->failures,
        .last_latency_ms = hs.last_latency_ms,
        .last_http_status = hs.last_http_status,
    };
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
static sh_http_verdict interpret_response(const sh_stash_client *c, const sh_http_response *a,
                                          json_t **data_out, sh_error *err)
{
    long status = a->http_status;
    if (status == 401 || status == 403) {
        sh_error_set(err, SH_ERR_UNAUTHENTICATED, "API key rejected (HTTP %ld)%s", status,
                     c->has_key ? "" : ": Stash requires an API key and none is configured");
        return SH_HTTP_FAIL;
    }
    if (status == 429) {
        sh_error_set(err, SH_ERR_RATE_LIMITED, "rate limited by Stash (HTTP 429)");
        return SH_HTTP_RETRY;
    }
    if (status >= 500) {
        sh_error_set(err, SH_ERR_UNAVAILABLE, "Stash is unavailable (HTTP %ld)", status);
        return SH_HTTP_RETRY;
    }

    json_error_t jerr;
    json_t *root = json_loadb(a->body, a->body_len, 0, &jerr);
    bool ok_status = status >= 200 && status < 300;
    if (!root) {
        if (!ok_status) {
            sh_error_set(err, SH_ERR_HTTP, "Stash answered HTTP %ld", status);
            return SH_HTTP_FAIL;
        }
        sh_error_set(err, SH_ERR_PROTOCOL, "response is not JSON: %s (line %d, column %d)",
                     jerr.text, jerr.line, jerr.column);
        /* An error at the very end means the body was cut short: transient. */
        return (size_t)jerr.position >= a->body_len ? SH_HTTP_RETRY : SH_HTTP_FAIL;
    }

    sh_http_verdict v = SH_HTTP_FAIL;
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
        v = SH_HTTP_DONE;
    }
    json_decref(root);
    return v;
}

/* The classify hook: Stash's own rules for responses and truncated bodies,
 * the shared ones for every other failure. */
static sh_http_verdict classify(const sh_http_response *resp, void *user_data, sh_error *err)
{
    const execution *x = user_data;
    if (resp->outcome == SH_HTTP_OUT_RESPONSE)
        return interpret_response(x->client, resp, x->data_out, err);
    if (resp->outcome == SH_HTTP_OUT_TRUNCATED) {
        sh_error_set(err, SH_ERR_PROTOCOL, "response is not JSON: body truncated (%s)",
                     resp->detail);
        return SH_HTTP_RETRY;
    }
    return sh_http_classify_failure(x->client->http, resp, err);
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
    client->executions++;

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

    execution x = {.client = client, .data_out = data_out};
    sh_http_request req = {
        .what = operation,
        .url = client->endpoint,
        .body = body,
        .body_len = body_len,
        .classify = classify,
        .user_data = &x,
    };
    rc = sh_http_send(client->http, &req, e);
    free(body);
out:
    if (rc != SH_OK)
        client->failures++;
    return rc;
}
