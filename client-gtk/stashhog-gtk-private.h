/* stashhog-gtk-private.h - app-internal helpers shared by the pages. */
#pragma once

#include <adwaita.h>

#include "stashhog-client.h"

G_BEGIN_DECLS

/* Show a toast in the window that contains `widget` (no-op when unrooted). */
void stashhog_toast (GtkWidget *widget, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* Toast an RPC failure: "what: message", with a friendlier text for
 * requests the daemon does not implement yet.  Cancellation is silent. */
void stashhog_toast_error (GtkWidget *widget, const char *what, const GError *error);
/* Remove every child of a GtkBox / GtkListBox / GtkFlowBox. */
void stashhog_clear_children (GtkWidget *container);
/* A dim, wrapping, selectable label (detail panes). */
GtkWidget *stashhog_value_label (const char *text);

G_END_DECLS
