/* Migrations: fresh database reaches the latest version with every table,
 * running again is a no-op, a newer schema is refused, WAL is on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"
#include "db/migrations.h"

static char dir[64], path[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/sh-db-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/test.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[160];
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
    rmdir(dir);
    return 0;
}

static void test_fresh_and_idempotent(void **state)
{
    (void)state;
    sh_db_env *env = NULL;
    sh_error err = {0};
    assert_int_equal(sh_db_env_create(path, &env, &err), SH_OK);
    sh_db *db = NULL;
    assert_int_equal(sh_db_open(env, false, &db, &err), SH_OK);
    assert_int_equal(sh_db_schema_version(db), sh_db_latest_version());
    static const char *const tables[] = {"scenes", "performers", "studios", "tags", "performer_aliases",
                                         "studio_aliases", "tag_aliases", "scene_performers", "scene_tags",
                                         "scene_files", "scene_urls", "scene_fts", "plans", "plan_changes",
                                         "plan_preimages", "jobs", "schedules", "settings", "sync_runs",
                                         "sync_state", "llm_cache"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(sh_db_prepare(db, "SELECT count(*) FROM sqlite_master WHERE name = ?1", &st, &err), SH_OK);
        sqlite3_bind_text(st, 1, tables[i], -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 1);
    }
    int64_t mode_is_wal = 0;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sh_db_prepare(db, "PRAGMA journal_mode", &st, &err), SH_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    mode_is_wal = strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    assert_true(mode_is_wal);
    /* Write something, then migrate again: data and version unchanged. */
    assert_int_equal(sh_db_write_begin(db, &err), SH_OK);
    assert_int_equal(sh_db_exec(db, "INSERT INTO tags(id, name, synced_at) VALUES (1, 'x', 0)", &err), SH_OK);
    assert_int_equal(sh_db_commit(db, &err), SH_OK);
    assert_int_equal(sh_db_migrate(sh_db_handle(db), &err), SH_OK);
    sh_db_close(db);
    sh_db_env_destroy(env);
    assert_int_equal(sh_db_env_create(path, &env, &err), SH_OK);
    assert_int_equal(sh_db_open(env, true, &db, &err), SH_OK);
    int64_t n = 0;
    assert_int_equal(sh_db_query_int64(db, "SELECT count(*) FROM tags", &n, &err), SH_OK);
    assert_int_equal(n, 1);
    /* A read-only connection refuses write transactions. */
    assert_int_equal(sh_db_write_begin(db, &err), SH_ERR_INTERNAL);
    sh_db_close(db);
    sh_db_env_destroy(env);
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    sh_db_env *env = NULL;
    sh_error err = {0};
    assert_int_equal(sh_db_env_create(path, &env, &err), SH_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "newer"));
    assert_null(env);
}

static void test_failed_migration_rolls_back(void **state)
{
    (void)state;
    /* A table in the way makes migration 1 fail: nothing of it may remain. */
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "CREATE TABLE jobs(x)", NULL, NULL, NULL), SQLITE_OK);
    sh_error err = {0};
    assert_int_equal(sh_db_migrate(h, &err), SH_ERR_DB);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master WHERE name = 'scenes'", -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL);
    sqlite3_step(st);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh_and_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_migration_rolls_back, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
