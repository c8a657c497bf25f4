/* llm-cost.c - the price table and cost accounting.
 *
 * Prices are USD per 1M input / output tokens.  A model id matches the
 * longest listed prefix, after any "vendor/" part ("openai/gpt-4o-mini" on a
 * router, "gpt-4o-mini-2024-07-18" for a dated snapshot).  Models not in the
 * table - local ones served by Ollama or LM Studio - cost nothing.  The
 * table is built at start-up and read-only afterwards, so it needs no lock. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm-internal.h"

typedef struct price_entry {
    char *model;
    double input;
    double output;
} price_entry;

struct sh_llm_prices {
    price_entry *v;
    size_t n;
    size_t cap;
};

/* OpenAI list prices (standard tier) when this table was written. */
static const struct {
    const char *model;
    double input, output;
} default_prices[] = {
    {"gpt-4o-mini", 0.15, 0.60},
    {"gpt-4o", 2.50, 10.00},
    {"gpt-4.1-nano", 0.10, 0.40},
    {"gpt-4.1-mini", 0.40, 1.60},
    {"gpt-4.1", 2.00, 8.00},
    {"gpt-4-turbo", 10.00, 30.00},
    {"gpt-3.5-turbo", 0.50, 1.50},
    {"gpt-5-nano", 0.05, 0.40},
    {"gpt-5-mini", 0.25, 2.00},
    {"gpt-5", 1.25, 10.00},
    {"o4-mini", 1.10, 4.40},
    {"o3-mini", 1.10, 4.40},
    {"o3", 2.00, 8.00},
};

sh_status sh_llm_prices_create(sh_llm_prices **out, sh_error *err)
{
    if (!out)
        return sh_error_set(err, SH_ERR_INVALID, "no output pointer");
    *out = NULL;
    sh_llm_prices *p = calloc(1, sizeof *p);
    if (!p)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < sizeof default_prices / sizeof default_prices[0]; i++) {
        sh_status rc = sh_llm_prices_set(p, default_prices[i].model, default_prices[i].input,
                                         default_prices[i].output, err);
        if (rc != SH_OK) {
            sh_llm_prices_destroy(p);
            return rc;
        }
    }
    *out = p;
    return SH_OK;
}

void sh_llm_prices_destroy(sh_llm_prices *prices)
{
    if (!prices)
        return;
    for (size_t i = 0; i < prices->n; i++)
        free(prices->v[i].model);
    free(prices->v);
    free(prices);
}

sh_status sh_llm_prices_set(sh_llm_prices *prices, const char *model, double input_per_mtok,
                            double output_per_mtok, sh_error *err)
{
    if (sh_str_empty(model))
        return sh_error_set(err, SH_ERR_INVALID, "price entry without a model name");
    if (!(input_per_mtok >= 0) || !(output_per_mtok >= 0) || !isfinite(input_per_mtok) ||
        !isfinite(output_per_mtok))
        return sh_error_set(err, SH_ERR_INVALID, "prices of %s must be finite and >= 0", model);
    for (size_t i = 0; i < prices->n; i++) {
        if (strcmp(prices->v[i].model, model) == 0) {
            prices->v[i].input = input_per_mtok;
            prices->v[i].output = output_per_mtok;
            return SH_OK;
        }
    }
    if (prices->n == prices->cap) {
        size_t cap = prices->cap ? prices->cap * 2 : 16;
        price_entry *v = realloc(prices->v, cap * sizeof *v);
        if (!v)
            return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
        prices->v = v;
        prices->cap = cap;
    }
    char *copy = strdup(model);
    if (!copy)
        return sh_error_set(err, SH_ERR_NOMEM, "out of memory");
    prices->v[prices->n++] = (price_entry){copy, input_per_mtok, output_per_mtok};
    return SH_OK;
}

sh_status sh_llm_prices_load_json(sh_llm_prices *prices, const char *json_text, sh_error *err)
{
    json_error_t jerr;
    json_t *root = json_loads(json_text ? json_text : "", 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return sh_error_set(err, SH_ERR_INVALID,
                            "price table must be a JSON object {\"model\": {\"input\": USD, "
                            "\"output\": USD}} (per 1M tokens)");
    }
    sh_status rc = SH_OK;
    const char *model;
    json_t *v;
    json_object_foreach(root, model, v)
    {
        json_t *in = json_object_get(v, "input"), *out = json_object_get(v, "output");
        if (!json_is_number(in) || !json_is_number(out)) {
            rc = sh_error_set(err, SH_ERR_INVALID, "price of %s needs numeric input and output",
                              model);
            break;
        }
        if ((rc = sh_llm_prices_set(prices, model, json_number_value(in), json_number_value(out),
                                    err)) != SH_OK)
            break;
    }
    json_decref(root);
    return rc;
}

bool sh_llm_prices_lookup(const sh_llm_prices *prices, const char *model, double *input_per_mtok,
                          double *output_per_mtok)
{
    *input_per_mtok = *output_per_mtok = 0;
    if (!prices || !model)
        return false;
    const char *slash = strrchr(model, '/');
    const char *id = slash ? slash + 1 : model;
    const price_entry *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < prices->n; i++) {
        const price_entry *e = &prices->v[i];
        size_t len = strlen(e->model);
        if (strcmp(e->model, model) == 0) { /* an exact entry (even "vendor/x") wins */
            best = e;
            break;
        }
        if (len > best_len && strncmp(id, e->model, len) == 0) {
            best = e;
            best_len = len;
        }
    }
    if (!best)
        return false;
    *input_per_mtok = best->input;
    *output_per_mtok = best->output;
    return true;
}

double sh_llm_prices_cost(const sh_llm_prices *prices, const char *model, int64_t prompt_tokens,
                          int64_t completion_tokens)
{
    double in, out;
    if (!sh_llm_prices_lookup(prices, model, &in, &out))
        return 0;
    return ((double)prompt_tokens * in + (double)completion_tokens * out) / 1e6;
}
