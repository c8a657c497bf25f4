#include "stashhog-test-driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stashhog-format.h"
#include "stashhog-preferences.h"
#include "stashhog-window-private.h"

#define POLL_MS 50

typedef struct
{
  StashhogWindow *window; /* strong */
  char **lines;
  guint next;
  gint64 step_deadline_us; /* 0: the current step has not started waiting */
  gboolean failed;
  gboolean skip_plans;
  gboolean skip_jobs;
  StashhogPreferences *prefs;
  StashhogWebhooksPage *webhooks; /* owned by prefs */
  double scroll;
  gint64 figure_scenes; /* what the clicked dashboard figure counts */
  int want_width, want_height; /* the last resize */
  GtkPopover *popover;             /* the open "more" menu, not owned */
} Driver;

static gint64 driver_start_us;

static void
say (const char *status, const char *line, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
say (const char *status, const char *line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = fmt ? g_strdup_vprintf (fmt, ap) : NULL;
  va_end (ap);
  printf ("%s [%5" G_GINT64_FORMAT " ms] %s%s%s\n", status, (g_get_monotonic_time () - driver_start_us) / 1000, line,
          msg ? ": " : "", msg ? msg : "");
  fflush (stdout);
}

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  long kib = -1;
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    {
      const char *p = strstr (status, "VmRSS:");
      if (p)
        kib = strtol (p + 6, NULL, 10);
    }
  return kib;
}

static gboolean
save_png (GtkWidget *widget, const char *path, GError **error)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  g_autoptr (GskRenderNode) node = gtk_snapshot_free_to_node (snapshot);
  if (!node || w <= 0 || h <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING, "nothing rendered (%dx%d)", w, h);
      return FALSE;
    }
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autoptr (GdkTexture) texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s", path);
      return FALSE;
    }
  return TRUE;
}

/* Run what a key press would: the widget's own shortcut for that key, so
 * the key bindings themselves are under test (Xvfb has no input to fake). */
static gboolean
press_key (GtkWidget *widget, const char *name, GError **error)
{
  guint keyval = gdk_keyval_from_name (name);
  g_autoptr (GtkShortcutTrigger) want = NULL;
  g_autoptr (GListModel) controllers = NULL;

  if (keyval == GDK_KEY_VoidSymbol)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown key %s", name);
      return FALSE;
    }
  want = gtk_keyval_trigger_new (keyval, 0);
  controllers = gtk_widget_observe_controllers (widget);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);
      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr (GtkShortcut) sc = g_list_model_get_item (G_LIST_MODEL (controller), j);
          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (sc), want))
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (sc), 0, widget,
                                                 gtk_shortcut_get_arguments (sc))
                       ? TRUE
                       : (g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "shortcut %s did nothing", name), FALSE);
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no shortcut for %s", name);
  return FALSE;
}

static const char *
dialog_body (AdwMessageDialog *dialog)
{
  return dialog ? adw_message_dialog_get_body (dialog) : NULL;
}

/* What holds the window wider than limit: the chain of widgets whose
 * minimum width exceeds it, from the window down to the culprits. */
static void
report_min_widths (GtkWidget *widget, int limit, int depth)
{
  gboolean culprit = TRUE; /* no single child is too wide: list them all */
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      int min = 0;
      gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
      culprit = culprit && min <= limit;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      int min = 0;
      gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
      if (culprit && gtk_widget_get_visible (c))
        {
          say ("INFO", "min-width", "%*s- %s=%d", depth * 2, "", G_OBJECT_TYPE_NAME (c), min);
          continue;
        }
      if (min <= limit)
        continue;
      g_autofree char *what = g_strdup_printf ("%*s%s %s", depth * 2, "", G_OBJECT_TYPE_NAME (c),
                                               gtk_widget_get_name (c));
      say ("INFO", "min-width", "%s=%d", what, min);
      if (depth < 40)
        report_min_widths (c, limit, depth + 1);
    }
}

typedef enum { STEP_DONE, STEP_WAIT, STEP_FAIL, STEP_SKIPPED } Step;

/* Wait-style steps return STEP_WAIT until their condition holds. */
static Step
run_step (Driver *d, char **argv, const char *line)
{
  const char *cmd = argv[0];
  const char *arg = argv[1];
  StashhogScenesPage *scenes = stashhog_window_get_scenes_page (d->window);
  StashhogPlansPage *plans = stashhog_window_get_plans_page (d->window);
  StashhogPlanView *view = stashhog_window_get_plans_page (d->window)
                               ? stashhog_plans_page_get_plan_view (plans) : NULL;

  if (g_str_has_prefix (cmd, "plan") && d->skip_plans)
    {
      say ("SKIP", line, "plans are not supported by this daemon");
      return STEP_SKIPPED;
    }
  if (g_str_has_prefix (cmd, "jobs") && d->skip_jobs)
    {
      say ("SKIP", line, "jobs are not supported by this daemon");
      return STEP_SKIPPED;
    }
  if (g_str_equal (cmd, "wait-connected"))
    return g_strcmp0 (stashhog_window_get_state_page (d->window), "main") == 0 ? STEP_DONE : STEP_WAIT;
  if (g_str_equal (cmd, "page") && arg)
    {
      stashhog_window_show_page (d->window, arg);
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "search"))
    {
      g_autofree char *text = g_strjoinv (" ", argv + 1);
      stashhog_scenes_page_set_search (scenes, text);
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "wait-scenes") && arg)
    {
      StashhogSceneModel *model = stashhog_scenes_page_get_model (scenes);
      guint min = (guint) g_ascii_strtoull (arg, NULL, 10);
      if (stashhog_scene_model_get_loading (model))
        return STEP_WAIT;
      if (stashhog_scene_model_get_error (model))
        {
          say ("FAIL", line, "%s", stashhog_scene_model_get_error (model));
          return STEP_FAIL;
        }
      guint n = g_list_model_get_n_items (G_LIST_MODEL (model));
      if (n < min)
        return STEP_WAIT;
      if (n > 0)
        {
          g_autoptr (StashhogSceneItem) first = g_list_model_get_item (G_LIST_MODEL (model), 0);
          if (!stashhog_scene_item_get_loaded (first))
            return STEP_WAIT;
        }
      say ("INFO", "scenes", "rows=%u wall_us=%" G_GINT64_FORMAT, n, g_get_real_time ());
      return STEP_DONE;
    }
  /* Advanced and saved filters (the Filters popover's StashhogFilterBox). */
  if (g_str_equal (cmd, "filter-where") && arg)
    {
      g_autofree char *text = g_strjoinv (" ", argv + 1);
      StashhogFilterBox *box = stashhog_scenes_page_get_filter_box (scenes);
      if (stashhog_filter_box_apply_expression (box, text))
        return STEP_DONE;
      say ("FAIL", line, "%s", stashhog_filter_box_get_error (box));
      return STEP_FAIL;
    }
  if (g_str_equal (cmd, "filter-where-invalid") && arg && argv[2])
    {
      /* filter-where-invalid COLUMN EXPR: must be refused inline at COLUMN. */
      g_autofree char *text = g_strjoinv (" ", argv + 2);
      StashhogFilterBox *box = stashhog_scenes_page_get_filter_box (scenes);
      g_autofree char *want = g_strdup_printf ("Column %s:", arg);
      const char *error;
      if (stashhog_filter_box_apply_expression (box, text) || !(error = stashhog_filter_box_get_error (box)) ||
          !g_str_has_prefix (error, want))
        {
          say ("FAIL", line, "expected an error starting %s, got %s", want, stashhog_filter_box_get_error (box));
          return STEP_FAIL;
        }
      say ("INFO", "filter-error", "%s", error);
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "wait-scenes-exact") && arg)
    {
      /* Waits (within the step's deadline) for exactly N rows, loaded. */
      StashhogSceneModel *model = stashhog_scenes_page_get_model (scenes);
      guint want = (guint) g_ascii_strtoull (arg, NULL, 10);
      if (stashhog_scene_model_get_loading (model) || g_list_model_get_n_items (G_LIST_MODEL (model)) != want)
        return STEP_WAIT;
      say ("INFO", "scenes", "rows=%u", want);
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "filter-save") && arg)
    {
      stashhog_filter_box_save (stashhog_scenes_page_get_filter_box (scenes), arg);
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "filter-wait-saved") && arg)
    {
      StashhogFilterBox *box = stashhog_scenes_page_get_filter_box (scenes);
      const char *const *names = stashhog_filter_box_get_saved_names (box);
      /* The save's reply re-lists the saved filters. */
      return names && g_strv_contains (names, arg) ? STEP_DONE : STEP_WAIT;
    }
  if (g_str_equal (cmd, "filter-pick") && arg)
    {
      stashhog_filter_box_select_saved (stashhog_scenes_page_get_filter_box (scenes), arg);
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "filters-popup"))
    {
      /* The box lives in the Filters menu button's popover. */
      GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (stashhog_scenes_page_get_filter_box (scenes)),
                                                    GTK_TYPE_POPOVER);
      if (!popover)
        {
          say ("FAIL", line, "the filter box is not in a popover");
          return STEP_FAIL;
        }
      d->popover = GTK_POPOVER (popover);
      gtk_popover_popup (d->popover);
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "filter-clear"))
    {
      stashhog_filter_box_clear (stashhog_scenes_page_get_filter_box (scenes));
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "select-scene") && arg)
    {
      stashhog_scenes_page_select (scenes, (guint) g_ascii_strtoull (arg, NULL, 10));
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "scroll-all"))
    {
      /* One step per poll: the list lays out and fetches between steps. */
      StashhogSceneModel *model = stashhog_scenes_page_get_model (scenes);
      d->scroll += arg ? g_ascii_strtod (arg, NULL) : 0.01;
      stashhog_scenes_page_scroll_to (scenes, MIN (d->scroll, 1.0));
      if (d->scroll < 1.0)
        return STEP_WAIT;
      d->scroll = 0;
      say ("INFO", "scroll", "resident_pages=%u fetches=%u rss_kib=%ld", stashhog_scene_model_get_resident_pages (model),
           stashhog_scene_model_get_fetch_count (model), rss_kib ());
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "rss"))
    {
      say ("INFO", "rss", "rss_kib=%ld", rss_kib ());
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "plans-wait"))
    {
      const GError *error = stashhog_plans_page_get_error (plans);
      if (error && stashhog_client_error_is_unsupported (error))
        {
          d->skip_plans = TRUE;
          say ("SKIP", line, "PlanListRequest answered UNSUPPORTED");
          return STEP_SKIPPED;
        }
      if (stashhog_plans_page_get_n_plans (plans) == 0)
        {
          stashhog_plans_page_refresh (plans);
          return STEP_WAIT;
        }
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "plan-open-first"))
    {
      stashhog_plans_page_open_plan (plans, stashhog_plans_page_get_first_plan (plans));
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "plan-wait-changes"))
    return stashhog_plan_view_get_n_changes (view) > 0 ? STEP_DONE : STEP_WAIT;
  if (g_str_equal (cmd, "plan-action") && arg)
    {
      /* plan.next, plan.accept-current, ... exactly what j/k/a/r trigger. */
      if (!gtk_widget_activate_action (GTK_WIDGET (view), arg, NULL))
        {
          say ("FAIL", line, "no such action");
          return STEP_FAIL;
        }
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "plan-wait-accepted") && arg)
    return stashhog_plan_view_count_status (view, STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED) >=
                   g_ascii_strtoull (arg, NULL, 10)
               ? STEP_DONE
               : STEP_WAIT;
  if (g_str_equal (cmd, "resize") && arg && argv[2])
    {
      /* Phone-sized or desktop: the window lays itself out for the width. */
      int w = (int) g_ascii_strtoll (arg, NULL, 10), h = (int) g_ascii_strtoll (argv[2], NULL, 10);
      gtk_window_unmaximize (GTK_WINDOW (d->window));
      gtk_window_set_default_size (GTK_WINDOW (d->window), w, h);
      d->want_width = w;
      d->want_height = h;
      return STEP_DONE;
    }
  if ((g_str_equal (cmd, "expect-width") || g_str_equal (cmd, "wait-width")) && arg)
    {
      /* The window really got that narrow: nothing's minimum width held it wider. */
      int w = gtk_widget_get_width (GTK_WIDGET (d->window));
      if (w > (int) g_ascii_strtoll (arg, NULL, 10))
        {
          if (g_str_equal (cmd, "wait-width") && d->want_width > 0 &&
              g_get_monotonic_time () + (gint64) 2 * POLL_MS * 1000 < d->step_deadline_us)
            {
              /* Like a compositor insisting on a phone-sized configure: the
               * window may first have been held at its desktop minimum. */
              gtk_window_set_default_size (GTK_WINDOW (d->window), d->want_width, d->want_height);
              return STEP_WAIT;
            }
          say ("FAIL", line, "window is %d px wide", w);
          report_min_widths (GTK_WIDGET (d->window), (int) g_ascii_strtoll (arg, NULL, 10), 0);
          return STEP_FAIL;
        }
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "expect-prefs-min-width") && arg)
    {
      /* The preferences window (and its webhooks page) fits a phone too. */
      int min = 0, limit = (int) g_ascii_strtoll (arg, NULL, 10);
      if (!d->prefs)
        {
          say ("FAIL", line, "preferences are not open");
          return STEP_FAIL;
        }
      /* The window's content, not its client-side shadow. */
      for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (d->prefs)); c; c = gtk_widget_get_next_sibling (c))
        {
          int m = 0;
          if (gtk_widget_get_visible (c))
            gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &m, NULL, NULL, NULL);
          min = MAX (min, m);
        }
      if (min > limit)
        {
          say ("FAIL", line, "preferences need %d px", min);
          report_min_widths (GTK_WIDGET (d->prefs), limit, 0);
          return STEP_FAIL;
        }
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "scenes-more"))
    {
      /* The phone toolbar's menu holds sort, filters and resync. */
      d->popover = stashhog_scenes_page_popup_more (scenes);
      if (!d->popover)
        {
          say ("FAIL", line, "the scenes toolbar has no \"more\" menu (not narrow?)");
          return STEP_FAIL;
        }
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "popover-close"))
    {
      if (d->popover)
        gtk_popover_popdown (d->popover);
      d->popover = NULL;
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "expect-folded") && arg)
    {
      /* At phone width the list/detail pages show one pane at a time
       * ("expect-folded scenes|plans [detail|no]"). */
      gboolean detail = FALSE;
      gboolean folded = g_str_equal (arg, "scenes") ? stashhog_scenes_page_get_folded (scenes, &detail)
                                                    : stashhog_plans_page_get_folded (plans, &detail);
      gboolean want_detail = argv[2] && g_str_equal (argv[2], "detail");
      gboolean want_folded = !(argv[2] && g_str_equal (argv[2], "no"));
      if (folded != want_folded || (folded && detail != want_detail))
        {
          say ("FAIL", line, "folded=%d showing %s", folded, detail ? "detail" : "list");
          return STEP_FAIL;
        }
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "dashboard-wait"))
    return stashhog_dashboard_page_get_loaded (stashhog_window_get_dashboard_page (d->window)) ? STEP_DONE
                                                                                             : STEP_WAIT;
  if (g_str_equal (cmd, "dashboard-figure") && arg)
    {
      /* A click on the n-th figure: the window switches to the scenes page. */
      StashhogDashboardPage *dash = stashhog_window_get_dashboard_page (d->window);
      StashhogFigure f = (StashhogFigure) g_ascii_strtoull (arg, NULL, 10);
      d->figure_scenes = stashhog_dashboard_page_get_figure (dash, f);
      say ("INFO", "figure", "%s=%" G_GINT64_FORMAT, stashhog_figure_label (f), d->figure_scenes);
      stashhog_dashboard_page_activate_figure (dash, f);
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "wait-figure-scenes"))
    {
      /* The scene list shows exactly as many scenes as the figure said. */
      StashhogSceneModel *model = stashhog_scenes_page_get_model (scenes);
      if (stashhog_scene_model_get_loading (model) ||
          g_list_model_get_n_items (G_LIST_MODEL (model)) != (guint) d->figure_scenes ||
          g_strcmp0 (stashhog_window_get_visible_page (d->window), "scenes") != 0)
        return STEP_WAIT;
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "plan-key") && arg)
    {
      g_autoptr (GError) error = NULL;
      if (!press_key (GTK_WIDGET (view), arg, &error))
        {
          say ("FAIL", line, "%s", error->message);
          return STEP_FAIL;
        }
      say ("INFO", "cursor", "change=%" G_GINT64_FORMAT, stashhog_plan_view_get_current_change (view));
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "plan-expect-cursor") && arg)
    {
      /* "plan-expect-cursor 2": the cursor is on the third change shown. */
      guint want = (guint) g_ascii_strtoull (arg, NULL, 10);
      gint64 got = stashhog_plan_view_get_current_change (view);
      if (got != stashhog_plan_view_get_change_at (view, want))
        {
          say ("FAIL", line, "cursor on change %" G_GINT64_FORMAT, got);
          return STEP_FAIL;
        }
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "plan-expect-status") && arg && argv[2])
    {
      /* "plan-expect-status 0 accepted": the first change's status. */
      Stashhog__ChangeStatus st = stashhog_plan_view_get_status_at (view, (guint) g_ascii_strtoull (arg, NULL, 10));
      g_autofree char *name = g_ascii_strdown (stashhog_format_change_status (st), -1);
      if (!g_str_equal (name, argv[2]))
        return STEP_WAIT; /* the review reply may still be on its way */
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "plan-threshold") && arg)
    {
      stashhog_plan_view_set_threshold (view, g_ascii_strtod (arg, NULL));
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "plan-wait-pending") && arg)
    {
      /* At most this many changes still pending. */
      return stashhog_plan_view_count_status (view, STASHHOG__CHANGE_STATUS__CHANGE_PENDING) <=
                     g_ascii_strtoull (arg, NULL, 10)
                 ? STEP_DONE
                 : STEP_WAIT;
    }
  if (g_str_equal (cmd, "plan-confirm") && arg)
    {
      g_autofree char *action = g_strconcat ("plan.", arg, NULL);
      if (!gtk_widget_activate_action (GTK_WIDGET (view), action, NULL) ||
          !stashhog_plan_view_get_confirm_dialog (view))
        {
          say ("FAIL", line, "no confirmation dialog");
          return STEP_FAIL;
        }
      say ("INFO", "dialog", "%s", dialog_body (stashhog_plan_view_get_confirm_dialog (view)));
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "dialog-expect-accepted"))
    {
      /* The apply dialog names exactly the accepted fields and their scenes. */
      const char *body = dialog_body (stashhog_plan_view_get_confirm_dialog (view));
      guint fields = stashhog_plan_view_count_status (view, STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED);
      guint n_scenes = stashhog_plan_view_count_accepted_scenes (view);
      g_autofree char *want = g_strdup_printf ("%u field%s on %u scene", fields, fields == 1 ? "" : "s", n_scenes);
      if (!body || !strstr (body, want) || fields == 0)
        {
          say ("FAIL", line, "wanted \"%s\" in \"%s\"", want, body ? body : "(no dialog)");
          return STEP_FAIL;
        }
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "dialog-respond") && arg)
    {
      AdwMessageDialog *dialog = stashhog_plan_view_get_confirm_dialog (view);
      if (!dialog || !adw_message_dialog_has_response (dialog, arg))
        {
          say ("FAIL", line, "no dialog with that response");
          return STEP_FAIL;
        }
      /* What a click on that button does: the response, then the dialog closes. */
      g_object_ref (dialog);
      adw_message_dialog_response (dialog, arg);
      gtk_window_close (GTK_WINDOW (dialog));
      g_object_unref (dialog);
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "plan-wait-status") && arg)
    {
      /* Follows the plan-changed events only: no polling reloads here. */
      g_autofree char *name = g_ascii_strdown (stashhog_format_plan_status (stashhog_plan_view_get_status (view)), -1);
      g_strdelimit (name, " ", '-');
      return g_str_equal (name, arg) ? STEP_DONE : STEP_WAIT;
    }
  if (g_str_equal (cmd, "jobs-wait-idle"))
    {
      StashhogJobsPage *jobs = stashhog_window_get_jobs_page (d->window);
      return stashhog_jobs_page_get_n_jobs (jobs) > 0 && stashhog_jobs_page_get_running (jobs) == 0 ? STEP_DONE
                                                                                                    : STEP_WAIT;
    }
  if (g_str_equal (cmd, "plan-apply"))
    {
      stashhog_plan_view_apply_now (view);
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "plan-wait-applied") && arg)
    {
      if (stashhog_plan_view_count_status (view, STASHHOG__CHANGE_STATUS__CHANGE_APPLIED) >=
          g_ascii_strtoull (arg, NULL, 10))
        return STEP_DONE;
      stashhog_plan_view_load (view, stashhog_plan_view_get_plan_id (view));
      return STEP_WAIT;
    }
  if (g_str_equal (cmd, "jobs-wait"))
    {
      StashhogJobsPage *jobs = stashhog_window_get_jobs_page (d->window);
      if (stashhog_jobs_page_get_n_jobs (jobs) > 0)
        return STEP_DONE;
      stashhog_jobs_page_refresh (jobs);
      return STEP_WAIT;
    }
  if (g_str_equal (cmd, "prefs-open"))
    {
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (d->window));
      d->prefs = stashhog_preferences_new (STASHHOG_APPLICATION (app), GTK_WINDOW (d->window));
      stashhog_preferences_show_settings (d->prefs);
      gtk_window_present (GTK_WINDOW (d->prefs));
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "webhooks-open"))
    {
      d->webhooks = stashhog_preferences_show_webhooks (d->prefs);
      if (!d->webhooks)
        {
          say ("FAIL", line, "no webhooks page");
          return STEP_FAIL;
        }
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "webhook-add") && arg)
    {
      stashhog_webhooks_page_add (d->webhooks, arg, argv[2]);
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "webhooks-wait") && arg)
    return stashhog_webhooks_page_get_n_webhooks (d->webhooks) >= g_ascii_strtoull (arg, NULL, 10) ? STEP_DONE
                                                                                                 : STEP_WAIT;
  if (g_str_equal (cmd, "webhook-test"))
    {
      stashhog_webhooks_page_test_first (d->webhooks);
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "webhooks-wait-delivered") && arg)
    return stashhog_webhooks_page_count_deliveries (d->webhooks,
                                                    STASHHOG__WEBHOOK_DELIVERY_STATUS__DELIVERY_DELIVERED) >=
                   g_ascii_strtoull (arg, NULL, 10)
               ? STEP_DONE
               : STEP_WAIT;
  if (g_str_equal (cmd, "prefs-test"))
    {
      stashhog_preferences_test (d->prefs, arg && g_str_equal (arg, "llm"));
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "prefs-close"))
    {
      gtk_window_destroy (GTK_WINDOW (d->prefs));
      d->prefs = NULL;
      d->webhooks = NULL;
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "screenshot") && arg)
    {
      g_autoptr (GError) error = NULL;
      GtkWidget *target = argv[2] && g_str_equal (argv[2], "prefs") && d->prefs ? GTK_WIDGET (d->prefs)
                                                                                  : GTK_WIDGET (d->window);
      if (argv[2] && g_str_equal (argv[2], "dialog") && view && stashhog_plan_view_get_confirm_dialog (view))
        target = GTK_WIDGET (stashhog_plan_view_get_confirm_dialog (view));
      if (argv[2] && g_str_equal (argv[2], "popover") && d->popover)
        target = GTK_WIDGET (d->popover);
      if (!save_png (target, arg, &error))
        {
          /* A layout is pending (new content just arrived): the next frame
           * will have one; the step's deadline bounds the wait. */
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING) &&
              g_get_monotonic_time () + (gint64) 2 * POLL_MS * 1000 < d->step_deadline_us)
            return STEP_WAIT;
          say ("FAIL", line, "%s", error->message);
          return STEP_FAIL;
        }
      return STEP_DONE;
    }
  if (g_str_equal (cmd, "sleep"))
    return STEP_DONE; /* the timing is in the step deadline */
  say ("FAIL", line, "unknown command");
  return STEP_FAIL;
}

static gboolean
tick (gpointer user_data)
{
  Driver *d = user_data;

  while (d->lines[d->next])
    {
      char *line = g_strstrip (d->lines[d->next]);
      if (!*line || *line == '#')
        {
          d->next++;
          continue;
        }
      g_auto (GStrv) argv = g_strsplit_set (line, " \t", -1);
      const char *last = argv[g_strv_length (argv) - 1];
      /* The last number of wait-* and sleep is the limit in seconds / ms. */
      if (!d->step_deadline_us)
        {
          gint64 limit_us = g_str_equal (argv[0], "sleep") ? g_ascii_strtoll (argv[1] ? argv[1] : "0", NULL, 10) * 1000
                            : strstr (argv[0], "wait") || g_str_has_prefix (argv[0], "plan-expect-status") ||
                                    g_str_equal (argv[0], "scroll-all")
                                ? g_ascii_strtoll (last, NULL, 10) * G_USEC_PER_SEC
                            : g_str_equal (argv[0], "screenshot") ? (gint64) 5 * G_USEC_PER_SEC
                                                                  : 0;
          d->step_deadline_us = g_get_monotonic_time () + MAX (limit_us, 1);
          if (g_str_equal (argv[0], "sleep"))
            return G_SOURCE_CONTINUE;
        }
      if (g_str_equal (argv[0], "sleep") && g_get_monotonic_time () < d->step_deadline_us)
        return G_SOURCE_CONTINUE;
      Step st = run_step (d, argv, line);
      if (st == STEP_WAIT)
        {
          if (g_get_monotonic_time () < d->step_deadline_us)
            return G_SOURCE_CONTINUE;
          say ("FAIL", line, "timed out");
          st = STEP_FAIL;
        }
      d->step_deadline_us = 0;
      d->next++;
      if (st == STEP_FAIL)
        {
          d->failed = TRUE;
          break;
        }
      if (st == STEP_DONE)
        say ("OK", line, NULL);
      /* One step per tick, so the main loop renders between steps. */
      if (d->lines[d->next])
        return G_SOURCE_CONTINUE;
    }
  printf ("DRIVER %s\n", d->failed ? "FAIL" : "PASS");
  fflush (stdout);
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (d->window))));
  g_object_unref (d->window);
  g_strfreev (d->lines);
  g_free (d);
  return G_SOURCE_REMOVE;
}

void
stashhog_test_driver_maybe_start (StashhogWindow *window)
{
  const char *path = g_getenv ("STASHHOG_GTK_TEST_SCRIPT");
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  if (!path || !*path)
    return;
  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      g_printerr ("test script: %s\n", error->message);
      printf ("DRIVER FAIL\n");
      return;
    }
  Driver *d = g_new0 (Driver, 1);
  driver_start_us = g_get_monotonic_time ();
  d->window = g_object_ref (window);
  d->lines = g_strsplit (text, "\n", -1);
  say ("INFO", "driver", "start wall_us=%" G_GINT64_FORMAT, g_get_real_time ());
  g_timeout_add (POLL_MS, tick, d);
}
