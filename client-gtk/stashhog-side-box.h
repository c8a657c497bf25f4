/* stashhog-side-box.h - a content widget with a row of actions beside it
 * when the width allows, or below it (end-aligned) when it does not: change
 * rows keep their accept / reject buttons at phone width without squeezing
 * the diff into a sliver. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define STASHHOG_TYPE_SIDE_BOX (stashhog_side_box_get_type ())
G_DECLARE_FINAL_TYPE (StashhogSideBox, stashhog_side_box, STASHHOG, SIDE_BOX, GtkWidget)

/* Takes both children; the content keeps at least min_content_width px
 * beside the actions, else the actions move below it. */
GtkWidget *stashhog_side_box_new (GtkWidget *content, GtkWidget *actions, int spacing, int min_content_width);
/* Whether the last allocation put the actions below the content (tests). */
gboolean stashhog_side_box_get_stacked (StashhogSideBox *self);

G_END_DECLS
