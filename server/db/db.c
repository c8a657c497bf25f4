#include "db/db.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sh-log.h"
#include "sh-util.h"

#include "db/migrations.h"

#define LOG "db"
#define STMT_CACHE_SIZE 128
#define BUSY_TIMEOUT_MS 10000

struct sh_db_env {
    char *path;
    pthread_mutex_t write_lock;
};

struct cached_stmt {
    const char *sql; /* pointer identity: SQL is always a literal */
    sqlite3_stmt *stmt;
};

struct sh_db {
    sh_db_env *env;
    sqlite3 *handle;
    bool read_only;
    bool in_write;
    struct cached_stmt cache[STMT_CACHE_SIZE];
};

static sh_status configure(sqlite3 *h, bool read_only, sh_error *err)
{
    static const char *const pragmas[] = {
        "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = NORMAL", /* safe with WAL: a crash loses at most the last commit */
        "PRAGMA temp_store = MEMORY",
        /* Several connections per process (RPC workers, job workers): keep each
         * page cache modest and read through the OS cache rather than mmap, so
         * the daemon's RSS stays small on a NAS. */
        "PRAGMA cache_size = -8192",
        "PRAGMA mmap_size = 0",
    };
    sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
    for (size_t i = 0; i < sizeof pragmas / sizeof pragmas[0]; i++) {
        if (sqlite3_exec(h, pragmas[i], NULL, NULL, NULL) != SQLITE_OK)
            return sh_error_set(err, SH_ERR_DB, "%s: %s", pragmas[i], sqlite3_errmsg(h));
    }
    if (!read_only && sqlite3_exec(h, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK)
        return sh_error_set(err, SH_ERR_DB, "cannot enable WAL: %s", sqlite3_errmsg(h));
    return SH_OK;
}

sh_status sh_db_env_create(const char *path, sh_db_env **out, sh_error *err)
{
    *out = NULL;
    sh_db_env *env = calloc(1, sizeof *env);
    if (!env || !(env->path = strdup(path))) {
        free(env);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    pthread_mutex_init(&env->write_lock, NULL);
    sqlite3 *h = NULL;
    sh_status st = SH_OK;
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        st = sh_error_set(err, SH_ERR_DB, "cannot open %s: %s", path,
                          h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        goto out;
    }
    if ((st = configure(h, false, err)) != SH_OK)
        goto out;
    if ((st = sh_db_migrate(h, err)) != SH_OK)
        goto out;
out:
    sqlite3_close(h);
    if (st != SH_OK) {
        sh_db_env_destroy(env);
        return st;
    }
    *out = env;
    return SH_OK;
}

void sh_db_env_destroy(sh_db_env *env)
{
    if (!env)
        return;
    pthread_mutex_destroy(&env->write_lock);
    free(env->path);
    free(env);
}

const char *sh_db_env_path(const sh_db_env *env)
{
    return env->path;
}

sh_status sh_db_open(sh_db_env *env, bool read_only, sh_db **out, sh_error *err)
{
    *out = NULL;
    sh_db *db = calloc(1, sizeof *db);
    if (!db)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    db->env = env;
    db->read_only = read_only;
    int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(env->path, &db->handle, flags, NULL);
    sh_status st = SH_OK;
    if (rc != SQLITE_OK) {
        st = sh_error_set(err, SH_ERR_DB, "cannot open %s: %s", env->path,
                          db->handle ? sqlite3_errmsg(db->handle) : sqlite3_errstr(rc));
    } else {
        st = configure(db->handle, read_only, err);
    }
    if (st != SH_OK) {
        sh_db_close(db);
        return st;
    }
    *out = db;
    return SH_OK;
}

void sh_db_close(sh_db *db)
{
    if (!db)
        return;
    for (int i = 0; i < STMT_CACHE_SIZE; i++)
        sqlite3_finalize(db->cache[i].stmt);
    if (db->in_write) {
        sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
        pthread_mutex_unlock(&db->env->write_lock);
    }
    sqlite3_close(db->handle);
    free(db);
}

sqlite3 *sh_db_handle(sh_db *db)
{
    return db->handle;
}

sh_db_env *sh_db_get_env(sh_db *db)
{
    return db->env;
}

sh_status sh_db_fail(sh_db *db, const char *what, sh_error *err)
{
    const char *msg = sqlite3_errmsg(db->handle);
    int code = sqlite3_extended_errcode(db->handle);
    sh_warn(LOG, "%s: %s (%d)", what, msg, code);
    sh_status st = SH_ERR_DB;
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
        st = SH_ERR_BUSY;
    else if ((code & 0xff) == SQLITE_CONSTRAINT)
        st = SH_ERR_CONFLICT;
    else if ((code & 0xff) == SQLITE_NOMEM)
        st = SH_ERR_NOMEM;
    return sh_error_set(err, st, "%s: %s", what, msg);
}

static size_t hash_ptr(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    v ^= v >> 17;
    v *= 0x9E3779B97F4A7C15ull;
    return (size_t)(v >> 7);
}

sh_status sh_db_prepare(sh_db *db, const char *sql, sqlite3_stmt **stmt, sh_error *err)
{
    size_t h = hash_ptr(sql);
    for (size_t probe = 0; probe < 8; probe++) {
        struct cached_stmt *c = &db->cache[(h + probe) % STMT_CACHE_SIZE];
        if (c->sql == sql && c->stmt) {
            sqlite3_reset(c->stmt);
            sqlite3_clear_bindings(c->stmt);
            *stmt = c->stmt;
            return SH_OK;
        }
        if (!c->stmt) {
            if (sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->stmt, NULL) !=
                SQLITE_OK)
                return sh_db_fail(db, "prepare", err);
            c->sql = sql;
            *stmt = c->stmt;
            return SH_OK;
        }
    }
    /* Cache neighbourhood full: evict the home slot. */
    struct cached_stmt *c = &db->cache[h % STMT_CACHE_SIZE];
    sqlite3_finalize(c->stmt);
    c->stmt = NULL;
    if (sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->stmt, NULL) != SQLITE_OK)
        return sh_db_fail(db, "prepare", err);
    c->sql = sql;
    *stmt = c->stmt;
    return SH_OK;
}

sh_status sh_db_prepare_once(sh_db *db, const char *sql, sqlite3_stmt **stmt, sh_error *err)
{
    if (sqlite3_prepare_v2(db->handle, sql, -1, stmt, NULL) != SQLITE_OK)
        return sh_db_fail(db, "prepare", err);
    return SH_OK;
}

sh_status sh_db_exec(sh_db *db, const char *sql, sh_error *err)
{
    if (sqlite3_exec(db->handle, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sh_db_fail(db, sql, err);
    return SH_OK;
}

sh_status sh_db_write_begin(sh_db *db, sh_error *err)
{
    if (db->read_only)
        return sh_error_set(err, SH_ERR_INTERNAL, "write transaction on a read-only connection");
    if (db->in_write)
        return sh_error_set(err, SH_ERR_INTERNAL, "nested write transaction");
    pthread_mutex_lock(&db->env->write_lock);
    if (sqlite3_exec(db->handle, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        pthread_mutex_unlock(&db->env->write_lock);
        return sh_db_fail(db, "BEGIN IMMEDIATE", err);
    }
    db->in_write = true;
    return SH_OK;
}

sh_status sh_db_read_begin(sh_db *db, sh_error *err)
{
    return sh_db_exec(db, "BEGIN DEFERRED", err);
}

/* A cached statement left mid-result would make COMMIT fail: finish them all. */
static void reset_busy_statements(sh_db *db)
{
    for (int i = 0; i < STMT_CACHE_SIZE; i++)
        if (db->cache[i].stmt && sqlite3_stmt_busy(db->cache[i].stmt))
            sqlite3_reset(db->cache[i].stmt);
}

sh_status sh_db_commit(sh_db *db, sh_error *err)
{
    sh_status st = SH_OK;
    reset_busy_statements(db);
    if (sqlite3_exec(db->handle, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        st = sh_db_fail(db, "COMMIT", err);
        sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
    }
    if (db->in_write) {
        db->in_write = false;
        pthread_mutex_unlock(&db->env->write_lock);
    }
    return st;
}

sh_status sh_db_finish(sh_db *db, sh_status st, sh_error *err)
{
    if (st == SH_OK)
        return sh_db_commit(db, err);
    sh_db_rollback(db);
    return st;
}

void sh_db_rollback(sh_db *db)
{
    reset_busy_statements(db);
    if (!sqlite3_get_autocommit(db->handle))
        sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
    if (db->in_write) {
        db->in_write = false;
        pthread_mutex_unlock(&db->env->write_lock);
    }
}

int sh_db_step(sh_db *db, sqlite3_stmt *stmt, sh_error *err)
{
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    sh_db_fail(db, "query", err);
    return -1;
}

void sh_db_bind_text(sqlite3_stmt *stmt, int idx, const char *text)
{
    if (text)
        sqlite3_bind_text(stmt, idx, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(stmt, idx);
}

void sh_db_bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *text)
{
    sh_db_bind_text(stmt, idx, sh_str_empty(text) ? NULL : text);
}

void sh_db_bind_id_or_null(sqlite3_stmt *stmt, int idx, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(stmt, idx, id);
    else
        sqlite3_bind_null(stmt, idx);
}

const char *sh_db_column_text(sqlite3_stmt *stmt, int col)
{
    return (const char *)sqlite3_column_text(stmt, col);
}

sh_status sh_db_query_int64(sh_db *db, const char *sql, int64_t *out, sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, sql, &stmt, err);
    if (st != SH_OK)
        return st;
    int rc = sh_db_step(db, stmt, err);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    *out = rc == 1 ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_reset(stmt);
    return SH_OK;
}

int sh_db_schema_version(sh_db *db)
{
    int64_t v = -1;
    if (sh_db_query_int64(db, "PRAGMA user_version", &v, NULL) != SH_OK)
        return -1;
    return (int)v;
}
