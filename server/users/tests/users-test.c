/* users: create/list/authenticate, name and role checks, rotation kills the
 * old token, delete, set-role, last-seen throttling, and that no token ever
 * reaches the database files in plaintext. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "db/db.h"
#include "sh-util.h"
#include "users/users.h"

struct fixture {
    char dir[512];
    char path[600];
    sh_db_env *env;
    sh_db *db;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    const char *base = getenv("STASHHOG_TEST_SCRATCH");
    if (!base)
        base = "/tmp";
    assert_int_equal(sh_mkdir_p(base, 0700, NULL), SH_OK);
    snprintf(f->dir, sizeof f->dir, "%s/users-XXXXXX", base);
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/test.db", f->dir);
    sh_error err = {0};
    assert_int_equal(sh_db_env_create(f->path, &f->env, &err), SH_OK);
    assert_int_equal(sh_db_open(f->env, false, &f->db, &err), SH_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sh_db_close(f->db);
    sh_db_env_destroy(f->env);
    char p[700];
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_roles(void **state)
{
    (void)state;
    sh_role r = SH_ROLE_UNSET;
    assert_true(sh_role_parse("viewer", &r));
    assert_int_equal(r, SH_ROLE_VIEWER);
    assert_true(sh_role_parse("Reviewer", &r));
    assert_int_equal(r, SH_ROLE_REVIEWER);
    assert_true(sh_role_parse("ADMIN", &r));
    assert_int_equal(r, SH_ROLE_ADMIN);
    assert_false(sh_role_parse("root", &r));
    assert_false(sh_role_parse("none", &r));
    assert_false(sh_role_parse(NULL, &r));
    assert_string_equal(sh_role_name(SH_ROLE_REVIEWER), "reviewer");
    assert_string_equal(sh_role_name((sh_role)42), "none");
    assert_true(SH_ROLE_VIEWER < SH_ROLE_REVIEWER && SH_ROLE_REVIEWER < SH_ROLE_ADMIN);
}

static void test_create_and_authenticate(void **state)
{
    struct fixture *f = *state;
    sh_error err = {0};
    char tok_a[SH_TOKEN_LEN + 1], tok_b[SH_TOKEN_LEN + 1];
    sh_user u;
    assert_int_equal(sh_users_create(f->db, "alice", SH_ROLE_REVIEWER, tok_a, &u, &err), SH_OK);
    assert_string_equal(u.name, "alice");
    assert_int_equal(u.role, SH_ROLE_REVIEWER);
    assert_true(u.created_at_ms > 0);
    assert_int_equal(strlen(tok_a), SH_TOKEN_LEN);
    assert_int_equal(strspn(tok_a, "0123456789abcdef"), SH_TOKEN_LEN);
    assert_int_equal(sh_users_create(f->db, "bob.v", SH_ROLE_VIEWER, tok_b, &u, &err), SH_OK);
    assert_string_not_equal(tok_a, tok_b);

    sh_user found;
    assert_int_equal(sh_users_authenticate(f->db, tok_a, &found, &err), SH_OK);
    assert_string_equal(found.name, "alice");
    assert_int_equal(found.role, SH_ROLE_REVIEWER);
    assert_int_equal(sh_users_authenticate(f->db, tok_b, &found, &err), SH_OK);
    assert_string_equal(found.name, "bob.v");
    assert_int_equal(found.role, SH_ROLE_VIEWER);

    /* Near misses and empties fail. */
    char wrong[SH_TOKEN_LEN + 1];
    memcpy(wrong, tok_a, sizeof wrong);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    assert_int_equal(sh_users_authenticate(f->db, wrong, &found, &err), SH_ERR_NOT_FOUND);
    wrong[SH_TOKEN_LEN - 1] = '\0';
    memcpy(wrong, tok_a, SH_TOKEN_LEN - 1);
    assert_int_equal(sh_users_authenticate(f->db, wrong, &found, &err), SH_ERR_NOT_FOUND);
    assert_int_equal(sh_users_authenticate(f->db, "", &found, &err), SH_ERR_NOT_FOUND);
    assert_int_equal(sh_users_authenticate(f->db, NULL, &found, &err), SH_ERR_NOT_FOUND);

    sh_user *list = NULL;
    size_t n = 0;
    assert_int_equal(sh_users_list(f->db, &list, &n, &err), SH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].name, "alice");
    assert_string_equal(list[1].name, "bob.v");
    free(list);
}

static void test_bad_names_and_roles(void **state)
{
    struct fixture *f = *state;
    sh_error err = {0};
    char tok[SH_TOKEN_LEN + 1];
    sh_user u;
    static const char *const bad[] = {"", "owner", "Owner", "-dash", ".dot", "a b", "semi;colon", "é",
                                      "x123456789012345678901234567890123"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sh_users_create(f->db, bad[i], SH_ROLE_VIEWER, tok, &u, &err), SH_ERR_INVALID);
    }
    assert_int_equal(sh_users_create(f->db, NULL, SH_ROLE_VIEWER, tok, &u, &err), SH_ERR_INVALID);
    assert_int_equal(sh_users_create(f->db, "carol", SH_ROLE_UNSET, tok, &u, &err), SH_ERR_INVALID);
    assert_int_equal(sh_users_create(f->db, "carol", (sh_role)7, tok, &u, &err), SH_ERR_INVALID);
    assert_int_equal(sh_users_create(f->db, "carol", SH_ROLE_ADMIN, tok, &u, &err), SH_OK);
    /* Unique ignoring case. */
    assert_int_equal(sh_users_create(f->db, "Carol", SH_ROLE_VIEWER, tok, &u, &err), SH_ERR_CONFLICT);
    assert_non_null(strstr(err.message, "already exists"));
    assert_int_equal(sh_users_create(f->db, "carol", SH_ROLE_VIEWER, tok, &u, &err), SH_ERR_CONFLICT);
    sh_user *list = NULL;
    size_t n = 0;
    assert_int_equal(sh_users_list(f->db, &list, &n, &err), SH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].role, SH_ROLE_ADMIN);
    free(list);
}

static void test_rotate_delete_set_role(void **state)
{
    struct fixture *f = *state;
    sh_error err = {0};
    char old_tok[SH_TOKEN_LEN + 1], new_tok[SH_TOKEN_LEN + 1];
    sh_user u, found;
    assert_int_equal(sh_users_create(f->db, "dave", SH_ROLE_VIEWER, old_tok, &u, &err), SH_OK);
    assert_int_equal(sh_users_rotate(f->db, "dave", new_tok, &u, &err), SH_OK);
    assert_string_not_equal(old_tok, new_tok);
    assert_int_equal(sh_users_authenticate(f->db, old_tok, &found, &err), SH_ERR_NOT_FOUND);
    assert_int_equal(sh_users_authenticate(f->db, new_tok, &found, &err), SH_OK);
    assert_string_equal(found.name, "dave");
    char scratch[SH_TOKEN_LEN + 1];
    assert_int_equal(sh_users_rotate(f->db, "nobody", scratch, &u, &err), SH_ERR_NOT_FOUND);
    assert_int_equal(scratch[0], '\0'); /* a failed call leaves no token behind */

    assert_int_equal(sh_users_set_role(f->db, "dave", SH_ROLE_ADMIN, &u, &err), SH_OK);
    assert_int_equal(u.role, SH_ROLE_ADMIN);
    assert_int_equal(sh_users_authenticate(f->db, new_tok, &found, &err), SH_OK);
    assert_int_equal(found.role, SH_ROLE_ADMIN);
    assert_int_equal(sh_users_set_role(f->db, "dave", SH_ROLE_UNSET, &u, &err), SH_ERR_INVALID);
    assert_int_equal(sh_users_set_role(f->db, "nobody", SH_ROLE_VIEWER, &u, &err), SH_ERR_NOT_FOUND);

    assert_int_equal(sh_users_delete(f->db, "dave", &err), SH_OK);
    assert_int_equal(sh_users_authenticate(f->db, new_tok, &found, &err), SH_ERR_NOT_FOUND);
    assert_int_equal(sh_users_delete(f->db, "dave", &err), SH_ERR_NOT_FOUND);
    assert_int_equal(sh_users_get(f->db, "dave", &found, &err), SH_ERR_NOT_FOUND);
}

static void test_touch_throttled(void **state)
{
    struct fixture *f = *state;
    sh_error err = {0};
    char tok[SH_TOKEN_LEN + 1];
    sh_user u, got;
    assert_int_equal(sh_users_create(f->db, "erin", SH_ROLE_VIEWER, tok, &u, &err), SH_OK);
    assert_int_equal(u.last_seen_at_ms, 0);
    assert_int_equal(sh_users_touch(f->db, &u, 1000000, &err), SH_OK);
    assert_int_equal(sh_users_get(f->db, "erin", &got, &err), SH_OK);
    assert_int_equal(got.last_seen_at_ms, 1000000);
    /* Within a minute: no write. */
    assert_int_equal(sh_users_touch(f->db, &got, 1000000 + 59000, &err), SH_OK);
    assert_int_equal(sh_users_get(f->db, "erin", &got, &err), SH_OK);
    assert_int_equal(got.last_seen_at_ms, 1000000);
    assert_int_equal(sh_users_touch(f->db, &got, 1000000 + 61000, &err), SH_OK);
    assert_int_equal(sh_users_get(f->db, "erin", &got, &err), SH_OK);
    assert_int_equal(got.last_seen_at_ms, 1061000);
}

/* Does the file contain these bytes anywhere? */
static bool file_contains(const char *path, const void *needle, size_t len)
{
    char *data = NULL;
    size_t n = 0;
    if (sh_read_file(path, 256u << 20, &data, &n, NULL) != SH_OK)
        return false;
    bool found = memmem(data, n, needle, len) != NULL;
    free(data);
    return found;
}

static void test_no_plaintext_tokens(void **state)
{
    struct fixture *f = *state;
    sh_error err = {0};
    enum { N = 4 };
    char toks[N + 1][SH_TOKEN_LEN + 1];
    sh_user u;
    static const char *const names[N] = {"fay", "gus", "hal", "ivy"};
    for (int i = 0; i < N; i++)
        assert_int_equal(sh_users_create(f->db, names[i], SH_ROLE_VIEWER, toks[i], &u, &err), SH_OK);
    assert_int_equal(sh_users_rotate(f->db, "fay", toks[N], &u, &err), SH_OK);

    /* Both the WAL and, after a checkpoint, the main file. */
    char wal[700];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i <= N; i++) {
            unsigned char raw[SH_TOKEN_LEN / 2];
            assert_int_equal(sodium_hex2bin(raw, sizeof raw, toks[i], SH_TOKEN_LEN, NULL, NULL, NULL), 0);
            for (int k = 0; k < 2; k++) {
                const char *p = k ? wal : f->path;
                assert_false(file_contains(p, toks[i], SH_TOKEN_LEN));
                assert_false(file_contains(p, raw, sizeof raw));
            }
            /* ...while its hash is what is kept. */
            unsigned char hash[crypto_generichash_BYTES];
            crypto_generichash(hash, sizeof hash, (const unsigned char *)toks[i], SH_TOKEN_LEN, NULL, 0);
            if (pass == 1 && i != 0) /* fay's first token was replaced (its page may linger in the WAL) */
                assert_true(file_contains(f->path, hash, sizeof hash));
        }
        assert_int_equal(sh_db_exec(f->db, "PRAGMA wal_checkpoint(TRUNCATE)", &err), SH_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test_setup_teardown(test_create_and_authenticate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_names_and_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotate_delete_set_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_touch_throttled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_plaintext_tokens, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
