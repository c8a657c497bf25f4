#include "stashhog-job-row.h"

#include "stashhog-format.h"

struct _StashhogJobRow
{
  GtkListBoxRow parent_instance;
  gint64 id;
  Stashhog__JobStatus status;
  /* For a rate estimate when the daemon sends none (EMA over events). */
  gint64 last_done;
  gint64 last_us;
  double rate;

  GtkLabel *title_label;
  GtkLabel *status_label;
  GtkLabel *message_label;
  GtkProgressBar *progress_bar;
  GtkLabel *progress_label;
  GtkButton *cancel_button;
  GtkButton *retry_button;
};

G_DEFINE_FINAL_TYPE (StashhogJobRow, stashhog_job_row, GTK_TYPE_LIST_BOX_ROW)

static gboolean
active (Stashhog__JobStatus s)
{
  return s == STASHHOG__JOB_STATUS__JOB_STATUS_QUEUED || s == STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING;
}

static void
set_status (StashhogJobRow *self, Stashhog__JobStatus status)
{
  static const char *const classes[] = { "accent", "success", "error", "warning" };
  self->status = status;
  gtk_label_set_text (self->status_label, stashhog_format_job_status (status));
  for (gsize i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label),
                            status == STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED ? "success"
                            : status == STASHHOG__JOB_STATUS__JOB_STATUS_FAILED  ? "error"
                            : status == STASHHOG__JOB_STATUS__JOB_STATUS_CANCELLED ? "warning"
                                                                                  : "accent");
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), active (status));
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button),
                          status == STASHHOG__JOB_STATUS__JOB_STATUS_FAILED ||
                              status == STASHHOG__JOB_STATUS__JOB_STATUS_CANCELLED);
}

static void
set_progress (StashhogJobRow *self, gint64 done, gint64 total, double rate, gint64 eta_s)
{
  gint64 now = g_get_monotonic_time ();
  if (rate <= 0 && self->last_us > 0 && now > self->last_us && done > self->last_done)
    {
      double inst = (double) (done - self->last_done) * 1e6 / (double) (now - self->last_us);
      self->rate = self->rate > 0 ? 0.7 * self->rate + 0.3 * inst : inst;
    }
  self->last_done = done;
  self->last_us = now;
  if (rate <= 0)
    rate = self->rate;
  if (eta_s <= 0 && rate > 0 && total > done && active (self->status))
    eta_s = (gint64) ((double) (total - done) / rate);

  double fraction = stashhog_format_fraction (done, total);
  if (fraction >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  else if (active (self->status))
    gtk_progress_bar_pulse (self->progress_bar);
  else
    gtk_progress_bar_set_fraction (self->progress_bar, self->status == STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED);
  g_autofree char *text = stashhog_format_progress (done, total, active (self->status) ? rate : 0,
                                                    active (self->status) ? eta_s : 0);
  gtk_label_set_text (self->progress_label, text);
}

void
stashhog_job_row_update (StashhogJobRow *self, const Stashhog__Job *job)
{
  g_return_if_fail (STASHHOG_IS_JOB_ROW (self));
  g_return_if_fail (job != NULL);
  g_autofree char *title = g_strdup_printf ("#%" G_GINT64_FORMAT " %s", job->id, job->type);
  g_autofree char *when = stashhog_format_time_ms (job->has_finished_at_ms ? job->finished_at_ms
                                                   : job->has_started_at_ms ? job->started_at_ms
                                                                            : job->created_at_ms);
  g_autofree char *message = NULL;

  self->id = job->id;
  gtk_label_set_text (self->title_label, title);
  set_status (self, job->status);
  if (job->error && *job->error)
    message = g_strdup_printf ("%s — %s", when, job->error);
  else if (job->message && *job->message)
    message = g_strdup_printf ("%s — %s", when, job->message);
  else
    message = g_strdup (when);
  gtk_label_set_text (self->message_label, message);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->message_label), message);
  set_progress (self, job->done, job->total, job->has_rate ? job->rate : 0, job->has_eta_s ? job->eta_s : 0);
}

void
stashhog_job_row_update_progress (StashhogJobRow *self, const Stashhog__JobProgress *p)
{
  g_return_if_fail (STASHHOG_IS_JOB_ROW (self));
  g_return_if_fail (p != NULL);
  set_status (self, p->status);
  if (p->message && *p->message)
    gtk_label_set_text (self->message_label, p->message);
  set_progress (self, p->done, p->total, p->has_rate ? p->rate : 0, p->has_eta_s ? p->eta_s : 0);
}

static void
stashhog_job_row_class_init (StashhogJobRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/stashhog/StashHog/stashhog-job-row.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogJobRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogJobRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogJobRow, message_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogJobRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, StashhogJobRow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogJobRow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogJobRow, retry_button);
}

static void
stashhog_job_row_init (StashhogJobRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

StashhogJobRow *
stashhog_job_row_new (const Stashhog__Job *job)
{
  StashhogJobRow *self = g_object_new (STASHHOG_TYPE_JOB_ROW, NULL);
  stashhog_job_row_update (self, job);
  /* The page's job.cancel / job.retry actions take the id as target. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->cancel_button), "x", job->id);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->retry_button), "x", job->id);
  return self;
}

gint64
stashhog_job_row_get_id (StashhogJobRow *self)
{
  g_return_val_if_fail (STASHHOG_IS_JOB_ROW (self), 0);
  return self->id;
}

gboolean
stashhog_job_row_is_active (StashhogJobRow *self)
{
  g_return_val_if_fail (STASHHOG_IS_JOB_ROW (self), FALSE);
  return active (self->status);
}
