/* auth.h - who may call the daemon, what they may do, and how fast
 * strangers may guess.
 *
 * Identity (sh_rpc_authenticate, the server's auth hook):
 * - Local sockets (ipc://, inproc://) are the owner, with the admin role:
 *   the daemon creates them 0600 (by default in its 0700 runtime directory),
 *   so only the account running stashhogd can connect.  Anyone who can open the socket
 *   could also read the token file, so asking for a token there adds nothing.
 * - Every tcp:// and tls+tcp:// request must carry a token: the daemon's own
 *   (the owner, admin; `stashhogd --show-token`) or a user token made by
 *   `stashhogctl users add` (that user's role, see users/users.h).  The owner
 *   token is compared in constant time, user tokens by hash.
 * The identity goes into call->user / call->role for handlers and jobs
 * (apply and rollback jobs record the user who started them).
 *
 * Roles (sh_auth_authorize, before every handler): each route in dispatch.c
 * names its minimum role; a route without one is admin-only.
 * - viewer: read-only requests: ping, status, stats, scene/entity/plan/job/
 *   schedule/sync-history lists and shows, exports, saved-filter reads, and
 *   the event stream.
 * - reviewer: + analyze, sync (it only reads Stash, and reviewers need fresh
 *   data to review), review/edit/delete of plans that are still draft or
 *   reviewing, saving/deleting saved filters, and cancel/retry of analyze and
 *   sync jobs.
 * - admin: everything: apply, rollback, plans past review, settings,
 *   connection tests, schedules, webhooks (their URLs often embed secrets),
 *   backup/restore, users, and cancel/retry of every other job type.
 * A refused call gets SH_ERR_PERMISSION naming the role it needs.
 *
 * Failed attempts are counted per peer address (the port is ignored; IPv6
 * peers are grouped by their /64, which one host usually owns).  After
 * max_failures failures within window_ms the peer is refused, even with the
 * right token, for base_block_ms; each further block of the same peer
 * doubles, up to max_block_ms.  Other addresses are unaffected, so an
 * attacker cannot lock the owner out from elsewhere.  The table has a fixed
 * capacity: when full, the entry seen longest ago that is not blocked (or,
 * failing that, the block that ends soonest) is recycled, so memory stays
 * bounded whatever the number of attacking addresses.
 *
 * Threading: the limiter is shared by all RPC workers and guarded by one
 * mutex; every operation is O(capacity) at worst and never blocks on I/O. */
#ifndef SH_RPC_AUTH_H
#define SH_RPC_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "sh-error.h"
#include "sh-rpc-server.h"
#include "users/users.h"

typedef struct sh_auth_limiter sh_auth_limiter;

typedef struct sh_auth_limiter_config {
    int max_failures;       /* default 5 */
    int64_t window_ms;      /* default 60000 */
    int64_t base_block_ms;  /* default 30000 */
    int64_t max_block_ms;   /* default 3600000 */
    size_t capacity;        /* default 1024 peers */
    int64_t (*now_ms)(void *clock_user); /* default: monotonic clock (tests inject one) */
    void *clock_user;
} sh_auth_limiter_config;

/* cfg may be NULL for the defaults; zero members take their default. */
sh_status sh_auth_limiter_create(const sh_auth_limiter_config *cfg, sh_auth_limiter **out,
                                 sh_error *err);
void sh_auth_limiter_destroy(sh_auth_limiter *lim);

/* SH_OK when `peer` ("1.2.3.4:5678", "[::1]:80") may try now; otherwise
 * SH_ERR_RATE_LIMITED with a message saying when to retry. */
sh_status sh_auth_limiter_check(sh_auth_limiter *lim, const char *peer, sh_error *err);
/* Record the outcome of an attempt; success forgets the peer's failures. */
void sh_auth_limiter_record(sh_auth_limiter *lim, const char *peer, bool success);
/* Number of peers tracked (tests). */
size_t sh_auth_limiter_count(sh_auth_limiter *lim);

/* The key a peer is tracked under ("1.2.3.4", "2001:db8:1:2::/64"). */
void sh_auth_peer_key(const char *peer, char *out, size_t out_len);

/* The route table's minimum role for a request type (defined in dispatch.c);
 * SH_ROLE_UNSET when the row names none.  *name (optional) gets the route's
 * name, NULL when the type has no route. */
sh_role sh_rpc_route_role(int body_case, const char **name);

/* SH_OK when a caller with role `have` may do `what`, which needs `need`
 * (UNSET counts as admin); otherwise SH_ERR_PERMISSION:
 * "plan apply needs the admin role; you are reviewer". */
sh_status sh_auth_require(sh_role have, sh_role need, const char *what, sh_error *err);

/* The role a request needs: the route's role, raised to admin for requests
 * whose target is not the route's usual one (cancel/retry of a job that is
 * not analyze or sync; review/edit/delete of a plan past review).  db is for
 * looking the target up (NULL: route role only). */
sh_role sh_auth_needed_role(const sh_request *req, sh_role route_role, sh_db *db);

/* The check dispatch makes before a handler, with the worker's read-only
 * connection; logs refusals. */
sh_status sh_auth_authorize(const sh_rpc_call *call, sh_db *db, sh_role route_role, const char *route_name,
                            sh_error *err);

#endif
