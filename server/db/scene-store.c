#include "db/scene-store.h"

#include <stdlib.h>
#include <string.h>

#include "sh-log.h"

#define LOG "store"

const char *sh_store_kind_name(sh_store_kind kind)
{
    static const char *const names[] = {"performers", "studios", "tags"};
    return (unsigned)kind < SH_STORE_KIND_COUNT ? names[kind] : "?";
}

int64_t sh_store_json_id(const json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v);
    const char *s = json_string_value(v);
    if (!s || !*s)
        return 0;
    char *end = NULL;
    long long id = strtoll(s, &end, 10);
    return (*end || id <= 0) ? 0 : id;
}

static const char *jstr(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int64_t jref(const json_t *obj, const char *key) /* {"studio": {"id": "3"}} */
{
    return sh_store_json_id(json_object_get(json_object_get(obj, key), "id"));
}

/* Run a prepared statement that returns no rows; resets it. */
static sh_status run(sh_db *db, sqlite3_stmt *stmt, sh_error *err)
{
    int rc = sh_db_step(db, stmt, err);
    sqlite3_reset(stmt);
    return rc < 0 ? (err ? err->code : SH_ERR_DB) : SH_OK;
}

static sh_status exec_id(sh_db *db, const char *sql, int64_t id, sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, sql, &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    return run(db, stmt, err);
}

/* ---------------------------------------------------------------- full text */

sh_status sh_store_reindex_scene(sh_db *db, int64_t scene_id, sh_error *err)
{
    sh_status st = exec_id(db, "DELETE FROM scene_fts WHERE rowid = ?1", scene_id, err);
    if (st != SH_OK)
        return st;
    return exec_id(db,
                   "INSERT INTO scene_fts (rowid, title, details, paths, performers, studio, tags, code) "
                   "SELECT s.id, s.title, s.details, "
                   " (SELECT group_concat(path, char(10)) FROM "
                   "   (SELECT path FROM scene_files WHERE scene_id = s.id ORDER BY position)), "
                   " (SELECT group_concat(p.name, char(10)) FROM scene_performers sp "
                   "   JOIN performers p ON p.id = sp.performer_id WHERE sp.scene_id = s.id), "
                   " (SELECT name FROM studios WHERE id = s.studio_id), "
                   " (SELECT group_concat(t.name, char(10)) FROM scene_tags st "
                   "   JOIN tags t ON t.id = st.tag_id WHERE st.scene_id = s.id), "
                   " s.code FROM scenes s WHERE s.id = ?1",
                   scene_id, err);
}

/* Collect the ids a query returns (one int64 parameter) before changing them. */
static sh_status collect_ids(sh_db *db, const char *sql, int64_t param, int64_t **ids, size_t *n,
                             sh_error *err)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, sql, &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, param);
    size_t cap = 0;
    int rc;
    while ((rc = sh_db_step(db, stmt, err)) == 1) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            int64_t *g = realloc(*ids, ncap * sizeof *g);
            if (!g) {
                st = sh_error_set(err, SH_ERR_NOMEM, NULL);
                break;
            }
            *ids = g;
            cap = ncap;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(stmt, 0);
    }
    if (rc < 0)
        st = err ? err->code : SH_ERR_DB;
    sqlite3_reset(stmt);
    if (st != SH_OK) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return st;
}

static const char *scenes_of_sql(sh_store_kind kind)
{
    switch (kind) {
    case SH_STORE_PERFORMER:
        return "SELECT scene_id FROM scene_performers WHERE performer_id = ?1";
    case SH_STORE_STUDIO:
        return "SELECT id FROM scenes WHERE studio_id = ?1";
    default:
        return "SELECT scene_id FROM scene_tags WHERE tag_id = ?1";
    }
}

static sh_status reindex_ids(sh_db *db, const int64_t *ids, size_t n, sh_error *err)
{
    sh_status st = SH_OK;
    for (size_t i = 0; i < n && st == SH_OK; i++)
        st = sh_store_reindex_scene(db, ids[i], err);
    return st;
}

/* ---------------------------------------------------------------- scenes */

static sh_status scene_unchanged(sh_db *db, int64_t id, const char *updated_at, bool *same,
                                 sh_error *err)
{
    *same = false;
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, "SELECT stash_updated_at FROM scenes WHERE id = ?1", &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    int rc = sh_db_step(db, stmt, err);
    const char *cached = rc > 0 ? sh_db_column_text(stmt, 0) : NULL;
    *same = cached && updated_at && strcmp(cached, updated_at) == 0;
    sqlite3_reset(stmt);
    return rc < 0 ? SH_ERR_DB : SH_OK;
}

static sh_status store_scene_row(sh_db *db, int64_t id, const json_t *s, int64_t synced_at,
                                 sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(
        db,
        "INSERT INTO scenes (id, title, code, details, date, studio_id, organized, primary_path, "
        " stash_created_at, stash_updated_at, synced_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
        "ON CONFLICT (id) DO UPDATE SET title = excluded.title, code = excluded.code, "
        " details = excluded.details, date = excluded.date, studio_id = excluded.studio_id, "
        " organized = excluded.organized, primary_path = excluded.primary_path, "
        " stash_created_at = excluded.stash_created_at, stash_updated_at = excluded.stash_updated_at, "
        " synced_at = excluded.synced_at",
        &stmt, err);
    if (st != SH_OK)
        return st;
    const json_t *files = json_object_get(s, "files");
    sqlite3_bind_int64(stmt, 1, id);
    /* Stash returns "" for unset text: store NULL so "missing" is one test. */
    sh_db_bind_text_or_null(stmt, 2, jstr(s, "title"));
    sh_db_bind_text_or_null(stmt, 3, jstr(s, "code"));
    sh_db_bind_text_or_null(stmt, 4, jstr(s, "details"));
    sh_db_bind_text_or_null(stmt, 5, jstr(s, "date"));
    sh_db_bind_id_or_null(stmt, 6, jref(s, "studio"));
    sqlite3_bind_int(stmt, 7, json_is_true(json_object_get(s, "organized")));
    sh_db_bind_text_or_null(stmt, 8, jstr(json_array_get(files, 0), "path"));
    sh_db_bind_text(stmt, 9, jstr(s, "created_at"));
    sh_db_bind_text(stmt, 10, jstr(s, "updated_at"));
    sqlite3_bind_int64(stmt, 11, synced_at);
    return run(db, stmt, err);
}

static sh_status store_scene_urls(sh_db *db, int64_t id, const json_t *urls, sh_error *err)
{
    sh_status st = exec_id(db, "DELETE FROM scene_urls WHERE scene_id = ?1", id, err);
    size_t i;
    const json_t *u;
    json_array_foreach(urls, i, u) {
        if (st != SH_OK || !json_is_string(u))
            continue;
        sqlite3_stmt *stmt = NULL;
        if ((st = sh_db_prepare(db, "INSERT INTO scene_urls (scene_id, position, url) VALUES (?1, ?2, ?3)",
                                &stmt, err)) != SH_OK)
            break;
        sqlite3_bind_int64(stmt, 1, id);
        sqlite3_bind_int64(stmt, 2, (int64_t)i);
        sqlite3_bind_text(stmt, 3, json_string_value(u), -1, SQLITE_STATIC);
        st = run(db, stmt, err);
    }
    return st;
}

static sh_status store_scene_files(sh_db *db, int64_t id, const json_t *files, sh_error *err)
{
    sh_status st = exec_id(db, "DELETE FROM scene_files WHERE scene_id = ?1", id, err);
    size_t i;
    const json_t *f;
    json_array_foreach(files, i, f) {
        if (st != SH_OK)
            break;
        const char *path = jstr(f, "path");
        if (!path)
            continue;
        sqlite3_stmt *stmt = NULL;
        /* Stash's file id is the row id; REPLACE moves a file that changed scene. */
        if ((st = sh_db_prepare(db,
                                "INSERT OR REPLACE INTO scene_files (id, scene_id, position, path, basename, "
                                " size, duration, width, height, frame_rate, video_codec) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                                &stmt, err)) != SH_OK)
            break;
        sh_db_bind_id_or_null(stmt, 1, sh_store_json_id(json_object_get(f, "id")));
        sqlite3_bind_int64(stmt, 2, id);
        sqlite3_bind_int64(stmt, 3, (int64_t)i);
        sqlite3_bind_text(stmt, 4, path, -1, SQLITE_STATIC);
        sh_db_bind_text(stmt, 5, jstr(f, "basename"));
        const json_t *v;
        if (json_is_number(v = json_object_get(f, "size")))
            sqlite3_bind_int64(stmt, 6, (int64_t)json_number_value(v));
        if (json_is_number(v = json_object_get(f, "duration")))
            sqlite3_bind_double(stmt, 7, json_number_value(v));
        if (json_is_number(v = json_object_get(f, "width")))
            sqlite3_bind_int64(stmt, 8, (int64_t)json_number_value(v));
        if (json_is_number(v = json_object_get(f, "height")))
            sqlite3_bind_int64(stmt, 9, (int64_t)json_number_value(v));
        if (json_is_number(v = json_object_get(f, "frame_rate")))
            sqlite3_bind_double(stmt, 10, json_number_value(v));
        sh_db_bind_text(stmt, 11, jstr(f, "video_codec"));
        st = run(db, stmt, err);
    }
    return st;
}

static sh_status store_scene_links(sh_db *db, int64_t id, const json_t *s, sh_error *err)
{
    sh_status st;
    if ((st = exec_id(db, "DELETE FROM scene_performers WHERE scene_id = ?1", id, err)) != SH_OK ||
        (st = exec_id(db, "DELETE FROM scene_tags WHERE scene_id = ?1", id, err)) != SH_OK)
        return st;
    for (int k = 0; k < 2 && st == SH_OK; k++) {
        const json_t *list = json_object_get(s, k == 0 ? "performers" : "tags");
        size_t i;
        const json_t *ref;
        json_array_foreach(list, i, ref) {
            int64_t rid = sh_store_json_id(json_object_get(ref, "id"));
            if (rid <= 0)
                continue;
            sqlite3_stmt *stmt = NULL;
            st = sh_db_prepare(db,
                               k == 0 ? "INSERT OR IGNORE INTO scene_performers (scene_id, performer_id) "
                                        "VALUES (?1, ?2)"
                                      : "INSERT OR IGNORE INTO scene_tags (scene_id, tag_id) VALUES (?1, ?2)",
                               &stmt, err);
            if (st != SH_OK)
                break;
            sqlite3_bind_int64(stmt, 1, id);
            sqlite3_bind_int64(stmt, 2, rid);
            if ((st = run(db, stmt, err)) != SH_OK)
                break;
        }
    }
    return st;
}

sh_status sh_store_upsert_scene(sh_db *db, const json_t *scene, int64_t synced_at, bool skip_unchanged,
                                bool *written, sh_error *err)
{
    if (written)
        *written = false;
    int64_t id = sh_store_json_id(json_object_get(scene, "id"));
    if (!json_is_object(scene) || id <= 0)
        return sh_error_set(err, SH_ERR_PROTOCOL, "Stash returned a scene without a valid id");
    sh_status st;
    if (skip_unchanged) {
        bool same = false;
        if ((st = scene_unchanged(db, id, jstr(scene, "updated_at"), &same, err)) != SH_OK || same)
            return st;
    }
    st = store_scene_row(db, id, scene, synced_at, err);
    if (st == SH_OK)
        st = store_scene_urls(db, id, json_object_get(scene, "urls"), err);
    if (st == SH_OK)
        st = store_scene_files(db, id, json_object_get(scene, "files"), err);
    if (st == SH_OK)
        st = store_scene_links(db, id, scene, err);
    if (st == SH_OK)
        st = sh_store_reindex_scene(db, id, err);
    if (st != SH_OK) {
        sh_error_prefix(err, "scene %lld", (long long)id);
        return st;
    }
    if (written)
        *written = true;
    return SH_OK;
}

sh_status sh_store_delete_scene(sh_db *db, int64_t id, bool *deleted, sh_error *err)
{
    if (deleted)
        *deleted = false;
    sh_status st = exec_id(db, "DELETE FROM scene_fts WHERE rowid = ?1", id, err);
    if (st != SH_OK)
        return st;
    /* urls, files and joins go with it (ON DELETE CASCADE). */
    if ((st = exec_id(db, "DELETE FROM scenes WHERE id = ?1", id, err)) != SH_OK)
        return st;
    if (deleted)
        *deleted = sqlite3_changes(sh_db_handle(db)) > 0;
    return SH_OK;
}

sh_status sh_store_delete_scenes_missing(sh_db *db, int64_t after_id, int64_t upto_id, const int64_t *keep,
                                         size_t n_keep, int64_t *deleted, sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, "SELECT id FROM scenes WHERE id > ?1 AND id <= ?2 ORDER BY id", &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, after_id);
    sqlite3_bind_int64(stmt, 2, upto_id);
    /* Merge the two sorted lists; collect first, delete after the cursor is done. */
    int64_t *gone = NULL;
    size_t n_gone = 0, cap = 0, k = 0;
    int rc;
    while ((rc = sh_db_step(db, stmt, err)) == 1) {
        int64_t id = sqlite3_column_int64(stmt, 0);
        while (k < n_keep && keep[k] < id)
            k++;
        if (k < n_keep && keep[k] == id)
            continue;
        if (n_gone == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            int64_t *g = realloc(gone, ncap * sizeof *g);
            if (!g) {
                st = sh_error_set(err, SH_ERR_NOMEM, NULL);
                break;
            }
            gone = g;
            cap = ncap;
        }
        gone[n_gone++] = id;
    }
    if (rc < 0)
        st = err ? err->code : SH_ERR_DB;
    sqlite3_reset(stmt);
    for (size_t i = 0; i < n_gone && st == SH_OK; i++) {
        bool d = false;
        st = sh_store_delete_scene(db, gone[i], &d, err);
        if (d && deleted)
            (*deleted)++;
    }
    free(gone);
    return st;
}

/* ---------------------------------------------------------------- entities */

static sh_status cached_name(sh_db *db, sh_store_kind kind, int64_t id, char **name, sh_error *err)
{
    static const char *const sql[] = {"SELECT name FROM performers WHERE id = ?1",
                                      "SELECT name FROM studios WHERE id = ?1",
                                      "SELECT name FROM tags WHERE id = ?1"};
    *name = NULL;
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, sql[kind], &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    int rc = sh_db_step(db, stmt, err);
    if (rc > 0 && sh_db_column_text(stmt, 0) && !(*name = strdup(sh_db_column_text(stmt, 0))))
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
    sqlite3_reset(stmt);
    return rc < 0 ? SH_ERR_DB : st;
}

static sh_status store_entity_row(sh_db *db, sh_store_kind kind, int64_t id, const json_t *e,
                                  int64_t synced_at, sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st;
    switch (kind) {
    case SH_STORE_PERFORMER:
        st = sh_db_prepare(db,
                           "INSERT INTO performers (id, name, disambiguation, gender, ignore_auto_tag, "
                           " stash_created_at, stash_updated_at, synced_at) VALUES (?1, ?2, ?5, ?6, ?3, ?7, ?8, ?4) "
                           "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                           " disambiguation = excluded.disambiguation, gender = excluded.gender, "
                           " ignore_auto_tag = excluded.ignore_auto_tag, stash_created_at = excluded.stash_created_at, "
                           " stash_updated_at = excluded.stash_updated_at, synced_at = excluded.synced_at",
                           &stmt, err);
        break;
    case SH_STORE_STUDIO:
        st = sh_db_prepare(db,
                           "INSERT INTO studios (id, name, parent_id, ignore_auto_tag, stash_created_at, "
                           " stash_updated_at, synced_at) VALUES (?1, ?2, ?9, ?3, ?7, ?8, ?4) "
                           "ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id, "
                           " ignore_auto_tag = excluded.ignore_auto_tag, stash_created_at = excluded.stash_created_at, "
                           " stash_updated_at = excluded.stash_updated_at, synced_at = excluded.synced_at",
                           &stmt, err);
        break;
    default:
        st = sh_db_prepare(db,
                           "INSERT INTO tags (id, name, ignore_auto_tag, stash_created_at, stash_updated_at, "
                           " synced_at) VALUES (?1, ?2, ?3, ?7, ?8, ?4) "
                           "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                           " ignore_auto_tag = excluded.ignore_auto_tag, stash_created_at = excluded.stash_created_at, "
                           " stash_updated_at = excluded.stash_updated_at, synced_at = excluded.synced_at",
                           &stmt, err);
        break;
    }
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_text(stmt, 2, jstr(e, "name"), -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 3, json_is_true(json_object_get(e, "ignore_auto_tag")));
    sqlite3_bind_int64(stmt, 4, synced_at);
    sh_db_bind_text(stmt, 7, jstr(e, "created_at"));
    sh_db_bind_text(stmt, 8, jstr(e, "updated_at"));
    if (kind == SH_STORE_PERFORMER) {
        sh_db_bind_text_or_null(stmt, 5, jstr(e, "disambiguation"));
        sh_db_bind_text_or_null(stmt, 6, jstr(e, "gender"));
    } else if (kind == SH_STORE_STUDIO) {
        sh_db_bind_id_or_null(stmt, 9, jref(e, "parent_studio"));
    }
    return run(db, stmt, err);
}

static sh_status store_aliases(sh_db *db, sh_store_kind kind, int64_t id, const json_t *e, sh_error *err)
{
    static const char *const del[] = {"DELETE FROM performer_aliases WHERE performer_id = ?1",
                                      "DELETE FROM studio_aliases WHERE studio_id = ?1",
                                      "DELETE FROM tag_aliases WHERE tag_id = ?1"};
    static const char *const ins[] = {
        "INSERT OR IGNORE INTO performer_aliases (performer_id, alias) VALUES (?1, ?2)",
        "INSERT OR IGNORE INTO studio_aliases (studio_id, alias) VALUES (?1, ?2)",
        "INSERT OR IGNORE INTO tag_aliases (tag_id, alias) VALUES (?1, ?2)"};
    sh_status st = exec_id(db, del[kind], id, err);
    const json_t *list = json_object_get(e, kind == SH_STORE_PERFORMER ? "alias_list" : "aliases");
    size_t i;
    const json_t *a;
    json_array_foreach(list, i, a) {
        if (st != SH_OK)
            break;
        if (!json_is_string(a) || !*json_string_value(a))
            continue;
        sqlite3_stmt *stmt = NULL;
        if ((st = sh_db_prepare(db, ins[kind], &stmt, err)) != SH_OK)
            break;
        sqlite3_bind_int64(stmt, 1, id);
        sqlite3_bind_text(stmt, 2, json_string_value(a), -1, SQLITE_STATIC);
        st = run(db, stmt, err);
    }
    return st;
}

sh_status sh_store_upsert_entity(sh_db *db, sh_store_kind kind, const json_t *entity, int64_t synced_at,
                                 sh_error *err)
{
    if ((unsigned)kind >= SH_STORE_KIND_COUNT)
        return sh_error_set(err, SH_ERR_INVALID, "bad entity kind");
    int64_t id = sh_store_json_id(json_object_get(entity, "id"));
    const char *name = jstr(entity, "name");
    if (id <= 0 || !name)
        return sh_error_set(err, SH_ERR_PROTOCOL, "Stash returned one of its %s without id or name",
                            sh_store_kind_name(kind));
    char *old = NULL;
    sh_status st = cached_name(db, kind, id, &old, err);
    if (st == SH_OK)
        st = store_entity_row(db, kind, id, entity, synced_at, err);
    if (st == SH_OK)
        st = store_aliases(db, kind, id, entity, err);
    /* Scenes' full-text rows carry the names: a rename must reach them. */
    if (st == SH_OK && old && strcmp(old, name) != 0) {
        int64_t *ids = NULL;
        size_t n = 0;
        if ((st = collect_ids(db, scenes_of_sql(kind), id, &ids, &n, err)) == SH_OK)
            st = reindex_ids(db, ids, n, err);
        free(ids);
    }
    free(old);
    return st;
}

sh_status sh_store_entity_unchanged(sh_db *db, sh_store_kind kind, const json_t *entity, bool *same,
                                    sh_error *err)
{
    static const char *const sql[] = {"SELECT stash_updated_at FROM performers WHERE id = ?1",
                                      "SELECT stash_updated_at FROM studios WHERE id = ?1",
                                      "SELECT stash_updated_at FROM tags WHERE id = ?1"};
    *same = false;
    if ((unsigned)kind >= SH_STORE_KIND_COUNT)
        return sh_error_set(err, SH_ERR_INVALID, "bad entity kind");
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, sql[kind], &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, sh_store_json_id(json_object_get(entity, "id")));
    int rc = sh_db_step(db, stmt, err);
    const char *cached = rc > 0 ? sh_db_column_text(stmt, 0) : NULL;
    const char *incoming = jstr(entity, "updated_at");
    *same = cached && incoming && strcmp(cached, incoming) == 0;
    sqlite3_reset(stmt);
    return rc < 0 ? SH_ERR_DB : SH_OK;
}

sh_status sh_store_delete_entity(sh_db *db, sh_store_kind kind, int64_t id, sh_error *err)
{
    if ((unsigned)kind >= SH_STORE_KIND_COUNT)
        return sh_error_set(err, SH_ERR_INVALID, "bad entity kind");
    int64_t *ids = NULL;
    size_t n = 0;
    sh_status st = collect_ids(db, scenes_of_sql(kind), id, &ids, &n, err);
    if (st != SH_OK)
        return st;
    switch (kind) {
    case SH_STORE_PERFORMER:
        if ((st = exec_id(db, "DELETE FROM scene_performers WHERE performer_id = ?1", id, err)) == SH_OK)
            st = exec_id(db, "DELETE FROM performers WHERE id = ?1", id, err);
        break;
    case SH_STORE_STUDIO:
        /* As in Stash: scenes lose the studio, child studios lose their parent. */
        if ((st = exec_id(db, "UPDATE scenes SET studio_id = NULL WHERE studio_id = ?1", id, err)) == SH_OK &&
            (st = exec_id(db, "UPDATE studios SET parent_id = NULL WHERE parent_id = ?1", id, err)) == SH_OK)
            st = exec_id(db, "DELETE FROM studios WHERE id = ?1", id, err);
        break;
    default:
        if ((st = exec_id(db, "DELETE FROM scene_tags WHERE tag_id = ?1", id, err)) == SH_OK)
            st = exec_id(db, "DELETE FROM tags WHERE id = ?1", id, err);
        break;
    }
    if (st == SH_OK)
        st = reindex_ids(db, ids, n, err);
    free(ids);
    return st;
}
