#include "stashhog-schedules-page.h"

#include "stashhog-format.h"
#include "stashhog-gtk-private.h"
#include "stashhog-schedule-dialog.h"

struct _StashhogSchedulesPage
{
  GtkWidget parent_instance;
  StashhogClient *client;
  sh_reply *last; /* the ScheduleListReply the rows were built from */

  GtkListBox *list;
  GtkLabel *status_label;
};

G_DEFINE_FINAL_TYPE (StashhogSchedulesPage, stashhog_schedules_page, GTK_TYPE_WIDGET)

static const Stashhog__Schedule *
find (StashhogSchedulesPage *self, gint64 id)
{
  if (!self->last || self->last->body_case != STASHHOG__REPLY__BODY_SCHEDULE_LIST)
    return NULL;
  for (size_t i = 0; i < self->last->schedule_list->n_schedules; i++)
    if (self->last->schedule_list->schedules[i]->id == id)
      return self->last->schedule_list->schedules[i];
  return NULL;
}

static GtkWidget *
suffix_button (const char *icon, const char *tooltip, const char *action, gint64 id)
{
  GtkWidget *b = gtk_button_new_from_icon_name (icon);
  gtk_widget_set_tooltip_text (b, tooltip);
  gtk_widget_set_valign (b, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (b, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (b), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (b), "x", id);
  return b;
}

static void send_enable (StashhogSchedulesPage *self, gint64 id, gboolean enabled);

static gboolean
on_switch (GtkSwitch *sw, gboolean state, gpointer user_data)
{
  StashhogSchedulesPage *self = user_data;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (sw), "id"));
  send_enable (self, id, state);
  return FALSE;
}

static GtkWidget *
schedule_row (StashhogSchedulesPage *self, const Stashhog__Schedule *s)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_markup_escape_text (s->name, -1);
  g_autofree char *next = s->has_next_run_ms ? stashhog_format_time_ms (s->next_run_ms) : g_strdup ("");
  g_autofree char *last = s->has_last_run_ms ? stashhog_format_time_ms (s->last_run_ms) : g_strdup ("never");
  g_autofree char *when = s->cron && *s->cron ? g_strdup (s->cron)
                                              : g_strdup_printf ("every %" G_GINT64_FORMAT " s", s->interval_s);
  g_autofree char *subtitle = g_strdup_printf ("%s · %s · next %s · last %s%s%s", s->job_type, when,
                                               *next ? next : "—", last, s->has_last_status ? " " : "",
                                               s->has_last_status ? stashhog_format_job_status (s->last_status) : "");
  g_autofree char *escaped = g_markup_escape_text (subtitle, -1);
  GtkWidget *sw = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  gtk_switch_set_active (GTK_SWITCH (sw), !s->has_enabled || s->enabled);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (sw, "Enabled");
  g_object_set_data (G_OBJECT (sw), "id", GSIZE_TO_POINTER ((gsize) s->id));
  g_signal_connect (sw, "state-set", G_CALLBACK (on_switch), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix_button ("media-playback-start-symbolic", "Run now",
                                                                  "schedules.run", s->id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix_button ("document-open-recent-symbolic", "History",
                                                                  "schedules.history", s->id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix_button ("document-edit-symbolic", "Edit",
                                                                  "schedules.edit", s->id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix_button ("user-trash-symbolic", "Delete",
                                                                  "schedules.delete", s->id));
  return row;
}

static void
on_list (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogSchedulesPage) self = user_data;
  g_autoptr (GError) error = NULL;
  sh_reply *reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);

  stashhog_clear_children (GTK_WIDGET (self->list));
  g_clear_pointer (&self->last, sh_wire_reply_free);
  if (!reply || reply->body_case != STASHHOG__REPLY__BODY_SCHEDULE_LIST)
    {
      g_clear_pointer (&reply, sh_wire_reply_free);
      gtk_widget_set_visible (GTK_WIDGET (self->list), FALSE);
      gtk_label_set_text (self->status_label, stashhog_client_error_is_unsupported (error)
                                                  ? "This daemon does not support schedules yet."
                                                  : error ? error->message : "unexpected reply");
      return;
    }
  self->last = reply;
  for (size_t i = 0; i < reply->schedule_list->n_schedules; i++)
    gtk_list_box_append (self->list, schedule_row (self, reply->schedule_list->schedules[i]));
  gtk_widget_set_visible (GTK_WIDGET (self->list), reply->schedule_list->n_schedules > 0);
  gtk_label_set_text (self->status_label, reply->schedule_list->n_schedules
                                              ? ""
                                              : "No schedules. Create one to sync or analyze regularly.");
}

void
stashhog_schedules_page_refresh (StashhogSchedulesPage *self)
{
  Stashhog__ScheduleListRequest list = STASHHOG__SCHEDULE_LIST_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  g_return_if_fail (STASHHOG_IS_SCHEDULES_PAGE (self));
  if (!self->client)
    return;
  req.body_case = STASHHOG__REQUEST__BODY_SCHEDULE_LIST;
  req.schedule_list = &list;
  stashhog_client_call_async (self->client, &req, NULL, on_list, g_object_ref (self));
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogSchedulesPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  if (!reply)
    stashhog_toast_error (GTK_WIDGET (self), "Schedule", error);
  else if (reply->body_case == STASHHOG__REPLY__BODY_JOB)
    stashhog_toast (GTK_WIDGET (self), "Started job #%" G_GINT64_FORMAT, reply->job->id);
  stashhog_schedules_page_refresh (self);
}

static void
send_enable (StashhogSchedulesPage *self, gint64 id, gboolean enabled)
{
  const Stashhog__Schedule *found = find (self, id);
  Stashhog__ScheduleSaveRequest save = STASHHOG__SCHEDULE_SAVE_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  Stashhog__Schedule s;
  if (!found || !self->client || (!found->has_enabled || found->enabled) == enabled)
    return;
  s = *found; /* shallow copy: same strings, new enabled flag */
  s.has_enabled = TRUE;
  s.enabled = enabled;
  save.schedule = &s;
  req.body_case = STASHHOG__REQUEST__BODY_SCHEDULE_SAVE;
  req.schedule_save = &save;
  stashhog_client_call_async (self->client, &req, NULL, on_done, g_object_ref (self));
}

static void
on_history (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogSchedulesPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  g_autoptr (GString) body = g_string_new (NULL);

  if (!reply || reply->body_case != STASHHOG__REPLY__BODY_JOB_LIST)
    {
      stashhog_toast_error (GTK_WIDGET (self), "History", error);
      return;
    }
  for (size_t i = 0; i < reply->job_list->n_jobs; i++)
    {
      const Stashhog__Job *j = reply->job_list->jobs[i];
      g_autofree char *t = stashhog_format_time_ms (j->created_at_ms);
      g_string_append_printf (body, "#%" G_GINT64_FORMAT "  %s  %s%s%s\n", j->id, t,
                              stashhog_format_job_status (j->status), j->error ? ": " : "", j->error ? j->error : "");
    }
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              "Schedule History", body->len ? body->str : "No runs yet.");
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", "_Close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_saved (StashhogScheduleDialog *dialog, gpointer user_data)
{
  (void) dialog;
  stashhog_schedules_page_refresh (STASHHOG_SCHEDULES_PAGE (user_data));
}

static void
schedule_action (GtkWidget *widget, const char *action, GVariant *param)
{
  StashhogSchedulesPage *self = STASHHOG_SCHEDULES_PAGE (widget);
  sh_request req = STASHHOG__REQUEST__INIT;
  Stashhog__ScheduleRunRequest run = STASHHOG__SCHEDULE_RUN_REQUEST__INIT;
  Stashhog__ScheduleDeleteRequest del = STASHHOG__SCHEDULE_DELETE_REQUEST__INIT;
  Stashhog__JobListRequest hist = STASHHOG__JOB_LIST_REQUEST__INIT;
  gint64 id = param ? g_variant_get_int64 (param) : 0;

  if (!self->client)
    return;
  if (g_str_equal (action, "schedules.new") || g_str_equal (action, "schedules.edit"))
    {
      StashhogScheduleDialog *dialog = stashhog_schedule_dialog_new (
          GTK_WINDOW (gtk_widget_get_root (widget)), self->client, id ? find (self, id) : NULL);
      g_signal_connect_object (dialog, "saved", G_CALLBACK (on_saved), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  if (g_str_equal (action, "schedules.run"))
    {
      run.id = id;
      req.body_case = STASHHOG__REQUEST__BODY_SCHEDULE_RUN;
      req.schedule_run = &run;
      stashhog_client_call_async (self->client, &req, NULL, on_done, g_object_ref (self));
    }
  else if (g_str_equal (action, "schedules.delete"))
    {
      del.id = id;
      req.body_case = STASHHOG__REQUEST__BODY_SCHEDULE_DELETE;
      req.schedule_delete = &del;
      stashhog_client_call_async (self->client, &req, NULL, on_done, g_object_ref (self));
    }
  else if (g_str_equal (action, "schedules.history"))
    {
      hist.has_schedule_id = TRUE;
      hist.schedule_id = id;
      hist.has_limit = TRUE;
      hist.limit = 20;
      req.body_case = STASHHOG__REQUEST__BODY_JOB_LIST;
      req.job_list = &hist;
      stashhog_client_call_async (self->client, &req, NULL, on_history, g_object_ref (self));
    }
}

static void
stashhog_schedules_page_dispose (GObject *object)
{
  StashhogSchedulesPage *self = STASHHOG_SCHEDULES_PAGE (object);
  g_clear_object (&self->client);
  g_clear_pointer (&self->last, sh_wire_reply_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_SCHEDULES_PAGE);
  G_OBJECT_CLASS (stashhog_schedules_page_parent_class)->dispose (object);
}

static void
stashhog_schedules_page_class_init (StashhogSchedulesPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = stashhog_schedules_page_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stashhog/StashHog/stashhog-schedules-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogSchedulesPage, list);
  gtk_widget_class_bind_template_child (widget_class, StashhogSchedulesPage, status_label);
  gtk_widget_class_install_action (widget_class, "schedules.new", NULL, schedule_action);
  gtk_widget_class_install_action (widget_class, "schedules.edit", "x", schedule_action);
  gtk_widget_class_install_action (widget_class, "schedules.run", "x", schedule_action);
  gtk_widget_class_install_action (widget_class, "schedules.delete", "x", schedule_action);
  gtk_widget_class_install_action (widget_class, "schedules.history", "x", schedule_action);
}

static void
stashhog_schedules_page_init (StashhogSchedulesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
stashhog_schedules_page_set_client (StashhogSchedulesPage *self, StashhogClient *client)
{
  g_return_if_fail (STASHHOG_IS_SCHEDULES_PAGE (self));
  g_set_object (&self->client, client);
}

guint
stashhog_schedules_page_get_n_schedules (StashhogSchedulesPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCHEDULES_PAGE (self), 0);
  return self->last && self->last->body_case == STASHHOG__REPLY__BODY_SCHEDULE_LIST
             ? (guint) self->last->schedule_list->n_schedules
             : 0;
}
