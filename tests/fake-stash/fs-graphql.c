/* fs-graphql.c - the GraphQL operations the daemon sends, dispatched on
 * operationName (server/stash/graphql/operations/<Name>.graphql). The query
 * text is not parsed: each handler implements what its operation file
 * asks for, and every response carries the full fragment fields.
 *
 * Errors are GraphQL errors ({"errors":[{message, path}], "data": null})
 * with HTTP 200, like Stash's gqlgen server. */
#include "fs-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRLEN 512

typedef json_t *(*op_fn)(fs_ctx *ctx, json_t *vars, char *err, size_t errlen);

typedef struct op_def {
    const char *name;  /* operationName */
    const char *field; /* the top-level field it selects */
    bool mutation;     /* needs the write lock */
    bool find;         /* subject to the page delay */
    op_fn fn;
} op_def;

static json_t *op_version(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    (void)ctx, (void)vars, (void)err, (void)errlen;
    return json_pack("{s:s,s:s,s:s}", "version", "v0.28.1", "hash", "f4k357a5",
                     "build_time", "2025-06-01 12:00:00");
}

static json_t *op_system_status(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    (void)ctx, (void)vars, (void)err, (void)errlen;
    return json_pack("{s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "status", "OK", "appSchema",
                     72, "databaseSchema", 72, "databasePath", "/root/.stash/stash-go.sqlite",
                     "configPath", "/root/.stash/config.yml", "os", "linux", "workingDir", "/",
                     "homeDir", "/root", "ffmpegPath", "/usr/bin/ffmpeg", "ffprobePath",
                     "/usr/bin/ffprobe");
}

static json_t *op_stats(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    (void)vars, (void)err, (void)errlen;
    const fs_library *lib = ctx->lib;
    double size = 0, duration = 0;
    for (int64_t id = 1; id <= lib->scenes.max_id; id++) {
        const fs_scene *s = fs_table_get(&lib->scenes, id);
        for (size_t i = 0; s && i < s->n_files; i++) {
            size += (double)s->files[i].size;
            duration += s->files[i].duration;
        }
    }
    return json_pack("{s:I,s:f,s:f,s:i,s:f,s:i,s:I,s:I,s:i,s:i,s:I,s:i,s:f,s:i,s:i}",
                     "scene_count", (json_int_t)lib->scenes.count, "scenes_size", size,
                     "scenes_duration", duration, "image_count", 0, "images_size", 0.0,
                     "gallery_count", 0, "performer_count",
                     (json_int_t)lib->entities[FS_PERFORMER].count, "studio_count",
                     (json_int_t)lib->entities[FS_STUDIO].count, "group_count", 0,
                     "movie_count", 0, "tag_count", (json_int_t)lib->entities[FS_TAG].count,
                     "total_o_count", 0, "total_play_duration", 0.0, "total_play_count", 0,
                     "scenes_played", 0);
}

static json_t *op_find_scenes(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    json_t *ids = json_object_get(vars, "ids");
    return fs_query_scenes(ctx->lib, json_object_get(vars, "filter"),
                           json_object_get(vars, "scene_filter"), ids, false, err, errlen);
}

static json_t *op_find_scene_ids(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return fs_query_scenes(ctx->lib, json_object_get(vars, "filter"),
                           json_object_get(vars, "scene_filter"), NULL, true, err, errlen);
}

static json_t *op_find_scenes_by_ids(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return fs_query_scenes(ctx->lib, json_object_get(vars, "filter"), NULL,
                           json_object_get(vars, "ids"), false, err, errlen);
}

static json_t *op_find_scene(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    json_t *id = json_object_get(vars, "id");
    const char *s = json_string_value(id);
    char *end = NULL;
    if (!s && !json_is_integer(id)) {
        snprintf(err, errlen, "variable \"$id\" of required type \"ID!\" was not provided");
        return NULL;
    }
    long long n = s ? strtoll(s, &end, 10) : json_integer_value(id);
    if (s && (!*s || *end)) {
        snprintf(err, errlen, "strconv.Atoi: parsing \"%s\": invalid syntax", s);
        return NULL;
    }
    const fs_scene *sc = fs_table_get(&ctx->lib->scenes, n);
    return sc ? fs_scene_json(sc) : json_null();
}

static json_t *find_entities(fs_ctx *ctx, fs_kind kind, const char *filter_var, json_t *vars,
                             char *err, size_t errlen)
{
    return fs_query_entities(ctx->lib, kind, json_object_get(vars, "filter"),
                             json_object_get(vars, filter_var), json_object_get(vars, "ids"),
                             err, errlen);
}

static json_t *op_find_performers(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return find_entities(ctx, FS_PERFORMER, "performer_filter", vars, err, errlen);
}

static json_t *op_find_studios(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return find_entities(ctx, FS_STUDIO, "studio_filter", vars, err, errlen);
}

static json_t *op_find_tags(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return find_entities(ctx, FS_TAG, "tag_filter", vars, err, errlen);
}

/* The filter the Find<Kind>ByName operation files spell out. */
static json_t *find_by_name(fs_ctx *ctx, fs_kind kind, json_t *vars, char *err, size_t errlen)
{
    const char *name = json_string_value(json_object_get(vars, "name"));
    if (!name) {
        snprintf(err, errlen, "variable \"$name\" of required type \"String!\" was not provided");
        return NULL;
    }
    json_t *filter = json_pack("{s:{s:s,s:s},s:{s:{s:s,s:s}}}", "name", "value", name,
                               "modifier", "EQUALS", "OR", "aliases", "value", name, "modifier",
                               "EQUALS");
    json_t *ff = json_pack("{s:i,s:s,s:s}", "per_page", 25, "sort", "id", "direction", "ASC");
    json_t *r = fs_query_entities(ctx->lib, kind, ff, filter, NULL, err, errlen);
    json_decref(filter);
    json_decref(ff);
    return r;
}

static json_t *op_performer_by_name(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return find_by_name(ctx, FS_PERFORMER, vars, err, errlen);
}

static json_t *op_studio_by_name(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return find_by_name(ctx, FS_STUDIO, vars, err, errlen);
}

static json_t *op_tag_by_name(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return find_by_name(ctx, FS_TAG, vars, err, errlen);
}

/* The id of an input that fs_scene_patch_check accepted. */
static int64_t input_id(json_t *input)
{
    json_t *v = json_object_get(input, "id");
    return json_is_integer(v) ? json_integer_value(v) : strtoll(json_string_value(v), NULL, 10);
}

static json_t *op_scene_update(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    json_t *input = json_object_get(vars, "input");
    if (fs_scene_patch_check(ctx->lib, input, false, err, errlen) != 0)
        return NULL;
    fs_scene *s = fs_table_get(&ctx->lib->scenes, input_id(input));
    fs_scene_patch_apply(ctx->lib, s, input);
    fs_stats_mutation(&ctx->stats, "sceneUpdate", 1);
    fs_stats_mutation(&ctx->stats, "scenes_updated", 1);
    return fs_scene_json(s);
}

/* All-or-nothing like Stash's single transaction: check every input
 * before applying any. */
static json_t *op_scenes_update(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    json_t *inputs = json_object_get(vars, "input");
    size_t i;
    json_t *in;
    if (!json_is_array(inputs)) {
        snprintf(err, errlen, "variable \"$input\" of required type \"[SceneUpdateInput!]!\"");
        return NULL;
    }
    json_array_foreach(inputs, i, in)
    {
        char sub[ERRLEN];
        if (fs_scene_patch_check(ctx->lib, in, false, sub, sizeof(sub)) != 0) {
            snprintf(err, errlen, "input[%zu]: %s", i, sub);
            return NULL;
        }
    }
    json_t *out = json_array();
    json_array_foreach(inputs, i, in)
    {
        fs_scene *s = fs_table_get(&ctx->lib->scenes, input_id(in));
        fs_scene_patch_apply(ctx->lib, s, in);
        json_array_append_new(out, fs_scene_json(s));
    }
    fs_stats_mutation(&ctx->stats, "scenesUpdate", 1);
    fs_stats_mutation(&ctx->stats, "scenes_updated", json_array_size(inputs));
    return out;
}

static json_t *create_entity(fs_ctx *ctx, fs_kind kind, const char *counter, json_t *vars,
                             char *err, size_t errlen)
{
    json_t *input = json_object_get(vars, "input");
    fs_entity *e = fs_entity_create(ctx->lib, kind, input, false, err, errlen);
    if (!e)
        return NULL;
    fs_stats_mutation(&ctx->stats, counter, 1);
    return fs_entity_json(e);
}

static json_t *op_performer_create(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return create_entity(ctx, FS_PERFORMER, "performerCreate", vars, err, errlen);
}

static json_t *op_studio_create(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return create_entity(ctx, FS_STUDIO, "studioCreate", vars, err, errlen);
}

static json_t *op_tag_create(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return create_entity(ctx, FS_TAG, "tagCreate", vars, err, errlen);
}

/* performerDestroy/studioDestroy/tagDestroy(input: {id}): Boolean!.  Like
 * Stash, an unknown id is an error; scenes lose the link and child studios
 * their parent (fs_entity_delete) without a change to their updated_at. */
static json_t *destroy_entity(fs_ctx *ctx, fs_kind kind, const char *counter, json_t *vars,
                              char *err, size_t errlen)
{
    static const char *const tables[FS_KIND_COUNT] = {"performers", "studios", "tags"};
    json_t *input = json_object_get(vars, "input");
    json_t *id = json_object_get(input, "id");
    const char *s = json_string_value(id);
    char *end = NULL;
    if (!json_is_object(input) || (!s && !json_is_integer(id))) {
        snprintf(err, errlen, "input.id: required ID!");
        return NULL;
    }
    long long n = s ? strtoll(s, &end, 10) : json_integer_value(id);
    if (s && (!*s || *end)) {
        snprintf(err, errlen, "strconv.Atoi: parsing \"%s\": invalid syntax", s);
        return NULL;
    }
    if (json_object_size(input) != 1) {
        snprintf(err, errlen, "input: unknown field (only id)");
        return NULL;
    }
    if (fs_entity_delete(ctx->lib, kind, n) != 0) {
        snprintf(err, errlen, "id %lld does not exist in %s", n, tables[kind]);
        return NULL;
    }
    fs_stats_mutation(&ctx->stats, counter, 1);
    return json_true();
}

static json_t *op_performer_destroy(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return destroy_entity(ctx, FS_PERFORMER, "performerDestroy", vars, err, errlen);
}

static json_t *op_studio_destroy(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return destroy_entity(ctx, FS_STUDIO, "studioDestroy", vars, err, errlen);
}

static json_t *op_tag_destroy(fs_ctx *ctx, json_t *vars, char *err, size_t errlen)
{
    return destroy_entity(ctx, FS_TAG, "tagDestroy", vars, err, errlen);
}

static const op_def ops[] = {
    {"Version", "version", false, false, op_version},
    {"SystemStatus", "systemStatus", false, false, op_system_status},
    {"Stats", "stats", false, false, op_stats},
    {"FindScenes", "findScenes", false, true, op_find_scenes},
    {"FindSceneIds", "findScenes", false, true, op_find_scene_ids},
    {"FindScene", "findScene", false, true, op_find_scene},
    {"FindScenesByIds", "findScenes", false, true, op_find_scenes_by_ids},
    {"FindPerformers", "findPerformers", false, true, op_find_performers},
    {"FindStudios", "findStudios", false, true, op_find_studios},
    {"FindTags", "findTags", false, true, op_find_tags},
    {"FindPerformerByName", "findPerformers", false, true, op_performer_by_name},
    {"FindStudioByName", "findStudios", false, true, op_studio_by_name},
    {"FindTagByName", "findTags", false, true, op_tag_by_name},
    {"SceneUpdate", "sceneUpdate", true, false, op_scene_update},
    {"ScenesUpdate", "scenesUpdate", true, false, op_scenes_update},
    {"PerformerCreate", "performerCreate", true, false, op_performer_create},
    {"StudioCreate", "studioCreate", true, false, op_studio_create},
    {"TagCreate", "tagCreate", true, false, op_tag_create},
    {"PerformerDestroy", "performerDestroy", true, false, op_performer_destroy},
    {"StudioDestroy", "studioDestroy", true, false, op_studio_destroy},
    {"TagDestroy", "tagDestroy", true, false, op_tag_destroy},
};

static const op_def *find_op(const char *name)
{
    for (size_t i = 0; name && i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

bool fs_graphql_is_find(const char *op)
{
    const op_def *d = find_op(op);
    return d && d->find;
}

static json_t *error_doc(const char *message, const char *field)
{
    json_t *err = json_pack("{s:s}", "message", message);
    if (field)
        json_object_set_new(err, "path", json_pack("[s]", field));
    return json_pack("{s:[o],s:n}", "errors", err, "data");
}

json_t *fs_graphql_execute(fs_ctx *ctx, const char *op, json_t *variables)
{
    const op_def *d = find_op(op);
    char err[ERRLEN] = "";
    if (!d) {
        snprintf(err, sizeof(err), "fake-stash: unknown operationName \"%s\"", op ? op : "");
        return error_doc(err, NULL);
    }
    if (variables && !json_is_object(variables) && !json_is_null(variables))
        return error_doc("variables must be a JSON object", NULL);
    json_t *vars = json_is_object(variables) ? json_incref(variables) : json_object();
    if (d->mutation)
        pthread_rwlock_wrlock(&ctx->lib->lock);
    else
        pthread_rwlock_rdlock(&ctx->lib->lock);
    json_t *data = d->fn(ctx, vars, err, sizeof(err));
    pthread_rwlock_unlock(&ctx->lib->lock);
    json_decref(vars);
    if (!data)
        return error_doc(err[0] ? err : "internal error", d->field);
    return json_pack("{s:{s:o}}", "data", d->field, data);
}
