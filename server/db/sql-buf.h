/* sql-buf.h - dynamic but parameterized SQL: a growing text assembled only
 * from fixed fragments, and the values bound to its '?'s in order.  Used by
 * the scene filter compiler (scene-query.c, filter-tree.c); user values
 * never enter the text.
 *
 * Allocation failures are sticky: the builder records them in oom and turns
 * later calls into no-ops, so callers check once before preparing. */
#ifndef SH_DB_SQL_BUF_H
#define SH_DB_SQL_BUF_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "sh-error.h"

typedef enum sh_sqlbind_kind { SH_SQLBIND_INT, SH_SQLBIND_REAL, SH_SQLBIND_TEXT } sh_sqlbind_kind;

typedef struct sh_sqlbind {
    sh_sqlbind_kind kind;
    int64_t i;
    double d;
    char *text; /* owned */
} sh_sqlbind;

typedef struct sh_sqlbuf {
    char *sql;
    size_t len, cap;
    sh_sqlbind *binds;
    int n_binds, cap_binds;
    bool oom;
    bool where_open; /* for callers writing a WHERE: a condition has been written */
} sh_sqlbuf;

void sh_sqlbuf_put(sh_sqlbuf *q, const char *frag);
void sh_sqlbuf_bind_int(sh_sqlbuf *q, int64_t v);
void sh_sqlbuf_bind_real(sh_sqlbuf *q, double v);
void sh_sqlbuf_bind_text(sh_sqlbuf *q, const char *text); /* copies text */
void sh_sqlbuf_free(sh_sqlbuf *q);                        /* leaves an empty builder */

/* Prepare (uncached: the text varies with the filter's shape) prefix + sql
 * and bind every value.  Caller finalizes *out. */
sh_status sh_sqlbuf_prepare(sh_db *db, const sh_sqlbuf *q, const char *prefix, sqlite3_stmt **out, sh_error *err);

#endif
