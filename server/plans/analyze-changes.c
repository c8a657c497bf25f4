/* analyze-changes.c - one scene's proposals (heuristic and LLM) merged
 * into at most one change per field and written to plan_changes.
 *
 * Merging: text fields and the studio take the most confident proposal;
 * performers and tags take the union of all proposed members (a member
 * proposed twice keeps its highest confidence), minus the members the
 * scene already has.  A proposal equal to the current value is no change. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plans/analyze.h"
#include <stdio.h>
#include "plans/plan-values.h"

static bool same_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static const char *scene_text(const sh_an_scene *s, sh_an_field f)
{
    switch (f) {
    case SH_AN_FIELD_TITLE: return s->title;
    case SH_AN_FIELD_DATE: return s->date;
    case SH_AN_FIELD_CODE: return s->code;
    case SH_AN_FIELD_DETAILS: return s->details;
    default: return NULL;
    }
}

static json_t *text_json(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *entity_list(const sh_an_index *index, sh_an_kind kind, const int64_t *ids, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        const sh_an_entity *e = sh_an_index_get(index, kind, ids[i]);
        json_array_append_new(a, sh_pv_entity(ids[i], e ? e->name : "", false));
    }
    return a;
}

static bool has_id(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* Appends "analyzer" to a "+"-joined list once. */
static void add_name(char *buf, size_t len, const char *name)
{
    if (!name || strstr(buf, name))
        return;
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, "%s%s", used ? "+" : "", name);
}

static sh_status write_one(sh_db *db, int64_t plan_id, const sh_an_scene *s, const char *field, json_t *cur,
                           json_t *prop, double conf, const char *analyzer, const char *reason, int64_t *count,
                           sh_error *err)
{
    sh_plan_change_in in = {.plan_id = plan_id,
                            .scene_id = s->id,
                            .field = field,
                            .current = cur,
                            .proposed = prop,
                            .confidence = conf,
                            .analyzer = analyzer,
                            .reason = reason};
    sh_status st = cur && prop ? sh_plan_add_change(db, &in, err) : sh_error_set(err, SH_ERR_NOMEM, NULL);
    json_decref(cur);
    json_decref(prop);
    if (st == SH_OK)
        (*count)++;
    return st;
}

static sh_status set_change(sh_db *db, int64_t plan_id, const sh_an_index *index, const sh_an_scene *s,
                            const sh_an_results *r, sh_an_field f, int64_t *count, sh_error *err)
{
    sh_an_kind kind = f == SH_AN_FIELD_PERFORMERS ? SH_AN_PERFORMER : SH_AN_TAG;
    const int64_t *have = kind == SH_AN_PERFORMER ? s->performer_ids : s->tag_ids;
    size_t n_have = kind == SH_AN_PERFORMER ? s->n_performer_ids : s->n_tag_ids;
    json_t *add = json_array();
    char analyzers[128] = "", reason[1024] = "";
    double conf = 1.0;
    if (!add)
        return sh_error_set(err, SH_ERR_NOMEM, NULL);
    for (size_t i = 0; i < sh_an_results_count(r); i++) {
        const sh_an_proposal *p = sh_an_results_get(r, i);
        if (p->field != f)
            continue;
        for (size_t k = 0; k < p->n_items; k++) {
            const sh_an_item *it = &p->items[k];
            if (!it->is_new && (it->entity_id <= 0 || has_id(have, n_have, it->entity_id)))
                continue;
            /* The same member from two analyzers: keep one, the more confident. */
            size_t j;
            json_t *e;
            bool dup = false;
            json_array_foreach(add, j, e) {
                int64_t id = (int64_t)json_integer_value(json_object_get(e, "id"));
                const char *name = json_string_value(json_object_get(e, "name"));
                if (it->is_new ? (id == 0 && name && strcasecmp(name, it->name) == 0) : id == it->entity_id) {
                    dup = true;
                    double c = json_real_value(json_object_get(e, "confidence"));
                    if (it->confidence > c)
                        json_object_set_new(e, "confidence", json_real(it->confidence));
                }
            }
            if (dup)
                continue;
            json_t *item = sh_pv_entity(it->is_new ? 0 : it->entity_id, it->name, it->is_new);
            json_object_set_new(item, "confidence", json_real(it->confidence));
            json_array_append_new(add, item);
            add_name(analyzers, sizeof analyzers, p->analyzer);
            if (it->reason && strlen(reason) + strlen(it->name ? it->name : "") + strlen(it->reason) + 8 < sizeof reason)
                snprintf(reason + strlen(reason), sizeof reason - strlen(reason), "%s%s: %s", *reason ? "; " : "",
                         it->name ? it->name : "?", it->reason);
        }
    }
    if (json_array_size(add) == 0) {
        json_decref(add);
        return SH_OK;
    }
    size_t j;
    json_t *e;
    json_array_foreach(add, j, e) {
        double c = json_real_value(json_object_get(e, "confidence"));
        conf = c < conf ? c : conf;
    }
    json_t *prop = json_pack("{s:o,s:[]}", "add", add, "remove");
    return write_one(db, plan_id, s, sh_an_field_name(f), entity_list(index, kind, have, n_have), prop, conf,
                     analyzers, reason, count, err);
}

sh_status sh_analyze_write_scene(sh_db *db, int64_t plan_id, const sh_an_index *index, const sh_an_scene *s,
                                 const sh_an_results *r, int64_t *count, sh_error *err)
{
    sh_status st = SH_OK;
    for (int f = 0; st == SH_OK && f < SH_AN_FIELD_COUNT_; f++) {
        if (f == SH_AN_FIELD_PERFORMERS || f == SH_AN_FIELD_TAGS) {
            st = set_change(db, plan_id, index, s, r, (sh_an_field)f, count, err);
            continue;
        }
        const sh_an_proposal *best = NULL;
        for (size_t i = 0; i < sh_an_results_count(r); i++) {
            const sh_an_proposal *p = sh_an_results_get(r, i);
            if ((int)p->field == f && (!best || p->confidence > best->confidence))
                best = p;
        }
        if (!best)
            continue;
        if (f == SH_AN_FIELD_STUDIO) {
            if (best->n_items == 0)
                continue;
            const sh_an_item *it = &best->items[0];
            if (!it->is_new && (it->entity_id <= 0 || it->entity_id == s->studio_id))
                continue;
            const sh_an_entity *cur = sh_an_index_get(index, SH_AN_STUDIO, s->studio_id);
            json_t *cj = s->studio_id > 0 ? sh_pv_entity(s->studio_id, cur ? cur->name : "", false) : json_null();
            st = write_one(db, plan_id, s, "studio", cj, sh_pv_entity(it->is_new ? 0 : it->entity_id, it->name, it->is_new),
                           best->confidence, best->analyzer, best->reason ? best->reason : it->reason, count, err);
            continue;
        }
        const char *now = scene_text(s, (sh_an_field)f);
        if (!best->text || same_text(best->text, now))
            continue;
        st = write_one(db, plan_id, s, sh_an_field_name((sh_an_field)f), text_json(now), json_string(best->text),
                       best->confidence, best->analyzer, best->reason, count, err);
    }
    return st;
}
