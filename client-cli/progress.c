/* progress.c - follow a job: events for a smooth display, JobGet polls for truth.
 *
 * Single-threaded: the subscriber is read synchronously with a timeout that
 * ends at the next poll, so one loop both draws events as they come and
 * polls at least once a second. */
#include "progress.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sh-pbjson.h"
#include "sh-pubsub.h"
#include "sh-util.h"

#define POLL_MS 1000
#define PLAIN_MIN_INTERVAL_MS 250

typedef struct follower {
    sh_cli *cli;
    int64_t id;
    FILE *to;        /* where progress goes (NULL: nowhere) */
    bool bar;        /* redraw one line with \r (a terminal) */
    bool bar_drawn;
    int64_t last_plain_ms;
    char last_line[512];
    /* current view, from whichever source spoke last */
    char type[64];
    int status;
    int64_t done, total, eta_s;
    double rate;
    bool has_rate, has_eta;
    char message[256];
} follower;

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

const char *sh_cli_job_status_name(int status)
{
    static const char *const names[] = {"queued", "running", "completed", "failed", "cancelled"};
    return status >= 0 && status < 5 ? names[status] : "unknown";
}

int sh_cli_job_exit_code(int status)
{
    switch (status) {
    case STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED:
        return SH_EXIT_OK;
    case STASHHOG__JOB_STATUS__JOB_STATUS_FAILED:
        return SH_EXIT_FAILURE;
    case STASHHOG__JOB_STATUS__JOB_STATUS_CANCELLED:
        return SH_EXIT_CANCELLED;
    default:
        return -1;
    }
}

static sh_reply *fetch_job(sh_cli *cli, int64_t id, int *rc)
{
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__JobGetRequest g = STASHHOG__JOB_GET_REQUEST__INIT;
    g.id = id;
    req.body_case = STASHHOG__REQUEST__BODY_JOB_GET;
    req.job_get = &g;
    sh_reply *reply = sh_cli_call(cli, &req, rc);
    if (reply && !reply->job_detail) {
        sh_wire_reply_free(reply);
        *rc = sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no job");
        return NULL;
    }
    return reply;
}

/* Events are an optimisation: any failure here just means "poll only". */
static sh_subscriber *subscribe(sh_cli *cli)
{
    static const char *const topics[] = {"job."};
    sh_subscriber *sub = NULL;
    sh_error err = {0};
    if (sh_cli_subscribe(cli, topics, 1, &sub, NULL, &err) != SH_OK)
        return NULL;
    return sub;
}

static void take_job(follower *f, const Stashhog__Job *j)
{
    sh_strlcpy(f->type, j->type ? j->type : "", sizeof f->type);
    f->status = (int)j->status;
    f->done = j->has_done ? j->done : 0;
    f->total = j->has_total ? j->total : 0;
    f->has_rate = j->has_rate;
    f->rate = j->rate;
    f->has_eta = j->has_eta_s;
    f->eta_s = j->eta_s;
    const char *msg = j->error && j->status == STASHHOG__JOB_STATUS__JOB_STATUS_FAILED ? j->error : j->message;
    sh_strlcpy(f->message, msg ? msg : "", sizeof f->message);
}

static void take_progress(follower *f, const Stashhog__JobProgress *p)
{
    /* A late progress event must not undo a terminal state seen by polling. */
    if (sh_cli_job_exit_code(f->status) >= 0)
        return;
    sh_strlcpy(f->type, p->type ? p->type : "", sizeof f->type);
    f->status = (int)p->status;
    if (p->has_done)
        f->done = p->done;
    if (p->has_total)
        f->total = p->total;
    f->has_rate = p->has_rate;
    f->rate = p->rate;
    f->has_eta = p->has_eta_s;
    f->eta_s = p->eta_s;
    if (p->message)
        sh_strlcpy(f->message, p->message, sizeof f->message);
}

static void format_eta(char *buf, size_t len, int64_t s)
{
    if (s >= 3600)
        snprintf(buf, len, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s % 3600 / 60),
                 (long long)(s % 60));
    else
        snprintf(buf, len, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

/* "450/1000 (45%) 12.3/s ETA 0:45" */
static void format_counts(const follower *f, char *buf, size_t len)
{
    size_t n = 0;
    if (f->total > 0)
        n += (size_t)snprintf(buf + n, len - n, "%lld/%lld (%d%%)", (long long)f->done, (long long)f->total,
                              (int)(f->done * 100 / f->total));
    else
        n += (size_t)snprintf(buf + n, len - n, "%lld", (long long)f->done);
    if (n < len && f->has_rate && f->status == STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING)
        n += (size_t)snprintf(buf + n, len - n, " %.1f/s", f->rate);
    if (n < len && f->has_eta && f->status == STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING) {
        char eta[32];
        format_eta(eta, sizeof eta, f->eta_s);
        snprintf(buf + n, len - n, " ETA %s", eta);
    }
}

static int term_width(FILE *to)
{
    struct winsize ws;
    if (ioctl(fileno(to), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col;
    return 80;
}

static void draw_bar(follower *f)
{
    enum { BAR = 24 };
    char bar[BAR + 1];
    int filled = f->total > 0 ? (int)(f->done * BAR / f->total) : 0;
    if (filled > BAR)
        filled = BAR;
    for (int i = 0; i < BAR; i++)
        bar[i] = i < filled ? '#' : '-';
    bar[BAR] = '\0';
    char counts[128], line[512];
    format_counts(f, counts, sizeof counts);
    int n = snprintf(line, sizeof line, "job %lld %s [%s] %s %s%s%s", (long long)f->id, f->type, bar, counts,
                     sh_cli_job_status_name(f->status), f->message[0] ? " " : "", f->message);
    int width = term_width(f->to) - 1;
    if (n > width && width > 0 && width < (int)sizeof line)
        line[width] = '\0';
    fprintf(f->to, "\r\033[K%s", line);
    fflush(f->to);
    f->bar_drawn = true;
}

static void print_plain(follower *f, bool force)
{
    char counts[128], line[512];
    format_counts(f, counts, sizeof counts);
    snprintf(line, sizeof line, "job %lld %s %s %s%s%s", (long long)f->id, f->type, sh_cli_job_status_name(f->status),
             counts, f->message[0] ? ": " : "", f->message);
    int64_t now = sh_monotonic_ms();
    if (strcmp(line, f->last_line) == 0)
        return;
    /* Plain lines go to logs and pipes: fewer, but never skip a state change. */
    if (!force && now - f->last_plain_ms < PLAIN_MIN_INTERVAL_MS)
        return;
    fprintf(f->to, "%s\n", line);
    fflush(f->to);
    sh_strlcpy(f->last_line, line, sizeof f->last_line);
    f->last_plain_ms = now;
}

static void show(follower *f, bool force)
{
    if (!f->to)
        return;
    if (f->bar)
        draw_bar(f);
    else
        print_plain(f, force);
}

static int finish(follower *f, const Stashhog__Job *job, bool watch)
{
    sh_cli *cli = f->cli;
    int code = sh_cli_job_exit_code((int)job->status);
    if (f->bar_drawn) {
        draw_bar(f);
        fputc('\n', f->to);
        fflush(f->to);
    }
    if (cli->json) {
        sh_cli_print_json_pb(cli, &job->base);
        return code;
    }
    if (f->to && !f->bar) {
        print_plain(f, true);
        if (watch)
            return code;
    }
    if (cli->quiet && code == SH_EXIT_OK)
        return code;
    FILE *o = code == SH_EXIT_OK ? cli->out : cli->err;
    fprintf(o, "job %lld %s %s", (long long)job->id, job->type, sh_cli_job_status_name((int)job->status));
    if (job->has_started_at_ms && job->has_finished_at_ms)
        fprintf(o, " in %.1fs", (double)(job->finished_at_ms - job->started_at_ms) / 1000.0);
    if (job->status == STASHHOG__JOB_STATUS__JOB_STATUS_FAILED && job->error)
        fprintf(o, ": %s", job->error);
    else if (job->message)
        fprintf(o, ": %s", job->message);
    fputc('\n', o);
    fflush(o);
    return code;
}

static int follow(sh_cli *cli, int64_t job_id, bool watch)
{
    follower f = {.cli = cli, .id = job_id, .status = -1};
    if (watch) {
        f.to = cli->json ? NULL : cli->out;
        f.bar = f.to && cli->out_is_tty;
    } else if (!cli->quiet && isatty(fileno(cli->err))) {
        f.to = cli->err;
        f.bar = true;
    }
    struct sigaction sa = {.sa_handler = on_sigint}, old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    interrupted = 0;

    int rc = SH_EXIT_OK;
    sh_subscriber *sub = NULL;
    /* First poll also proves the job exists before we subscribe. */
    sh_reply *reply = fetch_job(cli, job_id, &rc);
    if (!reply)
        goto out;
    sh_wire_reply_free(reply);
    reply = NULL;
    sub = subscribe(cli);
    int64_t next_poll = 0; /* poll again now: the job may have ended before we subscribed */
    for (;;) {
        if (interrupted) {
            if (f.bar_drawn)
                fputc('\n', f.to);
            fprintf(cli->err, "%s: stopped following job %lld; it continues (stashhogctl jobs watch %lld)\n",
                    cli->prog, (long long)job_id, (long long)job_id);
            rc = SH_EXIT_INTERRUPTED;
            break;
        }
        int64_t now = sh_monotonic_ms();
        if (now >= next_poll) {
            if (!(reply = fetch_job(cli, job_id, &rc)))
                break;
            take_job(&f, reply->job_detail);
            if (sh_cli_job_exit_code(f.status) >= 0) {
                rc = finish(&f, reply->job_detail, watch);
                break;
            }
            show(&f, false);
            sh_wire_reply_free(reply);
            reply = NULL;
            next_poll = sh_monotonic_ms() + POLL_MS;
            continue;
        }
        int wait_ms = (int)(next_poll - now);
        if (!sub) {
            sh_sleep_ms(wait_ms < 100 ? wait_ms : 100); /* short naps keep Ctrl-C prompt */
            continue;
        }
        sh_event *ev = NULL;
        sh_error err = {0};
        sh_status st = sh_subscriber_recv(sub, wait_ms < 200 ? wait_ms : 200, &ev, &err);
        if (st != SH_OK)
            continue;
        if (ev->payload_case == STASHHOG__EVENT__PAYLOAD_JOB_PROGRESS && ev->job_progress->job_id == job_id) {
            take_progress(&f, ev->job_progress);
            show(&f, false);
        } else if (ev->payload_case == STASHHOG__EVENT__PAYLOAD_JOB_STATE && ev->job_state->job &&
                   ev->job_state->job->id == job_id) {
            take_job(&f, ev->job_state->job);
            show(&f, true);
            /* Terminal: confirm with the authoritative row right away. */
            if (sh_cli_job_exit_code(f.status) >= 0)
                next_poll = 0;
        }
        sh_wire_event_free(ev);
    }
out:
    if (reply)
        sh_wire_reply_free(reply);
    sh_subscriber_destroy(sub);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;
}

int sh_cli_wait_for_job(sh_cli *cli, int64_t job_id)
{
    return follow(cli, job_id, false);
}

int sh_cli_watch_job(sh_cli *cli, int64_t job_id)
{
    return follow(cli, job_id, true);
}

int sh_cli_print_job_started(sh_cli *cli, const sh_reply *reply, bool wait)
{
    if (!reply || reply->body_case != STASHHOG__REPLY__BODY_JOB || !reply->job)
        return sh_cli_fail(cli, SH_EXIT_FAILURE, "daemon sent no job reference");
    const Stashhog__JobRef *ref = reply->job;
    if (wait) {
        if (!cli->json && !cli->quiet && !isatty(fileno(cli->err)))
            fprintf(cli->err, "job %lld (%s) started; waiting\n", (long long)ref->id, ref->type ? ref->type : "");
        return sh_cli_wait_for_job(cli, ref->id);
    }
    if (cli->json)
        sh_cli_print_json_pb(cli, &ref->base);
    else
        fprintf(cli->out, "started job %lld (%s); follow it with: %s jobs watch %lld\n", (long long)ref->id,
                ref->type ? ref->type : "", cli->prog, (long long)ref->id);
    return SH_EXIT_OK;
}

int sh_cli_call_job(sh_cli *cli, sh_request *req, bool wait)
{
    int rc = 0;
    sh_reply *reply = sh_cli_call(cli, req, &rc);
    if (!reply)
        return rc;
    rc = sh_cli_print_job_started(cli, reply, wait);
    sh_wire_reply_free(reply);
    return rc;
}
