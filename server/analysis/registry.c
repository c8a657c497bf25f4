/* registry.c - the analyzer registry, option defaults and sh_an_run().
 *
 * A registry is filled once (built-ins plus any plugged-in analyzers) and
 * then only read, so it is shared across worker threads without locks. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/an-internal.h"

static const char *const field_names[SH_AN_FIELD_COUNT_] = {
    "studio", "performers", "tags", "title", "date", "code", "details",
};

const char *sh_an_field_name(sh_an_field field)
{
    return (unsigned)field < SH_AN_FIELD_COUNT_ ? field_names[field] : "unknown";
}

int sh_an_field_parse(const char *name)
{
    for (int i = 0; name && i < SH_AN_FIELD_COUNT_; i++)
        if (strcmp(name, field_names[i]) == 0)
            return i;
    return -1;
}

bool sh_an_field_is_entity(sh_an_field field)
{
    return field == SH_AN_FIELD_STUDIO || field == SH_AN_FIELD_PERFORMERS ||
           field == SH_AN_FIELD_TAGS;
}

void sh_an_options_init(sh_an_options *options)
{
    memset(options, 0, sizeof *options);
    options->fields = SH_AN_FIELDS_ALL;
}

int64_t an_now(const sh_an_options *options)
{
    return options && options->now > 0 ? options->now : (int64_t)time(NULL);
}

bool an_str_unset(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

double an_clamp01(double v)
{
    return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
}

bool an_ids_contain(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; ids && i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

static const sh_an_analyzer builtins[] = {
    {"studio", SH_AN_FIELD_BIT(SH_AN_FIELD_STUDIO), an_studio_analyze, NULL},
    {"performers", SH_AN_FIELD_BIT(SH_AN_FIELD_PERFORMERS), an_performers_analyze, NULL},
    {"date", SH_AN_FIELD_BIT(SH_AN_FIELD_DATE), an_date_analyze, NULL},
    {"title", SH_AN_FIELD_BIT(SH_AN_FIELD_TITLE), an_title_analyze, NULL},
    {"code", SH_AN_FIELD_BIT(SH_AN_FIELD_CODE), an_code_analyze, NULL},
    {"details", SH_AN_FIELD_BIT(SH_AN_FIELD_DETAILS), an_details_analyze, NULL},
    {"tech-tags", SH_AN_FIELD_BIT(SH_AN_FIELD_TAGS), an_tags_analyze, NULL},
};

const sh_an_analyzer *sh_an_builtin_analyzers(size_t *count)
{
    if (count)
        *count = sizeof builtins / sizeof builtins[0];
    return builtins;
}

struct sh_an_registry {
    sh_an_analyzer *items;
    size_t n, cap;
};

sh_status sh_an_registry_create(sh_an_registry **out, sh_error *err)
{
    if (!out)
        return sh_error_set(err, SH_ERR_INVALID, "sh_an_registry_create: out is NULL");
    *out = calloc(1, sizeof **out);
    if (!*out)
        return sh_error_set(err, SH_ERR_NOMEM, "analyzer registry: out of memory");
    return SH_OK;
}

void sh_an_registry_destroy(sh_an_registry *registry)
{
    if (!registry)
        return;
    free(registry->items);
    free(registry);
}

sh_status sh_an_registry_add(sh_an_registry *registry, const sh_an_analyzer *analyzer,
                             sh_error *err)
{
    if (!registry || !analyzer || !analyzer->name || !analyzer->name[0] || !analyzer->analyze)
        return sh_error_set(err, SH_ERR_INVALID, "analyzer needs a name and a function");
    if (sh_an_registry_find(registry, analyzer->name))
        return sh_error_set(err, SH_ERR_CONFLICT, "analyzer '%s' is already registered",
                            analyzer->name);
    if (registry->n == registry->cap) {
        size_t cap = registry->cap ? registry->cap * 2 : 8;
        sh_an_analyzer *p = realloc(registry->items, cap * sizeof *p);
        if (!p)
            return sh_error_set(err, SH_ERR_NOMEM, "analyzer registry: out of memory");
        registry->items = p;
        registry->cap = cap;
    }
    registry->items[registry->n++] = *analyzer;
    return SH_OK;
}

sh_status sh_an_registry_add_builtins(sh_an_registry *registry, sh_error *err)
{
    size_t n;
    const sh_an_analyzer *b = sh_an_builtin_analyzers(&n);
    for (size_t i = 0; i < n; i++) {
        sh_status st = sh_an_registry_add(registry, &b[i], err);
        if (st != SH_OK)
            return st;
    }
    return SH_OK;
}

size_t sh_an_registry_count(const sh_an_registry *registry)
{
    return registry ? registry->n : 0;
}

const sh_an_analyzer *sh_an_registry_get(const sh_an_registry *registry, size_t i)
{
    return registry && i < registry->n ? &registry->items[i] : NULL;
}

const sh_an_analyzer *sh_an_registry_find(const sh_an_registry *registry, const char *name)
{
    for (size_t i = 0; registry && name && i < registry->n; i++)
        if (strcmp(registry->items[i].name, name) == 0)
            return &registry->items[i];
    return NULL;
}

static bool enabled(const sh_an_options *o, const sh_an_analyzer *a)
{
    if (!o->analyzers)
        return true;
    for (size_t i = 0; i < o->n_analyzers; i++)
        if (o->analyzers[i] && strcmp(o->analyzers[i], a->name) == 0)
            return true;
    return false;
}

sh_status sh_an_run(const sh_an_registry *registry, const sh_an_index *index,
                    const sh_an_scene *scene, const sh_an_options *options, sh_an_results *results,
                    sh_error *err)
{
    if (!registry || !index || !scene || !results)
        return sh_error_set(err, SH_ERR_INVALID, "sh_an_run: NULL argument");
    if (scene->n_files && !scene->files)
        return sh_error_set(err, SH_ERR_INVALID, "scene %lld: NULL files", (long long)scene->id);
    sh_an_options defaults;
    if (!options) {
        sh_an_options_init(&defaults);
        options = &defaults;
    }
    for (size_t i = 0; options->analyzers && i < options->n_analyzers; i++)
        if (!sh_an_registry_find(registry, options->analyzers[i]))
            return sh_error_set(err, SH_ERR_NOT_FOUND, "unknown analyzer '%s'",
                                options->analyzers[i] ? options->analyzers[i] : "(null)");
    if (scene->organized && !options->include_organized)
        return SH_OK; /* the user marked it done: leave it alone */
    unsigned fields = options->fields ? options->fields : SH_AN_FIELDS_ALL;
    for (size_t i = 0; i < registry->n; i++) {
        const sh_an_analyzer *a = &registry->items[i];
        if (!(a->fields & fields) || !enabled(options, a))
            continue;
        size_t before = sh_an_results_count(results);
        sh_status st = a->analyze(a, index, scene, options, results, err);
        if (st != SH_OK) {
            sh_error_prefix(err, "analyzer %s", a->name);
            return st;
        }
        an_results_filter(results, before, fields, options->min_confidence);
    }
    return SH_OK;
}
