/* sh-rpc-client.h - the client side of the RPC: one req socket to a daemon.
 *
 * Threading: a client is safe to use from several threads.  sh_rpc_client_call()
 * blocks the calling thread up to the timeout (the CLI).  sh_rpc_client_call_async()
 * returns at once and runs `done` later on an nng thread (the GUI marshals it
 * to its main context); each async call has its own nng context, so many can
 * be in flight.  sh_rpc_client_destroy() cancels outstanding async calls
 * (their callbacks run with SH_ERR_CANCELLED) and waits for them; closing
 * the socket itself is bounded (libnng 1.5.2 can deadlock there, see
 * sh-rpc-client.c), so destroy always returns.
 *
 * The caller fills only the request body; the client sets the protocol
 * version, a fresh request id and the auth token, and checks that the reply
 * answers that id. */
#ifndef SH_RPC_CLIENT_H
#define SH_RPC_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "sh-error.h"
#include "sh-wire.h"

typedef struct sh_rpc_client sh_rpc_client;

typedef struct sh_rpc_client_options {
    const char *token;     /* sent with every request; may be NULL */
    int timeout_ms;        /* per call; default 30000 */
    bool background_dial;  /* keep redialling in the background (GUI) instead of failing now */
    const char *tls_ca_file;       /* tls+tcp:// */
    const char *tls_cert_key_file; /* client certificate + key (PEM), optional */
    const char *tls_server_name;
} sh_rpc_client_options;

/* Apply TLS options to a tls+tcp:// dialer (shared with the event subscriber).
 * Without a CA file the server's certificate is not verified. */
sh_status sh_dialer_configure_tls(nng_dialer d, const char *ca_file, const char *cert_key_file,
                                  const char *server_name, sh_error *err);

sh_status sh_rpc_client_create(const char *url, const sh_rpc_client_options *opts,
                               sh_rpc_client **out, sh_error *err);
void sh_rpc_client_destroy(sh_rpc_client *client);
const char *sh_rpc_client_url(const sh_rpc_client *client);

/* Synchronous call.  On SH_OK *reply is the daemon's reply (status OK);
 * free it with sh_wire_reply_free().  A non-OK reply becomes the returned
 * status with the daemon's message in err. */
sh_status sh_rpc_client_call(sh_rpc_client *client, sh_request *request, sh_reply **reply,
                      sh_error *err);

/* `reply` is owned by the callback (free with sh_wire_reply_free) and is
 * NULL unless status is SH_OK. */
typedef void (*sh_rpc_done_fn)(sh_status status, sh_reply *reply, const sh_error *err,
                               void *user_data);
sh_status sh_rpc_client_call_async(sh_rpc_client *client, sh_request *request, sh_rpc_done_fn done,
                            void *user_data, sh_error *err);

#endif
