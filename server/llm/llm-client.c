/* llm-client.c - requests to an OpenAI-compatible server with a retry policy.
 *
 * Threading: a client is used by one thread at a time; it owns no thread.
 * The transport and the retry loop are server/http's, on the caller's
 * thread.  Each HTTP attempt holds one slot of the shared limiter; backoff
 * sleeps run without a slot, in slices of <= 100 ms so cancellation is prompt.
 *
 * Retry policy: transport failures (truncated bodies included), timeouts,
 * HTTP 5xx and 429 are retried up to max_retries times, waiting the server's
 * Retry-After (capped) or a full-jitter backoff (see http/http-client.h).
 * 401/403, other 4xx and unusable answers are returned at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http-client.h"
#include "llm/llm-internal.h"
#include "sh-log.h"
#include "sh-util.h"

#define LOG_MOD "llm"

struct sh_llm_client {
    sh_http_client *http;
    char *chat_url;
    char *models_url;
    char *model;
    bool has_key;
    double temperature;
    sh_llm_limiter *limiter;
    int (*cancelled)(void *user_data);
    void *cancel_user_data;
    uint64_t failures;
};

/* One request, as seen by the hooks around and after each attempt. */
typedef struct exchange {
    const sh_llm_client *client;
    json_t **root_out;
} exchange;

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
    if (cfg->temperature > 2.0)
        return sh_error_set(err, SH_ERR_INVALID, "LLM temperature must be within 0..2");
    return SH_OK;
}

/* The transport; it checks the limits and the key. */
static sh_status create_http(const sh_llm_config *cfg, sh_http_client **out, sh_error *err)
{
    sh_http_config hc = {
        SH_HTTP_CONFIG_FROM(cfg),
        .name = "LLM",
        .peer = "the LLM server",
        .log_module = LOG_MOD,
        .secret_prefix = "Authorization: Bearer ",
        .secret = cfg->api_key,
    };
    return sh_http_client_create(&hc, out, err);
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
    c->limiter = cfg->limiter;
    c->cancelled = cfg->cancelled;
    c->cancel_user_data = cfg->cancel_user_data;

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
    if ((rc = create_http(cfg, &c->http, err)) != SH_OK)
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
    sh_http_client_destroy(client->http);
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
    sh_http_stats hs;
    sh_http_client_get_stats(client->http, &hs);
    *out = (sh_llm_client_stats){
        .requests = hs.requests,
        .retries = hs.retries,
        .failures = client->failures,
        .last_latency_ms = hs.last_latency_ms,
        .last_http_status = hs.last_http_status,
    };
}

/* The "error.message" of an OpenAI-style error body, if any (into buf). */
static const char *server_message(const sh_http_response *a, char *buf, size_t len)
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

static sh_http_verdict interpret_response(const sh_llm_client *c, const sh_http_response *a,
                                          json_t **root_out, sh_error *err)
{
    long status = a->http_status;
    char msg[200];
    if (status == 401 || status == 403) {
        /* The server's message may quote part of the key: never repeat it. */
        sh_error_set(err, SH_ERR_UNAUTHENTICATED, "LLM API key rejected (HTTP %ld)%s", status,
                     c->has_key ? ": check openai.api_key"
                                : ": the server requires an API key and none is configured");
        return SH_HTTP_FAIL;
    }
    if (status == 429) {
        sh_error_set(err, SH_ERR_RATE_LIMITED, "rate limited by the LLM server (HTTP 429)%s",
                     server_message(a, msg, sizeof msg));
        return SH_HTTP_RETRY;
    }
    if (status >= 500) {
        sh_error_set(err, SH_ERR_UNAVAILABLE, "LLM server unavailable (HTTP %ld)", status);
        return SH_HTTP_RETRY;
    }
    if (status == 404) {
        sh_error_set(err, SH_ERR_NOT_FOUND, "LLM server answered HTTP 404%s",
                     server_message(a, msg, sizeof msg));
        return SH_HTTP_FAIL;
    }
    if (status == 413) {
        sh_error_set(err, SH_ERR_TOO_LARGE, "request too large for the LLM server (HTTP 413)");
        return SH_HTTP_FAIL;
    }
    if (status >= 400) {
        sh_error_set(err, SH_ERR_INVALID, "LLM server rejected the request (HTTP %ld)%s", status,
                     server_message(a, msg, sizeof msg));
        return SH_HTTP_FAIL;
    }
    if (status < 200 || status >= 300) {
        sh_error_set(err, SH_ERR_HTTP, "LLM server answered HTTP %ld", status);
        return SH_HTTP_FAIL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(a->body, a->body_len, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        sh_error_set(err, SH_ERR_PROTOCOL, "LLM server answer is not a JSON object");
        return SH_HTTP_FAIL;
    }
    *root_out = root;
    return SH_HTTP_DONE;
}

/* The classify hook: the LLM's rules for responses, the shared ones (a
 * truncated body is a transport failure) for everything else. */
static sh_http_verdict classify(const sh_http_response *resp, void *user_data, sh_error *err)
{
    const exchange *x = user_data;
    if (resp->outcome == SH_HTTP_OUT_RESPONSE)
        return interpret_response(x->client, resp, x->root_out, err);
    return sh_http_classify_failure(x->client->http, resp, err);
}

/* Each attempt holds a limiter slot; the backoff sleeps between them do not. */
static sh_status take_slot(void *user_data, sh_error *err)
{
    const sh_llm_client *c = ((const exchange *)user_data)->client;
    return sh_llm_limiter_acquire(c->limiter, c->cancelled, c->cancel_user_data, err);
}

static void release_slot(void *user_data)
{
    sh_llm_limiter_release(((const exchange *)user_data)->client->limiter);
}

/* One logical request with retries; *root_out is the parsed 2xx body. */
static sh_status send_request(sh_llm_client *client, const char *what, const char *url,
                              const char *body, size_t body_len, json_t **root_out, sh_error *e)
{
    *root_out = NULL;
    exchange x = {.client = client, .root_out = root_out};
    sh_http_request req = {
        .what = what,
        .url = url,
        .body = body,
        .body_len = body_len,
        .classify = classify,
        .before_attempt = take_slot,
        .after_attempt = release_slot,
        .user_data = &x,
    };
    return sh_http_send(client->http, &req, e);
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
        client->failures++;
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
    sh_http_stats hs;
    sh_http_client_get_stats(client->http, &hs);
    out->latency_ms = hs.last_latency_ms;
    out->reachable = hs.last_http_status != 0;
    out->authenticated = out->reachable && rc != SH_ERR_UNAUTHENTICATED;
    if (rc != SH_OK) {
        client->failures++;
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
        client->failures++;
        return sh_error_set(e, SH_ERR_NOT_FOUND,
                            "the LLM server does not offer model %s (it offers %zu: %s%s)",
                            client->model, out->n_models, out->n_models ? some : "none",
                            out->n_models > 5 ? ", ..." : "");
    }
    return SH_OK;
}
