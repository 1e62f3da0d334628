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
** LIMITATIONS
**   UPSERT's DO UPDATE is not supported (DO NOTHING is OR IGNORE).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec.h"

typedef struct xdml {
    hdb_sql_table *tab;
    xcore *core;
    xsel *src;
    int *colmap;          /* INSERT: table column -> source column or -1 */
    int nset;
    int *setcol;          /* UPDATE: column of each assignment */
    hdb_sql_expr **setval;
    int nret;
    hdb_sql_expr **ret;
    char **retnames;
    int or_action;
    int scans;                /* UPDATE / DELETE: reads the table by its plan */
    /* ON CONFLICT DO UPDATE: a core of (the table, "excluded") */
    xcore *ucore;
    int unset;
    int *usetcol;
    hdb_sql_expr **usetval;
    hdb_sql_expr *uwhere;
    int utarget_ipk;          /* the target is the INTEGER PRIMARY KEY */
    hdb_sql_index *utarget;   /* the target's unique index, or NULL (any) */
} xdml;

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }
static int upsert(xctx *x, xdml *d, hdb_sql_value *row, int64_t rowid, xrows *out, int *done);

/* ---- compiling ------------------------------------------------------------- */

static int find_target(xctx *x, const char *name, hdb_sql_table **out)
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

static int compile_sets(xctx *x, xcore *c, hdb_sql_table *t, hdb_sql_sets *set, int *n,
                        int **cols, hdb_sql_expr ***vals)
{
    int m = 0, rc;
    for (int i = 0; i < set->n; i++)
        m += set->a[i].cols.n;
    *cols = hdb__sql_alloc(x, sizeof(int) * (m + 1));
    *vals = hdb__sql_alloc(x, sizeof **vals * (m + 1));
    if (!*cols || !*vals)
        return x->rc;
    *n = 0;
    for (int i = 0; i < set->n; i++) {
        hdb_sql_set *s = &set->a[i];
        if (s->cols.n > 1 && (s->value->kind != HDB_SQL_E_VECTOR || s->value->u.list.n != s->cols.n))
            return hdb__sql_err(x, HDB_ERROR, "%d columns assigned %d values", s->cols.n,
                                s->value->kind == HDB_SQL_E_VECTOR ? s->value->u.list.n : 1);
        for (int k = 0; k < s->cols.n; k++) {
            int j = hdb__sql_column_find(t, s->cols.a[k]);
            if (j < 0)
                return hdb__sql_err(x, HDB_ERROR, "no such column: %s", s->cols.a[k]);
            hdb_sql_expr *v = s->cols.n > 1 ? s->value->u.list.a[k] : s->value;
            if ((rc = hdb__sql_resolve(x, c, v, 0)) != HDB_OK)
                return rc;
            (*cols)[*n] = j;
            (*vals)[(*n)++] = v;
        }
    }
    return HDB_OK;
}

/* The unique constraint an ON CONFLICT target names. */
static int upsert_target(xctx *x, xdml *d, hdb_sql_idxcols *tg)
{
    hdb_sql_table *t = d->tab;
    int cols[64];
    if (tg->n > 64)
        return hdb__sql_err(x, HDB_ERROR, "ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
    for (int i = 0; i < tg->n; i++) {
        hdb_sql_expr *e = tg->a[i].expr;
        while (e->kind == HDB_SQL_E_COLLATE)
            e = e->u.collate.x;
        if (e->kind != HDB_SQL_E_COLUMN || (cols[i] = hdb__sql_column_find(t, e->u.col.column)) < 0)
            return hdb__sql_err(x, HDB_ERROR, "ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
    }
    if (tg->n == 1 && cols[0] == t->ipk) {
        d->utarget_ipk = 1;
        return HDB_OK;
    }
    for (hdb_sql_index *ix = t->indexes; ix; ix = ix->next) {
        if (!ix->unique || ix->ncol != tg->n)
            continue;
        int all = 1;
        for (int i = 0; i < tg->n && all; i++) {
            int found = 0;
            for (int k = 0; k < ix->ncol; k++)
                found |= ix->cols[k] == cols[i];
            all = found;
        }
        if (all) {
            d->utarget = ix;
            return HDB_OK;
        }
    }
    return hdb__sql_err(x, HDB_ERROR, "ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
}

static int compile_upsert(xctx *x, xdml *d, hdb_sql_upsert *u)
{
    if (u->next)
        return hdb__sql_err(x, HDB_ERROR, "only one ON CONFLICT clause is supported");
    if (!u->do_update) {
        d->or_action = HDB_SQL_OR_IGNORE;
        return HDB_OK;
    }
    if (!u->target)
        return hdb__sql_err(x, HDB_ERROR, "ON CONFLICT DO UPDATE requires a conflict target");
    int rc = upsert_target(x, d, u->target);
    if (rc != HDB_OK)
        return rc;
    xcore *c = hdb__sql_table_core(x, d->tab, NULL, NULL);
    xcore *e = hdb__sql_table_core(x, d->tab, "excluded", NULL);
    xsrc *two = hdb__sql_alloc(x, sizeof(xsrc) * 2);
    if (!c || !e || !two)
        return x->rc;
    two[0] = c->src[0];
    two[1] = e->src[0];
    memset(two[1].hide, 1, (size_t)two[1].ncol); /* excluded.x only when qualified */
    c->src = two;
    c->nsrc = 2;
    d->ucore = c;
    rc = compile_sets(x, c, d->tab, &u->set, &d->unset, &d->usetcol, &d->usetval);
    if (rc == HDB_OK && u->where)
        rc = hdb__sql_resolve(x, c, u->where, 0);
    d->uwhere = u->where;
    return rc;
}

int hdb__sql_compile_insert(xctx *x, hdb_sql_stmt *st, void **prog)
{
    hdb_sql_insert *in = &st->u.insert;
    xdml *d = hdb__sql_alloc(x, sizeof *d);
    if (!d)
        return x->rc;
    *prog = d;
    int rc = find_target(x, in->table, &d->tab), ngiven = 0;
    if (rc == HDB_OK)
        rc = insert_columns(x, d, in, &ngiven);
    if (rc != HDB_OK)
        return rc;
    d->or_action = in->or_action;
    if (in->upsert && (rc = compile_upsert(x, d, in->upsert)) != HDB_OK)
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
    int rc = find_target(x, up->table, &d->tab);
    if (rc != HDB_OK)
        return rc;
    if (up->from)
        return hdb__sql_err(x, HDB_ERROR, "UPDATE ... FROM is not supported");
    d->or_action = up->or_action;
    d->core = hdb__sql_table_core(x, d->tab, up->alias, NULL);
    if (!d->core)
        return x->rc;
    if ((rc = compile_sets(x, d->core, d->tab, &up->set, &d->nset, &d->setcol, &d->setval)) != HDB_OK)
        return rc;
    d->scans = 1;
    if ((rc = hdb__sql_plan_hint(x, &d->core->src[0], up->indexed_by, up->not_indexed)) != HDB_OK)
        return rc;
    if ((rc = hdb__sql_core_where(x, d->core, up->where)) != HDB_OK)
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
    int rc = find_target(x, de->table, &d->tab);
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
    if (d->src)
        hdb__sql_plan_explain(d->src, out, id, 0);
    else if (d->core && d->scans)
        hdb__sql_plan_explain_core(d->core, out, id, 0);
}

/* ---- shared run-time pieces --------------------------------------------------- */

static int returning(xctx *x, xdml *d, hdb_sql_value *row, int64_t rowid, xrows *out)
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

/* A new rowid for table t: max + 1 for an INTEGER PRIMARY KEY, else the
 * database-wide counter. */
static int new_rowid(xctx *x, hdb_sql_table *t, int64_t *rowid)
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
    int rc = HDB_OK, skip = 0;
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
        rc = new_rowid(x, t, &rowid);
        if (rc == HDB_OK && t->ipk >= 0)
            hdb__sql_value_int(&row[t->ipk], rowid);
    }
    if (rc == HDB_OK && d->ucore)
        rc = upsert(x, d, row, rowid, out, &skip);
    if (rc == HDB_OK && !skip)
        rc = hdb__sql_check_row(x, t, row, rowid, INT64_MIN, d->or_action, &skip);
    if (rc == HDB_OK && !skip)
        rc = hdb__sql_row_write(x, t, rowid, row);
    if (rc == HDB_OK && !skip) {
        x->changes++;
        x->db->last_rowid = rowid;
        rc = returning(x, d, row, rowid, out);
    }
    hdb__sql_row_free(row, t->ncol);
    return rc;
}

int hdb__sql_exec_insert(xctx *x, hdb_sql_stmt *st, void *prog, xrows *out)
{
    xdml *d = prog;
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

/* Update row `old` (rowid oldid) of the table: the assignments are
 * evaluated in core c, whose first source holds the old row. */
static int update_one(xctx *x, xdml *d, xcore *c, int nset, const int *setcol,
                      hdb_sql_expr **setval, hdb_sql_value *old, int64_t oldid, xrows *out)
{
    hdb_sql_table *t = d->tab;
    xsrc *s = &c->src[0];
    int64_t rowid = oldid;
    hdb_sql_value *row = hdb__sql_row_new(t->ncol);
    if (!row)
        return nomem(x);
    int rc = HDB_OK, skip = 0;
    for (int j = 0; j < t->ncol && rc == HDB_OK; j++)
        if (hdb__sql_value_copy(&row[j], &old[j]) != HDB_OK)
            rc = nomem(x);
    s->row = old;
    s->rowid = oldid;
    s->nullrow = 0;
    for (int i = 0; i < nset && rc == HDB_OK; i++) {
        int j = setcol[i];
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        rc = hdb__sql_eval(x, c, setval[i], &v);
        if (rc == HDB_OK && (hdb__sql_value_copy(&row[j], &v) != HDB_OK ||
                             hdb__sql_apply_affinity(&row[j], t->cols[j].aff) != HDB_OK))
            rc = nomem(x);
        hdb__sql_value_clear(&v);
    }
    s->row = NULL;
    if (rc == HDB_OK && t->ipk >= 0) {
        if (row[t->ipk].type == HDB_NULL)
            hdb__sql_value_int(&row[t->ipk], oldid);
        if (row[t->ipk].type != HDB_INTEGER)
            rc = hdb__sql_err(x, HDB_ERROR, "datatype mismatch");
        rowid = row[t->ipk].u.i;
    }
    if (rc == HDB_OK)
        rc = hdb__sql_check_parent(x, t, old, row);
    if (rc == HDB_OK)
        rc = hdb__sql_check_row(x, t, row, rowid, oldid, d->or_action, &skip);
    if (rc == HDB_OK && !skip)
        rc = hdb__sql_row_delete(x, t, oldid, old);
    if (rc == HDB_OK && !skip)
        rc = hdb__sql_row_write(x, t, rowid, row);
    if (rc == HDB_OK && !skip) {
        x->changes++;
        rc = returning(x, d, row, rowid, out);
    }
    hdb__sql_row_free(row, t->ncol);
    return rc;
}

static int update_row(xctx *x, xdml *d, hdb_sql_value *old, xrows *out)
{
    return update_one(x, d, d->core, d->nset, d->setcol, d->setval, old, old[d->tab->ncol].u.i,
                      out);
}

/* INSERT ... ON CONFLICT DO UPDATE: *done when the row was handled here. */
static int upsert(xctx *x, xdml *d, hdb_sql_value *row, int64_t rowid, xrows *out, int *done)
{
    int64_t other = 0;
    int found = 0;
    *done = 0;
    int rc = hdb__sql_find_conflict(x, d->tab, d->utarget_ipk ? NULL : d->utarget, row, rowid,
                                    &other, &found);
    if (rc != HDB_OK || !found)
        return rc;
    *done = 1;
    xsrc *s0 = &d->ucore->src[0], *s1 = &d->ucore->src[1];
    if ((rc = hdb__sql_source_defaults(x, s0)) != HDB_OK ||
        (rc = hdb__sql_row_read(x, s0, other, &found)) != HDB_OK || !found)
        return rc;
    hdb_sql_value *old = s0->rowbuf;
    s0->rowbuf = NULL; /* keep it while the update reads it */
    s1->row = row;
    s1->rowid = rowid;
    s1->nullrow = 0;
    s0->row = old;
    int t = d->uwhere ? hdb__sql_eval_truth(x, d->ucore, d->uwhere) : 1;
    if (t == -2)
        rc = x->rc;
    else if (t == 1)
        rc = update_one(x, d, d->ucore, d->unset, d->usetcol, d->usetval, old, other, out);
    hdb__sql_row_free(old, d->tab->ncol);
    hdb__sql_row_free(s0->dflt, s0->ncol);
    s0->dflt = NULL;
    s0->row = s1->row = NULL;
    return rc;
}

int hdb__sql_exec_update(xctx *x, hdb_sql_stmt *st, void *prog, xrows *out)
{
    xdml *d = prog;
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
    victims v;
    memset(&v, 0, sizeof v);
    int rc = find_victims(x, d, &v);
    for (size_t i = 0; i < v.rows.n && rc == HDB_OK; i++) {
        hdb_sql_value *old = v.rows.r[i];
        int64_t rowid = old[d->tab->ncol].u.i;
        rc = hdb__sql_check_parent(x, d->tab, old, NULL);
        if (rc == HDB_OK)
            rc = hdb__sql_row_delete(x, d->tab, rowid, old);
        if (rc == HDB_OK) {
            x->changes++;
            rc = returning(x, d, old, rowid, out);
        }
    }
    victims_free(d, &v);
    return rc;
}
