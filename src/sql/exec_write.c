/*
** exec_write.c — writing rows: the table entry, its index entries, and the
** constraints a new row must pass (catalog.h describes the key layouts).
**
** CONSTRAINTS, in SQLite's order
**   NOT NULL, CHECK, JSON validity of JSON/JSONB columns, then uniqueness
**   (the rowid, then each unique index; a NULL in an indexed column never
**   conflicts), then FOREIGN KEY (exec_fk.c).  Messages are SQLite's:
**     NOT NULL constraint failed: t.b
**     CHECK constraint failed: <the expression as written>
**     UNIQUE constraint failed: t.a, t.b
**     FOREIGN KEY constraint failed
**   OR IGNORE drops the row; OR REPLACE deletes the conflicting rows (for
**   uniqueness), puts a NOT NULL column's default in place of a NULL, and
**   otherwise behaves as ABORT.
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
    x->puts++;
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

/* Refuse, before anything is written, a row whose record or index keys the
 * tree cannot hold: a statement that fails half way must not need its
 * savepoint for that (exec_stmt.c, SINGLE-SHOT STATEMENTS). */
static int sizes_ok(xctx *x, hdb_sql_table *t, int64_t rowid, const hdb_sql_value *row,
                    const hdb_buf *rec, hdb_buf *k)
{
    size_t max = hdb_max_key(x->db);
    if (rec->len > HDB_MAX_VALUE)
        return hdb__sql_err(x, HDB_RANGE, "string or blob too big");
    for (hdb_sql_index *ix = t->indexes; ix; ix = ix->next) {
        hdb__buf_reset(k);
        hdb__sql_index_key(k, ix, row, rowid, 1);
        if (k->oom)
            return nomem(x);
        if (k->len > max)
            return hdb__sql_err(x, HDB_RANGE, "index %s: a key of %zu bytes (at most %zu)",
                                ix->name, k->len, max);
    }
    return HDB_OK;
}

int hdb__sql_row_write(xctx *x, hdb_sql_table *t, int64_t rowid, hdb_sql_value *row)
{
    hdb_buf k, v;
    hdb__buf_init(&k, NULL);
    hdb__buf_init(&v, NULL);
    hdb__sql_record_encode_row(&v, row, t->ncol, t->ipk);
    int rc = v.oom ? nomem(x) : sizes_ok(x, t, rowid, row, &v, &k);
    hdb__buf_reset(&k);
    hdb__sql_rowid_key(&k, rowid);
    if (rc == HDB_OK)
        rc = put_or_del(x, t->ks, &k, &v, 0);
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

/* An UPDATE of one row: the record is overwritten in place when the rowid
 * stays, and an index entry is deleted and written again only when its key
 * changed (most updates touch no indexed column: one tree write, not four). */
int hdb__sql_row_update(xctx *x, hdb_sql_table *t, int64_t oldid, const hdb_sql_value *old,
                        int64_t rowid, hdb_sql_value *row)
{
    hdb_buf k, k2, v;
    hdb__buf_init(&k, NULL);
    hdb__buf_init(&k2, NULL);
    hdb__buf_init(&v, NULL);
    hdb__sql_record_encode_row(&v, row, t->ncol, t->ipk);
    int rc = v.oom ? nomem(x) : sizes_ok(x, t, rowid, row, &v, &k);
    if (rc == HDB_OK && rowid != oldid) {
        hdb__buf_reset(&k);
        hdb__sql_rowid_key(&k, oldid);
        rc = put_or_del(x, t->ks, &k, NULL, 1);
    }
    if (rc == HDB_OK) {
        hdb__buf_reset(&k);
        hdb__sql_rowid_key(&k, rowid);
        rc = put_or_del(x, t->ks, &k, &v, 0);
    }
    for (hdb_sql_index *ix = t->indexes; ix && rc == HDB_OK; ix = ix->next) {
        hdb__buf_reset(&k);
        hdb__buf_reset(&k2);
        hdb__sql_index_key(&k, ix, old, oldid, 1);
        hdb__sql_index_key(&k2, ix, row, rowid, 1);
        if (!k.oom && !k2.oom && k.len == k2.len && !memcmp(k.data, k2.data, k.len))
            continue;
        rc = put_or_del(x, ix->ks, &k, NULL, 1);
        if (rc == HDB_OK)
            rc = put_or_del(x, ix->ks, &k2, NULL, 0);
    }
    hdb__buf_free(&k);
    hdb__buf_free(&k2);
    hdb__buf_free(&v);
    return rc;
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
    return hdb__sql_load_row(x, s, rowid, v.data, v.size);
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
        if (col->notnull && row[j].type == HDB_NULL && j != t->ipk && col->dflt &&
            or_action == HDB_SQL_OR_REPLACE) { /* REPLACE puts the default in */
            xcore empty;
            memset(&empty, 0, sizeof empty);
            hdb_sql_value v = HDB_SQL_NULL_INIT;
            int rc = hdb__sql_eval(x, &empty, col->dflt, &v);
            if (rc == HDB_OK && (hdb__sql_value_copy(&row[j], &v) != HDB_OK ||
                                 hdb__sql_apply_affinity(&row[j], col->aff) != HDB_OK))
                rc = nomem(x);
            hdb__sql_value_clear(&v);
            if (rc != HDB_OK)
                return rc;
        }
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

int hdb__sql_check_row_ex(xctx *x, hdb_sql_table *t, hdb_sql_value *row, int64_t rowid,
                          int64_t old_rowid, int or_action, int *skip, int fk)
{
    *skip = 0;
    int rc = check_values(x, t, row, rowid, or_action, skip);
    if (rc == HDB_OK && !*skip)
        rc = check_unique(x, t, row, rowid, old_rowid, or_action, skip);
    if (rc == HDB_OK && !*skip && fk)
        rc = hdb__sql_check_fk(x, t, row);
    return rc;
}

int hdb__sql_check_row(xctx *x, hdb_sql_table *t, hdb_sql_value *row, int64_t rowid,
                       int64_t old_rowid, int or_action, int *skip)
{
    return hdb__sql_check_row_ex(x, t, row, rowid, old_rowid, or_action, skip, 1);
}

typedef struct fillctx {
    hdb_sql_index *ix;
    int check_unique;
} fillctx;

static int fill_row(xctx *x, xcore *c, int i, void *arg)
{
    fillctx *f = arg;
    hdb_sql_index *ix = f->ix;
    xsrc *s = &c->src[0];
    if (ix->unique && f->check_unique) {
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

int hdb__sql_index_fill(xctx *x, hdb_sql_index *ix, int check_unique)
{
    fillctx f = {ix, check_unique};
    uint32_t ks;
    int rc = hdb__sql_ks(x, ix->ks, 1, &ks);
    if (rc != HDB_OK)
        return rc;
    xcore *c = hdb__sql_table_core(x, ix->table, NULL, NULL);
    if (!c)
        return x->rc;
    rc = hdb__sql_source_defaults(x, &c->src[0]);
    if (rc == HDB_OK)
        rc = hdb__sql_scan_source(x, c, 0, fill_row, &f);
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
