/* libFuzzer entry point: each input is one raw request sent to a real
 * in-process daemon (see fuzz-harness.h).  Built only with clang:
 *
 *   CC=clang cmake -S . -B build-fuzz -DSTASHHOG_FUZZ=ON -DSTASHHOG_BUILD_GTK=OFF
 *   cmake --build build-fuzz --target fuzz-request
 *   mkdir -p corpus && build-fuzz/bin/fuzz-request -max_total_time=600 -max_len=65536 corpus
 *
 * The harness sends one valid request per request type before libFuzzer's
 * inputs, so the daemon's state is warmed up even with an empty corpus. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz-harness.h"

static sh_fuzz_harness *harness;

static void teardown(void)
{
    sh_fuzz_harness_destroy(harness);
    harness = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sh_error err = {0};
    if (sh_fuzz_harness_create(&harness, &err) != SH_OK) {
        fprintf(stderr, "fuzz-request: %s\n", sh_error_message(&err));
        abort();
    }
    atexit(teardown);
    sh_fuzz_seed *seeds = NULL;
    size_t n = 0;
    if (sh_fuzz_seeds(&seeds, &n, &err) == SH_OK) {
        for (size_t i = 0; i < n; i++) {
            int status = -1;
            if (sh_fuzz_send(harness, seeds[i].data, seeds[i].len, &status, &err) != SH_OK)
                abort();
        }
        sh_fuzz_seeds_free(seeds, n);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sh_error err = {0};
    int status = -1;
    if (sh_fuzz_send(harness, data, size, &status, &err) != SH_OK) {
        fprintf(stderr, "fuzz-request: %s\n", sh_error_message(&err));
        abort();
    }
    return 0;
}
