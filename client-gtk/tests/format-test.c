/* Proto -> row formatting, connection config persistence, event URL choice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stashhog-connection-config.h"
#include "stashhog-format.h"
#include "stashhog-scene-item.h"

static void
test_scene_row (void **state)
{
  (void) state;
  Stashhog__SceneSummary s = STASHHOG__SCENE_SUMMARY__INIT;
  Stashhog__EntityRef studio = STASHHOG__ENTITY_REF__INIT, p1 = STASHHOG__ENTITY_REF__INIT,
                      p2 = STASHHOG__ENTITY_REF__INIT, t1 = STASHHOG__ENTITY_REF__INIT;
  Stashhog__EntityRef *perfs[] = { &p1, &p2 }, *tags[] = { &t1 };
  studio.id = 9, studio.name = "Acme";
  p1.id = 1, p1.name = "Ann";
  p2.id = 2, p2.name = "Bea";
  t1.id = 3, t1.name = "Outdoor";
  s.id = 77, s.title = "A title", s.date = "2024-02-29", s.studio = &studio;
  s.performers = perfs, s.n_performers = 2, s.tags = tags, s.n_tags = 1;
  s.path = "/media/a.mp4", s.has_organized = TRUE, s.organized = TRUE;

  g_autoptr (StashhogSceneRow) row = stashhog_scene_row_new_from_summary (&s);
  assert_int_equal (row->id, 77);
  assert_string_equal (row->title, "A title");
  assert_string_equal (row->studio, "Acme");
  assert_int_equal (row->studio_id, 9);
  assert_string_equal (row->performers, "Ann, Bea");
  assert_string_equal (row->tags, "Outdoor");
  assert_string_equal (row->date, "2024-02-29");
  assert_string_equal (row->path, "/media/a.mp4");
  assert_true (row->organized);

  Stashhog__SceneSummary bare = STASHHOG__SCENE_SUMMARY__INIT;
  bare.id = 1;
  g_autoptr (StashhogSceneRow) empty = stashhog_scene_row_new_from_summary (&bare);
  assert_string_equal (empty->title, "");
  assert_string_equal (empty->studio, "");
  assert_string_equal (empty->performers, "");
  assert_false (empty->organized);
}

static void
test_numbers (void **state)
{
  (void) state;
  struct { char *got; const char *want; } cases[] = {
    { stashhog_format_duration (0), "" },
    { stashhog_format_duration (65.4), "1:05" },
    { stashhog_format_duration (3723), "1:02:03" },
    { stashhog_format_rate (0), "" },
    { stashhog_format_rate (3.25), "3.2/s" },
    { stashhog_format_rate (120.4), "120/s" },
    { stashhog_format_eta (-1), "" },
    { stashhog_format_eta (45), "45 s" },
    { stashhog_format_eta (200), "3 min 20 s" },
    { stashhog_format_eta (7500), "2 h 05 min" },
    { stashhog_format_progress (1234, 5000, 42, 90), "1,234 / 5,000 · 42/s · ETA 1 min 30 s" },
    { stashhog_format_progress (7, 0, 0, 0), "7" },
    { stashhog_format_progress (1234567, 1234567, 0, 0), "1,234,567 / 1,234,567" },
    { stashhog_format_confidence (0.874), "87 %" },
    { stashhog_format_confidence (1.5), "100 %" },
    { stashhog_format_time_ms (0), "" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      assert_string_equal (cases[i].got, cases[i].want);
      g_free (cases[i].got);
    }
  char *strs[] = { "a", NULL, "b" }; /* counted arrays are not NULL-terminated */
  g_autofree char *joined = stashhog_format_join (strs, 3, ", ");
  g_autofree char *none = stashhog_format_join (NULL, 0, ", ");
  assert_string_equal (joined, "a, b");
  assert_string_equal (none, "");
  g_autofree char *size = stashhog_format_size (1500000000);
  assert_string_equal (size, "1.5\u00a0GB"); /* GLib puts a no-break space before the unit */
  assert_true (stashhog_format_fraction (5, 0) < 0);
  assert_true (stashhog_format_fraction (5, 10) == 0.5);
  assert_true (stashhog_format_fraction (12, 10) == 1.0);
  g_autofree char *t = stashhog_format_time_ms (1700000000000);
  assert_int_equal (strlen (t), 16); /* "YYYY-MM-DD HH:MM" in local time */
}

static void
test_fields (void **state)
{
  (void) state;
  Stashhog__FieldValue v = STASHHOG__FIELD_VALUE__INIT;
  Stashhog__EntityRef e = STASHHOG__ENTITY_REF__INIT;
  assert_int_equal (stashhog_format_field_kind ("title"), STASHHOG_FIELD_TEXT);
  assert_int_equal (stashhog_format_field_kind ("tags"), STASHHOG_FIELD_SET);
  assert_int_equal (stashhog_format_field_kind ("studio"), STASHHOG_FIELD_SINGLE);
  assert_int_equal (stashhog_format_field_kind ("date"), STASHHOG_FIELD_SINGLE);
  assert_string_equal (stashhog_format_field_label ("performers"), "Performers");
  assert_string_equal (stashhog_format_field_label ("rating"), "rating");

  g_autofree char *none = stashhog_format_field_value (NULL);
  assert_string_equal (none, "—");
  v.text = "2020-01-01";
  g_autofree char *text = stashhog_format_field_value (&v);
  assert_string_equal (text, "2020-01-01");
  e.id = 4, e.name = "Studio X";
  v.entity = &e;
  g_autofree char *ent = stashhog_format_field_value (&v);
  assert_string_equal (ent, "Studio X");
  v.has_is_null = TRUE, v.is_null = TRUE;
  g_autofree char *null = stashhog_format_field_value (&v);
  assert_string_equal (null, "—");

  assert_string_equal (stashhog_format_job_status (STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING), "Running");
  assert_string_equal (stashhog_format_plan_status (STASHHOG__PLAN_STATUS__PLAN_APPLIED), "Applied");
  assert_string_equal (stashhog_format_change_status (STASHHOG__CHANGE_STATUS__CHANGE_CONFLICT), "Conflict");
}

static void
test_pick_events_url (void **state)
{
  (void) state;
  const char *const advertised[] = { "ipc:///run/x/ev.sock", "tcp://0.0.0.0:7411", "tls+tcp://host.lan:7413" };
  g_autofree char *ipc = stashhog_connection_pick_events_url ("ipc:///run/x/rpc.sock", advertised, 3);
  g_autofree char *tcp = stashhog_connection_pick_events_url ("tcp://nas.local:7410", advertised, 3);
  g_autofree char *tls = stashhog_connection_pick_events_url ("tls+tcp://nas.local:7412", advertised, 3);
  g_autofree char *none = stashhog_connection_pick_events_url ("ws://x:1", advertised, 3);
  assert_string_equal (ipc, "ipc:///run/x/ev.sock");
  assert_string_equal (tcp, "tcp://nas.local:7411");
  assert_string_equal (tls, "tls+tcp://nas.local:7413"); /* the host we reach the daemon by */
  assert_null (none);
}

static void
test_config_roundtrip (void **state)
{
  (void) state;
  const char *scratch = getenv ("STASHHOG_TEST_SCRATCH");
  g_autofree char *base = NULL;
  if (scratch)
    {
      g_mkdir_with_parents (scratch, 0700);
      base = g_build_filename (scratch, "cfg-XXXXXX", NULL);
    }
  else
    base = g_build_filename (g_get_tmp_dir (), "sh-gtk-cfg-XXXXXX", NULL);
  assert_non_null (g_mkdtemp (base));
  g_autoptr (GError) error = NULL;

  g_autoptr (StashhogConnectionConfig) empty = stashhog_connection_config_load (base, &error);
  assert_non_null (empty);
  assert_null (empty->url);
  assert_null (empty->token);

  StashhogConnectionConfig cfg = { .url = "tcp://nas.local:7410", .token = "s3cret-token" };
  assert_true (stashhog_connection_config_save (base, &cfg, &error));
  g_autofree char *token_path = g_build_filename (base, "stashhog", "gtk-token", NULL);
  struct stat st;
  assert_int_equal (stat (token_path, &st), 0);
  assert_int_equal (st.st_mode & 0777, 0600);
  g_autoptr (StashhogConnectionConfig) back = stashhog_connection_config_load (base, &error);
  assert_string_equal (back->url, "tcp://nas.local:7410");
  assert_string_equal (back->token, "s3cret-token");
  g_autofree char *eff = stashhog_connection_config_effective_url (back, &error);
  assert_string_equal (eff, "tcp://nas.local:7410");

  /* Back to the local daemon: the token file goes away. */
  StashhogConnectionConfig local = { 0 };
  assert_true (stashhog_connection_config_save (base, &local, &error));
  assert_int_not_equal (stat (token_path, &st), 0);
  g_autoptr (StashhogConnectionConfig) again = stashhog_connection_config_load (base, &error);
  assert_null (again->url);
  g_setenv ("STASHHOG_CONNECT", "ipc:///tmp/elsewhere.sock", TRUE);
  g_autofree char *def = stashhog_connection_config_effective_url (again, &error);
  assert_string_equal (def, "ipc:///tmp/elsewhere.sock");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_scene_row), cmocka_unit_test (test_numbers), cmocka_unit_test (test_fields),
    cmocka_unit_test (test_pick_events_url), cmocka_unit_test (test_config_roundtrip),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
