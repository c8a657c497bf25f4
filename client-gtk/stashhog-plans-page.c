#include "stashhog-plans-page.h"

#include "stashhog-fold.h"
#include "stashhog-format.h"
#include "stashhog-gtk-private.h"

#define PLAN_LIMIT 200

struct _StashhogPlansPage
{
  GtkWidget parent_instance;
  StashhogClient *client;
  GArray *plan_ids;
  GError *error;
  gboolean selecting; /* rebuilding the list: ignore row-selected */
  guint refresh_source;

  AdwLeaflet *leaflet;
  GtkStack *list_stack;
  GtkListBox *plan_list;
  AdwStatusPage *list_status;
  GtkWidget *back_button;
  StashhogPlanView *plan_view;
};

G_DEFINE_FINAL_TYPE (StashhogPlansPage, stashhog_plans_page, GTK_TYPE_WIDGET)

static GtkWidget *
plan_row (const Stashhog__PlanSummary *s)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *created = stashhog_format_time_ms (s->created_at_ms);
  g_autofree char *subtitle = g_strdup_printf ("%s · %" G_GINT64_FORMAT " scenes · %" G_GINT64_FORMAT
                                               " changes, %" G_GINT64_FORMAT " pending%s%s",
                                               stashhog_format_plan_status (s->status), s->scene_count,
                                               s->change_count, s->pending, *created ? "\n" : "", created);
  g_autofree char *title = g_markup_escape_text (s->name, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  if (s->conflicts > 0)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
      gtk_widget_add_css_class (icon, "warning");
      gtk_widget_set_tooltip_text (icon, "This plan has conflicts");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
    }
  return row;
}

static void
on_plans (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StashhogPlansPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);
  gint64 open = stashhog_plan_view_get_plan_id (self->plan_view);

  g_clear_error (&self->error);
  if (!reply || reply->body_case != STASHHOG__REPLY__BODY_PLAN_LIST)
    {
      self->error = error ? g_error_copy (error)
                          : g_error_new_literal (STASHHOG_CLIENT_ERROR, SH_ERR_PROTOCOL, "unexpected reply");
      adw_status_page_set_title (self->list_status, "Cannot List Plans");
      adw_status_page_set_description (self->list_status, stashhog_client_error_is_unsupported (self->error)
                                                              ? "This daemon does not support plans yet."
                                                              : self->error->message);
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
      return;
    }
  self->selecting = TRUE;
  stashhog_clear_children (GTK_WIDGET (self->plan_list));
  g_array_set_size (self->plan_ids, 0);
  for (size_t i = 0; i < reply->plan_list->n_plans; i++)
    {
      const Stashhog__PlanSummary *s = reply->plan_list->plans[i];
      GtkWidget *row = plan_row (s);
      gtk_list_box_append (self->plan_list, row);
      g_array_append_val (self->plan_ids, s->id);
      if (s->id == open)
        gtk_list_box_select_row (self->plan_list, GTK_LIST_BOX_ROW (row));
    }
  self->selecting = FALSE;
  adw_status_page_set_title (self->list_status, "No Plans");
  adw_status_page_set_description (self->list_status, "Select scenes and press Analyze to create a plan.");
  gtk_stack_set_visible_child_name (self->list_stack, self->plan_ids->len ? "list" : "empty");
}

void
stashhog_plans_page_refresh (StashhogPlansPage *self)
{
  Stashhog__PlanListRequest list = STASHHOG__PLAN_LIST_REQUEST__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;

  g_return_if_fail (STASHHOG_IS_PLANS_PAGE (self));
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (!self->client)
    return;
  list.has_limit = TRUE;
  list.limit = PLAN_LIMIT;
  req.body_case = STASHHOG__REQUEST__BODY_PLAN_LIST;
  req.plan_list = &list;
  stashhog_client_call_async (self->client, &req, NULL, on_plans, g_object_ref (self));
}

static gboolean
refresh_cb (gpointer user_data)
{
  StashhogPlansPage *self = user_data;
  self->refresh_source = 0;
  stashhog_plans_page_refresh (self);
  return G_SOURCE_REMOVE;
}

static void
on_plan_changed (StashhogClient *client, const Stashhog__PlanChanged *ev, gpointer user_data)
{
  StashhogPlansPage *self = user_data;
  (void) client, (void) ev;
  if (!self->refresh_source)
    self->refresh_source = g_timeout_add (300, refresh_cb, self);
}

static void
on_view_changed (StashhogPlanView *view, gpointer user_data)
{
  (void) view;
  on_plan_changed (NULL, NULL, user_data);
}

static void
on_row_selected (GtkListBox *box, GtkListBoxRow *row, gpointer user_data)
{
  StashhogPlansPage *self = user_data;
  (void) box;
  if (self->selecting || !row)
    return;
  int index = gtk_list_box_row_get_index (row);
  if (index >= 0 && (guint) index < self->plan_ids->len)
    stashhog_plans_page_open_plan (self, g_array_index (self->plan_ids, gint64, index));
}

static void
on_back (GtkButton *button, gpointer user_data)
{
  StashhogPlansPage *self = user_data;
  (void) button;
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
stashhog_plans_page_dispose (GObject *object)
{
  StashhogPlansPage *self = STASHHOG_PLANS_PAGE (object);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_clear_pointer (&self->plan_ids, g_array_unref);
  g_clear_error (&self->error);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_PLANS_PAGE);
  G_OBJECT_CLASS (stashhog_plans_page_parent_class)->dispose (object);
}

static void
stashhog_plans_page_class_init (StashhogPlansPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = stashhog_plans_page_dispose;
  g_type_ensure (STASHHOG_TYPE_PLAN_VIEW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/stashhog/StashHog/stashhog-plans-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogPlansPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlansPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlansPage, plan_list);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlansPage, list_status);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlansPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogPlansPage, plan_view);
}

static void
stashhog_plans_page_init (StashhogPlansPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->plan_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (self->plan_list, "row-selected", G_CALLBACK (on_row_selected), self);
  g_signal_connect (self->back_button, "clicked", G_CALLBACK (on_back), self);
  stashhog_fold_bind_back_button (self->leaflet, self->back_button);
  g_signal_connect (self->plan_view, "changed", G_CALLBACK (on_view_changed), self);
}

void
stashhog_plans_page_set_client (StashhogPlansPage *self, StashhogClient *client)
{
  g_return_if_fail (STASHHOG_IS_PLANS_PAGE (self));
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);
  stashhog_plan_view_set_client (self->plan_view, client);
  if (client)
    g_signal_connect (client, "plan-changed", G_CALLBACK (on_plan_changed), self);
}

void
stashhog_plans_page_open_plan (StashhogPlansPage *self, gint64 plan_id)
{
  g_return_if_fail (STASHHOG_IS_PLANS_PAGE (self));
  stashhog_plan_view_load (self->plan_view, plan_id);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_grab_focus (GTK_WIDGET (self->plan_view));
}

StashhogPlanView *
stashhog_plans_page_get_plan_view (StashhogPlansPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_PLANS_PAGE (self), NULL);
  return self->plan_view;
}

guint
stashhog_plans_page_get_n_plans (StashhogPlansPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_PLANS_PAGE (self), 0);
  return self->plan_ids->len;
}

gint64
stashhog_plans_page_get_first_plan (StashhogPlansPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_PLANS_PAGE (self), 0);
  return self->plan_ids->len ? g_array_index (self->plan_ids, gint64, 0) : 0;
}

const GError *
stashhog_plans_page_get_error (StashhogPlansPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_PLANS_PAGE (self), NULL);
  return self->error;
}

gboolean
stashhog_plans_page_get_folded (StashhogPlansPage *self, gboolean *showing_view)
{
  g_return_val_if_fail (STASHHOG_IS_PLANS_PAGE (self), FALSE);
  if (showing_view)
    *showing_view =
        gtk_widget_is_ancestor (GTK_WIDGET (self->plan_view), adw_leaflet_get_visible_child (self->leaflet));
  return adw_leaflet_get_folded (self->leaflet);
}

void
stashhog_plans_page_set_narrow (StashhogPlansPage *self, gboolean narrow)
{
  g_return_if_fail (STASHHOG_IS_PLANS_PAGE (self));
  adw_leaflet_set_can_unfold (self->leaflet, !narrow);
  stashhog_plan_view_set_narrow (self->plan_view, narrow);
}
