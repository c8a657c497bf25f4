/* http-client-test.c - the shared transport against a scripted local server:
 * one attempt's outcomes, the retry loop and its hooks, stats, secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "http-test-server.h"
#include "http/http-client.h"
#include "sh-log.h"

#define KEY "sk-http-test-41d9e0b7"

typedef struct fixture {
    ts_server *srv;
    sh_http_config cfg;
    sh_http_client *client;
    char url[96];
    int64_t cancel_at; /* the cancel callback fires from this time on (0 = never) */
    /* what the hooks saw */
    int classified;
    int before;
    int after;
    int in_flight_max;
    int in_flight;
    sh_http_verdict verdicts[8]; /* classify answers per attempt; the last repeats */
    int n_verdicts;
    char last_body[64];
} fixture;

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
    snprintf(f->url, sizeof f->url, "%s/api", ts_url(f->srv));
    f->cfg = (sh_http_config){
        .name = "Test",
        .peer = "the test server",
        .log_module = "httptest",
        .verify_tls = true,
        .connect_timeout_ms = 2000,
        .timeout_ms = 5000,
        .max_retries = 2,
        .backoff_base_ms = 5, /* keep the suite fast */
        .backoff_max_ms = 20,
        .retry_after_max_ms = 120000,
        .max_response_bytes = (size_t)1024 * 1024,
        .cancelled = cancel_cb,
        .cancel_user_data = f,
        .secret_prefix = "ApiKey: ",
        .secret = KEY,
    };
    log_len = 0;
    log_text[0] = '\0';
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sh_http_client_destroy(f->client);
    ts_stop(f->srv);
    assert_null(strstr(log_text, KEY)); /* no test may ever log the key */
    free(f);
    return 0;
}

static sh_http_client *client_of(fixture *f)
{
    sh_error err;
    if (!f->client) {
        assert_int_equal(sh_http_client_create(&f->cfg, &f->client, &err), SH_OK);
    }
    return f->client;
}

static void script1(fixture *f, ts_step step)
{
    ts_script(f->srv, &step, 1);
}

/* One attempt through sh_http_perform. */
static sh_http_response perform(fixture *f, const char *body)
{
    sh_http_response r;
    assert_int_equal(
        sh_http_perform(client_of(f), f->url, body, body ? strlen(body) : 0, &r), SH_OK);
    return r;
}

/* ---- one attempt ---- */

static void test_post_request_shape(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 201, .body = "{\"ok\":true}"});
    sh_http_response r = perform(f, "{\"q\":1}");
    assert_int_equal(r.outcome, SH_HTTP_OUT_RESPONSE);
    assert_int_equal(r.http_status, 201);
    assert_int_equal(r.retry_after_ms, -1);
    assert_true(r.latency_ms >= 0);
    assert_string_equal(r.body, "{\"ok\":true}");
    assert_int_equal(r.body_len, strlen("{\"ok\":true}"));
    sh_http_response_fini(&r);
    assert_null(r.body);

    ts_request q = ts_request_get(f->srv, 0);
    assert_string_equal(q.method, "POST");
    assert_string_equal(q.url, "/api");
    assert_string_equal(q.body, "{\"q\":1}");
    assert_string_equal(q.content_type, "application/json");
    assert_string_equal(q.accept, "application/json");
    assert_non_null(q.accept_encoding);
    assert_non_null(strstr(q.accept_encoding, "gzip"));
    assert_string_equal(q.api_key, KEY);
    ts_request_free(&q);
}

static void test_get_after_post_and_keep_alive(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = "{}"});
    sh_http_response r = perform(f, "{}");
    sh_http_response_fini(&r);
    r = perform(f, NULL);
    assert_int_equal(r.outcome, SH_HTTP_OUT_RESPONSE);
    sh_http_response_fini(&r);
    assert_int_equal(ts_request_count(f->srv), 2);
    ts_request a = ts_request_get(f->srv, 0), b = ts_request_get(f->srv, 1);
    assert_string_equal(a.method, "POST");
    assert_string_equal(b.method, "GET"); /* a POST must not leak into the next GET */
    assert_string_equal(b.body, "");
    assert_int_equal(a.client_port, b.client_port); /* same connection */
    ts_request_free(&a);
    ts_request_free(&b);
}

static void test_empty_body_is_empty_string(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 204, .body = ""});
    sh_http_response r = perform(f, NULL);
    assert_int_equal(r.outcome, SH_HTTP_OUT_RESPONSE);
    assert_int_equal(r.http_status, 204);
    assert_non_null(r.body);
    assert_string_equal(r.body, "");
    sh_http_response_fini(&r);
}

static void test_gzip_decoded(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = "{\"zipped\":\"yes\"}", .gzip = true});
    sh_http_response r = perform(f, "{}");
    assert_int_equal(r.outcome, SH_HTTP_OUT_RESPONSE);
    assert_string_equal(r.body, "{\"zipped\":\"yes\"}");
    sh_http_response_fini(&r);
}

static void test_retry_after_parsed_and_capped(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 429, .body = "{}", .retry_after = "7"});
    sh_http_response r = perform(f, "{}");
    assert_int_equal(r.http_status, 429);
    assert_int_equal(r.retry_after_ms, 7000);
    sh_http_response_fini(&r);
    script1(f, (ts_step){.status = 503, .body = "{}", .retry_after = "999999"});
    r = perform(f, "{}");
    assert_int_equal(r.retry_after_ms, 86400000L); /* a day at most */
    sh_http_response_fini(&r);
}

static void test_too_large(void **state)
{
    fixture *f = *state;
    f->cfg.max_response_bytes = 10;
    script1(f, (ts_step){.status = 200, .body = "{\"0123456789\":1}"});
    sh_http_response r = perform(f, "{}");
    assert_int_equal(r.outcome, SH_HTTP_OUT_TOO_LARGE);
    assert_null(r.body);
    sh_http_response_fini(&r);
    /* exactly at the cap is fine */
    script1(f, (ts_step){.status = 200, .body = "0123456789"});
    r = perform(f, "{}");
    assert_int_equal(r.outcome, SH_HTTP_OUT_RESPONSE);
    assert_string_equal(r.body, "0123456789");
    sh_http_response_fini(&r);
}

static void test_truncated(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = "{\"a\":", .declared_len = 500});
    sh_http_response r = perform(f, "{}");
    assert_int_equal(r.outcome, SH_HTTP_OUT_TRUNCATED);
    assert_true(r.detail[0] != '\0');
    sh_http_response_fini(&r);
}

static void test_connection_refused(void **state)
{
    fixture *f = *state;
    char url[96];
    snprintf(url, sizeof url, "%s/api", ts_url(f->srv));
    ts_stop(f->srv); /* nothing listens on that port any more */
    f->srv = ts_start();
    sh_http_response r;
    assert_int_equal(sh_http_perform(client_of(f), url, "{}", 2, &r), SH_OK);
    assert_int_equal(r.outcome, SH_HTTP_OUT_TRANSPORT);
    assert_int_equal(r.http_status, 0);
    sh_http_response_fini(&r);
}

static void test_bad_url_is_fatal(void **state)
{
    fixture *f = *state;
    sh_http_response r;
    assert_int_equal(sh_http_perform(client_of(f), "ftp://127.0.0.1/x", "{}", 2, &r), SH_OK);
    assert_int_equal(r.outcome, SH_HTTP_OUT_FATAL);
    assert_int_equal(r.fatal_code, SH_ERR_INVALID);
    sh_http_response_fini(&r);
}

/* A server that answers after 3 s; the attempt must end well before. */
static void expect_early_end(fixture *f, sh_http_outcome want)
{
    script1(f, (ts_step){.status = 200, .body = "{}", .delay_ms = 3000});
    sh_http_response r = perform(f, "{}");
    assert_int_equal(r.outcome, want);
    assert_true(r.latency_ms < 2500);
    sh_http_response_fini(&r);
}

static void test_timeout(void **state)
{
    fixture *f = *state;
    f->cfg.timeout_ms = 300;
    expect_early_end(f, SH_HTTP_OUT_TIMEOUT);
}

static void test_cancel_during_transfer(void **state)
{
    fixture *f = *state;
    f->cancel_at = ts_now_ms() + 200;
    expect_early_end(f, SH_HTTP_OUT_CANCELLED);
}

/* ---- the shared failure rule ---- */

static void test_classify_failure_table(void **state)
{
    fixture *f = *state;
    sh_http_client *c = client_of(f);
    static const struct {
        sh_http_outcome outcome;
        sh_http_verdict verdict;
        sh_status code;
    } rows[] = {
        {SH_HTTP_OUT_TRANSPORT, SH_HTTP_RETRY, SH_ERR_NETWORK},
        {SH_HTTP_OUT_TRUNCATED, SH_HTTP_RETRY, SH_ERR_NETWORK},
        {SH_HTTP_OUT_TIMEOUT, SH_HTTP_RETRY, SH_ERR_TIMEOUT},
        {SH_HTTP_OUT_TOO_LARGE, SH_HTTP_FAIL, SH_ERR_TOO_LARGE},
        {SH_HTTP_OUT_CANCELLED, SH_HTTP_FAIL, SH_ERR_CANCELLED},
        {SH_HTTP_OUT_FATAL, SH_HTTP_FAIL, SH_ERR_PERMISSION},
        {SH_HTTP_OUT_RESPONSE, SH_HTTP_FAIL, SH_ERR_INTERNAL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        sh_http_response r = {.outcome = rows[i].outcome, .fatal_code = SH_ERR_PERMISSION};
        snprintf(r.detail, sizeof r.detail, "detail-%zu", i);
        sh_error err;
        sh_error_clear(&err);
        assert_int_equal(sh_http_classify_failure(c, &r, &err), rows[i].verdict);
        assert_int_equal(err.code, rows[i].code);
    }
    sh_http_response r = {.outcome = SH_HTTP_OUT_TRANSPORT};
    snprintf(r.detail, sizeof r.detail, "Connection refused");
    sh_error err;
    sh_http_classify_failure(c, &r, &err);
    assert_string_equal(err.message, "cannot reach the test server: Connection refused");
    r.outcome = SH_HTTP_OUT_TIMEOUT;
    sh_http_classify_failure(c, &r, &err);
    assert_string_equal(err.message, "the test server did not answer within 5000 ms");
}

/* ---- the retry loop ---- */

/* A classify hook driven by f->verdicts; the body of a DONE attempt is kept. */
static sh_http_verdict scripted_classify(const sh_http_response *resp, void *user_data,
                                         sh_error *err)
{
    fixture *f = user_data;
    assert_int_equal(f->in_flight, 0); /* after after_attempt: the slot is free again */
    int i = f->classified < f->n_verdicts ? f->classified : f->n_verdicts - 1;
    f->classified++;
    if (resp->outcome != SH_HTTP_OUT_RESPONSE)
        return sh_http_classify_failure(f->client, resp, err);
    sh_http_verdict v = f->verdicts[i];
    if (v == SH_HTTP_DONE)
        snprintf(f->last_body, sizeof f->last_body, "%s", resp->body);
    else
        sh_error_set(err, SH_ERR_UNAVAILABLE, "scripted %s (HTTP %ld)",
                     v == SH_HTTP_RETRY ? "retry" : "failure", resp->http_status);
    return v;
}

static sh_status before_hook(void *user_data, sh_error *err)
{
    (void)err;
    fixture *f = user_data;
    f->before++;
    f->in_flight++;
    if (f->in_flight > f->in_flight_max)
        f->in_flight_max = f->in_flight;
    return SH_OK;
}

static void after_hook(void *user_data)
{
    fixture *f = user_data;
    f->after++;
    f->in_flight--;
}

static sh_status send_req(fixture *f, const char *body, sh_error *err)
{
    sh_http_request req = {
        .what = "TestOp",
        .url = f->url,
        .body = body,
        .body_len = body ? strlen(body) : 0,
        .classify = scripted_classify,
        .before_attempt = before_hook,
        .after_attempt = after_hook,
        .user_data = f,
    };
    return sh_http_send(client_of(f), &req, err);
}

static void test_send_retry_then_done(void **state)
{
    fixture *f = *state;
    const ts_step steps[] = {{.status = 500, .body = "{}"}, {.status = 200, .body = "{\"n\":2}"}};
    ts_script(f->srv, steps, 2);
    f->verdicts[0] = SH_HTTP_RETRY;
    f->verdicts[1] = SH_HTTP_DONE;
    f->n_verdicts = 2;
    sh_error err;
    assert_int_equal(send_req(f, "{}", &err), SH_OK);
    assert_string_equal(f->last_body, "{\"n\":2}");
    assert_int_equal(f->classified, 2);
    assert_int_equal(f->before, 2);
    assert_int_equal(f->after, 2);
    assert_int_equal(f->in_flight_max, 1);
    sh_http_stats st;
    sh_http_client_get_stats(f->client, &st);
    assert_int_equal(st.requests, 2);
    assert_int_equal(st.retries, 1);
    assert_int_equal(st.last_http_status, 200);
    assert_true(st.last_latency_ms >= 0);
    assert_non_null(strstr(log_text, "[httptest] TestOp failed (attempt 1 of 3, HTTP 500)"));
}

static void test_send_exhausts_retries(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 503, .body = "{}"});
    f->verdicts[0] = SH_HTTP_RETRY;
    f->n_verdicts = 1;
    sh_error err;
    assert_int_equal(send_req(f, "{}", &err), SH_ERR_UNAVAILABLE);
    assert_string_equal(err.message, "scripted retry (HTTP 503)");
    assert_int_equal(ts_request_count(f->srv), 3); /* 1 + max_retries */
    assert_int_equal(f->before, 3);
    assert_int_equal(f->after, 3);
    sh_http_stats st;
    sh_http_client_get_stats(f->client, &st);
    assert_int_equal(st.requests, 3);
    assert_int_equal(st.retries, 2);
    assert_int_equal(st.last_http_status, 503);
}

static void test_send_fail_stops_at_once(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 400, .body = "{}"});
    f->verdicts[0] = SH_HTTP_FAIL;
    f->n_verdicts = 1;
    sh_error err;
    assert_int_equal(send_req(f, NULL, &err), SH_ERR_UNAVAILABLE);
    assert_int_equal(ts_request_count(f->srv), 1);
    assert_non_null(strstr(log_text, "TestOp failed (attempt 1, HTTP 400)"));
}

static void test_send_transport_failures_use_shared_rule(void **state)
{
    fixture *f = *state;
    f->cfg.max_retries = 1;
    ts_stop(f->srv);
    f->srv = ts_start(); /* f->url now points at a closed port */
    f->verdicts[0] = SH_HTTP_DONE;
    f->n_verdicts = 1;
    sh_error err;
    assert_int_equal(send_req(f, "{}", &err), SH_ERR_NETWORK);
    assert_non_null(strstr(err.message, "cannot reach the test server"));
    assert_int_equal(f->classified, 2);
}

static void test_send_honours_retry_after_cap(void **state)
{
    fixture *f = *state;
    f->cfg.retry_after_max_ms = 300; /* the server asks for 30 s */
    const ts_step steps[] = {{.status = 429, .body = "{}", .retry_after = "30"},
                             {.status = 200, .body = "{}"}};
    ts_script(f->srv, steps, 2);
    f->verdicts[0] = SH_HTTP_RETRY;
    f->verdicts[1] = SH_HTTP_DONE;
    f->n_verdicts = 2;
    sh_error err;
    assert_int_equal(send_req(f, "{}", &err), SH_OK);
    ts_request a = ts_request_get(f->srv, 0), b = ts_request_get(f->srv, 1);
    int64_t gap = b.at_ms - a.at_ms;
    assert_true(gap >= 280);
    assert_true(gap < 3000);
    ts_request_free(&a);
    ts_request_free(&b);
}

static void test_send_backoff_window_bounded(void **state)
{
    fixture *f = *state;
    f->cfg.max_retries = 4;
    f->cfg.backoff_base_ms = 40;
    f->cfg.backoff_max_ms = 60; /* windows 40, 60, 60, 60 */
    script1(f, (ts_step){.status = 500, .body = "{}"});
    f->verdicts[0] = SH_HTTP_RETRY;
    f->n_verdicts = 1;
    sh_error err;
    assert_int_equal(send_req(f, "{}", &err), SH_ERR_UNAVAILABLE);
    assert_int_equal(ts_request_count(f->srv), 5);
    /* each logged wait lies within its full-jitter window */
    static const long window[] = {40, 60, 60, 60};
    int seen = 0;
    static const char head[] = "TestOp failed (attempt ";
    for (const char *p = strstr(log_text, head); p; p = strstr(p + 1, head)) {
        const char *eol = strchr(p, '\n');
        const char *w = strstr(p, "retrying in ");
        if (!w || (eol && w > eol))
            continue; /* the final attempt waits for nothing */
        long attempt = strtol(p + strlen(head), NULL, 10);
        long wait = strtol(w + strlen("retrying in "), NULL, 10);
        assert_in_range(attempt, 1, 4);
        assert_in_range(wait, 0, window[attempt - 1]);
        seen++;
    }
    assert_int_equal(seen, 4);
}

static void test_send_cancel_during_backoff(void **state)
{
    fixture *f = *state;
    f->cfg.backoff_base_ms = 5000;
    f->cfg.backoff_max_ms = 5000;
    f->cfg.retry_after_max_ms = 5000;
    script1(f, (ts_step){.status = 500, .body = "{}", .retry_after = "5"});
    f->verdicts[0] = SH_HTTP_RETRY;
    f->n_verdicts = 1;
    f->cancel_at = ts_now_ms() + 300;
    sh_error err;
    int64_t t0 = ts_now_ms();
    assert_int_equal(send_req(f, "{}", &err), SH_ERR_CANCELLED);
    assert_true(ts_now_ms() - t0 < 2000);
    assert_non_null(strstr(err.message, "cancelled while waiting to retry"));
    assert_int_equal(ts_request_count(f->srv), 1);
}

static void test_send_cancelled_before_start(void **state)
{
    fixture *f = *state;
    f->cancel_at = 1;
    f->n_verdicts = 1;
    sh_error err;
    assert_int_equal(send_req(f, "{}", &err), SH_ERR_CANCELLED);
    assert_int_equal(f->before, 0);
    assert_int_equal(ts_request_count(f->srv), 0);
}

static sh_status refusing_before(void *user_data, sh_error *err)
{
    (void)user_data;
    return sh_error_set(err, SH_ERR_BUSY, "no slot");
}

static void test_send_before_hook_failure_ends(void **state)
{
    fixture *f = *state;
    sh_http_request req = {
        .what = "TestOp",
        .url = f->url,
        .classify = scripted_classify,
        .before_attempt = refusing_before,
        .after_attempt = after_hook,
        .user_data = f,
    };
    sh_error err;
    assert_int_equal(sh_http_send(client_of(f), &req, &err), SH_ERR_BUSY);
    assert_int_equal(f->after, 0);
    assert_int_equal(ts_request_count(f->srv), 0);
}

static sh_http_verdict silent_fail(const sh_http_response *resp, void *user_data, sh_error *err)
{
    (void)resp, (void)user_data, (void)err;
    return SH_HTTP_FAIL;
}

static void test_send_hook_without_error_is_internal(void **state)
{
    fixture *f = *state;
    script1(f, (ts_step){.status = 200, .body = "{}"});
    sh_http_request req = {.what = "TestOp", .url = f->url, .classify = silent_fail};
    sh_error err;
    assert_int_equal(sh_http_send(client_of(f), &req, &err), SH_ERR_INTERNAL);
}

/* ---- configuration and headers ---- */

static void test_config_validation(void **state)
{
    fixture *f = *state;
    sh_http_client *c = NULL;
    sh_error err;
    sh_http_config bad = f->cfg;
    bad.timeout_ms = 0;
    assert_int_equal(sh_http_client_create(&bad, &c, &err), SH_ERR_INVALID);
    assert_string_equal(err.message, "Test timeouts must be positive");
    bad = f->cfg;
    bad.max_retries = 101;
    assert_int_equal(sh_http_client_create(&bad, &c, &err), SH_ERR_INVALID);
    bad = f->cfg;
    bad.backoff_max_ms = -1;
    assert_int_equal(sh_http_client_create(&bad, &c, &err), SH_ERR_INVALID);
    bad = f->cfg;
    bad.max_response_bytes = 0;
    assert_int_equal(sh_http_client_create(&bad, &c, &err), SH_ERR_INVALID);
    bad = f->cfg;
    bad.secret = KEY "\n";
    assert_int_equal(sh_http_client_create(&bad, &c, &err), SH_ERR_INVALID);
    assert_string_equal(err.message, "Test ApiKey header contains control characters");
    assert_null(c);
    assert_int_equal(sh_http_client_create(NULL, &c, &err), SH_ERR_INVALID);
}

static void test_no_secret_no_header(void **state)
{
    fixture *f = *state;
    f->cfg.secret = "";
    script1(f, (ts_step){.status = 200, .body = "{}"});
    sh_http_response r = perform(f, "{}");
    sh_http_response_fini(&r);
    ts_request q = ts_request_get(f->srv, 0);
    assert_null(q.api_key);
    ts_request_free(&q);
}

static void test_header_injection_rejected(void **state)
{
    fixture *f = *state;
    sh_http_client *c = client_of(f);
    sh_error err;
    assert_int_equal(sh_http_client_add_header(c, &err, "Authorization: Bearer %s", KEY "\r\nX: 1"),
                     SH_ERR_INVALID);
    assert_null(strstr(err.message, KEY));
    assert_non_null(strstr(err.message, "Authorization"));
    /* the client still works, without the rejected line */
    script1(f, (ts_step){.status = 200, .body = "{}"});
    sh_http_response r = perform(f, "{}");
    assert_int_equal(r.outcome, SH_HTTP_OUT_RESPONSE);
    sh_http_response_fini(&r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sh_log_set_sink(capture_log, NULL);
    const struct CMUnitTest tests[] = {
        T(test_post_request_shape),
        T(test_get_after_post_and_keep_alive),
        T(test_empty_body_is_empty_string),
        T(test_gzip_decoded),
        T(test_retry_after_parsed_and_capped),
        T(test_too_large),
        T(test_truncated),
        T(test_connection_refused),
        T(test_bad_url_is_fatal),
        T(test_timeout),
        T(test_cancel_during_transfer),
        T(test_classify_failure_table),
        T(test_send_retry_then_done),
        T(test_send_exhausts_retries),
        T(test_send_fail_stops_at_once),
        T(test_send_transport_failures_use_shared_rule),
        T(test_send_honours_retry_after_cap),
        T(test_send_backoff_window_bounded),
        T(test_send_cancel_during_backoff),
        T(test_send_cancelled_before_start),
        T(test_send_before_hook_failure_ends),
        T(test_send_hook_without_error_is_internal),
        T(test_config_validation),
        T(test_no_secret_no_header),
        T(test_header_injection_rejected),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    sh_log_set_sink(NULL, NULL);
    curl_global_cleanup();
    return failed;
}
