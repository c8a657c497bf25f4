/* fs-stats.c - request accounting for GET /__control/stats, so tests can
 * assert how many requests and mutations a daemon job really made. Updated
 * from every connection thread, hence the mutex. */
#include "fs-internal.h"

#include <stdlib.h>
#include <string.h>

void fs_stats_init(fs_stats *st)
{
    memset(st, 0, sizeof(*st));
    pthread_mutex_init(&st->mu, NULL);
}

static void counters_free(fs_counter **v, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*v)[i].name);
    free(*v);
    *v = NULL;
    *n = 0;
}

void fs_stats_fini(fs_stats *st)
{
    counters_free(&st->ops, &st->n_ops);
    counters_free(&st->mutations, &st->n_mutations);
    pthread_mutex_destroy(&st->mu);
}

void fs_stats_reset(fs_stats *st)
{
    pthread_mutex_lock(&st->mu);
    counters_free(&st->ops, &st->n_ops);
    counters_free(&st->mutations, &st->n_mutations);
    st->total = st->unauthorized = st->faults = 0;
    pthread_mutex_unlock(&st->mu);
}

static void bump(fs_counter **v, size_t *n, const char *name, uint64_t by)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*v)[i].name, name) == 0) {
            (*v)[i].n += by;
            return;
        }
    }
    *v = fs_xrealloc(*v, (*n + 1) * sizeof(**v));
    (*v)[*n].name = fs_xstrdup(name);
    (*v)[*n].n = by;
    (*n)++;
}

void fs_stats_request(fs_stats *st, const char *op)
{
    pthread_mutex_lock(&st->mu);
    st->total++;
    bump(&st->ops, &st->n_ops, op && *op ? op : "(none)", 1);
    pthread_mutex_unlock(&st->mu);
}

void fs_stats_mutation(fs_stats *st, const char *name, uint64_t n)
{
    pthread_mutex_lock(&st->mu);
    bump(&st->mutations, &st->n_mutations, name, n);
    pthread_mutex_unlock(&st->mu);
}

void fs_stats_unauthorized(fs_stats *st)
{
    pthread_mutex_lock(&st->mu);
    st->unauthorized++;
    pthread_mutex_unlock(&st->mu);
}

void fs_stats_fault(fs_stats *st)
{
    pthread_mutex_lock(&st->mu);
    st->faults++;
    pthread_mutex_unlock(&st->mu);
}

json_t *fs_stats_json(fs_stats *st)
{
    pthread_mutex_lock(&st->mu);
    json_t *ops = json_object(), *muts = json_object();
    for (size_t i = 0; i < st->n_ops; i++)
        json_object_set_new(ops, st->ops[i].name, json_integer((json_int_t)st->ops[i].n));
    for (size_t i = 0; i < st->n_mutations; i++)
        json_object_set_new(muts, st->mutations[i].name,
                            json_integer((json_int_t)st->mutations[i].n));
    json_t *doc = json_pack("{s:I,s:I,s:I,s:o,s:o}", "total", (json_int_t)st->total,
                            "unauthorized", (json_int_t)st->unauthorized, "faults",
                            (json_int_t)st->faults, "operations", ops, "mutations", muts);
    pthread_mutex_unlock(&st->mu);
    return doc;
}
