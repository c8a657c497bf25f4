/* plan-stash.c - the Stash calls apply and rollback share: re-reading a
 * batch of scenes, writing a batch (entities: plan-entities.c). */
#include <stdio.h>
#include <string.h>

#include "db/scene-store.h"
#include "plans/plan-internal.h"

static json_t *id_strings(const int64_t *ids, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)ids[i]);
        json_array_append_new(a, json_string(buf));
    }
    return a;
}

sh_status sh_plan_stash_read_scenes(sh_stash_client *c, const int64_t *ids, size_t n, json_t **out,
                                    sh_error *err)
{
    *out = NULL;
    json_t *vars = json_pack("{s:o,s:{s:i,s:s,s:s}}", "ids", id_strings(ids, n), "filter", "per_page",
                             (int)(n ? n : 1), "sort", "id", "direction", "ASC");
    if (!vars)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    json_t *data = NULL;
    sh_status st = sh_stash_execute(c, "FindScenesByIds", vars, &data, err);
    json_decref(vars);
    if (st != SH_OK)
        return sh_error_prefix(err, "re-reading %zu scenes", n);
    json_t *scenes = json_object_get(json_object_get(data, "findScenes"), "scenes");
    json_t *map = json_object();
    if (!json_is_array(scenes) || !map) {
        json_decref(data);
        json_decref(map);
        return sh_error_set(err, SH_ERR_PROTOCOL, "findScenes returned no scene list");
    }
    size_t i;
    json_t *s;
    json_array_foreach(scenes, i, s) {
        int64_t id = sh_store_json_id(json_object_get(s, "id"));
        if (id > 0) {
            char key[32];
            snprintf(key, sizeof key, "%lld", (long long)id);
            json_object_set(map, key, s);
        }
    }
    json_decref(data);
    *out = map;
    return SH_OK;
}

sh_status sh_plan_stash_update_scenes(sh_stash_client *c, json_t *inputs, json_t **out, sh_error *err)
{
    *out = NULL;
    json_t *vars = json_pack("{s:O}", "input", inputs);
    if (!vars)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    json_t *data = NULL;
    sh_status st = sh_stash_execute(c, "ScenesUpdate", vars, &data, err);
    json_decref(vars);
    if (st != SH_OK)
        return st;
    json_t *scenes = json_object_get(data, "scenesUpdate");
    if (!json_is_array(scenes)) {
        json_decref(data);
        return sh_error_set(err, SH_ERR_PROTOCOL, "scenesUpdate returned no scene list");
    }
    *out = json_incref(scenes);
    json_decref(data);
    return SH_OK;
}

static const char *const key_map[][3] = {
    /* input key, scene member, plan field */
    {"title", "title", "title"},          {"code", "code", "code"},
    {"details", "details", "details"},    {"date", "date", "date"},
    {"studio_id", "studio", "studio"},    {"performer_ids", "performers", "performers"},
    {"tag_ids", "tags", "tags"},          {"organized", "organized", NULL},
};

const char *sh_plan_scene_member(const char *key)
{
    for (size_t i = 0; key && i < sizeof key_map / sizeof key_map[0]; i++)
        if (strcmp(key_map[i][0], key) == 0)
            return key_map[i][1];
    return NULL;
}

const char *sh_plan_field_of_key(const char *key)
{
    for (size_t i = 0; key && i < sizeof key_map / sizeof key_map[0]; i++)
        if (strcmp(key_map[i][0], key) == 0)
            return key_map[i][2];
    return NULL;
}

bool sh_plan_transient(sh_status st)
{
    return st == SH_ERR_NETWORK || st == SH_ERR_TIMEOUT || st == SH_ERR_UNAVAILABLE || st == SH_ERR_RATE_LIMITED ||
           st == SH_ERR_PROTOCOL || st == SH_ERR_CANCELLED || st == SH_ERR_TOO_LARGE;
}

void sh_plan_problem(sh_plan_run_result *r, int64_t scene_id, const char *field, const char *reason)
{
    if (!r->problems)
        r->problems = json_array();
    if (!r->problems || json_array_size(r->problems) >= 200)
        return;
    json_array_append_new(r->problems, json_pack("{s:I,s:s,s:s}", "scene_id", (json_int_t)scene_id, "field",
                                                 field ? field : "", "reason", reason ? reason : ""));
}

sh_status sh_plan_active_jobs(sh_db *db, int64_t plan_id, int64_t *count, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    *count = 0;
    sh_status st = sh_db_prepare(db,
                                 "SELECT count(*) FROM jobs WHERE status IN ('queued','running')"
                                 " AND type IN ('analyze','apply_plan','rollback_plan')"
                                 " AND json_extract(params, '$.plan_id') = ?1",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, plan_id);
    if (sh_db_step(db, s, err) != 1)
        return err ? err->code : SH_ERR_DB;
    *count = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return SH_OK;
}
