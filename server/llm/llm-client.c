/* llm-client.c - requests to an OpenAI-compatible server with a retry policy.
 *
 * Threading: a client is used by one thread at a time; it owns no thread.
 * Each HTTP attempt holds one slot of the shared limiter; backoff sleeps
 * run without a slot, in slices of <= 100 ms so cancellation is prompt.
 *
 * Retry policy: transport failures, timeouts, HTTP 5xx and 429 are retried
 * up to max_retries times, waiting the server's Retry-After (capped) or a
 * full-jitter backoff, uniform in [0, min(max, base * 2^retry)].  401/403,
 * other 4xx and unusable answers are returned at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm-internal.h"
#include "sh-log.h"
#include "sh-util.h"

#define LOG_MOD        "llm"
#define SLEEP_SLICE_MS 100

struct sh_llm_client {
    sh_llm_http http;
    char *chat_url;
    char *models_url;
    char *model;
    bool has_key;
    double temperature;
    int max_retries;
    long timeout_ms;
    long backoff_base_ms;
    long backoff_max_ms;
    long retry_after_max_ms;
    sh_llm_limiter *limiter;
    int (*cancelled)(void *user_data);
    void *cancel_user_data;
    uint64_t rng;
    sh_llm_client_stats stats;
};

typedef enum verdict { VERDICT_OK, VERDICT_FAIL, VERDICT_RETRY } verdict;

void sh_llm_config_init(sh_llm_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->verify_tls = true;
    cfg->connect_timeout_ms = 10000;
    cfg->timeout_ms = 180000;
    cfg->max_retries = 4;
    cfg->backoff_base_ms = 1000;
    cfg->backoff_max_ms = 60000;
    cfg->retry_after_max_ms = 120000;
    cfg->max_response_bytes = (size_t)8 * 1024 * 1024;
    cfg->temperature = 0.0;
}

static sh_status check_config(const sh_llm_config *cfg, sh_error *err)
{
    if (!cfg->base_url ||
        (strncmp(cfg->base_url, "http://", 7) != 0 && strncmp(cfg->base_url, "https://", 8) != 0))
        return sh_error_set(err, SH_ERR_INVALID,
                            "LLM base URL must start with http:// or https://");
    if (sh_str_empty(cfg->model))
        return sh_error_set(err, SH_ERR_INVALID, "no LLM model configured");
    if (cfg->api_key) {
        for (const unsigned char *p = (const unsigned char *)cfg->api_key; *p; p++) {
            if (*p < 0x20 || *p == 0x7f) /* would break or inject header lines */
                return sh_error_set(err, SH_ERR_INVALID, "LLM API key contains control characters");
        }
    }
    if (cfg->connect_timeout_ms <= 0 || cfg->timeout_ms <= 0)
        return sh_error_set(err, SH_ERR_INVALID, "LLM timeouts must be positive");
    if (cfg->max_retries < 0 || cfg->max_retries > 100)
        return sh_error_set(err, SH_ERR_INVALID, "LLM max_retries must be within 0..100");
    if (cfg->backoff_base_ms < 0 || cfg->backoff_max_ms < 0 || cfg->retry_after_max_ms < 0)
        return sh_error_set(err, SH_ERR_INVALID, "LLM backoff settings must not be negative");
    if (cfg->max_response_bytes == 0)
        return sh_error_set(err, SH_ERR_INVALID, "LLM max_response_bytes must be positive");
    if (cfg->temperature > 2.0)
        return sh_error_set(err, SH_ERR_INVALID, "LLM temperature must be within 0..2");
    return SH_OK;
}

sh_status sh_llm_client_create(const sh_llm_config *cfg, sh_llm_client **out, sh_error *err)
{
    sh_status rc;
    if (!out)
        return sh_error_set(err, SH_ERR_INVALID, "no output pointer");
    *out = NULL;
    if (!cfg)
        return sh_error_set(err, SH_ERR_INVALID, "no LLM configuration");
    if ((rc = check_config(cfg, err)) != SH_OK)
        return rc;
    sh_llm_client *c = calloc(1, sizeof *c);
    if (!c)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    c->has_key = !sh_str_empty(cfg->api_key);
    c->temperature = cfg->temperature;
    c->max_retries = cfg->max_retries;
    c->timeout_ms = cfg->timeout_ms;
    c->backoff_base_ms = cfg->backoff_base_ms;
    c->backoff_max_ms = cfg->backoff_max_ms;
    c->retry_after_max_ms = cfg->retry_after_max_ms;
    c->limiter = cfg->limiter;
    c->cancelled = cfg->cancelled;
    c->cancel_user_data = cfg->cancel_user_data;
    c->stats.last_latency_ms = -1;
    c->rng = (uint64_t)sh_monotonic_us() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)c;
    if (!c->rng)
        c->rng = 1;

    int url_len = (int)strlen(cfg->base_url);
    while (url_len > 0 && cfg->base_url[url_len - 1] == '/')
        url_len--;
    c->chat_url = sh_strdup_printf("%.*s/chat/completions", url_len, cfg->base_url);
    c->models_url = sh_strdup_printf("%.*s/models", url_len, cfg->base_url);
    c->model = strdup(cfg->model);
    if (!c->chat_url || !c->models_url || !c->model) {
        rc = sh_error_set(err, SH_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if ((rc = sh_llm_http_init(&c->http, cfg, err)) != SH_OK)
        goto fail;
    *out = c;
    return SH_OK;
fail:
    free(c->chat_url);
    free(c->models_url);
    free(c->model);
    free(c);
    return rc;
}

void sh_llm_client_destroy(sh_llm_client *client)
{
    if (!client)
        return;
    sh_llm_http_fini(&client->http);
    free(client->chat_url);
    free(client->models_url);
    free(client->model);
    free(client);
}

const char *sh_llm_client_model(const sh_llm_client *client)
{
    return client->model;
}

double sh_llm_client_temperature(const sh_llm_client *client)
{
    return client->temperature;
}

void sh_llm_client_get_stats(const sh_llm_client *client, sh_llm_client_stats *out)
{
    *out = client->stats;
}

static bool is_cancelled(const sh_llm_client *c)
{
    return c->cancelled && c->cancelled(c->cancel_user_data);
}

/* xorshift64*: jitter needs spread, not unpredictability. */
static uint64_t next_random(sh_llm_client *c)
{
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return c->rng * 0x2545F4914F6CDD1DULL;
}

static long backoff_ms(sh_llm_client *c, int retry, long retry_after_ms)
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

static bool sleep_unless_cancelled(const sh_llm_client *c, long ms)
{
    int64_t deadline = sh_monotonic_ms() + ms;
    for (;;) {
        if (is_cancelled(c))
            return false;
        int64_t left = deadline - sh_monotonic_ms();
        if (left <= 0)
            return true;
        sh_sleep_ms(left > SLEEP_SLICE_MS ? SLEEP_SLICE_MS : left);
    }
}

/* The "error.message" of an OpenAI-style error body, if any (into buf). */
static const char *server_message(const sh_llm_attempt *a, char *buf, size_t len)
{
    buf[0] = '\0';
    json_t *root = json_loadb(a->body ? a->body : "", a->body_len, 0, NULL);
    json_t *e = json_object_get(root, "error");
    const char *m =
        json_is_string(e) ? json_string_value(e) : json_string_value(json_object_get(e, "message"));
    if (m)
        snprintf(buf, len, ": %s", m);
    json_decref(root);
    return buf;
}

static verdict interpret_response(const sh_llm_client *c, const sh_llm_attempt *a,
                                  json_t **root_out, sh_error *err)
{
    long status = a->http_status;
    char msg[200];
    if (status == 401 || status == 403) {
        /* The server's message may quote part of the key: never repeat it. */
        sh_error_set(err, SH_ERR_UNAUTHENTICATED, "LLM API key rejected (HTTP %ld)%s", status,
                     c->has_key ? ": check openai.api_key"
                                : ": the server requires an API key and none is configured");
        return VERDICT_FAIL;
    }
    if (status == 429) {
        sh_error_set(err, SH_ERR_RATE_LIMITED, "rate limited by the LLM server (HTTP 429)%s",
                     server_message(a, msg, sizeof msg));
        return VERDICT_RETRY;
    }
    if (status >= 500) {
        sh_error_set(err, SH_ERR_UNAVAILABLE, "LLM server unavailable (HTTP %ld)", status);
        return VERDICT_RETRY;
    }
    if (status == 404) {
        sh_error_set(err, SH_ERR_NOT_FOUND, "LLM server answered HTTP 404%s",
                     server_message(a, msg, sizeof msg));
        return VERDICT_FAIL;
    }
    if (status == 413) {
        sh_error_set(err, SH_ERR_TOO_LARGE, "request too large for the LLM server (HTTP 413)");
        return VERDICT_FAIL;
    }
    if (status >= 400) {
        sh_error_set(err, SH_ERR_INVALID, "LLM server rejected the request (HTTP %ld)%s", status,
                     server_message(a, msg, sizeof msg));
        return VERDICT_FAIL;
    }
    if (status < 200 || status >= 300) {
        sh_error_set(err, SH_ERR_HTTP, "LLM server answered HTTP %ld", status);
        return VERDICT_FAIL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(a->body, a->body_len, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        sh_error_set(err, SH_ERR_PROTOCOL, "LLM server answer is not a JSON object");
        return VERDICT_FAIL;
    }
    *root_out = root;
    return VERDICT_OK;
}

static verdict interpret_attempt(const sh_llm_client *c, const sh_llm_attempt *a, json_t **root_out,
                                 sh_error *err)
{
    switch (a->outcome) {
    case SH_LLM_OUT_RESPONSE:
        return interpret_response(c, a, root_out, err);
    case SH_LLM_OUT_TRANSPORT:
        sh_error_set(err, SH_ERR_NETWORK, "cannot reach the LLM server: %s", a->detail);
        return VERDICT_RETRY;
    case SH_LLM_OUT_TIMEOUT:
        sh_error_set(err, SH_ERR_TIMEOUT, "LLM server did not answer within %ld ms", c->timeout_ms);
        return VERDICT_RETRY;
    case SH_LLM_OUT_TOO_LARGE:
        sh_error_set(err, SH_ERR_TOO_LARGE, "LLM answer larger than %zu bytes",
                     c->http.max_response_bytes);
        return VERDICT_FAIL;
    case SH_LLM_OUT_CANCELLED:
        sh_error_set(err, SH_ERR_CANCELLED, "LLM request cancelled");
        return VERDICT_FAIL;
    case SH_LLM_OUT_FATAL:
        sh_error_set(err, a->fatal_code, "LLM request failed: %s", a->detail);
        return VERDICT_FAIL;
    }
    sh_error_set(err, SH_ERR_INTERNAL, "unknown attempt outcome");
    return VERDICT_FAIL;
}

/* One logical request with retries; *root_out is the parsed 2xx body. */
static sh_status send_request(sh_llm_client *client, const char *what, const char *url,
                              const char *body, size_t body_len, json_t **root_out, sh_error *e)
{
    sh_status rc = SH_OK;
    *root_out = NULL;
    for (int attempt = 0;; attempt++) {
        if (is_cancelled(client))
            return sh_error_set(e, SH_ERR_CANCELLED, "%s: cancelled", what);
        if ((rc = sh_llm_limiter_acquire(client->limiter, client->cancelled,
                                         client->cancel_user_data, e)) != SH_OK)
            return rc;
        if (attempt > 0)
            client->stats.retries++;
        client->stats.requests++;
        sh_llm_attempt a;
        sh_status hrc = sh_llm_http_request(&client->http, url, body, body_len, &a);
        sh_llm_limiter_release(client->limiter);
        if (hrc != SH_OK)
            return sh_error_set(e, SH_ERR_NOMEM, "%s: out of memory reading the answer", what);
        client->stats.last_latency_ms = a.latency_ms;
        client->stats.last_http_status = a.http_status;
        verdict v = interpret_attempt(client, &a, root_out, e);
        long retry_after = a.retry_after_ms;
        sh_llm_attempt_fini(&a);
        if (v == VERDICT_OK)
            return SH_OK;
        rc = e->code;
        bool again = v == VERDICT_RETRY && attempt < client->max_retries;
        if (!again) {
            if (rc != SH_ERR_CANCELLED)
                sh_warn(LOG_MOD, "%s failed (attempt %d, HTTP %ld): %s", what, attempt + 1,
                        client->stats.last_http_status, e->message);
            return rc;
        }
        long wait = backoff_ms(client, attempt, retry_after);
        sh_warn(LOG_MOD, "%s failed (attempt %d of %d, HTTP %ld): %s; retrying in %ld ms", what,
                attempt + 1, client->max_retries + 1, client->stats.last_http_status, e->message,
                wait);
        if (!sleep_unless_cancelled(client, wait))
            return sh_error_set(e, SH_ERR_CANCELLED, "%s: cancelled while waiting to retry", what);
    }
}

void sh_llm_reply_fini(sh_llm_reply *reply)
{
    free(reply->content);
    memset(reply, 0, sizeof *reply);
}

static sh_status extract_reply(json_t *root, size_t body_len, sh_llm_reply *reply, sh_error *err)
{
    json_t *choice = json_array_get(json_object_get(root, "choices"), 0);
    json_t *message = json_object_get(choice, "message");
    if (!json_is_object(message))
        return sh_error_set(err, SH_ERR_PROTOCOL, "LLM answer has no choices[0].message");
    const char *refusal = json_string_value(json_object_get(message, "refusal"));
    if (refusal && *refusal)
        return sh_error_set(err, SH_ERR_PROTOCOL, "the model refused: %.200s", refusal);
    const char *finish = json_string_value(json_object_get(choice, "finish_reason"));
    if (finish && strcmp(finish, "length") == 0)
        return sh_error_set(err, SH_ERR_PROTOCOL,
                            "the answer was cut off at the model's token limit");
    const char *content = json_string_value(json_object_get(message, "content"));
    if (!content)
        return sh_error_set(err, SH_ERR_PROTOCOL, "LLM answer has no message content");
    reply->content = strdup(content);
    if (!reply->content)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    json_t *usage = json_object_get(root, "usage");
    json_t *pt = json_object_get(usage, "prompt_tokens");
    json_t *ct = json_object_get(usage, "completion_tokens");
    if (json_is_integer(pt) && json_is_integer(ct) && json_integer_value(pt) >= 0 &&
        json_integer_value(ct) >= 0) {
        reply->prompt_tokens = json_integer_value(pt);
        reply->completion_tokens = json_integer_value(ct);
        reply->usage_reported = true;
    } else { /* some local servers omit usage: estimate, so budgets still work */
        reply->prompt_tokens = (int64_t)(body_len / 4 + 1);
        reply->completion_tokens = (int64_t)(strlen(content) / 4 + 1);
    }
    return SH_OK;
}

sh_status sh_llm_chat(sh_llm_client *client, const char *body, size_t body_len, sh_llm_reply *reply,
                      sh_error *err)
{
    sh_error local;
    sh_error *e = err ? err : &local;
    sh_error_clear(e);
    memset(reply, 0, sizeof *reply);
    json_t *root = NULL;
    sh_status rc =
        send_request(client, "chat completion", client->chat_url, body, body_len, &root, e);
    if (rc == SH_OK) {
        rc = extract_reply(root, body_len, reply, e);
        if (rc != SH_OK) {
            sh_warn(LOG_MOD, "chat completion unusable: %s", e->message);
            sh_llm_reply_fini(reply);
        }
    }
    json_decref(root);
    if (rc != SH_OK)
        client->stats.failures++;
    return rc;
}

sh_status sh_llm_test_connection(sh_llm_client *client, sh_llm_probe *out, sh_error *err)
{
    sh_error local;
    sh_error *e = err ? err : &local;
    sh_error_clear(e);
    memset(out, 0, sizeof *out);
    out->latency_ms = -1;
    snprintf(out->model, sizeof out->model, "%s", client->model);

    json_t *root = NULL;
    sh_status rc = send_request(client, "model list", client->models_url, NULL, 0, &root, e);
    out->latency_ms = client->stats.last_latency_ms;
    out->reachable = client->stats.last_http_status != 0;
    out->authenticated = out->reachable && rc != SH_ERR_UNAUTHENTICATED;
    if (rc != SH_OK) {
        client->stats.failures++;
        return rc;
    }
    json_t *data = json_object_get(root, "data");
    char some[200] = "";
    size_t pos = 0, i;
    json_t *m;
    json_array_foreach(data, i, m)
    {
        const char *id = json_string_value(json_object_get(m, "id"));
        if (!id)
            continue;
        out->n_models++;
        if (strcmp(id, client->model) == 0)
            out->model_listed = true;
        if (out->n_models <= 5 && pos < sizeof some) {
            int w = snprintf(some + pos, sizeof some - pos, "%s%s", pos ? ", " : "", id);
            if (w > 0)
                pos += (size_t)w;
        }
    }
    json_decref(root);
    if (!out->model_listed) {
        client->stats.failures++;
        return sh_error_set(e, SH_ERR_NOT_FOUND,
                            "the LLM server does not offer model %s (it offers %zu: %s%s)",
                            client->model, out->n_models, out->n_models ? some : "none",
                            out->n_models > 5 ? ", ..." : "");
    }
    return SH_OK;
}
