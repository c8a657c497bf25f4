#include "stashhog-format.h"

#include <math.h>
#include <string.h>

char *
stashhog_format_entity_names (Stashhog__EntityRef *const *refs, gsize n)
{
  GString *s = g_string_new (NULL);
  for (gsize i = 0; i < n; i++)
    {
      if (!refs[i] || !refs[i]->name)
        continue;
      if (s->len)
        g_string_append (s, ", ");
      g_string_append (s, refs[i]->name);
    }
  return g_string_free (s, FALSE);
}

char *
stashhog_format_join (char *const *strings, gsize n, const char *separator)
{
  GString *s = g_string_new (NULL);
  for (gsize i = 0; i < n; i++)
    {
      if (!strings[i])
        continue;
      if (s->len)
        g_string_append (s, separator);
      g_string_append (s, strings[i]);
    }
  return g_string_free (s, FALSE);
}

char *
stashhog_format_duration (double seconds)
{
  if (!(seconds > 0) || !isfinite (seconds))
    return g_strdup ("");
  gint64 t = (gint64) llround (seconds);
  if (t >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", t / 3600, (int) (t / 60 % 60), (int) (t % 60));
  return g_strdup_printf ("%d:%02d", (int) (t / 60), (int) (t % 60));
}

char *
stashhog_format_size (gint64 bytes)
{
  if (bytes < 0)
    return g_strdup ("");
  return g_format_size ((guint64) bytes);
}

char *
stashhog_format_rate (double per_second)
{
  if (!(per_second > 0) || !isfinite (per_second))
    return g_strdup ("");
  if (per_second >= 10)
    return g_strdup_printf ("%.0f/s", per_second);
  return g_strdup_printf ("%.1f/s", per_second);
}

char *
stashhog_format_eta (gint64 s)
{
  if (s < 0)
    return g_strdup ("");
  if (s < 60)
    return g_strdup_printf ("%d s", (int) s);
  if (s < 3600)
    return g_strdup_printf ("%d min %02d s", (int) (s / 60), (int) (s % 60));
  return g_strdup_printf ("%" G_GINT64_FORMAT " h %02d min", s / 3600, (int) (s / 60 % 60));
}

char *
stashhog_format_time_ms (gint64 unix_ms)
{
  if (unix_ms <= 0)
    return g_strdup ("");
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_ms / 1000);
  if (!utc)
    return g_strdup ("");
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* 1234567 -> "1,234,567": independent of locale so tests are stable. */
static void
append_count (GString *s, gint64 v)
{
  char digits[32];
  g_snprintf (digits, sizeof digits, "%" G_GINT64_FORMAT, v < 0 ? -v : v);
  if (v < 0)
    g_string_append_c (s, '-');
  gsize len = strlen (digits);
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
}

char *
stashhog_format_progress (gint64 done, gint64 total, double rate, gint64 eta_s)
{
  GString *s = g_string_new (NULL);
  append_count (s, done);
  if (total > 0)
    {
      g_string_append (s, " / ");
      append_count (s, total);
    }
  g_autofree char *r = stashhog_format_rate (rate);
  if (*r)
    g_string_append_printf (s, " · %s", r);
  if (eta_s > 0)
    {
      g_autofree char *e = stashhog_format_eta (eta_s);
      g_string_append_printf (s, " · ETA %s", e);
    }
  return g_string_free (s, FALSE);
}

double
stashhog_format_fraction (gint64 done, gint64 total)
{
  if (total <= 0)
    return -1;
  if (done <= 0)
    return 0;
  return done >= total ? 1.0 : (double) done / (double) total;
}

const char *
stashhog_format_job_status (Stashhog__JobStatus status)
{
  switch (status)
    {
    case STASHHOG__JOB_STATUS__JOB_STATUS_QUEUED: return "Queued";
    case STASHHOG__JOB_STATUS__JOB_STATUS_RUNNING: return "Running";
    case STASHHOG__JOB_STATUS__JOB_STATUS_COMPLETED: return "Completed";
    case STASHHOG__JOB_STATUS__JOB_STATUS_FAILED: return "Failed";
    case STASHHOG__JOB_STATUS__JOB_STATUS_CANCELLED: return "Cancelled";
    default: return "Unknown";
    }
}

const char *
stashhog_format_plan_status (Stashhog__PlanStatus status)
{
  switch (status)
    {
    case STASHHOG__PLAN_STATUS__PLAN_DRAFT: return "Draft";
    case STASHHOG__PLAN_STATUS__PLAN_REVIEWING: return "Reviewing";
    case STASHHOG__PLAN_STATUS__PLAN_APPLYING: return "Applying";
    case STASHHOG__PLAN_STATUS__PLAN_APPLIED: return "Applied";
    case STASHHOG__PLAN_STATUS__PLAN_PARTIALLY_APPLIED: return "Partially applied";
    case STASHHOG__PLAN_STATUS__PLAN_ROLLED_BACK: return "Rolled back";
    case STASHHOG__PLAN_STATUS__PLAN_FAILED: return "Failed";
    default: return "Unknown";
    }
}

const char *
stashhog_format_change_status (Stashhog__ChangeStatus status)
{
  switch (status)
    {
    case STASHHOG__CHANGE_STATUS__CHANGE_PENDING: return "Pending";
    case STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED: return "Accepted";
    case STASHHOG__CHANGE_STATUS__CHANGE_REJECTED: return "Rejected";
    case STASHHOG__CHANGE_STATUS__CHANGE_APPLIED: return "Applied";
    case STASHHOG__CHANGE_STATUS__CHANGE_FAILED: return "Failed";
    case STASHHOG__CHANGE_STATUS__CHANGE_CONFLICT: return "Conflict";
    case STASHHOG__CHANGE_STATUS__CHANGE_ROLLED_BACK: return "Rolled back";
    default: return "Unknown";
    }
}

static const struct
{
  const char *field, *label;
  StashhogFieldKind kind;
} fields[] = {
  { "title", "Title", STASHHOG_FIELD_TEXT },
  { "details", "Details", STASHHOG_FIELD_TEXT },
  { "code", "Studio code", STASHHOG_FIELD_TEXT },
  { "date", "Date", STASHHOG_FIELD_SINGLE },
  { "studio", "Studio", STASHHOG_FIELD_SINGLE },
  { "performers", "Performers", STASHHOG_FIELD_SET },
  { "tags", "Tags", STASHHOG_FIELD_SET },
  { "urls", "URLs", STASHHOG_FIELD_SET },
};

const char *
stashhog_format_field_label (const char *field)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_strcmp0 (fields[i].field, field) == 0)
      return fields[i].label;
  return field ? field : "";
}

StashhogFieldKind
stashhog_format_field_kind (const char *field)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_strcmp0 (fields[i].field, field) == 0)
      return fields[i].kind;
  return STASHHOG_FIELD_SINGLE;
}

char *
stashhog_format_field_value (const Stashhog__FieldValue *v)
{
  if (!v || (v->has_is_null && v->is_null))
    return g_strdup ("—");
  if (v->entity && v->entity->name)
    return g_strdup (v->entity->name);
  if (v->n_entities > 0)
    return stashhog_format_entity_names (v->entities, v->n_entities);
  if (v->text && *v->text)
    return g_strdup (v->text);
  return g_strdup ("—");
}

char *
stashhog_format_confidence (double confidence)
{
  if (!isfinite (confidence) || confidence < 0)
    return g_strdup ("");
  return g_strdup_printf ("%d %%", (int) lround (CLAMP (confidence, 0.0, 1.0) * 100));
}
