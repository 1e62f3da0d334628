/*
** exec_subq.c — subqueries in expressions: scalar (SELECT ..), EXISTS,
** and IN over a list, a subquery or a table.
**
** CACHING
**   A subquery that reads nothing of the rows around it (not correlated)
**   runs once per statement run: its rows are kept on its xref and listed
**   in x->caches, dropped when the run ends.  A correlated one runs each
**   time, with a row limit of 1 where one row is enough.
**
** IN
**   x IN (..) is 1 when some element equals x, else NULL when x or some
**   comparison was NULL, else 0; an empty list or subquery gives 0 even
**   for a NULL x.  NOT IN negates (NULL stays NULL).
*/
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec.h"

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

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

int hdb__sql_eval_subquery(xctx *x, hdb_sql_expr *e, hdb_sql_value *out)
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
            /* x IN (list) compares by the affinity of x alone (SQLite's
             * OP_Eq with that affinity): the list's own affinities play no
             * part, so "3 IN (textcol)" is false where "3 = textcol" is not */
            rc = hdb__sql_cmp_values(x, &a, affx, &v, HDB_AFF_NONE, hdb__sql_binary_coll(e->u.in.x, ie),
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

/* An uncorrelated IN (SELECT ..) keeps its rows converted by the
 * comparison affinity and sorted, so each probe is a binary search rather
 * than a pass over every row.  0 when the set could not be prepared. */
static int in_sorted_prepare(xref *r, int aff, int coll)
{
    xrows *q = r->set;
    xorder o = {0, 0, 1, coll};
    for (size_t i = 0; i < q->n; i++)
        if (hdb__sql_apply_cmp(&q->r[i][0], aff) != HDB_OK)
            return 0;
    if (hdb__sql_rows_sort(q, &o, 1) != HDB_OK)
        return 0;
    r->set_sorted = 1;
    return 1;
}

/* x (converted) against the sorted set: 1, 0 or -1 (no match, a NULL in it). */
static int in_sorted_probe(const xrows *q, const hdb_sql_value *xv, int coll)
{
    size_t lo = 0, hi = q->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = hdb__sql_value_cmp(&q->r[mid][0], xv, coll);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return q->n && q->r[0][0].type == HDB_NULL ? -1 : 0;
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
    if (!r->correlated && q == r->set && q->n > 8) {
        int aff = hdb__sql_cmp_affinity(affx, affs);
        if (r->set_sorted || in_sorted_prepare(r, aff, coll)) {
            hdb_sql_value a = HDB_SQL_NULL_INIT;
            if (hdb__sql_value_copy(&a, xv) != HDB_OK || hdb__sql_apply_cmp(&a, aff) != HDB_OK)
                rc = nomem(x);
            else
                *res = in_sorted_probe(q, &a, coll);
            hdb__sql_value_clear(&a);
            return rc;
        }
    }
    for (size_t i = 0; i < q->n && rc == HDB_OK; i++) {
        hdb_sql_value a = HDB_SQL_NULL_INIT, b = HDB_SQL_NULL_INIT;
        int eq = -1;
        if (hdb__sql_value_copy(&a, xv) != HDB_OK || hdb__sql_value_copy(&b, &q->r[i][0]) != HDB_OK)
            rc = nomem(x);
        else
            rc = hdb__sql_cmp_values(x, &a, affx, &b, affs, coll, HDB_SQL_OP_EQ, &eq);
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

int hdb__sql_eval_in(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out)
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
    hdb__sql_set_bool(out, res);
    return HDB_OK;
}
