/* loader.c - the analysis engine's inputs read from the cache (an-loader.h).
 *
 * Entities are read kind by kind in id order, then their aliases in
 * entity-id order, so aliases attach with one merge pass (no per-entity
 * query).  Scenes are read with four cached statements each (row, files,
 * performers, tags): ~100k scenes load in about a second. */
#include "analysis/an-loader.h"

#include <stdlib.h>
#include <string.h>

typedef struct kind_sql {
    const char *rows;
    const char *aliases;
} kind_sql;

static const kind_sql sql_of[SH_AN_KIND_COUNT_] = {
    [SH_AN_STUDIO] = {"SELECT id, name, coalesce(parent_id, 0), ignore_auto_tag, NULL FROM studios ORDER BY id",
                      "SELECT studio_id, alias FROM studio_aliases ORDER BY studio_id"},
    [SH_AN_PERFORMER] = {"SELECT id, name, 0, ignore_auto_tag, disambiguation FROM performers ORDER BY id",
                         "SELECT performer_id, alias FROM performer_aliases ORDER BY performer_id"},
    [SH_AN_TAG] = {"SELECT id, name, 0, ignore_auto_tag, NULL FROM tags ORDER BY id",
                   "SELECT tag_id, alias FROM tag_aliases ORDER BY tag_id"},
};

static sh_status load_kind(sh_db *db, sh_arena *a, sh_an_kind kind, sh_an_entity **out, size_t *n_out,
                           sh_error *err)
{
    sqlite3_stmt *s = NULL;
    size_t n = 0, cap = 0;
    sh_an_entity *v = NULL;
    sh_status st = sh_db_prepare(db, sql_of[kind].rows, &s, err);
    int rc;
    while (st == SH_OK && (rc = sh_db_step(db, s, err)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            sh_an_entity *grown = realloc(v, cap * sizeof *v);
            if (!grown) {
                st = sh_error_set(err, SH_ERR_NOMEM, NULL);
                break;
            }
            v = grown;
        }
        sh_an_entity *e = &v[n++];
        memset(e, 0, sizeof *e);
        e->id = sqlite3_column_int64(s, 0);
        e->name = sh_arena_strdup(a, sh_db_column_text(s, 1));
        e->parent_id = sqlite3_column_int64(s, 2);
        e->ignore_auto_tag = sqlite3_column_int(s, 3) != 0;
        if (sqlite3_column_type(s, 4) != SQLITE_NULL)
            e->disambiguation = sh_arena_strdup(a, sh_db_column_text(s, 4));
        if (!e->name)
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    if (st == SH_OK && rc < 0)
        st = err ? err->code : SH_ERR_DB;
    if (s)
        sqlite3_reset(s);
    /* Aliases: both lists are in id order, so one forward walk attaches them. */
    size_t at = 0;
    const char **buf = NULL;
    size_t nbuf = 0, capbuf = 0;
    int64_t cur = 0;
    if (st == SH_OK)
        st = sh_db_prepare(db, sql_of[kind].aliases, &s, err);
    for (;;) {
        rc = st == SH_OK ? sh_db_step(db, s, err) : -1;
        int64_t id = rc == 1 ? sqlite3_column_int64(s, 0) : 0;
        if ((rc != 1 || id != cur) && cur && nbuf) {
            while (at < n && v[at].id < cur)
                at++;
            if (at < n && v[at].id == cur) {
                const char **copy = sh_arena_alloc(a, nbuf * sizeof *copy);
                if (!copy) {
                    st = sh_error_set(err, SH_ERR_NOMEM, NULL);
                    break;
                }
                memcpy(copy, buf, nbuf * sizeof *copy);
                v[at].aliases = copy;
                v[at].n_aliases = nbuf;
            }
            nbuf = 0;
        }
        if (rc != 1)
            break;
        cur = id;
        if (nbuf == capbuf) {
            capbuf = capbuf ? capbuf * 2 : 8;
            const char **grown = realloc(buf, capbuf * sizeof *buf);
            if (!grown) {
                st = sh_error_set(err, SH_ERR_NOMEM, NULL);
                break;
            }
            buf = grown;
        }
        if (!(buf[nbuf++] = sh_arena_strdup(a, sh_db_column_text(s, 1)))) {
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
            break;
        }
    }
    if (st == SH_OK && rc < 0)
        st = err ? err->code : SH_ERR_DB;
    if (s)
        sqlite3_reset(s);
    free(buf);
    if (st != SH_OK) {
        free(v);
        return st;
    }
    *out = v;
    *n_out = n;
    return SH_OK;
}

sh_status sh_an_load_index(sh_db *db, sh_an_index **out, sh_error *err)
{
    *out = NULL;
    sh_arena *a = sh_arena_create();
    if (!a)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_an_entity *e[SH_AN_KIND_COUNT_] = {0};
    size_t n[SH_AN_KIND_COUNT_] = {0};
    sh_status st = sh_db_read_begin(db, err);
    for (int k = 0; st == SH_OK && k < SH_AN_KIND_COUNT_; k++)
        st = load_kind(db, a, (sh_an_kind)k, &e[k], &n[k], err);
    st = sh_db_finish(db, st, err);
    /* The index deep-copies, so the arena and arrays go right after. */
    if (st == SH_OK)
        st = sh_an_index_create(e[SH_AN_STUDIO], n[SH_AN_STUDIO], e[SH_AN_PERFORMER], n[SH_AN_PERFORMER],
                                e[SH_AN_TAG], n[SH_AN_TAG], out, err);
    for (int k = 0; k < SH_AN_KIND_COUNT_; k++)
        free(e[k]);
    sh_arena_destroy(a);
    return st;
}

static const char *dup_or_null(sh_arena *a, sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? NULL : sh_arena_strdup(a, sh_db_column_text(s, col));
}

static sh_status load_ids(sh_db *db, sh_arena *a, const char *sql, int64_t scene, const int64_t **out,
                          size_t *n_out, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, sql, &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, scene);
    int64_t tmp[256];
    size_t n = 0;
    int rc;
    while ((rc = sh_db_step(db, s, err)) == 1)
        if (n < sizeof tmp / sizeof tmp[0])
            tmp[n++] = sqlite3_column_int64(s, 0);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    int64_t *v = n ? sh_arena_alloc(a, n * sizeof *v) : NULL;
    if (n && !v)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (n)
        memcpy(v, tmp, n * sizeof *v);
    *out = v;
    *n_out = n;
    return SH_OK;
}

static sh_status load_files(sh_db *db, sh_arena *a, sh_an_scene *sc, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db,
                                 "SELECT path, coalesce(size, 0), coalesce(duration, 0), coalesce(width, 0),"
                                 " coalesce(height, 0), coalesce(frame_rate, 0) "
                                 "FROM scene_files WHERE scene_id = ?1 ORDER BY position LIMIT 16",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, sc->id);
    sh_an_file tmp[16];
    size_t n = 0;
    int rc;
    while ((rc = sh_db_step(db, s, err)) == 1 && n < 16) {
        sh_an_file *f = &tmp[n++];
        f->path = sh_arena_strdup(a, sh_db_column_text(s, 0));
        f->size = sqlite3_column_int64(s, 1);
        f->duration = sqlite3_column_double(s, 2);
        f->width = sqlite3_column_int(s, 3);
        f->height = sqlite3_column_int(s, 4);
        f->frame_rate = sqlite3_column_double(s, 5);
        if (!f->path)
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    sqlite3_reset(s);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    sh_an_file *v = n ? sh_arena_alloc(a, n * sizeof *v) : NULL;
    if (n && !v)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (n)
        memcpy(v, tmp, n * sizeof *v);
    sc->files = v;
    sc->n_files = n;
    return SH_OK;
}

sh_status sh_an_load_scenes(sh_db *db, const int64_t *ids, size_t n, sh_an_scene_set *out, sh_error *err)
{
    memset(out, 0, sizeof *out);
    out->arena = sh_arena_create();
    out->scenes = n ? calloc(n, sizeof *out->scenes) : NULL;
    if (!out->arena || (n && !out->scenes)) {
        sh_an_scene_set_fini(out);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    sh_arena *a = out->arena;
    sqlite3_stmt *s = NULL;
    sh_status st = SH_OK;
    for (size_t i = 0; st == SH_OK && i < n; i++) {
        if ((st = sh_db_prepare(db,
                                "SELECT title, code, details, date, coalesce(studio_id, 0), organized "
                                "FROM scenes WHERE id = ?1",
                                &s, err)) != SH_OK)
            break;
        sqlite3_bind_int64(s, 1, ids[i]);
        int rc = sh_db_step(db, s, err);
        if (rc < 0) {
            st = err ? err->code : SH_ERR_DB;
            break;
        }
        if (rc == 0)
            continue; /* removed by a sync since it was selected */
        sh_an_scene *sc = &out->scenes[out->n];
        sc->id = ids[i];
        sc->title = dup_or_null(a, s, 0);
        sc->code = dup_or_null(a, s, 1);
        sc->details = dup_or_null(a, s, 2);
        sc->date = dup_or_null(a, s, 3);
        sc->studio_id = sqlite3_column_int64(s, 4);
        sc->organized = sqlite3_column_int(s, 5) != 0;
        sqlite3_reset(s);
        if ((st = load_ids(db, a, "SELECT performer_id FROM scene_performers WHERE scene_id = ?1", sc->id,
                           &sc->performer_ids, &sc->n_performer_ids, err)) != SH_OK ||
            (st = load_ids(db, a, "SELECT tag_id FROM scene_tags WHERE scene_id = ?1", sc->id, &sc->tag_ids,
                           &sc->n_tag_ids, err)) != SH_OK ||
            (st = load_files(db, a, sc, err)) != SH_OK)
            break;
        out->n++;
    }
    if (st != SH_OK)
        sh_an_scene_set_fini(out);
    return st;
}

void sh_an_scene_set_fini(sh_an_scene_set *set)
{
    if (!set)
        return;
    free(set->scenes);
    sh_arena_destroy(set->arena);
    memset(set, 0, sizeof *set);
}
