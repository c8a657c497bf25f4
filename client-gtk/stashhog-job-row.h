/* stashhog-job-row.h - one job: status, live progress bar, rate and ETA,
 * cancel/retry buttons (actions job.cancel / job.retry handled by the page). */
#pragma once

#include <gtk/gtk.h>

#include "stashhog.pb-c.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_JOB_ROW (stashhog_job_row_get_type ())
G_DECLARE_FINAL_TYPE (StashhogJobRow, stashhog_job_row, STASHHOG, JOB_ROW, GtkListBoxRow)

StashhogJobRow *stashhog_job_row_new (const Stashhog__Job *job);
gint64 stashhog_job_row_get_id (StashhogJobRow *self);
void stashhog_job_row_update (StashhogJobRow *self, const Stashhog__Job *job);
void stashhog_job_row_update_progress (StashhogJobRow *self, const Stashhog__JobProgress *progress);
gboolean stashhog_job_row_is_active (StashhogJobRow *self);

G_END_DECLS
