/* saved-filters.h - SceneFilters kept by name (table saved_filters), so a
 * filter written once can be reused by browsing, analysis and schedules:
 * SceneFilter.saved names one, and the scene query compiler resolves it
 * when the query runs (a schedule's job sees the filter as it is then).
 *
 * The filter is stored as its protobuf bytes.  A saved filter may not
 * itself refer to a saved filter (no chains, no cycles).  Same threading
 * rule as sh_db: one connection per thread; writes take their own write
 * transaction. */
#ifndef SH_DB_SAVED_FILTERS_H
#define SH_DB_SAVED_FILTERS_H

#include <stdbool.h>

#include "db/db.h"
#include "sh-error.h"
#include "sh-util.h"
#include "stashhog.pb-c.h"

#define SH_SAVED_FILTER_MAX_NAME 64
#define SH_SAVED_FILTER_MAX_EXPRESSION 4096

/* Names: 1..64 bytes of letters, digits, '_', '-', '.'; not starting with '-'. */
sh_status sh_saved_filter_check_name(const char *name, sh_error *err);

/* Store sf (name, filter, expression).  Without replace an existing name is
 * SH_ERR_CONFLICT.  The filter is validated first. */
sh_status sh_saved_filter_save(sh_db *db, const Stashhog__SavedFilter *sf, bool replace, sh_error *err);

/* Everything in *out is allocated from arena.  Unknown name: SH_ERR_NOT_FOUND. */
sh_status sh_saved_filter_get(sh_db *db, sh_arena *arena, const char *name, Stashhog__SavedFilter **out,
                              sh_error *err);
/* All saved filters by name. */
sh_status sh_saved_filter_list(sh_db *db, sh_arena *arena, Stashhog__SavedFilter ***out, size_t *n,
                               sh_error *err);
sh_status sh_saved_filter_delete(sh_db *db, const char *name, sh_error *err);

#endif
