/* migrations.h - the schema, versioned by PRAGMA user_version.
 *
 * Each migration is a list of statements run in one transaction that also
 * bumps user_version, so a crash mid-migration leaves the previous version.
 * Migrations only ever get appended; a released one is never edited. */
#ifndef SH_DB_MIGRATIONS_H
#define SH_DB_MIGRATIONS_H

#include <sqlite3.h>

#include "sh-error.h"

/* Bring the database to the newest version.  Idempotent. */
sh_status sh_db_migrate(sqlite3 *handle, sh_error *err);
int sh_db_latest_version(void);

#endif
