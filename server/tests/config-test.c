/* Config precedence: defaults < file < environment < flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char dir[64];
static char conf[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/sh-cfg-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(conf, sizeof conf, "%s/stashhogd.conf", dir);
    FILE *f = fopen(conf, "w");
    fprintf(f, "# comment\n"
               "data_dir = %s/from-file\n"
               "rpc_workers = 3\n"
               "job_workers = 5\n"
               "log_level = debug\n"
               "listen = tcp://127.0.0.1:7710\n"
               "stash_url = \"http://file:9999\"\n",
            dir);
    fclose(f);
    unsetenv("STASHHOG_RPC_WORKERS");
    unsetenv("STASHHOG_LISTEN");
    unsetenv("STASHHOG_CONFIG");
    unsetenv("STASHHOG_DATA_DIR");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(conf);
    rmdir(dir);
    unsetenv("STASHHOG_RPC_WORKERS");
    unsetenv("STASHHOG_LISTEN");
    return 0;
}

static void test_defaults(void **state)
{
    (void)state;
    sh_config cfg;
    sh_config_init(&cfg);
    assert_true(cfg.ipc);
    assert_int_equal(cfg.rpc_workers, 4);
    assert_int_equal(cfg.job_workers, 2);
    setenv("STASHHOG_DATA_DIR", dir, 1);
    assert_int_equal(sh_config_finish(&cfg, NULL), SH_OK);
    char want[256];
    snprintf(want, sizeof want, "%s/stashhog.db", dir);
    assert_string_equal(cfg.db_path, want);
    unsetenv("STASHHOG_DATA_DIR");
    sh_config_fini(&cfg);
}

static void test_precedence(void **state)
{
    (void)state;
    setenv("STASHHOG_RPC_WORKERS", "6", 1);
    setenv("STASHHOG_LISTEN", "tcp://127.0.0.1:8000,tcp://127.0.0.1:0", 1);
    char *argv[] = {"stashhogd", "--config", conf, "--job-workers", "7", "--stash-url=http://flag:1", NULL};
    sh_config cfg;
    sh_config_init(&cfg);
    sh_error err = {0};
    assert_int_equal(sh_config_load(&cfg, 6, argv, NULL, &err), SH_CONFIG_RUN);
    assert_string_equal(cfg.config_file, conf);
    assert_int_equal(cfg.rpc_workers, 6);  /* env beats file */
    assert_int_equal(cfg.job_workers, 7);  /* flag beats file */
    assert_int_equal(cfg.log_level, SH_LOG_DEBUG); /* file beats default */
    assert_string_equal(cfg.stash_url, "http://flag:1");
    /* The env list replaced the file's list rather than extending it. */
    assert_int_equal(cfg.n_listen, 2);
    assert_string_equal(cfg.listen[0], "tcp://127.0.0.1:8000");
    /* Event URLs derive from listen URLs: port + 1, and 0 stays 0. */
    assert_int_equal(cfg.n_events_listen, 2);
    assert_string_equal(cfg.events_listen[0], "tcp://127.0.0.1:8001");
    assert_string_equal(cfg.events_listen[1], "tcp://127.0.0.1:0");
    sh_config_fini(&cfg);
}

static void test_errors(void **state)
{
    (void)state;
    sh_config cfg;
    sh_error err = {0};
    sh_config_init(&cfg);
    assert_int_equal(sh_config_set(&cfg, "rpc_workers", "0", &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "rpc_workers"));
    assert_int_equal(sh_config_set(&cfg, "nope", "1", &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "nope"));
    assert_int_equal(sh_config_set(&cfg, "listen", "not a url", &err), SH_ERR_INVALID);
    assert_int_equal(sh_config_set(&cfg, "ipc", "maybe", &err), SH_ERR_INVALID);
    char *argv[] = {"stashhogd", "--config", "/nonexistent/stashhogd.conf", NULL};
    assert_int_equal(sh_config_load(&cfg, 3, argv, NULL, &err), SH_CONFIG_EXIT_ERROR);
    char *argv2[] = {"stashhogd", "--bogus", "1", NULL};
    sh_config_fini(&cfg);
    sh_config_init(&cfg);
    setenv("STASHHOG_CONFIG", conf, 1);
    assert_int_equal(sh_config_load(&cfg, 3, argv2, NULL, &err), SH_CONFIG_EXIT_ERROR);
    assert_non_null(strstr(err.message, "--bogus"));
    unsetenv("STASHHOG_CONFIG");
    sh_config_fini(&cfg);

    /* A bad line in the file names the file and line. */
    char bad[160];
    snprintf(bad, sizeof bad, "%s/bad.conf", dir);
    FILE *f = fopen(bad, "w");
    fprintf(f, "rpc_workers = 2\njob_workers = many\n");
    fclose(f);
    sh_config_init(&cfg);
    assert_int_equal(sh_config_load_file(&cfg, bad, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "bad.conf:2"));
    sh_config_fini(&cfg);
    unlink(bad);
}

static void test_help_and_version(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    sh_config cfg;
    sh_config_init(&cfg);
    char *argv[] = {"stashhogd", "--help", NULL};
    assert_int_equal(sh_config_load(&cfg, 2, argv, out, NULL), SH_CONFIG_EXIT_OK);
    char *argv2[] = {"stashhogd", "--version", NULL};
    assert_int_equal(sh_config_load(&cfg, 2, argv2, out, NULL), SH_CONFIG_EXIT_OK);
    fclose(out);
    assert_non_null(strstr(buf, "--listen"));
    assert_non_null(strstr(buf, "--show-token"));
    assert_non_null(strstr(buf, "stashhogd " STASHHOG_VERSION));
    free(buf);
    sh_config_fini(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_and_version, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
