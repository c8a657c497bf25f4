/* sync full|incremental|scene ID|entities [--wait], sync history. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "progress.h"

static int start_sync(sh_cli *cli, int argc, char **argv, Stashhog__SyncKind kind)
{
    /* Options may follow the ID ("sync scene 12 --wait"), so scan by hand
     * rather than rely on getopt's argument permutation. */
    bool wait = false;
    const char *id_arg = NULL;
    int n_pos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--wait") == 0 || strcmp(argv[i], "-w") == 0) {
            wait = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return sh_cli_fail(cli, SH_EXIT_USAGE, "sync %s: unknown option %s (see --help)", argv[0], argv[i]);
        } else {
            id_arg = argv[i];
            n_pos++;
        }
    }
    Stashhog__SyncStartRequest s = STASHHOG__SYNC_START_REQUEST__INIT;
    s.kind = kind;
    if (kind == STASHHOG__SYNC_KIND__SYNC_KIND_SCENE) {
        int64_t id = 0;
        if (n_pos != 1)
            return sh_cli_fail(cli, SH_EXIT_USAGE, "sync scene: expected one scene ID");
        if (!sh_cli_parse_int64(cli, "scene ID", id_arg, &id))
            return SH_EXIT_USAGE;
        if (id <= 0)
            return sh_cli_fail(cli, SH_EXIT_USAGE, "sync scene: ID must be positive");
        s.has_scene_id = 1;
        s.scene_id = id;
    } else if (n_pos != 0) {
        return sh_cli_fail(cli, SH_EXIT_USAGE, "sync %s takes no arguments", argv[0]);
    }
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_SYNC_START;
    req.sync_start = &s;
    return sh_cli_call_job(cli, &req, wait);
}

static int run_full(sh_cli *cli, int argc, char **argv)
{
    return start_sync(cli, argc, argv, STASHHOG__SYNC_KIND__SYNC_KIND_FULL);
}

static int run_incremental(sh_cli *cli, int argc, char **argv)
{
    return start_sync(cli, argc, argv, STASHHOG__SYNC_KIND__SYNC_KIND_INCREMENTAL);
}

static int run_scene(sh_cli *cli, int argc, char **argv)
{
    return start_sync(cli, argc, argv, STASHHOG__SYNC_KIND__SYNC_KIND_SCENE);
}

static int run_entities(sh_cli *cli, int argc, char **argv)
{
    return start_sync(cli, argc, argv, STASHHOG__SYNC_KIND__SYNC_KIND_ENTITIES);
}

static void format_time(int64_t ms, char *buf, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static int run_history(sh_cli *cli, int argc, char **argv)
{
    static const char *const kinds[] = {"full", "incremental", "scene", "entities"};
    static const struct option opts[] = {{"limit", required_argument, NULL, 'n'}, {NULL, 0, NULL, 0}};
    int64_t limit = 20;
    int c;
    while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
        if (c != 'n' || !sh_cli_parse_int64(cli, "--limit", optarg, &limit) || limit <= 0 || limit > 1000)
            return sh_cli_fail(cli, SH_EXIT_USAGE, "sync history: --limit takes 1..1000");
    }
    if (optind != argc)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "sync history takes no arguments");
    Stashhog__SyncHistoryRequest h = STASHHOG__SYNC_HISTORY_REQUEST__INIT;
    h.has_limit = 1;
    h.limit = (int32_t)limit;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_SYNC_HISTORY;
    req.sync_history = &h;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__SyncHistoryReply *r = reply->sync_history;
    if (!r) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no history");
    }
    if (cli->json) {
        sh_cli_print_json_pb(cli, &r->base);
    } else if (r->n_runs == 0) {
        fprintf(cli->out, "no syncs yet\n");
    } else {
        fprintf(cli->out, "%6s  %-11s  %-11s  %-19s  %8s  %8s  %7s  %6s\n", "RUN", "KIND", "STATUS", "STARTED",
                "SECONDS", "SCENES", "REMOVED", "REQS");
        for (size_t i = 0; i < r->n_runs; i++) {
            const Stashhog__SyncRun *run = r->runs[i];
            char started[32];
            format_time(run->started_at_ms, started, sizeof started);
            const Stashhog__SyncCounts *n = run->counts;
            double secs = run->has_finished_at_ms ? (double)(run->finished_at_ms - run->started_at_ms) / 1000.0 : 0;
            fprintf(cli->out, "%6lld  %-11s  %-11s  %-19s  %8.1f  %8lld  %7lld  %6lld\n", (long long)run->id,
                    (unsigned)run->kind < 4 ? kinds[run->kind] : "?", run->status ? run->status : "?", started,
                    secs, n ? (long long)n->scenes_upserted : 0LL, n ? (long long)n->scenes_deleted : 0LL,
                    n ? (long long)n->requests : 0LL);
            if (run->error)
                fprintf(cli->out, "        error: %s\n", run->error);
        }
    }
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

const sh_cli_command sh_cli_sync_commands[] = {
    {"sync", "full", "[--wait]", "copy the whole Stash library into the cache (resumes an interrupted one)",
     SH_CLI_WAIT_HELP, run_full},
    {"sync", "incremental", "[--wait]", "copy only what changed in Stash since the last sync", SH_CLI_WAIT_HELP,
     run_incremental},
    {"sync", "scene", "[--wait] ID", "re-read one scene (removed from the cache if Stash no longer has it)",
     SH_CLI_WAIT_HELP, run_scene},
    {"sync", "entities", "[--wait]", "copy performers, studios and tags only", SH_CLI_WAIT_HELP, run_entities},
    {"sync", "history", "[--limit N]", "past sync runs: kind, status, duration, counts, errors",
     "  -n, --limit N  show the N most recent runs (default 20)\n", run_history},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
