#include "db/migrations.h"

#include <stdio.h>

#include "sh-log.h"

#include "db/schema-v1.sql.h"

#define LOG "db"

struct migration {
    const char *const *statements;
    size_t count;
};

/* v2 (browsing): a narrow index ordered by id, so id-sorted pages and deep
 * offsets walk ~10 bytes per scene instead of whole scene rows. */
static const char *const schema_v2[] = {
    "CREATE INDEX scenes_ids ON scenes(id)",
};

static const struct migration migrations[] = {
    {schema_v1, sizeof schema_v1 / sizeof schema_v1[0]},
    {schema_v2, sizeof schema_v2 / sizeof schema_v2[0]},
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int sh_db_latest_version(void)
{
    return N_MIGRATIONS;
}

static sh_status exec(sqlite3 *h, const char *sql, sh_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        sh_status st = sh_error_set(err, SH_ERR_DB, "migration failed: %s (in: %.80s)",
                                    msg ? msg : sqlite3_errmsg(h), sql);
        sqlite3_free(msg);
        return st;
    }
    return SH_OK;
}

static int user_version(sqlite3 *h)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

sh_status sh_db_migrate(sqlite3 *h, sh_error *err)
{
    int version = user_version(h);
    if (version < 0)
        return sh_error_set(err, SH_ERR_DB, "cannot read schema version: %s", sqlite3_errmsg(h));
    if (version > N_MIGRATIONS)
        return sh_error_set(err, SH_ERR_UNSUPPORTED,
                            "database schema version %d is newer than this stashhogd (%d)", version,
                            N_MIGRATIONS);
    for (int v = version; v < N_MIGRATIONS; v++) {
        sh_status st = exec(h, "BEGIN IMMEDIATE", err);
        if (st != SH_OK)
            return st;
        /* Another process may have migrated while we waited for the lock. */
        if (user_version(h) > v) {
            exec(h, "COMMIT", NULL);
            continue;
        }
        const struct migration *m = &migrations[v];
        for (size_t i = 0; i < m->count && st == SH_OK; i++)
            st = exec(h, m->statements[i], err);
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
        if (st == SH_OK)
            st = exec(h, bump, err);
        if (st == SH_OK)
            st = exec(h, "COMMIT", err);
        if (st != SH_OK) {
            sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
            return st;
        }
        sh_info(LOG, "migrated database to schema version %d", v + 1);
    }
    return SH_OK;
}
