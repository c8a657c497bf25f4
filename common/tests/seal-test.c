/* Sealed events: over tcp only a subscriber holding the token reads events;
 * a stranger, or a wrong token, gets nothing readable; ipc stays clear. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>

#include "sh-pubsub.h"
#include "sh-util.h"

#define TOKEN "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SECRET_TEXT "the-secret-job-message"

static void publish_one(sh_publisher *pub)
{
    Stashhog__LogLine line = STASHHOG__LOG_LINE__INIT;
    line.level = STASHHOG__LOG_LEVEL__LOG_INFO;
    line.module = "test";
    line.message = SECRET_TEXT;
    sh_event ev = STASHHOG__EVENT__INIT;
    ev.topic = "log.test";
    ev.payload_case = STASHHOG__EVENT__PAYLOAD_LOG;
    ev.log = &line;
    assert_int_equal(sh_publisher_publish(pub, &ev, NULL), SH_OK);
}

/* Publish until `sub` has an event (pub/sub drops messages before the pipe is up). */
static sh_event *publish_until_received(sh_publisher *pub, sh_subscriber *sub)
{
    for (int i = 0; i < 250; i++) {
        publish_one(pub);
        sh_event *ev = NULL;
        if (sh_subscriber_recv(sub, 20, &ev, NULL) == SH_OK)
            return ev;
    }
    return NULL;
}

static sh_publisher *tcp_publisher(const char **url)
{
    const char *urls[] = {"tcp://127.0.0.1:0"};
    sh_publisher_options o = {.urls = urls, .n_urls = 1, .token = TOKEN};
    sh_publisher *pub = NULL;
    sh_error err = {0};
    assert_int_equal(sh_publisher_create_opts(&o, &pub, &err), SH_OK);
    const char *const *bound = NULL;
    assert_int_equal(sh_publisher_urls(pub, &bound), 1);
    *url = bound[0];
    return pub;
}

static void test_sealed_needs_token(void **state)
{
    (void)state;
    const char *url = NULL;
    sh_publisher *pub = tcp_publisher(&url);

    sh_subscriber_options with = {.token = TOKEN};
    sh_subscriber_options wrong = {.token = "not-the-token"};
    sh_subscriber *good = NULL, *stranger = NULL, *guesser = NULL;
    assert_int_equal(sh_subscriber_create_opts(url, &with, &good, NULL), SH_OK);
    assert_int_equal(sh_subscriber_create(url, NULL, 0, &stranger, NULL), SH_OK);
    assert_int_equal(sh_subscriber_create_opts(url, &wrong, &guesser, NULL), SH_OK);

    /* A raw nng subscriber sees exactly what travels on the wire. */
    nng_socket raw;
    assert_int_equal(nng_sub0_open(&raw), 0);
    assert_int_equal(nng_socket_set(raw, NNG_OPT_SUB_SUBSCRIBE, "", 0), 0);
    assert_int_equal(nng_dial(raw, url, NULL, 0), 0);
    nng_socket_set_ms(raw, NNG_OPT_RECVTIMEO, 20);

    sh_event *ev = publish_until_received(pub, good);
    assert_non_null(ev);
    assert_int_equal(ev->payload_case, STASHHOG__EVENT__PAYLOAD_LOG);
    assert_string_equal(ev->log->message, SECRET_TEXT);
    assert_string_equal(ev->topic, "log.test");
    sh_wire_event_free(ev);

    /* Make sure the others are connected and have had frames to chew on. */
    bool raw_seen = false;
    for (int i = 0; i < 250 && (sh_subscriber_rejected(stranger) == 0 || sh_subscriber_rejected(guesser) == 0 || !raw_seen); i++) {
        publish_one(pub);
        sh_event *none = NULL;
        assert_int_equal(sh_subscriber_recv(stranger, 10, &none, NULL), SH_ERR_TIMEOUT);
        assert_null(none);
        assert_int_equal(sh_subscriber_recv(guesser, 10, &none, NULL), SH_ERR_TIMEOUT);
        nng_msg *m = NULL;
        if (nng_recvmsg(raw, &m, 0) == 0) {
            const char *body = nng_msg_body(m);
            size_t len = nng_msg_len(m);
            /* Topic in clear for filtering; the payload is not. */
            assert_true(len > 9 && memcmp(body, "log.test", 9) == 0);
            assert_null(memmem(body, len, SECRET_TEXT, strlen(SECRET_TEXT)));
            nng_msg_free(m);
            raw_seen = true;
        }
    }
    assert_true(raw_seen);
    assert_true(sh_subscriber_rejected(stranger) > 0);
    assert_true(sh_subscriber_rejected(guesser) > 0);

    nng_close(raw);
    sh_subscriber_destroy(good);
    sh_subscriber_destroy(stranger);
    sh_subscriber_destroy(guesser);
    sh_publisher_destroy(pub);
}

static void test_refuses_tcp_without_token(void **state)
{
    (void)state;
    const char *urls[] = {"tcp://127.0.0.1:0"};
    sh_publisher *pub = NULL;
    sh_error err = {0};
    assert_int_equal(sh_publisher_create(urls, 1, &pub, &err), SH_ERR_INVALID);
    assert_null(pub);
    assert_non_null(strstr(err.message, "without a token"));
}

static void test_ipc_stays_clear_and_tcp_sealed(void **state)
{
    (void)state;
    char dir[] = "/tmp/sh-seal-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ipc[128];
    snprintf(ipc, sizeof ipc, "ipc://%s/ev.sock", dir);
    const char *urls[] = {ipc, "tcp://127.0.0.1:0"};
    sh_publisher_options o = {.urls = urls, .n_urls = 2, .token = TOKEN};
    sh_publisher *pub = NULL;
    assert_int_equal(sh_publisher_create_opts(&o, &pub, NULL), SH_OK);
    const char *const *bound = NULL;
    assert_int_equal(sh_publisher_urls(pub, &bound), 2);

    /* ipc: a subscriber with or without the token reads clear frames. */
    sh_subscriber *local = NULL;
    assert_int_equal(sh_subscriber_create(bound[0], NULL, 0, &local, NULL), SH_OK);
    sh_event *ev = publish_until_received(pub, local);
    assert_non_null(ev);
    assert_string_equal(ev->log->message, SECRET_TEXT);
    sh_wire_event_free(ev);
    sh_subscriber_destroy(local);

    /* tcp: the same events, sealed, open with the token. */
    sh_subscriber_options with = {.token = TOKEN};
    sh_subscriber *remote = NULL;
    assert_int_equal(sh_subscriber_create_opts(bound[1], &with, &remote, NULL), SH_OK);
    ev = publish_until_received(pub, remote);
    assert_non_null(ev);
    assert_string_equal(ev->log->message, SECRET_TEXT);
    assert_true(ev->seq > 1);
    sh_wire_event_free(ev);

    sh_subscriber_destroy(remote);
    sh_publisher_destroy(pub);
    char sock[160];
    snprintf(sock, sizeof sock, "%s/ev.sock", dir);
    unlink(sock);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sealed_needs_token),
        cmocka_unit_test(test_refuses_tcp_without_token),
        cmocka_unit_test(test_ipc_stays_clear_and_tcp_sealed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
