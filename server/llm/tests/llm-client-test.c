/* The LLM client against the fake LLM server (in-process, port 0): a full
 * analysis round trip, 429 backoff honouring Retry-After, 5xx retries, a
 * clear 401, malformed answers failing only their batch, invalid values
 * validated away, cache hits making no request, the budget stop, cost from
 * reported usage, the shared concurrency bound, connection tests, cancel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <pthread.h>

#include "fake-llm.h"
#include "llm/llm-internal.h"
#include "sh-log.h"

typedef struct fixture {
    fl_server *srv;
    char url[64];
} fixture;

static fixture *start_fake(const fl_options *opt)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    char err[256];
    assert_int_equal(fl_server_start(opt, &f->srv, err, sizeof err), 0);
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u/v1", (unsigned)fl_server_port(f->srv));
    return f;
}

static void stop_fake(fixture *f)
{
    fl_server_stop(f->srv);
    free(f);
}

static json_int_t stat_of(fixture *f, const char *key)
{
    json_t *s = fl_server_stats(f->srv);
    json_int_t v = json_integer_value(json_object_get(s, key));
    json_decref(s);
    return v;
}

static sh_llm_client *make_client(fixture *f, const char *model, const char *key,
                                  sh_llm_limiter *lim)
{
    sh_llm_config cfg;
    sh_llm_config_init(&cfg);
    cfg.base_url = f->url;
    cfg.model = model;
    cfg.api_key = key;
    cfg.backoff_base_ms = 10;
    cfg.backoff_max_ms = 50;
    cfg.timeout_ms = 20000;
    cfg.limiter = lim;
    sh_llm_client *c = NULL;
    sh_error err = {0};
    assert_int_equal(sh_llm_client_create(&cfg, &c, &err), SH_OK);
    return c;
}

/* ---- fixture scenes: the fake matches names found in the paths */

static const char *const p1[] = {"/lib/Acme Films/2021-03-04 Jane.Doe - Beach Fun.mp4"};
static const char *const p2[] = {"/lib/Other Co/19.07.21 John_Roe in the Snow.mp4"};
static const char *const p3[] = {"/lib/Acme Films/2022-11-12 JohnRoe and Jane Doe.mp4"};
static const sh_llm_candidate st[] = {{1, "Acme Films"}, {2, "Other Co"}};
static const sh_llm_candidate pf[] = {{10, "John Roe"}, {11, "Jane Doe"}};
static const sh_llm_candidate tg[] = {{20, "Snow"}, {21, "Beach"}};

static void make_scenes(sh_llm_scene_input *s)
{
    const char *const *paths[] = {p1, p2, p3};
    for (int i = 0; i < 3; i++)
        s[i] = (sh_llm_scene_input){
            .id = 100 + i,
            .paths = paths[i],
            .n_paths = 1,
            .studio_candidates = st,
            .n_studio_candidates = 2,
            .performer_candidates = pf,
            .n_performer_candidates = 2,
            .tag_candidates = tg,
            .n_tag_candidates = 2,
        };
}

static void test_analyze_round_trip(void **state)
{
    (void)state;
    fl_options opt;
    fl_options_init(&opt);
    opt.api_key = "sk-test-secret";
    fixture *f = start_fake(&opt);
    sh_llm_client *c = make_client(f, "gpt-4o-mini", "sk-test-secret", NULL);
    sh_llm_prices *prices = NULL;
    assert_int_equal(sh_llm_prices_create(&prices, NULL), SH_OK);
    sh_llm_scene_input s[3];
    make_scenes(s);
    s[2].details = "Already described.";
    sh_llm_request_opts o;
    sh_llm_request_opts_init(&o);
    o.prices = prices;
    sh_llm_scene_result r[3] = {0};
    sh_llm_usage u = {0};
    sh_error err = {0};
    assert_int_equal(sh_llm_analyze_batch(c, s, 3, &o, r, &u, &err), SH_OK);
    assert_int_equal(stat_of(f, "chat_requests"), 1); /* three scenes, one request */

    assert_int_equal(r[0].status, SH_OK);
    assert_int_equal(r[0].scene_id, 100);
    assert_true(r[0].has_studio);
    assert_int_equal(r[0].studio.id, 1);
    assert_int_equal(r[0].n_performers, 1);
    assert_int_equal(r[0].performers[0].id, 11);
    assert_int_equal(r[0].n_tags, 1);
    assert_int_equal(r[0].tags[0].id, 21);
    assert_string_equal(r[0].date.value, "2021-03-04");
    assert_string_equal(r[0].title.value, "2021 03 04 Jane Doe Beach Fun");
    assert_non_null(r[0].details.value);
    assert_true(r[0].studio.confidence > 0 && r[0].studio.confidence <= 1);
    assert_int_equal(r[1].studio.id, 2);
    assert_string_equal(r[1].date.value, "2019-07-21");
    assert_int_equal(r[1].tags[0].id, 20);
    assert_int_equal(r[2].n_performers, 2);
    assert_null(r[2].details.value); /* the scene has details */

    /* cost accounting from the reported usage and the price table */
    assert_int_equal(u.requests, 1);
    assert_int_equal(u.scenes, 3);
    assert_int_equal(u.prompt_tokens, stat_of(f, "prompt_tokens"));
    assert_int_equal(u.completion_tokens, stat_of(f, "completion_tokens"));
    double want = ((double)u.prompt_tokens * 0.15 + (double)u.completion_tokens * 0.60) / 1e6;
    assert_true(u.cost_usd > 0 && u.cost_usd > want * 0.9999 && u.cost_usd < want * 1.0001);
    sh_llm_scene_results_fini(r, 3);
    sh_llm_prices_destroy(prices);
    sh_llm_client_destroy(c);
    stop_fake(f);
}

static void test_429_backoff(void **state)
{
    (void)state;
    fl_options opt;
    fl_options_init(&opt);
    opt.fail_429 = 1;
    opt.retry_after_s = 1;
    fixture *f = start_fake(&opt);
    sh_llm_client *c = make_client(f, "fake-model", NULL, NULL);
    sh_llm_scene_input s[3];
    make_scenes(s);
    sh_llm_scene_result r[1] = {0};
    sh_llm_usage u = {0};
    sh_error err = {0};
    int64_t t0 = sh_monotonic_ms();
    assert_int_equal(sh_llm_analyze_batch(c, s, 1, NULL, r, &u, &err), SH_OK);
    int64_t took = sh_monotonic_ms() - t0;
    assert_true(took >= 950); /* Retry-After: 1 honoured, not the 10 ms backoff */
    assert_int_equal(r[0].status, SH_OK);
    assert_int_equal(stat_of(f, "chat_requests"), 2);
    sh_llm_client_stats cs;
    sh_llm_client_get_stats(c, &cs);
    assert_int_equal(cs.retries, 1);
    assert_int_equal(u.requests, 1);
    sh_llm_scene_results_fini(r, 1);
    sh_llm_client_destroy(c);
    stop_fake(f);
}

static void test_5xx_retry_and_give_up(void **state)
{
    (void)state;
    fl_options opt;
    fl_options_init(&opt);
    opt.fail_500 = 2;
    fixture *f = start_fake(&opt);
    sh_llm_client *c = make_client(f, "fake-model", NULL, NULL);
    sh_llm_scene_input s[3];
    make_scenes(s);
    sh_llm_scene_result r[1] = {0};
    sh_error err = {0};
    assert_int_equal(sh_llm_analyze_batch(c, s, 1, NULL, r, NULL, &err), SH_OK);
    assert_int_equal(stat_of(f, "chat_requests"), 3);
    sh_llm_scene_results_fini(r, 1);
    sh_llm_client_destroy(c);
    stop_fake(f);

    /* more failures than retries: the error comes back */
    opt.fail_500 = 100;
    f = start_fake(&opt);
    sh_llm_config cfg;
    sh_llm_config_init(&cfg);
    cfg.base_url = f->url;
    cfg.model = "fake-model";
    cfg.max_retries = 2;
    cfg.backoff_base_ms = 1;
    assert_int_equal(sh_llm_client_create(&cfg, &c, &err), SH_OK);
    assert_int_equal(sh_llm_analyze_batch(c, s, 1, NULL, r, NULL, &err), SH_ERR_UNAVAILABLE);
    assert_int_equal(r[0].status, SH_ERR_UNAVAILABLE);
    assert_int_equal(stat_of(f, "chat_requests"), 3);
    sh_llm_scene_results_fini(r, 1);
    sh_llm_client_destroy(c);
    stop_fake(f);
}

static void test_401_clear_error(void **state)
{
    (void)state;
    fl_options opt;
    fl_options_init(&opt);
    opt.api_key = "right-key";
    fixture *f = start_fake(&opt);
    sh_llm_client *c = make_client(f, "fake-model", "wrong-key-1234", NULL);
    sh_llm_scene_input s[3];
    make_scenes(s);
    sh_llm_scene_result r[2] = {0};
    sh_error err = {0};
    assert_int_equal(sh_llm_analyze_batch(c, s, 2, NULL, r, NULL, &err), SH_ERR_UNAUTHENTICATED);
    assert_non_null(strstr(err.message, "API key rejected (HTTP 401)"));
    assert_null(strstr(err.message, "wrong-key")); /* never echo the key */
    assert_int_equal(r[0].status, SH_ERR_UNAUTHENTICATED);
    assert_int_equal(stat_of(f, "unauthorized"), 1); /* not retried */

    sh_llm_probe probe;
    assert_int_equal(sh_llm_test_connection(c, &probe, &err), SH_ERR_UNAUTHENTICATED);
    assert_true(probe.reachable);
    assert_false(probe.authenticated);
    sh_llm_scene_results_fini(r, 2);
    sh_llm_client_destroy(c);

    c = make_client(f, "fake-model", NULL, NULL);
    assert_int_equal(sh_llm_test_connection(c, &probe, &err), SH_ERR_UNAUTHENTICATED);
    assert_non_null(strstr(err.message, "none is configured"));
    sh_llm_client_destroy(c);
    stop_fake(f);
}

static void test_malformed_answers(void **state)
{
    (void)state;
    struct {
        double *rate;
        const char *what;
    } kinds[3];
    fl_options opt;
    kinds[0].rate = &opt.malformed_rate;
    kinds[0].what = "not valid JSON";
    kinds[1].rate = &opt.schema_violation_rate;
    kinds[1].what = "violates the schema";
    kinds[2].rate = &opt.garbage_rate;
    kinds[2].what = "not a JSON object";
    for (int k = 0; k < 3; k++) {
        fl_options_init(&opt);
        *kinds[k].rate = 1.0;
        fixture *f = start_fake(&opt);
        sh_llm_client *c = make_client(f, "fake-model", NULL, NULL);
        sh_llm_scene_input s[3];
        make_scenes(s);
        sh_llm_request_opts o;
        sh_llm_request_opts_init(&o);
        o.scenes_per_request = 2;
        sh_llm_scene_result r[3] = {0};
        sh_llm_usage u = {0};
        sh_error err = {0};
        assert_int_equal(sh_llm_analyze_batch(c, s, 3, &o, r, &u, &err), SH_ERR_PROTOCOL);
        assert_non_null(strstr(err.message, kinds[k].what));
        /* each batch failed on its own: both requests were made */
        assert_int_equal(stat_of(f, "chat_requests"), 2);
        for (int i = 0; i < 3; i++) {
            assert_int_equal(r[i].status, SH_ERR_PROTOCOL);
            assert_int_equal(r[i].scene_id, 100 + i);
        }
        sh_llm_scene_results_fini(r, 3);
        sh_llm_client_destroy(c);
        stop_fake(f);
    }
}

static void test_invalid_values_validated(void **state)
{
    (void)state;
    fl_options opt;
    fl_options_init(&opt);
    opt.invalid_values = true;
    fixture *f = start_fake(&opt);
    sh_llm_client *c = make_client(f, "fake-model", NULL, NULL);
    sh_llm_scene_input s[3];
    make_scenes(s);
    sh_llm_scene_result r[1] = {0};
    sh_error err = {0};
    assert_int_equal(sh_llm_analyze_batch(c, s, 1, NULL, r, NULL, &err), SH_OK);
    assert_int_equal(r[0].status, SH_OK);
    assert_int_equal(r[0].n_tags, 1); /* "Not A Candidate" dropped */
    assert_int_equal(r[0].tags[0].id, 21);
    assert_true(r[0].performers[0].confidence == 1.0); /* 1.5 clamped */
    assert_null(r[0].date.value);                      /* 2021-02-30 rejected */
    assert_int_equal(r[0].n_dropped, 2);
    sh_llm_scene_results_fini(r, 1);
    sh_llm_client_destroy(c);
    stop_fake(f);
}

static void scratch_db(char *dir, size_t len, sh_db_env **env, sh_db **db)
{
    const char *base = getenv("STASHHOG_TEST_SCRATCH");
    if (!base)
        base = "/tmp";
    assert_int_equal(sh_mkdir_p(base, 0700, NULL), SH_OK);
    snprintf(dir, len, "%s/llm-XXXXXX", base);
    assert_non_null(mkdtemp(dir));
    char path[600];
    snprintf(path, sizeof path, "%s/cache.db", dir);
    assert_int_equal(sh_db_env_create(path, env, NULL), SH_OK);
    assert_int_equal(sh_db_open(*env, false, db, NULL), SH_OK);
}

static void drop_scratch(const char *dir, sh_db_env *env, sh_db *db)
{
    sh_db_close(db);
    sh_db_env_destroy(env);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_cache_hit(void **state)
{
    (void)state;
    fl_options opt;
    fl_options_init(&opt);
    fixture *f = start_fake(&opt);
    sh_llm_client *c = make_client(f, "fake-model", NULL, NULL);
    char dir[512];
    sh_db_env *env = NULL;
    sh_db *db = NULL;
    scratch_db(dir, sizeof dir, &env, &db);
    sh_llm_scene_input s[3];
    make_scenes(s);
    sh_llm_request_opts o;
    sh_llm_request_opts_init(&o);
    o.cache = db;
    sh_llm_scene_result r[3] = {0}, again[3] = {0};
    sh_llm_usage u = {0};
    sh_error err = {0};
    assert_int_equal(sh_llm_analyze_batch(c, s, 3, &o, r, &u, &err), SH_OK);
    assert_int_equal(stat_of(f, "chat_requests"), 1);
    assert_int_equal(u.cache_hits, 0);

    sh_llm_usage u2 = {0};
    assert_int_equal(sh_llm_analyze_batch(c, s, 3, &o, again, &u2, &err), SH_OK);
    assert_int_equal(stat_of(f, "chat_requests"), 1); /* no new request */
    assert_int_equal(u2.cache_hits, 3);
    assert_int_equal(u2.requests, 0);
    assert_true(u2.cost_usd == 0);
    for (int i = 0; i < 3; i++) {
        assert_true(again[i].cached);
        assert_int_equal(again[i].status, SH_OK);
        assert_int_equal(again[i].studio.id, r[i].studio.id);
        assert_int_equal(again[i].n_performers, r[i].n_performers);
        assert_string_equal(again[i].date.value, r[i].date.value);
    }
    sh_llm_scene_results_fini(again, 3);

    /* a changed input misses; the unchanged ones still hit */
    static const sh_llm_candidate more_tags[] = {{20, "Snow"}, {21, "Beach"}, {22, "Fun"}};
    s[0].tag_candidates = more_tags;
    s[0].n_tag_candidates = 3;
    sh_llm_usage u3 = {0};
    assert_int_equal(sh_llm_analyze_batch(c, s, 3, &o, again, &u3, &err), SH_OK);
    assert_int_equal(stat_of(f, "chat_requests"), 2);
    assert_int_equal(u3.cache_hits, 2);
    assert_int_equal(again[0].n_tags, 2);
    assert_false(again[0].cached);

    /* the estimate knows what is cached */
    sh_llm_estimate est = {0};
    assert_int_equal(sh_llm_estimate_cost("fake-model", s, 3, &o, &est, &err), SH_OK);
    assert_int_equal(est.cached_scenes, 3);
    assert_int_equal(est.requests, 0);
    sh_llm_scene_results_fini(again, 3);
    sh_llm_scene_results_fini(r, 3);
    drop_scratch(dir, env, db);
    sh_llm_client_destroy(c);
    stop_fake(f);
}

static void test_budget_stop(void **state)
{
    (void)state;
    fl_options opt;
    fl_options_init(&opt);
    fixture *f = start_fake(&opt);
    sh_llm_client *c = make_client(f, "fake-model", NULL, NULL);
    sh_llm_prices *prices = NULL;
    assert_int_equal(sh_llm_prices_create(&prices, NULL), SH_OK);
    assert_int_equal(sh_llm_prices_set(prices, "fake-model", 1000, 2000, NULL), SH_OK);
    sh_llm_scene_input s[3];
    make_scenes(s);
    s[1].paths = p1; /* same sizes, so every request estimates the same */
    s[2].paths = p1;
    sh_llm_request_opts o;
    sh_llm_request_opts_init(&o);
    o.prices = prices;
    o.scenes_per_request = 1;
    sh_llm_estimate one = {0};
    assert_int_equal(sh_llm_estimate_cost("fake-model", s, 1, &o, &one, NULL), SH_OK);
    assert_true(one.cost_usd > 0);
    o.budget_usd = one.cost_usd * 1.01; /* room for one request only */

    sh_llm_scene_result r[3] = {0};
    sh_llm_usage u = {0};
    sh_error err = {0};
    assert_int_equal(sh_llm_analyze_batch(c, s, 3, &o, r, &u, &err), SH_ERR_CANCELLED);
    assert_true(u.budget_exhausted);
    assert_non_null(strstr(err.message, "budget"));
    assert_int_equal(stat_of(f, "chat_requests"), 1);
    assert_int_equal(r[0].status, SH_OK);
    assert_int_equal(r[1].status, SH_ERR_CANCELLED);
    assert_int_equal(r[2].status, SH_ERR_CANCELLED);
    assert_true(u.cost_usd > 0 && u.cost_usd <= o.budget_usd);
    sh_llm_scene_results_fini(r, 3);
    sh_llm_prices_destroy(prices);
    sh_llm_client_destroy(c);
    stop_fake(f);
}

typedef struct worker {
    fixture *f;
    sh_llm_limiter *lim;
    sh_status rc;
    int64_t base_id;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    sh_llm_config cfg;
    sh_llm_config_init(&cfg);
    cfg.base_url = w->f->url;
    cfg.model = "fake-model";
    cfg.limiter = w->lim;
    sh_llm_client *c = NULL;
    w->rc = sh_llm_client_create(&cfg, &c, NULL);
    if (w->rc != SH_OK)
        return NULL;
    sh_llm_scene_input s[3];
    make_scenes(s);
    for (int i = 0; i < 2; i++)
        s[i].id = w->base_id + i;
    sh_llm_request_opts o;
    sh_llm_request_opts_init(&o);
    o.scenes_per_request = 1;
    sh_llm_scene_result r[2] = {0};
    w->rc = sh_llm_analyze_batch(c, s, 2, &o, r, NULL, NULL);
    sh_llm_scene_results_fini(r, 2);
    sh_llm_client_destroy(c);
    return NULL;
}

static void test_concurrency_bound(void **state)
{
    (void)state;
    fl_options opt;
    fl_options_init(&opt);
    opt.latency_ms = 120;
    fixture *f = start_fake(&opt);
    sh_llm_limiter *lim = NULL;
    assert_int_equal(sh_llm_limiter_create(2, &lim, NULL), SH_OK);
    enum { N = 6 };
    pthread_t th[N];
    worker w[N];
    for (int i = 0; i < N; i++) {
        w[i] = (worker){.f = f, .lim = lim, .rc = SH_ERR_INTERNAL, .base_id = 1000 + 10 * i};
        assert_int_equal(pthread_create(&th[i], NULL, run_worker, &w[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].rc, SH_OK);
    }
    assert_int_equal(stat_of(f, "chat_requests"), 2 * N);
    assert_int_equal(stat_of(f, "max_in_flight"), 2); /* bounded, and used in parallel */
    assert_int_equal(sh_llm_limiter_in_flight(lim), 0);

    fl_server_reset_stats(f->srv);
    sh_llm_limiter_set_max(lim, 1);
    for (int i = 0; i < 3; i++) {
        w[i].rc = SH_ERR_INTERNAL;
        assert_int_equal(pthread_create(&th[i], NULL, run_worker, &w[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].rc, SH_OK);
    }
    assert_int_equal(stat_of(f, "max_in_flight"), 1);
    sh_llm_limiter_destroy(lim);
    stop_fake(f);
}

static void test_connection(void **state)
{
    (void)state;
    fl_options opt;
    fl_options_init(&opt);
    opt.api_key = "k";
    fixture *f = start_fake(&opt);
    sh_llm_client *c = make_client(f, "gpt-4o-mini", "k", NULL);
    sh_llm_probe probe;
    sh_error err = {0};
    assert_int_equal(sh_llm_test_connection(c, &probe, &err), SH_OK);
    assert_true(probe.reachable && probe.authenticated && probe.model_listed);
    assert_string_equal(probe.model, "gpt-4o-mini");
    assert_int_equal(probe.n_models, 2);
    assert_true(probe.latency_ms >= 0);
    assert_int_equal(stat_of(f, "chat_requests"), 0); /* costs no tokens */
    sh_llm_client_destroy(c);

    c = make_client(f, "no-such-model", "k", NULL);
    assert_int_equal(sh_llm_test_connection(c, &probe, &err), SH_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "fake-model"));
    assert_true(probe.authenticated);
    assert_false(probe.model_listed);
    /* a chat with an unknown model is a clear, non-retried error */
    sh_llm_scene_input s[3];
    make_scenes(s);
    sh_llm_scene_result r[1] = {0};
    assert_int_equal(sh_llm_analyze_batch(c, s, 1, NULL, r, NULL, &err), SH_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "does not exist"));
    sh_llm_scene_results_fini(r, 1);
    sh_llm_client_destroy(c);
    stop_fake(f);

    /* nobody listening */
    fl_options_init(&opt);
    f = start_fake(&opt);
    char url[64];
    snprintf(url, sizeof url, "%s", f->url);
    stop_fake(f);
    sh_llm_config cfg;
    sh_llm_config_init(&cfg);
    cfg.base_url = url;
    cfg.model = "m";
    cfg.max_retries = 0;
    assert_int_equal(sh_llm_client_create(&cfg, &c, &err), SH_OK);
    assert_int_equal(sh_llm_test_connection(c, &probe, &err), SH_ERR_NETWORK);
    assert_false(probe.reachable);
    sh_llm_client_destroy(c);
}

static int always(void *ud)
{
    (void)ud;
    return 1;
}

static void test_config_and_cancel(void **state)
{
    (void)state;
    sh_llm_config cfg;
    sh_llm_config_init(&cfg);
    sh_llm_client *c = NULL;
    sh_error err = {0};
    cfg.model = "m";
    cfg.base_url = "ftp://x";
    assert_int_equal(sh_llm_client_create(&cfg, &c, &err), SH_ERR_INVALID);
    cfg.base_url = "http://127.0.0.1:1/v1";
    cfg.model = "";
    assert_int_equal(sh_llm_client_create(&cfg, &c, &err), SH_ERR_INVALID);
    cfg.model = "m";
    cfg.api_key = "bad\nkey";
    assert_int_equal(sh_llm_client_create(&cfg, &c, &err), SH_ERR_INVALID);
    cfg.api_key = NULL;
    cfg.cancelled = always;
    assert_int_equal(sh_llm_client_create(&cfg, &c, &err), SH_OK);
    sh_llm_scene_input s[3];
    make_scenes(s);
    sh_llm_scene_result r[1] = {0};
    assert_int_equal(sh_llm_analyze_batch(c, s, 1, NULL, r, NULL, &err), SH_ERR_CANCELLED);
    s[1].id = s[0].id;
    assert_int_equal(sh_llm_analyze_batch(c, s, 2, NULL, r, NULL, &err), SH_ERR_INVALID);
    sh_llm_scene_results_fini(r, 1);
    sh_llm_client_destroy(c);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sh_log_set_level(SH_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analyze_round_trip),
        cmocka_unit_test(test_429_backoff),
        cmocka_unit_test(test_5xx_retry_and_give_up),
        cmocka_unit_test(test_401_clear_error),
        cmocka_unit_test(test_malformed_answers),
        cmocka_unit_test(test_invalid_values_validated),
        cmocka_unit_test(test_cache_hit),
        cmocka_unit_test(test_budget_stop),
        cmocka_unit_test(test_concurrency_bound),
        cmocka_unit_test(test_connection),
        cmocka_unit_test(test_config_and_cancel),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
