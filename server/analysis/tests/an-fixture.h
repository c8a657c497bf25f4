/* an-fixture.h - a small, realistic set of studios, performers and tags
 * shared by the analysis tests, with ids named for readability. */
#ifndef AN_FIXTURE_H
#define AN_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analysis.h"

enum {
    ST_BRAZZERS = 1,
    ST_BRAZZERS_EXXTRA = 2,
    ST_REALITY_KINGS = 3,
    ST_RK_PRIME = 4,
    ST_METARTX = 5,
    ST_VIXEN = 6,
    ST_TUSHY = 7,
    ST_DDF = 8,
    ST_HANDS_ON = 9,
    ST_PRIVATE_IGNORED = 10,
    ST_NUBILES = 11,
    ST_NUBILES_PORN = 12,
};

enum {
    P_ANNA_BELL_PEAKS = 1,
    P_ANNA = 2,
    P_ZOEY_LAINE = 3, /* alias "Zoe Lane" */
    P_SUMMER = 4,
    P_JO = 5,
    P_JOHNNY_SINS = 6,
    P_ANGELA_WHITE = 7,
    P_NICE = 8,
    P_CHLOE_LAMOUR = 9, /* "Chloé Lamour" */
    P_IVY_WOLFE = 10,
    P_RILEY_REID_IGNORED = 11,
    P_ANNA_BELL = 12,
    P_SUMMER_RAIN = 13,
    P_KENDRA_LUST = 14,
    P_ABELLA_DANGER = 15,
    P_JESSICA_REX_A = 16, /* two performers share this name */
    P_JESSICA_REX_B = 17,
    P_LUCJA = 18,    /* "Łucja Kowalska" */
    P_OYSTEIN = 19,  /* "Øystein Ærø" */
    P_DOMINIKA = 20, /* "Dominika Ĺubová" */
    P_BAMBI = 21,
    P_EVA = 22,
    P_ELSA_JEAN = 23,
    P_STREET = 24, /* "Gisèle Straße" */
};

enum {
    T_4K = 1,
    T_1080P = 2,
    T_60FPS = 3,   /* named "60 FPS" */
    T_SHORT = 4,   /* "Short Video" */
    T_FEATURE = 5, /* "Feature Length" */
    T_SD = 6,
    T_BLOWJOB = 7,
    T_HD_IGNORED = 8, /* "720p", ignore_auto_tag */
};

/* Builds the fixture index; aborts the test on failure. */
sh_an_index *fixture_index(void);

/* A scene with one file at path (other fields unset). */
sh_an_scene fixture_scene(sh_an_file *file, const char *path);

/* Options with a fixed clock (2024-06-01) so date tests do not age. */
sh_an_options fixture_options(void);
#define FIXTURE_NOW 1717200000 /* 2024-06-01T00:00:00Z */

/* Runs one built-in analyzer by name on a scene into a fresh results. */
sh_an_results *fixture_run(const sh_an_index *index, const char *analyzer, const sh_an_scene *scene,
                           const sh_an_options *options);

#endif
