/* sync-internal.h - shared by the files of the sync module only. */
#ifndef SH_SYNC_INTERNAL_H
#define SH_SYNC_INTERNAL_H

#include <jansson.h>
#include <stdatomic.h>

#include "db/scene-store.h"
#include "sync/sync.h"

#define SYNC_MARGIN_S 2        /* watermark safety margin */
#define SYNC_ENTITY_PAGE 1000  /* entities per request */
#define SYNC_ID_PAGE 1000      /* ids per request when looking for deleted scenes */

typedef struct sync_ctx {
    const sh_sync_options *opt;
    sh_db *db;
    sh_stash_client *client;       /* the calling thread's */
    sh_stash_client *fetch_client; /* a pipeline's fetch thread's */
    sh_sync_counts *counts;
    int page_size;
    int64_t synced_at;   /* one timestamp for the whole run */
    atomic_bool abort;   /* a pipeline half failed: stop the other */
    int64_t total, done; /* progress */
    int64_t stash_counts[4]; /* Stats: scenes, performers, studios, tags (-1 unknown) */
} sync_ctx;

bool sync_cancelled(sync_ctx *c);
/* The client's cancel callback: the caller's, or an internal abort. */
int sync_cancel_cb(void *ctx);
/* sh_stash_execute plus a few more rounds for errors worth another try
 * (transient ones and garbage bodies that a proxy may produce). */
sh_status sync_execute(sync_ctx *c, const char *op, json_t *vars, json_t **data, sh_error *err);
sh_status sync_execute_on(sync_ctx *c, sh_stash_client *client, const char *op, json_t *vars, json_t **data,
                          sh_error *err);
void sync_progress(sync_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
sh_status sync_fetch_stats(sync_ctx *c, sh_error *err);

/* sync_state rows: watermark (may be ""), cursor (0 = none). */
sh_status sync_state_get(sh_db *db, const char *kind, char *watermark, size_t len, int64_t *cursor,
                         bool *exists, sh_error *err);
sh_status sync_state_put(sh_db *db, const char *kind, const char *watermark, int64_t cursor,
                         sh_error *err);
sh_status sync_state_delete(sh_db *db, const char *kind, sh_error *err);
/* An updated_at filter {value: watermark - margin, modifier: GREATER_THAN}, or NULL. */
json_t *sync_since_criterion(const char *watermark);
/* The kind's watermark (into wm) and its filter: the margin only applies to
 * a watermark that was recent when recorded (an update in the same second
 * may have landed after our read); older ones filter exactly, so a bulk
 * import's burst of equal timestamps is not fetched again and again. */
sh_status sync_state_since(sh_db *db, const char *kind, char *wm, size_t len, json_t **since, sh_error *err);

/* sync-entities.c: all = page every entity and remove the ones Stash lacks;
 * otherwise only changes since each kind's watermark (plus a full pass of a
 * kind whose count differs from Stash's). */
sh_status sync_entities(sync_ctx *c, bool all, sh_error *err);

/* sync-scenes.c */
sh_status sync_scenes_full(sync_ctx *c, sh_error *err);
/* A full pass in two halves: begin starts fetching (and probes the
 * watermark), so the caller can sync entities while pages arrive. */
typedef struct sync_full sync_full;
sh_status sync_full_begin(sync_ctx *c, sync_full **out, sh_error *err);
sh_status sync_full_finish(sync_ctx *c, sync_full *f, sh_error *err); /* frees f */
void sync_full_abort(sync_ctx *c, sync_full *f);
sh_status sync_scenes_incremental(sync_ctx *c, sh_error *err);
sh_status sync_scene_one(sync_ctx *c, int64_t id, bool *missing, sh_error *err);

#endif
