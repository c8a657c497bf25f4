/* The lazy scene model's paging and eviction, driven by a fake fetcher. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stashhog-scene-model.h"

#define PAGE 100
#define MAX_PAGES 6
#define TOTAL 100000

typedef struct
{
  guint generation, offset, limit;
  gboolean want_total;
} Request;

typedef struct
{
  GArray *requests; /* pending Request */
  guint total;
  guint items_changed;
} Fixture;

static void
fake_fetch (StashhogSceneModel *model, guint generation, guint offset, guint limit, gboolean want_total,
            gpointer user_data)
{
  Fixture *f = user_data;
  Request r = { generation, offset, limit, want_total };
  (void) model;
  g_array_append_val (f->requests, r);
}

static GPtrArray *
make_rows (guint offset, guint limit, guint total)
{
  GPtrArray *rows = g_ptr_array_new ();
  for (guint i = offset; i < offset + limit && i < total; i++)
    {
      Stashhog__SceneSummary s = STASHHOG__SCENE_SUMMARY__INIT;
      g_autofree char *title = g_strdup_printf ("Scene %u", i);
      s.id = i + 1;
      s.title = title;
      g_ptr_array_add (rows, stashhog_scene_row_new_from_summary (&s));
    }
  return rows;
}

/* Answer every pending request (requests made while answering wait). */
static void
complete_all (StashhogSceneModel *model, Fixture *f)
{
  g_autoptr (GArray) batch = f->requests;
  f->requests = g_array_new (FALSE, FALSE, sizeof (Request));
  for (guint i = 0; i < batch->len; i++)
    {
      Request *r = &g_array_index (batch, Request, i);
      stashhog_scene_model_page_loaded (model, r->generation, r->offset, make_rows (r->offset, r->limit, f->total),
                                        r->want_total ? (gint64) f->total : -1);
    }
}

static void
on_items_changed (GListModel *model, guint pos, guint removed, guint added, gpointer user_data)
{
  Fixture *f = user_data;
  (void) model, (void) pos, (void) removed, (void) added;
  f->items_changed++;
}

static StashhogSceneModel *
setup_model (Fixture *f, guint total)
{
  StashhogSceneModel *model = stashhog_scene_model_new (PAGE, MAX_PAGES);
  f->requests = g_array_new (FALSE, FALSE, sizeof (Request));
  f->total = total;
  f->items_changed = 0;
  stashhog_scene_model_set_fetcher (model, fake_fetch, f, NULL);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), f);
  return model;
}

static void
test_first_page_sets_size (void **state)
{
  (void) state;
  Fixture f;
  g_autoptr (StashhogSceneModel) model = setup_model (&f, TOTAL);

  stashhog_scene_model_reload (model);
  assert_int_equal (f.requests->len, 1);
  assert_true (g_array_index (f.requests, Request, 0).want_total);
  assert_int_equal (g_array_index (f.requests, Request, 0).offset, 0);
  assert_true (stashhog_scene_model_get_loading (model));
  assert_int_equal (g_list_model_get_n_items (G_LIST_MODEL (model)), 0);

  complete_all (model, &f);
  assert_false (stashhog_scene_model_get_loading (model));
  assert_int_equal (g_list_model_get_n_items (G_LIST_MODEL (model)), TOTAL);
  assert_int_equal (f.items_changed, 1);
  g_autoptr (StashhogSceneItem) item = g_list_model_get_item (G_LIST_MODEL (model), 5);
  assert_true (stashhog_scene_item_get_loaded (item));
  assert_string_equal (stashhog_scene_item_get_row (item)->title, "Scene 5");
  assert_int_equal (f.requests->len, 0); /* page 0 was filled by the first reply, no refetch */
  assert_null (g_list_model_get_item (G_LIST_MODEL (model), TOTAL));
  g_array_unref (f.requests);
}

static void
test_placeholder_filled_in_place (void **state)
{
  (void) state;
  Fixture f;
  g_autoptr (StashhogSceneModel) model = setup_model (&f, TOTAL);
  stashhog_scene_model_reload (model);
  complete_all (model, &f);

  g_autoptr (StashhogSceneItem) item = g_list_model_get_item (G_LIST_MODEL (model), 50040);
  assert_false (stashhog_scene_item_get_loaded (item));
  assert_int_equal (stashhog_scene_item_get_position (item), 50040);
  assert_int_equal (f.requests->len, 1);
  assert_int_equal (g_array_index (f.requests, Request, 0).offset, 50000);
  assert_false (g_array_index (f.requests, Request, 0).want_total);

  /* A second access of the same page does not fetch again. */
  g_autoptr (StashhogSceneItem) again = g_list_model_get_item (G_LIST_MODEL (model), 50041);
  assert_int_equal (f.requests->len, 1);

  complete_all (model, &f);
  assert_true (stashhog_scene_item_get_loaded (item));
  assert_int_equal (stashhog_scene_item_get_id (item), 50041);
  assert_int_equal (f.items_changed, 1); /* filled without items-changed */
  g_array_unref (f.requests);
}

static void
test_scroll_everything_bounded (void **state)
{
  (void) state;
  Fixture f;
  g_autoptr (StashhogSceneModel) model = setup_model (&f, TOTAL);
  stashhog_scene_model_reload (model);
  complete_all (model, &f);

  guint max_resident = 0;
  for (guint pos = 0; pos < TOTAL; pos++)
    {
      g_autoptr (StashhogSceneItem) item = g_list_model_get_item (G_LIST_MODEL (model), pos);
      if (!stashhog_scene_item_get_loaded (item))
        complete_all (model, &f);
      assert_true (stashhog_scene_item_get_loaded (item));
      assert_int_equal (stashhog_scene_item_get_id (item), pos + 1);
      max_resident = MAX (max_resident, stashhog_scene_model_get_resident_pages (model));
    }
  assert_true (max_resident <= MAX_PAGES);
  /* Each page fetched exactly once (the first with the total). */
  assert_int_equal (stashhog_scene_model_get_fetch_count (model), TOTAL / PAGE);
  assert_false (stashhog_scene_model_is_page_resident (model, 0));
  assert_true (stashhog_scene_model_is_page_resident (model, TOTAL / PAGE - 1));
  g_array_unref (f.requests);
}

static void
test_eviction_refetches (void **state)
{
  (void) state;
  Fixture f;
  g_autoptr (StashhogSceneModel) model = setup_model (&f, TOTAL);
  stashhog_scene_model_reload (model);
  complete_all (model, &f);
  g_autoptr (StashhogSceneItem) first = g_list_model_get_item (G_LIST_MODEL (model), 10);

  /* Visit MAX_PAGES far pages (middle of each page: no prefetch). */
  for (guint p = 1; p <= MAX_PAGES; p++)
    {
      g_autoptr (StashhogSceneItem) it = g_list_model_get_item (G_LIST_MODEL (model), p * 1000 * PAGE / 100 + 50);
      complete_all (model, &f);
    }
  assert_int_equal (stashhog_scene_model_get_resident_pages (model), MAX_PAGES);
  assert_false (stashhog_scene_model_is_page_resident (model, 0)); /* the farthest went first */

  guint before = stashhog_scene_model_get_fetch_count (model);
  g_autoptr (StashhogSceneItem) again = g_list_model_get_item (G_LIST_MODEL (model), 10);
  assert_int_equal (stashhog_scene_model_get_fetch_count (model), before + 1);
  assert_true (first != again);                    /* a fresh placeholder */
  assert_true (stashhog_scene_item_get_loaded (first)); /* the old item stays valid for its holder */
  complete_all (model, &f);
  assert_int_equal (stashhog_scene_item_get_id (again), 11);
  g_array_unref (f.requests);
}

static void
test_stale_generation_dropped (void **state)
{
  (void) state;
  Fixture f;
  g_autoptr (StashhogSceneModel) model = setup_model (&f, TOTAL);
  stashhog_scene_model_reload (model);
  complete_all (model, &f);
  g_autoptr (StashhogSceneItem) item = g_list_model_get_item (G_LIST_MODEL (model), 3050);
  Request stale = g_array_index (f.requests, Request, 0);
  g_array_set_size (f.requests, 0);

  stashhog_scene_model_reload (model); /* e.g. the search text changed */
  assert_int_equal (g_list_model_get_n_items (G_LIST_MODEL (model)), 0);
  stashhog_scene_model_page_loaded (model, stale.generation, stale.offset, make_rows (stale.offset, PAGE, TOTAL),
                                    -1);
  assert_false (stashhog_scene_item_get_loaded (item));
  assert_int_equal (g_list_model_get_n_items (G_LIST_MODEL (model)), 0);

  f.total = 42; /* the filtered result is smaller */
  complete_all (model, &f);
  assert_int_equal (g_list_model_get_n_items (G_LIST_MODEL (model)), 42);
  assert_int_equal (stashhog_scene_model_get_resident_pages (model), 1);
  g_autoptr (StashhogSceneItem) last = g_list_model_get_item (G_LIST_MODEL (model), 41);
  assert_true (stashhog_scene_item_get_loaded (last));
  g_array_unref (f.requests);
}

static void
test_failures (void **state)
{
  (void) state;
  Fixture f;
  g_autoptr (StashhogSceneModel) model = setup_model (&f, TOTAL);
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "daemon went away");

  stashhog_scene_model_reload (model);
  stashhog_scene_model_page_failed (model, stashhog_scene_model_get_generation (model), 0, error);
  assert_false (stashhog_scene_model_get_loading (model));
  assert_string_equal (stashhog_scene_model_get_error (model), "daemon went away");
  assert_int_equal (g_list_model_get_n_items (G_LIST_MODEL (model)), 0);

  g_array_set_size (f.requests, 0);
  stashhog_scene_model_reload (model);
  assert_null (stashhog_scene_model_get_error (model));
  complete_all (model, &f);
  g_autoptr (StashhogSceneItem) item = g_list_model_get_item (G_LIST_MODEL (model), 7050);
  stashhog_scene_model_page_failed (model, stashhog_scene_model_get_generation (model), 7000, error);
  assert_false (stashhog_scene_model_is_page_resident (model, 70));
  g_array_set_size (f.requests, 0);
  g_autoptr (StashhogSceneItem) retry = g_list_model_get_item (G_LIST_MODEL (model), 7050);
  assert_int_equal (f.requests->len, 1); /* asked again */
  complete_all (model, &f);
  assert_true (stashhog_scene_item_get_loaded (retry));
  g_array_unref (f.requests);
}

static void
test_empty_result (void **state)
{
  (void) state;
  Fixture f;
  g_autoptr (StashhogSceneModel) model = setup_model (&f, 0);
  stashhog_scene_model_reload (model);
  complete_all (model, &f);
  assert_false (stashhog_scene_model_get_loading (model));
  assert_int_equal (g_list_model_get_n_items (G_LIST_MODEL (model)), 0);
  assert_null (g_list_model_get_item (G_LIST_MODEL (model), 0));
  g_array_unref (f.requests);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_first_page_sets_size), cmocka_unit_test (test_placeholder_filled_in_place),
    cmocka_unit_test (test_scroll_everything_bounded), cmocka_unit_test (test_eviction_refetches),
    cmocka_unit_test (test_stale_generation_dropped), cmocka_unit_test (test_failures),
    cmocka_unit_test (test_empty_result),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
