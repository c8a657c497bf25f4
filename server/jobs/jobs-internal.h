/* jobs-internal.h - private to server/jobs: the queue's shared state.
 *
 * Lock order: jobs->lock before ctx->lock.  Neither is ever held while
 * waiting for the database writer lock, so a job body inside a write
 * transaction can always report progress (which takes only ctx->lock). */
#ifndef SH_JOBS_INTERNAL_H
#define SH_JOBS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "jobs/jobs.h"

#define SH_JOBS_MAX_TYPES 32
#define SH_JOBS_KEY_MAX 96
#define SH_JOBS_MSG_MAX 256
#define SH_JOBS_EVENT_INTERVAL_MS 100 /* <= 10 progress events/s per job */
#define SH_JOBS_PERSIST_INTERVAL_MS 500 /* <= 2 progress writes/s per job */

struct sh_job_ctx {
    sh_jobs *jobs;
    const sh_job_type *type;
    int64_t id;
    json_t *params;
    int attempt, max_attempts;
    int64_t schedule_id;
    sh_db *db;
    atomic_bool cancel;        /* the body's token: user cancel or shutdown */
    atomic_bool user_cancel;   /* set by sh_jobs_cancel: the outcome is 'cancelled' */
    atomic_bool shutdown;      /* set by sh_jobs_stop: re-queue or fail as interrupted */
    pthread_mutex_t lock;      /* guards the live fields below */
    int64_t done, total;
    char message[SH_JOBS_MSG_MAX];
    double rate;               /* items/s, smoothed; 0 = unknown */
    int64_t rate_t_ms, rate_done; /* last rate sample */
    int64_t last_event_ms;
    bool event_pending;        /* progress changed since the last event */
    bool persist_pending;      /* progress changed since the last DB write */
    json_t *result;
};

typedef struct sh_jobs_worker {
    sh_jobs *jobs;
    int index;
    pthread_t thread;
    bool started;
    sh_db *db;
    /* Guarded by jobs->lock: the job this worker holds (reserved or running). */
    int64_t job_id;
    bool has_key;
    char key[SH_JOBS_KEY_MAX];
    bool cancel_pending;   /* a cancel arrived between the claim and ctx */
    sh_job_ctx *ctx;
} sh_jobs_worker;

struct sh_jobs {
    sh_services *svc;
    sh_job_type types[SH_JOBS_MAX_TYPES];
    size_t n_types;
    int max_attempts;
    int retention_days;
    int64_t backoff_base_ms, backoff_max_ms;

    pthread_mutex_t lock;
    pthread_cond_t wake;       /* workers: new work or a freed key */
    pthread_cond_t flusher_wake;
    uint64_t wake_seq;
    bool stopping;
    bool started;
    sh_jobs_worker *workers;
    int n_workers;
    pthread_t flusher;
    bool flusher_started;
    sh_db *flusher_db;
};

const sh_job_type *sh_jobs_find_type(const sh_jobs *jobs, const char *name);

/* jobs-store.c: rows. */
/* Mark rows left 'running' by a crash: resumable types re-queued, others failed. */
sh_status sh_jobs_store_recover(sh_jobs *jobs, sh_db *db, int *requeued, int *failed, sh_error *err);
sh_status sh_jobs_store_prune(sh_jobs *jobs, sh_db *db, int64_t now_ms, int *pruned, sh_error *err);
/* queued -> running if still queued; *claimed false if someone else changed it. */
sh_status sh_jobs_store_claim(sh_db *db, int64_t id, bool *claimed, int *attempts, int *max_attempts,
                              int64_t *schedule_id, sh_error *err);
sh_status sh_jobs_store_fail_queued(sh_db *db, int64_t id, const char *error, sh_error *err);
typedef struct sh_jobs_outcome {
    const char *status;        /* "completed", "failed", "cancelled", "queued" */
    int64_t done, total;
    const char *message;
    const char *error;
    const char *result_json;   /* NULL = leave */
    int64_t not_before_ms;     /* for "queued" */
    bool uncount_attempt;      /* an interruption does not use up an attempt */
} sh_jobs_outcome;
sh_status sh_jobs_store_finish(sh_db *db, int64_t id, const sh_jobs_outcome *o, sh_error *err);
sh_status sh_jobs_store_progress(sh_db *db, int64_t id, int64_t done, int64_t total, const char *message,
                                 sh_error *err);

/* jobs-progress.c: events and the flusher thread. */
/* Publish JobStateChanged (+ a final JobProgress for terminal states) for a row. */
void sh_jobs_publish_state(sh_jobs *jobs, sh_db *db, int64_t id, int previous);
/* Publish the ctx's progress now if due (or if force). */
void sh_jobs_publish_progress(sh_job_ctx *ctx, bool force);
void sh_jobs_overlay_live(sh_jobs *jobs, Stashhog__Job *job, sh_arena *arena);
void *sh_jobs_flusher_main(void *arg);

#endif
