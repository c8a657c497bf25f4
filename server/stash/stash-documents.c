/* stash-documents.c - compose each operation with the fragments it needs.
 *
 * GraphQL servers reject a document that defines a fragment it never uses, so
 * a document cannot simply be "operation + all fragments".  Each operation's
 * document is its own text followed by the fragments reachable from it through
 * "...Name" spreads, each once.  The scan is a small lexer that skips comments
 * and strings, and ignores inline fragments ("... on Type", "... @dir"). */
#include <stdlib.h>
#include <string.h>

#include "stash/stash-client-private.h"

typedef struct cat_entry {
    char *name;
    char *document;
} cat_entry;

struct sh_stash_catalog {
    cat_entry *entries;
    size_t count;
};

typedef sh_status (*spread_fn)(const char *name, size_t len, void *user_data);

static int is_name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

static const char *skip_block_string(const char *p)
{
    /* p is just after the opening """ */
    while (*p) {
        if (p[0] == '\\' && p[1] == '"' && p[2] == '"' && p[3] == '"')
            p += 4;
        else if (p[0] == '"' && p[1] == '"' && p[2] == '"')
            return p + 3;
        else
            p++;
    }
    return p;
}

static const char *skip_string(const char *p)
{
    /* p is just after the opening quote; strings cannot span lines */
    while (*p && *p != '"' && *p != '\n') {
        if (*p == '\\' && p[1])
            p++;
        p++;
    }
    return *p == '"' ? p + 1 : p;
}

/* Calls fn for every named fragment spread in text, in order. */
static sh_status for_each_spread(const char *text, spread_fn fn, void *user_data)
{
    const char *p = text;
    while (*p) {
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
        } else if (*p == '"') {
            if (p[1] == '"' && p[2] == '"')
                p = skip_block_string(p + 3);
            else
                p = skip_string(p + 1);
        } else if (p[0] == '.' && p[1] == '.' && p[2] == '.') {
            p += 3;
            while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ',')
                p++;
            if (!is_name_start(*p))
                continue; /* inline fragment with directives only */
            const char *name = p;
            while (is_name_char(*p))
                p++;
            size_t len = (size_t)(p - name);
            if (len == 2 && memcmp(name, "on", 2) == 0)
                continue; /* inline fragment "... on Type" */
            sh_status rc = fn(name, len, user_data);
            if (rc != SH_OK)
                return rc;
        } else {
            p++;
        }
    }
    return SH_OK;
}

/* State of one composition: which fragments are in, in first-use order. */
typedef struct compose_state {
    const sh_stash_gql_source *frags;
    size_t n_frags;
    bool *included;
    size_t *order;
    size_t n_order;
    const char *op_name;
    const char *from; /* name of the text being scanned, for messages */
    sh_error *err;
} compose_state;

static sh_status add_spread(const char *name, size_t len, void *user_data)
{
    compose_state *st = user_data;
    for (size_t i = 0; i < st->n_frags; i++) {
        const char *fname = st->frags[i].name;
        if (strlen(fname) == len && memcmp(fname, name, len) == 0) {
            if (!st->included[i]) {
                st->included[i] = true;
                st->order[st->n_order++] = i;
            }
            return SH_OK;
        }
    }
    return sh_error_set(st->err, SH_ERR_INVALID, "operation %s: %s spreads unknown fragment %.*s",
                        st->op_name, st->from, (int)len, name);
}

static sh_status compose(const sh_stash_gql_source *op, const sh_stash_gql_source *frags,
                         size_t n_frags, char **out, sh_error *err)
{
    sh_status rc = SH_ERR_NOMEM;
    char *doc = NULL;
    compose_state st = {.frags = frags, .n_frags = n_frags, .op_name = op->name,
                        .from = op->name, .err = err};
    st.included = calloc(n_frags ? n_frags : 1, sizeof *st.included);
    st.order = calloc(n_frags ? n_frags : 1, sizeof *st.order);
    if (!st.included || !st.order) {
        sh_error_set(err, rc, "out of memory composing %s", op->name);
        goto out;
    }
    rc = for_each_spread(op->text, add_spread, &st);
    /* order grows while it is walked: a breadth-first closure */
    for (size_t k = 0; rc == SH_OK && k < st.n_order; k++) {
        st.from = frags[st.order[k]].name;
        rc = for_each_spread(frags[st.order[k]].text, add_spread, &st);
    }
    if (rc != SH_OK)
        goto out;

    size_t total = strlen(op->text) + 2;
    for (size_t k = 0; k < st.n_order; k++)
        total += strlen(frags[st.order[k]].text) + 2;
    doc = malloc(total);
    if (!doc) {
        rc = sh_error_set(err, SH_ERR_NOMEM, "out of memory composing %s", op->name);
        goto out;
    }
    size_t pos = 0;
    const char *part = op->text;
    for (size_t k = 0;; k++) {
        size_t len = strlen(part);
        memcpy(doc + pos, part, len);
        pos += len;
        if (len == 0 || part[len - 1] != '\n')
            doc[pos++] = '\n';
        if (k >= st.n_order)
            break;
        part = frags[st.order[k]].text;
    }
    doc[pos] = '\0';
    *out = doc;
    doc = NULL;
    rc = SH_OK;
out:
    free(doc);
    free(st.included);
    free(st.order);
    return rc;
}

static sh_status check_unique(const sh_stash_gql_source *src, size_t n, const char *kind,
                              sh_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!src[i].name || !src[i].text)
            return sh_error_set(err, SH_ERR_INVALID, "%s %zu has no name or text", kind, i);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(src[i].name, src[j].name) == 0)
                return sh_error_set(err, SH_ERR_INVALID, "duplicate %s %s", kind, src[i].name);
        }
    }
    return SH_OK;
}

sh_status sh_stash_catalog_create(const sh_stash_gql_source *ops, size_t n_ops,
                                  const sh_stash_gql_source *frags, size_t n_frags,
                                  sh_stash_catalog **out, sh_error *err)
{
    sh_status rc;
    *out = NULL;
    if ((rc = check_unique(ops, n_ops, "operation", err)) != SH_OK ||
        (rc = check_unique(frags, n_frags, "fragment", err)) != SH_OK)
        return rc;

    sh_stash_catalog *cat = calloc(1, sizeof *cat);
    if (!cat)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    cat->entries = calloc(n_ops ? n_ops : 1, sizeof *cat->entries);
    if (!cat->entries) {
        rc = sh_error_set(err, SH_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n_ops; i++) {
        cat_entry *e = &cat->entries[i];
        cat->count = i + 1; /* entry i is freed on failure from here on */
        e->name = strdup(ops[i].name);
        if (!e->name) {
            rc = sh_error_set(err, SH_ERR_NOMEM, "out of memory");
            goto fail;
        }
        rc = compose(&ops[i], frags, n_frags, &e->document, err);
        if (rc != SH_OK)
            goto fail;
    }
    *out = cat;
    return SH_OK;
fail:
    sh_stash_catalog_destroy(cat);
    return rc;
}

void sh_stash_catalog_destroy(sh_stash_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->count; i++) {
        free(cat->entries[i].name);
        free(cat->entries[i].document);
    }
    free(cat->entries);
    free(cat);
}

const char *sh_stash_catalog_document(const sh_stash_catalog *cat, const char *operation)
{
    if (!cat || !operation)
        return NULL;
    for (size_t i = 0; i < cat->count; i++) {
        if (strcmp(cat->entries[i].name, operation) == 0)
            return cat->entries[i].document;
    }
    return NULL;
}

size_t sh_stash_catalog_count(const sh_stash_catalog *cat)
{
    return cat ? cat->count : 0;
}

const char *sh_stash_catalog_name(const sh_stash_catalog *cat, size_t i)
{
    return cat && i < cat->count ? cat->entries[i].name : NULL;
}
