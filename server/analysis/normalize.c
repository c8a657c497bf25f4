/* normalize.c - Unicode-aware folding and tokenization of names and paths.
 *
 * Both entity names and path text go through the same folding, so a match
 * is a plain byte comparison of folded keys.  No ICU: the folding table
 * covers Latin-1 Supplement and Latin Extended-A (written out below, in the
 * original case so the table also tells upper from lower case), Greek and
 * Cyrillic get simple case folding, and any other non-ASCII letter is kept
 * as it is. */
#include <stdlib.h>
#include <string.h>

#include "analysis/an-internal.h"

/* U+00C0..U+017F.  "" = separator (× ÷).  Upper case in the table marks an
 * upper-case source letter (for CamelCase splitting); output is folded. */
/* clang-format off */
static const char *const latin_fold[0x180 - 0xC0] = {
    /* C0 */ "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    /* D0 */ "D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "ss",
    /* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* F0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
    /* 100 */ "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d",
    /* 110 */ "D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g",
    /* 120 */ "G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i",
    /* 130 */ "I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l", "L",
    /* 140 */ "l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "N", "n", "O", "o", "O", "o",
    /* 150 */ "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s",
    /* 160 */ "S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u",
    /* 170 */ "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s",
};
/* clang-format on */

typedef enum cp_class { CP_WORD, CP_SEP, CP_LISTSEP, CP_JOIN } cp_class;
typedef enum cp_case { CASE_NONE, CASE_LOWER, CASE_UPPER } cp_case;

typedef struct cp_info {
    cp_class cls;
    cp_case kase;
    char out[4]; /* folded bytes */
    size_t out_len;
} cp_info;

/* Decodes one UTF-8 sequence at s[pos]; invalid bytes are taken as Latin-1
 * (old Windows file names).  Returns the length consumed (>= 1). */
static size_t utf8_decode(const unsigned char *s, size_t len, size_t pos, uint32_t *cp)
{
    unsigned char c = s[pos];
    size_t need;
    uint32_t v;
    if ((c & 0xE0) == 0xC0) {
        need = 1;
        v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        need = 2;
        v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        need = 3;
        v = c & 0x07;
    } else {
        *cp = c; /* ASCII, or a stray continuation or invalid lead byte */
        return 1;
    }
    if (pos + need >= len) { /* truncated sequence */
        *cp = c;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        unsigned char cc = s[pos + i];
        if ((cc & 0xC0) != 0x80) {
            *cp = c;
            return 1;
        }
        v = (v << 6) | (cc & 0x3F);
    }
    if ((need == 1 && v < 0x80) || (need == 2 && v < 0x800) || (need == 3 && v < 0x10000)) {
        *cp = c; /* overlong */
        return 1;
    }
    *cp = v;
    return need + 1;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static void classify(uint32_t cp, cp_info *ci)
{
    ci->cls = CP_WORD;
    ci->kase = CASE_NONE;
    ci->out_len = 0;
    if (cp < 0x80) {
        char c = (char)cp;
        if (c >= 'a' && c <= 'z') {
            ci->kase = CASE_LOWER;
        } else if (c >= 'A' && c <= 'Z') {
            ci->kase = CASE_UPPER;
            c = (char)(c - 'A' + 'a');
        } else if (c >= '0' && c <= '9') {
            /* digits are word characters without case */
        } else if (c == '&' || c == ',' || c == '+') {
            ci->cls = CP_LISTSEP;
        } else if (c == '\'' || c == '`') {
            ci->cls = CP_JOIN;
        } else {
            ci->cls = CP_SEP;
        }
        ci->out[0] = c;
        ci->out_len = 1;
        return;
    }
    if (cp >= 0xC0 && cp < 0x180) {
        const char *f = latin_fold[cp - 0xC0];
        if (!f[0]) {
            ci->cls = CP_SEP;
            return;
        }
        ci->kase = (f[0] >= 'A' && f[0] <= 'Z') ? CASE_UPPER : CASE_LOWER;
        for (size_t i = 0; f[i]; i++) {
            char c = f[i];
            ci->out[ci->out_len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        return;
    }
    if (cp == 0xB4 || cp == 0x2018 || cp == 0x2019 || cp == 0x201B || cp == 0x2BC ||
        (cp >= 0x300 && cp < 0x370) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0x200D) {
        ci->cls = CP_JOIN; /* apostrophes, combining marks, variation selectors */
        return;
    }
    if (cp < 0xC0 || (cp >= 0x2000 && cp < 0x2070) || (cp >= 0x3000 && cp < 0x3040) ||
        (cp >= 0xFF00 && cp < 0xFF10) || cp >= 0x1F000 || (cp >= 0x2190 && cp < 0x2C00)) {
        ci->cls = CP_SEP; /* C1 controls, Latin-1 and general punctuation, symbols */
        return;
    }
    uint32_t low = cp;
    if ((cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F)) {
        low = cp + 0x20; /* Greek and Cyrillic capitals */
        ci->kase = CASE_UPPER;
    } else if (cp >= 0x400 && cp <= 0x40F) {
        low = cp + 0x50;
        ci->kase = CASE_UPPER;
    } else if ((cp >= 0x3B1 && cp <= 0x3C9) || (cp >= 0x430 && cp <= 0x45F)) {
        ci->kase = CASE_LOWER;
    }
    ci->out_len = utf8_encode(low, ci->out);
}

void an_tokens_init(an_tokens *t)
{
    t->text = t->inline_text;
    t->text_cap = sizeof t->inline_text;
    t->text_len = 0;
    t->tok = t->inline_tok;
    t->cap = sizeof t->inline_tok / sizeof t->inline_tok[0];
    t->n = 0;
}

void an_tokens_free(an_tokens *t)
{
    if (t->text != t->inline_text)
        free(t->text);
    if (t->tok != t->inline_tok)
        free(t->tok);
    an_tokens_init(t);
}

static bool reserve(an_tokens *t, size_t text_need, size_t tok_need)
{
    if (text_need > t->text_cap) {
        char *p = malloc(text_need);
        if (!p)
            return false;
        if (t->text != t->inline_text)
            free(t->text);
        t->text = p;
        t->text_cap = text_need;
    }
    if (tok_need > t->cap) {
        an_token *p = malloc(tok_need * sizeof *p);
        if (!p)
            return false;
        if (t->tok != t->inline_tok)
            free(t->tok);
        t->tok = p;
        t->cap = tok_need;
    }
    return true;
}

/* Every input byte yields at most 2 output bytes plus one separating space
 * (ß, æ and similar fold to two letters from two bytes) and one token. */
bool an_tokenize(const char *s, size_t len, uint32_t base, an_tokens *out)
{
    out->text_len = 0;
    out->n = 0;
    if (!reserve(out, 3 * len + 2, len + 1))
        return false;
    const unsigned char *u = (const unsigned char *)s;
    bool in_tok = false;
    cp_case prev_case = CASE_NONE;
    size_t pos = 0;
    uint32_t cp;
    size_t step = len ? utf8_decode(u, len, 0, &cp) : 0;
    while (pos < len) {
        cp_info ci;
        classify(cp, &ci);
        size_t next = pos + step;
        uint32_t ncp = 0;
        size_t nstep = next < len ? utf8_decode(u, len, next, &ncp) : 0;
        if (ci.cls == CP_SEP || ci.cls == CP_LISTSEP) {
            in_tok = false;
            prev_case = CASE_NONE;
            if (ci.cls == CP_LISTSEP) {
                if (out->text_len)
                    out->text[out->text_len++] = ' ';
                out->tok[out->n++] = (an_token){(uint32_t)out->text_len, 1, base + (uint32_t)pos,
                                                base + (uint32_t)next, AN_TOK_SEP};
                out->text[out->text_len++] = ci.out[0];
            }
        } else if (ci.cls == CP_JOIN) {
            prev_case = CASE_NONE; /* "O'Neil" stays one word */
            if (in_tok)
                out->tok[out->n - 1].src_end = base + (uint32_t)next;
        } else {
            bool split = false;
            if (in_tok && ci.kase == CASE_UPPER) {
                if (prev_case == CASE_LOWER) {
                    split = true; /* brazzersExxtra */
                } else if (prev_case == CASE_UPPER && nstep) {
                    cp_info ni;
                    classify(ncp, &ni);
                    split = ni.cls == CP_WORD && ni.kase == CASE_LOWER; /* DDFNetwork */
                }
            }
            if (!in_tok || split) {
                if (out->text_len)
                    out->text[out->text_len++] = ' ';
                out->tok[out->n++] =
                    (an_token){(uint32_t)out->text_len, 0, base + (uint32_t)pos,
                               base + (uint32_t)pos, (uint8_t)(split ? AN_TOK_CAMEL : 0)};
                in_tok = true;
            }
            an_token *tk = &out->tok[out->n - 1];
            memcpy(out->text + out->text_len, ci.out, ci.out_len);
            out->text_len += ci.out_len;
            tk->len += (uint32_t)ci.out_len;
            tk->src_end = base + (uint32_t)next;
            prev_case = ci.kase;
        }
        pos = next;
        cp = ncp;
        step = nstep;
    }
    out->text[out->text_len] = '\0';
    for (size_t i = 0; i < out->n; i++) {
        an_token *tk = &out->tok[i];
        bool digits = tk->len > 0;
        for (uint32_t j = 0; j < tk->len && digits; j++)
            digits = out->text[tk->off + j] >= '0' && out->text[tk->off + j] <= '9';
        if (digits)
            tk->flags |= AN_TOK_DIGITS;
    }
    return true;
}

char *sh_an_normalize(const char *text)
{
    if (!text)
        return NULL;
    an_tokens t;
    an_tokens_init(&t);
    char *res = NULL;
    if (an_tokenize(text, strlen(text), 0, &t))
        res = strdup(t.text);
    an_tokens_free(&t);
    return res;
}
