/* an-fixture.c - the shared entity set for the analysis tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "an-fixture.h"

static const char *const bz_aliases[] = {"BZ"};
static const char *const bzx_aliases[] = {"BrazzersExxtra"};
static const char *const rk_aliases[] = {"RealityKings"};
static const char *const zoey_aliases[] = {"Zoe Lane"};
static const char *const angela_aliases[] = {"Angie White"};
static const char *const t4k_aliases[] = {"2160p", "UHD"};
static const char *const t1080_aliases[] = {"Full HD"};

static const sh_an_entity studios[] = {
    {ST_BRAZZERS, "Brazzers", bz_aliases, 1, 0, NULL, false},
    {ST_BRAZZERS_EXXTRA, "Brazzers Exxtra", bzx_aliases, 1, ST_BRAZZERS, NULL, false},
    {ST_REALITY_KINGS, "Reality Kings", rk_aliases, 1, 0, NULL, false},
    {ST_RK_PRIME, "RK Prime", NULL, 0, ST_REALITY_KINGS, NULL, false},
    {ST_METARTX, "MetArtX", NULL, 0, 0, NULL, false},
    {ST_VIXEN, "Vixen", NULL, 0, 0, NULL, false},
    {ST_TUSHY, "Tushy", NULL, 0, 0, NULL, false},
    {ST_DDF, "DDFNetwork", NULL, 0, 0, NULL, false},
    {ST_HANDS_ON, "Hands on Hardcore", NULL, 0, ST_DDF, NULL, false},
    {ST_PRIVATE_IGNORED, "Private", NULL, 0, 0, NULL, true},
    {ST_NUBILES, "Nubiles", NULL, 0, 0, NULL, false},
    {ST_NUBILES_PORN, "Nubiles Porn", NULL, 0, ST_NUBILES, NULL, false},
};

static const sh_an_entity performers[] = {
    {P_ANNA_BELL_PEAKS, "Anna Bell Peaks", NULL, 0, 0, NULL, false},
    {P_ANNA, "Anna", NULL, 0, 0, NULL, false},
    {P_ZOEY_LAINE, "Zoey Laine", zoey_aliases, 1, 0, NULL, false},
    {P_SUMMER, "Summer", NULL, 0, 0, NULL, false},
    {P_JO, "Jo", NULL, 0, 0, NULL, false},
    {P_JOHNNY_SINS, "Johnny Sins", NULL, 0, 0, NULL, false},
    {P_ANGELA_WHITE, "Angela White", angela_aliases, 1, 0, NULL, false},
    {P_NICE, "Nice", NULL, 0, 0, NULL, false},
    {P_CHLOE_LAMOUR, "Chlo\xc3\xa9 Lamour", NULL, 0, 0, NULL, false},
    {P_IVY_WOLFE, "Ivy Wolfe", NULL, 0, 0, NULL, false},
    {P_RILEY_REID_IGNORED, "Riley Reid", NULL, 0, 0, NULL, true},
    {P_ANNA_BELL, "Anna Bell", NULL, 0, 0, NULL, false},
    {P_SUMMER_RAIN, "Summer Rain", NULL, 0, 0, NULL, false},
    {P_KENDRA_LUST, "Kendra Lust", NULL, 0, 0, NULL, false},
    {P_ABELLA_DANGER, "Abella Danger", NULL, 0, 0, NULL, false},
    {P_JESSICA_REX_A, "Jessica Rex", NULL, 0, 0, "blonde", false},
    {P_JESSICA_REX_B, "Jessica Rex", NULL, 0, 0, "brunette", false},
    {P_LUCJA, "\xc5\x81ucja Kowalska", NULL, 0, 0, NULL, false},
    {P_OYSTEIN, "\xc3\x98ystein \xc3\x86r\xc3\xb8", NULL, 0, 0, NULL, false},
    {P_DOMINIKA, "Dominika \xc4\xb9ubov\xc3\xa1", NULL, 0, 0, NULL, false},
    {P_BAMBI, "Bambi", NULL, 0, 0, NULL, false},
    {P_EVA, "Eva", NULL, 0, 0, NULL, false},
    {P_ELSA_JEAN, "Elsa Jean", NULL, 0, 0, NULL, false},
    {P_STREET,
     "Gis\xc3\xa8le Stra\xc3\x9f"
     "e",
     NULL, 0, 0, NULL, false},
};

static const sh_an_entity tags[] = {
    {T_4K, "4K", t4k_aliases, 2, 0, NULL, false},
    {T_1080P, "1080p", t1080_aliases, 1, 0, NULL, false},
    {T_60FPS, "60 FPS", NULL, 0, 0, NULL, false},
    {T_SHORT, "Short Video", NULL, 0, 0, NULL, false},
    {T_FEATURE, "Feature Length", NULL, 0, 0, NULL, false},
    {T_SD, "SD", NULL, 0, 0, NULL, false},
    {T_BLOWJOB, "Blowjob", NULL, 0, 0, NULL, false},
    {T_HD_IGNORED, "720p", NULL, 0, 0, NULL, true},
};

sh_an_index *fixture_index(void)
{
    sh_an_index *idx = NULL;
    sh_error err = {0};
    sh_status st = sh_an_index_create(studios, sizeof studios / sizeof studios[0], performers,
                                      sizeof performers / sizeof performers[0], tags,
                                      sizeof tags / sizeof tags[0], &idx, &err);
    if (st != SH_OK)
        fail_msg("index: %s", err.message);
    return idx;
}

sh_an_scene fixture_scene(sh_an_file *file, const char *path)
{
    memset(file, 0, sizeof *file);
    file->path = path;
    sh_an_scene s;
    memset(&s, 0, sizeof s);
    s.id = 1;
    s.files = file;
    s.n_files = 1;
    return s;
}

sh_an_options fixture_options(void)
{
    sh_an_options o;
    sh_an_options_init(&o);
    o.now = FIXTURE_NOW;
    return o;
}

sh_an_results *fixture_run(const sh_an_index *index, const char *analyzer, const sh_an_scene *scene,
                           const sh_an_options *options)
{
    size_t n;
    const sh_an_analyzer *b = sh_an_builtin_analyzers(&n);
    const sh_an_analyzer *a = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(b[i].name, analyzer) == 0)
            a = &b[i];
    if (!a) {
        fail_msg("no analyzer %s", analyzer);
        return NULL;
    }
    sh_an_results *r = NULL;
    sh_error err = {0};
    if (sh_an_results_create(&r, &err) != SH_OK)
        fail_msg("results: %s", err.message);
    if (a->analyze(a, index, scene, options, r, &err) != SH_OK)
        fail_msg("%s: %s", analyzer, err.message);
    return r;
}
