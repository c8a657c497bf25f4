/* plugin-proc.h - runs one external program to completion: a request on
 * its stdin, its stdout collected, its stderr kept (bounded), a deadline.
 *
 * Threading: sh_proc_run() blocks the calling thread (a job worker) and
 * uses no shared state; any number of threads may run programs at once.
 * The program gets its own process group, so a timeout, a cancel or an
 * output overflow kills everything it started (SIGTERM, a grace period,
 * then SIGKILL), and the program is always reaped before sh_proc_run()
 * returns: no zombies, no stray children holding our pipes.
 *
 * Safety: no shell (argv is exec'd as given), only the given environment,
 * descriptors >= 3 closed in the child, signal mask and dispositions reset
 * (the daemon ignores SIGPIPE; the program should not).  The request goes
 * over a socketpair written with MSG_NOSIGNAL, so a program that exits
 * without reading its input cannot kill the daemon with SIGPIPE. */
#ifndef SH_PLUGIN_PROC_H
#define SH_PLUGIN_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sh-error.h"

typedef struct sh_proc_opts {
    const char *const *argv; /* argv[0]: absolute path of the program */
    const char *const *envp; /* the whole environment; NULL = empty */
    const char *cwd;         /* NULL = "/" */
    const char *input;       /* written to stdin, then stdin is closed */
    size_t input_len;
    size_t max_output;       /* stdout cap in bytes; more = killed, SH_ERR_TOO_LARGE */
    size_t max_stderr;       /* stderr bytes kept (the rest is counted, dropped) */
    int64_t timeout_ms;      /* from start until exit; <= 0 = 30 s */
    int64_t kill_grace_ms;   /* SIGTERM -> SIGKILL; <= 0 = 500 ms */
    int (*cancelled)(void *user); /* polled about every 100 ms; may be NULL */
    void *cancel_user;
} sh_proc_opts;

typedef struct sh_proc_result {
    char *out;            /* stdout, NUL-terminated (malloc'd) */
    size_t out_len;
    char *err_text;       /* the first max_stderr bytes of stderr, NUL-terminated */
    size_t err_len;
    size_t err_dropped;   /* stderr bytes beyond max_stderr */
    bool exited;          /* exit_code is valid */
    int exit_code;
    int term_signal;      /* the signal that ended it (0 = none) */
    bool killed;          /* we killed it (timeout, cancel, output cap) */
    int64_t elapsed_ms;
} sh_proc_result;

/* Runs the program.  SH_OK when it ended by itself in time with output
 * under the cap (check exited / exit_code / term_signal); SH_ERR_TIMEOUT,
 * SH_ERR_CANCELLED or SH_ERR_TOO_LARGE when it was killed for that;
 * SH_ERR_NOT_FOUND / SH_ERR_PERMISSION / SH_ERR_IO when it could not be
 * started.  *res is filled in every case (fini it). */
sh_status sh_proc_run(const sh_proc_opts *opts, sh_proc_result *res, sh_error *err);
void sh_proc_result_fini(sh_proc_result *res);

#endif
