/* The llm module's pure logic: request shape (schema present, only each
 * scene's candidates), answer checking and validation (unknown names
 * dropped, bad dates rejected, confidences clamped), prices and cost,
 * estimates, cache keys and the cache table, and the analysis adapter. */
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

#include "llm/llm-analysis.h"
#include "llm/llm-internal.h"

/* ---- fixture scenes */

static const char *const paths1[] = {"/lib/Acme Films/2021-03-04 Jane.Doe & John Roe - Beach.mp4"};
static const char *const paths2[] = {"/lib/Other/clip.mkv"};
static const sh_llm_candidate studios1[] = {{1, "Acme Films"}, {2, "Acme"}};
static const sh_llm_candidate performers1[] = {{10, "John Roe"}, {11, "Jane Doe"}};
static const sh_llm_candidate tags1[] = {{20, "Snow"}, {21, "Beach"}, {21, "Beach"}};
static const sh_llm_candidate tags2[] = {{22, "Forest"}};
static const char *const cur_tags2[] = {"Old"};

static sh_llm_scene_input scene1(void)
{
    return (sh_llm_scene_input){
        .id = 1,
        .paths = paths1,
        .n_paths = 1,
        .studio_candidates = studios1,
        .n_studio_candidates = 2,
        .performer_candidates = performers1,
        .n_performer_candidates = 2,
        .tag_candidates = tags1,
        .n_tag_candidates = 3,
    };
}

static sh_llm_scene_input scene2(void)
{
    return (sh_llm_scene_input){
        .id = 2,
        .paths = paths2,
        .n_paths = 1,
        .title = "  Clip  ",
        .details = "Has details.",
        .tags = cur_tags2,
        .n_tags = 1,
        .tag_candidates = tags2,
        .n_tag_candidates = 1,
    };
}

static json_t *request_json(const sh_llm_scene_input *const *s, size_t n, unsigned fields,
                            bool allow_new)
{
    size_t len = 0;
    char *body = sh_llm_build_request("gpt-4o-mini", 0, s, n, fields, allow_new, &len);
    assert_non_null(body);
    assert_int_equal(strlen(body), len);
    json_t *req = json_loads(body, 0, NULL);
    free(body);
    assert_non_null(req);
    return req;
}

static json_t *scenes_block(const json_t *req)
{
    const char *user = json_string_value(
        json_object_get(json_array_get(json_object_get(req, "messages"), 1), "content"));
    assert_non_null(user);
    const char *m = strstr(user, SH_LLM_SCENES_MARKER);
    assert_non_null(m);
    json_t *block = json_loads(m + strlen(SH_LLM_SCENES_MARKER), 0, NULL);
    assert_non_null(block);
    return block;
}

static char *names_of(const json_t *arr)
{
    static char buf[512];
    buf[0] = '\0';
    size_t i, pos = 0;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        int w = snprintf(buf + pos, sizeof buf - pos, "%s%s", i ? "," : "", json_string_value(v));
        assert_true(w > 0 && (size_t)w < sizeof buf - pos);
        pos += (size_t)w;
    }
    return buf;
}

static void test_request_shape(void **state)
{
    (void)state;
    sh_llm_scene_input a = scene1(), b = scene2();
    const sh_llm_scene_input *s[] = {&a, &b};
    json_t *req = request_json(s, 2, 0, false);
    assert_string_equal(json_string_value(json_object_get(req, "model")), "gpt-4o-mini");
    json_t *msgs = json_object_get(req, "messages");
    assert_int_equal(json_array_size(msgs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "role")),
                        "system");
    assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 1), "role")),
                        "user");
    assert_true(json_is_number(json_object_get(req, "temperature")));

    /* structured output: strict schema requiring every field */
    json_t *rf = json_object_get(req, "response_format");
    assert_string_equal(json_string_value(json_object_get(rf, "type")), "json_schema");
    json_t *js = json_object_get(rf, "json_schema");
    assert_true(json_is_true(json_object_get(js, "strict")));
    assert_non_null(json_string_value(json_object_get(js, "name")));
    json_t *item = json_object_get(
        json_object_get(json_object_get(json_object_get(js, "schema"), "properties"), "scenes"),
        "items");
    assert_true(json_is_false(json_object_get(item, "additionalProperties")));
    assert_string_equal(names_of(json_object_get(item, "required")),
                        "scene_id,studio,performers,tags,title,date,details");
    /* no new names allowed: tag names constrained to the candidates' union */
    json_t *tag_enum = json_object_get(
        json_object_get(
            json_object_get(json_object_get(json_object_get(item, "properties"), "tags"), "items"),
            "properties"),
        "name");
    assert_string_equal(names_of(json_object_get(tag_enum, "enum")), "Beach,Forest,Snow");

    /* the scenes block: per-scene candidates only, sorted and de-duplicated */
    json_t *block = scenes_block(req);
    json_t *s1 = json_array_get(json_object_get(block, "scenes"), 0);
    json_t *s2 = json_array_get(json_object_get(block, "scenes"), 1);
    assert_int_equal(json_integer_value(json_object_get(s1, "scene_id")), 1);
    assert_string_equal(names_of(json_object_get(json_object_get(s1, "candidates"), "tags")),
                        "Beach,Snow");
    assert_string_equal(names_of(json_object_get(json_object_get(s1, "candidates"), "performers")),
                        "Jane Doe,John Roe");
    assert_string_equal(names_of(json_object_get(json_object_get(s2, "candidates"), "tags")),
                        "Forest");
    assert_string_equal(json_string_value(json_object_get(json_object_get(s2, "current"), "title")),
                        "Clip");
    assert_null(json_object_get(json_object_get(s1, "current"), "title"));
    assert_string_equal(names_of(json_object_get(block, "fields")),
                        "studio,performers,tags,title,date,details");
    json_decref(block);
    json_decref(req);

    /* only requested fields: schema and candidates shrink; new names: no enum */
    req = request_json(s, 1, SH_LLM_FIELD_BIT(SH_LLM_TAGS) | SH_LLM_FIELD_BIT(SH_LLM_DATE), true);
    item = json_object_get(
        json_object_get(
            json_object_get(json_object_get(json_object_get(json_object_get(req, "response_format"),
                                                            "json_schema"),
                                            "schema"),
                            "properties"),
            "scenes"),
        "items");
    assert_string_equal(names_of(json_object_get(item, "required")), "scene_id,tags,date");
    tag_enum = json_object_get(
        json_object_get(
            json_object_get(json_object_get(json_object_get(item, "properties"), "tags"), "items"),
            "properties"),
        "name");
    assert_null(json_object_get(tag_enum, "enum"));
    block = scenes_block(req);
    json_t *cands =
        json_object_get(json_array_get(json_object_get(block, "scenes"), 0), "candidates");
    assert_int_equal(json_object_size(cands), 1);
    assert_non_null(json_object_get(cands, "tags"));
    json_decref(block);
    json_decref(req);
}

static const char good_answer[] =
    "{\"scenes\":[{\"scene_id\":1,"
    "\"studio\":{\"name\":\"acme films\",\"confidence\":0.9,\"reason\":\"folder\"},"
    "\"performers\":[{\"name\":\"Jane-Doe\",\"confidence\":1.7,\"reason\":\"path\"},"
    "{\"name\":\"Nobody Known\",\"confidence\":0.8,\"reason\":\"guess\"},"
    "{\"name\":\"Jane Doe\",\"confidence\":0.5,\"reason\":\"dup\"}],"
    "\"tags\":[{\"name\":\"Beach\",\"confidence\":-0.3,\"reason\":\"path\"},"
    "{\"name\":\"Invented\",\"confidence\":0.9,\"reason\":\"x\"}],"
    "\"title\":{\"value\":\"  Beach Day \",\"confidence\":0.6,\"reason\":\"file name\"},"
    "\"date\":{\"value\":\"2021-02-30\",\"confidence\":0.8,\"reason\":\"path\"},"
    "\"details\":{\"value\":\"A day at the beach.\",\"confidence\":0.5,\"reason\":\"summary\"}},"
    "{\"scene_id\":2,\"studio\":null,\"performers\":[],\"tags\":[],\"title\":{\"value\":\"Clip\","
    "\"confidence\":0.5,\"reason\":\"same\"},"
    "\"date\":{\"value\":\"2020-02-29\",\"confidence\":0.7,\"reason\":\"leap\"},"
    "\"details\":{\"value\":\"Other text.\",\"confidence\":0.5,\"reason\":\"x\"}},"
    "{\"scene_id\":99,\"studio\":null,\"performers\":[],\"tags\":[],\"title\":null,\"date\":null,"
    "\"details\":null}]}";

static void test_parse_and_validate(void **state)
{
    (void)state;
    sh_llm_scene_input a = scene1(), b = scene2();
    int64_t ids[] = {1, 2, 3};
    json_t *per[3];
    sh_error err = {0};
    assert_int_equal(sh_llm_parse_answer(good_answer, ids, 3, 0, per, &err), SH_OK);
    assert_non_null(per[0]);
    assert_non_null(per[1]);
    assert_null(per[2]); /* scene 3 left out; 99 was never asked for */

    sh_llm_scene_result r = {0};
    assert_int_equal(sh_llm_resolve_scene(per[0], &a, 0, false, &r, &err), SH_OK);
    assert_int_equal(r.status, SH_OK);
    assert_true(r.has_studio);
    assert_int_equal(r.studio.id, 1); /* case-folded match */
    assert_string_equal(r.studio.name, "Acme Films");
    assert_int_equal(r.n_performers, 1); /* unknown dropped, duplicate merged */
    assert_int_equal(r.performers[0].id, 11);
    assert_true(r.performers[0].confidence == 1.0); /* clamped */
    assert_int_equal(r.n_tags, 1);
    assert_int_equal(r.tags[0].id, 21);
    assert_true(r.tags[0].confidence == 0.0);
    assert_string_equal(r.title.value, "Beach Day");
    assert_null(r.date.value); /* February 30th rejected */
    assert_string_equal(r.details.value, "A day at the beach.");
    assert_int_equal(r.n_dropped, 3); /* Nobody Known, Invented, the date */
    sh_llm_scene_result_fini(&r);

    /* new names allowed: kept and marked */
    assert_int_equal(sh_llm_resolve_scene(per[0], &a, 0, true, &r, &err), SH_OK);
    assert_int_equal(r.n_performers, 2);
    assert_true(r.performers[1].is_new);
    assert_int_equal(r.performers[1].id, 0);
    assert_string_equal(r.performers[1].name, "Nobody Known");
    sh_llm_scene_result_fini(&r);

    /* scene 2: unchanged title is no proposal, leap day fine, details kept off */
    assert_int_equal(sh_llm_resolve_scene(per[1], &b, 0, false, &r, &err), SH_OK);
    assert_null(r.title.value);
    assert_string_equal(r.date.value, "2020-02-29");
    assert_null(r.details.value);
    assert_false(r.has_studio);
    sh_llm_scene_result_fini(&r);
    json_decref(per[0]);
    json_decref(per[1]);
}

static void test_schema_violations(void **state)
{
    (void)state;
    int64_t ids[] = {1};
    json_t *per[1];
    sh_error err = {0};
    const char *bad[] = {
        "Sure! {\"scenes\": [",
        "{\"result\": []}",
        "{\"scenes\":[{\"scene_id\":\"1\",\"tags\":[]}]}",
        "{\"scenes\":[{\"scene_id\":1,\"tags\":[{\"name\":\"x\",\"confidence\":\"hi\"}]}]}",
        "{\"scenes\":[{\"scene_id\":1}]}",
        "{\"scenes\":[{\"scene_id\":1,\"tags\":{}}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sh_error_clear(&err);
        assert_int_equal(
            sh_llm_parse_answer(bad[i], ids, 1, SH_LLM_FIELD_BIT(SH_LLM_TAGS), per, &err),
            SH_ERR_PROTOCOL);
        assert_null(per[0]);
        assert_true(strlen(err.message) > 0);
    }
    /* a Markdown fence around valid JSON is tolerated */
    assert_int_equal(
        sh_llm_parse_answer("```json\n{\"scenes\":[{\"scene_id\":1,\"tags\":[]}]}\n```", ids, 1,
                            SH_LLM_FIELD_BIT(SH_LLM_TAGS), per, &err),
        SH_OK);
    assert_non_null(per[0]);
    json_decref(per[0]);
}

static void test_dates(void **state)
{
    (void)state;
    assert_true(sh_llm_date_valid("2021-03-04"));
    assert_true(sh_llm_date_valid("2000-02-29"));
    assert_false(sh_llm_date_valid("1900-02-29"));
    assert_false(sh_llm_date_valid("2021-13-01"));
    assert_false(sh_llm_date_valid("2021-3-4"));
    assert_false(sh_llm_date_valid("1899-12-31"));
    assert_false(sh_llm_date_valid("3021-01-01"));
    assert_false(sh_llm_date_valid("2021-04-31"));
    assert_false(sh_llm_date_valid("2021/03/04"));
}

static void test_prices(void **state)
{
    (void)state;
    sh_llm_prices *p = NULL;
    sh_error err = {0};
    assert_int_equal(sh_llm_prices_create(&p, &err), SH_OK);
    double in, out;
    assert_true(sh_llm_prices_lookup(p, "gpt-4o-mini", &in, &out));
    assert_true(in == 0.15 && out == 0.60);
    assert_true(sh_llm_prices_lookup(p, "gpt-4o-mini-2024-07-18", &in, &out)); /* longest prefix */
    assert_true(in == 0.15);
    assert_true(sh_llm_prices_lookup(p, "openai/gpt-4o", &in, &out));
    assert_true(in == 2.50);
    assert_false(sh_llm_prices_lookup(p, "llama3.1:8b", &in, &out)); /* local: free */
    assert_true(sh_llm_prices_cost(p, "llama3.1:8b", 1000000, 1000000) == 0);
    double c = sh_llm_prices_cost(p, "gpt-4o-mini", 1000000, 2000000);
    assert_true(c > 1.3499 && c < 1.3501);
    assert_int_equal(sh_llm_prices_load_json(p,
                                             "{\"llama3.1:8b\":{\"input\":1,\"output\":2},\"gpt-4o-"
                                             "mini\":{\"input\":0.2,\"output\":0.8}}",
                                             &err),
                     SH_OK);
    assert_true(sh_llm_prices_cost(p, "llama3.1:8b", 500000, 500000) == 1.5);
    assert_true(sh_llm_prices_lookup(p, "gpt-4o-mini", &in, &out) && in == 0.2);
    assert_int_equal(sh_llm_prices_load_json(p, "[1]", &err), SH_ERR_INVALID);
    assert_int_equal(sh_llm_prices_load_json(p, "{\"x\":{\"input\":\"a\"}}", &err), SH_ERR_INVALID);
    assert_int_equal(sh_llm_prices_set(p, "x", -1, 0, &err), SH_ERR_INVALID);
    assert_true(sh_llm_prices_cost(NULL, "gpt-4o", 1000, 1000) == 0);
    sh_llm_prices_destroy(p);
}

static void test_estimate(void **state)
{
    (void)state;
    sh_llm_prices *p = NULL;
    assert_int_equal(sh_llm_prices_create(&p, NULL), SH_OK);
    sh_llm_scene_input s[7];
    for (int i = 0; i < 7; i++) {
        s[i] = scene1();
        s[i].id = i + 1;
    }
    sh_llm_request_opts o;
    sh_llm_request_opts_init(&o);
    o.prices = p;
    sh_llm_estimate est = {0};
    assert_int_equal(sh_llm_estimate_cost("gpt-4o-mini", s, 7, &o, &est, NULL), SH_OK);
    assert_int_equal(est.requests, 2); /* 5 + 2 */
    assert_int_equal(est.completion_tokens, 7 * 200);
    assert_true(est.prompt_tokens > 140);
    double want = ((double)est.prompt_tokens * 0.15 + (double)est.completion_tokens * 0.6) / 1e6;
    assert_true(est.cost_usd > want * 0.999 && est.cost_usd < want * 1.001);
    /* adds up across calls; a local model is free */
    assert_int_equal(sh_llm_estimate_cost("gpt-4o-mini", s, 1, &o, &est, NULL), SH_OK);
    assert_int_equal(est.requests, 3);
    sh_llm_estimate local = {0};
    assert_int_equal(sh_llm_estimate_cost("qwen2.5", s, 7, &o, &local, NULL), SH_OK);
    assert_true(local.cost_usd == 0 && local.prompt_tokens > 0);
    sh_llm_prices_destroy(p);
}

static void scratch_db(char *dir, size_t len, sh_db_env **env, sh_db **db)
{
    const char *base = getenv("STASHHOG_TEST_SCRATCH");
    if (!base)
        base = "/tmp";
    assert_int_equal(sh_mkdir_p(base, 0700, NULL), SH_OK);
    snprintf(dir, len, "%s/llm-XXXXXX", base);
    assert_non_null(mkdtemp(dir));
    char path[600];
    snprintf(path, sizeof path, "%s/cache.db", dir);
    assert_int_equal(sh_db_env_create(path, env, NULL), SH_OK);
    assert_int_equal(sh_db_open(*env, false, db, NULL), SH_OK);
}

static void test_cache(void **state)
{
    (void)state;
    sh_llm_scene_input a = scene1(), b = scene1();
    sh_llm_candidate rev[] = {{11, "Jane Doe"}, {10, "John Roe"}};
    b.performer_candidates = rev; /* same set, other order */
    sh_llm_request_opts o;
    sh_llm_request_opts_init(&o);
    char k1[SH_LLM_CACHE_KEY_LEN], k2[SH_LLM_CACHE_KEY_LEN], k3[SH_LLM_CACHE_KEY_LEN];
    assert_int_equal(sh_llm_cache_key("m", &a, &o, k1, NULL), SH_OK);
    assert_int_equal(sh_llm_cache_key("m", &b, &o, k2, NULL), SH_OK);
    assert_int_equal(strlen(k1), 64);
    assert_string_equal(k1, k2);
    assert_int_equal(sh_llm_cache_key("other", &a, &o, k3, NULL), SH_OK);
    assert_string_not_equal(k1, k3);
    o.fields = SH_LLM_FIELD_BIT(SH_LLM_TAGS);
    assert_int_equal(sh_llm_cache_key("m", &a, &o, k3, NULL), SH_OK);
    assert_string_not_equal(k1, k3);
    sh_llm_request_opts_init(&o);
    b.title = "A title";
    assert_int_equal(sh_llm_cache_key("m", &b, &o, k3, NULL), SH_OK);
    assert_string_not_equal(k1, k3);

    char dir[512];
    sh_db_env *env = NULL;
    sh_db *db = NULL;
    scratch_db(dir, sizeof dir, &env, &db);
    sh_error err = {0};
    char *text = NULL;
    assert_int_equal(sh_llm_cache_get(db, k1, &text, NULL, NULL, &err), SH_ERR_NOT_FOUND);
    assert_int_equal(sh_llm_cache_put(db, k1, "m", "{\"scene_id\":1}", 10, 5, false, &err), SH_OK);
    int64_t pt = 0, ct = 0;
    assert_int_equal(sh_llm_cache_get(db, k1, &text, &pt, &ct, &err), SH_OK);
    assert_string_equal(text, "{\"scene_id\":1}");
    assert_int_equal(pt, 10);
    assert_int_equal(ct, 5);
    free(text);
    int64_t deleted = -1;
    assert_int_equal(sh_llm_cache_prune(db, 1, &deleted, &err), SH_OK); /* nothing that old */
    assert_int_equal(deleted, 0);
    assert_int_equal(sh_llm_cache_prune(db, 0, &deleted, &err), SH_OK);
    assert_int_equal(deleted, 1);
    assert_int_equal(sh_llm_cache_get(db, k1, &text, NULL, NULL, &err), SH_ERR_NOT_FOUND);
    sh_db_close(db);
    sh_db_env_destroy(env);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_adapter(void **state)
{
    (void)state;
    const char *const alias[] = {"JD"};
    sh_an_entity st[] = {{.id = 1, .name = "Acme Films"}};
    sh_an_entity pf[] = {{.id = 10, .name = "John Roe"},
                         {.id = 11, .name = "Jane Doe", .aliases = alias, .n_aliases = 1}};
    sh_an_entity tg[] = {{.id = 21, .name = "Beach"}};
    sh_an_index *index = NULL;
    assert_int_equal(sh_an_index_create(st, 1, pf, 2, tg, 1, &index, NULL), SH_OK);

    sh_llm_pick perfs[] = {{.id = 10, .name = "John Roe", .confidence = 0.9, .reason = "p"},
                           {.name = "JD", .is_new = true, .confidence = 0.8, .reason = "alias"},
                           {.name = "Brand New", .is_new = true, .confidence = 0.9, .reason = "n"},
                           {.id = 11, .name = "Jane Doe", .confidence = 0.2, .reason = "low"}};
    sh_llm_pick tags[] = {{.id = 21, .name = "Beach", .confidence = 0.9, .reason = "t"}};
    sh_llm_scene_result r = {
        .scene_id = 5,
        .status = SH_OK,
        .has_studio = true,
        .studio = {.id = 1, .name = "Acme Films", .confidence = 0.9, .reason = "s"},
        .performers = perfs,
        .n_performers = 4,
        .tags = tags,
        .n_tags = 1,
        .date = {.value = "2021-03-04", .confidence = 0.8, .reason = "d"},
        .title = {.value = "T", .confidence = 0.1, .reason = "weak"}};
    int64_t have_perf[] = {10};
    int64_t have_tags[] = {21};
    sh_an_scene scene = {.id = 5,
                         .studio_id = 0,
                         .performer_ids = have_perf,
                         .n_performer_ids = 1,
                         .tag_ids = have_tags,
                         .n_tag_ids = 1};
    sh_an_options opt;
    sh_an_options_init(&opt);
    opt.min_confidence = 0.3;
    sh_an_results *res = NULL;
    assert_int_equal(sh_an_results_create(&res, NULL), SH_OK);
    assert_int_equal(sh_llm_result_to_proposals(&r, index, &scene, &opt, res, NULL), SH_OK);

    const sh_an_proposal *p = sh_an_results_find(res, SH_AN_FIELD_STUDIO);
    assert_non_null(p);
    assert_int_equal(p->items[0].entity_id, 1);
    assert_string_equal(p->analyzer, "llm");
    p = sh_an_results_find(res, SH_AN_FIELD_PERFORMERS);
    assert_non_null(p);
    /* John Roe already on the scene, Brand New not allowed, Jane too weak;
     * "JD" proposed as new is really Jane Doe (alias) */
    assert_int_equal(p->n_items, 1);
    assert_int_equal(p->items[0].entity_id, 11);
    assert_false(p->items[0].is_new);
    assert_null(sh_an_results_find(res, SH_AN_FIELD_TAGS)); /* nothing to add */
    assert_string_equal(sh_an_results_find(res, SH_AN_FIELD_DATE)->text, "2021-03-04");
    assert_null(sh_an_results_find(res, SH_AN_FIELD_TITLE)); /* below min confidence */

    sh_an_results_clear(res);
    opt.allow_new_entities = true;
    opt.fields = SH_AN_FIELD_BIT(SH_AN_FIELD_PERFORMERS);
    assert_int_equal(sh_llm_result_to_proposals(&r, index, &scene, &opt, res, NULL), SH_OK);
    assert_int_equal(sh_an_results_count(res), 1);
    p = sh_an_results_find(res, SH_AN_FIELD_PERFORMERS);
    assert_int_equal(p->n_items, 2);
    assert_true(p->items[1].is_new);
    assert_string_equal(p->items[1].name, "Brand New");

    assert_int_equal(sh_llm_fields_from_an(SH_AN_FIELD_BIT(SH_AN_FIELD_CODE)), 0);
    assert_int_equal(sh_llm_fields_from_an(0), SH_LLM_FIELDS_ALL);
    assert_int_equal(sh_llm_fields_from_an(SH_AN_FIELD_BIT(SH_AN_FIELD_TAGS)),
                     SH_LLM_FIELD_BIT(SH_LLM_TAGS));
    r.status = SH_ERR_PROTOCOL;
    assert_int_equal(sh_llm_result_to_proposals(&r, index, &scene, &opt, res, NULL),
                     SH_ERR_INVALID);
    sh_an_results_destroy(res);
    sh_an_index_destroy(index);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_shape),
        cmocka_unit_test(test_parse_and_validate),
        cmocka_unit_test(test_schema_violations),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_prices),
        cmocka_unit_test(test_estimate),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_adapter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
