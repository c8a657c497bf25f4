/* settings-test.c - validation, defaults, sealing of secrets at rest,
 * masking, *_FILE precedence, and the Stash client configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secrets/secretbox.h"
#include "settings/settings.h"
#include "sh-util.h"

#define KEY "sk-test-4f9a8b7c6d5e4f3a2b1c"

typedef struct fixture {
    char dir[512];
    char db_path[600];
    char key_path[600];
    sh_config cfg;
    sh_services svc;
    sh_db *db;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    const char *scratch = getenv("STASHHOG_TEST_SCRATCH");
    char base[400];
    snprintf(base, sizeof base, "%s", scratch ? scratch : "/tmp");
    assert_int_equal(sh_mkdir_p(base, 0700, NULL), SH_OK);
    snprintf(f->dir, sizeof f->dir, "%s/settings-XXXXXX", base);
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db_path, sizeof f->db_path, "%s/cache.db", f->dir);
    snprintf(f->key_path, sizeof f->key_path, "%s/secret.key", f->dir);
    f->svc.cfg = &f->cfg;
    assert_int_equal(sh_db_env_create(f->db_path, &f->svc.db, NULL), SH_OK);
    assert_int_equal(sh_db_open(f->svc.db, false, &f->db, NULL), SH_OK);
    assert_int_equal(sh_secrets_create(f->key_path, &f->svc.secrets, NULL), SH_OK);
    unsetenv("STASHHOG_STASH_API_KEY_FILE");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sh_db_close(f->db);
    sh_db_env_destroy(f->svc.db);
    sh_secrets_destroy(f->svc.secrets);
    free(f);
    return 0;
}

static char *get(fixture *f, const char *key, sh_setting_source *src)
{
    char *v = NULL;
    assert_int_equal(sh_settings_get(f->db, &f->svc, key, &v, src, NULL), SH_OK);
    return v;
}

static void expect_invalid(fixture *f, const char *key, const char *value)
{
    sh_error err = {0};
    assert_int_not_equal(sh_settings_set(f->db, &f->svc, key, value, &err), SH_OK);
    assert_non_null(strstr(err.message, key)); /* the message names the key */
}

static void test_validation(void **state)
{
    fixture *f = *state;
    expect_invalid(f, "stash.nope", "1");
    expect_invalid(f, "stash.url", "ftp://x");
    expect_invalid(f, "stash.url", "http://");
    expect_invalid(f, "stash.page_size", "0");
    expect_invalid(f, "stash.page_size", "1001");
    expect_invalid(f, "stash.page_size", "12abc");
    expect_invalid(f, "stash.verify_tls", "maybe");
    expect_invalid(f, "stash.ca_file", "relative.pem");
    expect_invalid(f, "stash.ca_file", "/nonexistent/ca.pem");
    expect_invalid(f, "stash.api_key", "has space");
    expect_invalid(f, "openai.budget_usd", "-1");
    expect_invalid(f, "openai.max_concurrency", "65");
    /* Nothing was stored by the failures, and a batch is all or nothing. */
    const char *keys[] = {"stash.page_size", "stash.timeout_s"};
    const char *vals[] = {"250", "0"};
    assert_int_not_equal(sh_settings_set_many(f->db, &f->svc, keys, vals, 2, NULL), SH_OK);
    int64_t n = -1;
    assert_int_equal(sh_db_query_int64(f->db, "SELECT count(*) FROM settings", &n, NULL), SH_OK);
    assert_int_equal(n, 0);
}

static void test_defaults_and_canonical(void **state)
{
    fixture *f = *state;
    sh_setting_source src;
    char *v = get(f, "stash.page_size", &src);
    assert_string_equal(v, "500");
    assert_int_equal(src, SH_SETTING_FROM_DEFAULT);
    free(v);
    assert_null(get(f, "stash.url", &src));
    assert_int_equal(src, SH_SETTING_UNSET);
    f->cfg.stash_url = (char *)"http://config-host:9999";
    v = get(f, "stash.url", &src);
    assert_string_equal(v, "http://config-host:9999");
    assert_int_equal(src, SH_SETTING_FROM_CONFIG);
    free(v);
    assert_int_equal(sh_settings_set(f->db, &f->svc, "stash.url", "http://stash.lan:9999/graphql/", NULL), SH_OK);
    assert_int_equal(sh_settings_set(f->db, &f->svc, "stash.verify_tls", "OFF", NULL), SH_OK);
    v = get(f, "stash.url", &src);
    assert_string_equal(v, "http://stash.lan:9999");
    assert_int_equal(src, SH_SETTING_FROM_DB);
    free(v);
    v = get(f, "stash.verify_tls", NULL);
    assert_string_equal(v, "false");
    free(v);
    /* Empty value: back to the default. */
    assert_int_equal(sh_settings_set(f->db, &f->svc, "stash.verify_tls", "", NULL), SH_OK);
    v = get(f, "stash.verify_tls", &src);
    assert_string_equal(v, "true");
    assert_int_equal(src, SH_SETTING_FROM_DEFAULT);
    free(v);
    f->cfg.stash_url = NULL;
}

static bool file_contains(const char *path, const char *needle)
{
    char *data = NULL;
    size_t len = 0;
    if (sh_read_file(path, 64 << 20, &data, &len, NULL) != SH_OK)
        return false;
    bool found = memmem(data, len, needle, strlen(needle)) != NULL;
    free(data);
    return found;
}

static void test_secret_sealed_at_rest(void **state)
{
    fixture *f = *state;
    assert_int_equal(sh_settings_set(f->db, &f->svc, "stash.api_key", KEY, NULL), SH_OK);
    struct stat sb;
    assert_int_equal(stat(f->key_path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    int64_t n = -1;
    assert_int_equal(sh_db_query_int64(f->db,
                                       "SELECT count(*) FROM settings WHERE key = 'stash.api_key' "
                                       "AND value IS NULL AND length(sealed) > 40",
                                       &n, NULL),
                     SH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sh_db_exec(f->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL), SH_OK);
    assert_false(file_contains(f->db_path, KEY));
    assert_false(file_contains(f->db_path, "4f9a8b7c"));
    char *v = get(f, "stash.api_key", NULL);
    assert_string_equal(v, KEY);
    sh_secrets_free_plain(v);
    char masked[64];
    assert_string_equal(sh_settings_mask(KEY, masked, sizeof masked), "••••••2b1c");
    assert_string_equal(sh_settings_mask("short", masked, sizeof masked), "••••••");

    /* Another key file cannot open it: a clear error, not garbage. */
    sh_secrets *other = NULL;
    char other_path[700];
    snprintf(other_path, sizeof other_path, "%s/other.key", f->dir);
    assert_int_equal(sh_secrets_create(other_path, &other, NULL), SH_OK);
    sh_secrets *mine = f->svc.secrets;
    f->svc.secrets = other;
    sh_error err = {0};
    v = NULL;
    assert_int_equal(sh_settings_get(f->db, &f->svc, "stash.api_key", &v, NULL, &err), SH_ERR_PERMISSION);
    assert_null(v);
    f->svc.secrets = mine;
    sh_secrets_destroy(other);
}

static void test_env_file_wins(void **state)
{
    fixture *f = *state;
    char path[700];
    snprintf(path, sizeof path, "%s/docker-secret", f->dir);
    const char body[] = "from-file-key-0123456789\n";
    assert_int_equal(sh_write_file_atomic(path, body, sizeof body - 1, 0600, NULL), SH_OK);
    assert_int_equal(sh_settings_set(f->db, &f->svc, "stash.api_key", KEY, NULL), SH_OK);
    setenv("STASHHOG_STASH_API_KEY_FILE", path, 1);
    sh_setting_source src;
    char *v = get(f, "stash.api_key", &src);
    assert_string_equal(v, "from-file-key-0123456789");
    assert_int_equal(src, SH_SETTING_FROM_FILE);
    sh_secrets_free_plain(v);
    sh_error err = {0};
    assert_int_equal(sh_settings_set(f->db, &f->svc, "stash.api_key", "x", &err), SH_ERR_CONFLICT);
    assert_non_null(strstr(err.message, "STASHHOG_STASH_API_KEY_FILE"));
    unsetenv("STASHHOG_STASH_API_KEY_FILE");
}

static void test_stash_config(void **state)
{
    fixture *f = *state;
    sh_settings_stash ss;
    sh_error err = {0};
    assert_int_equal(sh_settings_stash_config(f->db, &f->svc, &ss, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "stash.url"));
    const char *keys[] = {"stash.url", "stash.api_key", "stash.timeout_s", "stash.page_size", "stash.verify_tls"};
    const char *vals[] = {"https://stash.example:9999", KEY, "30", "800", "no"};
    assert_int_equal(sh_settings_set_many(f->db, &f->svc, keys, vals, 5, NULL), SH_OK);
    assert_int_equal(sh_settings_stash_config(f->db, &f->svc, &ss, NULL), SH_OK);
    assert_string_equal(ss.cfg.url, "https://stash.example:9999");
    assert_string_equal(ss.cfg.api_key, KEY);
    assert_int_equal(ss.cfg.timeout_ms, 30000);
    assert_int_equal(ss.page_size, 800);
    assert_false(ss.cfg.verify_tls);
    assert_null(ss.cfg.ca_file);
    sh_settings_stash_fini(&ss);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults_and_canonical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_sealed_at_rest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_file_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stash_config, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
