/*
** exec_compile.c — compiling a SELECT: its sources (tables, views,
** subqueries, CTEs, sqlite_master), result columns, GROUP BY, HAVING,
** ORDER BY and LIMIT (conditions: exec_where.c).
**
** LIMITATIONS
**   Parenthesised joins "FROM (a JOIN b)" and table-valued functions are
**   reported as unsupported.  A recursive CTE has one seed select (the
**   first) and reads itself only in the selects after it.
*/
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "src/sql/exec.h"

/* ---- sources ------------------------------------------------------------- */

static int src_arrays(xctx *x, xsrc *s, int n)
{
    s->ncol = n;
    s->cols = hdb__sql_alloc(x, sizeof(char *) * (n + 1));
    s->aff = hdb__sql_alloc(x, sizeof(int) * (n + 1));
    s->coll = hdb__sql_alloc(x, sizeof(int) * (n + 1));
    s->hide = hdb__sql_alloc(x, (size_t)n + 1);
    return s->cols && s->aff && s->coll && s->hide ? HDB_OK : x->rc;
}

static int src_table(xctx *x, xsrc *s, hdb_sql_table *t)
{
    s->tab = t;
    int rc = src_arrays(x, s, t->ncol);
    for (int j = 0; rc == HDB_OK && j < t->ncol; j++) {
        s->cols[j] = t->cols[j].name;
        s->aff[j] = t->cols[j].aff;
        s->coll[j] = t->cols[j].coll;
    }
    return rc;
}

static int src_select(xctx *x, xsrc *s, xsel *q, const hdb_sql_names *names)
{
    s->sub = q;
    int rc = src_arrays(x, s, q->ncol);
    if (rc == HDB_OK && names && names->n && names->n != q->ncol)
        return hdb__sql_err(x, HDB_ERROR, "expected %d columns for '%s' but got %d", names->n,
                            s->name, q->ncol);
    for (int j = 0; rc == HDB_OK && j < q->ncol; j++) {
        s->cols[j] = names && names->n ? names->a[j] : q->names[j];
        s->aff[j] = q->aff[j];
        s->coll[j] = q->coll[j] >= 0 ? q->coll[j] : HDB_COLL_BINARY;
    }
    return rc;
}

static const char *const master_cols[] = {"type", "name", "tbl_name", "rootpage", "sql"};

static const char *const seq_cols[] = {"name", "seq"};

/* sqlite_master (which 1), or sqlite_sequence (2: exec_seq.c). */
static int src_master(xctx *x, xsrc *s, int which)
{
    int n = which == 1 ? 5 : 2;
    s->is_master = which;
    int rc = src_arrays(x, s, n);
    for (int j = 0; rc == HDB_OK && j < n; j++) {
        s->cols[j] = (char *)(which == 1 ? master_cols[j] : seq_cols[j]);
        s->aff[j] = which == 1 ? (j == 3 ? HDB_AFF_INTEGER : HDB_AFF_TEXT) : HDB_AFF_BLOB;
        s->coll[j] = HDB_COLL_BINARY;
    }
    return rc;
}

static hdb_sql_cte *find_cte(xcte_scope *cs, const char *name, xcte_scope **where)
{
    for (; cs; cs = cs->up)
        for (int i = 0; cs->with && i < cs->with->n; i++)
            if (hdb__sql_name_eq(cs->with->a[i].name, name)) {
                *where = cs;
                return &cs->with->a[i];
            }
    return NULL;
}

/* Enter the body of a view or CTE (obj) to compile it: a body that is
 * already being compiled is a cycle (WITH RECURSIVE a AS (... b), b AS
 * (... a)), which would otherwise recurse until the stack overflows. */
static int body_enter(xctx *x, const void *obj, const char *name)
{
    for (int i = 0; i < x->nactive; i++)
        if (x->active[i] == obj)
            return hdb__sql_err(x, HDB_ERROR, "circular reference: %s", name);
    if (x->nactive == HDB_SQL_MAX_VIEW_DEPTH)
        return hdb__sql_err(x, HDB_ERROR, "too many levels of views and CTEs (maximum %d)",
                            HDB_SQL_MAX_VIEW_DEPTH);
    x->active[x->nactive++] = obj;
    return HDB_OK;
}

static int setup_cte(xctx *x, xcore *c, xsrc *s, hdb_sql_cte *cte, xcte_scope *cs)
{
    xsel *q;
    xcte_scope self = {cs->up, NULL, NULL, NULL};
    xcte_scope *inner = cs->up;
    xrecur *r = NULL;
    /* Without RECURSIVE, the body sees the CTEs before it in its WITH. */
    hdb_sql_with before = {0, (int)(cte - cs->with->a), cs->with->a};
    if (cs->with->recursive) {
        r = hdb__sql_alloc(x, sizeof *r);
        if (!r)
            return x->rc;
        r->cols = &cte->cols;
        self = *cs;
        self.compiling = cte;
        self.recur = r;
        inner = &self;
    } else if (before.n > 0) {
        self.with = &before;
        inner = &self;
    }
    int rc = body_enter(x, cte, cte->name);
    if (rc != HDB_OK)
        return rc;
    rc = hdb__sql_compile_select(x, cte->select, c->outer, inner, &q);
    x->nactive--;
    if (rc == HDB_OK && r && q->ncore > 1)
        q->recur = r;
    return rc == HDB_OK ? src_select(x, s, q, &cte->cols) : rc;
}

static int setup_named(xctx *x, xcore *c, xsrc *s, hdb_sql_src *it, xcte_scope *ctes)
{
    xcte_scope *cs = NULL;
    hdb_sql_cte *cte = it->schema ? NULL : find_cte(ctes, it->name, &cs);
    if (cte && cs->compiling == cte) { /* the recursive part reads the last step */
        xrecur *r = cs->recur;
        if (!r->ncol)
            return hdb__sql_err(x, HDB_ERROR, "recursive reference in the seed of %s", cte->name);
        s->queue_of = r;
        int rc = src_arrays(x, s, r->ncol);
        for (int j = 0; rc == HDB_OK && j < r->ncol; j++) {
            s->cols[j] = r->names[j];
            s->aff[j] = r->aff[j];
            s->coll[j] = r->coll[j] >= 0 ? r->coll[j] : HDB_COLL_BINARY;
        }
        return rc;
    }
    if (cte)
        return setup_cte(x, c, s, cte, cs);
    if (hdb__sql_name_eq(it->name, "sqlite_master") || hdb__sql_name_eq(it->name, "sqlite_schema"))
        return src_master(x, s, 1);
    if (hdb__sql_name_eq(it->name, "sqlite_sequence") && !hdb__sql_table_find(x->schema, it->name))
        return src_master(x, s, 2);
    hdb_sql_table *t = hdb__sql_table_find(x->schema, it->name);
    if (!t)
        return hdb__sql_err(x, HDB_ERROR, "no such table: %s", it->name);
    if (!t->is_view)
        return src_table(x, s, t);
    /* Each use of a view compiles its own copy of the select, parsed again
     * into the statement's arena: compiling writes into the tree (each
     * node's aux), and two uses in one statement must not share compiled
     * subqueries (a correlated one would read the other use's rows). */
    hdb_sql_select *sel = t->view;
    hdb_sql_names *cols = &t->view_cols;
    hdb_sql_stmt *st = NULL;
    if (t->sql && hdb__sql_parse(t->sql, strlen(t->sql), x->arena, &st, NULL, NULL, 0) == HDB_OK &&
        st && st->kind == HDB_SQL_S_CREATE_VIEW) {
        sel = st->u.create_view.select;
        cols = &st->u.create_view.cols;
    }
    xsel *q;
    int rc = body_enter(x, t, t->name);
    if (rc != HDB_OK)
        return rc;
    rc = hdb__sql_compile_select(x, sel, NULL, NULL, &q);
    x->nactive--;
    return rc == HDB_OK ? src_select(x, s, q, cols) : rc;
}

static int setup_sources(xctx *x, xcore *c, hdb_sql_from *f, xcte_scope *ctes)
{
    c->nsrc = f ? f->n : 0;
    c->src = hdb__sql_alloc(x, sizeof(xsrc) * (c->nsrc + 1));
    if (!c->src)
        return x->rc;
    for (int i = 0; i < c->nsrc; i++) {
        hdb_sql_src *it = &f->a[i];
        xsrc *s = &c->src[i];
        int rc;
        s->join = it->join;
        s->left = it->join == HDB_SQL_JOIN_LEFT || it->join == HDB_SQL_JOIN_FULL;
        s->right = it->join == HDB_SQL_JOIN_RIGHT || it->join == HDB_SQL_JOIN_FULL;
        if (it->nested || it->has_args)
            return hdb__sql_err(x, HDB_ERROR, "unsupported FROM clause item");
        s->name = it->alias ? it->alias : it->name ? it->name : "";
        s->cover_ok = 1; /* rows are read only through resolved columns (need) */
        if (it->subquery) {
            xsel *q;
            rc = hdb__sql_compile_select(x, it->subquery, c->outer, ctes, &q);
            if (rc == HDB_OK)
                rc = src_select(x, s, q, NULL);
        } else
            rc = setup_named(x, c, s, it, ctes);
        if (rc == HDB_OK && (it->indexed_by || it->not_indexed))
            rc = hdb__sql_plan_hint(x, s, it->indexed_by, it->not_indexed);
        if (rc != HDB_OK)
            return rc;
    }
    return HDB_OK;
}

/* ---- result columns ------------------------------------------------------ */

static int add_res(xctx *x, xcore *c, int *cap, hdb_sql_expr *e, char *name)
{
    if (c->nres == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        hdb_sql_expr **ne = hdb__sql_alloc(x, sizeof *ne * nc);
        char **nn = hdb__sql_alloc(x, sizeof *nn * nc);
        if (!ne || !nn)
            return x->rc;
        if (c->nres) {
            memcpy(ne, c->res, sizeof *ne * c->nres);
            memcpy(nn, c->names, sizeof *nn * c->nres);
        }
        c->res = ne, c->names = nn, *cap = nc;
    }
    c->res[c->nres] = e;
    c->names[c->nres++] = name;
    return HDB_OK;
}

static int expand_star(xctx *x, xcore *c, const char *tbl, int *cap)
{
    int any = 0;
    for (int i = 0; i < c->nsrc; i++) {
        xsrc *s = &c->src[i];
        if (tbl && !hdb__sql_name_eq(s->name, tbl))
            continue;
        any = 1;
        for (int j = 0; j < s->ncol; j++) {
            if (!tbl && s->hide[j])
                continue;
            hdb_sql_expr *e = hdb__sql_alloc(x, sizeof *e);
            xref *r = hdb__sql_alloc(x, sizeof *r);
            if (!e || !r)
                return x->rc;
            e->kind = HDB_SQL_E_COLUMN;
            e->u.col.column = s->cols[j];
            r->kind = XR_COL, r->src = i, r->col = j, r->aff = s->aff[j], r->coll = s->coll[j];
            e->aux = r;
            s->need |= 1ull << (j < 63 ? j : 63);
            int rc = add_res(x, c, cap, e, s->cols[j]);
            if (rc != HDB_OK)
                return rc;
        }
    }
    if (tbl && !any)
        return hdb__sql_err(x, HDB_ERROR, "no such table: %s", tbl);
    if (!tbl && !c->nsrc)
        return hdb__sql_err(x, HDB_ERROR, "no tables specified");
    return HDB_OK;
}

static int result_columns(xctx *x, xcore *c)
{
    int cap = 0;
    for (int i = 0; i < c->ast->cols.n; i++) {
        hdb_sql_rescol *rc = &c->ast->cols.a[i];
        int r;
        if (!rc->expr) {
            r = expand_star(x, c, rc->table, &cap);
        } else {
            r = hdb__sql_resolve(x, c, rc->expr, 1);
            char *name = rc->alias ? rc->alias : rc->span;
            const xref *xr = rc->expr->aux;
            if (!rc->alias && rc->expr->kind == HDB_SQL_E_COLUMN && xr && xr->kind == XR_COL)
                name = rc->expr->u.col.column;
            if (r == HDB_OK)
                r = add_res(x, c, &cap, rc->expr, name);
        }
        if (r != HDB_OK)
            return r;
    }
    return HDB_OK;
}

/* ---- cores --------------------------------------------------------------- */

static int compile_values(xctx *x, xcore *c, hdb_sql_core *k)
{
    int cap = 0;
    for (int r = 0; r < k->nvalues; r++) {
        if (k->values[r].n != k->values[0].n)
            return hdb__sql_err(x, HDB_ERROR, "all VALUES must have the same number of terms");
        for (int i = 0; i < k->values[r].n; i++) {
            int rc = hdb__sql_resolve(x, c, k->values[r].a[i], 0);
            if (rc != HDB_OK)
                return rc;
        }
    }
    for (int i = 0; i < k->values[0].n; i++) {
        char nm[24];
        snprintf(nm, sizeof nm, "column%d", i + 1);
        char *n = hdb__sql_strdup(x, nm);
        if (!n || add_res(x, c, &cap, k->values[0].a[i], n) != HDB_OK)
            return x->rc;
    }
    return HDB_OK;
}

/* Whether e is an integer constant as SQLite's ORDER BY and GROUP BY see
 * one (a literal that fits 32 bits, under any unary + and -: "ORDER BY - - 2"
 * is column 2; a larger literal is a constant expression), its value in *v. */
static bool term_integer(const hdb_sql_expr *e, int64_t *v)
{
    if (e->kind == HDB_SQL_E_INTEGER && !(e->flags & HDB_SQL_EF_BOOL)) {
        *v = e->u.ival;
        return e->u.ival >= 0 && e->u.ival <= INT32_MAX;
    }
    if (e->kind != HDB_SQL_E_UNARY || (e->op != HDB_SQL_OP_NEG && e->op != HDB_SQL_OP_POS))
        return false;
    if (!term_integer(e->u.unary.x, v) || *v == INT64_MIN)
        return false;
    if (e->op == HDB_SQL_OP_NEG)
        *v = -*v;
    return true;
}

static int group_terms(xctx *x, xcore *c, hdb_sql_core *k)
{
    c->ngroup = k->group_by.n;
    c->group = hdb__sql_alloc(x, sizeof *c->group * (c->ngroup + 1));
    if (!c->group)
        return x->rc;
    for (int i = 0; i < c->ngroup; i++) {
        hdb_sql_expr *g = k->group_by.a[i];
        int64_t gv;
        if (term_integer(g, &gv)) {
            if (gv < 1 || gv > c->nres)
                return hdb__sql_err(x, HDB_ERROR,
                                    "%d%s GROUP BY term out of range - should be between 1 and %d",
                                    i + 1, i == 0 ? "st" : i == 1 ? "nd" : i == 2 ? "rd" : "th",
                                    c->nres);
            c->group[i] = c->res[gv - 1];
            continue;
        }
        int rc = hdb__sql_resolve(x, c, g, 0);
        if (rc != HDB_OK)
            return rc;
        c->group[i] = g;
    }
    return HDB_OK;
}

/* Selects one statement may compile, counting every copy: each use of a
 * view or CTE compiles its body again, so views built on views used twice
 * each (v1 = v0 x v0, v2 = v1 x v1, ...) would otherwise compile 2^n
 * copies and hang in hdb_prepare. */
#define HDB_SQL_MAX_COMPILED_SELECTS 20000

static int compile_core(xctx *x, hdb_sql_core *k, xcore *outer, xcte_scope *ctes, xcore **out)
{
    if (++x->ncompiled > HDB_SQL_MAX_COMPILED_SELECTS)
        return hdb__sql_err(x, HDB_ERROR,
                            "statement too complex: more than %d selects to compile (views "
                            "and CTEs count once per use)",
                            HDB_SQL_MAX_COMPILED_SELECTS);
    xcore *c = hdb__sql_alloc(x, sizeof *c);
    if (!c)
        return x->rc;
    c->outer = outer;
    c->ast = k;
    *out = c;
    if (k->is_values) {
        c->src = hdb__sql_alloc(x, sizeof(xsrc));
        return c->src ? compile_values(x, c, k) : x->rc;
    }
    xcondlist l;
    memset(&l, 0, sizeof l);
    int rc = setup_sources(x, c, k->from, ctes);
    if (rc == HDB_OK && k->from)
        rc = hdb__sql_join_using_all(x, c, k->from, &l);
    if (rc == HDB_OK)
        rc = result_columns(x, c);
    c->alias_ok = 1;
    if (rc == HDB_OK && k->from)
        rc = hdb__sql_join_on(x, c, k->from, &l);
    if (rc == HDB_OK && k->where && (rc = hdb__sql_resolve(x, c, k->where, 0)) == HDB_OK)
        rc = hdb__sql_cond_add(x, &l, k->where, -1);
    if (rc == HDB_OK)
        rc = hdb__sql_plan_join_order(x, c, &l);
    if (rc == HDB_OK)
        rc = hdb__sql_cond_place(x, c, &l);
    if (rc == HDB_OK)
        rc = group_terms(x, c, k);
    if (rc == HDB_OK && k->having && k->group_by.n == 0 && c->nagg == 0)
        /* SQLite: a query is an aggregate by its GROUP BY or the aggregates
         * of its result columns; HAVING alone does not make it one */
        return hdb__sql_err(x, HDB_ERROR, "HAVING clause on a non-aggregate query");
    if (rc == HDB_OK && k->having) {
        rc = hdb__sql_resolve(x, c, k->having, 1);
        c->having = k->having;
    }
    for (int i = 0; rc == HDB_OK && i < c->nsrc; i++)
        if (c->src[i].tab)
            hdb__sql_plan_source(x, c, i);
    return rc == HDB_OK ? x->rc : rc;
}

/* ---- ORDER BY and the whole select --------------------------------------- */

static const char *ordinal(int i)
{
    return i == 1 ? "st" : i == 2 ? "nd" : i == 3 ? "rd" : "th";
}

static int order_term(xctx *x, xsel *q, int i, hdb_sql_orderterm *t, xorder *o)
{
    hdb_sql_expr *e = t->expr;
    int explicit_ = 0, coll = hdb__sql_expr_coll(e, &explicit_);
    while (e->kind == HDB_SQL_E_COLLATE)
        e = e->u.collate.x;
    o->desc = t->sort == HDB_SQL_SORT_DESC;
    o->nulls_first = t->nulls == HDB_SQL_NULLS_FIRST ? 1 : t->nulls == HDB_SQL_NULLS_LAST ? 0 : -1;
    o->col = -1;
    int64_t ov;
    if (term_integer(e, &ov)) {
        if (ov < 1 || ov > q->ncol)
            return hdb__sql_err(x, HDB_ERROR,
                                "%d%s ORDER BY term out of range - should be between 1 and %d",
                                i + 1, ordinal(i + 1), q->ncol);
        o->col = (int)ov - 1;
    } else if (e->kind == HDB_SQL_E_COLUMN && !e->u.col.table) {
        xcore *c0 = q->core[0];
        for (int j = 0; j < c0->ast->cols.n && o->col < 0 && !c0->ast->is_values; j++)
            if (c0->ast->cols.a[j].alias && hdb__sql_name_eq(c0->ast->cols.a[j].alias, e->u.col.column))
                for (int k = 0; k < q->ncol; k++)
                    if (c0->res[k] == c0->ast->cols.a[j].expr)
                        o->col = k;
        for (int k = 0; k < q->ncol && o->col < 0 && q->ncore > 1; k++)
            if (hdb__sql_name_eq(q->names[k], e->u.col.column))
                o->col = k;
    }
    if (o->col < 0 && q->ncore > 1)
        return hdb__sql_err(x, HDB_ERROR,
                            "%d%s ORDER BY term does not match any column in the result set", i + 1,
                            ordinal(i + 1));
    if (o->col < 0) { /* an expression of the single core */
        xcore *c = q->core[0];
        int nagg = c->nagg;
        int rc = hdb__sql_resolve(x, c, t->expr, 1);
        if (rc != HDB_OK)
            return rc;
        /* An aggregate in ORDER BY alone does not make an aggregate query:
         * misuse with FROM; without FROM (one row at most) SQLite never
         * looks at the term, so neither is it evaluated here. */
        if (c->nagg > nagg && !nagg && !c->ngroup && !c->having) {
            if (c->nsrc > 0)
                return hdb__sql_err(x, HDB_ERROR, "misuse of aggregate: %s()",
                                    c->agg[nagg]->u.func.name);
            c->nagg = nagg;
            o->col = 0;
            o->coll = HDB_COLL_BINARY;
            return HDB_OK;
        }
        coll = hdb__sql_expr_coll(t->expr, &explicit_);
        c->order[c->norder] = t->expr;
        o->col = q->ncol + c->norder++;
        q->nextra++;
    }
    if (!explicit_ && o->col < q->ncol)
        coll = q->coll[o->col];
    o->coll = coll >= 0 ? coll : HDB_COLL_BINARY;
    return HDB_OK;
}

static int compile_order(xctx *x, xsel *q, hdb_sql_select *s)
{
    q->norder = s->order_by.n;
    q->order = hdb__sql_alloc(x, sizeof *q->order * (q->norder + 1));
    q->core[0]->order = hdb__sql_alloc(x, sizeof(hdb_sql_expr *) * (q->norder + 1));
    if (!q->order || !q->core[0]->order)
        return x->rc;
    for (int i = 0; i < q->norder; i++) {
        int rc = order_term(x, q, i, &s->order_by.a[i], &q->order[i]);
        if (rc != HDB_OK)
            return rc;
    }
    return HDB_OK;
}

static int output_columns(xctx *x, xsel *q)
{
    xcore *c0 = q->core[0];
    q->ncol = c0->nres;
    q->names = c0->names;
    q->aff = hdb__sql_alloc(x, sizeof(int) * (q->ncol + 1));
    q->coll = hdb__sql_alloc(x, sizeof(int) * (q->ncol + 1));
    if (!q->aff || !q->coll)
        return x->rc;
    for (int i = 0; i < q->ncol; i++) {
        int ex;
        q->aff[i] = hdb__sql_expr_aff(c0->res[i]);
        q->coll[i] = hdb__sql_expr_coll(c0->res[i], &ex);
        for (int k = 1; k < q->ncore && q->coll[i] < 0; k++) /* the left-most with one */
            if (i < q->core[k]->nres)
                q->coll[i] = hdb__sql_expr_coll(q->core[k]->res[i], &ex);
    }
    for (int k = 1; k < q->ncore; k++)
        if (q->core[k]->nres != q->ncol)
            return hdb__sql_err(x, HDB_ERROR,
                                "SELECTs to the left and right of %s do not have the same number "
                                "of result columns",
                                q->core[k]->ast->compound == HDB_SQL_COMPOUND_UNION_ALL ? "UNION ALL"
                                : q->core[k]->ast->compound == HDB_SQL_COMPOUND_INTERSECT ? "INTERSECT"
                                : q->core[k]->ast->compound == HDB_SQL_COMPOUND_EXCEPT ? "EXCEPT"
                                                                                       : "UNION");
    return HDB_OK;
}

/* The columns of a recursive CTE, from its seed select. */
static int recur_columns(xctx *x, xrecur *r, xcore *c0)
{
    int n = c0->nres;
    if (r->cols && r->cols->n && r->cols->n != n)
        return hdb__sql_err(x, HDB_ERROR, "table has %d values for %d columns", n, r->cols->n);
    r->names = hdb__sql_alloc(x, sizeof(char *) * (n + 1));
    r->aff = hdb__sql_alloc(x, sizeof(int) * (n + 1));
    r->coll = hdb__sql_alloc(x, sizeof(int) * (n + 1));
    if (!r->names || !r->aff || !r->coll)
        return x->rc;
    for (int i = 0; i < n; i++) {
        int ex;
        r->names[i] = r->cols && r->cols->n ? r->cols->a[i] : c0->names[i];
        r->aff[i] = hdb__sql_expr_aff(c0->res[i]);
        r->coll[i] = hdb__sql_expr_coll(c0->res[i], &ex);
    }
    r->ncol = n;
    return HDB_OK;
}

int hdb__sql_compile_select(xctx *x, hdb_sql_select *s, xcore *outer, xcte_scope *ctes,
                            xsel **out)
{
    xsel *q = hdb__sql_alloc(x, sizeof *q);
    if (!q)
        return x->rc;
    *out = q;
    xcte_scope local = {ctes, s->with, NULL, NULL};
    if (s->with)
        ctes = &local;
    q->ast = s;
    q->outer = outer;
    q->ncore = s->ncore;
    q->core = hdb__sql_alloc(x, sizeof(xcore *) * (s->ncore + 1));
    if (!q->core)
        return x->rc;
    for (int i = 0; i < s->ncore; i++) {
        int rc = compile_core(x, s->cores[i], outer, ctes, &q->core[i]);
        if (rc != HDB_OK)
            return rc;
        if (i == 0 && ctes && ctes->recur && !ctes->recur->ncol && ctes->compiling &&
            ctes->compiling->select == s && (rc = recur_columns(x, ctes->recur, q->core[0])) != HDB_OK)
            return rc;
    }
    int rc = output_columns(x, q);
    if (rc == HDB_OK)
        rc = compile_order(x, q, s);
    for (int i = 0; i < q->ncore && rc == HDB_OK; i++) {
        xcore *c = q->core[i];
        c->is_agg = c->ngroup > 0 || c->nagg > 0 || c->having;
        rc = hdb__sql_agg_prepare(x, c);
    }
    if (rc == HDB_OK)
        hdb__sql_plan_order(x, q);
    if (rc == HDB_OK && s->limit) {
        xcore *lc = hdb__sql_alloc(x, sizeof *lc);
        if (!lc)
            return x->rc;
        lc->outer = outer;
        q->limcore = lc;
        q->limit = s->limit;
        q->offset = s->offset;
        rc = hdb__sql_resolve(x, lc, s->limit, 0);
        if (rc == HDB_OK && s->offset)
            rc = hdb__sql_resolve(x, lc, s->offset, 0);
        if (lc->correlated)
            for (int i = 0; i < q->ncore; i++)
                q->core[i]->correlated = 1;
    }
    return rc;
}

xcore *hdb__sql_table_core(xctx *x, hdb_sql_table *t, const char *alias, xcore *outer)
{
    xcore *c = hdb__sql_alloc(x, sizeof *c);
    if (!c)
        return NULL;
    c->outer = outer;
    c->nsrc = 1;
    c->src = hdb__sql_alloc(x, sizeof(xsrc));
    if (!c->src || src_table(x, &c->src[0], t) != HDB_OK)
        return NULL;
    c->src[0].name = (char *)(alias ? alias : t->name);
    return c;
}
