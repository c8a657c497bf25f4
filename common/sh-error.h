/* sh-error.h - the one error type of daemon and common code.
 *
 * Functions return an sh_status and, when given a non-NULL sh_error, fill
 * it with the code and a human message.  Library errors (nng, SQLite, curl,
 * protobuf-c) are converted to this type at the module boundary, where the
 * detail is also logged.  Values match StatusCode in proto/stashhog.proto. */
#ifndef SH_ERROR_H
#define SH_ERROR_H

#include <stddef.h>

typedef enum sh_status {
    SH_OK = 0,
    SH_ERR_NOMEM = 1,
    SH_ERR_INVALID = 2,
    SH_ERR_NOT_FOUND = 3,
    SH_ERR_IO = 4,
    SH_ERR_DB = 5,
    SH_ERR_NETWORK = 6,
    SH_ERR_TIMEOUT = 7,
    SH_ERR_PROTOCOL = 8,
    SH_ERR_UNAUTHENTICATED = 9,
    SH_ERR_PERMISSION = 10,
    SH_ERR_HTTP = 11,
    SH_ERR_GRAPHQL = 12,
    SH_ERR_CANCELLED = 13,
    SH_ERR_BUSY = 14,
    SH_ERR_CONFLICT = 15,
    SH_ERR_TOO_LARGE = 16,
    SH_ERR_UNSUPPORTED = 17,
    SH_ERR_INTERNAL = 18,
    SH_ERR_RATE_LIMITED = 19,
    SH_ERR_UNAVAILABLE = 20,
    SH_STATUS_COUNT_
} sh_status;

#define SH_ERROR_MSG_MAX 512

typedef struct sh_error {
    sh_status code;
    char message[SH_ERROR_MSG_MAX];
} sh_error;

/* Short stable name of a code ("not found"). Never NULL. */
const char *sh_strerror(sh_status code);

/* Machine name of a code ("not_found"), used in --json output. */
const char *sh_status_name(sh_status code);

/* Fill err (if not NULL) and return code, so callers can write
 *   return sh_error_set(err, SH_ERR_INVALID, "bad key %s", key); */
sh_status sh_error_set(sh_error *err, sh_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix an existing message: "context: old message". */
sh_status sh_error_prefix(sh_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void sh_error_clear(sh_error *err);

/* Transient errors are worth retrying with backoff. */
int sh_status_is_transient(sh_status code);

/* Message of err, or the generic text of its code when it has none. */
const char *sh_error_message(const sh_error *err);

#endif
