/* analyze-params.c - what an analyze job is asked to do.
 *
 * The Analyze RPC creates the plan and its job together and passes
 * {"plan_id": N}.  A schedule cannot: its params are fixed when it is
 * saved, and each run needs a plan of its own.  So a job without plan_id
 * makes its plan from its params -
 *   {"name": "...", "filter": {SceneFilter JSON} | "SAVED-FILTER-NAME",
 *    "fields": [..] | "a,b", "use_llm", "min_confidence", "allow_new_entities",
 *    "include_organized", "budget_usd"}
 * - all optional (no filter: every scene).  The params are checked when
 * the schedule is saved (the job type's validate hook), with the same
 * strict JSON reading the plan's stored filter gets, so a typo is refused
 * up front instead of widening a nightly run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis.h"
#include "db/scene-query.h"
#include "plans/plan-internal.h"
#include "sh-log.h"
#include "sh-pbjson.h"
#include "sh-util.h"

#define LOG "analyze"
#define NAME_MAX_LEN 200

sh_status sh_plan_analyze_options_check(const Stashhog__AnalyzeOptions *o, sh_error *err)
{
    if (!o)
        return SH_OK;
    for (size_t i = 0; i < o->n_fields; i++)
        if (sh_an_field_parse(o->fields[i]) < 0)
            return sh_error_set(err, SH_ERR_INVALID,
                                "unknown field '%s' (studio, performers, tags, title, date, code, details)",
                                o->fields[i]);
    if (o->has_min_confidence && (o->min_confidence < 0 || o->min_confidence > 1))
        return sh_error_set(err, SH_ERR_INVALID, "min_confidence must be between 0 and 1");
    if (o->has_budget_usd && o->budget_usd < 0)
        return sh_error_set(err, SH_ERR_INVALID, "budget_usd must not be negative");
    return SH_OK;
}

/* "studio,tags" (what `--param fields=studio,tags` gives) as a JSON list. */
static json_t *split_fields(const char *text)
{
    json_t *list = json_array();
    char *copy = strdup(text), *save = NULL;
    if (!list || !copy) {
        json_decref(list);
        free(copy);
        return NULL;
    }
    for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
        json_array_append_new(list, json_string(tok));
    free(copy);
    return list;
}

typedef struct job_request {
    const char *name;                 /* borrowed from params; NULL = default */
    Stashhog__SceneFilter *filter;
    Stashhog__AnalyzeOptions *options;
} job_request;

static void job_request_fini(job_request *r)
{
    sh_plan_filter_free(r->filter);
    if (r->options)
        protobuf_c_message_free_unpacked(&r->options->base, NULL);
    memset(r, 0, sizeof *r);
}

/* Reads the schedule form of the params (no plan_id). */
static sh_status read_request(const json_t *params, job_request *r, sh_error *err)
{
    memset(r, 0, sizeof *r);
    json_t *opts = json_object();
    if (!opts)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    sh_status st = SH_OK;
    const char *key;
    json_t *value;
    json_object_foreach ((json_t *)params, key, value) {
        if (strcmp(key, "name") == 0) {
            r->name = json_string_value(value);
            if (!r->name || !*r->name || strlen(r->name) > NAME_MAX_LEN)
                st = sh_error_set(err, SH_ERR_INVALID, "name must be a text of 1 to %d bytes", NAME_MAX_LEN);
        } else if (strcmp(key, "filter") == 0) {
            if (!json_is_string(value) && !json_is_object(value))
                st = sh_error_set(err, SH_ERR_INVALID,
                                  "filter must be a saved filter's name or a SceneFilter JSON object");
            else if ((st = sh_plan_filter_from_value(value, &r->filter, err)) == SH_OK)
                st = sh_scene_filter_validate(r->filter, err);
        } else if (strcmp(key, "estimate_only") == 0) {
            st = sh_error_set(err, SH_ERR_INVALID, "estimate_only is not an option of an analyze job");
        } else if (strcmp(key, "fields") == 0 && json_is_string(value)) {
            json_t *list = split_fields(json_string_value(value));
            st = list ? SH_OK : sh_error_set(err, SH_ERR_NOMEM, NULL);
            if (list)
                json_object_set_new(opts, key, list);
        } else if (protobuf_c_message_descriptor_get_field_by_name(&stashhog__analyze_options__descriptor, key)) {
            json_object_set(opts, key, value);
        } else {
            st = sh_error_set(err, SH_ERR_INVALID,
                              "unknown analyze parameter '%s' (name, filter, fields, use_llm, min_confidence,"
                              " allow_new_entities, include_organized, budget_usd)",
                              key);
        }
        if (st != SH_OK)
            break;
    }
    ProtobufCMessage *m = NULL;
    if (st == SH_OK && (st = sh_pb_from_json(&stashhog__analyze_options__descriptor, opts, &m, err)) == SH_OK) {
        r->options = (Stashhog__AnalyzeOptions *)m;
        st = sh_plan_analyze_options_check(r->options, err);
    }
    json_decref(opts);
    if (st != SH_OK)
        job_request_fini(r);
    return st;
}

/* params.plan_id: *id 0 when absent (the schedule form). */
static sh_status given_plan_id(const json_t *params, int64_t *id, sh_error *err)
{
    const json_t *v = json_object_get(params, "plan_id");
    *id = 0;
    if (!v)
        return SH_OK;
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return sh_error_set(err, SH_ERR_INVALID, "plan_id must be a positive integer");
    *id = json_integer_value(v);
    return SH_OK;
}

sh_status sh_plan_analyze_params_check(const json_t *params, sh_error *err)
{
    int64_t id = 0;
    sh_status st = given_plan_id(params, &id, err);
    if (st != SH_OK || id > 0)
        return st;
    job_request r;
    st = read_request(params, &r, err);
    if (st == SH_OK)
        job_request_fini(&r);
    return st;
}

/* Inside the caller's write transaction: the plan an earlier attempt of
 * this job made (*plan_id 0 if none; a retried attempt reuses it) and the
 * default plan name, "scheduled: <schedule name>" or, for a job without a
 * schedule, the date. */
static sh_status job_plan_and_name(sh_db *db, int64_t job_id, int64_t *plan_id, char *name, size_t len,
                                   sh_error *err)
{
    sqlite3_stmt *s = NULL;
    sh_status st = sh_db_prepare(db,
                                 "SELECT (SELECT id FROM plans WHERE job_id = ?1 ORDER BY id LIMIT 1),"
                                 " (SELECT s.name FROM jobs j JOIN schedules s ON s.id = j.schedule_id"
                                 "  WHERE j.id = ?1)",
                                 &s, err);
    if (st != SH_OK)
        return st;
    sqlite3_bind_int64(s, 1, job_id);
    int rc = sh_db_step(db, s, err);
    if (rc <= 0)
        return rc < 0 ? (err ? err->code : SH_ERR_DB) : sh_error_set(err, SH_ERR_INTERNAL, "no row");
    *plan_id = sqlite3_column_int64(s, 0); /* NULL reads as 0 */
    if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
        snprintf(name, len, "scheduled: %s", sh_db_column_text(s, 1));
    } else {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(name, len, "scheduled: %Y-%m-%d %H:%M", &tm);
    }
    sqlite3_reset(s);
    return SH_OK;
}

static sh_status create_plan(sh_db *db, int64_t job_id, const job_request *r, int64_t *plan_id, bool *created,
                             sh_error *err)
{
    char name[NAME_MAX_LEN + 32];
    json_t *oj = sh_pb_to_json(&r->options->base);
    char *options = oj ? json_dumps(oj, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)) : NULL;
    char *filter = sh_plan_filter_to_json(r->filter);
    json_decref(oj);
    sh_status st = SH_OK;
    *created = false;
    if (!options || !filter) {
        st = sh_error_set(err, SH_ERR_NOMEM, NULL);
        goto out;
    }
    if ((st = sh_db_write_begin(db, err)) != SH_OK)
        goto out;
    if ((st = job_plan_and_name(db, job_id, plan_id, name, sizeof name, err)) == SH_OK && *plan_id == 0) {
        if (r->name)
            sh_strlcpy(name, r->name, sizeof name);
        st = sh_plan_create(db, name, options, filter, true, plan_id, err);
        sqlite3_stmt *s = NULL;
        if (st == SH_OK && (st = sh_db_prepare(db, "UPDATE plans SET job_id = ?2 WHERE id = ?1", &s, err)) == SH_OK) {
            sqlite3_bind_int64(s, 1, *plan_id);
            sqlite3_bind_int64(s, 2, job_id);
            if (sh_db_step(db, s, err) < 0)
                st = err ? err->code : SH_ERR_DB;
        }
        *created = st == SH_OK;
    }
    st = sh_db_finish(db, st, err);
out:
    free(options);
    free(filter);
    return st;
}

sh_status sh_plan_analyze_plan_for_job(sh_job_ctx *ctx, int64_t *plan_id, sh_error *err)
{
    const json_t *params = sh_job_params(ctx);
    sh_status st = given_plan_id(params, plan_id, err);
    if (st != SH_OK || *plan_id > 0)
        return st;
    job_request r;
    bool created = false;
    st = read_request(params, &r, err);
    if (st != SH_OK)
        return st;
    st = create_plan(sh_job_db(ctx), sh_job_id(ctx), &r, plan_id, &created, err);
    job_request_fini(&r);
    if (st == SH_OK && created) {
        sh_info(LOG, "job %lld: created plan %lld", (long long)sh_job_id(ctx), (long long)*plan_id);
        sh_plan_publish(sh_job_services(ctx), *plan_id, STASHHOG__PLAN_STATUS__PLAN_DRAFT, "created");
    }
    return st;
}
