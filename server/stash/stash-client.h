/* stash-client.h - the daemon's client for Stash's GraphQL API.
 *
 * Operations are named, not written inline: every operation the daemon sends
 * lives in server/stash/graphql/operations/<Name>.graphql and is compiled in.
 * sh_stash_execute(client, "FindScenes", vars, &data, &err) POSTs that
 * operation (plus the fragments it spreads) to <url>/graphql and returns the
 * response's "data" object.
 *
 * Threading: a client owns one reusable CURL easy handle (keep-alive across
 * requests) and is NOT thread-safe.  Create one client per thread that talks to
 * Stash (each job worker has its own); a client may move between threads as
 * long as only one uses it at a time.  Calls block the calling thread; the
 * optional cancel callback is polled during transfers, between retries and
 * every <= 100 ms of a backoff sleep, so a cancelled job stops promptly.
 *
 * Process set-up: call sh_stash_global_init() once at daemon start-up, before
 * any thread creates a client (libcurl's global init is not thread-safe), and
 * sh_stash_global_cleanup() once at exit after every client is destroyed.
 *
 * Secrets: the API key is sent only in the ApiKey header.  It never appears in
 * log lines, error messages or stats. */
#ifndef SH_STASH_CLIENT_H
#define SH_STASH_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sh-error.h"

typedef struct sh_stash_client sh_stash_client;

typedef struct sh_stash_config {
    const char *url;     /* base URL, e.g. "http://127.0.0.1:9999" (no /graphql) */
    const char *api_key; /* NULL or "" = send no ApiKey header */
    bool verify_tls;     /* verify the peer certificate and host name */
    const char *ca_file; /* PEM bundle to verify against; NULL = system store */
    long connect_timeout_ms;
    long timeout_ms;           /* whole attempt: connect + request + response */
    int max_retries;           /* retries after the first attempt; 0 = none */
    long backoff_base_ms;      /* first backoff window; doubles per retry */
    long backoff_max_ms;       /* cap of the backoff window */
    long retry_after_max_ms;   /* cap applied to a server's Retry-After */
    size_t max_response_bytes; /* larger (decoded) bodies fail with SH_ERR_TOO_LARGE */
    /* Optional: returns non-zero when the caller wants the call abandoned. */
    int (*cancelled)(void *user_data);
    void *cancel_user_data;
} sh_stash_config;

/* Counters since creation.  requests counts HTTP attempts (retries included). */
typedef struct sh_stash_client_stats {
    uint64_t executions; /* sh_stash_execute calls */
    uint64_t requests;   /* HTTP attempts made */
    uint64_t retries;    /* attempts that were retries */
    uint64_t failures;   /* executions that returned an error */
    int64_t last_latency_ms; /* duration of the last HTTP attempt, -1 if none */
    long last_http_status;   /* status of the last attempt, 0 if no response */
} sh_stash_client_stats;

/* Result of sh_stash_test_connection.  Strings are always NUL-terminated. */
typedef struct sh_stash_probe {
    bool reachable;     /* an HTTP response came back */
    bool authenticated; /* the GraphQL API answered (key accepted or not needed) */
    char version[64];   /* Stash version, e.g. "v0.27.2"; "" if unknown */
    char build_hash[64];
    char system_status[32]; /* "OK", "NEEDS_MIGRATION", "SETUP"; "" if unknown */
    int database_schema;    /* -1 if unknown */
    int app_schema;         /* -1 if unknown */
    int64_t scene_count;    /* counts are -1 when unknown */
    int64_t performer_count;
    int64_t studio_count;
    int64_t tag_count;
    int64_t latency_ms; /* of the Version request, -1 if none */
} sh_stash_probe;

/* Once per process, before any client exists / after the last is destroyed. */
sh_status sh_stash_global_init(sh_error *err);
void sh_stash_global_cleanup(void);

/* Defaults: verify_tls, 10 s connect, 120 s overall, 3 retries, backoff
 * 500 ms doubling up to 30 s, Retry-After capped at 120 s, 64 MiB responses.
 * url and api_key are left NULL. */
void sh_stash_config_init(sh_stash_config *cfg);

/* Copies everything it needs from cfg (strings included). */
sh_status sh_stash_client_create(const sh_stash_config *cfg, sh_stash_client **out, sh_error *err);
void sh_stash_client_destroy(sh_stash_client *client);

/* Run the named operation.  variables is borrowed and may be NULL.  On SH_OK
 * *data_out is a new reference to the response's "data" object.
 * Errors: SH_ERR_INVALID (unknown operation), SH_ERR_NETWORK, SH_ERR_TIMEOUT,
 * SH_ERR_UNAVAILABLE (HTTP 5xx), SH_ERR_RATE_LIMITED (HTTP 429),
 * SH_ERR_UNAUTHENTICATED (HTTP 401/403), SH_ERR_HTTP (other statuses),
 * SH_ERR_GRAPHQL (an "errors" array), SH_ERR_PROTOCOL (not JSON / no data),
 * SH_ERR_TOO_LARGE, SH_ERR_CANCELLED, SH_ERR_NOMEM.  Transient failures are
 * retried with exponential backoff and full jitter before they are returned. */
sh_status sh_stash_execute(sh_stash_client *client, const char *operation, json_t *variables,
                           json_t **data_out, sh_error *err);

/* True if the operation is compiled in. */
bool sh_stash_has_operation(const sh_stash_client *client, const char *operation);

void sh_stash_client_get_stats(const sh_stash_client *client, sh_stash_client_stats *out);

/* Calls Version, SystemStatus and Stats and fills *out as far as it got (out
 * is always initialised).  A rejected key gives SH_ERR_UNAUTHENTICATED with
 * "API key rejected (HTTP 401)"; a Stash that needs setup or migration gives
 * SH_ERR_UNAVAILABLE with the status in out->system_status. */
sh_status sh_stash_test_connection(sh_stash_client *client, sh_stash_probe *out, sh_error *err);

#endif
