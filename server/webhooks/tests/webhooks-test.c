/* webhooks-test.c - signatures, event mapping, and real deliveries to an
 * in-process receiver: retries after 500s, give-up, restart persistence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh-util.h"
#include "stash/stash-client.h"
#include "webhooks/webhooks-internal.h"
#include "webhooks/webhooks.h"

/* ---- a receiver: answers 500 to the first `fail` POSTs, records the rest */

typedef struct receiver {
    struct MHD_Daemon *mhd;
    uint16_t port;
    pthread_mutex_t mu;
    int fail;  /* POSTs still to refuse */
    int posts; /* all POSTs seen */
    int valid; /* accepted POSTs whose signature verified */
    int invalid;
    char secret[128];
    char last_event[64];
    char last_body[4096];
} receiver;

typedef struct upload {
    char buf[8192];
    size_t len;
} upload;

static enum MHD_Result rx_handle(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *data,
                                 size_t *size, void **con_cls)
{
    (void)url;
    (void)method;
    (void)version;
    receiver *rx = cls;
    upload *up = *con_cls;
    if (!up) {
        *con_cls = calloc(1, sizeof *up);
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*size) {
        size_t n = *size < sizeof up->buf - 1 - up->len ? *size : sizeof up->buf - 1 - up->len;
        memcpy(up->buf + up->len, data, n);
        up->len += n;
        *size = 0;
        return MHD_YES;
    }
    const char *sig = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-StashHog-Signature");
    const char *event = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-StashHog-Event");
    /* Verify independently of sh_webhook_sign: one-shot libsodium HMAC over the raw body. */
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    pthread_mutex_lock(&rx->mu);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)rx->secret, strlen(rx->secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)up->buf, up->len);
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[2 * sizeof mac + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    bool ok = sig && strncmp(sig, "sha256=", 7) == 0 && strcmp(sig + 7, hex) == 0;
    rx->posts++;
    unsigned code = MHD_HTTP_OK;
    if (rx->fail > 0) {
        rx->fail--;
        code = MHD_HTTP_INTERNAL_SERVER_ERROR;
    } else {
        if (ok)
            rx->valid++;
        else
            rx->invalid++;
        snprintf(rx->last_event, sizeof rx->last_event, "%s", event ? event : "");
        snprintf(rx->last_body, sizeof rx->last_body, "%.*s", (int)up->len, up->buf);
    }
    pthread_mutex_unlock(&rx->mu);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return ret;
}

static void rx_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode t)
{
    (void)cls;
    (void)c;
    (void)t;
    free(*con_cls);
    *con_cls = NULL;
}

static void rx_start(receiver *rx, uint16_t port, int fail, const char *secret)
{
    memset(rx, 0, sizeof *rx);
    pthread_mutex_init(&rx->mu, NULL);
    rx->fail = fail;
    snprintf(rx->secret, sizeof rx->secret, "%s", secret);
    rx->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, port, NULL, NULL, rx_handle, rx,
                               MHD_OPTION_NOTIFY_COMPLETED, rx_done, NULL, MHD_OPTION_END);
    assert_non_null(rx->mhd);
    rx->port = MHD_get_daemon_info(rx->mhd, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static void rx_stop(receiver *rx)
{
    MHD_stop_daemon(rx->mhd);
    pthread_mutex_destroy(&rx->mu);
}

/* ---- fixture: a scratch database and key */

typedef struct fixture {
    char dir[512];
    sh_db_env *env;
    sh_db *db;
    sh_secrets *secrets;
    sh_arena *arena;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    const char *base = getenv("STASHHOG_TEST_SCRATCH");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s", base ? base : "/tmp");
    if (sh_mkdir_p(tmpl, 0700, NULL) != SH_OK)
        goto fail;
    snprintf(f->dir, sizeof f->dir, "%s/wh-XXXXXX", tmpl);
    if (!mkdtemp(f->dir))
        goto fail;
    char path[600];
    snprintf(path, sizeof path, "%s/db.sqlite", f->dir);
    sh_error err = {0};
    if (sh_db_env_create(path, &f->env, &err) != SH_OK ||
        sh_db_open(f->env, false, &f->db, &err) != SH_OK)
        goto fail;
    snprintf(path, sizeof path, "%s/secret.key", f->dir);
    if (sh_secrets_create(path, &f->secrets, &err) != SH_OK)
        goto fail;
    f->arena = sh_arena_create();
    *state = f;
    return 0;
fail:
    sh_db_close(f->db);
    sh_db_env_destroy(f->env);
    free(f);
    return -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sh_arena_destroy(f->arena);
    sh_db_close(f->db);
    sh_db_env_destroy(f->env);
    sh_secrets_destroy(f->secrets);
    free(f);
    return 0;
}

static int64_t add_hook(fixture *f, const char *url, const char *secret, const char *event)
{
    Stashhog__Webhook in = STASHHOG__WEBHOOK__INIT;
    in.url = (char *)url;
    char *events[] = {(char *)event};
    in.n_events = event ? 1 : 0;
    in.events = events;
    in.secret = (char *)secret;
    Stashhog__Webhook *out = NULL;
    sh_error err = {0};
    assert_int_equal(sh_webhook_save(f->db, f->secrets, &in, false, f->arena, &out, &err), SH_OK);
    return out->id;
}

static Stashhog__WebhookDelivery *wait_delivery(fixture *f, int64_t id, int status, int timeout_ms)
{
    for (int64_t end = sh_monotonic_ms() + timeout_ms; sh_monotonic_ms() < end; sh_sleep_ms(10)) {
        Stashhog__WebhookDelivery **v = NULL;
        size_t n = 0;
        assert_int_equal(sh_webhook_log(f->db, 0, id, 1, f->arena, &v, &n, NULL), SH_OK);
        if (n == 1 && (int)v[0]->status == status)
            return v[0];
    }
    return NULL;
}

static sh_event job_event(Stashhog__Job *job, Stashhog__JobStateChanged *sc, int status)
{
    stashhog__job__init(job);
    job->id = 42;
    job->type = (char *)"debug_sleep";
    job->status = (Stashhog__JobStatus)status;
    stashhog__job_state_changed__init(sc);
    sc->job = job;
    sh_event ev = STASHHOG__EVENT__INIT;
    ev.topic = (char *)"job.state";
    ev.time_ms = sh_now_ms();
    ev.payload_case = STASHHOG__EVENT__PAYLOAD_JOB_STATE;
    ev.job_state = sc;
    return ev;
}

/* ---- tests */

static void test_sign_rfc4231(void **state)
{
    (void)state;
    char sig[SH_WEBHOOK_SIG_LEN];
    const char *data = "what do ya want for nothing?";
    sh_webhook_sign("Jefe", data, strlen(data), sig);
    assert_string_equal(sig,
                        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_event_names(void **state)
{
    (void)state;
    Stashhog__Job job;
    Stashhog__JobStateChanged sc;
    sh_event ev = job_event(&job, &sc, STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED);
    assert_string_equal(sh_webhook_event_name(&ev), "job.finished");
    job.status = STASHHOG__JOB_STATUS__JOB_STATUS_FAILED;
    assert_string_equal(sh_webhook_event_name(&ev), "job.failed");
    job.status = STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING;
    assert_null(sh_webhook_event_name(&ev));

    Stashhog__PlanChanged pc = STASHHOG__PLAN_CHANGED__INIT;
    pc.has_status = 1;
    pc.status = STASHHOG__PLAN_STATUS__PLAN_DRAFT;
    pc.what = (char *)"analyzed";
    sh_event pe = STASHHOG__EVENT__INIT;
    pe.payload_case = STASHHOG__EVENT__PAYLOAD_PLAN_CHANGED;
    pe.plan_changed = &pc;
    assert_string_equal(sh_webhook_event_name(&pe), "plan.created");
    pc.what = (char *)"analysis cancelled";
    assert_null(sh_webhook_event_name(&pe));
    pc.status = STASHHOG__PLAN_STATUS__PLAN_PARTIALLY_APPLIED;
    assert_string_equal(sh_webhook_event_name(&pe), "plan.applied");
    pc.status = STASHHOG__PLAN_STATUS__PLAN_ROLLED_BACK;
    assert_string_equal(sh_webhook_event_name(&pe), "plan.rolled_back");
    pc.status = STASHHOG__PLAN_STATUS__PLAN_REVIEWING;
    assert_null(sh_webhook_event_name(&pe));

    assert_true(sh_webhook_events_match("job.failed,job.finished", "job.finished"));
    assert_false(sh_webhook_events_match("job.failed,job.finished", "job.fin"));
    assert_false(sh_webhook_events_match("job.finished", "job.finishe"));
    assert_true(sh_webhook_events_match("*", "sync.finished"));
    assert_true(sh_webhook_event_known("plan.rolled_back"));
    assert_false(sh_webhook_event_known("job.exploded"));
}

static void test_save_validation_and_mask(void **state)
{
    fixture *f = *state;
    Stashhog__Webhook in = STASHHOG__WEBHOOK__INIT;
    Stashhog__Webhook *out = NULL;
    sh_error err = {0};
    in.url = (char *)"ftp://example.org/hook";
    assert_int_equal(sh_webhook_save(f->db, f->secrets, &in, false, f->arena, &out, &err),
                     SH_ERR_INVALID);
    in.url = (char *)"http://127.0.0.1:1/hook";
    char *bad[] = {(char *)"job.exploded"};
    in.events = bad;
    in.n_events = 1;
    assert_int_equal(sh_webhook_save(f->db, f->secrets, &in, false, f->arena, &out, &err),
                     SH_ERR_INVALID);
    in.n_events = 0;
    in.secret = (char *)"short";
    assert_int_equal(sh_webhook_save(f->db, f->secrets, &in, false, f->arena, &out, &err),
                     SH_ERR_INVALID);
    /* No secret: one is generated and shown once, in clear. */
    in.secret = NULL;
    assert_int_equal(sh_webhook_save(f->db, f->secrets, &in, false, f->arena, &out, &err), SH_OK);
    assert_true(out->secret_generated);
    assert_int_equal(strlen(out->secret), 64);
    char clear[65];
    snprintf(clear, sizeof clear, "%s", out->secret);
    assert_int_equal(out->n_events, 1);
    assert_string_equal(out->events[0], "*");
    /* Listing masks it. */
    Stashhog__Webhook **v = NULL;
    size_t n = 0;
    assert_int_equal(sh_webhook_list(f->db, f->secrets, f->arena, &v, &n, &err), SH_OK);
    assert_int_equal(n, 1);
    assert_false(v[0]->secret_generated);
    assert_null(strstr(v[0]->secret, clear));
    assert_non_null(strstr(v[0]->secret, clear + 60)); /* last four shown */
    assert_int_equal(sh_webhook_delete(f->db, v[0]->id, &err), SH_OK);
    assert_int_equal(sh_webhook_delete(f->db, v[0]->id, &err), SH_ERR_NOT_FOUND);
}

static void test_retry_then_deliver(void **state)
{
    fixture *f = *state;
    receiver rx;
    rx_start(&rx, 0, 2, "s3cret-for-tests");
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/hook", rx.port);
    add_hook(f, url, "s3cret-for-tests", "job.finished");
    add_hook(f, url, "another-secret-x", "plan.applied"); /* not subscribed: gets nothing */
    sh_webhooks_options o = {.max_attempts = 5, .retry_ms = 20};
    sh_webhooks *wh = NULL;
    assert_int_equal(sh_webhooks_create(f->env, f->secrets, &o, &wh, NULL), SH_OK);
    Stashhog__Job job;
    Stashhog__JobStateChanged sc;
    sh_event ev = job_event(&job, &sc, STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED);
    sh_webhooks_notify(wh, &ev);
    job.status = STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING; /* not an event for webhooks */
    sh_webhooks_notify(wh, &ev);
    Stashhog__WebhookDelivery *d = NULL;
    for (int i = 0; i < 300 && !d; i++) {
        sh_sleep_ms(10);
        d = wait_delivery(f, 0, STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_DELIVERED, 1);
    }
    assert_non_null(d);
    assert_string_equal(d->event, "job.finished");
    assert_int_equal(d->attempts, 3);
    assert_int_equal(d->http_status, 200);
    pthread_mutex_lock(&rx.mu);
    assert_int_equal(rx.posts, 3);
    assert_int_equal(rx.valid, 1);
    assert_int_equal(rx.invalid, 0);
    assert_string_equal(rx.last_event, "job.finished");
    assert_non_null(strstr(rx.last_body, "\"event\":\"job.finished\""));
    assert_non_null(strstr(rx.last_body, "\"type\":\"debug_sleep\""));
    pthread_mutex_unlock(&rx.mu);
    int64_t rows = 0;
    assert_int_equal(
        sh_db_query_int64(f->db, "SELECT count(*) FROM webhook_deliveries", &rows, NULL), SH_OK);
    assert_int_equal(rows, 1);
    sh_webhooks_destroy(wh);
    rx_stop(&rx);
}

static void test_give_up_and_test_delivery(void **state)
{
    fixture *f = *state;
    receiver rx;
    rx_start(&rx, 0, 1000, "s3cret-for-tests");
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/hook", rx.port);
    int64_t hook = add_hook(f, url, "s3cret-for-tests", "sync.finished");
    sh_webhooks_options o = {.max_attempts = 3, .retry_ms = 10};
    sh_webhooks *wh = NULL;
    assert_int_equal(sh_webhooks_create(f->env, f->secrets, &o, &wh, NULL), SH_OK);
    int64_t id = 0;
    assert_int_equal(sh_webhooks_test(wh, f->db, hook, &id, NULL), SH_OK);
    assert_true(id > 0);
    assert_int_equal(sh_webhooks_test(wh, f->db, hook + 100, &id, NULL), SH_ERR_NOT_FOUND);
    Stashhog__WebhookDelivery *d =
        wait_delivery(f, 0, STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_FAILED, 5000);
    assert_non_null(d);
    assert_string_equal(d->event, "webhook.test");
    assert_int_equal(d->attempts, 3);
    assert_int_equal(d->http_status, 500);
    assert_string_equal(d->error, "HTTP 500");
    sh_webhooks_destroy(wh);
    rx_stop(&rx);
}

static void test_pending_survives_restart(void **state)
{
    fixture *f = *state;
    /* Find a free port, then close it: the first run cannot connect. */
    receiver probe;
    rx_start(&probe, 0, 0, "x");
    uint16_t port = probe.port;
    rx_stop(&probe);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/hook", port);
    add_hook(f, url, "s3cret-for-tests", NULL);
    sh_webhooks_options o = {.max_attempts = 10, .retry_ms = 50};
    sh_webhooks *wh = NULL;
    assert_int_equal(sh_webhooks_create(f->env, f->secrets, &o, &wh, NULL), SH_OK);
    Stashhog__Job job;
    Stashhog__JobStateChanged sc;
    sh_event ev = job_event(&job, &sc, STASHHOG__JOB_STATUS__JOB_STATUS_FAILED);
    sh_webhooks_notify(wh, &ev);
    Stashhog__WebhookDelivery *d = NULL;
    for (int i = 0; i < 300; i++) {
        sh_sleep_ms(10);
        d = wait_delivery(f, 0, STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_PENDING, 1);
        if (d && d->attempts >= 1)
            break;
    }
    assert_non_null(d);
    assert_true(d->attempts >= 1);
    assert_non_null(d->error);
    sh_webhooks_destroy(wh); /* "crash" with the delivery pending */

    receiver rx;
    rx_start(&rx, port, 0, "s3cret-for-tests");
    assert_int_equal(sh_webhooks_create(f->env, f->secrets, &o, &wh, NULL), SH_OK);
    d = wait_delivery(f, 0, STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_DELIVERED, 5000);
    assert_non_null(d);
    assert_string_equal(d->event, "job.failed");
    pthread_mutex_lock(&rx.mu);
    assert_int_equal(rx.valid, 1);
    pthread_mutex_unlock(&rx.mu);
    sh_webhooks_destroy(wh);
    rx_stop(&rx);
}

int main(void)
{
    if (sodium_init() < 0 || sh_stash_global_init(NULL) != SH_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_rfc4231),
        cmocka_unit_test(test_event_names),
        cmocka_unit_test_setup_teardown(test_save_validation_and_mask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_then_deliver, setup, teardown),
        cmocka_unit_test_setup_teardown(test_give_up_and_test_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_survives_restart, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sh_stash_global_cleanup();
    return rc;
}
