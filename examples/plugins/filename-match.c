/* filename-match.c - an example StashHog analyzer plugin (protocol 1, see
 * examples/README.md).
 *
 * For each scene it looks at the primary file's name and proposes:
 *   - studios, performers and tags among the request's candidates whose
 *     name (or an alias) occurs there as whole words;
 *   - a title made from the file name, when the scene has none.
 * It reads one JSON request on stdin and writes one JSON response on
 * stdout; diagnostics go to stderr (the daemon logs them).  It needs only
 * libjansson, which the daemon itself uses.
 *
 * Build: cc -std=c17 -O2 filename-match.c -ljansson -o stashhog-plugin-example */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* " lower case words " of s: every run of non-alphanumerics becomes one
 * space, with a space at both ends so " word " finds whole words. */
static char *fold(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 3), *o = out;
    if (!out)
        return NULL;
    *o++ = ' ';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c >= 0x80)
            *o++ = (char)tolower(c);
        else if (o[-1] != ' ')
            *o++ = ' ';
    }
    if (o[-1] != ' ')
        *o++ = ' ';
    *o = '\0';
    return out;
}

/* The file name without directories and extension. */
static char *stem(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot > b ? (size_t)(dot - b) : strlen(b);
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, b, n);
        out[n] = '\0';
    }
    return out;
}

static int wants(const json_t *req, const char *field)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(req, "fields"), i, f)
        if (json_is_string(f) && strcmp(json_string_value(f), field) == 0)
            return 1;
    return 0;
}

/* Does the folded file name hold this name as whole words? */
static int occurs(const char *folded_name, const char *text)
{
    char *n = fold(text);
    int hit = n && strlen(n) > 3 && strstr(folded_name, n) != NULL; /* "  x " is too short to mean anything */
    free(n);
    return hit;
}

/* Candidates of one kind found in the file name, as proposal items. */
static json_t *matches(const json_t *cands, const char *folded, size_t max)
{
    json_t *items = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(cands, i, c) {
        if (json_array_size(items) >= max)
            break;
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *via = NULL;
        double conf = 0.7;
        if (name && occurs(folded, name)) {
            via = name;
        } else {
            size_t k;
            json_t *a;
            json_array_foreach(json_object_get(c, "aliases"), k, a)
                if (json_is_string(a) && occurs(folded, json_string_value(a))) {
                    via = json_string_value(a);
                    conf = 0.6;
                    break;
                }
        }
        if (!via)
            continue;
        char reason[300];
        snprintf(reason, sizeof reason, "\"%.120s\" appears in the file name", via);
        json_array_append_new(items, json_pack("{s:O,s:f,s:s}", "id", json_object_get(c, "id"), "confidence", conf,
                                               "reason", reason));
    }
    return items;
}

/* "Some.Scene_Title-1080p" -> "Some Scene Title-1080p": separators to spaces. */
static json_t *title_from(const char *st)
{
    char *t = strdup(st), *o = t;
    if (!t)
        return NULL;
    for (const char *p = st; *p; p++) {
        char c = *p == '.' || *p == '_' ? ' ' : *p;
        if (c == ' ' && (o == t || o[-1] == ' '))
            continue;
        *o++ = c;
    }
    while (o > t && o[-1] == ' ')
        o--;
    *o = '\0';
    json_t *j = *t ? json_pack("{s:s,s:s,s:f,s:s}", "field", "title", "value", t, "confidence", 0.4, "reason",
                               "made from the file name")
                   : NULL;
    free(t);
    return j;
}

static json_t *analyze(const json_t *req, const json_t *scene)
{
    json_t *props = json_array();
    const json_t *file = json_array_get(json_object_get(scene, "files"), 0);
    const char *path = json_string_value(json_object_get(file, "path"));
    if (!path)
        return json_pack("{s:O,s:o}", "id", json_object_get(scene, "id"), "proposals", props);
    char *st = stem(path), *folded = st ? fold(st) : NULL;
    const json_t *cands = json_object_get(scene, "candidates");
    static const struct {
        const char *field, *key;
        size_t max;
    } kinds[] = {{"studio", "studios", 1}, {"performers", "performers", 16}, {"tags", "tags", 16}};
    for (size_t k = 0; folded && k < sizeof kinds / sizeof kinds[0]; k++) {
        if (!wants(req, kinds[k].field))
            continue;
        json_t *items = matches(json_object_get(cands, kinds[k].key), folded, kinds[k].max);
        if (json_array_size(items))
            json_array_append_new(props, json_pack("{s:s,s:o}", "field", kinds[k].field, "items", items));
        else
            json_decref(items);
    }
    const char *title = json_string_value(json_object_get(scene, "title"));
    if (st && wants(req, "title") && (!title || !*title)) {
        json_t *t = title_from(st);
        if (t)
            json_array_append_new(props, t);
    }
    free(st);
    free(folded);
    return json_pack("{s:O,s:o}", "id", json_object_get(scene, "id"), "proposals", props);
}

int main(void)
{
    json_error_t je;
    json_t *req = json_loadf(stdin, 0, &je);
    if (!json_is_object(req)) {
        fprintf(stderr, "filename-match: bad request: %s (line %d)\n", je.text, je.line);
        return 2;
    }
    if (json_integer_value(json_object_get(req, "protocol")) != 1) {
        printf("{\"error\": \"filename-match speaks protocol 1 only\"}\n");
        return 0;
    }
    json_t *out = json_array();
    size_t i;
    json_t *scene;
    json_array_foreach(json_object_get(req, "scenes"), i, scene)
        json_array_append_new(out, analyze(req, scene));
    fprintf(stderr, "filename-match: %zu scenes\n", json_array_size(out));
    json_t *resp = json_pack("{s:i,s:o}", "protocol", 1, "scenes", out);
    int rc = json_dumpf(resp, stdout, JSON_COMPACT) == 0 && fputc('\n', stdout) != EOF ? 0 : 1;
    json_decref(resp);
    json_decref(req);
    return rc;
}
