/* plan-filter.c - a plan keeps the SceneFilter it came from as JSON (the
 * same form `--json` prints); the analyze job turns it back into the
 * message for the scene query compiler. */
#include <string.h>

#include "plans/plan-internal.h"
#include "sh-pbjson.h"

char *sh_plan_filter_to_json(const Stashhog__SceneFilter *filter)
{
    Stashhog__SceneFilter empty = STASHHOG__SCENE_FILTER__INIT;
    json_t *j = sh_pb_to_json(&(filter ? filter : &empty)->base);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return text;
}

static sh_status ids_of(sh_arena *a, const json_t *obj, const char *key, int64_t **out, size_t *n,
                        sh_error *err)
{
    const json_t *arr = json_object_get(obj, key);
    *out = NULL;
    *n = 0;
    if (!arr)
        return SH_OK;
    if (!json_is_array(arr))
        return sh_error_set(err, SH_ERR_INVALID, "filter.%s: expected a list of ids", key);
    size_t count = json_array_size(arr);
    int64_t *v = count ? sh_arena_alloc(a, count * sizeof *v) : NULL;
    if (count && !v)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    for (size_t i = 0; i < count; i++) {
        const json_t *x = json_array_get(arr, i);
        if (!json_is_integer(x) || json_integer_value(x) <= 0)
            return sh_error_set(err, SH_ERR_INVALID, "filter.%s[%zu]: not an id", key, i);
        v[i] = (int64_t)json_integer_value(x);
    }
    *out = v;
    *n = count;
    return SH_OK;
}

static char *text_of(sh_arena *a, const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? sh_arena_strdup(a, s) : NULL;
}

sh_status sh_plan_filter_from_json(const char *text, sh_arena *a, Stashhog__SceneFilter **out, sh_error *err)
{
    json_t *j = json_loads(text ? text : "{}", 0, NULL);
    Stashhog__SceneFilter *f = SH_ARENA_NEW(a, Stashhog__SceneFilter);
    sh_status st = SH_OK;
    if (!f) {
        json_decref(j);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    stashhog__scene_filter__init(f);
    if (!json_is_object(j)) {
        json_decref(j);
        return sh_error_set(err, SH_ERR_INVALID, "the plan's filter is not a JSON object");
    }
    f->query = text_of(a, j, "query");
    f->date_from = text_of(a, j, "date_from");
    f->date_to = text_of(a, j, "date_to");
    f->path_contains = text_of(a, j, "path_contains");
    const json_t *org = json_object_get(j, "organized");
    if (json_is_boolean(org)) {
        f->has_organized = 1;
        f->organized = json_is_true(org);
    }
    if ((st = ids_of(a, j, "studio_ids", &f->studio_ids, &f->n_studio_ids, err)) != SH_OK ||
        (st = ids_of(a, j, "performer_ids", &f->performer_ids, &f->n_performer_ids, err)) != SH_OK ||
        (st = ids_of(a, j, "exclude_performer_ids", &f->exclude_performer_ids, &f->n_exclude_performer_ids,
                     err)) != SH_OK ||
        (st = ids_of(a, j, "tag_ids", &f->tag_ids, &f->n_tag_ids, err)) != SH_OK ||
        (st = ids_of(a, j, "exclude_tag_ids", &f->exclude_tag_ids, &f->n_exclude_tag_ids, err)) != SH_OK ||
        (st = ids_of(a, j, "scene_ids", &f->scene_ids, &f->n_scene_ids, err)) != SH_OK)
        goto out;
    const json_t *missing = json_object_get(j, "missing");
    size_t n = json_array_size(missing);
    if (n) {
        f->missing = sh_arena_alloc(a, n * sizeof *f->missing);
        if (!f->missing) {
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value_by_name(
                &stashhog__missing_field__descriptor, json_string_value(json_array_get(missing, i)) ?: "");
            if (!ev) {
                st = sh_error_set(err, SH_ERR_INVALID, "filter.missing[%zu]: unknown field", i);
                goto out;
            }
            f->missing[i] = (Stashhog__MissingField)ev->value;
        }
        f->n_missing = n;
    }
out:
    json_decref(j);
    if (st == SH_OK)
        *out = f;
    return st;
}
