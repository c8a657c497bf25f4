#include "db/sql-buf.h"

#include <stdlib.h>
#include <string.h>

#include "sh-util.h"

void sh_sqlbuf_put(sh_sqlbuf *q, const char *frag)
{
    size_t n = strlen(frag);
    if (q->oom)
        return;
    if (q->len + n + 1 > q->cap) {
        size_t cap = q->cap ? q->cap : 512;
        while (cap < q->len + n + 1)
            cap *= 2;
        char *p = realloc(q->sql, cap);
        if (!p) {
            q->oom = true;
            return;
        }
        q->sql = p;
        q->cap = cap;
    }
    memcpy(q->sql + q->len, frag, n + 1);
    q->len += n;
}

static sh_sqlbind *next_bind(sh_sqlbuf *q)
{
    if (q->oom)
        return NULL;
    if (q->n_binds == q->cap_binds) {
        int cap = q->cap_binds ? q->cap_binds * 2 : 16;
        sh_sqlbind *p = realloc(q->binds, (size_t)cap * sizeof *p);
        if (!p) {
            q->oom = true;
            return NULL;
        }
        q->binds = p;
        q->cap_binds = cap;
    }
    sh_sqlbind *b = &q->binds[q->n_binds++];
    memset(b, 0, sizeof *b);
    return b;
}

void sh_sqlbuf_bind_int(sh_sqlbuf *q, int64_t v)
{
    sh_sqlbind *b = next_bind(q);
    if (b)
        b->i = v;
}

void sh_sqlbuf_bind_real(sh_sqlbuf *q, double v)
{
    sh_sqlbind *b = next_bind(q);
    if (b) {
        b->kind = SH_SQLBIND_REAL;
        b->d = v;
    }
}

void sh_sqlbuf_bind_text(sh_sqlbuf *q, const char *text)
{
    sh_sqlbind *b = next_bind(q);
    if (!b)
        return;
    b->kind = SH_SQLBIND_TEXT;
    if (!(b->text = strdup(text)))
        q->oom = true;
}

void sh_sqlbuf_free(sh_sqlbuf *q)
{
    for (int i = 0; i < q->n_binds; i++)
        free(q->binds[i].text);
    free(q->binds);
    free(q->sql);
    memset(q, 0, sizeof *q);
}

sh_status sh_sqlbuf_prepare(sh_db *db, const sh_sqlbuf *q, const char *prefix, sqlite3_stmt **out, sh_error *err)
{
    *out = NULL;
    if (q->oom || !q->sql)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st;
    if (prefix) {
        char *sql = sh_strdup_printf("%s%s", prefix, q->sql);
        if (!sql)
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        st = sh_db_prepare_once(db, sql, out, err);
        free(sql);
    } else {
        st = sh_db_prepare_once(db, q->sql, out, err);
    }
    if (st != SH_OK)
        return st;
    for (int i = 0; i < q->n_binds; i++) {
        const sh_sqlbind *b = &q->binds[i];
        int rc = b->kind == SH_SQLBIND_TEXT   ? sqlite3_bind_text(*out, i + 1, b->text, -1, SQLITE_TRANSIENT)
                 : b->kind == SH_SQLBIND_REAL ? sqlite3_bind_double(*out, i + 1, b->d)
                                              : sqlite3_bind_int64(*out, i + 1, b->i);
        if (rc != SQLITE_OK) {
            st = sh_db_fail(db, "bind", err);
            sqlite3_finalize(*out);
            *out = NULL;
            return st;
        }
    }
    return SH_OK;
}
