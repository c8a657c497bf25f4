/* an-title.c - the title analyzer: the primary file name with the studio,
 * performers, date, code, bracketed tags and release junk (1080p, x264,
 * WEB-DL, XXX, "-GROUP") removed, separators cleaned and, when the name was
 * all one case, title-cased.  Only for scenes without a title.
 *
 * Works on a byte mask over the file stem: every matcher marks what it
 * recognised, and the title is what is left. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/an-internal.h"

enum { KEEP = 0, CUT = 1, CUT_PERFORMER = 2 };

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static bool is_raw_sep(char c)
{
    return c == ' ' || c == '.' || c == '_' || c == '[' || c == ']' || c == '(' || c == ')' ||
           c == '{' || c == '}' || c == '\t';
}

static bool is_list_char(char c)
{
    return c == '&' || c == ',' || c == '+';
}

static void cut(uint8_t *mask, uint32_t base, uint32_t start, uint32_t end, uint8_t how)
{
    for (uint32_t i = start; i < end; i++)
        if (mask[i - base] == KEEP || how == CUT_PERFORMER)
            mask[i - base] = how;
}

typedef struct raw_tok {
    uint32_t start, end;
} raw_tok;

#define MAX_RAW 96

/* Words separated by spaces, dots, underscores and brackets; & , + alone. */
static size_t raw_tokens(const char *s, uint32_t start, uint32_t end, raw_tok *out)
{
    size_t n = 0;
    uint32_t i = start;
    while (i < end && n < MAX_RAW) {
        while (i < end && is_raw_sep(s[i]))
            i++;
        if (i == end)
            break;
        uint32_t st = i;
        if (is_list_char(s[i])) {
            i++;
        } else {
            while (i < end && !is_raw_sep(s[i]) && !is_list_char(s[i]))
                i++;
        }
        out[n++] = (raw_tok){st, i};
    }
    return n;
}

static size_t lower_copy(const char *s, uint32_t start, uint32_t end, char *buf, size_t size)
{
    size_t n = end - start < size - 1 ? end - start : size - 1;
    for (size_t i = 0; i < n; i++) {
        char c = s[start + i];
        buf[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    buf[n] = '\0';
    return n;
}

static bool any_masked(const uint8_t *mask, uint32_t base, const raw_tok *t, uint8_t how)
{
    for (uint32_t i = t->start; i < t->end; i++)
        if (mask[i - base] == how)
            return true;
    return false;
}

/* Cuts release words, group suffixes and list words between performers. */
static void cut_raw(const char *s, const an_path *p, uint8_t *mask, bool release)
{
    raw_tok t[MAX_RAW];
    size_t n = raw_tokens(s, p->stem.start, p->stem.end, t);
    uint32_t base = p->stem.start;
    char w[40];
    for (size_t i = 0; i < n; i++) {
        size_t len = lower_copy(s, t[i].start, t[i].end, w, sizeof w);
        if (an_is_junk_word(w, len)) {
            cut(mask, base, t[i].start, t[i].end, CUT);
            continue;
        }
        /* "MP4-KTR" / "1080p-GROUP" at the end of a release name */
        char *dash = strrchr(w, '-');
        if (i + 1 == n && dash && dash > w && an_is_junk_word(w, (size_t)(dash - w)))
            cut(mask, base, t[i].start, t[i].end, CUT);
    }
    /* a trailing "-GROUP" token right after cut release junk */
    if (release && n >= 2 && s[t[n - 1].start] == '-' && any_masked(mask, base, &t[n - 2], CUT))
        cut(mask, base, t[n - 1].start, t[n - 1].end, CUT);
    for (size_t i = 0; i < n; i++) {
        size_t len = lower_copy(s, t[i].start, t[i].end, w, sizeof w);
        bool sep = (len == 1 && is_list_char(w[0])) || an_is_list_word(w, len);
        if (!sep || any_masked(mask, base, &t[i], CUT_PERFORMER))
            continue;
        bool prev = i > 0 && any_masked(mask, base, &t[i - 1], CUT_PERFORMER);
        bool next = i + 1 < n && any_masked(mask, base, &t[i + 1], CUT_PERFORMER);
        bool feat = strcmp(w, "feat") == 0 || strcmp(w, "ft") == 0 || strcmp(w, "featuring") == 0;
        if ((prev && next) || (feat && next) || (is_list_char(w[0]) && (prev || next)))
            cut(mask, base, t[i].start, t[i].end, CUT_PERFORMER);
    }
}

static void cut_parens(const char *s, const an_path *p, uint8_t *mask)
{
    an_segment segs[AN_MAX_SEGMENTS];
    size_t ns = an_segments(s, p->stem.start, p->stem.end, segs, AN_MAX_SEGMENTS);
    uint32_t base = p->stem.start;
    for (size_t i = 0; i < ns; i++) {
        if (segs[i].kind == AN_SEG_PLAIN)
            continue;
        bool letters_left = false;
        for (uint32_t j = segs[i].start; j < segs[i].end && !letters_left; j++)
            letters_left = mask[j - base] == KEEP && is_alpha((unsigned char)s[j]);
        /* [tags] always go; (Part 2) stays unless nothing but junk is left */
        if (segs[i].kind == AN_SEG_BRACKET || !letters_left)
            cut(mask, base, segs[i].outer_start, segs[i].outer_end, CUT);
    }
}

static bool is_punct_word(const char *w, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr("-|~,&+:;/.", w[i]))
            return false;
    return true;
}

/* Joins what the mask keeps; punctuation-only words are dropped at the ends
 * and collapsed in between ("Anna - - Title" → "Title"). Returns length. */
static size_t assemble(const char *s, const an_path *p, const uint8_t *mask, bool release,
                       char *out, size_t size)
{
    char *tmp = malloc(p->stem.end - p->stem.start + 1);
    if (!tmp)
        return 0;
    size_t t = 0;
    for (uint32_t i = p->stem.start; i < p->stem.end; i++) {
        char c = s[i];
        if (mask[i - p->stem.start] != KEEP || c == '_' || (release && c == '.'))
            c = ' ';
        tmp[t++] = c;
    }
    size_t o = 0;
    bool last_punct = true; /* drops leading punctuation */
    size_t i = 0;
    while (i < t) {
        while (i < t && tmp[i] == ' ')
            i++;
        size_t st = i;
        while (i < t && tmp[i] != ' ')
            i++;
        if (i == st)
            break;
        bool punct = is_punct_word(tmp + st, i - st);
        if (punct && last_punct)
            continue;
        if (o + (i - st) + 2 > size)
            break;
        if (o)
            out[o++] = ' ';
        memcpy(out + o, tmp + st, i - st);
        o += i - st;
        last_punct = punct;
    }
    /* trailing punctuation word */
    while (o && last_punct) {
        while (o && out[o - 1] != ' ')
            o--;
        while (o && out[o - 1] == ' ')
            o--;
        last_punct = false;
    }
    out[o] = '\0';
    free(tmp);
    return o;
}

/* Title case when the name had no case information (all lower or upper);
 * otherwise only the first letter is raised. */
static void fix_case(char *s)
{
    bool lower = false, upper = false;
    for (char *c = s; *c; c++) {
        lower = lower || (*c >= 'a' && *c <= 'z');
        upper = upper || (*c >= 'A' && *c <= 'Z');
    }
    if (lower && upper) {
        if (s[0] >= 'a' && s[0] <= 'z') /* "in the Pool" after cutting names */
            s[0] = (char)(s[0] - 'a' + 'A');
        return;
    }
    bool first_word = true;
    char *c = s;
    while (*c) {
        while (*c == ' ')
            c++;
        char *st = c;
        while (*c && *c != ' ')
            c++;
        size_t len = (size_t)(c - st);
        for (size_t i = 0; i < len; i++)
            if (st[i] >= 'A' && st[i] <= 'Z')
                st[i] = (char)(st[i] - 'A' + 'a');
        if (len && (first_word || !an_is_small_word(st, len)) && st[0] >= 'a' && st[0] <= 'z')
            st[0] = (char)(st[0] - 'a' + 'A');
        if (len)
            first_word = false;
    }
}

/* Rejects leftovers that are not a title: too few letters, or mostly
 * numbers ("VID 20200102 123456"). */
static bool plausible_title(const char *s)
{
    size_t letters = 0, words = 0, numeric = 0;
    const char *c = s;
    while (*c) {
        while (*c == ' ')
            c++;
        if (!*c)
            break;
        bool digit = false;
        words++;
        while (*c && *c != ' ') {
            letters += is_alpha((unsigned char)*c);
            digit = digit || (*c >= '0' && *c <= '9');
            c++;
        }
        numeric += digit;
    }
    return letters >= 3 && numeric * 2 <= words;
}

sh_status an_title_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                           const sh_an_scene *scene, const sh_an_options *options,
                           sh_an_results *out, sh_error *err)
{
    if (!an_str_unset(scene->title) || !scene->n_files || !scene->files[0].path)
        return SH_OK;
    an_path p;
    an_path_parse(scene->files[0].path, &p);
    uint32_t len = p.stem.end - p.stem.start;
    if (!len)
        return SH_OK;
    const char *s = p.s;
    uint32_t base = p.stem.start;
    uint8_t *mask = calloc(len, 1);
    char *title = malloc(len + 1);
    sh_status st = SH_OK;
    if (!mask || !title) {
        st = sh_error_set(err, SH_ERR_NOMEM, "title: out of memory");
        goto out;
    }
    bool release = memchr(s + base, ' ', len) == NULL;
    bool removed_studio = false, removed_perf = false, removed_date = false;

    an_match m[AN_MAX_MATCHES];
    size_t nm = an_match_studios(index, &p, m, AN_MAX_MATCHES);
    for (size_t i = 0; i < nm; i++) {
        if (m[i].src == AN_SRC_FILENAME) {
            cut(mask, base, m[i].start, m[i].end, CUT);
            removed_studio = true;
        }
    }
    /* every name that is a performer goes, even one we would not propose,
     * and so do unknown names listed beside them */
    an_span unknown[8];
    an_perf_opts po = {true, unknown, 8, 0};
    nm = an_match_performers(index, &p, &po, m, AN_MAX_MATCHES);
    for (size_t i = 0; i < nm; i++) {
        if (m[i].src == AN_SRC_FILENAME) {
            cut(mask, base, m[i].start, m[i].end, CUT_PERFORMER);
            removed_perf = true;
        }
    }
    for (size_t i = 0; i < po.n_unmatched; i++)
        cut(mask, base, unknown[i].start, unknown[i].end, CUT_PERFORMER);
    an_date dates[8];
    size_t nd = an_find_dates(s, p.stem.start, p.stem.end, an_now(options), dates, 8);
    for (size_t i = 0; i < nd; i++) {
        cut(mask, base, dates[i].start, dates[i].end, CUT);
        removed_date = true;
    }
    an_code codes[8];
    size_t nc = an_find_codes(s, p.stem.start, p.stem.end, codes, 8);
    for (size_t i = 0; i < nc; i++)
        cut(mask, base, codes[i].start, codes[i].end, CUT);
    cut_raw(s, &p, mask, release);
    cut_parens(s, &p, mask);

    size_t tl = assemble(s, &p, mask, release, title, len + 1);
    if (!tl || !plausible_title(title))
        goto out;
    fix_case(title);

    /* the title is exactly one " - " part of a structured name: surer */
    an_segment segs[AN_MAX_SEGMENTS];
    size_t ns = an_segments(s, p.stem.start, p.stem.end, segs, AN_MAX_SEGMENTS);
    size_t with_text = 0, plain = 0;
    for (size_t i = 0; i < ns; i++) {
        if (segs[i].kind != AN_SEG_PLAIN)
            continue; /* "(Part 2)" belongs to the title beside it */
        plain++;
        bool kept = false;
        for (uint32_t j = segs[i].start; j < segs[i].end && !kept; j++)
            kept = mask[j - base] == KEEP && is_alpha((unsigned char)s[j]);
        with_text += kept;
    }
    double conf = (plain >= 2 && with_text == 1) ? 0.7 : (release ? 0.55 : 0.6);
    char reason[256];
    snprintf(reason, sizeof reason, "from the file name '%.*s'%s%s%s%s", (int)len, s + base,
             removed_studio || removed_perf || removed_date ? ", without" : "",
             removed_studio ? " studio" : "", removed_perf ? " performers" : "",
             removed_date ? " date" : "");
    st = sh_an_results_add_text(out, SH_AN_FIELD_TITLE, self->name, title, conf, reason, err);
out:
    free(mask);
    free(title);
    return st;
}
