/* fake-stash.h - the project's own fake Stash server, as a library.
 *
 * Two halves:
 *  - fs_library: a deterministic synthetic Stash library (scenes, files,
 *    performers, studios, tags) generated from a seed, plus the "truth"
 *    each scene's file path encodes, so analysis precision/recall can be
 *    measured.  Benchmarks read it directly through the accessors below.
 *  - fs_server: a libmicrohttpd server answering Stash's GraphQL
 *    operations (dispatched on operationName) plus a control API for tests,
 *    with injectable faults.  The `fake-stash` executable is a thin main
 *    around it; tests may also run it in-process.
 *
 * The fake is test code for the outside world, so it does not use the
 * daemon's sh_status: functions return 0 on success and -1 on failure with
 * a message in the caller's buffer. */
#ifndef FAKE_STASH_H
#define FAKE_STASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the library model (read-only for users of the accessors) ---- */

typedef enum fs_kind { FS_PERFORMER = 0, FS_STUDIO = 1, FS_TAG = 2, FS_KIND_COUNT = 3 } fs_kind;

typedef struct fs_idlist {
    int64_t *v;
    size_t n;
} fs_idlist;

typedef struct fs_strlist {
    char **v;
    size_t n;
} fs_strlist;

/* "2025-06-01T12:00:00+01:00": RFC3339, second precision, server offset. */
#define FS_TS_LEN 32

typedef struct fs_file {
    int64_t id;
    char *path;
    char *basename;
    int64_t size;
    double duration;
    int width;
    int height;
    double frame_rate;
    char *video_codec;
} fs_file;

/* What the path of the scene's primary file encodes (0/NULL = nothing). */
typedef struct fs_truth {
    int64_t studio_id;
    fs_idlist performers;
    char *date;  /* YYYY-MM-DD */
    char *title;
    char *code;
} fs_truth;

typedef struct fs_scene {
    int64_t id;
    char *title;   /* never NULL: "" when unset, as Stash returns it */
    char *code;    /* never NULL */
    char *details; /* never NULL */
    char *date;    /* NULL when unset */
    fs_strlist urls;
    bool organized;
    int64_t studio_id; /* 0 = none */
    fs_idlist performers;
    fs_idlist tags;
    fs_file *files;
    size_t n_files;
    char created_at[FS_TS_LEN];
    char updated_at[FS_TS_LEN];
    fs_truth truth;
} fs_scene;

/* Performers, studios and tags share one shape; kind-specific fields are
 * unused (NULL/0) for the other kinds. */
typedef struct fs_entity {
    int64_t id;
    fs_kind kind;
    char *name;
    fs_strlist aliases; /* performer alias_list, studio/tag aliases */
    bool ignore_auto_tag;
    char *disambiguation; /* performer; never NULL for performers */
    char *gender;         /* performer; GenderEnum name or NULL */
    int64_t parent_id;    /* studio; 0 = none */
    char created_at[FS_TS_LEN];
    char updated_at[FS_TS_LEN];
} fs_entity;

typedef struct fs_library fs_library;

typedef struct fs_gen_options {
    uint64_t seed;      /* same seed and size => byte-identical library */
    size_t scenes;      /* default 2000 when 0 */
    int utc_offset_min; /* offset the timestamps are rendered in */
} fs_gen_options;

/* Generate a library. Entity counts scale with the number of scenes. */
int fs_library_generate(const fs_gen_options *opt, fs_library **out, char *err, size_t errlen);
/* An empty library (tests that build their own data through the control API). */
int fs_library_create_empty(int utc_offset_min, fs_library **out);
void fs_library_destroy(fs_library *lib);

/* Accessors (not locked: use before handing the library to a server, or
 * from a benchmark that owns it). Ids are dense from 1; NULL = deleted. */
int64_t fs_library_max_scene_id(const fs_library *lib);
size_t fs_library_scene_count(const fs_library *lib);
const fs_scene *fs_library_scene(const fs_library *lib, int64_t id);
int64_t fs_library_max_entity_id(const fs_library *lib, fs_kind kind);
size_t fs_library_entity_count(const fs_library *lib, fs_kind kind);
const fs_entity *fs_library_entity(const fs_library *lib, fs_kind kind, int64_t id);

/* The whole library as canonical JSON text (sorted keys, compact), the same
 * document GET /__control/state returns. Caller frees. */
char *fs_library_state_json(fs_library *lib);

/* ---- faults ---- */

typedef enum fs_fault_kind {
    FS_FAULT_NONE = 0,
    FS_FAULT_500,
    FS_FAULT_502,
    FS_FAULT_503,
    FS_FAULT_429,      /* with Retry-After: 1 */
    FS_FAULT_TRUNCATE, /* request processed, connection cut mid-body */
    FS_FAULT_GARBAGE,  /* HTTP 200 with a non-JSON body */
    FS_FAULT_KIND_COUNT
} fs_fault_kind;

typedef struct fs_fault_config {
    unsigned page_delay_ms; /* added to each Find* operation */
    unsigned latency_ms;    /* added to every /graphql request */
    double prob[FS_FAULT_KIND_COUNT]; /* per request, indexed by kind */
} fs_fault_config;

/* "500", "502", "503", "429", "truncate", "garbage"; NONE for unknown. */
fs_fault_kind fs_fault_kind_parse(const char *name);
const char *fs_fault_kind_name(fs_fault_kind kind);

/* ---- the server ---- */

typedef struct fs_server fs_server;

typedef struct fs_server_options {
    const char *bind;    /* default "127.0.0.1" */
    uint16_t port;       /* 0 = any free port */
    const char *api_key; /* NULL or "" = no auth */
    uint64_t seed;       /* seeds the fault PRNG */
    bool quiet;          /* no request log on stderr */
    fs_fault_config faults;
} fs_server_options;

/* Start serving lib (ownership moves to the server, also on failure). */
int fs_server_start(fs_library *lib, const fs_server_options *opt, fs_server **out, char *err,
                    size_t errlen);
uint16_t fs_server_port(const fs_server *srv);
/* Stop accepting, finish in-flight requests, free everything. */
void fs_server_stop(fs_server *srv);

#endif
