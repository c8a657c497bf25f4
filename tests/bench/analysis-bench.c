/* analysis-bench.c - heuristic analysis at library scale, measured against
 * the fake Stash generator's truth, plus the HTTP cost of applying a plan.
 *
 *   analysis-bench [--scenes N] [--threads T] [--max-seconds S] [--apply-scenes M]
 *
 * 1. Generates an N-scene library (fake_stash_lib), analyzes every scene
 *    with the built-in analyzers on T threads (the daemon's own code path),
 *    and reports the time and the precision and recall of the studio,
 *    performer and date proposals against what each file path encodes.
 *    Recall counts only what needed changing (truth differs from the
 *    scene's current value).  Fails when analysis takes longer than S
 *    seconds (not checked in sanitizer builds).
 * 2. Serves an M-scene library from an in-process fake Stash, syncs it,
 *    analyzes it into a plan, accepts everything, applies it, and reports
 *    the HTTP requests Stash saw per 1,000 written scenes (from the fake's
 *    /__control/stats); fails above 20. */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/an-loader.h"
#include "db/db.h"
#include "fake-stash.h"
#include "plans/analyze.h"
#include "plans/plan-internal.h"
#include "sh-util.h"
#include "stash/stash-client.h"
#include "sync/sync.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

typedef struct counts {
    long tp, fp, fn;
} counts;

static void report(const char *what, const counts *c)
{
    double p = c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : 1.0;
    double r = c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 1.0;
    printf("  %-11s precision %.3f  recall %.3f  (tp %ld, fp %ld, fn %ld)\n", what, p, r, c->tp, c->fp, c->fn);
}

/* fs entities -> sh_an entities (borrowing the library's strings). */
static sh_an_entity *entities(const fs_library *lib, fs_kind kind, size_t *n)
{
    int64_t max = fs_library_max_entity_id(lib, kind);
    sh_an_entity *v = calloc((size_t)max + 1, sizeof *v);
    size_t k = 0;
    for (int64_t id = 1; v && id <= max; id++) {
        const fs_entity *e = fs_library_entity(lib, kind, id);
        if (!e)
            continue;
        v[k++] = (sh_an_entity){.id = e->id,
                                .name = e->name,
                                .aliases = (const char *const *)e->aliases.v,
                                .n_aliases = e->aliases.n,
                                .parent_id = e->parent_id,
                                .disambiguation = e->disambiguation,
                                .ignore_auto_tag = e->ignore_auto_tag};
    }
    *n = k;
    return v;
}

static bool has(const fs_idlist *l, int64_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] == id)
            return true;
    return false;
}

static int quality(size_t n_scenes, int threads, double max_seconds)
{
    char err[256];
    fs_gen_options go = {.seed = 1, .scenes = n_scenes, .utc_offset_min = 60};
    fs_library *lib = NULL;
    if (fs_library_generate(&go, &lib, err, sizeof err) != 0) {
        fprintf(stderr, "generate: %s\n", err);
        return 1;
    }
    size_t ns = 0, np = 0, nt = 0;
    sh_an_entity *st = entities(lib, FS_STUDIO, &ns), *pe = entities(lib, FS_PERFORMER, &np),
                 *tg = entities(lib, FS_TAG, &nt);
    sh_an_index *index = NULL;
    sh_an_registry *reg = NULL;
    sh_error e = {0};
    int64_t max = fs_library_max_scene_id(lib);
    sh_an_scene *scenes = calloc((size_t)max + 1, sizeof *scenes);
    const fs_scene **src = calloc((size_t)max + 1, sizeof(const fs_scene *));
    sh_an_file *files = NULL;
    sh_an_results **res = NULL;
    size_t n = 0, n_files = 0;
    int rc = 1;
    if (!scenes || !src || !st || !pe || !tg)
        goto out;
    if (sh_an_index_create(st, ns, pe, np, tg, nt, &index, &e) != SH_OK || sh_an_registry_create(&reg, &e) != SH_OK ||
        sh_an_registry_add_builtins(reg, &e) != SH_OK) {
        fprintf(stderr, "index: %s\n", e.message);
        goto out;
    }
    for (int64_t id = 1; id <= max; id++)
        if (fs_library_scene(lib, id))
            n_files += fs_library_scene(lib, id)->n_files;
    files = calloc(n_files ? n_files : 1, sizeof *files);
    if (!files)
        goto out;
    n_files = 0;
    for (int64_t id = 1; id <= max; id++) {
        const fs_scene *s = fs_library_scene(lib, id);
        if (!s)
            continue;
        sh_an_file *f0 = &files[n_files];
        for (size_t k = 0; k < s->n_files; k++)
            files[n_files++] = (sh_an_file){.path = s->files[k].path, .size = s->files[k].size,
                                            .duration = s->files[k].duration, .width = s->files[k].width,
                                            .height = s->files[k].height, .frame_rate = s->files[k].frame_rate};
        src[n] = s;
        scenes[n++] = (sh_an_scene){.id = s->id, .title = s->title, .code = s->code, .details = s->details,
                                    .date = s->date, .studio_id = s->studio_id,
                                    .performer_ids = s->performers.v, .n_performer_ids = s->performers.n,
                                    .tag_ids = s->tags.v, .n_tag_ids = s->tags.n, .files = f0,
                                    .n_files = s->n_files, .organized = s->organized};
    }
    res = calloc(n ? n : 1, sizeof(sh_an_results *));
    for (size_t i = 0; res && i < n; i++)
        if (sh_an_results_create(&res[i], &e) != SH_OK)
            goto out;
    if (!res)
        goto out;
    sh_an_options opt;
    sh_an_options_init(&opt);
    int64_t t0 = sh_monotonic_us();
    if (sh_analyze_heuristics(reg, index, scenes, n, &opt, res, threads, &e) != SH_OK) {
        fprintf(stderr, "analysis: %s\n", e.message);
        goto out;
    }
    double secs = (double)(sh_monotonic_us() - t0) / 1e6;
    counts studio = {0}, perf = {0}, date = {0};
    size_t analyzed = 0;
    for (size_t i = 0; i < n; i++) {
        const fs_scene *s = src[i];
        if (s->organized)
            continue; /* left out by default, as in the daemon */
        analyzed++;
        const fs_truth *t = &s->truth;
        const sh_an_proposal *ps = sh_an_results_find(res[i], SH_AN_FIELD_STUDIO);
        int64_t got = ps && ps->n_items ? ps->items[0].entity_id : 0;
        bool need = t->studio_id && t->studio_id != s->studio_id;
        if (got && got == t->studio_id)
            studio.tp++;
        else if (got)
            studio.fp++;
        if (need && got != t->studio_id)
            studio.fn++;
        const sh_an_proposal *pd = sh_an_results_find(res[i], SH_AN_FIELD_DATE);
        bool need_d = t->date && (!s->date || strcmp(s->date, t->date) != 0);
        bool right_d = pd && pd->text && t->date && strcmp(pd->text, t->date) == 0;
        date.tp += right_d;
        date.fp += pd && pd->text && !right_d;
        date.fn += need_d && !right_d;
        fs_idlist proposed = {0};
        int64_t buf[64];
        proposed.v = buf;
        for (size_t k = 0; k < sh_an_results_count(res[i]); k++) {
            const sh_an_proposal *p = sh_an_results_get(res[i], k);
            for (size_t j = 0; p->field == SH_AN_FIELD_PERFORMERS && j < p->n_items && proposed.n < 64; j++)
                if (p->items[j].entity_id > 0)
                    buf[proposed.n++] = p->items[j].entity_id;
        }
        for (size_t k = 0; k < proposed.n; k++)
            has(&t->performers, buf[k]) ? perf.tp++ : perf.fp++;
        for (size_t k = 0; k < t->performers.n; k++)
            if (!has(&s->performers, t->performers.v[k]) && !has(&proposed, t->performers.v[k]))
                perf.fn++;
    }
    printf("analysis: %zu scenes (%zu analyzed, organized skipped), %zu studios, %zu performers, %zu tags\n", n,
           analyzed, ns, np, nt);
    printf("  time        %.2f s on %d threads (%.0f scenes/s)\n", secs, threads, (double)n / secs);
    report("studio", &studio);
    report("performers", &perf);
    report("date", &date);
    rc = 0;
    if (!SANITIZED && max_seconds > 0 && secs > max_seconds) {
        fprintf(stderr, "FAIL: analysis took %.2f s (limit %.1f s)\n", secs, max_seconds);
        rc = 1;
    }
out:
    for (size_t i = 0; res && i < n; i++)
        sh_an_results_destroy(res[i]);
    free(res), free(scenes), free(src), free(files), free(st), free(pe), free(tg);
    sh_an_index_destroy(index);
    sh_an_registry_destroy(reg);
    fs_library_destroy(lib);
    return rc;
}

static size_t collect(char *data, size_t size, size_t nmemb, void *user)
{
    size_t n = size * nmemb, *len = user;
    char *buf = (char *)(len + 1);
    if (*len + n < 65536 - sizeof *len - 1) {
        memcpy(buf + *len, data, n);
        *len += n;
        buf[*len] = '\0';
    }
    return n;
}

static json_t *http_json(const char *url, const char *method)
{
    static char storage[65536];
    size_t *len = (size_t *)storage;
    *len = 0;
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "POST") == 0)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, len);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? json_loads(storage + sizeof *len, 0, NULL) : NULL;
}

static int apply_cost(size_t n_scenes)
{
    char err[256], dir[] = "/tmp/sh-bench-XXXXXX", path[64], url[64];
    fs_gen_options go = {.seed = 2, .scenes = n_scenes, .utc_offset_min = 60};
    fs_library *lib = NULL;
    fs_server *srv = NULL;
    fs_server_options so = {.quiet = true};
    if (!mkdtemp(dir) || fs_library_generate(&go, &lib, err, sizeof err) != 0 ||
        fs_server_start(lib, &so, &srv, err, sizeof err) != 0) {
        fprintf(stderr, "fake stash: %s\n", err);
        return 1;
    }
    snprintf(path, sizeof path, "%s/bench.db", dir);
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)fs_server_port(srv));
    sh_error e = {0};
    sh_db_env *env = NULL;
    sh_db *db = NULL;
    sh_stash_config sc;
    sh_stash_config_init(&sc);
    sc.url = url;
    sh_sync_options sy = {.kind = SH_SYNC_FULL, .stash = &sc, .page_size = 1000};
    sh_sync_result sr;
    sh_an_index *index = NULL;
    sh_an_registry *reg = NULL;
    int64_t plan = 0, changes = 0, *ids = NULL;
    size_t n = 0;
    int rc = 1;
    if (sh_db_env_create(path, &env, &e) != SH_OK || sh_db_open(env, false, &db, &e) != SH_OK)
        goto out;
    sy.db = db;
    if (sh_sync_run(&sy, &sr, &e) != SH_OK || sh_an_load_index(db, &index, &e) != SH_OK ||
        sh_an_registry_create(&reg, &e) != SH_OK || sh_an_registry_add_builtins(reg, &e) != SH_OK ||
        sh_plan_create(db, "bench", "{}", "{}", false, &plan, &e) != SH_OK ||
        sh_analyze_select(db, NULL, &ids, &n, &e) != SH_OK)
        goto out;
    sh_an_options opt;
    sh_an_options_init(&opt);
    sh_an_scene_set set = {0};
    if (sh_db_read_begin(db, &e) != SH_OK || sh_an_load_scenes(db, ids, n, &set, &e) != SH_OK)
        goto out;
    sh_db_commit(db, NULL);
    sh_an_results **res = calloc(set.n ? set.n : 1, sizeof(sh_an_results *));
    if (!res)
        goto out;
    for (size_t i = 0; i < set.n; i++)
        sh_an_results_create(&res[i], &e);
    if (sh_analyze_heuristics(reg, index, set.scenes, set.n, &opt, res, 2, &e) == SH_OK &&
        sh_db_write_begin(db, &e) == SH_OK) {
        for (size_t i = 0; i < set.n; i++)
            sh_analyze_write_scene(db, plan, index, &set.scenes[i], res[i], &changes, &e);
        sh_db_exec(db, "UPDATE plan_changes SET status = 'accepted'", &e);
        sh_db_commit(db, &e);
    }
    for (size_t i = 0; i < set.n; i++)
        sh_an_results_destroy(res[i]);
    free(res);
    sh_an_scene_set_fini(&set);
    char stats_url[96];
    snprintf(stats_url, sizeof stats_url, "%s/__control/stats/reset", url);
    json_decref(http_json(stats_url, "POST"));
    sh_plan_run_opts ao = {.db = db, .stash = &sc, .plan_id = plan};
    sh_plan_run_result ar;
    int64_t t0 = sh_monotonic_us();
    if (sh_plan_apply_run(&ao, &ar, &e) != SH_OK)
        goto out;
    double secs = (double)(sh_monotonic_us() - t0) / 1e6;
    snprintf(stats_url, sizeof stats_url, "%s/__control/stats", url);
    json_t *stats = http_json(stats_url, "GET");
    long total = (long)json_integer_value(json_object_get(stats, "total"));
    double per_k = ar.scenes_written ? 1000.0 * (double)total / (double)ar.scenes_written : 0;
    printf("apply: %lld changes on %lld scenes written in %.2f s; Stash saw %ld requests = %.1f per 1,000 scenes\n",
           (long long)ar.applied, (long long)ar.scenes_written, secs, total, per_k);
    json_decref(stats);
    json_decref(ar.problems);
    rc = per_k <= 20.0 && ar.scenes_written > 0 ? 0 : 1;
    if (rc)
        fprintf(stderr, "FAIL: %.1f requests per 1,000 scenes (goal <= 20)\n", per_k);
out:
    if (rc && e.message[0])
        fprintf(stderr, "apply bench: %s\n", e.message);
    free(ids);
    sh_an_index_destroy(index);
    sh_an_registry_destroy(reg);
    sh_db_close(db);
    sh_db_env_destroy(env);
    fs_server_stop(srv);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"scenes", required_argument, NULL, 's'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"max-seconds", required_argument, NULL, 'm'},
                                         {"apply-scenes", required_argument, NULL, 'a'},
                                         {NULL, 0, NULL, 0}};
    size_t scenes = 100000, apply_scenes = 5000;
    int threads = 2, c;
    double max_seconds = 10;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': scenes = strtoul(optarg, NULL, 10); break;
        case 't': threads = (int)strtol(optarg, NULL, 10); break;
        case 'm': max_seconds = strtod(optarg, NULL); break;
        case 'a': apply_scenes = strtoul(optarg, NULL, 10); break;
        default: fprintf(stderr, "usage: analysis-bench [--scenes N] [--threads T] [--max-seconds S] [--apply-scenes M]\n"); return 2;
        }
    }
    sh_error e = {0};
    if (sh_stash_global_init(&e) != SH_OK)
        return 1;
    int rc = quality(scenes, threads, max_seconds);
    if (apply_scenes > 0)
        rc |= apply_cost(apply_scenes);
    sh_stash_global_cleanup();
    return rc;
}
