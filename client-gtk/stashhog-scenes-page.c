#include "stashhog-scene-columns.h"
#include "stashhog-scenes-page.h"

#include "stashhog-fold.h"
#include "stashhog-filter-box.h"
#include "stashhog-format.h"
#include "stashhog-gtk-private.h"
#include "stashhog-scene-detail.h"

#define PAGE_SIZE 200
#define MAX_PAGES 8
#define MAX_SELECTED_IDS 5000
#define MAX_RESYNC 100

static const struct
{
  Stashhog__MissingField field;
  const char *label;
} missing_fields[] = {
  { STASHHOG__MISSING_FIELD__MISSING_TITLE, "Title" },
  { STASHHOG__MISSING_FIELD__MISSING_STUDIO, "Studio" },
  { STASHHOG__MISSING_FIELD__MISSING_PERFORMERS, "Performers" },
  { STASHHOG__MISSING_FIELD__MISSING_TAGS, "Tags" },
  { STASHHOG__MISSING_FIELD__MISSING_DATE, "Date" },
  { STASHHOG__MISSING_FIELD__MISSING_DETAILS, "Details" },
  { STASHHOG__MISSING_FIELD__MISSING_CODE, "Studio code" },
};

/* One entity filter per kind (studio, performer, tag); id 0 = none. */
typedef struct
{
  gint64 id;
  char *name;
} EntityFilter;

struct _StashhogScenesPage
{
  GtkWidget parent_instance;
  StashhogClient *client;
  StashhogSceneModel *model;
  GtkMultiSelection *selection;
  EntityFilter entity[3]; /* indexed by Stashhog__EntityKind */
  GtkCheckButton *missing_checks[G_N_ELEMENTS (missing_fields)];
  StashhogSceneItem *detail_item; /* waiting for its page to show details */
  gulong detail_item_handler;

  GtkSearchEntry *search_entry;
  GtkDropDown *sort_dropdown;
  GtkToggleButton *descending_button;
  GtkDropDown *organized_dropdown;
  GtkBox *missing_box;
  GtkLabel *count_label;
  GtkBox *active_filters_box;
  StashhogFilterBox *filter_box;
  GtkStack *list_stack;
  GtkColumnView *column_view;
  AdwStatusPage *empty_page;
  StashhogSceneDetail *detail;
  AdwLeaflet *leaflet;
  GtkWidget *secondary_box;
  GtkWidget *more_button;
  GtkPopover *more_popover;
  GtkWidget *back_button;
};

G_DEFINE_FINAL_TYPE (StashhogScenesPage, stashhog_scenes_page, GTK_TYPE_WIDGET)

/* ---------------------------------------------------------------- fetching */

typedef struct
{
  StashhogSceneModel *model;
  guint generation;
  guint offset;
} FetchData;

static void
on_page_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FetchData *fd = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);

  if (reply && reply->body_case == STASHHOG__REPLY__BODY_SCENE_LIST)
    {
      Stashhog__SceneListReply *list = reply->scene_list;
      GPtrArray *rows = g_ptr_array_new_full ((guint) list->n_scenes, NULL);
      for (size_t i = 0; i < list->n_scenes; i++)
        g_ptr_array_add (rows, stashhog_scene_row_new_from_summary (list->scenes[i]));
      stashhog_scene_model_page_loaded (fd->model, fd->generation, fd->offset, rows,
                                        list->has_total ? list->total : -1);
    }
  else
    {
      if (!error)
        error = g_error_new_literal (STASHHOG_CLIENT_ERROR, SH_ERR_PROTOCOL, "unexpected reply to scene list");
      stashhog_scene_model_page_failed (fd->model, fd->generation, fd->offset, error);
    }
  g_object_unref (fd->model);
  g_free (fd);
}

/* The page's filter without the advanced part; members are borrowed from
 * self, missing_buf holds G_N_ELEMENTS (missing_fields) entries.  Listing,
 * analyzing "all" and saving a filter all use this one definition. */
static void
fill_base_filter (gpointer user_data, Stashhog__SceneFilter *filter, Stashhog__MissingField *missing_buf)
{
  StashhogScenesPage *self = user_data;
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint organized = gtk_drop_down_get_selected (self->organized_dropdown);

  if (query && *query)
    filter->query = (char *) query;
  if (self->entity[STASHHOG__ENTITY_KIND__ENTITY_STUDIO].id)
    filter->studio_ids = &self->entity[STASHHOG__ENTITY_KIND__ENTITY_STUDIO].id, filter->n_studio_ids = 1;
  if (self->entity[STASHHOG__ENTITY_KIND__ENTITY_PERFORMER].id)
    filter->performer_ids = &self->entity[STASHHOG__ENTITY_KIND__ENTITY_PERFORMER].id, filter->n_performer_ids = 1;
  if (self->entity[STASHHOG__ENTITY_KIND__ENTITY_TAG].id)
    filter->tag_ids = &self->entity[STASHHOG__ENTITY_KIND__ENTITY_TAG].id, filter->n_tag_ids = 1;
  if (organized == 1 || organized == 2)
    filter->has_organized = TRUE, filter->organized = organized == 1;
  for (gsize i = 0; i < G_N_ELEMENTS (missing_fields); i++)
    if (gtk_check_button_get_active (self->missing_checks[i]))
      missing_buf[filter->n_missing++] = missing_fields[i].field;
  filter->missing = missing_buf;
}

/* The whole current filter: the base plus where / saved. */
static void
fill_filter (StashhogScenesPage *self, Stashhog__SceneFilter *filter, Stashhog__MissingField *missing_buf)
{
  fill_base_filter (self, filter, missing_buf);
  stashhog_filter_box_fill (self->filter_box, filter);
}

static void
fetch_page (StashhogSceneModel *model, guint generation, guint offset, guint limit, gboolean want_total,
            gpointer user_data)
{
  StashhogScenesPage *self = user_data;
  Stashhog__SceneListRequest list = STASHHOG__SCENE_LIST_REQUEST__INIT;
  Stashhog__SceneFilter filter = STASHHOG__SCENE_FILTER__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  Stashhog__MissingField missing[G_N_ELEMENTS (missing_fields)];
  FetchData *fd = g_new0 (FetchData, 1);

  fill_filter (self, &filter, missing);
  list.filter = &filter;
  list.has_sort = TRUE;
  list.sort = (Stashhog__SceneSort) gtk_drop_down_get_selected (self->sort_dropdown);
  list.has_descending = TRUE;
  list.descending = gtk_toggle_button_get_active (self->descending_button);
  list.has_limit = TRUE;
  list.limit = (int32_t) limit;
  list.has_offset = TRUE;
  list.offset = offset;
  list.has_with_total = TRUE;
  list.with_total = want_total;
  req.body_case = STASHHOG__REQUEST__BODY_SCENE_LIST;
  req.scene_list = &list;

  fd->model = g_object_ref (model);
  fd->generation = generation;
  fd->offset = offset;
  if (!self->client)
    {
      g_autoptr (GError) error = g_error_new_literal (STASHHOG_CLIENT_ERROR, SH_ERR_UNAVAILABLE, "not connected");
      stashhog_scene_model_page_failed (model, generation, offset, error);
      g_object_unref (fd->model);
      g_free (fd);
      return;
    }
  stashhog_client_call_async (self->client, &req, NULL, on_page_reply, fd);
}

/* ---------------------------------------------------------------- list state */

static void
update_list_state (StashhogScenesPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  const char *error = stashhog_scene_model_get_error (self->model);
  g_autofree char *count = g_strdup_printf ("%u scene%s", n, n == 1 ? "" : "s");

  if (stashhog_scene_model_get_loading (self->model))
    {
      gtk_stack_set_visible_child_name (self->list_stack, "loading");
      gtk_label_set_text (self->count_label, "");
      return;
    }
  gtk_label_set_text (self->count_label, count);
  if (n > 0)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
      return;
    }
  if (error)
    {
      adw_status_page_set_icon_name (self->empty_page, "dialog-warning-symbolic");
      adw_status_page_set_title (self->empty_page, "Cannot Load Scenes");
      adw_status_page_set_description (self->empty_page, error);
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
      adw_status_page_set_title (self->empty_page, "No Scenes");
      adw_status_page_set_description (self->empty_page,
                                       "No cached scene matches. Change the search or filters, or sync from Stash "
                                       "(stashhogctl sync full).");
    }
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

static void
on_model_notify (GObject *model, GParamSpec *pspec, gpointer user_data)
{
  (void) model, (void) pspec;
  update_list_state (STASHHOG_SCENES_PAGE (user_data));
}

static void
reload (StashhogScenesPage *self)
{
  stashhog_scene_model_reload (self->model);
  update_list_state (self);
}

/* ---------------------------------------------------------------- selection and details */

static void
clear_detail_wait (StashhogScenesPage *self)
{
  if (self->detail_item)
    g_clear_signal_handler (&self->detail_item_handler, self->detail_item);
  g_clear_object (&self->detail_item);
}

static void
on_detail_item_loaded (StashhogSceneItem *item, GParamSpec *pspec, gpointer user_data)
{
  StashhogScenesPage *self = user_data;
  (void) pspec;
  stashhog_scene_detail_show (self->detail, stashhog_scene_item_get_id (item));
  clear_detail_wait (self);
}

static void
on_selection_changed (GtkSelectionModel *selection, guint position, guint n_items, gpointer user_data)
{
  StashhogScenesPage *self = user_data;
  g_autoptr (GtkBitset) set = gtk_selection_model_get_selection (selection);
  (void) position, (void) n_items;

  clear_detail_wait (self);
  if (gtk_bitset_get_size (set) != 1)
    {
      stashhog_scene_detail_show (self->detail, 0);
      return;
    }
  /* Folded, a tap on a row is the way to its details. */
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "detail");
  g_autoptr (StashhogSceneItem) item = g_list_model_get_item (G_LIST_MODEL (self->model),
                                                              gtk_bitset_get_minimum (set));
  if (!item)
    return;
  if (stashhog_scene_item_get_loaded (item))
    {
      stashhog_scene_detail_show (self->detail, stashhog_scene_item_get_id (item));
      return;
    }
  self->detail_item = g_object_ref (item);
  self->detail_item_handler = g_signal_connect (item, "notify::loaded", G_CALLBACK (on_detail_item_loaded), self);
}

static void
on_row_activated (GtkColumnView *view, guint position, gpointer user_data)
{
  StashhogScenesPage *self = user_data;
  (void) view, (void) position;
  adw_leaflet_set_visible_child_name (self->leaflet, "detail");
}

static void
on_back (GtkButton *button, gpointer user_data)
{
  StashhogScenesPage *self = user_data;
  (void) button;
  adw_leaflet_set_visible_child_name (self->leaflet, "list");
}

/* Ids of the selected, loaded rows; *all is set when every row is selected
 * (then the caller acts on the filter instead of a list of ids). */
static GArray *
selected_ids (StashhogScenesPage *self, gboolean *all, guint *skipped)
{
  g_autoptr (GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (int64_t));
  GtkBitsetIter it;
  guint pos;

  *skipped = 0;
  *all = n > 1 && gtk_bitset_get_size (set) == n;
  if (*all)
    return ids;
  for (gboolean ok = gtk_bitset_iter_init_first (&it, set, &pos); ok && ids->len < MAX_SELECTED_IDS;
       ok = gtk_bitset_iter_next (&it, &pos))
    {
      g_autoptr (StashhogSceneItem) item = g_list_model_get_item (G_LIST_MODEL (self->model), pos);
      int64_t id = item ? stashhog_scene_item_get_id (item) : 0;
      if (id > 0)
        g_array_append_val (ids, id);
      else
        (*skipped)++;
    }
  return ids;
}

static void
on_job_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GtkWidget) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (Stashhog__Reply) reply = stashhog_client_call_finish (STASHHOG_CLIENT (source), result, &error);

  if (!reply)
    {
      stashhog_toast_error (self, "Cannot start the job", error);
      return;
    }
  if (reply->body_case == STASHHOG__REPLY__BODY_JOB)
    stashhog_toast (self, "Started job #%" G_GINT64_FORMAT " (%s)", reply->job->id,
                    reply->job->type ? reply->job->type : "job");
  else if (reply->body_case == STASHHOG__REPLY__BODY_PLAN)
    stashhog_toast (self, "Plan “%s” created", reply->plan->summary->name);
  else
    stashhog_toast (self, "Started");
}

static void
analyze_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  StashhogScenesPage *self = STASHHOG_SCENES_PAGE (widget);
  Stashhog__AnalyzeRequest analyze = STASHHOG__ANALYZE_REQUEST__INIT;
  Stashhog__SceneFilter filter = STASHHOG__SCENE_FILTER__INIT;
  Stashhog__MissingField missing[G_N_ELEMENTS (missing_fields)];
  sh_request req = STASHHOG__REQUEST__INIT;
  gboolean all;
  guint skipped;
  g_autoptr (GArray) ids = selected_ids (self, &all, &skipped);
  (void) action, (void) param;

  if (!self->client)
    return;
  if (all)
    {
      /* Everything that matches: send the whole filter itself (where and
       * saved included), not 100,000 ids. */
      fill_filter (self, &filter, missing);
    }
  else if (ids->len == 0)
    {
      stashhog_toast (widget, "Select the scenes to analyze first");
      return;
    }
  else
    {
      filter.scene_ids = (int64_t *) ids->data;
      filter.n_scene_ids = ids->len;
    }
  analyze.filter = &filter;
  req.body_case = STASHHOG__REQUEST__BODY_ANALYZE;
  req.analyze = &analyze;
  if (skipped)
    stashhog_toast (widget, "%u selected scenes were not loaded and are left out", skipped);
  stashhog_client_call_async (self->client, &req, NULL, on_job_started, g_object_ref (widget));
}

static void
resync_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  StashhogScenesPage *self = STASHHOG_SCENES_PAGE (widget);
  gboolean all;
  guint skipped;
  g_autoptr (GArray) ids = selected_ids (self, &all, &skipped);
  (void) action, (void) param;

  if (!self->client)
    return;
  if (all || ids->len > MAX_RESYNC)
    {
      stashhog_toast (widget, "Select at most %d scenes to resync (use a full sync for more)", MAX_RESYNC);
      return;
    }
  if (ids->len == 0)
    {
      stashhog_toast (widget, "Select the scenes to resync first");
      return;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      Stashhog__SyncStartRequest sync = STASHHOG__SYNC_START_REQUEST__INIT;
      sh_request req = STASHHOG__REQUEST__INIT;
      sync.kind = STASHHOG__SYNC_KIND__SYNC_KIND_SCENE;
      sync.has_scene_id = TRUE;
      sync.scene_id = g_array_index (ids, int64_t, i);
      req.body_case = STASHHOG__REQUEST__BODY_SYNC_START;
      req.sync_start = &sync;
      stashhog_client_call_async (self->client, &req, NULL, on_job_started, g_object_ref (widget));
    }
}

/* ---------------------------------------------------------------- filters */

static const char *const kind_labels[] = { "Performer", "Studio", "Tag" };

static void update_filter_chips (StashhogScenesPage *self);

static void
on_chip_remove (GtkButton *button, gpointer user_data)
{
  StashhogScenesPage *self = user_data;
  int kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "kind"));
  self->entity[kind].id = 0;
  g_clear_pointer (&self->entity[kind].name, g_free);
  update_filter_chips (self);
  reload (self);
}

/* A removable pill in the active-filters row. */
static GtkWidget *
add_chip (StashhogScenesPage *self, const char *text, const char *tooltip)
{
  GtkWidget *chip = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (text);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("window-close-symbolic"));
  gtk_button_set_child (GTK_BUTTON (chip), box);
  gtk_widget_add_css_class (chip, "pill");
  gtk_widget_add_css_class (chip, "small");
  gtk_widget_set_tooltip_text (chip, tooltip);
  gtk_box_append (self->active_filters_box, chip);
  return chip;
}

static void
update_filter_chips (StashhogScenesPage *self)
{
  const char *saved = stashhog_filter_box_get_saved (self->filter_box);
  const char *expr = stashhog_filter_box_get_expression (self->filter_box);
  gboolean any = saved || expr;
  stashhog_clear_children (GTK_WIDGET (self->active_filters_box));
  for (int k = 0; k < 3; k++)
    {
      if (!self->entity[k].id)
        continue;
      g_autofree char *text = g_strdup_printf ("%s: %s", kind_labels[k], self->entity[k].name);
      GtkWidget *chip = add_chip (self, text, "Remove this filter");
      g_object_set_data (G_OBJECT (chip), "kind", GINT_TO_POINTER (k));
      g_signal_connect (chip, "clicked", G_CALLBACK (on_chip_remove), self);
      any = TRUE;
    }
  /* The active advanced filter: a saved one by name, or the expression. */
  if (saved || expr)
    {
      g_autofree char *text = saved ? g_strdup_printf ("Saved: %s", saved) : g_strdup_printf ("Where: %s", expr);
      GtkWidget *chip = add_chip (self, text, expr ? expr : "Clear the saved filter");
      g_signal_connect_swapped (chip, "clicked", G_CALLBACK (stashhog_filter_box_clear), self->filter_box);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->active_filters_box), any);
}

static void
on_advanced_changed (StashhogFilterBox *box, gpointer user_data)
{
  StashhogScenesPage *self = user_data;
  (void) box;
  update_filter_chips (self);
  reload (self);
}

static void
clear_filters_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  StashhogScenesPage *self = STASHHOG_SCENES_PAGE (widget);
  (void) action, (void) param;
  for (int k = 0; k < 3; k++)
    {
      self->entity[k].id = 0;
      g_clear_pointer (&self->entity[k].name, g_free);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (missing_fields); i++)
    gtk_check_button_set_active (self->missing_checks[i], FALSE);
  gtk_drop_down_set_selected (self->organized_dropdown, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_signal_handlers_block_by_func (self->filter_box, on_advanced_changed, self);
  stashhog_filter_box_clear (self->filter_box);
  g_signal_handlers_unblock_by_func (self->filter_box, on_advanced_changed, self);
  update_filter_chips (self);
  reload (self);
}

static void
on_filter_changed (gpointer user_data)
{
  reload (STASHHOG_SCENES_PAGE (user_data));
}

/* ---------------------------------------------------------------- object */

static void
stashhog_scenes_page_dispose (GObject *object)
{
  StashhogScenesPage *self = STASHHOG_SCENES_PAGE (object);
  clear_detail_wait (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), STASHHOG_TYPE_SCENES_PAGE);
  g_clear_object (&self->selection);
  if (self->model)
    {
      g_signal_handlers_disconnect_by_data (self->model, self);
      stashhog_scene_model_set_fetcher (self->model, NULL, NULL, NULL);
    }
  g_clear_object (&self->model);
  g_clear_object (&self->client);
  for (int k = 0; k < 3; k++)
    g_clear_pointer (&self->entity[k].name, g_free);
  G_OBJECT_CLASS (stashhog_scenes_page_parent_class)->dispose (object);
}

static void
stashhog_scenes_page_class_init (StashhogScenesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stashhog_scenes_page_dispose;
  g_type_ensure (STASHHOG_TYPE_SCENE_DETAIL);
  g_type_ensure (STASHHOG_TYPE_FILTER_BOX);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stashhog/StashHog/stashhog-scenes-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, descending_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, organized_dropdown);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, missing_box);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, active_filters_box);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, filter_box);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, detail);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, secondary_box);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, more_button);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, more_popover);
  gtk_widget_class_bind_template_child (widget_class, StashhogScenesPage, back_button);
  gtk_widget_class_install_action (widget_class, "scenes.analyze", NULL, analyze_activated);
  gtk_widget_class_install_action (widget_class, "scenes.resync", NULL, resync_activated);
  gtk_widget_class_install_action (widget_class, "scenes.clear-filters", NULL, clear_filters_activated);
}

static void
stashhog_scenes_page_init (StashhogScenesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->model = stashhog_scene_model_new (PAGE_SIZE, MAX_PAGES);
  stashhog_scene_model_set_fetcher (self->model, fetch_page, self, NULL);
  g_signal_connect (self->model, "notify::loading", G_CALLBACK (on_model_notify), self);
  g_signal_connect (self->model, "notify::n-items", G_CALLBACK (on_model_notify), self);
  g_signal_connect (self->model, "notify::error", G_CALLBACK (on_model_notify), self);
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->model)));
  g_signal_connect (self->selection, "selection-changed", G_CALLBACK (on_selection_changed), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  /* Fixed minimums so no column collapses; Title and Path share what is left. */
  stashhog_scene_columns_add (self->column_view);

  for (gsize i = 0; i < G_N_ELEMENTS (missing_fields); i++)
    {
      self->missing_checks[i] = GTK_CHECK_BUTTON (gtk_check_button_new_with_label (missing_fields[i].label));
      g_signal_connect_swapped (self->missing_checks[i], "toggled", G_CALLBACK (on_filter_changed), self);
      gtk_box_append (self->missing_box, GTK_WIDGET (self->missing_checks[i]));
    }
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->sort_dropdown, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->organized_dropdown, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->descending_button, "toggled", G_CALLBACK (on_filter_changed), self);
  stashhog_filter_box_set_base_func (self->filter_box, fill_base_filter, self);
  g_signal_connect (self->filter_box, "changed", G_CALLBACK (on_advanced_changed), self);
  g_signal_connect (self->column_view, "activate", G_CALLBACK (on_row_activated), self);
  g_signal_connect (self->back_button, "clicked", G_CALLBACK (on_back), self);
  stashhog_fold_bind_back_button (self->leaflet, self->back_button);
  update_list_state (self);
}

void
stashhog_scenes_page_set_client (StashhogScenesPage *self, StashhogClient *client)
{
  g_return_if_fail (STASHHOG_IS_SCENES_PAGE (self));
  g_set_object (&self->client, client);
  stashhog_scene_detail_set_client (self->detail, client);
  stashhog_filter_box_set_client (self->filter_box, client);
}

StashhogFilterBox *
stashhog_scenes_page_get_filter_box (StashhogScenesPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENES_PAGE (self), NULL);
  return self->filter_box;
}

void
stashhog_scenes_page_refresh (StashhogScenesPage *self)
{
  g_return_if_fail (STASHHOG_IS_SCENES_PAGE (self));
  reload (self);
}

void
stashhog_scenes_page_focus_search (StashhogScenesPage *self)
{
  g_return_if_fail (STASHHOG_IS_SCENES_PAGE (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
stashhog_scenes_page_set_search (StashhogScenesPage *self, const char *text)
{
  g_return_if_fail (STASHHOG_IS_SCENES_PAGE (self));
  /* search-changed fires after the entry's delay and reloads. */
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
}

void
stashhog_scenes_page_filter_entity (StashhogScenesPage *self, Stashhog__EntityKind kind, gint64 id,
                                    const char *name)
{
  g_return_if_fail (STASHHOG_IS_SCENES_PAGE (self));
  g_return_if_fail ((int) kind >= 0 && (int) kind < 3);
  self->entity[kind].id = id;
  g_free (self->entity[kind].name);
  self->entity[kind].name = g_strdup (name);
  update_filter_chips (self);
  reload (self);
}

void
stashhog_scenes_page_filter_figure (StashhogScenesPage *self, StashhogFigure figure)
{
  Stashhog__MissingField missing;
  gboolean organized = TRUE;
  g_return_if_fail (STASHHOG_IS_SCENES_PAGE (self));
  clear_filters_activated (GTK_WIDGET (self), NULL, NULL);
  if (stashhog_figure_filter (figure, &missing, &organized))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (missing_fields); i++)
        if (missing_fields[i].field == missing)
          gtk_check_button_set_active (self->missing_checks[i], TRUE);
    }
  else
    gtk_drop_down_set_selected (self->organized_dropdown, organized ? 1 : 2);
}

StashhogSceneModel *
stashhog_scenes_page_get_model (StashhogScenesPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENES_PAGE (self), NULL);
  return self->model;
}

void
stashhog_scenes_page_select (StashhogScenesPage *self, guint position)
{
  g_return_if_fail (STASHHOG_IS_SCENES_PAGE (self));
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
}

void
stashhog_scenes_page_scroll_to (StashhogScenesPage *self, double fraction)
{
  g_return_if_fail (STASHHOG_IS_SCENES_PAGE (self));
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view));
  double range = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);
  gtk_adjustment_set_value (adj, CLAMP (fraction, 0.0, 1.0) * MAX (range, 0.0));
}

gboolean
stashhog_scenes_page_get_folded (StashhogScenesPage *self, gboolean *showing_detail)
{
  g_return_val_if_fail (STASHHOG_IS_SCENES_PAGE (self), FALSE);
  if (showing_detail)
    *showing_detail = g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "detail") == 0;
  return adw_leaflet_get_folded (self->leaflet);
}

/* Phone width: sort, filters, count and resync move into the "more" popover
 * so the search entry and Analyze keep the toolbar, and list and detail fold
 * into one pane.  The window decides (hidden pages are never allocated, so
 * they cannot notice the width themselves, yet their minimums count). */
void
stashhog_scenes_page_set_narrow (StashhogScenesPage *self, gboolean narrow)
{
  g_return_if_fail (STASHHOG_IS_SCENES_PAGE (self));
  adw_leaflet_set_can_unfold (self->leaflet, !narrow);
  stashhog_fold_collapse_controls (self->secondary_box, gtk_widget_get_parent (GTK_WIDGET (self->search_entry)),
                                   GTK_WIDGET (self->search_entry), GTK_MENU_BUTTON (self->more_button), narrow);
}

GtkPopover *
stashhog_scenes_page_popup_more (StashhogScenesPage *self)
{
  g_return_val_if_fail (STASHHOG_IS_SCENES_PAGE (self), NULL);
  if (!gtk_widget_get_visible (self->more_button) ||
      !gtk_widget_is_ancestor (self->secondary_box, GTK_WIDGET (self->more_popover)))
    return NULL;
  gtk_menu_button_popup (GTK_MENU_BUTTON (self->more_button));
  return self->more_popover;
}
