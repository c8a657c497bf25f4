/* plan-apply.c - writes a plan's accepted changes to Stash.
 *
 * Order of work:
 *  1. Missing studios/performers/tags the changes name are looked up by
 *     name and alias and created only when absent (and allowed); their ids
 *     are written into the changes before any scene is touched, and the
 *     ones created are recorded for rollback (plan-entities.c).
 *  2. Scenes go in batches: one FindScenesByIds re-reads the batch, one
 *     ScenesUpdate writes it (2 requests per batch of 250 scenes).
 *     A change whose field Stash changed since the plan was made (the
 *     re-read value differs from the plan's "current") becomes a conflict
 *     and is not written.
 *  3. Before the write, one transaction stores each scene's pre-image (the
 *     scene as just re-read) and the intended post-image; after it, one
 *     transaction marks the scenes written, the changes applied (each field
 *     verified against the scenes ScenesUpdate returned) and refreshes the
 *     cache.
 *
 * Crash safety: a scene whose pre-image row holds an intended post-image
 * that covers its pending changes may have been written by a run that
 * died before step 3's second transaction.  The re-read decides: if Stash
 * already holds every intended value the changes are marked applied
 * without writing again; otherwise the normal path runs (and the stored
 * pre-image, captured before any write of ours, is kept).
 *
 * Threading: runs on the calling job worker thread, with its connection
 * and a Stash client of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"
#include "db/scene-store.h"
#include "plans/plan-internal.h"
#include "plans/plan-values.h"
#include "sh-log.h"

#define LOG "apply"

typedef struct chg {
    int64_t id;
    int64_t scene_id;
    char *field;
    json_t *current;
    json_t *proposed;
    int outcome; /* -1 = still accepted, else a ChangeStatus */
    char *error;
} chg;

typedef struct scene_job {
    size_t from, to;   /* range in the change array */
    json_t *fresh;     /* borrowed from the batch map */
    json_t *old_pre;   /* existing pre-image row */
    json_t *old_post;
    bool had_row, was_written;
    json_t *intended;  /* key -> norm */
    json_t *pre, *post;
    bool resumed;
} scene_job;

typedef struct apply_ctx {
    const sh_plan_run_opts *o;
    sh_plan_run_result *r;
    sh_stash_client *client;
    sh_db *db;
    chg *c;
    size_t n;
    bool allow_new;
    int64_t add_tag_id;
} apply_ctx;

static void set_outcome(chg *c, int status, const char *error)
{
    c->outcome = status;
    free(c->error);
    c->error = error ? strdup(error) : NULL;
}

static void free_changes(chg *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].field);
        free(c[i].error);
        json_decref(c[i].current);
        json_decref(c[i].proposed);
    }
    free(c);
}

static json_t *col_json(sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return json_null();
    json_t *v = json_loads(sh_db_column_text(s, col), JSON_DECODE_ANY, NULL);
    return v ? v : json_null();
}

static sh_status load_changes(apply_ctx *x, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(x->db,
                                 "SELECT id, scene_id, field, current_value, proposed_value FROM plan_changes "
                                 "WHERE plan_id = ?1 AND status = 'accepted' ORDER BY scene_id, id",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, x->o->plan_id);
    size_t cap = 0;
    int rc;
    while ((rc = sh_db_step(x->db, s, err)) == 1) {
        if (x->n == cap) {
            cap = cap ? cap * 2 : 1024;
            chg *grown = realloc(x->c, cap * sizeof *grown);
            if (!grown) {
                sqlite3_reset(s);
                return sh_error_set(err, SH_ERR_NOMEM, NULL);
            }
            x->c = grown;
        }
        chg *c = &x->c[x->n++];
        memset(c, 0, sizeof *c);
        c->id = sqlite3_column_int64(s, 0);
        c->scene_id = sqlite3_column_int64(s, 1);
        c->field = strdup(sh_db_column_text(s, 2));
        c->current = col_json(s, 3);
        c->proposed = col_json(s, 4);
        c->outcome = -1;
        if (!c->field)
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
    }
    return rc < 0 ? (err ? err->code : SH_ERR_DB) : SH_OK;
}

static sh_status save_outcomes(apply_ctx *x, size_t from, size_t to, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(x->db,
                                 "UPDATE plan_changes SET status = ?2, error = ?3,"
                                 " applied_at = CASE WHEN ?2 = 'applied' THEN ?4 ELSE applied_at END,"
                                 " applied_by = CASE WHEN ?2 = 'applied' THEN ?5 ELSE applied_by END WHERE id = ?1",
                                 &s, err);
    for (size_t i = from; st == SH_OK && i < to; i++) {
        chg *c = &x->c[i];
        if (c->outcome < 0)
            continue;
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, c->id);
        sqlite3_bind_text(s, 2, sh_change_status_text(c->outcome), -1, SQLITE_STATIC);
        sh_db_bind_text(s, 3, c->error);
        sqlite3_bind_int64(s, 4, sh_now_ms());
        sh_db_bind_text(s, 5, x->o->user);
        if (sh_db_step(x->db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
    }
    return st;
}

/* ------------------------------------------------------------ entities */

static json_t *resolved_item(apply_ctx *x, json_t *names, sh_plan_entity_kind kind, const json_t *item,
                             const char **why, sh_error *err, sh_status *st)
{
    const char *name = json_string_value(json_object_get(item, "name"));
    if (!name || !*name) {
        *why = "a new entity has no name";
        return NULL;
    }
    char key[300];
    snprintf(key, sizeof key, "%d:%s", (int)kind, name);
    for (char *p = key; *p; p++)
        *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    json_t *known = json_object_get(names, key);
    int64_t id = known ? (int64_t)json_integer_value(known) : -1;
    if (id < 0) {
        bool created = false;
        *st = sh_plan_entity_resolve(x->client, x->db, x->o->plan_id, kind, name, x->allow_new, &id, &created, err);
        if (*st != SH_OK)
            return NULL;
        json_object_set_new(names, key, json_integer(id));
    }
    if (id <= 0) {
        *why = "names an entity Stash does not have, and the plan does not allow creating it";
        return NULL;
    }
    return sh_pv_entity(id, name, false);
}

/* Gives every new entity in the accepted changes a Stash id. */
static sh_status resolve_entities(apply_ctx *x, sh_error *err)
{
    json_t *names = json_object();
    sh_status st = SH_OK;
    bool dirty = false;
    for (size_t i = 0; st == SH_OK && i < x->n; i++) {
        chg *c = &x->c[i];
        int kind = sh_pv_field_kind(c->field);
        const char *why = NULL;
        if (kind == SH_PV_STUDIO && json_is_object(c->proposed) &&
            json_integer_value(json_object_get(c->proposed, "id")) <= 0) {
            json_t *e = resolved_item(x, names, SH_PLAN_STUDIO, c->proposed, &why, err, &st);
            if (e) {
                json_decref(c->proposed);
                c->proposed = e;
                dirty = true;
            }
        } else if (kind == SH_PV_SET) {
            sh_plan_entity_kind k = strcmp(c->field, "tags") == 0 ? SH_PLAN_TAG : SH_PLAN_PERFORMER;
            json_t *add = json_object_get(c->proposed, "add");
            for (size_t j = 0; st == SH_OK && !why && j < json_array_size(add); j++) {
                json_t *item = json_array_get(add, j);
                if (json_integer_value(json_object_get(item, "id")) > 0)
                    continue;
                json_t *e = resolved_item(x, names, k, item, &why, err, &st);
                if (e) {
                    json_array_set_new(add, j, e);
                    dirty = true;
                }
            }
        }
        if (why)
            set_outcome(c, STASHHOG__CHANGE_STATUS__CHANGE_FAILED, why);
    }
    if (st == SH_OK && x->o->add_tag && *x->o->add_tag) {
        bool created = false;
        st = sh_plan_entity_resolve(x->client, x->db, x->o->plan_id, SH_PLAN_TAG, x->o->add_tag, true,
                                    &x->add_tag_id, &created, err);
    }
    json_decref(names);
    if (st != SH_OK || !dirty)
        goto out;
    /* Persist the ids so a resumed run never looks them up (or creates) again. */
    sqlite3_stmt *s = NULL;
    if ((st = sh_db_write_begin(x->db, err)) != SH_OK)
        goto out;
    st = sh_db_prepare(x->db, "UPDATE plan_changes SET proposed_value = ?2 WHERE id = ?1", &s, err);
    for (size_t i = 0; st == SH_OK && i < x->n; i++) {
        char *text = json_dumps(x->c[i].proposed, JSON_COMPACT | JSON_ENCODE_ANY);
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, x->c[i].id);
        if (json_is_null(x->c[i].proposed))
            sqlite3_bind_null(s, 2);
        else
            sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
        if (sh_db_step(x->db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
        free(text);
    }
    if (st == SH_OK)
        st = save_outcomes(x, 0, x->n, err);
    if (st == SH_OK)
        st = sh_db_commit(x->db, err);
    else
        sh_db_rollback(x->db);
out:
    return st;
}

/* -------------------------------------------------------------- batches */

static sh_status load_row(apply_ctx *x, scene_job *j, int64_t scene_id, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(x->db,
                                 "SELECT preimage, postimage, written FROM plan_preimages "
                                 "WHERE plan_id = ?1 AND scene_id = ?2",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, x->o->plan_id);
    sqlite3_bind_int64(s, 2, scene_id);
    int rc = sh_db_step(x->db, s, err);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    if (rc == 1) {
        j->had_row = true;
        j->old_pre = col_json(s, 0);
        j->old_post = col_json(s, 1);
        j->was_written = sqlite3_column_int(s, 2) != 0;
    }
    sqlite3_reset(s);
    return SH_OK;
}

/* The target value of one change given the fresh scene; NULL + why on failure. */
static json_t *target_of(const chg *c, const char *key, const json_t *fresh_norm, const char **why,
                         sh_error *err)
{
    if (sh_pv_field_kind(c->field) != SH_PV_SET) {
        json_t *t = sh_pv_norm_plan(c->field, c->proposed);
        if (!t)
            *why = "bad proposed value";
        return t;
    }
    json_t *out = NULL;
    if (sh_pv_set_apply(fresh_norm, c->proposed, &out, err) != SH_OK)
        *why = err ? err->message : "unresolved entity";
    (void)key;
    return out;
}

static bool post_covers(const scene_job *j, const apply_ctx *x)
{
    if (!json_is_object(j->old_post))
        return false;
    for (size_t i = j->from; i < j->to; i++)
        if (x->c[i].outcome < 0 && !json_object_get(j->old_post, sh_pv_input_key(x->c[i].field)))
            return false;
    const char *key;
    json_t *v;
    json_object_foreach(j->old_post, key, v) {
        json_t *now = sh_pv_norm_scene(j->fresh, key);
        bool same = sh_pv_norm_equal(now, v);
        json_decref(now);
        if (!same)
            return false;
    }
    return true;
}

/* Decides what to write for one scene: conflicts, targets, extras. */
static sh_status plan_scene(apply_ctx *x, scene_job *j, json_t *inputs, sh_error *err)
{
    if (!j->fresh) {
        for (size_t i = j->from; i < j->to; i++)
            if (x->c[i].outcome < 0)
                set_outcome(&x->c[i], STASHHOG__CHANGE_STATUS__CHANGE_FAILED, "the scene no longer exists in Stash");
        return SH_OK;
    }
    if (j->had_row && post_covers(j, x)) {
        /* An interrupted run wrote this scene: do not write it twice. */
        for (size_t i = j->from; i < j->to; i++)
            if (x->c[i].outcome < 0)
                set_outcome(&x->c[i], STASHHOG__CHANGE_STATUS__CHANGE_APPLIED, NULL);
        j->resumed = true;
        x->r->scenes_resumed++;
        return SH_OK;
    }
    j->intended = json_object();
    if (!j->intended)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    for (size_t i = j->from; i < j->to; i++) {
        chg *c = &x->c[i];
        if (c->outcome >= 0)
            continue;
        const char *key = sh_pv_input_key(c->field);
        json_t *now = sh_pv_norm_scene(j->fresh, key), *was = sh_pv_norm_plan(c->field, c->current);
        const char *why = NULL;
        sh_error local = {0};
        if (!sh_pv_norm_equal(now, was)) {
            set_outcome(c, STASHHOG__CHANGE_STATUS__CHANGE_CONFLICT, "changed in Stash since the plan was made");
            sh_plan_problem(x->r, c->scene_id, c->field, "changed in Stash since the plan was made");
        } else {
            json_t *t = target_of(c, key, now, &why, &local);
            if (!t)
                set_outcome(c, STASHHOG__CHANGE_STATUS__CHANGE_FAILED, why ? why : "bad value");
            else if (sh_pv_norm_equal(t, now))
                set_outcome(c, STASHHOG__CHANGE_STATUS__CHANGE_APPLIED, NULL); /* Stash already agrees */
            else
                json_object_set(j->intended, key, t);
            json_decref(t);
        }
        json_decref(now);
        json_decref(was);
    }
    if (json_object_size(j->intended) == 0)
        return SH_OK;
    if (x->o->mark_organized)
        json_object_set_new(j->intended, "organized", json_true());
    if (x->add_tag_id > 0) {
        json_t *base = json_object_get(j->intended, "tag_ids");
        json_t *fresh_tags = base ? NULL : sh_pv_norm_scene(j->fresh, "tag_ids");
        json_t *diff = json_pack("{s:[{s:I}]}", "add", "id", (json_int_t)x->add_tag_id), *tags = NULL;
        if (sh_pv_set_apply(base ? base : fresh_tags, diff, &tags, err) == SH_OK)
            json_object_set_new(j->intended, "tag_ids", tags);
        json_decref(fresh_tags);
        json_decref(diff);
    }
    /* Pre-image: the scene as re-read, except members an earlier write of
     * this plan already changed (their true pre-image is the stored one). */
    j->pre = json_deep_copy(j->fresh);
    j->post = json_object();
    if (j->had_row && json_is_object(j->old_post) && json_is_object(j->old_pre)) {
        const char *key;
        json_t *v;
        json_object_foreach(j->old_post, key, v) {
            const char *member = sh_plan_scene_member(key);
            json_t *old = member ? json_object_get(j->old_pre, member) : NULL;
            if (old)
                json_object_set(j->pre, member, old);
            json_object_set(j->post, key, v);
        }
    }
    json_object_update(j->post, j->intended);
    json_t *input = json_pack("{s:s}", "id", json_string_value(json_object_get(j->fresh, "id")) ?: "0");
    const char *key;
    json_t *v;
    json_object_foreach(j->intended, key, v) json_object_set_new(input, key, sh_pv_input_value(key, v));
    json_array_append_new(inputs, input);
    return SH_OK;
}

static sh_status store_rows(apply_ctx *x, scene_job *jobs, size_t n, bool after_write, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(x->db,
                                 "INSERT INTO plan_preimages (plan_id, scene_id, preimage, postimage, captured_at, written)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (plan_id, scene_id) DO UPDATE SET"
                                 " preimage = excluded.preimage, postimage = excluded.postimage,"
                                 " written = excluded.written, restored = 0",
                                 &s, err);
    for (size_t i = 0; st == SH_OK && i < n; i++) {
        scene_job *j = &jobs[i];
        if (!j->pre && !j->resumed)
            continue;
        if (j->resumed) {
            if (after_write)
                continue;
            sqlite3_stmt *w = NULL;
            if ((st = sh_db_prepare(x->db, "UPDATE plan_preimages SET written = 1 WHERE plan_id = ?1 AND scene_id = ?2",
                                    &w, err)) != SH_OK)
                break;
            sqlite3_bind_int64(w, 1, x->o->plan_id);
            sqlite3_bind_int64(w, 2, x->c[j->from].scene_id);
            if (sh_db_step(x->db, w, err) < 0)
                st = err ? err->code : SH_ERR_DB;
            continue;
        }
        char *pre = json_dumps(j->pre, JSON_COMPACT), *post = json_dumps(j->post, JSON_COMPACT);
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, x->o->plan_id);
        sqlite3_bind_int64(s, 2, x->c[j->from].scene_id);
        sqlite3_bind_text(s, 3, pre ? pre : "{}", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, post ? post : "{}", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 5, sh_now_ms());
        sqlite3_bind_int(s, 6, after_write || j->was_written);
        if (sh_db_step(x->db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
        free(pre);
        free(post);
    }
    return st;
}

/* A rejected write: put the rows back as they were. */
static sh_status undo_rows(apply_ctx *x, scene_job *jobs, size_t n, sh_error *err)
{
    sh_status st = SH_OK;
    for (size_t i = 0; st == SH_OK && i < n; i++) {
        scene_job *j = &jobs[i];
        if (!j->pre)
            continue;
        sqlite3_stmt *s = NULL;
        if (!j->had_row) {
            st = sh_db_prepare(x->db, "DELETE FROM plan_preimages WHERE plan_id = ?1 AND scene_id = ?2", &s, err);
        } else {
            st = sh_db_prepare(x->db,
                               "UPDATE plan_preimages SET preimage = ?3, postimage = ?4 WHERE plan_id = ?1 AND scene_id = ?2",
                               &s, err);
            if (st == SH_OK) {
                char *pre = json_dumps(j->old_pre, JSON_COMPACT | JSON_ENCODE_ANY);
                char *post = json_dumps(j->old_post, JSON_COMPACT | JSON_ENCODE_ANY);
                sqlite3_bind_text(s, 3, pre ? pre : "{}", -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(s, 4, post ? post : "{}", -1, SQLITE_TRANSIENT);
                free(pre);
                free(post);
            }
        }
        if (st != SH_OK)
            break;
        sqlite3_bind_int64(s, 1, x->o->plan_id);
        sqlite3_bind_int64(s, 2, x->c[j->from].scene_id);
        if (sh_db_step(x->db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
    }
    return st;
}

static void verify(apply_ctx *x, scene_job *j, const json_t *got)
{
    const char *key;
    json_t *want;
    json_object_foreach(j->intended, key, want) {
        json_t *now = got ? sh_pv_norm_scene(got, key) : NULL;
        bool ok = now && sh_pv_norm_equal(now, want);
        if (now)
            json_object_set(j->post, key, now); /* rollback compares with what Stash really holds */
        json_decref(now);
        const char *field = sh_plan_field_of_key(key);
        for (size_t i = j->from; field && i < j->to; i++)
            if (x->c[i].outcome < 0 && strcmp(x->c[i].field, field) == 0)
                set_outcome(&x->c[i], ok ? STASHHOG__CHANGE_STATUS__CHANGE_APPLIED : STASHHOG__CHANGE_STATUS__CHANGE_FAILED,
                            ok ? NULL : "Stash did not keep the written value");
    }
}

static sh_status run_txn(apply_ctx *x, scene_job *jobs, size_t n, bool after_write, const json_t *refresh,
                         sh_error *err)
{
    sh_status st = sh_db_write_begin(x->db, err);
    if (st != SH_OK)
        return st;
    st = store_rows(x, jobs, n, after_write, err);
    if (st == SH_OK)
        st = save_outcomes(x, jobs[0].from, jobs[n - 1].to, err);
    size_t i;
    json_t *sc;
    json_array_foreach(refresh, i, sc) {
        if (st != SH_OK)
            break;
        st = sh_store_upsert_scene(x->db, sc, sh_now_ms(), false, NULL, err);
    }
    if (st == SH_OK)
        st = sh_db_commit(x->db, err);
    else
        sh_db_rollback(x->db);
    return st;
}

static sh_status run_batch(apply_ctx *x, scene_job *jobs, size_t nj, sh_error *err)
{
    int64_t *ids = calloc(nj ? nj : 1, sizeof *ids);
    if (!ids)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    json_t *fresh = NULL, *inputs = json_array(), *written = NULL, *refresh = json_array();
    sh_status st = inputs && refresh ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
    for (size_t i = 0; st == SH_OK && i < nj; i++)
        ids[i] = x->c[jobs[i].from].scene_id;
    if (st == SH_OK)
        st = sh_plan_stash_read_scenes(x->client, ids, nj, &fresh, err);
    for (size_t i = 0; st == SH_OK && i < nj; i++) {
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)ids[i]);
        jobs[i].fresh = json_object_get(fresh, key);
        if (jobs[i].fresh && !json_object_get(jobs[i].fresh, "id"))
            jobs[i].fresh = NULL;
        if ((st = load_row(x, &jobs[i], ids[i], err)) == SH_OK)
            st = plan_scene(x, &jobs[i], inputs, err);
        if (jobs[i].fresh && !jobs[i].pre)
            json_array_append(refresh, jobs[i].fresh); /* untouched scenes: the cache learns the re-read */
    }
    if (st == SH_OK)
        st = run_txn(x, jobs, nj, false, refresh, err);
    if (st != SH_OK || json_array_size(inputs) == 0)
        goto out;
    x->r->scenes_written += (int64_t)json_array_size(inputs);
    st = sh_plan_stash_update_scenes(x->client, inputs, &written, err);
    if (st != SH_OK) {
        if (sh_plan_transient(st))
            goto out; /* outcome unknown: the resumed run compares */
        /* Stash rejected the batch (one transaction): nothing was written. */
        sh_warn(LOG, "plan %lld: Stash rejected a batch: %s", (long long)x->o->plan_id, sh_error_message(err));
        for (size_t i = 0; i < nj; i++)
            for (size_t k = jobs[i].from; jobs[i].pre && k < jobs[i].to; k++)
                if (x->c[k].outcome < 0) {
                    set_outcome(&x->c[k], STASHHOG__CHANGE_STATUS__CHANGE_FAILED, sh_error_message(err));
                    sh_plan_problem(x->r, x->c[k].scene_id, x->c[k].field, sh_error_message(err));
                }
        if ((st = sh_db_write_begin(x->db, err)) == SH_OK) {
            st = undo_rows(x, jobs, nj, err);
            if (st == SH_OK)
                st = save_outcomes(x, jobs[0].from, jobs[nj - 1].to, err);
            st = st == SH_OK ? sh_db_commit(x->db, err) : (sh_db_rollback(x->db), st);
        }
        goto out;
    }
    json_t *by_id = json_object();
    size_t i;
    json_t *sc;
    json_array_foreach(written, i, sc) {
        const char *id = json_string_value(json_object_get(sc, "id"));
        if (id)
            json_object_set(by_id, id, sc);
    }
    for (size_t k = 0; k < nj; k++) {
        if (!jobs[k].pre)
            continue;
        const json_t *got = json_object_get(by_id, json_string_value(json_object_get(jobs[k].fresh, "id")) ?: "");
        verify(x, &jobs[k], got);
    }
    json_decref(by_id);
    st = run_txn(x, jobs, nj, true, written, err);
out:
    free(ids);
    json_decref(fresh);
    json_decref(inputs);
    json_decref(written);
    json_decref(refresh);
    return st;
}

static void fini_jobs(scene_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_decref(jobs[i].old_pre);
        json_decref(jobs[i].old_post);
        json_decref(jobs[i].intended);
        json_decref(jobs[i].pre);
        json_decref(jobs[i].post);
    }
}

static sh_status final_status(apply_ctx *x, Stashhog__PlanStatus *out, sh_error *err)
{
    sh_arena *a = sh_arena_create();
    Stashhog__PlanSummary *s = NULL;
    sh_status st = a ? sh_plan_summary(x->db, a, x->o->plan_id, &s, err) : sh_error_set(err, SH_ERR_NOMEM, NULL);
    if (st == SH_OK) {
        if (s->applied > 0)
            *out = s->failed + s->conflicts > 0 || s->accepted > 0 ? STASHHOG__PLAN_STATUS__PLAN_PARTIALLY_APPLIED
                                                                   : STASHHOG__PLAN_STATUS__PLAN_APPLIED;
        else
            *out = s->failed + s->conflicts > 0 ? STASHHOG__PLAN_STATUS__PLAN_FAILED
                                                : STASHHOG__PLAN_STATUS__PLAN_REVIEWING;
    }
    sh_arena_destroy(a);
    return st;
}

static sh_status plan_options(apply_ctx *x, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(x->db, "SELECT options, status FROM plans WHERE id = ?1", &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, x->o->plan_id);
    int rc = sh_db_step(x->db, s, err);
    if (rc <= 0)
        return rc < 0 ? (err ? err->code : SH_ERR_DB)
                      : sh_error_set(err, SH_ERR_NOT_FOUND, "no plan %lld", (long long)x->o->plan_id);
    json_t *opt = json_loads(sh_db_column_text(s, 0), 0, NULL);
    x->allow_new = json_is_true(json_object_get(opt, "allow_new_entities"));
    json_decref(opt);
    const char *status = sh_db_column_text(s, 1);
    if (strcmp(status, "rolled_back") == 0)
        st = sh_error_set(err, SH_ERR_CONFLICT, "plan %lld was rolled back; analyze again", (long long)x->o->plan_id);
    sqlite3_reset(s);
    return st;
}

sh_status sh_plan_apply_run(const sh_plan_run_opts *o, sh_plan_run_result *r, sh_error *err)
{
    memset(r, 0, sizeof *r);
    apply_ctx x = {.o = o, .r = r, .db = o->db};
    int batch = o->batch_size > 0 ? (o->batch_size > 1000 ? 1000 : o->batch_size) : 250;
    sh_stash_config cfg = *o->stash;
    cfg.cancelled = o->cancelled;
    cfg.cancel_user_data = o->cancel_user;
    sh_status st = plan_options(&x, err);
    if (st == SH_OK)
        st = load_changes(&x, err);
    if (st == SH_OK && x.n == 0)
        st = sh_error_set(err, SH_ERR_INVALID, "plan %lld has no accepted changes to apply", (long long)o->plan_id);
    if (st != SH_OK)
        goto done;
    if ((st = sh_plan_set_status(x.db, o->svc, o->plan_id, STASHHOG__PLAN_STATUS__PLAN_APPLYING, "applying", false,
                                 err)) != SH_OK ||
        (st = sh_stash_client_create(&cfg, &x.client, err)) != SH_OK)
        goto done;
    if ((st = resolve_entities(&x, err)) != SH_OK)
        goto finish;
    /* Scenes in id order; one scene's changes are one contiguous range. */
    size_t n_scenes = 0;
    for (size_t i = 0; i < x.n; i++)
        n_scenes += i == 0 || x.c[i].scene_id != x.c[i - 1].scene_id;
    scene_job *jobs = calloc((size_t)batch, sizeof *jobs);
    if (!jobs) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto finish;
    }
    size_t at = 0;
    while (st == SH_OK && at < x.n) {
        if (o->cancelled && o->cancelled(o->cancel_user)) {
            st = sh_error_set(err, SH_ERR_CANCELLED, "cancelled");
            break;
        }
        size_t nj = 0;
        memset(jobs, 0, (size_t)batch * sizeof *jobs);
        while (at < x.n && nj < (size_t)batch) {
            jobs[nj].from = at;
            while (at < x.n && x.c[at].scene_id == x.c[jobs[nj].from].scene_id)
                at++;
            jobs[nj++].to = at;
        }
        st = run_batch(&x, jobs, nj, err);
        fini_jobs(jobs, nj);
        r->scenes += (int64_t)nj;
        if (o->progress) {
            char msg[96];
            snprintf(msg, sizeof msg, "applied %lld of %zu scenes", (long long)r->scenes, n_scenes);
            o->progress(o->progress_user, r->scenes, (int64_t)n_scenes, msg);
        }
    }
    free(jobs);
finish:
    for (size_t i = 0; i < x.n; i++) {
        r->applied += x.c[i].outcome == STASHHOG__CHANGE_STATUS__CHANGE_APPLIED;
        r->failed += x.c[i].outcome == STASHHOG__CHANGE_STATUS__CHANGE_FAILED;
        r->conflicts += x.c[i].outcome == STASHHOG__CHANGE_STATUS__CHANGE_CONFLICT;
    }
    /* From the record, so a resumed run counts what an interrupted one created. */
    sh_error e1 = {0};
    if (sh_plan_entities_count(x.db, o->plan_id, &r->entities_created, NULL, NULL, &e1) != SH_OK)
        sh_warn(LOG, "plan %lld: %s", (long long)o->plan_id, sh_error_message(&e1));
    if (x.client) {
        sh_stash_client_stats cs;
        sh_stash_client_get_stats(x.client, &cs);
        sh_metrics_stash_client(&cs);
        r->requests = (int64_t)cs.requests;
    }
    /* Transient failures leave the plan applying: the job is retried and resumes. */
    if (st == SH_OK || !sh_plan_transient(st) || st == SH_ERR_CANCELLED) {
        sh_error e2 = {0};
        Stashhog__PlanStatus fs = STASHHOG__PLAN_STATUS__PLAN_FAILED;
        if (final_status(&x, &fs, &e2) == SH_OK) {
            r->status = fs;
            sh_plan_set_status(x.db, o->svc, o->plan_id, fs, st == SH_OK ? "applied" : "apply stopped", false, &e2);
        }
    } else {
        r->status = STASHHOG__PLAN_STATUS__PLAN_APPLYING;
    }
done:
    sh_stash_client_destroy(x.client);
    free_changes(x.c, x.n);
    return st;
}
