/* stashhog-scene-detail.h - the scene detail pane: every field and all files
 * of one scene, fetched with SceneGetRequest. */
#pragma once

#include <gtk/gtk.h>

#include "stashhog-client.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_SCENE_DETAIL (stashhog_scene_detail_get_type ())
G_DECLARE_FINAL_TYPE (StashhogSceneDetail, stashhog_scene_detail, STASHHOG, SCENE_DETAIL, GtkWidget)

void stashhog_scene_detail_set_client (StashhogSceneDetail *self, StashhogClient *client);
/* Load and show a scene; 0 shows the "nothing selected" state. */
void stashhog_scene_detail_show (StashhogSceneDetail *self, gint64 scene_id);
gint64 stashhog_scene_detail_get_scene_id (StashhogSceneDetail *self);

G_END_DECLS
