#include "stashhog-plan-view.h"

#include "stashhog-change-row.h"
#include "stashhog-format.h"
#include "stashhog-gtk-private.h"

#define CHANGE_LIMIT 2000

struct _StashhogPlanView
{
  GtkWidget parent_instance;
  StashhogClient *client;
  gint64 plan_id;
  guint load_serial;        /* replies of superseded loads are dropped */
  GPtrArray *rows;          /* StashhogChangeRow*, display order */
  int current;              /* index into rows, -1 = none */
  Stashhog__PlanStatus status;
  gint64 total_changes;
  guint event_reload_source; /* debounces plan-changed events */
  GtkWidget *confirm_dialog; /* weak: the open apply/rollback confirmation */
  gboolean can_review;
  gboolean can_apply;

  GtkLabel *name_label;
  GtkLabel *summary_label;
  GtkSpinButton *threshold_spin;
  GtkWidget *apply_button;
  GtkWidget *rollback_button;
  GtkWidget *review_box;
  GtkStack *stack;
  AdwStatusPage *empty_page;
  GtkScrolledWindow *scroller;
  GtkBox *changes_box;
};

G_DEFINE_FINAL_TYPE (StashhogPlanView, stashhog_plan_view, GTK_TYPE_WIDGET)

enum { SIG_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct
{
  StashhogPlanView *self; /* strong */
  guint serial;
} LoadData;

/* ---------------------------------------------------------------- rendering */

static void
set_summary (StashhogPlanView *self, const Stashhog__PlanSummary *s)
{
  g_autofree char *conflicts = s->conflicts > 0
                                   ? g_strdup_printf (" · <span foreground=\"#e5a50a\"><b>%" G_GINT64_FORMAT
                                                      " conflicts</b></span>", s->conflicts)
                                   : g_strdup ("");
  g_autofree char *text = g_strdup_printf (
      "%s · %" G_GINT64_FORMAT " scenes · %" G_GINT64_FORMAT " changes · %" G_GINT64_FORMAT " pending · %"
      G_GINT64_FORMAT " accepted · %" G_GINT64_FORMAT " rejected · %" G_GINT64_FORMAT " applied%s",
      stashhog_format_plan_status (s->status), s->scene_count, s->change_count, s->pending, s->accepted, s->rejected,
      s->applied, conflicts);
  self->status = s->status;
  gtk_label_set_text (self->name_label, s->name);
  gtk_label_set_markup (self->summary_label, text);
  gtk_widget_set_visible (self->review_box, TRUE);
  gboolean applied = s->status == STASHHOG__PLAN_STATUS__PLAN_APPLIED ||
                     s->status == STASHHOG__PLAN_STATUS__PLAN_PARTIALLY_APPLIED;
  gtk_widget_set_visible (self->rollback_button, applied && self->can_apply);
  gtk_widget_set_visible (self->apply_button,
                          self->can_apply && !applied && s->status != STASHHOG__PLAN_STATUS__PLAN_ROLLED_BACK);
  gtk_widget_set_sensitive (self->apply_button, s->accepted > 0 && s->status != STASHHOG__PLAN_STATUS__PLAN_APPLYING);
}

static void
set_current (StashhogPlanView *self, int index, gboolean scroll)
{
  if (self->current >= 0 && (guint) self->current < self->rows->len)
    stashhog_change_row_set_current (g_ptr_array_index (self->rows, self->current), FALSE);
  self->current = self->rows->len ? CLAMP (index, 0, (int) self->rows->len - 1) : -1;
  if (self->current < 0)
    return;
  GtkWidget *row = g_ptr_array_index (self->rows, self->current);
  stashhog_change_row_set_current (STASHHOG_CHANGE_ROW (row), TRUE);
  if (scroll)
    {
      /* Keep the cursor row in view without stealing focus from the view. */
      graphene_point_t p;
      if (gtk_widget_compute_point (row, GTK_WIDGET (self->changes_box), &GRAPHENE_POINT_INIT (0, 0), &p))
        {
          GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);
          double top = gtk_adjustment_get_value (adj), page = gtk_adjustment_get_page_size (adj);
          double h = gtk_widget_get_height (row);
          if (p.y < top)
            gtk_adjustment_set_value (adj, p.y - 40);
          else if (p.y + h > top + page)
            gtk_adjustment_set_value (adj, p.y + h - page + 40);
        }
    }
}

static void
render_changes (StashhogPlanView *self, const Stashhog__PlanDetail *d)
{
  GtkWidget *list = NULL;
  gint64 scene = -1;

  g_ptr_array_set_size (self->rows, 0);
  self->current = -1;
  stashhog_clear_children (GTK_WIDGET (self->changes_box));
  for (size_t i = 0; i < d->n_changes; i++)
    {
      const Stashhog__Change *c = d->changes[i];
      /* The daemon orders changes by scene; a new scene starts a new group. */
      if (c->scene_id != scene || !list)
        {
          scene = c->scene_id;
          gtk_box_append (self->changes_box, stashhog_change_row_new_scene_header (c));
          list = gtk_list_box_new ();
          gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
          gtk_widget_add_css_class (list, "boxed-list");
          gtk_box_append (self->changes_box, list);
        }
      StashhogChangeRow *row = stashhog_change_row_new (c);
      gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (row));
      g_ptr_array_add (self->rows, row);
    }
  if (d->has_total_changes && d->total_changes > (gint64) d->n_changes)
    {
      g_autofree char *more = g_strdup_printf ("Showing the first %zu of %" G_GINT64_FORMAT
                                               " changes; review the rest by field or threshold.",
                                               d->n_changes, d->total_changes);
      GtkWidget *l = gtk_label_new (more);
      gtk_widget_add_css_class (l, "dim-label");
      gtk_box_append (self->changes_box, l);
    }
  if (d->n_changes == 0)
    {
      adw_status_page_set_title (self->empty_page, "No Changes");
      adw_status_page_set_description (self->empty_page, "The analysis proposed nothing for these scenes.");
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "changes");
  set_current (self, 0, FALSE);
}

/* Same changes as shown (a status-only update after review, apply or
 * rollback): restyle the rows, keeping the cursor and the scroll position. */
static gboolean
update_in_place (StashhogPlanView *self, const Stashhog__PlanDetail *d)
{
  if (d->n_changes == 0 || d->n_changes != self->rows->len ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "changes") != 0)
    return FALSE;
  for (size_t i = 0; i < d->n_changes; i++)
    if (stashhog_change_row_get_change_id (g_ptr_array_index (self->rows, i)) != d->changes[i]->id)
      return FALSE;
  for (size_t i = 0; i < d->n_changes; i++)
    stashhog_change_row_update (g_ptr_array_index (self->rows, i), d->changes[i]);
  return TRUE;
}

static void
on_plan (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LoadData *ld = user_data;
  g_autoptr (StashhogPlanView) self = ld->self;
  guint serial = ld->serial;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);

  g_free (ld);
  if (serial != self->load_serial)
    return;
  if (!reply || reply->body_case != STASHHOG__REPLY__BODY_PLAN || !reply->plan->summary)
    {
      adw_status_page_set_title (self->empty_page, "Cannot Load the Plan");
      adw_status_page_set_description (self->empty_page, error ? error->message : "unexpected reply");
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  set_summary (self, reply->plan->summary);
  self->total_changes = reply->plan->has_total_changes ? reply->plan->total_changes : (gint64) reply->plan->n_changes;
  if (!update_in_place (self, reply->plan))
    render_changes (self, reply->plan);
}

static void
reload (StashhogPlanView *self, gboolean show_spinner)
{
  Stashhog__PlanGetRequest get = STASHHOG__PLAN_GET_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  LoadData *ld;

  self->load_serial++;
  if (!self->client || self->plan_id <= 0)
    return;
  get.id = self->plan_id;
  get.has_limit = TRUE;
  get.limit = CHANGE_LIMIT;
  req.body_case = STASHHOG__REQUEST__BODY_PLAN_GET;
  req.plan_get = &get;
  if (show_spinner)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  ld = g_new0 (LoadData, 1);
  ld->self = g_object_ref (self);
  ld->serial = self->load_serial;
  stashhog_client_call_async (self->client, &req, NULL, on_plan, ld);
}

static gboolean
event_reload_cb (gpointer user_data)
{
  StashhogPlanView *self = user_data;
  self->event_reload_source = 0;
  reload (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* Apply and rollback run as jobs: their progress reaches the open plan as
 * PlanChanged events. */
static void
on_plan_changed (StashhogClient *client, const Stashhog__PlanChanged *ev, gpointer user_data)
{
  StashhogPlanView *self = user_data;
  (void) client;
  if (ev && ev->plan_id == self->plan_id && !self->event_reload_source)
    self->event_reload_source = g_timeout_add (250, event_reload_cb, self);
}

/* ---------------------------------------------------------------- review */

typedef struct
{
  StashhogPlanView *self; /* strong */
  Stashhog__ReviewAction action;
  gint64 change_id; /* > 0: a single change, updated in place */
} ReviewData;

static void
refresh_summary_only (StashhogPlanView *self);

static void
on_review (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReviewData *rd = user_data;
  g_autoptr (StashhogPlanView) self = rd->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  gint64 change_id = rd->change_id;
  Stashhog__ReviewAction action = rd->action;

  g_free (rd);
  if (!reply)
    {
      stashhog_toast_error (GTK_WIDGET (self), "Review failed", error);
      return;
    }
  if (change_id > 0)
    {
      /* Keyboard review stays fast and keeps the scroll position. */
      for (guint i = 0; i < self->rows->len; i++)
        if (stashhog_change_row_get_change_id (g_ptr_array_index (self->rows, i)) == change_id)
          stashhog_change_row_set_status (g_ptr_array_index (self->rows, i),
                                          action == STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT
                                              ? STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED
                                          : action == STASHHOG__REVIEW_ACTION__REVIEW_REJECT
                                              ? STASHHOG__CHANGE_STATUS__CHANGE_REJECTED
                                              : STASHHOG__CHANGE_STATUS__CHANGE_PENDING);
      refresh_summary_only (self);
    }
  else
    {
      if (reply->body_case == STASHHOG__REPLY__BODY_PLAN_REVIEW)
        stashhog_toast (GTK_WIDGET (self), "%" G_GINT64_FORMAT " changes updated", reply->plan_review->updated);
      reload (self, FALSE);
    }
  g_signal_emit (self, signals[SIG_CHANGED], 0);
}

static void
review_ids (StashhogPlanView *self, Stashhog__ReviewAction action, const int64_t *ids, size_t n_ids, gint64 change_id,
            gint64 scene_id, const char *field, double min_confidence, gboolean all)
{
  Stashhog__PlanReviewRequest r = STASHHOG__PLAN_REVIEW_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  int64_t cid = change_id, sid = scene_id;

  if (!self->client || self->plan_id <= 0)
    return;
  r.plan_id = self->plan_id;
  r.action = action;
  if (change_id > 0)
    r.change_ids = &cid, r.n_change_ids = 1;
  else if (n_ids > 0)
    r.change_ids = (int64_t *) ids, r.n_change_ids = n_ids;
  if (scene_id > 0)
    r.scene_ids = &sid, r.n_scene_ids = 1;
  r.field = (char *) field;
  if (min_confidence >= 0)
    r.has_min_confidence = TRUE, r.min_confidence = min_confidence;
  if (all)
    r.has_all = TRUE, r.all = TRUE;
  req.body_case = STASHHOG__REQUEST__BODY_PLAN_REVIEW;
  req.plan_review = &r;
  ReviewData *rd = g_new0 (ReviewData, 1);
  rd->self = g_object_ref (self);
  rd->action = action;
  rd->change_id = change_id;
  stashhog_client_call_async (self->client, &req, NULL, on_review, rd);
}

static void
review (StashhogPlanView *self, Stashhog__ReviewAction action, gint64 change_id, gint64 scene_id,
        const char *field, double min_confidence, gboolean all)
{
  review_ids (self, action, NULL, 0, change_id, scene_id, field, min_confidence, all);
}

/* Accept by confidence touches only pending changes: a change the user
 * rejected by hand stays rejected.  The daemon's min_confidence selects
 * regardless of status, so the ids are sent when every change is shown. */
static void
accept_threshold (StashhogPlanView *self, double threshold)
{
  g_autoptr (GArray) ids = NULL;
  if (self->total_changes > (gint64) self->rows->len)
    {
      review (self, STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT, 0, 0, NULL, threshold, FALSE);
      return;
    }
  ids = g_array_new (FALSE, FALSE, sizeof (int64_t));
  for (guint i = 0; i < self->rows->len; i++)
    {
      StashhogChangeRow *row = g_ptr_array_index (self->rows, i);
      int64_t id = stashhog_change_row_get_change_id (row);
      if (stashhog_change_row_get_status (row) == STASHHOG__CHANGE_STATUS__CHANGE_PENDING &&
          stashhog_change_row_get_confidence (row) >= threshold - 1e-9)
        g_array_append_val (ids, id);
    }
  if (ids->len == 0)
    {
      stashhog_toast (GTK_WIDGET (self), "No pending change has a confidence of %.0f %% or more", threshold * 100);
      return;
    }
  review_ids (self, STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT, (const int64_t *) (void *) ids->data, ids->len, 0, 0,
              NULL, -1, FALSE);
}

static void
on_summary (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogPlanView) self = user_data;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, NULL);
  if (reply && reply->body_case == STASHHOG__REPLY__BODY_PLAN && reply->plan->summary &&
      reply->plan->summary->id == self->plan_id)
    set_summary (self, reply->plan->summary);
}

static void
refresh_summary_only (StashhogPlanView *self)
{
  Stashhog__PlanGetRequest get = STASHHOG__PLAN_GET_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  get.id = self->plan_id;
  get.has_limit = TRUE;
  get.limit = 0;
  req.body_case = STASHHOG__REQUEST__BODY_PLAN_GET;
  req.plan_get = &get;
  stashhog_client_call_async (self->client, &req, NULL, on_summary, g_object_ref (self));
}

static void
review_action (GtkWidget *widget, const char *action, GVariant *param)
{
  StashhogPlanView *self = STASHHOG_PLAN_VIEW (widget);
  gboolean accept = g_str_has_prefix (action, "plan.accept");
  Stashhog__ReviewAction act = accept ? STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT : STASHHOG__REVIEW_ACTION__REVIEW_REJECT;

  if (g_str_has_suffix (action, "-change"))
    review (self, act, g_variant_get_int64 (param), 0, NULL, -1, FALSE);
  else if (g_str_has_suffix (action, "-scene"))
    review (self, act, 0, g_variant_get_int64 (param), NULL, -1, FALSE);
  else if (g_str_has_suffix (action, "-field"))
    review (self, act, 0, 0, g_variant_get_string (param, NULL), -1, FALSE);
  else if (g_str_has_suffix (action, "-threshold"))
    accept_threshold (self, gtk_spin_button_get_value (self->threshold_spin));
  else if (g_str_has_suffix (action, "-all"))
    review (self, act, 0, 0, NULL, -1, TRUE);
  else if (g_str_has_suffix (action, "-current") && self->current >= 0)
    {
      StashhogChangeRow *row = g_ptr_array_index (self->rows, self->current);
      review (self, act, stashhog_change_row_get_change_id (row), 0, NULL, -1, FALSE);
      set_current (self, self->current + 1, TRUE); /* move on, like a mail client */
    }
}

static void
move_action (GtkWidget *widget, const char *action, GVariant *param)
{
  StashhogPlanView *self = STASHHOG_PLAN_VIEW (widget);
  (void) param;
  set_current (self, self->current + (g_str_equal (action, "plan.next") ? 1 : -1), TRUE);
}

/* ---------------------------------------------------------------- apply / rollback */

static void
on_job_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogPlanView) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  if (!reply)
    stashhog_toast_error (GTK_WIDGET (self), "Cannot start", error);
  else if (reply->body_case == STASHHOG__REPLY__BODY_JOB)
    stashhog_toast (GTK_WIDGET (self), "Job #%" G_GINT64_FORMAT " started; progress is on the Jobs page",
                    reply->job->id);
  reload (self, FALSE);
  g_signal_emit (self, signals[SIG_CHANGED], 0);
}

static void
send_plan_request (StashhogPlanView *self, gboolean rollback)
{
  Stashhog__PlanApplyRequest apply = STASHHOG__PLAN_APPLY_REQUEST__INIT;
  Stashhog__PlanRollbackRequest rb = STASHHOG__PLAN_ROLLBACK_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  if (!self->client || self->plan_id <= 0)
    return;
  if (rollback)
    {
      rb.plan_id = self->plan_id;
      req.body_case = STASHHOG__REQUEST__BODY_PLAN_ROLLBACK;
      req.plan_rollback = &rb;
    }
  else
    {
      apply.plan_id = self->plan_id;
      req.body_case = STASHHOG__REQUEST__BODY_PLAN_APPLY;
      req.plan_apply = &apply;
    }
  stashhog_client_call_async (self->client, &req, NULL, on_job_reply, g_object_ref (self));
}

void
stashhog_plan_view_apply_now (StashhogPlanView *self)
{
  g_return_if_fail (STASHHOG_IS_PLAN_VIEW (self));
  send_plan_request (self, FALSE);
}

static void
on_confirm (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  StashhogPlanView *self = user_data;
  (void) dialog;
  if (g_str_equal (response, "apply"))
    send_plan_request (self, FALSE);
  else if (g_str_equal (response, "rollback"))
    send_plan_request (self, TRUE);
}

static void
confirm_action (GtkWidget *widget, const char *action, GVariant *param)
{
  StashhogPlanView *self = STASHHOG_PLAN_VIEW (widget);
  gboolean rollback = g_str_equal (action, "plan.rollback");
  g_autoptr (GHashTable) scenes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint fields = 0;
  g_autofree char *body = NULL;
  (void) param;

  if (self->plan_id <= 0)
    return;
  for (guint i = 0; i < self->rows->len; i++)
    {
      StashhogChangeRow *row = g_ptr_array_index (self->rows, i);
      if (stashhog_change_row_get_status (row) != STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED)
        continue;
      gint64 sid = stashhog_change_row_get_scene_id (row);
      g_hash_table_add (scenes, g_memdup2 (&sid, sizeof sid));
      fields++;
    }
  if (rollback)
    body = g_strdup ("Every scene this plan changed gets the values it had before, unless it was edited in "
                     "Stash since (those are reported as conflicts).");
  else if (self->total_changes > (gint64) self->rows->len)
    body = g_strdup_printf ("At least %u fields on %u scenes will be changed in Stash (only the first %u of %"
                            G_GINT64_FORMAT " changes are shown). Accepted changes are applied; the rest are left alone.",
                            fields, g_hash_table_size (scenes), self->rows->len, self->total_changes);
  else
    body = g_strdup_printf ("%u field%s on %u scene%s will be changed in Stash. Rejected and pending changes "
                            "are left alone. The plan can be rolled back afterwards.",
                            fields, fields == 1 ? "" : "s", g_hash_table_size (scenes),
                            g_hash_table_size (scenes) == 1 ? "" : "s");
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                              rollback ? "Roll Back This Plan?" : "Apply This Plan?", body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", "_Cancel",
                                    rollback ? "rollback" : "apply", rollback ? "_Roll Back" : "_Apply", NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), rollback ? "rollback" : "apply",
                                              rollback ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm), self, 0);
  if (self->confirm_dialog)
    g_object_remove_weak_pointer (G_OBJECT (self->confirm_dialog), (gpointer *) &self->confirm_dialog);
  self->confirm_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->confirm_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---------------------------------------------------------------- object */

static void
stashhog_plan_view_dispose (GObject *object)
{
  StashhogPlanView *self = STASHHOG_PLAN_VIEW (object);
  g_clear_handle_id (&self->event_reload_source, g_source_remove);
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  if (self->confirm_dialog)
    g_object_remove_weak_pointer (G_OBJECT (self->confirm_dialog), (gpointer *) &self->confirm_dialog);
  self->confirm_dialog = NULL;
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_PLAN_VIEW);
  G_OBJECT_CLASS (stashhog_plan_view_parent_class)->dispose (object);
}

static void
stashhog_plan_view_class_init (StashhogPlanViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char *const review_actions[] = { "plan.accept-change", "plan.reject-change", "plan.accept-scene",
                                                "plan.reject-scene", "plan.accept-field", "plan.reject-field" };
  static const char *const review_types[] = { "x", "x", "x", "x", "s", "s" };

  G_OBJECT_CLASS (klass)->dispose = stashhog_plan_view_dispose;
  signals[SIG_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                       NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/stashhog/StashHog/stashhog-plan-view.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogPlanView, name_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlanView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlanView, threshold_spin);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlanView, apply_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlanView, rollback_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlanView, review_box);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlanView, stack);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlanView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlanView, scroller);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlanView, changes_box);
  for (gsize i = 0; i < G_N_ELEMENTS (review_actions); i++)
    gtk_widget_class_install_action (widget_class, review_actions[i], review_types[i], review_action);
  gtk_widget_class_install_action (widget_class, "plan.accept-threshold", NULL, review_action);
  gtk_widget_class_install_action (widget_class, "plan.accept-all", NULL, review_action);
  gtk_widget_class_install_action (widget_class, "plan.reject-all", NULL, review_action);
  gtk_widget_class_install_action (widget_class, "plan.accept-current", NULL, review_action);
  gtk_widget_class_install_action (widget_class, "plan.reject-current", NULL, review_action);
  gtk_widget_class_install_action (widget_class, "plan.next", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "plan.prev", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "plan.apply", NULL, confirm_action);
  gtk_widget_class_install_action (widget_class, "plan.rollback", NULL, confirm_action);
  /* Keyboard review; plain letters only fire when no text entry has focus. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, 0, "plan.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, 0, "plan.prev", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, 0, "plan.accept-current", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, 0, "plan.reject-current", NULL);
}

static void
stashhog_plan_view_init (StashhogPlanView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  self->current = -1;
  self->can_review = self->can_apply = TRUE;
  gtk_widget_set_visible (self->apply_button, FALSE);
  gtk_widget_set_visible (self->rollback_button, FALSE);
}

void
stashhog_plan_view_set_client (StashhogPlanView *self, StashhogClient *client)
{
  g_return_if_fail (STASHHOG_IS_PLAN_VIEW (self));
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);
  if (client)
    g_signal_connect (client, "plan-changed", G_CALLBACK (on_plan_changed), self);
}

void
stashhog_plan_view_load (StashhogPlanView *self, gint64 plan_id)
{
  g_return_if_fail (STASHHOG_IS_PLAN_VIEW (self));
  self->plan_id = plan_id;
  if (plan_id <= 0)
    {
      self->load_serial++;
      g_ptr_array_set_size (self->rows, 0);
      stashhog_clear_children (GTK_WIDGET (self->changes_box));
      gtk_label_set_text (self->name_label, "");
      gtk_label_set_text (self->summary_label, "");
      gtk_widget_set_visible (self->review_box, FALSE);
      adw_status_page_set_title (self->empty_page, "No Plan Selected");
      adw_status_page_set_description (self->empty_page, "Plans are created by analyzing scenes.");
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  reload (self, TRUE);
}

gint64
stashhog_plan_view_get_plan_id (StashhogPlanView *self)
{
  g_return_val_if_fail (STASHHOG_IS_PLAN_VIEW (self), 0);
  return self->plan_id;
}

guint
stashhog_plan_view_get_n_changes (StashhogPlanView *self)
{
  g_return_val_if_fail (STASHHOG_IS_PLAN_VIEW (self), 0);
  return self->rows->len;
}

gint64
stashhog_plan_view_get_current_change (StashhogPlanView *self)
{
  g_return_val_if_fail (STASHHOG_IS_PLAN_VIEW (self), 0);
  if (self->current < 0)
    return 0;
  return stashhog_change_row_get_change_id (g_ptr_array_index (self->rows, self->current));
}

guint
stashhog_plan_view_count_status (StashhogPlanView *self, Stashhog__ChangeStatus status)
{
  guint n = 0;
  g_return_val_if_fail (STASHHOG_IS_PLAN_VIEW (self), 0);
  for (guint i = 0; i < self->rows->len; i++)
    n += stashhog_change_row_get_status (g_ptr_array_index (self->rows, i)) == status;
  return n;
}

Stashhog__PlanStatus
stashhog_plan_view_get_status (StashhogPlanView *self)
{
  g_return_val_if_fail (STASHHOG_IS_PLAN_VIEW (self), STASHHOG__PLAN_STATUS__PLAN_DRAFT);
  return self->status;
}

void
stashhog_plan_view_set_threshold (StashhogPlanView *self, double threshold)
{
  g_return_if_fail (STASHHOG_IS_PLAN_VIEW (self));
  gtk_spin_button_set_value (self->threshold_spin, threshold);
}

AdwMessageDialog *
stashhog_plan_view_get_confirm_dialog (StashhogPlanView *self)
{
  g_return_val_if_fail (STASHHOG_IS_PLAN_VIEW (self), NULL);
  return self->confirm_dialog ? ADW_MESSAGE_DIALOG (self->confirm_dialog) : NULL;
}

gint64
stashhog_plan_view_get_change_at (StashhogPlanView *self, guint index)
{
  g_return_val_if_fail (STASHHOG_IS_PLAN_VIEW (self), 0);
  return index < self->rows->len ? stashhog_change_row_get_change_id (g_ptr_array_index (self->rows, index)) : 0;
}

Stashhog__ChangeStatus
stashhog_plan_view_get_status_at (StashhogPlanView *self, guint index)
{
  g_return_val_if_fail (STASHHOG_IS_PLAN_VIEW (self), STASHHOG__CHANGE_STATUS__CHANGE_PENDING);
  return index < self->rows->len ? stashhog_change_row_get_status (g_ptr_array_index (self->rows, index))
                                 : STASHHOG__CHANGE_STATUS__CHANGE_PENDING;
}

guint
stashhog_plan_view_count_accepted_scenes (StashhogPlanView *self)
{
  g_autoptr (GHashTable) scenes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_return_val_if_fail (STASHHOG_IS_PLAN_VIEW (self), 0);
  for (guint i = 0; i < self->rows->len; i++)
    {
      StashhogChangeRow *row = g_ptr_array_index (self->rows, i);
      gint64 sid = stashhog_change_row_get_scene_id (row);
      if (stashhog_change_row_get_status (row) == STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED)
        g_hash_table_add (scenes, g_memdup2 (&sid, sizeof sid));
    }
  return g_hash_table_size (scenes);
}

void
stashhog_plan_view_set_allowed (StashhogPlanView *self, gboolean can_review, gboolean can_apply)
{
  static const char *const review_actions[] = { "plan.accept-change", "plan.reject-change", "plan.accept-scene",
                                                "plan.reject-scene", "plan.accept-field", "plan.reject-field",
                                                "plan.accept-threshold", "plan.accept-all", "plan.reject-all",
                                                "plan.accept-current", "plan.reject-current" };
  g_return_if_fail (STASHHOG_IS_PLAN_VIEW (self));
  self->can_review = can_review;
  self->can_apply = can_apply;
  /* Disabled actions grey out every button, menu item and key bound to them. */
  for (gsize i = 0; i < G_N_ELEMENTS (review_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), review_actions[i], can_review);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plan.apply", can_apply);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plan.rollback", can_apply);
  if (!can_apply)
    {
      gtk_widget_set_visible (self->apply_button, FALSE);
      gtk_widget_set_visible (self->rollback_button, FALSE);
    }
}

void
stashhog_plan_view_set_narrow (StashhogPlanView *self, gboolean narrow)
{
  g_return_if_fail (STASHHOG_IS_PLAN_VIEW (self));
  /* One button group per line instead of one long line. */
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->review_box),
                                  narrow ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
}
