/* an-performers.c - the performers analyzer: proposes performers to add
 * (a set change) from names in the file name and parent folder.  The
 * guards against Auto Tag's false positives live in match.c; this file
 * merges the matches of all files and writes the reasons. */
#include <stdio.h>
#include <string.h>

#include "analysis/an-internal.h"

#define MAX_FOUND 32
#define MAX_NEW   8

typedef struct found {
    an_match m;
    const char *path;
} found;

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_lower(char c)
{
    return (c >= 'a' && c <= 'z') || (unsigned char)c >= 0x80 || c == '\'' || c == '-';
}

/* "Jane Doe" or "Jane.Mary.Doe": 2-3 capitalised words of letters. Writes
 * the name with single spaces into buf. */
static bool looks_like_name(const char *s, size_t len, char *buf, size_t size)
{
    size_t words = 0, o = 0, i = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '.' || s[i] == '_'))
            i++;
        if (i == len)
            break;
        size_t st = i;
        if (!is_upper(s[i]))
            return false;
        i++;
        while (i < len && is_lower(s[i]))
            i++;
        if (i < len && s[i] != ' ' && s[i] != '.' && s[i] != '_')
            return false;
        size_t wl = i - st;
        char low[32];
        if (wl < 2 || wl >= sizeof low || o + wl + 2 > size)
            return false;
        for (size_t j = 0; j < wl; j++)
            low[j] = (char)(is_upper(s[st + j]) ? s[st + j] - 'A' + 'a' : s[st + j]);
        if (an_is_junk_word(low, wl) || an_is_small_word(low, wl) || an_is_list_word(low, wl))
            return false;
        if (words++)
            buf[o++] = ' ';
        memcpy(buf + o, s + st, wl);
        o += wl;
    }
    buf[o] = '\0';
    return words >= 2 && words <= 3;
}

static void add_new(const sh_an_index *index, const char *path, const an_span *spans,
                    size_t n_spans, sh_an_item *items, size_t *n_items, char (*names)[96],
                    char (*reasons)[256])
{
    for (size_t i = 0; i < n_spans && *n_items < MAX_FOUND + MAX_NEW; i++) {
        size_t slot = *n_items;
        char *name = names[slot];
        if (!looks_like_name(path + spans[i].start, spans[i].end - spans[i].start, name, 96))
            continue;
        /* any existing performer under that name (even ignored) is not new */
        if (sh_an_index_lookup(index, SH_AN_PERFORMER, name, NULL) != SH_ERR_NOT_FOUND)
            continue;
        bool dup = false;
        for (size_t j = 0; j < *n_items && !dup; j++)
            dup = items[j].is_new && strcmp(items[j].name, name) == 0;
        if (dup)
            continue;
        snprintf(reasons[slot], 256,
                 "unknown name '%s' listed with known performers in the file name", name);
        items[(*n_items)++] = (sh_an_item){0, name, true, 0.3, reasons[slot]};
    }
}

sh_status an_performers_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                                const sh_an_scene *scene, const sh_an_options *options,
                                sh_an_results *out, sh_error *err)
{
    const an_kind *k = &index->kinds[SH_AN_PERFORMER];
    found f[MAX_FOUND];
    size_t n = 0;
    an_span unmatched[MAX_NEW];
    size_t n_unmatched = 0;
    for (size_t fi = 0; fi < scene->n_files; fi++) {
        if (!scene->files[fi].path)
            continue;
        an_path p;
        an_path_parse(scene->files[fi].path, &p);
        an_match m[AN_MAX_MATCHES];
        an_perf_opts po = {false, fi == 0 ? unmatched : NULL, MAX_NEW, 0};
        size_t nm = an_match_performers(index, &p, &po, m, AN_MAX_MATCHES);
        if (fi == 0)
            n_unmatched = po.n_unmatched;
        for (size_t i = 0; i < nm; i++) {
            if (an_ids_contain(scene->performer_ids, scene->n_performer_ids,
                               k->ents[m[i].entity].id))
                continue;
            size_t j = 0;
            while (j < n && f[j].m.entity != m[i].entity)
                j++;
            if (j < n) {
                if (m[i].confidence > f[j].m.confidence)
                    f[j] = (found){m[i], scene->files[fi].path};
            } else if (n < MAX_FOUND) {
                f[n++] = (found){m[i], scene->files[fi].path};
            }
        }
    }

    sh_an_item items[MAX_FOUND + MAX_NEW];
    char reasons[MAX_FOUND + MAX_NEW][256];
    char names[MAX_FOUND + MAX_NEW][96];
    size_t ni = 0;
    for (size_t i = 0; i < n; i++) {
        const sh_an_entity *e = &k->ents[f[i].m.entity];
        const an_match *m = &f[i].m;
        snprintf(reasons[ni], sizeof reasons[ni], "matched %s '%s' as '%.*s' in the %s%s%s%s",
                 m->alias < 0 ? "name" : "alias", m->alias < 0 ? e->name : e->aliases[m->alias],
                 (int)(m->end - m->start), f[i].path + m->start, an_source_name(m->src),
                 m->how[0] ? " (" : "", m->how, m->how[0] ? ")" : "");
        items[ni] = (sh_an_item){e->id, e->name, false, m->confidence, reasons[ni]};
        ni++;
    }
    if (options->allow_new_entities && n_unmatched)
        add_new(index, scene->files[0].path, unmatched, n_unmatched, items, &ni, names, reasons);
    if (!ni)
        return SH_OK;
    return sh_an_results_add_items(out, SH_AN_FIELD_PERFORMERS, self->name, items, ni, err);
}
