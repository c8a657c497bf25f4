#include "sh-pubsub.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>
#include <sodium.h>

#include "sh-log.h"
#include "sh-rpc-client.h"
#include "sh-rpc-server.h"
#include "sh-util.h"

#define LOG "events"

#define SEAL_MARK 0xA5u /* first byte after the topic; clear frames start with 0x08 (seq) */
#define SEAL_OVERHEAD (1 + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)

struct sh_publisher {
    nng_socket clear_sock;  /* ipc://, inproc:// */
    nng_socket sealed_sock; /* tcp://, tls+tcp:// */
    bool has_clear, has_sealed;
    unsigned char key[crypto_secretbox_KEYBYTES];
    char **urls;
    size_t n_urls;
    _Atomic uint64_t seq;
    _Atomic uint64_t sent;
};

static bool is_network_url(const char *url)
{
    return !sh_str_has_prefix(url, "ipc://") && !sh_str_has_prefix(url, "inproc://");
}

/* The event key: BLAKE2b of the token as master key, then a KDF subkey so
 * the same token never keys two different primitives. */
static sh_status derive_key(const char *token, unsigned char key[crypto_secretbox_KEYBYTES], sh_error *err)
{
    unsigned char master[crypto_kdf_KEYBYTES];
    if (sodium_init() < 0)
        return sh_error_set(err, SH_ERR_INTERNAL, "libsodium failed to initialise");
    crypto_generichash(master, sizeof master, (const unsigned char *)token, strlen(token), NULL, 0);
    int rv = crypto_kdf_derive_from_key(key, crypto_secretbox_KEYBYTES, 1, "SHevents", master);
    sodium_memzero(master, sizeof master);
    return rv == 0 ? SH_OK : sh_error_set(err, SH_ERR_INTERNAL, "event key derivation failed");
}

sh_status sh_pubsub_events_key_hex(const char *token, char out[SH_EVENTS_KEY_HEX_LEN + 1], sh_error *err)
{
    unsigned char key[crypto_secretbox_KEYBYTES];
    sh_status st = derive_key(token, key, err);
    if (st == SH_OK)
        sodium_bin2hex(out, SH_EVENTS_KEY_HEX_LEN + 1, key, sizeof key);
    sodium_memzero(key, sizeof key);
    return st;
}

static sh_status open_pub(nng_socket *sock, sh_error *err)
{
    int rv = nng_pub0_open(sock);
    if (rv != 0)
        return sh_error_set(err, SH_ERR_NETWORK, "nng_pub0_open: %s", nng_strerror(rv));
    /* Subscribers never send us anything; a tiny cap stops abuse. */
    nng_socket_set_size(*sock, NNG_OPT_RECVMAXSZ, 1024);
    return SH_OK;
}

static sh_status publish_on(sh_publisher *pub, const sh_publisher_options *o, const char *url, sh_error *err)
{
    bool sealed = is_network_url(url);
    sh_status st = SH_OK;
    if (sealed && !pub->has_sealed) {
        if (!o->token || sh_str_empty(o->token))
            return sh_error_set(err, SH_ERR_INVALID, "refusing to publish events on %s without a token to seal them", url);
        if ((st = derive_key(o->token, pub->key, err)) != SH_OK || (st = open_pub(&pub->sealed_sock, err)) != SH_OK)
            return st;
        pub->has_sealed = true;
    } else if (!sealed && !pub->has_clear) {
        if ((st = open_pub(&pub->clear_sock, err)) != SH_OK)
            return st;
        pub->has_clear = true;
    }
    nng_listener l;
    int rv = nng_listener_create(&l, sealed ? pub->sealed_sock : pub->clear_sock, url);
    if (rv != 0)
        return sh_error_set(err, SH_ERR_INVALID, "cannot publish on %s: %s", url, nng_strerror(rv));
    if (sh_str_has_prefix(url, "ipc://"))
        nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS, 0600);
    if ((st = sh_listener_configure_tls(l, url, o->tls_cert_key_file, o->tls_ca_file, err)) != SH_OK) {
        nng_listener_close(l);
        return st;
    }
    if ((rv = nng_listener_start(l, 0)) != 0) {
        nng_listener_close(l);
        return sh_error_set(err, SH_ERR_NETWORK, "cannot publish on %s: %s", url, nng_strerror(rv));
    }
    char resolved[512];
    if ((st = sh_listener_url(l, url, resolved, sizeof resolved, err)) != SH_OK)
        return st;
    if (!(pub->urls[pub->n_urls] = strdup(resolved)))
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    pub->n_urls++;
    sh_info(LOG, "publishing %s events on %s", sealed ? "sealed" : "clear", resolved);
    return SH_OK;
}

sh_status sh_publisher_create_opts(const sh_publisher_options *o, sh_publisher **out, sh_error *err)
{
    *out = NULL;
    sh_publisher *pub = calloc(1, sizeof *pub);
    if (!pub || !(pub->urls = calloc(o->n_urls ? o->n_urls : 1, sizeof *pub->urls))) {
        free(pub);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    sh_status st = SH_OK;
    for (size_t i = 0; i < o->n_urls && st == SH_OK; i++)
        st = publish_on(pub, o, o->urls[i], err);
    if (st != SH_OK) {
        sh_publisher_destroy(pub);
        return st;
    }
    *out = pub;
    return SH_OK;
}

sh_status sh_publisher_create(const char *const *urls, size_t n_urls, sh_publisher **out,
                              sh_error *err)
{
    sh_publisher_options o = {.urls = urls, .n_urls = n_urls};
    return sh_publisher_create_opts(&o, out, err);
}

void sh_publisher_destroy(sh_publisher *pub)
{
    if (!pub)
        return;
    if (pub->has_clear)
        nng_close(pub->clear_sock);
    if (pub->has_sealed)
        nng_close(pub->sealed_sock);
    sodium_memzero(pub->key, sizeof pub->key);
    for (size_t i = 0; i < pub->n_urls; i++)
        free(pub->urls[i]);
    free(pub->urls);
    free(pub);
}

static sh_status seal(const sh_publisher *pub, const nng_msg *clear, nng_msg **out, sh_error *err)
{
    const unsigned char *body = nng_msg_body((nng_msg *)clear);
    size_t len = nng_msg_len(clear);
    size_t tlen = strlen((const char *)body) + 1; /* pack_event put the NUL there */
    nng_msg *m = NULL;
    int rv = nng_msg_alloc(&m, tlen + SEAL_OVERHEAD + len);
    if (rv != 0)
        return sh_error_set(err, SH_ERR_NOMEM, "nng_msg_alloc: %s", nng_strerror(rv));
    unsigned char *p = nng_msg_body(m);
    memcpy(p, body, tlen);
    p[tlen] = SEAL_MARK;
    unsigned char *nonce = p + tlen + 1;
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, body, len, nonce, pub->key);
    *out = m;
    return SH_OK;
}

static sh_status send_on(nng_socket sock, nng_msg *msg, sh_error *err)
{
    int rv = nng_sendmsg(sock, msg, NNG_FLAG_NONBLOCK);
    if (rv != 0) {
        nng_msg_free(msg);
        return sh_error_set(err, SH_ERR_NETWORK, "publish: %s", nng_strerror(rv));
    }
    return SH_OK;
}

sh_status sh_publisher_publish(sh_publisher *pub, sh_event *event, sh_error *err)
{
    event->seq = atomic_fetch_add(&pub->seq, 1) + 1;
    event->time_ms = sh_now_ms();
    nng_msg *msg = NULL;
    sh_status st = sh_wire_pack_event(event, &msg, err);
    if (st != SH_OK)
        return st;
    if (pub->has_sealed) {
        nng_msg *sealed = NULL;
        if ((st = seal(pub, msg, &sealed, err)) == SH_OK)
            st = send_on(pub->sealed_sock, sealed, err);
    }
    if (pub->has_clear) {
        sh_status st2 = send_on(pub->clear_sock, msg, err);
        st = st == SH_OK ? st2 : st;
    } else {
        nng_msg_free(msg);
    }
    if (st == SH_OK)
        atomic_fetch_add(&pub->sent, 1);
    return st;
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

/* Why sub sockets are "parked" instead of closed:
 *
 * libnng 1.5.2 (Debian 12) deadlocks when a socket closes a pipe locally
 * while that pipe is between reading a frame's header and its body: the
 * transport's receive aio is stopped mid-callback, its next read is refused
 * silently, and the protocol's receive on that pipe never completes.  The
 * reaper thread then waits for it forever, and nng_close() with it (and any
 * later close in the process).  A subscriber closing while events arrive hits
 * exactly that window; it hung `stashhogctl --wait` about once in 25 runs.
 * (nng fixed the same bug in its tcp transport after 1.5.2; see nng #1636.)
 *
 * A pipe the *peer* closes is torn down by a read error instead, which is
 * safe.  So a subscriber is only nng_close()d while it has no established
 * pipe.  Otherwise its socket stops keeping what arrives (nng drops it)
 * and is parked on a list; parked sockets are
 * closed later, once the daemon has dropped their connection, or left to the
 * process exit.  The pipe count goes up at ADD_PRE, before the protocol
 * posts its first receive, and down at REM_POST. */
typedef struct sub_conn {
    nng_socket sock;
    _Atomic int pipes;
    struct sub_conn *next; /* on the parked list */
} sub_conn;

static pthread_mutex_t parked_lock = PTHREAD_MUTEX_INITIALIZER;
static sub_conn *parked;

static void on_sub_pipe(nng_pipe pipe, nng_pipe_ev ev, void *arg)
{
    (void)pipe;
    sub_conn *conn = arg;
    if (ev == NNG_PIPE_EV_ADD_PRE)
        atomic_fetch_add(&conn->pipes, 1);
    else if (ev == NNG_PIPE_EV_REM_POST)
        atomic_fetch_sub(&conn->pipes, 1);
}

/* Close the parked sockets whose connections the daemon has since dropped. */
static void sweep_parked(void)
{
    pthread_mutex_lock(&parked_lock);
    for (sub_conn **link = &parked; *link;) {
        sub_conn *conn = *link;
        if (atomic_load(&conn->pipes) > 0) {
            link = &conn->next;
            continue;
        }
        *link = conn->next;
        nng_close(conn->sock);
        free(conn);
    }
    pthread_mutex_unlock(&parked_lock);
}

static void sub_conn_release(sub_conn *conn)
{
    if (atomic_load(&conn->pipes) == 0) {
        nng_close(conn->sock);
        free(conn);
        return;
    }
    /* Drop what still arrives: no catch-all topic, and at most one queued
     * frame for any topic prefix the subscriber had asked for. */
    nng_socket_set(conn->sock, NNG_OPT_SUB_UNSUBSCRIBE, "", 0);
    nng_socket_set_int(conn->sock, NNG_OPT_RECVBUF, 1);
    pthread_mutex_lock(&parked_lock);
    conn->next = parked;
    parked = conn;
    pthread_mutex_unlock(&parked_lock);
}

size_t sh_subscriber_parked_count(void)
{
    sweep_parked();
    size_t n = 0;
    pthread_mutex_lock(&parked_lock);
    for (const sub_conn *conn = parked; conn; conn = conn->next)
        n++;
    pthread_mutex_unlock(&parked_lock);
    return n;
}

struct sh_subscriber {
    sub_conn *conn;
    nng_socket sock; /* conn->sock */
    nng_aio *aio;
    sh_event_fn fn;
    void *user_data;
    pthread_mutex_t lock;
    bool closing;
    bool has_key;
    bool require_sealed;
    unsigned char key[crypto_secretbox_KEYBYTES];
    _Atomic uint64_t rejected;
};

sh_status sh_subscriber_create_opts(const char *url, const sh_subscriber_options *o, sh_subscriber **out,
                                    sh_error *err)
{
    static const sh_subscriber_options defaults = {0};
    if (!o)
        o = &defaults;
    *out = NULL;
    if (sh_str_empty(url))
        return sh_error_set(err, SH_ERR_INVALID, "no event URL given");
    sh_subscriber *sub = calloc(1, sizeof *sub);
    if (!sub)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    pthread_mutex_init(&sub->lock, NULL);
    sh_status st = SH_OK;
    if (o->events_key && *o->events_key) {
        /* A key handed out by the daemon (StatusReply.events_key): user-token
         * clients never see the owner token the key derives from. */
        size_t bin_len = 0;
        if (strlen(o->events_key) != SH_EVENTS_KEY_HEX_LEN ||
            sodium_hex2bin(sub->key, sizeof sub->key, o->events_key, SH_EVENTS_KEY_HEX_LEN, NULL, &bin_len, NULL) != 0 ||
            bin_len != sizeof sub->key) {
            pthread_mutex_destroy(&sub->lock);
            free(sub);
            return sh_error_set(err, SH_ERR_INVALID, "malformed events key");
        }
        sub->has_key = true;
        sub->require_sealed = is_network_url(url);
    } else if (o->token && *o->token) {
        if ((st = derive_key(o->token, sub->key, err)) != SH_OK) {
            pthread_mutex_destroy(&sub->lock);
            free(sub);
            return st;
        }
        sub->has_key = true;
        /* With the key in hand, a clear frame on a network URL is a forgery. */
        sub->require_sealed = is_network_url(url);
    }
    sweep_parked();
    sub->conn = calloc(1, sizeof *sub->conn);
    int rv = sub->conn ? nng_sub0_open(&sub->conn->sock) : NNG_ENOMEM;
    if (rv != 0) {
        free(sub->conn);
        pthread_mutex_destroy(&sub->lock);
        free(sub);
        return sh_error_set(err, SH_ERR_NETWORK, "nng_sub0_open: %s", nng_strerror(rv));
    }
    sub->sock = sub->conn->sock;
    nng_pipe_notify(sub->sock, NNG_PIPE_EV_ADD_PRE, on_sub_pipe, sub->conn);
    nng_pipe_notify(sub->sock, NNG_PIPE_EV_REM_POST, on_sub_pipe, sub->conn);
    nng_socket_set_size(sub->sock, NNG_OPT_RECVMAXSZ, SH_WIRE_MAX_EVENT + SH_WIRE_MAX_TOPIC + 1 + SEAL_OVERHEAD);
    nng_socket_set_ms(sub->sock, NNG_OPT_RECONNMINT, 100);
    nng_socket_set_ms(sub->sock, NNG_OPT_RECONNMAXT, 2000);
    if (o->n_topics == 0) {
        rv = nng_socket_set(sub->sock, NNG_OPT_SUB_SUBSCRIBE, "", 0);
    } else {
        for (size_t i = 0; i < o->n_topics && rv == 0; i++)
            rv = nng_socket_set(sub->sock, NNG_OPT_SUB_SUBSCRIBE, o->topics[i], strlen(o->topics[i]));
    }
    if (rv != 0) {
        st = sh_error_set(err, SH_ERR_INVALID, "subscribe: %s", nng_strerror(rv));
        goto fail;
    }
    nng_dialer d;
    if ((rv = nng_dialer_create(&d, sub->sock, url)) != 0) {
        st = sh_error_set(err, SH_ERR_INVALID, "cannot subscribe to %s: %s", url, nng_strerror(rv));
        goto fail;
    }
    if (sh_str_has_prefix(url, "tls+") &&
        (st = sh_dialer_configure_tls(d, o->tls_ca_file, o->tls_cert_key_file, o->tls_server_name, err)) != SH_OK)
        goto fail;
    /* Non-blocking dial: the subscriber reconnects by itself when the daemon restarts. */
    if ((rv = nng_dialer_start(d, NNG_FLAG_NONBLOCK)) != 0) {
        st = sh_error_set(err, SH_ERR_INVALID, "cannot subscribe to %s: %s", url, nng_strerror(rv));
        goto fail;
    }
    *out = sub;
    return SH_OK;
fail:
    sh_subscriber_destroy(sub);
    return st;
}

sh_status sh_subscriber_create(const char *url, const char *const *topics, size_t n_topics,
                               sh_subscriber **out, sh_error *err)
{
    sh_subscriber_options o = {.topics = topics, .n_topics = n_topics};
    return sh_subscriber_create_opts(url, &o, out, err);
}

uint64_t sh_subscriber_rejected(const sh_subscriber *sub)
{
    return atomic_load(&sub->rejected);
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
    sub_conn_release(sub->conn);
    if (sub->aio)
        nng_aio_free(sub->aio);
    sodium_memzero(sub->key, sizeof sub->key);
    pthread_mutex_destroy(&sub->lock);
    free(sub);
}

/* Decode one frame, opening it first when sealed. */
static sh_status decode_frame(sh_subscriber *sub, const unsigned char *p, size_t len, sh_event **ev, sh_error *err)
{
    size_t scan = len < SH_WIRE_MAX_TOPIC + 1 ? len : SH_WIRE_MAX_TOPIC + 1;
    const unsigned char *nul = memchr(p, '\0', scan);
    if (!nul)
        return sh_error_set(err, SH_ERR_PROTOCOL, "event without topic separator");
    size_t tlen = (size_t)(nul - p) + 1;
    bool sealed = len > tlen && p[tlen] == SEAL_MARK;
    if (!sealed) {
        if (sub->require_sealed) {
            atomic_fetch_add(&sub->rejected, 1);
            return sh_error_set(err, SH_ERR_PROTOCOL, "clear event on a sealed stream");
        }
        return sh_wire_decode_event(p, len, ev, err);
    }
    if (!sub->has_key || len < tlen + SEAL_OVERHEAD) {
        atomic_fetch_add(&sub->rejected, 1);
        return sh_error_set(err, SH_ERR_UNAUTHENTICATED, "sealed event: the daemon's token is needed");
    }
    size_t clen = len - tlen - 1 - crypto_secretbox_NONCEBYTES;
    size_t plen = clen - crypto_secretbox_MACBYTES;
    unsigned char *plain = malloc(plen ? plen : 1);
    if (!plain)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    const unsigned char *nonce = p + tlen + 1;
    sh_status st = SH_OK;
    if (crypto_secretbox_open_easy(plain, nonce + crypto_secretbox_NONCEBYTES, clen, nonce, sub->key) != 0) {
        atomic_fetch_add(&sub->rejected, 1);
        st = sh_error_set(err, SH_ERR_UNAUTHENTICATED, "sealed event does not open with our token");
    } else if (plen < tlen || memcmp(plain, p, tlen) != 0) {
        atomic_fetch_add(&sub->rejected, 1);
        st = sh_error_set(err, SH_ERR_PROTOCOL, "sealed event topic does not match");
    } else {
        st = sh_wire_decode_event(plain, plen, ev, err);
    }
    sodium_memzero(plain, plen);
    free(plain);
    return st;
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
        sh_status st = decode_frame(sub, nng_msg_body(msg), nng_msg_len(msg), event, err);
        nng_msg_free(msg);
        if (st == SH_OK)
            return SH_OK;
        /* Debug only: a stranger's stream would otherwise flood the log. */
        sh_debug(LOG, "ignoring event: %s", sh_error_message(err));
    }
}

static void sub_cb(void *arg)
{
    sh_subscriber *sub = arg;
    if (nng_aio_result(sub->aio) != 0)
        return; /* closed or stopped */
    nng_msg *msg = nng_aio_get_msg(sub->aio);
    sh_event *ev = NULL;
    if (decode_frame(sub, nng_msg_body(msg), nng_msg_len(msg), &ev, NULL) == SH_OK)
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
