/*
** exec_seq.c — sqlite_sequence: the AUTOINCREMENT high-water marks of the
** branch, seen as SQLite's table of them, sqlite_sequence(name, seq).
**
** HOW IT WORKS
**   The marks live in keyspace HDB_SQL_SEQ_KS (exec_dml.c: one per table,
**   keyed by the table's id).  Read, sqlite_sequence has one row per
**   AUTOINCREMENT table of the schema that has a mark, in the schema's
**   order (hdb__sql_seq_rows, a source like sqlite_master).  Written:
**     INSERT INTO sqlite_sequence [(name, seq)] VALUES .. | SELECT ..
**       sets the mark of each row's table to its seq;
**     UPDATE sqlite_sequence SET seq = expr [WHERE ..]
**       sets the marks of the rows the WHERE selects to expr;
**     DELETE FROM sqlite_sequence [WHERE ..]
**       removes them (the table's next rowid is then its largest + 1).
**   Each statement reads before it writes: its rows come from a SELECT
**   compiled from the statement's own expressions (bound parameters,
**   subqueries and all), over the table as read, and are then applied.
**   A mark is the largest rowid the table may have had: the next one is
**   above both it and the table's largest rowid, as in SQLite.
**
**   This is how .dump carries the marks (as sqlite3's shell does: a DELETE
**   FROM sqlite_sequence and one INSERT per mark after the tables), so
**   that a table loaded from a dump never hands out a rowid it had given
**   before.
**
** DIFFERENCES FROM SQLITE, each an error here with a message: a row that
** names no AUTOINCREMENT table, or whose seq is not an integer (SQLite
** stores either and never reads it); setting name; RETURNING, ON CONFLICT,
** DEFAULT VALUES and UPDATE .. FROM on it.  A table has one mark, where
** SQLite's INSERT can add a second row for it.
*/
#include <string.h>
#include "src/sql/exec_dml.h"

#define SEQ_TABLE "sqlite_sequence"

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

int hdb__sql_seq_is(const char *name) { return name && hdb__sql_name_eq(name, SEQ_TABLE); }

int hdb__sql_seq_rows(xctx *x, xrows *m)
{
    hdb_sql_schema *s = x->schema;
    m->ncol = 2;
    for (int i = 0; s && i < s->nent; i++) {
        hdb_sql_entry *e = &s->ent[i];
        hdb_sql_table *t = strcmp(e->type, "table") ? NULL : hdb__sql_table_find(s, e->name);
        if (!t || !t->autoinc || t->ipk < 0)
            continue;
        int64_t seq;
        int found, rc = hdb__sql_seq_read(x, t, &seq, &found);
        if (rc != HDB_OK)
            return x->rc ? x->rc : hdb__sql_err(x, rc, "cannot read sqlite_sequence: %s", hdb_errstr(rc));
        if (!found)
            continue;
        hdb_sql_value *row = hdb__sql_row_new(2);
        if (!row)
            return nomem(x);
        hdb__sql_value_int(&row[1], seq);
        if (hdb__sql_value_text(&row[0], t->name, strlen(t->name)) != HDB_OK) {
            hdb__sql_row_free(row, 2);
            return nomem(x);
        }
        if (hdb__sql_rows_add(m, row, 2) != HDB_OK) /* frees row */
            return nomem(x);
    }
    return HDB_OK;
}

static hdb_sql_expr *column(xctx *x, const char *name)
{
    hdb_sql_expr *e = hdb__sql_alloc(x, sizeof *e);
    if (e) {
        e->kind = HDB_SQL_E_COLUMN;
        e->height = 1;
        e->u.col.column = (char *)name;
    }
    return e;
}

/* SELECT name[, value] FROM sqlite_sequence [AS alias] [WHERE where], for
 * UPDATE (value: the new seq) and DELETE (value NULL). */
static hdb_sql_select *rows_of(xctx *x, hdb_sql_with *with, char *alias, hdb_sql_expr *value,
                               hdb_sql_expr *where)
{
    hdb_sql_select *q = hdb__sql_alloc(x, sizeof *q);
    hdb_sql_core *c = hdb__sql_alloc(x, sizeof *c);
    hdb_sql_from *f = hdb__sql_alloc(x, sizeof *f);
    hdb_sql_src *src = hdb__sql_alloc(x, sizeof *src);
    hdb_sql_rescol *cols = hdb__sql_alloc(x, 2 * sizeof *cols);
    if (!q || !c || !f || !src || !cols || !(cols[0].expr = column(x, "name")))
        return NULL;
    cols[0].span = "name";
    cols[1].expr = value;
    cols[1].span = "seq";
    c->cols.n = value ? 2 : 1;
    c->cols.a = cols;
    src->join = HDB_SQL_JOIN_FIRST;
    src->name = SEQ_TABLE;
    src->alias = alias;
    f->n = 1;
    f->a = src;
    c->from = f;
    c->where = where;
    q->with = with;
    q->ncore = 1;
    if (!(q->cores = hdb__sql_alloc(x, sizeof *q->cores)))
        return NULL;
    q->cores[0] = c;
    int h = value ? value->height : 0;
    if (where && where->height > h)
        h = where->height;
    q->height = 1 + h;
    return q;
}

/* INSERT: the columns given, into d->colmap (name, seq -> source column). */
static int insert_columns(xctx *x, xdml *d, const hdb_sql_insert *in, int *ngiven)
{
    if (!(d->colmap = hdb__sql_alloc(x, 2 * sizeof *d->colmap)))
        return x->rc;
    d->colmap[0] = in->cols.n ? -1 : 0;
    d->colmap[1] = in->cols.n ? -1 : 1;
    *ngiven = in->cols.n ? in->cols.n : 2;
    for (int i = 0; i < in->cols.n; i++) {
        const char *c = in->cols.a[i];
        int j = hdb__sql_name_eq(c, "name") ? 0 : hdb__sql_name_eq(c, "seq") ? 1 : -1;
        if (j < 0)
            return hdb__sql_err(x, HDB_ERROR, "table %s has no column named %s", SEQ_TABLE, c);
        d->colmap[j] = i;
    }
    if (d->colmap[0] < 0)
        return hdb__sql_err(x, HDB_ERROR, "%s: a row needs the name of its table", SEQ_TABLE);
    return HDB_OK;
}

int hdb__sql_seq_compile(xctx *x, hdb_sql_stmt *st, xdml *d)
{
    hdb_sql_select *q = NULL;
    hdb_sql_with *with = NULL;
    int ngiven = 1;
    d->seq = 1;
    if (st->kind == HDB_SQL_S_INSERT) {
        hdb_sql_insert *in = &st->u.insert;
        if (in->upsert || in->returning.n || !in->select)
            return hdb__sql_err(x, HDB_ERROR, "%s takes no %s", SEQ_TABLE,
                                in->upsert ? "ON CONFLICT" : in->returning.n ? "RETURNING" : "DEFAULT VALUES");
        int rc = insert_columns(x, d, in, &ngiven);
        if (rc != HDB_OK)
            return rc;
        q = in->select;
        with = in->with;
    } else if (st->kind == HDB_SQL_S_UPDATE) {
        hdb_sql_update *up = &st->u.update;
        hdb_sql_expr *value = NULL;
        if (up->from || up->returning.n)
            return hdb__sql_err(x, HDB_ERROR, "%s takes no %s", SEQ_TABLE, up->from ? "UPDATE .. FROM" : "RETURNING");
        for (int i = 0; i < up->set.n; i++) {
            hdb_sql_set *s = &up->set.a[i];
            for (int j = 0; j < s->cols.n; j++) {
                const char *c = s->cols.a[j];
                if (hdb__sql_name_eq(c, "name"))
                    return hdb__sql_err(x, HDB_ERROR, "%s: only seq can be set", SEQ_TABLE);
                if (!hdb__sql_name_eq(c, "seq"))
                    return hdb__sql_err(x, HDB_ERROR, "no such column: %s", c);
            }
            if (s->cols.n != 1)
                return hdb__sql_err(x, HDB_ERROR, "%s: only seq can be set", SEQ_TABLE);
            value = s->value; /* the last assignment wins, as in SQLite */
        }
        ngiven = 2;
        q = rows_of(x, up->with, up->alias, value, up->where);
    } else {
        hdb_sql_delete *de = &st->u.del;
        if (de->returning.n)
            return hdb__sql_err(x, HDB_ERROR, "%s takes no RETURNING", SEQ_TABLE);
        q = rows_of(x, de->with, de->alias, NULL, de->where);
    }
    if (!q)
        return x->rc;
    xcte_scope cs = {NULL, with, NULL, NULL};
    int rc = hdb__sql_compile_select(x, q, NULL, with ? &cs : NULL, &d->src);
    if (rc != HDB_OK)
        return rc;
    if (d->src->ncol != ngiven)
        return hdb__sql_err(x, HDB_ERROR, "%d values for %d columns", d->src->ncol, ngiven);
    return HDB_OK;
}

/* Apply one row: its table's mark set to *seq, or removed (seq NULL). */
static int apply(xctx *x, const hdb_sql_value *name, const hdb_sql_value *seq, int del)
{
    if (name->type != HDB_TEXT)
        return hdb__sql_err(x, HDB_ERROR, "%s: a table name must be text", SEQ_TABLE);
    char *n = hdb__sql_alloc(x, name->u.s.n + 1);
    if (!n)
        return x->rc;
    memcpy(n, name->u.s.p, name->u.s.n);
    hdb_sql_table *t = hdb__sql_table_find(x->schema, n);
    if (!t || !t->autoinc || t->ipk < 0)
        return hdb__sql_err(x, HDB_ERROR, "%s: no AUTOINCREMENT table named %s", SEQ_TABLE, n);
    int rc;
    if (del) {
        rc = hdb__sql_seq_write(x, t, NULL);
    } else {
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        if (seq && hdb__sql_value_copy(&v, seq) != HDB_OK)
            return nomem(x);
        hdb__sql_apply_affinity(&v, HDB_AFF_INTEGER);
        int ok = v.type == HDB_INTEGER;
        int64_t i = ok ? v.u.i : 0;
        hdb__sql_value_clear(&v);
        if (!ok)
            return hdb__sql_err(x, HDB_ERROR, "%s: seq of %s must be an integer", SEQ_TABLE, n);
        rc = hdb__sql_seq_write(x, t, &i);
    }
    if (rc == HDB_OK)
        x->changes++;
    return rc == HDB_OK || x->rc ? rc : hdb__sql_err(x, rc, "write failed: %s", hdb_errstr(rc));
}

int hdb__sql_seq_exec(xctx *x, hdb_sql_stmt *st, xdml *d)
{
    xrows rows;
    memset(&rows, 0, sizeof rows);
    int rc = hdb__sql_run_select(x, d->src, &rows, 0);
    int ins = st->kind == HDB_SQL_S_INSERT;
    for (size_t i = 0; rc == HDB_OK && i < rows.n; i++) {
        const hdb_sql_value *r = rows.r[i];
        const hdb_sql_value *name = ins ? &r[d->colmap[0]] : &r[0];
        const hdb_sql_value *seq = !ins ? &r[1] : d->colmap[1] >= 0 ? &r[d->colmap[1]] : NULL;
        rc = apply(x, name, seq, st->kind == HDB_SQL_S_DELETE);
    }
    hdb__sql_rows_clear(&rows);
    return rc;
}
