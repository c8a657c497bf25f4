/* scene-import.h - rows of `stashhogctl export scenes` back into the scene
 * cache, through scene-store so joins and full-text rows stay right.  The
 * formats are described in docs/FORMATS.md.
 *
 * Current exports hold whole SceneRecords (JSON rows with "files", CSV with
 * a files column): a row replaces the cached scene entirely, and the
 * studios, performers and tags it names (id and name) are created as cache
 * rows when missing.  Summary rows (exports of earlier versions, or JSON
 * rows without "files") set only the summary fields and leave every other
 * cached field as it was; old CSV names its entities, which are looked up
 * by name (unknown ones are warnings, the link is left out).  Every field is
 * checked (scene-record.h) and errors name the row (JSON index or CSV line)
 * and the field.  One call is one write transaction: a malformed row
 * imports nothing.  Runs on the caller's connection; no threads of its own. */
#ifndef SH_DB_SCENE_IMPORT_H
#define SH_DB_SCENE_IMPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "db/scene-store.h"
#include "sh-error.h"

#define SH_SCENE_IMPORT_MAX_ROWS 5000
#define SH_IMPORT_MAX_WARNINGS 50

typedef enum sh_import_format {
    SH_IMPORT_DETECT = -1,
    SH_IMPORT_JSON = 0, /* values match Stashhog__ExportFormat */
    SH_IMPORT_CSV = 1,
} sh_import_format;

/* JSON when the first non-blank byte is '[' or '{', else CSV. */
sh_import_format sh_import_detect(const char *content, size_t len);

typedef struct sh_scene_import_result {
    int64_t scenes;
    int64_t entities_created;
    json_t *warnings; /* array of strings (at most SH_IMPORT_MAX_WARNINGS); owned */
} sh_scene_import_result;

/* Imports content (not NUL-terminated) in one write transaction.  res is
 * filled on SH_OK; release it with sh_scene_import_result_fini either way. */
sh_status sh_scene_import(sh_db *db, const char *content, size_t len, sh_import_format format,
                          sh_scene_import_result *res, sh_error *err);
void sh_scene_import_result_fini(sh_scene_import_result *res);

/* Cache lookups shared with plan import (inside the caller's transaction).
 * By name: exact match first, then case-insensitive, then an alias; *id is
 * 0 when unknown. */
sh_status sh_import_entity_by_name(sh_db *db, sh_store_kind kind, const char *name, int64_t *id,
                                   sh_error *err);
sh_status sh_import_entity_exists(sh_db *db, sh_store_kind kind, int64_t id, bool *exists, sh_error *err);
sh_status sh_import_scene_exists(sh_db *db, int64_t id, bool *exists, sh_error *err);

/* Put a JSON path in front of an sh_pb_from_json error: "changes[1]" +
 * "confidence: expected a number" -> "changes[1].confidence: expected ...". */
sh_status sh_import_path_error(sh_error *err, const char *where);

/* Undo the export's spreadsheet guard: "'=x" -> "=x" (also + - @ tab CR). */
const char *sh_import_unguard(const char *cell);

#endif
