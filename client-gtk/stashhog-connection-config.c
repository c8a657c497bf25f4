#include "stashhog-connection-config.h"

#include <errno.h>

#include "sh-paths.h"

#define GROUP "connection"

void
stashhog_connection_config_free (StashhogConnectionConfig *config)
{
  if (!config)
    return;
  g_free (config->url);
  stashhog_token_free (config->token);
  g_free (config);
}

static char *
dir_of (const char *config_dir)
{
  return g_build_filename (config_dir ? config_dir : g_get_user_config_dir (), "stashhog", NULL);
}

/* *url: NULL for the local daemon. */
static gboolean
load_url (const char *config_dir, char **url, GError **error)
{
  g_autofree char *dir = dir_of (config_dir);
  g_autofree char *ini = g_build_filename (dir, "gtk.ini", NULL);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *value = NULL;

  *url = NULL;
  if (g_key_file_load_from_file (kf, ini, G_KEY_FILE_NONE, &local))
    value = g_key_file_get_string (kf, GROUP, "url", NULL);
  else if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (value && *g_strstrip (value))
    *url = g_steal_pointer (&value);
  return TRUE;
}

StashhogConnectionConfig *
stashhog_connection_config_load (const char *config_dir, GError **error)
{
  g_autofree char *url = NULL;
  GError *local = NULL;

  if (!load_url (config_dir, &url, error))
    return NULL;
  char *token = stashhog_token_file_read (config_dir, &local);
  if (local)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  /* Built only once nothing can fail, so there is one owner throughout. */
  StashhogConnectionConfig *config = g_new0 (StashhogConnectionConfig, 1);
  config->url = g_steal_pointer (&url);
  config->token = token;
  return config;
}

gboolean
stashhog_connection_config_save_url (const char *config_dir, const char *url, GError **error)
{
  g_autofree char *dir = dir_of (config_dir);
  g_autofree char *ini = g_build_filename (dir, "gtk.ini", NULL);
  g_autoptr (GKeyFile) kf = g_key_file_new ();

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot create %s: %s", dir, g_strerror (e));
      return FALSE;
    }
  g_key_file_set_string (kf, GROUP, "url", url ? url : "");
  return g_key_file_save_to_file (kf, ini, error);
}

gboolean
stashhog_connection_config_save (const char *config_dir, const StashhogConnectionConfig *config,
                                 GError **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  if (!stashhog_connection_config_save_url (config_dir, config->url, error))
    return FALSE;
  if (!config->token || !*config->token)
    return stashhog_token_file_remove (config_dir, error);
  return stashhog_token_file_write (config_dir, config->token, error);
}

/* ---------------------------------------------------------------- through the token store */

static void
on_token_looked_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  StashhogConnectionConfig *config = g_task_get_task_data (task);
  GError *error = NULL;

  config->token = stashhog_token_store_lookup_finish (STASHHOG_TOKEN_STORE (source), result, &error);
  if (error)
    {
      stashhog_connection_config_free (config);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, config, (GDestroyNotify) stashhog_connection_config_free);
}

void
stashhog_connection_config_load_async (const char *config_dir, StashhogTokenStore *store,
                                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (STASHHOG_IS_TOKEN_STORE (store));
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);
  GError *error = NULL;
  char *url = NULL;

  g_task_set_source_tag (task, stashhog_connection_config_load_async);
  if (!load_url (config_dir, &url, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  StashhogConnectionConfig *config = g_new0 (StashhogConnectionConfig, 1);
  config->url = url;
  if (!url)
    {
      g_task_return_pointer (task, config, (GDestroyNotify) stashhog_connection_config_free);
      return;
    }
  /* Borrowed by the lookup callback, which always runs and hands it on. */
  g_task_set_task_data (task, config, NULL);
  stashhog_token_store_lookup_async (store, url, cancellable, on_token_looked_up, g_object_ref (task));
}

StashhogConnectionConfig *
stashhog_connection_config_load_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == stashhog_connection_config_load_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char *forget_url; /* the previous daemon's, or NULL */
  char *url;
  char *token;
} SaveToken;

static void
save_token_free (gpointer data)
{
  SaveToken *st = data;
  g_free (st->forget_url);
  g_free (st->url);
  stashhog_token_free (st->token);
  g_free (st);
}

static void
on_token_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!stashhog_token_store_save_finish (STASHHOG_TOKEN_STORE (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Second step: the new daemon's token (a NULL URL forgets the file only). */
static void
save_new_token (GTask *task)
{
  StashhogTokenStore *store = g_task_get_source_object (task);
  SaveToken *st = g_task_get_task_data (task);
  stashhog_token_store_save_async (store, st->url, st->url ? st->token : NULL, g_task_get_cancellable (task),
                                   on_token_saved, g_object_ref (task));
}

static void
on_previous_forgotten (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!stashhog_token_store_forget_finish (STASHHOG_TOKEN_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  save_new_token (task);
}

void
stashhog_connection_config_save_token_async (StashhogTokenStore *store, const char *previous_url,
                                              const StashhogConnectionConfig *config, GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (STASHHOG_IS_TOKEN_STORE (store));
  g_return_if_fail (config != NULL);
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);
  SaveToken *st = g_new0 (SaveToken, 1);
  const char *url = config->url && *config->url ? config->url : NULL;

  g_task_set_source_tag (task, stashhog_connection_config_save_token_async);
  if (previous_url && *previous_url && g_strcmp0 (previous_url, url) != 0)
    st->forget_url = g_strdup (previous_url);
  st->url = g_strdup (url);
  st->token = g_strdup (config->token && *config->token ? config->token : NULL);
  g_task_set_task_data (task, st, save_token_free);
  if (st->forget_url)
    stashhog_token_store_forget_async (store, st->forget_url, cancellable, on_previous_forgotten, g_object_ref (task));
  else
    save_new_token (task);
}

gboolean
stashhog_connection_config_save_token_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == stashhog_connection_config_save_token_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
stashhog_connection_config_effective_url (const StashhogConnectionConfig *config, GError **error)
{
  char url[SH_PATH_MAX + 16];
  sh_error err = { 0 };

  if (config && config->url && *config->url)
    return g_strdup (config->url);
  if (sh_paths_default_connect_url (url, sizeof url, &err) != SH_OK)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG, "%s", sh_error_message (&err));
      return NULL;
    }
  return g_strdup (url);
}

char *
stashhog_connection_pick_events_url (const char *rpc_url, const char *const *event_urls, gsize n)
{
  /* One rule for every client: see sh_paths_pick_event_url(). */
  char *url = sh_paths_pick_event_url (rpc_url, event_urls, n);
  char *copy = g_strdup (url);

  free (url);
  return copy;
}
