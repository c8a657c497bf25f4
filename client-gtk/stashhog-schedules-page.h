/* stashhog-schedules-page.h - schedules: list, create/edit (cron preview),
 * enable/disable, run now, history. */
#pragma once

#include <adwaita.h>

#include "stashhog-client.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_SCHEDULES_PAGE (stashhog_schedules_page_get_type ())
G_DECLARE_FINAL_TYPE (StashhogSchedulesPage, stashhog_schedules_page, STASHHOG, SCHEDULES_PAGE, GtkWidget)

void stashhog_schedules_page_set_client (StashhogSchedulesPage *self, StashhogClient *client);
void stashhog_schedules_page_refresh (StashhogSchedulesPage *self);
guint stashhog_schedules_page_get_n_schedules (StashhogSchedulesPage *self);

G_END_DECLS
