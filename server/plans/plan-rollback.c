/* plan-rollback.c - restores the pre-images an applied plan stored.
 *
 * Only the fields the plan wrote (the keys of each scene's post-image) are
 * restored, with SceneUpdateInput semantics: performer_ids/tag_ids replace
 * the whole list and an unset date or studio is sent as explicit null.
 * Batches re-read the scenes first; per field:
 *   Stash holds the pre-image value  -> already restored (a resumed run)
 *   Stash holds the post-image value -> restore it
 *   anything else                    -> edited since apply: not restored,
 *                                       reported with the scene and field.
 * Each batch's outcome (restored flags, change statuses, cache refresh) is
 * one transaction after its ScenesUpdate, so a crash repeats at most one
 * batch, and the repeat sees the restored values and writes nothing.
 * Last, the studios, performers and tags the apply created are destroyed
 * when nothing uses them any more (plan-entities.c).
 *
 * Threading: runs on the calling job worker thread with its connection and
 * its own Stash client. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"
#include "db/scene-store.h"
#include "plans/plan-internal.h"
#include "plans/plan-values.h"
#include "sh-log.h"

#define LOG "rollback"

typedef struct row {
    int64_t scene_id;
    json_t *pre, *post;
    json_t *restore;  /* key -> pre norm to write */
    json_t *restored; /* key -> true once Stash holds the pre value */
    json_t *blocked;  /* key -> reason */
} row;

static void fini_rows(row *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_decref(v[i].pre);
        json_decref(v[i].post);
        json_decref(v[i].restore);
        json_decref(v[i].restored);
        json_decref(v[i].blocked);
    }
    free(v);
}

static sh_status load_rows(sh_db *db, int64_t plan_id, row **out, size_t *n_out, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db,
                                 "SELECT scene_id, preimage, postimage FROM plan_preimages "
                                 "WHERE plan_id = ?1 AND written = 1 AND restored = 0 ORDER BY scene_id",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, plan_id);
    row *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sh_db_step(db, s, err)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            row *grown = realloc(v, cap * sizeof *grown);
            if (!grown) {
                fini_rows(v, n);
                sqlite3_reset(s);
                return sh_error_set(err, SH_ERR_NOMEM, NULL);
            }
            v = grown;
        }
        row *r = &v[n++];
        memset(r, 0, sizeof *r);
        r->scene_id = sqlite3_column_int64(s, 0);
        r->pre = json_loads(sh_db_column_text(s, 1), 0, NULL);
        r->post = json_loads(sh_db_column_text(s, 2), 0, NULL);
        if (!json_is_object(r->pre) || !json_is_object(r->post)) {
            int64_t bad = r->scene_id;
            fini_rows(v, n);
            sqlite3_reset(s);
            return sh_error_set(err, SH_ERR_DB, "plan %lld: damaged pre-image of scene %lld", (long long)plan_id,
                                (long long)bad);
        }
    }
    if (rc < 0) {
        fini_rows(v, n);
        return err ? err->code : SH_ERR_DB;
    }
    *out = v;
    *n_out = n;
    return SH_OK;
}

static void decide(row *r, const json_t *fresh, sh_plan_run_result *res)
{
    r->restore = json_object();
    r->restored = json_object();
    r->blocked = json_object();
    const char *key;
    json_t *post;
    json_object_foreach(r->post, key, post) {
        if (!fresh) {
            json_object_set_new(r->blocked, key, json_string("the scene no longer exists in Stash"));
            continue;
        }
        json_t *now = sh_pv_norm_scene(fresh, key), *pre = sh_pv_norm_scene(r->pre, key);
        if (sh_pv_norm_equal(now, pre))
            json_object_set_new(r->restored, key, json_true());
        else if (sh_pv_norm_equal(now, post))
            json_object_set(r->restore, key, pre);
        else
            json_object_set_new(r->blocked, key, json_string("edited in Stash since the plan was applied"));
        json_decref(now);
        json_decref(pre);
    }
    const char *why;
    json_t *reason;
    json_object_foreach(r->blocked, why, reason) {
        const char *field = sh_plan_field_of_key(why);
        sh_plan_problem(res, r->scene_id, field ? field : why, json_string_value(reason));
    }
}

static sh_status save_batch(sh_db *db, int64_t plan_id, row *rows, size_t n, const json_t *refresh,
                            sh_error *err)
{
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    sqlite3_stmt *s = NULL;
    for (size_t i = 0; st == SH_OK && i < n; i++) {
        row *r = &rows[i];
        if ((st = sh_db_prepare(db, "UPDATE plan_preimages SET restored = 1 WHERE plan_id = ?1 AND scene_id = ?2", &s,
                                err)) != SH_OK)
            break;
        sqlite3_bind_int64(s, 1, plan_id);
        sqlite3_bind_int64(s, 2, r->scene_id);
        if (sh_db_step(db, s, err) < 0) {
            st = err ? err->code : SH_ERR_DB;
            break;
        }
        const char *key;
        json_t *v;
        json_object_foreach(r->restored, key, v) {
            const char *field = sh_plan_field_of_key(key);
            if (!field || st != SH_OK)
                continue;
            if ((st = sh_db_prepare(db,
                                    "UPDATE plan_changes SET status = 'rolled_back', error = NULL "
                                    "WHERE plan_id = ?1 AND scene_id = ?2 AND field = ?3 AND status = 'applied'",
                                    &s, err)) != SH_OK)
                break;
            sqlite3_bind_int64(s, 1, plan_id);
            sqlite3_bind_int64(s, 2, r->scene_id);
            sqlite3_bind_text(s, 3, field, -1, SQLITE_STATIC);
            if (sh_db_step(db, s, err) < 0)
                st = err ? err->code : SH_ERR_DB;
        }
        json_object_foreach(r->blocked, key, v) {
            const char *field = sh_plan_field_of_key(key);
            if (!field || st != SH_OK)
                continue;
            if ((st = sh_db_prepare(db,
                                    "UPDATE plan_changes SET error = ?4 "
                                    "WHERE plan_id = ?1 AND scene_id = ?2 AND field = ?3 AND status = 'applied'",
                                    &s, err)) != SH_OK)
                break;
            sqlite3_bind_int64(s, 1, plan_id);
            sqlite3_bind_int64(s, 2, r->scene_id);
            sqlite3_bind_text(s, 3, field, -1, SQLITE_STATIC);
            char *msg = sh_strdup_printf("not restored: %s", json_string_value(v));
            sqlite3_bind_text(s, 4, msg ? msg : "not restored", -1, SQLITE_TRANSIENT);
            free(msg);
            if (sh_db_step(db, s, err) < 0)
                st = err ? err->code : SH_ERR_DB;
        }
    }
    size_t i;
    json_t *sc;
    json_array_foreach(refresh, i, sc) {
        if (st != SH_OK)
            break;
        st = sh_store_upsert_scene(db, sc, sh_now_ms(), false, NULL, err);
    }
    st = sh_db_finish(db, st, err);
    return st;
}

static sh_status run_batch(sh_stash_client *c, const sh_plan_run_opts *o, row *rows, size_t n,
                           sh_plan_run_result *res, sh_error *err)
{
    int64_t *ids = calloc(n ? n : 1, sizeof *ids);
    if (!ids)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    json_t *fresh = NULL, *inputs = json_array(), *written = NULL, *refresh = json_array();
    sh_status st = inputs && refresh ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
    for (size_t i = 0; st == SH_OK && i < n; i++)
        ids[i] = rows[i].scene_id;
    if (st == SH_OK)
        st = sh_plan_stash_read_scenes(c, ids, n, &fresh, err);
    for (size_t i = 0; st == SH_OK && i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)ids[i]);
        json_t *sc = json_object_get(fresh, key);
        decide(&rows[i], sc, res);
        if (json_object_size(rows[i].restore) == 0) {
            if (sc)
                json_array_append(refresh, sc);
            continue;
        }
        json_t *input = json_pack("{s:s}", "id", key);
        const char *k;
        json_t *v;
        json_object_foreach(rows[i].restore, k, v) json_object_set_new(input, k, sh_pv_input_from_scene(rows[i].pre, k));
        json_array_append_new(inputs, input);
    }
    if (st == SH_OK && json_array_size(inputs) > 0) {
        st = sh_plan_stash_update_scenes(c, inputs, &written, err);
        if (st == SH_OK) {
            res->scenes_written += (int64_t)json_array_size(inputs);
            json_t *by_id = json_object();
            size_t i;
            json_t *sc;
            json_array_foreach(written, i, sc) {
                const char *id = json_string_value(json_object_get(sc, "id"));
                if (id)
                    json_object_set(by_id, id, sc);
                json_array_append(refresh, sc);
            }
            for (size_t k = 0; k < n; k++) {
                char key[32];
                snprintf(key, sizeof key, "%lld", (long long)ids[k]);
                const json_t *got = json_object_get(by_id, key);
                const char *rk;
                json_t *want;
                json_object_foreach(rows[k].restore, rk, want) {
                    json_t *now = got ? sh_pv_norm_scene(got, rk) : NULL;
                    if (now && sh_pv_norm_equal(now, want))
                        json_object_set_new(rows[k].restored, rk, json_true());
                    else
                        json_object_set_new(rows[k].blocked, rk, json_string("Stash did not keep the restored value"));
                    json_decref(now);
                }
            }
            json_decref(by_id);
        }
    }
    if (st == SH_OK)
        st = save_batch(o->db, o->plan_id, rows, n, refresh, err);
    for (size_t i = 0; st == SH_OK && i < n; i++) {
        res->applied += (int64_t)json_object_size(rows[i].restored);
        res->conflicts += (int64_t)json_object_size(rows[i].blocked);
    }
    free(ids);
    json_decref(fresh);
    json_decref(inputs);
    json_decref(written);
    json_decref(refresh);
    return st;
}

sh_status sh_plan_rollback_run(const sh_plan_run_opts *o, sh_plan_run_result *r, sh_error *err)
{
    memset(r, 0, sizeof *r);
    int batch = o->batch_size > 0 ? (o->batch_size > 1000 ? 1000 : o->batch_size) : 250;
    Stashhog__PlanStatus status;
    sh_status st = sh_plan_get_status(o->db, o->plan_id, &status, err);
    if (st != SH_OK)
        return st;
    if (status != STASHHOG__PLAN_STATUS__PLAN_APPLIED && status != STASHHOG__PLAN_STATUS__PLAN_PARTIALLY_APPLIED &&
        status != STASHHOG__PLAN_STATUS__PLAN_FAILED)
        return sh_error_set(err, SH_ERR_CONFLICT, "plan %lld is %s; only applied plans can be rolled back",
                            (long long)o->plan_id, sh_plan_status_text((int)status));
    row *rows = NULL;
    size_t n = 0;
    sh_stash_client *c = NULL;
    sh_stash_config cfg = *o->stash;
    cfg.cancelled = o->cancelled;
    cfg.cancel_user_data = o->cancel_user;
    if ((st = load_rows(o->db, o->plan_id, &rows, &n, err)) != SH_OK ||
        (st = sh_stash_client_create(&cfg, &c, err)) != SH_OK)
        goto out;
    for (size_t at = 0; st == SH_OK && at < n; at += (size_t)batch) {
        if (o->cancelled && o->cancelled(o->cancel_user)) {
            st = sh_error_set(err, SH_ERR_CANCELLED, "cancelled");
            break;
        }
        size_t take = n - at < (size_t)batch ? n - at : (size_t)batch;
        st = run_batch(c, o, rows + at, take, r, err);
        r->scenes += (int64_t)take;
        if (o->progress) {
            char msg[96];
            snprintf(msg, sizeof msg, "restored %lld of %zu scenes", (long long)r->scenes, n);
            o->progress(o->progress_user, r->scenes, (int64_t)n, msg);
        }
    }
    /* Scenes first: only then can an entity the plan created be unused. */
    if (st == SH_OK)
        st = sh_plan_entities_rollback(c, o->db, o->plan_id, r, err);
    if (st == SH_OK) {
        r->status = STASHHOG__PLAN_STATUS__PLAN_ROLLED_BACK;
        st = sh_plan_set_status(o->db, o->svc, o->plan_id, r->status,
                                r->conflicts ? "rolled back (some fields not restored)" : "rolled back", false, err);
        sh_info(LOG, "plan %lld rolled back: %lld fields restored, %lld not restored; entities: %lld deleted, %lld kept",
                (long long)o->plan_id, (long long)r->applied, (long long)r->conflicts, (long long)r->entities_deleted,
                (long long)r->entities_kept);
    } else {
        r->status = status;
    }
out:
    if (c) {
        sh_stash_client_stats cs;
        sh_stash_client_get_stats(c, &cs);
        sh_metrics_stash_client(&cs);
        r->requests = (int64_t)cs.requests;
    }
    sh_stash_client_destroy(c);
    fini_rows(rows, n);
    return st;
}
