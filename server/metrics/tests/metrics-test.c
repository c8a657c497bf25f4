/* metrics-test.c - the registry, the exposition format (every line checked),
 * and the HTTP listener. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"
#include "sh-util.h"

/* ---- a strict checker of the text format */

static const char *name_end(const char *p)
{
    if (!(isalpha((unsigned char)*p) || *p == '_' || *p == ':'))
        return NULL;
    while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
        p++;
    return p;
}

static bool valid_value(const char *p)
{
    if (!strcmp(p, "+Inf") || !strcmp(p, "-Inf") || !strcmp(p, "NaN"))
        return true;
    char *end = NULL;
    strtod(p, &end);
    return end != p && *end == '\0';
}

/* One sample line: name{l="v",...} value.  Copies the name out. */
static bool valid_sample(const char *line, char *name, size_t name_len)
{
    const char *p = name_end(line);
    if (!p || (size_t)(p - line) >= name_len)
        return false;
    memcpy(name, line, (size_t)(p - line));
    name[p - line] = '\0';
    if (*p == '{') {
        p++;
        while (*p != '}') {
            const char *q = name_end(p);
            if (!q || *q != '=' || q[1] != '"')
                return false;
            p = q + 2;
            while (*p && *p != '"') {
                if (*p == '\\') {
                    if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
                        return false;
                    p++;
                }
                p++;
            }
            if (*p != '"')
                return false;
            p++;
            if (*p == ',')
                p++;
            else if (*p != '}')
                return false;
        }
        p++;
    }
    return *p == ' ' && valid_value(p + 1);
}

/* Checks every line; families must be declared (TYPE) once, before their
 * samples, with samples kept together.  Returns the number of samples. */
static int check_exposition(const char *text)
{
    char typed[128][96];
    int n_typed = 0, samples = 0;
    char current[96] = "";
    char *copy = strdup(text);
    assert_non_null(copy);
    assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char name[96] = "";
        if (!strncmp(line, "# HELP ", 7)) {
            const char *e = name_end(line + 7);
            assert_non_null(e);
            assert_true(*e == ' ');
            continue;
        }
        if (!strncmp(line, "# TYPE ", 7)) {
            const char *e = name_end(line + 7);
            assert_non_null(e);
            size_t len = (size_t)(e - (line + 7));
            assert_true(len < sizeof name);
            memcpy(name, line + 7, len);
            name[len] = '\0';
            const char *type = e + 1;
            assert_true(!strcmp(type, "counter") || !strcmp(type, "gauge") ||
                        !strcmp(type, "histogram"));
            for (int i = 0; i < n_typed; i++)
                if (!strcmp(typed[i], name))
                    fail_msg("family %s declared twice", name);
            assert_true(n_typed < 128);
            sh_strlcpy(typed[n_typed++], name, sizeof typed[0]);
            sh_strlcpy(current, name, sizeof current);
            continue;
        }
        if (!valid_sample(line, name, sizeof name))
            fail_msg("bad line: %s", line);
        /* The sample belongs to the family declared last (histogram suffixes allowed). */
        size_t cl = strlen(current);
        if (strncmp(name, current, cl) != 0 ||
            !(name[cl] == '\0' || !strcmp(name + cl, "_bucket") || !strcmp(name + cl, "_sum") ||
              !strcmp(name + cl, "_count")))
            fail_msg("sample %s outside its family (current %s)", name, current);
        samples++;
    }
    free(copy);
    return samples;
}

static double value_of(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = text; (p = strstr(p, series)); p += n) {
        if ((p == text || p[-1] == '\n') && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    }
    return -1;
}

static char *render(sh_db *db)
{
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(sh_metrics_render(db, sh_now_ms() - 5000, &text, &len, NULL), SH_OK);
    assert_int_equal(strlen(text), len);
    return text;
}

static void finish_job(const char *type, int status, int64_t ms)
{
    Stashhog__Job job = STASHHOG__JOB__INIT;
    job.id = 1;
    job.type = (char *)type;
    job.status = (Stashhog__JobStatus)status;
    job.has_started_at_ms = job.has_finished_at_ms = 1;
    job.started_at_ms = 1000000;
    job.finished_at_ms = 1000000 + ms;
    Stashhog__JobStateChanged sc = STASHHOG__JOB_STATE_CHANGED__INIT;
    sc.job = &job;
    sh_event ev = STASHHOG__EVENT__INIT;
    ev.topic = (char *)"job.state";
    ev.payload_case = STASHHOG__EVENT__PAYLOAD_JOB_STATE;
    ev.job_state = &sc;
    sh_metrics_observe_event(&ev);
}

static void test_registry_counts(void **state)
{
    (void)state;
    sh_metrics_reset();
    sh_metrics_rpc_request(STASHHOG__REQUEST__BODY_PING, SH_OK);
    sh_metrics_rpc_request(STASHHOG__REQUEST__BODY_PING, SH_OK);
    sh_metrics_rpc_request(STASHHOG__REQUEST__BODY_JOB_GET, SH_ERR_NOT_FOUND);
    finish_job("debug_sleep", STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED, 300);
    finish_job("debug_sleep", STASHHOG__JOB_STATUS__JOB_STATUS_FAILED, 7000);
    finish_job("sync_full", STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED, 50);
    finish_job("sync_full", STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING, 50); /* not final: ignored */
    Stashhog__SyncCounts counts = STASHHOG__SYNC_COUNTS__INIT;
    counts.has_requests = 1;
    counts.requests = 7;
    Stashhog__SyncRun run = STASHHOG__SYNC_RUN__INIT;
    run.kind = STASHHOG__SYNC_KIND__SYNC_KIND_INCREMENTAL;
    run.counts = &counts;
    Stashhog__SyncFinished fin = STASHHOG__SYNC_FINISHED__INIT;
    fin.run = &run;
    sh_event sev = STASHHOG__EVENT__INIT;
    sev.payload_case = STASHHOG__EVENT__PAYLOAD_SYNC_FINISHED;
    sev.sync_finished = &fin;
    sh_metrics_observe_event(&sev);
    sh_metrics_stash_request(3, true);
    sh_metrics_stash_request(40, false);
    sh_metrics_webhook_attempt(true, false, 2);
    sh_metrics_webhook_attempt(false, true, 0);
    sh_metrics_webhook_dropped();

    char *t = render(NULL);
    assert_true(check_exposition(t) > 20);
    assert_true(value_of(t, "stashhog_rpc_requests_total{type=\"ping\"}") == 2);
    assert_true(value_of(t, "stashhog_rpc_errors_total{type=\"ping\"}") == 0);
    assert_true(value_of(t, "stashhog_rpc_errors_total{type=\"job_get\"}") == 1);
    assert_true(
        value_of(t, "stashhog_jobs_finished_total{type=\"debug_sleep\",status=\"completed\"}") ==
        1);
    assert_true(
        value_of(t, "stashhog_jobs_finished_total{type=\"debug_sleep\",status=\"failed\"}") == 1);
    assert_true(
        value_of(t, "stashhog_jobs_finished_total{type=\"sync_full\",status=\"completed\"}") == 1);
    /* Histogram: cumulative buckets, +Inf == count, sum in seconds. */
    assert_true(
        value_of(t, "stashhog_job_duration_seconds_bucket{type=\"debug_sleep\",le=\"0.1\"}") == 0);
    assert_true(
        value_of(t, "stashhog_job_duration_seconds_bucket{type=\"debug_sleep\",le=\"0.5\"}") == 1);
    assert_true(
        value_of(t, "stashhog_job_duration_seconds_bucket{type=\"debug_sleep\",le=\"5\"}") == 1);
    assert_true(
        value_of(t, "stashhog_job_duration_seconds_bucket{type=\"debug_sleep\",le=\"15\"}") == 2);
    assert_true(
        value_of(t, "stashhog_job_duration_seconds_bucket{type=\"debug_sleep\",le=\"+Inf\"}") == 2);
    assert_true(value_of(t, "stashhog_job_duration_seconds_count{type=\"debug_sleep\"}") == 2);
    assert_true(value_of(t, "stashhog_job_duration_seconds_sum{type=\"debug_sleep\"}") == 7.3);
    assert_true(value_of(t, "stashhog_stash_requests_total") == 2);
    assert_true(value_of(t, "stashhog_sync_stash_requests_total{kind=\"incremental\"}") == 7);
    assert_true(value_of(t, "stashhog_sync_stash_requests_total{kind=\"full\"}") == 0);
    assert_true(value_of(t, "stashhog_stash_request_errors_total") == 1);
    assert_true(value_of(t, "stashhog_stash_request_duration_seconds_bucket{le=\"0.005\"}") == 1);
    assert_true(value_of(t, "stashhog_stash_request_duration_seconds_bucket{le=\"0.05\"}") == 2);
    assert_true(value_of(t, "stashhog_webhook_attempts_total{outcome=\"delivered\"}") == 1);
    assert_true(value_of(t, "stashhog_webhook_gave_up_total") == 1);
    assert_true(value_of(t, "stashhog_webhook_dropped_total") == 1);
    assert_true(value_of(t, "stashhog_uptime_seconds") >= 5);
    free(t);
}

static void test_label_escaping(void **state)
{
    (void)state;
    sh_metrics_reset();
    finish_job("we\"ird\\type\nx", STASHHOG__JOB_STATUS__JOB_STATUS_CANCELLED, 1);
    char *t = render(NULL);
    check_exposition(t);
    assert_non_null(strstr(t, "type=\"we\\\"ird\\\\type\\nx\""));
    free(t);
}

struct fixture {
    char dir[512];
    sh_db_env *env;
    sh_db *db;
};

static void open_db(struct fixture *f)
{
    const char *base = getenv("STASHHOG_TEST_SCRATCH");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s", base ? base : "/tmp");
    assert_int_equal(sh_mkdir_p(tmpl, 0700, NULL), SH_OK);
    snprintf(f->dir, sizeof f->dir, "%s/metrics-XXXXXX", tmpl);
    assert_non_null(mkdtemp(f->dir));
    char path[600];
    snprintf(path, sizeof path, "%s/db.sqlite", f->dir);
    assert_int_equal(sh_db_env_create(path, &f->env, NULL), SH_OK);
    assert_int_equal(sh_db_open(f->env, false, &f->db, NULL), SH_OK);
}

static void test_library_figures(void **state)
{
    (void)state;
    struct fixture f;
    open_db(&f);
    assert_int_equal(
        sh_db_exec(f.db,
                   "INSERT INTO scenes (id, title, synced_at) VALUES (1, 'a', 0), (2, 'b', 0);"
                   "INSERT INTO sync_runs (kind, status, started_at, finished_at) VALUES "
                   "('full', 'completed', 1000, 3500), ('full', 'failed', 5000, 5100), "
                   "('incremental', 'completed', 10000, 10250);"
                   "INSERT INTO plans (name, status, prompt_tokens, completion_tokens, cost_usd, "
                   "created_at, updated_at) VALUES ('p', 'draft', 100, 20, 0.25, 0, 0), "
                   "('q', 'applied', 50, 5, 0.5, 0, 0)",
                   NULL),
        SH_OK);
    sh_metrics_reset();
    char *t = render(f.db);
    check_exposition(t);
    assert_true(value_of(t, "stashhog_scenes") == 2);
    assert_true(value_of(t, "stashhog_syncs_total{kind=\"full\",status=\"completed\"}") == 1);
    assert_true(value_of(t, "stashhog_syncs_total{kind=\"full\",status=\"failed\"}") == 1);
    assert_true(value_of(t, "stashhog_sync_last_duration_seconds{kind=\"full\"}") == 0.1);
    assert_true(value_of(t, "stashhog_sync_last_duration_seconds{kind=\"incremental\"}") == 0.25);
    assert_true(value_of(t, "stashhog_llm_tokens_total{kind=\"prompt\"}") == 150);
    assert_true(value_of(t, "stashhog_llm_tokens_total{kind=\"completion\"}") == 25);
    assert_true(value_of(t, "stashhog_llm_cost_usd_total") == 0.75);
    free(t);
    sh_db_close(f.db);
    sh_db_env_destroy(f.env);
}

struct body {
    char buf[1 << 17];
    size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *user)
{
    struct body *b = user;
    size_t take = size * n < sizeof b->buf - 1 - b->len ? size * n : sizeof b->buf - 1 - b->len;
    memcpy(b->buf + b->len, p, take);
    b->len += take;
    b->buf[b->len] = '\0';
    return size * n;
}

static long http_get(uint16_t port, const char *path, struct body *b)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    b->len = 0;
    b->buf[0] = '\0';
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    long code = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    return code;
}

static void test_http_listener(void **state)
{
    (void)state;
    struct fixture f;
    open_db(&f);
    sh_services svc = {0};
    svc.db = f.env;
    svc.started_ms = sh_now_ms();
    sh_metrics_server *ms = NULL;
    sh_error err = {0};
    assert_int_equal(sh_metrics_server_create(&svc, "127.0.0.1", &ms, &err), SH_ERR_INVALID);
    assert_int_equal(sh_metrics_server_create(&svc, "127.0.0.1:99999", &ms, &err), SH_ERR_INVALID);
    assert_int_equal(sh_metrics_server_create(&svc, "127.0.0.1:0", &ms, &err), SH_OK);
    uint16_t port = sh_metrics_server_port(ms);
    assert_true(port > 0);
    struct body *b = malloc(sizeof *b);
    assert_int_equal(http_get(port, "/metrics", b), 200);
    assert_true(check_exposition(b->buf) > 10);
    assert_non_null(strstr(b->buf, "stashhog_build_info{version="));
    assert_true(value_of(b->buf, "stashhog_scenes") == 0);
    assert_int_equal(http_get(port, "/other", b), 404);
    free(b);
    sh_metrics_server_destroy(ms);
    sh_db_close(f.db);
    sh_db_env_destroy(f.env);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_counts),
        cmocka_unit_test(test_label_escaping),
        cmocka_unit_test(test_library_figures),
        cmocka_unit_test(test_http_listener),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
