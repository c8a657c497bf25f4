/* scheduler.h - fires scheduled jobs at their cron or interval slots.
 *
 * Threading: one scheduler thread with its own read-write connection.  It
 * runs a pass (sh_scheduler_tick) and then sleeps on a condition variable
 * until the earliest next slot (at most a minute, to follow wall-clock
 * changes), or until sh_scheduler_kick() (schedules changed) or stop.
 *
 * Slot rules, per enabled schedule (slots are Unix seconds; cron in local
 * time, intervals counted from the schedule's creation):
 *  - a slot fires at most once: schedules.last_slot is advanced in the same
 *    transaction that queues the job;
 *  - a slot that comes while the schedule's previous job is still queued or
 *    running is skipped (and recorded as taken);
 *  - after downtime, the latest missed slot runs once if catch_up is set
 *    (older missed slots are dropped), and none run if it is not;
 *  - a new schedule (or one re-enabled or edited) has no slots before that.
 * The pass is a pure function of the database and `now`, so tests drive it
 * with an injected clock and no thread. */
#ifndef SH_SCHEDULE_SCHEDULER_H
#define SH_SCHEDULE_SCHEDULER_H

#include <stdint.h>

#include "db/db.h"
#include "jobs/jobs.h"
#include "services.h"
#include "sh-error.h"

/* A slot younger than this is on time; older ones count as missed. */
#define SH_SCHEDULER_GRACE_S 90

typedef struct sh_scheduler_options {
    int64_t (*now_ms)(void *user); /* wall clock; NULL = sh_now_ms */
    void *clock_user;
} sh_scheduler_options;

sh_status sh_scheduler_create(sh_services *svc, sh_jobs *jobs, const sh_scheduler_options *opts,
                              sh_scheduler **out, sh_error *err);
sh_status sh_scheduler_start(sh_scheduler *s, sh_error *err);
/* Re-plan now (a schedule was created, edited, enabled or deleted).  NULL-safe. */
void sh_scheduler_kick(sh_scheduler *s);
void sh_scheduler_stop(sh_scheduler *s);
void sh_scheduler_destroy(sh_scheduler *s);

/* One pass at now_s using db: fires due schedules and stores each one's
 * next_run_at.  *next_s is the earliest upcoming slot (0 = none); *fired
 * counts queued jobs (either may be NULL). */
sh_status sh_scheduler_tick(sh_jobs *jobs, sh_db *db, int64_t now_s, int64_t *next_s, int *fired,
                            sh_error *err);

/* First slot strictly after after_s: cron (5 fields, local time) or, when
 * cron is NULL, every interval_s seconds counted from anchor_s. */
sh_status sh_schedule_next_slot(const char *cron, int64_t interval_s, int64_t anchor_s, int64_t after_s,
                                int64_t *next_s, sh_error *err);

/* Queue a schedule's job now, outside its slots (`schedules run ID`). */
sh_status sh_scheduler_run_now(sh_jobs *jobs, sh_db *db, int64_t schedule_id, int64_t *job_id, sh_error *err);

#endif
