/* bench.c - analysis throughput on a synthetic library, and an explain mode.
 *
 *   analysis_bench [--scenes N] [--threads T] [--max-seconds S]
 *     builds ~2,000 performers, 300 studios, 200 tags and N scenes with
 *     realistic paths, analyses them with T threads sharing one index, and
 *     fails if that takes longer than S seconds (not checked in sanitizer
 *     builds, which are several times slower).
 *   analysis_bench --explain PATH...
 *     prints what the built-in analyzers propose for each path against the
 *     synthetic library (a developer aid). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "sh-util.h"

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

static const char *const first[] = {
    "Anna",    "Abella",  "Kendra", "Elsa",   "Zoey",     "Riley",  "Mia",     "Lana",    "Eva",
    "Jessa",   "Lena",    "Gina",   "Alexis", "Kira",     "Nicole", "Adriana", "Emily",   "Vanna",
    "Jill",    "Cherie",  "Kayden", "Tori",   "Sasha",    "Dani",   "Lexi",    "Tiffany", "Ariana",
    "Madison", "Whitney", "Carter", "Keisha", "Brooklyn", "Aidra",  "Ava",     "Bree",    "Chanel",
    "Dillion", "Gianna",  "Jada",   "Karlee", "Lily",     "Marsha", "Nina",    "Paige",   "Remy",
    "Sophia",  "Tanya",   "Uma",    "Violet", "Yasmin",
};
static const char *const last[] = {
    "Bell",   "Danger", "Lust",    "Jean",    "Laine", "Reid",  "Malkova", "Rhoades",
    "Elfie",  "Rhodes", "Paul",    "Gerson",  "Texas", "Noir",  "Aniston", "Chechik",
    "Willis", "Bardot", "Kassidy", "Deville", "Cross", "Black", "Grey",    "Daniels",
    "Belle",  "Fox",    "Marie",   "Ivy",     "Cruz",  "Stone", "Storm",   "Lane",
    "Moore",  "Hart",   "Vega",    "Cole",    "Rose",  "West",  "Blue",    "Lee",
};
static const char *const st_a[] = {
    "Bang",  "Hot",  "Real",    "Team", "Naughty", "Pure",   "Wicked", "Evil",  "Dream", "Nubile",
    "Sweet", "Lust", "Elegant", "Dark", "Bright",  "Golden", "Silver", "Urban", "Wild",  "Royal"};
static const char *const st_b[] = {"Bros",    "Angels",  "Media",       "Films",  "Pass",
                                   "Network", "Studios", "Pictures",    "Vision", "Life",
                                   "Kings",   "Girls",   "Productions", "Club",   "X"};
static const char *const words[] = {"Hot",     "Office", "Fun",    "Late",   "Night",  "Pool",
                                    "Party",   "Secret", "Affair", "Summer", "Love",   "Story",
                                    "Morning", "Lesson", "Trip",   "Beach",  "Dinner", "Date"};

typedef struct library {
    sh_an_entity *studios, *performers, *tags;
    size_t n_studios, n_performers, n_tags;
    char **strings; /* every generated name, freed at the end */
    size_t n_strings;
} library;

static char *keep(library *lib, char *s)
{
    if (!s) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    lib->strings[lib->n_strings++] = s;
    return s;
}

static void build_library(library *lib)
{
    size_t nf = sizeof first / sizeof first[0], nl = sizeof last / sizeof last[0];
    size_t na = sizeof st_a / sizeof st_a[0], nb = sizeof st_b / sizeof st_b[0];
    lib->n_performers = nf * nl;
    lib->n_studios = na * nb;
    lib->n_tags = 200;
    lib->strings = calloc(lib->n_performers + lib->n_studios + lib->n_tags, sizeof(char *));
    lib->performers = calloc(lib->n_performers, sizeof *lib->performers);
    lib->studios = calloc(lib->n_studios, sizeof *lib->studios);
    lib->tags = calloc(lib->n_tags, sizeof *lib->tags);
    if (!lib->strings || !lib->performers || !lib->studios || !lib->tags)
        exit(1);
    for (size_t i = 0; i < lib->n_performers; i++) {
        sh_an_entity *e = &lib->performers[i];
        e->id = (int64_t)i + 1;
        e->name = keep(lib, sh_strdup_printf("%s %s", first[i % nf], last[i / nf]));
        e->ignore_auto_tag = i % 97 == 0;
    }
    for (size_t i = 0; i < lib->n_studios; i++) {
        sh_an_entity *e = &lib->studios[i];
        e->id = (int64_t)i + 1;
        e->name =
            keep(lib, sh_strdup_printf("%s%s%s", st_a[i % na], i % 3 ? " " : "", st_b[i / na]));
        e->parent_id = (i >= na && i % 4 == 0) ? (int64_t)(i % na) + 1 : 0;
    }
    static const char *const tech[] = {"4K",     "1080p",       "720p",          "SD",
                                       "60 FPS", "Short Video", "Feature Length"};
    for (size_t i = 0; i < lib->n_tags; i++) {
        sh_an_entity *e = &lib->tags[i];
        e->id = (int64_t)i + 1;
        e->name = keep(
            lib, i < 7 ? sh_strdup_printf("%s", tech[i])
                       : sh_strdup_printf("%s %s %zu", words[i % 18], words[(i / 18) % 18], i));
    }
}

static void free_library(library *lib)
{
    for (size_t i = 0; i < lib->n_strings; i++)
        free(lib->strings[i]);
    free(lib->strings);
    free(lib->performers);
    free(lib->studios);
    free(lib->tags);
}

static uint32_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

static char *make_path(const library *lib, size_t i, uint64_t *seed)
{
    const sh_an_entity *st = &lib->studios[rnd(seed) % lib->n_studios];
    const char *p1 = lib->performers[rnd(seed) % lib->n_performers].name;
    const char *p2 = lib->performers[rnd(seed) % lib->n_performers].name;
    const char *w1 = words[rnd(seed) % 18], *w2 = words[rnd(seed) % 18];
    int y = 2010 + (int)(rnd(seed) % 14), m = 1 + (int)(rnd(seed) % 12),
        d = 1 + (int)(rnd(seed) % 28);
    switch (i % 4) {
    case 0:
        return sh_strdup_printf("/media/%s/%s - %s & %s - %s %s (%04d-%02d-%02d) [1080p].mp4",
                                st->name, st->name, p1, p2, w1, w2, y, m, d);
    case 1: {
        char *s =
            sh_strdup_printf("/media/new/%s.%02d.%02d.%02d.%s.And.%s.%s.%s.XXX.2160p.MP4-GRP.mp4",
                             st->name, y % 100, m, d, p1, p2, w1, w2);
        for (char *c = s ? strchr(s + 11, ' ') : NULL; c; c = strchr(c, ' '))
            *c = '.';
        return s;
    }
    case 2:
        return sh_strdup_printf("/media/performers/%s/%s %s %s %zu.mp4", p1, w1, w2, words[i % 18],
                                i);
    default:
        return sh_strdup_printf("/media/misc/VID_%04d%02d%02d_%06zu.mp4", y, m, d, i);
    }
}

typedef struct job {
    const sh_an_index *idx;
    const sh_an_registry *reg;
    char **paths;
    size_t from, to;
    size_t proposals;
    sh_status st;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    sh_an_results *r = NULL;
    sh_error err = {0};
    if ((j->st = sh_an_results_create(&r, &err)) != SH_OK)
        return NULL;
    sh_an_options o;
    sh_an_options_init(&o);
    for (size_t i = j->from; i < j->to; i++) {
        sh_an_file f = {j->paths[i], 1 << 20, (double)(i % 5000), 1920, 1080, i % 3 ? 30.0 : 59.94};
        sh_an_scene s = {.id = (int64_t)i + 1, .files = &f, .n_files = 1};
        sh_an_results_clear(r);
        if ((j->st = sh_an_run(j->reg, j->idx, &s, &o, r, &err)) != SH_OK) {
            fprintf(stderr, "scene %zu: %s\n", i, err.message);
            break;
        }
        j->proposals += sh_an_results_count(r);
    }
    sh_an_results_destroy(r);
    return NULL;
}

static void explain(const sh_an_index *idx, const sh_an_registry *reg, const char *path)
{
    sh_an_results *r = NULL;
    sh_error err = {0};
    if (sh_an_results_create(&r, &err) != SH_OK)
        return;
    sh_an_file f = {path, 0, 0, 0, 0, 0};
    sh_an_scene s = {.id = 1, .files = &f, .n_files = 1};
    sh_an_options o;
    sh_an_options_init(&o);
    o.allow_new_entities = true;
    printf("%s\n", path);
    if (sh_an_run(reg, idx, &s, &o, r, &err) != SH_OK)
        printf("  error: %s\n", err.message);
    for (size_t i = 0; i < sh_an_results_count(r); i++) {
        const sh_an_proposal *p = sh_an_results_get(r, i);
        if (p->text)
            printf("  %-10s %.2f '%s'  (%s)\n", sh_an_field_name(p->field), p->confidence, p->text,
                   p->reason);
        for (size_t k = 0; k < p->n_items; k++)
            printf("  %-10s %.2f %s%s  (%s)\n", sh_an_field_name(p->field), p->items[k].confidence,
                   p->items[k].is_new ? "NEW " : "", p->items[k].name, p->items[k].reason);
    }
    sh_an_results_destroy(r);
}

int main(int argc, char **argv)
{
    size_t n_scenes = 100000, n_threads = 2;
    double max_seconds = 10.0;
    int explain_from = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--scenes") == 0 && i + 1 < argc)
            n_scenes = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            n_threads = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--max-seconds") == 0 && i + 1 < argc)
            max_seconds = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--explain") == 0)
            explain_from = i + 1;
        else if (!explain_from) {
            fprintf(stderr,
                    "usage: %s [--scenes N] [--threads T] [--max-seconds S] "
                    "[--explain PATH...]\n",
                    argv[0]);
            return 2;
        }
    }
    if (n_threads < 1 || n_threads > 16)
        n_threads = 2;
    library lib = {0};
    build_library(&lib);
    sh_an_index *idx = NULL;
    sh_an_registry *reg = NULL;
    sh_error err = {0};
    int64_t t0 = sh_monotonic_ms();
    if (sh_an_index_create(lib.studios, lib.n_studios, lib.performers, lib.n_performers, lib.tags,
                           lib.n_tags, &idx, &err) != SH_OK ||
        sh_an_registry_create(&reg, &err) != SH_OK ||
        sh_an_registry_add_builtins(reg, &err) != SH_OK) {
        fprintf(stderr, "setup: %s\n", err.message);
        return 1;
    }
    int64_t t_index = sh_monotonic_ms() - t0;
    int rc = 0;
    if (explain_from) {
        for (int i = explain_from; i < argc; i++)
            explain(idx, reg, argv[i]);
        goto out;
    }
    char **paths = calloc(n_scenes ? n_scenes : 1, sizeof *paths);
    uint64_t seed = 42;
    for (size_t i = 0; paths && i < n_scenes; i++) {
        if (!(paths[i] = make_path(&lib, i, &seed))) {
            rc = 1;
            goto free_paths;
        }
    }
    job jobs[16];
    pthread_t th[16];
    size_t started = 0;
    t0 = sh_monotonic_ms();
    for (size_t t = 0; t < n_threads; t++) {
        jobs[t] = (job){idx, reg,  paths, n_scenes * t / n_threads, n_scenes * (t + 1) / n_threads,
                        0,   SH_OK};
        if (pthread_create(&th[t], NULL, run_job, &jobs[t]) != 0) {
            rc = 1;
            break;
        }
        started++;
    }
    size_t proposals = 0;
    for (size_t t = 0; t < started; t++) {
        pthread_join(th[t], NULL);
        proposals += jobs[t].proposals;
        if (jobs[t].st != SH_OK)
            rc = 1;
    }
    double secs = (double)(sh_monotonic_ms() - t0) / 1000.0;
    printf("index: %zu studios, %zu performers, %zu tags in %lld ms\n", lib.n_studios,
           lib.n_performers, lib.n_tags, (long long)t_index);
    printf("analysed %zu scenes with %zu threads in %.2f s (%.0f scenes/s, %zu proposals)\n",
           n_scenes, n_threads, secs, secs > 0 ? (double)n_scenes / secs : 0.0, proposals);
    if (proposals < n_scenes / 2) {
        fprintf(stderr, "too few proposals: the synthetic paths should match\n");
        rc = 1;
    }
    if (!SANITIZED && secs > max_seconds) {
        fprintf(stderr, "too slow: %.2f s > %.2f s\n", secs, max_seconds);
        rc = 1;
    }
free_paths:
    for (size_t i = 0; paths && i < n_scenes; i++)
        free(paths[i]);
    free(paths);
out:
    sh_an_registry_destroy(reg);
    sh_an_index_destroy(idx);
    free_library(&lib);
    return rc;
}
