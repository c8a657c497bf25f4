/* metrics.c - the registry (see metrics.h for the threading design). */
#include "metrics/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "metrics/metrics-internal.h"
#include "sh-util.h"

#define MAX_BODY_CASE  256
#define MAX_JOB_SERIES 64

const double sh_metrics_job_buckets[SH_METRICS_JOB_BUCKETS] = {0.1, 0.5, 1,   5,   15,
                                                               60,  300, 900, 3600};
const double sh_metrics_latency_buckets[SH_METRICS_LATENCY_BUCKETS] = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

static struct {
    atomic_uint_fast64_t rpc_total[MAX_BODY_CASE];
    atomic_uint_fast64_t rpc_errors[MAX_BODY_CASE];
    atomic_uint_fast64_t stash_requests, stash_failed_requests;
    atomic_uint_fast64_t stash_latency_sum_us;
    atomic_uint_fast64_t stash_latency_buckets[SH_METRICS_LATENCY_BUCKETS];
    atomic_uint_fast64_t stash_executions, stash_retries, stash_failures;
    atomic_uint_fast64_t sync_requests[SH_METRICS_SYNC_KINDS];
    atomic_uint_fast64_t wh_delivered, wh_failed_attempts, wh_gave_up, wh_dropped;
    atomic_uint_fast64_t wh_latency_sum_us;
    atomic_uint_fast64_t wh_latency_buckets[SH_METRICS_LATENCY_BUCKETS];
    pthread_mutex_t lock; /* jobs[] and n_jobs */
    sh_metrics_job_series jobs[MAX_JOB_SERIES];
    size_t n_jobs;
} reg = {.lock = PTHREAD_MUTEX_INITIALIZER};

void sh_metrics_rpc_request(int body_case, sh_status status)
{
    if (body_case <= 0 || body_case >= MAX_BODY_CASE)
        return;
    atomic_fetch_add_explicit(&reg.rpc_total[body_case], 1, memory_order_relaxed);
    if (status != SH_OK)
        atomic_fetch_add_explicit(&reg.rpc_errors[body_case], 1, memory_order_relaxed);
}

static void observe_latency(atomic_uint_fast64_t *buckets, atomic_uint_fast64_t *sum_us, int64_t us)
{
    if (us < 0)
        us = 0;
    atomic_fetch_add_explicit(sum_us, (uint64_t)us, memory_order_relaxed);
    /* Buckets are stored non-cumulative; rendering sums them up. */
    for (int i = 0; i < SH_METRICS_LATENCY_BUCKETS; i++) {
        if ((double)us / 1e6 <= sh_metrics_latency_buckets[i]) {
            atomic_fetch_add_explicit(&buckets[i], 1, memory_order_relaxed);
            return;
        }
    }
}

void sh_metrics_stash_request(int64_t latency_ms, bool ok)
{
    atomic_fetch_add_explicit(&reg.stash_requests, 1, memory_order_relaxed);
    if (!ok)
        atomic_fetch_add_explicit(&reg.stash_failed_requests, 1, memory_order_relaxed);
    observe_latency(reg.stash_latency_buckets, &reg.stash_latency_sum_us, latency_ms * 1000);
}

void sh_metrics_stash_client(const sh_stash_client_stats *stats)
{
    atomic_fetch_add_explicit(&reg.stash_executions, stats->executions, memory_order_relaxed);
    atomic_fetch_add_explicit(&reg.stash_retries, stats->retries, memory_order_relaxed);
    atomic_fetch_add_explicit(&reg.stash_failures, stats->failures, memory_order_relaxed);
}

void sh_metrics_webhook_attempt(bool delivered, bool gave_up, int64_t latency_ms)
{
    if (delivered) {
        atomic_fetch_add_explicit(&reg.wh_delivered, 1, memory_order_relaxed);
        observe_latency(reg.wh_latency_buckets, &reg.wh_latency_sum_us, latency_ms * 1000);
    } else {
        atomic_fetch_add_explicit(&reg.wh_failed_attempts, 1, memory_order_relaxed);
        if (gave_up)
            atomic_fetch_add_explicit(&reg.wh_gave_up, 1, memory_order_relaxed);
    }
}

void sh_metrics_webhook_dropped(void)
{
    atomic_fetch_add_explicit(&reg.wh_dropped, 1, memory_order_relaxed);
}

static void record_job(const char *type, int status, int64_t duration_ms)
{
    pthread_mutex_lock(&reg.lock);
    sh_metrics_job_series *s = NULL;
    for (size_t i = 0; i < reg.n_jobs && !s; i++)
        if (strcmp(reg.jobs[i].type, type) == 0)
            s = &reg.jobs[i];
    if (!s && reg.n_jobs < MAX_JOB_SERIES && strlen(type) < sizeof s->type) {
        s = &reg.jobs[reg.n_jobs++];
        memset(s, 0, sizeof *s);
        sh_strlcpy(s->type, type, sizeof s->type);
    }
    if (s) {
        if (status >= 0 && status < SH_METRICS_JOB_STATUSES)
            s->outcomes[status]++;
        if (duration_ms >= 0) {
            s->count++;
            s->sum_ms += duration_ms;
            int i = 0;
            while (i < SH_METRICS_JOB_BUCKETS &&
                   (double)duration_ms / 1000.0 > sh_metrics_job_buckets[i])
                i++;
            s->buckets[i]++; /* index SH_METRICS_JOB_BUCKETS is +Inf */
        }
    }
    pthread_mutex_unlock(&reg.lock);
}

void sh_metrics_observe_event(const sh_event *event)
{
    /* Syncs report the HTTP attempts their clients made, whatever the outcome. */
    if (event && event->payload_case == STASHHOG__EVENT__PAYLOAD_SYNC_FINISHED &&
        event->sync_finished && event->sync_finished->run && event->sync_finished->run->counts) {
        const Stashhog__SyncRun *run = event->sync_finished->run;
        if ((unsigned)run->kind < SH_METRICS_SYNC_KINDS && run->counts->requests > 0)
            atomic_fetch_add_explicit(&reg.sync_requests[run->kind],
                                      (uint64_t)run->counts->requests, memory_order_relaxed);
        return;
    }
    if (!event || event->payload_case != STASHHOG__EVENT__PAYLOAD_JOB_STATE || !event->job_state ||
        !event->job_state->job)
        return;
    const Stashhog__Job *job = event->job_state->job;
    if (job->status == STASHHOG__JOB_STATUS__JOB_STATUS_QUEUED ||
        job->status == STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING || !job->type)
        return;
    /* A job cancelled while queued never started: an outcome, no duration. */
    int64_t duration = job->has_started_at_ms && job->has_finished_at_ms && job->started_at_ms > 0
                           ? job->finished_at_ms - job->started_at_ms
                           : -1;
    record_job(job->type, (int)job->status, duration);
}

void sh_metrics_reset(void)
{
    for (int i = 0; i < MAX_BODY_CASE; i++) {
        atomic_store(&reg.rpc_total[i], 0);
        atomic_store(&reg.rpc_errors[i], 0);
    }
    atomic_uint_fast64_t *scalars[] = {
        &reg.stash_requests,   &reg.stash_failed_requests, &reg.stash_latency_sum_us,
        &reg.stash_executions, &reg.stash_retries,         &reg.stash_failures,
        &reg.wh_delivered,     &reg.wh_failed_attempts,    &reg.wh_gave_up,
        &reg.wh_dropped,       &reg.wh_latency_sum_us};
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++)
        atomic_store(scalars[i], 0);
    for (int i = 0; i < SH_METRICS_SYNC_KINDS; i++)
        atomic_store(&reg.sync_requests[i], 0);
    for (int i = 0; i < SH_METRICS_LATENCY_BUCKETS; i++) {
        atomic_store(&reg.stash_latency_buckets[i], 0);
        atomic_store(&reg.wh_latency_buckets[i], 0);
    }
    pthread_mutex_lock(&reg.lock);
    reg.n_jobs = 0;
    pthread_mutex_unlock(&reg.lock);
}

/* ---- snapshot for the renderer */

void sh_metrics_snapshot(sh_metrics_snap *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < MAX_BODY_CASE && i < SH_METRICS_MAX_BODY_CASE; i++) {
        s->rpc_total[i] = atomic_load_explicit(&reg.rpc_total[i], memory_order_relaxed);
        s->rpc_errors[i] = atomic_load_explicit(&reg.rpc_errors[i], memory_order_relaxed);
    }
    s->stash_requests = atomic_load(&reg.stash_requests);
    s->stash_failed_requests = atomic_load(&reg.stash_failed_requests);
    s->stash_latency_sum_us = atomic_load(&reg.stash_latency_sum_us);
    s->stash_executions = atomic_load(&reg.stash_executions);
    s->stash_retries = atomic_load(&reg.stash_retries);
    s->stash_failures = atomic_load(&reg.stash_failures);
    for (int i = 0; i < SH_METRICS_SYNC_KINDS; i++)
        s->sync_requests[i] = atomic_load(&reg.sync_requests[i]);
    s->wh_delivered = atomic_load(&reg.wh_delivered);
    s->wh_failed_attempts = atomic_load(&reg.wh_failed_attempts);
    s->wh_gave_up = atomic_load(&reg.wh_gave_up);
    s->wh_dropped = atomic_load(&reg.wh_dropped);
    s->wh_latency_sum_us = atomic_load(&reg.wh_latency_sum_us);
    for (int i = 0; i < SH_METRICS_LATENCY_BUCKETS; i++) {
        s->stash_latency_buckets[i] = atomic_load(&reg.stash_latency_buckets[i]);
        s->wh_latency_buckets[i] = atomic_load(&reg.wh_latency_buckets[i]);
    }
    pthread_mutex_lock(&reg.lock);
    s->n_jobs = reg.n_jobs;
    memcpy(s->jobs, reg.jobs, reg.n_jobs * sizeof reg.jobs[0]);
    pthread_mutex_unlock(&reg.lock);
}
