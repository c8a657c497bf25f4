/* fs-query.c - findScenes/findPerformers/findStudios/findTags semantics:
 * FindFilterType (q, page, per_page, sort, direction), object filters
 * compiled once per request (criteria ANDed, one AND/OR/NOT sub-filter),
 * sorting with a whitelist, and page slicing.
 *
 * Deliberate Stash behaviours: per_page defaults to 25 and is capped at
 * 1000; a negative per_page means "all" (refused on scenes, which the
 * project never does); without `sort` the order is by title/name with an
 * unstable tiebreak, so clients that page without sort see what they would
 * see on a real server. */
#include "fs-internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FS_DEFAULT_PER_PAGE 25
#define FS_MAX_PER_PAGE 1000

enum target { T_SCENE, T_PERFORMER, T_STUDIO, T_TAG };

enum field {
    F_ID,
    F_TITLE,
    F_CODE,
    F_DETAILS,
    F_PATH,
    F_CREATED,
    F_UPDATED,
    F_ORGANIZED,
    F_NAME,
    F_ALIASES,
    F_DISAMBIGUATION,
    F_IGNORE_AUTO_TAG,
    F_PERFORMERS,
    F_TAGS,
    F_STUDIOS,
    F_PARENTS,
};

/* CT_MULTI: MultiCriterionInput, CT_HMULTI: the hierarchical one (fs-multi.c). */
enum ctype { CT_INT, CT_STR, CT_TS, CT_BOOL, CT_MULTI, CT_HMULTI };

enum modifier {
    M_EQUALS,
    M_NOT_EQUALS,
    M_GREATER_THAN,
    M_LESS_THAN,
    M_IS_NULL,
    M_NOT_NULL,
    M_INCLUDES,
    M_EXCLUDES,
    M_BETWEEN,
    M_NOT_BETWEEN,
    M_COUNT
};

static const char *const modifier_names[M_COUNT] = {
    "EQUALS",  "NOT_EQUALS", "GREATER_THAN", "LESS_THAN", "IS_NULL",
    "NOT_NULL", "INCLUDES",  "EXCLUDES",     "BETWEEN",   "NOT_BETWEEN",
};

typedef struct field_def {
    const char *name;
    enum field field;
    enum ctype type;
    unsigned targets; /* bit per enum target */
} field_def;

#define TB(t) (1u << (t))
#define T_ENTITIES (TB(T_PERFORMER) | TB(T_STUDIO) | TB(T_TAG))

static const field_def field_defs[] = {
    {"id", F_ID, CT_INT, TB(T_SCENE)},
    {"title", F_TITLE, CT_STR, TB(T_SCENE)},
    {"code", F_CODE, CT_STR, TB(T_SCENE)},
    {"details", F_DETAILS, CT_STR, TB(T_SCENE)},
    {"path", F_PATH, CT_STR, TB(T_SCENE)},
    {"organized", F_ORGANIZED, CT_BOOL, TB(T_SCENE)},
    {"created_at", F_CREATED, CT_TS, TB(T_SCENE) | T_ENTITIES},
    {"updated_at", F_UPDATED, CT_TS, TB(T_SCENE) | T_ENTITIES},
    {"name", F_NAME, CT_STR, T_ENTITIES},
    {"aliases", F_ALIASES, CT_STR, T_ENTITIES},
    {"disambiguation", F_DISAMBIGUATION, CT_STR, TB(T_PERFORMER)},
    {"ignore_auto_tag", F_IGNORE_AUTO_TAG, CT_BOOL, T_ENTITIES},
    {"performers", F_PERFORMERS, CT_MULTI, TB(T_SCENE)},
    {"tags", F_TAGS, CT_HMULTI, TB(T_SCENE)},
    {"studios", F_STUDIOS, CT_HMULTI, TB(T_SCENE)},
    {"parents", F_PARENTS, CT_MULTI, TB(T_STUDIO)},
};

typedef struct crit {
    enum field field;
    enum ctype type;
    enum modifier mod;
    int64_t i1, i2;
    const char *s1, *s2; /* borrowed from the request's JSON */
    bool b;
    fs_multi multi; /* CT_MULTI, CT_HMULTI */
} crit;

typedef struct filt {
    crit *c;
    size_t n;
    struct filt *sub;
    enum { SUB_NONE, SUB_AND, SUB_OR, SUB_NOT } sub_kind;
} filt;

static void filt_free(filt *f)
{
    if (!f)
        return;
    filt_free(f->sub);
    for (size_t i = 0; i < f->n; i++)
        fs_multi_free(&f->c[i].multi);
    free(f->c);
    free(f);
}

static int parse_modifier(json_t *m, enum modifier *out)
{
    const char *s = json_string_value(m);
    for (int i = 0; s && i < M_COUNT; i++) {
        if (strcmp(s, modifier_names[i]) == 0) {
            *out = (enum modifier)i;
            return 0;
        }
    }
    return -1;
}

static bool modifier_allowed(enum ctype t, enum modifier m)
{
    switch (t) {
    case CT_INT:
        return m == M_EQUALS || m == M_NOT_EQUALS || m == M_GREATER_THAN || m == M_LESS_THAN ||
               m == M_BETWEEN || m == M_NOT_BETWEEN;
    case CT_TS:
        return m != M_INCLUDES && m != M_EXCLUDES;
    case CT_STR:
        return m == M_EQUALS || m == M_NOT_EQUALS || m == M_INCLUDES || m == M_EXCLUDES ||
               m == M_IS_NULL || m == M_NOT_NULL;
    case CT_BOOL:
    default:
        return false;
    }
}

static int parse_int_value(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    return -1;
}

/* One criterion object ({value, value2, modifier}) or a bare Boolean. */
static int compile_crit(const field_def *d, json_t *v, crit *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    c->field = d->field;
    c->type = d->type;
    if (d->type == CT_MULTI || d->type == CT_HMULTI)
        return fs_multi_compile(d->name, v, d->type == CT_HMULTI,
                                d->field == F_STUDIOS || d->field == F_PARENTS, &c->multi, err,
                                errlen);
    if (d->type == CT_BOOL) {
        if (!json_is_boolean(v)) {
            snprintf(err, errlen, "%s: expected Boolean", d->name);
            return -1;
        }
        c->b = json_is_true(v);
        return 0;
    }
    if (!json_is_object(v) || parse_modifier(json_object_get(v, "modifier"), &c->mod) != 0) {
        snprintf(err, errlen, "%s: expected {value, modifier} with a CriterionModifier", d->name);
        return -1;
    }
    if (!modifier_allowed(d->type, c->mod)) {
        snprintf(err, errlen, "fake-stash: modifier %s is not supported on %s",
                 modifier_names[c->mod], d->name);
        return -1;
    }
    json_t *v1 = json_object_get(v, "value"), *v2 = json_object_get(v, "value2");
    bool two = c->mod == M_BETWEEN || c->mod == M_NOT_BETWEEN;
    if (d->type == CT_INT) {
        if (parse_int_value(v1, &c->i1) != 0 || (two && parse_int_value(v2, &c->i2) != 0)) {
            snprintf(err, errlen, "%s: value%s must be Int", d->name, two ? "/value2" : "");
            return -1;
        }
    } else {
        c->s1 = json_string_value(v1);
        c->s2 = json_string_value(v2);
        bool need = c->mod != M_IS_NULL && c->mod != M_NOT_NULL;
        if ((need && !c->s1) || (two && !c->s2)) {
            snprintf(err, errlen, "%s: value%s must be String", d->name, two ? "/value2" : "");
            return -1;
        }
    }
    return 0;
}

static filt *compile_filter(json_t *obj, enum target t, int depth, char *err, size_t errlen)
{
    if (!json_is_object(obj)) {
        snprintf(err, errlen, "filter must be an input object");
        return NULL;
    }
    filt *f = fs_xcalloc(1, sizeof(*f));
    f->c = fs_xcalloc(json_object_size(obj), sizeof(*f->c));
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (json_is_null(v))
            continue;
        int sub = strcmp(key, "AND") == 0 ? SUB_AND
                  : strcmp(key, "OR") == 0 ? SUB_OR
                  : strcmp(key, "NOT") == 0 ? SUB_NOT
                                            : SUB_NONE;
        if (sub != SUB_NONE) {
            if (f->sub) {
                snprintf(err, errlen, "cannot specify more than one of AND, OR or NOT");
                goto fail;
            }
            if (depth > 16) {
                snprintf(err, errlen, "filter nested too deeply");
                goto fail;
            }
            f->sub = compile_filter(v, t, depth + 1, err, errlen);
            if (!f->sub)
                goto fail;
            f->sub_kind = sub;
            continue;
        }
        const field_def *d = NULL;
        for (size_t i = 0; i < sizeof(field_defs) / sizeof(field_defs[0]); i++)
            if (strcmp(field_defs[i].name, key) == 0 && (field_defs[i].targets & TB(t)))
                d = &field_defs[i];
        if (!d) {
            /* A real criterion the fake does not model must not be ignored
             * silently: the caller would get unfiltered results. */
            snprintf(err, errlen, "fake-stash: filter criterion '%s' is not supported", key);
            goto fail;
        }
        if (compile_crit(d, v, &f->c[f->n], err, errlen) != 0)
            goto fail;
        f->n++;
    }
    return f;
fail:
    filt_free(f);
    return NULL;
}

static bool match_int(const crit *c, int64_t x)
{
    switch (c->mod) {
    case M_EQUALS:
        return x == c->i1;
    case M_NOT_EQUALS:
        return x != c->i1;
    case M_GREATER_THAN:
        return x > c->i1;
    case M_LESS_THAN:
        return x < c->i1;
    case M_BETWEEN:
        return x >= c->i1 && x <= c->i2;
    case M_NOT_BETWEEN:
        return x < c->i1 || x > c->i2;
    default:
        return false;
    }
}

/* Timestamps compare as strings, as Stash's SQLite columns do. */
static bool match_ts(const crit *c, const char *x)
{
    switch (c->mod) {
    case M_EQUALS:
        return strcmp(x, c->s1) == 0;
    case M_NOT_EQUALS:
        return strcmp(x, c->s1) != 0;
    case M_GREATER_THAN:
        return strcmp(x, c->s1) > 0;
    case M_LESS_THAN:
        return strcmp(x, c->s1) < 0;
    case M_BETWEEN:
        return strcmp(x, c->s1) >= 0 && strcmp(x, c->s2) <= 0;
    case M_NOT_BETWEEN:
        return strcmp(x, c->s1) < 0 || strcmp(x, c->s2) > 0;
    case M_IS_NULL:
        return !*x;
    case M_NOT_NULL:
        return *x;
    default:
        return false;
    }
}

/* EQUALS is SQLite LIKE without wildcards: ASCII case-insensitive. */
static bool match_str(const crit *c, const char *x)
{
    switch (c->mod) {
    case M_EQUALS:
        return strcasecmp(x, c->s1) == 0;
    case M_NOT_EQUALS:
        return strcasecmp(x, c->s1) != 0;
    case M_INCLUDES:
        return strcasestr(x, c->s1) != NULL;
    case M_EXCLUDES:
        return strcasestr(x, c->s1) == NULL;
    case M_IS_NULL:
        return !*x;
    case M_NOT_NULL:
        return *x;
    default:
        return false;
    }
}

/* A list column (aliases, file paths) matches when any element does;
 * the negative modifiers need every element to pass. */
static bool match_str_list(const crit *c, char *const *v, size_t n, size_t stride)
{
    bool negative = c->mod == M_NOT_EQUALS || c->mod == M_EXCLUDES;
    if (c->mod == M_IS_NULL)
        return n == 0;
    if (c->mod == M_NOT_NULL)
        return n > 0;
    for (size_t i = 0; i < n; i++) {
        const char *x = *(char *const *)((const char *)v + i * stride);
        bool m = match_str(c, x);
        if (negative && !m)
            return false;
        if (!negative && m)
            return true;
    }
    return negative;
}

static bool match_scene_crit(const crit *c, const fs_scene *s)
{
    switch (c->field) {
    case F_ID:
        return match_int(c, s->id);
    case F_TITLE:
        return match_str(c, s->title);
    case F_CODE:
        return match_str(c, s->code);
    case F_DETAILS:
        return match_str(c, s->details);
    case F_PATH:
        return match_str_list(c, s->n_files ? &s->files[0].path : NULL, s->n_files,
                              sizeof(fs_file));
    case F_ORGANIZED:
        return s->organized == c->b;
    case F_CREATED:
        return match_ts(c, s->created_at);
    case F_UPDATED:
        return match_ts(c, s->updated_at);
    case F_PERFORMERS:
        return fs_multi_match_list(&c->multi, &s->performers);
    case F_TAGS:
        return fs_multi_match_list(&c->multi, &s->tags);
    case F_STUDIOS:
        return fs_multi_match_one(&c->multi, s->studio_id);
    default:
        return false; /* not a scene criterion: compile_filter refuses it */
    }
}

static bool match_entity_crit(const crit *c, const fs_entity *e)
{
    switch (c->field) {
    case F_CREATED:
        return match_ts(c, e->created_at);
    case F_UPDATED:
        return match_ts(c, e->updated_at);
    case F_NAME:
        return match_str(c, e->name);
    case F_ALIASES:
        return match_str_list(c, e->aliases.v, e->aliases.n, sizeof(char *));
    case F_DISAMBIGUATION:
        return match_str(c, e->disambiguation ? e->disambiguation : "");
    case F_IGNORE_AUTO_TAG:
        return e->ignore_auto_tag == c->b;
    case F_PARENTS:
        return fs_multi_match_one(&c->multi, e->parent_id);
    default:
        return false;
    }
}

/* Exactly one of s and e is set. */
static bool match_crit(const crit *c, const fs_scene *s, const fs_entity *e)
{
    if (s)
        return match_scene_crit(c, s);
    return e && match_entity_crit(c, e);
}

static bool match_filter(const filt *f, const fs_scene *s, const fs_entity *e)
{
    bool r = true;
    for (size_t i = 0; r && i < f->n; i++)
        r = match_crit(&f->c[i], s, e);
    if (!f->sub)
        return r;
    bool sub = match_filter(f->sub, s, e);
    switch (f->sub_kind) {
    case SUB_OR:
        /* {OR: X} alone means X, not "everything OR X". */
        return f->n ? (r || sub) : sub;
    case SUB_NOT:
        return r && !sub;
    case SUB_AND:
    default:
        return r && sub;
    }
}

static bool match_q(const char *q, const fs_scene *s, const fs_entity *e)
{
    if (!q || !*q)
        return true;
    if (s) {
        if (strcasestr(s->title, q) || strcasestr(s->details, q) || strcasestr(s->code, q))
            return true;
        for (size_t i = 0; i < s->n_files; i++)
            if (strcasestr(s->files[i].path, q))
                return true;
        return false;
    }
    if (strcasestr(e->name, q))
        return true;
    for (size_t i = 0; i < e->aliases.n; i++)
        if (strcasestr(e->aliases.v[i], q))
            return true;
    return false;
}

/* ---- FindFilterType ---- */

enum sort_key { S_DEFAULT, S_ID, S_UPDATED, S_CREATED, S_TITLE, S_PATH, S_DATE, S_NAME };

typedef struct find_opts {
    int64_t page;
    int64_t per_page;
    bool all;
    enum sort_key sort;
    bool desc;
    const char *q;
} find_opts;

static int parse_find_filter(json_t *ff, enum target t, find_opts *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    o->page = 1;
    o->per_page = FS_DEFAULT_PER_PAGE;
    if (!ff || json_is_null(ff))
        return 0;
    if (!json_is_object(ff)) {
        snprintf(err, errlen, "filter: expected FindFilterType");
        return -1;
    }
    json_t *pp = json_object_get(ff, "per_page"), *pg = json_object_get(ff, "page");
    if (pp && !json_is_null(pp)) {
        if (!json_is_integer(pp)) {
            snprintf(err, errlen, "filter.per_page: expected Int");
            return -1;
        }
        int64_t n = json_integer_value(pp);
        if (n < 0) {
            if (t == T_SCENE) {
                snprintf(err, errlen,
                         "fake-stash: per_page %lld (all) is refused on scenes; page with "
                         "per_page <= %d",
                         (long long)n, FS_MAX_PER_PAGE);
                return -1;
            }
            o->all = true;
        }
        o->per_page = n > FS_MAX_PER_PAGE ? FS_MAX_PER_PAGE : n;
    }
    if (pg && !json_is_null(pg)) {
        if (!json_is_integer(pg)) {
            snprintf(err, errlen, "filter.page: expected Int");
            return -1;
        }
        o->page = json_integer_value(pg) < 1 ? 1 : json_integer_value(pg);
    }
    o->q = json_string_value(json_object_get(ff, "q"));
    const char *dir = json_string_value(json_object_get(ff, "direction"));
    if (dir && strcmp(dir, "DESC") == 0)
        o->desc = true;
    else if (dir && strcmp(dir, "ASC") != 0) {
        snprintf(err, errlen, "filter.direction: expected ASC or DESC");
        return -1;
    }
    const char *sort = json_string_value(json_object_get(ff, "sort"));
    if (!sort)
        return 0;
    static const struct {
        const char *name;
        enum sort_key key;
        bool scene, entity;
    } sorts[] = {
        {"id", S_ID, true, true},           {"updated_at", S_UPDATED, true, true},
        {"created_at", S_CREATED, true, true}, {"title", S_TITLE, true, false},
        {"path", S_PATH, true, false},       {"date", S_DATE, true, false},
        {"name", S_NAME, false, true},
    };
    for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
        if (strcmp(sorts[i].name, sort) == 0 && (t == T_SCENE ? sorts[i].scene : sorts[i].entity)) {
            o->sort = sorts[i].key;
            return 0;
        }
    }
    snprintf(err, errlen, "invalid sort: %s", sort);
    return -1;
}

typedef struct sort_ctx {
    enum sort_key key;
    bool desc;
    uint64_t salt;
} sort_ctx;

static int cmp_str_nullable(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL); /* NULL first, as SQLite sorts */
    return strcmp(a, b);
}

/* The unstable tiebreak of an unsorted query: differs between requests. */
static uint64_t salted(int64_t id, uint64_t salt)
{
    uint64_t x = (uint64_t)id ^ salt;
    return fs_rand_next(&x);
}

static int tiebreak(int64_t ia, int64_t ib, const sort_ctx *sc)
{
    if (sc->salt) {
        uint64_t ha = salted(ia, sc->salt), hb = salted(ib, sc->salt);
        return ha < hb ? -1 : ha > hb;
    }
    return ia < ib ? -1 : ia > ib;
}

static int cmp_scenes(const void *pa, const void *pb, void *arg)
{
    const sort_ctx *sc = arg;
    const fs_scene *a = *(const fs_scene *const *)pa, *b = *(const fs_scene *const *)pb;
    int c = 0;
    switch (sc->key) {
    case S_UPDATED:
        c = strcmp(a->updated_at, b->updated_at);
        break;
    case S_CREATED:
        c = strcmp(a->created_at, b->created_at);
        break;
    case S_DEFAULT:
    case S_TITLE:
        c = strcasecmp(a->title, b->title);
        break;
    case S_PATH:
        c = strcmp(fs_scene_path(a), fs_scene_path(b));
        break;
    case S_DATE:
        c = cmp_str_nullable(a->date, b->date);
        break;
    default:
        break;
    }
    if (c == 0)
        c = tiebreak(a->id, b->id, sc);
    return sc->desc ? -c : c;
}

static int cmp_entities(const void *pa, const void *pb, void *arg)
{
    const sort_ctx *sc = arg;
    const fs_entity *a = *(const fs_entity *const *)pa, *b = *(const fs_entity *const *)pb;
    int c = 0;
    switch (sc->key) {
    case S_UPDATED:
        c = strcmp(a->updated_at, b->updated_at);
        break;
    case S_CREATED:
        c = strcmp(a->created_at, b->created_at);
        break;
    case S_DEFAULT:
    case S_NAME:
        c = strcasecmp(a->name, b->name);
        break;
    default:
        break;
    }
    if (c == 0)
        c = tiebreak(a->id, b->id, sc);
    return sc->desc ? -c : c;
}

/* ---- collecting, sorting and slicing ---- */

/* The `ids` argument as a sorted, de-duplicated id array. */
static int parse_ids(json_t *ids, int64_t **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    if (!ids || json_is_null(ids))
        return 0;
    if (!json_is_array(ids)) {
        snprintf(err, errlen, "ids: expected [ID!]");
        return -1;
    }
    int64_t *v = fs_xcalloc(json_array_size(ids), sizeof(*v));
    size_t k = 0, i;
    json_t *x;
    json_array_foreach(ids, i, x)
    {
        char *end = NULL;
        const char *s = json_string_value(x);
        if (json_is_integer(x)) {
            v[k++] = json_integer_value(x);
            continue;
        }
        long long id = s ? strtoll(s, &end, 10) : 0;
        if (!s || !*s || *end) {
            /* Stash fails to convert a non-numeric ID */
            snprintf(err, errlen, "ids: invalid ID %s", s ? s : "(not a string)");
            free(v);
            return -1;
        }
        v[k++] = id;
    }
    for (size_t a = 1; a < k; a++) { /* insertion sort: id lists are short */
        int64_t key = v[a];
        size_t b = a;
        while (b > 0 && v[b - 1] > key) {
            v[b] = v[b - 1];
            b--;
        }
        v[b] = key;
    }
    size_t w = 0;
    for (size_t a = 0; a < k; a++)
        if (w == 0 || v[w - 1] != v[a])
            v[w++] = v[a];
    *out = v;
    *n = w;
    return 0;
}

static atomic_uint_fast64_t salt_counter = 1;

typedef struct collected {
    const void **items;
    size_t n;
} collected;

/* Filter, sort and slice; returns the page [start, end) of all matches. */
static int run_query(const fs_table *t, enum target tgt, json_t *filter, json_t *object_filter,
                     json_t *ids, collected *out, size_t *count, size_t *start, size_t *end,
                     char *err, size_t errlen)
{
    find_opts o;
    filt *f = NULL;
    int64_t *idv = NULL;
    size_t n_ids = 0;
    memset(out, 0, sizeof(*out));
    if (parse_find_filter(filter, tgt, &o, err, errlen) != 0)
        return -1;
    if (object_filter && !json_is_null(object_filter)) {
        f = compile_filter(object_filter, tgt, 0, err, errlen);
        if (!f)
            return -1;
    }
    if (parse_ids(ids, &idv, &n_ids, err, errlen) != 0) {
        filt_free(f);
        return -1;
    }
    size_t cap = idv ? n_ids : t->count;
    out->items = fs_xcalloc(cap ? cap : 1, sizeof(*out->items));
    int64_t last = idv ? (int64_t)n_ids : t->max_id;
    for (int64_t k = idv ? 0 : 1; idv ? k < last : k <= last; k++) {
        const void *item = fs_table_get(t, idv ? idv[k] : k);
        if (!item)
            continue;
        const fs_scene *s = tgt == T_SCENE ? item : NULL;
        const fs_entity *e = tgt == T_SCENE ? NULL : item;
        if (f && !match_filter(f, s, e))
            continue;
        if (!match_q(o.q, s, e))
            continue;
        out->items[out->n++] = item;
    }
    free(idv);
    filt_free(f);

    /* items are collected in ascending id order already */
    if (o.sort != S_ID) {
        sort_ctx sc = {.key = o.sort, .desc = o.desc, .salt = 0};
        if (o.sort == S_DEFAULT) {
            uint64_t seed = atomic_fetch_add(&salt_counter, 1);
            sc.salt = fs_rand_next(&seed) | 1;
        }
        qsort_r(out->items, out->n, sizeof(*out->items), tgt == T_SCENE ? cmp_scenes : cmp_entities,
                &sc);
    } else if (o.desc) {
        for (size_t a = 0, b = out->n; a + 1 < b; a++, b--) {
            const void *tmp = out->items[a];
            out->items[a] = out->items[b - 1];
            out->items[b - 1] = tmp;
        }
    }
    *count = out->n;
    if (o.all) {
        *start = 0;
        *end = out->n;
    } else {
        uint64_t off = (uint64_t)(o.page - 1) * (uint64_t)o.per_page;
        *start = off > out->n ? out->n : (size_t)off;
        *end = *start + (size_t)o.per_page > out->n ? out->n : *start + (size_t)o.per_page;
    }
    return 0;
}

json_t *fs_query_scenes(const fs_library *lib, json_t *filter, json_t *scene_filter,
                        json_t *ids, bool ids_only, char *err, size_t errlen)
{
    collected c;
    size_t count, start, end;
    if (run_query(&lib->scenes, T_SCENE, filter, scene_filter, ids, &c, &count, &start, &end,
                  err, errlen) != 0)
        return NULL;
    json_t *arr = json_array();
    for (size_t i = start; i < end; i++) {
        const fs_scene *s = c.items[i];
        if (ids_only) {
            char buf[24];
            snprintf(buf, sizeof(buf), "%lld", (long long)s->id);
            json_array_append_new(arr, json_pack("{s:s}", "id", buf));
        } else {
            json_array_append_new(arr, fs_scene_json(s));
        }
    }
    free(c.items);
    return json_pack("{s:I,s:o}", "count", (json_int_t)count, "scenes", arr);
}

json_t *fs_query_entities(const fs_library *lib, fs_kind kind, json_t *filter,
                          json_t *entity_filter, json_t *ids, char *err, size_t errlen)
{
    static const enum target targets[FS_KIND_COUNT] = {T_PERFORMER, T_STUDIO, T_TAG};
    static const char *const keys[FS_KIND_COUNT] = {"performers", "studios", "tags"};
    collected c;
    size_t count, start, end;
    if (run_query(&lib->entities[kind], targets[kind], filter, entity_filter, ids, &c, &count,
                  &start, &end, err, errlen) != 0)
        return NULL;
    json_t *arr = json_array();
    for (size_t i = start; i < end; i++)
        json_array_append_new(arr, fs_entity_json(c.items[i]));
    free(c.items);
    return json_pack("{s:I,s:o}", "count", (json_int_t)count, keys[kind], arr);
}
