/* an-code.c - the studio code analyzer: "ABC-123" / "ABCD-0123" style
 * codes in the file name, proposed only when the scene has no code. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analysis/an-internal.h"

#define MAX_CODES 8

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Prefixes that look like codes but are parts, discs, codecs and such. */
static bool bad_prefix(const char *s, size_t len)
{
    static const char *const words[] = {
        "aac",   "av",   "avc",  "best", "cam", "cd",    "ch",     "chapter", "clip",
        "day",   "ddp",  "disc", "disk", "dsc", "dts",   "ep",     "episode", "fhd",
        "file",  "hd",   "hdr",  "hevc", "img", "mov",   "mp",     "no",      "nr",
        "page",  "part", "pic",  "pt",   "sd",  "scene", "season", "take",    "top",
        "track", "uhd",  "vid",  "vol",  "web", "xxx",   "year",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == len && strncasecmp(words[i], s, len) == 0)
            return true;
    return false;
}

size_t an_find_codes(const char *s, uint32_t start, uint32_t end, an_code *out, size_t max)
{
    size_t n = 0;
    for (uint32_t i = start; i < end && n < max; i++) {
        if (!is_alpha(s[i]) || (i > start && (is_alpha(s[i - 1]) || is_digit(s[i - 1]))))
            continue;
        uint32_t j = i;
        size_t upper = 0;
        while (j < end && is_alpha(s[j])) {
            upper += s[j] >= 'A' && s[j] <= 'Z';
            j++;
        }
        size_t letters = j - i;
        if (letters < 2 || letters > 6 || j >= end || s[j] != '-') {
            i = j;
            continue;
        }
        uint32_t k = j + 1;
        int value = 0;
        while (k < end && is_digit(s[k]) && k - j <= 6) {
            value = value * 10 + (s[k] - '0');
            k++;
        }
        size_t digits = k - j - 1;
        if (digits < 2 || digits > 5 || (k < end && (is_alpha(s[k]) || is_digit(s[k])))) {
            i = j;
            continue;
        }
        /* "Summer-2019" is a year, "Part-01" a part */
        if (bad_prefix(s + i, letters) || (digits == 4 && value >= 1950 && value <= 2099)) {
            i = k;
            continue;
        }
        an_code c = {{0}, i, k, 0.0};
        if (upper == letters)
            c.confidence = 0.7;
        else if (upper == 0)
            c.confidence = 0.5;
        else {
            i = k; /* "Scene-01", "Vol-12": mixed case is a word, not a code */
            continue;
        }
        size_t o = 0;
        for (uint32_t p = i; p < k && o + 1 < sizeof c.text; p++)
            c.text[o++] = (char)(s[p] >= 'a' && s[p] <= 'z' ? s[p] - 'a' + 'A' : s[p]);
        out[n++] = c;
        i = k;
    }
    return n;
}

sh_status an_code_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                          const sh_an_scene *scene, const sh_an_options *options,
                          sh_an_results *out, sh_error *err)
{
    (void)index;
    (void)options;
    if (!an_str_unset(scene->code) || !scene->n_files || !scene->files[0].path)
        return SH_OK;
    an_path p;
    an_path_parse(scene->files[0].path, &p);
    an_code codes[MAX_CODES];
    size_t n = an_find_codes(p.s, p.stem.start, p.stem.end, codes, MAX_CODES);
    if (!n)
        return SH_OK;
    for (size_t i = 1; i < n; i++)
        if (strcmp(codes[i].text, codes[0].text) != 0)
            return SH_OK; /* two different codes: cannot tell which */
    an_code *c = &codes[0];
    double conf = c->confidence;
    const char *where = "in the file name";
    if (c->start == p.stem.start && c->end == p.stem.end) {
        conf += 0.15;
        where = "as the whole file name";
    } else if (c->start == p.stem.start) {
        conf += 0.05;
        where = "at the start of the file name";
    }
    char reason[128];
    snprintf(reason, sizeof reason, "scene code pattern '%.*s' %s", (int)(c->end - c->start),
             p.s + c->start, where);
    return sh_an_results_add_text(out, SH_AN_FIELD_CODE, self->name, c->text, conf, reason, err);
}
