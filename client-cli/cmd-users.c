/* users: named tokens with roles (admin only; the daemon enforces it).
 * `users add` and `users rotate` print the new token once: the daemon keeps
 * only its hash.  `users whoami` shows the identity the daemon sees. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"

static const char *role_name(Stashhog__Role r)
{
    switch (r) {
    case STASHHOG__ROLE__ROLE_VIEWER:
        return "viewer";
    case STASHHOG__ROLE__ROLE_REVIEWER:
        return "reviewer";
    case STASHHOG__ROLE__ROLE_ADMIN:
        return "admin";
    default:
        return "unknown";
    }
}

static bool parse_role(sh_cli *cli, const char *text, Stashhog__Role *out)
{
    static const Stashhog__Role roles[] = {STASHHOG__ROLE__ROLE_VIEWER, STASHHOG__ROLE__ROLE_REVIEWER,
                                           STASHHOG__ROLE__ROLE_ADMIN};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        if (text && strcasecmp(text, role_name(roles[i])) == 0) {
            *out = roles[i];
            return true;
        }
    }
    sh_cli_fail(cli, SH_EXIT_USAGE, "unknown role '%s' (viewer, reviewer or admin)", text ? text : "");
    return false;
}

static void format_time(int64_t ms, char *buf, size_t len)
{
    if (ms <= 0) {
        snprintf(buf, len, "never");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

/* No options: positional arguments only (exactly `want` of them). */
static bool take_args(sh_cli *cli, int argc, char **argv, const char *cmd, int want)
{
    static const struct option none[] = {{NULL, 0, NULL, 0}};
    optind = 0;
    if (getopt_long(argc, argv, "", none, NULL) != -1) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "users %s: bad option (see users %s --help)", cmd, cmd);
        return false;
    }
    if (argc - optind != want) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "users %s: expected %d argument%s (see users %s --help)", cmd, want,
                    want == 1 ? "" : "s", cmd);
        return false;
    }
    return true;
}

static int run_list(sh_cli *cli, int argc, char **argv)
{
    if (!take_args(cli, argc, argv, "list", 0))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__UserListRequest lr = STASHHOG__USER_LIST_REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_USER_LIST;
    req.user_list = &lr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__UserListReply *r = reply->user_list;
    if (!r) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no user list");
    }
    if (cli->json) {
        sh_cli_print_json_pb(cli, &r->base);
    } else if (r->n_users == 0) {
        fprintf(cli->out, "no users (the owner token is always admin; add one with: users add NAME --role ROLE)\n");
    } else {
        fprintf(cli->out, "%-32s  %-8s  %-16s  %s\n", "NAME", "ROLE", "CREATED", "LAST SEEN");
        for (size_t i = 0; i < r->n_users; i++) {
            const Stashhog__User *u = r->users[i];
            char created[32], seen[32];
            format_time(u->created_at_ms, created, sizeof created);
            format_time(u->has_last_seen_at_ms ? u->last_seen_at_ms : 0, seen, sizeof seen);
            fprintf(cli->out, "%-32s  %-8s  %-16s  %s\n", u->name, role_name(u->role), created, seen);
        }
    }
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

/* Create and rotate both answer with the token, shown once. */
static int print_token(sh_cli *cli, sh_reply *reply, const char *verb)
{
    const Stashhog__UserToken *t = reply->user_token;
    if (!t || !t->user || !t->token) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no token");
    }
    if (cli->json) {
        sh_cli_print_json_pb(cli, &t->base);
    } else if (cli->quiet || !cli->out_is_tty) {
        fprintf(cli->out, "%s\n", t->token); /* just the token, for scripts */
    } else {
        fprintf(cli->out, "%s %s (%s). Token, shown only this once:\n\n  %s\n\n", verb, t->user->name,
                role_name(t->user->role), t->token);
        fprintf(cli->out, "Connect with: stashhogctl --connect tcp://HOST:PORT --token TOKEN ...\n");
    }
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

static int run_add(sh_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"role", required_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};
    const char *role_text = NULL;
    int c;
    optind = 0; /* GNU: restart scanning in permute mode, so options may follow the name */
    while ((c = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
        if (c != 'r')
            return sh_cli_fail(cli, SH_EXIT_USAGE, "users add: bad option (see users add --help)");
        role_text = optarg;
    }
    if (argc - optind != 1)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "users add: expected one NAME (see users add --help)");
    if (!role_text)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "users add: --role is required (viewer, reviewer or admin)");
    Stashhog__UserCreateRequest cr = STASHHOG__USER_CREATE_REQUEST__INIT;
    if (!parse_role(cli, role_text, &cr.role))
        return SH_EXIT_USAGE;
    cr.name = argv[optind];
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_USER_CREATE;
    req.user_create = &cr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    return reply ? print_token(cli, reply, "Added") : rc;
}

static int run_rotate(sh_cli *cli, int argc, char **argv)
{
    if (!take_args(cli, argc, argv, "rotate", 1))
        return SH_EXIT_USAGE;
    Stashhog__UserRotateRequest rr = STASHHOG__USER_ROTATE_REQUEST__INIT;
    rr.name = argv[optind];
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_USER_ROTATE;
    req.user_rotate = &rr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    return reply ? print_token(cli, reply, "Rotated the token of") : rc;
}

static int run_remove(sh_cli *cli, int argc, char **argv)
{
    if (!take_args(cli, argc, argv, "remove", 1))
        return SH_EXIT_USAGE;
    Stashhog__UserDeleteRequest dr = STASHHOG__USER_DELETE_REQUEST__INIT;
    dr.name = argv[optind];
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_USER_DELETE;
    req.user_delete = &dr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    if (cli->json)
        sh_cli_print_json(cli, json_pack("{s:s,s:b}", "name", dr.name, "removed", 1));
    else if (!cli->quiet)
        fprintf(cli->out, "removed user %s (their token no longer works)\n", dr.name);
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

static int run_set_role(sh_cli *cli, int argc, char **argv)
{
    if (!take_args(cli, argc, argv, "set-role", 2))
        return SH_EXIT_USAGE;
    Stashhog__UserSetRoleRequest sr = STASHHOG__USER_SET_ROLE_REQUEST__INIT;
    sr.name = argv[optind];
    if (!parse_role(cli, argv[optind + 1], &sr.role))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_USER_SET_ROLE;
    req.user_set_role = &sr;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__User *u = reply->user;
    if (cli->json && u)
        sh_cli_print_json_pb(cli, &u->base);
    else if (u && !cli->quiet)
        fprintf(cli->out, "user %s is now %s\n", u->name, role_name(u->role));
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

static int run_whoami(sh_cli *cli, int argc, char **argv)
{
    if (!take_args(cli, argc, argv, "whoami", 0))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__StatusRequest s = STASHHOG__STATUS_REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_STATUS;
    req.status = &s;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__StatusReply *st = reply->status_info;
    if (!st || !st->user) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "this daemon does not report identities");
    }
    const char *role = st->has_role ? role_name(st->role) : "unknown";
    if (cli->json)
        sh_cli_print_json(cli, json_pack("{s:s,s:s}", "user", st->user, "role", role));
    else
        fprintf(cli->out, "%s (%s)\n", st->user, role);
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

const sh_cli_command sh_cli_users_commands[] = {
    {"users", "list", "", "list the users that may connect over the network (admin)", NULL, run_list},
    {"users", "add", "NAME --role ROLE", "add a user and print their token, once (admin)",
     "  -r, --role ROLE     viewer (browse), reviewer (also analyze, sync, review plans)\n"
     "                      or admin (also apply, rollback, settings, schedules, users)\n"
     "  On a terminal the token is shown with instructions; otherwise (or with --quiet)\n"
     "  only the token is printed.  The daemon keeps just its hash.\n",
     run_add},
    {"users", "remove", "NAME", "remove a user; their token stops working at once (admin)", NULL, run_remove},
    {"users", "rotate", "NAME", "give a user a new token, printed once; the old one stops working (admin)",
     NULL, run_rotate},
    {"users", "set-role", "NAME ROLE", "change a user's role: viewer, reviewer or admin (admin)", NULL,
     run_set_role},
    {"users", "whoami", "", "the user and role the daemon sees for this connection",
     "  Local sockets and the daemon's own token (stashhogd --show-token) are the owner,\n"
     "  who is always admin.\n",
     run_whoami},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
