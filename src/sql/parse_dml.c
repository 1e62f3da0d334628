/*
** parse_dml.c — INSERT, REPLACE, UPDATE, DELETE, and their shared pieces
** (SET lists, ON CONFLICT upserts, indexed-column lists, RETURNING).
**
**   insert ::= [WITH ..] (INSERT [OR action] | REPLACE) INTO [s.]t [AS a]
**              [(cols)] (select | DEFAULT VALUES) upsert* [RETURNING cols]
**   upsert ::= ON CONFLICT [(idxcols) [WHERE e]] DO (NOTHING | UPDATE SET
**              sets [WHERE e])
**   update ::= [WITH ..] UPDATE [OR action] [s.]t [AS a] [INDEXED BY i |
**              NOT INDEXED] SET sets [FROM from] [WHERE e] [RETURNING cols]
**   delete ::= [WITH ..] DELETE FROM [s.]t [AS a] [INDEXED BY i | NOT
**              INDEXED] [WHERE e] [RETURNING cols]
**   sets   ::= (name | (name, ...)) = e, ...
*/
#include "src/sql/parse_int.h"

/* The items of ( idxcol, ... ) without the parentheses; *autoinc, when not
 * NULL, receives a trailing AUTOINCREMENT (PRIMARY KEY(a AUTOINCREMENT)). */
static int idxcol_items(hdb_sql_parser *p, hdb_sql_idxcols *out, int *autoinc)
{
    do {
        if (!(out->a = hdb__sqlp_grow(p, out->a, out->n, sizeof *out->a)))
            return -1;
        hdb_sql_idxcol *c = &out->a[out->n++];
        if (!(c->expr = hdb__sqlp_expr(p)))
            return -1;
        if (c->expr->kind == HDB_SQL_E_COLLATE) { /* x COLLATE y: the column's collation */
            c->collate = c->expr->u.collate.name;
            c->expr = c->expr->u.collate.x;
        }
        if (hdb__sqlp_accept_kw(p, HDB_KW_ASC))
            c->sort = HDB_SQL_SORT_ASC;
        else if (hdb__sqlp_accept_kw(p, HDB_KW_DESC))
            c->sort = HDB_SQL_SORT_DESC;
    } while (hdb__sqlp_accept(p, HDB_TK_COMMA));
    if (autoinc)
        *autoinc = hdb__sqlp_accept_kw(p, HDB_KW_AUTOINCREMENT);
    return 0;
}

int hdb__sqlp_idxcols(hdb_sql_parser *p, hdb_sql_idxcols *out)
{
    if (hdb__sqlp_expect(p, HDB_TK_LP) || idxcol_items(p, out, NULL))
        return -1;
    return hdb__sqlp_expect(p, HDB_TK_RP);
}

int hdb__sqlp_pk_cols(hdb_sql_parser *p, hdb_sql_idxcols *out, int *autoinc)
{
    if (hdb__sqlp_expect(p, HDB_TK_LP) || idxcol_items(p, out, autoinc))
        return -1;
    return hdb__sqlp_expect(p, HDB_TK_RP);
}

int hdb__sqlp_sets(hdb_sql_parser *p, hdb_sql_sets *out)
{
    do {
        if (!(out->a = hdb__sqlp_grow(p, out->a, out->n, sizeof *out->a)))
            return -1;
        hdb_sql_set *s = &out->a[out->n++];
        if (hdb__sqlp_is(p, 0, HDB_TK_LP)) {
            if (hdb__sqlp_name_list(p, &s->cols))
                return -1;
        } else {
            if (!(s->cols.a = hdb__sqlp_alloc(p, sizeof *s->cols.a)) ||
                !(s->cols.a[0] = hdb__sqlp_name(p)))
                return -1;
            s->cols.n = 1;
        }
        if (hdb__sqlp_expect(p, HDB_TK_EQ) || !(s->value = hdb__sqlp_expr(p)))
            return -1;
    } while (hdb__sqlp_accept(p, HDB_TK_COMMA));
    return 0;
}

/* One ON CONFLICT clause; ON CONFLICT is current. */
static hdb_sql_upsert *upsert(hdb_sql_parser *p)
{
    hdb_sql_upsert *u = hdb__sqlp_alloc(p, sizeof *u);
    if (!u)
        return NULL;
    hdb__sqlp_advance(p);
    hdb__sqlp_advance(p);
    if (hdb__sqlp_is(p, 0, HDB_TK_LP)) {
        if (!(u->target = hdb__sqlp_alloc(p, sizeof *u->target)) ||
            hdb__sqlp_idxcols(p, u->target))
            return NULL;
        if (hdb__sqlp_accept_kw(p, HDB_KW_WHERE) && !(u->target_where = hdb__sqlp_expr(p)))
            return NULL;
    }
    if (hdb__sqlp_expect_kw(p, HDB_KW_DO))
        return NULL;
    if (hdb__sqlp_accept_kw(p, HDB_KW_NOTHING))
        return u;
    u->do_update = 1;
    if (hdb__sqlp_expect_kw(p, HDB_KW_UPDATE) || hdb__sqlp_expect_kw(p, HDB_KW_SET) ||
        hdb__sqlp_sets(p, &u->set))
        return NULL;
    if (hdb__sqlp_accept_kw(p, HDB_KW_WHERE) && !(u->where = hdb__sqlp_expr(p)))
        return NULL;
    return u;
}

static int returning(hdb_sql_parser *p, hdb_sql_rescols *out)
{
    if (!hdb__sqlp_accept_kw(p, HDB_KW_RETURNING))
        return 0;
    return hdb__sqlp_result_columns(p, out);
}

/* [AS alias] where the AS is required (INSERT, UPDATE, DELETE targets). */
static int as_alias(hdb_sql_parser *p, char **alias)
{
    if (!hdb__sqlp_accept_kw(p, HDB_KW_AS))
        return 0;
    return (*alias = hdb__sqlp_name(p)) ? 0 : -1;
}

static int indexed(hdb_sql_parser *p, char **by, int *not_indexed)
{
    if (hdb__sqlp_accept_kw(p, HDB_KW_INDEXED))
        return hdb__sqlp_expect_kw(p, HDB_KW_BY) || !(*by = hdb__sqlp_name(p)) ? -1 : 0;
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_NOT) && hdb__sqlp_is_kw(p, 1, HDB_KW_INDEXED)) {
        hdb__sqlp_advance(p);
        hdb__sqlp_advance(p);
        *not_indexed = 1;
    }
    return 0;
}

/* The source of an INSERT: a select, or DEFAULT VALUES. */
static int insert_source(hdb_sql_parser *p, hdb_sql_insert *ins)
{
    if (hdb__sqlp_accept_kw(p, HDB_KW_DEFAULT))
        return hdb__sqlp_expect_kw(p, HDB_KW_VALUES);
    if (!hdb__sqlp_starts_select(p, 0)) {
        hdb__sqlp_syntax_here(p);
        return -1;
    }
    return (ins->select = hdb__sqlp_select(p)) ? 0 : -1;
}

int hdb__sqlp_insert(hdb_sql_parser *p, hdb_sql_stmt *s, hdb_sql_with *with)
{
    hdb_sql_insert *ins = &s->u.insert;
    ins->with = with;
    if (hdb__sqlp_accept_kw(p, HDB_KW_REPLACE)) {
        ins->or_action = HDB_SQL_OR_REPLACE;
    } else {
        if (hdb__sqlp_expect_kw(p, HDB_KW_INSERT))
            return -1;
        if (hdb__sqlp_accept_kw(p, HDB_KW_OR) && (ins->or_action = hdb__sqlp_conflict_action(p)) < 0)
            return -1;
    }
    if (hdb__sqlp_expect_kw(p, HDB_KW_INTO) || hdb__sqlp_qualified(p, &ins->schema, &ins->table) ||
        as_alias(p, &ins->alias))
        return -1;
    if (hdb__sqlp_is(p, 0, HDB_TK_LP) && hdb__sqlp_name_list(p, &ins->cols))
        return -1;
    if (insert_source(p, ins))
        return -1;
    hdb_sql_upsert **tail = &ins->upsert;
    while (hdb__sqlp_is_kw(p, 0, HDB_KW_ON) && hdb__sqlp_is_kw(p, 1, HDB_KW_CONFLICT)) {
        if (!(*tail = upsert(p)))
            return -1;
        tail = &(*tail)->next;
    }
    return returning(p, &ins->returning);
}

int hdb__sqlp_update(hdb_sql_parser *p, hdb_sql_stmt *s, hdb_sql_with *with)
{
    hdb_sql_update *up = &s->u.update;
    up->with = with;
    if (hdb__sqlp_expect_kw(p, HDB_KW_UPDATE))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_OR) && (up->or_action = hdb__sqlp_conflict_action(p)) < 0)
        return -1;
    if (hdb__sqlp_qualified(p, &up->schema, &up->table) || as_alias(p, &up->alias) ||
        indexed(p, &up->indexed_by, &up->not_indexed))
        return -1;
    if (hdb__sqlp_expect_kw(p, HDB_KW_SET) || hdb__sqlp_sets(p, &up->set))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_FROM) && !(up->from = hdb__sqlp_from(p)))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_WHERE) && !(up->where = hdb__sqlp_expr(p)))
        return -1;
    return returning(p, &up->returning);
}

int hdb__sqlp_delete(hdb_sql_parser *p, hdb_sql_stmt *s, hdb_sql_with *with)
{
    hdb_sql_delete *d = &s->u.del;
    d->with = with;
    if (hdb__sqlp_expect_kw(p, HDB_KW_DELETE) || hdb__sqlp_expect_kw(p, HDB_KW_FROM) ||
        hdb__sqlp_qualified(p, &d->schema, &d->table) || as_alias(p, &d->alias) ||
        indexed(p, &d->indexed_by, &d->not_indexed))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_WHERE) && !(d->where = hdb__sqlp_expr(p)))
        return -1;
    return returning(p, &d->returning);
}
