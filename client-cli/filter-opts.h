/* filter-opts.h - the scene filter options, shared by every command that
 * selects scenes (scenes list, analyze, export scenes), so they accept
 * exactly the same filters with the same spelling and help.
 *
 * A command puts SH_CLI_FILTER_LONGOPTS into its own option table and
 * SH_CLI_FILTER_SHORTOPTS into its optstring, hands each getopt result to
 * sh_cli_filter_opts_handle() first, and builds the SceneFilter after
 * parsing.  --where has no short letter here because -w is --wait on job
 * commands (scenes list adds -w itself).
 *
 *   sh_cli_filter_opts fo;
 *   sh_cli_filter_opts_init(&fo);
 *   while ((c = getopt_long(argc, argv, SH_CLI_FILTER_SHORTOPTS "n:", opts, NULL)) != -1) {
 *       int h = sh_cli_filter_opts_handle(cli, &fo, c, optarg);
 *       if (h < 0) goto out;            // reported
 *       if (h > 0) continue;            // a filter option
 *       switch (c) { ... own options ... }
 *   }
 *   Stashhog__SceneFilter f;
 *   sh_cli_filter_opts_build(&fo, &f);  // borrows fo's storage
 *   ...
 *   sh_cli_filter_opts_fini(&fo);
 */
#ifndef SH_CLI_FILTER_OPTS_H
#define SH_CLI_FILTER_OPTS_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "sh-util.h"
#include "stashhog.pb-c.h"

struct sh_cli;

/* getopt values of the long-only filter options: far above the values
 * commands use for their own long-only options (256...). */
enum {
    SH_CLI_FILTER_OPT_NOT_PERFORMER = 0x1000,
    SH_CLI_FILTER_OPT_NOT_TAG,
    SH_CLI_FILTER_OPT_DATE_FROM,
    SH_CLI_FILTER_OPT_DATE_TO,
    SH_CLI_FILTER_OPT_WHERE,
    SH_CLI_FILTER_OPT_SAVED,
};

#define SH_CLI_FILTER_SHORTOPTS "q:s:p:t:O:P:m:i:"

#define SH_CLI_FILTER_LONGOPTS                                                                               \
    {"query", required_argument, NULL, 'q'}, {"studio", required_argument, NULL, 's'},                       \
    {"performer", required_argument, NULL, 'p'},                                                             \
    {"not-performer", required_argument, NULL, SH_CLI_FILTER_OPT_NOT_PERFORMER},                             \
    {"tag", required_argument, NULL, 't'}, {"not-tag", required_argument, NULL, SH_CLI_FILTER_OPT_NOT_TAG},  \
    {"organized", required_argument, NULL, 'O'},                                                             \
    {"date-from", required_argument, NULL, SH_CLI_FILTER_OPT_DATE_FROM},                                     \
    {"date-to", required_argument, NULL, SH_CLI_FILTER_OPT_DATE_TO}, {"path", required_argument, NULL, 'P'}, \
    {"missing", required_argument, NULL, 'm'}, {"id", required_argument, NULL, 'i'},                         \
    {"where", required_argument, NULL, SH_CLI_FILTER_OPT_WHERE},                                             \
    {"filter", required_argument, NULL, SH_CLI_FILTER_OPT_SAVED}

#define SH_CLI_FILTER_HELP                                                                                   \
    "  filters (all given must match):\n"                                                                    \
    "  -q, --query TEXT          words in title, details, paths, names, code (prefix match, all words)\n"   \
    "  -s, --studio ID[,ID]      any of these studios (repeatable)\n"                                       \
    "  -p, --performer ID[,ID]   all of these performers (repeatable)\n"                                    \
    "      --not-performer ID    none of these performers\n"                                                \
    "  -t, --tag ID[,ID]         all of these tags (repeatable)\n"                                          \
    "      --not-tag ID          none of these tags\n"                                                      \
    "  -O, --organized yes|no\n"                                                                              \
    "      --date-from DATE      YYYY[-MM[-DD]], inclusive\n"                                               \
    "      --date-to DATE        YYYY[-MM[-DD]], inclusive (a year or month covers all of it)\n"            \
    "  -P, --path TEXT           a file path contains TEXT\n"                                               \
    "  -m, --missing FIELD       studio, performers, tags, date, title, details or code (repeatable)\n"     \
    "  -i, --id ID[,ID]          only these scenes\n"                                                       \
    "      --where EXPR          advanced filter (see filters save --help):\n"                              \
    "                            'studio = 12 and (tag = 3 or not performer = 7) and title ~ \"beach\"'\n"  \
    "      --filter NAME         a saved filter (filters list)\n"

typedef struct sh_cli_idlist {
    int64_t *v;
    size_t n, cap;
} sh_cli_idlist;

typedef struct sh_cli_filter_opts {
    Stashhog__SceneFilter f; /* scalars; strings borrow argv */
    sh_cli_idlist studios, performers, not_performers, tags, not_tags, ids;
    Stashhog__MissingField missing[STASHHOG__MISSING_FIELD__MISSING_CODE + 1];
    size_t n_missing;
    sh_arena *arena; /* the --where tree */
} sh_cli_filter_opts;

void sh_cli_filter_opts_init(sh_cli_filter_opts *fo);
/* 1: c was a filter option, taken; 0: not a filter option; -1: a bad
 * value, already reported through sh_cli_fail (usage error). */
int sh_cli_filter_opts_handle(struct sh_cli *cli, sh_cli_filter_opts *fo, int c, const char *arg);
/* Fills *out from the options given; out borrows fo (and argv). */
void sh_cli_filter_opts_build(sh_cli_filter_opts *fo, Stashhog__SceneFilter *out);
void sh_cli_filter_opts_fini(sh_cli_filter_opts *fo);

/* A comma-separated / repeated list of positive ids ("--change 1,2 --change 3"). */
bool sh_cli_idlist_add(struct sh_cli *cli, sh_cli_idlist *l, const char *what, const char *arg);

#endif
