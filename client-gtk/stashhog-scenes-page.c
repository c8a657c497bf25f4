#include "stashhog-scenes-page.h"

#include "stashhog-fold.h"
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

static void
fetch_page (StashhogSceneModel *model, guint generation, guint offset, guint limit, gboolean want_total,
            gpointer user_data)
{
  StashhogScenesPage *self = user_data;
  Stashhog__SceneListRequest list = STASHHOG__SCENE_LIST_REQUEST__INIT;
  Stashhog__SceneFilter filter = STASHHOG__SCENE_FILTER__INIT;
  sh_request req = STASHHOG__REQUEST__INIT;
  Stashhog__MissingField missing[G_N_ELEMENTS (missing_fields)];
  int64_t studio = self->entity[STASHHOG__ENTITY_KIND__ENTITY_STUDIO].id;
  int64_t performer = self->entity[STASHHOG__ENTITY_KIND__ENTITY_PERFORMER].id;
  int64_t tag = self->entity[STASHHOG__ENTITY_KIND__ENTITY_TAG].id;
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint organized = gtk_drop_down_get_selected (self->organized_dropdown);
  FetchData *fd = g_new0 (FetchData, 1);

  if (query && *query)
    filter.query = (char *) query;
  if (studio)
    filter.studio_ids = &studio, filter.n_studio_ids = 1;
  if (performer)
    filter.performer_ids = &performer, filter.n_performer_ids = 1;
  if (tag)
    filter.tag_ids = &tag, filter.n_tag_ids = 1;
  if (organized == 1 || organized == 2)
    filter.has_organized = TRUE, filter.organized = organized == 1;
  for (gsize i = 0; i < G_N_ELEMENTS (missing_fields); i++)
    if (gtk_check_button_get_active (self->missing_checks[i]))
      missing[filter.n_missing++] = missing_fields[i].field;
  filter.missing = missing;

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

/* ---------------------------------------------------------------- columns */

typedef enum { COL_TITLE, COL_STUDIO, COL_PERFORMERS, COL_TAGS, COL_DATE, COL_PATH, COL_ORGANIZED } Column;

static void
bind_cell (GtkListItem *list_item, Column col)
{
  StashhogSceneItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  const StashhogSceneRow *row = item ? stashhog_scene_item_get_row (item) : NULL;

  if (col == COL_ORGANIZED)
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (child), row && row->organized ? "object-select-symbolic" : NULL);
      return;
    }
  const char *text = "…";
  if (row)
    switch (col)
      {
      case COL_TITLE: text = row->title; break;
      case COL_STUDIO: text = row->studio; break;
      case COL_PERFORMERS: text = row->performers; break;
      case COL_TAGS: text = row->tags; break;
      case COL_DATE: text = row->date; break;
      case COL_PATH: text = row->path; break;
      case COL_ORGANIZED:
      default: break;
      }
  gtk_label_set_text (GTK_LABEL (child), text);
  gtk_widget_set_tooltip_text (child, row && col == COL_PATH ? row->path : NULL);
  if (row)
    gtk_widget_remove_css_class (child, "dim-label");
  else
    gtk_widget_add_css_class (child, "dim-label");
}

static void
on_item_loaded (StashhogSceneItem *item, GParamSpec *pspec, gpointer user_data)
{
  GtkListItem *list_item = user_data;
  (void) item, (void) pspec;
  bind_cell (list_item, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (list_item), "column")));
}

static void
setup_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  Column col = GPOINTER_TO_INT (user_data);
  (void) factory;
  g_object_set_data (G_OBJECT (list_item), "column", user_data);
  if (col == COL_ORGANIZED)
    {
      gtk_list_item_set_child (list_item, gtk_image_new ());
      return;
    }
  GtkWidget *label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), col == COL_PATH ? PANGO_ELLIPSIZE_START : PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (col == COL_DATE)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  StashhogSceneItem *item = gtk_list_item_get_item (list_item);
  (void) factory;
  bind_cell (list_item, GPOINTER_TO_INT (user_data));
  if (item && !stashhog_scene_item_get_loaded (item))
    g_signal_connect_object (item, "notify::loaded", G_CALLBACK (on_item_loaded), list_item, 0);
}

static void
unbind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  StashhogSceneItem *item = gtk_list_item_get_item (list_item);
  (void) factory, (void) user_data;
  if (item)
    g_signal_handlers_disconnect_by_func (item, on_item_loaded, list_item);
}

static void
add_column (StashhogScenesPage *self, const char *title, Column col, gboolean expand, int width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GINT_TO_POINTER (col));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GINT_TO_POINTER (col));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), GINT_TO_POINTER (col));
  g_autoptr (GtkColumnViewColumn) column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  if (width > 0)
    gtk_column_view_column_set_fixed_width (column, width);
  gtk_column_view_append_column (self->column_view, column);
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
  sh_request req = STASHHOG__REQUEST__INIT;
  gboolean all;
  guint skipped;
  g_autoptr (GArray) ids = selected_ids (self, &all, &skipped);
  (void) action, (void) param;

  if (!self->client)
    return;
  if (all)
    {
      /* Everything that matches: send the filter itself, not 100,000 ids. */
      const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
      if (query && *query)
        filter.query = (char *) query;
      for (int k = 0; k < 3; k++)
        if (self->entity[k].id)
          {
            int64_t *id = &self->entity[k].id;
            if (k == STASHHOG__ENTITY_KIND__ENTITY_STUDIO)
              filter.studio_ids = id, filter.n_studio_ids = 1;
            else if (k == STASHHOG__ENTITY_KIND__ENTITY_PERFORMER)
              filter.performer_ids = id, filter.n_performer_ids = 1;
            else
              filter.tag_ids = id, filter.n_tag_ids = 1;
          }
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

static void
update_filter_chips (StashhogScenesPage *self)
{
  gboolean any = FALSE;
  stashhog_clear_children (GTK_WIDGET (self->active_filters_box));
  for (int k = 0; k < 3; k++)
    {
      if (!self->entity[k].id)
        continue;
      g_autofree char *text = g_strdup_printf ("%s: %s", kind_labels[k], self->entity[k].name);
      GtkWidget *chip = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      gtk_box_append (GTK_BOX (box), gtk_label_new (text));
      gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("window-close-symbolic"));
      gtk_button_set_child (GTK_BUTTON (chip), box);
      gtk_widget_add_css_class (chip, "pill");
      gtk_widget_add_css_class (chip, "small");
      gtk_widget_set_tooltip_text (chip, "Remove this filter");
      g_object_set_data (G_OBJECT (chip), "kind", GINT_TO_POINTER (k));
      g_signal_connect (chip, "clicked", G_CALLBACK (on_chip_remove), self);
      gtk_box_append (self->active_filters_box, chip);
      any = TRUE;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->active_filters_box), any);
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
  add_column (self, "Title", COL_TITLE, TRUE, 230);
  add_column (self, "Studio", COL_STUDIO, FALSE, 130);
  add_column (self, "Performers", COL_PERFORMERS, FALSE, 150);
  add_column (self, "Tags", COL_TAGS, FALSE, 130);
  add_column (self, "Date", COL_DATE, FALSE, 92);
  add_column (self, "Path", COL_PATH, TRUE, 220);
  add_column (self, "✓", COL_ORGANIZED, FALSE, 36);

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
