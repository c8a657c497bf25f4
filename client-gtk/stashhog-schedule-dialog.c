#include "stashhog-schedule-dialog.h"

#include "stashhog-format.h"
#include "stashhog-gtk-private.h"

#define PREVIEW_COUNT 5

struct _StashhogScheduleDialog
{
  AdwWindow parent_instance;
  StashhogClient *client;
  gint64 id;
  gboolean cron_valid;
  guint preview_serial;
  guint preview_source;

  GtkWidget *save_button;
  AdwEntryRow *name_row;
  AdwComboRow *type_row;
  AdwEntryRow *cron_row;
  AdwEntryRow *params_row;
  GtkSwitch *enabled_switch;
  GtkLabel *preview_label;
};

G_DEFINE_FINAL_TYPE (StashhogScheduleDialog, stashhog_schedule_dialog, ADW_TYPE_WINDOW)

enum { SIG_SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct
{
  StashhogScheduleDialog *self;
  guint serial;
} PreviewData;

static void
update_save (StashhogScheduleDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  gtk_widget_set_sensitive (self->save_button, self->cron_valid && name && *name);
  if (self->cron_valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->cron_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->cron_row), "error");
}

static void
on_preview (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PreviewData *pd = user_data;
  g_autoptr (StashhogScheduleDialog) self = pd->self;
  guint serial = pd->serial;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);

  g_free (pd);
  if (serial != self->preview_serial)
    return; /* the user typed on */
  if (!reply || reply->body_case != STASHHOG__REPLY__BODY_CRON_PREVIEW)
    {
      self->cron_valid = FALSE;
      gtk_label_set_text (self->preview_label, error ? error->message : "unexpected reply");
      update_save (self);
      return;
    }
  g_autoptr (GString) s = g_string_new (NULL);
  for (size_t i = 0; i < reply->cron_preview->n_next_runs_ms; i++)
    {
      g_autofree char *t = stashhog_format_time_ms (reply->cron_preview->next_runs_ms[i]);
      g_string_append_printf (s, "%s%s", i ? "\n" : "", t);
    }
  self->cron_valid = TRUE;
  gtk_label_set_text (self->preview_label, s->len ? s->str : "never");
  update_save (self);
}

static gboolean
preview_cb (gpointer user_data)
{
  StashhogScheduleDialog *self = user_data;
  Stashhog__CronPreviewRequest cp = STASHHOG__CRON_PREVIEW_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;

  self->preview_source = 0;
  cp.cron = (char *) gtk_editable_get_text (GTK_EDITABLE (self->cron_row));
  cp.has_count = TRUE;
  cp.count = PREVIEW_COUNT;
  req.body_case = STASHHOG__REQUEST__BODY_CRON_PREVIEW;
  req.cron_preview = &cp;
  PreviewData *pd = g_new0 (PreviewData, 1);
  pd->self = g_object_ref (self);
  pd->serial = self->preview_serial;
  stashhog_client_call_async (self->client, &req, NULL, on_preview, pd);
  return G_SOURCE_REMOVE;
}

static void
on_cron_changed (StashhogScheduleDialog *self)
{
  self->preview_serial++;
  self->cron_valid = FALSE;
  update_save (self);
  gtk_label_set_text (self->preview_label, "…");
  g_clear_handle_id (&self->preview_source, g_source_remove);
  self->preview_source = g_timeout_add (250, preview_cb, self);
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogScheduleDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  gtk_widget_set_sensitive (self->save_button, TRUE);
  if (!reply)
    {
      gtk_label_set_text (self->preview_label, error->message);
      return;
    }
  g_signal_emit (self, signals[SIG_SAVED], 0);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_save_clicked (GtkButton *button, gpointer user_data)
{
  StashhogScheduleDialog *self = user_data;
  Stashhog__ScheduleSaveRequest save = STASHHOG__SCHEDULE_SAVE_REQUEST__INIT;
  Stashhog__Schedule s = STASHHOG__SCHEDULE__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  const char *params = gtk_editable_get_text (GTK_EDITABLE (self->params_row));
  (void) button;

  if (self->id > 0)
    s.has_id = TRUE, s.id = self->id;
  s.name = (char *) gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  s.job_type = (char *) gtk_string_object_get_string (GTK_STRING_OBJECT (adw_combo_row_get_selected_item (self->type_row)));
  s.cron = (char *) gtk_editable_get_text (GTK_EDITABLE (self->cron_row));
  if (params && *params)
    s.params_json = (char *) params;
  s.has_enabled = TRUE;
  s.enabled = gtk_switch_get_active (self->enabled_switch);
  save.schedule = &s;
  req.body_case = STASHHOG__REQUEST__BODY_SCHEDULE_SAVE;
  req.schedule_save = &save;
  gtk_widget_set_sensitive (self->save_button, FALSE);
  stashhog_client_call_async (self->client, &req, NULL, on_saved, g_object_ref (self));
}

static void
stashhog_schedule_dialog_dispose (GObject *object)
{
  StashhogScheduleDialog *self = STASHHOG_SCHEDULE_DIALOG (object);
  g_clear_handle_id (&self->preview_source, g_source_remove);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_SCHEDULE_DIALOG);
  G_OBJECT_CLASS (stashhog_schedule_dialog_parent_class)->dispose (object);
}

static void
stashhog_schedule_dialog_class_init (StashhogScheduleDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = stashhog_schedule_dialog_dispose;
  signals[SIG_SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 0);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stashhog/StashHog/stashhog-schedule-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogScheduleDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogScheduleDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, StashhogScheduleDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, StashhogScheduleDialog, cron_row);
  gtk_widget_class_bind_template_child (widget_class, StashhogScheduleDialog, params_row);
  gtk_widget_class_bind_template_child (widget_class, StashhogScheduleDialog, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, StashhogScheduleDialog, preview_label);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
stashhog_schedule_dialog_init (StashhogScheduleDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->cron_row, "changed", G_CALLBACK (on_cron_changed), self);
  g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (update_save), self);
  g_signal_connect (self->save_button, "clicked", G_CALLBACK (on_save_clicked), self);
}

StashhogScheduleDialog *
stashhog_schedule_dialog_new (GtkWindow *parent, StashhogClient *client, const Stashhog__Schedule *s)
{
  g_return_val_if_fail (STASHHOG_IS_CLIENT (client), NULL);
  StashhogScheduleDialog *self = g_object_new (STASHHOG_TYPE_SCHEDULE_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  if (s)
    {
      GListModel *types = adw_combo_row_get_model (self->type_row);
      self->id = s->has_id ? s->id : 0;
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), s->name);
      for (guint i = 0; i < g_list_model_get_n_items (types); i++)
        if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (types), i), s->job_type) == 0)
          adw_combo_row_set_selected (self->type_row, i);
      gtk_editable_set_text (GTK_EDITABLE (self->params_row), s->params_json ? s->params_json : "");
      gtk_switch_set_active (self->enabled_switch, !s->has_enabled || s->enabled);
    }
  gtk_window_set_title (GTK_WINDOW (self), s ? "Edit Schedule" : "New Schedule");
  stashhog_schedule_dialog_set_cron (self, s && s->cron ? s->cron : "0 3 * * *");
  return self;
}

void
stashhog_schedule_dialog_set_cron (StashhogScheduleDialog *self, const char *cron)
{
  g_return_if_fail (STASHHOG_IS_SCHEDULE_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->cron_row), cron);
}

const char *
stashhog_schedule_dialog_get_preview (StashhogScheduleDialog *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCHEDULE_DIALOG (self), NULL);
  return gtk_label_get_text (self->preview_label);
}

gboolean
stashhog_schedule_dialog_get_cron_valid (StashhogScheduleDialog *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCHEDULE_DIALOG (self), FALSE);
  return self->cron_valid;
}
