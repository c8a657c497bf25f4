/* metrics-render.c - the Prometheus text exposition (format 0.0.4).
 *
 * Every family gets # HELP and # TYPE lines once, label values are escaped,
 * histograms are cumulative with an +Inf bucket equal to _count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics-internal.h"
#include "metrics/metrics.h"
#include "sh-util.h"

static const char *const job_status_names[SH_METRICS_JOB_STATUSES] = {
    "queued", "running", "completed", "failed", "cancelled"};

static void family(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values: backslash, double quote and newline are escaped. */
static void label_value(FILE *f, const char *v)
{
    fputc('"', f);
    for (const char *p = v ? v : ""; *p; p++) {
        if (*p == '\\' || *p == '"')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void latency_histogram(FILE *f, const char *name, const uint64_t *buckets, uint64_t count,
                              uint64_t sum_us)
{
    uint64_t cum = 0;
    for (int i = 0; i < SH_METRICS_LATENCY_BUCKETS; i++) {
        cum += buckets[i];
        fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, sh_metrics_latency_buckets[i],
                (unsigned long long)cum);
    }
    fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)count);
    fprintf(f, "%s_sum %.6f\n%s_count %llu\n", name, (double)sum_us / 1e6, name,
            (unsigned long long)count);
}

static void render_rpc(FILE *f, const sh_metrics_snap *s)
{
    family(f, "stashhog_rpc_requests_total", "counter", "RPC requests handled, by request type.");
    for (int i = 1; i < SH_METRICS_MAX_BODY_CASE; i++) {
        if (!s->rpc_total[i])
            continue;
        const ProtobufCFieldDescriptor *fd =
            protobuf_c_message_descriptor_get_field(&stashhog__request__descriptor, (unsigned)i);
        fputs("stashhog_rpc_requests_total{type=", f);
        label_value(f, fd ? fd->name : "unknown");
        fprintf(f, "} %llu\n", (unsigned long long)s->rpc_total[i]);
    }
    family(f, "stashhog_rpc_errors_total", "counter",
           "RPC requests answered with an error, by request type.");
    for (int i = 1; i < SH_METRICS_MAX_BODY_CASE; i++) {
        if (!s->rpc_total[i])
            continue;
        const ProtobufCFieldDescriptor *fd =
            protobuf_c_message_descriptor_get_field(&stashhog__request__descriptor, (unsigned)i);
        fputs("stashhog_rpc_errors_total{type=", f);
        label_value(f, fd ? fd->name : "unknown");
        fprintf(f, "} %llu\n", (unsigned long long)s->rpc_errors[i]);
    }
}

static void render_jobs(FILE *f, const sh_metrics_snap *s)
{
    family(f, "stashhog_jobs_finished_total", "counter",
           "Jobs that reached a final state, by type and status.");
    for (size_t j = 0; j < s->n_jobs; j++) {
        for (int st = 2; st < SH_METRICS_JOB_STATUSES; st++) {
            fputs("stashhog_jobs_finished_total{type=", f);
            label_value(f, s->jobs[j].type);
            fprintf(f, ",status=\"%s\"} %llu\n", job_status_names[st],
                    (unsigned long long)s->jobs[j].outcomes[st]);
        }
    }
    family(f, "stashhog_job_duration_seconds", "histogram", "Run time of finished jobs, by type.");
    for (size_t j = 0; j < s->n_jobs; j++) {
        const sh_metrics_job_series *js = &s->jobs[j];
        uint64_t cum = 0;
        for (int i = 0; i <= SH_METRICS_JOB_BUCKETS; i++) {
            cum += js->buckets[i];
            fputs("stashhog_job_duration_seconds_bucket{type=", f);
            label_value(f, js->type);
            if (i < SH_METRICS_JOB_BUCKETS)
                fprintf(f, ",le=\"%g\"} %llu\n", sh_metrics_job_buckets[i],
                        (unsigned long long)cum);
            else
                fprintf(f, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
        }
        fputs("stashhog_job_duration_seconds_sum{type=", f);
        label_value(f, js->type);
        fprintf(f, "} %.3f\n", (double)js->sum_ms / 1000.0);
        fputs("stashhog_job_duration_seconds_count{type=", f);
        label_value(f, js->type);
        fprintf(f, "} %llu\n", (unsigned long long)js->count);
    }
}

static void render_stash_and_webhooks(FILE *f, const sh_metrics_snap *s)
{
    family(f, "stashhog_stash_requests_total", "counter",
           "HTTP requests sent to Stash (retries included).");
    fprintf(f, "stashhog_stash_requests_total %llu\n", (unsigned long long)s->stash_requests);
    family(f, "stashhog_stash_request_errors_total", "counter",
           "HTTP requests to Stash that failed.");
    fprintf(f, "stashhog_stash_request_errors_total %llu\n",
            (unsigned long long)s->stash_failed_requests);
    family(f, "stashhog_stash_request_duration_seconds", "histogram",
           "Latency of HTTP requests to Stash.");
    latency_histogram(f, "stashhog_stash_request_duration_seconds", s->stash_latency_buckets,
                      s->stash_requests, s->stash_latency_sum_us);
    family(f, "stashhog_stash_operations_total", "counter",
           "GraphQL operations run by retired Stash clients.");
    fprintf(f, "stashhog_stash_operations_total %llu\n", (unsigned long long)s->stash_executions);
    family(f, "stashhog_stash_operation_failures_total", "counter",
           "GraphQL operations that returned an error.");
    fprintf(f, "stashhog_stash_operation_failures_total %llu\n",
            (unsigned long long)s->stash_failures);
    family(f, "stashhog_stash_retries_total", "counter",
           "HTTP attempts to Stash that were retries.");
    fprintf(f, "stashhog_stash_retries_total %llu\n", (unsigned long long)s->stash_retries);

    static const char *const kinds[SH_METRICS_SYNC_KINDS] = {"full", "incremental", "scene",
                                                             "entities"};
    family(f, "stashhog_sync_stash_requests_total", "counter",
           "HTTP requests to Stash made by syncs, by kind.");
    for (int i = 0; i < SH_METRICS_SYNC_KINDS; i++)
        fprintf(f, "stashhog_sync_stash_requests_total{kind=\"%s\"} %llu\n", kinds[i],
                (unsigned long long)s->sync_requests[i]);

    family(f, "stashhog_webhook_attempts_total", "counter",
           "Webhook delivery attempts, by outcome.");
    fprintf(f, "stashhog_webhook_attempts_total{outcome=\"delivered\"} %llu\n",
            (unsigned long long)s->wh_delivered);
    fprintf(f, "stashhog_webhook_attempts_total{outcome=\"failed\"} %llu\n",
            (unsigned long long)s->wh_failed_attempts);
    family(f, "stashhog_webhook_gave_up_total", "counter",
           "Webhook deliveries abandoned after the last attempt.");
    fprintf(f, "stashhog_webhook_gave_up_total %llu\n", (unsigned long long)s->wh_gave_up);
    family(f, "stashhog_webhook_dropped_total", "counter",
           "Events not queued for webhooks because the queue was full.");
    fprintf(f, "stashhog_webhook_dropped_total %llu\n", (unsigned long long)s->wh_dropped);
    family(f, "stashhog_webhook_delivery_latency_seconds", "histogram",
           "Event to delivered webhook, end to end.");
    latency_histogram(f, "stashhog_webhook_delivery_latency_seconds", s->wh_latency_buckets,
                      s->wh_delivered, s->wh_latency_sum_us);
}

static int64_t count_of(sh_db *db, const char *sql)
{
    int64_t n = 0;
    return sh_db_query_int64(db, sql, &n, NULL) == SH_OK ? n : 0;
}

static sh_status render_library(FILE *f, sh_db *db, sh_error *err)
{
    sh_status st = sh_db_read_begin(db, err);
    if (st != SH_OK)
        return st;
    static const struct {
        const char *name, *help, *sql;
    } gauges[] = {
        {"stashhog_scenes", "Scenes in the local cache.", "SELECT count(*) FROM scenes"},
        {"stashhog_performers", "Performers in the local cache.",
         "SELECT count(*) FROM performers"},
        {"stashhog_studios", "Studios in the local cache.", "SELECT count(*) FROM studios"},
        {"stashhog_tags", "Tags in the local cache.", "SELECT count(*) FROM tags"},
        {"stashhog_plans", "Plans stored.", "SELECT count(*) FROM plans"},
        {"stashhog_webhook_deliveries_pending", "Webhook deliveries waiting for an attempt.",
         "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'"},
    };
    for (size_t i = 0; i < sizeof gauges / sizeof gauges[0]; i++) {
        family(f, gauges[i].name, "gauge", gauges[i].help);
        fprintf(f, "%s %lld\n", gauges[i].name, (long long)count_of(db, gauges[i].sql));
    }

    family(f, "stashhog_jobs", "gauge", "Jobs in the queue table, by status.");
    sqlite3_stmt *s = NULL;
    if ((st = sh_db_prepare(db, "SELECT status, count(*) FROM jobs GROUP BY status ORDER BY status",
                            &s, err)) != SH_OK)
        goto out;
    while (sqlite3_step(s) == SQLITE_ROW) {
        fputs("stashhog_jobs{status=", f);
        label_value(f, sh_db_column_text(s, 0));
        fprintf(f, "} %lld\n", (long long)sqlite3_column_int64(s, 1));
    }
    sqlite3_reset(s);

    family(f, "stashhog_syncs_total", "counter", "Sync runs recorded, by kind and status.");
    if ((st = sh_db_prepare(
             db, "SELECT kind, status, count(*) FROM sync_runs GROUP BY kind, status ORDER BY 1, 2",
             &s, err)) != SH_OK)
        goto out;
    while (sqlite3_step(s) == SQLITE_ROW) {
        fputs("stashhog_syncs_total{kind=", f);
        label_value(f, sh_db_column_text(s, 0));
        fputs(",status=", f);
        label_value(f, sh_db_column_text(s, 1));
        fprintf(f, "} %lld\n", (long long)sqlite3_column_int64(s, 2));
    }
    sqlite3_reset(s);

    /* Two passes: the samples of one family must stay together. */
    for (int pass = 0; pass < 2; pass++) {
        const char *name = pass ? "stashhog_sync_last_finished_timestamp_seconds"
                                : "stashhog_sync_last_duration_seconds";
        family(f, name, "gauge",
               pass ? "When the newest finished sync of a kind ended (Unix time)."
                    : "Duration of the newest finished sync, by kind.");
        if ((st = sh_db_prepare(
                 db,
                 "SELECT kind, finished_at - started_at, finished_at FROM sync_runs r "
                 "WHERE id = (SELECT max(id) FROM sync_runs "
                 "WHERE kind = r.kind AND finished_at IS NOT NULL) ORDER BY kind",
                 &s, err)) != SH_OK)
            goto out;
        while (sqlite3_step(s) == SQLITE_ROW) {
            fprintf(f, "%s{kind=", name);
            label_value(f, sh_db_column_text(s, 0));
            fprintf(f, "} %.3f\n", (double)sqlite3_column_int64(s, pass ? 2 : 1) / 1000.0);
        }
        sqlite3_reset(s);
    }

    if ((st = sh_db_prepare(
             db,
             "SELECT coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), "
             "coalesce(sum(cost_usd), 0) FROM plans",
             &s, err)) != SH_OK)
        goto out;
    if (sqlite3_step(s) == SQLITE_ROW) {
        family(f, "stashhog_llm_tokens_total", "counter",
               "LLM tokens spent by analyses, from the plans table.");
        fprintf(f, "stashhog_llm_tokens_total{kind=\"prompt\"} %lld\n",
                (long long)sqlite3_column_int64(s, 0));
        fprintf(f, "stashhog_llm_tokens_total{kind=\"completion\"} %lld\n",
                (long long)sqlite3_column_int64(s, 1));
        family(f, "stashhog_llm_cost_usd_total", "counter",
               "Estimated LLM cost in US dollars, from the plans table.");
        fprintf(f, "stashhog_llm_cost_usd_total %.6f\n", sqlite3_column_double(s, 2));
    }
    sqlite3_reset(s);
out:
    sh_db_commit(db, NULL);
    return st;
}

sh_status sh_metrics_render(sh_db *db, int64_t started_ms, char **out, size_t *len, sh_error *err)
{
    *out = NULL;
    *len = 0;
    sh_metrics_snap *snap = malloc(sizeof *snap);
    char *buf = NULL;
    size_t size = 0;
    FILE *f = snap ? open_memstream(&buf, &size) : NULL;
    if (!f) {
        free(snap);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    sh_metrics_snapshot(snap);
    family(f, "stashhog_build_info", "gauge", "Version of the running daemon.");
    fprintf(f, "stashhog_build_info{version=\"%s\"} 1\n", STASHHOG_VERSION);
    family(f, "stashhog_uptime_seconds", "gauge", "Seconds since the daemon started.");
    fprintf(f, "stashhog_uptime_seconds %lld\n", (long long)((sh_now_ms() - started_ms) / 1000));
    render_rpc(f, snap);
    render_jobs(f, snap);
    render_stash_and_webhooks(f, snap);
    sh_status st = db ? render_library(f, db, err) : SH_OK;
    free(snap);
    if (fclose(f) != 0 && st == SH_OK)
        st = sh_error_set(err, SH_ERR_NOMEM, "metrics: cannot build the text");
    if (st != SH_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *len = size;
    return SH_OK;
}
