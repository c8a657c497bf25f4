/* sh-filter-expr.h - the human syntax of an advanced filter (--where), parsed
 * by recursive descent into the protocol's typed FilterNode tree:
 *
 *   expr   := and { ("or" | "||") and }
 *   and    := unary { ("and" | "&&") unary }
 *   unary  := ("not" | "!") unary | "(" expr ")" | FIELD test
 *   test   := ("=" | "!=" | "<" | "<=" | ">" | ">=") VALUE
 *           | ("~" | "contains") VALUE | ("^=" | "starts_with") VALUE
 *           | "matches" VALUE | "in" "(" VALUE { "," VALUE } ")"
 *           | "is" ["not"] ("null" | "missing" | "empty")
 *
 * Keywords and fields are case-insensitive; VALUE is a bare word (12,
 * 2023-01-01, true) or a quoted string ("a \"b\"", 'c').  A chain of the
 * same operator becomes one group, so the tree stays shallow.  Values are
 * checked against the field's type here, so errors can point at a column;
 * the daemon checks again.  Shared by stashhogctl (--where) and stashhog-gtk
 * (the Advanced… entry) so both accept exactly the same text. */
#ifndef SH_FILTER_EXPR_H
#define SH_FILTER_EXPR_H

#include <stdbool.h>

#include "sh-util.h"
#include "stashhog.pb-c.h"

typedef struct sh_filter_expr_error {
    int column; /* 1-based byte column of the problem */
    char message[200];
} sh_filter_expr_error;

/* The tree, allocated from arena; NULL with *e filled on a syntax or type error. */
Stashhog__FilterNode *sh_filter_expr_parse(const char *text, sh_arena *arena, sh_filter_expr_error *e);

#endif
