/* fs-faults.c - fault injection: fixed delays, per-request probabilities
 * drawn from a seeded PRNG (deterministic for a given request order), and
 * "fail the next N requests with X" for exact tests. Shared by all
 * connection threads, hence the mutex. */
#include "fs-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64: tiny, fast, good enough for test data and fault draws. */
uint64_t fs_rand_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double fs_rand_unit(uint64_t *state)
{
    return (double)(fs_rand_next(state) >> 11) * (1.0 / 9007199254740992.0);
}

static const char *const kind_names[FS_FAULT_KIND_COUNT] = {
    "none", "500", "502", "503", "429", "truncate", "garbage",
};

fs_fault_kind fs_fault_kind_parse(const char *name)
{
    for (int k = 1; name && k < FS_FAULT_KIND_COUNT; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return (fs_fault_kind)k;
    return FS_FAULT_NONE;
}

const char *fs_fault_kind_name(fs_fault_kind kind)
{
    return (unsigned)kind < FS_FAULT_KIND_COUNT ? kind_names[kind] : "none";
}

void fs_faults_init(fs_faults *f, const fs_fault_config *cfg, uint64_t seed)
{
    memset(f, 0, sizeof(*f));
    pthread_mutex_init(&f->mu, NULL);
    if (cfg)
        f->cfg = *cfg;
    f->rng = seed ^ 0xFA017FA017ULL;
}

void fs_faults_fini(fs_faults *f)
{
    free(f->next_op);
    pthread_mutex_destroy(&f->mu);
}

fs_fault_kind fs_faults_pick(fs_faults *f, const char *op)
{
    fs_fault_kind kind = FS_FAULT_NONE;
    pthread_mutex_lock(&f->mu);
    if (f->next_count > 0 && (!f->next_op || (op && strcmp(op, f->next_op) == 0))) {
        f->next_count--;
        kind = f->next_kind;
        goto out;
    }
    /* One draw per request, walking the cumulative probabilities, so the
     * sequence of outcomes depends only on the seed and request order. */
    double r = fs_rand_unit(&f->rng), acc = 0.0;
    for (int k = 1; k < FS_FAULT_KIND_COUNT; k++) {
        acc += f->cfg.prob[k];
        if (r < acc) {
            kind = (fs_fault_kind)k;
            break;
        }
    }
out:
    pthread_mutex_unlock(&f->mu);
    return kind;
}

void fs_faults_delays(fs_faults *f, unsigned *latency_ms, unsigned *page_delay_ms)
{
    pthread_mutex_lock(&f->mu);
    *latency_ms = f->cfg.latency_ms;
    *page_delay_ms = f->cfg.page_delay_ms;
    pthread_mutex_unlock(&f->mu);
}

static int get_ms(json_t *doc, const char *key, unsigned *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(doc, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 600000) {
        snprintf(err, errlen, "%s: expected milliseconds 0..600000", key);
        return -1;
    }
    *out = (unsigned)json_integer_value(v);
    return 0;
}

/* {"page_delay_ms":N, "latency_ms":N, "prob":{"503":0.1,...},
 *  "fail_next":{"count":N, "kind":"503", "operation":"FindScenes"},
 *  "reset":true} -- every key optional. */
int fs_faults_update(fs_faults *f, json_t *doc, char *err, size_t errlen)
{
    if (!json_is_object(doc)) {
        snprintf(err, errlen, "expected a JSON object");
        return -1;
    }
    pthread_mutex_lock(&f->mu);
    fs_fault_config cfg = json_is_true(json_object_get(doc, "reset")) ? (fs_fault_config){0}
                                                                        : f->cfg;
    int rc = -1;
    if (get_ms(doc, "page_delay_ms", &cfg.page_delay_ms, err, errlen) != 0 ||
        get_ms(doc, "latency_ms", &cfg.latency_ms, err, errlen) != 0)
        goto out;
    json_t *prob = json_object_get(doc, "prob");
    const char *key;
    json_t *v;
    json_object_foreach(prob, key, v)
    {
        fs_fault_kind k = fs_fault_kind_parse(key);
        if (k == FS_FAULT_NONE || !json_is_number(v) || json_number_value(v) < 0 ||
            json_number_value(v) > 1) {
            snprintf(err, errlen, "prob.%s: expected a fault kind and 0..1", key);
            goto out;
        }
        cfg.prob[k] = json_number_value(v);
    }
    double sum = 0;
    for (int k = 1; k < FS_FAULT_KIND_COUNT; k++)
        sum += cfg.prob[k];
    if (sum > 1.0 + 1e-9) {
        snprintf(err, errlen, "fault probabilities add up to more than 1");
        goto out;
    }
    json_t *next = json_object_get(doc, "fail_next");
    if (next) {
        json_t *count = json_object_get(next, "count");
        fs_fault_kind k = fs_fault_kind_parse(json_string_value(json_object_get(next, "kind")));
        const char *op = json_string_value(json_object_get(next, "operation"));
        if (!json_is_integer(count) || json_integer_value(count) < 0 || k == FS_FAULT_NONE) {
            snprintf(err, errlen, "fail_next: expected {count >= 0, kind, [operation]}");
            goto out;
        }
        free(f->next_op);
        f->next_op = op ? fs_xstrdup(op) : NULL;
        f->next_kind = k;
        f->next_count = (unsigned)json_integer_value(count);
    } else if (json_is_true(json_object_get(doc, "reset"))) {
        f->next_count = 0;
    }
    f->cfg = cfg;
    rc = 0;
out:
    pthread_mutex_unlock(&f->mu);
    return rc;
}

json_t *fs_faults_json(fs_faults *f)
{
    pthread_mutex_lock(&f->mu);
    json_t *prob = json_object();
    for (int k = 1; k < FS_FAULT_KIND_COUNT; k++)
        json_object_set_new(prob, kind_names[k], json_real(f->cfg.prob[k]));
    json_t *doc = json_pack("{s:i,s:i,s:o,s:{s:i,s:s,s:o}}", "page_delay_ms",
                            (int)f->cfg.page_delay_ms, "latency_ms", (int)f->cfg.latency_ms,
                            "prob", prob, "fail_next", "count", (int)f->next_count, "kind",
                            fs_fault_kind_name(f->next_count ? f->next_kind : FS_FAULT_NONE),
                            "operation", f->next_op ? json_string(f->next_op) : json_null());
    pthread_mutex_unlock(&f->mu);
    return doc;
}
