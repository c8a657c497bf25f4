/* analyze-job.c - the analyze job: select scenes with the plan's filter,
 * run the heuristic analyzers (and the LLM when asked) chunk by chunk, and
 * write the merged proposals as the plan's changes.
 *
 * Threading: see analyze.h.  Per chunk of SH_ANALYZE_CHUNK scenes: one read
 * transaction loads them, worker threads run the heuristics, the LLM (on
 * this thread) adds its proposals, one write transaction stores the
 * changes.  Cancellation is checked between chunks and inside LLM calls.
 *
 * Budget: the LLM stops when the next request would pass the budget
 * (options.budget_usd, else the openai.budget_usd setting); the job then
 * ends with the changes made so far and says so in its result. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/an-llm.h"
#include "analysis/an-loader.h"
#include "db/scene-query.h"
#include "jobs/jobs.h"
#include "llm/llm-analysis.h"
#include "plans/analyze.h"
#include "plans/plan-internal.h"
#include "secrets/secretbox.h"
#include "settings/settings.h"
#include "sh-log.h"
#include "sh-pbjson.h"

#define LOG "analyze"

/* The plan's options are AnalyzeOptions as JSON: read them strictly, so a
 * member is never dropped on the way to the analyzers. */
sh_status sh_analyze_opts_from_json(const char *text, sh_analyze_opts *out, sh_error *err)
{
    memset(out, 0, sizeof *out);
    sh_an_options_init(&out->an);
    json_t *j = json_loads(text ? text : "{}", 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return sh_error_set(err, SH_ERR_INVALID, "analysis options are not a JSON object");
    }
    ProtobufCMessage *m = NULL;
    sh_status st = sh_pb_from_json(&stashhog__analyze_options__descriptor, j, &m, err);
    json_decref(j);
    if (st != SH_OK) {
        sh_error_prefix(err, "analysis options");
        return st;
    }
    const Stashhog__AnalyzeOptions *o = (const Stashhog__AnalyzeOptions *)m;
    if ((st = sh_plan_analyze_options_check(o, err)) == SH_OK) {
        if (o->n_fields)
            out->an.fields = 0;
        for (size_t i = 0; i < o->n_fields; i++)
            out->an.fields |= SH_AN_FIELD_BIT(sh_an_field_parse(o->fields[i]));
        out->use_llm = o->has_use_llm && o->use_llm;
        out->an.allow_new_entities = o->has_allow_new_entities && o->allow_new_entities;
        out->an.include_organized = o->has_include_organized && o->include_organized;
        if (o->has_min_confidence)
            out->an.min_confidence = o->min_confidence;
        out->budget_usd = o->has_budget_usd ? o->budget_usd : 0;
        if (o->n_analyzers > SH_ANALYZE_MAX_ANALYZERS)
            st = sh_error_set(err, SH_ERR_INVALID, "at most %d analyzers", SH_ANALYZE_MAX_ANALYZERS);
        for (size_t i = 0; st == SH_OK && i < o->n_analyzers; i++)
            if (sh_strlcpy(out->analyzers[out->n_analyzers++], o->analyzers[i], sizeof out->analyzers[0]) != 0)
                st = sh_error_set(err, SH_ERR_INVALID, "analyzer name '%.40s...' is too long", o->analyzers[i]);
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return st;
}

typedef struct id_vec {
    int64_t *v;
    size_t n, cap;
} id_vec;

static sh_status push_id(void *user, int64_t id, sh_error *err)
{
    id_vec *ids = user;
    if (ids->n == ids->cap) {
        size_t cap = ids->cap ? ids->cap * 2 : 4096;
        int64_t *grown = realloc(ids->v, cap * sizeof *grown);
        if (!grown)
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        ids->v = grown;
        ids->cap = cap;
    }
    ids->v[ids->n++] = id;
    return SH_OK;
}

sh_status sh_analyze_select(sh_db *db, const Stashhog__SceneFilter *filter, int64_t **ids, size_t *n,
                            sh_error *err)
{
    id_vec v = {0};
    sh_scene_order order = {.sort = STASHHOG__SCENE_SORT__SCENE_SORT_ID};
    sh_status st = sh_db_read_begin(db, err);
    if (st == SH_OK) {
        st = sh_scene_query_ids(db, filter, &order, 0, -1, push_id, &v, err);
        if (st == SH_OK)
            st = sh_db_commit(db, err);
        else
            sh_db_rollback(db);
    }
    if (st != SH_OK) {
        free(v.v);
        return st;
    }
    *ids = v.v;
    *n = v.n;
    return SH_OK;
}

/* ------------------------------------------------------------ heuristics */

typedef struct worker {
    const sh_an_registry *registry;
    const sh_an_index *index;
    const sh_an_scene *scenes;
    const sh_an_options *options;
    sh_an_results *const *results;
    size_t from, to;
    sh_status st;
    sh_error err;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (size_t i = w->from; w->st == SH_OK && i < w->to; i++)
        w->st = sh_an_run(w->registry, w->index, &w->scenes[i], w->options, w->results[i], &w->err);
    return NULL;
}

sh_status sh_analyze_heuristics(const sh_an_registry *registry, const sh_an_index *index,
                                const sh_an_scene *scenes, size_t n, const sh_an_options *options,
                                sh_an_results *const *results, int threads, sh_error *err)
{
    if (threads < 1)
        threads = 1;
    if (threads > 16)
        threads = 16;
    worker w[16];
    pthread_t tid[16];
    bool started[16] = {0};
    size_t per = (n + (size_t)threads - 1) / (size_t)threads;
    for (int t = 0; t < threads; t++) {
        size_t from = (size_t)t * per, to = from + per < n ? from + per : n;
        w[t] = (worker){.registry = registry, .index = index, .scenes = scenes, .options = options,
                        .results = results, .from = from < n ? from : n, .to = to};
        /* The last slice runs here: one thread fewer to start. */
        if (t < threads - 1 && from < n)
            started[t] = pthread_create(&tid[t], NULL, work, &w[t]) == 0;
        if (!started[t])
            work(&w[t]);
    }
    sh_status st = SH_OK;
    for (int t = 0; t < threads; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        if (st == SH_OK && w[t].st != SH_OK) {
            st = w[t].st;
            if (err)
                *err = w[t].err;
        }
    }
    return st;
}

/* ------------------------------------------------------------------ LLM */

sh_status sh_analyze_llm_client(sh_db *db, sh_services *svc, int (*cancel)(void *), void *cancel_user,
                                sh_llm_client **out, double *budget, sh_error *err)
{
    *out = NULL;
    /* One place turns openai.* settings into a client config, with the
     * daemon-wide concurrency limiter (openai.max_concurrency). */
    sh_settings_llm sl;
    sh_status st = sh_settings_llm_config(db, svc, &sl, err);
    if (st != SH_OK)
        return st;
    sl.cfg.cancelled = cancel;
    sl.cfg.cancel_user_data = cancel_user;
    *budget = sl.budget_usd;
    st = sh_llm_client_create(&sl.cfg, out, err); /* the client copies what it keeps */
    sh_settings_llm_fini(&sl);
    return st;
}

/* ------------------------------------------------------------------ job */

typedef struct run {
    sh_job_ctx *ctx;
    sh_db *db;
    int64_t plan_id;
    sh_analyze_opts opt;
    sh_an_index *index;
    sh_an_registry *registry;
    sh_llm_client *llm;
    sh_llm_prices *prices;
    sh_llm_request_opts ropts;
    sh_llm_usage usage;
    int64_t scenes, changes, llm_scenes;
    bool budget_stop;
    sh_an_plugin_set *plugins; /* external analyzers (plugins_dir) */
} run;

static sh_status load_plan(run *r, Stashhog__SceneFilter **filter, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(r->db, "SELECT options, filter FROM plans WHERE id = ?1", &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, r->plan_id);
    int rc = sh_db_step(r->db, s, err);
    if (rc <= 0)
        return rc < 0 ? (err ? err->code : SH_ERR_DB)
                      : sh_error_set(err, SH_ERR_NOT_FOUND, "no plan %lld", (long long)r->plan_id);
    st = sh_analyze_opts_from_json(sh_db_column_text(s, 0), &r->opt, err);
    if (st == SH_OK)
        st = sh_plan_filter_from_json(sh_db_column_text(s, 1), filter, err);
    sqlite3_reset(s);
    return st;
}

static sh_status chunk(run *r, const int64_t *ids, size_t n, sh_error *err)
{
    sh_an_scene_set set = {0};
    sh_an_results **results = calloc(n ? n : 1, sizeof(sh_an_results *));
    if (!results)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = sh_db_read_begin(r->db, err);
    if (st != SH_OK)
        goto out;
    st = sh_an_load_scenes(r->db, ids, n, &set, err);
    sh_db_commit(r->db, NULL);
    if (st != SH_OK)
        goto out;
    /* Organized scenes are left out unless asked for. */
    size_t k = 0;
    for (size_t i = 0; i < set.n; i++)
        if (!set.scenes[i].organized || r->opt.an.include_organized)
            set.scenes[k++] = set.scenes[i];
    set.n = k;
    for (size_t i = 0; st == SH_OK && i < set.n; i++)
        st = sh_an_results_create(&results[i], err);
    if (st == SH_OK)
        st = sh_analyze_heuristics(r->registry, r->index, set.scenes, set.n, &r->opt.an, results, SH_ANALYZE_THREADS,
                                   err);
    /* A failing plugin only loses its own proposals (see plugin.h). */
    if (st == SH_OK && r->plugins)
        st = sh_an_plugin_set_run(r->plugins, r->index, set.scenes, set.n, &r->opt.an, results, sh_job_cancel_cb,
                                  r->ctx, err);
    if (st == SH_OK && r->llm && !r->budget_stop && set.n) {
        size_t answered = 0;
        sh_error lerr = {0};
        sh_status ls = sh_an_llm_analyze(r->llm, r->index, set.scenes, set.n, &r->opt.an, &r->ropts, results,
                                         &r->usage, &answered, &lerr);
        r->llm_scenes += (int64_t)answered;
        if (ls == SH_ERR_CANCELLED && r->usage.budget_exhausted) {
            r->budget_stop = true;
            sh_warn(LOG, "plan %lld: LLM budget reached after %lld scenes", (long long)r->plan_id,
                    (long long)r->llm_scenes);
        } else if (ls == SH_ERR_PROTOCOL) {
            sh_warn(LOG, "plan %lld: some LLM answers were unusable: %s", (long long)r->plan_id, lerr.message);
        } else if (ls != SH_OK) {
            st = ls;
            if (err)
                *err = lerr;
        }
    }
    if (st != SH_OK)
        goto out;
    /* Scenes answered before a budget stop keep their proposals. */
    if ((st = sh_db_write_begin(r->db, err)) != SH_OK)
        goto out;
    for (size_t i = 0; st == SH_OK && i < set.n; i++)
        st = sh_analyze_write_scene(r->db, r->plan_id, r->index, &set.scenes[i], results[i], &r->changes, err);
    if (st == SH_OK)
        st = sh_db_commit(r->db, err);
    else
        sh_db_rollback(r->db);
    r->scenes += (int64_t)set.n;
out:
    for (size_t i = 0; i < n; i++)
        sh_an_results_destroy(results[i]);
    free(results);
    sh_an_scene_set_fini(&set);
    return st;
}

static sh_status save_stats(run *r, sh_error *err)
{
    sh_status st = sh_db_write_begin(r->db, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *s = NULL;
    if ((st = sh_db_prepare(r->db,
                            "UPDATE plans SET scene_count = ?2, prompt_tokens = ?3, completion_tokens = ?4,"
                            " cost_usd = ?5, updated_at = ?6 WHERE id = ?1",
                            &s, err)) == SH_OK) {
        sqlite3_bind_int64(s, 1, r->plan_id);
        sqlite3_bind_int64(s, 2, r->scenes);
        sqlite3_bind_int64(s, 3, r->usage.prompt_tokens);
        sqlite3_bind_int64(s, 4, r->usage.completion_tokens);
        sqlite3_bind_double(s, 5, r->usage.cost_usd);
        sqlite3_bind_int64(s, 6, sh_now_ms());
        if (sh_db_step(r->db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
    }
    if (st == SH_OK)
        st = sh_db_commit(r->db, err);
    else
        sh_db_rollback(r->db);
    return st;
}

static sh_status clear_changes(run *r, sh_error *err)
{
    sh_status st = sh_db_write_begin(r->db, err);
    sqlite3_stmt *s = NULL;
    if (st == SH_OK && (st = sh_db_prepare(r->db, "DELETE FROM plan_changes WHERE plan_id = ?1", &s, err)) == SH_OK) {
        sqlite3_bind_int64(s, 1, r->plan_id);
        if (sh_db_step(r->db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
    }
    if (st == SH_OK)
        return sh_db_commit(r->db, err);
    sh_db_rollback(r->db);
    return st;
}

static sh_status setup_llm(run *r, sh_services *svc, sh_error *err)
{
    double budget = 0;
    sh_status st = sh_analyze_llm_client(r->db, svc, sh_job_cancel_cb, r->ctx, &r->llm, &budget, err);
    if (st == SH_OK)
        st = sh_llm_prices_create(&r->prices, err);
    if (st != SH_OK)
        return st;
    sh_llm_request_opts_init(&r->ropts);
    r->ropts.fields = sh_llm_fields_from_an(r->opt.an.fields);
    r->ropts.allow_new_entities = r->opt.an.allow_new_entities;
    r->ropts.budget_usd = r->opt.budget_usd > 0 ? r->opt.budget_usd : budget;
    r->ropts.prices = r->prices;
    r->ropts.cache = r->db;
    return SH_OK;
}

sh_status sh_plan_analyze_job(sh_job_ctx *ctx, sh_error *err)
{
    sh_services *svc = sh_job_services(ctx);
    run r = {.ctx = ctx, .db = sh_job_db(ctx)};
    Stashhog__SceneFilter *filter = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    /* From a schedule the job makes its own plan (analyze-params.c). */
    sh_status st = sh_plan_analyze_plan_for_job(ctx, &r.plan_id, err);
    if (st == SH_OK)
        st = load_plan(&r, &filter, err);
    if (st == SH_OK)
        st = clear_changes(&r, err); /* a retried run starts over */
    if (st == SH_OK)
        st = sh_an_registry_create(&r.registry, err);
    if (st == SH_OK)
        st = sh_an_registry_add_builtins(r.registry, err);
    if (st == SH_OK)
        st = sh_an_plugin_set_load(svc->cfg ? svc->cfg->plugins_dir : NULL, &r.plugins, err);
    if (st == SH_OK) {
        const char *names[SH_ANALYZE_MAX_ANALYZERS];
        for (size_t i = 0; i < r.opt.n_analyzers; i++)
            names[i] = r.opt.analyzers[i];
        st = sh_an_plugin_set_select(r.plugins, r.registry, names, r.opt.n_analyzers, &r.opt.an, err);
    }
    if (st == SH_OK)
        st = sh_an_load_index(r.db, &r.index, err);
    if (st == SH_OK && r.opt.use_llm)
        st = setup_llm(&r, svc, err);
    if (st == SH_OK)
        st = sh_analyze_select(r.db, filter, &ids, &n, err);
    sh_job_progress(ctx, 0, (int64_t)n, "analyzing %zu scenes", n);
    for (size_t at = 0; st == SH_OK && at < n && !r.budget_stop; at += SH_ANALYZE_CHUNK) {
        if (sh_job_cancelled(ctx)) {
            st = sh_error_set(err, SH_ERR_CANCELLED, "cancelled");
            break;
        }
        size_t take = n - at < SH_ANALYZE_CHUNK ? n - at : SH_ANALYZE_CHUNK;
        st = chunk(&r, ids + at, take, err);
        sh_job_progress(ctx, (int64_t)(at + take), (int64_t)n, "%lld changes from %zu of %zu scenes%s",
                        (long long)r.changes, at + take, n, r.budget_stop ? " (LLM budget reached)" : "");
    }
    sh_error e2 = {0};
    if (r.plan_id > 0 && save_stats(&r, &e2) != SH_OK)
        sh_warn(LOG, "plan %lld: statistics not saved: %s", (long long)r.plan_id, e2.message);
    json_t *res = json_pack("{s:I,s:I,s:I,s:b}", "plan_id", (json_int_t)r.plan_id, "scenes", (json_int_t)r.scenes,
                            "changes", (json_int_t)r.changes, "budget_exhausted", r.budget_stop);
    if (res && r.llm)
        json_object_set_new(res, "llm",
                            json_pack("{s:I,s:I,s:I,s:I,s:I,s:f}", "scenes", (json_int_t)r.llm_scenes, "requests",
                                      (json_int_t)r.usage.requests, "cache_hits", (json_int_t)r.usage.cache_hits,
                                      "prompt_tokens", (json_int_t)r.usage.prompt_tokens, "completion_tokens",
                                      (json_int_t)r.usage.completion_tokens, "cost_usd", r.usage.cost_usd));
    json_t *plugins = sh_an_plugin_set_report(r.plugins);
    if (res && plugins)
        json_object_set_new(res, "plugins", plugins);
    else
        json_decref(plugins);
    if (res)
        sh_job_set_result(ctx, res);
    char failure[SH_ERROR_MSG_MAX + 64], done_msg[SH_ERROR_MSG_MAX + 128];
    const char *plugin_failure = sh_an_plugin_set_first_failure(r.plugins, failure, sizeof failure);
    snprintf(done_msg, sizeof done_msg, "analyzed%s%s%s", r.budget_stop ? " (LLM budget reached)" : "",
             plugin_failure ? "; " : "", plugin_failure ? plugin_failure : "");
    if (r.plan_id > 0 && st != SH_OK && st != SH_ERR_CANCELLED)
        sh_plan_set_status(r.db, svc, r.plan_id, STASHHOG__PLAN_STATUS__PLAN_FAILED, "analysis failed", false, &e2);
    else if (r.plan_id > 0)
        sh_plan_publish(svc, r.plan_id, STASHHOG__PLAN_STATUS__PLAN_DRAFT, st == SH_OK ? done_msg : "analysis cancelled");
    sh_info(LOG, "plan %lld: %lld changes from %lld scenes%s", (long long)r.plan_id, (long long)r.changes,
            (long long)r.scenes, r.budget_stop ? " (LLM budget reached)" : "");
    free(ids);
    sh_llm_client_destroy(r.llm);
    sh_llm_prices_destroy(r.prices);
    sh_an_index_destroy(r.index);
    sh_an_registry_destroy(r.registry);
    sh_an_plugin_set_destroy(r.plugins);
    sh_plan_filter_free(filter);
    return st;
}

/* ------------------------------------------------------------- estimate */

sh_status sh_analyze_estimate(sh_db *db, sh_services *svc, const Stashhog__AnalyzeRequest *req, sh_arena *arena,
                              Stashhog__AnalyzeEstimate *out, sh_error *err)
{
    sh_analyze_opts opt = {0};
    char *text = NULL;
    json_t *oj = NULL;
    sh_status st = SH_OK;
    if (req->options) {
        oj = sh_pb_to_json(&req->options->base);
        text = oj ? json_dumps(oj, JSON_COMPACT) : NULL;
        json_decref(oj);
    }
    if ((st = sh_analyze_opts_from_json(text, &opt, err)) != SH_OK) {
        free(text);
        return st;
    }
    free(text);
    sh_an_index *index = NULL;
    sh_llm_prices *prices = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    char *model = NULL;
    double budget = 0;
    sh_llm_request_opts ropts;
    sh_llm_estimate est = {0};
    sh_llm_request_opts_init(&ropts);
    if ((st = sh_settings_get(db, svc, "openai.model", &model, NULL, err)) != SH_OK ||
        (st = sh_settings_get_double(db, svc, "openai.budget_usd", &budget, err)) != SH_OK ||
        (st = sh_llm_prices_create(&prices, err)) != SH_OK || (st = sh_an_load_index(db, &index, err)) != SH_OK ||
        (st = sh_analyze_select(db, req->filter, &ids, &n, err)) != SH_OK)
        goto out;
    ropts.fields = sh_llm_fields_from_an(opt.an.fields);
    ropts.allow_new_entities = opt.an.allow_new_entities;
    ropts.prices = prices;
    ropts.cache = db;
    out->budget_usd = opt.budget_usd > 0 ? opt.budget_usd : budget;
    out->has_budget_usd = 1;
    for (size_t at = 0; st == SH_OK && at < n; at += SH_ANALYZE_CHUNK) {
        size_t take = n - at < SH_ANALYZE_CHUNK ? n - at : SH_ANALYZE_CHUNK;
        sh_an_scene_set set = {0};
        if ((st = sh_db_read_begin(db, err)) != SH_OK)
            break;
        st = sh_an_load_scenes(db, ids + at, take, &set, err);
        sh_db_commit(db, NULL);
        size_t k = 0;
        for (size_t i = 0; st == SH_OK && i < set.n; i++)
            if (!set.scenes[i].organized || opt.an.include_organized)
                set.scenes[k++] = set.scenes[i];
        set.n = k;
        out->scenes += (int64_t)set.n;
        if (st == SH_OK && opt.use_llm)
            st = sh_an_llm_estimate(model ? model : "", index, set.scenes, set.n, &ropts, &est, err);
        sh_an_scene_set_fini(&set);
    }
    if (st == SH_OK && opt.use_llm) {
        out->has_llm_requests = out->has_prompt_tokens = out->has_completion_tokens = 1;
        out->has_cost_usd = out->has_cached_scenes = 1;
        out->llm_requests = est.requests;
        out->prompt_tokens = est.prompt_tokens;
        out->completion_tokens = est.completion_tokens;
        out->cost_usd = est.cost_usd;
        out->cached_scenes = est.cached_scenes;
    }
out:
    if (st == SH_OK && model && opt.use_llm)
        out->model = sh_arena_strdup(arena, model);
    sh_secrets_free_plain(model);
    free(ids);
    sh_an_index_destroy(index);
    sh_llm_prices_destroy(prices);
    return st;
}
