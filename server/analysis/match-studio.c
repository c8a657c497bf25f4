/* match-studio.c - studio candidates from folder names and file name
 * prefixes.  Studios are matched only where file naming puts them (a whole
 * folder name, "[Studio] ...", "Studio - ...", "Studio.20.01.02...."), never
 * anywhere in the text, so a studio called "Tushy" does not fire on a title
 * word. */
#include <string.h>

#include "analysis/an-internal.h"

typedef struct studio_src {
    const an_kind *k;
    const an_path *path;
    an_tokens *t;
    an_match *out;
    size_t n, max;
} studio_src;

static void add(studio_src *s, const an_posting *p, an_source src, uint32_t start, uint32_t end,
                double conf, const char *how)
{
    if (s->n < s->max)
        s->out[s->n++] = (an_match){p->entity, p->alias, src, start, end, conf, how};
}

/* Tokenizes a segment and returns the longest window starting at its first
 * token (resolved, or NULL), with *whole set when it covers the segment. */
static const an_posting *prefix_match(studio_src *s, const an_segment *seg, bool *whole,
                                      uint32_t *end, bool *next_is_digits)
{
    *whole = false;
    *next_is_digits = false;
    an_tokens *t = s->t;
    if (!an_tokenize(s->path->s + seg->start, seg->end - seg->start, seg->start, t) || !t->n)
        return NULL;
    an_window win[1];
    /* only a window starting at token 0 matters; compact catches "brazzersexxtra" */
    size_t nw = an_find_windows(s->k, t, 0, t->n, false, 5, win, 1);
    if (!nw || win[0].tok != 0)
        return NULL;
    const an_posting *p;
    if (an_resolve(s->k, win[0].head, &p) != AN_RES_UNIQUE)
        return NULL;
    uint32_t last = win[0].tok + win[0].ntok - 1;
    *whole = win[0].ntok == t->n;
    *end = t->tok[last].src_end;
    *next_is_digits = last + 1 < t->n && (t->tok[last + 1].flags & AN_TOK_DIGITS);
    return p;
}

static void match_dir(studio_src *s, an_span dir, bool parent)
{
    an_segment segs[AN_MAX_SEGMENTS];
    size_t ns = an_segments(s->path->s, dir.start, dir.end, segs, AN_MAX_SEGMENTS);
    if (!ns)
        return;
    bool whole, digits;
    uint32_t end;
    const an_posting *p = prefix_match(s, &segs[0], &whole, &end, &digits);
    if (!p)
        return;
    /* "Brazzers" or "Brazzers - 2019" or "[Brazzers]": the folder is the studio */
    if (whole)
        add(s, p, parent ? AN_SRC_PARENT_DIR : AN_SRC_DIR, segs[0].start, end, parent ? 0.8 : 0.75,
            "the folder name");
    else if (digits)
        add(s, p, parent ? AN_SRC_PARENT_DIR : AN_SRC_DIR, segs[0].start, end, 0.6,
            "the start of the folder name");
}

static void match_filename(studio_src *s)
{
    an_segment segs[AN_MAX_SEGMENTS];
    size_t ns =
        an_segments(s->path->s, s->path->stem.start, s->path->stem.end, segs, AN_MAX_SEGMENTS);
    bool whole, digits;
    uint32_t end;
    for (size_t i = 0; i < ns; i++) {
        const an_segment *seg = &segs[i];
        if (i > 0 && seg->kind != AN_SEG_BRACKET)
            continue;
        const an_posting *p = prefix_match(s, seg, &whole, &end, &digits);
        if (!p)
            continue;
        if (seg->kind == AN_SEG_BRACKET) {
            if (whole)
                add(s, p, AN_SRC_FILENAME, seg->outer_start, seg->outer_end, i == 0 ? 0.9 : 0.75,
                    i == 0 ? "in brackets at the start of the file name"
                           : "in brackets in the file name");
        } else if (whole && ns >= 2) {
            add(s, p, AN_SRC_FILENAME, seg->start, end, 0.85, "the first part of the file name");
        } else if (!whole) {
            add(s, p, AN_SRC_FILENAME, seg->start, end, digits ? 0.8 : 0.7,
                digits ? "at the start of the file name, before a date"
                       : "at the start of the file name");
        }
    }
}

size_t an_match_studios(const sh_an_index *index, const an_path *path, an_match *out, size_t max)
{
    const an_kind *k = &index->kinds[SH_AN_STUDIO];
    if (!k->n)
        return 0;
    an_tokens t;
    an_tokens_init(&t);
    studio_src s = {k, path, &t, out, 0, max};
    for (size_t i = 0; i < path->n_dirs; i++)
        match_dir(&s, path->dirs[i], i + 1 == path->n_dirs);
    match_filename(&s);
    an_tokens_free(&t);
    /* most confident first (insertion sort: a handful of entries) */
    for (size_t i = 1; i < s.n; i++) {
        an_match m = out[i];
        size_t j = i;
        while (j > 0 && out[j - 1].confidence < m.confidence) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = m;
    }
    return s.n;
}
