/*
** exec_check.c — PRAGMA integrity_check and PRAGMA quick_check.
**
** WHAT IS CHECKED
**   1. The storage, by hdb_check(): every reachable page's checksum, key
**      order, tree shape and reference count, and the branch sizes.  Done
**      only when the pragma names no table, and not inside a write
**      transaction of this connection, nor while another connection keeps
**      the writer slot past the busy timeout (hdb_check needs that slot):
**      then the SQL part below runs alone, on the statement's snapshot.
**   2. For each table of the current branch (or the one named): every
**      record decodes; no NOT NULL column holds NULL; and, for
**      integrity_check only, every row has its entry in each of the
**      table's indexes and each index holds as many entries as the table
**      has rows (so an index entry without its row is found too).
**   Each problem is one row of text, at most N of them (the argument when
**   it is a number, else 100); a clean database gives the single row "ok",
**   as SQLite does.  The result column is named after the pragma.
**
** COST
**   Everything is read once: O(size of the database), and memory for one
**   row and one index key at a time.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "src/sql/codec.h"
#include "src/sql/exec.h"

typedef struct chk {
    xctx *x;
    xrows *out;
    int64_t left; /* problems still to report */
    int full;     /* integrity_check (index contents too) */
} chk;

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

/* Report one problem (the first `left` of them); HDB_OK or HDB_NOMEM. */
static int problem(chk *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int problem(chk *c, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    if (c->left <= 0)
        return HDB_OK;
    c->left--;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hdb_sql_value *r = hdb__sql_row_new(1);
    if (!r || hdb__sql_value_text(&r[0], msg, strlen(msg)) != HDB_OK) {
        hdb__sql_row_free(r, 1);
        return nomem(c->x);
    }
    return hdb__sql_rows_add(c->out, r, 1) == HDB_OK ? HDB_OK : nomem(c->x);
}

/* Part 1: the storage, one row per line of hdb_check's report. */
static int check_storage(chk *c)
{
    char *rep = NULL;
    int rc = hdb_check(c->x->db, &rep);
    if (rc == HDB_MISUSE || rc == HDB_BUSY) { /* a write transaction is open: the SQL part alone */
        hdb_free(rep);
        return HDB_OK;
    }
    if (rc != HDB_OK && rc != HDB_CORRUPT) {
        hdb_free(rep);
        return hdb__sql_err(c->x, rc, "integrity check: %s", hdb_errstr(rc));
    }
    for (char *line = rep; rc == HDB_CORRUPT && line && *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = 0;
        if (*line && problem(c, "%s", line) != HDB_OK) {
            hdb_free(rep);
            return c->x->rc;
        }
        line = end ? end + 1 : NULL;
    }
    if (rc == HDB_CORRUPT && (!rep || !*rep))
        rc = problem(c, "the storage check failed");
    hdb_free(rep);
    return rc == HDB_CORRUPT ? HDB_OK : rc;
}

/* The entries of keyspace `ks` (0 when it does not exist). */
static int count_entries(chk *c, const char *ks, int64_t *n)
{
    uint32_t id;
    hdb_cursor *cur;
    *n = 0;
    int rc = hdb__sql_ks(c->x, ks, 0, &id);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc == HDB_OK && (rc = hdb_cursor_open(c->x->t, id, &cur)) == HDB_OK) {
        for (rc = hdb_cursor_first(cur); rc == HDB_OK; rc = hdb_cursor_next(cur))
            (*n)++;
        hdb_cursor_close(cur);
    }
    return rc == HDB_NOTFOUND ? HDB_OK : hdb__sql_err(c->x, rc, "reading %s: %s", ks, hdb_errstr(rc));
}

/* Does index ix hold the entry of row `row` (rowid id)? */
static int has_entry(chk *c, hdb_sql_index *ix, const hdb_sql_value *row, int64_t id, int *has)
{
    uint32_t ks;
    hdb_buf k;
    hdb_val v;
    *has = 0;
    int rc = hdb__sql_ks(c->x, ix->ks, 0, &ks);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK)
        return rc;
    hdb__buf_init(&k, NULL);
    hdb__sql_index_key(&k, ix, row, id, 1);
    rc = k.oom ? HDB_NOMEM : hdb_get(c->x->t, ks, (hdb_val){k.data, k.len}, &v);
    hdb__buf_free(&k);
    *has = rc == HDB_OK;
    if (rc == HDB_NOTFOUND || rc == HDB_OK)
        return HDB_OK;
    return rc == HDB_NOMEM ? nomem(c->x) : hdb__sql_err(c->x, rc, "reading %s: %s", ix->name, hdb_errstr(rc));
}

/* Part 2 for one table. */
static int check_table(chk *c, hdb_sql_table *t)
{
    xsrc s;
    uint32_t ks;
    hdb_cursor *cur = NULL;
    int64_t rows = 0;
    memset(&s, 0, sizeof s);
    s.tab = t;
    s.ncol = t->ncol;
    int rc = hdb__sql_source_defaults(c->x, &s);
    if (rc == HDB_OK && (rc = hdb__sql_ks(c->x, t->ks, 0, &ks)) == HDB_NOTFOUND)
        rc = HDB_NOTFOUND; /* no row was ever written: nothing to read */
    if (rc == HDB_OK && (rc = hdb_cursor_open(c->x->t, ks, &cur)) != HDB_OK)
        rc = hdb__sql_err(c->x, rc, "reading %s: %s", t->name, hdb_errstr(rc));
    for (int r = rc == HDB_OK ? hdb_cursor_first(cur) : HDB_NOTFOUND; r != HDB_NOTFOUND && rc == HDB_OK;
         r = hdb_cursor_next(cur)) {
        hdb_val k, v;
        int64_t id = 0;
        if (r != HDB_OK) {
            rc = hdb__sql_err(c->x, r, "reading %s: %s", t->name, hdb_errstr(r));
            break;
        }
        rows++;
        hdb_cursor_get(cur, &k, &v);
        const uint8_t *p = k.data;
        size_t n = k.size;
        if (hdb__sql_key_int(&p, &n, &id) != HDB_OK || n != 0) {
            rc = problem(c, "malformed rowid in table %s", t->name);
            continue;
        }
        if (hdb__sql_load_row(c->x, &s, id, v.data, v.size) != HDB_OK) {
            c->x->rc = HDB_OK;
            rc = problem(c, "malformed row %lld in table %s", (long long)id, t->name);
            continue;
        }
        for (int j = 0; j < t->ncol && rc == HDB_OK; j++)
            if (t->cols[j].notnull && s.rowbuf[j].type == HDB_NULL)
                rc = problem(c, "NULL value in %s.%s", t->name, t->cols[j].name);
        for (hdb_sql_index *ix = t->indexes; c->full && ix && rc == HDB_OK; ix = ix->next) {
            int has;
            if ((rc = has_entry(c, ix, s.rowbuf, id, &has)) == HDB_OK && !has)
                rc = problem(c, "row %lld missing from index %s", (long long)id, ix->name);
        }
    }
    if (cur)
        hdb_cursor_close(cur);
    if (rc == HDB_NOTFOUND)
        rc = HDB_OK;
    for (hdb_sql_index *ix = t->indexes; c->full && ix && rc == HDB_OK; ix = ix->next) {
        int64_t n;
        if ((rc = count_entries(c, ix->ks, &n)) == HDB_OK && n != rows)
            rc = problem(c, "wrong # of entries in index %s", ix->name);
    }
    hdb__sql_row_free(s.rowbuf, t->ncol);
    hdb__sql_row_free(s.dflt, t->ncol);
    return rc;
}

int hdb__sql_exec_check(xctx *x, const hdb_sql_pragma *p, xrows *out)
{
    chk c = {x, out, 100, hdb__sql_name_eq(p->name, "integrity_check")};
    hdb_sql_table *only = NULL;
    int rc = HDB_OK;
    out->ncol = 1;
    if (p->value && !p->value_is_string && (p->value[0] >= '0' && p->value[0] <= '9')) {
        c.left = strtoll(p->value, NULL, 10);
        if (c.left <= 0)
            c.left = 100;
    } else if (p->value && !(only = hdb__sql_table_find(x->schema, p->value))) {
        return hdb__sql_err(x, HDB_ERROR, "no such table: %s", p->value);
    }
    if (!only)
        rc = check_storage(&c);
    for (int i = 0; rc == HDB_OK && x->schema && i < x->schema->ntab; i++) {
        hdb_sql_table *t = x->schema->tab[i];
        if (!t->is_view && (!only || t == only))
            rc = check_table(&c, t);
    }
    if (rc == HDB_OK && out->n == 0)
        rc = problem(&c, "ok");
    return rc;
}
