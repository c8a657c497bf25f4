/* stashhog-chip-diff.h - set difference for performer/tag changes.
 *
 * Given the current and proposed members of a set field, produce one chip per
 * member marked kept, removed or added: current order first (kept/removed),
 * then additions in proposed order.  Members are matched by id, or by
 * case-insensitive name when an id is 0 (entities proposed but not yet in
 * Stash).  Displayless. */
#pragma once

#include <glib.h>

#include "stashhog.pb-c.h"

G_BEGIN_DECLS

typedef enum {
  STASHHOG_CHIP_KEPT,
  STASHHOG_CHIP_ADDED,
  STASHHOG_CHIP_REMOVED,
} StashhogChipState;

typedef struct {
  gint64 id;
  char *name;
  gboolean is_new;
  StashhogChipState state;
} StashhogChip;

/* GPtrArray of StashhogChip*; duplicates in either input are collapsed. */
GPtrArray *stashhog_chip_diff (Stashhog__EntityRef *const *current, gsize n_current,
                               Stashhog__EntityRef *const *proposed, gsize n_proposed);

/* For a plan change: uses current/proposed values when the proposed set is
 * present, otherwise current plus the change's added/removed lists. */
GPtrArray *stashhog_chip_diff_for_change (const Stashhog__Change *change);

G_END_DECLS
