/* stashhog-fold.h - phone-width helpers: the back button of a folded
 * list/detail leaflet, and toolbar controls that collapse into a menu. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Keep button (inside leaflet) visible exactly while leaflet is folded.
 * The leaflet decides folding while it is being allocated; showing a widget
 * right then would queue a resize in the middle of a frame, so the change
 * is applied from an idle. */
void stashhog_fold_bind_back_button (AdwLeaflet *leaflet, GtkWidget *button);

/* Collapsed, move controls (a GtkBox) from its place after `after` in the
 * toolbar box into the popover of `more` and show `more`; icon-only buttons
 * among its children then carry their tooltip as a label, since an icon
 * alone in a menu says too little.  Expanded, put everything back. */
void stashhog_fold_collapse_controls (GtkWidget *controls, GtkWidget *toolbar, GtkWidget *after, GtkMenuButton *more,
                                      gboolean collapse);

G_END_DECLS
