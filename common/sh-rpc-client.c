#include "sh-rpc-client.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include "sh-log.h"
#include "sh-rpc-server.h"
#include "sh-util.h"

#define LOG "rpc-client"

struct sh_rpc_client {
    nng_socket sock;
    char *url;
    char *token;
    int timeout_ms;
    _Atomic uint64_t next_id;
    pthread_mutex_t lock;
    pthread_cond_t idle;
    int outstanding;
    bool closing;
};

struct async_call {
    sh_rpc_client *client;
    nng_ctx ctx;
    nng_aio *aio;
    uint64_t request_id;
    bool sent;
    sh_rpc_done_fn done;
    void *user_data;
};

static sh_status map_nng(int rv, const char *what, const char *url, sh_error *err)
{
    switch (rv) {
    case NNG_ETIMEDOUT:
        return sh_error_set(err, SH_ERR_TIMEOUT, "%s timed out (daemon at %s)", what, url);
    case NNG_ECONNREFUSED:
    case NNG_ENOENT:
    case NNG_EADDRINVAL:
    case NNG_ECONNSHUT:
    case NNG_ECONNRESET:
    case NNG_EUNREACHABLE:
        return sh_error_set(err, SH_ERR_UNAVAILABLE, "cannot reach the daemon at %s: %s (is stashhogd running?)",
                            url, nng_strerror(rv));
    case NNG_ECANCELED:
    case NNG_ECLOSED:
        return sh_error_set(err, SH_ERR_CANCELLED, "%s cancelled", what);
    case NNG_ENOMEM:
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    case NNG_EINVAL:
        return sh_error_set(err, SH_ERR_INVALID, "%s: invalid address %s", what, url);
    default:
        return sh_error_set(err, SH_ERR_NETWORK, "%s: %s", what, nng_strerror(rv));
    }
}

sh_status sh_dialer_configure_tls(nng_dialer d, const char *ca_file, const char *cert_key_file,
                                  const char *server_name, sh_error *err)
{
    /* Our own config, handed to the dialer (which takes its own hold) and
     * released here: reading the dialer's config would add a hold we leak. */
    nng_tls_config *cfg = NULL;
    sh_status st = SH_OK;
    int rv = nng_tls_config_alloc(&cfg, NNG_TLS_MODE_CLIENT);
    if (rv != 0)
        return sh_error_set(err, SH_ERR_UNSUPPORTED, "TLS is not available: %s", nng_strerror(rv));
    if (ca_file && (rv = nng_tls_config_ca_file(cfg, ca_file)) != 0)
        st = sh_error_set(err, SH_ERR_INVALID, "TLS CA file %s: %s", ca_file, nng_strerror(rv));
    else if (cert_key_file && (rv = nng_tls_config_cert_key_file(cfg, cert_key_file, NULL)) != 0)
        st = sh_error_set(err, SH_ERR_INVALID, "TLS client certificate %s: %s", cert_key_file, nng_strerror(rv));
    else if (server_name && (rv = nng_tls_config_server_name(cfg, server_name)) != 0)
        st = sh_error_set(err, SH_ERR_INVALID, "TLS server name: %s", nng_strerror(rv));
    else if ((rv = nng_tls_config_auth_mode(cfg, ca_file ? NNG_TLS_AUTH_MODE_REQUIRED : NNG_TLS_AUTH_MODE_NONE)) != 0 ||
             (rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg)) != 0)
        st = sh_error_set(err, SH_ERR_UNSUPPORTED, "TLS setup: %s", nng_strerror(rv));
    nng_tls_config_free(cfg);
    return st;
}

sh_status sh_rpc_client_create(const char *url, const sh_rpc_client_options *opts,
                               sh_rpc_client **out, sh_error *err)
{
    static const sh_rpc_client_options defaults = {0};
    const sh_rpc_client_options *o = opts ? opts : &defaults;
    *out = NULL;
    if (sh_str_empty(url))
        return sh_error_set(err, SH_ERR_INVALID, "no daemon URL given");
    sh_rpc_client *c = calloc(1, sizeof *c);
    if (!c)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    c->url = strdup(url);
    c->token = o->token ? strdup(o->token) : NULL;
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
    atomic_init(&c->next_id, (uint64_t)sh_now_ms() << 8);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->idle, NULL);
    sh_status st = SH_OK;
    nng_dialer d;
    int rv = nng_req0_open(&c->sock);
    if (rv != 0) {
        st = map_nng(rv, "opening socket", url, err);
        free(c->url);
        free(c->token);
        free(c);
        return st;
    }
    nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ, SH_WIRE_MAX_REPLY);
    /* Requests are not idempotent (they may start jobs): never resend. */
    nng_socket_set_ms(c->sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
    nng_socket_set_ms(c->sock, NNG_OPT_RECONNMINT, 100);
    nng_socket_set_ms(c->sock, NNG_OPT_RECONNMAXT, 2000);
    if ((rv = nng_dialer_create(&d, c->sock, url)) != 0) {
        st = map_nng(rv, "connecting", url, err);
        goto fail;
    }
    nng_dialer_set_size(d, NNG_OPT_RECVMAXSZ, SH_WIRE_MAX_REPLY);
    if (sh_str_has_prefix(url, "tls+") &&
        (st = sh_dialer_configure_tls(d, o->tls_ca_file, o->tls_cert_key_file, o->tls_server_name, err)) != SH_OK)
        goto fail;
    if ((rv = nng_dialer_start(d, o->background_dial ? NNG_FLAG_NONBLOCK : 0)) != 0) {
        st = map_nng(rv, "connecting", url, err);
        goto fail;
    }
    *out = c;
    return SH_OK;
fail:
    sh_rpc_client_destroy(c);
    return st;
}

const char *sh_rpc_client_url(const sh_rpc_client *client)
{
    return client->url;
}

void sh_rpc_client_destroy(sh_rpc_client *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->closing = true;
    pthread_mutex_unlock(&c->lock);
    /* Closing the socket aborts every async call; their callbacks still run
     * (nng closes the contexts before it waits for the pipes).
     *
     * Bounded: libnng 1.5.2 deadlocks closing a pipe that is mid-frame, and
     * a client meets that window when it closes while a late reply (after a
     * timeout) is arriving, or when the daemon dropped the connection while
     * a large request was being written (nng then closes the pipe itself
     * and the reaper waits on the stuck writer forever).  The close is left
     * to finish, or not, on a helper thread: a CLI exits anyway, a GUI only
     * leaks the socket. */
    if (!sh_nng_close_bounded(c->sock, 2000))
        sh_debug(LOG, "closing the connection to %s did not finish; left to process exit", c->url);
    pthread_mutex_lock(&c->lock);
    while (c->outstanding > 0)
        pthread_cond_wait(&c->idle, &c->lock);
    pthread_mutex_unlock(&c->lock);
    pthread_cond_destroy(&c->idle);
    pthread_mutex_destroy(&c->lock);
    free(c->url);
    free(c->token);
    free(c);
}

static sh_status prepare(sh_rpc_client *c, sh_request *req, nng_msg **msg, sh_error *err)
{
    req->protocol_version = SH_PROTOCOL_VERSION;
    req->request_id = atomic_fetch_add(&c->next_id, 1);
    req->auth_token = c->token;
    return sh_wire_pack(&req->base, SH_WIRE_MAX_REQUEST, msg, err);
}

static sh_status finish(sh_rpc_client *c, uint64_t request_id, nng_msg *msg, sh_reply **out,
                        sh_error *err)
{
    sh_reply *reply = NULL;
    *out = NULL;
    sh_status st = sh_wire_decode_reply(nng_msg_body(msg), nng_msg_len(msg), &reply, err);
    if (st != SH_OK)
        return st;
    if (reply->request_id != request_id && reply->request_id != 0) {
        sh_wire_reply_free(reply);
        return sh_error_set(err, SH_ERR_PROTOCOL, "reply answers request %llu, expected %llu",
                            (unsigned long long)reply->request_id, (unsigned long long)request_id);
    }
    if (reply->status != STASHHOG__STATUS_CODE__STATUS_OK) {
        st = sh_status_from_wire(reply->status);
        sh_error_set(err, st, "%s", reply->error_message ? reply->error_message : sh_strerror(st));
        sh_wire_reply_free(reply);
        return st;
    }
    (void)c;
    *out = reply;
    return SH_OK;
}

sh_status sh_rpc_client_call(sh_rpc_client *c, sh_request *req, sh_reply **reply, sh_error *err)
{
    nng_msg *msg = NULL;
    nng_ctx ctx;
    nng_aio *aio = NULL;
    *reply = NULL;
    sh_status st = prepare(c, req, &msg, err);
    if (st != SH_OK)
        return st;
    uint64_t id = req->request_id;
    int rv = nng_ctx_open(&ctx, c->sock);
    if (rv != 0) {
        nng_msg_free(msg);
        return map_nng(rv, "request", c->url, err);
    }
    if ((rv = nng_aio_alloc(&aio, NULL, NULL)) != 0) {
        nng_msg_free(msg);
        nng_ctx_close(ctx);
        return map_nng(rv, "request", c->url, err);
    }
    nng_aio_set_timeout(aio, c->timeout_ms);
    nng_aio_set_msg(aio, msg);
    nng_ctx_send(ctx, aio);
    nng_aio_wait(aio);
    if ((rv = nng_aio_result(aio)) != 0) {
        nng_msg_free(nng_aio_get_msg(aio));
        st = map_nng(rv, "sending request", c->url, err);
        goto out;
    }
    nng_ctx_recv(ctx, aio);
    nng_aio_wait(aio);
    if ((rv = nng_aio_result(aio)) != 0) {
        st = map_nng(rv, "waiting for reply", c->url, err);
        goto out;
    }
    msg = nng_aio_get_msg(aio);
    st = finish(c, id, msg, reply, err);
    nng_msg_free(msg);
out:
    nng_aio_free(aio);
    nng_ctx_close(ctx);
    return st;
}

static void async_complete(struct async_call *call, sh_status st, sh_reply *reply, sh_error *err)
{
    sh_rpc_client *c = call->client;
    call->done(st, reply, err, call->user_data);
    /* Once destroy has begun, the socket's close closes every context
     * itself, and closing ours at the same time races inside libnng 1.5.2
     * (seen as an nng panic in nng_ctx_close when the GUI quit right after
     * connecting).  The lock orders us against destroy's "closing". */
    pthread_mutex_lock(&c->lock);
    if (!c->closing)
        nng_ctx_close(call->ctx);
    pthread_mutex_unlock(&c->lock);
    /* The aio is freed by a reaper-safe path: nng_aio_reap may be called from its own callback. */
    nng_aio_reap(call->aio);
    free(call);
    pthread_mutex_lock(&c->lock);
    if (--c->outstanding == 0)
        pthread_cond_broadcast(&c->idle);
    pthread_mutex_unlock(&c->lock);
}

static void async_cb(void *arg)
{
    struct async_call *call = arg;
    sh_error err = {0};
    int rv = nng_aio_result(call->aio);
    if (rv != 0) {
        if (!call->sent)
            nng_msg_free(nng_aio_get_msg(call->aio));
        sh_status st = map_nng(rv, call->sent ? "waiting for reply" : "sending request",
                               call->client->url, &err);
        async_complete(call, st, NULL, &err);
        return;
    }
    if (!call->sent) {
        call->sent = true;
        nng_ctx_recv(call->ctx, call->aio);
        return;
    }
    nng_msg *msg = nng_aio_get_msg(call->aio);
    sh_reply *reply = NULL;
    sh_status st = finish(call->client, call->request_id, msg, &reply, &err);
    nng_msg_free(msg);
    async_complete(call, st, reply, &err);
}

sh_status sh_rpc_client_call_async(sh_rpc_client *c, sh_request *req, sh_rpc_done_fn done,
                            void *user_data, sh_error *err)
{
    nng_msg *msg = NULL;
    sh_status st = prepare(c, req, &msg, err);
    if (st != SH_OK)
        return st;
    struct async_call *call = calloc(1, sizeof *call);
    if (!call) {
        nng_msg_free(msg);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    call->client = c;
    call->request_id = req->request_id;
    call->done = done;
    call->user_data = user_data;
    int rv = nng_ctx_open(&call->ctx, c->sock);
    if (rv == 0 && (rv = nng_aio_alloc(&call->aio, async_cb, call)) != 0)
        nng_ctx_close(call->ctx);
    if (rv != 0) {
        nng_msg_free(msg);
        free(call);
        return map_nng(rv, "request", c->url, err);
    }
    pthread_mutex_lock(&c->lock);
    if (c->closing) {
        pthread_mutex_unlock(&c->lock);
        nng_msg_free(msg);
        nng_aio_free(call->aio);
        nng_ctx_close(call->ctx);
        free(call);
        return sh_error_set(err, SH_ERR_CANCELLED, "client is closing");
    }
    c->outstanding++;
    pthread_mutex_unlock(&c->lock);
    nng_aio_set_timeout(call->aio, c->timeout_ms);
    nng_aio_set_msg(call->aio, msg);
    nng_ctx_send(call->ctx, call->aio);
    return SH_OK;
}
