/* sh_pb_to_json / sh_pb_from_json: exact round trips (compared by their
 * packed bytes) and the strictness that keeps stored filters lossless. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sh-error.h"
#include "sh-pbjson.h"
#include "stashhog.pb-c.h"

/* to_json, through text (as stored in the database), back, and compare packed bytes. */
static void assert_round_trip(const ProtobufCMessage *msg)
{
    json_t *j = sh_pb_to_json(msg);
    assert_non_null(j);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    assert_non_null(text);
    json_t *back = json_loads(text, 0, NULL);
    assert_non_null(back);
    ProtobufCMessage *out = NULL;
    sh_error err = {0};
    sh_status st = sh_pb_from_json(msg->descriptor, back, &out, &err);
    if (st != SH_OK)
        fail_msg("from_json(%s): %s", text, err.message);
    json_decref(back);
    size_t n1 = protobuf_c_message_get_packed_size(msg), n2 = protobuf_c_message_get_packed_size(out);
    assert_int_equal(n1, n2);
    uint8_t *a = malloc(n1 + 1), *b = malloc(n2 + 1);
    assert_non_null(a);
    assert_non_null(b);
    protobuf_c_message_pack(msg, a);
    protobuf_c_message_pack(out, b);
    assert_memory_equal(a, b, n1);
    /* And the JSON of the result is the same text. */
    json_t *again = sh_pb_to_json(out);
    char *text2 = json_dumps(again, JSON_COMPACT);
    assert_string_equal(text, text2);
    free(text2);
    json_decref(again);
    free(a);
    free(b);
    free(text);
    protobuf_c_message_free_unpacked(out, NULL);
}

static void test_scene_filter_with_where_tree(void **state)
{
    (void)state;
    /* (studio = 12 and not (tag in (3, 4) or title ~ "beach")) and organized = false */
    Stashhog__Condition c_studio = STASHHOG__CONDITION__INIT, c_tag = STASHHOG__CONDITION__INIT,
                        c_title = STASHHOG__CONDITION__INIT, c_org = STASHHOG__CONDITION__INIT;
    c_studio.field = STASHHOG__FILTER_FIELD__FIELD_STUDIO;
    c_studio.op = STASHHOG__FILTER_OP__OP_EQ;
    c_studio.value_case = STASHHOG__CONDITION__VALUE_INT;
    c_studio.int_ = 12;
    int64_t tag_ids[] = {3, 4};
    Stashhog__IdList il = STASHHOG__ID_LIST__INIT;
    il.ids = tag_ids;
    il.n_ids = 2;
    c_tag.field = STASHHOG__FILTER_FIELD__FIELD_TAG;
    c_tag.op = STASHHOG__FILTER_OP__OP_IN;
    c_tag.value_case = STASHHOG__CONDITION__VALUE_IDS;
    c_tag.ids = &il;
    c_title.field = STASHHOG__FILTER_FIELD__FIELD_TITLE;
    c_title.op = STASHHOG__FILTER_OP__OP_CONTAINS;
    c_title.value_case = STASHHOG__CONDITION__VALUE_TEXT;
    c_title.text = "beach \"quoted\" é";
    c_org.field = STASHHOG__FILTER_FIELD__FIELD_ORGANIZED;
    c_org.op = STASHHOG__FILTER_OP__OP_EQ;
    c_org.value_case = STASHHOG__CONDITION__VALUE_FLAG;
    c_org.flag = 0;

    Stashhog__FilterNode n_studio = STASHHOG__FILTER_NODE__INIT, n_tag = STASHHOG__FILTER_NODE__INIT,
                         n_title = STASHHOG__FILTER_NODE__INIT, n_or = STASHHOG__FILTER_NODE__INIT,
                         n_not = STASHHOG__FILTER_NODE__INIT, n_org = STASHHOG__FILTER_NODE__INIT,
                         root = STASHHOG__FILTER_NODE__INIT;
    n_studio.node_case = STASHHOG__FILTER_NODE__NODE_COND, n_studio.cond = &c_studio;
    n_tag.node_case = STASHHOG__FILTER_NODE__NODE_COND, n_tag.cond = &c_tag;
    n_title.node_case = STASHHOG__FILTER_NODE__NODE_COND, n_title.cond = &c_title;
    n_org.node_case = STASHHOG__FILTER_NODE__NODE_COND, n_org.cond = &c_org;
    Stashhog__FilterNode *or_nodes[] = {&n_tag, &n_title};
    Stashhog__FilterGroup g_or = STASHHOG__FILTER_GROUP__INIT;
    g_or.nodes = or_nodes;
    g_or.n_nodes = 2;
    n_or.node_case = STASHHOG__FILTER_NODE__NODE_ANY, n_or.any = &g_or;
    n_not.node_case = STASHHOG__FILTER_NODE__NODE_NOT, n_not.not_ = &n_or;
    Stashhog__FilterNode *and_nodes[] = {&n_studio, &n_not, &n_org};
    Stashhog__FilterGroup g_and = STASHHOG__FILTER_GROUP__INIT;
    g_and.nodes = and_nodes;
    g_and.n_nodes = 3;
    root.node_case = STASHHOG__FILTER_NODE__NODE_ALL, root.all = &g_and;

    Stashhog__SceneFilter f = STASHHOG__SCENE_FILTER__INIT;
    int64_t studios[] = {1, 9007199254740993LL}, perf[] = {5}, scenes[] = {100, 200, 300};
    Stashhog__MissingField missing[] = {STASHHOG__MISSING_FIELD__MISSING_TAGS,
                                        STASHHOG__MISSING_FIELD__MISSING_CODE};
    f.query = "beach";
    f.studio_ids = studios, f.n_studio_ids = 2;
    f.exclude_performer_ids = perf, f.n_exclude_performer_ids = 1;
    f.scene_ids = scenes, f.n_scene_ids = 3;
    f.has_organized = 1, f.organized = 0;
    f.date_from = "2020-01";
    f.missing = missing, f.n_missing = 2;
    f.where = &root;
    f.saved = "unorganized";
    assert_round_trip(&f.base);

    /* An empty filter and an empty AND group survive too. */
    Stashhog__SceneFilter empty = STASHHOG__SCENE_FILTER__INIT;
    assert_round_trip(&empty.base);
    Stashhog__FilterGroup none = STASHHOG__FILTER_GROUP__INIT;
    Stashhog__FilterNode all_empty = STASHHOG__FILTER_NODE__INIT;
    all_empty.node_case = STASHHOG__FILTER_NODE__NODE_ALL, all_empty.all = &none;
    empty.where = &all_empty;
    assert_round_trip(&empty.base);
}

static void test_schedule(void **state)
{
    (void)state;
    Stashhog__Schedule s = STASHHOG__SCHEDULE__INIT;
    s.has_id = 1, s.id = 7;
    s.name = "nightly-analyze";
    s.job_type = "analyze";
    s.params_json = "{\"filter\":\"unorganized\"}";
    s.cron = "0 4 * * *";
    s.has_enabled = 1, s.enabled = 1;
    s.has_catch_up = 1, s.catch_up = 0; /* present and false: must stay present */
    s.has_last_run_ms = 1, s.last_run_ms = 1700000000123LL;
    s.has_last_status = 1, s.last_status = STASHHOG__JOB_STATUS__JOB_STATUS_FAILED;
    assert_round_trip(&s.base);
}

static void test_plan_detail(void **state)
{
    (void)state;
    Stashhog__EntityRef e1 = STASHHOG__ENTITY_REF__INIT, e2 = STASHHOG__ENTITY_REF__INIT;
    e1.id = 4, e1.name = "Alice";
    e2.id = 5, e2.name = "Bob";
    Stashhog__EntityRef *ents[] = {&e1, &e2}, *added[] = {&e2};
    Stashhog__FieldValue cur = STASHHOG__FIELD_VALUE__INIT, prop = STASHHOG__FIELD_VALUE__INIT;
    cur.entities = ents, cur.n_entities = 1;
    prop.entities = ents, prop.n_entities = 2;
    Stashhog__FieldValue nul = STASHHOG__FIELD_VALUE__INIT;
    nul.has_is_null = 1, nul.is_null = 1;
    Stashhog__Change c1 = STASHHOG__CHANGE__INIT, c2 = STASHHOG__CHANGE__INIT;
    c1.id = 1, c1.scene_id = 10, c1.field = "performers";
    c1.current = &cur, c1.proposed = &prop;
    c1.added = added, c1.n_added = 1;
    c1.has_confidence = 1, c1.confidence = 0.8500000000000001;
    c1.analyzer = "path";
    c1.status = STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED;
    c2.id = 2, c2.scene_id = 11, c2.field = "date";
    c2.proposed = &nul;
    c2.status = STASHHOG__CHANGE_STATUS__CHANGE_CONFLICT;
    c2.error = "changed in Stash";
    Stashhog__Change *changes[] = {&c1, &c2};
    Stashhog__PlanSummary sum = STASHHOG__PLAN_SUMMARY__INIT;
    sum.id = 3, sum.name = "scheduled: nightly", sum.status = STASHHOG__PLAN_STATUS__PLAN_REVIEWING;
    sum.has_scene_count = 1, sum.scene_count = 2;
    Stashhog__PlanDetail d = STASHHOG__PLAN_DETAIL__INIT;
    d.summary = &sum;
    d.changes = changes, d.n_changes = 2;
    d.has_total_changes = 1, d.total_changes = 2;
    assert_round_trip(&d.base);
}

static void test_bytes_and_enum_numbers(void **state)
{
    (void)state;
    Stashhog__PingRequest p = STASHHOG__PING_REQUEST__INIT;
    uint8_t payload[] = {0, 1, 0xab, 0xff};
    p.has_payload = 1, p.payload.data = payload, p.payload.len = sizeof payload;
    assert_round_trip(&p.base);

    json_t *j = json_pack("{s:i,s:i}", "field", 6, "op", 0); /* enums by number */
    ProtobufCMessage *m = NULL;
    assert_int_equal(sh_pb_from_json(&stashhog__condition__descriptor, j, &m, NULL), SH_OK);
    const Stashhog__Condition *c = (const Stashhog__Condition *)m;
    assert_int_equal(c->field, STASHHOG__FILTER_FIELD__FIELD_STUDIO);
    assert_int_equal(c->value_case, STASHHOG__CONDITION__VALUE__NOT_SET);
    protobuf_c_message_free_unpacked(m, NULL);
    json_decref(j);
}

/* from_json of text must fail with SH_ERR_INVALID and a message containing want. */
static void expect_invalid(const ProtobufCMessageDescriptor *d, const char *text, const char *want)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!j)
        fail_msg("bad test JSON %s: %s", text, jerr.text);
    ProtobufCMessage *m = NULL;
    sh_error err = {0};
    sh_status st = sh_pb_from_json(d, j, &m, &err);
    json_decref(j);
    if (st != SH_ERR_INVALID)
        fail_msg("%s: status %d (%s), wanted SH_ERR_INVALID", text, st, err.message);
    assert_null(m);
    if (!strstr(err.message, want))
        fail_msg("%s: message '%s' lacks '%s'", text, err.message, want);
}

static void test_errors_name_the_path(void **state)
{
    (void)state;
    const ProtobufCMessageDescriptor *sf = &stashhog__scene_filter__descriptor;
    expect_invalid(sf, "{\"bogus\":1}", "bogus: unknown key");
    expect_invalid(sf, "{\"where\":{\"all\":{\"nodes\":[{\"cond\":{\"field\":\"FIELD_ID\",\"op\":\"OP_EQ\",\"x\":1}}]}}}",
                   "where.all.nodes[0].cond.x: unknown key");
    expect_invalid(sf, "{\"studio_ids\":[1,\"2\"]}", "studio_ids[1]: expected an integer");
    expect_invalid(sf, "{\"studio_ids\":5}", "studio_ids: expected a list");
    expect_invalid(sf, "{\"organized\":\"yes\"}", "organized: expected true or false");
    expect_invalid(sf, "{\"query\":7}", "query: expected a string");
    expect_invalid(sf, "{\"missing\":[\"MISSING_NOPE\"]}", "missing[0]: not a stashhog.MissingField value");
    expect_invalid(sf, "{\"missing\":[99]}", "missing[0]: not a");
    expect_invalid(sf, "{\"where\":[]}", "where: expected an object");
    expect_invalid(sf, "[1]", "(top level): expected an object");
    /* Required members of a nested message. */
    expect_invalid(sf, "{\"where\":{\"cond\":{\"field\":\"FIELD_ID\"}}}", "where.cond.op: required");
    expect_invalid(&stashhog__schedule__descriptor, "{\"name\":\"x\"}", "job_type: required");
    expect_invalid(&stashhog__schedule__descriptor, "{\"name\":null,\"job_type\":\"sync\"}", "name: required");
    /* Two members of one oneof. */
    expect_invalid(sf, "{\"where\":{\"all\":{},\"any\":{}}}", "where.any: only one member");
    expect_invalid(&stashhog__condition__descriptor,
                   "{\"field\":\"FIELD_ID\",\"op\":\"OP_EQ\",\"text\":\"a\",\"int\":1}", "int: only one");
    /* Ranges and bytes. */
    expect_invalid(&stashhog__schedule_history_request__descriptor, "{\"id\":1,\"limit\":4294967296}",
                   "limit: 4294967296 is out of range");
    expect_invalid(&stashhog__ping_request__descriptor, "{\"payload\":\"abc\"}", "payload: expected an even-length");
    expect_invalid(&stashhog__ping_request__descriptor, "{\"payload\":\"zz\"}", "payload: not a hex string");
    expect_invalid(&stashhog__analyze_options__descriptor, "{\"min_confidence\":\"high\"}",
                   "min_confidence: expected a number");
}

static void test_depth_cap(void **state)
{
    (void)state;
    /* not(not(...(cond)...)): fine at the cap, refused above it. */
    for (int levels = SH_PB_JSON_MAX_DEPTH - 2; levels <= SH_PB_JSON_MAX_DEPTH + 2; levels += 4) {
        json_t *node = json_pack("{s:{s:s,s:s,s:I}}", "cond", "field", "FIELD_ID", "op", "OP_EQ", "int",
                                 (json_int_t)1);
        for (int i = 0; i < levels; i++)
            node = json_pack("{s:o}", "not", node);
        json_t *filter = json_pack("{s:o}", "where", node);
        ProtobufCMessage *m = NULL;
        sh_error err = {0};
        sh_status st = sh_pb_from_json(&stashhog__scene_filter__descriptor, filter, &m, &err);
        json_decref(filter);
        if (levels < SH_PB_JSON_MAX_DEPTH) {
            assert_int_equal(st, SH_OK);
            protobuf_c_message_free_unpacked(m, NULL);
        } else {
            assert_int_equal(st, SH_ERR_INVALID);
            assert_non_null(strstr(err.message, "nested deeper"));
            assert_null(m);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scene_filter_with_where_tree),
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_plan_detail),
        cmocka_unit_test(test_bytes_and_enum_numbers),
        cmocka_unit_test(test_errors_name_the_path),
        cmocka_unit_test(test_depth_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
