/* llm-http.c - one HTTP request to the LLM server on the client's reusable
 * easy handle.
 *
 * Fixed options (headers, TLS, timeouts, callbacks) are set once; a request
 * sets only its URL, method and body, so curl keeps the connection alive.
 * This file only classifies how an attempt ended; llm-client.c decides what
 * it means and whether to retry.  Runs on the caller's thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm-internal.h"
#include "sh-util.h"

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
        return 0; /* curl fails with CURLE_WRITE_ERROR */
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

/* Lets a cancelled job abort a slow generation instead of waiting it out. */
static int on_progress(void *user_data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const sh_llm_http *http = user_data;
    return http->cancelled && http->cancelled(http->cancel_user_data) ? 1 : 0;
}

static sh_status append_header(sh_llm_http *http, const char *line, sh_error *err)
{
    struct curl_slist *l = curl_slist_append(http->headers, line);
    if (!l)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    http->headers = l;
    return SH_OK;
}

static sh_status add_auth_header(sh_llm_http *http, const char *key, sh_error *err)
{
    size_t len = strlen("Authorization: Bearer ") + strlen(key) + 1;
    char *line = malloc(len);
    if (!line)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    snprintf(line, len, "Authorization: Bearer %s", key);
    sh_status rc = append_header(http, line, err);
    explicit_bzero(line, len);
    free(line);
    return rc;
}

sh_status sh_llm_http_init(sh_llm_http *http, const sh_llm_config *cfg, sh_error *err)
{
    sh_status rc;
    memset(http, 0, sizeof *http);
    http->max_response_bytes = cfg->max_response_bytes;
    http->cancelled = cfg->cancelled;
    http->cancel_user_data = cfg->cancel_user_data;
    http->curl = curl_easy_init();
    if (!http->curl)
        return sh_error_set(err, SH_ERR_NOMEM, "cannot create a curl handle");

    if ((rc = append_header(http, "Content-Type: application/json", err)) != SH_OK ||
        (rc = append_header(http, "Accept: application/json", err)) != SH_OK ||
        (rc = append_header(http, "Expect:", err)) != SH_OK)
        goto fail;
    if (cfg->api_key && cfg->api_key[0] && (rc = add_auth_header(http, cfg->api_key, err)) != SH_OK)
        goto fail;

    CURL *c = http->curl;
    CURLcode cc = CURLE_OK;
#define SETOPT(opt, val)                                                                           \
    do {                                                                                           \
        if (cc == CURLE_OK)                                                                        \
            cc = curl_easy_setopt(c, opt, val);                                                    \
    } while (0)
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_HTTPHEADER, http->headers);
    SETOPT(CURLOPT_ACCEPT_ENCODING, "");
    SETOPT(CURLOPT_USERAGENT, "stashhog/" STASHHOG_VERSION);
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
    SETOPT(CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(CURLOPT_SSL_VERIFYPEER, cfg->verify_tls ? 1L : 0L);
    SETOPT(CURLOPT_SSL_VERIFYHOST, cfg->verify_tls ? 2L : 0L);
    if (cfg->ca_file && cfg->ca_file[0])
        SETOPT(CURLOPT_CAINFO, cfg->ca_file);
    SETOPT(CURLOPT_WRITEFUNCTION, on_write);
    SETOPT(CURLOPT_XFERINFOFUNCTION, on_progress);
    SETOPT(CURLOPT_XFERINFODATA, http);
    SETOPT(CURLOPT_NOPROGRESS, 0L);
    SETOPT(CURLOPT_ERRORBUFFER, http->errbuf);
#undef SETOPT
    if (cc != CURLE_OK) {
        rc = sh_error_set(err, SH_ERR_UNSUPPORTED, "libcurl option rejected: %s",
                          curl_easy_strerror(cc));
        goto fail;
    }
    return SH_OK;
fail:
    sh_llm_http_fini(http);
    return rc;
}

void sh_llm_http_fini(sh_llm_http *http)
{
    if (http->curl)
        curl_easy_cleanup(http->curl);
    /* The Authorization line holds the key: wipe it before freeing. */
    for (struct curl_slist *l = http->headers; l; l = l->next)
        explicit_bzero(l->data, strlen(l->data));
    curl_slist_free_all(http->headers);
    http->curl = NULL;
    http->headers = NULL;
}

void sh_llm_attempt_fini(sh_llm_attempt *attempt)
{
    free(attempt->body);
    attempt->body = NULL;
    attempt->body_len = 0;
}

static void classify_failure(CURLcode cc, sh_llm_attempt *a)
{
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        a->outcome = SH_LLM_OUT_TIMEOUT;
        break;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        a->outcome = SH_LLM_OUT_TRANSPORT;
        break;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        a->outcome = SH_LLM_OUT_FATAL;
        a->fatal_code = SH_ERR_INVALID;
        break;
    default: /* TLS verification, bad CA file, ...: retrying will not help */
        a->outcome = SH_LLM_OUT_FATAL;
        a->fatal_code = SH_ERR_NETWORK;
        break;
    }
}

sh_status sh_llm_http_request(sh_llm_http *http, const char *url, const char *body, size_t body_len,
                              sh_llm_attempt *attempt)
{
    memset(attempt, 0, sizeof *attempt);
    attempt->retry_after_ms = -1;
    body_sink sink = {.max = http->max_response_bytes};
    CURL *c = http->curl;

    curl_easy_setopt(c, CURLOPT_URL, url);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    http->errbuf[0] = '\0';

    int64_t t0 = sh_monotonic_ms();
    CURLcode cc = curl_easy_perform(c);
    attempt->latency_ms = sh_monotonic_ms() - t0;
    /* the sink lives on this stack frame: never leave curl pointing at it */
    curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);

    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    attempt->http_status = status;
    snprintf(attempt->detail, sizeof attempt->detail, "%s",
             http->errbuf[0] ? http->errbuf : curl_easy_strerror(cc));
    if (sink.nomem) {
        free(sink.data);
        return SH_ERR_NOMEM;
    }
    if (cc == CURLE_OK) {
        attempt->outcome = SH_LLM_OUT_RESPONSE;
        curl_off_t retry_after = 0;
        if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
            attempt->retry_after_ms = retry_after > 86400 ? 86400000L : (long)retry_after * 1000;
        if (!sink.data) {
            sink.data = strdup("");
            if (!sink.data)
                return SH_ERR_NOMEM;
        }
        attempt->body = sink.data;
        attempt->body_len = sink.len;
        return SH_OK;
    }
    free(sink.data);
    if (cc == CURLE_ABORTED_BY_CALLBACK)
        attempt->outcome = SH_LLM_OUT_CANCELLED;
    else if (cc == CURLE_WRITE_ERROR && sink.too_large)
        attempt->outcome = SH_LLM_OUT_TOO_LARGE;
    else
        classify_failure(cc, attempt);
    return SH_OK;
}
