/*
** exec_where.c — WHERE and ON conditions: splitting them at AND, USING and
** NATURAL joins, and placing each conjunct at a source of the join loop.
**
** HOW CONDITIONS ARE PLACED
**   WHERE and inner-join ON clauses are split at AND; each conjunct is
**   checked at the first source of the join where every column it reads
**   has a value (a conjunct reading no source is checked once, before the
**   scan).  A LEFT JOIN's own ON conjuncts are checked at its source and
**   decide whether the row matched; conjuncts placed at a LEFT JOIN source
**   after them also see its null-extended row, which is what WHERE must.
**   A conjunct holding a correlated subquery is checked once every source
**   it reads has a row (the cores right inside record which sources of
**   theirs they read); a LEFT JOIN's ON conjunct stays at its own source.
**   A RIGHT or FULL JOIN source keeps the ids of the rows its ON matched;
**   after the loop its unmatched rows come out with every earlier source
**   null, so every WHERE conjunct waits for that source.
**   USING (a) and NATURAL add "left.a = right.a" conjuncts and hide the
**   right column from * and from unqualified names.
*/
#include <string.h>
#include "src/sql/exec.h"

int hdb__sql_cond_add(xctx *x, xcondlist *l, hdb_sql_expr *e, int on)
{
    if (e->kind == HDB_SQL_E_BINARY && e->op == HDB_SQL_OP_AND) {
        int rc = hdb__sql_cond_add(x, l, e->u.binary.l, on);
        return rc == HDB_OK ? hdb__sql_cond_add(x, l, e->u.binary.r, on) : rc;
    }
    if (l->n == l->cap) {
        int nc = l->cap ? l->cap * 2 : 16;
        hdb_sql_expr **na = hdb__sql_alloc(x, sizeof *na * nc);
        int *nl = hdb__sql_alloc(x, sizeof(int) * nc), *no = hdb__sql_alloc(x, sizeof(int) * nc);
        if (!na || !nl || !no)
            return x->rc;
        if (l->n) {
            memcpy(na, l->a, sizeof *na * l->n);
            memcpy(nl, l->lvl, sizeof(int) * l->n);
            memcpy(no, l->on, sizeof(int) * l->n);
        }
        l->a = na, l->lvl = nl, l->on = no, l->cap = nc;
    }
    l->a[l->n] = e;
    l->on[l->n] = on;
    l->lvl[l->n++] = -1;
    return HDB_OK;
}

/* Highest join level (pos[source], or the source itself when pos is NULL)
 * that e reads (-1: none); a correlated subquery counts as the last. */
static void max_src(const hdb_sql_expr *e, int nsrc, const int *pos, int *m);

/* The highest level a correlated subquery reads (the last when unknown). */
static void max_src_sub(const xref *r, int nsrc, const int *pos, int *m)
{
    uint64_t all = 0;
    for (int i = 0; i < r->sub->ncore; i++)
        all |= r->sub->core[i]->outer_srcs;
    if (!all || (all >> 63)) {
        *m = nsrc - 1;
        return;
    }
    for (int s = 0; s < 63; s++)
        if ((all >> s & 1) && (pos ? pos[s] : s) > *m)
            *m = pos ? pos[s] : s;
}

static void max_src_list(const hdb_sql_exprlist *l, int nsrc, const int *pos, int *m)
{
    for (int i = 0; i < l->n; i++)
        max_src(l->a[i], nsrc, pos, m);
}

static void max_src(const hdb_sql_expr *e, int nsrc, const int *pos, int *m)
{
    if (!e)
        return;
    const xref *r = e->aux;
    switch (e->kind) {
    case HDB_SQL_E_COLUMN:
        if (r && r->kind == XR_COL && r->up == 0 && (pos ? pos[r->src] : r->src) > *m)
            *m = pos ? pos[r->src] : r->src;
        if (r && r->kind == XR_ALIAS)
            *m = nsrc - 1;
        return;
    case HDB_SQL_E_UNARY: case HDB_SQL_E_ISNULL: max_src(e->u.unary.x, nsrc, pos, m); return;
    case HDB_SQL_E_BINARY: max_src(e->u.binary.l, nsrc, pos, m); max_src(e->u.binary.r, nsrc, pos, m); return;
    case HDB_SQL_E_COLLATE: max_src(e->u.collate.x, nsrc, pos, m); return;
    case HDB_SQL_E_CAST: max_src(e->u.cast.x, nsrc, pos, m); return;
    case HDB_SQL_E_CASE:
        max_src(e->u.kase.operand, nsrc, pos, m);
        max_src_list(&e->u.kase.when, nsrc, pos, m);
        max_src_list(&e->u.kase.then, nsrc, pos, m);
        max_src(e->u.kase.else_, nsrc, pos, m);
        return;
    case HDB_SQL_E_BETWEEN:
        max_src(e->u.between.x, nsrc, pos, m);
        max_src(e->u.between.lo, nsrc, pos, m);
        max_src(e->u.between.hi, nsrc, pos, m);
        return;
    case HDB_SQL_E_IN:
        max_src(e->u.in.x, nsrc, pos, m);
        max_src_list(&e->u.in.list, nsrc, pos, m);
        if (r && r->kind == XR_SUBQ && r->correlated)
            max_src_sub(r, nsrc, pos, m);
        return;
    case HDB_SQL_E_LIKE:
        max_src(e->u.like.x, nsrc, pos, m);
        max_src(e->u.like.pattern, nsrc, pos, m);
        max_src(e->u.like.escape, nsrc, pos, m);
        return;
    case HDB_SQL_E_EXISTS: case HDB_SQL_E_SUBQUERY:
        if (r && r->kind == XR_SUBQ && r->correlated)
            max_src_sub(r, nsrc, pos, m);
        return;
    case HDB_SQL_E_FUNCTION: max_src_list(&e->u.func.args, nsrc, pos, m); return;
    case HDB_SQL_E_VECTOR: max_src_list(&e->u.list, nsrc, pos, m); return;
    default: return;
    }
}

void hdb__sql_max_level(const hdb_sql_expr *e, int nsrc, const int *pos, int *m)
{
    max_src(e, nsrc, pos, m);
}

int hdb__sql_cond_place(xctx *x, xcore *c, xcondlist *l)
{
    int *cnt = hdb__sql_alloc(x, sizeof(int) * (c->nsrc + 1));
    if (!cnt)
        return x->rc;
    c->top = hdb__sql_alloc(x, sizeof *c->top * (l->n + 1));
    if (!c->top)
        return x->rc;
    int maxright = -1; /* WHERE waits for the last RIGHT JOIN's null-extended rows */
    for (int s = 0; s < c->nsrc; s++)
        if (c->src[s].right)
            maxright = s;
    for (int i = 0; i < l->n; i++) {
        int m = -1;
        /* a LEFT JOIN's ON conjunct with a correlated subquery stays at its
         * source: checked later it would filter rows instead of deciding
         * whether the row matched */
        int last = l->on[i] >= 0 ? HDB_SQL_SRC_LEVEL(c, l->on[i]) + 1 : c->nsrc;
        max_src(l->a[i], last, c->pos, &m);
        if (l->on[i] >= 0 && m < l->on[i])
            m = l->on[i];
        if (l->on[i] < 0 && m < maxright)
            m = maxright;
        l->lvl[i] = m;
        if (m >= 0)
            cnt[m]++;
    }
    for (int s = 0; s < c->nsrc; s++) {
        xsrc *src = &c->src[HDB_SQL_LEVEL_SRC(c, s)];
        src->cond = hdb__sql_alloc(x, sizeof(hdb_sql_expr *) * (cnt[s] + 1));
        src->ncond = src->non = 0;
        if (!src->cond)
            return x->rc;
    }
    for (int pass = 0; pass < 2; pass++) /* LEFT JOIN ON conjuncts first */
        for (int i = 0; i < l->n; i++) {
            if ((l->on[i] >= 0) != (pass == 0))
                continue;
            if (l->lvl[i] < 0) {
                c->top[c->ntop++] = l->a[i];
                continue;
            }
            xsrc *s = &c->src[HDB_SQL_LEVEL_SRC(c, l->lvl[i])];
            s->cond[s->ncond++] = l->a[i];
            if (pass == 0)
                s->non++;
        }
    return HDB_OK;
}

/* a.col = b.col for a NATURAL join or USING. */
static hdb_sql_expr *eq_expr(xctx *x, int ls, int lc, int rs, int rcol, xcore *c)
{
    hdb_sql_expr *e = hdb__sql_alloc(x, sizeof *e), *a = hdb__sql_alloc(x, sizeof *a),
                 *b = hdb__sql_alloc(x, sizeof *b);
    xref *ra = hdb__sql_alloc(x, sizeof *ra), *rb = hdb__sql_alloc(x, sizeof *rb);
    if (!e || !a || !b || !ra || !rb)
        return NULL;
    a->kind = b->kind = HDB_SQL_E_COLUMN;
    a->u.col.column = c->src[ls].cols[lc];
    b->u.col.column = c->src[rs].cols[rcol];
    ra->kind = rb->kind = XR_COL;
    ra->src = ls, ra->col = lc, ra->aff = c->src[ls].aff[lc], ra->coll = c->src[ls].coll[lc];
    rb->src = rs, rb->col = rcol, rb->aff = c->src[rs].aff[rcol], rb->coll = c->src[rs].coll[rcol];
    a->aux = ra;
    b->aux = rb;
    c->src[ls].need |= 1ull << (lc < 63 ? lc : 63);
    c->src[rs].need |= 1ull << (rcol < 63 ? rcol : 63);
    e->kind = HDB_SQL_E_BINARY;
    e->op = HDB_SQL_OP_EQ;
    e->u.binary.l = a;
    e->u.binary.r = b;
    return e;
}

static int join_using(xctx *x, xcore *c, int i, const char *name, xcondlist *l)
{
    xsrc *r = &c->src[i];
    int rcol = -1;
    for (int j = 0; j < r->ncol; j++)
        if (hdb__sql_name_eq(r->cols[j], name))
            rcol = j;
    for (int s = 0; s < i && rcol >= 0; s++)
        for (int j = 0; j < c->src[s].ncol; j++) {
            if (!hdb__sql_name_eq(c->src[s].cols[j], name) || c->src[s].hide[j])
                continue;
            hdb_sql_expr *e = eq_expr(x, s, j, i, rcol, c);
            if (!e)
                return x->rc;
            r->hide[rcol] = 1;
            return hdb__sql_cond_add(x, l, e, r->left || r->right ? i : -1);
        }
    return hdb__sql_err(x, HDB_ERROR, "cannot join using column %s - column not present in both tables",
                        name);
}

int hdb__sql_join_using_all(xctx *x, xcore *c, hdb_sql_from *f, xcondlist *l)
{
    for (int i = 0; i < c->nsrc; i++) {
        hdb_sql_src *it = &f->a[i];
        xsrc *s = &c->src[i];
        int rc = HDB_OK;
        for (int k = 0; rc == HDB_OK && k < it->using_.n; k++)
            rc = join_using(x, c, i, it->using_.a[k], l);
        if (it->natural)
            for (int j = 0; rc == HDB_OK && j < s->ncol; j++) {
                int shared = 0;
                for (int p = 0; p < i && !shared; p++)
                    for (int q = 0; q < c->src[p].ncol; q++)
                        if (!c->src[p].hide[q] && hdb__sql_name_eq(c->src[p].cols[q], s->cols[j]))
                            shared = 1;
                if (shared)
                    rc = join_using(x, c, i, s->cols[j], l);
            }
        if (rc != HDB_OK)
            return rc;
    }
    return HDB_OK;
}

int hdb__sql_join_on(xctx *x, xcore *c, hdb_sql_from *f, xcondlist *l)
{
    for (int i = 0; i < c->nsrc; i++) {
        hdb_sql_src *it = &f->a[i];
        xsrc *s = &c->src[i];
        int rc = HDB_OK;
        if (it->on && (rc = hdb__sql_resolve(x, c, it->on, 0)) == HDB_OK)
            rc = hdb__sql_cond_add(x, l, it->on, s->left || s->right ? i : -1);
        if (rc != HDB_OK)
            return rc;
    }
    return HDB_OK;
}

int hdb__sql_core_where(xctx *x, xcore *c, hdb_sql_expr *where)
{
    xcondlist l;
    memset(&l, 0, sizeof l);
    int rc = HDB_OK;
    c->alias_ok = 0;
    if (where && (rc = hdb__sql_resolve(x, c, where, 0)) == HDB_OK)
        rc = hdb__sql_cond_add(x, &l, where, -1);
    if (rc == HDB_OK)
        rc = hdb__sql_cond_place(x, c, &l);
    if (rc == HDB_OK && c->src[0].tab)
        hdb__sql_plan_source(x, c, 0);
    return rc == HDB_OK ? x->rc : rc;
}
