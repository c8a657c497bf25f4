/* jobs-progress.c - what a job body sees, live progress, and its events.
 *
 * Threading: sh_job_progress() runs on the body's worker thread and takes
 * only ctx->lock; it publishes at most one JobProgress event per
 * SH_JOBS_EVENT_INTERVAL_MS and otherwise leaves the update pending.  The
 * flusher thread (one per queue) wakes every 100 ms to publish pending
 * updates of quiet jobs and, every SH_JOBS_PERSIST_INTERVAL_MS, writes live
 * progress of running jobs to the DB on its own connection, so bookkeeping
 * never waits on a body's write transaction nor slows the body down.  It
 * also prunes old jobs every few hours. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jobs/jobs-internal.h"
#include "sh-log.h"

#define LOG "jobs"
#define FLUSH_TICK_MS 100
#define PRUNE_INTERVAL_MS (6LL * 3600 * 1000)
#define RATE_SAMPLE_MS 500

int64_t sh_job_id(const sh_job_ctx *ctx)
{
    return ctx->id;
}

const char *sh_job_type_name(const sh_job_ctx *ctx)
{
    return ctx->type->name;
}

const json_t *sh_job_params(const sh_job_ctx *ctx)
{
    return ctx->params;
}

void *sh_job_type_data(const sh_job_ctx *ctx)
{
    return ctx->type->user_data;
}

int sh_job_attempt(const sh_job_ctx *ctx)
{
    return ctx->attempt;
}

sh_db *sh_job_db(sh_job_ctx *ctx)
{
    return ctx->db;
}

sh_services *sh_job_services(sh_job_ctx *ctx)
{
    return ctx->jobs->svc;
}

bool sh_job_cancelled(const sh_job_ctx *ctx)
{
    return atomic_load_explicit(&((sh_job_ctx *)ctx)->cancel, memory_order_relaxed);
}

int sh_job_cancel_cb(void *ctx)
{
    return sh_job_cancelled(ctx) ? 1 : 0;
}

void sh_job_set_result(sh_job_ctx *ctx, json_t *result)
{
    pthread_mutex_lock(&ctx->lock);
    json_decref(ctx->result);
    ctx->result = result;
    pthread_mutex_unlock(&ctx->lock);
}

/* Smoothed rate: a new sample at most every RATE_SAMPLE_MS, blended 50/50,
 * reset when done goes backwards (a new phase with a new total). */
static void update_rate(sh_job_ctx *ctx, int64_t now)
{
    if (ctx->rate_t_ms == 0 || ctx->done < ctx->rate_done) {
        ctx->rate_t_ms = now;
        ctx->rate_done = ctx->done;
        ctx->rate = 0;
        return;
    }
    int64_t dt = now - ctx->rate_t_ms;
    if (dt < RATE_SAMPLE_MS)
        return;
    double inst = (double)(ctx->done - ctx->rate_done) * 1000.0 / (double)dt;
    ctx->rate = ctx->rate > 0 ? 0.5 * ctx->rate + 0.5 * inst : inst;
    ctx->rate_t_ms = now;
    ctx->rate_done = ctx->done;
}

static bool eta_of(const sh_job_ctx *ctx, int64_t *eta)
{
    if (ctx->rate <= 0 || ctx->total <= ctx->done)
        return false;
    *eta = (int64_t)ceil((double)(ctx->total - ctx->done) / ctx->rate);
    return true;
}

void sh_job_progress(sh_job_ctx *ctx, int64_t done, int64_t total, const char *fmt, ...)
{
    int64_t now = sh_monotonic_ms();
    pthread_mutex_lock(&ctx->lock);
    ctx->done = done;
    ctx->total = total;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->message, sizeof ctx->message, fmt, ap);
        va_end(ap);
    }
    update_rate(ctx, now);
    ctx->event_pending = ctx->persist_pending = true;
    pthread_mutex_unlock(&ctx->lock);
    sh_jobs_publish_progress(ctx, false);
}

void sh_jobs_publish_progress(sh_job_ctx *ctx, bool force)
{
    Stashhog__JobProgress p = STASHHOG__JOB_PROGRESS__INIT;
    char message[SH_JOBS_MSG_MAX];
    int64_t now = sh_monotonic_ms();
    pthread_mutex_lock(&ctx->lock);
    if (!force && (!ctx->event_pending || now - ctx->last_event_ms < SH_JOBS_EVENT_INTERVAL_MS)) {
        pthread_mutex_unlock(&ctx->lock);
        return;
    }
    ctx->event_pending = false;
    ctx->last_event_ms = now;
    p.job_id = ctx->id;
    p.type = (char *)ctx->type->name;
    p.status = STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING;
    p.has_done = p.has_total = 1;
    p.done = ctx->done;
    p.total = ctx->total;
    if (ctx->rate > 0) {
        p.has_rate = 1;
        p.rate = ctx->rate;
    }
    p.has_eta_s = eta_of(ctx, &p.eta_s);
    sh_strlcpy(message, ctx->message, sizeof message);
    pthread_mutex_unlock(&ctx->lock);
    p.message = message[0] ? message : NULL;
    sh_event ev = STASHHOG__EVENT__INIT;
    ev.topic = "job.progress";
    ev.payload_case = STASHHOG__EVENT__PAYLOAD_JOB_PROGRESS;
    ev.job_progress = &p;
    sh_services_publish(ctx->jobs->svc, &ev);
}

void sh_jobs_publish_state(sh_jobs *jobs, sh_db *db, int64_t id, int previous)
{
    if (!jobs->svc || !jobs->svc->events)
        return;
    sh_arena *a = sh_arena_create();
    Stashhog__Job *job = NULL;
    sh_error err = {0};
    if (!a || sh_jobs_get(NULL, db, id, a, &job, &err) != SH_OK) {
        sh_warn(LOG, "job %lld: no state event: %s", (long long)id, sh_error_message(&err));
        sh_arena_destroy(a);
        return;
    }
    sh_event ev = STASHHOG__EVENT__INIT;
    /* Terminal states also end the progress stream, so a client that only
     * listens to job.progress sees the final numbers (never throttled). */
    if (job->status != STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING &&
        job->status != STASHHOG__JOB_STATUS__JOB_STATUS_QUEUED) {
        Stashhog__JobProgress p = STASHHOG__JOB_PROGRESS__INIT;
        p.job_id = job->id;
        p.type = job->type;
        p.status = job->status;
        p.has_done = p.has_total = 1;
        p.done = job->done;
        p.total = job->total;
        p.message = job->status == STASHHOG__JOB_STATUS__JOB_STATUS_FAILED && job->error ? job->error : job->message;
        ev.topic = "job.progress";
        ev.payload_case = STASHHOG__EVENT__PAYLOAD_JOB_PROGRESS;
        ev.job_progress = &p;
        sh_services_publish(jobs->svc, &ev);
    }
    Stashhog__JobStateChanged sc = STASHHOG__JOB_STATE_CHANGED__INIT;
    sc.job = job;
    if (previous >= 0) {
        sc.has_previous = 1;
        sc.previous = (Stashhog__JobStatus)previous;
    }
    ev.topic = "job.state";
    ev.payload_case = STASHHOG__EVENT__PAYLOAD_JOB_STATE;
    ev.job_state = &sc;
    sh_services_publish(jobs->svc, &ev);
    sh_arena_destroy(a);
}

/* The DB copy of a running job lags by up to SH_JOBS_PERSIST_INTERVAL_MS:
 * show what the worker knows now, plus rate and ETA (never stored). */
void sh_jobs_overlay_live(sh_jobs *jobs, Stashhog__Job *job, sh_arena *arena)
{
    if (job->status != STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING)
        return;
    pthread_mutex_lock(&jobs->lock);
    for (int i = 0; i < jobs->n_workers; i++) {
        sh_job_ctx *ctx = jobs->workers[i].ctx;
        if (!ctx || ctx->id != job->id)
            continue;
        pthread_mutex_lock(&ctx->lock);
        job->done = ctx->done;
        job->total = ctx->total;
        if (ctx->message[0])
            job->message = sh_arena_strdup(arena, ctx->message);
        if (ctx->rate > 0) {
            job->has_rate = 1;
            job->rate = ctx->rate;
        }
        job->has_eta_s = eta_of(ctx, &job->eta_s);
        pthread_mutex_unlock(&ctx->lock);
    }
    pthread_mutex_unlock(&jobs->lock);
}

typedef struct pending_write {
    int64_t id, done, total;
    char message[SH_JOBS_MSG_MAX];
} pending_write;

static void flush_once(sh_jobs *jobs, bool persist)
{
    pending_write writes[16];
    int n = 0;
    pthread_mutex_lock(&jobs->lock);
    for (int i = 0; i < jobs->n_workers; i++) {
        sh_job_ctx *ctx = jobs->workers[i].ctx;
        if (!ctx)
            continue;
        /* Publishing under jobs->lock keeps ctx alive; it takes ctx->lock (allowed order). */
        sh_jobs_publish_progress(ctx, false);
        pthread_mutex_lock(&ctx->lock);
        if (persist && ctx->persist_pending && n < (int)(sizeof writes / sizeof writes[0])) {
            ctx->persist_pending = false;
            writes[n].id = ctx->id;
            writes[n].done = ctx->done;
            writes[n].total = ctx->total;
            sh_strlcpy(writes[n].message, ctx->message, sizeof writes[n].message);
            n++;
        }
        pthread_mutex_unlock(&ctx->lock);
    }
    pthread_mutex_unlock(&jobs->lock);
    for (int i = 0; i < n; i++) {
        sh_error err = {0};
        if (sh_jobs_store_progress(jobs->flusher_db, writes[i].id, writes[i].done, writes[i].total,
                                   writes[i].message, &err) != SH_OK)
            sh_warn(LOG, "job %lld: progress not saved: %s", (long long)writes[i].id, sh_error_message(&err));
    }
}

void *sh_jobs_flusher_main(void *arg)
{
    sh_jobs *jobs = arg;
    int64_t last_persist = 0, last_prune = sh_monotonic_ms();
    pthread_mutex_lock(&jobs->lock);
    while (!jobs->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += FLUSH_TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&jobs->flusher_wake, &jobs->lock, &ts);
        if (jobs->stopping)
            break;
        pthread_mutex_unlock(&jobs->lock);
        int64_t now = sh_monotonic_ms();
        bool persist = now - last_persist >= SH_JOBS_PERSIST_INTERVAL_MS;
        if (persist)
            last_persist = now;
        flush_once(jobs, persist);
        if (now - last_prune >= PRUNE_INTERVAL_MS) {
            last_prune = now;
            int pruned = 0;
            sh_error err = {0};
            if (sh_jobs_store_prune(jobs, jobs->flusher_db, sh_now_ms(), &pruned, &err) != SH_OK)
                sh_warn(LOG, "pruning old jobs: %s", sh_error_message(&err));
            else if (pruned)
                sh_info(LOG, "pruned %d finished jobs older than %d days", pruned, jobs->retention_days);
        }
        pthread_mutex_lock(&jobs->lock);
    }
    pthread_mutex_unlock(&jobs->lock);
    return NULL;
}
