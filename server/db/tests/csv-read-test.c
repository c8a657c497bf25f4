/* The CSV reader: RFC 4180 quoting (doubled quotes, commas and line breaks
 * inside quotes), CRLF/LF/blank lines, a byte order mark, the line numbers
 * records start on, and the malformed inputs it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "db/csv-read.h"

/* Reads every record of text; returns the status of the first failure. */
static sh_status read_all(const char *text, sh_csv_record *recs, size_t max, size_t *n, sh_error *err)
{
    sh_csv_reader r;
    sh_csv_reader_init(&r, text, strlen(text));
    *n = 0;
    for (;;) {
        int got = 0;
        sh_csv_record rec = {0};
        sh_status st = sh_csv_next(&r, &rec, &got, err);
        if (st != SH_OK)
            return st;
        if (!got)
            return SH_OK;
        assert_true(*n < max);
        recs[(*n)++] = rec;
    }
}

static void clear_all(sh_csv_record *recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sh_csv_record_clear(&recs[i]);
}

static void test_quoting(void **state)
{
    (void)state;
    sh_csv_record recs[4];
    size_t n = 0;
    sh_error err = {0};
    const char *text = "a,b,c\r\n"
                       "\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n"
                       ",,\r\n";
    assert_int_equal(read_all(text, recs, 4, &n, &err), SH_OK);
    assert_int_equal(n, 3);
    assert_int_equal(recs[1].n, 3);
    assert_string_equal(recs[1].fields[0], "x, y");
    assert_string_equal(recs[1].fields[1], "say \"hi\"");
    assert_string_equal(recs[1].fields[2], "two\r\nlines");
    assert_int_equal(recs[2].n, 3);
    assert_string_equal(recs[2].fields[0], "");
    assert_string_equal(recs[2].fields[2], "");
    /* the record after a quoted line break starts two lines later */
    assert_int_equal(recs[1].line, 2);
    assert_int_equal(recs[2].line, 4);
    assert_int_equal(sh_csv_column(&recs[0], "c"), 2);
    assert_int_equal(sh_csv_column(&recs[0], "d"), -1);
    clear_all(recs, n);
}

static void test_line_ends(void **state)
{
    (void)state;
    sh_csv_record recs[4];
    size_t n = 0;
    sh_error err = {0};
    /* BOM, LF ends, a blank line, no final line break */
    assert_int_equal(read_all("\xEF\xBB\xBFid,name\n1,a\n\n2,b", recs, 4, &n, &err), SH_OK);
    assert_int_equal(n, 3);
    assert_string_equal(recs[0].fields[0], "id");
    assert_string_equal(recs[2].fields[1], "b");
    assert_int_equal(recs[2].line, 4);
    clear_all(recs, n);
    assert_int_equal(read_all("", recs, 4, &n, &err), SH_OK);
    assert_int_equal(n, 0);
}

static void expect_error(const char *text, const char *message)
{
    sh_csv_record recs[8];
    size_t n = 0;
    sh_error err = {0};
    assert_int_equal(read_all(text, recs, 8, &n, &err), SH_ERR_INVALID);
    if (!strstr(err.message, message))
        fail_msg("'%s' not in '%s'", message, err.message);
    clear_all(recs, n);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_error("a,b\r\n1,\"open\r\n2,3\r\n", "line 2: unterminated quoted field");
    expect_error("a,b\r\n1,\"x\"y\r\n", "line 2: text after a closing quote");
    expect_error("a,b\r\n1,2\r\n3,x\"y\r\n", "line 3: quote inside an unquoted field");
    char wide[400] = "x";
    for (size_t i = 1, at = 1; i < SH_CSV_MAX_FIELDS + 1; i++, at += 2)
        snprintf(wide + at, sizeof wide - at, ",x");
    expect_error(wide, "line 1: more than");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
