/* auth.h - who may call the daemon, and how fast strangers may guess.
 *
 * Local sockets (ipc://, inproc://) are trusted: their file mode (0600)
 * already limits them to the owner.  Every tcp:// and tls+tcp:// request
 * must carry the daemon's token, compared in constant time.
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

#include "sh-error.h"

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

#endif
