/* sh-paths.h - where the daemon keeps its data and sockets by default.
 *
 * Daemon and clients compute the same defaults, so `stashhogctl status`
 * finds a local `stashhogd` with no flags:
 *   data dir:    $STASHHOG_DATA_DIR, else /var/lib/stashhog for root with
 *                $STATE_DIRECTORY (systemd), else $XDG_DATA_HOME/stashhog,
 *                else ~/.local/share/stashhog
 *   runtime dir: $STASHHOG_RUNTIME_DIR, else $XDG_RUNTIME_DIR/stashhog,
 *                else the data dir
 *   rpc url:     ipc://<runtime dir>/stashhogd.sock
 *   events url:  ipc://<runtime dir>/stashhogd-events.sock */
#ifndef SH_PATHS_H
#define SH_PATHS_H

#include <stddef.h>

#include "sh-error.h"

#define SH_PATH_MAX 1024

sh_status sh_paths_data_dir(char *out, size_t len, sh_error *err);
sh_status sh_paths_runtime_dir(const char *data_dir, char *out, size_t len, sh_error *err);
/* ipc URLs for a runtime dir; fails if the socket path would exceed sun_path. */
sh_status sh_paths_rpc_url(const char *runtime_dir, char *out, size_t len, sh_error *err);
sh_status sh_paths_events_url(const char *runtime_dir, char *out, size_t len, sh_error *err);
/* The URL clients use when given none: $STASHHOG_CONNECT or the default rpc url. */
sh_status sh_paths_default_connect_url(char *out, size_t len, sh_error *err);

/* The event URL a client should dial, given the RPC URL it dialled and the
 * event URLs the daemon advertises (StatusReply.event_urls): the same
 * transport; for tcp:// and tls+tcp://, an advertised URL on the very host
 * we dialled if there is one, else the first one's port on the host we
 * dialled (the daemon may advertise 0.0.0.0, or an address that is only
 * valid inside its container).  NULL when nothing matches; free() it. */
char *sh_paths_pick_event_url(const char *rpc_url, const char *const *event_urls, size_t n);

#endif
