/* fl-server.c - HTTP side of the fake LLM (libmicrohttpd).
 *
 * Threading: MHD runs one thread per connection plus its listen thread, so
 * answers delayed by --latency-ms overlap and the in-flight high-water mark
 * means what it says.  Counters, the fault PRNG and the last request live
 * behind srv->mu; nothing else is shared between connection threads. */
#include "fake-llm.h"
#include "test-server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FL_MAX_BODY ((size_t)16 * 1024 * 1024)

typedef enum fault {
    FAULT_NONE,
    FAULT_429,
    FAULT_500,
    FAULT_GARBAGE,
    FAULT_MALFORMED,
    FAULT_SCHEMA,
} fault;

typedef struct counters {
    json_int_t requests, chat_requests, models_requests, unauthorized, faults;
    json_int_t in_flight, max_in_flight, scenes, prompt_tokens, completion_tokens;
} counters;

struct fl_server {
    struct MHD_Daemon *mhd;
    fl_options opt;
    char *api_key;
    char *models;
    pthread_mutex_t mu;
    counters c;
    unsigned chat_seen; /* chat requests so far, for fail-429 / fail-500 */
    uint64_t rng;
    json_t *last_request;
    atomic_bool stopping;
    uint16_t port;
};

typedef struct req_state {
    char *body;
    size_t len;
    bool too_big;
} req_state;

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        abort();
    return p;
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        abort();
    return p;
}

void fl_options_init(fl_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->bind = "127.0.0.1";
    opt->models = "fake-model,gpt-4o-mini";
    opt->retry_after_s = 1;
    opt->seed = 1;
}

static void sleep_ms(fl_server *srv, unsigned ms)
{
    while (ms > 0 && !atomic_load(&srv->stopping)) {
        unsigned slice = ms > 10 ? 10 : ms;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)slice * 1000000L};
        nanosleep(&ts, NULL);
        ms -= slice;
    }
}

static double next_unit(fl_server *srv) /* caller holds mu */
{
    srv->rng ^= srv->rng >> 12;
    srv->rng ^= srv->rng << 25;
    srv->rng ^= srv->rng >> 27;
    return (double)((srv->rng * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status, const char *type,
                                 const char *body, const char *hname, const char *hvalue)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (hname)
        MHD_add_response_header(r, hname, hvalue);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status, json_t *doc,
                                 const char *hname, const char *hvalue)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    json_decref(doc);
    if (!text)
        abort();
    enum MHD_Result ret = send_text(conn, status, "application/json", text, hname, hvalue);
    free(text);
    return ret;
}

/* OpenAI's error shape. */
static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status, const char *type,
                                  const char *code, const char *message, const char *hname,
                                  const char *hvalue)
{
    return send_json(
        conn, status,
        json_pack("{s:{s:s, s:s, s:s}}", "error", "message", message, "type", type, "code", code),
        hname, hvalue);
}

/* Constant time, so the fake never teaches a client to probe keys. */
static bool authorized(const fl_server *srv, struct MHD_Connection *conn)
{
    if (!srv->api_key)
        return true;
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7) != 0)
        return false;
    return th_key_matches(srv->api_key, h + 7);
}

static bool model_served(const fl_server *srv, const char *model)
{
    size_t n = strlen(model);
    for (const char *p = srv->models; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, model, n) == 0)
            return true;
        p += len + (comma ? 1 : 0);
    }
    return false;
}

static enum MHD_Result handle_models(fl_server *srv, struct MHD_Connection *conn)
{
    json_t *data = json_array();
    for (const char *p = srv->models; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len > 0)
            json_array_append_new(data, json_pack("{s:s%, s:s, s:s}", "id", p, len, "object",
                                                  "model", "owned_by", "fake-llm"));
        p += len + (comma ? 1 : 0);
    }
    (void)srv;
    return send_json(conn, 200, json_pack("{s:s, s:o}", "object", "list", "data", data), NULL,
                     NULL);
}

static fault pick_fault(fl_server *srv) /* caller holds mu */
{
    unsigned n = srv->chat_seen++;
    if (n < srv->opt.fail_429)
        return FAULT_429;
    if (n < srv->opt.fail_429 + srv->opt.fail_500)
        return FAULT_500;
    if (srv->opt.garbage_rate > 0 && next_unit(srv) < srv->opt.garbage_rate)
        return FAULT_GARBAGE;
    if (srv->opt.malformed_rate > 0 && next_unit(srv) < srv->opt.malformed_rate)
        return FAULT_MALFORMED;
    if (srv->opt.schema_violation_rate > 0 && next_unit(srv) < srv->opt.schema_violation_rate)
        return FAULT_SCHEMA;
    return FAULT_NONE;
}

static enum MHD_Result answer_chat(fl_server *srv, struct MHD_Connection *conn, const req_state *rs)
{
    json_error_t jerr;
    json_t *req = json_loadb(rs->body ? rs->body : "", rs->len, 0, &jerr);
    if (!json_is_object(req)) {
        json_decref(req);
        return send_error(conn, 400, "invalid_request_error", "invalid_json",
                          "We could not parse the JSON body of your request.", NULL, NULL);
    }
    pthread_mutex_lock(&srv->mu);
    json_decref(srv->last_request);
    srv->last_request = json_incref(req);
    fault f = pick_fault(srv);
    if (f != FAULT_NONE)
        srv->c.faults++;
    pthread_mutex_unlock(&srv->mu);

    sleep_ms(srv, srv->opt.latency_ms);
    if (f == FAULT_429) {
        json_decref(req);
        char ra[16];
        snprintf(ra, sizeof ra, "%u", srv->opt.retry_after_s);
        return send_error(conn, 429, "requests", "rate_limit_exceeded",
                          "Rate limit reached for requests.",
                          srv->opt.retry_after_s ? "Retry-After" : NULL, ra);
    }
    if (f == FAULT_500) {
        json_decref(req);
        return send_error(conn, 500, "server_error", "server_error",
                          "The server had an error while processing your request.", NULL, NULL);
    }
    if (f == FAULT_GARBAGE) {
        json_decref(req);
        return send_text(conn, 200, "text/html",
                         "<!DOCTYPE html><html><body>Loading model&hellip;</body></html>\n", NULL,
                         NULL);
    }
    const char *model = json_string_value(json_object_get(req, "model"));
    if (!model) {
        json_decref(req);
        return send_error(conn, 400, "invalid_request_error", "missing_model",
                          "you must provide a model parameter", NULL, NULL);
    }
    if (!model_served(srv, model)) {
        char msg[256];
        snprintf(msg, sizeof msg, "The model `%.100s` does not exist.", model);
        json_decref(req);
        return send_error(conn, 404, "invalid_request_error", "model_not_found", msg, NULL, NULL);
    }

    fl_answer ans;
    char err[256];
    if (fl_answer_build(req, srv->opt.invalid_values, &ans, err, sizeof err) != 0) {
        json_decref(req);
        return send_error(conn, 400, "invalid_request_error", "bad_request", err, NULL, NULL);
    }
    char *content;
    if (f == FAULT_MALFORMED) {
        content =
            xstrdup("Sure! Here is the metadata you asked for: {\"scenes\": [{\"scene_id\": ");
    } else if (f == FAULT_SCHEMA) {
        json_t *bad = json_pack("{s:[{s:s, s:s, s:[{s:s, s:s}]}]}", "scenes", "scene_id", "one",
                                "title", "Untitled", "tags", "name", "x", "confidence", "high");
        content = json_dumps(bad, JSON_COMPACT);
        json_decref(bad);
    } else {
        content = json_dumps(ans.content, JSON_COMPACT | JSON_REAL_PRECISION(6));
    }
    json_decref(ans.content);
    if (!content)
        abort();
    json_int_t pt = (json_int_t)ans.prompt_chars / 4 + 1;
    json_int_t ct = (json_int_t)strlen(content) / 4 + 1;
    json_t *resp = json_pack(
        "{s:s, s:s, s:i, s:s, s:[{s:i, s:{s:s, s:s}, s:s}], s:{s:I, s:I, s:I}}", "id",
        "chatcmpl-fake", "object", "chat.completion", "created", 1700000000, "model", model,
        "choices", "index", 0, "message", "role", "assistant", "content", content, "finish_reason",
        "stop", "usage", "prompt_tokens", pt, "completion_tokens", ct, "total_tokens", pt + ct);
    free(content);
    json_decref(req);
    pthread_mutex_lock(&srv->mu);
    srv->c.scenes += (json_int_t)ans.n_scenes;
    srv->c.prompt_tokens += pt;
    srv->c.completion_tokens += ct;
    pthread_mutex_unlock(&srv->mu);
    return send_json(conn, 200, resp, NULL, NULL);
}

static enum MHD_Result handle_chat(fl_server *srv, struct MHD_Connection *conn, const req_state *rs)
{
    pthread_mutex_lock(&srv->mu);
    srv->c.chat_requests++;
    if (++srv->c.in_flight > srv->c.max_in_flight)
        srv->c.max_in_flight = srv->c.in_flight;
    pthread_mutex_unlock(&srv->mu);
    enum MHD_Result ret = answer_chat(srv, conn, rs);
    pthread_mutex_lock(&srv->mu);
    srv->c.in_flight--;
    pthread_mutex_unlock(&srv->mu);
    return ret;
}

static enum MHD_Result handle_control(fl_server *srv, struct MHD_Connection *conn, const char *url,
                                      const char *method)
{
    if (!th_peer_is_loopback(conn))
        return send_text(conn, 403, "text/plain", "Forbidden\n", NULL, NULL);
    if (strcmp(url, "/__control/stats") == 0 && strcmp(method, "GET") == 0)
        return send_json(conn, 200, fl_server_stats(srv), NULL, NULL);
    if (strcmp(url, "/__control/reset") == 0 && strcmp(method, "POST") == 0) {
        fl_server_reset_stats(srv);
        return send_json(conn, 200, json_pack("{s:b}", "ok", 1), NULL, NULL);
    }
    if (strcmp(url, "/__control/last-request") == 0 && strcmp(method, "GET") == 0) {
        json_t *last = fl_server_last_request(srv);
        return send_json(conn, last ? 200 : 404, last ? last : json_pack("{s:s}", "error", "none"),
                         NULL, NULL);
    }
    return send_text(conn, 404, "text/plain", "Not Found\n", NULL, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    fl_server *srv = cls;
    (void)version;
    req_state *rs = *con_cls;
    if (!rs) {
        *con_cls = xcalloc(1, sizeof(req_state));
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (rs->len + *upload_data_size > FL_MAX_BODY) {
            rs->too_big = true;
        } else {
            char *grown = realloc(rs->body, rs->len + *upload_data_size + 1);
            if (!grown)
                abort();
            rs->body = grown;
            memcpy(rs->body + rs->len, upload_data, *upload_data_size);
            rs->len += *upload_data_size;
            rs->body[rs->len] = '\0';
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rs->too_big)
        return send_text(conn, 413, "text/plain", "Request Entity Too Large\n", NULL, NULL);
    if (strncmp(url, "/__control/", 11) == 0)
        return handle_control(srv, conn, url, method);

    bool chat = strcmp(url, "/v1/chat/completions") == 0 || strcmp(url, "/chat/completions") == 0;
    bool models = strcmp(url, "/v1/models") == 0 || strcmp(url, "/models") == 0;
    if (!chat && !models)
        return send_error(conn, 404, "invalid_request_error", "unknown_url", "Unknown request URL",
                          NULL, NULL);
    pthread_mutex_lock(&srv->mu);
    srv->c.requests++;
    bool ok = authorized(srv, conn);
    if (!ok)
        srv->c.unauthorized++;
    else if (models)
        srv->c.models_requests++;
    pthread_mutex_unlock(&srv->mu);
    if (!ok)
        return send_error(conn, 401, "invalid_request_error", "invalid_api_key",
                          "Incorrect API key provided.", NULL, NULL);
    if (models) {
        if (strcmp(method, "GET") != 0)
            return send_text(conn, 405, "text/plain", "Method Not Allowed\n", "Allow", "GET");
        return handle_models(srv, conn);
    }
    if (strcmp(method, "POST") != 0)
        return send_text(conn, 405, "text/plain", "Method Not Allowed\n", "Allow", "POST");
    return handle_chat(srv, conn, rs);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    req_state *rs = *con_cls;
    if (rs) {
        free(rs->body);
        free(rs);
        *con_cls = NULL;
    }
}

int fl_server_start(const fl_options *opt, fl_server **out, char *err, size_t errlen)
{
    fl_server *srv = xcalloc(1, sizeof *srv);
    srv->opt = *opt;
    srv->opt.bind = NULL; /* borrowed strings are copied below or not kept */
    srv->api_key = opt->api_key && *opt->api_key ? xstrdup(opt->api_key) : NULL;
    srv->models = xstrdup(opt->models && *opt->models ? opt->models : "fake-model");
    srv->opt.api_key = NULL;
    srv->opt.models = NULL;
    srv->rng = opt->seed ? opt->seed * 0x9E3779B97F4A7C15ULL : 1;
    pthread_mutex_init(&srv->mu, NULL);
    atomic_init(&srv->stopping, false);
    srv->mhd = th_http_start(opt->bind, opt->port, on_request, srv, on_completed, srv, &srv->port, err, errlen);
    if (!srv->mhd) {
        fl_server_stop(srv);
        return -1;
    }
    *out = srv;
    return 0;
}

uint16_t fl_server_port(const fl_server *srv)
{
    return srv->port;
}

void fl_server_stop(fl_server *srv)
{
    if (!srv)
        return;
    atomic_store(&srv->stopping, true);
    if (srv->mhd)
        MHD_stop_daemon(srv->mhd);
    json_decref(srv->last_request);
    pthread_mutex_destroy(&srv->mu);
    free(srv->api_key);
    free(srv->models);
    free(srv);
}

json_t *fl_server_stats(fl_server *srv)
{
    pthread_mutex_lock(&srv->mu);
    counters c = srv->c;
    pthread_mutex_unlock(&srv->mu);
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "requests", c.requests,
                     "chat_requests", c.chat_requests, "models_requests", c.models_requests,
                     "unauthorized", c.unauthorized, "faults", c.faults, "in_flight", c.in_flight,
                     "max_in_flight", c.max_in_flight, "scenes", c.scenes, "prompt_tokens",
                     c.prompt_tokens, "completion_tokens", c.completion_tokens);
}

void fl_server_reset_stats(fl_server *srv)
{
    pthread_mutex_lock(&srv->mu);
    json_int_t in_flight = srv->c.in_flight;
    memset(&srv->c, 0, sizeof srv->c);
    srv->c.in_flight = in_flight; /* requests still running will decrement it */
    srv->c.max_in_flight = in_flight;
    pthread_mutex_unlock(&srv->mu);
}

json_t *fl_server_last_request(fl_server *srv)
{
    pthread_mutex_lock(&srv->mu);
    json_t *last = srv->last_request ? json_deep_copy(srv->last_request) : NULL;
    pthread_mutex_unlock(&srv->mu);
    return last;
}
