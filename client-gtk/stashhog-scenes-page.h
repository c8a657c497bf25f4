/* stashhog-scenes-page.h - the scene browser: search, filters, a lazy column
 * view over every cached scene, a detail pane and actions on the selection. */
#pragma once

#include <adwaita.h>

#include "stashhog-client.h"
#include "stashhog-dashboard-model.h"
#include "stashhog-filter-box.h"
#include "stashhog-scene-model.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_SCENES_PAGE (stashhog_scenes_page_get_type ())
G_DECLARE_FINAL_TYPE (StashhogScenesPage, stashhog_scenes_page, STASHHOG, SCENES_PAGE, GtkWidget)

void stashhog_scenes_page_set_client (StashhogScenesPage *self, StashhogClient *client);
void stashhog_scenes_page_refresh (StashhogScenesPage *self);
void stashhog_scenes_page_focus_search (StashhogScenesPage *self);
void stashhog_scenes_page_set_search (StashhogScenesPage *self, const char *text);
/* Show only scenes with this studio / performer / tag (replaces the previous one of that kind). */
void stashhog_scenes_page_filter_entity (StashhogScenesPage *self, Stashhog__EntityKind kind, gint64 id,
                                         const char *name);
/* Show only the scenes a dashboard figure counts (clears the other filters). */
void stashhog_scenes_page_filter_figure (StashhogScenesPage *self, StashhogFigure figure);
StashhogSceneModel *stashhog_scenes_page_get_model (StashhogScenesPage *self);
/* The advanced/saved filter part of the Filters popover (test driver). */
StashhogFilterBox *stashhog_scenes_page_get_filter_box (StashhogScenesPage *self);
/* Scroll the list to a fraction 0..1 of its height (test driver). */
void stashhog_scenes_page_scroll_to (StashhogScenesPage *self, double fraction);
/* Phone width (the window's call): secondary toolbar controls in a menu,
 * list and detail in one pane. */
void stashhog_scenes_page_set_narrow (StashhogScenesPage *self, gboolean narrow);
/* Open the phone toolbar's "more" menu (tests); NULL when not narrow. */
GtkPopover *stashhog_scenes_page_popup_more (StashhogScenesPage *self);
/* Phone width: list and detail folded into one pane; *showing_detail (may
 * be NULL) tells whether the detail is the pane shown (tests). */
gboolean stashhog_scenes_page_get_folded (StashhogScenesPage *self, gboolean *showing_detail);
/* Select a row (and show its details). */
void stashhog_scenes_page_select (StashhogScenesPage *self, guint position);

G_END_DECLS
