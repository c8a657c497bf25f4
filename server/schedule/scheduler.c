/* scheduler.c - slot evaluation and the scheduler thread (see scheduler.h). */
#include "schedule/scheduler.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sh-cron.h"
#include "sh-log.h"

#define LOG "scheduler"
#define MAX_SLEEP_MS 60000
#define MAX_SLOT_STEPS 600000 /* a year of every-minute slots */

struct sh_scheduler {
    sh_services *svc;
    sh_jobs *jobs;
    sh_scheduler_options opts;
    sh_db *db;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping;
    bool kicked;
};

sh_status sh_schedule_next_slot(const char *cron, int64_t interval_s, int64_t anchor_s, int64_t after_s,
                                int64_t *next_s, sh_error *err)
{
    if (cron) {
        sh_cron *c = NULL;
        sh_status st = sh_cron_parse(cron, &c, err);
        if (st != SH_OK)
            return st;
        st = sh_cron_next(c, after_s, 1, next_s);
        sh_cron_destroy(c);
        if (st != SH_OK)
            return sh_error_set(err, st, "cron '%s' has no run after %lld", cron, (long long)after_s);
        return SH_OK;
    }
    if (interval_s <= 0)
        return sh_error_set(err, SH_ERR_INVALID, "schedule has neither cron nor interval");
    if (after_s < anchor_s) {
        *next_s = anchor_s;
        return SH_OK;
    }
    *next_s = anchor_s + ((after_s - anchor_s) / interval_s + 1) * interval_s;
    return SH_OK;
}

/* The latest slot <= now, given the first slot after the base is <= now. */
static sh_status latest_slot(const char *cron, int64_t interval_s, int64_t anchor_s, int64_t first, int64_t now_s,
                             int64_t *latest, sh_error *err)
{
    if (!cron) {
        *latest = anchor_s + (now_s - anchor_s) / interval_s * interval_s;
        return SH_OK;
    }
    sh_cron *c = NULL;
    sh_status st = sh_cron_parse(cron, &c, err);
    if (st != SH_OK)
        return st;
    int64_t cur = first, next = 0;
    /* After very long downtime skip ahead: only the latest slot matters. */
    if (now_s - cur > (int64_t)MAX_SLOT_STEPS * 60 && sh_cron_next(c, now_s - 400LL * 86400, 1, &next) == SH_OK &&
        next <= now_s)
        cur = next;
    for (int i = 0; i < MAX_SLOT_STEPS && sh_cron_next(c, cur, 1, &next) == SH_OK && next <= now_s; i++)
        cur = next;
    sh_cron_destroy(c);
    *latest = cur;
    return SH_OK;
}

static sh_status schedule_busy(sh_db *db, int64_t schedule_id, bool *busy, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db,
                                 "SELECT EXISTS (SELECT 1 FROM jobs WHERE schedule_id = ?"
                                 " AND status IN ('queued', 'running'))",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, schedule_id);
    int rc = sh_db_step(db, s, err);
    *busy = rc == 1 && sqlite3_column_int(s, 0) != 0;
    sqlite3_reset(s);
    return rc < 0 ? (err ? err->code : SH_ERR_DB) : SH_OK;
}

static sh_status submit_for_schedule(sh_jobs *jobs, sh_db *db, int64_t id, const char *type, const char *params_text,
                                     int64_t *job_id, sh_error *err)
{
    json_t *params = json_loads(params_text ? params_text : "{}", 0, NULL);
    if (!params)
        return sh_error_set(err, SH_ERR_INVALID, "schedule %lld: params are not JSON", (long long)id);
    sh_job_submit req = {.type = type, .params = params, .schedule_id = id};
    sh_status st = sh_jobs_submit(jobs, db, &req, job_id, err);
    json_decref(params);
    return st;
}

typedef struct sched_row {
    int64_t id, interval_s, last_slot, created_s;
    bool has_last_slot, catch_up;
    char *name, *type, *params, *cron;
} sched_row;

static void free_rows(sched_row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        free(rows[i].name);
        free(rows[i].type);
        free(rows[i].params);
        free(rows[i].cron);
    }
    free(rows);
}

static char *dup_col(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? NULL : strdup(sh_db_column_text(s, col));
}

static sh_status load_rows(sh_db *db, sched_row **out, int *n_out, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db,
                                 "SELECT id, name, job_type, params, cron, interval_s, catch_up, last_slot, created_at"
                                 " FROM schedules WHERE enabled = 1 ORDER BY id",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sched_row *rows = NULL;
    int n = 0, cap = 0, rc;
    while ((rc = sh_db_step(db, s, err)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            sched_row *grown = realloc(rows, (size_t)cap * sizeof *rows);
            if (!grown) {
                sqlite3_reset(s);
                free_rows(rows, n);
                return sh_error_set(err, SH_ERR_NOMEM, NULL);
            }
            rows = grown;
        }
        sched_row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(s, 0);
        r->name = dup_col(s, 1);
        r->type = dup_col(s, 2);
        r->params = dup_col(s, 3);
        r->cron = dup_col(s, 4);
        r->interval_s = sqlite3_column_int64(s, 5);
        r->catch_up = sqlite3_column_int(s, 6) != 0;
        r->has_last_slot = sqlite3_column_type(s, 7) != SQLITE_NULL;
        r->last_slot = sqlite3_column_int64(s, 7);
        r->created_s = sqlite3_column_int64(s, 8) / 1000;
    }
    sqlite3_reset(s);
    if (rc < 0) {
        free_rows(rows, n);
        return err ? err->code : SH_ERR_DB;
    }
    *out = rows;
    *n_out = n;
    return SH_OK;
}

static sh_status store_next(sh_db *db, int64_t id, int64_t next_s, sh_error *err)
{
    sh_status st = sh_db_write_begin(db, err);
    sqlite3_stmt *s = NULL;
    if (st == SH_OK)
        st = sh_db_prepare(db, "UPDATE schedules SET next_run_at = ?2 WHERE id = ?1 AND next_run_at IS NOT ?2", &s,
                           err);
    if (st == SH_OK) {
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, next_s * 1000);
        if (sh_db_step(db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
        sqlite3_reset(s);
    }
    if (st == SH_OK)
        return sh_db_commit(db, err);
    sh_db_rollback(db);
    return st;
}

/* Take slot `slot` (never twice) and, when fire, queue the job, in one transaction. */
static sh_status take_slot(sh_jobs *jobs, sh_db *db, const sched_row *r, int64_t slot, int64_t next_s, bool fire,
                           int64_t *job_id, sh_error *err)
{
    *job_id = 0;
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *s = NULL;
    if ((st = sh_db_prepare(db,
                            "UPDATE schedules SET last_slot = ?2, next_run_at = ?3"
                            " WHERE id = ?1 AND enabled = 1 AND (last_slot IS NULL OR last_slot < ?2)",
                            &s, err)) != SH_OK)
        goto out;
    sqlite3_bind_int64(s, 1, r->id);
    sqlite3_bind_int64(s, 2, slot);
    sqlite3_bind_int64(s, 3, next_s * 1000);
    int rc = sh_db_step(db, s, err);
    sqlite3_reset(s);
    if (rc < 0) {
        st = err ? err->code : SH_ERR_DB;
        goto out;
    }
    if (sqlite3_changes(sh_db_handle(db)) == 0 || !fire)
        goto out; /* taken already (or a skip): nothing to queue */
    if ((st = submit_for_schedule(jobs, db, r->id, r->type, r->params, job_id, err)) != SH_OK)
        goto out;
    if ((st = sh_db_prepare(db, "UPDATE schedules SET last_run_at = ?2, last_job_id = ?3 WHERE id = ?1", &s, err)) !=
        SH_OK)
        goto out;
    sqlite3_bind_int64(s, 1, r->id);
    sqlite3_bind_int64(s, 2, sh_now_ms());
    sqlite3_bind_int64(s, 3, *job_id);
    if (sh_db_step(db, s, err) < 0)
        st = err ? err->code : SH_ERR_DB;
    sqlite3_reset(s);
out:
    if (st == SH_OK)
        return sh_db_commit(db, err);
    *job_id = 0;
    sh_db_rollback(db);
    return st;
}

static sh_status tick_one(sh_jobs *jobs, sh_db *db, const sched_row *r, int64_t now_s, int64_t *next_s,
                          bool *fired, sh_error *err)
{
    *fired = false;
    int64_t base = r->has_last_slot ? r->last_slot : r->created_s;
    int64_t first = 0, latest = 0;
    sh_status st = sh_schedule_next_slot(r->cron, r->interval_s, r->created_s, base, &first, err);
    if (st != SH_OK)
        return st;
    if (first > now_s) {
        *next_s = first;
        return store_next(db, r->id, first, err);
    }
    if ((st = latest_slot(r->cron, r->interval_s, r->created_s, first, now_s, &latest, err)) != SH_OK ||
        (st = sh_schedule_next_slot(r->cron, r->interval_s, r->created_s, latest, next_s, err)) != SH_OK)
        return st;
    bool on_time = now_s - latest < SH_SCHEDULER_GRACE_S;
    bool busy = false;
    if ((st = schedule_busy(db, r->id, &busy, err)) != SH_OK)
        return st;
    bool fire = (on_time || r->catch_up) && !busy;
    int64_t job_id = 0;
    if ((st = take_slot(jobs, db, r, latest, *next_s, fire, &job_id, err)) != SH_OK)
        return st;
    if (job_id) {
        *fired = true;
        sh_info(LOG, "schedule %lld (%s): %s slot %lld -> job %lld", (long long)r->id, r->name,
                on_time ? "fired" : "caught up missed", (long long)latest, (long long)job_id);
    } else if (busy) {
        sh_info(LOG, "schedule %lld (%s): slot %lld skipped: the previous run is still going", (long long)r->id,
                r->name, (long long)latest);
    } else if (!fire) {
        sh_info(LOG, "schedule %lld (%s): missed slot %lld skipped (catch_up off)", (long long)r->id, r->name,
                (long long)latest);
    }
    return SH_OK;
}

sh_status sh_scheduler_tick(sh_jobs *jobs, sh_db *db, int64_t now_s, int64_t *next_s, int *fired, sh_error *err)
{
    sched_row *rows = NULL;
    int n = 0, n_fired = 0;
    int64_t earliest = 0;
    sh_status st = load_rows(db, &rows, &n, err);
    if (st != SH_OK)
        return st;
    for (int i = 0; i < n; i++) {
        int64_t next = 0;
        bool f = false;
        sh_error e = {0};
        /* One broken schedule must not stop the others. */
        if (tick_one(jobs, db, &rows[i], now_s, &next, &f, &e) != SH_OK) {
            sh_warn(LOG, "schedule %lld (%s): %s", (long long)rows[i].id, rows[i].name, sh_error_message(&e));
            continue;
        }
        n_fired += f;
        if (next > 0 && (!earliest || next < earliest))
            earliest = next;
    }
    free_rows(rows, n);
    if (n_fired)
        sh_jobs_wake(jobs);
    if (next_s)
        *next_s = earliest;
    if (fired)
        *fired = n_fired;
    return SH_OK;
}

sh_status sh_scheduler_run_now(sh_jobs *jobs, sh_db *db, int64_t schedule_id, int64_t *job_id, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, "SELECT job_type, params FROM schedules WHERE id = ?", &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, schedule_id);
    int rc = sh_db_step(db, s, err);
    if (rc != 1) {
        sqlite3_reset(s);
        return rc < 0 ? (err ? err->code : SH_ERR_DB)
                      : sh_error_set(err, SH_ERR_NOT_FOUND, "no schedule %lld", (long long)schedule_id);
    }
    char *type = strdup(sh_db_column_text(s, 0)), *params = strdup(sh_db_column_text(s, 1));
    sqlite3_reset(s);
    if (!type || !params) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    if ((st = sh_db_write_begin(db, err)) != SH_OK)
        goto out;
    if ((st = submit_for_schedule(jobs, db, schedule_id, type, params, job_id, err)) == SH_OK &&
        (st = sh_db_prepare(db, "UPDATE schedules SET last_run_at = ?2, last_job_id = ?3 WHERE id = ?1", &s, err)) ==
            SH_OK) {
        sqlite3_bind_int64(s, 1, schedule_id);
        sqlite3_bind_int64(s, 2, sh_now_ms());
        sqlite3_bind_int64(s, 3, *job_id);
        if (sh_db_step(db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
        sqlite3_reset(s);
    }
    st = sh_db_finish(db, st, err);
    if (st == SH_OK)
        sh_jobs_wake(jobs);
out:
    free(type);
    free(params);
    return st;
}

/* ---------------------------------------------------------------- thread */

static int64_t clock_now_ms(const sh_scheduler *s)
{
    return s->opts.now_ms ? s->opts.now_ms(s->opts.clock_user) : sh_now_ms();
}

static void *scheduler_main(void *arg)
{
    sh_scheduler *s = arg;
    pthread_setname_np(pthread_self(), "sh-scheduler");
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        s->kicked = false;
        pthread_mutex_unlock(&s->lock);
        int64_t next = 0;
        sh_error err = {0};
        if (sh_scheduler_tick(s->jobs, s->db, clock_now_ms(s) / 1000, &next, NULL, &err) != SH_OK)
            sh_warn(LOG, "pass failed: %s", sh_error_message(&err));
        /* Wake just after the slot's second begins. */
        int64_t wait_ms = next ? next * 1000 + 5 - clock_now_ms(s) : MAX_SLEEP_MS;
        if (wait_ms > MAX_SLEEP_MS)
            wait_ms = MAX_SLEEP_MS;
        if (wait_ms < 5)
            wait_ms = 5;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += wait_ms / 1000;
        ts.tv_nsec += (wait_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&s->lock);
        while (!s->stopping && !s->kicked)
            if (pthread_cond_timedwait(&s->cond, &s->lock, &ts) != 0)
                break;
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

sh_status sh_scheduler_create(sh_services *svc, sh_jobs *jobs, const sh_scheduler_options *opts, sh_scheduler **out,
                              sh_error *err)
{
    *out = NULL;
    sh_scheduler *s = calloc(1, sizeof *s);
    if (!s)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    s->svc = svc;
    s->jobs = jobs;
    if (opts)
        s->opts = *opts;
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &attr);
    pthread_condattr_destroy(&attr);
    sh_status st = sh_db_open(svc->db, false, &s->db, err);
    if (st != SH_OK) {
        sh_scheduler_destroy(s);
        return st;
    }
    *out = s;
    return SH_OK;
}

sh_status sh_scheduler_start(sh_scheduler *s, sh_error *err)
{
    if (pthread_create(&s->thread, NULL, scheduler_main, s) != 0)
        return sh_error_set(err, SH_ERR_INTERNAL, "cannot start the scheduler thread");
    s->started = true;
    return SH_OK;
}

void sh_scheduler_kick(sh_scheduler *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->kicked = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

void sh_scheduler_stop(sh_scheduler *s)
{
    if (!s || !s->started)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    s->started = false;
}

void sh_scheduler_destroy(sh_scheduler *s)
{
    if (!s)
        return;
    sh_scheduler_stop(s);
    sh_db_close(s->db);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s);
}
