/* cron-test.c - cron parsing, canonical text, next-run (UTC and local time
 * across DST) and --every intervals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sh-cron.h"

/* Unix seconds of a UTC civil time. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi};
    return (int64_t)timegm(&tm);
}

static char *fmt_utc(int64_t t, char buf[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%MZ", &tm);
    return buf;
}

static sh_cron *parse_ok(const char *expr)
{
    sh_cron *c = NULL;
    sh_error err = {0};
    sh_status st = sh_cron_parse(expr, &c, &err);
    if (st != SH_OK)
        print_error("parse of '%s' failed: %s\n", expr, err.message);
    assert_int_equal(st, SH_OK);
    assert_non_null(c);
    return c;
}

static void expect_normalized(const char *expr, const char *want)
{
    sh_cron *c = parse_ok(expr);
    if (strcmp(sh_cron_normalized(c), want) != 0)
        print_error("'%s' normalized to '%s', want '%s'\n", expr, sh_cron_normalized(c), want);
    assert_string_equal(sh_cron_normalized(c), want);
    sh_cron_destroy(c);
}

static void expect_next_at(const char *expr, int64_t after, int local, int64_t want)
{
    sh_cron *c = parse_ok(expr);
    int64_t got = -1;
    sh_status st = sh_cron_next(c, after, local, &got);
    char a[32], g[32], w[32];
    if (st != SH_OK || got != want)
        print_error("'%s' after %s (%s): got %s (status %d), want %s\n", expr, fmt_utc(after, a),
                    local ? "local" : "UTC", fmt_utc(got, g), st, fmt_utc(want, w));
    assert_int_equal(st, SH_OK);
    assert_int_equal(got, want);
    sh_cron_destroy(c);
}

/* ---- syntax ------------------------------------------------------------ */

static void test_parse_syntax_elements(void **state)
{
    (void)state;
    expect_normalized("* * * * *", "* * * * *");
    expect_normalized("  5\t4  * * *  ", "5 4 * * *");
    expect_normalized("1,2,5 * * * *", "1,2,5 * * * *");
    expect_normalized("5,1,2,1 * * * *", "1,2,5 * * * *");
    expect_normalized("1-5 * * * *", "1-5 * * * *");
    expect_normalized("*/15 * * * *", "*/15 * * * *");
    expect_normalized("0,15,30,45 * * * *", "*/15 * * * *");
    expect_normalized("10-50/10 * * * *", "10,20,30,40,50 * * * *");
    expect_normalized("10/20 * * * *", "10,30,50 * * * *");
    expect_normalized("0 */6 * * *", "0 */6 * * *");
    expect_normalized("0 0-23 * * *", "0 * * * *");
    expect_normalized("0 9-17/2,20 * * *", "0 9,11,13,15,17,20 * * *");
    expect_normalized("0 0 1 jan,MAR-May *", "0 0 1 1,3-5 *");
    expect_normalized("0 0 1 Dec *", "0 0 1 12 *");
    expect_normalized("0 0 * * Mon-FRI", "0 0 * * 1-5");
    expect_normalized("0 0 * * sun,sat", "0 0 * * 0,6");
    expect_normalized("0 0 * * 7", "0 0 * * 0");
    expect_normalized("0 0 * * 5-7", "0 0 * * 0,5,6");
    /* an explicit full day-of-week stays explicit: it selects OR semantics */
    expect_normalized("0 0 * * 0-7", "0 0 * * 0-6");
    expect_normalized("0 0 * * mon-sun", "0 0 * * 0-6");
    expect_normalized("0 0 * * 1-7/2", "0 0 * * 0,1,3,5");
    expect_normalized("0 0 * * fri-sun", "0 0 * * 0,5,6");
    expect_normalized("0 0 * * Sat-Sun", "0 0 * * 0,6");
    expect_normalized("0 0 1-31 * 1", "0 0 1-31 * 1");
    expect_normalized("0 0 */2 * 1", "0 0 */2 * 1");
    expect_normalized("0 0 */10,15 * *", "0 0 */10,15 * *");
    expect_normalized("0 0 * * */2", "0 0 * * */2");
    expect_normalized("59 23 31 12 *", "59 23 31 12 *");
    expect_normalized("0 0 1 */3 *", "0 0 1 */3 *");
}

static void test_parse_macros(void **state)
{
    (void)state;
    expect_normalized("@hourly", "0 * * * *");
    expect_normalized("@daily", "0 0 * * *");
    expect_normalized("@midnight", "0 0 * * *");
    expect_normalized("@weekly", "0 0 * * 0");
    expect_normalized("@monthly", "0 0 1 * *");
    expect_normalized("@yearly", "0 0 1 1 *");
    expect_normalized("@annually", "0 0 1 1 *");
    expect_normalized("  @DAILY  ", "0 0 * * *");
}

typedef struct bad_case {
    const char *expr;
    const char *message; /* substring the error message must contain */
} bad_case;

static void test_parse_errors(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"0 24 * * *", "field 2 (hour): value 24 out of range 0-23"},
        {"60 * * * *", "field 1 (minute): value 60 out of range 0-59"},
        {"0 0 0 * *", "field 3 (day-of-month): value 0 out of range 1-31"},
        {"0 0 32 * *", "field 3 (day-of-month): value 32 out of range 1-31"},
        {"0 0 * 13 *", "field 4 (month): value 13 out of range 1-12"},
        {"0 0 * * 8", "field 5 (day-of-week): value 8 out of range 0-7"},
        {"0 0 * 0 *", "field 4 (month): value 0 out of range 1-12"},
        {"99999999999 * * * *", "value 99999999999 out of range 0-59"},
        {"* * * *", "expected 5 fields, got 4"},
        {"* * * * * *", "expected 5 fields, got 6"},
        {"*", "expected 5 fields, got 1"},
        {"", "empty cron expression"},
        {"   ", "empty cron expression"},
        {"0 0 1 foo *", "field 4 (month): unknown month name 'foo'"},
        {"0 0 1 january *", "unknown month name 'january'"},
        {"0 0 * * funday", "field 5 (day-of-week): unknown weekday name 'funday'"},
        {"0 mon * * *", "field 2 (hour): 'mon' is not a number"},
        {"*/0 * * * *", "field 1 (minute): step must be > 0"},
        {"1-5/0 * * * *", "step must be > 0"},
        {"*/ * * * *", "missing step after '/'"},
        {"*/61 * * * *", "step 61 out of range 1-60"},
        {"5-1 * * * *", "field 1 (minute): range 5-1 is reversed"},
        {"0 0 * * fri-mon", "field 5 (day-of-week): range fri-mon is reversed"},
        {"0 0 * * 5-0", "range 5-0 is reversed"},
        {"0 0 * dec-jan *", "range dec-jan is reversed"},
        {"5- * * * *", "missing end of range '5-'"},
        {"1,,2 * * * *", "empty element in list '1,,2'"},
        {"1, * * * *", "empty element in list '1,'"},
        {",1 * * * *", "empty element"},
        {"5x * * * *", "field 1 (minute): unexpected 'x' in '5x'"},
        {"** * * * *", "unexpected '*' in '**'"},
        {"0 0 L * *", "field 3 (day-of-month): 'L' is not a number"},
        {"0 0 ? * *", "field 3 (day-of-month): expected a value, got '?'"},
        {"-5 * * * *", "expected a value, got '-'"},
        {"0 0 1-* * *", "expected a value, got '*'"},
        {"@fortnightly", "unknown macro '@fortnightly'"},
        {"@reboot", "@reboot is not supported"},
        {"@daily 5", "unexpected text after @daily"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sh_cron *c = (sh_cron *)&c; /* must be reset to NULL on failure */
        sh_error err = {0};
        sh_status st = sh_cron_parse(cases[i].expr, &c, &err);
        if (st != SH_ERR_INVALID || !strstr(err.message, cases[i].message))
            print_error("'%s': status %d, message '%s', want '%s'\n", cases[i].expr, st,
                        err.message, cases[i].message);
        assert_int_equal(st, SH_ERR_INVALID);
        assert_int_equal(err.code, SH_ERR_INVALID);
        assert_null(c);
        assert_non_null(strstr(err.message, cases[i].message));
    }
}

static void test_parse_argument_errors(void **state)
{
    (void)state;
    sh_cron *c = NULL;
    sh_error err = {0};
    assert_int_equal(sh_cron_parse(NULL, &c, &err), SH_ERR_INVALID);
    assert_int_equal(sh_cron_parse("* * * * *", NULL, NULL), SH_ERR_INVALID);
    char longexpr[700];
    memset(longexpr, '1', sizeof longexpr - 1);
    longexpr[sizeof longexpr - 1] = '\0';
    assert_int_equal(sh_cron_parse(longexpr, &c, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "longer than"));
    assert_null(c);
    sh_cron_destroy(NULL);
    int64_t next = 0;
    c = parse_ok("* * * * *");
    assert_int_equal(sh_cron_next(NULL, 0, 0, &next), SH_ERR_INVALID);
    assert_int_equal(sh_cron_next(c, 0, 0, NULL), SH_ERR_INVALID);
    assert_int_equal(sh_cron_next(c, -1, 0, &next), SH_ERR_INVALID);
    assert_int_equal(sh_cron_next(c, INT64_MAX, 0, &next), SH_ERR_INVALID);
    sh_cron_destroy(c);
}

/* The canonical text must describe the same schedule: compare normalized
 * text and a run of next times between the original and the re-parse. */
static void test_normalized_round_trip(void **state)
{
    (void)state;
    static const char *const exprs[] = {
        "*/7 1-3,5 */2 feb-apr,oct sat",   "0 0 */2 * 1",       "0 0 1-31 * 1",
        "0 0 */10,15 * *",                 "0 0 * * */3",       "0 0 13 * fri",
        "0,1,3,4,6,7,9,10 * * * *",        "0 0 * * 7,1",       "15 3 */31 feb mon",
        "1/7 2/5 3/9 4/4 5/2",             "@weekly",           "0 12 L-less 1 *",
    };
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        sh_cron *a = NULL;
        if (sh_cron_parse(exprs[i], &a, NULL) != SH_OK)
            continue; /* the last entry is deliberately invalid */
        sh_cron *b = parse_ok(sh_cron_normalized(a));
        assert_string_equal(sh_cron_normalized(a), sh_cron_normalized(b));
        int64_t ta = utc(2023, 12, 30, 0, 0);
        int64_t tb = ta;
        for (int k = 0; k < 50; k++) {
            assert_int_equal(sh_cron_next(a, ta, 0, &ta), SH_OK);
            assert_int_equal(sh_cron_next(b, tb, 0, &tb), SH_OK);
            assert_int_equal(ta, tb);
        }
        sh_cron_destroy(a);
        sh_cron_destroy(b);
    }
}

/* ---- next run in UTC --------------------------------------------------- */

static void test_next_basic(void **state)
{
    (void)state;
    int64_t t0 = utc(2024, 5, 10, 12, 7);
    expect_next_at("* * * * *", t0, 0, t0 + 60);
    expect_next_at("* * * * *", t0 + 59, 0, t0 + 60); /* seconds within the minute */
    expect_next_at("*/15 * * * *", t0, 0, utc(2024, 5, 10, 12, 15));
    /* strictly after: a matching start yields the following slot */
    expect_next_at("*/15 * * * *", utc(2024, 5, 10, 12, 15), 0, utc(2024, 5, 10, 12, 30));
    expect_next_at("*/15 * * * *", utc(2024, 5, 10, 12, 45), 0, utc(2024, 5, 10, 13, 0));
    expect_next_at("10-50/10 * * * *", utc(2024, 5, 10, 12, 50), 0, utc(2024, 5, 10, 13, 10));
    expect_next_at("0 */6 * * *", t0, 0, utc(2024, 5, 10, 18, 0));
    expect_next_at("0 */6 * * *", utc(2024, 5, 10, 18, 0), 0, utc(2024, 5, 11, 0, 0));
    expect_next_at("30 9 * * *", t0, 0, utc(2024, 5, 11, 9, 30));
    expect_next_at("@hourly", t0, 0, utc(2024, 5, 10, 13, 0));
    expect_next_at("@daily", t0, 0, utc(2024, 5, 11, 0, 0));
    /* 2024-05-10 is a Friday */
    expect_next_at("@weekly", t0, 0, utc(2024, 5, 12, 0, 0));
    expect_next_at("30 9 * * mon-fri", utc(2024, 5, 10, 10, 0), 0, utc(2024, 5, 13, 9, 30));
    expect_next_at("30 9 * * 7", t0, 0, utc(2024, 5, 12, 9, 30));
    expect_next_at("0 0 1 * *", t0, 0, utc(2024, 6, 1, 0, 0));
    expect_next_at("0 0 1 jan,jul *", t0, 0, utc(2024, 7, 1, 0, 0));
    expect_next_at("5 4 * aug *", t0, 0, utc(2024, 8, 1, 4, 5));
    expect_next_at("0 0 1 1 *", 0, 0, utc(1971, 1, 1, 0, 0));
}

static void test_next_month_and_year_ends(void **state)
{
    (void)state;
    expect_next_at("0 0 * * *", utc(2024, 1, 31, 12, 0), 0, utc(2024, 2, 1, 0, 0));
    expect_next_at("0 0 * * *", utc(2024, 4, 30, 0, 0), 0, utc(2024, 5, 1, 0, 0));
    expect_next_at("0 0 1 * *", utc(2024, 1, 31, 23, 59), 0, utc(2024, 2, 1, 0, 0));
    expect_next_at("@yearly", utc(2024, 12, 31, 23, 59), 0, utc(2025, 1, 1, 0, 0));
    expect_next_at("@yearly", utc(2025, 1, 1, 0, 0), 0, utc(2026, 1, 1, 0, 0));
    expect_next_at("59 23 31 12 *", utc(2024, 12, 31, 23, 59), 0, utc(2025, 12, 31, 23, 59));
    expect_next_at("59 23 31 12 *", utc(2024, 12, 31, 23, 58), 0, utc(2024, 12, 31, 23, 59));
    expect_next_at("* * * * *", utc(2024, 12, 31, 23, 59), 0, utc(2025, 1, 1, 0, 0));
    expect_next_at("0 0 * * *", utc(2023, 2, 28, 1, 0), 0, utc(2023, 3, 1, 0, 0));
    expect_next_at("0 0 * * *", utc(2024, 2, 28, 1, 0), 0, utc(2024, 2, 29, 0, 0));
    /* day 31 skips the short months */
    int64_t t = utc(2024, 1, 31, 0, 0);
    static const int months[] = {3, 5, 7, 8, 10, 12};
    for (size_t i = 0; i < sizeof months / sizeof months[0]; i++) {
        int64_t want = utc(2024, months[i], 31, 0, 0);
        expect_next_at("0 0 31 * *", t, 0, want);
        t = want;
    }
    expect_next_at("0 0 31 * *", t, 0, utc(2025, 1, 31, 0, 0));
    expect_next_at("0 0 30 * *", utc(2024, 1, 30, 0, 0), 0, utc(2024, 3, 30, 0, 0));
}

static void test_next_feb_29(void **state)
{
    (void)state;
    expect_next_at("0 0 29 2 *", utc(2023, 3, 1, 0, 0), 0, utc(2024, 2, 29, 0, 0));
    expect_next_at("0 0 29 2 *", utc(2024, 2, 29, 0, 0), 0, utc(2028, 2, 29, 0, 0));
    expect_next_at("0 0 29 2 *", utc(2024, 1, 1, 0, 0), 0, utc(2024, 2, 29, 0, 0));
    /* 2100 is not a leap year, 2000 was */
    expect_next_at("0 0 29 2 *", utc(2096, 3, 1, 0, 0), 0, utc(2104, 2, 29, 0, 0));
    expect_next_at("0 0 29 2 *", utc(1999, 1, 1, 0, 0), 0, utc(2000, 2, 29, 0, 0));
    expect_next_at("0 0 29 feb *", utc(2025, 6, 1, 0, 0), 0, utc(2028, 2, 29, 0, 0));
    expect_next_at("0 0 28 2 *", utc(2023, 2, 28, 0, 0), 0, utc(2024, 2, 28, 0, 0));
    expect_next_at("0 0 1 3 *", utc(2024, 2, 29, 12, 0), 0, utc(2024, 3, 1, 0, 0));
}

static void test_next_dom_dow_semantics(void **state)
{
    (void)state;
    /* Both restricted: the 13th OR any Friday.  2024-10-01 is a Tuesday,
     * 2024-10-13 a Sunday. */
    expect_next_at("0 0 13 * 5", utc(2024, 10, 1, 0, 0), 0, utc(2024, 10, 4, 0, 0));
    expect_next_at("0 0 13 * fri", utc(2024, 10, 11, 0, 0), 0, utc(2024, 10, 13, 0, 0));
    expect_next_at("0 0 13 * 5", utc(2024, 10, 13, 0, 0), 0, utc(2024, 10, 18, 0, 0));
    /* only one restricted: that one decides */
    expect_next_at("0 0 13 * *", utc(2024, 10, 1, 0, 0), 0, utc(2024, 10, 13, 0, 0));
    expect_next_at("0 0 * * 5", utc(2024, 10, 11, 0, 0), 0, utc(2024, 10, 18, 0, 0));
    /* a field starting with '*' counts as unrestricted (Vixie): odd days
     * that are also Mondays; Mondays of 2024-09 are 2, 9, 16, 23, 30 */
    expect_next_at("0 0 */2 * 1", utc(2024, 9, 1, 0, 0), 0, utc(2024, 9, 9, 0, 0));
    expect_next_at("0 0 */2 * 1", utc(2024, 9, 9, 0, 0), 0, utc(2024, 9, 23, 0, 0));
    /* an explicit full range is a restriction: 1-31 OR Monday = every day */
    expect_next_at("0 0 1-31 * 1", utc(2024, 9, 3, 0, 0), 0, utc(2024, 9, 4, 0, 0));
    /* day 31 OR Monday in February: the Mondays */
    expect_next_at("0 0 31 2 mon", utc(2024, 3, 1, 0, 0), 0, utc(2025, 2, 3, 0, 0));
    /* 1st of February that is a Saturday: next in 2025 */
    expect_next_at("0 0 */31 2 sat", utc(2022, 3, 1, 0, 0), 0, utc(2025, 2, 1, 0, 0));
}

static void test_next_impossible(void **state)
{
    (void)state;
    static const char *const never[] = {"0 0 31 2 *", "0 0 30 2 *", "0 0 30,31 feb *",
                                        "0 0 31 4,6,9,11 *", "* * 31 2 */2"};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
        sh_cron *c = parse_ok(never[i]);
        int64_t next = 42;
        assert_int_equal(sh_cron_next(c, utc(2024, 1, 1, 0, 0), 0, &next), SH_ERR_NOT_FOUND);
        assert_int_equal(sh_cron_next(c, utc(2024, 1, 1, 0, 0), 1, &next), SH_ERR_NOT_FOUND);
        assert_int_equal(next, 42);
        sh_error err = {0};
        assert_int_equal(sh_cron_check(c, &err), SH_ERR_NOT_FOUND);
        assert_non_null(strstr(err.message, "never matches"));
        sh_cron_destroy(c);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    assert_true(ms < 200.0);

    sh_error err = {0};
    sh_cron *c = parse_ok("0 0 31 2 *");
    assert_int_equal(sh_cron_check(c, &err), SH_ERR_NOT_FOUND);
    assert_string_equal(err.message,
                        "cron expression '0 0 31 2 *' never matches: no selected month has day 31");
    sh_cron_destroy(c);
    c = parse_ok("0 0 29 2 *");
    assert_int_equal(sh_cron_check(c, NULL), SH_OK);
    sh_cron_destroy(c);
}

/* Skipping by fields: thousands of sparse lookups must stay fast (a
 * minute-by-minute scan would take minutes here). */
static void test_next_efficient(void **state)
{
    (void)state;
    sh_cron *c = parse_ok("0 0 29 2 *");
    sh_cron *d = parse_ok("59 23 31 12 *");
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int64_t t = utc(1970, 1, 1, 0, 0);
    int64_t u = t;
    for (int i = 0; i < 1500; i++) {
        assert_int_equal(sh_cron_next(c, t, 0, &t), SH_OK);
        assert_int_equal(sh_cron_next(d, u, 0, &u), SH_OK);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_true(t > utc(8000, 1, 1, 0, 0));
    double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    print_message("3000 sparse next() calls took %.1f ms\n", ms);
    assert_true(ms < 3000.0);
    sh_cron_destroy(c);
    sh_cron_destroy(d);
}

/* ---- next run in local time -------------------------------------------- */

typedef struct tz_state {
    char *saved_tz; /* NULL if TZ was unset */
} tz_state;

static int tz_setup(void **state)
{
    tz_state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    const char *tz = getenv("TZ");
    s->saved_tz = tz ? strdup(tz) : NULL;
    *state = s;
    return 0;
}

static int tz_teardown(void **state)
{
    tz_state *s = *state;
    if (s->saved_tz)
        setenv("TZ", s->saved_tz, 1);
    else
        unsetenv("TZ");
    tzset();
    free(s->saved_tz);
    free(s);
    return 0;
}

/* Selects zone; false (said visibly) when tzdata lacks it. */
static bool try_zone(const char *zone)
{
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "/usr/share/zoneinfo", zone);
    if (access(path, R_OK) != 0) {
        print_message("time zone %s not installed (%s): skipping it\n", zone, path);
        return false;
    }
    setenv("TZ", zone, 1);
    tzset();
    return true;
}

static void use_zone(const char *zone)
{
    if (!try_zone(zone))
        skip();
}

static void test_local_berlin(void **state)
{
    (void)state;
    use_zone("Europe/Berlin");
    /* winter: CET = UTC+1; summer: CEST = UTC+2 */
    expect_next_at("0 9 * * *", utc(2024, 1, 15, 0, 0), 1, utc(2024, 1, 15, 8, 0));
    expect_next_at("0 9 * * *", utc(2024, 1, 15, 0, 0), 0, utc(2024, 1, 15, 9, 0));
    expect_next_at("0 9 * * *", utc(2024, 7, 15, 0, 0), 1, utc(2024, 7, 15, 7, 0));
    /* local midnight is still the previous UTC day */
    expect_next_at("@daily", utc(2024, 7, 15, 12, 0), 1, utc(2024, 7, 15, 22, 0));
    expect_next_at("0 0 1 1 *", utc(2024, 12, 31, 22, 59), 1, utc(2024, 12, 31, 23, 0));
    /* day-of-week is evaluated in local time: Monday 00:30 CEST is
     * Sunday 22:30 UTC (2024-07-14 is a Sunday) */
    expect_next_at("30 0 * * mon", utc(2024, 7, 10, 0, 0), 1, utc(2024, 7, 14, 22, 30));

    /* Spring forward 2024-03-31 02:00 CET -> 03:00 CEST: 02:30 does not
     * exist and runs once at 03:00 CEST (01:00 UTC). */
    expect_next_at("30 2 * * *", utc(2024, 3, 31, 0, 0), 1, utc(2024, 3, 31, 1, 0));
    expect_next_at("30 2 * * *", utc(2024, 3, 31, 1, 0), 1, utc(2024, 4, 1, 0, 30));
    expect_next_at("*/20 2 * * *", utc(2024, 3, 31, 0, 30), 1, utc(2024, 3, 31, 1, 0));
    expect_next_at("*/20 2 * * *", utc(2024, 3, 31, 1, 0), 1, utc(2024, 4, 1, 0, 0));
    expect_next_at("* * * * *", utc(2024, 3, 31, 0, 59), 1, utc(2024, 3, 31, 1, 0));
    expect_next_at("* * * * *", utc(2024, 3, 31, 1, 0), 1, utc(2024, 3, 31, 1, 1));

    /* Fall back 2024-10-27 03:00 CEST -> 02:00 CET: 02:30 happens twice,
     * runs at the first (00:30 UTC), not again at 01:30 UTC. */
    expect_next_at("30 2 * * *", utc(2024, 10, 26, 23, 0), 1, utc(2024, 10, 27, 0, 30));
    expect_next_at("30 2 * * *", utc(2024, 10, 27, 0, 30), 1, utc(2024, 10, 28, 1, 30));
    expect_next_at("0 3 * * *", utc(2024, 10, 27, 0, 30), 1, utc(2024, 10, 27, 2, 0));
}

static void test_local_new_york(void **state)
{
    (void)state;
    use_zone("America/New_York");
    /* EST = UTC-5, EDT = UTC-4 */
    expect_next_at("0 12 * * *", utc(2024, 1, 10, 0, 0), 1, utc(2024, 1, 10, 17, 0));
    expect_next_at("0 12 * * *", utc(2024, 6, 10, 0, 0), 1, utc(2024, 6, 10, 16, 0));
    /* local evening is the next UTC day */
    expect_next_at("0 22 31 12 *", utc(2024, 6, 1, 0, 0), 1, utc(2025, 1, 1, 3, 0));

    /* Spring forward 2024-03-10 02:00 EST -> 03:00 EDT (07:00 UTC). */
    expect_next_at("30 2 * * *", utc(2024, 3, 10, 5, 0), 1, utc(2024, 3, 10, 7, 0));
    expect_next_at("30 2 * * *", utc(2024, 3, 10, 7, 0), 1, utc(2024, 3, 11, 6, 30));
    expect_next_at("*/15 2 * * *", utc(2024, 3, 10, 5, 0), 1, utc(2024, 3, 10, 7, 0));
    expect_next_at("*/15 2 * * *", utc(2024, 3, 10, 7, 0), 1, utc(2024, 3, 11, 6, 0));
    /* a gap slot and a real 03:00 slot coincide: one run */
    expect_next_at("30 2,3 * * *", utc(2024, 3, 10, 7, 0), 1, utc(2024, 3, 10, 7, 30));
    expect_next_at("0,30 2-3 * * *", utc(2024, 3, 10, 6, 59), 1, utc(2024, 3, 10, 7, 0));
    expect_next_at("0,30 2-3 * * *", utc(2024, 3, 10, 7, 0), 1, utc(2024, 3, 10, 7, 30));
    expect_next_at("0 3 * * *", utc(2024, 3, 10, 5, 0), 1, utc(2024, 3, 10, 7, 0));
    expect_next_at("59 1 * * *", utc(2024, 3, 10, 5, 0), 1, utc(2024, 3, 10, 6, 59));
    expect_next_at("* * * * *", utc(2024, 3, 10, 6, 59), 1, utc(2024, 3, 10, 7, 0));
    expect_next_at("0 * * * *", utc(2024, 3, 10, 6, 0), 1, utc(2024, 3, 10, 7, 0));
    expect_next_at("0 * * * *", utc(2024, 3, 10, 7, 0), 1, utc(2024, 3, 10, 8, 0));

    /* Fall back 2024-11-03 02:00 EDT -> 01:00 EST: 01:00-01:59 happens
     * twice (05:00-05:59 UTC as EDT, 06:00-06:59 UTC as EST). */
    expect_next_at("30 1 * * *", utc(2024, 11, 3, 4, 0), 1, utc(2024, 11, 3, 5, 30));
    expect_next_at("30 1 * * *", utc(2024, 11, 3, 5, 30), 1, utc(2024, 11, 4, 6, 30));
    /* restarted during the second pass: the slot already ran */
    expect_next_at("30 1 * * *", utc(2024, 11, 3, 6, 10), 1, utc(2024, 11, 4, 6, 30));
    expect_next_at("0 * * * *", utc(2024, 11, 3, 4, 0), 1, utc(2024, 11, 3, 5, 0));
    expect_next_at("0 * * * *", utc(2024, 11, 3, 5, 0), 1, utc(2024, 11, 3, 7, 0));
    expect_next_at("* * * * *", utc(2024, 11, 3, 5, 59), 1, utc(2024, 11, 3, 7, 0));
    expect_next_at("0 2 * * *", utc(2024, 11, 3, 5, 0), 1, utc(2024, 11, 3, 7, 0));
    expect_next_at("@daily", utc(2024, 11, 2, 12, 0), 1, utc(2024, 11, 3, 4, 0));
    expect_next_at("@daily", utc(2024, 11, 3, 4, 0), 1, utc(2024, 11, 4, 5, 0));
    /* UTC evaluation ignores TZ entirely */
    expect_next_at("30 1 * * *", utc(2024, 11, 3, 4, 0), 0, utc(2024, 11, 4, 1, 30));
}

/* Chaining next() through a whole DST year: a daily job runs exactly once
 * on every local day, including both transition days. */
static void test_local_daily_runs_once_per_day(void **state)
{
    (void)state;
    use_zone("America/New_York");
    static const char *const exprs[] = {"30 2 * * *", "30 1 * * *", "0 0 * * *", "59 23 * * *"};
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        sh_cron *c = parse_ok(exprs[i]);
        int64_t t = utc(2024, 1, 1, 12, 0);
        int64_t prev_day = -1;
        int runs = 0;
        for (;;) {
            int64_t next;
            assert_int_equal(sh_cron_next(c, t, 1, &next), SH_OK);
            assert_true(next > t);
            if (next >= utc(2025, 1, 1, 12, 0))
                break;
            time_t tt = (time_t)next;
            struct tm lt;
            localtime_r(&tt, &lt);
            int64_t day = (int64_t)(lt.tm_year) * 400 + lt.tm_yday;
            assert_true(day != prev_day);
            prev_day = day;
            t = next;
            runs++;
        }
        assert_int_equal(runs, 366); /* a leap year's worth of local days */
        sh_cron_destroy(c);
    }
}

/* ---- cross-check against a brute-force reference ----------------------- */

/* The reference walks real instants minute by minute and fires at the
 * first instant whose local wall clock reaches or passes a matching wall
 * minute not reached before: the behaviour cron.h promises across DST.
 * Expressions are generated together with their value sets, so the
 * reference does not depend on the parser under test. */
typedef struct ref_cron {
    bool set[5][64];
    bool dom_star, dow_star;
    char text[160];
} ref_cron;

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int rng_range(uint64_t *s, int lo, int hi)
{
    return lo + (int)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

static void gen_field(uint64_t *rng, int f, ref_cron *rc, size_t *len)
{
    static const int lo[5] = {0, 0, 1, 1, 0}, hi[5] = {59, 23, 31, 12, 7};
    static const int star_pct[5] = {25, 40, 60, 85, 60};
    int star_hi = f == 4 ? 6 : hi[f];
    int elements = rng_range(rng, 1, 10) <= 8 ? 1 : 2;
    for (int e = 0; e < elements; e++) {
        int a, b, step = 1, kind = rng_range(rng, 0, 99) < star_pct[f] ? rng_range(rng, 0, 1)
                                                                      : rng_range(rng, 2, 4);
        char *out = rc->text + *len;
        size_t cap = sizeof rc->text - *len;
        if (kind <= 1) { /* "*" or "*" with a step */
            a = lo[f];
            b = star_hi;
            step = kind == 0 ? 1 : rng_range(rng, 2, (star_hi - lo[f]) / 2 + 1);
            *len += (size_t)(kind == 0 ? snprintf(out, cap, "%s*", e ? "," : "")
                                       : snprintf(out, cap, "%s*/%d", e ? "," : "", step));
        } else {
            a = rng_range(rng, lo[f], hi[f]);
            b = kind == 2 ? a : rng_range(rng, a, hi[f]);
            step = kind == 4 ? rng_range(rng, 1, 5) : 1;
            *len += (size_t)(kind == 2   ? snprintf(out, cap, "%s%d", e ? "," : "", a)
                             : kind == 3 ? snprintf(out, cap, "%s%d-%d", e ? "," : "", a, b)
                                         : snprintf(out, cap, "%s%d-%d/%d", e ? "," : "", a, b, step));
        }
        if (e == 0 && f == 2)
            rc->dom_star = kind <= 1;
        if (e == 0 && f == 4)
            rc->dow_star = kind <= 1;
        for (int v = a; v <= b; v += step)
            rc->set[f][f == 4 && v == 7 ? 0 : v] = true;
    }
}

static void gen_cron(uint64_t *rng, ref_cron *rc)
{
    size_t len = 0;
    memset(rc, 0, sizeof *rc);
    for (int f = 0; f < 5; f++) {
        if (f > 0)
            rc->text[len++] = ' ';
        gen_field(rng, f, rc, &len);
    }
}

static bool ref_match(const ref_cron *rc, int64_t wall)
{
    time_t tt = (time_t)wall;
    struct tm tm;
    gmtime_r(&tt, &tm);
    bool dom = rc->set[2][tm.tm_mday], dow = rc->set[4][tm.tm_wday];
    bool day = rc->dom_star || rc->dow_star ? dom && dow : dom || dow;
    return rc->set[0][tm.tm_min] && rc->set[1][tm.tm_hour] && rc->set[3][tm.tm_mon + 1] && day;
}

static int64_t wall_of(int64_t t, int local)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return t + (local ? tm.tm_gmtoff : 0);
}

/* Reference next run, or -1 if none up to limit. */
static int64_t ref_next(const ref_cron *rc, int64_t after, int local, int64_t limit)
{
    int64_t reached = wall_of(after, local) / 60 * 60;
    for (int64_t t = after / 60 * 60 + 60; t <= limit; t += 60) {
        int64_t w = wall_of(t, local);
        for (int64_t m = reached + 60; m <= w; m += 60)
            if (ref_match(rc, m))
                return t;
        if (w > reached)
            reached = w;
    }
    return -1;
}

static void cross_check(uint64_t *rng, int64_t after, int local)
{
    ref_cron rc;
    gen_cron(rng, &rc);
    sh_cron *c = parse_ok(rc.text);
    int64_t limit = after + INT64_C(40) * 86400, got = -1;
    int64_t want = ref_next(&rc, after, local, limit);
    sh_status st = sh_cron_next(c, after, local, &got);
    char a[32], g[32], w[32];
    if (want >= 0 ? (st != SH_OK || got != want) : (st == SH_OK && got <= limit))
        print_error("'%s' after %s (%s): got %s (status %d), reference %s\n", rc.text,
                    fmt_utc(after, a), local ? getenv("TZ") : "UTC", fmt_utc(got, g), st,
                    want >= 0 ? fmt_utc(want, w) : "none within 40 days");
    if (want >= 0) {
        assert_int_equal(st, SH_OK);
        assert_int_equal(got, want);
    } else {
        assert_true(st == SH_ERR_NOT_FOUND || got > limit);
    }
    sh_cron_destroy(c);
}

static void test_cross_check_utc(void **state)
{
    (void)state;
    uint64_t rng = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 300; i++)
        cross_check(&rng, rng_range(&rng, 0, (int)(utc(2037, 1, 1, 0, 0) / 60)) * INT64_C(60) +
                              rng_range(&rng, 0, 59), 0);
}

/* For each zone, random schedules from random instants close to every
 * offset change of one year, including a midnight gap (Sao Paulo 2018), a
 * 30-minute DST (Lord Howe) and a whole skipped day (Apia 2011). */
static void test_cross_check_zones(void **state)
{
    (void)state;
    static const struct {
        const char *zone;
        int year;
    } zones[] = {{"America/New_York", 2024}, {"Europe/Berlin", 2025}, {"Australia/Lord_Howe", 2024},
                 {"America/Sao_Paulo", 2018}, {"Pacific/Apia", 2011}, {"Asia/Kathmandu", 2024}};
    uint64_t rng = 0x2545f4914f6cdd1du;
    int checked = 0;
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        if (!try_zone(zones[z].zone))
            continue;
        checked++;
        int changes = 0;
        for (int64_t t = utc(zones[z].year, 1, 1, 0, 0); t < utc(zones[z].year + 1, 1, 1, 0, 0);
             t += 3600) {
            if (wall_of(t, 1) - t == wall_of(t + 3600, 1) - (t + 3600))
                continue;
            changes++;
            for (int i = 0; i < 25; i++)
                cross_check(&rng, t + rng_range(&rng, -2 * 86400, 86400), 1);
        }
        for (int i = 0; i < 20; i++) /* and a few anywhere in the year */
            cross_check(&rng, utc(zones[z].year, 1, 1, 0, 0) + rng_range(&rng, 0, 365 * 86400), 1);
        print_message("%s %d: %d offset changes checked\n", zones[z].zone, zones[z].year, changes);
        assert_true(changes > 0 || strcmp(zones[z].zone, "Asia/Kathmandu") == 0);
    }
    if (checked == 0)
        skip();
}

/* ---- intervals --------------------------------------------------------- */

static void test_interval_valid(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t seconds;
    } ok[] = {
        {"60", 60},      {"3600", 3600}, {"60s", 60},        {"90s", 90},
        {"15m", 900},    {"2h", 7200},   {"1d", 86400},      {"1h30m", 5400},
        {"1d12h", 129600}, {"1h0m30s", 3630}, {"2H", 7200},  {" 5m ", 300},
        {"1d1h1m1s", 90061}, {"366d", INT64_C(366) * 86400},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t s = -1;
        sh_error err = {0};
        sh_status st = sh_interval_parse(ok[i].text, &s, &err);
        if (st != SH_OK)
            print_error("'%s': %s\n", ok[i].text, err.message);
        assert_int_equal(st, SH_OK);
        assert_int_equal(s, ok[i].seconds);
    }
}

static void test_interval_invalid(void **state)
{
    (void)state;
    static const bad_case bad[] = {
        {"", "empty interval"},
        {"   ", "empty interval"},
        {"0", "greater than zero"},
        {"0s", "greater than zero"},
        {"0h0m", "greater than zero"},
        {"30s", "shorter than the minimum of 60 seconds"},
        {"59", "shorter than the minimum"},
        {"abc", "expected a number at 'abc'"},
        {"m", "expected a number"},
        {"-5m", "expected a number"},
        {"1.5h", "unknown unit '.'"},
        {"5x", "unknown unit 'x'"},
        {"1h30", "missing unit after '30'"},
        {"30m1h", "largest to smallest"},
        {"1h1h", "largest to smallest"},
        {"1h 30m", "expected a number"},
        {"367d", "longer than the maximum of 366 days"},
        {"99999999999999999999999s", "longer than the maximum"},
        {"99999999999999999999999", "longer than the maximum"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t s = -7;
        sh_error err = {0};
        sh_status st = sh_interval_parse(bad[i].expr, &s, &err);
        if (st != SH_ERR_INVALID || !strstr(err.message, bad[i].message))
            print_error("'%s': status %d, message '%s', want '%s'\n", bad[i].expr, st,
                        err.message, bad[i].message);
        assert_int_equal(st, SH_ERR_INVALID);
        assert_non_null(strstr(err.message, bad[i].message));
        assert_int_equal(s, -7);
    }
    int64_t s;
    assert_int_equal(sh_interval_parse(NULL, &s, NULL), SH_ERR_INVALID);
    assert_int_equal(sh_interval_parse("5m", NULL, NULL), SH_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_syntax_elements),
        cmocka_unit_test(test_parse_macros),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_argument_errors),
        cmocka_unit_test(test_normalized_round_trip),
        cmocka_unit_test(test_next_basic),
        cmocka_unit_test(test_next_month_and_year_ends),
        cmocka_unit_test(test_next_feb_29),
        cmocka_unit_test(test_next_dom_dow_semantics),
        cmocka_unit_test(test_next_impossible),
        cmocka_unit_test(test_next_efficient),
        cmocka_unit_test_setup_teardown(test_local_berlin, tz_setup, tz_teardown),
        cmocka_unit_test_setup_teardown(test_local_new_york, tz_setup, tz_teardown),
        cmocka_unit_test_setup_teardown(test_local_daily_runs_once_per_day, tz_setup,
                                        tz_teardown),
        cmocka_unit_test(test_cross_check_utc),
        cmocka_unit_test_setup_teardown(test_cross_check_zones, tz_setup, tz_teardown),
        cmocka_unit_test(test_interval_valid),
        cmocka_unit_test(test_interval_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
