/*
** exec_ddl.c — CREATE TABLE / INDEX / VIEW and DROP: catalog entries and
** the keyspaces behind them (catalog.h has the layouts).
**
** INVARIANTS
**   - Every DDL writes the catalog (which bumps the schema version) and
**     then reloads the connection's schema, so the rest of the statement
**     and every later one see the new objects; a failure undoes both with
**     the statement.
**   - A new object's SQL is checked by building it: if the reload rejects
**     it, the statement fails and nothing stays behind.
*/
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "src/sql/exec.h"

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

static int name_taken(xctx *x, const char *name)
{
    return hdb__sql_table_find(x->schema, name) || hdb__sql_index_find(x->schema, name);
}

static int reserved(xctx *x, const char *name)
{
    if (!strncasecmp(name, "sqlite_", 7))
        return hdb__sql_err(x, HDB_ERROR, "object name reserved for internal use: %s", name);
    return HDB_OK;
}

static int new_id(xctx *x, uint64_t *id)
{
    int rc = hdb_next_id(x->t, id);
    return rc == HDB_OK ? HDB_OK : hdb__sql_err(x, rc, "cannot allocate an id: %s", hdb_errstr(rc));
}

static int catalog_rc(xctx *x, int rc)
{
    if (rc != HDB_OK && x->rc == HDB_OK)
        hdb__sql_err(x, rc, "cannot write the schema: %s", hdb_errstr(rc));
    return rc;
}

/* Reload the schema after a catalog write; a rejected definition fails. */
static int reload(xctx *x)
{
    int rc = hdb__sql_schema_sync(x);
    if (rc != HDB_OK && x->rc == HDB_OK)
        hdb__sql_err(x, rc, "invalid schema");
    return rc;
}

static int check_table_def(xctx *x, hdb_sql_create_table *ct)
{
    int npk = 0;
    for (int i = 0; i < ct->ncol; i++) {
        for (int j = 0; j < i; j++)
            if (hdb__sql_name_eq(ct->cols[i].name, ct->cols[j].name))
                return hdb__sql_err(x, HDB_ERROR, "duplicate column name: %s", ct->cols[i].name);
        if (ct->cols[i].flags & HDB_SQL_COL_PK)
            npk++;
        if (ct->cols[i].collate && hdb__sql_collation(ct->cols[i].collate) < 0)
            return hdb__sql_err(x, HDB_ERROR, "no such collation sequence: %s", ct->cols[i].collate);
    }
    for (int i = 0; i < ct->ncons; i++) {
        hdb_sql_tcons *k = &ct->cons[i];
        if (k->kind == HDB_SQL_TC_PRIMARY)
            npk++;
        for (int j = 0; (k->kind == HDB_SQL_TC_PRIMARY || k->kind == HDB_SQL_TC_UNIQUE) &&
                        j < k->cols.n; j++) {
            hdb_sql_expr *e = k->cols.a[j].expr;
            int found = 0;
            for (int c = 0; e->kind == HDB_SQL_E_COLUMN && c < ct->ncol; c++)
                found |= hdb__sql_name_eq(ct->cols[c].name, e->u.col.column);
            if (!found)
                return hdb__sql_err(x, HDB_ERROR, "no such column: %s",
                                    e->kind == HDB_SQL_E_COLUMN ? e->u.col.column : "(expression)");
        }
    }
    if (npk > 1)
        return hdb__sql_err(x, HDB_ERROR, "table \"%s\" has more than one primary key", ct->name);
    if (ct->without_rowid)
        return hdb__sql_err(x, HDB_ERROR, "WITHOUT ROWID tables are not supported");
    return HDB_OK;
}

static const char *aff_type(int aff)
{
    switch (aff) {
    case HDB_AFF_INTEGER: return " INT";
    case HDB_AFF_REAL: return " REAL";
    case HDB_AFF_TEXT: return " TEXT";
    case HDB_AFF_NUMERIC: return " NUM";
    default: return "";
    }
}

static void quoted(hdb_buf *b, const char *s)
{
    hdb__buf_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            hdb__buf_append(b, "\"", 1);
        hdb__buf_append(b, s, 1);
    }
    hdb__buf_puts(b, "\"");
}

/* CREATE TABLE t AS SELECT: the table from the select's columns, then its rows. */
static int create_as(xctx *x, hdb_sql_stmt *st, uint64_t id)
{
    hdb_sql_create_table *ct = &st->u.create_table;
    xsel *q;
    int rc = hdb__sql_compile_select(x, ct->as_select, NULL, NULL, &q);
    if (rc != HDB_OK)
        return rc;
    xrows rows;
    memset(&rows, 0, sizeof rows);
    if ((rc = hdb__sql_run_select(x, q, &rows, 0)) != HDB_OK) {
        hdb__sql_rows_clear(&rows);
        return rc;
    }
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__buf_puts(&b, "CREATE TABLE ");
    quoted(&b, ct->name);
    hdb__buf_puts(&b, "(");
    for (int i = 0; i < q->ncol; i++) {
        hdb__buf_puts(&b, i ? ",\n  " : "\n  ");
        quoted(&b, q->names[i]);
        hdb__buf_puts(&b, aff_type(q->aff[i]));
    }
    hdb__buf_puts(&b, "\n)");
    rc = b.oom ? nomem(x)
               : catalog_rc(x, hdb__sql_catalog_put(x->t, id, "table", ct->name, ct->name, b.data));
    hdb__buf_free(&b);
    if (rc == HDB_OK)
        rc = reload(x);
    hdb_sql_table *t = rc == HDB_OK ? hdb__sql_table_find(x->schema, ct->name) : NULL;
    for (size_t i = 0; t && i < rows.n && rc == HDB_OK; i++) {
        uint64_t rid;
        if ((rc = new_id(x, &rid)) == HDB_OK)
            rc = hdb__sql_row_write(x, t, (int64_t)rid, rows.r[i]);
    }
    hdb__sql_rows_clear(&rows);
    return rc;
}

static int create_table(xctx *x, hdb_sql_stmt *st)
{
    hdb_sql_create_table *ct = &st->u.create_table;
    if (name_taken(x, ct->name)) {
        if (ct->if_not_exists)
            return HDB_OK;
        return hdb__sql_err(x, HDB_ERROR, "%s %s already exists",
                            hdb__sql_table_find(x->schema, ct->name) ? "table" : "index", ct->name);
    }
    int rc = reserved(x, ct->name);
    uint64_t id = 0;
    if (rc == HDB_OK)
        rc = new_id(x, &id);
    if (rc == HDB_OK && ct->as_select)
        return create_as(x, st, id);
    if (rc == HDB_OK)
        rc = check_table_def(x, ct);
    if (rc == HDB_OK)
        rc = catalog_rc(x, hdb__sql_catalog_put(x->t, id, "table", ct->name, ct->name, st->sql));
    if (rc == HDB_OK)
        rc = reload(x);
    hdb_sql_table *t = rc == HDB_OK ? hdb__sql_table_find(x->schema, ct->name) : NULL;
    uint32_t ks;
    if (t)
        rc = hdb__sql_ks(x, t->ks, 1, &ks);
    return rc;
}

static int create_index(xctx *x, hdb_sql_stmt *st)
{
    hdb_sql_create_index *ci = &st->u.create_index;
    hdb_sql_table *t = hdb__sql_table_find(x->schema, ci->table);
    if (name_taken(x, ci->name)) {
        if (ci->if_not_exists)
            return HDB_OK;
        return hdb__sql_err(x, HDB_ERROR, "%s %s already exists",
                            hdb__sql_index_find(x->schema, ci->name) ? "index" : "table", ci->name);
    }
    if (!t)
        return hdb__sql_err(x, HDB_ERROR, "no such table: main.%s", ci->table);
    if (t->is_view)
        return hdb__sql_err(x, HDB_ERROR, "views may not be indexed");
    if (ci->where)
        return hdb__sql_err(x, HDB_ERROR, "partial indexes are not supported");
    for (int i = 0; i < ci->cols.n; i++) {
        hdb_sql_expr *e = ci->cols.a[i].expr;
        if (e->kind != HDB_SQL_E_COLUMN)
            return hdb__sql_err(x, HDB_ERROR, "indexes on expressions are not supported");
        if (hdb__sql_column_find(t, e->u.col.column) < 0)
            return hdb__sql_err(x, HDB_ERROR, "no such column: %s", e->u.col.column);
        if (ci->cols.a[i].collate && hdb__sql_collation(ci->cols.a[i].collate) < 0)
            return hdb__sql_err(x, HDB_ERROR, "no such collation sequence: %s",
                                ci->cols.a[i].collate);
    }
    int rc = reserved(x, ci->name);
    uint64_t id = 0;
    if (rc == HDB_OK)
        rc = new_id(x, &id);
    if (rc == HDB_OK)
        rc = catalog_rc(x, hdb__sql_catalog_put(x->t, id, "index", ci->name, t->name, st->sql));
    if (rc == HDB_OK)
        rc = reload(x);
    hdb_sql_index *ix = rc == HDB_OK ? hdb__sql_index_find(x->schema, ci->name) : NULL;
    if (rc == HDB_OK && !ix)
        rc = hdb__sql_err(x, HDB_ERROR, "cannot create index %s", ci->name);
    if (rc == HDB_OK)
        rc = hdb__sql_index_fill(x, ix, 1);
    return rc;
}

static int create_view(xctx *x, hdb_sql_stmt *st)
{
    hdb_sql_create_view *cv = &st->u.create_view;
    if (name_taken(x, cv->name)) {
        if (cv->if_not_exists)
            return HDB_OK;
        return hdb__sql_err(x, HDB_ERROR, "%s %s already exists", "view", cv->name);
    }
    xsel *q;
    int rc = reserved(x, cv->name);
    if (rc == HDB_OK)
        rc = hdb__sql_compile_select(x, cv->select, NULL, NULL, &q);
    uint64_t id = 0;
    if (rc == HDB_OK)
        rc = new_id(x, &id);
    if (rc == HDB_OK)
        rc = catalog_rc(x, hdb__sql_catalog_put(x->t, id, "view", cv->name, cv->name, st->sql));
    return rc == HDB_OK ? reload(x) : rc;
}

static int drop_ks(xctx *x, const char *name)
{
    int rc = hdb_ks_drop(x->t, name);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    return rc == HDB_OK ? rc : hdb__sql_err(x, rc, "cannot drop %s: %s", name, hdb_errstr(rc));
}

static int drop_table(xctx *x, hdb_sql_table *t)
{
    for (int i = 0; i < x->schema->ntab; i++) { /* a referenced parent keeps its children valid */
        hdb_sql_table *c = x->schema->tab[i];
        for (int j = 0; c != t && j < c->nfk; j++)
            if (hdb__sql_name_eq(c->fk[j].parent, t->name)) {
                uint32_t ks;
                hdb_cursor *cu;
                if (hdb__sql_ks(x, c->ks, 0, &ks) != HDB_OK ||
                    hdb_cursor_open(x->t, ks, &cu) != HDB_OK)
                    continue;
                int any = hdb_cursor_first(cu) == HDB_OK;
                hdb_cursor_close(cu);
                if (any)
                    return hdb__sql_err(x, HDB_CONSTRAINT, "FOREIGN KEY constraint failed");
            }
    }
    int rc = t->is_view ? HDB_OK : drop_ks(x, t->ks);
    for (hdb_sql_index *ix = t->indexes; ix && rc == HDB_OK; ix = ix->next) {
        rc = drop_ks(x, ix->ks);
        if (rc == HDB_OK && ix->id)
            rc = catalog_rc(x, hdb__sql_catalog_del(x->t, ix->id));
    }
    if (rc == HDB_OK && t->autoinc) {
        uint32_t ks;
        uint8_t k[8];
        for (int i = 0; i < 8; i++)
            k[i] = (uint8_t)(t->id >> (56 - 8 * i));
        if (hdb_ks_open(x->t, HDB_SQL_SEQ_KS, 0, &ks) == HDB_OK)
            hdb_del(x->t, ks, (hdb_val){k, 8});
    }
    if (rc == HDB_OK)
        rc = catalog_rc(x, hdb__sql_catalog_del(x->t, t->id));
    return rc == HDB_OK ? reload(x) : rc;
}

static int drop(xctx *x, hdb_sql_stmt *st)
{
    hdb_sql_drop *d = &st->u.drop;
    const char *what = d->object == HDB_SQL_OBJ_TABLE   ? "table"
                       : d->object == HDB_SQL_OBJ_INDEX ? "index"
                       : d->object == HDB_SQL_OBJ_VIEW  ? "view"
                                                        : "trigger";
    if (d->object == HDB_SQL_OBJ_INDEX) {
        hdb_sql_index *ix = hdb__sql_index_find(x->schema, d->name);
        if (!ix)
            return d->if_exists ? HDB_OK : hdb__sql_err(x, HDB_ERROR, "no such index: %s", d->name);
        if (ix->autoidx)
            return hdb__sql_err(x, HDB_ERROR,
                                "index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped");
        int rc = drop_ks(x, ix->ks);
        if (rc == HDB_OK)
            rc = catalog_rc(x, hdb__sql_catalog_del(x->t, ix->id));
        return rc == HDB_OK ? reload(x) : rc;
    }
    hdb_sql_table *t = d->object == HDB_SQL_OBJ_TRIGGER ? NULL : hdb__sql_table_find(x->schema, d->name);
    if (t && t->is_view != (d->object == HDB_SQL_OBJ_VIEW))
        return hdb__sql_err(x, HDB_ERROR, "use DROP %s to delete %s %s",
                            t->is_view ? "VIEW" : "TABLE", t->is_view ? "view" : "table", d->name);
    if (!t)
        return d->if_exists ? HDB_OK : hdb__sql_err(x, HDB_ERROR, "no such %s: %s", what, d->name);
    return drop_table(x, t);
}

int hdb__sql_exec_ddl(xctx *x, hdb_sql_stmt *st)
{
    switch (st->kind) {
    case HDB_SQL_S_CREATE_TABLE:
        if (st->u.create_table.temp)
            return hdb__sql_err(x, HDB_ERROR, "TEMP tables are not supported");
        return create_table(x, st);
    case HDB_SQL_S_CREATE_INDEX: return create_index(x, st);
    case HDB_SQL_S_CREATE_VIEW: return create_view(x, st);
    case HDB_SQL_S_DROP: return drop(x, st);
    case HDB_SQL_S_ALTER_TABLE: return hdb__sql_exec_alter(x, st);
    default: return hdb__sql_err(x, HDB_ERROR, "not a DDL statement");
    }
}
