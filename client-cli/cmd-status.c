/* ping, status, events: reaching the daemon and watching what it does. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sh-pbjson.h"
#include "sh-pubsub.h"
#include "sh-util.h"

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int run_ping(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"count", required_argument, NULL, 'n'},
                                         {"size", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    int64_t count = 1, size = 0;
    int c;
    while ((c = getopt_long(argc, argv, "n:s:", opts, NULL)) != -1) {
        if (c == 'n' && sh_cli_parse_int64(cli, "--count", optarg, &count) && count > 0 && count <= 10000000)
            continue;
        if (c == 's' && sh_cli_parse_int64(cli, "--size", optarg, &size) && size >= 0 && size <= 1 << 20)
            continue;
        return sh_cli_fail(cli, SH_EXIT_USAGE, "ping: bad option (see ping --help)");
    }
    int64_t *lat = calloc((size_t)count, sizeof *lat);
    uint8_t *payload = calloc(1, (size_t)size + 1);
    if (!lat || !payload) {
        free(lat);
        free(payload);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "out of memory");
    }
    int rc = SH_EXIT_OK;
    for (int64_t i = 0; i < count; i++) {
        sh_request req = STASHHOG__REQUEST__INIT;
        Stashhog__PingRequest p = STASHHOG__PING_REQUEST__INIT;
        p.has_payload = size > 0;
        p.payload.data = payload;
        p.payload.len = (size_t)size;
        req.body_case = STASHHOG__REQUEST__BODY_PING;
        req.ping = &p;
        int64_t t0 = sh_monotonic_us();
        sh_reply *reply = sh_cli_call(cli, &req, &rc);
        lat[i] = sh_monotonic_us() - t0;
        if (!reply)
            goto out;
        sh_wire_reply_free(reply);
    }
    qsort(lat, (size_t)count, sizeof *lat, cmp_i64);
    int64_t p50 = lat[count / 2], p99 = lat[(count * 99) / 100 < count ? (count * 99) / 100 : count - 1];
    int64_t max = lat[count - 1];
    if (cli->json) {
        sh_cli_print_json(cli, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "url", cli->url, "count", (json_int_t)count,
                                         "p50_us", (json_int_t)p50, "p99_us", (json_int_t)p99, "max_us",
                                         (json_int_t)max, "min_us", (json_int_t)lat[0]));
    } else if (count == 1) {
        fprintf(cli->out, "pong from %s in %.2f ms\n", cli->url, (double)p50 / 1000.0);
    } else {
        fprintf(cli->out, "%lld pings to %s: p50 %.1f us, p99 %.1f us, max %.1f us\n", (long long)count, cli->url,
                (double)p50, (double)p99, (double)max);
    }
out:
    free(lat);
    free(payload);
    return rc;
}

static sh_reply *fetch_status(sh_cli *cli, int *rc)
{
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__StatusRequest s = STASHHOG__STATUS_REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_STATUS;
    req.status = &s;
    return sh_cli_call(cli, &req, rc);
}

static void print_duration(FILE *out, int64_t s)
{
    if (s >= 86400)
        fprintf(out, "%lldd %lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
    else if (s >= 3600)
        fprintf(out, "%lldh %lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else if (s >= 60)
        fprintf(out, "%lldm %llds", (long long)(s / 60), (long long)(s % 60));
    else
        fprintf(out, "%llds", (long long)s);
}

static int run_status(sh_cli *cli, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "status takes no arguments");
    int rc = 0;
    sh_reply *reply = fetch_status(cli, &rc);
    if (!reply)
        return rc;
    const Stashhog__StatusReply *s = reply->status_info;
    if (!s) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no status");
    }
    if (cli->json) {
        sh_cli_print_json_pb(cli, &s->base);
    } else {
        FILE *o = cli->out;
        fprintf(o, "stashhogd %s (protocol %u), up ", s->version, s->protocol_version);
        print_duration(o, s->uptime_s);
        fprintf(o, "\ndatabase:   %s (schema %d)\n", s->db_path, s->has_schema_version ? s->schema_version : -1);
        fprintf(o, "library:    %lld scenes, %lld performers, %lld studios, %lld tags\n", (long long)s->scene_count,
                (long long)s->performer_count, (long long)s->studio_count, (long long)s->tag_count);
        fprintf(o, "jobs:       %d running, %d queued\n", s->running_jobs, s->queued_jobs);
        for (size_t i = 0; i < s->n_listen_urls; i++)
            fprintf(o, "%s%s\n", i == 0 ? "listening:  " : "            ", s->listen_urls[i]);
        for (size_t i = 0; i < s->n_event_urls; i++)
            fprintf(o, "%s%s\n", i == 0 ? "events:     " : "            ", s->event_urls[i]);
    }
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

static volatile sig_atomic_t interrupted;
static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static const char *job_status_name(Stashhog__JobStatus s)
{
    static const char *const names[] = {"queued", "running", "completed", "failed", "cancelled"};
    return (unsigned)s < 5 ? names[s] : "unknown";
}

static void print_event_text(sh_cli *cli, const sh_event *ev)
{
    char stamp[32];
    time_t t = (time_t)(ev->time_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    FILE *o = cli->out;
    fprintf(o, "%s %-14s ", stamp, ev->topic);
    switch (ev->payload_case) {
    case STASHHOG__EVENT__PAYLOAD_JOB_PROGRESS: {
        const Stashhog__JobProgress *p = ev->job_progress;
        fprintf(o, "job %lld %s %s %lld/%lld", (long long)p->job_id, p->type, job_status_name(p->status),
                (long long)p->done, (long long)p->total);
        if (p->has_rate)
            fprintf(o, " %.1f/s", p->rate);
        if (p->message)
            fprintf(o, " %s", p->message);
        break;
    }
    case STASHHOG__EVENT__PAYLOAD_JOB_STATE:
        fprintf(o, "job %lld %s -> %s", (long long)ev->job_state->job->id, ev->job_state->job->type,
                job_status_name(ev->job_state->job->status));
        if (ev->job_state->job->error)
            fprintf(o, ": %s", ev->job_state->job->error);
        break;
    case STASHHOG__EVENT__PAYLOAD_SYNC_FINISHED: {
        const Stashhog__SyncRun *r = ev->sync_finished->run;
        fprintf(o, "sync %lld %s", (long long)r->id, r->status ? r->status : "");
        if (r->counts)
            fprintf(o, ": %lld scenes, %lld deleted", (long long)r->counts->scenes_upserted,
                    (long long)r->counts->scenes_deleted);
        break;
    }
    case STASHHOG__EVENT__PAYLOAD_PLAN_CHANGED:
        fprintf(o, "plan %lld %s", (long long)ev->plan_changed->plan_id,
                ev->plan_changed->what ? ev->plan_changed->what : "changed");
        break;
    case STASHHOG__EVENT__PAYLOAD_LOG:
        fprintf(o, "[%s] %s", ev->log->module, ev->log->message);
        break;
    default:
        break;
    }
    fputc('\n', o);
    fflush(o);
}

static int run_events(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"topic", required_argument, NULL, 't'},
                                         {"count", required_argument, NULL, 'n'},
                                         {"for", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    const char *topics[8];
    size_t n_topics = 0;
    int64_t count = -1, for_s = -1;
    int c;
    while ((c = getopt_long(argc, argv, "t:n:f:", opts, NULL)) != -1) {
        if (c == 't' && n_topics < 8) {
            topics[n_topics++] = optarg;
        } else if (c == 'n') {
            if (!sh_cli_parse_int64(cli, "--count", optarg, &count))
                return SH_EXIT_USAGE;
        } else if (c == 'f') {
            if (!sh_cli_parse_int64(cli, "--for", optarg, &for_s))
                return SH_EXIT_USAGE;
        } else {
            return sh_cli_fail(cli, SH_EXIT_USAGE, "events: bad option (see events --help)");
        }
    }
    int rc = 0;
    sh_subscriber *sub = NULL;
    char *url = NULL;
    sh_error err = {0};
    sh_status st = sh_cli_subscribe(cli, topics, n_topics, &sub, &url, &err);
    if (st != SH_OK)
        return sh_cli_fail(cli, sh_cli_exit_code(st) == SH_EXIT_USAGE ? SH_EXIT_FAILURE : sh_cli_exit_code(st), "%s",
                           sh_error_message(&err));
    if (!cli->json && !cli->quiet)
        fprintf(cli->err, "listening to %s (Ctrl-C to stop)\n", url);
    free(url);
    struct sigaction sa = {.sa_handler = on_sigint};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int64_t deadline = for_s >= 0 ? sh_monotonic_ms() + for_s * 1000 : -1;
    int64_t seen = 0;
    while (!interrupted && (count < 0 || seen < count)) {
        if (deadline >= 0 && sh_monotonic_ms() >= deadline)
            break;
        sh_event *ev = NULL;
        st = sh_subscriber_recv(sub, 200, &ev, &err);
        if (st == SH_ERR_TIMEOUT)
            continue;
        if (st != SH_OK) {
            rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "%s", sh_error_message(&err));
            break;
        }
        if (cli->json) {
            json_t *j = sh_pb_to_json(&ev->base);
            json_dumpf(j, cli->out, JSON_COMPACT);
            fputc('\n', cli->out);
            fflush(cli->out);
            json_decref(j);
        } else {
            print_event_text(cli, ev);
        }
        sh_wire_event_free(ev);
        seen++;
    }
    sh_subscriber_destroy(sub);
    return rc;
}

const sh_cli_command sh_cli_status_commands[] = {
    {NULL, "ping", "[--count N] [--size BYTES]", "check that the daemon answers; with --count, RPC latency",
     "  -n, --count N     send N pings and print p50/p99/max latency\n"
     "  -s, --size BYTES  payload size of each ping\n",
     run_ping},
    {NULL, "status", NULL, "daemon version, uptime, database, library counts, listen URLs", NULL, run_status},
    {NULL, "events", "[--topic PREFIX]... [--count N] [--for SECONDS]",
     "print the daemon's event stream (job progress, syncs, plans, logs) until interrupted",
     "  -t, --topic PREFIX  only events whose topic starts with PREFIX (job., sync., plan., log.)\n"
     "  -n, --count N       stop after N events\n"
     "  -f, --for SECONDS   stop after SECONDS\n"
     "  With --json, one JSON object per line.\n",
     run_events},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
