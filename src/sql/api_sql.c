/*
** api_sql.c — the public SQL API of heliosdb.h: hdb_exec, prepared
** statements, bindings, result columns, and the connection's SQL state.
**
** LIFECYCLE OF A STATEMENT
**   hdb_prepare parses the first statement of the text and compiles it
**   (names resolved against the current schema, in a read transaction when
**   none is open).  The first hdb_step runs it to the end (exec_stmt.c)
**   and keeps the result rows; each step then hands out one row; after the
**   last, HDB_DONE.  hdb_reset forgets the rows; a step after HDB_DONE
**   starts over, as SQLite's automatic reset.
**
** INVARIANTS
**   - Every unfinalised statement is on its connection's list and is freed
**     with it (hdb_close).
**   - Column text returned by hdb_column_text stays valid until the next
**     step, reset or finalize of the statement (the per-column text
**     buffers are made at the first hdb_column_text of a run).
**   - Every failing call leaves its message in hdb_errmsg().
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pager/mem.h"
#include "src/sql/exec.h"
#include "src/sql/spill.h"

static void stmt_free(hdb_stmt *s);

static void conn_close(hdb *db)
{
    xconn *c = db->sql;
    if (!c)
        return;
    while (c->stmts) {
        hdb_stmt *s = c->stmts;
        c->stmts = s->next;
        stmt_free(s);
    }
    for (int i = 0; i < c->nsp; i++)
        hdb__free(c->mem, c->sp[i].name);
    hdb__free(c->mem, c->sp);
    hdb__sql_schema_free(c->schema, c->mem);
    hdb__free(c->mem, c);
    db->sql = NULL;
}

xconn *hdb__sql_conn(hdb *db)
{
    if (db->sql)
        return db->sql;
    xconn *c = hdb__zalloc(db->opt.allocator, sizeof *c);
    if (!c)
        return NULL;
    c->db = db;
    c->mem = db->opt.allocator;
    c->rand_state = (uint64_t)hdb__engine_now(db->e) ^ (uint64_t)(uintptr_t)db;
    db->sql = c;
    db->sql_close = conn_close;
    return c;
}

static void xctx_init(xctx *x, hdb *db, xconn *c, hdb_stmt *s)
{
    memset(x, 0, sizeof *x);
    x->db = db;
    x->c = c;
    x->arena = &s->arena;
    x->schema = c->schema;
    x->f.now_us = hdb__engine_now(db->e);
    c->rand_state = c->rand_state * 6364136223846793005ull + 1442695040888963407ull;
    x->f.rand_state = c->rand_state;
    x->touch_limit = c->progress_limit;
}

int hdb_set_progress_limit(hdb *db, int64_t rows)
{
    if (!db || rows < 0)
        return db ? hdb__seterr(db, HDB_MISUSE, "bad argument to hdb_set_progress_limit")
                  : HDB_MISUSE;
    xconn *c = hdb__sql_conn(db);
    if (!c)
        return hdb__seterr(db, HDB_NOMEM, "out of memory");
    c->progress_limit = rows;
    return hdb__ok(db);
}

/* ---- results ------------------------------------------------------------------- */

static void text_clear(hdb_stmt *s)
{
    if (!s->text)
        return;
    for (int i = 0; i < s->res.ncol; i++) {
        free(s->text[i]);
        s->text[i] = NULL;
    }
}

static void results_clear(hdb_stmt *s)
{
    text_clear(s);
    free(s->text);
    free(s->textlen);
    s->text = NULL;
    s->textlen = NULL;
    hdb__sql_rows_clear(&s->res);
    s->pos = 0;
    s->state = 0;
}

static void stmt_free(hdb_stmt *s)
{
    results_clear(s);
    if (s->params)
        hdb__sql_row_free(s->params, s->nparam);
    for (int i = 0; s->param_names && i < s->nparam; i++)
        free(s->param_names[i]);
    free(s->param_names);
    free(s->sql);
    hdb__sql_arena_free(&s->arena);
    free(s);
}

static const hdb_sql_value *cell(hdb_stmt *s, int i)
{
    if (!s || s->state != 1 || s->pos == 0 || s->pos > s->res.n || i < 0 || i >= s->ncol ||
        i >= s->res.ncol)
        return NULL;
    return &s->res.r[s->pos - 1][i];
}

/* ---- preparing ------------------------------------------------------------------ */

static int needs_compile(const hdb_sql_stmt *st)
{
    return st->kind == HDB_SQL_S_SELECT || st->kind == HDB_SQL_S_INSERT ||
           st->kind == HDB_SQL_S_UPDATE || st->kind == HDB_SQL_S_DELETE ||
           st->kind == HDB_SQL_S_PRAGMA || st->explain;
}

/* Compile now, in the open transaction or a short read transaction. */
static int compile_now(hdb *db, xconn *c, hdb_stmt *s)
{
    xctx x;
    xctx_init(&x, db, c, s);
    hdb_txn *own = NULL;
    int rc = HDB_OK;
    if (db->txn)
        x.t = db->txn;
    else if ((rc = hdb_txn_begin(db, HDB_TXN_READ, &own)) != HDB_OK)
        return rc;
    else
        x.t = own;
    rc = hdb__sql_schema_sync(&x);
    if (rc == HDB_OK)
        rc = hdb__sql_stmt_compile(&x, s);
    if (own)
        hdb_txn_abort(own);
    if (rc != HDB_OK)
        return hdb__seterr(db, rc, "%s", x.err[0] ? x.err : hdb_errstr(rc));
    return HDB_OK;
}

static int copy_params(hdb_stmt *s, const hdb_sql_stmt *st)
{
    s->nparam = st->nparam;
    if (!s->nparam)
        return HDB_OK;
    s->params = hdb__sql_row_new(s->nparam);
    s->param_names = calloc((size_t)s->nparam, sizeof(char *));
    if (!s->params || !s->param_names)
        return HDB_NOMEM;
    for (int i = 0; i < s->nparam; i++)
        if (st->param_names && st->param_names[i] &&
            !(s->param_names[i] = strdup(st->param_names[i])))
            return HDB_NOMEM;
    return HDB_OK;
}

int hdb_prepare(hdb *db, const char *sql, int nbytes, hdb_stmt **out, const char **tail)
{
    if (out)
        *out = NULL;
    if (!db || !out || (!sql && nbytes != 0))
        return db ? hdb__seterr(db, HDB_MISUSE, "bad argument to hdb_prepare") : HDB_MISUSE;
    xconn *c = hdb__sql_conn(db);
    hdb_stmt *s = calloc(1, sizeof *s);
    if (!c || !s) {
        free(s);
        return hdb__seterr(db, HDB_NOMEM, "out of memory");
    }
    /* The text ends at nbytes or at its first NUL, whichever comes first
     * (as SQLite): the statement's text is kept as a C string (the schema
     * stores CREATE statements and re-parses them), so a NUL inside it
     * would cut what is stored short of what was run. */
    size_t n = nbytes < 0 ? strlen(sql) : sql ? strnlen(sql, (size_t)nbytes) : 0;
    hdb__sql_arena_init(&s->arena, NULL);
    s->db = db;
    hdb_sql_stmt *st = NULL;
    char err[512];
    const char *t = NULL;
    int rc = hdb__sql_parse(sql ? sql : "", n, &s->arena, &st, &t, err, sizeof err);
    if (tail)
        *tail = t ? t : (sql ? sql + n : NULL);
    if (rc != HDB_OK || !st) {
        stmt_free(s);
        return rc != HDB_OK ? hdb__seterr(db, rc, "%s", err) : hdb__ok(db);
    }
    s->ast = st;
    s->sql = strdup(st->sql);
    rc = s->sql ? copy_params(s, st) : HDB_NOMEM;
    if (rc != HDB_OK) {
        stmt_free(s);
        return hdb__seterr(db, rc, "out of memory");
    }
    if (needs_compile(st) && (rc = compile_now(db, c, s)) != HDB_OK) {
        stmt_free(s);
        return rc;
    }
    s->next = c->stmts;
    c->stmts = s;
    *out = s;
    return hdb__ok(db);
}

/* ---- stepping -------------------------------------------------------------------- */

static int is_txn_stmt(int k)
{
    return k == HDB_SQL_S_BEGIN || k == HDB_SQL_S_COMMIT || k == HDB_SQL_S_ROLLBACK ||
           k == HDB_SQL_S_SAVEPOINT || k == HDB_SQL_S_RELEASE;
}

static int is_branch_stmt(int k)
{
    return k >= HDB_SQL_S_CREATE_BRANCH && k <= HDB_SQL_S_CHECKPOINT;
}

static int run(hdb_stmt *s)
{
    hdb *db = s->db;
    xconn *c = hdb__sql_conn(db);
    if (!c)
        return hdb__seterr(db, HDB_NOMEM, "out of memory");
    xctx x;
    xctx_init(&x, db, c, s);
    int k = s->ast->kind, rc;
    s->res.ncol = s->ncol;
    if (is_txn_stmt(k) && !s->ast->explain)
        rc = hdb__sql_txn_stmt(&x, s->ast);
    else if (is_branch_stmt(k) && !s->ast->explain)
        rc = hdb__sql_exec_branch(&x, s->ast, &s->res, &s->names, &s->ncol);
    else {
        if (k == HDB_SQL_S_SELECT && !s->ast->explain)
            x.stream_to = &s->res;
        rc = hdb__sql_stmt_exec(&x, s, &s->res);
    }
    if (rc == HDB_OK && (k == HDB_SQL_S_INSERT || k == HDB_SQL_S_UPDATE || k == HDB_SQL_S_DELETE))
        db->changes = x.changes;
    if (rc != HDB_OK) {
        results_clear(s);
        return hdb__seterr(db, rc, "%s", x.err[0] ? x.err : hdb_errstr(rc));
    }
    s->state = 1;
    s->pos = 0;
    return HDB_OK;
}

/* The next row of a streamed result (exec.h, xrows) into s->res as its
 * only row (none at the end: the sorter is then closed). */
static int stream_next(hdb_stmt *s)
{
    xrows *r = &s->res;
    for (size_t i = 0; i < r->n; i++)
        hdb__sql_row_free(r->r[i], r->ncol);
    r->n = 0;
    xconn *c = hdb__sql_conn(s->db);
    if (!c)
        return hdb__seterr(s->db, HDB_NOMEM, "out of memory");
    xctx x;
    xctx_init(&x, s->db, c, s);
    hdb__sql_sorter_rebind(r->stream, &x);
    hdb_sql_value *row = NULL;
    int rc = HDB_OK;
    while (rc == HDB_OK && r->stream_left != 0) {
        if ((rc = hdb__sql_sorter_next(r->stream, &row)) != HDB_OK || !row)
            break;
        if (r->stream_skip > 0) {
            r->stream_skip--;
            hdb__sql_row_free(row, r->ncol);
            row = NULL;
            continue;
        }
        if (r->stream_left > 0)
            r->stream_left--;
        if ((rc = hdb__sql_rows_add(r, row, r->ncol)) != HDB_OK)
            hdb__sql_err(&x, rc, "out of memory");
        break;
    }
    if (rc != HDB_OK || !r->n) {
        hdb__sql_sorter_close(r->stream);
        r->stream = NULL;
    }
    if (rc != HDB_OK)
        return hdb__seterr(s->db, rc, "%s", x.err[0] ? x.err : hdb_errstr(rc));
    s->pos = 0;
    return HDB_OK;
}

int hdb_step(hdb_stmt *s)
{
    if (!s)
        return HDB_MISUSE;
    if (s->state == 2)
        results_clear(s);
    if (s->state == 0) {
        int rc = run(s);
        if (rc != HDB_OK)
            return rc;
    }
    text_clear(s);
    if (s->pos >= s->res.n && s->res.stream) {
        int rc = stream_next(s);
        if (rc != HDB_OK) {
            s->state = 2;
            return rc;
        }
    }
    if (s->pos < s->res.n) {
        s->pos++;
        hdb__ok(s->db);
        return HDB_ROW;
    }
    s->state = 2;
    hdb__ok(s->db);
    return HDB_DONE;
}

int hdb_reset(hdb_stmt *s)
{
    if (!s)
        return HDB_MISUSE;
    results_clear(s);
    return HDB_OK;
}

int hdb_finalize(hdb_stmt *s)
{
    if (!s)
        return HDB_OK;
    xconn *c = s->db->sql;
    for (hdb_stmt **pp = c ? &c->stmts : NULL; pp && *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    stmt_free(s);
    return HDB_OK;
}

const char *hdb_sql(hdb_stmt *s) { return s ? s->sql : NULL; }

/* ---- bindings ---------------------------------------------------------------------- */

static hdb_sql_value *param(hdb_stmt *s, int i, int *rc)
{
    *rc = HDB_OK;
    if (!s) {
        *rc = HDB_MISUSE;
        return NULL;
    }
    if (s->state == 1) {
        *rc = hdb__seterr(s->db, HDB_MISUSE, "bind on a running statement (reset it first)");
        return NULL;
    }
    if (i < 1 || i > s->nparam) {
        *rc = hdb__seterr(s->db, HDB_RANGE, "column index out of range");
        return NULL;
    }
    s->state = 0;
    hdb__sql_value_clear(&s->params[i - 1]);
    return &s->params[i - 1];
}

int hdb_bind_int64(hdb_stmt *s, int i, int64_t v)
{
    int rc;
    hdb_sql_value *p = param(s, i, &rc);
    if (p)
        hdb__sql_value_int(p, v);
    return rc;
}

int hdb_bind_double(hdb_stmt *s, int i, double v)
{
    int rc;
    hdb_sql_value *p = param(s, i, &rc);
    if (p)
        hdb__sql_value_float(p, v);
    return rc;
}

int hdb_bind_text(hdb_stmt *s, int i, const char *v, int n)
{
    int rc;
    hdb_sql_value *p = param(s, i, &rc);
    if (!p)
        return rc;
    if (!v)
        return HDB_OK;
    if (hdb__sql_value_text(p, v, n < 0 ? strlen(v) : (size_t)n) != HDB_OK)
        return hdb__seterr(s->db, HDB_NOMEM, "out of memory");
    return HDB_OK;
}

int hdb_bind_blob(hdb_stmt *s, int i, const void *v, int n)
{
    int rc;
    hdb_sql_value *p = param(s, i, &rc);
    if (!p)
        return rc;
    if (!v)
        return HDB_OK;
    if (n < 0)
        return hdb__seterr(s->db, HDB_MISUSE, "negative blob size");
    if (hdb__sql_value_blob(p, v, (size_t)n) != HDB_OK)
        return hdb__seterr(s->db, HDB_NOMEM, "out of memory");
    return HDB_OK;
}

int hdb_bind_null(hdb_stmt *s, int i)
{
    int rc;
    param(s, i, &rc);
    return rc;
}

int hdb_bind_parameter_index(hdb_stmt *s, const char *name)
{
    for (int i = 0; s && name && i < s->nparam; i++)
        if (s->param_names[i] && !strcmp(s->param_names[i], name))
            return i + 1;
    return 0;
}

int hdb_bind_parameter_count(hdb_stmt *s) { return s ? s->nparam : 0; }

int hdb_clear_bindings(hdb_stmt *s)
{
    if (!s)
        return HDB_MISUSE;
    for (int i = 0; i < s->nparam; i++)
        hdb__sql_value_clear(&s->params[i]);
    return HDB_OK;
}

/* ---- columns ------------------------------------------------------------------------- */

int hdb_column_count(hdb_stmt *s) { return s ? s->ncol : 0; }

const char *hdb_column_name(hdb_stmt *s, int i)
{
    if (!s || i < 0 || i >= s->ncol || !s->names)
        return NULL;
    return s->names[i];
}

int hdb_column_type(hdb_stmt *s, int i)
{
    const hdb_sql_value *v = cell(s, i);
    return v ? v->type : HDB_NULL;
}

int64_t hdb_column_int64(hdb_stmt *s, int i)
{
    const hdb_sql_value *v = cell(s, i);
    return v ? hdb__sql_value_to_int(v) : 0;
}

double hdb_column_double(hdb_stmt *s, int i)
{
    const hdb_sql_value *v = cell(s, i);
    return v ? hdb__sql_value_to_float(v) : 0.0;
}

const char *hdb_column_text(hdb_stmt *s, int i)
{
    const hdb_sql_value *v = cell(s, i);
    if (!v || v->type == HDB_NULL)
        return NULL;
    if (!s->text) { /* the first text asked of this run */
        s->text = calloc((size_t)s->res.ncol + 1, sizeof *s->text);
        s->textlen = calloc((size_t)s->res.ncol + 1, sizeof *s->textlen);
        if (!s->text || !s->textlen) {
            free(s->text);
            free(s->textlen);
            s->text = NULL;
            s->textlen = NULL;
            hdb__seterr(s->db, HDB_NOMEM, "out of memory");
            return NULL;
        }
    }
    if (s->text[i])
        return s->text[i];
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__sql_value_to_text(v, &b);
    hdb__buf_append(&b, "", 1);
    if (b.oom) {
        hdb__buf_free(&b);
        return NULL;
    }
    s->textlen[i] = (int)b.len - 1;
    s->text[i] = hdb__buf_take(&b);
    return s->text[i];
}

const void *hdb_column_blob(hdb_stmt *s, int i)
{
    const hdb_sql_value *v = cell(s, i);
    if (!v || v->type == HDB_NULL)
        return NULL;
    if (v->type == HDB_BLOB || v->type == HDB_TEXT)
        return v->u.s.n ? v->u.s.p : "";
    return hdb_column_text(s, i);
}

int hdb_column_bytes(hdb_stmt *s, int i)
{
    const hdb_sql_value *v = cell(s, i);
    if (!v || v->type == HDB_NULL)
        return 0;
    if (v->type == HDB_BLOB || v->type == HDB_TEXT)
        return (int)v->u.s.n;
    return hdb_column_text(s, i) ? s->textlen[i] : 0;
}

/* ---- the connection --------------------------------------------------------------------- */

int64_t hdb_changes(hdb *db) { return db ? db->changes : 0; }
int64_t hdb_last_insert_rowid(hdb *db) { return db ? db->last_rowid : 0; }

int hdb_get_autocommit(hdb *db)
{
    if (!db)
        return 0;
    xconn *c = db->sql;
    return !(c && c->explicit_txn);
}

/* ---- hdb_exec ------------------------------------------------------------------------------ */

static int exec_rows(hdb_stmt *s,
                     int (*row)(void *, int, const char *const *, const char *const *), void *ctx)
{
    int rc;
    while ((rc = hdb_step(s)) == HDB_ROW) {
        if (!row)
            continue;
        int n = s->ncol;
        const char **vals = calloc((size_t)n + 1, sizeof *vals);
        if (!vals)
            return hdb__seterr(s->db, HDB_NOMEM, "out of memory");
        for (int i = 0; i < n; i++)
            vals[i] = hdb_column_text(s, i);
        int stop = row(ctx, n, vals, (const char *const *)s->names);
        free(vals);
        if (stop)
            return hdb__seterr(s->db, HDB_ERROR, "callback requested abort");
    }
    return rc == HDB_DONE ? HDB_OK : rc;
}

int hdb_exec(hdb *db, const char *sql,
             int (*row)(void *ctx, int ncol, const char *const *vals, const char *const *names),
             void *ctx)
{
    if (!db || !sql)
        return db ? hdb__seterr(db, HDB_MISUSE, "NULL SQL text") : HDB_MISUSE;
    const char *p = sql;
    while (*p) {
        hdb_stmt *s = NULL;
        const char *tail = NULL;
        int rc = hdb_prepare(db, p, -1, &s, &tail);
        if (rc != HDB_OK)
            return rc;
        if (!s)
            break;
        rc = exec_rows(s, row, ctx);
        if (rc != HDB_OK) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", hdb_errmsg(db));
            hdb_finalize(s);
            return hdb__seterr(db, rc, "%s", msg);
        }
        hdb_finalize(s);
        if (!tail || tail <= p)
            break;
        p = tail;
    }
    return hdb__ok(db);
}
