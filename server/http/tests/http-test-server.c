/* http-test-server.c - see http-test-server.h for the threading design. */
#include "http-test-server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>
#include <zlib.h>

#define MAX_STEPS 16
#define MAX_REQUESTS 64

struct ts_server {
    struct MHD_Daemon *daemon;
    unsigned port;
    char url[64];
    pthread_mutex_t lock;
    ts_step steps[MAX_STEPS];
    size_t n_steps;
    size_t next_step;
    ts_request requests[MAX_REQUESTS];
    size_t n_requests;
    atomic_int stopping;
};

/* Body of one request being uploaded. */
typedef struct upload {
    char *data;
    size_t len;
} upload;

/* Source of a deliberately truncated response. */
typedef struct cut_body {
    char *data;
    size_t len;
} cut_body;

int64_t ts_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int gzip_encode(const char *in, size_t in_len, unsigned char **out, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t cap = deflateBound(&zs, (uLong)in_len) + 32;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        deflateEnd(&zs);
        return -1;
    }
    zs.next_in = (Bytef *)in; /* zlib does not write through it */
    zs.avail_in = (uInt)in_len;
    zs.next_out = buf;
    zs.avail_out = (uInt)cap;
    int zrc = deflate(&zs, Z_FINISH);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    if (zrc != Z_STREAM_END) {
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}

static ssize_t cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    cut_body *cb = cls;
    if (pos >= cb->len)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* closes the connection early */
    size_t n = cb->len - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, cb->data + pos, n);
    return (ssize_t)n;
}

static void cut_free(void *cls)
{
    cut_body *cb = cls;
    free(cb->data);
    free(cb);
}

static struct MHD_Response *make_response(const ts_step *st)
{
    const char *body = st->body ? st->body : "";
    size_t len = strlen(body);
    struct MHD_Response *r = NULL;
    if (st->declared_len > len) {
        cut_body *cb = calloc(1, sizeof *cb);
        if (!cb)
            return NULL;
        cb->data = strdup(body);
        cb->len = len;
        r = MHD_create_response_from_callback(st->declared_len, 4096, cut_reader, cb, cut_free);
    } else if (st->gzip) {
        unsigned char *z = NULL;
        size_t zlen = 0;
        if (gzip_encode(body, len, &z, &zlen) != 0)
            return NULL;
        r = MHD_create_response_from_buffer(zlen, z, MHD_RESPMEM_MUST_FREE);
        if (r)
            MHD_add_response_header(r, "Content-Encoding", "gzip");
    } else {
        r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    }
    if (!r)
        return NULL;
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (st->retry_after)
        MHD_add_response_header(r, "Retry-After", st->retry_after);
    return r;
}

static void record(ts_server *s, struct MHD_Connection *conn, const char *method, const char *url,
                   const upload *up)
{
    if (s->n_requests >= MAX_REQUESTS)
        return;
    ts_request *r = &s->requests[s->n_requests++];
    r->method = strdup(method);
    r->url = strdup(url);
    r->api_key = dup_or_null(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "ApiKey"));
    r->content_type = dup_or_null(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type"));
    r->accept = dup_or_null(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept"));
    r->accept_encoding =
        dup_or_null(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding"));
    r->body = strndup(up->data ? up->data : "", up->len);
    r->at_ms = ts_now_ms();
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        r->client_port = ntohs(((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_port);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    (void)version;
    ts_server *s = cls;
    upload *up = *con_cls;
    if (!up) {
        up = calloc(1, sizeof *up);
        if (!up)
            return MHD_NO;
        *con_cls = up;
        return MHD_YES;
    }
    if (*upload_data_size) {
        char *grown = realloc(up->data, up->len + *upload_data_size);
        if (!grown)
            return MHD_NO;
        up->data = grown;
        memcpy(up->data + up->len, upload_data, *upload_data_size);
        up->len += *upload_data_size;
        *upload_data_size = 0;
        return MHD_YES;
    }

    pthread_mutex_lock(&s->lock);
    record(s, conn, method, url, up);
    ts_step st = {.status = 500, .body = "no script"};
    if (s->n_steps) {
        st = s->steps[s->next_step];
        if (s->next_step + 1 < s->n_steps)
            s->next_step++;
    }
    pthread_mutex_unlock(&s->lock);

    for (int waited = 0; waited < st.delay_ms && !s->stopping; waited += 10)
        sleep_ms(10);
    if (s->stopping)
        return MHD_NO;
    struct MHD_Response *r = make_response(&st);
    if (!r)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(conn, st.status, r);
    MHD_destroy_response(r);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    upload *up = *con_cls;
    if (up) {
        free(up->data);
        free(up);
        *con_cls = NULL;
    }
}

ts_server *ts_start(void)
{
    ts_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_mutex_init(&s->lock, NULL);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                 0, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &addr,
                                 MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!s->daemon) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u", s->port);
    return s;
}

void ts_stop(ts_server *s)
{
    if (!s)
        return;
    s->stopping = 1;
    MHD_stop_daemon(s->daemon);
    for (size_t i = 0; i < s->n_requests; i++)
        ts_request_free(&s->requests[i]);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void ts_script(ts_server *s, const ts_step *steps, size_t n)
{
    pthread_mutex_lock(&s->lock);
    s->n_steps = n < MAX_STEPS ? n : MAX_STEPS;
    memcpy(s->steps, steps, s->n_steps * sizeof *steps);
    s->next_step = 0;
    pthread_mutex_unlock(&s->lock);
}

unsigned ts_port(const ts_server *s)
{
    return s->port;
}

const char *ts_url(const ts_server *s)
{
    return s->url;
}

size_t ts_request_count(ts_server *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->n_requests;
    pthread_mutex_unlock(&s->lock);
    return n;
}

ts_request ts_request_get(ts_server *s, size_t i)
{
    ts_request copy = {0};
    pthread_mutex_lock(&s->lock);
    if (i < s->n_requests) {
        const ts_request *r = &s->requests[i];
        copy = (ts_request){
            .method = dup_or_null(r->method),
            .url = dup_or_null(r->url),
            .api_key = dup_or_null(r->api_key),
            .content_type = dup_or_null(r->content_type),
            .accept = dup_or_null(r->accept),
            .accept_encoding = dup_or_null(r->accept_encoding),
            .body = dup_or_null(r->body),
            .at_ms = r->at_ms,
            .client_port = r->client_port,
        };
    }
    pthread_mutex_unlock(&s->lock);
    return copy;
}

void ts_request_free(ts_request *r)
{
    free(r->method);
    free(r->url);
    free(r->api_key);
    free(r->content_type);
    free(r->accept);
    free(r->accept_encoding);
    free(r->body);
    memset(r, 0, sizeof *r);
}
