/* stashhog-connection-config.h - which daemon the GUI talks to.
 *
 * Remembered in <config dir>/stashhog/gtk.ini ([connection] url=...); the
 * token for a remote daemon is kept apart by a StashhogTokenStore: in the
 * user's keyring when a Secret Service answers, else in
 * <config dir>/stashhog/gtk-token with mode 0600.  An empty URL means the
 * local daemon at its default ipc socket.  Displayless. */
#pragma once

#include <gio/gio.h>

#include "stashhog-token-store.h"

G_BEGIN_DECLS

typedef struct {
  char *url;   /* NULL = local daemon */
  char *token; /* NULL = none */
} StashhogConnectionConfig;

void stashhog_connection_config_free (StashhogConnectionConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StashhogConnectionConfig, stashhog_connection_config_free)

/* config_dir NULL = g_get_user_config_dir().  A missing file is not an error.
 * These two keep the token in the 0600 file only (no keyring, no main loop). */
StashhogConnectionConfig *stashhog_connection_config_load (const char *config_dir, GError **error);
gboolean stashhog_connection_config_save (const char *config_dir, const StashhogConnectionConfig *config,
                                          GError **error);

/* The GUI's way: the URL from gtk.ini, the token from store (looked up
 * only for a remote daemon; the callback runs once the keyring answered or
 * the file was read). */
void stashhog_connection_config_load_async (const char *config_dir, StashhogTokenStore *store,
                                            GCancellable *cancellable, GAsyncReadyCallback callback,
                                            gpointer user_data);
StashhogConnectionConfig *stashhog_connection_config_load_finish (GAsyncResult *result, GError **error);

/* gtk.ini alone (url NULL/"" = the local daemon). */
gboolean stashhog_connection_config_save_url (const char *config_dir, const char *url, GError **error);
/* The token side of switching from previous_url to config: previous_url's
 * token is forgotten when the URL changes (both stores), config's token is
 * saved in store, or forgotten when it has none (or for the local daemon). */
void stashhog_connection_config_save_token_async (StashhogTokenStore *store, const char *previous_url,
                                                  const StashhogConnectionConfig *config,
                                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                                  gpointer user_data);
gboolean stashhog_connection_config_save_token_finish (GAsyncResult *result, GError **error);

/* The URL to dial: config->url, else $STASHHOG_CONNECT / the default ipc socket. */
char *stashhog_connection_config_effective_url (const StashhogConnectionConfig *config, GError **error);

/* Pick the event URL matching an rpc URL from the daemon's advertised list:
 * same scheme; for tcp a wildcard host (0.0.0.0, ::, *) is replaced by the rpc
 * host.  NULL when none fits. */
char *stashhog_connection_pick_events_url (const char *rpc_url, const char *const *event_urls,
                                           gsize n_event_urls);

G_END_DECLS
