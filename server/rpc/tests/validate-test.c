/* The generic request validator: every rule, with the field path in the error. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rpc/validate.h"

static sh_status check(sh_request *req, sh_error *err)
{
    /* Round-trip through the wire so we validate what the decoder produces. */
    nng_msg *msg = NULL;
    assert_int_equal(sh_wire_pack(&req->base, SH_WIRE_MAX_REQUEST, &msg, NULL), SH_OK);
    sh_request *back = NULL;
    sh_status st = sh_wire_decode_request(nng_msg_body(msg), nng_msg_len(msg), &back, err);
    nng_msg_free(msg);
    if (st != SH_OK)
        return st;
    st = sh_validate_request(back, err);
    sh_wire_request_free(back);
    return st;
}

static sh_request scene_list(Stashhog__SceneListRequest *sl, Stashhog__SceneFilter *f)
{
    sh_request req = STASHHOG__REQUEST__INIT;
    req.protocol_version = SH_PROTOCOL_VERSION;
    req.request_id = 1;
    req.body_case = STASHHOG__REQUEST__BODY_SCENE_LIST;
    req.scene_list = sl;
    sl->filter = f;
    return req;
}

static void test_valid_passes(void **state)
{
    (void)state;
    Stashhog__SceneListRequest sl = STASHHOG__SCENE_LIST_REQUEST__INIT;
    Stashhog__SceneFilter f = STASHHOG__SCENE_FILTER__INIT;
    int64_t tags[] = {1, 2, 3};
    f.tag_ids = tags;
    f.n_tag_ids = 3;
    f.query = "caf\xc3\xa9 \xf0\x9f\x90\x97"; /* é and a boar */
    sl.has_sort = 1;
    sl.sort = STASHHOG__SCENE_SORT__SCENE_SORT_DATE;
    sh_request req = scene_list(&sl, &f);
    sh_error err = {0};
    assert_int_equal(check(&req, &err), SH_OK);
}

static void test_bad_id_in_list(void **state)
{
    (void)state;
    Stashhog__SceneListRequest sl = STASHHOG__SCENE_LIST_REQUEST__INIT;
    Stashhog__SceneFilter f = STASHHOG__SCENE_FILTER__INIT;
    int64_t tags[] = {1, 2, -7};
    f.tag_ids = tags;
    f.n_tag_ids = 3;
    sh_request req = scene_list(&sl, &f);
    sh_error err = {0};
    assert_int_equal(check(&req, &err), SH_ERR_INVALID);
    assert_string_equal(err.message, "invalid request: scene_list.filter.tag_ids[2]: id must be positive");
}

static void test_singular_id(void **state)
{
    (void)state;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__SceneGetRequest g = STASHHOG__SCENE_GET_REQUEST__INIT;
    req.protocol_version = SH_PROTOCOL_VERSION;
    req.request_id = 1;
    req.body_case = STASHHOG__REQUEST__BODY_SCENE_GET;
    req.scene_get = &g;
    g.id = 0;
    sh_error err = {0};
    assert_int_equal(check(&req, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "scene_get.id: id must be positive"));
    g.id = 42;
    assert_int_equal(check(&req, &err), SH_OK);
}

static void test_bad_utf8_and_length(void **state)
{
    (void)state;
    Stashhog__SceneListRequest sl = STASHHOG__SCENE_LIST_REQUEST__INIT;
    Stashhog__SceneFilter f = STASHHOG__SCENE_FILTER__INIT;
    sh_request req = scene_list(&sl, &f);
    sh_error err = {0};
    f.path_contains = "\xc0\xaf"; /* overlong '/' */
    assert_int_equal(check(&req, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "scene_list.filter.path_contains: text is not valid UTF-8"));
    char *big = malloc(SH_VALIDATE_MAX_STRING + 2);
    memset(big, 'a', SH_VALIDATE_MAX_STRING + 1);
    big[SH_VALIDATE_MAX_STRING + 1] = '\0';
    f.path_contains = big;
    assert_int_equal(check(&req, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "text too long"));
    big[SH_VALIDATE_MAX_STRING] = '\0';
    assert_int_equal(check(&req, &err), SH_OK);
    free(big);
}

static void test_unknown_enum(void **state)
{
    (void)state;
    Stashhog__SceneListRequest sl = STASHHOG__SCENE_LIST_REQUEST__INIT;
    sh_request req = scene_list(&sl, NULL);
    sl.has_sort = 1;
    sl.sort = (Stashhog__SceneSort)77;
    sh_error err = {0};
    assert_int_equal(check(&req, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "scene_list.sort: unknown value 77"));
}

static void test_repeated_cap(void **state)
{
    (void)state;
    Stashhog__SceneListRequest sl = STASHHOG__SCENE_LIST_REQUEST__INIT;
    Stashhog__SceneFilter f = STASHHOG__SCENE_FILTER__INIT;
    size_t n = SH_VALIDATE_MAX_REPEATED + 1;
    int64_t *ids = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = (int64_t)i + 1;
    f.scene_ids = ids;
    f.n_scene_ids = n;
    sh_request req = scene_list(&sl, &f);
    sh_error err = {0};
    assert_int_equal(check(&req, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "scene_list.filter.scene_ids: too many entries"));
    f.n_scene_ids = n - 1;
    assert_int_equal(check(&req, &err), SH_OK);
    free(ids);
}

static void test_non_finite_double(void **state)
{
    (void)state;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__PlanReviewRequest r = STASHHOG__PLAN_REVIEW_REQUEST__INIT;
    req.protocol_version = SH_PROTOCOL_VERSION;
    req.request_id = 1;
    req.body_case = STASHHOG__REQUEST__BODY_PLAN_REVIEW;
    req.plan_review = &r;
    r.plan_id = 3;
    r.has_min_confidence = 1;
    r.min_confidence = NAN;
    sh_error err = {0};
    assert_int_equal(check(&req, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "plan_review.min_confidence: number must be finite"));
    r.min_confidence = 0.5;
    assert_int_equal(check(&req, &err), SH_OK);
}

static void test_new_entity_proposal_may_lack_id(void **state)
{
    (void)state;
    sh_request req = STASHHOG__REQUEST__INIT;
    Stashhog__PlanEditRequest e = STASHHOG__PLAN_EDIT_REQUEST__INIT;
    Stashhog__FieldValue v = STASHHOG__FIELD_VALUE__INIT;
    Stashhog__EntityRef ref = STASHHOG__ENTITY_REF__INIT;
    req.protocol_version = SH_PROTOCOL_VERSION;
    req.request_id = 1;
    req.body_case = STASHHOG__REQUEST__BODY_PLAN_EDIT;
    req.plan_edit = &e;
    e.plan_id = 1;
    e.change_id = 2;
    e.value = &v;
    v.entity = &ref;
    ref.id = 0;
    ref.name = "New Studio";
    sh_error err = {0};
    assert_int_equal(check(&req, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "plan_edit.value.entity.id"));
    ref.has_is_new = 1;
    ref.is_new = 1;
    assert_int_equal(check(&req, &err), SH_OK);
}

static void test_utf8_rules(void **state)
{
    (void)state;
    assert_true(sh_validate_utf8("plain", 5));
    assert_true(sh_validate_utf8("\xf4\x8f\xbf\xbf", 4));  /* U+10FFFF */
    assert_false(sh_validate_utf8("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(sh_validate_utf8("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(sh_validate_utf8("\xe0\x80\xaf", 3));     /* overlong */
    assert_false(sh_validate_utf8("\xc3", 1));             /* truncated */
    assert_false(sh_validate_utf8("\x80", 1));             /* stray continuation */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_passes),       cmocka_unit_test(test_bad_id_in_list),
        cmocka_unit_test(test_singular_id),        cmocka_unit_test(test_bad_utf8_and_length),
        cmocka_unit_test(test_unknown_enum),       cmocka_unit_test(test_repeated_cap),
        cmocka_unit_test(test_non_finite_double),  cmocka_unit_test(test_new_entity_proposal_may_lack_id),
        cmocka_unit_test(test_utf8_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
