/* scene-read.h - cached rows as the protobuf messages browsing returns:
 * scene summaries and details, and performer/studio/tag lists with aliases
 * and scene counts.  Every message and string returned hangs off the
 * caller's arena (an RPC call's arena: freed after the reply is packed).
 *
 * Statements are literal SQL cached per connection (sh_db_prepare); call
 * from the thread that owns db, inside a read transaction when several
 * reads must agree. */
#ifndef SH_DB_SCENE_READ_H
#define SH_DB_SCENE_READ_H

#include <stdint.h>

#include "db/db.h"
#include "sh-error.h"
#include "sh-util.h"
#include "stashhog.pb-c.h"

/* Largest page a single reply carries; bigger lists are paged by clients. */
#define SH_BROWSE_MAX_PAGE 5000
#define SH_BROWSE_DEFAULT_PAGE 100

/* SH_ERR_NOT_FOUND when the scene is not cached.  Performers and tags come
 * sorted by name; an entity not (yet) cached has an empty name. */
sh_status sh_scene_read_summary(sh_db *db, sh_arena *arena, int64_t id, Stashhog__SceneSummary **out,
                                sh_error *err);
/* Everything stored about a scene: summary, code, details, urls (in order),
 * files with size/duration/resolution, created_at, synced_at_ms. */
sh_status sh_scene_read_detail(sh_db *db, sh_arena *arena, int64_t id, Stashhog__SceneDetail **out,
                               sh_error *err);

/* One page of performers, studios or tags sorted by name (then id), with
 * the total.  req->query matches a substring of the name or of an alias,
 * case-insensitively for ASCII.  Limit defaults to SH_BROWSE_DEFAULT_PAGE and
 * is capped at SH_BROWSE_MAX_PAGE. */
sh_status sh_entity_read_list(sh_db *db, sh_arena *arena, const Stashhog__EntityListRequest *req,
                              Stashhog__EntityListReply **out, sh_error *err);

#endif
