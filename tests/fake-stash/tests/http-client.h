/* http-client.h - minimal libcurl helpers for the fake-stash tests. */
#ifndef FS_TEST_HTTP_CLIENT_H
#define FS_TEST_HTTP_CLIENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fsh_resp {
    long status;      /* HTTP status, 0 when no response */
    int curl_code;    /* CURLcode of the transfer */
    char *body;       /* NUL-terminated, never NULL after fsh_request */
    size_t len;
    char retry_after[32];
    double elapsed_ms;
} fsh_resp;

/* One request to http://127.0.0.1:port/path; body may be NULL. Returns the
 * CURLcode (0 = a complete response arrived). */
int fsh_request(uint16_t port, const char *method, const char *path, const char *api_key,
                const char *body, fsh_resp *out);
void fsh_resp_free(fsh_resp *r);

/* POST /graphql {operationName: op, variables: vars (stolen)}; returns the
 * parsed response (NULL if not JSON) and the HTTP status. */
json_t *fsh_graphql(uint16_t port, const char *api_key, const char *op, json_t *vars,
                    long *status);
/* The "data.<field>" of a successful operation, or NULL (caller decrefs
 * the returned document through *doc). */
json_t *fsh_data(json_t *doc, const char *field);
/* Control API call; body is stolen (may be NULL). */
json_t *fsh_control(uint16_t port, const char *method, const char *path, json_t *body,
                    long *status);

#endif
