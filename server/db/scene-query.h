/* scene-query.h - the one SceneFilter -> SQL compiler: browsing, analysis and
 * schedules all select scenes with it, so a filter means the same thing
 * everywhere.
 *
 * The SQL text is assembled only from fixed fragments chosen by which filter
 * members are present; every user value (ids, dates, the path substring, the
 * full-text expression) is a bound parameter.  Free text becomes an FTS5
 * expression of quoted prefix tokens ("tok"*), so FTS syntax in user input
 * is inert.  Id lists travel as one bound JSON array read with json_each().
 *
 * Performance shape (100k scenes): the page query selects ids only, so it
 * can be answered from covering indexes (scenes_ids, scenes_studio_organized,
 * scenes_date, ...) and never touches wide scene rows it skips; callers read
 * the rows they return.  When the filter is made only of id sets
 * (performer, tag, full text) one set stands in for the scenes table: the
 * count counts its join rows / FTS rowids directly, and an id-sorted page
 * walks it in index order and stops after the page.  That relies on every
 * such row belonging to a cached scene: foreign keys with cascade, and the
 * store keeps scene_fts in step.  Weak conditions (organized, "missing")
 * are kept from leading the plan when a selective filter is present.
 * When an id set meets a studio or date condition, the query first sizes
 * both with bounded counts and writes the SQL so the smaller one leads
 * (SQLite itself guesses ~25 rows for any IN list and always led with the
 * set); the others become primary-key probes.
 *
 * Not thread-safe beyond sh_db's rule: one connection per thread.  Run count
 * and page inside one read transaction (sh_db_read_begin) to get a
 * consistent total. */
#ifndef SH_DB_SCENE_QUERY_H
#define SH_DB_SCENE_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "sh-error.h"
#include "stashhog.pb-c.h"

/* Bounds that keep compiled SQL small; larger filters are SH_ERR_INVALID. */
#define SH_SCENE_QUERY_MAX_INCLUDE 32     /* performer_ids, tag_ids: one fragment each */
#define SH_SCENE_QUERY_MAX_IDS 100000     /* scene_ids, studio ids, excludes */
#define SH_SCENE_QUERY_MAX_TEXT 1024      /* query, path_contains (bytes) */

typedef struct sh_scene_order {
    Stashhog__SceneSort sort; /* SCENE_SORT_ID by default (zero) */
    bool descending;          /* the id tiebreak follows the same direction */
} sh_scene_order;

/* Check a filter without touching the database: list sizes, date syntax
 * (YYYY, YYYY-MM or YYYY-MM-DD), enum values.  NULL is the empty filter. */
sh_status sh_scene_filter_validate(const Stashhog__SceneFilter *filter, sh_error *err);

/* Number of scenes matching filter (NULL = all scenes). */
sh_status sh_scene_query_count(sh_db *db, const Stashhog__SceneFilter *filter, int64_t *total,
                               sh_error *err);

/* Iterator over the ids of matching scenes in order, skipping offset and
 * returning at most limit ids (limit < 0: all).  Holds a statement on db:
 * close it before committing or ending the read transaction. */
typedef struct sh_scene_cursor sh_scene_cursor;

sh_status sh_scene_cursor_open(sh_db *db, const Stashhog__SceneFilter *filter,
                               const sh_scene_order *order, int64_t offset, int64_t limit,
                               sh_scene_cursor **out, sh_error *err);
/* 1: *id is the next id; 0: no more; -1: error (err set). */
int sh_scene_cursor_next(sh_scene_cursor *cur, int64_t *id, sh_error *err);
void sh_scene_cursor_close(sh_scene_cursor *cur);

/* Callback form of the cursor: fn is called for each id; a non-OK return
 * stops the walk and is returned (SH_ERR_CANCELLED to stop early). */
typedef sh_status (*sh_scene_id_fn)(void *user, int64_t id, sh_error *err);
sh_status sh_scene_query_ids(sh_db *db, const Stashhog__SceneFilter *filter,
                             const sh_scene_order *order, int64_t offset, int64_t limit,
                             sh_scene_id_fn fn, void *user, sh_error *err);

/* The full-text expression built for a free-text query: each whitespace
 * separated token that has a letter or digit becomes "token"* (inner quotes
 * doubled), joined by spaces (all must match).  NULL in *out when the text
 * has no searchable token.  Caller frees. */
sh_status sh_scene_fts_expression(const char *text, char **out, sh_error *err);

/* For tests and debugging: the SQL of the page (count = false) or count
 * query, and SQLite's EXPLAIN QUERY PLAN for it as "detail" lines joined by
 * '\n'.  Caller frees both (either pointer may be NULL if not wanted). */
sh_status sh_scene_query_explain(sh_db *db, const Stashhog__SceneFilter *filter,
                                 const sh_scene_order *order, bool count, char **sql, char **plan,
                                 sh_error *err);

#endif
