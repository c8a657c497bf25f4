/* daemon.h - start-up and shutdown order of stashhogd.
 *
 * Start: data dir -> database (migrations) -> secrets/token -> event
 * publisher -> job workers -> scheduler -> RPC server.  Stop runs the other
 * way: the RPC server answers in-flight requests and stops, the scheduler
 * stops firing, job workers are cancelled and joined, the publisher closes,
 * the database closes last. */
#ifndef SH_DAEMON_H
#define SH_DAEMON_H

#include "config.h"
#include "sh-error.h"

typedef struct sh_daemon sh_daemon;

sh_status sh_daemon_create(const sh_config *cfg, sh_daemon **out, sh_error *err);
void sh_daemon_destroy(sh_daemon *d);

/* Token management for --show-token / --rotate-token (no daemon needed). */
sh_status sh_daemon_token(const sh_config *cfg, bool rotate, char *out, size_t out_len,
                          sh_error *err);

#endif
