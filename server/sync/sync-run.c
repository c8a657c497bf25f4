/* sync-run.c - one sync run: its sync_runs row, the Stash client, and the
 * order of the passes.  Also the small helpers the passes share. */
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics/metrics.h"
#include "sh-log.h"
#include "sh-util.h"
#include "sync/sync-internal.h"

#define LOG "sync"

const char *sh_sync_kind_name(sh_sync_kind kind)
{
    static const char *const names[] = {"full", "incremental", "scene", "entities"};
    return (unsigned)kind < 4 ? names[kind] : "?";
}

/* ---------------------------------------------------------------- timestamps */

/* n decimal digits at s; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)": the wall-clock fields, the
 * zone text and its offset in seconds. */
static bool parse_ts(const char *ts, struct tm *tm, const char **zone, int *offset_s)
{
    if (!ts || strlen(ts) < 20 || ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' || ts[13] != ':' || ts[16] != ':')
        return false;
    int f[6] = {digits(ts, 4), digits(ts + 5, 2), digits(ts + 8, 2), digits(ts + 11, 2), digits(ts + 14, 2),
                digits(ts + 17, 2)};
    for (int i = 0; i < 6; i++)
        if (f[i] < 0)
            return false;
    const char *z = ts + 19;
    if (*z == '.') /* fractional seconds: dropping them only moves earlier */
        for (z++; *z >= '0' && *z <= '9'; z++)
            ;
    *offset_s = 0;
    if ((z[0] == '+' || z[0] == '-') && strlen(z) == 6 && z[3] == ':') {
        int oh = digits(z + 1, 2), om = digits(z + 4, 2);
        if (oh < 0 || om < 0)
            return false;
        *offset_s = (z[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else if (strcmp(z, "Z") != 0) {
        return false;
    }
    *tm = (struct tm){.tm_year = f[0] - 1900, .tm_mon = f[1] - 1, .tm_mday = f[2], .tm_hour = f[3],
                      .tm_min = f[4], .tm_sec = f[5]};
    *zone = z;
    return true;
}

bool sh_sync_timestamp_minus(const char *ts, int seconds, char *out, size_t len)
{
    struct tm tm;
    const char *zone = NULL;
    int offset = 0;
    if (!parse_ts(ts, &tm, &zone, &offset))
        return false;
    /* The wall-clock fields move back; the offset text stays as Stash wrote it,
     * so the result compares correctly as a string against Stash's column. */
    time_t t = timegm(&tm) - seconds;
    struct tm back;
    if (!gmtime_r(&t, &back))
        return false;
    int w = snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d%s", back.tm_year + 1900, back.tm_mon + 1,
                     back.tm_mday, back.tm_hour, back.tm_min, back.tm_sec, zone);
    return w > 0 && (size_t)w < len;
}

static bool ts_epoch(const char *ts, int64_t *out)
{
    struct tm tm;
    const char *zone = NULL;
    int offset = 0;
    if (!parse_ts(ts, &tm, &zone, &offset))
        return false;
    *out = (int64_t)timegm(&tm) - offset;
    return true;
}

sh_status sync_state_since(sh_db *db, const char *kind, char *wm, size_t len, json_t **since, sh_error *err)
{
    *since = NULL;
    wm[0] = '\0';
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, "SELECT watermark, updated_at FROM sync_state WHERE kind = ?1", &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
    int rc = sh_db_step(db, stmt, err);
    int64_t recorded_ms = 0;
    if (rc > 0 && sh_db_column_text(stmt, 0)) {
        sh_strlcpy(wm, sh_db_column_text(stmt, 0), len);
        recorded_ms = sqlite3_column_int64(stmt, 1);
    }
    sqlite3_reset(stmt);
    if (rc < 0)
        return SH_ERR_DB;
    if (!wm[0])
        return SH_OK;
    int64_t epoch = 0;
    /* Ten minutes also absorbs clock skew between Stash's host and ours. */
    if (ts_epoch(wm, &epoch) && recorded_ms / 1000 - epoch > 600) {
        *since = json_pack("{s:s,s:s}", "value", wm, "modifier", "GREATER_THAN");
        return *since ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    *since = sync_since_criterion(wm);
    return *since ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
}

json_t *sync_since_criterion(const char *watermark)
{
    char since[64];
    if (sh_str_empty(watermark))
        return NULL;
    if (!sh_sync_timestamp_minus(watermark, SYNC_MARGIN_S, since, sizeof since))
        sh_strlcpy(since, watermark, sizeof since);
    return json_pack("{s:s,s:s}", "value", since, "modifier", "GREATER_THAN");
}

/* ---------------------------------------------------------------- helpers */

bool sync_cancelled(sync_ctx *c)
{
    return atomic_load(&c->abort) || (c->opt->cancelled && c->opt->cancelled(c->opt->cancel_user));
}

int sync_cancel_cb(void *ctx)
{
    return sync_cancelled(ctx);
}

sh_status sync_execute(sync_ctx *c, const char *op, json_t *vars, json_t **data, sh_error *err)
{
    return sync_execute_on(c, c->client, op, vars, data, err);
}

sh_status sync_execute_on(sync_ctx *c, sh_stash_client *client, const char *op, json_t *vars, json_t **data,
                          sh_error *err)
{
    sh_status st = SH_OK;
    for (int round = 0; round < 4; round++) {
        st = sh_stash_execute(client, op, vars, data, err);
        if (st == SH_OK || !(sh_status_is_transient(st) || st == SH_ERR_PROTOCOL) || sync_cancelled(c))
            break;
        sh_warn(LOG, "%s: %s; trying again", op, sh_error_message(err));
        for (int i = 0; i < 10 * (round + 1) && !sync_cancelled(c); i++)
            sh_sleep_ms(100);
    }
    if (st != SH_OK && sync_cancelled(c) && !atomic_load(&c->abort))
        st = sh_error_set(err, SH_ERR_CANCELLED, "sync cancelled");
    return st;
}

void sync_progress(sync_ctx *c, const char *fmt, ...)
{
    if (!c->opt->progress)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->opt->progress(c->opt->progress_user, c->done, c->total, msg);
}

sh_status sync_fetch_stats(sync_ctx *c, sh_error *err)
{
    static const char *const keys[4] = {"scene_count", "performer_count", "studio_count", "tag_count"};
    json_t *data = NULL;
    sh_status st = sync_execute(c, "Stats", NULL, &data, err);
    if (st != SH_OK)
        return st;
    json_t *stats = json_object_get(data, "stats");
    for (int i = 0; i < 4; i++) {
        json_t *v = json_object_get(stats, keys[i]);
        c->stash_counts[i] = json_is_integer(v) ? json_integer_value(v) : -1;
    }
    json_decref(data);
    return SH_OK;
}

/* ---------------------------------------------------------------- sync_state */

sh_status sync_state_get(sh_db *db, const char *kind, char *watermark, size_t len, int64_t *cursor,
                         bool *exists, sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, "SELECT watermark, cursor_id FROM sync_state WHERE kind = ?1", &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
    int rc = sh_db_step(db, stmt, err);
    if (watermark)
        sh_strlcpy(watermark, rc > 0 && sh_db_column_text(stmt, 0) ? sh_db_column_text(stmt, 0) : "", len);
    if (cursor)
        *cursor = rc > 0 ? sqlite3_column_int64(stmt, 1) : 0;
    if (exists)
        *exists = rc > 0;
    sqlite3_reset(stmt);
    return rc < 0 ? SH_ERR_DB : SH_OK;
}

sh_status sync_state_put(sh_db *db, const char *kind, const char *watermark, int64_t cursor, sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db,
                                 "INSERT OR REPLACE INTO sync_state (kind, watermark, cursor_id, updated_at) "
                                 "VALUES (?1, ?2, ?3, ?4)",
                                 &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
    sh_db_bind_text_or_null(stmt, 2, watermark);
    sh_db_bind_id_or_null(stmt, 3, cursor);
    sqlite3_bind_int64(stmt, 4, sh_now_ms());
    int rc = sh_db_step(db, stmt, err);
    sqlite3_reset(stmt);
    return rc < 0 ? SH_ERR_DB : SH_OK;
}

sh_status sync_state_delete(sh_db *db, const char *kind, sh_error *err)
{
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(db, "DELETE FROM sync_state WHERE kind = ?1", &stmt, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
    int rc = sh_db_step(db, stmt, err);
    sqlite3_reset(stmt);
    return rc < 0 ? SH_ERR_DB : SH_OK;
}

/* ---------------------------------------------------------------- sync_runs */

static sh_status run_begin(sh_db *db, const sh_sync_options *opt, int64_t *run_id, sh_error *err)
{
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *stmt = NULL;
    /* Syncs never overlap (one exclusivity key): a 'running' row is a crash's. */
    if ((st = sh_db_prepare(db,
                            "UPDATE sync_runs SET status = 'interrupted', "
                            " finished_at = coalesce(finished_at, ?1) WHERE status = 'running'",
                            &stmt, err)) != SH_OK)
        goto fail;
    sqlite3_bind_int64(stmt, 1, sh_now_ms());
    if (sh_db_step(db, stmt, err) < 0) {
        st = SH_ERR_DB;
        goto fail;
    }
    if ((st = sh_db_prepare(db,
                            "INSERT INTO sync_runs (kind, job_id, status, started_at) VALUES (?1, ?2, 'running', ?3)",
                            &stmt, err)) != SH_OK)
        goto fail;
    sqlite3_bind_text(stmt, 1, sh_sync_kind_name(opt->kind), -1, SQLITE_STATIC);
    sh_db_bind_id_or_null(stmt, 2, opt->job_id);
    sqlite3_bind_int64(stmt, 3, sh_now_ms());
    if (sh_db_step(db, stmt, err) < 0) {
        st = SH_ERR_DB;
        goto fail;
    }
    *run_id = sqlite3_last_insert_rowid(sh_db_handle(db));
    return sh_db_commit(db, err);
fail:
    sh_db_rollback(db);
    return st;
}

static void run_end(sh_db *db, int64_t run_id, sh_status result, const sh_error *run_err,
                    const sh_sync_result *r)
{
    sh_error err = {0};
    const char *status = result == SH_OK ? "completed" : result == SH_ERR_CANCELLED ? "cancelled" : "failed";
    sqlite3_stmt *stmt = NULL;
    if (sh_db_write_begin(db, &err) != SH_OK)
        goto fail;
    if (sh_db_prepare(db,
                      "UPDATE sync_runs SET status = ?2, finished_at = ?3, scenes_upserted = ?4, "
                      " scenes_deleted = ?5, performers = ?6, studios = ?7, tags = ?8, requests = ?9, "
                      " watermark = ?10, error = ?11 WHERE id = ?1",
                      &stmt, &err) != SH_OK) {
        sh_db_rollback(db);
        goto fail;
    }
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_text(stmt, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, sh_now_ms());
    sqlite3_bind_int64(stmt, 4, r->counts.scenes_upserted);
    sqlite3_bind_int64(stmt, 5, r->counts.scenes_deleted);
    sqlite3_bind_int64(stmt, 6, r->counts.performers);
    sqlite3_bind_int64(stmt, 7, r->counts.studios);
    sqlite3_bind_int64(stmt, 8, r->counts.tags);
    sqlite3_bind_int64(stmt, 9, r->counts.requests);
    sh_db_bind_text_or_null(stmt, 10, r->watermark);
    if (result != SH_OK)
        sqlite3_bind_text(stmt, 11, sh_error_message(run_err), -1, SQLITE_TRANSIENT);
    int rc = sh_db_step(db, stmt, &err);
    sqlite3_reset(stmt);
    if (rc < 0) {
        sh_db_rollback(db);
        goto fail;
    }
    if (sh_db_commit(db, &err) == SH_OK)
        return;
fail:
    sh_warn(LOG, "cannot record the end of sync run %lld: %s", (long long)run_id, sh_error_message(&err));
}

/* ---------------------------------------------------------------- the run */

static sh_status run_passes(sync_ctx *c, sh_sync_result *out, sh_error *err)
{
    const sh_sync_options *opt = c->opt;
    sh_status st = SH_OK;
    switch (opt->kind) {
    case SH_SYNC_FULL: {
        /* Scene pages download while entities sync; pages are stored only
         * after the entities, whose names the full-text rows carry. */
        sync_full *f = NULL;
        if ((st = sync_full_begin(c, &f, err)) != SH_OK)
            return st;
        if ((st = sync_fetch_stats(c, err)) == SH_OK) {
            c->total = c->stash_counts[0] > 0 ? c->stash_counts[0] : 0;
            sync_progress(c, "syncing performers, studios and tags");
            st = sync_entities(c, true, err);
        }
        if (st != SH_OK) {
            sync_full_abort(c, f);
            return st;
        }
        return sync_full_finish(c, f, err);
    }
    case SH_SYNC_INCREMENTAL:
        if ((st = sync_fetch_stats(c, err)) != SH_OK)
            return st;
        if ((st = sync_entities(c, false, err)) != SH_OK)
            return st;
        return sync_scenes_incremental(c, err);
    case SH_SYNC_SCENE:
        c->total = 1;
        if (opt->scene_id <= 0)
            return sh_error_set(err, SH_ERR_INVALID, "sync scene needs a scene id");
        st = sync_scene_one(c, opt->scene_id, &out->scene_missing, err);
        c->done = 1;
        return st;
    case SH_SYNC_ENTITIES:
        return sync_entities(c, true, err);
    }
    return sh_error_set(err, SH_ERR_INVALID, "unknown sync kind %d", (int)opt->kind);
}

sh_status sh_sync_run(const sh_sync_options *opt, sh_sync_result *out, sh_error *err)
{
    memset(out, 0, sizeof *out);
    if ((unsigned)opt->kind > SH_SYNC_ENTITIES)
        return sh_error_set(err, SH_ERR_INVALID, "unknown sync kind %d", (int)opt->kind);
    sync_ctx c = {.opt = opt, .db = opt->db, .counts = &out->counts, .synced_at = sh_now_ms()};
    atomic_init(&c.abort, false);
    c.page_size = opt->page_size > 0 && opt->page_size <= 1000 ? opt->page_size : 500;
    for (int i = 0; i < 4; i++)
        c.stash_counts[i] = -1;
    sh_status st = run_begin(opt->db, opt, &out->run_id, err);
    if (st != SH_OK)
        return st;
    int64_t t0 = sh_monotonic_ms();
    sh_info(LOG, "run %lld: %s sync started", (long long)out->run_id, sh_sync_kind_name(opt->kind));
    sh_stash_config cfg = *opt->stash;
    cfg.cancelled = sync_cancel_cb;
    cfg.cancel_user_data = &c;
    sh_error run_err = {0};
    if ((st = sh_stash_client_create(&cfg, &c.client, &run_err)) == SH_OK &&
        (st = sh_stash_client_create(&cfg, &c.fetch_client, &run_err)) == SH_OK)
        st = run_passes(&c, out, &run_err);
    for (int i = 0; i < 2; i++) {
        sh_stash_client *cl = i == 0 ? c.client : c.fetch_client;
        sh_stash_client_stats cs;
        if (!cl)
            continue;
        sh_stash_client_get_stats(cl, &cs);
        sh_metrics_stash_client(&cs);
        out->counts.requests += (int64_t)cs.requests;
        sh_stash_client_destroy(cl);
    }
    /* The newest watermark this run left behind, for history. */
    sync_state_get(opt->db, "scenes", out->watermark, sizeof out->watermark, NULL, NULL, NULL);
    run_end(opt->db, out->run_id, st, &run_err, out);
    /* A full sync churns through many pages: hand the page cache and the
     * freed heap back, so an idle daemon stays small. */
    sqlite3_db_release_memory(sh_db_handle(opt->db));
    malloc_trim(0);
    const sh_sync_counts *n = &out->counts;
    if (st == SH_OK)
        sh_info(LOG,
                "run %lld: %s sync completed in %lld ms: %lld scenes written, %lld removed, "
                "%lld performers, %lld studios, %lld tags, %lld requests",
                (long long)out->run_id, sh_sync_kind_name(opt->kind), (long long)(sh_monotonic_ms() - t0),
                (long long)n->scenes_upserted, (long long)n->scenes_deleted, (long long)n->performers,
                (long long)n->studios, (long long)n->tags, (long long)n->requests);
    else
        sh_warn(LOG, "run %lld: %s sync %s: %s", (long long)out->run_id, sh_sync_kind_name(opt->kind),
                st == SH_ERR_CANCELLED ? "cancelled" : "failed", sh_error_message(&run_err));
    if (st != SH_OK && err)
        *err = run_err;
    return st;
}
