/* The text-field analyzers (date, title, code, details) and the technical
 * tags analyzer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "an-fixture.h"

typedef struct text_case {
    const char *path;
    const char *current; /* the scene's current value of the field */
    const char *want;    /* NULL = no proposal */
    double min_conf, max_conf;
    const char *reason;
} text_case;

static void run_text_cases(const char *analyzer, sh_an_field field, const text_case *cases,
                           size_t n)
{
    sh_an_index *idx = fixture_index();
    for (size_t i = 0; i < n; i++) {
        const text_case *c = &cases[i];
        sh_an_file f;
        sh_an_scene s = fixture_scene(&f, c->path);
        if (field == SH_AN_FIELD_DATE)
            s.date = c->current;
        else if (field == SH_AN_FIELD_TITLE)
            s.title = c->current;
        else if (field == SH_AN_FIELD_CODE)
            s.code = c->current;
        else if (field == SH_AN_FIELD_DETAILS)
            s.details = c->current;
        sh_an_options o = fixture_options();
        sh_an_results *r = fixture_run(idx, analyzer, &s, &o);
        const sh_an_proposal *p = sh_an_results_find(r, field);
        if (!c->want) {
            if (p)
                fail_msg("%s case %zu '%s': unexpected '%s' (%s)", analyzer, i, c->path, p->text,
                         p->reason);
        } else {
            if (!p) {
                fail_msg("%s case %zu '%s': no proposal, want '%s'", analyzer, i, c->path, c->want);
                break;
            }
            if (strcmp(p->text, c->want) != 0)
                fail_msg("%s case %zu '%s': got '%s', want '%s'", analyzer, i, c->path, p->text,
                         c->want);
            if (c->max_conf > 0 && (p->confidence < c->min_conf || p->confidence > c->max_conf))
                fail_msg("%s case %zu '%s': confidence %.3f not in [%.2f, %.2f]", analyzer, i,
                         c->path, p->confidence, c->min_conf, c->max_conf);
            if (c->reason && !strstr(p->reason, c->reason))
                fail_msg("%s case %zu: reason '%s' lacks '%s'", analyzer, i, p->reason, c->reason);
            assert_int_equal(p->n_items, 0);
        }
        sh_an_results_destroy(r);
    }
    sh_an_index_destroy(idx);
}

static void test_date(void **state)
{
    (void)state;
    static const text_case cases[] = {
        {"/v/Brazzers.20.01.02.Anna.mp4", NULL, "2020-01-02", 0.75, 0.85, "(YY.MM.DD)"},
        {"/v/Shoot 2020-01-02.mp4", "", "2020-01-02", 0.85, 0.95, "'2020-01-02'"},
        {"/v/Shoot 2020-01-02.mp4", "2020-01-02", NULL, 0, 0, NULL},
        {"/v/Shoot 2020-01-02.mp4", "2019-05-05", "2020-01-02", 0.3, 0.4,
         "contradicts the current date 2019-05-05"},
        {"/v/Shoot 2020-01-02 and 2020-03-04.mp4", NULL, NULL, 0, 0, NULL},
        {"/v/Shoot 2020-01-02 (2020.01.02).mp4", NULL, "2020-01-02", 0.85, 0.95, NULL},
        {"/v/2020-01-02/clip.mp4", NULL, "2020-01-02", 0.75, 0.85, "parent folder"},
        {"/v/2020-01-01/clip 2020-01-02.mp4", NULL, "2020-01-02", 0.85, 0.95, "file name"},
        {"/v/clip 03.04.2020.mp4", NULL, NULL, 0, 0, NULL},
        {"/v/clip 25.12.2019.mp4", NULL, "2019-12-25", 0.7, 0.8, "DD.MM.YYYY"},
        {"/v/clip 2030-01-01.mp4", NULL, NULL, 0, 0, NULL},
        {"/v/clip 2021-02-30.mp4", NULL, NULL, 0, 0, NULL},
        {"/v/clip 1920x1080.mp4", NULL, NULL, 0, 0, NULL},
        {"/v/ABC-20-01-02.mp4", NULL, NULL, 0, 0, NULL},
    };
    run_text_cases("date", SH_AN_FIELD_DATE, cases, sizeof cases / sizeof cases[0]);
}

static void test_title(void **state)
{
    (void)state;
    static const text_case cases[] = {
        {"/v/[Brazzers] Anna Bell Peaks & Zoe Lane - Hot Office Fun (2020-01-02) [1080p].mp4", NULL,
         "Hot Office Fun", 0.65, 0.75, "without studio performers date"},
        {"/v/Brazzers.20.01.02.Anna.Bell.Peaks.And.Zoe.Lane.Hot.Office.Fun.XXX.1080p.MP4-KTR.mp4",
         NULL, "Hot Office Fun", 0.5, 0.6, NULL},
        {"/v/brazzersexxtra.20.01.02.anna.bell.peaks.hot.office.fun.xxx.2160p.hevc.mp4", NULL,
         "Hot Office Fun", 0, 0, NULL},
        {"/v/SSIS-123 Beautiful Morning.mp4", NULL, "Beautiful Morning", 0, 0, NULL},
        {"/v/my_holiday_video_2019-05-05.mp4", NULL, "My Holiday Video", 0, 0, NULL},
        {"/v/Kendra Lust - The Real Deal (Part 2).mp4", NULL, "The Real Deal (Part 2)", 0.65, 0.75,
         NULL},
        {"/v/Abella Danger feat. Johnny Sins - Title Here.mp4", NULL, "Title Here", 0, 0, NULL},
        {"/v/Kendra Lust & Elsa Jean in the Pool.mp4", NULL, "In the Pool", 0, 0, NULL},
        {"/v/THE BIG SHOW OF THE YEAR.mp4", NULL, "The Big Show of the Year", 0, 0, NULL},
        {"/v/Step-Sister Secrets WEB-DL x264.mp4", NULL, "Step-Sister Secrets", 0, 0, NULL},
        {"/v/Mr. Smith Goes Home.mp4", NULL, "Mr. Smith Goes Home", 0, 0, NULL},
        {"/v/Vixen - Late Night [4K] [HEVC].mkv", NULL, "Late Night", 0, 0, NULL},
        {"/v/Zo\xc3\xa9's Caf\xc3\xa9 Story.mp4", NULL, "Zo\xc3\xa9's Caf\xc3\xa9 Story", 0, 0,
         NULL},
        {"/v/Riley Reid - Night Swim.mp4", NULL, "Night Swim", 0, 0, NULL}, /* ignored, still cut */
        {"/v/Jessica Rex & Kendra Lust - Night Swim.mp4", NULL, "Night Swim", 0, 0, NULL},
        {"/v/Kendra Lust & Jane Newgirl - Night Swim.mp4", NULL, "Night Swim", 0, 0, NULL},
        {"/v/VID_20200102_123456.mp4", NULL, NULL, 0, 0, NULL},
        {"/v/Anna Bell Peaks.mp4", NULL, NULL, 0, 0, NULL},
        {"/v/[Brazzers] 2020-01-02 [1080p].mp4", NULL, NULL, 0, 0, NULL},
        {"/v/Hot Office Fun.mp4", "Existing Title", NULL, 0, 0, NULL},
        {"/v/Hot Office Fun.mp4", "   ", "Hot Office Fun", 0, 0, NULL},
    };
    run_text_cases("title", SH_AN_FIELD_TITLE, cases, sizeof cases / sizeof cases[0]);
}

static void test_code(void **state)
{
    (void)state;
    static const text_case cases[] = {
        {"/v/SSIS-123.mp4", NULL, "SSIS-123", 0.8, 0.9, "whole file name"},
        {"/v/[ABP-0456] Title.mp4", NULL, "ABP-0456", 0.65, 0.8, NULL},
        {"/v/midv-789 some title.mp4", NULL, "MIDV-789", 0.5, 0.6, "start of the file name"},
        {"/v/SSIS-123.mp4", "SSIS-999", NULL, 0, 0, NULL},
        {"/v/ABC-123 and DEF-456.mp4", NULL, NULL, 0, 0, NULL},
        {"/v/ABC-123 ABC-123.mp4", NULL, "ABC-123", 0, 0, NULL},
        {"/v/Part-01.mp4", NULL, NULL, 0, 0, NULL},
        {"/v/Title WEB-DL x264-GRP.mp4", NULL, NULL, 0, 0, NULL},
        {"/v/Summer-2019 Trip.mp4", NULL, NULL, 0, 0, NULL},
    };
    run_text_cases("code", SH_AN_FIELD_CODE, cases, sizeof cases / sizeof cases[0]);
}

static void test_details(void **state)
{
    (void)state;
    static const text_case cases[] = {
        {"/v/a.mp4", "<p>Hello &amp; welcome</p><p>Second&nbsp;para<br>line</p>",
         "Hello & welcome\n\nSecond para\nline", 0.85, 0.95, "HTML"},
        {"/v/a.mp4", "Tom &amp; Jerry", "Tom & Jerry", 0, 0, NULL},
        {"/v/a.mp4", "<script>alert(1)</script>Text <b>bold</b>", "Text bold", 0, 0, NULL},
        {"/v/a.mp4", "a &lt;b&gt; c &#39;q&#39; &#x41;&#66; &quot;x&quot; &#233;",
         "a <b> c 'q' AB \"x\" \xc3\xa9", 0, 0, NULL},
        {"/v/a.mp4", "<p>Zo&euml; &amp; Ren&eacute;e &middot; &Aring;sa &yuml;&ETH;</p>",
         "Zo\xc3\xab & Ren\xc3\xa9" "e \xc2\xb7 \xc3\x85" "sa \xc3\xbf\xc3\x90", 0, 0, NULL},
        {"/v/a.mp4", "line1<br><br>line2<BR/>line3", "line1\n\nline2\nline3", 0, 0, NULL},
        {"/v/a.mp4", "  <div>  spaced \n  out </div>  ", "spaced out", 0, 0, NULL},
        {"/v/a.mp4", "<ul><li>one</li><li>two</li></ul>", "one\ntwo", 0, 0, NULL},
        {"/v/a.mp4", "Plain text,\nwith a line break.", NULL, 0, 0, NULL},
        {"/v/a.mp4", "3 < 5 and 6 > 2 & so on", NULL, 0, 0, NULL},
        {"/v/a.mp4", "<b></b>", NULL, 0, 0, NULL},
        {"/v/a.mp4", NULL, NULL, 0, 0, NULL},
    };
    run_text_cases("details", SH_AN_FIELD_DETAILS, cases, sizeof cases / sizeof cases[0]);
}

#define MAXT 4

typedef struct tag_case {
    int width, height;
    double duration, fps;
    int64_t existing;
    bool allow_new;
    int64_t want[MAXT];         /* existing tag ids, 0-terminated */
    const char *want_new[MAXT]; /* names of new tags, NULL-terminated */
} tag_case;

static void test_tech_tags(void **state)
{
    (void)state;
    static const tag_case cases[] = {
        {1920, 1080, 1200, 30, 0, false, {T_1080P}, {NULL}},
        {1920, 1036, 1200, 30, 0, false, {T_1080P}, {NULL}},
        {3840, 2160, 300, 60, 0, false, {T_4K, T_SHORT, T_60FPS}, {NULL}},
        {1080, 1920, 1200, 29.97, 0, false, {T_1080P}, {NULL}},
        {3840, 1600, 1200, 24, 0, false, {T_4K}, {NULL}},
        {1280, 720, 1200, 30, 0, false, {0}, {NULL}}, /* "720p" is ignore_auto_tag */
        {1280, 720, 1200, 30, 0, true, {0}, {NULL}},  /* ... and never duplicated */
        {640, 480, 1200, 25, 0, false, {T_SD}, {NULL}},
        {2560, 1440, 1200, 30, 0, false, {0}, {NULL}}, /* no 1440p tag in Stash */
        {2560, 1440, 1200, 30, 0, true, {0}, {"1440p", NULL}},
        {7680, 4320, 1200, 30, 0, true, {0}, {"8K", NULL}},
        {1920, 1080, 4000, 59.94, 0, false, {T_1080P, T_FEATURE, T_60FPS}, {NULL}},
        {1920, 1080, 1200, 30, T_1080P, false, {0}, {NULL}},
        {0, 0, 0, 0, 0, true, {0}, {NULL}},
    };
    sh_an_index *idx = fixture_index();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const tag_case *c = &cases[i];
        sh_an_file f;
        sh_an_scene s = fixture_scene(&f, "/v/clip.mp4");
        f.width = c->width;
        f.height = c->height;
        f.duration = c->duration;
        f.frame_rate = c->fps;
        s.tag_ids = &c->existing;
        s.n_tag_ids = c->existing ? 1 : 0;
        sh_an_options o = fixture_options();
        o.allow_new_entities = c->allow_new;
        sh_an_results *r = fixture_run(idx, "tech-tags", &s, &o);
        const sh_an_proposal *p = sh_an_results_find(r, SH_AN_FIELD_TAGS);
        size_t want_n = 0, new_n = 0;
        while (want_n < MAXT && c->want[want_n])
            want_n++;
        while (new_n < MAXT && c->want_new[new_n])
            new_n++;
        size_t got = p ? p->n_items : 0;
        if (got != want_n + new_n)
            fail_msg("tags case %zu (%dx%d): %zu tags, want %zu", i, c->width, c->height, got,
                     want_n + new_n);
        for (size_t j = 0; j < got; j++) {
            const sh_an_item *it = &p->items[j];
            bool ok = false;
            for (size_t k = 0; k < want_n; k++)
                ok = ok || (!it->is_new && it->entity_id == c->want[k]);
            for (size_t k = 0; k < new_n; k++)
                ok = ok || (it->is_new && strcmp(it->name, c->want_new[k]) == 0);
            if (!ok)
                fail_msg("tags case %zu: unexpected '%s' (%s)", i, it->name, it->reason);
            assert_true(it->confidence > 0.5);
            assert_non_null(strstr(it->reason, "primary file"));
        }
        sh_an_results_destroy(r);
    }
    sh_an_index_destroy(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date),      cmocka_unit_test(test_title),
        cmocka_unit_test(test_code),      cmocka_unit_test(test_details),
        cmocka_unit_test(test_tech_tags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
