#include "plans/plan-import.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/csv-read.h"
#include "plans/plan-values.h"
#include "plans/plans.h"
#include "sh-log.h"
#include "sh-pbjson.h"
#include "sh-util.h"

#define LOG "plans"
#define MAX_MISSING_LISTED 20

/* One parsed change, before validation against the cache. */
typedef struct imp_change {
    char where[48]; /* "changes[3]" or "line 7" */
    int64_t scene_id;
    char *field;
    json_t *current, *proposed;
    double confidence;
    char *analyzer, *reason;
    bool rejected;
} imp_change;

typedef struct imp_plan {
    imp_change *changes;
    size_t n, cap;
    char *name, *options_json, *filter_json; /* from a JSON export */
} imp_plan;

static void imp_plan_fini(imp_plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->changes[i].field);
        free(p->changes[i].analyzer);
        free(p->changes[i].reason);
        json_decref(p->changes[i].current);
        json_decref(p->changes[i].proposed);
    }
    free(p->changes);
    free(p->name);
    free(p->options_json);
    free(p->filter_json);
}

static imp_change *imp_push(imp_plan *p, sh_error *err)
{
    if (p->n >= SH_PLAN_IMPORT_MAX_CHANGES) {
        sh_error_set(err, SH_ERR_TOO_LARGE, "a plan holds at most %d changes", SH_PLAN_IMPORT_MAX_CHANGES);
        return NULL;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        imp_change *grown = realloc(p->changes, cap * sizeof *grown);
        if (!grown) {
            sh_error_set(err, SH_ERR_NOMEM, NULL);
            return NULL;
        }
        p->changes = grown;
        p->cap = cap;
    }
    imp_change *c = &p->changes[p->n++];
    memset(c, 0, sizeof *c);
    return c;
}

static char *dup_or_null(const char *s)
{
    return sh_str_empty(s) ? NULL : strdup(s);
}

static sh_store_kind set_kind(const char *field)
{
    return strcmp(field, "performers") == 0 ? SH_STORE_PERFORMER : SH_STORE_TAG;
}

static bool valid_date(const char *d)
{
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)d[i]))
            return false;
    return true;
}

/* ---------------------------------------------------------------- JSON */

static json_t *ref_json(const Stashhog__EntityRef *r)
{
    return sh_pv_entity(r->id, r->name ? r->name : "", r->has_is_new && r->is_new);
}

static json_t *refs_json(Stashhog__EntityRef **refs, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, ref_json(refs[i]));
    return a;
}

static json_t *fv_json(int kind, const Stashhog__FieldValue *fv)
{
    switch (kind) {
    case SH_PV_TEXT:
    case SH_PV_DATE: return fv && fv->text && !(fv->has_is_null && fv->is_null) ? json_string(fv->text) : json_null();
    case SH_PV_STUDIO: return fv && fv->entity && !(fv->has_is_null && fv->is_null) ? ref_json(fv->entity) : json_null();
    default: return fv ? refs_json(fv->entities, fv->n_entities) : json_array();
    }
}

static sh_status json_change(imp_plan *p, const json_t *j, size_t index, sh_error *err)
{
    ProtobufCMessage *m = NULL;
    char where[48];
    snprintf(where, sizeof where, "changes[%zu]", index);
    sh_status st = sh_pb_from_json(&stashhog__change__descriptor, j, &m, err);
    if (st != SH_OK)
        return err ? sh_import_path_error(err, where) : st;
    const Stashhog__Change *c = (const Stashhog__Change *)m;
    int kind = sh_pv_field_kind(c->field);
    imp_change *ic = kind < 0 ? NULL : imp_push(p, err);
    if (kind < 0)
        st = sh_error_set(err, SH_ERR_INVALID, "%s.field: unknown field '%s'", where, c->field);
    else if (!ic)
        st = err && err->code != SH_OK ? err->code : SH_ERR_NOMEM;
    if (st == SH_OK && ic) {
        memcpy(ic->where, where, sizeof where);
        ic->scene_id = c->scene_id;
        ic->field = strdup(c->field);
        ic->current = fv_json(kind, c->current);
        if (kind == SH_PV_SET)
            ic->proposed = json_pack("{s:o, s:o}", "add", refs_json(c->added, c->n_added), "remove",
                                     refs_json(c->removed, c->n_removed));
        else
            ic->proposed = fv_json(kind, c->proposed);
        ic->confidence = c->has_confidence ? c->confidence : 0;
        ic->analyzer = dup_or_null(c->analyzer);
        ic->reason = dup_or_null(c->reason);
        ic->rejected = c->status == STASHHOG__CHANGE_STATUS__CHANGE_REJECTED;
        if (!ic->field || !ic->current || !ic->proposed)
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return st;
}

static sh_status parse_json(imp_plan *p, const char *content, size_t len, sh_error *err)
{
    json_error_t jerr;
    json_t *doc = json_loadb(content, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return sh_error_set(err, SH_ERR_INVALID, "JSON line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    sh_status st = SH_OK;
    const json_t *plan = json_object_get(doc, "plan"), *changes = json_object_get(doc, "changes");
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        if (strcmp(key, "plan") != 0 && strcmp(key, "changes") != 0) {
            st = sh_error_set(err, SH_ERR_INVALID, "%s: unknown key (expected plan and changes)", key);
            goto out;
        }
    }
    if (!json_is_array(changes)) {
        st = sh_error_set(err, SH_ERR_INVALID, "changes: missing or not an array (expected a plans export file)");
        goto out;
    }
    if (plan && !json_is_null(plan)) {
        ProtobufCMessage *m = NULL;
        if ((st = sh_pb_from_json(&stashhog__plan_summary__descriptor, plan, &m, err)) != SH_OK) {
            if (err)
                sh_import_path_error(err, "plan");
            goto out;
        }
        const Stashhog__PlanSummary *s = (const Stashhog__PlanSummary *)m;
        p->name = dup_or_null(s->name);
        p->options_json = dup_or_null(s->options_json);
        p->filter_json = dup_or_null(s->filter_json);
        protobuf_c_message_free_unpacked(m, NULL);
    }
    size_t i;
    json_array_foreach(changes, i, v) {
        if ((st = json_change(p, v, i, err)) != SH_OK)
            break;
    }
out:
    json_decref(doc);
    return st;
}

/* ---------------------------------------------------------------- CSV */

enum { K_SCENE, K_FIELD, K_CURRENT, K_PROPOSED, K_CONFIDENCE, K_ANALYZER, K_REASON, K_STATUS, K_COUNT };
static const char *const csv_columns[K_COUNT] = {"scene_id", "field",    "current", "proposed",
                                                 "confidence", "analyzer", "reason", "status"};

/* A name the cache knows as a ref; unknown ones are new when allowed. */
static sh_status name_ref(sh_db *db, sh_store_kind kind, const char *name, bool allow_new, const char *where,
                          json_t **out, sh_error *err)
{
    int64_t id = 0;
    *out = NULL;
    sh_status st = sh_import_entity_by_name(db, kind, name, &id, err);
    if (st != SH_OK)
        return st;
    if (id == 0 && !allow_new)
        return sh_error_set(err, SH_ERR_INVALID, "%s: %s '%s' is not in the cache", where,
                            kind == SH_STORE_STUDIO ? "studio" : kind == SH_STORE_TAG ? "tag" : "performer", name);
    *out = sh_pv_entity(id, name, id == 0);
    return *out ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
}

/* "a; b" (current member list). */
static sh_status csv_list(sh_db *db, sh_store_kind kind, const char *cell, const char *where, json_t **out,
                          sh_error *err)
{
    char *copy = strdup(cell);
    *out = json_array();
    sh_status st = copy && *out ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
    for (char *p = copy; st == SH_OK && p && *p;) {
        char *next = strstr(p, "; ");
        if (next) {
            *next = '\0';
            next += 2;
        }
        json_t *ref = NULL;
        if ((st = name_ref(db, kind, p, false, where, &ref, err)) == SH_OK)
            json_array_append_new(*out, ref);
        p = next;
    }
    free(copy);
    return st;
}

/* "+a +b -c": a new token starts at " +" or " -" followed by a non-space,
 * so names with inner hyphens ("Jean-Luc", "A - B") survive. */
static sh_status csv_diff(sh_db *db, sh_store_kind kind, const char *cell, const char *where, json_t **out,
                          sh_error *err)
{
    json_t *add = json_array(), *remove = json_array();
    *out = json_pack("{s:o, s:o}", "add", add, "remove", remove);
    if (!*out)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (!*cell)
        return SH_OK;
    if (*cell != '+' && *cell != '-')
        return sh_error_set(err, SH_ERR_INVALID, "%s: proposed members are \"+name\" or \"-name\", got '%s'", where,
                            cell);
    sh_status st = SH_OK;
    const char *p = cell;
    while (st == SH_OK && *p) {
        char sign = *p++;
        const char *end = p;
        while (*end && !(end[0] == ' ' && (end[1] == '+' || end[1] == '-') && end[2] && end[2] != ' '))
            end++;
        char *name = strndup(p, (size_t)(end - p));
        if (!name)
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        json_t *ref = NULL;
        if (!*name)
            st = sh_error_set(err, SH_ERR_INVALID, "%s: empty member name in '%s'", where, cell);
        else if ((st = name_ref(db, kind, name, sign == '+', where, &ref, err)) == SH_OK)
            json_array_append_new(sign == '+' ? add : remove, ref);
        free(name);
        p = *end ? end + 1 : end;
    }
    return st;
}

static sh_status csv_value(sh_db *db, const char *field, const char *cell, bool proposed, const char *where,
                           json_t **out, sh_error *err)
{
    switch (sh_pv_field_kind(field)) {
    case SH_PV_TEXT:
    case SH_PV_DATE:
        *out = *cell ? json_string(cell) : json_null();
        return *out ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
    case SH_PV_STUDIO:
        if (!*cell) {
            *out = json_null();
            return SH_OK;
        }
        return name_ref(db, SH_STORE_STUDIO, cell, proposed, where, out, err);
    default:
        return proposed ? csv_diff(db, set_kind(field), cell, where, out, err)
                        : csv_list(db, set_kind(field), cell, where, out, err);
    }
}

static sh_status csv_change(sh_db *db, imp_plan *p, const sh_csv_record *rec, const int *col, sh_error *err)
{
    const char *v[K_COUNT];
    for (int k = 0; k < K_COUNT; k++)
        v[k] = rec->fields[col[k]];
    char where[48];
    snprintf(where, sizeof where, "line %zu", rec->line);
    char *end = NULL;
    long long scene = strtoll(v[K_SCENE], &end, 10);
    if (!*v[K_SCENE] || *end || scene <= 0)
        return sh_error_set(err, SH_ERR_INVALID, "%s: scene_id '%s' is not a positive integer", where, v[K_SCENE]);
    if (sh_pv_field_kind(v[K_FIELD]) < 0)
        return sh_error_set(err, SH_ERR_INVALID, "%s: unknown field '%s'", where, v[K_FIELD]);
    double conf = *v[K_CONFIDENCE] ? strtod(v[K_CONFIDENCE], &end) : 0;
    if (*v[K_CONFIDENCE] && (*end || !isfinite(conf)))
        return sh_error_set(err, SH_ERR_INVALID, "%s: confidence '%s' is not a number", where, v[K_CONFIDENCE]);
    int status = *v[K_STATUS] ? sh_change_status_parse(v[K_STATUS]) : 0;
    if (status < 0)
        return sh_error_set(err, SH_ERR_INVALID, "%s: unknown status '%s'", where, v[K_STATUS]);
    imp_change *c = imp_push(p, err);
    if (!c)
        return err ? err->code : SH_ERR_NOMEM;
    memcpy(c->where, where, sizeof where);
    c->scene_id = scene;
    c->confidence = conf;
    c->rejected = status == STASHHOG__CHANGE_STATUS__CHANGE_REJECTED;
    c->field = strdup(v[K_FIELD]);
    c->analyzer = dup_or_null(v[K_ANALYZER]);
    c->reason = dup_or_null(v[K_REASON]);
    if (!c->field)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = csv_value(db, c->field, v[K_CURRENT], false, where, &c->current, err);
    if (st == SH_OK)
        st = csv_value(db, c->field, v[K_PROPOSED], true, where, &c->proposed, err);
    return st;
}

static sh_status parse_csv(sh_db *db, imp_plan *p, const char *content, size_t len, sh_error *err)
{
    sh_csv_reader r;
    sh_csv_record header = {0}, rec = {0};
    int got = 0, col[K_COUNT];
    sh_csv_reader_init(&r, content, len);
    sh_status st = sh_csv_next(&r, &header, &got, err);
    if (st == SH_OK && !got)
        st = sh_error_set(err, SH_ERR_INVALID, "CSV: empty file (expected the plans export header)");
    for (int k = 0; k < K_COUNT && st == SH_OK; k++)
        if ((col[k] = sh_csv_column(&header, csv_columns[k])) < 0)
            st = sh_error_set(err, SH_ERR_INVALID, "CSV line 1: column '%s' missing (not a plans export file?)",
                              csv_columns[k]);
    while (st == SH_OK) {
        if ((st = sh_csv_next(&r, &rec, &got, err)) != SH_OK || !got)
            break;
        if (rec.n != header.n)
            st = sh_error_set(err, SH_ERR_INVALID, "CSV line %zu: %zu fields, the header has %zu", rec.line, rec.n,
                              header.n);
        else
            st = csv_change(db, p, &rec, col, err);
        sh_csv_record_clear(&rec);
    }
    sh_csv_record_clear(&header);
    return st;
}

/* ---------------------------------------------------------------- checks */

static sh_status check_ref(sh_db *db, sh_store_kind kind, const json_t *ref, bool allow_new, const char *where,
                           sh_error *err)
{
    int64_t id = json_integer_value(json_object_get(ref, "id"));
    const char *name = json_string_value(json_object_get(ref, "name"));
    if (json_is_true(json_object_get(ref, "new"))) {
        if (!allow_new)
            return sh_error_set(err, SH_ERR_INVALID, "%s: only added members may be new entities", where);
        if (sh_str_empty(name) || id != 0)
            return sh_error_set(err, SH_ERR_INVALID, "%s: a new entity has id 0 and a name", where);
        return SH_OK;
    }
    bool exists = false;
    sh_status st = id > 0 ? sh_import_entity_exists(db, kind, id, &exists, err)
                          : sh_error_set(err, SH_ERR_INVALID, "%s: entity id %lld is not positive", where,
                                         (long long)id);
    if (st == SH_OK && !exists)
        st = sh_error_set(err, SH_ERR_INVALID, "%s: %s %lld ('%s') is not in the cache", where,
                          kind == SH_STORE_STUDIO ? "studio" : kind == SH_STORE_TAG ? "tag" : "performer",
                          (long long)id, name ? name : "");
    return st;
}

/* The proposed value must have the field's shape and name real (or new) entities. */
static sh_status check_change(sh_db *db, const imp_change *c, sh_error *err)
{
    const json_t *pv = c->proposed;
    switch (sh_pv_field_kind(c->field)) {
    case SH_PV_DATE:
        if (json_is_string(pv) && !valid_date(json_string_value(pv)))
            return sh_error_set(err, SH_ERR_INVALID, "%s: proposed date '%s' is not YYYY-MM-DD", c->where,
                                json_string_value(pv));
        return SH_OK;
    case SH_PV_STUDIO: return json_is_object(pv) ? check_ref(db, SH_STORE_STUDIO, pv, true, c->where, err) : SH_OK;
    case SH_PV_SET: {
        sh_store_kind kind = set_kind(c->field);
        size_t i;
        const json_t *r;
        sh_status st = SH_OK;
        json_array_foreach(json_object_get(pv, "add"), i, r) {
            if (st == SH_OK)
                st = check_ref(db, kind, r, true, c->where, err);
        }
        json_array_foreach(json_object_get(pv, "remove"), i, r) {
            if (st == SH_OK)
                st = check_ref(db, kind, r, false, c->where, err);
        }
        if (st == SH_OK && !json_array_size(json_object_get(pv, "add")) &&
            !json_array_size(json_object_get(pv, "remove")))
            st = sh_error_set(err, SH_ERR_INVALID, "%s: a %s change adds or removes at least one member", c->where,
                              c->field);
        return st;
    }
    default: return SH_OK;
    }
}

/* Marks changes of scenes the cache lacks (scene_id set to 0 when skipped). */
static sh_status check_scenes(sh_db *db, imp_plan *p, bool skip_missing, int64_t *skipped, sh_error *err)
{
    char list[512] = "";
    size_t at = 0, missing = 0;
    for (size_t i = 0; i < p->n; i++) {
        bool exists = false;
        sh_status st = sh_import_scene_exists(db, p->changes[i].scene_id, &exists, err);
        if (st != SH_OK)
            return st;
        if (exists)
            continue;
        if (missing++ < MAX_MISSING_LISTED && at < sizeof list) {
            int w = snprintf(list + at, sizeof list - at, "%s%lld", at ? ", " : "", (long long)p->changes[i].scene_id);
            at += w > 0 ? (size_t)w : 0;
        }
        if (skip_missing)
            p->changes[i].scene_id = 0;
    }
    *skipped = skip_missing ? (int64_t)missing : 0;
    if (missing && !skip_missing)
        return sh_error_set(err, SH_ERR_NOT_FOUND,
                            "%zu change(s) name scenes not in the cache (%s%s); sync first or use --skip-missing",
                            missing, list, missing > MAX_MISSING_LISTED ? ", ..." : "");
    return SH_OK;
}

static sh_status exec_change(sh_db *db, const char *sql, int64_t plan_id, const imp_change *c, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, sql, &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, plan_id);
    sqlite3_bind_int64(s, 2, c->scene_id);
    sqlite3_bind_text(s, 3, c->field, -1, SQLITE_STATIC);
    int rc = sh_db_step(db, s, err);
    sqlite3_reset(s);
    return rc < 0 ? (err ? err->code : SH_ERR_DB) : rc > 0 ? SH_ERR_CONFLICT : SH_OK;
}

static sh_status store_plan(sh_db *db, imp_plan *p, const char *name, int64_t *plan_id, sh_error *err)
{
    sh_status st = sh_plan_create(db, name, p->options_json, p->filter_json, true, plan_id, err);
    for (size_t i = 0; st == SH_OK && i < p->n; i++) {
        const imp_change *c = &p->changes[i];
        if (c->scene_id == 0)
            continue;
        /* add_change would merge a repeated (scene, field) silently. */
        st = exec_change(db, "SELECT 1 FROM plan_changes WHERE plan_id = ?1 AND scene_id = ?2 AND field = ?3",
                         *plan_id, c, err);
        if (st == SH_ERR_CONFLICT) {
            st = sh_error_set(err, SH_ERR_INVALID, "%s: a second change of scene %lld field %s", c->where,
                              (long long)c->scene_id, c->field);
            break;
        }
        sh_plan_change_in in = {.plan_id = *plan_id,
                                .scene_id = c->scene_id,
                                .field = c->field,
                                .current = c->current,
                                .proposed = c->proposed,
                                .confidence = c->confidence,
                                .analyzer = c->analyzer,
                                .reason = c->reason};
        if (st == SH_OK)
            st = sh_plan_add_change(db, &in, err);
        if (st == SH_OK && c->rejected)
            st = exec_change(db,
                             "UPDATE plan_changes SET status = 'rejected' "
                             "WHERE plan_id = ?1 AND scene_id = ?2 AND field = ?3",
                             *plan_id, c, err);
    }
    sqlite3_stmt *s = NULL;
    if (st == SH_OK && (st = sh_db_prepare(db,
                                           "UPDATE plans SET scene_count = (SELECT count(DISTINCT scene_id) "
                                           "FROM plan_changes WHERE plan_id = ?1) WHERE id = ?1",
                                           &s, err)) == SH_OK) {
        sqlite3_bind_int64(s, 1, *plan_id);
        if (sh_db_step(db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
        sqlite3_reset(s);
    }
    return st;
}

sh_status sh_plan_import(sh_db *db, sh_services *svc, const char *content, size_t len,
                         const sh_plan_import_opts *opts, int64_t *plan_id, int64_t *skipped, sh_error *err)
{
    imp_plan p = {0};
    char *name = NULL;
    *plan_id = 0;
    *skipped = 0;
    sh_import_format fmt = opts->format == SH_IMPORT_DETECT ? sh_import_detect(content, len) : opts->format;
    if (opts->name && (!*opts->name || strlen(opts->name) > SH_PLAN_IMPORT_MAX_NAME))
        return sh_error_set(err, SH_ERR_INVALID, "a plan name has 1 to %d bytes", SH_PLAN_IMPORT_MAX_NAME);
    /* One write transaction: the name lookups of CSV parsing and the
     * checks see the same cache the inserts go into. */
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    st = fmt == SH_IMPORT_JSON ? parse_json(&p, content, len, err) : parse_csv(db, &p, content, len, err);
    if (st == SH_OK && p.n == 0)
        st = sh_error_set(err, SH_ERR_INVALID, "the file holds no changes");
    for (size_t i = 0; st == SH_OK && i < p.n; i++)
        st = check_change(db, &p.changes[i], err);
    if (st == SH_OK)
        st = check_scenes(db, &p, opts->skip_missing, skipped, err);
    if (st == SH_OK && *skipped == (int64_t)p.n)
        st = sh_error_set(err, SH_ERR_INVALID, "every change names a scene not in the cache; nothing to import");
    if (st == SH_OK) {
        if (opts->name)
            name = strdup(opts->name);
        else if (asprintf(&name, "%.*s (imported)", SH_PLAN_IMPORT_MAX_NAME, p.name ? p.name : "plan") < 0)
            name = NULL;
        st = name ? store_plan(db, &p, name, plan_id, err) : sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    st = sh_db_finish(db, st, err);
    if (st == SH_OK) {
        sh_info(LOG, "plan %lld imported: %zu changes (%lld skipped)", (long long)*plan_id, p.n, (long long)*skipped);
        sh_plan_publish(svc, *plan_id, STASHHOG__PLAN_STATUS__PLAN_DRAFT, "imported");
    } else {
        *plan_id = 0;
    }
    free(name);
    imp_plan_fini(&p);
    return st;
}
