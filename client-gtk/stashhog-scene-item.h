/* stashhog-scene-item.h - one row of the lazy scene list.
 *
 * An item starts as a placeholder (only its position is known) and is filled
 * in place when its page arrives, so widgets already bound to it update via
 * notify::loaded instead of the model emitting items-changed. */
#pragma once

#include <glib-object.h>

#include "stashhog.pb-c.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_SCENE_ITEM (stashhog_scene_item_get_type ())
G_DECLARE_FINAL_TYPE (StashhogSceneItem, stashhog_scene_item, STASHHOG, SCENE_ITEM, GObject)

/* Display strings of one scene, formatted once when the page arrives. */
typedef struct {
  gint64 id;
  char *title;
  char *studio;
  gint64 studio_id;
  char *performers;
  char *tags;
  char *date;
  char *path;
  gboolean organized;
} StashhogSceneRow;

StashhogSceneRow *stashhog_scene_row_new_from_summary (const Stashhog__SceneSummary *summary);
void stashhog_scene_row_free (StashhogSceneRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StashhogSceneRow, stashhog_scene_row_free)

StashhogSceneItem *stashhog_scene_item_new (guint position);
guint stashhog_scene_item_get_position (StashhogSceneItem *self);
gboolean stashhog_scene_item_get_loaded (StashhogSceneItem *self);
/* NULL while loading. */
const StashhogSceneRow *stashhog_scene_item_get_row (StashhogSceneItem *self);
/* Takes ownership of row; notifies "loaded". */
void stashhog_scene_item_set_row (StashhogSceneItem *self, StashhogSceneRow *row);
gint64 stashhog_scene_item_get_id (StashhogSceneItem *self);

G_END_DECLS
