#include "sh-rpc-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include "sh-log.h"

#define LOG "rpc"

struct worker {
    sh_rpc_server *srv;
    int index;
    pthread_t thread;
    bool started;
    nng_ctx ctx;
    nng_aio *recv_aio;
    nng_aio *send_aio;
    void *data;
};

/* One bound URL.  `id` and `added` are read by the pipe callback on nng
 * threads; `l` is replaced only by the guard thread. */
struct listener_slot {
    nng_listener l;
    _Atomic int id;
    char *url;              /* resolved (tcp port 0 -> real port): re-listening keeps it */
    uint64_t other_seen;    /* the listener's "other" error counter at the last look */
    bool probe_due;         /* the counter moved since the last probe */
    int64_t last_probe_ms;
    _Atomic uint64_t added; /* pipes this listener handed to the socket */
};

struct sh_rpc_server {
    sh_rpc_server_config cfg;
    nng_socket sock;
    struct listener_slot *slots;
    size_t n_slots;
    char **urls; /* slots[i].url, for sh_rpc_server_urls */
    struct worker *workers;
    int n_workers;
    pthread_mutex_t lock; /* orders "stopping" against starting a receive; guard wakeups */
    pthread_cond_t guard_wake;
    pthread_t guard;
    bool guard_started;
    bool stopping;
    bool stopped;
    _Atomic int pipes;
    int n_kept; /* dead ipc listeners kept open (guard thread only until stop) */
    struct sh_rpc_server *next_left; /* on left_to_exit */
};

/* Servers whose socket is left to process exit (see destroy); listed so
 * they stay reachable, which is what they are. */
static pthread_mutex_t left_lock = PTHREAD_MUTEX_INITIALIZER;
static sh_rpc_server *left_to_exit;

sh_status sh_listener_url(nng_listener l, const char *configured, char *out, size_t out_len,
                          sh_error *err)
{
    nng_sockaddr sa;
    if (!sh_str_has_prefix(configured, "tcp") && !sh_str_has_prefix(configured, "tls+tcp")) {
        sh_strlcpy(out, configured, out_len);
        return SH_OK;
    }
    int rv = nng_listener_get_addr(l, NNG_OPT_LOCADDR, &sa);
    if (rv != 0)
        return sh_error_set(err, SH_ERR_NETWORK, "cannot read address of %s: %s", configured,
                            nng_strerror(rv));
    const char *scheme = sh_str_has_prefix(configured, "tls+tcp") ? "tls+tcp" : "tcp";
    char host[INET6_ADDRSTRLEN] = "";
    if (sa.s_family == NNG_AF_INET) {
        inet_ntop(AF_INET, &sa.s_in.sa_addr, host, sizeof host);
        snprintf(out, out_len, "%s://%s:%u", scheme, host, ntohs(sa.s_in.sa_port));
    } else if (sa.s_family == NNG_AF_INET6) {
        inet_ntop(AF_INET6, sa.s_in6.sa_addr, host, sizeof host);
        snprintf(out, out_len, "%s://[%s]:%u", scheme, host, ntohs(sa.s_in6.sa_port));
    } else {
        sh_strlcpy(out, configured, out_len);
    }
    return SH_OK;
}

sh_status sh_listener_configure_tls(nng_listener l, const char *url, const char *cert_key_file,
                                    const char *ca_file, sh_error *err)
{
    if (!sh_str_has_prefix(url, "tls+"))
        return SH_OK;
    if (sh_str_empty(cert_key_file))
        return sh_error_set(err, SH_ERR_INVALID, "%s needs a certificate: set tls_cert_key_file", url);
    /* Our own config, handed to the listener (which holds it) and released here. */
    nng_tls_config *cfg = NULL;
    sh_status st = SH_OK;
    int rv = nng_tls_config_alloc(&cfg, NNG_TLS_MODE_SERVER);
    if (rv != 0)
        return sh_error_set(err, SH_ERR_UNSUPPORTED, "TLS is not available for %s: %s", url, nng_strerror(rv));
    bool verify_clients = !sh_str_empty(ca_file);
    if ((rv = nng_tls_config_cert_key_file(cfg, cert_key_file, NULL)) != 0)
        st = sh_error_set(err, SH_ERR_INVALID, "TLS certificate %s: %s", cert_key_file, nng_strerror(rv));
    else if (verify_clients && (rv = nng_tls_config_ca_file(cfg, ca_file)) != 0)
        st = sh_error_set(err, SH_ERR_INVALID, "TLS CA file %s: %s", ca_file, nng_strerror(rv));
    else if ((rv = nng_tls_config_auth_mode(cfg, verify_clients ? NNG_TLS_AUTH_MODE_REQUIRED
                                                                 : NNG_TLS_AUTH_MODE_NONE)) != 0 ||
             (rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, cfg)) != 0)
        st = sh_error_set(err, SH_ERR_UNSUPPORTED, "TLS setup for %s: %s", url, nng_strerror(rv));
    nng_tls_config_free(cfg);
    return st;
}

static void describe_peer(nng_msg *msg, sh_rpc_call *call)
{
    nng_pipe p = nng_msg_get_pipe(msg);
    nng_sockaddr sa;
    call->transport = SH_RPC_TRANSPORT_OTHER;
    sh_strlcpy(call->peer, "unknown", sizeof call->peer);
    if (nng_pipe_id(p) < 0 || nng_pipe_get_addr(p, NNG_OPT_REMADDR, &sa) != 0)
        return;
    char host[INET6_ADDRSTRLEN] = "";
    switch (sa.s_family) {
    case NNG_AF_INPROC:
        call->transport = SH_RPC_TRANSPORT_INPROC;
        sh_strlcpy(call->peer, "inproc", sizeof call->peer);
        break;
    case NNG_AF_IPC:
        call->transport = SH_RPC_TRANSPORT_IPC;
        sh_strlcpy(call->peer, "ipc", sizeof call->peer);
        break;
    case NNG_AF_INET:
        call->transport = SH_RPC_TRANSPORT_TCP;
        inet_ntop(AF_INET, &sa.s_in.sa_addr, host, sizeof host);
        snprintf(call->peer, sizeof call->peer, "%s:%u", host, ntohs(sa.s_in.sa_port));
        break;
    case NNG_AF_INET6:
        call->transport = SH_RPC_TRANSPORT_TCP;
        inet_ntop(AF_INET6, sa.s_in6.sa_addr, host, sizeof host);
        snprintf(call->peer, sizeof call->peer, "[%s]:%u", host, ntohs(sa.s_in6.sa_port));
        break;
    default:
        break;
    }
}

/* Build the reply for one received message.  Never fails to produce a reply
 * unless memory runs out: malformed input gets a PROTOCOL error reply. */
static nng_msg *handle_message(struct worker *w, nng_msg *msg)
{
    sh_rpc_server *srv = w->srv;
    sh_error err = {0};
    sh_status st = SH_OK;
    sh_request *req = NULL;
    sh_reply reply = STASHHOG__REPLY__INIT;
    sh_rpc_call call = {.reply = &reply, .worker = w->data, .worker_index = w->index};
    nng_msg *out = NULL;

    call.arena = sh_arena_create();
    if (!call.arena)
        return NULL;
    describe_peer(msg, &call);

    st = sh_wire_decode_request(nng_msg_body(msg), nng_msg_len(msg), &req, &err);
    if (st != SH_OK) {
        sh_warn(LOG, "dropping bad request from %s: %s", call.peer, sh_error_message(&err));
        goto reply;
    }
    reply.request_id = req->request_id;
    call.request = req;
    if (req->protocol_version != SH_PROTOCOL_VERSION) {
        st = sh_error_set(&err, SH_ERR_UNSUPPORTED, "protocol version %u is not supported (want %d)",
                          req->protocol_version, SH_PROTOCOL_VERSION);
        goto reply;
    }
    if (req->body_case == STASHHOG__REQUEST__BODY__NOT_SET) {
        st = sh_error_set(&err, SH_ERR_INVALID, "request has no body");
        goto reply;
    }
    if (srv->cfg.auth && (st = srv->cfg.auth(&call, srv->cfg.user, &err)) != SH_OK)
        goto reply;
    st = srv->cfg.handler(&call, srv->cfg.user, &err);

reply:
    reply.status = sh_status_to_wire(st);
    if (st != SH_OK) {
        reply.body_case = STASHHOG__REPLY__BODY__NOT_SET;
        reply.error_message = (char *)sh_error_message(&err);
    }
    if (sh_wire_pack(&reply.base, SH_WIRE_MAX_REPLY, &out, &err) != SH_OK) {
        /* The handler built something we cannot send: say so instead. */
        sh_error(LOG, "cannot pack reply: %s", sh_error_message(&err));
        sh_reply small = STASHHOG__REPLY__INIT;
        small.request_id = reply.request_id;
        small.status = sh_status_to_wire(err.code);
        small.error_message = err.message;
        if (sh_wire_pack(&small.base, SH_WIRE_MAX_REPLY, &out, NULL) != SH_OK)
            out = NULL;
    }
    sh_wire_request_free(req);
    sh_arena_destroy(call.arena);
    return out;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    sh_rpc_server *srv = w->srv;
    char name[16];
    snprintf(name, sizeof name, "rpc-%d", w->index);
    pthread_setname_np(pthread_self(), name);

    for (;;) {
        pthread_mutex_lock(&srv->lock);
        bool stop = srv->stopping;
        if (!stop)
            nng_ctx_recv(w->ctx, w->recv_aio);
        pthread_mutex_unlock(&srv->lock);
        if (stop)
            break;
        nng_aio_wait(w->recv_aio);
        int rv = nng_aio_result(w->recv_aio);
        if (rv == NNG_ECLOSED)
            break;
        if (rv != 0) {
            /* Only our own stop ends a worker: a receive aborted because a
             * peer's pipe went away (e.g. an oversized frame) must not. */
            pthread_mutex_lock(&srv->lock);
            bool stop_now = srv->stopping;
            pthread_mutex_unlock(&srv->lock);
            if (stop_now)
                break;
            sh_debug(LOG, "worker %d: receive ended early: %s", w->index, nng_strerror(rv));
            continue;
        }
        nng_msg *msg = nng_aio_get_msg(w->recv_aio);
        nng_msg *reply = handle_message(w, msg);
        nng_msg_free(msg);
        if (!reply)
            continue;
        nng_aio_set_msg(w->send_aio, reply);
        nng_ctx_send(w->ctx, w->send_aio);
        nng_aio_wait(w->send_aio);
        if ((rv = nng_aio_result(w->send_aio)) != 0) {
            nng_msg_free(nng_aio_get_msg(w->send_aio));
            sh_debug(LOG, "reply not delivered: %s", nng_strerror(rv));
        }
    }
    return NULL;
}

/* Create and start a listener on `url`; *resolved gets the bound URL. */
static sh_status open_listener(sh_rpc_server *srv, const char *url, nng_listener *out, char *resolved,
                               size_t resolved_len, sh_error *err)
{
    nng_listener l = NNG_LISTENER_INITIALIZER;
    int rv = nng_listener_create(&l, srv->sock, url);
    if (rv != 0)
        return sh_error_set(err, SH_ERR_INVALID, "cannot listen on %s: %s", url, nng_strerror(rv));
    if (sh_str_has_prefix(url, "ipc://")) {
        int mode = srv->cfg.ipc_permissions ? srv->cfg.ipc_permissions : 0600;
        nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS, mode);
    }
    nng_listener_set_size(l, NNG_OPT_RECVMAXSZ, SH_WIRE_MAX_REQUEST);
    sh_status st = sh_listener_configure_tls(l, url, srv->cfg.tls_cert_key_file, srv->cfg.tls_ca_file, err);
    if (st != SH_OK)
        goto fail;
    if ((rv = nng_listener_start(l, 0)) != 0) {
        st = sh_error_set(err, SH_ERR_NETWORK, "cannot listen on %s: %s", url, nng_strerror(rv));
        goto fail;
    }
    if ((st = sh_listener_url(l, url, resolved, resolved_len, err)) != SH_OK)
        goto fail;
    *out = l;
    return SH_OK;
fail:
    nng_listener_close(l);
    return st;
}

static sh_status start_listener(sh_rpc_server *srv, const char *url, sh_error *err)
{
    char resolved[512];
    nng_listener l = NNG_LISTENER_INITIALIZER;
    sh_status st = open_listener(srv, url, &l, resolved, sizeof resolved, err);
    if (st != SH_OK)
        return st;
    char *copy = strdup(resolved);
    if (!copy) {
        nng_listener_close(l);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    struct listener_slot *slot = &srv->slots[srv->n_slots++];
    slot->l = l;
    slot->url = copy;
    atomic_store(&slot->id, nng_listener_id(l));
    srv->urls[srv->n_slots - 1] = copy;
    sh_info(LOG, "listening on %s", resolved);
    return SH_OK;
}

static void on_pipe(nng_pipe pipe, nng_pipe_ev ev, void *arg)
{
    sh_rpc_server *srv = arg;
    /* REM_POST comes for every pipe that had ADD_PRE; ADD_POST may not. */
    if (ev == NNG_PIPE_EV_ADD_PRE) {
        atomic_fetch_add(&srv->pipes, 1);
        return;
    }
    if (ev == NNG_PIPE_EV_REM_POST) {
        atomic_fetch_sub(&srv->pipes, 1);
        return;
    }
    int lid = nng_listener_id(nng_pipe_listener(pipe));
    /* cfg.n_urls, not n_slots: slots fill while pipes may already arrive;
     * an unused slot's id 0 matches no listener. */
    for (size_t i = 0; i < srv->cfg.n_urls; i++)
        if (atomic_load(&srv->slots[i].id) == lid)
            atomic_fetch_add(&srv->slots[i].added, 1);
}

/* ------------------------------------------------------------ listener guard
 *
 * Why a guard re-opens listeners:
 *
 * libnng 1.5.2 stops accepting for good when one connection fails its SP
 * handshake with NNG_ECLOSED.  The server writes its 8-byte header first; a
 * client that has already closed the connection (a CLI killed or timing out,
 * a req socket closed while its dialer was reconnecting) makes that write
 * fail with EPIPE, which nng maps to ECLOSED; the transport hands the error
 * to the listener's pending accept, and the core listener treats ECLOSED as
 * "I was closed" and never posts another accept.  The transport keeps
 * completing handshakes, so new clients connect and send, and their
 * requests are never read: the daemon "stops answering".  A few hundred
 * connect-and-close cycles on the ipc socket do it reliably
 * (rpc-stall-test.c); foundation.sh's oversized frames did it by chance.
 *
 * Every such failure bumps the listener's "other" error statistic (as do
 * resource errors, after which nng retries by itself, and pipe errors).  So
 * the guard looks at that counter; when it moved, it dials the listener
 * once: if that pipe does not reach the socket, the listener is replaced.
 * tls+tcp:// listeners are not guarded: a probe would need client
 * credentials, and re-opening on every failed TLS handshake (a wrong client
 * certificate is one) would leak nng memory each time.  nng 1.5.2
 * never frees a closed listener's endpoint and the connections that waited
 * on it, so a dead ipc listener is replaced without closing it (see
 * replace_ipc_listener); a tcp one must be closed and leaks a few KB. */
#define GUARD_PERIOD_MS 100
#define PROBE_WAIT_MS 2000
#define PROBE_GAP_MS 200

/* By hand: 1.5.2's nng_stat_find_listener() matches the first listener of
 * any socket (the scope's id is never set), so compare the "id" child. */
static uint64_t listener_other_errors(nng_stat *all, nng_listener l)
{
    int want = nng_listener_id(l);
    for (nng_stat *c = all ? nng_stat_child(all) : NULL; c; c = nng_stat_next(c)) {
        if (nng_stat_type(c) != NNG_STAT_SCOPE || strcmp(nng_stat_name(c), "listener") != 0)
            continue;
        nng_stat *id = nng_stat_find(c, "id");
        if (!id || nng_stat_value(id) != (uint64_t)want)
            continue;
        nng_stat *other = nng_stat_find(c, "other");
        return other ? nng_stat_value(other) : 0;
    }
    return 0;
}

/* Does a fresh connection through this listener reach the socket? */
static bool listener_accepts(sh_rpc_server *srv, struct listener_slot *slot)
{
    nng_socket probe;
    if (nng_req0_open(&probe) != 0)
        return true; /* cannot tell; do not disturb the listener */
    uint64_t before = atomic_load(&slot->added);
    bool ok = false;
    /* Never redial: a redial cut short by our close would be exactly the
     * handshake hang-up that kills listeners.  (nng waits a random time
     * below the minimum, hence the large value.) */
    nng_socket_set_ms(probe, NNG_OPT_RECONNMINT, 600000);
    nng_socket_set_ms(probe, NNG_OPT_RECONNMAXT, 600000);
    /* A blocking dial returns once both handshake headers are exchanged, so
     * the probe's own close cannot hit the handshake failure above.  It
     * never sends, so closing it meets no frame in flight. */
    if (nng_dial(probe, slot->url, NULL, 0) == 0) {
        int64_t deadline = sh_monotonic_ms() + PROBE_WAIT_MS;
        while (!(ok = atomic_load(&slot->added) != before) && sh_monotonic_ms() < deadline) {
            pthread_mutex_lock(&srv->lock);
            bool stop = srv->stopping;
            pthread_mutex_unlock(&srv->lock);
            if (stop) {
                ok = true;
                break;
            }
            sh_sleep_ms(10);
        }
    }
    sh_debug(LOG, "probed %s: %s", slot->url, ok ? "accepting" : "no pipe reached the socket");
    /* Bounded: if the reaper is already wedged (see destroy), any close
     * waits forever, and the guard must not. */
    sh_nng_close_bounded(probe, 1000);
    return ok;
}

/* ipc: bind a fresh listener beside the dead one and rename its socket over
 * the published path.  The dead listener stays open: the clients it
 * accepted before it died keep their connections, and nng (which never
 * frees a closed listener's waiting connections) has nothing to leak. */
static bool replace_ipc_listener(sh_rpc_server *srv, struct listener_slot *slot)
{
    const char *path = slot->url + strlen("ipc://");
    char *tmp_url = sh_strdup_printf("%s.%d", slot->url, ++srv->n_kept);
    char resolved[512];
    sh_error err = {0};
    nng_listener l = NNG_LISTENER_INITIALIZER;
    bool ok = false;
    if (!tmp_url)
        return false;
    if (open_listener(srv, tmp_url, &l, resolved, sizeof resolved, &err) != SH_OK) {
        sh_warn(LOG, "re-opening %s: %s", slot->url, sh_error_message(&err));
    } else if (rename(tmp_url + strlen("ipc://"), path) != 0) {
        sh_warn(LOG, "re-opening %s: rename: %s", slot->url, strerror(errno));
        nng_listener_close(l);
    } else {
        slot->l = l;
        atomic_store(&slot->id, nng_listener_id(l));
        slot->other_seen = 0;
        slot->probe_due = false;
        ok = true;
    }
    if (!ok)
        srv->n_kept--;
    free(tmp_url);
    return ok;
}

static void reopen_listener(sh_rpc_server *srv, struct listener_slot *slot)
{
    sh_warn(LOG, "listener %s stopped accepting connections (libnng 1.5.2 handshake bug); re-opening it",
            slot->url);
    if (sh_str_has_prefix(slot->url, "ipc://") && replace_ipc_listener(srv, slot))
        return;
    /* A tcp port cannot be bound twice: close and bind again.  Closing
     * also drops the pipes the old listener accepted (their clients
     * reconnect), and nng leaks the connections that waited on it. */
    nng_listener_close(slot->l);
    atomic_store(&slot->id, -1);
    slot->other_seen = 0;
    slot->probe_due = false;
    for (int attempt = 0; attempt < 20; attempt++) {
        sh_error err = {0};
        char resolved[512];
        nng_listener l = NNG_LISTENER_INITIALIZER;
        if (open_listener(srv, slot->url, &l, resolved, sizeof resolved, &err) == SH_OK) {
            slot->l = l;
            atomic_store(&slot->id, nng_listener_id(l));
            return;
        }
        sh_warn(LOG, "re-opening %s: %s", slot->url, sh_error_message(&err));
        sh_sleep_ms(100);
    }
    sh_error(LOG, "listener %s is gone; restart stashhogd", slot->url);
}

static void guard_check(sh_rpc_server *srv)
{
    nng_stat *all = NULL;
    if (nng_stats_get(&all) != 0)
        return;
    int64_t now = sh_monotonic_ms();
    for (size_t i = 0; i < srv->n_slots; i++) {
        struct listener_slot *slot = &srv->slots[i];
        if (atomic_load(&slot->id) < 0 || sh_str_has_prefix(slot->url, "tls+"))
            continue;
        /* "other" also counts ordinary pipe errors (a client hanging up,
         * an oversized frame), so under traffic it moves often: probe at
         * most every PROBE_GAP_MS, but never skip a change. */
        uint64_t other = listener_other_errors(all, slot->l);
        if (other != slot->other_seen) {
            slot->other_seen = other;
            slot->probe_due = true;
        }
        if (!slot->probe_due || now - slot->last_probe_ms < PROBE_GAP_MS)
            continue;
        slot->probe_due = false;
        slot->last_probe_ms = now;
        if (!listener_accepts(srv, slot))
            reopen_listener(srv, slot);
    }
    nng_stats_free(all);
}

static void *guard_main(void *arg)
{
    sh_rpc_server *srv = arg;
    pthread_setname_np(pthread_self(), "rpc-guard");
    pthread_mutex_lock(&srv->lock);
    while (!srv->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += GUARD_PERIOD_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&srv->guard_wake, &srv->lock, &ts);
        if (srv->stopping)
            break;
        pthread_mutex_unlock(&srv->lock);
        guard_check(srv);
        pthread_mutex_lock(&srv->lock);
    }
    pthread_mutex_unlock(&srv->lock);
    return NULL;
}

/* ---------------------------------------------------------------- lifetime */

sh_status sh_rpc_server_create(const sh_rpc_server_config *cfg, sh_rpc_server **out, sh_error *err)
{
    *out = NULL;
    if (!cfg->handler || cfg->n_urls == 0)
        return sh_error_set(err, SH_ERR_INVALID, "rpc server needs a handler and a URL");
    sh_rpc_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    srv->cfg = *cfg;
    srv->n_workers = cfg->n_workers > 0 ? cfg->n_workers : 4;
    pthread_mutex_init(&srv->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->guard_wake, &ca);
    pthread_condattr_destroy(&ca);
    sh_status st = SH_OK;
    int rv = nng_rep0_open(&srv->sock);
    if (rv != 0) {
        pthread_cond_destroy(&srv->guard_wake);
        pthread_mutex_destroy(&srv->lock);
        free(srv);
        return sh_error_set(err, SH_ERR_NETWORK, "nng_rep0_open: %s", nng_strerror(rv));
    }
    nng_socket_set_size(srv->sock, NNG_OPT_RECVMAXSZ, SH_WIRE_MAX_REQUEST);
    srv->slots = calloc(cfg->n_urls, sizeof *srv->slots);
    srv->urls = calloc(cfg->n_urls, sizeof *srv->urls);
    srv->workers = calloc((size_t)srv->n_workers, sizeof *srv->workers);
    if (!srv->slots || !srv->urls || !srv->workers) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto fail;
    }
    /* Before any listener: every pipe is counted (drain at destroy, guard). */
    nng_pipe_notify(srv->sock, NNG_PIPE_EV_ADD_PRE, on_pipe, srv);
    nng_pipe_notify(srv->sock, NNG_PIPE_EV_ADD_POST, on_pipe, srv);
    nng_pipe_notify(srv->sock, NNG_PIPE_EV_REM_POST, on_pipe, srv);
    for (size_t i = 0; i < cfg->n_urls; i++)
        if ((st = start_listener(srv, cfg->urls[i], err)) != SH_OK)
            goto fail;
    for (int i = 0; i < srv->n_workers; i++) {
        struct worker *w = &srv->workers[i];
        w->srv = srv;
        w->index = i;
        if ((rv = nng_ctx_open(&w->ctx, srv->sock)) != 0 ||
            (rv = nng_aio_alloc(&w->recv_aio, NULL, NULL)) != 0 ||
            (rv = nng_aio_alloc(&w->send_aio, NULL, NULL)) != 0) {
            st = sh_error_set(err, SH_ERR_NETWORK, "rpc worker setup: %s", nng_strerror(rv));
            goto fail;
        }
        /* A reply a peer never collects must not pin the worker forever. */
        nng_aio_set_timeout(w->send_aio, 5000);
        if (cfg->worker_init && !(w->data = cfg->worker_init(cfg->user, i))) {
            st = sh_error_set(err, SH_ERR_INTERNAL, "rpc worker %d failed to initialise", i);
            goto fail;
        }
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            st = sh_error_set(err, SH_ERR_INTERNAL, "cannot start rpc worker thread");
            goto fail;
        }
        w->started = true;
    }
    if (pthread_create(&srv->guard, NULL, guard_main, srv) != 0) {
        st = sh_error_set(err, SH_ERR_INTERNAL, "cannot start rpc listener guard");
        goto fail;
    }
    srv->guard_started = true;
    *out = srv;
    return SH_OK;
fail:
    sh_rpc_server_destroy(srv);
    return st;
}

void sh_rpc_server_stop(sh_rpc_server *srv)
{
    if (!srv || srv->stopped)
        return;
    /* Listeners stay open until the workers are joined: closing a listener
     * closes its pipes, and busy workers still owe their peers a reply. */
    pthread_mutex_lock(&srv->lock);
    srv->stopping = true;
    pthread_cond_broadcast(&srv->guard_wake);
    for (int i = 0; i < srv->n_workers; i++)
        if (srv->workers[i].recv_aio)
            nng_aio_cancel(srv->workers[i].recv_aio);
    pthread_mutex_unlock(&srv->lock);
    if (srv->guard_started)
        pthread_join(srv->guard, NULL);
    for (int i = 0; i < srv->n_workers; i++)
        if (srv->workers[i].started)
            pthread_join(srv->workers[i].thread, NULL);
    srv->stopped = true;
}

/* ------------------------------------------------------------ bounded close */

struct bounded {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    void (*fn)(void *);
    void *arg;
    bool done;
    bool abandoned;
};

static void *bounded_main(void *p)
{
    struct bounded *b = p;
    b->fn(b->arg);
    pthread_mutex_lock(&b->lock);
    b->done = true;
    bool abandoned = b->abandoned;
    pthread_cond_signal(&b->cond);
    pthread_mutex_unlock(&b->lock);
    if (abandoned) {
        pthread_cond_destroy(&b->cond);
        pthread_mutex_destroy(&b->lock);
        free(b);
    }
    return NULL;
}

bool sh_run_bounded(void (*fn)(void *), void *arg, int timeout_ms)
{
    struct bounded *b = calloc(1, sizeof *b);
    pthread_t t;
    pthread_condattr_t ca;
    if (!b) {
        fn(arg);
        return true;
    }
    b->fn = fn;
    b->arg = arg;
    pthread_mutex_init(&b->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&b->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&t, NULL, bounded_main, b) != 0) {
        pthread_cond_destroy(&b->cond);
        pthread_mutex_destroy(&b->lock);
        free(b);
        fn(arg);
        return true;
    }
    pthread_detach(t);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&b->lock);
    while (!b->done && pthread_cond_timedwait(&b->cond, &b->lock, &ts) == 0)
        ;
    bool done = b->done;
    b->abandoned = !done;
    pthread_mutex_unlock(&b->lock);
    if (done) {
        pthread_cond_destroy(&b->cond);
        pthread_mutex_destroy(&b->lock);
        free(b);
    }
    return done;
}

static void close_socket(void *arg)
{
    nng_close(*(nng_socket *)arg);
    free(arg);
}

bool sh_nng_close_bounded(nng_socket sock, int timeout_ms)
{
    nng_socket *copy = malloc(sizeof *copy);
    if (!copy) {
        nng_close(sock);
        return true;
    }
    *copy = sock;
    return sh_run_bounded(close_socket, copy, timeout_ms);
}

void sh_rpc_server_destroy(sh_rpc_server *srv)
{
    if (!srv)
        return;
    sh_rpc_server_stop(srv);
    for (int i = 0; srv->workers && i < srv->n_workers; i++) {
        struct worker *w = &srv->workers[i];
        if (w->data && srv->cfg.worker_fini)
            srv->cfg.worker_fini(w->data, srv->cfg.user);
        if (w->recv_aio)
            nng_aio_free(w->recv_aio);
        if (w->send_aio)
            nng_aio_free(w->send_aio);
    }
    /* Peers first: a reply counts as sent once it is queued on the pipe, so
     * closing now could cut one mid-write, the window where libnng 1.5.2's
     * close deadlocks (see sh-pubsub.c "parked").  Clients hang up once they
     * have their reply, so give them a moment. */
    int64_t deadline = sh_monotonic_ms() + 1000;
    while (atomic_load(&srv->pipes) > 0 && sh_monotonic_ms() < deadline)
        sh_sleep_ms(10);
    /* A kept dead listener (replace_ipc_listener) would be leaked by the
     * close and would unlink the live socket path: leave the socket, and
     * the server its pipe callbacks point to, to process exit. */
    if (srv->n_kept > 0) {
        nng_pipe_notify(srv->sock, NNG_PIPE_EV_ADD_PRE, NULL, NULL);
        nng_pipe_notify(srv->sock, NNG_PIPE_EV_ADD_POST, NULL, NULL);
        nng_pipe_notify(srv->sock, NNG_PIPE_EV_REM_POST, NULL, NULL);
        sh_info(LOG, "leaving the rpc socket to process exit (%d stuck listener(s) kept open)", srv->n_kept);
        pthread_mutex_lock(&left_lock);
        srv->next_left = left_to_exit;
        left_to_exit = srv;
        pthread_mutex_unlock(&left_lock);
        return;
    }
    /* Still connected peers (a GUI, a client mid-request) may be mid-frame:
     * the close can then wedge nng's reaper for good.  Bounded, so shutdown
     * finishes anyway and process exit does the rest. */
    if (!sh_nng_close_bounded(srv->sock, 3000))
        sh_warn(LOG, "closing the rpc socket did not finish (libnng 1.5.2 close deadlock); leaving it to process exit");
    for (size_t i = 0; srv->slots && i < srv->n_slots; i++)
        free(srv->slots[i].url);
    free(srv->slots);
    free(srv->urls);
    free(srv->workers);
    pthread_cond_destroy(&srv->guard_wake);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

size_t sh_rpc_server_urls(const sh_rpc_server *srv, const char *const **urls)
{
    *urls = (const char *const *)srv->urls;
    return srv->n_slots;
}
