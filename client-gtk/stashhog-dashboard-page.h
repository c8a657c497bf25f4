/* stashhog-dashboard-page.h - library health at a glance: scenes missing a
 * studio, performers, tags, date or title, unorganized scenes (each one a
 * button into the scene list filtered to them), changes applied per day as
 * a bar chart, plans, jobs and LLM cost. */
#pragma once

#include <adwaita.h>

#include "stashhog-client.h"
#include "stashhog-dashboard-model.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_DASHBOARD_PAGE (stashhog_dashboard_page_get_type ())
G_DECLARE_FINAL_TYPE (StashhogDashboardPage, stashhog_dashboard_page, STASHHOG, DASHBOARD_PAGE, GtkWidget)

void stashhog_dashboard_page_set_client (StashhogDashboardPage *self, StashhogClient *client);
void stashhog_dashboard_page_refresh (StashhogDashboardPage *self);
/* TRUE once a StatsReply has been shown (tests). */
gboolean stashhog_dashboard_page_get_loaded (StashhogDashboardPage *self);
/* The figure's count as shown; -1 before a reply or when not reported. */
gint64 stashhog_dashboard_page_get_figure (StashhogDashboardPage *self, StashhogFigure figure);
/* What a click on a figure does: emits "show-figure" (int StashhogFigure). */
void stashhog_dashboard_page_activate_figure (StashhogDashboardPage *self, StashhogFigure figure);

G_END_DECLS
