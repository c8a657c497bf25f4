/* fs-mutate.c - Stash's mutation semantics on the in-memory library.
 *
 * sceneUpdate: only keys present in the input change, explicit null clears
 * (text to "", date/studio to null, lists to empty), performer_ids/tag_ids
 * replace the whole list, every update bumps updated_at. Referenced ids must
 * exist (Stash's foreign keys). Entity names are unique (case-insensitive,
 * aliases included for studios and tags; name + disambiguation for
 * performers). Fields the schema has but the fake does not model are
 * refused loudly rather than dropped. Callers hold the write lock. */
#include "fs-internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool key_in(const char *key, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(key, *list) == 0)
            return true;
    return false;
}

static int parse_id(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    const char *s = json_string_value(v);
    char *end = NULL;
    if (!s || !*s)
        return -1;
    long long id = strtoll(s, &end, 10);
    if (*end || id <= 0)
        return -1;
    *out = id;
    return 0;
}

/* Stash accepts YYYY, YYYY-MM and YYYY-MM-DD. */
static bool valid_date(const char *s)
{
    size_t n = strlen(s);
    if (n != 4 && n != 7 && n != 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    }
    if (n >= 7) {
        long m = strtol(s + 5, NULL, 10);
        if (m < 1 || m > 12)
            return false;
    }
    if (n == 10) {
        long d = strtol(s + 8, NULL, 10);
        if (d < 1 || d > 31)
            return false;
    }
    return true;
}

static bool valid_ts(const char *s)
{
    /* 2025-06-01T12:00:00+01:00 (or Z) */
    size_t n = strlen(s);
    return (n == 25 || n == 20) && s[4] == '-' && s[10] == 'T' && s[13] == ':';
}

static int check_text(const char *key, json_t *v, char *err, size_t errlen)
{
    if (json_is_null(v) || json_is_string(v))
        return 0;
    snprintf(err, errlen, "%s: expected String", key);
    return -1;
}

static int check_strings(const char *key, json_t *v, char *err, size_t errlen)
{
    size_t i;
    json_t *x;
    if (json_is_null(v))
        return 0;
    if (!json_is_array(v)) {
        snprintf(err, errlen, "%s: expected [String!]", key);
        return -1;
    }
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x)) {
            snprintf(err, errlen, "%s[%zu]: expected String!", key, i);
            return -1;
        }
    }
    return 0;
}

static int check_ref(const fs_library *lib, fs_kind kind, const char *key, json_t *v, char *err,
                     size_t errlen)
{
    int64_t id;
    if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
        return 0;
    if (parse_id(v, &id) != 0) {
        snprintf(err, errlen, "%s: invalid ID", key);
        return -1;
    }
    if (!fs_table_get(&lib->entities[kind], id)) {
        snprintf(err, errlen, "%s: %s with id %lld not found", key, fs_kind_name(kind),
                 (long long)id);
        return -1;
    }
    return 0;
}

static int check_refs(const fs_library *lib, fs_kind kind, const char *key, json_t *v, char *err,
                      size_t errlen)
{
    size_t i;
    json_t *x;
    if (json_is_null(v))
        return 0;
    if (!json_is_array(v)) {
        snprintf(err, errlen, "%s: expected [ID!]", key);
        return -1;
    }
    json_array_foreach(v, i, x)
    {
        if (json_is_null(x) || (json_is_string(x) && !*json_string_value(x))) {
            snprintf(err, errlen, "%s[%zu]: invalid ID", key, i);
            return -1;
        }
        if (check_ref(lib, kind, key, x, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static const char *const scene_fields[] = {"id",       "title",         "code",    "details",
                                           "date",     "urls",          "organized",
                                           "studio_id", "performer_ids", "tag_ids", NULL};
static const char *const scene_control_fields[] = {"updated_at", "created_at", "files", "truth",
                                                   NULL};

static int check_scene_field(const fs_library *lib, const char *key, json_t *v, char *err,
                             size_t errlen)
{
    if (!strcmp(key, "title") || !strcmp(key, "code") || !strcmp(key, "details"))
        return check_text(key, v, err, errlen);
    if (!strcmp(key, "date")) {
        if (check_text(key, v, err, errlen) != 0)
            return -1;
        const char *d = json_string_value(v);
        if (d && *d && !valid_date(d)) {
            snprintf(err, errlen, "date: invalid date \"%s\" (want YYYY-MM-DD)", d);
            return -1;
        }
        return 0;
    }
    if (!strcmp(key, "urls"))
        return check_strings(key, v, err, errlen);
    if (!strcmp(key, "organized")) {
        if (json_is_null(v) || json_is_boolean(v))
            return 0;
        snprintf(err, errlen, "organized: expected Boolean");
        return -1;
    }
    if (!strcmp(key, "studio_id"))
        return check_ref(lib, FS_STUDIO, key, v, err, errlen);
    if (!strcmp(key, "performer_ids"))
        return check_refs(lib, FS_PERFORMER, key, v, err, errlen);
    if (!strcmp(key, "tag_ids"))
        return check_refs(lib, FS_TAG, key, v, err, errlen);
    if (!strcmp(key, "updated_at") || !strcmp(key, "created_at")) {
        if (!json_is_string(v) || !valid_ts(json_string_value(v))) {
            snprintf(err, errlen, "%s: expected an RFC3339 timestamp", key);
            return -1;
        }
        return 0;
    }
    if (!strcmp(key, "files")) {
        if (!json_is_array(v)) {
            snprintf(err, errlen, "files: expected an array");
            return -1;
        }
        size_t i;
        json_t *f;
        json_array_foreach(v, i, f)
        {
            if (!json_is_string(json_object_get(f, "path"))) {
                snprintf(err, errlen, "files[%zu].path: required String", i);
                return -1;
            }
        }
        return 0;
    }
    if (!strcmp(key, "truth"))
        return json_is_object(v) ? 0 : (snprintf(err, errlen, "truth: expected an object"), -1);
    return 0;
}

static int check_scene_fields(const fs_library *lib, json_t *input, bool control, char *err,
                              size_t errlen)
{
    const char *key;
    json_t *v;
    if (!json_is_object(input)) {
        snprintf(err, errlen, "input: expected SceneUpdateInput");
        return -1;
    }
    json_object_foreach(input, key, v)
    {
        if (!strcmp(key, "clientMutationId"))
            continue;
        if (!key_in(key, scene_fields) && !(control && key_in(key, scene_control_fields))) {
            snprintf(err, errlen, "fake-stash: SceneUpdateInput.%s is not modelled", key);
            return -1;
        }
        if (check_scene_field(lib, key, v, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int fs_scene_patch_check(const fs_library *lib, json_t *input, bool control, char *err,
                         size_t errlen)
{
    int64_t id;
    if (!json_is_object(input) || parse_id(json_object_get(input, "id"), &id) != 0) {
        snprintf(err, errlen, "input.id: required ID");
        return -1;
    }
    if (!fs_table_get(&lib->scenes, id)) {
        snprintf(err, errlen, "scene with id %lld not found", (long long)id);
        return -1;
    }
    return check_scene_fields(lib, input, control, err, errlen);
}

static void set_text(char **dst, json_t *v)
{
    free(*dst);
    *dst = fs_xstrdup(json_is_string(v) ? json_string_value(v) : "");
}

static void set_ids(fs_idlist *dst, json_t *v)
{
    size_t i;
    json_t *x;
    fs_idlist_free(dst);
    json_array_foreach(v, i, x)
    {
        int64_t id;
        if (parse_id(x, &id) == 0 && !fs_idlist_contains(dst, id))
            fs_idlist_push(dst, id);
    }
}

static void set_strings(fs_strlist *dst, json_t *v)
{
    size_t i;
    json_t *x;
    fs_strlist_free(dst);
    json_array_foreach(v, i, x)
        fs_strlist_push(dst, json_string_value(x));
}

static void set_files(fs_library *lib, fs_scene *s, json_t *v)
{
    for (size_t i = 0; i < s->n_files; i++) {
        free(s->files[i].path);
        free(s->files[i].basename);
        free(s->files[i].video_codec);
    }
    free(s->files);
    s->n_files = json_array_size(v);
    s->files = s->n_files ? fs_xcalloc(s->n_files, sizeof(*s->files)) : NULL;
    for (size_t i = 0; i < s->n_files; i++) {
        json_t *f = json_array_get(v, i);
        fs_file *d = &s->files[i];
        const char *path = json_string_value(json_object_get(f, "path"));
        const char *slash = strrchr(path, '/');
        const char *codec = json_string_value(json_object_get(f, "video_codec"));
        d->id = ++lib->max_file_id;
        d->path = fs_xstrdup(path);
        d->basename = fs_xstrdup(slash ? slash + 1 : path);
        d->size = json_integer_value(json_object_get(f, "size"));
        d->duration = json_number_value(json_object_get(f, "duration"));
        d->width = (int)json_integer_value(json_object_get(f, "width"));
        d->height = (int)json_integer_value(json_object_get(f, "height"));
        d->frame_rate = json_number_value(json_object_get(f, "frame_rate"));
        d->video_codec = fs_xstrdup(codec ? codec : "h264");
    }
}

static void set_truth(fs_scene *s, json_t *t)
{
    fs_truth *tr = &s->truth;
    int64_t id = 0;
    tr->studio_id = parse_id(json_object_get(t, "studio_id"), &id) == 0 ? id : 0;
    set_ids(&tr->performers, json_object_get(t, "performer_ids"));
    const char *keys[] = {"date", "title", "code"};
    char **dst[] = {&tr->date, &tr->title, &tr->code};
    for (size_t i = 0; i < 3; i++) {
        const char *v = json_string_value(json_object_get(t, keys[i]));
        free(*dst[i]);
        *dst[i] = v ? fs_xstrdup(v) : NULL;
    }
}

void fs_scene_patch_apply(fs_library *lib, fs_scene *s, json_t *input)
{
    const char *key;
    json_t *v;
    bool explicit_ts = false;
    json_object_foreach(input, key, v)
    {
        if (!strcmp(key, "title"))
            set_text(&s->title, v);
        else if (!strcmp(key, "code"))
            set_text(&s->code, v);
        else if (!strcmp(key, "details"))
            set_text(&s->details, v);
        else if (!strcmp(key, "date")) {
            free(s->date);
            const char *d = json_string_value(v);
            s->date = d && *d ? fs_xstrdup(d) : NULL;
        } else if (!strcmp(key, "urls"))
            set_strings(&s->urls, v);
        else if (!strcmp(key, "organized"))
            s->organized = json_is_true(v);
        else if (!strcmp(key, "studio_id")) {
            int64_t id = 0;
            s->studio_id = parse_id(v, &id) == 0 ? id : 0;
        } else if (!strcmp(key, "performer_ids"))
            set_ids(&s->performers, v);
        else if (!strcmp(key, "tag_ids"))
            set_ids(&s->tags, v);
        else if (!strcmp(key, "files"))
            set_files(lib, s, v);
        else if (!strcmp(key, "truth"))
            set_truth(s, v);
        else if (!strcmp(key, "created_at"))
            snprintf(s->created_at, FS_TS_LEN, "%s", json_string_value(v));
        else if (!strcmp(key, "updated_at")) {
            snprintf(s->updated_at, FS_TS_LEN, "%s", json_string_value(v));
            explicit_ts = true;
        }
    }
    if (!explicit_ts)
        fs_now_ts(lib, s->updated_at);
}

fs_scene *fs_scene_create(fs_library *lib, json_t *input, char *err, size_t errlen)
{
    if (json_object_get(input, "id")) {
        snprintf(err, errlen, "id: assigned by the server");
        return NULL;
    }
    if (check_scene_fields(lib, input, true, err, errlen) != 0)
        return NULL;
    fs_scene *s = fs_xcalloc(1, sizeof(*s));
    s->id = lib->scenes.max_id + 1;
    s->title = fs_xstrdup("");
    s->code = fs_xstrdup("");
    s->details = fs_xstrdup("");
    fs_now_ts(lib, s->created_at);
    fs_scene_patch_apply(lib, s, input);
    if (!json_object_get(input, "created_at"))
        memcpy(s->created_at, s->updated_at, FS_TS_LEN);
    fs_table_put(&lib->scenes, s->id, s);
    return s;
}

int fs_scene_delete(fs_library *lib, int64_t id)
{
    fs_scene *s = fs_table_take(&lib->scenes, id);
    if (!s)
        return -1;
    fs_scene_free(s);
    return 0;
}

/* ---- performers, studios, tags ---- */

static const char *alias_key(fs_kind kind)
{
    return kind == FS_PERFORMER ? "alias_list" : "aliases";
}

static bool valid_gender(const char *g)
{
    static const char *const genders[] = {"MALE",     "FEMALE",     "TRANSGENDER_MALE",
                                          "TRANSGENDER_FEMALE", "INTERSEX", "NON_BINARY",
                                          NULL};
    return key_in(g, genders);
}

/* Unique-name rules; e is the edited entity (NULL on create). */
static int check_unique(const fs_library *lib, fs_kind kind, const char *name, json_t *aliases,
                        const char *disambiguation, int64_t self, char *err, size_t errlen)
{
    if (kind == FS_PERFORMER) {
        const fs_table *t = &lib->entities[kind];
        for (int64_t id = 1; id <= t->max_id; id++) {
            const fs_entity *o = fs_table_get(t, id);
            if (o && id != self && strcasecmp(o->name, name) == 0 &&
                strcasecmp(o->disambiguation, disambiguation ? disambiguation : "") == 0) {
                snprintf(err, errlen, "performer with name '%s' already exists", name);
                return -1;
            }
        }
        return 0;
    }
    if (fs_entity_find_name(lib, kind, name, self)) {
        snprintf(err, errlen, "%s with name '%s' already exists", fs_kind_name(kind), name);
        return -1;
    }
    size_t i;
    json_t *a;
    json_array_foreach(aliases, i, a)
    {
        if (fs_entity_find_name(lib, kind, json_string_value(a), self)) {
            snprintf(err, errlen, "%s alias '%s' is already used", fs_kind_name(kind),
                     json_string_value(a));
            return -1;
        }
    }
    return 0;
}

static int check_entity_input(const fs_library *lib, fs_kind kind, json_t *in, bool control,
                              const fs_entity *self, char *err, size_t errlen)
{
    const char *key;
    json_t *v;
    if (!json_is_object(in)) {
        snprintf(err, errlen, "input: expected an input object");
        return -1;
    }
    json_object_foreach(in, key, v)
    {
        bool ok = !strcmp(key, "name") || !strcmp(key, alias_key(kind)) ||
                  !strcmp(key, "ignore_auto_tag") ||
                  (kind == FS_PERFORMER && (!strcmp(key, "disambiguation") || !strcmp(key, "gender"))) ||
                  (kind == FS_STUDIO && !strcmp(key, "parent_id")) ||
                  (control && (!strcmp(key, "updated_at") || !strcmp(key, "created_at")));
        if (!ok) {
            snprintf(err, errlen, "fake-stash: %s input field '%s' is not modelled",
                     fs_kind_name(kind), key);
            return -1;
        }
        int rc = 0;
        if (!strcmp(key, "name"))
            rc = json_is_string(v) && *json_string_value(v) ? 0 : -1;
        else if (!strcmp(key, "ignore_auto_tag"))
            rc = json_is_boolean(v) || json_is_null(v) ? 0 : -1;
        else if (!strcmp(key, "gender"))
            rc = json_is_null(v) || (json_is_string(v) && valid_gender(json_string_value(v)))
                     ? 0 : -1;
        else if (!strcmp(key, "disambiguation"))
            rc = check_text(key, v, err, errlen);
        else if (!strcmp(key, "parent_id"))
            rc = check_ref(lib, FS_STUDIO, key, v, err, errlen);
        else if (!strcmp(key, alias_key(kind)))
            rc = check_strings(key, v, err, errlen);
        else
            rc = json_is_string(v) && valid_ts(json_string_value(v)) ? 0 : -1;
        if (rc != 0) {
            if (!*err)
                snprintf(err, errlen, "%s: invalid value", key);
            return -1;
        }
    }
    json_t *name = json_object_get(in, "name");
    if (!self && !name) {
        snprintf(err, errlen, "name: required String!");
        return -1;
    }
    json_t *dis = json_object_get(in, "disambiguation");
    const char *dis_s = dis ? json_string_value(dis) : self ? self->disambiguation : NULL;
    json_t *aliases = json_object_get(in, alias_key(kind));
    return check_unique(lib, kind, name ? json_string_value(name) : self->name,
                        json_is_array(aliases) ? aliases : NULL, dis_s, self ? self->id : 0, err,
                        errlen);
}

static void apply_entity_input(fs_library *lib, fs_entity *e, json_t *in)
{
    const char *key;
    json_t *v;
    bool explicit_ts = false;
    json_object_foreach(in, key, v)
    {
        if (!strcmp(key, "name"))
            set_text(&e->name, v);
        else if (!strcmp(key, alias_key(e->kind)))
            set_strings(&e->aliases, v);
        else if (!strcmp(key, "ignore_auto_tag"))
            e->ignore_auto_tag = json_is_true(v);
        else if (!strcmp(key, "disambiguation"))
            set_text(&e->disambiguation, v);
        else if (!strcmp(key, "gender")) {
            free(e->gender);
            e->gender = json_is_string(v) ? fs_xstrdup(json_string_value(v)) : NULL;
        } else if (!strcmp(key, "parent_id")) {
            int64_t id = 0;
            e->parent_id = parse_id(v, &id) == 0 ? id : 0;
        } else if (!strcmp(key, "created_at"))
            snprintf(e->created_at, FS_TS_LEN, "%s", json_string_value(v));
        else if (!strcmp(key, "updated_at")) {
            snprintf(e->updated_at, FS_TS_LEN, "%s", json_string_value(v));
            explicit_ts = true;
        }
    }
    if (!explicit_ts)
        fs_now_ts(lib, e->updated_at);
}

fs_entity *fs_entity_create(fs_library *lib, fs_kind kind, json_t *input, bool control,
                            char *err, size_t errlen)
{
    err[0] = '\0';
    if (check_entity_input(lib, kind, input, control, NULL, err, errlen) != 0)
        return NULL;
    fs_entity *e = fs_xcalloc(1, sizeof(*e));
    e->kind = kind;
    e->id = lib->entities[kind].max_id + 1;
    e->name = fs_xstrdup("");
    if (kind == FS_PERFORMER)
        e->disambiguation = fs_xstrdup("");
    apply_entity_input(lib, e, input);
    if (!json_object_get(input, "created_at"))
        memcpy(e->created_at, e->updated_at, FS_TS_LEN);
    fs_table_put(&lib->entities[kind], e->id, e);
    return e;
}

int fs_entity_edit(fs_library *lib, fs_entity *e, json_t *input, char *err, size_t errlen)
{
    err[0] = '\0';
    if (check_entity_input(lib, e->kind, input, true, e, err, errlen) != 0)
        return -1;
    apply_entity_input(lib, e, input);
    return 0;
}

int fs_entity_delete(fs_library *lib, fs_kind kind, int64_t id)
{
    fs_entity *e = fs_table_take(&lib->entities[kind], id);
    if (!e)
        return -1;
    for (int64_t sid = 1; sid <= lib->scenes.max_id; sid++) {
        fs_scene *s = fs_table_get(&lib->scenes, sid);
        if (!s)
            continue;
        if (kind == FS_PERFORMER) {
            fs_idlist_remove(&s->performers, id);
            fs_idlist_remove(&s->truth.performers, id);
        } else if (kind == FS_TAG) {
            fs_idlist_remove(&s->tags, id);
        } else {
            if (s->studio_id == id)
                s->studio_id = 0;
            if (s->truth.studio_id == id)
                s->truth.studio_id = 0;
        }
    }
    if (kind == FS_STUDIO) {
        for (int64_t cid = 1; cid <= lib->entities[kind].max_id; cid++) {
            fs_entity *c = fs_table_get(&lib->entities[kind], cid);
            if (c && c->parent_id == id)
                c->parent_id = 0;
        }
    }
    fs_entity_free(e);
    return 0;
}
