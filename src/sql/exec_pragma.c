/*
** exec_pragma.c — the PRAGMAs that describe the schema, with SQLite's
** result columns:
**   table_info(t)   cid, name, type, notnull, dflt_value, pk
**   index_list(t)   seq, name, unique, origin, partial
**   index_info(i)   seqno, cid, name
**   foreign_key_list(t)  id, seq, table, from, to, on_update, on_delete, match
**   foreign_keys   1 (the default) or 0; "= OFF" turns foreign key checks
**                  and actions off for the connection, "= ON" back on, as in
**                  SQLite (a no-op inside a transaction); setting returns
**                  nothing
**   schema_version (read; setting it does nothing)
**   integrity_check, quick_check  (exec_check.c)
** Any other PRAGMA is accepted and returns no rows (as SQLite does for
** unknown ones).
*/
#include <stdio.h>
#include <string.h>
#include "src/sql/exec.h"

static const char *const ti_cols[] = {"cid", "name", "type", "notnull", "dflt_value", "pk"};
static const char *const il_cols[] = {"seq", "name", "unique", "origin", "partial"};
static const char *const ii_cols[] = {"seqno", "cid", "name"};
static const char *const fk_cols[] = {"id", "seq", "table", "from", "to", "on_update",
                                      "on_delete", "match"};
static const char *const one_col[] = {"value"};
static const char *const ic_col[] = {"integrity_check"};
static const char *const qc_col[] = {"quick_check"};

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

int hdb__sql_pragma_columns(const hdb_sql_pragma *p, int *n, char ***names)
{
    *n = 0;
    *names = NULL;
#define P(nm, arr)                                                                              \
    if (hdb__sql_name_eq(p->name, nm)) {                                                      \
        *n = (int)(sizeof arr / sizeof *arr);                                                   \
        *names = (char **)arr;                                                                  \
        return HDB_OK;                                                                          \
    }
    P("table_info", ti_cols);
    P("index_list", il_cols);
    P("index_info", ii_cols);
    P("foreign_key_list", fk_cols);
    P("integrity_check", ic_col);
    P("quick_check", qc_col);
    /* Setting one (PRAGMA foreign_keys = OFF) returns nothing, as in SQLite. */
    if ((hdb__sql_name_eq(p->name, "foreign_keys") || hdb__sql_name_eq(p->name, "schema_version")) &&
        !p->value) {
        *n = 1;
        *names = (char **)one_col;
    }
#undef P
    return HDB_OK;
}

static int text(hdb_sql_value *v, const char *s)
{
    return s ? hdb__sql_value_text(v, s, strlen(s)) : HDB_OK;
}

static int add(xctx *x, xrows *out, hdb_sql_value *r, int n, int rc)
{
    if (rc != HDB_OK) {
        hdb__sql_row_free(r, n);
        return nomem(x);
    }
    return hdb__sql_rows_add(out, r, n) == HDB_OK ? HDB_OK : nomem(x);
}

static int table_info(xctx *x, hdb_sql_table *t, xrows *out)
{
    int rc = HDB_OK;
    for (int j = 0; j < t->ncol && rc == HDB_OK; j++) {
        hdb_sql_value *r = hdb__sql_row_new(6);
        if (!r)
            return nomem(x);
        hdb_sql_column *c = &t->cols[j];
        int pk = 0;
        for (int k = 0; k < t->npk; k++)
            if (t->pk[k] == j)
                pk = k + 1;
        hdb__sql_value_int(&r[0], j);
        int e = text(&r[1], c->name) | text(&r[2], c->type ? c->type : "");
        hdb__sql_value_int(&r[3], c->notnull);
        if (c->dflt && t->sql && c->dflt->pos + c->dflt->len <= strlen(t->sql))
            e |= hdb__sql_value_text(&r[4], t->sql + c->dflt->pos, c->dflt->len);
        hdb__sql_value_int(&r[5], pk);
        rc = add(x, out, r, 6, e ? HDB_NOMEM : HDB_OK);
    }
    return rc;
}

static int index_list(xctx *x, hdb_sql_table *t, xrows *out)
{
    int seq = 0, rc = HDB_OK;
    for (hdb_sql_index *ix = t->indexes; ix && rc == HDB_OK; ix = ix->next) {
        hdb_sql_value *r = hdb__sql_row_new(5);
        if (!r)
            return nomem(x);
        hdb__sql_value_int(&r[0], seq++);
        int e = text(&r[1], ix->name) | text(&r[3], ix->is_pk ? "pk" : ix->autoidx ? "u" : "c");
        hdb__sql_value_int(&r[2], ix->unique);
        hdb__sql_value_int(&r[4], 0);
        rc = add(x, out, r, 5, e ? HDB_NOMEM : HDB_OK);
    }
    return rc;
}

static int index_info(xctx *x, hdb_sql_index *ix, xrows *out)
{
    int rc = HDB_OK;
    for (int k = 0; k < ix->ncol && rc == HDB_OK; k++) {
        hdb_sql_value *r = hdb__sql_row_new(3);
        if (!r)
            return nomem(x);
        hdb__sql_value_int(&r[0], k);
        hdb__sql_value_int(&r[1], ix->cols[k]);
        rc = add(x, out, r, 3, text(&r[2], ix->table->cols[ix->cols[k]].name));
    }
    return rc;
}

static const char *fk_action(int a)
{
    switch (a) {
    case HDB_SQL_FK_SET_NULL: return "SET NULL";
    case HDB_SQL_FK_SET_DEFAULT: return "SET DEFAULT";
    case HDB_SQL_FK_CASCADE: return "CASCADE";
    case HDB_SQL_FK_RESTRICT: return "RESTRICT";
    default: return "NO ACTION";
    }
}

static int fk_list(xctx *x, hdb_sql_table *t, xrows *out)
{
    int rc = HDB_OK;
    for (int i = 0; i < t->nfk && rc == HDB_OK; i++)
        for (int k = 0; k < t->fk[i].nchild && rc == HDB_OK; k++) {
            hdb_sql_fk *f = &t->fk[i];
            hdb_sql_value *r = hdb__sql_row_new(8);
            if (!r)
                return nomem(x);
            hdb__sql_value_int(&r[0], i);
            hdb__sql_value_int(&r[1], k);
            int e = text(&r[2], f->parent) | text(&r[3], t->cols[f->child[k]].name) |
                    text(&r[4], f->pcols ? f->pcols[k] : NULL) |
                    text(&r[5], fk_action(f->on_update)) | text(&r[6], fk_action(f->on_delete)) |
                    text(&r[7], "NONE");
            rc = add(x, out, r, 8, e ? HDB_NOMEM : HDB_OK);
        }
    return rc;
}

/* PRAGMA foreign_keys = v: a boolean as SQLite reads one. */
static int set_foreign_keys(xctx *x, const char *v)
{
    static const char *const on[] = {"1", "on", "yes", "true"}, *const off[] = {"0", "off", "no",
                                                                               "false"};
    for (int i = 0; i < 4; i++) {
        int b = hdb__sql_name_eq(v, on[i]) ? 1 : hdb__sql_name_eq(v, off[i]) ? 0 : -1;
        if (b < 0)
            continue;
        if (!x->c->explicit_txn) /* SQLite: a no-op inside a transaction */
            x->c->fk_off = !b;
        return HDB_OK;
    }
    return HDB_OK; /* SQLite ignores a value it does not know */
}

int hdb__sql_exec_pragma(xctx *x, hdb_sql_pragma *p, xrows *out)
{
    int n;
    char **names;
    hdb__sql_pragma_columns(p, &n, &names);
    out->ncol = n;
    if (p->value && hdb__sql_name_eq(p->name, "foreign_keys"))
        return set_foreign_keys(x, p->value);
    if (!n)
        return HDB_OK;
    if (hdb__sql_name_eq(p->name, "integrity_check") || hdb__sql_name_eq(p->name, "quick_check"))
        return hdb__sql_exec_check(x, p, out);
    if (n == 1) {
        hdb_sql_value *r = hdb__sql_row_new(1);
        if (!r)
            return nomem(x);
        hdb__sql_value_int(&r[0], hdb__sql_name_eq(p->name, "foreign_keys")
                                      ? !x->c->fk_off
                                      : (int64_t)(x->schema ? x->schema->version : 0));
        return add(x, out, r, 1, HDB_OK);
    }
    if (!p->value)
        return HDB_OK;
    if (hdb__sql_name_eq(p->name, "index_info")) {
        hdb_sql_index *ix = hdb__sql_index_find(x->schema, p->value);
        return ix ? index_info(x, ix, out) : HDB_OK;
    }
    hdb_sql_table *t = hdb__sql_table_find(x->schema, p->value);
    if (!t || t->is_view)
        return HDB_OK;
    if (hdb__sql_name_eq(p->name, "table_info"))
        return table_info(x, t, out);
    if (hdb__sql_name_eq(p->name, "index_list"))
        return index_list(x, t, out);
    return fk_list(x, t, out);
}
