/* stashhog-schedule-dialog.h - create or edit a schedule; the cron field
 * previews the next run times as you type (CronPreviewRequest) and Save
 * stays disabled while the expression is invalid. */
#pragma once

#include <adwaita.h>

#include "stashhog-client.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_SCHEDULE_DIALOG (stashhog_schedule_dialog_get_type ())
G_DECLARE_FINAL_TYPE (StashhogScheduleDialog, stashhog_schedule_dialog, STASHHOG, SCHEDULE_DIALOG, AdwWindow)

/* schedule NULL = a new one.  Emits "saved" after the daemon accepted it. */
StashhogScheduleDialog *stashhog_schedule_dialog_new (GtkWindow *parent, StashhogClient *client,
                                                      const Stashhog__Schedule *schedule);
void stashhog_schedule_dialog_set_cron (StashhogScheduleDialog *self, const char *cron);
/* The preview text and whether the cron is valid (tests). */
const char *stashhog_schedule_dialog_get_preview (StashhogScheduleDialog *self);
gboolean stashhog_schedule_dialog_get_cron_valid (StashhogScheduleDialog *self);

G_END_DECLS
