/* an-loader.h - analysis inputs from the local cache: the entity index
 * (studios, performers, tags with aliases, parents and ignore_auto_tag) and
 * scenes as sh_an_scene (fields, files, performer and tag ids).
 *
 * Runs on the caller's connection and thread (a job worker); no state of
 * its own.  Everything a loaded scene set points at belongs to the set. */
#ifndef SH_AN_LOADER_H
#define SH_AN_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "db/db.h"
#include "sh-error.h"
#include "sh-util.h"

/* Builds the index over every cached studio, performer and tag. */
sh_status sh_an_load_index(sh_db *db, sh_an_index **out, sh_error *err);

typedef struct sh_an_scene_set {
    sh_an_scene *scenes; /* in the order of the ids asked for; missing ids skipped */
    size_t n;
    sh_arena *arena; /* owns scenes and everything they point at */
} sh_an_scene_set;

/* Loads the given scenes (call inside a read transaction for a consistent
 * view).  out must be zeroed or fini'd. */
sh_status sh_an_load_scenes(sh_db *db, const int64_t *ids, size_t n, sh_an_scene_set *out, sh_error *err);
void sh_an_scene_set_fini(sh_an_scene_set *set);

#endif
