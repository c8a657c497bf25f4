#include "library-fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Studios 1 Alpha Studio, 2 Beta, 3 Gamma (parent 1); performers 1 Anna
 * Émile (alias Annie), 2 Bob O'Brien, 3 Chloé, 4 Dora (no scenes); tags 1
 * outdoor, 2 indoor, 3 4k.  Scenes:
 *  id title            date        studio org path                           perf   tags
 *  1  Sunset Beach     2020-05-01  1      1   /lib/alpha/sunset.mp4          1,2    1,3
 *  2  Morning Coffee   2021-01-15  2      0   /lib/beta/coffee.mp4           3      2
 *  3  ''               NULL        -      0   /lib/misc/clip_003.mkv         -      -
 *  4  Beyoncé's Night  2020-12-31  1      1   /lib/alpha/night.mp4           1      1,2
 *  5  sunset again     2019-07-04  3      0   /lib/gamma/Sunset_Again.MP4    2,3    3
 *  6  Zebra            2021-01-15  -      1   /lib/zoo/zebra.mp4             1,2,3  1
 *  7  alpha male       2022-03-03  2      0   /lib/beta/alpha.mp4            -      3
 *  8  Morning Coffee   2020-05-01  2      0   /lib/beta/coffee2.mp4          2      2,3
 * Every scene has one primary file (id 100 + scene id, 1000 * id bytes,
 * 60.5 s, 1920x1080); scene 1 also has /backup/sunset-copy.mp4 and two urls. */
static const char *const base_sql[] = {
    "INSERT INTO studios(id, name, parent_id, synced_at) VALUES (1, 'Alpha Studio', NULL, 1), "
    "(2, 'Beta', NULL, 1), (3, 'Gamma', 1, 1)",
    "INSERT INTO studio_aliases VALUES (1, 'AS')",
    "INSERT INTO performers(id, name, disambiguation, synced_at) VALUES (1, 'Anna Émile', 'the first', 1), "
    "(2, 'Bob O''Brien', NULL, 1), (3, 'Chloé', NULL, 1), (4, 'Dora', NULL, 1)",
    "INSERT INTO performer_aliases VALUES (1, 'Annie'), (1, 'A. E.')",
    "INSERT INTO tags(id, name, ignore_auto_tag, synced_at) VALUES (1, 'outdoor', 0, 1), (2, 'indoor', 0, 1), "
    "(3, '4k', 1, 1)",
    "INSERT INTO scenes(id, title, code, details, date, studio_id, organized, primary_path, stash_created_at, "
    "stash_updated_at, synced_at) VALUES "
    "(1, 'Sunset Beach', 'AS-001', 'A walk (at dusk)', '2020-05-01', 1, 1, '/lib/alpha/sunset.mp4', "
    "'2023-01-01T00:00:00Z', '2024-01-05', 1111), "
    "(2, 'Morning Coffee', '', '', '2021-01-15', 2, 0, '/lib/beta/coffee.mp4', NULL, '2024-01-03', 1), "
    "(3, '', NULL, NULL, NULL, NULL, 0, '/lib/misc/clip_003.mkv', NULL, '2024-01-01', 1), "
    "(4, 'Beyoncé''s Night', 'AS-002', 'star* power \"quoted\"', '2020-12-31', 1, 1, '/lib/alpha/night.mp4', "
    "NULL, '2024-01-05', 1), "
    "(5, 'sunset again', 'G-5', '100% real_fun', '2019-07-04', 3, 0, '/lib/gamma/Sunset_Again.MP4', NULL, "
    "'2024-01-02', 1), "
    "(6, 'Zebra', NULL, 'animals', '2021-01-15', NULL, 1, '/lib/zoo/zebra.mp4', NULL, '2024-01-04', 1), "
    "(7, 'alpha male', 'B-7', '', '2022-03-03', 2, 0, '/lib/beta/alpha.mp4', NULL, '2024-01-02', 1), "
    "(8, 'Morning Coffee', '', '', '2020-05-01', 2, 0, '/lib/beta/coffee2.mp4', NULL, '2024-01-06', 1)",
    "INSERT INTO scene_performers VALUES (1,1),(1,2),(2,3),(4,1),(5,2),(5,3),(6,1),(6,2),(6,3),(8,2)",
    "INSERT INTO scene_tags VALUES (1,1),(1,3),(2,2),(4,1),(4,2),(5,3),(6,1),(7,3),(8,2),(8,3)",
    "INSERT INTO scene_files(id, scene_id, position, path, basename, size, duration, width, height, frame_rate, "
    "video_codec) SELECT 100 + id, id, 0, primary_path, NULL, 1000 * id, 60.5, 1920, 1080, 29.97, 'h264' "
    "FROM scenes",
    "INSERT INTO scene_files(id, scene_id, position, path, size) VALUES (200, 1, 1, '/backup/sunset-copy.mp4', 7)",
};

static const char *const finish_sql[] = {
    "INSERT INTO scene_urls VALUES (1, 0, 'https://a.example/1'), (1, 1, 'https://b.example/1')",
    /* The full-text row as the store writes it: names joined by spaces. */
    "INSERT INTO scene_fts(rowid, title, details, paths, performers, studio, tags, code) "
    "SELECT s.id, s.title, s.details, "
    " (SELECT group_concat(path, ' ') FROM scene_files f WHERE f.scene_id = s.id), "
    " (SELECT group_concat(p.name, ' ') FROM scene_performers sp JOIN performers p ON p.id = sp.performer_id "
    "  WHERE sp.scene_id = s.id), "
    " (SELECT name FROM studios WHERE id = s.studio_id), "
    " (SELECT group_concat(t.name, ' ') FROM scene_tags st JOIN tags t ON t.id = st.tag_id "
    "  WHERE st.scene_id = s.id), s.code FROM scenes s",
};


static void exec_all(sh_test_db *t, const char *const *sql, size_t n)
{
    for (size_t i = 0; i < n && sql[i]; i++)
        sh_test_db_exec(t, sql[i]);
}

void sh_test_library_open(sh_test_library *lib, const char *const *tweaks)
{
    sh_test_db_open(lib);
    sh_error err = {0};
    assert_int_equal(sh_db_write_begin(lib->db, &err), SH_OK);
    exec_all(lib, base_sql, sizeof base_sql / sizeof base_sql[0]);
    if (tweaks)
        exec_all(lib, tweaks, SIZE_MAX);
    exec_all(lib, finish_sql, sizeof finish_sql / sizeof finish_sql[0]);
    assert_int_equal(sh_db_commit(lib->db, &err), SH_OK);
}

void sh_test_library_close(sh_test_library *lib)
{
    sh_test_db_close(lib);
}
