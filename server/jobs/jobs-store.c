/* jobs-store.c - the jobs table: reads as RPC messages, and every state write.
 *
 * Each write is one short transaction on the caller's connection (a worker's
 * or the flusher's), so the queue never holds the writer lock for long. */
#include <string.h>

#include "jobs/jobs-internal.h"
#include "sh-log.h"

#define LOG "jobs"

static const char *const status_names[] = {"queued", "running", "completed", "failed", "cancelled"};

int sh_jobs_status_from_text(const char *text)
{
    for (int i = 0; i < 5; i++)
        if (text && strcmp(text, status_names[i]) == 0)
            return i;
    return -1;
}

const char *sh_jobs_status_text(int status)
{
    return status >= 0 && status < 5 ? status_names[status] : "unknown";
}

#define JOB_COLUMNS                                                                                   \
    "id, type, params, status, done, total, message, result, error, attempts, retry_of, schedule_id, " \
    "created_at, started_at, finished_at"

static Stashhog__Job *job_from_row(sqlite3_stmt *s, sh_arena *a)
{
    Stashhog__Job *j = SH_ARENA_NEW(a, Stashhog__Job);
    if (!j)
        return NULL;
    stashhog__job__init(j);
    j->id = sqlite3_column_int64(s, 0);
    j->type = sh_arena_strdup(a, sh_db_column_text(s, 1));
    j->params_json = sh_arena_strdup(a, sh_db_column_text(s, 2));
    int st = sh_jobs_status_from_text(sh_db_column_text(s, 3));
    j->status = st < 0 ? STASHHOG__JOB_STATUS__JOB_STATUS_FAILED : (Stashhog__JobStatus)st;
    j->has_done = j->has_total = j->has_attempts = 1;
    j->done = sqlite3_column_int64(s, 4);
    j->total = sqlite3_column_int64(s, 5);
    if (sqlite3_column_type(s, 6) != SQLITE_NULL)
        j->message = sh_arena_strdup(a, sh_db_column_text(s, 6));
    if (sqlite3_column_type(s, 7) != SQLITE_NULL)
        j->result_json = sh_arena_strdup(a, sh_db_column_text(s, 7));
    if (sqlite3_column_type(s, 8) != SQLITE_NULL)
        j->error = sh_arena_strdup(a, sh_db_column_text(s, 8));
    j->attempts = sqlite3_column_int(s, 9);
    if ((j->has_retry_of = sqlite3_column_type(s, 10) != SQLITE_NULL))
        j->retry_of = sqlite3_column_int64(s, 10);
    if ((j->has_schedule_id = sqlite3_column_type(s, 11) != SQLITE_NULL))
        j->schedule_id = sqlite3_column_int64(s, 11);
    j->has_created_at_ms = 1;
    j->created_at_ms = sqlite3_column_int64(s, 12);
    if ((j->has_started_at_ms = sqlite3_column_type(s, 13) != SQLITE_NULL))
        j->started_at_ms = sqlite3_column_int64(s, 13);
    if ((j->has_finished_at_ms = sqlite3_column_type(s, 14) != SQLITE_NULL))
        j->finished_at_ms = sqlite3_column_int64(s, 14);
    if (!j->type || !j->params_json)
        return NULL;
    return j;
}

sh_status sh_jobs_get(sh_jobs *jobs, sh_db *db, int64_t job_id, sh_arena *arena, Stashhog__Job **out,
                      sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?", &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, job_id);
    int rc = sh_db_step(db, s, err);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    if (rc == 0) {
        sqlite3_reset(s);
        return sh_error_set(err, SH_ERR_NOT_FOUND, "no job %lld", (long long)job_id);
    }
    Stashhog__Job *j = job_from_row(s, arena);
    sqlite3_reset(s);
    if (!j)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (jobs)
        sh_jobs_overlay_live(jobs, j, arena);
    *out = j;
    return SH_OK;
}

sh_status sh_jobs_list(sh_jobs *jobs, sh_db *db, const sh_jobs_filter *f, sh_arena *arena,
                       Stashhog__Job ***out, size_t *n_out, sh_error *err)
{
    int limit = f && f->limit > 0 ? f->limit : 50;
    if (limit > 1000)
        limit = 1000;
    char statuses[64] = "";
    if (f && f->status_mask) {
        size_t n = 0;
        statuses[n++] = ',';
        for (int i = 0; i < 5; i++)
            if (f->status_mask & (1u << i))
                n += (size_t)snprintf(statuses + n, sizeof statuses - n, "%s,", status_names[i]);
    }
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db,
                                 "SELECT " JOB_COLUMNS " FROM jobs"
                                 " WHERE (?1 IS NULL OR instr(?1, ',' || status || ',') > 0)"
                                 "   AND (?2 IS NULL OR type = ?2)"
                                 "   AND (?3 IS NULL OR schedule_id = ?3)"
                                 " ORDER BY id DESC LIMIT ?4",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sh_db_bind_text_or_null(s, 1, statuses);
    sh_db_bind_text_or_null(s, 2, f ? f->type : NULL);
    sh_db_bind_id_or_null(s, 3, f ? f->schedule_id : 0);
    sqlite3_bind_int(s, 4, limit);
    Stashhog__Job **list = (Stashhog__Job **)sh_arena_ptrs(arena, (size_t)limit);
    if (!list) {
        sqlite3_reset(s);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    size_t n = 0;
    int rc;
    while ((rc = sh_db_step(db, s, err)) == 1) {
        if (!(list[n] = job_from_row(s, arena))) {
            sqlite3_reset(s);
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        }
        n++;
    }
    sqlite3_reset(s);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    for (size_t i = 0; jobs && i < n; i++)
        sh_jobs_overlay_live(jobs, list[i], arena);
    *out = list;
    *n_out = n;
    return SH_OK;
}

/* One UPDATE in its own write transaction. */
static sh_status write_one(sh_db *db, sqlite3_stmt *s, int *changes, sh_error *err)
{
    int rc = sh_db_step(db, s, err);
    sqlite3_reset(s);
    if (rc < 0) {
        sh_db_rollback(db);
        return err ? err->code : SH_ERR_DB;
    }
    if (changes)
        *changes = sqlite3_changes(sh_db_handle(db));
    return sh_db_commit(db, err);
}

sh_status sh_jobs_store_recover(sh_jobs *jobs, sh_db *db, int *requeued, int *failed, sh_error *err)
{
    *requeued = *failed = 0;
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *sel = NULL, *upd = NULL;
    int64_t now = sh_now_ms();
    if ((st = sh_db_prepare_once(db, "SELECT id, type, cancel_requested FROM jobs WHERE status = 'running'", &sel,
                                 err)) != SH_OK)
        goto out;
    int rc;
    while ((rc = sh_db_step(db, sel, err)) == 1) {
        int64_t id = sqlite3_column_int64(sel, 0);
        const sh_job_type *t = sh_jobs_find_type(jobs, sh_db_column_text(sel, 1));
        bool cancel = sqlite3_column_int(sel, 2) != 0;
        bool resume = t && t->resumable && !cancel;
        if ((st = sh_db_prepare(db,
                                "UPDATE jobs SET status = ?2, updated_at = ?3,"
                                " attempts = CASE WHEN ?2 = 'queued' AND attempts > 0 THEN attempts - 1"
                                "  ELSE attempts END,"
                                " finished_at = CASE WHEN ?2 = 'queued' THEN NULL ELSE ?3 END,"
                                " message = ?4, error = CASE WHEN ?2 = 'failed' THEN ?4 ELSE error END"
                                " WHERE id = ?1",
                                &upd, err)) != SH_OK)
            goto out;
        const char *status = resume ? "queued" : cancel ? "cancelled" : "failed";
        const char *msg = resume   ? "interrupted by a daemon restart; re-queued to resume"
                          : cancel ? "cancel was requested before the daemon stopped"
                          : t      ? "interrupted: the daemon stopped while this job ran"
                                   : "interrupted, and this daemon has no job type of that name";
        sqlite3_bind_int64(upd, 1, id);
        sqlite3_bind_text(upd, 2, status, -1, SQLITE_STATIC);
        sqlite3_bind_int64(upd, 3, now);
        sqlite3_bind_text(upd, 4, msg, -1, SQLITE_STATIC);
        int urc = sh_db_step(db, upd, err);
        sqlite3_reset(upd);
        if (urc < 0) {
            st = err ? err->code : SH_ERR_DB;
            goto out;
        }
        sh_warn(LOG, "job %lld was running when the daemon stopped: %s", (long long)id, status);
        if (resume)
            (*requeued)++;
        else
            (*failed)++;
    }
    if (rc < 0)
        st = err ? err->code : SH_ERR_DB;
out:
    sqlite3_finalize(sel);
    if (st == SH_OK)
        return sh_db_commit(db, err);
    sh_db_rollback(db);
    return st;
}

sh_status sh_jobs_store_prune(sh_jobs *jobs, sh_db *db, int64_t now_ms, int *pruned, sh_error *err)
{
    *pruned = 0;
    sh_status st = sh_db_write_begin(db, err);
    sqlite3_stmt *s = NULL;
    if (st == SH_OK)
        st = sh_db_prepare(db,
                           "DELETE FROM jobs WHERE status IN ('completed', 'failed', 'cancelled')"
                           " AND finished_at IS NOT NULL AND finished_at < ?",
                           &s, err);
    if (st != SH_OK) {
        sh_db_rollback(db);
        return st;
    }
    sqlite3_bind_int64(s, 1, now_ms - (int64_t)jobs->retention_days * 86400 * 1000);
    return write_one(db, s, pruned, err);
}

sh_status sh_jobs_store_claim(sh_db *db, int64_t id, bool *claimed, int *attempts, int *max_attempts,
                              int64_t *schedule_id, sh_error *err)
{
    *claimed = false;
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *s = NULL;
    int64_t now = sh_now_ms();
    if ((st = sh_db_prepare(db,
                            "UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?2,"
                            " finished_at = NULL, updated_at = ?2"
                            /* The candidate list may be stale: the job may have run, failed and been
                             * re-queued with a backoff since it was read, so check not_before here too. */
                            " WHERE id = ?1 AND status = 'queued' AND not_before <= ?2"
                            " RETURNING attempts, max_attempts, schedule_id",
                            &s, err)) != SH_OK) {
        sh_db_rollback(db);
        return st;
    }
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    int rc = sh_db_step(db, s, err);
    if (rc == 1) {
        *claimed = true;
        *attempts = sqlite3_column_int(s, 0);
        *max_attempts = sqlite3_column_int(s, 1);
        *schedule_id = sqlite3_column_int64(s, 2);
        /* RETURNING rows must be stepped to completion before commit. */
        rc = sh_db_step(db, s, err) < 0 ? -1 : 1;
    }
    sqlite3_reset(s);
    if (rc < 0) {
        sh_db_rollback(db);
        return err ? err->code : SH_ERR_DB;
    }
    return sh_db_commit(db, err);
}

sh_status sh_jobs_store_fail_queued(sh_db *db, int64_t id, const char *error, sh_error *err)
{
    sh_status st = sh_db_write_begin(db, err);
    sqlite3_stmt *s = NULL;
    if (st == SH_OK)
        st = sh_db_prepare(db,
                           "UPDATE jobs SET status = 'failed', error = ?2, message = ?2, finished_at = ?3,"
                           " updated_at = ?3 WHERE id = ?1 AND status = 'queued'",
                           &s, err);
    if (st != SH_OK) {
        sh_db_rollback(db);
        return st;
    }
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, error, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, sh_now_ms());
    return write_one(db, s, NULL, err);
}

sh_status sh_jobs_store_finish(sh_db *db, int64_t id, const sh_jobs_outcome *o, sh_error *err)
{
    sh_status st = sh_db_write_begin(db, err);
    sqlite3_stmt *s = NULL;
    if (st == SH_OK)
        st = sh_db_prepare(db,
                           "UPDATE jobs SET status = ?2, done = ?3, total = ?4, message = ?5, error = ?6,"
                           " result = coalesce(?7, result), not_before = ?8, updated_at = ?9,"
                           " finished_at = CASE WHEN ?2 = 'queued' THEN NULL ELSE ?9 END,"
                           " attempts = CASE WHEN ?10 AND attempts > 0 THEN attempts - 1 ELSE attempts END,"
                           " cancel_requested = CASE WHEN ?2 = 'queued' THEN 0 ELSE cancel_requested END"
                           " WHERE id = ?1",
                           &s, err);
    if (st != SH_OK) {
        sh_db_rollback(db);
        return st;
    }
    int64_t now = sh_now_ms();
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, o->status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, o->done);
    sqlite3_bind_int64(s, 4, o->total);
    sh_db_bind_text_or_null(s, 5, o->message);
    sh_db_bind_text_or_null(s, 6, o->error);
    sh_db_bind_text(s, 7, o->result_json);
    sqlite3_bind_int64(s, 8, o->not_before_ms);
    sqlite3_bind_int64(s, 9, now);
    sqlite3_bind_int(s, 10, o->uncount_attempt);
    return write_one(db, s, NULL, err);
}

sh_status sh_jobs_store_progress(sh_db *db, int64_t id, int64_t done, int64_t total, const char *message,
                                 sh_error *err)
{
    sh_status st = sh_db_write_begin(db, err);
    sqlite3_stmt *s = NULL;
    if (st == SH_OK)
        st = sh_db_prepare(db,
                           "UPDATE jobs SET done = ?2, total = ?3, message = ?4, updated_at = ?5"
                           " WHERE id = ?1 AND status = 'running'",
                           &s, err);
    if (st != SH_OK) {
        sh_db_rollback(db);
        return st;
    }
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, done);
    sqlite3_bind_int64(s, 3, total);
    sh_db_bind_text_or_null(s, 4, message);
    sqlite3_bind_int64(s, 5, sh_now_ms());
    return write_one(db, s, NULL, err);
}
