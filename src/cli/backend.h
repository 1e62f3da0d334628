/*
** backend.h — the SQL engine seen by the shell and the sqllogictest runner.
**
** WHAT IT IS
**   A thin, header-only layer over the SQLite-shaped SQL API of heliosdb.h
**   (hdb_prepare, hdb_step, hdb_column_*, ...).  Built with
**   -DHDB_BACKEND_SQLITE it maps the same calls onto libsqlite3 instead, so
**   that the shell and the runner can be checked against a reference engine:
**   a runner that passes every sqllogictest file on SQLite is a runner whose
**   failures on HeliosDB are the engine's.
**
**   The branch functions (be_branch_*, be_history, be_check, be_stats) exist
**   only on HeliosDB; on SQLite they return HDB_MISUSE with a message.
**   heliosdb.h is included in both builds for its types and result codes;
**   the SQLite build calls no function of the library.
**
** CONVENTIONS
**   Result codes are HeliosDB's: BE_OK (0), BE_ROW (100) and BE_DONE (101)
**   have the same values in SQLite, and any other value is an error whose
**   text is be_errmsg().  Column types are HDB_INTEGER .. HDB_NULL, which
**   are SQLite's SQLITE_INTEGER .. SQLITE_NULL.  Strings returned by
**   be_column_* are borrowed until the next step or finalize.
*/
#ifndef HDB_CLI_BACKEND_H
#define HDB_CLI_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "heliosdb.h"

enum { BE_OK = 0, BE_ROW = 100, BE_DONE = 101 };

/* How to open a database; be_open_opts_init() gives the defaults. */
typedef struct be_open_opts {
    size_t cache_bytes; /* 0 = the engine's default */
    int sync;           /* HDB_SYNC_FULL, HDB_SYNC_NORMAL, HDB_SYNC_OFF */
    int read_only;
    int create;
} be_open_opts;

static inline void be_open_opts_init(be_open_opts *o)
{
    memset(o, 0, sizeof *o);
    o->sync = HDB_SYNC_FULL;
    o->create = 1;
}

#ifdef HDB_BACKEND_SQLITE
/* ======================================================================== */
#include <sqlite3.h>

typedef sqlite3 be_db;
typedef sqlite3_stmt be_stmt;
#define BE_ENGINE "sqlite"
#define BE_HAS_BRANCHES 0

static inline const char *be_version(void) { return sqlite3_libversion(); }

/* Open path; on failure *out is NULL and err holds the reason. */
static inline int be_open(const char *path, const be_open_opts *o, be_db **out, char *err,
                          size_t errn)
{
    static const char *const sync_pragma[] = {
        "PRAGMA synchronous=FULL", "PRAGMA synchronous=NORMAL", "PRAGMA synchronous=OFF"};
    int flags = o->read_only ? SQLITE_OPEN_READONLY
                             : SQLITE_OPEN_READWRITE | (o->create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, out, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errn, "%s", *out ? sqlite3_errmsg(*out) : sqlite3_errstr(rc));
        sqlite3_close(*out);
        *out = NULL;
        return HDB_ERROR;
    }
    if (o->sync >= 0 && o->sync <= HDB_SYNC_OFF)
        sqlite3_exec(*out, sync_pragma[o->sync], NULL, NULL, NULL);
    if (o->cache_bytes) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA cache_size=-%zu", o->cache_bytes / 1024 + 1);
        sqlite3_exec(*out, sql, NULL, NULL, NULL);
    }
    return BE_OK;
}

static inline int be_close(be_db *db) { return sqlite3_close_v2(db) == SQLITE_OK ? BE_OK : HDB_BUSY; }
static inline const char *be_errmsg(be_db *db) { return sqlite3_errmsg(db); }
static inline int be_prepare(be_db *db, const char *sql, be_stmt **st, const char **tail)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, st, tail);
    return rc == SQLITE_OK ? BE_OK : rc;
}
static inline int be_step(be_stmt *s) { return sqlite3_step(s); }
static inline int be_finalize(be_stmt *s) { return sqlite3_finalize(s); }
static inline int be_column_count(be_stmt *s) { return sqlite3_column_count(s); }
static inline const char *be_column_name(be_stmt *s, int i) { return sqlite3_column_name(s, i); }
static inline int be_column_type(be_stmt *s, int i) { return sqlite3_column_type(s, i); }
static inline int64_t be_column_int64(be_stmt *s, int i) { return sqlite3_column_int64(s, i); }
static inline double be_column_double(be_stmt *s, int i) { return sqlite3_column_double(s, i); }
static inline const char *be_column_text(be_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}
static inline int be_column_bytes(be_stmt *s, int i) { return sqlite3_column_bytes(s, i); }
static inline int64_t be_changes(be_db *db) { return sqlite3_changes64(db); }
static inline int be_bind_text(be_stmt *s, int i, const char *v, int n)
{
    return sqlite3_bind_text(s, i, v, n, SQLITE_TRANSIENT);
}
static inline int be_bind_null(be_stmt *s, int i) { return sqlite3_bind_null(s, i); }
static inline int be_reset(be_stmt *s) { return sqlite3_reset(s); }
static inline int be_autocommit(be_db *db) { return sqlite3_get_autocommit(db); }

/* ---- HeliosDB-only features: absent ------------------------------------ */
static inline const char *be_branch_current(be_db *db) { return "main"; }
static inline const char *be_no_branches(void) { return "branches need the HeliosDB engine"; }
static inline int be_branch_list(be_db *db, hdb_branch_info **out, size_t *n)
{
    *out = NULL, *n = 0;
    return HDB_MISUSE;
}
static inline void be_branch_list_free(hdb_branch_info *b, size_t n) {}
static inline int be_history(be_db *db, const char *branch, hdb_history_entry **out, size_t *n)
{
    *out = NULL, *n = 0;
    return HDB_MISUSE;
}
static inline int be_check(be_db *db, char **report)
{
    *report = NULL;
    return HDB_MISUSE;
}
static inline int be_stats(be_db *db, hdb_stats *st) { return HDB_MISUSE; }
static inline uint64_t be_lsn(be_db *db) { return 0; }
static inline void be_free(void *p) {}

#else
/* ======================================================================== */
typedef hdb be_db;
typedef hdb_stmt be_stmt;
#define BE_ENGINE "heliosdb"
#define BE_HAS_BRANCHES 1

static inline const char *be_version(void) { return HDB_VERSION; }

static inline int be_open(const char *path, const be_open_opts *o, be_db **out, char *err,
                          size_t errn)
{
    hdb_options ho;
    int rc;
    hdb_options_init(&ho);
    if (o->cache_bytes)
        ho.cache_bytes = o->cache_bytes;
    ho.sync = o->sync;
    ho.read_only = o->read_only;
    ho.create = o->create;
    rc = hdb_open(path, &ho, out);
    if (rc != HDB_OK)
        snprintf(err, errn, "%s: %s", hdb_errstr(rc), hdb_open_errmsg());
    return rc;
}

static inline int be_close(be_db *db) { return hdb_close(db); }
static inline const char *be_errmsg(be_db *db) { return hdb_errmsg(db); }
static inline int be_prepare(be_db *db, const char *sql, be_stmt **st, const char **tail)
{
    return hdb_prepare(db, sql, -1, st, tail);
}
static inline int be_step(be_stmt *s) { return hdb_step(s); }
static inline int be_finalize(be_stmt *s) { return hdb_finalize(s); }
static inline int be_column_count(be_stmt *s) { return hdb_column_count(s); }
static inline const char *be_column_name(be_stmt *s, int i) { return hdb_column_name(s, i); }
static inline int be_column_type(be_stmt *s, int i) { return hdb_column_type(s, i); }
static inline int64_t be_column_int64(be_stmt *s, int i) { return hdb_column_int64(s, i); }
static inline double be_column_double(be_stmt *s, int i) { return hdb_column_double(s, i); }
static inline const char *be_column_text(be_stmt *s, int i) { return hdb_column_text(s, i); }
static inline int be_column_bytes(be_stmt *s, int i) { return hdb_column_bytes(s, i); }
static inline int64_t be_changes(be_db *db) { return hdb_changes(db); }
static inline int be_bind_text(be_stmt *s, int i, const char *v, int n) { return hdb_bind_text(s, i, v, n); }
static inline int be_bind_null(be_stmt *s, int i) { return hdb_bind_null(s, i); }
static inline int be_reset(be_stmt *s) { return hdb_reset(s); }
static inline int be_autocommit(be_db *db) { return hdb_get_autocommit(db); }

static inline const char *be_branch_current(be_db *db) { return hdb_branch_current(db); }
static inline const char *be_no_branches(void) { return ""; }
static inline int be_branch_list(be_db *db, hdb_branch_info **out, size_t *n)
{
    return hdb_branch_list(db, out, n);
}
static inline void be_branch_list_free(hdb_branch_info *b, size_t n) { hdb_branch_list_free(b, n); }
static inline int be_history(be_db *db, const char *branch, hdb_history_entry **out, size_t *n)
{
    return hdb_history_list(db, branch, out, n);
}
static inline int be_check(be_db *db, char **report) { return hdb_check(db, report); }
static inline int be_stats(be_db *db, hdb_stats *st) { return hdb_stats_get(db, st); }
static inline uint64_t be_lsn(be_db *db) { return hdb_lsn(db); }
static inline void be_free(void *p) { hdb_free(p); }
#endif

#endif /* HDB_CLI_BACKEND_H */
