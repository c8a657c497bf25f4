/* Folding, tokenizing, paths, segments, word lists, dates, codes and the
 * index lookups underneath the analyzers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "an-fixture.h"
#include "analysis/an-internal.h"

static void test_fold_table(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"Brazzers Exxtra", "brazzers exxtra"},
        {"BrazzersExxtra", "brazzers exxtra"},
        {"MetArtX", "met art x"},
        {"DDFNetwork", "ddf network"},
        {"iPhone", "i phone"},
        {"XXX HEVC 1080p 4K", "xxx hevc 1080p 4k"},
        {"Zo\xc3\xa9_Lane", "zoe lane"},
        {"\xc5\x81ucja.Kowalska", "lucja kowalska"},
        {"\xc4\xb9ubov\xc3\xa1", "lubova"},
        {"Stra\xc3\x9f"
         "e",
         "strasse"},
        {"\xc3\x98ystein \xc3\x86r\xc3\xb8", "oystein aero"},
        {"\xc3\x86nima", "aenima"},
        {"\xc4\xb2ssel", "ijssel"},
        {"\xc3\x87\xc3\xa1\xc3\xb1\xc3\xb5\xc3\xbc\xc3\xbf", "canouy"},
        {"\xc5\x92uvre \xc5\xa0koda \xc5\xbd\xc5\xbe", "oeuvre skoda zz"},
        {"e\xcc\x81t\xc3\xa9", "ete"}, /* combining acute accent */
        {"\xe9t\xe9", "ete"},          /* Latin-1 bytes, not UTF-8 */
        {"\xce\x91\xce\x98\xce\x97\xce\x9d\xce\x91", "\xce\xb1\xce\xb8\xce\xb7\xce\xbd\xce\xb1"},
        {"\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0",
         "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0"},
        {"Anna-Bell_Peaks.mp4", "anna bell peaks mp4"},
        {"O'Neil D\xe2\x80\x99"
         "Angelo",
         "oneil dangelo"},
        {"Anna & Zoe, Eva+Jo", "anna & zoe , eva + jo"},
        {"[Brazzers] Title (2020)", "brazzers title 2020"},
        {"  --..__  ", ""},
        {"a\xc3\x97"
         "b",
         "a b"}, /* multiplication sign separates */
        {"Caf\xc3\xa9\xe2\x80\x94"
         "Bar",
         "cafe bar"}, /* em dash */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = sh_an_normalize(cases[i].in);
        assert_non_null(got);
        if (strcmp(got, cases[i].out) != 0)
            fail_msg("case %zu: '%s' -> '%s', want '%s'", i, cases[i].in, got, cases[i].out);
        free(got);
    }
}

static void test_token_positions(void **state)
{
    (void)state;
    const char *s = "Anna.BellPeaks & Zoe";
    an_tokens t;
    an_tokens_init(&t);
    assert_true(an_tokenize(s, strlen(s), 100, &t));
    assert_int_equal(t.n, 5);
    static const struct {
        const char *text;
        uint32_t start, end;
        uint8_t flags;
    } want[] = {{"anna", 100, 104, 0},
                {"bell", 105, 109, 0},
                {"peaks", 109, 114, AN_TOK_CAMEL},
                {"&", 115, 116, AN_TOK_SEP},
                {"zoe", 117, 120, 0}};
    for (size_t i = 0; i < 5; i++) {
        assert_memory_equal(an_tok_str(&t, i), want[i].text, strlen(want[i].text));
        assert_int_equal(t.tok[i].len, strlen(want[i].text));
        assert_int_equal(t.tok[i].src_start, want[i].start);
        assert_int_equal(t.tok[i].src_end, want[i].end);
        assert_int_equal(t.tok[i].flags, want[i].flags);
    }
    assert_int_equal(an_window_len(&t, 0, 3), strlen("anna bell peaks"));
    /* a long input leaves the inline buffers and comes back */
    char big[4000];
    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] = (i % 5 == 4) ? '.' : 'a';
    big[sizeof big - 1] = '\0';
    assert_true(an_tokenize(big, strlen(big), 0, &t));
    assert_int_equal(t.n, 800);
    assert_int_equal(t.tok[799].src_end, 3999);
    an_tokens_free(&t);
}

static void test_path_parse(void **state)
{
    (void)state;
    an_path p;
    const char *s = "/mnt/media/Brazzers/Brazzers Exxtra/[BZX] Anna Bell - Title.mp4";
    an_path_parse(s, &p);
    assert_int_equal(p.n_dirs, 4);
    assert_memory_equal(s + p.dirs[3].start, "Brazzers Exxtra", 15);
    assert_int_equal(p.dirs[3].end - p.dirs[3].start, 15);
    assert_int_equal(p.stem.end - p.stem.start, strlen("[BZX] Anna Bell - Title"));
    assert_int_equal(p.base.end, strlen(s));

    s = "C:\\Videos\\Vixen\\file.name.2020.01.02";
    an_path_parse(s, &p);
    assert_int_equal(p.n_dirs, 2); /* the drive is not a folder */
    assert_memory_equal(s + p.dirs[0].start, "Videos", 6);
    assert_int_equal(p.stem.end, strlen(s)); /* ".02" is not an extension */

    an_path_parse("clip.mkv", &p);
    assert_int_equal(p.n_dirs, 0);
    assert_int_equal(p.stem.end, 4);
    an_path_parse("", &p);
    assert_int_equal(p.stem.end, 0);
    an_path_parse(".hidden", &p); /* a dot file keeps its name */
    assert_int_equal(p.stem.end, 7);
}

static void test_segments(void **state)
{
    (void)state;
    const char *s =
        "[Brazzers] Anna Bell Peaks & Zoe Lane - Hot Title (2020-01-02) [1080p] Step-Sister";
    an_segment seg[AN_MAX_SEGMENTS];
    size_t n = an_segments(s, 0, (uint32_t)strlen(s), seg, AN_MAX_SEGMENTS);
    static const struct {
        const char *text;
        an_seg_kind kind;
    } want[] = {{"Brazzers", AN_SEG_BRACKET}, {"Anna Bell Peaks & Zoe Lane", AN_SEG_PLAIN},
                {"Hot Title", AN_SEG_PLAIN},  {"2020-01-02", AN_SEG_PAREN},
                {"1080p", AN_SEG_BRACKET},    {"Step-Sister", AN_SEG_PLAIN}};
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(seg[i].end - seg[i].start, strlen(want[i].text));
        assert_memory_equal(s + seg[i].start, want[i].text, strlen(want[i].text));
        assert_int_equal(seg[i].kind, want[i].kind);
    }
    assert_int_equal(seg[0].outer_start, 0);
    assert_int_equal(seg[0].outer_end, 10);
    const char *r = "Studio.-.Some_Title_-_Part";
    n = an_segments(r, 0, (uint32_t)strlen(r), seg, AN_MAX_SEGMENTS);
    assert_int_equal(n, 3);
    const char *one = "ABC-123 Step-Sister";
    assert_int_equal(an_segments(one, 0, (uint32_t)strlen(one), seg, AN_MAX_SEGMENTS), 1);
}

static void test_word_lists(void **state)
{
    (void)state;
    static const char *const stop[] = {"summer", "angel", "nice", "brandy", "amber", "winter"};
    static const char *const not_stop[] = {"anna", "zoe", "summers", "", "zzz"};
    static const char *const junk[] = {"1080p",  "2160p", "4k",      "xxx",       "x264", "hevc",
                                       "web-dl", "mp4",   "1080p60", "1920x1080", "60fps"};
    static const char *const not_junk[] = {"title", "1080", "anna", "x2", "p1080"};
    for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++)
        assert_true(an_is_stop_word(stop[i], strlen(stop[i])));
    for (size_t i = 0; i < sizeof not_stop / sizeof not_stop[0]; i++)
        assert_false(an_is_stop_word(not_stop[i], strlen(not_stop[i])));
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        if (!an_is_junk_word(junk[i], strlen(junk[i])))
            fail_msg("'%s' should be junk", junk[i]);
    for (size_t i = 0; i < sizeof not_junk / sizeof not_junk[0]; i++)
        if (an_is_junk_word(not_junk[i], strlen(not_junk[i])))
            fail_msg("'%s' should not be junk", not_junk[i]);
    assert_true(an_is_list_word("feat", 4));
    assert_false(an_is_list_word("fea", 3));
}

static void test_dates_table(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *want; /* NULL = no date */
    } cases[] = {
        {"Scene 2020-01-02 x", "2020-01-02"},
        {"Brazzers.20.01.02.Anna.Bell", "2020-01-02"},
        {"clip_2019_12_31", "2019-12-31"},
        {"Party 31.12.2019", "2019-12-31"},
        {"Party 12.31.2019", "2019-12-31"},
        {"Party 03.04.2020", NULL}, /* April 3rd or March 4th? */
        {"Party 05.05.2020", "2020-05-05"},
        {"2021-02-30 Title", NULL}, /* no such day */
        {"2020-02-29 Leap", "2020-02-29"},
        {"2019-02-29 NoLeap", NULL},
        {"2020-13-01", NULL},
        {"Video 1920x1080", NULL},
        {"version 1.20.01.02", NULL},
        {"ip 10.10.10.10", NULL},
        {"ABC-20-01-02", NULL}, /* a code, not a date */
        {"future 2030-01-01", NULL},
        {"old 1969-12-31", NULL},
        {"RK.24.05.30.Title", "2024-05-30"},
        {"RK.24.07.15.Title", NULL}, /* beyond now + 30 days */
        {"Classic.99.05.17.Title", "1999-05-17"},
        {"Title.1080p.2020.01.02", "2020-01-02"},
        {"2020-01-02-1080p", "2020-01-02"},
        {"Title 20200102", NULL}, /* compact digits: too easy to misread */
        {"12.30.45 time", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        an_date d[4];
        const char *s = cases[i].in;
        size_t n = an_find_dates(s, 0, (uint32_t)strlen(s), FIXTURE_NOW, d, 4);
        char got[16] = "";
        if (n)
            snprintf(got, sizeof got, "%04d-%02d-%02d", d[0].year, d[0].month, d[0].day);
        if (cases[i].want ? (n != 1 || strcmp(got, cases[i].want) != 0) : n != 0)
            fail_msg("'%s': got %zu dates ('%s'), want %s", s, n, got,
                     cases[i].want ? cases[i].want : "none");
    }
}

static void test_codes_table(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"SSIS-123", "SSIS-123"}, {"abp-0123 title", "ABP-0123"}, {"[MIDV-456] x", "MIDV-456"},
        {"Part-01", NULL},        {"Summer-2019", NULL},          {"WEB-DL", NULL},
        {"Scene-01", NULL},       {"x264-GROUP", NULL},           {"ABCDEFG-123", NULL},
        {"AB-1", NULL},           {"ABC-123456", NULL},           {"ABC-123a", NULL},
        {"XABC-12Y", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        an_code c[4];
        const char *s = cases[i].in;
        size_t n = an_find_codes(s, 0, (uint32_t)strlen(s), c, 4);
        if (cases[i].want ? (n != 1 || strcmp(c[0].text, cases[i].want) != 0) : n != 0)
            fail_msg("'%s': got %zu codes (%s), want %s", s, n, n ? c[0].text : "-",
                     cases[i].want ? cases[i].want : "none");
    }
}

static void test_index_lookup(void **state)
{
    (void)state;
    sh_an_index *idx = fixture_index();
    const sh_an_entity *e;
    static const struct {
        const char *name;
        int64_t id;
        sh_an_kind kind;
        sh_status st;
    } cases[] = {
        {"brazzers exxtra", ST_BRAZZERS_EXXTRA, SH_AN_STUDIO, SH_OK},
        {"BrazzersExxtra", ST_BRAZZERS_EXXTRA, SH_AN_STUDIO, SH_OK},
        {"brazzersexxtra", ST_BRAZZERS_EXXTRA, SH_AN_STUDIO, SH_OK},
        {"Met Art X", ST_METARTX, SH_AN_STUDIO, SH_OK},
        {"ddf.network", ST_DDF, SH_AN_STUDIO, SH_OK},
        {"zoe_lane", P_ZOEY_LAINE, SH_AN_PERFORMER, SH_OK},
        {"CHLOE LAMOUR", P_CHLOE_LAMOUR, SH_AN_PERFORMER, SH_OK},
        {"Lucja Kowalska", P_LUCJA, SH_AN_PERFORMER, SH_OK},
        {"gisele strasse", P_STREET, SH_AN_PERFORMER, SH_OK},
        {"Jessica Rex", P_JESSICA_REX_A, SH_AN_PERFORMER, SH_ERR_CONFLICT},
        {"Nobody Here", 0, SH_AN_PERFORMER, SH_ERR_NOT_FOUND},
        {"2160P", T_4K, SH_AN_TAG, SH_OK},
        {"60fps", T_60FPS, SH_AN_TAG, SH_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sh_status st = sh_an_index_lookup(idx, cases[i].kind, cases[i].name, &e);
        if (st != cases[i].st || (cases[i].id && (!e || e->id != cases[i].id)))
            fail_msg("lookup '%s': status %d id %lld", cases[i].name, st,
                     e ? (long long)e->id : 0LL);
    }
    assert_int_equal(sh_an_index_count(idx, SH_AN_STUDIO), 12);
    assert_string_equal(sh_an_index_get(idx, SH_AN_STUDIO, ST_VIXEN)->name, "Vixen");
    assert_null(sh_an_index_get(idx, SH_AN_STUDIO, 999));
    assert_true(sh_an_index_studio_is_ancestor(idx, ST_BRAZZERS, ST_BRAZZERS_EXXTRA));
    assert_false(sh_an_index_studio_is_ancestor(idx, ST_BRAZZERS_EXXTRA, ST_BRAZZERS));
    assert_false(sh_an_index_studio_is_ancestor(idx, ST_VIXEN, ST_TUSHY));
    sh_an_index_destroy(idx);
}

static void test_index_rejects_bad_input(void **state)
{
    (void)state;
    sh_an_index *idx = NULL;
    sh_error err = {0};
    const sh_an_entity dup[] = {{1, "A", NULL, 0, 0, NULL, false},
                                {1, "B", NULL, 0, 0, NULL, false}};
    assert_int_equal(sh_an_index_create(dup, 2, NULL, 0, NULL, 0, &idx, &err), SH_ERR_INVALID);
    assert_null(idx);
    assert_non_null(strstr(err.message, "duplicate"));
    const sh_an_entity zero[] = {{0, "A", NULL, 0, 0, NULL, false}};
    assert_int_equal(sh_an_index_create(NULL, 0, zero, 1, NULL, 0, &idx, &err), SH_ERR_INVALID);
    const sh_an_entity noname[] = {{3, NULL, NULL, 0, 0, NULL, false}};
    assert_int_equal(sh_an_index_create(NULL, 0, NULL, 0, noname, 1, &idx, &err), SH_ERR_INVALID);
    /* a parent cycle in bad data must not hang the ancestry walk */
    const sh_an_entity cyc[] = {{1, "A", NULL, 0, 2, NULL, false},
                                {2, "B", NULL, 0, 1, NULL, false}};
    assert_int_equal(sh_an_index_create(cyc, 2, NULL, 0, NULL, 0, &idx, &err), SH_OK);
    assert_true(sh_an_index_studio_is_ancestor(idx, 2, 1));
    assert_false(sh_an_index_studio_is_ancestor(idx, 3, 1));
    sh_an_index_destroy(idx);
    /* the index keeps its own copies */
    char name[] = "Temporary Name";
    const char *aliases[] = {name};
    sh_an_entity one = {5, name, aliases, 1, 0, NULL, false};
    assert_int_equal(sh_an_index_create(NULL, 0, &one, 1, NULL, 0, &idx, &err), SH_OK);
    memset(name, 'x', sizeof name - 1);
    const sh_an_entity *e;
    assert_int_equal(sh_an_index_lookup(idx, SH_AN_PERFORMER, "temporary name", &e), SH_OK);
    assert_string_equal(e->aliases[0], "Temporary Name");
    sh_an_index_destroy(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_table),
        cmocka_unit_test(test_token_positions),
        cmocka_unit_test(test_path_parse),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_word_lists),
        cmocka_unit_test(test_dates_table),
        cmocka_unit_test(test_codes_table),
        cmocka_unit_test(test_index_lookup),
        cmocka_unit_test(test_index_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
