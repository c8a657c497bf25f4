/* llm-adapter.c - LLM results as analysis proposals (see llm-analysis.h). */
#include <stdlib.h>
#include <string.h>

#include "llm/llm-analysis.h"

#define ANALYZER SH_LLM_ANALYZER_NAME

unsigned sh_llm_fields_from_an(unsigned an_fields)
{
    static const struct {
        sh_an_field an;
        sh_llm_field llm;
    } map[] = {
        {SH_AN_FIELD_STUDIO, SH_LLM_STUDIO}, {SH_AN_FIELD_PERFORMERS, SH_LLM_PERFORMERS},
        {SH_AN_FIELD_TAGS, SH_LLM_TAGS},     {SH_AN_FIELD_TITLE, SH_LLM_TITLE},
        {SH_AN_FIELD_DATE, SH_LLM_DATE},     {SH_AN_FIELD_DETAILS, SH_LLM_DETAILS},
    };
    if (an_fields == 0)
        return SH_LLM_FIELDS_ALL;
    unsigned out = 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (an_fields & SH_AN_FIELD_BIT(map[i].an))
            out |= SH_LLM_FIELD_BIT(map[i].llm);
    return out;
}

static bool enabled(const sh_an_options *o, sh_an_field f)
{
    return o->fields == 0 || (o->fields & SH_AN_FIELD_BIT(f));
}

static bool has_id(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* The item for a pick, or false when it must be skipped. */
static bool to_item(const sh_llm_pick *p, const sh_an_index *index, sh_an_kind kind,
                    const sh_an_options *o, sh_an_item *item)
{
    if (p->confidence < o->min_confidence)
        return false;
    *item = (sh_an_item){.entity_id = p->id,
                         .name = p->name,
                         .is_new = p->is_new,
                         .confidence = p->confidence,
                         .reason = p->reason};
    /* ignore_auto_tag means "never propose me from a name match": the model's
     * pick is a name match too. */
    if (!p->is_new) {
        const sh_an_entity *e = sh_an_index_get(index, kind, p->id);
        return !(e && e->ignore_auto_tag);
    }
    const sh_an_entity *known = NULL;
    sh_status rc = sh_an_index_lookup(index, kind, p->name, &known);
    if ((rc == SH_OK || rc == SH_ERR_CONFLICT) && known) { /* "new" but Stash has it */
        if (known->ignore_auto_tag)
            return false;
        item->entity_id = known->id;
        item->name = known->name;
        item->is_new = false;
        return true;
    }
    return o->allow_new_entities;
}

static sh_status add_set(const sh_llm_pick *picks, size_t n, const sh_an_index *index,
                         sh_an_kind kind, sh_an_field field, const int64_t *have, size_t n_have,
                         const sh_an_options *o, sh_an_results *out, sh_error *err)
{
    if (n == 0)
        return SH_OK;
    sh_an_item *items = calloc(n, sizeof *items);
    if (!items)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        sh_an_item it;
        if (!to_item(&picks[i], index, kind, o, &it) ||
            (!it.is_new && has_id(have, n_have, it.entity_id)))
            continue;
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = it.is_new ? items[j].is_new && strcmp(items[j].name, it.name) == 0
                            : items[j].entity_id == it.entity_id;
        if (!dup)
            items[k++] = it;
    }
    sh_status rc = k ? sh_an_results_add_items(out, field, ANALYZER, items, k, err) : SH_OK;
    free(items);
    return rc;
}

static sh_status add_text(const sh_llm_text *t, sh_an_field field, const sh_an_options *o,
                          sh_an_results *out, sh_error *err)
{
    if (!t->value || !enabled(o, field) || t->confidence < o->min_confidence)
        return SH_OK;
    return sh_an_results_add_text(out, field, ANALYZER, t->value, t->confidence, t->reason, err);
}

sh_status sh_llm_result_to_proposals(const sh_llm_scene_result *result, const sh_an_index *index,
                                     const sh_an_scene *scene, const sh_an_options *options,
                                     sh_an_results *out, sh_error *err)
{
    if (!result || !index || !scene || !options || !out)
        return sh_error_set(err, SH_ERR_INVALID, "sh_llm_result_to_proposals: missing argument");
    if (result->status != SH_OK)
        return sh_error_set(err, SH_ERR_INVALID, "scene %lld has no LLM answer",
                            (long long)result->scene_id);
    sh_status rc = SH_OK;
    if (result->has_studio && enabled(options, SH_AN_FIELD_STUDIO)) {
        sh_an_item it;
        if (to_item(&result->studio, index, SH_AN_STUDIO, options, &it) &&
            (it.is_new || it.entity_id != scene->studio_id) &&
            (rc = sh_an_results_add_items(out, SH_AN_FIELD_STUDIO, ANALYZER, &it, 1, err)) != SH_OK)
            return rc;
    }
    if (enabled(options, SH_AN_FIELD_PERFORMERS) &&
        (rc = add_set(result->performers, result->n_performers, index, SH_AN_PERFORMER,
                      SH_AN_FIELD_PERFORMERS, scene->performer_ids, scene->n_performer_ids, options,
                      out, err)) != SH_OK)
        return rc;
    if (enabled(options, SH_AN_FIELD_TAGS) &&
        (rc = add_set(result->tags, result->n_tags, index, SH_AN_TAG, SH_AN_FIELD_TAGS,
                      scene->tag_ids, scene->n_tag_ids, options, out, err)) != SH_OK)
        return rc;
    if ((rc = add_text(&result->title, SH_AN_FIELD_TITLE, options, out, err)) != SH_OK ||
        (rc = add_text(&result->date, SH_AN_FIELD_DATE, options, out, err)) != SH_OK ||
        (rc = add_text(&result->details, SH_AN_FIELD_DETAILS, options, out, err)) != SH_OK)
        return rc;
    return SH_OK;
}
