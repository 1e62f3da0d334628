/*
** parse_ddl.c — CREATE TABLE / INDEX / VIEW, DROP, ALTER TABLE.
**
**   create-table ::= CREATE [TEMP] TABLE [IF NOT EXISTS] [s.]t
**                    ( coldef, ... [, tcons [,] ...] ) [WITHOUT ROWID | STRICT, ...]
**                  | CREATE [TEMP] TABLE [IF NOT EXISTS] [s.]t AS select
**   coldef       ::= name [type] ccons*
**   ccons        ::= [CONSTRAINT n] (PRIMARY KEY [ASC|DESC] [conflict] [AUTOINCREMENT]
**                    | NOT NULL [conflict] | NULL [conflict] | UNIQUE [conflict]
**                    | CHECK (e) | DEFAULT value | COLLATE c | REFERENCES fk)
**   tcons        ::= [CONSTRAINT n] (PRIMARY KEY (idxcols [AUTOINCREMENT]) [conflict]
**                    | UNIQUE (idxcols) [conflict] | CHECK (e) [conflict]
**                    | FOREIGN KEY (names) REFERENCES fk)
**   fk           ::= t [(names)] (ON (DELETE|UPDATE) action | MATCH n)*
**                    [[NOT] DEFERRABLE [INITIALLY (DEFERRED|IMMEDIATE)]]
**   conflict     ::= ON CONFLICT (ROLLBACK|ABORT|FAIL|IGNORE|REPLACE)
**   create-index ::= CREATE [UNIQUE] INDEX [IF NOT EXISTS] [s.]i ON t (idxcols) [WHERE e]
**   create-view  ::= CREATE [TEMP] VIEW [IF NOT EXISTS] [s.]v [(names)] AS select
**   drop         ::= DROP (TABLE|INDEX|VIEW|TRIGGER) [IF EXISTS] [s.]name
**   alter        ::= ALTER TABLE [s.]t (RENAME TO n | RENAME [COLUMN] a TO b
**                    | ADD [COLUMN] coldef | DROP [COLUMN] c)
**
** Generated columns, triggers and virtual tables are refused with a message
** that says so.  A column's CONSTRAINT name is kept for its CHECK and
** REFERENCES (which become table constraints, see ast.h) and dropped for
** the others, which SQLite never reports by name either.
*/
#include <strings.h>
#include "src/sql/parse_int.h"

static hdb_sql_tcons *add_cons(hdb_sql_parser *p, hdb_sql_tcons **arr, int *n, int kind,
                               char *name, int column)
{
    if (!(*arr = hdb__sqlp_grow(p, *arr, *n, sizeof **arr)))
        return NULL;
    hdb_sql_tcons *t = &(*arr)[(*n)++];
    t->kind = kind;
    t->name = name;
    t->column = column;
    return t;
}

/* [ON CONFLICT action] into *out. */
static int on_conflict(hdb_sql_parser *p, int *out)
{
    if (!hdb__sqlp_is_kw(p, 0, HDB_KW_ON) || !hdb__sqlp_is_kw(p, 1, HDB_KW_CONFLICT))
        return 0;
    hdb__sqlp_advance(p);
    hdb__sqlp_advance(p);
    return (*out = hdb__sqlp_conflict_action(p)) < 0 ? -1 : 0;
}

/* SET NULL | SET DEFAULT | CASCADE | RESTRICT | NO ACTION */
static int fk_action(hdb_sql_parser *p)
{
    if (hdb__sqlp_accept_kw(p, HDB_KW_SET)) {
        if (hdb__sqlp_accept_kw(p, HDB_KW_NULL))
            return HDB_SQL_FK_SET_NULL;
        return hdb__sqlp_expect_kw(p, HDB_KW_DEFAULT) ? -1 : HDB_SQL_FK_SET_DEFAULT;
    }
    if (hdb__sqlp_accept_kw(p, HDB_KW_CASCADE))
        return HDB_SQL_FK_CASCADE;
    if (hdb__sqlp_accept_kw(p, HDB_KW_RESTRICT))
        return HDB_SQL_FK_RESTRICT;
    if (hdb__sqlp_accept_kw(p, HDB_KW_NO))
        return hdb__sqlp_expect_kw(p, HDB_KW_ACTION) ? -1 : HDB_SQL_FK_NO_ACTION;
    hdb__sqlp_syntax_here(p);
    return -1;
}

/* [NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE] */
static int fk_deferrable(hdb_sql_parser *p, hdb_sql_fkey *fk)
{
    int negated = 0;
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_NOT) && hdb__sqlp_is_kw(p, 1, HDB_KW_DEFERRABLE)) {
        hdb__sqlp_advance(p);
        negated = 1;
    }
    if (!hdb__sqlp_accept_kw(p, HDB_KW_DEFERRABLE) || !hdb__sqlp_accept_kw(p, HDB_KW_INITIALLY))
        return 0;
    if (hdb__sqlp_accept_kw(p, HDB_KW_DEFERRED))
        fk->deferred = !negated;
    else if (hdb__sqlp_expect_kw(p, HDB_KW_IMMEDIATE))
        return -1;
    return 0;
}

/* The clause after REFERENCES. */
static int fk_clause(hdb_sql_parser *p, hdb_sql_fkey *fk)
{
    if (!(fk->table = hdb__sqlp_name(p)))
        return -1;
    if (hdb__sqlp_is(p, 0, HDB_TK_LP) && hdb__sqlp_name_list(p, &fk->cols))
        return -1;
    for (;;) {
        if (hdb__sqlp_accept_kw(p, HDB_KW_ON)) {
            int del = hdb__sqlp_accept_kw(p, HDB_KW_DELETE), action;
            if (!del && hdb__sqlp_expect_kw(p, HDB_KW_UPDATE))
                return -1;
            if ((action = fk_action(p)) < 0)
                return -1;
            *(del ? &fk->on_delete : &fk->on_update) = action;
        } else if (hdb__sqlp_accept_kw(p, HDB_KW_MATCH)) {
            if (!hdb__sqlp_name(p))
                return -1;
        } else {
            return fk_deferrable(p, fk);
        }
    }
}

/* CHECK ( e ), with CHECK current. */
static hdb_sql_expr *check_expr(hdb_sql_parser *p)
{
    hdb_sql_expr *e;
    hdb__sqlp_advance(p);
    if (hdb__sqlp_expect(p, HDB_TK_LP) || !(e = hdb__sqlp_expr(p)) ||
        hdb__sqlp_expect(p, HDB_TK_RP))
        return NULL;
    return e;
}

/* A column constraint's REFERENCES: a foreign key of that column. */
static int column_fk(hdb_sql_parser *p, hdb_sql_coldef *c, hdb_sql_tcons **cons, int *ncons,
                     char *name, int colidx)
{
    hdb_sql_tcons *t = add_cons(p, cons, ncons, HDB_SQL_TC_FOREIGN, name, colidx);
    if (!t || !(t->child.a = hdb__sqlp_alloc(p, sizeof *t->child.a)))
        return -1;
    t->child.a[0] = c->name;
    t->child.n = 1;
    hdb__sqlp_advance(p);
    return fk_clause(p, &t->fk);
}

/* One column constraint; 1 when there was none at the current token. */
static int column_constraint(hdb_sql_parser *p, hdb_sql_coldef *c, hdb_sql_tcons **cons,
                             int *ncons, int colidx)
{
    char *name = NULL;
    hdb_sql_tcons *t;
    if (hdb__sqlp_accept_kw(p, HDB_KW_CONSTRAINT) && !(name = hdb__sqlp_name(p)))
        return -1;
    const hdb_sql_token *tk = hdb__sqlp_peek(p, 0);
    switch (tk->type == HDB_TK_ID && !tk->quote ? tk->kw : HDB_KW_NONE) {
    case HDB_KW_PRIMARY:
        hdb__sqlp_advance(p);
        if (hdb__sqlp_expect_kw(p, HDB_KW_KEY))
            return -1;
        c->flags |= HDB_SQL_COL_PK;
        if (hdb__sqlp_accept_kw(p, HDB_KW_DESC))
            c->flags |= HDB_SQL_COL_PK_DESC;
        else
            hdb__sqlp_accept_kw(p, HDB_KW_ASC);
        if (on_conflict(p, &c->pk_conflict))
            return -1;
        if (hdb__sqlp_accept_kw(p, HDB_KW_AUTOINCREMENT))
            c->flags |= HDB_SQL_COL_AUTOINC;
        return 0;
    case HDB_KW_NOT:
        hdb__sqlp_advance(p);
        if (hdb__sqlp_expect_kw(p, HDB_KW_NULL))
            return -1;
        c->flags |= HDB_SQL_COL_NOTNULL;
        return on_conflict(p, &c->notnull_conflict);
    case HDB_KW_NULL: { /* allowed and meaningless, as in SQLite */
        int ignored;
        hdb__sqlp_advance(p);
        return on_conflict(p, &ignored);
    }
    case HDB_KW_UNIQUE:
        hdb__sqlp_advance(p);
        c->flags |= HDB_SQL_COL_UNIQUE;
        return on_conflict(p, &c->unique_conflict);
    case HDB_KW_CHECK:
        if (!(t = add_cons(p, cons, ncons, HDB_SQL_TC_CHECK, name, colidx)))
            return -1;
        return (t->check = check_expr(p)) ? 0 : -1;
    case HDB_KW_DEFAULT:
        hdb__sqlp_advance(p);
        return (c->dflt = hdb__sqlp_default_value(p)) ? 0 : -1;
    case HDB_KW_COLLATE:
        hdb__sqlp_advance(p);
        return (c->collate = hdb__sqlp_name(p)) ? 0 : -1;
    case HDB_KW_REFERENCES:
        return column_fk(p, c, cons, ncons, name, colidx);
    case HDB_KW_GENERATED: case HDB_KW_AS:
        hdb__sqlp_error(p, tk->pos, "generated columns are not supported");
        return -1;
    default:
        if (name) { /* CONSTRAINT name must name something */
            hdb__sqlp_syntax(p, tk);
            return -1;
        }
        return 1;
    }
}

int hdb__sqlp_coldef(hdb_sql_parser *p, hdb_sql_coldef *c, hdb_sql_tcons **cons, int *ncons,
                     int colidx)
{
    int rc;
    c->pos = hdb__sqlp_peek(p, 0)->pos;
    if (!(c->name = hdb__sqlp_name(p)))
        return -1;
    c->type = hdb__sqlp_type_name(p);
    if (p->rc)
        return -1;
    while ((rc = column_constraint(p, c, cons, ncons, colidx)) == 0) {
    }
    c->len = p->last_end - c->pos;
    return rc < 0 ? -1 : 0;
}

static int starts_table_constraint(hdb_sql_parser *p)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    if (t->type != HDB_TK_ID || t->quote)
        return 0;
    return t->kw == HDB_KW_CONSTRAINT || t->kw == HDB_KW_PRIMARY || t->kw == HDB_KW_UNIQUE ||
           t->kw == HDB_KW_CHECK || t->kw == HDB_KW_FOREIGN;
}

static int table_constraint(hdb_sql_parser *p, hdb_sql_create_table *ct)
{
    char *name = NULL;
    hdb_sql_tcons *t;
    if (hdb__sqlp_accept_kw(p, HDB_KW_CONSTRAINT) && !(name = hdb__sqlp_name(p)))
        return -1;
    if (!(t = add_cons(p, &ct->cons, &ct->ncons, 0, name, -1)))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_PRIMARY)) {
        t->kind = HDB_SQL_TC_PRIMARY;
        if (hdb__sqlp_expect_kw(p, HDB_KW_KEY) || hdb__sqlp_pk_cols(p, &t->cols, &t->autoincrement))
            return -1;
        return on_conflict(p, &t->conflict);
    }
    if (hdb__sqlp_accept_kw(p, HDB_KW_UNIQUE)) {
        t->kind = HDB_SQL_TC_UNIQUE;
        return hdb__sqlp_idxcols(p, &t->cols) ? -1 : on_conflict(p, &t->conflict);
    }
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_CHECK)) {
        int ignored;
        t->kind = HDB_SQL_TC_CHECK;
        return (t->check = check_expr(p)) ? on_conflict(p, &ignored) : -1;
    }
    t->kind = HDB_SQL_TC_FOREIGN;
    if (hdb__sqlp_expect_kw(p, HDB_KW_FOREIGN) || hdb__sqlp_expect_kw(p, HDB_KW_KEY) ||
        hdb__sqlp_name_list(p, &t->child) || hdb__sqlp_expect_kw(p, HDB_KW_REFERENCES))
        return -1;
    return fk_clause(p, &t->fk);
}

/* WITHOUT ROWID | STRICT, comma-separated, after the ')'. */
static int table_options(hdb_sql_parser *p, hdb_sql_create_table *ct)
{
    if (!hdb__sqlp_is_kw(p, 0, HDB_KW_WITHOUT) && !hdb__sqlp_is_kw(p, 0, HDB_KW_STRICT))
        return 0;
    do {
        const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
        size_t pos = t->pos;
        if (hdb__sqlp_accept_kw(p, HDB_KW_STRICT)) {
            ct->strict = 1;
            continue;
        }
        if (hdb__sqlp_expect_kw(p, HDB_KW_WITHOUT))
            return -1;
        char *opt = hdb__sqlp_name(p);
        if (!opt)
            return -1;
        if (strcasecmp(opt, "rowid") != 0) {
            hdb__sqlp_error(p, pos, "unknown table option: %s", opt);
            return -1;
        }
        ct->without_rowid = 1;
    } while (hdb__sqlp_accept(p, HDB_TK_COMMA));
    return 0;
}

/* ( coldef, ..., tcons, ... ) */
static int table_body(hdb_sql_parser *p, hdb_sql_create_table *ct)
{
    int seen_cons = 0;
    if (hdb__sqlp_expect(p, HDB_TK_LP))
        return -1;
    for (;;) {
        if (starts_table_constraint(p)) {
            seen_cons = 1;
            if (table_constraint(p, ct))
                return -1;
        } else if (seen_cons) {
            hdb__sqlp_syntax_here(p);
            return -1;
        } else {
            if (!(ct->cols = hdb__sqlp_grow(p, ct->cols, ct->ncol, sizeof *ct->cols)))
                return -1;
            int idx = ct->ncol++;
            if (hdb__sqlp_coldef(p, &ct->cols[idx], &ct->cons, &ct->ncons, idx))
                return -1;
        }
        if (hdb__sqlp_accept(p, HDB_TK_COMMA))
            continue;
        if (!seen_cons || !starts_table_constraint(p)) /* constraints need no comma */
            break;
    }
    if (hdb__sqlp_expect(p, HDB_TK_RP))
        return -1;
    return table_options(p, ct);
}

static int create_table(hdb_sql_parser *p, hdb_sql_stmt *s, int temp)
{
    hdb_sql_create_table *ct = &s->u.create_table;
    s->kind = HDB_SQL_S_CREATE_TABLE;
    ct->temp = temp;
    if ((ct->if_not_exists = hdb__sqlp_if_not_exists(p)) < 0 ||
        hdb__sqlp_qualified(p, &ct->schema, &ct->name))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_AS))
        return (ct->as_select = hdb__sqlp_select(p)) ? 0 : -1;
    return table_body(p, ct);
}

static int create_index(hdb_sql_parser *p, hdb_sql_stmt *s, int unique)
{
    hdb_sql_create_index *ci = &s->u.create_index;
    s->kind = HDB_SQL_S_CREATE_INDEX;
    ci->unique = unique;
    if ((ci->if_not_exists = hdb__sqlp_if_not_exists(p)) < 0 ||
        hdb__sqlp_qualified(p, &ci->schema, &ci->name) || hdb__sqlp_expect_kw(p, HDB_KW_ON) ||
        !(ci->table = hdb__sqlp_name(p)) || hdb__sqlp_idxcols(p, &ci->cols))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_WHERE) && !(ci->where = hdb__sqlp_expr(p)))
        return -1;
    return 0;
}

static int create_view(hdb_sql_parser *p, hdb_sql_stmt *s, int temp)
{
    hdb_sql_create_view *cv = &s->u.create_view;
    s->kind = HDB_SQL_S_CREATE_VIEW;
    cv->temp = temp;
    if ((cv->if_not_exists = hdb__sqlp_if_not_exists(p)) < 0 ||
        hdb__sqlp_qualified(p, &cv->schema, &cv->name))
        return -1;
    if (hdb__sqlp_is(p, 0, HDB_TK_LP) && hdb__sqlp_name_list(p, &cv->cols))
        return -1;
    if (hdb__sqlp_expect_kw(p, HDB_KW_AS))
        return -1;
    return (cv->select = hdb__sqlp_select(p)) ? 0 : -1;
}

int hdb__sqlp_create(hdb_sql_parser *p, hdb_sql_stmt *s)
{
    const hdb_sql_token *t;
    int temp = hdb__sqlp_accept_kw(p, HDB_KW_TEMP) || hdb__sqlp_accept_kw(p, HDB_KW_TEMPORARY);
    if (hdb__sqlp_accept_kw(p, HDB_KW_TABLE))
        return create_table(p, s, temp);
    if (hdb__sqlp_accept_kw(p, HDB_KW_VIEW))
        return create_view(p, s, temp);
    if (!temp && hdb__sqlp_accept_kw(p, HDB_KW_UNIQUE))
        return hdb__sqlp_expect_kw(p, HDB_KW_INDEX) ? -1 : create_index(p, s, 1);
    if (!temp && hdb__sqlp_accept_kw(p, HDB_KW_INDEX))
        return create_index(p, s, 0);
    if (!temp && hdb__sqlp_is_kw(p, 0, HDB_KW_BRANCH))
        return hdb__sqlp_branch(p, s, HDB_KW_CREATE);
    t = hdb__sqlp_peek(p, 0);
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_TRIGGER))
        hdb__sqlp_error(p, t->pos, "CREATE TRIGGER is not supported");
    else if (!temp && hdb__sqlp_is_kw(p, 0, HDB_KW_VIRTUAL))
        hdb__sqlp_error(p, t->pos, "virtual tables are not supported");
    else
        hdb__sqlp_syntax(p, t);
    return -1;
}

int hdb__sqlp_drop(hdb_sql_parser *p, hdb_sql_stmt *s)
{
    static const int objects[][2] = {
        {HDB_KW_TABLE, HDB_SQL_OBJ_TABLE}, {HDB_KW_INDEX, HDB_SQL_OBJ_INDEX},
        {HDB_KW_VIEW, HDB_SQL_OBJ_VIEW}, {HDB_KW_TRIGGER, HDB_SQL_OBJ_TRIGGER}};
    hdb_sql_drop *d = &s->u.drop;
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_BRANCH))
        return hdb__sqlp_branch(p, s, HDB_KW_DROP);
    s->kind = HDB_SQL_S_DROP;
    for (size_t i = 0; i < sizeof objects / sizeof objects[0] && !d->object; i++)
        if (hdb__sqlp_accept_kw(p, objects[i][0]))
            d->object = objects[i][1];
    if (!d->object) {
        hdb__sqlp_syntax_here(p);
        return -1;
    }
    d->if_exists = hdb__sqlp_if_exists(p);
    return hdb__sqlp_qualified(p, &d->schema, &d->name);
}

/* An optional COLUMN keyword that is not itself the column's name. */
static void column_kw(hdb_sql_parser *p)
{
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_COLUMN) && hdb__sqlp_is_name(p, 1))
        hdb__sqlp_advance(p);
}

int hdb__sqlp_alter(hdb_sql_parser *p, hdb_sql_stmt *s)
{
    hdb_sql_alter *al = &s->u.alter;
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_BRANCH))
        return hdb__sqlp_branch(p, s, HDB_KW_ALTER);
    s->kind = HDB_SQL_S_ALTER_TABLE;
    if (hdb__sqlp_expect_kw(p, HDB_KW_TABLE) || hdb__sqlp_qualified(p, &al->schema, &al->table))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_RENAME)) {
        if (hdb__sqlp_accept_kw(p, HDB_KW_TO)) {
            al->action = HDB_SQL_ALTER_RENAME;
            return (al->name = hdb__sqlp_name(p)) ? 0 : -1;
        }
        al->action = HDB_SQL_ALTER_RENAME_COLUMN;
        column_kw(p);
        if (!(al->name = hdb__sqlp_name(p)) || hdb__sqlp_expect_kw(p, HDB_KW_TO))
            return -1;
        return (al->new_name = hdb__sqlp_name(p)) ? 0 : -1;
    }
    if (hdb__sqlp_accept_kw(p, HDB_KW_ADD)) {
        al->action = HDB_SQL_ALTER_ADD_COLUMN;
        column_kw(p);
        if (!(al->col = hdb__sqlp_alloc(p, sizeof *al->col)))
            return -1;
        return hdb__sqlp_coldef(p, al->col, &al->cons, &al->ncons, 0);
    }
    if (hdb__sqlp_expect_kw(p, HDB_KW_DROP))
        return -1;
    al->action = HDB_SQL_ALTER_DROP_COLUMN;
    column_kw(p);
    return (al->name = hdb__sqlp_name(p)) ? 0 : -1;
}
