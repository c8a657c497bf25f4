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

/* One row per request type: {type, minimum role, name, handler}.  A request
 * type without a row gets UNSUPPORTED; server/users/tests/roles-test.c checks
 * every row's role against the documented policy. */
static const struct route {
    Stashhog__Request__BodyCase body;
    sh_role min_role;
    const char *name;
    sh_rpc_request_fn fn;
} routes[] = {
    {STASHHOG__REQUEST__BODY_PING, VIEW, "ping", sh_rpc_ping},
    {STASHHOG__REQUEST__BODY_WEBHOOK_LIST, ADMIN, "webhook_list", sh_rpc_webhook_list},
    {STASHHOG__REQUEST__BODY_WEBHOOK_SAVE, ADMIN, "webhook_save", sh_rpc_webhook_save},
    {STASHHOG__REQUEST__BODY_WEBHOOK_DELETE, ADMIN, "webhook_delete", sh_rpc_webhook_delete},
    {STASHHOG__REQUEST__BODY_WEBHOOK_TEST, ADMIN, "webhook_test", sh_rpc_webhook_test},
    {STASHHOG__REQUEST__BODY_WEBHOOK_LOG, ADMIN, "webhook_log", sh_rpc_webhook_log},
    {STASHHOG__REQUEST__BODY_STATS, VIEW, "stats", sh_rpc_stats},
    {STASHHOG__REQUEST__BODY_STATUS, VIEW, "status", sh_rpc_status},
    {STASHHOG__REQUEST__BODY_SETTINGS_GET, ADMIN, "settings_get", sh_rpc_settings_get},
    {STASHHOG__REQUEST__BODY_SETTINGS_SET, ADMIN, "settings_set", sh_rpc_settings_set},
    {STASHHOG__REQUEST__BODY_TEST_CONNECTION, ADMIN, "test_connection", sh_rpc_test_connection},
    {STASHHOG__REQUEST__BODY_SYNC_START, REVIEW, "sync_start", sh_rpc_sync_start},
    {STASHHOG__REQUEST__BODY_SYNC_HISTORY, VIEW, "sync_history", sh_rpc_sync_history},
    {STASHHOG__REQUEST__BODY_JOB_LIST, VIEW, "job_list", sh_rpc_job_list},
    {STASHHOG__REQUEST__BODY_JOB_GET, VIEW, "job_get", sh_rpc_job_get},
    {STASHHOG__REQUEST__BODY_JOB_CANCEL, REVIEW, "job_cancel", sh_rpc_job_cancel},
    {STASHHOG__REQUEST__BODY_JOB_RETRY, REVIEW, "job_retry", sh_rpc_job_retry},
    {STASHHOG__REQUEST__BODY_SCHEDULE_LIST, VIEW, "schedule_list", sh_rpc_schedule_list},
    {STASHHOG__REQUEST__BODY_SCHEDULE_SAVE, ADMIN, "schedule_save", sh_rpc_schedule_save},
    {STASHHOG__REQUEST__BODY_SCHEDULE_DELETE, ADMIN, "schedule_delete", sh_rpc_schedule_delete},
    {STASHHOG__REQUEST__BODY_SCHEDULE_RUN, ADMIN, "schedule_run", sh_rpc_schedule_run},
    {STASHHOG__REQUEST__BODY_SCHEDULE_HISTORY, VIEW, "schedule_history", sh_rpc_schedule_history},
    {STASHHOG__REQUEST__BODY_CRON_PREVIEW, VIEW, "cron_preview", sh_rpc_cron_preview},
    {STASHHOG__REQUEST__BODY_SCENE_LIST, VIEW, "scene_list", sh_rpc_scene_list},
    {STASHHOG__REQUEST__BODY_SCENE_GET, VIEW, "scene_get", sh_rpc_scene_get},
    {STASHHOG__REQUEST__BODY_ENTITY_LIST, VIEW, "entity_list", sh_rpc_entity_list},
    {STASHHOG__REQUEST__BODY_ANALYZE, REVIEW, "analyze", sh_rpc_analyze},
    {STASHHOG__REQUEST__BODY_PLAN_LIST, VIEW, "plan_list", sh_rpc_plan_list},
    {STASHHOG__REQUEST__BODY_PLAN_GET, VIEW, "plan_get", sh_rpc_plan_get},
    {STASHHOG__REQUEST__BODY_PLAN_REVIEW, REVIEW, "plan_review", sh_rpc_plan_review},
    {STASHHOG__REQUEST__BODY_PLAN_EDIT, REVIEW, "plan_edit", sh_rpc_plan_edit},
    {STASHHOG__REQUEST__BODY_PLAN_APPLY, ADMIN, "plan_apply", sh_rpc_plan_apply},
    {STASHHOG__REQUEST__BODY_PLAN_ROLLBACK, ADMIN, "plan_rollback", sh_rpc_plan_rollback},
    {STASHHOG__REQUEST__BODY_PLAN_DELETE, REVIEW, "plan_delete", sh_rpc_plan_delete},
    {STASHHOG__REQUEST__BODY_PLAN_EXPORT, VIEW, "plan_export", sh_rpc_plan_export},
    {STASHHOG__REQUEST__BODY_BACKUP, ADMIN, "backup", sh_rpc_backup},
    {STASHHOG__REQUEST__BODY_BACKUP_CHUNK, ADMIN, "backup_chunk", sh_rpc_backup_chunk},
    {STASHHOG__REQUEST__BODY_RESTORE_CHUNK, ADMIN, "restore_chunk", sh_rpc_restore_chunk},
    {STASHHOG__REQUEST__BODY_PLAN_IMPORT, ADMIN, "plan_import", sh_rpc_plan_import},
    {STASHHOG__REQUEST__BODY_SCENE_IMPORT, ADMIN, "scene_import", sh_rpc_scene_import},
    {STASHHOG__REQUEST__BODY_USER_LIST, ADMIN, "user_list", sh_rpc_user_list},
    {STASHHOG__REQUEST__BODY_USER_CREATE, ADMIN, "user_create", sh_rpc_user_create},
    {STASHHOG__REQUEST__BODY_USER_DELETE, ADMIN, "user_delete", sh_rpc_user_delete},
    {STASHHOG__REQUEST__BODY_USER_ROTATE, ADMIN, "user_rotate", sh_rpc_user_rotate},
    {STASHHOG__REQUEST__BODY_USER_SET_ROLE, ADMIN, "user_set_role", sh_rpc_user_set_role},
    {STASHHOG__REQUEST__BODY_FILTER_LIST, VIEW, "filter_list", sh_rpc_filter_list},
    {STASHHOG__REQUEST__BODY_FILTER_SAVE, REVIEW, "filter_save", sh_rpc_filter_save},
    {STASHHOG__REQUEST__BODY_FILTER_GET, VIEW, "filter_get", sh_rpc_filter_get},
    {STASHHOG__REQUEST__BODY_FILTER_DELETE, REVIEW, "filter_delete", sh_rpc_filter_delete},
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
