/* stashhog-entities-page.h - performers, studios and tags with search and
 * scene counts; activating one emits "show-scenes" (kind, id, name). */
#pragma once

#include <adwaita.h>

#include "stashhog-client.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_ENTITIES_PAGE (stashhog_entities_page_get_type ())
G_DECLARE_FINAL_TYPE (StashhogEntitiesPage, stashhog_entities_page, STASHHOG, ENTITIES_PAGE, GtkWidget)

void stashhog_entities_page_set_client (StashhogEntitiesPage *self, StashhogClient *client);
void stashhog_entities_page_refresh (StashhogEntitiesPage *self);
/* Phone width (the window's call): the toolbar on two lines. */
void stashhog_entities_page_set_narrow (StashhogEntitiesPage *self, gboolean narrow);
void stashhog_entities_page_set_kind (StashhogEntitiesPage *self, Stashhog__EntityKind kind);
guint stashhog_entities_page_get_n_entities (StashhogEntitiesPage *self);
/* Activate the n-th row (tests). */
void stashhog_entities_page_activate (StashhogEntitiesPage *self, guint index);

G_END_DECLS
