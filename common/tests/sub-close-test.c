/* Destroying a subscriber while events stream in must never hang.
 *
 * libnng 1.5.2 deadlocks in nng_close() when a pipe is closed locally between
 * a frame's header and its body (see "parked" in sh-pubsub.c).  A publisher
 * thread here sends without pause while the test connects, reads one event
 * and destroys a subscriber, again and again: with a plain nng_close() the
 * loop hung within a few rounds.  The rounds run on a worker thread so a hang
 * fails the test quickly with a message instead of at ctest's timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>

#include "sh-pubsub.h"
#include "sh-util.h"

#define ROUNDS 150

typedef struct {
    sh_publisher *pub;
    atomic_bool stop;
    atomic_int rounds_done;
    atomic_bool finished;
    int failures;
} harness;

static void *publish_forever(void *arg)
{
    harness *h = arg;
    Stashhog__LogLine line = STASHHOG__LOG_LINE__INIT;
    line.module = "test";
    line.message = "a steady stream of events, each long enough to span two reads";
    while (!atomic_load(&h->stop)) {
        sh_event ev = STASHHOG__EVENT__INIT;
        ev.topic = "log.test";
        ev.payload_case = STASHHOG__EVENT__PAYLOAD_LOG;
        ev.log = &line;
        sh_publisher_publish(h->pub, &ev, NULL);
        usleep(100);
    }
    return NULL;
}

static void *subscribe_and_destroy(void *arg)
{
    harness *h = arg;
    const char *const *urls = NULL;
    sh_publisher_urls(h->pub, &urls);
    for (int i = 0; i < ROUNDS; i++) {
        sh_subscriber *sub = NULL;
        if (sh_subscriber_create(urls[0], NULL, 0, &sub, NULL) != SH_OK) {
            h->failures++;
            break;
        }
        sh_event *ev = NULL;
        if (sh_subscriber_recv(sub, 5000, &ev, NULL) == SH_OK)
            sh_wire_event_free(ev);
        else
            h->failures++;
        usleep(1000); /* let more frames arrive: the close must meet one mid-read */
        sh_subscriber_destroy(sub);
        atomic_store(&h->rounds_done, i + 1);
    }
    atomic_store(&h->finished, true);
    return NULL;
}

static void test_destroy_under_traffic(void **state)
{
    (void)state;
    char *dir = sh_strdup_printf("/tmp/sh-subclose-%d", (int)getpid());
    sh_mkdir_p(dir, 0700, NULL);
    char *url = sh_strdup_printf("ipc://%s/events.sock", dir);
    const char *urls[] = {url};
    harness h = {0};
    assert_int_equal(sh_publisher_create(urls, 1, &h.pub, NULL), SH_OK);

    pthread_t publisher, worker;
    assert_int_equal(pthread_create(&publisher, NULL, publish_forever, &h), 0);
    assert_int_equal(pthread_create(&worker, NULL, subscribe_and_destroy, &h), 0);
    int64_t deadline = sh_monotonic_ms() + 40000;
    while (!atomic_load(&h.finished) && sh_monotonic_ms() < deadline)
        sh_sleep_ms(20);
    if (!atomic_load(&h.finished))
        fail_msg("subscriber destroy hung after %d of %d rounds", atomic_load(&h.rounds_done), ROUNDS);
    pthread_join(worker, NULL);
    assert_int_equal(h.failures, 0);

    /* Once the daemon side goes away, the parked sockets are closed for real. */
    atomic_store(&h.stop, true);
    pthread_join(publisher, NULL);
    sh_publisher_destroy(h.pub);
    deadline = sh_monotonic_ms() + 10000;
    while (sh_subscriber_parked_count() > 0 && sh_monotonic_ms() < deadline)
        sh_sleep_ms(20);
    assert_int_equal(sh_subscriber_parked_count(), 0);

    rmdir(dir);
    free(url);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_destroy_under_traffic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
