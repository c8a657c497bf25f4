/* fs-internal.h - shared internals of the fake Stash (not for users).
 *
 * Locking: fs_library.lock is a rwlock. GraphQL queries and control reads
 * take it shared; mutations and control edits take it exclusive. The
 * functions below that take an fs_library expect the caller to hold the
 * lock in the right mode (they never lock themselves), except the fs_ctx
 * entry points (fs_graphql_execute, fs_control_handle) which lock.
 *
 * Memory: the fake is a test fixture, so allocation failure aborts (fs_x*
 * helpers) instead of threading ENOMEM through every path. */
#ifndef FS_INTERNAL_H
#define FS_INTERNAL_H

#include "fake-stash.h"

#include <jansson.h>
#include <pthread.h>

/* Direct-address table: dense ids from 1, slot[id] NULL once deleted. Ids
 * are never reused (Stash tables are AUTOINCREMENT). */
typedef struct fs_table {
    void **slot;
    size_t cap;
    int64_t max_id;
    size_t count;
} fs_table;

struct fs_library {
    pthread_rwlock_t lock;
    fs_table scenes;
    fs_table entities[FS_KIND_COUNT];
    int64_t max_file_id;
    int utc_offset_min;
};

/* ---- fs-store.c: memory, tables, timestamps, lookups ---- */
void *fs_xcalloc(size_t n, size_t size);
void *fs_xrealloc(void *p, size_t size);
char *fs_xstrdup(const char *s);
char *fs_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void fs_table_put(fs_table *t, int64_t id, void *item);
void *fs_table_get(const fs_table *t, int64_t id);
void *fs_table_take(fs_table *t, int64_t id);

void fs_idlist_push(fs_idlist *l, int64_t id);
bool fs_idlist_contains(const fs_idlist *l, int64_t id);
bool fs_idlist_remove(fs_idlist *l, int64_t id);
void fs_idlist_free(fs_idlist *l);
void fs_strlist_push(fs_strlist *l, const char *s);
void fs_strlist_free(fs_strlist *l);

void fs_scene_free(fs_scene *s);
void fs_entity_free(fs_entity *e);
const char *fs_kind_name(fs_kind kind); /* "performer", "studio", "tag" */

/* Render epoch seconds in the library's offset. */
void fs_format_ts(int64_t epoch, int utc_offset_min, char out[FS_TS_LEN]);
void fs_now_ts(const fs_library *lib, char out[FS_TS_LEN]);

/* Entity of kind whose name or any alias equals name (ASCII
 * case-insensitive, like SQLite LIKE), other than exclude_id; or NULL. */
fs_entity *fs_entity_find_name(const fs_library *lib, fs_kind kind, const char *name,
                               int64_t exclude_id);
/* Primary file path of a scene ("" when it has no file). */
const char *fs_scene_path(const fs_scene *s);

/* ---- fs-json.c: model to JSON as Stash renders it ---- */
json_t *fs_scene_json(const fs_scene *s);
json_t *fs_entity_json(const fs_entity *e);
json_t *fs_truth_json(const fs_library *lib);
json_t *fs_state_json(const fs_library *lib);

/* ---- fs-query.c: FindFilterType, filters, sorting, paging ---- */
/* findScenes(filter, scene_filter, ids): the FindScenesResultType object,
 * with scenes reduced to {id} when ids_only; NULL with err on a GraphQL
 * error. */
json_t *fs_query_scenes(const fs_library *lib, json_t *filter, json_t *scene_filter,
                        json_t *ids, bool ids_only, char *err, size_t errlen);
/* findPerformers/findStudios/findTags. */
json_t *fs_query_entities(const fs_library *lib, fs_kind kind, json_t *filter,
                          json_t *entity_filter, json_t *ids, char *err, size_t errlen);

/* ---- fs-multi.c: MultiCriterionInput / HierarchicalMultiCriterionInput ---- */
typedef enum fs_multi_mod {
    FS_MULTI_INCLUDES,
    FS_MULTI_INCLUDES_ALL,
    FS_MULTI_EXCLUDES,
    FS_MULTI_IS_NULL,
    FS_MULTI_NOT_NULL
} fs_multi_mod;

typedef struct fs_multi {
    fs_multi_mod mod;
    int64_t *ids; /* value */
    size_t n;
    int64_t *ex; /* excludes */
    size_t n_ex;
} fs_multi;

/* Criterion `name` from its JSON value; single = the column holds one id
 * (a studio), where INCLUDES_ALL and a sub-level depth are refused. */
int fs_multi_compile(const char *name, json_t *v, bool hierarchical, bool single, fs_multi *m,
                     char *err, size_t errlen);
void fs_multi_free(fs_multi *m);
bool fs_multi_match_list(const fs_multi *m, const fs_idlist *l);
bool fs_multi_match_one(const fs_multi *m, int64_t id); /* id 0 = none */

/* ---- fs-mutate.c: Stash mutation semantics (caller holds the write lock) ---- */
/* Check a SceneUpdateInput (or a control edit when control) without
 * changing anything, so scenesUpdate can be all-or-nothing. */
int fs_scene_patch_check(const fs_library *lib, json_t *input, bool control, char *err,
                         size_t errlen);
/* Apply a checked input: only present keys change, null clears, id lists
 * replace; bumps updated_at (unless a control edit sets it). */
void fs_scene_patch_apply(fs_library *lib, fs_scene *s, json_t *input);
/* Control API: a new scene from {title,..., files:[...], truth:{...}}. */
fs_scene *fs_scene_create(fs_library *lib, json_t *input, char *err, size_t errlen);
int fs_scene_delete(fs_library *lib, int64_t id);
/* performerCreate/studioCreate/tagCreate (and control creates). */
fs_entity *fs_entity_create(fs_library *lib, fs_kind kind, json_t *input, bool control,
                            char *err, size_t errlen);
int fs_entity_edit(fs_library *lib, fs_entity *e, json_t *input, char *err, size_t errlen);
/* Deletes and cascades like Stash's foreign keys (scene links dropped,
 * child studios orphaned) without bumping the scenes' updated_at. */
int fs_entity_delete(fs_library *lib, fs_kind kind, int64_t id);

/* ---- fs-stats.c: request accounting ---- */
typedef struct fs_counter {
    char *name;
    uint64_t n;
} fs_counter;

typedef struct fs_stats {
    pthread_mutex_t mu;
    uint64_t total;        /* /graphql requests */
    uint64_t unauthorized; /* 401 answers */
    uint64_t faults;       /* injected faults */
    fs_counter *ops;       /* per operationName */
    size_t n_ops;
    fs_counter *mutations; /* per mutation field, plus "scenes_updated" */
    size_t n_mutations;
} fs_stats;

void fs_stats_init(fs_stats *st);
void fs_stats_fini(fs_stats *st);
void fs_stats_reset(fs_stats *st);
void fs_stats_request(fs_stats *st, const char *op);
void fs_stats_mutation(fs_stats *st, const char *name, uint64_t n);
void fs_stats_unauthorized(fs_stats *st);
void fs_stats_fault(fs_stats *st);
json_t *fs_stats_json(fs_stats *st);

/* ---- fs-faults.c: fault injection with a deterministic PRNG ---- */
typedef struct fs_faults {
    pthread_mutex_t mu;
    fs_fault_config cfg;
    uint64_t rng;
    fs_fault_kind next_kind; /* "fail the next N requests with X" */
    unsigned next_count;
    char *next_op; /* only requests of this operation count; NULL = any */
} fs_faults;

void fs_faults_init(fs_faults *f, const fs_fault_config *cfg, uint64_t seed);
void fs_faults_fini(fs_faults *f);
/* Decide the fault for one /graphql request of operation op. */
fs_fault_kind fs_faults_pick(fs_faults *f, const char *op);
void fs_faults_delays(fs_faults *f, unsigned *latency_ms, unsigned *page_delay_ms);
int fs_faults_update(fs_faults *f, json_t *doc, char *err, size_t errlen);
json_t *fs_faults_json(fs_faults *f);

/* deterministic PRNG shared by the generator and the faults */
uint64_t fs_rand_next(uint64_t *state);
double fs_rand_unit(uint64_t *state);

/* ---- the request context shared by the server's handlers ---- */
typedef struct fs_ctx {
    fs_library *lib;
    fs_stats stats;
    fs_faults faults;
} fs_ctx;

/* fs-graphql.c: run one operation; returns the response document. */
json_t *fs_graphql_execute(fs_ctx *ctx, const char *op, json_t *variables);
bool fs_graphql_is_find(const char *op);

/* fs-control.c: route /__control/...; sets *status and returns the body. */
json_t *fs_control_handle(fs_ctx *ctx, const char *method, const char *path, json_t *body,
                          int *status);

/* fs-generate-names.c: word pools for the generator */
typedef struct fs_pool {
    const char *const *v;
    size_t n;
} fs_pool;

extern const fs_pool fs_first_names, fs_last_names, fs_single_names, fs_studio_first,
    fs_studio_second, fs_title_words_a, fs_title_words_b, fs_tag_names, fs_codecs;

#endif
