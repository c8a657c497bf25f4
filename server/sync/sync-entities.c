/* sync-entities.c - performers, studios and tags.
 *
 * Stash's entity filters have no id criterion, so entities page by page
 * number sorted by id.  Every pass starts with one "probe" request: the
 * entities changed since the watermark, newest first.  Its first item is
 * the new watermark (anything changed later sorts after it), and when the
 * probe already holds all matches (the usual incremental case) it is the
 * only request. */
#include <stdlib.h>
#include <string.h>

#include "sh-log.h"
#include "sh-util.h"
#include "sync/sync-internal.h"

#define LOG "sync"

static const char *const ops[] = {"FindPerformers", "FindStudios", "FindTags"};
static const char *const filter_keys[] = {"performer_filter", "studio_filter", "tag_filter"};
static const char *const result_keys[] = {"findPerformers", "findStudios", "findTags"};

static int64_t *kind_counter(sync_ctx *c, sh_store_kind kind)
{
    return kind == SH_STORE_PERFORMER ? &c->counts->performers
           : kind == SH_STORE_STUDIO  ? &c->counts->studios
                                      : &c->counts->tags;
}

typedef struct idset {
    int64_t *v;
    size_t n, cap;
} idset;

static bool idset_add(idset *s, int64_t id)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 256;
        int64_t *g = realloc(s->v, ncap * sizeof *g);
        if (!g)
            return false;
        s->v = g;
        s->cap = ncap;
    }
    s->v[s->n++] = id;
    return true;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static sh_status fetch_page(sync_ctx *c, sh_store_kind kind, json_t *since, int page, bool newest_first,
                            json_t **data, json_t **items, int64_t *count, sh_error *err)
{
    json_t *filter = json_pack("{s:i,s:i,s:s,s:s}", "page", page, "per_page", SYNC_ENTITY_PAGE, "sort",
                               newest_first ? "updated_at" : "id", "direction", newest_first ? "DESC" : "ASC");
    json_t *vars = json_pack("{s:o}", "filter", filter);
    if (vars && since)
        json_object_set_new(vars, filter_keys[kind], json_pack("{s:O}", "updated_at", since));
    if (!vars)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = sync_execute(c, ops[kind], vars, data, err);
    json_decref(vars);
    if (st != SH_OK)
        return st;
    json_t *res = json_object_get(*data, result_keys[kind]);
    *items = json_object_get(res, sh_store_kind_name(kind));
    json_t *n = json_object_get(res, "count");
    if (!json_is_array(*items) || !json_is_integer(n)) {
        json_decref(*data);
        *data = NULL;
        return sh_error_set(err, SH_ERR_PROTOCOL, "%s: unexpected response shape", ops[kind]);
    }
    *count = json_integer_value(n);
    return SH_OK;
}

/* One page, one transaction. */
static sh_status store_items(sync_ctx *c, sh_store_kind kind, json_t *items, idset *seen, sh_error *err)
{
    if (json_array_size(items) == 0)
        return SH_OK;
    sh_status st = sh_db_write_begin(c->db, err);
    if (st != SH_OK)
        return st;
    size_t i, written = 0;
    json_t *e;
    json_array_foreach(items, i, e) {
        bool same = false;
        /* Incremental probes overlap by the margin: skip what is current. */
        if (!seen && (st = sh_store_entity_unchanged(c->db, kind, e, &same, err)) != SH_OK)
            break;
        if (!same && (st = sh_store_upsert_entity(c->db, kind, e, c->synced_at, err)) != SH_OK)
            break;
        written += !same;
        if (seen && !idset_add(seen, sh_store_json_id(json_object_get(e, "id")))) {
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
            break;
        }
    }
    if (st != SH_OK) {
        sh_db_rollback(c->db);
        return st;
    }
    if ((st = sh_db_commit(c->db, err)) == SH_OK)
        *kind_counter(c, kind) += (int64_t)written;
    return st;
}

static sh_status remove_unseen(sync_ctx *c, sh_store_kind kind, idset *seen, sh_error *err)
{
    static const char *const sql[] = {"SELECT id FROM performers ORDER BY id", "SELECT id FROM studios ORDER BY id",
                                      "SELECT id FROM tags ORDER BY id"};
    qsort(seen->v, seen->n, sizeof *seen->v, cmp_id);
    idset gone = {0};
    sqlite3_stmt *stmt = NULL;
    sh_status st = sh_db_prepare(c->db, sql[kind], &stmt, err);
    if (st != SH_OK)
        return st;
    int rc;
    size_t k = 0;
    while ((rc = sh_db_step(c->db, stmt, err)) == 1) {
        int64_t id = sqlite3_column_int64(stmt, 0);
        while (k < seen->n && seen->v[k] < id)
            k++;
        if ((k >= seen->n || seen->v[k] != id) && !idset_add(&gone, id)) {
            st = sh_error_set(err, SH_ERR_NOMEM, NULL);
            break;
        }
    }
    sqlite3_reset(stmt);
    if (rc < 0)
        st = SH_ERR_DB;
    for (size_t i = 0; i < gone.n && st == SH_OK; i++)
        st = sh_store_delete_entity(c->db, kind, gone.v[i], err);
    if (st == SH_OK && gone.n > 0) {
        sh_info(LOG, "removed %zu %s that Stash no longer has", gone.n, sh_store_kind_name(kind));
        *kind_counter(c, kind) += (int64_t)gone.n;
    }
    free(gone.v);
    return st;
}

static sh_status sync_kind(sync_ctx *c, sh_store_kind kind, bool all, sh_error *err)
{
    const char *state = sh_store_kind_name(kind);
    char wm[64], new_wm[64];
    json_t *since = NULL;
    sh_status st = sync_state_since(c->db, state, wm, sizeof wm, &since, err);
    if (st != SH_OK)
        return st;
    if (all) {
        json_decref(since);
        since = NULL;
    }
    idset seen = {0};
    json_t *data = NULL, *items = NULL;
    int64_t count = 0;
    if ((st = fetch_page(c, kind, since, 1, true, &data, &items, &count, err)) != SH_OK)
        goto out;
    const char *top = json_string_value(json_object_get(json_array_get(items, 0), "updated_at"));
    sh_strlcpy(new_wm, top ? top : wm, sizeof new_wm);
    if (count <= (int64_t)json_array_size(items)) {
        st = store_items(c, kind, items, all ? &seen : NULL, err);
    } else {
        /* More than one page changed: walk them in id order. */
        for (int page = 1; st == SH_OK; page++) {
            json_decref(data);
            data = NULL;
            if (sync_cancelled(c)) {
                st = sh_error_set(err, SH_ERR_CANCELLED, "sync cancelled");
                break;
            }
            if ((st = fetch_page(c, kind, since, page, false, &data, &items, &count, err)) != SH_OK)
                break;
            st = store_items(c, kind, items, all ? &seen : NULL, err);
            if (json_array_size(items) < SYNC_ENTITY_PAGE)
                break;
        }
    }
    if (st != SH_OK)
        goto out;
    /* Deletions and the new watermark only after a complete pass. */
    if ((st = sh_db_write_begin(c->db, err)) != SH_OK)
        goto out;
    if (all)
        st = remove_unseen(c, kind, &seen, err);
    if (st == SH_OK)
        st = sync_state_put(c->db, state, new_wm, 0, err);
    if (st == SH_OK)
        st = sh_db_commit(c->db, err);
    else
        sh_db_rollback(c->db);
out:
    json_decref(data);
    json_decref(since);
    free(seen.v);
    return st;
}

sh_status sync_entities(sync_ctx *c, bool all, sh_error *err)
{
    static const char *const count_sql[] = {"SELECT count(*) FROM performers", "SELECT count(*) FROM studios",
                                            "SELECT count(*) FROM tags"};
    for (int k = 0; k < SH_STORE_KIND_COUNT; k++) {
        if (sync_cancelled(c))
            return sh_error_set(err, SH_ERR_CANCELLED, "sync cancelled");
        sh_status st = sync_kind(c, (sh_store_kind)k, all, err);
        if (st != SH_OK) {
            sh_error_prefix(err, "%s", sh_store_kind_name((sh_store_kind)k));
            return st;
        }
        if (all || c->stash_counts[k + 1] < 0)
            continue;
        /* Deletions leave no updated_at behind: a count that differs means
         * some entity is gone (or was missed), so walk that kind fully. */
        int64_t cached = 0;
        if ((st = sh_db_query_int64(c->db, count_sql[k], &cached, err)) != SH_OK)
            return st;
        if (cached != c->stash_counts[k + 1]) {
            sh_info(LOG, "%s: cache has %lld, Stash %lld: full pass", sh_store_kind_name((sh_store_kind)k),
                    (long long)cached, (long long)c->stash_counts[k + 1]);
            st = sync_kind(c, (sh_store_kind)k, true, err);
            if (st != SH_OK) {
                sh_error_prefix(err, "%s", sh_store_kind_name((sh_store_kind)k));
                return st;
            }
        }
    }
    return SH_OK;
}
