/* stash-documents-test.c - embedding of .graphql files and fragment composition. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "stash/stash-client-private.h"

/* Generated from tests/gql-fixture by the same script as the real table. */
extern const sh_stash_gql_source fixture_gql_operations[];
extern const size_t fixture_gql_operations_count;
extern const sh_stash_gql_source fixture_gql_fragments[];
extern const size_t fixture_gql_fragments_count;

/* Byte for byte what tests/gql-fixture holds: CRLF, tab, quotes, backslash,
 * a trigraph sequence, and a fragment file without a final newline. */
static const char TRICKY_TEXT[] =
    "query Tricky($q: String = \"a \\\"quoted\\\" \\\\ path?\?=\") {\r\n"
    "\t# comment ...NotAFragment \"odd quote\n"
    "  findTags(filter: {q: $q}) { tags { ...Frag } }\n"
    "  s: findScenes(filter: {q: \"\"\"block ...NotAFragment \"\" \\\"\"\" end\"\"\"}) { count }\n"
    "  ... on Query { stats { tag_count } }\n"
    "}\n";
static const char FRAG_TEXT[] = "fragment Frag on Tag {\n  id # ...NotAFragment\n  name\n}";

static size_t count_occurrences(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static const char *doc_of(sh_stash_catalog *cat, const char *op)
{
    const char *doc = sh_stash_catalog_document(cat, op);
    assert_non_null(doc);
    return doc;
}

static void test_fixture_embedded_exactly(void **state)
{
    (void)state;
    assert_int_equal(fixture_gql_operations_count, 1);
    assert_int_equal(fixture_gql_fragments_count, 2);
    assert_string_equal(fixture_gql_operations[0].name, "Tricky");
    assert_string_equal(fixture_gql_operations[0].text, TRICKY_TEXT);
    assert_string_equal(fixture_gql_fragments[0].name, "Frag"); /* sorted by name */
    assert_string_equal(fixture_gql_fragments[0].text, FRAG_TEXT);
    assert_string_equal(fixture_gql_fragments[1].name, "NotAFragment");
    assert_null(fixture_gql_operations[1].name); /* terminator */
}

static void test_fixture_composition_skips_comments_strings_inline(void **state)
{
    (void)state;
    sh_stash_catalog *cat = NULL;
    sh_error err;
    assert_int_equal(sh_stash_catalog_create(fixture_gql_operations, fixture_gql_operations_count,
                                             fixture_gql_fragments, fixture_gql_fragments_count,
                                             &cat, &err),
                     SH_OK);
    char expected[sizeof TRICKY_TEXT + sizeof FRAG_TEXT + 1];
    snprintf(expected, sizeof expected, "%s%s\n", TRICKY_TEXT, FRAG_TEXT);
    assert_string_equal(doc_of(cat, "Tricky"), expected);
    sh_stash_catalog_destroy(cat);
}

static void test_transitive_each_once(void **state)
{
    (void)state;
    static const sh_stash_gql_source ops[] = {
        {"Op", "query Op { a { ...F1 ...F2 } b { ...F1 } }"},
        {"Plain", "query Plain { version { version } }\n"},
    };
    static const sh_stash_gql_source frags[] = {
        {"F3", "fragment F3 on T { z }\n"},
        {"F1", "fragment F1 on T { x ...F3 }\n"},
        {"F2", "fragment F2 on T { y ...F3, ...F1 }\n"},
        {"F4", "fragment F4 on T { unused }\n"},
    };
    sh_stash_catalog *cat = NULL;
    sh_error err;
    assert_int_equal(sh_stash_catalog_create(ops, 2, frags, 4, &cat, &err), SH_OK);
    assert_int_equal(sh_stash_catalog_count(cat), 2);
    assert_string_equal(sh_stash_catalog_name(cat, 0), "Op");
    /* first-use order: F1, F2 (from the operation), then F3 (from F1) */
    assert_string_equal(doc_of(cat, "Op"), "query Op { a { ...F1 ...F2 } b { ...F1 } }\n"
                                           "fragment F1 on T { x ...F3 }\n"
                                           "fragment F2 on T { y ...F3, ...F1 }\n"
                                           "fragment F3 on T { z }\n");
    assert_string_equal(doc_of(cat, "Plain"), "query Plain { version { version } }\n");
    assert_null(sh_stash_catalog_document(cat, "F1"));
    assert_null(sh_stash_catalog_document(cat, "Nope"));
    sh_stash_catalog_destroy(cat);
}

static void test_spread_syntax_variants(void **state)
{
    (void)state;
    static const sh_stash_gql_source ops[] = {
        {"Op", "query Op($x: Boolean!) { a { ...\n  , A ... on T { ...B } ...@include(if: $x) { "
               "c } ... @skip(if: $x) { d } } }\n"},
    };
    static const sh_stash_gql_source frags[] = {
        {"A", "fragment A on T { a }\n"},
        {"B", "fragment B on T { b }\n"},
        {"on", "fragment on on T { never }\n"}, /* "on" is not a fragment name */
    };
    sh_stash_catalog *cat = NULL;
    sh_error err;
    assert_int_equal(sh_stash_catalog_create(ops, 1, frags, 3, &cat, &err), SH_OK);
    const char *doc = doc_of(cat, "Op");
    assert_int_equal(count_occurrences(doc, "fragment A on T"), 1);
    assert_int_equal(count_occurrences(doc, "fragment B on T"), 1);
    assert_null(strstr(doc, "never"));
    sh_stash_catalog_destroy(cat);
}

static void test_cycle_terminates(void **state)
{
    (void)state;
    static const sh_stash_gql_source ops[] = {{"Op", "query Op { ...X }\n"}};
    static const sh_stash_gql_source frags[] = {
        {"X", "fragment X on Query { ...Y }\n"},
        {"Y", "fragment Y on Query { ...X }\n"},
    };
    sh_stash_catalog *cat = NULL;
    sh_error err;
    assert_int_equal(sh_stash_catalog_create(ops, 1, frags, 2, &cat, &err), SH_OK);
    const char *doc = doc_of(cat, "Op");
    assert_int_equal(count_occurrences(doc, "fragment X"), 1);
    assert_int_equal(count_occurrences(doc, "fragment Y"), 1);
    sh_stash_catalog_destroy(cat);
}

static void test_unknown_fragment(void **state)
{
    (void)state;
    static const sh_stash_gql_source ops[] = {{"Op", "query Op { a { ...Known } }\n"}};
    static const sh_stash_gql_source frags[] = {{"Known", "fragment Known on T { ...Missing }\n"}};
    sh_stash_catalog *cat = NULL;
    sh_error err;
    assert_int_equal(sh_stash_catalog_create(ops, 1, frags, 1, &cat, &err), SH_ERR_INVALID);
    assert_null(cat);
    assert_non_null(strstr(err.message, "Missing"));
    assert_non_null(strstr(err.message, "Known")); /* where the spread is */
    assert_non_null(strstr(err.message, "Op"));
}

static void test_duplicate_names(void **state)
{
    (void)state;
    static const sh_stash_gql_source ops[] = {{"Op", "query Op { a }\n"}, {"Op", "query Op { b }\n"}};
    sh_stash_catalog *cat = NULL;
    sh_error err;
    assert_int_equal(sh_stash_catalog_create(ops, 2, NULL, 0, &cat, &err), SH_ERR_INVALID);
    assert_non_null(strstr(err.message, "duplicate"));
}

/* Reads a whole file into a new string, or NULL. */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *grown = realloc(buf, cap);
            assert_non_null(grown);
            buf = grown;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(fp);
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = '\0';
    return buf;
}

static size_t count_graphql_files(const char *dir)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l > 8 && strcmp(e->d_name + l - 8, ".graphql") == 0)
            n++;
    }
    closedir(d);
    return n;
}

static void check_table_matches_dir(const sh_stash_gql_source *table, size_t count, const char *sub)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", STASH_GQL_DIR, sub);
    assert_int_equal(count, count_graphql_files(dir));
    for (size_t i = 0; i < count; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s.graphql", dir, table[i].name);
        char *text = slurp(path);
        assert_non_null(text);
        assert_string_equal(table[i].text, text);
        free(text);
    }
}

static void test_embedded_matches_files(void **state)
{
    (void)state;
    check_table_matches_dir(sh_stash_embedded_operations, sh_stash_embedded_operations_count,
                            "operations");
    check_table_matches_dir(sh_stash_embedded_fragments, sh_stash_embedded_fragments_count,
                            "fragments");
}

static void test_embedded_operations_compose(void **state)
{
    (void)state;
    sh_stash_catalog *cat = NULL;
    sh_error err;
    assert_int_equal(sh_stash_catalog_create(sh_stash_embedded_operations,
                                             sh_stash_embedded_operations_count,
                                             sh_stash_embedded_fragments,
                                             sh_stash_embedded_fragments_count, &cat, &err),
                     SH_OK);
    /* operations other modules rely on */
    static const char *const required[] = {
        "Version", "SystemStatus", "Stats", "FindScenes", "FindSceneIds", "FindScene",
        "FindScenesByIds", "FindPerformers", "FindStudios", "FindTags", "FindPerformerByName",
        "FindStudioByName", "FindTagByName", "SceneUpdate", "ScenesUpdate", "PerformerCreate",
        "StudioCreate", "TagCreate",
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const char *doc = sh_stash_catalog_document(cat, required[i]);
        if (!doc)
            fail_msg("operation %s is not embedded", required[i]);
    }
    /* every fragment a document spreads is defined in it exactly once */
    for (size_t i = 0; i < sh_stash_catalog_count(cat); i++) {
        const char *doc = doc_of(cat, sh_stash_catalog_name(cat, i));
        for (size_t k = 0; k < sh_stash_embedded_fragments_count; k++) {
            char def[160];
            snprintf(def, sizeof def, "fragment %s on ", sh_stash_embedded_fragments[k].name);
            assert_true(count_occurrences(doc, def) <= 1);
        }
    }
    sh_stash_catalog_destroy(cat);
}

/* Runs gql-validate on one file; returns its exit status. */
static int run_validator(const char *tool, const char *file)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(tool, tool, file, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Each composed document, exactly as sent, against Stash's schema (this also
 * catches unused or missing fragments, which the server would reject). */
static void test_embedded_documents_validate(void **state)
{
    (void)state;
    const char *tool = STASHHOG_SHARED_DIR "/tools/gql-validate";
    if (access(tool, X_OK) != 0 || system("node --version >/dev/null 2>&1") != 0) {
        print_message("gql-validate or node not available; skipped\n");
        skip();
    }
    const char *scratch = getenv("STASHHOG_TEST_SCRATCH");
    char dir[1024];
    if (scratch && scratch[0]) {
        char cmd[1100];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", scratch);
        assert_int_equal(system(cmd), 0);
        snprintf(dir, sizeof dir, "%s/docs-XXXXXX", scratch);
    } else {
        snprintf(dir, sizeof dir, "%s/stash-docs-XXXXXX", P_tmpdir);
    }
    assert_non_null(mkdtemp(dir));

    sh_stash_catalog *cat = NULL;
    sh_error err;
    assert_int_equal(sh_stash_catalog_create(sh_stash_embedded_operations,
                                             sh_stash_embedded_operations_count,
                                             sh_stash_embedded_fragments,
                                             sh_stash_embedded_fragments_count, &cat, &err),
                     SH_OK);
    for (size_t i = 0; i < sh_stash_catalog_count(cat); i++) {
        const char *name = sh_stash_catalog_name(cat, i);
        char path[1200];
        snprintf(path, sizeof path, "%s/%s.graphql", dir, name);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs(doc_of(cat, name), fp);
        fclose(fp);
        if (run_validator(tool, path) != 0)
            fail_msg("composed document of %s does not validate", name);
        unlink(path);
    }
    rmdir(dir);
    sh_stash_catalog_destroy(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_embedded_exactly),
        cmocka_unit_test(test_fixture_composition_skips_comments_strings_inline),
        cmocka_unit_test(test_transitive_each_once),
        cmocka_unit_test(test_spread_syntax_variants),
        cmocka_unit_test(test_cycle_terminates),
        cmocka_unit_test(test_unknown_fragment),
        cmocka_unit_test(test_duplicate_names),
        cmocka_unit_test(test_embedded_matches_files),
        cmocka_unit_test(test_embedded_operations_compose),
        cmocka_unit_test(test_embedded_documents_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
