/* http-test-server.h - a scripted HTTP server standing in for Stash or an LLM in tests.
 *
 * libmicrohttpd on 127.0.0.1, port 0 (the kernel picks a free port).  Each
 * request gets the next step of the script; the last step repeats.  Every
 * request is recorded (headers of interest, body, arrival time, client port).
 *
 * Threading: MHD runs one thread per connection, so a delayed answer does not
 * block other connections; the script and the records are guarded by a mutex
 * and handlers abandon their delay when the server stops. */
#ifndef SH_HTTP_TEST_SERVER_H
#define SH_HTTP_TEST_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ts_step {
    unsigned status;         /* HTTP status */
    const char *body;        /* response body ("" if NULL) */
    const char *retry_after; /* Retry-After value, or NULL */
    bool gzip;               /* send the body gzip-encoded */
    int delay_ms;            /* wait before answering */
    size_t declared_len;     /* > strlen(body): announce this length, then cut */
} ts_step;

typedef struct ts_request {
    char *method;
    char *url;
    char *api_key; /* NULL when the ApiKey header was absent */
    char *content_type;
    char *accept;
    char *accept_encoding;
    char *body;
    int64_t at_ms;        /* arrival (CLOCK_MONOTONIC) */
    unsigned client_port; /* source port: same port = same connection */
} ts_request;

typedef struct ts_server ts_server;

ts_server *ts_start(void);
void ts_stop(ts_server *s);
/* Replace the script; steps are copied (strings must outlive the server). */
void ts_script(ts_server *s, const ts_step *steps, size_t n);
unsigned ts_port(const ts_server *s);
/* "http://127.0.0.1:<port>" (static storage per server). */
const char *ts_url(const ts_server *s);
size_t ts_request_count(ts_server *s);
/* Copy of request i (caller frees with ts_request_free). */
ts_request ts_request_get(ts_server *s, size_t i);
void ts_request_free(ts_request *r);

int64_t ts_now_ms(void);

#endif
