/* The plan store and its review operations on a real (temporary) database:
 * creating plans and changes, summaries and counts, accept/reject/reset
 * with each selector and their combination, edits of text, studio and set
 * fields (stored as add/remove diffs), frozen statuses, paged reads with
 * filters, export as JSON and CSV, delete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "plans/plan-values.h"
#include "plans/plans.h"
#include "test-db.h"

static sh_test_db tdb;
static sh_db *db;
static int64_t plan;
static int64_t ids[16]; /* change ids in insertion order */

static void add(size_t i, int64_t scene, const char *field, const char *cur, const char *prop, double conf)
{
    sh_error err = {0};
    json_t *c = json_loads(cur, JSON_DECODE_ANY, NULL), *p = json_loads(prop, JSON_DECODE_ANY, NULL);
    assert_non_null(c);
    assert_non_null(p);
    sh_plan_change_in in = {.plan_id = plan, .scene_id = scene, .field = field, .current = c, .proposed = p,
                            .confidence = conf, .analyzer = "test", .reason = "because"};
    if (sh_plan_add_change(db, &in, &err) != SH_OK)
        fail_msg("add change: %s", err.message);
    ids[i] = sqlite3_last_insert_rowid(sh_db_handle(db));
    json_decref(c);
    json_decref(p);
}

static int setup(void **state)
{
    (void)state;
    sh_test_db_open(&tdb);
    db = tdb.db;
    sh_error err = {0};
    assert_int_equal(sh_db_exec(db,
                                "INSERT INTO scenes(id, title, primary_path, synced_at) VALUES "
                                "(1, 'One', '/lib/one.mp4', 1), (2, '', '/lib/two.mp4', 1), (3, 'Three', '/lib/3.mp4', 1)",
                                &err),
                     SH_OK);
    assert_int_equal(sh_plan_create(db, "test plan", "{\"allow_new_entities\":true}", "{}", false, &plan, &err),
                     SH_OK);
    assert_int_equal(sh_db_write_begin(db, &err), SH_OK);
    add(0, 1, "title", "\"One\"", "\"One Better\"", 0.9);
    add(1, 1, "studio", "null", "{\"id\":5,\"name\":\"Acme\"}", 0.8);
    add(2, 1, "performers", "[{\"id\":1,\"name\":\"Ann\"}]",
        "{\"add\":[{\"id\":2,\"name\":\"Bo\"},{\"id\":0,\"name\":\"Cy\",\"new\":true}],\"remove\":[]}", 0.6);
    add(3, 2, "date", "null", "\"2020-01-02\"", 0.95);
    add(4, 2, "tags", "[]", "{\"add\":[{\"id\":7,\"name\":\"4k\"}],\"remove\":[]}", 0.5);
    add(5, 3, "title", "\"Three\"", "\"Three, \\\"quoted\\\"\"", 0.3);
    assert_int_equal(sh_db_commit(db, &err), SH_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sh_test_db_close(&tdb);
    db = NULL;
    return 0;
}

static Stashhog__PlanSummary *summary(sh_arena *a)
{
    Stashhog__PlanSummary *s = NULL;
    sh_error err = {0};
    assert_int_equal(sh_plan_summary(db, a, plan, &s, &err), SH_OK);
    return s;
}

static int64_t review(Stashhog__ReviewAction action, Stashhog__PlanReviewRequest *r)
{
    r->plan_id = plan;
    r->action = action;
    int64_t n = -1;
    sh_error err = {0};
    sh_status st = sh_plan_review(db, NULL, r, &n, &err);
    if (st != SH_OK)
        return -(int64_t)st - 1000;
    return n;
}

static void test_summary(void **state)
{
    (void)state;
    sh_arena *a = sh_arena_create();
    Stashhog__PlanSummary *s = summary(a);
    assert_string_equal(s->name, "test plan");
    assert_int_equal(s->status, STASHHOG__PLAN_STATUS__PLAN_DRAFT);
    assert_int_equal(s->change_count, 6);
    assert_int_equal(s->pending, 6);
    assert_int_equal(s->accepted, 0);
    Stashhog__PlanListReply *l = NULL;
    sh_error err = {0};
    assert_int_equal(sh_plan_list(db, a, 10, &l, &err), SH_OK);
    assert_int_equal(l->n_plans, 1);
    assert_int_equal(l->plans[0]->id, plan);
    assert_int_equal(l->plans[0]->pending, 6);
    sh_arena_destroy(a);
}

static void test_review_selectors(void **state)
{
    (void)state;
    Stashhog__PlanReviewRequest r = STASHHOG__PLAN_REVIEW_REQUEST__INIT;
    /* No selector: refused, nothing changes. */
    assert_int_equal(review(STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT, &r), -SH_ERR_INVALID - 1000);
    /* Confidence floor: 0.9, 0.8, 0.95 (0.6, 0.5, 0.3 stay). */
    r.has_min_confidence = 1;
    r.min_confidence = 0.8;
    assert_int_equal(review(STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT, &r), 3);
    /* Again: already accepted, nothing moves. */
    assert_int_equal(review(STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT, &r), 0);
    sh_arena *a = sh_arena_create();
    Stashhog__PlanSummary *s = summary(a);
    assert_int_equal(s->status, STASHHOG__PLAN_STATUS__PLAN_REVIEWING);
    assert_int_equal(s->accepted, 3);
    assert_int_equal(s->pending, 3);
    /* Field + scene: reject the title of scene 1 only. */
    Stashhog__PlanReviewRequest r2 = STASHHOG__PLAN_REVIEW_REQUEST__INIT;
    int64_t scene1 = 1;
    r2.field = (char *)"title";
    r2.scene_ids = &scene1;
    r2.n_scene_ids = 1;
    assert_int_equal(review(STASHHOG__REVIEW_ACTION__REVIEW_REJECT, &r2), 1);
    /* Change ids. */
    Stashhog__PlanReviewRequest r3 = STASHHOG__PLAN_REVIEW_REQUEST__INIT;
    int64_t two[2] = {ids[4], ids[5]};
    r3.change_ids = two;
    r3.n_change_ids = 2;
    assert_int_equal(review(STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT, &r3), 2);
    /* Unknown field refused. */
    Stashhog__PlanReviewRequest r4 = STASHHOG__PLAN_REVIEW_REQUEST__INIT;
    r4.field = (char *)"nope";
    assert_int_equal(review(STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT, &r4), -SH_ERR_INVALID - 1000);
    s = summary(a);
    assert_int_equal(s->accepted, 4); /* studio, date, tags, title 3 */
    assert_int_equal(s->rejected, 1);
    assert_int_equal(s->pending, 1); /* performers */
    /* Reset everything, then accept all. */
    Stashhog__PlanReviewRequest all = STASHHOG__PLAN_REVIEW_REQUEST__INIT;
    all.has_all = all.all = 1;
    assert_int_equal(review(STASHHOG__REVIEW_ACTION__REVIEW_RESET, &all), 5);
    assert_int_equal(review(STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT, &all), 6);
    /* Max confidence: reject the weak ones (0.5, 0.3). */
    Stashhog__PlanReviewRequest weak = STASHHOG__PLAN_REVIEW_REQUEST__INIT;
    weak.has_max_confidence = 1;
    weak.max_confidence = 0.5;
    assert_int_equal(review(STASHHOG__REVIEW_ACTION__REVIEW_REJECT, &weak), 2);
    /* Applied changes keep their outcome. */
    sh_error err = {0};
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE plan_changes SET status = 'applied' WHERE id = %lld", (long long)ids[0]);
    assert_int_equal(sh_db_exec(db, sql, &err), SH_OK);
    assert_int_equal(review(STASHHOG__REVIEW_ACTION__REVIEW_RESET, &all), 5);
    s = summary(a);
    assert_int_equal(s->applied, 1);
    assert_int_equal(s->pending, 5);
    /* A plan being applied (its job running) is frozen... */
    assert_int_equal(sh_plan_set_status(db, NULL, plan, STASHHOG__PLAN_STATUS__PLAN_APPLYING, NULL, false, &err),
                     SH_OK);
    snprintf(sql, sizeof sql,
             "INSERT INTO jobs (type, params, status, created_at, updated_at) "
             "VALUES ('apply_plan', '{\"plan_id\":%lld}', 'running', 1, 1)",
             (long long)plan);
    assert_int_equal(sh_db_exec(db, sql, &err), SH_OK);
    assert_int_equal(review(STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT, &all), -SH_ERR_BUSY - 1000);
    assert_int_equal(sh_plan_delete(db, NULL, plan, &err), SH_ERR_BUSY);
    /* ...but once its job gave up, the plan is reviewable again. */
    assert_int_equal(sh_db_exec(db, "UPDATE jobs SET status = 'failed'", &err), SH_OK);
    assert_int_equal(review(STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT, &all), 5);
    sh_arena_destroy(a);
}

static void test_edit(void **state)
{
    (void)state;
    sh_error err = {0};
    Stashhog__PlanEditRequest e = STASHHOG__PLAN_EDIT_REQUEST__INIT;
    Stashhog__FieldValue v = STASHHOG__FIELD_VALUE__INIT;
    e.plan_id = plan;
    e.value = &v;
    /* Bad date. */
    e.change_id = ids[3];
    v.text = (char *)"2020-13-01";
    assert_int_equal(sh_plan_edit(db, NULL, &e, &err), SH_ERR_INVALID);
    v.text = (char *)"2019-12-31";
    assert_int_equal(sh_plan_edit(db, NULL, &e, &err), SH_OK);
    /* Set field: desired list {Ann removed, Bo kept, Dee (9) added}. */
    Stashhog__EntityRef bo = STASHHOG__ENTITY_REF__INIT, dee = STASHHOG__ENTITY_REF__INIT;
    bo.id = 2;
    bo.name = (char *)"Bo";
    dee.id = 9;
    dee.name = (char *)"Dee";
    Stashhog__EntityRef *members[] = {&bo, &dee};
    Stashhog__FieldValue sv = STASHHOG__FIELD_VALUE__INIT;
    sv.entities = members;
    sv.n_entities = 2;
    e.value = &sv;
    e.change_id = ids[2];
    assert_int_equal(sh_plan_edit(db, NULL, &e, &err), SH_OK);
    /* Read back through the paged reader, filtered to performers. */
    sh_arena *a = sh_arena_create();
    Stashhog__PlanGetRequest g = STASHHOG__PLAN_GET_REQUEST__INIT;
    g.id = plan;
    g.field = (char *)"performers";
    Stashhog__PlanDetail *d = NULL;
    assert_int_equal(sh_plan_get(db, a, &g, &d, &err), SH_OK);
    assert_int_equal(d->total_changes, 1);
    assert_int_equal(d->n_changes, 1);
    Stashhog__Change *c = d->changes[0];
    assert_int_equal(c->status, STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED);
    assert_string_equal(c->analyzer, "user");
    assert_int_equal(c->n_added, 2);
    assert_int_equal(c->n_removed, 1);
    assert_string_equal(c->removed[0]->name, "Ann");
    assert_int_equal(c->current->n_entities, 1);
    assert_int_equal(c->proposed->n_entities, 2);
    assert_string_equal(c->scene_title, "One");
    assert_string_equal(c->scene_path, "/lib/one.mp4");
    /* Studio to null (clear). */
    Stashhog__FieldValue nv = STASHHOG__FIELD_VALUE__INIT;
    nv.has_is_null = nv.is_null = 1;
    e.value = &nv;
    e.change_id = ids[1];
    assert_int_equal(sh_plan_edit(db, NULL, &e, &err), SH_OK);
    g.field = NULL;
    g.has_status = 1;
    g.status = STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED;
    assert_int_equal(sh_plan_get(db, a, &g, &d, &err), SH_OK);
    assert_int_equal(d->total_changes, 3);
    bool saw_null_studio = false;
    for (size_t i = 0; i < d->n_changes; i++)
        if (strcmp(d->changes[i]->field, "studio") == 0)
            saw_null_studio = d->changes[i]->proposed->is_null;
    assert_true(saw_null_studio);
    /* Wrong plan / unknown change. */
    e.change_id = 99999;
    assert_int_equal(sh_plan_edit(db, NULL, &e, &err), SH_ERR_NOT_FOUND);
    sh_arena_destroy(a);
}

static void test_export_and_delete(void **state)
{
    (void)state;
    sh_error err = {0};
    char *text = NULL;
    assert_int_equal(sh_plan_export(db, plan, STASHHOG__EXPORT_FORMAT__EXPORT_JSON, &text, &err), SH_OK);
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(json_array_size(json_object_get(doc, "changes")), 6);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "plan"), "name")), "test plan");
    json_decref(doc);
    free(text);
    assert_int_equal(sh_plan_export(db, plan, STASHHOG__EXPORT_FORMAT__EXPORT_CSV, &text, &err), SH_OK);
    assert_non_null(strstr(text, "change_id,scene_id,scene_path,field,current,proposed"));
    assert_non_null(strstr(text, "+Bo +Cy"));                /* set diff rendering */
    assert_non_null(strstr(text, "\"Three, \"\"quoted\"\"\"")); /* RFC 4180 quoting */
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 7);
    free(text);
    assert_int_equal(sh_plan_delete(db, NULL, plan, &err), SH_OK);
    int64_t left = -1;
    assert_int_equal(sh_db_query_int64(db, "SELECT count(*) FROM plan_changes", &left, &err), SH_OK);
    assert_int_equal(left, 0);
    assert_int_equal(sh_plan_export(db, plan, STASHHOG__EXPORT_FORMAT__EXPORT_CSV, &text, &err), SH_ERR_NOT_FOUND);
}

static void test_values(void **state)
{
    (void)state;
    sh_error err = {0};
    json_t *scene = json_loads("{\"id\":\"4\",\"title\":\"\",\"date\":null,\"studio\":{\"id\":\"3\"},"
                               "\"performers\":[{\"id\":\"9\"},{\"id\":\"2\"}],\"tags\":[],\"organized\":false}",
                               0, NULL);
    assert_non_null(scene);
    json_t *n = sh_pv_norm_scene(scene, "performer_ids");
    json_t *cur = json_loads("[{\"id\":2,\"name\":\"b\"},{\"id\":9,\"name\":\"a\"}]", 0, NULL);
    json_t *pn = sh_pv_norm_plan("performers", cur);
    assert_true(sh_pv_norm_equal(n, pn)); /* order and id type do not matter */
    json_t *diff = json_loads("{\"add\":[{\"id\":5}],\"remove\":[{\"id\":9}]}", 0, NULL), *res = NULL;
    assert_int_equal(sh_pv_set_apply(n, diff, &res, &err), SH_OK);
    char *dump = json_dumps(res, JSON_COMPACT);
    assert_string_equal(dump, "[2,5]");
    free(dump);
    json_t *in = sh_pv_input_value("performer_ids", res);
    dump = json_dumps(in, JSON_COMPACT);
    assert_string_equal(dump, "[\"2\",\"5\"]");
    free(dump);
    json_t *bad = json_loads("{\"add\":[{\"id\":0,\"name\":\"New\",\"new\":true}]}", 0, NULL), *res2 = NULL;
    assert_int_equal(sh_pv_set_apply(n, bad, &res2, &err), SH_ERR_INVALID);
    /* Unset title is "" on both sides; unset date is null and stays null as input. */
    json_t *t1 = sh_pv_norm_scene(scene, "title"), *t2 = sh_pv_norm_plan("title", json_null());
    assert_true(sh_pv_norm_equal(t1, t2));
    json_t *d = sh_pv_norm_scene(scene, "date"), *din = sh_pv_input_value("date", d);
    assert_true(json_is_null(din));
    json_t *st = sh_pv_norm_scene(scene, "studio_id");
    assert_int_equal(json_integer_value(st), 3);
    json_decref(scene), json_decref(n), json_decref(cur), json_decref(pn), json_decref(diff), json_decref(res);
    json_decref(in), json_decref(bad), json_decref(t1), json_decref(t2), json_decref(d), json_decref(din);
    json_decref(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_review_selectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_and_delete, setup, teardown),
        cmocka_unit_test(test_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
