/*
** exec_group.c — GROUP BY and aggregates.
**
** HOW IT WORKS
**   Each joined row is folded into its group: the key is the key encoding
**   (codec.h) of its GROUP BY values under their collations, found in a
**   hash (xset); a group keeps one state per aggregate, a set of seen
**   arguments per DISTINCT aggregate, and a copy of the last row of every
**   source (what bare columns read, as SQLite).  Groups come out in key
**   order, as SQLite's sorter gives them; a query with aggregates and no
**   GROUP BY has exactly one group, even over no rows.
**
** INVARIANTS
**   - Every aggregate state is finished (final) exactly once, which frees
**     what it holds.
**   - In memory only (no spill to a temporary file).
*/
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec_run.h"

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }


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

void hdb__sql_group_free(xcore *c, group *g, int finalize_states)
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

int hdb__sql_group_accumulate(xctx *x, runst *st)
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
    return hdb__sql_emit(x, st);
}

int hdb__sql_group_output(xctx *x, runst *st)
{
    xcore *c = st->c;
    int rc = HDB_OK;
    if (st->ng == 0 && c->ngroup == 0 && (rc = group_new(x, st, "", 0)) == HDB_OK)
        for (int s = 0; s < c->nsrc; s++)
            st->g[0].nullrow[s] = 1;
    if (rc != HDB_OK)
        return rc;
    if (st->ng > 1)
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
