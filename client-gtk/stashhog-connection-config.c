#include "stashhog-connection-config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sh-paths.h"

#define GROUP "connection"

void
stashhog_connection_config_free (StashhogConnectionConfig *config)
{
  if (!config)
    return;
  g_free (config->url);
  if (config->token)
    memset (config->token, 0, strlen (config->token));
  g_free (config->token);
  g_free (config);
}

static char *
dir_of (const char *config_dir)
{
  return g_build_filename (config_dir ? config_dir : g_get_user_config_dir (), "stashhog", NULL);
}

StashhogConnectionConfig *
stashhog_connection_config_load (const char *config_dir, GError **error)
{
  g_autofree char *dir = dir_of (config_dir);
  g_autofree char *ini = g_build_filename (dir, "gtk.ini", NULL);
  g_autofree char *token_path = g_build_filename (dir, "gtk-token", NULL);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;

  if (g_key_file_load_from_file (kf, ini, G_KEY_FILE_NONE, &local))
    url = g_key_file_get_string (kf, GROUP, "url", NULL);
  else if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  g_clear_error (&local);
  if (!g_file_get_contents (token_path, &token, NULL, &local) &&
      !g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  /* Built only once nothing can fail, so there is one owner throughout. */
  StashhogConnectionConfig *config = g_new0 (StashhogConnectionConfig, 1);
  if (url && *g_strstrip (url))
    config->url = g_steal_pointer (&url);
  if (token && *g_strstrip (token))
    config->token = g_steal_pointer (&token);
  return config;
}

gboolean
stashhog_connection_config_save (const char *config_dir, const StashhogConnectionConfig *config,
                                 GError **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_autofree char *dir = dir_of (config_dir);
  g_autofree char *ini = g_build_filename (dir, "gtk.ini", NULL);
  g_autofree char *token_path = g_build_filename (dir, "gtk-token", NULL);
  g_autoptr (GKeyFile) kf = g_key_file_new ();

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot create %s: %s", dir, g_strerror (e));
      return FALSE;
    }
  g_key_file_set_string (kf, GROUP, "url", config->url ? config->url : "");
  if (!g_key_file_save_to_file (kf, ini, error))
    return FALSE;
  if (!config->token || !*config->token)
    {
      if (g_unlink (token_path) != 0 && errno != ENOENT)
        {
          int e = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot remove %s: %s", token_path,
                       g_strerror (e));
          return FALSE;
        }
      return TRUE;
    }
  /* Created 0600 before any byte is written, then renamed over the old file. */
  g_autofree char *tmp = g_strconcat (token_path, ".tmp", NULL);
  int fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot write %s: %s", tmp, g_strerror (e));
      return FALSE;
    }
  gsize len = strlen (config->token);
  gboolean ok = write (fd, config->token, len) == (gssize) len && fchmod (fd, 0600) == 0;
  int e = errno;
  if (close (fd) != 0 && ok)
    {
      ok = FALSE;
      e = errno;
    }
  if (ok && g_rename (tmp, token_path) != 0)
    {
      ok = FALSE;
      e = errno;
    }
  if (!ok)
    {
      g_unlink (tmp);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot write %s: %s", token_path,
                   g_strerror (e));
    }
  return ok;
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
