#include "db/scene-import.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/csv-read.h"
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

static bool valid_date(const char *d)
{
    if (sh_str_empty(d))
        return true;
    /* Stash dates are YYYY-MM-DD. */
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)d[i]))
            return false;
    return true;
}

/* The SceneData-shaped object scene-store expects. */
static json_t *scene_data(int64_t id, const char *title, const char *date, int64_t studio, json_t *performers,
                          json_t *tags, const char *path, bool organized, const char *updated_at)
{
    char ids[32];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    json_t *s = json_pack("{s:s, s:s?, s:s?, s:o, s:o, s:b, s:s?, s:[]}", "id", ids, "title", title, "date", date,
                          "performers", performers, "tags", tags, "organized", organized, "updated_at", updated_at,
                          "files");
    if (s && studio > 0) {
        snprintf(ids, sizeof ids, "%lld", (long long)studio);
        json_object_set_new(s, "studio", json_pack("{s:s}", "id", ids));
    }
    if (s && !sh_str_empty(path))
        json_array_append_new(json_object_get(s, "files"), json_pack("{s:s}", "path", path));
    return s;
}

static json_t *id_ref(int64_t id)
{
    char ids[32];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    return json_pack("{s:s}", "id", ids);
}

/* An EntityRef from a JSON row: created in the cache when missing. */
static sh_status ensure_entity(sh_db *db, sh_store_kind kind, const Stashhog__EntityRef *ref, const char *where,
                               int64_t now, sh_scene_import_result *res, sh_error *err)
{
    if (ref->id <= 0 || sh_str_empty(ref->name))
        return sh_error_set(err, SH_ERR_INVALID, "%s: an entity needs a positive id and a name", where);
    bool exists = false;
    sh_status st = sh_import_entity_exists(db, kind, ref->id, &exists, err);
    if (st != SH_OK || exists)
        return st;
    json_t *e = json_pack("{s:I, s:s}", "id", (json_int_t)ref->id, "name", ref->name);
    if (!e)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    st = sh_store_upsert_entity(db, kind, e, now, err);
    json_decref(e);
    if (st == SH_OK)
        res->entities_created++;
    return st;
}

static sh_status import_json_row(sh_db *db, const json_t *row, size_t index, int64_t now,
                                 sh_scene_import_result *res, sh_error *err)
{
    ProtobufCMessage *m = NULL;
    char where[64];
    snprintf(where, sizeof where, "[%zu]", index);
    sh_status st = sh_pb_from_json(&stashhog__scene_summary__descriptor, row, &m, err);
    if (st != SH_OK)
        return err ? sh_import_path_error(err, where) : st;
    Stashhog__SceneSummary *s = (Stashhog__SceneSummary *)m;
    json_t *performers = json_array(), *tags = json_array(), *scene = NULL;
    if (s->id <= 0) {
        st = sh_error_set(err, SH_ERR_INVALID, "%s.id: must be positive", where);
        goto out;
    }
    if (!valid_date(s->date)) {
        st = sh_error_set(err, SH_ERR_INVALID, "%s.date: '%s' is not YYYY-MM-DD", where, s->date);
        goto out;
    }
    if (s->studio && (st = ensure_entity(db, SH_STORE_STUDIO, s->studio, where, now, res, err)) != SH_OK)
        goto out;
    for (size_t i = 0; i < s->n_performers && st == SH_OK; i++)
        if ((st = ensure_entity(db, SH_STORE_PERFORMER, s->performers[i], where, now, res, err)) == SH_OK)
            json_array_append_new(performers, id_ref(s->performers[i]->id));
    for (size_t i = 0; i < s->n_tags && st == SH_OK; i++)
        if ((st = ensure_entity(db, SH_STORE_TAG, s->tags[i], where, now, res, err)) == SH_OK)
            json_array_append_new(tags, id_ref(s->tags[i]->id));
    if (st != SH_OK)
        goto out;
    scene = scene_data(s->id, s->title, s->date, s->studio ? s->studio->id : 0, json_incref(performers),
                       json_incref(tags), s->path, s->has_organized && s->organized, s->updated_at);
    st = scene ? sh_store_upsert_scene(db, scene, now, false, NULL, err) : sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (st == SH_OK)
        res->scenes++;
out:
    json_decref(scene);
    json_decref(performers);
    json_decref(tags);
    protobuf_c_message_free_unpacked(m, NULL);
    return st;
}

static sh_status import_json(sh_db *db, const char *content, size_t len, int64_t now, sh_scene_import_result *res,
                             sh_error *err)
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
        st = import_json_row(db, row, i, now, res, err);
    }
    json_decref(doc);
    return st;
}

/* "a; b; c" -> ids of the names the cache knows; the rest are warnings. */
static sh_status csv_refs(sh_db *db, sh_store_kind kind, const char *cell, size_t line, json_t *out,
                          sh_scene_import_result *res, sh_error *err)
{
    char *copy = strdup(cell);
    if (!copy)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = SH_OK;
    char *p = copy;
    while (st == SH_OK && p && *p) {
        char *next = strstr(p, "; ");
        if (next) {
            *next = '\0';
            next += 2;
        }
        int64_t id = 0;
        if (*p && (st = sh_import_entity_by_name(db, kind, p, &id, err)) == SH_OK) {
            if (id > 0)
                json_array_append_new(out, id_ref(id));
            else
                warn(res, "line %zu: %s '%s' is not in the cache; link left out", line,
                     kind == SH_STORE_STUDIO ? "studio" : kind == SH_STORE_TAG ? "tag" : "performer", p);
        }
        p = next;
    }
    free(copy);
    return st;
}

enum { C_ID, C_TITLE, C_DATE, C_STUDIO, C_PERFORMERS, C_TAGS, C_PATH, C_ORGANIZED, C_UPDATED, C_COUNT };
static const char *const csv_columns[C_COUNT] = {"id",   "title", "date",      "studio",    "performers",
                                                 "tags", "path",  "organized", "updated_at"};

static sh_status import_csv_row(sh_db *db, const sh_csv_record *rec, const int *col, int64_t now,
                                sh_scene_import_result *res, sh_error *err)
{
    const char *v[C_COUNT];
    for (int c = 0; c < C_COUNT; c++)
        v[c] = sh_import_unguard(col[c] >= 0 && (size_t)col[c] < rec->n ? rec->fields[col[c]] : "");
    char *end = NULL;
    long long id = strtoll(v[C_ID], &end, 10);
    if (!*v[C_ID] || *end || id <= 0)
        return sh_error_set(err, SH_ERR_INVALID, "line %zu: id '%s' is not a positive integer", rec->line, v[C_ID]);
    if (!valid_date(v[C_DATE]))
        return sh_error_set(err, SH_ERR_INVALID, "line %zu: date '%s' is not YYYY-MM-DD", rec->line, v[C_DATE]);
    const char *org = v[C_ORGANIZED];
    if (*org && strcmp(org, "true") != 0 && strcmp(org, "false") != 0)
        return sh_error_set(err, SH_ERR_INVALID, "line %zu: organized is true, false or empty, not '%s'", rec->line,
                            org);
    json_t *studio = json_array(), *performers = json_array(), *tags = json_array(), *scene = NULL;
    sh_status st = csv_refs(db, SH_STORE_STUDIO, v[C_STUDIO], rec->line, studio, res, err);
    if (st == SH_OK)
        st = csv_refs(db, SH_STORE_PERFORMER, v[C_PERFORMERS], rec->line, performers, res, err);
    if (st == SH_OK)
        st = csv_refs(db, SH_STORE_TAG, v[C_TAGS], rec->line, tags, res, err);
    if (st == SH_OK) {
        int64_t studio_id = sh_store_json_id(json_object_get(json_array_get(studio, 0), "id"));
        scene = scene_data(id, v[C_TITLE], v[C_DATE], studio_id, json_incref(performers), json_incref(tags),
                           v[C_PATH], strcmp(org, "true") == 0, *v[C_UPDATED] ? v[C_UPDATED] : NULL);
        st = scene ? sh_store_upsert_scene(db, scene, now, false, NULL, err) : sh_error_set(err, SH_ERR_NOMEM, NULL);
        if (st == SH_OK)
            res->scenes++;
    }
    json_decref(scene);
    json_decref(studio);
    json_decref(performers);
    json_decref(tags);
    return st;
}

static sh_status import_csv(sh_db *db, const char *content, size_t len, int64_t now, sh_scene_import_result *res,
                            sh_error *err)
{
    sh_csv_reader r;
    sh_csv_record header = {0}, rec = {0};
    int got = 0, col[C_COUNT];
    sh_csv_reader_init(&r, content, len);
    sh_status st = sh_csv_next(&r, &header, &got, err);
    if (st != SH_OK)
        return st;
    if (!got)
        return sh_error_set(err, SH_ERR_INVALID, "CSV: empty file (expected the export scenes header)");
    for (int c = 0; c < C_COUNT && st == SH_OK; c++)
        if ((col[c] = sh_csv_column(&header, csv_columns[c])) < 0)
            st = sh_error_set(err, SH_ERR_INVALID, "CSV line 1: column '%s' missing (expected %s)", csv_columns[c],
                              "id,title,date,studio,performers,tags,path,organized,updated_at");
    for (int64_t rows = 0; st == SH_OK;) {
        if ((st = sh_csv_next(&r, &rec, &got, err)) != SH_OK || !got)
            break;
        if (++rows > SH_SCENE_IMPORT_MAX_ROWS)
            st = sh_error_set(err, SH_ERR_TOO_LARGE, "at most %d scenes per request", SH_SCENE_IMPORT_MAX_ROWS);
        else if (rec.n != header.n)
            st = sh_error_set(err, SH_ERR_INVALID, "CSV line %zu: %zu fields, the header has %zu", rec.line, rec.n,
                              header.n);
        else
            st = import_csv_row(db, &rec, col, now, res, err);
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
    int64_t now = sh_now_ms();
    st = format == SH_IMPORT_JSON ? import_json(db, content, len, now, res, err)
                                  : import_csv(db, content, len, now, res, err);
    if (st == SH_OK)
        return sh_db_commit(db, err);
    sh_db_rollback(db);
    res->scenes = res->entities_created = 0;
    return st;
}
