/* stashhog-connection-config.h - which daemon the GUI talks to.
 *
 * Remembered in <config dir>/stashhog/gtk.ini ([connection] url=...); the
 * token for a remote daemon is kept apart in <config dir>/stashhog/gtk-token
 * with mode 0600 (libsecret is not available on the target systems, so the
 * file mode is the protection, like ~/.ssh keys).  An empty URL means the
 * local daemon at its default ipc socket.  Displayless. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *url;   /* NULL = local daemon */
  char *token; /* NULL = none */
} StashhogConnectionConfig;

void stashhog_connection_config_free (StashhogConnectionConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StashhogConnectionConfig, stashhog_connection_config_free)

/* config_dir NULL = g_get_user_config_dir().  A missing file is not an error. */
StashhogConnectionConfig *stashhog_connection_config_load (const char *config_dir, GError **error);
gboolean stashhog_connection_config_save (const char *config_dir, const StashhogConnectionConfig *config,
                                          GError **error);

/* The URL to dial: config->url, else $STASHHOG_CONNECT / the default ipc socket. */
char *stashhog_connection_config_effective_url (const StashhogConnectionConfig *config, GError **error);

/* Pick the event URL matching an rpc URL from the daemon's advertised list:
 * same scheme; for tcp a wildcard host (0.0.0.0, ::, *) is replaced by the rpc
 * host.  NULL when none fits. */
char *stashhog_connection_pick_events_url (const char *rpc_url, const char *const *event_urls,
                                           gsize n_event_urls);

G_END_DECLS
