/* an-internal.h - shared internals of the analysis module (not public).
 *
 * Layers, bottom up: tokenizer (normalize.c), word lists (words.c), path
 * and segment parsing (pathinfo.c), date finding (dates.c), the index and
 * its dictionaries (index.c), entity matchers over paths (match-*.c), and
 * the analyzers (an-*.c) which turn matches into proposals.
 *
 * Everything here is reentrant: no globals except const tables. */
#ifndef SH_AN_INTERNAL_H
#define SH_AN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "sh-util.h"

#define AN_NONE           UINT32_MAX
#define AN_MAX_KEY_TOKENS 8 /* longest name (in words) used for window matching */

/* ---------------------------------------------------------------- tokens */

enum {
    AN_TOK_SEP = 1u,    /* a list separator kept as its own token: & , + */
    AN_TOK_CAMEL = 2u,  /* split from the previous token by a case change */
    AN_TOK_DIGITS = 4u, /* only ASCII digits */
};

typedef struct an_token {
    uint32_t off, len;           /* in an_tokens.text */
    uint32_t src_start, src_end; /* byte span in the source string */
    uint8_t flags;
} an_token;

/* Folded text: tokens separated by one space, so the spaced key of tokens
 * i..j is text + tok[i].off up to the end of tok[j].  Small inputs stay in
 * the inline buffers (no allocation per path). */
typedef struct an_tokens {
    char *text;
    size_t text_len, text_cap;
    an_token *tok;
    size_t n, cap;
    char inline_text[256];
    an_token inline_tok[48];
} an_tokens;

void an_tokens_init(an_tokens *t);
void an_tokens_free(an_tokens *t);
/* Folds and tokenizes s[0..len) (replacing previous content), with source
 * offsets relative to s, plus base.  Returns false on OOM. */
bool an_tokenize(const char *s, size_t len, uint32_t base, an_tokens *out);
static inline const char *an_tok_str(const an_tokens *t, size_t i)
{
    return t->text + t->tok[i].off;
}
/* Bytes of the spaced key covering tokens [i, i+n). */
static inline size_t an_window_len(const an_tokens *t, size_t i, size_t n)
{
    return t->tok[i + n - 1].off + t->tok[i + n - 1].len - t->tok[i].off;
}

/* ------------------------------------------------------------ word lists */

/* All take folded (lower-case ASCII) words. */
bool an_is_stop_word(const char *w, size_t len);  /* common words that are also names */
bool an_is_junk_word(const char *w, size_t len);  /* 1080p, x264, web-dl, mp4, xxx ... */
bool an_is_list_word(const char *w, size_t len);  /* and, feat, ft, featuring, with */
bool an_is_small_word(const char *w, size_t len); /* a, of, the ... (title case) */
/* Token t[i] separates names in a list ("&", ",", "+", "and", "feat"...). */
bool an_tok_is_list_sep(const an_tokens *t, size_t i);

/* ------------------------------------------------------------------ paths */

#define AN_MAX_DIRS     24
#define AN_MAX_SEGMENTS 24

typedef struct an_span {
    uint32_t start, end;
} an_span;

typedef struct an_path {
    const char *s;
    size_t len;
    an_span dirs[AN_MAX_DIRS]; /* the last AN_MAX_DIRS directory names, outermost first */
    size_t n_dirs;
    an_span base; /* file name */
    an_span stem; /* file name without extension */
} an_path;

void an_path_parse(const char *path, an_path *out);

typedef enum an_seg_kind { AN_SEG_PLAIN = 0, AN_SEG_BRACKET = 1, AN_SEG_PAREN = 2 } an_seg_kind;

typedef struct an_segment {
    uint32_t start, end;             /* content, without brackets and trimmed */
    uint32_t outer_start, outer_end; /* including the brackets */
    an_seg_kind kind;
} an_segment;

/* Splits s[start,end) on " - " style dashes and bracket groups. */
size_t an_segments(const char *s, uint32_t start, uint32_t end, an_segment *out, size_t max);

/* --------------------------------------------------------------- dates */

typedef struct an_date {
    int year, month, day;
    uint32_t start, end; /* byte span in the scanned string */
    double confidence;
    const char *format; /* "YYYY-MM-DD", "YY.MM.DD", "DD.MM.YYYY", ... */
} an_date;

/* Finds valid, plausible dates in s[start,end).  now: Unix seconds. */
size_t an_find_dates(const char *s, uint32_t start, uint32_t end, int64_t now, an_date *out,
                     size_t max);
bool an_date_valid(int y, int m, int d);
/* Parses "YYYY-MM-DD"; false if malformed. */
bool an_date_parse_iso(const char *s, int *y, int *m, int *d);

/* --------------------------------------------------------------- codes */

typedef struct an_code {
    char text[24]; /* upper-cased, "ABC-123" */
    uint32_t start, end;
    double confidence;
} an_code;

size_t an_find_codes(const char *s, uint32_t start, uint32_t end, an_code *out, size_t max);

/* ---------------------------------------------------------------- index */

typedef struct an_posting {
    uint32_t entity; /* index into an_kind.ents */
    int32_t alias;   /* -1 = the name, else index into aliases */
    uint8_t ntok;    /* words in the normalized name or alias */
    uint32_t next;   /* next posting for the same key, AN_NONE ends */
} an_posting;

typedef struct an_dict_key {
    const char *s;
    uint32_t len;
    uint32_t hash;
    uint32_t head; /* first posting */
} an_dict_key;

typedef struct an_dict {
    uint32_t *slots;  /* key index + 1; 0 = empty */
    uint32_t n_slots; /* power of two */
    an_dict_key *keys;
    uint32_t n_keys, cap_keys;
} an_dict;

uint32_t an_dict_get(const an_dict *d, const char *key, size_t len);

typedef struct an_id_slot {
    int64_t id;
    uint32_t idx;
} an_id_slot;

typedef struct an_kind {
    sh_an_entity *ents;
    size_t n;
    an_id_slot *by_id; /* sorted by id */
    an_dict spaced;    /* "anna bell peaks" */
    an_dict compact;   /* "annabellpeaks" */
    an_posting *post;
    uint32_t n_post, cap_post;
    unsigned max_tokens;
} an_kind;

struct sh_an_index {
    sh_arena *arena;
    an_kind kinds[SH_AN_KIND_COUNT_];
};

/* Entity index for an id, or AN_NONE. */
uint32_t an_kind_find_id(const an_kind *k, int64_t id);

typedef enum an_resolve_result {
    AN_RES_UNIQUE = 0,
    AN_RES_AMBIGUOUS, /* several distinct entities share the key */
    AN_RES_IGNORED,   /* the one entity has ignore_auto_tag */
} an_resolve_result;

/* Collapses a posting chain to one entity (preferring a name posting over an
 * alias posting of the same entity). */
an_resolve_result an_resolve(const an_kind *k, uint32_t head, const an_posting **out);

/* Text an entity was matched by: its name or the alias of the posting. */
const char *an_posting_text(const an_kind *k, const an_posting *p);

/* ------------------------------------------------------------- windows */

typedef struct an_window {
    uint32_t tok, ntok; /* token range in the an_tokens */
    uint32_t head;      /* posting chain */
    bool compact;       /* matched with spaces removed */
} an_window;

/* For each start in [from,to), the longest key starting there (spaced, or
 * compact when its text has at least compact_min bytes; 0 disables compact).
 * Windows never include a list separator when stop_at_sep. */
size_t an_find_windows(const an_kind *k, const an_tokens *t, size_t from, size_t to,
                       bool stop_at_sep, size_t compact_min, an_window *out, size_t max);
/* Keeps the longest non-overlapping windows (earlier first on ties);
 * compacts the array and returns the new count, in token order. */
size_t an_select_longest(an_window *w, size_t n);

/* ------------------------------------------------------------ matchers */

typedef enum an_source {
    AN_SRC_FILENAME = 0,
    AN_SRC_PARENT_DIR = 1,
    AN_SRC_DIR = 2,
} an_source;

const char *an_source_name(an_source src);

typedef struct an_match {
    uint32_t entity;
    int32_t alias;
    an_source src;
    uint32_t start, end; /* byte span in the path */
    double confidence;
    const char *how; /* short phrase for the reason: "in a performer list" */
} an_match;

#define AN_MAX_MATCHES 32

/* Studio candidates in one path, most confident first. */
size_t an_match_studios(const sh_an_index *index, const an_path *path, an_match *out, size_t max);
typedef struct an_perf_opts {
    /* Also report ignore_auto_tag and ambiguous names: for cutting them out
     * of a title, never for proposing them. */
    bool include_unsure;
    /* Out: spans of unknown names listed beside a known performer in the
     * file name ("Zoe Lane & New Girl"); unmatched may be NULL. */
    an_span *unmatched;
    size_t max_unmatched, n_unmatched;
} an_perf_opts;

/* Performers named in the file name and parent folder (guards applied;
 * ignore_auto_tag and ambiguous names dropped unless opts says). */
size_t an_match_performers(const sh_an_index *index, const an_path *path, an_perf_opts *opts,
                           an_match *out, size_t max);

/* --------------------------------------------------------------- helpers */

int64_t an_now(const sh_an_options *options);
/* Drops proposals of disabled fields, and items or proposals below the
 * threshold, from index `from` on (earlier ones were already filtered). */
void an_results_filter(sh_an_results *r, size_t from, unsigned fields, double min_conf);
bool an_str_unset(const char *s);
double an_clamp01(double v);
bool an_ids_contain(const int64_t *ids, size_t n, int64_t id);

/* Built-in analyzers. */
sh_status an_studio_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                            const sh_an_scene *scene, const sh_an_options *options,
                            sh_an_results *out, sh_error *err);
sh_status an_performers_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                                const sh_an_scene *scene, const sh_an_options *options,
                                sh_an_results *out, sh_error *err);
sh_status an_date_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                          const sh_an_scene *scene, const sh_an_options *options,
                          sh_an_results *out, sh_error *err);
sh_status an_title_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                           const sh_an_scene *scene, const sh_an_options *options,
                           sh_an_results *out, sh_error *err);
sh_status an_code_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                          const sh_an_scene *scene, const sh_an_options *options,
                          sh_an_results *out, sh_error *err);
sh_status an_details_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                             const sh_an_scene *scene, const sh_an_options *options,
                             sh_an_results *out, sh_error *err);
sh_status an_tags_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                          const sh_an_scene *scene, const sh_an_options *options,
                          sh_an_results *out, sh_error *err);

/* HTML to plain text (details analyzer); malloc'd, NULL on OOM. */
char *an_html_to_text(const char *html);
bool an_looks_like_html(const char *s);

#endif
