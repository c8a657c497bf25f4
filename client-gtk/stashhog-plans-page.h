/* stashhog-plans-page.h - the list of plans beside the plan review view. */
#pragma once

#include <adwaita.h>

#include "stashhog-client.h"
#include "stashhog-plan-view.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_PLANS_PAGE (stashhog_plans_page_get_type ())
G_DECLARE_FINAL_TYPE (StashhogPlansPage, stashhog_plans_page, STASHHOG, PLANS_PAGE, GtkWidget)

void stashhog_plans_page_set_client (StashhogPlansPage *self, StashhogClient *client);
void stashhog_plans_page_refresh (StashhogPlansPage *self);
void stashhog_plans_page_open_plan (StashhogPlansPage *self, gint64 plan_id);
StashhogPlanView *stashhog_plans_page_get_plan_view (StashhogPlansPage *self);
/* Plans listed (tests); the id of the first one or 0. */
guint stashhog_plans_page_get_n_plans (StashhogPlansPage *self);
gint64 stashhog_plans_page_get_first_plan (StashhogPlansPage *self);
/* Phone width (the window's call): list or plan, review buttons stacked. */
void stashhog_plans_page_set_narrow (StashhogPlansPage *self, gboolean narrow);
/* Phone width: one pane at a time; *showing_view (may be NULL) tells
 * whether it is the plan view (tests). */
gboolean stashhog_plans_page_get_folded (StashhogPlansPage *self, gboolean *showing_view);
/* Set when the last list request failed (tests: UNSUPPORTED detection). */
const GError *stashhog_plans_page_get_error (StashhogPlansPage *self);

G_END_DECLS
