#include "sh-filter-expr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Bounds that keep a runaway expression from exhausting the stack; the
 * daemon has its own caps. */
#define MAX_NESTING 64
#define MAX_LIST 10000

typedef enum tok_kind { T_END, T_WORD, T_STRING, T_LPAREN, T_RPAREN, T_COMMA, T_OP } tok_kind;

typedef struct tok {
    tok_kind kind;
    const char *start; /* in the source text */
    size_t len;
    int column;
    char *text; /* T_WORD, T_STRING: unescaped, from the arena */
} tok;

typedef struct parser {
    const char *src;
    const char *p;
    sh_arena *a;
    sh_filter_expr_error *e;
    tok cur;
    int depth;
    bool failed;
} parser;

static void fail(parser *ps, int column, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(parser *ps, int column, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = true;
    ps->e->column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->e->message, sizeof ps->e->message, fmt, ap);
    va_end(ap);
}

static bool is_bare(char c)
{
    return c && !strchr(" \t\r\n()!=<>~^,\"'&|", c);
}

static void next(parser *ps)
{
    const char *p = ps->p;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    tok t = {.start = p, .column = (int)(p - ps->src) + 1};
    if (!*p) {
        t.kind = T_END;
    } else if (*p == '(' || *p == ')' || *p == ',') {
        t.kind = *p == '(' ? T_LPAREN : *p == ')' ? T_RPAREN : T_COMMA;
        t.len = 1;
    } else if (*p == '"' || *p == '\'') {
        char q = *p;
        size_t n = 0;
        char *out = sh_arena_alloc(ps->a, strlen(p) + 1);
        const char *s = p + 1;
        while (out && *s && *s != q) {
            if (*s == '\\' && s[1])
                s++;
            out[n++] = *s++;
        }
        if (!out) {
            fail(ps, t.column, "out of memory");
        } else if (*s != q) {
            fail(ps, t.column, "unterminated string");
        }
        t.kind = T_STRING;
        t.text = out;
        t.len = (size_t)(s - p) + (*s ? 1 : 0);
    } else if (is_bare(*p)) {
        while (is_bare(p[t.len]))
            t.len++;
        t.kind = T_WORD;
        t.text = sh_arena_strndup(ps->a, p, t.len);
    } else {
        /* Operators: the longest of the two-character forms first. */
        static const char *const ops[] = {"<=", ">=", "!=", "<>", "==", "^=", "&&", "||",
                                          "=",  "<",  ">",  "~",  "!"};
        t.kind = T_OP;
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            size_t n = strlen(ops[i]);
            if (strncmp(p, ops[i], n) == 0) {
                t.len = n;
                break;
            }
        }
        if (!t.len) {
            fail(ps, t.column, "unexpected character '%c'", *p);
            t.kind = T_END;
        }
    }
    ps->p = t.start + t.len;
    ps->cur = t;
}

/* The current token is this operator or (case-insensitive) keyword. */
static bool is(const parser *ps, const char *s)
{
    const tok *t = &ps->cur;
    if (t->kind != T_OP && t->kind != T_WORD)
        return false;
    return t->len == strlen(s) && strncasecmp(t->start, s, t->len) == 0;
}

/* ------------------------------------------------------------ fields */

typedef enum vtype { V_INT, V_REAL, V_TEXT, V_DATE, V_STAMP, V_BOOL, V_NONE } vtype;

#define OPB(o) (1u << STASHHOG__FILTER_OP__OP_##o)
#define CMP (OPB(EQ) | OPB(NE) | OPB(LT) | OPB(LE) | OPB(GT) | OPB(GE))
#define TXT (OPB(EQ) | OPB(NE) | OPB(CONTAINS) | OPB(STARTS_WITH) | OPB(IS_NULL) | OPB(MATCHES))
#define REF (OPB(EQ) | OPB(NE) | OPB(IN) | OPB(IS_NULL) | OPB(MATCHES))

static const struct field {
    const char *name;
    Stashhog__FilterField field;
    vtype type;
    unsigned ops; /* as the daemon's table (server/db/filter-tree.c) */
} fields[] = {
    {"id", STASHHOG__FILTER_FIELD__FIELD_ID, V_INT, CMP | OPB(IN)},
    {"title", STASHHOG__FILTER_FIELD__FIELD_TITLE, V_TEXT, TXT},
    {"details", STASHHOG__FILTER_FIELD__FIELD_DETAILS, V_TEXT, TXT},
    {"code", STASHHOG__FILTER_FIELD__FIELD_CODE, V_TEXT, TXT},
    {"date", STASHHOG__FILTER_FIELD__FIELD_DATE, V_DATE, CMP | OPB(IS_NULL)},
    {"path", STASHHOG__FILTER_FIELD__FIELD_PATH, V_TEXT, TXT},
    {"studio", STASHHOG__FILTER_FIELD__FIELD_STUDIO, V_INT, REF},
    {"performer", STASHHOG__FILTER_FIELD__FIELD_PERFORMER, V_INT, REF},
    {"tag", STASHHOG__FILTER_FIELD__FIELD_TAG, V_INT, REF},
    {"organized", STASHHOG__FILTER_FIELD__FIELD_ORGANIZED, V_BOOL, OPB(EQ) | OPB(NE)},
    {"updated_at", STASHHOG__FILTER_FIELD__FIELD_UPDATED_AT, V_STAMP, CMP | OPB(IS_NULL)},
    {"created_at", STASHHOG__FILTER_FIELD__FIELD_CREATED_AT, V_STAMP, CMP | OPB(IS_NULL)},
    {"duration", STASHHOG__FILTER_FIELD__FIELD_DURATION, V_REAL, CMP | OPB(IS_NULL)},
    {"height", STASHHOG__FILTER_FIELD__FIELD_HEIGHT, V_INT, CMP | OPB(IS_NULL)},
    {"resolution", STASHHOG__FILTER_FIELD__FIELD_HEIGHT, V_INT, CMP | OPB(IS_NULL)},
    {"size", STASHHOG__FILTER_FIELD__FIELD_FILE_SIZE, V_INT, CMP | OPB(IS_NULL)},
    {"file_size", STASHHOG__FILTER_FIELD__FIELD_FILE_SIZE, V_INT, CMP | OPB(IS_NULL)},
    {"performer_count", STASHHOG__FILTER_FIELD__FIELD_PERFORMER_COUNT, V_INT, CMP},
    {"tag_count", STASHHOG__FILTER_FIELD__FIELD_TAG_COUNT, V_INT, CMP},
    {"text", STASHHOG__FILTER_FIELD__FIELD_TEXT, V_TEXT, OPB(MATCHES)},
};

static const struct field *find_field(const tok *t)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (t->len == strlen(fields[i].name) && strncasecmp(t->start, fields[i].name, t->len) == 0)
            return &fields[i];
    return NULL;
}

/* ------------------------------------------------------------ values */

static bool valid_date(const char *d)
{
    size_t n = strlen(d);
    if (n != 4 && n != 7 && n != 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
            return false;
    }
    return true;
}

static bool parse_int(const char *s, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return false;
    *out = v;
    return true;
}

/* Fill c's value from the current token for the field's type. */
static void value(parser *ps, const struct field *f, Stashhog__Condition *c, bool text_only)
{
    const tok *t = &ps->cur;
    if (t->kind != T_WORD && t->kind != T_STRING) {
        fail(ps, t->column, "expected a value for %s", f->name);
        return;
    }
    vtype type = text_only ? V_TEXT : f->type;
    int64_t i = 0;
    switch (type) {
    case V_INT:
        if (t->kind != T_WORD || !parse_int(t->text, &i)) {
            fail(ps, t->column, "%s takes an integer%s, not '%s'", f->name,
                 c->field == STASHHOG__FILTER_FIELD__FIELD_STUDIO ||
                         c->field == STASHHOG__FILTER_FIELD__FIELD_PERFORMER ||
                         c->field == STASHHOG__FILTER_FIELD__FIELD_TAG
                     ? " id (names: use 'matches')"
                     : "",
                 t->text);
            return;
        }
        c->value_case = STASHHOG__CONDITION__VALUE_INT;
        c->int_ = i;
        break;
    case V_REAL: {
        char *end = NULL;
        double d = strtod(t->text, &end);
        if (t->kind != T_WORD || end == t->text || *end) {
            fail(ps, t->column, "%s takes a number, not '%s'", f->name, t->text);
            return;
        }
        c->value_case = STASHHOG__CONDITION__VALUE_REAL;
        c->real = d;
        break;
    }
    case V_BOOL: {
        static const char *const yes[] = {"true", "yes", "1"}, *const no[] = {"false", "no", "0"};
        int b = -1;
        for (int k = 0; k < 3; k++) {
            if (strcasecmp(t->text, yes[k]) == 0)
                b = 1;
            else if (strcasecmp(t->text, no[k]) == 0)
                b = 0;
        }
        if (b < 0) {
            fail(ps, t->column, "%s takes true or false, not '%s'", f->name, t->text);
            return;
        }
        c->value_case = STASHHOG__CONDITION__VALUE_FLAG;
        c->flag = b;
        break;
    }
    case V_DATE:
        if (!valid_date(t->text)) {
            fail(ps, t->column, "%s takes YYYY, YYYY-MM or YYYY-MM-DD, not '%s'", f->name, t->text);
            return;
        }
        /* fall through */
    default:
        c->value_case = STASHHOG__CONDITION__VALUE_TEXT;
        c->text = t->text;
        break;
    }
    next(ps);
}

static void id_list(parser *ps, const struct field *f, Stashhog__Condition *c)
{
    if (ps->cur.kind != T_LPAREN) {
        fail(ps, ps->cur.column, "expected '(' and a list of ids after 'in'");
        return;
    }
    /* At most one id per remaining byte: a safe capacity. */
    size_t cap = strlen(ps->p) / 2 + 1;
    if (cap > MAX_LIST)
        cap = MAX_LIST;
    Stashhog__IdList *l = SH_ARENA_NEW(ps->a, Stashhog__IdList);
    int64_t *v = sh_arena_alloc(ps->a, cap * sizeof *v);
    if (!l || !v) {
        fail(ps, ps->cur.column, "out of memory");
        return;
    }
    stashhog__id_list__init(l);
    l->ids = v;
    do {
        next(ps);
        int64_t id = 0;
        if (ps->cur.kind != T_WORD || !parse_int(ps->cur.text, &id)) {
            fail(ps, ps->cur.column, "%s in (...) takes integer ids", f->name);
            return;
        }
        if (l->n_ids == cap) {
            fail(ps, ps->cur.column, "too many ids in the list");
            return;
        }
        v[l->n_ids++] = id;
        next(ps);
    } while (!ps->failed && ps->cur.kind == T_COMMA);
    if (ps->cur.kind != T_RPAREN) {
        fail(ps, ps->cur.column, "expected ',' or ')' in the id list");
        return;
    }
    next(ps);
    c->value_case = STASHHOG__CONDITION__VALUE_IDS;
    c->ids = l;
}

/* ------------------------------------------------------------ grammar */

static Stashhog__FilterNode *new_node(parser *ps)
{
    Stashhog__FilterNode *n = SH_ARENA_NEW(ps->a, Stashhog__FilterNode);
    if (n)
        stashhog__filter_node__init(n);
    else
        fail(ps, ps->cur.column, "out of memory");
    return n;
}

static Stashhog__FilterNode *negate(parser *ps, Stashhog__FilterNode *x)
{
    Stashhog__FilterNode *n = x ? new_node(ps) : NULL;
    if (!n)
        return NULL;
    n->node_case = STASHHOG__FILTER_NODE__NODE_NOT;
    n->not_ = x;
    return n;
}

static Stashhog__FilterNode *condition(parser *ps)
{
    const tok ft = ps->cur;
    if (ft.kind != T_WORD) {
        fail(ps, ft.column, ft.kind == T_END ? "expected a condition, found the end" : "expected a field name");
        return NULL;
    }
    const struct field *f = find_field(&ft);
    if (!f) {
        fail(ps, ft.column, "unknown field '%s' (fields: id title details code date path studio performer tag "
                            "organized updated_at created_at duration height size performer_count tag_count text)",
             ft.text);
        return NULL;
    }
    next(ps);
    Stashhog__FilterNode *n = new_node(ps);
    Stashhog__Condition *c = SH_ARENA_NEW(ps->a, Stashhog__Condition);
    if (!n || !c) {
        fail(ps, ft.column, "out of memory");
        return NULL;
    }
    stashhog__condition__init(c);
    c->field = f->field;
    n->node_case = STASHHOG__FILTER_NODE__NODE_COND;
    n->cond = c;
    const tok opt = ps->cur;
    bool wrap_not = false;
    if (is(ps, "=") || is(ps, "=="))
        c->op = STASHHOG__FILTER_OP__OP_EQ;
    else if (is(ps, "!=") || is(ps, "<>"))
        c->op = STASHHOG__FILTER_OP__OP_NE;
    else if (is(ps, "<"))
        c->op = STASHHOG__FILTER_OP__OP_LT;
    else if (is(ps, "<="))
        c->op = STASHHOG__FILTER_OP__OP_LE;
    else if (is(ps, ">"))
        c->op = STASHHOG__FILTER_OP__OP_GT;
    else if (is(ps, ">="))
        c->op = STASHHOG__FILTER_OP__OP_GE;
    else if (is(ps, "~") || is(ps, "contains"))
        c->op = STASHHOG__FILTER_OP__OP_CONTAINS;
    else if (is(ps, "^=") || is(ps, "starts_with"))
        c->op = STASHHOG__FILTER_OP__OP_STARTS_WITH;
    else if (is(ps, "matches"))
        c->op = STASHHOG__FILTER_OP__OP_MATCHES;
    else if (is(ps, "in"))
        c->op = STASHHOG__FILTER_OP__OP_IN;
    else if (is(ps, "is"))
        c->op = STASHHOG__FILTER_OP__OP_IS_NULL;
    else {
        fail(ps, opt.column, "expected an operator after '%s' (= != < <= > >= ~ ^= matches in is)", f->name);
        return NULL;
    }
    if (!(f->ops & (1u << c->op))) {
        fail(ps, opt.column, "%s does not take '%.*s'", f->name, (int)opt.len, opt.start);
        return NULL;
    }
    next(ps);
    if (c->op == STASHHOG__FILTER_OP__OP_IS_NULL) {
        if (is(ps, "not")) {
            wrap_not = true;
            next(ps);
        }
        if (!is(ps, "null") && !is(ps, "missing") && !is(ps, "empty")) {
            fail(ps, ps->cur.column, "expected null, missing or empty after 'is'");
            return NULL;
        }
        next(ps);
    } else if (c->op == STASHHOG__FILTER_OP__OP_IN) {
        id_list(ps, f, c);
    } else {
        value(ps, f, c, c->op == STASHHOG__FILTER_OP__OP_MATCHES);
    }
    if (ps->failed)
        return NULL;
    return wrap_not ? negate(ps, n) : n;
}

static Stashhog__FilterNode *expr(parser *ps);

static Stashhog__FilterNode *unary(parser *ps)
{
    if (++ps->depth > MAX_NESTING) {
        fail(ps, ps->cur.column, "nested more than %d levels", MAX_NESTING);
        return NULL;
    }
    Stashhog__FilterNode *n = NULL;
    if (is(ps, "not") || is(ps, "!")) {
        next(ps);
        n = negate(ps, unary(ps));
    } else if (ps->cur.kind == T_LPAREN) {
        int col = ps->cur.column;
        next(ps);
        n = expr(ps);
        if (!ps->failed && ps->cur.kind != T_RPAREN)
            fail(ps, ps->cur.column, "expected ')' to close the '(' at column %d", col);
        else
            next(ps);
    } else {
        n = condition(ps);
    }
    ps->depth--;
    return ps->failed ? NULL : n;
}

/* operand { OP operand }: one group for the whole chain. */
static Stashhog__FilterNode *chain(parser *ps, bool all)
{
    Stashhog__FilterNode *first = all ? unary(ps) : chain(ps, true);
    if (!first || !(all ? is(ps, "and") || is(ps, "&&") : is(ps, "or") || is(ps, "||")))
        return first;
    size_t cap = 8, n = 0;
    Stashhog__FilterNode **v = (Stashhog__FilterNode **)sh_arena_ptrs(ps->a, cap);
    if (v)
        v[n++] = first;
    while (v && !ps->failed && (all ? is(ps, "and") || is(ps, "&&") : is(ps, "or") || is(ps, "||"))) {
        next(ps);
        Stashhog__FilterNode *x = all ? unary(ps) : chain(ps, true);
        if (!x)
            return NULL;
        if (n == cap) { /* grow within the arena */
            Stashhog__FilterNode **w = (Stashhog__FilterNode **)sh_arena_ptrs(ps->a, cap * 2);
            for (size_t i = 0; w && i < n; i++)
                w[i] = v[i];
            v = w;
            cap *= 2;
        }
        if (v)
            v[n++] = x;
    }
    Stashhog__FilterGroup *g = SH_ARENA_NEW(ps->a, Stashhog__FilterGroup);
    Stashhog__FilterNode *node = new_node(ps);
    if (!v || !g || !node) {
        fail(ps, ps->cur.column, "out of memory");
        return NULL;
    }
    stashhog__filter_group__init(g);
    g->nodes = v;
    g->n_nodes = n;
    node->node_case = all ? STASHHOG__FILTER_NODE__NODE_ALL : STASHHOG__FILTER_NODE__NODE_ANY;
    if (all)
        node->all = g;
    else
        node->any = g;
    return ps->failed ? NULL : node;
}

static Stashhog__FilterNode *expr(parser *ps)
{
    return chain(ps, false);
}

Stashhog__FilterNode *sh_filter_expr_parse(const char *text, sh_arena *arena, sh_filter_expr_error *e)
{
    memset(e, 0, sizeof *e);
    parser ps = {.src = text, .p = text, .a = arena, .e = e};
    next(&ps);
    Stashhog__FilterNode *n = ps.failed ? NULL : expr(&ps);
    if (!ps.failed && ps.cur.kind != T_END)
        fail(&ps, ps.cur.column, "unexpected '%.*s' (missing 'and' / 'or'?)", (int)ps.cur.len, ps.cur.start);
    return ps.failed ? NULL : n;
}
