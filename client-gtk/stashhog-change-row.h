/* stashhog-change-row.h - one proposed change rendered natively: text fields
 * as a word diff, performers/tags as added/removed/kept chips, studio and
 * date as old -> new; confidence, analyzer, reason and status, with
 * accept/reject buttons bound to the plan view's plan.* actions. */
#pragma once

#include <gtk/gtk.h>

#include "stashhog.pb-c.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_CHANGE_ROW (stashhog_change_row_get_type ())
G_DECLARE_FINAL_TYPE (StashhogChangeRow, stashhog_change_row, STASHHOG, CHANGE_ROW, GtkListBoxRow)

StashhogChangeRow *stashhog_change_row_new (const Stashhog__Change *change);
gint64 stashhog_change_row_get_change_id (StashhogChangeRow *self);
gint64 stashhog_change_row_get_scene_id (StashhogChangeRow *self);
const char *stashhog_change_row_get_field (StashhogChangeRow *self);
double stashhog_change_row_get_confidence (StashhogChangeRow *self);
Stashhog__ChangeStatus stashhog_change_row_get_status (StashhogChangeRow *self);
/* New status and error of the same change (after apply, rollback, review). */
void stashhog_change_row_update (StashhogChangeRow *self, const Stashhog__Change *change);
void stashhog_change_row_set_status (StashhogChangeRow *self, Stashhog__ChangeStatus status);
/* The header above a scene's changes: title, path, accept / reject scene. */
GtkWidget *stashhog_change_row_new_scene_header (const Stashhog__Change *change);
/* The keyboard cursor (j/k) is on this row. */
void stashhog_change_row_set_current (StashhogChangeRow *self, gboolean current);

G_END_DECLS
