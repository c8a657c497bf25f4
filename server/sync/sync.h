/* sync.h - copying Stash's library into the local cache.
 *
 * Kinds (values match SyncKind in proto/stashhog.proto):
 *  - full: performers, studios, tags, then every scene by keyset paging on
 *    id, one SQLite transaction per page.  Scenes the cache has but Stash
 *    no longer lists are removed page by page (each page proves which ids
 *    exist in its id range).  The keyset cursor is persisted with each page
 *    (sync_state 'scenes_full'), so an interrupted full sync resumes where
 *    the last committed page ended.
 *  - incremental: only what changed since the last complete pass (per kind
 *    watermark = Stash's newest updated_at at the start of that pass, minus
 *    a 2 s margin); deletions detected by comparing Stash's counts with the
 *    cache's, walking ids only when they differ.
 *  - scene: one scene (removed from the cache when Stash no longer has it).
 *  - entities: performers, studios and tags only.
 *
 * Threading: sh_sync_run() runs on the calling thread (a job worker) with
 * that thread's read-write connection.  During the scene pass it starts one
 * fetch thread that downloads page N+1 while the calling thread stores page
 * N (bounded queue of two pages); the Stash client is used by one thread at
 * a time (the fetch thread owns it during the pass).  Each run is recorded
 * in sync_runs. */
#ifndef SH_SYNC_H
#define SH_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "sh-error.h"
#include "stash/stash-client.h"

typedef enum sh_sync_kind {
    SH_SYNC_FULL = 0,
    SH_SYNC_INCREMENTAL = 1,
    SH_SYNC_SCENE = 2,
    SH_SYNC_ENTITIES = 3,
} sh_sync_kind;

/* "full", "incremental", "scene", "entities" (the sync_runs.kind values). */
const char *sh_sync_kind_name(sh_sync_kind kind);

typedef struct sh_sync_counts {
    int64_t scenes_upserted;
    int64_t scenes_deleted;
    int64_t performers; /* upserted + deleted */
    int64_t studios;
    int64_t tags;
    int64_t requests;   /* HTTP requests to Stash, retries included */
} sh_sync_counts;

typedef void (*sh_sync_progress_fn)(void *user, int64_t done, int64_t total, const char *message);

typedef struct sh_sync_options {
    sh_sync_kind kind;
    int64_t scene_id;             /* SH_SYNC_SCENE */
    int64_t job_id;               /* recorded in sync_runs; 0 = none */
    sh_db *db;                    /* the calling thread's read-write connection */
    const sh_stash_config *stash; /* copied; its cancel callback is wrapped */
    int page_size;                /* scenes per request, 1..1000 (0 = 500) */
    int (*cancelled)(void *user); /* polled between pages and during requests */
    void *cancel_user;
    sh_sync_progress_fn progress; /* optional */
    void *progress_user;
} sh_sync_options;

typedef struct sh_sync_result {
    int64_t run_id;
    sh_sync_counts counts;
    bool scene_missing; /* SH_SYNC_SCENE: Stash has no such scene (removed from the cache) */
    char watermark[64];
} sh_sync_result;

/* Run one sync and record it in sync_runs.  Returns SH_ERR_CANCELLED when
 * cancelled; any committed page stays committed. */
sh_status sh_sync_run(const sh_sync_options *opt, sh_sync_result *out, sh_error *err);

/* "2025-06-01T12:00:00+01:00" minus seconds, re-formatted with the same
 * offset.  False (out untouched) when ts is not RFC 3339. */
bool sh_sync_timestamp_minus(const char *ts, int seconds, char *out, size_t len);

/* Register the job types sync_full, sync_incremental, sync_scene and
 * sync_entities (exclusive with each other, resumable). */
typedef struct sh_jobs sh_jobs;
sh_status sh_sync_register_jobs(sh_jobs *jobs, sh_error *err);

#endif
