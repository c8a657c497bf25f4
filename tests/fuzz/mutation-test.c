/* Deterministic mutation test: valid requests for every request type,
 * mutated by a seeded PRNG, sent to a real in-process daemon with a real
 * temporary database.  Every input must get a well-formed reply (or be
 * dropped), the daemon must keep answering, and under ASan nothing may
 * crash or leak.  STASHHOG_FUZZ_ITERATIONS and STASHHOG_FUZZ_SEED override
 * the defaults (ctest runs a moderate count; 100,000 is the release check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fuzz-harness.h"
#include "sh-util.h"
#include "sh-wire.h"

#define DEFAULT_ITERATIONS 20000
#define DEFAULT_SEED 0x5eed5eedull

static uint64_t env_u64(const char *name, uint64_t def)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : def;
}

static void test_mutated_requests(void **state)
{
    (void)state;
    sh_error err = {0};
    sh_fuzz_harness *h = NULL;
    if (sh_fuzz_harness_create(&h, &err) != SH_OK)
        fail_msg("harness: %s", sh_error_message(&err));
    sh_fuzz_seed *seeds = NULL;
    size_t n_seeds = 0;
    assert_int_equal(sh_fuzz_seeds(&seeds, &n_seeds, &err), SH_OK);
    assert_true(n_seeds >= 20);
    if (n_seeds == 0)
        return;

    /* Every unmutated seed is answered; at least ping and status succeed. */
    size_t seeds_ok = 0;
    for (size_t i = 0; i < n_seeds; i++) {
        int status = -1;
        if (sh_fuzz_send(h, seeds[i].data, seeds[i].len, &status, &err) != SH_OK)
            fail_msg("seed %s: %s", seeds[i].name, sh_error_message(&err));
        seeds_ok += status == STASHHOG__STATUS_CODE__STATUS_OK;
    }
    assert_true(seeds_ok >= 2);

    uint64_t iterations = env_u64("STASHHOG_FUZZ_ITERATIONS", DEFAULT_ITERATIONS);
    uint64_t rng = env_u64("STASHHOG_FUZZ_SEED", DEFAULT_SEED);
    uint64_t by_status[32] = {0}, dropped = 0;
    int64_t t0 = sh_monotonic_ms();
    for (uint64_t it = 0; it < iterations; it++) {
        const sh_fuzz_seed *s = &seeds[sh_fuzz_rand(&rng) % n_seeds];
        const sh_fuzz_seed *o = &seeds[sh_fuzz_rand(&rng) % n_seeds];
        uint8_t *buf = NULL;
        size_t len = 0;
        sh_fuzz_mutate(&rng, s->data, s->len, o->data, o->len, &buf, &len);
        int status = -1;
        sh_status st = sh_fuzz_send(h, buf, len, &status, &err);
        if (st != SH_OK) {
            fprintf(stderr, "iteration %llu (seed %s, %zu bytes):", (unsigned long long)it, s->name, len);
            for (size_t i = 0; i < len && i < 256; i++)
                fprintf(stderr, " %02x", buf[i]);
            fputc('\n', stderr);
            free(buf);
            fail_msg("%s", sh_error_message(&err));
            return;
        }
        free(buf);
        if (status < 0)
            dropped++;
        else
            by_status[(unsigned)status < 32 ? status : 31]++;
    }
    int64_t ms = sh_monotonic_ms() - t0;

    /* Still serving after all that. */
    int status = -1;
    assert_int_equal(sh_fuzz_send(h, seeds[0].data, seeds[0].len, &status, &err), SH_OK);

    printf("fuzz: %llu mutated requests in %lld ms (%.0f/s), seed 0x%llx\n", (unsigned long long)iterations,
           (long long)ms, ms > 0 ? (double)iterations * 1000.0 / (double)ms : 0.0,
           (unsigned long long)env_u64("STASHHOG_FUZZ_SEED", DEFAULT_SEED));
    printf("fuzz: replies by status:");
    for (int i = 0; i < 32; i++)
        if (by_status[i])
            printf(" %s=%llu", sh_strerror((sh_status)i), (unsigned long long)by_status[i]);
    printf(" dropped=%llu\n", (unsigned long long)dropped);
    /* The mutations must reach both the decoder's and the validator's refusals. */
    if (iterations >= 1000) {
        assert_true(by_status[STASHHOG__STATUS_CODE__STATUS_PROTOCOL] > 0);
        assert_true(by_status[STASHHOG__STATUS_CODE__STATUS_INVALID_ARGUMENT] > 0);
        assert_true(by_status[STASHHOG__STATUS_CODE__STATUS_OK] > 0);
    }
    sh_fuzz_seeds_free(seeds, n_seeds);
    sh_fuzz_harness_destroy(h);
}

static void test_mutator_is_deterministic(void **state)
{
    (void)state;
    static const uint8_t in[] = {0x08, 0x01, 0x10, 0x2a, 0x52, 0x04, 0x0a, 0x02, 'h', 'i'};
    uint64_t a = 42, b = 42;
    for (int i = 0; i < 1000; i++) {
        uint8_t *x = NULL, *y = NULL;
        size_t xl = 0, yl = 0;
        sh_fuzz_mutate(&a, in, sizeof in, in, sizeof in, &x, &xl);
        sh_fuzz_mutate(&b, in, sizeof in, in, sizeof in, &y, &yl);
        assert_int_equal(xl, yl);
        assert_memory_equal(x, y, xl ? xl : 0);
        free(x);
        free(y);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutator_is_deterministic),
        cmocka_unit_test(test_mutated_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
