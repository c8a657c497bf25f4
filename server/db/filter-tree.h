/* filter-tree.h - the advanced filter (SceneFilter.where): a typed tree of
 * AND/OR/NOT over scene conditions, compiled into one parenthesized SQL
 * condition on the scenes alias "s" for scene-query.c.
 *
 * Every field/operator pair maps to one fixed SQL fragment; every value is
 * bound.  Semantics are two-valued: a condition on an unset field is false
 * (except "is null"), and NOT / != of it is true (NOT compiles to
 * "(x) IS NOT 1", so SQL NULLs never leak through a negation).
 *
 * Validation checks the shape (depth, node count, list and text sizes) and
 * the types (which operators and value kinds each field takes); its errors
 * name the offending node by its path, e.g. "where.all[2].not.cond". */
#ifndef SH_DB_FILTER_TREE_H
#define SH_DB_FILTER_TREE_H

#include "db/sql-buf.h"
#include "sh-error.h"
#include "stashhog.pb-c.h"

#define SH_FILTER_TREE_MAX_DEPTH 32   /* nested nodes, the root included */
#define SH_FILTER_TREE_MAX_NODES 256  /* nodes in the whole tree */
#define SH_FILTER_TREE_MAX_IDS 100000 /* ids in one "in" list */
#define SH_FILTER_TREE_MAX_TEXT 1024  /* bytes of one text value */

/* Check a tree without touching the database. */
sh_status sh_filter_tree_validate(const Stashhog__FilterNode *root, sh_error *err);

/* Append "(condition)" for a validated tree to q.  Validates again (cheap)
 * so an unchecked tree can never produce SQL. */
sh_status sh_filter_tree_compile(const Stashhog__FilterNode *root, sh_sqlbuf *q, sh_error *err);

/* Names used in error messages ("title", "performer_count"; "=", "contains"). */
const char *sh_filter_field_name(Stashhog__FilterField field);
const char *sh_filter_op_name(Stashhog__FilterOp op);

#endif
