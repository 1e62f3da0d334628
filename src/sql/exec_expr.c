/*
** exec_expr.c — evaluation of a resolved expression in a scope.
**
** WHAT IT IS
**   hdb__sql_eval(x, c, e, out) computes e for the current rows of core c
**   (and of the cores around it, for correlated references).  Semantics are
**   SQLite's: three-valued logic, comparison affinity and collation taken
**   from the operands (the left one first), IN over lists and subqueries
**   with NULL results when nothing matches and a NULL took part.
**
** INVARIANTS
**   - `out` is a valid value on entry and is overwritten (cleared first).
**   - A value read from a row is returned borrowed (owned == 0): it lives
**     as long as the row; callers that keep it copy it.
**   - On error the function returns the code and x->rc / x->err say why.
**   - Recursion depth is bounded by the parser's HDB_SQL_MAX_HEIGHT.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec.h"

int hdb__sql_err(xctx *x, int rc, const char *fmt, ...)
{
    if (x->rc == HDB_OK || x->rc == rc) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->err, sizeof x->err, fmt, ap);
        va_end(ap);
    }
    if (x->rc == HDB_OK)
        x->rc = rc;
    return rc;
}

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

void hdb__sql_caches_free(xctx *x)
{
    for (xref *r = x->caches; r;) {
        xref *n = r->next_cache;
        hdb__sql_value_clear(&r->cache);
        if (r->set) {
            hdb__sql_rows_clear(r->set);
            free(r->set);
            r->set = NULL;
        }
        r->have_cache = 0;
        r->set_sorted = 0;
        r->next_cache = NULL;
        r = n;
    }
    x->caches = NULL;
}

static int eval_logic(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    int a = hdb__sql_eval_truth(x, c, e->u.binary.l);
    if (a == -2)
        return x->rc;
    int is_and = e->op == HDB_SQL_OP_AND;
    if (is_and && a == 0) {
        hdb__sql_set_bool(out, 0);
        return HDB_OK;
    }
    if (!is_and && a == 1) {
        hdb__sql_set_bool(out, 1);
        return HDB_OK;
    }
    int b = hdb__sql_eval_truth(x, c, e->u.binary.r);
    if (b == -2)
        return x->rc;
    int r;
    if (is_and)
        r = b == 0 ? 0 : (a == 1 && b == 1) ? 1 : -1;
    else
        r = b == 1 ? 1 : (a == 0 && b == 0) ? 0 : -1;
    hdb__sql_set_bool(out, r);
    return HDB_OK;
}

static int eval_func(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    xref *r = e->aux;
    if (r->kind == XR_AGG) {
        xcore *cc = c;
        for (int i = 0; i < r->up && cc; i++)
            cc = cc->outer;
        if (!cc || !cc->aggval)
            return hdb__sql_err(x, HDB_ERROR, "misuse of aggregate: %s()", e->u.func.name);
        return hdb__sql_value_copy(out, &cc->aggval[r->agg]) == HDB_OK ? HDB_OK : nomem(x);
    }
    if (!r->fn) { /* the functions that need the connection */
        int64_t v = r->col == 1 ? x->db->changes : x->db->last_rowid;
        hdb__sql_value_int(out, v);
        return HDB_OK;
    }
    int n = e->u.func.args.n;
    hdb_sql_value stackv[8], *argv = n <= 8 ? stackv : hdb__sql_row_new(n);
    if (!argv)
        return nomem(x);
    for (int i = 0; i < n; i++)
        argv[i] = (hdb_sql_value)HDB_SQL_NULL_INIT;
    int rc = HDB_OK;
    for (int i = 0; i < n && rc == HDB_OK; i++)
        rc = hdb__sql_eval(x, c, e->u.func.args.a[i], &argv[i]);
    if (rc == HDB_OK) {
        hdb__sql_value_null(out);
        x->f.err[0] = 0;
        rc = r->fn->scalar(&x->f, n, argv, out);
        if (rc == HDB_ERROR)
            hdb__sql_err(x, rc, "%s", x->f.err[0] ? x->f.err : "function failed");
        else if (rc != HDB_OK)
            rc = nomem(x);
        else if ((out->type == HDB_TEXT || out->type == HDB_BLOB) && out->u.s.n > HDB_SQL_MAX_LENGTH)
            rc = hdb__sql_err(x, HDB_ERROR, "string or blob too big");
    }
    for (int i = 0; i < n; i++)
        hdb__sql_value_clear(&argv[i]);
    if (argv != stackv)
        free(argv);
    return rc;
}

static int eval_column(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    xref *r = e->aux;
    if (!r)
        return hdb__sql_err(x, HDB_ERROR, "no such column: %s", e->u.col.column);
    if (r->kind == XR_ALIAS)
        return hdb__sql_eval(x, c, r->alias, out);
    if (r->kind == XR_CONST) { /* a "string" taken as a literal */
        hdb__sql_value_text_ref(out, e->u.col.column, strlen(e->u.col.column));
        return HDB_OK;
    }
    xcore *cc = c;
    for (int i = 0; i < r->up && cc; i++)
        cc = cc->outer;
    if (!cc || r->src >= cc->nsrc)
        return hdb__sql_err(x, HDB_ERROR, "internal error: bad column reference");
    xsrc *s = &cc->src[r->src];
    hdb__sql_value_clear(out);
    if (s->nullrow || !s->row)
        return HDB_OK;
    if (r->col < 0) {
        hdb__sql_value_int(out, s->rowid);
        return HDB_OK;
    }
    *out = s->row[r->col];
    out->owned = 0;
    return HDB_OK;
}

const hdb_sql_value *hdb__sql_column_now(const xcore *c, const hdb_sql_expr *e)
{
    const xref *r = e->kind == HDB_SQL_E_COLUMN ? e->aux : NULL;
    if (!r || r->kind != XR_COL || r->up != 0 || r->col < 0 || r->src >= c->nsrc)
        return NULL;
    const xsrc *s = &c->src[r->src];
    return s->nullrow || !s->row ? NULL : &s->row[r->col];
}

static int eval_arith(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    hdb_sql_value a = HDB_SQL_NULL_INIT, b = HDB_SQL_NULL_INIT, t = HDB_SQL_NULL_INIT;
    int rc = hdb__sql_eval(x, c, e->u.binary.l, &a);
    if (rc == HDB_OK)
        rc = hdb__sql_eval(x, c, e->u.binary.r, &b);
    if (rc == HDB_OK) {
        if (e->op == HDB_SQL_OP_PTR || e->op == HDB_SQL_OP_PTR2) {
            x->f.err[0] = 0;
            rc = hdb__sql_json_arrow(&x->f, &a, &b, e->op == HDB_SQL_OP_PTR2, &t);
            if (rc == HDB_ERROR)
                hdb__sql_err(x, rc, "%s", x->f.err[0] ? x->f.err : "malformed JSON");
        } else
            rc = hdb__sql_arith(e->op, &a, &b, &t);
        if (rc == HDB_NOMEM)
            nomem(x);
        else if (rc == HDB_RANGE)
            rc = hdb__sql_err(x, HDB_ERROR, "string or blob too big");
    }
    hdb__sql_value_clear(&a);
    hdb__sql_value_clear(&b);
    if (rc == HDB_OK) {
        hdb__sql_value_clear(out);
        *out = t;
    } else
        hdb__sql_value_clear(&t);
    return rc;
}

static int eval_binary(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    switch (e->op) {
    case HDB_SQL_OP_AND: case HDB_SQL_OP_OR:
        return eval_logic(x, c, e, out);
    case HDB_SQL_OP_EQ: case HDB_SQL_OP_NE: case HDB_SQL_OP_IS: case HDB_SQL_OP_ISNOT:
    case HDB_SQL_OP_LT: case HDB_SQL_OP_LE: case HDB_SQL_OP_GT: case HDB_SQL_OP_GE:
        return hdb__sql_eval_compare(x, c, e, out);
    default:
        return eval_arith(x, c, e, out);
    }
}

static int eval_unary(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    if (e->op == HDB_SQL_OP_NOT) {
        int t = hdb__sql_eval_truth(x, c, e->u.unary.x);
        if (t == -2)
            return x->rc;
        hdb__sql_set_bool(out, t < 0 ? -1 : !t);
        return HDB_OK;
    }
    hdb_sql_value a = HDB_SQL_NULL_INIT, t = HDB_SQL_NULL_INIT;
    int rc = hdb__sql_eval(x, c, e->u.unary.x, &a);
    if (rc == HDB_OK && e->op == HDB_SQL_OP_POS) {
        hdb__sql_value_clear(out);
        *out = a;
        return HDB_OK;
    }
    if (rc == HDB_OK && hdb__sql_unary(e->op, &a, &t) != HDB_OK)
        rc = nomem(x);
    hdb__sql_value_clear(&a);
    if (rc == HDB_OK) {
        hdb__sql_value_clear(out);
        *out = t;
    }
    return rc;
}

int hdb__sql_eval(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    switch (e->kind) {
    case HDB_SQL_E_NULL: hdb__sql_value_null(out); return HDB_OK;
    case HDB_SQL_E_INTEGER: hdb__sql_value_int(out, e->u.ival); return HDB_OK;
    case HDB_SQL_E_FLOAT: hdb__sql_value_float(out, e->u.fval); return HDB_OK;
    case HDB_SQL_E_STRING:
        hdb__sql_value_clear(out);
        hdb__sql_value_text_ref(out, e->u.str.s, e->u.str.n);
        return HDB_OK;
    case HDB_SQL_E_BLOB:
        hdb__sql_value_clear(out);
        hdb__sql_value_blob_ref(out, e->u.str.s, e->u.str.n);
        return HDB_OK;
    case HDB_SQL_E_PARAM:
        if (e->u.param.index < 1 || e->u.param.index > x->nparam) {
            hdb__sql_value_null(out);
            return HDB_OK;
        }
        hdb__sql_value_clear(out);
        *out = x->params[e->u.param.index - 1];
        out->owned = 0;
        return HDB_OK;
    case HDB_SQL_E_COLUMN: return eval_column(x, c, e, out);
    case HDB_SQL_E_UNARY: return eval_unary(x, c, e, out);
    case HDB_SQL_E_BINARY: return eval_binary(x, c, e, out);
    case HDB_SQL_E_COLLATE: return hdb__sql_eval(x, c, e->u.collate.x, out);
    case HDB_SQL_E_CAST: {
        int rc = hdb__sql_eval(x, c, e->u.cast.x, out);
        if (rc == HDB_OK && hdb__sql_value_cast(out, e->u.cast.type) != HDB_OK)
            rc = nomem(x);
        return rc;
    }
    case HDB_SQL_E_CASE: return hdb__sql_eval_case(x, c, e, out);
    case HDB_SQL_E_BETWEEN: return hdb__sql_eval_between(x, c, e, out);
    case HDB_SQL_E_IN: return hdb__sql_eval_in(x, c, e, out);
    case HDB_SQL_E_LIKE: return hdb__sql_eval_like(x, c, e, out);
    case HDB_SQL_E_ISNULL: {
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        int rc = hdb__sql_eval(x, c, e->u.unary.x, &v);
        if (rc != HDB_OK)
            return rc;
        int isnull = v.type == HDB_NULL;
        hdb__sql_value_clear(&v);
        hdb__sql_value_int(out, (e->flags & HDB_SQL_EF_NOT) ? !isnull : isnull);
        return HDB_OK;
    }
    case HDB_SQL_E_EXISTS: case HDB_SQL_E_SUBQUERY:
        return hdb__sql_eval_subquery(x, e, out);
    case HDB_SQL_E_FUNCTION: return eval_func(x, c, e, out);
    case HDB_SQL_E_VECTOR:
        return hdb__sql_err(x, HDB_ERROR, "row value misused");
    default:
        return hdb__sql_err(x, HDB_ERROR, "unsupported expression");
    }
}

int hdb__sql_eval_truth(xctx *x, xcore *c, hdb_sql_expr *e)
{
    hdb_sql_value v = HDB_SQL_NULL_INIT;
    if (hdb__sql_eval(x, c, e, &v) != HDB_OK)
        return -2;
    int t = hdb__sql_value_truth(&v);
    hdb__sql_value_clear(&v);
    return t;
}
