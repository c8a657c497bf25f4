/* fs-control.c - the test control API under /__control/ (no auth, the
 * server only answers it on loopback). JSON in, JSON out; errors are
 * {"error": message} with 400/404/405.
 *
 *   GET  state | truth | stats | faults
 *   POST stats/reset | faults
 *   POST scenes | performers | studios | tags          create
 *   GET  <collection>/ID                                read one
 *   POST <collection>/ID                                edit (bumps updated_at
 *                                                       unless it is given)
 *   DELETE <collection>/ID                              delete (cascades) */
#include "fs-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRLEN 512

static json_t *fail(int *status, int code, const char *msg)
{
    *status = code;
    return json_pack("{s:s}", "error", msg);
}

/* "scenes" -> -1, "performers" -> FS_PERFORMER, ...; -2 when unknown. */
static int collection_kind(const char *name, size_t len)
{
    static const char *const names[] = {"performers", "studios", "tags"};
    if (len == 6 && strncmp(name, "scenes", 6) == 0)
        return -1;
    for (int k = 0; k < FS_KIND_COUNT; k++)
        if (strlen(names[k]) == len && strncmp(name, names[k], len) == 0)
            return k;
    return -2;
}

static json_t *handle_item(fs_ctx *ctx, const char *method, int kind, int64_t id, json_t *body,
                           int *status)
{
    fs_library *lib = ctx->lib;
    char err[ERRLEN] = "";
    json_t *out = NULL;
    bool write = strcmp(method, "GET") != 0;
    if (write)
        pthread_rwlock_wrlock(&lib->lock);
    else
        pthread_rwlock_rdlock(&lib->lock);
    void *item = kind < 0 ? fs_table_get(&lib->scenes, id) : fs_table_get(&lib->entities[kind], id);
    if (!item) {
        out = fail(status, 404, "no such item");
    } else if (strcmp(method, "GET") == 0) {
        out = kind < 0 ? fs_scene_json(item) : fs_entity_json(item);
    } else if (strcmp(method, "DELETE") == 0) {
        if (kind < 0)
            fs_scene_delete(lib, id);
        else
            fs_entity_delete(lib, (fs_kind)kind, id);
        out = json_pack("{s:b}", "deleted", 1);
    } else if (strcmp(method, "POST") == 0 && kind < 0) {
        json_t *input = json_is_object(body) ? json_deep_copy(body) : NULL;
        if (input) {
            char idbuf[24];
            snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
            json_object_set_new(input, "id", json_string(idbuf));
        }
        if (!input || fs_scene_patch_check(lib, input, true, err, sizeof(err)) != 0) {
            out = fail(status, 400, input ? err : "expected a JSON object");
        } else {
            json_object_del(input, "id");
            fs_scene_patch_apply(lib, item, input);
            out = fs_scene_json(item);
        }
        json_decref(input);
    } else if (strcmp(method, "POST") == 0) {
        if (fs_entity_edit(lib, item, body, err, sizeof(err)) != 0)
            out = fail(status, 400, err);
        else
            out = fs_entity_json(item);
    } else {
        out = fail(status, 405, "method not allowed");
    }
    pthread_rwlock_unlock(&lib->lock);
    return out;
}

static json_t *handle_create(fs_ctx *ctx, int kind, json_t *body, int *status)
{
    char err[ERRLEN] = "";
    json_t *out;
    if (!json_is_object(body))
        return fail(status, 400, "expected a JSON object");
    pthread_rwlock_wrlock(&ctx->lib->lock);
    if (kind < 0) {
        fs_scene *s = fs_scene_create(ctx->lib, body, err, sizeof(err));
        out = s ? fs_scene_json(s) : fail(status, 400, err);
    } else {
        fs_entity *e = fs_entity_create(ctx->lib, (fs_kind)kind, body, true, err, sizeof(err));
        out = e ? fs_entity_json(e) : fail(status, 400, err);
    }
    pthread_rwlock_unlock(&ctx->lib->lock);
    if (*status == 200)
        *status = 201;
    return out;
}

static json_t *read_doc(fs_ctx *ctx, json_t *(*fn)(const fs_library *))
{
    pthread_rwlock_rdlock(&ctx->lib->lock);
    json_t *doc = fn(ctx->lib);
    pthread_rwlock_unlock(&ctx->lib->lock);
    return doc;
}

json_t *fs_control_handle(fs_ctx *ctx, const char *method, const char *path, json_t *body,
                          int *status)
{
    static const char prefix[] = "/__control/";
    char err[ERRLEN] = "";
    bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    *status = 200;
    if (strncmp(path, prefix, sizeof(prefix) - 1) != 0)
        return fail(status, 404, "not found");
    const char *rest = path + sizeof(prefix) - 1;

    if (strcmp(rest, "state") == 0 && get)
        return read_doc(ctx, fs_state_json);
    if (strcmp(rest, "truth") == 0 && get)
        return read_doc(ctx, fs_truth_json);
    if (strcmp(rest, "stats") == 0 && get)
        return fs_stats_json(&ctx->stats);
    if (strcmp(rest, "stats/reset") == 0 && post) {
        fs_stats_reset(&ctx->stats);
        return fs_stats_json(&ctx->stats);
    }
    if (strcmp(rest, "faults") == 0 && get)
        return fs_faults_json(&ctx->faults);
    if (strcmp(rest, "faults") == 0 && post) {
        if (fs_faults_update(&ctx->faults, body, err, sizeof(err)) != 0)
            return fail(status, 400, err);
        return fs_faults_json(&ctx->faults);
    }

    const char *slash = strchr(rest, '/');
    size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
    int kind = collection_kind(rest, len);
    if (kind == -2)
        return fail(status, 404, "not found");
    if (!slash) {
        if (!post)
            return fail(status, 405, "method not allowed");
        return handle_create(ctx, kind, body, status);
    }
    char *end = NULL;
    long long id = strtoll(slash + 1, &end, 10);
    if (!slash[1] || *end || id <= 0)
        return fail(status, 404, "bad id");
    return handle_item(ctx, method, kind, id, body, status);
}
