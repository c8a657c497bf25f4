/* jobs.c - the queue: submit, cancel, retry, and the worker pool.
 *
 * Threading (see also jobs.h): n worker threads, each with its own
 * read-write connection, plus one flusher thread (jobs-progress.c).  A
 * worker picks the oldest queued job that is due and whose exclusivity key
 * is free; it reserves the key under jobs->lock, then claims the row with a
 * conditional UPDATE outside the lock (a concurrent cancel of the queued
 * row wins and the reservation is dropped).  Idle workers sleep on
 * jobs->wake until a submit, a finished job (keys freed), the earliest
 * backoff deadline, or at most a second (rows queued by other connections
 * inside a caller's transaction are noticed that way). */
#include <stdlib.h>
#include <string.h>

#include "jobs/jobs-internal.h"
#include "sh-log.h"

#define LOG "jobs"
#define IDLE_POLL_MS 1000
#define SCAN_BATCH 64

bool sh_job_key_sync(const json_t *params, char *key, size_t len)
{
    (void)params;
    return sh_strlcpy(key, "sync", len) == 0;
}

bool sh_job_key_plan(const json_t *params, char *key, size_t len)
{
    json_t *id = json_object_get(params, "plan_id");
    if (!json_is_integer(id))
        return false;
    snprintf(key, len, "plan:%lld", (long long)json_integer_value(id));
    return true;
}

const sh_job_type *sh_jobs_find_type(const sh_jobs *jobs, const char *name)
{
    for (size_t i = 0; name && i < jobs->n_types; i++)
        if (strcmp(jobs->types[i].name, name) == 0)
            return &jobs->types[i];
    return NULL;
}

bool sh_jobs_type_known(const sh_jobs *jobs, const char *type)
{
    return sh_jobs_find_type(jobs, type) != NULL;
}

static void cond_init_monotonic(pthread_cond_t *c)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(c, &attr);
    pthread_condattr_destroy(&attr);
}

sh_status sh_jobs_create(sh_services *svc, sh_jobs **out, sh_error *err)
{
    *out = NULL;
    sh_jobs *jobs = calloc(1, sizeof *jobs);
    if (!jobs)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    jobs->svc = svc;
    jobs->n_workers = svc->cfg && svc->cfg->job_workers > 0 ? svc->cfg->job_workers : 2;
    jobs->max_attempts = svc->cfg && svc->cfg->job_max_attempts > 0 ? svc->cfg->job_max_attempts : 3;
    jobs->retention_days = svc->cfg && svc->cfg->job_retention_days > 0 ? svc->cfg->job_retention_days : 30;
    jobs->backoff_base_ms = 2000;
    jobs->backoff_max_ms = 300000;
    pthread_mutex_init(&jobs->lock, NULL);
    cond_init_monotonic(&jobs->wake);
    cond_init_monotonic(&jobs->flusher_wake);
    jobs->workers = calloc((size_t)jobs->n_workers, sizeof *jobs->workers);
    if (!jobs->workers) {
        sh_jobs_destroy(jobs);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    *out = jobs;
    return SH_OK;
}

sh_status sh_jobs_register(sh_jobs *jobs, const sh_job_type *type, sh_error *err)
{
    if (!type || sh_str_empty(type->name) || !type->run)
        return sh_error_set(err, SH_ERR_INVALID, "job type needs a name and a body");
    if (jobs->started)
        return sh_error_set(err, SH_ERR_INVALID, "job type %s registered after start", type->name);
    if (sh_jobs_find_type(jobs, type->name))
        return sh_error_set(err, SH_ERR_CONFLICT, "job type %s registered twice", type->name);
    if (jobs->n_types >= SH_JOBS_MAX_TYPES)
        return sh_error_set(err, SH_ERR_TOO_LARGE, "too many job types");
    jobs->types[jobs->n_types++] = *type;
    return SH_OK;
}

void sh_jobs_set_backoff(sh_jobs *jobs, int64_t base_ms, int64_t max_ms)
{
    jobs->backoff_base_ms = base_ms;
    jobs->backoff_max_ms = max_ms;
}

void sh_jobs_wake(sh_jobs *jobs)
{
    pthread_mutex_lock(&jobs->lock);
    jobs->wake_seq++;
    pthread_cond_broadcast(&jobs->wake);
    pthread_mutex_unlock(&jobs->lock);
}

/* ---------------------------------------------------------------- submit / cancel / retry */

static sh_status insert_job(sh_jobs *jobs, sh_db *db, const sh_job_submit *req, const char *params,
                            int64_t *job_id, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db,
                                 "INSERT INTO jobs (type, params, status, max_attempts, retry_of, schedule_id,"
                                 " created_at, updated_at) VALUES (?1, ?2, 'queued', ?3, ?4, ?5, ?6, ?6)",
                                 &s, err);
    if (st != SH_OK)
        return st;
    int64_t now = sh_now_ms();
    sqlite3_bind_text(s, 1, req->type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, params, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, jobs->max_attempts);
    sh_db_bind_id_or_null(s, 4, req->retry_of);
    sh_db_bind_id_or_null(s, 5, req->schedule_id);
    sqlite3_bind_int64(s, 6, now);
    int rc = sh_db_step(db, s, err);
    sqlite3_reset(s);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    *job_id = sqlite3_last_insert_rowid(sh_db_handle(db));
    return SH_OK;
}

sh_status sh_jobs_check(const sh_jobs *jobs, const char *type, const json_t *params, sh_error *err)
{
    const sh_job_type *t = sh_jobs_find_type(jobs, type);
    if (!t)
        return sh_error_set(err, SH_ERR_INVALID, "unknown job type '%s'", type ? type : "");
    if (params && !json_is_object(params))
        return sh_error_set(err, SH_ERR_INVALID, "job params must be a JSON object");
    return t->validate && params ? t->validate(params, err) : SH_OK;
}

sh_status sh_jobs_submit(sh_jobs *jobs, sh_db *db, const sh_job_submit *req, int64_t *job_id, sh_error *err)
{
    json_t *empty = req->params ? NULL : json_object();
    const json_t *params = req->params ? req->params : empty;
    sh_status st = sh_jobs_check(jobs, req->type, params, err);
    char *text = st == SH_OK ? json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12)) : NULL;
    json_decref(empty);
    if (st != SH_OK)
        return st;
    if (!text)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    bool own_txn = sqlite3_get_autocommit(sh_db_handle(db)) != 0;
    if (own_txn && (st = sh_db_write_begin(db, err)) != SH_OK)
        goto out;
    st = insert_job(jobs, db, req, text, job_id, err);
    if (own_txn) {
        if (st == SH_OK)
            st = sh_db_commit(db, err);
        else
            sh_db_rollback(db);
    }
    if (st != SH_OK)
        goto out;
    sh_info(LOG, "job %lld (%s) queued%s", (long long)*job_id, req->type, req->retry_of ? " as a retry" : "");
    sh_jobs_publish_state(jobs, db, *job_id, -1);
    sh_jobs_wake(jobs);
out:
    free(text);
    return st;
}

sh_status sh_jobs_cancel(sh_jobs *jobs, sh_db *db, int64_t job_id, sh_error *err)
{
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *s = NULL;
    /* Queued: cancelled at once.  Running: flag the row (survives a crash) and the token. */
    if ((st = sh_db_prepare(db,
                            "UPDATE jobs SET"
                            " status = CASE status WHEN 'queued' THEN 'cancelled' ELSE status END,"
                            " finished_at = CASE status WHEN 'queued' THEN ?2 ELSE finished_at END,"
                            " message = CASE status WHEN 'queued' THEN 'cancelled before it started'"
                            "  ELSE message END,"
                            " cancel_requested = 1, updated_at = ?2"
                            " WHERE id = ?1 AND status IN ('queued', 'running')"
                            " RETURNING id",
                            &s, err)) != SH_OK) {
        sh_db_rollback(db);
        return st;
    }
    sqlite3_bind_int64(s, 1, job_id);
    sqlite3_bind_int64(s, 2, sh_now_ms());
    int rc = sh_db_step(db, s, err);
    bool changed = rc == 1;
    while (rc == 1)
        rc = sh_db_step(db, s, err);
    sqlite3_reset(s);
    if (rc < 0) {
        sh_db_rollback(db);
        return err ? err->code : SH_ERR_DB;
    }
    if ((st = sh_db_commit(db, err)) != SH_OK)
        return st;
    if (!changed) {
        int64_t exists = 0;
        sqlite3_stmt *q = NULL;
        if (sh_db_prepare(db, "SELECT status FROM jobs WHERE id = ?", &q, err) != SH_OK)
            return err ? err->code : SH_ERR_DB;
        sqlite3_bind_int64(q, 1, job_id);
        char status[16] = "";
        if ((exists = sh_db_step(db, q, err)) == 1)
            sh_strlcpy(status, sh_db_column_text(q, 0), sizeof status);
        sqlite3_reset(q);
        if (exists != 1)
            return sh_error_set(err, SH_ERR_NOT_FOUND, "no job %lld", (long long)job_id);
        return sh_error_set(err, SH_ERR_CONFLICT, "job %lld is already %s", (long long)job_id, status);
    }
    bool running = false;
    pthread_mutex_lock(&jobs->lock);
    for (int i = 0; i < jobs->n_workers; i++) {
        sh_job_ctx *ctx = jobs->workers[i].ctx;
        if (ctx && ctx->id == job_id) {
            atomic_store(&ctx->user_cancel, true);
            atomic_store(&ctx->cancel, true);
            running = true;
        } else if (!ctx && jobs->workers[i].job_id == job_id) {
            /* Claimed but its ctx not yet published: claim_next applies this. */
            jobs->workers[i].cancel_pending = true;
            running = true;
        }
    }
    pthread_mutex_unlock(&jobs->lock);
    sh_info(LOG, "job %lld: cancel %s", (long long)job_id, running ? "requested" : "done (was queued)");
    if (!running)
        sh_jobs_publish_state(jobs, db, job_id, STASHHOG__JOB_STATUS__JOB_STATUS_QUEUED);
    return SH_OK;
}

sh_status sh_jobs_retry(sh_jobs *jobs, sh_db *db, int64_t job_id, int64_t *new_id, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, "SELECT type, params, status, schedule_id FROM jobs WHERE id = ?", &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, job_id);
    int rc = sh_db_step(db, s, err);
    if (rc != 1) {
        sqlite3_reset(s);
        return rc < 0 ? (err ? err->code : SH_ERR_DB)
                      : sh_error_set(err, SH_ERR_NOT_FOUND, "no job %lld", (long long)job_id);
    }
    char *type = strdup(sh_db_column_text(s, 0));
    json_t *params = json_loads(sh_db_column_text(s, 1), 0, NULL);
    char status[16];
    sh_strlcpy(status, sh_db_column_text(s, 2), sizeof status);
    int64_t schedule_id = sqlite3_column_int64(s, 3);
    sqlite3_reset(s);
    if (!type || !params) {
        st = sh_error_set(err, type ? SH_ERR_INTERNAL : SH_ERR_NOMEM, "job %lld: unreadable params",
                          (long long)job_id);
    } else if (strcmp(status, "failed") != 0 && strcmp(status, "cancelled") != 0) {
        st = sh_error_set(err, SH_ERR_CONFLICT, "job %lld is %s; only failed or cancelled jobs can be retried",
                          (long long)job_id, status);
    } else {
        sh_job_submit req = {.type = type, .params = params, .retry_of = job_id, .schedule_id = schedule_id};
        st = sh_jobs_submit(jobs, db, &req, new_id, err);
    }
    free(type);
    json_decref(params);
    return st;
}

/* ---------------------------------------------------------------- workers */

typedef struct candidate {
    int64_t id;
    char type[64];
    char *params;
    int64_t not_before;
} candidate;

static bool key_busy(sh_jobs *jobs, const char *key)
{
    for (int i = 0; i < jobs->n_workers; i++)
        if (jobs->workers[i].has_key && strcmp(jobs->workers[i].key, key) == 0)
            return true;
    return false;
}

static int load_candidates(sh_jobs_worker *wk, candidate *c, int max, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sh_db_prepare(wk->db,
                      "SELECT id, type, params, not_before FROM jobs WHERE status = 'queued'"
                      " ORDER BY id LIMIT ?",
                      &s, err) != SH_OK)
        return -1;
    sqlite3_bind_int(s, 1, max);
    int n = 0, rc = 0;
    while (n < max && (rc = sh_db_step(wk->db, s, err)) == 1) {
        c[n].id = sqlite3_column_int64(s, 0);
        sh_strlcpy(c[n].type, sh_db_column_text(s, 1), sizeof c[n].type);
        c[n].params = strdup(sh_db_column_text(s, 2));
        c[n].not_before = sqlite3_column_int64(s, 3);
        n++;
    }
    sqlite3_reset(s);
    if (rc < 0) {
        for (int i = 0; i < n; i++)
            free(c[i].params);
        return -1;
    }
    return n;
}

/* Returns a claimed ctx, or NULL with *next_due_ms = the earliest backoff deadline (0 = none). */
static sh_job_ctx *claim_next(sh_jobs_worker *wk, int64_t *next_due_ms)
{
    sh_jobs *jobs = wk->jobs;
    candidate c[SCAN_BATCH];
    sh_error err = {0};
    *next_due_ms = 0;
    int n = load_candidates(wk, c, SCAN_BATCH, &err);
    if (n < 0) {
        sh_warn(LOG, "worker %d: reading the queue: %s", wk->index, sh_error_message(&err));
        return NULL;
    }
    sh_job_ctx *ctx = NULL;
    int64_t now = sh_now_ms();
    for (int i = 0; i < n && !ctx; i++) {
        if (c[i].not_before > now) {
            if (!*next_due_ms || c[i].not_before < *next_due_ms)
                *next_due_ms = c[i].not_before;
            continue;
        }
        const sh_job_type *t = sh_jobs_find_type(jobs, c[i].type);
        json_t *params = c[i].params ? json_loads(c[i].params, 0, NULL) : NULL;
        if (!t || !params) {
            char msg[160];
            snprintf(msg, sizeof msg, t ? "unreadable params" : "unknown job type '%s' (not enabled in this daemon)",
                     c[i].type);
            sh_warn(LOG, "job %lld: %s", (long long)c[i].id, msg);
            json_decref(params);
            if (sh_jobs_store_fail_queued(wk->db, c[i].id, msg, &err) == SH_OK)
                sh_jobs_publish_state(jobs, wk->db, c[i].id, STASHHOG__JOB_STATUS__JOB_STATUS_QUEUED);
            continue;
        }
        char key[SH_JOBS_KEY_MAX];
        bool has_key = t->exclusivity_key && t->exclusivity_key(params, key, sizeof key);
        pthread_mutex_lock(&jobs->lock);
        bool busy = has_key && key_busy(jobs, key);
        if (!busy) {
            wk->job_id = c[i].id;
            wk->cancel_pending = false;
            wk->has_key = has_key;
            if (has_key)
                sh_strlcpy(wk->key, key, sizeof wk->key);
        }
        pthread_mutex_unlock(&jobs->lock);
        if (busy) {
            json_decref(params);
            continue;
        }
        bool claimed = false;
        int attempts = 0, max_attempts = 0;
        int64_t schedule_id = 0;
        if (sh_jobs_store_claim(wk->db, c[i].id, &claimed, &attempts, &max_attempts, &schedule_id, &err) != SH_OK)
            sh_warn(LOG, "job %lld: claim failed: %s", (long long)c[i].id, sh_error_message(&err));
        if (claimed && (ctx = calloc(1, sizeof *ctx)) != NULL) {
            ctx->jobs = jobs;
            ctx->type = t;
            ctx->id = c[i].id;
            ctx->params = params;
            ctx->attempt = attempts;
            ctx->max_attempts = max_attempts;
            ctx->schedule_id = schedule_id;
            ctx->db = wk->db;
            pthread_mutex_init(&ctx->lock, NULL);
            pthread_mutex_lock(&jobs->lock);
            wk->ctx = ctx;
            if (wk->cancel_pending) {
                atomic_store(&ctx->user_cancel, true);
                atomic_store(&ctx->cancel, true);
            }
            /* A stop that began while we claimed must reach this job too. */
            if (jobs->stopping) {
                atomic_store(&ctx->shutdown, true);
                atomic_store(&ctx->cancel, true);
            }
            pthread_mutex_unlock(&jobs->lock);
        } else {
            json_decref(params);
            pthread_mutex_lock(&jobs->lock);
            wk->job_id = 0;
            wk->has_key = false;
            pthread_mutex_unlock(&jobs->lock);
            if (claimed) /* calloc failed: give the row back */
                sh_jobs_store_finish(wk->db, c[i].id,
                                     &(sh_jobs_outcome){.status = "queued", .uncount_attempt = true}, NULL);
        }
    }
    for (int i = 0; i < n; i++)
        free(c[i].params);
    return ctx;
}

static int64_t backoff_ms(const sh_jobs *jobs, int attempt)
{
    int64_t d = jobs->backoff_base_ms;
    for (int i = 1; i < attempt && d < jobs->backoff_max_ms; i++)
        d *= 2;
    return d < jobs->backoff_max_ms ? d : jobs->backoff_max_ms;
}

static void run_job(sh_jobs_worker *wk, sh_job_ctx *ctx)
{
    sh_jobs *jobs = wk->jobs;
    sh_info(LOG, "job %lld (%s) started, attempt %d of %d", (long long)ctx->id, ctx->type->name, ctx->attempt,
            ctx->max_attempts);
    sh_jobs_publish_state(jobs, wk->db, ctx->id, STASHHOG__JOB_STATUS__JOB_STATUS_QUEUED);
    sh_error err = {0};
    int64_t t0 = sh_monotonic_ms();
    sh_status st = ctx->type->run(ctx, &err);
    sh_db_rollback(wk->db); /* a body that returned mid-transaction must not keep the writer lock */

    char message[SH_JOBS_MSG_MAX], error[SH_ERROR_MSG_MAX + 64] = "";
    sh_jobs_outcome o = {0};
    pthread_mutex_lock(&ctx->lock);
    o.done = ctx->done;
    o.total = ctx->total;
    sh_strlcpy(message, ctx->message, sizeof message);
    char *result = ctx->result ? json_dumps(ctx->result, JSON_COMPACT) : NULL;
    pthread_mutex_unlock(&ctx->lock);
    o.message = message;
    o.result_json = result;
    bool user_cancel = atomic_load(&ctx->user_cancel), shutdown = atomic_load(&ctx->shutdown);
    if (st == SH_OK) {
        o.status = "completed";
    } else if (user_cancel && (st == SH_ERR_CANCELLED || sh_job_cancelled(ctx))) {
        o.status = "cancelled";
        snprintf(message, sizeof message, "cancelled after %lld of %lld", (long long)o.done, (long long)o.total);
    } else if (shutdown) {
        bool resume = ctx->type->resumable;
        o.status = resume ? "queued" : "failed";
        o.uncount_attempt = resume;
        sh_strlcpy(message, resume ? "interrupted by daemon shutdown; will resume" : "interrupted by daemon shutdown",
                   sizeof message);
        o.error = resume ? NULL : message;
    } else if (sh_status_is_transient(st) && ctx->attempt < ctx->max_attempts) {
        int64_t delay = backoff_ms(jobs, ctx->attempt);
        o.status = "queued";
        o.not_before_ms = sh_now_ms() + delay;
        snprintf(error, sizeof error, "%s", sh_error_message(&err));
        o.error = error;
        snprintf(message, sizeof message, "attempt %d of %d failed (%s); retrying in %.1f s", ctx->attempt,
                 ctx->max_attempts, sh_strerror(st), (double)delay / 1000.0);
    } else {
        o.status = st == SH_ERR_CANCELLED ? "cancelled" : "failed";
        snprintf(error, sizeof error, "%s", sh_error_message(&err));
        o.error = error;
        if (ctx->attempt > 1 && sh_status_is_transient(st))
            snprintf(error, sizeof error, "%s (gave up after %d attempts)", sh_error_message(&err), ctx->attempt);
    }
    sh_error werr = {0};
    if (sh_jobs_store_finish(wk->db, ctx->id, &o, &werr) != SH_OK)
        sh_error(LOG, "job %lld: final state not saved: %s", (long long)ctx->id, sh_error_message(&werr));
    free(result);
    sh_info(LOG, "job %lld (%s) %s after %.1f s%s%s", (long long)ctx->id, ctx->type->name, o.status,
            (double)(sh_monotonic_ms() - t0) / 1000.0, o.error ? ": " : "", o.error ? o.error : "");

    /* Free the slot (and its key) before the final events: nothing of this
     * job can be published after them, and another job may start. */
    pthread_mutex_lock(&jobs->lock);
    wk->ctx = NULL;
    wk->job_id = 0;
    wk->has_key = false;
    jobs->wake_seq++;
    pthread_cond_broadcast(&jobs->wake);
    pthread_mutex_unlock(&jobs->lock);
    sh_jobs_publish_state(jobs, wk->db, ctx->id, STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING);
    json_decref(ctx->params);
    json_decref(ctx->result);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

static void *worker_main(void *arg)
{
    sh_jobs_worker *wk = arg;
    sh_jobs *jobs = wk->jobs;
    char name[16];
    snprintf(name, sizeof name, "sh-job-%d", wk->index);
    pthread_setname_np(pthread_self(), name);
    for (;;) {
        pthread_mutex_lock(&jobs->lock);
        uint64_t seq = jobs->wake_seq;
        bool stop = jobs->stopping;
        pthread_mutex_unlock(&jobs->lock);
        if (stop)
            break;
        int64_t next_due = 0;
        sh_job_ctx *ctx = claim_next(wk, &next_due);
        if (ctx) {
            run_job(wk, ctx);
            continue;
        }
        int64_t wait_ms = IDLE_POLL_MS;
        if (next_due) {
            int64_t until = next_due - sh_now_ms();
            if (until < wait_ms)
                wait_ms = until < 1 ? 1 : until;
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += wait_ms / 1000;
        ts.tv_nsec += (wait_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&jobs->lock);
        while (!jobs->stopping && jobs->wake_seq == seq)
            if (pthread_cond_timedwait(&jobs->wake, &jobs->lock, &ts) != 0)
                break;
        pthread_mutex_unlock(&jobs->lock);
    }
    return NULL;
}

sh_status sh_jobs_start(sh_jobs *jobs, sh_error *err)
{
    sh_db_env *env = jobs->svc->db;
    sh_status st = sh_db_open(env, false, &jobs->flusher_db, err);
    if (st != SH_OK)
        return st;
    int requeued = 0, failed = 0, pruned = 0;
    if ((st = sh_jobs_store_recover(jobs, jobs->flusher_db, &requeued, &failed, err)) != SH_OK)
        return st;
    if (requeued || failed)
        sh_warn(LOG, "recovered interrupted jobs: %d re-queued, %d failed", requeued, failed);
    if ((st = sh_jobs_store_prune(jobs, jobs->flusher_db, sh_now_ms(), &pruned, err)) != SH_OK)
        return st;
    if (pruned)
        sh_info(LOG, "pruned %d finished jobs older than %d days", pruned, jobs->retention_days);
    for (int i = 0; i < jobs->n_workers; i++)
        if ((st = sh_db_open(env, false, &jobs->workers[i].db, err)) != SH_OK)
            return st;
    jobs->started = true;
    if (pthread_create(&jobs->flusher, NULL, sh_jobs_flusher_main, jobs) != 0)
        return sh_error_set(err, SH_ERR_INTERNAL, "cannot start the job flusher thread");
    jobs->flusher_started = true;
    for (int i = 0; i < jobs->n_workers; i++) {
        sh_jobs_worker *wk = &jobs->workers[i];
        wk->jobs = jobs;
        wk->index = i;
        if (pthread_create(&wk->thread, NULL, worker_main, wk) != 0)
            return sh_error_set(err, SH_ERR_INTERNAL, "cannot start job worker %d", i);
        wk->started = true;
    }
    sh_info(LOG, "%d job workers, %zu job types, max %d attempts", jobs->n_workers, jobs->n_types,
            jobs->max_attempts);
    return SH_OK;
}

void sh_jobs_stop(sh_jobs *jobs)
{
    if (!jobs)
        return;
    pthread_mutex_lock(&jobs->lock);
    jobs->stopping = true;
    for (int i = 0; i < jobs->n_workers; i++) {
        sh_job_ctx *ctx = jobs->workers[i].ctx;
        if (ctx) {
            atomic_store(&ctx->shutdown, true);
            atomic_store(&ctx->cancel, true);
        }
    }
    pthread_cond_broadcast(&jobs->wake);
    pthread_cond_broadcast(&jobs->flusher_wake);
    pthread_mutex_unlock(&jobs->lock);
    for (int i = 0; i < jobs->n_workers; i++) {
        if (jobs->workers[i].started)
            pthread_join(jobs->workers[i].thread, NULL);
        jobs->workers[i].started = false;
    }
    if (jobs->flusher_started)
        pthread_join(jobs->flusher, NULL);
    jobs->flusher_started = false;
}

void sh_jobs_destroy(sh_jobs *jobs)
{
    if (!jobs)
        return;
    sh_jobs_stop(jobs);
    for (int i = 0; jobs->workers && i < jobs->n_workers; i++)
        sh_db_close(jobs->workers[i].db);
    sh_db_close(jobs->flusher_db);
    free(jobs->workers);
    pthread_mutex_destroy(&jobs->lock);
    pthread_cond_destroy(&jobs->wake);
    pthread_cond_destroy(&jobs->flusher_wake);
    free(jobs);
}
