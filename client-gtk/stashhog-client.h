/* stashhog-client.h - the GUI's one link to stashhogd.
 *
 * Wraps common/sh-rpc-client.h and common/sh-pubsub.h for GTK code:
 * requests become GIO-style _async/_finish calls (GTask), daemon events
 * become GObject signals on the main context, and a health check (a
 * StatusRequest on its own short-timeout socket) drives the "state"
 * property: connecting, connected, unreachable, unauthenticated.
 *
 * Threading: RPC replies and events arrive on nng threads.  Replies are
 * handed to GTask (which invokes the callback on the caller's main
 * context); events are copied to the main context with
 * g_main_context_invoke_full holding a strong reference to the client.
 * dispose() destroys the subscriber and RPC sockets, which waits for
 * callbacks in flight, so nothing touches the object after finalize.
 * All public functions are for the main thread. */
#pragma once

#include <gio/gio.h>

#include "sh-wire.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stashhog__Reply, sh_wire_reply_free)

#define STASHHOG_CLIENT_ERROR (stashhog_client_error_quark ())
GQuark stashhog_client_error_quark (void);
/* Error codes are the sh_status values (SH_ERR_UNSUPPORTED, ...). */

typedef enum {
  STASHHOG_CONNECTION_DISCONNECTED,
  STASHHOG_CONNECTION_CONNECTING,
  STASHHOG_CONNECTION_CONNECTED,
  STASHHOG_CONNECTION_UNREACHABLE,
  STASHHOG_CONNECTION_UNAUTHENTICATED,
} StashhogConnectionState;

#define STASHHOG_TYPE_CLIENT (stashhog_client_get_type ())
G_DECLARE_FINAL_TYPE (StashhogClient, stashhog_client, STASHHOG, CLIENT, GObject)

StashhogClient *stashhog_client_new (void);

/* (Re)connect: dials in the background and starts health checks.
 * events_url NULL = the one the daemon advertises in its status. */
gboolean stashhog_client_connect (StashhogClient *self, const char *url, const char *token,
                                  const char *events_url, GError **error);
void stashhog_client_disconnect (StashhogClient *self);
/* Check the connection now (the Retry button). */
void stashhog_client_check_now (StashhogClient *self);

StashhogConnectionState stashhog_client_get_state (StashhogClient *self);
const char *stashhog_client_get_url (StashhogClient *self);
/* Message of the last failed health check, or NULL. */
const char *stashhog_client_get_last_error (StashhogClient *self);
/* The last StatusReply (owned by the client), or NULL. */
const Stashhog__StatusReply *stashhog_client_get_status (StashhogClient *self);

/* Send one request; the caller fills only the body (request is packed before
 * this returns, so it may live on the stack).  The finish function returns
 * the reply (free with sh_wire_reply_free / g_autoptr (Stashhog__Reply)). */
void stashhog_client_call_async (StashhogClient *self, sh_request *request, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
sh_reply *stashhog_client_call_finish (StashhogClient *self, GAsyncResult *result, GError **error);

/* GError from an sh_error at the glue boundary. */
GError *stashhog_client_error_from_sh (sh_status status, const sh_error *err);
gboolean stashhog_client_error_is_unsupported (const GError *error);

/* Signals (all on the main context; the pointer argument is borrowed):
 *   "job-progress"  (const Stashhog__JobProgress *)
 *   "job-state"     (const Stashhog__JobStateChanged *)
 *   "sync-finished" (const Stashhog__SyncFinished *)
 *   "plan-changed"  (const Stashhog__PlanChanged *)
 *   notify::state, notify::status */

G_END_DECLS
