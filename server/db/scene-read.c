#include "db/scene-read.h"

#include <stdlib.h>
#include <string.h>

#include "sh-log.h"

/* A pointer array grown inside the arena (old blocks are simply left:
 * at most twice the final size, freed with the arena). */
typedef struct ptrvec {
    void **v;
    size_t n, cap;
} ptrvec;

static bool ptrvec_push(sh_arena *a, ptrvec *pv, void *p)
{
    if (!p)
        return false;
    if (pv->n == pv->cap) {
        size_t cap = pv->cap ? pv->cap * 2 : 8;
        void **nv = sh_arena_ptrs(a, cap);
        if (!nv)
            return false;
        if (pv->n)
            memcpy(nv, pv->v, pv->n * sizeof *nv);
        pv->v = nv;
        pv->cap = cap;
    }
    pv->v[pv->n++] = p;
    return true;
}

/* Column text copied into the arena; NULL and "" (Stash's "unset") are absent. */
static char *col_str(sh_arena *a, sqlite3_stmt *stmt, int col, bool *oom)
{
    const char *t = sh_db_column_text(stmt, col);
    if (sh_str_empty(t))
        return NULL;
    char *s = sh_arena_strdup(a, t);
    if (!s)
        *oom = true;
    return s;
}

/* Column text that must be present (required proto strings): "" when NULL. */
static char *col_req(sh_arena *a, sqlite3_stmt *stmt, int col, bool *oom)
{
    const char *t = sh_db_column_text(stmt, col);
    char *s = sh_arena_strdup(a, t ? t : "");
    if (!s)
        *oom = true;
    return s;
}

static Stashhog__EntityRef *new_ref(sh_arena *a, int64_t id, sqlite3_stmt *stmt, int name_col, bool *oom)
{
    Stashhog__EntityRef *r = SH_ARENA_NEW(a, Stashhog__EntityRef);
    if (!r) {
        *oom = true;
        return NULL;
    }
    stashhog__entity_ref__init(r);
    r->id = id;
    r->name = col_req(a, stmt, name_col, oom);
    return r;
}

/* Runs a cached (id, name) statement for one scene into refs. */
static sh_status read_refs(sh_db *db, sh_arena *a, const char *sql, int64_t scene_id, size_t *n,
                           Stashhog__EntityRef ***refs, sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, sql, &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, scene_id);
    ptrvec pv = {0};
    bool oom = false;
    int rc = 0;
    while ((rc = sh_db_step(db, stmt, err)) == 1) {
        if (!ptrvec_push(a, &pv, new_ref(a, sqlite3_column_int64(stmt, 0), stmt, 1, &oom)) || oom) {
            oom = true;
            break;
        }
    }
    sqlite3_reset(stmt);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    if (oom)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    *n = pv.n;
    *refs = (Stashhog__EntityRef **)pv.v;
    return SH_OK;
}

sh_status sh_scene_read_summary(sh_db *db, sh_arena *a, int64_t id, Stashhog__SceneSummary **out, sh_error *err)
{
    *out = NULL;
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db,
                                 "SELECT s.title, s.date, s.studio_id, st.name, s.primary_path, s.organized, "
                                 "s.stash_updated_at FROM scenes s LEFT JOIN studios st ON st.id = s.studio_id "
                                 "WHERE s.id = ?1",
                                 &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    int rc = sh_db_step(db, stmt, err);
    if (rc <= 0) {
        sqlite3_reset(stmt);
        return rc < 0 ? (err ? err->code : SH_ERR_DB)
                      : sh_error_set(err, SH_ERR_NOT_FOUND, "scene %lld is not in the cache", (long long)id);
    }
    bool oom = false;
    Stashhog__SceneSummary *s = SH_ARENA_NEW(a, Stashhog__SceneSummary);
    if (!s) {
        sqlite3_reset(stmt);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    stashhog__scene_summary__init(s);
    s->id = id;
    s->title = col_str(a, stmt, 0, &oom);
    s->date = col_str(a, stmt, 1, &oom);
    if (sqlite3_column_type(stmt, 2) != SQLITE_NULL)
        s->studio = new_ref(a, sqlite3_column_int64(stmt, 2), stmt, 3, &oom);
    s->path = col_str(a, stmt, 4, &oom);
    s->has_organized = 1;
    s->organized = sqlite3_column_int(stmt, 5) != 0;
    s->updated_at = col_str(a, stmt, 6, &oom);
    sqlite3_reset(stmt);
    if (oom)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if ((st = read_refs(db, a,
                        "SELECT sp.performer_id, p.name FROM scene_performers sp "
                        "LEFT JOIN performers p ON p.id = sp.performer_id WHERE sp.scene_id = ?1 "
                        "ORDER BY p.name COLLATE NOCASE, sp.performer_id",
                        id, &s->n_performers, &s->performers, err)) != SH_OK ||
        (st = read_refs(db, a,
                        "SELECT st.tag_id, t.name FROM scene_tags st LEFT JOIN tags t ON t.id = st.tag_id "
                        "WHERE st.scene_id = ?1 ORDER BY t.name COLLATE NOCASE, st.tag_id",
                        id, &s->n_tags, &s->tags, err)) != SH_OK)
        return st;
    *out = s;
    return SH_OK;
}

static sh_status read_files(sh_db *db, sh_arena *a, Stashhog__SceneDetail *d, int64_t id, sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db,
                                 "SELECT id, path, size, duration, width, height, frame_rate, video_codec "
                                 "FROM scene_files WHERE scene_id = ?1 ORDER BY position, id",
                                 &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    ptrvec pv = {0};
    bool oom = false;
    int rc = 0;
    while (!oom && (rc = sh_db_step(db, stmt, err)) == 1) {
        Stashhog__SceneFile *f = SH_ARENA_NEW(a, Stashhog__SceneFile);
        if (!ptrvec_push(a, &pv, f)) {
            oom = true;
            break;
        }
        stashhog__scene_file__init(f);
        f->id = sqlite3_column_int64(stmt, 0);
        f->path = col_req(a, stmt, 1, &oom);
        if ((f->has_size = sqlite3_column_type(stmt, 2) != SQLITE_NULL))
            f->size = sqlite3_column_int64(stmt, 2);
        if ((f->has_duration = sqlite3_column_type(stmt, 3) != SQLITE_NULL))
            f->duration = sqlite3_column_double(stmt, 3);
        if ((f->has_width = sqlite3_column_type(stmt, 4) != SQLITE_NULL))
            f->width = sqlite3_column_int(stmt, 4);
        if ((f->has_height = sqlite3_column_type(stmt, 5) != SQLITE_NULL))
            f->height = sqlite3_column_int(stmt, 5);
        if ((f->has_frame_rate = sqlite3_column_type(stmt, 6) != SQLITE_NULL))
            f->frame_rate = sqlite3_column_double(stmt, 6);
        f->video_codec = col_str(a, stmt, 7, &oom);
    }
    sqlite3_reset(stmt);
    if (oom)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    d->n_files = pv.n;
    d->files = (Stashhog__SceneFile **)pv.v;
    return SH_OK;
}

static sh_status read_urls(sh_db *db, sh_arena *a, Stashhog__SceneDetail *d, int64_t id, sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st =
        sh_db_prepare(db, "SELECT url FROM scene_urls WHERE scene_id = ?1 ORDER BY position", &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    ptrvec pv = {0};
    bool oom = false;
    int rc = 0;
    while ((rc = sh_db_step(db, stmt, err)) == 1) {
        if (!ptrvec_push(a, &pv, col_req(a, stmt, 0, &oom))) {
            oom = true;
            break;
        }
    }
    sqlite3_reset(stmt);
    if (oom)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    d->n_urls = pv.n;
    d->urls = (char **)pv.v;
    return SH_OK;
}

sh_status sh_scene_read_detail(sh_db *db, sh_arena *a, int64_t id, Stashhog__SceneDetail **out, sh_error *err)
{
    *out = NULL;
    Stashhog__SceneDetail *d = SH_ARENA_NEW(a, Stashhog__SceneDetail);
    if (!d)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__scene_detail__init(d);
    sh_status st = sh_scene_read_summary(db, a, id, &d->summary, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *stmt = NULL;
    if ((st = sh_db_prepare(db, "SELECT code, details, stash_created_at, synced_at FROM scenes WHERE id = ?1",
                            &stmt, err)) != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    int rc = sh_db_step(db, stmt, err);
    bool oom = false;
    if (rc == 1) {
        d->code = col_str(a, stmt, 0, &oom);
        d->details = col_str(a, stmt, 1, &oom);
        d->created_at = col_str(a, stmt, 2, &oom);
        d->has_synced_at_ms = 1;
        d->synced_at_ms = sqlite3_column_int64(stmt, 3);
    }
    sqlite3_reset(stmt);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    if (oom)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if ((st = read_urls(db, a, d, id, err)) != SH_OK || (st = read_files(db, a, d, id, err)) != SH_OK)
        return st;
    *out = d;
    return SH_OK;
}

/* ------------------------------------------------------------ entities */

/* One row per EntityKind.  list columns: id, name, disambiguation,
 * parent id, parent name, ignore_auto_tag.  ?1 = LIKE pattern or NULL. */
static const struct entity_sql {
    const char *list, *count, *aliases, *scenes;
} entity_sql[] = {
    [STASHHOG__ENTITY_KIND__ENTITY_PERFORMER] =
        {"SELECT e.id, e.name, e.disambiguation, NULL, NULL, e.ignore_auto_tag FROM performers e "
         "WHERE ?1 IS NULL OR e.name LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM performer_aliases a "
         "WHERE a.performer_id = e.id AND a.alias LIKE ?1 ESCAPE '\\') "
         "ORDER BY e.name COLLATE NOCASE, e.id LIMIT ?2 OFFSET ?3",
         "SELECT count(*) FROM performers e "
         "WHERE ?1 IS NULL OR e.name LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM performer_aliases a "
         "WHERE a.performer_id = e.id AND a.alias LIKE ?1 ESCAPE '\\')",
         "SELECT alias FROM performer_aliases WHERE performer_id = ?1 ORDER BY alias",
         "SELECT count(*) FROM scene_performers WHERE performer_id = ?1"},
    [STASHHOG__ENTITY_KIND__ENTITY_STUDIO] =
        {"SELECT e.id, e.name, NULL, e.parent_id, ps.name, e.ignore_auto_tag FROM studios e "
         "LEFT JOIN studios ps ON ps.id = e.parent_id "
         "WHERE ?1 IS NULL OR e.name LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM studio_aliases a "
         "WHERE a.studio_id = e.id AND a.alias LIKE ?1 ESCAPE '\\') "
         "ORDER BY e.name COLLATE NOCASE, e.id LIMIT ?2 OFFSET ?3",
         "SELECT count(*) FROM studios e "
         "WHERE ?1 IS NULL OR e.name LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM studio_aliases a "
         "WHERE a.studio_id = e.id AND a.alias LIKE ?1 ESCAPE '\\')",
         "SELECT alias FROM studio_aliases WHERE studio_id = ?1 ORDER BY alias",
         "SELECT count(*) FROM scenes WHERE studio_id = ?1"},
    [STASHHOG__ENTITY_KIND__ENTITY_TAG] =
        {"SELECT e.id, e.name, NULL, NULL, NULL, e.ignore_auto_tag FROM tags e "
         "WHERE ?1 IS NULL OR e.name LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM tag_aliases a "
         "WHERE a.tag_id = e.id AND a.alias LIKE ?1 ESCAPE '\\') "
         "ORDER BY e.name COLLATE NOCASE, e.id LIMIT ?2 OFFSET ?3",
         "SELECT count(*) FROM tags e "
         "WHERE ?1 IS NULL OR e.name LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM tag_aliases a "
         "WHERE a.tag_id = e.id AND a.alias LIKE ?1 ESCAPE '\\')",
         "SELECT alias FROM tag_aliases WHERE tag_id = ?1 ORDER BY alias",
         "SELECT count(*) FROM scene_tags WHERE tag_id = ?1"},
};

/* "%text%" with LIKE's wildcards escaped, in the arena. */
static char *like_pattern(sh_arena *a, const char *s)
{
    char *p = sh_arena_alloc(a, strlen(s) * 2 + 3);
    if (!p)
        return NULL;
    size_t w = 0;
    p[w++] = '%';
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            p[w++] = '\\';
        p[w++] = *s;
    }
    p[w++] = '%';
    p[w] = '\0';
    return p;
}

static sh_status fill_entity(sh_db *db, sh_arena *a, const struct entity_sql *sql, Stashhog__Entity *e,
                             sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, sql->aliases, &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, e->id);
    ptrvec pv = {0};
    bool oom = false;
    int rc = 0;
    while ((rc = sh_db_step(db, stmt, err)) == 1) {
        if (!ptrvec_push(a, &pv, col_req(a, stmt, 0, &oom))) {
            oom = true;
            break;
        }
    }
    sqlite3_reset(stmt);
    if (oom)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    e->n_aliases = pv.n;
    e->aliases = (char **)pv.v;
    if ((st = sh_db_prepare(db, sql->scenes, &stmt, err)) != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, e->id);
    rc = sh_db_step(db, stmt, err);
    if (rc == 1) {
        e->has_scene_count = 1;
        e->scene_count = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_reset(stmt);
    return rc < 0 ? (err ? err->code : SH_ERR_DB) : SH_OK;
}

sh_status sh_entity_read_list(sh_db *db, sh_arena *a, const Stashhog__EntityListRequest *req,
                              Stashhog__EntityListReply **out, sh_error *err)
{
    *out = NULL;
    if ((unsigned)req->kind >= sizeof entity_sql / sizeof entity_sql[0])
        return sh_error_set(err, SH_ERR_INVALID, "unknown entity kind %d", (int)req->kind);
    if (req->has_offset && req->offset < 0)
        return sh_error_set(err, SH_ERR_INVALID, "negative offset");
    if (req->has_limit && req->limit < 0)
        return sh_error_set(err, SH_ERR_INVALID, "negative limit");
    if (req->query && strlen(req->query) > 1024)
        return sh_error_set(err, SH_ERR_INVALID, "query longer than 1024 bytes");
    const struct entity_sql *sql = &entity_sql[req->kind];
    int64_t limit = req->has_limit ? req->limit : SH_BROWSE_DEFAULT_PAGE;
    if (limit > SH_BROWSE_MAX_PAGE)
        limit = SH_BROWSE_MAX_PAGE;
    char *pattern = NULL;
    if (req->query && req->query[0] && !(pattern = like_pattern(a, req->query)))
        return sh_error_set(err, SH_ERR_NOMEM, NULL);

    Stashhog__EntityListReply *r = SH_ARENA_NEW(a, Stashhog__EntityListReply);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__entity_list_reply__init(r);
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, sql->count, &stmt, err);
    if (st != SH_OK)
        return st;
    sh_db_bind_text(stmt, 1, pattern);
    int rc = sh_db_step(db, stmt, err);
    r->has_total = 1;
    r->total = rc == 1 ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_reset(stmt);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;

    /* Rows first, then aliases and counts: the list statement is finished
     * before the per-entity statements run. */
    if ((st = sh_db_prepare(db, sql->list, &stmt, err)) != SH_OK)
        return st;
    sh_db_bind_text(stmt, 1, pattern);
    sqlite3_bind_int64(stmt, 2, limit);
    sqlite3_bind_int64(stmt, 3, req->has_offset ? req->offset : 0);
    ptrvec pv = {0};
    bool oom = false;
    while (!oom && (rc = sh_db_step(db, stmt, err)) == 1) {
        Stashhog__Entity *e = SH_ARENA_NEW(a, Stashhog__Entity);
        if (!ptrvec_push(a, &pv, e)) {
            oom = true;
            break;
        }
        stashhog__entity__init(e);
        e->id = sqlite3_column_int64(stmt, 0);
        e->name = col_req(a, stmt, 1, &oom);
        e->disambiguation = col_str(a, stmt, 2, &oom);
        if (sqlite3_column_type(stmt, 3) != SQLITE_NULL)
            e->parent = new_ref(a, sqlite3_column_int64(stmt, 3), stmt, 4, &oom);
        e->has_ignore_auto_tag = 1;
        e->ignore_auto_tag = sqlite3_column_int(stmt, 5) != 0;
    }
    sqlite3_reset(stmt);
    if (oom)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    for (size_t i = 0; i < pv.n; i++)
        if ((st = fill_entity(db, a, sql, pv.v[i], err)) != SH_OK)
            return st;
    r->n_entities = pv.n;
    r->entities = (Stashhog__Entity **)pv.v;
    *out = r;
    return SH_OK;
}
