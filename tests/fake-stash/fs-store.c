/* fs-store.c - the in-memory store: allocation helpers, id tables,
 * timestamps, name lookups and the library's public accessors. */
#include "fs-internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void *fs_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fputs("fake-stash: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *fs_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        fputs("fake-stash: out of memory\n", stderr);
        abort();
    }
    return q;
}

char *fs_xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        fputs("fake-stash: out of memory\n", stderr);
        abort();
    }
    return d;
}

char *fs_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *out = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&out, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fputs("fake-stash: out of memory\n", stderr);
        abort();
    }
    return out;
}

void fs_table_put(fs_table *t, int64_t id, void *item)
{
    if ((size_t)id >= t->cap) {
        size_t cap = t->cap ? t->cap : 64;
        while (cap <= (size_t)id)
            cap *= 2;
        t->slot = fs_xrealloc(t->slot, cap * sizeof(*t->slot));
        memset(t->slot + t->cap, 0, (cap - t->cap) * sizeof(*t->slot));
        t->cap = cap;
    }
    if (!t->slot[id])
        t->count++;
    t->slot[id] = item;
    if (id > t->max_id)
        t->max_id = id;
}

void *fs_table_get(const fs_table *t, int64_t id)
{
    if (id <= 0 || (size_t)id >= t->cap)
        return NULL;
    return t->slot[id];
}

void *fs_table_take(fs_table *t, int64_t id)
{
    void *item = fs_table_get(t, id);
    if (item) {
        t->slot[id] = NULL;
        t->count--;
    }
    return item;
}

void fs_idlist_push(fs_idlist *l, int64_t id)
{
    l->v = fs_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = id;
}

bool fs_idlist_contains(const fs_idlist *l, int64_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] == id)
            return true;
    return false;
}

bool fs_idlist_remove(fs_idlist *l, int64_t id)
{
    bool found = false;
    size_t w = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i] == id)
            found = true;
        else
            l->v[w++] = l->v[i];
    }
    l->n = w;
    return found;
}

void fs_idlist_free(fs_idlist *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void fs_strlist_push(fs_strlist *l, const char *s)
{
    l->v = fs_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = fs_xstrdup(s);
}

void fs_strlist_free(fs_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void fs_scene_free(fs_scene *s)
{
    if (!s)
        return;
    free(s->title);
    free(s->code);
    free(s->details);
    free(s->date);
    fs_strlist_free(&s->urls);
    fs_idlist_free(&s->performers);
    fs_idlist_free(&s->tags);
    for (size_t i = 0; i < s->n_files; i++) {
        free(s->files[i].path);
        free(s->files[i].basename);
        free(s->files[i].video_codec);
    }
    free(s->files);
    fs_idlist_free(&s->truth.performers);
    free(s->truth.date);
    free(s->truth.title);
    free(s->truth.code);
    free(s);
}

void fs_entity_free(fs_entity *e)
{
    if (!e)
        return;
    free(e->name);
    fs_strlist_free(&e->aliases);
    free(e->disambiguation);
    free(e->gender);
    free(e);
}

const char *fs_kind_name(fs_kind kind)
{
    switch (kind) {
    case FS_PERFORMER:
        return "performer";
    case FS_STUDIO:
        return "studio";
    case FS_TAG:
        return "tag";
    default:
        return "?";
    }
}

void fs_format_ts(int64_t epoch, int utc_offset_min, char out[FS_TS_LEN])
{
    time_t local = (time_t)(epoch + (int64_t)utc_offset_min * 60);
    struct tm tm;
    gmtime_r(&local, &tm);
    unsigned off = (unsigned)(utc_offset_min < 0 ? -utc_offset_min : utc_offset_min);
    char base[24];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, FS_TS_LEN, "%.19s%c%02u:%02u", base, utc_offset_min < 0 ? '-' : '+',
             (off / 60) % 100, off % 60);
}

void fs_now_ts(const fs_library *lib, char out[FS_TS_LEN])
{
    fs_format_ts((int64_t)time(NULL), lib->utc_offset_min, out);
}

fs_entity *fs_entity_find_name(const fs_library *lib, fs_kind kind, const char *name,
                               int64_t exclude_id)
{
    const fs_table *t = &lib->entities[kind];
    for (int64_t id = 1; id <= t->max_id; id++) {
        fs_entity *e = fs_table_get(t, id);
        if (!e || id == exclude_id)
            continue;
        if (strcasecmp(e->name, name) == 0)
            return e;
        for (size_t i = 0; i < e->aliases.n; i++)
            if (strcasecmp(e->aliases.v[i], name) == 0)
                return e;
    }
    return NULL;
}

const char *fs_scene_path(const fs_scene *s)
{
    return s->n_files ? s->files[0].path : "";
}

/* ---- public accessors ---- */

int fs_library_create_empty(int utc_offset_min, fs_library **out)
{
    fs_library *lib = fs_xcalloc(1, sizeof(*lib));
    if (pthread_rwlock_init(&lib->lock, NULL) != 0) {
        free(lib);
        return -1;
    }
    lib->utc_offset_min = utc_offset_min;
    *out = lib;
    return 0;
}

void fs_library_destroy(fs_library *lib)
{
    if (!lib)
        return;
    for (int64_t id = 1; id <= lib->scenes.max_id; id++)
        fs_scene_free(fs_table_get(&lib->scenes, id));
    free(lib->scenes.slot);
    for (int k = 0; k < FS_KIND_COUNT; k++) {
        for (int64_t id = 1; id <= lib->entities[k].max_id; id++)
            fs_entity_free(fs_table_get(&lib->entities[k], id));
        free(lib->entities[k].slot);
    }
    pthread_rwlock_destroy(&lib->lock);
    free(lib);
}

int64_t fs_library_max_scene_id(const fs_library *lib)
{
    return lib->scenes.max_id;
}

size_t fs_library_scene_count(const fs_library *lib)
{
    return lib->scenes.count;
}

const fs_scene *fs_library_scene(const fs_library *lib, int64_t id)
{
    return fs_table_get(&lib->scenes, id);
}

int64_t fs_library_max_entity_id(const fs_library *lib, fs_kind kind)
{
    return (unsigned)kind < FS_KIND_COUNT ? lib->entities[kind].max_id : 0;
}

size_t fs_library_entity_count(const fs_library *lib, fs_kind kind)
{
    return (unsigned)kind < FS_KIND_COUNT ? lib->entities[kind].count : 0;
}

const fs_entity *fs_library_entity(const fs_library *lib, fs_kind kind, int64_t id)
{
    return (unsigned)kind < FS_KIND_COUNT ? fs_table_get(&lib->entities[kind], id) : NULL;
}

char *fs_library_state_json(fs_library *lib)
{
    pthread_rwlock_rdlock(&lib->lock);
    json_t *doc = fs_state_json(lib);
    pthread_rwlock_unlock(&lib->lock);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    json_decref(doc);
    return text;
}
