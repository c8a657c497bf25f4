/* RPC server/client and pub/sub over real nng sockets (ipc in a private dir). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "sh-pubsub.h"
#include "sh-rpc-client.h"
#include "sh-rpc-server.h"
#include "sh-util.h"

struct fixture {
    char dir[64];
    char url[128];
    sh_rpc_server *srv;
};

/* Ping echoes; a ping whose payload is "slow" sleeps 500 ms first;
 * status is refused by the auth hook unless the token is "letmein". */
static sh_status handler(sh_rpc_call *call, void *user, sh_error *err)
{
    (void)user;
    if (call->request->body_case != STASHHOG__REQUEST__BODY_PING)
        return sh_error_set(err, SH_ERR_UNSUPPORTED, "only ping");
    const Stashhog__PingRequest *p = call->request->ping;
    if (p->has_payload && p->payload.len == 4 && memcmp(p->payload.data, "slow", 4) == 0)
        sh_sleep_ms(500);
    Stashhog__PingReply *r = SH_ARENA_NEW(call->arena, Stashhog__PingReply);
    stashhog__ping_reply__init(r);
    r->has_payload = p->has_payload;
    r->payload = p->payload;
    r->server_time_ms = sh_now_ms();
    call->reply->body_case = STASHHOG__REPLY__BODY_PING;
    call->reply->ping = r;
    return SH_OK;
}

static sh_status auth(sh_rpc_call *call, void *user, sh_error *err)
{
    (void)user;
    if (call->transport != SH_RPC_TRANSPORT_IPC)
        return sh_error_set(err, SH_ERR_INTERNAL, "expected an ipc peer");
    if (call->request->body_case == STASHHOG__REQUEST__BODY_STATUS &&
        (!call->request->auth_token || strcmp(call->request->auth_token, "letmein") != 0))
        return sh_error_set(err, SH_ERR_UNAUTHENTICATED, "bad token");
    return SH_OK;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/sh-rpc-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->url, sizeof f->url, "ipc://%s/rpc.sock", f->dir);
    const char *urls[] = {f->url};
    sh_rpc_server_config cfg = {.urls = urls, .n_urls = 1, .n_workers = 4, .handler = handler, .auth = auth};
    sh_error err = {0};
    assert_int_equal(sh_rpc_server_create(&cfg, &f->srv, &err), SH_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sh_rpc_server_destroy(f->srv);
    char path[160];
    snprintf(path, sizeof path, "%s/rpc.sock", f->dir);
    unlink(path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static sh_status ping(sh_rpc_client *c, const char *payload, sh_reply **reply, sh_error *err)
{
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__PingRequest p = STASHHOG__PING_REQUEST__INIT;
    p.has_payload = 1;
    p.payload.data = (uint8_t *)payload;
    p.payload.len = strlen(payload);
    req.body_case = STASHHOG__REQUEST__BODY_PING;
    req.ping = &p;
    return sh_rpc_client_call(c, &req, reply, err);
}

static void test_sync_call(void **state)
{
    struct fixture *f = *state;
    sh_rpc_client *c = NULL;
    sh_error err = {0};
    assert_int_equal(sh_rpc_client_create(f->url, NULL, &c, &err), SH_OK);
    sh_reply *reply = NULL;
    assert_int_equal(ping(c, "hello", &reply, &err), SH_OK);
    assert_int_equal(reply->body_case, STASHHOG__REPLY__BODY_PING);
    assert_memory_equal(reply->ping->payload.data, "hello", 5);
    sh_wire_reply_free(reply);

    /* A request type the handler does not know gets a typed error. */
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__SyncHistoryRequest h = STASHHOG__SYNC_HISTORY_REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_SYNC_HISTORY;
    req.sync_history = &h;
    assert_int_equal(sh_rpc_client_call(c, &req, &reply, &err), SH_ERR_UNSUPPORTED);
    assert_string_equal(err.message, "only ping");
    assert_null(reply);

    /* The auth hook refuses before the handler runs. */
    Stashhog__StatusRequest s = STASHHOG__STATUS_REQUEST__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_STATUS;
    req.status = &s;
    assert_int_equal(sh_rpc_client_call(c, &req, &reply, &err), SH_ERR_UNAUTHENTICATED);
    sh_rpc_client_destroy(c);
}

struct slow_arg {
    const char *url;
    int64_t elapsed_ms;
};

static void *slow_thread(void *arg)
{
    struct slow_arg *a = arg;
    sh_rpc_client *c = NULL;
    sh_reply *reply = NULL;
    int64_t t0 = sh_monotonic_ms();
    if (sh_rpc_client_create(a->url, NULL, &c, NULL) == SH_OK && ping(c, "slow", &reply, NULL) == SH_OK)
        a->elapsed_ms = sh_monotonic_ms() - t0;
    sh_wire_reply_free(reply);
    sh_rpc_client_destroy(c);
    return NULL;
}

static void test_slow_handler_does_not_block_others(void **state)
{
    struct fixture *f = *state;
    struct slow_arg a = {.url = f->url, .elapsed_ms = -1};
    pthread_t t;
    pthread_create(&t, NULL, slow_thread, &a);
    sh_sleep_ms(50);
    sh_rpc_client *c = NULL;
    assert_int_equal(sh_rpc_client_create(f->url, NULL, &c, NULL), SH_OK);
    int64_t t0 = sh_monotonic_ms();
    for (int i = 0; i < 20; i++) {
        sh_reply *reply = NULL;
        assert_int_equal(ping(c, "fast", &reply, NULL), SH_OK);
        sh_wire_reply_free(reply);
    }
    int64_t fast = sh_monotonic_ms() - t0;
    pthread_join(t, NULL);
    sh_rpc_client_destroy(c);
    assert_true(a.elapsed_ms >= 450);
    assert_true(fast < 400); /* answered while the slow one was still sleeping */
}

struct async_state {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done, ok;
};

static void async_done(sh_status st, sh_reply *reply, const sh_error *err, void *ud)
{
    (void)err;
    struct async_state *s = ud;
    pthread_mutex_lock(&s->lock);
    s->done++;
    if (st == SH_OK && reply && reply->ping)
        s->ok++;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    sh_wire_reply_free(reply);
}

static void test_async_calls(void **state)
{
    struct fixture *f = *state;
    sh_rpc_client *c = NULL;
    assert_int_equal(sh_rpc_client_create(f->url, NULL, &c, NULL), SH_OK);
    struct async_state s = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    for (int i = 0; i < 50; i++) {
        sh_request req = STASHHOG__REQUEST__INIT;
        Stashhog__PingRequest p = STASHHOG__PING_REQUEST__INIT;
        req.body_case = STASHHOG__REQUEST__BODY_PING;
        req.ping = &p;
        assert_int_equal(sh_rpc_client_call_async(c, &req, async_done, &s, NULL), SH_OK);
    }
    pthread_mutex_lock(&s.lock);
    while (s.done < 50)
        pthread_cond_wait(&s.cond, &s.lock);
    pthread_mutex_unlock(&s.lock);
    assert_int_equal(s.ok, 50);
    /* Destroying with calls in flight cancels them and runs their callbacks. */
    s.done = s.ok = 0;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__PingRequest p = STASHHOG__PING_REQUEST__INIT;
    p.has_payload = 1;
    p.payload.data = (uint8_t *)"slow";
    p.payload.len = 4;
    req.body_case = STASHHOG__REQUEST__BODY_PING;
    req.ping = &p;
    assert_int_equal(sh_rpc_client_call_async(c, &req, async_done, &s, NULL), SH_OK);
    sh_rpc_client_destroy(c);
    assert_int_equal(s.done, 1);
    assert_int_equal(s.ok, 0);
}

static void test_garbage_and_oversized(void **state)
{
    struct fixture *f = *state;
    nng_socket raw;
    assert_int_equal(nng_req0_open(&raw), 0);
    assert_int_equal(nng_dial(raw, f->url, NULL, 0), 0);
    nng_socket_set_ms(raw, NNG_OPT_RECVTIMEO, 2000);
    assert_int_equal(nng_send(raw, "\xff\xff\xff garbage", 11, 0), 0);
    nng_msg *msg = NULL;
    assert_int_equal(nng_recvmsg(raw, &msg, 0), 0);
    sh_reply *reply = NULL;
    assert_int_equal(sh_wire_decode_reply(nng_msg_body(msg), nng_msg_len(msg), &reply, NULL), SH_OK);
    assert_int_equal(sh_status_from_wire(reply->status), SH_ERR_PROTOCOL);
    assert_non_null(strstr(reply->error_message, "malformed"));
    sh_wire_reply_free(reply);
    nng_msg_free(msg);
    nng_close(raw);

    /* Oversized: the connection is dropped; the server keeps serving. */
    assert_int_equal(nng_req0_open(&raw), 0);
    assert_int_equal(nng_dial(raw, f->url, NULL, 0), 0);
    nng_socket_set_ms(raw, NNG_OPT_RECVTIMEO, 500);
    nng_socket_set_ms(raw, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
    size_t big = SH_WIRE_MAX_REQUEST + 4096;
    char *buf = calloc(1, big);
    assert_int_equal(nng_send(raw, buf, big, 0), 0);
    free(buf);
    assert_int_not_equal(nng_recvmsg(raw, &msg, 0), 0);
    nng_close(raw);

    /* Wrong protocol version: typed error. */
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__PingRequest p = STASHHOG__PING_REQUEST__INIT;
    req.protocol_version = 99;
    req.request_id = 5;
    req.body_case = STASHHOG__REQUEST__BODY_PING;
    req.ping = &p;
    assert_int_equal(sh_wire_pack(&req.base, SH_WIRE_MAX_REQUEST, &msg, NULL), SH_OK);
    assert_int_equal(nng_req0_open(&raw), 0);
    assert_int_equal(nng_dial(raw, f->url, NULL, 0), 0);
    nng_socket_set_ms(raw, NNG_OPT_RECVTIMEO, 2000);
    assert_int_equal(nng_sendmsg(raw, msg, 0), 0);
    assert_int_equal(nng_recvmsg(raw, &msg, 0), 0);
    assert_int_equal(sh_wire_decode_reply(nng_msg_body(msg), nng_msg_len(msg), &reply, NULL), SH_OK);
    assert_int_equal(reply->request_id, 5);
    assert_int_equal(sh_status_from_wire(reply->status), SH_ERR_UNSUPPORTED);
    sh_wire_reply_free(reply);
    nng_msg_free(msg);
    nng_close(raw);

    sh_rpc_client *c = NULL;
    sh_reply *ok = NULL;
    assert_int_equal(sh_rpc_client_create(f->url, NULL, &c, NULL), SH_OK);
    assert_int_equal(ping(c, "still alive", &ok, NULL), SH_OK);
    sh_wire_reply_free(ok);
    sh_rpc_client_destroy(c);
}

static void test_unreachable(void **state)
{
    (void)state;
    sh_rpc_client *c = NULL;
    sh_error err = {0};
    assert_int_equal(sh_rpc_client_create("ipc:///nonexistent/dir/x.sock", NULL, &c, &err), SH_ERR_UNAVAILABLE);
    assert_non_null(strstr(err.message, "is stashhogd running"));
    assert_int_equal(sh_rpc_client_create("", NULL, &c, &err), SH_ERR_INVALID);
}

static void test_pubsub(void **state)
{
    struct fixture *f = *state;
    char url[160];
    snprintf(url, sizeof url, "ipc://%s/ev.sock", f->dir);
    const char *urls[] = {url};
    sh_publisher *pub = NULL;
    assert_int_equal(sh_publisher_create(urls, 1, &pub, NULL), SH_OK);
    const char *topics[] = {"job."};
    sh_subscriber *sub = NULL;
    assert_int_equal(sh_subscriber_create(url, topics, 1, &sub, NULL), SH_OK);
    sh_event *got = NULL;
    /* pub/sub needs the connection up before messages flow: publish until one arrives. */
    Stashhog__JobProgress jp = STASHHOG__JOB_PROGRESS__INIT;
    jp.job_id = 42;
    jp.type = "sync_full";
    sh_event ev = STASHHOG__EVENT__INIT;
    ev.payload_case = STASHHOG__EVENT__PAYLOAD_JOB_PROGRESS;
    ev.job_progress = &jp;
    Stashhog__LogLine line = STASHHOG__LOG_LINE__INIT;
    line.module = "x";
    line.message = "filtered out";
    sh_event other = STASHHOG__EVENT__INIT;
    other.topic = "log.info";
    other.payload_case = STASHHOG__EVENT__PAYLOAD_LOG;
    other.log = &line;
    for (int i = 0; i < 100 && !got; i++) {
        sh_publisher_publish(pub, &other, NULL);
        ev.topic = "job.progress";
        sh_publisher_publish(pub, &ev, NULL);
        sh_subscriber_recv(sub, 50, &got, NULL);
    }
    assert_non_null(got);
    assert_string_equal(got->topic, "job.progress");
    assert_int_equal(got->job_progress->job_id, 42);
    assert_true(got->seq >= 2);
    sh_wire_event_free(got);
    sh_subscriber_destroy(sub);
    sh_publisher_destroy(pub);
    char path[160];
    snprintf(path, sizeof path, "%s/ev.sock", f->dir);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sync_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_handler_does_not_block_others, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_and_oversized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pubsub, setup, teardown),
        cmocka_unit_test(test_unreachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
