#include "stashhog-dashboard-model.h"

#include <string.h>

#include <stdio.h>

static const struct
{
  const char *label;
  Stashhog__MissingField missing; /* ignored for "unorganized" */
} figures[STASHHOG_N_FIGURES] = {
  [STASHHOG_FIGURE_MISSING_STUDIO] = { "Missing studio", STASHHOG__MISSING_FIELD__MISSING_STUDIO },
  [STASHHOG_FIGURE_MISSING_PERFORMERS] = { "Missing performers", STASHHOG__MISSING_FIELD__MISSING_PERFORMERS },
  [STASHHOG_FIGURE_MISSING_TAGS] = { "Missing tags", STASHHOG__MISSING_FIELD__MISSING_TAGS },
  [STASHHOG_FIGURE_MISSING_DATE] = { "Missing date", STASHHOG__MISSING_FIELD__MISSING_DATE },
  [STASHHOG_FIGURE_MISSING_TITLE] = { "Missing title", STASHHOG__MISSING_FIELD__MISSING_TITLE },
  [STASHHOG_FIGURE_UNORGANIZED] = { "Not organized", STASHHOG__MISSING_FIELD__MISSING_TITLE },
};

const char *
stashhog_figure_label (StashhogFigure figure)
{
  g_return_val_if_fail ((guint) figure < STASHHOG_N_FIGURES, "");
  return figures[figure].label;
}

gboolean
stashhog_figure_value (StashhogFigure figure, const Stashhog__StatsReply *s, gint64 *value)
{
  gboolean has = FALSE;
  gint64 v = 0;
  g_return_val_if_fail (s != NULL && value != NULL, FALSE);
  switch (figure)
    {
    case STASHHOG_FIGURE_MISSING_STUDIO: has = s->has_missing_studio, v = s->missing_studio; break;
    case STASHHOG_FIGURE_MISSING_PERFORMERS: has = s->has_missing_performers, v = s->missing_performers; break;
    case STASHHOG_FIGURE_MISSING_TAGS: has = s->has_missing_tags, v = s->missing_tags; break;
    case STASHHOG_FIGURE_MISSING_DATE: has = s->has_missing_date, v = s->missing_date; break;
    case STASHHOG_FIGURE_MISSING_TITLE: has = s->has_missing_title, v = s->missing_title; break;
    case STASHHOG_FIGURE_UNORGANIZED: has = s->has_unorganized, v = s->unorganized; break;
    case STASHHOG_N_FIGURES:
    default: break;
    }
  *value = has ? v : 0;
  return has;
}

gboolean
stashhog_figure_filter (StashhogFigure figure, Stashhog__MissingField *missing, gboolean *organized)
{
  g_return_val_if_fail ((guint) figure < STASHHOG_N_FIGURES, FALSE);
  g_return_val_if_fail (missing != NULL && organized != NULL, FALSE);
  if (figure == STASHHOG_FIGURE_UNORGANIZED)
    {
      *organized = FALSE;
      return FALSE;
    }
  *missing = figures[figure].missing;
  return TRUE;
}

gint64
stashhog_chart_nice_max (gint64 max)
{
  static const gint64 steps[] = { 1, 2, 5 };
  if (max <= 0)
    return 1;
  for (gint64 magnitude = 1; magnitude <= G_MAXINT64 / 10; magnitude *= 10)
    for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
      if (steps[i] * magnitude >= max)
        return steps[i] * magnitude;
  return max;
}

double
stashhog_chart_bar_height (gint64 count, gint64 axis_max, double height)
{
  if (count <= 0 || axis_max <= 0 || height <= 0)
    return 0;
  double h = height * (double) MIN (count, axis_max) / (double) axis_max;
  return MAX (h, 1.0);
}

char *
stashhog_chart_day_label (const char *day)
{
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  /* Exactly "YYYY-MM-DD"; anything else is shown as it came. */
  static const char shape[] = "dddd-dd-dd";
  gboolean ok = day && strlen (day) == sizeof shape - 1;
  for (gsize i = 0; ok && shape[i]; i++)
    ok = shape[i] == 'd' ? g_ascii_isdigit (day[i]) : day[i] == shape[i];
  int m = ok ? (day[5] - '0') * 10 + (day[6] - '0') : 0;
  int d = ok ? (day[8] - '0') * 10 + (day[9] - '0') : 0;
  if (m < 1 || m > 12 || d < 1 || d > 31)
    return g_strdup (day ? day : "");
  return g_strdup_printf ("%s %d", months[m - 1], d);
}
