/* metrics-internal.h - private to metrics/: the registry snapshot the
 * renderer formats (copied out, so rendering holds no lock). */
#ifndef SH_METRICS_INTERNAL_H
#define SH_METRICS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define SH_METRICS_JOB_BUCKETS     9
#define SH_METRICS_LATENCY_BUCKETS 10
#define SH_METRICS_JOB_STATUSES    5 /* JobStatus values */
#define SH_METRICS_MAX_BODY_CASE   256
#define SH_METRICS_SYNC_KINDS      4 /* SyncKind values */

extern const double sh_metrics_job_buckets[SH_METRICS_JOB_BUCKETS];
extern const double sh_metrics_latency_buckets[SH_METRICS_LATENCY_BUCKETS];

typedef struct sh_metrics_job_series {
    char type[48];
    uint64_t outcomes[SH_METRICS_JOB_STATUSES];
    uint64_t count; /* finished jobs that ran */
    int64_t sum_ms;
    uint64_t buckets[SH_METRICS_JOB_BUCKETS + 1]; /* non-cumulative; last is +Inf */
} sh_metrics_job_series;

typedef struct sh_metrics_snap {
    uint64_t rpc_total[SH_METRICS_MAX_BODY_CASE];
    uint64_t rpc_errors[SH_METRICS_MAX_BODY_CASE];
    uint64_t stash_requests, stash_failed_requests, stash_latency_sum_us;
    uint64_t stash_latency_buckets[SH_METRICS_LATENCY_BUCKETS];
    uint64_t stash_executions, stash_retries, stash_failures;
    uint64_t sync_requests[SH_METRICS_SYNC_KINDS];
    uint64_t wh_delivered, wh_failed_attempts, wh_gave_up, wh_dropped, wh_latency_sum_us;
    uint64_t wh_latency_buckets[SH_METRICS_LATENCY_BUCKETS];
    sh_metrics_job_series jobs[64];
    size_t n_jobs;
} sh_metrics_snap;

void sh_metrics_snapshot(sh_metrics_snap *snap);

#endif
