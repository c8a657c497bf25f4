#include "test-db.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sh-util.h"

void sh_test_db_open(sh_test_db *t)
{
    memset(t, 0, sizeof *t);
    const char *scratch = getenv("STASHHOG_TEST_SCRATCH");
    bool use_scratch = scratch && *scratch;
    if (use_scratch) /* ctest names the dir; it may not exist yet */
        assert_int_equal(sh_mkdir_p(scratch, 0700, NULL), SH_OK);
    snprintf(t->dir, sizeof t->dir, "%s/sh-db-XXXXXX", use_scratch ? scratch : "/tmp");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/test.db", t->dir);
    sh_error err = {0};
    if (sh_db_env_create(t->path, &t->env, &err) != SH_OK || sh_db_open(t->env, false, &t->db, &err) != SH_OK)
        fail_msg("test database: %s", err.message);
}

void sh_test_db_exec(sh_test_db *t, const char *sql)
{
    sh_error err = {0};
    if (sh_db_exec(t->db, sql, &err) != SH_OK)
        fail_msg("%s: %s", sql, err.message);
}

int64_t sh_test_db_int(sh_test_db *t, const char *sql)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(sh_db_handle(t->db), sql, -1, &s, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return v;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void sh_test_db_close(sh_test_db *t)
{
    sh_db_close(t->db);
    sh_db_env_destroy(t->env);
    if (t->dir[0])
        assert_int_equal(nftw(t->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
    memset(t, 0, sizeof *t);
}
