/* plan-review.c - accepting, rejecting and editing changes.
 *
 * Selectors combine with AND; each is optional, but at least one (or
 * `all`) must be given so a bare "accept" never touches a whole plan by
 * accident.  Only changes still under review (pending, accepted,
 * rejected) move: applied, failed and conflicting changes keep their
 * outcome. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plans/plan-internal.h"
#include "plans/plan-values.h"
#include "plans/plans.h"

static sh_status ids_json(const int64_t *ids, size_t n, char **out, sh_error *err)
{
    *out = NULL;
    if (!n)
        return SH_OK;
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_integer(ids[i]));
    *out = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return *out ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
}

/* Plans being applied or rolled back are frozen; others are reviewable. */
static sh_status check_reviewable(sh_db *db, int64_t plan_id, Stashhog__PlanStatus *status, sh_error *err)
{
    sh_status st = sh_plan_get_status(db, plan_id, status, err);
    if (st != SH_OK)
        return st;
    int64_t active = 0;
    if (*status == STASHHOG__PLAN_STATUS__PLAN_APPLYING &&
        ((st = sh_plan_active_jobs(db, plan_id, &active, err)) != SH_OK || active > 0))
        /* No job left means the apply gave up (attempts exhausted): reviewable again. */
        return st != SH_OK ? st : sh_error_set(err, SH_ERR_BUSY, "plan %lld is being applied", (long long)plan_id);
    if (*status == STASHHOG__PLAN_STATUS__PLAN_ROLLED_BACK)
        return sh_error_set(err, SH_ERR_CONFLICT, "plan %lld was rolled back", (long long)plan_id);
    return SH_OK;
}

sh_status sh_plan_review(sh_db *db, sh_services *svc, const Stashhog__PlanReviewRequest *req,
                         int64_t *updated, sh_error *err)
{
    *updated = 0;
    bool any = (req->has_all && req->all) || req->n_change_ids || req->n_scene_ids || req->field ||
               req->has_min_confidence || req->has_max_confidence;
    if (!any)
        return sh_error_set(err, SH_ERR_INVALID,
                            "choose changes: all, change ids, scene ids, a field or a confidence range");
    if (req->field && sh_pv_field_kind(req->field) < 0)
        return sh_error_set(err, SH_ERR_INVALID, "unknown field '%s'", req->field);
    if ((req->has_min_confidence && (req->min_confidence < 0 || req->min_confidence > 1)) ||
        (req->has_max_confidence && (req->max_confidence < 0 || req->max_confidence > 1)))
        return sh_error_set(err, SH_ERR_INVALID, "confidence must be between 0 and 1");
    const char *to;
    switch (req->action) {
    case STASHHOG__REVIEW_ACTION__REVIEW_ACCEPT: to = "accepted"; break;
    case STASHHOG__REVIEW_ACTION__REVIEW_REJECT: to = "rejected"; break;
    case STASHHOG__REVIEW_ACTION__REVIEW_RESET: to = "pending"; break;
    default: return sh_error_set(err, SH_ERR_INVALID, "unknown review action");
    }
    char *change_ids = NULL, *scene_ids = NULL;
    sh_status st = ids_json(req->change_ids, req->n_change_ids, &change_ids, err);
    if (st == SH_OK)
        st = ids_json(req->scene_ids, req->n_scene_ids, &scene_ids, err);
    if (st != SH_OK)
        goto done;
    if ((st = sh_db_write_begin(db, err)) != SH_OK)
        goto done;
    Stashhog__PlanStatus status = STASHHOG__PLAN_STATUS__PLAN_DRAFT;
    sqlite3_stmt *s = NULL;
    if ((st = check_reviewable(db, req->plan_id, &status, err)) != SH_OK)
        goto out;
    if ((st = sh_db_prepare(db,
                            "UPDATE plan_changes SET status = ?2 "
                            "WHERE plan_id = ?1 AND status IN ('pending','accepted','rejected') AND status <> ?2"
                            " AND (?3 IS NULL OR id IN (SELECT value FROM json_each(?3)))"
                            " AND (?4 IS NULL OR scene_id IN (SELECT value FROM json_each(?4)))"
                            " AND (?5 IS NULL OR field = ?5)"
                            " AND (?6 IS NULL OR confidence >= ?6 - 1e-9)"
                            " AND (?7 IS NULL OR confidence <= ?7 + 1e-9)",
                            &s, err)) != SH_OK)
        goto out;
    sqlite3_bind_int64(s, 1, req->plan_id);
    sqlite3_bind_text(s, 2, to, -1, SQLITE_STATIC);
    sh_db_bind_text(s, 3, change_ids);
    sh_db_bind_text(s, 4, scene_ids);
    sh_db_bind_text(s, 5, req->field);
    if (req->has_min_confidence)
        sqlite3_bind_double(s, 6, req->min_confidence);
    if (req->has_max_confidence)
        sqlite3_bind_double(s, 7, req->max_confidence);
    if (sh_db_step(db, s, err) < 0) {
        st = err ? err->code : SH_ERR_DB;
        goto out;
    }
    *updated = sqlite3_changes(sh_db_handle(db));
    if (status == STASHHOG__PLAN_STATUS__PLAN_DRAFT)
        st = sh_plan_set_status(db, NULL, req->plan_id, STASHHOG__PLAN_STATUS__PLAN_REVIEWING, NULL, true, err);
out:
    st = sh_db_finish(db, st, err);
    if (st == SH_OK && *updated > 0)
        sh_plan_publish(svc, req->plan_id,
                        status == STASHHOG__PLAN_STATUS__PLAN_DRAFT ? STASHHOG__PLAN_STATUS__PLAN_REVIEWING
                                                                     : (int)status,
                        "reviewed");
done:
    free(change_ids);
    free(scene_ids);
    return st;
}

/* A FieldValue entity as a stored entity object (id 0 + is_new: to create). */
static json_t *entity_of(const Stashhog__EntityRef *r)
{
    return sh_pv_entity(r->id, r->name, (r->has_is_new && r->is_new) || r->id <= 0);
}

static bool list_has(const json_t *list, int64_t id, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        int64_t vid = (int64_t)json_integer_value(json_object_get(v, "id"));
        const char *vname = json_string_value(json_object_get(v, "name"));
        if (id > 0 ? vid == id : (vid <= 0 && vname && name && strcasecmp(vname, name) == 0))
            return true;
    }
    return false;
}

/* The desired member list against the current one: a diff.  desired is
 * stolen when given, else built from v. */
static json_t *set_diff(const json_t *current, const Stashhog__FieldValue *v, json_t *desired)
{
    json_t *add = json_array(), *remove = json_array();
    if (!desired) {
        desired = json_array();
        for (size_t i = 0; i < v->n_entities; i++)
            json_array_append_new(desired, entity_of(v->entities[i]));
    }
    size_t i;
    json_t *e;
    json_array_foreach(desired, i, e) {
        int64_t id = (int64_t)json_integer_value(json_object_get(e, "id"));
        if (!list_has(current, id, json_string_value(json_object_get(e, "name"))))
            json_array_append(add, e);
    }
    json_array_foreach(current, i, e) {
        int64_t id = (int64_t)json_integer_value(json_object_get(e, "id"));
        if (!list_has(desired, id, json_string_value(json_object_get(e, "name"))))
            json_array_append(remove, e);
    }
    json_decref(desired);
    return json_pack("{s:o,s:o}", "add", add, "remove", remove);
}

static const struct kind_sql {
    const char *by_id, *by_name;
} kind_sql[] = {
    {"SELECT id, name FROM studios WHERE id = ?1",
     "SELECT id, name FROM studios WHERE name = ?1 COLLATE NOCASE UNION ALL "
     "SELECT s.id, s.name FROM studios s JOIN studio_aliases a ON a.studio_id = s.id WHERE a.alias = ?1 COLLATE NOCASE"},
    {"SELECT id, name FROM performers WHERE id = ?1",
     "SELECT id, name FROM performers WHERE name = ?1 COLLATE NOCASE UNION ALL "
     "SELECT p.id, p.name FROM performers p JOIN performer_aliases a ON a.performer_id = p.id "
     "WHERE a.alias = ?1 COLLATE NOCASE"},
    {"SELECT id, name FROM tags WHERE id = ?1",
     "SELECT id, name FROM tags WHERE name = ?1 COLLATE NOCASE UNION ALL "
     "SELECT t.id, t.name FROM tags t JOIN tag_aliases a ON a.tag_id = t.id WHERE a.alias = ?1 COLLATE NOCASE"},
};

/* A typed value ("12", or a name / alias known to the cache, or a new
 * name) as a stored entity object. */
static sh_status entity_from_text(sh_db *db, int kind, const char *text, json_t **out, sh_error *err)
{
    char *end = NULL;
    long long id = strtoll(text, &end, 10);
    bool numeric = *text && end && !*end;
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db, numeric ? kind_sql[kind].by_id : kind_sql[kind].by_name, &s, err);
    if (st != SH_OK)
        return st;
    if (numeric)
        sqlite3_bind_int64(s, 1, id);
    else
        sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT);
    int rc = sh_db_step(db, s, err);
    if (rc < 0)
        return err ? err->code : SH_ERR_DB;
    if (rc == 1)
        *out = sh_pv_entity(sqlite3_column_int64(s, 0), sh_db_column_text(s, 1), false);
    else if (numeric)
        return sh_error_set(err, SH_ERR_NOT_FOUND, "no entity with id %lld in the cache", id);
    else
        *out = sh_pv_entity(0, text, true); /* created at apply time, if the plan allows */
    sqlite3_reset(s);
    return *out ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
}

/* Text values for entity fields: "Name", "12", or "a, b, 12" for sets. */
static sh_status entities_from_text(sh_db *db, const char *field, const char *text, json_t **out, sh_error *err)
{
    int kind = strcmp(field, "studio") == 0 ? 0 : strcmp(field, "performers") == 0 ? 1 : 2;
    json_t *list = json_array();
    char *copy = strdup(text), *save = NULL;
    sh_status st = list && copy ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; st == SH_OK && tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = '\0';
        if (!len)
            continue;
        json_t *e = NULL;
        if ((st = entity_from_text(db, kind, tok, &e, err)) == SH_OK)
            json_array_append_new(list, e);
        if (kind == 0)
            break; /* one studio */
    }
    free(copy);
    if (st != SH_OK) {
        json_decref(list);
        return st;
    }
    *out = list;
    return SH_OK;
}

static bool valid_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'), m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    return y >= 1000 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

sh_status sh_plan_edit(sh_db *db, sh_services *svc, const Stashhog__PlanEditRequest *req, sh_error *err)
{
    if (!req->value)
        return sh_error_set(err, SH_ERR_INVALID, "edit needs a value");
    const Stashhog__FieldValue *v = req->value;
    bool is_null = v->has_is_null && v->is_null;
    sh_status st = sh_db_write_begin(db, err);
    if (st != SH_OK)
        return st;
    Stashhog__PlanStatus status = STASHHOG__PLAN_STATUS__PLAN_DRAFT;
    sqlite3_stmt *s = NULL;
    json_t *current = NULL, *proposed = NULL;
    char *field = NULL;
    if ((st = check_reviewable(db, req->plan_id, &status, err)) != SH_OK)
        goto out;
    if ((st = sh_db_prepare(db, "SELECT field, current_value, status FROM plan_changes WHERE id = ?1 AND plan_id = ?2",
                            &s, err)) != SH_OK)
        goto out;
    sqlite3_bind_int64(s, 1, req->change_id);
    sqlite3_bind_int64(s, 2, req->plan_id);
    int rc = sh_db_step(db, s, err);
    if (rc <= 0) {
        st = rc < 0 ? (err ? err->code : SH_ERR_DB)
                    : sh_error_set(err, SH_ERR_NOT_FOUND, "plan %lld has no change %lld", (long long)req->plan_id,
                                   (long long)req->change_id);
        goto out;
    }
    field = strdup(sh_db_column_text(s, 0));
    const char *cur_text = sh_db_column_text(s, 1);
    current = cur_text && *cur_text ? json_loads(cur_text, JSON_DECODE_ANY, NULL) : json_null();
    int cstatus = sh_change_status_parse(sh_db_column_text(s, 2));
    sqlite3_reset(s);
    if (!field || !current) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    if (cstatus != STASHHOG__CHANGE_STATUS__CHANGE_PENDING && cstatus != STASHHOG__CHANGE_STATUS__CHANGE_ACCEPTED &&
        cstatus != STASHHOG__CHANGE_STATUS__CHANGE_REJECTED) {
        st = sh_error_set(err, SH_ERR_CONFLICT, "change %lld is %s and can no longer be edited",
                          (long long)req->change_id, sh_change_status_text(cstatus));
        goto out;
    }
    switch (sh_pv_field_kind(field)) {
    case SH_PV_DATE:
        if (!is_null && !valid_date(v->text)) {
            st = sh_error_set(err, SH_ERR_INVALID, "date must be YYYY-MM-DD");
            goto out;
        }
        /* fall through */
    case SH_PV_TEXT:
        if (!is_null && !v->text) {
            st = sh_error_set(err, SH_ERR_INVALID, "%s needs a text value", field);
            goto out;
        }
        proposed = is_null ? json_null() : json_string(v->text);
        break;
    case SH_PV_STUDIO:
        if (!is_null && !v->entity && !sh_str_empty(v->text)) {
            json_t *list = NULL;
            if ((st = entities_from_text(db, field, v->text, &list, err)) != SH_OK)
                goto out;
            proposed = json_incref(json_array_get(list, 0));
            json_decref(list);
            break;
        }
        if (!is_null && (!v->entity || (v->entity->id <= 0 && sh_str_empty(v->entity->name)))) {
            st = sh_error_set(err, SH_ERR_INVALID, "studio needs an entity (id, or a name to create)");
            goto out;
        }
        proposed = is_null ? json_null() : entity_of(v->entity);
        break;
    case SH_PV_SET:
        for (size_t i = 0; i < v->n_entities; i++)
            if (v->entities[i]->id <= 0 && sh_str_empty(v->entities[i]->name)) {
                st = sh_error_set(err, SH_ERR_INVALID, "%s: every member needs an id or a name", field);
                goto out;
            }
        if (!v->n_entities && !sh_str_empty(v->text)) {
            json_t *list = NULL;
            if ((st = entities_from_text(db, field, v->text, &list, err)) != SH_OK)
                goto out;
            proposed = set_diff(current, v, list);
            break;
        }
        proposed = set_diff(current, v, NULL);
        break;
    default: st = sh_error_set(err, SH_ERR_INVALID, "unknown field '%s'", field); goto out;
    }
    if (!proposed) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    char *text = json_dumps(proposed, JSON_COMPACT | JSON_ENCODE_ANY);
    if ((st = sh_db_prepare(db,
                            "UPDATE plan_changes SET proposed_value = ?2, status = 'accepted', analyzer = 'user',"
                            " reason = 'edited by the user', confidence = 1.0, error = NULL WHERE id = ?1",
                            &s, err)) == SH_OK) {
        sqlite3_bind_int64(s, 1, req->change_id);
        if (json_is_null(proposed))
            sqlite3_bind_null(s, 2);
        else
            sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
        if (sh_db_step(db, s, err) < 0)
            st = err ? err->code : SH_ERR_DB;
    }
    free(text);
    if (st == SH_OK && status == STASHHOG__PLAN_STATUS__PLAN_DRAFT)
        st = sh_plan_set_status(db, NULL, req->plan_id, STASHHOG__PLAN_STATUS__PLAN_REVIEWING, NULL, true, err);
out:
    st = sh_db_finish(db, st, err);
    if (st == SH_OK)
        sh_plan_publish(svc, req->plan_id,
                        status == STASHHOG__PLAN_STATUS__PLAN_DRAFT ? STASHHOG__PLAN_STATUS__PLAN_REVIEWING
                                                                     : (int)status,
                        "edited");
    json_decref(current);
    json_decref(proposed);
    free(field);
    return st;
}
