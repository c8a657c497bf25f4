/* rollback-entities-test.c - apply and rollback against an in-process fake
 * Stash, about the studios, performers and tags an apply creates:
 *  - apply records each one it creates (with Stash's updated_at); rollback
 *    destroys the ones no scene uses, keeps one a scene still uses, and
 *    the cache follows;
 *  - an entity edited since apply, or a studio that parents another, is
 *    kept with its reason; a resumed rollback whose destroy already went
 *    through counts it as deleted instead of failing;
 *  - an apply that died between its create request and the record adopts
 *    the entity on the next run and counts it once;
 *  - the dashboard's applied-changes figures equal the plan's applied
 *    count, including a change Stash already satisfied. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "fake-stash.h"
#include "plans/plan-internal.h"
#include "plans/plans.h"
#include "rpc/handlers.h"
#include "http-client.h"
#include "sh-util.h"

typedef struct fixture {
    char dir[512];
    sh_db_env *env;
    sh_db *db;
    fs_server *srv;
    char url[64];
    sh_stash_config cfg;
    int64_t plan;
} fixture;

/* ---- the fake's control API */

static json_t *control(fixture *f, const char *method, const char *path, const char *body, long *code)
{
    json_t *b = body ? json_loads(body, 0, NULL) : NULL;
    assert_true(!body || b);
    return fsh_control(fs_server_port(f->srv), method, path, b, code);
}

/* A control call that must succeed; returns the body (caller decrefs). */
static json_t *ctl(fixture *f, const char *method, const char *path, const char *body)
{
    long code = 0;
    json_t *j = control(f, method, path, body, &code);
    if (code < 200 || code > 299)
        fail_msg("%s %s: HTTP %ld", method, path, code);
    return j;
}

static bool exists(fixture *f, const char *collection, int64_t id)
{
    char path[64];
    long code = 0;
    snprintf(path, sizeof path, "%s/%lld", collection, (long long)id);
    json_decref(control(f, "GET", path, NULL, &code));
    return code == 200;
}

static int64_t id_of(const json_t *e)
{
    return strtoll(json_string_value(json_object_get(e, "id")) ?: "0", NULL, 10);
}

/* ---- database helpers */

/* Not sh_db_query_int64: its statement cache is keyed by the SQL's address,
 * and these texts are built in one buffer. */
static int64_t q(fixture *f, const char *sql)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sh_db_prepare_once(f->db, sql, &s, NULL), SH_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

static void add_change(fixture *f, int64_t scene, const char *field, const char *cur, const char *prop)
{
    sh_error err = {0};
    json_t *c = json_loads(cur, JSON_DECODE_ANY, NULL), *p = json_loads(prop, JSON_DECODE_ANY, NULL);
    assert_non_null(c);
    assert_non_null(p);
    sh_plan_change_in in = {.plan_id = f->plan, .scene_id = scene, .field = field, .current = c, .proposed = p,
                            .confidence = 0.9, .analyzer = "test", .reason = "test"};
    if (sh_plan_add_change(f->db, &in, &err) != SH_OK)
        fail_msg("add change: %s", err.message);
    json_decref(c);
    json_decref(p);
}

static void accept_all(fixture *f)
{
    Stashhog__PlanReviewRequest r = STASHHOG__PLAN_REVIEW_REQUEST__INIT;
    r.plan_id = f->plan;
    r.action = STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT;
    r.has_all = r.all = 1;
    int64_t n = 0;
    sh_error err = {0};
    assert_int_equal(sh_plan_review(f->db, NULL, &r, &n, &err), SH_OK);
}

static sh_status run(fixture *f, bool rollback, sh_plan_run_result *r, sh_error *err)
{
    sh_plan_run_opts o = {.db = f->db, .stash = &f->cfg, .plan_id = f->plan, .user = "tester", .batch_size = 2};
    return rollback ? sh_plan_rollback_run(&o, r, err) : sh_plan_apply_run(&o, r, err);
}

static void run_ok(fixture *f, bool rollback, sh_plan_run_result *r)
{
    sh_error err = {0};
    if (run(f, rollback, r, &err) != SH_OK)
        fail_msg("%s: %s", rollback ? "rollback" : "apply", err.message);
}

static const char *reason_of(const sh_plan_run_result *r, const char *name)
{
    size_t i;
    json_t *e;
    json_array_foreach(r->entities, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "name")) ?: "", name) == 0)
            return json_string_value(json_object_get(e, "reason")) ?: json_string_value(json_object_get(e, "outcome"));
    }
    return "";
}

/* ---- fixture: three scenes in an otherwise empty fake Stash, one plan */

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    const char *scratch = getenv("STASHHOG_TEST_SCRATCH");
    char base[400];
    snprintf(base, sizeof base, "%s", scratch ? scratch : "/tmp");
    assert_int_equal(sh_mkdir_p(base, 0700, NULL), SH_OK);
    snprintf(f->dir, sizeof f->dir, "%s/rbe-XXXXXX", base);
    assert_non_null(mkdtemp(f->dir));
    char path[600];
    snprintf(path, sizeof path, "%s/cache.db", f->dir);
    assert_int_equal(sh_db_env_create(path, &f->env, NULL), SH_OK);
    assert_int_equal(sh_db_open(f->env, false, &f->db, NULL), SH_OK);
    fs_library *lib = NULL;
    char err[256];
    assert_int_equal(fs_library_create_empty(60, &lib), 0);
    fs_server_options so = {.quiet = true, .seed = 3};
    assert_int_equal(fs_server_start(lib, &so, &f->srv, err, sizeof err), 0);
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u", (unsigned)fs_server_port(f->srv));
    sh_stash_config_init(&f->cfg);
    f->cfg.url = f->url;
    f->cfg.backoff_base_ms = 10;
    f->cfg.backoff_max_ms = 50;
    static const char *const titles[] = {"One", "Two", "Three", "Four"};
    for (int i = 0; i < 4; i++) {
        char body[200];
        snprintf(body, sizeof body, "{\"title\":\"%s\",\"code\":\"C%d\",\"files\":[{\"path\":\"/data/%d.mp4\","
                 "\"size\":1,\"duration\":1.0}]}", titles[i], i + 1, i + 1);
        json_decref(ctl(f, "POST", "scenes", body));
    }
    assert_int_equal(sh_plan_create(f->db, "entities", "{\"allow_new_entities\":true}", "{}", false, &f->plan, NULL),
                     SH_OK);
    *state = f;
    return 0;
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

#define NEW_PERF "{\"add\":[{\"id\":0,\"name\":\"New Perf\",\"new\":true}],\"remove\":[]}"

/* The plan every test applies: a new performer on scenes 1 and 2, a new
 * studio on scene 1, a new tag on scene 3, a title on 3, and (scene 2) a
 * code change Stash already holds. */
static void make_plan(fixture *f)
{
    assert_int_equal(sh_db_write_begin(f->db, NULL), SH_OK);
    add_change(f, 1, "performers", "[]", NEW_PERF);
    add_change(f, 2, "performers", "[]", NEW_PERF);
    add_change(f, 1, "studio", "null", "{\"id\":0,\"name\":\"New Studio\",\"new\":true}");
    add_change(f, 3, "tags", "[]", "{\"add\":[{\"id\":0,\"name\":\"New Tag\",\"new\":true}],\"remove\":[]}");
    add_change(f, 3, "title", "\"Three\"", "\"Three, better\"");
    add_change(f, 2, "code", "\"C2\"", "\"C2\"");
    assert_int_equal(sh_db_commit(f->db, NULL), SH_OK);
    accept_all(f);
}

static int64_t entity_id(fixture *f, const char *kind, const char *name)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT coalesce(max(stash_id), 0) FROM plan_entities WHERE kind = '%s' AND name = '%s'",
             kind, name);
    return q(f, sql);
}

/* ---- tests */

static void test_apply_records_rollback_destroys_unused(void **state)
{
    fixture *f = *state;
    make_plan(f);
    sh_plan_run_result r;
    run_ok(f, false, &r);
    json_decref(r.problems);
    assert_int_equal(r.status, STASHHOG__PLAN_STATUS__PLAN_APPLIED);
    assert_int_equal(r.entities_created, 3);
    assert_int_equal(q(f, "SELECT count(*) FROM plan_entities WHERE state = 'created' AND stash_id > 0"
                          " AND stash_updated_at IS NOT NULL"),
                     3);
    int64_t perf = entity_id(f, "performer", "New Perf"), studio = entity_id(f, "studio", "New Studio"),
            tag = entity_id(f, "tag", "New Tag");
    assert_true(exists(f, "performers", perf) && exists(f, "studios", studio) && exists(f, "tags", tag));
    char sql[120];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM performers WHERE id = %lld", (long long)perf);
    assert_int_equal(q(f, sql), 1); /* cached */

    /* A user gives the new performer to a scene outside the plan. */
    char body[64];
    snprintf(body, sizeof body, "{\"performer_ids\":[\"%lld\"]}", (long long)perf);
    json_decref(ctl(f, "POST", "scenes/4", body));

    run_ok(f, true, &r);
    json_decref(r.problems);
    assert_int_equal(r.status, STASHHOG__PLAN_STATUS__PLAN_ROLLED_BACK);
    assert_int_equal(r.entities_deleted, 2);
    assert_int_equal(r.entities_kept, 1);
    assert_string_equal(reason_of(&r, "New Perf"), "used by 1 scene");
    assert_string_equal(reason_of(&r, "New Tag"), "deleted");
    json_decref(r.entities);
    assert_true(exists(f, "performers", perf));
    assert_false(exists(f, "studios", studio));
    assert_false(exists(f, "tags", tag));
    snprintf(sql, sizeof sql, "SELECT count(*) FROM studios WHERE id = %lld", (long long)studio);
    assert_int_equal(q(f, sql), 0); /* gone from the cache too */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM performers WHERE id = %lld", (long long)perf);
    assert_int_equal(q(f, sql), 1);
    /* the scenes are as before */
    json_t *s1 = ctl(f, "GET", "scenes/1", NULL), *s3 = ctl(f, "GET", "scenes/3", NULL);
    assert_int_equal(json_array_size(json_object_get(s1, "performers")), 0);
    assert_true(json_is_null(json_object_get(s1, "studio")));
    assert_string_equal(json_string_value(json_object_get(s3, "title")), "Three");
    assert_int_equal(json_array_size(json_object_get(s3, "tags")), 0);
    json_decref(s1);
    json_decref(s3);
}

static void test_kept_when_edited_or_parent_and_resume(void **state)
{
    fixture *f = *state;
    make_plan(f);
    sh_plan_run_result r;
    run_ok(f, false, &r);
    json_decref(r.problems);
    int64_t perf = entity_id(f, "performer", "New Perf"), studio = entity_id(f, "studio", "New Studio"),
            tag = entity_id(f, "tag", "New Tag");
    char path[64], body[160];
    /* edited since apply (a later updated_at than the one recorded) */
    snprintf(path, sizeof path, "performers/%lld", (long long)perf);
    json_decref(ctl(f, "POST", path, "{\"alias_list\":[\"NP\"],\"updated_at\":\"2099-01-01T00:00:00+01:00\"}"));
    /* parent of a studio someone else made */
    snprintf(body, sizeof body, "{\"name\":\"Someone's Sub\",\"parent_id\":\"%lld\"}", (long long)studio);
    json_decref(ctl(f, "POST", "studios", body));
    /* an earlier rollback run sent the tag's destroy and died before recording it */
    assert_int_equal(sh_db_exec(f->db, "UPDATE plan_entities SET state = 'deleting' WHERE kind = 'tag'", NULL), SH_OK);
    snprintf(path, sizeof path, "tags/%lld", (long long)tag);
    json_decref(ctl(f, "DELETE", path, NULL));

    run_ok(f, true, &r);
    json_decref(r.problems);
    assert_int_equal(r.entities_deleted, 1);
    assert_int_equal(r.entities_kept, 2);
    assert_string_equal(reason_of(&r, "New Perf"), "edited in Stash since apply");
    assert_string_equal(reason_of(&r, "New Studio"), "parent of 1 studio");
    assert_string_equal(reason_of(&r, "New Tag"), "deleted");
    json_decref(r.entities);
    assert_true(exists(f, "performers", perf) && exists(f, "studios", studio));
}

static void test_interrupted_create_adopted_once(void **state)
{
    fixture *f = *state;
    make_plan(f);
    /* A run died after Stash created "New Tag" but before recording it. */
    char sql[200];
    snprintf(sql, sizeof sql, "INSERT INTO plan_entities (plan_id, kind, name, created_at) VALUES (%lld, 'tag',"
             " 'new tag', 1)", (long long)f->plan);
    assert_int_equal(sh_db_exec(f->db, sql, NULL), SH_OK);
    json_t *t = ctl(f, "POST", "tags", "{\"name\":\"New Tag\"}");
    int64_t tag = id_of(t);
    json_decref(t);
    sh_plan_run_result r;
    run_ok(f, false, &r);
    json_decref(r.problems);
    assert_int_equal(r.entities_created, 3);
    assert_int_equal(entity_id(f, "tag", "New Tag"), tag); /* Stash's spelling */
    assert_int_equal(q(f, "SELECT count(*) FROM plan_entities"), 3);
    json_t *state_doc = ctl(f, "GET", "state", NULL);
    assert_int_equal(json_array_size(json_object_get(state_doc, "tags")), 1); /* not created twice */
    json_decref(state_doc);
    run_ok(f, true, &r);
    json_decref(r.problems);
    json_decref(r.entities);
    assert_int_equal(r.entities_deleted, 3);
    assert_false(exists(f, "tags", tag));
}

/* The dashboard's figures (stats RPC) against the plan's own count. */
static void stats_applied(fixture *f, int64_t *total, int64_t *in_window)
{
    sh_arena *a = sh_arena_create();
    Stashhog__StatsRequest sr = STASHHOG__STATS_REQUEST__INIT;
    sh_request req = STASHHOG__REQUEST__INIT;
    sh_reply rep = STASHHOG__REPLY__INIT;
    req.body_case = STASHHOG__REQUEST__BODY_STATS;
    req.stats = &sr;
    sh_rpc_call call = {.request = &req, .reply = &rep, .arena = a};
    sh_rpc_worker w = {.ro = f->db, .rw = f->db};
    sh_error err = {0};
    if (sh_rpc_stats(&call, NULL, &w, &err) != SH_OK)
        fail_msg("stats: %s", err.message);
    *total = rep.stats->changes_applied_total;
    *in_window = 0;
    for (size_t i = 0; i < rep.stats->n_changes_per_day; i++)
        *in_window += rep.stats->changes_per_day[i]->count;
    sh_arena_destroy(a);
}

/* Also through the resume path: the first run's write reaches Stash but
 * its answer is cut, the second run finds the values there; and with the
 * extras (organized, a tag apply adds, created once and recorded). */
static void test_dashboard_counts_every_applied_change(void **state)
{
    fixture *f = *state;
    make_plan(f);
    f->cfg.max_retries = 0;
    json_decref(ctl(f, "POST", "faults", "{\"fail_next\":{\"count\":1,\"kind\":\"truncate\","
                                         "\"operation\":\"ScenesUpdate\"}}"));
    sh_plan_run_opts o = {.db = f->db, .stash = &f->cfg, .plan_id = f->plan, .user = "tester", .batch_size = 2,
                          .mark_organized = true, .add_tag = "Reviewed"};
    sh_plan_run_result r;
    sh_error err = {0};
    assert_true(sh_plan_transient(sh_plan_apply_run(&o, &r, &err)));
    json_decref(r.problems);
    assert_int_equal(r.status, STASHHOG__PLAN_STATUS__PLAN_APPLYING);
    if (sh_plan_apply_run(&o, &r, &err) != SH_OK)
        fail_msg("resumed apply: %s", err.message);
    json_decref(r.problems);
    assert_int_equal(r.scenes_resumed, 2);
    assert_int_equal(r.entities_created, 4);
    sh_arena *a = sh_arena_create();
    Stashhog__PlanSummary *s = NULL;
    assert_int_equal(sh_plan_summary(f->db, a, f->plan, &s, NULL), SH_OK);
    assert_int_equal(s->applied, 6); /* including the code Stash already had */
    int64_t total = 0, window = 0;
    stats_applied(f, &total, &window);
    assert_int_equal(total, s->applied);
    assert_int_equal(window, s->applied);
    assert_int_equal(q(f, "SELECT count(*) FROM plan_changes WHERE status = 'applied' AND applied_at IS NULL"), 0);
    /* A row whose status says applied but that lacks its time (as a path
     * that set the status alone would leave it) still counts, on the day
     * its plan was applied: the dashboard once showed one change fewer
     * than the plan. */
    assert_int_equal(sh_db_exec(f->db, "UPDATE plan_changes SET applied_at = NULL WHERE field = 'code'", NULL), SH_OK);
    stats_applied(f, &total, &window);
    assert_int_equal(total, s->applied);
    assert_int_equal(window, s->applied);
    /* After a rollback the changes were still applied once. */
    run_ok(f, true, &r);
    json_decref(r.problems);
    json_decref(r.entities);
    assert_int_equal(r.entities_deleted, 4);
    stats_applied(f, &total, &window);
    assert_int_equal(total, 6);
    assert_int_equal(window, 6);
    sh_arena_destroy(a);
}

int main(void)
{
    sh_stash_global_init(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_apply_records_rollback_destroys_unused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kept_when_edited_or_parent_and_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupted_create_adopted_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dashboard_counts_every_applied_change, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sh_stash_global_cleanup();
    return rc;
}
