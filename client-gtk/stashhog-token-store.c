/* stashhog-token-store.c - the keyring (libsecret) with the 0600 file as the
 * fallback; see the header for the threading design. */
#include "stashhog-token-store.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#ifdef STASHHOG_HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#define DEFAULT_TIMEOUT_MS 20000

struct _StashhogTokenStore
{
  GObject parent_instance;
  char *config_dir; /* NULL = the user's */
  gboolean keyring_enabled;
  guint timeout_ms;
  StashhogTokenBackend backend;
};

G_DEFINE_FINAL_TYPE (StashhogTokenStore, stashhog_token_store, G_TYPE_OBJECT)

/* ---------------------------------------------------------------- the file */

void
stashhog_token_free (char *token)
{
  if (!token)
    return;
  memset (token, 0, strlen (token));
  g_free (token);
}

static char *
dir_of (const char *config_dir)
{
  return g_build_filename (config_dir ? config_dir : g_get_user_config_dir (), "stashhog", NULL);
}

char *
stashhog_token_file_path (const char *config_dir)
{
  g_autofree char *dir = dir_of (config_dir);
  return g_build_filename (dir, "gtk-token", NULL);
}

static gboolean
set_errno_error (GError **error, int e, const char *what, const char *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot %s %s: %s", what, path, g_strerror (e));
  return FALSE;
}

char *
stashhog_token_file_read (const char *config_dir, GError **error)
{
  g_autofree char *path = stashhog_token_file_path (config_dir);
  g_autoptr (GError) local = NULL;
  char *token = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &token, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  /* Clears the stripped tail too, so no copy is left behind. */
  g_strstrip (token);
  if (!*token)
    {
      explicit_bzero (token, len);
      g_free (token);
      return NULL;
    }
  return token;
}

gboolean
stashhog_token_file_write (const char *config_dir, const char *token, GError **error)
{
  g_return_val_if_fail (token != NULL, FALSE);
  g_autofree char *dir = dir_of (config_dir);
  g_autofree char *path = stashhog_token_file_path (config_dir);
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return set_errno_error (error, errno, "create", dir);
  /* Created 0600 before any byte is written, then renamed over the old file. */
  int fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_errno_error (error, errno, "write", tmp);
  gsize len = strlen (token);
  gboolean ok = write (fd, token, len) == (gssize) len && fchmod (fd, 0600) == 0;
  int e = errno;
  if (close (fd) != 0 && ok)
    {
      ok = FALSE;
      e = errno;
    }
  if (ok && g_rename (tmp, path) != 0)
    {
      ok = FALSE;
      e = errno;
    }
  if (!ok)
    {
      g_unlink (tmp);
      return set_errno_error (error, e, "write", path);
    }
  return TRUE;
}

gboolean
stashhog_token_file_remove (const char *config_dir, GError **error)
{
  g_autofree char *path = stashhog_token_file_path (config_dir);
  if (g_unlink (path) != 0 && errno != ENOENT)
    return set_errno_error (error, errno, "remove", path);
  return TRUE;
}

/* ---------------------------------------------------------------- the object */

static void
stashhog_token_store_finalize (GObject *object)
{
  StashhogTokenStore *self = STASHHOG_TOKEN_STORE (object);
  g_free (self->config_dir);
  G_OBJECT_CLASS (stashhog_token_store_parent_class)->finalize (object);
}

static void
stashhog_token_store_class_init (StashhogTokenStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stashhog_token_store_finalize;
}

static void
stashhog_token_store_init (StashhogTokenStore *self)
{
  self->timeout_ms = DEFAULT_TIMEOUT_MS;
  self->keyring_enabled = TRUE;
}

StashhogTokenStore *
stashhog_token_store_new (const char *config_dir)
{
  StashhogTokenStore *self = g_object_new (STASHHOG_TYPE_TOKEN_STORE, NULL);
  self->config_dir = g_strdup (config_dir);
  self->keyring_enabled = g_strcmp0 (g_getenv ("STASHHOG_TOKEN_STORE"), "file") != 0;
  return self;
}

gboolean
stashhog_token_store_has_keyring_support (void)
{
#ifdef STASHHOG_HAVE_LIBSECRET
  return TRUE;
#else
  return FALSE;
#endif
}

void
stashhog_token_store_set_keyring_enabled (StashhogTokenStore *self, gboolean enabled)
{
  g_return_if_fail (STASHHOG_IS_TOKEN_STORE (self));
  self->keyring_enabled = enabled;
}

void
stashhog_token_store_set_timeout (StashhogTokenStore *self, guint timeout_ms)
{
  g_return_if_fail (STASHHOG_IS_TOKEN_STORE (self));
  self->timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
}

StashhogTokenBackend
stashhog_token_store_get_backend (StashhogTokenStore *self)
{
  g_return_val_if_fail (STASHHOG_IS_TOKEN_STORE (self), STASHHOG_TOKEN_BACKEND_NONE);
  return self->backend;
}

const char *
stashhog_token_backend_to_string (StashhogTokenBackend backend)
{
  switch (backend)
    {
    case STASHHOG_TOKEN_BACKEND_KEYRING:
      return "keyring";
    case STASHHOG_TOKEN_BACKEND_FILE:
      return "file";
    case STASHHOG_TOKEN_BACKEND_NONE:
    default:
      return "none";
    }
}

/* One line whenever the store in use changes (why = the keyring's error). */
static void
use_backend (StashhogTokenStore *self, StashhogTokenBackend backend, const char *why)
{
  if (self->backend == backend)
    return;
  self->backend = backend;
  if (backend == STASHHOG_TOKEN_BACKEND_KEYRING)
    {
      g_message ("daemon token store: the keyring (Secret Service)");
      return;
    }
  g_autofree char *path = stashhog_token_file_path (self->config_dir);
  g_message ("daemon token store: %s (mode 0600)%s%s", path, why ? "; keyring unavailable: " : "",
             why ? why : "");
}

/* ---------------------------------------------------------------- operations */

typedef enum { OP_LOOKUP, OP_SAVE, OP_FORGET } OpKind;

typedef struct
{
  OpKind kind;
  char *url;
  char *token;           /* save: the new one; lookup: the one read from the file */
  GCancellable *caller;  /* the caller's, may be NULL */
  GCancellable *keyring; /* cancelled by the caller's or the timeout */
  gulong caller_handler;
  GSource *timeout;
  gboolean timed_out;
} Op;

static void
op_free (gpointer data)
{
  Op *op = data;
  if (op->timeout)
    {
      g_source_destroy (op->timeout);
      g_source_unref (op->timeout);
    }
  if (op->caller)
    {
      g_cancellable_disconnect (op->caller, op->caller_handler);
      g_object_unref (op->caller);
    }
  g_clear_object (&op->keyring);
  g_free (op->url);
  stashhog_token_free (op->token);
  g_free (op);
}

static GTask *
op_start (StashhogTokenStore *self, OpKind kind, const char *url, GCancellable *cancellable,
          GAsyncReadyCallback callback, gpointer user_data, gpointer source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);
  g_task_set_source_tag (task, source_tag);
  op->kind = kind;
  op->url = g_strdup (url && *url ? url : NULL);
  op->caller = cancellable ? g_object_ref (cancellable) : NULL;
  g_task_set_task_data (task, op, op_free);
  return task;
}

static char *
steal_token (Op *op)
{
  return g_steal_pointer (&op->token);
}

/* The file side of each operation; the task is complete afterwards.  note:
 * the file is used as the store (not merely cleared after the keyring). */
static void
finish_with_file (GTask *task, gboolean note, const char *why)
{
  StashhogTokenStore *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (note)
    use_backend (self, STASHHOG_TOKEN_BACKEND_FILE, why);
  switch (op->kind)
    {
    case OP_LOOKUP:
      {
        stashhog_token_free (op->token);
        op->token = stashhog_token_file_read (self->config_dir, &error);
        if (error)
          g_task_return_error (task, error);
        else
          g_task_return_pointer (task, steal_token (op), (GDestroyNotify) stashhog_token_free);
        return;
      }
    case OP_SAVE:
      if (!stashhog_token_file_write (self->config_dir, op->token, &error))
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    case OP_FORGET:
    default:
      if (!stashhog_token_file_remove (self->config_dir, &error))
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
}

#ifdef STASHHOG_HAVE_LIBSECRET

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    .name = "org.stashhog.Daemon",
    .flags = SECRET_SCHEMA_NONE,
    .attributes = { { .name = "url", .type = SECRET_SCHEMA_ATTRIBUTE_STRING }, { .name = NULL } },
  };
  return &schema;
}

/* Only a session bus the environment names: with none, GDBus would spawn
 * dbus-launch (a stray bus daemon) just to find no keyring on it. */
static gboolean
session_bus_configured (void)
{
  const char *addr = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  if (addr && *addr)
    return TRUE;
  if (!runtime || !*runtime)
    return FALSE;
  g_autofree char *bus = g_build_filename (runtime, "bus", NULL);
  GStatBuf st;
  return g_stat (bus, &st) == 0 && S_ISSOCK (st.st_mode);
}

static void
on_caller_cancelled (GCancellable *caller, gpointer keyring)
{
  (void) caller;
  g_cancellable_cancel (keyring);
}

static gboolean
on_timeout (gpointer data)
{
  Op *op = data;
  op->timed_out = TRUE;
  g_cancellable_cancel (op->keyring);
  return G_SOURCE_REMOVE;
}

/* Arms the cancellable and the timeout for one keyring call. */
static GCancellable *
op_keyring_cancellable (GTask *task)
{
  StashhogTokenStore *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  if (op->keyring)
    {
      /* A second call in the same operation (a migration) gets a fresh timeout. */
      if (g_cancellable_is_cancelled (op->keyring))
        return op->keyring;
      g_source_destroy (op->timeout);
      g_source_unref (op->timeout);
    }
  else
    {
      op->keyring = g_cancellable_new ();
      if (op->caller)
        op->caller_handler = g_cancellable_connect (op->caller, G_CALLBACK (on_caller_cancelled), op->keyring, NULL);
    }
  op->timeout = g_timeout_source_new (self->timeout_ms);
  g_source_set_callback (op->timeout, on_timeout, op, NULL);
  g_source_attach (op->timeout, g_task_get_context (task));
  return op->keyring;
}

/* TRUE when the task was completed as cancelled by the caller; else the
 * reason to fall back to the file (never the token: libsecret's messages
 * name services and paths only). */
static gboolean
keyring_failed (GTask *task, GError *error, char **why)
{
  Op *op = g_task_get_task_data (task);
  if (op->caller && g_cancellable_is_cancelled (op->caller))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
      return TRUE;
    }
  if (op->timed_out)
    *why = g_strdup_printf ("no answer within %u ms",
                            STASHHOG_TOKEN_STORE (g_task_get_source_object (task))->timeout_ms);
  else
    *why = g_strdup (error ? error->message : "unknown error");
  return FALSE;
}

static void
on_migrated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  StashhogTokenStore *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) rm_error = NULL;
  (void) source;

  if (!secret_password_store_finish (result, &error))
    {
      g_autofree char *why = NULL;
      if (keyring_failed (task, error, &why))
        return;
      /* The keyring answers but will not take it: keep the file as it is. */
      use_backend (self, STASHHOG_TOKEN_BACKEND_FILE, why);
      g_task_return_pointer (task, steal_token (op), (GDestroyNotify) stashhog_token_free);
      return;
    }
  if (!stashhog_token_file_remove (self->config_dir, &rm_error))
    g_warning ("token moved into the keyring, but %s", rm_error->message);
  else
    g_message ("daemon token store: moved the token file into the keyring");
  g_task_return_pointer (task, steal_token (op), (GDestroyNotify) stashhog_token_free);
}

static void
on_looked_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  StashhogTokenStore *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) file_error = NULL;
  (void) source;

  char *stored = secret_password_lookup_finish (result, &error);
  if (error)
    {
      g_autofree char *why = NULL;
      if (!keyring_failed (task, error, &why))
        finish_with_file (task, TRUE, why);
      return;
    }
  use_backend (self, STASHHOG_TOKEN_BACKEND_KEYRING, NULL);
  /* The file is newer than the keyring whenever it exists: it is only
   * written while the keyring is unavailable, and deleted once it works. */
  op->token = stashhog_token_file_read (self->config_dir, &file_error);
  if (file_error)
    g_warning ("%s", file_error->message);
  if (!op->token)
    {
      /* libsecret's copy lives in its secure memory: hand out a plain one. */
      g_task_return_pointer (task, g_strdup (stored), (GDestroyNotify) stashhog_token_free);
      secret_password_free (stored);
      return;
    }
  secret_password_free (stored);
  g_autofree char *label = g_strdup_printf ("StashHog daemon token for %s", op->url);
  secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, op->token, op_keyring_cancellable (task),
                         on_migrated, g_object_ref (task), "url", op->url, NULL);
}

static void
on_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  StashhogTokenStore *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) rm_error = NULL;
  (void) source;

  if (!secret_password_store_finish (result, &error))
    {
      g_autofree char *why = NULL;
      if (!keyring_failed (task, error, &why))
        finish_with_file (task, TRUE, why);
      return;
    }
  use_backend (self, STASHHOG_TOKEN_BACKEND_KEYRING, NULL);
  /* An older token in the file would otherwise be migrated over this one. */
  if (!stashhog_token_file_remove (self->config_dir, &rm_error))
    {
      g_task_return_error (task, g_steal_pointer (&rm_error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  (void) source;

  /* FALSE without an error: nothing was stored for this URL. */
  if (!secret_password_clear_finish (result, &error) && error)
    {
      g_autofree char *why = NULL;
      if (!keyring_failed (task, error, &why))
        finish_with_file (task, TRUE, why);
      return;
    }
  use_backend (g_task_get_source_object (task), STASHHOG_TOKEN_BACKEND_KEYRING, NULL);
  finish_with_file (task, FALSE, NULL);
}

#endif /* STASHHOG_HAVE_LIBSECRET */

/* Starts the keyring side of op; FALSE when the keyring is not to be tried
 * (why: the reason worth a log line, if any). */
static gboolean
try_keyring (GTask *task, const char **why)
{
#ifdef STASHHOG_HAVE_LIBSECRET
  StashhogTokenStore *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  if (!self->keyring_enabled || !op->url)
    return FALSE;
  if (!session_bus_configured ())
    {
      *why = "no D-Bus session bus";
      return FALSE;
    }
  switch (op->kind)
    {
    case OP_LOOKUP:
      secret_password_lookup (token_schema (), op_keyring_cancellable (task), on_looked_up, g_object_ref (task),
                              "url", op->url, NULL);
      return TRUE;
    case OP_SAVE:
      {
        g_autofree char *label = g_strdup_printf ("StashHog daemon token for %s", op->url);
        secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, op->token,
                               op_keyring_cancellable (task), on_stored, g_object_ref (task), "url", op->url, NULL);
        return TRUE;
      }
    case OP_FORGET:
    default:
      secret_password_clear (token_schema (), op_keyring_cancellable (task), on_cleared, g_object_ref (task), "url",
                             op->url, NULL);
      return TRUE;
    }
#else
  (void) task, (void) why;
  return FALSE;
#endif
}

static void
run (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  const char *why = NULL;
  if (try_keyring (task, &why))
    return;
  /* Without a URL only the file is touched; the store in use is unchanged. */
  finish_with_file (task, op->url != NULL, why);
}

void
stashhog_token_store_lookup_async (StashhogTokenStore *self, const char *url, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (STASHHOG_IS_TOKEN_STORE (self));
  g_autoptr (GTask) task =
      op_start (self, OP_LOOKUP, url, cancellable, callback, user_data, stashhog_token_store_lookup_async);
  run (task);
}

char *
stashhog_token_store_lookup_finish (StashhogTokenStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
stashhog_token_store_save_async (StashhogTokenStore *self, const char *url, const char *token,
                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (STASHHOG_IS_TOKEN_STORE (self));
  gboolean forget = !token || !*token;
  g_autoptr (GTask) task = op_start (self, forget ? OP_FORGET : OP_SAVE, url, cancellable, callback, user_data,
                                     stashhog_token_store_save_async);
  Op *op = g_task_get_task_data (task);
  op->token = forget ? NULL : g_strdup (token);
  run (task);
}

gboolean
stashhog_token_store_save_finish (StashhogTokenStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
stashhog_token_store_forget_async (StashhogTokenStore *self, const char *url, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (STASHHOG_IS_TOKEN_STORE (self));
  g_autoptr (GTask) task =
      op_start (self, OP_FORGET, url, cancellable, callback, user_data, stashhog_token_store_forget_async);
  run (task);
}

gboolean
stashhog_token_store_forget_finish (StashhogTokenStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
