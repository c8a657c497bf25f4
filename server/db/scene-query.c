#include "db/scene-query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/filter-tree.h"
#include "db/saved-filters.h"
#include "db/sql-buf.h"
#include "sh-log.h"
#include "sh-util.h"

#define LOG "query"

/* Short names for the builder calls this file makes by the dozen. */
#define put sh_sqlbuf_put
#define bind_int sh_sqlbuf_bind_int
#define bind_text sh_sqlbuf_bind_text

/* One condition of the WHERE clause. */
static void cond(sh_sqlbuf *q, const char *frag)
{
    put(q, q->where_open ? " AND " : " WHERE ");
    q->where_open = true;
    put(q, frag);
}

/* ------------------------------------------------------------ filter model */

/* Which condition leads a plan that combines an id set (performer, tag)
 * with an indexed column condition (studio, date); see choose_lead(). */
typedef enum lead { LEAD_PLANNER, LEAD_COLUMNS, LEAD_PERFORMER, LEAD_TAG } lead;

/* The filter reduced to what the SQL needs, values pre-rendered. */
typedef struct fplan fplan;
struct fplan {
    const Stashhog__SceneFilter *f; /* never NULL (an empty filter stands in) */
    char *fts;                      /* FTS5 expression */
    char *scene_ids, *studio_ids, *not_performers, *not_tags; /* JSON arrays */
    char date_lo[16], date_hi[16];
    bool has_date;
    char *path_like;
    unsigned missing; /* bit (1 << MissingField) */
    lead lead;        /* LEAD_PLANNER: SQLite picks */
    size_t lead_index; /* which performer_ids / tag_ids entry leads */
    /* A saved filter named by f->saved, loaded when the query runs: its
     * conditions are ANDed with ours.  Both live in arena. */
    sh_arena *arena;
    fplan *saved;
};

#define MISSING(p, m) (((p)->missing >> STASHHOG__MISSING_FIELD__##m) & 1u)

static const Stashhog__SceneFilter empty_filter = STASHHOG__SCENE_FILTER__INIT;

static char *json_ids(const int64_t *v, size_t n)
{
    /* 20 digits + sign + comma per id */
    char *s = malloc(n * 22 + 3);
    if (!s)
        return NULL;
    size_t w = 0;
    s[w++] = '[';
    for (size_t i = 0; i < n; i++)
        w += (size_t)sprintf(s + w, "%s%lld", i ? "," : "", (long long)v[i]);
    s[w++] = ']';
    s[w] = '\0';
    return s;
}

/* YYYY, YYYY-MM or YYYY-MM-DD. */
static bool valid_date(const char *d)
{
    size_t n = strlen(d);
    if (n != 4 && n != 7 && n != 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
            return false;
    }
    return true;
}

static sh_status check_ids(const char *what, size_t n, size_t max, sh_error *err)
{
    if (n > max)
        return sh_error_set(err, SH_ERR_INVALID, "filter: too many %s (%zu, at most %zu)", what, n, max);
    return SH_OK;
}

sh_status sh_scene_filter_validate(const Stashhog__SceneFilter *f, sh_error *err)
{
    if (!f)
        return SH_OK;
    sh_status st;
    if ((st = check_ids("performer ids", f->n_performer_ids, SH_SCENE_QUERY_MAX_INCLUDE, err)) != SH_OK ||
        (st = check_ids("tag ids", f->n_tag_ids, SH_SCENE_QUERY_MAX_INCLUDE, err)) != SH_OK ||
        (st = check_ids("scene ids", f->n_scene_ids, SH_SCENE_QUERY_MAX_IDS, err)) != SH_OK ||
        (st = check_ids("studio ids", f->n_studio_ids, SH_SCENE_QUERY_MAX_IDS, err)) != SH_OK ||
        (st = check_ids("excluded performers", f->n_exclude_performer_ids, SH_SCENE_QUERY_MAX_IDS, err)) !=
            SH_OK ||
        (st = check_ids("excluded tags", f->n_exclude_tag_ids, SH_SCENE_QUERY_MAX_IDS, err)) != SH_OK)
        return st;
    if (f->query && strlen(f->query) > SH_SCENE_QUERY_MAX_TEXT)
        return sh_error_set(err, SH_ERR_INVALID, "filter: query longer than %d bytes", SH_SCENE_QUERY_MAX_TEXT);
    if (f->path_contains && strlen(f->path_contains) > SH_SCENE_QUERY_MAX_TEXT)
        return sh_error_set(err, SH_ERR_INVALID, "filter: path longer than %d bytes", SH_SCENE_QUERY_MAX_TEXT);
    if (!sh_str_empty(f->date_from) && !valid_date(f->date_from))
        return sh_error_set(err, SH_ERR_INVALID, "filter: date_from '%s' is not YYYY[-MM[-DD]]", f->date_from);
    if (!sh_str_empty(f->date_to) && !valid_date(f->date_to))
        return sh_error_set(err, SH_ERR_INVALID, "filter: date_to '%s' is not YYYY[-MM[-DD]]", f->date_to);
    for (size_t i = 0; i < f->n_missing; i++)
        if ((unsigned)f->missing[i] > STASHHOG__MISSING_FIELD__MISSING_CODE)
            return sh_error_set(err, SH_ERR_INVALID, "filter: unknown missing field %d", (int)f->missing[i]);
    if (f->saved && (st = sh_saved_filter_check_name(f->saved, err)) != SH_OK)
        return st;
    return sh_filter_tree_validate(f->where, err);
}

static bool is_word_byte(unsigned char c)
{
    /* Any non-ASCII byte may be a letter; unicode61 decides the rest. */
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

sh_status sh_scene_fts_expression(const char *text, char **out, sh_error *err)
{
    *out = NULL;
    if (!text)
        return SH_OK;
    size_t n = strlen(text);
    if (n > SH_SCENE_QUERY_MAX_TEXT)
        return sh_error_set(err, SH_ERR_INVALID, "query longer than %d bytes", SH_SCENE_QUERY_MAX_TEXT);
    /* Worst case: every byte a quote (doubled) plus `"`, `"*` and a space per token. */
    char *expr = malloc(n * 2 + 4 * (n + 1) + 1);
    if (!expr)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    size_t w = 0;
    const char *p = text;
    while (*p) {
        while (is_space(*p))
            p++;
        const char *start = p;
        bool word = false;
        while (*p && !is_space(*p))
            word |= is_word_byte((unsigned char)*p++);
        if (!word)
            continue; /* punctuation alone would be an empty phrase */
        if (w)
            expr[w++] = ' ';
        expr[w++] = '"';
        for (const char *c = start; c < p; c++) {
            if (*c == '"')
                expr[w++] = '"';
            expr[w++] = *c;
        }
        expr[w++] = '"';
        expr[w++] = '*';
    }
    expr[w] = '\0';
    if (w == 0) {
        free(expr);
        return SH_OK;
    }
    *out = expr;
    return SH_OK;
}

/* LIKE pattern for a substring, with \ as the escape character. */
static char *like_pattern(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n * 2 + 3);
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

static void fplan_free(fplan *p)
{
    if (p->saved)
        fplan_free(p->saved);
    sh_arena_destroy(p->arena);
    free(p->fts);
    free(p->scene_ids);
    free(p->studio_ids);
    free(p->not_performers);
    free(p->not_tags);
    free(p->path_like);
    memset(p, 0, sizeof *p);
}

static sh_status fplan_build(fplan *p, const Stashhog__SceneFilter *f, sh_error *err);

/* Resolve f->saved now, in the caller's transaction: a schedule's job sees
 * the filter as it is when the job runs. */
static sh_status fplan_load_saved(fplan *p, sh_db *db, const char *name, sh_error *err)
{
    Stashhog__SavedFilter *sf = NULL;
    if (!(p->arena = sh_arena_create()) || !(p->saved = sh_arena_alloc(p->arena, sizeof *p->saved))) {
        sh_error_set(err, SH_ERR_NOMEM, NULL);
        return SH_ERR_NOMEM;
    }
    sh_status st = sh_saved_filter_get(db, p->arena, name, &sf, err);
    if (st != SH_OK)
        return st;
    if (sf->filter && sf->filter->saved) /* refused when saved; a damaged row must not recurse */
        return sh_error_set(err, SH_ERR_INVALID, "saved filter '%s' refers to another saved filter", name);
    sh_error inner = {0};
    st = fplan_build(p->saved, sf->filter, &inner);
    if (st != SH_OK)
        sh_error_set(err, st, "saved filter '%s': %s", name, inner.message);
    return st;
}

/* The filter's own conditions (f->saved is resolved by fplan_init). */
static sh_status fplan_build(fplan *p, const Stashhog__SceneFilter *f, sh_error *err)
{
    memset(p, 0, sizeof *p);
    sh_status st = sh_scene_filter_validate(f, err);
    if (st != SH_OK)
        return st;
    p->f = f ? f : &empty_filter;
    f = p->f;
    if ((st = sh_scene_fts_expression(f->query, &p->fts, err)) != SH_OK)
        return st;
    bool oom = false;
    if (f->n_scene_ids)
        oom |= !(p->scene_ids = json_ids(f->scene_ids, f->n_scene_ids));
    if (f->n_studio_ids)
        oom |= !(p->studio_ids = json_ids(f->studio_ids, f->n_studio_ids));
    if (f->n_exclude_performer_ids)
        oom |= !(p->not_performers = json_ids(f->exclude_performer_ids, f->n_exclude_performer_ids));
    if (f->n_exclude_tag_ids)
        oom |= !(p->not_tags = json_ids(f->exclude_tag_ids, f->n_exclude_tag_ids));
    if (f->path_contains && !sh_str_empty(f->path_contains))
        oom |= !(p->path_like = like_pattern(f->path_contains));
    if (oom) {
        fplan_free(p); /* also a loaded saved filter */
        sh_error_set(err, SH_ERR_NOMEM, NULL);
        return SH_ERR_NOMEM; /* a literal: the analyzer cannot see through sh_error_set */
    }
    if (!sh_str_empty(f->date_from) || !sh_str_empty(f->date_to)) {
        /* Bounds that exclude NULL and '' dates; a partial upper bound
         * ("2010", "2010-05") covers its whole year or month. */
        p->has_date = true;
        snprintf(p->date_lo, sizeof p->date_lo, "%s", sh_str_empty(f->date_from) ? "0" : f->date_from);
        snprintf(p->date_hi, sizeof p->date_hi, "%s%s", sh_str_empty(f->date_to) ? "9" : f->date_to,
                 !f->date_to || sh_str_empty(f->date_to) || strlen(f->date_to) < 10 ? "~" : "");
    }
    for (size_t i = 0; i < f->n_missing; i++)
        p->missing |= 1u << f->missing[i];
    return SH_OK;
}

/* ------------------------------------------------------------ leading */

/* Rows counted at most when sizing a candidate leader: enough to tell a
 * narrow set from a broad one while sizing stays well under a millisecond. */
#define LEAD_COUNT_CAP 10000
/* An id set leads only when clearly smaller: each of its rows costs a read
 * of a wide scene row (to check studio, organized, ...), where a column
 * leader's rows are checked inside its covering index and the sets are
 * probed by primary key (measured ~1.7x at 100k scenes, warm cache). */
#define LEAD_SET_ROW_COST 2

/* Step a cached count(*) statement once; leaves it reset and unbound (its
 * text parameters point into the fplan). */
static sh_status count_rows(sh_db *db, sqlite3_stmt *stmt, int64_t *n, sh_error *err)
{
    int rc = sh_db_step(db, stmt, err);
    *n = rc == 1 ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc < 0 ? (err ? err->code : SH_ERR_DB) : SH_OK;
}

/* Size of one id set, counted up to limit rows. */
static sh_status count_set(sh_db *db, lead kind, int64_t id, int64_t limit, int64_t *n, sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st = kind == LEAD_PERFORMER
                       ? sh_db_prepare(db, "SELECT count(*) FROM (SELECT 1 FROM scene_performers "
                                           "WHERE performer_id = ?1 LIMIT ?2)", &stmt, err)
                       : sh_db_prepare(db, "SELECT count(*) FROM (SELECT 1 FROM scene_tags "
                                           "WHERE tag_id = ?1 LIMIT ?2)", &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int64(stmt, 2, limit);
    return count_rows(db, stmt, n, err);
}

/* Scenes matching the studio or date condition (the smaller), up to cap. */
static sh_status count_columns(sh_db *db, const fplan *p, int64_t *n, sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st;
    int64_t m = LEAD_COUNT_CAP;
    *n = LEAD_COUNT_CAP;
    if (p->studio_ids) {
        if ((st = sh_db_prepare(db, "SELECT count(*) FROM (SELECT 1 FROM scenes WHERE studio_id IN "
                                    "(SELECT value FROM json_each(?1)) LIMIT ?2)", &stmt, err)) != SH_OK)
            return st;
        sqlite3_bind_text(stmt, 1, p->studio_ids, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, *n);
        if ((st = count_rows(db, stmt, n, err)) != SH_OK)
            return st;
    }
    if (p->has_date) {
        if ((st = sh_db_prepare(db, "SELECT count(*) FROM (SELECT 1 FROM scenes WHERE date >= ?1 AND date <= ?2 "
                                    "LIMIT ?3)", &stmt, err)) != SH_OK)
            return st;
        sqlite3_bind_text(stmt, 1, p->date_lo, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, p->date_hi, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 3, *n);
        if ((st = count_rows(db, stmt, &m, err)) != SH_OK)
            return st;
        if (m < *n)
            *n = m;
    }
    return SH_OK;
}

/* Pick the leader of a filter that has both an id set and a studio or date
 * condition.  SQLite cannot: it assumes every IN (SELECT ...) list holds
 * ~25 rows (whatever ANALYZE says), so it always led with the id set, and a
 * broad tag (8,000 scenes) then cost a wide scene-row read per scene just
 * to check its studio.  So we size the candidates with bounded counts on
 * covering indexes, then write the SQL so that only the chosen plan is
 * possible (emit_where): the leader as an index range or rowid list, other
 * id sets as primary-key probes (EXISTS), other columns behind a unary
 * plus.  Full text and explicit scene ids keep SQLite's choice. */
static sh_status choose_lead(fplan *p, sh_db *db, sh_error *err)
{
    const Stashhog__SceneFilter *f = p->f;
    p->lead = LEAD_PLANNER;
    if (!(p->studio_ids || p->has_date) || !(f->n_performer_ids || f->n_tag_ids) || p->scene_ids || p->fts)
        return SH_OK;
    int64_t best = 0, n = 0;
    sh_status st = count_columns(db, p, &best, err);
    if (st != SH_OK)
        return st;
    lead who = LEAD_COLUMNS;
    size_t which = 0;
    for (int k = 0; k < 2; k++) {
        lead kind = k ? LEAD_TAG : LEAD_PERFORMER;
        size_t count = k ? f->n_tag_ids : f->n_performer_ids;
        const int64_t *ids = k ? f->tag_ids : f->performer_ids;
        for (size_t i = 0; i < count; i++) {
            /* Only "smaller than best" matters: a capped count never wins. */
            if ((st = count_set(db, kind, ids[i], best / LEAD_SET_ROW_COST + 1, &n, err)) != SH_OK)
                return st;
            if (n * LEAD_SET_ROW_COST < best) {
                best = n * LEAD_SET_ROW_COST;
                who = kind;
                which = i;
            }
        }
    }
    p->lead = who;
    p->lead_index = which;
    return SH_OK;
}

static sh_status fplan_init(fplan *p, sh_db *db, const Stashhog__SceneFilter *f, sh_error *err)
{
    sh_status st = fplan_build(p, f, err);
    if (st == SH_OK && p->f->saved && (st = fplan_load_saved(p, db, p->f->saved, err)) != SH_OK) {
        fplan_free(p);
        return st;
    }
    if (st == SH_OK && (st = choose_lead(p, db, err)) != SH_OK)
        fplan_free(p);
    return st;
}

/* Conditions on scenes columns: they need the scenes table (or its indexes). */
static bool has_column_conditions(const fplan *p)
{
    return p->f->where || p->saved || p->studio_ids || p->f->has_organized || p->has_date || p->path_like || MISSING(p, MISSING_STUDIO) ||
           MISSING(p, MISSING_DATE) || MISSING(p, MISSING_TITLE) || MISSING(p, MISSING_DETAILS) ||
           MISSING(p, MISSING_CODE);
}

/* ------------------------------------------------------------ compiler */

/* The id sets a scene must belong to.  Each yields distinct scene ids. */
#define SET_PERFORMER "SELECT scene_id AS id FROM scene_performers WHERE performer_id = ?"
#define SET_TAG "SELECT scene_id AS id FROM scene_tags WHERE tag_id = ?"
#define SET_FTS "SELECT rowid AS id FROM scene_fts WHERE scene_fts MATCH ?"
/* Membership of scene s in a set, by primary key (scene_id, ...). */
#define PROBE_PERFORMER "EXISTS (SELECT 1 FROM scene_performers WHERE scene_id = s.id AND performer_id = ?)"
#define PROBE_TAG "EXISTS (SELECT 1 FROM scene_tags WHERE scene_id = s.id AND tag_id = ?)"

/* Which id set drives a count or an id-sorted page (skipped in the WHERE). */
typedef enum driver { DRIVER_NONE, DRIVER_PERFORMER, DRIVER_TAG, DRIVER_FTS } driver;

/* Without conditions on scenes columns, an id set can stand in for the
 * scenes table: its rows are exactly scenes (see the header).  Smallest
 * sets first: a performer's scenes are usually fewer than a tag's. */
static driver pick_driver(const fplan *p)
{
    if (has_column_conditions(p))
        return DRIVER_NONE;
    if (p->f->n_performer_ids)
        return DRIVER_PERFORMER;
    if (p->f->n_tag_ids)
        return DRIVER_TAG;
    return p->fts ? DRIVER_FTS : DRIVER_NONE;
}

static void emit_driver(sh_sqlbuf *q, const fplan *p, driver d)
{
    switch (d) {
    case DRIVER_PERFORMER:
        put(q, "(" SET_PERFORMER ") AS s");
        bind_int(q, p->f->performer_ids[0]);
        break;
    case DRIVER_TAG:
        put(q, "(" SET_TAG ") AS s");
        bind_int(q, p->f->tag_ids[0]);
        break;
    case DRIVER_FTS:
        put(q, "(" SET_FTS ") AS s");
        bind_text(q, p->fts);
        break;
    case DRIVER_NONE:
        put(q, "scenes s");
        break;
    }
}

/* Filters selective enough to lead a query plan. */
static bool has_selective_condition(const fplan *p)
{
    return p->scene_ids || p->f->n_performer_ids || p->f->n_tag_ids || p->fts || p->studio_ids || p->has_date;
}

/* Every condition, on alias s: either the scenes table or a driver's id
 * column (then there are no column conditions).
 *
 * Weak column conditions (a boolean, "is empty", a substring) are written
 * as "+col" when a selective filter is present: the unary plus keeps SQLite
 * from leading with their low-selectivity indexes (say, half the library
 * walked in scenes_organized order) instead of the studio, date or id sets. */
static void emit_where(sh_sqlbuf *q, const fplan *p, driver skip)
{
    const Stashhog__SceneFilter *f = p->f;
    bool weak = has_selective_condition(p);
    if (p->scene_ids) {
        cond(q, "s.id IN (SELECT value FROM json_each(?))");
        bind_text(q, p->scene_ids);
    }
    /* With a chosen leader (choose_lead) every other id set is a probe. */
    bool chosen = p->lead != LEAD_PLANNER, set_leads = p->lead == LEAD_PERFORMER || p->lead == LEAD_TAG;
    for (size_t i = skip == DRIVER_PERFORMER ? 1 : 0; i < f->n_performer_ids; i++) {
        bool probe = chosen && !(p->lead == LEAD_PERFORMER && p->lead_index == i);
        cond(q, probe ? PROBE_PERFORMER : "s.id IN (" SET_PERFORMER ")");
        bind_int(q, f->performer_ids[i]);
    }
    for (size_t i = skip == DRIVER_TAG ? 1 : 0; i < f->n_tag_ids; i++) {
        bool probe = chosen && !(p->lead == LEAD_TAG && p->lead_index == i);
        cond(q, probe ? PROBE_TAG : "s.id IN (" SET_TAG ")");
        bind_int(q, f->tag_ids[i]);
    }
    if (p->fts && skip != DRIVER_FTS) {
        cond(q, "s.id IN (" SET_FTS ")");
        bind_text(q, p->fts);
    }
    if (p->studio_ids) {
        cond(q, set_leads ? "+s.studio_id IN (SELECT value FROM json_each(?))"
                          : "s.studio_id IN (SELECT value FROM json_each(?))");
        bind_text(q, p->studio_ids);
    }
    if (f->has_organized) {
        cond(q, weak ? "+s.organized = ?" : "s.organized = ?");
        bind_int(q, f->organized ? 1 : 0);
    }
    if (p->has_date) {
        cond(q, set_leads ? "+s.date >= ? AND +s.date <= ?" : "s.date >= ? AND s.date <= ?");
        bind_text(q, p->date_lo);
        bind_text(q, p->date_hi);
    }
    if (p->path_like) {
        cond(q, "(s.primary_path LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM scene_files sf "
                "WHERE sf.scene_id = s.id AND sf.path LIKE ? ESCAPE '\\'))");
        bind_text(q, p->path_like);
        bind_text(q, p->path_like);
    }
    if (p->not_performers) {
        cond(q, "s.id NOT IN (SELECT scene_id FROM scene_performers WHERE performer_id IN "
                "(SELECT value FROM json_each(?)))");
        bind_text(q, p->not_performers);
    }
    if (p->not_tags) {
        cond(q, "s.id NOT IN (SELECT scene_id FROM scene_tags WHERE tag_id IN (SELECT value FROM json_each(?)))");
        bind_text(q, p->not_tags);
    }
    if (MISSING(p, MISSING_STUDIO))
        cond(q, weak ? "+s.studio_id IS NULL" : "s.studio_id IS NULL");
    if (MISSING(p, MISSING_PERFORMERS))
        cond(q, "NOT EXISTS (SELECT 1 FROM scene_performers mp WHERE mp.scene_id = s.id)");
    if (MISSING(p, MISSING_TAGS))
        cond(q, "NOT EXISTS (SELECT 1 FROM scene_tags mt WHERE mt.scene_id = s.id)");
    /* Stash returns "" for unset text fields; either form counts as missing. */
    if (MISSING(p, MISSING_DATE))
        cond(q, weak ? "(+s.date IS NULL OR +s.date = '')" : "(s.date IS NULL OR s.date = '')");
    if (MISSING(p, MISSING_TITLE))
        cond(q, weak ? "(+s.title IS NULL OR +s.title = '')" : "(s.title IS NULL OR s.title = '')");
    if (MISSING(p, MISSING_DETAILS))
        cond(q, "(s.details IS NULL OR s.details = '')");
    if (MISSING(p, MISSING_CODE))
        cond(q, "(s.code IS NULL OR s.code = '')");
    if (f->where) {
        cond(q, "");
        if (sh_filter_tree_compile(f->where, q, NULL) != SH_OK)
            q->oom = true; /* validated in fplan_init: only allocation can fail */
    }
    if (p->saved)
        emit_where(q, p->saved, DRIVER_NONE);
}

static const char *order_sql(const sh_scene_order *o)
{
    static const char *const asc[] = {
        [STASHHOG__SCENE_SORT__SCENE_SORT_ID] = "s.id",
        [STASHHOG__SCENE_SORT__SCENE_SORT_TITLE] = "s.title COLLATE NOCASE, s.id",
        [STASHHOG__SCENE_SORT__SCENE_SORT_DATE] = "s.date, s.id",
        [STASHHOG__SCENE_SORT__SCENE_SORT_PATH] = "s.primary_path, s.id",
        [STASHHOG__SCENE_SORT__SCENE_SORT_UPDATED] = "s.stash_updated_at, s.id",
    };
    static const char *const desc[] = {
        [STASHHOG__SCENE_SORT__SCENE_SORT_ID] = "s.id DESC",
        [STASHHOG__SCENE_SORT__SCENE_SORT_TITLE] = "s.title COLLATE NOCASE DESC, s.id DESC",
        [STASHHOG__SCENE_SORT__SCENE_SORT_DATE] = "s.date DESC, s.id DESC",
        [STASHHOG__SCENE_SORT__SCENE_SORT_PATH] = "s.primary_path DESC, s.id DESC",
        [STASHHOG__SCENE_SORT__SCENE_SORT_UPDATED] = "s.stash_updated_at DESC, s.id DESC",
    };
    unsigned sort = o ? (unsigned)o->sort : 0;
    if (sort >= sizeof asc / sizeof asc[0])
        return NULL;
    return o && o->descending ? desc[sort] : asc[sort];
}

static sh_status compile_page(const fplan *p, const sh_scene_order *order, int64_t offset, int64_t limit,
                              sh_sqlbuf *q, sh_error *err)
{
    const char *ord = order_sql(order);
    if (!ord)
        return sh_error_set(err, SH_ERR_INVALID, "unknown scene sort %d", (int)order->sort);
    if (offset < 0)
        return sh_error_set(err, SH_ERR_INVALID, "negative offset");
    /* Ids only: the plan may then use covering indexes end to end.  In id
     * order a driver set is walked in its own index order (scene_tags_tag,
     * scene_performers_performer, FTS rowids) and stops after the page. */
    driver d = order && order->sort != STASHHOG__SCENE_SORT__SCENE_SORT_ID ? DRIVER_NONE : pick_driver(p);
    put(q, "SELECT s.id FROM ");
    emit_driver(q, p, d);
    emit_where(q, p, d);
    put(q, " ORDER BY ");
    put(q, ord);
    put(q, " LIMIT ? OFFSET ?");
    bind_int(q, limit < 0 ? -1 : limit);
    bind_int(q, offset);
    return q->oom ? sh_error_set(err, SH_ERR_NOMEM, NULL) : SH_OK;
}

static sh_status compile_count(const fplan *p, sh_sqlbuf *q, sh_error *err)
{
    driver d = pick_driver(p);
    put(q, "SELECT count(*) FROM ");
    emit_driver(q, p, d);
    emit_where(q, p, d);
    return q->oom ? sh_error_set(err, SH_ERR_NOMEM, NULL) : SH_OK;
}

/* ------------------------------------------------------------ running */

sh_status sh_scene_query_count(sh_db *db, const Stashhog__SceneFilter *filter, int64_t *total, sh_error *err)
{
    *total = 0;
    fplan p;
    sh_sqlbuf q = {0};
    sqlite3_stmt *stmt = NULL;
    sh_status st = fplan_init(&p, db, filter, err);
    if (st != SH_OK)
        return st;
    if ((st = compile_count(&p, &q, err)) != SH_OK || (st = sh_sqlbuf_prepare(db, &q, NULL, &stmt, err)) != SH_OK)
        goto out;
    int rc = sh_db_step(db, stmt, err);
    if (rc < 0) {
        st = err ? err->code : SH_ERR_DB;
        goto out;
    }
    *total = rc ? sqlite3_column_int64(stmt, 0) : 0;
out:
    sqlite3_finalize(stmt);
    sh_sqlbuf_free(&q);
    fplan_free(&p);
    return st;
}

struct sh_scene_cursor {
    sh_db *db;
    sqlite3_stmt *stmt;
};

sh_status sh_scene_cursor_open(sh_db *db, const Stashhog__SceneFilter *filter, const sh_scene_order *order,
                               int64_t offset, int64_t limit, sh_scene_cursor **out, sh_error *err)
{
    *out = NULL;
    fplan p;
    sh_sqlbuf q = {0};
    sh_scene_cursor *cur = NULL;
    sh_status st = fplan_init(&p, db, filter, err);
    if (st != SH_OK)
        return st;
    if ((st = compile_page(&p, order, offset, limit, &q, err)) != SH_OK)
        goto out;
    if (!(cur = calloc(1, sizeof *cur))) {
        sh_error_set(err, SH_ERR_NOMEM, NULL);
        st = SH_ERR_NOMEM;
        goto out;
    }
    cur->db = db;
    if ((st = sh_sqlbuf_prepare(db, &q, NULL, &cur->stmt, err)) != SH_OK)
        goto out;
    *out = cur;
    cur = NULL;
out:
    sh_scene_cursor_close(cur);
    sh_sqlbuf_free(&q);
    fplan_free(&p);
    return st;
}

int sh_scene_cursor_next(sh_scene_cursor *cur, int64_t *id, sh_error *err)
{
    int rc = sh_db_step(cur->db, cur->stmt, err);
    if (rc == 1)
        *id = sqlite3_column_int64(cur->stmt, 0);
    return rc;
}

void sh_scene_cursor_close(sh_scene_cursor *cur)
{
    if (!cur)
        return;
    sqlite3_finalize(cur->stmt);
    free(cur);
}

sh_status sh_scene_query_ids(sh_db *db, const Stashhog__SceneFilter *filter, const sh_scene_order *order,
                             int64_t offset, int64_t limit, sh_scene_id_fn fn, void *user, sh_error *err)
{
    sh_scene_cursor *cur = NULL;
    sh_status st = sh_scene_cursor_open(db, filter, order, offset, limit, &cur, err);
    if (st != SH_OK)
        return st;
    int64_t id = 0;
    int rc;
    while ((rc = sh_scene_cursor_next(cur, &id, err)) == 1) {
        if ((st = fn(user, id, err)) != SH_OK)
            break;
    }
    if (rc < 0)
        st = err ? err->code : SH_ERR_DB;
    sh_scene_cursor_close(cur);
    return st;
}

sh_status sh_scene_query_explain(sh_db *db, const Stashhog__SceneFilter *filter, const sh_scene_order *order,
                                 bool count, char **sql, char **plan, sh_error *err)
{
    if (sql)
        *sql = NULL;
    if (plan)
        *plan = NULL;
    fplan p;
    sh_sqlbuf q = {0}, lines = {0};
    sqlite3_stmt *stmt = NULL;
    sh_status st = fplan_init(&p, db, filter, err);
    if (st != SH_OK)
        return st;
    st = count ? compile_count(&p, &q, err) : compile_page(&p, order, 0, 100, &q, err);
    if (st != SH_OK || (st = sh_sqlbuf_prepare(db, &q, "EXPLAIN QUERY PLAN ", &stmt, err)) != SH_OK)
        goto out;
    int rc;
    put(&lines, "");
    while ((rc = sh_db_step(db, stmt, err)) == 1) {
        if (lines.len)
            put(&lines, "\n");
        put(&lines, sh_db_column_text(stmt, 3) ? sh_db_column_text(stmt, 3) : "");
    }
    if (rc < 0) {
        st = err ? err->code : SH_ERR_DB;
        goto out;
    }
    if (lines.oom) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    if (sql) {
        *sql = q.sql;
        q.sql = NULL;
    }
    if (plan) {
        *plan = lines.sql;
        lines.sql = NULL;
    }
out:
    sqlite3_finalize(stmt);
    sh_sqlbuf_free(&q);
    sh_sqlbuf_free(&lines);
    fplan_free(&p);
    return st;
}
