/* sync-jobs.c - the sync job types: build a Stash client configuration from
 * the current settings, run the sync on the job worker's thread and
 * connection, publish sync.finished. */
#include <stdint.h>
#include <string.h>

#include "jobs/jobs.h"
#include "settings/settings.h"
#include "sh-log.h"
#include "sync/sync.h"

static const sh_sync_kind kinds[] = {SH_SYNC_FULL, SH_SYNC_INCREMENTAL, SH_SYNC_SCENE, SH_SYNC_ENTITIES};

static void job_progress(void *user, int64_t done, int64_t total, const char *message)
{
    sh_job_progress(user, done, total, "%s", message);
}

static void publish_finished(sh_services *svc, const sh_sync_options *opt, const sh_sync_result *r, sh_status st,
                             const sh_error *err)
{
    Stashhog__SyncCounts counts = STASHHOG__SYNC_COUNTS__INIT;
    counts.has_scenes_upserted = counts.has_scenes_deleted = counts.has_performers = 1;
    counts.has_studios = counts.has_tags = counts.has_requests = 1;
    counts.scenes_upserted = r->counts.scenes_upserted;
    counts.scenes_deleted = r->counts.scenes_deleted;
    counts.performers = r->counts.performers;
    counts.studios = r->counts.studios;
    counts.tags = r->counts.tags;
    counts.requests = r->counts.requests;
    Stashhog__SyncRun run = STASHHOG__SYNC_RUN__INIT;
    run.id = r->run_id;
    run.kind = (Stashhog__SyncKind)opt->kind;
    run.has_job_id = opt->job_id > 0;
    run.job_id = opt->job_id;
    run.status = (char *)(st == SH_OK ? "completed" : st == SH_ERR_CANCELLED ? "cancelled" : "failed");
    run.counts = &counts;
    run.error = st == SH_OK ? NULL : (char *)sh_error_message(err);
    run.watermark = r->watermark[0] ? (char *)r->watermark : NULL;
    Stashhog__SyncFinished fin = STASHHOG__SYNC_FINISHED__INIT;
    fin.run = &run;
    sh_event ev = STASHHOG__EVENT__INIT;
    ev.topic = (char *)"sync.finished";
    ev.payload_case = STASHHOG__EVENT__PAYLOAD_SYNC_FINISHED;
    ev.sync_finished = &fin;
    sh_services_publish(svc, &ev);
}

static sh_status sync_job(sh_job_ctx *ctx, sh_error *err)
{
    const sh_sync_kind *kind = sh_job_type_data(ctx);
    sh_services *svc = sh_job_services(ctx);
    sh_db *db = sh_job_db(ctx);
    const json_t *params = sh_job_params(ctx);
    sh_settings_stash ss;
    sh_status st = sh_settings_stash_config(db, svc, &ss, err);
    if (st != SH_OK)
        return st;
    sh_sync_options opt = {
        .kind = *kind,
        .scene_id = json_integer_value(json_object_get(params, "scene_id")),
        .job_id = sh_job_id(ctx),
        .db = db,
        .stash = &ss.cfg,
        .page_size = ss.page_size,
        .cancelled = sh_job_cancel_cb,
        .cancel_user = ctx,
        .progress = job_progress,
        .progress_user = ctx,
    };
    sh_sync_result r;
    st = sh_sync_run(&opt, &r, err);
    sh_settings_stash_fini(&ss);
    if (r.run_id > 0) {
        json_t *res = json_pack("{s:I,s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "run_id", (json_int_t)r.run_id, "kind",
                                sh_sync_kind_name(*kind), "scenes_upserted", (json_int_t)r.counts.scenes_upserted,
                                "scenes_deleted", (json_int_t)r.counts.scenes_deleted, "performers",
                                (json_int_t)r.counts.performers, "studios", (json_int_t)r.counts.studios, "tags",
                                (json_int_t)r.counts.tags, "requests", (json_int_t)r.counts.requests);
        if (res && *kind == SH_SYNC_SCENE) {
            json_object_set_new(res, "scene_id", json_integer(opt.scene_id));
            json_object_set_new(res, "scene_missing", json_boolean(r.scene_missing));
        }
        if (res)
            sh_job_set_result(ctx, res);
        publish_finished(svc, &opt, &r, st, err);
    }
    if (st == SH_OK && r.scene_missing)
        sh_job_progress(ctx, 1, 1, "scene %lld no longer exists in Stash; removed from the cache",
                        (long long)opt.scene_id);
    return st;
}

sh_status sh_sync_register_jobs(sh_jobs *jobs, sh_error *err)
{
    static const char *const names[] = {"sync_full", "sync_incremental", "sync_scene", "sync_entities"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        sh_job_type t = {
            .name = names[i],
            .run = sync_job,
            .exclusivity_key = sh_job_key_sync,
            .resumable = true,
            .user_data = (void *)&kinds[i],
        };
        sh_status st = sh_jobs_register(jobs, &t, err);
        if (st != SH_OK)
            return st;
    }
    return SH_OK;
}
