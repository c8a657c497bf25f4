/* plugin.c - the plugin protocol (version 1, examples/README.md): one JSON
 * request per batch, one JSON response, validated into proposals.
 *
 * Validation mirrors the LLM adapter's rules (llm/llm-adapter.c): entities
 * must be known and not ignore_auto_tag, a name is looked up before it may
 * count as new, new names only when the job allows them, values equal to
 * what the scene has are no proposal.  Whole-response problems (not JSON,
 * no "scenes" array, a plugin-reported "error") fail the batch; a bad
 * proposal is dropped and counted, so one mistake does not cost a batch. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/an-internal.h"
#include "analysis/an-llm.h"
#include "analysis/plugin-internal.h"
#include "analysis/plugin-proc.h"
#include "sh-log.h"

#define LOG "plugin"

#define TITLE_MAX 300
#define CODE_MAX 64
#define DETAILS_MAX 10000
#define NAME_MAX_BYTES 200
#define REASON_MAX 300
#define MAX_PROPOSALS 64 /* per scene */
#define MAX_ITEMS 64     /* per proposal */
#define STDERR_KEEP 4096
#define STDERR_LOG_LINES 20

/* ------------------------------------------------------------ request */

static json_t *entity_json(const sh_an_entity *e, bool full)
{
    json_t *o = json_pack("{s:I,s:s}", "id", (json_int_t)e->id, "name", e->name);
    if (o && full) {
        json_t *al = json_array();
        for (size_t i = 0; al && i < e->n_aliases; i++)
            json_array_append_new(al, json_string(e->aliases[i]));
        json_object_set_new(o, "aliases", al ? al : json_array());
        if (e->disambiguation && *e->disambiguation)
            json_object_set_new(o, "disambiguation", json_string(e->disambiguation));
        if (e->parent_id > 0)
            json_object_set_new(o, "parent_id", json_integer(e->parent_id));
    }
    return o;
}

static json_t *ids_json(const sh_an_index *index, sh_an_kind kind, const int64_t *ids, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        const sh_an_entity *e = sh_an_index_get(index, kind, ids[i]);
        if (e)
            json_array_append_new(a, entity_json(e, false));
    }
    return a;
}

static json_t *cands_json(const sh_an_index *index, sh_an_kind kind, const sh_llm_candidate *c, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        const sh_an_entity *e = sh_an_index_get(index, kind, c[i].id);
        if (e)
            json_array_append_new(a, entity_json(e, true));
    }
    return a;
}

static json_t *text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *scene_json(const sh_an_index *index, const sh_an_scene *s, const sh_llm_scene_input *in)
{
    const sh_an_entity *studio = sh_an_index_get(index, SH_AN_STUDIO, s->studio_id);
    json_t *files = json_array();
    for (size_t i = 0; files && i < s->n_files; i++) {
        const sh_an_file *f = &s->files[i];
        json_array_append_new(files, json_pack("{s:s,s:I,s:f,s:i,s:i,s:f}", "path", f->path ? f->path : "", "size",
                                               (json_int_t)f->size, "duration", f->duration, "width", f->width,
                                               "height", f->height, "frame_rate", f->frame_rate));
    }
    json_t *cands = json_pack("{s:o,s:o,s:o}", "studios",
                              cands_json(index, SH_AN_STUDIO, in->studio_candidates, in->n_studio_candidates),
                              "performers",
                              cands_json(index, SH_AN_PERFORMER, in->performer_candidates, in->n_performer_candidates),
                              "tags", cands_json(index, SH_AN_TAG, in->tag_candidates, in->n_tag_candidates));
    return json_pack("{s:I,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)s->id, "title",
                     text_or_null(s->title), "code", text_or_null(s->code), "details", text_or_null(s->details),
                     "date", text_or_null(s->date), "organized", s->organized, "studio",
                     studio ? entity_json(studio, false) : json_null(), "performers",
                     ids_json(index, SH_AN_PERFORMER, s->performer_ids, s->n_performer_ids), "tags",
                     ids_json(index, SH_AN_TAG, s->tag_ids, s->n_tag_ids), "files", files ? files : json_array(),
                     "candidates", cands ? cands : json_object());
}

static json_t *all_entities_json(const sh_an_index *index)
{
    static const char *const keys[SH_AN_KIND_COUNT_] = {"studios", "performers", "tags"};
    json_t *o = json_object();
    for (int k = 0; o && k < SH_AN_KIND_COUNT_; k++) {
        json_t *a = json_array();
        const an_kind *kind = &index->kinds[k];
        for (size_t i = 0; a && i < kind->n; i++)
            json_array_append_new(a, entity_json(&kind->ents[i], true));
        json_object_set_new(o, keys[k], a ? a : json_array());
    }
    return o;
}

static unsigned wanted_fields(const sh_an_plugin *p, const sh_an_options *o)
{
    return p->fields & (o->fields ? o->fields : SH_AN_FIELDS_ALL);
}

static char *build_request(const sh_an_plugin *p, const sh_an_index *index, const sh_an_scene *scenes, size_t n,
                           const sh_an_options *o, sh_error *err)
{
    sh_an_llm_inputs in = {0};
    if (sh_an_llm_build_inputs(index, scenes, n, &in, err) != SH_OK)
        return NULL;
    unsigned fields = wanted_fields(p, o);
    json_t *fl = json_array(), *sc = json_array();
    for (int f = 0; fl && f < SH_AN_FIELD_COUNT_; f++)
        if (fields & SH_AN_FIELD_BIT(f))
            json_array_append_new(fl, json_string(sh_an_field_name((sh_an_field)f)));
    for (size_t i = 0; sc && i < n; i++)
        json_array_append_new(sc, scene_json(index, &scenes[i], &in.v[i]));
    json_t *req = json_pack("{s:i,s:s,s:o*,s:b,s:f,s:o*}", "protocol", SH_AN_PLUGIN_PROTOCOL, "analyzer", p->name,
                            "fields", fl, "allow_new_entities", o->allow_new_entities, "min_confidence",
                            o->min_confidence, "scenes", sc);
    if (req && p->send_all_entities)
        json_object_set_new(req, "entities", all_entities_json(index));
    sh_an_llm_inputs_fini(&in);
    char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!text)
        sh_error_set(err, SH_ERR_NOMEM, "cannot build the plugin request");
    return text;
}

/* ------------------------------------------------------------ response */

typedef struct vctx {
    const sh_an_plugin *p;
    const sh_an_index *index;
    const sh_an_options *o;
    unsigned fields;
    sh_an_plugin_stats *stats;
} vctx;

static void dropped(vctx *v, int64_t scene_id, const char *why)
{
    v->stats->dropped++;
    if (!v->stats->first_drop[0])
        snprintf(v->stats->first_drop, sizeof v->stats->first_drop, "scene %lld: %s", (long long)scene_id, why);
}

static bool has_ctrl(const char *s, bool allow_newlines)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && !(allow_newlines && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f)
            return true;
    }
    return false;
}

/* Trimmed copy in buf (NULL if empty, too long or with control bytes). */
static const char *clean_text(const char *s, size_t max, bool multiline, char *buf, size_t cap)
{
    if (!s)
        return NULL;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n > max || n >= cap)
        return NULL;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return has_ctrl(buf, multiline) ? NULL : buf;
}

/* Reason capped at a UTF-8 boundary; a default when absent. */
static const char *clean_reason(const json_t *obj, const char *name, char *buf, size_t cap)
{
    const char *r = json_string_value(json_object_get(obj, "reason"));
    if (!r || !*r) {
        snprintf(buf, cap, "proposed by plugin %s", name);
        return buf;
    }
    size_t n = strlen(r);
    if (n > REASON_MAX) {
        n = REASON_MAX;
        while (n > 0 && ((unsigned char)r[n] & 0xC0) == 0x80)
            n--;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, r, n);
    buf[n] = '\0';
    for (char *q = buf; *q; q++)
        if ((unsigned char)*q < 0x20)
            *q = ' ';
    return buf;
}

static bool confidence_of(const json_t *obj, double *out)
{
    const json_t *c = json_object_get(obj, "confidence");
    if (!json_is_number(c))
        return false;
    *out = an_clamp01(json_number_value(c));
    return true;
}

static bool date_ok(const char *s, const sh_an_options *o)
{
    int y, m, d;
    if (!an_date_parse_iso(s, &y, &m, &d) || !an_date_valid(y, m, d) || y < 1900)
        return false;
    char today[16];
    time_t now = (time_t)an_now(o) + 86400; /* a day of slack for time zones */
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    return strcmp(s, today) <= 0;
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

static sh_status text_proposal(vctx *v, const sh_an_scene *s, sh_an_field f, const json_t *pj, sh_an_results *out,
                               sh_error *err)
{
    size_t max = f == SH_AN_FIELD_TITLE ? TITLE_MAX : f == SH_AN_FIELD_CODE ? CODE_MAX : f == SH_AN_FIELD_DATE ? 10 : DETAILS_MAX;
    char tbuf[DETAILS_MAX + 1], rbuf[REASON_MAX + 64];
    double conf = 0;
    const char *text = clean_text(json_string_value(json_object_get(pj, "value")), max, f == SH_AN_FIELD_DETAILS,
                                  tbuf, sizeof tbuf);
    if (!text) {
        dropped(v, s->id, "value missing, empty, too long or with control characters");
        return SH_OK;
    }
    if (f == SH_AN_FIELD_DATE && !date_ok(text, v->o)) {
        dropped(v, s->id, "date is not a valid YYYY-MM-DD in the past");
        return SH_OK;
    }
    if (!confidence_of(pj, &conf)) {
        dropped(v, s->id, "confidence is not a number");
        return SH_OK;
    }
    const char *cur = scene_text(s, f);
    if ((cur && strcmp(cur, text) == 0) || conf < v->o->min_confidence)
        return SH_OK; /* no change, or below the bar: not an error */
    v->stats->proposals++;
    return sh_an_results_add_text(out, f, v->p->name, text, conf, clean_reason(pj, v->p->name, rbuf, sizeof rbuf),
                                  err);
}

static sh_an_kind kind_of(sh_an_field f)
{
    return f == SH_AN_FIELD_STUDIO ? SH_AN_STUDIO : f == SH_AN_FIELD_PERFORMERS ? SH_AN_PERFORMER : SH_AN_TAG;
}

/* One item: false (and counted) when it must be dropped. */
static bool to_item(vctx *v, const sh_an_scene *s, sh_an_kind kind, const json_t *ij, sh_an_item *it,
                    char *nbuf, size_t ncap)
{
    memset(it, 0, sizeof *it);
    if (!json_is_object(ij)) {
        dropped(v, s->id, "item is not an object");
        return false;
    }
    if (!confidence_of(ij, &it->confidence)) {
        dropped(v, s->id, "item confidence is not a number");
        return false;
    }
    const json_t *id = json_object_get(ij, "id");
    const sh_an_entity *e = NULL;
    if (id) {
        if (!json_is_integer(id) || json_integer_value(id) <= 0 ||
            !(e = sh_an_index_get(v->index, kind, (int64_t)json_integer_value(id)))) {
            dropped(v, s->id, "unknown entity id");
            return false;
        }
    } else {
        const char *name = clean_text(json_string_value(json_object_get(ij, "name")), NAME_MAX_BYTES, false, nbuf, ncap);
        if (!name) {
            dropped(v, s->id, "item has neither an id nor a usable name");
            return false;
        }
        sh_status rc = sh_an_index_lookup(v->index, kind, name, &e);
        if (rc != SH_OK && rc != SH_ERR_CONFLICT)
            e = NULL;
        if (!e) {
            if (!v->o->allow_new_entities) {
                dropped(v, s->id, "new entity names are not allowed in this analysis");
                return false;
            }
            it->name = name;
            it->is_new = true;
        }
    }
    if (e) {
        /* ignore_auto_tag: never proposed from matching, the plugin's included. */
        if (e->ignore_auto_tag) {
            dropped(v, s->id, "entity is marked ignore_auto_tag");
            return false;
        }
        it->entity_id = e->id;
        it->name = e->name;
    }
    return true;
}

static sh_status entity_proposal(vctx *v, const sh_an_scene *s, sh_an_field f, const json_t *pj,
                                 sh_an_results *out, sh_error *err)
{
    const json_t *arr = json_object_get(pj, "items");
    if (!json_is_array(arr)) {
        dropped(v, s->id, "entity proposal without an \"items\" array");
        return SH_OK;
    }
    sh_an_kind kind = kind_of(f);
    const int64_t *have = f == SH_AN_FIELD_PERFORMERS ? s->performer_ids : s->tag_ids;
    size_t n_have = f == SH_AN_FIELD_PERFORMERS ? s->n_performer_ids : s->n_tag_ids;
    size_t total = json_array_size(arr), cap = f == SH_AN_FIELD_STUDIO ? 1 : MAX_ITEMS, k = 0;
    sh_an_item items[MAX_ITEMS];
    char names[MAX_ITEMS][NAME_MAX_BYTES + 1], reasons[MAX_ITEMS][REASON_MAX + 64];
    for (size_t i = 0; i < total; i++) {
        const json_t *ij = json_array_get(arr, i);
        sh_an_item it;
        if (k >= cap) {
            dropped(v, s->id, f == SH_AN_FIELD_STUDIO ? "more than one studio" : "too many items");
            continue;
        }
        if (!to_item(v, s, kind, ij, &it, names[k], sizeof names[k]))
            continue;
        if (it.confidence < v->o->min_confidence)
            continue;
        if (!it.is_new && (f == SH_AN_FIELD_STUDIO ? it.entity_id == s->studio_id
                                                  : an_ids_contain(have, n_have, it.entity_id)))
            continue; /* the scene has it already */
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = it.is_new ? items[j].is_new && strcmp(items[j].name, it.name) == 0
                            : items[j].entity_id == it.entity_id;
        if (dup)
            continue;
        it.reason = clean_reason(ij, v->p->name, reasons[k], sizeof reasons[k]);
        items[k++] = it;
    }
    if (k == 0)
        return SH_OK;
    v->stats->proposals++;
    return sh_an_results_add_items(out, f, v->p->name, items, k, err);
}

static sh_status scene_answer(vctx *v, const sh_an_scene *s, const json_t *props, sh_an_results *out,
                              sh_error *err)
{
    if (!json_is_array(props)) {
        dropped(v, s->id, "\"proposals\" is not an array");
        return SH_OK;
    }
    size_t n = json_array_size(props);
    for (size_t i = 0; i < n; i++) {
        const json_t *pj = json_array_get(props, i);
        if (i >= MAX_PROPOSALS) {
            dropped(v, s->id, "too many proposals");
            break;
        }
        int f = json_is_object(pj) ? sh_an_field_parse(json_string_value(json_object_get(pj, "field"))) : -1;
        if (f < 0) {
            dropped(v, s->id, "proposal without a known \"field\"");
            continue;
        }
        if (!(v->p->fields & SH_AN_FIELD_BIT(f))) {
            dropped(v, s->id, "field not declared in the plugin's fields");
            continue;
        }
        if (!(v->fields & SH_AN_FIELD_BIT(f)))
            continue; /* declared but not asked for in this analysis */
        sh_status st = sh_an_field_is_entity((sh_an_field)f) ? entity_proposal(v, s, (sh_an_field)f, pj, out, err)
                                                             : text_proposal(v, s, (sh_an_field)f, pj, out, err);
        if (st != SH_OK)
            return st;
    }
    return SH_OK;
}

/* Shape errors fail before any proposal is added; after that only OOM can
 * stop midway. */
static sh_status apply_response(vctx *v, const char *text, size_t len, const sh_an_scene *scenes, size_t n,
                                sh_an_results *const *results, sh_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return sh_error_set(err, SH_ERR_PROTOCOL, "output is not JSON (line %d, column %d: %s)", je.line, je.column,
                            je.text);
    sh_status st = SH_OK;
    const json_t *scs = json_object_get(root, "scenes");
    const char *perr = json_string_value(json_object_get(root, "error"));
    const json_t *proto = json_object_get(root, "protocol");
    if (!json_is_object(root)) {
        st = sh_error_set(err, SH_ERR_PROTOCOL, "output is not a JSON object");
    } else if (perr) {
        char buf[201];
        snprintf(buf, sizeof buf, "%s", perr);
        for (char *q = buf; *q; q++)
            if ((unsigned char)*q < 0x20)
                *q = ' ';
        st = sh_error_set(err, SH_ERR_PROTOCOL, "plugin reported an error: %s", buf);
    } else if (proto && (!json_is_integer(proto) || json_integer_value(proto) != SH_AN_PLUGIN_PROTOCOL)) {
        st = sh_error_set(err, SH_ERR_PROTOCOL, "output is for protocol %lld; this daemon speaks %d",
                          (long long)json_integer_value(proto), SH_AN_PLUGIN_PROTOCOL);
    } else if (!json_is_array(scs)) {
        st = sh_error_set(err, SH_ERR_PROTOCOL, "output has no \"scenes\" array");
    }
    size_t ns = json_array_size(scs);
    for (size_t i = 0; st == SH_OK && i < ns; i++) {
        const json_t *sj = json_array_get(scs, i);
        const json_t *idj = json_object_get(sj, "id");
        int64_t id = json_is_integer(idj) ? (int64_t)json_integer_value(idj) : 0;
        size_t at = n;
        for (size_t k = 0; id > 0 && k < n; k++)
            if (scenes[k].id == id) {
                at = k;
                break;
            }
        if (at == n) {
            dropped(v, id, "scene is not in the batch");
            continue;
        }
        v->stats->answered++;
        st = scene_answer(v, &scenes[at], json_object_get(sj, "proposals"), results[at], err);
    }
    json_decref(root);
    return st;
}

/* ------------------------------------------------------------------ run */

/* The plugin's stderr to the log, a bounded number of clean lines. */
static void log_stderr(const sh_an_plugin *p, const sh_proc_result *r)
{
    char *save = NULL;
    int lines = 0;
    for (char *line = strtok_r(r->err_text, "\n", &save); line && lines < STDERR_LOG_LINES;
         line = strtok_r(NULL, "\n", &save), lines++) {
        for (char *q = line; *q; q++)
            if ((unsigned char)*q < 0x20)
                *q = ' ';
        sh_info(LOG, "%s: %s", p->name, line);
    }
    if (r->err_dropped)
        sh_info(LOG, "%s: (%zu more bytes of stderr not logged)", p->name, r->err_dropped);
}

/* The last non-empty stderr line (before log_stderr splits it), for messages. */
static void stderr_tail(const sh_proc_result *r, char *buf, size_t cap)
{
    size_t n = r->err_len;
    while (n > 0 && isspace((unsigned char)r->err_text[n - 1]))
        n--;
    size_t start = n;
    while (start > 0 && r->err_text[start - 1] != '\n')
        start--;
    size_t len = n - start < cap - 1 ? n - start : cap - 1;
    memcpy(buf, r->err_text + start, len);
    buf[len] = '\0';
    /* ASCII only: the message goes into JSON results and may be cut mid-character. */
    for (char *q = buf; *q; q++)
        if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
            *q = (unsigned char)*q >= 0x7f ? '?' : ' ';
}

sh_status sh_an_plugin_run(const sh_an_plugin *p, const sh_an_index *index, const sh_an_scene *scenes, size_t n,
                           const sh_an_options *options, sh_an_results *const *results, int (*cancelled)(void *),
                           void *cancel_user, sh_an_plugin_stats *stats, sh_error *err)
{
    sh_an_plugin_stats scratch = {0};
    if (!stats)
        stats = &scratch;
    if (!p || !index || (n && (!scenes || !results)))
        return sh_error_set(err, SH_ERR_INVALID, "sh_an_plugin_run: missing argument");
    if (n == 0)
        return SH_OK;
    if (n > p->batch_size)
        return sh_error_set(err, SH_ERR_INVALID, "plugin %s takes at most %zu scenes per run", p->name, p->batch_size);
    sh_an_options defaults;
    if (!options) {
        sh_an_options_init(&defaults);
        options = &defaults;
    }
    if (wanted_fields(p, options) == 0)
        return SH_OK; /* nothing it may propose is asked for */
    char *req = build_request(p, index, scenes, n, options, err);
    if (!req)
        return err ? err->code : SH_ERR_NOMEM;
    sh_proc_opts po = {.argv = (const char *const *)p->argv,
                       .envp = (const char *const *)p->envp,
                       .cwd = "/",
                       .input = req,
                       .input_len = strlen(req),
                       .max_output = p->max_output,
                       .max_stderr = STDERR_KEEP,
                       .timeout_ms = p->timeout_ms,
                       .kill_grace_ms = p->kill_grace_ms,
                       .cancelled = cancelled,
                       .cancel_user = cancel_user};
    sh_proc_result r;
    sh_error perr = {0};
    sh_status st = sh_proc_run(&po, &r, &perr);
    free(req);
    stats->runs++;
    stats->scenes += (int64_t)n;
    stats->elapsed_ms += r.elapsed_ms;
    char tail[200];
    stderr_tail(&r, tail, sizeof tail);
    const char *sep = tail[0] ? " - stderr: " : "";
    if (st != SH_OK) {
        sh_error_set(err, st, "%s%s%s", perr.message, sep, tail);
    } else if (r.term_signal) {
        st = sh_error_set(err, SH_ERR_PROTOCOL, "crashed (signal %d, %s)%s%s", r.term_signal,
                          strsignal(r.term_signal), sep, tail);
    } else if (r.exit_code != 0) {
        st = sh_error_set(err, SH_ERR_PROTOCOL, "exited with status %d%s%s", r.exit_code, sep, tail);
    } else if (r.out_len == 0) {
        st = sh_error_set(err, SH_ERR_PROTOCOL, "exited without output%s%s", sep, tail);
    } else {
        vctx v = {.p = p, .index = index, .o = options, .fields = wanted_fields(p, options), .stats = stats};
        st = apply_response(&v, r.out, r.out_len, scenes, n, results, err);
    }
    log_stderr(p, &r);
    sh_proc_result_fini(&r);
    return st;
}

sh_status sh_an_plugin_analyze_one(const sh_an_analyzer *self, const sh_an_index *index, const sh_an_scene *scene,
                                   const sh_an_options *options, sh_an_results *out, sh_error *err)
{
    const sh_an_plugin *p = self->user_data;
    sh_an_results *const res[1] = {out};
    return sh_an_plugin_run(p, index, scene, 1, options, res, NULL, NULL, NULL, err);
}
