#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh-log.h"
#include "sh-paths.h"
#include "sh-pbjson.h"
#include "sh-pubsub.h"
#include "sh-util.h"

static const sh_cli_command *const command_tables[] = {
    sh_cli_status_commands,
    sh_cli_backup_commands,
    sh_cli_jobs_commands,
    sh_cli_schedules_commands,
    sh_cli_settings_commands,
    sh_cli_sync_commands,
    sh_cli_scenes_commands,
    sh_cli_plans_commands,
    sh_cli_webhooks_commands,
    sh_cli_stats_commands,
    sh_cli_filters_commands,
    sh_cli_users_commands,
    sh_cli_import_commands,
};

#define N_TABLES (sizeof command_tables / sizeof command_tables[0])

int sh_cli_exit_code(sh_status st)
{
    switch (st) {
    case SH_OK:
        return SH_EXIT_OK;
    case SH_ERR_UNAVAILABLE:
    case SH_ERR_TIMEOUT:
        return SH_EXIT_UNAVAILABLE;
    case SH_ERR_CANCELLED:
        return SH_EXIT_CANCELLED;
    case SH_ERR_INVALID:
        return SH_EXIT_USAGE;
    default:
        return SH_EXIT_FAILURE;
    }
}

int sh_cli_fail(sh_cli *cli, int code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (cli->json) {
        json_t *j = json_pack("{s:{s:s,s:i}}", "error", "message", msg, "exit_code", code);
        json_dumpf(j, cli->out, JSON_INDENT(2));
        fputc('\n', cli->out);
        json_decref(j);
    }
    fprintf(cli->err, "%s: %s\n", cli->prog, msg);
    return code;
}

static sh_status ensure_client(sh_cli *cli, sh_error *err)
{
    if (cli->client)
        return SH_OK;
    sh_rpc_client_options o = {.token = cli->token,
                               .timeout_ms = cli->timeout_ms,
                               .tls_ca_file = cli->tls_ca,
                               .tls_cert_key_file = cli->tls_cert,
                               .tls_server_name = cli->tls_server_name};
    return sh_rpc_client_create(cli->url, &o, &cli->client, err);
}

sh_reply *sh_cli_call(sh_cli *cli, sh_request *req, int *exit_code)
{
    sh_error err = {0};
    sh_reply *reply = NULL;
    sh_status st = ensure_client(cli, &err);
    if (st == SH_OK)
        st = sh_rpc_client_call(cli->client, req, &reply, &err);
    if (st != SH_OK) {
        *exit_code = sh_cli_fail(cli, sh_cli_exit_code(st) == SH_EXIT_USAGE ? SH_EXIT_FAILURE : sh_cli_exit_code(st),
                                 "%s", sh_error_message(&err));
        return NULL;
    }
    *exit_code = SH_EXIT_OK;
    return reply;
}

sh_status sh_cli_subscribe(sh_cli *cli, const char *const *topics, size_t n_topics, sh_subscriber **sub,
                           char **url_out, sh_error *err)
{
    *sub = NULL;
    if (url_out)
        *url_out = NULL;
    sh_status st = ensure_client(cli, err);
    if (st != SH_OK)
        return st;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__StatusRequest s = STASHHOG__STATUS_REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_STATUS;
    req.status = &s;
    sh_reply *reply = NULL;
    if ((st = sh_rpc_client_call(cli->client, &req, &reply, err)) != SH_OK)
        return st;
    char *events_key = reply->status_info && reply->status_info->events_key ? strdup(reply->status_info->events_key) : NULL;
    char *url = reply->status_info ? sh_paths_pick_event_url(cli->url, (const char *const *)reply->status_info->event_urls,
                                                             reply->status_info->n_event_urls)
                                   : NULL;
    sh_wire_reply_free(reply);
    if (!url) {
        free(events_key);
        return sh_error_set(err, SH_ERR_NOT_FOUND, "the daemon publishes no events on a transport matching %s", cli->url);
    }
    sh_subscriber_options so = {.topics = topics,
                                .n_topics = n_topics,
                                .token = cli->token,
                                .events_key = events_key,
                                .tls_ca_file = cli->tls_ca,
                                .tls_cert_key_file = cli->tls_cert,
                                .tls_server_name = cli->tls_server_name};
    st = sh_subscriber_create_opts(url, &so, sub, err);
    free(events_key);
    if (st == SH_OK && url_out)
        *url_out = url;
    else
        free(url);
    return st;
}

void sh_cli_print_json(sh_cli *cli, json_t *value)
{
    json_dumpf(value, cli->out, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    fputc('\n', cli->out);
    json_decref(value);
}

void sh_cli_print_json_pb(sh_cli *cli, const ProtobufCMessage *msg)
{
    sh_cli_print_json(cli, sh_pb_to_json(msg));
}

bool sh_cli_parse_int64(sh_cli *cli, const char *what, const char *text, int64_t *out)
{
    char *end = NULL;
    long long v = text ? strtoll(text, &end, 10) : 0;
    if (!text || end == text || *end) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "%s: '%s' is not a number", what, text ? text : "");
        return false;
    }
    *out = v;
    return true;
}

bool sh_cli_parse_double(sh_cli *cli, const char *what, const char *text, double *out)
{
    char *end = NULL;
    double v = text ? strtod(text, &end) : 0;
    if (!text || end == text || *end) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "%s: '%s' is not a number", what, text ? text : "");
        return false;
    }
    *out = v;
    return true;
}

void sh_cli_usage(sh_cli *cli, const sh_cli_command *cmd, FILE *to)
{
    fprintf(to, "Usage: %s [GLOBAL OPTIONS] %s%s%s%s%s\n\n%s\n", cli->prog, cmd->group ? cmd->group : "",
            cmd->group ? " " : "", cmd->name, cmd->args ? " " : "", cmd->args ? cmd->args : "",
            cmd->summary);
    if (cmd->help)
        fprintf(to, "\n%s", cmd->help);
    fprintf(to, "\nGlobal options: --connect URL, --token TOKEN, --json, --timeout SECONDS (see %s --help)\n",
            cli->prog);
}

static void print_help(sh_cli *cli, FILE *to, const char *only_group)
{
    fprintf(to,
            "Usage: %s [GLOBAL OPTIONS] COMMAND [ARGS...]\n\n"
            "StashHog command-line client: talks to stashhogd over its RPC socket.\n\n"
            "Global options:\n"
            "  -c, --connect URL   daemon URL (default: the local ipc socket; env STASHHOG_CONNECT)\n"
            "  -t, --token TOKEN   auth token for tcp:// daemons (env STASHHOG_TOKEN)\n"
            "      --tls-ca FILE   CA (PEM) that a tls+tcp:// daemon's certificate must chain to;\n"
            "                      without it the certificate is not verified (env STASHHOG_TLS_CA)\n"
            "      --tls-cert FILE client certificate and key, one PEM file (env STASHHOG_TLS_CERT)\n"
            "      --tls-server-name NAME  name to verify the certificate against (env\n"
            "                      STASHHOG_TLS_SERVER_NAME; default: the URL's host)\n"
            "  -j, --json          machine-readable JSON output\n"
            "      --timeout SECS  RPC timeout (default 30)\n"
            "  -q, --quiet         no progress output\n"
            "  -h, --help          this help; COMMAND --help for a command's options\n"
            "  -V, --version       client version\n\n"
            "Commands:\n",
            cli->prog);
    for (size_t t = 0; t < N_TABLES; t++) {
        for (const sh_cli_command *c = command_tables[t]; c->name; c++) {
            if (only_group && (!c->group || strcmp(c->group, only_group) != 0))
                continue;
            char left[64];
            snprintf(left, sizeof left, "%s%s%s", c->group ? c->group : "", c->group ? " " : "", c->name);
            fprintf(to, "  %-22s %s\n", left, c->summary);
        }
    }
}

static const sh_cli_command *find_command(int argc, char **argv, int *consumed, bool *group_known)
{
    *group_known = false;
    for (size_t t = 0; t < N_TABLES; t++) {
        for (const sh_cli_command *c = command_tables[t]; c->name; c++) {
            if (!c->group && strcmp(c->name, argv[0]) == 0) {
                *consumed = 1;
                return c;
            }
            if (c->group && strcmp(c->group, argv[0]) == 0) {
                *group_known = true;
                if (argc > 1 && strcmp(c->name, argv[1]) == 0) {
                    *consumed = 2;
                    return c;
                }
            }
        }
    }
    return NULL;
}

int sh_cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    sh_cli cli = {
        .out = out,
        .err = err,
        .out_is_tty = isatty(fileno(out)),
        .timeout_ms = 30000,
        .prog = "stashhogctl",
        .token = getenv("STASHHOG_TOKEN"),
        .tls_ca = getenv("STASHHOG_TLS_CA"),
        .tls_cert = getenv("STASHHOG_TLS_CERT"),
        .tls_server_name = getenv("STASHHOG_TLS_SERVER_NAME"),
    };
    char default_url[SH_PATH_MAX + 16];
    static const struct option opts[] = {
        {"connect", required_argument, NULL, 'c'}, {"token", required_argument, NULL, 't'},
        {"tls-ca", required_argument, NULL, 'A'},  {"tls-cert", required_argument, NULL, 'C'},
        {"tls-server-name", required_argument, NULL, 'N'},
        {"json", no_argument, NULL, 'j'},          {"timeout", required_argument, NULL, 'T'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0},
    };
    sh_log_set_level(SH_LOG_ERROR);
    optind = 1;
    int c;
    /* '+' stops at the first non-option: the command's own options follow it. */
    while ((c = getopt_long(argc, argv, "+c:t:jqhV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cli.url = optarg;
            break;
        case 't':
            cli.token = optarg;
            break;
        case 'A':
            cli.tls_ca = optarg;
            break;
        case 'C':
            cli.tls_cert = optarg;
            break;
        case 'N':
            cli.tls_server_name = optarg;
            break;
        case 'j':
            cli.json = true;
            break;
        case 'q':
            cli.quiet = true;
            break;
        case 'T': {
            int64_t s = 0;
            if (!sh_cli_parse_int64(&cli, "--timeout", optarg, &s) || s <= 0)
                return SH_EXIT_USAGE;
            cli.timeout_ms = (int)(s * 1000);
            break;
        }
        case 'h':
            print_help(&cli, out, NULL);
            return SH_EXIT_OK;
        case 'V':
            fprintf(out, "stashhogctl %s (protocol %d)\n", STASHHOG_VERSION, (int)SH_PROTOCOL_VERSION);
            return SH_EXIT_OK;
        default:
            print_help(&cli, err, NULL);
            return SH_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        print_help(&cli, err, NULL);
        return SH_EXIT_USAGE;
    }
    if (!cli.url) {
        sh_error e = {0};
        if (sh_paths_default_connect_url(default_url, sizeof default_url, &e) != SH_OK)
            return sh_cli_fail(&cli, SH_EXIT_USAGE, "%s", sh_error_message(&e));
        cli.url = default_url;
    }
    int consumed = 0;
    bool group_known = false;
    const sh_cli_command *cmd = find_command(argc - optind, argv + optind, &consumed, &group_known);
    if (!cmd) {
        if (group_known) {
            print_help(&cli, err, argv[optind]);
            return SH_EXIT_USAGE;
        }
        return sh_cli_fail(&cli, SH_EXIT_USAGE, "unknown command '%s' (see --help)", argv[optind]);
    }
    int cargc = argc - optind - consumed + 1;
    char **cargv = argv + optind + consumed - 1;
    for (int i = 1; i < cargc; i++) {
        if (!strcmp(cargv[i], "--help") || !strcmp(cargv[i], "-h")) {
            sh_cli_usage(&cli, cmd, out);
            return SH_EXIT_OK;
        }
        if (!strcmp(cargv[i], "--"))
            break;
    }
    optind = 0; /* full getopt reset (also clears the "+" mode): commands parse their own options */
    int rc = cmd->run(&cli, cargc, cargv);
    sh_rpc_client_destroy(cli.client);
    return rc;
}
