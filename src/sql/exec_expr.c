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
        r->next_cache = NULL;
        r = n;
    }
    x->caches = NULL;
}

/* ---- affinity and collation of expressions ------------------------------ */

int hdb__sql_expr_aff(const hdb_sql_expr *e)
{
    const xref *r = e->aux;
    switch (e->kind) {
    case HDB_SQL_E_COLUMN:
        if (r && r->kind == XR_COL)
            return r->aff;
        if (r && r->kind == XR_ALIAS)
            return hdb__sql_expr_aff(r->alias);
        return HDB_AFF_NONE;
    case HDB_SQL_E_CAST:
        return hdb__sql_affinity(e->u.cast.type);
    case HDB_SQL_E_COLLATE:
        return hdb__sql_expr_aff(e->u.collate.x);
    case HDB_SQL_E_SUBQUERY:
        return r && r->sub && r->sub->ncol > 0 ? r->sub->aff[0] : HDB_AFF_NONE;
    default:
        return HDB_AFF_NONE;
    }
}

int hdb__sql_expr_coll(const hdb_sql_expr *e, int *explicit_)
{
    const xref *r = e->aux;
    *explicit_ = 0;
    switch (e->kind) {
    case HDB_SQL_E_COLLATE: {
        int c = hdb__sql_collation(e->u.collate.name);
        *explicit_ = 1;
        return c < 0 ? HDB_COLL_BINARY : c;
    }
    case HDB_SQL_E_COLUMN:
        if (r && r->kind == XR_COL)
            return r->coll;
        if (r && r->kind == XR_ALIAS)
            return hdb__sql_expr_coll(r->alias, explicit_);
        return -1;
    case HDB_SQL_E_SUBQUERY:
        return r && r->sub && r->sub->ncol > 0 ? r->sub->coll[0] : -1;
    default:
        return -1;
    }
}

static int binary_coll(const hdb_sql_expr *l, const hdb_sql_expr *r)
{
    int el, er;
    int cl = hdb__sql_expr_coll(l, &el), cr = hdb__sql_expr_coll(r, &er);
    if (el)
        return cl;
    if (er)
        return cr;
    if (cl >= 0)
        return cl;
    return cr >= 0 ? cr : HDB_COLL_BINARY;
}

/* ---- comparisons --------------------------------------------------------- */

int hdb__sql_is_numeric_aff(int a)
{
    return a == HDB_AFF_INTEGER || a == HDB_AFF_REAL || a == HDB_AFF_NUMERIC;
}

/* The affinity SQLite applies to both operands of a comparison
 * (sqlite3CompareAffinity): two operands with affinity (a BLOB column
 * counts) compare numerically if either is numeric and as they are
 * otherwise; one with affinity gives its own; none gives none. */
int hdb__sql_cmp_affinity(int a1, int a2)
{
    if (a1 != HDB_AFF_NONE && a2 != HDB_AFF_NONE)
        return hdb__sql_is_numeric_aff(a1) || hdb__sql_is_numeric_aff(a2) ? HDB_AFF_NUMERIC
                                                                           : HDB_AFF_NONE;
    return a1 != HDB_AFF_NONE ? a1 : a2;
}

/* Apply comparison affinity aff to one operand (OP_Eq's rules): numeric
 * affinities convert text that is a well-formed number; TEXT converts
 * numbers to text. */
int hdb__sql_apply_cmp(hdb_sql_value *v, int aff)
{
    if (hdb__sql_is_numeric_aff(aff) && v->type == HDB_TEXT)
        return hdb__sql_apply_affinity(v, HDB_AFF_NUMERIC);
    if (aff == HDB_AFF_TEXT && (v->type == HDB_INTEGER || v->type == HDB_FLOAT))
        return hdb__sql_apply_affinity(v, HDB_AFF_TEXT);
    return HDB_OK;
}

static int compare_affinity(hdb_sql_value *a, int affa, hdb_sql_value *b, int affb)
{
    int aff = hdb__sql_cmp_affinity(affa, affb);
    if (hdb__sql_apply_cmp(a, aff) != HDB_OK || hdb__sql_apply_cmp(b, aff) != HDB_OK)
        return HDB_NOMEM;
    return HDB_OK;
}

/* Compare a and b (already evaluated) as "l OP r": sets *res to 1/0, or -1
 * for NULL.  Converts a and b in place by comparison affinity. */
static int cmp_values(xctx *x, hdb_sql_value *a, int affa, hdb_sql_value *b, int affb, int coll,
                      int op, int *res)
{
    if (a->type == HDB_NULL || b->type == HDB_NULL) {
        if (op == HDB_SQL_OP_IS)
            *res = a->type == b->type;
        else if (op == HDB_SQL_OP_ISNOT)
            *res = a->type != b->type;
        else
            *res = -1;
        return HDB_OK;
    }
    if (compare_affinity(a, affa, b, affb) != HDB_OK)
        return nomem(x);
    int c = hdb__sql_value_cmp(a, b, coll);
    switch (op) {
    case HDB_SQL_OP_EQ: case HDB_SQL_OP_IS: *res = c == 0; break;
    case HDB_SQL_OP_NE: case HDB_SQL_OP_ISNOT: *res = c != 0; break;
    case HDB_SQL_OP_LT: *res = c < 0; break;
    case HDB_SQL_OP_LE: *res = c <= 0; break;
    case HDB_SQL_OP_GT: *res = c > 0; break;
    default: *res = c >= 0; break;
    }
    return HDB_OK;
}

static void set_bool(hdb_sql_value *out, int r)
{
    if (r < 0)
        hdb__sql_value_null(out);
    else
        hdb__sql_value_int(out, r);
}

/* Row values: (a, b) OP (c, d), lexicographically. */
static int eval_vector_cmp(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    hdb_sql_expr *l = e->u.binary.l, *r = e->u.binary.r;
    if (l->kind != HDB_SQL_E_VECTOR || r->kind != HDB_SQL_E_VECTOR ||
        l->u.list.n != r->u.list.n)
        return hdb__sql_err(x, HDB_ERROR, "row value misused");
    int op = e->op, res = 1, sawnull = 0;
    for (int i = 0; i < l->u.list.n; i++) {
        hdb_sql_value a = HDB_SQL_NULL_INIT, b = HDB_SQL_NULL_INIT;
        hdb_sql_expr *le = l->u.list.a[i], *re = r->u.list.a[i];
        int rc = hdb__sql_eval(x, c, le, &a), eq = 0, lt = 0;
        if (rc == HDB_OK)
            rc = hdb__sql_eval(x, c, re, &b);
        if (rc == HDB_OK)
            rc = cmp_values(x, &a, hdb__sql_expr_aff(le), &b, hdb__sql_expr_aff(re),
                            binary_coll(le, re), HDB_SQL_OP_EQ, &eq);
        if (rc == HDB_OK && eq == 0 && op != HDB_SQL_OP_EQ && op != HDB_SQL_OP_NE &&
            op != HDB_SQL_OP_IS && op != HDB_SQL_OP_ISNOT)
            lt = hdb__sql_value_cmp(&a, &b, binary_coll(le, re)) < 0;
        if (rc == HDB_OK && (op == HDB_SQL_OP_IS || op == HDB_SQL_OP_ISNOT) &&
            (a.type == HDB_NULL || b.type == HDB_NULL))
            eq = a.type == b.type;
        hdb__sql_value_clear(&a);
        hdb__sql_value_clear(&b);
        if (rc != HDB_OK)
            return rc;
        if (eq < 0) {
            sawnull = 1;
            if (op != HDB_SQL_OP_EQ && op != HDB_SQL_OP_NE)
                break;
            continue;
        }
        if (eq == 0) {
            switch (op) {
            case HDB_SQL_OP_EQ: case HDB_SQL_OP_IS: res = 0; break;
            case HDB_SQL_OP_NE: case HDB_SQL_OP_ISNOT: res = 1; break;
            case HDB_SQL_OP_LT: case HDB_SQL_OP_LE: res = lt; break;
            default: res = !lt; break;
            }
            set_bool(out, res);
            return HDB_OK;
        }
    }
    if (sawnull)
        res = -1;
    else
        res = op == HDB_SQL_OP_EQ || op == HDB_SQL_OP_IS || op == HDB_SQL_OP_LE ||
              op == HDB_SQL_OP_GE;
    set_bool(out, res);
    return HDB_OK;
}

static int eval_compare(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    hdb_sql_expr *l = e->u.binary.l, *r = e->u.binary.r;
    if (l->kind == HDB_SQL_E_VECTOR || r->kind == HDB_SQL_E_VECTOR)
        return eval_vector_cmp(x, c, e, out);
    hdb_sql_value a = HDB_SQL_NULL_INIT, b = HDB_SQL_NULL_INIT;
    int rc = hdb__sql_eval(x, c, l, &a), res = -1;
    if (rc == HDB_OK && (e->op == HDB_SQL_OP_IS || e->op == HDB_SQL_OP_ISNOT) &&
        r->kind == HDB_SQL_E_INTEGER && (r->flags & HDB_SQL_EF_BOOL)) {
        int t = hdb__sql_value_truth(&a);
        res = (t == (r->u.ival ? 1 : 0)) == (e->op == HDB_SQL_OP_IS);
        hdb__sql_value_clear(&a);
        set_bool(out, res);
        return HDB_OK;
    }
    if (rc == HDB_OK)
        rc = hdb__sql_eval(x, c, r, &b);
    if (rc == HDB_OK)
        rc = cmp_values(x, &a, hdb__sql_expr_aff(l), &b, hdb__sql_expr_aff(r), binary_coll(l, r),
                        e->op, &res);
    hdb__sql_value_clear(&a);
    hdb__sql_value_clear(&b);
    if (rc == HDB_OK)
        set_bool(out, res);
    return rc;
}

static int eval_logic(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    int a = hdb__sql_eval_truth(x, c, e->u.binary.l);
    if (a == -2)
        return x->rc;
    int is_and = e->op == HDB_SQL_OP_AND;
    if (is_and && a == 0) {
        set_bool(out, 0);
        return HDB_OK;
    }
    if (!is_and && a == 1) {
        set_bool(out, 1);
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
    set_bool(out, r);
    return HDB_OK;
}

/* ---- subqueries ----------------------------------------------------------- */

/* The rows of the subquery of r (cached when it is not correlated).
 * *rows is borrowed from the cache or must be freed when *tofree. */
static int subquery_rows(xctx *x, xref *r, size_t limit, xrows **rows, int *tofree)
{
    *tofree = 0;
    if (!r->correlated && r->set) {
        *rows = r->set;
        return HDB_OK;
    }
    xrows *q = calloc(1, sizeof *q);
    if (!q)
        return nomem(x);
    int rc = hdb__sql_run_select(x, r->sub, q, r->correlated ? limit : 0);
    if (rc != HDB_OK) {
        hdb__sql_rows_clear(q);
        free(q);
        return rc;
    }
    if (r->correlated) {
        *tofree = 1;
    } else {
        r->set = q;
        r->next_cache = x->caches;
        x->caches = r;
    }
    *rows = q;
    return HDB_OK;
}

static void rows_drop(xrows *q, int tofree)
{
    if (tofree) {
        hdb__sql_rows_clear(q);
        free(q);
    }
}

static int eval_subquery(xctx *x, hdb_sql_expr *e, hdb_sql_value *out)
{
    xref *r = e->aux;
    xrows *q;
    int tofree, rc = subquery_rows(x, r, 1, &q, &tofree);
    if (rc != HDB_OK)
        return rc;
    if (e->kind == HDB_SQL_E_EXISTS)
        hdb__sql_value_int(out, q->n > 0);
    else if (q->n == 0)
        hdb__sql_value_null(out);
    else if (hdb__sql_value_copy(out, &q->r[0][0]) != HDB_OK)
        rc = nomem(x);
    rows_drop(q, tofree);
    return rc;
}

/* ---- IN ------------------------------------------------------------------ */

static int in_list(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *xv, int *res)
{
    int sawnull = 0, affx = hdb__sql_expr_aff(e->u.in.x);
    for (int i = 0; i < e->u.in.list.n; i++) {
        hdb_sql_expr *ie = e->u.in.list.a[i];
        hdb_sql_value v = HDB_SQL_NULL_INIT, a = HDB_SQL_NULL_INIT;
        int rc = hdb__sql_eval(x, c, ie, &v), eq = -1;
        if (rc == HDB_OK)
            rc = hdb__sql_value_copy(&a, xv) == HDB_OK ? HDB_OK : nomem(x);
        if (rc == HDB_OK)
            rc = cmp_values(x, &a, affx, &v, hdb__sql_expr_aff(ie), binary_coll(e->u.in.x, ie),
                            HDB_SQL_OP_EQ, &eq);
        hdb__sql_value_clear(&v);
        hdb__sql_value_clear(&a);
        if (rc != HDB_OK)
            return rc;
        if (eq == 1) {
            *res = 1;
            return HDB_OK;
        }
        if (eq < 0)
            sawnull = 1;
    }
    *res = sawnull ? -1 : 0;
    return HDB_OK;
}

static int in_select(xctx *x, hdb_sql_expr *e, hdb_sql_value *xv, int *res)
{
    xref *r = e->aux;
    if (r->sub->ncol != 1)
        return hdb__sql_err(x, HDB_ERROR, "sub-select returns %d columns - expected 1",
                            r->sub->ncol);
    xrows *q;
    int tofree, rc = subquery_rows(x, r, 0, &q, &tofree), sawnull = 0;
    if (rc != HDB_OK)
        return rc;
    int affx = hdb__sql_expr_aff(e->u.in.x), affs = r->sub->aff[0];
    int ex, coll = hdb__sql_expr_coll(e->u.in.x, &ex);
    if (coll < 0)
        coll = r->sub->coll[0] >= 0 ? r->sub->coll[0] : HDB_COLL_BINARY;
    *res = 0;
    for (size_t i = 0; i < q->n && rc == HDB_OK; i++) {
        hdb_sql_value a = HDB_SQL_NULL_INIT, b = HDB_SQL_NULL_INIT;
        int eq = -1;
        if (hdb__sql_value_copy(&a, xv) != HDB_OK || hdb__sql_value_copy(&b, &q->r[i][0]) != HDB_OK)
            rc = nomem(x);
        else
            rc = cmp_values(x, &a, affx, &b, affs, coll, HDB_SQL_OP_EQ, &eq);
        hdb__sql_value_clear(&a);
        hdb__sql_value_clear(&b);
        if (eq == 1) {
            *res = 1;
            break;
        }
        if (eq < 0)
            sawnull = 1;
    }
    if (*res == 0 && sawnull)
        *res = -1;
    rows_drop(q, tofree);
    return rc;
}

static int eval_in(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    hdb_sql_value xv = HDB_SQL_NULL_INIT;
    int rc = hdb__sql_eval(x, c, e->u.in.x, &xv), res = 0;
    if (rc != HDB_OK)
        return rc;
    int empty = !e->aux && e->u.in.list.n == 0;
    if (empty)
        res = 0;
    else if (xv.type == HDB_NULL) {
        res = -1;
        if (e->aux) { /* NULL IN (empty subquery) is false */
            xrows *q;
            int tofree;
            rc = subquery_rows(x, e->aux, 1, &q, &tofree);
            if (rc == HDB_OK && q->n == 0)
                res = 0;
            if (rc == HDB_OK)
                rows_drop(q, tofree);
        }
    } else if (e->aux)
        rc = in_select(x, e, &xv, &res);
    else
        rc = in_list(x, c, e, &xv, &res);
    hdb__sql_value_clear(&xv);
    if (rc != HDB_OK)
        return rc;
    if ((e->flags & HDB_SQL_EF_NOT) && res >= 0)
        res = !res;
    set_bool(out, res);
    return HDB_OK;
}

/* ---- the rest ------------------------------------------------------------- */

static int to_text(xctx *x, const hdb_sql_value *v, hdb_buf *b)
{
    hdb__buf_reset(b);
    hdb__sql_value_to_text(v, b);
    hdb__buf_append(b, "", 1);
    return b->oom ? nomem(x) : HDB_OK;
}

static int eval_like(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    if (e->op == HDB_SQL_OP_REGEXP || e->op == HDB_SQL_OP_MATCH)
        return hdb__sql_err(x, HDB_ERROR, "no such function: %s",
                            e->op == HDB_SQL_OP_REGEXP ? "REGEXP" : "MATCH");
    hdb_sql_value s = HDB_SQL_NULL_INIT, p = HDB_SQL_NULL_INIT, es = HDB_SQL_NULL_INIT;
    hdb_buf bs, bp;
    hdb__buf_init(&bs, NULL);
    hdb__buf_init(&bp, NULL);
    int rc = hdb__sql_eval(x, c, e->u.like.x, &s), res = -1, esc = -1;
    if (rc == HDB_OK)
        rc = hdb__sql_eval(x, c, e->u.like.pattern, &p);
    if (rc == HDB_OK && e->u.like.escape)
        rc = hdb__sql_eval(x, c, e->u.like.escape, &es);
    if (rc == HDB_OK && s.type != HDB_NULL && p.type != HDB_NULL &&
        (s.type == HDB_BLOB || p.type == HDB_BLOB)) {
        res = 0; /* as SQLite built with SQLITE_LIKE_DOESNT_MATCH_BLOBS (Debian's) */
    } else if (rc == HDB_OK && s.type != HDB_NULL && p.type != HDB_NULL &&
        (!e->u.like.escape || es.type != HDB_NULL)) {
        if (e->u.like.escape) {
            rc = to_text(x, &es, &bs);
            if (rc == HDB_OK && bs.len != 2)
                rc = hdb__sql_err(x, HDB_ERROR, "ESCAPE expression must be a single character");
            esc = rc == HDB_OK ? (unsigned char)bs.data[0] : -1;
        }
        if (rc == HDB_OK)
            rc = to_text(x, &s, &bs);
        if (rc == HDB_OK)
            rc = to_text(x, &p, &bp);
        if (rc == HDB_OK)
            res = e->op == HDB_SQL_OP_GLOB
                      ? hdb__sql_glob(bp.data, bp.len - 1, bs.data, bs.len - 1)
                      : hdb__sql_like(bp.data, bp.len - 1, bs.data, bs.len - 1, esc);
    }
    hdb__sql_value_clear(&s);
    hdb__sql_value_clear(&p);
    hdb__sql_value_clear(&es);
    hdb__buf_free(&bs);
    hdb__buf_free(&bp);
    if (rc != HDB_OK)
        return rc;
    if ((e->flags & HDB_SQL_EF_NOT) && res >= 0)
        res = !res;
    set_bool(out, res);
    return HDB_OK;
}

static int eval_case(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    hdb_sql_value op = HDB_SQL_NULL_INIT;
    int rc = HDB_OK;
    if (e->u.kase.operand && (rc = hdb__sql_eval(x, c, e->u.kase.operand, &op)) != HDB_OK)
        return rc;
    for (int i = 0; i < e->u.kase.when.n; i++) {
        hdb_sql_expr *w = e->u.kase.when.a[i];
        int hit;
        if (e->u.kase.operand) {
            hdb_sql_value a = HDB_SQL_NULL_INIT, b = HDB_SQL_NULL_INIT;
            if (hdb__sql_value_copy(&a, &op) != HDB_OK) {
                rc = nomem(x);
                break;
            }
            rc = hdb__sql_eval(x, c, w, &b);
            if (rc == HDB_OK)
                rc = cmp_values(x, &a, hdb__sql_expr_aff(e->u.kase.operand), &b,
                                hdb__sql_expr_aff(w), binary_coll(e->u.kase.operand, w),
                                HDB_SQL_OP_EQ, &hit);
            hdb__sql_value_clear(&a);
            hdb__sql_value_clear(&b);
            if (rc != HDB_OK)
                break;
        } else if ((hit = hdb__sql_eval_truth(x, c, w)) == -2) {
            rc = x->rc;
            break;
        }
        if (hit == 1) {
            hdb__sql_value_clear(&op);
            return hdb__sql_eval(x, c, e->u.kase.then.a[i], out);
        }
    }
    hdb__sql_value_clear(&op);
    if (rc != HDB_OK)
        return rc;
    if (e->u.kase.else_)
        return hdb__sql_eval(x, c, e->u.kase.else_, out);
    hdb__sql_value_null(out);
    return HDB_OK;
}

static int eval_between(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
{
    hdb_sql_value v = HDB_SQL_NULL_INIT, lo = HDB_SQL_NULL_INIT, hi = HDB_SQL_NULL_INIT;
    hdb_sql_value a = HDB_SQL_NULL_INIT;
    hdb_sql_expr *xe = e->u.between.x;
    int r1 = -1, r2 = -1;
    int rc = hdb__sql_eval(x, c, xe, &v);
    if (rc == HDB_OK)
        rc = hdb__sql_eval(x, c, e->u.between.lo, &lo);
    if (rc == HDB_OK)
        rc = hdb__sql_eval(x, c, e->u.between.hi, &hi);
    if (rc == HDB_OK && hdb__sql_value_copy(&a, &v) != HDB_OK)
        rc = nomem(x);
    if (rc == HDB_OK)
        rc = cmp_values(x, &a, hdb__sql_expr_aff(xe), &lo, hdb__sql_expr_aff(e->u.between.lo),
                        binary_coll(xe, e->u.between.lo), HDB_SQL_OP_GE, &r1);
    if (rc == HDB_OK)
        rc = cmp_values(x, &v, hdb__sql_expr_aff(xe), &hi, hdb__sql_expr_aff(e->u.between.hi),
                        binary_coll(xe, e->u.between.hi), HDB_SQL_OP_LE, &r2);
    hdb__sql_value_clear(&v);
    hdb__sql_value_clear(&lo);
    hdb__sql_value_clear(&hi);
    hdb__sql_value_clear(&a);
    if (rc != HDB_OK)
        return rc;
    int r = (r1 == 0 || r2 == 0) ? 0 : (r1 == 1 && r2 == 1) ? 1 : -1;
    if ((e->flags & HDB_SQL_EF_NOT) && r >= 0)
        r = !r;
    set_bool(out, r);
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
        return eval_compare(x, c, e, out);
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
        set_bool(out, t < 0 ? -1 : !t);
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
    case HDB_SQL_E_CASE: return eval_case(x, c, e, out);
    case HDB_SQL_E_BETWEEN: return eval_between(x, c, e, out);
    case HDB_SQL_E_IN: return eval_in(x, c, e, out);
    case HDB_SQL_E_LIKE: return eval_like(x, c, e, out);
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
        return eval_subquery(x, e, out);
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
