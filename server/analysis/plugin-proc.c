/* plugin-proc.c - one external program run with a deadline (see
 * plugin-proc.h).
 *
 * All three streams are non-blocking and served by one poll() loop, so a
 * program that writes a lot before reading its input (or the reverse)
 * cannot deadlock against us.  The loop wakes at least every 100 ms to
 * check the deadline and the cancel callback. */
#include "analysis/plugin-proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sh-util.h"

#define TICK_MS 100

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static bool buf_add(buf *b, const char *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q)
            return false;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return true;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void record_status(sh_proc_result *res, int status)
{
    if (WIFEXITED(status)) {
        res->exited = true;
        res->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->term_signal = WTERMSIG(status);
    }
}

/* Waits up to ms for pid to exit without reaping it; true if it did. */
static bool wait_exit(pid_t pid, int64_t ms)
{
    int64_t until = sh_monotonic_ms() + ms;
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
            return true;
        if (sh_monotonic_ms() >= until)
            return false;
        sleep_ms(10);
    }
}

/* Stops the process group (grace, then SIGKILL) and reaps the leader.
 * The leader stays a zombie until the group is signalled, so its process
 * group id cannot be reused by an unrelated process meanwhile. */
static void finish(pid_t pid, bool kill_first, int64_t grace_ms, sh_proc_result *res)
{
    if (kill_first) {
        kill(-pid, SIGTERM);
        wait_exit(pid, grace_ms);
    }
    /* Leftovers the program started (its own children) go with it. */
    kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    record_status(res, status);
}

static sh_status spawn(const sh_proc_opts *o, int in_fd, int out_fd, int err_fd, pid_t *pid, sh_error *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    static const char *const empty_env[] = {NULL};
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0)
        return sh_error_set(err, SH_ERR_NOMEM, "cannot start %s: %s", o->argv[0], strerror(rc));
    if ((rc = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return sh_error_set(err, SH_ERR_NOMEM, "cannot start %s: %s", o->argv[0], strerror(rc));
    }
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    if (!rc)
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    if (!rc)
        rc = posix_spawn_file_actions_addchdir_np(&fa, o->cwd ? o->cwd : "/");
    if (!rc)
        rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                                 POSIX_SPAWN_SETPGROUP);
    if (!rc)
        rc = posix_spawnattr_setsigmask(&attr, &none);
    if (!rc)
        rc = posix_spawnattr_setsigdefault(&attr, &all);
    if (!rc)
        rc = posix_spawnattr_setpgroup(&attr, 0);
    if (!rc)
        rc = posix_spawn(pid, o->argv[0], &fa, &attr, (char *const *)o->argv,
                         (char *const *)(o->envp ? o->envp : empty_env));
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    if (rc == 0)
        return SH_OK;
    return sh_error_set(err, rc == ENOENT ? SH_ERR_NOT_FOUND : rc == EACCES ? SH_ERR_PERMISSION : SH_ERR_IO,
                        "cannot start %s: %s", o->argv[0], strerror(rc));
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Reads what is there; false at EOF or on error (fd then closed). */
static bool drain(int *fd, buf *b, size_t keep, size_t *dropped, bool *oom)
{
    char chunk[16384];
    for (;;) {
        ssize_t r = read(*fd, chunk, sizeof chunk);
        if (r > 0) {
            size_t n = (size_t)r, room = keep > b->len ? keep - b->len : 0, take = n < room ? n : room;
            if (take && !buf_add(b, chunk, take)) {
                *oom = true;
                return false;
            }
            if (dropped)
                *dropped += n - take;
            else if (take < n) {
                b->len = keep + 1; /* over the cap: the caller kills the program */
                return true;
            }
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        close_fd(fd);
        return false;
    }
}

sh_status sh_proc_run(const sh_proc_opts *o, sh_proc_result *res, sh_error *err)
{
    memset(res, 0, sizeof *res);
    if (!o || !o->argv || !o->argv[0] || o->argv[0][0] != '/')
        return sh_error_set(err, SH_ERR_INVALID, "a program needs an absolute path");
    int64_t start = sh_monotonic_ms();
    int64_t deadline = start + (o->timeout_ms > 0 ? o->timeout_ms : 30000);
    int64_t grace = o->kill_grace_ms > 0 ? o->kill_grace_ms : 500;
    size_t max_out = o->max_output ? o->max_output : (size_t)8 << 20;
    int in_sv[2] = {-1, -1}, out_p[2] = {-1, -1}, err_p[2] = {-1, -1};
    buf out = {0}, errb = {0};
    pid_t pid = -1;
    sh_status st = SH_OK;
    bool oom = false;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_sv) != 0 || pipe2(out_p, O_CLOEXEC) != 0 ||
        pipe2(err_p, O_CLOEXEC) != 0) {
        st = sh_error_set(err, SH_ERR_IO, "cannot make pipes: %s", strerror(errno));
        goto out;
    }
    /* The child reads; the daemon only writes (half-close gives it EOF). */
    shutdown(in_sv[1], SHUT_WR);
    if ((st = spawn(o, in_sv[1], out_p[1], err_p[1], &pid, err)) != SH_OK)
        goto out;
    close_fd(&in_sv[1]);
    close_fd(&out_p[1]);
    close_fd(&err_p[1]);
    set_nonblock(in_sv[0]);
    set_nonblock(out_p[0]);
    set_nonblock(err_p[0]);
    size_t sent = 0;
    if (o->input_len == 0)
        close_fd(&in_sv[0]);
    bool kill_it = false;
    while (out_p[0] >= 0 || err_p[0] >= 0) {
        int64_t now = sh_monotonic_ms();
        if (now >= deadline) {
            st = sh_error_set(err, SH_ERR_TIMEOUT, "no answer within %lld ms (killed)",
                              (long long)(deadline - start));
            kill_it = true;
            break;
        }
        if (o->cancelled && o->cancelled(o->cancel_user)) {
            st = sh_error_set(err, SH_ERR_CANCELLED, "cancelled (killed)");
            kill_it = true;
            break;
        }
        struct pollfd pf[3];
        int n = 0, ii = -1, io = -1, ie = -1;
        if (in_sv[0] >= 0) {
            ii = n;
            pf[n++] = (struct pollfd){.fd = in_sv[0], .events = POLLOUT};
        }
        if (out_p[0] >= 0) {
            io = n;
            pf[n++] = (struct pollfd){.fd = out_p[0], .events = POLLIN};
        }
        if (err_p[0] >= 0) {
            ie = n;
            pf[n++] = (struct pollfd){.fd = err_p[0], .events = POLLIN};
        }
        int tick = deadline - now < TICK_MS ? (int)(deadline - now) : TICK_MS;
        int pr = poll(pf, (nfds_t)n, tick);
        if (pr < 0 && errno != EINTR) {
            st = sh_error_set(err, SH_ERR_IO, "poll: %s", strerror(errno));
            kill_it = true;
            break;
        }
        if (pr <= 0)
            continue;
        if (ii >= 0 && pf[ii].revents) {
            ssize_t w = send(in_sv[0], o->input + sent, o->input_len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w > 0)
                sent += (size_t)w;
            /* A program may answer without reading everything: not an error by itself. */
            if (sent == o->input_len || (w < 0 && errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK))
                close_fd(&in_sv[0]);
        }
        if (io >= 0 && pf[io].revents) {
            drain(&out_p[0], &out, max_out, NULL, &oom);
            if (out.len > max_out) {
                st = sh_error_set(err, SH_ERR_TOO_LARGE, "output larger than %zu bytes (killed)", max_out);
                out.len = max_out;
                out.p[out.len] = '\0';
                kill_it = true;
                break;
            }
        }
        if (ie >= 0 && pf[ie].revents)
            drain(&err_p[0], &errb, o->max_stderr, &res->err_dropped, &oom);
        if (oom) {
            st = sh_error_set(err, SH_ERR_NOMEM, "out of memory reading the program's output");
            kill_it = true;
            break;
        }
    }
    /* Output closed: the program should exit now; it still has until the deadline. */
    if (!kill_it) {
        int64_t left = deadline - sh_monotonic_ms();
        while (!wait_exit(pid, left < TICK_MS ? (left > 0 ? left : 0) : TICK_MS)) {
            left = deadline - sh_monotonic_ms();
            if (left <= 0) {
                st = sh_error_set(err, SH_ERR_TIMEOUT, "did not exit within %lld ms (killed)",
                                  (long long)(deadline - start));
                kill_it = true;
                break;
            }
            if (o->cancelled && o->cancelled(o->cancel_user)) {
                st = sh_error_set(err, SH_ERR_CANCELLED, "cancelled (killed)");
                kill_it = true;
                break;
            }
        }
    }
    finish(pid, kill_it, grace, res);
    res->killed = kill_it;
out:
    close_fd(&in_sv[0]);
    close_fd(&in_sv[1]);
    close_fd(&out_p[0]);
    close_fd(&out_p[1]);
    close_fd(&err_p[0]);
    close_fd(&err_p[1]);
    res->out = out.p ? out.p : calloc(1, 1);
    res->out_len = out.p ? out.len : 0;
    res->err_text = errb.p ? errb.p : calloc(1, 1);
    res->err_len = errb.p ? errb.len : 0;
    res->elapsed_ms = sh_monotonic_ms() - start;
    if (st == SH_OK && (!res->out || !res->err_text))
        st = sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    return st;
}

void sh_proc_result_fini(sh_proc_result *res)
{
    if (!res)
        return;
    free(res->out);
    free(res->err_text);
    memset(res, 0, sizeof *res);
}
