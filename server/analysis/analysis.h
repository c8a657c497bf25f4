/* analysis.h - heuristic scene analysis: input model, proposals, analyzers.
 *
 * An analyzer looks at one scene (file paths, file data and current metadata)
 * together with the known studios, performers and tags, and proposes changes
 * to fields, each with a confidence in 0..1 and a short human reason.
 *
 * Threading: an sh_an_index and an sh_an_registry are immutable once built,
 * so any number of threads may call sh_an_run() with the same index and
 * registry concurrently without locks.  An sh_an_results belongs to one
 * thread at a time.  Nothing in this module uses globals or logs secrets.
 *
 * Ownership: the index deep-copies the entities given to it; the caller may
 * free its arrays right after sh_an_index_create().  Proposals (and every
 * string and item hanging off them) belong to their sh_an_results and stay
 * valid until it is cleared or destroyed. */
#ifndef SH_ANALYSIS_H
#define SH_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sh-error.h"

/* ------------------------------------------------------------ input model */

/* A studio, performer or tag as known to Stash. */
typedef struct sh_an_entity {
    int64_t id;                 /* > 0 */
    const char *name;           /* required */
    const char *const *aliases; /* may be NULL when n_aliases is 0 */
    size_t n_aliases;
    int64_t parent_id;          /* studios: parent studio id, 0 = none */
    const char *disambiguation; /* performers; may be NULL */
    bool ignore_auto_tag;       /* never proposed from a name match */
} sh_an_entity;

typedef struct sh_an_file {
    const char *path;  /* full path as Stash stores it ('/' or '\\') */
    int64_t size;      /* bytes, 0 = unknown */
    double duration;   /* seconds, 0 = unknown */
    int width, height; /* pixels, 0 = unknown */
    double frame_rate; /* frames per second, 0 = unknown */
} sh_an_file;

/* A scene as currently stored.  NULL or "" means the field is unset.
 * files[0] is the primary file. */
typedef struct sh_an_scene {
    int64_t id;
    const char *title;
    const char *code;
    const char *details;
    const char *date;  /* YYYY-MM-DD */
    int64_t studio_id; /* 0 = none */
    const int64_t *performer_ids;
    size_t n_performer_ids;
    const int64_t *tag_ids;
    size_t n_tag_ids;
    const sh_an_file *files;
    size_t n_files;
    bool organized;
} sh_an_scene;

typedef enum sh_an_kind {
    SH_AN_STUDIO = 0,
    SH_AN_PERFORMER = 1,
    SH_AN_TAG = 2,
    SH_AN_KIND_COUNT_
} sh_an_kind;

/* ---------------------------------------------------------------- output */

typedef enum sh_an_field {
    SH_AN_FIELD_STUDIO = 0,     /* one entity (items[0]) */
    SH_AN_FIELD_PERFORMERS = 1, /* entities to add (items) */
    SH_AN_FIELD_TAGS = 2,       /* entities to add (items) */
    SH_AN_FIELD_TITLE = 3,      /* text */
    SH_AN_FIELD_DATE = 4,       /* text, YYYY-MM-DD */
    SH_AN_FIELD_CODE = 5,       /* text */
    SH_AN_FIELD_DETAILS = 6,    /* text */
    SH_AN_FIELD_COUNT_
} sh_an_field;

#define SH_AN_FIELD_BIT(f) (1u << (unsigned)(f))
#define SH_AN_FIELDS_ALL   ((1u << (unsigned)SH_AN_FIELD_COUNT_) - 1u)

/* Stable lower-case name ("studio", "performers", ...); never NULL. */
const char *sh_an_field_name(sh_an_field field);
/* Parses a field name; returns -1 if unknown. */
int sh_an_field_parse(const char *name);
/* True for fields whose value is entities rather than text. */
bool sh_an_field_is_entity(sh_an_field field);

/* One entity in a proposal: an existing one (entity_id > 0) or, only when
 * the options allow it, a new one to create (is_new, entity_id 0). */
typedef struct sh_an_item {
    int64_t entity_id;
    const char *name; /* the entity's name, or the name proposed for a new one */
    bool is_new;
    double confidence;
    const char *reason;
} sh_an_item;

typedef struct sh_an_proposal {
    sh_an_field field;
    const char *analyzer; /* name of the analyzer that made it */
    const char *text;     /* text fields; NULL for entity fields */
    const sh_an_item *items;
    size_t n_items;
    /* Text fields and studio: the value's own confidence and reason.  Set
     * fields: the lowest item confidence, and the item reasons joined. */
    double confidence;
    const char *reason;
} sh_an_proposal;

typedef struct sh_an_results sh_an_results;

sh_status sh_an_results_create(sh_an_results **out, sh_error *err);
void sh_an_results_destroy(sh_an_results *results);
/* Drops all proposals, keeping the object for the next scene. */
void sh_an_results_clear(sh_an_results *results);
size_t sh_an_results_count(const sh_an_results *results);
const sh_an_proposal *sh_an_results_get(const sh_an_results *results, size_t i);
/* First proposal for a field, or NULL. */
const sh_an_proposal *sh_an_results_find(const sh_an_results *results, sh_an_field field);

/* For analyzers (built-in or plugged in): append a proposal.  Everything is
 * copied.  confidence is clamped to 0..1. */
sh_status sh_an_results_add_text(sh_an_results *results, sh_an_field field, const char *analyzer,
                                 const char *text, double confidence, const char *reason,
                                 sh_error *err);
sh_status sh_an_results_add_items(sh_an_results *results, sh_an_field field, const char *analyzer,
                                  const sh_an_item *items, size_t n_items, sh_error *err);

/* ----------------------------------------------------------------- index */

/* Normalized lookup structures over the known entities, built once. */
typedef struct sh_an_index sh_an_index;

/* Entities with id <= 0 or no name are rejected (SH_ERR_INVALID), as are
 * duplicate ids within one kind. */
sh_status sh_an_index_create(const sh_an_entity *studios, size_t n_studios,
                             const sh_an_entity *performers, size_t n_performers,
                             const sh_an_entity *tags, size_t n_tags, sh_an_index **out,
                             sh_error *err);
void sh_an_index_destroy(sh_an_index *index);

size_t sh_an_index_count(const sh_an_index *index, sh_an_kind kind);
/* The index's copy of an entity, or NULL. */
const sh_an_entity *sh_an_index_get(const sh_an_index *index, sh_an_kind kind, int64_t id);
/* Looks a whole name up by its normalized form (names and aliases, also
 * with spaces removed).  SH_ERR_NOT_FOUND if nothing matches,
 * SH_ERR_CONFLICT if several entities do (then *out is the first). */
sh_status sh_an_index_lookup(const sh_an_index *index, sh_an_kind kind, const char *name,
                             const sh_an_entity **out);
/* True if ancestor_id is a (transitive) parent of studio_id. */
bool sh_an_index_studio_is_ancestor(const sh_an_index *index, int64_t ancestor_id,
                                    int64_t studio_id);

/* ----------------------------------------------------------- normalization */

/* Folds UTF-8 text to the matching form: lower case, diacritics stripped
 * (é→e, ß→ss, Ł→l, æ→ae), CamelCase split, separators and punctuation
 * turned into single spaces, apostrophes dropped.  "BrazzersExxtra" →
 * "brazzers exxtra".  Returns a malloc'd string or NULL on OOM. */
char *sh_an_normalize(const char *text);

/* -------------------------------------------------------------- analyzers */

typedef struct sh_an_options {
    unsigned fields;              /* SH_AN_FIELD_BIT mask; 0 = all */
    bool allow_new_entities;      /* propose names not in Stash, marked is_new */
    bool include_organized;       /* organized scenes are skipped unless set */
    double min_confidence;        /* proposals and items below are dropped */
    const char *const *analyzers; /* names of analyzers to run; NULL = all */
    size_t n_analyzers;
    int64_t now; /* Unix seconds, for "date in the future" checks; 0 = clock */
} sh_an_options;

/* Defaults: all fields, no new entities, organized skipped, min 0.0. */
void sh_an_options_init(sh_an_options *options);

typedef struct sh_an_analyzer sh_an_analyzer;

/* Appends proposals for this scene to out.  Must be thread-safe for
 * concurrent calls (read only self, index and scene). */
typedef sh_status (*sh_an_analyze_fn)(const sh_an_analyzer *self, const sh_an_index *index,
                                      const sh_an_scene *scene, const sh_an_options *options,
                                      sh_an_results *out, sh_error *err);

struct sh_an_analyzer {
    const char *name; /* unique, e.g. "studio" */
    unsigned fields;  /* SH_AN_FIELD_BIT mask of fields it may propose */
    sh_an_analyze_fn analyze;
    void *user_data; /* for plugged-in analyzers; NULL for built-ins */
};

/* Built-in analyzers, in their run order: "studio", "performers", "date",
 * "title", "code", "details", "tech-tags".  Static, never freed. */
const sh_an_analyzer *sh_an_builtin_analyzers(size_t *count);

typedef struct sh_an_registry sh_an_registry;

/* An empty registry; add the built-ins and/or others. */
sh_status sh_an_registry_create(sh_an_registry **out, sh_error *err);
void sh_an_registry_destroy(sh_an_registry *registry);
sh_status sh_an_registry_add_builtins(sh_an_registry *registry, sh_error *err);
/* Copies the struct (the name and user_data must outlive the registry).
 * SH_ERR_CONFLICT if the name is taken. */
sh_status sh_an_registry_add(sh_an_registry *registry, const sh_an_analyzer *analyzer,
                             sh_error *err);
size_t sh_an_registry_count(const sh_an_registry *registry);
const sh_an_analyzer *sh_an_registry_get(const sh_an_registry *registry, size_t i);
const sh_an_analyzer *sh_an_registry_find(const sh_an_registry *registry, const char *name);

/* Runs the enabled analyzers on one scene, appending to results (not
 * cleared first).  Proposals for disabled fields or below min_confidence
 * are dropped.  Fails with SH_ERR_NOT_FOUND for an unknown analyzer name in
 * options, or the first analyzer error (its name prefixed). */
sh_status sh_an_run(const sh_an_registry *registry, const sh_an_index *index,
                    const sh_an_scene *scene, const sh_an_options *options, sh_an_results *results,
                    sh_error *err);

#endif
