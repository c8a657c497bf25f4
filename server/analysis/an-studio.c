/* an-studio.c - the studio analyzer.
 *
 * Candidates come from folder names and file name prefixes of every file
 * (match-studio.c).  A child studio beats its parent when both appear
 * ("Brazzers/Brazzers Exxtra/"), two unrelated candidates of similar weight
 * lower the confidence, and a scene that already has a studio only gets a
 * change when the path refines it (a child of it) or strongly contradicts
 * it, the latter at reduced confidence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/an-internal.h"

#define MAX_CANDS 64

typedef struct cand {
    an_match m;
    const char *path; /* the file path the match span refers to */
    bool dropped;
    int hits;
} cand;

static void describe(const an_kind *k, const cand *c, char *buf, size_t size)
{
    const sh_an_entity *e = &k->ents[c->m.entity];
    const char *via = c->m.alias < 0 ? "name" : "alias";
    const char *text = c->m.alias < 0 ? e->name : e->aliases[c->m.alias];
    snprintf(buf, size, "matched %s '%s' in '%.*s' (%s)", via, text, (int)(c->m.end - c->m.start),
             c->path + c->m.start, c->m.how);
}

static bool bracket_word_ok(const char *s, size_t len)
{
    size_t letters = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
            letters++;
        else if (ch >= '0' && ch <= '9')
            return false; /* [1080p], [2020], [ABC-123] are not studios */
    }
    return letters >= 3;
}

/* "[Some Studio] Title.mp4" with an unknown studio: propose creating it. */
static sh_status propose_new(const sh_an_index *index, const sh_an_scene *scene,
                             const char *analyzer, sh_an_results *out, sh_error *err)
{
    if (!scene->n_files || !scene->files[0].path)
        return SH_OK;
    an_path p;
    an_path_parse(scene->files[0].path, &p);
    an_segment segs[AN_MAX_SEGMENTS];
    size_t ns = an_segments(p.s, p.stem.start, p.stem.end, segs, AN_MAX_SEGMENTS);
    if (ns < 2 || segs[0].kind != AN_SEG_BRACKET)
        return SH_OK;
    const char *s = p.s + segs[0].start;
    size_t len = segs[0].end - segs[0].start;
    char name[128];
    if (len >= sizeof name || !bracket_word_ok(s, len))
        return SH_OK;
    memcpy(name, s, len);
    name[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (name[i] == '.' || name[i] == '_')
            name[i] = ' ';
    char *norm = sh_an_normalize(name);
    if (!norm)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    size_t nlen = strlen(norm);
    bool junk = nlen == 0 || an_is_junk_word(norm, nlen);
    free(norm);
    /* known under any form (even ignored or ambiguous): never a new one */
    if (junk || sh_an_index_lookup(index, SH_AN_STUDIO, name, NULL) != SH_ERR_NOT_FOUND ||
        sh_an_index_lookup(index, SH_AN_PERFORMER, name, NULL) != SH_ERR_NOT_FOUND)
        return SH_OK;
    char reason[256];
    snprintf(reason, sizeof reason, "unknown studio '%s' in brackets at the start of the file name",
             name);
    sh_an_item item = {0, name, true, 0.35, reason};
    return sh_an_results_add_items(out, SH_AN_FIELD_STUDIO, analyzer, &item, 1, err);
}

sh_status an_studio_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                            const sh_an_scene *scene, const sh_an_options *options,
                            sh_an_results *out, sh_error *err)
{
    const an_kind *k = &index->kinds[SH_AN_STUDIO];
    cand c[MAX_CANDS];
    size_t n = 0;
    for (size_t f = 0; f < scene->n_files && n < MAX_CANDS; f++) {
        if (!scene->files[f].path)
            continue;
        an_path p;
        an_path_parse(scene->files[f].path, &p);
        an_match m[AN_MAX_MATCHES];
        size_t nm = an_match_studios(index, &p, m, AN_MAX_MATCHES);
        for (size_t i = 0; i < nm && n < MAX_CANDS; i++) {
            /* the same studio seen again: keep the strongest, count the hits */
            size_t j = 0;
            while (j < n && c[j].m.entity != m[i].entity)
                j++;
            if (j < n) {
                c[j].hits++;
                continue; /* m is sorted, so the first one was the strongest */
            }
            c[n++] = (cand){m[i], scene->files[f].path, false, 1};
        }
    }
    if (!n)
        return options->allow_new_entities && !scene->studio_id
                   ? propose_new(index, scene, self->name, out, err)
                   : SH_OK;

    /* a child beats its parent; the parent being there too confirms it */
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            if (i == j || c[j].dropped)
                continue;
            if (sh_an_index_studio_is_ancestor(index, k->ents[c[i].m.entity].id,
                                               k->ents[c[j].m.entity].id)) {
                c[i].dropped = true;
                c[j].m.confidence += 0.05;
            }
        }
    }
    size_t best = n;
    for (size_t i = 0; i < n; i++) {
        if (c[i].dropped)
            continue;
        if (c[i].hits > 1)
            c[i].m.confidence += 0.03;
        if (best == n || c[i].m.confidence > c[best].m.confidence)
            best = i;
    }
    cand *top = &c[best];
    double conf = top->m.confidence > 0.95 ? 0.95 : top->m.confidence;
    char reason[512];
    describe(k, top, reason, sizeof reason);
    for (size_t i = 0; i < n; i++) {
        if (i == best || c[i].dropped || c[i].m.confidence < top->m.confidence - 0.1)
            continue;
        size_t used = strlen(reason);
        snprintf(reason + used, sizeof reason - used, "; but the path also names '%s'",
                 k->ents[c[i].m.entity].name);
        conf *= 0.6;
        break;
    }

    const sh_an_entity *e = &k->ents[top->m.entity];
    if (scene->studio_id > 0) {
        const sh_an_entity *cur = sh_an_index_get(index, SH_AN_STUDIO, scene->studio_id);
        const char *cur_name = cur ? cur->name : "unknown";
        size_t used = strlen(reason);
        if (scene->studio_id == e->id ||
            sh_an_index_studio_is_ancestor(index, e->id, scene->studio_id))
            return SH_OK; /* same, or the current one is more specific */
        if (sh_an_index_studio_is_ancestor(index, scene->studio_id, e->id)) {
            conf *= 0.8;
            snprintf(reason + used, sizeof reason - used,
                     "; more specific than the current studio '%s'", cur_name);
        } else if (conf >= 0.8) {
            conf *= 0.5;
            snprintf(reason + used, sizeof reason - used, "; contradicts the current studio '%s'",
                     cur_name);
        } else {
            return SH_OK; /* weak evidence does not override the user */
        }
    }
    sh_an_item item = {e->id, e->name, false, conf, reason};
    return sh_an_results_add_items(out, SH_AN_FIELD_STUDIO, self->name, &item, 1, err);
}
