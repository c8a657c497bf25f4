/* stashhog-filter-box.h - the advanced part of the scenes page's Filters
 * popover: a --where expression entry (the same parser as stashhogctl,
 * common/sh-filter-expr.h, errors shown inline with their column) and the
 * daemon's saved filters (FilterList / FilterSave / FilterDelete).
 *
 * At most one advanced filter is active: a parsed expression (-> where) or
 * a saved filter's name (-> saved).  "changed" fires when that changes; the
 * page then reloads and reads the state with _fill().  All RPCs are async. */
#pragma once

#include <gtk/gtk.h>

#include "stashhog-client.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_FILTER_BOX (stashhog_filter_box_get_type ())
G_DECLARE_FINAL_TYPE (StashhogFilterBox, stashhog_filter_box, STASHHOG, FILTER_BOX, GtkWidget)

/* Fills the page's current (non-advanced) filter for "Save filter…". */
typedef void (*StashhogFilterBaseFunc) (gpointer user_data, Stashhog__SceneFilter *filter,
                                        Stashhog__MissingField *missing_buf);

void stashhog_filter_box_set_client (StashhogFilterBox *self, StashhogClient *client);
void stashhog_filter_box_set_base_func (StashhogFilterBox *self, StashhogFilterBaseFunc func, gpointer user_data);
/* Re-list saved filters (FilterList). */
void stashhog_filter_box_refresh (StashhogFilterBox *self);

/* Parse text and make it active; FALSE (and the inline error) when invalid. */
gboolean stashhog_filter_box_apply_expression (StashhogFilterBox *self, const char *text);
void stashhog_filter_box_select_saved (StashhogFilterBox *self, const char *name);
void stashhog_filter_box_clear (StashhogFilterBox *self);
/* FilterSave of the page's filter plus the active expression under name. */
void stashhog_filter_box_save (StashhogFilterBox *self, const char *name);
void stashhog_filter_box_delete (StashhogFilterBox *self, const char *name);

/* Sets filter->where / filter->saved (borrowed from self) when active. */
void stashhog_filter_box_fill (StashhogFilterBox *self, Stashhog__SceneFilter *filter);
const char *stashhog_filter_box_get_saved (StashhogFilterBox *self);
const char *stashhog_filter_box_get_expression (StashhogFilterBox *self);
const char *stashhog_filter_box_get_error (StashhogFilterBox *self);
/* Names listed by the last FilterList (NULL-terminated, owned by self). */
const char *const *stashhog_filter_box_get_saved_names (StashhogFilterBox *self);

G_END_DECLS
