/* The performers analyzer, with Stash Auto Tag's classic false positives:
 * single-word names, names inside longer names, common words,
 * ignore_auto_tag, ambiguous names; plus aliases and diacritics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "an-fixture.h"

#define MAXW 4

typedef struct perf_case {
    const char *path;
    int64_t want[MAXW]; /* expected ids to add, 0-terminated; -1 = one new performer */
    int64_t existing;   /* already on the scene, 0 = none */
    bool allow_new;
    /* optional check on one wanted performer */
    int64_t check_id;
    double min_conf, max_conf;
    const char *reason;
} perf_case;

static const perf_case cases[] = {
    /* contained names: the longest known name wins */
    {"/v/Anna Bell Peaks - Hot Title.mp4",
     {P_ANNA_BELL_PEAKS},
     0,
     false,
     P_ANNA_BELL_PEAKS,
     0.8,
     0.9,
     "matched name 'Anna Bell Peaks' as 'Anna Bell Peaks' in the file name"},
    {"/v/Anna Bell & Elsa Jean.mp4", {P_ANNA_BELL, P_ELSA_JEAN}, 0, false, 0, 0, 0, NULL},
    {"/v/Johnny Sins - Title.mp4", {P_JOHNNY_SINS}, 0, false, 0, 0, 0, NULL},
    {"/v/John and Jody at home.mp4", {0}, 0, false, 0, 0, 0, NULL}, /* "Jo" not in "John" */
    {"/v/Jo & Johnny Sins.mp4",
     {P_JO, P_JOHNNY_SINS},
     0,
     false,
     P_JO,
     0.5,
     0.6,
     "single word, in a performer list"},
    /* release style, aliases */
    {"/v/Anna.Bell.Peaks.And.Zoe.Lane.XXX.1080p.mp4",
     {P_ANNA_BELL_PEAKS, P_ZOEY_LAINE},
     0,
     false,
     P_ZOEY_LAINE,
     0.75,
     0.85,
     "matched alias 'Zoe Lane' as 'Zoe.Lane' in the file name"},
    {"/v/Angie White.mp4", {P_ANGELA_WHITE}, 0, false, P_ANGELA_WHITE, 0.75, 0.85, "alias"},
    {"/v/AngelaWhite - Title.mp4", {P_ANGELA_WHITE}, 0, false, 0, 0, 0, NULL},
    {"/v/angelawhite_solo.mp4",
     {P_ANGELA_WHITE},
     0,
     false,
     P_ANGELA_WHITE,
     0.65,
     0.75,
     "spaces removed"},
    {"/v/Abella Danger feat. Johnny Sins - Title.mp4",
     {P_ABELLA_DANGER, P_JOHNNY_SINS},
     0,
     false,
     0,
     0,
     0,
     NULL},
    {"/v/Ivy Wolfe.mp4", {P_IVY_WOLFE}, 0, false, 0, 0, 0, NULL},
    /* single-word names need a performer list around them */
    {"/v/Anna Goes Shopping.mp4", {0}, 0, false, 0, 0, 0, NULL},
    {"/v/Fun with Anna.mp4", {0}, 0, false, 0, 0, 0, NULL},
    {"/v/Zoe Lane & Anna - Title.mp4",
     {P_ZOEY_LAINE, P_ANNA},
     0,
     false,
     P_ANNA,
     0.5,
     0.6,
     "performer list"},
    {"/v/Bambi & Eva - x.mp4", {P_BAMBI, P_EVA}, 0, false, P_BAMBI, 0.35, 0.45, "common word"},
    {"/v/AnnaBell Peaks.mp4", {P_ANNA_BELL_PEAKS}, 0, false, 0, 0, 0, NULL},
    /* common English words */
    {"/v/Summer Vacation.mp4", {0}, 0, false, 0, 0, 0, NULL},
    {"/v/Nice Day Out.mp4", {0}, 0, false, 0, 0, 0, NULL},
    {"/v/Summer Rain Walk.mp4", {0}, 0, false, 0, 0, 0, NULL},
    {"/v/Summer & Angela White - Title.mp4",
     {P_SUMMER, P_ANGELA_WHITE},
     0,
     false,
     P_SUMMER,
     0.35,
     0.45,
     NULL},
    {"/v/Summer Rain & Kendra Lust.mp4", {P_SUMMER_RAIN, P_KENDRA_LUST}, 0, false, 0, 0, 0, NULL},
    /* diacritics on either side */
    {"/v/Chloe Lamour - x.mp4", {P_CHLOE_LAMOUR}, 0, false, 0, 0, 0, NULL},
    {"/v/\xc5\x81ucja Kowalska.mp4", {P_LUCJA}, 0, false, 0, 0, 0, NULL},
    {"/v/lucja_kowalska.mp4", {P_LUCJA}, 0, false, 0, 0, 0, NULL},
    {"/v/oystein.aero.mp4", {P_OYSTEIN}, 0, false, 0, 0, 0, NULL},
    {"/v/Dominika Lubova in HD.mp4", {P_DOMINIKA}, 0, false, 0, 0, 0, NULL},
    {"/v/Gisele Strasse.mp4", {P_STREET}, 0, false, 0, 0, 0, NULL},
    /* ignored and ambiguous */
    {"/v/Riley Reid - Title.mp4", {0}, 0, false, 0, 0, 0, NULL},
    {"/v/Riley Reid & Kendra Lust.mp4", {P_KENDRA_LUST}, 0, false, 0, 0, 0, NULL},
    {"/v/Jessica Rex - Title.mp4", {0}, 0, false, 0, 0, 0, NULL},
    /* parent folder */
    {"/v/Performers/Kendra Lust/clip01.mp4",
     {P_KENDRA_LUST},
     0,
     false,
     P_KENDRA_LUST,
     0.7,
     0.8,
     "parent folder"},
    {"/v/Eva/clip.mp4", {P_EVA}, 0, false, P_EVA, 0.45, 0.55, "whole folder name"},
    {"/v/Summer/clip.mp4", {0}, 0, false, 0, 0, 0, NULL},
    {"/v/Anna Stuff/clip.mp4", {0}, 0, false, 0, 0, 0, NULL},
    /* already on the scene */
    {"/v/Anna Bell Peaks & Kendra Lust.mp4",
     {P_KENDRA_LUST},
     P_ANNA_BELL_PEAKS,
     false,
     0,
     0,
     0,
     NULL},
    /* new performers, only when allowed and only beside a known one */
    {"/v/Kendra Lust & Jane Newgirl - Title.mp4", {P_KENDRA_LUST, -1}, 0, true, 0, 0, 0, NULL},
    {"/v/Kendra Lust & Jane Newgirl - Title.mp4", {P_KENDRA_LUST}, 0, false, 0, 0, 0, NULL},
    {"/v/Jane Newgirl & Mary Other - Title.mp4", {0}, 0, true, 0, 0, 0, NULL},
    {"/v/Kendra Lust & Riley Reid - Title.mp4", {P_KENDRA_LUST}, 0, true, 0, 0, 0, NULL},
    {"/v/Kendra Lust & the 1080p cut.mp4", {P_KENDRA_LUST}, 0, true, 0, 0, 0, NULL},
};

static bool wanted(const perf_case *c, const sh_an_item *it)
{
    for (size_t i = 0; i < MAXW && c->want[i]; i++)
        if (c->want[i] == -1 ? it->is_new : (!it->is_new && it->entity_id == c->want[i]))
            return true;
    return false;
}

static void test_performer_table(void **state)
{
    (void)state;
    sh_an_index *idx = fixture_index();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const perf_case *c = &cases[i];
        sh_an_file f;
        sh_an_scene s = fixture_scene(&f, c->path);
        s.performer_ids = &c->existing;
        s.n_performer_ids = c->existing ? 1 : 0;
        sh_an_options o = fixture_options();
        o.allow_new_entities = c->allow_new;
        sh_an_results *r = fixture_run(idx, "performers", &s, &o);
        const sh_an_proposal *p = sh_an_results_find(r, SH_AN_FIELD_PERFORMERS);
        size_t n_want = 0;
        while (n_want < MAXW && c->want[n_want])
            n_want++;
        size_t got = p ? p->n_items : 0;
        for (size_t j = 0; j < got; j++)
            if (!wanted(c, &p->items[j]))
                fail_msg("case %zu '%s': unexpected '%s' (%s)", i, c->path, p->items[j].name,
                         p->items[j].reason);
        if (got != n_want)
            fail_msg("case %zu '%s': %zu performers, want %zu", i, c->path, got, n_want);
        for (size_t j = 0; j < got && c->check_id; j++) {
            const sh_an_item *it = &p->items[j];
            if (it->entity_id != c->check_id)
                continue;
            if (it->confidence < c->min_conf || it->confidence > c->max_conf)
                fail_msg("case %zu '%s': %s confidence %.3f not in [%.2f, %.2f]", i, c->path,
                         it->name, it->confidence, c->min_conf, c->max_conf);
            if (c->reason && !strstr(it->reason, c->reason))
                fail_msg("case %zu '%s': reason '%s' lacks '%s'", i, c->path, it->reason,
                         c->reason);
        }
        sh_an_results_destroy(r);
    }
    sh_an_index_destroy(idx);
}

/* A set proposal carries each item's reason and the lowest confidence. */
static void test_performer_set_shape(void **state)
{
    (void)state;
    sh_an_index *idx = fixture_index();
    sh_an_file f;
    sh_an_scene s = fixture_scene(&f, "/v/Zoe Lane & Anna - Title.mp4");
    sh_an_options o = fixture_options();
    sh_an_results *r = fixture_run(idx, "performers", &s, &o);
    const sh_an_proposal *p = sh_an_results_find(r, SH_AN_FIELD_PERFORMERS);
    assert_non_null(p);
    assert_int_equal(p->n_items, 2);
    assert_null(p->text);
    assert_string_equal(p->analyzer, "performers");
    double lo = p->items[0].confidence < p->items[1].confidence ? p->items[0].confidence
                                                                : p->items[1].confidence;
    assert_true(p->confidence == lo);
    assert_non_null(strstr(p->reason, p->items[0].reason));
    assert_non_null(strstr(p->reason, p->items[1].reason));
    sh_an_results_destroy(r);

    /* two files, one performer each */
    sh_an_file files[2] = {{.path = "/v/a/Kendra Lust.mp4"}, {.path = "/v/b/Elsa Jean.mp4"}};
    sh_an_scene two = {.id = 2, .files = files, .n_files = 2};
    r = fixture_run(idx, "performers", &two, &o);
    p = sh_an_results_find(r, SH_AN_FIELD_PERFORMERS);
    assert_non_null(p);
    assert_int_equal(p->n_items, 2);
    sh_an_results_destroy(r);
    sh_an_index_destroy(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_performer_table),
        cmocka_unit_test(test_performer_set_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
