/* fs-server.c - HTTP side of the fake Stash (libmicrohttpd).
 *
 * Threading: MHD runs one thread per connection plus its internal listen
 * thread, so a request sleeping for an injected delay never blocks the
 * others. Handlers share the fs_ctx: the library behind its rwlock, stats
 * and faults behind their own mutexes. Delays sleep in short slices and end
 * early once fs_server_stop() sets `stopping`, so shutdown is prompt.
 *
 * Routes: GET /healthz (no auth); POST /graphql (ApiKey header when a key is
 * set, faults applied); /__control/... (no auth, loopback peers only). */
#include "fs-internal.h"
#include "test-server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FS_MAX_BODY ((size_t)64 * 1024 * 1024)

struct fs_server {
    struct MHD_Daemon *mhd;
    fs_ctx ctx;
    char *api_key;
    bool quiet;
    atomic_bool stopping;
    uint16_t port;
};

typedef struct req_state {
    char *body;
    size_t len;
    bool too_big;
} req_state;

static void sleep_ms(fs_server *srv, unsigned ms)
{
    while (ms > 0 && !atomic_load(&srv->stopping)) {
        unsigned slice = ms > 10 ? 10 : ms;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)slice * 1000000L};
        nanosleep(&ts, NULL);
        ms -= slice;
    }
}

static enum MHD_Result send_buf(struct MHD_Connection *conn, unsigned status, const char *type,
                                const char *body, const char *extra_name,
                                const char *extra_value)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (extra_name)
        MHD_add_response_header(r, extra_name, extra_value);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Control answers sort their keys so before/after documents compare as
 * text; GraphQL answers keep field order like a real server. */
static enum MHD_Result send_json_flags(struct MHD_Connection *conn, unsigned status,
                                       json_t *doc, size_t flags)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15) | flags);
    json_decref(doc);
    if (!text)
        return MHD_NO;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status, json_t *doc)
{
    return send_json_flags(conn, status, doc, 0);
}

/* A body that announces its full length and stops halfway: the client
 * sees the connection close early, as with a proxy or server crash. */
typedef struct cut_body {
    char *text;
    size_t cut;
} cut_body;

static ssize_t cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    cut_body *cb = cls;
    if (pos >= cb->cut)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = cb->cut - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, cb->text + pos, n);
    return (ssize_t)n;
}

static void cut_free(void *cls)
{
    cut_body *cb = cls;
    free(cb->text);
    free(cb);
}

static enum MHD_Result send_truncated(struct MHD_Connection *conn, json_t *doc)
{
    cut_body *cb = fs_xcalloc(1, sizeof(*cb));
    cb->text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(doc);
    size_t len = cb->text ? strlen(cb->text) : 0;
    cb->cut = len / 2;
    struct MHD_Response *r = MHD_create_response_from_callback(len, 4096, cut_reader, cb, cut_free);
    if (!r) {
        cut_free(cb);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_fault(struct MHD_Connection *conn, fs_fault_kind kind)
{
    switch (kind) {
    case FS_FAULT_500:
        return send_buf(conn, 500, "text/plain", "Internal Server Error\n", NULL, NULL);
    case FS_FAULT_502:
        return send_buf(conn, 502, "text/html",
                        "<html><body><h1>502 Bad Gateway</h1></body></html>\n", NULL, NULL);
    case FS_FAULT_503:
        return send_buf(conn, 503, "text/html",
                        "<html><body><h1>503 Service Unavailable</h1></body></html>\n", NULL,
                        NULL);
    case FS_FAULT_429:
        return send_buf(conn, 429, "text/plain", "Too Many Requests\n", "Retry-After", "1");
    case FS_FAULT_GARBAGE:
    default:
        return send_buf(conn, 200, "text/html",
                        "<!DOCTYPE html><html><body>Stash is starting up&hellip;</body></html>\n",
                        NULL, NULL);
    }
}

static enum MHD_Result handle_graphql(fs_server *srv, struct MHD_Connection *conn,
                                      const req_state *rs)
{
    fs_ctx *ctx = &srv->ctx;
    if (srv->api_key && !th_key_matches(srv->api_key, MHD_lookup_connection_value(
                                                       conn, MHD_HEADER_KIND, "ApiKey"))) {
        fs_stats_unauthorized(&ctx->stats);
        return send_buf(conn, 401, "text/plain", "Unauthorized\n", NULL, NULL);
    }
    json_error_t jerr;
    json_t *req = json_loadb(rs->body ? rs->body : "", rs->len, 0, &jerr);
    if (!json_is_object(req)) {
        json_decref(req);
        fs_stats_request(&ctx->stats, NULL);
        return send_json(conn, 400,
                         json_pack("{s:[{s:s}],s:n}", "errors", "message",
                                   "json request body could not be decoded", "data"));
    }
    const char *op = json_string_value(json_object_get(req, "operationName"));
    fs_stats_request(&ctx->stats, op);

    unsigned latency, page_delay;
    fs_faults_delays(&ctx->faults, &latency, &page_delay);
    sleep_ms(srv, latency + (fs_graphql_is_find(op) ? page_delay : 0));

    fs_fault_kind fault = fs_faults_pick(&ctx->faults, op);
    if (fault != FS_FAULT_NONE) {
        fs_stats_fault(&ctx->stats);
        if (!srv->quiet)
            fprintf(stderr, "fake-stash: %s -> injected fault %s\n", op ? op : "(none)",
                    fs_fault_kind_name(fault));
    }
    if (fault != FS_FAULT_NONE && fault != FS_FAULT_TRUNCATE) {
        json_decref(req);
        return send_fault(conn, fault);
    }
    json_t *resp = fs_graphql_execute(ctx, op, json_object_get(req, "variables"));
    json_decref(req);
    if (fault == FS_FAULT_TRUNCATE)
        return send_truncated(conn, resp);
    return send_json(conn, 200, resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    fs_server *srv = cls;
    (void)version;
    req_state *rs = *con_cls;
    if (!rs) {
        *con_cls = fs_xcalloc(1, sizeof(req_state));
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (rs->len + *upload_data_size > FS_MAX_BODY) {
            rs->too_big = true;
        } else {
            rs->body = fs_xrealloc(rs->body, rs->len + *upload_data_size + 1);
            memcpy(rs->body + rs->len, upload_data, *upload_data_size);
            rs->len += *upload_data_size;
            rs->body[rs->len] = '\0';
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rs->too_big)
        return send_buf(conn, 413, "text/plain", "Request Entity Too Large\n", NULL, NULL);

    if (strcmp(url, "/healthz") == 0)
        return send_buf(conn, 200, "text/plain", "ok\n", NULL, NULL);
    if (strcmp(url, "/graphql") == 0) {
        if (strcmp(method, "POST") != 0)
            return send_buf(conn, 405, "text/plain", "Method Not Allowed\n", "Allow", "POST");
        return handle_graphql(srv, conn, rs);
    }
    if (strncmp(url, "/__control/", 11) == 0) {
        if (!th_peer_is_loopback(conn))
            return send_buf(conn, 403, "text/plain", "Forbidden\n", NULL, NULL);
        json_t *body = NULL;
        if (rs->len > 0) {
            json_error_t jerr;
            body = json_loadb(rs->body, rs->len, 0, &jerr);
            if (!body)
                return send_json(conn, 400, json_pack("{s:s}", "error", "invalid JSON body"));
        }
        int status = 200;
        json_t *out = fs_control_handle(&srv->ctx, method, url, body, &status);
        json_decref(body);
        return send_json_flags(conn, (unsigned)status, out, JSON_SORT_KEYS);
    }
    return send_buf(conn, 404, "text/plain", "Not Found\n", NULL, NULL);
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

int fs_server_start(fs_library *lib, const fs_server_options *opt, fs_server **out, char *err,
                    size_t errlen)
{
    fs_server *srv = fs_xcalloc(1, sizeof(*srv));
    srv->ctx.lib = lib;
    srv->quiet = opt->quiet;
    srv->api_key = opt->api_key && *opt->api_key ? fs_xstrdup(opt->api_key) : NULL;
    fs_stats_init(&srv->ctx.stats);
    fs_faults_init(&srv->ctx.faults, &opt->faults, opt->seed);
    atomic_init(&srv->stopping, false);

    srv->mhd = th_http_start(opt->bind, opt->port, on_request, srv, on_completed, srv, &srv->port, err, errlen);
    if (!srv->mhd) {
        fs_server_stop(srv);
        return -1;
    }
    *out = srv;
    return 0;
}

uint16_t fs_server_port(const fs_server *srv)
{
    return srv->port;
}

void fs_server_stop(fs_server *srv)
{
    if (!srv)
        return;
    atomic_store(&srv->stopping, true);
    if (srv->mhd)
        MHD_stop_daemon(srv->mhd); /* joins the connection threads */
    fs_library_destroy(srv->ctx.lib);
    fs_stats_fini(&srv->ctx.stats);
    fs_faults_fini(&srv->ctx.faults);
    free(srv->api_key);
    free(srv);
}
