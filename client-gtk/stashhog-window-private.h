/* stashhog-window-private.h - page access for the window's own helpers
 * (entity -> scene navigation, the display-test driver). */
#pragma once

#include "stashhog-dashboard-page.h"
#include "stashhog-entities-page.h"
#include "stashhog-jobs-page.h"
#include "stashhog-plans-page.h"
#include "stashhog-scenes-page.h"
#include "stashhog-schedules-page.h"
#include "stashhog-window.h"

G_BEGIN_DECLS

StashhogClient *stashhog_window_get_client (StashhogWindow *self);
StashhogDashboardPage *stashhog_window_get_dashboard_page (StashhogWindow *self);
StashhogScenesPage *stashhog_window_get_scenes_page (StashhogWindow *self);
StashhogPlansPage *stashhog_window_get_plans_page (StashhogWindow *self);
StashhogJobsPage *stashhog_window_get_jobs_page (StashhogWindow *self);
StashhogSchedulesPage *stashhog_window_get_schedules_page (StashhogWindow *self);
StashhogEntitiesPage *stashhog_window_get_entities_page (StashhogWindow *self);
/* The visible page: "dashboard", "scenes", ... */
const char *stashhog_window_get_visible_page (StashhogWindow *self);
/* The visible stack child: "offline" or "main". */
const char *stashhog_window_get_state_page (StashhogWindow *self);

G_END_DECLS
