#include "db/scene-import.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/csv-read.h"
#include "db/scene-record.h"
#include "sh-pbjson.h"
#include "sh-util.h"
#include "stashhog.pb-c.h"

sh_import_format sh_import_detect(const char *content, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(content, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && isspace((unsigned char)content[i]))
        i++;
    return i < len && (content[i] == '[' || content[i] == '{') ? SH_IMPORT_JSON : SH_IMPORT_CSV;
}

const char *sh_import_unguard(const char *cell)
{
    if (cell && cell[0] == '\'' && strchr("=+-@\t\r", cell[1]) && cell[1])
        return cell + 1;
    return cell;
}

sh_status sh_import_path_error(sh_error *err, const char *where)
{
    if (!err)
        return SH_ERR_INVALID;
    char msg[SH_ERROR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", err->message);
    bool key = isalpha((unsigned char)msg[0]) || msg[0] == '_';
    bool index = msg[0] == '[';
    return sh_error_set(err, err->code, "%s%s%s", where, key ? "." : index ? "" : ": ", msg);
}

void sh_scene_import_result_fini(sh_scene_import_result *res)
{
    json_decref(res->warnings);
    res->warnings = NULL;
}

static void warn(sh_scene_import_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(sh_scene_import_result *res, const char *fmt, ...)
{
    if (json_array_size(res->warnings) >= SH_IMPORT_MAX_WARNINGS)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_array_append_new(res->warnings, json_string(buf));
}

/* ------------------------------------------------------------- lookups */

static sh_status lookup_id(sh_db *db, const char *sql, const char *text, int64_t num, int64_t *id,
                           sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, sql, &s, err);
    if (st != SH_OK)
        return st;
    if (text)
        sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(s, 1, num);
    int rc = sh_db_step(db, s, err);
    *id = rc > 0 ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc < 0 ? (err ? err->code : SH_ERR_DB) : SH_OK;
}

sh_status sh_import_entity_by_name(sh_db *db, sh_store_kind kind, const char *name, int64_t *id,
                                   sh_error *err)
{
    /* Literal SQL per kind so sh_db_prepare can cache the statements. */
    static const char *const sql[SH_STORE_KIND_COUNT][3] = {
        {"SELECT id FROM performers WHERE name = ?1 ORDER BY id LIMIT 1",
         "SELECT id FROM performers WHERE name = ?1 COLLATE NOCASE ORDER BY id LIMIT 1",
         "SELECT performer_id FROM performer_aliases WHERE alias = ?1 COLLATE NOCASE ORDER BY 1 LIMIT 1"},
        {"SELECT id FROM studios WHERE name = ?1 ORDER BY id LIMIT 1",
         "SELECT id FROM studios WHERE name = ?1 COLLATE NOCASE ORDER BY id LIMIT 1",
         "SELECT studio_id FROM studio_aliases WHERE alias = ?1 COLLATE NOCASE ORDER BY 1 LIMIT 1"},
        {"SELECT id FROM tags WHERE name = ?1 ORDER BY id LIMIT 1",
         "SELECT id FROM tags WHERE name = ?1 COLLATE NOCASE ORDER BY id LIMIT 1",
         "SELECT tag_id FROM tag_aliases WHERE alias = ?1 COLLATE NOCASE ORDER BY 1 LIMIT 1"},
    };
    *id = 0;
    if ((unsigned)kind >= SH_STORE_KIND_COUNT)
        return sh_error_set(err, SH_ERR_INVALID, "unknown entity kind");
    sh_status st = SH_OK;
    for (int i = 0; i < 3 && st == SH_OK && *id == 0; i++)
        st = lookup_id(db, sql[kind][i], name, 0, id, err);
    return st;
}

sh_status sh_import_entity_exists(sh_db *db, sh_store_kind kind, int64_t id, bool *exists, sh_error *err)
{
    static const char *const sql[SH_STORE_KIND_COUNT] = {
        "SELECT id FROM performers WHERE id = ?1",
        "SELECT id FROM studios WHERE id = ?1",
        "SELECT id FROM tags WHERE id = ?1",
    };
    int64_t found = 0;
    if ((unsigned)kind >= SH_STORE_KIND_COUNT)
        return sh_error_set(err, SH_ERR_INVALID, "unknown entity kind");
    sh_status st = lookup_id(db, sql[kind], NULL, id, &found, err);
    *exists = found != 0;
    return st;
}

sh_status sh_import_scene_exists(sh_db *db, int64_t id, bool *exists, sh_error *err)
{
    int64_t found = 0;
    sh_status st = lookup_id(db, "SELECT id FROM scenes WHERE id = ?1", NULL, id, &found, err);
    *exists = found != 0;
    return st;
}

/* ------------------------------------------------------------- rows */

typedef struct import_ctx {
    sh_db *db;
    int64_t now;
    sh_scene_import_result *res;
    sh_arena *arena; /* the current row's; replaced per row */
} import_ctx;

/* A field error as "[3].date: 'x' is not YYYY-MM-DD" (JSON) or
 * "line 4: date 'x' is not YYYY-MM-DD" (CSV); err holds the problem. */
static sh_status field_error(const char *where, bool csv, const char *field, sh_error *err)
{
    if (!err)
        return SH_ERR_INVALID;
    char msg[SH_ERROR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", err->message);
    return sh_error_set(err, err->code, csv ? "%s: %s %s" : "%s.%s: %s", where, field, msg);
}

/* An EntityRef of a row: created in the cache when missing.  An empty name
 * (what export writes for an entity the cache did not hold) links by id
 * only, as the exporting cache did. */
static sh_status ensure_entity(import_ctx *c, sh_store_kind kind, const Stashhog__EntityRef *ref, sh_error *err)
{
    bool exists = false;
    sh_status st = sh_import_entity_exists(c->db, kind, ref->id, &exists, err);
    if (st != SH_OK || exists || sh_str_empty(ref->name))
        return st;
    json_t *e = json_pack("{s:I, s:s}", "id", (json_int_t)ref->id, "name", ref->name);
    if (!e)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    st = sh_store_upsert_entity(c->db, kind, e, c->now, err);
    json_decref(e);
    if (st == SH_OK)
        c->res->entities_created++;
    return st;
}

static sh_status ensure_entities(import_ctx *c, const Stashhog__SceneRecord *r, sh_error *err)
{
    sh_status st = r->studio ? ensure_entity(c, SH_STORE_STUDIO, r->studio, err) : SH_OK;
    for (size_t i = 0; i < r->n_performers && st == SH_OK; i++)
        st = ensure_entity(c, SH_STORE_PERFORMER, r->performers[i], err);
    for (size_t i = 0; i < r->n_tags && st == SH_OK; i++)
        st = ensure_entity(c, SH_STORE_TAG, r->tags[i], err);
    return st;
}

/* A summary row (no "files": the old export, or a hand-written row) over
 * what the cache holds: the summary fields are taken as given (absent =
 * empty, as the old exporter left them out), fields beyond those only when
 * the JSON row names them, and the rest stays as cached.  A path the cached
 * scene has becomes its primary file; a new one is added in front. */
static sh_status merge_summary(import_ctx *c, const Stashhog__SceneRecord *r, const json_t *row,
                               Stashhog__SceneRecord *m, sh_error *err)
{
    bool cached = false;
    Stashhog__SceneRecord *old = NULL;
    sh_status st = sh_import_scene_exists(c->db, r->id, &cached, err);
    if (st == SH_OK && cached)
        st = sh_scene_record_read(c->db, c->arena, r->id, &old, err);
    if (st != SH_OK)
        return st;
    if (old) {
        *m = *old;
    } else {
        stashhog__scene_record__init(m);
        m->id = r->id;
    }
    m->title = r->title;
    m->date = r->date;
    m->studio = r->studio;
    m->n_performers = r->n_performers;
    m->performers = r->performers;
    m->n_tags = r->n_tags;
    m->tags = r->tags;
    m->has_organized = 1;
    m->organized = r->has_organized && r->organized;
    m->updated_at = r->updated_at;
    if (json_object_get(row, "code"))
        m->code = r->code;
    if (json_object_get(row, "details"))
        m->details = r->details;
    if (json_object_get(row, "created_at"))
        m->created_at = r->created_at;
    if (json_object_get(row, "urls")) {
        m->n_urls = r->n_urls;
        m->urls = r->urls;
    }
    if (json_object_get(row, "synced_at_ms")) {
        m->has_synced_at_ms = r->has_synced_at_ms;
        m->synced_at_ms = r->synced_at_ms;
    }
    if (sh_str_empty(r->path))
        return SH_OK; /* says nothing about files: keep them */
    size_t at = 0;
    while (at < m->n_files && strcmp(m->files[at]->path, r->path) != 0)
        at++;
    bool known = at < m->n_files;
    Stashhog__SceneFile **files = (Stashhog__SceneFile **)sh_arena_ptrs(c->arena, m->n_files + 1);
    Stashhog__SceneFile *first = known ? m->files[at] : SH_ARENA_NEW(c->arena, Stashhog__SceneFile);
    if (!files || !first)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (!known) {
        stashhog__scene_file__init(first); /* id 0: the cache numbers it */
        first->path = r->path;
    }
    size_t n = 0;
    files[n++] = first;
    for (size_t i = 0; i < m->n_files; i++)
        if (!known || i != at)
            files[n++] = m->files[i];
    m->files = files;
    m->n_files = n;
    m->path = r->path;
    return SH_OK;
}

/* Checks r, adds its entities, and stores it (full: as it is; else merged
 * with the cache, see merge_summary). */
static sh_status import_record(import_ctx *c, const char *where, bool csv, const Stashhog__SceneRecord *r,
                               bool full, const json_t *row, sh_error *err)
{
    char field[64];
    sh_status st = sh_scene_record_check(r, full, field, sizeof field, err);
    if (st != SH_OK)
        return field_error(where, csv, field, err);
    Stashhog__SceneRecord merged;
    const Stashhog__SceneRecord *use = r;
    if ((st = ensure_entities(c, r, err)) != SH_OK)
        return st;
    if (!full) {
        if ((st = merge_summary(c, r, row, &merged, err)) != SH_OK)
            return st;
        use = &merged;
    }
    json_t *scene = sh_scene_record_to_data(use);
    if (!scene)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    int64_t synced = use->has_synced_at_ms ? use->synced_at_ms : c->now;
    st = sh_store_upsert_scene(c->db, scene, synced, false, NULL, err);
    json_decref(scene);
    if (st == SH_OK)
        c->res->scenes++;
    return st;
}

/* A fresh arena for the next row (a row's strings and merges live in it). */
static sh_status next_arena(import_ctx *c, sh_error *err)
{
    sh_arena_destroy(c->arena);
    c->arena = sh_arena_create();
    return c->arena ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
}

/* ------------------------------------------------------------- JSON */

static sh_status import_json_row(import_ctx *c, const json_t *row, size_t index, sh_error *err)
{
    ProtobufCMessage *m = NULL;
    char where[32];
    snprintf(where, sizeof where, "[%zu]", index);
    if (!json_is_object(row))
        return sh_error_set(err, SH_ERR_INVALID, "%s: expected a scene object", where);
    sh_status st = sh_pb_from_json(&stashhog__scene_record__descriptor, row, &m, err);
    if (st != SH_OK)
        return err ? sh_import_path_error(err, where) : st;
    /* export always writes "files" (maybe []): its absence marks a summary row. */
    bool full = json_object_get(row, "files") != NULL;
    if ((st = next_arena(c, err)) == SH_OK)
        st = import_record(c, where, false, (Stashhog__SceneRecord *)m, full, row, err);
    protobuf_c_message_free_unpacked(m, NULL);
    return st;
}

static sh_status import_json(import_ctx *c, const char *content, size_t len, sh_error *err)
{
    json_error_t jerr;
    json_t *doc = json_loadb(content, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return sh_error_set(err, SH_ERR_INVALID, "JSON line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    sh_status st = SH_OK;
    if (!json_is_array(doc))
        st = sh_error_set(err, SH_ERR_INVALID, "JSON: expected an array of scenes (as export scenes writes)");
    else if (json_array_size(doc) > SH_SCENE_IMPORT_MAX_ROWS)
        st = sh_error_set(err, SH_ERR_TOO_LARGE, "at most %d scenes per request", SH_SCENE_IMPORT_MAX_ROWS);
    size_t i;
    json_t *row;
    json_array_foreach(doc, i, row) {
        if (st != SH_OK)
            break;
        st = import_json_row(c, row, i, err);
    }
    json_decref(doc);
    return st;
}

/* ------------------------------------------------------------- CSV */

/* The current export's columns (docs/FORMATS.md), in SceneRecord's order. */
enum cell_kind { K_ID, K_TEXT, K_BOOL, K_INT, K_OBJECT, K_ARRAY };
static const struct {
    const char *name;
    enum cell_kind kind;
} csv_full[] = {
    {"id", K_ID},           {"title", K_TEXT},       {"date", K_TEXT},       {"studio", K_OBJECT},
    {"performers", K_ARRAY}, {"tags", K_ARRAY},      {"path", K_TEXT},       {"organized", K_BOOL},
    {"updated_at", K_TEXT}, {"code", K_TEXT},        {"details", K_TEXT},    {"urls", K_ARRAY},
    {"files", K_ARRAY},     {"created_at", K_TEXT},  {"synced_at_ms", K_INT},
};
#define N_FULL (sizeof csv_full / sizeof csv_full[0])

/* The summary-only export of earlier versions. */
enum { C_ID, C_TITLE, C_DATE, C_STUDIO, C_PERFORMERS, C_TAGS, C_PATH, C_ORGANIZED, C_UPDATED, C_COUNT };
static const char *const csv_summary[C_COUNT] = {"id",   "title", "date",      "studio",    "performers",
                                                 "tags", "path",  "organized", "updated_at"};

/* The current export also guards a leading quote ("'x" -> "''x"), so every
 * cell comes back exactly; older files guarded only = + - @ tab CR. */
static const char *unguard_full(const char *cell)
{
    if (cell[0] == '\'' && cell[1] && strchr("=+-@\t\r'", cell[1]))
        return cell + 1;
    return cell;
}

static bool parse_int(const char *s, long long *v)
{
    char *end = NULL;
    errno = 0;
    *v = strtoll(s, &end, 10);
    return *s && !*end && errno == 0;
}

static sh_status bad_id(size_t line, const char *v, sh_error *err)
{
    return sh_error_set(err, SH_ERR_INVALID, "line %zu: id '%.32s' is not a positive integer", line, v);
}

static sh_status bad_organized(size_t line, const char *v, sh_error *err)
{
    return sh_error_set(err, SH_ERR_INVALID, "line %zu: organized is true, false or empty, not '%.32s'", line, v);
}

/* One cell of the current format as the JSON value SceneRecord reads;
 * *out stays NULL for an empty cell (absent). */
static sh_status full_cell(size_t line, const char *name, enum cell_kind kind, const char *v, json_t **out,
                           sh_error *err)
{
    long long n = 0;
    json_error_t jerr;
    *out = NULL;
    if (!*v)
        return SH_OK;
    switch (kind) {
    case K_ID:
        if (!parse_int(v, &n) || n <= 0)
            return bad_id(line, v, err);
        *out = json_integer(n);
        break;
    case K_INT:
        if (!parse_int(v, &n))
            return sh_error_set(err, SH_ERR_INVALID, "line %zu: %s '%.32s' is not an integer", line, name, v);
        *out = json_integer(n);
        break;
    case K_BOOL:
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return bad_organized(line, v, err);
        *out = json_boolean(strcmp(v, "true") == 0);
        break;
    case K_TEXT:
        if (!(*out = json_string(v)))
            return sh_error_set(err, SH_ERR_INVALID, "line %zu: %s is not valid UTF-8", line, name);
        break;
    case K_OBJECT:
    case K_ARRAY:
        if (!(*out = json_loads(v, JSON_REJECT_DUPLICATES, &jerr)))
            return sh_error_set(err, SH_ERR_INVALID, "line %zu: %s is not JSON (column %d: %s)", line, name,
                                jerr.column, jerr.text);
        if (kind == K_OBJECT ? !json_is_object(*out) : !json_is_array(*out)) {
            json_decref(*out);
            *out = NULL;
            return sh_error_set(err, SH_ERR_INVALID, "line %zu: %s is not a JSON %s", line, name,
                                kind == K_OBJECT ? "object" : "array");
        }
        break;
    }
    return *out ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
}

static sh_status import_csv_full(import_ctx *c, const sh_csv_record *rec, const int *col, sh_error *err)
{
    char where[32];
    snprintf(where, sizeof where, "line %zu", rec->line);
    json_t *row = json_object();
    ProtobufCMessage *m = NULL;
    sh_status st = row ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
    for (size_t k = 0; k < N_FULL && st == SH_OK; k++) {
        json_t *v = NULL;
        st = full_cell(rec->line, csv_full[k].name, csv_full[k].kind, unguard_full(rec->fields[col[k]]), &v, err);
        if (st == SH_OK && v && json_object_set_new(row, csv_full[k].name, v) != 0)
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    if (st == SH_OK && !json_object_get(row, "id"))
        st = bad_id(rec->line, "", err);
    if (st == SH_OK && (st = sh_pb_from_json(&stashhog__scene_record__descriptor, row, &m, err)) != SH_OK && err) {
        char msg[SH_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->message);
        st = sh_error_set(err, err->code, "%s: %s", where, msg);
    }
    if (st == SH_OK && (st = next_arena(c, err)) == SH_OK)
        st = import_record(c, where, true, (Stashhog__SceneRecord *)m, true, NULL, err);
    protobuf_c_message_free_unpacked(m, NULL);
    json_decref(row);
    return st;
}

/* "a; b; c" -> refs of the names the cache knows; the rest are warnings. */
static sh_status csv_refs(import_ctx *c, sh_store_kind kind, const char *cell, size_t line,
                          Stashhog__EntityRef ***out, size_t *n, sh_error *err)
{
    char *copy = sh_arena_strdup(c->arena, cell);
    size_t cap = 1;
    for (const char *q = cell; (q = strstr(q, "; ")); q += 2)
        cap++;
    *out = (Stashhog__EntityRef **)sh_arena_ptrs(c->arena, cap);
    *n = 0;
    if (!copy || !*out)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = SH_OK;
    for (char *p = copy; st == SH_OK && p && *p;) {
        char *next = strstr(p, "; ");
        if (next) {
            *next = '\0';
            next += 2;
        }
        int64_t id = 0;
        if (*p && (st = sh_import_entity_by_name(c->db, kind, p, &id, err)) == SH_OK) {
            Stashhog__EntityRef *r = id > 0 ? SH_ARENA_NEW(c->arena, Stashhog__EntityRef) : NULL;
            if (r) {
                stashhog__entity_ref__init(r);
                r->id = id;
                r->name = p;
                (*out)[(*n)++] = r;
            } else if (id > 0) {
                st = sh_error_set(err, SH_ERR_NOMEM, NULL);
            } else {
                warn(c->res, "line %zu: %s '%s' is not in the cache; link left out", line,
                     kind == SH_STORE_STUDIO ? "studio" : kind == SH_STORE_TAG ? "tag" : "performer", p);
            }
        }
        p = next;
    }
    return st;
}

static bool utf8_ok(const char *s)
{
    json_t *t = json_string(s);
    json_decref(t);
    return t != NULL;
}

static char *cell_or_null(const char *v)
{
    return *v ? (char *)v : NULL;
}

static sh_status import_csv_summary(import_ctx *c, const sh_csv_record *rec, const int *col, sh_error *err)
{
    const char *v[C_COUNT];
    for (int k = 0; k < C_COUNT; k++)
        v[k] = sh_import_unguard(rec->fields[col[k]]);
    long long id = 0;
    if (!parse_int(v[C_ID], &id) || id <= 0)
        return bad_id(rec->line, v[C_ID], err);
    const char *org = v[C_ORGANIZED];
    if (*org && strcmp(org, "true") != 0 && strcmp(org, "false") != 0)
        return bad_organized(rec->line, org, err);
    for (int k = 0; k < C_COUNT; k++)
        if (!utf8_ok(v[k]))
            return sh_error_set(err, SH_ERR_INVALID, "line %zu: %s is not valid UTF-8", rec->line, csv_summary[k]);
    sh_status st = next_arena(c, err);
    if (st != SH_OK)
        return st;
    Stashhog__SceneRecord r = STASHHOG__SCENE_RECORD__INIT;
    Stashhog__EntityRef **studio = NULL;
    size_t n_studio = 0;
    r.id = id;
    r.title = cell_or_null(v[C_TITLE]);
    r.date = cell_or_null(v[C_DATE]);
    r.path = cell_or_null(v[C_PATH]);
    r.updated_at = cell_or_null(v[C_UPDATED]);
    r.has_organized = 1;
    r.organized = strcmp(org, "true") == 0;
    if ((st = csv_refs(c, SH_STORE_STUDIO, v[C_STUDIO], rec->line, &studio, &n_studio, err)) != SH_OK ||
        (st = csv_refs(c, SH_STORE_PERFORMER, v[C_PERFORMERS], rec->line, &r.performers, &r.n_performers, err)) !=
            SH_OK ||
        (st = csv_refs(c, SH_STORE_TAG, v[C_TAGS], rec->line, &r.tags, &r.n_tags, err)) != SH_OK)
        return st;
    r.studio = n_studio ? studio[0] : NULL;
    char where[32];
    snprintf(where, sizeof where, "line %zu", rec->line);
    return import_record(c, where, true, &r, false, NULL, err);
}

static sh_status import_csv(import_ctx *c, const char *content, size_t len, sh_error *err)
{
    sh_csv_reader r;
    sh_csv_record header = {0}, rec = {0};
    int got = 0, col[N_FULL];
    sh_csv_reader_init(&r, content, len);
    sh_status st = sh_csv_next(&r, &header, &got, err);
    if (st != SH_OK)
        return st;
    if (!got)
        return sh_error_set(err, SH_ERR_INVALID, "CSV: empty file (expected the export scenes header)");
    /* A "files" column marks the current (full) format. */
    bool full = sh_csv_column(&header, "files") >= 0;
    size_t ncol = full ? N_FULL : C_COUNT;
    for (size_t k = 0; k < ncol && st == SH_OK; k++) {
        const char *name = full ? csv_full[k].name : csv_summary[k];
        if ((col[k] = sh_csv_column(&header, name)) < 0)
            st = sh_error_set(err, SH_ERR_INVALID, "CSV line 1: column '%s' missing (see docs/FORMATS.md)", name);
    }
    for (int64_t rows = 0; st == SH_OK;) {
        if ((st = sh_csv_next(&r, &rec, &got, err)) != SH_OK || !got)
            break;
        if (++rows > SH_SCENE_IMPORT_MAX_ROWS)
            st = sh_error_set(err, SH_ERR_TOO_LARGE, "at most %d scenes per request", SH_SCENE_IMPORT_MAX_ROWS);
        else if (rec.n != header.n)
            st = sh_error_set(err, SH_ERR_INVALID, "CSV line %zu: %zu fields, the header has %zu", rec.line, rec.n,
                              header.n);
        else
            st = full ? import_csv_full(c, &rec, col, err) : import_csv_summary(c, &rec, col, err);
        sh_csv_record_clear(&rec);
    }
    sh_csv_record_clear(&header);
    return st;
}

sh_status sh_scene_import(sh_db *db, const char *content, size_t len, sh_import_format format,
                          sh_scene_import_result *res, sh_error *err)
{
    memset(res, 0, sizeof *res);
    if (!(res->warnings = json_array()))
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (format == SH_IMPORT_DETECT)
        format = sh_import_detect(content, len);
    if (format != SH_IMPORT_JSON && format != SH_IMPORT_CSV)
        return sh_error_set(err, SH_ERR_INVALID, "unknown import format");
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    import_ctx c = {.db = db, .now = sh_now_ms(), .res = res, .arena = NULL};
    st = format == SH_IMPORT_JSON ? import_json(&c, content, len, err) : import_csv(&c, content, len, err);
    sh_arena_destroy(c.arena);
    if (st == SH_OK)
        return sh_db_commit(db, err);
    sh_db_rollback(db);
    res->scenes = res->entities_created = 0;
    return st;
}
