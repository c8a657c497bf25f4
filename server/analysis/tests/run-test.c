/* The registry and sh_an_run(): field and analyzer selection, confidence
 * threshold, organized scenes, plugged-in analyzers, error propagation,
 * and two threads analysing with one index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cmocka.h>

#include "an-fixture.h"

static const char *const full_path =
    "/media/Brazzers/Brazzers Exxtra/Anna Bell Peaks & Zoe Lane - Hot Office Fun "
    "(2020-01-02) [1080p].mp4";

static sh_an_registry *builtin_registry(void)
{
    sh_an_registry *reg = NULL;
    sh_error err = {0};
    assert_int_equal(sh_an_registry_create(&reg, &err), SH_OK);
    assert_int_equal(sh_an_registry_add_builtins(reg, &err), SH_OK);
    return reg;
}

static sh_an_scene full_scene(sh_an_file *f)
{
    sh_an_scene s = fixture_scene(f, full_path);
    f->width = 1920;
    f->height = 1080;
    f->duration = 1800;
    f->frame_rate = 30;
    s.details = "<p>Two friends &amp; a desk.</p>";
    return s;
}

static size_t count_field(const sh_an_results *r, sh_an_field field)
{
    size_t n = 0;
    for (size_t i = 0; i < sh_an_results_count(r); i++)
        n += sh_an_results_get(r, i)->field == field;
    return n;
}

static void test_registry(void **state)
{
    (void)state;
    size_t n;
    const sh_an_analyzer *b = sh_an_builtin_analyzers(&n);
    assert_int_equal(n, 7);
    static const char *const names[] = {"studio", "performers", "date",     "title",
                                        "code",   "details",    "tech-tags"};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(b[i].name, names[i]);
        assert_non_null(b[i].analyze);
        assert_true(b[i].fields != 0);
    }
    sh_an_registry *reg = builtin_registry();
    sh_error err = {0};
    assert_int_equal(sh_an_registry_count(reg), 7);
    assert_int_equal(sh_an_registry_add(reg, &b[0], &err), SH_ERR_CONFLICT);
    sh_an_analyzer bad = {"", 1, b[0].analyze, NULL};
    assert_int_equal(sh_an_registry_add(reg, &bad, &err), SH_ERR_INVALID);
    assert_non_null(sh_an_registry_find(reg, "tech-tags"));
    assert_null(sh_an_registry_find(reg, "nope"));
    assert_null(sh_an_registry_get(reg, 7));
    sh_an_registry_destroy(reg);

    assert_string_equal(sh_an_field_name(SH_AN_FIELD_PERFORMERS), "performers");
    assert_int_equal(sh_an_field_parse("date"), SH_AN_FIELD_DATE);
    assert_int_equal(sh_an_field_parse("bogus"), -1);
    assert_true(sh_an_field_is_entity(SH_AN_FIELD_TAGS));
    assert_false(sh_an_field_is_entity(SH_AN_FIELD_TITLE));
}

static void test_run_all_fields(void **state)
{
    (void)state;
    sh_an_index *idx = fixture_index();
    sh_an_registry *reg = builtin_registry();
    sh_an_results *r = NULL;
    sh_error err = {0};
    assert_int_equal(sh_an_results_create(&r, &err), SH_OK);
    sh_an_file f;
    sh_an_scene s = full_scene(&f);
    sh_an_options o = fixture_options();
    assert_int_equal(sh_an_run(reg, idx, &s, &o, r, &err), SH_OK);
    assert_int_equal(count_field(r, SH_AN_FIELD_STUDIO), 1);
    assert_int_equal(count_field(r, SH_AN_FIELD_PERFORMERS), 1);
    assert_int_equal(count_field(r, SH_AN_FIELD_DATE), 1);
    assert_int_equal(count_field(r, SH_AN_FIELD_TITLE), 1);
    assert_int_equal(count_field(r, SH_AN_FIELD_TAGS), 1);
    assert_int_equal(count_field(r, SH_AN_FIELD_DETAILS), 1);
    assert_int_equal(count_field(r, SH_AN_FIELD_CODE), 0);
    assert_int_equal(sh_an_results_find(r, SH_AN_FIELD_STUDIO)->items[0].entity_id,
                     ST_BRAZZERS_EXXTRA);
    assert_string_equal(sh_an_results_find(r, SH_AN_FIELD_TITLE)->text, "Hot Office Fun");
    assert_string_equal(sh_an_results_find(r, SH_AN_FIELD_DATE)->text, "2020-01-02");
    assert_string_equal(sh_an_results_find(r, SH_AN_FIELD_DETAILS)->text, "Two friends & a desk.");
    const sh_an_proposal *tags = sh_an_results_find(r, SH_AN_FIELD_TAGS);
    assert_int_equal(tags->n_items, 1);
    assert_int_equal(tags->items[0].entity_id, T_1080P);
    for (size_t i = 0; i < sh_an_results_count(r); i++) {
        const sh_an_proposal *p = sh_an_results_get(r, i);
        assert_true(p->confidence > 0.0 && p->confidence <= 1.0);
        assert_true(strlen(p->reason) > 10);
        assert_true(strlen(p->analyzer) > 0);
    }
    /* results accumulate until cleared, and are reusable */
    assert_int_equal(sh_an_run(reg, idx, &s, NULL, r, &err), SH_OK);
    assert_int_equal(count_field(r, SH_AN_FIELD_STUDIO), 2);
    sh_an_results_clear(r);
    assert_int_equal(sh_an_results_count(r), 0);
    assert_null(sh_an_results_find(r, SH_AN_FIELD_STUDIO));
    assert_int_equal(sh_an_run(reg, idx, &s, &o, r, &err), SH_OK);
    assert_int_equal(sh_an_results_count(r), 6);
    sh_an_results_destroy(r);
    sh_an_registry_destroy(reg);
    sh_an_index_destroy(idx);
}

static void test_run_options(void **state)
{
    (void)state;
    sh_an_index *idx = fixture_index();
    sh_an_registry *reg = builtin_registry();
    sh_an_results *r = NULL;
    sh_error err = {0};
    assert_int_equal(sh_an_results_create(&r, &err), SH_OK);
    sh_an_file f;
    sh_an_scene s = full_scene(&f);

    sh_an_options o = fixture_options();
    o.fields = SH_AN_FIELD_BIT(SH_AN_FIELD_DATE) | SH_AN_FIELD_BIT(SH_AN_FIELD_TITLE);
    assert_int_equal(sh_an_run(reg, idx, &s, &o, r, &err), SH_OK);
    assert_int_equal(sh_an_results_count(r), 2);
    assert_non_null(sh_an_results_find(r, SH_AN_FIELD_DATE));
    assert_non_null(sh_an_results_find(r, SH_AN_FIELD_TITLE));
    sh_an_results_clear(r);

    o = fixture_options();
    const char *only[] = {"date", "studio"};
    o.analyzers = only;
    o.n_analyzers = 2;
    assert_int_equal(sh_an_run(reg, idx, &s, &o, r, &err), SH_OK);
    assert_int_equal(sh_an_results_count(r), 2);
    assert_non_null(sh_an_results_find(r, SH_AN_FIELD_STUDIO));
    sh_an_results_clear(r);

    const char *unknown[] = {"date", "nope"};
    o.analyzers = unknown;
    assert_int_equal(sh_an_run(reg, idx, &s, &o, r, &err), SH_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "nope"));
    assert_int_equal(sh_an_results_count(r), 0);

    /* organized scenes are left alone unless asked */
    o = fixture_options();
    s.organized = true;
    assert_int_equal(sh_an_run(reg, idx, &s, &o, r, &err), SH_OK);
    assert_int_equal(sh_an_results_count(r), 0);
    o.include_organized = true;
    assert_int_equal(sh_an_run(reg, idx, &s, &o, r, &err), SH_OK);
    assert_int_equal(sh_an_results_count(r), 6);
    sh_an_results_clear(r);
    s.organized = false;

    /* the threshold drops single items of a set, and rebuilds its reason */
    sh_an_file f2;
    sh_an_scene s2 = fixture_scene(&f2, "/v/Zoe Lane & Anna - Title.mp4");
    o = fixture_options();
    o.fields = SH_AN_FIELD_BIT(SH_AN_FIELD_PERFORMERS);
    assert_int_equal(sh_an_run(reg, idx, &s2, &o, r, &err), SH_OK);
    assert_int_equal(sh_an_results_find(r, SH_AN_FIELD_PERFORMERS)->n_items, 2);
    sh_an_results_clear(r);
    o.min_confidence = 0.6;
    assert_int_equal(sh_an_run(reg, idx, &s2, &o, r, &err), SH_OK);
    const sh_an_proposal *p = sh_an_results_find(r, SH_AN_FIELD_PERFORMERS);
    assert_non_null(p);
    assert_int_equal(p->n_items, 1);
    assert_int_equal(p->items[0].entity_id, P_ZOEY_LAINE);
    assert_true(p->confidence >= 0.6);
    assert_null(strstr(p->reason, "'Anna'"));
    sh_an_results_clear(r);
    o.min_confidence = 0.99;
    assert_int_equal(sh_an_run(reg, idx, &s2, &o, r, &err), SH_OK);
    assert_int_equal(sh_an_results_count(r), 0);

    /* bad arguments */
    assert_int_equal(sh_an_run(NULL, idx, &s, &o, r, &err), SH_ERR_INVALID);
    sh_an_scene broken = {.id = 3, .n_files = 2, .files = NULL};
    assert_int_equal(sh_an_run(reg, idx, &broken, &o, r, &err), SH_ERR_INVALID);
    sh_an_scene empty = {.id = 4};
    assert_int_equal(sh_an_run(reg, idx, &empty, &o, r, &err), SH_OK);
    sh_an_results_destroy(r);
    sh_an_registry_destroy(reg);
    sh_an_index_destroy(idx);
}

/* A plugged-in analyzer: proposes the code in its user_data. */
static sh_status fixed_code(const sh_an_analyzer *self, const sh_an_index *index,
                            const sh_an_scene *scene, const sh_an_options *options,
                            sh_an_results *out, sh_error *err)
{
    (void)index;
    (void)options;
    (void)scene;
    return sh_an_results_add_text(out, SH_AN_FIELD_CODE, self->name, self->user_data, 0.5,
                                  "from the plug-in", err);
}

static sh_status failing(const sh_an_analyzer *self, const sh_an_index *index,
                         const sh_an_scene *scene, const sh_an_options *options, sh_an_results *out,
                         sh_error *err)
{
    (void)self;
    (void)index;
    (void)options;
    (void)out;
    return sh_error_set(err, SH_ERR_UNAVAILABLE, "model offline for scene %lld",
                        (long long)scene->id);
}

static void test_plugged_in(void **state)
{
    (void)state;
    sh_an_index *idx = fixture_index();
    sh_an_registry *reg = NULL;
    sh_an_results *r = NULL;
    sh_error err = {0};
    assert_int_equal(sh_an_registry_create(&reg, &err), SH_OK);
    assert_int_equal(sh_an_results_create(&r, &err), SH_OK);
    char code[] = "XYZ-001";
    sh_an_analyzer plug = {"plug", SH_AN_FIELD_BIT(SH_AN_FIELD_CODE), fixed_code, code};
    assert_int_equal(sh_an_registry_add(reg, &plug, &err), SH_OK);
    sh_an_file f;
    sh_an_scene s = fixture_scene(&f, "/v/a.mp4");
    sh_an_options o = fixture_options();
    assert_int_equal(sh_an_run(reg, idx, &s, &o, r, &err), SH_OK);
    assert_int_equal(sh_an_results_count(r), 1);
    assert_string_equal(sh_an_results_get(r, 0)->text, "XYZ-001");
    assert_string_equal(sh_an_results_get(r, 0)->analyzer, "plug");
    sh_an_results_clear(r);
    o.fields = SH_AN_FIELD_BIT(SH_AN_FIELD_TITLE); /* the plug-in is not asked */
    assert_int_equal(sh_an_run(reg, idx, &s, &o, r, &err), SH_OK);
    assert_int_equal(sh_an_results_count(r), 0);

    sh_an_analyzer bad = {"llm", SH_AN_FIELD_BIT(SH_AN_FIELD_TITLE), failing, NULL};
    assert_int_equal(sh_an_registry_add(reg, &bad, &err), SH_OK);
    s.id = 77;
    assert_int_equal(sh_an_run(reg, idx, &s, &o, r, &err), SH_ERR_UNAVAILABLE);
    assert_string_equal(err.message, "analyzer llm: model offline for scene 77");

    /* the add functions check their input */
    sh_an_item item = {0, "x", false, 0.5, "r"};
    assert_int_equal(sh_an_results_add_items(r, SH_AN_FIELD_TAGS, "t", &item, 1, &err),
                     SH_ERR_INVALID); /* not new, but no id */
    assert_int_equal(sh_an_results_add_text(r, SH_AN_FIELD_STUDIO, "t", "x", 1, "r", &err),
                     SH_ERR_INVALID);
    sh_an_item two[2] = {{1, "a", false, 0.5, "r"}, {2, "b", false, 0.5, "r"}};
    assert_int_equal(sh_an_results_add_items(r, SH_AN_FIELD_STUDIO, "t", two, 2, &err),
                     SH_ERR_INVALID);
    assert_int_equal(sh_an_results_add_text(r, SH_AN_FIELD_TITLE, "t", "x", 7.0, "r", &err), SH_OK);
    assert_true(sh_an_results_find(r, SH_AN_FIELD_TITLE)->confidence == 1.0);
    sh_an_results_destroy(r);
    sh_an_registry_destroy(reg);
    sh_an_index_destroy(idx);
}

/* Hostile paths: invalid UTF-8, unclosed brackets, only separators, very
 * long names.  Must not crash or read out of bounds (run under ASan). */
static void test_garbage_paths(void **state)
{
    (void)state;
    static const char alphabet[] = "aZ09 ._-[](){}&,+/\\'x\xc3\xa9\xc5\x81\xe2\x80\x93\xff\x80\xc3";
    sh_an_index *idx = fixture_index();
    sh_an_registry *reg = builtin_registry();
    sh_an_results *r = NULL;
    sh_error err = {0};
    assert_int_equal(sh_an_results_create(&r, &err), SH_OK);
    sh_an_options o = fixture_options();
    o.allow_new_entities = true;
    uint64_t seed = 7;
    char path[6000];
    for (int i = 0; i < 3000; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t len = (size_t)(seed >> 33) % (i % 100 == 0 ? sizeof path - 1 : 120);
        for (size_t j = 0; j < len; j++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            path[j] = alphabet[(seed >> 33) % (sizeof alphabet - 1)];
        }
        path[len] = '\0';
        sh_an_file f = {path, 1, 100, 1920, 1080, 30};
        sh_an_scene s = {.id = i + 1,
                         .files = &f,
                         .n_files = 1,
                         .details = i % 2 ? path : "<p>x &#xFFFFFFFF; &#0; &bogus; <b"};
        sh_an_results_clear(r);
        assert_int_equal(sh_an_run(reg, idx, &s, &o, r, &err), SH_OK);
    }
    /* and names made of the same junk still build an index */
    const sh_an_entity odd[] = {
        {1, "???", NULL, 0, 0, NULL, false},
        {2, "\xff\xfe", NULL, 0, 0, NULL, false},
        {3, "A very long performer name with many many words", NULL, 0, 0, NULL, false}};
    sh_an_index *odd_idx = NULL;
    assert_int_equal(sh_an_index_create(odd, 3, odd, 3, odd, 3, &odd_idx, &err), SH_OK);
    sh_an_file f = {"/x/??? - A very long performer name with many many words.mp4", 0, 0, 0, 0, 0};
    sh_an_scene s = {.id = 1, .files = &f, .n_files = 1};
    assert_int_equal(sh_an_run(reg, odd_idx, &s, &o, r, &err), SH_OK);
    sh_an_index_destroy(odd_idx);
    sh_an_results_destroy(r);
    sh_an_registry_destroy(reg);
    sh_an_index_destroy(idx);
}

/* ---------------------------------------------------------- concurrency */

#define N_SCENES 3000

static const char *const path_patterns[] = {
    "/media/Brazzers/Brazzers Exxtra/Anna Bell Peaks & Zoe Lane - Scene %d (2020-01-%02d).mp4",
    "/v/Vixen.20.03.%02d.Kendra.Lust.And.Elsa.Jean.Part.%d.XXX.1080p.MP4-KTR.mp4",
    "/v/[Tushy] Summer & Angela White - Night %d [2160p] %02d.mkv",
    "/v/RK Prime/Jo & Johnny Sins - Take %d of %d.mp4",
    "/v/SSIS-%03d Chloe Lamour %d.mp4",
};

typedef struct worker {
    const sh_an_index *idx;
    const sh_an_registry *reg;
    size_t from, to;
    uint64_t *hashes;
    sh_status st;
} worker;

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t hash_results(const sh_an_results *r)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < sh_an_results_count(r); i++) {
        const sh_an_proposal *p = sh_an_results_get(r, i);
        h = fnv(h, &p->field, sizeof p->field);
        h = fnv(h, &p->confidence, sizeof p->confidence);
        h = fnv(h, p->reason, strlen(p->reason));
        if (p->text)
            h = fnv(h, p->text, strlen(p->text));
        for (size_t j = 0; j < p->n_items; j++)
            h = fnv(h, &p->items[j].entity_id, sizeof p->items[j].entity_id);
    }
    return h;
}

static void *work(void *arg)
{
    worker *w = arg;
    sh_an_results *r = NULL;
    sh_error err = {0};
    w->st = sh_an_results_create(&r, &err);
    sh_an_options o = fixture_options();
    o.allow_new_entities = true;
    char path[512];
    for (size_t i = w->from; i < w->to && w->st == SH_OK; i++) {
        int a = (int)(i % 28) + 1, b = (int)(i / 28 % 50) + 1;
        snprintf(path, sizeof path, path_patterns[i % 5], a, b);
        sh_an_file f = {path, 1000, (double)(i % 5000), 1920, 1080, (i % 3) ? 30.0 : 60.0};
        sh_an_scene s = {.id = (int64_t)i, .files = &f, .n_files = 1};
        sh_an_results_clear(r);
        w->st = sh_an_run(w->reg, w->idx, &s, &o, r, &err);
        w->hashes[i] = hash_results(r);
    }
    sh_an_results_destroy(r);
    return NULL;
}

static void test_two_threads_one_index(void **state)
{
    (void)state;
    sh_an_index *idx = fixture_index();
    sh_an_registry *reg = builtin_registry();
    uint64_t *ref = calloc(N_SCENES, sizeof *ref);
    uint64_t *got = calloc(N_SCENES, sizeof *got);
    assert_non_null(ref);
    assert_non_null(got);
    worker single = {idx, reg, 0, N_SCENES, ref, SH_OK};
    work(&single);
    assert_int_equal(single.st, SH_OK);

    /* interleaved halves so both threads hit the same paths and entities */
    worker w[2] = {{idx, reg, 0, N_SCENES / 2, got, SH_OK},
                   {idx, reg, N_SCENES / 2, N_SCENES, got, SH_OK}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(w[0].st, SH_OK);
    assert_int_equal(w[1].st, SH_OK);
    size_t distinct = 0;
    for (size_t i = 0; i < N_SCENES; i++) {
        if (ref[i] != got[i])
            fail_msg("scene %zu differs between threads", i);
        distinct += i == 0 || ref[i] != ref[i - 1];
    }
    assert_true(distinct > N_SCENES / 2); /* the hashes do depend on the scene */
    free(ref);
    free(got);
    sh_an_registry_destroy(reg);
    sh_an_index_destroy(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),      cmocka_unit_test(test_run_all_fields),
        cmocka_unit_test(test_run_options),   cmocka_unit_test(test_plugged_in),
        cmocka_unit_test(test_garbage_paths), cmocka_unit_test(test_two_threads_one_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
