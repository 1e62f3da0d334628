/*
** exec_group.c — GROUP BY and aggregates.
**
** HOW IT WORKS
**   Each joined row is folded into its group: the key is the key encoding
**   (codec.h) of its GROUP BY values under their collations, found in a
**   hash (xset); a group keeps one state per aggregate, a set of seen
**   arguments per DISTINCT aggregate, and a copy of the last row of every
**   source (what bare columns read, as SQLite) when the output reads any
**   (reads_row: result columns, HAVING, ORDER BY; otherwise the rows are
**   not copied and read as null rows).  A query without GROUP BY has its
**   one group made directly, with no key and no hash.  Groups come out in key
**   order, as SQLite's sorter gives them; a query with aggregates and no
**   GROUP BY has exactly one group, even over no rows.
**
** SPILLING (groups beyond the budget)
**   Aggregate states are opaque (func.h), so a group cannot be written out
**   half done.  Instead, once the groups in memory hold more than the
**   budget (hdb__sql_spill_budget; `gbytes` estimates them when they are
**   made), no new group is made in memory: a row whose key has no group
**   yet goes, as it is, to an external sorter (spill.c) keyed by its group
**   key — the key as a BLOB, then for every source its nullrow flag, its
**   rowid and its columns.  Rows of groups already in memory go on being
**   folded there, so each group lives wholly in memory or wholly on file.
**   At the end the sorter gives the spilled rows back in key order, and
**   stably, so the rows of one group arrive in the order the join made
**   them (group_concat's order and the bare columns' row are those of the
**   in-memory path).  Each spilled group is folded from its rows (the
**   sources are pointed at the row; aggregate arguments and FILTERs are
**   evaluated then, reading the same values), output, and freed before the
**   next; the groups in memory, sorted by key, are output interleaved in
**   key order (the two key sets are disjoint).
**
** INVARIANTS
**   - Every aggregate state is finished (final) exactly once, which frees
**     what it holds.
**   - A key has a group in memory or rows in the sorter, never both.
**   - Working memory: the groups made before the budget was reached, one
**     spilled group at a time, and the sorter's budget.  What grows with a
**     group's rows (a group_concat, the set of a DISTINCT aggregate) is not
**     bounded: that is the size of the group's own result.
*/
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec_run.h"
#include "src/sql/spill.h"

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }


static int group_init(xctx *x, xcore *c, group *g, const char *k, size_t kn)
{
    /* One block for the arrays (state is its start: group_free frees it). */
    size_t na = (size_t)c->nagg + 1, ns = (size_t)c->nsrc + 1;
    size_t bytes = na * sizeof *g->state + na * sizeof *g->dist + ns * sizeof *g->rows +
                   ns * sizeof *g->rowid + ns * sizeof *g->nullrow;
    char *block = calloc(1, bytes);
    memset(g, 0, sizeof *g);
    g->key = malloc(kn ? kn : 1);
    if (!g->key || !block) {
        free(block);
        return nomem(x);
    }
    g->state = (void **)block;
    g->dist = (xset *)(block + na * sizeof *g->state);
    g->rows = (hdb_sql_value **)((char *)g->dist + na * sizeof *g->dist);
    g->rowid = (int64_t *)((char *)g->rows + ns * sizeof *g->rows);
    g->nullrow = (int *)((char *)g->rowid + ns * sizeof *g->rowid);
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
    st->ng++;
    return group_init(x, c, &st->g[st->ng - 1], k, kn);
}

/* What a new group holds, roughly (its saved rows included). */
static size_t group_bytes(const xcore *c, const group *g)
{
    size_t b = sizeof *g + 2 * g->kn + 64 + (size_t)c->nsrc * 32;
    for (int i = 0; i < c->nagg; i++)
        b += ((const xref *)c->agg[i]->aux)->fn->agg->state_size + 48;
    for (int s = 0; s < c->nsrc; s++)
        if (g->rows[s])
            b += hdb__sql_row_bytes(g->rows[s], c->src[s].ncol);
    return b;
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
    free(g->key), free(g->state); /* state is the block of all the arrays (group_init) */
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

/* Argument a when it is a plain column of c's own sources: its value,
 * borrowed from the row as hdb__sql_eval would give it, without the
 * evaluator's dispatch (the hot path of sum(col), count(col) and the
 * like).  0 when a is anything else: evaluate it. */
static int arg_column(xcore *c, const hdb_sql_expr *a, hdb_sql_value *out)
{
    const xref *r = a->aux;
    if (a->kind != HDB_SQL_E_COLUMN || !r || r->kind != XR_COL || r->up != 0 || r->src < 0 ||
        r->src >= c->nsrc)
        return 0;
    const xsrc *s = &c->src[r->src];
    if (s->nullrow || !s->row)
        *out = (hdb_sql_value)HDB_SQL_NULL_INIT;
    else if (r->col < 0)
        *out = (hdb_sql_value){HDB_INTEGER, 0, {.i = s->rowid}};
    else {
        *out = s->row[r->col];
        out->owned = 0;
    }
    return 1;
}

/* The error of an aggregate's step function (rc not HDB_OK). */
static int step_failed(xctx *x, int rc)
{
    if (rc == HDB_ERROR)
        return hdb__sql_err(x, rc, "%s", x->f.err[0] ? x->f.err : "aggregate failed");
    return nomem(x);
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
    int n = e->u.func.args.n, rc = HDB_OK, set = 0; /* argv[0..set) hold values */
    hdb_sql_value argv[8];
    if (n > 8)
        return hdb__sql_err(x, HDB_ERROR, "too many arguments to %s()", e->u.func.name);
    for (; set < n && rc == HDB_OK; set++) {
        if (arg_column(c, e->u.func.args.a[set], &argv[set]))
            continue;
        argv[set] = (hdb_sql_value)HDB_SQL_NULL_INIT;
        rc = hdb__sql_eval(x, c, e->u.func.args.a[set], &argv[set]);
    }
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
        if (rc != HDB_OK)
            rc = step_failed(x, rc);
    }
done:
    for (int k = 0; k < set; k++)
        if (argv[k].owned) /* a borrowed value holds nothing */
            hdb__sql_value_clear(&argv[k]);
    return rc;
}

/* The key of the current joined row into b. */
static int group_key(xctx *x, xcore *c, hdb_buf *b)
{
    int rc = HDB_OK;
    for (int i = 0; i < c->ngroup && rc == HDB_OK; i++) {
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        rc = hdb__sql_eval(x, c, c->group[i], &v);
        int ex, coll = hdb__sql_expr_coll(c->group[i], &ex);
        if (rc == HDB_OK)
            hdb__sql_key_append(b, &v, coll < 0 ? HDB_COLL_BINARY : coll, 0);
        hdb__sql_value_clear(&v);
    }
    return rc != HDB_OK ? rc : b->oom ? nomem(x) : HDB_OK;
}

/* Columns of a spilled row: the key, then per source nullrow, rowid, row. */
static int spill_ncol(const xcore *c)
{
    int n = 1;
    for (int s = 0; s < c->nsrc; s++)
        n += 2 + c->src[s].ncol;
    return n;
}

static const xorder by_key = {0, 0, -1, HDB_COLL_BINARY};

static int spill_start(xctx *x, runst *st)
{
    memset(&st->gbatch, 0, sizeof st->gbatch);
    st->gbatch.ncol = spill_ncol(st->c);
    int rc = hdb__sql_sorter_open(x, st->gbatch.ncol, &by_key, 1, &st->gspill);
    if (rc == HDB_OK)
        hdb__sql_sorter_attach(st->gspill, &st->gbatch);
    return rc;
}

/* Send the current joined row, of a group not in memory, to the sorter. */
static int spill_row(xctx *x, runst *st, const hdb_buf *key)
{
    xcore *c = st->c;
    hdb_sql_value *row = hdb__sql_row_new(st->gbatch.ncol);
    if (!row || hdb__sql_value_blob(&row[0], key->len ? key->data : "", key->len) != HDB_OK) {
        hdb__sql_row_free(row, st->gbatch.ncol);
        return nomem(x);
    }
    int k = 1;
    for (int s = 0; s < c->nsrc; s++) {
        xsrc *src = &c->src[s];
        int null = src->nullrow || !src->row;
        hdb__sql_value_int(&row[k], null);
        hdb__sql_value_int(&row[k + 1], src->rowid);
        for (int j = 0; j < src->ncol && !null; j++)
            if (hdb__sql_value_copy(&row[k + 2 + j], &src->row[j]) != HDB_OK) {
                hdb__sql_row_free(row, st->gbatch.ncol);
                return nomem(x);
            }
        k += 2 + src->ncol;
    }
    int rc = hdb__sql_rows_add(&st->gbatch, row, st->gbatch.ncol);
    return rc == HDB_OK || x->rc == rc ? rc : nomem(x);
}

/* Fold the current joined row into g (saving the sources' rows when the
 * output reads them: bare). */
int hdb__sql_agg_prepare(xctx *x, xcore *c)
{
    c->aggarg = c->nagg ? hdb__sql_alloc(x, sizeof *c->aggarg * c->nagg) : NULL;
    if (c->nagg && !c->aggarg)
        return x->rc;
    for (int i = 0; i < c->nagg; i++) {
        const hdb_sql_expr *e = c->agg[i], *a = e->u.func.args.n == 1 ? e->u.func.args.a[0] : NULL;
        const xref *r = a ? a->aux : NULL;
        xaggarg *g = &c->aggarg[i];
        g->src = -2;
        g->col = 0;
        if (e->u.func.filter || (e->flags & HDB_SQL_EF_DISTINCT) || e->u.func.args.n > 1)
            continue;
        if (e->u.func.args.n == 0)
            g->src = -1;
        else if (a->kind == HDB_SQL_E_COLUMN && r && r->kind == XR_COL && r->up == 0 &&
                 r->src >= 0 && r->src < c->nsrc) {
            g->src = r->src;
            g->col = r->col;
        }
    }
    return HDB_OK;
}

/* Fold the current row into g: an aggregate of no argument or of a plain
 * column (c->aggarg) in line, with the column's value borrowed as
 * arg_column gives it; any other through agg_step. */
static int group_fold(xctx *x, xcore *c, group *g, int bare)
{
    int rc = bare ? save_rows(x, c, g) : HDB_OK;
    for (int i = 0; i < c->nagg && rc == HDB_OK; i++) {
        const xaggarg *a = c->aggarg ? &c->aggarg[i] : NULL;
        if (!a || a->src < -1) {
            rc = agg_step(x, c, g, i);
            continue;
        }
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        if (a->src >= 0) {
            const xsrc *s = &c->src[a->src];
            if (s->nullrow || !s->row)
                ;
            else if (a->col < 0)
                v = (hdb_sql_value){HDB_INTEGER, 0, {.i = s->rowid}};
            else {
                v = s->row[a->col];
                v.owned = 0;
            }
        }
        const xref *r = c->agg[i]->aux;
        x->f.err[0] = 0;
        if ((rc = r->fn->agg->step(&x->f, g->state[i], a->src >= 0, &v)) != HDB_OK)
            rc = step_failed(x, rc);
    }
    return rc;
}

static int reads_row_list(const hdb_sql_exprlist *l);

/* May e, evaluated when a group is output, read a row of its own core's
 * sources (a bare column)?  An aggregate reads its finished value, a
 * constant nothing; anything not known for sure answers yes. */
static int reads_row(const hdb_sql_expr *e)
{
    if (!e)
        return 0;
    const xref *r = e->aux;
    switch (e->kind) {
    case HDB_SQL_E_NULL: case HDB_SQL_E_INTEGER: case HDB_SQL_E_FLOAT: case HDB_SQL_E_STRING:
    case HDB_SQL_E_BLOB: case HDB_SQL_E_PARAM:
        return 0;
    case HDB_SQL_E_COLUMN: return !r || r->kind != XR_COL || r->up == 0;
    case HDB_SQL_E_UNARY: case HDB_SQL_E_ISNULL: return reads_row(e->u.unary.x);
    case HDB_SQL_E_BINARY: return reads_row(e->u.binary.l) || reads_row(e->u.binary.r);
    case HDB_SQL_E_COLLATE: return reads_row(e->u.collate.x);
    case HDB_SQL_E_CAST: return reads_row(e->u.cast.x);
    case HDB_SQL_E_CASE:
        return reads_row(e->u.kase.operand) || reads_row_list(&e->u.kase.when) ||
               reads_row_list(&e->u.kase.then) || reads_row(e->u.kase.else_);
    case HDB_SQL_E_BETWEEN:
        return reads_row(e->u.between.x) || reads_row(e->u.between.lo) ||
               reads_row(e->u.between.hi);
    case HDB_SQL_E_LIKE:
        return reads_row(e->u.like.x) || reads_row(e->u.like.pattern) ||
               reads_row(e->u.like.escape);
    case HDB_SQL_E_IN:
        if (r && (r->kind != XR_SUBQ || r->correlated))
            return 1;
        return reads_row(e->u.in.x) || reads_row_list(&e->u.in.list);
    case HDB_SQL_E_EXISTS: case HDB_SQL_E_SUBQUERY: return !r || r->kind != XR_SUBQ || r->correlated;
    case HDB_SQL_E_FUNCTION:
        if (r && r->kind == XR_AGG)
            return 0;
        return reads_row_list(&e->u.func.args);
    case HDB_SQL_E_VECTOR: return reads_row_list(&e->u.list);
    default: return 1;
    }
}

static int reads_row_list(const hdb_sql_exprlist *l)
{
    for (int i = 0; i < l->n; i++)
        if (reads_row(l->a[i]))
            return 1;
    return 0;
}

/* Does the output of c's groups read the sources' rows (so each group must
 * keep a copy of its last row)?  Its result columns, HAVING and ORDER BY. */
static int output_reads_rows(const xcore *c)
{
    if (reads_row(c->having))
        return 1;
    for (int i = 0; i < c->nres; i++)
        if (reads_row(c->res[i]))
            return 1;
    for (int i = 0; i < c->norder; i++)
        if (reads_row(c->order[i]))
            return 1;
    return 0;
}

int hdb__sql_group_accumulate(xctx *x, runst *st)
{
    xcore *c = st->c;
    if (!st->bare_known) {
        st->bare = output_reads_rows(c);
        st->bare_known = 1;
    }
    /* Without GROUP BY there is one group (never spilled): no key to make. */
    if (c->ngroup == 0 && !st->gspill) {
        int rc = st->ng ? HDB_OK : group_new(x, st, "", 0);
        return rc != HDB_OK ? rc : group_fold(x, c, &st->g[0], st->bare);
    }
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    int rc = group_key(x, c, &b);
    if (rc != HDB_OK) {
        hdb__buf_free(&b);
        return rc;
    }
    const char *k = b.len ? b.data : "";
    long gi;
    int added = 0;
    if (st->gspill) {
        gi = hdb__sql_set_get(&st->gmap, k, b.len);
        if (gi < 0)
            rc = spill_row(x, st, &b);
    } else {
        gi = hdb__sql_set_find(&st->gmap, k, b.len, (long)st->ng, &added);
        if (gi < 0 || (added && group_new(x, st, k, b.len) != HDB_OK))
            rc = nomem(x);
    }
    hdb__buf_free(&b);
    if (rc != HDB_OK || gi < 0)
        return rc;
    group *g = &st->g[gi];
    rc = group_fold(x, c, g, st->bare);
    if (rc == HDB_OK && added && c->ngroup > 0) {
        st->gbytes += group_bytes(c, g);
        if (st->gbytes > hdb__sql_spill_budget(x))
            rc = spill_start(x, st);
    }
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

/* Point the sources at a spilled row (see spill_row). */
static void restore_row(xcore *c, hdb_sql_value *row)
{
    int k = 1;
    for (int s = 0; s < c->nsrc; s++) {
        xsrc *src = &c->src[s];
        src->nullrow = (int)row[k].u.i;
        src->rowid = row[k + 1].u.i;
        src->row = src->nullrow ? NULL : &row[k + 2];
        k += 2 + src->ncol;
    }
}

/* Output the spilled groups in key order, and the groups in memory
 * (sorted) interleaved with them. */
static int output_merged(xctx *x, runst *st)
{
    xcore *c = st->c;
    size_t mi = 0;
    hdb_sql_value *row = NULL;
    group cur;
    int have = 0, rc = hdb__sql_sorter_rewind(st->gspill, &st->gbatch);
    memset(&cur, 0, sizeof cur);
    while (rc == HDB_OK) {
        if ((rc = hdb__sql_sorter_next(st->gspill, &row)) != HDB_OK)
            break;
        const char *k = row ? row[0].u.s.p : NULL;
        size_t kn = row ? row[0].u.s.n : 0;
        if (have && (!row || kn != cur.kn || memcmp(k, cur.key, kn))) {
            rc = output_group(x, st, &cur); /* a new key: the group is complete */
            hdb__sql_group_free(c, &cur, 1);
            memset(&cur, 0, sizeof cur);
            have = 0;
        }
        group probe = {.key = (char *)k, .kn = kn};
        while (rc == HDB_OK && mi < st->ng && (!row || gcmp(&st->g[mi], &probe) < 0))
            rc = output_group(x, st, &st->g[mi++]);
        if (rc != HDB_OK || !row)
            break;
        if (!have) {
            have = 1;
            if ((rc = group_init(x, c, &cur, k ? k : "", kn)) != HDB_OK)
                break;
        }
        restore_row(c, row);
        rc = group_fold(x, c, &cur, st->bare);
        hdb__sql_row_free(row, st->gbatch.ncol);
        row = NULL;
    }
    hdb__sql_row_free(row, st->gbatch.ncol);
    if (have)
        hdb__sql_group_free(c, &cur, 1);
    return rc;
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
    if (st->gspill)
        rc = output_merged(x, st);
    for (size_t i = 0; i < st->ng && rc == HDB_OK && !st->gspill; i++)
        rc = output_group(x, st, &st->g[i]);
    hdb__sql_row_free(c->aggval, c->nagg);
    c->aggval = NULL;
    return rc;
}

void hdb__sql_group_end(runst *st)
{
    for (size_t i = 0; i < st->ng; i++)
        hdb__sql_group_free(st->c, &st->g[i], 1);
    free(st->g);
    st->g = NULL;
    st->ng = st->gcap = 0;
    hdb__sql_set_free(&st->gmap);
    hdb__sql_sorter_close(st->gspill);
    st->gspill = NULL;
    hdb__sql_rows_clear(&st->gbatch);
}
