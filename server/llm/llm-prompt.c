/* llm-prompt.c - the chat request: instructions, the scenes as one JSON
 * block, and the strict JSON schema of the answer.
 *
 * The scenes travel as JSON after the line "Scenes (JSON):" so the model
 * reads unambiguous data (paths with odd characters, names with quotes) and
 * tests can parse the prompt back.  Only the candidates the caller chose
 * for each scene are sent.  The schema names every requested field and, in
 * strict mode, requires all of them (null / [] for "nothing to propose"). */
#include <stdlib.h>
#include <string.h>

#include "llm/llm-internal.h"

/* Above this many names in one enum the schema gets unwieldy (OpenAI caps
 * enum values per schema); validation drops unknown names anyway. */
#define ENUM_MAX_VALUES 500

static const char *const field_names[SH_LLM_FIELD_COUNT_] = {
    "studio", "performers", "tags", "title", "date", "details",
};

const char *sh_llm_field_name(sh_llm_field field)
{
    return (unsigned)field < SH_LLM_FIELD_COUNT_ ? field_names[field] : "unknown";
}

unsigned sh_llm_fields_normalize(unsigned fields)
{
    fields &= SH_LLM_FIELDS_ALL;
    return fields ? fields : SH_LLM_FIELDS_ALL;
}

static bool want(unsigned fields, sh_llm_field f)
{
    return (fields & SH_LLM_FIELD_BIT(f)) != 0;
}

/* A trimmed copy as a JSON string, or NULL for unset/blank text. */
static json_t *trimmed(const char *s)
{
    if (!s)
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return n ? json_stringn(s, n) : NULL; /* NULL also for invalid UTF-8 */
}

static int cmp_json_str(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* Sorted, de-duplicated names: the cache key must not depend on order. */
static json_t *sorted_names(const char *const *names, const sh_llm_candidate *cands, size_t n)
{
    json_t **tmp = calloc(n ? n : 1, sizeof(json_t *));
    json_t *arr = json_array();
    if (!tmp || !arr) {
        free(tmp);
        json_decref(arr);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *s = trimmed(names ? names[i] : cands[i].name);
        if (s)
            tmp[k++] = s;
    }
    qsort(tmp, k, sizeof(json_t *), cmp_json_str);
    const char *last = NULL; /* owned by arr */
    for (size_t i = 0; i < k; i++) {
        if (last && strcmp(json_string_value(tmp[i]), last) == 0) {
            json_decref(tmp[i]);
        } else {
            last = json_string_value(tmp[i]);
            json_array_append_new(arr, tmp[i]);
        }
    }
    free(tmp);
    return arr;
}

static void set_opt(json_t *obj, const char *key, json_t *value)
{
    if (value)
        json_object_set_new(obj, key, value);
}

json_t *sh_llm_scene_json(const sh_llm_scene_input *scene, unsigned fields)
{
    fields = sh_llm_fields_normalize(fields);
    json_t *o = json_object();
    json_t *paths = json_array();
    json_t *cur = json_object();
    json_t *cands = json_object();
    if (!o || !paths || !cur || !cands)
        goto fail;
    json_object_set_new(o, "scene_id", json_integer(scene->id));
    for (size_t i = 0; i < scene->n_paths; i++) /* order kept: the first is primary */
        if (scene->paths[i])
            json_array_append_new(paths, json_string(scene->paths[i]));
    json_object_set_new(o, "paths", paths);
    paths = NULL;
    set_opt(cur, "title", trimmed(scene->title));
    set_opt(cur, "date", trimmed(scene->date));
    set_opt(cur, "details", trimmed(scene->details));
    set_opt(cur, "studio", trimmed(scene->studio));
    if (scene->n_performers)
        set_opt(cur, "performers", sorted_names(scene->performers, NULL, scene->n_performers));
    if (scene->n_tags)
        set_opt(cur, "tags", sorted_names(scene->tags, NULL, scene->n_tags));
    json_object_set_new(o, "current", cur);
    cur = NULL;
    if (want(fields, SH_LLM_STUDIO))
        set_opt(cands, "studios",
                sorted_names(NULL, scene->studio_candidates, scene->n_studio_candidates));
    if (want(fields, SH_LLM_PERFORMERS))
        set_opt(cands, "performers",
                sorted_names(NULL, scene->performer_candidates, scene->n_performer_candidates));
    if (want(fields, SH_LLM_TAGS))
        set_opt(cands, "tags", sorted_names(NULL, scene->tag_candidates, scene->n_tag_candidates));
    json_object_set_new(o, "candidates", cands);
    return o;
fail:
    json_decref(o);
    json_decref(paths);
    json_decref(cur);
    json_decref(cands);
    return NULL;
}

/* {"type":"object", "additionalProperties":false, "required":[...], "properties":props} */
static json_t *strict_object(json_t *props)
{
    json_t *req = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(props, key, v)
    {
        json_array_append_new(req, json_string(key));
    }
    return json_pack("{s:s, s:b, s:o, s:o}", "type", "object", "additionalProperties", 0,
                     "required", req, "properties", props);
}

static json_t *nullable(json_t *schema)
{
    return json_pack("{s:[o, {s:s}]}", "anyOf", schema, "type", "null");
}

static json_t *pick_schema(json_t *name_enum)
{
    json_t *name = json_pack("{s:s}", "type", "string");
    if (name_enum)
        json_object_set_new(name, "enum", name_enum);
    return strict_object(json_pack("{s:o, s:{s:s}, s:{s:s}}", "name", name, "confidence", "type",
                                   "number", "reason", "type", "string"));
}

static json_t *text_schema(const char *description)
{
    return strict_object(json_pack("{s:{s:s, s:s}, s:{s:s}, s:{s:s}}", "value", "type", "string",
                                   "description", description, "confidence", "type", "number",
                                   "reason", "type", "string"));
}

/* The union of the scenes' candidate names of one kind, or NULL when an
 * enum would not help (new names allowed, none, or too many). */
static json_t *name_enum(const sh_llm_scene_input *const *scenes, size_t n, sh_llm_field kind,
                         bool allow_new)
{
    if (allow_new)
        return NULL;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += kind == SH_LLM_STUDIO       ? scenes[i]->n_studio_candidates
                 : kind == SH_LLM_PERFORMERS ? scenes[i]->n_performer_candidates
                                             : scenes[i]->n_tag_candidates;
    if (total == 0 || total > ENUM_MAX_VALUES)
        return NULL;
    const char **names = calloc(total, sizeof *names);
    if (!names)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const sh_llm_scene_input *s = scenes[i];
        const sh_llm_candidate *c = kind == SH_LLM_STUDIO       ? s->studio_candidates
                                    : kind == SH_LLM_PERFORMERS ? s->performer_candidates
                                                                : s->tag_candidates;
        size_t m = kind == SH_LLM_STUDIO       ? s->n_studio_candidates
                   : kind == SH_LLM_PERFORMERS ? s->n_performer_candidates
                                               : s->n_tag_candidates;
        for (size_t j = 0; j < m; j++)
            names[k++] = c[j].name;
    }
    json_t *arr = sorted_names(names, NULL, k);
    free(names);
    if (arr && json_array_size(arr) == 0) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

json_t *sh_llm_answer_schema(const sh_llm_scene_input *const *scenes, size_t n, unsigned fields,
                             bool allow_new)
{
    fields = sh_llm_fields_normalize(fields);
    json_t *props = json_pack("{s:{s:s}}", "scene_id", "type", "integer");
    if (!props)
        return NULL;
    if (want(fields, SH_LLM_STUDIO))
        json_object_set_new(props, "studio",
                            nullable(pick_schema(name_enum(scenes, n, SH_LLM_STUDIO, allow_new))));
    if (want(fields, SH_LLM_PERFORMERS))
        json_object_set_new(
            props, "performers",
            json_pack("{s:s, s:o}", "type", "array", "items",
                      pick_schema(name_enum(scenes, n, SH_LLM_PERFORMERS, allow_new))));
    if (want(fields, SH_LLM_TAGS))
        json_object_set_new(props, "tags",
                            json_pack("{s:s, s:o}", "type", "array", "items",
                                      pick_schema(name_enum(scenes, n, SH_LLM_TAGS, allow_new))));
    if (want(fields, SH_LLM_TITLE))
        json_object_set_new(props, "title", nullable(text_schema("the scene's title")));
    if (want(fields, SH_LLM_DATE))
        json_object_set_new(props, "date", nullable(text_schema("release date, YYYY-MM-DD")));
    if (want(fields, SH_LLM_DETAILS))
        json_object_set_new(props, "details",
                            nullable(text_schema("one or two short factual sentences")));
    return strict_object(
        json_pack("{s:{s:s, s:o}}", "scenes", "type", "array", "items", strict_object(props)));
}

static const char system_prompt[] =
    "You fill in metadata for scenes of a video library managed by Stash. For each scene you get "
    "its file paths, the metadata it already has (\"current\") and candidate studios, performers "
    "and tags from the library. Propose only what the evidence supports:\n"
    "- studio, performers, tags: choose from that scene's candidates and copy their names exactly"
    "%s\n"
    "- date: only when the path or metadata shows it, as YYYY-MM-DD\n"
    "- title: only when the scene has none, or its title is just a file name\n"
    "- details: only when the scene has none; one or two short factual sentences from the given "
    "information, no speculation\n"
    "Give every value a confidence between 0 and 1 and a short reason. Answer every scene_id; use "
    "null or an empty list when there is nothing to propose.";

char *sh_llm_build_request(const char *model, double temperature,
                           const sh_llm_scene_input *const *scenes, size_t n, unsigned fields,
                           bool allow_new, size_t *len_out)
{
    fields = sh_llm_fields_normalize(fields);
    char *body = NULL, *block = NULL, *sys = NULL, *user = NULL;
    json_t *req = NULL;
    json_t *doc = json_pack("{s:[], s:[]}", "fields", "scenes");
    json_t *schema = sh_llm_answer_schema(scenes, n, fields, allow_new);
    if (!doc || !schema)
        goto out;
    for (unsigned f = 0; f < SH_LLM_FIELD_COUNT_; f++)
        if (want(fields, (sh_llm_field)f))
            json_array_append_new(json_object_get(doc, "fields"), json_string(field_names[f]));
    for (size_t i = 0; i < n; i++) {
        json_t *s = sh_llm_scene_json(scenes[i], fields);
        if (!s || json_array_append_new(json_object_get(doc, "scenes"), s) != 0)
            goto out;
    }
    block = json_dumps(doc, JSON_COMPACT);
    sys = sh_strdup_printf(system_prompt,
                           allow_new ? "; propose a name that is not a candidate only when the "
                                       "path clearly names it and no candidate fits"
                                     : "; never invent names");
    if (!block || !sys)
        goto out;
    user = sh_strdup_printf("Propose metadata (fields: see \"fields\") for these %zu scene%s.\n"
                            "%s\n%s",
                            n, n == 1 ? "" : "s", SH_LLM_SCENES_MARKER, block);
    if (!user)
        goto out;
    req = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}], s:{s:s, s:{s:s, s:b, s:O}}}", "model", model,
                    "messages", "role", "system", "content", sys, "role", "user", "content", user,
                    "response_format", "type", "json_schema", "json_schema", "name",
                    "scene_metadata", "strict", 1, "schema", schema);
    if (!req)
        goto out;
    if (temperature >= 0)
        json_object_set_new(req, "temperature", json_real(temperature));
    body = json_dumps(req, JSON_COMPACT);
    if (body && len_out)
        *len_out = strlen(body);
out:
    json_decref(req);
    json_decref(doc);
    json_decref(schema);
    free(block);
    free(sys);
    free(user);
    return body;
}
