/* stashhog-jobs-page.h - running and recent jobs with live progress from
 * the event stream; cancel and retry. */
#pragma once

#include <gtk/gtk.h>

#include "stashhog-client.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_JOBS_PAGE (stashhog_jobs_page_get_type ())
G_DECLARE_FINAL_TYPE (StashhogJobsPage, stashhog_jobs_page, STASHHOG, JOBS_PAGE, GtkWidget)

void stashhog_jobs_page_set_client (StashhogJobsPage *self, StashhogClient *client);
void stashhog_jobs_page_refresh (StashhogJobsPage *self);
/* Number of running or queued jobs (property "running"). */
guint stashhog_jobs_page_get_running (StashhogJobsPage *self);
/* Rows shown (tests). */
guint stashhog_jobs_page_get_n_jobs (StashhogJobsPage *self);

G_END_DECLS
