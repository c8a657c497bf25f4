/* llm-analyze.c - analyzing scenes in batches: cache first, then requests
 * of several scenes each, with budget checks and usage accounting.
 *
 * Runs on the caller's (job worker's) thread with the caller's client and
 * cache connection.  A request is refused before it is sent when its
 * estimated cost would take the spent total over the budget, so a plan never
 * spends (much) more than allowed; the actual cost comes from the answer's
 * usage and the price table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm-internal.h"
#include "sh-log.h"

#define LOG_MOD                         "llm"
#define DEFAULT_SCENES_PER_REQUEST      5
#define DEFAULT_OUTPUT_TOKENS_PER_SCENE 200

void sh_llm_request_opts_init(sh_llm_request_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->scenes_per_request = DEFAULT_SCENES_PER_REQUEST;
    opts->output_tokens_per_scene = DEFAULT_OUTPUT_TOKENS_PER_SCENE;
}

static void effective_opts(const sh_llm_request_opts *in, sh_llm_request_opts *out)
{
    if (in)
        *out = *in;
    else
        sh_llm_request_opts_init(out);
    out->fields = sh_llm_fields_normalize(out->fields);
    if (out->scenes_per_request == 0)
        out->scenes_per_request = DEFAULT_SCENES_PER_REQUEST;
    if (out->output_tokens_per_scene <= 0)
        out->output_tokens_per_scene = DEFAULT_OUTPUT_TOKENS_PER_SCENE;
}

static sh_status check_scenes(const sh_llm_scene_input *scenes, size_t n, sh_error *err)
{
    if (n > 0 && !scenes)
        return sh_error_set(err, SH_ERR_INVALID, "no scenes given");
    for (size_t i = 0; i < n; i++) {
        if (scenes[i].id <= 0)
            return sh_error_set(err, SH_ERR_INVALID, "scene id must be positive");
        for (size_t j = 0; j < i; j++)
            if (scenes[j].id == scenes[i].id)
                return sh_error_set(err, SH_ERR_INVALID, "scene %lld given twice",
                                    (long long)scenes[i].id);
    }
    return SH_OK;
}

/* Answers scene i from the cache; false when it is not (usably) cached. */
static bool from_cache(sh_db *db, const char *key, const sh_llm_scene_input *scene,
                       const sh_llm_request_opts *o, sh_llm_scene_result *r)
{
    char *text = NULL;
    if (sh_llm_cache_get(db, key, &text, NULL, NULL, NULL) != SH_OK)
        return false;
    json_t *answer = json_loads(text, 0, NULL);
    free(text);
    sh_error e = {0};
    bool ok = answer &&
              sh_llm_resolve_scene(answer, scene, o->fields, o->allow_new_entities, r, &e) == SH_OK;
    json_decref(answer);
    if (!ok) { /* a stale or damaged entry: ask the model again */
        sh_llm_scene_result_fini(r);
        r->scene_id = scene->id;
    }
    return ok;
}

/* Stores the answers of one request in one transaction; failures only log. */
static void cache_answers(sh_db *db, const char *model, json_t *const *answers, const size_t *idx,
                          size_t k, char (*keys)[SH_LLM_CACHE_KEY_LEN], const sh_llm_reply *reply)
{
    size_t answered = 0;
    for (size_t j = 0; j < k; j++)
        answered += answers[j] != NULL;
    if (!db || answered == 0)
        return;
    sh_error e = {0};
    if (sh_db_write_begin(db, &e) != SH_OK) {
        sh_warn(LOG_MOD, "cannot cache LLM answers: %s", e.message);
        return;
    }
    sh_status rc = SH_OK;
    for (size_t j = 0; j < k && rc == SH_OK; j++) {
        if (!answers[j])
            continue;
        char *text = json_dumps(answers[j], JSON_COMPACT);
        if (!text) {
            rc = sh_error_set(&e, SH_ERR_NOMEM, "out of memory");
            break;
        }
        /* each scene carries its share of the request's tokens */
        rc = sh_llm_cache_put(db, keys[idx[j]], model, text,
                              reply->prompt_tokens / (int64_t)answered,
                              reply->completion_tokens / (int64_t)answered, true, &e);
        free(text);
    }
    if (rc == SH_OK)
        rc = sh_db_commit(db, &e);
    else
        sh_db_rollback(db);
    if (rc != SH_OK)
        sh_warn(LOG_MOD, "cannot cache LLM answers: %s", e.message);
}

/* Sends one request for the scenes idx[0..k) and fills their results. */
static sh_status run_request(sh_llm_client *client, const sh_llm_scene_input *scenes,
                             const size_t *idx, size_t k, const sh_llm_request_opts *o,
                             char (*keys)[SH_LLM_CACHE_KEY_LEN], sh_llm_scene_result *results,
                             sh_llm_usage *usage, sh_error *e)
{
    const char *model = sh_llm_client_model(client);
    sh_status rc = SH_OK;
    char *body = NULL;
    sh_llm_reply reply = {0};
    const sh_llm_scene_input **ptrs = calloc(k, sizeof(const sh_llm_scene_input *));
    int64_t *ids = calloc(k, sizeof *ids);
    json_t **answers = calloc(k, sizeof(json_t *));
    if (!ptrs || !ids || !answers) {
        rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t j = 0; j < k; j++) {
        ptrs[j] = &scenes[idx[j]];
        ids[j] = scenes[idx[j]].id;
    }
    size_t len = 0;
    body = sh_llm_build_request(model, sh_llm_client_temperature(client), ptrs, k, o->fields,
                                o->allow_new_entities, &len);
    if (!body) {
        rc = sh_error_set(e, SH_ERR_NOMEM, "cannot build the LLM request");
        goto out;
    }
    if (o->budget_usd > 0) {
        double next = sh_llm_prices_cost(o->prices, model, (int64_t)(len / 4 + 1),
                                         (int64_t)k * o->output_tokens_per_scene);
        if (usage->cost_usd + next > o->budget_usd) {
            usage->budget_exhausted = true;
            rc = sh_error_set(e, SH_ERR_CANCELLED,
                              "LLM budget of $%.4f reached (spent $%.4f, next request ~$%.4f)",
                              o->budget_usd, usage->cost_usd, next);
            goto out;
        }
    }
    if ((rc = sh_llm_chat(client, body, len, &reply, e)) != SH_OK)
        goto out;
    usage->requests++;
    usage->prompt_tokens += reply.prompt_tokens;
    usage->completion_tokens += reply.completion_tokens;
    usage->cost_usd +=
        sh_llm_prices_cost(o->prices, model, reply.prompt_tokens, reply.completion_tokens);

    rc = sh_llm_parse_answer(reply.content, ids, k, o->fields, answers, e);
    if (rc != SH_OK) {
        sh_warn(LOG_MOD, "LLM answer for %zu scenes unusable: %s", k, e->message);
        goto out;
    }
    for (size_t j = 0; j < k; j++) {
        sh_llm_scene_result *r = &results[idx[j]];
        sh_error se = {0};
        if (!answers[j]) {
            r->status = SH_ERR_PROTOCOL; /* the model left this scene out */
            continue;
        }
        if (sh_llm_resolve_scene(answers[j], ptrs[j], o->fields, o->allow_new_entities, r, &se) !=
            SH_OK) {
            sh_llm_scene_result_fini(r);
            r->scene_id = ids[j];
            r->status = se.code;
            json_decref(answers[j]);
            answers[j] = NULL; /* never cache what we could not use */
            continue;
        }
        usage->scenes++;
    }
    if (o->cache)
        cache_answers(o->cache, model, answers, idx, k, keys, &reply);
out:
    for (size_t j = 0; answers && j < k; j++)
        json_decref(answers[j]);
    sh_llm_reply_fini(&reply);
    free(body);
    free(ptrs);
    free(ids);
    free(answers);
    return rc;
}

sh_status sh_llm_analyze_batch(sh_llm_client *client, const sh_llm_scene_input *scenes, size_t n,
                               const sh_llm_request_opts *opts, sh_llm_scene_result *results,
                               sh_llm_usage *usage, sh_error *err)
{
    sh_error local;
    sh_error *e = err ? err : &local;
    sh_error_clear(e);
    if (!client || (n > 0 && !results))
        return sh_error_set(e, SH_ERR_INVALID, "sh_llm_analyze_batch: missing argument");
    sh_status rc = check_scenes(scenes, n, e);
    if (rc != SH_OK || n == 0)
        return rc;
    sh_llm_request_opts o;
    effective_opts(opts, &o);
    sh_llm_usage scratch = {0};
    if (!usage) { /* nothing to account against: no budget either */
        usage = &scratch;
        o.budget_usd = 0;
    }
    const char *model = sh_llm_client_model(client);

    char(*keys)[SH_LLM_CACHE_KEY_LEN] = calloc(n, sizeof *keys);
    size_t *pending = calloc(n, sizeof *pending);
    if (!keys || !pending) {
        rc = sh_error_set(e, SH_ERR_NOMEM, "out of memory");
        goto out;
    }
    size_t n_pending = 0;
    for (size_t i = 0; i < n; i++) {
        sh_llm_scene_result_fini(&results[i]);
        results[i].scene_id = scenes[i].id;
        results[i].status = SH_ERR_CANCELLED; /* until answered */
        if (o.cache) {
            if ((rc = sh_llm_cache_key(model, &scenes[i], &o, keys[i], e)) != SH_OK)
                goto out;
            if (from_cache(o.cache, keys[i], &scenes[i], &o, &results[i])) {
                results[i].cached = true;
                usage->cache_hits++;
                continue;
            }
        }
        pending[n_pending++] = i;
    }

    sh_status first = SH_OK;
    sh_error first_err = {0};
    for (size_t start = 0; start < n_pending; start += o.scenes_per_request) {
        size_t k =
            n_pending - start < o.scenes_per_request ? n_pending - start : o.scenes_per_request;
        rc = run_request(client, scenes, pending + start, k, &o, keys, results, usage, e);
        if (rc == SH_OK)
            continue;
        for (size_t j = start; j < n_pending; j++) {
            /* this request's scenes failed; later ones too unless we go on */
            if (j < start + k || rc != SH_ERR_PROTOCOL)
                results[pending[j]].status = rc;
        }
        if (first == SH_OK) {
            first = rc;
            first_err = *e;
        }
        if (rc != SH_ERR_PROTOCOL) /* one bad answer is that batch's problem only */
            break;
    }
    rc = first;
    if (rc != SH_OK)
        *e = first_err;
    sh_debug(LOG_MOD, "%zu scenes: %lld from cache, %zu asked; total %lld requests, $%.4f", n,
             (long long)usage->cache_hits, n_pending, (long long)usage->requests, usage->cost_usd);
out:
    free(keys);
    free(pending);
    return rc;
}

sh_status sh_llm_estimate_cost(const char *model, const sh_llm_scene_input *scenes, size_t n,
                               const sh_llm_request_opts *opts, sh_llm_estimate *out, sh_error *err)
{
    if (!model || !out)
        return sh_error_set(err, SH_ERR_INVALID, "sh_llm_estimate_cost: missing argument");
    sh_status rc = check_scenes(scenes, n, err);
    if (rc != SH_OK)
        return rc;
    sh_llm_request_opts o;
    effective_opts(opts, &o);
    const sh_llm_scene_input **batch =
        calloc(o.scenes_per_request, sizeof(const sh_llm_scene_input *));
    if (!batch)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && o.cache) {
            char key[SH_LLM_CACHE_KEY_LEN], *text = NULL;
            if ((rc = sh_llm_cache_key(model, &scenes[i], &o, key, err)) != SH_OK)
                break;
            if (sh_llm_cache_get(o.cache, key, &text, NULL, NULL, NULL) == SH_OK) {
                free(text);
                out->cached_scenes++;
                continue;
            }
        }
        if (i < n)
            batch[k++] = &scenes[i];
        if (k == 0 || (k < o.scenes_per_request && i < n))
            continue;
        size_t len = 0;
        char *body = sh_llm_build_request(model, 0, batch, k, o.fields, o.allow_new_entities, &len);
        if (!body) {
            rc = sh_error_set(err, SH_ERR_NOMEM, "cannot build the LLM request");
            break;
        }
        free(body);
        int64_t pt = (int64_t)(len / 4 + 1), ct = (int64_t)k * o.output_tokens_per_scene;
        out->requests++;
        out->prompt_tokens += pt;
        out->completion_tokens += ct;
        out->cost_usd += sh_llm_prices_cost(o.prices, model, pt, ct);
        k = 0;
    }
    free(batch);
    return rc;
}
