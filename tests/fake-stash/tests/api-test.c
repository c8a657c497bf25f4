/* api-test.c - the fake Stash's GraphQL and control APIs behave like Stash:
 * auth, keyset paging, filters, sceneUpdate semantics, entity lookups,
 * creates and destroys, scene counts by entity, control edits. Each test gets a fresh in-process server on an
 * ephemeral port. */
#include "fake-stash.h"
#include "http-client.h"

#include <curl/curl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define KEY "test-key-not-secret"
#define N_SCENES 1200

typedef struct fixture {
    fs_server *srv;
    uint16_t port;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    fs_library *lib = NULL;
    char err[256];
    fs_gen_options go = {.seed = 11, .scenes = N_SCENES, .utc_offset_min = 60};
    fs_server_options so = {.port = 0, .api_key = KEY, .seed = 5, .quiet = true};
    if (!fx || fs_library_generate(&go, &lib, err, sizeof(err)) != 0 ||
        fs_server_start(lib, &so, &fx->srv, err, sizeof(err)) != 0) {
        free(fx);
        return -1;
    }
    fx->port = fs_server_port(fx->srv);
    *state = fx;
    return fx->port ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    fs_server_stop(fx->srv);
    free(fx);
    return 0;
}

/* data.<field> of a successful operation; fails the test otherwise. */
static json_t *ok_data(fixture *fx, const char *op, json_t *vars, const char *field, json_t **doc)
{
    long status = 0;
    *doc = fsh_graphql(fx->port, KEY, op, vars, &status);
    assert_int_equal(status, 200);
    assert_non_null(*doc);
    if (json_object_get(*doc, "errors"))
        fail_msg("%s: %s", op,
                 json_string_value(json_object_get(
                     json_array_get(json_object_get(*doc, "errors"), 0), "message")));
    json_t *d = fsh_data(*doc, field);
    assert_non_null(d);
    return d;
}

/* The GraphQL error message of a failing operation (HTTP 200). */
static void expect_error(fixture *fx, const char *op, json_t *vars, const char *fragment)
{
    long status = 0;
    json_t *doc = fsh_graphql(fx->port, KEY, op, vars, &status);
    assert_int_equal(status, 200);
    const char *msg =
        json_string_value(json_object_get(json_array_get(json_object_get(doc, "errors"), 0),
                                          "message"));
    assert_non_null(msg);
    if (!strstr(msg, fragment))
        fail_msg("error '%s' lacks '%s'", msg, fragment);
    json_decref(doc);
}

static json_t *scene(fixture *fx, int id, json_t **doc)
{
    char buf[16];
    snprintf(buf, sizeof(buf), "%d", id);
    return ok_data(fx, "FindScene", json_pack("{s:s}", "id", buf), "findScene", doc);
}

static void test_auth_and_health(void **state)
{
    fixture *fx = *state;
    fsh_resp r;
    assert_int_equal(fsh_request(fx->port, "GET", "/healthz", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    fsh_resp_free(&r);
    const char *body = "{\"operationName\":\"Version\",\"variables\":{}}";
    fsh_request(fx->port, "POST", "/graphql", NULL, body, &r);
    assert_int_equal(r.status, 401);
    assert_null(strstr(r.body, KEY));
    fsh_resp_free(&r);
    fsh_request(fx->port, "POST", "/graphql", "wrong-key", body, &r);
    assert_int_equal(r.status, 401);
    fsh_resp_free(&r);
    fsh_request(fx->port, "POST", "/graphql", KEY, body, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"version\""));
    fsh_resp_free(&r);
    json_t *st = fsh_control(fx->port, "GET", "stats", NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(st, "unauthorized")), 2);
    assert_int_equal(json_integer_value(json_object_get(st, "total")), 1);
    json_decref(st);
    /* unknown operation: a GraphQL error with HTTP 200 */
    expect_error(fx, "NoSuchOperation", NULL, "unknown operationName");
}

static void test_keyset_paging(void **state)
{
    fixture *fx = *state;
    unsigned char seen[N_SCENES + 1] = {0};
    long last = 0;
    int pages = 0;
    for (;;) {
        json_t *doc;
        json_t *vars = json_pack("{s:{s:i,s:s,s:s},s:{s:{s:I,s:s}}}", "filter", "per_page", 100,
                                 "sort", "id", "direction", "ASC", "scene_filter", "id", "value",
                                 (json_int_t)last, "modifier", "GREATER_THAN");
        json_t *r = ok_data(fx, "FindSceneIds", vars, "findScenes", &doc);
        json_t *scenes = json_object_get(r, "scenes");
        if (pages == 0)
            assert_int_equal(json_integer_value(json_object_get(r, "count")), N_SCENES);
        size_t i;
        json_t *s;
        json_array_foreach(scenes, i, s)
        {
            assert_int_equal(json_object_size(s), 1); /* ids only */
            long id = strtol(json_string_value(json_object_get(s, "id")), NULL, 10);
            assert_true(id > last && id <= N_SCENES);
            assert_int_equal(seen[id], 0);
            seen[id] = 1;
            last = id;
        }
        size_t n = json_array_size(scenes);
        json_decref(doc);
        pages++;
        if (n < 100)
            break;
    }
    assert_int_equal(pages, 13); /* 12 full pages and an empty one */
    for (int id = 1; id <= N_SCENES; id++)
        assert_int_equal(seen[id], 1);

    json_t *doc;
    json_t *r = ok_data(fx, "FindScenes", json_pack("{s:{s:i,s:s}}", "filter", "per_page", 5000,
                                                    "sort", "id"),
                        "findScenes", &doc);
    assert_int_equal(json_array_size(json_object_get(r, "scenes")), 1000); /* capped */
    json_decref(doc);
    r = ok_data(fx, "FindScenes", NULL, "findScenes", &doc);
    assert_int_equal(json_array_size(json_object_get(r, "scenes")), 25); /* default page */
    json_decref(doc);
    r = ok_data(fx, "FindScenes",
                json_pack("{s:{s:i,s:i,s:s,s:s}}", "filter", "per_page", 10, "page", 3, "sort",
                          "id", "direction", "DESC"),
                "findScenes", &doc);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(r, "scenes"), 0), "id")),
        "1180");
    json_decref(doc);
    expect_error(fx, "FindScenes", json_pack("{s:{s:i}}", "filter", "per_page", -1), "per_page");
    expect_error(fx, "FindScenes", json_pack("{s:{s:s}}", "filter", "sort", "rating"),
                 "invalid sort");
    expect_error(fx, "FindScenes",
                 json_pack("{s:{s:{s:s,s:s}}}", "scene_filter", "o_counter", "value", "1",
                           "modifier", "EQUALS"),
                 "not supported");
}

static void test_updated_at_filter(void **state)
{
    fixture *fx = *state;
    const int ids[] = {3, 7, 11};
    for (int i = 0; i < 3; i++) {
        char path[32], ts[40];
        snprintf(path, sizeof(path), "scenes/%d", ids[i]);
        snprintf(ts, sizeof(ts), "2030-01-01T00:00:0%d+01:00", i);
        long st = 0;
        json_decref(fsh_control(fx->port, "POST", path, json_pack("{s:s}", "updated_at", ts), &st));
        assert_int_equal(st, 200);
    }
    json_t *doc;
    json_t *r = ok_data(fx, "FindScenes",
                        json_pack("{s:{s:i,s:s},s:{s:{s:s,s:s}}}", "filter", "per_page", 100,
                                  "sort", "updated_at", "scene_filter", "updated_at", "value",
                                  "2029-12-31T23:59:59+01:00", "modifier", "GREATER_THAN"),
                        "findScenes", &doc);
    json_t *scenes = json_object_get(r, "scenes");
    assert_int_equal(json_integer_value(json_object_get(r, "count")), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(strtol(json_string_value(json_object_get(json_array_get(scenes, i), "id")),
                                NULL, 10),
                         ids[i]);
    json_decref(doc);
    r = ok_data(fx, "FindSceneIds",
                json_pack("{s:{s:{s:s,s:s}}}", "scene_filter", "updated_at", "value",
                          "2030-01-01T00:00:01+01:00", "modifier", "LESS_THAN"),
                "findScenes", &doc);
    assert_int_equal(json_integer_value(json_object_get(r, "count")), N_SCENES - 2);
    json_decref(doc);

    /* a control edit without updated_at bumps it to "now" */
    json_t *s = scene(fx, 20, &doc);
    char before[40];
    snprintf(before, sizeof(before), "%s", json_string_value(json_object_get(s, "updated_at")));
    json_decref(doc);
    json_decref(fsh_control(fx->port, "POST", "scenes/20", json_pack("{s:s}", "title", "X"), NULL));
    s = scene(fx, 20, &doc);
    assert_true(strcmp(json_string_value(json_object_get(s, "updated_at")), before) > 0);
    assert_string_equal(json_string_value(json_object_get(s, "title")), "X");
    json_decref(doc);
}

static const char *field_s(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void test_scene_update_semantics(void **state)
{
    fixture *fx = *state;
    json_t *doc, *s;
    char before_ts[40];
    s = scene(fx, 9, &doc);
    snprintf(before_ts, sizeof(before_ts), "%s", field_s(s, "updated_at"));
    json_decref(doc);
    s = ok_data(fx, "SceneUpdate",
                json_pack("{s:{s:s,s:s,s:s,s:s,s:[s,s],s:[s],s:s}}", "input", "id", "9", "title",
                          "A", "details", "D", "date", "2020-01-02", "performer_ids", "1", "2",
                          "tag_ids", "1", "studio_id", "1"),
                "sceneUpdate", &doc);
    assert_string_equal(field_s(s, "title"), "A");
    assert_true(strcmp(field_s(s, "updated_at"), before_ts) > 0); /* bumped to "now" */
    json_decref(doc);

    /* omitted fields stay */
    s = ok_data(fx, "SceneUpdate", json_pack("{s:{s:s,s:s}}", "input", "id", "9", "title", "B"),
                "sceneUpdate", &doc);
    assert_string_equal(field_s(s, "title"), "B");
    assert_string_equal(field_s(s, "details"), "D");
    assert_string_equal(field_s(s, "date"), "2020-01-02");
    assert_int_equal(json_array_size(json_object_get(s, "performers")), 2);
    json_decref(doc);

    /* lists replace; explicit null clears */
    s = ok_data(fx, "SceneUpdate",
                json_pack("{s:{s:s,s:[s],s:n,s:n,s:n,s:[]}}", "input", "id", "9", "performer_ids",
                          "3", "details", "date", "studio_id", "tag_ids"),
                "sceneUpdate", &doc);
    assert_int_equal(json_array_size(json_object_get(s, "performers")), 1);
    assert_string_equal(field_s(json_array_get(json_object_get(s, "performers"), 0), "id"), "3");
    assert_string_equal(field_s(s, "details"), "");
    assert_true(json_is_null(json_object_get(s, "date")));
    assert_true(json_is_null(json_object_get(s, "studio")));
    assert_int_equal(json_array_size(json_object_get(s, "tags")), 0);
    assert_string_equal(field_s(s, "title"), "B");
    json_decref(doc);

    /* bad references and unknown fields change nothing */
    json_t *before = fsh_control(fx->port, "GET", "state", NULL, NULL);
    expect_error(fx, "SceneUpdate",
                 json_pack("{s:{s:s,s:s,s:[s]}}", "input", "id", "9", "title", "C",
                           "performer_ids", "999999"),
                 "not found");
    expect_error(fx, "SceneUpdate", json_pack("{s:{s:s,s:i}}", "input", "id", "9", "rating100", 5),
                 "not modelled");
    expect_error(fx, "SceneUpdate", json_pack("{s:{s:s,s:s}}", "input", "id", "9", "date", "2020-13-01"),
                 "invalid date");
    expect_error(fx, "SceneUpdate", json_pack("{s:{s:s}}", "input", "id", "999999"), "not found");
    /* scenesUpdate is all-or-nothing */
    expect_error(fx, "ScenesUpdate",
                 json_pack("{s:[{s:s,s:s},{s:s,s:s}]}", "input", "id", "1", "title", "T1", "id",
                           "2", "studio_id", "424242"),
                 "input[1]");
    json_t *after = fsh_control(fx->port, "GET", "state", NULL, NULL);
    assert_true(json_equal(before, after));
    json_decref(before);
    json_decref(after);

    json_t *arr = ok_data(fx, "ScenesUpdate",
                          json_pack("{s:[{s:s,s:s},{s:s,s:s}]}", "input", "id", "1", "title",
                                    "T1", "id", "2", "title", "T2"),
                          "scenesUpdate", &doc);
    assert_int_equal(json_array_size(arr), 2);
    assert_string_equal(field_s(json_array_get(arr, 1), "title"), "T2");
    json_decref(doc);
    json_t *st = fsh_control(fx->port, "GET", "stats", NULL, NULL);
    json_t *m = json_object_get(st, "mutations");
    assert_int_equal(json_integer_value(json_object_get(m, "sceneUpdate")), 3);
    assert_int_equal(json_integer_value(json_object_get(m, "scenesUpdate")), 1);
    assert_int_equal(json_integer_value(json_object_get(m, "scenes_updated")), 5);
    json_decref(st);
}

static size_t lookup_count(fixture *fx, const char *op, const char *field, const char *name)
{
    json_t *doc;
    json_t *r = ok_data(fx, op, json_pack("{s:s}", "name", name), field, &doc);
    size_t n = (size_t)json_integer_value(json_object_get(r, "count"));
    json_decref(doc);
    return n;
}

static void test_entities(void **state)
{
    fixture *fx = *state;
    json_t *doc;
    /* name or alias, ASCII case-insensitive */
    assert_int_equal(lookup_count(fx, "FindPerformerByName", "findPerformers", "zoë ĺane"), 0);
    assert_int_equal(lookup_count(fx, "FindPerformerByName", "findPerformers", "Zoë Ĺane"), 1);
    assert_int_equal(lookup_count(fx, "FindPerformerByName", "findPerformers", "ZOE LANE"), 1);
    assert_int_equal(lookup_count(fx, "FindPerformerByName", "findPerformers", "Mia Stone"), 2);
    assert_int_equal(lookup_count(fx, "FindTagByName", "findTags", "uhd"), 1);
    assert_int_equal(lookup_count(fx, "FindTagByName", "findTags", "Nope Nope"), 0);

    /* creates: unique names (aliases count for studios and tags) */
    expect_error(fx, "PerformerCreate", json_pack("{s:{s:s}}", "input", "name", "jade"),
                 "already exists");
    json_t *p = ok_data(fx, "PerformerCreate",
                        json_pack("{s:{s:s,s:s}}", "input", "name", "Jade", "disambiguation", "2"),
                        "performerCreate", &doc);
    assert_string_equal(field_s(p, "name"), "Jade");
    json_decref(doc);
    expect_error(fx, "TagCreate", json_pack("{s:{s:s}}", "input", "name", "fhd"), "already exists");
    expect_error(fx, "StudioCreate", json_pack("{s:{s:s}}", "input", "name", ""), "name");
    json_t *t = ok_data(fx, "TagCreate",
                        json_pack("{s:{s:s,s:[s]}}", "input", "name", "Zebra Stripes", "aliases",
                                  "Stripes"),
                        "tagCreate", &doc);
    assert_non_null(field_s(t, "id"));
    json_decref(doc);
    assert_int_equal(lookup_count(fx, "FindTagByName", "findTags", "stripes"), 1);
    /* The generated library predates 2025-06-01 (its "now"); only the new
     * tag is newer, assuming the test clock is past that date. */
    json_t *newer = ok_data(fx, "FindTags",
                            json_pack("{s:{s:{s:s,s:s}}}", "tag_filter", "updated_at", "value",
                                      "2025-06-01T13:00:00+01:00", "modifier", "GREATER_THAN"),
                            "findTags", &doc);
    assert_int_equal(json_integer_value(json_object_get(newer, "count")), 1);
    assert_string_equal(field_s(json_array_get(json_object_get(newer, "tags"), 0), "name"),
                        "Zebra Stripes");
    json_decref(doc);
    json_t *s1 = ok_data(fx, "StudioCreate",
                         json_pack("{s:{s:s,s:s}}", "input", "name", "Tiny Sub", "parent_id", "1"),
                         "studioCreate", &doc);
    json_decref(doc);
    (void)s1;
    json_t *sd = ok_data(fx, "FindStudioByName", json_pack("{s:s}", "name", "tiny sub"),
                         "findStudios", &doc);
    assert_string_equal(field_s(json_object_get(json_array_get(json_object_get(sd, "studios"), 0),
                                                "parent_studio"),
                                "id"),
                        "1");
    json_decref(doc);

    /* page-number paging over entities sorted by id sees each once */
    json_t *all = ok_data(fx, "FindPerformers", json_pack("{s:{s:i}}", "filter", "per_page", -1),
                          "findPerformers", &doc);
    size_t total = (size_t)json_integer_value(json_object_get(all, "count"));
    assert_int_equal(json_array_size(json_object_get(all, "performers")), total);
    json_decref(doc);
    size_t seen = 0;
    long last = 0;
    for (int page = 1;; page++) {
        json_t *r = ok_data(fx, "FindPerformers",
                            json_pack("{s:{s:i,s:i,s:s,s:s}}", "filter", "per_page", 40, "page",
                                      page, "sort", "id", "direction", "ASC"),
                            "findPerformers", &doc);
        json_t *arr = json_object_get(r, "performers");
        for (size_t i = 0; i < json_array_size(arr); i++) {
            long id = strtol(field_s(json_array_get(arr, i), "id"), NULL, 10);
            assert_true(id > last);
            last = id;
            seen++;
        }
        size_t n = json_array_size(arr);
        json_decref(doc);
        if (n < 40)
            break;
    }
    assert_int_equal(seen, total);
}

static void test_control_api(void **state)
{
    fixture *fx = *state;
    long st = 0;
    json_t *doc;
    json_t *c = fsh_control(fx->port, "POST", "scenes",
                            json_pack("{s:s,s:[{s:s,s:i,s:f}],s:{s:s}}", "title", "Fresh", "files",
                                      "path", "/data/New/fresh.mp4", "size", 1000, "duration",
                                      12.5, "truth", "title", "Fresh"),
                            &st);
    assert_int_equal(st, 201);
    const char *id = field_s(c, "id");
    assert_int_equal(strtol(id, NULL, 10), N_SCENES + 1);
    json_t *s = scene(fx, N_SCENES + 1, &doc);
    assert_string_equal(field_s(json_array_get(json_object_get(s, "files"), 0), "basename"),
                        "fresh.mp4");
    json_decref(doc);
    json_decref(c);

    /* entity edits bump updated_at; deletes cascade into scenes */
    json_t *e0 = fsh_control(fx->port, "GET", "performers/1", NULL, &st);
    assert_int_equal(st, 200);
    json_t *e = fsh_control(fx->port, "POST", "performers/1",
                            json_pack("{s:[s,s]}", "alias_list", "Zoe Lane", "Zoey L"), &st);
    assert_int_equal(st, 200);
    assert_true(strcmp(field_s(e, "updated_at"), field_s(e0, "updated_at")) > 0);
    assert_int_equal(json_array_size(json_object_get(e, "alias_list")), 2);
    json_decref(e);
    json_decref(e0);
    ok_data(fx, "SceneUpdate", json_pack("{s:{s:s,s:[s,s]}}", "input", "id", "4", "performer_ids",
                                         "1", "3"),
            "sceneUpdate", &doc);
    json_decref(doc);
    json_decref(fsh_control(fx->port, "DELETE", "performers/1", NULL, &st));
    assert_int_equal(st, 200);
    s = scene(fx, 4, &doc);
    assert_int_equal(json_array_size(json_object_get(s, "performers")), 1);
    json_decref(doc);
    json_decref(fsh_control(fx->port, "DELETE", "scenes/5", NULL, &st));
    assert_int_equal(st, 200);
    json_t *gone = fsh_graphql(fx->port, KEY, "FindScene", json_pack("{s:s}", "id", "5"), NULL);
    assert_true(json_is_null(json_object_get(json_object_get(gone, "data"), "findScene")));
    json_decref(gone);
    json_decref(fsh_control(fx->port, "DELETE", "scenes/5", NULL, &st));
    assert_int_equal(st, 404);
    json_decref(fsh_control(fx->port, "GET", "nothing-here", NULL, &st));
    assert_int_equal(st, 404);

    /* state is canonical: two reads are byte-identical; truth covers every scene */
    fsh_resp a, b;
    fsh_request(fx->port, "GET", "/__control/state", NULL, NULL, &a);
    fsh_request(fx->port, "GET", "/__control/state", NULL, NULL, &b);
    assert_string_equal(a.body, b.body);
    assert_non_null(strstr(a.body, "{\"code\":"));
    fsh_resp_free(&a);
    fsh_resp_free(&b);
    json_t *truth = fsh_control(fx->port, "GET", "truth", NULL, NULL);
    assert_int_equal(json_array_size(json_object_get(truth, "scenes")), N_SCENES);
    json_decref(truth);

    json_t *by = ok_data(fx, "FindScenesByIds",
                         json_pack("{s:[s,s,s],s:{s:i}}", "ids", "8", "2", "5", "filter",
                                   "per_page", 100),
                         "findScenes", &doc);
    assert_int_equal(json_integer_value(json_object_get(by, "count")), 2); /* 5 is deleted */
    json_decref(doc);
}

/* findScenes(count) by performers/tags/studios, studios by parent, and the
 * destroy mutations (unknown id = error; links dropped). */
static int64_t scene_count(fixture *fx, json_t *scene_filter)
{
    json_t *doc;
    json_t *r = ok_data(fx, "FindSceneIds",
                        json_pack("{s:{s:i},s:o}", "filter", "per_page", 1, "scene_filter", scene_filter),
                        "findScenes", &doc);
    int64_t n = json_integer_value(json_object_get(r, "count"));
    json_decref(doc);
    return n;
}

static json_t *crit(const char *field, const char *modifier, const char *id)
{
    return id ? json_pack("{s:{s:[s],s:s}}", field, "value", id, "modifier", modifier)
              : json_pack("{s:{s:s}}", field, "modifier", modifier);
}

static void test_entity_criteria_and_destroy(void **state)
{
    fixture *fx = *state;
    json_t *doc;
    char pid[24], sid[24], tid[24];
    json_t *p = ok_data(fx, "PerformerCreate", json_pack("{s:{s:s}}", "input", "name", "Dest Roy"),
                        "performerCreate", &doc);
    snprintf(pid, sizeof(pid), "%s", field_s(p, "id"));
    json_decref(doc);
    json_t *st = ok_data(fx, "StudioCreate", json_pack("{s:{s:s}}", "input", "name", "Parent Co"),
                         "studioCreate", &doc);
    snprintf(sid, sizeof(sid), "%s", field_s(st, "id"));
    json_decref(doc);
    json_t *t = ok_data(fx, "TagCreate", json_pack("{s:{s:s}}", "input", "name", "Short Lived"),
                        "tagCreate", &doc);
    snprintf(tid, sizeof(tid), "%s", field_s(t, "id"));
    json_decref(doc);
    assert_int_equal(scene_count(fx, crit("performers", "INCLUDES", pid)), 0);
    ok_data(fx, "SceneUpdate",
            json_pack("{s:{s:s,s:[s],s:s,s:[s]}}", "input", "id", "4", "performer_ids", pid, "studio_id",
                      sid, "tag_ids", tid),
            "sceneUpdate", &doc);
    json_decref(doc);
    assert_int_equal(scene_count(fx, crit("performers", "INCLUDES", pid)), 1);
    assert_int_equal(scene_count(fx, crit("performers", "EXCLUDES", pid)), N_SCENES - 1);
    assert_int_equal(scene_count(fx, json_pack("{s:{s:[s,s],s:s}}", "performers", "value", pid, "1",
                                               "modifier", "INCLUDES_ALL")),
                     0);
    assert_int_equal(scene_count(fx, crit("tags", "INCLUDES", tid)), 1);
    assert_int_equal(scene_count(fx, crit("studios", "INCLUDES", sid)), 1);
    expect_error(fx, "FindSceneIds",
                 json_pack("{s:{s:{s:[s],s:s,s:i}}}", "scene_filter", "studios", "value", sid,
                           "modifier", "INCLUDES", "depth", -1),
                 "not modelled");
    ok_data(fx, "StudioCreate",
            json_pack("{s:{s:s,s:s}}", "input", "name", "Child Co", "parent_id", sid), "studioCreate",
            &doc);
    json_decref(doc);
    json_t *kids = ok_data(fx, "FindStudios",
                           json_pack("{s:{s:i},s:o}", "filter", "per_page", 1, "studio_filter",
                                     crit("parents", "INCLUDES", sid)),
                           "findStudios", &doc);
    assert_int_equal(json_integer_value(json_object_get(kids, "count")), 1);
    json_decref(doc);

    json_t *ok = ok_data(fx, "PerformerDestroy", json_pack("{s:{s:s}}", "input", "id", pid),
                         "performerDestroy", &doc);
    assert_true(json_is_true(ok));
    json_decref(doc);
    expect_error(fx, "PerformerDestroy", json_pack("{s:{s:s}}", "input", "id", pid),
                 "does not exist");
    ok_data(fx, "StudioDestroy", json_pack("{s:{s:s}}", "input", "id", sid), "studioDestroy", &doc);
    json_decref(doc);
    ok_data(fx, "TagDestroy", json_pack("{s:{s:s}}", "input", "id", tid), "tagDestroy", &doc);
    json_decref(doc);
    json_t *s = scene(fx, 4, &doc);
    assert_true(json_is_null(json_object_get(s, "studio")));
    for (size_t i = 0; i < json_array_size(json_object_get(s, "performers")); i++)
        assert_string_not_equal(field_s(json_array_get(json_object_get(s, "performers"), i), "id"), pid);
    json_decref(doc);
    assert_int_equal(scene_count(fx, crit("tags", "INCLUDES", tid)), 0);
    json_t *child = ok_data(fx, "FindStudioByName", json_pack("{s:s}", "name", "Child Co"),
                            "findStudios", &doc);
    assert_true(json_is_null(
        json_object_get(json_array_get(json_object_get(child, "studios"), 0), "parent_studio")));
    json_decref(doc);
    json_t *stats = fsh_control(fx->port, "GET", "stats", NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(stats, "mutations"),
                                                        "performerDestroy")),
                     1);
    json_decref(stats);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_auth_and_health, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyset_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_updated_at_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scene_update_semantics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entities, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_api, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entity_criteria_and_destroy, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
