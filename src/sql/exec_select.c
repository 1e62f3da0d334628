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
**   - Sorting is in memory (no spill to a temporary file); ORDER BY with a
**     LIMIT keeps only the rows that can still be in the result.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec_run.h"

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

/* ---- projection ---------------------------------------------------------- */

int hdb__sql_emit(xctx *x, runst *st)
{
    xcore *c = st->c;
    int n = c->nres + c->norder;
    if (st->distinct && c->norder == 0)
        n = c->nres;
    hdb_sql_value *row = hdb__sql_row_new(st->out->ncol);
    if (!row)
        return nomem(x);
    int rc = HDB_OK;
    for (int i = 0; i < c->nres && rc == HDB_OK; i++) {
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        rc = hdb__sql_eval(x, c, c->res[i], &v);
        if (rc == HDB_OK && hdb__sql_value_copy(&row[i], &v) != HDB_OK)
            rc = nomem(x);
        hdb__sql_value_clear(&v);
    }
    for (int i = 0; i < c->norder && rc == HDB_OK && c->nres + i < st->out->ncol; i++) {
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        rc = hdb__sql_eval(x, c, c->order[i], &v);
        if (rc == HDB_OK && hdb__sql_value_copy(&row[c->nres + i], &v) != HDB_OK)
            rc = nomem(x);
        hdb__sql_value_clear(&v);
    }
    (void)n;
    if (rc == HDB_OK && st->distinct) {
        hdb_buf b;
        hdb__buf_init(&b, NULL);
        hdb__sql_row_key(&b, row, c->nres, c->nres == st->q->ncol ? st->q->coll : NULL);
        int added = 0;
        if (b.oom || hdb__sql_set_find(&st->seen, b.data, b.len, 0, &added) < 0)
            rc = nomem(x);
        hdb__buf_free(&b);
        if (rc == HDB_OK && !added) {
            hdb__sql_row_free(row, st->out->ncol);
            return HDB_OK;
        }
    }
    if (rc != HDB_OK) {
        hdb__sql_row_free(row, st->out->ncol);
        return rc;
    }
    if ((rc = hdb__sql_rows_add(st->out, row, st->out->ncol)) != HDB_OK)
        return nomem(x);
    if (st->stop && st->out->n >= st->stop)
        return HDB_SQL_STOP;
    /* ORDER BY .. LIMIT k: whenever 2k rows (and some) have come, keep the
     * first k in order.  The sort is stable, so the rows kept are those a
     * full sort would keep; memory stays O(k), time O(n log k). */
    if (st->q->topn && st->out->n >= 2 * st->q->topn + 64 &&
        hdb__sql_rows_top(st->out, st->q->order, st->q->norder, st->q->topn) != HDB_OK)
        return nomem(x);
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
        if (rc == HDB_OK)
            rc = hdb__sql_rows_add(st->out, row, st->out->ncol);
        else
            hdb__sql_row_free(row, st->out->ncol);
        if (rc != HDB_OK)
            return rc;
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
        int rc = s->sub ? hdb__sql_run_select(x, s->sub, s->mat, hint) : master_rows(x, s->mat);
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
    for (size_t i = 0; i < st.ng; i++)
        hdb__sql_group_free(c, &st.g[i], 1);
    free(st.g);
    hdb__sql_set_free(&st.gmap);
    hdb__sql_set_free(&st.seen);
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
        q->topn = !unsorted && limit > 0 && offset < INT32_MAX && limit < INT32_MAX
                      ? (size_t)(limit + offset) : 0;
        rc = hdb__sql_run_core(x, q, q->core[0], out, stop);
        q->topn = topn;
    } else
        rc = hdb__sql_run_compound(x, q, out);
    if (rc != HDB_OK)
        return rc;
    if (q->norder && !q->presorted)
        hdb__sql_rows_sort(out, q->order, q->norder);
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
