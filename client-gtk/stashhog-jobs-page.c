#include "stashhog-jobs-page.h"

#include "stashhog-gtk-private.h"
#include "stashhog-job-row.h"

#define JOB_LIMIT 50

struct _StashhogJobsPage
{
  GtkWidget parent_instance;
  StashhogClient *client;
  GHashTable *rows; /* job id -> StashhogJobRow* (borrowed from the lists) */
  guint running;
  guint refresh_source;

  GtkStack *stack;
  GtkListBox *active_list;
  GtkListBox *recent_list;
  GtkLabel *no_active_label;
  AdwStatusPage *error_page;
};

G_DEFINE_FINAL_TYPE (StashhogJobsPage, stashhog_jobs_page, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_RUNNING, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
set_running (StashhogJobsPage *self, guint running)
{
  if (self->running == running)
    return;
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
on_jobs (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogJobsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  guint running = 0;

  if (!reply || reply->body_case != STASHHOG__REPLY__BODY_JOB_LIST)
    {
      adw_status_page_set_description (self->error_page, error ? error->message : "unexpected reply");
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "jobs");
  g_hash_table_remove_all (self->rows);
  stashhog_clear_children (GTK_WIDGET (self->active_list));
  stashhog_clear_children (GTK_WIDGET (self->recent_list));
  for (size_t i = 0; i < reply->job_list->n_jobs; i++)
    {
      StashhogJobRow *row = stashhog_job_row_new (reply->job_list->jobs[i]);
      gboolean is_active = stashhog_job_row_is_active (row);
      gtk_list_box_append (is_active ? self->active_list : self->recent_list, GTK_WIDGET (row));
      g_hash_table_insert (self->rows, g_memdup2 (&reply->job_list->jobs[i]->id, sizeof (gint64)), row);
      running += is_active;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->active_list), running > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->no_active_label), running == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->recent_list), reply->job_list->n_jobs > running);
  set_running (self, running);
}

void
stashhog_jobs_page_refresh (StashhogJobsPage *self)
{
  Stashhog__JobListRequest list = STASHHOG__JOB_LIST_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;

  g_return_if_fail (STASHHOG_IS_JOBS_PAGE (self));
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (!self->client)
    return;
  list.has_limit = TRUE;
  list.limit = JOB_LIMIT;
  req.body_case = STASHHOG__REQUEST__BODY_JOB_LIST;
  req.job_list = &list;
  stashhog_client_call_async (self->client, &req, NULL, on_jobs, g_object_ref (self));
}

static gboolean
refresh_cb (gpointer user_data)
{
  StashhogJobsPage *self = user_data;
  self->refresh_source = 0;
  stashhog_jobs_page_refresh (self);
  return G_SOURCE_REMOVE;
}

/* Bursts of state events become one refresh. */
static void
schedule_refresh (StashhogJobsPage *self)
{
  if (!self->refresh_source)
    self->refresh_source = g_timeout_add (250, refresh_cb, self);
}

static void
on_job_progress (StashhogClient *client, const Stashhog__JobProgress *p, gpointer user_data)
{
  StashhogJobsPage *self = user_data;
  StashhogJobRow *row = g_hash_table_lookup (self->rows, &p->job_id);
  (void) client;
  if (row)
    stashhog_job_row_update_progress (row, p);
  else
    schedule_refresh (self);
}

static void
on_job_state (StashhogClient *client, const Stashhog__JobStateChanged *ev, gpointer user_data)
{
  StashhogJobsPage *self = user_data;
  StashhogJobRow *row = ev->job ? g_hash_table_lookup (self->rows, &ev->job->id) : NULL;
  (void) client;
  if (row)
    stashhog_job_row_update (row, ev->job);
  schedule_refresh (self); /* moves it between the lists */
}

static void
on_action_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogJobsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  if (!reply)
    stashhog_toast_error (GTK_WIDGET (self), "Job action failed", error);
  else if (reply->body_case == STASHHOG__REPLY__BODY_JOB)
    stashhog_toast (GTK_WIDGET (self), "Retrying as job #%" G_GINT64_FORMAT, reply->job->id);
  stashhog_jobs_page_refresh (self);
}

static void
job_action (GtkWidget *widget, const char *action, GVariant *param)
{
  StashhogJobsPage *self = STASHHOG_JOBS_PAGE (widget);
  Stashhog__JobCancelRequest cancel = STASHHOG__JOB_CANCEL_REQUEST__INIT;
  Stashhog__JobRetryRequest retry = STASHHOG__JOB_RETRY_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;

  if (!self->client)
    return;
  if (g_str_equal (action, "job.cancel"))
    {
      cancel.id = g_variant_get_int64 (param);
      req.body_case = STASHHOG__REQUEST__BODY_JOB_CANCEL;
      req.job_cancel = &cancel;
    }
  else
    {
      retry.id = g_variant_get_int64 (param);
      req.body_case = STASHHOG__REQUEST__BODY_JOB_RETRY;
      req.job_retry = &retry;
    }
  stashhog_client_call_async (self->client, &req, NULL, on_action_reply, g_object_ref (self));
}

static void
stashhog_jobs_page_dispose (GObject *object)
{
  StashhogJobsPage *self = STASHHOG_JOBS_PAGE (object);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_JOBS_PAGE);
  G_OBJECT_CLASS (stashhog_jobs_page_parent_class)->dispose (object);
}

static void
stashhog_jobs_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StashhogJobsPage *self = STASHHOG_JOBS_PAGE (object);
  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_uint (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stashhog_jobs_page_class_init (StashhogJobsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stashhog_jobs_page_dispose;
  object_class->get_property = stashhog_jobs_page_get_property;
  properties[PROP_RUNNING] = g_param_spec_uint ("running", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/stashhog/StashHog/stashhog-jobs-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogJobsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, StashhogJobsPage, active_list);
  gtk_widget_class_bind_template_child (widget_class, StashhogJobsPage, recent_list);
  gtk_widget_class_bind_template_child (widget_class, StashhogJobsPage, no_active_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogJobsPage, error_page);
  gtk_widget_class_install_action (widget_class, "job.cancel", "x", job_action);
  gtk_widget_class_install_action (widget_class, "job.retry", "x", job_action);
}

static void
stashhog_jobs_page_init (StashhogJobsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

void
stashhog_jobs_page_set_client (StashhogJobsPage *self, StashhogClient *client)
{
  g_return_if_fail (STASHHOG_IS_JOBS_PAGE (self));
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);
  if (!client)
    return;
  g_signal_connect (client, "job-progress", G_CALLBACK (on_job_progress), self);
  g_signal_connect (client, "job-state", G_CALLBACK (on_job_state), self);
}

guint
stashhog_jobs_page_get_running (StashhogJobsPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_JOBS_PAGE (self), 0);
  return self->running;
}

guint
stashhog_jobs_page_get_n_jobs (StashhogJobsPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_JOBS_PAGE (self), 0);
  return g_hash_table_size (self->rows);
}
