/* fake-llm.h - an OpenAI-compatible chat-completions server for tests.
 *
 * It answers deterministically from the request itself: the user message
 * carries the scenes as a JSON block after the line "Scenes (JSON):" (the
 * format server/llm builds), and the fake picks the candidates whose names
 * appear in the file paths, reads dates from the paths, derives titles from
 * file names and answers exactly the fields present in the request's JSON
 * schema.  Faults can be injected (429/500 for the first N requests, bad
 * JSON, schema violations, invalid values, latency) and counters, including
 * the highest number of requests in flight at once, are exposed for tests.
 *
 * Routes: POST /v1/chat/completions and /chat/completions, GET /v1/models
 * and /models (Bearer key checked when one is set); GET /__control/stats,
 * GET /__control/last-request, POST /__control/reset (loopback only).
 *
 * Threading: libmicrohttpd runs one thread per connection, so slow answers
 * overlap like a real server; counters live behind one mutex.  A test fixture:
 * allocation failure aborts. */
#ifndef FAKE_LLM_H
#define FAKE_LLM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fl_options {
    const char *bind;             /* IPv4/IPv6 literal; default 127.0.0.1 */
    uint16_t port;                /* 0 = any free port */
    const char *api_key;          /* NULL/"" = no auth */
    const char *models;           /* comma-separated model ids served */
    unsigned fail_429;            /* first N chat requests answer 429 */
    unsigned fail_500;            /* then the next N answer 500 */
    unsigned retry_after_s;       /* Retry-After of the 429s (0 = header omitted) */
    double malformed_rate;        /* content that is not JSON */
    double schema_violation_rate; /* JSON content violating the schema */
    double garbage_rate;          /* an HTML body instead of a completion */
    bool invalid_values;          /* add unknown names, bad dates, confidences > 1 */
    unsigned latency_ms;          /* delay of every chat answer */
    uint64_t seed;                /* PRNG for the fault rates */
    bool quiet;
} fl_options;

void fl_options_init(fl_options *opt);

typedef struct fl_server fl_server;

/* Returns 0, or -1 with a message in err. */
int fl_server_start(const fl_options *opt, fl_server **out, char *err, size_t errlen);
uint16_t fl_server_port(const fl_server *srv);
void fl_server_stop(fl_server *srv);

/* The counters of GET /__control/stats (new reference):
 * {requests, chat_requests, models_requests, unauthorized, faults, in_flight,
 *  max_in_flight, scenes, prompt_tokens, completion_tokens}. */
json_t *fl_server_stats(fl_server *srv);
void fl_server_reset_stats(fl_server *srv);
/* The last chat request body as received (new reference), or NULL. */
json_t *fl_server_last_request(fl_server *srv);

/* ---- answers (fl-answer.c), exposed for the server and tests ---- */

typedef struct fl_answer {
    json_t *content; /* the structured answer {"scenes": [...]} */
    size_t n_scenes;
    size_t prompt_chars; /* characters of all message contents */
} fl_answer;

/* Builds the answer to a chat request.  Returns 0, or -1 with the reason
 * (a client error: 400) in err. */
int fl_answer_build(const json_t *request, bool invalid_values, fl_answer *out, char *err,
                    size_t errlen);

#endif
