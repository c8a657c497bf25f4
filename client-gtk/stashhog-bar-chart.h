/* stashhog-bar-chart.h - a small bar chart of counts per day, drawn
 * natively with GtkSnapshot + cairo (changes applied over time). */
#pragma once

#include <gtk/gtk.h>

#include "stashhog.pb-c.h"

G_BEGIN_DECLS

#define STASHHOG_TYPE_BAR_CHART (stashhog_bar_chart_get_type ())
G_DECLARE_FINAL_TYPE (StashhogBarChart, stashhog_bar_chart, STASHHOG, BAR_CHART, GtkWidget)

GtkWidget *stashhog_bar_chart_new (void);
/* Copies the days (oldest first). */
void stashhog_bar_chart_set_days (StashhogBarChart *self, Stashhog__DayCount *const *days, gsize n_days);
/* Tests: the axis top currently drawn and the number of bars. */
gint64 stashhog_bar_chart_get_axis_max (StashhogBarChart *self);
guint stashhog_bar_chart_get_n_bars (StashhogBarChart *self);

G_END_DECLS
