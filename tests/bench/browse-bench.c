/* browse-bench - scene browsing latency at library scale, measured at the RPC.
 *
 * Builds a cache database from the fake Stash's deterministic generator
 * (default 100,000 scenes: entities, aliases, files, urls, joins and the
 * full-text rows, inserted as the scene store lays them out), starts the
 * real daemon in-process on that data dir, and sends SceneList requests over
 * its ipc socket with sh_rpc_client_call, printing p50/p99/max per workload.
 * Every list request asks for a page of 100 with the total count.
 *
 *   browse-bench [--scenes N] [--requests R] [--seed S] [--dir DIR] [--keep]
 *   browse-bench --populate-only --dir DIR [--scenes N]   (fill DIR/stashhog.db)
 *
 * Not a ctest test: it prints figures; targets are p99 < 10 ms for filtered
 * pages with totals and < 20 ms for full-text search. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "db/db.h"
#include "fake-stash.h"
#include "sh-log.h"
#include "sh-paths.h"
#include "sh-rpc-client.h"
#include "sh-util.h"

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static int64_t now_us(void)
{
    return sh_monotonic_us();
}

static void die(const char *what, const sh_error *err)
{
    fprintf(stderr, "browse-bench: %s: %s\n", what, err ? sh_error_message(err) : "failed");
    exit(1);
}

/* ------------------------------------------------------------ populate */

static void join_names(char *buf, size_t len, const fs_library *lib, fs_kind kind, const fs_idlist *ids)
{
    size_t w = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < ids->n; i++) {
        const fs_entity *e = fs_library_entity(lib, kind, ids->v[i]);
        if (e && w < len)
            w += (size_t)snprintf(buf + w, len - w, "%s%s", w ? " " : "", e->name);
    }
}

static void step_done(sh_db *db, sqlite3_stmt *st)
{
    sh_error err = {0};
    if (sh_db_step(db, st, &err) < 0)
        die("insert", &err);
    sqlite3_reset(st);
}

static void prep(sh_db *db, const char *sql, sqlite3_stmt **st)
{
    sh_error err = {0};
    if (sh_db_prepare(db, sql, st, &err) != SH_OK)
        die("prepare", &err);
}

static void insert_entities(sh_db *db, const fs_library *lib)
{
    sqlite3_stmt *st = NULL;
    for (int k = 0; k < FS_KIND_COUNT; k++) {
        for (int64_t id = 1; id <= fs_library_max_entity_id(lib, (fs_kind)k); id++) {
            const fs_entity *e = fs_library_entity(lib, (fs_kind)k, id);
            if (!e)
                continue;
            if (k == FS_PERFORMER) {
                prep(db, "INSERT INTO performers(id, name, disambiguation, gender, ignore_auto_tag, synced_at) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, 1)", &st);
                sh_db_bind_text_or_null(st, 3, e->disambiguation);
                sh_db_bind_text(st, 4, e->gender);
            } else if (k == FS_STUDIO) {
                prep(db, "INSERT INTO studios(id, name, parent_id, ignore_auto_tag, synced_at) "
                         "VALUES (?1, ?2, ?3, ?5, 1)", &st);
                sh_db_bind_id_or_null(st, 3, e->parent_id);
            } else {
                prep(db, "INSERT INTO tags(id, name, ignore_auto_tag, synced_at) VALUES (?1, ?2, ?5, 1)", &st);
            }
            sqlite3_bind_int64(st, 1, e->id);
            sh_db_bind_text(st, 2, e->name);
            sqlite3_bind_int(st, 5, e->ignore_auto_tag);
            step_done(db, st);
            static const char *const alias_sql[] = {
                "INSERT OR IGNORE INTO performer_aliases VALUES (?1, ?2)",
                "INSERT OR IGNORE INTO studio_aliases VALUES (?1, ?2)",
                "INSERT OR IGNORE INTO tag_aliases VALUES (?1, ?2)",
            };
            for (size_t i = 0; i < e->aliases.n; i++) {
                prep(db, alias_sql[k], &st);
                sqlite3_bind_int64(st, 1, e->id);
                sh_db_bind_text(st, 2, e->aliases.v[i]);
                step_done(db, st);
            }
        }
    }
}

static void insert_scene(sh_db *db, const fs_library *lib, const fs_scene *s)
{
    sqlite3_stmt *st = NULL;
    prep(db, "INSERT INTO scenes(id, title, code, details, date, studio_id, organized, primary_path, "
             "stash_created_at, stash_updated_at, synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
         &st);
    sqlite3_bind_int64(st, 1, s->id);
    sh_db_bind_text_or_null(st, 2, s->title);
    sh_db_bind_text_or_null(st, 3, s->code);
    sh_db_bind_text_or_null(st, 4, s->details);
    sh_db_bind_text_or_null(st, 5, s->date);
    sh_db_bind_id_or_null(st, 6, s->studio_id);
    sqlite3_bind_int(st, 7, s->organized);
    sh_db_bind_text(st, 8, s->n_files ? s->files[0].path : NULL);
    sh_db_bind_text(st, 9, s->created_at);
    sh_db_bind_text(st, 10, s->updated_at);
    sqlite3_bind_int64(st, 11, sh_now_ms());
    step_done(db, st);
    char paths[4096] = "";
    size_t w = 0;
    for (size_t i = 0; i < s->n_files; i++) {
        const fs_file *f = &s->files[i];
        prep(db, "INSERT INTO scene_files(id, scene_id, position, path, basename, size, duration, width, height, "
                 "frame_rate, video_codec) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", &st);
        sqlite3_bind_int64(st, 1, f->id);
        sqlite3_bind_int64(st, 2, s->id);
        sqlite3_bind_int64(st, 3, (int64_t)i);
        sh_db_bind_text(st, 4, f->path);
        sh_db_bind_text(st, 5, f->basename);
        sqlite3_bind_int64(st, 6, f->size);
        sqlite3_bind_double(st, 7, f->duration);
        sqlite3_bind_int(st, 8, f->width);
        sqlite3_bind_int(st, 9, f->height);
        sqlite3_bind_double(st, 10, f->frame_rate);
        sh_db_bind_text(st, 11, f->video_codec);
        step_done(db, st);
        if (w < sizeof paths)
            w += (size_t)snprintf(paths + w, sizeof paths - w, "%s%s", w ? " " : "", f->path);
    }
    for (size_t i = 0; i < s->urls.n; i++) {
        prep(db, "INSERT INTO scene_urls VALUES (?1, ?2, ?3)", &st);
        sqlite3_bind_int64(st, 1, s->id);
        sqlite3_bind_int64(st, 2, (int64_t)i);
        sh_db_bind_text(st, 3, s->urls.v[i]);
        step_done(db, st);
    }
    for (size_t i = 0; i < s->performers.n; i++) {
        prep(db, "INSERT OR IGNORE INTO scene_performers VALUES (?1, ?2)", &st);
        sqlite3_bind_int64(st, 1, s->id);
        sqlite3_bind_int64(st, 2, s->performers.v[i]);
        step_done(db, st);
    }
    for (size_t i = 0; i < s->tags.n; i++) {
        prep(db, "INSERT OR IGNORE INTO scene_tags VALUES (?1, ?2)", &st);
        sqlite3_bind_int64(st, 1, s->id);
        sqlite3_bind_int64(st, 2, s->tags.v[i]);
        step_done(db, st);
    }
    char performers[2048], tags[2048];
    join_names(performers, sizeof performers, lib, FS_PERFORMER, &s->performers);
    join_names(tags, sizeof tags, lib, FS_TAG, &s->tags);
    const fs_entity *studio = s->studio_id ? fs_library_entity(lib, FS_STUDIO, s->studio_id) : NULL;
    prep(db, "INSERT INTO scene_fts(rowid, title, details, paths, performers, studio, tags, code) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st);
    sqlite3_bind_int64(st, 1, s->id);
    sh_db_bind_text(st, 2, s->title);
    sh_db_bind_text(st, 3, s->details);
    sh_db_bind_text(st, 4, paths);
    sh_db_bind_text(st, 5, performers);
    sh_db_bind_text(st, 6, studio ? studio->name : NULL);
    sh_db_bind_text(st, 7, tags);
    sh_db_bind_text(st, 8, s->code);
    step_done(db, st);
}

static void populate(const char *db_path, const fs_library *lib)
{
    sh_error err = {0};
    sh_db_env *env = NULL;
    sh_db *db = NULL;
    if (sh_db_env_create(db_path, &env, &err) != SH_OK || sh_db_open(env, false, &db, &err) != SH_OK)
        die(db_path, &err);
    int64_t t0 = now_us();
    if (sh_db_write_begin(db, &err) != SH_OK)
        die("begin", &err);
    insert_entities(db, lib);
    int64_t n = 0;
    for (int64_t id = 1; id <= fs_library_max_scene_id(lib); id++) {
        const fs_scene *s = fs_library_scene(lib, id);
        if (!s)
            continue;
        insert_scene(db, lib, s);
        if (++n % 10000 == 0) {
            if (sh_db_commit(db, &err) != SH_OK || sh_db_write_begin(db, &err) != SH_OK)
                die("commit", &err);
        }
    }
    if (sh_db_commit(db, &err) != SH_OK || sh_db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", &err) != SH_OK)
        die("commit", &err);
    fprintf(stderr, "populated %lld scenes in %.1f s\n", (long long)n, (double)(now_us() - t0) / 1e6);
    sh_db_close(db);
    sh_db_env_destroy(env);
}

/* ------------------------------------------------------------ measuring */

static uint64_t rng_state;
static uint64_t rnd(uint64_t n)
{
    /* splitmix64: reproducible workloads from --seed */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return n ? (z ^ (z >> 31)) % n : 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef struct workload {
    const char *name;
    /* fill f/r for request i; ctx is the library */
    void (*make)(const fs_library *lib, int i, Stashhog__SceneFilter *f, Stashhog__SceneListRequest *r,
                 int64_t *ids, char *text, size_t text_len);
} workload;

static int64_t pick_existing(const fs_library *lib, fs_kind kind)
{
    for (;;) {
        int64_t id = 1 + (int64_t)rnd((uint64_t)fs_library_max_entity_id(lib, kind));
        if (fs_library_entity(lib, kind, id))
            return id;
    }
}

static void w_unfiltered(const fs_library *lib, int i, Stashhog__SceneFilter *f, Stashhog__SceneListRequest *r,
                         int64_t *ids, char *text, size_t len)
{
    (void)lib, (void)i, (void)f, (void)r, (void)ids, (void)text, (void)len;
}

static void w_studio(const fs_library *lib, int i, Stashhog__SceneFilter *f, Stashhog__SceneListRequest *r,
                     int64_t *ids, char *text, size_t len)
{
    (void)i, (void)r, (void)text, (void)len;
    ids[0] = pick_existing(lib, FS_STUDIO);
    f->n_studio_ids = 1;
    f->studio_ids = ids;
}

static void w_tag(const fs_library *lib, int i, Stashhog__SceneFilter *f, Stashhog__SceneListRequest *r,
                  int64_t *ids, char *text, size_t len)
{
    (void)i, (void)r, (void)text, (void)len;
    ids[0] = pick_existing(lib, FS_TAG);
    f->n_tag_ids = 1;
    f->tag_ids = ids;
}

static void w_performer(const fs_library *lib, int i, Stashhog__SceneFilter *f, Stashhog__SceneListRequest *r,
                        int64_t *ids, char *text, size_t len)
{
    (void)i, (void)r, (void)text, (void)len;
    ids[0] = pick_existing(lib, FS_PERFORMER);
    f->n_performer_ids = 1;
    f->performer_ids = ids;
}

static Stashhog__MissingField missing_studio[1] = {STASHHOG__MISSING_FIELD__MISSING_STUDIO};

static void w_missing_studio(const fs_library *lib, int i, Stashhog__SceneFilter *f,
                             Stashhog__SceneListRequest *r, int64_t *ids, char *text, size_t len)
{
    (void)lib, (void)i, (void)r, (void)ids, (void)text, (void)len;
    f->n_missing = 1;
    f->missing = missing_studio;
}

static void w_date(const fs_library *lib, int i, Stashhog__SceneFilter *f, Stashhog__SceneListRequest *r,
                   int64_t *ids, char *text, size_t len)
{
    (void)lib, (void)i, (void)r, (void)ids;
    /* one calendar year somewhere in the library's span */
    int year = 2010 + (int)rnd(16);
    snprintf(text, len, "%d-01-01%c%d-12-31", year, '\0', year);
    f->date_from = text;
    f->date_to = text + 11;
}

/* A word from a random scene's title or a performer's name, as a user
 * would type it (sometimes only its first letters). */
static void w_fts(const fs_library *lib, int i, Stashhog__SceneFilter *f, Stashhog__SceneListRequest *r,
                  int64_t *ids, char *text, size_t len)
{
    (void)i, (void)r, (void)ids;
    const char *src = NULL;
    while (!src || !*src) {
        if (rnd(2)) {
            const fs_scene *s = fs_library_scene(lib, 1 + (int64_t)rnd((uint64_t)fs_library_max_scene_id(lib)));
            src = s ? s->title : NULL;
        } else {
            const fs_entity *e = fs_library_entity(lib, FS_PERFORMER, pick_existing(lib, FS_PERFORMER));
            src = e->name;
        }
    }
    size_t n = strcspn(src, " ");
    if (n >= len)
        n = len - 1;
    if (n > 4 && rnd(3) == 0)
        n = 3 + (size_t)rnd(n - 3); /* a prefix */
    while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
        n--; /* never cut a UTF-8 sequence */
    memcpy(text, src, n);
    text[n] = '\0';
    f->query = text;
}

static void w_deep_offset(const fs_library *lib, int i, Stashhog__SceneFilter *f, Stashhog__SceneListRequest *r,
                          int64_t *ids, char *text, size_t len)
{
    (void)i, (void)f, (void)ids, (void)text, (void)len;
    r->has_offset = 1;
    r->offset = (int64_t)rnd(fs_library_scene_count(lib));
}

static void w_title_sort(const fs_library *lib, int i, Stashhog__SceneFilter *f, Stashhog__SceneListRequest *r,
                         int64_t *ids, char *text, size_t len)
{
    (void)i, (void)f, (void)ids, (void)text, (void)len;
    r->has_sort = r->has_offset = r->has_descending = 1;
    r->sort = STASHHOG__SCENE_SORT__SCENE_SORT_TITLE;
    r->descending = rnd(2);
    r->offset = (int64_t)rnd(fs_library_scene_count(lib));
}

static void w_combined(const fs_library *lib, int i, Stashhog__SceneFilter *f, Stashhog__SceneListRequest *r,
                       int64_t *ids, char *text, size_t len)
{
    (void)i, (void)r, (void)text, (void)len;
    ids[0] = pick_existing(lib, FS_TAG);
    ids[1] = pick_existing(lib, FS_STUDIO);
    f->n_tag_ids = 1;
    f->tag_ids = ids;
    f->n_studio_ids = 1;
    f->studio_ids = ids + 1;
    f->has_organized = 1;
    f->organized = 0;
}

static const workload workloads[] = {
    {"unfiltered first page", w_unfiltered},
    {"studio", w_studio},
    {"tag", w_tag},
    {"performer", w_performer},
    {"missing studio", w_missing_studio},
    {"date range (1 year)", w_date},
    {"full text", w_fts},
    {"deep offset (id)", w_deep_offset},
    {"title sort, any offset", w_title_sort},
    {"tag+studio+unorganized", w_combined},
};

static void measure(sh_rpc_client *client, const fs_library *lib, const workload *wl, int requests, bool print)
{
    int64_t *lat = calloc((size_t)requests, sizeof *lat);
    int64_t rows = 0, totals = 0;
    if (!lat)
        die("calloc", NULL);
    for (int i = 0; i < requests; i++) {
        Stashhog__SceneFilter f = STASHHOG__SCENE_FILTER__INIT;
        Stashhog__SceneListRequest r = STASHHOG__SCENE_LIST_REQUEST__INIT;
        int64_t ids[4];
        char text[128];
        wl->make(lib, i, &f, &r, ids, text, sizeof text);
        r.filter = &f;
        r.has_limit = r.has_with_total = r.with_total = 1;
        r.limit = 100;
        sh_request req = STASHHOG__REQUEST__INIT;
        req.body_case = STASHHOG__REQUEST__BODY_SCENE_LIST;
        req.scene_list = &r;
        sh_reply *reply = NULL;
        sh_error err = {0};
        int64_t t0 = now_us();
        if (sh_rpc_client_call(client, &req, &reply, &err) != SH_OK)
            die(wl->name, &err);
        lat[i] = now_us() - t0;
        rows += (int64_t)reply->scene_list->n_scenes;
        totals += reply->scene_list->total;
        sh_wire_reply_free(reply);
    }
    qsort(lat, (size_t)requests, sizeof *lat, cmp_i64);
    size_t p50 = (size_t)requests / 2, p99 = (size_t)requests * 99 / 100, last = (size_t)requests - 1;
    if (print)
        printf("%-24s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (avg rows %5.1f, avg total %8.1f)\n", wl->name,
               (double)lat[p50] / 1000.0, (double)lat[p99] / 1000.0, (double)lat[last] / 1000.0,
               (double)rows / (double)requests, (double)totals / (double)requests);
    fflush(stdout);
    free(lat);
}

int main(int argc, char **argv)
{
    size_t scenes = 100000;
    int requests = 500;
    uint64_t seed = 42;
    const char *dir_arg = NULL;
    bool keep = false, populate_only = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--scenes") && i + 1 < argc)
            scenes = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--requests") && i + 1 < argc)
            requests = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir_arg = argv[++i];
        else if (!strcmp(argv[i], "--keep"))
            keep = true;
        else if (!strcmp(argv[i], "--populate-only"))
            populate_only = true;
        else {
            fprintf(stderr, "usage: %s [--scenes N] [--requests R] [--seed S] [--dir DIR] [--keep] "
                            "[--populate-only]\n", argv[0]);
            return 2;
        }
    }
    if (requests < 1 || scenes < 1 || (populate_only && !dir_arg)) {
        fprintf(stderr, "browse-bench: bad arguments\n");
        return 2;
    }
    sh_log_set_level(SH_LOG_WARNING);
    rng_state = seed;
    char dir[256], db_path[300], run_dir[300];
    if (dir_arg) {
        snprintf(dir, sizeof dir, "%s", dir_arg);
        mkdir(dir, 0700);
    } else {
        snprintf(dir, sizeof dir, "/tmp/sh-browse-XXXXXX");
        if (!mkdtemp(dir))
            die("mkdtemp", NULL);
    }
    snprintf(db_path, sizeof db_path, "%s/stashhog.db", dir);
    snprintf(run_dir, sizeof run_dir, "%s/run", dir);

    fs_gen_options gen = {.seed = seed, .scenes = scenes};
    fs_library *lib = NULL;
    char msg[256];
    int64_t t0 = now_us();
    if (fs_library_generate(&gen, &lib, msg, sizeof msg) != 0) {
        fprintf(stderr, "browse-bench: generate: %s\n", msg);
        return 1;
    }
    fprintf(stderr, "generated %zu scenes, %zu performers, %zu studios, %zu tags in %.1f s\n",
            fs_library_scene_count(lib), fs_library_entity_count(lib, FS_PERFORMER),
            fs_library_entity_count(lib, FS_STUDIO), fs_library_entity_count(lib, FS_TAG),
            (double)(now_us() - t0) / 1e6);
    if (access(db_path, F_OK) == 0) {
        fprintf(stderr, "using existing %s\n", db_path);
    } else {
        populate(db_path, lib);
    }
    if (populate_only) {
        fs_library_destroy(lib);
        return 0;
    }

    sh_config cfg;
    sh_error err = {0};
    sh_config_init(&cfg);
    if (sh_config_set(&cfg, "data_dir", dir, &err) != SH_OK ||
        sh_config_set(&cfg, "runtime_dir", run_dir, &err) != SH_OK ||
        sh_config_set(&cfg, "log_level", "warning", &err) != SH_OK || sh_config_finish(&cfg, &err) != SH_OK)
        die("config", &err);
    sh_daemon *daemon = NULL;
    if (sh_daemon_create(&cfg, &daemon, &err) != SH_OK)
        die("daemon", &err);
    char url[SH_PATH_MAX + 16];
    sh_rpc_client *client = NULL;
    sh_rpc_client_options copts = {.timeout_ms = 60000};
    if (sh_paths_rpc_url(run_dir, url, sizeof url, &err) != SH_OK ||
        sh_rpc_client_create(url, &copts, &client, &err) != SH_OK)
        die("client", &err);

    printf("browse-bench: %zu scenes, %d requests per workload, page 100 with total, via %s\n",
           fs_library_scene_count(lib), requests, url);
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++) {
        /* warm the page cache and statement caches like a running daemon */
        measure(client, lib, &workloads[i], requests < 20 ? requests : 20, false);
    }
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
        measure(client, lib, &workloads[i], requests, true);

    sh_rpc_client_destroy(client);
    sh_daemon_destroy(daemon);
    sh_config_fini(&cfg);
    fs_library_destroy(lib);
    if (!keep && !dir_arg && nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "browse-bench: could not remove %s\n", dir);
    return 0;
}
