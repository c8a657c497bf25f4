/* filter-opts.c - the one parser of scene filter options (filter-opts.h). */
#include "filter-opts.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "filter-expr.h"

#define MAX_IDS 4096 /* per list; the daemon has its own, larger caps */

bool sh_cli_idlist_add(sh_cli *cli, sh_cli_idlist *l, const char *what, const char *arg)
{
    char *copy = strdup(arg), *save = NULL;
    if (!copy) {
        sh_cli_fail(cli, SH_EXIT_FAILURE, "out of memory");
        return false;
    }
    bool ok = true;
    for (char *tok = strtok_r(copy, ",", &save); ok && tok; tok = strtok_r(NULL, ",", &save)) {
        int64_t id = 0;
        if (!sh_cli_parse_int64(cli, what, tok, &id)) {
            ok = false;
        } else if (id <= 0 || l->n >= MAX_IDS) {
            sh_cli_fail(cli, SH_EXIT_USAGE, "%s: '%s' is not a valid id (or more than %d ids)", what, tok, MAX_IDS);
            ok = false;
        } else {
            if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 8;
                int64_t *grown = realloc(l->v, cap * sizeof *grown);
                if (!grown) {
                    sh_cli_fail(cli, SH_EXIT_FAILURE, "out of memory");
                    ok = false;
                    break;
                }
                l->v = grown;
                l->cap = cap;
            }
            l->v[l->n++] = id;
        }
    }
    free(copy);
    return ok;
}

void sh_cli_filter_opts_init(sh_cli_filter_opts *fo)
{
    memset(fo, 0, sizeof *fo);
    stashhog__scene_filter__init(&fo->f);
}

static const char *const missing_names[] = {"studio", "performers", "tags", "date", "title", "details", "code"};

static int parse_organized(sh_cli *cli, sh_cli_filter_opts *fo, const char *arg)
{
    static const char *const yes[] = {"yes", "true", "1"}, *const no[] = {"no", "false", "0"};
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(arg, yes[i]) == 0 || strcmp(arg, no[i]) == 0) {
            fo->f.has_organized = 1;
            fo->f.organized = strcmp(arg, yes[i]) == 0;
            return 1;
        }
    }
    sh_cli_fail(cli, SH_EXIT_USAGE, "--organized: yes or no, not '%s'", arg);
    return -1;
}

static int parse_missing(sh_cli *cli, sh_cli_filter_opts *fo, const char *arg)
{
    for (size_t k = 0; k < sizeof missing_names / sizeof missing_names[0]; k++) {
        if (strcmp(arg, missing_names[k]) != 0)
            continue;
        for (size_t i = 0; i < fo->n_missing; i++)
            if (fo->missing[i] == (Stashhog__MissingField)k)
                return 1; /* given twice: once is enough */
        fo->missing[fo->n_missing++] = (Stashhog__MissingField)k;
        return 1;
    }
    sh_cli_fail(cli, SH_EXIT_USAGE, "--missing: unknown field '%s' (studio, performers, tags, date, title, "
                "details, code)", arg);
    return -1;
}

int sh_cli_filter_opts_handle(sh_cli *cli, sh_cli_filter_opts *fo, int c, const char *arg)
{
    switch (c) {
    case 'q': fo->f.query = (char *)arg; return 1;
    case 's': return sh_cli_idlist_add(cli, &fo->studios, "--studio", arg) ? 1 : -1;
    case 'p': return sh_cli_idlist_add(cli, &fo->performers, "--performer", arg) ? 1 : -1;
    case SH_CLI_FILTER_OPT_NOT_PERFORMER:
        return sh_cli_idlist_add(cli, &fo->not_performers, "--not-performer", arg) ? 1 : -1;
    case 't': return sh_cli_idlist_add(cli, &fo->tags, "--tag", arg) ? 1 : -1;
    case SH_CLI_FILTER_OPT_NOT_TAG: return sh_cli_idlist_add(cli, &fo->not_tags, "--not-tag", arg) ? 1 : -1;
    case 'i': return sh_cli_idlist_add(cli, &fo->ids, "--id", arg) ? 1 : -1;
    case 'O': return parse_organized(cli, fo, arg);
    case SH_CLI_FILTER_OPT_DATE_FROM: fo->f.date_from = (char *)arg; return 1;
    case SH_CLI_FILTER_OPT_DATE_TO: fo->f.date_to = (char *)arg; return 1;
    case 'P': fo->f.path_contains = (char *)arg; return 1;
    case 'm': return parse_missing(cli, fo, arg);
    case SH_CLI_FILTER_OPT_SAVED: fo->f.saved = (char *)arg; return 1;
    case SH_CLI_FILTER_OPT_WHERE:
        if (!fo->arena && !(fo->arena = sh_arena_create())) {
            sh_cli_fail(cli, SH_EXIT_FAILURE, "out of memory");
            return -1;
        }
        if (fo->f.where) {
            sh_cli_fail(cli, SH_EXIT_USAGE, "--where: give one expression (join conditions with 'and')");
            return -1;
        }
        return sh_cli_parse_where(cli, arg, fo->arena, &fo->f.where) ? 1 : -1;
    default: return 0;
    }
}

void sh_cli_filter_opts_build(sh_cli_filter_opts *fo, Stashhog__SceneFilter *out)
{
    *out = fo->f;
    out->studio_ids = fo->studios.v, out->n_studio_ids = fo->studios.n;
    out->performer_ids = fo->performers.v, out->n_performer_ids = fo->performers.n;
    out->exclude_performer_ids = fo->not_performers.v, out->n_exclude_performer_ids = fo->not_performers.n;
    out->tag_ids = fo->tags.v, out->n_tag_ids = fo->tags.n;
    out->exclude_tag_ids = fo->not_tags.v, out->n_exclude_tag_ids = fo->not_tags.n;
    out->scene_ids = fo->ids.v, out->n_scene_ids = fo->ids.n;
    out->missing = fo->n_missing ? fo->missing : NULL, out->n_missing = fo->n_missing;
}

void sh_cli_filter_opts_fini(sh_cli_filter_opts *fo)
{
    free(fo->studios.v);
    free(fo->performers.v);
    free(fo->not_performers.v);
    free(fo->tags.v);
    free(fo->not_tags.v);
    free(fo->ids.v);
    sh_arena_destroy(fo->arena);
    memset(fo, 0, sizeof *fo);
}
