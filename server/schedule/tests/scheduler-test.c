/* Scheduler slot logic with an injected clock: fires once per slot, never
 * twice, skips a slot while the previous run goes on, catches up one missed
 * slot after downtime (or none without catch_up), and the thread wakes on
 * kick.  Jobs are queued on a real queue that is not started, so they stay
 * 'queued' (i.e. still going) until a test finishes them by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "schedule/scheduler.h"

typedef struct fixture {
    char dir[256];
    sh_config cfg;
    sh_services svc;
    sh_jobs *jobs;
    sh_db *db;
} fixture;

#define T0 INT64_C(1800000000) /* 2027-01-15T08:00:00Z, a whole hour */

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    const char *base = getenv("STASHHOG_TEST_SCRATCH");
    char parent[200];
    snprintf(parent, sizeof parent, "%s", base ? base : "/tmp");
    sh_mkdir_p(parent, 0700, NULL);
    snprintf(f->dir, sizeof f->dir, "%s/sched-XXXXXX", parent);
    assert_non_null(mkdtemp(f->dir));
    char path[300];
    snprintf(path, sizeof path, "%s/test.db", f->dir);
    sh_config_init(&f->cfg);
    sh_error err = {0};
    assert_int_equal(sh_db_env_create(path, &f->svc.db, &err), SH_OK);
    f->svc.cfg = &f->cfg;
    assert_int_equal(sh_jobs_create(&f->svc, &f->jobs, &err), SH_OK);
    assert_int_equal(sh_jobs_register_debug(f->jobs, &err), SH_OK);
    assert_int_equal(sh_db_open(f->svc.db, false, &f->db, &err), SH_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sh_jobs_destroy(f->jobs);
    sh_db_close(f->db);
    sh_db_env_destroy(f->svc.db);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void add_schedule(fixture *f, const char *cron, int64_t interval_s, bool catch_up, int64_t created_s)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(sh_db_handle(f->db),
                                        "INSERT INTO schedules (id, name, job_type, params, cron, interval_s, catch_up,"
                                        " created_at, updated_at) VALUES (1, 'test', 'debug_sleep', '{}', ?, ?, ?, ?, ?)",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sh_db_bind_text(s, 1, cron);
    if (interval_s)
        sqlite3_bind_int64(s, 2, interval_s);
    sqlite3_bind_int(s, 3, catch_up);
    sqlite3_bind_int64(s, 4, created_s * 1000);
    sqlite3_bind_int64(s, 5, created_s * 1000);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
}

static int64_t q(fixture *f, const char *sql)
{
    int64_t v = -1;
    assert_int_equal(sh_db_query_int64(f->db, sql, &v, NULL), SH_OK);
    return v;
}

static int tick(fixture *f, int64_t now_s, int64_t *next)
{
    int fired = -1;
    int64_t n = 0;
    sh_error err = {0};
    assert_int_equal(sh_scheduler_tick(f->jobs, f->db, now_s, &n, &fired, &err), SH_OK);
    if (next)
        *next = n;
    return fired;
}

static void finish_jobs(fixture *f)
{
    assert_int_equal(sqlite3_exec(sh_db_handle(f->db),
                                  "UPDATE jobs SET status = 'completed', finished_at = 1 WHERE status = 'queued'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
}

static void test_next_slot(void **state)
{
    (void)state;
    int64_t next = 0;
    assert_int_equal(sh_schedule_next_slot(NULL, 900, T0, T0, &next, NULL), SH_OK);
    assert_int_equal(next, T0 + 900);
    assert_int_equal(sh_schedule_next_slot(NULL, 900, T0, T0 + 899, &next, NULL), SH_OK);
    assert_int_equal(next, T0 + 900);
    assert_int_equal(sh_schedule_next_slot(NULL, 900, T0, T0 + 900, &next, NULL), SH_OK);
    assert_int_equal(next, T0 + 1800);
    assert_int_equal(sh_schedule_next_slot("0 3 * * *", 0, 0, T0, &next, NULL), SH_OK);
    assert_int_equal(next, T0 + 19 * INT64_C(3600)); /* 08:00 -> 03:00 next day */
    assert_int_not_equal(sh_schedule_next_slot("0 24 * * *", 0, 0, T0, &next, NULL), SH_OK);
}

static void test_fires_once_per_slot(void **state)
{
    fixture *f = *state;
    add_schedule(f, NULL, 3600, true, T0 + 10);
    int64_t next = 0;
    assert_int_equal(tick(f, T0 + 60, &next), 0);
    assert_int_equal(next, T0 + 3610);
    assert_int_equal(tick(f, T0 + 3610, &next), 1);
    assert_int_equal(next, T0 + 7210);
    assert_int_equal(tick(f, T0 + 3610, NULL), 0); /* same slot: never twice */
    assert_int_equal(tick(f, T0 + 3650, NULL), 0);
    assert_int_equal(q(f, "SELECT count(*) FROM jobs WHERE schedule_id = 1"), 1);
    assert_int_equal(q(f, "SELECT last_slot FROM schedules WHERE id = 1"), T0 + 3610);
    assert_int_equal(q(f, "SELECT last_job_id FROM schedules WHERE id = 1"), q(f, "SELECT max(id) FROM jobs"));
    finish_jobs(f);
    assert_int_equal(tick(f, T0 + 7210, NULL), 1);
    assert_int_equal(q(f, "SELECT count(*) FROM jobs WHERE schedule_id = 1"), 2);
}

static void test_skip_while_running(void **state)
{
    fixture *f = *state;
    add_schedule(f, NULL, 3600, true, T0);
    assert_int_equal(tick(f, T0 + 3600, NULL), 1);
    /* The job is still queued at the next slot: skipped, and the slot is taken. */
    assert_int_equal(tick(f, T0 + 7200, NULL), 0);
    assert_int_equal(q(f, "SELECT last_slot FROM schedules WHERE id = 1"), T0 + 7200);
    finish_jobs(f);
    assert_int_equal(tick(f, T0 + 7230, NULL), 0); /* the skipped slot does not run late */
    assert_int_equal(tick(f, T0 + 10800, NULL), 1);
    assert_int_equal(q(f, "SELECT count(*) FROM jobs WHERE schedule_id = 1"), 2);
}

static void test_catch_up_once(void **state)
{
    fixture *f = *state;
    add_schedule(f, "0 * * * *", 0, true, T0 - 30);
    assert_int_equal(tick(f, T0, NULL), 1); /* 08:00 on time */
    finish_jobs(f);
    /* Down from 08:01 to 13:20: five slots missed, the latest (13:00) runs once. */
    int64_t next = 0;
    assert_int_equal(tick(f, T0 + 5 * INT64_C(3600) + 1200, &next), 1);
    assert_int_equal(q(f, "SELECT last_slot FROM schedules WHERE id = 1"), T0 + 5 * INT64_C(3600));
    assert_int_equal(next, T0 + 6 * INT64_C(3600));
    finish_jobs(f);
    assert_int_equal(tick(f, T0 + 5 * INT64_C(3600) + 1300, NULL), 0);
    assert_int_equal(q(f, "SELECT count(*) FROM jobs WHERE schedule_id = 1"), 2);
}

static void test_no_catch_up(void **state)
{
    fixture *f = *state;
    add_schedule(f, "*/15 * * * *", 0, false, T0 - 30);
    assert_int_equal(tick(f, T0 + 5, NULL), 1); /* within the grace: on time */
    finish_jobs(f);
    assert_int_equal(tick(f, T0 + 3 * INT64_C(3600) + 600, NULL), 0); /* missed: dropped */
    assert_int_equal(q(f, "SELECT last_slot FROM schedules WHERE id = 1"), T0 + 3 * INT64_C(3600));
    assert_int_equal(tick(f, T0 + 3 * INT64_C(3600) + 900, NULL), 1); /* the next one is on time */
    assert_int_equal(q(f, "SELECT count(*) FROM jobs WHERE schedule_id = 1"), 2);
}

static void test_disabled_and_new(void **state)
{
    fixture *f = *state;
    /* Created after its would-be slot: nothing before creation ever runs. */
    add_schedule(f, "0 * * * *", 0, true, T0 + 1);
    assert_int_equal(tick(f, T0 + 30, NULL), 0);
    assert_int_equal(sqlite3_exec(sh_db_handle(f->db), "UPDATE schedules SET enabled = 0", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(tick(f, T0 + 3600, NULL), 0);
    assert_int_equal(q(f, "SELECT count(*) FROM jobs"), 0);
}

static void test_run_now(void **state)
{
    fixture *f = *state;
    add_schedule(f, NULL, 86400, true, T0);
    int64_t job = 0;
    sh_error err = {0};
    assert_int_equal(sh_scheduler_run_now(f->jobs, f->db, 1, &job, &err), SH_OK);
    assert_true(job > 0);
    assert_int_equal(q(f, "SELECT schedule_id FROM jobs"), 1);
    assert_int_equal(q(f, "SELECT last_job_id FROM schedules"), job);
    assert_int_equal(sh_scheduler_run_now(f->jobs, f->db, 42, &job, &err), SH_ERR_NOT_FOUND);
}

static int64_t fake_now_ms(void *user)
{
    return *(int64_t *)user;
}

static void test_thread_fires_on_kick(void **state)
{
    fixture *f = *state;
    static int64_t now_ms = (T0 + 3600) * 1000;
    add_schedule(f, NULL, 3600, true, T0);
    sh_scheduler_options o = {.now_ms = fake_now_ms, .clock_user = &now_ms};
    sh_scheduler *s = NULL;
    sh_error err = {0};
    assert_int_equal(sh_scheduler_create(&f->svc, f->jobs, &o, &s, &err), SH_OK);
    assert_int_equal(sh_scheduler_start(s, &err), SH_OK);
    int64_t deadline = sh_monotonic_ms() + 3000;
    while (q(f, "SELECT count(*) FROM jobs") < 1 && sh_monotonic_ms() < deadline)
        sh_sleep_ms(10);
    assert_int_equal(q(f, "SELECT count(*) FROM jobs"), 1);
    finish_jobs(f);
    now_ms += INT64_C(3600) * 1000;
    sh_scheduler_kick(s);
    deadline = sh_monotonic_ms() + 3000;
    while (q(f, "SELECT count(*) FROM jobs") < 2 && sh_monotonic_ms() < deadline)
        sh_sleep_ms(10);
    assert_int_equal(q(f, "SELECT count(*) FROM jobs"), 2);
    int64_t t0 = sh_monotonic_ms();
    sh_scheduler_destroy(s);
    assert_true(sh_monotonic_ms() - t0 < 500); /* stop wakes the sleeping thread */
}

int main(void)
{
    setenv("TZ", "UTC", 1); /* cron slots are local time */
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_slot),
        cmocka_unit_test_setup_teardown(test_fires_once_per_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skip_while_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catch_up_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_catch_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_and_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_now, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_fires_on_kick, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
