/*
** exec_fk.c — FOREIGN KEY constraints and their actions.
**
** RULES (SQLite's; enforced unless PRAGMA foreign_keys = OFF on the
** connection, which turns off the checks and the actions alike)
**   - A child row whose key columns are all non-NULL needs a parent row
**     with equal values in the parent columns (the parent's PRIMARY KEY when
**     the REFERENCES clause names none).
**   - When a parent row is deleted, or its key columns change, each
**     referencing key's action runs on the child rows that referenced it:
**     NO ACTION / RESTRICT (the default) fail with "FOREIGN KEY constraint
**     failed"; CASCADE deletes the child rows (ON DELETE) or copies the new
**     key into them (ON UPDATE); SET NULL / SET DEFAULT set the child key
**     columns.  Actions nest (a cascaded delete runs its own children's
**     actions) up to HDB_SQL_MAX_FK_DEPTH levels.
**
** LIMITATIONS
**   Checks are immediate (DEFERRABLE is ignored); child rows are found by a
**   scan of the child table (no index is used).
*/
#include <string.h>
#include "src/sql/exec.h"

#define HDB_SQL_MAX_FK_DEPTH 64

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

typedef struct fkscan {
    int ncol;
    const int *cols;           /* columns of the scanned table (-1 rowid) */
    const hdb_sql_value *want; /* values to find, in order */
    const int *wcols;          /* their columns in `want` */
    int found;
    int collect;               /* gather the matching rows (rowid last) */
    xrows rows;
} fkscan;

static int fk_row(xctx *x, xcore *c, int i, void *arg)
{
    fkscan *f = arg;
    xsrc *s = &c->src[i];
    for (int k = 0; k < f->ncol; k++) {
        hdb_sql_value rid = HDB_SQL_NULL_INIT;
        const hdb_sql_value *a = &rid;
        if (f->cols[k] >= 0)
            a = &s->row[f->cols[k]];
        else
            hdb__sql_value_int(&rid, s->rowid);
        int coll = f->cols[k] >= 0 ? s->coll[f->cols[k]] : HDB_COLL_BINARY;
        if (hdb__sql_value_eq3(a, &f->want[f->wcols[k]], coll) != 1)
            return HDB_OK;
    }
    f->found = 1;
    if (!f->collect)
        return HDB_SQL_STOP;
    hdb_sql_value *r = hdb__sql_row_new(s->ncol + 1);
    if (!r)
        return nomem(x);
    for (int j = 0; j < s->ncol; j++)
        if (hdb__sql_value_copy(&r[j], &s->row[j]) != HDB_OK) {
            hdb__sql_row_free(r, s->ncol + 1);
            return nomem(x);
        }
    hdb__sql_value_int(&r[s->ncol], s->rowid);
    return hdb__sql_rows_add(&f->rows, r, s->ncol + 1) == HDB_OK ? HDB_OK : nomem(x);
}

/* Scan table t for rows whose columns cols[] equal want[wcols[]]. */
static int fk_scan(xctx *x, hdb_sql_table *t, fkscan *f)
{
    xcore *c = hdb__sql_table_core(x, t, NULL, NULL);
    if (!c)
        return x->rc;
    f->rows.ncol = t->ncol + 1;
    int rc = hdb__sql_source_defaults(x, &c->src[0]);
    if (rc == HDB_OK)
        rc = hdb__sql_scan_source(x, c, 0, fk_row, f);
    if (rc == HDB_SQL_STOP)
        rc = HDB_OK;
    hdb__sql_row_free(c->src[0].rowbuf, c->src[0].ncol);
    hdb__sql_row_free(c->src[0].dflt, c->src[0].ncol);
    return rc;
}

/* The parent columns of fk f (its primary key when not named; -1 = rowid). */
static int fk_parent_cols(hdb_sql_table *p, const hdb_sql_fk *f, int *pc)
{
    for (int k = 0; k < f->nchild; k++) {
        if (f->pcols)
            pc[k] = hdb__sql_column_find(p, f->pcols[k]);
        else if (p->npk == f->nchild)
            pc[k] = p->pk[k];
        else
            pc[k] = f->nchild == 1 ? -1 : -2;
        if (pc[k] == -2 || (pc[k] == -1 && f->pcols))
            return 0;
    }
    return 1;
}

int hdb__sql_check_fk(xctx *x, hdb_sql_table *t, const hdb_sql_value *row)
{
    for (int i = 0; i < t->nfk && !x->c->fk_off; i++) {
        hdb_sql_fk *f = &t->fk[i];
        int pc[16], anynull = 0;
        if (f->nchild > 16)
            continue;
        for (int k = 0; k < f->nchild; k++)
            anynull |= row[f->child[k]].type == HDB_NULL;
        if (anynull)
            continue;
        hdb_sql_table *p = hdb__sql_table_find(x->schema, f->parent);
        if (!p || p->is_view || !fk_parent_cols(p, f, pc))
            return hdb__sql_err(x, HDB_ERROR, "foreign key mismatch - \"%s\" referencing \"%s\"",
                                t->name, f->parent);
        fkscan s;
        memset(&s, 0, sizeof s);
        s.ncol = f->nchild, s.cols = pc, s.want = row, s.wcols = f->child;
        int rc = fk_scan(x, p, &s);
        if (rc != HDB_OK)
            return rc;
        if (!s.found)
            return hdb__sql_err(x, HDB_CONSTRAINT, "FOREIGN KEY constraint failed");
    }
    return HDB_OK;
}

/* The value an action puts in child column j. */
static int action_value(xctx *x, hdb_sql_table *ch, int j, int action, const hdb_sql_value *newv,
                        hdb_sql_value *out)
{
    hdb_sql_value v = HDB_SQL_NULL_INIT;
    int rc = HDB_OK;
    if (action == HDB_SQL_FK_CASCADE)
        rc = hdb__sql_value_copy(&v, newv) == HDB_OK ? HDB_OK : nomem(x);
    else if (action == HDB_SQL_FK_SET_DEFAULT && ch->cols[j].dflt) {
        xcore empty;
        memset(&empty, 0, sizeof empty);
        rc = hdb__sql_eval(x, &empty, ch->cols[j].dflt, &v);
    }
    if (rc == HDB_OK && (hdb__sql_value_copy(out, &v) != HDB_OK ||
                         hdb__sql_apply_affinity(out, ch->cols[j].aff) != HDB_OK))
        rc = nomem(x);
    hdb__sql_value_clear(&v);
    return rc;
}

/* Apply the action of fk f (of child table ch) to one child row cr. */
static int act_on_child(xctx *x, hdb_sql_table *ch, const hdb_sql_fk *f, const int *pc, int action,
                        hdb_sql_value *cr, const hdb_sql_value *newrow)
{
    int64_t rowid = cr[ch->ncol].u.i;
    int rc, skip = 0;
    if (action == HDB_SQL_FK_CASCADE && !newrow) {
        rc = hdb__sql_check_parent(x, ch, cr, NULL);
        return rc == HDB_OK ? hdb__sql_row_delete(x, ch, rowid, cr) : rc;
    }
    hdb_sql_value *nr = hdb__sql_row_new(ch->ncol);
    if (!nr)
        return nomem(x);
    rc = HDB_OK;
    for (int j = 0; j < ch->ncol && rc == HDB_OK; j++)
        if (hdb__sql_value_copy(&nr[j], &cr[j]) != HDB_OK)
            rc = nomem(x);
    for (int k = 0; k < f->nchild && rc == HDB_OK; k++) {
        hdb_sql_value rid = HDB_SQL_NULL_INIT;
        const hdb_sql_value *nv = newrow && pc[k] >= 0 ? &newrow[pc[k]] : &rid;
        rc = action_value(x, ch, f->child[k], action, nv, &nr[f->child[k]]);
    }
    if (rc == HDB_OK)
        rc = hdb__sql_check_parent(x, ch, cr, nr);
    if (rc == HDB_OK)
        rc = hdb__sql_check_row_ex(x, ch, nr, rowid, rowid, HDB_SQL_OR_ABORT, &skip, 0);
    if (rc == HDB_OK)
        rc = hdb__sql_row_update(x, ch, rowid, cr, rowid, nr);
    hdb__sql_row_free(nr, ch->ncol);
    return rc;
}

/* The rows of child table ch that fk f points at parent row `row` with. */
static int referenced(xctx *x, hdb_sql_table *t, const hdb_sql_value *row,
                      const hdb_sql_value *newrow, hdb_sql_table *ch, hdb_sql_fk *f)
{
    int pc[16], same = 1, anynull = 0;
    if (!hdb__sql_name_eq(f->parent, t->name) || f->nchild > 16 || !fk_parent_cols(t, f, pc))
        return HDB_OK;
    for (int k = 0; k < f->nchild; k++) {
        if (pc[k] < 0)
            return HDB_OK; /* the rowid: never changes by UPDATE of columns here */
        anynull |= row[pc[k]].type == HDB_NULL;
        if (newrow && hdb__sql_value_cmp(&row[pc[k]], &newrow[pc[k]], HDB_COLL_BINARY))
            same = 0;
    }
    if ((newrow && same) || anynull)
        return HDB_OK;
    int action = newrow ? f->on_update : f->on_delete;
    int act = action == HDB_SQL_FK_CASCADE || action == HDB_SQL_FK_SET_NULL ||
              action == HDB_SQL_FK_SET_DEFAULT;
    fkscan s;
    memset(&s, 0, sizeof s);
    s.ncol = f->nchild, s.cols = f->child, s.want = row, s.wcols = pc, s.collect = act;
    int rc = fk_scan(x, ch, &s);
    if (rc == HDB_OK && s.found && !act)
        rc = hdb__sql_err(x, HDB_CONSTRAINT, "FOREIGN KEY constraint failed");
    for (size_t i = 0; rc == HDB_OK && i < s.rows.n; i++)
        rc = act_on_child(x, ch, f, pc, action, s.rows.r[i], newrow);
    hdb__sql_rows_clear(&s.rows);
    return rc;
}

int hdb__sql_check_parent(xctx *x, hdb_sql_table *t, const hdb_sql_value *row,
                          const hdb_sql_value *newrow)
{
    hdb_sql_schema *s = x->schema;
    if (x->c->fk_off)
        return HDB_OK;
    if (x->fk_depth >= HDB_SQL_MAX_FK_DEPTH)
        return hdb__sql_err(x, HDB_CONSTRAINT, "too many levels of foreign key actions");
    x->fk_depth++;
    int rc = HDB_OK;
    for (int i = 0; s && i < s->ntab && rc == HDB_OK; i++)
        for (int j = 0; j < s->tab[i]->nfk && rc == HDB_OK; j++)
            rc = referenced(x, t, row, newrow, s->tab[i], &s->tab[i]->fk[j]);
    x->fk_depth--;
    return rc;
}
