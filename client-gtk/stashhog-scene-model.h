/* stashhog-scene-model.h - a lazy, paged GListModel of scenes.
 *
 * The model knows the number of scenes (from the first reply's total) but
 * holds only a few pages of items.  get_item() on a position whose page is
 * not resident creates placeholder items for that page and asks the fetcher
 * for it; the reply fills the placeholders in place.  When more than
 * max_pages are resident, the pages farthest from the one just used are
 * evicted (widgets still holding an evicted item keep it alive; scrolling
 * back creates and fetches a fresh page).  Each reload() starts a new
 * generation; replies of older generations are dropped.
 *
 * The fetcher is a function, not the RPC client, so paging and eviction are
 * tested without a daemon or a display.  Main thread only. */
#pragma once

#include <gio/gio.h>

#include "stashhog-scene-item.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_SCENE_MODEL (stashhog_scene_model_get_type ())
G_DECLARE_FINAL_TYPE (StashhogSceneModel, stashhog_scene_model, STASHHOG, SCENE_MODEL, GObject)

/* Must eventually answer with page_loaded() or page_failed() for the same
 * generation and offset (or never, if the generation is superseded). */
typedef void (*StashhogSceneFetchFunc) (StashhogSceneModel *model, guint generation, guint offset,
                                        guint limit, gboolean want_total, gpointer user_data);

StashhogSceneModel *stashhog_scene_model_new (guint page_size, guint max_pages);
void stashhog_scene_model_set_fetcher (StashhogSceneModel *self, StashhogSceneFetchFunc fetch,
                                       gpointer user_data, GDestroyNotify destroy);
/* Drop everything and fetch the first page (with the total) again. */
void stashhog_scene_model_reload (StashhogSceneModel *self);
/* rows: GPtrArray of StashhogSceneRow* (transfer full); total < 0 if unknown. */
void stashhog_scene_model_page_loaded (StashhogSceneModel *self, guint generation, guint offset,
                                       GPtrArray *rows, gint64 total);
void stashhog_scene_model_page_failed (StashhogSceneModel *self, guint generation, guint offset,
                                       const GError *error);

guint stashhog_scene_model_get_generation (StashhogSceneModel *self);
guint stashhog_scene_model_get_page_size (StashhogSceneModel *self);
/* TRUE until the first page of the current generation has arrived. */
gboolean stashhog_scene_model_get_loading (StashhogSceneModel *self);
/* Last error message of this generation, or NULL. */
const char *stashhog_scene_model_get_error (StashhogSceneModel *self);
/* Diagnostics (tests, memory report). */
guint stashhog_scene_model_get_resident_pages (StashhogSceneModel *self);
guint stashhog_scene_model_get_fetch_count (StashhogSceneModel *self);
gboolean stashhog_scene_model_is_page_resident (StashhogSceneModel *self, guint page_index);

G_END_DECLS
