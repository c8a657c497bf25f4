/* token-store-test.c - the daemon token store without a display or a
 * keyring: the 0600 file, the fallback when no Secret Service answers (no
 * session bus, a bus address nobody listens on, a bus that never answers),
 * cancellation, and the connection settings saved and loaded through it.
 * Tokens are compared without printing them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "stashhog-connection-config.h"
#include "stashhog-token-store.h"

#define assert_token(actual, expected) assert_true (g_strcmp0 ((actual), (expected)) == 0)

static char *
scratch_dir (const char *name)
{
  const char *scratch = g_getenv ("STASHHOG_TEST_SCRATCH");
  g_autofree char *tmpl = NULL;
  if (scratch)
    {
      g_mkdir_with_parents (scratch, 0700);
      tmpl = g_strdup_printf ("%s/%s-XXXXXX", scratch, name);
    }
  else
    tmpl = g_strdup_printf ("%s/sh-gtk-%s-XXXXXX", g_get_tmp_dir (), name);
  assert_non_null (g_mkdtemp (tmpl));
  return g_steal_pointer (&tmpl);
}

/* ---------------------------------------------------------------- running async calls */

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *w = user_data;
  (void) source;
  w->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Wait *w)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) 30 * G_USEC_PER_SEC;
  while (!w->result)
    {
      assert_true (g_get_monotonic_time () < deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return w->result;
}

static char *
lookup (StashhogTokenStore *store, const char *url, GCancellable *cancellable, GError **error)
{
  Wait w = { 0 };
  stashhog_token_store_lookup_async (store, url, cancellable, on_done, &w);
  char *token = stashhog_token_store_lookup_finish (store, wait_result (&w), error);
  g_object_unref (w.result);
  return token;
}

static gboolean
save (StashhogTokenStore *store, const char *url, const char *token, GError **error)
{
  Wait w = { 0 };
  stashhog_token_store_save_async (store, url, token, NULL, on_done, &w);
  gboolean ok = stashhog_token_store_save_finish (store, wait_result (&w), error);
  g_object_unref (w.result);
  return ok;
}

static gboolean
forget (StashhogTokenStore *store, const char *url, GError **error)
{
  Wait w = { 0 };
  stashhog_token_store_forget_async (store, url, NULL, on_done, &w);
  gboolean ok = stashhog_token_store_forget_finish (store, wait_result (&w), error);
  g_object_unref (w.result);
  return ok;
}

static void
assert_file_mode_0600 (const char *dir)
{
  g_autofree char *path = stashhog_token_file_path (dir);
  GStatBuf st;
  assert_int_equal (g_stat (path, &st), 0);
  assert_int_equal (st.st_mode & 0777, 0600);
}

static gboolean
file_exists (const char *dir)
{
  g_autofree char *path = stashhog_token_file_path (dir);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* ---------------------------------------------------------------- tests */

static void
test_file_store (void **state)
{
  (void) state;
  g_autofree char *dir = scratch_dir ("file");
  g_autoptr (StashhogTokenStore) store = stashhog_token_store_new (dir);
  g_autoptr (GError) error = NULL;
  stashhog_token_store_set_keyring_enabled (store, FALSE);
  assert_int_equal (stashhog_token_store_get_backend (store), STASHHOG_TOKEN_BACKEND_NONE);

  char *none = lookup (store, "tcp://nas:7410", NULL, &error);
  assert_null (error);
  assert_null (none);
  assert_int_equal (stashhog_token_store_get_backend (store), STASHHOG_TOKEN_BACKEND_FILE);

  assert_true (save (store, "tcp://nas:7410", "file-token-1", &error));
  assert_file_mode_0600 (dir);
  char *back = lookup (store, "tcp://nas:7410", NULL, &error);
  assert_token (back, "file-token-1");
  stashhog_token_free (back);

  /* Whitespace around the token in a hand-written file is not part of it. */
  g_autofree char *path = stashhog_token_file_path (dir);
  assert_true (g_file_set_contents (path, "  hand-token\n", -1, NULL));
  back = lookup (store, "tcp://nas:7410", NULL, &error);
  assert_token (back, "hand-token");
  stashhog_token_free (back);

  /* An empty token forgets, as does forget. */
  assert_true (save (store, "tcp://nas:7410", "", &error));
  assert_false (file_exists (dir));
  assert_true (save (store, "tcp://nas:7410", "file-token-2", &error));
  assert_true (forget (store, "tcp://nas:7410", &error));
  assert_false (file_exists (dir));
  /* Forgetting nothing is not an error. */
  assert_true (forget (store, NULL, &error));
  assert_string_equal (stashhog_token_backend_to_string (stashhog_token_store_get_backend (store)), "file");
}

static void
test_file_errors (void **state)
{
  (void) state;
  g_autofree char *dir = scratch_dir ("ferr");
  g_autofree char *stashhog_dir = g_build_filename (dir, "stashhog", NULL);
  g_autoptr (StashhogTokenStore) store = stashhog_token_store_new (dir);
  g_autoptr (GError) error = NULL;
  stashhog_token_store_set_keyring_enabled (store, FALSE);

  /* "stashhog" is a plain file, so the token file cannot be created. */
  assert_true (g_file_set_contents (stashhog_dir, "", 0, NULL));
  assert_false (save (store, "tcp://nas:7410", "t", &error));
  assert_non_null (error);
  assert_true (error->domain == G_FILE_ERROR);
  /* The message names the path, never the token. */
  assert_null (strstr (error->message, "\"t\""));
}

static void
test_no_session_bus (void **state)
{
  (void) state;
  g_autofree char *dir = scratch_dir ("nobus");
  g_autofree char *runtime = scratch_dir ("nobus-run");
  g_autoptr (StashhogTokenStore) store = stashhog_token_store_new (dir);
  g_autoptr (GError) error = NULL;

  /* The keyring stays enabled: with no bus named, the file is used at once. */
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  assert_true (save (store, "tcp://nas:7410", "nobus-token", &error));
  assert_int_equal (stashhog_token_store_get_backend (store), STASHHOG_TOKEN_BACKEND_FILE);
  assert_file_mode_0600 (dir);
  char *back = lookup (store, "tcp://nas:7410", NULL, &error);
  assert_token (back, "nobus-token");
  stashhog_token_free (back);
}

static void
test_bus_nobody_listens (void **state)
{
  (void) state;
  if (!stashhog_token_store_has_keyring_support ())
    {
      skip ();
      return;
    }
  g_autofree char *dir = scratch_dir ("deadbus");
  g_autofree char *runtime = scratch_dir ("deadbus-run");
  g_autofree char *addr = g_strdup_printf ("unix:path=%s/no-such-bus", runtime);
  g_autoptr (StashhogTokenStore) store = stashhog_token_store_new (dir);
  g_autoptr (GError) error = NULL;

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", addr, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  assert_true (save (store, "tcp://nas:7410", "deadbus-token", &error));
  assert_null (error);
  assert_int_equal (stashhog_token_store_get_backend (store), STASHHOG_TOKEN_BACKEND_FILE);
  assert_file_mode_0600 (dir);
  char *back = lookup (store, "tcp://nas:7410", NULL, &error);
  assert_null (error);
  assert_token (back, "deadbus-token");
  stashhog_token_free (back);
  /* Forget reaches the file although the keyring cannot be asked. */
  assert_true (forget (store, "tcp://nas:7410", &error));
  assert_false (file_exists (dir));
}

/* A bus socket that takes connections and never says a word: the call must
 * give up after the timeout and use the file. */
static void
test_silent_bus_times_out (void **state)
{
  (void) state;
  if (!stashhog_token_store_has_keyring_support ())
    {
      skip ();
      return;
    }
  g_autofree char *dir = scratch_dir ("silent");
  g_autofree char *runtime = scratch_dir ("silent-run");
  g_autofree char *sock_path = g_build_filename (runtime, "bus", NULL);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  assert_true (strlen (sock_path) < sizeof sa.sun_path);
  memcpy (sa.sun_path, sock_path, strlen (sock_path) + 1);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true (fd >= 0);
  assert_int_equal (bind (fd, (struct sockaddr *) &sa, sizeof sa), 0);
  assert_int_equal (listen (fd, 8), 0);

  g_autoptr (StashhogTokenStore) store = stashhog_token_store_new (dir);
  g_autoptr (GError) error = NULL;
  stashhog_token_store_set_timeout (store, 300);
  /* Found through $XDG_RUNTIME_DIR/bus, as on a systemd desktop. */
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  gint64 t0 = g_get_monotonic_time ();
  assert_true (save (store, "tcp://nas:7410", "silent-token", &error));
  gint64 took_ms = (g_get_monotonic_time () - t0) / 1000;
  assert_true (took_ms >= 250 && took_ms < 10000);
  assert_int_equal (stashhog_token_store_get_backend (store), STASHHOG_TOKEN_BACKEND_FILE);
  assert_file_mode_0600 (dir);
  close (fd);
  g_unlink (sock_path);
}

static void
test_cancelled (void **state)
{
  (void) state;
  g_autofree char *dir = scratch_dir ("cancel");
  g_autoptr (StashhogTokenStore) store = stashhog_token_store_new (dir);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  stashhog_token_store_set_keyring_enabled (store, FALSE);
  assert_true (save (store, "tcp://nas:7410", "cancel-token", &error));

  g_cancellable_cancel (cancellable);
  char *token = lookup (store, "tcp://nas:7410", cancellable, &error);
  assert_null (token);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
}

/* ---------------------------------------------------------------- the connection settings */

static StashhogConnectionConfig *
load_config (const char *dir, StashhogTokenStore *store, GError **error)
{
  Wait w = { 0 };
  stashhog_connection_config_load_async (dir, store, NULL, on_done, &w);
  StashhogConnectionConfig *config = stashhog_connection_config_load_finish (wait_result (&w), error);
  g_object_unref (w.result);
  return config;
}

static gboolean
switch_to (const char *dir, StashhogTokenStore *store, const char *previous, const char *url, const char *token,
           GError **error)
{
  StashhogConnectionConfig next = { .url = (char *) url, .token = (char *) token };
  Wait w = { 0 };
  if (!stashhog_connection_config_save_url (dir, url, error))
    return FALSE;
  stashhog_connection_config_save_token_async (store, previous, &next, NULL, on_done, &w);
  gboolean ok = stashhog_connection_config_save_token_finish (wait_result (&w), error);
  g_object_unref (w.result);
  return ok;
}

static void
test_config_through_store (void **state)
{
  (void) state;
  g_autofree char *dir = scratch_dir ("cfg");
  g_autoptr (StashhogTokenStore) store = stashhog_token_store_new (dir);
  g_autoptr (GError) error = NULL;
  stashhog_token_store_set_keyring_enabled (store, FALSE);

  g_autoptr (StashhogConnectionConfig) empty = load_config (dir, store, &error);
  assert_non_null (empty);
  assert_null (empty->url);
  assert_null (empty->token);

  assert_true (switch_to (dir, store, NULL, "tcp://a:7410", "token-a", &error));
  g_autoptr (StashhogConnectionConfig) a = load_config (dir, store, &error);
  assert_string_equal (a->url, "tcp://a:7410");
  assert_token (a->token, "token-a");
  assert_file_mode_0600 (dir);
  /* The synchronous file-only reader agrees. */
  g_autoptr (StashhogConnectionConfig) a_sync = stashhog_connection_config_load (dir, &error);
  assert_token (a_sync->token, "token-a");

  assert_true (switch_to (dir, store, "tcp://a:7410", "tls+tcp://b:7413", "token-b", &error));
  g_autoptr (StashhogConnectionConfig) b = load_config (dir, store, &error);
  assert_string_equal (b->url, "tls+tcp://b:7413");
  assert_token (b->token, "token-b");

  /* A remote daemon without a token. */
  assert_true (switch_to (dir, store, "tls+tcp://b:7413", "tls+tcp://b:7413", NULL, &error));
  assert_false (file_exists (dir));
  g_autoptr (StashhogConnectionConfig) b2 = load_config (dir, store, &error);
  assert_null (b2->token);

  /* Back to the local daemon: nothing is left in the file. */
  assert_true (switch_to (dir, store, "tls+tcp://b:7413", "tcp://b2:7410", "token-c", &error));
  assert_true (switch_to (dir, store, "tcp://b2:7410", NULL, NULL, &error));
  assert_false (file_exists (dir));
  g_autoptr (StashhogConnectionConfig) local = load_config (dir, store, &error);
  assert_null (local->url);
  assert_null (local->token);

  /* A stray file is not looked up for the local daemon... */
  g_autofree char *path = stashhog_token_file_path (dir);
  assert_true (g_file_set_contents (path, "stray", -1, NULL));
  g_autoptr (StashhogConnectionConfig) local2 = load_config (dir, store, &error);
  assert_null (local2->token);
  /* ...and saving the local daemon again removes it. */
  assert_true (switch_to (dir, store, NULL, NULL, NULL, &error));
  assert_false (file_exists (dir));
}

static void
test_config_load_error (void **state)
{
  (void) state;
  g_autofree char *dir = scratch_dir ("cfgerr");
  g_autofree char *ini = g_build_filename (dir, "stashhog", "gtk.ini", NULL);
  g_autoptr (StashhogTokenStore) store = stashhog_token_store_new (dir);
  g_autoptr (GError) error = NULL;
  stashhog_token_store_set_keyring_enabled (store, FALSE);

  g_autofree char *sub = g_path_get_dirname (ini);
  g_mkdir_with_parents (sub, 0700);
  assert_true (g_file_set_contents (ini, "this is [not an ini file", -1, NULL));
  StashhogConnectionConfig *config = load_config (dir, store, &error);
  assert_null (config);
  assert_non_null (error);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_file_store),
    cmocka_unit_test (test_file_errors),
    cmocka_unit_test (test_no_session_bus),
    cmocka_unit_test (test_bus_nobody_listens),
    cmocka_unit_test (test_silent_bus_times_out),
    cmocka_unit_test (test_cancelled),
    cmocka_unit_test (test_config_through_store),
    cmocka_unit_test (test_config_load_error),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
