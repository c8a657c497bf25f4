/* match.c - window matching of token sequences against an index
 * dictionary, and the performer matcher with its Auto Tag guards.
 *
 * Matching is by hash lookup of every token window (up to the longest name
 * in words), never by scanning the entities, so a scene costs the same with
 * 20 or 20,000 performers. */
#include <string.h>

#include "analysis/an-internal.h"

#define COMPACT_BUF 512

size_t an_find_windows(const an_kind *k, const an_tokens *t, size_t from, size_t to,
                       bool stop_at_sep, size_t compact_min, an_window *out, size_t max)
{
    size_t n = 0;
    if (!k->n || !k->max_tokens)
        return 0;
    size_t max_w = k->max_tokens + 2 < AN_MAX_KEY_TOKENS ? k->max_tokens + 2 : AN_MAX_KEY_TOKENS;
    char buf[COMPACT_BUF];
    for (size_t i = from; i < to && n < max; i++) {
        if (stop_at_sep && an_tok_is_list_sep(t, i))
            continue;
        if (t->tok[i].flags & AN_TOK_SEP)
            continue; /* a name never starts with "&" */
        size_t limit = to - i < max_w ? to - i : max_w;
        if (stop_at_sep) {
            for (size_t j = 1; j < limit; j++) {
                if (an_tok_is_list_sep(t, i + j)) {
                    limit = j;
                    break;
                }
            }
        }
        for (size_t w = limit; w >= 1; w--) {
            if (w <= k->max_tokens) {
                uint32_t head = an_dict_get(&k->spaced, an_tok_str(t, i), an_window_len(t, i, w));
                if (head != AN_NONE) {
                    out[n++] = (an_window){(uint32_t)i, (uint32_t)w, head, false};
                    break;
                }
            }
            if (!compact_min)
                continue;
            size_t clen = 0;
            bool fits = true;
            for (size_t j = i; j < i + w && fits; j++) {
                fits = clen + t->tok[j].len <= sizeof buf;
                if (fits) {
                    memcpy(buf + clen, an_tok_str(t, j), t->tok[j].len);
                    clen += t->tok[j].len;
                }
            }
            if (!fits || clen < compact_min)
                continue;
            uint32_t head = an_dict_get(&k->compact, buf, clen);
            if (head != AN_NONE) {
                out[n++] = (an_window){(uint32_t)i, (uint32_t)w, head, true};
                break;
            }
        }
    }
    return n;
}

size_t an_select_longest(an_window *w, size_t n)
{
    bool keep[64] = {false};
    if (n > 64)
        n = 64;
    /* repeatedly take the longest remaining window that overlaps nothing
     * taken, so "anna bell peaks" wins over "anna" and "bell" */
    bool used[64] = {false};
    for (;;) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            if (used[i])
                continue;
            if (best == n || w[i].ntok > w[best].ntok)
                best = i;
        }
        if (best == n)
            break;
        used[best] = true;
        bool overlap = false;
        for (size_t i = 0; i < n && !overlap; i++)
            overlap = keep[i] && w[i].tok < w[best].tok + w[best].ntok &&
                      w[best].tok < w[i].tok + w[i].ntok;
        keep[best] = !overlap;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (keep[i])
            w[m++] = w[i];
    return m;
}

const char *an_source_name(an_source src)
{
    switch (src) {
    case AN_SRC_FILENAME:
        return "file name";
    case AN_SRC_PARENT_DIR:
        return "parent folder";
    case AN_SRC_DIR:
        return "folder";
    }
    return "path";
}

/* ------------------------------------------------------------ performers */

#define MAX_ITEMS   16
#define MAX_WINDOWS 64

typedef struct item_range {
    uint32_t tok, ntok;
    bool matched; /* exactly covered by one resolvable window */
    bool touched; /* some resolvable window lies inside */
    bool strong;  /* ... of a multi-word name */
} item_range;

static bool window_all_stop_words(const an_tokens *t, const an_window *w)
{
    for (uint32_t i = w->tok; i < w->tok + w->ntok; i++)
        if (!an_is_stop_word(an_tok_str(t, i), t->tok[i].len))
            return false;
    return true;
}

static size_t split_items(const an_tokens *t, item_range *items)
{
    size_t n = 0;
    uint32_t st = 0;
    for (uint32_t i = 0; i <= t->n; i++) {
        if (i < t->n && !an_tok_is_list_sep(t, i))
            continue;
        if (i > st && n < MAX_ITEMS)
            items[n++] = (item_range){st, i - st, false, false, false};
        st = i + 1;
    }
    return n;
}

static int item_of(const item_range *items, size_t n_items, const an_window *w)
{
    for (size_t i = 0; i < n_items; i++)
        if (items[i].tok == w->tok && items[i].ntok == w->ntok)
            return (int)i;
    return -1;
}

/* A name is weak when one word long or made of common words only ("Summer
 * Rain"): it needs a performer list around it. */
static bool is_weak(const an_tokens *t, const an_window *w, const an_posting *p)
{
    return p->ntok <= 1 || window_all_stop_words(t, w);
}

static size_t match_segment(const an_kind *k, const an_tokens *t, an_source src, bool whole_source,
                            an_match *out, size_t n, size_t max, an_perf_opts *um)
{
    an_window win[MAX_WINDOWS];
    size_t nw = an_find_windows(k, t, 0, t->n, true, 8, win, MAX_WINDOWS);
    nw = an_select_longest(win, nw);
    item_range items[MAX_ITEMS];
    size_t n_items = split_items(t, items);
    const an_posting *post[MAX_WINDOWS];
    bool ok[MAX_WINDOWS];
    for (size_t i = 0; i < nw; i++) {
        an_resolve_result res = an_resolve(k, win[i].head, &post[i]);
        ok[i] = res == AN_RES_UNIQUE || (um && um->include_unsure);
        /* "anna bell" run together as "annabell" must not hit the one-word
         * name "Annabell": Stash's "space matches nothing" rule, avoided */
        if (win[i].compact && post[i]->ntok < 2)
            ok[i] = false;
        for (size_t j = 0; j < n_items && ok[i]; j++)
            if (win[i].tok >= items[j].tok && win[i].tok < items[j].tok + items[j].ntok)
                items[j].touched = true;
        int it = item_of(items, n_items, &win[i]);
        if (ok[i] && it >= 0) {
            items[it].matched = true;
            items[it].strong = items[it].strong || !is_weak(t, &win[i], post[i]);
        }
    }
    bool all_matched = n_items >= 2;
    bool any_strong = false;
    for (size_t i = 0; i < n_items; i++) {
        all_matched = all_matched && items[i].matched;
        any_strong = any_strong || items[i].strong;
    }
    /* unknown names beside a known one in a list: candidates for new performers */
    for (size_t i = 0; um && any_strong && n_items >= 2 && i < n_items; i++) {
        if (!items[i].touched && items[i].ntok <= 3 && um->unmatched &&
            um->n_unmatched < um->max_unmatched)
            um->unmatched[um->n_unmatched++] = (an_span){
                t->tok[items[i].tok].src_start, t->tok[items[i].tok + items[i].ntok - 1].src_end};
    }

    for (size_t i = 0; i < nw && n < max; i++) {
        if (!ok[i])
            continue;
        const an_window *w = &win[i];
        const an_posting *p = post[i];
        int it = item_of(items, n_items, w);
        bool in_list = it >= 0 && n_items >= 2;
        bool other_strong = false;
        for (size_t j = 0; j < n_items; j++)
            other_strong = other_strong || ((int)j != it && items[j].strong);
        double conf;
        const char *how;
        if (!is_weak(t, w, p)) {
            conf = src == AN_SRC_FILENAME ? 0.85 : 0.75;
            if (p->alias >= 0)
                conf -= 0.05;
            if (w->compact)
                conf -= 0.15;
            if (in_list)
                conf += 0.05;
            how = w->compact ? "with the spaces removed" : in_list ? "in a performer list" : "";
        } else {
            bool stop = window_all_stop_words(t, w);
            bool list_ctx = in_list && (all_matched || other_strong);
            if (list_ctx && t->tok[w->tok].len >= 2) {
                conf = stop ? 0.4 : 0.55;
                how = stop ? "a common word, in a performer list"
                           : "single word, in a performer list";
            } else if (src == AN_SRC_PARENT_DIR && whole_source && w->tok == 0 && w->ntok == t->n &&
                       !stop && t->tok[w->tok].len >= 3) {
                conf = 0.5;
                how = "single word, the whole folder name";
            } else {
                continue; /* Auto Tag would match here; we do not */
            }
        }
        out[n++] = (an_match){p->entity,
                              p->alias,
                              src,
                              t->tok[w->tok].src_start,
                              t->tok[w->tok + w->ntok - 1].src_end,
                              an_clamp01(conf),
                              how};
    }
    return n;
}

static size_t match_span(const an_kind *k, const an_path *path, an_span span, an_source src,
                         an_tokens *t, an_match *out, size_t n, size_t max, an_perf_opts *um)
{
    an_segment segs[AN_MAX_SEGMENTS];
    size_t ns = an_segments(path->s, span.start, span.end, segs, AN_MAX_SEGMENTS);
    for (size_t i = 0; i < ns && n < max; i++) {
        if (!an_tokenize(path->s + segs[i].start, segs[i].end - segs[i].start, segs[i].start, t))
            return n;
        n = match_segment(k, t, src, ns == 1, out, n, max, um);
    }
    return n;
}

size_t an_match_performers(const sh_an_index *index, const an_path *path, an_perf_opts *opts,
                           an_match *out, size_t max)
{
    const an_kind *k = &index->kinds[SH_AN_PERFORMER];
    if (opts)
        opts->n_unmatched = 0;
    if (!k->n)
        return 0;
    an_tokens t;
    an_tokens_init(&t);
    size_t n = match_span(k, path, path->stem, AN_SRC_FILENAME, &t, out, 0, max, opts);
    if (path->n_dirs) {
        /* unknown names are only taken from the file name's lists */
        an_perf_opts dir_opts = {opts && opts->include_unsure, NULL, 0, 0};
        n = match_span(k, path, path->dirs[path->n_dirs - 1], AN_SRC_PARENT_DIR, &t, out, n, max,
                       &dir_opts);
    }
    an_tokens_free(&t);
    return n;
}
