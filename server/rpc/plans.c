/* plans.c - Analyze, PlanList, PlanGet, PlanReview, PlanEdit, PlanApply,
 * PlanRollback, PlanDelete, PlanExport.  Reads use the worker's read-only
 * connection, review operations its read-write one; analysis, apply and
 * rollback become jobs and the reply carries the job (and plan) id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/plugin.h"
#include "db/scene-query.h"
#include "jobs/jobs.h"
#include "plans/analyze.h"
#include "plans/plan-internal.h"
#include "plans/plans.h"
#include "rpc/handlers.h"
#include "sh-pbjson.h"
#include "sh-util.h"

sh_status sh_rpc_analyze(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__AnalyzeRequest *req = call->request->analyze;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "analyze: empty request");
    sh_status st = sh_scene_filter_validate(req->filter, err);
    if (st == SH_OK)
        st = sh_plan_analyze_options_check(req->options, err);
    if (st == SH_OK && req->options)
        st = sh_an_analyzer_names_check(svc->cfg ? svc->cfg->plugins_dir : NULL,
                                        (const char *const *)req->options->analyzers, req->options->n_analyzers, err);
    if (st != SH_OK)
        return st;
    if (req->options && req->options->has_estimate_only && req->options->estimate_only) {
        Stashhog__AnalyzeEstimate *e = SH_ARENA_NEW(call->arena, Stashhog__AnalyzeEstimate);
        if (!e)
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        stashhog__analyze_estimate__init(e);
        if ((st = sh_analyze_estimate(w->ro, svc, req, call->arena, e, err)) != SH_OK)
            return st;
        call->reply->body_case = STASHHOG__REPLY__BODY_ANALYZE_ESTIMATE;
        call->reply->analyze_estimate = e;
        return SH_OK;
    }
    if (!svc->jobs)
        return sh_error_set(err, SH_ERR_UNAVAILABLE, "the job queue is not running");
    char name[64];
    if (sh_str_empty(req->name)) {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(name, sizeof name, "Analysis %Y-%m-%d %H:%M", &tm);
    }
    json_t *oj = req->options ? sh_pb_to_json(&req->options->base) : json_object();
    char *options = oj ? json_dumps(oj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *filter = sh_plan_filter_to_json(req->filter);
    json_decref(oj);
    int64_t plan_id = 0, job_id = 0;
    json_t *params = NULL;
    if (!options || !filter) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    /* Plan row and job row in one transaction: never a plan without its job. */
    if ((st = sh_db_write_begin(w->rw, err)) != SH_OK)
        goto out;
    if ((st = sh_plan_create(w->rw, sh_str_empty(req->name) ? name : req->name, options, filter, true, &plan_id,
                             err)) == SH_OK) {
        params = json_pack("{s:I}", "plan_id", (json_int_t)plan_id);
        sh_job_submit sub = {.type = "analyze", .params = params};
        st = params ? sh_jobs_submit(svc->jobs, w->rw, &sub, &job_id, err) : sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    sqlite3_stmt *s = NULL;
    if (st == SH_OK && (st = sh_db_prepare(w->rw, "UPDATE plans SET job_id = ?2 WHERE id = ?1", &s, err)) == SH_OK) {
        sqlite3_bind_int64(s, 1, plan_id);
        sqlite3_bind_int64(s, 2, job_id);
        if (sh_db_step(w->rw, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
    }
    st = sh_db_finish(w->rw, st, err);
    if (st == SH_OK) {
        sh_jobs_wake(svc->jobs);
        sh_plan_publish(svc, plan_id, STASHHOG__PLAN_STATUS__PLAN_DRAFT, "created");
        st = sh_rpc_reply_job(call, w, job_id, "analyze", plan_id, err);
    }
out:
    json_decref(params);
    free(options);
    free(filter);
    return st;
}

sh_status sh_rpc_plan_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__PlanListRequest *req = call->request->plan_list;
    Stashhog__PlanListReply *r = NULL;
    sh_status st = sh_plan_list(w->ro, call->arena, req && req->has_limit ? req->limit : 0, &r, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_PLAN_LIST;
    call->reply->plan_list = r;
    return SH_OK;
}

sh_status sh_rpc_plan_get(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__PlanGetRequest *req = call->request->plan_get;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "plan id missing");
    if ((req->has_limit && req->limit < 0) || (req->has_offset && req->offset < 0))
        return sh_error_set(err, SH_ERR_INVALID, "negative limit or offset");
    Stashhog__PlanDetail *d = NULL;
    sh_status st = sh_plan_get(w->ro, call->arena, req, &d, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_PLAN;
    call->reply->plan = d;
    return SH_OK;
}

sh_status sh_rpc_plan_review(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__PlanReviewRequest *req = call->request->plan_review;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "plan id missing");
    Stashhog__PlanReviewReply *r = SH_ARENA_NEW(call->arena, Stashhog__PlanReviewReply);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__plan_review_reply__init(r);
    sh_status st = sh_plan_review(w->rw, svc, req, &r->updated, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_PLAN_REVIEW;
    call->reply->plan_review = r;
    return SH_OK;
}

sh_status sh_rpc_plan_edit(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__PlanEditRequest *req = call->request->plan_edit;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "plan id missing");
    sh_status st = sh_plan_edit(w->rw, svc, req, err);
    if (st != SH_OK)
        return st;
    Stashhog__PlanSummary *s = NULL;
    if ((st = sh_plan_summary(w->rw, call->arena, req->plan_id, &s, err)) != SH_OK)
        return st;
    Stashhog__PlanDetail *d = SH_ARENA_NEW(call->arena, Stashhog__PlanDetail);
    if (!d)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__plan_detail__init(d);
    d->summary = s;
    call->reply->body_case = STASHHOG__REPLY__BODY_PLAN;
    call->reply->plan = d;
    return SH_OK;
}

static sh_status start_plan_job(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, const char *type,
                                int64_t plan_id, json_t *params, sh_error *err)
{
    if (!svc->jobs)
        return sh_error_set(err, SH_ERR_UNAVAILABLE, "the job queue is not running");
    Stashhog__PlanStatus status;
    int64_t active = 0;
    sh_status st = sh_plan_get_status(w->rw, plan_id, &status, err);
    if (st == SH_OK)
        st = sh_plan_active_jobs(w->rw, plan_id, &active, err);
    if (st != SH_OK)
        return st;
    if (active > 0)
        return sh_error_set(err, SH_ERR_BUSY, "plan %lld already has a job queued or running", (long long)plan_id);
    bool rollback = strcmp(type, "rollback_plan") == 0;
    if (rollback && status != STASHHOG__PLAN_STATUS__PLAN_APPLIED &&
        status != STASHHOG__PLAN_STATUS__PLAN_PARTIALLY_APPLIED && status != STASHHOG__PLAN_STATUS__PLAN_FAILED)
        return sh_error_set(err, SH_ERR_CONFLICT, "plan %lld is %s; only applied plans can be rolled back",
                            (long long)plan_id, sh_plan_status_text((int)status));
    if (!rollback && status == STASHHOG__PLAN_STATUS__PLAN_ROLLED_BACK)
        return sh_error_set(err, SH_ERR_CONFLICT, "plan %lld was rolled back; analyze again", (long long)plan_id);
    sh_job_submit sub = {.type = type, .params = params};
    int64_t job_id = 0;
    if ((st = sh_jobs_submit(svc->jobs, w->rw, &sub, &job_id, err)) != SH_OK)
        return st;
    return sh_rpc_reply_job(call, w, job_id, type, plan_id, err);
}

sh_status sh_rpc_plan_apply(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__PlanApplyRequest *req = call->request->plan_apply;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "plan id missing");
    if (req->add_tag && (!*req->add_tag || strlen(req->add_tag) > 200))
        return sh_error_set(err, SH_ERR_INVALID, "add_tag must be a tag name of 1 to 200 bytes");
    json_t *params = json_pack("{s:I,s:b}", "plan_id", (json_int_t)req->plan_id, "mark_organized",
                               req->has_mark_organized && req->mark_organized);
    if (!params)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (req->add_tag)
        json_object_set_new(params, "add_tag", json_string(req->add_tag));
    json_object_set_new(params, "user", json_string(call->user[0] ? call->user : "owner"));
    sh_status st = start_plan_job(call, svc, w, "apply_plan", req->plan_id, params, err);
    json_decref(params);
    return st;
}

sh_status sh_rpc_plan_rollback(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__PlanRollbackRequest *req = call->request->plan_rollback;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "plan id missing");
    json_t *params = json_pack("{s:I,s:s}", "plan_id", (json_int_t)req->plan_id, "user",
                               call->user[0] ? call->user : "owner");
    if (!params)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = start_plan_job(call, svc, w, "rollback_plan", req->plan_id, params, err);
    json_decref(params);
    return st;
}

sh_status sh_rpc_plan_delete(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__PlanDeleteRequest *req = call->request->plan_delete;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "plan id missing");
    sh_status st = sh_plan_delete(w->rw, svc, req->plan_id, err);
    if (st != SH_OK)
        return st;
    return sh_rpc_reply_empty(call, err);
}

sh_status sh_rpc_plan_export(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__PlanExportRequest *req = call->request->plan_export;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "plan id missing");
    Stashhog__ExportFormat fmt = req->has_format ? req->format : STASHHOG__EXPORT_FORMAT__EXPORT_JSON;
    char *content = NULL;
    sh_status st = sh_plan_export(w->ro, req->plan_id, fmt, &content, err);
    if (st != SH_OK)
        return st;
    Stashhog__PlanExportReply *r = SH_ARENA_NEW(call->arena, Stashhog__PlanExportReply);
    if (r) {
        stashhog__plan_export_reply__init(r);
        r->content = sh_arena_strdup(call->arena, content);
        r->mime_type = (char *)(fmt == STASHHOG__EXPORT_FORMAT__EXPORT_CSV ? "text/csv" : "application/json");
    }
    free(content);
    if (!r || !r->content)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    call->reply->body_case = STASHHOG__REPLY__BODY_PLAN_EXPORT;
    call->reply->plan_export = r;
    return SH_OK;
}
