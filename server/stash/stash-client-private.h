/* stash-client-private.h - internals of the stash module, shared by its files
 * and its tests.  Other modules include only stash-client.h. */
#ifndef SH_STASH_CLIENT_PRIVATE_H
#define SH_STASH_CLIENT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "sh-error.h"
#include "stash/stash-client.h"

/* One .graphql file: name = file name without extension. */
typedef struct sh_stash_gql_source {
    const char *name;
    const char *text;
} sh_stash_gql_source;

/* Generated at build time by embed-graphql.cmake; each array ends with
 * {NULL, NULL}, which the count excludes. */
extern const sh_stash_gql_source sh_stash_embedded_operations[];
extern const size_t sh_stash_embedded_operations_count;
extern const sh_stash_gql_source sh_stash_embedded_fragments[];
extern const size_t sh_stash_embedded_fragments_count;

/* ---- documents (stash-documents.c) ---- */

/* The composed documents: each operation's text followed by every fragment it
 * spreads, transitively, each exactly once, in order of first use. */
typedef struct sh_stash_catalog sh_stash_catalog;

/* Fails with SH_ERR_INVALID when an operation or fragment spreads a fragment
 * that does not exist, or when a name is duplicated. */
sh_status sh_stash_catalog_create(const sh_stash_gql_source *ops, size_t n_ops,
                                  const sh_stash_gql_source *frags, size_t n_frags,
                                  sh_stash_catalog **out, sh_error *err);
void sh_stash_catalog_destroy(sh_stash_catalog *cat);
/* The composed document of an operation, or NULL if unknown.  Owned by cat. */
const char *sh_stash_catalog_document(const sh_stash_catalog *cat, const char *operation);
size_t sh_stash_catalog_count(const sh_stash_catalog *cat);
/* Name of the i-th operation (i < count). */
const char *sh_stash_catalog_name(const sh_stash_catalog *cat, size_t i);

/* ---- client (stash-client.c) ---- */

/* Like sh_stash_client_create but with an explicit operation table instead of
 * the embedded one (tests). */
sh_status sh_stash_client_create_with_sources(const sh_stash_config *cfg,
                                              const sh_stash_gql_source *ops, size_t n_ops,
                                              const sh_stash_gql_source *frags, size_t n_frags,
                                              sh_stash_client **out, sh_error *err);

/* ---- one HTTP attempt (stash-http.c) ---- */

/* How an attempt ended, before GraphQL interpretation. */
typedef enum sh_stash_outcome {
    SH_STASH_OUT_RESPONSE,      /* a complete response; see http_status */
    SH_STASH_OUT_TRANSPORT,     /* transient transport failure (retry) */
    SH_STASH_OUT_TRUNCATED,     /* body cut short (retry, then protocol error) */
    SH_STASH_OUT_TIMEOUT,       /* the attempt timed out (retry) */
    SH_STASH_OUT_FATAL,         /* permanent failure; status/message in attempt */
    SH_STASH_OUT_TOO_LARGE,     /* body exceeded max_response_bytes */
    SH_STASH_OUT_CANCELLED,     /* the cancel callback fired mid-transfer */
} sh_stash_outcome;

typedef struct sh_stash_attempt {
    sh_stash_outcome outcome;
    long http_status;    /* 0 when no response arrived */
    long retry_after_ms; /* from Retry-After, -1 if absent */
    int64_t latency_ms;
    sh_status fatal_code; /* for SH_STASH_OUT_FATAL */
    char detail[256];     /* curl's error text; never contains the request */
    char *body;           /* NUL-terminated response body (owned) */
    size_t body_len;
} sh_stash_attempt;

/* Transport state of a client: the easy handle and its fixed options. */
typedef struct sh_stash_http {
    CURL *curl;
    struct curl_slist *headers;
    size_t max_response_bytes;
    int (*cancelled)(void *user_data);
    void *cancel_user_data;
    char errbuf[CURL_ERROR_SIZE];
} sh_stash_http;

sh_status sh_stash_http_init(sh_stash_http *http, const sh_stash_config *cfg, const char *endpoint,
                             sh_error *err);
void sh_stash_http_fini(sh_stash_http *http);
/* POST body; fills *attempt (free with sh_stash_attempt_fini).  Returns
 * SH_ERR_NOMEM only; every other outcome is described in *attempt. */
sh_status sh_stash_http_post(sh_stash_http *http, const char *body, size_t body_len,
                             sh_stash_attempt *attempt);
void sh_stash_attempt_fini(sh_stash_attempt *attempt);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t sh_stash_now_ms(void);

#endif
