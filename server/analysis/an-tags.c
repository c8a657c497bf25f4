/* an-tags.c - the technical tags analyzer ("tech-tags"): resolution band,
 * duration band and high frame rate from the primary file's data, mapped
 * onto tags that exist in Stash (by name or alias, normalized) or, only
 * when allowed, proposed as new tags. */
#include <stdio.h>
#include <string.h>

#include "analysis/an-internal.h"

#define MAX_NAMES 6

typedef struct tech_tag {
    const char *band;
    const char *names[MAX_NAMES]; /* first existing one wins; [0] names a new tag */
} tech_tag;

/* Thresholds are 90% of the nominal sizes, so slightly cropped or odd
 * encodes (1920x1036, 3840x2076) land in their band; the long side covers
 * letterboxed video and the short side vertical video. */
static const struct {
    int min_short, min_long;
    tech_tag tag;
} res_bands[] = {
    {3888, 6912, {"8K", {"8K", "4320p", "8K UHD"}}},
    {1944, 3456, {"4K", {"4K", "2160p", "4K UHD", "UHD", "Ultra HD"}}},
    {1296, 2304, {"1440p", {"1440p", "QHD", "2K"}}},
    {972, 1728, {"1080p", {"1080p", "Full HD", "FHD"}}},
    {648, 1152, {"720p", {"720p", "HD"}}},
    {0, 0, {"SD", {"SD", "480p", "Standard Definition"}}},
};

static const tech_tag short_tag = {"under 10 minutes",
                                   {"Short Video", "Short", "Under 10 Minutes", "Short Clip"}};
static const tech_tag long_tag = {
    "over 60 minutes", {"Long Video", "Long", "Over 60 Minutes", "Feature Length", "Full Length"}};
static const tech_tag hfr_tag = {"50 fps or more", {"60fps", "60 FPS", "High Frame Rate", "HFR"}};

#define MAX_ITEMS 3

typedef struct tag_out {
    sh_an_item items[MAX_ITEMS];
    char reasons[MAX_ITEMS][200];
    size_t n;
} tag_out;

static void propose(const sh_an_index *index, const sh_an_scene *scene,
                    const sh_an_options *options, const tech_tag *t, double conf,
                    const char *evidence, tag_out *out)
{
    for (size_t i = 0; i < MAX_NAMES && t->names[i]; i++) {
        const sh_an_entity *e;
        sh_status st = sh_an_index_lookup(index, SH_AN_TAG, t->names[i], &e);
        if (st == SH_ERR_NOT_FOUND)
            continue;
        /* an ambiguous or auto-tag-ignored tag is the user's call, and also
         * means we must not create a duplicate */
        if (st != SH_OK || e->ignore_auto_tag ||
            an_ids_contain(scene->tag_ids, scene->n_tag_ids, e->id))
            return;
        snprintf(out->reasons[out->n], sizeof out->reasons[0], "%s (%s): existing tag '%s'",
                 evidence, t->band, e->name);
        out->items[out->n] = (sh_an_item){e->id, e->name, false, conf, out->reasons[out->n]};
        out->n++;
        return;
    }
    if (!options->allow_new_entities)
        return;
    snprintf(out->reasons[out->n], sizeof out->reasons[0], "%s (%s): no such tag yet", evidence,
             t->band);
    out->items[out->n] = (sh_an_item){0, t->names[0], true, conf * 0.8, out->reasons[out->n]};
    out->n++;
}

sh_status an_tags_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                          const sh_an_scene *scene, const sh_an_options *options,
                          sh_an_results *out, sh_error *err)
{
    if (!scene->n_files)
        return SH_OK;
    const sh_an_file *f = &scene->files[0];
    tag_out o = {.n = 0};
    char evidence[96];
    if (f->width > 0 && f->height > 0) {
        int s = f->width < f->height ? f->width : f->height;
        int l = f->width < f->height ? f->height : f->width;
        size_t b = 0;
        while (s < res_bands[b].min_short && l < res_bands[b].min_long)
            b++;
        snprintf(evidence, sizeof evidence, "primary file is %dx%d", f->width, f->height);
        propose(index, scene, options, &res_bands[b].tag, 0.95, evidence, &o);
    }
    if (f->duration > 0 && (f->duration < 600 || f->duration > 3600)) {
        long secs = (long)(f->duration + 0.5);
        snprintf(evidence, sizeof evidence, "primary file runs %ldm%02lds", secs / 60, secs % 60);
        propose(index, scene, options, f->duration < 600 ? &short_tag : &long_tag, 0.9, evidence,
                &o);
    }
    if (f->frame_rate >= 50) {
        snprintf(evidence, sizeof evidence, "primary file is %.2f fps", f->frame_rate);
        propose(index, scene, options, &hfr_tag, 0.9, evidence, &o);
    }
    if (!o.n)
        return SH_OK;
    return sh_an_results_add_items(out, SH_AN_FIELD_TAGS, self->name, o.items, o.n, err);
}
