/* fs-generate.c - a deterministic, realistic synthetic Stash library.
 *
 * Everything is drawn from one splitmix64 stream seeded by the caller, in a
 * fixed order, so a seed and a size always give the same library. Entity
 * counts scale with the scene count. Each scene's primary file path follows
 * one of several real-world naming conventions; what that path encodes
 * (studio, performers, date, title, code) is kept as the scene's truth,
 * while the stored metadata is only partly filled (and occasionally wrong,
 * like an auto-tag false positive), so analyzers have work to do and their
 * precision/recall can be measured. */
#include "fs-internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE_EPOCH 1748779200LL /* 2025-06-01T12:00:00Z: "now" of the library */
#define DAY 86400LL

typedef struct gen {
    fs_library *lib;
    uint64_t rng;
    size_t n_scenes;
} gen;

static uint64_t rnd(gen *g, uint64_t n)
{
    return n ? fs_rand_next(&g->rng) % n : 0;
}

static bool chance(gen *g, double p)
{
    return fs_rand_unit(&g->rng) < p;
}

static const char *pick(gen *g, const fs_pool *p)
{
    return p->v[rnd(g, p->n)];
}

/* Skewed towards low indexes: a few studios and performers dominate, as in
 * real libraries. */
static int64_t pick_skewed(gen *g, int64_t n)
{
    double u = fs_rand_unit(&g->rng);
    int64_t i = (int64_t)((double)n * u * u);
    return (i >= n ? n - 1 : i) + 1;
}

/* ---- text helpers ---- */

/* UTF-8 letters with diacritics used in the pools, folded to ASCII. */
static const struct {
    const char *utf8;
    const char *ascii;
} folds[] = {
    {"é", "e"}, {"è", "e"}, {"ë", "e"}, {"ê", "e"}, {"á", "a"}, {"à", "a"}, {"ä", "a"},
    {"å", "a"}, {"í", "i"}, {"ï", "i"}, {"ó", "o"}, {"ö", "o"}, {"ø", "o"}, {"ú", "u"},
    {"ü", "u"}, {"ç", "c"}, {"ñ", "n"}, {"ř", "r"}, {"č", "c"}, {"ć", "c"}, {"š", "s"},
    {"ž", "z"}, {"ł", "l"}, {"Ĺ", "L"}, {"Ł", "L"}, {"Ö", "O"}, {"Ø", "O"}, {"Å", "A"},
    {"É", "E"}, {"Š", "S"}, {"Ž", "Z"}, {"ß", "ss"},
};

static void fold_ascii(const char *in, char *out, size_t outlen)
{
    size_t w = 0;
    while (*in && w + 3 < outlen) {
        if ((unsigned char)*in < 0x80) {
            out[w++] = *in++;
            continue;
        }
        bool done = false;
        for (size_t i = 0; i < sizeof(folds) / sizeof(folds[0]); i++) {
            size_t n = strlen(folds[i].utf8);
            if (strncmp(in, folds[i].utf8, n) == 0) {
                for (const char *a = folds[i].ascii; *a; a++)
                    out[w++] = *a;
                in += n;
                done = true;
                break;
            }
        }
        if (!done)
            in++; /* unknown multibyte sequence: drop the byte */
    }
    out[w] = '\0';
}

static bool has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

/* "Zoë Ĺane" -> "Zoe.Lane" (sep '.'), "Zoe_Lane" (sep '_'), "ZoeLane"
 * (sep 0); apostrophes dropped, lower-cased when lower. */
static void join_words(const char *in, char sep, bool lower, char *out, size_t outlen)
{
    char folded[256];
    size_t w = 0;
    fold_ascii(in, folded, sizeof(folded));
    for (const char *p = folded; *p && w + 2 < outlen; p++) {
        if (*p == '\'' || (*p == '.' && sep != '.'))
            continue;
        if (*p == ' ' || *p == '.') {
            if (sep && w > 0 && out[w - 1] != sep)
                out[w++] = sep;
            continue;
        }
        out[w++] = lower ? (char)tolower((unsigned char)*p) : *p;
    }
    out[w] = '\0';
}

/* ---- entities ---- */

static fs_entity *add_entity(gen *g, fs_kind kind, const char *name, int64_t epoch)
{
    fs_table *t = &g->lib->entities[kind];
    fs_entity *e = fs_xcalloc(1, sizeof(*e));
    e->kind = kind;
    e->id = t->max_id + 1;
    e->name = fs_xstrdup(name);
    if (kind == FS_PERFORMER)
        e->disambiguation = fs_xstrdup("");
    fs_format_ts(epoch, g->lib->utc_offset_min, e->created_at);
    fs_format_ts(epoch + (chance(g, 0.2) ? (int64_t)rnd(g, 200) * DAY : 0),
                 g->lib->utc_offset_min, e->updated_at);
    fs_table_put(t, e->id, e);
    return e;
}

static int64_t entity_epoch(gen *g)
{
    return BASE_EPOCH - 6LL * 365 * DAY - (int64_t)rnd(g, 400 * DAY);
}

static void gen_studios(gen *g)
{
    static const char *const child_suffix[] = {"Extra", "Live", "Raw", "After Dark", "Originals"};
    size_t nf = fs_studio_first.n, ns = fs_studio_second.n;
    size_t want = g->n_scenes / 60;
    want = want < 8 ? 8 : want > 400 ? 400 : want;
    if (nf * ns == 0 || want > nf * ns)
        return; /* the pools are static; this only guards their edits */
    bool *used = fs_xcalloc(nf * ns, sizeof(bool));
    for (size_t i = 0; i < want; i++) {
        size_t k = (size_t)rnd(g, nf * ns);
        while (used[k])
            k = (k + 1) % (nf * ns);
        used[k] = true;
        char name[128], nospace[128];
        snprintf(name, sizeof(name), "%s %s", fs_studio_first.v[k / ns], fs_studio_second.v[k % ns]);
        fs_entity *p = add_entity(g, FS_STUDIO, name, entity_epoch(g));
        join_words(name, 0, false, nospace, sizeof(nospace));
        if (chance(g, 0.45))
            fs_strlist_push(&p->aliases, nospace);
        if (chance(g, 0.15)) {
            char host[128];
            join_words(name, 0, true, host, sizeof(host));
            char *domain = fs_xasprintf("%s.com", host);
            fs_strlist_push(&p->aliases, domain);
            free(domain);
        }
        p->ignore_auto_tag = chance(g, 0.04);
        /* Networks: some studios have child sites named after them. */
        if (chance(g, 0.3)) {
            size_t kids = 1 + (size_t)rnd(g, 2), first = (size_t)rnd(g, 5);
            for (size_t c = 0; c < kids; c++) {
                char child[192];
                snprintf(child, sizeof(child), "%s %s", name, child_suffix[(first + c) % 5]);
                fs_entity *ch = add_entity(g, FS_STUDIO, child, entity_epoch(g));
                ch->parent_id = p->id;
                if (chance(g, 0.5)) {
                    char initials[16];
                    size_t w = 0;
                    for (const char *s = child; *s && w + 1 < sizeof(initials); s++)
                        if (s == child || s[-1] == ' ')
                            initials[w++] = (char)toupper((unsigned char)*s);
                    initials[w] = '\0';
                    fs_strlist_push(&ch->aliases, initials);
                }
            }
        }
    }
    free(used);
}

static void add_performer(gen *g, const char *name, bool ignore)
{
    static const char *const genders[] = {"FEMALE", "FEMALE", "FEMALE", "FEMALE", "FEMALE",
                                          "FEMALE", "FEMALE", "FEMALE", "FEMALE", "FEMALE",
                                          "FEMALE", "FEMALE", "FEMALE", "FEMALE", "FEMALE",
                                          "MALE",   "MALE",   "MALE",   "TRANSGENDER_FEMALE",
                                          "NON_BINARY"};
    fs_entity *e = add_entity(g, FS_PERFORMER, name, entity_epoch(g));
    e->ignore_auto_tag = ignore;
    if (chance(g, 0.95))
        e->gender = fs_xstrdup(genders[rnd(g, sizeof(genders) / sizeof(genders[0]))]);
    if (has_non_ascii(name)) {
        char folded[128];
        fold_ascii(name, folded, sizeof(folded));
        fs_strlist_push(&e->aliases, folded);
    }
    if (strchr(name, ' ') && chance(g, 0.2)) {
        char alias[160];
        const char *last = strrchr(name, ' ') + 1;
        if (chance(g, 0.5))
            snprintf(alias, sizeof(alias), "%s %s", pick(g, &fs_first_names), last);
        else
            snprintf(alias, sizeof(alias), "%.*s %.1s.", (int)(last - name - 1), name, last);
        fs_strlist_push(&e->aliases, alias);
    }
}

/* Folded, lower-cased names already taken ("Zoë Ĺane" and "Zoe Lane" are
 * one person to a filename), as an open-addressing hash set. */
typedef struct name_set {
    char **slot;
    size_t cap;
} name_set;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Adds the folded form of name; false if it was already there. */
static bool name_set_add(name_set *ns, const char *name)
{
    char key[160];
    join_words(name, ' ', true, key, sizeof(key));
    size_t i = (size_t)(hash_str(key) & (ns->cap - 1));
    while (ns->slot[i]) {
        if (strcmp(ns->slot[i], key) == 0)
            return false;
        i = (i + 1) & (ns->cap - 1);
    }
    ns->slot[i] = fs_xstrdup(key);
    return true;
}

static void gen_performers(gen *g)
{
    size_t nf = fs_first_names.n, nl = fs_last_names.n;
    size_t want = g->n_scenes / 6;
    want = want < 40 ? 40 : want > 4000 ? 4000 : want;
    name_set taken = {fs_xcalloc(16384, sizeof(char *)), 16384};

    /* Fixed residents every test can rely on (ids 1-6). */
    static const char *const fixed[] = {"Zoë Ĺane", "Jade", "Summer", "Anaïs Dvořák"};
    for (size_t i = 0; i < 4; i++) {
        name_set_add(&taken, fixed[i]);
        add_performer(g, fixed[i], i == 2); /* "Summer" is excluded from auto-tag */
    }
    /* The same name twice, told apart by disambiguation. */
    name_set_add(&taken, "Mia Stone");
    add_performer(g, "Mia Stone", false);
    add_performer(g, "Mia Stone", false);
    fs_entity *m1 = fs_table_get(&g->lib->entities[FS_PERFORMER], 5);
    fs_entity *m2 = fs_table_get(&g->lib->entities[FS_PERFORMER], 6);
    free(m1->disambiguation);
    m1->disambiguation = fs_xstrdup("UK");
    free(m2->disambiguation);
    m2->disambiguation = fs_xstrdup("US");

    bool *used = fs_xcalloc(nf * nl, sizeof(bool));
    size_t singles = 0;
    while (g->lib->entities[FS_PERFORMER].count < want) {
        char name[128];
        if (singles < fs_single_names.n && chance(g, 0.03)) {
            snprintf(name, sizeof(name), "%s", fs_single_names.v[singles++]);
            if (name_set_add(&taken, name))
                add_performer(g, name, chance(g, 0.5));
            continue;
        }
        size_t k = (size_t)rnd(g, nf * nl), tries = 0;
        while (used[k] && tries++ < nf * nl)
            k = (k + 1) % (nf * nl);
        if (used[k])
            break; /* pool exhausted */
        used[k] = true;
        snprintf(name, sizeof(name), "%s %s", fs_first_names.v[k / nl], fs_last_names.v[k % nl]);
        if (name_set_add(&taken, name))
            add_performer(g, name, chance(g, 0.01));
    }
    free(used);
    for (size_t i = 0; i < taken.cap; i++)
        free(taken.slot[i]);
    free(taken.slot);
}

static void gen_tags(gen *g)
{
    static const struct {
        const char *name, *alias1, *alias2;
        bool ignore;
    } extra[] = {
        {"Behind The Scenes", "BTS", NULL, false}, {"4K", "2160p", "UHD", false},
        {"1080p", "Full HD", "FHD", false},        {"720p", "HD", NULL, false},
        {"60fps", "60 FPS", NULL, false},          {"Solo", NULL, NULL, true},
        {"Couple", NULL, NULL, true},              {"Car", NULL, NULL, true},
        {"Bath", NULL, NULL, true},                {"Drama", NULL, NULL, true},
        {"Hotel", NULL, NULL, true},               {"POV", "Point Of View", NULL, false},
        {"Sci-Fi", "Science Fiction", NULL, false},
    };
    for (size_t i = 0; i < fs_tag_names.n; i++) {
        fs_entity *t = add_entity(g, FS_TAG, fs_tag_names.v[i], entity_epoch(g));
        for (size_t x = 0; x < sizeof(extra) / sizeof(extra[0]); x++) {
            if (strcmp(extra[x].name, t->name) != 0)
                continue;
            if (extra[x].alias1)
                fs_strlist_push(&t->aliases, extra[x].alias1);
            if (extra[x].alias2)
                fs_strlist_push(&t->aliases, extra[x].alias2);
            t->ignore_auto_tag = extra[x].ignore;
        }
    }
}

/* ---- scenes ---- */

typedef struct res_def {
    const char *label;
    int w, h;
    double mbps;
    const char *tag;
} res_def;

static const res_def resolutions[] = {
    {"2160p", 3840, 2160, 20.0, "4K"},   {"1080p", 1920, 1080, 8.0, "1080p"},
    {"1080p", 1920, 1080, 8.0, "1080p"}, {"1080p", 1920, 1080, 8.0, "1080p"},
    {"720p", 1280, 720, 4.0, "720p"},    {"720p", 1280, 720, 4.0, "720p"},
    {"480p", 854, 480, 1.8, "480p"},
};

static const fs_entity *entity(gen *g, fs_kind kind, int64_t id)
{
    return fs_table_get(&g->lib->entities[kind], id);
}

static void add_file(gen *g, fs_scene *s, const char *path, const res_def *r)
{
    static const double rates[] = {29.97, 30.0, 25.0, 23.976, 60.0, 59.94};
    s->files = fs_xrealloc(s->files, (s->n_files + 1) * sizeof(*s->files));
    fs_file *f = &s->files[s->n_files++];
    memset(f, 0, sizeof(*f));
    const char *slash = strrchr(path, '/');
    f->id = ++g->lib->max_file_id;
    f->path = fs_xstrdup(path);
    f->basename = fs_xstrdup(slash ? slash + 1 : path);
    f->duration = (double)(240 + rnd(g, 3400)) + (double)rnd(g, 1000) / 1000.0;
    f->width = r->w;
    f->height = r->h;
    f->frame_rate = rates[rnd(g, sizeof(rates) / sizeof(rates[0]))];
    f->video_codec = fs_xstrdup(pick(g, &fs_codecs));
    double bytes = r->mbps * 1e6 / 8.0 * f->duration * (0.7 + 0.6 * fs_rand_unit(&g->rng));
    f->size = (int64_t)bytes;
}

/* Performer display names joined for a path, e.g. "A & B", "A.B". */
static void perf_list(gen *g, const fs_idlist *ids, const char *sep, char word_sep,
                      char *out, size_t outlen)
{
    size_t w = 0;
    out[0] = '\0';
    for (size_t i = 0; i < ids->n && w + 1 < outlen; i++) {
        const fs_entity *p = entity(g, FS_PERFORMER, ids->v[i]);
        char part[160];
        if (word_sep)
            join_words(p->name, word_sep, false, part, sizeof(part));
        else
            snprintf(part, sizeof(part), "%s", p->name);
        w += (size_t)snprintf(out + w, outlen - w, "%s%s", i ? sep : "", part);
    }
}

static char *make_title(gen *g)
{
    const char *a = pick(g, &fs_title_words_a), *b = pick(g, &fs_title_words_b);
    switch (rnd(g, 4)) {
    case 0:
        return fs_xasprintf("The %s %s", a, b);
    case 1:
        return fs_xasprintf("%s %s Part %d", a, b, 2 + (int)rnd(g, 3));
    default:
        return fs_xasprintf("%s %s", a, b);
    }
}

/* Builds the primary path for convention conv and records what it encodes
 * in s->truth. Fields not encoded are cleared. */
static void make_path(gen *g, fs_scene *s, int conv, int64_t studio, const fs_idlist *perfs,
                      const char *date, const char *title, const res_def *r, char *path,
                      size_t len)
{
    const fs_entity *st = entity(g, FS_STUDIO, studio);
    char sname[160], scamel[160], plist[512], dtitle[256], utitle[256];
    snprintf(sname, sizeof(sname), "%s", st->name);
    join_words(st->name, 0, false, scamel, sizeof(scamel));
    join_words(title, '.', false, dtitle, sizeof(dtitle));
    join_words(title, '_', true, utitle, sizeof(utitle));
    if (perfs->n == 0 && (conv == 5 || conv == 6))
        conv = 0; /* those conventions name a performer */
    int y = (int)strtol(date, NULL, 10), m = (int)strtol(date + 5, NULL, 10),
        d = (int)strtol(date + 8, NULL, 10);
    fs_truth *t = &s->truth;
    bool keep_studio = true, keep_date = true, keep_title = true;
    size_t keep_perfs = perfs->n;
    switch (conv) {
    case 0:
        perf_list(g, perfs, " & ", 0, plist, sizeof(plist));
        snprintf(path, len, "/data/%s/%s - %s - %s [%s].mp4", sname, date, plist, title, r->label);
        break;
    case 1:
        perf_list(g, perfs, ".", '.', plist, sizeof(plist));
        snprintf(path, len, "/media/[%s] %s.%02d.%02d.%02d.%s.%s.mkv", scamel, plist, y % 100, m, d,
                 dtitle, r->label);
        break;
    case 2:
        perf_list(g, perfs, ".And.", '.', plist, sizeof(plist));
        snprintf(path, len, "/library/incoming/%s.%02d.%02d.%02d.%s.XXX.%s.mp4", scamel, y % 100, m,
                 d, plist, r->label);
        keep_title = false;
        break;
    case 3:
        perf_list(g, perfs, ", ", 0, plist, sizeof(plist));
        snprintf(path, len, "/data/%s/%s - %s (%02d.%02d.%04d).mp4", scamel, title, plist, d, m, y);
        break;
    case 4: {
        char code[32], initials[8];
        size_t w = 0;
        for (const char *p = scamel; *p && w < 3; p++)
            if (isupper((unsigned char)*p))
                initials[w++] = *p;
        while (w < 3)
            initials[w++] = 'X';
        initials[w] = '\0';
        snprintf(code, sizeof(code), "%s-%03d", initials, 1 + (int)rnd(g, 899));
        t->code = fs_xstrdup(code);
        snprintf(path, len, "/storage/%s/%s %s.mp4", scamel, code, title);
        keep_perfs = 0;
        keep_date = false;
        break;
    }
    case 5:
        snprintf(path, len, "/data/Performers/%s/%s - %s - %04d.%02d.%02d.mp4",
                 entity(g, FS_PERFORMER, perfs->v[0])->name, sname, title, y, m, d);
        keep_perfs = 1;
        break;
    case 6:
        snprintf(path, len, "/data/%s/%s/%s_%04d%02d%02d_%s.mp4", sname,
                 entity(g, FS_PERFORMER, perfs->v[0])->name, utitle, y, m, d, r->label);
        keep_perfs = 1;
        break;
    default:
        /* camera-roll or hashed names encode nothing */
        if (chance(g, 0.5))
            snprintf(path, len, "/data/unsorted/VID_%04d%02d%02d_%06d.mp4", y, m, d,
                     (int)rnd(g, 235959));
        else
            snprintf(path, len, "/downloads/%016llx.mp4",
                     (unsigned long long)fs_rand_next(&g->rng));
        keep_studio = keep_date = keep_title = false;
        keep_perfs = 0;
        break;
    }
    t->studio_id = keep_studio ? studio : 0;
    for (size_t i = 0; i < keep_perfs; i++)
        fs_idlist_push(&t->performers, perfs->v[i]);
    t->date = keep_date ? fs_xstrdup(date) : NULL;
    t->title = keep_title ? fs_xstrdup(title) : NULL;
}

static int pick_convention(gen *g)
{
    /* weights: 25 15 15 12 8 10 8 7 */
    static const int cum[] = {25, 40, 55, 67, 75, 85, 93, 100};
    int r = (int)rnd(g, 100);
    for (int i = 0; i < 8; i++)
        if (r < cum[i])
            return i;
    return 7;
}

/* What Stash knows: partly filled, sometimes wrong. */
static void fill_stored(gen *g, fs_scene *s, const res_def *r)
{
    const fs_truth *t = &s->truth;
    bool organized = chance(g, 0.08);
    s->organized = organized;
    if (t->studio_id && (organized || chance(g, 0.35)))
        s->studio_id = t->studio_id;
    else if (t->studio_id && chance(g, 0.05))
        s->studio_id = entity(g, FS_STUDIO, t->studio_id)->parent_id; /* network, not site */
    if (t->performers.n && (organized || chance(g, 0.3))) {
        for (size_t i = 0; i < t->performers.n; i++)
            fs_idlist_push(&s->performers, t->performers.v[i]);
    } else if (t->performers.n && chance(g, 0.1)) {
        fs_idlist_push(&s->performers, t->performers.v[0]);
    }
    if (chance(g, 0.02) && !fs_idlist_contains(&s->performers, 2))
        fs_idlist_push(&s->performers, 2); /* "Jade": an auto-tag false positive */
    if (organized || chance(g, 0.25)) {
        size_t n = 1 + (size_t)rnd(g, 4);
        for (size_t i = 0; i < n; i++) {
            int64_t tag = 1 + (int64_t)rnd(g, (uint64_t)g->lib->entities[FS_TAG].max_id);
            if (!fs_idlist_contains(&s->tags, tag))
                fs_idlist_push(&s->tags, tag);
        }
    }
    if (chance(g, 0.15)) {
        fs_entity *tag = fs_entity_find_name(g->lib, FS_TAG, r->tag, 0);
        if (tag && !fs_idlist_contains(&s->tags, tag->id))
            fs_idlist_push(&s->tags, tag->id);
    }
    free(s->title);
    if (t->title && (organized || chance(g, 0.4)))
        s->title = fs_xstrdup(t->title);
    else if (chance(g, 0.1)) { /* "set title from filename" */
        const char *b = s->files[0].basename, *dot = strrchr(b, '.');
        s->title = fs_xasprintf("%.*s", (int)(dot ? dot - b : (long)strlen(b)), b);
    } else
        s->title = fs_xstrdup("");
    if (t->date && (organized || chance(g, 0.3)))
        s->date = fs_xstrdup(t->date);
    if (t->code && chance(g, 0.5)) {
        free(s->code);
        s->code = fs_xstrdup(t->code);
    }
    if (chance(g, 0.1)) {
        free(s->details);
        s->details = fs_xasprintf("An unhurried %s shot on location.",
                                  chance(g, 0.5) ? "story" : "session");
    }
    if (t->studio_id && chance(g, 0.15)) {
        char host[160];
        join_words(entity(g, FS_STUDIO, t->studio_id)->name, 0, true, host, sizeof(host));
        char *url = fs_xasprintf("https://%s.example/scenes/%lld", host, (long long)s->id);
        fs_strlist_push(&s->urls, url);
        free(url);
    }
}

static void gen_scene(gen *g, int64_t epoch)
{
    fs_table *st = &g->lib->entities[FS_STUDIO], *pt = &g->lib->entities[FS_PERFORMER];
    fs_scene *s = fs_xcalloc(1, sizeof(*s));
    s->id = g->lib->scenes.max_id + 1;
    s->code = fs_xstrdup("");
    s->details = fs_xstrdup("");
    s->title = fs_xstrdup("");

    int64_t studio = pick_skewed(g, st->max_id);
    fs_idlist perfs = {0};
    static const int counts[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3};
    int np = counts[rnd(g, sizeof(counts) / sizeof(counts[0]))];
    while ((int)perfs.n < np) {
        int64_t p = pick_skewed(g, pt->max_id);
        if (!fs_idlist_contains(&perfs, p))
            fs_idlist_push(&perfs, p);
    }
    int64_t day = BASE_EPOCH / DAY - 4800 + (int64_t)rnd(g, 4750);
    char date[16], ts[FS_TS_LEN];
    fs_format_ts(day * DAY, 0, ts);
    snprintf(date, sizeof(date), "%.10s", ts);
    char *title = make_title(g);
    const res_def *r = &resolutions[rnd(g, sizeof(resolutions) / sizeof(resolutions[0]))];
    char path[1024];
    make_path(g, s, pick_convention(g), studio, &perfs, date, title, r, path, sizeof(path));
    add_file(g, s, path, r);
    if (chance(g, 0.04)) { /* a second copy at another resolution */
        const res_def *r2 = &resolutions[4];
        char *dot = strrchr(path, '.');
        char *alt = fs_xasprintf("/data/duplicates/%.*s [%s]%s", (int)(dot - strrchr(path, '/') - 1),
                                 strrchr(path, '/') + 1, r2->label, dot);
        add_file(g, s, alt, r2);
        free(alt);
    }
    free(title);
    fs_idlist_free(&perfs);

    fill_stored(g, s, r);
    fs_format_ts(epoch, g->lib->utc_offset_min, s->created_at);
    int64_t upd = epoch;
    if (chance(g, 0.3))
        upd += (int64_t)rnd(g, 90 * DAY);
    if (upd > BASE_EPOCH)
        upd = BASE_EPOCH;
    fs_format_ts(upd, g->lib->utc_offset_min, s->updated_at);
    fs_table_put(&g->lib->scenes, s->id, s);
}

int fs_library_generate(const fs_gen_options *opt, fs_library **out, char *err, size_t errlen)
{
    fs_library *lib = NULL;
    size_t n = opt && opt->scenes ? opt->scenes : 2000;
    if (n > 5000000) {
        snprintf(err, errlen, "--scenes %zu is too large (max 5000000)", n);
        return -1;
    }
    if (fs_library_create_empty(opt ? opt->utc_offset_min : 0, &lib) != 0) {
        snprintf(err, errlen, "cannot initialise the library lock");
        return -1;
    }
    gen g = {.lib = lib, .rng = opt ? opt->seed : 0, .n_scenes = n};
    gen_studios(&g);
    gen_performers(&g);
    gen_tags(&g);
    /* Scans import many files per second: steps of 0-2 s leave runs of
     * scenes sharing a created_at second, as real libraries have. */
    int64_t t = BASE_EPOCH - 400 * DAY - (int64_t)n;
    for (size_t i = 0; i < n; i++) {
        t += (int64_t)rnd(&g, 3) + (chance(&g, 0.001) ? (int64_t)rnd(&g, 30 * DAY) : 0);
        if (t > BASE_EPOCH - DAY)
            t = BASE_EPOCH - DAY;
        gen_scene(&g, t);
    }
    *out = lib;
    return 0;
}
