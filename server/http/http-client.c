/* http-client.c - the shared HTTP/JSON transport and its retry loop.
 *
 * Threading: see http-client.h.  A client is used by one thread at a time and
 * owns no thread; sh_http_send sleeps on the caller's thread, in slices of at
 * most 100 ms so the cancel callback is honoured promptly. */
#include "http/http-client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "sh-log.h"
#include "sh-util.h"

#define SLEEP_SLICE_MS 100

struct sh_http_client {
    CURL *curl;
    struct curl_slist *headers; /* may hold API keys: wiped on destroy */
    char errbuf[CURL_ERROR_SIZE];
    char name[32];
    char peer[64];
    char log_module[32];
    long timeout_ms;
    size_t max_response_bytes;
    int max_retries;
    long backoff_base_ms;
    long backoff_max_ms;
    long retry_after_max_ms;
    int (*cancelled)(void *user_data);
    void *cancel_user_data;
    uint64_t rng;
    sh_http_stats stats;
};

/* Response body under construction, with the size cap. */
typedef struct body_sink {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    bool too_large;
    bool nomem;
} body_sink;

static size_t on_write(char *data, size_t size, size_t nmemb, void *user_data)
{
    body_sink *s = user_data;
    size_t n = size * nmemb;
    if (n > s->max - s->len) {
        s->too_large = true;
        return 0; /* makes curl fail with CURLE_WRITE_ERROR */
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 16384;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *grown = realloc(s->data, cap);
        if (!grown) {
            s->nomem = true;
            return 0;
        }
        s->data = grown;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, n);
    s->len += n;
    s->data[s->len] = '\0';
    return n;
}

static bool is_cancelled(const sh_http_client *c)
{
    return c->cancelled && c->cancelled(c->cancel_user_data);
}

/* Called by curl during transfers (at least once a second): lets a cancelled
 * job abort a slow request instead of waiting for the timeout. */
static int on_progress(void *user_data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return is_cancelled(user_data) ? 1 : 0;
}

static sh_status check_config(const sh_http_config *cfg, sh_error *err)
{
    const char *name = cfg->name ? cfg->name : "HTTP";
    if (cfg->connect_timeout_ms <= 0 || cfg->timeout_ms <= 0)
        return sh_error_set(err, SH_ERR_INVALID, "%s timeouts must be positive", name);
    if (cfg->max_retries < 0 || cfg->max_retries > 100)
        return sh_error_set(err, SH_ERR_INVALID, "%s max_retries must be within 0..100", name);
    if (cfg->backoff_base_ms < 0 || cfg->backoff_max_ms < 0 || cfg->retry_after_max_ms < 0)
        return sh_error_set(err, SH_ERR_INVALID, "%s backoff settings must not be negative", name);
    if (cfg->max_response_bytes == 0)
        return sh_error_set(err, SH_ERR_INVALID, "%s max_response_bytes must be positive", name);
    return SH_OK;
}

/* Options that never change; each setopt result is checked, so a libcurl
 * without a needed feature fails here rather than misbehaving later. */
static CURLcode set_fixed_options(sh_http_client *c, const sh_http_config *cfg)
{
    CURL *h = c->curl;
    CURLcode cc = CURLE_OK;
#define SETOPT(opt, val)                                                                           \
    do {                                                                                           \
        if (cc == CURLE_OK)                                                                        \
            cc = curl_easy_setopt(h, opt, val);                                                    \
    } while (0)
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_ACCEPT_ENCODING, ""); /* every encoding curl can decode */
    SETOPT(CURLOPT_USERAGENT, "stashhog/" STASHHOG_VERSION);
    SETOPT(CURLOPT_NOSIGNAL, 1L); /* no SIGALRM-based DNS timeouts in threads */
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
    SETOPT(CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(CURLOPT_SSL_VERIFYPEER, cfg->verify_tls ? 1L : 0L);
    SETOPT(CURLOPT_SSL_VERIFYHOST, cfg->verify_tls ? 2L : 0L);
    if (cfg->ca_file && cfg->ca_file[0])
        SETOPT(CURLOPT_CAINFO, cfg->ca_file); /* curl copies the string */
    SETOPT(CURLOPT_WRITEFUNCTION, on_write);
    SETOPT(CURLOPT_XFERINFOFUNCTION, on_progress);
    SETOPT(CURLOPT_XFERINFODATA, c);
    SETOPT(CURLOPT_NOPROGRESS, 0L);
    SETOPT(CURLOPT_ERRORBUFFER, c->errbuf);
#undef SETOPT
    return cc;
}

sh_status sh_http_client_create(const sh_http_config *cfg, sh_http_client **out, sh_error *err)
{
    sh_status rc;
    if (!out)
        return sh_error_set(err, SH_ERR_INVALID, "no output pointer");
    *out = NULL;
    if (!cfg)
        return sh_error_set(err, SH_ERR_INVALID, "no HTTP configuration");
    if ((rc = check_config(cfg, err)) != SH_OK)
        return rc;

    sh_http_client *c = calloc(1, sizeof *c);
    if (!c)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    snprintf(c->name, sizeof c->name, "%s", cfg->name ? cfg->name : "HTTP");
    snprintf(c->peer, sizeof c->peer, "%s", cfg->peer ? cfg->peer : "the server");
    snprintf(c->log_module, sizeof c->log_module, "%s", cfg->log_module ? cfg->log_module : "http");
    c->timeout_ms = cfg->timeout_ms;
    c->max_response_bytes = cfg->max_response_bytes;
    c->max_retries = cfg->max_retries;
    c->backoff_base_ms = cfg->backoff_base_ms;
    c->backoff_max_ms = cfg->backoff_max_ms;
    c->retry_after_max_ms = cfg->retry_after_max_ms;
    c->cancelled = cfg->cancelled;
    c->cancel_user_data = cfg->cancel_user_data;
    c->stats.last_latency_ms = -1;
    c->rng = (uint64_t)sh_monotonic_us() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)c;
    if (!c->rng)
        c->rng = 1;

    c->curl = curl_easy_init();
    if (!c->curl) {
        rc = sh_error_set(err, SH_ERR_NOMEM, "cannot create a curl handle");
        goto fail;
    }
    /* "Expect:" stops curl from waiting for 100-continue on large bodies. */
    if ((rc = sh_http_client_add_header(c, err, "Content-Type: application/json")) != SH_OK ||
        (rc = sh_http_client_add_header(c, err, "Accept: application/json")) != SH_OK ||
        (rc = sh_http_client_add_header(c, err, "Expect:")) != SH_OK)
        goto fail;
    if (cfg->secret && cfg->secret[0] &&
        (rc = sh_http_client_add_header(c, err, "%s%s", cfg->secret_prefix ? cfg->secret_prefix : "",
                                        cfg->secret)) != SH_OK)
        goto fail;
    CURLcode cc = set_fixed_options(c, cfg);
    if (cc != CURLE_OK) {
        rc = sh_error_set(err, SH_ERR_UNSUPPORTED, "libcurl option rejected: %s",
                          curl_easy_strerror(cc));
        goto fail;
    }
    *out = c;
    return SH_OK;
fail:
    sh_http_client_destroy(c);
    return rc;
}

void sh_http_client_destroy(sh_http_client *client)
{
    if (!client)
        return;
    if (client->curl)
        curl_easy_cleanup(client->curl);
    /* Header lines may hold API keys: wipe them before freeing. */
    for (struct curl_slist *l = client->headers; l; l = l->next)
        explicit_bzero(l->data, strlen(l->data));
    curl_slist_free_all(client->headers);
    free(client);
}

sh_status sh_http_client_add_header(sh_http_client *client, sh_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return sh_error_set(err, SH_ERR_INVALID, "bad header format");
    size_t len = (size_t)n + 1;
    char *line = malloc(len);
    if (!line)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    va_start(ap, fmt);
    vsnprintf(line, len, fmt, ap);
    va_end(ap);

    sh_status rc = SH_OK;
    for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) { /* would break or inject header lines */
            int name_len = (int)strcspn(line, ":");
            rc = sh_error_set(err, SH_ERR_INVALID, "%s %.*s header contains control characters",
                              client->name, name_len, line);
            goto out;
        }
    }
    struct curl_slist *l = curl_slist_append(client->headers, line);
    if (!l) {
        rc = sh_error_set(err, SH_ERR_NOMEM, "out of memory");
        goto out;
    }
    client->headers = l;
    if (curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, client->headers) != CURLE_OK)
        rc = sh_error_set(err, SH_ERR_UNSUPPORTED, "libcurl rejected the header list");
out:
    explicit_bzero(line, len); /* curl_slist_append copied it */
    free(line);
    return rc;
}

void sh_http_response_fini(sh_http_response *resp)
{
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
}

/* Sorts a curl failure into what a retry policy needs to know. */
static void classify_curl_failure(CURLcode cc, sh_http_response *r)
{
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        r->outcome = SH_HTTP_OUT_TIMEOUT;
        break;
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING: /* a gzip stream cut short */
        r->outcome = SH_HTTP_OUT_TRUNCATED;
        break;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        r->outcome = SH_HTTP_OUT_TRANSPORT;
        break;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        r->outcome = SH_HTTP_OUT_FATAL;
        r->fatal_code = SH_ERR_INVALID;
        break;
    default: /* TLS verification, bad CA file, ...: retrying will not help */
        r->outcome = SH_HTTP_OUT_FATAL;
        r->fatal_code = SH_ERR_NETWORK;
        break;
    }
}

sh_status sh_http_perform(sh_http_client *client, const char *url, const char *body,
                          size_t body_len, sh_http_response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->retry_after_ms = -1;
    body_sink sink = {.max = client->max_response_bytes};
    CURL *c = client->curl;

    curl_easy_setopt(c, CURLOPT_URL, url);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    client->errbuf[0] = '\0';

    int64_t t0 = sh_monotonic_ms();
    CURLcode cc = curl_easy_perform(c);
    resp->latency_ms = sh_monotonic_ms() - t0;
    /* the sink lives on this stack frame: never leave curl pointing at it */
    curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);

    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    resp->http_status = status;
    snprintf(resp->detail, sizeof resp->detail, "%s",
             client->errbuf[0] ? client->errbuf : curl_easy_strerror(cc));
    if (sink.nomem) {
        free(sink.data);
        return SH_ERR_NOMEM;
    }
    if (cc == CURLE_OK) {
        resp->outcome = SH_HTTP_OUT_RESPONSE;
        curl_off_t retry_after = 0;
        if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
            resp->retry_after_ms = retry_after > 86400 ? 86400000L : (long)retry_after * 1000;
        if (!sink.data) {
            sink.data = strdup("");
            if (!sink.data)
                return SH_ERR_NOMEM;
        }
        resp->body = sink.data;
        resp->body_len = sink.len;
        return SH_OK;
    }
    free(sink.data);
    if (cc == CURLE_ABORTED_BY_CALLBACK)
        resp->outcome = SH_HTTP_OUT_CANCELLED;
    else if (cc == CURLE_WRITE_ERROR && sink.too_large)
        resp->outcome = SH_HTTP_OUT_TOO_LARGE;
    else
        classify_curl_failure(cc, resp);
    return SH_OK;
}

sh_http_verdict sh_http_classify_failure(const sh_http_client *client, const sh_http_response *resp,
                                         sh_error *err)
{
    switch (resp->outcome) {
    case SH_HTTP_OUT_TRANSPORT:
    case SH_HTTP_OUT_TRUNCATED:
        sh_error_set(err, SH_ERR_NETWORK, "cannot reach %s: %s", client->peer, resp->detail);
        return SH_HTTP_RETRY;
    case SH_HTTP_OUT_TIMEOUT:
        sh_error_set(err, SH_ERR_TIMEOUT, "%s did not answer within %ld ms", client->peer,
                     client->timeout_ms);
        return SH_HTTP_RETRY;
    case SH_HTTP_OUT_TOO_LARGE:
        sh_error_set(err, SH_ERR_TOO_LARGE, "response from %s larger than %zu bytes",
                     client->peer, client->max_response_bytes);
        return SH_HTTP_FAIL;
    case SH_HTTP_OUT_CANCELLED:
        sh_error_set(err, SH_ERR_CANCELLED, "request to %s cancelled", client->peer);
        return SH_HTTP_FAIL;
    case SH_HTTP_OUT_FATAL:
        sh_error_set(err, resp->fatal_code, "request to %s failed: %s", client->peer,
                     resp->detail);
        return SH_HTTP_FAIL;
    case SH_HTTP_OUT_RESPONSE:
        break;
    }
    sh_error_set(err, SH_ERR_INTERNAL, "unexpected attempt outcome %d", (int)resp->outcome);
    return SH_HTTP_FAIL;
}

/* xorshift64*: jitter needs spread, not unpredictability. */
static uint64_t next_random(sh_http_client *c)
{
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return c->rng * 0x2545F4914F6CDD1DULL;
}

static long backoff_ms(sh_http_client *c, int retry, long retry_after_ms)
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
static bool sleep_unless_cancelled(const sh_http_client *c, long ms)
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

sh_status sh_http_send(sh_http_client *client, const sh_http_request *req, sh_error *err)
{
    sh_error local;
    sh_error *e = err ? err : &local; /* messages are needed for the log */
    sh_error_clear(e);
    const char *what = req->what ? req->what : "request";
    sh_status rc;
    for (int attempt = 0;; attempt++) {
        if (is_cancelled(client))
            return sh_error_set(e, SH_ERR_CANCELLED, "%s: cancelled", what);
        if (req->before_attempt && (rc = req->before_attempt(req->user_data, e)) != SH_OK)
            return rc;
        if (attempt > 0)
            client->stats.retries++;
        client->stats.requests++;
        sh_http_response resp;
        sh_status hrc = sh_http_perform(client, req->url, req->body, req->body_len, &resp);
        if (req->after_attempt)
            req->after_attempt(req->user_data);
        if (hrc != SH_OK)
            return sh_error_set(e, SH_ERR_NOMEM, "%s: out of memory reading the response", what);
        client->stats.last_latency_ms = resp.latency_ms;
        client->stats.last_http_status = resp.http_status;
        sh_http_verdict v = req->classify(&resp, req->user_data, e);
        long retry_after = resp.retry_after_ms;
        sh_http_response_fini(&resp);
        if (v == SH_HTTP_DONE)
            return SH_OK;
        rc = e->code;
        if (rc == SH_OK) /* a hook that fails must say why */
            rc = sh_error_set(e, SH_ERR_INTERNAL, "%s: attempt failed without an error", what);
        if (v != SH_HTTP_RETRY || attempt >= client->max_retries) {
            if (rc == SH_ERR_CANCELLED) /* asked for, not a failure of the server */
                sh_info(client->log_module, "%s cancelled during attempt %d", what, attempt + 1);
            else
                sh_warn(client->log_module, "%s failed (attempt %d, HTTP %ld): %s", what,
                        attempt + 1, client->stats.last_http_status, e->message);
            return rc;
        }
        long wait = backoff_ms(client, attempt, retry_after);
        sh_warn(client->log_module, "%s failed (attempt %d of %d, HTTP %ld): %s; retrying in %ld ms",
                what, attempt + 1, client->max_retries + 1, client->stats.last_http_status,
                e->message, wait);
        if (!sleep_unless_cancelled(client, wait))
            return sh_error_set(e, SH_ERR_CANCELLED, "%s: cancelled while waiting to retry", what);
    }
}

void sh_http_client_get_stats(const sh_http_client *client, sh_http_stats *out)
{
    *out = client->stats;
}
