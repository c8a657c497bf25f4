/* users.h - named tokens with roles (multi-user access).
 *
 * Besides the owner (the daemon's token file, and every local-socket caller),
 * an admin can create named users, each with a role and its own random token.
 * Roles are ordered: viewer < reviewer < admin; each may do everything the
 * roles below it may (see rpc/auth.h for which requests need which role).
 *
 * Only a BLAKE2b-256 hash (crypto_generichash) of a user token is stored; the
 * token itself is returned once, by create and rotate, and never logged.
 * Tokens are 256 random bits, so an unsalted hash cannot be reversed, and
 * lookups compare the hash with every user's in constant time.
 *
 * Functions take the caller's connection (an RPC worker's); they are safe on
 * any thread that owns its connection. */
#ifndef SH_USERS_H
#define SH_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "secrets/token.h"
#include "sh-error.h"

/* Values match the proto's Role enum; UNSET orders below every role. */
typedef enum sh_role {
    SH_ROLE_UNSET = 0,
    SH_ROLE_VIEWER = 1,
    SH_ROLE_REVIEWER = 2,
    SH_ROLE_ADMIN = 3,
} sh_role;

#define SH_USER_NAME_MAX 32      /* characters */
#define SH_USER_OWNER "owner"     /* the owner's name; reserved */

typedef struct sh_user {
    int64_t id;
    char name[SH_USER_NAME_MAX + 1];
    sh_role role;
    int64_t created_at_ms;
    int64_t last_seen_at_ms; /* 0 = never */
} sh_user;

/* "viewer", "reviewer", "admin"; "none" otherwise. */
const char *sh_role_name(sh_role role);
/* Parse a role name (case-insensitive); false when unknown. */
bool sh_role_parse(const char *text, sh_role *out);

/* A user name is 1..32 of [A-Za-z0-9._-], starting with a letter or digit,
 * and not "owner". */
sh_status sh_users_check_name(const char *name, sh_error *err);

/* Add a user; token gets the new token (shown once).  CONFLICT if the name
 * is taken. */
sh_status sh_users_create(sh_db *db, const char *name, sh_role role, char token[SH_TOKEN_LEN + 1],
                          sh_user *out, sh_error *err);
/* NOT_FOUND if there is no such user. */
sh_status sh_users_delete(sh_db *db, const char *name, sh_error *err);
/* Replace the user's token: the old one stops working at once. */
sh_status sh_users_rotate(sh_db *db, const char *name, char token[SH_TOKEN_LEN + 1], sh_user *out,
                          sh_error *err);
sh_status sh_users_set_role(sh_db *db, const char *name, sh_role role, sh_user *out, sh_error *err);
sh_status sh_users_get(sh_db *db, const char *name, sh_user *out, sh_error *err);
/* All users by name; *users is malloc'ed (free() it), NULL when there are none. */
sh_status sh_users_list(sh_db *db, sh_user **users, size_t *n, sh_error *err);

/* The user whose token this is: SH_OK and *out, or SH_ERR_NOT_FOUND. */
sh_status sh_users_authenticate(sh_db *db, const char *token, sh_user *out, sh_error *err);
/* Record an authenticated request; writes at most once a minute per user. */
sh_status sh_users_touch(sh_db *db, const sh_user *user, int64_t now_ms, sh_error *err);

#endif
