/*
** exec_update.c — rewriting rows: UPDATE's assignments, UPDATE ... FROM,
** and INSERT's ON CONFLICT DO UPDATE (UPSERT).
**
** HOW IT WORKS
**   hdb__sql_dml_update_one builds the new row from the current one and the
**   assignments (evaluated in a core whose first source holds the current
**   row), checks it like an insert (skipping its own rowid), runs the
**   FOREIGN KEY actions of the old key, then replaces the row and its index
**   entries.
**   UPSERT: the assignments run in a core of two sources, the table (its
**   row in conflict) and "excluded" (the row that was to be inserted; its
**   columns only when qualified).  ON CONFLICT DO NOTHING is OR IGNORE.
**   UPDATE ... FROM runs as SELECT t.rowid, <values> FROM t, <from> WHERE
**   <where>; each target row takes the values of the first joined row that
**   names it.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec_dml.h"

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

int hdb__sql_dml_compile_sets(xctx *x, xcore *c, hdb_sql_table *t, hdb_sql_sets *set, int *n,
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

int hdb__sql_dml_compile_upsert(xctx *x, xdml *d, hdb_sql_upsert *u)
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
    rc = hdb__sql_dml_compile_sets(x, c, d->tab, &u->set, &d->unset, &d->usetcol, &d->usetval);
    if (rc == HDB_OK && u->where)
        rc = hdb__sql_resolve(x, c, u->where, 0);
    d->uwhere = u->where;
    return rc;
}

/* UPDATE t SET .. FROM f WHERE w runs as SELECT t.rowid, <values> FROM t, f
 * WHERE w; each target row takes the values of its first joined row. */
int hdb__sql_dml_compile_from(xctx *x, xdml *d, hdb_sql_update *up)
{
    int n = 0, k = 0, rc;
    for (int i = 0; i < up->set.n; i++)
        n += up->set.a[i].cols.n;
    hdb_sql_select *sel = hdb__sql_alloc(x, sizeof *sel);
    hdb_sql_core *core = hdb__sql_alloc(x, sizeof *core), **cores = hdb__sql_alloc(x, sizeof *cores);
    hdb_sql_from *f = hdb__sql_alloc(x, sizeof *f);
    hdb_sql_src *items = hdb__sql_alloc(x, sizeof *items * (up->from->n + 1));
    hdb_sql_rescol *rc_ = hdb__sql_alloc(x, sizeof *rc_ * (n + 1));
    hdb_sql_expr *rid = hdb__sql_alloc(x, sizeof *rid);
    d->setcol = hdb__sql_alloc(x, sizeof(int) * (n + 1));
    if (!sel || !core || !cores || !f || !items || !rc_ || !rid || !d->setcol)
        return x->rc;
    items[0].name = up->table;
    items[0].alias = up->alias;
    memcpy(items + 1, up->from->a, sizeof *items * up->from->n);
    if (items[1].join == HDB_SQL_JOIN_FIRST)
        items[1].join = HDB_SQL_JOIN_COMMA;
    f->n = up->from->n + 1;
    f->a = items;
    rid->kind = HDB_SQL_E_COLUMN;
    rid->u.col.table = up->alias ? up->alias : up->table;
    rid->u.col.column = "rowid";
    rc_[0].expr = rid;
    rc_[0].span = "rowid";
    for (int i = 0; i < up->set.n; i++) {
        hdb_sql_set *st = &up->set.a[i];
        if (st->cols.n > 1 && (st->value->kind != HDB_SQL_E_VECTOR || st->value->u.list.n != st->cols.n))
            return hdb__sql_err(x, HDB_ERROR, "%d columns assigned %d values", st->cols.n,
                                st->value->kind == HDB_SQL_E_VECTOR ? st->value->u.list.n : 1);
        for (int j = 0; j < st->cols.n; j++, k++) {
            if ((d->setcol[k] = hdb__sql_column_find(d->tab, st->cols.a[j])) < 0)
                return hdb__sql_err(x, HDB_ERROR, "no such column: %s", st->cols.a[j]);
            rc_[k + 1].expr = st->cols.n > 1 ? st->value->u.list.a[j] : st->value;
            rc_[k + 1].span = "";
        }
    }
    d->nset = n;
    core->cols.n = n + 1;
    core->cols.a = rc_;
    core->from = f;
    core->where = up->where;
    cores[0] = core;
    sel->ncore = 1;
    sel->cores = cores;
    if ((rc = hdb__sql_compile_select(x, sel, NULL, NULL, &d->fromsel)) != HDB_OK)
        return rc;
    return hdb__sql_core_where(x, d->core, NULL);
}

/* Update row `old` (rowid oldid) of the table: the assignments are
 * evaluated in core c, whose first source holds the old row. */
int hdb__sql_dml_update_one(xctx *x, xdml *d, xcore *c, int nset, const int *setcol,
                      hdb_sql_expr **setval, const hdb_sql_value *preset, hdb_sql_value *old,
                      int64_t oldid, xrows *out)
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
        if (preset)
            v = preset[i], v.owned = 0;
        else
            rc = hdb__sql_eval(x, c, setval[i], &v);
        if (rc == HDB_OK && (hdb__sql_value_copy(&row[j], &v) != HDB_OK ||
                             hdb__sql_apply_affinity(&row[j], t->cols[j].aff) != HDB_OK))
            rc = nomem(x);
        hdb__sql_value_clear(&v);
    }
    s->row = NULL;
    if (rc == HDB_OK && t->ipk >= 0) {
        if (row[t->ipk].type != HDB_INTEGER)
            rc = hdb__sql_err(x, HDB_ERROR, "datatype mismatch");
        rowid = row[t->ipk].u.i;
    }
    if (rc == HDB_OK)
        rc = hdb__sql_check_parent(x, t, old, row);
    if (rc == HDB_OK)
        rc = hdb__sql_check_row(x, t, row, rowid, oldid, d->or_action, &skip);
    if (rc == HDB_OK && !skip)
        rc = hdb__sql_row_update(x, t, oldid, old, rowid, row);
    if (rc == HDB_OK && !skip) {
        x->changes++;
        rc = hdb__sql_dml_returning(x, d, row, rowid, out);
    }
    hdb__sql_row_free(row, t->ncol);
    return rc;
}

/* INSERT ... ON CONFLICT DO UPDATE: *done when the row was handled here. */
int hdb__sql_dml_upsert(xctx *x, xdml *d, hdb_sql_value *row, int64_t rowid, xrows *out, int *done)
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
        (rc = hdb__sql_row_read(x, s0, other, &found)) != HDB_OK || !found) {
        hdb__sql_row_free(s0->rowbuf, s0->ncol);
        hdb__sql_row_free(s0->dflt, s0->ncol);
        s0->rowbuf = s0->dflt = s0->row = NULL;
        return rc;
    }
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
        rc = hdb__sql_dml_update_one(x, d, d->ucore, d->unset, d->usetcol, d->usetval, NULL, old,
                                     other, out);
    hdb__sql_row_free(old, d->tab->ncol);
    hdb__sql_row_free(s0->dflt, s0->ncol);
    s0->dflt = NULL;
    s0->row = s1->row = NULL;
    return rc;
}

int hdb__sql_dml_update_from(xctx *x, xdml *d, xrows *out)
{
    xrows j;
    xset seen;
    memset(&j, 0, sizeof j);
    memset(&seen, 0, sizeof seen);
    xsrc *s = &d->core->src[0];
    int rc = hdb__sql_run_select(x, d->fromsel, &j, 0);
    if (rc == HDB_OK)
        rc = hdb__sql_source_defaults(x, s);
    for (size_t i = 0; i < j.n && rc == HDB_OK; i++) {
        int64_t rowid = hdb__sql_value_to_int(&j.r[i][0]);
        int added, found = 0;
        if (hdb__sql_set_find(&seen, &rowid, sizeof rowid, 0, &added) < 0) {
            rc = nomem(x);
            break;
        }
        if (!added || (rc = hdb__sql_row_read(x, s, rowid, &found)) != HDB_OK || !found)
            continue;
        hdb_sql_value *cur = s->rowbuf;
        s->rowbuf = NULL;
        rc = hdb__sql_dml_update_one(x, d, d->core, d->nset, d->setcol, NULL, j.r[i] + 1, cur, rowid, out);
        s->rowbuf = cur;
    }
    hdb__sql_set_free(&seen);
    hdb__sql_rows_clear(&j);
    hdb__sql_row_free(s->rowbuf, s->ncol);
    hdb__sql_row_free(s->dflt, s->ncol);
    s->rowbuf = s->dflt = s->row = NULL;
    return rc;
}
