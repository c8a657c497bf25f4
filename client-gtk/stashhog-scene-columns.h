/* stashhog-scene-columns.h - the columns of the scenes page's GtkColumnView. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Append title, studio, performers, tags, date, path and organized columns. */
void stashhog_scene_columns_add (GtkColumnView *view);

G_END_DECLS
