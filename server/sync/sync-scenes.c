/* sync-scenes.c - scene passes: keyset paging on id through a two-page
 * pipeline, so the download of page N+1 overlaps storing page N.
 *
 * Threading: a pipeline owns one fetch thread for its lifetime, which is the
 * only user of c->fetch_client (the calling thread keeps c->client for its
 * own requests, so a full sync fetches its first pages while it syncs
 * entities).  The queue is bounded (four pages), so
 * memory stays flat however large the library is.  If the storing side
 * fails it raises c->abort, which the client's cancel callback sees, and
 * joins the fetch thread before returning. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh-log.h"
#include "sh-util.h"
#include "sync/sync-internal.h"

#define LOG "sync"
#define QUEUE_DEPTH 4 /* covers the entity requests a full sync makes meanwhile */

typedef struct page {
    struct page *next;
    json_t *data;     /* owns the response */
    json_t *scenes;   /* borrowed from data */
    int64_t after_id; /* keyset position the page started after */
    int64_t last_id;
    bool final;       /* shorter than a full page: nothing after it */
    int64_t *ids;     /* the page's ids, sorted */
    size_t n;
} page;

typedef struct pipeline {
    sync_ctx *c;
    const char *op; /* FindScenes or FindSceneIds */
    int per_page;
    json_t *since;  /* optional updated_at criterion (borrowed) */
    int64_t cursor;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    page *head, *tail;
    int queued;
    bool finished; /* the fetch thread is done (final page queued, or failed) */
    bool stop;     /* the consumer is gone */
    sh_status st;
    sh_error err;
} pipeline;

static sh_status sweep(sync_ctx *c, sh_error *err);

static void page_free(page *p)
{
    if (!p)
        return;
    json_decref(p->data);
    free(p->ids);
    free(p);
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static json_t *page_vars(const pipeline *p, int64_t after)
{
    json_t *sf = json_pack("{s:{s:I,s:s}}", "id", "value", (json_int_t)after, "modifier", "GREATER_THAN");
    if (sf && p->since)
        json_object_set(sf, "updated_at", p->since);
    return json_pack("{s:{s:i,s:s,s:s},s:o}", "filter", "per_page", p->per_page, "sort", "id", "direction",
                     "ASC", "scene_filter", sf);
}

/* Parse a response into a page (ids sorted, last id). */
static sh_status make_page(json_t *data, int64_t after, int per_page, page **out, sh_error *err)
{
    json_t *scenes = json_object_get(json_object_get(data, "findScenes"), "scenes");
    if (!json_is_array(scenes)) {
        json_decref(data);
        return sh_error_set(err, SH_ERR_PROTOCOL, "findScenes: unexpected response shape");
    }
    page *pg = calloc(1, sizeof *pg);
    size_t n = json_array_size(scenes);
    if (!pg || !(pg->ids = malloc((n ? n : 1) * sizeof *pg->ids))) {
        free(pg);
        json_decref(data);
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    pg->data = data;
    pg->scenes = scenes;
    pg->after_id = after;
    pg->n = n;
    pg->final = n < (size_t)per_page;
    for (size_t i = 0; i < n; i++) {
        pg->ids[i] = sh_store_json_id(json_object_get(json_array_get(scenes, i), "id"));
        if (pg->ids[i] <= after) { /* keyset paging must move forward */
            long long bad = pg->ids[i];
            page_free(pg);
            return sh_error_set(err, SH_ERR_PROTOCOL, "findScenes returned id %lld not after %lld", bad,
                                (long long)after);
        }
    }
    qsort(pg->ids, n, sizeof *pg->ids, cmp_id);
    pg->last_id = n ? pg->ids[n - 1] : after;
    *out = pg;
    return SH_OK;
}

static void *fetch_main(void *arg)
{
    pipeline *p = arg;
    int64_t cursor = p->cursor;
    for (;;) {
        sh_error e = {0};
        json_t *vars = page_vars(p, cursor), *data = NULL;
        page *pg = NULL;
        sh_status st = vars ? sync_execute_on(p->c, p->c->fetch_client, p->op, vars, &data, &e)
                            : sh_error_set(&e, SH_ERR_NOMEM, NULL);
        json_decref(vars);
        if (st == SH_OK)
            st = make_page(data, cursor, p->per_page, &pg, &e);
        pthread_mutex_lock(&p->mu);
        while (st == SH_OK && p->queued >= QUEUE_DEPTH && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        if (st != SH_OK || p->stop) {
            p->st = st;
            p->err = e;
            p->finished = true;
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
            page_free(pg);
            return NULL;
        }
        if (p->tail)
            p->tail->next = pg;
        else
            p->head = pg;
        p->tail = pg;
        p->queued++;
        bool final = pg->final;
        cursor = pg->last_id;
        if (final)
            p->finished = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (final)
            return NULL;
    }
}

static sh_status pipeline_start(pipeline *p, sync_ctx *c, const char *op, int per_page, json_t *since,
                                int64_t cursor, sh_error *err)
{
    memset(p, 0, sizeof *p);
    p->c = c;
    p->op = op;
    p->per_page = per_page;
    p->since = since;
    p->cursor = cursor;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, fetch_main, p) != 0)
        return sh_error_set(err, SH_ERR_INTERNAL, "cannot start the sync fetch thread");
    p->started = true;
    return SH_OK;
}

/* Next page in order; NULL with SH_OK after the final one. */
static sh_status pipeline_next(pipeline *p, page **out, sh_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&p->mu);
    while (!p->head && !p->finished)
        pthread_cond_wait(&p->cv, &p->mu);
    sh_status st = SH_OK;
    if (p->head) {
        *out = p->head;
        p->head = p->head->next;
        if (!p->head)
            p->tail = NULL;
        p->queued--;
        pthread_cond_broadcast(&p->cv);
    } else if ((st = p->st) != SH_OK && err) {
        *err = p->err;
    }
    pthread_mutex_unlock(&p->mu);
    return st;
}

/* Stop (aborting an in-flight request if the fetch thread is not done) and join. */
static void pipeline_finish(pipeline *p)
{
    if (!p->started)
        return;
    pthread_mutex_lock(&p->mu);
    bool running = !p->finished;
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (running)
        atomic_store(&p->c->abort, true);
    pthread_join(p->thread, NULL);
    while (p->head) {
        page *n = p->head->next;
        page_free(p->head);
        p->head = n;
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    p->started = false;
}

/* ---------------------------------------------------------------- storing */

static sh_status upsert_list(sync_ctx *c, json_t *scenes, bool skip_unchanged, sh_error *err)
{
    size_t i;
    json_t *s;
    json_array_foreach(scenes, i, s) {
        bool written = false;
        sh_status st = sh_store_upsert_scene(c->db, s, c->synced_at, skip_unchanged, &written, err);
        if (st != SH_OK)
            return st;
        c->counts->scenes_upserted += written;
    }
    return SH_OK;
}

static sh_status cancelled_error(sh_error *err)
{
    return sh_error_set(err, SH_ERR_CANCELLED, "sync cancelled");
}

/* Newest updated_at in Stash (of the scenes matching since, if given). */
static sh_status probe(sync_ctx *c, json_t *since, int per_page, json_t **data, json_t **scenes, int64_t *count,
                       char *newest, size_t len, sh_error *err)
{
    json_t *vars = json_pack("{s:{s:i,s:s,s:s}}", "filter", "per_page", per_page, "sort", "updated_at",
                             "direction", "DESC");
    if (vars && since)
        json_object_set_new(vars, "scene_filter", json_pack("{s:O}", "updated_at", since));
    if (!vars)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = sync_execute(c, "FindScenes", vars, data, err);
    json_decref(vars);
    if (st != SH_OK)
        return st;
    json_t *res = json_object_get(*data, "findScenes");
    *scenes = json_object_get(res, "scenes");
    if (!json_is_array(*scenes) || !json_is_integer(json_object_get(res, "count"))) {
        json_decref(*data);
        *data = NULL;
        return sh_error_set(err, SH_ERR_PROTOCOL, "findScenes: unexpected response shape");
    }
    *count = json_integer_value(json_object_get(res, "count"));
    const char *top = json_string_value(json_object_get(json_array_get(*scenes, 0), "updated_at"));
    if (top)
        sh_strlcpy(newest, top, len);
    return SH_OK;
}

struct sync_full {
    pipeline p;
    char wm[64];
    bool resuming;
};

sh_status sync_full_begin(sync_ctx *c, sync_full **out, sh_error *err)
{
    *out = NULL;
    sync_full *f = calloc(1, sizeof *f);
    if (!f)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    int64_t cursor = 0;
    sh_status st = sync_state_get(c->db, "scenes_full", f->wm, sizeof f->wm, &cursor, &f->resuming, err);
    if (st == SH_OK)
        st = pipeline_start(&f->p, c, "FindScenes", c->page_size, NULL, cursor, err);
    if (st != SH_OK) {
        free(f);
        return st;
    }
    if (f->resuming) {
        sh_info(LOG, "resuming an interrupted full sync after scene %lld", (long long)cursor);
        sqlite3_stmt *stmt = NULL; /* progress counts the pages an earlier attempt stored */
        if (sh_db_prepare(c->db, "SELECT count(*) FROM scenes WHERE id <= ?1", &stmt, NULL) == SH_OK) {
            sqlite3_bind_int64(stmt, 1, cursor);
            if (sqlite3_step(stmt) == SQLITE_ROW)
                c->done = sqlite3_column_int64(stmt, 0);
            sqlite3_reset(stmt);
        }
        *out = f;
        return SH_OK;
    }
    /* The watermark for later incremental runs is Stash's newest updated_at
     * as the pass starts (fetched alongside its first page): whatever
     * changes during the pass sorts after it, minus the margin. */
    json_t *data = NULL, *scenes = NULL;
    int64_t count = 0;
    if ((st = probe(c, NULL, 1, &data, &scenes, &count, f->wm, sizeof f->wm, err)) == SH_OK &&
        (st = sh_db_write_begin(c->db, err)) == SH_OK) {
        if ((st = sync_state_put(c->db, "scenes_full", f->wm, 0, err)) == SH_OK)
            st = sh_db_commit(c->db, err);
        else
            sh_db_rollback(c->db);
    }
    json_decref(data);
    if (st != SH_OK) {
        sync_full_abort(c, f);
        return st;
    }
    *out = f;
    return SH_OK;
}

void sync_full_abort(sync_ctx *c, sync_full *f)
{
    (void)c;
    if (!f)
        return;
    pipeline_finish(&f->p);
    free(f);
}

sh_status sync_full_finish(sync_ctx *c, sync_full *f, sh_error *err)
{
    sh_status st = SH_OK;
    for (;;) {
        page *pg = NULL;
        if ((st = pipeline_next(&f->p, &pg, err)) != SH_OK || !pg)
            break;
        if (sync_cancelled(c)) {
            page_free(pg);
            st = cancelled_error(err);
            break;
        }
        if ((st = sh_db_write_begin(c->db, err)) == SH_OK) {
            /* The page lists every scene Stash has in (after_id, last_id]
             * (or up to the end, for the final page): others are gone. */
            int64_t upto = pg->final ? INT64_MAX : pg->last_id;
            if ((st = upsert_list(c, pg->scenes, false, err)) == SH_OK &&
                (st = sh_store_delete_scenes_missing(c->db, pg->after_id, upto, pg->ids, pg->n,
                                                     &c->counts->scenes_deleted, err)) == SH_OK) {
                if (pg->final) {
                    if ((st = sync_state_put(c->db, "scenes", f->wm, 0, err)) == SH_OK)
                        st = sync_state_delete(c->db, "scenes_full", err);
                } else {
                    st = sync_state_put(c->db, "scenes_full", f->wm, pg->last_id, err);
                }
            }
            if (st == SH_OK)
                st = sh_db_commit(c->db, err);
            else
                sh_db_rollback(c->db);
        }
        c->done += (int64_t)pg->n;
        bool final = pg->final;
        int64_t last = pg->last_id;
        page_free(pg);
        if (st != SH_OK)
            break;
        sync_progress(c, "scenes up to id %lld", (long long)last);
        if (final)
            break;
    }
    bool resuming = f->resuming;
    sync_full_abort(c, f);
    /* Ranges before a resumed run's cursor were checked by an earlier
     * attempt; deletions since then show up as a count mismatch. */
    int64_t cached = 0;
    if (st == SH_OK && resuming && c->stash_counts[0] >= 0 &&
        (st = sh_db_query_int64(c->db, "SELECT count(*) FROM scenes", &cached, err)) == SH_OK &&
        cached != c->stash_counts[0]) {
        sh_info(LOG, "resumed pass: cache has %lld scenes, Stash %lld: looking for deleted scenes",
                (long long)cached, (long long)c->stash_counts[0]);
        st = sweep(c, err);
    }
    return st;
}

sh_status sync_scenes_full(sync_ctx *c, sh_error *err)
{
    sync_full *f = NULL;
    sh_status st = sync_full_begin(c, &f, err);
    return st == SH_OK ? sync_full_finish(c, f, err) : st;
}

/* Scenes Stash has that the cache lacks, fetched after a sweep. */
static sh_status fetch_by_ids(sync_ctx *c, const int64_t *ids, size_t n, sh_error *err)
{
    sh_status st = SH_OK;
    for (size_t off = 0; off < n && st == SH_OK; off += (size_t)c->page_size) {
        size_t k = n - off < (size_t)c->page_size ? n - off : (size_t)c->page_size;
        json_t *list = json_array();
        char buf[24];
        for (size_t i = 0; i < k; i++) {
            snprintf(buf, sizeof buf, "%lld", (long long)ids[off + i]);
            json_array_append_new(list, json_string(buf));
        }
        json_t *vars = json_pack("{s:o,s:{s:i}}", "ids", list, "filter", "per_page", (int)k);
        json_t *data = NULL;
        if (!vars)
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        st = sync_execute(c, "FindScenesByIds", vars, &data, err);
        json_decref(vars);
        if (st != SH_OK)
            break;
        if ((st = sh_db_write_begin(c->db, err)) == SH_OK) {
            st = upsert_list(c, json_object_get(json_object_get(data, "findScenes"), "scenes"), false, err);
            if (st == SH_OK)
                st = sh_db_commit(c->db, err);
            else
                sh_db_rollback(c->db);
        }
        json_decref(data);
    }
    return st;
}

/* Walk Stash's ids (cheap: ids only) to find deleted and missing scenes. */
static sh_status sweep(sync_ctx *c, sh_error *err)
{
    int64_t *missing = NULL;
    size_t n_missing = 0, cap = 0;
    pipeline p;
    sh_status st = pipeline_start(&p, c, "FindSceneIds", SYNC_ID_PAGE, NULL, 0, err);
    if (st != SH_OK)
        return st;
    for (;;) {
        page *pg = NULL;
        if ((st = pipeline_next(&p, &pg, err)) != SH_OK || !pg)
            break;
        if (sync_cancelled(c)) {
            page_free(pg);
            st = cancelled_error(err);
            break;
        }
        if ((st = sh_db_write_begin(c->db, err)) == SH_OK) {
            st = sh_store_delete_scenes_missing(c->db, pg->after_id, pg->final ? INT64_MAX : pg->last_id, pg->ids,
                                                pg->n, &c->counts->scenes_deleted, err);
            for (size_t i = 0; i < pg->n && st == SH_OK; i++) {
                sqlite3_stmt *stmt = NULL;
                if ((st = sh_db_prepare(c->db, "SELECT 1 FROM scenes WHERE id = ?1", &stmt, err)) != SH_OK)
                    break;
                sqlite3_bind_int64(stmt, 1, pg->ids[i]);
                int rc = sh_db_step(c->db, stmt, err);
                sqlite3_reset(stmt);
                if (rc < 0) {
                    st = SH_ERR_DB;
                } else if (rc == 0) {
                    if (n_missing == cap) {
                        size_t ncap = cap ? cap * 2 : 64;
                        int64_t *g = realloc(missing, ncap * sizeof *g);
                        if (!g) {
                            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
                            break;
                        }
                        missing = g;
                        cap = ncap;
                    }
                    missing[n_missing++] = pg->ids[i];
                }
            }
            if (st == SH_OK)
                st = sh_db_commit(c->db, err);
            else
                sh_db_rollback(c->db);
        }
        bool final = pg->final;
        page_free(pg);
        if (st != SH_OK || final)
            break;
    }
    pipeline_finish(&p);
    if (st == SH_OK && n_missing > 0) {
        sh_info(LOG, "%zu scenes were missing from the cache; fetching them", n_missing);
        st = fetch_by_ids(c, missing, n_missing, err);
    }
    free(missing);
    return st;
}

sh_status sync_scenes_incremental(sync_ctx *c, sh_error *err)
{
    char wm[64] = "", new_wm[64];
    bool unfinished = false;
    sh_status st = sync_state_get(c->db, "scenes_full", NULL, 0, NULL, &unfinished, err);
    json_t *since = NULL;
    if (st == SH_OK)
        st = sync_state_since(c->db, "scenes", wm, sizeof wm, &since, err);
    if (st != SH_OK)
        return st;
    if (unfinished || !wm[0]) {
        /* No complete pass yet: there is nothing to be incremental against. */
        sh_info(LOG, "no complete scene pass yet: running the full scene pass");
        c->total = c->stash_counts[0] > 0 ? c->stash_counts[0] : 0;
        json_decref(since);
        return sync_scenes_full(c, err);
    }
    json_t *data = NULL, *scenes = NULL;
    int64_t count = 0;
    sh_strlcpy(new_wm, wm, sizeof new_wm);
    if ((st = probe(c, since, c->page_size, &data, &scenes, &count, new_wm, sizeof new_wm, err)) != SH_OK)
        goto out;
    c->total = count;
    if (count <= (int64_t)json_array_size(scenes)) {
        if (count > 0 && (st = sh_db_write_begin(c->db, err)) == SH_OK) {
            if ((st = upsert_list(c, scenes, true, err)) == SH_OK)
                st = sh_db_commit(c->db, err);
            else
                sh_db_rollback(c->db);
        }
        c->done = count;
    } else {
        pipeline p;
        if ((st = pipeline_start(&p, c, "FindScenes", c->page_size, since, 0, err)) != SH_OK)
            goto out;
        for (;;) {
            page *pg = NULL;
            if ((st = pipeline_next(&p, &pg, err)) != SH_OK || !pg)
                break;
            if (sync_cancelled(c)) {
                page_free(pg);
                st = cancelled_error(err);
                break;
            }
            if ((st = sh_db_write_begin(c->db, err)) == SH_OK) {
                if ((st = upsert_list(c, pg->scenes, true, err)) == SH_OK)
                    st = sh_db_commit(c->db, err);
                else
                    sh_db_rollback(c->db);
            }
            c->done += (int64_t)pg->n;
            bool final = pg->final;
            page_free(pg);
            if (st != SH_OK || final)
                break;
            sync_progress(c, "changed scenes");
        }
        pipeline_finish(&p);
    }
    if (st != SH_OK)
        goto out;
    /* Deletions: cheap check first, the id walk only when counts differ. */
    int64_t cached = 0;
    if ((st = sh_db_query_int64(c->db, "SELECT count(*) FROM scenes", &cached, err)) != SH_OK)
        goto out;
    if (c->stash_counts[0] >= 0 && cached != c->stash_counts[0]) {
        sh_info(LOG, "cache has %lld scenes, Stash %lld: looking for deleted scenes", (long long)cached,
                (long long)c->stash_counts[0]);
        sync_progress(c, "looking for deleted scenes");
        if ((st = sweep(c, err)) != SH_OK)
            goto out;
    }
    if ((st = sh_db_write_begin(c->db, err)) == SH_OK) {
        if ((st = sync_state_put(c->db, "scenes", new_wm, 0, err)) == SH_OK)
            st = sh_db_commit(c->db, err);
        else
            sh_db_rollback(c->db);
    }
out:
    json_decref(data);
    json_decref(since);
    return st;
}

sh_status sync_scene_one(sync_ctx *c, int64_t id, bool *missing, sh_error *err)
{
    *missing = false;
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
    json_t *vars = json_pack("{s:s}", "id", idbuf), *data = NULL;
    if (!vars)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = sync_execute(c, "FindScene", vars, &data, err);
    json_decref(vars);
    if (st != SH_OK)
        return st;
    json_t *scene = json_object_get(data, "findScene");
    if ((st = sh_db_write_begin(c->db, err)) == SH_OK) {
        if (json_is_object(scene)) {
            bool written = false;
            st = sh_store_upsert_scene(c->db, scene, c->synced_at, false, &written, err);
            c->counts->scenes_upserted += written;
        } else {
            bool deleted = false;
            *missing = true;
            st = sh_store_delete_scene(c->db, id, &deleted, err);
            c->counts->scenes_deleted += deleted;
        }
        if (st == SH_OK)
            st = sh_db_commit(c->db, err);
        else
            sh_db_rollback(c->db);
    }
    json_decref(data);
    if (st == SH_OK && *missing)
        sh_info(LOG, "scene %lld no longer exists in Stash; removed from the cache", (long long)id);
    return st;
}
