/* llm.h - OpenAI-compatible chat-completions client for scene analysis.
 *
 * Works with OpenAI, Ollama, LM Studio and anything else that speaks
 * POST {base_url}/chat/completions: base URL, model and API key are
 * configuration ("Authorization: Bearer KEY" is sent only when a key is set).
 * One request carries several scenes and asks for one JSON-schema
 * structured output (strict) covering every requested field; the caller
 * passes, per scene, only the candidate studios/performers/tags relevant to
 * it, never the whole library.  Answers are validated against the schema
 * and the candidates: unknown names are dropped (or marked new when
 * allowed), confidences clamped to 0..1, impossible dates rejected.
 *
 * Threading: an sh_llm_client owns one reusable CURL handle and is used by
 * one thread at a time (one per job worker).  An sh_llm_limiter is shared by
 * the whole daemon and bounds the requests in flight across all clients
 * (openai.max_concurrency); a slot is held only during an HTTP attempt, not
 * during backoff sleeps.  An sh_llm_prices table is immutable once set up
 * and may be read from any thread.  curl_global_init must have run before a
 * client is created (the daemon does it via sh_stash_global_init).
 *
 * Retries: 429 and 5xx answers and transport failures are retried with
 * exponential backoff and full jitter, honouring Retry-After; 401/403 fail
 * at once with SH_ERR_UNAUTHENTICATED and a clear message.
 *
 * Secrets: the API key is sent only in the Authorization header; it never
 * appears in logs, errors, stats or the cache. */
#ifndef SH_LLM_H
#define SH_LLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "sh-error.h"
#include "sh-util.h"

/* Part of every cache key: bump when the prompt or schema changes meaning. */
#define SH_LLM_PROMPT_VERSION 1

/* ------------------------------------------------------------ limiter */

typedef struct sh_llm_limiter sh_llm_limiter;

/* max_in_flight >= 1. */
sh_status sh_llm_limiter_create(int max_in_flight, sh_llm_limiter **out, sh_error *err);
void sh_llm_limiter_destroy(sh_llm_limiter *limiter);
/* Changes the bound at run time (settings change); values < 1 become 1. */
void sh_llm_limiter_set_max(sh_llm_limiter *limiter, int max_in_flight);
int sh_llm_limiter_in_flight(sh_llm_limiter *limiter);

/* ------------------------------------------------------------- prices */

/* USD per 1M input and output tokens, per model.  Defaults cover OpenAI's
 * common models; a model matches the longest listed prefix
 * ("gpt-4o-mini-2024-07-18" -> "gpt-4o-mini"); unknown models (Ollama, LM
 * Studio, ...) cost 0. */
typedef struct sh_llm_prices sh_llm_prices;

sh_status sh_llm_prices_create(sh_llm_prices **out, sh_error *err); /* with defaults */
void sh_llm_prices_destroy(sh_llm_prices *prices);
/* Adds or replaces one model's prices (both >= 0). */
sh_status sh_llm_prices_set(sh_llm_prices *prices, const char *model, double input_per_mtok,
                            double output_per_mtok, sh_error *err);
/* Merges a JSON object {"model": {"input": 0.15, "output": 0.6}, ...}. */
sh_status sh_llm_prices_load_json(sh_llm_prices *prices, const char *json_text, sh_error *err);
/* False (and zero prices) when no entry matches. */
bool sh_llm_prices_lookup(const sh_llm_prices *prices, const char *model, double *input_per_mtok,
                          double *output_per_mtok);
/* prices may be NULL (cost 0). */
double sh_llm_prices_cost(const sh_llm_prices *prices, const char *model, int64_t prompt_tokens,
                          int64_t completion_tokens);

/* ------------------------------------------------------------- client */

typedef struct sh_llm_config {
    const char *base_url; /* e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1 */
    const char *api_key;  /* NULL or "" = no Authorization header */
    const char *model;    /* e.g. gpt-4o-mini, llama3.1 */
    bool verify_tls;
    const char *ca_file; /* NULL = system store */
    long connect_timeout_ms;
    long timeout_ms;      /* one attempt: models can be slow */
    int max_retries;      /* retries after the first attempt */
    long backoff_base_ms; /* first backoff window; doubles per retry */
    long backoff_max_ms;
    long retry_after_max_ms; /* cap applied to Retry-After */
    size_t max_response_bytes;
    double temperature;      /* < 0: not sent (models that only take the default) */
    sh_llm_limiter *limiter; /* borrowed, shared; NULL = no bound */
    /* Optional: non-zero when the caller wants the call abandoned. */
    int (*cancelled)(void *user_data);
    void *cancel_user_data;
} sh_llm_config;

/* Defaults: verify_tls, 10 s connect, 180 s per attempt, 4 retries, backoff
 * 1 s doubling up to 60 s, Retry-After capped at 120 s, 8 MiB answers,
 * temperature 0.  base_url, api_key and model are left NULL. */
void sh_llm_config_init(sh_llm_config *cfg);

typedef struct sh_llm_client sh_llm_client;

typedef struct sh_llm_client_stats {
    uint64_t requests; /* HTTP attempts, retries included */
    uint64_t retries;
    uint64_t failures; /* calls that returned an error */
    int64_t last_latency_ms;
    long last_http_status;
} sh_llm_client_stats;

/* Copies what it needs from cfg (strings included; not the limiter). */
sh_status sh_llm_client_create(const sh_llm_config *cfg, sh_llm_client **out, sh_error *err);
void sh_llm_client_destroy(sh_llm_client *client);
const char *sh_llm_client_model(const sh_llm_client *client);
void sh_llm_client_get_stats(const sh_llm_client *client, sh_llm_client_stats *out);

typedef struct sh_llm_probe {
    bool reachable;     /* an HTTP answer came back */
    bool authenticated; /* the key was accepted (or none is needed) */
    bool model_listed;  /* GET /models lists the configured model */
    char model[128];    /* the configured model */
    size_t n_models;    /* models the server offers */
    int64_t latency_ms; /* of the models request; -1 if none */
} sh_llm_probe;

/* GET {base_url}/models: costs no tokens.  Fills *out as far as it got.
 * SH_ERR_UNAUTHENTICATED for a rejected key, SH_ERR_NOT_FOUND when the
 * server does not offer the configured model (message lists a few it does). */
sh_status sh_llm_test_connection(sh_llm_client *client, sh_llm_probe *out, sh_error *err);

/* ----------------------------------------------------------- analysis */

typedef enum sh_llm_field {
    SH_LLM_STUDIO = 0,
    SH_LLM_PERFORMERS = 1,
    SH_LLM_TAGS = 2,
    SH_LLM_TITLE = 3,
    SH_LLM_DATE = 4,
    SH_LLM_DETAILS = 5,
    SH_LLM_FIELD_COUNT_
} sh_llm_field;

#define SH_LLM_FIELD_BIT(f) (1u << (unsigned)(f))
#define SH_LLM_FIELDS_ALL   ((1u << (unsigned)SH_LLM_FIELD_COUNT_) - 1u)

/* "studio", "performers", "tags", "title", "date", "details". */
const char *sh_llm_field_name(sh_llm_field field);

typedef struct sh_llm_candidate {
    int64_t id; /* > 0 */
    const char *name;
} sh_llm_candidate;

/* One scene: what Stash has now and the candidates relevant to it.  All
 * strings may be NULL or "" (unset).  Borrowed for the call only. */
typedef struct sh_llm_scene_input {
    int64_t id; /* > 0, unique within a call */
    const char *const *paths;
    size_t n_paths;
    const char *title;
    const char *date;
    const char *details;
    const char *studio;
    const char *const *performers;
    size_t n_performers;
    const char *const *tags;
    size_t n_tags;
    const sh_llm_candidate *studio_candidates;
    size_t n_studio_candidates;
    const sh_llm_candidate *performer_candidates;
    size_t n_performer_candidates;
    const sh_llm_candidate *tag_candidates;
    size_t n_tag_candidates;
} sh_llm_scene_input;

typedef struct sh_llm_request_opts {
    unsigned fields;                 /* SH_LLM_FIELD_BIT mask; 0 = all */
    bool allow_new_entities;         /* keep unknown names as new (else drop them) */
    size_t scenes_per_request;       /* default 5 */
    int64_t output_tokens_per_scene; /* for estimates; default 200 */
    double budget_usd;               /* 0 = no cap; compared with usage->cost_usd */
    const sh_llm_prices *prices;     /* NULL = everything costs 0 */
    sh_db *cache;                    /* read-write connection; NULL = no caching */
} sh_llm_request_opts;

void sh_llm_request_opts_init(sh_llm_request_opts *opts);

/* Token and cost accounting; analyze calls add to it (one per plan). */
typedef struct sh_llm_usage {
    int64_t requests; /* chat requests answered */
    int64_t prompt_tokens;
    int64_t completion_tokens;
    double cost_usd;
    int64_t scenes;        /* scenes answered by the model */
    int64_t cache_hits;    /* scenes answered from llm_cache (free) */
    bool budget_exhausted; /* set when a request was refused by the budget */
} sh_llm_usage;

/* An entity the model chose: a candidate (id > 0) or, when new entities
 * are allowed, a new name (is_new, id 0). */
typedef struct sh_llm_pick {
    int64_t id;
    const char *name;
    bool is_new;
    double confidence; /* 0..1 */
    const char *reason;
} sh_llm_pick;

typedef struct sh_llm_text {
    const char *value; /* NULL = no proposal */
    double confidence;
    const char *reason;
} sh_llm_text;

typedef struct sh_llm_scene_result {
    int64_t scene_id;
    sh_status status; /* SH_OK, or why this scene got no answer */
    bool cached;      /* answered from llm_cache */
    bool has_studio;
    sh_llm_pick studio;
    sh_llm_pick *performers;
    size_t n_performers;
    sh_llm_pick *tags;
    size_t n_tags;
    sh_llm_text title; /* YYYY-MM-DD for date */
    sh_llm_text date;
    sh_llm_text details;
    size_t n_dropped; /* unknown names and invalid values thrown away */
    sh_arena *arena;  /* owns every string and array above */
} sh_llm_scene_result;

/* Frees what a result owns and zeroes it (safe on a zeroed result). */
void sh_llm_scene_result_fini(sh_llm_scene_result *result);
void sh_llm_scene_results_fini(sh_llm_scene_result *results, size_t n);

/* Analyzes n scenes: scenes found in opts->cache are answered from it; the
 * rest go to the model in requests of up to opts->scenes_per_request.
 * results[i] (n entries, caller-allocated, zeroed or fini'd) always gets
 * scene_id and a status; answers are cached.  usage is added to (may be
 * NULL, but then no budget applies).
 * Returns SH_OK when every request succeeded (a scene the model left out
 * still gets its own SH_ERR_PROTOCOL status).  Otherwise the first error:
 * SH_ERR_PROTOCOL for an answer that is not valid JSON or violates the
 * schema (that request's scenes fail, later requests still run),
 * SH_ERR_UNAUTHENTICATED, SH_ERR_CANCELLED (also when the budget refuses a
 * request: usage->budget_exhausted is then set), transport errors after
 * retries.  Results of scenes answered before a stopping error stay valid.
 * Must not be called inside a write transaction on opts->cache. */
sh_status sh_llm_analyze_batch(sh_llm_client *client, const sh_llm_scene_input *scenes, size_t n,
                               const sh_llm_request_opts *opts, sh_llm_scene_result *results,
                               sh_llm_usage *usage, sh_error *err);

typedef struct sh_llm_estimate {
    int64_t requests;
    int64_t prompt_tokens;     /* request size / 4 */
    int64_t completion_tokens; /* output_tokens_per_scene per scene */
    double cost_usd;
    int64_t cached_scenes; /* found in opts->cache: free */
} sh_llm_estimate;

/* Estimates what analyzing these scenes would cost with the given model,
 * before anything is sent.  Adds to *out, so callers can estimate in chunks. */
sh_status sh_llm_estimate_cost(const char *model, const sh_llm_scene_input *scenes, size_t n,
                               const sh_llm_request_opts *opts, sh_llm_estimate *out,
                               sh_error *err);

/* -------------------------------------------------------------- cache */

#define SH_LLM_CACHE_KEY_LEN 65 /* 64 hex digits + NUL */

/* SHA-256 of prompt version, model, requested fields, the new-entities
 * switch and the scene's normalized input (candidates sorted). */
sh_status sh_llm_cache_key(const char *model, const sh_llm_scene_input *scene,
                           const sh_llm_request_opts *opts, char key[SH_LLM_CACHE_KEY_LEN],
                           sh_error *err);
/* SH_ERR_NOT_FOUND when absent.  *response is malloc'd (caller frees). */
sh_status sh_llm_cache_get(sh_db *db, const char *key, char **response, int64_t *prompt_tokens,
                           int64_t *completion_tokens, sh_error *err);
/* Inserts or replaces; runs its own write transaction unless in_txn. */
sh_status sh_llm_cache_put(sh_db *db, const char *key, const char *model, const char *response,
                           int64_t prompt_tokens, int64_t completion_tokens, bool in_txn,
                           sh_error *err);
/* Deletes entries created before before_ms (Unix ms); 0 deletes all. */
sh_status sh_llm_cache_prune(sh_db *db, int64_t before_ms, int64_t *deleted, sh_error *err);

#endif
