/* The advanced filter tree (SceneFilter.where) and saved filters against the
 * hand-built library of library-fixture.c (plus a few file rows changed so
 * duration/height/size/no-file cases exist).  Expected ids were worked out
 * by hand from the table there.  Also: values that look like
 * SQL or FTS syntax stay data, type errors name the offending node, depth and
 * size caps, and saved filters (round trip, conflicts, resolution at query
 * time, no chains). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"
#include "db/filter-tree.h"
#include "db/saved-filters.h"
#include "db/scene-query.h"
#include "library-fixture.h"

static sh_db *db;

/* Changed for this test: scenes 2 and 5 have a 720p, 30.25 s primary file;
 * scene 7 has no files at all (its primary_path stays). */
static const char *const tweaks[] = {
    "UPDATE scene_files SET height = 720, duration = 30.25 WHERE id IN (102, 105)",
    "DELETE FROM scene_files WHERE scene_id = 7",
    NULL,
};

static sh_test_library lib;

static int setup(void **state)
{
    (void)state;
    sh_test_library_open(&lib, tweaks);
    db = lib.db;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sh_test_library_close(&lib);
    db = NULL;
    return 0;
}

/* ---- tree builders: a static pool, reset by each check */

static Stashhog__FilterNode pool_nodes[1024];
static Stashhog__Condition pool_conds[1024];
static Stashhog__FilterGroup pool_groups[64];
static Stashhog__FilterNode *pool_kids[2048];
static Stashhog__IdList pool_lists[16];
static size_t n_nodes, n_conds, n_groups, n_kids, n_lists;

static void pool_reset(void)
{
    n_nodes = n_conds = n_groups = n_kids = n_lists = 0;
}

static Stashhog__FilterNode *node(void)
{
    assert_true(n_nodes < 1024);
    Stashhog__FilterNode *x = &pool_nodes[n_nodes++];
    stashhog__filter_node__init(x);
    return x;
}

/* NULL-terminated children. */
static Stashhog__FilterNode *group(bool all, ...)
{
    assert_true(n_groups < 64);
    Stashhog__FilterGroup *g = &pool_groups[n_groups++];
    stashhog__filter_group__init(g);
    g->nodes = &pool_kids[n_kids];
    va_list ap;
    va_start(ap, all);
    for (Stashhog__FilterNode *k; (k = va_arg(ap, Stashhog__FilterNode *));) {
        assert_true(n_kids < 2048);
        pool_kids[n_kids++] = k;
        g->n_nodes++;
    }
    va_end(ap);
    Stashhog__FilterNode *x = node();
    x->node_case = all ? STASHHOG__FILTER_NODE__NODE_ALL : STASHHOG__FILTER_NODE__NODE_ANY;
    if (all)
        x->all = g;
    else
        x->any = g;
    return x;
}
#define ALL(...) group(true, __VA_ARGS__, (Stashhog__FilterNode *)NULL)
#define ANY(...) group(false, __VA_ARGS__, (Stashhog__FilterNode *)NULL)

static Stashhog__FilterNode *not_node(Stashhog__FilterNode *k)
{
    Stashhog__FilterNode *x = node();
    x->node_case = STASHHOG__FILTER_NODE__NODE_NOT;
    x->not_ = k;
    return x;
}

static Stashhog__Condition *cnew(Stashhog__FilterField f, Stashhog__FilterOp op, Stashhog__FilterNode **out)
{
    assert_true(n_conds < 1024);
    Stashhog__Condition *c = &pool_conds[n_conds++];
    stashhog__condition__init(c);
    c->field = f;
    c->op = op;
    *out = node();
    (*out)->node_case = STASHHOG__FILTER_NODE__NODE_COND;
    (*out)->cond = c;
    return c;
}

#define FLD(x) STASHHOG__FILTER_FIELD__FIELD_##x
#define OP(x) STASHHOG__FILTER_OP__OP_##x

static Stashhog__FilterNode *ci(Stashhog__FilterField f, Stashhog__FilterOp op, int64_t v)
{
    Stashhog__FilterNode *x;
    Stashhog__Condition *c = cnew(f, op, &x);
    c->value_case = STASHHOG__CONDITION__VALUE_INT;
    c->int_ = v;
    return x;
}

static Stashhog__FilterNode *ct(Stashhog__FilterField f, Stashhog__FilterOp op, const char *v)
{
    Stashhog__FilterNode *x;
    Stashhog__Condition *c = cnew(f, op, &x);
    c->value_case = STASHHOG__CONDITION__VALUE_TEXT;
    c->text = (char *)v;
    return x;
}

static Stashhog__FilterNode *cr(Stashhog__FilterField f, Stashhog__FilterOp op, double v)
{
    Stashhog__FilterNode *x;
    Stashhog__Condition *c = cnew(f, op, &x);
    c->value_case = STASHHOG__CONDITION__VALUE_REAL;
    c->real = v;
    return x;
}

static Stashhog__FilterNode *cb(Stashhog__FilterField f, Stashhog__FilterOp op, bool v)
{
    Stashhog__FilterNode *x;
    Stashhog__Condition *c = cnew(f, op, &x);
    c->value_case = STASHHOG__CONDITION__VALUE_FLAG;
    c->flag = v;
    return x;
}

static Stashhog__FilterNode *cnull(Stashhog__FilterField f)
{
    Stashhog__FilterNode *x;
    cnew(f, OP(IS_NULL), &x);
    return x;
}

static Stashhog__FilterNode *cin(Stashhog__FilterField f, const int64_t *ids, size_t n)
{
    Stashhog__FilterNode *x;
    Stashhog__Condition *c = cnew(f, OP(IN), &x);
    assert_true(n_lists < 16);
    Stashhog__IdList *l = &pool_lists[n_lists++];
    stashhog__id_list__init(l);
    l->ids = (int64_t *)ids;
    l->n_ids = n;
    c->value_case = STASHHOG__CONDITION__VALUE_IDS;
    c->ids = l;
    return x;
}

#define F(...) ((Stashhog__SceneFilter){.base = PROTOBUF_C_MESSAGE_INIT(&stashhog__scene_filter__descriptor), __VA_ARGS__})
#define IDS(...) ((const int64_t[]){__VA_ARGS__}), (sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))
#define EXPECT(...) ((const int64_t[]){__VA_ARGS__}), (sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))
#define NONE ((const int64_t *)NULL), 0

struct collect {
    int64_t ids[64];
    size_t n;
};

static sh_status collect_fn(void *user, int64_t id, sh_error *err)
{
    (void)err;
    struct collect *c = user;
    assert_true(c->n < 64);
    c->ids[c->n++] = id;
    return SH_OK;
}

static void check_filter(const char *what, const Stashhog__SceneFilter *f, const int64_t *want, size_t n_want)
{
    sh_error err = {0};
    struct collect got = {0};
    sh_scene_order o = {.sort = STASHHOG__SCENE_SORT__SCENE_SORT_ID};
    if (sh_scene_query_ids(db, f, &o, 0, -1, collect_fn, &got, &err) != SH_OK)
        fail_msg("%s: %s", what, err.message);
    bool same = got.n == n_want;
    for (size_t i = 0; same && i < n_want; i++)
        same = got.ids[i] == want[i];
    if (!same) {
        char buf[256];
        size_t w = 0;
        for (size_t i = 0; i < got.n && w < sizeof buf - 24; i++)
            w += (size_t)snprintf(buf + w, sizeof buf - w, " %lld", (long long)got.ids[i]);
        buf[w] = '\0';
        fail_msg("%s: got [%s ] (%zu ids), want %zu ids", what, buf, got.n, n_want);
    }
    int64_t total = -1;
    assert_int_equal(sh_scene_query_count(db, f, &total, &err), SH_OK);
    if (total != (int64_t)n_want)
        fail_msg("%s: count %lld, want %zu", what, (long long)total, n_want);
}

static void check(const char *what, Stashhog__FilterNode *w, const int64_t *want, size_t n_want)
{
    Stashhog__SceneFilter f = F(.where = w);
    check_filter(what, &f, want, n_want);
    pool_reset();
}

/* Validation must fail with SH_ERR_INVALID and a message containing needle. */
static void check_invalid(const char *what, Stashhog__FilterNode *w, const char *needle)
{
    sh_error err = {0};
    Stashhog__SceneFilter f = F(.where = w);
    assert_int_equal(sh_scene_filter_validate(&f, &err), SH_ERR_INVALID);
    if (!strstr(err.message, needle))
        fail_msg("%s: message '%s' lacks '%s'", what, err.message, needle);
    /* The query entry points refuse it the same way, without running SQL. */
    int64_t total = 0;
    assert_int_equal(sh_scene_query_count(db, &f, &total, &err), SH_ERR_INVALID);
    pool_reset();
}

/* ---- tests */

static void test_nested(void **state)
{
    (void)state;
    /* studio 2: 2, 7, 8.  tag 3: 7, 8 yes; 2 has performer 3, so "not performer = 3" fails. */
    check("studio=2 and (tag=3 or not performer=3)",
          ALL(ci(FLD(STUDIO), OP(EQ), 2), ANY(ci(FLD(TAG), OP(EQ), 3), not_node(ci(FLD(PERFORMER), OP(EQ), 3)))),
          EXPECT(7, 8));
    /* De Morgan: not (a or b) == (not a) and (not b). */
    check("not (tag=1 or organized)", not_node(ANY(ci(FLD(TAG), OP(EQ), 1), cb(FLD(ORGANIZED), OP(EQ), true))),
          EXPECT(2, 3, 5, 7, 8));
    check("not tag=1 and not organized",
          ALL(not_node(ci(FLD(TAG), OP(EQ), 1)), not_node(cb(FLD(ORGANIZED), OP(EQ), true))), EXPECT(2, 3, 5, 7, 8));
    check("double negation", not_node(not_node(ci(FLD(STUDIO), OP(EQ), 1))), EXPECT(1, 4));
    check("empty all is true", ALL(NULL), EXPECT(1, 2, 3, 4, 5, 6, 7, 8));
    check("empty any is false", ANY(NULL), NONE);
    check("not of empty any", not_node(ANY(NULL)), EXPECT(1, 2, 3, 4, 5, 6, 7, 8));
    /* Unset values: a comparison is false, its negation true (scene 3 has no date). */
    check("date >= 2021", ct(FLD(DATE), OP(GE), "2021"), EXPECT(2, 6, 7));
    check("not date >= 2021", not_node(ct(FLD(DATE), OP(GE), "2021")), EXPECT(1, 3, 4, 5, 8));
    check("not (date >= 2021 and studio = 2)",
          not_node(ALL(ct(FLD(DATE), OP(GE), "2021"), ci(FLD(STUDIO), OP(EQ), 2))), EXPECT(1, 3, 4, 5, 6, 8));
}

static void test_fields(void **state)
{
    (void)state;
    check("date = 2020", ct(FLD(DATE), OP(EQ), "2020"), EXPECT(1, 4, 8));
    check("date = 2020-05", ct(FLD(DATE), OP(EQ), "2020-05"), EXPECT(1, 8));
    check("date < 2020", ct(FLD(DATE), OP(LT), "2020"), EXPECT(5));
    check("date <= 2020", ct(FLD(DATE), OP(LE), "2020"), EXPECT(1, 4, 5, 8));
    check("date > 2020", ct(FLD(DATE), OP(GT), "2020"), EXPECT(2, 6, 7));
    check("date is null", cnull(FLD(DATE)), EXPECT(3));
    check("date != 2021-01-15", ct(FLD(DATE), OP(NE), "2021-01-15"), EXPECT(1, 3, 4, 5, 7, 8));
    check("title contains sun", ct(FLD(TITLE), OP(CONTAINS), "sun"), EXPECT(1, 5));
    check("title = morning coffee", ct(FLD(TITLE), OP(EQ), "morning coffee"), EXPECT(2, 8));
    check("title starts with Mo", ct(FLD(TITLE), OP(STARTS_WITH), "Mo"), EXPECT(2, 8));
    check("title is null", cnull(FLD(TITLE)), EXPECT(3));
    check("title != Zebra", ct(FLD(TITLE), OP(NE), "Zebra"), EXPECT(1, 2, 3, 4, 5, 7, 8));
    check("code starts with AS-", ct(FLD(CODE), OP(STARTS_WITH), "AS-"), EXPECT(1, 4));
    check("code is null", cnull(FLD(CODE)), EXPECT(2, 3, 6, 8));
    check("details contains 100%", ct(FLD(DETAILS), OP(CONTAINS), "100%"), EXPECT(5));
    check("details contains _", ct(FLD(DETAILS), OP(CONTAINS), "_"), EXPECT(5));
    check("path contains backup (second file)", ct(FLD(PATH), OP(CONTAINS), "backup"), EXPECT(1));
    check("path = primary of a scene without files", ct(FLD(PATH), OP(EQ), "/lib/beta/alpha.mp4"), EXPECT(7));
    check("path starts with /lib/a", ct(FLD(PATH), OP(STARTS_WITH), "/lib/a"), EXPECT(1, 4));
    check("studio is null", cnull(FLD(STUDIO)), EXPECT(3, 6));
    check("studio != 2", ci(FLD(STUDIO), OP(NE), 2), EXPECT(1, 3, 4, 5, 6));
    check("studio in 1,3", cin(FLD(STUDIO), IDS(1, 3)), EXPECT(1, 4, 5));
    check("performer in 1,3", cin(FLD(PERFORMER), IDS(1, 3)), EXPECT(1, 2, 4, 5, 6));
    check("performer != 2", ci(FLD(PERFORMER), OP(NE), 2), EXPECT(2, 3, 4, 7));
    check("performer is null", cnull(FLD(PERFORMER)), EXPECT(3, 7));
    check("tag is null", cnull(FLD(TAG)), EXPECT(3));
    check("tag in 1,2", cin(FLD(TAG), IDS(1, 2)), EXPECT(1, 2, 4, 6, 8));
    check("performer_count >= 2", ci(FLD(PERFORMER_COUNT), OP(GE), 2), EXPECT(1, 5, 6));
    check("tag_count = 1", ci(FLD(TAG_COUNT), OP(EQ), 1), EXPECT(2, 5, 6, 7));
    check("organized", cb(FLD(ORGANIZED), OP(EQ), true), EXPECT(1, 4, 6));
    check("organized != true", cb(FLD(ORGANIZED), OP(NE), true), EXPECT(2, 3, 5, 7, 8));
    check("height = 720", ci(FLD(HEIGHT), OP(EQ), 720), EXPECT(2, 5));
    check("height is null (no files)", cnull(FLD(HEIGHT)), EXPECT(7));
    check("not height < 1000", not_node(ci(FLD(HEIGHT), OP(LT), 1000)), EXPECT(1, 3, 4, 6, 7, 8));
    check("duration > 60", cr(FLD(DURATION), OP(GT), 60.0), EXPECT(1, 3, 4, 6, 8));
    check("duration <= 30.25 (int value)", ci(FLD(DURATION), OP(LT), 31), EXPECT(2, 5));
    check("file_size >= 5000 (primary file)", ci(FLD(FILE_SIZE), OP(GE), 5000), EXPECT(5, 6, 8));
    check("file_size = 7 is a second file: no", ci(FLD(FILE_SIZE), OP(EQ), 7), NONE);
    check("id in 2,4,99", cin(FLD(ID), IDS(2, 4, 99)), EXPECT(2, 4));
    check("id > 6", ci(FLD(ID), OP(GT), 6), EXPECT(7, 8));
    check("updated_at = 2024-01-05", ct(FLD(UPDATED_AT), OP(EQ), "2024-01-05"), EXPECT(1, 4));
    check("updated_at >= 2024-01-05", ct(FLD(UPDATED_AT), OP(GE), "2024-01-05"), EXPECT(1, 4, 8));
    check("created_at = 2023 (a timestamp by prefix)", ct(FLD(CREATED_AT), OP(EQ), "2023"), EXPECT(1));
    check("created_at < 2023-01-01T00:00:01Z", ct(FLD(CREATED_AT), OP(LT), "2023-01-01T00:00:01Z"), EXPECT(1));
    check("created_at is null", cnull(FLD(CREATED_AT)), EXPECT(2, 3, 4, 5, 6, 7, 8));
}

static void test_full_text(void **state)
{
    (void)state;
    check("title matches sun", ct(FLD(TITLE), OP(MATCHES), "sun"), EXPECT(1, 5));
    check("text matches coffee", ct(FLD(TEXT), OP(MATCHES), "coffee"), EXPECT(2, 8));
    check("performer matches chloe (diacritics)", ct(FLD(PERFORMER), OP(MATCHES), "chloe"), EXPECT(2, 5, 6));
    check("studio matches alpha", ct(FLD(STUDIO), OP(MATCHES), "alpha"), EXPECT(1, 4));
    check("tag matches outdoor", ct(FLD(TAG), OP(MATCHES), "outdoor"), EXPECT(1, 4, 6));
    check("path matches zebra", ct(FLD(PATH), OP(MATCHES), "zebra"), EXPECT(6));
    check("details matches star* (FTS syntax is data)", ct(FLD(DETAILS), OP(MATCHES), "star*"), EXPECT(4));
    check("title matches alpha: not the studio column", ct(FLD(TITLE), OP(MATCHES), "alpha"), EXPECT(7));
}

static void test_injection(void **state)
{
    (void)state;
    const char *evil[] = {"x' OR 1=1 --", "'; DROP TABLE scenes; --", "\" OR \"\"=\"", ") OR (1=1",
                          "%' OR '%'='", "} : (x) OR {title"};
    for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
        check(evil[i], ct(FLD(TITLE), OP(EQ), evil[i]), NONE);
        check(evil[i], ct(FLD(TITLE), OP(CONTAINS), evil[i]), NONE);
        check(evil[i], ct(FLD(PATH), OP(STARTS_WITH), evil[i]), NONE);
        check(evil[i], ct(FLD(TEXT), OP(MATCHES), evil[i]), NONE);
        check(evil[i], not_node(ct(FLD(CODE), OP(EQ), evil[i])), EXPECT(1, 2, 3, 4, 5, 6, 7, 8));
    }
    /* The values are bound: the SQL text never contains them. */
    Stashhog__SceneFilter f = F(.where = ALL(ct(FLD(TITLE), OP(EQ), "x' OR 1=1 --"),
                                             ct(FLD(DATE), OP(GE), "2020"), ci(FLD(STUDIO), OP(EQ), 987654)));
    char *sql = NULL;
    sh_error err = {0};
    assert_int_equal(sh_scene_query_explain(db, &f, NULL, false, &sql, NULL, &err), SH_OK);
    assert_null(strstr(sql, "OR 1=1"));
    assert_null(strstr(sql, "2020"));
    assert_null(strstr(sql, "987654"));
    free(sql);
    pool_reset();
    /* The tables are still there. */
    check("after", ci(FLD(ID), OP(LE), 8), EXPECT(1, 2, 3, 4, 5, 6, 7, 8));
}

static void test_combined_with_flat(void **state)
{
    (void)state;
    Stashhog__SceneFilter f1 = F(.n_studio_ids = 1, .studio_ids = (int64_t[]){2}, .where = ci(FLD(TAG), OP(EQ), 3));
    check_filter("flat studio 2 + tree tag 3", &f1, EXPECT(7, 8));
    pool_reset();
    /* A flat performer (normally an id-set driver) with a tree condition. */
    Stashhog__SceneFilter f2 =
        F(.n_performer_ids = 1, .performer_ids = (int64_t[]){2}, .where = cb(FLD(ORGANIZED), OP(EQ), true));
    check_filter("flat performer 2 + tree organized", &f2, EXPECT(1, 6));
    pool_reset();
    Stashhog__SceneFilter f3 = F(.query = (char *)"coffee", .where = ct(FLD(DATE), OP(LT), "2021"));
    check_filter("flat query + tree date", &f3, EXPECT(8));
    pool_reset();
}

static void test_type_errors(void **state)
{
    (void)state;
    check_invalid("int for a title", ALL(ci(FLD(STUDIO), OP(EQ), 1), ci(FLD(TITLE), OP(GT), 5)), "where.all[1].cond");
    check_invalid("contains on performer", ANY(not_node(ci(FLD(PERFORMER), OP(CONTAINS), 2))),
                  "where.any[0].not.cond (performer contains)");
    check_invalid("bad date", ct(FLD(DATE), OP(EQ), "2020-1-1"), "YYYY");
    check_invalid("date as int", ci(FLD(DATE), OP(EQ), 2020), "needs a date");
    check_invalid("is null with a value", ci(FLD(STUDIO), OP(IS_NULL), 1), "takes no value");
    check_invalid("in without ids", ci(FLD(TAG), OP(IN), 1), "id list");
    check_invalid("in with no ids", cin(FLD(TAG), NULL, 0), "empty");
    check_invalid("matches punctuation", ct(FLD(TITLE), OP(MATCHES), "!!! ..."), "searchable");
    check_invalid("matches on date", ct(FLD(DATE), OP(MATCHES), "2020"), "operator");
    check_invalid("text field = ", ct(FLD(TEXT), OP(EQ), "x"), "operator");
    check_invalid("organized as text", ct(FLD(ORGANIZED), OP(EQ), "yes"), "true or false");
    check_invalid("height as real", cr(FLD(HEIGHT), OP(EQ), 720.5), "integer");
    check_invalid("bad timestamp", ct(FLD(UPDATED_AT), OP(GE), "2024-01-01; DROP"), "timestamp");
    check_invalid("unknown field", ci((Stashhog__FilterField)99, OP(EQ), 1), "unknown field");
    check_invalid("unknown op", ci(FLD(ID), (Stashhog__FilterOp)77, 1), "unknown operator");
    check_invalid("empty node", ALL(ci(FLD(ID), OP(EQ), 1), node()), "where.all[1]: node is neither");
    Stashhog__FilterNode *n = node();
    n->node_case = STASHHOG__FILTER_NODE__NODE_NOT;
    check_invalid("not without operand", n, "without an operand");
}

static void test_caps(void **state)
{
    (void)state;
    /* Depth: a chain of NOTs one deeper than allowed. */
    Stashhog__FilterNode *x = ci(FLD(ID), OP(EQ), 1);
    for (int i = 1; i < SH_FILTER_TREE_MAX_DEPTH; i++)
        x = not_node(x);
    Stashhog__SceneFilter ok = F(.where = x);
    sh_error err = {0};
    assert_int_equal(sh_scene_filter_validate(&ok, &err), SH_OK);
    check_invalid("too deep", not_node(x), "deeper than");

    /* Node count: an OR of more conditions than allowed. */
    Stashhog__FilterGroup *g = &pool_groups[n_groups++];
    stashhog__filter_group__init(g);
    g->nodes = &pool_kids[n_kids];
    for (int i = 0; i < SH_FILTER_TREE_MAX_NODES; i++) {
        pool_kids[n_kids++] = ci(FLD(ID), OP(EQ), i + 1);
        g->n_nodes++;
    }
    Stashhog__FilterNode *any = node();
    any->node_case = STASHHOG__FILTER_NODE__NODE_ANY;
    any->any = g;
    check_invalid("too many nodes", any, "more than");
    /* One fewer fits (the group node counts) and runs. */
    g = &pool_groups[n_groups++];
    stashhog__filter_group__init(g);
    g->nodes = &pool_kids[n_kids];
    for (int i = 0; i < SH_FILTER_TREE_MAX_NODES - 1; i++) {
        pool_kids[n_kids++] = ci(FLD(ID), OP(EQ), i + 1);
        g->n_nodes++;
    }
    any = node();
    any->node_case = STASHHOG__FILTER_NODE__NODE_ANY;
    any->any = g;
    check("255 conditions", any, EXPECT(1, 2, 3, 4, 5, 6, 7, 8));

    char *big = malloc(SH_FILTER_TREE_MAX_TEXT + 2);
    assert_non_null(big);
    memset(big, 'a', SH_FILTER_TREE_MAX_TEXT + 1);
    big[SH_FILTER_TREE_MAX_TEXT + 1] = '\0';
    check_invalid("long text", ct(FLD(TITLE), OP(CONTAINS), big), "longer than");
    free(big);
}

static void test_saved_filters(void **state)
{
    (void)state;
    sh_error err = {0};
    Stashhog__SceneFilter sunf = F(.where = ct(FLD(TITLE), OP(CONTAINS), "sun"));
    Stashhog__SavedFilter sf = STASHHOG__SAVED_FILTER__INIT;
    sf.name = (char *)"sunny.v1";
    sf.filter = &sunf;
    sf.expression = (char *)"title ~ \"sun\"";
    assert_int_equal(sh_saved_filter_save(db, &sf, false, &err), SH_OK);
    assert_int_equal(sh_saved_filter_save(db, &sf, false, &err), SH_ERR_CONFLICT);
    pool_reset();

    /* Round trip through the database. */
    sh_arena *a = sh_arena_create();
    Stashhog__SavedFilter *got = NULL;
    assert_int_equal(sh_saved_filter_get(db, a, "sunny.v1", &got, &err), SH_OK);
    assert_string_equal(got->name, "sunny.v1");
    assert_string_equal(got->expression, "title ~ \"sun\"");
    assert_true(got->created_at_ms > 0);
    assert_non_null(got->filter->where);
    assert_int_equal(got->filter->where->node_case, STASHHOG__FILTER_NODE__NODE_COND);
    assert_int_equal(got->filter->where->cond->field, FLD(TITLE));
    assert_int_equal(got->filter->where->cond->op, OP(CONTAINS));
    assert_string_equal(got->filter->where->cond->text, "sun");

    /* Used by name, ANDed with the request's own conditions. */
    check_filter("saved alone", &F(.saved = (char *)"sunny.v1"), EXPECT(1, 5));
    check_filter("saved + organized", &F(.saved = (char *)"sunny.v1", .has_organized = 1, .organized = 1), EXPECT(1));
    check_filter("saved + tree", &F(.saved = (char *)"sunny.v1", .where = ci(FLD(STUDIO), OP(EQ), 3)), EXPECT(5));
    pool_reset();
    check_filter("saved + performer driver", &F(.saved = (char *)"sunny.v1", .n_performer_ids = 1,
                                                 .performer_ids = (int64_t[]){3}),
                 EXPECT(5));

    /* Replace: the next query sees the new definition. */
    Stashhog__SceneFilter flat = F(.n_studio_ids = 1, .studio_ids = (int64_t[]){2});
    sf.filter = &flat;
    sf.expression = NULL;
    assert_int_equal(sh_saved_filter_save(db, &sf, true, &err), SH_OK);
    check_filter("replaced", &F(.saved = (char *)"sunny.v1"), EXPECT(2, 7, 8));

    /* A second one; list is by name. */
    Stashhog__SceneFilter org = F(.has_organized = 1, .organized = 1);
    Stashhog__SavedFilter sf2 = STASHHOG__SAVED_FILTER__INIT;
    sf2.name = (char *)"Organized";
    sf2.filter = &org;
    assert_int_equal(sh_saved_filter_save(db, &sf2, false, &err), SH_OK);
    Stashhog__SavedFilter **list = NULL;
    size_t n = 0;
    assert_int_equal(sh_saved_filter_list(db, a, &list, &n, &err), SH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0]->name, "Organized");
    assert_string_equal(list[1]->name, "sunny.v1");
    assert_null(list[1]->expression);

    /* No chains; bad names; a filter that does not validate is refused. */
    Stashhog__SceneFilter chain = F(.saved = (char *)"Organized");
    sf2.name = (char *)"chain";
    sf2.filter = &chain;
    assert_int_equal(sh_saved_filter_save(db, &sf2, false, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "another saved filter"));
    Stashhog__SceneFilter badf = F(.where = ct(FLD(DATE), OP(EQ), "yesterday"));
    sf2.name = (char *)"bad";
    sf2.filter = &badf;
    assert_int_equal(sh_saved_filter_save(db, &sf2, false, &err), SH_ERR_INVALID);
    pool_reset();
    const char *bad_names[] = {"", "-x", "a b", "x'--", "ü", "0123456789012345678901234567890123456789012345678901234567890123456789"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        sf2.name = (char *)bad_names[i];
        sf2.filter = &org;
        assert_int_equal(sh_saved_filter_save(db, &sf2, false, &err), SH_ERR_INVALID);
    }
    Stashhog__SceneFilter badref = F(.saved = (char *)"no such");
    assert_int_equal(sh_scene_filter_validate(&badref, &err), SH_ERR_INVALID);

    /* Delete; then a reference to it fails at query time, naming it. */
    assert_int_equal(sh_saved_filter_delete(db, "sunny.v1", &err), SH_OK);
    assert_int_equal(sh_saved_filter_delete(db, "sunny.v1", &err), SH_ERR_NOT_FOUND);
    int64_t total = 0;
    assert_int_equal(sh_scene_query_count(db, &F(.saved = (char *)"sunny.v1"), &total, &err), SH_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "sunny.v1"));
    assert_int_equal(sh_saved_filter_get(db, a, "sunny.v1", &got, &err), SH_ERR_NOT_FOUND);
    sh_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested),          cmocka_unit_test(test_fields),
        cmocka_unit_test(test_full_text),       cmocka_unit_test(test_injection),
        cmocka_unit_test(test_combined_with_flat), cmocka_unit_test(test_type_errors),
        cmocka_unit_test(test_caps),            cmocka_unit_test(test_saved_filters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
