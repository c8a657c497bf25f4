/* The --where expression parser: precedence (not > and > or), grouping and
 * flattening of chains, every operator form, quoting and escapes, values
 * typed by field, and errors that point at the right column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sh-filter-expr.h"

/* A compact rendering of a tree to compare against: all(...), any(...),
 * not(...), field:op:value. */
static void render(const Stashhog__FilterNode *n, char *buf, size_t len, size_t *w)
{
#define OUT(...) (*w += (size_t)snprintf(buf + *w, *w < len ? len - *w : 0, __VA_ARGS__))
    switch (n->node_case) {
    case STASHHOG__FILTER_NODE__NODE_ALL:
    case STASHHOG__FILTER_NODE__NODE_ANY: {
        const Stashhog__FilterGroup *g = n->node_case == STASHHOG__FILTER_NODE__NODE_ALL ? n->all : n->any;
        OUT("%s(", n->node_case == STASHHOG__FILTER_NODE__NODE_ALL ? "all" : "any");
        for (size_t i = 0; i < g->n_nodes; i++) {
            if (i)
                OUT(" ");
            render(g->nodes[i], buf, len, w);
        }
        OUT(")");
        break;
    }
    case STASHHOG__FILTER_NODE__NODE_NOT:
        OUT("not(");
        render(n->not_, buf, len, w);
        OUT(")");
        break;
    case STASHHOG__FILTER_NODE__NODE_COND: {
        const Stashhog__Condition *c = n->cond;
        OUT("%d:%d", (int)c->field, (int)c->op);
        switch (c->value_case) {
        case STASHHOG__CONDITION__VALUE_TEXT: OUT(":'%s'", c->text); break;
        case STASHHOG__CONDITION__VALUE_INT: OUT(":%lld", (long long)c->int_); break;
        case STASHHOG__CONDITION__VALUE_REAL: OUT(":%g", c->real); break;
        case STASHHOG__CONDITION__VALUE_FLAG: OUT(":%s", c->flag ? "true" : "false"); break;
        case STASHHOG__CONDITION__VALUE_IDS:
            OUT(":[");
            for (size_t i = 0; i < c->ids->n_ids; i++)
                OUT("%s%lld", i ? "," : "", (long long)c->ids->ids[i]);
            OUT("]");
            break;
        default: break;
        }
        break;
    }
    default: OUT("?"); break;
    }
#undef OUT
}

static void parses(const char *text, const char *want)
{
    sh_arena *a = sh_arena_create();
    sh_filter_expr_error e;
    Stashhog__FilterNode *n = sh_filter_expr_parse(text, a, &e);
    if (!n)
        fail_msg("'%s': column %d: %s", text, e.column, e.message);
    char buf[1024];
    size_t w = 0;
    render(n, buf, sizeof buf, &w);
    if (strcmp(buf, want) != 0)
        fail_msg("'%s': got %s, want %s", text, buf, want);
    sh_arena_destroy(a);
}

static void fails(const char *text, int column, const char *needle)
{
    sh_arena *a = sh_arena_create();
    sh_filter_expr_error e;
    Stashhog__FilterNode *n = sh_filter_expr_parse(text, a, &e);
    if (n)
        fail_msg("'%s' parsed", text);
    if (e.column != column || !strstr(e.message, needle))
        fail_msg("'%s': column %d '%s', want column %d '%s'", text, e.column, e.message, column, needle);
    sh_arena_destroy(a);
}

/* Field and op numbers as rendered: studio 6, tag 8, performer 7, date 4, title 1; eq 0, ne 1, ge 5. */
static void test_precedence(void **state)
{
    (void)state;
    parses("studio = 12 and (tag = 3 or not performer = 7) and date >= 2023-01-01 and title ~ \"beach\"",
           "all(6:0:12 any(8:0:3 not(7:0:7)) 4:5:'2023-01-01' 1:6:'beach')");
    parses("tag = 1 or tag = 2 and tag = 3", "any(8:0:1 all(8:0:2 8:0:3))");
    parses("tag = 1 and tag = 2 or tag = 3", "any(all(8:0:1 8:0:2) 8:0:3)");
    parses("not tag = 1 and tag = 2", "all(not(8:0:1) 8:0:2)");
    parses("not (tag = 1 and tag = 2)", "not(all(8:0:1 8:0:2))");
    parses("not not tag = 1", "not(not(8:0:1))");
    parses("((tag = 1))", "8:0:1");
    parses("tag=1||tag=2&&!tag=3", "any(8:0:1 all(8:0:2 not(8:0:3)))");
    parses("id = 1 or id = 2 or id = 3 or id = 4", "any(0:0:1 0:0:2 0:0:3 0:0:4)");
    parses("TAG = 1 AND Organized = yes", "all(8:0:1 9:0:true)");
}

static void test_operators_and_values(void **state)
{
    (void)state;
    parses("title != 'x'", "1:1:'x'");
    parses("title <> x", "1:1:'x'");
    parses("id < 5 and id <= 6 and id > 7 and id >= 8 and id == 9",
           "all(0:2:5 0:3:6 0:4:7 0:5:8 0:0:9)");
    parses("title contains sun", "1:6:'sun'");
    parses("path ^= /lib/a", "5:7:'/lib/a'");
    parses("path starts_with '/lib/a b'", "5:7:'/lib/a b'");
    parses("performer matches \"anna emile\"", "7:10:'anna emile'");
    parses("text matches coffee", "17:10:'coffee'");
    parses("tag in (1, 2,3)", "8:9:[1,2,3]");
    parses("studio is null", "6:8");
    parses("date is missing", "4:8");
    parses("details is not empty", "not(2:8)");
    parses("duration > 90.5", "12:4:90.5");
    parses("duration > 90", "12:4:90");
    parses("height >= 1080 and size > 1000000000", "all(13:5:1080 14:4:1000000000)");
    parses("resolution = 720", "13:0:720");
    parses("performer_count >= 2 and tag_count = 0", "all(15:5:2 16:0:0)");
    parses("organized = false", "9:0:false");
    parses("updated_at >= 2024-01-05T10:00:00+01:00", "10:5:'2024-01-05T10:00:00+01:00'");
    parses("created_at < 2023", "11:2:'2023'");
}

static void test_quoting(void **state)
{
    (void)state;
    parses("title = \"say \\\"hi\\\"\"", "1:0:'say \"hi\"'");
    parses("title = 'it\\'s'", "1:0:'it's'");
    parses("title = \"a and b or not c\"", "1:0:'a and b or not c'");
    parses("title = \"(x) = 'y'\"", "1:0:'(x) = 'y''");
    parses("title = \"x' OR 1=1 --\"", "1:0:'x' OR 1=1 --'");
    parses("title = \"back\\\\slash\"", "1:0:'back\\slash'");
    parses("title = \"\"", "1:0:''");
}

static void test_errors(void **state)
{
    (void)state;
    fails("", 1, "found the end");
    fails("studio = 12 and", 16, "found the end");
    fails("studio = 12 and (tag = 3", 25, "expected ')'");
    fails("studio = 12 tag = 3", 13, "missing 'and'");
    fails("studo = 12", 1, "unknown field 'studo'");
    fails("studio 12", 8, "expected an operator");
    fails("studio = beta", 10, "integer id");
    fails("studio ~ x", 8, "does not take '~'");
    fails("date = 2023-1-1", 8, "YYYY");
    fails("organized = maybe", 13, "true or false");
    fails("duration > long", 12, "number");
    fails("title = \"open", 9, "unterminated");
    fails("tag in 1,2", 8, "expected '('");
    fails("tag in (1, x)", 12, "integer ids");
    fails("tag in (1 2)", 11, "expected ',' or ')'");
    fails("title is nothing", 10, "null, missing or empty");
    fails("title = x )", 11, "unexpected ')'");
    fails("title = x & y", 11, "unexpected character");
    fails("text = x", 6, "does not take '='");
    fails("(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((tag = 1", 65, "nested more than");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_operators_and_values),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
