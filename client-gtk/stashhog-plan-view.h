/* stashhog-plan-view.h - review of one plan: changes grouped by scene and
 * rendered natively (StashhogChangeRow); accept/reject per change, scene,
 * field or confidence threshold; keyboard review (j/k, a/r); apply with a
 * confirmation; rollback.  Actions live in the "plan" group. */
#pragma once

#include <adwaita.h>

#include "stashhog-client.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_PLAN_VIEW (stashhog_plan_view_get_type ())
G_DECLARE_FINAL_TYPE (StashhogPlanView, stashhog_plan_view, STASHHOG, PLAN_VIEW, GtkWidget)

void stashhog_plan_view_set_client (StashhogPlanView *self, StashhogClient *client);
/* Load a plan (0 clears the view). */
void stashhog_plan_view_load (StashhogPlanView *self, gint64 plan_id);
gint64 stashhog_plan_view_get_plan_id (StashhogPlanView *self);
/* Tests: changes shown, the change under the keyboard cursor, and status counts. */
guint stashhog_plan_view_get_n_changes (StashhogPlanView *self);
gint64 stashhog_plan_view_get_current_change (StashhogPlanView *self);
guint stashhog_plan_view_count_status (StashhogPlanView *self, Stashhog__ChangeStatus status);
/* Apply without the confirmation dialog (the display test's hook). */
void stashhog_plan_view_apply_now (StashhogPlanView *self);
/* Change id / status of the index-th change shown (0 / pending past the end). */
gint64 stashhog_plan_view_get_change_at (StashhogPlanView *self, guint index);
Stashhog__ChangeStatus stashhog_plan_view_get_status_at (StashhogPlanView *self, guint index);
guint stashhog_plan_view_count_accepted_scenes (StashhogPlanView *self);
/* What the user's role allows: review (accept / reject) and apply / rollback. */
void stashhog_plan_view_set_allowed (StashhogPlanView *self, gboolean can_review, gboolean can_apply);
Stashhog__PlanStatus stashhog_plan_view_get_status (StashhogPlanView *self);
/* Phone width (the window's call): the review buttons on several lines. */
void stashhog_plan_view_set_narrow (StashhogPlanView *self, gboolean narrow);
/* The "Accept confidence ≥" value. */
void stashhog_plan_view_set_threshold (StashhogPlanView *self, double threshold);
/* The apply / rollback confirmation while it is open, else NULL. */
AdwMessageDialog *stashhog_plan_view_get_confirm_dialog (StashhogPlanView *self);

G_END_DECLS
