#include "db/saved-filters.h"

#include <stdlib.h>
#include <string.h>

#include "db/scene-query.h"
#include "sh-log.h"

#define LOG "filters"

sh_status sh_saved_filter_check_name(const char *name, sh_error *err)
{
    if (!name || !*name)
        return sh_error_set(err, SH_ERR_INVALID, "a saved filter needs a name");
    size_t n = strlen(name);
    if (n > SH_SAVED_FILTER_MAX_NAME)
        return sh_error_set(err, SH_ERR_INVALID, "filter name longer than %d bytes", SH_SAVED_FILTER_MAX_NAME);
    if (name[0] == '-')
        return sh_error_set(err, SH_ERR_INVALID, "filter name may not start with '-'");
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return sh_error_set(err, SH_ERR_INVALID,
                                "filter name: only letters, digits, '_', '-' and '.' are allowed (position %zu)",
                                i + 1);
    }
    return SH_OK;
}

/* protobuf-c allocator drawing from an arena: the unpacked filter lives
 * exactly as long as the reply (or query) it belongs to. */
static void *arena_pb_alloc(void *data, size_t size)
{
    return sh_arena_alloc(data, size ? size : 1);
}

static void arena_pb_free(void *data, void *p)
{
    (void)data, (void)p; /* freed with the arena */
}

sh_status sh_saved_filter_save(sh_db *db, const Stashhog__SavedFilter *sf, bool replace, sh_error *err)
{
    Stashhog__SceneFilter empty = STASHHOG__SCENE_FILTER__INIT;
    const Stashhog__SceneFilter *f = sf->filter ? sf->filter : &empty;
    sh_status st = sh_saved_filter_check_name(sf->name, err);
    if (st != SH_OK)
        return st;
    if (f->saved)
        return sh_error_set(err, SH_ERR_INVALID,
                            "filter '%s': a saved filter cannot refer to another saved filter ('%s')", sf->name,
                            f->saved);
    if ((st = sh_scene_filter_validate(f, err)) != SH_OK)
        return st;
    if (sf->expression && strlen(sf->expression) > SH_SAVED_FILTER_MAX_EXPRESSION)
        return sh_error_set(err, SH_ERR_INVALID, "filter expression longer than %d bytes",
                            SH_SAVED_FILTER_MAX_EXPRESSION);
    size_t len = stashhog__scene_filter__get_packed_size(f);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__scene_filter__pack(f, buf);

    sqlite3_stmt *s = NULL;
    int64_t now = sh_now_ms();
    if ((st = sh_db_write_begin(db, err)) != SH_OK)
        goto out;
    /* The conflict clause decides between "replace" and "refuse". */
    st = replace ? sh_db_prepare(db,
                                 "INSERT INTO saved_filters (name, filter, expression, created_at, updated_at) "
                                 "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO UPDATE SET "
                                 "filter = excluded.filter, expression = excluded.expression, "
                                 "updated_at = excluded.updated_at",
                                 &s, err)
                 : sh_db_prepare(db,
                                 "INSERT INTO saved_filters (name, filter, expression, created_at, updated_at) "
                                 "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO NOTHING",
                                 &s, err);
    if (st != SH_OK)
        goto rollback;
    sqlite3_bind_text(s, 1, sf->name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, buf, (int)len, SQLITE_STATIC);
    sh_db_bind_text(s, 3, sf->expression);
    sqlite3_bind_int64(s, 4, now);
    if (sh_db_step(db, s, err) < 0) {
        st = err ? err->code : SH_ERR_DB;
        goto rollback;
    }
    sqlite3_reset(s);
    if (sqlite3_changes(sh_db_handle(db)) == 0) {
        st = sh_error_set(err, SH_ERR_CONFLICT, "a filter named '%s' exists (replace it explicitly)", sf->name);
        goto rollback;
    }
    if ((st = sh_db_commit(db, err)) != SH_OK)
        goto out;
    sh_info(LOG, "saved filter '%s'", sf->name);
    goto out;
rollback:
    sh_db_rollback(db);
out:
    free(buf);
    return st;
}

/* Row (name, filter, expression, created_at, updated_at) -> message. */
static sh_status read_row(sqlite3_stmt *s, sh_arena *a, Stashhog__SavedFilter **out, sh_error *err)
{
    ProtobufCAllocator alloc = {.alloc = arena_pb_alloc, .free = arena_pb_free, .allocator_data = a};
    Stashhog__SavedFilter *sf = SH_ARENA_NEW(a, Stashhog__SavedFilter);
    if (!sf)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__saved_filter__init(sf);
    sf->name = sh_arena_strdup(a, sh_db_column_text(s, 0));
    const void *blob = sqlite3_column_blob(s, 1);
    int len = sqlite3_column_bytes(s, 1);
    sf->filter = stashhog__scene_filter__unpack(&alloc, (size_t)len, blob ? blob : (const void *)"");
    if (!sf->name || !sf->filter)
        return sh_error_set(err, SH_ERR_DB, "saved filter '%s' is unreadable", sh_db_column_text(s, 0));
    if (sqlite3_column_type(s, 2) != SQLITE_NULL && !(sf->expression = sh_arena_strdup(a, sh_db_column_text(s, 2))))
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sf->has_created_at_ms = sf->has_updated_at_ms = 1;
    sf->created_at_ms = sqlite3_column_int64(s, 3);
    sf->updated_at_ms = sqlite3_column_int64(s, 4);
    *out = sf;
    return SH_OK;
}

sh_status sh_saved_filter_get(sh_db *db, sh_arena *arena, const char *name, Stashhog__SavedFilter **out,
                              sh_error *err)
{
    *out = NULL;
    sqlite3_stmt *s = NULL;
    sh_status st = sh_saved_filter_check_name(name, err);
    if (st != SH_OK)
        return st;
    if ((st = sh_db_prepare(db,
                            "SELECT name, filter, expression, created_at, updated_at FROM saved_filters "
                            "WHERE name = ?1",
                            &s, err)) != SH_OK)
        return st;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    int rc = sh_db_step(db, s, err);
    if (rc < 0)
        st = err ? err->code : SH_ERR_DB;
    else if (rc == 0)
        st = sh_error_set(err, SH_ERR_NOT_FOUND, "no saved filter named '%s'", name);
    else
        st = read_row(s, arena, out, err);
    sqlite3_reset(s);
    return st;
}

sh_status sh_saved_filter_list(sh_db *db, sh_arena *arena, Stashhog__SavedFilter ***out, size_t *n, sh_error *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = NULL;
    int64_t count = 0;
    sh_status st = sh_db_query_int64(db, "SELECT count(*) FROM saved_filters", &count, err);
    if (st != SH_OK)
        return st;
    Stashhog__SavedFilter **v = (Stashhog__SavedFilter **)sh_arena_ptrs(arena, (size_t)(count ? count : 1));
    if (!v)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if ((st = sh_db_prepare(db,
                            "SELECT name, filter, expression, created_at, updated_at FROM saved_filters "
                            "ORDER BY name",
                            &s, err)) != SH_OK)
        return st;
    size_t k = 0;
    int rc = 0;
    /* The count and the rows come from one snapshot when the caller holds a
     * read transaction; without one, stop at the counted size. */
    while (k < (size_t)count && (rc = sh_db_step(db, s, err)) == 1) {
        if ((st = read_row(s, arena, &v[k], err)) != SH_OK)
            break;
        k++;
    }
    if (st == SH_OK && rc < 0)
        st = err ? err->code : SH_ERR_DB;
    sqlite3_reset(s);
    if (st != SH_OK)
        return st;
    *out = v;
    *n = k;
    return SH_OK;
}

sh_status sh_saved_filter_delete(sh_db *db, const char *name, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_saved_filter_check_name(name, err);
    if (st != SH_OK)
        return st;
    if ((st = sh_db_write_begin(db, err)) != SH_OK)
        return st;
    if ((st = sh_db_prepare(db, "DELETE FROM saved_filters WHERE name = ?1", &s, err)) != SH_OK)
        goto rollback;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    if (sh_db_step(db, s, err) < 0) {
        st = err ? err->code : SH_ERR_DB;
        goto rollback;
    }
    sqlite3_reset(s);
    if (sqlite3_changes(sh_db_handle(db)) == 0) {
        st = sh_error_set(err, SH_ERR_NOT_FOUND, "no saved filter named '%s'", name);
        goto rollback;
    }
    if ((st = sh_db_commit(db, err)) == SH_OK)
        sh_info(LOG, "deleted filter '%s'", name);
    return st;
rollback:
    sh_db_rollback(db);
    return st;
}
