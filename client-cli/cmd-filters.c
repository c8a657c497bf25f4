/* filters list | save NAME --where EXPR | show NAME | delete NAME: saved
 * filters, kept by the daemon and usable by name wherever a scene filter is
 * taken (scenes list --filter NAME, a schedule's filter=NAME). */
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "filter-expr.h"

bool sh_cli_parse_where(sh_cli *cli, const char *text, sh_arena *arena, Stashhog__FilterNode **out)
{
    sh_filter_expr_error e;
    *out = sh_filter_expr_parse(text, arena, &e);
    if (*out)
        return true;
    sh_cli_fail(cli, SH_EXIT_USAGE, "--where: column %d: %s", e.column, e.message);
    if (!cli->json)
        fprintf(cli->err, "  %s\n  %*s^\n", text, e.column - 1, "");
    return false;
}

static void format_local(int64_t ms, char *buf, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

static sh_reply *call(sh_cli *cli, sh_request *req, int *rc)
{
    sh_reply *reply = sh_cli_call(cli, req, rc);
    if (reply && reply->body_case != STASHHOG__REPLY__BODY_FILTER_LIST &&
        reply->body_case != STASHHOG__REPLY__BODY_SAVED_FILTER && reply->body_case != STASHHOG__REPLY__BODY_EMPTY) {
        sh_wire_reply_free(reply);
        *rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent an unexpected reply");
        return NULL;
    }
    return reply;
}

static int run_list(sh_cli *cli, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "filters list takes no arguments");
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__FilterListRequest lr = STASHHOG__FILTER_LIST_REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_FILTER_LIST;
    req.filter_list = &lr;
    int rc = 0;
    sh_reply *reply = call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__FilterListReply *r = reply->filter_list;
    if (!r) {
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no filter list");
    } else if (cli->json) {
        sh_cli_print_json_pb(cli, &r->base);
    } else if (r->n_filters == 0) {
        fprintf(cli->out, "no saved filters\n");
    } else {
        fprintf(cli->out, "%-24s %-16s %s\n", "NAME", "UPDATED", "EXPRESSION");
        for (size_t i = 0; i < r->n_filters; i++) {
            const Stashhog__SavedFilter *f = r->filters[i];
            char when[32];
            format_local(f->updated_at_ms, when, sizeof when);
            fprintf(cli->out, "%-24s %-16s %s\n", f->name, when, f->expression ? f->expression : "(no text form)");
        }
    }
    sh_wire_reply_free(reply);
    return rc;
}

static int run_save(sh_cli *cli, int argc, char **argv)
{
    enum { O_REPLACE = 256 };
    static const struct option opts[] = {
        {"where", required_argument, NULL, 'w'},
        {"replace", no_argument, NULL, O_REPLACE},
        {NULL, 0, NULL, 0},
    };
    const char *where = NULL;
    bool replace = false;
    int c;
    while ((c = getopt_long(argc, argv, "w:", opts, NULL)) != -1) {
        if (c == 'w')
            where = optarg;
        else if (c == O_REPLACE)
            replace = true;
        else
            return sh_cli_fail(cli, SH_EXIT_USAGE, "filters save: bad option (see filters save --help)");
    }
    if (optind + 1 != argc)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "filters save: give exactly one NAME");
    if (!where)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "filters save: --where EXPR is required");
    sh_arena *a = sh_arena_create();
    if (!a)
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "out of memory");
    Stashhog__SceneFilter f = STASHHOG__SCENE_FILTER__INIT;
    int rc = SH_EXIT_USAGE;
    if (sh_cli_parse_where(cli, where, a, &f.where)) {
        Stashhog__SavedFilter sf = STASHHOG__SAVED_FILTER__INIT;
        sf.name = argv[optind];
        sf.filter = &f;
        sf.expression = (char *)where;
        Stashhog__FilterSaveRequest sr = STASHHOG__FILTER_SAVE_REQUEST__INIT;
        sr.filter = &sf;
        sr.has_replace = 1;
        sr.replace = replace;
        sh_request req = STASHHOG__REQUEST__INIT;
        req.body_case = STASHHOG__REQUEST__BODY_FILTER_SAVE;
        req.filter_save = &sr;
        sh_reply *reply = call(cli, &req, &rc);
        if (reply) {
            rc = SH_EXIT_OK;
            if (cli->json && reply->saved_filter)
                sh_cli_print_json_pb(cli, &reply->saved_filter->base);
            else if (!cli->quiet)
                fprintf(cli->out, "saved filter %s\n", sf.name);
            sh_wire_reply_free(reply);
        }
    }
    sh_arena_destroy(a);
    return rc;
}

static int one_name(sh_cli *cli, int argc, char **argv, const char *what, const char **name)
{
    static const struct option opts[] = {{NULL, 0, NULL, 0}};
    if (getopt_long(argc, argv, "", opts, NULL) != -1)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "filters %s takes no options", what);
    if (optind + 1 != argc)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "filters %s: give exactly one NAME", what);
    *name = argv[optind];
    return SH_EXIT_OK;
}

static int run_show(sh_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    int rc = one_name(cli, argc, argv, "show", &name);
    if (rc != SH_EXIT_OK)
        return rc;
    Stashhog__FilterGetRequest gr = STASHHOG__FILTER_GET_REQUEST__INIT;
    gr.name = (char *)name;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_FILTER_GET;
    req.filter_get = &gr;
    sh_reply *reply = call(cli, &req, &rc);
    if (!reply)
        return rc;
    const Stashhog__SavedFilter *f = reply->saved_filter;
    if (!f) {
        rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no filter");
    } else if (cli->json) {
        sh_cli_print_json_pb(cli, &f->base);
    } else {
        char created[32], updated[32];
        format_local(f->created_at_ms, created, sizeof created);
        format_local(f->updated_at_ms, updated, sizeof updated);
        fprintf(cli->out, "name:       %s\nexpression: %s\ncreated:    %s\nupdated:    %s\n", f->name,
                f->expression ? f->expression : "(no text form; see --json)", created, updated);
    }
    sh_wire_reply_free(reply);
    return rc;
}

static int run_delete(sh_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    int rc = one_name(cli, argc, argv, "delete", &name);
    if (rc != SH_EXIT_OK)
        return rc;
    Stashhog__FilterDeleteRequest dr = STASHHOG__FILTER_DELETE_REQUEST__INIT;
    dr.name = (char *)name;
    sh_request req = STASHHOG__REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_FILTER_DELETE;
    req.filter_delete = &dr;
    sh_reply *reply = call(cli, &req, &rc);
    if (!reply)
        return rc;
    if (!cli->quiet && !cli->json)
        fprintf(cli->out, "deleted filter %s\n", name);
    else if (cli->json)
        sh_cli_print_json(cli, json_pack("{s:s}", "deleted", name));
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

#define WHERE_HELP                                                                                                 \
    "  -w, --where EXPR   e.g. 'studio = 12 and (tag = 3 or not performer = 7) and date >= 2023-01-01\n"          \
    "                     and title ~ \"beach\"'\n"                                                                \
    "                     fields: id title details code date path studio performer tag organized\n"              \
    "                     updated_at created_at duration height size performer_count tag_count text\n"           \
    "                     ops: = != < <= > >=  ~ (contains)  ^= (starts with)  matches (full text)\n"            \
    "                     in (1,2,3)  is [not] null;  and, or, not, ( )\n"

const sh_cli_command sh_cli_filters_commands[] = {
    {"filters", "list", NULL, "saved filters", NULL, run_list},
    {"filters", "save", "NAME --where EXPR [--replace]", "save a filter by name (scenes list --filter NAME)",
     WHERE_HELP "      --replace      overwrite an existing filter of that name\n", run_save},
    {"filters", "show", "NAME", "a saved filter (--json: its full tree)", NULL, run_show},
    {"filters", "delete", "NAME", "delete a saved filter", NULL, run_delete},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
