/*
** exec_resolve.c — name resolution: each expression node gets an xref in
** its `aux` saying what it reads (exec.h).
**
** RULES (SQLite's)
**   - A column name is looked up in the sources of the innermost core, then
**     of each enclosing core (a correlated reference).  Two matches in one
**     core are "ambiguous column name"; a column hidden by USING/NATURAL
**     is seen only when qualified.
**   - rowid, oid and _rowid_ name the rowid when no column has that name.
**   - In WHERE, GROUP BY, HAVING and ORDER BY a bare name that is not a
**     column may name a result column by its alias.
**   - A "double-quoted" name that matches nothing is a string literal.
**   - Aggregates are allowed only where allow_agg says (result columns,
**     HAVING, ORDER BY); their arguments may not hold aggregates.
*/
#include <stdio.h>
#include <string.h>
#include "src/sql/exec.h"

void *hdb__sql_alloc(xctx *x, size_t n)
{
    void *p = hdb__sql_arena_alloc(x->arena, n ? n : 1);
    if (!p)
        hdb__sql_err(x, HDB_NOMEM, "out of memory");
    return p;
}

char *hdb__sql_strdup(xctx *x, const char *s)
{
    char *p = hdb__sql_arena_strndup(x->arena, s, strlen(s));
    if (!p)
        hdb__sql_err(x, HDB_NOMEM, "out of memory");
    return p;
}

static xref *newref(xctx *x, int kind)
{
    xref *r = hdb__sql_alloc(x, sizeof *r);
    if (r) {
        r->kind = kind;
        r->cache.type = HDB_NULL;
    }
    return r;
}

static int is_rowid_name(const char *n)
{
    return hdb__sql_name_eq(n, "rowid") || hdb__sql_name_eq(n, "oid") ||
           hdb__sql_name_eq(n, "_rowid_");
}

/* Look for name in the sources of cc: 1 found (ref filled), 0 none, -1 ambiguous. */
static int find_in_core(xcore *cc, const char *tbl, const char *name, xref *r)
{
    int found = 0;
    for (int i = 0; i < cc->nsrc; i++) {
        xsrc *s = &cc->src[i];
        if (tbl && !hdb__sql_name_eq(s->name, tbl))
            continue;
        for (int j = 0; j < s->ncol; j++) {
            if (!hdb__sql_name_eq(s->cols[j], name) || (!tbl && s->hide && s->hide[j]))
                continue;
            if (found)
                return -1;
            found = 1;
            r->src = i;
            r->col = j;
            r->aff = s->aff[j];
            r->coll = s->tab && j == s->tab->ipk ? -1 : s->coll[j];
        }
    }
    if (found || !is_rowid_name(name))
        return found;
    for (int i = 0; i < cc->nsrc; i++) {
        xsrc *s = &cc->src[i];
        if (!s->tab || (tbl && !hdb__sql_name_eq(s->name, tbl)))
            continue;
        if (found)
            return -1;
        found = 1;
        r->src = i;
        r->col = -1;
        r->aff = HDB_AFF_INTEGER;
        r->coll = -1;
    }
    return found;
}

static hdb_sql_expr *find_alias(xcore *c, const char *name)
{
    if (!c->alias_ok || !c->ast)
        return NULL;
    for (int i = 0; i < c->ast->cols.n; i++) {
        hdb_sql_rescol *rc = &c->ast->cols.a[i];
        if (rc->alias && rc->expr && hdb__sql_name_eq(rc->alias, name))
            return rc->expr;
    }
    return NULL;
}

static int resolve_column(xctx *x, xcore *c, hdb_sql_expr *e)
{
    const char *tbl = e->u.col.table, *name = e->u.col.column;
    xref tmp;
    memset(&tmp, 0, sizeof tmp);
    int up = 0;
    for (xcore *cc = c; cc; cc = cc->outer, up++) {
        int f = find_in_core(cc, tbl, name, &tmp);
        if (f < 0)
            return hdb__sql_err(x, HDB_ERROR, "ambiguous column name: %s%s%s", tbl ? tbl : "",
                                tbl ? "." : "", name);
        if (f == 0 && !tbl && up == 0) {
            hdb_sql_expr *a = find_alias(cc, name);
            if (a) {
                xref *r = newref(x, XR_ALIAS);
                if (!r)
                    return x->rc;
                r->alias = a;
                e->aux = r;
                return HDB_OK;
            }
        }
        if (f == 0)
            continue;
        xref *r = newref(x, XR_COL);
        if (!r)
            return x->rc;
        *r = tmp;
        r->kind = XR_COL;
        r->up = up;
        r->cache.type = HDB_NULL;
        e->aux = r;
        if (tmp.col >= 0) /* what an index must hold to serve the source alone */
            cc->src[tmp.src].need |= 1ull << (tmp.col < 63 ? tmp.col : 63);
        xcore *m = c;
        for (int i = 0; i < up; i++, m = m->outer) {
            m->correlated = 1;
            if (i == up - 1) /* the core right inside the one read */
                m->outer_srcs |= 1ull << (tmp.src < 63 ? tmp.src : 63);
        }
        return HDB_OK;
    }
    if (!tbl && (e->flags & HDB_SQL_EF_DQUOTED)) {
        e->aux = newref(x, XR_CONST);
        return e->aux ? HDB_OK : x->rc;
    }
    return hdb__sql_err(x, HDB_ERROR, "no such column: %s%s%s", tbl ? tbl : "", tbl ? "." : "",
                        name);
}

static int add_agg(xctx *x, xcore *c, hdb_sql_expr *e)
{
    hdb_sql_expr **na = hdb__sql_alloc(x, sizeof *na * (c->nagg + 1));
    if (!na)
        return x->rc;
    if (c->nagg)
        memcpy(na, c->agg, sizeof *na * c->nagg);
    na[c->nagg] = e;
    c->agg = na;
    return c->nagg++;
}

static int resolve_func(xctx *x, xcore *c, hdb_sql_expr *e, int allow_agg)
{
    const char *name = e->u.func.name;
    int n = e->u.func.args.n, exists = 0, rc;
    xref *r = newref(x, XR_FUNC);
    if (!r)
        return x->rc;
    e->aux = r;
    if (n == 0 && (hdb__sql_name_eq(name, "changes") || hdb__sql_name_eq(name, "total_changes") ||
                   hdb__sql_name_eq(name, "last_insert_rowid"))) {
        r->col = hdb__sql_name_eq(name, "last_insert_rowid") ? 2 : 1;
        return HDB_OK;
    }
    const hdb_sql_funcdef *fd = hdb__sql_func_find(name, n, &exists);
    if (!fd)
        return hdb__sql_err(x, HDB_ERROR, exists ? "wrong number of arguments to function %s()"
                                                 : "no such function: %s",
                            name);
    r->fn = fd;
    if (!fd->agg) {
        if (e->flags & HDB_SQL_EF_DISTINCT)
            return hdb__sql_err(x, HDB_ERROR, "DISTINCT aggregates must have exactly one argument");
        for (int i = 0; i < n; i++)
            if ((rc = hdb__sql_resolve(x, c, e->u.func.args.a[i], allow_agg)) != HDB_OK)
                return rc;
        return HDB_OK;
    }
    if (!allow_agg)
        return hdb__sql_err(x, HDB_ERROR, "misuse of aggregate function %s()", name);
    if ((e->flags & HDB_SQL_EF_DISTINCT) && n != 1)
        return hdb__sql_err(x, HDB_ERROR, "DISTINCT aggregates must have exactly one argument");
    for (int i = 0; i < n; i++)
        if ((rc = hdb__sql_resolve(x, c, e->u.func.args.a[i], 0)) != HDB_OK)
            return rc;
    if (e->u.func.filter && (rc = hdb__sql_resolve(x, c, e->u.func.filter, 0)) != HDB_OK)
        return rc;
    if (n == 1) {
        int ex, coll = hdb__sql_expr_coll(e->u.func.args.a[0], &ex);
        const hdb_sql_funcdef *mm = hdb__sql_minmax_coll(name, coll);
        if (mm)
            r->fn = mm;
    }
    r->kind = XR_AGG;
    r->agg = add_agg(x, c, e);
    return r->agg < 0 ? x->rc : HDB_OK;
}

/* SELECT * FROM name, for "x IN name". */
static hdb_sql_select *select_star(xctx *x, const char *name)
{
    hdb_sql_select *s = hdb__sql_alloc(x, sizeof *s);
    hdb_sql_core *k = hdb__sql_alloc(x, sizeof *k);
    hdb_sql_core **ks = hdb__sql_alloc(x, sizeof *ks);
    hdb_sql_from *f = hdb__sql_alloc(x, sizeof *f);
    hdb_sql_src *src = hdb__sql_alloc(x, sizeof *src);
    hdb_sql_rescol *rc = hdb__sql_alloc(x, sizeof *rc);
    if (!s || !k || !ks || !f || !src || !rc)
        return NULL;
    src->name = (char *)name;
    f->n = 1;
    f->a = src;
    rc->span = "*";
    k->cols.n = 1;
    k->cols.a = rc;
    k->from = f;
    ks[0] = k;
    s->ncore = 1;
    s->cores = ks;
    return s;
}

static int sub_correlated(xsel *s)
{
    for (int i = 0; i < s->ncore; i++)
        if (s->core[i]->correlated)
            return 1;
    return 0;
}

static int resolve_subquery(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_select *sel)
{
    xref *r = newref(x, XR_SUBQ);
    if (!r)
        return x->rc;
    int rc = hdb__sql_compile_select(x, sel, c, NULL, &r->sub);
    if (rc != HDB_OK)
        return rc;
    r->correlated = sub_correlated(r->sub);
    if (e->kind == HDB_SQL_E_SUBQUERY && r->sub->ncol != 1)
        return hdb__sql_err(x, HDB_ERROR, "sub-select returns %d columns - expected 1",
                            r->sub->ncol);
    e->aux = r;
    return HDB_OK;
}

static int resolve_list(xctx *x, xcore *c, hdb_sql_exprlist *l, int allow_agg)
{
    for (int i = 0; i < l->n; i++) {
        int rc = hdb__sql_resolve(x, c, l->a[i], allow_agg);
        if (rc != HDB_OK)
            return rc;
    }
    return HDB_OK;
}

int hdb__sql_resolve(xctx *x, xcore *c, hdb_sql_expr *e, int allow_agg)
{
    int rc = HDB_OK;
    if (!e)
        return HDB_OK;
#define R(sub) do { if ((rc = hdb__sql_resolve(x, c, (sub), allow_agg)) != HDB_OK) return rc; } while (0)
    switch (e->kind) {
    case HDB_SQL_E_COLUMN: return resolve_column(x, c, e);
    case HDB_SQL_E_UNARY: case HDB_SQL_E_ISNULL: R(e->u.unary.x); break;
    case HDB_SQL_E_BINARY: R(e->u.binary.l); R(e->u.binary.r); break;
    case HDB_SQL_E_COLLATE:
        if (hdb__sql_collation(e->u.collate.name) < 0)
            return hdb__sql_err(x, HDB_ERROR, "no such collation sequence: %s", e->u.collate.name);
        R(e->u.collate.x);
        break;
    case HDB_SQL_E_CAST: R(e->u.cast.x); break;
    case HDB_SQL_E_CASE:
        if (e->u.kase.operand)
            R(e->u.kase.operand);
        if ((rc = resolve_list(x, c, &e->u.kase.when, allow_agg)) != HDB_OK ||
            (rc = resolve_list(x, c, &e->u.kase.then, allow_agg)) != HDB_OK)
            return rc;
        if (e->u.kase.else_)
            R(e->u.kase.else_);
        break;
    case HDB_SQL_E_BETWEEN: R(e->u.between.x); R(e->u.between.lo); R(e->u.between.hi); break;
    case HDB_SQL_E_IN:
        if (!e->u.in.table && !e->u.in.select && e->u.in.list.n == 0) {
            /* "x IN ()" is false and "x NOT IN ()" true whatever x is, and
             * x is never looked at (SQLite drops it before resolving names:
             * an ambiguous or misplaced name in it is no error) */
            e->kind = HDB_SQL_E_INTEGER;
            e->u.ival = (e->flags & HDB_SQL_EF_NOT) ? 1 : 0;
            e->flags = 0;
            e->height = 1;
            return hdb__sql_resolve(x, c, e, allow_agg);
        }
        R(e->u.in.x);
        if (e->u.in.table) {
            hdb_sql_select *s = select_star(x, e->u.in.table);
            if (!s)
                return x->rc;
            return resolve_subquery(x, c, e, s);
        }
        if (e->u.in.select)
            return resolve_subquery(x, c, e, e->u.in.select);
        return resolve_list(x, c, &e->u.in.list, allow_agg);
    case HDB_SQL_E_LIKE:
        R(e->u.like.x);
        R(e->u.like.pattern);
        if (e->u.like.escape)
            R(e->u.like.escape);
        break;
    case HDB_SQL_E_EXISTS: case HDB_SQL_E_SUBQUERY:
        return resolve_subquery(x, c, e, e->u.select);
    case HDB_SQL_E_FUNCTION: return resolve_func(x, c, e, allow_agg);
    case HDB_SQL_E_VECTOR: return resolve_list(x, c, &e->u.list, allow_agg);
    default: break;
    }
#undef R
    return HDB_OK;
}
