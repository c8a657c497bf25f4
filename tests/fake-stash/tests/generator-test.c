/* generator-test.c - the synthetic library is deterministic, realistic
 * (entity shapes, path conventions, partly filled metadata) and fast. */
#include "fake-stash.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <time.h>

#ifndef FS_TEST_SLOW
#define FS_TEST_SLOW 0
#endif

static fs_library *gen(uint64_t seed, size_t scenes)
{
    fs_library *lib = NULL;
    char err[256];
    fs_gen_options o = {.seed = seed, .scenes = scenes, .utc_offset_min = 60};
    assert_int_equal(fs_library_generate(&o, &lib, err, sizeof(err)), 0);
    assert_non_null(lib);
    return lib;
}

static void test_deterministic(void **state)
{
    (void)state;
    fs_library *a = gen(7, 1500), *b = gen(7, 1500), *c = gen(8, 1500);
    char *ja = fs_library_state_json(a), *jb = fs_library_state_json(b),
         *jc = fs_library_state_json(c);
    assert_true(strlen(ja) > 100000);
    assert_string_equal(ja, jb);
    assert_true(strcmp(ja, jc) != 0);
    free(ja);
    free(jb);
    free(jc);
    fs_library_destroy(a);
    fs_library_destroy(b);
    fs_library_destroy(c);
}

/* Lower-case ASCII letters and digits only: "Zoe.Lane" == "Zoe Lane". */
static void squash(const char *in, char *out, size_t outlen)
{
    size_t w = 0;
    for (; *in && w + 1 < outlen; in++)
        if ((unsigned char)*in < 0x80 && isalnum((unsigned char)*in))
            out[w++] = (char)tolower((unsigned char)*in);
    out[w] = '\0';
}

/* The entity's name or one of its aliases appears in the squashed path. */
static bool path_mentions(const char *spath, const fs_entity *e)
{
    char s[256];
    squash(e->name, s, sizeof(s));
    if (*s && strstr(spath, s))
        return true;
    for (size_t i = 0; i < e->aliases.n; i++) {
        squash(e->aliases.v[i], s, sizeof(s));
        if (*s && strstr(spath, s))
            return true;
    }
    return false;
}

static bool path_has_date(const char *spath, const char *date)
{
    char f[4][16];
    snprintf(f[0], 16, "%.4s%.2s%.2s", date, date + 5, date + 8);     /* YYYYMMDD */
    snprintf(f[1], 16, "%.2s%.2s%.2s", date + 2, date + 5, date + 8); /* YYMMDD */
    snprintf(f[2], 16, "%.2s%.2s%.4s", date + 8, date + 5, date);     /* DDMMYYYY */
    for (int i = 0; i < 3; i++)
        if (strstr(spath, f[i]))
            return true;
    return false;
}

static void test_shape_and_variety(void **state)
{
    (void)state;
    fs_library *lib = gen(1, 2000);
    assert_int_equal(fs_library_scene_count(lib), 2000);
    assert_true(fs_library_entity_count(lib, FS_PERFORMER) >= 300);
    assert_true(fs_library_entity_count(lib, FS_STUDIO) >= 30);
    assert_true(fs_library_entity_count(lib, FS_TAG) >= 40);

    int ignore[FS_KIND_COUNT] = {0}, children = 0, studio_aliases = 0, diacritic_folded = 0,
        single = 0;
    for (int k = 0; k < FS_KIND_COUNT; k++) {
        for (int64_t id = 1; id <= fs_library_max_entity_id(lib, (fs_kind)k); id++) {
            const fs_entity *e = fs_library_entity(lib, (fs_kind)k, id);
            assert_non_null(e);
            ignore[k] += e->ignore_auto_tag;
            if (k == FS_STUDIO) {
                children += e->parent_id != 0;
                studio_aliases += e->aliases.n > 0;
                if (e->parent_id) {
                    const fs_entity *p = fs_library_entity(lib, FS_STUDIO, e->parent_id);
                    assert_non_null(p);
                    assert_memory_equal(e->name, p->name, strlen(p->name));
                }
            }
            if (k == FS_PERFORMER) {
                single += strchr(e->name, ' ') == NULL;
                bool non_ascii = false;
                for (const char *p = e->name; *p; p++)
                    non_ascii |= (unsigned char)*p >= 0x80;
                if (non_ascii) {
                    assert_true(e->aliases.n >= 1); /* an ASCII spelling */
                    diacritic_folded++;
                }
            }
        }
    }
    for (int k = 0; k < FS_KIND_COUNT; k++)
        assert_true(ignore[k] >= 1);
    assert_true(children >= 3);
    assert_true(studio_aliases >= 5);
    assert_true(diacritic_folded >= 10);
    assert_true(single >= 2);
    const fs_entity *zoe = fs_library_entity(lib, FS_PERFORMER, 1);
    assert_string_equal(zoe->name, "Zoë Ĺane");
    assert_string_equal(zoe->aliases.v[0], "Zoe Lane");
    const char *technical[] = {"4K", "1080p", "720p", "60fps"};
    for (size_t i = 0; i < 4; i++) {
        bool found = false;
        for (int64_t id = 1; id <= fs_library_max_entity_id(lib, FS_TAG); id++)
            found |= strcmp(fs_library_entity(lib, FS_TAG, id)->name, technical[i]) == 0;
        assert_true(found);
    }

    /* Path conventions, each a real share of the library. */
    static const char *const marks[] = {"/data/Performers/", "/media/[", "/library/incoming/",
                                        "/storage/", "/data/unsorted/", "/downloads/"};
    int conv[6] = {0}, dated_dmy = 0, bracket_res = 0, multi = 0, with_studio = 0,
        no_title = 0, code = 0;
    for (int64_t id = 1; id <= fs_library_max_scene_id(lib); id++) {
        const fs_scene *s = fs_library_scene(lib, id);
        assert_non_null(s);
        assert_true(s->n_files >= 1);
        const fs_file *f = &s->files[0];
        assert_true(f->size > 0 && f->duration > 0 && f->width > 0 && f->height > 0 &&
                    f->frame_rate > 0 && *f->video_codec);
        assert_string_equal(f->basename, strrchr(f->path, '/') + 1);
        for (int i = 0; i < 6; i++)
            conv[i] += strncmp(f->path, marks[i], strlen(marks[i])) == 0;
        dated_dmy += strstr(f->path, ".20") && strstr(f->path, ").mp4") != NULL;
        bracket_res += strstr(f->path, "p].mp4") != NULL;
        multi += s->n_files > 1;
        with_studio += s->studio_id != 0;
        no_title += s->title[0] == '\0';
        code += s->truth.code && s->truth.code[3] == '-';

        /* the truth is what the path says */
        char sp[1024];
        squash(f->path, sp, sizeof(sp));
        if (s->truth.studio_id)
            assert_true(path_mentions(sp, fs_library_entity(lib, FS_STUDIO, s->truth.studio_id)));
        for (size_t i = 0; i < s->truth.performers.n; i++)
            assert_true(path_mentions(
                sp, fs_library_entity(lib, FS_PERFORMER, s->truth.performers.v[i])));
        if (s->truth.date)
            assert_true(path_has_date(sp, s->truth.date));
        if (s->truth.title) {
            char t[256];
            squash(s->truth.title, t, sizeof(t));
            assert_non_null(strstr(sp, t));
        }
    }
    for (int i = 0; i < 6; i++)
        assert_true(conv[i] >= 40); /* >= 2% each */
    assert_true(dated_dmy >= 100);
    assert_true(bracket_res >= 200);
    assert_true(multi >= 20);
    assert_true(code >= 50);
    /* stored metadata is partial */
    assert_true(with_studio > 400 && with_studio < 1400);
    assert_true(no_title > 600);
    fs_library_destroy(lib);
}

static void test_generation_speed(void **state)
{
    (void)state;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fs_library *lib = gen(42, 100000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("# generated 100000 scenes in %.3f s\n", secs);
    assert_true(secs < (FS_TEST_SLOW ? 15.0 : 2.0));
    assert_int_equal(fs_library_scene_count(lib), 100000);
    assert_int_equal(fs_library_max_scene_id(lib), 100000);
    fs_library_destroy(lib);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_shape_and_variety),
        cmocka_unit_test(test_generation_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
