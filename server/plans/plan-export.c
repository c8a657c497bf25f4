/* plan-export.c - a whole plan as JSON (the PlanDetail message, as
 * `plans show --json` prints it) or as CSV (one row per change, values
 * rendered for spreadsheets: "+added -removed" for set fields). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plans/plan-values.h"
#include "plans/plans.h"
#include "sh-pbjson.h"

static sh_status export_json(sh_db *db, int64_t plan_id, char **content, sh_error *err)
{
    Stashhog__PlanGetRequest req = STASHHOG__PLAN_GET_REQUEST__INIT;
    req.id = plan_id;
    req.has_limit = 1;
    req.limit = 5000;
    json_t *changes = json_array();
    json_t *doc = NULL;
    sh_status st = changes ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
    /* Page through so the arena holds one page of changes at a time. */
    for (int64_t offset = 0; st == SH_OK;) {
        sh_arena *page = sh_arena_create();
        Stashhog__PlanDetail *d = NULL;
        req.has_offset = 1;
        req.offset = offset;
        st = page ? sh_plan_get(db, page, &req, &d, err) : sh_error_set(err, SH_ERR_NOMEM, NULL);
        if (st == SH_OK && d && !doc) {
            json_t *summary = sh_pb_to_json(&d->summary->base);
            doc = json_pack("{s:o}", "plan", summary ? summary : json_null());
        }
        size_t n = st == SH_OK && d ? d->n_changes : 0;
        for (size_t i = 0; i < n; i++)
            json_array_append_new(changes, sh_pb_to_json(&d->changes[i]->base));
        sh_arena_destroy(page);
        offset += (int64_t)n;
        if (n < (size_t)req.limit)
            break;
    }
    if (st == SH_OK && doc) {
        json_object_set(doc, "changes", changes);
        *content = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        if (!*content)
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    json_decref(changes);
    json_decref(doc);
    return st;
}

/* RFC 4180 field: quoted when it holds a comma, quote or line break. */
static void csv_field(FILE *f, const char *s, bool last)
{
    s = s ? s : "";
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

static json_t *column_json(sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return json_null();
    json_t *v = json_loads(sh_db_column_text(s, col), JSON_DECODE_ANY, NULL);
    return v ? v : json_null();
}

static sh_status export_csv(sh_db *db, int64_t plan_id, char **content, sh_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    static const char *const header[] = {"change_id", "scene_id", "scene_path", "field",   "current", "proposed",
                                         "confidence", "analyzer", "reason",   "status", "error"};
    for (size_t i = 0; i < 11; i++)
        csv_field(f, header[i], i == 10);
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_read_begin(db, err);
    if (st != SH_OK)
        goto out;
    if ((st = sh_db_prepare(db,
                            "SELECT c.id, c.scene_id, s.primary_path, c.field, c.current_value, c.proposed_value,"
                            " c.confidence, c.analyzer, c.reason, c.status, c.error "
                            "FROM plan_changes c LEFT JOIN scenes s ON s.id = c.scene_id "
                            "WHERE c.plan_id = ?1 ORDER BY c.scene_id, c.field",
                            &s, err)) != SH_OK)
        goto end;
    sqlite3_bind_int64(s, 1, plan_id);
    int rc;
    while ((rc = sh_db_step(db, s, err)) == 1) {
        char num[64];
        snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(s, 0));
        csv_field(f, num, false);
        snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(s, 1));
        csv_field(f, num, false);
        csv_field(f, sh_db_column_text(s, 2), false);
        const char *field = sh_db_column_text(s, 3);
        csv_field(f, field, false);
        json_t *cur = column_json(s, 4), *prop = column_json(s, 5);
        char *cur_text = sh_pv_render(field, cur, false), *prop_text = sh_pv_render(field, prop, true);
        csv_field(f, cur_text, false);
        csv_field(f, prop_text, false);
        free(cur_text);
        free(prop_text);
        json_decref(cur);
        json_decref(prop);
        snprintf(num, sizeof num, "%.3f", sqlite3_column_double(s, 6));
        csv_field(f, num, false);
        for (int col = 7; col <= 10; col++)
            csv_field(f, sh_db_column_text(s, col), col == 10);
    }
    if (rc < 0)
        st = err ? err->code : SH_ERR_DB;
    sqlite3_reset(s);
end:
    st = sh_db_finish(db, st, err);
out:
    fclose(f);
    if (st == SH_OK)
        *content = buf;
    else
        free(buf);
    return st;
}

sh_status sh_plan_export(sh_db *db, int64_t plan_id, Stashhog__ExportFormat format, char **content,
                         sh_error *err)
{
    *content = NULL;
    Stashhog__PlanStatus status;
    sh_status st = sh_plan_get_status(db, plan_id, &status, err);
    if (st != SH_OK)
        return st;
    switch (format) {
    case STASHHOG__EXPORT_FORMAT__EXPORT_JSON: return export_json(db, plan_id, content, err);
    case STASHHOG__EXPORT_FORMAT__EXPORT_CSV: return export_csv(db, plan_id, content, err);
    default: return sh_error_set(err, SH_ERR_INVALID, "unknown export format");
    }
}
