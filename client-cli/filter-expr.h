/* filter-expr.h - the CLI side of --where: the parser itself lives in
 * common/sh-filter-expr.h (shared with stashhog-gtk); this adds the
 * command-line error report. */
#ifndef SH_CLI_FILTER_EXPR_H
#define SH_CLI_FILTER_EXPR_H

#include <stdbool.h>

#include "sh-filter-expr.h"

/* For commands (cmd-filters.c): parse --where, or print the error with the
 * expression and a caret under the column and return false (usage error). */
struct sh_cli;
bool sh_cli_parse_where(struct sh_cli *cli, const char *text, sh_arena *arena, Stashhog__FilterNode **out);

#endif
