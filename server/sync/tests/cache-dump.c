#include "cache-dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *text_or(sqlite3_stmt *st, int col, json_t *fallback)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t) /* the cache stores Stash's "" as NULL */
        return fallback;
    json_decref(fallback);
    return json_string((const char *)t);
}

static json_t *id_str(int64_t id)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    return json_string(buf);
}

static json_t *list_query(sqlite3 *db, const char *sql, int64_t id, int as_ref)
{
    json_t *a = json_array();
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return a;
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (as_ref)
            json_array_append_new(a, json_pack("{s:o}", "id", id_str(sqlite3_column_int64(st, 0))));
        else
            json_array_append_new(a, json_string((const char *)sqlite3_column_text(st, 0)));
    }
    sqlite3_finalize(st);
    return a;
}

static json_t *files_of(sqlite3 *db, int64_t scene)
{
    json_t *a = json_array();
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db,
                       "SELECT id, path, basename, size, duration, width, height, frame_rate, video_codec "
                       "FROM scene_files WHERE scene_id = ?1 ORDER BY position",
                       -1, &st, NULL);
    sqlite3_bind_int64(st, 1, scene);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *file = json_object();
        json_object_set_new(file, "id", id_str(sqlite3_column_int64(st, 0)));
        json_object_set_new(file, "path", text_or(st, 1, json_string("")));
        json_object_set_new(file, "basename", text_or(st, 2, json_string("")));
        json_object_set_new(file, "size", json_integer(sqlite3_column_int64(st, 3)));
        json_object_set_new(file, "duration", json_real(sqlite3_column_double(st, 4)));
        json_object_set_new(file, "width", json_integer(sqlite3_column_int64(st, 5)));
        json_object_set_new(file, "height", json_integer(sqlite3_column_int64(st, 6)));
        json_object_set_new(file, "frame_rate", json_real(sqlite3_column_double(st, 7)));
        json_object_set_new(file, "video_codec", text_or(st, 8, json_string("")));
        json_array_append_new(a, file);
    }
    sqlite3_finalize(st);
    return a;
}

static json_t *dump_scenes(sqlite3 *db)
{
    json_t *a = json_array();
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db,
                       "SELECT id, title, code, details, date, organized, stash_created_at, stash_updated_at, "
                       "studio_id FROM scenes ORDER BY id",
                       -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        json_t *s = json_object();
        json_object_set_new(s, "id", id_str(id));
        json_object_set_new(s, "title", text_or(st, 1, json_string("")));
        json_object_set_new(s, "code", text_or(st, 2, json_string("")));
        json_object_set_new(s, "details", text_or(st, 3, json_string("")));
        json_object_set_new(s, "date", text_or(st, 4, json_null()));
        json_object_set_new(s, "organized", json_boolean(sqlite3_column_int(st, 5)));
        json_object_set_new(s, "created_at", text_or(st, 6, json_string("")));
        json_object_set_new(s, "updated_at", text_or(st, 7, json_string("")));
        json_object_set_new(s, "studio", sqlite3_column_type(st, 8) == SQLITE_NULL
                                             ? json_null()
                                             : json_pack("{s:o}", "id", id_str(sqlite3_column_int64(st, 8))));
        json_object_set_new(s, "urls",
                            list_query(db, "SELECT url FROM scene_urls WHERE scene_id = ?1 ORDER BY position", id, 0));
        json_object_set_new(s, "performers",
                            list_query(db, "SELECT performer_id FROM scene_performers WHERE scene_id = ?1", id, 1));
        json_object_set_new(s, "tags", list_query(db, "SELECT tag_id FROM scene_tags WHERE scene_id = ?1", id, 1));
        json_object_set_new(s, "files", files_of(db, id));
        json_array_append_new(a, s);
    }
    sqlite3_finalize(st);
    return a;
}

static json_t *dump_entities(sqlite3 *db, int kind)
{
    static const char *const sql[] = {
        "SELECT id, name, ignore_auto_tag, stash_created_at, stash_updated_at, disambiguation, gender "
        "FROM performers ORDER BY id",
        "SELECT id, name, ignore_auto_tag, stash_created_at, stash_updated_at, parent_id FROM studios ORDER BY id",
        "SELECT id, name, ignore_auto_tag, stash_created_at, stash_updated_at FROM tags ORDER BY id"};
    static const char *const alias_sql[] = {"SELECT alias FROM performer_aliases WHERE performer_id = ?1",
                                            "SELECT alias FROM studio_aliases WHERE studio_id = ?1",
                                            "SELECT alias FROM tag_aliases WHERE tag_id = ?1"};
    json_t *a = json_array();
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, sql[kind], -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        json_t *e = json_object();
        json_object_set_new(e, "id", id_str(id));
        json_object_set_new(e, "name", text_or(st, 1, json_string("")));
        json_object_set_new(e, "ignore_auto_tag", json_boolean(sqlite3_column_int(st, 2)));
        json_object_set_new(e, "created_at", text_or(st, 3, json_string("")));
        json_object_set_new(e, "updated_at", text_or(st, 4, json_string("")));
        json_object_set_new(e, kind == 0 ? "alias_list" : "aliases", list_query(db, alias_sql[kind], id, 0));
        if (kind == 0) {
            json_object_set_new(e, "disambiguation", text_or(st, 5, json_string("")));
            json_object_set_new(e, "gender", text_or(st, 6, json_null()));
        } else if (kind == 1) {
            json_object_set_new(e, "parent_studio", sqlite3_column_type(st, 5) == SQLITE_NULL
                                                        ? json_null()
                                                        : json_pack("{s:o}", "id", id_str(sqlite3_column_int64(st, 5))));
        }
        json_array_append_new(a, e);
    }
    sqlite3_finalize(st);
    return a;
}

json_t *sh_test_cache_dump(sqlite3 *db)
{
    json_t *doc = json_pack("{s:o,s:o,s:o,s:o}", "scenes", dump_scenes(db), "performers", dump_entities(db, 0),
                            "studios", dump_entities(db, 1), "tags", dump_entities(db, 2));
    sh_test_state_normalize(doc);
    return doc;
}

static long long ref_id(const void *p)
{
    const char *text = json_string_value(json_object_get(*(json_t *const *)p, "id"));
    return text ? strtoll(text, NULL, 10) : 0;
}

static int cmp_ref(const void *a, const void *b)
{
    long long x = ref_id(a), y = ref_id(b);
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

static void sort_array(json_t *arr, int (*cmp)(const void *, const void *))
{
    size_t n = json_array_size(arr);
    if (n < 2)
        return;
    json_t **v = calloc(n, sizeof(json_t *));
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort((void *)v, n, sizeof(json_t *), cmp);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    free(v);
}

void sh_test_state_normalize(json_t *state)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(state, "scenes"), i, x) {
        sort_array(json_object_get(x, "performers"), cmp_ref);
        sort_array(json_object_get(x, "tags"), cmp_ref);
    }
    json_array_foreach(json_object_get(state, "performers"), i, x) sort_array(json_object_get(x, "alias_list"), cmp_str);
    json_array_foreach(json_object_get(state, "studios"), i, x) sort_array(json_object_get(x, "aliases"), cmp_str);
    json_array_foreach(json_object_get(state, "tags"), i, x) sort_array(json_object_get(x, "aliases"), cmp_str);
}

static char *canon(json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
}

int sh_test_state_compare(json_t *expected, json_t *actual, char *msg, size_t len)
{
    static const char *const keys[] = {"performers", "studios", "tags", "scenes"};
    for (size_t k = 0; k < 4; k++) {
        json_t *e = json_object_get(expected, keys[k]), *a = json_object_get(actual, keys[k]);
        size_t ne = json_array_size(e), na = json_array_size(a);
        for (size_t i = 0; i < ne || i < na; i++) {
            char *se = i < ne ? canon(json_array_get(e, i)) : NULL;
            char *sa = i < na ? canon(json_array_get(a, i)) : NULL;
            int same = se && sa && strcmp(se, sa) == 0;
            if (!same)
                snprintf(msg, len, "%s[%zu] (%zu expected, %zu cached):\n  expected %.600s\n  cached   %.600s",
                         keys[k], i, ne, na, se ? se : "(none)", sa ? sa : "(none)");
            free(se);
            free(sa);
            if (!same)
                return -1;
        }
    }
    snprintf(msg, len, "equal");
    return 0;
}
