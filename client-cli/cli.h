/* cli.h - stashhogctl: the command-line client, shared by every command file.
 *
 * Layout: cli.c parses global options and dispatches to a command; each
 * command group lives in its own file (cmd-status.c, cmd-settings.c, ...)
 * and exports a table of sh_cli_command.  Output goes through output.c:
 * human text on a terminal, JSON with --json. */
#ifndef SH_CLI_H
#define SH_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "sh-error.h"
#include "sh-rpc-client.h"
#include "sh-wire.h"

/* Exit codes. */
enum {
    SH_EXIT_OK = 0,
    SH_EXIT_FAILURE = 1,   /* the daemon or a job reported an error */
    SH_EXIT_USAGE = 2,     /* bad command line */
    SH_EXIT_UNAVAILABLE = 3, /* the daemon could not be reached */
    SH_EXIT_CANCELLED = 4, /* a waited-for job was cancelled */
};

typedef struct sh_cli {
    const char *url;
    const char *token;
    const char *tls_ca;          /* --tls-ca / STASHHOG_TLS_CA: verify a tls+tcp:// daemon */
    const char *tls_cert;        /* --tls-cert / STASHHOG_TLS_CERT: client certificate + key (PEM) */
    const char *tls_server_name; /* --tls-server-name / STASHHOG_TLS_SERVER_NAME */
    bool json;
    bool quiet;
    int timeout_ms;
    FILE *out;
    FILE *err;
    bool out_is_tty;
    sh_rpc_client *client; /* created on first call */
    const char *prog;
} sh_cli;

typedef struct sh_cli_command {
    const char *group; /* "jobs", or NULL for a top-level command */
    const char *name;
    const char *args;  /* usage after the name: "[--limit N] ID" */
    const char *summary;
    const char *help;  /* option descriptions, may be NULL */
    int (*run)(sh_cli *cli, int argc, char **argv); /* argv[0] is the command name */
} sh_cli_command;

int sh_cli_main(int argc, char **argv, FILE *out, FILE *err);

/* Send a request (body set by caller); on failure prints the error and
 * returns the exit code in *exit_code.  Returns the reply or NULL. */
sh_reply *sh_cli_call(sh_cli *cli, sh_request *req, int *exit_code);
/* Subscribe to the daemon's event stream on the transport we reach it by
 * (asks Status for the advertised URLs; passes the token and TLS options,
 * since network streams are sealed).  *url_out (optional) gets the URL. */
struct sh_subscriber;
sh_status sh_cli_subscribe(sh_cli *cli, const char *const *topics, size_t n_topics,
                           struct sh_subscriber **sub, char **url_out, sh_error *err);
/* Map an sh_status to an exit code. */
int sh_cli_exit_code(sh_status st);
/* Print "stashhogctl: message" to stderr (or a JSON error object with --json). */
int sh_cli_fail(sh_cli *cli, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Print the usage of one command. */
void sh_cli_usage(sh_cli *cli, const sh_cli_command *cmd, FILE *to);

/* Print a protobuf reply body as JSON (with --json). */
void sh_cli_print_json_pb(sh_cli *cli, const ProtobufCMessage *msg);
void sh_cli_print_json(sh_cli *cli, json_t *value); /* steals value */

/* Parse helpers; print a usage error and return false on bad input. */
bool sh_cli_parse_int64(sh_cli *cli, const char *what, const char *text, int64_t *out);
bool sh_cli_parse_double(sh_cli *cli, const char *what, const char *text, double *out);

/* Command tables, one per file. */
extern const sh_cli_command sh_cli_status_commands[];
extern const sh_cli_command sh_cli_backup_commands[];
extern const sh_cli_command sh_cli_jobs_commands[];
extern const sh_cli_command sh_cli_schedules_commands[];
extern const sh_cli_command sh_cli_settings_commands[];
extern const sh_cli_command sh_cli_sync_commands[];
extern const sh_cli_command sh_cli_scenes_commands[];
extern const sh_cli_command sh_cli_plans_commands[];
extern const sh_cli_command sh_cli_webhooks_commands[];
extern const sh_cli_command sh_cli_stats_commands[];
extern const sh_cli_command sh_cli_filters_commands[];
extern const sh_cli_command sh_cli_users_commands[];
extern const sh_cli_command sh_cli_import_commands[];

#endif
