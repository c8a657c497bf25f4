/* pathinfo.c - splitting file paths into folders, file name, stem, and the
 * stem into segments ("[Studio] Performer - Title (2020)" has four). */
#include <string.h>

#include "analysis/an-internal.h"

static bool is_path_sep(char c)
{
    return c == '/' || c == '\\';
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void an_path_parse(const char *path, an_path *out)
{
    memset(out, 0, sizeof *out);
    out->s = path ? path : "";
    out->len = strlen(out->s);
    const char *s = out->s;
    size_t len = out->len;
    an_span comps[AN_MAX_DIRS + 1];
    size_t n = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && is_path_sep(s[i]))
            i++;
        size_t st = i;
        while (i < len && !is_path_sep(s[i]))
            i++;
        if (i == st)
            break;
        /* keep a sliding window of the last components */
        if (n == AN_MAX_DIRS + 1) {
            memmove(comps, comps + 1, AN_MAX_DIRS * sizeof comps[0]);
            n--;
        }
        comps[n++] = (an_span){(uint32_t)st, (uint32_t)i};
    }
    if (n == 0)
        return;
    out->base = comps[n - 1];
    for (size_t k = 0; k + 1 < n; k++) {
        an_span c = comps[k];
        /* a Windows drive ("C:") is not a folder name */
        if (c.end - c.start == 2 && s[c.start + 1] == ':')
            continue;
        out->dirs[out->n_dirs++] = c;
    }
    out->stem = out->base;
    for (uint32_t j = out->base.end; j > out->base.start; j--) {
        if (s[j - 1] != '.')
            continue;
        uint32_t ext_len = out->base.end - j;
        bool ok = ext_len >= 1 && ext_len <= 5 && j - 1 > out->base.start;
        bool letter = false;
        for (uint32_t k = j; ok && k < out->base.end; k++) {
            ok = is_alnum(s[k]);
            letter = letter || is_alpha(s[k]);
        }
        if (ok && letter)
            out->stem.end = j - 1;
        break;
    }
}

/* Length of a dash separator starting at s[i] (ASCII '-', en or em dash),
 * or 0. */
static size_t dash_len(const char *s, uint32_t i, uint32_t end)
{
    if (s[i] == '-' || s[i] == '|' || s[i] == '~')
        return 1;
    if (i + 2 < end && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
        ((unsigned char)s[i + 2] == 0x93 || (unsigned char)s[i + 2] == 0x94))
        return 3;
    return 0;
}

static bool is_pad(char c)
{
    return c == ' ' || c == '_' || c == '.' || c == '\t';
}

static bool is_trim(char c)
{
    return is_pad(c) || c == '-';
}

static size_t emit(const char *s, uint32_t start, uint32_t end, uint32_t outer_start,
                   uint32_t outer_end, an_seg_kind kind, an_segment *out, size_t n, size_t max)
{
    while (start < end && is_trim(s[start]))
        start++;
    while (end > start && is_trim(s[end - 1]))
        end--;
    if (start == end || n >= max)
        return n;
    out[n] = (an_segment){start, end, outer_start, outer_end, kind};
    return n + 1;
}

size_t an_segments(const char *s, uint32_t start, uint32_t end, an_segment *out, size_t max)
{
    size_t n = 0;
    uint32_t seg = start;
    uint32_t i = start;
    while (i < end) {
        char c = s[i];
        char close = c == '[' ? ']' : c == '(' ? ')' : c == '{' ? '}' : 0;
        if (close) {
            uint32_t j = i + 1;
            while (j < end && s[j] != close)
                j++;
            if (j < end) {
                n = emit(s, seg, i, seg, i, AN_SEG_PLAIN, out, n, max);
                n = emit(s, i + 1, j, i, j + 1, c == '(' ? AN_SEG_PAREN : AN_SEG_BRACKET, out, n,
                         max);
                i = seg = j + 1;
                continue;
            }
        }
        size_t d = dash_len(s, i, end);
        /* a dash only separates when padded on both sides ("A - B", "A.-.B"):
         * "Step-Sister" and "ABC-123" stay whole */
        if (d && i > start && i + d < end && is_pad(s[i - 1]) && is_pad(s[i + d])) {
            n = emit(s, seg, i, seg, i, AN_SEG_PLAIN, out, n, max);
            i = seg = i + (uint32_t)d;
            continue;
        }
        i++;
    }
    return emit(s, seg, end, seg, end, AN_SEG_PLAIN, out, n, max);
}
