/* stashhog-dashboard-model.h - the dashboard's displayless logic.
 *
 * Library-health figures (what each one counts in a StatsReply and which
 * scene filter shows those scenes) and the bar chart's scale.  Pure
 * functions, tested without a display. */
#pragma once

#include <glib.h>

#include "stashhog.pb-c.h"

G_BEGIN_DECLS

typedef enum {
  STASHHOG_FIGURE_MISSING_STUDIO,
  STASHHOG_FIGURE_MISSING_PERFORMERS,
  STASHHOG_FIGURE_MISSING_TAGS,
  STASHHOG_FIGURE_MISSING_DATE,
  STASHHOG_FIGURE_MISSING_TITLE,
  STASHHOG_FIGURE_UNORGANIZED,
  STASHHOG_N_FIGURES
} StashhogFigure;

/* "Missing studio", ... */
const char *stashhog_figure_label (StashhogFigure figure);
/* The figure's count in a reply; FALSE when the daemon did not send it. */
gboolean stashhog_figure_value (StashhogFigure figure, const Stashhog__StatsReply *stats, gint64 *value);
/* The scene filter that lists exactly the scenes a figure counts: sets
 * either one missing field (*missing, returns TRUE) or organized = FALSE
 * (returns FALSE). */
gboolean stashhog_figure_filter (StashhogFigure figure, Stashhog__MissingField *missing, gboolean *organized);

/* The chart's axis top: the smallest 1, 2 or 5 × 10^n >= max (1 for max <= 0). */
gint64 stashhog_chart_nice_max (gint64 max);
/* Height in pixels of a bar of `count` on an axis topped at `axis_max` in
 * `height` pixels; a nonzero count is at least 1 px, so it stays visible. */
double stashhog_chart_bar_height (gint64 count, gint64 axis_max, double height);
/* "Mar 5" from "2026-03-05"; the input itself when it does not parse. */
char *stashhog_chart_day_label (const char *day);

G_END_DECLS
