/*
** exec_select.c — running a compiled SELECT into a set of rows.
**
** HOW IT WORKS
**   A core is a nested loop over its sources in the chosen join order
**   (plan.c; each source read by its access plan, exec_scan.c); conditions
**   are checked at the level where they were placed (exec_where.c).  A
**   full row is either projected (result columns, then hidden ORDER BY
**   values) or, for an aggregate query, folded into its group
**   (exec_group.c).  Compounds and recursive CTEs are in exec_compound.c.
**
** INVARIANTS
**   - Every value put in an output row is an owned copy.
**   - A source's row pointer is valid only while its core runs; it is set
**     to NULL when the run ends.
**   - ORDER BY of a simple select sorts through an external sorter
**     (spill.c): the output rows are its batch, so once they hold more than
**     the budget they go to a temporary file as sorted runs, and the
**     merged runs are read back past OFFSET up to LIMIT.  While nothing
**     has spilled, the sort stays the in-memory one.  ORDER BY with a
**     LIMIT keeps only the rows that can still be in the result (in the
**     batch and in every run).
**   - DISTINCT keeps the keys of the rows seen in a hash up to the budget,
**     then sorts the rows of keys not in it (see "DISTINCT" below): the
**     same rows in the same order as an unbounded hash.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec_run.h"
#include "src/sql/spill.h"

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

/* A failed hdb__sql_rows_add: out of memory, or the error its sorter
 * reported (a temporary file that cannot be written). */
static int add_failed(xctx *x, int rc) { return x->rc == rc ? rc : nomem(x); }

/* ---- DISTINCT ------------------------------------------------------------ */

/* The keys of the rows seen are kept in a hash (`seen`) until they hold
 * the budget.  From then on a row whose key is not in the hash is new to
 * the hash phase; it goes, with its key and arrival number, to a sorter by
 * key that keeps the first of equal keys.  At the end those rows are put
 * back in arrival order (a second sorter, by arrival number) and added to
 * the output after the rows of the hash phase, which all came earlier: the
 * output is the rows, and their order, of an unbounded hash. */

static int dspill_start(xctx *x, runst *st)
{
    memset(&st->dbatch, 0, sizeof st->dbatch);
    st->dbatch.ncol = 2 + st->out->ncol;
    static const xorder by_key = {0, 0, -1, HDB_COLL_BINARY};
    int rc = hdb__sql_sorter_open(x, st->dbatch.ncol, &by_key, 1, &st->dspill);
    if (rc != HDB_OK)
        return rc;
    hdb__sql_sorter_distinct(st->dspill, 1);
    hdb__sql_sorter_attach(st->dspill, &st->dbatch);
    return HDB_OK;
}

/* Send row (taken) with its key to the sorter of new keys. */
static int dspill_add(xctx *x, runst *st, const hdb_buf *key, hdb_sql_value *row)
{
    int n = st->dbatch.ncol;
    hdb_sql_value *r = hdb__sql_row_new(n);
    if (!r || hdb__sql_value_blob(&r[0], key->data, key->len) != HDB_OK) {
        hdb__sql_row_free(r, n);
        hdb__sql_row_free(row, st->out->ncol);
        return nomem(x);
    }
    hdb__sql_value_int(&r[1], st->dseq++);
    memcpy(r + 2, row, sizeof *row * (size_t)st->out->ncol); /* the values move */
    free(row);
    int rc = hdb__sql_rows_add(&st->dbatch, r, n);
    return rc == HDB_OK ? HDB_OK : add_failed(x, rc);
}

/* Is row a repeat?  *taken says the row was consumed (dropped or sent to
 * the sorter); else the caller keeps (or frees, on error) it. */
static int distinct_row(xctx *x, runst *st, hdb_sql_value *row, int *taken)
{
    xcore *c = st->c;
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__sql_row_key(&b, row, c->nres, c->nres == st->q->ncol ? st->q->coll : NULL);
    int added = 0, rc = HDB_OK;
    *taken = 0;
    if (b.oom) {
        rc = nomem(x);
    } else if (st->dspill && hdb__sql_set_has(&st->seen, b.data, b.len)) {
        *taken = 1;
        hdb__sql_row_free(row, st->out->ncol);
    } else if (st->dspill) {
        *taken = 1;
        rc = dspill_add(x, st, &b, row);
    } else if (hdb__sql_set_find(&st->seen, b.data, b.len, 0, &added) < 0) {
        rc = nomem(x);
    } else if (!added) {
        *taken = 1;
        hdb__sql_row_free(row, st->out->ncol);
    } else if ((st->dbytes += b.len + 80) > hdb__sql_spill_budget(x)) {
        rc = dspill_start(x, st);
    }
    hdb__buf_free(&b);
    return rc;
}

/* The rows of new keys, in arrival order, to the output. */
static int distinct_finish(xctx *x, runst *st)
{
    static const xorder by_seq = {1, 0, -1, HDB_COLL_BINARY};
    xsorter *so = NULL;
    xrows b;
    memset(&b, 0, sizeof b);
    b.ncol = st->dbatch.ncol;
    hdb_sql_value *r = NULL;
    int rc = hdb__sql_sorter_rewind(st->dspill, &st->dbatch);
    if (rc == HDB_OK && (rc = hdb__sql_sorter_open(x, b.ncol, &by_seq, 1, &so)) == HDB_OK)
        hdb__sql_sorter_attach(so, &b);
    while (rc == HDB_OK && (rc = hdb__sql_sorter_next(st->dspill, &r)) == HDB_OK && r)
        rc = hdb__sql_rows_add(&b, r, b.ncol);
    hdb__sql_sorter_close(st->dspill);
    st->dspill = NULL;
    b.spill = NULL;
    if (rc == HDB_OK)
        rc = hdb__sql_sorter_rewind(so, &b);
    while (rc == HDB_OK && !(st->stop && st->out->n >= st->stop) &&
           (rc = hdb__sql_sorter_next(so, &r)) == HDB_OK && r) {
        hdb__sql_value_clear(&r[0]);
        memmove(r, r + 2, sizeof *r * (size_t)st->out->ncol);
        rc = hdb__sql_rows_add(st->out, r, st->out->ncol);
    }
    hdb__sql_sorter_close(so);
    hdb__sql_rows_clear(&b);
    return rc == HDB_OK ? HDB_OK : add_failed(x, rc);
}

/* ---- projection ---------------------------------------------------------- */

/* The expression of output column col of core c (NULL: none). */
static hdb_sql_expr *out_expr(const xcore *c, int col)
{
    if (col < c->nres)
        return c->res[col];
    return col - c->nres < c->norder ? c->order[col - c->nres] : NULL;
}

/* ORDER BY .. LIMIT k once k rows are kept: evaluate only the order keys
 * of the row into st->probe and say whether it sorts at or after the k-th
 * kept row.  Such a row can never be among the first k (the kept ones are
 * earlier, and the sort is stable), so it is dropped before it is built.
 * The keys are evaluated one at a time, each compared at once: the first
 * that differs from the k-th row's decides, and the later ones are not
 * evaluated (most rows differ in the first key). */
static int top_reject(xctx *x, runst *st, int *reject)
{
    const xsel *q = st->q;
    *reject = 0;
    if (!st->probe && !(st->probe = hdb__sql_row_new(st->out->ncol)))
        return nomem(x);
    for (int i = 0; i < q->norder; i++) {
        int col = q->order[i].col;
        hdb_sql_expr *e = col < st->out->ncol ? out_expr(st->c, col) : NULL;
        if (!e)
            return HDB_OK;
        const hdb_sql_value *v = hdb__sql_column_now(st->c, e); /* a column: where it is */
        if (!v) {
            hdb__sql_value_clear(&st->probe[col]);
            int rc = hdb__sql_eval(x, st->c, e, &st->probe[col]);
            if (rc != HDB_OK)
                return rc;
            v = &st->probe[col];
        }
        int c = hdb__sql_order_cmp(v, &st->thr[col], &q->order[i]);
        if (c) {
            *reject = c > 0;
            return HDB_OK;
        }
    }
    *reject = 1; /* equal to the k-th row: after it (stable) */
    return HDB_OK;
}

/* After a pruning: the k-th row is the new bound. */
static int top_bound(xctx *x, runst *st)
{
    int ncol = st->out->ncol;
    const hdb_sql_value *k = st->out->r[st->q->topn - 1];
    hdb_sql_value *t = hdb__sql_row_new(ncol);
    for (int i = 0; t && i < ncol; i++)
        if (hdb__sql_value_copy(&t[i], &k[i]) != HDB_OK) {
            hdb__sql_row_free(t, ncol);
            t = NULL;
        }
    if (!t)
        return nomem(x);
    hdb__sql_row_free(st->thr, ncol);
    st->thr = t;
    return HDB_OK;
}

int hdb__sql_emit(xctx *x, runst *st)
{
    xcore *c = st->c;
    int rc = HDB_OK;
    if (st->thr && !st->distinct) {
        int reject;
        if ((rc = top_reject(x, st, &reject)) != HDB_OK || reject)
            return rc;
    }
    hdb_sql_value *row = hdb__sql_row_new(st->out->ncol);
    if (!row)
        return nomem(x);
    for (int i = 0; i < c->nres + c->norder && rc == HDB_OK && i < st->out->ncol; i++) {
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        rc = hdb__sql_eval(x, c, out_expr(c, i), &v);
        if (rc == HDB_OK && hdb__sql_value_copy(&row[i], &v) != HDB_OK)
            rc = nomem(x);
        hdb__sql_value_clear(&v);
    }
    if (rc == HDB_OK && st->distinct) {
        int taken = 0;
        rc = distinct_row(x, st, row, &taken);
        if (taken)
            return rc;
    }
    if (rc != HDB_OK) {
        hdb__sql_row_free(row, st->out->ncol);
        return rc;
    }
    if ((rc = hdb__sql_rows_add(st->out, row, st->out->ncol)) != HDB_OK)
        return add_failed(x, rc);
    if (st->stop && st->out->n >= st->stop)
        return HDB_SQL_STOP;
    /* ORDER BY .. LIMIT k: whenever 2k rows (and some) have come, keep the
     * first k in order.  The sort is stable, so the rows kept are those a
     * full sort would keep; memory stays O(k), time O(n log k). */
    if (st->q->topn && st->out->n >= 2 * st->q->topn + 64) {
        if (hdb__sql_rows_top(st->out, st->q->order, st->q->norder, st->q->topn) != HDB_OK)
            return nomem(x);
        return top_bound(x, st);
    }
    return HDB_OK;
}

/* ---- the join loop -------------------------------------------------------- */

static int join(xctx *x, runst *st, int i);

static int right_mark(xctx *x, runst *st, xsrc *s, int i)
{
    int added;
    if (!s->right)
        return HDB_OK;
    return hdb__sql_set_find(&st->rmatch[i], &s->rowid, sizeof s->rowid, 0, &added) < 0 ? nomem(x)
                                                                                       : HDB_OK;
}

static int level_row(xctx *x, xcore *c, int i, void *arg)
{
    runst *st = arg;
    xsrc *s = &c->src[i];
    for (int k = 0; k < s->ncond; k++) {
        if (k == s->non) {
            st->matched[i] = 1;
            if (right_mark(x, st, s, i) != HDB_OK)
                return x->rc;
        }
        int t = hdb__sql_eval_truth(x, c, s->cond[k]);
        if (t == -2)
            return x->rc;
        if (t != 1)
            return HDB_OK;
    }
    if (s->ncond == s->non && right_mark(x, st, s, i) != HDB_OK)
        return x->rc;
    st->matched[i] = 1;
    return join(x, st, HDB_SQL_SRC_LEVEL(c, i) + 1);
}

/* RIGHT/FULL JOIN: a row of source i that no earlier row matched. */
static int right_row(xctx *x, xcore *c, int i, void *arg)
{
    runst *st = arg;
    xsrc *s = &c->src[i];
    int added;
    long r = hdb__sql_set_find(&st->rmatch[i], &s->rowid, sizeof s->rowid, 0, &added);
    if (r < 0)
        return nomem(x);
    if (!added)
        return HDB_OK;
    for (int k = s->non; k < s->ncond; k++) {
        int t = hdb__sql_eval_truth(x, c, s->cond[k]);
        if (t == -2)
            return x->rc;
        if (t != 1)
            return HDB_OK;
    }
    return join(x, st, HDB_SQL_SRC_LEVEL(c, i) + 1);
}

static int right_pass(xctx *x, runst *st, int i)
{
    xcore *c = st->c;
    xplan save = c->src[i].plan;
    memset(&c->src[i].plan, 0, sizeof save);
    for (int lv = 0; lv < HDB_SQL_SRC_LEVEL(c, i); lv++) {
        c->src[HDB_SQL_LEVEL_SRC(c, lv)].nullrow = 1;
        c->src[HDB_SQL_LEVEL_SRC(c, lv)].row = NULL;
    }
    int rc = hdb__sql_scan_source(x, c, i, right_row, st);
    for (int lv = 0; lv < HDB_SQL_SRC_LEVEL(c, i); lv++)
        c->src[HDB_SQL_LEVEL_SRC(c, lv)].nullrow = 0;
    c->src[i].plan = save;
    return rc;
}

/* Run the join from level lv on (the sources before it have their rows). */
static int join(xctx *x, runst *st, int lv)
{
    xcore *c = st->c;
    if (lv == c->nsrc)
        return st->agg ? hdb__sql_group_accumulate(x, st) : hdb__sql_emit(x, st);
    int i = HDB_SQL_LEVEL_SRC(c, lv);
    xsrc *s = &c->src[i];
    st->matched[i] = 0;
    int rc = hdb__sql_scan_source(x, c, i, level_row, st);
    if (rc != HDB_OK || !s->left || st->matched[i])
        return rc;
    s->nullrow = 1;
    for (int k = s->non; k < s->ncond; k++) {
        int t = hdb__sql_eval_truth(x, c, s->cond[k]);
        if (t != 1) {
            s->nullrow = 0;
            return t == -2 ? x->rc : HDB_OK;
        }
    }
    rc = join(x, st, lv + 1);
    s->nullrow = 0;
    return rc;
}

/* ---- cores ---------------------------------------------------------------- */

static int run_values(xctx *x, runst *st)
{
    xcore *c = st->c;
    hdb_sql_core *k = c->ast;
    for (int r = 0; r < k->nvalues; r++) {
        hdb_sql_value *row = hdb__sql_row_new(st->out->ncol);
        if (!row)
            return nomem(x);
        int rc = HDB_OK;
        for (int i = 0; i < k->values[r].n && rc == HDB_OK; i++) {
            hdb_sql_value v = HDB_SQL_NULL_INIT;
            rc = hdb__sql_eval(x, c, k->values[r].a[i], &v);
            if (rc == HDB_OK && hdb__sql_value_copy(&row[i], &v) != HDB_OK)
                rc = nomem(x);
            hdb__sql_value_clear(&v);
        }
        if (rc == HDB_OK && (rc = hdb__sql_rows_add(st->out, row, st->out->ncol)) != HDB_OK)
            return add_failed(x, rc);
        if (rc != HDB_OK) {
            hdb__sql_row_free(row, st->out->ncol);
            return rc;
        }
    }
    return HDB_OK;
}

static int master_rows(xctx *x, xrows *m)
{
    hdb_sql_schema *s = x->schema;
    m->ncol = 5;
    for (int i = 0; s && i < s->nent; i++) {
        hdb_sql_entry *e = &s->ent[i];
        hdb_sql_value *row = hdb__sql_row_new(5);
        if (!row)
            return nomem(x);
        const char *t[5] = {e->type, e->name, e->tbl, NULL, e->sql};
        int rc = HDB_OK;
        for (int j = 0; j < 5; j++)
            if (t[j] && hdb__sql_value_text(&row[j], t[j], strlen(t[j])) != HDB_OK)
                rc = HDB_NOMEM;
        hdb__sql_value_int(&row[3], (int64_t)e->id);
        if (rc == HDB_OK)
            rc = hdb__sql_rows_add(m, row, 5);
        else
            hdb__sql_row_free(row, 5);
        if (rc != HDB_OK)
            return nomem(x);
        hdb_sql_table *tb = strcmp(e->type, "table") ? NULL : hdb__sql_table_find(s, e->name);
        for (hdb_sql_index *ix = tb ? tb->indexes : NULL; ix; ix = ix->next) {
            if (!ix->autoidx)
                continue;
            if (!(row = hdb__sql_row_new(5)))
                return nomem(x);
            hdb__sql_value_int(&row[3], (int64_t)e->id);
            if (hdb__sql_value_text(&row[0], "index", 5) != HDB_OK ||
                hdb__sql_value_text(&row[1], ix->name, strlen(ix->name)) != HDB_OK ||
                hdb__sql_value_text(&row[2], tb->name, strlen(tb->name)) != HDB_OK) {
                hdb__sql_row_free(row, 5);
                return nomem(x);
            }
            if (hdb__sql_rows_add(m, row, 5) != HDB_OK) /* frees row */
                return nomem(x);
        }
    }
    return HDB_OK;
}

static int sources_open(xctx *x, xcore *c, size_t stop)
{
    /* A lone source read with no condition needs no more rows than the
     * core will output (lets LIMIT end an unbounded recursive CTE). */
    size_t hint = 0;
    if (stop && c->nsrc == 1 && !c->ntop && !c->src[0].ncond && !c->is_agg &&
        !(c->ast && c->ast->distinct))
        hint = stop;
    for (int i = 0; i < c->nsrc; i++) {
        xsrc *s = &c->src[i];
        s->nullrow = 0;
        s->row = NULL;
        if (s->tab) {
            int rc = hdb__sql_source_defaults(x, s);
            if (rc != HDB_OK)
                return rc;
            continue;
        }
        if (s->queue_of) {
            s->mat = &s->queue_of->queue;
            continue;
        }
        if (!(s->mat = calloc(1, sizeof *s->mat)))
            return nomem(x);
        int rc = s->sub             ? hdb__sql_run_select(x, s->sub, s->mat, hint)
                 : s->is_master == 2 ? hdb__sql_seq_rows(x, s->mat)
                                     : master_rows(x, s->mat);
        if (rc != HDB_OK)
            return rc;
    }
    return HDB_OK;
}

static void sources_close(xcore *c)
{
    for (int i = 0; i < c->nsrc; i++) {
        xsrc *s = &c->src[i];
        if (s->mat && !s->queue_of) {
            hdb__sql_rows_clear(s->mat);
            free(s->mat);
        }
        s->mat = NULL;
        hdb__sql_row_free(s->rowbuf, s->ncol);
        hdb__sql_row_free(s->dflt, s->ncol);
        s->rowbuf = s->dflt = s->row = NULL;
        s->nullrow = 0;
    }
}

int hdb__sql_run_core(xctx *x, xsel *q, xcore *c, xrows *out, size_t stop)
{
    runst st;
    memset(&st, 0, sizeof st);
    st.q = q, st.c = c, st.out = out, st.stop = stop;
    st.distinct = c->ast && c->ast->distinct;
    st.agg = c->is_agg;
    if (c->ast && c->ast->is_values)
        return run_values(x, &st);
    int rc = sources_open(x, c, stop);
    if (rc == HDB_OK && !(st.matched = calloc(c->nsrc + 1, sizeof(int))))
        rc = nomem(x);
    int pass = 1;
    for (int i = 0; rc == HDB_OK && i < c->ntop && pass; i++) {
        int t = hdb__sql_eval_truth(x, c, c->top[i]);
        if (t == -2)
            rc = x->rc;
        pass = t == 1;
    }
    if (rc == HDB_OK && !(st.rmatch = calloc(c->nsrc + 1, sizeof *st.rmatch)))
        rc = nomem(x);
    if (rc == HDB_OK && pass)
        rc = join(x, &st, 0);
    for (int i = 0; i < c->nsrc && pass && rc == HDB_OK; i++)
        if (c->src[i].right)
            rc = right_pass(x, &st, i);
    if (rc == HDB_SQL_STOP)
        rc = HDB_OK;
    if (rc == HDB_OK && st.agg)
        rc = hdb__sql_group_output(x, &st);
    if (rc == HDB_SQL_STOP)
        rc = HDB_OK;
    if (rc == HDB_OK && st.dspill)
        rc = distinct_finish(x, &st);
    hdb__sql_sorter_close(st.dspill);
    hdb__sql_rows_clear(&st.dbatch);
    hdb__sql_group_end(&st);
    hdb__sql_set_free(&st.seen);
    hdb__sql_row_free(st.thr, out->ncol);
    hdb__sql_row_free(st.probe, out->ncol);
    free(st.matched);
    for (int i = 0; st.rmatch && i < c->nsrc; i++)
        hdb__sql_set_free(&st.rmatch[i]);
    free(st.rmatch);
    sources_close(c);
    return rc;
}

static int eval_limit(xctx *x, xsel *q, hdb_sql_expr *e, int64_t *v)
{
    hdb_sql_value r = HDB_SQL_NULL_INIT;
    int rc = hdb__sql_eval(x, q->limcore, e, &r);
    if (rc != HDB_OK)
        return rc;
    if (hdb__sql_apply_affinity(&r, HDB_AFF_INTEGER) != HDB_OK)
        rc = nomem(x);
    else if (r.type != HDB_INTEGER)
        rc = hdb__sql_err(x, HDB_ERROR, "datatype mismatch");
    else
        *v = r.u.i;
    hdb__sql_value_clear(&r);
    return rc;
}

/* a + b for a, b >= 0, saturating at INT64_MAX. */
static int64_t sat_add(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* Read the sorted rows of so into out: skip offset, keep up to limit
 * (-1: all). */
static int drain(xctx *x, xsorter *so, xrows *out, int64_t limit, int64_t offset)
{
    int rc = HDB_OK;
    while (limit < 0 || (int64_t)out->n < limit) {
        hdb_sql_value *row;
        if ((rc = hdb__sql_sorter_next(so, &row)) != HDB_OK || !row)
            break;
        if (offset > 0) {
            offset--;
            hdb__sql_row_free(row, out->ncol);
        } else if ((rc = hdb__sql_rows_add(out, row, out->ncol)) != HDB_OK) {
            rc = add_failed(x, rc);
            break;
        }
    }
    return rc;
}

/* Run the one core of q with out as the batch of an external sorter
 * ordering by o (no == 0: arrival order, for a large unsorted result).
 * *spilled tells whether runs went to a file: then out holds the final
 * rows (OFFSET and LIMIT applied), or, if out is the statement's result
 * (x->stream_to), nothing: hdb_step reads them from the sorter (exec.h,
 * xrows); else out holds every row, unsorted. */
static int run_sorted(xctx *x, xsel *q, const xorder *o, int no, xrows *out, int64_t limit,
                      int64_t offset, int *spilled)
{
    xsorter *so;
    *spilled = 0;
    int rc = hdb__sql_sorter_open(x, out->ncol, o, no, &so);
    if (rc != HDB_OK)
        return rc;
    hdb__sql_sorter_keep(so, q->topn);
    hdb__sql_sorter_attach(so, out);
    rc = hdb__sql_run_core(x, q, q->core[0], out, 0);
    out->spill = NULL;
    if (rc == HDB_OK && hdb__sql_sorter_runs(so)) {
        *spilled = 1;
        rc = hdb__sql_sorter_rewind(so, out);
        if (rc == HDB_OK && out == x->stream_to) { /* read row by row by hdb_step */
            out->stream = so;
            out->stream_skip = offset;
            out->stream_left = limit;
            return HDB_OK;
        }
        if (rc == HDB_OK)
            rc = drain(x, so, out, limit, offset);
    }
    hdb__sql_sorter_close(so);
    return rc;
}

/* The one core of q, unsorted, into the statement's result: a sorter in
 * arrival order is attached only once the rows outgrow the budget
 * (exec_rows.c), and if it wrote runs, hdb_step reads them back. */
static int run_streamed(xctx *x, xsel *q, xrows *out, int64_t limit, int64_t offset,
                        int *spilled)
{
    *spilled = 0;
    out->lazy = x;
    out->lazy_bytes = 0;
    out->lazy_budget = hdb__sql_spill_budget(x);
    int rc = hdb__sql_run_core(x, q, q->core[0], out, 0);
    out->lazy = NULL;
    xsorter *so = out->spill;
    out->spill = NULL;
    if (!so)
        return rc;
    if (rc == HDB_OK && hdb__sql_sorter_runs(so)) {
        *spilled = 1;
        if ((rc = hdb__sql_sorter_rewind(so, out)) == HDB_OK) {
            out->stream = so;
            out->stream_skip = offset;
            out->stream_left = limit;
            return HDB_OK;
        }
    }
    hdb__sql_sorter_close(so);
    return rc;
}

/* ORDER BY of a compound or recursive result already in out: its rows
 * move through an external sorter (spilling beyond the budget as they
 * go) and come back past OFFSET up to LIMIT. */
static int sort_result(xctx *x, xsel *q, xrows *out, int64_t limit, int64_t offset)
{
    xsorter *so;
    xrows b;
    memset(&b, 0, sizeof b);
    b.ncol = out->ncol;
    int rc = hdb__sql_sorter_open(x, out->ncol, q->order, q->norder, &so);
    if (rc != HDB_OK)
        return rc;
    if (limit >= 0 && offset < INT32_MAX && limit < INT32_MAX)
        hdb__sql_sorter_keep(so, (size_t)(limit + offset));
    hdb__sql_sorter_attach(so, &b);
    for (size_t i = 0; i < out->n && rc == HDB_OK; i++) {
        rc = hdb__sql_rows_add(&b, out->r[i], b.ncol);
        out->r[i] = NULL;
    }
    hdb__sql_rows_clear(out);
    b.spill = NULL;
    if (rc == HDB_OK)
        rc = hdb__sql_sorter_rewind(so, &b);
    if (rc == HDB_OK)
        rc = drain(x, so, out, limit, offset);
    hdb__sql_sorter_close(so);
    hdb__sql_rows_clear(&b);
    return rc == HDB_OK ? HDB_OK : add_failed(x, rc);
}

int hdb__sql_run_select(xctx *x, xsel *q, xrows *out, size_t limit_hint)
{
    int64_t limit = -1, offset = 0;
    int rc = HDB_OK;
    out->ncol = q->ncol + q->nextra;
    if (q->limit && (rc = eval_limit(x, q, q->limit, &limit)) != HDB_OK)
        return rc;
    if (q->offset && (rc = eval_limit(x, q, q->offset, &offset)) != HDB_OK)
        return rc;
    if (offset < 0)
        offset = 0;
    if (limit == 0) /* as SQLite: nothing runs (a compound or sort included) */
        return HDB_OK;
    if (q->recur) {
        int64_t bound = q->norder ? -1 : limit >= 0 ? sat_add(limit, offset) : -1;
        if (!q->norder && limit_hint && (bound < 0 || bound > (int64_t)limit_hint))
            bound = (int64_t)limit_hint;
        rc = hdb__sql_run_recursive(x, q, out, bound);
    } else if (q->ncore == 1) {
        size_t stop = 0;
        int unsorted = q->norder == 0 || q->presorted;
        if (unsorted && limit >= 0)
            stop = (size_t)sat_add(limit, offset);
        if (unsorted && limit_hint && (!stop || stop > limit_hint))
            stop = limit_hint;
        if (unsorted && limit == 0)
            return HDB_OK;
        size_t topn = q->topn;
        int spilled = 0;
        q->topn = !unsorted && limit > 0 && offset < INT32_MAX && limit < INT32_MAX
                      ? (size_t)(limit + offset) : 0;
        if (unsorted && !stop && out == x->stream_to) /* a large result streams */
            rc = run_streamed(x, q, out, limit, offset, &spilled);
        else if (unsorted)
            rc = hdb__sql_run_core(x, q, q->core[0], out, stop);
        else
            rc = run_sorted(x, q, q->order, q->norder, out, limit, offset, &spilled);
        q->topn = topn;
        if (spilled || rc != HDB_OK)
            return rc;
    } else
        rc = hdb__sql_run_compound(x, q, out);
    if (rc != HDB_OK)
        return rc;
    if (q->norder && !q->presorted)
        return sort_result(x, q, out, limit, offset);
    size_t off = (size_t)offset < out->n ? (size_t)offset : out->n;
    if (off) {
        for (size_t i = 0; i < off; i++)
            hdb__sql_row_free(out->r[i], out->ncol);
        memmove(out->r, out->r + off, sizeof *out->r * (out->n - off));
        out->n -= off;
    }
    if (limit >= 0 && (size_t)limit < out->n) {
        for (size_t i = (size_t)limit; i < out->n; i++)
            hdb__sql_row_free(out->r[i], out->ncol);
        out->n = (size_t)limit;
    }
    return HDB_OK;
}
