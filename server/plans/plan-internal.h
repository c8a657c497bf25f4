/* plan-internal.h - private to plans/ (and its tests and benchmark): the
 * filter round trip, the apply and rollback engines the job bodies wrap,
 * and the Stash helpers they share.
 *
 * Threading: the engines run entirely on the calling thread (a job worker)
 * with that thread's read-write connection and their own Stash client; they
 * keep no global state. */
#ifndef SH_PLAN_INTERNAL_H
#define SH_PLAN_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "jobs/jobs.h"
#include "plans/plans.h"
#include "services.h"
#include "sh-error.h"
#include "stash/stash-client.h"

/* ---- filter (plan-filter.c): lossless, via the message descriptor */
char *sh_plan_filter_to_json(const Stashhog__SceneFilter *filter); /* malloc'd; NULL = {} */
/* From the stored JSON text (NULL = the empty filter).  Free *out with
 * sh_plan_filter_free. */
sh_status sh_plan_filter_from_json(const char *text, Stashhog__SceneFilter **out, sh_error *err);
/* From a JSON value: a SceneFilter object, or a string NAME as shorthand
 * for {"saved": NAME}; NULL or null is the empty filter. */
sh_status sh_plan_filter_from_value(const json_t *value, Stashhog__SceneFilter **out, sh_error *err);
void sh_plan_filter_free(Stashhog__SceneFilter *filter);

/* ---- apply / rollback engines (plan-apply.c, plan-rollback.c) */
typedef void (*sh_plan_progress_fn)(void *user, int64_t done, int64_t total, const char *message);

typedef struct sh_plan_run_opts {
    sh_db *db;                    /* the calling thread's read-write connection */
    const sh_stash_config *stash; /* copied; its cancel callback is replaced by ours */
    sh_services *svc;             /* for plan.changed events; may be NULL */
    int64_t plan_id;
    bool mark_organized;          /* apply: also set organized on written scenes */
    const char *add_tag;          /* apply: also add this tag (found or created by name) */
    const char *user;             /* who asked: recorded as applied_by / rolled_back_by */
    int batch_size;               /* scenes per request, 1..1000; 0 = 250 */
    int (*cancelled)(void *user);
    void *cancel_user;
    sh_plan_progress_fn progress; /* optional */
    void *progress_user;
} sh_plan_run_opts;

typedef struct sh_plan_run_result {
    int64_t scenes;            /* scenes processed */
    int64_t scenes_written;    /* scenes sent in a ScenesUpdate */
    int64_t scenes_resumed;    /* found already written by an interrupted run */
    int64_t applied;           /* changes applied (apply) / fields restored (rollback) */
    int64_t failed;
    int64_t conflicts;         /* apply: changed in Stash since the plan; rollback: not restored */
    int64_t entities_created; /* apply: entities this plan has created in Stash (all runs) */
    int64_t entities_deleted;  /* rollback: of those, destroyed again (all runs) */
    int64_t entities_kept;     /* rollback: of those, left in Stash (see entities) */
    int64_t requests;          /* HTTP requests to Stash, retries included */
    json_t *problems;          /* [{scene_id, field, reason}], at most 200; caller decrefs */
    json_t *entities;          /* rollback: [{kind, name, id, outcome, reason?}]; caller decrefs */
    Stashhog__PlanStatus status; /* the plan's status at the end */
} sh_plan_run_result;

sh_status sh_plan_apply_run(const sh_plan_run_opts *o, sh_plan_run_result *r, sh_error *err);
sh_status sh_plan_rollback_run(const sh_plan_run_opts *o, sh_plan_run_result *r, sh_error *err);

/* ---- shared Stash helpers (plan-stash.c) */

/* The SceneData of the given scenes, as an object keyed by id ("12").
 * Scenes Stash no longer has are absent.  New reference in *out. */
sh_status sh_plan_stash_read_scenes(sh_stash_client *c, const int64_t *ids, size_t n, json_t **out,
                                    sh_error *err);
/* Runs ScenesUpdate; *out is the array of updated scenes (new reference). */
sh_status sh_plan_stash_update_scenes(sh_stash_client *c, json_t *inputs, json_t **out, sh_error *err);
typedef enum sh_plan_entity_kind { SH_PLAN_STUDIO, SH_PLAN_PERFORMER, SH_PLAN_TAG } sh_plan_entity_kind;
/* The scene member holding a SceneUpdateInput key ("studio_id" -> "studio"). */
const char *sh_plan_scene_member(const char *key);
/* The plan field of a SceneUpdateInput key ("studio_id" -> "studio"); NULL for organized. */
const char *sh_plan_field_of_key(const char *key);
/* True for errors after which the outcome of a request is unknown (the job
 * is retried and the resume logic compares instead of rewriting). */
bool sh_plan_transient(sh_status st);
/* Appends {scene_id, field, reason} to r->problems (capped). */
void sh_plan_problem(sh_plan_run_result *r, int64_t scene_id, const char *field, const char *reason);
/* Number of queued or running jobs of this plan (analyze/apply/rollback). */
sh_status sh_plan_active_jobs(sh_db *db, int64_t plan_id, int64_t *count, sh_error *err);

/* ---- entities a plan creates (plan-entities.c) */

/* Finds an entity by name or alias (case-insensitive), creating it when
 * allowed; *id 0 when absent and not created.  The entity is cached, and
 * one this plan creates is recorded in plan_entities: an intent row before
 * the create request, the Stash id and updated_at after it, each in its own
 * short transaction (so the caller must not hold one).  *created is true
 * when this call, or an interrupted earlier run of the plan, created it. */
sh_status sh_plan_entity_resolve(sh_stash_client *c, sh_db *db, int64_t plan_id, sh_plan_entity_kind kind,
                                 const char *name, bool create, int64_t *id, bool *created, sh_error *err);
/* The plan's recorded entities: created in Stash, deleted by rollback, and
 * kept by rollback.  Any pointer may be NULL. */
sh_status sh_plan_entities_count(sh_db *db, int64_t plan_id, int64_t *created, int64_t *deleted, int64_t *kept,
                                 sh_error *err);
/* Rollback's last step: destroys each entity the plan created that no scene
 * (and, for a studio, no child studio) uses and nobody edited since; keeps
 * the others with the reason.  Fills r->entities_deleted/_kept/entities.
 * Safe to repeat after a crash: an entity already destroyed is not an
 * error. */
sh_status sh_plan_entities_rollback(sh_stash_client *c, sh_db *db, int64_t plan_id, sh_plan_run_result *r,
                                    sh_error *err);

/* ---- analyze (analyze-job.c, analyze-params.c) */
sh_status sh_plan_analyze_job(sh_job_ctx *ctx, sh_error *err);
/* The checks an AnalyzeRequest's options get (field names, ranges). */
sh_status sh_plan_analyze_options_check(const Stashhog__AnalyzeOptions *o, sh_error *err);
/* Params of an analyze job: {"plan_id": N} for a plan the RPC handler
 * made, or - from a schedule - {"name"?, "filter"?, option keys...} for a
 * plan the job makes itself (see analyze-params.c). */
sh_status sh_plan_analyze_params_check(const json_t *params, sh_error *err);
/* The job's plan: params.plan_id, else the plan this job made on an
 * earlier attempt, else a new one from params (published as created). */
sh_status sh_plan_analyze_plan_for_job(sh_job_ctx *ctx, int64_t *plan_id, sh_error *err);

#endif
