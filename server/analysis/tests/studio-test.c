/* The studio analyzer: folders and prefixes, CamelCase and compact names,
 * child over parent, ignore_auto_tag, and the "already has a studio" rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "an-fixture.h"

typedef struct studio_case {
    const char *path;
    int64_t current; /* scene's studio, 0 = none */
    bool allow_new;
    int64_t want; /* 0 = no proposal; -1 = a new studio */
    double min_conf, max_conf;
    const char *reason; /* substring, or NULL */
} studio_case;

static const studio_case cases[] = {
    /* folders */
    {"/media/Brazzers/Brazzers Exxtra/Anna Bell Peaks - Hot Title.mp4", 0, false,
     ST_BRAZZERS_EXXTRA, 0.8, 0.95, "name 'Brazzers Exxtra'"},
    {"/media/Brazzers/clip 2020.mp4", 0, false, ST_BRAZZERS, 0.75, 0.85, "folder name"},
    {"/x/DDF Network/Hands On Hardcore/clip.mp4", 0, false, ST_HANDS_ON, 0.8, 0.95, NULL},
    {"/x/RealityKings/RK Prime/x.mp4", 0, false, ST_RK_PRIME, 0.8, 0.95, NULL},
    {"/x/MetArtX/file.mp4", 0, false, ST_METARTX, 0.75, 0.85, NULL},
    {"D:\\Porn\\Nubiles Porn\\clip.mp4", 0, false, ST_NUBILES_PORN, 0.75, 0.85, NULL},
    {"/x/Vixen - 2019/clip.mp4", 0, false, ST_VIXEN, 0.75, 0.85, NULL},
    /* file name prefixes */
    {"/media/videos/[Brazzers] Anna - Title.mp4", 0, false, ST_BRAZZERS, 0.85, 0.95,
     "in brackets at the start"},
    {"/media/videos/[BZ] Anna - Title.mp4", 0, false, ST_BRAZZERS, 0.85, 0.95, "alias 'BZ'"},
    {"/media/videos/BrazzersExxtra - Anna Bell Peaks - Title.mp4", 0, false, ST_BRAZZERS_EXXTRA,
     0.8, 0.9, "first part"},
    {"/media/videos/brazzersexxtra.20.01.02.anna.bell.peaks.mp4", 0, false, ST_BRAZZERS_EXXTRA,
     0.75, 0.85, "before a date"},
    {"/x/Met Art X - Title.mp4", 0, false, ST_METARTX, 0.8, 0.9, NULL},
    {"/x/metartx.20.05.01.title.mp4", 0, false, ST_METARTX, 0.75, 0.85, NULL},
    {"/x/Some Title [Tushy].mp4", 0, false, ST_TUSHY, 0.7, 0.8, "in brackets in"},
    /* not where studios are named */
    {"/x/videos/Some Title with Tushy inside.mp4", 0, false, 0, 0, 0, NULL},
    {"/x/videos/Vixenish Dreams.mp4", 0, false, 0, 0, 0, NULL},
    {"/x/Private/clip.mp4", 0, false, 0, 0, 0, NULL}, /* ignore_auto_tag */
    {"/x/[Private] clip.mp4", 0, false, 0, 0, 0, NULL},
    /* a scene that already has a studio */
    {"/x/Brazzers Exxtra/clip.mp4", ST_BRAZZERS, false, ST_BRAZZERS_EXXTRA, 0.6, 0.7,
     "more specific than the current studio 'Brazzers'"},
    {"/x/Brazzers/clip.mp4", ST_BRAZZERS_EXXTRA, false, 0, 0, 0, NULL},
    {"/x/Brazzers/clip.mp4", ST_BRAZZERS, false, 0, 0, 0, NULL},
    {"/x/videos/[Tushy] Title.mp4", ST_VIXEN, false, ST_TUSHY, 0.4, 0.5,
     "contradicts the current studio 'Vixen'"},
    {"/x/Tushy Title.mp4", ST_VIXEN, false, 0, 0, 0, NULL}, /* weak: leave it */
    /* two unrelated studios of similar weight */
    {"/x/Vixen/[Tushy] Title.mp4", 0, false, ST_TUSHY, 0.5, 0.6, "also names 'Vixen'"},
    /* unknown studios */
    {"/x/[Fancy Studio] Title.mp4", 0, true, -1, 0.3, 0.4, "unknown studio 'Fancy Studio'"},
    {"/x/[Fancy Studio] Title.mp4", 0, false, 0, 0, 0, NULL},
    {"/x/[Fancy Studio] Title.mp4", ST_VIXEN, true, 0, 0, 0, NULL},
    {"/x/[1080p] Title.mp4", 0, true, 0, 0, 0, NULL},
    {"/x/[Riley Reid] Title.mp4", 0, true, 0, 0, 0, NULL}, /* a performer */
    {"/x/[private] Title.mp4", 0, true, 0, 0, 0, NULL},    /* exists, ignored */
};

static void test_studio_table(void **state)
{
    (void)state;
    sh_an_index *idx = fixture_index();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const studio_case *c = &cases[i];
        sh_an_file f;
        sh_an_scene s = fixture_scene(&f, c->path);
        s.studio_id = c->current;
        sh_an_options o = fixture_options();
        o.allow_new_entities = c->allow_new;
        sh_an_results *r = fixture_run(idx, "studio", &s, &o);
        const sh_an_proposal *p = sh_an_results_find(r, SH_AN_FIELD_STUDIO);
        if (!c->want) {
            if (p)
                fail_msg("case %zu '%s': unexpected studio '%s' (%s)", i, c->path, p->items[0].name,
                         p->reason);
        } else {
            if (!p) {
                fail_msg("case %zu '%s': no proposal", i, c->path);
                break;
            }
            assert_int_equal(p->n_items, 1);
            const sh_an_item *it = &p->items[0];
            if (c->want == -1 ? !it->is_new : it->entity_id != c->want)
                fail_msg("case %zu '%s': got '%s' (%lld)", i, c->path, it->name,
                         (long long)it->entity_id);
            if (it->confidence < c->min_conf || it->confidence > c->max_conf)
                fail_msg("case %zu '%s': confidence %.3f not in [%.2f, %.2f] (%s)", i, c->path,
                         it->confidence, c->min_conf, c->max_conf, it->reason);
            if (c->reason && !strstr(it->reason, c->reason))
                fail_msg("case %zu '%s': reason '%s' lacks '%s'", i, c->path, it->reason,
                         c->reason);
            assert_true(p->confidence == it->confidence);
        }
        sh_an_results_destroy(r);
    }
    sh_an_index_destroy(idx);
}

/* Evidence from a second file of the same scene is combined. */
static void test_studio_multiple_files(void **state)
{
    (void)state;
    sh_an_index *idx = fixture_index();
    sh_an_file files[2] = {{.path = "/a/clip.mp4"}, {.path = "/b/Reality Kings/clip.mp4"}};
    sh_an_scene s = {.id = 9, .files = files, .n_files = 2};
    sh_an_options o = fixture_options();
    sh_an_results *r = fixture_run(idx, "studio", &s, &o);
    const sh_an_proposal *p = sh_an_results_find(r, SH_AN_FIELD_STUDIO);
    assert_non_null(p);
    assert_int_equal(p->items[0].entity_id, ST_REALITY_KINGS);
    sh_an_results_destroy(r);
    sh_an_index_destroy(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_studio_table),
        cmocka_unit_test(test_studio_multiple_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
