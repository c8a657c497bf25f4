/* scene-record.h - a SceneRecord (proto/stashhog_library.proto): everything
 * the cache holds about one scene, flat.  It is the unit of `export scenes`
 * (read here, paged by SceneList with full set) and of `import scenes`
 * (checked here, turned into the SceneData JSON scene-store writes).
 *
 * Pure functions over the caller's connection and arena; no threads. */
#ifndef SH_DB_SCENE_RECORD_H
#define SH_DB_SCENE_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "sh-error.h"
#include "sh-util.h"
#include "stashhog.pb-c.h"

/* Import limits (bytes, entries): far above what Stash holds, low enough
 * that a hostile file cannot bloat the cache. */
#define SH_RECORD_MAX_TEXT 4096     /* title, code, names, paths */
#define SH_RECORD_MAX_DETAILS 65536 /* details */
#define SH_RECORD_MAX_URL 8192
#define SH_RECORD_MAX_STAMP 64 /* created_at, updated_at, date */
#define SH_RECORD_MAX_LIST 1000 /* performers, tags, urls, files */

/* Largest page of records one SceneList reply carries. */
#define SH_RECORD_MAX_PAGE 1000

/* The cached scene as a record, hanging off arena: summary fields as
 * browsing shows them (performers and tags sorted by name, an entity not
 * cached has an empty name), files in order with every column, urls in
 * order, synced_at_ms set.  SH_ERR_NOT_FOUND when the scene is not cached. */
sh_status sh_scene_record_read(sh_db *db, sh_arena *arena, int64_t id, Stashhog__SceneRecord **out,
                               sh_error *err);

/* Checks every field of r (ids, lengths, dates, numbers, list sizes).  With
 * full, r claims to be a whole record, so path must be files[0].path (or
 * empty without files).  On failure returns SH_ERR_INVALID with the field's
 * path in field ("date", "files[1].size") and the problem in err
 * ("'2020-13' is not YYYY-MM-DD"), so callers can say where the row is. */
sh_status sh_scene_record_check(const Stashhog__SceneRecord *r, bool full, char *field, size_t field_len,
                                sh_error *err);

/* The Stash SceneData-shaped JSON sh_store_upsert_scene takes (new
 * reference; NULL on OOM).  A file with id 0 gets its id from the cache. */
json_t *sh_scene_record_to_data(const Stashhog__SceneRecord *r);

/* YYYY-MM-DD with a real month and day, or empty. */
bool sh_scene_record_valid_date(const char *d);

#endif
