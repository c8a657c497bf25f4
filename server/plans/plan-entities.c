/* plan-entities.c - the studios, performers and tags a plan creates in
 * Stash: found or created by name during apply and recorded in
 * plan_entities, destroyed again by rollback when nothing uses them.
 *
 * Apply: a lookup by name and alias comes first; only a name Stash does not
 * know is created.  The record is written in two short transactions around
 * the create request: an intent row ('creating', no Stash id) before it, and
 * the Stash id plus Stash's updated_at right after creation ('created')
 * after it.  A run that died in between finds the entity by name on its
 * next attempt and adopts it through the intent row, so the entity is never
 * lost from the record nor counted twice.  No transaction is held across an
 * HTTP request.
 *
 * Rollback (after every scene is restored), newest record first, so a
 * studio that only parented a newer created studio is free once that one
 * is gone:
 *   not found under its name     -> kept (renamed or deleted by someone),
 *                                   or deleted when our destroy was already
 *                                   sent ('deleting': a resumed run)
 *   renamed / updated_at differs -> kept: edited in Stash since apply
 *   any scene still references it (findScenes count, one-row page),
 *   or (studios) it parents a studio -> kept, with the count
 *   otherwise                    -> 'deleting', destroy, 'deleted' and
 *                                   removed from the cache
 * The counts the job reports come from the table, so a resumed rollback
 * reports what the interrupted one already did.
 *
 * Threading: called on the apply/rollback job's worker thread, with that
 * thread's connection and Stash client; no state of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/scene-store.h"
#include "plans/plan-internal.h"
#include "sh-log.h"

#define LOG "plans"

static const struct kind_ops {
    const char *text; /* plan_entities.kind */
    const char *find, *find_field, *list_field, *alias_field;
    const char *create, *create_field;
    const char *destroy, *destroy_field;
    const char *scene_criterion; /* SceneFilterType member */
    sh_store_kind store;
} kops[] = {
    [SH_PLAN_STUDIO] = {"studio", "FindStudioByName", "findStudios", "studios", "aliases", "StudioCreate",
                        "studioCreate", "StudioDestroy", "studioDestroy", "studios", SH_STORE_STUDIO},
    [SH_PLAN_PERFORMER] = {"performer", "FindPerformerByName", "findPerformers", "performers", "alias_list",
                           "PerformerCreate", "performerCreate", "PerformerDestroy", "performerDestroy",
                           "performers", SH_STORE_PERFORMER},
    [SH_PLAN_TAG] = {"tag", "FindTagByName", "findTags", "tags", "aliases", "TagCreate", "tagCreate",
                     "TagDestroy", "tagDestroy", "tags", SH_STORE_TAG},
};

static int kind_parse(const char *text)
{
    for (int k = 0; text && k < (int)(sizeof kops / sizeof kops[0]); k++)
        if (strcmp(kops[k].text, text) == 0)
            return k;
    return -1;
}

static const json_t *match_in(const json_t *list, const char *alias_field, const char *name, int64_t want_id)
{
    size_t i, j;
    json_t *e, *a;
    json_array_foreach(list, i, e) {
        const char *n = json_string_value(json_object_get(e, "name"));
        if (want_id > 0 ? sh_store_json_id(json_object_get(e, "id")) == want_id : n && strcasecmp(n, name) == 0)
            return e;
    }
    if (want_id > 0)
        return NULL;
    /* Stash's EQUALS is a SQL LIKE: check the alias match ourselves too. */
    json_array_foreach(list, i, e) {
        json_array_foreach(json_object_get(e, alias_field), j, a) {
            if (json_is_string(a) && strcasecmp(json_string_value(a), name) == 0)
                return e;
        }
    }
    return NULL;
}

/* The entity called (or aliased) name; with want_id, only that entity.
 * *out is a new reference, NULL when Stash has none. */
static sh_status find_entity(sh_stash_client *c, sh_plan_entity_kind kind, const char *name, int64_t want_id,
                             json_t **out, sh_error *err)
{
    const struct kind_ops *op = &kops[kind];
    *out = NULL;
    json_t *vars = json_pack("{s:s}", "name", name), *data = NULL;
    if (!vars)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = sh_stash_execute(c, op->find, vars, &data, err);
    json_decref(vars);
    if (st != SH_OK)
        return sh_error_prefix(err, "looking up %s '%s'", op->text, name);
    const json_t *e =
        match_in(json_object_get(json_object_get(data, op->find_field), op->list_field), op->alias_field, name, want_id);
    if (e)
        *out = json_deep_copy(e);
    json_decref(data);
    return e && !*out ? sh_error_set(err, SH_ERR_NOMEM, NULL) : SH_OK;
}

/* ---------------------------------------------------------------- apply */

/* Runs one statement on the (plan, kind, name) record: ?1..?3 are the key,
 * and where the statement uses them ?4 the Stash id, ?5 its updated_at,
 * ?6 the time now and ?7 its name.  *changed: rows touched. */
static sh_status record_exec(sh_db *db, const char *sql, int64_t plan_id, sh_plan_entity_kind kind, const char *name,
                             const json_t *e, int *changed, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, sql, &s, err);
    if (st != SH_OK)
        return st;
    int np = sqlite3_bind_parameter_count(s);
    sqlite3_bind_int64(s, 1, plan_id);
    sqlite3_bind_text(s, 2, kops[kind].text, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_TRANSIENT);
    if (np >= 4)
        sqlite3_bind_int64(s, 4, e ? sh_store_json_id(json_object_get(e, "id")) : 0);
    if (np >= 5)
        sh_db_bind_text(s, 5, e ? json_string_value(json_object_get(e, "updated_at")) : NULL);
    if (np >= 6)
        sqlite3_bind_int64(s, 6, sh_now_ms());
    if (np >= 7)
        sh_db_bind_text(s, 7, e ? json_string_value(json_object_get(e, "name")) : NULL);
    if (sh_db_step(db, s, err) < 0)
        return err ? err->code : SH_ERR_DB;
    if (changed)
        *changed = sqlite3_changes(sh_db_handle(db));
    return SH_OK;
}

#define SQL_KEY "plan_id = ?1 AND kind = ?2 AND name = ?3 COLLATE NOCASE"
#define SQL_ADOPT                                                                                      \
    "UPDATE plan_entities SET stash_id = ?4, stash_updated_at = ?5, state = 'created', resolved_at = NULL," \
    " name = coalesce(?7, name) WHERE " SQL_KEY " AND state = 'creating'"
#define SQL_INTENT_CLEAR "DELETE FROM plan_entities WHERE " SQL_KEY
#define SQL_INTENT_ADD "INSERT INTO plan_entities (plan_id, kind, name, created_at) VALUES (?1, ?2, ?3, ?6)"
#define SQL_INTENT_DROP SQL_INTENT_CLEAR " AND state = 'creating'"

/* Caches the entity and, when it completes an intent row of this plan,
 * records it as created (*adopted). */
static sh_status store_found(sh_db *db, int64_t plan_id, sh_plan_entity_kind kind, const char *name,
                             const json_t *e, bool *adopted, sh_error *err)
{
    int n = 0;
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    st = sh_store_upsert_entity(db, kops[kind].store, e, sh_now_ms(), err);
    if (st == SH_OK)
        st = record_exec(db, SQL_ADOPT, plan_id, kind, name, e, &n, err);
    st = sh_db_finish(db, st, err);
    *adopted = st == SH_OK && n > 0;
    return st;
}

/* One statement in its own transaction. */
static sh_status record_txn(sh_db *db, const char *sql, int64_t plan_id, sh_plan_entity_kind kind, const char *name,
                            sh_error *err)
{
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    return sh_db_finish(db, record_exec(db, sql, plan_id, kind, name, NULL, NULL, err), err);
}

sh_status sh_plan_entity_resolve(sh_stash_client *c, sh_db *db, int64_t plan_id, sh_plan_entity_kind kind,
                                 const char *name, bool create, int64_t *id, bool *created, sh_error *err)
{
    const struct kind_ops *op = &kops[kind];
    json_t *found = NULL, *data = NULL, *vars = NULL;
    *id = 0;
    *created = false;
    sh_status st = find_entity(c, kind, name, 0, &found, err);
    if (st != SH_OK)
        return st;
    if (found) {
        /* Also the end of a create an interrupted run of this plan sent. */
        *id = sh_store_json_id(json_object_get(found, "id"));
        st = store_found(db, plan_id, kind, name, found, created, err);
        goto out;
    }
    if (!create)
        return SH_OK;
    /* Intent first: the create's outcome may never be seen by this run.
     * (A record of an entity Stash no longer has is replaced.) */
    if ((st = sh_db_write_begin(db, err)) != SH_OK)
        return st;
    sh_status w = record_exec(db, SQL_INTENT_CLEAR, plan_id, kind, name, NULL, NULL, err);
    if (w == SH_OK)
        w = record_exec(db, SQL_INTENT_ADD, plan_id, kind, name, NULL, NULL, err);
    if ((st = sh_db_finish(db, w, err)) != SH_OK)
        return st;
    if (!(vars = json_pack("{s:{s:s}}", "input", "name", name)))
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    st = sh_stash_execute(c, op->create, vars, &data, err);
    json_decref(vars);
    if (st != SH_OK) {
        /* Refused: nothing was created, so there is nothing to record.
         * Unknown outcome (transient): the intent stays for the next run. */
        sh_error e2 = {0};
        if (!sh_plan_transient(st) && record_txn(db, SQL_INTENT_DROP, plan_id, kind, name, &e2) != SH_OK)
            sh_warn(LOG, "plan %lld: %s", (long long)plan_id, sh_error_message(&e2));
        return sh_error_prefix(err, "creating %s '%s'", op->text, name);
    }
    json_t *made = json_object_get(data, op->create_field);
    *id = sh_store_json_id(json_object_get(made, "id"));
    if (*id <= 0) {
        st = sh_error_set(err, SH_ERR_PROTOCOL, "Stash created %s '%s' but returned no id", op->text, name);
        goto out;
    }
    /* The create's reply has no updated_at: read the entity back once, for
     * the cache and for rollback's "edited since" check. */
    sh_error e2 = {0};
    if (find_entity(c, kind, name, *id, &found, &e2) != SH_OK || !found)
        sh_warn(LOG, "plan %lld: could not read back new %s %lld: %s", (long long)plan_id, op->text, (long long)*id,
                e2.code ? sh_error_message(&e2) : "not found by name");
    st = store_found(db, plan_id, kind, name, found ? found : made, created, err);
    if (st == SH_OK && !*created)
        st = sh_error_set(err, SH_ERR_DB, "plan %lld: the record of new %s '%s' disappeared", (long long)plan_id,
                          op->text, name);
    if (st == SH_OK)
        sh_info(LOG, "plan %lld: created %s '%s' (id %lld)", (long long)plan_id, op->text, name, (long long)*id);
out:
    json_decref(found);
    json_decref(data);
    return st;
}

sh_status sh_plan_entities_count(sh_db *db, int64_t plan_id, int64_t *created, int64_t *deleted, int64_t *kept,
                                 sh_error *err)
{
    sqlite3_stmt *s = NULL;
    int64_t v[3] = {0, 0, 0};
    sh_status st = sh_db_prepare(db,
                                 "SELECT count(*) FILTER (WHERE state <> 'creating'),"
                                 " count(*) FILTER (WHERE state = 'deleted'), count(*) FILTER (WHERE state = 'kept')"
                                 " FROM plan_entities WHERE plan_id = ?1",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, plan_id);
    int rc = sh_db_step(db, s, err);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    for (int i = 0; rc == 1 && i < 3; i++)
        v[i] = sqlite3_column_int64(s, i);
    sqlite3_reset(s);
    if (created)
        *created = v[0];
    if (deleted)
        *deleted = v[1];
    if (kept)
        *kept = v[2];
    return SH_OK;
}

/* ------------------------------------------------------------- rollback */

typedef struct ent {
    int64_t row;
    sh_plan_entity_kind kind;
    char *name;
    int64_t stash_id;
    char *updated_at; /* after creation; NULL if unknown */
    char *state;
} ent;

static void ents_free(ent *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].updated_at);
        free(v[i].state);
    }
    free(v);
}

static sh_status load_ents(sh_db *db, int64_t plan_id, ent **out, size_t *n_out, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    *out = NULL;
    *n_out = 0;
    sh_status st = sh_db_prepare(db,
                                 "SELECT id, kind, name, stash_id, stash_updated_at, state FROM plan_entities"
                                 " WHERE plan_id = ?1 AND state <> 'deleted' ORDER BY id DESC",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, plan_id);
    ent *v = NULL;
    size_t n = 0;
    int rc;
    while ((rc = sh_db_step(db, s, err)) == 1) {
        int kind = kind_parse(sh_db_column_text(s, 1));
        if (kind < 0)
            continue;
        ent *grown = realloc(v, (n + 1) * sizeof *grown);
        if (!grown) {
            sqlite3_reset(s);
            ents_free(v, n);
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        }
        v = grown;
        ent *e = &v[n++];
        e->row = sqlite3_column_int64(s, 0);
        e->kind = (sh_plan_entity_kind)kind;
        e->name = strdup(sh_db_column_text(s, 2));
        e->stash_id = sqlite3_column_int64(s, 3);
        e->updated_at = sqlite3_column_type(s, 4) == SQLITE_NULL ? NULL : strdup(sh_db_column_text(s, 4));
        e->state = strdup(sh_db_column_text(s, 5));
        if (!e->name || !e->state) {
            sqlite3_reset(s);
            ents_free(v, n);
            return sh_error_set(err, SH_ERR_NOMEM, NULL);
        }
    }
    if (rc < 0) {
        ents_free(v, n);
        return err ? err->code : SH_ERR_DB;
    }
    *out = v;
    *n_out = n;
    return SH_OK;
}

/* One row's new state (and reason); removes the entity from the cache when
 * it is gone from Stash.  state NULL deletes the row. */
static sh_status settle(sh_db *db, const ent *e, const char *state, const char *reason, sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    if (state)
        st = sh_db_prepare(db,
                           "UPDATE plan_entities SET state = ?2, reason = ?3, stash_id = nullif(?4, 0),"
                           " resolved_at = ?5 WHERE id = ?1",
                           &s, err);
    else
        st = sh_db_prepare(db, "DELETE FROM plan_entities WHERE id = ?1", &s, err);
    if (st == SH_OK) {
        sqlite3_bind_int64(s, 1, e->row);
        if (state) {
            sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
            sh_db_bind_text(s, 3, reason);
            sqlite3_bind_int64(s, 4, e->stash_id);
            sqlite3_bind_int64(s, 5, sh_now_ms());
        }
        if (sh_db_step(db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
    }
    if (st == SH_OK && state && strcmp(state, "deleted") == 0 && e->stash_id > 0)
        st = sh_store_delete_entity(db, kops[e->kind].store, e->stash_id, err);
    return sh_db_finish(db, st, err);
}

/* count of a find operation: one-row page, never per_page -1. */
static sh_status count_of(sh_stash_client *c, const char *op, const char *field, const char *filter_var,
                          json_t *filter, int64_t *n, sh_error *err)
{
    *n = 0;
    json_t *vars = json_pack("{s:{s:i,s:s,s:s},s:o}", "filter", "per_page", 1, "sort", "id", "direction", "ASC",
                             filter_var, filter),
           *data = NULL;
    if (!vars)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = sh_stash_execute(c, op, vars, &data, err);
    json_decref(vars);
    if (st != SH_OK)
        return st;
    json_t *count = json_object_get(json_object_get(data, field), "count");
    if (!json_is_integer(count))
        st = sh_error_set(err, SH_ERR_PROTOCOL, "%s returned no count", field);
    else
        *n = json_integer_value(count);
    json_decref(data);
    return st;
}

/* Why the entity must stay (written to why), or "" when it may go. */
static sh_status still_used(sh_stash_client *c, const ent *e, char *why, size_t len, sh_error *err)
{
    char id[32];
    int64_t n = 0;
    snprintf(id, sizeof id, "%lld", (long long)e->stash_id);
    why[0] = '\0';
    sh_status st = count_of(c, "FindSceneIds", "findScenes", "scene_filter",
                            json_pack("{s:{s:[s],s:s}}", kops[e->kind].scene_criterion, "value", id, "modifier",
                                      "INCLUDES"),
                            &n, err);
    if (st == SH_OK && n > 0) {
        snprintf(why, len, "used by %lld scene%s", (long long)n, n == 1 ? "" : "s");
        return SH_OK;
    }
    if (st == SH_OK && e->kind == SH_PLAN_STUDIO) {
        st = count_of(c, "FindStudios", "findStudios", "studio_filter",
                      json_pack("{s:{s:[s],s:s}}", "parents", "value", id, "modifier", "INCLUDES"), &n, err);
        if (st == SH_OK && n > 0)
            snprintf(why, len, "parent of %lld studio%s", (long long)n, n == 1 ? "" : "s");
    }
    return st;
}

static sh_status destroy(sh_stash_client *c, sh_db *db, ent *e, sh_error *err)
{
    const struct kind_ops *op = &kops[e->kind];
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)e->stash_id);
    /* Marked first: a resumed run that no longer finds it knows why. */
    sh_status st = settle(db, e, "deleting", NULL, err);
    if (st != SH_OK)
        return st;
    json_t *vars = json_pack("{s:{s:s}}", "input", "id", id), *data = NULL;
    if (!vars)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    st = sh_stash_execute(c, op->destroy, vars, &data, err);
    json_decref(vars);
    json_decref(data);
    if (st == SH_OK) {
        sh_info(LOG, "deleted %s '%s' (id %s), which a rolled-back plan created", op->text, e->name, id);
        return settle(db, e, "deleted", NULL, err);
    }
    if (sh_plan_transient(st))
        return st; /* outcome unknown: the resumed run looks again */
    /* Refused: gone already (e.g. deleted by hand), or Stash keeps it. */
    char msg[200];
    snprintf(msg, sizeof msg, "Stash refused to delete it: %s", sh_error_message(err));
    json_t *still = NULL;
    if ((st = find_entity(c, e->kind, e->name, e->stash_id, &still, err)) != SH_OK)
        return st;
    st = still ? settle(db, e, "kept", msg, err) : settle(db, e, "deleted", NULL, err);
    json_decref(still);
    return st;
}

static sh_status rollback_one(sh_stash_client *c, sh_db *db, ent *e, sh_error *err)
{
    json_t *cur = NULL;
    char why[160] = "";
    sh_status st = find_entity(c, e->kind, e->name, e->stash_id, &cur, err);
    if (st != SH_OK)
        return st;
    if (!cur) {
        if (strcmp(e->state, "creating") == 0)
            return settle(db, e, NULL, NULL, err); /* the create never happened */
        if (strcmp(e->state, "deleting") == 0)
            return settle(db, e, "deleted", NULL, err); /* our destroy got through */
        return settle(db, e, "kept", "no longer in Stash under that name (renamed or deleted since apply)", err);
    }
    if (e->stash_id <= 0)
        e->stash_id = sh_store_json_id(json_object_get(cur, "id")); /* adopted from an unfinished create */
    const char *name = json_string_value(json_object_get(cur, "name"));
    const char *updated = json_string_value(json_object_get(cur, "updated_at"));
    if (!name || strcmp(name, e->name) != 0)
        snprintf(why, sizeof why, "renamed to '%s' in Stash since apply", name ? name : "");
    else if (e->updated_at && (!updated || strcmp(updated, e->updated_at) != 0))
        snprintf(why, sizeof why, "edited in Stash since apply");
    json_decref(cur);
    if (!why[0] && (st = still_used(c, e, why, sizeof why, err)) != SH_OK)
        return st;
    if (why[0])
        return settle(db, e, "kept", why, err);
    return destroy(c, db, e, err);
}

sh_status sh_plan_entities_rollback(sh_stash_client *c, sh_db *db, int64_t plan_id, sh_plan_run_result *r,
                                    sh_error *err)
{
    ent *v = NULL;
    size_t n = 0;
    sh_status st = load_ents(db, plan_id, &v, &n, err);
    for (size_t i = 0; st == SH_OK && i < n; i++)
        st = rollback_one(c, db, &v[i], err);
    ents_free(v, n);
    if (st != SH_OK)
        return st;
    if ((st = sh_plan_entities_count(db, plan_id, NULL, &r->entities_deleted, &r->entities_kept, err)) != SH_OK)
        return st;
    /* Everything this plan created, as the job result lists it. */
    sqlite3_stmt *s = NULL;
    if ((st = sh_db_prepare(db,
                            "SELECT kind, name, stash_id, state, reason FROM plan_entities"
                            " WHERE plan_id = ?1 AND state IN ('deleted', 'kept') ORDER BY id",
                            &s, err)) != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, plan_id);
    json_decref(r->entities);
    r->entities = json_array();
    int rc = 0;
    while (r->entities && (rc = sh_db_step(db, s, err)) == 1) {
        json_t *o = json_pack("{s:s,s:s,s:I,s:s}", "kind", sh_db_column_text(s, 0), "name", sh_db_column_text(s, 1),
                              "id", (json_int_t)sqlite3_column_int64(s, 2), "outcome", sh_db_column_text(s, 3));
        if (o && sqlite3_column_type(s, 4) != SQLITE_NULL)
            json_object_set_new(o, "reason", json_string(sh_db_column_text(s, 4)));
        json_array_append_new(r->entities, o);
    }
    sqlite3_reset(s);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    if (r->entities_kept > 0)
        sh_info(LOG, "plan %lld: %lld created entities deleted, %lld kept", (long long)plan_id,
                (long long)r->entities_deleted, (long long)r->entities_kept);
    return r->entities ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
}
