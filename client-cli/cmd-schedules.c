/* schedules list|create|update|delete|enable|disable|run|history: jobs on a cron or interval. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "progress.h"
#include "sh-cron.h"
#include "sh-util.h"

static void format_local(int64_t ms, char *buf, size_t len)
{
    if (ms <= 0) {
        sh_strlcpy(buf, "-", len);
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

static void format_when(const Stashhog__Schedule *s, char *buf, size_t len)
{
    if (s->cron) {
        snprintf(buf, len, "cron %s", s->cron);
        return;
    }
    int64_t v = s->interval_s;
    size_t n = (size_t)snprintf(buf, len, "every ");
    if (v >= 86400 && n < len)
        n += (size_t)snprintf(buf + n, len - n, "%lldd", (long long)(v / 86400));
    if (v % 86400 >= 3600 && n < len)
        n += (size_t)snprintf(buf + n, len - n, "%lldh", (long long)(v % 86400 / 3600));
    if (v % 3600 >= 60 && n < len)
        n += (size_t)snprintf(buf + n, len - n, "%lldm", (long long)(v % 3600 / 60));
    if (v % 60 && n < len)
        snprintf(buf + n, len - n, "%llds", (long long)(v % 60));
}

static sh_reply *call_list(sh_cli *cli, int *rc)
{
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__ScheduleListRequest lr = STASHHOG__SCHEDULE_LIST_REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_SCHEDULE_LIST;
    req.schedule_list = &lr;
    sh_reply *reply = sh_cli_call(cli, &req, rc);
    if (reply && !reply->schedule_list) {
        sh_wire_reply_free(reply);
        *rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no schedule list");
        return NULL;
    }
    return reply;
}

static int run_list(sh_cli *cli, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "schedules list takes no arguments");
    int rc = 0;
    sh_reply *reply = call_list(cli, &rc);
    if (!reply)
        return rc;
    const Stashhog__ScheduleListReply *r = reply->schedule_list;
    if (cli->json) {
        sh_cli_print_json_pb(cli, &r->base);
    } else if (r->n_schedules == 0) {
        fprintf(cli->out, "no schedules\n");
    } else {
        fprintf(cli->out, "%-4s %-16s %-18s %-20s %-4s %-16s %-16s %s\n", "ID", "NAME", "TYPE", "WHEN", "ON",
                "NEXT RUN", "LAST RUN", "LAST");
        for (size_t i = 0; i < r->n_schedules; i++) {
            const Stashhog__Schedule *s = r->schedules[i];
            char when[64], next[32], last[32];
            format_when(s, when, sizeof when);
            format_local(s->has_next_run_ms ? s->next_run_ms : 0, next, sizeof next);
            format_local(s->has_last_run_ms ? s->last_run_ms : 0, last, sizeof last);
            fprintf(cli->out, "%-4lld %-16s %-18s %-20s %-4s %-16s %-16s %s\n", (long long)s->id, s->name, s->job_type,
                    when, s->enabled ? "yes" : "no", next, last,
                    s->has_last_status ? sh_cli_job_status_name((int)s->last_status) : "-");
        }
    }
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

/* --param key=value: the value is JSON when it parses (numbers, true, "x"), else a string. */
static bool add_param(sh_cli *cli, json_t *params, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "--param: expected KEY=VALUE, got '%s'", arg);
        return false;
    }
    char *key = strndup(arg, (size_t)(eq - arg));
    json_t *v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
    if (!v)
        v = json_string(eq + 1);
    bool ok = key && v && json_object_set_new(params, key, v) == 0;
    free(key);
    if (!ok)
        sh_cli_fail(cli, SH_EXIT_USAGE, "--param: bad value in '%s'", arg);
    return ok;
}

enum { OPT_NO_CATCH_UP = 1000, OPT_CATCH_UP, OPT_DISABLED, OPT_CLEAR_PARAMS };

/* Applies create/update options onto s (strings stay in argv; params_out owns the JSON text). */
static int parse_schedule_opts(sh_cli *cli, int argc, char **argv, const char *cmd, Stashhog__Schedule *s,
                               char **params_out)
{
    static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
                                         {"type", required_argument, NULL, 't'},
                                         {"cron", required_argument, NULL, 'c'},
                                         {"every", required_argument, NULL, 'e'},
                                         {"param", required_argument, NULL, 'p'},
                                         {"clear-params", no_argument, NULL, OPT_CLEAR_PARAMS},
                                         {"disabled", no_argument, NULL, OPT_DISABLED},
                                         {"catch-up", no_argument, NULL, OPT_CATCH_UP},
                                         {"no-catch-up", no_argument, NULL, OPT_NO_CATCH_UP},
                                         {NULL, 0, NULL, 0}};
    json_t *params = json_loads(s->params_json ? s->params_json : "{}", 0, NULL);
    if (!json_is_object(params)) {
        json_decref(params);
        params = json_object();
    }
    int rc = SH_EXIT_OK, c;
    optind = 0; /* GNU: restart scanning in permute mode, so options may follow the ID */
    while (rc == SH_EXIT_OK && (c = getopt_long(argc, argv, "n:t:c:e:p:", opts, NULL)) != -1) {
        sh_error err = {0};
        switch (c) {
        case 'n':
            s->name = optarg;
            break;
        case 't':
            s->job_type = optarg;
            break;
        case 'c':
            s->cron = optarg;
            s->has_interval_s = 0;
            break;
        case 'e':
            if (sh_interval_parse(optarg, &s->interval_s, &err) != SH_OK) {
                rc = sh_cli_fail(cli, SH_EXIT_USAGE, "--every: %s", sh_error_message(&err));
                break;
            }
            s->has_interval_s = 1;
            s->cron = NULL;
            break;
        case 'p':
            if (!add_param(cli, params, optarg))
                rc = SH_EXIT_USAGE;
            break;
        case OPT_CLEAR_PARAMS:
            json_object_clear(params);
            break;
        case OPT_DISABLED:
            s->has_enabled = 1;
            s->enabled = 0;
            break;
        case OPT_CATCH_UP:
        case OPT_NO_CATCH_UP:
            s->has_catch_up = 1;
            s->catch_up = c == OPT_CATCH_UP;
            break;
        default:
            rc = sh_cli_fail(cli, SH_EXIT_USAGE, "schedules %s: bad option (see schedules %s --help)", cmd, cmd);
        }
    }
    if (rc == SH_EXIT_OK && !(*params_out = json_dumps(params, JSON_COMPACT)))
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "out of memory");
    json_decref(params);
    return rc;
}

static int save(sh_cli *cli, Stashhog__Schedule *s, const char *verb)
{
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__ScheduleSaveRequest sr = STASHHOG__SCHEDULE_SAVE_REQUEST__INIT;
    sr.schedule = s;
    req.body_case = STASHHOG__REQUEST__BODY_SCHEDULE_SAVE;
    req.schedule_save = &sr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__Schedule *out = reply->schedule;
    if (!out) {
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no schedule");
    } else if (cli->json) {
        sh_cli_print_json_pb(cli, &out->base);
    } else {
        char when[64], next[32];
        format_when(out, when, sizeof when);
        format_local(out->has_next_run_ms ? out->next_run_ms : 0, next, sizeof next);
        fprintf(cli->out, "schedule %lld (%s) %s: %s %s, %s, next run %s\n", (long long)out->id, out->name, verb,
                out->job_type, when, out->enabled ? "enabled" : "disabled", out->enabled ? next : "-");
    }
    sh_wire_reply_free(reply);
    return rc;
}

static int run_create(sh_cli *cli, int argc, char **argv)
{
    Stashhog__Schedule s = STASHHOG__SCHEDULE__INIT;
    char *params = NULL;
    int rc = parse_schedule_opts(cli, argc, argv, "create", &s, &params);
    if (rc == SH_EXIT_OK && optind != argc)
        rc = sh_cli_fail(cli, SH_EXIT_USAGE, "schedules create: unexpected argument '%s'", argv[optind]);
    if (rc == SH_EXIT_OK && (!s.name || !s.job_type || (!s.cron && !s.has_interval_s)))
        rc = sh_cli_fail(cli, SH_EXIT_USAGE, "schedules create needs --name, --type and --cron or --every");
    if (rc == SH_EXIT_OK) {
        s.params_json = params;
        rc = save(cli, &s, "created");
    }
    free(params);
    return rc;
}

/* Fetch schedule `id` from the list (the contract has no single get). */
static sh_reply *find_schedule(sh_cli *cli, int64_t id, Stashhog__Schedule **out, int *rc)
{
    sh_reply *reply = call_list(cli, rc);
    if (!reply)
        return NULL;
    for (size_t i = 0; i < reply->schedule_list->n_schedules; i++)
        if (reply->schedule_list->schedules[i]->id == id) {
            *out = reply->schedule_list->schedules[i];
            return reply;
        }
    sh_wire_reply_free(reply);
    *rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "no schedule %lld", (long long)id);
    return NULL;
}

/* What a save needs; enabled and catch_up stay unchanged unless set. */
static Stashhog__Schedule editable_copy(const Stashhog__Schedule *cur)
{
    Stashhog__Schedule s = STASHHOG__SCHEDULE__INIT;
    s.has_id = 1;
    s.id = cur->id;
    s.name = cur->name;
    s.job_type = cur->job_type;
    s.params_json = cur->params_json;
    s.cron = cur->cron;
    s.has_interval_s = cur->has_interval_s;
    s.interval_s = cur->interval_s;
    return s;
}

static bool take_id(sh_cli *cli, int argc, char **argv, const char *cmd, int64_t *id)
{
    int first = optind > 0 ? optind : 1; /* 0 = no getopt ran: the ID is argv[1] */
    if (first != argc - 1) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "schedules %s: expected one schedule ID", cmd);
        return false;
    }
    return sh_cli_parse_int64(cli, "schedule ID", argv[first], id);
}

static int run_update(sh_cli *cli, int argc, char **argv)
{
    /* The ID may come first ("update 3 --cron ..."): getopt permutes, so parse options then take it. */
    Stashhog__Schedule tmp = STASHHOG__SCHEDULE__INIT;
    char *params = NULL;
    int rc = parse_schedule_opts(cli, argc, argv, "update", &tmp, &params);
    free(params);
    params = NULL;
    int64_t id = 0;
    if (rc != SH_EXIT_OK || !take_id(cli, argc, argv, "update", &id))
        return rc != SH_EXIT_OK ? rc : SH_EXIT_USAGE;
    Stashhog__Schedule *cur = NULL;
    sh_reply *reply = find_schedule(cli, id, &cur, &rc);
    if (!reply)
        return rc;
    /* Apply the same options again, onto a copy of the current schedule
     * (the reply keeps owning its strings). */
    optind = 0;
    Stashhog__Schedule s = editable_copy(cur);
    if ((rc = parse_schedule_opts(cli, argc, argv, "update", &s, &params)) == SH_EXIT_OK) {
        s.params_json = params;
        rc = save(cli, &s, "updated");
    }
    free(params);
    sh_wire_reply_free(reply);
    return rc;
}

static int set_enabled(sh_cli *cli, int argc, char **argv, bool enabled)
{
    const char *cmd = enabled ? "enable" : "disable";
    int64_t id = 0;
    if (!take_id(cli, argc, argv, cmd, &id))
        return SH_EXIT_USAGE;
    int rc = 0;
    Stashhog__Schedule *cur = NULL;
    sh_reply *reply = find_schedule(cli, id, &cur, &rc);
    if (!reply)
        return rc;
    Stashhog__Schedule s = editable_copy(cur);
    s.has_enabled = 1;
    s.enabled = enabled;
    rc = save(cli, &s, enabled ? "enabled" : "disabled");
    sh_wire_reply_free(reply);
    return rc;
}

static int run_enable(sh_cli *cli, int argc, char **argv)
{
    return set_enabled(cli, argc, argv, true);
}

static int run_disable(sh_cli *cli, int argc, char **argv)
{
    return set_enabled(cli, argc, argv, false);
}

static int run_delete(sh_cli *cli, int argc, char **argv)
{
    int64_t id = 0;
    if (!take_id(cli, argc, argv, "delete", &id))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__ScheduleDeleteRequest dr = STASHHOG__SCHEDULE_DELETE_REQUEST__INIT;
    dr.id = id;
    req.body_case = STASHHOG__REQUEST__BODY_SCHEDULE_DELETE;
    req.schedule_delete = &dr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    if (cli->json)
        sh_cli_print_json(cli, json_pack("{s:I,s:b}", "id", (json_int_t)id, "deleted", 1));
    else
        fprintf(cli->out, "schedule %lld deleted\n", (long long)id);
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

static int run_run(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"wait", no_argument, NULL, 'w'}, {NULL, 0, NULL, 0}};
    bool wait = false;
    int c;
    optind = 0; /* GNU: restart scanning in permute mode, so options may follow the ID */
    while ((c = getopt_long(argc, argv, "w", opts, NULL)) != -1) {
        if (c != 'w')
            return sh_cli_fail(cli, SH_EXIT_USAGE, "schedules run: bad option");
        wait = true;
    }
    int64_t id = 0;
    if (!take_id(cli, argc, argv, "run", &id))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__ScheduleRunRequest rr = STASHHOG__SCHEDULE_RUN_REQUEST__INIT;
    rr.id = id;
    req.body_case = STASHHOG__REQUEST__BODY_SCHEDULE_RUN;
    req.schedule_run = &rr;
    return sh_cli_call_job(cli, &req, wait);
}

static int run_history(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"limit", required_argument, NULL, 'n'}, {NULL, 0, NULL, 0}};
    int64_t limit = 20;
    int c;
    optind = 0; /* GNU: restart scanning in permute mode, so options may follow the ID */
    while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1)
        if (c != 'n' || !sh_cli_parse_int64(cli, "--limit", optarg, &limit) || limit < 1 || limit > 1000)
            return sh_cli_fail(cli, SH_EXIT_USAGE, "schedules history: --limit N (1..1000)");
    int64_t id = 0;
    if (!take_id(cli, argc, argv, "history", &id))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__ScheduleHistoryRequest hr = STASHHOG__SCHEDULE_HISTORY_REQUEST__INIT;
    hr.id = id;
    hr.has_limit = 1;
    hr.limit = (int32_t)limit;
    req.body_case = STASHHOG__REQUEST__BODY_SCHEDULE_HISTORY;
    req.schedule_history = &hr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__JobListReply *r = reply->job_list;
    if (!r) {
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no history");
    } else if (cli->json) {
        sh_cli_print_json_pb(cli, &r->base);
    } else if (r->n_jobs == 0) {
        fprintf(cli->out, "schedule %lld has not run yet\n", (long long)id);
    } else {
        fprintf(cli->out, "%-6s %-10s %-16s %-8s %s\n", "JOB", "STATUS", "STARTED", "TOOK", "MESSAGE");
        for (size_t i = 0; i < r->n_jobs; i++) {
            const Stashhog__Job *j = r->jobs[i];
            char started[32], took[16] = "-";
            format_local(j->has_started_at_ms ? j->started_at_ms : 0, started, sizeof started);
            if (j->has_started_at_ms && j->has_finished_at_ms)
                snprintf(took, sizeof took, "%.1fs", (double)(j->finished_at_ms - j->started_at_ms) / 1000.0);
            const char *msg = j->status == STASHHOG__JOB_STATUS__JOB_STATUS_FAILED && j->error ? j->error : j->message;
            fprintf(cli->out, "%-6lld %-10s %-16s %-8s %s\n", (long long)j->id, sh_cli_job_status_name((int)j->status),
                    started, took, msg ? msg : "");
        }
    }
    sh_wire_reply_free(reply);
    return rc;
}

#define SCHEDULE_OPTS_HELP                                                                         \
    "  -n, --name NAME        unique name\n"                                                      \
    "  -t, --type TYPE        job type (sync_incremental, sync_full, analyze, ...)\n"             \
    "  -c, --cron EXPR        5-field cron in local time, e.g. '0 3 * * *', or @daily\n"          \
    "  -e, --every DURATION   fixed interval instead: 15m, 2h, 1d, 1h30m (at least 1m)\n"         \
    "  -p, --param KEY=VALUE  job parameter (VALUE as JSON if it parses, else a string); repeatable\n" \
    "      --clear-params     drop all parameters first (update)\n"                                \
    "      --disabled         create disabled\n"                                                   \
    "      --no-catch-up      after daemon downtime, skip missed runs (default: run one)\n"        \
    "      --catch-up         run one missed slot after downtime\n"

const sh_cli_command sh_cli_schedules_commands[] = {
    {"schedules", "list", NULL, "schedules with their next and last runs (local time)", NULL, run_list},
    {"schedules", "create", "--name NAME --type TYPE (--cron EXPR | --every DURATION) [--param K=V]...",
     "create a schedule", SCHEDULE_OPTS_HELP, run_create},
    {"schedules", "update", "ID [--name ...] [--type ...] [--cron ... | --every ...] [--param K=V]...",
     "change a schedule (a new cron or interval starts from now)", SCHEDULE_OPTS_HELP, run_update},
    {"schedules", "delete", "ID", "delete a schedule (its past jobs stay)", NULL, run_delete},
    {"schedules", "enable", "ID", "enable a schedule (slots missed while disabled do not run)", NULL, run_enable},
    {"schedules", "disable", "ID", "disable a schedule", NULL, run_disable},
    {"schedules", "run", "[--wait] ID", "run a schedule's job now, outside its slots", SH_CLI_WAIT_HELP, run_run},
    {"schedules", "history", "[--limit N] ID", "the jobs a schedule started, newest first",
     "  -n, --limit N   at most N jobs (default 20)\n", run_history},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
