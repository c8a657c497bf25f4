/* plan-values.h - private to plans/: the JSON forms of field values.
 *
 * Stored forms (plan_changes.current_value / proposed_value):
 *   title, code, details, date: a string, or null for unset
 *   studio:             {"id": 5, "name": "X"} (plus "new": true for a
 *                       studio to create, id 0), or null
 *   performers, tags:   current = [{"id","name"}...]; proposed =
 *                       {"add": [{"id","name"[,"new"]}...], "remove": [...]}
 *
 * Normalized forms ("norms") compare a plan's values with what Stash
 * returns (SceneData) and with what apply wrote: text fields are strings
 * ("" when unset, as Stash returns them), date and studio are a string /
 * integer id or null, performer and tag sets are sorted arrays of integer
 * ids, organized is a boolean.  Norms are keyed by the SceneUpdateInput key
 * ("title", "studio_id", "performer_ids", "tag_ids", "organized", ...).
 *
 * Pure functions over jansson values; no I/O, safe from any thread. */
#ifndef SH_PLAN_VALUES_H
#define SH_PLAN_VALUES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sh-error.h"
#include "sh-util.h"
#include "stashhog.pb-c.h"

typedef enum sh_pv_kind { SH_PV_TEXT = 0, SH_PV_DATE, SH_PV_STUDIO, SH_PV_SET, SH_PV_BOOL } sh_pv_kind;

/* Kind of a plan field name; -1 if unknown. */
int sh_pv_field_kind(const char *field);
/* SceneUpdateInput key of a plan field ("studio" -> "studio_id"); NULL if unknown. */
const char *sh_pv_input_key(const char *field);
/* Kind of a SceneUpdateInput key (also "organized"); -1 if unknown. */
int sh_pv_key_kind(const char *key);

/* {"id": id, "name": name} (+ "new": true). New reference. */
json_t *sh_pv_entity(int64_t id, const char *name, bool is_new);

/* The norm of a stored plan value (current or proposed text/studio). */
json_t *sh_pv_norm_plan(const char *field, const json_t *value);
/* The norm of one SceneUpdateInput key read from a Stash scene (SceneData). */
json_t *sh_pv_norm_scene(const json_t *scene, const char *key);
/* Sorted id array: base ids plus diff.add minus diff.remove.  SH_ERR_INVALID
 * when an added member has no id yet (a new entity not created). */
sh_status sh_pv_set_apply(const json_t *base_norm, const json_t *diff, json_t **out, sh_error *err);
/* The SceneUpdateInput value for a norm (ids as strings, unset date/studio
 * as explicit null). */
json_t *sh_pv_input_value(const char *key, const json_t *norm);
/* The SceneUpdateInput value that puts back one key of a stored scene
 * exactly (member lists keep the scene's own order). */
json_t *sh_pv_input_from_scene(const json_t *scene, const char *key);
/* Equality of norms (null-safe). */
bool sh_pv_norm_equal(const json_t *a, const json_t *b);

/* Set fields: the member list after the diff (for display), and the diff's
 * added/removed members as EntityRefs. */
sh_status sh_pv_to_field_value(sh_arena *arena, const char *field, const json_t *value, bool proposed,
                               const json_t *current, Stashhog__FieldValue **out, sh_error *err);
sh_status sh_pv_refs(sh_arena *arena, const json_t *list, Stashhog__EntityRef ***out, size_t *n,
                     sh_error *err);

/* A short human rendering of a stored value for CSV export ("a; b", "+a -b"). */
char *sh_pv_render(const char *field, const json_t *value, bool proposed);

#endif
