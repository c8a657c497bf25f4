#include "stashhog-preferences.h"

#include "stashhog-gtk-private.h"
#include "stashhog-roles.h"

struct _StashhogPreferences
{
  AdwPreferencesWindow parent_instance;
  StashhogApplication *app;
  StashhogClient *client;
  StashhogWebhooksPage *webhooks_page; /* NULL when the role may not manage webhooks */
  GPtrArray *setting_rows; /* AdwEntryRow*, key in data "key", initial text in "initial" */

  AdwEntryRow *url_row;
  AdwEntryRow *token_row;
  GtkButton *connect_button;
  AdwPreferencesPage *settings_page;
  AdwPreferencesGroup *stash_group;
  AdwPreferencesGroup *llm_group;
  AdwPreferencesGroup *other_group;
  GtkButton *stash_test_button;
  GtkButton *llm_test_button;
  GtkLabel *stash_result;
  GtkLabel *llm_result;
  GtkButton *save_button;
};

G_DEFINE_FINAL_TYPE (StashhogPreferences, stashhog_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static void
on_connect (GtkButton *button, gpointer user_data)
{
  StashhogPreferences *self = user_data;
  g_autoptr (GError) error = NULL;
  (void) button;
  if (!stashhog_application_set_connection (self->app, gtk_editable_get_text (GTK_EDITABLE (self->url_row)),
                                            gtk_editable_get_text (GTK_EDITABLE (self->token_row)), &error))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
  else
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new ("Connecting…"));
}

static void
add_setting_row (StashhogPreferences *self, const Stashhog__Setting *s)
{
  gboolean secret = s->has_secret && s->secret;
  GtkWidget *row = secret ? adw_password_entry_row_new () : adw_entry_row_new ();
  g_autofree char *title = NULL;
  AdwPreferencesGroup *group = g_str_has_prefix (s->key, "stash.") ? self->stash_group
                               : g_str_has_prefix (s->key, "openai.") ? self->llm_group
                                                                   : self->other_group;
  /* Secrets come masked ("••••abcd"): show that they are set, never prefill. */
  if (secret)
    title = g_strdup_printf ("%s · %s", s->has_is_set && s->is_set ? "Set, type to replace" : "Not set",
                             s->description && *s->description ? s->description : s->key);
  else
    title = g_strdup (s->description && *s->description ? s->description : s->key);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_tooltip_text (row, s->key);
  if (!secret && s->value)
    gtk_editable_set_text (GTK_EDITABLE (row), s->value);
  g_object_set_data_full (G_OBJECT (row), "key", g_strdup (s->key), g_free);
  g_object_set_data_full (G_OBJECT (row), "initial", g_strdup (secret ? "" : s->value ? s->value : ""), g_free);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->setting_rows, row);
}

static void
on_settings (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogPreferences) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  guint other = 0;

  for (guint i = 0; i < self->setting_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->setting_rows, i);
      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP)),
                                    row);
    }
  g_ptr_array_set_size (self->setting_rows, 0);
  if (!reply || reply->body_case != STASHHOG__REPLY__BODY_SETTINGS)
    {
      const char *msg = stashhog_client_error_is_unsupported (error) ? "This daemon does not support settings yet."
                        : error                                    ? error->message
                                                                   : "unexpected reply";
      adw_preferences_group_set_description (self->stash_group, msg);
      gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
      return;
    }
  adw_preferences_group_set_description (self->stash_group, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), TRUE);
  for (size_t i = 0; i < reply->settings->n_settings; i++)
    {
      add_setting_row (self, reply->settings->settings[i]);
      other += !g_str_has_prefix (reply->settings->settings[i]->key, "stash.") &&
               !g_str_has_prefix (reply->settings->settings[i]->key, "openai.");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->other_group), other > 0);
}

static void
load_settings (StashhogPreferences *self)
{
  Stashhog__SettingsGetRequest get = STASHHOG__SETTINGS_GET_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  req.body_case = STASHHOG__REQUEST__BODY_SETTINGS_GET;
  req.settings_get = &get;
  stashhog_client_call_async (self->client, &req, NULL, on_settings, g_object_ref (self));
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogPreferences) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (reply ? "Settings saved" : error->message));
  if (reply)
    load_settings (self);
}

static void
on_save (GtkButton *button, gpointer user_data)
{
  StashhogPreferences *self = user_data;
  Stashhog__SettingsSetRequest set = STASHHOG__SETTINGS_SET_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  Stashhog__Setting *settings;
  Stashhog__Setting **ptrs;
  (void) button;

  settings = g_new0 (Stashhog__Setting, self->setting_rows->len + 1);
  ptrs = g_new0 (Stashhog__Setting *, self->setting_rows->len + 1);
  for (guint i = 0; i < self->setting_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->setting_rows, i);
      const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
      const char *initial = g_object_get_data (G_OBJECT (row), "initial");
      /* Only what changed; an untouched secret stays as it is. */
      if (g_strcmp0 (text, initial) == 0)
        continue;
      Stashhog__Setting *s = &settings[set.n_settings];
      stashhog__setting__init (s);
      s->key = g_object_get_data (G_OBJECT (row), "key");
      s->value = (char *) text;
      ptrs[set.n_settings++] = s;
    }
  set.settings = ptrs;
  req.body_case = STASHHOG__REQUEST__BODY_SETTINGS_SET;
  req.settings_set = &set;
  if (set.n_settings == 0)
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new ("Nothing changed"));
  else /* packed before this returns, so the arrays can go right after */
    stashhog_client_call_async (self->client, &req, NULL, on_saved, g_object_ref (self));
  g_free (ptrs);
  g_free (settings);
}

typedef struct
{
  StashhogPreferences *self;
  int target;
} TestData;

static void
on_tested (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TestData *td = user_data;
  g_autoptr (StashhogPreferences) self = td->self;
  GtkLabel *label = td->target ? self->llm_result : self->stash_result;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  g_autoptr (GString) s = g_string_new (NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (td->target ? self->llm_test_button : self->stash_test_button), TRUE);
  g_free (td);
  gtk_widget_remove_css_class (GTK_WIDGET (label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
  if (!reply || reply->body_case != STASHHOG__REPLY__BODY_TEST_CONNECTION)
    {
      gtk_label_set_text (label, error ? error->message : "unexpected reply");
      gtk_widget_add_css_class (GTK_WIDGET (label), "error");
      return;
    }
  const Stashhog__TestConnectionReply *t = reply->test_connection;
  gboolean ok = t->reachable && t->authenticated;
  g_string_append (s, ok ? "✓ Connected" : !t->reachable ? "✗ Unreachable" : "✗ Not authenticated");
  if (t->message && *t->message)
    g_string_append_printf (s, ": %s", t->message);
  if (t->server_version)
    g_string_append_printf (s, " · version %s", t->server_version);
  if (t->model)
    g_string_append_printf (s, " · model %s", t->model);
  if (t->has_scene_count)
    g_string_append_printf (s, " · %" G_GINT64_FORMAT " scenes", t->scene_count);
  if (t->has_latency_ms)
    g_string_append_printf (s, " · %" G_GINT64_FORMAT " ms", t->latency_ms);
  gtk_label_set_text (label, s->str);
  gtk_widget_add_css_class (GTK_WIDGET (label), ok ? "success" : "error");
}

void
stashhog_preferences_test (StashhogPreferences *self, int target)
{
  Stashhog__TestConnectionRequest test = STASHHOG__TEST_CONNECTION_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  g_return_if_fail (STASHHOG_IS_PREFERENCES (self));
  test.has_target = TRUE;
  test.target = target ? STASHHOG__CONNECTION_TARGET__CONNECTION_TARGET_LLM
                       : STASHHOG__CONNECTION_TARGET__CONNECTION_TARGET_STASH;
  req.body_case = STASHHOG__REQUEST__BODY_TEST_CONNECTION;
  req.test_connection = &test;
  gtk_label_set_text (target ? self->llm_result : self->stash_result, "Testing…");
  gtk_widget_set_sensitive (GTK_WIDGET (target ? self->llm_test_button : self->stash_test_button), FALSE);
  TestData *td = g_new0 (TestData, 1);
  td->self = g_object_ref (self);
  td->target = target;
  stashhog_client_call_async (self->client, &req, NULL, on_tested, td);
}

static void
on_test_clicked (GtkButton *button, gpointer user_data)
{
  StashhogPreferences *self = user_data;
  stashhog_preferences_test (self, button == self->llm_test_button);
}

static void
stashhog_preferences_dispose (GObject *object)
{
  StashhogPreferences *self = STASHHOG_PREFERENCES (object);
  g_clear_object (&self->client);
  g_clear_object (&self->app);
  g_clear_pointer (&self->setting_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_PREFERENCES);
  G_OBJECT_CLASS (stashhog_preferences_parent_class)->dispose (object);
}

static void
stashhog_preferences_class_init (StashhogPreferencesClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = stashhog_preferences_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/stashhog/StashHog/stashhog-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogPreferences, url_row);
  gtk_widget_class_bind_template_child (widget_class, StashhogPreferences, token_row);
  gtk_widget_class_bind_template_child (widget_class, StashhogPreferences, connect_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogPreferences, settings_page);
  gtk_widget_class_bind_template_child (widget_class, StashhogPreferences, stash_group);
  gtk_widget_class_bind_template_child (widget_class, StashhogPreferences, llm_group);
  gtk_widget_class_bind_template_child (widget_class, StashhogPreferences, other_group);
  gtk_widget_class_bind_template_child (widget_class, StashhogPreferences, stash_test_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogPreferences, llm_test_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogPreferences, stash_result);
  gtk_widget_class_bind_template_child (widget_class, StashhogPreferences, llm_result);
  gtk_widget_class_bind_template_child (widget_class, StashhogPreferences, save_button);
}

static void
stashhog_preferences_init (StashhogPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->setting_rows = g_ptr_array_new ();
  g_signal_connect (self->connect_button, "clicked", G_CALLBACK (on_connect), self);
  g_signal_connect (self->save_button, "clicked", G_CALLBACK (on_save), self);
  g_signal_connect (self->stash_test_button, "clicked", G_CALLBACK (on_test_clicked), self);
  g_signal_connect (self->llm_test_button, "clicked", G_CALLBACK (on_test_clicked), self);
  gtk_widget_set_visible (GTK_WIDGET (self->other_group), FALSE);
}

StashhogPreferences *
stashhog_preferences_new (StashhogApplication *app, GtkWindow *parent)
{
  g_return_val_if_fail (STASHHOG_IS_APPLICATION (app), NULL);
  StashhogPreferences *self = g_object_new (STASHHOG_TYPE_PREFERENCES, "transient-for", parent, NULL);
  const StashhogConnectionConfig *conn = stashhog_application_get_connection (app);
  self->app = g_object_ref (app);
  self->client = g_object_ref (stashhog_application_get_client (app));
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), conn->url ? conn->url : "");
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), conn->token ? conn->token : "");
  const Stashhog__StatusReply *status = stashhog_client_get_status (self->client);
  gboolean has_role = status && status->has_role;
  Stashhog__Role role = status ? status->role : STASHHOG__ROLE__ROLE_ADMIN;
  /* Daemon settings and webhooks are admin business (the daemon refuses the rest). */
  if (stashhog_role_allows (has_role, role, STASHHOG_CAN_SETTINGS))
    load_settings (self);
  else
    gtk_widget_set_visible (GTK_WIDGET (self->settings_page), FALSE);
  if (stashhog_role_allows (has_role, role, STASHHOG_CAN_WEBHOOKS))
    {
      self->webhooks_page = stashhog_webhooks_page_new (self->client);
      adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (self->webhooks_page));
    }
  return self;
}

StashhogWebhooksPage *
stashhog_preferences_show_webhooks (StashhogPreferences *self)
{
  g_return_val_if_fail (STASHHOG_IS_PREFERENCES (self), NULL);
  if (self->webhooks_page)
    adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (self),
                                             ADW_PREFERENCES_PAGE (self->webhooks_page));
  return self->webhooks_page;
}

void
stashhog_preferences_show_settings (StashhogPreferences *self)
{
  g_return_if_fail (STASHHOG_IS_PREFERENCES (self));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (self->settings_page));
}

guint
stashhog_preferences_get_n_settings (StashhogPreferences *self)
{
  g_return_val_if_fail (STASHHOG_IS_PREFERENCES (self), 0);
  return self->setting_rows->len;
}
