/* jobs.h - the persistent job queue and its worker pool.
 *
 * Threading: a fixed pool of worker threads (config job_workers, default 2),
 * each with its own read-write database connection and its own Stash/LLM
 * clients, takes queued jobs in id order, skipping a job while another job
 * with the same exclusivity key runs (two syncs, two applies of one plan).
 * Job rows live in SQLite, so the queue survives restarts: at start-up,
 * jobs left 'running' by a crash are re-queued if their type is resumable
 * and failed otherwise.
 *
 * A job body runs on a worker thread.  It checks sh_job_cancelled() between
 * pages or batches (cancel is cooperative and must be prompt: < 1 s), reports
 * progress with sh_job_progress() (throttled to <= 10 events/s per job, the
 * final state always published), and returns:
 *   SH_OK              -> completed
 *   SH_ERR_CANCELLED   -> cancelled
 *   a transient error  -> re-queued with backoff until max attempts, then failed
 *   any other error    -> failed (err's message is stored and shown) */
#ifndef SH_JOBS_H
#define SH_JOBS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "services.h"
#include "sh-error.h"
#include "sh-util.h"
#include "sh-wire.h"

typedef struct sh_job_ctx sh_job_ctx;

typedef sh_status (*sh_job_body_fn)(sh_job_ctx *ctx, sh_error *err);

typedef struct sh_job_type {
    const char *name;  /* "sync_full", "analyze", "apply_plan", ... */
    sh_job_body_fn run;
    /* Jobs with equal keys never run at once.  NULL = no exclusivity.  The
     * function may derive the key from params (e.g. "plan:12"); it writes at
     * most len bytes and returns false for "no key". */
    bool (*exclusivity_key)(const json_t *params, char *key, size_t len);
    bool resumable;    /* re-queue (rather than fail) after a crash mid-run */
    void *user_data;   /* handed to the body via sh_job_type_data() */
    /* Optional: reject bad params at submit time (SH_ERR_INVALID + message). */
    sh_status (*validate)(const json_t *params, sh_error *err);
} sh_job_type;

/* Convenience key functions. */
bool sh_job_key_sync(const json_t *params, char *key, size_t len); /* "sync" */
bool sh_job_key_plan(const json_t *params, char *key, size_t len); /* "plan:<params.plan_id>" */

typedef struct sh_jobs sh_jobs;

/* Create the queue (does not start workers); register types; then start. */
sh_status sh_jobs_create(sh_services *svc, sh_jobs **out, sh_error *err);
sh_status sh_jobs_register(sh_jobs *jobs, const sh_job_type *type, sh_error *err);
/* Recover interrupted jobs, prune old ones, start the workers. */
sh_status sh_jobs_start(sh_jobs *jobs, sh_error *err);
/* Cancel running jobs' tokens, join workers.  Running jobs stay 'running'
 * in the DB only if the process dies; a clean stop re-queues resumable ones. */
void sh_jobs_stop(sh_jobs *jobs);
void sh_jobs_destroy(sh_jobs *jobs);

typedef struct sh_job_submit {
    const char *type;
    json_t *params;        /* borrowed; NULL = {} */
    int64_t schedule_id;   /* 0 = none */
    int64_t retry_of;      /* 0 = none */
} sh_job_submit;

/* Insert a queued job (validates the type and params) and wake a worker.
 * If db is already inside a write transaction the row joins it (the caller
 * commits, e.g. a schedule slot and its job in one step) and idle workers
 * notice the job within a second; otherwise submit commits on its own. */
sh_status sh_jobs_submit(sh_jobs *jobs, sh_db *db, const sh_job_submit *req, int64_t *job_id,
                         sh_error *err);
/* Queued -> cancelled at once; running -> cancel token set. */
sh_status sh_jobs_cancel(sh_jobs *jobs, sh_db *db, int64_t job_id, sh_error *err);
/* A new job with the same type and params, linked by retry_of. */
sh_status sh_jobs_retry(sh_jobs *jobs, sh_db *db, int64_t job_id, int64_t *new_id, sh_error *err);
bool sh_jobs_type_known(const sh_jobs *jobs, const char *type);
/* Would sh_jobs_submit accept this type and params?  (Schedules check early.) */
sh_status sh_jobs_check(const sh_jobs *jobs, const char *type, const json_t *params, sh_error *err);
/* Wake idle workers now (after a commit that queued jobs). */
void sh_jobs_wake(sh_jobs *jobs);

/* Read jobs as the RPC contract's Job messages, allocated from arena.  For
 * running jobs the live progress (done/total/message, rate, ETA) of the
 * worker overlays the throttled DB copy.  jobs may be NULL (no overlay). */
sh_status sh_jobs_get(sh_jobs *jobs, sh_db *db, int64_t job_id, sh_arena *arena, Stashhog__Job **out,
                      sh_error *err);
typedef struct sh_jobs_filter {
    int limit;              /* <= 0: 50 */
    unsigned status_mask;   /* bit (1 << JobStatus); 0 = all */
    const char *type;       /* NULL = all */
    int64_t schedule_id;    /* 0 = all */
} sh_jobs_filter;
sh_status sh_jobs_list(sh_jobs *jobs, sh_db *db, const sh_jobs_filter *filter, sh_arena *arena,
                       Stashhog__Job ***out, size_t *n_out, sh_error *err);
int sh_jobs_status_from_text(const char *text); /* "queued" -> JOB_STATUS_QUEUED; -1 if unknown */
const char *sh_jobs_status_text(int status);

/* Test knobs: backoff after a transient failure is min(base * 2^(attempt-1), max)
 * (defaults 2 s and 5 min). */
void sh_jobs_set_backoff(sh_jobs *jobs, int64_t base_ms, int64_t max_ms);

/* The debug_sleep type (debug-job.c), registered only with enable_debug_jobs:
 * params {seconds, steps, fail_times, fail_hard}. */
sh_status sh_jobs_register_debug(sh_jobs *jobs, sh_error *err);

/* ---- inside a job body */
int64_t sh_job_id(const sh_job_ctx *ctx);
const char *sh_job_type_name(const sh_job_ctx *ctx);
const json_t *sh_job_params(const sh_job_ctx *ctx);
void *sh_job_type_data(const sh_job_ctx *ctx);
int sh_job_attempt(const sh_job_ctx *ctx);          /* 1 for the first run */
sh_db *sh_job_db(sh_job_ctx *ctx);                  /* the worker's read-write connection */
sh_services *sh_job_services(sh_job_ctx *ctx);
bool sh_job_cancelled(const sh_job_ctx *ctx);       /* cheap: an atomic load */
/* For clients (e.g. curl) that poll a cancel callback: (int (*)(void *)) + this ctx. */
int sh_job_cancel_cb(void *ctx);
void sh_job_progress(sh_job_ctx *ctx, int64_t done, int64_t total, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The result summary shown by `jobs show` (steals the reference). */
void sh_job_set_result(sh_job_ctx *ctx, json_t *result);

#endif
