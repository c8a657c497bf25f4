/* stashhog-window.c - the main window: connection state, the view stack of
 * pages, toasts.  Adaptive layout: below NARROW_WIDTH the window tells every
 * page to use its phone layout (one pane, secondary controls in menus).  The
 * decision is made from the window's own allocation, in an idle after it
 * (never while allocating), and for all pages at once because hidden pages'
 * minimum widths hold the window wide too. */
#include "stashhog-window-private.h"

#include "stashhog-format.h"
#include "stashhog-gtk-private.h"
#include "stashhog-roles.h"

struct _StashhogWindow
{
  AdwApplicationWindow parent_instance;
  StashhogClient *client;
  gboolean was_connected;

  AdwToastOverlay *toast_overlay;
  GtkStack *main_stack;
  AdwStatusPage *status_page;
  GtkLabel *connection_label;
  AdwHeaderBar *header_bar;
  AdwViewStack *view_stack;
  AdwViewStackPage *jobs_stack_page;
  StashhogDashboardPage *dashboard_page;
  StashhogScenesPage *scenes_page;
  StashhogEntitiesPage *entities_page;
  StashhogPlansPage *plans_page;
  StashhogJobsPage *jobs_page;
  StashhogSchedulesPage *schedules_page;
  gboolean narrow;
  guint narrow_idle;
};

/* Above the widest page's desktop minimum, so a window at its desktop
 * minimum always falls below it and can shrink on to phone width. */
#define NARROW_WIDTH 700

G_DEFINE_FINAL_TYPE (StashhogWindow, stashhog_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---------------------------------------------------------------- helpers for pages */

void
stashhog_toast (GtkWidget *widget, const char *format, ...)
{
  va_list ap;
  GtkRoot *root = widget ? gtk_widget_get_root (widget) : NULL;
  if (GTK_IS_WINDOW (root) && !STASHHOG_IS_WINDOW (root))
    root = GTK_ROOT (gtk_window_get_transient_for (GTK_WINDOW (root)));
  if (!STASHHOG_IS_WINDOW (root))
    return;
  va_start (ap, format);
  g_autofree char *text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 4);
  stashhog_window_add_toast (STASHHOG_WINDOW (root), toast);
}

void
stashhog_toast_error (GtkWidget *widget, const char *what, const GError *error)
{
  if (!error || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (stashhog_client_error_is_unsupported (error))
    stashhog_toast (widget, "%s: this daemon does not support it yet", what);
  else
    stashhog_toast (widget, "%s: %s", what, error->message);
}

void
stashhog_clear_children (GtkWidget *container)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (container)))
    {
      if (GTK_IS_BOX (container))
        gtk_box_remove (GTK_BOX (container), child);
      else if (GTK_IS_LIST_BOX (container))
        gtk_list_box_remove (GTK_LIST_BOX (container), child);
      else if (GTK_IS_FLOW_BOX (container))
        gtk_flow_box_remove (GTK_FLOW_BOX (container), child);
      else
        gtk_widget_unparent (child);
    }
}

GtkWidget *
stashhog_value_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text && *text ? text : "—");
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  return label;
}

/* ---------------------------------------------------------------- connection state */

static void
refresh_all (StashhogWindow *self)
{
  stashhog_dashboard_page_refresh (self->dashboard_page);
  stashhog_scenes_page_refresh (self->scenes_page);
  stashhog_entities_page_refresh (self->entities_page);
  stashhog_plans_page_refresh (self->plans_page);
  stashhog_jobs_page_refresh (self->jobs_page);
  stashhog_schedules_page_refresh (self->schedules_page);
}

static void
update_state (StashhogWindow *self)
{
  StashhogConnectionState state = stashhog_client_get_state (self->client);
  const char *url = stashhog_client_get_url (self->client);
  const char *error = stashhog_client_get_last_error (self->client);
  g_autofree char *desc = NULL;

  switch (state)
    {
    case STASHHOG_CONNECTION_CONNECTED:
      gtk_stack_set_visible_child_name (self->main_stack, "main");
      gtk_label_set_text (self->connection_label, url && g_str_has_prefix (url, "ipc://") ? "" : url);
      if (!self->was_connected)
        refresh_all (self);
      self->was_connected = TRUE;
      return;
    case STASHHOG_CONNECTION_UNAUTHENTICATED:
      adw_status_page_set_icon_name (self->status_page, "dialog-password-symbolic");
      adw_status_page_set_title (self->status_page, "Authentication Required");
      desc = g_strdup_printf ("The daemon at %s refused the token. Enter the token printed by "
                              "“stashhogd --show-token” in the connection settings.", url ? url : "?");
      break;
    case STASHHOG_CONNECTION_UNREACHABLE:
      adw_status_page_set_icon_name (self->status_page, "network-offline-symbolic");
      adw_status_page_set_title (self->status_page, "Cannot Reach the Daemon");
      desc = g_strdup_printf ("%s\nStashHog keeps trying to reconnect in the background.",
                              error ? error : "No answer.");
      break;
    case STASHHOG_CONNECTION_CONNECTING:
    case STASHHOG_CONNECTION_DISCONNECTED:
    default:
      adw_status_page_set_icon_name (self->status_page, "network-transmit-receive-symbolic");
      adw_status_page_set_title (self->status_page, "Connecting…");
      desc = g_strdup_printf ("Connecting to %s", url ? url : "the daemon");
      break;
    }
  adw_status_page_set_description (self->status_page, desc);
  gtk_stack_set_visible_child_name (self->main_stack, "offline");
  self->was_connected = FALSE;
}

/* Hide or disable what the caller's role cannot do (the daemon would refuse). */
static void
apply_role (StashhogWindow *self)
{
  const Stashhog__StatusReply *st = stashhog_client_get_status (self->client);
  gboolean has = st && st->has_role;
  Stashhog__Role role = st ? st->role : STASHHOG__ROLE__ROLE_ADMIN;
  gboolean analyze = stashhog_role_allows (has, role, STASHHOG_CAN_ANALYZE);
  gboolean schedules = stashhog_role_allows (has, role, STASHHOG_CAN_SCHEDULES);
  static const char *const schedule_actions[] = { "schedules.new", "schedules.edit", "schedules.run",
                                                  "schedules.delete" };

  gtk_widget_action_set_enabled (GTK_WIDGET (self->scenes_page), "scenes.analyze", analyze);
  gtk_widget_action_set_enabled (GTK_WIDGET (self->scenes_page), "scenes.resync", analyze);
  stashhog_plan_view_set_allowed (stashhog_plans_page_get_plan_view (self->plans_page),
                                  stashhog_role_allows (has, role, STASHHOG_CAN_REVIEW),
                                  stashhog_role_allows (has, role, STASHHOG_CAN_APPLY));
  for (gsize i = 0; i < G_N_ELEMENTS (schedule_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self->schedules_page), schedule_actions[i], schedules);
  if (has && st->user)
    {
      g_autofree char *who = g_strdup_printf ("%s (%s)", st->user, stashhog_role_label (has, role));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->connection_label), who);
    }
}

static void
on_status_changed (StashhogClient *client, GParamSpec *pspec, gpointer user_data)
{
  (void) client, (void) pspec;
  apply_role (STASHHOG_WINDOW (user_data));
}

static void
on_state_changed (StashhogClient *client, GParamSpec *pspec, gpointer user_data)
{
  (void) client, (void) pspec;
  update_state (STASHHOG_WINDOW (user_data));
}

/* A toast when a job finishes, wherever the user is. */
static void
on_job_state (StashhogClient *client, const Stashhog__JobStateChanged *ev, gpointer user_data)
{
  StashhogWindow *self = user_data;
  const Stashhog__Job *job = ev->job;
  (void) client;
  if (!job)
    return;
  switch (job->status)
    {
    case STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED:
    case STASHHOG__JOB_STATUS__JOB_STATUS_FAILED:
    case STASHHOG__JOB_STATUS__JOB_STATUS_CANCELLED:
      {
        g_autofree char *status = g_ascii_strdown (stashhog_format_job_status (job->status), -1);
        gboolean has_error = job->error && *job->error;
        stashhog_toast (GTK_WIDGET (self), "Job #%" G_GINT64_FORMAT " (%s) %s%s%s", job->id, job->type, status,
                        has_error ? ": " : "", has_error ? job->error : "");
      }
      break;
    default:
      break;
    }
}

/* ---------------------------------------------------------------- actions */

static void
search_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  StashhogWindow *self = STASHHOG_WINDOW (widget);
  (void) action, (void) param;
  stashhog_window_show_page (self, "scenes");
  stashhog_scenes_page_focus_search (self->scenes_page);
}

static void
refresh_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  StashhogWindow *self = STASHHOG_WINDOW (widget);
  const char *name = adw_view_stack_get_visible_child_name (self->view_stack);
  (void) action, (void) param;
  if (g_strcmp0 (name, "dashboard") == 0)
    stashhog_dashboard_page_refresh (self->dashboard_page);
  else if (g_strcmp0 (name, "scenes") == 0)
    stashhog_scenes_page_refresh (self->scenes_page);
  else if (g_strcmp0 (name, "library") == 0)
    stashhog_entities_page_refresh (self->entities_page);
  else if (g_strcmp0 (name, "plans") == 0)
    stashhog_plans_page_refresh (self->plans_page);
  else if (g_strcmp0 (name, "jobs") == 0)
    stashhog_jobs_page_refresh (self->jobs_page);
  else if (g_strcmp0 (name, "schedules") == 0)
    stashhog_schedules_page_refresh (self->schedules_page);
}

static void
page_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  (void) action;
  stashhog_window_show_page (STASHHOG_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
on_show_scenes (StashhogEntitiesPage *page, int kind, gint64 id, const char *name, gpointer user_data)
{
  StashhogWindow *self = user_data;
  (void) page;
  stashhog_scenes_page_filter_entity (self->scenes_page, (Stashhog__EntityKind) kind, id, name);
  stashhog_window_show_page (self, "scenes");
}

static void
on_show_figure (StashhogDashboardPage *page, int figure, gpointer user_data)
{
  StashhogWindow *self = user_data;
  (void) page;
  stashhog_scenes_page_filter_figure (self->scenes_page, (StashhogFigure) figure);
  stashhog_window_show_page (self, "scenes");
}

static void
on_jobs_running (StashhogJobsPage *page, GParamSpec *pspec, gpointer user_data)
{
  StashhogWindow *self = user_data;
  guint running = stashhog_jobs_page_get_running (page);
  (void) pspec;
  adw_view_stack_page_set_badge_number (self->jobs_stack_page, running);
  adw_view_stack_page_set_needs_attention (self->jobs_stack_page, running > 0);
}

/* ---------------------------------------------------------------- adaptive layout */

static gboolean
apply_narrow (gpointer user_data)
{
  StashhogWindow *self = user_data;
  self->narrow_idle = 0;
  self->narrow = gtk_widget_get_width (GTK_WIDGET (self)) < NARROW_WIDTH;
  stashhog_scenes_page_set_narrow (self->scenes_page, self->narrow);
  stashhog_entities_page_set_narrow (self->entities_page, self->narrow);
  stashhog_plans_page_set_narrow (self->plans_page, self->narrow);
  /* Strict centering reserves the wider side twice: too much for a phone. */
  adw_header_bar_set_centering_policy (self->header_bar, self->narrow ? ADW_CENTERING_POLICY_LOOSE
                                                                      : ADW_CENTERING_POLICY_STRICT);
  gtk_widget_set_visible (GTK_WIDGET (self->connection_label), !self->narrow);
  return G_SOURCE_REMOVE;
}

static void
stashhog_window_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  StashhogWindow *self = STASHHOG_WINDOW (widget);
  GTK_WIDGET_CLASS (stashhog_window_parent_class)->size_allocate (widget, width, height, baseline);
  if ((width < NARROW_WIDTH) != self->narrow && !self->narrow_idle)
    self->narrow_idle = g_idle_add (apply_narrow, self);
}

/* ---------------------------------------------------------------- object */

static void
stashhog_window_dispose (GObject *object)
{
  StashhogWindow *self = STASHHOG_WINDOW (object);
  g_clear_handle_id (&self->narrow_idle, g_source_remove);
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_WINDOW);
  G_OBJECT_CLASS (stashhog_window_parent_class)->dispose (object);
}

static void
stashhog_window_class_init (StashhogWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stashhog_window_dispose;
  widget_class->size_allocate = stashhog_window_size_allocate;
  g_type_ensure (STASHHOG_TYPE_DASHBOARD_PAGE);
  g_type_ensure (STASHHOG_TYPE_SCENES_PAGE);
  g_type_ensure (STASHHOG_TYPE_ENTITIES_PAGE);
  g_type_ensure (STASHHOG_TYPE_PLANS_PAGE);
  g_type_ensure (STASHHOG_TYPE_JOBS_PAGE);
  g_type_ensure (STASHHOG_TYPE_SCHEDULES_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/stashhog/StashHog/stashhog-window.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, connection_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, jobs_stack_page);
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, dashboard_page);
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, scenes_page);
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, entities_page);
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, plans_page);
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, jobs_page);
  gtk_widget_class_bind_template_child (widget_class, StashhogWindow, schedules_page);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_activated);
  gtk_widget_class_install_action (widget_class, "win.page", "s", page_activated);
}

static void
stashhog_window_init (StashhogWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->entities_page, "show-scenes", G_CALLBACK (on_show_scenes), self);
  g_signal_connect (self->dashboard_page, "show-figure", G_CALLBACK (on_show_figure), self);
  g_signal_connect (self->jobs_page, "notify::running", G_CALLBACK (on_jobs_running), self);
}

StashhogWindow *
stashhog_window_new (StashhogApplication *app)
{
  g_return_val_if_fail (STASHHOG_IS_APPLICATION (app), NULL);
  StashhogWindow *self = g_object_new (STASHHOG_TYPE_WINDOW, "application", app, NULL);
  self->client = g_object_ref (stashhog_application_get_client (app));
  stashhog_dashboard_page_set_client (self->dashboard_page, self->client);
  stashhog_scenes_page_set_client (self->scenes_page, self->client);
  stashhog_entities_page_set_client (self->entities_page, self->client);
  stashhog_plans_page_set_client (self->plans_page, self->client);
  stashhog_jobs_page_set_client (self->jobs_page, self->client);
  stashhog_schedules_page_set_client (self->schedules_page, self->client);
  g_signal_connect (self->client, "notify::state", G_CALLBACK (on_state_changed), self);
  g_signal_connect (self->client, "notify::status", G_CALLBACK (on_status_changed), self);
  apply_role (self);
  g_signal_connect (self->client, "job-state", G_CALLBACK (on_job_state), self);
  update_state (self);
  return self;
}

void
stashhog_window_add_toast (StashhogWindow *self, AdwToast *toast)
{
  g_return_if_fail (STASHHOG_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
stashhog_window_show_page (StashhogWindow *self, const char *name)
{
  g_return_if_fail (STASHHOG_IS_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

StashhogClient *
stashhog_window_get_client (StashhogWindow *self)
{
  return self->client;
}

StashhogDashboardPage *
stashhog_window_get_dashboard_page (StashhogWindow *self)
{
  return self->dashboard_page;
}

StashhogScenesPage *
stashhog_window_get_scenes_page (StashhogWindow *self)
{
  return self->scenes_page;
}

StashhogPlansPage *
stashhog_window_get_plans_page (StashhogWindow *self)
{
  return self->plans_page;
}

StashhogJobsPage *
stashhog_window_get_jobs_page (StashhogWindow *self)
{
  return self->jobs_page;
}

StashhogSchedulesPage *
stashhog_window_get_schedules_page (StashhogWindow *self)
{
  return self->schedules_page;
}

StashhogEntitiesPage *
stashhog_window_get_entities_page (StashhogWindow *self)
{
  return self->entities_page;
}

const char *
stashhog_window_get_state_page (StashhogWindow *self)
{
  return gtk_stack_get_visible_child_name (self->main_stack);
}

const char *
stashhog_window_get_visible_page (StashhogWindow *self)
{
  return adw_view_stack_get_visible_child_name (self->view_stack);
}
