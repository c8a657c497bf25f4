/* dates.c - finding release dates in file and folder names.
 *
 * Accepted: YYYY-MM-DD (any of - . _ or space, used consistently),
 * YY.MM.DD, and DD.MM.YYYY / MM.DD.YYYY only when the order is forced by a
 * value above 12.  Impossible dates, dates before 1970 or more than 30 days
 * in the future, dotted number chains (versions, IPs) and hyphen-joined
 * codes are rejected. */
#include <stdio.h>
#include <string.h>

#include "analysis/an-internal.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_date_sep(char c)
{
    return c == '-' || c == '.' || c == '_' || c == ' ';
}

bool an_date_valid(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    int max = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        max = 29;
    return d <= max;
}

bool an_date_parse_iso(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !is_digit(s[i]))
            return false;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    return an_date_valid(*y, *m, *d);
}

/* Days since 1970-01-01 (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int current_year(int64_t now)
{
    /* civil_from_days, year only */
    int64_t z = now / 86400 + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    int64_t y = yoe + era * 400 + (mp >= 10 ? 1 : 0);
    return (int)y;
}

static bool plausible(int y, int m, int d, int64_t now)
{
    if (y < 1970 || !an_date_valid(y, m, d))
        return false;
    return days_from_civil(y, m, d) <= now / 86400 + 30;
}

typedef struct group {
    uint32_t start, end;
    int value;
} group;

/* Reads a digit group at s[i]; false if none or longer than 4 digits. */
static bool read_group(const char *s, uint32_t i, uint32_t end, group *g)
{
    uint32_t j = i;
    int v = 0;
    while (j < end && is_digit(s[j]) && j - i < 5) {
        v = v * 10 + (s[j] - '0');
        j++;
    }
    if (j == i || j - i > 4 || (j < end && is_digit(s[j])))
        return false;
    *g = (group){i, j, v};
    return true;
}

size_t an_find_dates(const char *s, uint32_t start, uint32_t end, int64_t now, an_date *out,
                     size_t max)
{
    size_t n = 0;
    int cy = current_year(now);
    for (uint32_t i = start; i < end && n < max; i++) {
        if (!is_digit(s[i]) || (i > start && is_alnum(s[i - 1])))
            continue;
        /* part of a longer dotted chain such as "1.2.3" or "v2.20.01.02" */
        if (i >= start + 2 && is_date_sep(s[i - 1]) && s[i - 1] != ' ' && is_alnum(s[i - 2]) &&
            (is_digit(s[i - 2]) || s[i - 1] == '-'))
            continue;
        group g[3];
        if (!read_group(s, i, end, &g[0]))
            continue;
        char sep = g[0].end < end ? s[g[0].end] : 0;
        if (!is_date_sep(sep) || !read_group(s, g[0].end + 1, end, &g[1]) || g[1].end >= end ||
            s[g[1].end] != sep || !read_group(s, g[1].end + 1, end, &g[2]))
            continue;
        uint32_t after = g[2].end;
        if (after < end && is_alnum(s[after]))
            continue;
        /* followed by another short group with the same separator: a chain */
        if (after + 1 < end && s[after] == sep && is_digit(s[after + 1])) {
            group g4;
            if (read_group(s, after + 1, end, &g4) && g4.end - g4.start <= 2)
                continue;
        }
        uint32_t l0 = g[0].end - g[0].start, l1 = g[1].end - g[1].start, l2 = g[2].end - g[2].start;
        an_date dt = {0};
        if (l0 == 4 && l1 <= 2 && l2 <= 2) {
            dt = (an_date){g[0].value, g[1].value, g[2].value, 0, 0, 0.9, "YYYY-MM-DD"};
        } else if (l0 == 2 && l1 == 2 && l2 == 2 && sep != ' ') {
            /* a hyphen-joined 2-2-2 right after letters is a code, not a date */
            if (sep == '-' && i > start && s[i - 1] == '-')
                continue;
            int y = 2000 + g[0].value;
            if (y > cy + 1)
                y -= 100;
            dt = (an_date){y, g[1].value, g[2].value, 0, 0, sep == '.' ? 0.8 : 0.7, "YY.MM.DD"};
        } else if (l0 <= 2 && l1 <= 2 && l2 == 4) {
            int a = g[0].value, b = g[1].value;
            if (a > 12 && b <= 12)
                dt = (an_date){g[2].value, b, a, 0, 0, 0.75, "DD.MM.YYYY"};
            else if (b > 12 && a <= 12)
                dt = (an_date){g[2].value, a, b, 0, 0, 0.7, "MM.DD.YYYY"};
            else if (a == b)
                dt = (an_date){g[2].value, a, b, 0, 0, 0.75, "DD.MM.YYYY"};
            else
                continue; /* 03.04.2020: April 3rd or March 4th */
        } else {
            continue;
        }
        if (!plausible(dt.year, dt.month, dt.day, now))
            continue;
        dt.start = g[0].start;
        dt.end = g[2].end;
        out[n++] = dt;
        i = g[2].end;
    }
    return n;
}
