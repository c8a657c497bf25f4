/* plan-store.c - plans and their changes in SQLite: create, status,
 * summaries, paged reads, delete.  Review and edit live in plan-review.c,
 * export in plan-export.c. */
#include <stdlib.h>
#include <string.h>

#include "plans/plan-internal.h"
#include "plans/plan-values.h"
#include "plans/plans.h"
#include "sh-log.h"

#define LOG "plans"

static const char *const plan_status_names[] = {"draft",   "reviewing",         "applying",   "applied",
                                                "partially_applied", "rolled_back", "failed"};
static const char *const change_status_names[] = {"pending", "accepted", "rejected",   "applied",
                                                  "failed",  "conflict", "rolled_back"};
#define N_PLAN_STATUS (sizeof plan_status_names / sizeof plan_status_names[0])
#define N_CHANGE_STATUS (sizeof change_status_names / sizeof change_status_names[0])

const char *sh_plan_status_text(int status)
{
    return status >= 0 && (size_t)status < N_PLAN_STATUS ? plan_status_names[status] : "unknown";
}

int sh_plan_status_parse(const char *text)
{
    for (size_t i = 0; text && i < N_PLAN_STATUS; i++)
        if (strcmp(text, plan_status_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *sh_change_status_text(int status)
{
    return status >= 0 && (size_t)status < N_CHANGE_STATUS ? change_status_names[status] : "unknown";
}

int sh_change_status_parse(const char *text)
{
    for (size_t i = 0; text && i < N_CHANGE_STATUS; i++)
        if (strcmp(text, change_status_names[i]) == 0)
            return (int)i;
    return -1;
}

/* ---------------------------------------------------------------- writes */

sh_status sh_plan_create(sh_db *db, const char *name, const char *options_json, const char *filter_json,
                         bool in_txn, int64_t *plan_id, sh_error *err)
{
    if (sh_str_empty(name))
        return sh_error_set(err, SH_ERR_INVALID, "a plan needs a name");
    sh_status st = in_txn ? SH_OK : sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *s = NULL;
    if ((st = sh_db_prepare(db,
                            "INSERT INTO plans (name, status, options, filter, created_at, updated_at) "
                            "VALUES (?1, 'draft', ?2, ?3, ?4, ?4)",
                            &s, err)) == SH_OK) {
        int64_t now = sh_now_ms();
        sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, options_json ? options_json : "{}", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, filter_json ? filter_json : "{}", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 4, now);
        if (sh_db_step(db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
        else
            *plan_id = sqlite3_last_insert_rowid(sh_db_handle(db));
    }
    if (!in_txn) {
        if (st == SH_OK)
            st = sh_db_commit(db, err);
        else
            sh_db_rollback(db);
    }
    return st;
}

static sh_status bind_json(sqlite3_stmt *s, int idx, const json_t *v, sh_error *err)
{
    if (!v || json_is_null(v)) {
        sqlite3_bind_null(s, idx);
        return SH_OK;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sqlite3_bind_text(s, idx, text, -1, free);
    return SH_OK;
}

sh_status sh_plan_add_change(sh_db *db, const sh_plan_change_in *c, sh_error *err)
{
    if (sh_pv_field_kind(c->field) < 0)
        return sh_error_set(err, SH_ERR_INVALID, "unknown field '%s'", c->field ? c->field : "");
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db,
                                 "INSERT INTO plan_changes (plan_id, scene_id, field, current_value, "
                                 " proposed_value, confidence, analyzer, reason) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                                 "ON CONFLICT (plan_id, scene_id, field) DO UPDATE SET "
                                 " current_value = excluded.current_value, proposed_value = excluded.proposed_value,"
                                 " confidence = excluded.confidence, analyzer = excluded.analyzer,"
                                 " reason = excluded.reason, status = 'pending', error = NULL",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, c->plan_id);
    sqlite3_bind_int64(s, 2, c->scene_id);
    sqlite3_bind_text(s, 3, c->field, -1, SQLITE_STATIC);
    if ((st = bind_json(s, 4, c->current, err)) != SH_OK || (st = bind_json(s, 5, c->proposed, err)) != SH_OK)
        return st;
    sqlite3_bind_double(s, 6, c->confidence);
    sh_db_bind_text(s, 7, c->analyzer);
    sh_db_bind_text(s, 8, c->reason);
    return sh_db_step(db, s, err) < 0 ? (err ? err->code : SH_ERR_DB) : SH_OK;
}

void sh_plan_publish(sh_services *svc, int64_t plan_id, int status, const char *what)
{
    if (!svc)
        return;
    Stashhog__PlanChanged pc = STASHHOG__PLAN_CHANGED__INIT;
    pc.plan_id = plan_id;
    if (status >= 0) {
        pc.has_status = 1;
        pc.status = (Stashhog__PlanStatus)status;
    }
    pc.what = (char *)what;
    sh_event ev = STASHHOG__EVENT__INIT;
    ev.topic = (char *)"plan.changed";
    ev.payload_case = STASHHOG__EVENT__PAYLOAD_PLAN_CHANGED;
    ev.plan_changed = &pc;
    sh_services_publish(svc, &ev);
}

sh_status sh_plan_set_status(sh_db *db, sh_services *svc, int64_t plan_id, Stashhog__PlanStatus status,
                             const char *what, bool in_txn, sh_error *err)
{
    sh_status st = in_txn ? SH_OK : sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *s = NULL;
    if ((st = sh_db_prepare(db,
                            "UPDATE plans SET status = ?2, updated_at = ?3,"
                            " applied_at = CASE WHEN ?2 IN ('applied','partially_applied') THEN ?3 ELSE applied_at END,"
                            " rolled_back_at = CASE WHEN ?2 = 'rolled_back' THEN ?3 ELSE rolled_back_at END "
                            "WHERE id = ?1",
                            &s, err)) == SH_OK) {
        sqlite3_bind_int64(s, 1, plan_id);
        sqlite3_bind_text(s, 2, sh_plan_status_text((int)status), -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, sh_now_ms());
        if (sh_db_step(db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
        else if (sqlite3_changes(sh_db_handle(db)) == 0)
            st = sh_error_set(err, SH_ERR_NOT_FOUND, "no plan %lld", (long long)plan_id);
    }
    if (!in_txn) {
        if (st == SH_OK)
            st = sh_db_commit(db, err);
        else
            sh_db_rollback(db);
    }
    if (st == SH_OK && !in_txn)
        sh_plan_publish(svc, plan_id, (int)status, what);
    return st;
}

sh_status sh_plan_get_status(sh_db *db, int64_t plan_id, Stashhog__PlanStatus *status, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, "SELECT status FROM plans WHERE id = ?1", &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, plan_id);
    int rc = sh_db_step(db, s, err);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    if (rc == 0)
        return sh_error_set(err, SH_ERR_NOT_FOUND, "no plan %lld", (long long)plan_id);
    int v = sh_plan_status_parse(sh_db_column_text(s, 0));
    *status = v < 0 ? STASHHOG__PLAN_STATUS__PLAN_FAILED : (Stashhog__PlanStatus)v;
    sqlite3_reset(s);
    return SH_OK;
}

/* --------------------------------------------------------------- reads */

static sh_status read_counts(sh_db *db, Stashhog__PlanSummary *p, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, "SELECT status, count(*) FROM plan_changes WHERE plan_id = ?1 GROUP BY status",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, p->id);
    p->has_change_count = p->has_pending = p->has_accepted = p->has_rejected = 1;
    p->has_applied = p->has_failed = p->has_conflicts = 1;
    int rc;
    while ((rc = sh_db_step(db, s, err)) == 1) {
        int64_t n = sqlite3_column_int64(s, 1);
        p->change_count += n;
        switch (sh_change_status_parse(sh_db_column_text(s, 0))) {
        case STASHHOG__CHANGE_STATUS__CHANGE_PENDING: p->pending += n; break;
        case STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED: p->accepted += n; break;
        case STASHHOG__CHANGE_STATUS__CHANGE_REJECTED: p->rejected += n; break;
        case STASHHOG__CHANGE_STATUS__CHANGE_APPLIED: p->applied += n; break;
        case STASHHOG__CHANGE_STATUS__CHANGE_FAILED: p->failed += n; break;
        case STASHHOG__CHANGE_STATUS__CHANGE_CONFLICT: p->conflicts += n; break;
        default: break;
        }
    }
    return rc < 0 ? (err ? err->code : SH_ERR_DB) : SH_OK;
}

#define SUMMARY_COLS                                                                              \
    "SELECT id, name, status, created_at, scene_count, prompt_tokens, completion_tokens, cost_usd," \
    " job_id, options, filter FROM plans "

static sh_status summary_from_row(sh_db *db, sh_arena *a, sqlite3_stmt *s, Stashhog__PlanSummary **out,
                                  sh_error *err)
{
    Stashhog__PlanSummary *p = SH_ARENA_NEW(a, Stashhog__PlanSummary);
    if (!p)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__plan_summary__init(p);
    p->id = sqlite3_column_int64(s, 0);
    p->name = sh_arena_strdup(a, sh_db_column_text(s, 1));
    int status = sh_plan_status_parse(sh_db_column_text(s, 2));
    p->status = status < 0 ? STASHHOG__PLAN_STATUS__PLAN_FAILED : (Stashhog__PlanStatus)status;
    p->has_created_at_ms = p->has_scene_count = p->has_prompt_tokens = p->has_completion_tokens = 1;
    p->has_cost_usd = 1;
    p->created_at_ms = sqlite3_column_int64(s, 3);
    p->scene_count = sqlite3_column_int64(s, 4);
    p->prompt_tokens = sqlite3_column_int64(s, 5);
    p->completion_tokens = sqlite3_column_int64(s, 6);
    p->cost_usd = sqlite3_column_double(s, 7);
    if (sqlite3_column_type(s, 8) != SQLITE_NULL) {
        p->has_job_id = 1;
        p->job_id = sqlite3_column_int64(s, 8);
    }
    p->options_json = sh_arena_strdup(a, sh_db_column_text(s, 9));
    p->filter_json = sh_arena_strdup(a, sh_db_column_text(s, 10));
    if (!p->name || !p->options_json || !p->filter_json)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    (void)db;
    *out = p;
    return SH_OK;
}

sh_status sh_plan_summary(sh_db *db, sh_arena *arena, int64_t plan_id, Stashhog__PlanSummary **out,
                          sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, SUMMARY_COLS "WHERE id = ?1", &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, plan_id);
    int rc = sh_db_step(db, s, err);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    if (rc == 0)
        return sh_error_set(err, SH_ERR_NOT_FOUND, "no plan %lld", (long long)plan_id);
    st = summary_from_row(db, arena, s, out, err);
    sqlite3_reset(s);
    return st == SH_OK ? read_counts(db, *out, err) : st;
}

sh_status sh_plan_list(sh_db *db, sh_arena *arena, int limit, Stashhog__PlanListReply **out, sh_error *err)
{
    if (limit <= 0)
        limit = 50;
    if (limit > 1000)
        limit = 1000;
    Stashhog__PlanListReply *r = SH_ARENA_NEW(arena, Stashhog__PlanListReply);
    Stashhog__PlanSummary **rows = (Stashhog__PlanSummary **)sh_arena_ptrs(arena, (size_t)limit);
    if (!r || !rows)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__plan_list_reply__init(r);
    r->plans = rows;
    sh_status st = sh_db_read_begin(db, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *s = NULL;
    if ((st = sh_db_prepare(db, SUMMARY_COLS "ORDER BY id DESC LIMIT ?1", &s, err)) == SH_OK) {
        sqlite3_bind_int(s, 1, limit);
        int rc = 0;
        while (st == SH_OK && r->n_plans < (size_t)limit && (rc = sh_db_step(db, s, err)) == 1)
            if ((st = summary_from_row(db, arena, s, &rows[r->n_plans], err)) == SH_OK)
                r->n_plans++;
        if (st == SH_OK && rc < 0)
            st = err ? err->code : SH_ERR_DB;
        sqlite3_reset(s);
    }
    for (size_t i = 0; st == SH_OK && i < r->n_plans; i++)
        st = read_counts(db, rows[i], err);
    st = sh_db_finish(db, st, err);
    *out = r;
    return st;
}

static json_t *column_json(sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return json_null();
    json_t *v = json_loads(sh_db_column_text(s, col), JSON_DECODE_ANY, NULL);
    return v ? v : json_null();
}

static sh_status change_from_row(sh_arena *a, sqlite3_stmt *s, Stashhog__Change **out, sh_error *err)
{
    Stashhog__Change *c = SH_ARENA_NEW(a, Stashhog__Change);
    if (!c)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__change__init(c);
    c->id = sqlite3_column_int64(s, 0);
    c->scene_id = sqlite3_column_int64(s, 1);
    c->field = sh_arena_strdup(a, sh_db_column_text(s, 2));
    json_t *cur = column_json(s, 3), *prop = column_json(s, 4);
    sh_status st = sh_pv_to_field_value(a, c->field, cur, false, NULL, &c->current, err);
    if (st == SH_OK)
        st = sh_pv_to_field_value(a, c->field, prop, true, cur, &c->proposed, err);
    if (st == SH_OK && sh_pv_field_kind(c->field) == SH_PV_SET) {
        st = sh_pv_refs(a, json_object_get(prop, "add"), &c->added, &c->n_added, err);
        if (st == SH_OK)
            st = sh_pv_refs(a, json_object_get(prop, "remove"), &c->removed, &c->n_removed, err);
    }
    json_decref(cur);
    json_decref(prop);
    if (st != SH_OK)
        return st;
    c->has_confidence = 1;
    c->confidence = sqlite3_column_double(s, 5);
    if (sqlite3_column_type(s, 6) != SQLITE_NULL)
        c->analyzer = sh_arena_strdup(a, sh_db_column_text(s, 6));
    if (sqlite3_column_type(s, 7) != SQLITE_NULL)
        c->reason = sh_arena_strdup(a, sh_db_column_text(s, 7));
    int status = sh_change_status_parse(sh_db_column_text(s, 8));
    c->status = status < 0 ? STASHHOG__CHANGE_STATUS__CHANGE_FAILED : (Stashhog__ChangeStatus)status;
    if (sqlite3_column_type(s, 9) != SQLITE_NULL)
        c->error = sh_arena_strdup(a, sh_db_column_text(s, 9));
    if (sqlite3_column_type(s, 10) != SQLITE_NULL)
        c->scene_title = sh_arena_strdup(a, sh_db_column_text(s, 10));
    if (sqlite3_column_type(s, 11) != SQLITE_NULL)
        c->scene_path = sh_arena_strdup(a, sh_db_column_text(s, 11));
    if (sqlite3_column_type(s, 12) != SQLITE_NULL)
        c->applied_by = sh_arena_strdup(a, sh_db_column_text(s, 12));
    if (!c->field)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    *out = c;
    return SH_OK;
}

sh_status sh_plan_get(sh_db *db, sh_arena *arena, const Stashhog__PlanGetRequest *req,
                      Stashhog__PlanDetail **out, sh_error *err)
{
    int64_t limit = req->has_limit && req->limit > 0 ? req->limit : 1000;
    if (limit > 5000)
        limit = 5000;
    int64_t offset = req->has_offset && req->offset > 0 ? req->offset : 0;
    if (req->field && sh_pv_field_kind(req->field) < 0)
        return sh_error_set(err, SH_ERR_INVALID, "unknown field '%s'", req->field);
    Stashhog__PlanDetail *d = SH_ARENA_NEW(arena, Stashhog__PlanDetail);
    Stashhog__Change **rows = (Stashhog__Change **)sh_arena_ptrs(arena, (size_t)limit);
    if (!d || !rows)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__plan_detail__init(d);
    d->changes = rows;
    sh_status st = sh_db_read_begin(db, err);
    if (st != SH_OK)
        return st;
    if ((st = sh_plan_summary(db, arena, req->id, &d->summary, err)) != SH_OK)
        goto out;
    sqlite3_stmt *s = NULL;
    const char *status = req->has_status ? sh_change_status_text(req->status) : NULL;
    if ((st = sh_db_prepare(db,
                            "SELECT count(*) FROM plan_changes WHERE plan_id = ?1"
                            " AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR field = ?3)",
                            &s, err)) != SH_OK)
        goto out;
    sqlite3_bind_int64(s, 1, req->id);
    sh_db_bind_text(s, 2, status);
    sh_db_bind_text(s, 3, req->field);
    if (sh_db_step(db, s, err) != 1) {
        st = err ? err->code : SH_ERR_DB;
        goto out;
    }
    d->has_total_changes = 1;
    d->total_changes = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if ((st = sh_db_prepare(db,
                            "SELECT c.id, c.scene_id, c.field, c.current_value, c.proposed_value, c.confidence,"
                            " c.analyzer, c.reason, c.status, c.error, s.title, s.primary_path, c.applied_by "
                            "FROM plan_changes c LEFT JOIN scenes s ON s.id = c.scene_id "
                            "WHERE c.plan_id = ?1 AND (?2 IS NULL OR c.status = ?2) AND (?3 IS NULL OR c.field = ?3) "
                            "ORDER BY c.scene_id, c.field LIMIT ?4 OFFSET ?5",
                            &s, err)) != SH_OK)
        goto out;
    sqlite3_bind_int64(s, 1, req->id);
    sh_db_bind_text(s, 2, status);
    sh_db_bind_text(s, 3, req->field);
    sqlite3_bind_int64(s, 4, limit);
    sqlite3_bind_int64(s, 5, offset);
    int rc = 0;
    while (st == SH_OK && d->n_changes < (size_t)limit && (rc = sh_db_step(db, s, err)) == 1)
        if ((st = change_from_row(arena, s, &rows[d->n_changes], err)) == SH_OK)
            d->n_changes++;
    if (st == SH_OK && rc < 0)
        st = err ? err->code : SH_ERR_DB;
    sqlite3_reset(s);
out:
    st = sh_db_finish(db, st, err);
    *out = d;
    return st;
}

sh_status sh_plan_delete(sh_db *db, sh_services *svc, int64_t plan_id, sh_error *err)
{
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    Stashhog__PlanStatus status;
    sqlite3_stmt *s = NULL;
    int64_t running = 0;
    if ((st = sh_plan_get_status(db, plan_id, &status, err)) != SH_OK)
        goto out;
    /* A job of this plan still queued or running would write to a deleted plan. */
    if ((st = sh_plan_active_jobs(db, plan_id, &running, err)) != SH_OK)
        goto out;
    if (running > 0) {
        st = sh_error_set(err, SH_ERR_BUSY, "plan %lld has a job queued or running; cancel it first",
                          (long long)plan_id);
        goto out;
    }
    if ((st = sh_db_prepare(db, "DELETE FROM plans WHERE id = ?1", &s, err)) != SH_OK)
        goto out;
    sqlite3_bind_int64(s, 1, plan_id);
    if (sh_db_step(db, s, err) < 0)
        st = err ? err->code : SH_ERR_DB;
out:
    st = sh_db_finish(db, st, err);
    if (st == SH_OK)
        sh_plan_publish(svc, plan_id, -1, "deleted");
    return st;
}
