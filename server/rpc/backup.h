/* backup.h - online backup and staged restore of the daemon's database.
 *
 * Backup (sh_rpc_backup): SQLite's online backup API copies the live
 * database in one step under a single read transaction of the worker's
 * read-only connection, so the copy is consistent while syncs write (WAL
 * lets them continue).  The copy is a snapshot file "backup-<hex>.db" in the
 * data dir, switched to rollback-journal mode so it is one self-contained
 * file, checked with PRAGMA integrity_check and hashed (SHA-256) before the
 * client fetches it in chunks (sh_rpc_backup_chunk) and releases it.
 *
 * Restore (sh_rpc_restore_chunk): the client uploads a backup in order into
 * "restore-<hex>.part"; on finish the daemon checks digest, integrity and
 * that it is a StashHog database of a schema version this daemon can open,
 * and renames it to "restore-pending.db".  sh_backup_apply_pending(),
 * called by the daemon at start before the database is opened, moves the
 * current database (with its -wal/-shm) aside as "<db>.pre-restore-<time>"
 * and puts the pending file in its place.  Nothing swaps under a running
 * job or an open connection, and a failed restore never loses the old data.
 *
 * Abuse limits: names are checked against a strict pattern (no paths), at
 * most SH_BACKUP_MAX_FILES snapshots/uploads exist at once, files older
 * than an hour are swept, and uploads are appended strictly in order. */
#ifndef SH_RPC_BACKUP_H
#define SH_RPC_BACKUP_H

#include <stdbool.h>

#include "sh-error.h"

#define SH_BACKUP_CHUNK (1u << 20)
#define SH_BACKUP_MAX_FILES 4
#define SH_BACKUP_MAX_UPLOAD (16LL << 30)
#define SH_BACKUP_PENDING_NAME "restore-pending.db"

/* At daemon start: replace db_path with a staged restore if there is one. */
sh_status sh_backup_apply_pending(const char *data_dir, const char *db_path, bool *applied, sh_error *err);

#endif
