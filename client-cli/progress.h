/* progress.h - following a daemon job from the CLI: progress bar, plain
 * lines, and the exit status of its outcome.
 *
 * A follower subscribes to the daemon's "job." events AND polls JobGet about
 * once a second, because pub/sub may drop messages (and a job may finish
 * before the subscription is live): events only make the display smoother,
 * the poll is the authority.  Used by `jobs watch` and by every command that
 * starts a job and offers --wait.
 *
 * Exit status of a followed job: 0 completed, 1 failed, 4 cancelled,
 * 3 daemon unreachable, 130 interrupted by Ctrl-C (the job keeps running). */
#ifndef SH_CLI_PROGRESS_H
#define SH_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

#define SH_EXIT_INTERRUPTED 130

/* Wait for a job to finish, drawing a progress bar on stderr when it is a
 * terminal (nothing otherwise, unless --quiet is off and output is plain
 * text: then one summary line at the end).  With --json, prints the final
 * Job as JSON on stdout.  Returns the exit status above. */
int sh_cli_wait_for_job(sh_cli *cli, int64_t job_id);

/* `jobs watch`: like sh_cli_wait_for_job, but progress goes to stdout: a
 * bar on a terminal, one plain line per update otherwise. */
int sh_cli_watch_job(sh_cli *cli, int64_t job_id);

/* For commands whose reply is a JobRef (sync start, analyze, apply, ...):
 * without wait, prints "started job N (type)" (or the JobRef as JSON) and
 * returns 0; with wait, follows the job via sh_cli_wait_for_job.  Returns
 * SH_EXIT_FAILURE if the reply carries no JobRef. */
/* Send a request whose reply is a JobRef, then report the job as
 * sh_cli_print_job_started() does (waiting for it when `wait`). */
int sh_cli_call_job(sh_cli *cli, sh_request *req, bool wait);
int sh_cli_print_job_started(sh_cli *cli, const sh_reply *reply, bool wait);

/* Name of a JobStatus ("queued", "running", ...). */
const char *sh_cli_job_status_name(int status);

/* Exit status for a finished job's status (0, 1, 4); -1 if not finished. */
int sh_cli_job_exit_code(int status);

/* Help text line for commands that accept --wait. */
#define SH_CLI_WAIT_HELP \
    "  -w, --wait          follow the job with a progress bar; exit 0 completed, 1 failed, 4 cancelled\n"

#endif
