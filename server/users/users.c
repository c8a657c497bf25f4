/* users.c - named tokens with roles, stored as hashes.  See users.h. */
#include "users/users.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sh-log.h"
#include "sh-util.h"

#define LOG "users"
#define HASH_LEN crypto_generichash_BYTES /* 32 */
#define TOUCH_EVERY_MS 60000

static const char *const role_names[] = {"none", "viewer", "reviewer", "admin"};

const char *sh_role_name(sh_role role)
{
    return (unsigned)role <= SH_ROLE_ADMIN ? role_names[role] : "none";
}

bool sh_role_parse(const char *text, sh_role *out)
{
    for (int r = SH_ROLE_VIEWER; r <= SH_ROLE_ADMIN; r++) {
        if (text && strcasecmp(text, role_names[r]) == 0) {
            *out = (sh_role)r;
            return true;
        }
    }
    return false;
}

sh_status sh_users_check_name(const char *name, sh_error *err)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > SH_USER_NAME_MAX)
        return sh_error_set(err, SH_ERR_INVALID, "a user name has 1 to %d characters", SH_USER_NAME_MAX);
    if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != len ||
        strchr("._-", name[0]))
        return sh_error_set(err, SH_ERR_INVALID,
                            "user name '%s': use letters, digits, '.', '_' and '-', starting with a letter or digit",
                            name);
    if (strcasecmp(name, SH_USER_OWNER) == 0)
        return sh_error_set(err, SH_ERR_INVALID, "'%s' is reserved for the daemon's own token", SH_USER_OWNER);
    return SH_OK;
}

static sh_status check_role(sh_role role, sh_error *err)
{
    if (role < SH_ROLE_VIEWER || role > SH_ROLE_ADMIN)
        return sh_error_set(err, SH_ERR_INVALID, "unknown role %d (viewer, reviewer or admin)", (int)role);
    return SH_OK;
}

static void hash_token(const char *token, unsigned char out[HASH_LEN])
{
    crypto_generichash(out, HASH_LEN, (const unsigned char *)token, strlen(token), NULL, 0);
}

/* A fresh random token and its hash. */
static sh_status new_token(char token[SH_TOKEN_LEN + 1], unsigned char hash[HASH_LEN], sh_error *err)
{
    if (sodium_init() < 0)
        return sh_error_set(err, SH_ERR_INTERNAL, "libsodium failed to initialise");
    unsigned char raw[SH_TOKEN_LEN / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, SH_TOKEN_LEN + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    hash_token(token, hash);
    return SH_OK;
}

static void read_row(sqlite3_stmt *s, sh_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(s, 0);
    sh_strlcpy(u->name, sh_db_column_text(s, 1), sizeof u->name);
    sh_role_parse(sh_db_column_text(s, 2), &u->role);
    u->created_at_ms = sqlite3_column_int64(s, 3);
    u->last_seen_at_ms = sqlite3_column_int64(s, 4);
}

sh_status sh_users_get(sh_db *db, const char *name, sh_user *out, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, "SELECT id, name, role, created_at, last_seen_at FROM users WHERE name = ?1",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sh_db_bind_text(s, 1, name);
    int rc = sh_db_step(db, s, err);
    if (rc == 1)
        read_row(s, out);
    sqlite3_reset(s);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    return rc == 1 ? SH_OK : sh_error_set(err, SH_ERR_NOT_FOUND, "no user named '%s'", name ? name : "");
}

sh_status sh_users_create(sh_db *db, const char *name, sh_role role, char token[SH_TOKEN_LEN + 1],
                          sh_user *out, sh_error *err)
{
    unsigned char hash[HASH_LEN];
    sqlite3_stmt *s = NULL;
    sh_status st;
    if ((st = sh_users_check_name(name, err)) != SH_OK || (st = check_role(role, err)) != SH_OK ||
        (st = new_token(token, hash, err)) != SH_OK)
        return st;
    if ((st = sh_db_write_begin(db, err)) != SH_OK)
        goto out;
    /* Names are unique ignoring case, so "Alice" cannot shadow "alice" in logs. */
    int64_t taken = 0;
    if ((st = sh_db_prepare(db, "SELECT count(*) FROM users WHERE name = ?1 COLLATE NOCASE", &s, err)) != SH_OK)
        goto rollback;
    sh_db_bind_text(s, 1, name);
    if (sh_db_step(db, s, err) < 0) {
        st = err ? err->code : SH_ERR_DB;
        goto rollback;
    }
    taken = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (taken > 0) {
        st = sh_error_set(err, SH_ERR_CONFLICT, "a user named '%s' already exists", name);
        goto rollback;
    }
    if ((st = sh_db_prepare(db,
                            "INSERT INTO users (name, role, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                            &s, err)) != SH_OK)
        goto rollback;
    sh_db_bind_text(s, 1, name);
    sh_db_bind_text(s, 2, sh_role_name(role));
    sqlite3_bind_blob(s, 3, hash, HASH_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, sh_now_ms());
    int rc = sh_db_step(db, s, err);
    sqlite3_reset(s);
    if (rc < 0) {
        st = err ? err->code : SH_ERR_DB;
        goto rollback;
    }
    if ((st = sh_users_get(db, name, out, err)) != SH_OK)
        goto rollback;
    if ((st = sh_db_commit(db, err)) != SH_OK)
        goto out;
    sh_info(LOG, "added user %s (%s)", name, sh_role_name(role));
    goto out;
rollback:
    sh_db_rollback(db);
out:
    sodium_memzero(hash, sizeof hash);
    if (st != SH_OK)
        sodium_memzero(token, SH_TOKEN_LEN + 1);
    return st;
}

/* Run one single-row UPDATE/DELETE by name; NOT_FOUND when nothing matched. */
static sh_status change_one(sh_db *db, sqlite3_stmt *s, const char *name, sh_error *err)
{
    int rc = sh_db_step(db, s, err);
    sqlite3_reset(s);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    if (sqlite3_changes(sh_db_handle(db)) == 0)
        return sh_error_set(err, SH_ERR_NOT_FOUND, "no user named '%s'", name);
    return SH_OK;
}

sh_status sh_users_delete(sh_db *db, const char *name, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    if ((st = sh_db_prepare(db, "DELETE FROM users WHERE name = ?1", &s, err)) == SH_OK) {
        sh_db_bind_text(s, 1, name);
        st = change_one(db, s, name, err);
    }
    st = sh_db_finish(db, st, err);
    if (st == SH_OK)
        sh_info(LOG, "removed user %s", name);
    return st;
}

sh_status sh_users_rotate(sh_db *db, const char *name, char token[SH_TOKEN_LEN + 1], sh_user *out,
                          sh_error *err)
{
    unsigned char hash[HASH_LEN];
    sqlite3_stmt *s = NULL;
    sh_status st = new_token(token, hash, err);
    if (st != SH_OK)
        return st;
    if ((st = sh_db_write_begin(db, err)) != SH_OK)
        goto out;
    if ((st = sh_db_prepare(db, "UPDATE users SET token_hash = ?2 WHERE name = ?1", &s, err)) == SH_OK) {
        sh_db_bind_text(s, 1, name);
        sqlite3_bind_blob(s, 2, hash, HASH_LEN, SQLITE_TRANSIENT);
        st = change_one(db, s, name, err);
    }
    if (st == SH_OK)
        st = sh_users_get(db, name, out, err);
    st = sh_db_finish(db, st, err);
    if (st == SH_OK)
        sh_info(LOG, "rotated the token of user %s", name);
out:
    sodium_memzero(hash, sizeof hash);
    if (st != SH_OK)
        sodium_memzero(token, SH_TOKEN_LEN + 1);
    return st;
}

sh_status sh_users_set_role(sh_db *db, const char *name, sh_role role, sh_user *out, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = check_role(role, err);
    if (st != SH_OK || (st = sh_db_write_begin(db, err)) != SH_OK)
        return st;
    if ((st = sh_db_prepare(db, "UPDATE users SET role = ?2 WHERE name = ?1", &s, err)) == SH_OK) {
        sh_db_bind_text(s, 1, name);
        sh_db_bind_text(s, 2, sh_role_name(role));
        st = change_one(db, s, name, err);
    }
    if (st == SH_OK)
        st = sh_users_get(db, name, out, err);
    st = sh_db_finish(db, st, err);
    if (st == SH_OK)
        sh_info(LOG, "user %s is now %s", name, sh_role_name(role));
    return st;
}

sh_status sh_users_list(sh_db *db, sh_user **users, size_t *n, sh_error *err)
{
    *users = NULL;
    *n = 0;
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, "SELECT id, name, role, created_at, last_seen_at FROM users ORDER BY name",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sh_user *list = NULL;
    size_t count = 0, cap = 0;
    int rc;
    while ((rc = sh_db_step(db, s, err)) == 1) {
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            sh_user *grown = realloc(list, ncap * sizeof *grown);
            if (!grown) {
                st = sh_error_set(err, SH_ERR_NOMEM, NULL);
                break;
            }
            list = grown;
            cap = ncap;
        }
        read_row(s, &list[count++]);
    }
    sqlite3_reset(s);
    if (rc < 0)
        st = err ? err->code : SH_ERR_DB;
    if (st != SH_OK) {
        free(list);
        return st;
    }
    *users = list;
    *n = count;
    return SH_OK;
}

sh_status sh_users_authenticate(sh_db *db, const char *token, sh_user *out, sh_error *err)
{
    if (sh_str_empty(token))
        return sh_error_set(err, SH_ERR_NOT_FOUND, "no token");
    if (sodium_init() < 0)
        return sh_error_set(err, SH_ERR_INTERNAL, "libsodium failed to initialise");
    unsigned char hash[HASH_LEN];
    hash_token(token, hash);
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db,
                                 "SELECT id, name, role, created_at, last_seen_at, token_hash FROM users",
                                 &s, err);
    if (st != SH_OK)
        return st;
    /* Compare with every row, without an early exit or an index probe, so
     * the time taken says nothing about which hash (if any) was close. */
    bool found = false;
    int rc;
    while ((rc = sh_db_step(db, s, err)) == 1) {
        const void *stored = sqlite3_column_blob(s, 5);
        int len = sqlite3_column_bytes(s, 5);
        bool match = stored && len == HASH_LEN && sodium_memcmp(stored, hash, HASH_LEN) == 0;
        if (match && !found) {
            read_row(s, out);
            found = true;
        }
    }
    sqlite3_reset(s);
    sodium_memzero(hash, sizeof hash);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    return found ? SH_OK : sh_error_set(err, SH_ERR_NOT_FOUND, "unknown token");
}

sh_status sh_users_touch(sh_db *db, const sh_user *user, int64_t now_ms, sh_error *err)
{
    /* A write per request would contend with sync and apply jobs for the
     * writer lock; minute precision is plenty for "last seen". */
    if (user->last_seen_at_ms != 0 && now_ms - user->last_seen_at_ms < TOUCH_EVERY_MS)
        return SH_OK;
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    if ((st = sh_db_prepare(db, "UPDATE users SET last_seen_at = ?2 WHERE id = ?1", &s, err)) == SH_OK) {
        sqlite3_bind_int64(s, 1, user->id);
        sqlite3_bind_int64(s, 2, now_ms);
        if (sh_db_step(db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
        sqlite3_reset(s);
    }
    if (st == SH_OK)
        return sh_db_commit(db, err);
    sh_db_rollback(db);
    return st;
}
