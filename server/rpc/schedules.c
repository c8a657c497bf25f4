/* schedules.c - RPC handlers for schedules: CRUD, run now, history, cron preview.
 *
 * Every change kicks the scheduler thread so it re-plans at once. */
#include <string.h>

#include "analysis/plugin.h"
#include "config.h"
#include "jobs/jobs.h"
#include "rpc/handlers.h"
#include "sh-cron.h"
#include "schedule/scheduler.h"
#include "sh-util.h"

/* "Never matches" is still the caller's mistake: report it as invalid input. */
static sh_status sh_error_set_code(sh_error *err, sh_status code)
{
    if (err)
        err->code = code;
    return code;
}

#define SCHEDULE_COLUMNS                                                                                    \
    "s.id, s.name, s.job_type, s.params, s.cron, s.interval_s, s.enabled, s.catch_up, s.last_slot,"         \
    " s.last_run_at, s.last_job_id, j.status, s.created_at"

static Stashhog__Schedule *schedule_from_row(sqlite3_stmt *s, sh_arena *a)
{
    Stashhog__Schedule *r = SH_ARENA_NEW(a, Stashhog__Schedule);
    if (!r)
        return NULL;
    stashhog__schedule__init(r);
    r->has_id = 1;
    r->id = sqlite3_column_int64(s, 0);
    r->name = sh_arena_strdup(a, sh_db_column_text(s, 1));
    r->job_type = sh_arena_strdup(a, sh_db_column_text(s, 2));
    r->params_json = sh_arena_strdup(a, sh_db_column_text(s, 3));
    if (sqlite3_column_type(s, 4) != SQLITE_NULL)
        r->cron = sh_arena_strdup(a, sh_db_column_text(s, 4));
    if ((r->has_interval_s = sqlite3_column_type(s, 5) != SQLITE_NULL))
        r->interval_s = sqlite3_column_int64(s, 5);
    r->has_enabled = r->has_catch_up = 1;
    r->enabled = sqlite3_column_int(s, 6) != 0;
    r->catch_up = sqlite3_column_int(s, 7) != 0;
    if ((r->has_last_run_ms = sqlite3_column_type(s, 9) != SQLITE_NULL))
        r->last_run_ms = sqlite3_column_int64(s, 9);
    if ((r->has_last_job_id = sqlite3_column_type(s, 10) != SQLITE_NULL))
        r->last_job_id = sqlite3_column_int64(s, 10);
    int status = sh_jobs_status_from_text(sh_db_column_text(s, 11));
    if ((r->has_last_status = status >= 0))
        r->last_status = (Stashhog__JobStatus)status;
    if (r->enabled) {
        /* Next slot from now, or from the last slot taken if that is later. */
        int64_t created_s = sqlite3_column_int64(s, 12) / 1000, now_s = sh_now_ms() / 1000;
        int64_t base = sqlite3_column_type(s, 8) != SQLITE_NULL ? sqlite3_column_int64(s, 8) : created_s;
        int64_t next = 0;
        if (sh_schedule_next_slot(r->cron, r->interval_s, created_s, base > now_s ? base : now_s, &next, NULL) ==
            SH_OK) {
            r->has_next_run_ms = 1;
            r->next_run_ms = next * 1000;
        }
    }
    return r->name && r->job_type && r->params_json ? r : NULL;
}

static sh_status load_schedule(sh_db *db, int64_t id, sh_arena *a, Stashhog__Schedule **out, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db,
                                 "SELECT " SCHEDULE_COLUMNS " FROM schedules s LEFT JOIN jobs j ON j.id = s.last_job_id"
                                 " WHERE s.id = ?",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, id);
    int rc = sh_db_step(db, s, err);
    if (rc == 1 && !(*out = schedule_from_row(s, a)))
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
    else if (rc == 0)
        st = sh_error_set(err, SH_ERR_NOT_FOUND, "no schedule %lld", (long long)id);
    else if (rc < 0)
        st = err ? err->code : SH_ERR_DB;
    sqlite3_reset(s);
    return st;
}

sh_status sh_rpc_schedule_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(w->ro,
                                 "SELECT " SCHEDULE_COLUMNS " FROM schedules s LEFT JOIN jobs j ON j.id = s.last_job_id"
                                 " ORDER BY s.name",
                                 &s, err);
    if (st != SH_OK)
        return st;
    Stashhog__ScheduleListReply *r = SH_ARENA_NEW(call->arena, Stashhog__ScheduleListReply);
    if (!r) {
        sqlite3_reset(s);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    stashhog__schedule_list_reply__init(r);
    size_t cap = 0;
    int rc;
    while ((rc = sh_db_step(w->ro, s, err)) == 1) {
        if (r->n_schedules == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            Stashhog__Schedule **grown = (Stashhog__Schedule **)sh_arena_ptrs(call->arena, ncap);
            if (!grown)
                break;
            for (size_t k = 0; k < cap; k++)
                grown[k] = r->schedules[k];
            r->schedules = grown;
            cap = ncap;
        }
        if (!(r->schedules[r->n_schedules] = schedule_from_row(s, call->arena)))
            break;
        r->n_schedules++;
    }
    sqlite3_reset(s);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    if (rc == 1)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    call->reply->body_case = STASHHOG__REPLY__BODY_SCHEDULE_LIST;
    call->reply->schedule_list = r;
    return SH_OK;
}

/* An analyze schedule's analyzer names, checked now rather than at its
 * first run (which could be days away). */
static sh_status check_analyzers(sh_services *svc, const json_t *params, sh_error *err)
{
    const json_t *list = json_object_get(params, "analyzers");
    const char *names[32];
    size_t n = 0;
    if (!json_is_array(list))
        return SH_OK; /* absent: every analyzer; a wrong type was refused by sh_jobs_check */
    if (json_array_size(list) > sizeof names / sizeof names[0])
        return sh_error_set(err, SH_ERR_INVALID, "at most %zu analyzers", sizeof names / sizeof names[0]);
    for (size_t i = 0; i < json_array_size(list); i++)
        if ((names[n] = json_string_value(json_array_get(list, i))))
            n++;
    return sh_an_analyzer_names_check(svc->cfg ? svc->cfg->plugins_dir : NULL, names, n, err);
}

/* Validate and normalize; cron_out is the canonical cron text (arena). */
static sh_status validate(sh_services *svc, const Stashhog__Schedule *in, sh_arena *a, char **cron_out,
                          json_t **params_out, sh_error *err)
{
    *cron_out = NULL;
    *params_out = NULL;
    if (sh_str_empty(in->name) || strlen(in->name) > 100)
        return sh_error_set(err, SH_ERR_INVALID, "a schedule needs a name (at most 100 characters)");
    bool has_cron = !sh_str_empty(in->cron);
    if (has_cron == (bool)in->has_interval_s)
        return sh_error_set(err, SH_ERR_INVALID, "give either a cron expression or an interval, not %s",
                            has_cron ? "both" : "neither");
    if (has_cron) {
        sh_cron *c = NULL;
        sh_status st = sh_cron_parse(in->cron, &c, err);
        if (st == SH_OK)
            st = sh_cron_check(c, err);
        if (st == SH_OK && !(*cron_out = sh_arena_strdup(a, sh_cron_normalized(c))))
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        sh_cron_destroy(c);
        if (st != SH_OK) {
            sh_error_prefix(err, "cron '%s'", in->cron);
            return sh_error_set_code(err, SH_ERR_INVALID);
        }
    } else if (in->interval_s < SH_INTERVAL_MIN_S || in->interval_s > SH_INTERVAL_MAX_S) {
        return sh_error_set(err, SH_ERR_INVALID, "interval must be from %d s to %lld s", SH_INTERVAL_MIN_S,
                            (long long)SH_INTERVAL_MAX_S);
    }
    json_error_t jerr;
    json_t *params = sh_str_empty(in->params_json) ? json_object() : json_loads(in->params_json, 0, &jerr);
    if (!params || !json_is_object(params)) {
        json_decref(params);
        return sh_error_set(err, SH_ERR_INVALID, "params must be a JSON object");
    }
    sh_status st = sh_jobs_check(svc->jobs, in->job_type, params, err);
    if (st == SH_OK && strcmp(in->job_type, "analyze") == 0)
        st = check_analyzers(svc, params, err);
    if (st != SH_OK) {
        json_decref(params);
        return st;
    }
    *params_out = params;
    return SH_OK;
}

sh_status sh_rpc_schedule_save(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__ScheduleSaveRequest *req = call->request->schedule_save;
    if (!req || !req->schedule)
        return sh_error_set(err, SH_ERR_INVALID, "schedule missing");
    const Stashhog__Schedule *in = req->schedule;
    char *cron = NULL;
    json_t *params = NULL;
    sh_status st = validate(svc, in, call->arena, &cron, &params, err);
    if (st != SH_OK)
        return st;
    char *params_text = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
    json_decref(params);
    if (!params_text)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    int64_t now = sh_now_ms(), id = in->has_id ? in->id : 0;
    sqlite3_stmt *s = NULL;
    if ((st = sh_db_write_begin(w->rw, err)) != SH_OK)
        goto out;
    if (id) {
        /* A changed timing or a re-enable starts afresh: no catch-up of slots before now. */
        st = sh_db_prepare(w->rw,
                           "UPDATE schedules SET name = ?2, job_type = ?3, params = ?4, cron = ?5, interval_s = ?6,"
                           " enabled = coalesce(?7, enabled), catch_up = coalesce(?8, catch_up), updated_at = ?9,"
                           " last_slot = CASE WHEN cron IS NOT ?5 OR interval_s IS NOT ?6"
                           "   OR (enabled = 0 AND coalesce(?7, 0) = 1) THEN ?9 / 1000 ELSE last_slot END"
                           " WHERE id = ?1",
                           &s, err);
    } else {
        st = sh_db_prepare(w->rw,
                           "INSERT INTO schedules (name, job_type, params, cron, interval_s, enabled, catch_up,"
                           " created_at, updated_at) VALUES (?2, ?3, ?4, ?5, ?6, coalesce(?7, 1), coalesce(?8, 1),"
                           " ?9, ?9)",
                           &s, err);
    }
    if (st != SH_OK) {
        sh_db_rollback(w->rw);
        goto out;
    }
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, in->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, in->job_type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, params_text, -1, SQLITE_TRANSIENT);
    sh_db_bind_text(s, 5, cron);
    if (in->has_interval_s)
        sqlite3_bind_int64(s, 6, in->interval_s);
    else
        sqlite3_bind_null(s, 6);
    if (in->has_enabled)
        sqlite3_bind_int(s, 7, in->enabled);
    else
        sqlite3_bind_null(s, 7);
    if (in->has_catch_up)
        sqlite3_bind_int(s, 8, in->catch_up);
    else
        sqlite3_bind_null(s, 8);
    sqlite3_bind_int64(s, 9, now);
    int rc = sqlite3_step(s);
    int changes = sqlite3_changes(sh_db_handle(w->rw));
    sqlite3_reset(s);
    if (rc == SQLITE_CONSTRAINT) {
        sh_db_rollback(w->rw);
        st = sh_error_set(err, SH_ERR_CONFLICT, "a schedule named '%s' already exists", in->name);
        goto out;
    }
    if (rc != SQLITE_DONE) {
        st = sh_db_fail(w->rw, "saving a schedule", err);
        sh_db_rollback(w->rw);
        goto out;
    }
    if (id && changes == 0) {
        sh_db_rollback(w->rw);
        st = sh_error_set(err, SH_ERR_NOT_FOUND, "no schedule %lld", (long long)id);
        goto out;
    }
    if (!id)
        id = sqlite3_last_insert_rowid(sh_db_handle(w->rw));
    if ((st = sh_db_commit(w->rw, err)) != SH_OK)
        goto out;
    sh_scheduler_kick(svc->scheduler);
    Stashhog__Schedule *saved = NULL;
    if ((st = load_schedule(w->rw, id, call->arena, &saved, err)) != SH_OK)
        goto out;
    call->reply->body_case = STASHHOG__REPLY__BODY_SCHEDULE;
    call->reply->schedule = saved;
out:
    free(params_text);
    return st;
}

sh_status sh_rpc_schedule_delete(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__ScheduleDeleteRequest *req = call->request->schedule_delete;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "schedule id missing");
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_write_begin(w->rw, err);
    if (st == SH_OK)
        st = sh_db_prepare(w->rw, "DELETE FROM schedules WHERE id = ?", &s, err);
    if (st != SH_OK) {
        sh_db_rollback(w->rw);
        return st;
    }
    sqlite3_bind_int64(s, 1, req->id);
    int rc = sh_db_step(w->rw, s, err);
    sqlite3_reset(s);
    if (rc < 0) {
        sh_db_rollback(w->rw);
        return err ? err->code : SH_ERR_DB;
    }
    if (sqlite3_changes(sh_db_handle(w->rw)) == 0) {
        sh_db_rollback(w->rw);
        return sh_error_set(err, SH_ERR_NOT_FOUND, "no schedule %lld", (long long)req->id);
    }
    if ((st = sh_db_commit(w->rw, err)) != SH_OK)
        return st;
    sh_scheduler_kick(svc->scheduler);
    return sh_rpc_reply_empty(call, err);
}

sh_status sh_rpc_schedule_run(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__ScheduleRunRequest *req = call->request->schedule_run;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "schedule id missing");
    int64_t job_id = 0;
    sh_status st = sh_scheduler_run_now(svc->jobs, w->rw, req->id, &job_id, err);
    if (st != SH_OK)
        return st;
    return sh_rpc_reply_job(call, w, job_id, NULL, 0, err);
}

sh_status sh_rpc_schedule_history(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__ScheduleHistoryRequest *req = call->request->schedule_history;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "schedule id missing");
    Stashhog__Schedule *sched = NULL;
    sh_status st = load_schedule(w->ro, req->id, call->arena, &sched, err);
    if (st != SH_OK)
        return st;
    sh_jobs_filter f = {.limit = req->has_limit ? req->limit : 20, .schedule_id = req->id};
    Stashhog__JobListReply *r = SH_ARENA_NEW(call->arena, Stashhog__JobListReply);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__job_list_reply__init(r);
    if ((st = sh_jobs_list(svc->jobs, w->ro, &f, call->arena, &r->jobs, &r->n_jobs, err)) != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_JOB_LIST;
    call->reply->job_list = r;
    return SH_OK;
}

sh_status sh_rpc_cron_preview(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    (void)w;
    const Stashhog__CronPreviewRequest *req = call->request->cron_preview;
    if (!req || sh_str_empty(req->cron))
        return sh_error_set(err, SH_ERR_INVALID, "cron expression missing");
    int count = req->has_count ? req->count : 5;
    if (count < 1 || count > 100)
        return sh_error_set(err, SH_ERR_INVALID, "count must be from 1 to 100");
    sh_cron *c = NULL;
    sh_status st = sh_cron_parse(req->cron, &c, err);
    if (st == SH_OK)
        st = sh_cron_check(c, err);
    if (st != SH_OK) {
        sh_cron_destroy(c);
        return sh_error_set_code(err, SH_ERR_INVALID);
    }
    Stashhog__CronPreviewReply *r = SH_ARENA_NEW(call->arena, Stashhog__CronPreviewReply);
    int64_t *runs = sh_arena_alloc(call->arena, (size_t)count * sizeof *runs);
    if (!r || !runs) {
        sh_cron_destroy(c);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    stashhog__cron_preview_reply__init(r);
    int64_t t = sh_now_ms() / 1000;
    for (int i = 0; i < count && sh_cron_next(c, t, 1, &t) == SH_OK; i++)
        runs[r->n_next_runs_ms++] = t * 1000;
    sh_cron_destroy(c);
    r->next_runs_ms = runs;
    call->reply->body_case = STASHHOG__REPLY__BODY_CRON_PREVIEW;
    call->reply->cron_preview = r;
    return SH_OK;
}
