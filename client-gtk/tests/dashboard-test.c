/* Dashboard figures -> scene filters, chart scaling, role -> allowed actions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stashhog-dashboard-model.h"
#include "stashhog-roles.h"

static void
test_figure_filters (void **state)
{
  (void) state;
  static const struct
  {
    StashhogFigure figure;
    Stashhog__MissingField missing;
  } want[] = {
    { STASHHOG_FIGURE_MISSING_STUDIO, STASHHOG__MISSING_FIELD__MISSING_STUDIO },
    { STASHHOG_FIGURE_MISSING_PERFORMERS, STASHHOG__MISSING_FIELD__MISSING_PERFORMERS },
    { STASHHOG_FIGURE_MISSING_TAGS, STASHHOG__MISSING_FIELD__MISSING_TAGS },
    { STASHHOG_FIGURE_MISSING_DATE, STASHHOG__MISSING_FIELD__MISSING_DATE },
    { STASHHOG_FIGURE_MISSING_TITLE, STASHHOG__MISSING_FIELD__MISSING_TITLE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (want); i++)
    {
      Stashhog__MissingField missing = (Stashhog__MissingField) -1;
      gboolean organized = TRUE;
      assert_true (stashhog_figure_filter (want[i].figure, &missing, &organized));
      assert_int_equal (missing, want[i].missing);
    }
  Stashhog__MissingField missing = (Stashhog__MissingField) -1;
  gboolean organized = TRUE;
  assert_false (stashhog_figure_filter (STASHHOG_FIGURE_UNORGANIZED, &missing, &organized));
  assert_false (organized);
  assert_int_equal ((int) missing, -1); /* untouched */
  for (int f = 0; f < STASHHOG_N_FIGURES; f++)
    assert_true (*stashhog_figure_label ((StashhogFigure) f) != '\0');
}

static void
test_figure_values (void **state)
{
  (void) state;
  Stashhog__StatsReply s = STASHHOG__STATS_REPLY__INIT;
  gint64 v = -1;
  s.scenes_total = 100;
  s.has_missing_studio = TRUE, s.missing_studio = 7;
  s.has_unorganized = TRUE, s.unorganized = 42;
  s.missing_tags = 9; /* not marked present: an older daemon */
  assert_true (stashhog_figure_value (STASHHOG_FIGURE_MISSING_STUDIO, &s, &v));
  assert_int_equal (v, 7);
  assert_true (stashhog_figure_value (STASHHOG_FIGURE_UNORGANIZED, &s, &v));
  assert_int_equal (v, 42);
  assert_false (stashhog_figure_value (STASHHOG_FIGURE_MISSING_TAGS, &s, &v));
  assert_int_equal (v, 0);
}

static void
test_chart_scale (void **state)
{
  (void) state;
  static const gint64 cases[][2] = { { 0, 1 },     { -5, 1 },   { 1, 1 },       { 2, 2 },       { 3, 5 },
                                     { 5, 5 },     { 6, 10 },   { 11, 20 },     { 21, 50 },     { 99, 100 },
                                     { 101, 200 }, { 1000, 1000 }, { 1001, 2000 }, { 4999, 5000 } };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_int_equal (stashhog_chart_nice_max (cases[i][0]), cases[i][1]);
  assert_float_equal (stashhog_chart_bar_height (0, 10, 100), 0, 1e-9);
  assert_float_equal (stashhog_chart_bar_height (5, 10, 100), 50, 1e-9);
  assert_float_equal (stashhog_chart_bar_height (10, 10, 100), 100, 1e-9);
  assert_float_equal (stashhog_chart_bar_height (30, 10, 100), 100, 1e-9); /* clipped */
  assert_float_equal (stashhog_chart_bar_height (1, 100000, 80), 1, 1e-9); /* tiny but visible */
  assert_float_equal (stashhog_chart_bar_height (3, 0, 80), 0, 1e-9);
  g_autofree char *a = stashhog_chart_day_label ("2026-03-05");
  g_autofree char *b = stashhog_chart_day_label ("2026-13-05");
  g_autofree char *c = stashhog_chart_day_label ("yesterday");
  assert_string_equal (a, "Mar 5");
  assert_string_equal (b, "2026-13-05");
  assert_string_equal (c, "yesterday");
}

static void
test_roles (void **state)
{
  (void) state;
  /* rows: viewer, reviewer, admin; columns: the capabilities in enum order. */
  static const gboolean table[3][STASHHOG_N_CAPABILITIES] = {
    /* review analyze apply settings schedules webhooks */
    { FALSE, FALSE, FALSE, FALSE, FALSE, FALSE },
    { TRUE, TRUE, FALSE, FALSE, FALSE, FALSE },
    { TRUE, TRUE, TRUE, TRUE, TRUE, TRUE },
  };
  static const Stashhog__Role roles[3] = { STASHHOG__ROLE__ROLE_VIEWER, STASHHOG__ROLE__ROLE_REVIEWER,
                                           STASHHOG__ROLE__ROLE_ADMIN };
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < STASHHOG_N_CAPABILITIES; c++)
      assert_int_equal (stashhog_role_allows (TRUE, roles[r], (StashhogCapability) c), table[r][c]);
  for (int c = 0; c < STASHHOG_N_CAPABILITIES; c++)
    {
      assert_true (stashhog_role_allows (FALSE, 0, (StashhogCapability) c)); /* no role: all */
      assert_false (stashhog_role_allows (TRUE, (Stashhog__Role) 9, (StashhogCapability) c));
    }
  assert_string_equal (stashhog_role_label (TRUE, STASHHOG__ROLE__ROLE_REVIEWER), "Reviewer");
  assert_string_equal (stashhog_role_label (FALSE, STASHHOG__ROLE__ROLE_ADMIN), "");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_figure_filters),
    cmocka_unit_test (test_figure_values),
    cmocka_unit_test (test_chart_scale),
    cmocka_unit_test (test_roles),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
