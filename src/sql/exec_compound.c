/*
** exec_compound.c — UNION, UNION ALL, INTERSECT and EXCEPT, and recursive
** common table expressions.
**
** HOW IT WORKS
**   Compounds run each core to the end and combine whole row sets, left
**   to right; UNION, INTERSECT and EXCEPT deduplicate by the key encoding
**   of rows under the compound's column collations and come out sorted, as
**   SQLite's.  A recursive CTE runs its seed, then feeds each step's new
**   rows to its recursive selects until a step adds nothing.
**
**   UNION goes through an external sorter (spill.c) that sorts on every
**   column and keeps the first of equal rows: the rows so far and those of
**   the next core pass through it, spilling to a temporary file beyond the
**   budget, and come back sorted and deduplicated (the first row to arrive
**   wins among equal ones, as with a hash).  INTERSECT and EXCEPT, and
**   the duplicates of a recursive CTE, use a hash of row keys in memory.
*/
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec_run.h"
#include "src/sql/spill.h"

/* A recursive CTE that never ends would exhaust memory: stop it first. */
#define HDB_SQL_MAX_RECURSIVE_ROWS 10000000

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }


static int dedupe(xctx *x, xrows *r, xrows *other, int op, const int *coll)
{
    /* op: UNION (dedupe r), INTERSECT (keep rows of r in other), EXCEPT */
    xset in_other, seen;
    memset(&in_other, 0, sizeof in_other);
    memset(&seen, 0, sizeof seen);
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    int rc = HDB_OK, added;
    for (size_t i = 0; other && i < other->n && rc == HDB_OK; i++) {
        hdb__buf_reset(&b);
        hdb__sql_row_key(&b, other->r[i], r->ncol, coll);
        if (b.oom || hdb__sql_set_find(&in_other, b.data, b.len, 0, &added) < 0)
            rc = nomem(x);
    }
    size_t k = 0, i = 0;
    for (; i < r->n && rc == HDB_OK; i++) {
        hdb__buf_reset(&b);
        hdb__sql_row_key(&b, r->r[i], r->ncol, coll);
        int keep = 0;
        if (b.oom || hdb__sql_set_find(&seen, b.data, b.len, 0, &added) < 0) {
            rc = nomem(x);
            break; /* row i and the ones after it stay */
        }
        if (added)
            keep = op == HDB_SQL_COMPOUND_UNION ||
                   hdb__sql_set_has(&in_other, b.data, b.len) == (op == HDB_SQL_COMPOUND_INTERSECT);
        if (keep)
            r->r[k++] = r->r[i];
        else
            hdb__sql_row_free(r->r[i], r->ncol);
    }
    for (; i < r->n; i++)
        r->r[k++] = r->r[i];
    r->n = k;
    hdb__buf_free(&b);
    hdb__sql_set_free(&in_other);
    hdb__sql_set_free(&seen);
    return rc;
}

/* The order of a compound's deduplicated result: every column, ascending,
 * under the compound's collations (returned-owned; NULL on NOMEM). */
static xorder *all_columns(xsel *q)
{
    xorder *o = calloc(q->ncol + 1, sizeof *o);
    for (int i = 0; o && i < q->ncol; i++) {
        o[i].col = i;
        o[i].nulls_first = -1;
        o[i].coll = q->coll[i] >= 0 ? q->coll[i] : HDB_COLL_BINARY;
    }
    return o;
}

static int sort_all(xctx *x, xsel *q, xrows *r)
{
    xorder *o = all_columns(q);
    if (!o)
        return nomem(x);
    int rc = hdb__sql_rows_sort(r, o, q->ncol);
    free(o);
    return rc == HDB_OK ? HDB_OK : nomem(x);
}

/* out UNION core k: the rows of out, then core k's, through a sorter that
 * drops repeats; out receives the result, sorted. */
static int union_core(xctx *x, xsel *q, xrows *out, int k, const xorder *o)
{
    xsorter *so;
    xrows b;
    memset(&b, 0, sizeof b);
    b.ncol = out->ncol;
    int rc = hdb__sql_sorter_open(x, out->ncol, o, q->ncol, &so);
    if (rc != HDB_OK)
        return rc;
    hdb__sql_sorter_distinct(so, 1);
    hdb__sql_sorter_attach(so, &b);
    for (size_t i = 0; i < out->n && rc == HDB_OK; i++) {
        rc = hdb__sql_rows_add(&b, out->r[i], b.ncol);
        out->r[i] = NULL;
    }
    hdb__sql_rows_clear(out);
    if (rc == HDB_OK)
        rc = hdb__sql_run_core(x, q, q->core[k], &b, 0);
    b.spill = NULL;
    if (rc == HDB_OK)
        rc = hdb__sql_sorter_rewind(so, &b);
    for (hdb_sql_value *row = NULL; rc == HDB_OK;) {
        if ((rc = hdb__sql_sorter_next(so, &row)) != HDB_OK || !row)
            break;
        rc = hdb__sql_rows_add(out, row, out->ncol);
    }
    hdb__sql_sorter_close(so);
    hdb__sql_rows_clear(&b);
    return rc == HDB_OK || x->rc == rc ? rc : nomem(x);
}

int hdb__sql_run_compound(xctx *x, xsel *q, xrows *out)
{
    xorder *o = all_columns(q);
    if (!o)
        return nomem(x);
    int rc = hdb__sql_run_core(x, q, q->core[0], out, 0), sorted = 0;
    for (int k = 1; k < q->ncore && rc == HDB_OK; k++) {
        int op = q->core[k]->ast->compound;
        if (op == HDB_SQL_COMPOUND_UNION) {
            rc = union_core(x, q, out, k, o);
            continue;
        }
        xrows r;
        memset(&r, 0, sizeof r);
        r.ncol = out->ncol;
        rc = hdb__sql_run_core(x, q, q->core[k], &r, 0);
        if (rc == HDB_OK && op == HDB_SQL_COMPOUND_UNION_ALL) {
            for (size_t i = 0; i < r.n && rc == HDB_OK; i++) {
                rc = hdb__sql_rows_add(out, r.r[i], out->ncol);
                r.r[i] = NULL;
            }
            sorted = 0;
        } else if (rc == HDB_OK) {
            rc = dedupe(x, out, &r, op, q->coll);
            sorted = 1;
        }
        for (size_t i = 0; i < r.n; i++)
            if (r.r[i])
                hdb__sql_row_free(r.r[i], r.ncol);
        free(r.r);
        if (rc == HDB_OK && sorted)
            rc = sort_all(x, q, out);
    }
    free(o);
    return rc;
}

/* A recursive CTE: the seed's rows, then each step's new rows fed back
 * to the recursive selects until a step adds nothing (UNION drops rows
 * seen before; UNION ALL keeps all, so it ends only when a step is empty
 * or the LIMIT is reached). */
int hdb__sql_run_recursive(xctx *x, xsel *q, xrows *out, int64_t limit)
{
    xrecur *r = q->recur;
    xset seen;
    memset(&seen, 0, sizeof seen);
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    int rc = hdb__sql_run_core(x, q, q->core[0], out, 0);
    size_t start = 0;
    int all = 1;
    for (int k = 1; k < q->ncore; k++)
        all &= q->core[k]->ast->compound == HDB_SQL_COMPOUND_UNION_ALL;
    if (rc == HDB_OK && !all)
        rc = dedupe(x, out, NULL, HDB_SQL_COMPOUND_UNION, q->coll);
    for (size_t i = 0; rc == HDB_OK && !all && i < out->n; i++) {
        int added;
        hdb__buf_reset(&b);
        hdb__sql_row_key(&b, out->r[i], q->ncol, q->coll);
        if (b.oom || hdb__sql_set_find(&seen, b.data, b.len, 0, &added) < 0)
            rc = nomem(x);
    }
    while (rc == HDB_OK && start < out->n && (limit < 0 || out->n < (size_t)limit)) {
        if (out->n > HDB_SQL_MAX_RECURSIVE_ROWS) {
            rc = hdb__sql_err(x, HDB_RANGE, "recursive query produced more than %d rows",
                              HDB_SQL_MAX_RECURSIVE_ROWS);
            break;
        }
        size_t end = out->n;
        r->queue.ncol = out->ncol;
        r->queue.n = r->queue.cap = end - start;
        r->queue.r = malloc(sizeof *r->queue.r * (end - start));
        if (!r->queue.r) {
            rc = nomem(x);
            break;
        }
        memcpy(r->queue.r, out->r + start, sizeof *r->queue.r * (end - start));
        for (int k = 1; k < q->ncore && rc == HDB_OK; k++) {
            xrows nw;
            memset(&nw, 0, sizeof nw);
            nw.ncol = out->ncol;
            rc = hdb__sql_run_core(x, q, q->core[k], &nw, 0);
            for (size_t i = 0; i < nw.n; i++) {
                int added = 1;
                if (rc == HDB_OK && !all) {
                    hdb__buf_reset(&b);
                    hdb__sql_row_key(&b, nw.r[i], q->ncol, q->coll);
                    if (b.oom || hdb__sql_set_find(&seen, b.data, b.len, 0, &added) < 0)
                        rc = nomem(x);
                }
                if (rc == HDB_OK && added)
                    rc = hdb__sql_rows_add(out, nw.r[i], out->ncol);
                else
                    hdb__sql_row_free(nw.r[i], nw.ncol);
            }
            free(nw.r);
        }
        free(r->queue.r);
        memset(&r->queue, 0, sizeof r->queue);
        start = end;
    }
    hdb__buf_free(&b);
    hdb__sql_set_free(&seen);
    return rc;
}
