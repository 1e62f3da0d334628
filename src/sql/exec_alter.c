/*
** exec_alter.c — ALTER TABLE: ADD COLUMN, RENAME TO, RENAME COLUMN and
** DROP COLUMN.
**
** HOW IT WORKS
**   The table's CREATE statement is parsed, changed as a tree, and written
**   back as canonical SQL (hdb__sql_stmt_dump); indexes naming the table or
**   the column are rewritten the same way.  Keyspace names hold ids, not
**   names, so a rename moves no data.
**   ADD COLUMN rewrites no row: records that lack the new trailing column
**   read it as its DEFAULT (catalog.h).  DROP COLUMN rewrites every row of
**   the table without the column.
*/
#include <stdio.h>
#include <string.h>
#include "src/sql/exec.h"

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

/* Parse text into x's arena. */
static hdb_sql_stmt *reparse(xctx *x, const char *sql)
{
    hdb_sql_stmt *st = NULL;
    char err[256];
    if (hdb__sql_parse(sql, strlen(sql), x->arena, &st, NULL, err, sizeof err) != HDB_OK || !st) {
        hdb__sql_err(x, HDB_CORRUPT, "malformed schema entry: %s", err);
        return NULL;
    }
    return st;
}

static int store(xctx *x, uint64_t id, const char *type, const char *name, const char *tbl,
                 hdb_sql_stmt *st)
{
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__sql_stmt_dump(&b, st);
    int rc = b.oom ? nomem(x) : hdb__sql_catalog_put(x->t, id, type, name, tbl, b.data);
    hdb__buf_free(&b);
    if (rc != HDB_OK && x->rc == HDB_OK)
        hdb__sql_err(x, rc, "cannot write the schema: %s", hdb_errstr(rc));
    return rc;
}

static void rename_cols_in(hdb_sql_expr *e, const char *from, const char *to);

static void rename_list(hdb_sql_exprlist *l, const char *from, const char *to)
{
    for (int i = 0; i < l->n; i++)
        rename_cols_in(l->a[i], from, to);
}

/* Rename column references (no subqueries in CHECK, so a plain walk). */
static void rename_cols_in(hdb_sql_expr *e, const char *from, const char *to)
{
    if (!e)
        return;
    switch (e->kind) {
    case HDB_SQL_E_COLUMN:
        if (hdb__sql_name_eq(e->u.col.column, from))
            e->u.col.column = (char *)to;
        return;
    case HDB_SQL_E_UNARY: case HDB_SQL_E_ISNULL: rename_cols_in(e->u.unary.x, from, to); return;
    case HDB_SQL_E_BINARY:
        rename_cols_in(e->u.binary.l, from, to);
        rename_cols_in(e->u.binary.r, from, to);
        return;
    case HDB_SQL_E_COLLATE: rename_cols_in(e->u.collate.x, from, to); return;
    case HDB_SQL_E_CAST: rename_cols_in(e->u.cast.x, from, to); return;
    case HDB_SQL_E_CASE:
        rename_cols_in(e->u.kase.operand, from, to);
        rename_list(&e->u.kase.when, from, to);
        rename_list(&e->u.kase.then, from, to);
        rename_cols_in(e->u.kase.else_, from, to);
        return;
    case HDB_SQL_E_BETWEEN:
        rename_cols_in(e->u.between.x, from, to);
        rename_cols_in(e->u.between.lo, from, to);
        rename_cols_in(e->u.between.hi, from, to);
        return;
    case HDB_SQL_E_IN:
        rename_cols_in(e->u.in.x, from, to);
        rename_list(&e->u.in.list, from, to);
        return;
    case HDB_SQL_E_LIKE:
        rename_cols_in(e->u.like.x, from, to);
        rename_cols_in(e->u.like.pattern, from, to);
        return;
    case HDB_SQL_E_FUNCTION: rename_list(&e->u.func.args, from, to); return;
    case HDB_SQL_E_VECTOR: rename_list(&e->u.list, from, to); return;
    default: return;
    }
}

static void rename_idxcols(hdb_sql_idxcols *ic, const char *from, const char *to)
{
    for (int i = 0; i < ic->n; i++)
        rename_cols_in(ic->a[i].expr, from, to);
}

static int add_column(xctx *x, hdb_sql_table *t, hdb_sql_alter *al)
{
    hdb_sql_coldef *cd = al->col;
    if (hdb__sql_column_find(t, cd->name) >= 0)
        return hdb__sql_err(x, HDB_ERROR, "duplicate column name: %s", cd->name);
    if (cd->flags & HDB_SQL_COL_PK)
        return hdb__sql_err(x, HDB_ERROR, "Cannot add a PRIMARY KEY column");
    if (cd->flags & HDB_SQL_COL_UNIQUE)
        return hdb__sql_err(x, HDB_ERROR, "Cannot add a UNIQUE column");
    if ((cd->flags & HDB_SQL_COL_NOTNULL) && (!cd->dflt || cd->dflt->kind == HDB_SQL_E_NULL))
        return hdb__sql_err(x, HDB_ERROR, "Cannot add a NOT NULL column with default value NULL");
    hdb_sql_stmt *st = reparse(x, t->sql);
    if (!st)
        return x->rc;
    hdb_sql_create_table *ct = &st->u.create_table;
    hdb_sql_coldef *nc = hdb__sql_alloc(x, sizeof *nc * (ct->ncol + 1));
    hdb_sql_tcons *nk = hdb__sql_alloc(x, sizeof *nk * (ct->ncons + al->ncons + 1));
    if (!nc || !nk)
        return x->rc;
    memcpy(nc, ct->cols, sizeof *nc * ct->ncol);
    nc[ct->ncol] = *cd;
    if (ct->ncons)
        memcpy(nk, ct->cons, sizeof *nk * ct->ncons);
    for (int i = 0; i < al->ncons; i++) {
        nk[ct->ncons + i] = al->cons[i];
        nk[ct->ncons + i].column = ct->ncol;
    }
    ct->cols = nc;
    ct->ncol++;
    ct->cons = nk;
    ct->ncons += al->ncons;
    return store(x, t->id, "table", t->name, t->name, st);
}

static int rename_table(xctx *x, hdb_sql_table *t, const char *to)
{
    if (hdb__sql_table_find(x->schema, to) || hdb__sql_index_find(x->schema, to))
        return hdb__sql_err(x, HDB_ERROR, "there is already another table or index with this name: %s",
                            to);
    hdb_sql_stmt *st = reparse(x, t->sql);
    if (!st)
        return x->rc;
    if (st->kind == HDB_SQL_S_CREATE_VIEW)
        st->u.create_view.name = (char *)to;
    else
        st->u.create_table.name = (char *)to;
    int rc = store(x, t->id, t->is_view ? "view" : "table", to, to, st);
    for (hdb_sql_index *ix = t->indexes; ix && rc == HDB_OK; ix = ix->next) {
        if (!ix->id)
            continue;
        hdb_sql_stmt *is = reparse(x, ix->sql);
        if (!is)
            return x->rc;
        is->u.create_index.table = (char *)to;
        rc = store(x, ix->id, "index", ix->name, to, is);
    }
    return rc;
}

static int rename_column(xctx *x, hdb_sql_table *t, const char *from, const char *to)
{
    if (hdb__sql_column_find(t, from) < 0)
        return hdb__sql_err(x, HDB_ERROR, "no such column: \"%s\"", from);
    if (hdb__sql_column_find(t, to) >= 0)
        return hdb__sql_err(x, HDB_ERROR, "duplicate column name: %s", to);
    hdb_sql_stmt *st = reparse(x, t->sql);
    if (!st)
        return x->rc;
    hdb_sql_create_table *ct = &st->u.create_table;
    for (int i = 0; i < ct->ncol; i++)
        if (hdb__sql_name_eq(ct->cols[i].name, from))
            ct->cols[i].name = (char *)to;
    for (int i = 0; i < ct->ncons; i++) {
        hdb_sql_tcons *k = &ct->cons[i];
        rename_idxcols(&k->cols, from, to);
        rename_cols_in(k->check, from, to);
        for (int j = 0; j < k->child.n; j++)
            if (hdb__sql_name_eq(k->child.a[j], from))
                k->child.a[j] = (char *)to;
    }
    int rc = store(x, t->id, "table", t->name, t->name, st);
    for (hdb_sql_index *ix = t->indexes; ix && rc == HDB_OK; ix = ix->next) {
        if (!ix->id)
            continue;
        hdb_sql_stmt *is = reparse(x, ix->sql);
        if (!is)
            return x->rc;
        rename_idxcols(&is->u.create_index.cols, from, to);
        rc = store(x, ix->id, "index", ix->name, t->name, is);
    }
    return rc;
}

/* Rewrite every row of t without column j. */
static int drop_rows_column(xctx *x, hdb_sql_table *t, int j);

static int drop_column(xctx *x, hdb_sql_table *t, const char *name)
{
    int j = hdb__sql_column_find(t, name);
    if (j < 0)
        return hdb__sql_err(x, HDB_ERROR, "no such column: \"%s\"", name);
    for (int k = 0; k < t->npk; k++)
        if (t->pk[k] == j)
            return hdb__sql_err(x, HDB_ERROR, "cannot drop PRIMARY KEY column: \"%s\"", name);
    for (hdb_sql_index *ix = t->indexes; ix; ix = ix->next)
        for (int k = 0; k < ix->ncol; k++)
            if (ix->cols[k] == j)
                return hdb__sql_err(x, HDB_ERROR, ix->autoidx ? "cannot drop UNIQUE column: \"%s\""
                                                              : "error in index %s after drop column",
                                    ix->autoidx ? name : ix->name);
    if (t->ncol == 1)
        return hdb__sql_err(x, HDB_ERROR, "cannot drop column \"%s\": no other columns exist", name);
    hdb_sql_stmt *st = reparse(x, t->sql);
    if (!st)
        return x->rc;
    hdb_sql_create_table *ct = &st->u.create_table;
    for (int i = 0; i < ct->ncons; i++) {
        hdb_sql_tcons *k = &ct->cons[i];
        if (k->column == j)
            return hdb__sql_err(x, HDB_ERROR, "cannot drop column \"%s\": it has a constraint", name);
        if (k->column > j)
            k->column--;
        if (k->kind == HDB_SQL_TC_FOREIGN)
            for (int c = 0; c < k->child.n; c++)
                if (hdb__sql_name_eq(k->child.a[c], name))
                    return hdb__sql_err(x, HDB_ERROR, "cannot drop column \"%s\": foreign key", name);
    }
    memmove(&ct->cols[j], &ct->cols[j + 1], sizeof *ct->cols * (ct->ncol - j - 1));
    ct->ncol--;
    int rc = drop_rows_column(x, t, j);
    return rc == HDB_OK ? store(x, t->id, "table", t->name, t->name, st) : rc;
}

typedef struct rowlist {
    xrows rows;
} rowlist;

static int grab(xctx *x, xcore *c, int i, void *arg)
{
    rowlist *l = arg;
    xsrc *s = &c->src[0];
    hdb_sql_value *r = hdb__sql_row_new(s->ncol + 1);
    if (!r)
        return nomem(x);
    for (int k = 0; k < s->ncol; k++)
        if (hdb__sql_value_copy(&r[k], &s->row[k]) != HDB_OK) {
            hdb__sql_row_free(r, s->ncol + 1);
            return nomem(x);
        }
    hdb__sql_value_int(&r[s->ncol], s->rowid);
    return hdb__sql_rows_add(&l->rows, r, s->ncol + 1) == HDB_OK ? HDB_OK : nomem(x);
}

static int drop_rows_column(xctx *x, hdb_sql_table *t, int j)
{
    xcore *c = hdb__sql_table_core(x, t, NULL, NULL);
    if (!c)
        return x->rc;
    rowlist l;
    memset(&l, 0, sizeof l);
    l.rows.ncol = t->ncol + 1;
    int rc = hdb__sql_source_defaults(x, &c->src[0]);
    if (rc == HDB_OK)
        rc = hdb__sql_scan_source(x, c, 0, grab, &l);
    uint32_t ks;
    if (rc == HDB_OK && (rc = hdb__sql_ks(x, t->ks, 1, &ks)) == HDB_OK)
        for (size_t i = 0; i < l.rows.n && rc == HDB_OK; i++) {
            hdb_sql_value *r = l.rows.r[i];
            hdb_buf k, v;
            hdb__buf_init(&k, NULL);
            hdb__buf_init(&v, NULL);
            hdb__sql_rowid_key(&k, r[t->ncol].u.i);
            hdb_sql_value tmp = r[j];
            memmove(&r[j], &r[j + 1], sizeof *r * (t->ncol - j - 1));
            r[t->ncol - 1] = tmp;
            int ipk = t->ipk > j ? t->ipk - 1 : t->ipk; /* never j: it cannot be dropped */
            hdb__sql_record_encode_row(&v, r, t->ncol - 1, ipk);
            rc = k.oom || v.oom ? nomem(x)
                                : hdb_put(x->t, ks, (hdb_val){k.data, k.len}, (hdb_val){v.data, v.len});
            hdb__buf_free(&k);
            hdb__buf_free(&v);
        }
    hdb__sql_rows_clear(&l.rows);
    hdb__sql_row_free(c->src[0].rowbuf, c->src[0].ncol);
    hdb__sql_row_free(c->src[0].dflt, c->src[0].ncol);
    return rc;
}

int hdb__sql_exec_alter(xctx *x, hdb_sql_stmt *st)
{
    hdb_sql_alter *al = &st->u.alter;
    hdb_sql_table *t = hdb__sql_table_find(x->schema, al->table);
    if (!t)
        return hdb__sql_err(x, HDB_ERROR, "no such table: %s", al->table);
    if (t->is_view && al->action != HDB_SQL_ALTER_RENAME)
        return hdb__sql_err(x, HDB_ERROR, "Cannot alter a view");
    int rc;
    switch (al->action) {
    case HDB_SQL_ALTER_ADD_COLUMN: rc = add_column(x, t, al); break;
    case HDB_SQL_ALTER_RENAME: rc = rename_table(x, t, al->name); break;
    case HDB_SQL_ALTER_RENAME_COLUMN: rc = rename_column(x, t, al->name, al->new_name); break;
    case HDB_SQL_ALTER_DROP_COLUMN: rc = drop_column(x, t, al->name); break;
    default: rc = hdb__sql_err(x, HDB_ERROR, "unsupported ALTER TABLE");
    }
    if (rc == HDB_OK)
        rc = hdb__sql_schema_sync(x);
    return rc;
}
