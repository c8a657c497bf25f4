/* metrics-http.c - the optional /metrics listener (threading: metrics.h).
 *
 * libmicrohttpd's internal polling thread runs every callback, so the
 * read-only database connection opened lazily there is only ever used by
 * that one thread; destroy stops the thread before closing it. */
#include <microhttpd.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "metrics/metrics.h"
#include "sh-log.h"
#include "sh-util.h"

#define LOG "metrics"

struct sh_metrics_server {
    sh_services *svc;
    struct MHD_Daemon *mhd;
    sh_db *db; /* owned by the MHD thread while it runs */
    uint16_t port;
};

static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned code, const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    sh_metrics_server *ms = cls;
    /* First call per request: headers only; answer on the second. */
    if (!*con_cls) {
        *con_cls = ms;
        return MHD_YES;
    }
    *upload_size = 0;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
    if (strcmp(url, "/metrics") != 0)
        return answer_text(conn, MHD_HTTP_NOT_FOUND, "see /metrics\n");
    sh_error err = {0};
    if (!ms->db && sh_db_open(ms->svc->db, true, &ms->db, &err) != SH_OK)
        sh_warn(LOG, "no database connection: %s", sh_error_message(&err));
    char *text = NULL;
    size_t len = 0;
    if (sh_metrics_render(ms->db, ms->svc->started_ms, &text, &len, &err) != SH_OK) {
        sh_warn(LOG, "render failed: %s", sh_error_message(&err));
        return answer_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "metrics unavailable\n");
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* "HOST:PORT", "[V6]:PORT" or "http://HOST:PORT" -> host and port strings. */
static sh_status split_listen(const char *listen, char *host, size_t host_len, char *port,
                              size_t port_len, sh_error *err)
{
    if (sh_str_has_prefix(listen, "http://"))
        listen += 7;
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || !colon[1] ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return sh_error_set(err, SH_ERR_INVALID, "metrics_listen: '%s' is not HOST:PORT", listen);
    const char *h = listen;
    size_t n = (size_t)(colon - listen);
    if (h[0] == '[' && n >= 2 && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    if (n >= host_len || strlen(colon + 1) >= port_len || strtol(colon + 1, NULL, 10) > 65535)
        return sh_error_set(err, SH_ERR_INVALID, "metrics_listen: '%s' is not HOST:PORT", listen);
    memcpy(host, h, n);
    host[n] = '\0';
    sh_strlcpy(port, colon + 1, port_len);
    return SH_OK;
}

sh_status sh_metrics_server_create(sh_services *svc, const char *listen, sh_metrics_server **out,
                                   sh_error *err)
{
    *out = NULL;
    char host[256], port[8];
    sh_status st = split_listen(listen, host, sizeof host, port, sizeof port, err);
    if (st != SH_OK)
        return st;
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo(host, port, &hints, &ai);
    if (gai != 0)
        return sh_error_set(err, SH_ERR_INVALID, "metrics_listen: %s: %s", host, gai_strerror(gai));
    sh_metrics_server *ms = calloc(1, sizeof *ms);
    if (!ms) {
        freeaddrinfo(ai);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    ms->svc = svc;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    ms->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handle, ms, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                               MHD_OPTION_CONNECTION_LIMIT, (unsigned)32,
                               MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!ms->mhd) {
        free(ms);
        return sh_error_set(err, SH_ERR_IO, "metrics_listen: cannot listen on %s", listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(ms->mhd, MHD_DAEMON_INFO_BIND_PORT);
    ms->port = info ? info->port : 0;
    /* Metrics carry no secrets, but they do describe the library. */
    if (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "::1") != 0 &&
        strcmp(host, "localhost") != 0)
        sh_warn(LOG, "metrics are served without authentication on %s", host);
    sh_info(LOG, "metrics on http://%s%s%s:%u/metrics", strchr(host, ':') ? "[" : "", host,
            strchr(host, ':') ? "]" : "", (unsigned)ms->port);
    *out = ms;
    return SH_OK;
}

uint16_t sh_metrics_server_port(const sh_metrics_server *server)
{
    return server ? server->port : 0;
}

void sh_metrics_server_destroy(sh_metrics_server *server)
{
    if (!server)
        return;
    MHD_stop_daemon(server->mhd); /* joins the thread that uses db */
    sh_db_close(server->db);
    free(server);
}
