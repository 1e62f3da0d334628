/*
** exec_cmp.c — comparisons with SQLite's affinity and collation rules:
** = <> < <= > >= IS, row values, BETWEEN, CASE, LIKE and GLOB.
**
** RULES
**   - Comparison affinity (sqlite3CompareAffinity): two operands that both
**     have an affinity (a column of any type counts, a literal does not)
**     compare numerically when either is numeric, else as they are; when
**     only one has an affinity it applies to both; numeric affinity turns
**     well-formed numeric text into a number, TEXT turns numbers to text.
**   - Collation: an explicit COLLATE on the left, then on the right, then
**     the left column's, then the right column's, else BINARY.
**   - A NULL operand gives NULL, except for IS / IS NOT.
**   - LIKE and GLOB over a BLOB are false (SQLite built with
**     SQLITE_LIKE_DOESNT_MATCH_BLOBS, as Debian's and Python's are).
*/
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec.h"

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

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

int hdb__sql_binary_coll(const hdb_sql_expr *l, const hdb_sql_expr *r)
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
int hdb__sql_cmp_values(xctx *x, hdb_sql_value *a, int affa, hdb_sql_value *b, int affb, int coll,
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

void hdb__sql_set_bool(hdb_sql_value *out, int r)
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
            rc = hdb__sql_cmp_values(x, &a, hdb__sql_expr_aff(le), &b, hdb__sql_expr_aff(re),
                            hdb__sql_binary_coll(le, re), HDB_SQL_OP_EQ, &eq);
        if (rc == HDB_OK && eq == 0 && op != HDB_SQL_OP_EQ && op != HDB_SQL_OP_NE &&
            op != HDB_SQL_OP_IS && op != HDB_SQL_OP_ISNOT)
            lt = hdb__sql_value_cmp(&a, &b, hdb__sql_binary_coll(le, re)) < 0;
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
            hdb__sql_set_bool(out, res);
            return HDB_OK;
        }
    }
    if (sawnull)
        res = -1;
    else
        res = op == HDB_SQL_OP_EQ || op == HDB_SQL_OP_IS || op == HDB_SQL_OP_LE ||
              op == HDB_SQL_OP_GE;
    hdb__sql_set_bool(out, res);
    return HDB_OK;
}

int hdb__sql_eval_compare(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
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
        hdb__sql_set_bool(out, res);
        return HDB_OK;
    }
    if (rc == HDB_OK)
        rc = hdb__sql_eval(x, c, r, &b);
    if (rc == HDB_OK)
        rc = hdb__sql_cmp_values(x, &a, hdb__sql_expr_aff(l), &b, hdb__sql_expr_aff(r), hdb__sql_binary_coll(l, r),
                        e->op, &res);
    hdb__sql_value_clear(&a);
    hdb__sql_value_clear(&b);
    if (rc == HDB_OK)
        hdb__sql_set_bool(out, res);
    return rc;
}

/* ---- the rest ------------------------------------------------------------- */

static int to_text(xctx *x, const hdb_sql_value *v, hdb_buf *b)
{
    hdb__buf_reset(b);
    hdb__sql_value_to_text(v, b);
    hdb__buf_append(b, "", 1);
    return b->oom ? nomem(x) : HDB_OK;
}

int hdb__sql_eval_like(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
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
    hdb__sql_set_bool(out, res);
    return HDB_OK;
}

int hdb__sql_eval_case(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
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
                rc = hdb__sql_cmp_values(x, &a, hdb__sql_expr_aff(e->u.kase.operand), &b,
                                hdb__sql_expr_aff(w), hdb__sql_binary_coll(e->u.kase.operand, w),
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

int hdb__sql_eval_between(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
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
        rc = hdb__sql_cmp_values(x, &a, hdb__sql_expr_aff(xe), &lo, hdb__sql_expr_aff(e->u.between.lo),
                        hdb__sql_binary_coll(xe, e->u.between.lo), HDB_SQL_OP_GE, &r1);
    if (rc == HDB_OK)
        rc = hdb__sql_cmp_values(x, &v, hdb__sql_expr_aff(xe), &hi, hdb__sql_expr_aff(e->u.between.hi),
                        hdb__sql_binary_coll(xe, e->u.between.hi), HDB_SQL_OP_LE, &r2);
    hdb__sql_value_clear(&v);
    hdb__sql_value_clear(&lo);
    hdb__sql_value_clear(&hi);
    hdb__sql_value_clear(&a);
    if (rc != HDB_OK)
        return rc;
    int r = (r1 == 0 || r2 == 0) ? 0 : (r1 == 1 && r2 == 1) ? 1 : -1;
    if ((e->flags & HDB_SQL_EF_NOT) && r >= 0)
        r = !r;
    hdb__sql_set_bool(out, r);
    return HDB_OK;
}
