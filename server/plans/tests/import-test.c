/* Plan import and scene import on a real (temporary) database: CSV value
 * parsing ("+a -b" with hyphenated names, new entities), status reset,
 * validation (unknown fields and entities, bad new entities, duplicates,
 * missing scenes with and without skip_missing) with the JSON path or CSV
 * line in the message, and scene import (entities created from JSON, CSV
 * names resolved or warned about, the spreadsheet guard undone, a bad row
 * importing nothing, the full-text row written). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/scene-import.h"
#include "plans/plan-import.h"
#include "test-db.h"

static sh_test_db tdb;
static sh_db *db;

static int setup(void **state)
{
    (void)state;
    sh_test_db_open(&tdb);
    db = tdb.db;
    sh_error err = {0};
    assert_int_equal(sh_db_exec(db,
                                "INSERT INTO scenes(id, title, primary_path, synced_at) VALUES "
                                "(1, 'One', '/lib/one.mp4', 1), (2, '', '/lib/two.mp4', 1), (3, 'Three', '/lib/3.mp4', 1);"
                                "INSERT INTO performers(id, name, synced_at) VALUES (1, 'Ann', 1), (2, 'Jean-Luc', 1),"
                                " (3, 'A - B', 1);"
                                "INSERT INTO studios(id, name, synced_at) VALUES (5, 'Acme', 1);"
                                "INSERT INTO tags(id, name, synced_at) VALUES (7, '4k', 1);",
                                &err),
                     SH_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sh_test_db_close(&tdb);
    db = NULL;
    return 0;
}

static char *query_text(const char *sql)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(sh_db_handle(db), sql, -1, &s, NULL), SQLITE_OK);
    char *v = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)
                  ? strdup((const char *)sqlite3_column_text(s, 0))
                  : NULL;
    sqlite3_finalize(s);
    return v;
}

static void assert_query(const char *sql, const char *want)
{
    char *got = query_text(sql);
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s: got '%s', want '%s'", sql, got ? got : "(null)", want);
    free(got);
}

static sh_status plan_import(const char *text, bool skip, int64_t *plan, int64_t *skipped, sh_error *err)
{
    sh_plan_import_opts o = {.name = "t", .format = SH_IMPORT_DETECT, .skip_missing = skip};
    return sh_plan_import(db, NULL, text, strlen(text), &o, plan, skipped, err);
}

static void expect_plan_error(const char *text, sh_status code, const char *message)
{
    int64_t plan = 0, skipped = 0, before = sh_test_db_int(&tdb, "SELECT count(*) FROM plans");
    sh_error err = {0};
    assert_int_equal(plan_import(text, false, &plan, &skipped, &err), code);
    if (!strstr(err.message, message))
        fail_msg("'%s' not in '%s'", message, err.message);
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM plans"), before);
}

#define CSV_HEAD "change_id,scene_id,scene_path,field,current,proposed,confidence,analyzer,reason,status,error\r\n"

static void test_plan_csv(void **state)
{
    (void)state;
    const char *csv = CSV_HEAD
        "10,1,/lib/one.mp4,performers,Ann,+Jean-Luc +A - B -Ann +Newbie,0.750,perf,\"why, \"\"this\"\"\",accepted,\r\n"
        "11,1,/lib/one.mp4,studio,,Brand New,0.500,studio,,rejected,\r\n"
        "12,2,/lib/two.mp4,title,,\"Two\nlines\",0.900,title,,pending,\r\n";
    int64_t plan = 0, skipped = 0;
    sh_error err = {0};
    if (plan_import(csv, false, &plan, &skipped, &err) != SH_OK)
        fail_msg("import: %s", err.message);
    assert_true(plan > 0);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT proposed_value FROM plan_changes WHERE plan_id = %lld AND field = 'performers'",
             (long long)plan);
    assert_query(sql, "{\"add\":[{\"id\":2,\"name\":\"Jean-Luc\"},{\"id\":3,\"name\":\"A - B\"},"
                      "{\"id\":0,\"name\":\"Newbie\",\"new\":true}],\"remove\":[{\"id\":1,\"name\":\"Ann\"}]}");
    snprintf(sql, sizeof sql, "SELECT current_value FROM plan_changes WHERE plan_id = %lld AND field = 'performers'",
             (long long)plan);
    assert_query(sql, "[{\"id\":1,\"name\":\"Ann\"}]");
    snprintf(sql, sizeof sql,
             "SELECT status || ' ' || reason || ' ' || confidence FROM plan_changes WHERE plan_id = %lld AND "
             "field = 'performers'",
             (long long)plan);
    assert_query(sql, "pending why, \"this\" 0.75");
    snprintf(sql, sizeof sql,
             "SELECT status || ' ' || proposed_value FROM plan_changes WHERE plan_id = %lld AND field = 'studio'",
             (long long)plan);
    assert_query(sql, "rejected {\"id\":0,\"name\":\"Brand New\",\"new\":true}");
    snprintf(sql, sizeof sql, "SELECT proposed_value FROM plan_changes WHERE plan_id = %lld AND field = 'title'",
             (long long)plan);
    assert_query(sql, "\"Two\\nlines\"");
    snprintf(sql, sizeof sql, "SELECT status || ' ' || scene_count FROM plans WHERE id = %lld", (long long)plan);
    assert_query(sql, "draft 2");
}

static void test_plan_invalid(void **state)
{
    (void)state;
    expect_plan_error(CSV_HEAD "1,1,/x,colour,a,b,0.5,x,,pending,\r\n", SH_ERR_INVALID, "line 2: unknown field 'colour'");
    expect_plan_error(CSV_HEAD "1,1,/x,tags,,-Nope,0.5,x,,pending,\r\n", SH_ERR_INVALID, "line 2: tag 'Nope' is not in the cache");
    expect_plan_error(CSV_HEAD "1,1,/x,tags,Nope,+4k,0.5,x,,pending,\r\n", SH_ERR_INVALID, "line 2: tag 'Nope'");
    expect_plan_error(CSV_HEAD "1,1,/x,tags,,4k,0.5,x,,pending,\r\n", SH_ERR_INVALID, "\"+name\" or \"-name\"");
    expect_plan_error(CSV_HEAD "1,1,/x,date,,2020-1-1,0.5,x,,pending,\r\n", SH_ERR_INVALID, "line 2: proposed date");
    expect_plan_error(CSV_HEAD "1,1,/x,title,,a,0.5,x,,maybe,\r\n", SH_ERR_INVALID, "line 2: unknown status 'maybe'");
    expect_plan_error(CSV_HEAD "1,1,/x,title,,a,0.5,x,,pending,\r\n2,1,/x,title,,b,0.5,x,,pending,\r\n",
                      SH_ERR_INVALID, "line 3: a second change of scene 1 field title");
    expect_plan_error("scene_id,field\r\n1,title\r\n", SH_ERR_INVALID, "column 'current' missing");
    expect_plan_error("{\"plan\": null, \"changes\": [{\"id\": 1, \"scene_id\": 1, \"field\": \"title\", "
                      "\"status\": \"CHANGE_PENDING\", \"bogus\": 1}]}",
                      SH_ERR_INVALID, "changes[0].bogus");
    expect_plan_error("{\"changes\": [{\"id\": 1, \"scene_id\": 1, \"field\": \"studio\", \"status\": \"CHANGE_PENDING\","
                      " \"proposed\": {\"entity\": {\"id\": 99, \"name\": \"Gone\"}}}]}",
                      SH_ERR_INVALID, "changes[0]: studio 99 ('Gone') is not in the cache");
    expect_plan_error("{\"changes\": [{\"id\": 1, \"scene_id\": 1, \"field\": \"tags\", \"status\": \"CHANGE_PENDING\","
                      " \"added\": [{\"id\": 7, \"name\": \"x\", \"is_new\": true}]}]}",
                      SH_ERR_INVALID, "a new entity has id 0 and a name");
    expect_plan_error("{\"changes\": []}", SH_ERR_INVALID, "no changes");
    expect_plan_error("{\"changes\": [1,", SH_ERR_INVALID, "JSON line 1");
}

static void test_plan_missing_scenes(void **state)
{
    (void)state;
    const char *json = "{\"plan\": {\"id\": 4, \"name\": \"orig\", \"status\": \"PLAN_APPLIED\"}, \"changes\": ["
                       "{\"id\": 1, \"scene_id\": 1, \"field\": \"title\", \"status\": \"CHANGE_APPLIED\","
                       " \"current\": {\"text\": \"One\"}, \"proposed\": {\"text\": \"Uno\"}, \"confidence\": 0.5},"
                       "{\"id\": 2, \"scene_id\": 42, \"field\": \"title\", \"status\": \"CHANGE_PENDING\","
                       " \"proposed\": {\"text\": \"x\"}}]}";
    expect_plan_error(json, SH_ERR_NOT_FOUND, "1 change(s) name scenes not in the cache (42)");
    int64_t plan = 0, skipped = 0;
    sh_error err = {0};
    sh_plan_import_opts o = {.format = SH_IMPORT_JSON, .skip_missing = true};
    if (sh_plan_import(db, NULL, json, strlen(json), &o, &plan, &skipped, &err) != SH_OK)
        fail_msg("import: %s", err.message);
    assert_int_equal(skipped, 1);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT name || ' ' || (SELECT group_concat(status || ':' || proposed_value) FROM "
                              "plan_changes WHERE plan_id = %lld) FROM plans WHERE id = %lld",
             (long long)plan, (long long)plan);
    assert_query(sql, "orig (imported) pending:\"Uno\"");
}

static void test_scenes_json(void **state)
{
    (void)state;
    const char *json = "[{\"id\": 50, \"title\": \"Fifty\", \"date\": \"2021-02-03\", "
                       "\"studio\": {\"id\": 60, \"name\": \"Far Studio\"}, "
                       "\"performers\": [{\"id\": 1, \"name\": \"Ann\"}, {\"id\": 61, \"name\": \"Zed Quux\"}], "
                       "\"tags\": [], \"path\": \"/lib/fifty.mp4\", \"organized\": true, \"updated_at\": \"u1\"}]";
    sh_scene_import_result res;
    sh_error err = {0};
    if (sh_scene_import(db, json, strlen(json), SH_IMPORT_DETECT, &res, &err) != SH_OK)
        fail_msg("import: %s", err.message);
    assert_int_equal(res.scenes, 1);
    assert_int_equal(res.entities_created, 2);
    sh_scene_import_result_fini(&res);
    assert_query("SELECT title || ' ' || date || ' ' || studio_id || ' ' || organized || ' ' || primary_path || ' ' ||"
                 " stash_updated_at FROM scenes WHERE id = 50",
                 "Fifty 2021-02-03 60 1 /lib/fifty.mp4 u1");
    assert_query("SELECT group_concat(performer_id) FROM (SELECT performer_id FROM scene_performers WHERE scene_id = 50 "
                 "ORDER BY 1)",
                 "1,61");
    assert_query("SELECT name FROM studios WHERE id = 60", "Far Studio");
    assert_int_equal(sh_test_db_int(&tdb, "SELECT rowid FROM scene_fts WHERE scene_fts MATCH 'quux'"), 50);

    /* a bad second row imports nothing, and names the row */
    const char *bad = "[{\"id\": 51, \"title\": \"ok\"}, {\"id\": 52, \"date\": \"soon\"}]";
    assert_int_equal(sh_scene_import(db, bad, strlen(bad), SH_IMPORT_JSON, &res, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "[1].date"));
    sh_scene_import_result_fini(&res);
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scenes WHERE id = 51"), 0);
    const char *badkey = "[{\"id\": 53, \"colour\": \"red\"}]";
    assert_int_equal(sh_scene_import(db, badkey, strlen(badkey), SH_IMPORT_JSON, &res, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "[0].colour"));
    sh_scene_import_result_fini(&res);
}

static void test_scenes_csv(void **state)
{
    (void)state;
    const char *csv = "id,title,date,studio,performers,tags,path,organized,updated_at\r\n"
                      "70,\"'=SUM(A1)\",2020-01-01,Acme,Jean-Luc; A - B; Unknown Person,4k,\"/lib/a,b.mp4\",false,u2\r\n";
    sh_scene_import_result res;
    sh_error err = {0};
    if (sh_scene_import(db, csv, strlen(csv), SH_IMPORT_DETECT, &res, &err) != SH_OK)
        fail_msg("import: %s", err.message);
    assert_int_equal(res.scenes, 1);
    assert_int_equal(json_array_size(res.warnings), 1);
    assert_non_null(strstr(json_string_value(json_array_get(res.warnings, 0)),
                           "line 2: performer 'Unknown Person' is not in the cache"));
    sh_scene_import_result_fini(&res);
    assert_query("SELECT title || ' ' || studio_id || ' ' || primary_path FROM scenes WHERE id = 70",
                 "=SUM(A1) 5 /lib/a,b.mp4");
    assert_query("SELECT group_concat(performer_id) FROM (SELECT performer_id FROM scene_performers WHERE scene_id = 70 "
                 "ORDER BY 1)",
                 "2,3");
    assert_query("SELECT group_concat(tag_id) FROM scene_tags WHERE scene_id = 70", "7");

    const char *bad = "id,title,date,studio,performers,tags,path,organized,updated_at\r\n"
                      "71,a,,,,,/p,false,\r\n72,b,,,,,/q,maybe,\r\n";
    assert_int_equal(sh_scene_import(db, bad, strlen(bad), SH_IMPORT_CSV, &res, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "line 3: organized"));
    sh_scene_import_result_fini(&res);
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scenes WHERE id = 71"), 0);
    const char *short_row = "id,title,date,studio,performers,tags,path,organized,updated_at\r\n73,a\r\n";
    assert_int_equal(sh_scene_import(db, short_row, strlen(short_row), SH_IMPORT_CSV, &res, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "line 2: 2 fields"));
    sh_scene_import_result_fini(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plan_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_missing_scenes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scenes_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scenes_csv, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
