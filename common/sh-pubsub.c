#include "sh-pubsub.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>

#include "sh-log.h"
#include "sh-rpc-server.h"
#include "sh-util.h"

#define LOG "events"

struct sh_publisher {
    nng_socket sock;
    char **urls;
    size_t n_urls;
    _Atomic uint64_t seq;
    _Atomic uint64_t sent;
};

sh_status sh_publisher_create(const char *const *urls, size_t n_urls, sh_publisher **out,
                              sh_error *err)
{
    *out = NULL;
    sh_publisher *pub = calloc(1, sizeof *pub);
    if (!pub || !(pub->urls = calloc(n_urls ? n_urls : 1, sizeof *pub->urls))) {
        free(pub);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    sh_status st = SH_OK;
    int rv = nng_pub0_open(&pub->sock);
    if (rv != 0) {
        free(pub->urls);
        free(pub);
        return sh_error_set(err, SH_ERR_NETWORK, "nng_pub0_open: %s", nng_strerror(rv));
    }
    /* Subscribers never send us anything; a tiny cap stops abuse. */
    nng_socket_set_size(pub->sock, NNG_OPT_RECVMAXSZ, 1024);
    for (size_t i = 0; i < n_urls; i++) {
        nng_listener l;
        if ((rv = nng_listener_create(&l, pub->sock, urls[i])) != 0) {
            st = sh_error_set(err, SH_ERR_INVALID, "cannot publish on %s: %s", urls[i], nng_strerror(rv));
            goto fail;
        }
        if (sh_str_has_prefix(urls[i], "ipc://"))
            nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS, 0600);
        if ((rv = nng_listener_start(l, 0)) != 0) {
            nng_listener_close(l);
            st = sh_error_set(err, SH_ERR_NETWORK, "cannot publish on %s: %s", urls[i], nng_strerror(rv));
            goto fail;
        }
        char resolved[512];
        if ((st = sh_listener_url(l, urls[i], resolved, sizeof resolved, err)) != SH_OK)
            goto fail;
        if (!(pub->urls[pub->n_urls] = strdup(resolved))) {
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
            goto fail;
        }
        pub->n_urls++;
        sh_info(LOG, "publishing events on %s", resolved);
    }
    *out = pub;
    return SH_OK;
fail:
    sh_publisher_destroy(pub);
    return st;
}

void sh_publisher_destroy(sh_publisher *pub)
{
    if (!pub)
        return;
    nng_close(pub->sock);
    for (size_t i = 0; i < pub->n_urls; i++)
        free(pub->urls[i]);
    free(pub->urls);
    free(pub);
}

sh_status sh_publisher_publish(sh_publisher *pub, sh_event *event, sh_error *err)
{
    event->seq = atomic_fetch_add(&pub->seq, 1) + 1;
    event->time_ms = sh_now_ms();
    nng_msg *msg = NULL;
    sh_status st = sh_wire_pack_event(event, &msg, err);
    if (st != SH_OK)
        return st;
    int rv = nng_sendmsg(pub->sock, msg, NNG_FLAG_NONBLOCK);
    if (rv != 0) {
        nng_msg_free(msg);
        return sh_error_set(err, SH_ERR_NETWORK, "publish: %s", nng_strerror(rv));
    }
    atomic_fetch_add(&pub->sent, 1);
    return SH_OK;
}

size_t sh_publisher_urls(const sh_publisher *pub, const char *const **urls)
{
    *urls = (const char *const *)pub->urls;
    return pub->n_urls;
}

uint64_t sh_publisher_sent(const sh_publisher *pub)
{
    return atomic_load(&pub->sent);
}

/* ---------------------------------------------------------------- subscriber */

struct sh_subscriber {
    nng_socket sock;
    nng_aio *aio;
    sh_event_fn fn;
    void *user_data;
    pthread_mutex_t lock;
    bool closing;
};

sh_status sh_subscriber_create(const char *url, const char *const *topics, size_t n_topics,
                               sh_subscriber **out, sh_error *err)
{
    *out = NULL;
    sh_subscriber *sub = calloc(1, sizeof *sub);
    if (!sub)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    pthread_mutex_init(&sub->lock, NULL);
    int rv = nng_sub0_open(&sub->sock);
    if (rv != 0) {
        pthread_mutex_destroy(&sub->lock);
        free(sub);
        return sh_error_set(err, SH_ERR_NETWORK, "nng_sub0_open: %s", nng_strerror(rv));
    }
    sh_status st = SH_OK;
    nng_socket_set_size(sub->sock, NNG_OPT_RECVMAXSZ, SH_WIRE_MAX_EVENT);
    nng_socket_set_ms(sub->sock, NNG_OPT_RECONNMINT, 100);
    nng_socket_set_ms(sub->sock, NNG_OPT_RECONNMAXT, 2000);
    if (n_topics == 0) {
        rv = nng_socket_set(sub->sock, NNG_OPT_SUB_SUBSCRIBE, "", 0);
    } else {
        for (size_t i = 0; i < n_topics && rv == 0; i++)
            rv = nng_socket_set(sub->sock, NNG_OPT_SUB_SUBSCRIBE, topics[i], strlen(topics[i]));
    }
    if (rv != 0) {
        st = sh_error_set(err, SH_ERR_INVALID, "subscribe: %s", nng_strerror(rv));
        goto fail;
    }
    /* Non-blocking dial: the subscriber reconnects by itself when the daemon restarts. */
    if ((rv = nng_dial(sub->sock, url, NULL, NNG_FLAG_NONBLOCK)) != 0) {
        st = sh_error_set(err, SH_ERR_INVALID, "cannot subscribe to %s: %s", url, nng_strerror(rv));
        goto fail;
    }
    *out = sub;
    return SH_OK;
fail:
    sh_subscriber_destroy(sub);
    return st;
}

void sh_subscriber_destroy(sh_subscriber *sub)
{
    if (!sub)
        return;
    pthread_mutex_lock(&sub->lock);
    sub->closing = true;
    pthread_mutex_unlock(&sub->lock);
    if (sub->aio)
        nng_aio_stop(sub->aio);
    nng_close(sub->sock);
    if (sub->aio)
        nng_aio_free(sub->aio);
    pthread_mutex_destroy(&sub->lock);
    free(sub);
}

sh_status sh_subscriber_recv(sh_subscriber *sub, int timeout_ms, sh_event **event, sh_error *err)
{
    *event = NULL;
    nng_socket_set_ms(sub->sock, NNG_OPT_RECVTIMEO, timeout_ms < 0 ? NNG_DURATION_INFINITE : timeout_ms);
    for (;;) {
        nng_msg *msg = NULL;
        int rv = nng_recvmsg(sub->sock, &msg, 0);
        if (rv == NNG_ETIMEDOUT)
            return sh_error_set(err, SH_ERR_TIMEOUT, "no event");
        if (rv != 0)
            return sh_error_set(err, rv == NNG_ECLOSED ? SH_ERR_CANCELLED : SH_ERR_NETWORK,
                                "receive event: %s", nng_strerror(rv));
        sh_status st = sh_wire_decode_event(nng_msg_body(msg), nng_msg_len(msg), event, err);
        nng_msg_free(msg);
        if (st == SH_OK)
            return SH_OK;
        sh_warn(LOG, "ignoring malformed event: %s", sh_error_message(err));
    }
}

static void sub_cb(void *arg)
{
    sh_subscriber *sub = arg;
    if (nng_aio_result(sub->aio) != 0)
        return; /* closed or stopped */
    nng_msg *msg = nng_aio_get_msg(sub->aio);
    sh_event *ev = NULL;
    if (sh_wire_decode_event(nng_msg_body(msg), nng_msg_len(msg), &ev, NULL) == SH_OK)
        sub->fn(ev, sub->user_data);
    nng_msg_free(msg);
    pthread_mutex_lock(&sub->lock);
    if (!sub->closing)
        nng_recv_aio(sub->sock, sub->aio);
    pthread_mutex_unlock(&sub->lock);
}

sh_status sh_subscriber_start(sh_subscriber *sub, sh_event_fn fn, void *user_data, sh_error *err)
{
    if (sub->aio)
        return sh_error_set(err, SH_ERR_INVALID, "subscriber already started");
    int rv = nng_aio_alloc(&sub->aio, sub_cb, sub);
    if (rv != 0)
        return sh_error_set(err, SH_ERR_NOMEM, "nng_aio_alloc: %s", nng_strerror(rv));
    sub->fn = fn;
    sub->user_data = user_data;
    nng_recv_aio(sub->sock, sub->aio);
    return SH_OK;
}
