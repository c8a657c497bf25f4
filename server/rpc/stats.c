/* stats.c - library health figures for `stashhogctl stats` and the GUI dashboard. */
#include <stdio.h>
#include <time.h>

#include "jobs/jobs.h"
#include "rpc/handlers.h"
#include "sh-util.h"

#define DAY_MS (86400LL * 1000)

/* A change counts as applied by its status alone, the same rule as the
 * plan's own summary (plan-store.c), so the dashboard and the plan always
 * agree.  Its day is its applied_at; a row without one (written by a path
 * that set the status only) falls back to its plan's apply time instead of
 * silently dropping out of the figures. */
#define CHANGE_APPLIED_AT "coalesce(c.applied_at, p.applied_at, p.updated_at)"

static int64_t count_of(sh_db *db, const char *sql)
{
    int64_t n = 0;
    return sh_db_query_int64(db, sql, &n, NULL) == SH_OK ? n : 0;
}

static void day_name(int64_t day_index, char out[16])
{
    time_t t = (time_t)(day_index * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

/* Applied changes per UTC day over the window, zero days included. */
static sh_status changes_per_day(sh_rpc_call *call, sh_db *db, int days, Stashhog__StatsReply *r,
                                 sh_error *err)
{
    int64_t today = sh_now_ms() / DAY_MS, first = today - days + 1;
    Stashhog__DayCount **v = (Stashhog__DayCount **)sh_arena_ptrs(call->arena, (size_t)days);
    if (!v)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    for (int i = 0; i < days; i++) {
        Stashhog__DayCount *d = SH_ARENA_NEW(call->arena, Stashhog__DayCount);
        char name[16];
        day_name(first + i, name);
        if (!d)
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        stashhog__day_count__init(d);
        if (!(d->day = sh_arena_strdup(call->arena, name)))
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        v[i] = d;
    }
    r->changes_per_day = v;
    r->n_changes_per_day = (size_t)days;
    sqlite3_stmt *s = NULL;
    sh_status st =
        sh_db_prepare(db,
                      "SELECT " CHANGE_APPLIED_AT " / 86400000 AS day, count(*) FROM plan_changes c "
                      "JOIN plans p ON p.id = c.plan_id "
                      "WHERE c.status IN ('applied', 'rolled_back') AND " CHANGE_APPLIED_AT " >= ? "
                      "GROUP BY day",
                      &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, first * DAY_MS);
    while (sqlite3_step(s) == SQLITE_ROW) {
        int64_t day = sqlite3_column_int64(s, 0);
        if (day >= first && day <= today)
            v[day - first]->count = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    return SH_OK;
}

static sh_status job_counts(sh_rpc_call *call, sh_db *db, Stashhog__StatsReply *r, sh_error *err)
{
    int64_t groups =
        count_of(db, "SELECT count(*) FROM (SELECT 1 FROM jobs GROUP BY type, status)");
    Stashhog__JobCount **v = (Stashhog__JobCount **)sh_arena_ptrs(call->arena, (size_t)groups + 1);
    sqlite3_stmt *s = NULL;
    if (!v)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = sh_db_prepare(
        db, "SELECT type, status, count(*) FROM jobs GROUP BY type, status ORDER BY 1, 2", &s, err);
    if (st != SH_OK)
        return st;
    size_t n = 0;
    while (n < (size_t)groups && sqlite3_step(s) == SQLITE_ROW) {
        int status = sh_jobs_status_from_text(sh_db_column_text(s, 1));
        Stashhog__JobCount *c = SH_ARENA_NEW(call->arena, Stashhog__JobCount);
        if (!c) {
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
            break;
        }
        stashhog__job_count__init(c);
        c->type = sh_arena_strdup(call->arena, sh_db_column_text(s, 0));
        c->status =
            status < 0 ? STASHHOG__JOB_STATUS__JOB_STATUS_QUEUED : (Stashhog__JobStatus)status;
        c->count = sqlite3_column_int64(s, 2);
        if (status >= 0)
            v[n++] = c;
    }
    sqlite3_reset(s);
    r->jobs = v;
    r->n_jobs = n;
    return st;
}

sh_status sh_rpc_stats(sh_rpc_call *call, sh_services *svc, sh_rpc_worker *w, sh_error *err)
{
    (void)svc;
    const Stashhog__StatsRequest *req = call->request->stats;
    int days = req && req->has_days ? req->days : 30;
    if (days < 1 || days > 366)
        return sh_error_set(err, SH_ERR_INVALID, "stats: days must be 1 to 366");
    Stashhog__StatsReply *r = SH_ARENA_NEW(call->arena, Stashhog__StatsReply);
    if (!r)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    stashhog__stats_reply__init(r);
    sh_db *db = w->ro;
    sh_status st = sh_db_read_begin(db, err);
    if (st != SH_OK)
        return st;
    /* "Missing" has the same meaning as the browse filter's MissingField. */
    r->scenes_total = count_of(db, "SELECT count(*) FROM scenes");
    r->has_missing_studio = r->has_missing_performers = r->has_missing_tags = 1;
    r->has_missing_date = r->has_missing_title = r->has_unorganized = 1;
    r->missing_studio = count_of(db, "SELECT count(*) FROM scenes WHERE studio_id IS NULL");
    r->missing_performers =
        count_of(db, "SELECT count(*) FROM scenes s WHERE NOT EXISTS "
                     "(SELECT 1 FROM scene_performers p WHERE p.scene_id = s.id)");
    r->missing_tags = count_of(db, "SELECT count(*) FROM scenes s WHERE NOT EXISTS "
                                   "(SELECT 1 FROM scene_tags t WHERE t.scene_id = s.id)");
    r->missing_date = count_of(db, "SELECT count(*) FROM scenes WHERE date IS NULL OR date = ''");
    r->missing_title =
        count_of(db, "SELECT count(*) FROM scenes WHERE title IS NULL OR title = ''");
    r->unorganized = count_of(db, "SELECT count(*) FROM scenes WHERE organized = 0");
    r->has_performers = r->has_studios = r->has_tags = r->has_plans = 1;
    r->performers = count_of(db, "SELECT count(*) FROM performers");
    r->studios = count_of(db, "SELECT count(*) FROM studios");
    r->tags = count_of(db, "SELECT count(*) FROM tags");
    r->plans = count_of(db, "SELECT count(*) FROM plans");
    r->has_changes_applied_total = 1;
    r->changes_applied_total =
        count_of(db, "SELECT count(*) FROM plan_changes WHERE status IN ('applied', 'rolled_back')");
    sqlite3_stmt *s = NULL;
    if ((st = sh_db_prepare(
             db,
             "SELECT coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), "
             "coalesce(sum(cost_usd), 0) FROM plans",
             &s, err)) == SH_OK) {
        if (sqlite3_step(s) == SQLITE_ROW) {
            r->has_llm_prompt_tokens = r->has_llm_completion_tokens = r->has_llm_cost_usd = 1;
            r->llm_prompt_tokens = sqlite3_column_int64(s, 0);
            r->llm_completion_tokens = sqlite3_column_int64(s, 1);
            r->llm_cost_usd = sqlite3_column_double(s, 2);
        }
        sqlite3_reset(s);
    }
    if (st == SH_OK)
        st = changes_per_day(call, db, days, r, err);
    if (st == SH_OK)
        st = job_counts(call, db, r, err);
    sh_db_commit(db, NULL);
    if (st != SH_OK)
        return st;
    call->reply->body_case = STASHHOG__REPLY__BODY_STATS;
    call->reply->stats = r;
    return st;
}
