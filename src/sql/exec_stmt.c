/*
** exec_stmt.c — compiling and running one prepared statement: the schema
** cache, transactions (autocommit, BEGIN/COMMIT/ROLLBACK, savepoints) and
** dispatch to the executors.
**
** TRANSACTIONS
**   Outside BEGIN each statement runs in its own transaction: a read one
**   for a query, a write one otherwise, committed when the statement
**   succeeds and aborted when it fails.  Inside BEGIN ... COMMIT every
**   statement runs under a savepoint of the open transaction: a failing
**   statement rolls back to it, undoing only itself.  SAVEPOINT outside a
**   transaction begins one, which the matching RELEASE commits.
**
** SINGLE-SHOT STATEMENTS
**   A savepoint makes every page written after it a new copy (pager.h,
**   invariant 2), which makes a bulk load of one-row INSERTs inside BEGIN
**   copy each leaf once per row.  An INSERT of one row that runs all its
**   checks before its first write (hdb__sql_insert_single_shot) runs
**   without one: when it fails, it wrote nothing, so the transaction goes
**   on; if it ever failed after a write (the engine failing, which fails
**   the transaction by itself, or running out of memory), the transaction
**   is marked failed and can only be rolled back.
**
** SCHEMA CACHE
**   The connection keeps one parsed schema, tagged with its branch and the
**   version stored in the catalog.  Every statement compares them with the
**   transaction's branch and catalog; on a difference it reloads, and the
**   connection's generation counter moves, which makes every prepared
**   statement compiled before recompile (re-parse) at its next step.  A
**   query rerun in a read transaction at the LSN of its last run skips the
**   comparison: it sees the same catalog (schema_sync).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pager/mem.h"
#include "src/sql/exec.h"

typedef struct xprog {
    int kind;
    xsel *sel;
    void *dml;
    uint64_t snap_lsn, snap_gen; /* the last read snapshot checked against the schema */
} xprog;

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

/* ---- the schema cache -------------------------------------------------------- */

static int resolve_schema_exprs(xctx *x, hdb_sql_schema *s)
{
    hdb_sql_arena *save = x->arena;
    hdb_sql_schema *ssave = x->schema;
    x->arena = &s->arena;
    x->schema = s;
    int rc = HDB_OK;
    for (int i = 0; i < s->ntab && rc == HDB_OK; i++) {
        hdb_sql_table *t = s->tab[i];
        if (t->is_view)
            continue;
        xcore *c = hdb__sql_table_core(x, t, NULL, NULL);
        if (!c) {
            rc = x->rc;
            break;
        }
        xcore empty;
        memset(&empty, 0, sizeof empty);
        for (int k = 0; k < t->ncheck && rc == HDB_OK; k++)
            rc = hdb__sql_resolve(x, c, t->check[k], 0);
        for (int j = 0; j < t->ncol && rc == HDB_OK; j++)
            if (t->cols[j].dflt)
                rc = hdb__sql_resolve(x, &empty, t->cols[j].dflt, 0);
    }
    x->arena = save;
    x->schema = ssave;
    return rc;
}

int hdb__sql_schema_sync(xctx *x)
{
    xconn *c = x->c;
    uint64_t ver = 0;
    int rc = hdb__sql_schema_version(x->t, &ver);
    if (rc != HDB_OK)
        return hdb__sql_err(x, rc, "cannot read the schema: %s", hdb_errstr(rc));
    if (c->schema && c->schema->version == ver && !strcmp(c->schema->branch, x->t->branch)) {
        x->schema = c->schema;
        return HDB_OK;
    }
    hdb_sql_schema *s;
    char err[256] = "";
    rc = hdb__sql_schema_load(x->t, c->mem, &s, err, sizeof err);
    if (rc != HDB_OK)
        return hdb__sql_err(x, rc, "%s", err[0] ? err : hdb_errstr(rc));
    s->version = ver;
    if ((rc = resolve_schema_exprs(x, s)) != HDB_OK) {
        hdb__sql_schema_free(s, c->mem);
        return rc;
    }
    hdb__sql_schema_free(c->schema, c->mem);
    c->schema = s;
    x->schema = s;
    c->generation++;
    return HDB_OK;
}

/* ---- compiling ------------------------------------------------------------------ */

static int is_query(const hdb_sql_stmt *st)
{
    return st->kind == HDB_SQL_S_SELECT || st->kind == HDB_SQL_S_PRAGMA || st->explain;
}

static int set_names(hdb_stmt *s, int n, char **names)
{
    s->ncol = n;
    s->names = names;
    return HDB_OK;
}

static const char *const plan_cols[] = {"id", "parent", "notused", "detail"};

int hdb__sql_stmt_compile(xctx *x, hdb_stmt *s)
{
    hdb_sql_stmt *st = s->ast;
    xprog *p = hdb__sql_alloc(x, sizeof *p);
    if (!p)
        return x->rc;
    p->kind = st->kind;
    s->prog = p;
    s->ncol = 0;
    s->names = NULL;
    int rc = HDB_OK;
    switch (st->kind) {
    case HDB_SQL_S_SELECT:
        rc = hdb__sql_compile_select(x, st->u.select, NULL, NULL, &p->sel);
        if (rc == HDB_OK)
            set_names(s, p->sel->ncol, p->sel->names);
        break;
    case HDB_SQL_S_INSERT:
        rc = hdb__sql_compile_insert(x, st, &p->dml);
        break;
    case HDB_SQL_S_UPDATE:
        rc = hdb__sql_compile_update(x, st, &p->dml);
        break;
    case HDB_SQL_S_DELETE:
        rc = hdb__sql_compile_delete(x, st, &p->dml);
        break;
    case HDB_SQL_S_PRAGMA:
        rc = hdb__sql_pragma_columns(&st->u.pragma, &s->ncol, &s->names);
        break;
    default:
        break;
    }
    if (rc == HDB_OK && p->dml)
        hdb__sql_dml_columns(p->dml, &s->ncol, &s->names);
    if (rc == HDB_OK && st->explain)
        set_names(s, 4, (char **)plan_cols);
    if (rc == HDB_OK) {
        s->compiled = 1;
        s->version = x->c->generation;
    }
    return rc == HDB_OK ? x->rc : rc;
}

/* Re-parse the statement's text into a fresh arena (the old tree carries
 * annotations of a schema that is gone). */
static int reparse(xctx *x, hdb_stmt *s)
{
    hdb__sql_arena_free(&s->arena);
    hdb__sql_arena_init(&s->arena, NULL);
    hdb_sql_stmt *st = NULL;
    char err[256];
    int rc = hdb__sql_parse(s->sql, strlen(s->sql), &s->arena, &st, NULL, err, sizeof err);
    if (rc != HDB_OK || !st)
        return hdb__sql_err(x, rc != HDB_OK ? rc : HDB_ERROR, "%s", rc != HDB_OK ? err : "empty statement");
    s->ast = st;
    s->compiled = 0;
    s->prog = NULL;
    return HDB_OK;
}

/* ---- running ---------------------------------------------------------------------- */

static int explain(xctx *x, hdb_stmt *s, xrows *out)
{
    xprog *p = s->prog;
    int id = 1;
    out->ncol = 4;
    if (p->sel)
        hdb__sql_plan_explain(p->sel, out, &id, 0);
    else if (p->dml)
        hdb__sql_dml_explain(p->dml, out, &id);
    (void)x;
    return HDB_OK;
}

static int run_body(xctx *x, hdb_stmt *s, xrows *out)
{
    hdb_sql_stmt *st = s->ast;
    xprog *p = s->prog;
    if (st->explain)
        return explain(x, s, out);
    switch (st->kind) {
    case HDB_SQL_S_SELECT: return hdb__sql_run_select(x, p->sel, out, 0);
    case HDB_SQL_S_INSERT: return hdb__sql_exec_insert(x, st, p->dml, out);
    case HDB_SQL_S_UPDATE: return hdb__sql_exec_update(x, st, p->dml, out);
    case HDB_SQL_S_DELETE: return hdb__sql_exec_delete(x, st, p->dml, out);
    case HDB_SQL_S_PRAGMA: return hdb__sql_exec_pragma(x, &st->u.pragma, out);
    default: return hdb__sql_exec_ddl(x, st);
    }
}

/* Make x->schema the schema of x->t.  A read transaction at the LSN of
 * the statement's last run in one (every commit moves the LSN), on the
 * branch of the loaded schema, with no reload since (the generation), sees
 * the catalog that run saw: the schema is current without reading it. */
static int schema_sync(xctx *x, hdb_stmt *s)
{
    xprog *p = s->prog;
    xconn *c = x->c;
    if (p && s->compiled && !x->t->write && p->snap_gen && p->snap_gen == c->generation &&
        s->version == c->generation && p->snap_lsn == x->t->lsn && c->schema &&
        !strcmp(c->schema->branch, x->t->branch)) {
        x->schema = c->schema;
        return HDB_OK;
    }
    return hdb__sql_schema_sync(x);
}

/* Compile if needed, then run, inside transaction x->t. */
static int run_in_txn(xctx *x, hdb_stmt *s, xrows *out)
{
    int rc = schema_sync(x, s);
    if (rc != HDB_OK)
        return rc;
    if (s->compiled && s->version != x->c->generation && (rc = reparse(x, s)) != HDB_OK)
        return rc;
    if (!s->compiled && (rc = hdb__sql_stmt_compile(x, s)) != HDB_OK)
        return rc;
    if (!x->t->write) {
        xprog *p = s->prog;
        p->snap_lsn = x->t->lsn;
        p->snap_gen = x->c->generation;
    }
    x->nparam = s->nparam;
    x->params = s->params;
    rc = run_body(x, s, out);
    hdb__sql_caches_free(x);
    if (rc == HDB_OK && x->rc != HDB_OK)
        rc = x->rc;
    return rc;
}

static int begin(xctx *x, int write)
{
    hdb_txn *t;
    int rc = hdb_txn_begin(x->db, write ? 0 : HDB_TXN_READ, &t);
    if (rc != HDB_OK)
        return hdb__sql_err(x, rc, "%s", hdb_errmsg(x->db));
    x->t = t;
    return HDB_OK;
}

int hdb__sql_stmt_exec(xctx *x, hdb_stmt *s, xrows *out)
{
    xconn *c = x->c;
    hdb *db = x->db;
    int write = !is_query(s->ast), rc;
    if (!c->explicit_txn) {
        if (db->txn)
            return hdb__sql_err(x, HDB_MISUSE, "a key-value transaction is open on this connection");
        if ((rc = begin(x, write)) != HDB_OK)
            return rc;
        rc = run_in_txn(x, s, out);
        if (rc == HDB_OK && write) {
            db->txn = NULL;
            rc = hdb_txn_commit(x->t);
            if (rc != HDB_OK)
                hdb__sql_err(x, rc, "%s", hdb_errmsg(db));
        } else
            hdb_txn_abort(x->t);
        x->t = NULL;
        return rc;
    }
    x->t = db->txn;
    if (!x->t)
        return hdb__sql_err(x, HDB_MISUSE, "the transaction is gone");
    int sp = -1;
    int single = hdb__sql_insert_single_shot(s->ast);
    if (x->t->write && !single && (rc = hdb_txn_savepoint(x->t, &sp)) != HDB_OK)
        return hdb__sql_err(x, rc, "cannot make a savepoint: %s", hdb_errstr(rc));
    rc = run_in_txn(x, s, out);
    if (sp >= 0) {
        if (rc != HDB_OK)
            hdb_txn_rollback_to(x->t, sp);
        hdb_txn_release(x->t, sp);
    } else if (rc != HDB_OK && x->puts && x->t->write && !x->t->failed) {
        x->t->failed = rc; /* half written: only a rollback is left */
    }
    return rc;
}

/* ---- BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE --------------------------------------- */

static void sp_clear(xconn *c)
{
    for (int i = 0; i < c->nsp; i++)
        hdb__free(c->mem, c->sp[i].name);
    c->nsp = 0;
}

static int find_sp(xconn *c, const char *name)
{
    for (int i = c->nsp - 1; i >= 0; i--)
        if (hdb__sql_name_eq(c->sp[i].name, name))
            return i;
    return -1;
}

static int txn_end(xctx *x, int commit)
{
    xconn *c = x->c;
    hdb_txn *t = x->db->txn;
    int rc = HDB_OK;
    c->explicit_txn = 0;
    sp_clear(c);
    if (!t)
        return HDB_OK;
    if (commit && t->write) {
        rc = hdb_txn_commit(t);
        if (rc != HDB_OK)
            hdb__sql_err(x, rc, "%s", hdb_errmsg(x->db));
    } else
        hdb_txn_abort(t);
    return rc;
}

static int savepoint(xctx *x, const char *name)
{
    xconn *c = x->c;
    int rc;
    if (!c->explicit_txn) {
        if (x->db->txn)
            return hdb__sql_err(x, HDB_MISUSE, "a key-value transaction is open on this connection");
        if ((rc = begin(x, 1)) != HDB_OK)
            return rc;
        c->explicit_txn = 2;
    }
    hdb_txn *t = x->db->txn;
    int lvl;
    if (!t->write)
        return hdb__sql_err(x, HDB_READONLY, "cannot make a savepoint in a read transaction");
    if ((rc = hdb_txn_savepoint(t, &lvl)) != HDB_OK)
        return hdb__sql_err(x, rc, "cannot make a savepoint: %s", hdb_errstr(rc));
    if (c->nsp == c->sp_cap) {
        int nc = c->sp_cap ? c->sp_cap * 2 : 8;
        xsavepoint *ns = hdb__realloc(c->mem, c->sp, sizeof *ns * nc);
        if (!ns)
            return nomem(x);
        c->sp = ns;
        c->sp_cap = nc;
    }
    c->sp[c->nsp].name = hdb__strdup(c->mem, name);
    if (!c->sp[c->nsp].name)
        return nomem(x);
    c->sp[c->nsp++].level = lvl;
    return HDB_OK;
}

static int release(xctx *x, const char *name, int rollback)
{
    xconn *c = x->c;
    int i = find_sp(c, name);
    if (i < 0)
        return hdb__sql_err(x, HDB_ERROR, "no such savepoint: %s", name);
    hdb_txn *t = x->db->txn;
    if (rollback) {
        int rc = hdb_txn_rollback_to(t, c->sp[i].level);
        for (int k = i + 1; k < c->nsp; k++)
            hdb__free(c->mem, c->sp[k].name);
        c->nsp = i + 1;
        return rc == HDB_OK ? HDB_OK : hdb__sql_err(x, rc, "rollback failed: %s", hdb_errstr(rc));
    }
    hdb_txn_release(t, c->sp[i].level);
    for (int k = i; k < c->nsp; k++)
        hdb__free(c->mem, c->sp[k].name);
    c->nsp = i;
    if (c->nsp == 0 && c->explicit_txn == 2)
        return txn_end(x, 1);
    return HDB_OK;
}

int hdb__sql_txn_stmt(xctx *x, hdb_sql_stmt *st)
{
    xconn *c = x->c;
    switch (st->kind) {
    case HDB_SQL_S_BEGIN:
        if (c->explicit_txn)
            return hdb__sql_err(x, HDB_ERROR, "cannot start a transaction within a transaction");
        if (x->db->txn)
            return hdb__sql_err(x, HDB_MISUSE, "a key-value transaction is open on this connection");
        {
            int rc = begin(x, 1);
            if (rc == HDB_READONLY) { /* a read-only branch: reads only */
                x->rc = HDB_OK;
                rc = begin(x, 0);
            }
            if (rc != HDB_OK)
                return rc;
        }
        c->explicit_txn = 1;
        return HDB_OK;
    case HDB_SQL_S_COMMIT:
        if (!c->explicit_txn)
            return hdb__sql_err(x, HDB_ERROR, "cannot commit - no transaction is active");
        return txn_end(x, 1);
    case HDB_SQL_S_ROLLBACK:
        if (!c->explicit_txn)
            return hdb__sql_err(x, HDB_ERROR, "cannot rollback - no transaction is active");
        if (st->u.savepoint)
            return release(x, st->u.savepoint, 1);
        return txn_end(x, 0);
    case HDB_SQL_S_SAVEPOINT:
        return savepoint(x, st->u.savepoint);
    case HDB_SQL_S_RELEASE:
        if (!c->explicit_txn)
            return hdb__sql_err(x, HDB_ERROR, "no such savepoint: %s", st->u.savepoint);
        return release(x, st->u.savepoint, 0);
    default:
        return hdb__sql_err(x, HDB_ERROR, "not a transaction statement");
    }
}
