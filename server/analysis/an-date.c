/* an-date.c - the date analyzer: a release date from the file name (or,
 * failing that, the parent folder).  Two different dates in the same
 * place make it ambiguous and nothing is proposed.  A scene that already
 * has a date gets a low-confidence proposal only when the path disagrees. */
#include <stdio.h>
#include <string.h>

#include "analysis/an-internal.h"

#define MAX_DATES 8

typedef struct dated {
    an_date d;
    const char *path;
    an_source src;
} dated;

static size_t collect(const an_path *p, an_span span, an_source src, int64_t now, dated *out,
                      size_t n)
{
    an_date d[MAX_DATES];
    size_t nd = an_find_dates(p->s, span.start, span.end, now, d, MAX_DATES);
    for (size_t i = 0; i < nd && n < MAX_DATES; i++)
        out[n++] = (dated){d[i], p->s, src};
    return n;
}

static bool same_day(const an_date *a, const an_date *b)
{
    return a->year == b->year && a->month == b->month && a->day == b->day;
}

/* The one date among the entries from src, or NULL (none, or conflicting). */
static const dated *single(const dated *ds, size_t n, an_source src, bool *conflict)
{
    const dated *pick = NULL;
    for (size_t i = 0; i < n; i++) {
        if (ds[i].src != src)
            continue;
        if (!pick || (same_day(&pick->d, &ds[i].d) && ds[i].d.confidence > pick->d.confidence))
            pick = &ds[i];
        else if (!same_day(&pick->d, &ds[i].d))
            *conflict = true;
    }
    return *conflict ? NULL : pick;
}

sh_status an_date_analyze(const sh_an_analyzer *self, const sh_an_index *index,
                          const sh_an_scene *scene, const sh_an_options *options,
                          sh_an_results *out, sh_error *err)
{
    (void)index;
    int64_t now = an_now(options);
    dated ds[MAX_DATES];
    size_t n = 0;
    for (size_t f = 0; f < scene->n_files; f++) {
        if (!scene->files[f].path)
            continue;
        an_path p;
        an_path_parse(scene->files[f].path, &p);
        n = collect(&p, p.stem, AN_SRC_FILENAME, now, ds, n);
        if (p.n_dirs)
            n = collect(&p, p.dirs[p.n_dirs - 1], AN_SRC_PARENT_DIR, now, ds, n);
    }
    bool conflict = false;
    const dated *pick = single(ds, n, AN_SRC_FILENAME, &conflict);
    if (!pick && !conflict)
        pick = single(ds, n, AN_SRC_PARENT_DIR, &conflict);
    if (!pick)
        return SH_OK;

    char value[16];
    snprintf(value, sizeof value, "%04d-%02d-%02d", pick->d.year, pick->d.month, pick->d.day);
    double conf = pick->d.confidence - (pick->src == AN_SRC_PARENT_DIR ? 0.1 : 0.0);
    char reason[256];
    int len = snprintf(reason, sizeof reason, "found '%.*s' (%s) in the %s",
                       (int)(pick->d.end - pick->d.start), pick->path + pick->d.start,
                       pick->d.format, an_source_name(pick->src));
    if (!an_str_unset(scene->date)) {
        int y, m, d;
        if (an_date_parse_iso(scene->date, &y, &m, &d) && y == pick->d.year && m == pick->d.month &&
            d == pick->d.day)
            return SH_OK;
        conf *= 0.4;
        if (len > 0 && (size_t)len < sizeof reason)
            snprintf(reason + len, sizeof reason - (size_t)len, "; contradicts the current date %s",
                     scene->date);
    }
    return sh_an_results_add_text(out, SH_AN_FIELD_DATE, self->name, value, conf, reason, err);
}
