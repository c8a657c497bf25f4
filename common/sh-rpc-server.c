#include "sh-rpc-server.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/protocol/reqrep0/rep.h>
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

struct sh_rpc_server {
    sh_rpc_server_config cfg;
    nng_socket sock;
    nng_listener *listeners;
    size_t n_listeners;
    char **urls;
    size_t n_urls;
    struct worker *workers;
    int n_workers;
    pthread_mutex_t lock; /* orders "stopping" against starting a receive */
    bool stopping;
    bool stopped;
};

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

static sh_status start_listener(sh_rpc_server *srv, const char *url, sh_error *err)
{
    nng_listener l;
    int rv = nng_listener_create(&l, srv->sock, url);
    if (rv != 0)
        return sh_error_set(err, SH_ERR_INVALID, "cannot listen on %s: %s", url, nng_strerror(rv));
    if (sh_str_has_prefix(url, "ipc://")) {
        int mode = srv->cfg.ipc_permissions ? srv->cfg.ipc_permissions : 0600;
        nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS, mode);
    }
    nng_listener_set_size(l, NNG_OPT_RECVMAXSZ, SH_WIRE_MAX_REQUEST);
    sh_status tst = sh_listener_configure_tls(l, url, srv->cfg.tls_cert_key_file, srv->cfg.tls_ca_file, err);
    if (tst != SH_OK) {
        nng_listener_close(l);
        return tst;
    }
    if ((rv = nng_listener_start(l, 0)) != 0) {
        nng_listener_close(l);
        return sh_error_set(err, SH_ERR_NETWORK, "cannot listen on %s: %s", url, nng_strerror(rv));
    }
    char resolved[512];
    sh_status st = sh_listener_url(l, url, resolved, sizeof resolved, err);
    if (st != SH_OK) {
        nng_listener_close(l);
        return st;
    }
    char *copy = strdup(resolved);
    if (!copy) {
        nng_listener_close(l);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    srv->listeners[srv->n_listeners++] = l;
    srv->urls[srv->n_urls++] = copy;
    sh_info(LOG, "listening on %s", resolved);
    return SH_OK;
}

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
    sh_status st = SH_OK;
    int rv = nng_rep0_open(&srv->sock);
    if (rv != 0) {
        free(srv);
        return sh_error_set(err, SH_ERR_NETWORK, "nng_rep0_open: %s", nng_strerror(rv));
    }
    nng_socket_set_size(srv->sock, NNG_OPT_RECVMAXSZ, SH_WIRE_MAX_REQUEST);
    srv->listeners = calloc(cfg->n_urls, sizeof *srv->listeners);
    srv->urls = calloc(cfg->n_urls, sizeof *srv->urls);
    srv->workers = calloc((size_t)srv->n_workers, sizeof *srv->workers);
    if (!srv->listeners || !srv->urls || !srv->workers) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto fail;
    }
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
    for (int i = 0; i < srv->n_workers; i++)
        if (srv->workers[i].recv_aio)
            nng_aio_cancel(srv->workers[i].recv_aio);
    pthread_mutex_unlock(&srv->lock);
    for (int i = 0; i < srv->n_workers; i++)
        if (srv->workers[i].started)
            pthread_join(srv->workers[i].thread, NULL);
    srv->stopped = true;
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
    nng_close(srv->sock);
    for (size_t i = 0; srv->urls && i < srv->n_urls; i++)
        free(srv->urls[i]);
    free(srv->urls);
    free(srv->listeners);
    free(srv->workers);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

size_t sh_rpc_server_urls(const sh_rpc_server *srv, const char *const **urls)
{
    *urls = (const char *const *)srv->urls;
    return srv->n_urls;
}
