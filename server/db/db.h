/* db.h - SQLite connections, transactions and the one-writer discipline.
 *
 * Threading: an sh_db_env is shared by the whole daemon (path + the writer
 * lock).  Each thread opens its own sh_db connection (RPC workers open
 * read-only ones, job workers read-write ones); a connection is never shared
 * between threads.  The database runs in WAL mode, so readers never wait for
 * the writer and the writer never waits for readers.
 *
 * Writes go through sh_db_write_begin()/sh_db_commit(): it takes the env's
 * writer mutex before BEGIN IMMEDIATE, so our own writers queue in order
 * instead of spinning on SQLITE_BUSY.  Keep write transactions short (one
 * page of scenes, one batch of changes).
 *
 * Statements are prepared once per connection and cached by their SQL text
 * (always a string literal), so hot queries skip the parser.  Only bound
 * parameters carry data: SQL is never built from user input. */
#ifndef SH_DB_H
#define SH_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "sh-error.h"

typedef struct sh_db_env sh_db_env;
typedef struct sh_db sh_db;

/* Open the environment: creates the file if needed and runs migrations. */
sh_status sh_db_env_create(const char *path, sh_db_env **out, sh_error *err);
void sh_db_env_destroy(sh_db_env *env);
const char *sh_db_env_path(const sh_db_env *env);

sh_status sh_db_open(sh_db_env *env, bool read_only, sh_db **out, sh_error *err);
void sh_db_close(sh_db *db);
sqlite3 *sh_db_handle(sh_db *db);
sh_db_env *sh_db_get_env(sh_db *db);

/* Cached prepared statement, reset and with bindings cleared.  Do not finalize it. */
sh_status sh_db_prepare(sh_db *db, const char *sql, sqlite3_stmt **stmt, sh_error *err);
/* Uncached statement for rare or dynamic (but parameterized) SQL; caller finalizes. */
sh_status sh_db_prepare_once(sh_db *db, const char *sql, sqlite3_stmt **stmt, sh_error *err);
/* Run SQL without results or parameters (DDL, pragmas). */
sh_status sh_db_exec(sh_db *db, const char *sql, sh_error *err);

/* Transactions. */
sh_status sh_db_write_begin(sh_db *db, sh_error *err);
sh_status sh_db_read_begin(sh_db *db, sh_error *err); /* a consistent snapshot for several reads */
sh_status sh_db_commit(sh_db *db, sh_error *err);
/* End a read (or any) transaction by outcome: commit when st is SH_OK,
 * roll back otherwise.  Returns st, or the commit's own error. */
sh_status sh_db_finish(sh_db *db, sh_status st, sh_error *err);
void sh_db_rollback(sh_db *db);

/* Convert the last SQLite error of db into an sh_error (and log it). */
sh_status sh_db_fail(sh_db *db, const char *what, sh_error *err);
/* step() that maps errors: SQLITE_ROW -> 1, SQLITE_DONE -> 0, error -> -1 with err set. */
int sh_db_step(sh_db *db, sqlite3_stmt *stmt, sh_error *err);

/* Bind helpers: NULL / empty text binds SQL NULL where noted. */
void sh_db_bind_text(sqlite3_stmt *stmt, int idx, const char *text);      /* NULL -> NULL */
void sh_db_bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *t); /* ""/NULL -> NULL */
void sh_db_bind_id_or_null(sqlite3_stmt *stmt, int idx, int64_t id);      /* 0 -> NULL */
const char *sh_db_column_text(sqlite3_stmt *stmt, int col);               /* NULL-safe */

/* Single-value queries with at most one int64 parameter. */
sh_status sh_db_query_int64(sh_db *db, const char *sql, int64_t *out, sh_error *err);

int sh_db_schema_version(sh_db *db);

#endif
