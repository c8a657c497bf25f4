/* llm-analysis.h - the bridge from LLM answers to the analysis engine's
 * proposals (server/analysis), kept apart from llm.h so the client does not
 * depend on the analysis module.  Pure functions: no threads, no I/O. */
#ifndef SH_LLM_ANALYSIS_H
#define SH_LLM_ANALYSIS_H

#include "analysis/analysis.h"
#include "llm/llm.h"

/* Name of the analyzer the proposals are attributed to. */
#define SH_LLM_ANALYZER_NAME "llm"

/* Maps an SH_AN_FIELD_BIT mask (0 = all) to an SH_LLM_FIELD_BIT mask; the
 * analysis-only field "code" has no LLM counterpart. */
unsigned sh_llm_fields_from_an(unsigned an_fields);

/* Appends proposals from one successful result (status SH_OK) to out:
 * studio (unless it is the scene's studio already), performers and tags not
 * yet on the scene, title, date and details.  Names the model proposed as
 * new are looked up in the index first (names and aliases); they stay new
 * only when options->allow_new_entities is set, else they are dropped.
 * Items and values below options->min_confidence and fields not enabled in
 * options->fields are skipped. */
sh_status sh_llm_result_to_proposals(const sh_llm_scene_result *result, const sh_an_index *index,
                                     const sh_an_scene *scene, const sh_an_options *options,
                                     sh_an_results *out, sh_error *err);

#endif
