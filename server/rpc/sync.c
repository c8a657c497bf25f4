/* sync.c - SyncStart (queues a sync job) and SyncHistory (sync_runs). */
#include <string.h>

#include "jobs/jobs.h"
#include "rpc/handlers.h"
#include "sh-util.h"
#include "sync/sync.h"

sh_status sh_rpc_sync_start(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    static const char *const types[] = {"sync_full", "sync_incremental", "sync_scene", "sync_entities"};
    const Stashhog__SyncStartRequest *req = call->request->sync_start;
    if (!req || (unsigned)req->kind > 3)
        return sh_error_set(err, SH_ERR_INVALID, "unknown sync kind");
    if (!svc->jobs)
        return sh_error_set(err, SH_ERR_UNAVAILABLE, "the job queue is not running");
    json_t *params = json_object();
    if (!params)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (req->kind == STASHHOG__SYNC_KIND__SYNC_KIND_SCENE) {
        if (!req->has_scene_id || req->scene_id <= 0) {
            json_decref(params);
            return sh_error_set(err, SH_ERR_INVALID, "sync scene needs a positive scene id");
        }
        json_object_set_new(params, "scene_id", json_integer(req->scene_id));
    }
    sh_job_submit sub = {.type = types[req->kind], .params = params};
    int64_t id = 0;
    sh_status st = sh_jobs_submit(svc->jobs, w->rw, &sub, &id, err);
    json_decref(params);
    if (st != SH_OK)
        return st;
    return sh_rpc_reply_job(call, w, id, types[req->kind], 0, err);
}

static int kind_of(const char *name)
{
    for (int k = 0; k <= SH_SYNC_ENTITIES; k++)
        if (name && strcmp(name, sh_sync_kind_name((sh_sync_kind)k)) == 0)
            return k;
    return 0;
}

sh_status sh_rpc_sync_history(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    sh_arena *a = call->arena;
    const Stashhog__SyncHistoryRequest *req = call->request->sync_history;
    int limit = req && req->has_limit && req->limit > 0 ? req->limit : 20;
    if (limit > 1000)
        limit = 1000;
    Stashhog__SyncHistoryReply *r = SH_ARENA_NEW(a, Stashhog__SyncHistoryReply);
    Stashhog__SyncRun **runs = (Stashhog__SyncRun **)sh_arena_ptrs(a, (size_t)limit);
    if (!r || !runs)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__sync_history_reply__init(r);
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(w->ro,
                                 "SELECT id, kind, job_id, started_at, finished_at, status, scenes_upserted, "
                                 " scenes_deleted, performers, studios, tags, requests, error, watermark "
                                 "FROM sync_runs ORDER BY id DESC LIMIT ?1",
                                 &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int(stmt, 1, limit);
    size_t n = 0;
    int rc;
    while ((rc = sh_db_step(w->ro, stmt, err)) == 1 && n < (size_t)limit) {
        Stashhog__SyncRun *run = SH_ARENA_NEW(a, Stashhog__SyncRun);
        Stashhog__SyncCounts *c = SH_ARENA_NEW(a, Stashhog__SyncCounts);
        if (!run || !c) {
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
            break;
        }
        stashhog__sync_run__init(run);
        stashhog__sync_counts__init(c);
        run->id = sqlite3_column_int64(stmt, 0);
        run->kind = (Stashhog__SyncKind)kind_of(sh_db_column_text(stmt, 1));
        if ((run->has_job_id = sqlite3_column_type(stmt, 2) != SQLITE_NULL))
            run->job_id = sqlite3_column_int64(stmt, 2);
        run->has_started_at_ms = 1;
        run->started_at_ms = sqlite3_column_int64(stmt, 3);
        if ((run->has_finished_at_ms = sqlite3_column_type(stmt, 4) != SQLITE_NULL))
            run->finished_at_ms = sqlite3_column_int64(stmt, 4);
        run->status = sh_arena_strdup(a, sh_db_column_text(stmt, 5));
        c->has_scenes_upserted = c->has_scenes_deleted = c->has_performers = 1;
        c->has_studios = c->has_tags = c->has_requests = 1;
        c->scenes_upserted = sqlite3_column_int64(stmt, 6);
        c->scenes_deleted = sqlite3_column_int64(stmt, 7);
        c->performers = sqlite3_column_int64(stmt, 8);
        c->studios = sqlite3_column_int64(stmt, 9);
        c->tags = sqlite3_column_int64(stmt, 10);
        c->requests = sqlite3_column_int64(stmt, 11);
        run->counts = c;
        if (sh_db_column_text(stmt, 12))
            run->error = sh_arena_strdup(a, sh_db_column_text(stmt, 12));
        if (sh_db_column_text(stmt, 13))
            run->watermark = sh_arena_strdup(a, sh_db_column_text(stmt, 13));
        runs[n++] = run;
    }
    sqlite3_reset(stmt);
    if (rc < 0)
        st = SH_ERR_DB;
    if (st != SH_OK)
        return st;
    r->n_runs = n;
    r->runs = runs;
    call->reply->body_case = STASHHOG__REPLY__BODY_SYNC_HISTORY;
    call->reply->sync_history = r;
    return SH_OK;
}
