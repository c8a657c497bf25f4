/* stash-probe.c - "test connection": is Stash there, does it accept the key,
 * and what does it hold.  Three small queries on the caller's client. */
#include <stdio.h>
#include <string.h>

#include "stash/stash-client-private.h"

static void copy_string(char *dst, size_t size, json_t *value)
{
    const char *s = json_string_value(value);
    snprintf(dst, size, "%s", s ? s : "");
}

static int64_t get_count(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static void probe_init(sh_stash_probe *p)
{
    memset(p, 0, sizeof *p);
    p->database_schema = -1;
    p->app_schema = -1;
    p->scene_count = -1;
    p->performer_count = -1;
    p->studio_count = -1;
    p->tag_count = -1;
    p->latency_ms = -1;
}

sh_status sh_stash_test_connection(sh_stash_client *client, sh_stash_probe *out, sh_error *err)
{
    if (!client || !out)
        return sh_error_set(err, SH_ERR_INVALID, "sh_stash_test_connection: missing argument");
    probe_init(out);

    json_t *data = NULL;
    sh_stash_client_stats st;
    sh_status rc = sh_stash_execute(client, "Version", NULL, &data, err);
    sh_stash_client_get_stats(client, &st);
    out->reachable = st.last_http_status != 0;
    out->latency_ms = st.last_latency_ms;
    if (rc != SH_OK)
        return rc; /* a 401 already reads "API key rejected (HTTP 401)" */
    out->authenticated = true;
    json_t *version = json_object_get(data, "version");
    copy_string(out->version, sizeof out->version, json_object_get(version, "version"));
    copy_string(out->build_hash, sizeof out->build_hash, json_object_get(version, "hash"));
    json_decref(data);

    if ((rc = sh_stash_execute(client, "SystemStatus", NULL, &data, err)) != SH_OK)
        return rc;
    json_t *sys = json_object_get(data, "systemStatus");
    copy_string(out->system_status, sizeof out->system_status, json_object_get(sys, "status"));
    out->database_schema = (int)get_count(sys, "databaseSchema");
    out->app_schema = (int)get_count(sys, "appSchema");
    json_decref(data);
    if (strcmp(out->system_status, "OK") != 0) {
        /* Stats would fail or mislead on a Stash that is not set up. */
        return sh_error_set(err, SH_ERR_UNAVAILABLE, "Stash is not ready: system status %s",
                            out->system_status[0] ? out->system_status : "unknown");
    }

    if ((rc = sh_stash_execute(client, "Stats", NULL, &data, err)) != SH_OK)
        return rc;
    json_t *stats = json_object_get(data, "stats");
    out->scene_count = get_count(stats, "scene_count");
    out->performer_count = get_count(stats, "performer_count");
    out->studio_count = get_count(stats, "studio_count");
    out->tag_count = get_count(stats, "tag_count");
    json_decref(data);
    return SH_OK;
}
