/* The per-peer auth failure limiter: blocks after repeated failures from one
 * address, leaves other addresses alone, grows the block, stays bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rpc/auth.h"

static int64_t fake_now;
static int64_t clock_fn(void *user)
{
    (void)user;
    return fake_now;
}

static sh_auth_limiter *make(size_t capacity)
{
    sh_auth_limiter_config c = {.max_failures = 5, .window_ms = 60000, .base_block_ms = 30000,
                                .max_block_ms = 120000, .capacity = capacity, .now_ms = clock_fn};
    sh_auth_limiter *lim = NULL;
    assert_int_equal(sh_auth_limiter_create(&c, &lim, NULL), SH_OK);
    return lim;
}

static void fail_n(sh_auth_limiter *lim, const char *peer, int n)
{
    for (int i = 0; i < n; i++)
        sh_auth_limiter_record(lim, peer, false);
}

static void test_blocks_after_five(void **state)
{
    (void)state;
    fake_now = 1000000;
    sh_auth_limiter *lim = make(16);
    sh_error err = {0};
    fail_n(lim, "10.0.0.1:4000", 4);
    assert_int_equal(sh_auth_limiter_check(lim, "10.0.0.1:4001", &err), SH_OK);
    sh_auth_limiter_record(lim, "10.0.0.1:4002", false); /* 5th: another port, same host */
    assert_int_equal(sh_auth_limiter_check(lim, "10.0.0.1:4003", &err), SH_ERR_RATE_LIMITED);
    assert_non_null(strstr(err.message, "too many failed authentication attempts from 10.0.0.1"));
    assert_non_null(strstr(err.message, "30 s"));
    /* The owner elsewhere is not locked out. */
    assert_int_equal(sh_auth_limiter_check(lim, "10.0.0.2:4000", &err), SH_OK);
    assert_int_equal(sh_auth_limiter_check(lim, "[::1]:4000", &err), SH_OK);
    /* Expiry. */
    fake_now += 29999;
    assert_int_equal(sh_auth_limiter_check(lim, "10.0.0.1:1", &err), SH_ERR_RATE_LIMITED);
    fake_now += 1;
    assert_int_equal(sh_auth_limiter_check(lim, "10.0.0.1:1", &err), SH_OK);
    sh_auth_limiter_destroy(lim);
}

static void test_window_and_success_reset(void **state)
{
    (void)state;
    fake_now = 5000000;
    sh_auth_limiter *lim = make(16);
    /* Four failures, a pause longer than the window, four more: no block. */
    fail_n(lim, "10.0.0.3:1", 4);
    fake_now += 60001;
    fail_n(lim, "10.0.0.3:1", 4);
    assert_int_equal(sh_auth_limiter_check(lim, "10.0.0.3:1", NULL), SH_OK);
    /* A success forgets the failures. */
    sh_auth_limiter_record(lim, "10.0.0.3:1", true);
    assert_int_equal(sh_auth_limiter_count(lim), 0);
    fail_n(lim, "10.0.0.3:1", 4);
    assert_int_equal(sh_auth_limiter_check(lim, "10.0.0.3:1", NULL), SH_OK);
    sh_auth_limiter_destroy(lim);
}

static void test_block_grows_and_caps(void **state)
{
    (void)state;
    fake_now = 9000000;
    sh_auth_limiter *lim = make(16);
    int64_t expected[] = {30000, 60000, 120000, 120000};
    for (int round = 0; round < 4; round++) {
        fail_n(lim, "192.0.2.7:9", 5);
        assert_int_equal(sh_auth_limiter_check(lim, "192.0.2.7:9", NULL), SH_ERR_RATE_LIMITED);
        fake_now += expected[round] - 1;
        assert_int_equal(sh_auth_limiter_check(lim, "192.0.2.7:9", NULL), SH_ERR_RATE_LIMITED);
        fake_now += 1;
        assert_int_equal(sh_auth_limiter_check(lim, "192.0.2.7:9", NULL), SH_OK);
    }
    /* Good behaviour for longer than the longest block starts over. */
    fake_now += 120001;
    fail_n(lim, "192.0.2.7:9", 5);
    fake_now += 30000;
    assert_int_equal(sh_auth_limiter_check(lim, "192.0.2.7:9", NULL), SH_OK);
    sh_auth_limiter_destroy(lim);
}

static void test_bounded_memory(void **state)
{
    (void)state;
    fake_now = 20000000;
    sh_auth_limiter *lim = make(8);
    /* The victim is blocked; then 1000 other addresses churn the table. */
    fail_n(lim, "198.51.100.1:1", 5);
    for (int i = 0; i < 1000; i++) {
        char peer[64];
        snprintf(peer, sizeof peer, "203.0.%d.%d:1", i / 250, i % 250);
        sh_auth_limiter_record(lim, peer, false);
        fake_now++;
    }
    assert_true(sh_auth_limiter_count(lim) <= 8);
    /* Blocked peers are the last to be forgotten. */
    assert_int_equal(sh_auth_limiter_check(lim, "198.51.100.1:2", NULL), SH_ERR_RATE_LIMITED);
    sh_auth_limiter_destroy(lim);
}

static void test_peer_keys(void **state)
{
    (void)state;
    char key[64];
    sh_auth_peer_key("127.0.0.1:5000", key, sizeof key);
    assert_string_equal(key, "127.0.0.1");
    sh_auth_peer_key("[2001:db8:1:2:3:4:5:6]:80", key, sizeof key);
    assert_string_equal(key, "2001:db8:1:2::/64");
    sh_auth_peer_key("[::ffff:10.1.2.3]:80", key, sizeof key);
    assert_string_equal(key, "10.1.2.3");
    sh_auth_peer_key("unknown", key, sizeof key);
    assert_string_equal(key, "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_after_five),    cmocka_unit_test(test_window_and_success_reset),
        cmocka_unit_test(test_block_grows_and_caps), cmocka_unit_test(test_bounded_memory),
        cmocka_unit_test(test_peer_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
