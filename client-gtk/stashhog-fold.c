#include "stashhog-fold.h"

#define PENDING_KEY "stashhog-fold-pending"
#define ICON_KEY "stashhog-fold-icon"

static gboolean
sync_visible (gpointer user_data)
{
  GtkWidget *button = user_data;
  GtkWidget *leaflet = gtk_widget_get_ancestor (button, ADW_TYPE_LEAFLET);
  g_object_set_data (G_OBJECT (button), PENDING_KEY, NULL);
  if (leaflet)
    gtk_widget_set_visible (button, adw_leaflet_get_folded (ADW_LEAFLET (leaflet)));
  return G_SOURCE_REMOVE;
}

static void
on_folded (AdwLeaflet *leaflet, GParamSpec *pspec, gpointer user_data)
{
  GtkWidget *button = user_data;
  (void) leaflet, (void) pspec;
  if (g_object_get_data (G_OBJECT (button), PENDING_KEY))
    return;
  g_object_set_data (G_OBJECT (button), PENDING_KEY, GINT_TO_POINTER (1));
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, sync_visible, g_object_ref (button), g_object_unref);
}

void
stashhog_fold_bind_back_button (AdwLeaflet *leaflet, GtkWidget *button)
{
  g_return_if_fail (ADW_IS_LEAFLET (leaflet) && GTK_IS_WIDGET (button));
  g_return_if_fail (gtk_widget_is_ancestor (button, GTK_WIDGET (leaflet)));
  g_signal_connect_object (leaflet, "notify::folded", G_CALLBACK (on_folded), button, 0);
  gtk_widget_set_visible (button, adw_leaflet_get_folded (leaflet));
}

static void
label_icon_buttons (GtkWidget *controls, gboolean with_label)
{
  for (GtkWidget *c = gtk_widget_get_first_child (controls); c; c = gtk_widget_get_next_sibling (c))
    {
      if (!GTK_IS_BUTTON (c))
        continue;
      const char *icon = g_object_get_data (G_OBJECT (c), ICON_KEY);
      if (!icon && gtk_button_get_icon_name (GTK_BUTTON (c)))
        {
          icon = gtk_button_get_icon_name (GTK_BUTTON (c));
          g_object_set_data_full (G_OBJECT (c), ICON_KEY, g_strdup (icon), g_free);
          icon = g_object_get_data (G_OBJECT (c), ICON_KEY);
        }
      if (!icon)
        continue;
      if (!with_label)
        {
          gtk_button_set_icon_name (GTK_BUTTON (c), icon);
          continue;
        }
      GtkWidget *content = adw_button_content_new ();
      adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), icon);
      adw_button_content_set_label (ADW_BUTTON_CONTENT (content), gtk_widget_get_tooltip_text (c));
      gtk_button_set_child (GTK_BUTTON (c), content);
    }
}

void
stashhog_fold_collapse_controls (GtkWidget *controls, GtkWidget *toolbar, GtkWidget *after, GtkMenuButton *more,
                                 gboolean collapse)
{
  g_return_if_fail (GTK_IS_BOX (controls) && GTK_IS_BOX (toolbar) && GTK_IS_MENU_BUTTON (more));
  GtkPopover *popover = gtk_menu_button_get_popover (more);
  gboolean collapsed = gtk_widget_get_parent (controls) != toolbar;
  g_return_if_fail (popover != NULL);
  if (collapse == collapsed)
    return;
  g_object_ref (controls);
  if (collapse)
    {
      gtk_box_remove (GTK_BOX (toolbar), controls);
      gtk_orientable_set_orientation (GTK_ORIENTABLE (controls), GTK_ORIENTATION_VERTICAL);
      gtk_popover_set_child (popover, controls);
    }
  else
    {
      gtk_popover_set_child (popover, NULL);
      gtk_orientable_set_orientation (GTK_ORIENTABLE (controls), GTK_ORIENTATION_HORIZONTAL);
      gtk_box_insert_child_after (GTK_BOX (toolbar), controls, after);
    }
  label_icon_buttons (controls, collapse);
  g_object_unref (controls);
  gtk_widget_set_visible (GTK_WIDGET (more), collapse);
}
