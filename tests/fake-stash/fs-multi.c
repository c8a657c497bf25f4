/* fs-multi.c - MultiCriterionInput and HierarchicalMultiCriterionInput
 * ({value: [ID!], modifier, excludes: [ID!], depth}) as Stash applies them:
 * scene performers/tags/studios and a studio's parents.
 *
 *   INCLUDES      any of value (and none of excludes)
 *   INCLUDES_ALL  all of value (lists only; and none of excludes)
 *   EXCLUDES      none of value
 *   IS_NULL       no member / no studio;  NOT_NULL  at least one
 * With neither value nor excludes the criterion filters nothing, as in
 * Stash.  depth (hierarchical) counts sub-levels: the fake models no tag
 * hierarchy, so any depth is the tag itself; on studios only depth 0 (or
 * none) is modelled and anything else is an error, never ignored. */
#include "fs-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_id_array(const char *what, json_t *v, int64_t **out, size_t *n, char *err,
                          size_t errlen)
{
    *out = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v)) {
        snprintf(err, errlen, "%s: expected [ID!]", what);
        return -1;
    }
    int64_t *ids = fs_xcalloc(json_array_size(v) + 1, sizeof(*ids));
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        const char *s = json_string_value(x);
        char *end = NULL;
        long long id = json_is_integer(x) ? json_integer_value(x) : s ? strtoll(s, &end, 10) : 0;
        if (!json_is_integer(x) && (!s || !*s || *end)) {
            snprintf(err, errlen, "%s: invalid ID %s", what, s ? s : "(not a string)");
            free(ids);
            return -1;
        }
        ids[(*n)++] = id;
    }
    *out = ids;
    return 0;
}

int fs_multi_compile(const char *name, json_t *v, bool hierarchical, bool single, fs_multi *m,
                     char *err, size_t errlen)
{
    static const struct {
        const char *name;
        fs_multi_mod mod;
    } mods[] = {{"INCLUDES", FS_MULTI_INCLUDES}, {"INCLUDES_ALL", FS_MULTI_INCLUDES_ALL},
                {"EXCLUDES", FS_MULTI_EXCLUDES}, {"IS_NULL", FS_MULTI_IS_NULL},
                {"NOT_NULL", FS_MULTI_NOT_NULL}};
    memset(m, 0, sizeof(*m));
    if (!json_is_object(v)) {
        snprintf(err, errlen, "%s: expected {value, modifier}", name);
        return -1;
    }
    const char *mod = json_string_value(json_object_get(v, "modifier"));
    size_t k = 0;
    while (mod && k < sizeof(mods) / sizeof(mods[0]) && strcmp(mods[k].name, mod) != 0)
        k++;
    if (!mod || k == sizeof(mods) / sizeof(mods[0])) {
        snprintf(err, errlen, "fake-stash: modifier %s is not supported on %s", mod ? mod : "(none)",
                 name);
        return -1;
    }
    m->mod = mods[k].mod;
    if (single && m->mod == FS_MULTI_INCLUDES_ALL) {
        snprintf(err, errlen, "fake-stash: modifier INCLUDES_ALL is not supported on %s", name);
        return -1;
    }
    const char *key;
    json_t *x;
    json_object_foreach(v, key, x)
    {
        bool known = !strcmp(key, "value") || !strcmp(key, "modifier") || !strcmp(key, "excludes") ||
                     (hierarchical && !strcmp(key, "depth"));
        if (!known) {
            snprintf(err, errlen, "%s: unknown field '%s'", name, key);
            return -1;
        }
    }
    json_t *depth = json_object_get(v, "depth");
    if (depth && !json_is_null(depth)) {
        if (!json_is_integer(depth)) {
            snprintf(err, errlen, "%s.depth: expected Int", name);
            return -1;
        }
        if (single && json_integer_value(depth) != 0) {
            snprintf(err, errlen, "fake-stash: %s depth %lld is not modelled", name,
                     (long long)json_integer_value(depth));
            return -1;
        }
    }
    if (parse_id_array(name, json_object_get(v, "value"), &m->ids, &m->n, err, errlen) != 0)
        return -1;
    if (parse_id_array(name, json_object_get(v, "excludes"), &m->ex, &m->n_ex, err, errlen) != 0) {
        fs_multi_free(m);
        return -1;
    }
    return 0;
}

void fs_multi_free(fs_multi *m)
{
    free(m->ids);
    free(m->ex);
    m->ids = m->ex = NULL;
    m->n = m->n_ex = 0;
}

static bool in(const int64_t *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == id)
            return true;
    return false;
}

bool fs_multi_match_list(const fs_multi *m, const fs_idlist *l)
{
    if (m->mod == FS_MULTI_IS_NULL)
        return l->n == 0;
    if (m->mod == FS_MULTI_NOT_NULL)
        return l->n > 0;
    for (size_t i = 0; i < m->n_ex; i++)
        if (fs_idlist_contains(l, m->ex[i]))
            return false;
    if (m->n == 0)
        return true;
    size_t hits = 0;
    for (size_t i = 0; i < m->n; i++)
        hits += fs_idlist_contains(l, m->ids[i]);
    switch (m->mod) {
    case FS_MULTI_INCLUDES:
        return hits > 0;
    case FS_MULTI_INCLUDES_ALL:
        return hits == m->n;
    case FS_MULTI_EXCLUDES:
        return hits == 0;
    default:
        return false;
    }
}

bool fs_multi_match_one(const fs_multi *m, int64_t id)
{
    if (m->mod == FS_MULTI_IS_NULL)
        return id == 0;
    if (m->mod == FS_MULTI_NOT_NULL)
        return id != 0;
    if (id != 0 && in(m->ex, m->n_ex, id))
        return false;
    if (m->n == 0)
        return true;
    bool hit = id != 0 && in(m->ids, m->n, id);
    return m->mod == FS_MULTI_EXCLUDES ? !hit : hit;
}
