/* llm-parse.c - checking and interpreting the model's answer.
 *
 * Two stages.  The structural check enforces the JSON schema we asked for
 * (types, required keys): a violation fails the whole request, because a
 * model that breaks the format cannot be trusted on the content either.  The
 * semantic stage then turns one scene's answer into a result: names are
 * matched against that scene's candidates (case and punctuation folded),
 * unknown ones dropped or kept as new, confidences clamped to 0..1, dates
 * that are not real calendar days rejected, over-long texts discarded. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "llm/llm-internal.h"

/* ------------------------------------------------------------ structure */

static sh_status violation(sh_error *err, size_t index, const char *field, const char *what)
{
    return sh_error_set(err, SH_ERR_PROTOCOL, "LLM answer violates the schema: scenes[%zu].%s %s",
                        index, field, what);
}

static sh_status check_pick(const json_t *p, size_t index, const char *field, sh_error *err)
{
    if (!json_is_object(p))
        return violation(err, index, field, "is not an object");
    if (!json_is_string(json_object_get(p, "name")))
        return violation(err, index, field, "has no name string");
    if (!json_is_number(json_object_get(p, "confidence")))
        return violation(err, index, field, "has no numeric confidence");
    if (!json_is_string(json_object_get(p, "reason")))
        return violation(err, index, field, "has no reason string");
    return SH_OK;
}

static sh_status check_text(const json_t *t, size_t index, const char *field, sh_error *err)
{
    if (json_is_null(t))
        return SH_OK;
    if (!json_is_object(t))
        return violation(err, index, field, "is neither null nor an object");
    if (!json_is_string(json_object_get(t, "value")))
        return violation(err, index, field, "has no value string");
    if (!json_is_number(json_object_get(t, "confidence")))
        return violation(err, index, field, "has no numeric confidence");
    if (!json_is_string(json_object_get(t, "reason")))
        return violation(err, index, field, "has no reason string");
    return SH_OK;
}

sh_status sh_llm_check_scene_answer(const json_t *scene, unsigned fields, size_t index,
                                    sh_error *err)
{
    sh_status rc;
    fields = sh_llm_fields_normalize(fields);
    if (!json_is_object(scene))
        return violation(err, index, "", "is not an object");
    if (!json_is_integer(json_object_get(scene, "scene_id")))
        return violation(err, index, "scene_id", "is not an integer");
    for (unsigned f = 0; f < SH_LLM_FIELD_COUNT_; f++) {
        if (!(fields & SH_LLM_FIELD_BIT(f)))
            continue;
        const char *name = sh_llm_field_name((sh_llm_field)f);
        const json_t *v = json_object_get(scene, name);
        if (!v)
            return violation(err, index, name, "is missing");
        if (f == SH_LLM_STUDIO) {
            if (!json_is_null(v) && (rc = check_pick(v, index, name, err)) != SH_OK)
                return rc;
        } else if (f == SH_LLM_PERFORMERS || f == SH_LLM_TAGS) {
            if (!json_is_array(v))
                return violation(err, index, name, "is not an array");
            size_t i;
            const json_t *p;
            json_array_foreach(v, i, p)
            {
                if ((rc = check_pick(p, index, name, err)) != SH_OK)
                    return rc;
            }
        } else if ((rc = check_text(v, index, name, err)) != SH_OK) {
            return rc;
        }
    }
    return SH_OK;
}

/* Local models sometimes wrap JSON in a Markdown fence despite the schema. */
static const char *strip_fence(const char *s, size_t *len)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= 6 && strncmp(s, "```", 3) == 0 && strncmp(s + n - 3, "```", 3) == 0) {
        const char *nl = memchr(s, '\n', n);
        if (nl) {
            n = (size_t)(s + n - 3 - (nl + 1));
            s = nl + 1;
        }
    }
    *len = n;
    return s;
}

sh_status sh_llm_parse_answer(const char *content, const int64_t *ids, size_t n, unsigned fields,
                              json_t **per_scene, sh_error *err)
{
    for (size_t i = 0; i < n; i++)
        per_scene[i] = NULL;
    size_t len = 0;
    const char *text = strip_fence(content, &len);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (!root)
        return sh_error_set(err, SH_ERR_PROTOCOL, "LLM answer is not valid JSON: %s (column %d)",
                            jerr.text, jerr.column);
    sh_status rc = SH_OK;
    json_t *scenes = json_object_get(root, "scenes");
    if (!json_is_array(scenes)) {
        rc = sh_error_set(err, SH_ERR_PROTOCOL,
                          "LLM answer violates the schema: no \"scenes\" array");
        goto out;
    }
    size_t i;
    json_t *s;
    json_array_foreach(scenes, i, s)
    {
        if ((rc = sh_llm_check_scene_answer(s, fields, i, err)) != SH_OK)
            goto out;
    }
    json_array_foreach(scenes, i, s)
    {
        json_int_t id = json_integer_value(json_object_get(s, "scene_id"));
        for (size_t k = 0; k < n; k++) {
            if (ids[k] == id && !per_scene[k]) { /* first answer for an id wins */
                per_scene[k] = json_incref(s);
                break;
            }
        }
    }
out:
    if (rc != SH_OK)
        for (size_t k = 0; k < n; k++) {
            json_decref(per_scene[k]);
            per_scene[k] = NULL;
        }
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------ semantics */

bool sh_llm_date_valid(const char *date)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!date || strlen(date) != 10 || date[4] != '-' || date[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)date[i]))
            return false;
    int y = (int)strtol(date, NULL, 10), m = (int)strtol(date + 5, NULL, 10),
        d = (int)strtol(date + 8, NULL, 10);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    if (y < 1900 || y > tm.tm_year + 1900 + 1 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

static double clamp01(double v)
{
    if (!(v >= 0)) /* also NaN */
        return 0;
    return v > 1 ? 1 : v;
}

/* Lower-case ASCII letters and digits only; other bytes (UTF-8) kept. */
static void fold(const char *s, char *out, size_t len)
{
    size_t j = 0;
    for (; *s && j + 1 < len; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80)
            out[j++] = (char)c;
        else if (isalnum(c))
            out[j++] = (char)tolower(c);
    }
    out[j] = '\0';
}

static const sh_llm_candidate *find_candidate(const sh_llm_candidate *c, size_t n, const char *name)
{
    char want[256], have[256];
    fold(name, want, sizeof want);
    if (!want[0])
        return NULL;
    for (size_t i = 0; i < n; i++) /* an exact match beats a folded one */
        if (c[i].name && strcmp(c[i].name, name) == 0)
            return &c[i];
    for (size_t i = 0; i < n; i++) {
        if (!c[i].name)
            continue;
        fold(c[i].name, have, sizeof have);
        if (strcmp(have, want) == 0)
            return &c[i];
    }
    return NULL;
}

/* Trimmed arena copy; NULL for blank or longer than max bytes. */
static char *clean_text(sh_arena *a, const char *s, size_t max)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n > max)
        return NULL;
    return sh_arena_strndup(a, s, n);
}

static char *clean_reason(sh_arena *a, const json_t *obj)
{
    const char *r = json_string_value(json_object_get(obj, "reason"));
    size_t n = r ? strlen(r) : 0;
    if (n > SH_LLM_REASON_MAX) { /* cut at a UTF-8 character boundary */
        n = SH_LLM_REASON_MAX;
        while (n > 0 && ((unsigned char)r[n] & 0xC0) == 0x80)
            n--;
    }
    return sh_arena_strndup(a, r ? r : "", n);
}

/* Resolves a pick; false when it was dropped. */
static bool resolve_pick(sh_arena *a, const json_t *p, const sh_llm_candidate *c, size_t n,
                         bool allow_new, sh_llm_pick *out)
{
    const char *name = json_string_value(json_object_get(p, "name"));
    const sh_llm_candidate *hit = find_candidate(c, n, name);
    memset(out, 0, sizeof *out);
    if (hit) {
        out->id = hit->id;
        out->name = sh_arena_strdup(a, hit->name);
    } else {
        if (!allow_new || !(out->name = clean_text(a, name, 200)))
            return false;
        out->is_new = true;
    }
    out->confidence = clamp01(json_number_value(json_object_get(p, "confidence")));
    out->reason = clean_reason(a, p);
    return out->name && out->reason;
}

static sh_status resolve_set(sh_arena *a, const json_t *arr, const sh_llm_candidate *c, size_t n,
                             bool allow_new, sh_llm_pick **out, size_t *n_out, size_t *dropped)
{
    size_t total = json_array_size(arr), k = 0;
    *out = NULL;
    *n_out = 0;
    if (total == 0)
        return SH_OK;
    sh_llm_pick *picks = sh_arena_alloc(a, total * sizeof *picks);
    if (!picks)
        return SH_ERR_NOMEM;
    for (size_t i = 0; i < total; i++) {
        sh_llm_pick p;
        if (!resolve_pick(a, json_array_get(arr, i), c, n, allow_new, &p)) {
            (*dropped)++;
            continue;
        }
        bool dup = false; /* the same entity twice: keep the first */
        for (size_t j = 0; j < k && !dup; j++)
            dup = p.is_new ? picks[j].is_new && strcmp(picks[j].name, p.name) == 0
                           : picks[j].id == p.id;
        if (!dup)
            picks[k++] = p;
    }
    *out = picks;
    *n_out = k;
    return SH_OK;
}

/* current (untrimmed, may be NULL) equals v (trimmed)? */
static bool same_text(const char *current, const char *v)
{
    if (!current)
        return false;
    while (isspace((unsigned char)*current))
        current++;
    size_t n = strlen(v);
    if (strncmp(current, v, n) != 0)
        return false;
    for (current += n; *current; current++)
        if (!isspace((unsigned char)*current))
            return false;
    return true;
}

static void resolve_text(sh_arena *a, const json_t *t, sh_llm_field f, const char *current,
                         sh_llm_text *out, size_t *dropped)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(t))
        return;
    size_t max = f == SH_LLM_DETAILS ? SH_LLM_DETAILS_MAX
                 : f == SH_LLM_DATE  ? 10
                                     : SH_LLM_TITLE_MAX;
    char *v = clean_text(a, json_string_value(json_object_get(t, "value")), max);
    bool ok = v != NULL;
    if (ok && f == SH_LLM_DATE)
        ok = sh_llm_date_valid(v);
    /* details are only written for scenes that have none */
    if (ok && f == SH_LLM_DETAILS && !sh_str_empty(current))
        ok = false;
    if (!ok) {
        (*dropped)++;
        return;
    }
    if (same_text(current, v))
        return; /* no change: nothing to propose */
    out->value = v;
    out->confidence = clamp01(json_number_value(json_object_get(t, "confidence")));
    out->reason = clean_reason(a, t);
}

sh_status sh_llm_resolve_scene(const json_t *answer, const sh_llm_scene_input *scene,
                               unsigned fields, bool allow_new, sh_llm_scene_result *result,
                               sh_error *err)
{
    fields = sh_llm_fields_normalize(fields);
    sh_status rc = sh_llm_check_scene_answer(answer, fields, 0, err);
    if (rc != SH_OK)
        return rc;
    if (!result->arena && !(result->arena = sh_arena_create()))
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    sh_arena *a = result->arena;
    result->scene_id = scene->id;
    if (fields & SH_LLM_FIELD_BIT(SH_LLM_STUDIO)) {
        const json_t *s = json_object_get(answer, "studio");
        if (json_is_object(s)) {
            result->has_studio =
                resolve_pick(a, s, scene->studio_candidates, scene->n_studio_candidates, allow_new,
                             &result->studio);
            if (!result->has_studio)
                result->n_dropped++;
        }
    }
    if ((fields & SH_LLM_FIELD_BIT(SH_LLM_PERFORMERS)) &&
        resolve_set(a, json_object_get(answer, "performers"), scene->performer_candidates,
                    scene->n_performer_candidates, allow_new, &result->performers,
                    &result->n_performers, &result->n_dropped) != SH_OK)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    if ((fields & SH_LLM_FIELD_BIT(SH_LLM_TAGS)) &&
        resolve_set(a, json_object_get(answer, "tags"), scene->tag_candidates,
                    scene->n_tag_candidates, allow_new, &result->tags, &result->n_tags,
                    &result->n_dropped) != SH_OK)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    if (fields & SH_LLM_FIELD_BIT(SH_LLM_TITLE))
        resolve_text(a, json_object_get(answer, "title"), SH_LLM_TITLE, scene->title,
                     &result->title, &result->n_dropped);
    if (fields & SH_LLM_FIELD_BIT(SH_LLM_DATE))
        resolve_text(a, json_object_get(answer, "date"), SH_LLM_DATE, scene->date, &result->date,
                     &result->n_dropped);
    if (fields & SH_LLM_FIELD_BIT(SH_LLM_DETAILS))
        resolve_text(a, json_object_get(answer, "details"), SH_LLM_DETAILS, scene->details,
                     &result->details, &result->n_dropped);
    result->status = SH_OK;
    return SH_OK;
}

void sh_llm_scene_result_fini(sh_llm_scene_result *result)
{
    if (!result)
        return;
    sh_arena_destroy(result->arena);
    memset(result, 0, sizeof *result);
}

void sh_llm_scene_results_fini(sh_llm_scene_result *results, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sh_llm_scene_result_fini(&results[i]);
}
