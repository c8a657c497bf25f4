/* faults-test.c - injected faults fire as configured: exact "fail next N",
 * HTTP 5xx/429 (with Retry-After), garbage and truncated bodies, seeded
 * probabilities, and delays that do not block other requests. */
#include "fake-stash.h"
#include "http-client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static fs_server *start(uint64_t seed, const fs_fault_config *faults)
{
    fs_library *lib = NULL;
    fs_server *srv = NULL;
    char err[256];
    fs_gen_options go = {.seed = 3, .scenes = 200};
    fs_server_options so = {.seed = seed, .quiet = true};
    if (faults)
        so.faults = *faults;
    assert_int_equal(fs_library_generate(&go, &lib, err, sizeof(err)), 0);
    assert_int_equal(fs_server_start(lib, &so, &srv, err, sizeof(err)), 0);
    return srv;
}

static void set_faults(uint16_t port, json_t *cfg)
{
    long st = 0;
    json_decref(fsh_control(port, "POST", "faults", cfg, &st));
    assert_int_equal(st, 200);
}

static long post(uint16_t port, const char *op, fsh_resp *r)
{
    char body[256];
    snprintf(body, sizeof(body),
             "{\"operationName\":\"%s\",\"variables\":{\"filter\":{\"per_page\":5}}}", op);
    fsh_request(port, "POST", "/graphql", NULL, body, r);
    return r->status;
}

static long post_status(uint16_t port, const char *op)
{
    fsh_resp r;
    long st = post(port, op, &r);
    fsh_resp_free(&r);
    return st;
}

static void test_fail_next(void **state)
{
    (void)state;
    fs_server *srv = start(1, NULL);
    uint16_t port = fs_server_port(srv);
    set_faults(port, json_pack("{s:{s:i,s:s}}", "fail_next", "count", 2, "kind", "503"));
    assert_int_equal(post_status(port, "FindScenes"), 503);
    assert_int_equal(post_status(port, "Version"), 503);
    assert_int_equal(post_status(port, "FindScenes"), 200);

    /* only a given operation */
    set_faults(port, json_pack("{s:{s:i,s:s,s:s}}", "fail_next", "count", 1, "kind", "502",
                               "operation", "FindTags"));
    assert_int_equal(post_status(port, "FindScenes"), 200);
    assert_int_equal(post_status(port, "FindTags"), 502);
    assert_int_equal(post_status(port, "FindTags"), 200);

    fsh_resp r;
    set_faults(port, json_pack("{s:{s:i,s:s}}", "fail_next", "count", 1, "kind", "429"));
    assert_int_equal(post(port, "FindScenes", &r), 429);
    assert_string_equal(r.retry_after, "1");
    fsh_resp_free(&r);

    set_faults(port, json_pack("{s:{s:i,s:s}}", "fail_next", "count", 1, "kind", "garbage"));
    assert_int_equal(post(port, "FindScenes", &r), 200);
    json_error_t jerr;
    json_t *bad = json_loads(r.body, 0, &jerr);
    assert_null(bad);
    fsh_resp_free(&r);

    /* truncated: processed, then the connection is cut mid-body */
    set_faults(port, json_pack("{s:{s:i,s:s}}", "fail_next", "count", 1, "kind", "truncate"));
    const char *upd = "{\"operationName\":\"SceneUpdate\",\"variables\":{\"input\":"
                      "{\"id\":\"1\",\"title\":\"Cut Short\"}}}";
    int cc = fsh_request(port, "POST", "/graphql", NULL, upd, &r);
    assert_int_equal(cc, CURLE_PARTIAL_FILE);
    assert_null(json_loads(r.body, 0, &jerr));
    fsh_resp_free(&r);
    json_t *s = fsh_control(port, "GET", "scenes/1", NULL, NULL);
    assert_string_equal(json_string_value(json_object_get(s, "title")), "Cut Short");
    json_decref(s);

    set_faults(port, json_pack("{s:{s:i,s:s}}", "fail_next", "count", 1, "kind", "500"));
    assert_int_equal(post_status(port, "Stats"), 500);
    json_t *st = fsh_control(port, "GET", "stats", NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(st, "faults")), 7);
    json_decref(st);
    long code = 0;
    json_decref(fsh_control(port, "POST", "faults", json_pack("{s:{s:i}}", "prob", "teapot", 1),
                            &code));
    assert_int_equal(code, 400);
    fs_server_stop(srv);
}

/* The outcome sequence of n requests as a string of '.' (ok) and 'x'. */
static void outcomes(uint64_t seed, double p500, int n, char *out)
{
    fs_fault_config cfg = {0};
    cfg.prob[FS_FAULT_500] = p500;
    fs_server *srv = start(seed, &cfg);
    for (int i = 0; i < n; i++) {
        long st = post_status(fs_server_port(srv), "FindScenes");
        assert_true(st == 200 || st == 500);
        out[i] = st == 200 ? '.' : 'x';
    }
    out[n] = '\0';
    fs_server_stop(srv);
}

static void test_probabilities(void **state)
{
    (void)state;
    char a[41], b[41], c[41], all[11];
    outcomes(99, 0.5, 40, a);
    outcomes(99, 0.5, 40, b);
    outcomes(100, 0.5, 40, c);
    assert_string_equal(a, b); /* same seed, same faults */
    assert_true(strcmp(a, c) != 0);
    int fails = 0;
    for (int i = 0; i < 40; i++)
        fails += a[i] == 'x';
    assert_true(fails >= 8 && fails <= 32);
    outcomes(1, 1.0, 10, all);
    assert_string_equal(all, "xxxxxxxxxx");
}

typedef struct slow_call {
    uint16_t port;
    double ms;
    long status;
} slow_call;

static void *slow_find(void *arg)
{
    slow_call *sc = arg;
    fsh_resp r;
    sc->status = post(sc->port, "FindScenes", &r);
    sc->ms = r.elapsed_ms;
    fsh_resp_free(&r);
    return NULL;
}

static void test_delays(void **state)
{
    (void)state;
    fs_fault_config cfg = {.page_delay_ms = 600};
    fs_server *srv = start(1, &cfg);
    uint16_t port = fs_server_port(srv);
    slow_call sc = {.port = port};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, slow_find, &sc), 0);
    /* While the Find* response sleeps, other requests are answered. */
    fsh_resp r;
    post(port, "Version", &r);
    assert_int_equal(r.status, 200);
    assert_true(r.elapsed_ms < 400);
    fsh_resp_free(&r);
    pthread_join(th, NULL);
    assert_int_equal(sc.status, 200);
    assert_true(sc.ms >= 600);

    set_faults(port, json_pack("{s:i,s:i}", "page_delay_ms", 0, "latency_ms", 250));
    post(port, "Version", &r);
    assert_true(r.elapsed_ms >= 250);
    fsh_resp_free(&r);
    json_t *f = fsh_control(port, "GET", "faults", NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(f, "latency_ms")), 250);
    json_decref(f);
    fs_server_stop(srv);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fail_next),
        cmocka_unit_test(test_probabilities),
        cmocka_unit_test(test_delays),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
