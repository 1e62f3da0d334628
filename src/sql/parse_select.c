/*
** parse_select.c — SELECT: WITH, compound operators, result columns, FROM
** and joins, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT; and VALUES.
**
**   select   ::= [WITH [RECURSIVE] cte, ...] core (compound-op core)*
**                [ORDER BY term, ...] [LIMIT e [OFFSET e | , e]]
**   core     ::= SELECT [DISTINCT|ALL] rescol, ... [FROM from] [WHERE e]
**                [GROUP BY e, ...] [HAVING e]
**              | VALUES (e, ...), ...
**   from     ::= item (("," | join-op) item [ON e | USING (names)])*
**   join-op  ::= [NATURAL] [LEFT|RIGHT|FULL [OUTER] | INNER | CROSS] JOIN
**   item     ::= [schema.]name[(args)] [[AS] alias] [INDEXED BY i | NOT INDEXED]
**              | ( select ) [[AS] alias] | ( from ) [[AS] alias]
**
** "ON CONFLICT" after a FROM item is left alone: it belongs to an INSERT's
** upsert clause (SQLite needs "WHERE true" there to disambiguate; a second
** token of lookahead makes that unnecessary here).
*/
#include <string.h>
#include "src/sql/parse_int.h"

int hdb__sqlp_starts_select(hdb_sql_parser *p, int k)
{
    return hdb__sqlp_is_kw(p, k, HDB_KW_SELECT) || hdb__sqlp_is_kw(p, k, HDB_KW_VALUES) ||
           hdb__sqlp_is_kw(p, k, HDB_KW_WITH);
}

/* name [(cols)] AS [[NOT] MATERIALIZED] ( select ) */
static int cte(hdb_sql_parser *p, hdb_sql_cte *c)
{
    if (!(c->name = hdb__sqlp_name(p)))
        return -1;
    if (hdb__sqlp_is(p, 0, HDB_TK_LP) && hdb__sqlp_name_list(p, &c->cols))
        return -1;
    if (hdb__sqlp_expect_kw(p, HDB_KW_AS))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_NOT)) {
        if (hdb__sqlp_expect_kw(p, HDB_KW_MATERIALIZED))
            return -1;
        c->materialized = -1;
    } else if (hdb__sqlp_accept_kw(p, HDB_KW_MATERIALIZED)) {
        c->materialized = 1;
    }
    if (hdb__sqlp_expect(p, HDB_TK_LP) || !(c->select = hdb__sqlp_select(p)))
        return -1;
    return hdb__sqlp_expect(p, HDB_TK_RP);
}

hdb_sql_with *hdb__sqlp_with(hdb_sql_parser *p)
{
    hdb_sql_with *w = hdb__sqlp_alloc(p, sizeof *w);
    if (!w || hdb__sqlp_expect_kw(p, HDB_KW_WITH))
        return NULL;
    w->recursive = hdb__sqlp_accept_kw(p, HDB_KW_RECURSIVE);
    do {
        if (!(w->a = hdb__sqlp_grow(p, w->a, w->n, sizeof *w->a)) || cte(p, &w->a[w->n++]))
            return NULL;
    } while (hdb__sqlp_accept(p, HDB_TK_COMMA));
    return w;
}

/* ---------------------------------------------------------------------------
** Result columns
*/
static int result_column(hdb_sql_parser *p, hdb_sql_rescol *rc)
{
    size_t pos = hdb__sqlp_peek(p, 0)->pos, end;
    if (hdb__sqlp_accept(p, HDB_TK_STAR)) {
        end = p->last_end;
    } else if (hdb__sqlp_is_name(p, 0) && hdb__sqlp_is(p, 1, HDB_TK_DOT) &&
               hdb__sqlp_is(p, 2, HDB_TK_STAR)) {
        if (!(rc->table = hdb__sqlp_name(p)))
            return -1;
        hdb__sqlp_advance(p);
        hdb__sqlp_advance(p);
        end = p->last_end;
    } else {
        if (!(rc->expr = hdb__sqlp_expr(p)))
            return -1;
        end = p->last_end;
        if (hdb__sqlp_alias(p, &rc->alias))
            return -1;
    }
    return (rc->span = hdb__sqlp_strndup(p, pos, end - pos)) ? 0 : -1;
}

int hdb__sqlp_result_columns(hdb_sql_parser *p, hdb_sql_rescols *out)
{
    do {
        if (!(out->a = hdb__sqlp_grow(p, out->a, out->n, sizeof *out->a)) ||
            result_column(p, &out->a[out->n++]))
            return -1;
    } while (hdb__sqlp_accept(p, HDB_TK_COMMA));
    return 0;
}

/* ---------------------------------------------------------------------------
** FROM
*/

/* [NATURAL] [LEFT|RIGHT|FULL [OUTER] | INNER | CROSS] JOIN.  1 if one was
 * read, 0 if the current token starts none, -1 on error. */
static int join_op(hdb_sql_parser *p, int *join, int *natural)
{
    static const int kinds[][2] = {
        {HDB_KW_LEFT, HDB_SQL_JOIN_LEFT}, {HDB_KW_RIGHT, HDB_SQL_JOIN_RIGHT},
        {HDB_KW_FULL, HDB_SQL_JOIN_FULL}, {HDB_KW_INNER, HDB_SQL_JOIN_INNER},
        {HDB_KW_CROSS, HDB_SQL_JOIN_CROSS}};
    *natural = hdb__sqlp_accept_kw(p, HDB_KW_NATURAL);
    *join = HDB_SQL_JOIN_INNER;
    int any = *natural;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (hdb__sqlp_accept_kw(p, kinds[i][0])) {
            *join = kinds[i][1];
            if (*join >= HDB_SQL_JOIN_LEFT)
                hdb__sqlp_accept_kw(p, HDB_KW_OUTER);
            any = 1;
            break;
        }
    if (!any && !hdb__sqlp_is_kw(p, 0, HDB_KW_JOIN))
        return 0;
    return hdb__sqlp_expect_kw(p, HDB_KW_JOIN) ? -1 : 1;
}

/* [schema.]name[(args)] [alias] [INDEXED BY x | NOT INDEXED] */
static int table_item(hdb_sql_parser *p, hdb_sql_src *src)
{
    if (hdb__sqlp_qualified(p, &src->schema, &src->name))
        return -1;
    if (hdb__sqlp_accept(p, HDB_TK_LP)) {
        src->has_args = 1;
        if (!hdb__sqlp_is(p, 0, HDB_TK_RP) && hdb__sqlp_expr_list(p, &src->args))
            return -1;
        if (hdb__sqlp_expect(p, HDB_TK_RP))
            return -1;
    }
    if (hdb__sqlp_alias(p, &src->alias))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_INDEXED)) {
        if (hdb__sqlp_expect_kw(p, HDB_KW_BY) || !(src->indexed_by = hdb__sqlp_name(p)))
            return -1;
    } else if (hdb__sqlp_is_kw(p, 0, HDB_KW_NOT) && hdb__sqlp_is_kw(p, 1, HDB_KW_INDEXED)) {
        hdb__sqlp_advance(p);
        hdb__sqlp_advance(p);
        src->not_indexed = 1;
    }
    return 0;
}

/* ( select ) [alias] | ( from ) [alias]; at the '('. */
static int paren_item(hdb_sql_parser *p, hdb_sql_src *src)
{
    hdb__sqlp_advance(p);
    if (hdb__sqlp_starts_select(p, 0)) {
        if (!(src->subquery = hdb__sqlp_select(p)))
            return -1;
    } else {
        if (hdb__sqlp_enter(p))
            return -1;
        src->nested = hdb__sqlp_from(p);
        hdb__sqlp_leave(p);
        if (!src->nested)
            return -1;
    }
    if (hdb__sqlp_expect(p, HDB_TK_RP))
        return -1;
    return hdb__sqlp_alias(p, &src->alias);
}

/* ON e | USING (names), for an item that is not the first. */
static int join_constraint(hdb_sql_parser *p, hdb_sql_src *src)
{
    size_t pos = hdb__sqlp_peek(p, 0)->pos;
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_ON) && !hdb__sqlp_is_kw(p, 1, HDB_KW_CONFLICT)) {
        hdb__sqlp_advance(p);
        if (!(src->on = hdb__sqlp_expr(p)))
            return -1;
    } else if (hdb__sqlp_accept_kw(p, HDB_KW_USING)) {
        if (hdb__sqlp_name_list(p, &src->using_))
            return -1;
    } else {
        return 0;
    }
    if (src->natural) {
        hdb__sqlp_error(p, pos, "a NATURAL join may not have an ON or USING clause");
        return -1;
    }
    return 0;
}

hdb_sql_from *hdb__sqlp_from(hdb_sql_parser *p)
{
    hdb_sql_from *f = hdb__sqlp_alloc(p, sizeof *f);
    int join = HDB_SQL_JOIN_FIRST, natural = 0, r;
    if (!f)
        return NULL;
    for (;;) {
        if (!(f->a = hdb__sqlp_grow(p, f->a, f->n, sizeof *f->a)))
            return NULL;
        hdb_sql_src *src = &f->a[f->n++];
        src->join = join;
        src->natural = natural;
        src->pos = hdb__sqlp_peek(p, 0)->pos;
        if (hdb__sqlp_is(p, 0, HDB_TK_LP) ? paren_item(p, src) : table_item(p, src))
            return NULL;
        if (join != HDB_SQL_JOIN_FIRST && join_constraint(p, src))
            return NULL;
        src->len = p->last_end - src->pos;
        natural = 0;
        if (hdb__sqlp_accept(p, HDB_TK_COMMA))
            join = HDB_SQL_JOIN_COMMA;
        else if ((r = join_op(p, &join, &natural)) < 0)
            return NULL;
        else if (r == 0)
            return f;
    }
}

/* ---------------------------------------------------------------------------
** ORDER BY, cores, selects
*/
int hdb__sqlp_order_by(hdb_sql_parser *p, hdb_sql_orderby *out)
{
    do {
        if (!(out->a = hdb__sqlp_grow(p, out->a, out->n, sizeof *out->a)))
            return -1;
        hdb_sql_orderterm *t = &out->a[out->n++];
        if (!(t->expr = hdb__sqlp_expr(p)))
            return -1;
        if (hdb__sqlp_accept_kw(p, HDB_KW_ASC))
            t->sort = HDB_SQL_SORT_ASC;
        else if (hdb__sqlp_accept_kw(p, HDB_KW_DESC))
            t->sort = HDB_SQL_SORT_DESC;
        if (hdb__sqlp_accept_kw(p, HDB_KW_NULLS)) {
            if (hdb__sqlp_accept_kw(p, HDB_KW_FIRST))
                t->nulls = HDB_SQL_NULLS_FIRST;
            else if (hdb__sqlp_expect_kw(p, HDB_KW_LAST))
                return -1;
            else
                t->nulls = HDB_SQL_NULLS_LAST;
        }
    } while (hdb__sqlp_accept(p, HDB_TK_COMMA));
    return 0;
}

/* VALUES (..), (..): rows of equal length.  VALUES is consumed. */
static int values_rows(hdb_sql_parser *p, hdb_sql_core *c)
{
    do {
        size_t pos = hdb__sqlp_peek(p, 0)->pos;
        if (!(c->values = hdb__sqlp_grow(p, c->values, c->nvalues, sizeof *c->values)))
            return -1;
        hdb_sql_exprlist *row = &c->values[c->nvalues++];
        if (hdb__sqlp_expect(p, HDB_TK_LP) || hdb__sqlp_expr_list(p, row) ||
            hdb__sqlp_expect(p, HDB_TK_RP))
            return -1;
        if (row->n != c->values[0].n) {
            hdb__sqlp_error(p, pos, "all VALUES must have the same number of terms");
            return -1;
        }
    } while (hdb__sqlp_accept(p, HDB_TK_COMMA));
    return 0;
}

/* The clauses after SELECT's result columns. */
static int core_clauses(hdb_sql_parser *p, hdb_sql_core *c)
{
    if (hdb__sqlp_accept_kw(p, HDB_KW_FROM) && !(c->from = hdb__sqlp_from(p)))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_WHERE) && !(c->where = hdb__sqlp_expr(p)))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_GROUP) &&
        (hdb__sqlp_expect_kw(p, HDB_KW_BY) || hdb__sqlp_expr_list(p, &c->group_by)))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_HAVING) && !(c->having = hdb__sqlp_expr(p)))
        return -1;
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_WINDOW) && hdb__sqlp_is_name(p, 1) &&
        hdb__sqlp_is_kw(p, 2, HDB_KW_AS)) {
        hdb__sqlp_error(p, hdb__sqlp_peek(p, 0)->pos, "window functions are not supported");
        return -1;
    }
    return 0;
}

static hdb_sql_core *select_core(hdb_sql_parser *p, int compound)
{
    hdb_sql_core *c = hdb__sqlp_alloc(p, sizeof *c);
    if (!c)
        return NULL;
    c->compound = compound;
    c->pos = hdb__sqlp_peek(p, 0)->pos;
    if (hdb__sqlp_accept_kw(p, HDB_KW_VALUES)) {
        c->is_values = 1;
        if (values_rows(p, c))
            return NULL;
    } else {
        if (hdb__sqlp_expect_kw(p, HDB_KW_SELECT))
            return NULL;
        if (hdb__sqlp_accept_kw(p, HDB_KW_DISTINCT))
            c->distinct = 1;
        else
            hdb__sqlp_accept_kw(p, HDB_KW_ALL);
        if (hdb__sqlp_result_columns(p, &c->cols) || core_clauses(p, c))
            return NULL;
    }
    c->len = p->last_end - c->pos;
    return c;
}

/* UNION [ALL] | INTERSECT | EXCEPT, or 0. */
static int compound_op(hdb_sql_parser *p)
{
    if (hdb__sqlp_accept_kw(p, HDB_KW_UNION))
        return hdb__sqlp_accept_kw(p, HDB_KW_ALL) ? HDB_SQL_COMPOUND_UNION_ALL
                                                  : HDB_SQL_COMPOUND_UNION;
    if (hdb__sqlp_accept_kw(p, HDB_KW_INTERSECT))
        return HDB_SQL_COMPOUND_INTERSECT;
    if (hdb__sqlp_accept_kw(p, HDB_KW_EXCEPT))
        return HDB_SQL_COMPOUND_EXCEPT;
    return 0;
}

static int select_tail(hdb_sql_parser *p, hdb_sql_select *s)
{
    if (hdb__sqlp_accept_kw(p, HDB_KW_ORDER) &&
        (hdb__sqlp_expect_kw(p, HDB_KW_BY) || hdb__sqlp_order_by(p, &s->order_by)))
        return -1;
    if (!hdb__sqlp_accept_kw(p, HDB_KW_LIMIT))
        return 0;
    if (!(s->limit = hdb__sqlp_expr(p)))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_OFFSET))
        return (s->offset = hdb__sqlp_expr(p)) ? 0 : -1;
    if (hdb__sqlp_accept(p, HDB_TK_COMMA)) { /* LIMIT offset, count */
        s->offset = s->limit;
        return (s->limit = hdb__sqlp_expr(p)) ? 0 : -1;
    }
    return 0;
}

static hdb_sql_select *select_body(hdb_sql_parser *p, hdb_sql_with *with, size_t pos)
{
    hdb_sql_select *s = hdb__sqlp_alloc(p, sizeof *s);
    int op = HDB_SQL_COMPOUND_NONE;
    if (!s)
        return NULL;
    s->with = with;
    s->pos = pos;
    do {
        if (!(s->cores = hdb__sqlp_grow(p, s->cores, s->ncore, sizeof *s->cores)) ||
            !(s->cores[s->ncore++] = select_core(p, op)))
            return NULL;
    } while ((op = compound_op(p)) != 0);
    if (select_tail(p, s))
        return NULL;
    s->len = p->last_end - pos;
    s->height = hdb__sqlp_select_height(s);
    if (s->height > HDB_SQL_MAX_HEIGHT) {
        hdb__sqlp_error(p, pos, "expression tree is too large (maximum depth %d)",
                        HDB_SQL_MAX_HEIGHT);
        return NULL;
    }
    return s;
}

hdb_sql_select *hdb__sqlp_select_with(hdb_sql_parser *p, hdb_sql_with *with, size_t pos)
{
    if (hdb__sqlp_enter(p))
        return NULL;
    hdb_sql_select *s = select_body(p, with, pos);
    hdb__sqlp_leave(p);
    return s;
}

hdb_sql_select *hdb__sqlp_select(hdb_sql_parser *p)
{
    size_t pos = hdb__sqlp_peek(p, 0)->pos;
    hdb_sql_with *with = NULL;
    hdb_sql_select *s = NULL;
    if (hdb__sqlp_enter(p)) /* before WITH: its CTEs nest selects too */
        return NULL;
    if (!hdb__sqlp_is_kw(p, 0, HDB_KW_WITH) || (with = hdb__sqlp_with(p)))
        s = select_body(p, with, pos);
    hdb__sqlp_leave(p);
    return s;
}

/* ---------------------------------------------------------------------------
** Heights
*/
static int hexpr(int m, const hdb_sql_expr *e) { return e && e->height > m ? e->height : m; }

static int hlist(int m, const hdb_sql_exprlist *l)
{
    for (int i = 0; i < l->n; i++)
        m = hexpr(m, l->a[i]);
    return m;
}

static int hsel(int m, const hdb_sql_select *s) { return s && s->height > m ? s->height : m; }

static int hfrom(int m, const hdb_sql_from *f)
{
    for (int i = 0; f && i < f->n; i++) {
        const hdb_sql_src *s = &f->a[i];
        m = hexpr(hsel(hlist(m, &s->args), s->subquery), s->on);
        m = hfrom(m, s->nested); /* bounded by HDB_SQL_MAX_DEPTH */
    }
    return m;
}

static int hcore(int m, const hdb_sql_core *c)
{
    for (int i = 0; i < c->nvalues; i++)
        m = hlist(m, &c->values[i]);
    for (int i = 0; i < c->cols.n; i++)
        m = hexpr(m, c->cols.a[i].expr);
    m = hfrom(m, c->from);
    return hexpr(hexpr(hlist(m, &c->group_by), c->where), c->having);
}

int hdb__sqlp_select_height(const hdb_sql_select *s)
{
    int m = 0;
    for (int i = 0; s->with && i < s->with->n; i++)
        m = hsel(m, s->with->a[i].select);
    for (int i = 0; i < s->ncore; i++)
        m = hcore(m, s->cores[i]);
    for (int i = 0; i < s->order_by.n; i++)
        m = hexpr(m, s->order_by.a[i].expr);
    return hexpr(hexpr(m, s->limit), s->offset) + 1;
}
