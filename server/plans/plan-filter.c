/* plan-filter.c - a plan keeps the SceneFilter it came from as JSON (the
 * same form `--json` prints); the analyze job turns it back into the
 * message for the scene query compiler.  Both directions walk the message
 * descriptor (sh-pbjson), so every member - the `where` tree, the saved
 * filter name, anything added to SceneFilter later - survives the trip:
 * a run never covers more scenes than were asked for. */
#include <stdlib.h>
#include <string.h>

#include "plans/plan-internal.h"
#include "sh-pbjson.h"

char *sh_plan_filter_to_json(const Stashhog__SceneFilter *filter)
{
    Stashhog__SceneFilter empty = STASHHOG__SCENE_FILTER__INIT;
    json_t *j = sh_pb_to_json(&(filter ? filter : &empty)->base);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(j);
    return text;
}

sh_status sh_plan_filter_from_value(const json_t *value, Stashhog__SceneFilter **out, sh_error *err)
{
    *out = NULL;
    if (!value || json_is_null(value))
        value = NULL;
    if (json_is_string(value)) {
        /* "NAME" is short for {"saved": "NAME"} (schedule params). */
        Stashhog__SceneFilter *f = malloc(sizeof *f);
        if (!f)
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        stashhog__scene_filter__init(f);
        if (!(f->saved = strdup(json_string_value(value)))) {
            free(f);
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        }
        *out = f;
        return SH_OK;
    }
    json_t *empty = value ? NULL : json_object();
    ProtobufCMessage *m = NULL;
    sh_status st = sh_pb_from_json(&stashhog__scene_filter__descriptor, value ? value : empty, &m, err);
    json_decref(empty);
    if (st != SH_OK) {
        sh_error_prefix(err, "filter");
        return st;
    }
    *out = (Stashhog__SceneFilter *)m;
    return SH_OK;
}

sh_status sh_plan_filter_from_json(const char *text, Stashhog__SceneFilter **out, sh_error *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *j = json_loads(text ? text : "{}", 0, &jerr);
    if (!json_is_object(j)) {
        json_decref(j);
        return sh_error_set(err, SH_ERR_INVALID, "the plan's filter is not a JSON object");
    }
    sh_status st = sh_plan_filter_from_value(j, out, err);
    json_decref(j);
    return st;
}

void sh_plan_filter_free(Stashhog__SceneFilter *filter)
{
    if (filter)
        protobuf_c_message_free_unpacked(&filter->base, NULL);
}
