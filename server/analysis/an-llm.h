/* an-llm.h - the LLM as a batch analyzer: builds each scene's model input
 * with only the candidates relevant to it (entities whose names or aliases
 * occur as whole word sequences in its file path or title, plus the ones
 * already on the scene), sends several scenes per request through the LLM
 * client, and turns answers into proposals in the scenes' sh_an_results,
 * attributed to the analyzer "llm".
 *
 * Entities with ignore_auto_tag are never offered as candidates: the model
 * would be proposing them from a name match.
 *
 * Threading: call from one thread per client (a job worker); the index is
 * only read. */
#ifndef SH_AN_LLM_H
#define SH_AN_LLM_H

#include <stddef.h>

#include "analysis/analysis.h"
#include "llm/llm.h"
#include "sh-error.h"
#include "sh-util.h"

/* Per-kind cap of candidates offered for one scene. */
#define SH_AN_LLM_MAX_CANDIDATES 24

typedef struct sh_an_llm_inputs {
    sh_llm_scene_input *v; /* one per scene, same order */
    size_t n;
    sh_arena *arena;       /* owns v and everything it points at */
} sh_an_llm_inputs;

sh_status sh_an_llm_build_inputs(const sh_an_index *index, const sh_an_scene *scenes, size_t n,
                                 sh_an_llm_inputs *out, sh_error *err);
void sh_an_llm_inputs_fini(sh_an_llm_inputs *in);

/* Analyzes the scenes (results[i] belongs to scenes[i]; proposals are
 * appended).  Returns what sh_llm_analyze_batch returns; proposals of the
 * scenes answered before a stopping error are kept.  *answered counts the
 * scenes that got an answer (cache hits included). */
sh_status sh_an_llm_analyze(sh_llm_client *client, const sh_an_index *index, const sh_an_scene *scenes,
                            size_t n, const sh_an_options *options, const sh_llm_request_opts *ropts,
                            sh_an_results *const *results, sh_llm_usage *usage, size_t *answered,
                            sh_error *err);

/* The cost of analyzing these scenes, added to *out (no request is sent). */
sh_status sh_an_llm_estimate(const char *model, const sh_an_index *index, const sh_an_scene *scenes,
                             size_t n, const sh_llm_request_opts *ropts, sh_llm_estimate *out,
                             sh_error *err);

#endif
