/* llm-internal.h - internals of the llm module, shared by its files and its
 * tests.  Other modules include only llm/llm.h. */
#ifndef SH_LLM_INTERNAL_H
#define SH_LLM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h> /* the client test sets curl up through this header */
#include <jansson.h>

#include "llm/llm.h"
#include "sh-error.h"

#define SH_LLM_SCENES_MARKER "Scenes (JSON):"
#define SH_LLM_TITLE_MAX     300  /* bytes; longer titles are not titles */
#define SH_LLM_DETAILS_MAX   2000 /* bytes */
#define SH_LLM_REASON_MAX    300  /* bytes kept of a reason */

/* ---- limiter (llm-limiter.c) ---- */

/* Waits for a slot, polling cancelled every <= 100 ms.  NULL limiter: no-op. */
sh_status sh_llm_limiter_acquire(sh_llm_limiter *limiter, int (*cancelled)(void *), void *user_data,
                                 sh_error *err);
void sh_llm_limiter_release(sh_llm_limiter *limiter);

/* ---- the client core (llm-client.c) ---- */

typedef struct sh_llm_reply {
    char *content; /* the assistant message (malloc'd) */
    int64_t prompt_tokens;
    int64_t completion_tokens;
    bool usage_reported; /* false: tokens were estimated from sizes */
} sh_llm_reply;

/* POST {base}/chat/completions with retries; extracts the message content
 * and usage.  SH_ERR_PROTOCOL for a body that is not a completion, a refusal
 * or an answer cut off at the token limit. */
sh_status sh_llm_chat(sh_llm_client *client, const char *body, size_t body_len, sh_llm_reply *reply,
                      sh_error *err);
void sh_llm_reply_fini(sh_llm_reply *reply);
double sh_llm_client_temperature(const sh_llm_client *client);

/* ---- prompt and schema (llm-prompt.c) ---- */

unsigned sh_llm_fields_normalize(unsigned fields);
/* The scene as the model sees it: trimmed strings, candidates sorted and
 * de-duplicated, only requested fields' candidates.  Also the cache input. */
json_t *sh_llm_scene_json(const sh_llm_scene_input *scene, unsigned fields);
/* The strict JSON schema of an answer for these scenes. */
json_t *sh_llm_answer_schema(const sh_llm_scene_input *const *scenes, size_t n, unsigned fields,
                             bool allow_new);
/* The whole chat-completions body (compact JSON, malloc'd). */
char *sh_llm_build_request(const char *model, double temperature,
                           const sh_llm_scene_input *const *scenes, size_t n, unsigned fields,
                           bool allow_new, size_t *len_out);

/* ---- answers (llm-parse.c) ---- */

/* Checks one scene object of an answer against the schema.  index is used
 * in the message only. */
sh_status sh_llm_check_scene_answer(const json_t *scene, unsigned fields, size_t index,
                                    sh_error *err);
/* Parses the assistant content (tolerating a ```json fence) and checks it
 * against the schema.  per_scene[i] gets a new reference to the answer for
 * ids[i], or NULL when the model left that scene out.  Answers for ids not
 * asked for are ignored. */
sh_status sh_llm_parse_answer(const char *content, const int64_t *ids, size_t n, unsigned fields,
                              json_t **per_scene, sh_error *err);
/* Turns a checked scene answer into a result: names resolved against the
 * scene's candidates, values validated.  result must be zeroed. */
sh_status sh_llm_resolve_scene(const json_t *answer, const sh_llm_scene_input *scene,
                               unsigned fields, bool allow_new, sh_llm_scene_result *result,
                               sh_error *err);
/* YYYY-MM-DD, a real calendar day, year 1900..(this year + 1). */
bool sh_llm_date_valid(const char *date);

#endif
