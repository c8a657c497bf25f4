/* scene-store.h - writes what Stash returned into the cache: scenes with
 * their urls, files, performer/tag joins and full-text row, and performers,
 * studios and tags with their aliases.
 *
 * Input is Stash's JSON as the operations in server/stash/graphql return it
 * (fragments SceneData, PerformerData, StudioData, TagData).  Every function
 * must run inside a write transaction the caller opened (sh_db_write_begin),
 * so that one page of a sync is one transaction and an interrupted sync
 * leaves the cache consistent.  scene_fts (rowid = scene id) is kept in step
 * in the same transaction, including when an entity is renamed or deleted. */
#ifndef SH_DB_SCENE_STORE_H
#define SH_DB_SCENE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "sh-error.h"

typedef enum sh_store_kind {
    SH_STORE_PERFORMER = 0,
    SH_STORE_STUDIO = 1,
    SH_STORE_TAG = 2,
    SH_STORE_KIND_COUNT
} sh_store_kind;

/* "performers", "studios", "tags". */
const char *sh_store_kind_name(sh_store_kind kind);

/* Stash ids are strings in JSON ("123"); 0 when missing or malformed. */
int64_t sh_store_json_id(const json_t *v);

/* Insert or replace a scene (SceneData).  With skip_unchanged, a scene whose
 * cached stash updated_at equals the incoming one is left alone and
 * *written is false. */
sh_status sh_store_upsert_scene(sh_db *db, const json_t *scene, int64_t synced_at,
                                bool skip_unchanged, bool *written, sh_error *err);
/* Remove one scene (and its rows); *deleted tells whether it was cached. */
sh_status sh_store_delete_scene(sh_db *db, int64_t id, bool *deleted, sh_error *err);
/* Remove every cached scene with after_id < id <= upto_id that is not in
 * keep (ids sorted ascending): the scenes Stash no longer has in a range it
 * just listed completely.  Adds the number removed to *deleted. */
sh_status sh_store_delete_scenes_missing(sh_db *db, int64_t after_id, int64_t upto_id,
                                         const int64_t *keep, size_t n_keep, int64_t *deleted,
                                         sh_error *err);

/* Insert or replace an entity (PerformerData / StudioData / TagData).  A
 * rename refreshes the full-text rows of the scenes that reference it. */
sh_status sh_store_upsert_entity(sh_db *db, sh_store_kind kind, const json_t *entity,
                                 int64_t synced_at, sh_error *err);
/* True when the cache holds the entity with the same stash updated_at. */
sh_status sh_store_entity_unchanged(sh_db *db, sh_store_kind kind, const json_t *entity, bool *same,
                                    sh_error *err);
/* Remove an entity, its aliases and its scene links (scene_fts refreshed). */
sh_status sh_store_delete_entity(sh_db *db, sh_store_kind kind, int64_t id, sh_error *err);

/* Rebuild the full-text row of one scene from the cached tables. */
sh_status sh_store_reindex_scene(sh_db *db, int64_t scene_id, sh_error *err);

#endif
