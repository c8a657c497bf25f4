/* config.h - the daemon's start-up configuration.
 *
 * Precedence, lowest first: built-in defaults < config file < STASHHOG_*
 * environment variables < command-line flags.  The config file is the
 * first that exists of --config PATH, $STASHHOG_CONFIG,
 * $XDG_CONFIG_HOME/stashhog/stashhogd.conf (~/.config/...), and
 * /etc/stashhog/stashhogd.conf; it holds `key = value` lines and # comments.
 * Every key is also an environment variable (STASHHOG_ + upper case) and a
 * flag (--key-with-dashes VALUE).  Runtime settings that users change while
 * the daemon runs (Stash URL, API keys) live in the database instead. */
#ifndef SH_CONFIG_H
#define SH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "sh-error.h"
#include "sh-log.h"
#include "sh-paths.h"

#define SH_CONFIG_MAX_URLS 8

typedef struct sh_config {
    char config_file[SH_PATH_MAX]; /* the file that was read, or "" */
    char data_dir[SH_PATH_MAX];
    char runtime_dir[SH_PATH_MAX];
    char db_path[SH_PATH_MAX];
    char *listen[SH_CONFIG_MAX_URLS];        /* extra RPC URLs (tcp://, tls+tcp://) */
    size_t n_listen;
    char *events_listen[SH_CONFIG_MAX_URLS]; /* extra event URLs; derived from listen if empty */
    size_t n_events_listen;
    bool ipc;                 /* listen on the default ipc:// sockets */
    int rpc_workers;
    int job_workers;
    int job_max_attempts;
    int job_retention_days;
    bool enable_debug_jobs;   /* register the debug_sleep job type (tests only) */
    sh_log_level log_level;
    char *stash_url;          /* default for the stash.url setting when unset */
    char *token_file;         /* where the tcp auth token lives (default <data>/token) */
    char *tls_cert_key_file;  /* PEM cert + key for tls+tcp:// listeners */
    char *tls_ca_file;        /* CA for client certificates (tls+tcp://) */
    char *metrics_listen;     /* HOST:PORT of the Prometheus /metrics listener; NULL = off */
    int webhook_max_attempts; /* webhook deliveries give up after this many attempts */
    int webhook_retry_ms;     /* first webhook retry delay; doubles per attempt */
    char *plugins_dir;        /* analyzer plugins, one NAME.conf each (analysis/plugin.h); NULL = none */
    bool show_token;          /* --show-token: print the tcp token and exit */
    bool rotate_token;        /* --rotate-token: make a new token, print it, exit */
    int source_, listen_source_, events_source_; /* loader bookkeeping: which source set a list */
} sh_config;

typedef enum sh_config_result {
    SH_CONFIG_RUN = 0,
    SH_CONFIG_EXIT_OK,   /* --help / --version printed */
    SH_CONFIG_EXIT_ERROR,
} sh_config_result;

void sh_config_init(sh_config *cfg);
void sh_config_fini(sh_config *cfg);

/* Load defaults, file, environment and argv (in that order).  --help and
 * --version print to `out` and return SH_CONFIG_EXIT_OK. */
sh_config_result sh_config_load(sh_config *cfg, int argc, char **argv, void *out_stream,
                                sh_error *err);

/* Individual steps, exposed for tests. */
sh_status sh_config_set(sh_config *cfg, const char *key, const char *value, sh_error *err);
sh_status sh_config_load_file(sh_config *cfg, const char *path, sh_error *err);
sh_status sh_config_load_env(sh_config *cfg, sh_error *err);
sh_status sh_config_finish(sh_config *cfg, sh_error *err); /* fill derived paths */

#endif
