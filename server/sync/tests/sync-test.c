/* sync-test.c - the sync passes against an in-process fake Stash: a full
 * sync is an exact copy, incremental picks up edits/creations/deletions,
 * one-scene and entity syncs, resume after an interruption, cancel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache-dump.h"
#include "db/db.h"
#include "fake-stash.h"
#include "http-client.h"
#include "sh-util.h"
#include "sync/sync.h"

typedef struct fixture {
    char dir[512];
    sh_db_env *env;
    sh_db *db;
    fs_server *srv;
    char url[64];
    sh_stash_config cfg;
} fixture;

/* ---- HTTP to the fake's control API */

static json_t *control(fixture *f, const char *method, const char *path, const char *body)
{
    json_t *b = body ? json_loads(body, 0, NULL) : NULL;
    assert_true(!body || b);
    long code = 0;
    json_t *j = fsh_control(fs_server_port(f->srv), method, path, b, &code);
    if (code < 200 || code > 299)
        fail_msg("%s %s: HTTP %ld", method, path, code);
    return j;
}

static void assert_exact_copy(fixture *f)
{
    json_t *state = control(f, "GET", "state", NULL);
    sh_test_state_normalize(state);
    json_t *cache = sh_test_cache_dump(sh_db_handle(f->db));
    char msg[2048];
    int rc = sh_test_state_compare(state, cache, msg, sizeof msg);
    json_decref(state);
    json_decref(cache);
    if (rc != 0)
        fail_msg("cache differs from Stash: %s", msg);
}

/* ---- fixture */

static int setup_with(void **state, size_t scenes, unsigned page_delay_ms)
{
    fixture *f = calloc(1, sizeof *f);
    const char *scratch = getenv("STASHHOG_TEST_SCRATCH");
    char base[400];
    snprintf(base, sizeof base, "%s", scratch ? scratch : "/tmp");
    assert_int_equal(sh_mkdir_p(base, 0700, NULL), SH_OK);
    snprintf(f->dir, sizeof f->dir, "%s/sync-XXXXXX", base);
    assert_non_null(mkdtemp(f->dir));
    char path[600];
    snprintf(path, sizeof path, "%s/cache.db", f->dir);
    assert_int_equal(sh_db_env_create(path, &f->env, NULL), SH_OK);
    assert_int_equal(sh_db_open(f->env, false, &f->db, NULL), SH_OK);
    fs_library *lib = NULL;
    char err[256];
    fs_gen_options go = {.seed = 11, .scenes = scenes, .utc_offset_min = 60};
    assert_int_equal(fs_library_generate(&go, &lib, err, sizeof err), 0);
    fs_server_options so = {.quiet = true, .seed = 3};
    so.faults.page_delay_ms = page_delay_ms;
    assert_int_equal(fs_server_start(lib, &so, &f->srv, err, sizeof err), 0);
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u", (unsigned)fs_server_port(f->srv));
    sh_stash_config_init(&f->cfg);
    f->cfg.url = f->url;
    f->cfg.backoff_base_ms = 10;
    f->cfg.backoff_max_ms = 50;
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, 700, 0);
}

static int teardown(void **state)
{
    fixture *f = *state;
    fs_server_stop(f->srv);
    sh_db_close(f->db);
    sh_db_env_destroy(f->env);
    free(f);
    return 0;
}

static sh_status run(fixture *f, sh_sync_kind kind, int64_t scene_id, int page, sh_sync_result *r)
{
    sh_sync_options o = {.kind = kind, .scene_id = scene_id, .db = f->db, .stash = &f->cfg, .page_size = page};
    sh_error err = {0};
    sh_status st = sh_sync_run(&o, r, &err);
    if (st != SH_OK)
        print_message("sync: %s\n", sh_error_message(&err));
    return st;
}

static int64_t q(fixture *f, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(sh_db_query_int64(f->db, sql, &n, NULL), SH_OK);
    return n;
}

/* ---- tests */

static void test_timestamp_minus(void **state)
{
    (void)state;
    char out[64];
    assert_true(sh_sync_timestamp_minus("2025-06-01T12:00:01+01:00", 2, out, sizeof out));
    assert_string_equal(out, "2025-06-01T11:59:59+01:00");
    assert_true(sh_sync_timestamp_minus("2025-01-01T00:00:00Z", 2, out, sizeof out));
    assert_string_equal(out, "2024-12-31T23:59:58Z");
    assert_true(sh_sync_timestamp_minus("2024-03-01T00:00:01.250-05:30", 2, out, sizeof out));
    assert_string_equal(out, "2024-02-29T23:59:59-05:30");
    assert_false(sh_sync_timestamp_minus("yesterday", 2, out, sizeof out));
    assert_false(sh_sync_timestamp_minus("2025-06-01 12:00:00", 2, out, sizeof out));
}

static void test_full_then_incremental(void **state)
{
    fixture *f = *state;
    sh_sync_result r;
    assert_int_equal(run(f, SH_SYNC_FULL, 0, 100, &r), SH_OK);
    assert_int_equal(r.counts.scenes_upserted, 700);
    assert_exact_copy(f);
    assert_int_equal(q(f, "SELECT count(*) FROM scene_fts"), 700);
    assert_int_equal(q(f, "SELECT count(*) FROM sync_runs WHERE status = 'completed' AND kind = 'full'"), 1);
    assert_int_equal(q(f, "SELECT count(*) FROM sync_state WHERE kind = 'scenes_full'"), 0);

    /* Nothing changed: one request per kind plus the counts. */
    assert_int_equal(run(f, SH_SYNC_INCREMENTAL, 0, 100, &r), SH_OK);
    assert_int_equal(r.counts.scenes_upserted, 0);
    assert_true(r.counts.requests <= 5);

    /* Edit, create, delete in Stash; also rename a performer used by scene 5. */
    json_decref(control(f, "POST", "scenes/3", "{\"title\": \"Edited Title\", \"organized\": true}"));
    json_decref(control(f, "DELETE", "scenes/10", NULL));
    json_decref(control(f, "DELETE", "scenes/11", NULL));
    json_decref(control(f, "POST", "scenes", "{\"title\": \"Brand New\", \"files\": [{\"path\": \"/new/x.mp4\"}]}"));
    json_t *s5 = control(f, "GET", "scenes/5", NULL);
    json_t *perf = json_array_get(json_object_get(s5, "performers"), 0);
    if (perf) {
        char path[64];
        snprintf(path, sizeof path, "performers/%s", json_string_value(json_object_get(perf, "id")));
        json_decref(control(f, "POST", path, "{\"name\": \"Zyxwv Renamed\"}"));
    }
    assert_int_equal(run(f, SH_SYNC_INCREMENTAL, 0, 100, &r), SH_OK);
    assert_int_equal(r.counts.scenes_deleted, 2);
    assert_true(r.counts.scenes_upserted >= 2);
    assert_exact_copy(f);
    assert_int_equal(q(f, "SELECT count(*) FROM scene_fts WHERE scene_fts MATCH 'edited'"), 1);
    if (perf)
        assert_true(q(f, "SELECT count(*) FROM scene_fts WHERE scene_fts MATCH 'zyxwv' AND rowid = 5") == 1);
    json_decref(s5);

    /* History rows carry counts. */
    assert_int_equal(q(f, "SELECT count(*) FROM sync_runs WHERE status = 'completed'"), 3);
    assert_int_equal(q(f, "SELECT scenes_deleted FROM sync_runs ORDER BY id DESC LIMIT 1"), 2);
}

static void test_scene_and_entities(void **state)
{
    fixture *f = *state;
    sh_sync_result r;
    assert_int_equal(run(f, SH_SYNC_FULL, 0, 500, &r), SH_OK);
    json_decref(control(f, "POST", "scenes/7", "{\"details\": \"one scene resync\"}"));
    assert_int_equal(run(f, SH_SYNC_SCENE, 7, 0, &r), SH_OK);
    assert_false(r.scene_missing);
    assert_int_equal(q(f, "SELECT count(*) FROM scenes WHERE id = 7 AND details = 'one scene resync'"), 1);
    json_decref(control(f, "DELETE", "scenes/7", NULL));
    assert_int_equal(run(f, SH_SYNC_SCENE, 7, 0, &r), SH_OK);
    assert_true(r.scene_missing);
    assert_int_equal(r.counts.scenes_deleted, 1);
    assert_int_equal(q(f, "SELECT count(*) FROM scenes WHERE id = 7"), 0);
    assert_int_equal(q(f, "SELECT count(*) FROM scene_fts WHERE rowid = 7"), 0);

    /* Entities: a tag deleted in Stash goes, with its scene links. */
    json_decref(control(f, "DELETE", "tags/1", NULL));
    json_decref(control(f, "POST", "studios/1", "{\"aliases\": [\"Alias One\", \"Alias Two\"]}"));
    assert_int_equal(run(f, SH_SYNC_ENTITIES, 0, 0, &r), SH_OK);
    assert_int_equal(q(f, "SELECT count(*) FROM tags WHERE id = 1"), 0);
    assert_int_equal(q(f, "SELECT count(*) FROM scene_tags WHERE tag_id = 1"), 0);
    assert_int_equal(q(f, "SELECT count(*) FROM studio_aliases WHERE studio_id = 1"), 2);
    assert_exact_copy(f);
}

typedef struct stopper {
    int pages;
    int stop_after;
} stopper;

static void count_pages(void *user, int64_t done, int64_t total, const char *msg)
{
    (void)done;
    (void)total;
    stopper *s = user;
    if (strncmp(msg, "scenes up to", 12) == 0)
        s->pages++;
}

static int stop_cb(void *user)
{
    stopper *s = user;
    return s->pages >= s->stop_after;
}

static void test_interrupted_full_resumes(void **state)
{
    fixture *f = *state;
    stopper s = {.stop_after = 3};
    sh_sync_options o = {.kind = SH_SYNC_FULL, .db = f->db, .stash = &f->cfg, .page_size = 100,
                         .cancelled = stop_cb, .cancel_user = &s, .progress = count_pages, .progress_user = &s};
    sh_sync_result r;
    sh_error err = {0};
    assert_int_equal(sh_sync_run(&o, &r, &err), SH_ERR_CANCELLED);
    int64_t cached = q(f, "SELECT count(*) FROM scenes");
    assert_true(cached >= 300 && cached < 700);
    assert_int_equal(q(f, "SELECT count(*) FROM sync_state WHERE kind = 'scenes_full' AND cursor_id > 0"), 1);
    assert_int_equal(q(f, "SELECT count(*) FROM sync_runs WHERE status = 'cancelled'"), 1);
    /* Meanwhile a scene already copied is deleted in Stash. */
    json_decref(control(f, "DELETE", "scenes/2", NULL));
    /* The next run continues after the cursor, not from the start. */
    assert_int_equal(run(f, SH_SYNC_INCREMENTAL, 0, 100, &r), SH_OK);
    assert_true(r.counts.scenes_upserted <= 700 - cached + 1);
    assert_int_equal(q(f, "SELECT count(*) FROM sync_state WHERE kind = 'scenes_full'"), 0);
    /* Scene 2 sat before the cursor: the resumed pass's count check found it. */
    assert_int_equal(r.counts.scenes_deleted, 1);
    assert_exact_copy(f);
}

static void test_bad_key_is_clear(void **state)
{
    (void)state;
    fixture *f = calloc(1, sizeof *f);
    fs_library *lib = NULL;
    char err[256];
    fs_gen_options go = {.seed = 1, .scenes = 10, .utc_offset_min = 0};
    assert_int_equal(fs_library_generate(&go, &lib, err, sizeof err), 0);
    fs_server_options so = {.quiet = true, .api_key = "right-key-123"};
    assert_int_equal(fs_server_start(lib, &so, &f->srv, err, sizeof err), 0);
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u", (unsigned)fs_server_port(f->srv));
    const char *scratch = getenv("STASHHOG_TEST_SCRATCH");
    snprintf(f->dir, sizeof f->dir, "%s/key-XXXXXX", scratch ? scratch : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    char path[600];
    snprintf(path, sizeof path, "%s/cache.db", f->dir);
    assert_int_equal(sh_db_env_create(path, &f->env, NULL), SH_OK);
    assert_int_equal(sh_db_open(f->env, false, &f->db, NULL), SH_OK);
    sh_stash_config_init(&f->cfg);
    f->cfg.url = f->url;
    f->cfg.api_key = "wrong-key";
    sh_sync_options o = {.kind = SH_SYNC_FULL, .db = f->db, .stash = &f->cfg};
    sh_sync_result r;
    sh_error e = {0};
    assert_int_equal(sh_sync_run(&o, &r, &e), SH_ERR_UNAUTHENTICATED);
    assert_non_null(strstr(e.message, "API key rejected"));
    assert_null(strstr(e.message, "wrong-key"));
    assert_int_equal(q(f, "SELECT count(*) FROM sync_runs WHERE status = 'failed' AND error LIKE '%API key rejected%'"), 1);
    teardown((void **)&f);
}

int main(void)
{
    sh_stash_global_init(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timestamp_minus),
        cmocka_unit_test_setup_teardown(test_full_then_incremental, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scene_and_entities, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupted_full_resumes, setup, teardown),
        cmocka_unit_test(test_bad_key_is_clear),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sh_stash_global_cleanup();
    return rc;
}
