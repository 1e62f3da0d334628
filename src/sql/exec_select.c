/*
** exec_select.c — running a compiled SELECT into a set of rows.
**
** HOW IT WORKS
**   A core is a nested loop over its sources in FROM order (each source
**   read by its access plan, exec_scan.c); conditions are checked at the
**   source where they were placed (exec_compile.c).  A full row is either
**   projected (result columns, then hidden ORDER BY values) or, for an
**   aggregate query, folded into its group.  Groups are kept in a hash by
**   the key encoding of their GROUP BY values and come out in that key's
**   order, as SQLite's sorter gives them.  Compounds combine whole cores;
**   UNION, INTERSECT and EXCEPT deduplicate by the key encoding of rows.
**
** INVARIANTS
**   - Every value put in an output row is an owned copy.
**   - A source's row pointer is valid only while its core runs; it is set
**     to NULL when the run ends.
**   - Sorting is in memory (no spill to a temporary file).
*/
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec.h"

typedef struct group {
    char *key;
    size_t kn;
    void **state;            /* per aggregate */
    xset *dist;              /* per aggregate (DISTINCT) or NULL */
    hdb_sql_value **rows;    /* per source: saved row, or NULL */
    int64_t *rowid;
    int *nullrow;
} group;

typedef struct runst {
    xsel *q;
    xcore *c;
    xrows *out;
    size_t stop;
    int distinct;
    xset seen;
    int *matched;
    xset *rmatch;            /* per source: ids of rows a RIGHT/FULL JOIN matched */
    int agg;
    xset gmap;
    group *g;
    size_t ng, gcap;
} runst;


/* A recursive CTE that never ends would exhaust memory: stop it first. */
#define HDB_SQL_MAX_RECURSIVE_ROWS 10000000

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

/* ---- projection ---------------------------------------------------------- */

static int emit(xctx *x, runst *st)
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
    return HDB_OK;
}

/* ---- aggregation ---------------------------------------------------------- */

static int group_new(xctx *x, runst *st, const char *k, size_t kn)
{
    xcore *c = st->c;
    if (st->ng == st->gcap) {
        size_t nc = st->gcap ? st->gcap * 2 : 16;
        group *ng = realloc(st->g, sizeof *ng * nc);
        if (!ng)
            return nomem(x);
        st->g = ng;
        st->gcap = nc;
    }
    group *g = &st->g[st->ng];
    memset(g, 0, sizeof *g);
    g->key = malloc(kn ? kn : 1);
    g->state = calloc(c->nagg + 1, sizeof *g->state);
    g->dist = calloc(c->nagg + 1, sizeof *g->dist);
    g->rows = calloc(c->nsrc + 1, sizeof *g->rows);
    g->rowid = calloc(c->nsrc + 1, sizeof *g->rowid);
    g->nullrow = calloc(c->nsrc + 1, sizeof *g->nullrow);
    st->ng++;
    if (!g->key || !g->state || !g->dist || !g->rows || !g->rowid || !g->nullrow)
        return nomem(x);
    memcpy(g->key, k, kn);
    g->kn = kn;
    for (int i = 0; i < c->nagg; i++) {
        const xref *r = c->agg[i]->aux;
        g->state[i] = calloc(1, r->fn->agg->state_size + 1);
        if (!g->state[i])
            return nomem(x);
    }
    return HDB_OK;
}

static void group_free(xcore *c, group *g, int finalize_states)
{
    for (int i = 0; g->state && i < c->nagg; i++) {
        if (g->state[i] && finalize_states) {
            const xref *r = c->agg[i]->aux;
            hdb_sql_fctx f;
            memset(&f, 0, sizeof f);
            hdb_sql_value v = HDB_SQL_NULL_INIT;
            r->fn->agg->final(&f, g->state[i], &v);
            hdb__sql_value_clear(&v);
        }
        if (g->state[i])
            free(g->state[i]);
        if (g->dist && g->dist[i].e)
            hdb__sql_set_free(&g->dist[i]);
    }
    for (int s = 0; g->rows && s < c->nsrc; s++)
        hdb__sql_row_free(g->rows[s], c->src[s].ncol);
    free(g->key), free(g->state), free(g->dist), free(g->rows), free(g->rowid), free(g->nullrow);
}

static int save_rows(xctx *x, xcore *c, group *g)
{
    for (int s = 0; s < c->nsrc; s++) {
        xsrc *src = &c->src[s];
        g->rowid[s] = src->rowid;
        g->nullrow[s] = src->nullrow || !src->row;
        if (g->nullrow[s])
            continue;
        if (!g->rows[s] && !(g->rows[s] = hdb__sql_row_new(src->ncol)))
            return nomem(x);
        for (int j = 0; j < src->ncol; j++)
            if (hdb__sql_value_copy(&g->rows[s][j], &src->row[j]) != HDB_OK)
                return nomem(x);
    }
    return HDB_OK;
}

static int agg_step(xctx *x, xcore *c, group *g, int i)
{
    hdb_sql_expr *e = c->agg[i];
    const xref *r = e->aux;
    if (e->u.func.filter) {
        int t = hdb__sql_eval_truth(x, c, e->u.func.filter);
        if (t == -2)
            return x->rc;
        if (t != 1)
            return HDB_OK;
    }
    int n = e->u.func.args.n, rc = HDB_OK;
    hdb_sql_value argv[8];
    if (n > 8)
        return hdb__sql_err(x, HDB_ERROR, "too many arguments to %s()", e->u.func.name);
    for (int k = 0; k < n; k++)
        argv[k] = (hdb_sql_value)HDB_SQL_NULL_INIT;
    for (int k = 0; k < n && rc == HDB_OK; k++)
        rc = hdb__sql_eval(x, c, e->u.func.args.a[k], &argv[k]);
    if (rc == HDB_OK && (e->flags & HDB_SQL_EF_DISTINCT) && argv[0].type != HDB_NULL) {
        hdb_buf b;
        hdb__buf_init(&b, NULL);
        int ex, coll = hdb__sql_expr_coll(e->u.func.args.a[0], &ex), added = 0;
        hdb__sql_key_append(&b, &argv[0], coll < 0 ? HDB_COLL_BINARY : coll, 0);
        if (b.oom || hdb__sql_set_find(&g->dist[i], b.data, b.len, 0, &added) < 0)
            rc = nomem(x);
        hdb__buf_free(&b);
        if (!added)
            goto done;
    }
    if (rc == HDB_OK) {
        x->f.err[0] = 0;
        rc = r->fn->agg->step(&x->f, g->state[i], n, argv);
        if (rc == HDB_ERROR)
            hdb__sql_err(x, rc, "%s", x->f.err[0] ? x->f.err : "aggregate failed");
        else if (rc != HDB_OK)
            rc = nomem(x);
    }
done:
    for (int k = 0; k < n; k++)
        hdb__sql_value_clear(&argv[k]);
    return rc;
}

static int accumulate(xctx *x, runst *st)
{
    xcore *c = st->c;
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    int rc = HDB_OK;
    for (int i = 0; i < c->ngroup && rc == HDB_OK; i++) {
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        rc = hdb__sql_eval(x, c, c->group[i], &v);
        int ex, coll = hdb__sql_expr_coll(c->group[i], &ex);
        if (rc == HDB_OK)
            hdb__sql_key_append(&b, &v, coll < 0 ? HDB_COLL_BINARY : coll, 0);
        hdb__sql_value_clear(&v);
    }
    if (rc != HDB_OK || b.oom) {
        hdb__buf_free(&b);
        return rc != HDB_OK ? rc : nomem(x);
    }
    int added;
    long gi = hdb__sql_set_find(&st->gmap, b.len ? b.data : "", b.len, (long)st->ng, &added);
    if (gi < 0 || (added && group_new(x, st, b.len ? b.data : "", b.len) != HDB_OK)) {
        hdb__buf_free(&b);
        return nomem(x);
    }
    hdb__buf_free(&b);
    group *g = &st->g[gi];
    rc = save_rows(x, c, g);
    for (int i = 0; i < c->nagg && rc == HDB_OK; i++)
        rc = agg_step(x, c, g, i);
    return rc;
}

static int gcmp(const void *a, const void *b)
{
    const group *x = a, *y = b;
    size_t n = x->kn < y->kn ? x->kn : y->kn;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->kn > y->kn) - (x->kn < y->kn);
}

static int output_group(xctx *x, runst *st, group *g)
{
    xcore *c = st->c;
    int rc = HDB_OK;
    for (int i = 0; i < c->nagg; i++) {
        const xref *r = c->agg[i]->aux;
        hdb__sql_value_clear(&c->aggval[i]);
        rc = r->fn->agg->final(&x->f, g->state[i], &c->aggval[i]);
        free(g->state[i]);
        g->state[i] = NULL;
        if (rc != HDB_OK)
            return hdb__sql_err(x, rc, "%s", x->f.err[0] ? x->f.err : "aggregate failed");
    }
    for (int s = 0; s < c->nsrc; s++) {
        c->src[s].row = g->rows[s];
        c->src[s].rowid = g->rowid[s];
        c->src[s].nullrow = g->nullrow[s] || !g->rows[s];
    }
    if (c->having) {
        int t = hdb__sql_eval_truth(x, c, c->having);
        if (t == -2)
            return x->rc;
        if (t != 1)
            return HDB_OK;
    }
    return emit(x, st);
}

static int output_groups(xctx *x, runst *st)
{
    xcore *c = st->c;
    int rc = HDB_OK;
    if (st->ng == 0 && c->ngroup == 0 && (rc = group_new(x, st, "", 0)) == HDB_OK)
        for (int s = 0; s < c->nsrc; s++)
            st->g[0].nullrow[s] = 1;
    if (rc != HDB_OK)
        return rc;
    qsort(st->g, st->ng, sizeof *st->g, gcmp);
    c->aggval = hdb__sql_row_new(c->nagg);
    if (!c->aggval)
        return nomem(x);
    for (size_t i = 0; i < st->ng && rc == HDB_OK; i++)
        rc = output_group(x, st, &st->g[i]);
    hdb__sql_row_free(c->aggval, c->nagg);
    c->aggval = NULL;
    return rc;
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
    return join(x, st, i + 1);
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
    return join(x, st, i + 1);
}

static int right_pass(xctx *x, runst *st, int i)
{
    xcore *c = st->c;
    xplan save = c->src[i].plan;
    memset(&c->src[i].plan, 0, sizeof save);
    for (int j = 0; j < i; j++) {
        c->src[j].nullrow = 1;
        c->src[j].row = NULL;
    }
    int rc = hdb__sql_scan_source(x, c, i, right_row, st);
    for (int j = 0; j < i; j++)
        c->src[j].nullrow = 0;
    c->src[i].plan = save;
    return rc;
}

static int join(xctx *x, runst *st, int i)
{
    xcore *c = st->c;
    if (i == c->nsrc)
        return st->agg ? accumulate(x, st) : emit(x, st);
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
    rc = join(x, st, i + 1);
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

static int run_core(xctx *x, xsel *q, xcore *c, xrows *out, size_t stop)
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
        rc = output_groups(x, &st);
    if (rc == HDB_SQL_STOP)
        rc = HDB_OK;
    for (size_t i = 0; i < st.ng; i++)
        group_free(c, &st.g[i], 1);
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

/* ---- compounds and the whole select --------------------------------------- */

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
    size_t k = 0;
    for (size_t i = 0; i < r->n && rc == HDB_OK; i++) {
        hdb__buf_reset(&b);
        hdb__sql_row_key(&b, r->r[i], r->ncol, coll);
        int keep = 0;
        if (b.oom || hdb__sql_set_find(&seen, b.data, b.len, 0, &added) < 0)
            rc = nomem(x);
        else if (added) {
            keep = 1;
            if (op != HDB_SQL_COMPOUND_UNION) {
                int found = 0;
                long idx = hdb__sql_set_find(&in_other, b.data, b.len, -5, &found);
                if (idx == -5) { /* was not there: undo nothing, it stays as a marker */
                    keep = op == HDB_SQL_COMPOUND_EXCEPT;
                } else
                    keep = op == HDB_SQL_COMPOUND_INTERSECT;
            }
        }
        if (keep)
            r->r[k++] = r->r[i];
        else
            hdb__sql_row_free(r->r[i], r->ncol);
    }
    if (rc == HDB_OK)
        r->n = k;
    hdb__buf_free(&b);
    hdb__sql_set_free(&in_other);
    hdb__sql_set_free(&seen);
    return rc;
}

static int sort_all(xctx *x, xsel *q, xrows *r)
{
    xorder *o = calloc(q->ncol + 1, sizeof *o);
    if (!o)
        return nomem(x);
    for (int i = 0; i < q->ncol; i++) {
        o[i].col = i;
        o[i].nulls_first = -1;
        o[i].coll = q->coll[i] >= 0 ? q->coll[i] : HDB_COLL_BINARY;
    }
    hdb__sql_rows_sort(r, o, q->ncol);
    free(o);
    return HDB_OK;
}

static int run_compound(xctx *x, xsel *q, xrows *out)
{
    int rc = run_core(x, q, q->core[0], out, 0), sorted = 0;
    for (int k = 1; k < q->ncore && rc == HDB_OK; k++) {
        xrows r;
        memset(&r, 0, sizeof r);
        r.ncol = out->ncol;
        int op = q->core[k]->ast->compound;
        rc = run_core(x, q, q->core[k], &r, 0);
        if (rc == HDB_OK && op == HDB_SQL_COMPOUND_UNION_ALL) {
            for (size_t i = 0; i < r.n && rc == HDB_OK; i++) {
                rc = hdb__sql_rows_add(out, r.r[i], out->ncol);
                r.r[i] = NULL;
            }
            sorted = 0;
        } else if (rc == HDB_OK && op == HDB_SQL_COMPOUND_UNION) {
            for (size_t i = 0; i < r.n && rc == HDB_OK; i++) {
                rc = hdb__sql_rows_add(out, r.r[i], out->ncol);
                r.r[i] = NULL;
            }
            if (rc == HDB_OK)
                rc = dedupe(x, out, NULL, op, q->coll);
            sorted = 1;
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
    return rc;
}

/* A recursive CTE: the seed's rows, then each step's new rows fed back
 * to the recursive selects until a step adds nothing (UNION drops rows
 * seen before; UNION ALL keeps all, so it ends only when a step is empty
 * or the LIMIT is reached). */
static int run_recursive(xctx *x, xsel *q, xrows *out, int64_t limit)
{
    xrecur *r = q->recur;
    xset seen;
    memset(&seen, 0, sizeof seen);
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    int rc = run_core(x, q, q->core[0], out, 0);
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
            rc = run_core(x, q, q->core[k], &nw, 0);
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
    if (q->recur) {
        int64_t bound = q->norder ? -1 : limit >= 0 ? limit + offset : -1;
        if (!q->norder && limit_hint && (bound < 0 || bound > (int64_t)limit_hint))
            bound = (int64_t)limit_hint;
        rc = run_recursive(x, q, out, bound);
    } else if (q->ncore == 1) {
        size_t stop = 0;
        int unsorted = q->norder == 0 || q->presorted;
        if (unsorted && limit >= 0)
            stop = (size_t)(limit + offset);
        if (unsorted && limit_hint && (!stop || stop > limit_hint))
            stop = limit_hint;
        if (unsorted && limit == 0)
            return HDB_OK;
        rc = run_core(x, q, q->core[0], out, stop);
    } else
        rc = run_compound(x, q, out);
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
