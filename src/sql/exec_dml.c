/*
** exec_dml.c — INSERT, UPDATE and DELETE: compiling them against the table
** and running them.
**
** HOW IT WORKS
**   Every statement reads before it writes: INSERT runs its VALUES or
**   SELECT to the end first, UPDATE and DELETE collect the matching rows
**   (rowid and a copy of the row) first.  So a statement never sees its own
**   writes (INSERT INTO t SELECT * FROM t doubles t once, as in SQLite).
**   Each row then passes the constraints (exec_write.c) and is written with
**   its index entries.  RETURNING rows are computed from the new row
**   (the old one for DELETE).
**
**   The rewriting of rows (UPDATE, UPDATE ... FROM, UPSERT) is in
**   exec_update.c.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec_dml.h"

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }
static int new_rowid_max(xctx *x, hdb_sql_table *t, int64_t *rowid);

/* ---- compiling ------------------------------------------------------------- */

int hdb__sql_dml_target(xctx *x, const char *name, hdb_sql_table **out)
{
    hdb_sql_table *t = hdb__sql_table_find(x->schema, name);
    if (!t)
        return hdb__sql_err(x, HDB_ERROR, "no such table: %s", name);
    if (t->is_view)
        return hdb__sql_err(x, HDB_ERROR, "cannot modify %s because it is a view", name);
    *out = t;
    return HDB_OK;
}

static int compile_returning(xctx *x, xdml *d, hdb_sql_rescols *rc)
{
    int n = 0;
    for (int i = 0; i < rc->n; i++)
        n += rc->a[i].expr ? 1 : d->tab->ncol;
    d->ret = hdb__sql_alloc(x, sizeof *d->ret * (n + 1));
    d->retnames = hdb__sql_alloc(x, sizeof *d->retnames * (n + 1));
    if (!d->ret || !d->retnames)
        return x->rc;
    for (int i = 0; i < rc->n; i++) {
        hdb_sql_rescol *r = &rc->a[i];
        if (r->expr) {
            int e = hdb__sql_resolve(x, d->core, r->expr, 0);
            if (e != HDB_OK)
                return e;
            d->retnames[d->nret] = r->alias ? r->alias
                                   : r->expr->kind == HDB_SQL_E_COLUMN ? r->expr->u.col.column
                                                                       : r->span;
            d->ret[d->nret++] = r->expr;
            continue;
        }
        for (int j = 0; j < d->tab->ncol; j++) {
            hdb_sql_expr *e = hdb__sql_alloc(x, sizeof *e);
            xref *xr = hdb__sql_alloc(x, sizeof *xr);
            if (!e || !xr)
                return x->rc;
            e->kind = HDB_SQL_E_COLUMN;
            e->u.col.column = d->tab->cols[j].name;
            xr->kind = XR_COL, xr->col = j, xr->aff = d->tab->cols[j].aff;
            xr->coll = d->tab->cols[j].coll;
            e->aux = xr;
            d->retnames[d->nret] = d->tab->cols[j].name;
            d->ret[d->nret++] = e;
        }
    }
    return HDB_OK;
}

static int insert_columns(xctx *x, xdml *d, hdb_sql_insert *in, int *ngiven)
{
    hdb_sql_table *t = d->tab;
    d->colmap = hdb__sql_alloc(x, sizeof(int) * (t->ncol + 1));
    if (!d->colmap)
        return x->rc;
    for (int j = 0; j < t->ncol; j++)
        d->colmap[j] = in->cols.n ? -1 : j;
    *ngiven = in->cols.n ? in->cols.n : t->ncol;
    for (int i = 0; i < in->cols.n; i++) {
        int j = hdb__sql_column_find(t, in->cols.a[i]);
        if (j < 0 && t->ipk >= 0 && (hdb__sql_name_eq(in->cols.a[i], "rowid") ||
                                     hdb__sql_name_eq(in->cols.a[i], "oid") ||
                                     hdb__sql_name_eq(in->cols.a[i], "_rowid_")))
            j = t->ipk;
        if (j < 0)
            return hdb__sql_err(x, HDB_ERROR, "table %s has no column named %s", t->name,
                                in->cols.a[i]);
        d->colmap[j] = i;
    }
    return HDB_OK;
}

int hdb__sql_compile_insert(xctx *x, hdb_sql_stmt *st, void **prog)
{
    hdb_sql_insert *in = &st->u.insert;
    xdml *d = hdb__sql_alloc(x, sizeof *d);
    if (!d)
        return x->rc;
    *prog = d;
    if (hdb__sql_seq_is(in->table))
        return hdb__sql_seq_compile(x, st, d);
    int rc = hdb__sql_dml_target(x, in->table, &d->tab), ngiven = 0;
    if (rc == HDB_OK)
        rc = insert_columns(x, d, in, &ngiven);
    if (rc != HDB_OK)
        return rc;
    d->or_action = in->or_action;
    if (in->upsert && (rc = hdb__sql_dml_compile_upsert(x, d, in->upsert)) != HDB_OK)
        return rc;
    if (in->select) {
        xcte_scope cs = {NULL, in->with, NULL, NULL};
        if ((rc = hdb__sql_compile_select(x, in->select, NULL, in->with ? &cs : NULL, &d->src)) != HDB_OK)
            return rc;
        if (d->src->ncol != ngiven) {
            if (in->cols.n)
                return hdb__sql_err(x, HDB_ERROR, "%d values for %d columns", d->src->ncol, ngiven);
            return hdb__sql_err(x, HDB_ERROR, "table %s has %d columns but %d values were supplied",
                                d->tab->name, d->tab->ncol, d->src->ncol);
        }
    }
    d->core = hdb__sql_table_core(x, d->tab, in->alias, NULL);
    if (!d->core)
        return x->rc;
    return compile_returning(x, d, &in->returning);
}

int hdb__sql_compile_update(xctx *x, hdb_sql_stmt *st, void **prog)
{
    hdb_sql_update *up = &st->u.update;
    xdml *d = hdb__sql_alloc(x, sizeof *d);
    if (!d)
        return x->rc;
    *prog = d;
    if (hdb__sql_seq_is(up->table))
        return hdb__sql_seq_compile(x, st, d);
    int rc = hdb__sql_dml_target(x, up->table, &d->tab);
    if (rc != HDB_OK)
        return rc;

    d->or_action = up->or_action;
    d->core = hdb__sql_table_core(x, d->tab, up->alias, NULL);
    if (!d->core)
        return x->rc;
    if (!up->from &&
        (rc = hdb__sql_dml_compile_sets(x, d->core, d->tab, &up->set, &d->nset, &d->setcol, &d->setval)) != HDB_OK)
        return rc;
    d->scans = 1;
    if ((rc = hdb__sql_plan_hint(x, &d->core->src[0], up->indexed_by, up->not_indexed)) != HDB_OK)
        return rc;
    if (up->from)
        rc = hdb__sql_dml_compile_from(x, d, up);
    else
        rc = hdb__sql_core_where(x, d->core, up->where);
    if (rc != HDB_OK)
        return rc;
    return compile_returning(x, d, &up->returning);
}

int hdb__sql_compile_delete(xctx *x, hdb_sql_stmt *st, void **prog)
{
    hdb_sql_delete *de = &st->u.del;
    xdml *d = hdb__sql_alloc(x, sizeof *d);
    if (!d)
        return x->rc;
    *prog = d;
    if (hdb__sql_seq_is(de->table))
        return hdb__sql_seq_compile(x, st, d);
    int rc = hdb__sql_dml_target(x, de->table, &d->tab);
    if (rc != HDB_OK)
        return rc;
    d->core = hdb__sql_table_core(x, d->tab, de->alias, NULL);
    if (!d->core)
        return x->rc;
    d->scans = 1;
    if ((rc = hdb__sql_plan_hint(x, &d->core->src[0], de->indexed_by, de->not_indexed)) != HDB_OK)
        return rc;
    if ((rc = hdb__sql_core_where(x, d->core, de->where)) != HDB_OK)
        return rc;
    return compile_returning(x, d, &de->returning);
}

int hdb__sql_dml_columns(void *prog, int *n, char ***names)
{
    xdml *d = prog;
    *n = d->nret;
    *names = d->retnames;
    return HDB_OK;
}

void hdb__sql_dml_explain(void *prog, xrows *out, int *id)
{
    xdml *d = prog;
    if (d->src || d->fromsel)
        hdb__sql_plan_explain(d->src ? d->src : d->fromsel, out, id, 0);
    else if (d->core && d->scans)
        hdb__sql_plan_explain_core(d->core, out, id, 0);
}

/* ---- shared run-time pieces --------------------------------------------------- */

int hdb__sql_dml_returning(xctx *x, xdml *d, hdb_sql_value *row, int64_t rowid, xrows *out)
{
    if (!d->nret)
        return HDB_OK;
    xsrc *s = &d->core->src[0];
    s->row = row;
    s->rowid = rowid;
    s->nullrow = 0;
    hdb_sql_value *r = hdb__sql_row_new(d->nret);
    if (!r)
        return nomem(x);
    out->ncol = d->nret;
    int rc = HDB_OK;
    for (int i = 0; i < d->nret && rc == HDB_OK; i++) {
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        rc = hdb__sql_eval(x, d->core, d->ret[i], &v);
        if (rc == HDB_OK && hdb__sql_value_copy(&r[i], &v) != HDB_OK)
            rc = nomem(x);
        hdb__sql_value_clear(&v);
    }
    s->row = NULL;
    if (rc != HDB_OK) {
        hdb__sql_row_free(r, d->nret);
        return rc;
    }
    return hdb__sql_rows_add(out, r, d->nret) == HDB_OK ? HDB_OK : nomem(x);
}

/* AUTOINCREMENT: the largest rowid a table ever had lives in keyspace
 * "__seq" (key: the table id, 8 bytes big-endian; value: a record of one
 * INTEGER), so rowids are never reused even after the last row is deleted. */
static void seq_key(uint8_t k[8], uint64_t id)
{
    for (int i = 0; i < 8; i++)
        k[i] = (uint8_t)(id >> (56 - 8 * i));
}

int hdb__sql_seq_read(xctx *x, const hdb_sql_table *t, int64_t *seq, int *found)
{
    uint32_t ks;
    uint8_t k[8];
    hdb_val v;
    *seq = 0;
    *found = 0;
    int rc = hdb__sql_ks(x, HDB_SQL_SEQ_KS, 0, &ks);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    seq_key(k, t->id);
    if (rc == HDB_OK && (rc = hdb_get(x->t, ks, (hdb_val){k, 8}, &v)) == HDB_OK) {
        hdb_sql_value r = HDB_SQL_NULL_INIT;
        *found = 1;
        if (hdb__sql_record_column(v.data, v.size, 0, &r) == HDB_OK && r.type == HDB_INTEGER)
            *seq = r.u.i;
    }
    return rc == HDB_NOTFOUND ? HDB_OK : rc;
}

int hdb__sql_seq_write(xctx *x, const hdb_sql_table *t, const int64_t *seq)
{
    uint32_t ks;
    uint8_t k[8];
    int rc = hdb__sql_ks(x, HDB_SQL_SEQ_KS, seq != NULL, &ks);
    if (!seq && rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK)
        return rc;
    seq_key(k, t->id);
    if (!seq) {
        rc = hdb_del(x->t, ks, (hdb_val){k, 8});
        rc = rc == HDB_NOTFOUND ? HDB_OK : rc;
    } else {
        hdb_sql_value r;
        r.type = HDB_INTEGER, r.owned = 0, r.u.i = *seq;
        hdb_buf b;
        hdb__buf_init(&b, NULL);
        hdb__sql_record_encode(&b, &r, 1);
        rc = b.oom ? nomem(x) : hdb_put(x->t, ks, (hdb_val){k, 8}, (hdb_val){b.data, b.len});
        hdb__buf_free(&b);
    }
    return rc == HDB_OK || x->rc ? rc : hdb__sql_err(x, rc, "write failed: %s", hdb_errstr(rc));
}

static int seq_get(xctx *x, hdb_sql_table *t, int64_t *seq)
{
    int found;
    return hdb__sql_seq_read(x, t, seq, &found);
}

static int seq_bump(xctx *x, hdb_sql_table *t, int64_t rowid)
{
    int64_t seq;
    int rc = seq_get(x, t, &seq);
    if (rc != HDB_OK || rowid <= seq)
        return rc;
    return hdb__sql_seq_write(x, t, &rowid);
}

/* A new rowid for table t.  Without an INTEGER PRIMARY KEY: the
 * database-wide counter.  With one: the next number of the table's
 * database-wide sequence (hdb_seq_next, keyed by the table id), at least the
 * largest rowid of the table on this branch + 1 (SQLite's choice) and, with
 * AUTOINCREMENT, above every rowid the table ever had on this branch.  So a
 * row inserted on one branch never takes the rowid of a row inserted on
 * another, and merging the two finds no collision.  The sequence is only
 * read here (*draw = 1): the caller draws the number once the row passed
 * its checks, so a refused row writes nothing. */
static int new_rowid(xctx *x, hdb_sql_table *t, int64_t *rowid, int *draw)
{
    int64_t floor = 0, seq = 0, cur = 0;
    int rc = new_rowid_max(x, t, &floor);
    *draw = 0;
    if (rc != HDB_OK || t->ipk < 0) {
        *rowid = floor;
        return rc;
    }
    if (t->autoinc && (rc = seq_get(x, t, &seq)) != HDB_OK)
        return rc;
    if ((rc = hdb_seq_get(x->t, t->id, &cur)) != HDB_OK)
        return hdb__sql_err(x, rc, "cannot allocate a rowid: %s", hdb_errmsg(x->db));
    if (seq == INT64_MAX || cur == INT64_MAX)
        return hdb__sql_err(x, HDB_FULL, "database or disk is full");
    if (seq + 1 > floor)
        floor = seq + 1;
    *rowid = cur + 1 > floor ? cur + 1 : floor;
    *draw = 1;
    return HDB_OK;
}

static int draw_rowid(xctx *x, hdb_sql_table *t, int64_t rowid)
{
    int64_t got;
    x->puts++;
    int rc = hdb_seq_next(x->t, t->id, rowid, &got);
    if (rc != HDB_OK)
        return hdb__sql_err(x, rc, "cannot allocate a rowid: %s", hdb_errmsg(x->db));
    if (got != rowid)
        return hdb__sql_err(x, HDB_ERROR, "rowid %lld was taken meanwhile", (long long)rowid);
    return HDB_OK;
}

static int new_rowid_max(xctx *x, hdb_sql_table *t, int64_t *rowid)
{
    if (t->ipk < 0) {
        uint64_t id;
        int rc = hdb_next_id(x->t, &id);
        if (rc != HDB_OK)
            return hdb__sql_err(x, rc, "cannot allocate a rowid: %s", hdb_errstr(rc));
        *rowid = (int64_t)id;
        return HDB_OK;
    }
    uint32_t ks;
    int rc = hdb__sql_ks(x, t->ks, 0, &ks);
    *rowid = 1;
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    hdb_cursor *cu;
    if (rc != HDB_OK || (rc = hdb_cursor_open(x->t, ks, &cu)) != HDB_OK)
        return rc;
    hdb_val k, v;
    rc = hdb_cursor_last(cu);
    if (rc == HDB_OK && (rc = hdb_cursor_get(cu, &k, &v)) == HDB_OK) {
        const uint8_t *p = k.data;
        size_t n = k.size;
        hdb_sql_value r = HDB_SQL_NULL_INIT;
        if (hdb__sql_key_decode(&p, &n, 0, &r) == HDB_OK && r.type == HDB_INTEGER) {
            if (r.u.i == INT64_MAX)
                rc = hdb__sql_err(x, HDB_FULL, "database or disk is full");
            else
                *rowid = r.u.i + 1;
        }
        hdb__sql_value_clear(&r);
    }
    hdb_cursor_close(cu);
    return rc == HDB_NOTFOUND ? HDB_OK : rc;
}

/* ---- INSERT ---------------------------------------------------------------- */

static int insert_row(xctx *x, xdml *d, hdb_sql_value *src, hdb_sql_value *dflt, xrows *out)
{
    hdb_sql_table *t = d->tab;
    hdb_sql_value *row = hdb__sql_row_new(t->ncol);
    if (!row)
        return nomem(x);
    int rc = HDB_OK, skip = 0, draw = 0;
    int64_t rowid = 0;
    for (int j = 0; j < t->ncol && rc == HDB_OK; j++) {
        const hdb_sql_value *v = d->colmap[j] >= 0 ? &src[d->colmap[j]] : &dflt[j];
        if (hdb__sql_value_copy(&row[j], v) != HDB_OK ||
            hdb__sql_apply_affinity(&row[j], t->cols[j].aff) != HDB_OK)
            rc = nomem(x);
    }
    if (rc == HDB_OK && t->ipk >= 0 && row[t->ipk].type != HDB_NULL) {
        if (row[t->ipk].type != HDB_INTEGER)
            rc = hdb__sql_err(x, HDB_ERROR, "datatype mismatch");
        rowid = row[t->ipk].u.i;
    } else if (rc == HDB_OK) {
        rc = new_rowid(x, t, &rowid, &draw);
        if (rc == HDB_OK && t->ipk >= 0)
            hdb__sql_value_int(&row[t->ipk], rowid);
    }
    if (rc == HDB_OK && d->ucore)
        rc = hdb__sql_dml_upsert(x, d, row, rowid, out, &skip);
    if (rc == HDB_OK && !skip)
        rc = hdb__sql_check_row(x, t, row, rowid, INT64_MIN, d->or_action, &skip);
    if (rc == HDB_OK && !skip)
        rc = hdb__sql_row_write(x, t, rowid, row);
    if (rc == HDB_OK && !skip && draw)
        rc = draw_rowid(x, t, rowid);
    if (rc == HDB_OK && !skip && t->autoinc && t->ipk >= 0)
        rc = seq_bump(x, t, rowid);
    if (rc == HDB_OK && !skip) {
        x->changes++;
        x->db->last_rowid = rowid;
        rc = hdb__sql_dml_returning(x, d, row, rowid, out);
    }
    hdb__sql_row_free(row, t->ncol);
    return rc;
}

/* An INSERT of one row (one VALUES row, or DEFAULT VALUES) without WITH,
 * OR REPLACE, an upsert or RETURNING: every check runs before its first
 * write, the sizes too (exec_write.c), so it can fail after writing only in
 * the engine, which then fails the whole transaction.  Inside BEGIN it needs
 * no savepoint of its own (exec_stmt.c). */
int hdb__sql_insert_single_shot(const hdb_sql_stmt *st)
{
    if (st->kind != HDB_SQL_S_INSERT || st->explain)
        return 0;
    const hdb_sql_insert *in = &st->u.insert;
    if (in->with || in->or_action == HDB_SQL_OR_REPLACE || in->upsert || in->returning.n)
        return 0;
    const hdb_sql_select *q = in->select;
    return !q || (!q->with && q->ncore == 1 && q->cores[0]->is_values && q->cores[0]->nvalues == 1 &&
                  !q->order_by.n && !q->limit);
}

int hdb__sql_exec_insert(xctx *x, hdb_sql_stmt *st, void *prog, xrows *out)
{
    xdml *d = prog;
    if (d->seq)
        return hdb__sql_seq_exec(x, st, d);
    xrows in;
    memset(&in, 0, sizeof in);
    xsrc *s = &d->core->src[0];
    int rc = hdb__sql_source_defaults(x, s);
    if (rc == HDB_OK && d->src)
        rc = hdb__sql_run_select(x, d->src, &in, 0);
    else if (rc == HDB_OK) { /* DEFAULT VALUES */
        hdb_sql_value *r = hdb__sql_row_new(d->tab->ncol);
        for (int j = 0; r && j < d->tab->ncol; j++)
            d->colmap[j] = -1;
        in.ncol = d->tab->ncol;
        rc = r ? hdb__sql_rows_add(&in, r, in.ncol) : nomem(x);
    }
    for (size_t i = 0; i < in.n && rc == HDB_OK; i++)
        rc = insert_row(x, d, in.r[i], s->dflt, out);
    hdb__sql_rows_clear(&in);
    hdb__sql_row_free(s->rowbuf, s->ncol);
    hdb__sql_row_free(s->dflt, s->ncol);
    s->rowbuf = s->dflt = NULL;
    return rc;
}

/* ---- UPDATE and DELETE ------------------------------------------------------- */

typedef struct victims {
    xrows rows;      /* copies of the rows, the rowid in the last column */
} victims;

static int collect(xctx *x, xcore *c, int i, void *arg)
{
    victims *v = arg;
    xsrc *s = &c->src[0];
    for (int k = 0; k < s->ncond; k++) {
        int t = hdb__sql_eval_truth(x, c, s->cond[k]);
        if (t == -2)
            return x->rc;
        if (t != 1)
            return HDB_OK;
    }
    hdb_sql_value *r = hdb__sql_row_new(s->ncol + 1);
    if (!r)
        return nomem(x);
    for (int j = 0; j < s->ncol; j++)
        if (hdb__sql_value_copy(&r[j], &s->row[j]) != HDB_OK) {
            hdb__sql_row_free(r, s->ncol + 1);
            return nomem(x);
        }
    hdb__sql_value_int(&r[s->ncol], s->rowid);
    return hdb__sql_rows_add(&v->rows, r, s->ncol + 1) == HDB_OK ? HDB_OK : nomem(x);
}

static int find_victims(xctx *x, xdml *d, victims *v)
{
    xcore *c = d->core;
    v->rows.ncol = c->src[0].ncol + 1;
    int rc = hdb__sql_source_defaults(x, &c->src[0]);
    for (int i = 0; rc == HDB_OK && i < c->ntop; i++) {
        int t = hdb__sql_eval_truth(x, c, c->top[i]);
        if (t == -2)
            rc = x->rc;
        else if (t != 1)
            return HDB_OK;
    }
    if (rc == HDB_OK)
        rc = hdb__sql_scan_source(x, c, 0, collect, v);
    return rc;
}

static void victims_free(xdml *d, victims *v)
{
    xsrc *s = &d->core->src[0];
    hdb__sql_rows_clear(&v->rows);
    hdb__sql_row_free(s->rowbuf, s->ncol);
    hdb__sql_row_free(s->dflt, s->ncol);
    s->rowbuf = s->dflt = s->row = NULL;
}

/* Update a collected row: it is read again, since an earlier row's OR
 * REPLACE may have deleted it (then it is skipped, as in SQLite). */
static int update_row(xctx *x, xdml *d, hdb_sql_value *victim, xrows *out)
{
    int64_t rowid = victim[d->tab->ncol].u.i;
    xsrc *s = &d->core->src[0];
    int found = 0;
    int rc = hdb__sql_row_read(x, s, rowid, &found);
    if (rc != HDB_OK || !found)
        return rc;
    hdb_sql_value *cur = s->rowbuf;
    s->rowbuf = NULL;
    rc = hdb__sql_dml_update_one(x, d, d->core, d->nset, d->setcol, d->setval, NULL, cur, rowid, out);
    s->rowbuf = cur;
    return rc;
}

int hdb__sql_exec_update(xctx *x, hdb_sql_stmt *st, void *prog, xrows *out)
{
    xdml *d = prog;
    if (d->seq)
        return hdb__sql_seq_exec(x, st, d);
    if (d->fromsel)
        return hdb__sql_dml_update_from(x, d, out);
    victims v;
    memset(&v, 0, sizeof v);
    int rc = find_victims(x, d, &v);
    for (size_t i = 0; i < v.rows.n && rc == HDB_OK; i++)
        rc = update_row(x, d, v.rows.r[i], out);
    victims_free(d, &v);
    return rc;
}

int hdb__sql_exec_delete(xctx *x, hdb_sql_stmt *st, void *prog, xrows *out)
{
    xdml *d = prog;
    if (d->seq)
        return hdb__sql_seq_exec(x, st, d);
    victims v;
    memset(&v, 0, sizeof v);
    int rc = find_victims(x, d, &v);
    for (size_t i = 0; i < v.rows.n && rc == HDB_OK; i++) {
        hdb_sql_value *old = v.rows.r[i];
        int64_t rowid = old[d->tab->ncol].u.i;
        int found = 0;
        rc = hdb__sql_row_read(x, &d->core->src[0], rowid, &found);
        if (rc != HDB_OK || !found)
            continue;
        rc = hdb__sql_check_parent(x, d->tab, old, NULL);
        if (rc == HDB_OK)
            rc = hdb__sql_row_delete(x, d->tab, rowid, old);
        if (rc == HDB_OK) {
            x->changes++;
            rc = hdb__sql_dml_returning(x, d, old, rowid, out);
        }
    }
    victims_free(d, &v);
    return rc;
}
