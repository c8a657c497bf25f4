/* settings get/set/test-connection: the daemon's runtime settings.  Secret
 * values only ever come back masked. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sh-util.h"

static void print_settings(sh_cli *cli, const Stashhog__SettingsReply *r)
{
    if (cli->json) {
        sh_cli_print_json_pb(cli, &r->base);
        return;
    }
    for (size_t i = 0; i < r->n_settings; i++) {
        const Stashhog__Setting *s = r->settings[i];
        const char *note = !s->value ? "  (not set)" : !s->is_set ? "  (default)" : "";
        fprintf(cli->out, "%-24s %s%s\n", s->key, s->value ? s->value : "", note);
    }
}

static int run_get(sh_cli *cli, int argc, char **argv)
{
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__SettingsGetRequest g = STASHHOG__SETTINGS_GET_REQUEST__INIT;
    bool verbose = false;
    static const struct option opts[] = {{"verbose", no_argument, NULL, 'v'}, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
        if (c != 'v')
            return sh_cli_fail(cli, SH_EXIT_USAGE, "settings get: bad option (see settings get --help)");
        verbose = true;
    }
    g.n_keys = (size_t)(argc - optind);
    g.keys = argv + optind;
    req.body_case = STASHHOG__REQUEST__BODY_SETTINGS_GET;
    req.settings_get = &g;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    if (!reply->settings) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no settings");
    }
    print_settings(cli, reply->settings);
    if (verbose && !cli->json)
        for (size_t i = 0; i < reply->settings->n_settings; i++)
            fprintf(cli->out, "  %s: %s\n", reply->settings->settings[i]->key,
                    reply->settings->settings[i]->description ? reply->settings->settings[i]->description : "");
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

/* A value of "-" is read from stdin (first line), so keys stay out of
 * shell history and the process list. */
static char *read_stdin_line(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

static int run_set(sh_cli *cli, int argc, char **argv)
{
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "--") == 0)
        first = 2;
    int n_args = argc - first;
    if (n_args < 2 || n_args % 2 != 0)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "settings set: expected KEY VALUE [KEY VALUE...]");
    enum { MAX_PAIRS = 64 };
    size_t n = (size_t)n_args / 2;
    if (n > MAX_PAIRS)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "settings set: at most %d settings at once", MAX_PAIRS);
    Stashhog__Setting items[MAX_PAIRS];
    Stashhog__Setting *ptrs[MAX_PAIRS];
    char *from_stdin = NULL;
    int rc = SH_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        stashhog__setting__init(&items[i]);
        items[i].key = argv[first + 2 * (int)i];
        items[i].value = argv[first + 2 * (int)i + 1];
        if (strcmp(items[i].value, "-") == 0) {
            if (from_stdin || !(from_stdin = read_stdin_line())) {
                rc = sh_cli_fail(cli, SH_EXIT_USAGE, "settings set: '-' reads one value from stdin (once)");
                goto out;
            }
            items[i].value = from_stdin;
        }
        ptrs[i] = &items[i];
    }
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__SettingsSetRequest s = STASHHOG__SETTINGS_SET_REQUEST__INIT;
    s.n_settings = n;
    s.settings = ptrs;
    req.body_case = STASHHOG__REQUEST__BODY_SETTINGS_SET;
    req.settings_set = &s;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (reply) {
        if (reply->settings && !cli->quiet)
            print_settings(cli, reply->settings);
        sh_wire_reply_free(reply);
    }
out:
    if (from_stdin) {
        memset(from_stdin, 0, strlen(from_stdin));
        free(from_stdin);
    }
    return rc;
}

static int run_test(sh_cli *cli, int argc, char **argv)
{
    bool llm = false;
    static const struct option opts[] = {{"llm", no_argument, NULL, 'l'}, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "l", opts, NULL)) != -1) {
        if (c != 'l')
            return sh_cli_fail(cli, SH_EXIT_USAGE, "settings test-connection: bad option");
        llm = true;
    }
    if (optind < argc)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "settings test-connection takes no arguments");
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__TestConnectionRequest t = STASHHOG__TEST_CONNECTION_REQUEST__INIT;
    t.has_target = 1;
    t.target = llm ? STASHHOG__CONNECTION_TARGET__CONNECTION_TARGET_LLM
                   : STASHHOG__CONNECTION_TARGET__CONNECTION_TARGET_STASH;
    req.body_case = STASHHOG__REQUEST__BODY_TEST_CONNECTION;
    req.test_connection = &t;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__TestConnectionReply *r = reply->test_connection;
    if (!r) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no test result");
    }
    if (cli->json) {
        sh_cli_print_json_pb(cli, &r->base);
    } else {
        FILE *o = cli->out;
        fprintf(o, "reachable:      %s\n", r->reachable ? "yes" : "no");
        fprintf(o, "authenticated:  %s\n", r->authenticated ? "yes" : "no");
        if (r->server_version)
            fprintf(o, "version:        %s\n", r->server_version);
        if (r->system_status)
            fprintf(o, "system status:  %s\n", r->system_status);
        if (r->model)
            fprintf(o, "model:          %s\n", r->model);
        if (r->has_scene_count)
            fprintf(o, "library:        %lld scenes, %lld performers, %lld studios, %lld tags\n",
                    (long long)r->scene_count, (long long)r->performer_count, (long long)r->studio_count,
                    (long long)r->tag_count);
        if (r->has_latency_ms)
            fprintf(o, "latency:        %lld ms\n", (long long)r->latency_ms);
        if (r->message)
            fprintf(o, "%s\n", r->message);
    }
    int exit_code = r->reachable && r->authenticated ? SH_EXIT_OK : SH_EXIT_FAILURE;
    if (exit_code != SH_EXIT_OK && !cli->json && r->message)
        fprintf(cli->err, "%s: %s\n", cli->prog, r->message);
    sh_wire_reply_free(reply);
    return exit_code;
}

const sh_cli_command sh_cli_settings_commands[] = {
    {"settings", "get", "[--verbose] [KEY...]", "show settings (secrets masked); all when no KEY is given",
     "  -v, --verbose  also print what each setting means\n", run_get},
    {"settings", "set", "KEY VALUE [KEY VALUE...]",
     "change settings (all or none); an empty VALUE restores the default",
     "  A VALUE of '-' is read from stdin, e.g. for API keys:\n"
     "    stashhogctl settings set stash.api_key - < keyfile\n",
     run_set},
    {"settings", "test-connection", "[--llm]",
     "check Stash (or, with --llm, the LLM API): reachability, API key, version, library counts",
     "  -l, --llm  test the LLM endpoint instead of Stash\n", run_test},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
