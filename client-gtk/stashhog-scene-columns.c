/* stashhog-scene-columns.c - the scene list's columns: one GtkSignalListItemFactory
 * per column over StashhogSceneItem rows; cells show "…" until their page
 * arrives and rebind when the item reports it is loaded. */
#include "stashhog-scene-columns.h"

#include "stashhog-scene-item.h"


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
add_column (GtkColumnView *view, const char *title, Column col, gboolean expand, int width)
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
  gtk_column_view_append_column (view, column);
}

void
stashhog_scene_columns_add (GtkColumnView *view)
{
  g_return_if_fail (GTK_IS_COLUMN_VIEW (view));
  add_column (view, "Title", COL_TITLE, TRUE, 230);
  add_column (view, "Studio", COL_STUDIO, FALSE, 130);
  add_column (view, "Performers", COL_PERFORMERS, FALSE, 150);
  add_column (view, "Tags", COL_TAGS, FALSE, 130);
  add_column (view, "Date", COL_DATE, FALSE, 92);
  add_column (view, "Path", COL_PATH, TRUE, 220);
  add_column (view, "✓", COL_ORGANIZED, FALSE, 36);
}
