/* backup.c - Backup, BackupChunk and RestoreChunk handlers, and applying a
 * staged restore at start.  Design: see backup.h. */
#include "rpc/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db/migrations.h"
#include "rpc/handlers.h"
#include "sh-log.h"
#include "sh-util.h"

#define LOG "backup"
#define NAME_HEX 32
#define STALE_S 3600

/* "<prefix><32 hex><suffix>" and nothing else: no paths, no dots. */
static bool valid_name(const char *name, const char *prefix, const char *suffix)
{
    size_t pl = strlen(prefix), sl = strlen(suffix);
    if (!name || strlen(name) != pl + NAME_HEX + sl || strncmp(name, prefix, pl) != 0 ||
        strcmp(name + pl + NAME_HEX, suffix) != 0)
        return false;
    for (size_t i = pl; i < pl + NAME_HEX; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
            return false;
    return true;
}

static void new_name(char *out, size_t len, const char *prefix, const char *suffix)
{
    unsigned char raw[NAME_HEX / 2];
    char hex[NAME_HEX + 1];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    snprintf(out, len, "%s%s%s", prefix, hex, suffix);
}

/* Delete snapshots and uploads nobody finished within the hour; return how many remain. */
static int sweep(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int remaining = 0;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!valid_name(e->d_name, "backup-", ".db") && !valid_name(e->d_name, "restore-", ".part"))
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (now - st.st_mtime > STALE_S) {
            unlinkat(dirfd(d), e->d_name, 0);
            sh_info(LOG, "removed stale %s", e->d_name);
        } else {
            remaining++;
        }
    }
    closedir(d);
    return remaining;
}

static sh_status sha256_file(const char *path, char hex[2 * crypto_hash_sha256_BYTES + 1], int64_t *size,
                             sh_error *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return sh_error_set(err, SH_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    unsigned char buf[65536];
    int64_t total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        crypto_hash_sha256_update(&state, buf, (unsigned long long)n);
        total += n;
    }
    int saved = errno;
    close(fd);
    if (n < 0)
        return sh_error_set(err, SH_ERR_IO, "cannot read %s: %s", path, strerror(saved));
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state, digest);
    sodium_bin2hex(hex, 2 * crypto_hash_sha256_BYTES + 1, digest, sizeof digest);
    if (size)
        *size = total;
    return SH_OK;
}

/* integrity_check, and that it is a StashHog database we can open. */
static sh_status check_database(sqlite3 *h, const char *what, int *schema_version, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = SH_OK;
    if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
        return sh_error_set(err, SH_ERR_INVALID, "%s is not a readable SQLite database: %s", what, sqlite3_errmsg(h));
    int rc = sqlite3_step(s);
    const char *res = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
    if (!res || strcmp(res, "ok") != 0)
        st = sh_error_set(err, SH_ERR_INVALID, "%s failed the integrity check: %s", what,
                          res ? res : sqlite3_errmsg(h));
    sqlite3_finalize(s);
    if (st != SH_OK)
        return st;
    int version = -1, tables = 0;
    if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (sqlite3_prepare_v2(h,
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                           "name IN ('scenes', 'settings', 'jobs')",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        tables = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (tables != 3 || version < 1)
        return sh_error_set(err, SH_ERR_INVALID, "%s is not a StashHog database", what);
    if (version > sh_db_latest_version())
        return sh_error_set(err, SH_ERR_INVALID,
                            "%s has schema version %d; this daemon knows up to %d (upgrade stashhogd first)", what,
                            version, sh_db_latest_version());
    if (schema_version)
        *schema_version = version;
    return SH_OK;
}

sh_status sh_rpc_backup(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    const char *dir = svc->cfg->data_dir;
    if (sweep(dir) >= SH_BACKUP_MAX_FILES)
        return sh_error_set(err, SH_ERR_RATE_LIMITED,
                            "%d backups or restores are already in progress; try again later", SH_BACKUP_MAX_FILES);
    char name[64], path[SH_PATH_MAX + 64];
    new_name(name, sizeof name, "backup-", ".db");
    snprintf(path, sizeof path, "%s/%s", dir, name);
    sqlite3 *dst = NULL;
    sqlite3_backup *b = NULL;
    sh_status st = SH_OK;
    int64_t t0 = sh_monotonic_ms();
    int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE, NULL);
    if (rc != SQLITE_OK) {
        st = sh_error_set(err, SH_ERR_IO, "cannot create snapshot: %s", dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        goto out;
    }
    /* One step of all pages: a single read transaction on the source, so the
     * copy is one consistent state even while a sync commits pages. */
    if (!(b = sqlite3_backup_init(dst, "main", sh_db_handle(w->ro), "main"))) {
        st = sh_error_set(err, SH_ERR_DB, "backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        st = sh_error_set(err, SH_ERR_DB, "backup: %s", sqlite3_errstr(rc));
        goto out;
    }
    /* A standalone file: no -wal companion to lose on the way. */
    if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        st = sh_error_set(err, SH_ERR_DB, "backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    int version = 0;
    if ((st = check_database(dst, "the snapshot", &version, err)) != SH_OK)
        goto out;
    sqlite3_close(dst);
    dst = NULL;
    Stashhog__BackupReply *r = SH_ARENA_NEW(call->arena, Stashhog__BackupReply);
    char *hex = sh_arena_alloc(call->arena, 2 * crypto_hash_sha256_BYTES + 1);
    if (!r || !hex) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    stashhog__backup_reply__init(r);
    if ((st = sha256_file(path, hex, &r->size, err)) != SH_OK)
        goto out;
    r->snapshot = sh_arena_strdup(call->arena, name);
    r->sha256 = hex;
    r->has_schema_version = 1;
    r->schema_version = version;
    if (!r->snapshot) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    call->reply->body_case = STASHHOG__REPLY__BODY_BACKUP;
    call->reply->backup = r;
    sh_info(LOG, "snapshot %s: %lld bytes in %lld ms for %s", name, (long long)r->size,
            (long long)(sh_monotonic_ms() - t0), call->peer);
out:
    if (dst)
        sqlite3_close(dst);
    if (st != SH_OK)
        unlink(path);
    return st;
}

sh_status sh_rpc_backup_chunk(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)w;
    const Stashhog__BackupChunkRequest *req = call->request->backup_chunk;
    if (!valid_name(req->snapshot, "backup-", ".db"))
        return sh_error_set(err, SH_ERR_INVALID, "not a snapshot name");
    char path[SH_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", svc->cfg->data_dir, req->snapshot);
    Stashhog__BackupChunkReply *r = SH_ARENA_NEW(call->arena, Stashhog__BackupChunkReply);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__backup_chunk_reply__init(r);
    r->has_eof = 1;
    if (req->has_release && req->release) {
        if (unlink(path) != 0 && errno != ENOENT)
            return sh_error_set(err, SH_ERR_IO, "cannot remove snapshot: %s", strerror(errno));
        r->eof = 1;
        call->reply->body_case = STASHHOG__REPLY__BODY_BACKUP_CHUNK;
        call->reply->backup_chunk = r;
        return SH_OK;
    }
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return sh_error_set(err, errno == ENOENT ? SH_ERR_NOT_FOUND : SH_ERR_IO, "snapshot %s: %s", req->snapshot,
                            errno == ENOENT ? "no such snapshot (expired or released?)" : strerror(errno));
    sh_status st = SH_OK;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = sh_error_set(err, SH_ERR_IO, "snapshot: %s", strerror(errno));
        goto out;
    }
    if (req->offset < 0 || req->offset > sb.st_size) {
        st = sh_error_set(err, SH_ERR_INVALID, "offset %lld is outside the snapshot (%lld bytes)",
                          (long long)req->offset, (long long)sb.st_size);
        goto out;
    }
    size_t want = req->has_length && req->length > 0 && (unsigned)req->length < SH_BACKUP_CHUNK ? (size_t)req->length
                                                                                               : SH_BACKUP_CHUNK;
    if ((int64_t)want > sb.st_size - req->offset)
        want = (size_t)(sb.st_size - req->offset);
    r->data.data = sh_arena_alloc(call->arena, want ? want : 1);
    if (!r->data.data) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t n = pread(fd, r->data.data + got, want - got, (off_t)(req->offset + (int64_t)got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            st = sh_error_set(err, SH_ERR_IO, "reading snapshot: %s", n < 0 ? strerror(errno) : "short file");
            goto out;
        }
        got += (size_t)n;
    }
    r->data.len = got;
    r->eof = req->offset + (int64_t)got >= sb.st_size;
    call->reply->body_case = STASHHOG__REPLY__BODY_BACKUP_CHUNK;
    call->reply->backup_chunk = r;
out:
    close(fd);
    return st;
}

/* Check a finished upload and stage it as the pending restore. */
static sh_status stage_upload(const char *dir, const char *path, const char *want_sha, sh_error *err)
{
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    int64_t size = 0;
    sh_status st = sha256_file(path, hex, &size, err);
    if (st != SH_OK)
        return st;
    if (sh_str_empty(want_sha) || sodium_memcmp(hex, want_sha, sizeof hex - 1) != 0 || strlen(want_sha) != sizeof hex - 1)
        return sh_error_set(err, SH_ERR_INVALID, "upload is corrupt: SHA-256 does not match");
    sqlite3 *h = NULL;
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        st = sh_error_set(err, SH_ERR_INVALID, "upload is not an SQLite database: %s", h ? sqlite3_errmsg(h) : "?");
        sqlite3_close(h);
        return st;
    }
    st = check_database(h, "the uploaded backup", NULL, err);
    sqlite3_close(h);
    if (st != SH_OK)
        return st;
    char pending[SH_PATH_MAX + 64];
    snprintf(pending, sizeof pending, "%s/%s", dir, SH_BACKUP_PENDING_NAME);
    if (rename(path, pending) != 0)
        return sh_error_set(err, SH_ERR_IO, "cannot stage the restore: %s", strerror(errno));
    return SH_OK;
}

sh_status sh_rpc_restore_chunk(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)w;
    const Stashhog__RestoreChunkRequest *req = call->request->restore_chunk;
    const char *dir = svc->cfg->data_dir;
    char name[64], path[SH_PATH_MAX + 64];
    int fd = -1;
    sh_status st = SH_OK;
    bool remove_on_error = false;
    if (req->has_data && req->data.len > SH_BACKUP_CHUNK)
        return sh_error_set(err, SH_ERR_TOO_LARGE, "restore chunks are at most %u bytes", SH_BACKUP_CHUNK);
    if (sh_str_empty(req->upload)) {
        if (req->offset != 0)
            return sh_error_set(err, SH_ERR_INVALID, "a new upload starts at offset 0");
        if (sweep(dir) >= SH_BACKUP_MAX_FILES)
            return sh_error_set(err, SH_ERR_RATE_LIMITED,
                                "%d backups or restores are already in progress; try again later", SH_BACKUP_MAX_FILES);
        new_name(name, sizeof name, "restore-", ".part");
        snprintf(path, sizeof path, "%s/%s", dir, name);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        sh_info(LOG, "restore upload %s started by %s", name, call->peer);
    } else {
        if (!valid_name(req->upload, "restore-", ".part"))
            return sh_error_set(err, SH_ERR_INVALID, "not an upload name");
        sh_strlcpy(name, req->upload, sizeof name);
        snprintf(path, sizeof path, "%s/%s", dir, name);
        fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0)
        return sh_error_set(err, errno == ENOENT ? SH_ERR_NOT_FOUND : SH_ERR_IO, "upload %s: %s", name,
                            errno == ENOENT ? "no such upload (expired?)" : strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = sh_error_set(err, SH_ERR_IO, "upload: %s", strerror(errno));
        goto out;
    }
    /* Strictly in order: no holes, no overwrites, no replays. */
    if (req->offset != sb.st_size) {
        st = sh_error_set(err, SH_ERR_INVALID, "upload %s is at byte %lld, chunk starts at %lld", name,
                          (long long)sb.st_size, (long long)req->offset);
        goto out;
    }
    size_t len = req->has_data ? req->data.len : 0;
    if (sb.st_size + (int64_t)len > SH_BACKUP_MAX_UPLOAD) {
        st = sh_error_set(err, SH_ERR_TOO_LARGE, "upload exceeds %lld bytes", (long long)SH_BACKUP_MAX_UPLOAD);
        remove_on_error = true;
        goto out;
    }
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, req->data.data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            st = sh_error_set(err, SH_ERR_IO, "writing upload: %s", n < 0 ? strerror(errno) : "short write");
            remove_on_error = true;
            goto out;
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0) {
        st = sh_error_set(err, SH_ERR_IO, "writing upload: %s", strerror(errno));
        remove_on_error = true;
        goto out;
    }
    close(fd);
    fd = -1;
    Stashhog__RestoreReply *r = SH_ARENA_NEW(call->arena, Stashhog__RestoreReply);
    if (!r) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    stashhog__restore_reply__init(r);
    if (!(r->upload = sh_arena_strdup(call->arena, name))) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    r->has_received = 1;
    r->received = sb.st_size + (int64_t)len;
    if (req->has_finish && req->finish) {
        remove_on_error = true;
        if ((st = stage_upload(dir, path, req->sha256, err)) != SH_OK)
            goto out;
        r->has_staged = r->staged = 1;
        r->message = "backup verified and staged; it replaces the database when stashhogd next starts "
                     "(the current database is kept as <db>.pre-restore-<time>)";
        sh_info(LOG, "restore %s staged (%lld bytes) by %s", name, (long long)r->received, call->peer);
    }
    call->reply->body_case = STASHHOG__REPLY__BODY_RESTORE;
    call->reply->restore = r;
out:
    if (fd >= 0)
        close(fd);
    if (st != SH_OK && remove_on_error)
        unlink(path);
    return st;
}

static bool exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

sh_status sh_backup_apply_pending(const char *data_dir, const char *db_path, bool *applied, sh_error *err)
{
    char pending[SH_PATH_MAX + 64], aside[SH_PATH_MAX + 64], from[SH_PATH_MAX + 8], to[SH_PATH_MAX + 72];
    if (applied)
        *applied = false;
    snprintf(pending, sizeof pending, "%s/%s", data_dir, SH_BACKUP_PENDING_NAME);
    if (!exists(pending))
        return SH_OK;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(aside, sizeof aside, "%s.pre-restore-%s", db_path, stamp);
    if (exists(db_path)) {
        if (rename(db_path, aside) != 0)
            return sh_error_set(err, SH_ERR_IO, "restore: cannot move %s aside: %s", db_path, strerror(errno));
        /* The WAL and index belong to the old file: keep them with it, or
         * SQLite would replay old pages into the restored database. */
        static const char *const companions[] = {"-wal", "-shm"};
        for (size_t i = 0; i < 2; i++) {
            snprintf(from, sizeof from, "%s%s", db_path, companions[i]);
            snprintf(to, sizeof to, "%s%s", aside, companions[i]);
            if (exists(from) && rename(from, to) != 0)
                return sh_error_set(err, SH_ERR_IO, "restore: cannot move %s aside: %s", from, strerror(errno));
        }
    }
    if (rename(pending, db_path) != 0)
        return sh_error_set(err, SH_ERR_IO, "restore: cannot install %s: %s", pending, strerror(errno));
    sh_info(LOG, "restored the database from a staged backup; the previous one is %s", aside);
    if (applied)
        *applied = true;
    return SH_OK;
}
