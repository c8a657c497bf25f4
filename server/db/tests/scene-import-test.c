/* Scene import of whole records and of old summary rows, on a real
 * (temporary) database: every field of a JSON and a CSV record lands in the
 * cache and reads back as the same record; summary rows (the old export
 * format) change only the fields they carry; the spreadsheet guard comes
 * off exactly; each malformed field is refused with the row and field named
 * and imports nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db/scene-import.h"
#include "db/scene-record.h"
#include "sh-pbjson.h"
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
                                "INSERT INTO performers(id, name, synced_at) VALUES (1, 'Ann', 1), (2, 'Bo', 1);"
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

static void assert_query(const char *sql, const char *want)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(sh_db_handle(db), sql, -1, &s, NULL), SQLITE_OK);
    const char *got = sqlite3_step(s) == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
    if (!got || strcmp(got, want) != 0) {
        char copy[512];
        snprintf(copy, sizeof copy, "%s", got ? got : "(null)");
        sqlite3_finalize(s);
        fail_msg("%s\n  got:  %s\n  want: %s", sql, copy, want);
    }
    sqlite3_finalize(s);
}

static void import_ok(const char *content, int64_t scenes, int64_t created)
{
    sh_scene_import_result res;
    sh_error err = {0};
    if (sh_scene_import(db, content, strlen(content), SH_IMPORT_DETECT, &res, &err) != SH_OK)
        fail_msg("import: %s", err.message);
    assert_int_equal(res.scenes, scenes);
    assert_int_equal(res.entities_created, created);
    sh_scene_import_result_fini(&res);
}

/* The import fails, names want in its message and leaves the cache as it was. */
static void import_bad(const char *content, const char *want)
{
    int64_t before = sh_test_db_int(&tdb, "SELECT count(*) FROM scenes"),
            files = sh_test_db_int(&tdb, "SELECT count(*) FROM scene_files");
    sh_scene_import_result res;
    sh_error err = {0};
    sh_status st = sh_scene_import(db, content, strlen(content), SH_IMPORT_DETECT, &res, &err);
    sh_scene_import_result_fini(&res);
    if (st == SH_OK)
        fail_msg("imported: %s", content);
    if (!strstr(err.message, want))
        fail_msg("message '%s' lacks '%s'", err.message, want);
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scenes"), before);
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scene_files"), files);
}

/* The cached scene id as its record's JSON (what export writes). */
static char *record_json(int64_t id)
{
    sh_arena *a = sh_arena_create();
    Stashhog__SceneRecord *r = NULL;
    sh_error err = {0};
    if (sh_scene_record_read(db, a, id, &r, &err) != SH_OK)
        fail_msg("read %lld: %s", (long long)id, err.message);
    json_t *j = sh_pb_to_json(&r->base);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    sh_arena_destroy(a);
    return text;
}

/* Every field at once; entity 99 is named "" (was not cached when exported). */
static const char full_row[] =
    "{\"id\":40,\"title\":\"T \\\"q\\\", x\",\"date\":\"2021-02-03\",\"studio\":{\"id\":60,\"name\":\"New Studio\"},"
    "\"performers\":[{\"id\":1,\"name\":\"Ann\"},{\"id\":61,\"name\":\"Zed\"},{\"id\":99,\"name\":\"\"}],"
    "\"tags\":[{\"id\":7,\"name\":\"4k\"}],\"path\":\"/lib/a.mp4\",\"organized\":true,"
    "\"updated_at\":\"2024-01-02T03:04:05+01:00\",\"code\":\"AB-123\",\"details\":\"line1\\nline2\","
    "\"urls\":[\"https://b.example/2\",\"https://a.example/1\"],"
    "\"files\":[{\"id\":501,\"path\":\"/lib/a.mp4\",\"size\":1234567890123,\"duration\":1712.3449999999999,"
    "\"width\":1920,\"height\":1080,\"frame_rate\":29.969999999999999,\"video_codec\":\"h264\","
    "\"basename\":\"a.mp4\"},{\"id\":502,\"path\":\"/dup/a [480p].mp4\",\"size\":5,\"video_codec\":\"\","
    "\"basename\":\"\"}],"
    "\"created_at\":\"2023-05-06T07:08:09+01:00\",\"synced_at_ms\":1700000000123}";

static void test_json_full_record(void **state)
{
    (void)state;
    char doc[sizeof full_row + 4];
    snprintf(doc, sizeof doc, "[%s]", full_row);
    import_ok(doc, 1, 2); /* studio 60 and performer 61; 99 has no name */
    assert_query("SELECT code || '|' || details || '|' || stash_created_at || '|' || synced_at FROM scenes "
                 "WHERE id = 40",
                 "AB-123|line1\nline2|2023-05-06T07:08:09+01:00|1700000000123");
    assert_query("SELECT group_concat(url, ' ') FROM (SELECT url FROM scene_urls WHERE scene_id = 40 "
                 "ORDER BY position)",
                 "https://b.example/2 https://a.example/1");
    assert_query("SELECT group_concat(id || ':' || position || ':' || ifnull(basename, 'NULL') || ':' || "
                 "ifnull(size, 'NULL') || ':' || ifnull(height, 'NULL'), ' ') FROM "
                 "(SELECT * FROM scene_files WHERE scene_id = 40 ORDER BY position)",
                 "501:0:a.mp4:1234567890123:1080 502:1::5:NULL");
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scene_performers WHERE scene_id = 40 AND performer_id = 99"), 1);
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM performers WHERE id = 99"), 0);
    assert_int_equal(sh_test_db_int(&tdb, "SELECT rowid FROM scene_fts WHERE scene_fts MATCH 'zed'"), 40);
    /* and it reads back as the very same record */
    char *got = record_json(40);
    char want[sizeof full_row];
    snprintf(want, sizeof want, "%s", full_row);
    json_t *norm = json_loads(want, 0, NULL);
    /* the cache sorts performers by name: "" first */
    json_t *perf = json_object_get(norm, "performers");
    json_t *blank = json_incref(json_array_get(perf, 2));
    json_array_remove(perf, 2);
    json_array_insert_new(perf, 0, blank);
    char *wtext = json_dumps(norm, JSON_COMPACT);
    assert_string_equal(got, wtext);
    free(wtext);
    json_decref(norm);
    /* importing its own export again changes nothing */
    char *again = malloc(strlen(got) + 3);
    sprintf(again, "[%s]", got);
    import_ok(again, 1, 0);
    char *got2 = record_json(40);
    assert_string_equal(got2, got);
    free(again);
    free(got);
    free(got2);
}

static const char csv_header[] =
    "id,title,date,studio,performers,tags,path,organized,updated_at,code,details,urls,files,created_at,"
    "synced_at_ms\r\n";

static void test_csv_full_record(void **state)
{
    (void)state;
    char doc[2048];
    /* guarded cells: '= -> =, '' -> ', a plain leading quote stays */
    snprintf(doc, sizeof doc,
             "%s41,\"'=SUM(A1), \"\"x\"\"\",2020-01-31,\"{\"\"id\"\":5,\"\"name\"\":\"\"Acme\"\"}\","
             "\"[{\"\"id\"\":2,\"\"name\"\":\"\"Bo\"\"}]\",,/l/b.mp4,false,'-u,''quote,'plain,"
             "\"[\"\"https://x.example/\"\"]\",\"[{\"\"id\"\":601,\"\"path\"\":\"\"/l/b.mp4\"\",\"\"duration\"\":2.5}]\","
             ",42\r\n",
             csv_header);
    import_ok(doc, 1, 0);
    assert_query("SELECT title || '|' || date || '|' || studio_id || '|' || organized || '|' || primary_path || '|' || "
                 "stash_updated_at || '|' || code || '|' || details || '|' || synced_at FROM scenes WHERE id = 41",
                 "=SUM(A1), \"x\"|2020-01-31|5|0|/l/b.mp4|-u|'quote|'plain|42");
    assert_int_equal(sh_test_db_int(&tdb, "SELECT stash_created_at IS NULL FROM scenes WHERE id = 41"), 1);
    assert_query("SELECT group_concat(performer_id) FROM scene_performers WHERE scene_id = 41", "2");
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scene_tags WHERE scene_id = 41"), 0);
    assert_query("SELECT url FROM scene_urls WHERE scene_id = 41", "https://x.example/");
    assert_query("SELECT id || ':' || duration || ':' || ifnull(size, 'NULL') FROM scene_files WHERE scene_id = 41",
                 "601:2.5:NULL");
}

/* A scene cached with every field, then old-format rows over it. */
static void cache_full_scene(void)
{
    char doc[sizeof full_row + 4];
    snprintf(doc, sizeof doc, "[%s]", full_row);
    import_ok(doc, 1, 2);
}

static void test_json_summary_keeps_other_fields(void **state)
{
    (void)state;
    cache_full_scene();
    /* the old export's row: summary fields only */
    import_ok("[{\"id\":40,\"title\":\"Renamed\",\"date\":\"2022-12-31\",\"performers\":[{\"id\":2,\"name\":\"Bo\"}],"
              "\"tags\":[],\"path\":\"/lib/a.mp4\",\"organized\":false,\"updated_at\":\"u9\"}]",
              1, 0);
    assert_query("SELECT title || '|' || date || '|' || ifnull(studio_id, 'none') || '|' || organized || '|' || "
                 "stash_updated_at || '|' || code || '|' || details || '|' || stash_created_at || '|' || synced_at "
                 "FROM scenes WHERE id = 40",
                 "Renamed|2022-12-31|none|0|u9|AB-123|line1\nline2|2023-05-06T07:08:09+01:00|1700000000123");
    assert_query("SELECT group_concat(performer_id) FROM scene_performers WHERE scene_id = 40", "2");
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scene_tags WHERE scene_id = 40"), 0);
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scene_urls WHERE scene_id = 40"), 2);
    assert_query("SELECT group_concat(id, ' ') FROM (SELECT id FROM scene_files WHERE scene_id = 40 ORDER BY position)",
                 "501 502");
    assert_query("SELECT basename || ':' || size || ':' || frame_rate FROM scene_files WHERE id = 501",
                 "a.mp4:1234567890123:29.97");

    /* its second file's path: that file becomes primary, none is lost */
    import_ok("[{\"id\":40,\"path\":\"/dup/a [480p].mp4\"}]", 1, 0);
    assert_query("SELECT group_concat(id, ' ') FROM (SELECT id FROM scene_files WHERE scene_id = 40 ORDER BY position)",
                 "502 501");
    assert_query("SELECT primary_path FROM scenes WHERE id = 40", "/dup/a [480p].mp4");
    /* an unknown path is added in front; no path leaves the files alone */
    import_ok("[{\"id\":40,\"path\":\"/moved/a.mp4\"}]", 1, 0);
    import_ok("[{\"id\":40}]", 1, 0);
    assert_query("SELECT group_concat(path, '|') FROM (SELECT path FROM scene_files WHERE scene_id = 40 ORDER BY "
                 "position)",
                 "/moved/a.mp4|/dup/a [480p].mp4|/lib/a.mp4");
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scene_files WHERE scene_id = 40 AND id = 501"), 1);
    /* a summary row that names a further field sets that one too */
    import_ok("[{\"id\":40,\"code\":\"ZZ-9\"}]", 1, 0);
    assert_query("SELECT code || '|' || details FROM scenes WHERE id = 40", "ZZ-9|line1\nline2");
}

static void test_csv_summary_keeps_other_fields(void **state)
{
    (void)state;
    cache_full_scene();
    import_ok("id,title,date,studio,performers,tags,path,organized,updated_at\r\n"
              "40,\"'=Old, format\",,Acme,Ann; Bo,4k,/lib/a.mp4,true,u7\r\n"
              "42,New one,2001-01-01,,,,/lib/new.mp4,false,\r\n",
              2, 0);
    assert_query("SELECT title || '|' || ifnull(date, 'none') || '|' || studio_id || '|' || organized || '|' || code "
                 "|| '|' || synced_at FROM scenes WHERE id = 40",
                 "=Old, format|none|5|1|AB-123|1700000000123");
    assert_query("SELECT group_concat(performer_id) FROM (SELECT performer_id FROM scene_performers WHERE "
                 "scene_id = 40 ORDER BY 1)",
                 "1,2");
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scene_files WHERE scene_id = 40"), 2);
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scene_urls WHERE scene_id = 40"), 2);
    assert_query("SELECT title || '|' || primary_path FROM scenes WHERE id = 42", "New one|/lib/new.mp4");
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scene_files WHERE scene_id = 42 AND id > 0"), 1);
}

/* A JSON document of one full record with one key replaced. */
static char *json_with(const char *key, const char *value)
{
    json_t *row = json_loads(full_row, 0, NULL);
    assert_non_null(row);
    json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    json_object_set_new(row, key, v);
    json_t *doc = json_pack("[{s:I}, o]", "id", (json_int_t)43, row);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

static void test_json_field_errors(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value, *want;
    } cases[] = {
        {"id", "0", "[1].id: 0 is not a positive integer"},
        {"id", "\"x\"", "[1].id"},
        {"date", "\"2020-13-01\"", "[1].date: '2020-13-01' is not YYYY-MM-DD"},
        {"date", "\"2020-1-1\"", "[1].date"},
        {"title", "7", "[1].title"},
        {"organized", "\"yes\"", "[1].organized"},
        {"updated_at", "\"2020\\n\"", "[1].updated_at: holds a control character"},
        {"created_at", "\"01234567890123456789012345678901234567890123456789012345678901234\"",
         "[1].created_at: is longer than 64 bytes"},
        {"studio", "{\"id\":-3,\"name\":\"x\"}", "[1].studio: id -3 is not positive"},
        {"studio", "{\"id\":3}", "[1].studio"},
        {"performers", "[{\"id\":1,\"name\":\"Ann\"},{\"id\":0,\"name\":\"x\"}]", "[1].performers[1]: id 0"},
        {"tags", "[{\"name\":\"x\"}]", "[1].tags[0]"},
        {"urls", "[\"https://a\",\"\"]", "[1].urls[1]: is empty"},
        {"urls", "\"https://a\"", "[1].urls"},
        {"files", "[{\"id\":1,\"path\":\"/lib/a.mp4\",\"size\":-1}]", "[1].files[0]: size -1 is negative"},
        {"files", "[{\"id\":1,\"path\":\"/lib/a.mp4\",\"duration\":-0.5}]", "[1].files[0]: duration"},
        {"files", "[{\"id\":1,\"path\":\"/lib/a.mp4\",\"height\":-2}]", "[1].files[0]: height -2"},
        {"files", "[{\"id\":1,\"path\":\"/lib/a.mp4\"},{\"id\":1,\"path\":\"/x\"}]",
         "[1].files[1]: id 1 is also files[0]'s"},
        {"files", "[{\"id\":1,\"path\":\"\"}]", "[1].files[0].path: is empty"},
        {"files", "[{\"id\":1,\"path\":\"/other.mp4\"}]", "[1].path: '/lib/a.mp4' is not files[0].path"},
        {"files", "[]", "[1].path"},
        {"files", "[{\"id\":1,\"path\":\"/lib/a.mp4\",\"fps\":3}]", "[1].files[0].fps"},
        {"synced_at_ms", "-5", "[1].synced_at_ms: -5 is negative"},
        {"colour", "\"red\"", "[1].colour"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *doc = json_with(cases[i].key, cases[i].value);
        import_bad(doc, cases[i].want);
        free(doc);
    }
    char big[SH_RECORD_MAX_TEXT + 16];
    memset(big, 'a', sizeof big);
    big[0] = '"';
    snprintf(big + SH_RECORD_MAX_TEXT + 2, 14, "\"");
    char *doc = json_with("code", big);
    import_bad(doc, "[1].code: is longer than 4096 bytes");
    free(doc);
    import_bad("[{\"id\":1},", "JSON line 1");
    import_bad("{\"id\":1}", "expected an array");
    import_bad("[{\"id\":1}, 5]", "[1]: expected a scene object");
}

/* A CSV document: the full header and one bad row after a good one. */
static void csv_bad(const char *row, const char *want)
{
    char doc[1024];
    snprintf(doc, sizeof doc, "%s44,ok,,,,,,false,,,,,,,\r\n%s\r\n", csv_header, row);
    import_bad(doc, want);
}

static void test_csv_field_errors(void **state)
{
    (void)state;
    csv_bad("x1,,,,,,,,,,,,,,", "line 3: id 'x1' is not a positive integer");
    csv_bad(",t,,,,,,,,,,,,,", "line 3: id '' is not a positive integer");
    csv_bad("45,,2020-00-10,,,,,,,,,,,,", "line 3: date '2020-00-10' is not YYYY-MM-DD");
    csv_bad("45,,,,,,,maybe,,,,,,,", "line 3: organized is true, false or empty, not 'maybe'");
    csv_bad("45,,,,,,,,,,,,,,soon", "line 3: synced_at_ms 'soon' is not an integer");
    csv_bad("45,,,,\"[{\"\"id\"\":1\",,,,,,,,,,", "line 3: performers is not JSON");
    csv_bad("45,,,[],,,,,,,,,,,", "line 3: studio is not a JSON object");
    csv_bad("45,,,,,{},,,,,,,,,", "line 3: tags is not a JSON array");
    csv_bad("45,,,,,,,,,,,\"[3]\",,,", "line 3: urls[0]");
    csv_bad("45,,,,,,/a.mp4,,,,,,,,", "line 3: path '/a.mp4' is not files[0].path");
    csv_bad("45,,,,,,,,,,,,\"[{\"\"id\"\":9,\"\"path\"\":\"\"/a\"\",\"\"width\"\":-1}]\",,",
            "line 3: files[0] width -1 is negative");
    csv_bad("45,\xff\xfe,,,,,,,,,,,,,", "line 3: title is not valid UTF-8");
    csv_bad("45,a,b", "line 3: 3 fields, the header has 15");
    import_bad("id,title,date,studio,performers,tags,path,organized,updated_at,files\r\n1,,,,,,,,,\r\n",
               "column 'code' missing");
    import_bad("id,title,date,studio,performers,tags,path,organized\r\n1,,,,,,,\r\n", "column 'updated_at' missing");
    /* old format rows are checked as strictly */
    import_bad("id,title,date,studio,performers,tags,path,organized,updated_at\r\n46,a,2020-02-40,,,,,false,\r\n",
               "line 2: date '2020-02-40' is not YYYY-MM-DD");
    import_bad("id,title,date,studio,performers,tags,path,organized,updated_at\r\n46,\xc3,,,,,,false,\r\n",
               "line 2: title is not valid UTF-8");
    import_bad("id,title,date,studio,performers,tags,path,organized,updated_at\r\n-46,a,,,,,,false,\r\n",
               "line 2: id '-46'");
    assert_int_equal(sh_test_db_int(&tdb, "SELECT count(*) FROM scenes WHERE id = 44"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_full_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_full_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_summary_keeps_other_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_summary_keeps_other_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_field_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_field_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
