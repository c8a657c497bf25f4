/* stashhog-token-store.h - where the GUI keeps a remote daemon's token.
 *
 * In the user's keyring through libsecret when a Secret Service answers:
 * schema "org.stashhog.Daemon", one item per daemon URL (attribute "url").
 * Otherwise (built without libsecret, no D-Bus session, no keyring daemon,
 * a locked keyring whose prompt was dismissed, no answer within the
 * timeout) in <config dir>/stashhog/gtk-token with mode 0600, as before the
 * keyring existed.  That file holds the token of the one remote daemon
 * remembered in gtk.ini.  When the keyring works, a leftover file is moved
 * into it under the URL being looked up and deleted.  Forgetting a daemon
 * clears both stores.  One line on the log says which store is used; the
 * token itself is never logged.
 *
 * Threading: main-thread object.  Keyring calls are libsecret's async D-Bus
 * calls, completed on the caller's thread-default main context, so a slow
 * or absent Secret Service never blocks the main loop; each is bounded by a
 * timeout after which the file is used.  The file is a few bytes on local
 * disk and is read and written synchronously.  Displayless. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  STASHHOG_TOKEN_BACKEND_NONE,    /* no operation has finished yet */
  STASHHOG_TOKEN_BACKEND_KEYRING, /* the Secret Service */
  STASHHOG_TOKEN_BACKEND_FILE,    /* the 0600 file */
} StashhogTokenBackend;

#define STASHHOG_TYPE_TOKEN_STORE (stashhog_token_store_get_type ())
G_DECLARE_FINAL_TYPE (StashhogTokenStore, stashhog_token_store, STASHHOG, TOKEN_STORE, GObject)

/* config_dir NULL = g_get_user_config_dir().  The keyring is tried unless
 * $STASHHOG_TOKEN_STORE is "file". */
StashhogTokenStore *stashhog_token_store_new (const char *config_dir);

/* TRUE when this build has libsecret. */
gboolean stashhog_token_store_has_keyring_support (void);
/* FALSE: never try the keyring (the file only). */
void stashhog_token_store_set_keyring_enabled (StashhogTokenStore *self, gboolean enabled);
/* How long one keyring call may take before the file is used (default 20 s,
 * long enough to type a keyring password into an unlock prompt). */
void stashhog_token_store_set_timeout (StashhogTokenStore *self, guint timeout_ms);
/* The store the last finished operation used. */
StashhogTokenBackend stashhog_token_store_get_backend (StashhogTokenStore *self);
const char *stashhog_token_backend_to_string (StashhogTokenBackend backend);

/* The token for url; NULL without an error when none is stored.  Free the
 * result with stashhog_token_free(). */
void stashhog_token_store_lookup_async (StashhogTokenStore *self, const char *url, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
char *stashhog_token_store_lookup_finish (StashhogTokenStore *self, GAsyncResult *result, GError **error);

/* Remember token for url (NULL/"" = forget it). */
void stashhog_token_store_save_async (StashhogTokenStore *self, const char *url, const char *token,
                                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean stashhog_token_store_save_finish (StashhogTokenStore *self, GAsyncResult *result, GError **error);

/* Forget url's token in both stores (url NULL = the file only). */
void stashhog_token_store_forget_async (StashhogTokenStore *self, const char *url, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
gboolean stashhog_token_store_forget_finish (StashhogTokenStore *self, GAsyncResult *result, GError **error);

/* Wipes and frees a token. */
void stashhog_token_free (char *token);

/* The file store alone, synchronously (config_dir as above).  read: NULL
 * without an error when there is no file or it is empty. */
char *stashhog_token_file_path (const char *config_dir);
char *stashhog_token_file_read (const char *config_dir, GError **error);
gboolean stashhog_token_file_write (const char *config_dir, const char *token, GError **error);
gboolean stashhog_token_file_remove (const char *config_dir, GError **error);

G_END_DECLS
