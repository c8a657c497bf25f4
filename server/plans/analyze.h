/* analyze.h - private to plans/ (and the RPC handler): analysis runs that
 * fill a plan, their options, and the cost estimate.
 *
 * Threading: the run executes on the calling job worker thread and starts
 * SH_ANALYZE_THREADS short-lived threads per chunk of scenes for the
 * heuristic analyzers (the index and registry are immutable and shared;
 * each thread writes only its own scenes' results).  The database and the
 * LLM client are used from the calling thread only. */
#ifndef SH_PLANS_ANALYZE_H
#define SH_PLANS_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "analysis/plugin.h"
#include "db/db.h"
#include "llm/llm.h"
#include "plans/plans.h"
#include "services.h"
#include "sh-error.h"
#include "sh-util.h"

#define SH_ANALYZE_THREADS 2
#define SH_ANALYZE_CHUNK 1000

#define SH_ANALYZE_MAX_ANALYZERS 16

typedef struct sh_analyze_opts {
    sh_an_options an;  /* fields, allow_new_entities, include_organized, min_confidence */
    bool use_llm;
    double budget_usd; /* <= 0: the openai.budget_usd setting */
    /* AnalyzeOptions.analyzers (0 = all); checked against the registry and
     * plugins when the job starts (analysis/plugin.h sets an.analyzers). */
    char analyzers[SH_ANALYZE_MAX_ANALYZERS][SH_AN_PLUGIN_NAME_MAX + 16];
    size_t n_analyzers;
} sh_analyze_opts;

/* From the plan's options JSON (AnalyzeOptions as JSON). */
sh_status sh_analyze_opts_from_json(const char *json, sh_analyze_opts *out, sh_error *err);

/* Ids of the scenes the filter selects, ascending (one read transaction). */
sh_status sh_analyze_select(sh_db *db, const Stashhog__SceneFilter *filter, int64_t **ids, size_t *n,
                            sh_error *err);

/* Heuristic analysis of n scenes on SH_ANALYZE_THREADS threads;
 * results[i] (created by the caller) receives scenes[i]'s proposals. */
sh_status sh_analyze_heuristics(const sh_an_registry *registry, const sh_an_index *index,
                                const sh_an_scene *scenes, size_t n, const sh_an_options *options,
                                sh_an_results *const *results, int threads, sh_error *err);

/* Merges one scene's proposals into changes and inserts them (inside the
 * caller's write transaction); *count is incremented per change. */
sh_status sh_analyze_write_scene(sh_db *db, int64_t plan_id, const sh_an_index *index, const sh_an_scene *s,
                                 const sh_an_results *r, int64_t *count, sh_error *err);

/* An LLM client from the settings (openai.*), polling cancel during calls.
 * *budget is the openai.budget_usd setting. */
sh_status sh_analyze_llm_client(sh_db *db, sh_services *svc, int (*cancel)(void *), void *cancel_user,
                                sh_llm_client **out, double *budget, sh_error *err);

/* Cost estimate of an AnalyzeRequest (options.estimate_only), on the
 * caller's (read-only is fine) connection. */
sh_status sh_analyze_estimate(sh_db *db, sh_services *svc, const Stashhog__AnalyzeRequest *req, sh_arena *arena,
                              Stashhog__AnalyzeEstimate *out, sh_error *err);

#endif
