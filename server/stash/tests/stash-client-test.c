/* stash-client-test.c - the Stash client against a scripted HTTP server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sh-log.h"
#include "http-test-server.h"
#include "stash/stash-client-private.h"

#define KEY "sk-test-7f3a9c51e2"
#define VERSION_OK "{\"data\":{\"version\":{\"version\":\"v0.27.2\",\"hash\":\"abc123\",\"build_time\":\"x\"}}}"

typedef struct fixture {
    ts_server *srv;
    sh_stash_config cfg;
    sh_stash_client *client;
    int64_t cancel_at; /* cancel callback fires from this time on (0 = never) */
} fixture;

/* Everything logged during a test, checked for the API key. */
static char log_text[65536];
static size_t log_len;

static void capture_log(sh_log_level level, const char *module, const char *message, void *ud)
{
    (void)ud;
    int n = snprintf(log_text + log_len, sizeof log_text - log_len, "%d [%s] %s\n", (int)level,
                     module, message);
    if (n > 0 && (size_t)n < sizeof log_text - log_len)
        log_len += (size_t)n;
}

static int cancel_cb(void *ud)
{
    const fixture *f = ud;
    return f->cancel_at && ts_now_ms() >= f->cancel_at;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->srv = ts_start();
    assert_non_null(f->srv);
    assert_true(ts_port(f->srv) > 0);
    sh_stash_config_init(&f->cfg);
    f->cfg.url = ts_url(f->srv);
    f->cfg.api_key = KEY;
    f->cfg.connect_timeout_ms = 2000;
    f->cfg.timeout_ms = 5000;
    f->cfg.max_retries = 2;
    f->cfg.backoff_base_ms = 5; /* keep the suite fast */
    f->cfg.backoff_max_ms = 20;
    f->cfg.cancelled = cancel_cb;
    f->cfg.cancel_user_data = f;
    log_len = 0;
    log_text[0] = '\0';
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sh_stash_client_destroy(f->client);
    ts_stop(f->srv);
    /* no test may ever log the key */
    assert_null(strstr(log_text, KEY));
    free(f);
    return 0;
}

static sh_stash_client *client_of(fixture *f)
{
    sh_error err;
    if (!f->client)
        assert_int_equal(sh_stash_client_create(&f->cfg, &f->client, &err), SH_OK);
    return f->client;
}

static sh_status run(fixture *f, const char *op, json_t *vars, json_t **data, sh_error *err)
{
    json_t *d = NULL;
    sh_status rc = sh_stash_execute(client_of(f), op, vars, &d, err);
    if (data)
        *data = d;
    else
        json_decref(d);
    if (rc != SH_OK) {
        assert_null(d);
        assert_null(strstr(err->message, KEY));
    }
    return rc;
}

static void script1(fixture *f, ts_step step)
{
    ts_script(f->srv, &step, 1);
}

static void test_success_request_shape(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = VERSION_OK});
    sh_error err;
    json_t *data = NULL;
    assert_int_equal(run(f, "Version", NULL, &data, &err), SH_OK);
    assert_string_equal(json_string_value(json_object_get(json_object_get(data, "version"), "version")),
                        "v0.27.2");
    json_decref(data);

    assert_int_equal(ts_request_count(f->srv), 1);
    ts_request r = ts_request_get(f->srv, 0);
    assert_string_equal(r.method, "POST");
    assert_string_equal(r.url, "/graphql");
    assert_string_equal(r.content_type, "application/json");
    assert_string_equal(r.accept, "application/json");
    json_t *body = json_loads(r.body, 0, NULL);
    assert_non_null(body);
    assert_string_equal(json_string_value(json_object_get(body, "operationName")), "Version");
    assert_non_null(strstr(json_string_value(json_object_get(body, "query")), "query Version"));
    assert_true(json_is_object(json_object_get(body, "variables")));
    assert_int_equal(json_object_size(json_object_get(body, "variables")), 0);
    json_decref(body);
    ts_request_free(&r);

    sh_stash_client_stats st;
    sh_stash_client_get_stats(f->client, &st);
    assert_int_equal(st.executions, 1);
    assert_int_equal(st.requests, 1);
    assert_int_equal(st.retries, 0);
    assert_int_equal(st.failures, 0);
    assert_int_equal(st.last_http_status, 200);
    assert_true(st.last_latency_ms >= 0 && st.last_latency_ms < 5000);
}

static void test_variables_and_fragments_sent(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = "{\"data\":{\"findScene\":{\"id\":\"5\"}}}"});
    sh_error err;
    json_t *vars = json_pack("{s:s}", "id", "5");
    assert_int_equal(run(f, "FindScene", vars, NULL, &err), SH_OK);
    assert_int_equal(vars->refcount, 1); /* borrowed, not stolen */
    json_decref(vars);

    ts_request r = ts_request_get(f->srv, 0);
    json_t *body = json_loads(r.body, 0, NULL);
    assert_non_null(body);
    assert_string_equal(json_string_value(json_object_get(json_object_get(body, "variables"), "id")),
                        "5");
    const char *q = json_string_value(json_object_get(body, "query"));
    const char *frag = strstr(q, "fragment SceneData on Scene");
    assert_non_null(frag);
    assert_null(strstr(frag + 1, "fragment SceneData on Scene"));
    assert_null(strstr(q, "fragment TagData")); /* unused fragments stay out */
    json_decref(body);
    ts_request_free(&r);
}

static void test_api_key_sent(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = VERSION_OK});
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_OK);
    ts_request r = ts_request_get(f->srv, 0);
    assert_non_null(r.api_key);
    assert_string_equal(r.api_key, KEY);
    ts_request_free(&r);
}

static void test_api_key_absent_when_empty(void **state)
{
    fixture *f = *state;
    f->cfg.api_key = "";
    script1(f, (ts_step){.status = 200, .body = VERSION_OK});
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_OK);
    ts_request r = ts_request_get(f->srv, 0);
    assert_null(r.api_key);
    ts_request_free(&r);
}

static void test_gzip_accepted(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = VERSION_OK, .gzip = true});
    sh_error err;
    json_t *data = NULL;
    assert_int_equal(run(f, "Version", NULL, &data, &err), SH_OK);
    assert_string_equal(json_string_value(json_object_get(json_object_get(data, "version"), "hash")),
                        "abc123");
    json_decref(data);
    ts_request r = ts_request_get(f->srv, 0);
    assert_non_null(r.accept_encoding);
    assert_non_null(strstr(r.accept_encoding, "gzip"));
    ts_request_free(&r);
}

static void test_keep_alive(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = VERSION_OK});
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_OK);
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_OK);
    ts_request a = ts_request_get(f->srv, 0), b = ts_request_get(f->srv, 1);
    assert_true(a.client_port != 0);
    assert_int_equal(a.client_port, b.client_port); /* one connection */
    ts_request_free(&a);
    ts_request_free(&b);
}

static void test_500_then_200_retried(void **state)
{
    fixture *f = *state;
    ts_step steps[] = {{.status = 500, .body = "oops"}, {.status = 200, .body = VERSION_OK}};
    ts_script(f->srv, steps, 2);
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_OK);
    assert_int_equal(ts_request_count(f->srv), 2);
    sh_stash_client_stats st;
    sh_stash_client_get_stats(f->client, &st);
    assert_int_equal(st.requests, 2);
    assert_int_equal(st.retries, 1);
    assert_int_equal(st.failures, 0);
    /* the failed attempt was logged with operation and status */
    assert_non_null(strstr(log_text, "Version"));
    assert_non_null(strstr(log_text, "HTTP 500"));
}

static void test_5xx_exhausts_retries(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 503, .body = "down"});
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_UNAVAILABLE);
    assert_non_null(strstr(err.message, "HTTP 503"));
    assert_int_equal(ts_request_count(f->srv), 3); /* 1 + max_retries */
    sh_stash_client_stats st;
    sh_stash_client_get_stats(f->client, &st);
    assert_int_equal(st.retries, 2);
    assert_int_equal(st.failures, 1);
}

static void test_429_retry_after_honoured(void **state)
{
    fixture *f = *state;
    ts_step steps[] = {{.status = 429, .body = "", .retry_after = "1"},
                       {.status = 200, .body = VERSION_OK}};
    ts_script(f->srv, steps, 2);
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_OK);
    assert_int_equal(ts_request_count(f->srv), 2);
    ts_request a = ts_request_get(f->srv, 0), b = ts_request_get(f->srv, 1);
    int64_t gap = b.at_ms - a.at_ms;
    assert_true(gap >= 950);  /* waited Retry-After, not the 5 ms backoff */
    assert_true(gap < 2500);
    ts_request_free(&a);
    ts_request_free(&b);
}

static void test_429_retry_after_capped(void **state)
{
    fixture *f = *state;
    f->cfg.retry_after_max_ms = 150;
    f->cfg.max_retries = 1;
    script1(f, (ts_step){.status = 429, .body = "", .retry_after = "30"});
    sh_error err;
    int64_t t0 = ts_now_ms();
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_RATE_LIMITED);
    int64_t took = ts_now_ms() - t0;
    assert_int_equal(ts_request_count(f->srv), 2);
    assert_true(took >= 140);
    assert_true(took < 2000);
}

static void test_401_clear_error_no_retry(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 401, .body = "{\"errors\":[{\"message\":\"unauthorized\"}]}"});
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_UNAUTHENTICATED);
    assert_string_equal(err.message, "API key rejected (HTTP 401)");
    assert_int_equal(ts_request_count(f->srv), 1);
}

static void test_graphql_errors(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200,
                         .body = "{\"errors\":[{\"message\":\"boom\"},{\"message\":\"second\"}],"
                                 "\"data\":null}"});
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_GRAPHQL);
    assert_non_null(strstr(err.message, "boom"));
    assert_non_null(strstr(err.message, "second"));
    assert_int_equal(ts_request_count(f->srv), 1);
}

static void test_graphql_errors_http_422(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 422,
                         .body = "{\"errors\":[{\"message\":\"Cannot query field \\\"x\\\"\"}]}"});
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_GRAPHQL);
    assert_non_null(strstr(err.message, "Cannot query field"));
    assert_int_equal(ts_request_count(f->srv), 1);
}

static void test_other_http_status(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 404, .body = "404 page not found"});
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_HTTP);
    assert_non_null(strstr(err.message, "HTTP 404"));
    assert_int_equal(ts_request_count(f->srv), 1);
}

static void test_garbage_body(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = "<html>proxy error</html>"});
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_PROTOCOL);
    assert_non_null(strstr(err.message, "response is not JSON"));
    assert_int_equal(ts_request_count(f->srv), 1); /* not transient */
}

static void test_missing_data(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = "{\"data\":null}"});
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_PROTOCOL);
}

static void test_truncated_body_retried(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = "{\"data\":{\"version\":", .declared_len = 400});
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_PROTOCOL);
    assert_non_null(strstr(err.message, "response is not JSON"));
    assert_int_equal(ts_request_count(f->srv), 3);
}

static void test_truncated_json_then_success(void **state)
{
    fixture *f = *state;
    ts_step steps[] = {{.status = 200, .body = "{\"data\":{\"vers"},
                       {.status = 200, .body = VERSION_OK}};
    ts_script(f->srv, steps, 2);
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_OK);
    assert_int_equal(ts_request_count(f->srv), 2);
}

static void test_connection_refused(void **state)
{
    fixture *f = *state;
    ts_server *gone = ts_start();
    assert_non_null(gone);
    char url[64];
    snprintf(url, sizeof url, "%s", ts_url(gone));
    ts_stop(gone); /* nothing listens there now */
    f->cfg.url = url;
    sh_error err;
    int64_t t0 = ts_now_ms();
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_NETWORK);
    assert_true(ts_now_ms() - t0 < 2000);
    sh_stash_client_stats st;
    sh_stash_client_get_stats(f->client, &st);
    assert_int_equal(st.requests, 3);
    assert_int_equal(st.last_http_status, 0);
}

static void test_overall_timeout(void **state)
{
    fixture *f = *state;
    f->cfg.timeout_ms = 300;
    f->cfg.max_retries = 0;
    script1(f, (ts_step){.status = 200, .body = VERSION_OK, .delay_ms = 3000});
    sh_error err;
    int64_t t0 = ts_now_ms();
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_TIMEOUT);
    int64_t took = ts_now_ms() - t0;
    assert_true(took >= 250);
    assert_true(took < 1500);
}

static void test_cancel_during_backoff(void **state)
{
    fixture *f = *state;
    f->cfg.backoff_base_ms = 10000;
    f->cfg.backoff_max_ms = 10000;
    f->cfg.max_retries = 5;
    script1(f, (ts_step){.status = 500, .body = "oops"});
    sh_error err;
    int64_t t0 = ts_now_ms();
    f->cancel_at = t0 + 200;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_CANCELLED);
    int64_t took = ts_now_ms() - t0;
    assert_true(took >= 190);
    assert_true(took < 700); /* slices of <= 100 ms */
    assert_true(ts_request_count(f->srv) >= 1);
}

static void test_cancel_during_transfer(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = VERSION_OK, .delay_ms = 4000});
    sh_error err;
    int64_t t0 = ts_now_ms();
    f->cancel_at = t0 + 200;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_CANCELLED);
    assert_true(ts_now_ms() - t0 < 1800);
    assert_int_equal(ts_request_count(f->srv), 1);
}

static void test_response_too_large(void **state)
{
    fixture *f = *state;
    f->cfg.max_response_bytes = 1024;
    static char big[4096 + 32];
    snprintf(big, sizeof big, "{\"data\":{\"pad\":\"%0*d\"}}", 4000, 0);
    script1(f, (ts_step){.status = 200, .body = big});
    sh_error err;
    assert_int_equal(run(f, "Version", NULL, NULL, &err), SH_ERR_TOO_LARGE);
    assert_int_equal(ts_request_count(f->srv), 1);
}

static void test_unknown_operation(void **state)
{
    fixture *f = *state;
    sh_error err;
    assert_int_equal(run(f, "NoSuchOperation", NULL, NULL, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "NoSuchOperation"));
    assert_int_equal(ts_request_count(f->srv), 0);
    assert_false(sh_stash_has_operation(f->client, "NoSuchOperation"));
    assert_true(sh_stash_has_operation(f->client, "Version"));
}

static void test_config_validation(void **state)
{
    fixture *f = *state;
    sh_stash_client *c = NULL;
    sh_error err;
    sh_stash_config cfg = f->cfg;
    cfg.url = "ftp://example";
    assert_int_equal(sh_stash_client_create(&cfg, &c, &err), SH_ERR_INVALID);
    assert_null(c);
    cfg = f->cfg;
    cfg.api_key = KEY "\r\nX-Evil: 1";
    assert_int_equal(sh_stash_client_create(&cfg, &c, &err), SH_ERR_INVALID);
    assert_null(strstr(err.message, KEY));
    cfg = f->cfg;
    cfg.timeout_ms = 0;
    assert_int_equal(sh_stash_client_create(&cfg, &c, &err), SH_ERR_INVALID);
    cfg = f->cfg;
    cfg.url = "http://127.0.0.1:1/"; /* trailing slash is fine */
    assert_int_equal(sh_stash_client_create(&cfg, &c, &err), SH_OK);
    sh_stash_client_destroy(c);
}

static void test_custom_sources(void **state)
{
    fixture *f = *state;
    static const sh_stash_gql_source ops[] = {
        {"Probe", "query Probe { findScenes { scenes { ...A } } }\n"},
    };
    static const sh_stash_gql_source frags[] = {
        {"A", "fragment A on Scene { id ...B }\n"},
        {"B", "fragment B on Scene { title }\n"},
        {"Unused", "fragment Unused on Scene { code }\n"},
    };
    sh_error err;
    assert_int_equal(sh_stash_client_create_with_sources(&f->cfg, ops, 1, frags, 3, &f->client, &err),
                     SH_OK);
    script1(f, (ts_step){.status = 200, .body = "{\"data\":{}}"});
    assert_int_equal(run(f, "Probe", NULL, NULL, &err), SH_OK);
    ts_request r = ts_request_get(f->srv, 0);
    json_t *body = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(body, "query")),
                        "query Probe { findScenes { scenes { ...A } } }\n"
                        "fragment A on Scene { id ...B }\n"
                        "fragment B on Scene { title }\n");
    json_decref(body);
    ts_request_free(&r);
}

#define SYSTEM_OK "{\"data\":{\"systemStatus\":{\"status\":\"OK\",\"appSchema\":71,\"databaseSchema\":71}}}"
#define STATS_OK                                                                                   \
    "{\"data\":{\"stats\":{\"scene_count\":1200,\"performer_count\":80,\"studio_count\":12,"      \
    "\"tag_count\":300}}}"

static void test_probe_ok(void **state)
{
    fixture *f = *state;
    ts_step steps[] = {{.status = 200, .body = VERSION_OK},
                       {.status = 200, .body = SYSTEM_OK},
                       {.status = 200, .body = STATS_OK}};
    ts_script(f->srv, steps, 3);
    sh_stash_probe p;
    sh_error err;
    assert_int_equal(sh_stash_test_connection(client_of(f), &p, &err), SH_OK);
    assert_true(p.reachable);
    assert_true(p.authenticated);
    assert_string_equal(p.version, "v0.27.2");
    assert_string_equal(p.build_hash, "abc123");
    assert_string_equal(p.system_status, "OK");
    assert_int_equal(p.app_schema, 71);
    assert_int_equal(p.database_schema, 71);
    assert_int_equal(p.scene_count, 1200);
    assert_int_equal(p.performer_count, 80);
    assert_int_equal(p.studio_count, 12);
    assert_int_equal(p.tag_count, 300);
    assert_true(p.latency_ms >= 0);
    const char *expected[] = {"Version", "SystemStatus", "Stats"};
    assert_int_equal(ts_request_count(f->srv), 3);
    for (size_t i = 0; i < 3; i++) {
        ts_request r = ts_request_get(f->srv, i);
        json_t *body = json_loads(r.body, 0, NULL);
        assert_string_equal(json_string_value(json_object_get(body, "operationName")), expected[i]);
        json_decref(body);
        ts_request_free(&r);
    }
}

static void test_probe_unauthorized(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 401, .body = ""});
    sh_stash_probe p;
    sh_error err;
    assert_int_equal(sh_stash_test_connection(client_of(f), &p, &err), SH_ERR_UNAUTHENTICATED);
    assert_non_null(strstr(err.message, "API key rejected"));
    assert_null(strstr(err.message, KEY));
    assert_true(p.reachable);
    assert_false(p.authenticated);
    assert_int_equal(p.scene_count, -1);
}

static void test_probe_needs_migration(void **state)
{
    fixture *f = *state;
    ts_step steps[] = {
        {.status = 200, .body = VERSION_OK},
        {.status = 200,
         .body = "{\"data\":{\"systemStatus\":{\"status\":\"NEEDS_MIGRATION\",\"appSchema\":71,"
                 "\"databaseSchema\":60}}}"},
        {.status = 200, .body = STATS_OK}};
    ts_script(f->srv, steps, 3);
    sh_stash_probe p;
    sh_error err;
    assert_int_equal(sh_stash_test_connection(client_of(f), &p, &err), SH_ERR_UNAVAILABLE);
    assert_non_null(strstr(err.message, "NEEDS_MIGRATION"));
    assert_true(p.authenticated);
    assert_string_equal(p.system_status, "NEEDS_MIGRATION");
    assert_int_equal(p.database_schema, 60);
    assert_int_equal(p.scene_count, -1);
    assert_int_equal(ts_request_count(f->srv), 2);
}

static void test_probe_unreachable(void **state)
{
    fixture *f = *state;
    ts_server *gone = ts_start();
    assert_non_null(gone);
    char url[64];
    snprintf(url, sizeof url, "%s", ts_url(gone));
    ts_stop(gone);
    f->cfg.url = url;
    f->cfg.max_retries = 0;
    sh_stash_probe p;
    sh_error err;
    assert_int_equal(sh_stash_test_connection(client_of(f), &p, &err), SH_ERR_NETWORK);
    assert_false(p.reachable);
    assert_false(p.authenticated);
    assert_string_equal(p.version, "");
}

int main(void)
{
    sh_error err;
    if (sh_stash_global_init(&err) != SH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    sh_log_set_sink(capture_log, NULL);
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_success_request_shape),
        T(test_variables_and_fragments_sent),
        T(test_api_key_sent),
        T(test_api_key_absent_when_empty),
        T(test_gzip_accepted),
        T(test_keep_alive),
        T(test_500_then_200_retried),
        T(test_5xx_exhausts_retries),
        T(test_429_retry_after_honoured),
        T(test_429_retry_after_capped),
        T(test_401_clear_error_no_retry),
        T(test_graphql_errors),
        T(test_graphql_errors_http_422),
        T(test_other_http_status),
        T(test_garbage_body),
        T(test_missing_data),
        T(test_truncated_body_retried),
        T(test_truncated_json_then_success),
        T(test_connection_refused),
        T(test_overall_timeout),
        T(test_cancel_during_backoff),
        T(test_cancel_during_transfer),
        T(test_response_too_large),
        T(test_unknown_operation),
        T(test_config_validation),
        T(test_custom_sources),
        T(test_probe_ok),
        T(test_probe_unauthorized),
        T(test_probe_needs_migration),
        T(test_probe_unreachable),
    };
#undef T
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    sh_log_set_sink(NULL, NULL);
    sh_stash_global_cleanup();
    return failed;
}
