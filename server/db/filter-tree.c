#include "db/filter-tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/scene-query.h"
#include "sh-util.h"

/* ------------------------------------------------------------ field table */

typedef enum vtype { T_INT, T_REAL, T_TEXT, T_DATE, T_STAMP, T_BOOL } vtype;

#define OPB(o) (1u << STASHHOG__FILTER_OP__OP_##o)
#define CMP_OPS (OPB(EQ) | OPB(NE) | OPB(LT) | OPB(LE) | OPB(GT) | OPB(GE))
#define TEXT_OPS (OPB(EQ) | OPB(NE) | OPB(CONTAINS) | OPB(STARTS_WITH) | OPB(IS_NULL) | OPB(MATCHES))

/* How a field turns into SQL. */
typedef enum shape {
    S_SCALAR,    /* expr is a value on the scene row (or a scalar subquery) */
    S_PATH,      /* primary path or any file's path */
    S_PERFORMER, /* membership in scene_performers */
    S_TAG,       /* membership in scene_tags */
    S_TEXT,      /* full-text only */
} shape;

typedef struct field_info {
    const char *name;
    vtype type;
    shape shape;
    unsigned ops;
    const char *expr;   /* S_SCALAR */
    const char *fts;    /* FTS5 column for "matches", NULL: not allowed (or all columns for S_TEXT) */
} field_info;

/* The primary file is the first by position (as the scene store writes it). */
#define PRIMARY_FILE(col) "(SELECT pf." col " FROM scene_files pf WHERE pf.scene_id = s.id ORDER BY pf.position LIMIT 1)"

static const field_info fields[] = {
    [STASHHOG__FILTER_FIELD__FIELD_ID] = {"id", T_INT, S_SCALAR, CMP_OPS | OPB(IN), "s.id", NULL},
    [STASHHOG__FILTER_FIELD__FIELD_TITLE] = {"title", T_TEXT, S_SCALAR, TEXT_OPS, "s.title", "title"},
    [STASHHOG__FILTER_FIELD__FIELD_DETAILS] = {"details", T_TEXT, S_SCALAR, TEXT_OPS, "s.details", "details"},
    [STASHHOG__FILTER_FIELD__FIELD_CODE] = {"code", T_TEXT, S_SCALAR, TEXT_OPS, "s.code", "code"},
    [STASHHOG__FILTER_FIELD__FIELD_DATE] = {"date", T_DATE, S_SCALAR, CMP_OPS | OPB(IS_NULL), "s.date", NULL},
    [STASHHOG__FILTER_FIELD__FIELD_PATH] = {"path", T_TEXT, S_PATH, TEXT_OPS, NULL, "paths"},
    [STASHHOG__FILTER_FIELD__FIELD_STUDIO] = {"studio", T_INT, S_SCALAR,
                                              OPB(EQ) | OPB(NE) | OPB(IN) | OPB(IS_NULL) | OPB(MATCHES),
                                              "s.studio_id", "studio"},
    [STASHHOG__FILTER_FIELD__FIELD_PERFORMER] = {"performer", T_INT, S_PERFORMER,
                                                 OPB(EQ) | OPB(NE) | OPB(IN) | OPB(IS_NULL) | OPB(MATCHES), NULL,
                                                 "performers"},
    [STASHHOG__FILTER_FIELD__FIELD_TAG] = {"tag", T_INT, S_TAG,
                                           OPB(EQ) | OPB(NE) | OPB(IN) | OPB(IS_NULL) | OPB(MATCHES), NULL, "tags"},
    [STASHHOG__FILTER_FIELD__FIELD_ORGANIZED] = {"organized", T_BOOL, S_SCALAR, OPB(EQ) | OPB(NE), "s.organized",
                                                 NULL},
    [STASHHOG__FILTER_FIELD__FIELD_UPDATED_AT] = {"updated_at", T_STAMP, S_SCALAR, CMP_OPS | OPB(IS_NULL),
                                                  "s.stash_updated_at", NULL},
    [STASHHOG__FILTER_FIELD__FIELD_CREATED_AT] = {"created_at", T_STAMP, S_SCALAR, CMP_OPS | OPB(IS_NULL),
                                                  "s.stash_created_at", NULL},
    [STASHHOG__FILTER_FIELD__FIELD_DURATION] = {"duration", T_REAL, S_SCALAR, CMP_OPS | OPB(IS_NULL),
                                                PRIMARY_FILE("duration"), NULL},
    [STASHHOG__FILTER_FIELD__FIELD_HEIGHT] = {"height", T_INT, S_SCALAR, CMP_OPS | OPB(IS_NULL),
                                              PRIMARY_FILE("height"), NULL},
    [STASHHOG__FILTER_FIELD__FIELD_FILE_SIZE] = {"file_size", T_INT, S_SCALAR, CMP_OPS | OPB(IS_NULL),
                                                 PRIMARY_FILE("size"), NULL},
    [STASHHOG__FILTER_FIELD__FIELD_PERFORMER_COUNT] = {"performer_count", T_INT, S_SCALAR, CMP_OPS,
                                                       "(SELECT count(*) FROM scene_performers pc "
                                                       "WHERE pc.scene_id = s.id)",
                                                       NULL},
    [STASHHOG__FILTER_FIELD__FIELD_TAG_COUNT] = {"tag_count", T_INT, S_SCALAR, CMP_OPS,
                                                 "(SELECT count(*) FROM scene_tags tc WHERE tc.scene_id = s.id)", NULL},
    [STASHHOG__FILTER_FIELD__FIELD_TEXT] = {"text", T_TEXT, S_TEXT, OPB(MATCHES), NULL, NULL},
};

#define N_FIELDS (sizeof fields / sizeof fields[0])

static const char *const op_names[] = {
    [STASHHOG__FILTER_OP__OP_EQ] = "=",
    [STASHHOG__FILTER_OP__OP_NE] = "!=",
    [STASHHOG__FILTER_OP__OP_LT] = "<",
    [STASHHOG__FILTER_OP__OP_LE] = "<=",
    [STASHHOG__FILTER_OP__OP_GT] = ">",
    [STASHHOG__FILTER_OP__OP_GE] = ">=",
    [STASHHOG__FILTER_OP__OP_CONTAINS] = "contains",
    [STASHHOG__FILTER_OP__OP_STARTS_WITH] = "starts_with",
    [STASHHOG__FILTER_OP__OP_IS_NULL] = "is null",
    [STASHHOG__FILTER_OP__OP_IN] = "in",
    [STASHHOG__FILTER_OP__OP_MATCHES] = "matches",
};

#define N_OPS (sizeof op_names / sizeof op_names[0])

const char *sh_filter_field_name(Stashhog__FilterField field)
{
    return (unsigned)field < N_FIELDS ? fields[field].name : "?";
}

const char *sh_filter_op_name(Stashhog__FilterOp op)
{
    return (unsigned)op < N_OPS ? op_names[op] : "?";
}

/* ------------------------------------------------------------ validation */

/* YYYY, YYYY-MM or YYYY-MM-DD. */
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

/* A Stash timestamp or a prefix of one: a date, optionally "T" and a time,
 * then an offset ("2023-01-02T10:00:00+01:00"). */
static bool valid_stamp(const char *t)
{
    size_t n = strlen(t);
    if (n < 4 || n > 40)
        return false;
    char date[11] = "";
    size_t dl = n < 10 ? n : 10;
    memcpy(date, t, dl);
    if (!valid_date(date))
        return false;
    for (size_t i = dl; i < n; i++)
        if (!strchr("0123456789T:+-.Z ", t[i]))
            return false;
    return true;
}

typedef struct vstate {
    int nodes;
    sh_error *err;
} vstate;

static const char *value_kind(const Stashhog__Condition *c)
{
    switch (c->value_case) {
    case STASHHOG__CONDITION__VALUE_TEXT: return "text";
    case STASHHOG__CONDITION__VALUE_INT: return "an integer";
    case STASHHOG__CONDITION__VALUE_REAL: return "a number";
    case STASHHOG__CONDITION__VALUE_FLAG: return "a boolean";
    case STASHHOG__CONDITION__VALUE_IDS: return "an id list";
    default: return "no value";
    }
}

static sh_status bad(vstate *v, const char *path, const Stashhog__Condition *c, const char *why)
{
    return sh_error_set(v->err, SH_ERR_INVALID, "filter %s (%s %s): %s", path, sh_filter_field_name(c->field),
                        sh_filter_op_name(c->op), why);
}

static sh_status check_cond(vstate *v, const char *path, const Stashhog__Condition *c)
{
    if ((unsigned)c->field >= N_FIELDS)
        return sh_error_set(v->err, SH_ERR_INVALID, "filter %s: unknown field %d", path, (int)c->field);
    if ((unsigned)c->op >= N_OPS)
        return sh_error_set(v->err, SH_ERR_INVALID, "filter %s: unknown operator %d", path, (int)c->op);
    const field_info *f = &fields[c->field];
    char why[160];
    if (!(f->ops & (1u << c->op)))
        return bad(v, path, c, "this field does not take this operator");
    Stashhog__Condition__ValueCase vc = c->value_case;
    Stashhog__FilterOp op = c->op;
    if (op == STASHHOG__FILTER_OP__OP_IS_NULL)
        return vc == STASHHOG__CONDITION__VALUE__NOT_SET ? SH_OK : bad(v, path, c, "takes no value");
    if (op == STASHHOG__FILTER_OP__OP_IN) {
        if (vc != STASHHOG__CONDITION__VALUE_IDS || !c->ids)
            return bad(v, path, c, "needs an id list");
        if (c->ids->n_ids == 0)
            return bad(v, path, c, "the id list is empty");
        if (c->ids->n_ids > SH_FILTER_TREE_MAX_IDS) {
            snprintf(why, sizeof why, "more than %d ids", SH_FILTER_TREE_MAX_IDS);
            return bad(v, path, c, why);
        }
        return SH_OK;
    }
    if (vc == STASHHOG__CONDITION__VALUE_TEXT && !c->text)
        return bad(v, path, c, "text value missing");
    if (vc == STASHHOG__CONDITION__VALUE_TEXT && strlen(c->text) > SH_FILTER_TREE_MAX_TEXT) {
        snprintf(why, sizeof why, "text longer than %d bytes", SH_FILTER_TREE_MAX_TEXT);
        return bad(v, path, c, why);
    }
    if (op == STASHHOG__FILTER_OP__OP_MATCHES) {
        if (vc != STASHHOG__CONDITION__VALUE_TEXT)
            return bad(v, path, c, "needs text (words to search for)");
        char *expr = NULL;
        sh_status st = sh_scene_fts_expression(c->text, &expr, v->err);
        if (st != SH_OK)
            return st;
        free(expr);
        return expr ? SH_OK : bad(v, path, c, "no searchable word in the text");
    }
    bool ok;
    switch (f->type) {
    case T_INT: ok = vc == STASHHOG__CONDITION__VALUE_INT; break;
    case T_REAL: ok = vc == STASHHOG__CONDITION__VALUE_INT || vc == STASHHOG__CONDITION__VALUE_REAL; break;
    case T_BOOL: ok = vc == STASHHOG__CONDITION__VALUE_FLAG; break;
    default: ok = vc == STASHHOG__CONDITION__VALUE_TEXT; break;
    }
    if (!ok) {
        static const char *const want[] = {[T_INT] = "an integer", [T_REAL] = "a number", [T_TEXT] = "text",
                                           [T_DATE] = "a date YYYY[-MM[-DD]]", [T_STAMP] = "a timestamp",
                                           [T_BOOL] = "true or false"};
        snprintf(why, sizeof why, "needs %s, got %s", want[f->type], value_kind(c));
        return bad(v, path, c, why);
    }
    if (f->type == T_DATE && !valid_date(c->text))
        return bad(v, path, c, "the date is not YYYY[-MM[-DD]]");
    if (f->type == T_STAMP && !valid_stamp(c->text))
        return bad(v, path, c, "the timestamp is not YYYY[-MM[-DD[Thh:mm:ss[+hh:mm]]]]");
    return SH_OK;
}

static sh_status check_node(vstate *v, const Stashhog__FilterNode *n, const char *path, int depth)
{
    char sub[256];
    if (depth > SH_FILTER_TREE_MAX_DEPTH)
        return sh_error_set(v->err, SH_ERR_INVALID, "filter %.120s...: nested deeper than %d levels", path,
                            SH_FILTER_TREE_MAX_DEPTH);
    if (++v->nodes > SH_FILTER_TREE_MAX_NODES)
        return sh_error_set(v->err, SH_ERR_INVALID, "filter: more than %d nodes (at %.120s)",
                            SH_FILTER_TREE_MAX_NODES, path);
    switch (n->node_case) {
    case STASHHOG__FILTER_NODE__NODE_ALL:
    case STASHHOG__FILTER_NODE__NODE_ANY: {
        const Stashhog__FilterGroup *g = n->node_case == STASHHOG__FILTER_NODE__NODE_ALL ? n->all : n->any;
        const char *name = n->node_case == STASHHOG__FILTER_NODE__NODE_ALL ? "all" : "any";
        if (!g)
            return sh_error_set(v->err, SH_ERR_INVALID, "filter %s: empty %s group", path, name);
        for (size_t i = 0; i < g->n_nodes; i++) {
            snprintf(sub, sizeof sub, "%s.%s[%zu]", path, name, i);
            sh_status st = check_node(v, g->nodes[i], sub, depth + 1);
            if (st != SH_OK)
                return st;
        }
        return SH_OK;
    }
    case STASHHOG__FILTER_NODE__NODE_NOT:
        if (!n->not_)
            return sh_error_set(v->err, SH_ERR_INVALID, "filter %s: 'not' without an operand", path);
        snprintf(sub, sizeof sub, "%s.not", path);
        return check_node(v, n->not_, sub, depth + 1);
    case STASHHOG__FILTER_NODE__NODE_COND:
        if (!n->cond)
            return sh_error_set(v->err, SH_ERR_INVALID, "filter %s: empty condition", path);
        snprintf(sub, sizeof sub, "%s.cond", path);
        return check_cond(v, sub, n->cond);
    default:
        return sh_error_set(v->err, SH_ERR_INVALID, "filter %s: node is neither all, any, not nor a condition",
                            path);
    }
}

sh_status sh_filter_tree_validate(const Stashhog__FilterNode *root, sh_error *err)
{
    if (!root)
        return SH_OK;
    vstate v = {.err = err};
    return check_node(&v, root, "where", 1);
}

/* ------------------------------------------------------------ compiler */

#define put sh_sqlbuf_put

/* LIKE pattern with \ as the escape character: %text% or text%. */
static char *like_pattern(const char *s, bool prefix_only)
{
    size_t n = strlen(s);
    char *p = malloc(n * 2 + 3);
    if (!p)
        return NULL;
    size_t w = 0;
    if (!prefix_only)
        p[w++] = '%';
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            p[w++] = '\\';
        p[w++] = *s;
    }
    p[w++] = '%';
    p[w] = '\0';
    return p;
}

static char *json_ids(const int64_t *v, size_t n)
{
    char *s = malloc(n * 22 + 3); /* 20 digits, sign and comma per id */
    if (!s)
        return NULL;
    size_t w = 0;
    s[w++] = '[';
    for (size_t i = 0; i < n; i++)
        w += (size_t)sprintf(s + w, "%s%lld", i ? "," : "", (long long)v[i]);
    s[w++] = ']';
    s[w] = '\0';
    return s;
}

/* Binds text that the builder copies, then frees it; NULL marks OOM. */
static void bind_owned(sh_sqlbuf *q, char *text)
{
    if (!text) {
        q->oom = true;
        return;
    }
    sh_sqlbuf_bind_text(q, text);
    free(text);
}

static void bind_value(sh_sqlbuf *q, const Stashhog__Condition *c)
{
    switch (c->value_case) {
    case STASHHOG__CONDITION__VALUE_INT: sh_sqlbuf_bind_int(q, c->int_); break;
    case STASHHOG__CONDITION__VALUE_REAL: sh_sqlbuf_bind_real(q, c->real); break;
    case STASHHOG__CONDITION__VALUE_FLAG: sh_sqlbuf_bind_int(q, c->flag ? 1 : 0); break;
    case STASHHOG__CONDITION__VALUE_IDS: bind_owned(q, json_ids(c->ids->ids, c->ids->n_ids)); break;
    default: sh_sqlbuf_bind_text(q, c->text); break;
    }
}

/* Dates and timestamps are strings compared by prefix: "2023" = the whole
 * year.  The floor '0' keeps '' (Stash's "unset") out of "less than". */
static void emit_date(sh_sqlbuf *q, const char *x, Stashhog__FilterOp op, const char *v)
{
    char *hi = sh_strdup_printf("%s~", v); /* above every string that starts with v */
    put(q, "(");
    put(q, x);
    switch (op) {
    case STASHHOG__FILTER_OP__OP_LT:
        put(q, " >= '0' AND ");
        put(q, x);
        put(q, " < ?");
        sh_sqlbuf_bind_text(q, v);
        break;
    case STASHHOG__FILTER_OP__OP_LE:
        put(q, " >= '0' AND ");
        put(q, x);
        put(q, " <= ?");
        bind_owned(q, hi);
        hi = NULL;
        break;
    case STASHHOG__FILTER_OP__OP_GT:
        put(q, " > ?");
        bind_owned(q, hi);
        hi = NULL;
        break;
    case STASHHOG__FILTER_OP__OP_GE:
        put(q, " >= ?");
        sh_sqlbuf_bind_text(q, v);
        break;
    default: /* EQ */
        put(q, " >= ? AND ");
        put(q, x);
        put(q, " <= ?");
        sh_sqlbuf_bind_text(q, v);
        bind_owned(q, hi);
        hi = NULL;
        break;
    }
    put(q, ")");
    free(hi);
}

static void emit_fts(sh_sqlbuf *q, const field_info *f, const char *text)
{
    char *expr = NULL;
    if (sh_scene_fts_expression(text, &expr, NULL) != SH_OK || !expr) {
        q->oom = true; /* validated before: only allocation can fail here */
        return;
    }
    put(q, "s.id IN (SELECT rowid FROM scene_fts WHERE scene_fts MATCH ?)");
    /* Column filter from the fixed table; the words stay quoted tokens. */
    bind_owned(q, f->fts ? sh_strdup_printf("{%s} : (%s)", f->fts, expr) : strdup(expr));
    free(expr);
}

static const char *cmp_sql(Stashhog__FilterOp op)
{
    switch (op) {
    case STASHHOG__FILTER_OP__OP_LT: return " < ?";
    case STASHHOG__FILTER_OP__OP_LE: return " <= ?";
    case STASHHOG__FILTER_OP__OP_GT: return " > ?";
    case STASHHOG__FILTER_OP__OP_GE: return " >= ?";
    default: return " = ?";
    }
}

static void emit_membership(sh_sqlbuf *q, const field_info *f, const Stashhog__Condition *c, Stashhog__FilterOp op)
{
    bool perf = f->shape == S_PERFORMER;
    if (op == STASHHOG__FILTER_OP__OP_IS_NULL) {
        put(q, perf ? "NOT EXISTS (SELECT 1 FROM scene_performers np WHERE np.scene_id = s.id)"
                    : "NOT EXISTS (SELECT 1 FROM scene_tags nt WHERE nt.scene_id = s.id)");
        return;
    }
    put(q, perf ? "s.id IN (SELECT scene_id FROM scene_performers WHERE performer_id"
                : "s.id IN (SELECT scene_id FROM scene_tags WHERE tag_id");
    put(q, op == STASHHOG__FILTER_OP__OP_IN ? " IN (SELECT value FROM json_each(?)))" : " = ?)");
    bind_value(q, c);
}

static void emit_path(sh_sqlbuf *q, const Stashhog__Condition *c, Stashhog__FilterOp op)
{
    if (op == STASHHOG__FILTER_OP__OP_IS_NULL) {
        put(q, "((s.primary_path IS NULL OR s.primary_path = '') AND "
               "NOT EXISTS (SELECT 1 FROM scene_files sf WHERE sf.scene_id = s.id))");
        return;
    }
    bool like = op != STASHHOG__FILTER_OP__OP_EQ;
    char *pat = like ? like_pattern(c->text, op == STASHHOG__FILTER_OP__OP_STARTS_WITH) : strdup(c->text);
    put(q, like ? "(s.primary_path LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM scene_files sf "
                  "WHERE sf.scene_id = s.id AND sf.path LIKE ? ESCAPE '\\'))"
                : "(s.primary_path = ? OR EXISTS (SELECT 1 FROM scene_files sf "
                  "WHERE sf.scene_id = s.id AND sf.path = ?))");
    if (pat)
        sh_sqlbuf_bind_text(q, pat);
    bind_owned(q, pat);
}

static void emit_scalar(sh_sqlbuf *q, const field_info *f, const Stashhog__Condition *c, Stashhog__FilterOp op)
{
    const char *x = f->expr;
    switch (op) {
    case STASHHOG__FILTER_OP__OP_IS_NULL:
        put(q, "(");
        put(q, x);
        if (f->type == T_TEXT || f->type == T_DATE || f->type == T_STAMP) {
            put(q, " IS NULL OR ");
            put(q, x);
            put(q, " = '')"); /* Stash returns "" for unset text */
        } else {
            put(q, " IS NULL)");
        }
        return;
    case STASHHOG__FILTER_OP__OP_IN:
        put(q, x);
        put(q, " IN (SELECT value FROM json_each(?))");
        bind_value(q, c);
        return;
    case STASHHOG__FILTER_OP__OP_CONTAINS:
    case STASHHOG__FILTER_OP__OP_STARTS_WITH:
        put(q, x);
        put(q, " LIKE ? ESCAPE '\\'");
        bind_owned(q, like_pattern(c->text, op == STASHHOG__FILTER_OP__OP_STARTS_WITH));
        return;
    default:
        break;
    }
    if (f->type == T_DATE || f->type == T_STAMP) {
        emit_date(q, x, op, c->text);
        return;
    }
    put(q, x);
    put(q, cmp_sql(op));
    if (f->type == T_TEXT)
        put(q, " COLLATE NOCASE");
    bind_value(q, c);
}

static void emit_cond(sh_sqlbuf *q, const Stashhog__Condition *c)
{
    const field_info *f = &fields[c->field];
    Stashhog__FilterOp op = c->op;
    /* != is NOT =, so an unset field counts as "not equal". */
    bool negate = op == STASHHOG__FILTER_OP__OP_NE;
    if (negate) {
        op = STASHHOG__FILTER_OP__OP_EQ;
        put(q, "((");
    }
    if (op == STASHHOG__FILTER_OP__OP_MATCHES)
        emit_fts(q, f, c->text);
    else if (f->shape == S_PERFORMER || f->shape == S_TAG)
        emit_membership(q, f, c, op);
    else if (f->shape == S_PATH)
        emit_path(q, c, op);
    else
        emit_scalar(q, f, c, op);
    if (negate)
        put(q, ") IS NOT 1)");
}

static void emit_node(sh_sqlbuf *q, const Stashhog__FilterNode *n)
{
    switch (n->node_case) {
    case STASHHOG__FILTER_NODE__NODE_ALL:
    case STASHHOG__FILTER_NODE__NODE_ANY: {
        bool all = n->node_case == STASHHOG__FILTER_NODE__NODE_ALL;
        const Stashhog__FilterGroup *g = all ? n->all : n->any;
        if (g->n_nodes == 0) {
            put(q, all ? "1" : "0");
            return;
        }
        put(q, "(");
        for (size_t i = 0; i < g->n_nodes; i++) {
            if (i)
                put(q, all ? " AND " : " OR ");
            emit_node(q, g->nodes[i]);
        }
        put(q, ")");
        return;
    }
    case STASHHOG__FILTER_NODE__NODE_NOT:
        /* NULL (an unknown comparison) counts as false, so NOT of it is true. */
        put(q, "((");
        emit_node(q, n->not_);
        put(q, ") IS NOT 1)");
        return;
    default:
        emit_cond(q, n->cond);
        return;
    }
}

sh_status sh_filter_tree_compile(const Stashhog__FilterNode *root, sh_sqlbuf *q, sh_error *err)
{
    sh_status st = sh_filter_tree_validate(root, err);
    if (st != SH_OK)
        return st;
    if (!root) {
        put(q, "1");
    } else {
        put(q, "(");
        emit_node(q, root);
        put(q, ")");
    }
    return q->oom ? sh_error_set(err, SH_ERR_NOMEM, NULL) : SH_OK;
}
