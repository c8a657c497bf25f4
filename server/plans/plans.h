/* plans.h - reviewable plans: the store (plans, plan_changes), the review
 * operations, and the job types that fill (analyze), apply (apply_plan) and
 * undo (rollback_plan) them.
 *
 * A plan is a list of changes, at most one per (scene, field).  Values are
 * stored as JSON in plan_changes (see plan-values.h): text fields as a
 * string or null, the studio as {"id","name"[,"new"]} or null, and set
 * fields (performers, tags) as the current member list plus a proposed
 * {"add": [...], "remove": [...]} diff, never as an opaque list.
 *
 * Store functions take the caller's own connection (RPC worker or job
 * worker) and open their own short write transaction unless noted.  Plan
 * status changes are published as Event.plan_changed (topic plan.changed)
 * when a services bag is given.  Everything returned as protobuf hangs off
 * the caller's arena. */
#ifndef SH_PLANS_H
#define SH_PLANS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "services.h"
#include "sh-error.h"
#include "sh-util.h"
#include "stashhog.pb-c.h"

/* Text forms stored in the database ("draft", "partially_applied", ...),
 * indexed by Stashhog__PlanStatus / Stashhog__ChangeStatus. */
const char *sh_plan_status_text(int status);
int sh_plan_status_parse(const char *text); /* -1 if unknown */
const char *sh_change_status_text(int status);
int sh_change_status_parse(const char *text); /* -1 if unknown */

/* ---------------------------------------------------------------- store */

/* A new plan in status draft.  Joins the caller's write transaction when
 * in_txn, else runs its own. */
sh_status sh_plan_create(sh_db *db, const char *name, const char *options_json, const char *filter_json,
                         bool in_txn, int64_t *plan_id, sh_error *err);

/* One change to insert (inside the caller's write transaction).  current
 * and proposed are borrowed JSON values in the plan-values format. */
typedef struct sh_plan_change_in {
    int64_t plan_id;
    int64_t scene_id;
    const char *field; /* "studio", "performers", "tags", "title", "date", "code", "details" */
    const json_t *current;
    const json_t *proposed;
    double confidence;
    const char *analyzer;
    const char *reason;
} sh_plan_change_in;
sh_status sh_plan_add_change(sh_db *db, const sh_plan_change_in *c, sh_error *err);

/* Sets the status (and applied_at / rolled_back_at where it fits) and
 * publishes plan.changed with `what` when svc is given.  Own transaction
 * unless in_txn. */
sh_status sh_plan_set_status(sh_db *db, sh_services *svc, int64_t plan_id, Stashhog__PlanStatus status,
                             const char *what, bool in_txn, sh_error *err);
sh_status sh_plan_get_status(sh_db *db, int64_t plan_id, Stashhog__PlanStatus *status, sh_error *err);
/* Publishes plan.changed without a status change (e.g. "reviewed"). */
void sh_plan_publish(sh_services *svc, int64_t plan_id, int status, const char *what);

/* Summaries, newest first (limit <= 0: 50). */
sh_status sh_plan_list(sh_db *db, sh_arena *arena, int limit, Stashhog__PlanListReply **out, sh_error *err);
sh_status sh_plan_summary(sh_db *db, sh_arena *arena, int64_t plan_id, Stashhog__PlanSummary **out,
                          sh_error *err);
/* Summary plus one page of changes (ordered by scene, then field), with
 * their current/proposed values, added/removed members and scene title/path. */
sh_status sh_plan_get(sh_db *db, sh_arena *arena, const Stashhog__PlanGetRequest *req,
                      Stashhog__PlanDetail **out, sh_error *err);

/* Accept / reject / reset the changes chosen by the request's selectors
 * (change ids, scene ids, field, confidence range; `all` for every one).
 * Only pending, accepted and rejected changes move.  A plan that is being
 * applied is SH_ERR_BUSY; a draft plan becomes reviewing. */
sh_status sh_plan_review(sh_db *db, sh_services *svc, const Stashhog__PlanReviewRequest *req,
                         int64_t *updated, sh_error *err);
/* Replace a change's proposed value (text, studio, or the desired member
 * list of a set field) and accept it. */
sh_status sh_plan_edit(sh_db *db, sh_services *svc, const Stashhog__PlanEditRequest *req, sh_error *err);
/* Refused (SH_ERR_BUSY) while the plan is applying or a job of it runs. */
sh_status sh_plan_delete(sh_db *db, sh_services *svc, int64_t plan_id, sh_error *err);

/* The whole plan as JSON ({"plan": summary, "changes": [...]}) or CSV (one
 * row per change).  *content is malloc'd. */
sh_status sh_plan_export(sh_db *db, int64_t plan_id, Stashhog__ExportFormat format, char **content,
                         sh_error *err);

/* ----------------------------------------------------------------- jobs */

/* Registers "analyze", "apply_plan" and "rollback_plan" (the last two
 * resumable and exclusive per plan). */
typedef struct sh_jobs sh_jobs;
sh_status sh_plans_register_jobs(sh_jobs *jobs, sh_error *err);

#endif
