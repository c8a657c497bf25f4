/* plugin-set.c - the plugins of one analysis job: loaded from plugins_dir
 * at the job's start (so edits apply to the next job without a restart),
 * selected by name, run batch by batch, reported in the job's result.
 *
 * A plugin that fails (broken .conf, crash, hang, garbage) is marked
 * failed and skipped for the rest of the job: one bad plugin costs its
 * own part of the analysis, never the other analyzers' or the daemon. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/plugin-internal.h"
#include "sh-log.h"
#include "sh-util.h"

#define LOG "plugin"
#define DIR_ENTRY "(plugins_dir)"

typedef struct entry {
    char name[SH_AN_PLUGIN_NAME_MAX + 16];
    sh_an_plugin *plugin; /* NULL when its .conf did not load */
    bool registered; /* its adapter is in the job's registry */
    bool selected;
    bool failed;
    char error[SH_ERROR_MSG_MAX];
    sh_an_plugin_stats stats;
} entry;

struct sh_an_plugin_set {
    entry *v;
    size_t n, cap;
    const char **heuristics; /* selected non-plugin analyzer names */
    size_t n_heuristics;
};

static entry *add_entry(sh_an_plugin_set *set)
{
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        entry *v = realloc(set->v, cap * sizeof *v);
        if (!v)
            return NULL;
        set->v = v;
        set->cap = cap;
    }
    entry *e = &set->v[set->n++];
    memset(e, 0, sizeof *e);
    return e;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static sh_status load_files(sh_an_plugin_set *set, const char *dir, sh_error *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        entry *e = add_entry(set);
        if (!e)
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        snprintf(e->name, sizeof e->name, DIR_ENTRY);
        e->failed = e->selected = true;
        snprintf(e->error, sizeof e->error, "cannot read plugins_dir %s: %s", dir, strerror(errno));
        sh_warn(LOG, "%s", e->error);
        return SH_OK;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    sh_status st = SH_OK;
    for (struct dirent *de = readdir(d); de && st == SH_OK; de = readdir(d)) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(names, cap * sizeof *grown);
            if (!grown) {
                st = sh_error_set(err, SH_ERR_NOMEM, NULL);
                break;
            }
            names = grown;
        }
        if (!(names[n] = strdup(de->d_name)))
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        else
            n++;
    }
    closedir(d);
    /* Sorted: the run order of plugins does not depend on the file system. */
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; st == SH_OK && i < n; i++) {
        entry *e = add_entry(set);
        char *path = e ? sh_strdup_printf("%s/%s", dir, names[i]) : NULL;
        if (!path) {
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
            break;
        }
        snprintf(e->name, sizeof e->name, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
        sh_error lerr = {0};
        if (sh_an_plugin_load(path, &e->plugin, &lerr) != SH_OK) {
            e->failed = true;
            snprintf(e->error, sizeof e->error, "%s", lerr.message);
            sh_warn(LOG, "plugin %s not loaded: %s", e->name, e->error);
        }
        free(path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}

sh_status sh_an_plugin_set_load(const char *dir, sh_an_plugin_set **out, sh_error *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = sh_str_empty(dir) ? SH_OK : load_files(*out, dir, err);
    if (st != SH_OK) {
        sh_an_plugin_set_destroy(*out);
        *out = NULL;
    }
    return st;
}

void sh_an_plugin_set_destroy(sh_an_plugin_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        sh_an_plugin_destroy(set->v[i].plugin);
    free(set->v);
    free(set->heuristics);
    free(set);
}

size_t sh_an_plugin_set_count(const sh_an_plugin_set *set)
{
    return set ? set->n : 0;
}

static entry *find(sh_an_plugin_set *set, const char *name)
{
    for (size_t i = 0; name && i < set->n; i++)
        if (strcmp(set->v[i].name, name) == 0)
            return &set->v[i];
    return NULL;
}

static bool named(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], name) == 0)
            return true;
    return false;
}

static bool is_plugin(const sh_an_plugin_set *set, const sh_an_analyzer *a)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->v[i].registered && a->user_data == (void *)set->v[i].plugin)
            return true;
    return false;
}

sh_status sh_an_plugin_set_select(sh_an_plugin_set *set, sh_an_registry *registry, const char *const *names,
                                  size_t n, sh_an_options *options, sh_error *err)
{
    const char *dir_error = NULL;
    for (size_t i = 0; i < set->n; i++) {
        entry *e = &set->v[i];
        if (!e->plugin) {
            if (strcmp(e->name, DIR_ENTRY) == 0)
                dir_error = e->error;
            continue;
        }
        if (e->registered || e->failed)
            continue;
        sh_error rerr = {0};
        if (sh_an_registry_add(registry, sh_an_plugin_analyzer(e->plugin), &rerr) != SH_OK) {
            e->failed = true; /* e.g. named like a built-in */
            snprintf(e->error, sizeof e->error, "%s", rerr.message);
            sh_warn(LOG, "plugin %s not usable: %s", e->name, e->error);
        } else {
            e->registered = true;
        }
    }
    for (size_t i = 0; i < n; i++) {
        entry *e = find(set, names[i]);
        if (e && !e->registered && !sh_an_registry_find(registry, names[i]))
            return sh_error_set(err, SH_ERR_INVALID, "analyzer plugin '%s' is unusable: %s", e->name, e->error);
        if (!e && !sh_an_registry_find(registry, names[i]))
            return sh_error_set(err, SH_ERR_NOT_FOUND, "unknown analyzer '%s'%s%s", names[i] ? names[i] : "(null)",
                                dir_error ? "; " : "", dir_error ? dir_error : "");
    }
    size_t total = sh_an_registry_count(registry);
    free(set->heuristics);
    set->n_heuristics = 0;
    if (!(set->heuristics = calloc(total ? total : 1, sizeof *set->heuristics)))
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    for (size_t i = 0; i < total; i++) {
        const sh_an_analyzer *a = sh_an_registry_get(registry, i);
        if (!is_plugin(set, a) && (n == 0 || named(names, n, a->name)))
            set->heuristics[set->n_heuristics++] = a->name;
    }
    for (size_t i = 0; i < set->n; i++)
        set->v[i].selected = n == 0 || named(names, n, set->v[i].name);
    options->analyzers = set->heuristics; /* non-NULL even when empty: none */
    options->n_analyzers = set->n_heuristics;
    return SH_OK;
}

sh_status sh_an_plugin_set_run(sh_an_plugin_set *set, const sh_an_index *index, const sh_an_scene *scenes, size_t n,
                               const sh_an_options *options, sh_an_results *const *results, int (*cancelled)(void *),
                               void *cancel_user, sh_error *err)
{
    for (size_t i = 0; set && i < set->n; i++) {
        entry *e = &set->v[i];
        if (!e->selected || e->failed || !e->plugin)
            continue;
        size_t batch = sh_an_plugin_batch_size(e->plugin);
        for (size_t at = 0; at < n && !e->failed; at += batch) {
            size_t take = n - at < batch ? n - at : batch;
            sh_error perr = {0};
            sh_status st = sh_an_plugin_run(e->plugin, index, scenes + at, take, options, results + at, cancelled,
                                            cancel_user, &e->stats, &perr);
            if (st == SH_ERR_CANCELLED || st == SH_ERR_NOMEM) {
                if (err)
                    *err = perr;
                return st;
            }
            if (st != SH_OK) {
                e->failed = true;
                snprintf(e->error, sizeof e->error, "%s", perr.message);
                sh_warn(LOG, "plugin %s failed on scenes %lld..%lld: %s; its part of this analysis stops", e->name,
                        (long long)scenes[at].id, (long long)scenes[at + take - 1].id, e->error);
            }
        }
    }
    return SH_OK;
}

size_t sh_an_plugin_set_failed(const sh_an_plugin_set *set)
{
    size_t k = 0;
    for (size_t i = 0; set && i < set->n; i++)
        k += set->v[i].selected && set->v[i].failed;
    return k;
}

/* Messages may hold a plugin's bytes: never lose the whole message to bad UTF-8. */
static json_t *safe_string(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    char buf[SH_ERROR_MSG_MAX];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *q = buf; *q; q++)
        if ((unsigned char)*q >= 0x80)
            *q = '?';
    return json_string(buf);
}

json_t *sh_an_plugin_set_report(const sh_an_plugin_set *set)
{
    json_t *o = NULL;
    for (size_t i = 0; set && i < set->n; i++) {
        const entry *e = &set->v[i];
        if (!e->selected)
            continue;
        if (!o && !(o = json_object()))
            return NULL;
        const sh_an_plugin_stats *s = &e->stats;
        json_t *r = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:b}", "runs", (json_int_t)s->runs, "scenes",
                              (json_int_t)s->scenes, "answered", (json_int_t)s->answered, "proposals",
                              (json_int_t)s->proposals, "dropped", (json_int_t)s->dropped, "elapsed_ms",
                              (json_int_t)s->elapsed_ms, "failed", e->failed);
        if (r && e->failed)
            json_object_set_new(r, "error", safe_string(e->error));
        if (r && s->first_drop[0])
            json_object_set_new(r, "first_drop", safe_string(s->first_drop));
        json_object_set_new(o, e->name, r);
    }
    return o;
}

const char *sh_an_plugin_set_first_failure(const sh_an_plugin_set *set, char *buf, size_t len)
{
    for (size_t i = 0; set && i < set->n; i++)
        if (set->v[i].selected && set->v[i].failed) {
            snprintf(buf, len, "plugin %s failed: %s", set->v[i].name, set->v[i].error);
            return buf;
        }
    return NULL;
}

sh_status sh_an_analyzer_names_check(const char *plugins_dir, const char *const *names, size_t n, sh_error *err)
{
    if (n == 0)
        return SH_OK;
    sh_an_registry *registry = NULL;
    sh_an_plugin_set *set = NULL;
    sh_an_options scratch = {0};
    sh_status st = sh_an_registry_create(&registry, err);
    if (st == SH_OK)
        st = sh_an_registry_add_builtins(registry, err);
    if (st == SH_OK)
        st = sh_an_plugin_set_load(plugins_dir, &set, err);
    if (st == SH_OK)
        st = sh_an_plugin_set_select(set, registry, names, n, &scratch, err);
    sh_an_plugin_set_destroy(set);
    sh_an_registry_destroy(registry);
    return st;
}
