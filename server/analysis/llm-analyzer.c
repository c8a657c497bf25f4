/* llm-analyzer.c - the LLM plugged into analysis (see an-llm.h).
 *
 * Candidates come from the index: every window of one to four words of the
 * normalized path tail (last three segments) and title is looked up as a
 * whole name or alias.  That keeps each request small (a few candidates
 * per scene instead of the whole library) and gives the model exactly the
 * names a human would consider. */
#include "analysis/an-llm.h"

#include <stdlib.h>
#include <string.h>

#include "llm/llm-analysis.h"

#define MAX_WINDOW 4
#define MAX_WORDS 64

typedef struct cand_set {
    sh_llm_candidate v[SH_AN_LLM_MAX_CANDIDATES];
    size_t n;
} cand_set;

static void cand_add(cand_set *c, const sh_an_entity *e)
{
    if (!e || e->ignore_auto_tag || c->n >= SH_AN_LLM_MAX_CANDIDATES)
        return;
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].id == e->id)
            return;
    c->v[c->n++] = (sh_llm_candidate){.id = e->id, .name = e->name};
}

/* The last three path segments: the library root says nothing. */
static const char *path_tail(const char *path)
{
    const char *end = path + strlen(path), *p = end;
    int seps = 0;
    while (p > path) {
        p--;
        if ((*p == '/' || *p == '\\') && ++seps == 3)
            return p + 1;
    }
    return path;
}

static void scan(const sh_an_index *index, const char *text, cand_set *c)
{
    char *norm = text ? sh_an_normalize(text) : NULL;
    if (!norm)
        return;
    char *words[MAX_WORDS];
    size_t nw = 0;
    for (char *save = NULL, *w = strtok_r(norm, " ", &save); w && nw < MAX_WORDS; w = strtok_r(NULL, " ", &save))
        words[nw++] = w;
    char buf[256];
    for (size_t i = 0; i < nw; i++) {
        size_t len = 0;
        for (size_t k = 0; k < MAX_WINDOW && i + k < nw; k++) {
            size_t wl = strlen(words[i + k]);
            if (len + wl + 2 > sizeof buf)
                break;
            if (k)
                buf[len++] = ' ';
            memcpy(buf + len, words[i + k], wl);
            len += wl;
            buf[len] = '\0';
            if (len < 3)
                continue;
            for (int kind = 0; kind < SH_AN_KIND_COUNT_; kind++) {
                const sh_an_entity *e = NULL;
                sh_status st = sh_an_index_lookup(index, (sh_an_kind)kind, buf, &e);
                if (st == SH_OK || st == SH_ERR_CONFLICT)
                    cand_add(&c[kind], e);
            }
        }
    }
    free(norm);
}

static const char *name_of(const sh_an_index *index, sh_an_kind kind, int64_t id)
{
    const sh_an_entity *e = sh_an_index_get(index, kind, id);
    return e ? e->name : NULL;
}

static const char **names_of(sh_arena *a, const sh_an_index *index, sh_an_kind kind, const int64_t *ids, size_t n,
                             size_t *n_out)
{
    const char **v = n ? sh_arena_alloc(a, n * sizeof *v) : NULL;
    size_t k = 0;
    for (size_t i = 0; v && i < n; i++) {
        const char *name = name_of(index, kind, ids[i]);
        if (name)
            v[k++] = name;
    }
    *n_out = k;
    return v;
}

static sh_llm_candidate *copy_cands(sh_arena *a, const cand_set *c)
{
    sh_llm_candidate *v = c->n ? sh_arena_alloc(a, c->n * sizeof *v) : NULL;
    if (v)
        memcpy(v, c->v, c->n * sizeof *v);
    return v;
}

sh_status sh_an_llm_build_inputs(const sh_an_index *index, const sh_an_scene *scenes, size_t n,
                                 sh_an_llm_inputs *out, sh_error *err)
{
    memset(out, 0, sizeof *out);
    out->arena = sh_arena_create();
    out->v = out->arena && n ? sh_arena_alloc(out->arena, n * sizeof *out->v) : NULL;
    if (!out->arena || (n && !out->v)) {
        sh_an_llm_inputs_fini(out);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    sh_arena *a = out->arena;
    for (size_t i = 0; i < n; i++) {
        const sh_an_scene *s = &scenes[i];
        sh_llm_scene_input *in = &out->v[i];
        cand_set c[SH_AN_KIND_COUNT_];
        memset(c, 0, sizeof c);
        /* What the scene has now stays a candidate: the model may confirm it. */
        cand_add(&c[SH_AN_STUDIO], sh_an_index_get(index, SH_AN_STUDIO, s->studio_id));
        for (size_t k = 0; k < s->n_performer_ids; k++)
            cand_add(&c[SH_AN_PERFORMER], sh_an_index_get(index, SH_AN_PERFORMER, s->performer_ids[k]));
        for (size_t k = 0; k < s->n_tag_ids; k++)
            cand_add(&c[SH_AN_TAG], sh_an_index_get(index, SH_AN_TAG, s->tag_ids[k]));
        const char **paths = s->n_files ? sh_arena_alloc(a, s->n_files * sizeof *paths) : NULL;
        for (size_t k = 0; k < s->n_files; k++) {
            if (paths)
                paths[k] = s->files[k].path;
            if (k == 0 && s->files[k].path)
                scan(index, path_tail(s->files[k].path), c);
        }
        scan(index, s->title, c);
        in->id = s->id;
        in->paths = paths;
        in->n_paths = paths ? s->n_files : 0;
        in->title = s->title;
        in->date = s->date;
        in->details = s->details;
        in->studio = name_of(index, SH_AN_STUDIO, s->studio_id);
        in->performers = names_of(a, index, SH_AN_PERFORMER, s->performer_ids, s->n_performer_ids,
                                  &in->n_performers);
        in->tags = names_of(a, index, SH_AN_TAG, s->tag_ids, s->n_tag_ids, &in->n_tags);
        in->studio_candidates = copy_cands(a, &c[SH_AN_STUDIO]);
        in->n_studio_candidates = in->studio_candidates ? c[SH_AN_STUDIO].n : 0;
        in->performer_candidates = copy_cands(a, &c[SH_AN_PERFORMER]);
        in->n_performer_candidates = in->performer_candidates ? c[SH_AN_PERFORMER].n : 0;
        in->tag_candidates = copy_cands(a, &c[SH_AN_TAG]);
        in->n_tag_candidates = in->tag_candidates ? c[SH_AN_TAG].n : 0;
    }
    out->n = n;
    return SH_OK;
}

void sh_an_llm_inputs_fini(sh_an_llm_inputs *in)
{
    if (!in)
        return;
    sh_arena_destroy(in->arena);
    memset(in, 0, sizeof *in);
}

sh_status sh_an_llm_analyze(sh_llm_client *client, const sh_an_index *index, const sh_an_scene *scenes,
                            size_t n, const sh_an_options *options, const sh_llm_request_opts *ropts,
                            sh_an_results *const *results, sh_llm_usage *usage, size_t *answered,
                            sh_error *err)
{
    *answered = 0;
    if (n == 0)
        return SH_OK;
    sh_an_llm_inputs in;
    sh_status st = sh_an_llm_build_inputs(index, scenes, n, &in, err);
    if (st != SH_OK)
        return st;
    sh_llm_scene_result *res = calloc(n, sizeof *res);
    if (!res) {
        sh_an_llm_inputs_fini(&in);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    st = sh_llm_analyze_batch(client, in.v, n, ropts, res, usage, err);
    /* Answers that came back before a stopping error still count. */
    for (size_t i = 0; i < n; i++) {
        if (res[i].status != SH_OK || res[i].scene_id != scenes[i].id)
            continue;
        sh_error e2 = {0};
        if (sh_llm_result_to_proposals(&res[i], index, &scenes[i], options, results[i], &e2) == SH_OK)
            (*answered)++;
    }
    sh_llm_scene_results_fini(res, n);
    free(res);
    sh_an_llm_inputs_fini(&in);
    return st;
}

sh_status sh_an_llm_estimate(const char *model, const sh_an_index *index, const sh_an_scene *scenes,
                             size_t n, const sh_llm_request_opts *ropts, sh_llm_estimate *out,
                             sh_error *err)
{
    if (n == 0)
        return SH_OK;
    sh_an_llm_inputs in;
    sh_status st = sh_an_llm_build_inputs(index, scenes, n, &in, err);
    if (st != SH_OK)
        return st;
    st = sh_llm_estimate_cost(model, in.v, n, ropts, out, err);
    sh_an_llm_inputs_fini(&in);
    return st;
}
