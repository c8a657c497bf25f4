/* The SceneFilter compiler against a small hand-built library whose expected
 * results were worked out by hand: each filter alone and combined, excludes,
 * missing fields, sorts with a stable id tiebreak across pages, full-text
 * search with diacritics and FTS syntax characters, offsets past the end;
 * the row readers (summary, detail, entity lists); and the query plans of the
 * main filters (no scan of scenes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"
#include "db/scene-query.h"
#include "db/scene-read.h"
#include "library-fixture.h"

static sh_db *db;

static sh_test_library lib;

static int setup(void **state)
{
    (void)state;
    sh_test_library_open(&lib, NULL);
    db = lib.db;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sh_test_library_close(&lib);
    db = NULL;
    return 0;
}

/* ---- helpers */

#define F(...) ((Stashhog__SceneFilter){STASHHOG__SCENE_FILTER__INIT_BASE, __VA_ARGS__})
#define STASHHOG__SCENE_FILTER__INIT_BASE .base = PROTOBUF_C_MESSAGE_INIT(&stashhog__scene_filter__descriptor)
#define IDS(...) ((int64_t[]){__VA_ARGS__})
#define NIDS(...) (sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))
#define EXPECT(...) ((const int64_t[]){__VA_ARGS__}), NIDS(__VA_ARGS__)
#define NONE ((const int64_t *)NULL), 0

struct collect {
    int64_t ids[64];
    size_t n;
};

static sh_status collect_fn(void *user, int64_t id, sh_error *err)
{
    (void)err;
    struct collect *c = user;
    assert_true(c->n < 64);
    c->ids[c->n++] = id;
    return SH_OK;
}

static void check_page(const char *what, const Stashhog__SceneFilter *f, const sh_scene_order *o, int64_t offset,
                       int64_t limit, const int64_t *want, size_t n_want)
{
    struct collect c = {0};
    sh_error err = {0};
    sh_status st = sh_scene_query_ids(db, f, o, offset, limit, collect_fn, &c, &err);
    if (st != SH_OK)
        fail_msg("%s: %s", what, err.message);
    bool same = c.n == n_want;
    for (size_t i = 0; same && i < n_want; i++)
        same = c.ids[i] == want[i];
    if (!same) {
        char got[256] = "", exp[256] = "";
        for (size_t i = 0; i < c.n; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), " %lld", (long long)c.ids[i]);
        for (size_t i = 0; i < n_want; i++)
            snprintf(exp + strlen(exp), sizeof exp - strlen(exp), " %lld", (long long)want[i]);
        fail_msg("%s: expected [%s ] got [%s ]", what, exp, got);
    }
}

/* All matches in id order, and the count agrees. */
static void check(const char *what, const Stashhog__SceneFilter *f, const int64_t *want, size_t n_want)
{
    check_page(what, f, NULL, 0, -1, want, n_want);
    int64_t total = -1;
    sh_error err = {0};
    if (sh_scene_query_count(db, f, &total, &err) != SH_OK)
        fail_msg("%s (count): %s", what, err.message);
    if (total != (int64_t)n_want)
        fail_msg("%s: count %lld, expected %zu", what, (long long)total, n_want);
}

/* ---- tests */

static void test_single_filters(void **state)
{
    (void)state;
    check("no filter", NULL, EXPECT(1, 2, 3, 4, 5, 6, 7, 8));
    check("empty filter", &F(.n_missing = 0), EXPECT(1, 2, 3, 4, 5, 6, 7, 8));
    check("studio 1", &F(.n_studio_ids = 1, .studio_ids = IDS(1)), EXPECT(1, 4));
    check("studio 1|2", &F(.n_studio_ids = 2, .studio_ids = IDS(2, 1)), EXPECT(1, 2, 4, 7, 8));
    check("studio unknown", &F(.n_studio_ids = 1, .studio_ids = IDS(99)), NONE);
    check("performer 1", &F(.n_performer_ids = 1, .performer_ids = IDS(1)), EXPECT(1, 4, 6));
    check("performer 2", &F(.n_performer_ids = 1, .performer_ids = IDS(2)), EXPECT(1, 5, 6, 8));
    check("performer 4 (no scenes)", &F(.n_performer_ids = 1, .performer_ids = IDS(4)), NONE);
    check("tag 3", &F(.n_tag_ids = 1, .tag_ids = IDS(3)), EXPECT(1, 5, 7, 8));
    check("organized", &F(.has_organized = 1, .organized = 1), EXPECT(1, 4, 6));
    check("not organized", &F(.has_organized = 1, .organized = 0), EXPECT(2, 3, 5, 7, 8));
    check("scene ids", &F(.n_scene_ids = 3, .scene_ids = IDS(8, 2, 99)), EXPECT(2, 8));
    check("scene ids dup", &F(.n_scene_ids = 3, .scene_ids = IDS(5, 5, 5)), EXPECT(5));
}

static void test_includes_excludes(void **state)
{
    (void)state;
    /* include = all of */
    check("performers 1+2", &F(.n_performer_ids = 2, .performer_ids = IDS(1, 2)), EXPECT(1, 6));
    check("performers 1+2+3", &F(.n_performer_ids = 3, .performer_ids = IDS(3, 2, 1)), EXPECT(6));
    check("tags 1+3", &F(.n_tag_ids = 2, .tag_ids = IDS(1, 3)), EXPECT(1));
    check("tags 2+3", &F(.n_tag_ids = 2, .tag_ids = IDS(2, 3)), EXPECT(8));
    check("not performer 2", &F(.n_exclude_performer_ids = 1, .exclude_performer_ids = IDS(2)),
          EXPECT(2, 3, 4, 7));
    check("not performers 2|3", &F(.n_exclude_performer_ids = 2, .exclude_performer_ids = IDS(2, 3)),
          EXPECT(3, 4, 7));
    check("not tag 2", &F(.n_exclude_tag_ids = 1, .exclude_tag_ids = IDS(2)), EXPECT(1, 3, 5, 6, 7));
    check("performer 2 not tag 1",
          &F(.n_performer_ids = 1, .performer_ids = IDS(2), .n_exclude_tag_ids = 1, .exclude_tag_ids = IDS(1)),
          EXPECT(5, 8));
    check("tag 3 not performer 2",
          &F(.n_tag_ids = 1, .tag_ids = IDS(3), .n_exclude_performer_ids = 1, .exclude_performer_ids = IDS(2)),
          EXPECT(7));
    check("include and exclude same", &F(.n_tag_ids = 1, .tag_ids = IDS(3), .n_exclude_tag_ids = 1,
                                         .exclude_tag_ids = IDS(3)),
          NONE);
}

static void test_dates_and_paths(void **state)
{
    (void)state;
    check("2020-05-01..2020-12-31", &F(.date_from = "2020-05-01", .date_to = "2020-12-31"), EXPECT(1, 4, 8));
    check("to 2020 (whole year)", &F(.date_to = "2020"), EXPECT(1, 4, 5, 8));
    check("to 2020-05", &F(.date_to = "2020-05"), EXPECT(1, 5, 8));
    check("from 2021", &F(.date_from = "2021"), EXPECT(2, 6, 7));
    check("empty bounds ignored", &F(.date_from = "", .date_to = ""), EXPECT(1, 2, 3, 4, 5, 6, 7, 8));
    check("path any case", &F(.path_contains = "SUNSET"), EXPECT(1, 5));
    check("path of a second file", &F(.path_contains = "backup/"), EXPECT(1));
    check("path underscore is literal", &F(.path_contains = "e_2"), NONE);
    check("path percent is literal", &F(.path_contains = "%"), NONE);
    check("path with underscore", &F(.path_contains = "p_0"), EXPECT(3));
}

static void test_missing(void **state)
{
    (void)state;
    static const struct {
        Stashhog__MissingField field;
        int64_t want[8];
        size_t n;
    } cases[] = {
        {STASHHOG__MISSING_FIELD__MISSING_STUDIO, {3, 6}, 2},
        {STASHHOG__MISSING_FIELD__MISSING_PERFORMERS, {3, 7}, 2},
        {STASHHOG__MISSING_FIELD__MISSING_TAGS, {3}, 1},
        {STASHHOG__MISSING_FIELD__MISSING_DATE, {3}, 1},
        {STASHHOG__MISSING_FIELD__MISSING_TITLE, {3}, 1},
        {STASHHOG__MISSING_FIELD__MISSING_DETAILS, {2, 3, 7, 8}, 4},
        {STASHHOG__MISSING_FIELD__MISSING_CODE, {2, 3, 6, 8}, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Stashhog__MissingField m[1] = {cases[i].field};
        char what[32];
        snprintf(what, sizeof what, "missing %d", (int)cases[i].field);
        check(what, &F(.n_missing = 1, .missing = m), cases[i].want, cases[i].n);
    }
    Stashhog__MissingField both[2] = {STASHHOG__MISSING_FIELD__MISSING_STUDIO,
                                      STASHHOG__MISSING_FIELD__MISSING_CODE};
    check("missing studio+code", &F(.n_missing = 2, .missing = both), EXPECT(3, 6));
    check("missing code, organized", &F(.n_missing = 1, .missing = &both[1], .has_organized = 1, .organized = 1),
          EXPECT(6));
}

static void test_fulltext(void **state)
{
    (void)state;
    check("word", &F(.query = "sunset"), EXPECT(1, 5));
    check("prefix", &F(.query = "sun"), EXPECT(1, 5));
    check("two words = and", &F(.query = "sunset beach"), EXPECT(1));
    check("diacritics folded in query", &F(.query = "BEYONCÉ"), EXPECT(4));
    check("diacritics folded in text", &F(.query = "beyonce"), EXPECT(4));
    check("performer name", &F(.query = "chloe"), EXPECT(2, 5, 6));
    check("apostrophe", &F(.query = "o'brien"), EXPECT(1, 5, 6, 8));
    check("asterisk", &F(.query = "star*"), EXPECT(4));
    check("parentheses", &F(.query = "(at dusk)"), EXPECT(1));
    check("double quotes", &F(.query = "\"quoted\""), EXPECT(4));
    check("unbalanced quote", &F(.query = "\"night"), EXPECT(4));
    check("fts operators are words", &F(.query = "sunset OR zebra"), NONE);
    check("NEAR/column syntax inert", &F(.query = "title:zebra NEAR(x)"), NONE);
    check("punctuation only = no text filter", &F(.query = "*** ( ) \" -"), EXPECT(1, 2, 3, 4, 5, 6, 7, 8));
    check("studio and path words", &F(.query = "alpha"), EXPECT(1, 4, 7));
    check("code with dash", &F(.query = "as-001"), EXPECT(1));
    check("tag name", &F(.query = "4k"), EXPECT(1, 5, 7, 8));
    check("no match", &F(.query = "nothingmatches"), NONE);
    check("fts + tag", &F(.query = "sunset", .n_tag_ids = 1, .tag_ids = IDS(3)), EXPECT(1, 5));
    check("fts + studio", &F(.query = "sunset", .n_studio_ids = 1, .studio_ids = IDS(3)), EXPECT(5));
    check("fts + performer + exclude", &F(.query = "coffee", .n_performer_ids = 1, .performer_ids = IDS(2)),
          EXPECT(8));

    char *expr = NULL;
    sh_error err = {0};
    assert_int_equal(sh_scene_fts_expression("a\"b  c*", &expr, &err), SH_OK);
    assert_string_equal(expr, "\"a\"\"b\"* \"c*\"*");
    free(expr);
    assert_int_equal(sh_scene_fts_expression(" ** ", &expr, &err), SH_OK);
    assert_null(expr);
}

static void test_combined(void **state)
{
    (void)state;
    check("performer 2 + organized", &F(.n_performer_ids = 1, .performer_ids = IDS(2), .has_organized = 1,
                                        .organized = 1),
          EXPECT(1, 6));
    check("tag 2 + missing details",
          &F(.n_tag_ids = 1, .tag_ids = IDS(2), .n_missing = 1,
             .missing = (Stashhog__MissingField[]){STASHHOG__MISSING_FIELD__MISSING_DETAILS}),
          EXPECT(2, 8));
    check("studio 2 + date + path",
          &F(.n_studio_ids = 1, .studio_ids = IDS(2), .date_from = "2020", .date_to = "2021", .path_contains = "coffee"),
          EXPECT(2, 8));
    check("everything", &F(.query = "morning", .n_studio_ids = 1, .studio_ids = IDS(2), .n_performer_ids = 1,
                           .performer_ids = IDS(2), .n_tag_ids = 1, .tag_ids = IDS(3), .has_organized = 1,
                           .organized = 0, .date_from = "2020-01-01", .date_to = "2020-12-31",
                           .path_contains = "beta", .n_scene_ids = 2, .scene_ids = IDS(8, 2),
                           .n_exclude_tag_ids = 1, .exclude_tag_ids = IDS(1)),
          EXPECT(8));
    /* An id set with a studio or date condition: the smaller leads (sizes
     * counted first), and either way the rows are the same. */
    check("tag 2 + studio 2 + unorganized (studio leads)",
          &F(.n_tag_ids = 1, .tag_ids = IDS(2), .n_studio_ids = 1, .studio_ids = IDS(2), .has_organized = 1,
             .organized = 0),
          EXPECT(2, 8));
    check("tags 2+3 + studio 2 (studio leads)",
          &F(.n_tag_ids = 2, .tag_ids = IDS(2, 3), .n_studio_ids = 1, .studio_ids = IDS(2)), EXPECT(8));
    check("performer 1 + since 2019 + organized (performer leads)",
          &F(.n_performer_ids = 1, .performer_ids = IDS(1), .date_from = "2019", .has_organized = 1, .organized = 1),
          EXPECT(1, 4, 6));
    check("performer 1 + tag 2 + studios 1|3 + since 2019 (studios lead)",
          &F(.n_performer_ids = 1, .performer_ids = IDS(1), .n_tag_ids = 1, .tag_ids = IDS(2), .n_studio_ids = 2,
             .studio_ids = IDS(1, 3), .date_from = "2019"),
          EXPECT(4));
    check("tag 1 + unknown studio", &F(.n_tag_ids = 1, .tag_ids = IDS(1), .n_studio_ids = 1, .studio_ids = IDS(99)),
          NONE);
    check("missing performers + tag", &F(.n_missing = 1,
                                         .missing = (Stashhog__MissingField[]){
                                             STASHHOG__MISSING_FIELD__MISSING_PERFORMERS},
                                         .n_tag_ids = 1, .tag_ids = IDS(3)),
          EXPECT(7));
}

static void test_sorts_and_pages(void **state)
{
    (void)state;
    sh_scene_order o = {.sort = STASHHOG__SCENE_SORT__SCENE_SORT_TITLE};
    check_page("title asc", NULL, &o, 0, -1, EXPECT(3, 7, 4, 2, 8, 5, 1, 6));
    o.descending = true;
    check_page("title desc", NULL, &o, 0, -1, EXPECT(6, 1, 5, 8, 2, 4, 7, 3));
    o = (sh_scene_order){.sort = STASHHOG__SCENE_SORT__SCENE_SORT_DATE};
    check_page("date asc", NULL, &o, 0, -1, EXPECT(3, 5, 1, 8, 4, 2, 6, 7));
    /* pages of 3 concatenate to the full order (ties broken by id) */
    check_page("date p1", NULL, &o, 0, 3, EXPECT(3, 5, 1));
    check_page("date p2", NULL, &o, 3, 3, EXPECT(8, 4, 2));
    check_page("date p3", NULL, &o, 6, 3, EXPECT(6, 7));
    check_page("date past end", NULL, &o, 8, 3, NONE);
    check_page("far past end", NULL, &o, 1000000, 100, NONE);
    o.descending = true;
    check_page("date desc", NULL, &o, 0, -1, EXPECT(7, 6, 2, 4, 8, 1, 5, 3));
    check_page("date desc p2", NULL, &o, 2, 2, EXPECT(2, 4));
    o = (sh_scene_order){.sort = STASHHOG__SCENE_SORT__SCENE_SORT_PATH};
    check_page("path asc", NULL, &o, 0, -1, EXPECT(4, 1, 7, 2, 8, 5, 3, 6));
    o = (sh_scene_order){.sort = STASHHOG__SCENE_SORT__SCENE_SORT_UPDATED};
    check_page("updated asc", NULL, &o, 0, -1, EXPECT(3, 5, 7, 2, 6, 1, 4, 8));
    o.descending = true;
    check_page("updated desc", NULL, &o, 0, -1, EXPECT(8, 4, 1, 6, 2, 7, 5, 3));
    o = (sh_scene_order){.sort = STASHHOG__SCENE_SORT__SCENE_SORT_ID, .descending = true};
    check_page("id desc filtered", &F(.n_performer_ids = 1, .performer_ids = IDS(2)), &o, 1, 2, EXPECT(6, 5));
    check_page("limit 0", NULL, NULL, 0, 0, NONE);

    /* The count ignores paging; an unknown sort is refused. */
    int64_t total = 0;
    sh_error err = {0};
    assert_int_equal(sh_scene_query_count(db, NULL, &total, &err), SH_OK);
    assert_int_equal(total, 8);
    struct collect c = {0};
    o.sort = (Stashhog__SceneSort)42;
    assert_int_equal(sh_scene_query_ids(db, NULL, &o, 0, 10, collect_fn, &c, &err), SH_ERR_INVALID);
    assert_int_equal(sh_scene_query_ids(db, NULL, NULL, -1, 10, collect_fn, &c, &err), SH_ERR_INVALID);
}

static sh_status stop_after_two(void *user, int64_t id, sh_error *err)
{
    struct collect *c = user;
    c->ids[c->n++] = id;
    return c->n == 2 ? sh_error_set(err, SH_ERR_CANCELLED, "enough") : SH_OK;
}

static void test_validation_and_callback(void **state)
{
    (void)state;
    sh_error err = {0};
    int64_t many[SH_SCENE_QUERY_MAX_INCLUDE + 1] = {0};
    assert_int_equal(sh_scene_filter_validate(&F(.n_tag_ids = SH_SCENE_QUERY_MAX_INCLUDE + 1, .tag_ids = many), &err),
                     SH_ERR_INVALID);
    assert_int_equal(sh_scene_filter_validate(&F(.date_from = "2020-1-1"), &err), SH_ERR_INVALID);
    assert_int_equal(sh_scene_filter_validate(&F(.date_to = "20200101"), &err), SH_ERR_INVALID);
    assert_int_equal(sh_scene_filter_validate(&F(.date_to = "2020-01-01' OR 1=1"), &err), SH_ERR_INVALID);
    Stashhog__MissingField bad[1] = {(Stashhog__MissingField)99};
    assert_int_equal(sh_scene_filter_validate(&F(.n_missing = 1, .missing = bad), &err), SH_ERR_INVALID);
    int64_t total = 0;
    assert_int_equal(sh_scene_query_count(db, &F(.date_from = "x"), &total, &err), SH_ERR_INVALID);

    struct collect c = {0};
    assert_int_equal(sh_scene_query_ids(db, NULL, NULL, 0, -1, stop_after_two, &c, &err), SH_ERR_CANCELLED);
    assert_int_equal(c.n, 2);

    /* The cursor form gives the same ids. */
    sh_scene_cursor *cur = NULL;
    assert_int_equal(sh_scene_cursor_open(db, &F(.n_tag_ids = 1, .tag_ids = IDS(2)), NULL, 1, 5, &cur, &err), SH_OK);
    int64_t id = 0;
    assert_int_equal(sh_scene_cursor_next(cur, &id, &err), 1);
    assert_int_equal(id, 4);
    assert_int_equal(sh_scene_cursor_next(cur, &id, &err), 1);
    assert_int_equal(id, 8);
    assert_int_equal(sh_scene_cursor_next(cur, &id, &err), 0);
    sh_scene_cursor_close(cur);

    /* Hostile text is data, never SQL. */
    check("sql in path", &F(.path_contains = "'); DROP TABLE scenes; --"), NONE);
    check("sql in query", &F(.query = "x'); DROP TABLE scenes; --"), NONE);
    check("still there", NULL, EXPECT(1, 2, 3, 4, 5, 6, 7, 8));
}

static void test_readers(void **state)
{
    (void)state;
    sh_arena *a = sh_arena_create();
    sh_error err = {0};
    Stashhog__SceneDetail *d = NULL;
    assert_int_equal(sh_scene_read_detail(db, a, 1, &d, &err), SH_OK);
    const Stashhog__SceneSummary *s = d->summary;
    assert_int_equal(s->id, 1);
    assert_string_equal(s->title, "Sunset Beach");
    assert_string_equal(s->date, "2020-05-01");
    assert_non_null(s->studio);
    assert_int_equal(s->studio->id, 1);
    assert_string_equal(s->studio->name, "Alpha Studio");
    assert_int_equal(s->n_performers, 2);
    assert_string_equal(s->performers[0]->name, "Anna Émile");
    assert_string_equal(s->performers[1]->name, "Bob O'Brien");
    assert_int_equal(s->n_tags, 2);
    assert_string_equal(s->tags[0]->name, "4k");
    assert_string_equal(s->tags[1]->name, "outdoor");
    assert_string_equal(s->path, "/lib/alpha/sunset.mp4");
    assert_true(s->has_organized && s->organized);
    assert_string_equal(s->updated_at, "2024-01-05");
    assert_string_equal(d->code, "AS-001");
    assert_string_equal(d->details, "A walk (at dusk)");
    assert_string_equal(d->created_at, "2023-01-01T00:00:00Z");
    assert_true(d->has_synced_at_ms);
    assert_int_equal(d->synced_at_ms, 1111);
    assert_int_equal(d->n_urls, 2);
    assert_string_equal(d->urls[0], "https://a.example/1");
    assert_string_equal(d->urls[1], "https://b.example/1");
    assert_int_equal(d->n_files, 2);
    assert_string_equal(d->files[0]->path, "/lib/alpha/sunset.mp4");
    assert_true(d->files[0]->has_size && d->files[0]->size == 1000);
    assert_true(d->files[0]->has_width && d->files[0]->width == 1920 && d->files[0]->height == 1080);
    assert_true(d->files[0]->has_duration && d->files[0]->duration > 60.4 && d->files[0]->duration < 60.6);
    assert_string_equal(d->files[0]->video_codec, "h264");
    assert_string_equal(d->files[1]->path, "/backup/sunset-copy.mp4");
    assert_false(d->files[1]->has_width);

    /* Unset fields are absent, not empty. */
    assert_int_equal(sh_scene_read_detail(db, a, 3, &d, &err), SH_OK);
    assert_null(d->summary->title);
    assert_null(d->summary->date);
    assert_null(d->summary->studio);
    assert_int_equal(d->summary->n_performers, 0);
    assert_null(d->code);
    assert_null(d->details);
    assert_int_equal(d->n_urls, 0);

    assert_int_equal(sh_scene_read_detail(db, a, 999, &d, &err), SH_ERR_NOT_FOUND);
    sh_arena_destroy(a);
}

static void test_entities(void **state)
{
    (void)state;
    sh_arena *a = sh_arena_create();
    sh_error err = {0};
    Stashhog__EntityListReply *r = NULL;
    Stashhog__EntityListRequest req = STASHHOG__ENTITY_LIST_REQUEST__INIT;
    req.kind = STASHHOG__ENTITY_KIND__ENTITY_PERFORMER;
    assert_int_equal(sh_entity_read_list(db, a, &req, &r, &err), SH_OK);
    assert_int_equal(r->total, 4);
    assert_int_equal(r->n_entities, 4);
    assert_string_equal(r->entities[0]->name, "Anna Émile");
    assert_string_equal(r->entities[0]->disambiguation, "the first");
    assert_int_equal(r->entities[0]->n_aliases, 2);
    assert_string_equal(r->entities[0]->aliases[0], "A. E.");
    assert_string_equal(r->entities[0]->aliases[1], "Annie");
    assert_int_equal(r->entities[0]->scene_count, 3);
    assert_int_equal(r->entities[1]->scene_count, 4); /* Bob */
    assert_int_equal(r->entities[3]->id, 4);          /* Dora */
    assert_int_equal(r->entities[3]->scene_count, 0);

    req.query = "annie"; /* alias, any case */
    assert_int_equal(sh_entity_read_list(db, a, &req, &r, &err), SH_OK);
    assert_int_equal(r->total, 1);
    assert_int_equal(r->entities[0]->id, 1);
    req.query = "o'b";
    assert_int_equal(sh_entity_read_list(db, a, &req, &r, &err), SH_OK);
    assert_int_equal(r->n_entities, 1);
    assert_int_equal(r->entities[0]->id, 2);
    req.query = "%";
    assert_int_equal(sh_entity_read_list(db, a, &req, &r, &err), SH_OK);
    assert_int_equal(r->total, 0);

    req.query = NULL;
    req.has_limit = req.has_offset = 1;
    req.limit = 2;
    req.offset = 1;
    assert_int_equal(sh_entity_read_list(db, a, &req, &r, &err), SH_OK);
    assert_int_equal(r->total, 4);
    assert_int_equal(r->n_entities, 2);
    assert_int_equal(r->entities[0]->id, 2);
    assert_int_equal(r->entities[1]->id, 3);

    req = (Stashhog__EntityListRequest)STASHHOG__ENTITY_LIST_REQUEST__INIT;
    req.kind = STASHHOG__ENTITY_KIND__ENTITY_STUDIO;
    assert_int_equal(sh_entity_read_list(db, a, &req, &r, &err), SH_OK);
    assert_int_equal(r->n_entities, 3);
    assert_string_equal(r->entities[0]->name, "Alpha Studio");
    assert_int_equal(r->entities[0]->scene_count, 2);
    assert_string_equal(r->entities[0]->aliases[0], "AS");
    assert_int_equal(r->entities[2]->id, 3);
    assert_non_null(r->entities[2]->parent);
    assert_string_equal(r->entities[2]->parent->name, "Alpha Studio");

    req.kind = STASHHOG__ENTITY_KIND__ENTITY_TAG;
    assert_int_equal(sh_entity_read_list(db, a, &req, &r, &err), SH_OK);
    assert_int_equal(r->n_entities, 3);
    assert_string_equal(r->entities[0]->name, "4k");
    assert_true(r->entities[0]->ignore_auto_tag);
    assert_int_equal(r->entities[0]->scene_count, 4);
    assert_string_equal(r->entities[1]->name, "indoor");
    assert_int_equal(r->entities[1]->scene_count, 3);

    req.kind = (Stashhog__EntityKind)7;
    assert_int_equal(sh_entity_read_list(db, a, &req, &r, &err), SH_ERR_INVALID);
    sh_arena_destroy(a);
}

/* EXPLAIN QUERY PLAN of page and count both contain (or both lack) s. */
static void check_plan_has(const char *what, const Stashhog__SceneFilter *f, const char *s, bool want)
{
    for (int count = 0; count < 2; count++) {
        char *sql = NULL, *plan = NULL;
        sh_error err = {0};
        if (sh_scene_query_explain(db, f, NULL, count, &sql, &plan, &err) != SH_OK)
            fail_msg("%s: %s", what, err.message);
        if ((strstr(plan, s) != NULL) != want)
            fail_msg("%s (%s): plan %s \"%s\":\n%s\n-- sql: %s", what, count ? "count" : "page",
                     want ? "lacks" : "has", s, plan, sql);
        free(sql);
        free(plan);
    }
}

/* The main filters with id-sorted pages must be answered from indexes:
 * no "SCAN s" (scenes table or a whole index of it) in page or count. */
static void check_no_scan(const char *what, const Stashhog__SceneFilter *f)
{
    for (int count = 0; count < 2; count++) {
        char *sql = NULL, *plan = NULL;
        sh_error err = {0};
        if (sh_scene_query_explain(db, f, NULL, count, &sql, &plan, &err) != SH_OK)
            fail_msg("%s: %s", what, err.message);
        bool scan = false;
        for (const char *line = plan; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
            scan |= strncmp(line, "SCAN s\n", 7) == 0 || strcmp(line, "SCAN s") == 0 ||
                    strncmp(line, "SCAN s ", 7) == 0 || strncmp(line, "SCAN scenes", 11) == 0;
        if (scan)
            fail_msg("%s (%s) scans scenes:\n%s\n-- sql: %s", what, count ? "count" : "page", plan, sql);
        free(sql);
        free(plan);
    }
}

static void test_query_plans(void **state)
{
    (void)state;
    check_no_scan("studio", &F(.n_studio_ids = 1, .studio_ids = IDS(1)));
    check_no_scan("studios", &F(.n_studio_ids = 2, .studio_ids = IDS(1, 2)));
    check_no_scan("performer", &F(.n_performer_ids = 1, .performer_ids = IDS(1)));
    check_no_scan("performers", &F(.n_performer_ids = 2, .performer_ids = IDS(1, 2)));
    check_no_scan("tag", &F(.n_tag_ids = 1, .tag_ids = IDS(1)));
    check_no_scan("date", &F(.date_from = "2020-01-01", .date_to = "2020-12-31"));
    check_no_scan("missing studio",
                  &F(.n_missing = 1, .missing = (Stashhog__MissingField[]){STASHHOG__MISSING_FIELD__MISSING_STUDIO}));
    check_no_scan("fts", &F(.query = "sunset"));
    check_no_scan("scene ids", &F(.n_scene_ids = 2, .scene_ids = IDS(1, 2)));
    check_no_scan("tag + performer", &F(.n_tag_ids = 1, .tag_ids = IDS(1), .n_performer_ids = 1,
                                        .performer_ids = IDS(1)));

    /* Tag + studio + unorganized (browse-bench's slowest workload before
     * schema v7): the studio leads through the covering studio index, with
     * organized read from it and the tag probed by primary key; walking the
     * tag's scenes and reading each wide scene row was 10+ ms at 100k. */
    const Stashhog__SceneFilter tag_studio =
        F(.n_tag_ids = 1, .tag_ids = IDS(2), .n_studio_ids = 1, .studio_ids = IDS(2), .has_organized = 1,
          .organized = 0);
    check_no_scan("tag + studio + unorganized", &tag_studio);
    check_plan_has("tag + studio + unorganized", &tag_studio, "COVERING INDEX scenes_studio_organized", true);
    check_plan_has("tag + studio + unorganized", &tag_studio, "SEARCH scene_tags USING PRIMARY KEY", true);
    check_plan_has("tag + studio + unorganized", &tag_studio, "scene_tags_tag", false);
    /* A set at most half the studio/date side leads instead (performer 1:
     * 3 scenes; dated since 2019: 7), the date only checked. */
    const Stashhog__SceneFilter perf_date =
        F(.n_performer_ids = 1, .performer_ids = IDS(1), .date_from = "2019", .has_organized = 1, .organized = 1);
    check_no_scan("performer + date", &perf_date);
    check_plan_has("performer + date", &perf_date, "COVERING INDEX scene_performers_performer", true);
    check_plan_has("performer + date", &perf_date, "scenes_date", false);

    /* Counting a tag or performer alone never touches scenes at all. */
    char *sql = NULL;
    sh_error err = {0};
    assert_int_equal(sh_scene_query_explain(db, &F(.n_tag_ids = 1, .tag_ids = IDS(1)), NULL, true, &sql, NULL, &err),
                     SH_OK);
    assert_null(strstr(sql, "scenes"));
    free(sql);
    /* Unfiltered id order walks the narrow id index, not scene rows. */
    char *plan = NULL;
    assert_int_equal(sh_scene_query_explain(db, NULL, NULL, false, NULL, &plan, &err), SH_OK);
    assert_non_null(strstr(plan, "COVERING INDEX scenes_ids"));
    free(plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_filters),   cmocka_unit_test(test_includes_excludes),
        cmocka_unit_test(test_dates_and_paths),  cmocka_unit_test(test_missing),
        cmocka_unit_test(test_fulltext),         cmocka_unit_test(test_combined),
        cmocka_unit_test(test_sorts_and_pages),  cmocka_unit_test(test_validation_and_callback),
        cmocka_unit_test(test_readers),          cmocka_unit_test(test_entities),
        cmocka_unit_test(test_query_plans),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
