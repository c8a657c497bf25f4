#include "stashhog-dashboard-page.h"

#include "stashhog-bar-chart.h"
#include "stashhog-format.h"
#include "stashhog-gtk-private.h"

#define CHART_DAYS 30

struct _StashhogDashboardPage
{
  GtkWidget parent_instance;
  StashhogClient *client;
  gboolean loaded;
  gint64 values[STASHHOG_N_FIGURES]; /* -1: not reported */
  guint refresh_source;
  GtkWidget *figure_buttons[STASHHOG_N_FIGURES];
  GtkLabel *figure_values[STASHHOG_N_FIGURES];
  GtkLabel *figure_shares[STASHHOG_N_FIGURES];

  GtkStack *stack;
  AdwStatusPage *status_page;
  GtkLabel *library_label;
  GtkFlowBox *figure_box;
  GtkLabel *chart_label;
  StashhogBarChart *chart;
  AdwActionRow *plans_row;
  AdwActionRow *applied_row;
  AdwActionRow *jobs_row;
  AdwActionRow *llm_row;
};

G_DEFINE_FINAL_TYPE (StashhogDashboardPage, stashhog_dashboard_page, GTK_TYPE_WIDGET)

enum { SIG_SHOW_FIGURE, N_SIGNALS };
static guint signals[N_SIGNALS];

static char *
thousands (gint64 n)
{
  /* %'d honours the locale's grouping; tests run in C, where it is plain. */
  return g_strdup_printf ("%'" G_GINT64_FORMAT, n);
}

static void
set_row (AdwActionRow *row, const char *subtitle)
{
  adw_action_row_set_subtitle (row, subtitle && *subtitle ? subtitle : "—");
}

static void
show_stats (StashhogDashboardPage *self, const Stashhog__StatsReply *s)
{
  g_autofree char *total = thousands (s->scenes_total);
  g_autofree char *library = g_strdup_printf ("%s scenes · %" G_GINT64_FORMAT " performers · %" G_GINT64_FORMAT
                                              " studios · %" G_GINT64_FORMAT " tags",
                                              total, s->performers, s->studios, s->tags);
  gtk_label_set_text (self->library_label, library);

  for (int f = 0; f < STASHHOG_N_FIGURES; f++)
    {
      gint64 v = 0;
      gboolean has = stashhog_figure_value ((StashhogFigure) f, s, &v);
      self->values[f] = has ? v : -1;
      g_autofree char *value = has ? thousands (v) : g_strdup ("—");
      g_autofree char *share = has && s->scenes_total > 0
                                   ? g_strdup_printf ("%.0f %% of scenes", 100.0 * (double) v / (double) s->scenes_total)
                                   : g_strdup ("");
      gtk_label_set_text (self->figure_values[f], value);
      gtk_label_set_text (self->figure_shares[f], share);
      /* Nothing to list when there is nothing missing. */
      gtk_widget_set_sensitive (self->figure_buttons[f], has && v > 0);
    }

  gint64 in_window = 0;
  for (size_t i = 0; i < s->n_changes_per_day; i++)
    in_window += s->changes_per_day[i]->count;
  g_autofree char *chart = g_strdup_printf ("Changes applied, last %zu days: %" G_GINT64_FORMAT,
                                            s->n_changes_per_day, in_window);
  gtk_label_set_text (self->chart_label, chart);
  stashhog_bar_chart_set_days (self->chart, s->changes_per_day, s->n_changes_per_day);

  g_autofree char *plans = s->has_plans ? thousands (s->plans) : NULL;
  g_autofree char *applied = s->has_changes_applied_total ? thousands (s->changes_applied_total) : NULL;
  set_row (self->plans_row, plans);
  set_row (self->applied_row, applied);

  /* Jobs: totals per status across types ("12 completed · 1 failed"). */
  gint64 per_status[8] = { 0 };
  for (size_t i = 0; i < s->n_jobs; i++)
    if ((guint) s->jobs[i]->status < G_N_ELEMENTS (per_status))
      per_status[s->jobs[i]->status] += s->jobs[i]->count;
  g_autoptr (GString) jobs = g_string_new (NULL);
  for (guint st = 0; st < G_N_ELEMENTS (per_status); st++)
    if (per_status[st] > 0)
      {
        g_autofree char *name = g_ascii_strdown (stashhog_format_job_status ((Stashhog__JobStatus) st), -1);
        g_string_append_printf (jobs, "%s%" G_GINT64_FORMAT " %s", jobs->len ? " · " : "", per_status[st], name);
      }
  set_row (self->jobs_row, jobs->str);

  g_autofree char *llm = g_strdup_printf ("%" G_GINT64_FORMAT " prompt + %" G_GINT64_FORMAT
                                          " completion tokens · $%.4f",
                                          s->llm_prompt_tokens, s->llm_completion_tokens, s->llm_cost_usd);
  set_row (self->llm_row, llm);
  gtk_stack_set_visible_child_name (self->stack, "stats");
  self->loaded = TRUE;
}

static void
on_stats (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogDashboardPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);

  if (reply && reply->body_case == STASHHOG__REPLY__BODY_STATS)
    {
      show_stats (self, reply->stats);
      return;
    }
  if (self->loaded)
    {
      stashhog_toast_error (GTK_WIDGET (self), "Cannot refresh the dashboard", error);
      return;
    }
  adw_status_page_set_title (self->status_page, "No Statistics");
  adw_status_page_set_description (self->status_page, error && stashhog_client_error_is_unsupported (error)
                                                          ? "This daemon does not report statistics."
                                                      : error ? error->message
                                                              : "unexpected reply");
}

void
stashhog_dashboard_page_refresh (StashhogDashboardPage *self)
{
  Stashhog__StatsRequest stats = STASHHOG__STATS_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;

  g_return_if_fail (STASHHOG_IS_DASHBOARD_PAGE (self));
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (!self->client)
    return;
  stats.has_days = TRUE;
  stats.days = CHART_DAYS;
  req.body_case = STASHHOG__REQUEST__BODY_STATS;
  req.stats = &stats;
  stashhog_client_call_async (self->client, &req, NULL, on_stats, g_object_ref (self));
}

static gboolean
refresh_cb (gpointer user_data)
{
  StashhogDashboardPage *self = user_data;
  self->refresh_source = 0;
  stashhog_dashboard_page_refresh (self);
  return G_SOURCE_REMOVE;
}

/* Figures move when a sync, an apply or a rollback finishes. */
static void
on_job_state (StashhogClient *client, const Stashhog__JobStateChanged *ev, gpointer user_data)
{
  StashhogDashboardPage *self = user_data;
  (void) client;
  if (!ev->job || ev->job->status < STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED)
    return;
  if (!self->refresh_source)
    self->refresh_source = g_timeout_add (500, refresh_cb, self);
}

static void
on_figure_clicked (GtkButton *button, gpointer user_data)
{
  StashhogDashboardPage *self = user_data;
  int figure = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "figure"));
  stashhog_dashboard_page_activate_figure (self, (StashhogFigure) figure);
}

static void
build_figures (StashhogDashboardPage *self)
{
  for (int f = 0; f < STASHHOG_N_FIGURES; f++)
    {
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *value = gtk_label_new ("—");
      GtkWidget *label = gtk_label_new (stashhog_figure_label ((StashhogFigure) f));
      GtkWidget *share = gtk_label_new (NULL);
      g_autofree char *tooltip = g_strdup_printf ("Show the scenes: %s", stashhog_figure_label ((StashhogFigure) f));

      gtk_widget_add_css_class (value, "title-1");
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_add_css_class (share, "dim-label");
      gtk_widget_add_css_class (share, "caption");
      for (GtkWidget *w = value; w; w = w == value ? label : w == label ? share : NULL)
        {
          gtk_label_set_xalign (GTK_LABEL (w), 0);
          gtk_label_set_ellipsize (GTK_LABEL (w), PANGO_ELLIPSIZE_END);
          gtk_box_append (GTK_BOX (box), w);
        }
      gtk_widget_set_margin_start (box, 6);
      gtk_widget_set_margin_end (box, 6);
      gtk_widget_set_margin_top (box, 6);
      gtk_widget_set_margin_bottom (box, 6);
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "card");
      gtk_widget_add_css_class (button, "health-figure");
      gtk_widget_set_tooltip_text (button, tooltip);
      g_object_set_data (G_OBJECT (button), "figure", GINT_TO_POINTER (f));
      g_signal_connect (button, "clicked", G_CALLBACK (on_figure_clicked), self);
      gtk_flow_box_append (self->figure_box, button);
      self->figure_buttons[f] = button;
      self->figure_values[f] = GTK_LABEL (value);
      self->figure_shares[f] = GTK_LABEL (share);
    }
}

static void
stashhog_dashboard_page_dispose (GObject *object)
{
  StashhogDashboardPage *self = STASHHOG_DASHBOARD_PAGE (object);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_DASHBOARD_PAGE);
  G_OBJECT_CLASS (stashhog_dashboard_page_parent_class)->dispose (object);
}

static void
stashhog_dashboard_page_class_init (StashhogDashboardPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = stashhog_dashboard_page_dispose;
  signals[SIG_SHOW_FIGURE] = g_signal_new ("show-figure", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                           NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  g_type_ensure (STASHHOG_TYPE_BAR_CHART);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stashhog/StashHog/stashhog-dashboard-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogDashboardPage, stack);
  gtk_widget_class_bind_template_child (widget_class, StashhogDashboardPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, StashhogDashboardPage, library_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogDashboardPage, figure_box);
  gtk_widget_class_bind_template_child (widget_class, StashhogDashboardPage, chart_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogDashboardPage, chart);
  gtk_widget_class_bind_template_child (widget_class, StashhogDashboardPage, plans_row);
  gtk_widget_class_bind_template_child (widget_class, StashhogDashboardPage, applied_row);
  gtk_widget_class_bind_template_child (widget_class, StashhogDashboardPage, jobs_row);
  gtk_widget_class_bind_template_child (widget_class, StashhogDashboardPage, llm_row);
}

static void
stashhog_dashboard_page_init (StashhogDashboardPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_figures (self);
}

void
stashhog_dashboard_page_set_client (StashhogDashboardPage *self, StashhogClient *client)
{
  g_return_if_fail (STASHHOG_IS_DASHBOARD_PAGE (self));
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);
  if (client)
    g_signal_connect (client, "job-state", G_CALLBACK (on_job_state), self);
}

gboolean
stashhog_dashboard_page_get_loaded (StashhogDashboardPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_DASHBOARD_PAGE (self), FALSE);
  return self->loaded;
}

void
stashhog_dashboard_page_activate_figure (StashhogDashboardPage *self, StashhogFigure figure)
{
  g_return_if_fail (STASHHOG_IS_DASHBOARD_PAGE (self));
  g_return_if_fail ((guint) figure < STASHHOG_N_FIGURES);
  g_signal_emit (self, signals[SIG_SHOW_FIGURE], 0, (int) figure);
}

gint64
stashhog_dashboard_page_get_figure (StashhogDashboardPage *self, StashhogFigure figure)
{
  g_return_val_if_fail (STASHHOG_IS_DASHBOARD_PAGE (self), -1);
  g_return_val_if_fail ((guint) figure < STASHHOG_N_FIGURES, -1);
  return self->loaded ? self->values[figure] : -1;
}
