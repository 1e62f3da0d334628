/*
** ast_dump.c — a syntax tree back to SQL text.
**
** WHAT IT IS FOR
**   Tests and the fuzzer compare trees through their dumps: an expression
**   dumps fully parenthesised, so "1 + 2 * 3" shows as "(1 + (2 * 3))" and
**   the precedence the parser chose is visible; and parse(dump(t)) dumps to
**   the same text again, which checks parser and dumper against each other
**   (for trees whose parenthesised dump nests no deeper than
**   HDB_SQL_MAX_DEPTH: a 900-term "1+1+..." is legal, its dump is not).
**   A planner may use it for EXPLAIN output and messages.
**
** RULES THAT KEEP THE ROUND TRIP EXACT
**   - Every operator node is wrapped in parentheses; terms are not.
**   - Names are quoted ("x""y") when they are not plain identifiers or when
**     they spell a keyword; strings are quoted with '' doubling.
**   - Reals print with 17 significant digits (exact for a double) and
**     always carry a '.' or an exponent; infinity prints as 1e999.
**   - A negative integer literal (only 0x... and the folded
**     -9223372036854775808 make one) prints in hex, except INT64_MIN and
**     DEFAULT values, whose minus sign the parser folds back.  A unary minus
**     before a negative number gets a space ("- -1"): "--" starts a comment.
**   - A DEFAULT that is not a plain literal is written "(expr)".
*/
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "src/sql/ast.h"
#include "src/sql/token.h"

static void dump_select(hdb_buf *b, const hdb_sql_select *s);
static void dump_from(hdb_buf *b, const hdb_sql_from *f);

static int plain_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || !hdb__sql_is_idstart((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!hdb__sql_is_idchar((unsigned char)s[i]))
            return 0;
    return hdb__sql_keyword(s, n) == HDB_KW_NONE;
}

static void quoted(hdb_buf *b, const char *s, size_t n, char q)
{
    hdb__buf_append(b, &q, 1);
    for (size_t i = 0; i < n; i++) {
        hdb__buf_append(b, &s[i], 1);
        if (s[i] == q)
            hdb__buf_append(b, &q, 1);
    }
    hdb__buf_append(b, &q, 1);
}

static void name(hdb_buf *b, const char *s)
{
    if (plain_name(s))
        hdb__buf_puts(b, s);
    else
        quoted(b, s, strlen(s), '"');
}

static void qname(hdb_buf *b, const char *schema, const char *s)
{
    if (schema) {
        name(b, schema);
        hdb__buf_puts(b, ".");
    }
    name(b, s);
}

static void names(hdb_buf *b, const hdb_sql_names *l)
{
    hdb__buf_puts(b, "(");
    for (int i = 0; i < l->n; i++) {
        if (i)
            hdb__buf_puts(b, ", ");
        name(b, l->a[i]);
    }
    hdb__buf_puts(b, ")");
}

static void real(hdb_buf *b, double v)
{
    char tmp[64];
    if (isinf(v)) {
        hdb__buf_puts(b, v < 0 ? "-1e999" : "1e999");
        return;
    }
    snprintf(tmp, sizeof tmp, "%.17g", v);
    const struct lconv *lc = localeconv();
    char dp = lc && lc->decimal_point && lc->decimal_point[0] ? lc->decimal_point[0] : '.';
    char *d = strchr(tmp, dp);
    if (d)
        *d = '.';
    hdb__buf_puts(b, tmp);
    if (!strpbrk(tmp, ".en"))
        hdb__buf_puts(b, ".0");
}

static void blob(hdb_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    hdb__buf_puts(b, "X'");
    for (size_t i = 0; i < n; i++) {
        char two[2] = {hex[(unsigned char)s[i] >> 4], hex[(unsigned char)s[i] & 15]};
        hdb__buf_append(b, two, 2);
    }
    hdb__buf_puts(b, "'");
}

static void list(hdb_buf *b, const hdb_sql_exprlist *l)
{
    for (int i = 0; i < l->n; i++) {
        if (i)
            hdb__buf_puts(b, ", ");
        hdb__sql_expr_dump(b, l->a[i]);
    }
}

static int is_ctime(const char *s)
{
    int kw = hdb__sql_keyword(s, strlen(s));
    return kw == HDB_KW_CURRENT_DATE || kw == HDB_KW_CURRENT_TIME ||
           kw == HDB_KW_CURRENT_TIMESTAMP;
}

static void function(hdb_buf *b, const hdb_sql_expr *e)
{
    const char *fn = e->u.func.name;
    /* CURRENT_TIME and friends take no parentheses (also when written in
     * parentheses of their own, which only set HDB_SQL_EF_PAREN) */
    if (e->u.func.args.n == 0 && !(e->flags & ~HDB_SQL_EF_PAREN) && !e->u.func.filter &&
        is_ctime(fn)) {
        hdb__buf_puts(b, fn);
        return;
    }
    name(b, fn);
    hdb__buf_puts(b, "(");
    if (e->flags & HDB_SQL_EF_STAR)
        hdb__buf_puts(b, "*");
    if (e->flags & HDB_SQL_EF_DISTINCT)
        hdb__buf_puts(b, "DISTINCT ");
    list(b, &e->u.func.args);
    hdb__buf_puts(b, ")");
    if (e->u.func.filter) {
        hdb__buf_puts(b, " FILTER (WHERE ");
        hdb__sql_expr_dump(b, e->u.func.filter);
        hdb__buf_puts(b, ")");
    }
}

static void case_expr(hdb_buf *b, const hdb_sql_expr *e)
{
    hdb__buf_puts(b, "CASE");
    if (e->u.kase.operand) {
        hdb__buf_puts(b, " ");
        hdb__sql_expr_dump(b, e->u.kase.operand);
    }
    for (int i = 0; i < e->u.kase.when.n; i++) {
        hdb__buf_puts(b, " WHEN ");
        hdb__sql_expr_dump(b, e->u.kase.when.a[i]);
        hdb__buf_puts(b, " THEN ");
        hdb__sql_expr_dump(b, e->u.kase.then.a[i]);
    }
    if (e->u.kase.else_) {
        hdb__buf_puts(b, " ELSE ");
        hdb__sql_expr_dump(b, e->u.kase.else_);
    }
    hdb__buf_puts(b, " END");
}

static void in_expr(hdb_buf *b, const hdb_sql_expr *e)
{
    hdb__buf_puts(b, "(");
    hdb__sql_expr_dump(b, e->u.in.x);
    hdb__buf_puts(b, e->flags & HDB_SQL_EF_NOT ? " NOT IN " : " IN ");
    if (e->u.in.table) {
        qname(b, e->u.in.schema, e->u.in.table);
    } else {
        hdb__buf_puts(b, "(");
        if (e->u.in.select)
            dump_select(b, e->u.in.select);
        else
            list(b, &e->u.in.list);
        hdb__buf_puts(b, ")");
    }
    hdb__buf_puts(b, ")");
}

/* Does the dump of e start with '-' (a negative literal)? */
static int starts_with_minus(const hdb_sql_expr *e)
{
    if (e->kind == HDB_SQL_E_INTEGER)
        return !(e->flags & HDB_SQL_EF_BOOL) && e->u.ival < 0;
    return e->kind == HDB_SQL_E_FLOAT && signbit(e->u.fval);
}

static void unary(hdb_buf *b, const hdb_sql_expr *e)
{
    hdb__buf_puts(b, "(");
    hdb__buf_puts(b, hdb__sql_op_name(e->op));
    if (e->op == HDB_SQL_OP_NOT || (e->op == HDB_SQL_OP_NEG && starts_with_minus(e->u.unary.x)))
        hdb__buf_puts(b, " "); /* "- -1", not the comment "--1" */
    hdb__sql_expr_dump(b, e->u.unary.x);
    hdb__buf_puts(b, ")");
}

/* Operator nodes: (x op y) and the special forms. */
static void op_expr(hdb_buf *b, const hdb_sql_expr *e)
{
    const char *not_ = e->flags & HDB_SQL_EF_NOT ? "NOT " : "";
    hdb__buf_puts(b, "(");
    switch (e->kind) {
    case HDB_SQL_E_BINARY:
        hdb__sql_expr_dump(b, e->u.binary.l);
        hdb__buf_printf(b, " %s ", hdb__sql_op_name(e->op));
        hdb__sql_expr_dump(b, e->u.binary.r);
        break;
    case HDB_SQL_E_COLLATE:
        hdb__sql_expr_dump(b, e->u.collate.x);
        hdb__buf_puts(b, " COLLATE ");
        name(b, e->u.collate.name);
        break;
    case HDB_SQL_E_BETWEEN:
        hdb__sql_expr_dump(b, e->u.between.x);
        hdb__buf_printf(b, " %sBETWEEN ", not_);
        hdb__sql_expr_dump(b, e->u.between.lo);
        hdb__buf_puts(b, " AND ");
        hdb__sql_expr_dump(b, e->u.between.hi);
        break;
    case HDB_SQL_E_LIKE:
        hdb__sql_expr_dump(b, e->u.like.x);
        hdb__buf_printf(b, " %s%s ", not_, hdb__sql_op_name(e->op));
        hdb__sql_expr_dump(b, e->u.like.pattern);
        if (e->u.like.escape) {
            hdb__buf_puts(b, " ESCAPE ");
            hdb__sql_expr_dump(b, e->u.like.escape);
        }
        break;
    case HDB_SQL_E_ISNULL:
        hdb__sql_expr_dump(b, e->u.unary.x);
        hdb__buf_printf(b, " IS %sNULL", not_);
        break;
    default:
        break;
    }
    hdb__buf_puts(b, ")");
}

void hdb__sql_expr_dump(hdb_buf *b, const hdb_sql_expr *e)
{
    switch (e->kind) {
    case HDB_SQL_E_NULL: hdb__buf_puts(b, "NULL"); break;
    case HDB_SQL_E_INTEGER:
        if (e->flags & HDB_SQL_EF_BOOL)
            hdb__buf_puts(b, e->u.ival ? "TRUE" : "FALSE");
        else if (e->u.ival < 0 && e->u.ival != INT64_MIN) /* only hex reads back negative */
            hdb__buf_printf(b, "0x%016" PRIX64, (uint64_t)e->u.ival);
        else
            hdb__buf_printf(b, "%" PRId64, e->u.ival);
        break;
    case HDB_SQL_E_FLOAT: real(b, e->u.fval); break;
    case HDB_SQL_E_STRING: quoted(b, e->u.str.s, e->u.str.n, '\''); break;
    case HDB_SQL_E_BLOB: blob(b, e->u.str.s, e->u.str.n); break;
    case HDB_SQL_E_PARAM:
        if (e->u.param.name)
            hdb__buf_puts(b, e->u.param.name);
        else
            hdb__buf_printf(b, "?%d", e->u.param.index);
        break;
    case HDB_SQL_E_COLUMN:
        if (e->u.col.table)
            qname(b, e->u.col.schema, e->u.col.table), hdb__buf_puts(b, ".");
        name(b, e->u.col.column);
        break;
    case HDB_SQL_E_UNARY: unary(b, e); break;
    case HDB_SQL_E_CAST:
        hdb__buf_puts(b, "CAST(");
        hdb__sql_expr_dump(b, e->u.cast.x);
        hdb__buf_printf(b, " AS %s)", e->u.cast.type);
        break;
    case HDB_SQL_E_CASE: case_expr(b, e); break;
    case HDB_SQL_E_IN: in_expr(b, e); break;
    case HDB_SQL_E_EXISTS: case HDB_SQL_E_SUBQUERY:
        hdb__buf_puts(b, e->kind == HDB_SQL_E_EXISTS ? "EXISTS (" : "(");
        dump_select(b, e->u.select);
        hdb__buf_puts(b, ")");
        break;
    case HDB_SQL_E_FUNCTION: function(b, e); break;
    case HDB_SQL_E_VECTOR:
        hdb__buf_puts(b, "(");
        list(b, &e->u.list);
        hdb__buf_puts(b, ")");
        break;
    default: op_expr(b, e); break;
    }
}

/* ---------------------------------------------------------------------------
** SELECT
*/
static void rescols(hdb_buf *b, const hdb_sql_rescols *l)
{
    for (int i = 0; i < l->n; i++) {
        const hdb_sql_rescol *c = &l->a[i];
        if (i)
            hdb__buf_puts(b, ", ");
        if (c->expr) {
            hdb__sql_expr_dump(b, c->expr);
        } else {
            if (c->table)
                name(b, c->table), hdb__buf_puts(b, ".");
            hdb__buf_puts(b, "*");
        }
        if (c->alias)
            hdb__buf_puts(b, " AS "), name(b, c->alias);
    }
}

static void src_item(hdb_buf *b, const hdb_sql_src *s)
{
    if (s->subquery || s->nested) {
        hdb__buf_puts(b, "(");
        if (s->subquery)
            dump_select(b, s->subquery);
        else
            dump_from(b, s->nested);
        hdb__buf_puts(b, ")");
    } else {
        qname(b, s->schema, s->name);
        if (s->has_args) {
            hdb__buf_puts(b, "(");
            list(b, &s->args);
            hdb__buf_puts(b, ")");
        }
    }
    if (s->alias)
        hdb__buf_puts(b, " AS "), name(b, s->alias);
    if (s->indexed_by)
        hdb__buf_puts(b, " INDEXED BY "), name(b, s->indexed_by);
    if (s->not_indexed)
        hdb__buf_puts(b, " NOT INDEXED");
}

static void dump_from(hdb_buf *b, const hdb_sql_from *f)
{
    static const char *const joins[] = {"", ", ", " JOIN ", " CROSS JOIN ", " LEFT JOIN ",
                                        " RIGHT JOIN ", " FULL JOIN "};
    for (int i = 0; i < f->n; i++) {
        const hdb_sql_src *s = &f->a[i];
        if (s->natural)
            hdb__buf_puts(b, " NATURAL");
        hdb__buf_puts(b, joins[s->join]);
        src_item(b, s);
        if (s->on)
            hdb__buf_puts(b, " ON "), hdb__sql_expr_dump(b, s->on);
        if (s->using_.n)
            hdb__buf_puts(b, " USING "), names(b, &s->using_);
    }
}

static void order_by(hdb_buf *b, const hdb_sql_orderby *o)
{
    for (int i = 0; i < o->n; i++) {
        hdb__buf_puts(b, i ? ", " : " ORDER BY ");
        hdb__sql_expr_dump(b, o->a[i].expr);
        if (o->a[i].sort)
            hdb__buf_puts(b, o->a[i].sort == HDB_SQL_SORT_ASC ? " ASC" : " DESC");
        if (o->a[i].nulls)
            hdb__buf_puts(b, o->a[i].nulls == HDB_SQL_NULLS_FIRST ? " NULLS FIRST" : " NULLS LAST");
    }
}

static void core(hdb_buf *b, const hdb_sql_core *c)
{
    if (c->is_values) {
        hdb__buf_puts(b, "VALUES ");
        for (int i = 0; i < c->nvalues; i++) {
            hdb__buf_puts(b, i ? ", (" : "(");
            list(b, &c->values[i]);
            hdb__buf_puts(b, ")");
        }
        return;
    }
    hdb__buf_puts(b, c->distinct ? "SELECT DISTINCT " : "SELECT ");
    rescols(b, &c->cols);
    if (c->from)
        hdb__buf_puts(b, " FROM "), dump_from(b, c->from);
    if (c->where)
        hdb__buf_puts(b, " WHERE "), hdb__sql_expr_dump(b, c->where);
    if (c->group_by.n)
        hdb__buf_puts(b, " GROUP BY "), list(b, &c->group_by);
    if (c->having)
        hdb__buf_puts(b, " HAVING "), hdb__sql_expr_dump(b, c->having);
}

static void with(hdb_buf *b, const hdb_sql_with *w)
{
    hdb__buf_puts(b, w->recursive ? "WITH RECURSIVE " : "WITH ");
    for (int i = 0; i < w->n; i++) {
        const hdb_sql_cte *c = &w->a[i];
        if (i)
            hdb__buf_puts(b, ", ");
        name(b, c->name);
        if (c->cols.n)
            names(b, &c->cols);
        hdb__buf_puts(b, c->materialized > 0 ? " AS MATERIALIZED ("
                         : c->materialized < 0 ? " AS NOT MATERIALIZED (" : " AS (");
        dump_select(b, c->select);
        hdb__buf_puts(b, ")");
    }
    hdb__buf_puts(b, " ");
}

static void dump_select(hdb_buf *b, const hdb_sql_select *s)
{
    static const char *const ops[] = {"", " UNION ", " UNION ALL ", " INTERSECT ", " EXCEPT "};
    if (s->with)
        with(b, s->with);
    for (int i = 0; i < s->ncore; i++) {
        hdb__buf_puts(b, ops[s->cores[i]->compound]);
        core(b, s->cores[i]);
    }
    order_by(b, &s->order_by);
    if (s->limit)
        hdb__buf_puts(b, " LIMIT "), hdb__sql_expr_dump(b, s->limit);
    if (s->offset)
        hdb__buf_puts(b, " OFFSET "), hdb__sql_expr_dump(b, s->offset);
}

void hdb__sql_select_dump(hdb_buf *b, const hdb_sql_select *s) { dump_select(b, s); }

/* ---------------------------------------------------------------------------
** Statements
*/
static const char *or_name(int action)
{
    static const char *const n[] = {"", "ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"};
    return action > 0 && action <= HDB_SQL_OR_REPLACE ? n[action] : "";
}

static void idxcols(hdb_buf *b, const hdb_sql_idxcols *l)
{
    for (int i = 0; i < l->n; i++) {
        if (i)
            hdb__buf_puts(b, ", ");
        hdb__sql_expr_dump(b, l->a[i].expr);
        if (l->a[i].collate)
            hdb__buf_puts(b, " COLLATE "), name(b, l->a[i].collate);
        if (l->a[i].sort)
            hdb__buf_puts(b, l->a[i].sort == HDB_SQL_SORT_ASC ? " ASC" : " DESC");
    }
}

static void sets(hdb_buf *b, const hdb_sql_sets *s)
{
    for (int i = 0; i < s->n; i++) {
        if (i)
            hdb__buf_puts(b, ", ");
        if (s->a[i].cols.n == 1)
            name(b, s->a[i].cols.a[0]);
        else
            names(b, &s->a[i].cols);
        hdb__buf_puts(b, " = ");
        hdb__sql_expr_dump(b, s->a[i].value);
    }
}

static void returning(hdb_buf *b, const hdb_sql_rescols *r)
{
    if (r->n)
        hdb__buf_puts(b, " RETURNING "), rescols(b, r);
}

static void where(hdb_buf *b, const hdb_sql_expr *e)
{
    if (e)
        hdb__buf_puts(b, " WHERE "), hdb__sql_expr_dump(b, e);
}

static void insert(hdb_buf *b, const hdb_sql_insert *s)
{
    if (s->with)
        with(b, s->with);
    if (s->or_action == HDB_SQL_OR_REPLACE)
        hdb__buf_puts(b, "REPLACE INTO ");
    else if (s->or_action)
        hdb__buf_printf(b, "INSERT OR %s INTO ", or_name(s->or_action));
    else
        hdb__buf_puts(b, "INSERT INTO ");
    qname(b, s->schema, s->table);
    if (s->alias)
        hdb__buf_puts(b, " AS "), name(b, s->alias);
    if (s->cols.n)
        hdb__buf_puts(b, " "), names(b, &s->cols);
    if (s->select)
        hdb__buf_puts(b, " "), dump_select(b, s->select);
    else
        hdb__buf_puts(b, " DEFAULT VALUES");
    for (const hdb_sql_upsert *u = s->upsert; u; u = u->next) {
        hdb__buf_puts(b, " ON CONFLICT");
        if (u->target) {
            hdb__buf_puts(b, " (");
            idxcols(b, u->target);
            hdb__buf_puts(b, ")");
            where(b, u->target_where);
        }
        if (!u->do_update) {
            hdb__buf_puts(b, " DO NOTHING");
            continue;
        }
        hdb__buf_puts(b, " DO UPDATE SET ");
        sets(b, &u->set);
        where(b, u->where);
    }
    returning(b, &s->returning);
}

static void target(hdb_buf *b, const char *schema, const char *table, const char *alias,
                   const char *indexed_by, int not_indexed)
{
    qname(b, schema, table);
    if (alias)
        hdb__buf_puts(b, " AS "), name(b, alias);
    if (indexed_by)
        hdb__buf_puts(b, " INDEXED BY "), name(b, indexed_by);
    if (not_indexed)
        hdb__buf_puts(b, " NOT INDEXED");
}

static void update(hdb_buf *b, const hdb_sql_update *s)
{
    if (s->with)
        with(b, s->with);
    hdb__buf_puts(b, "UPDATE ");
    if (s->or_action)
        hdb__buf_printf(b, "OR %s ", or_name(s->or_action));
    target(b, s->schema, s->table, s->alias, s->indexed_by, s->not_indexed);
    hdb__buf_puts(b, " SET ");
    sets(b, &s->set);
    if (s->from)
        hdb__buf_puts(b, " FROM "), dump_from(b, s->from);
    where(b, s->where);
    returning(b, &s->returning);
}

static void delete_(hdb_buf *b, const hdb_sql_delete *s)
{
    if (s->with)
        with(b, s->with);
    hdb__buf_puts(b, "DELETE FROM ");
    target(b, s->schema, s->table, s->alias, s->indexed_by, s->not_indexed);
    where(b, s->where);
    returning(b, &s->returning);
}

static void conflict(hdb_buf *b, int action)
{
    if (action)
        hdb__buf_printf(b, " ON CONFLICT %s", or_name(action));
}

static const char *fk_action(int a)
{
    static const char *const n[] = {"", "SET NULL", "SET DEFAULT", "CASCADE", "RESTRICT",
                                    "NO ACTION"};
    return a > 0 && a <= HDB_SQL_FK_NO_ACTION ? n[a] : "";
}

static void fkey(hdb_buf *b, const hdb_sql_fkey *fk)
{
    hdb__buf_puts(b, "REFERENCES ");
    name(b, fk->table);
    if (fk->cols.n)
        names(b, &fk->cols);
    if (fk->on_delete)
        hdb__buf_printf(b, " ON DELETE %s", fk_action(fk->on_delete));
    if (fk->on_update)
        hdb__buf_printf(b, " ON UPDATE %s", fk_action(fk->on_update));
    if (fk->deferred)
        hdb__buf_puts(b, " DEFERRABLE INITIALLY DEFERRED");
}

static void constraint(hdb_buf *b, const hdb_sql_tcons *t)
{
    if (t->name)
        hdb__buf_puts(b, "CONSTRAINT "), name(b, t->name), hdb__buf_puts(b, " ");
    switch (t->kind) {
    case HDB_SQL_TC_PRIMARY: case HDB_SQL_TC_UNIQUE:
        hdb__buf_puts(b, t->kind == HDB_SQL_TC_PRIMARY ? "PRIMARY KEY (" : "UNIQUE (");
        idxcols(b, &t->cols);
        hdb__buf_puts(b, t->autoincrement ? " AUTOINCREMENT)" : ")");
        conflict(b, t->conflict);
        break;
    case HDB_SQL_TC_CHECK:
        hdb__buf_puts(b, "CHECK (");
        hdb__sql_expr_dump(b, t->check);
        hdb__buf_puts(b, ")");
        break;
    default:
        if (t->column < 0)
            hdb__buf_puts(b, "FOREIGN KEY "), names(b, &t->child), hdb__buf_puts(b, " ");
        fkey(b, &t->fk);
        break;
    }
}

static int is_literal(const hdb_sql_expr *e)
{
    if (e->flags & HDB_SQL_EF_PAREN)
        return 0;
    switch (e->kind) {
    case HDB_SQL_E_NULL: case HDB_SQL_E_INTEGER: case HDB_SQL_E_FLOAT: case HDB_SQL_E_STRING:
    case HDB_SQL_E_BLOB:
        return 1;
    case HDB_SQL_E_FUNCTION:
        return e->u.func.args.n == 0 && !e->flags && !e->u.func.filter && is_ctime(e->u.func.name);
    default:
        return 0;
    }
}

/* A column with its own constraints (those of cons[] whose column == idx). */
static void coldef(hdb_buf *b, const hdb_sql_coldef *c, const hdb_sql_tcons *cons, int ncons,
                   int idx)
{
    name(b, c->name);
    if (c->type)
        hdb__buf_printf(b, " %s", c->type);
    if (c->flags & HDB_SQL_COL_PK) {
        hdb__buf_puts(b, c->flags & HDB_SQL_COL_PK_DESC ? " PRIMARY KEY DESC" : " PRIMARY KEY");
        conflict(b, c->pk_conflict);
        if (c->flags & HDB_SQL_COL_AUTOINC)
            hdb__buf_puts(b, " AUTOINCREMENT");
    }
    if (c->flags & HDB_SQL_COL_NOTNULL)
        hdb__buf_puts(b, " NOT NULL"), conflict(b, c->notnull_conflict);
    if (c->flags & HDB_SQL_COL_UNIQUE)
        hdb__buf_puts(b, " UNIQUE"), conflict(b, c->unique_conflict);
    if (c->dflt) {
        int lit = is_literal(c->dflt);
        hdb__buf_puts(b, lit ? " DEFAULT " : " DEFAULT (");
        if (c->dflt->kind == HDB_SQL_E_INTEGER && !(c->dflt->flags & HDB_SQL_EF_BOOL))
            hdb__buf_printf(b, "%" PRId64, c->dflt->u.ival); /* DEFAULT folds the sign */
        else
            hdb__sql_expr_dump(b, c->dflt);
        if (!lit)
            hdb__buf_puts(b, ")");
    }
    if (c->collate)
        hdb__buf_puts(b, " COLLATE "), name(b, c->collate);
    for (int i = 0; i < ncons; i++)
        if (cons[i].column == idx)
            hdb__buf_puts(b, " "), constraint(b, &cons[i]);
}

static void create_table(hdb_buf *b, const hdb_sql_create_table *t)
{
    hdb__buf_puts(b, t->temp ? "CREATE TEMP TABLE " : "CREATE TABLE ");
    if (t->if_not_exists)
        hdb__buf_puts(b, "IF NOT EXISTS ");
    qname(b, t->schema, t->name);
    if (t->as_select) {
        hdb__buf_puts(b, " AS "), dump_select(b, t->as_select);
        return;
    }
    hdb__buf_puts(b, " (");
    for (int i = 0; i < t->ncol; i++) {
        if (i)
            hdb__buf_puts(b, ", ");
        coldef(b, &t->cols[i], t->cons, t->ncons, i);
    }
    for (int i = 0; i < t->ncons; i++)
        if (t->cons[i].column < 0)
            hdb__buf_puts(b, ", "), constraint(b, &t->cons[i]);
    hdb__buf_puts(b, ")");
    if (t->without_rowid)
        hdb__buf_puts(b, t->strict ? " WITHOUT ROWID, STRICT" : " WITHOUT ROWID");
    else if (t->strict)
        hdb__buf_puts(b, " STRICT");
}

static void ddl(hdb_buf *b, const hdb_sql_stmt *s)
{
    static const char *const objects[] = {"", "TABLE", "INDEX", "VIEW", "TRIGGER"};
    const hdb_sql_create_index *ci = &s->u.create_index;
    const hdb_sql_create_view *cv = &s->u.create_view;
    const hdb_sql_alter *al = &s->u.alter;
    switch (s->kind) {
    case HDB_SQL_S_CREATE_TABLE: create_table(b, &s->u.create_table); break;
    case HDB_SQL_S_CREATE_INDEX:
        hdb__buf_puts(b, ci->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
        if (ci->if_not_exists)
            hdb__buf_puts(b, "IF NOT EXISTS ");
        qname(b, ci->schema, ci->name);
        hdb__buf_puts(b, " ON "), name(b, ci->table), hdb__buf_puts(b, " (");
        idxcols(b, &ci->cols);
        hdb__buf_puts(b, ")");
        where(b, ci->where);
        break;
    case HDB_SQL_S_CREATE_VIEW:
        hdb__buf_puts(b, cv->temp ? "CREATE TEMP VIEW " : "CREATE VIEW ");
        if (cv->if_not_exists)
            hdb__buf_puts(b, "IF NOT EXISTS ");
        qname(b, cv->schema, cv->name);
        if (cv->cols.n)
            names(b, &cv->cols);
        hdb__buf_puts(b, " AS "), dump_select(b, cv->select);
        break;
    case HDB_SQL_S_DROP:
        hdb__buf_printf(b, "DROP %s %s", objects[s->u.drop.object],
                        s->u.drop.if_exists ? "IF EXISTS " : "");
        qname(b, s->u.drop.schema, s->u.drop.name);
        break;
    default: /* ALTER TABLE */
        hdb__buf_puts(b, "ALTER TABLE "), qname(b, al->schema, al->table);
        if (al->action == HDB_SQL_ALTER_RENAME)
            hdb__buf_puts(b, " RENAME TO "), name(b, al->name);
        else if (al->action == HDB_SQL_ALTER_RENAME_COLUMN)
            hdb__buf_puts(b, " RENAME COLUMN "), name(b, al->name), hdb__buf_puts(b, " TO "),
                name(b, al->new_name);
        else if (al->action == HDB_SQL_ALTER_DROP_COLUMN)
            hdb__buf_puts(b, " DROP COLUMN "), name(b, al->name);
        else
            hdb__buf_puts(b, " ADD COLUMN "), coldef(b, al->col, al->cons, al->ncons, 0);
        break;
    }
}

/* A branch name: bare when the raw reader would take it back whole. */
static void branch_name(hdb_buf *b, const char *s)
{
    int bare = (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
               (s[0] >= '0' && s[0] <= '9') || s[0] == '_';
    for (size_t i = 0; bare && s[i]; i++) {
        char c = s[i];
        bare = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '.' || c == '-' || c == '/') &&
               !(c == '-' && s[i + 1] == '-') && !(c == '/' && s[i + 1] == '*');
    }
    if (bare)
        hdb__buf_puts(b, s);
    else
        quoted(b, s, strlen(s), '\'');
}

static void branch(hdb_buf *b, const hdb_sql_stmt *s)
{
    static const char *const policies[] = {"ABORT", "OURS", "THEIRS"};
    const hdb_sql_branch *br = &s->u.branch;
    switch (s->kind) {
    case HDB_SQL_S_CREATE_BRANCH:
        hdb__buf_puts(b, br->if_exists ? "CREATE BRANCH IF NOT EXISTS " : "CREATE BRANCH ");
        branch_name(b, br->name);
        if (br->from)
            hdb__buf_puts(b, " FROM "), branch_name(b, br->from);
        if (br->as_of == HDB_SQL_ASOF_TIMESTAMP)
            hdb__buf_puts(b, " AS OF TIMESTAMP "),
                quoted(b, br->timestamp, strlen(br->timestamp), '\'');
        else if (br->as_of == HDB_SQL_ASOF_LSN)
            hdb__buf_printf(b, " AS OF LSN %" PRIu64, br->lsn);
        if (br->read_only)
            hdb__buf_puts(b, " READ ONLY");
        if (br->comment)
            hdb__buf_puts(b, " COMMENT "), quoted(b, br->comment, strlen(br->comment), '\'');
        break;
    case HDB_SQL_S_USE_BRANCH: hdb__buf_puts(b, "USE BRANCH "), branch_name(b, br->name); break;
    case HDB_SQL_S_MERGE_BRANCH:
        hdb__buf_puts(b, "MERGE BRANCH "), branch_name(b, br->name);
        hdb__buf_puts(b, " INTO "), branch_name(b, br->from);
        if (br->policy >= 0 && br->policy <= HDB_SQL_MERGE_THEIRS)
            hdb__buf_printf(b, " USING %s", policies[br->policy]);
        if (br->dry_run)
            hdb__buf_puts(b, " DRY RUN");
        break;
    case HDB_SQL_S_DROP_BRANCH:
        hdb__buf_puts(b, br->if_exists ? "DROP BRANCH IF EXISTS " : "DROP BRANCH ");
        branch_name(b, br->name);
        break;
    case HDB_SQL_S_ALTER_BRANCH:
        hdb__buf_puts(b, "ALTER BRANCH "), branch_name(b, br->name);
        hdb__buf_puts(b, br->read_only ? " SET READ ONLY" : " SET READ WRITE");
        break;
    case HDB_SQL_S_SHOW_BRANCHES: hdb__buf_puts(b, "SHOW BRANCHES"); break;
    case HDB_SQL_S_SHOW_HISTORY:
        hdb__buf_puts(b, "SHOW HISTORY");
        if (br->name)
            hdb__buf_puts(b, " FOR BRANCH "), branch_name(b, br->name);
        break;
    default: hdb__buf_puts(b, "CHECKPOINT"); break;
    }
}

/* Is s exactly one number token, with an optional sign? */
static int is_number(const char *s)
{
    size_t n = strlen(s), at = s[0] == '+' || s[0] == '-';
    hdb_sql_token t;
    hdb__sql_token_scan(s, n, at, &t);
    return (t.type == HDB_TK_INTEGER || t.type == HDB_TK_FLOAT) && t.pos + t.len == n;
}

static void pragma(hdb_buf *b, const hdb_sql_pragma *pr)
{
    hdb__buf_puts(b, "PRAGMA "), qname(b, pr->schema, pr->name);
    if (!pr->value)
        return;
    hdb__buf_puts(b, " = ");
    if (pr->value_is_string)
        quoted(b, pr->value, strlen(pr->value), '\'');
    else if (is_number(pr->value))
        hdb__buf_puts(b, pr->value);
    else if (hdb__sql_keyword(pr->value, strlen(pr->value)) != HDB_KW_NONE)
        hdb__buf_puts(b, pr->value); /* ON, FULL, DELETE: keywords, written bare */
    else
        name(b, pr->value);
}

void hdb__sql_stmt_dump(hdb_buf *b, const hdb_sql_stmt *s)
{
    static const char *const modes[] = {"BEGIN", "BEGIN DEFERRED", "BEGIN IMMEDIATE",
                                        "BEGIN EXCLUSIVE"};
    if (s->explain)
        hdb__buf_puts(b, s->explain == 2 ? "EXPLAIN QUERY PLAN " : "EXPLAIN ");
    switch (s->kind) {
    case HDB_SQL_S_SELECT: dump_select(b, s->u.select); break;
    case HDB_SQL_S_INSERT: insert(b, &s->u.insert); break;
    case HDB_SQL_S_UPDATE: update(b, &s->u.update); break;
    case HDB_SQL_S_DELETE: delete_(b, &s->u.del); break;
    case HDB_SQL_S_CREATE_TABLE: case HDB_SQL_S_CREATE_INDEX: case HDB_SQL_S_CREATE_VIEW:
    case HDB_SQL_S_DROP: case HDB_SQL_S_ALTER_TABLE:
        ddl(b, s);
        break;
    case HDB_SQL_S_BEGIN:
        hdb__buf_puts(b, s->u.txn_mode >= 0 && s->u.txn_mode <= 3 ? modes[s->u.txn_mode] : "BEGIN");
        break;
    case HDB_SQL_S_COMMIT: hdb__buf_puts(b, "COMMIT"); break;
    case HDB_SQL_S_ROLLBACK:
        hdb__buf_puts(b, "ROLLBACK");
        if (s->u.savepoint)
            hdb__buf_puts(b, " TO SAVEPOINT "), name(b, s->u.savepoint);
        break;
    case HDB_SQL_S_SAVEPOINT: hdb__buf_puts(b, "SAVEPOINT "), name(b, s->u.savepoint); break;
    case HDB_SQL_S_RELEASE: hdb__buf_puts(b, "RELEASE SAVEPOINT "), name(b, s->u.savepoint); break;
    case HDB_SQL_S_PRAGMA: pragma(b, &s->u.pragma); break;
    default: branch(b, s); break;
    }
}
