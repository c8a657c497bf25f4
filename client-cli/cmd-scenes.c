/* scenes list/show, performers/studios/tags list: browsing the daemon's cache.
 *
 * Lists are streamed: the CLI asks the daemon for pages of at most PAGE rows
 * and prints each page before asking for the next, so `--all` over 100k
 * scenes never holds more than one page (the daemon caps a reply anyway).
 * With --json the output is still one JSON document, written incrementally:
 * {"total": N, "offset": M, "scenes": [ ... ]}. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "filter-opts.h"
#include "sh-pbjson.h"
#include "sh-util.h"

#define PAGE 1000

static bool parse_choice(sh_cli *cli, const char *what, const char *arg, const char *const *names, size_t n,
                         int *out)
{
    for (size_t i = 0; i < n; i++) {
        if (names[i] && strcmp(arg, names[i]) == 0) {
            *out = (int)i;
            return true;
        }
    }
    sh_cli_fail(cli, SH_EXIT_USAGE, "%s: unknown value '%s'", what, arg);
    return false;
}

static const char *const sort_names[] = {"id", "title", "date", "path", "updated"};

/* --limit N / --all / --offset M, shared by every list command. */
typedef struct paging {
    int64_t limit; /* -1: all */
    int64_t offset;
} paging;

/* Fetch and print pages until limit rows or the end.  fetch fills one page
 * request and returns the reply; print_row prints one row. */
typedef struct lister {
    sh_cli *cli;
    const char *member; /* JSON array name */
    const char *noun;   /* "scenes" */
    void *req;          /* the request body, re-sent with new limit/offset */
    void (*set_page)(void *req, int32_t limit, int64_t offset, bool with_total);
    /* rows and total of a reply */
    size_t (*rows)(const sh_reply *reply, const ProtobufCMessage ***rows, int64_t *total, bool *has_total);
    void (*print_header)(sh_cli *cli);
    void (*print_row)(sh_cli *cli, const ProtobufCMessage *row);
    Stashhog__Request__BodyCase body;
} lister;

static void set_body(sh_request *req, Stashhog__Request__BodyCase body, void *msg)
{
    req->body_case = body;
    if (body == STASHHOG__REQUEST__BODY_SCENE_LIST)
        req->scene_list = msg;
    else
        req->entity_list = msg;
}

static int run_list(lister *l, const paging *pg)
{
    sh_cli *cli = l->cli;
    int64_t printed = 0, offset = pg->offset, total = -1;
    bool first = true;
    int rc = SH_EXIT_OK;
    for (;;) {
        int64_t want = pg->limit < 0 ? PAGE : pg->limit - printed;
        if (want > PAGE)
            want = PAGE;
        l->set_page(l->req, (int32_t)want, offset, first);
        sh_request req = STASHHOG__REQUEST__INIT;
        set_body(&req, l->body, l->req);
        sh_reply *reply = sh_cli_call(cli, &req, &rc);
        if (!reply) {
            if (!first && cli->json)
                fputs("\n]}\n", cli->out); /* keep the document well-formed */
            return rc;
        }
        const ProtobufCMessage **rows = NULL;
        bool has_total = false;
        int64_t page_total = 0;
        size_t n = l->rows(reply, &rows, &page_total, &has_total);
        if (first) {
            if (has_total)
                total = page_total;
            if (cli->json) {
                fputs("{", cli->out);
                if (total >= 0)
                    fprintf(cli->out, "\"total\": %lld, ", (long long)total);
                fprintf(cli->out, "\"offset\": %lld, \"%s\": [", (long long)pg->offset, l->member);
            } else if (cli->out_is_tty && n > 0) {
                l->print_header(cli);
            }
        }
        for (size_t i = 0; i < n; i++) {
            if (cli->json) {
                json_t *j = sh_pb_to_json(rows[i]);
                char *text = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
                fprintf(cli->out, "%s\n%s", printed + (int64_t)i ? "," : "", text ? text : "null");
                free(text);
                json_decref(j);
            } else {
                l->print_row(cli, rows[i]);
            }
        }
        printed += (int64_t)n;
        offset += (int64_t)n;
        first = false;
        sh_wire_reply_free(reply);
        fflush(cli->out);
        /* A short page is the end (PAGE is below the daemon's cap). */
        if (n < (size_t)want || (pg->limit >= 0 && printed >= pg->limit) || (total >= 0 && offset >= total))
            break;
    }
    if (cli->json) {
        fputs(printed ? "\n]}\n" : "]}\n", cli->out);
    } else if (cli->out_is_tty && !cli->quiet) {
        if (total >= 0)
            fprintf(cli->out, "%lld of %lld %s\n", (long long)printed, (long long)total, l->noun);
        else
            fprintf(cli->out, "%lld %s\n", (long long)printed, l->noun);
    }
    return SH_EXIT_OK;
}

/* ------------------------------------------------------------ scenes list */

static void scene_set_page(void *req, int32_t limit, int64_t offset, bool with_total)
{
    Stashhog__SceneListRequest *r = req;
    r->has_limit = r->has_offset = r->has_with_total = 1;
    r->limit = limit;
    r->offset = offset;
    r->with_total = with_total && r->with_total;
}

static size_t scene_rows(const sh_reply *reply, const ProtobufCMessage ***rows, int64_t *total, bool *has_total)
{
    const Stashhog__SceneListReply *r = reply->scene_list;
    if (!r)
        return 0;
    *rows = (const ProtobufCMessage **)r->scenes;
    *total = r->total;
    *has_total = r->has_total;
    return r->n_scenes;
}

static const char *basename_of(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : (path ? path : "");
}

static void scene_header(sh_cli *cli)
{
    fprintf(cli->out, "%8s  %-10s  %-20s  %s\n", "ID", "DATE", "STUDIO", "TITLE");
}

static void scene_row(sh_cli *cli, const ProtobufCMessage *row)
{
    const Stashhog__SceneSummary *s = (const Stashhog__SceneSummary *)row;
    fprintf(cli->out, "%8lld  %-10s  %-20.20s  %s\n", (long long)s->id, s->date ? s->date : "-",
            s->studio ? s->studio->name : "-", s->title ? s->title : basename_of(s->path));
}

static int run_scenes_list(sh_cli *cli, int argc, char **argv)
{
    enum { O_NO_TOTAL = 256, O_ALL, O_DESC };
    static const struct option opts[] = {
        SH_CLI_FILTER_LONGOPTS,
        {"sort", required_argument, NULL, 'S'},        {"desc", no_argument, NULL, O_DESC},
        {"limit", required_argument, NULL, 'n'},       {"offset", required_argument, NULL, 'o'},
        {"all", no_argument, NULL, O_ALL},             {"no-total", no_argument, NULL, O_NO_TOTAL},
        {NULL, 0, NULL, 0},
    };
    sh_cli_filter_opts fo;
    Stashhog__SceneFilter f;
    Stashhog__SceneListRequest r = STASHHOG__SCENE_LIST_REQUEST__INIT;
    paging pg = {.limit = 100};
    r.has_with_total = 1;
    r.with_total = 1;
    int rc = SH_EXIT_USAGE, c, choice = 0;
    sh_cli_filter_opts_init(&fo);
    while ((c = getopt_long(argc, argv, SH_CLI_FILTER_SHORTOPTS "S:n:o:w:", opts, NULL)) != -1) {
        /* -w is short for --where here (there is no --wait to clash with). */
        int h = sh_cli_filter_opts_handle(cli, &fo, c == 'w' ? SH_CLI_FILTER_OPT_WHERE : c, optarg);
        if (h < 0)
            goto out;
        if (h > 0)
            continue;
        bool ok = true;
        switch (c) {
        case 'S':
            if ((ok = parse_choice(cli, "--sort", optarg, sort_names, 5, &choice))) {
                r.has_sort = 1;
                r.sort = (Stashhog__SceneSort)choice;
            }
            break;
        case O_DESC: r.has_descending = r.descending = 1; break;
        case 'n': ok = sh_cli_parse_int64(cli, "--limit", optarg, &pg.limit) && pg.limit >= 0; break;
        case 'o': ok = sh_cli_parse_int64(cli, "--offset", optarg, &pg.offset) && pg.offset >= 0; break;
        case O_ALL: pg.limit = -1; break;
        case O_NO_TOTAL: r.with_total = 0; break;
        default:
            sh_cli_fail(cli, SH_EXIT_USAGE, "scenes list: bad option (see scenes list --help)");
            ok = false;
        }
        if (!ok)
            goto out;
    }
    if (optind < argc) {
        sh_cli_fail(cli, SH_EXIT_USAGE, "scenes list: unexpected argument '%s'", argv[optind]);
        goto out;
    }
    sh_cli_filter_opts_build(&fo, &f);
    r.filter = &f;
    lister l = {.cli = cli,
                .member = "scenes",
                .noun = "scenes",
                .req = &r,
                .set_page = scene_set_page,
                .rows = scene_rows,
                .print_header = scene_header,
                .print_row = scene_row,
                .body = STASHHOG__REQUEST__BODY_SCENE_LIST};
    rc = run_list(&l, &pg);
out:
    sh_cli_filter_opts_fini(&fo);
    return rc;
}

/* ------------------------------------------------------------ scenes show */

static void print_refs(FILE *o, const char *label, Stashhog__EntityRef **refs, size_t n)
{
    fprintf(o, "  %-11s ", label);
    if (!n)
        fputs("-", o);
    for (size_t i = 0; i < n; i++)
        fprintf(o, "%s%s (%lld)", i ? ", " : "", refs[i]->name, (long long)refs[i]->id);
    fputc('\n', o);
}

static void print_size(FILE *o, int64_t bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    fprintf(o, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void print_detail(sh_cli *cli, const Stashhog__SceneDetail *d)
{
    FILE *o = cli->out;
    const Stashhog__SceneSummary *s = d->summary;
    fprintf(o, "Scene %lld: %s\n", (long long)s->id, s->title ? s->title : "(no title)");
    fprintf(o, "  %-11s %s\n", "date:", s->date ? s->date : "-");
    if (s->studio)
        fprintf(o, "  %-11s %s (%lld)\n", "studio:", s->studio->name, (long long)s->studio->id);
    else
        fprintf(o, "  %-11s -\n", "studio:");
    print_refs(o, "performers:", s->performers, s->n_performers);
    print_refs(o, "tags:", s->tags, s->n_tags);
    fprintf(o, "  %-11s %s\n", "code:", d->code ? d->code : "-");
    fprintf(o, "  %-11s %s\n", "organized:", s->organized ? "yes" : "no");
    for (size_t i = 0; i < d->n_urls; i++)
        fprintf(o, "  %-11s %s\n", i ? "" : "urls:", d->urls[i]);
    fprintf(o, "  %-11s %s\n", "details:", d->details ? d->details : "-");
    fprintf(o, "  files:\n");
    for (size_t i = 0; i < d->n_files; i++) {
        const Stashhog__SceneFile *f = d->files[i];
        fprintf(o, "    %s\n      ", f->path);
        if (f->has_size)
            print_size(o, f->size);
        if (f->has_width && f->has_height)
            fprintf(o, "  %dx%d", f->width, f->height);
        if (f->has_duration) {
            long t = (long)(f->duration + 0.5);
            fprintf(o, "  %ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
        }
        if (f->has_frame_rate)
            fprintf(o, "  %.2f fps", f->frame_rate);
        if (f->video_codec)
            fprintf(o, "  %s", f->video_codec);
        fputc('\n', o);
    }
    fprintf(o, "  %-11s %s\n", "created:", d->created_at ? d->created_at : "-");
    fprintf(o, "  %-11s %s\n", "updated:", s->updated_at ? s->updated_at : "-");
    if (d->has_synced_at_ms) {
        char stamp[32];
        time_t t = (time_t)(d->synced_at_ms / 1000);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
        fprintf(o, "  %-11s %s\n", "synced:", stamp);
    }
}

static int run_scenes_show(sh_cli *cli, int argc, char **argv)
{
    int64_t id = 0;
    if (argc != 2)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "scenes show takes one scene id");
    if (!sh_cli_parse_int64(cli, "scene id", argv[1], &id))
        return SH_EXIT_USAGE;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__SceneGetRequest g = STASHHOG__SCENE_GET_REQUEST__INIT;
    g.id = id;
    req.body_case = STASHHOG__REQUEST__BODY_SCENE_GET;
    req.scene_get = &g;
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, &req, &rc);
    if (!reply)
        return rc;
    if (!reply->scene || !reply->scene->summary) {
        sh_wire_reply_free(reply);
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no scene");
    }
    if (cli->json)
        sh_cli_print_json_pb(cli, &reply->scene->base);
    else
        print_detail(cli, reply->scene);
    sh_wire_reply_free(reply);
    return SH_EXIT_OK;
}

/* ------------------------------------------------------------ entities */

static void entity_set_page(void *req, int32_t limit, int64_t offset, bool with_total)
{
    (void)with_total; /* the daemon always counts entities: they are few */
    Stashhog__EntityListRequest *r = req;
    r->has_limit = r->has_offset = 1;
    r->limit = limit;
    r->offset = offset;
}

static size_t entity_rows(const sh_reply *reply, const ProtobufCMessage ***rows, int64_t *total, bool *has_total)
{
    const Stashhog__EntityListReply *r = reply->entity_list;
    if (!r)
        return 0;
    *rows = (const ProtobufCMessage **)r->entities;
    *total = r->total;
    *has_total = r->has_total;
    return r->n_entities;
}

static void entity_header(sh_cli *cli)
{
    fprintf(cli->out, "%8s  %7s  %s\n", "ID", "SCENES", "NAME (ALIASES)");
}

static void entity_row(sh_cli *cli, const ProtobufCMessage *row)
{
    const Stashhog__Entity *e = (const Stashhog__Entity *)row;
    fprintf(cli->out, "%8lld  %7lld  %s", (long long)e->id, (long long)e->scene_count, e->name);
    if (e->disambiguation)
        fprintf(cli->out, " [%s]", e->disambiguation);
    if (e->parent)
        fprintf(cli->out, " < %s", e->parent->name);
    for (size_t i = 0; i < e->n_aliases; i++)
        fprintf(cli->out, "%s%s%s", i ? ", " : " (", e->aliases[i], i + 1 == e->n_aliases ? ")" : "");
    fputc('\n', cli->out);
}

static int run_entity_list(sh_cli *cli, int argc, char **argv, Stashhog__EntityKind kind, const char *noun)
{
    enum { O_ALL = 256 };
    static const struct option opts[] = {{"query", required_argument, NULL, 'q'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {"offset", required_argument, NULL, 'o'},
                                         {"all", no_argument, NULL, O_ALL},
                                         {NULL, 0, NULL, 0}};
    Stashhog__EntityListRequest r = STASHHOG__ENTITY_LIST_REQUEST__INIT;
    r.kind = kind;
    paging pg = {.limit = 100};
    int c;
    while ((c = getopt_long(argc, argv, "q:n:o:", opts, NULL)) != -1) {
        bool ok = true;
        if (c == 'q')
            r.query = optarg;
        else if (c == 'n')
            ok = sh_cli_parse_int64(cli, "--limit", optarg, &pg.limit) && pg.limit >= 0;
        else if (c == 'o')
            ok = sh_cli_parse_int64(cli, "--offset", optarg, &pg.offset) && pg.offset >= 0;
        else if (c == O_ALL)
            pg.limit = -1;
        else
            return sh_cli_fail(cli, SH_EXIT_USAGE, "%s list: bad option (see %s list --help)", noun, noun);
        if (!ok)
            return SH_EXIT_USAGE;
    }
    if (optind < argc)
        return sh_cli_fail(cli, SH_EXIT_USAGE, "%s list: unexpected argument '%s'", noun, argv[optind]);
    lister l = {.cli = cli,
                .member = "entities",
                .noun = noun,
                .req = &r,
                .set_page = entity_set_page,
                .rows = entity_rows,
                .print_header = entity_header,
                .print_row = entity_row,
                .body = STASHHOG__REQUEST__BODY_ENTITY_LIST};
    return run_list(&l, &pg);
}

static int run_performers(sh_cli *cli, int argc, char **argv)
{
    return run_entity_list(cli, argc, argv, STASHHOG__ENTITY_KIND__ENTITY_PERFORMER, "performers");
}

static int run_studios(sh_cli *cli, int argc, char **argv)
{
    return run_entity_list(cli, argc, argv, STASHHOG__ENTITY_KIND__ENTITY_STUDIO, "studios");
}

static int run_tags(sh_cli *cli, int argc, char **argv)
{
    return run_entity_list(cli, argc, argv, STASHHOG__ENTITY_KIND__ENTITY_TAG, "tags");
}

#define ENTITY_HELP                                                                                      \
    "  -q, --query TEXT  names or aliases containing TEXT (any case)\n"                                 \
    "  -n, --limit N     at most N rows (default 100); --all for every row\n"                           \
    "  -o, --offset M    skip the first M rows\n"

const sh_cli_command sh_cli_scenes_commands[] = {
    {"scenes", "list", "[FILTERS] [--sort KEY] [--desc] [--limit N | --all] [--offset M]",
     "list cached scenes matching a filter, with the total",
     SH_CLI_FILTER_HELP
     "  -w EXPR                   short for --where\n"
     "  -S, --sort KEY            id (default), title, date, path or updated; ties are broken by id\n"
     "      --desc                descending\n"
     "  -n, --limit N             at most N scenes (default 100); --all for every match\n"
     "  -o, --offset M            skip the first M matches\n"
     "      --no-total            do not count the matches\n"
     "  With --json: {\"total\", \"offset\", \"scenes\": [...]}, streamed page by page.\n",
     run_scenes_list},
    {"scenes", "show", "ID", "every stored field of one scene: files, urls, details, timestamps", NULL,
     run_scenes_show},
    {"performers", "list", "[--query TEXT] [--limit N | --all] [--offset M]",
     "list cached performers with aliases and scene counts", ENTITY_HELP, run_performers},
    {"studios", "list", "[--query TEXT] [--limit N | --all] [--offset M]",
     "list cached studios with aliases, parent and scene counts", ENTITY_HELP, run_studios},
    {"tags", "list", "[--query TEXT] [--limit N | --all] [--offset M]", "list cached tags with aliases and scene counts",
     ENTITY_HELP, run_tags},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
