/* jobs.c - RPC handlers for jobs: list, show, cancel, retry. */
#include "jobs/jobs.h"
#include "rpc/handlers.h"
#include "sh-util.h"

sh_status sh_rpc_job_list(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__JobListRequest *req = call->request->job_list;
    sh_jobs_filter f = {0};
    if (req) {
        f.limit = req->has_limit ? req->limit : 0;
        for (size_t i = 0; i < req->n_statuses; i++)
            if ((unsigned)req->statuses[i] < 5)
                f.status_mask |= 1u << (unsigned)req->statuses[i];
        f.type = req->type;
        f.schedule_id = req->has_schedule_id ? req->schedule_id : 0;
    }
    Stashhog__JobListReply *r = SH_ARENA_NEW(call->arena, Stashhog__JobListReply);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__job_list_reply__init(r);
    sh_status st = sh_jobs_list(svc->jobs, w->ro, &f, call->arena, &r->jobs, &r->n_jobs, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_JOB_LIST;
    call->reply->job_list = r;
    return SH_OK;
}

static sh_status reply_job(sh_rpc_call *call, sh_services *svc, sh_db *db, int64_t id, sh_error *err)
{
    Stashhog__Job *job = NULL;
    sh_status st = sh_jobs_get(svc->jobs, db, id, call->arena, &job, err);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_JOB_DETAIL;
    call->reply->job_detail = job;
    return SH_OK;
}

sh_status sh_rpc_job_get(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__JobGetRequest *req = call->request->job_get;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "job id missing");
    return reply_job(call, svc, w->ro, req->id, err);
}

sh_status sh_rpc_job_cancel(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__JobCancelRequest *req = call->request->job_cancel;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "job id missing");
    sh_status st = sh_jobs_cancel(svc->jobs, w->rw, req->id, err);
    if (st != SH_OK)
        return st;
    /* The row as of now: cancelled if it was queued, still running if the
     * body has yet to notice (clients follow it to the end). */
    return reply_job(call, svc, w->rw, req->id, err);
}

sh_status sh_rpc_job_retry(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const Stashhog__JobRetryRequest *req = call->request->job_retry;
    if (!req)
        return sh_error_set(err, SH_ERR_INVALID, "job id missing");
    int64_t id = 0;
    sh_status st = sh_jobs_retry(svc->jobs, w->rw, req->id, &id, err);
    if (st != SH_OK)
        return st;
    return sh_rpc_reply_job(call, w, id, NULL, 0, err);
}
