#include "rpc/rpc.h"

#include <stdlib.h>

#include "rpc/handlers.h"
#include "rpc/validate.h"
#include "sh-log.h"

#define LOG "rpc"

/* One row per request type.  A request type without a row gets UNSUPPORTED. */
static const struct route {
    Stashhog__Request__BodyCase body;
    const char *name;
    sh_rpc_request_fn fn;
} routes[] = {
    {STASHHOG__REQUEST__BODY_PING, "ping", sh_rpc_ping},
    {STASHHOG__REQUEST__BODY_STATUS, "status", sh_rpc_status},
    {STASHHOG__REQUEST__BODY_SETTINGS_GET, "settings_get", sh_rpc_settings_get},
    {STASHHOG__REQUEST__BODY_SETTINGS_SET, "settings_set", sh_rpc_settings_set},
    {STASHHOG__REQUEST__BODY_TEST_CONNECTION, "test_connection", sh_rpc_test_connection},
    {STASHHOG__REQUEST__BODY_SYNC_START, "sync_start", sh_rpc_sync_start},
    {STASHHOG__REQUEST__BODY_SYNC_HISTORY, "sync_history", sh_rpc_sync_history},
    {STASHHOG__REQUEST__BODY_JOB_LIST, "job_list", sh_rpc_job_list},
    {STASHHOG__REQUEST__BODY_JOB_GET, "job_get", sh_rpc_job_get},
    {STASHHOG__REQUEST__BODY_JOB_CANCEL, "job_cancel", sh_rpc_job_cancel},
    {STASHHOG__REQUEST__BODY_JOB_RETRY, "job_retry", sh_rpc_job_retry},
    {STASHHOG__REQUEST__BODY_SCHEDULE_LIST, "schedule_list", sh_rpc_schedule_list},
    {STASHHOG__REQUEST__BODY_SCHEDULE_SAVE, "schedule_save", sh_rpc_schedule_save},
    {STASHHOG__REQUEST__BODY_SCHEDULE_DELETE, "schedule_delete", sh_rpc_schedule_delete},
    {STASHHOG__REQUEST__BODY_SCHEDULE_RUN, "schedule_run", sh_rpc_schedule_run},
    {STASHHOG__REQUEST__BODY_SCHEDULE_HISTORY, "schedule_history", sh_rpc_schedule_history},
    {STASHHOG__REQUEST__BODY_CRON_PREVIEW, "cron_preview", sh_rpc_cron_preview},
    {STASHHOG__REQUEST__BODY_SCENE_LIST, "scene_list", sh_rpc_scene_list},
    {STASHHOG__REQUEST__BODY_SCENE_GET, "scene_get", sh_rpc_scene_get},
    {STASHHOG__REQUEST__BODY_ENTITY_LIST, "entity_list", sh_rpc_entity_list},
    {STASHHOG__REQUEST__BODY_ANALYZE, "analyze", sh_rpc_analyze},
    {STASHHOG__REQUEST__BODY_PLAN_LIST, "plan_list", sh_rpc_plan_list},
    {STASHHOG__REQUEST__BODY_PLAN_GET, "plan_get", sh_rpc_plan_get},
    {STASHHOG__REQUEST__BODY_PLAN_REVIEW, "plan_review", sh_rpc_plan_review},
    {STASHHOG__REQUEST__BODY_PLAN_EDIT, "plan_edit", sh_rpc_plan_edit},
    {STASHHOG__REQUEST__BODY_PLAN_APPLY, "plan_apply", sh_rpc_plan_apply},
    {STASHHOG__REQUEST__BODY_PLAN_ROLLBACK, "plan_rollback", sh_rpc_plan_rollback},
    {STASHHOG__REQUEST__BODY_PLAN_DELETE, "plan_delete", sh_rpc_plan_delete},
    {STASHHOG__REQUEST__BODY_PLAN_EXPORT, "plan_export", sh_rpc_plan_export},
    {STASHHOG__REQUEST__BODY_BACKUP, "backup", sh_rpc_backup},
    {STASHHOG__REQUEST__BODY_BACKUP_CHUNK, "backup_chunk", sh_rpc_backup_chunk},
    {STASHHOG__REQUEST__BODY_RESTORE_CHUNK, "restore_chunk", sh_rpc_restore_chunk},
};

sh_status sh_rpc_dispatch(sh_rpc_call *call, void *services, sh_error *err)
{
    sh_services *svc = services;
    Stashhog__Request__BodyCase body = call->request->body_case;
    /* Generic checks first (lengths, UTF-8, enums, ids): handlers only add
     * the checks that need meaning. */
    sh_status vst = sh_validate_request(call->request, err);
    if (vst != SH_OK) {
        sh_debug(LOG, "invalid request from %s: %s", call->peer, sh_error_message(err));
        return vst;
    }
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (routes[i].body != body)
            continue;
        int64_t t0 = sh_monotonic_us();
        sh_status st = routes[i].fn(call, svc, call->worker, err);
        sh_debug(LOG, "%s from %s: %s in %lld us", routes[i].name, call->peer, sh_strerror(st),
                 (long long)(sh_monotonic_us() - t0));
        return st;
    }
    return sh_error_set(err, SH_ERR_UNSUPPORTED, "request type %d is not supported by this daemon",
                        (int)body);
}

/* sh_rpc_authenticate lives in auth.c, with the per-peer failure limiter. */

void *sh_rpc_worker_init(void *services, int index)
{
    sh_services *svc = services;
    sh_rpc_worker *w = calloc(1, sizeof *w);
    sh_error err = {0};
    if (!w)
        return NULL;
    if (sh_db_open(svc->db, true, &w->ro, &err) != SH_OK || sh_db_open(svc->db, false, &w->rw, &err) != SH_OK) {
        sh_error(LOG, "rpc worker %d: %s", index, sh_error_message(&err));
        sh_rpc_worker_fini(w, services);
        return NULL;
    }
    return w;
}

void sh_rpc_worker_fini(void *worker, void *services)
{
    (void)services;
    sh_rpc_worker *w = worker;
    if (!w)
        return;
    sh_db_close(w->ro);
    sh_db_close(w->rw);
    free(w);
}
