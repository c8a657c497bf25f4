/* results.c - the proposal list an analysis run appends to.  Strings and
 * item arrays live in one arena per results object, freed on clear. */
#include <stdlib.h>
#include <string.h>

#include "analysis/an-internal.h"

struct sh_an_results {
    sh_arena *arena;
    sh_an_proposal *props;
    size_t n, cap;
};

sh_status sh_an_results_create(sh_an_results **out, sh_error *err)
{
    if (!out)
        return sh_error_set(err, SH_ERR_INVALID, "sh_an_results_create: out is NULL");
    *out = calloc(1, sizeof **out);
    if (!*out)
        return sh_error_set(err, SH_ERR_NOMEM, "analysis results: out of memory");
    return SH_OK;
}

void sh_an_results_clear(sh_an_results *results)
{
    if (!results)
        return;
    sh_arena_destroy(results->arena);
    results->arena = NULL;
    results->n = 0;
}

void sh_an_results_destroy(sh_an_results *results)
{
    if (!results)
        return;
    sh_an_results_clear(results);
    free(results->props);
    free(results);
}

size_t sh_an_results_count(const sh_an_results *results)
{
    return results ? results->n : 0;
}

const sh_an_proposal *sh_an_results_get(const sh_an_results *results, size_t i)
{
    return results && i < results->n ? &results->props[i] : NULL;
}

const sh_an_proposal *sh_an_results_find(const sh_an_results *results, sh_an_field field)
{
    for (size_t i = 0; results && i < results->n; i++)
        if (results->props[i].field == field)
            return &results->props[i];
    return NULL;
}

static sh_an_proposal *new_proposal(sh_an_results *r, sh_error *err)
{
    if (!r->arena && !(r->arena = sh_arena_create())) {
        sh_error_set(err, SH_ERR_NOMEM, "analysis results: out of memory");
        return NULL;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        sh_an_proposal *p = realloc(r->props, cap * sizeof *p);
        if (!p) {
            sh_error_set(err, SH_ERR_NOMEM, "analysis results: out of memory");
            return NULL;
        }
        r->props = p;
        r->cap = cap;
    }
    sh_an_proposal *p = &r->props[r->n];
    memset(p, 0, sizeof *p);
    return p;
}

static bool field_ok(sh_an_field field)
{
    return (unsigned)field < SH_AN_FIELD_COUNT_;
}

/* "reason one; reason two" in the arena, or NULL on OOM. */
static char *join_reasons(sh_arena *a, const sh_an_item *items, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i].reason) + 2;
    char *out = sh_arena_alloc(a, len);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i) {
            memcpy(out + o, "; ", 2);
            o += 2;
        }
        size_t l = strlen(items[i].reason);
        memcpy(out + o, items[i].reason, l);
        o += l;
    }
    out[o] = '\0';
    return out;
}

sh_status sh_an_results_add_text(sh_an_results *results, sh_an_field field, const char *analyzer,
                                 const char *text, double confidence, const char *reason,
                                 sh_error *err)
{
    if (!results || !field_ok(field) || sh_an_field_is_entity(field) || !text)
        return sh_error_set(err, SH_ERR_INVALID, "add_text: bad arguments");
    sh_an_proposal *p = new_proposal(results, err);
    if (!p)
        return SH_ERR_NOMEM;
    p->field = field;
    p->analyzer = sh_arena_strdup(results->arena, analyzer ? analyzer : "");
    p->text = sh_arena_strdup(results->arena, text);
    p->reason = sh_arena_strdup(results->arena, reason ? reason : "");
    p->confidence = an_clamp01(confidence);
    if (!p->analyzer || !p->text || !p->reason)
        return sh_error_set(err, SH_ERR_NOMEM, "analysis results: out of memory");
    results->n++;
    return SH_OK;
}

sh_status sh_an_results_add_items(sh_an_results *results, sh_an_field field, const char *analyzer,
                                  const sh_an_item *items, size_t n_items, sh_error *err)
{
    if (!results || !field_ok(field) || !sh_an_field_is_entity(field) || !items || !n_items ||
        (field == SH_AN_FIELD_STUDIO && n_items != 1))
        return sh_error_set(err, SH_ERR_INVALID, "add_items: bad arguments");
    sh_an_proposal *p = new_proposal(results, err);
    if (!p)
        return SH_ERR_NOMEM;
    sh_arena *a = results->arena;
    sh_an_item *copy = sh_arena_alloc(a, n_items * sizeof *copy);
    if (!copy)
        return sh_error_set(err, SH_ERR_NOMEM, "analysis results: out of memory");
    double min_conf = 1.0;
    for (size_t i = 0; i < n_items; i++) {
        if (!items[i].name || (!items[i].is_new && items[i].entity_id <= 0))
            return sh_error_set(err, SH_ERR_INVALID, "add_items: item %zu has no entity", i);
        copy[i] = items[i];
        copy[i].entity_id = items[i].is_new ? 0 : items[i].entity_id;
        copy[i].confidence = an_clamp01(items[i].confidence);
        copy[i].name = sh_arena_strdup(a, items[i].name);
        copy[i].reason = sh_arena_strdup(a, items[i].reason ? items[i].reason : "");
        if (!copy[i].name || !copy[i].reason)
            return sh_error_set(err, SH_ERR_NOMEM, "analysis results: out of memory");
        if (copy[i].confidence < min_conf)
            min_conf = copy[i].confidence;
    }
    char *reason = join_reasons(a, copy, n_items);
    if (!reason)
        return sh_error_set(err, SH_ERR_NOMEM, "analysis results: out of memory");
    p->field = field;
    p->analyzer = sh_arena_strdup(a, analyzer ? analyzer : "");
    if (!p->analyzer)
        return sh_error_set(err, SH_ERR_NOMEM, "analysis results: out of memory");
    p->items = copy;
    p->n_items = n_items;
    p->confidence = min_conf;
    p->reason = reason;
    results->n++;
    return SH_OK;
}

void an_results_filter(sh_an_results *r, size_t from, unsigned fields, double min_conf)
{
    size_t w = from;
    for (size_t i = from; i < r->n; i++) {
        sh_an_proposal p = r->props[i];
        if (!(fields & SH_AN_FIELD_BIT(p.field)))
            continue;
        if (p.n_items) {
            /* items were copied into the arena by us, so they are mutable */
            sh_an_item *items = (sh_an_item *)p.items;
            size_t m = 0;
            double min_c = 1.0;
            for (size_t j = 0; j < p.n_items; j++) {
                if (items[j].confidence < min_conf)
                    continue;
                items[m++] = items[j];
                if (items[j].confidence < min_c)
                    min_c = items[j].confidence;
            }
            if (!m)
                continue;
            if (m != p.n_items) {
                p.n_items = m;
                p.confidence = min_c;
                /* the joined reason now names dropped items: rebuild it */
                char *reason = join_reasons(r->arena, items, m);
                p.reason = reason ? reason : "";
            }
        } else if (p.confidence < min_conf) {
            continue;
        }
        r->props[w++] = p;
    }
    r->n = w;
}
