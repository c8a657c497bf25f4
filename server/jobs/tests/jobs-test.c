/* The job queue end to end on a real database and publisher: ordering and
 * exclusivity, cancel latency, retry with backoff, event throttling, clean
 * stop, crash recovery, retry-as-new-job and pruning. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "jobs/jobs-internal.h"
#include "sh-pubsub.h"

typedef struct fixture {
    char dir[256];
    sh_config cfg;
    sh_services svc;
    sh_jobs *jobs;
    sh_db *db;
    char events_url[320];
} fixture;

/* t_record: records start/end times; params {key, ms}. */
static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int64_t id, start, end;
} rec[16];
static int n_rec, running_with_key, max_running_with_key;

static bool record_key(const json_t *params, char *key, size_t len)
{
    const char *k = json_string_value(json_object_get(params, "key"));
    return k && sh_strlcpy(key, k, len) == 0;
}

static sh_status record_run(sh_job_ctx *ctx, sh_error *err)
{
    (void)err;
    bool keyed = json_object_get(sh_job_params(ctx), "key") != NULL;
    pthread_mutex_lock(&rec_lock);
    int i = n_rec++;
    rec[i].id = sh_job_id(ctx);
    rec[i].start = sh_monotonic_ms();
    if (keyed && ++running_with_key > max_running_with_key)
        max_running_with_key = running_with_key;
    pthread_mutex_unlock(&rec_lock);
    sh_sleep_ms(json_integer_value(json_object_get(sh_job_params(ctx), "ms")));
    pthread_mutex_lock(&rec_lock);
    rec[i].end = sh_monotonic_ms();
    if (keyed)
        running_with_key--;
    pthread_mutex_unlock(&rec_lock);
    return SH_OK;
}

static sh_status once_run(sh_job_ctx *ctx, sh_error *err)
{
    (void)ctx;
    (void)err;
    return SH_OK;
}

static const sh_job_type record_type = {.name = "t_record", .run = record_run, .exclusivity_key = record_key};
static const sh_job_type once_type = {.name = "t_once", .run = once_run, .resumable = false};

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    const char *base = getenv("STASHHOG_TEST_SCRATCH");
    char parent[200];
    snprintf(parent, sizeof parent, "%s", base ? base : "/tmp");
    sh_mkdir_p(parent, 0700, NULL);
    snprintf(f->dir, sizeof f->dir, "%s/jobs-XXXXXX", parent);
    assert_non_null(mkdtemp(f->dir));
    char path[300];
    snprintf(path, sizeof path, "%s/test.db", f->dir);
    sh_config_init(&f->cfg);
    f->cfg.job_workers = 2;
    f->cfg.job_max_attempts = 3;
    sh_error err = {0};
    assert_int_equal(sh_db_env_create(path, &f->svc.db, &err), SH_OK);
    snprintf(f->events_url, sizeof f->events_url, "ipc://%s/ev.sock", f->dir);
    const char *urls[] = {f->events_url};
    assert_int_equal(sh_publisher_create(urls, 1, &f->svc.events, &err), SH_OK);
    f->svc.cfg = &f->cfg;
    assert_int_equal(sh_jobs_create(&f->svc, &f->jobs, &err), SH_OK);
    f->svc.jobs = f->jobs;
    assert_int_equal(sh_jobs_register_debug(f->jobs, &err), SH_OK);
    assert_int_equal(sh_jobs_register(f->jobs, &record_type, &err), SH_OK);
    assert_int_equal(sh_jobs_register(f->jobs, &once_type, &err), SH_OK);
    sh_jobs_set_backoff(f->jobs, 50, 200);
    assert_int_equal(sh_db_open(f->svc.db, false, &f->db, &err), SH_OK);
    n_rec = running_with_key = max_running_with_key = 0;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sh_jobs_destroy(f->jobs);
    sh_db_close(f->db);
    sh_publisher_destroy(f->svc.events);
    sh_db_env_destroy(f->svc.db);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static int64_t submit(fixture *f, const char *type, const char *params_json)
{
    json_t *p = json_loads(params_json, 0, NULL);
    assert_non_null(p);
    sh_job_submit req = {.type = type, .params = p};
    int64_t id = 0;
    sh_error err = {0};
    assert_int_equal(sh_jobs_submit(f->jobs, f->db, &req, &id, &err), SH_OK);
    json_decref(p);
    return id;
}

static Stashhog__JobStatus status_of(fixture *f, int64_t id, Stashhog__Job *copy)
{
    sh_arena *a = sh_arena_create();
    Stashhog__Job *j = NULL;
    assert_int_equal(sh_jobs_get(f->jobs, f->db, id, a, &j, NULL), SH_OK);
    Stashhog__JobStatus st = j->status;
    if (copy) {
        *copy = *j;
        copy->type = copy->message = copy->error = copy->params_json = copy->result_json = NULL;
    }
    sh_arena_destroy(a);
    return st;
}

static void wait_status(fixture *f, int64_t id, Stashhog__JobStatus want, int timeout_ms)
{
    int64_t end = sh_monotonic_ms() + timeout_ms;
    while (status_of(f, id, NULL) != want) {
        if (sh_monotonic_ms() > end)
            fail_msg("job %lld did not reach status %d (is %d)", (long long)id, want, status_of(f, id, NULL));
        sh_sleep_ms(5);
    }
}

static void test_order_and_exclusivity(void **state)
{
    fixture *f = *state;
    sh_error err = {0};
    int64_t a = submit(f, "t_record", "{\"key\":\"k\",\"ms\":300}");
    int64_t b = submit(f, "t_record", "{\"key\":\"k\",\"ms\":100}");
    int64_t c = submit(f, "t_record", "{\"ms\":50}");
    assert_int_equal(sh_jobs_start(f->jobs, &err), SH_OK);
    wait_status(f, b, STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED, 5000);
    wait_status(f, c, STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED, 5000);
    assert_int_equal(n_rec, 3);
    assert_int_equal(max_running_with_key, 1);
    int ia = -1, ib = -1, ic = -1;
    for (int i = 0; i < 3; i++)
        *(rec[i].id == a ? &ia : rec[i].id == b ? &ib : &ic) = i;
    assert_true(ia >= 0 && ib >= 0 && ic >= 0);
    /* a first (id order); b waits for a's key; c, unkeyed, overtakes b. */
    assert_true(rec[ib].start >= rec[ia].end);
    assert_true(rec[ic].start < rec[ia].end);
}

static void test_cancel_latency(void **state)
{
    fixture *f = *state;
    sh_error err = {0};
    assert_int_equal(sh_jobs_start(f->jobs, &err), SH_OK);
    int64_t id = submit(f, "debug_sleep", "{\"seconds\":30,\"steps\":3}");
    wait_status(f, id, STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING, 3000);
    int64_t t0 = sh_monotonic_ms();
    assert_int_equal(sh_jobs_cancel(f->jobs, f->db, id, &err), SH_OK);
    wait_status(f, id, STASHHOG__JOB_STATUS__JOB_STATUS_CANCELLED, 1000);
    int64_t latency = sh_monotonic_ms() - t0;
    printf("cancel latency: %lld ms\n", (long long)latency);
    assert_true(latency < 1000);
    /* Cancelling a finished job is a conflict; a queued one is cancelled at once. */
    assert_int_equal(sh_jobs_cancel(f->jobs, f->db, id, &err), SH_ERR_CONFLICT);
    assert_int_equal(sh_jobs_cancel(f->jobs, f->db, 9999, &err), SH_ERR_NOT_FOUND);
}

static void test_cancel_queued(void **state)
{
    fixture *f = *state;
    sh_error err = {0};
    int64_t id = submit(f, "debug_sleep", "{\"seconds\":1}"); /* not started: stays queued */
    assert_int_equal(sh_jobs_cancel(f->jobs, f->db, id, &err), SH_OK);
    assert_int_equal(status_of(f, id, NULL), STASHHOG__JOB_STATUS__JOB_STATUS_CANCELLED);
}

static void test_retry_backoff(void **state)
{
    fixture *f = *state;
    sh_error err = {0};
    assert_int_equal(sh_jobs_start(f->jobs, &err), SH_OK);
    /* t0 before the first submit: its first attempt may fail before the next submits return. */
    int64_t t0 = sh_monotonic_ms();
    int64_t ok = submit(f, "debug_sleep", "{\"seconds\":0,\"steps\":1,\"fail_times\":2}");
    int64_t gives_up = submit(f, "debug_sleep", "{\"seconds\":0,\"steps\":1,\"fail_times\":5}");
    int64_t hard = submit(f, "debug_sleep", "{\"seconds\":0,\"steps\":1,\"fail_hard\":true}");
    wait_status(f, ok, STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED, 5000);
    /* Two backoffs of 50 and 100 ms must have passed. */
    assert_true(sh_monotonic_ms() - t0 >= 150);
    Stashhog__Job j;
    status_of(f, ok, &j);
    assert_int_equal(j.attempts, 3);
    wait_status(f, gives_up, STASHHOG__JOB_STATUS__JOB_STATUS_FAILED, 5000);
    status_of(f, gives_up, &j);
    assert_int_equal(j.attempts, 3);
    wait_status(f, hard, STASHHOG__JOB_STATUS__JOB_STATUS_FAILED, 5000);
    status_of(f, hard, &j);
    assert_int_equal(j.attempts, 1);

    /* retry: a new job linked to the old one; only finished-unsuccessfully jobs. */
    int64_t again = 0;
    assert_int_equal(sh_jobs_retry(f->jobs, f->db, hard, &again, &err), SH_OK);
    assert_true(again > hard);
    status_of(f, again, &j);
    assert_true(j.has_retry_of);
    assert_int_equal(j.retry_of, hard);
    assert_int_equal(sh_jobs_retry(f->jobs, f->db, ok, &again, &err), SH_ERR_CONFLICT);
    /* Bad params and unknown types are refused at submit. */
    json_t *p = json_pack("{s:s}", "seconds", "x");
    sh_job_submit req = {.type = "debug_sleep", .params = p};
    int64_t id = 0;
    assert_int_equal(sh_jobs_submit(f->jobs, f->db, &req, &id, &err), SH_ERR_INVALID);
    req.type = "no_such_type";
    assert_int_equal(sh_jobs_submit(f->jobs, f->db, &req, &id, &err), SH_ERR_INVALID);
    json_decref(p);
}

static void test_event_throttling(void **state)
{
    fixture *f = *state;
    sh_error err = {0};
    const char *topics[] = {"job."};
    sh_subscriber *sub = NULL;
    assert_int_equal(sh_subscriber_create(f->events_url, topics, 1, &sub, &err), SH_OK);
    sh_sleep_ms(200); /* let the subscription reach the publisher */
    assert_int_equal(sh_jobs_start(f->jobs, &err), SH_OK);
    int64_t id = submit(f, "debug_sleep", "{\"seconds\":1.5,\"steps\":3000}");
    int progress = 0, states = 0;
    bool final_progress = false, final_state = false;
    int64_t first_ms = 0, last_ms = 0, deadline = sh_monotonic_ms() + 10000;
    while (!final_state && sh_monotonic_ms() < deadline) {
        sh_event *ev = NULL;
        if (sh_subscriber_recv(sub, 200, &ev, &err) != SH_OK)
            continue;
        if (ev->payload_case == STASHHOG__EVENT__PAYLOAD_JOB_PROGRESS && ev->job_progress->job_id == id) {
            progress++;
            if (!first_ms)
                first_ms = ev->time_ms;
            last_ms = ev->time_ms;
            if (ev->job_progress->status == STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED) {
                final_progress = true;
                assert_int_equal(ev->job_progress->done, 3000);
            }
        } else if (ev->payload_case == STASHHOG__EVENT__PAYLOAD_JOB_STATE && ev->job_state->job->id == id) {
            states++;
            final_state = ev->job_state->job->status == STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED;
        }
        sh_wire_event_free(ev);
    }
    sh_subscriber_destroy(sub);
    double secs = (double)(last_ms - first_ms) / 1000.0;
    printf("progress events: %d in %.2f s (%.1f/s) for 3000 updates; %d state events\n", progress, secs,
           secs > 0 ? progress / secs : 0.0, states);
    assert_true(final_progress);
    assert_true(final_state);
    assert_true(states >= 2); /* queued, running, completed (queued may precede the subscription) */
    assert_true(progress >= 5);
    /* <= 10/s, plus the final (unthrottled) one. */
    assert_true(progress <= (int)(secs * 10.0) + 2);
}

static void test_clean_stop_requeues(void **state)
{
    fixture *f = *state;
    sh_error err = {0};
    assert_int_equal(sh_jobs_start(f->jobs, &err), SH_OK);
    int64_t id = submit(f, "debug_sleep", "{\"seconds\":30}");
    wait_status(f, id, STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING, 3000);
    int64_t t0 = sh_monotonic_ms();
    sh_jobs_stop(f->jobs);
    assert_true(sh_monotonic_ms() - t0 < 1000);
    Stashhog__Job j;
    assert_int_equal(status_of(f, id, &j), STASHHOG__JOB_STATUS__JOB_STATUS_QUEUED);
    assert_int_equal(j.attempts, 0); /* the interruption does not use up an attempt */
}

static void exec_sql(fixture *f, const char *sql)
{
    assert_int_equal(sqlite3_exec(sh_db_handle(f->db), sql, NULL, NULL, NULL), SQLITE_OK);
}

static void test_crash_recovery(void **state)
{
    fixture *f = *state;
    /* Rows as a crash leaves them: running, with no worker. */
    exec_sql(f, "INSERT INTO jobs (id, type, params, status, attempts, created_at, updated_at) VALUES"
                " (1, 'debug_sleep', '{\"seconds\":0}', 'running', 1, 1, 1),"
                " (2, 't_once', '{}', 'running', 1, 1, 1),"
                " (3, 'gone_type', '{}', 'running', 1, 1, 1)");
    exec_sql(f, "INSERT INTO jobs (id, type, params, status, attempts, cancel_requested, created_at, updated_at)"
                " VALUES (4, 'debug_sleep', '{}', 'running', 1, 1, 1, 1)");
    int requeued = 0, failed = 0;
    sh_error err = {0};
    assert_int_equal(sh_jobs_store_recover(f->jobs, f->db, &requeued, &failed, &err), SH_OK);
    assert_int_equal(requeued, 1);
    assert_int_equal(failed, 3);
    Stashhog__Job j;
    assert_int_equal(status_of(f, 1, &j), STASHHOG__JOB_STATUS__JOB_STATUS_QUEUED);
    assert_int_equal(j.attempts, 0);
    assert_int_equal(status_of(f, 2, NULL), STASHHOG__JOB_STATUS__JOB_STATUS_FAILED);
    assert_int_equal(status_of(f, 3, NULL), STASHHOG__JOB_STATUS__JOB_STATUS_FAILED);
    assert_int_equal(status_of(f, 4, NULL), STASHHOG__JOB_STATUS__JOB_STATUS_CANCELLED);
    int64_t n = -1;
    assert_int_equal(sh_db_query_int64(f->db, "SELECT count(*) FROM jobs WHERE status = 'running'", &n, NULL), SH_OK);
    assert_int_equal(n, 0);
    /* Started for real, the re-queued job runs to completion. */
    assert_int_equal(sh_jobs_start(f->jobs, &err), SH_OK);
    wait_status(f, 1, STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED, 5000);
}

static void test_prune(void **state)
{
    fixture *f = *state;
    int64_t day = 86400000, now = sh_now_ms();
    char sql[400];
    snprintf(sql, sizeof sql,
             "INSERT INTO jobs (id, type, status, created_at, updated_at, finished_at) VALUES"
             " (1, 't_once', 'completed', 1, 1, %lld), (2, 't_once', 'failed', 1, 1, %lld),"
             " (3, 't_once', 'queued', 1, 1, NULL)",
             (long long)(now - 31 * day), (long long)(now - 29 * day));
    exec_sql(f, sql);
    int pruned = 0;
    assert_int_equal(sh_jobs_store_prune(f->jobs, f->db, now, &pruned, NULL), SH_OK);
    assert_int_equal(pruned, 1);
    int64_t n = 0;
    assert_int_equal(sh_db_query_int64(f->db, "SELECT count(*) FROM jobs", &n, NULL), SH_OK);
    assert_int_equal(n, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_and_exclusivity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_latency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_throttling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clean_stop_requeues, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_recovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
