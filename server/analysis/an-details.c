/* an-details.c - the details analyzer: details scraped with HTML markup get
 * a plain-text version (tags stripped, entities decoded, whitespace
 * normalized, paragraph breaks kept). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/an-internal.h"

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

typedef struct named_entity {
    const char *name;
    const char *text;
} named_entity;

static const named_entity entities[] = {
    {"amp", "&"},
    {"lt", "<"},
    {"gt", ">"},
    {"quot", "\""},
    {"apos", "'"},
    {"nbsp", " "},
    {"ndash", "\xe2\x80\x93"},
    {"mdash", "\xe2\x80\x94"},
    {"hellip", "\xe2\x80\xa6"},
    {"lsquo", "\xe2\x80\x98"},
    {"rsquo", "\xe2\x80\x99"},
    {"ldquo", "\xe2\x80\x9c"},
    {"rdquo", "\xe2\x80\x9d"},
    {"trade", "\xe2\x84\xa2"},
};

/* HTML's Latin-1 named entities, U+00A0..U+00FF in order (&euml; ...). */
static const char *const latin1_entities[96] = {
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
    "laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para",
    "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave",
    "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc",
    "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc",
    "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN",
    "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave",
    "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde", "ograve",
    "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml",
    "yacute", "thorn", "yuml",
};

/* Decodes an entity at s (just after '&'); returns bytes consumed after
 * the '&' (0 if not an entity) and writes the text to buf. */
static size_t decode_entity(const char *s, char *buf, size_t *buf_len)
{
    const char *semi = strchr(s, ';');
    if (!semi || semi - s > 10 || semi == s)
        return 0;
    size_t len = (size_t)(semi - s);
    if (s[0] == '#') {
        unsigned long cp;
        char *endp;
        if (s[1] == 'x' || s[1] == 'X')
            cp = strtoul(s + 2, &endp, 16);
        else
            cp = strtoul(s + 1, &endp, 10);
        if (endp != semi || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        if (cp == 0xA0)
            cp = ' ';
        size_t o = 0;
        if (cp < 0x80) {
            buf[o++] = (char)cp;
        } else if (cp < 0x800) {
            buf[o++] = (char)(0xC0 | (cp >> 6));
            buf[o++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            buf[o++] = (char)(0xE0 | (cp >> 12));
            buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            buf[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            buf[o++] = (char)(0xF0 | (cp >> 18));
            buf[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            buf[o++] = (char)(0x80 | (cp & 0x3F));
        }
        *buf_len = o;
        return len + 1;
    }
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++) {
        if (strlen(entities[i].name) == len && strncmp(entities[i].name, s, len) == 0) {
            *buf_len = strlen(entities[i].text);
            memcpy(buf, entities[i].text, *buf_len);
            return len + 1;
        }
    }
    for (unsigned i = 0; i < 96; i++) {
        if (strlen(latin1_entities[i]) == len && strncmp(latin1_entities[i], s, len) == 0) {
            unsigned cp = 0xA0 + i; /* two UTF-8 bytes */
            buf[0] = (char)(0xC0 | (cp >> 6));
            buf[1] = (char)(0x80 | (cp & 0x3F));
            *buf_len = 2;
            return len + 1;
        }
    }
    return 0;
}

static bool tag_at(const char *s)
{
    return s[0] == '<' && (is_alpha(s[1]) || s[1] == '/' || s[1] == '!') && strchr(s, '>');
}

bool an_looks_like_html(const char *s)
{
    if (!s)
        return false;
    for (const char *p = s; *p; p++) {
        char buf[8];
        size_t bl;
        if (*p == '<' && tag_at(p))
            return true;
        if (*p == '&' && decode_entity(p + 1, buf, &bl))
            return true;
    }
    return false;
}

/* Marker bytes in the first pass: a line break and a paragraph break. */
#define BR   '\x01'
#define PARA '\x02'

static char block_break(const char *name, size_t len)
{
    static const char *const para[] = {"blockquote", "div", "h1", "h2", "h3",    "h4",
                                       "h5",         "h6",  "ol", "p",  "table", "ul"};
    static const char *const line[] = {"br", "li", "tr", "dd", "dt"};
    for (size_t i = 0; i < sizeof para / sizeof para[0]; i++)
        if (strlen(para[i]) == len && strncasecmp(para[i], name, len) == 0)
            return PARA;
    for (size_t i = 0; i < sizeof line / sizeof line[0]; i++)
        if (strlen(line[i]) == len && strncasecmp(line[i], name, len) == 0)
            return BR;
    return 0;
}

char *an_html_to_text(const char *html)
{
    size_t len = strlen(html);
    char *raw = malloc(len * 4 + 2);
    if (!raw)
        return NULL;
    bool has_tags = false;
    for (const char *p = html; *p; p++)
        has_tags = has_tags || (*p == '<' && tag_at(p));
    size_t o = 0;
    const char *p = html;
    while (*p) {
        if (*p == '<' && tag_at(p)) {
            const char *name = p + 1 + (p[1] == '/');
            size_t nl = 0;
            while (is_alpha(name[nl]) || (name[nl] >= '0' && name[nl] <= '9'))
                nl++;
            const char *close = strchr(p, '>');
            bool skip_body = (nl == 6 && strncasecmp(name, "script", 6) == 0) ||
                             (nl == 5 && strncasecmp(name, "style", 5) == 0);
            if (skip_body && p[1] != '/') {
                /* drop everything up to the closing tag */
                const char *q = close;
                while (q && !(q[0] == '<' && q[1] == '/' && strncasecmp(q + 2, name, nl) == 0))
                    q = strchr(q + 1, '<');
                close = q ? strchr(q, '>') : NULL;
                if (!close)
                    break;
            }
            char br = block_break(name, nl);
            if (br == BR && p[1] == '/')
                br = 0; /* </li> after <li>: one break, not two */
            raw[o++] = br ? br : ' ';
            p = close + 1;
            continue;
        }
        if (*p == '&') {
            size_t bl = 0;
            size_t used = decode_entity(p + 1, raw + o, &bl);
            if (used) {
                o += bl;
                p += used + 1;
                continue;
            }
        }
        if (*p == '\n' && !has_tags)
            raw[o++] = BR;
        else
            raw[o++] = is_space(*p) ? ' ' : *p;
        p++;
    }
    raw[o] = '\0';

    /* second pass: collapse spaces, trim around breaks, at most one blank line */
    char *out = malloc(o + 1);
    if (!out) {
        free(raw);
        return NULL;
    }
    size_t w = 0;
    int pending_nl = 0, br_run = 0;
    bool pending_space = false;
    for (size_t i = 0; i < o; i++) {
        char c = raw[i];
        if (c == ' ') {
            pending_space = true;
        } else if (c == BR || c == PARA) {
            /* two line breaks in a row (<br><br>) make a paragraph */
            br_run = c == PARA ? 2 : br_run + 1;
            int want = br_run > 2 ? 2 : br_run;
            pending_nl = pending_nl > want ? pending_nl : want;
            pending_space = false;
        } else {
            br_run = 0;
            if (w && pending_nl) {
                for (int k = 0; k < pending_nl; k++)
                    out[w++] = '\n';
            } else if (w && pending_space) {
                out[w++] = ' ';
            }
            pending_nl = 0;
            pending_space = false;
            out[w++] = c;
        }
    }
    out[w] = '\0';
    free(raw);
    return out;
}

sh_status an_details_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                             const sh_an_scene *scene, const sh_an_options *options,
                             sh_an_results *out, sh_error *err)
{
    (void)index;
    (void)options;
    if (an_str_unset(scene->details) || !an_looks_like_html(scene->details))
        return SH_OK;
    char *text = an_html_to_text(scene->details);
    if (!text)
        return sh_error_set(err, SH_ERR_NOMEM, "details: out of memory");
    sh_status st = SH_OK;
    if (text[0] && strcmp(text, scene->details) != 0)
        st = sh_an_results_add_text(out, SH_AN_FIELD_DETAILS, self->name, text, 0.9,
                                    "details contain HTML markup: tags stripped, entities "
                                    "decoded, whitespace normalized",
                                    err);
    free(text);
    return st;
}
