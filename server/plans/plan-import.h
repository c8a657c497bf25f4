/* plan-import.h - a new draft plan from a file `plans export` wrote: the
 * JSON document ({"plan": PlanSummary, "changes": [Change...]}) or the CSV
 * (one row per change; set values as names, "a; b" and "+a -b").
 *
 * Everything is checked before anything is written: fields known, values of
 * the field's shape, proposed entities either in the cache or marked new
 * with a name, scenes in the cache (missing ones refused, or dropped with
 * skip_missing).  Errors name the JSON path or the CSV line.  Change
 * statuses restart at pending except rejected ones; confidence, analyzer,
 * reason and the exported `current` values are kept, so apply's conflict
 * check compares Stash with what the exporter saw.  Runs on the caller's
 * connection in one write transaction; no threads of its own. */
#ifndef SH_PLAN_IMPORT_H
#define SH_PLAN_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "db/scene-import.h"
#include "services.h"
#include "sh-error.h"

#define SH_PLAN_IMPORT_MAX_CHANGES 100000
#define SH_PLAN_IMPORT_MAX_NAME 200

typedef struct sh_plan_import_opts {
    const char *name;        /* NULL: the exported name + " (imported)" */
    sh_import_format format; /* SH_IMPORT_DETECT: from the content */
    bool skip_missing;       /* drop changes of scenes the cache lacks */
} sh_plan_import_opts;

/* content need not be NUL-terminated.  *skipped counts changes dropped by
 * skip_missing.  Publishes plan.changed ("imported") when svc is given. */
sh_status sh_plan_import(sh_db *db, sh_services *svc, const char *content, size_t len,
                         const sh_plan_import_opts *opts, int64_t *plan_id, int64_t *skipped, sh_error *err);

#endif
