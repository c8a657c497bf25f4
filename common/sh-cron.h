/* sh-cron.h - cron expressions, next-run computation and --every intervals.
 *
 * A pure module: no global state and no threads.  An sh_cron is immutable
 * once sh_cron_parse() returns it, so one instance may be read by several
 * threads at once.  Local-time computations follow the process's TZ (read
 * through tzset()/localtime_r()); changing TZ while another thread computes
 * is the caller's problem, as with any libc time function.
 *
 * Syntax (Vixie cron): five fields "minute hour day-of-month month
 * day-of-week" with '*', lists "1,2,5", ranges "1-5", steps after '*' or a
 * range ("10-50/10"), "a/s" meaning a to the end of the field (cronie),
 * month names jan..dec, weekday names sun..sat (case-insensitive), 7 as
 * Sunday (also "sun" ending a range: "fri-sun"), and the macros @hourly,
 * @daily, @midnight, @weekly, @monthly, @yearly, @annually.  When both
 * day fields are restricted (neither starts with '*'), a day matches if
 * EITHER matches; otherwise both must match. */
#ifndef SH_CRON_H
#define SH_CRON_H

#include <stdint.h>

#include "sh-error.h"

/* Shortest interval sh_interval_parse() accepts, and the longest. */
#define SH_INTERVAL_MIN_S 60
#define SH_INTERVAL_MAX_S (INT64_C(366) * 86400)

typedef struct sh_cron sh_cron;

/* Parses expr into a new sh_cron owned by the caller.  On a syntax error
 * returns SH_ERR_INVALID with a message naming the field and the problem,
 * e.g. "field 2 (hour): value 24 out of range 0-23".  Expressions that are
 * well formed but never match ("0 0 31 2 *") are accepted; see
 * sh_cron_check(). */
sh_status sh_cron_parse(const char *expr, sh_cron **out, sh_error *err);

void sh_cron_destroy(sh_cron *c);

/* Canonical five-field text (macros expanded, names turned into numbers,
 * lists sorted), suitable for storing; parsing it yields the same schedule.
 * Owned by c. */
const char *sh_cron_normalized(const sh_cron *c);

/* SH_OK if the expression matches at least one date, otherwise
 * SH_ERR_NOT_FOUND with a message ("... never matches: no selected month
 * has day 31").  Callers creating schedules should reject such input. */
sh_status sh_cron_check(const sh_cron *c, sh_error *err);

/* First matching minute strictly after after_s (Unix seconds, 1970..9999),
 * evaluated in UTC, or in local time when use_local_time is non-zero.
 * In local time a slot inside a DST gap runs once at the first instant
 * after the gap, and a wall-clock minute that occurs twice (clocks set back)
 * runs only at its first occurrence.
 * Returns SH_OK, SH_ERR_INVALID (bad arguments), or SH_ERR_NOT_FOUND when
 * the expression never matches. */
sh_status sh_cron_next(const sh_cron *c, int64_t after_s, int use_local_time, int64_t *next_s);

/* Parses an --every value: "90" (plain seconds), "30s", "15m", "2h", "1d",
 * or combinations from the largest unit down ("1h30m", "1d12h").  Units
 * are case-insensitive.  Rejects garbage, zero, values below
 * SH_INTERVAL_MIN_S and above SH_INTERVAL_MAX_S. */
sh_status sh_interval_parse(const char *text, int64_t *seconds, sh_error *err);

#endif
