/* sh-rpc-server.h - request/reply dispatch over nng rep sockets.
 *
 * Threading: one rep socket listens on every URL (ipc://, tcp://, tls+tcp://).
 * A fixed set of worker threads each owns one nng context, so a slow handler
 * only occupies its own worker while the others keep answering.  Each worker
 * receives a request, decodes and validates the envelope, calls the auth hook
 * and then the handler synchronously, and sends the reply.  Per-worker state
 * (for example a read-only database connection) comes from worker_init.
 *
 * A guard thread watches the listeners: libnng 1.5.2 silently stops
 * accepting after one failed handshake, and the guard re-opens such a
 * listener (see "listener guard" in sh-rpc-server.c).
 *
 * Shutdown (sh_rpc_server_stop): the guard and idle workers are woken and
 * leave, busy ones finish and send their reply, then all are joined.
 * sh_rpc_server_destroy gives connected peers up to a second to hang up,
 * then closes the socket with a bound (libnng 1.5.2 can deadlock closing a
 * pipe mid-frame), so it always returns.  Everything a handler hangs off the
 * reply must come from the call's arena; the server frees it after packing. */
#ifndef SH_RPC_SERVER_H
#define SH_RPC_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "sh-error.h"
#include "sh-util.h"
#include "sh-wire.h"

typedef enum sh_rpc_transport {
    SH_RPC_TRANSPORT_OTHER = 0,
    SH_RPC_TRANSPORT_INPROC,
    SH_RPC_TRANSPORT_IPC,
    SH_RPC_TRANSPORT_TCP,
} sh_rpc_transport;

typedef struct sh_rpc_call {
    const sh_request *request;
    sh_reply *reply;       /* set reply->body_case and the member; status is set by the server */
    sh_arena *arena;       /* owns everything hanging off reply */
    sh_rpc_transport transport;
    char peer[80];         /* "ipc", "127.0.0.1:53411", ... for logs */
    void *worker;          /* from worker_init */
    int worker_index;
    /* Who is calling, filled by the auth hook (empty/0 without one): a user
     * name ("owner" for the owner) and a server-defined role. */
    char user[64];
    int role;
} sh_rpc_call;

/* Handlers return SH_OK or an error that becomes the reply's status and
 * message.  They must not block for long: long work becomes a job. */
typedef sh_status (*sh_rpc_handler_fn)(sh_rpc_call *call, void *user, sh_error *err);
/* Called before the handler; an error (SH_ERR_UNAUTHENTICATED) refuses the
 * call.  On success it may record the caller's identity (user, role). */
typedef sh_status (*sh_rpc_auth_fn)(sh_rpc_call *call, void *user, sh_error *err);

typedef struct sh_rpc_server_config {
    const char *const *urls;
    size_t n_urls;
    int n_workers;             /* default 4 */
    sh_rpc_handler_fn handler;
    sh_rpc_auth_fn auth;       /* optional */
    void *user;
    void *(*worker_init)(void *user, int index); /* optional; NULL result is an error */
    void (*worker_fini)(void *worker, void *user);
    int ipc_permissions;       /* default 0600 */
    const char *tls_cert_key_file; /* tls+tcp:// listeners: PEM certificate + key (required for them) */
    const char *tls_ca_file;       /* tls+tcp://: when set, peers must present a client
                                    * certificate that chains to this CA */
} sh_rpc_server_config;

typedef struct sh_rpc_server sh_rpc_server;

/* Binds every URL and starts the workers. */
sh_status sh_rpc_server_create(const sh_rpc_server_config *cfg, sh_rpc_server **out, sh_error *err);
/* Stop accepting, let in-flight requests finish, join the workers.  Idempotent. */
void sh_rpc_server_stop(sh_rpc_server *srv);
void sh_rpc_server_destroy(sh_rpc_server *srv);

/* The bound URLs, with a tcp port 0 resolved to the real port. */
size_t sh_rpc_server_urls(const sh_rpc_server *srv, const char *const **urls);

/* Apply the TLS settings to a tls+tcp:// listener (no-op for other URLs):
 * our certificate is mandatory, a CA makes client certificates mandatory. */
sh_status sh_listener_configure_tls(nng_listener l, const char *url, const char *cert_key_file,
                                    const char *ca_file, sh_error *err);

/* Resolve the local address of a listener to a URL (tcp port 0 -> real port). */
sh_status sh_listener_url(nng_listener l, const char *configured, char *out, size_t out_len,
                          sh_error *err);

/* Run fn(arg) on a helper thread and wait at most timeout_ms for it.  On
 * false it is still running and owns arg; the caller must not touch it.  For
 * teardown that libnng 1.5.2 can wedge (process exit finishes the job). */
bool sh_run_bounded(void (*fn)(void *), void *arg, int timeout_ms);
/* nng_close() through sh_run_bounded; true when the close finished. */
bool sh_nng_close_bounded(nng_socket sock, int timeout_ms);

#endif
