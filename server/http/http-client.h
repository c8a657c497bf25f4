/* http-client.h - the one HTTP/JSON transport behind the daemon's outbound
 * clients (Stash GraphQL, the OpenAI-compatible LLM).
 *
 * A client owns one reusable CURL easy handle: fixed options (protocols,
 * headers, gzip, user agent, timeouts, TLS, keep-alive, callbacks) are set
 * once at creation and a request sets only its URL, method and body, so curl
 * keeps the connection alive between requests.
 *
 * sh_http_perform() makes ONE attempt and sorts how it ended (a response, a
 * transport failure, a timeout, a truncated body, ...).  sh_http_send() is the
 * retry loop: after each attempt the caller's classify hook says done, retry
 * or fail; retries wait the server's Retry-After (capped) or a full-jitter
 * backoff, uniform in [0, min(backoff_max, backoff_base * 2^retry)].
 *
 * Threading: a client is NOT thread-safe; one thread uses it at a time (it
 * may move between threads).  It owns no thread: calls block the caller.
 * The cancel callback is polled during transfers (curl's progress callback),
 * before each attempt and every <= 100 ms of a backoff sleep.
 *
 * Process set-up: curl_global_init must have run before the first client is
 * created (sh_stash_global_init does it at daemon start-up).
 *
 * Secrets: header values may hold API keys.  They are never logged or put in
 * errors, and every header line is wiped before it is freed. */
#ifndef SH_HTTP_CLIENT_H
#define SH_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sh-error.h"

typedef struct sh_http_client sh_http_client;

typedef struct sh_http_config {
    const char *name;       /* "Stash", "LLM": prefixes configuration errors */
    const char *peer;       /* "Stash", "the LLM server": names the server in errors */
    const char *log_module; /* module name of the retry log lines */
    bool verify_tls;        /* verify the peer certificate and host name */
    const char *ca_file;    /* PEM bundle; NULL or "" = system store */
    long connect_timeout_ms;
    long timeout_ms;           /* one attempt: connect + request + response */
    int max_retries;           /* retries after the first attempt, 0..100 */
    long backoff_base_ms;      /* first backoff window; doubles per retry */
    long backoff_max_ms;       /* cap of the backoff window */
    long retry_after_max_ms;   /* cap applied to a server's Retry-After */
    size_t max_response_bytes; /* larger (decoded) bodies end as TOO_LARGE */
    /* Optional: non-zero when the caller wants the call abandoned. */
    int (*cancelled)(void *user_data);
    void *cancel_user_data;
    /* Optional credential header, sent when secret is neither NULL nor "":
     * secret_prefix + secret, e.g. "ApiKey: " or "Authorization: Bearer ". */
    const char *secret_prefix;
    const char *secret;
} sh_http_config;

/* Designated initializers copying the transport fields of a client's own
 * config whose fields are named as here (sh_stash_config, sh_llm_config). */
#define SH_HTTP_CONFIG_FROM(c)                                                                         .verify_tls = (c)->verify_tls, .ca_file = (c)->ca_file,                                            .connect_timeout_ms = (c)->connect_timeout_ms, .timeout_ms = (c)->timeout_ms,                      .max_retries = (c)->max_retries, .backoff_base_ms = (c)->backoff_base_ms,                          .backoff_max_ms = (c)->backoff_max_ms, .retry_after_max_ms = (c)->retry_after_max_ms,              .max_response_bytes = (c)->max_response_bytes, .cancelled = (c)->cancelled,                        .cancel_user_data = (c)->cancel_user_data

/* How one attempt ended, before the caller interprets it. */
typedef enum sh_http_outcome {
    SH_HTTP_OUT_RESPONSE,  /* a complete response; see http_status */
    SH_HTTP_OUT_TRANSPORT, /* transient transport failure */
    SH_HTTP_OUT_TRUNCATED, /* body cut short (plain or gzip) */
    SH_HTTP_OUT_TIMEOUT,   /* the attempt timed out */
    SH_HTTP_OUT_FATAL,     /* permanent failure: see fatal_code */
    SH_HTTP_OUT_TOO_LARGE, /* body exceeded max_response_bytes */
    SH_HTTP_OUT_CANCELLED, /* the cancel callback fired mid-transfer */
} sh_http_outcome;

typedef struct sh_http_response {
    sh_http_outcome outcome;
    long http_status;     /* 0 when no response arrived */
    long retry_after_ms;  /* from Retry-After (at most one day), -1 if absent */
    int64_t latency_ms;   /* duration of the attempt */
    sh_status fatal_code; /* for SH_HTTP_OUT_FATAL */
    char detail[256];     /* curl's error text; never the request */
    char *body;           /* NUL-terminated body, RESPONSE only (owned) */
    size_t body_len;
} sh_http_response;

/* Counters since creation.  requests counts attempts, retries included. */
typedef struct sh_http_stats {
    uint64_t requests;
    uint64_t retries;
    int64_t last_latency_ms; /* -1 before the first attempt */
    long last_http_status;   /* 0 when the last attempt got no response */
} sh_http_stats;

/* What one attempt means for the request as a whole. */
typedef enum sh_http_verdict { SH_HTTP_DONE, SH_HTTP_RETRY, SH_HTTP_FAIL } sh_http_verdict;

/* One logical request for sh_http_send. */
typedef struct sh_http_request {
    const char *what; /* names the request in errors and log lines */
    const char *url;
    const char *body; /* JSON; NULL = GET */
    size_t body_len;
    /* Required.  Interprets an attempt: on SH_HTTP_DONE it keeps what it
     * needs from resp (through user_data); otherwise it sets err.  Outcomes
     * it has no rule for go to sh_http_classify_failure. */
    sh_http_verdict (*classify)(const sh_http_response *resp, void *user_data, sh_error *err);
    /* Optional, around each transfer (not around classify or backoff
     * sleeps), e.g. to hold a concurrency slot.  A failing before_attempt
     * ends the request with its error. */
    sh_status (*before_attempt)(void *user_data, sh_error *err);
    void (*after_attempt)(void *user_data);
    void *user_data;
} sh_http_request;

/* Checks and copies cfg (strings included).  Fails with SH_ERR_INVALID on
 * bad limits or a secret with control characters, SH_ERR_UNSUPPORTED when
 * libcurl lacks a needed feature. */
sh_status sh_http_client_create(const sh_http_config *cfg, sh_http_client **out, sh_error *err);
void sh_http_client_destroy(sh_http_client *client);

/* Adds a request header line, e.g. ("ApiKey: %s", key).  SH_ERR_INVALID if
 * the line holds control characters (they would inject header lines); the
 * error names the header, never the value. */
sh_status sh_http_client_add_header(sh_http_client *client, sh_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One attempt: GET when body is NULL, else POST of the body.  Returns
 * SH_ERR_NOMEM only (the body could not be stored); every other ending is
 * in *resp.  Free with sh_http_response_fini.  Does not touch the stats. */
sh_status sh_http_perform(sh_http_client *client, const char *url, const char *body,
                          size_t body_len, sh_http_response *resp);
void sh_http_response_fini(sh_http_response *resp);

/* The retry loop.  SH_OK when classify said done; otherwise the error of the
 * last attempt (or SH_ERR_CANCELLED / SH_ERR_NOMEM), also in err. */
sh_status sh_http_send(sh_http_client *client, const sh_http_request *req, sh_error *err);

/* The shared rule for every outcome but RESPONSE: transport failures,
 * truncated bodies and timeouts are retried (SH_ERR_NETWORK, SH_ERR_TIMEOUT);
 * too large, cancelled and fatal fail (SH_ERR_TOO_LARGE, SH_ERR_CANCELLED,
 * fatal_code).  A RESPONSE here fails with SH_ERR_INTERNAL. */
sh_http_verdict sh_http_classify_failure(const sh_http_client *client, const sh_http_response *resp,
                                         sh_error *err);

void sh_http_client_get_stats(const sh_http_client *client, sh_http_stats *out);

#endif
