#include "sh-error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *text;
    const char *name;
} status_names[SH_STATUS_COUNT_] = {
    [SH_OK] = {"ok", "ok"},
    [SH_ERR_NOMEM] = {"out of memory", "no_memory"},
    [SH_ERR_INVALID] = {"invalid argument", "invalid_argument"},
    [SH_ERR_NOT_FOUND] = {"not found", "not_found"},
    [SH_ERR_IO] = {"I/O error", "io"},
    [SH_ERR_DB] = {"database error", "database"},
    [SH_ERR_NETWORK] = {"network error", "network"},
    [SH_ERR_TIMEOUT] = {"timed out", "timeout"},
    [SH_ERR_PROTOCOL] = {"protocol error", "protocol"},
    [SH_ERR_UNAUTHENTICATED] = {"not authenticated", "unauthenticated"},
    [SH_ERR_PERMISSION] = {"permission denied", "permission_denied"},
    [SH_ERR_HTTP] = {"upstream HTTP error", "upstream_http"},
    [SH_ERR_GRAPHQL] = {"upstream GraphQL error", "upstream_graphql"},
    [SH_ERR_CANCELLED] = {"cancelled", "cancelled"},
    [SH_ERR_BUSY] = {"busy", "busy"},
    [SH_ERR_CONFLICT] = {"conflict", "conflict"},
    [SH_ERR_TOO_LARGE] = {"too large", "too_large"},
    [SH_ERR_UNSUPPORTED] = {"unsupported", "unsupported"},
    [SH_ERR_INTERNAL] = {"internal error", "internal"},
    [SH_ERR_RATE_LIMITED] = {"rate limited", "rate_limited"},
    [SH_ERR_UNAVAILABLE] = {"unavailable", "unavailable"},
};

const char *sh_strerror(sh_status code)
{
    if ((unsigned)code >= SH_STATUS_COUNT_)
        return "unknown error";
    return status_names[code].text;
}

const char *sh_status_name(sh_status code)
{
    if ((unsigned)code >= SH_STATUS_COUNT_)
        return "unknown";
    return status_names[code].name;
}

sh_status sh_error_set(sh_error *err, sh_status code, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err->message, sizeof err->message, fmt, ap);
            va_end(ap);
        } else {
            snprintf(err->message, sizeof err->message, "%s", sh_strerror(code));
        }
    }
    return code;
}

sh_status sh_error_prefix(sh_error *err, const char *fmt, ...)
{
    if (!err)
        return SH_ERR_INTERNAL;
    char prefix[SH_ERROR_MSG_MAX];
    char old[SH_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    snprintf(err->message, sizeof err->message, "%s: %s", prefix, old);
    return err->code;
}

void sh_error_clear(sh_error *err)
{
    if (err) {
        err->code = SH_OK;
        err->message[0] = '\0';
    }
}

int sh_status_is_transient(sh_status code)
{
    return code == SH_ERR_NETWORK || code == SH_ERR_TIMEOUT || code == SH_ERR_RATE_LIMITED ||
           code == SH_ERR_UNAVAILABLE || code == SH_ERR_BUSY;
}

const char *sh_error_message(const sh_error *err)
{
    if (!err)
        return "";
    return err->message[0] ? err->message : sh_strerror(err->code);
}
