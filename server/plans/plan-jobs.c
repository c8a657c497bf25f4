/* plan-jobs.c - the job types of plans: analyze (fills a plan), apply_plan
 * and rollback_plan (resumable, one job per plan at a time).  The bodies
 * build a Stash client configuration from the current settings and run the
 * engines on the worker's thread and connection. */
#include <string.h>

#include "jobs/jobs.h"
#include "plans/plan-internal.h"
#include "settings/settings.h"
#include "sh-log.h"

static void job_progress(void *user, int64_t done, int64_t total, const char *message)
{
    sh_job_progress(user, done, total, "%s", message);
}

static sh_status validate_plan_params(const json_t *params, sh_error *err)
{
    const json_t *id = json_object_get(params, "plan_id");
    if (!json_is_integer(id) || json_integer_value(id) <= 0)
        return sh_error_set(err, SH_ERR_INVALID, "plan_id must be a positive integer");
    const json_t *tag = json_object_get(params, "add_tag");
    if (tag && !json_is_string(tag))
        return sh_error_set(err, SH_ERR_INVALID, "add_tag must be a string");
    return SH_OK;
}

static json_t *result_json(const sh_plan_run_result *r, bool rollback)
{
    json_t *j = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:s}", "plan_scenes", (json_int_t)r->scenes, "scenes_written",
                          (json_int_t)r->scenes_written, rollback ? "fields_restored" : "changes_applied",
                          (json_int_t)r->applied, rollback ? "fields_not_restored" : "conflicts",
                          (json_int_t)r->conflicts, "failed", (json_int_t)r->failed, "requests",
                          (json_int_t)r->requests, "plan_status", sh_plan_status_text((int)r->status));
    if (!j)
        return NULL;
    if (!rollback) {
        json_object_set_new(j, "entities_created", json_integer(r->entities_created));
        json_object_set_new(j, "scenes_resumed", json_integer(r->scenes_resumed));
    } else {
        json_object_set_new(j, "entities_deleted", json_integer(r->entities_deleted));
        json_object_set_new(j, "entities_kept", json_integer(r->entities_kept));
        if (r->entities)
            json_object_set(j, "entities", r->entities);
    }
    if (r->problems)
        json_object_set(j, rollback ? "not_restored" : "problems", r->problems);
    return j;
}

#define SH_PLAN_MSG_MAX 256 /* a job message holds about this much */

/* " (kept performer 'X': used by 3 scenes; ...)" for the job message; the
 * full list is in the result's "entities". */
static void kept_reasons(const json_t *entities, char *out, size_t len)
{
    size_t at = 0, i;
    json_t *e;
    out[0] = '\0';
    json_array_foreach(entities, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "outcome")) ?: "", "kept") != 0)
            continue;
        int n = snprintf(out + at, len - at, "%skept %s '%s': %s", at ? "; " : " (",
                         json_string_value(json_object_get(e, "kind")) ?: "",
                         json_string_value(json_object_get(e, "name")) ?: "",
                         json_string_value(json_object_get(e, "reason")) ?: "");
        if (n < 0 || (size_t)n >= len - at - 1) { /* full: the message is cut anyway */
            out[len > 5 ? len - 5 : 0] = '\0';
            at = strlen(out);
            snprintf(out + at, len - at, "...)");
            return;
        }
        at += (size_t)n;
    }
    if (at)
        snprintf(out + at, len - at, ")");
}

/* Who rolled the plan back (the apply side records applied_by per change). */
static void record_rollback_user(sh_db *db, int64_t plan_id, const char *user)
{
    sqlite3_stmt *s = NULL;
    sh_error e = {0};
    if (sh_db_write_begin(db, &e) != SH_OK)
        return;
    if (sh_db_prepare(db, "UPDATE plans SET rolled_back_by = ?2 WHERE id = ?1", &s, &e) == SH_OK) {
        sqlite3_bind_int64(s, 1, plan_id);
        sqlite3_bind_text(s, 2, user, -1, SQLITE_TRANSIENT);
        sh_db_step(db, s, &e);
    }
    sh_db_commit(db, &e);
}

static sh_status plan_job(sh_job_ctx *ctx, sh_error *err)
{
    bool rollback = strcmp(sh_job_type_name(ctx), "rollback_plan") == 0;
    sh_services *svc = sh_job_services(ctx);
    sh_db *db = sh_job_db(ctx);
    const json_t *params = sh_job_params(ctx);
    sh_settings_stash ss;
    sh_status st = sh_settings_stash_config(db, svc, &ss, err);
    if (st != SH_OK)
        return st;
    sh_plan_run_opts o = {
        .db = db,
        .stash = &ss.cfg,
        .svc = svc,
        .plan_id = json_integer_value(json_object_get(params, "plan_id")),
        .mark_organized = json_is_true(json_object_get(params, "mark_organized")),
        .add_tag = json_string_value(json_object_get(params, "add_tag")),
        .user = json_string_value(json_object_get(params, "user")),
        .batch_size = (int)json_integer_value(json_object_get(params, "batch_size")),
        .cancelled = sh_job_cancel_cb,
        .cancel_user = ctx,
        .progress = job_progress,
        .progress_user = ctx,
    };
    sh_plan_run_result r;
    st = rollback ? sh_plan_rollback_run(&o, &r, err) : sh_plan_apply_run(&o, &r, err);
    sh_settings_stash_fini(&ss);
    if (st == SH_OK && rollback && o.user)
        record_rollback_user(db, o.plan_id, o.user);
    json_t *res = result_json(&r, rollback);
    if (res)
        sh_job_set_result(ctx, res);
    if (st == SH_OK && rollback) {
        char kept[SH_PLAN_MSG_MAX];
        kept_reasons(r.entities, kept, sizeof kept);
        sh_job_progress(ctx, r.scenes, r.scenes, "%s: %lld fields restored, %lld not restored; entities: %lld deleted, %lld kept%s",
                        sh_plan_status_text((int)r.status), (long long)r.applied, (long long)r.conflicts,
                        (long long)r.entities_deleted, (long long)r.entities_kept, kept);
    } else if (st == SH_OK) {
        sh_job_progress(ctx, r.scenes, r.scenes, "%s: %lld changes applied, %lld conflicts",
                        sh_plan_status_text((int)r.status), (long long)r.applied, (long long)r.conflicts);
    }
    json_decref(r.problems);
    json_decref(r.entities);
    return st;
}

sh_status sh_plans_register_jobs(sh_jobs *jobs, sh_error *err)
{
    const sh_job_type types[] = {
        {.name = "analyze",
         .run = sh_plan_analyze_job,
         .exclusivity_key = sh_job_key_plan,
         .resumable = false,
         .validate = sh_plan_analyze_params_check},
        {.name = "apply_plan",
         .run = plan_job,
         .exclusivity_key = sh_job_key_plan,
         .resumable = true,
         .validate = validate_plan_params},
        {.name = "rollback_plan",
         .run = plan_job,
         .exclusivity_key = sh_job_key_plan,
         .resumable = true,
         .validate = validate_plan_params},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        sh_status st = sh_jobs_register(jobs, &types[i], err);
        if (st != SH_OK)
            return st;
    }
    return SH_OK;
}
