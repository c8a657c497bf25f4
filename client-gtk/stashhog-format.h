/* stashhog-format.h - protobuf values to display strings.
 *
 * Pure functions shared by the models and widgets (displayless, tested):
 * entity lists, durations, sizes, rates, ETAs, timestamps, status names. */
#pragma once

#include <glib.h>

#include "stashhog.pb-c.h"

G_BEGIN_DECLS

/* "A, B, C"; "" for none. */
char *stashhog_format_entity_names (Stashhog__EntityRef *const *refs, gsize n);
/* Join a protobuf-c repeated string (counted, not NULL-terminated). */
char *stashhog_format_join (char *const *strings, gsize n, const char *separator);
/* "1:02:03" or "4:05"; "" for <= 0. */
char *stashhog_format_duration (double seconds);
/* "1.2 GB"; "" for < 0. */
char *stashhog_format_size (gint64 bytes);
/* "42/s", "3.5/s"; "" when <= 0. */
char *stashhog_format_rate (double per_second);
/* "45 s", "3 min 20 s", "2 h 05 min"; "" when < 0. */
char *stashhog_format_eta (gint64 seconds);
/* Local time "2026-01-31 14:05"; "" for 0. */
char *stashhog_format_time_ms (gint64 unix_ms);
/* "1,234 / 5,000 · 42/s · ETA 2 min 00 s" (the parts that are known). */
char *stashhog_format_progress (gint64 done, gint64 total, double rate, gint64 eta_s);
/* Fraction 0..1 for a progress bar; -1 when the total is unknown. */
double stashhog_format_fraction (gint64 done, gint64 total);

const char *stashhog_format_job_status (Stashhog__JobStatus status);
const char *stashhog_format_plan_status (Stashhog__PlanStatus status);
const char *stashhog_format_change_status (Stashhog__ChangeStatus status);
/* "title" -> "Title", "performers" -> "Performers", unknown names unchanged. */
const char *stashhog_format_field_label (const char *field);
/* Field kind of a change: text (word diff), set (chips) or single (old -> new). */
typedef enum {
  STASHHOG_FIELD_TEXT,
  STASHHOG_FIELD_SET,
  STASHHOG_FIELD_SINGLE,
} StashhogFieldKind;
StashhogFieldKind stashhog_format_field_kind (const char *field);
/* A single value for display: text, entity name, or "—" when null/absent. */
char *stashhog_format_field_value (const Stashhog__FieldValue *value);
/* "87 %" */
char *stashhog_format_confidence (double confidence);

G_END_DECLS
