/* webhook-receiver - a test endpoint for stashhogd's webhooks.
 *
 *   webhook-receiver --port 0 --port-file F --log F [--secret S] [--fail N] [--quiet]
 *
 * Answers 500 to the first N POSTs, 200 to the rest.  Every POST is logged
 * as one JSON line: {"n","status","recv_ms","event","delivery","timestamp",
 * "signature","valid","body"}; `valid` is the receiver's own HMAC-SHA256
 * check of the raw body against --secret (libsodium).  Runs until SIGTERM.
 * libmicrohttpd's single internal thread runs every callback, so the
 * counters need no lock. */
#include <getopt.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "test-server.h"

#define MAX_BODY (1 << 20)

static struct {
    FILE *log;
    const char *secret;
    int fail;
    int n;
    bool quiet;
} rx;

typedef struct upload {
    char *buf;
    size_t len;
} upload;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static long long now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    return v ? v : "";
}

static bool verify(const char *sig, const char *body, size_t len)
{
    if (!rx.secret || strncmp(sig, "sha256=", 7) != 0)
        return false;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)rx.secret, strlen(rx.secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[2 * sizeof mac + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    return strlen(sig + 7) == strlen(hex) && sodium_memcmp(sig + 7, hex, strlen(hex)) == 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    upload *up = *con_cls;
    if (!up) {
        if (!(up = calloc(1, sizeof *up)))
            return MHD_NO;
        if (!(up->buf = malloc(MAX_BODY + 1))) {
            free(up);
            return MHD_NO;
        }
        *con_cls = up;
        return MHD_YES;
    }
    if (*size) {
        size_t take = *size < MAX_BODY - up->len ? *size : MAX_BODY - up->len;
        memcpy(up->buf + up->len, data, take);
        up->len += take;
        *size = 0;
        return MHD_YES;
    }
    up->buf[up->len] = '\0';
    unsigned code = MHD_HTTP_OK;
    if (strcmp(method, "POST") == 0) {
        rx.n++;
        if (rx.fail > 0) {
            rx.fail--;
            code = MHD_HTTP_INTERNAL_SERVER_ERROR;
        }
        const char *sig = header(conn, "X-StashHog-Signature");
        json_t *line = json_pack(
            "{s:i,s:i,s:I,s:s,s:s,s:s,s:s,s:b,s:s%}", "n", rx.n, "status", (int)code, "recv_ms",
            (json_int_t)now_ms(), "event", header(conn, "X-StashHog-Event"), "delivery",
            header(conn, "X-StashHog-Delivery"), "timestamp", header(conn, "X-StashHog-Timestamp"),
            "signature", sig, "valid", verify(sig, up->buf, up->len), "body", up->buf, up->len);
        if (line) {
            json_dumpf(line, rx.log, JSON_COMPACT);
            fputc('\n', rx.log);
            fflush(rx.log);
            json_decref(line);
        }
    } else {
        code = MHD_HTTP_METHOD_NOT_ALLOWED;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return ret;
}

static void done(void *cls, struct MHD_Connection *c, void **con_cls,
                 enum MHD_RequestTerminationCode t)
{
    (void)cls;
    (void)c;
    (void)t;
    upload *up = *con_cls;
    if (up)
        free(up->buf);
    free(up);
    *con_cls = NULL;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"port", required_argument, NULL, 'p'},
                                         {"port-file", required_argument, NULL, 'f'},
                                         {"log", required_argument, NULL, 'l'},
                                         {"secret", required_argument, NULL, 's'},
                                         {"fail", required_argument, NULL, 'F'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {NULL, 0, NULL, 0}};
    int port = 0, c;
    const char *port_file = NULL, *log_path = NULL;
    while ((c = getopt_long(argc, argv, "p:f:l:s:F:q", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            port = (int)strtol(optarg, NULL, 10);
            break;
        case 'f':
            port_file = optarg;
            break;
        case 'l':
            log_path = optarg;
            break;
        case 's':
            rx.secret = optarg;
            break;
        case 'F':
            rx.fail = (int)strtol(optarg, NULL, 10);
            break;
        case 'q':
            rx.quiet = true;
            break;
        default:
            fprintf(stderr, "usage: %s --port 0 --port-file F --log F [--secret S] [--fail N]\n",
                    argv[0]);
            return 2;
        }
    }
    if (!log_path || sodium_init() < 0 || !(rx.log = fopen(log_path, "a"))) {
        fprintf(stderr, "webhook-receiver: --log FILE is required\n");
        return 2;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_NOTIFY_COMPLETED, done, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "webhook-receiver: cannot listen\n");
        return 1;
    }
    unsigned bound = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
    if (port_file) {
        if (th_write_port_file(port_file, bound) != 0) {
            fprintf(stderr, "webhook-receiver: cannot write %s\n", port_file);
            MHD_stop_daemon(d);
            return 1;
        }
    }
    if (!rx.quiet)
        fprintf(stderr, "webhook-receiver on 127.0.0.1:%u\n", bound);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    while (!stop)
        usleep(50000); /* a signal between a check and pause() would be missed */
    MHD_stop_daemon(d);
    fclose(rx.log);
    return 0;
}
