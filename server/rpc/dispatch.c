#include "rpc/rpc.h"

#include <stdlib.h>

#include "metrics/metrics.h"
#include "rpc/auth.h"
#include "rpc/handlers.h"
#include "rpc/validate.h"
#include "sh-log.h"

#define LOG "rpc"

/* Minimum role of a route (rpc/auth.h explains the roles). */
#define VIEW SH_ROLE_VIEWER
#define REVIEW SH_ROLE_REVIEWER
#define ADMIN SH_ROLE_ADMIN

/* One row per request type.  A request type without a row gets UNSUPPORTED;
 * a row without a role is admin-only (server/users/tests/roles-test.c
 * insists every row names one). */
static const struct route {
    Stashhog__Request__BodyCase body;
    const char *name;
    sh_rpc_request_fn fn;
    sh_role min_role;
} routes[] = {
    {STASHHOG__REQUEST__BODY_PING, "ping", sh_rpc_ping, VIEW},
    {STASHHOG__REQUEST__BODY_WEBHOOK_LIST, "webhook_list", sh_rpc_webhook_list, ADMIN},
    {STASHHOG__REQUEST__BODY_WEBHOOK_SAVE, "webhook_save", sh_rpc_webhook_save, ADMIN},
    {STASHHOG__REQUEST__BODY_WEBHOOK_DELETE, "webhook_delete", sh_rpc_webhook_delete, ADMIN},
    {STASHHOG__REQUEST__BODY_WEBHOOK_TEST, "webhook_test", sh_rpc_webhook_test, ADMIN},
    {STASHHOG__REQUEST__BODY_WEBHOOK_LOG, "webhook_log", sh_rpc_webhook_log, ADMIN},
    {STASHHOG__REQUEST__BODY_STATS, "stats", sh_rpc_stats, VIEW},
    {STASHHOG__REQUEST__BODY_STATUS, "status", sh_rpc_status, VIEW},
    {STASHHOG__REQUEST__BODY_SETTINGS_GET, "settings_get", sh_rpc_settings_get, ADMIN},
    {STASHHOG__REQUEST__BODY_SETTINGS_SET, "settings_set", sh_rpc_settings_set, ADMIN},
    {STASHHOG__REQUEST__BODY_TEST_CONNECTION, "test_connection", sh_rpc_test_connection, ADMIN},
    {STASHHOG__REQUEST__BODY_SYNC_START, "sync_start", sh_rpc_sync_start, REVIEW},
    {STASHHOG__REQUEST__BODY_SYNC_HISTORY, "sync_history", sh_rpc_sync_history, VIEW},
    {STASHHOG__REQUEST__BODY_JOB_LIST, "job_list", sh_rpc_job_list, VIEW},
    {STASHHOG__REQUEST__BODY_JOB_GET, "job_get", sh_rpc_job_get, VIEW},
    {STASHHOG__REQUEST__BODY_JOB_CANCEL, "job_cancel", sh_rpc_job_cancel, REVIEW},
    {STASHHOG__REQUEST__BODY_JOB_RETRY, "job_retry", sh_rpc_job_retry, REVIEW},
    {STASHHOG__REQUEST__BODY_SCHEDULE_LIST, "schedule_list", sh_rpc_schedule_list, VIEW},
    {STASHHOG__REQUEST__BODY_SCHEDULE_SAVE, "schedule_save", sh_rpc_schedule_save, ADMIN},
    {STASHHOG__REQUEST__BODY_SCHEDULE_DELETE, "schedule_delete", sh_rpc_schedule_delete, ADMIN},
    {STASHHOG__REQUEST__BODY_SCHEDULE_RUN, "schedule_run", sh_rpc_schedule_run, ADMIN},
    {STASHHOG__REQUEST__BODY_SCHEDULE_HISTORY, "schedule_history", sh_rpc_schedule_history, VIEW},
    {STASHHOG__REQUEST__BODY_CRON_PREVIEW, "cron_preview", sh_rpc_cron_preview, VIEW},
    {STASHHOG__REQUEST__BODY_SCENE_LIST, "scene_list", sh_rpc_scene_list, VIEW},
    {STASHHOG__REQUEST__BODY_SCENE_GET, "scene_get", sh_rpc_scene_get, VIEW},
    {STASHHOG__REQUEST__BODY_ENTITY_LIST, "entity_list", sh_rpc_entity_list, VIEW},
    {STASHHOG__REQUEST__BODY_ANALYZE, "analyze", sh_rpc_analyze, REVIEW},
    {STASHHOG__REQUEST__BODY_PLAN_LIST, "plan_list", sh_rpc_plan_list, VIEW},
    {STASHHOG__REQUEST__BODY_PLAN_GET, "plan_get", sh_rpc_plan_get, VIEW},
    {STASHHOG__REQUEST__BODY_PLAN_REVIEW, "plan_review", sh_rpc_plan_review, REVIEW},
    {STASHHOG__REQUEST__BODY_PLAN_EDIT, "plan_edit", sh_rpc_plan_edit, REVIEW},
    {STASHHOG__REQUEST__BODY_PLAN_APPLY, "plan_apply", sh_rpc_plan_apply, ADMIN},
    {STASHHOG__REQUEST__BODY_PLAN_ROLLBACK, "plan_rollback", sh_rpc_plan_rollback, ADMIN},
    {STASHHOG__REQUEST__BODY_PLAN_DELETE, "plan_delete", sh_rpc_plan_delete, REVIEW},
    {STASHHOG__REQUEST__BODY_PLAN_EXPORT, "plan_export", sh_rpc_plan_export, VIEW},
    {STASHHOG__REQUEST__BODY_BACKUP, "backup", sh_rpc_backup, ADMIN},
    {STASHHOG__REQUEST__BODY_BACKUP_CHUNK, "backup_chunk", sh_rpc_backup_chunk, ADMIN},
    {STASHHOG__REQUEST__BODY_RESTORE_CHUNK, "restore_chunk", sh_rpc_restore_chunk, ADMIN},
    {STASHHOG__REQUEST__BODY_USER_LIST, "user_list", sh_rpc_user_list, ADMIN},
    {STASHHOG__REQUEST__BODY_USER_CREATE, "user_create", sh_rpc_user_create, ADMIN},
    {STASHHOG__REQUEST__BODY_USER_DELETE, "user_delete", sh_rpc_user_delete, ADMIN},
    {STASHHOG__REQUEST__BODY_USER_ROTATE, "user_rotate", sh_rpc_user_rotate, ADMIN},
    {STASHHOG__REQUEST__BODY_USER_SET_ROLE, "user_set_role", sh_rpc_user_set_role, ADMIN},
    {STASHHOG__REQUEST__BODY_FILTER_LIST, "filter_list", sh_rpc_filter_list, VIEW},
    {STASHHOG__REQUEST__BODY_FILTER_SAVE, "filter_save", sh_rpc_filter_save, REVIEW},
    {STASHHOG__REQUEST__BODY_FILTER_GET, "filter_get", sh_rpc_filter_get, VIEW},
    {STASHHOG__REQUEST__BODY_FILTER_DELETE, "filter_delete", sh_rpc_filter_delete, REVIEW},
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
        sh_rpc_worker *w = call->worker;
        sh_status ast = sh_auth_authorize(call, w ? w->ro : NULL, routes[i].min_role, routes[i].name, err);
        if (ast != SH_OK) {
            sh_metrics_rpc_request((int)body, ast);
            return ast;
        }
        int64_t t0 = sh_monotonic_us();
        sh_status st = routes[i].fn(call, svc, call->worker, err);
        sh_metrics_rpc_request((int)body, st);
        sh_debug(LOG, "%s from %s: %s in %lld us", routes[i].name, call->peer, sh_strerror(st),
                 (long long)(sh_monotonic_us() - t0));
        return st;
    }
    return sh_error_set(err, SH_ERR_UNSUPPORTED, "request type %d is not supported by this daemon",
                        (int)body);
}

sh_role sh_rpc_route_role(int body_case, const char **name)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if ((int)routes[i].body == body_case) {
            if (name)
                *name = routes[i].name;
            return routes[i].min_role;
        }
    }
    if (name)
        *name = NULL;
    return SH_ROLE_UNSET;
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
