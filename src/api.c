/*
** api.c — connections, errors and transactions of the public API.
**
** Engines are shared by every connection of the process to the same file
** (DESIGN.md §7): the one process-wide table below, guarded by its own
** mutex, maps a file's canonical path to its engine.  It is the library's
** only mutable global, and it exists because the file lock is per process.
*/
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "src/engine.h"

static pthread_mutex_t engines_mu = PTHREAD_MUTEX_INITIALIZER;
static hdb_engine *engines;

static const char *const errnames[] = {
    "HDB_OK: not an error",
    "HDB_ERROR: SQL error or bad statement",
    "HDB_NOTFOUND: not found",
    "HDB_EXISTS: already exists",
    "HDB_READONLY: attempt to write a read-only branch or database",
    "HDB_BUSY: the database is busy (another writer)",
    "HDB_CONFLICT: merge conflict",
    "HDB_CORRUPT: database disk image is damaged",
    "HDB_IOERR: disk I/O error",
    "HDB_FULL: database or disk is full",
    "HDB_NOMEM: out of memory",
    "HDB_MISUSE: library used incorrectly",
    "HDB_RANGE: value out of range",
    "HDB_CONSTRAINT: constraint failed",
};

const char *hdb_errstr(int rc)
{
    if (rc >= 0 && rc < (int)(sizeof errnames / sizeof *errnames))
        return errnames[rc];
    if (rc == HDB_ROW)
        return "HDB_ROW: another row is ready";
    if (rc == HDB_DONE)
        return "HDB_DONE: no more rows";
    return "unknown result code";
}

int hdb__seterr(hdb *db, int rc, const char *fmt, ...)
{
    if (!db)
        return rc;
    if (rc == HDB_OK) {
        db->errmsg[0] = 0;
        return rc;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

const char *hdb_errmsg(const hdb *db)
{
    if (!db)
        return "out of memory";
    return db->errmsg[0] ? db->errmsg : "not an error";
}

void hdb_free(void *p) { free(p); }

void hdb_options_init(hdb_options *o)
{
    memset(o, 0, sizeof *o);
    o->cache_bytes = 8u << 20;
    o->page_size = 4096;
    o->sync = HDB_SYNC_FULL;
    o->create = 1;
    o->retention_us = 7LL * 24 * 3600 * 1000000;
    o->busy_timeout_ms = 5000;
    o->checkpoint_bytes = 8u << 20;
}

/* ------------------------------------------------------------------------
** Open and close
*/
static int check_options(const hdb_options *o, char *err, size_t n)
{
    if (o->page_size < 512 || o->page_size > 65536 || (o->page_size & (o->page_size - 1))) {
        snprintf(err, n, "page_size %u is not a power of two from 512 to 65536", o->page_size);
        return HDB_MISUSE;
    }
    if (o->sync < HDB_SYNC_FULL || o->sync > HDB_SYNC_OFF) {
        snprintf(err, n, "sync mode %d is not HDB_SYNC_FULL, _NORMAL or _OFF", o->sync);
        return HDB_MISUSE;
    }
    if (o->retention_us < 0) {
        snprintf(err, n, "retention_us must not be negative");
        return HDB_MISUSE;
    }
    return HDB_OK;
}

/* Find or open the engine of path (canonical) under engines_mu. */
static int engine_get(const char *canon, const hdb_options *o, hdb_engine **out, char *err,
                      size_t n)
{
    for (hdb_engine *e = engines; e; e = e->next)
        if (!strcmp(e->path, canon)) {
            if (o->read_only != e->opt.read_only) {
                snprintf(err, n, "%.400s is already open %s in this process", canon,
                         e->opt.read_only ? "read only" : "for writing");
                return HDB_BUSY;
            }
            *out = e;
            return HDB_OK;
        }
    int rc = hdb__engine_open(canon, o, out, err, n);
    if (rc == HDB_OK) {
        (*out)->next = engines;
        engines = *out;
    }
    return rc;
}

/* The canonical path: the real path of the directory plus the file name. */
static int canonical(const char *path, char *out, size_t n)
{
    char dir[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    size_t dn = slash ? (size_t)(slash - path) : 1;
    if (dn >= sizeof dir || !*base)
        return HDB_MISUSE;
    if (slash)
        memcpy(dir, dn ? path : "/", dn ? dn : 1), dir[dn ? dn : 1] = 0;
    else
        strcpy(dir, ".");
    if (!realpath(dir, real))
        return HDB_NOTFOUND;
    if ((size_t)snprintf(out, n, "%s/%s", strcmp(real, "/") ? real : "", base) >= n)
        return HDB_MISUSE;
    return HDB_OK;
}

/* The message of the thread's last failed hdb_open (hdb_open_errmsg). */
static _Thread_local char open_err[512];

const char *hdb_open_errmsg(void) { return open_err; }

int hdb_open(const char *path, const hdb_options *o, hdb **out)
{
    hdb_options opt;
    char canon[PATH_MAX + 1], err[512] = "";
    hdb_engine *e = NULL;
    open_err[0] = '\0';
    if (!out) {
        snprintf(open_err, sizeof open_err, "no place for the connection (out is NULL)");
        return HDB_MISUSE;
    }
    *out = NULL;
    if (o)
        opt = *o;
    else
        hdb_options_init(&opt);
    if (!opt.vfs)
        opt.vfs = hdb_vfs_posix();
    if (opt.cache_bytes < (64u << 10))
        opt.cache_bytes = 64u << 10;
    hdb *db = hdb__zalloc(opt.allocator, sizeof *db);
    if (!db) {
        snprintf(open_err, sizeof open_err, "out of memory");
        return HDB_NOMEM;
    }
    char mempath[PATH_MAX];
    int rc = HDB_OK;
    if (path && !strcmp(path, ":memory:") && opt.vfs == hdb_vfs_posix()) {
        /* private, and gone at the close (memdb.c) */
        opt.sync = HDB_SYNC_OFF;
        opt.create = 1;
        opt.read_only = 0;
        if ((rc = hdb__memdb_make(opt.allocator, mempath, sizeof mempath, &db->memdir)) == HDB_OK)
            path = mempath;
        else
            snprintf(err, sizeof err, ":memory:: cannot make a temporary directory");
    }
    db->opt = opt;
    snprintf(db->branch, sizeof db->branch, "main");
    if (rc == HDB_OK)
        rc = path && *path ? check_options(&opt, err, sizeof err) : HDB_MISUSE;
    if (rc == HDB_OK && (rc = canonical(path, canon, sizeof canon)) != HDB_OK)
        snprintf(err, sizeof err, "%.400s: bad path or missing directory", path);
    if (rc == HDB_OK) {
        pthread_mutex_lock(&engines_mu);
        rc = engine_get(canon, &opt, &e, err, sizeof err);
        if (rc == HDB_OK) {
            e->nconn++;
            db->e = e;
            db->next = e->conns;
            e->conns = db;
        }
        pthread_mutex_unlock(&engines_mu);
    }
    if (rc != HDB_OK) {
        if (!*err)
            snprintf(err, sizeof err, "%s", hdb_errstr(rc));
        snprintf(open_err, sizeof open_err, "%s", err);
        hdb__seterr(db, rc, "%s", err);
        /* *out stays NULL on error: the message is hdb_open_errmsg()'s. */
        hdb__memdb_remove(opt.allocator, db->memdir);
        hdb__free(opt.allocator, db);
        return rc;
    }
    *out = db;
    return HDB_OK;
}

int hdb_close(hdb *db)
{
    if (!db)
        return HDB_OK;
    hdb_engine *e = db->e;
    int rc = HDB_OK;
    if (db->txn)
        hdb__txn_end(db->txn, 0);
    if (db->sql_close)
        db->sql_close(db);
    pthread_mutex_lock(&engines_mu);
    for (hdb **pp = &e->conns; *pp; pp = &(*pp)->next)
        if (*pp == db) {
            *pp = db->next;
            break;
        }
    int last = --e->nconn == 0;
    if (last) {
        for (hdb_engine **pp = &engines; *pp; pp = &(*pp)->next)
            if (*pp == e) {
                *pp = e->next;
                break;
            }
        rc = hdb__engine_close(e);
    }
    pthread_mutex_unlock(&engines_mu);
    if (db->memdir && !last) /* someone opened its file by name: it stays */
        hdb__free(db->opt.allocator, db->memdir);
    else
        hdb__memdb_remove(db->opt.allocator, db->memdir);
    hdb__free(db->opt.allocator, db);
    return rc;
}

/* ------------------------------------------------------------------------
** Transactions
*/
int hdb_txn_begin(hdb *db, unsigned flags, hdb_txn **out)
{
    if (!db || !out)
        return HDB_MISUSE;
    *out = NULL;
    if (db->txn)
        return hdb__seterr(db, HDB_MISUSE, "a transaction is already open on this connection");
    int write = !(flags & HDB_TXN_READ);
    if (write && db->e->opt.read_only)
        return hdb__seterr(db, HDB_READONLY, "the database is open read only");
    hdb_txn *t;
    int rc = hdb__txn_open(db, db->e, db->branch, write, &t);
    if (rc == HDB_BUSY)
        return hdb__seterr(db, rc, "another write transaction is open (waited %d ms)",
                           db->e->opt.busy_timeout_ms);
    if (rc != HDB_OK)
        return hdb__seterr(db, rc, "cannot begin: %s", hdb_errstr(rc));
    rc = hdb__txn_branch(t, 0);
    if (rc == HDB_OK && write && t->read_only_branch)
        rc = HDB_READONLY;
    if (rc != HDB_OK) {
        hdb__txn_end(t, 0);
        return hdb__seterr(db, rc, rc == HDB_READONLY ? "branch '%s' is read only"
                                                      : "branch '%s' is not there",
                           db->branch);
    }
    db->txn = t;
    *out = t;
    return hdb__ok(db);
}

int hdb_txn_commit(hdb_txn *t)
{
    if (!t)
        return HDB_MISUSE;
    hdb *db = t->db;
    int failed = t->failed;
    db->txn = NULL;
    int rc = hdb__txn_end(t, 1);
    if (rc != HDB_OK)
        return hdb__seterr(db, rc, failed ? "the transaction had failed (%s) and was rolled back"
                                          : "commit failed: %s",
                           hdb_errstr(rc));
    return hdb__ok(db);
}

void hdb_txn_abort(hdb_txn *t)
{
    if (!t)
        return;
    t->db->txn = NULL;
    hdb__txn_end(t, 0);
}

uint64_t hdb_txn_lsn(const hdb_txn *t) { return t ? t->lsn : 0; }

int hdb_txn_savepoint(hdb_txn *t, int *sp)
{
    if (!t || !sp || !t->write)
        return HDB_MISUSE;
    return hdb__txn_savepoint(t, sp);
}

int hdb_txn_rollback_to(hdb_txn *t, int sp)
{
    if (!t || !t->write || sp < 0 || sp >= t->nsp)
        return HDB_MISUSE;
    return hdb__txn_rollback_to(t, sp);
}

int hdb_txn_release(hdb_txn *t, int sp)
{
    if (!t || !t->write || sp < 0 || sp >= t->nsp)
        return HDB_MISUSE;
    hdb__txn_release(t, sp);
    return HDB_OK;
}

uint64_t hdb_lsn(hdb *db)
{
    pthread_mutex_lock(&db->e->mu);
    uint64_t l = db->e->lsn;
    pthread_mutex_unlock(&db->e->mu);
    return l;
}

int hdb_checkpoint(hdb *db)
{
    if (!db)
        return HDB_MISUSE;
    if (db->txn && db->txn->write)
        return hdb__seterr(db, HDB_MISUSE, "cannot checkpoint inside a write transaction");
    if (db->e->opt.read_only)
        return hdb__seterr(db, HDB_READONLY, "the database is open read only");
    int rc = hdb__engine_checkpoint(db->e);
    return hdb__seterr(db, rc, "checkpoint failed: %s", hdb_errstr(rc));
}
