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

/* v3 (advanced filters): saved filters by name.  The filter is kept as the
 * SceneFilter message's protobuf bytes, so it survives proto additions. */
static const char *const schema_v3[] = {
    "CREATE TABLE saved_filters ("
    "  name TEXT PRIMARY KEY,"
    "  filter BLOB NOT NULL,"
    "  expression TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL) WITHOUT ROWID",
};

/* v4 (webhooks): webhook targets and their delivery log.  A delivery row is
 * written before the first attempt, so pending ones survive a restart; the
 * body is stored because the signature covers exactly those bytes. */
static const char *const schema_v4[] = {
    "CREATE TABLE webhooks ("
    "  id INTEGER PRIMARY KEY,"
    "  url TEXT NOT NULL,"
    "  events TEXT NOT NULL,"            /* comma-separated names, or "*" */
    "  secret_sealed BLOB NOT NULL,"     /* sh_secrets_seal output */
    "  enabled INTEGER NOT NULL DEFAULT 1,"
    "  description TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL)",
    "CREATE TABLE webhook_deliveries ("
    "  id INTEGER PRIMARY KEY,"
    "  webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,"
    "  event TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  http_status INTEGER NOT NULL DEFAULT 0,"
    "  error TEXT,"
    "  created_at INTEGER NOT NULL,"     /* event time (ms) */
    "  next_attempt_at INTEGER NOT NULL,"
    "  last_attempt_at INTEGER,"
    "  delivered_at INTEGER)",
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at)",
    "CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id)",
};

/* v5 (multi-user roles): named tokens with roles.  Only a BLAKE2b hash of
 * each token is kept (users/users.h); the owner's token stays in its file.
 * Plans record who created, applied and rolled them back. */
static const char *const schema_v5[] = {
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL CHECK (role IN ('viewer','reviewer','admin')),"
    "  token_hash BLOB NOT NULL,"       /* crypto_generichash (32 bytes) of the token */
    "  created_at INTEGER NOT NULL,"    /* ms */
    "  last_seen_at INTEGER)",
    "ALTER TABLE plans ADD COLUMN created_by TEXT",
    "ALTER TABLE plans ADD COLUMN rolled_back_by TEXT",
    "ALTER TABLE plan_changes ADD COLUMN applied_by TEXT",
};

/* v6 (exact rollback): the studios, performers and tags an apply created
 * in Stash, so rollback can destroy the ones nothing uses any more.  A row
 * is written before the create request (state 'creating', no stash_id) and
 * completed after it, so a crash in between neither loses the entity nor
 * counts it twice; rollback moves it to 'deleting' before the destroy
 * request, then to 'deleted' or 'kept' (with the reason). */
static const char *const schema_v6[] = {
    "CREATE TABLE plan_entities ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('studio','performer','tag')),"
    "  name TEXT NOT NULL,"
    "  stash_id INTEGER,"
    "  stash_updated_at TEXT,"          /* Stash's updated_at right after the create */
    "  state TEXT NOT NULL DEFAULT 'creating' CHECK (state IN ('creating','created','deleting',"
    "    'deleted','kept')),"
    "  reason TEXT,"                    /* why rollback kept it */
    "  created_at INTEGER NOT NULL,"    /* ms */
    "  resolved_at INTEGER,"            /* ms, rollback's decision */
    "  UNIQUE (plan_id, kind, name COLLATE NOCASE))",
};

/* v7 (browsing at 100k): the studio index also carries organized.  Its
 * order is unchanged ((studio_id, id) is already unique), so studio pages
 * still stop after the page; studio + organized filters (with tags probed
 * by primary key) are now answered without reading wide scene rows.
 * Replaces scenes_studio, so writes maintain no extra index. */
static const char *const schema_v7[] = {
    "DROP INDEX scenes_studio",
    "CREATE INDEX scenes_studio_organized ON scenes(studio_id, id, organized)",
};

static const struct migration migrations[] = {
    {schema_v1, sizeof schema_v1 / sizeof schema_v1[0]},
    {schema_v2, sizeof schema_v2 / sizeof schema_v2[0]},
    {schema_v3, sizeof schema_v3 / sizeof schema_v3[0]},
    {schema_v4, sizeof schema_v4 / sizeof schema_v4[0]},
    {schema_v5, sizeof schema_v5 / sizeof schema_v5[0]},
    {schema_v6, sizeof schema_v6 / sizeof schema_v6[0]},
    {schema_v7, sizeof schema_v7 / sizeof schema_v7[0]},
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
