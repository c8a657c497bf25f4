/* token-keyring-check.c - the token store against a real Secret Service
 * (gnome-keyring on a private session bus; token-keyring-test.sh sets that
 * up and runs this).  Stores, reads back, migrates the 0600 file into the
 * keyring, switches daemons and forgets, checking the keyring directly with
 * libsecret.  Tokens are compared without printing them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libsecret/secret.h>

#include "stashhog-connection-config.h"
#include "stashhog-token-store.h"

#define assert_token(actual, expected) assert_true (g_strcmp0 ((actual), (expected)) == 0)

/* The schema as a user or another tool sees it. */
static const SecretSchema schema = {
  .name = "org.stashhog.Daemon",
  .flags = SECRET_SCHEMA_NONE,
  .attributes = { { .name = "url", .type = SECRET_SCHEMA_ATTRIBUTE_STRING }, { .name = NULL } },
};

static char *config_dir;

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
lookup (StashhogTokenStore *store, const char *url)
{
  Wait w = { 0 };
  g_autoptr (GError) error = NULL;
  stashhog_token_store_lookup_async (store, url, NULL, on_done, &w);
  char *token = stashhog_token_store_lookup_finish (store, wait_result (&w), &error);
  g_object_unref (w.result);
  assert_null (error);
  return token;
}

static void
save (StashhogTokenStore *store, const char *url, const char *token)
{
  Wait w = { 0 };
  g_autoptr (GError) error = NULL;
  stashhog_token_store_save_async (store, url, token, NULL, on_done, &w);
  assert_true (stashhog_token_store_save_finish (store, wait_result (&w), &error));
  g_object_unref (w.result);
}

static void
forget (StashhogTokenStore *store, const char *url)
{
  Wait w = { 0 };
  g_autoptr (GError) error = NULL;
  stashhog_token_store_forget_async (store, url, NULL, on_done, &w);
  assert_true (stashhog_token_store_forget_finish (store, wait_result (&w), &error));
  g_object_unref (w.result);
}

static void
switch_to (StashhogTokenStore *store, const char *previous, const char *url, const char *token)
{
  StashhogConnectionConfig next = { .url = (char *) url, .token = (char *) token };
  g_autoptr (GError) error = NULL;
  Wait w = { 0 };
  assert_true (stashhog_connection_config_save_url (config_dir, url, &error));
  stashhog_connection_config_save_token_async (store, previous, &next, NULL, on_done, &w);
  assert_true (stashhog_connection_config_save_token_finish (wait_result (&w), &error));
  g_object_unref (w.result);
}

/* What the keyring itself holds for url (NULL = nothing). */
static char *
in_keyring (const char *url)
{
  g_autoptr (GError) error = NULL;
  char *secret = secret_password_lookup_sync (&schema, NULL, &error, "url", url, NULL);
  assert_null (error);
  char *copy = g_strdup (secret);
  secret_password_free (secret);
  return copy;
}

static gboolean
file_exists (void)
{
  g_autofree char *path = stashhog_token_file_path (config_dir);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
assert_keyring_holds (const char *url, const char *expected)
{
  char *secret = in_keyring (url);
  assert_token (secret, expected);
  stashhog_token_free (secret);
}

static StashhogTokenStore *
new_store (void)
{
  StashhogTokenStore *store = stashhog_token_store_new (config_dir);
  stashhog_token_store_set_timeout (store, 15000);
  return store;
}

static void
test_migrates_file (void **state)
{
  (void) state;
  g_autoptr (StashhogTokenStore) store = new_store ();
  g_autoptr (GError) error = NULL;

  /* A token left by a session without a keyring. */
  assert_true (stashhog_token_file_write (config_dir, "from-the-file", &error));
  char *token = lookup (store, "tcp://one:7410");
  assert_token (token, "from-the-file");
  stashhog_token_free (token);
  assert_int_equal (stashhog_token_store_get_backend (store), STASHHOG_TOKEN_BACKEND_KEYRING);
  assert_false (file_exists ());
  assert_keyring_holds ("tcp://one:7410", "from-the-file");

  /* A fresh store (the next start of the GUI) finds it in the keyring. */
  g_autoptr (StashhogTokenStore) again = new_store ();
  token = lookup (again, "tcp://one:7410");
  assert_token (token, "from-the-file");
  stashhog_token_free (token);
  assert_int_equal (stashhog_token_store_get_backend (again), STASHHOG_TOKEN_BACKEND_KEYRING);

  /* A newer file (written while the keyring was away) wins over the keyring. */
  assert_true (stashhog_token_file_write (config_dir, "newer-file", &error));
  token = lookup (again, "tcp://one:7410");
  assert_token (token, "newer-file");
  stashhog_token_free (token);
  assert_false (file_exists ());
  assert_keyring_holds ("tcp://one:7410", "newer-file");
  forget (again, "tcp://one:7410");
  assert_keyring_holds ("tcp://one:7410", NULL);
}

static void
test_one_token_per_url (void **state)
{
  (void) state;
  g_autoptr (StashhogTokenStore) store = new_store ();

  save (store, "tcp://one:7410", "token-one");
  save (store, "tls+tcp://two:7413", "token-two");
  assert_int_equal (stashhog_token_store_get_backend (store), STASHHOG_TOKEN_BACKEND_KEYRING);
  assert_false (file_exists ());
  assert_keyring_holds ("tcp://one:7410", "token-one");
  assert_keyring_holds ("tls+tcp://two:7413", "token-two");
  char *token = lookup (store, "tls+tcp://two:7413");
  assert_token (token, "token-two");
  stashhog_token_free (token);
  /* Replacing keeps one item per URL. */
  save (store, "tcp://one:7410", "token-one-b");
  assert_keyring_holds ("tcp://one:7410", "token-one-b");
  token = lookup (store, "tcp://nobody:1");
  assert_null (token);

  forget (store, "tcp://one:7410");
  assert_keyring_holds ("tcp://one:7410", NULL);
  assert_keyring_holds ("tls+tcp://two:7413", "token-two");
  /* An empty token forgets too. */
  save (store, "tls+tcp://two:7413", "");
  assert_keyring_holds ("tls+tcp://two:7413", NULL);
  /* Forgetting what is not there is fine. */
  forget (store, "tcp://nobody:1");
}

static void
test_switching_daemons (void **state)
{
  (void) state;
  g_autoptr (StashhogTokenStore) store = new_store ();
  g_autoptr (GError) error = NULL;

  switch_to (store, NULL, "tcp://a:7410", "token-a");
  assert_keyring_holds ("tcp://a:7410", "token-a");
  assert_false (file_exists ());
  g_autoptr (StashhogConnectionConfig) loaded = NULL;
  {
    Wait w = { 0 };
    stashhog_connection_config_load_async (config_dir, store, NULL, on_done, &w);
    loaded = stashhog_connection_config_load_finish (wait_result (&w), &error);
    g_object_unref (w.result);
  }
  assert_non_null (loaded);
  assert_string_equal (loaded->url, "tcp://a:7410");
  assert_token (loaded->token, "token-a");

  /* Another daemon: the previous one's token goes. */
  switch_to (store, "tcp://a:7410", "tcp://b:7410", "token-b");
  assert_keyring_holds ("tcp://a:7410", NULL);
  assert_keyring_holds ("tcp://b:7410", "token-b");

  /* Back to the local daemon clears both stores. */
  assert_true (stashhog_token_file_write (config_dir, "stale", &error));
  switch_to (store, "tcp://b:7410", NULL, NULL);
  assert_keyring_holds ("tcp://b:7410", NULL);
  assert_false (file_exists ());
}

static void
test_disabled_keyring_uses_file (void **state)
{
  (void) state;
  g_autoptr (StashhogTokenStore) store = new_store ();
  stashhog_token_store_set_keyring_enabled (store, FALSE);
  save (store, "tcp://c:7410", "token-c");
  assert_int_equal (stashhog_token_store_get_backend (store), STASHHOG_TOKEN_BACKEND_FILE);
  assert_true (file_exists ());
  assert_keyring_holds ("tcp://c:7410", NULL);
  forget (store, "tcp://c:7410");
  assert_false (file_exists ());
}

int
main (void)
{
  const char *scratch = g_getenv ("STASHHOG_TEST_SCRATCH");
  g_mkdir_with_parents (scratch ? scratch : g_get_tmp_dir (), 0700);
  config_dir = g_build_filename (scratch ? scratch : g_get_tmp_dir (), "kr-config-XXXXXX", NULL);
  if (!g_mkdtemp (config_dir))
    return 1;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_migrates_file),
    cmocka_unit_test (test_one_token_per_url),
    cmocka_unit_test (test_switching_daemons),
    cmocka_unit_test (test_disabled_keyring_uses_file),
  };
  int failed = cmocka_run_group_tests (tests, NULL, NULL);
  /* libsecret keeps its D-Bus proxy for the process: let it go. */
  secret_service_disconnect ();
  g_free (config_dir);
  return failed;
}
