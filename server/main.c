/* stashhogd: argument parsing, signals, and the daemon's lifetime.
 *
 * Signals are blocked in every thread before any is created; the main
 * thread waits for SIGINT/SIGTERM with sigwait() and then tears the daemon
 * down in order (see daemon.h). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "sh-log.h"

int main(int argc, char **argv)
{
    sh_config cfg;
    sh_error err = {0};
    sh_config_init(&cfg);
    sh_config_result r = sh_config_load(&cfg, argc, argv, stdout, &err);
    if (r != SH_CONFIG_RUN) {
        if (r == SH_CONFIG_EXIT_ERROR)
            fprintf(stderr, "stashhogd: %s\n", sh_error_message(&err));
        sh_config_fini(&cfg);
        return r == SH_CONFIG_EXIT_OK ? 0 : 2;
    }
    sh_log_set_level(cfg.log_level);

    if (cfg.show_token || cfg.rotate_token) {
        char token[128];
        int rc = 0;
        if (sh_daemon_token(&cfg, cfg.rotate_token, token, sizeof token, &err) != SH_OK) {
            fprintf(stderr, "stashhogd: %s\n", sh_error_message(&err));
            rc = 1;
        } else {
            printf("%s\n", token);
        }
        sh_config_fini(&cfg);
        return rc;
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    sh_daemon *d = NULL;
    if (sh_daemon_create(&cfg, &d, &err) != SH_OK) {
        fprintf(stderr, "stashhogd: %s\n", sh_error_message(&err));
        sh_config_fini(&cfg);
        return 1;
    }
    int sig = 0;
    for (;;) {
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            sh_info("daemon", "SIGHUP: nothing to reload (settings are live)");
            continue;
        }
        break;
    }
    sh_info("daemon", "received %s, shutting down", strsignal(sig));
    sh_daemon_destroy(d);
    sh_config_fini(&cfg);
    return 0;
}
