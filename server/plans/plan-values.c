/* plan-values.c - stored, normalized and input forms of field values
 * (see plan-values.h). */
#include "plans/plan-values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct field_def {
    const char *field;
    const char *key;
    sh_pv_kind kind;
} fields[] = {
    {"studio", "studio_id", SH_PV_STUDIO}, {"performers", "performer_ids", SH_PV_SET},
    {"tags", "tag_ids", SH_PV_SET},        {"title", "title", SH_PV_TEXT},
    {"date", "date", SH_PV_DATE},          {"code", "code", SH_PV_TEXT},
    {"details", "details", SH_PV_TEXT},
};

int sh_pv_field_kind(const char *field)
{
    for (size_t i = 0; field && i < sizeof fields / sizeof fields[0]; i++)
        if (strcmp(fields[i].field, field) == 0)
            return (int)fields[i].kind;
    return -1;
}

const char *sh_pv_input_key(const char *field)
{
    for (size_t i = 0; field && i < sizeof fields / sizeof fields[0]; i++)
        if (strcmp(fields[i].field, field) == 0)
            return fields[i].key;
    return NULL;
}

int sh_pv_key_kind(const char *key)
{
    if (key && strcmp(key, "organized") == 0)
        return SH_PV_BOOL;
    for (size_t i = 0; key && i < sizeof fields / sizeof fields[0]; i++)
        if (strcmp(fields[i].key, key) == 0)
            return (int)fields[i].kind;
    return -1;
}

json_t *sh_pv_entity(int64_t id, const char *name, bool is_new)
{
    json_t *o = json_pack("{s:I,s:s}", "id", (json_int_t)id, "name", name ? name : "");
    if (o && is_new)
        json_object_set_new(o, "new", json_true());
    return o;
}

/* Stash ids arrive as strings ("12"); plan values hold integers. */
static int64_t any_id(const json_t *v)
{
    if (json_is_integer(v))
        return (int64_t)json_integer_value(v);
    if (json_is_string(v)) {
        char *end = NULL;
        long long id = strtoll(json_string_value(v), &end, 10);
        return end && !*end ? (int64_t)id : 0;
    }
    if (json_is_object(v))
        return any_id(json_object_get(v, "id"));
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorted, de-duplicated id array from an array of ids or entity objects. */
static json_t *id_norm(const json_t *list)
{
    size_t n = json_array_size(list);
    int64_t *ids = calloc(n ? n : 1, sizeof *ids);
    json_t *out = json_array();
    if (!ids || !out) {
        free(ids);
        json_decref(out);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t id = any_id(json_array_get(list, i));
        if (id > 0)
            ids[k++] = id;
    }
    qsort(ids, k, sizeof *ids, cmp_id);
    for (size_t i = 0; i < k; i++)
        if (i == 0 || ids[i] != ids[i - 1])
            json_array_append_new(out, json_integer(ids[i]));
    free(ids);
    return out;
}

static json_t *text_norm(const json_t *v)
{
    return json_string(json_is_string(v) ? json_string_value(v) : "");
}

static json_t *nullable_text_norm(const json_t *v)
{
    return json_is_string(v) && *json_string_value(v) ? json_string(json_string_value(v)) : json_null();
}

static json_t *studio_norm(const json_t *v)
{
    int64_t id = any_id(v);
    return id > 0 ? json_integer(id) : json_null();
}

json_t *sh_pv_norm_plan(const char *field, const json_t *value)
{
    switch (sh_pv_field_kind(field)) {
    case SH_PV_TEXT: return text_norm(value);
    case SH_PV_DATE: return nullable_text_norm(value);
    case SH_PV_STUDIO: return studio_norm(value);
    case SH_PV_SET: return id_norm(json_is_array(value) ? value : NULL);
    default: return NULL;
    }
}

json_t *sh_pv_norm_scene(const json_t *scene, const char *key)
{
    switch (sh_pv_key_kind(key)) {
    case SH_PV_TEXT: return text_norm(json_object_get(scene, key));
    case SH_PV_DATE: return nullable_text_norm(json_object_get(scene, key));
    case SH_PV_STUDIO: return studio_norm(json_object_get(scene, "studio"));
    case SH_PV_SET:
        return id_norm(json_object_get(scene, strcmp(key, "performer_ids") == 0 ? "performers" : "tags"));
    case SH_PV_BOOL: return json_boolean(json_is_true(json_object_get(scene, "organized")));
    default: return NULL;
    }
}

sh_status sh_pv_set_apply(const json_t *base_norm, const json_t *diff, json_t **out, sh_error *err)
{
    *out = NULL;
    json_t *add = json_object_get(diff, "add"), *remove = json_object_get(diff, "remove");
    json_t *all = json_array();
    if (!all)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(base_norm, i, v) {
        bool removed = false;
        size_t j;
        json_t *r;
        json_array_foreach(remove, j, r) removed = removed || any_id(r) == any_id(v);
        if (!removed)
            json_array_append(all, v);
    }
    json_array_foreach(add, i, v) {
        if (any_id(v) <= 0) {
            json_decref(all);
            const char *name = json_string_value(json_object_get(v, "name"));
            return sh_error_set(err, SH_ERR_INVALID, "'%s' does not exist in Stash yet", name ? name : "?");
        }
        json_array_append_new(all, json_integer(any_id(v)));
    }
    *out = id_norm(all);
    json_decref(all);
    return *out ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
}

json_t *sh_pv_input_value(const char *key, const json_t *norm)
{
    switch (sh_pv_key_kind(key)) {
    case SH_PV_TEXT: return json_string(json_is_string(norm) ? json_string_value(norm) : "");
    case SH_PV_DATE: return json_is_string(norm) ? json_string(json_string_value(norm)) : json_null();
    case SH_PV_STUDIO: {
        if (!json_is_integer(norm))
            return json_null();
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(norm));
        return json_string(buf);
    }
    case SH_PV_SET: {
        json_t *a = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(norm, i, v) {
            char buf[32];
            snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
            json_array_append_new(a, json_string(buf));
        }
        return a;
    }
    case SH_PV_BOOL: return json_boolean(json_is_true(norm));
    default: return NULL;
    }
}

json_t *sh_pv_input_from_scene(const json_t *scene, const char *key)
{
    if (sh_pv_key_kind(key) != SH_PV_SET) {
        json_t *norm = sh_pv_norm_scene(scene, key), *v = sh_pv_input_value(key, norm);
        json_decref(norm);
        return v;
    }
    json_t *a = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(scene, strcmp(key, "performer_ids") == 0 ? "performers" : "tags"), i, e) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)any_id(e));
        json_array_append_new(a, json_string(buf));
    }
    return a;
}

bool sh_pv_norm_equal(const json_t *a, const json_t *b)
{
    if (!a || !b)
        return a == b;
    return json_equal((json_t *)a, (json_t *)b) != 0;
}

/* ---------------------------------------------------------- protobuf */

static Stashhog__EntityRef *ref_of(sh_arena *a, const json_t *e)
{
    Stashhog__EntityRef *r = SH_ARENA_NEW(a, Stashhog__EntityRef);
    if (!r)
        return NULL;
    stashhog__entity_ref__init(r);
    r->id = any_id(e);
    const char *name = json_string_value(json_object_get(e, "name"));
    r->name = sh_arena_strdup(a, name ? name : "");
    if (json_is_true(json_object_get(e, "new")))
        r->has_is_new = r->is_new = 1;
    return r->name ? r : NULL;
}

sh_status sh_pv_refs(sh_arena *arena, const json_t *list, Stashhog__EntityRef ***out, size_t *n,
                     sh_error *err)
{
    size_t count = json_array_size(list);
    *out = NULL;
    *n = 0;
    if (!count)
        return SH_OK;
    Stashhog__EntityRef **refs = (Stashhog__EntityRef **)sh_arena_ptrs(arena, count);
    if (!refs)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    for (size_t i = 0; i < count; i++)
        if (!(refs[i] = ref_of(arena, json_array_get(list, i))))
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
    *out = refs;
    *n = count;
    return SH_OK;
}

/* The member list after the diff, keeping the current members' order. */
static json_t *set_result(const json_t *current, const json_t *diff)
{
    json_t *out = json_array();
    json_t *remove = json_object_get(diff, "remove");
    size_t i, j;
    json_t *v, *r;
    json_array_foreach(current, i, v) {
        bool removed = false;
        json_array_foreach(remove, j, r) removed = removed || any_id(r) == any_id(v);
        if (!removed)
            json_array_append(out, v);
    }
    json_array_foreach(json_object_get(diff, "add"), i, v) json_array_append(out, v);
    return out;
}

sh_status sh_pv_to_field_value(sh_arena *arena, const char *field, const json_t *value, bool proposed,
                               const json_t *current, Stashhog__FieldValue **out, sh_error *err)
{
    Stashhog__FieldValue *fv = SH_ARENA_NEW(arena, Stashhog__FieldValue);
    if (!fv)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__field_value__init(fv);
    *out = fv;
    sh_status st = SH_OK;
    switch (sh_pv_field_kind(field)) {
    case SH_PV_TEXT:
    case SH_PV_DATE:
        if (json_is_string(value) && *json_string_value(value)) {
            if (!(fv->text = sh_arena_strdup(arena, json_string_value(value))))
                st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        } else {
            fv->has_is_null = fv->is_null = 1;
        }
        break;
    case SH_PV_STUDIO:
        if (json_is_object(value)) {
            if (!(fv->entity = ref_of(arena, value)))
                st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        } else {
            fv->has_is_null = fv->is_null = 1;
        }
        break;
    case SH_PV_SET: {
        json_t *list = proposed ? set_result(current, value) : json_incref((json_t *)value);
        st = sh_pv_refs(arena, list, &fv->entities, &fv->n_entities, err);
        json_decref(list);
        break;
    }
    default: st = sh_error_set(err, SH_ERR_INVALID, "unknown field '%s'", field ? field : "");
    }
    return st;
}

/* ------------------------------------------------------------- text */

static void append(char **buf, size_t *len, const char *s)
{
    size_t n = strlen(s);
    char *grown = realloc(*buf, *len + n + 1);
    if (!grown)
        return;
    memcpy(grown + *len, s, n + 1);
    *buf = grown;
    *len += n;
}

static void append_names(char **buf, size_t *len, const json_t *list, const char *prefix, const char *sep)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (*len)
            append(buf, len, sep);
        append(buf, len, prefix);
        const char *name = json_string_value(json_object_get(v, "name"));
        append(buf, len, name ? name : "?");
    }
}

char *sh_pv_render(const char *field, const json_t *value, bool proposed)
{
    char *buf = calloc(1, 1);
    size_t len = 0;
    if (!buf)
        return NULL;
    switch (sh_pv_field_kind(field)) {
    case SH_PV_TEXT:
    case SH_PV_DATE:
        if (json_is_string(value))
            append(&buf, &len, json_string_value(value));
        break;
    case SH_PV_STUDIO:
        if (json_is_object(value)) {
            const char *name = json_string_value(json_object_get(value, "name"));
            append(&buf, &len, name ? name : "?");
        }
        break;
    case SH_PV_SET:
        if (proposed) {
            append_names(&buf, &len, json_object_get(value, "add"), "+", " ");
            append_names(&buf, &len, json_object_get(value, "remove"), "-", " ");
        } else {
            append_names(&buf, &len, value, "", "; ");
        }
        break;
    default: break;
    }
    return buf;
}
