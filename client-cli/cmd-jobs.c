/* jobs list|show|watch|cancel|retry: the daemon's background jobs. */
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "progress.h"
#include "sh-util.h"

static void format_time(int64_t ms, char *buf, size_t len)
{
    if (ms <= 0) {
        sh_strlcpy(buf, "-", len);
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static bool parse_status(const char *text, int *out)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(text, sh_cli_job_status_name(i)) == 0) {
            *out = i;
            return true;
        }
    return false;
}

/* Parses exactly one positional job id after the options. */
static bool take_id(sh_cli *cli, int argc, char **argv, const char *cmd, int64_t *id)
{
    if (optind != argc - 1) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "%s: expected one job ID (see jobs %s --help)", cmd, cmd);
        return false;
    }
    return sh_cli_parse_int64(cli, "job ID", argv[optind], id);
}

static int run_list(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"status", required_argument, NULL, 's'},
                                         {"type", required_argument, NULL, 't'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {"schedule", required_argument, NULL, 'S'},
                                         {NULL, 0, NULL, 0}};
    Stashhog__JobListRequest lr = STASHHOG__JOB_LIST_REQUEST__INIT;
    Stashhog__JobStatus statuses[5];
    int64_t v = 0;
    int c;
    optind = 0; /* GNU: restart scanning in permute mode, so options may follow the ID */
    while ((c = getopt_long(argc, argv, "s:t:n:S:", opts, NULL)) != -1) {
        int st = 0;
        switch (c) {
        case 's':
            if (!parse_status(optarg, &st))
                return sh_cli_fail(cli, SH_EXIT_USAGE, "--status: '%s' is not queued, running, completed, failed or cancelled",
                                   optarg);
            if (lr.n_statuses < 5)
                statuses[lr.n_statuses++] = (Stashhog__JobStatus)st;
            break;
        case 't':
            lr.type = optarg;
            break;
        case 'n':
            if (!sh_cli_parse_int64(cli, "--limit", optarg, &v) || v < 1 || v > 1000)
                return sh_cli_fail(cli, SH_EXIT_USAGE, "--limit must be from 1 to 1000");
            lr.has_limit = 1;
            lr.limit = (int32_t)v;
            break;
        case 'S':
            if (!sh_cli_parse_int64(cli, "--schedule", optarg, &v))
                return SH_EXIT_USAGE;
            lr.has_schedule_id = 1;
            lr.schedule_id = v;
            break;
        default:
            return sh_cli_fail(cli, SH_EXIT_USAGE, "jobs list: bad option (see jobs list --help)");
        }
    }
    if (optind != argc)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "jobs list takes no arguments");
    lr.statuses = statuses;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_JOB_LIST;
    req.job_list = &lr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__JobListReply *r = reply->job_list;
    if (!r) {
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no job list");
    } else if (cli->json) {
        sh_cli_print_json_pb(cli, &r->base);
    } else if (r->n_jobs == 0) {
        fprintf(cli->out, "no jobs\n");
    } else {
        fprintf(cli->out, "%-6s %-18s %-10s %-15s %-19s %s\n", "ID", "TYPE", "STATUS", "PROGRESS", "CREATED", "MESSAGE");
        for (size_t i = 0; i < r->n_jobs; i++) {
            const Stashhog__Job *j = r->jobs[i];
            char created[32], prog[32];
            format_time(j->created_at_ms, created, sizeof created);
            snprintf(prog, sizeof prog, "%lld/%lld", (long long)j->done, (long long)j->total);
            const char *msg = j->status == STASHHOG__JOB_STATUS__JOB_STATUS_FAILED && j->error ? j->error : j->message;
            fprintf(cli->out, "%-6lld %-18s %-10s %-15s %-19s %s\n", (long long)j->id, j->type,
                    sh_cli_job_status_name((int)j->status), prog, created, msg ? msg : "");
        }
    }
    sh_wire_reply_free(reply);
    return rc;
}

static void print_job(sh_cli *cli, const Stashhog__Job *j)
{
    FILE *o = cli->out;
    char t[32];
    fprintf(o, "job %lld\n", (long long)j->id);
    fprintf(o, "  type:      %s\n", j->type);
    fprintf(o, "  status:    %s\n", sh_cli_job_status_name((int)j->status));
    fprintf(o, "  progress:  %lld/%lld", (long long)j->done, (long long)j->total);
    if (j->has_rate)
        fprintf(o, ", %.1f/s", j->rate);
    if (j->has_eta_s)
        fprintf(o, ", ETA %llds", (long long)j->eta_s);
    fputc('\n', o);
    if (j->message)
        fprintf(o, "  message:   %s\n", j->message);
    if (j->error)
        fprintf(o, "  error:     %s\n", j->error);
    fprintf(o, "  attempts:  %d\n", j->attempts);
    if (j->params_json && strcmp(j->params_json, "{}") != 0)
        fprintf(o, "  params:    %s\n", j->params_json);
    if (j->result_json)
        fprintf(o, "  result:    %s\n", j->result_json);
    if (j->has_retry_of)
        fprintf(o, "  retry of:  job %lld\n", (long long)j->retry_of);
    if (j->has_schedule_id)
        fprintf(o, "  schedule:  %lld\n", (long long)j->schedule_id);
    format_time(j->created_at_ms, t, sizeof t);
    fprintf(o, "  created:   %s\n", t);
    if (j->has_started_at_ms) {
        format_time(j->started_at_ms, t, sizeof t);
        fprintf(o, "  started:   %s\n", t);
    }
    if (j->has_finished_at_ms) {
        format_time(j->finished_at_ms, t, sizeof t);
        fprintf(o, "  finished:  %s\n", t);
    }
}

static int run_show(sh_cli *cli, int argc, char **argv)
{
    int64_t id = 0;
    optind = 0; /* GNU: restart scanning in permute mode, so options may follow the ID */
    if (getopt_long(argc, argv, "", (const struct option[]){{NULL, 0, NULL, 0}}, NULL) != -1)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "jobs show: bad option");
    if (!take_id(cli, argc, argv, "show", &id))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__JobGetRequest g = STASHHOG__JOB_GET_REQUEST__INIT;
    g.id = id;
    req.body_case = STASHHOG__REQUEST__BODY_JOB_GET;
    req.job_get = &g;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    if (!reply->job_detail)
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no job");
    else if (cli->json)
        sh_cli_print_json_pb(cli, &reply->job_detail->base);
    else
        print_job(cli, reply->job_detail);
    sh_wire_reply_free(reply);
    return rc;
}

static int run_watch(sh_cli *cli, int argc, char **argv)
{
    int64_t id = 0;
    optind = 0; /* GNU: restart scanning in permute mode, so options may follow the ID */
    if (getopt_long(argc, argv, "", (const struct option[]){{NULL, 0, NULL, 0}}, NULL) != -1)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "jobs watch: bad option");
    if (!take_id(cli, argc, argv, "watch", &id))
        return SH_EXIT_USAGE;
    return sh_cli_watch_job(cli, id);
}

static bool parse_wait(sh_cli *cli, int argc, char **argv, const char *cmd, bool *wait)
{
    static const struct option opts[] = {{"wait", no_argument, NULL, 'w'}, {NULL, 0, NULL, 0}};
    int c;
    *wait = false;
    optind = 0; /* GNU: restart scanning in permute mode, so options may follow the ID */
    while ((c = getopt_long(argc, argv, "w", opts, NULL)) != -1) {
        if (c != 'w') {
            sh_cli_fail(cli, SH_EXIT_USAGE, "jobs %s: bad option (see jobs %s --help)", cmd, cmd);
            return false;
        }
        *wait = true;
    }
    return true;
}

static int run_cancel(sh_cli *cli, int argc, char **argv)
{
    int64_t id = 0;
    bool wait = false;
    if (!parse_wait(cli, argc, argv, "cancel", &wait) || !take_id(cli, argc, argv, "cancel", &id))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__JobCancelRequest cr = STASHHOG__JOB_CANCEL_REQUEST__INIT;
    cr.id = id;
    req.body_case = STASHHOG__REQUEST__BODY_JOB_CANCEL;
    req.job_cancel = &cr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__Job *j = reply->job_detail;
    if (wait) {
        sh_wire_reply_free(reply);
        rc = sh_cli_wait_for_job(cli, id);
        /* Cancelling is what was asked: a cancelled outcome is success here. */
        return rc == SH_EXIT_CANCELLED ? SH_EXIT_OK : rc;
    }
    if (cli->json && j)
        sh_cli_print_json_pb(cli, &j->base);
    else if (j && j->status == STASHHOG__JOB_STATUS__JOB_STATUS_CANCELLED)
        fprintf(cli->out, "job %lld cancelled\n", (long long)id);
    else
        fprintf(cli->out, "job %lld: cancel requested (it stops at its next checkpoint)\n", (long long)id);
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

static int run_retry(sh_cli *cli, int argc, char **argv)
{
    int64_t id = 0;
    bool wait = false;
    if (!parse_wait(cli, argc, argv, "retry", &wait) || !take_id(cli, argc, argv, "retry", &id))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__JobRetryRequest rr = STASHHOG__JOB_RETRY_REQUEST__INIT;
    rr.id = id;
    req.body_case = STASHHOG__REQUEST__BODY_JOB_RETRY;
    req.job_retry = &rr;
    return sh_cli_call_job(cli, &req, wait);
}

const sh_cli_command sh_cli_jobs_commands[] = {
    {"jobs", "list", "[--status S]... [--type T] [--schedule ID] [--limit N]", "list recent jobs, newest first",
     "  -s, --status S      only jobs in status S (queued, running, completed, failed, cancelled); repeatable\n"
     "  -t, --type T        only jobs of type T (sync_full, analyze, apply_plan, ...)\n"
     "  -S, --schedule ID   only jobs started by schedule ID\n"
     "  -n, --limit N       at most N jobs (default 50)\n",
     run_list},
    {"jobs", "show", "ID", "a job's status, progress, result and error", NULL, run_show},
    {"jobs", "watch", "ID",
     "follow a job until it ends: a progress bar on a terminal, plain lines otherwise",
     "  Exit status: 0 completed, 1 failed, 4 cancelled, 130 interrupted (the job continues).\n"
     "  With --json, prints the final job as JSON.\n",
     run_watch},
    {"jobs", "cancel", "[--wait] ID", "cancel a queued or running job (running jobs stop at their next checkpoint)",
     "  -w, --wait          wait until the job has stopped\n", run_cancel},
    {"jobs", "retry", "[--wait] ID", "re-run a failed or cancelled job as a new job linked to it", SH_CLI_WAIT_HELP,
     run_retry},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
