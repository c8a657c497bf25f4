/* fuzz-harness.h - a real stashhogd in this process, and hostile requests for it.
 *
 * The harness starts the daemon (every module, a fresh database in a
 * private temporary directory, the ipc socket only) and talks to it over a
 * raw nng req socket, so each input takes the daemon's own path: receive
 * cap -> decode -> envelope checks -> auth -> generic validation ->
 * dispatch through the real handler table -> reply packing.  Every reply
 * must decode as a Reply; a hang (no reply within the timeout) is a
 * failure.  The seed corpus is generated from the protobuf descriptors: one
 * plausible, valid request per request type, so new request types are
 * fuzzed without touching this code.
 *
 * Threading: one caller thread; the daemon runs its own threads. */
#ifndef SH_FUZZ_HARNESS_H
#define SH_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "sh-error.h"

typedef struct sh_fuzz_harness sh_fuzz_harness;

typedef struct sh_fuzz_seed {
    uint8_t *data;
    size_t len;
    const char *name; /* request body field name ("scene_list") */
} sh_fuzz_seed;

sh_status sh_fuzz_harness_create(sh_fuzz_harness **out, sh_error *err);
void sh_fuzz_harness_destroy(sh_fuzz_harness *h);

/* Send one raw request.  SH_OK when a well-formed reply came back (*status
 * is its StatusCode) or the daemon dropped the message as it should for
 * input it cannot answer (*status = -1); an error when the daemon hung or
 * answered garbage. */
sh_status sh_fuzz_send(sh_fuzz_harness *h, const uint8_t *data, size_t len, int *status, sh_error *err);

/* One valid encoded request per request type; free with sh_fuzz_seeds_free. */
sh_status sh_fuzz_seeds(sh_fuzz_seed **out, size_t *n, sh_error *err);
void sh_fuzz_seeds_free(sh_fuzz_seed *seeds, size_t n);

/* Deterministic PRNG (xorshift64*) and the mutator. */
uint64_t sh_fuzz_rand(uint64_t *state);
/* Mutate `in` into a new buffer (*out, malloc'd); `other` is used for splicing. */
void sh_fuzz_mutate(uint64_t *rng, const uint8_t *in, size_t len, const uint8_t *other, size_t other_len,
                    uint8_t **out, size_t *out_len);

#endif
