/*
** exec_write.c — writing rows: the table entry, its index entries, and the
** constraints a new row must pass (catalog.h describes the key layouts).
**
** CONSTRAINTS, in SQLite's order
**   NOT NULL, CHECK, JSON validity of JSON/JSONB columns, then uniqueness
**   (the rowid, then each unique index; a NULL in an indexed column never
**   conflicts), then FOREIGN KEY (the parent row must exist; NULL child
**   columns are exempt).  Messages are SQLite's:
**     NOT NULL constraint failed: t.b
**     CHECK constraint failed: <the expression as written>
**     UNIQUE constraint failed: t.a, t.b
**     FOREIGN KEY constraint failed
**   OR IGNORE drops the row; OR REPLACE deletes the conflicting rows (for
**   uniqueness) and otherwise behaves as ABORT.
**
** LIMITATIONS
**   Foreign keys are checked immediately (no DEFERRABLE) and their ON
**   DELETE / ON UPDATE actions are not run: a referenced parent row cannot
**   be deleted or have its key changed.
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "src/sql/exec.h"

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

void hdb__sql_rowid_key(hdb_buf *b, int64_t rowid)
{
    hdb_sql_value v;
    v.type = HDB_INTEGER;
    v.owned = 0;
    v.u.i = rowid;
    hdb__sql_key_append(b, &v, HDB_COLL_BINARY, 0);
}

void hdb__sql_index_key(hdb_buf *b, hdb_sql_index *ix, const hdb_sql_value *row, int64_t rowid,
                        int with_rowid)
{
    for (int k = 0; k < ix->ncol; k++)
        hdb__sql_key_append(b, &row[ix->cols[k]], ix->coll[k], ix->desc[k]);
    if (with_rowid)
        hdb__sql_rowid_key(b, rowid);
}

static int put_or_del(xctx *x, const char *ksname, hdb_buf *k, const hdb_buf *v, int del)
{
    uint32_t ks;
    if (k->oom || (v && v->oom))
        return nomem(x);
    int rc = hdb__sql_ks(x, ksname, 1, &ks);
    if (rc != HDB_OK)
        return rc == HDB_NOTFOUND ? hdb__sql_err(x, rc, "no keyspace %s", ksname) : rc;
    hdb_val key = {k->data, k->len};
    if (del)
        rc = hdb_del(x->t, ks, key);
    else
        rc = hdb_put(x->t, ks, key, (hdb_val){v && v->len ? v->data : "", v ? v->len : 0});
    if (rc == HDB_NOTFOUND && del)
        rc = HDB_OK;
    if (rc != HDB_OK)
        hdb__sql_err(x, rc, "write failed: %s", hdb_errstr(rc));
    return rc;
}

static int index_entries(xctx *x, hdb_sql_table *t, int64_t rowid, const hdb_sql_value *row,
                         int del)
{
    hdb_buf k;
    hdb__buf_init(&k, NULL);
    int rc = HDB_OK;
    for (hdb_sql_index *ix = t->indexes; ix && rc == HDB_OK; ix = ix->next) {
        hdb__buf_reset(&k);
        hdb__sql_index_key(&k, ix, row, rowid, 1);
        rc = put_or_del(x, ix->ks, &k, NULL, del);
    }
    hdb__buf_free(&k);
    return rc;
}

int hdb__sql_row_write(xctx *x, hdb_sql_table *t, int64_t rowid, hdb_sql_value *row)
{
    hdb_buf k, v;
    hdb__buf_init(&k, NULL);
    hdb__buf_init(&v, NULL);
    hdb__sql_rowid_key(&k, rowid);
    hdb__sql_record_encode(&v, row, t->ncol);
    int rc = put_or_del(x, t->ks, &k, &v, 0);
    hdb__buf_free(&k);
    hdb__buf_free(&v);
    return rc == HDB_OK ? index_entries(x, t, rowid, row, 0) : rc;
}

int hdb__sql_row_delete(xctx *x, hdb_sql_table *t, int64_t rowid, hdb_sql_value *row)
{
    hdb_buf k;
    hdb__buf_init(&k, NULL);
    hdb__sql_rowid_key(&k, rowid);
    int rc = put_or_del(x, t->ks, &k, NULL, 1);
    hdb__buf_free(&k);
    return rc == HDB_OK ? index_entries(x, t, rowid, row, 1) : rc;
}

int hdb__sql_row_read(xctx *x, xsrc *s, int64_t rowid, int *found)
{
    uint32_t ks;
    *found = 0;
    int rc = hdb__sql_ks(x, s->tab->ks, 0, &ks);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK)
        return rc;
    hdb_buf k;
    hdb__buf_init(&k, NULL);
    hdb__sql_rowid_key(&k, rowid);
    hdb_val v;
    rc = k.oom ? HDB_NOMEM : hdb_get(x->t, ks, (hdb_val){k.data, k.len}, &v);
    hdb__buf_free(&k);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK)
        return hdb__sql_err(x, rc, "read failed: %s", hdb_errstr(rc));
    *found = 1;
    s->rowid = rowid;
    return hdb__sql_load_row(x, s, v.data, v.size);
}

/* ---- uniqueness ------------------------------------------------------------ */

/* The rowid of another row with the same key in unique index ix, or 0 found. */
static int unique_conflict(xctx *x, hdb_sql_index *ix, const hdb_sql_value *row, int64_t self,
                           int64_t *other, int *found)
{
    *found = 0;
    for (int k = 0; k < ix->ncol; k++)
        if (row[ix->cols[k]].type == HDB_NULL)
            return HDB_OK;
    uint32_t ks;
    int rc = hdb__sql_ks(x, ix->ks, 0, &ks);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK)
        return rc;
    hdb_buf p;
    hdb__buf_init(&p, NULL);
    hdb__sql_index_key(&p, ix, row, 0, 0);
    hdb_cursor *cu = NULL;
    rc = p.oom ? nomem(x) : hdb_cursor_open(x->t, ks, &cu);
    if (rc == HDB_OK)
        rc = hdb_cursor_seek(cu, (hdb_val){p.data, p.len});
    for (; rc == HDB_OK; rc = hdb_cursor_next(cu)) {
        hdb_val k, v;
        if ((rc = hdb_cursor_get(cu, &k, &v)) != HDB_OK)
            break;
        if (k.size < p.len || memcmp(k.data, p.data, p.len))
            break;
        const uint8_t *q = (const uint8_t *)k.data + p.len;
        size_t n = k.size - p.len;
        hdb_sql_value r = HDB_SQL_NULL_INIT;
        if (hdb__sql_key_decode(&q, &n, 0, &r) != HDB_OK || r.type != HDB_INTEGER) {
            hdb__sql_value_clear(&r);
            rc = hdb__sql_err(x, HDB_CORRUPT, "malformed index %s", ix->name);
            break;
        }
        if (r.u.i != self) {
            *other = r.u.i;
            *found = 1;
            break;
        }
    }
    hdb_cursor_close(cu);
    hdb__buf_free(&p);
    return rc == HDB_NOTFOUND ? HDB_OK : rc;
}

static int unique_error(xctx *x, hdb_sql_table *t, hdb_sql_index *ix)
{
    char msg[400];
    size_t n = 0;
    msg[0] = 0;
    for (int k = 0; ix && k < ix->ncol && n < sizeof msg - 80; k++)
        n += (size_t)snprintf(msg + n, sizeof msg - n, "%s%s.%s", k ? ", " : "", t->name,
                              t->cols[ix->cols[k]].name);
    if (!ix)
        snprintf(msg, sizeof msg, "%s.%s", t->name, t->ipk >= 0 ? t->cols[t->ipk].name : "rowid");
    return hdb__sql_err(x, HDB_CONSTRAINT, "UNIQUE constraint failed: %s", msg);
}

/* Delete the row `other` of t (OR REPLACE). */
static int replace_row(xctx *x, hdb_sql_table *t, int64_t other)
{
    xcore *c = hdb__sql_table_core(x, t, NULL, NULL);
    if (!c)
        return x->rc;
    xsrc *s = &c->src[0];
    int found = 0;
    int rc = hdb__sql_source_defaults(x, s);
    if (rc == HDB_OK)
        rc = hdb__sql_row_read(x, s, other, &found);
    if (rc == HDB_OK && found)
        rc = hdb__sql_check_parent(x, t, s->row, NULL);
    if (rc == HDB_OK && found)
        rc = hdb__sql_row_delete(x, t, other, s->row);
    hdb__sql_row_free(s->rowbuf, s->ncol);
    hdb__sql_row_free(s->dflt, s->ncol);
    return rc;
}

static int check_unique(xctx *x, hdb_sql_table *t, hdb_sql_value *row, int64_t rowid,
                        int64_t old, int or_action, int *skip)
{
    if (rowid != old) { /* the rowid itself */
        uint32_t ks;
        int rc = hdb__sql_ks(x, t->ks, 0, &ks), found = 0;
        if (rc == HDB_OK) {
            hdb_buf k;
            hdb__buf_init(&k, NULL);
            hdb__sql_rowid_key(&k, rowid);
            hdb_val v;
            rc = k.oom ? nomem(x) : hdb_get(x->t, ks, (hdb_val){k.data, k.len}, &v);
            found = rc == HDB_OK;
            if (rc == HDB_NOTFOUND)
                rc = HDB_OK;
            hdb__buf_free(&k);
        } else if (rc == HDB_NOTFOUND)
            rc = HDB_OK;
        if (rc != HDB_OK)
            return rc;
        if (found && or_action == HDB_SQL_OR_IGNORE) {
            *skip = 1;
            return HDB_OK;
        }
        if (found && or_action == HDB_SQL_OR_REPLACE && (rc = replace_row(x, t, rowid)) != HDB_OK)
            return rc;
        if (found && or_action != HDB_SQL_OR_REPLACE)
            return unique_error(x, t, NULL);
    }
    for (hdb_sql_index *ix = t->indexes; ix; ix = ix->next) {
        if (!ix->unique)
            continue;
        int64_t other = 0;
        int found = 0;
        int rc = unique_conflict(x, ix, row, old, &other, &found);
        if (rc == HDB_OK && found && other == rowid)
            found = 0;
        if (rc != HDB_OK)
            return rc;
        if (!found)
            continue;
        if (or_action == HDB_SQL_OR_IGNORE) {
            *skip = 1;
            return HDB_OK;
        }
        if (or_action != HDB_SQL_OR_REPLACE)
            return unique_error(x, t, ix);
        if ((rc = replace_row(x, t, other)) != HDB_OK)
            return rc;
    }
    return HDB_OK;
}

/* ---- NOT NULL, CHECK, JSON ------------------------------------------------- */

static int check_values(xctx *x, hdb_sql_table *t, hdb_sql_value *row, int64_t rowid,
                        int or_action, int *skip)
{
    for (int j = 0; j < t->ncol; j++) {
        hdb_sql_column *col = &t->cols[j];
        if (col->notnull && row[j].type == HDB_NULL && j != t->ipk) {
            if (or_action == HDB_SQL_OR_IGNORE) {
                *skip = 1;
                return HDB_OK;
            }
            return hdb__sql_err(x, HDB_CONSTRAINT, "NOT NULL constraint failed: %s.%s", t->name,
                                col->name);
        }
        if (col->is_json && row[j].type == HDB_TEXT &&
            !hdb__sql_json_valid(row[j].u.s.p ? row[j].u.s.p : "", row[j].u.s.n))
            return hdb__sql_err(x, HDB_CONSTRAINT, "JSON constraint failed: %s.%s (malformed JSON)",
                                t->name, col->name);
    }
    if (!t->ncheck)
        return HDB_OK;
    xcore *c = hdb__sql_table_core(x, t, NULL, NULL);
    if (!c)
        return x->rc;
    c->src[0].row = row;
    c->src[0].rowid = rowid;
    for (int i = 0; i < t->ncheck; i++) {
        int r = hdb__sql_eval_truth(x, c, t->check[i]);
        if (r == -2)
            return x->rc;
        if (r == 0) {
            if (or_action == HDB_SQL_OR_IGNORE) {
                *skip = 1;
                return HDB_OK;
            }
            hdb_sql_expr *e = t->check[i];
            int len = (int)e->len;
            const char *txt = t->sql && e->pos + e->len <= strlen(t->sql) ? t->sql + e->pos : "";
            return hdb__sql_err(x, HDB_CONSTRAINT, "CHECK constraint failed: %.*s", txt[0] ? len : 0,
                                txt);
        }
    }
    return HDB_OK;
}

/* ---- FOREIGN KEY ------------------------------------------------------------ */

typedef struct fkscan {
    int ncol;
    const int *cols;          /* columns of the scanned table */
    const hdb_sql_value *want;/* values to find, in order */
    const int *wcols;         /* their columns in `wrow` */
    int found;
} fkscan;

static int fk_row(xctx *x, xcore *c, int i, void *arg)
{
    fkscan *f = arg;
    xsrc *s = &c->src[i];
    for (int k = 0; k < f->ncol; k++) {
        const hdb_sql_value *a = f->cols[k] < 0 ? NULL : &s->row[f->cols[k]];
        hdb_sql_value rid = HDB_SQL_NULL_INIT;
        if (!a) {
            hdb__sql_value_int(&rid, s->rowid);
            a = &rid;
        }
        if (hdb__sql_value_eq3(a, &f->want[f->wcols[k]], s->coll[f->cols[k] < 0 ? 0 : f->cols[k]]) != 1)
            return HDB_OK;
    }
    f->found = 1;
    return HDB_SQL_STOP;
}

/* Is there a row of table t whose columns cols[] equal want[wcols[]]? */
static int fk_exists(xctx *x, hdb_sql_table *t, int n, const int *cols, const hdb_sql_value *want,
                     const int *wcols, int *found)
{
    xcore *c = hdb__sql_table_core(x, t, NULL, NULL);
    if (!c)
        return x->rc;
    fkscan f = {n, cols, want, wcols, 0};
    int rc = hdb__sql_source_defaults(x, &c->src[0]);
    if (rc == HDB_OK)
        rc = hdb__sql_scan_source(x, c, 0, fk_row, &f);
    if (rc == HDB_SQL_STOP)
        rc = HDB_OK;
    hdb__sql_row_free(c->src[0].rowbuf, c->src[0].ncol);
    hdb__sql_row_free(c->src[0].dflt, c->src[0].ncol);
    *found = f.found;
    return rc;
}

/* The parent columns of fk f (its primary key when not named). */
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

static int check_fk(xctx *x, hdb_sql_table *t, hdb_sql_value *row)
{
    for (int i = 0; i < t->nfk; i++) {
        hdb_sql_fk *f = &t->fk[i];
        int pc[16], anynull = 0, found = 0;
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
        int rc = fk_exists(x, p, f->nchild, pc, row, f->child, &found);
        if (rc != HDB_OK)
            return rc;
        if (!found)
            return hdb__sql_err(x, HDB_CONSTRAINT, "FOREIGN KEY constraint failed");
    }
    return HDB_OK;
}

int hdb__sql_check_parent(xctx *x, hdb_sql_table *t, const hdb_sql_value *row,
                          const hdb_sql_value *newrow)
{
    hdb_sql_schema *s = x->schema;
    for (int i = 0; s && i < s->ntab; i++) {
        hdb_sql_table *ch = s->tab[i];
        for (int j = 0; j < ch->nfk; j++) {
            hdb_sql_fk *f = &ch->fk[j];
            int pc[16], found = 0, same = 1;
            if (!hdb__sql_name_eq(f->parent, t->name) || f->nchild > 16 || !fk_parent_cols(t, f, pc))
                continue;
            for (int k = 0; k < f->nchild && newrow; k++)
                if (pc[k] >= 0 && hdb__sql_value_cmp(&row[pc[k]], &newrow[pc[k]], HDB_COLL_BINARY))
                    same = 0;
            if (newrow && same)
                continue;
            int anynull = 0;
            for (int k = 0; k < f->nchild; k++)
                anynull |= pc[k] >= 0 && row[pc[k]].type == HDB_NULL;
            if (anynull || pc[0] < 0)
                continue;
            int rc = fk_exists(x, ch, f->nchild, f->child, row, pc, &found);
            if (rc != HDB_OK)
                return rc;
            if (found)
                return hdb__sql_err(x, HDB_CONSTRAINT, "FOREIGN KEY constraint failed");
        }
    }
    return HDB_OK;
}

int hdb__sql_check_row(xctx *x, hdb_sql_table *t, hdb_sql_value *row, int64_t rowid,
                       int64_t old_rowid, int or_action, int *skip)
{
    *skip = 0;
    int rc = check_values(x, t, row, rowid, or_action, skip);
    if (rc == HDB_OK && !*skip)
        rc = check_unique(x, t, row, rowid, old_rowid, or_action, skip);
    if (rc == HDB_OK && !*skip)
        rc = check_fk(x, t, row);
    return rc;
}

static int fill_row(xctx *x, xcore *c, int i, void *arg)
{
    hdb_sql_index *ix = arg;
    xsrc *s = &c->src[0];
    if (ix->unique) {
        int64_t other;
        int found = 0;
        int rc = unique_conflict(x, ix, s->row, s->rowid, &other, &found);
        if (rc != HDB_OK)
            return rc;
        if (found)
            return unique_error(x, ix->table, ix);
    }
    hdb_buf k;
    hdb__buf_init(&k, NULL);
    hdb__sql_index_key(&k, ix, s->row, s->rowid, 1);
    int rc = put_or_del(x, ix->ks, &k, NULL, 0);
    hdb__buf_free(&k);
    return rc;
}

int hdb__sql_index_fill(xctx *x, hdb_sql_index *ix)
{
    uint32_t ks;
    int rc = hdb__sql_ks(x, ix->ks, 1, &ks);
    if (rc != HDB_OK)
        return rc;
    xcore *c = hdb__sql_table_core(x, ix->table, NULL, NULL);
    if (!c)
        return x->rc;
    rc = hdb__sql_source_defaults(x, &c->src[0]);
    if (rc == HDB_OK)
        rc = hdb__sql_scan_source(x, c, 0, fill_row, ix);
    hdb__sql_row_free(c->src[0].rowbuf, c->src[0].ncol);
    hdb__sql_row_free(c->src[0].dflt, c->src[0].ncol);
    return rc;
}

int hdb__sql_find_conflict(xctx *x, hdb_sql_table *t, hdb_sql_index *ix, const hdb_sql_value *row,
                           int64_t rowid, int64_t *other, int *found)
{
    *found = 0;
    if (ix)
        return unique_conflict(x, ix, row, INT64_MIN, other, found);
    uint32_t ks;
    int rc = hdb__sql_ks(x, t->ks, 0, &ks);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK)
        return rc;
    hdb_buf k;
    hdb__buf_init(&k, NULL);
    hdb__sql_rowid_key(&k, rowid);
    hdb_val v;
    rc = k.oom ? nomem(x) : hdb_get(x->t, ks, (hdb_val){k.data, k.len}, &v);
    hdb__buf_free(&k);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc == HDB_OK) {
        *found = 1;
        *other = rowid;
    }
    return rc;
}
