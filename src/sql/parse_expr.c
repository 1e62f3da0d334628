/*
** parse_expr.c — expressions: operators and their precedence.
**
** HOW IT WORKS
**   Precedence climbing over SQLite's operator table (parse.y), loosest
**   first; operators of one level are left-associative:
**
**     1  OR
**     2  AND
**     3  NOT x                                        (prefix)
**     4  = == != <> IS [NOT] [DISTINCT FROM] [NOT] IN [NOT] LIKE/GLOB/
**        REGEXP/MATCH [ESCAPE] [NOT] BETWEEN ISNULL NOTNULL NOT NULL
**     5  < <= > >=
**     7  & | << >>
**     8  + -
**     9  * / %
**    10  || -> ->>
**    11  x COLLATE name                               (postfix)
**    12  - + ~ x                                      (prefix)
**
**   binary(min) parses an operand (unary()), then folds in every infix
**   operator of level >= min, parsing each right operand with
**   binary(level + 1).  A prefix NOT takes binary(3) as its operand wherever
**   it appears, as SQLite's LALR parser does ("a = NOT b = c" is
**   "a = (NOT (b = c))").  BETWEEN's lower bound is binary(4) (it may hold
**   "=" but not AND), its upper bound binary(5).  "x IS NULL" and
**   "x IS NOT NULL" become HDB_SQL_E_ISNULL nodes like ISNULL and NOTNULL.
**
**   Recursion: every sub-expression that nests (a whole expression in
**   parentheses, an argument, NOT's operand, the operands of IS, BETWEEN,
**   LIKE and IN, a prefix operator's operand) is parsed through nested(),
**   which counts the depth (hdb__sqlp_enter).  The one uncounted recursion,
**   binary() parsing a right operand, raises the minimum level each time,
**   so at most 12 such frames lie between two counted ones.
*/
#include <string.h>
#include "src/sql/parse_int.h"

enum {
    PREC_OR = 1, PREC_AND, PREC_NOT, PREC_EQ, PREC_CMP, PREC_ESCAPE, PREC_BIT, PREC_ADD,
    PREC_MUL, PREC_CONCAT, PREC_COLLATE
};

hdb_sql_expr *hdb__sqlp_expr_new(hdb_sql_parser *p, int kind, size_t pos)
{
    hdb_sql_expr *e = hdb__sqlp_alloc(p, sizeof *e);
    if (e) {
        e->kind = (uint8_t)kind;
        e->pos = pos;
    }
    return e;
}

hdb_sql_expr *hdb__sqlp_expr_done(hdb_sql_parser *p, hdb_sql_expr *e)
{
    e->len = p->last_end - e->pos;
    return hdb__sqlp_expr_height(p, e) ? NULL : e;
}

int hdb__sqlp_list_add(hdb_sql_parser *p, hdb_sql_exprlist *l, hdb_sql_expr *e)
{
    if (!e || !(l->a = hdb__sqlp_grow(p, l->a, l->n, sizeof *l->a)))
        return -1;
    l->a[l->n++] = e;
    return 0;
}

int hdb__sqlp_expr_list(hdb_sql_parser *p, hdb_sql_exprlist *out)
{
    do {
        if (hdb__sqlp_list_add(p, out, hdb__sqlp_expr(p)))
            return -1;
    } while (hdb__sqlp_accept(p, HDB_TK_COMMA));
    return 0;
}

static hdb_sql_expr *binary(hdb_sql_parser *p, int min);

/* binary(min), one level of nesting deeper. */
static hdb_sql_expr *nested(hdb_sql_parser *p, int min)
{
    if (hdb__sqlp_enter(p))
        return NULL;
    hdb_sql_expr *e = binary(p, min);
    hdb__sqlp_leave(p);
    return e;
}

static hdb_sql_expr *unary_node(hdb_sql_parser *p, int op, size_t pos, hdb_sql_expr *x)
{
    hdb_sql_expr *e;
    if (!x || !(e = hdb__sqlp_expr_new(p, HDB_SQL_E_UNARY, pos)))
        return NULL;
    e->op = (uint8_t)op;
    e->u.unary.x = x;
    return hdb__sqlp_expr_done(p, e);
}

static hdb_sql_expr *binary_node(hdb_sql_parser *p, int op, hdb_sql_expr *l, hdb_sql_expr *r)
{
    hdb_sql_expr *e;
    if (!r || !(e = hdb__sqlp_expr_new(p, HDB_SQL_E_BINARY, l->pos)))
        return NULL;
    e->op = (uint8_t)op;
    e->u.binary.l = l;
    e->u.binary.r = r;
    return hdb__sqlp_expr_done(p, e);
}

hdb_sql_expr *hdb__sqlp_unary(hdb_sql_parser *p)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    size_t pos = t->pos;
    int op = t->type == HDB_TK_MINUS ? HDB_SQL_OP_NEG
           : t->type == HDB_TK_PLUS ? HDB_SQL_OP_POS
           : t->type == HDB_TK_BITNOT ? HDB_SQL_OP_BITNOT : 0;
    if (op) {
        hdb__sqlp_advance(p);
        if (hdb__sqlp_enter(p))
            return NULL;
        hdb_sql_expr *x = hdb__sqlp_unary(p);
        hdb__sqlp_leave(p);
        if (x && op == HDB_SQL_OP_NEG && hdb__sqlp_is_int_min(p, x))
            return hdb__sqlp_negate_literal(p, x, pos);
        return unary_node(p, op, pos, x);
    }
    if (t->type == HDB_TK_ID && t->kw == HDB_KW_NOT) {
        hdb__sqlp_advance(p);
        return unary_node(p, HDB_SQL_OP_NOT, pos, nested(p, PREC_NOT));
    }
    return hdb__sqlp_primary(p);
}

/* The level of the infix operator at the current token, 0 if it is none;
 * *op is its HDB_SQL_OP_* for a plain binary operator, else 0. */
static int infix_level(hdb_sql_parser *p, int *op)
{
    static const int plain[][3] = {
        {HDB_TK_EQ, HDB_SQL_OP_EQ, PREC_EQ}, {HDB_TK_NE, HDB_SQL_OP_NE, PREC_EQ},
        {HDB_TK_LT, HDB_SQL_OP_LT, PREC_CMP}, {HDB_TK_LE, HDB_SQL_OP_LE, PREC_CMP},
        {HDB_TK_GT, HDB_SQL_OP_GT, PREC_CMP}, {HDB_TK_GE, HDB_SQL_OP_GE, PREC_CMP},
        {HDB_TK_BITAND, HDB_SQL_OP_BITAND, PREC_BIT}, {HDB_TK_BITOR, HDB_SQL_OP_BITOR, PREC_BIT},
        {HDB_TK_LSHIFT, HDB_SQL_OP_LSHIFT, PREC_BIT}, {HDB_TK_RSHIFT, HDB_SQL_OP_RSHIFT, PREC_BIT},
        {HDB_TK_PLUS, HDB_SQL_OP_ADD, PREC_ADD}, {HDB_TK_MINUS, HDB_SQL_OP_SUB, PREC_ADD},
        {HDB_TK_STAR, HDB_SQL_OP_MUL, PREC_MUL}, {HDB_TK_SLASH, HDB_SQL_OP_DIV, PREC_MUL},
        {HDB_TK_REM, HDB_SQL_OP_MOD, PREC_MUL}, {HDB_TK_CONCAT, HDB_SQL_OP_CONCAT, PREC_CONCAT},
        {HDB_TK_PTR, HDB_SQL_OP_PTR, PREC_CONCAT}, {HDB_TK_PTR2, HDB_SQL_OP_PTR2, PREC_CONCAT}};
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    *op = 0;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (t->type == plain[i][0]) {
            *op = plain[i][1];
            return plain[i][2];
        }
    if (t->type != HDB_TK_ID || t->quote)
        return 0;
    switch (t->kw) {
    case HDB_KW_OR: *op = HDB_SQL_OP_OR; return PREC_OR;
    case HDB_KW_AND: *op = HDB_SQL_OP_AND; return PREC_AND;
    case HDB_KW_COLLATE: return PREC_COLLATE;
    case HDB_KW_IS: case HDB_KW_IN: case HDB_KW_ISNULL: case HDB_KW_NOTNULL:
    case HDB_KW_BETWEEN: case HDB_KW_LIKE: case HDB_KW_GLOB: case HDB_KW_REGEXP:
    case HDB_KW_MATCH:
        return PREC_EQ;
    case HDB_KW_NOT: {
        const hdb_sql_token *u = hdb__sqlp_peek(p, 1);
        if (u->type != HDB_TK_ID)
            return 0;
        switch (u->kw) {
        case HDB_KW_NULL: case HDB_KW_IN: case HDB_KW_BETWEEN: case HDB_KW_LIKE:
        case HDB_KW_GLOB: case HDB_KW_REGEXP: case HDB_KW_MATCH:
            return PREC_EQ;
        default:
            return 0;
        }
    }
    default:
        return 0;
    }
}

static hdb_sql_expr *isnull_node(hdb_sql_parser *p, hdb_sql_expr *x, int negated)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_ISNULL, x->pos);
    if (!e)
        return NULL;
    e->flags = negated ? HDB_SQL_EF_NOT : 0;
    e->u.unary.x = x;
    return hdb__sqlp_expr_done(p, e);
}

/* x IS [NOT] [DISTINCT FROM] y, with IS consumed. */
static hdb_sql_expr *is_expr(hdb_sql_parser *p, hdb_sql_expr *l)
{
    int negated = hdb__sqlp_accept_kw(p, HDB_KW_NOT);
    if (hdb__sqlp_accept_kw(p, HDB_KW_DISTINCT)) {
        if (hdb__sqlp_expect_kw(p, HDB_KW_FROM))
            return NULL;
        negated = !negated; /* IS DISTINCT FROM is IS NOT */
    }
    hdb_sql_expr *r = nested(p, PREC_EQ + 1);
    if (r && r->kind == HDB_SQL_E_NULL)
        return isnull_node(p, l, negated);
    return binary_node(p, negated ? HDB_SQL_OP_ISNOT : HDB_SQL_OP_IS, l, r);
}

/* x [NOT] BETWEEN lo AND hi, with BETWEEN consumed. */
static hdb_sql_expr *between_expr(hdb_sql_parser *p, hdb_sql_expr *x, int negated)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_BETWEEN, x->pos);
    if (!e)
        return NULL;
    e->flags = negated ? HDB_SQL_EF_NOT : 0;
    e->u.between.x = x;
    if (!(e->u.between.lo = nested(p, PREC_EQ)) || hdb__sqlp_expect_kw(p, HDB_KW_AND) ||
        !(e->u.between.hi = nested(p, PREC_EQ + 1)))
        return NULL;
    return hdb__sqlp_expr_done(p, e);
}

/* x [NOT] LIKE|GLOB|REGEXP|MATCH pattern [ESCAPE e], with the operator
 * consumed. */
static hdb_sql_expr *like_expr(hdb_sql_parser *p, hdb_sql_expr *x, int op, int negated)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_LIKE, x->pos);
    if (!e)
        return NULL;
    e->op = (uint8_t)op;
    e->flags = negated ? HDB_SQL_EF_NOT : 0;
    e->u.like.x = x;
    if (!(e->u.like.pattern = nested(p, PREC_EQ + 1)))
        return NULL;
    if (hdb__sqlp_accept_kw(p, HDB_KW_ESCAPE) && !(e->u.like.escape = nested(p, PREC_EQ + 1)))
        return NULL;
    return hdb__sqlp_expr_done(p, e);
}

/* x [NOT] IN (list) | (select) | [schema.]table, with IN consumed. */
static hdb_sql_expr *in_expr(hdb_sql_parser *p, hdb_sql_expr *x, int negated)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_IN, x->pos);
    if (!e)
        return NULL;
    e->flags = negated ? HDB_SQL_EF_NOT : 0;
    e->u.in.x = x;
    if (!hdb__sqlp_accept(p, HDB_TK_LP)) {
        if (hdb__sqlp_qualified(p, &e->u.in.schema, &e->u.in.table))
            return NULL;
    } else if (hdb__sqlp_starts_select(p, 0)) {
        if (!(e->u.in.select = hdb__sqlp_select(p)) || hdb__sqlp_expect(p, HDB_TK_RP))
            return NULL;
    } else if (!hdb__sqlp_accept(p, HDB_TK_RP)) { /* () is an empty list */
        if (hdb__sqlp_expr_list(p, &e->u.in.list) || hdb__sqlp_expect(p, HDB_TK_RP))
            return NULL;
    }
    return hdb__sqlp_expr_done(p, e);
}

static int like_op(int kw)
{
    switch (kw) {
    case HDB_KW_LIKE: return HDB_SQL_OP_LIKE;
    case HDB_KW_GLOB: return HDB_SQL_OP_GLOB;
    case HDB_KW_REGEXP: return HDB_SQL_OP_REGEXP;
    case HDB_KW_MATCH: return HDB_SQL_OP_MATCH;
    default: return 0;
    }
}

/* The level-4 and COLLATE forms; the operator keyword is current. */
static hdb_sql_expr *special_infix(hdb_sql_parser *p, hdb_sql_expr *l)
{
    int kw = hdb__sqlp_peek(p, 0)->kw, negated = 0;
    hdb__sqlp_advance(p);
    switch (kw) {
    case HDB_KW_COLLATE: {
        hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_COLLATE, l->pos);
        if (!e || !(e->u.collate.name = hdb__sqlp_name(p)))
            return NULL;
        e->u.collate.x = l;
        return hdb__sqlp_expr_done(p, e);
    }
    case HDB_KW_IS: return is_expr(p, l);
    case HDB_KW_ISNULL: return isnull_node(p, l, 0);
    case HDB_KW_NOTNULL: return isnull_node(p, l, 1);
    case HDB_KW_NOT:
        if (hdb__sqlp_accept_kw(p, HDB_KW_NULL))
            return isnull_node(p, l, 1);
        negated = 1;
        kw = hdb__sqlp_peek(p, 0)->kw;
        hdb__sqlp_advance(p);
        break;
    default:
        break;
    }
    if (kw == HDB_KW_IN)
        return in_expr(p, l, negated);
    if (kw == HDB_KW_BETWEEN)
        return between_expr(p, l, negated);
    return like_expr(p, l, like_op(kw), negated);
}

static hdb_sql_expr *binary(hdb_sql_parser *p, int min)
{
    hdb_sql_expr *l = hdb__sqlp_unary(p);
    int level, op;
    while (l && (level = infix_level(p, &op)) >= min && level > 0) {
        if (op) {
            hdb__sqlp_advance(p);
            l = binary_node(p, op, l, binary(p, level + 1));
        } else {
            l = special_infix(p, l);
        }
    }
    return l;
}

hdb_sql_expr *hdb__sqlp_expr(hdb_sql_parser *p)
{
    return nested(p, PREC_OR);
}
