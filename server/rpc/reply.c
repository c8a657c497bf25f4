/* reply.c - replies that many handlers send: Empty and JobRef. */
#include "jobs/jobs.h"
#include "rpc/handlers.h"

sh_status sh_rpc_reply_empty(sh_rpc_call *call, sh_error *err)
{
    Stashhog__Empty *e = SH_ARENA_NEW(call->arena, Stashhog__Empty);
    if (!e)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__empty__init(e);
    call->reply->body_case = STASHHOG__REPLY__BODY_EMPTY;
    call->reply->empty = e;
    return SH_OK;
}

sh_status sh_rpc_reply_job(sh_rpc_call *call, sh_rpc_worker *w, int64_t job_id, const char *type,
                           int64_t plan_id, sh_error *err)
{
    Stashhog__JobRef *ref = SH_ARENA_NEW(call->arena, Stashhog__JobRef);
    if (!ref)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__job_ref__init(ref);
    ref->id = job_id;
    if (type) {
        ref->type = (char *)type; /* a literal or owned by the request: outlives packing */
    } else {
        Stashhog__Job *job = NULL;
        if (sh_jobs_get(NULL, w->rw, job_id, call->arena, &job, NULL) == SH_OK)
            ref->type = job->type;
    }
    if (plan_id > 0) {
        ref->has_plan_id = 1;
        ref->plan_id = plan_id;
    }
    call->reply->body_case = STASHHOG__REPLY__BODY_JOB;
    call->reply->job = ref;
    return SH_OK;
}
