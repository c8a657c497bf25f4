/* Chip diff: added/removed/kept members of performer and tag sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stashhog-chip-diff.h"

static Stashhog__EntityRef refs[8];

static Stashhog__EntityRef *
ref (int slot, gint64 id, const char *name)
{
  stashhog__entity_ref__init (&refs[slot]);
  refs[slot].id = id;
  refs[slot].name = (char *) name;
  return &refs[slot];
}

static char *
render (GPtrArray *chips)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < chips->len; i++)
    {
      StashhogChip *c = g_ptr_array_index (chips, i);
      g_string_append_printf (s, "%s%c%s", i ? " " : "",
                              c->state == STASHHOG_CHIP_KEPT ? '=' : c->state == STASHHOG_CHIP_ADDED ? '+' : '-',
                              c->name);
    }
  return g_string_free (s, FALSE);
}

static void
test_basic (void **state)
{
  (void) state;
  Stashhog__EntityRef *cur[] = { ref (0, 1, "Ann"), ref (1, 2, "Bea"), ref (2, 3, "Cat") };
  Stashhog__EntityRef *prop[] = { ref (3, 3, "Cat"), ref (4, 4, "Dee"), ref (5, 1, "Ann") };
  g_autoptr (GPtrArray) chips = stashhog_chip_diff (cur, 3, prop, 3);
  g_autofree char *r = render (chips);
  assert_string_equal (r, "=Ann -Bea =Cat +Dee");
}

static void
test_empty_sets (void **state)
{
  (void) state;
  Stashhog__EntityRef *one[] = { ref (0, 7, "Solo") };
  g_autoptr (GPtrArray) a = stashhog_chip_diff (NULL, 0, NULL, 0);
  g_autoptr (GPtrArray) b = stashhog_chip_diff (NULL, 0, one, 1);
  g_autoptr (GPtrArray) c = stashhog_chip_diff (one, 1, NULL, 0);
  g_autofree char *rb = render (b);
  g_autofree char *rc = render (c);
  assert_int_equal (a->len, 0);
  assert_string_equal (rb, "+Solo");
  assert_string_equal (rc, "-Solo");
}

static void
test_new_entities_match_by_name (void **state)
{
  (void) state;
  Stashhog__EntityRef *cur[] = { ref (0, 5, "Outdoor") };
  Stashhog__EntityRef *prop[] = { ref (1, 0, "outdoor"), ref (2, 0, "Beach"), ref (3, 0, "BEACH") };
  refs[2].has_is_new = TRUE;
  refs[2].is_new = TRUE;
  g_autoptr (GPtrArray) chips = stashhog_chip_diff (cur, 1, prop, 3);
  g_autofree char *r = render (chips);
  assert_string_equal (r, "=Outdoor +Beach"); /* case-insensitive, duplicates collapsed */
  assert_true (((StashhogChip *) g_ptr_array_index (chips, 1))->is_new);
}

static void
test_for_change_added_removed (void **state)
{
  (void) state;
  Stashhog__Change change = STASHHOG__CHANGE__INIT;
  Stashhog__FieldValue current = STASHHOG__FIELD_VALUE__INIT;
  Stashhog__EntityRef *cur[] = { ref (0, 1, "a"), ref (1, 2, "b") };
  Stashhog__EntityRef *added[] = { ref (2, 3, "c") };
  Stashhog__EntityRef *removed[] = { ref (3, 2, "b") };
  current.entities = cur;
  current.n_entities = 2;
  change.current = &current;
  change.added = added;
  change.n_added = 1;
  change.removed = removed;
  change.n_removed = 1;
  g_autoptr (GPtrArray) chips = stashhog_chip_diff_for_change (&change);
  g_autofree char *r = render (chips);
  assert_string_equal (r, "=a -b +c");
}

static void
test_for_change_proposed (void **state)
{
  (void) state;
  Stashhog__Change change = STASHHOG__CHANGE__INIT;
  Stashhog__FieldValue current = STASHHOG__FIELD_VALUE__INIT, proposed = STASHHOG__FIELD_VALUE__INIT;
  Stashhog__EntityRef *cur[] = { ref (0, 1, "a") };
  Stashhog__EntityRef *prop[] = { ref (1, 9, "z") };
  current.entities = cur;
  current.n_entities = 1;
  proposed.entities = prop;
  proposed.n_entities = 1;
  change.current = &current;
  change.proposed = &proposed;
  g_autoptr (GPtrArray) chips = stashhog_chip_diff_for_change (&change);
  g_autofree char *r = render (chips);
  assert_string_equal (r, "-a +z");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_basic),
    cmocka_unit_test (test_empty_sets),
    cmocka_unit_test (test_new_entities_match_by_name),
    cmocka_unit_test (test_for_change_added_removed),
    cmocka_unit_test (test_for_change_proposed),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
