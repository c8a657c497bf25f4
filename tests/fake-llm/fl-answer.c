/* fl-answer.c - the fake LLM's deterministic "reasoning".
 *
 * A real model reads the prompt; the fake reads the JSON block the prompt
 * carries and applies simple, predictable rules, so tests can tell exactly
 * what a correct client must end up with:
 *   studio      the longest candidate whose folded name occurs in a path
 *   performers  every candidate whose folded name occurs in a path
 *   tags        likewise
 *   date        YYYY-MM-DD / YYYY.MM.DD / YY.MM.DD in a path
 *   title       the file name without extension, separators as spaces,
 *               only when the scene has no title
 *   details     one sentence naming studio and performers, only when the
 *               scene has no details
 * "Folded" means lower-case ASCII letters and digits only, so "Jane Doe"
 * matches "jane.doe", "Jane_Doe" and "JaneDoe". */
#include "fake-llm.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCENES_MARKER "Scenes (JSON):"

static char *fold(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    if (!out)
        abort();
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) && c < 0x80)
            out[j++] = (char)tolower(c);
    }
    out[j] = '\0';
    return out;
}

static json_t *pick(const char *name, double confidence, const char *reason)
{
    return json_pack("{s:s, s:f, s:s}", "name", name, "confidence", confidence, "reason", reason);
}

static json_t *text_value(const char *value, double confidence, const char *reason)
{
    return json_pack("{s:s, s:f, s:s}", "value", value, "confidence", confidence, "reason", reason);
}

static bool valid_ymd(int y, int m, int d)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

static bool is_sep(char c)
{
    return c == '-' || c == '.' || c == '_' || c == ' ';
}

/* The value of n ASCII digits (already checked to be digits). */
static int digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/* Finds a date in s; writes YYYY-MM-DD into out. */
static bool find_date(const char *s, char out[11])
{
    size_t n = strlen(s);
    for (size_t i = 0; i + 8 <= n; i++) {
        if (i > 0 && isdigit((unsigned char)s[i - 1]))
            continue;
        int y, m, d;
        const char *p = s + i;
        if (i + 10 <= n && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
            isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) && is_sep(p[4]) &&
            isdigit((unsigned char)p[5]) && isdigit((unsigned char)p[6]) && is_sep(p[7]) &&
            isdigit((unsigned char)p[8]) && isdigit((unsigned char)p[9]) &&
            !(i + 10 < n && isdigit((unsigned char)p[10])) &&
            valid_ymd(y = digits(p, 4), m = digits(p + 5, 2), d = digits(p + 8, 2))) {
            snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
            return true;
        }
        if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && is_sep(p[2]) &&
            isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4]) && is_sep(p[5]) &&
            isdigit((unsigned char)p[6]) && isdigit((unsigned char)p[7]) &&
            !(i + 8 < n && isdigit((unsigned char)p[8])) &&
            valid_ymd(y = 2000 + digits(p, 2), m = digits(p + 3, 2), d = digits(p + 6, 2))) {
            snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
            return true;
        }
    }
    return false;
}

/* File name of path without extension, separators turned into spaces. */
static char *title_from_path(const char *path)
{
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *out = malloc(n + 1);
    if (!out)
        abort();
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = is_sep(base[i]) ? ' ' : base[i];
        if (c == ' ' && (j == 0 || out[j - 1] == ' '))
            continue;
        out[j++] = c;
    }
    while (j > 0 && out[j - 1] == ' ')
        j--;
    out[j] = '\0';
    return out;
}

static bool has_text(const json_t *current, const char *key)
{
    const char *v = json_string_value(json_object_get(current, key));
    return v && *v;
}

/* Candidates of one kind whose folded names occur in the folded paths. */
static json_t *matches(const json_t *names, const char *hay, bool longest_only)
{
    json_t *out = json_array();
    const char *best = NULL;
    size_t best_len = 0, i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        const char *name = json_string_value(v);
        if (!name)
            continue;
        char *f = fold(name);
        size_t len = strlen(f);
        if (len >= 3 && strstr(hay, f)) {
            if (!longest_only)
                json_array_append_new(out, pick(name, 0.9, "name found in the file path"));
            else if (len > best_len) {
                best = name;
                best_len = len;
            }
        }
        free(f);
    }
    if (longest_only && best)
        json_array_append_new(out, pick(best, 0.9, "name found in the file path"));
    return out;
}

static void add_details(json_t *ans, const json_t *studio, const json_t *performers)
{
    char buf[1024];
    size_t pos = 0;
    const char *sname = json_string_value(json_object_get(studio, "name"));
    pos +=
        (size_t)snprintf(buf, sizeof buf, "A scene%s%s", sname ? " from " : "", sname ? sname : "");
    size_t n = json_array_size(performers);
    for (size_t i = 0; i < n && pos < sizeof buf - 64; i++) {
        const char *p = json_string_value(json_object_get(json_array_get(performers, i), "name"));
        pos += (size_t)snprintf(buf + pos, sizeof buf - pos, "%s%s",
                                i == 0 ? " featuring " : (i + 1 == n ? " and " : ", "), p);
    }
    if (pos >= sizeof buf - 2)
        pos = sizeof buf - 2;
    snprintf(buf + pos, sizeof buf - pos, ".");
    if (!sname && n == 0)
        json_object_set_new(ans, "details", json_null());
    else
        json_object_set_new(ans, "details", text_value(buf, 0.6, "summarised from the matches"));
}

static json_t *answer_scene(const json_t *scene, const json_t *fields, bool invalid_values)
{
    json_t *ans = json_object();
    json_object_set(ans, "scene_id", json_object_get(scene, "scene_id"));
    const json_t *current = json_object_get(scene, "current");
    const json_t *cands = json_object_get(scene, "candidates");

    /* hay: all paths folded; the first path names the title */
    char *joined = NULL;
    size_t jlen = 0;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(scene, "paths"), i, p)
    {
        const char *s = json_string_value(p);
        if (!s)
            continue;
        size_t n = strlen(s);
        joined = realloc(joined, jlen + n + 2);
        if (!joined)
            abort();
        memcpy(joined + jlen, s, n);
        jlen += n;
        joined[jlen++] = '\n';
        joined[jlen] = '\0';
    }
    if (!joined)
        joined = calloc(1, 1);
    char *hay = fold(joined);

    json_t *studio = matches(json_object_get(cands, "studios"), hay, true);
    json_t *performers = matches(json_object_get(cands, "performers"), hay, false);
    json_t *tags = matches(json_object_get(cands, "tags"), hay, false);
    if (invalid_values) {
        json_array_append_new(tags, pick("Not A Candidate", 0.8, "invented"));
        if (json_array_size(performers) > 0)
            json_real_set(json_object_get(json_array_get(performers, 0), "confidence"), 1.5);
    }
    json_t *studio_pick = json_array_size(studio) ? json_array_get(studio, 0) : NULL;

    json_array_foreach(fields, i, p)
    {
        const char *f = json_string_value(p);
        if (!f)
            continue;
        if (strcmp(f, "studio") == 0) {
            json_object_set(ans, "studio", studio_pick ? studio_pick : json_null());
        } else if (strcmp(f, "performers") == 0) {
            json_object_set(ans, "performers", performers);
        } else if (strcmp(f, "tags") == 0) {
            json_object_set(ans, "tags", tags);
        } else if (strcmp(f, "date") == 0) {
            char date[11];
            if (invalid_values)
                json_object_set_new(ans, "date", text_value("2021-02-30", 0.8, "invented"));
            else if (find_date(joined, date))
                json_object_set_new(ans, "date", text_value(date, 0.8, "date in the file path"));
            else
                json_object_set_new(ans, "date", json_null());
        } else if (strcmp(f, "title") == 0) {
            char *t = title_from_path(joined);
            char *nl = strchr(t, '\n');
            if (nl)
                *nl = '\0';
            if (has_text(current, "title") || !*t)
                json_object_set_new(ans, "title", json_null());
            else
                json_object_set_new(ans, "title", text_value(t, 0.5, "from the file name"));
            free(t);
        } else if (strcmp(f, "details") == 0) {
            if (has_text(current, "details"))
                json_object_set_new(ans, "details", json_null());
            else
                add_details(ans, studio_pick, performers);
        }
    }
    json_decref(studio);
    json_decref(performers);
    json_decref(tags);
    free(hay);
    free(joined);
    return ans;
}

/* Requested fields: the properties of the schema's scene object, else the
 * "fields" list of the JSON block. */
static json_t *requested_fields(const json_t *request, const json_t *block)
{
    static const char *const path[] = {"response_format", "json_schema", "schema",    "properties",
                                       "scenes",          "items",       "properties"};
    const json_t *props = request;
    for (size_t i = 0; i < sizeof path / sizeof path[0] && props; i++)
        props = json_object_get(props, path[i]);
    json_t *fields = json_array();
    if (json_is_object(props)) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)props, key, v)
        {
            if (strcmp(key, "scene_id") != 0)
                json_array_append_new(fields, json_string(key));
        }
    } else if (json_is_array(json_object_get(block, "fields"))) {
        json_array_extend(fields, json_object_get(block, "fields"));
    }
    return fields;
}

int fl_answer_build(const json_t *request, bool invalid_values, fl_answer *out, char *err,
                    size_t errlen)
{
    memset(out, 0, sizeof *out);
    const json_t *messages = json_object_get(request, "messages");
    if (!json_is_array(messages) || json_array_size(messages) == 0) {
        snprintf(err, errlen, "'messages' must be a non-empty array");
        return -1;
    }
    const char *user = NULL;
    size_t i;
    json_t *m;
    json_array_foreach(messages, i, m)
    {
        const char *content = json_string_value(json_object_get(m, "content"));
        if (!content) {
            snprintf(err, errlen, "messages[%zu].content must be a string", i);
            return -1;
        }
        out->prompt_chars += strlen(content);
        const char *role = json_string_value(json_object_get(m, "role"));
        if (role && strcmp(role, "user") == 0)
            user = content;
    }
    if (!user) {
        snprintf(err, errlen, "no user message");
        return -1;
    }
    const char *marker = strstr(user, SCENES_MARKER);
    json_t *answer = json_object();
    json_t *scenes = json_array();
    json_object_set_new(answer, "scenes", scenes);
    if (!marker) { /* a plain chat (e.g. a connection test): answer politely */
        json_decref(answer);
        out->content = json_pack("{s:s}", "reply", "OK");
        return 0;
    }
    json_error_t jerr;
    json_t *block = json_loads(marker + strlen(SCENES_MARKER), JSON_DISABLE_EOF_CHECK, &jerr);
    if (!json_is_array(json_object_get(block, "scenes"))) {
        snprintf(err, errlen, "the scenes block is not valid JSON: %s", jerr.text);
        json_decref(block);
        json_decref(answer);
        return -1;
    }
    json_t *fields = requested_fields(request, block);
    json_t *scene;
    json_array_foreach(json_object_get(block, "scenes"), i, scene)
    {
        json_array_append_new(scenes, answer_scene(scene, fields, invalid_values));
        out->n_scenes++;
    }
    json_decref(fields);
    json_decref(block);
    out->content = answer;
    return 0;
}
