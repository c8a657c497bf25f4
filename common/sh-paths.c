#include "sh-paths.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "sh-util.h"

static sh_status fmt(char *out, size_t len, sh_error *err, const char *a, const char *b)
{
    if ((size_t)snprintf(out, len, "%s%s", a, b) >= len)
        return sh_error_set(err, SH_ERR_INVALID, "path too long: %s%s", a, b);
    return SH_OK;
}

sh_status sh_paths_data_dir(char *out, size_t len, sh_error *err)
{
    const char *v = getenv("STASHHOG_DATA_DIR");
    if (!sh_str_empty(v))
        return fmt(out, len, err, v, "");
    if (!sh_str_empty(v = getenv("STATE_DIRECTORY")))
        return fmt(out, len, err, v, "");
    if (!sh_str_empty(v = getenv("XDG_DATA_HOME")))
        return fmt(out, len, err, v, "/stashhog");
    if (!sh_str_empty(v = getenv("HOME")))
        return fmt(out, len, err, v, "/.local/share/stashhog");
    return fmt(out, len, err, "/var/lib/stashhog", "");
}

sh_status sh_paths_runtime_dir(const char *data_dir, char *out, size_t len, sh_error *err)
{
    const char *v = getenv("STASHHOG_RUNTIME_DIR");
    if (!sh_str_empty(v))
        return fmt(out, len, err, v, "");
    if (!sh_str_empty(v = getenv("XDG_RUNTIME_DIR")))
        return fmt(out, len, err, v, "/stashhog");
    return fmt(out, len, err, data_dir, "");
}

static sh_status ipc_url(const char *dir, const char *name, char *out, size_t len, sh_error *err)
{
    struct sockaddr_un sun;
    size_t need = strlen(dir) + 1 + strlen(name);
    if (need >= sizeof sun.sun_path)
        return sh_error_set(err, SH_ERR_INVALID,
                            "socket path %s/%s is longer than %zu bytes; set STASHHOG_RUNTIME_DIR to a shorter directory",
                            dir, name, sizeof sun.sun_path - 1);
    if ((size_t)snprintf(out, len, "ipc://%s/%s", dir, name) >= len)
        return sh_error_set(err, SH_ERR_INVALID, "URL too long");
    return SH_OK;
}

sh_status sh_paths_rpc_url(const char *runtime_dir, char *out, size_t len, sh_error *err)
{
    return ipc_url(runtime_dir, "stashhogd.sock", out, len, err);
}

sh_status sh_paths_events_url(const char *runtime_dir, char *out, size_t len, sh_error *err)
{
    return ipc_url(runtime_dir, "stashhogd-events.sock", out, len, err);
}

sh_status sh_paths_default_connect_url(char *out, size_t len, sh_error *err)
{
    const char *v = getenv("STASHHOG_CONNECT");
    if (!sh_str_empty(v))
        return fmt(out, len, err, v, "");
    char data[SH_PATH_MAX], run[SH_PATH_MAX];
    sh_status st = sh_paths_data_dir(data, sizeof data, err);
    if (st == SH_OK)
        st = sh_paths_runtime_dir(data, run, sizeof run, err);
    if (st == SH_OK)
        st = sh_paths_rpc_url(run, out, len, err);
    return st;
}

char *sh_paths_pick_event_url(const char *rpc_url, const char *const *event_urls, size_t n)
{
    const char *scheme_end = rpc_url ? strstr(rpc_url, "://") : NULL;
    if (!scheme_end)
        return NULL;
    size_t prefix = (size_t)(scheme_end - rpc_url) + 3; /* "tcp://" */
    bool local = strncmp(rpc_url, "ipc://", 6) == 0 || strncmp(rpc_url, "inproc://", 9) == 0;
    const char *rpc_port = strrchr(rpc_url + prefix, ':');
    /* An advertised URL on the host we dialled ("tcp://nas:" prefix) wins. */
    if (!local && rpc_port)
        for (size_t i = 0; i < n; i++)
            if (event_urls[i] && strncmp(event_urls[i], rpc_url, (size_t)(rpc_port - rpc_url) + 1) == 0)
                return strdup(event_urls[i]);
    for (size_t i = 0; i < n; i++) {
        const char *ev = event_urls[i];
        if (!ev || strncmp(ev, rpc_url, prefix) != 0)
            continue;
        if (local)
            return strdup(ev);
        const char *ev_port = strrchr(ev + prefix, ':');
        if (!ev_port || !rpc_port)
            continue;
        return sh_strdup_printf("%.*s%s", (int)(rpc_port - rpc_url), rpc_url, ev_port);
    }
    return NULL;
}
