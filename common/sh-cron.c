/* sh-cron.c - cron expressions, next-run computation and --every intervals.
 *
 * Pure code: no globals, no threads; see sh-cron.h for the semantics.
 *
 * Next-run search works on civil (calendar) time: UTC, or the local wall
 * clock.  It skips whole months, days and hours that cannot match instead
 * of stepping minute by minute, and only converts a matching wall-clock
 * minute to an instant at the end.  That conversion is where DST is
 * handled: a minute in a gap maps to the end of the gap, a repeated minute
 * maps to its first occurrence, and a candidate whose instant is not after
 * the start is skipped, so each slot fires once. */
#include "sh-cron.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CRON_EXPR_MAX 512
#define CRON_TEXT_MAX 400
/* The Gregorian calendar repeats every 400 years, so a schedule that does
 * not match within that span never will.  sh_cron_check() rejects the
 * impossible ones up front; this bound only guards the loop. */
#define CRON_SEARCH_YEARS 401
/* 9999-12-31T23:59:59Z: keeps every computation inside struct tm. */
#define CRON_TIME_MAX INT64_C(253402300799)

enum { F_MINUTE, F_HOUR, F_DOM, F_MONTH, F_DOW, F_COUNT };

typedef struct field_spec {
    const char *name;
    int lo, hi;  /* values accepted in the text (day-of-week allows 7) */
    int star_hi; /* last value '*' covers (day-of-week: 6) */
} field_spec;

static const field_spec FIELDS[F_COUNT] = {
    {"minute", 0, 59, 59},   {"hour", 0, 23, 23}, {"day-of-month", 1, 31, 31},
    {"month", 1, 12, 12},    {"day-of-week", 0, 7, 6},
};

static const char *const MONTH_NAMES[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const DAY_NAMES[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static const struct {
    const char *name;
    const char *expansion;
} MACROS[] = {
    {"@hourly", "0 * * * *"},  {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
    {"@weekly", "0 0 * * 0"},  {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
};

struct sh_cron {
    uint64_t bits[F_COUNT]; /* bit v set: value v matches (day-of-week 7 stored as 0) */
    bool dom_star;          /* day-of-month field starts with '*' */
    bool dow_star;          /* day-of-week field starts with '*' */
    char text[CRON_TEXT_MAX];
};

/* ---- parsing ----------------------------------------------------------- */

static sh_status field_error(sh_error *err, int f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static sh_status field_error(sh_error *err, int f, const char *fmt, ...)
{
    char detail[SH_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    sh_error_set(err, SH_ERR_INVALID, "field %d (%s): %s", f + 1, FIELDS[f].name, detail);
    return SH_ERR_INVALID;
}

/* Describes the character at p for messages, printable or not. */
static const char *char_desc(char c, char buf[8])
{
    if (c == '\0')
        snprintf(buf, 8, "end");
    else if (isprint((unsigned char)c))
        snprintf(buf, 8, "'%c'", c);
    else
        snprintf(buf, 8, "0x%02x", (unsigned)(unsigned char)c);
    return buf;
}

static sh_status parse_value(int f, const char **p, int *out, sh_error *err)
{
    const field_spec *fs = &FIELDS[f];
    const char *s = *p;
    const char *q = s;
    char cbuf[8];

    if (isdigit((unsigned char)*s)) {
        long v = 0;
        for (; isdigit((unsigned char)*q); q++)
            if (v < 100000) /* saturate: the message quotes the text anyway */
                v = v * 10 + (*q - '0');
        if (v < fs->lo || v > fs->hi)
            return field_error(err, f, "value %.*s out of range %d-%d", (int)(q - s), s, fs->lo,
                               fs->hi);
        *out = (int)v;
        *p = q;
        return SH_OK;
    }
    if (isalpha((unsigned char)*s)) {
        while (isalpha((unsigned char)*q))
            q++;
        int n = (int)(q - s);
        if (f != F_MONTH && f != F_DOW)
            return field_error(err, f, "'%.*s' is not a number (names are only allowed in month "
                               "and day-of-week)", n, s);
        const char *const *names = f == F_MONTH ? MONTH_NAMES : DAY_NAMES;
        int count = f == F_MONTH ? 12 : 7;
        for (int i = 0; n == 3 && i < count; i++) {
            if (strncasecmp(s, names[i], 3) == 0) {
                *out = i + (f == F_MONTH ? 1 : 0);
                *p = q;
                return SH_OK;
            }
        }
        return field_error(err, f, "unknown %s name '%.*s'", f == F_MONTH ? "month" : "weekday",
                           n, s);
    }
    return field_error(err, f, "expected a value, got %s", char_desc(*s, cbuf));
}

static sh_status parse_element(int f, const char **p, uint64_t *bits, sh_error *err)
{
    const field_spec *fs = &FIELDS[f];
    int a = 0;
    int b = 0;
    bool single = false;
    sh_status st;

    if (**p == '*') {
        a = fs->lo;
        b = fs->star_hi;
        (*p)++;
    } else {
        const char *a_txt = *p;
        if ((st = parse_value(f, p, &a, err)) != SH_OK)
            return st;
        int a_len = (int)(*p - a_txt);
        b = a;
        single = true;
        if (**p == '-') {
            (*p)++;
            const char *b_txt = *p;
            if (**p == '\0' || **p == ',' || **p == '/')
                return field_error(err, f, "missing end of range '%.*s-'", a_len, a_txt);
            if ((st = parse_value(f, p, &b, err)) != SH_OK)
                return st;
            /* "fri-sun": the name sun ends a range as 7, not 0 */
            if (f == F_DOW && b == 0 && a > 0 && isalpha((unsigned char)*b_txt))
                b = 7;
            if (b < a)
                return field_error(err, f, "range %.*s-%.*s is reversed", a_len, a_txt,
                                   (int)(*p - b_txt), b_txt);
            single = false;
        }
    }

    int step = 1;
    if (**p == '/') {
        (*p)++;
        if (!isdigit((unsigned char)**p))
            return field_error(err, f, "missing step after '/' (step must be > 0)");
        long v = 0;
        for (; isdigit((unsigned char)**p); (*p)++)
            if (v < 100000)
                v = v * 10 + (**p - '0');
        int span = fs->hi - fs->lo + 1;
        if (v == 0)
            return field_error(err, f, "step must be > 0");
        if (v > span)
            return field_error(err, f, "step %ld out of range 1-%d", v, span);
        step = (int)v;
        if (single) /* "a/s": from a to the end of the field, as cronie does */
            b = fs->hi;
    }

    for (int v = a; v <= b; v += step)
        *bits |= UINT64_C(1) << (f == F_DOW && v == 7 ? 0 : v);
    return SH_OK;
}

static sh_status parse_field(int f, const char *text, uint64_t *bits, sh_error *err)
{
    const char *p = text;
    char cbuf[8];

    *bits = 0;
    for (;;) {
        if (*p == ',' || *p == '\0')
            return field_error(err, f, "empty element in list '%s'", text);
        sh_status st = parse_element(f, &p, bits, err);
        if (st != SH_OK)
            return st;
        if (*p == '\0')
            return SH_OK;
        if (*p != ',')
            return field_error(err, f, "unexpected %s in '%s'", char_desc(*p, cbuf), text);
        p++;
    }
}

/* ---- canonical text ---------------------------------------------------- */

typedef struct text_buf {
    char *s;
    size_t cap, len;
} text_buf;

static void tb_add(text_buf *tb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tb_add(text_buf *tb, const char *fmt, ...)
{
    if (tb->len >= tb->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tb->s + tb->len, tb->cap - tb->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        tb->len += (size_t)n;
}

static uint64_t step_mask(int lo, int hi, int step)
{
    uint64_t m = 0;
    for (int v = lo; v <= hi; v += step)
        m |= UINT64_C(1) << v;
    return m;
}

/* Appends the values of bits in [lo, hi] as a sorted list, runs of three or
 * more written as ranges. */
static void tb_add_list(text_buf *tb, uint64_t bits, int lo, int hi, bool first)
{
    for (int v = lo; v <= hi; v++) {
        if (!(bits >> v & 1))
            continue;
        int end = v;
        while (end < hi && (bits >> (end + 1) & 1))
            end++;
        if (end - v >= 2) {
            tb_add(tb, "%s%d-%d", first ? "" : ",", v, end);
        } else {
            for (int w = v; w <= end; w++)
                tb_add(tb, "%s%d", first && w == v ? "" : ",", w);
        }
        first = false;
        v = end;
    }
}

static void format_field(const sh_cron *c, int f, text_buf *tb)
{
    const field_spec *fs = &FIELDS[f];
    uint64_t bits = c->bits[f];
    uint64_t full = step_mask(fs->lo, fs->star_hi, 1);
    bool star_matters = f == F_DOM || f == F_DOW;
    bool star = f == F_DOM ? c->dom_star : f == F_DOW ? c->dow_star : true;
    int span = fs->star_hi - fs->lo + 1;

    if (star_matters && !star) { /* must not start with '*': that would change OR to AND */
        tb_add_list(tb, bits, fs->lo, fs->star_hi, true);
        return;
    }
    if (bits == full) {
        tb_add(tb, "*");
        return;
    }
    /* Smallest step whose '*' pattern the set contains; in the day fields a
     * '*' must lead, so keep the pattern and list what it leaves out. */
    for (int s = 2; s <= span; s++) {
        uint64_t m = step_mask(fs->lo, fs->star_hi, s);
        if (m == bits && (star_matters || s < span)) {
            tb_add(tb, "*/%d", s);
            return;
        }
        if (star_matters && (bits & m) == m) {
            tb_add(tb, "*/%d", s);
            tb_add_list(tb, bits & ~m, fs->lo, fs->star_hi, false);
            return;
        }
    }
    tb_add_list(tb, bits, fs->lo, fs->star_hi, true);
}

/* ---- parse entry point ------------------------------------------------- */

static sh_status expand_macro(const char *expr, const char **out, sh_error *err)
{
    size_t n = strcspn(expr, " \t\r\n\v\f");
    for (size_t i = 0; i < sizeof MACROS / sizeof MACROS[0]; i++) {
        if (strlen(MACROS[i].name) == n && strncasecmp(expr, MACROS[i].name, n) == 0) {
            if (expr[n + strspn(expr + n, " \t\r\n\v\f")] != '\0')
                return sh_error_set(err, SH_ERR_INVALID, "unexpected text after %s",
                                    MACROS[i].name);
            *out = MACROS[i].expansion;
            return SH_OK;
        }
    }
    if (n == 7 && strncasecmp(expr, "@reboot", 7) == 0)
        return sh_error_set(err, SH_ERR_INVALID, "@reboot is not supported");
    return sh_error_set(err, SH_ERR_INVALID,
                        "unknown macro '%.*s' (expected @hourly, @daily, @midnight, @weekly, "
                        "@monthly, @yearly or @annually)",
                        (int)(n > 32 ? 32 : n), expr);
}

sh_status sh_cron_parse(const char *expr, sh_cron **out, sh_error *err)
{
    char buf[CRON_EXPR_MAX + 1];
    char *fields[F_COUNT];
    int nfields = 0;
    sh_cron *c = NULL;
    sh_status st;

    if (out)
        *out = NULL;
    if (!expr || !out)
        return sh_error_set(err, SH_ERR_INVALID, "missing cron expression");
    expr += strspn(expr, " \t\r\n\v\f");
    if (strlen(expr) > CRON_EXPR_MAX)
        return sh_error_set(err, SH_ERR_INVALID, "cron expression longer than %d characters",
                            CRON_EXPR_MAX);
    if (*expr == '\0')
        return sh_error_set(err, SH_ERR_INVALID, "empty cron expression");
    if (*expr == '@' && (st = expand_macro(expr, &expr, err)) != SH_OK)
        return st;

    memcpy(buf, expr, strlen(expr) + 1);
    char *save = NULL;
    for (char *tok = strtok_r(buf, " \t\r\n\v\f", &save); tok;
         tok = strtok_r(NULL, " \t\r\n\v\f", &save)) {
        if (nfields < F_COUNT)
            fields[nfields] = tok;
        nfields++;
    }
    if (nfields != F_COUNT)
        return sh_error_set(err, SH_ERR_INVALID, "expected 5 fields, got %d", nfields);

    c = calloc(1, sizeof *c);
    if (!c)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    for (int f = 0; f < F_COUNT; f++) {
        if ((st = parse_field(f, fields[f], &c->bits[f], err)) != SH_OK)
            goto out;
    }
    /* Vixie cron decides OR vs AND by whether the field starts with '*'. */
    c->dom_star = fields[F_DOM][0] == '*';
    c->dow_star = fields[F_DOW][0] == '*';

    text_buf tb = {c->text, sizeof c->text, 0};
    for (int f = 0; f < F_COUNT; f++) {
        if (f > 0)
            tb_add(&tb, " ");
        format_field(c, f, &tb);
    }
    if (tb.len >= tb.cap) { /* cannot happen with the field sizes above */
        st = sh_error_set(err, SH_ERR_INTERNAL, "canonical cron text too long");
        goto out;
    }
    *out = c;
    c = NULL;
    st = SH_OK;
out:
    free(c);
    return st;
}

void sh_cron_destroy(sh_cron *c)
{
    free(c);
}

const char *sh_cron_normalized(const sh_cron *c)
{
    return c ? c->text : "";
}

/* ---- calendar arithmetic (proleptic Gregorian, H. Hinnant's algorithms) */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

typedef struct civil {
    int64_t y;
    int mo, d, h, mi;
} civil;

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static civil civil_from_secs(int64_t secs)
{
    civil cv;
    int64_t z = floor_div(secs, 86400);
    int64_t rem = secs - z * 86400;
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    cv.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    cv.mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    cv.y = yoe + era * 400 + (cv.mo <= 2);
    cv.h = (int)(rem / 3600);
    cv.mi = (int)(rem % 3600 / 60);
    return cv;
}

static int64_t secs_from_civil(const civil *cv)
{
    return days_from_civil(cv->y, cv->mo, cv->d) * 86400 + (int64_t)cv->h * 3600 + (int64_t)cv->mi * 60;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m];
}

/* ---- next-run search --------------------------------------------------- */

/* Lowest set bit v with from <= v <= hi, or -1. */
static int next_bit(uint64_t bits, int from, int hi)
{
    if (from > hi || from > 63)
        return -1;
    uint64_t m = bits >> from;
    if (!m)
        return -1;
    int v = from + __builtin_ctzll(m);
    return v <= hi ? v : -1;
}

static bool day_matches(const sh_cron *c, int64_t y, int mo, int d)
{
    int64_t days = days_from_civil(y, mo, d);
    int dow = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
    bool dom_ok = c->bits[F_DOM] >> d & 1;
    bool dow_ok = c->bits[F_DOW] >> dow & 1;
    if (c->dom_star || c->dow_star)
        return dom_ok && dow_ok;
    return dom_ok || dow_ok;
}

/* Moves *cv to the first matching civil minute at or after it.  False if
 * that would be after year_limit. */
static bool find_match(const sh_cron *c, civil *cv, int64_t year_limit)
{
    for (;;) {
        if (cv->y > year_limit)
            return false;
        if (!(c->bits[F_MONTH] >> cv->mo & 1) || cv->d > days_in_month(cv->y, cv->mo)) {
            int m = next_bit(c->bits[F_MONTH], cv->mo + 1, 12);
            if (m < 0) {
                cv->y++;
                m = next_bit(c->bits[F_MONTH], 1, 12);
                if (m < 0) /* no month at all: parse never builds that */
                    return false;
            }
            *cv = (civil){cv->y, m, 1, 0, 0};
            continue;
        }
        if (!day_matches(c, cv->y, cv->mo, cv->d)) {
            *cv = (civil){cv->y, cv->mo, cv->d + 1, 0, 0};
            continue;
        }
        int h = next_bit(c->bits[F_HOUR], cv->h, 23);
        if (h < 0) {
            *cv = (civil){cv->y, cv->mo, cv->d + 1, 0, 0};
            continue;
        }
        if (h != cv->h) {
            cv->h = h;
            cv->mi = 0;
        }
        int mi = next_bit(c->bits[F_MINUTE], cv->mi, 59);
        if (mi < 0) {
            cv->h++; /* hour 24 is handled by the next_bit() above */
            cv->mi = 0;
            continue;
        }
        cv->mi = mi;
        return true;
    }
}

static bool gmtoff_at(int64_t t, long *off)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return false;
    *off = tm.tm_gmtoff;
    return true;
}

/* Instant at which local wall-clock time w (seconds, counted as if UTC)
 * should fire: its first occurrence, or for a time skipped by a DST gap
 * the first minute after the gap.  Assumes at most one UTC offset change
 * within a day either side of w, which holds for every real zone. */
static bool wall_to_instant(int64_t w, int64_t *out)
{
    long offs[2];
    bool found = false;
    int64_t best = 0;

    if (!gmtoff_at(w - 86400, &offs[0]) || !gmtoff_at(w + 86400, &offs[1]))
        return false;
    for (int i = 0; i < 2; i++) {
        long o;
        int64_t t = w - offs[i];
        if (gmtoff_at(t, &o) && o == offs[i] && (!found || t < best)) {
            best = t;
            found = true;
        }
    }
    if (found) {
        *out = best;
        return true;
    }
    if (offs[0] == offs[1])
        return false;
    /* In a gap: the offset changes between lo and hi; find where. */
    int64_t lo = w - (offs[0] > offs[1] ? offs[0] : offs[1]);
    int64_t hi = w - (offs[0] < offs[1] ? offs[0] : offs[1]);
    long olo;
    if (!gmtoff_at(lo, &olo))
        return false;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        long om;
        if (!gmtoff_at(mid, &om))
            return false;
        if (om == olo)
            lo = mid;
        else
            hi = mid;
    }
    *out = floor_div(hi + 59, 60) * 60;
    return true;
}

static bool satisfiable(const sh_cron *c)
{
    /* OR semantics: any selected weekday comes round every week.  AND
     * semantics with a '*' day-of-month always includes day 1, and every
     * weekday falls on a 1st of every month sooner or later.  So the only
     * impossible case is a day-of-month no selected month has. */
    if (!c->dom_star && !c->dow_star)
        return true;
    for (int m = 1; m <= 12; m++) {
        int max_day = m == 2 ? 29 : days_in_month(2001, m);
        if ((c->bits[F_MONTH] >> m & 1) && (c->bits[F_DOM] & step_mask(1, max_day, 1)))
            return true;
    }
    return false;
}

sh_status sh_cron_check(const sh_cron *c, sh_error *err)
{
    if (!c)
        return sh_error_set(err, SH_ERR_INVALID, "missing cron expression");
    if (satisfiable(c))
        return SH_OK;
    char days[CRON_TEXT_MAX];
    text_buf tb = {days, sizeof days, 0};
    days[0] = '\0';
    tb_add_list(&tb, c->bits[F_DOM], 1, 31, true);
    return sh_error_set(err, SH_ERR_NOT_FOUND,
                        "cron expression '%s' never matches: no selected month has day %s",
                        c->text, days);
}

sh_status sh_cron_next(const sh_cron *c, int64_t after_s, int use_local_time, int64_t *next_s)
{
    long off = 0;

    if (!c || !next_s || after_s < 0 || after_s > CRON_TIME_MAX)
        return SH_ERR_INVALID;
    if (!satisfiable(c))
        return SH_ERR_NOT_FOUND;
    if (use_local_time) {
        tzset(); /* localtime_r() need not notice a changed TZ by itself */
        if (!gmtoff_at(after_s, &off))
            return SH_ERR_INVALID;
    }
    civil cv = civil_from_secs(floor_div(after_s + off, 60) * 60 + 60);
    int64_t year_limit = cv.y + CRON_SEARCH_YEARS;
    for (;;) {
        if (!find_match(c, &cv, year_limit))
            return SH_ERR_NOT_FOUND;
        int64_t w = secs_from_civil(&cv);
        if (!use_local_time) {
            *next_s = w;
            return SH_OK;
        }
        int64_t t;
        /* Not after after_s: this wall minute already occurred (repeated
         * hour) or folds into a gap end that already fired. */
        if (wall_to_instant(w, &t) && t > after_s) {
            *next_s = t;
            return SH_OK;
        }
        cv.mi++;
    }
}

/* ---- intervals --------------------------------------------------------- */

sh_status sh_interval_parse(const char *text, int64_t *seconds, sh_error *err)
{
    static const char units[] = "dhms";
    static const int64_t mult[] = {86400, 3600, 60, 1};
    int64_t total = 0;
    int last = -1;

    if (!text || !seconds)
        return sh_error_set(err, SH_ERR_INVALID, "missing interval");
    const char *s = text + strspn(text, " \t");
    int len = (int)strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    int show = len > 40 ? 40 : len;
    if (len == 0)
        return sh_error_set(err, SH_ERR_INVALID, "empty interval");

    for (int i = 0; i < len;) {
        if (!isdigit((unsigned char)s[i]))
            return sh_error_set(err, SH_ERR_INVALID,
                                "invalid interval '%.*s': expected a number at '%.*s' "
                                "(use e.g. 90, 30s, 15m, 2h, 1d, 1h30m)",
                                show, s, len - i > 20 ? 20 : len - i, s + i);
        int64_t n = 0;
        int start = i;
        for (; i < len && isdigit((unsigned char)s[i]); i++)
            if (n <= SH_INTERVAL_MAX_S)
                n = n * 10 + (s[i] - '0');
        if (i == len && start == 0) { /* all digits: plain seconds */
            total = n;
            break;
        }
        if (i == len)
            return sh_error_set(err, SH_ERR_INVALID, "invalid interval '%.*s': missing unit after "
                                "'%.*s' (s, m, h or d)", show, s, i - start, s + start);
        const char *u = strchr(units, tolower((unsigned char)s[i]));
        if (!u)
            return sh_error_set(err, SH_ERR_INVALID, "invalid interval '%.*s': unknown unit '%c' "
                                "(s, m, h or d)", show, s, isprint((unsigned char)s[i]) ? s[i] : '?');
        int idx = (int)(u - units);
        if (idx <= last)
            return sh_error_set(err, SH_ERR_INVALID, "invalid interval '%.*s': units must go from "
                                "largest to smallest, each at most once (d, h, m, s)", show, s);
        last = idx;
        i++;
        if (n > SH_INTERVAL_MAX_S || total + n * mult[idx] > SH_INTERVAL_MAX_S) {
            total = SH_INTERVAL_MAX_S + 1;
            break;
        }
        total += n * mult[idx];
    }
    if (total == 0)
        return sh_error_set(err, SH_ERR_INVALID, "interval must be greater than zero");
    if (total < SH_INTERVAL_MIN_S)
        return sh_error_set(err, SH_ERR_INVALID, "interval '%.*s' is shorter than the minimum of "
                            "%d seconds", show, s, SH_INTERVAL_MIN_S);
    if (total > SH_INTERVAL_MAX_S)
        return sh_error_set(err, SH_ERR_INVALID, "interval '%.*s' is longer than the maximum of "
                            "%d days", show, s, (int)(SH_INTERVAL_MAX_S / 86400));
    *seconds = total;
    return SH_OK;
}
