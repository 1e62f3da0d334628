/*
** sql_bench.c — HeliosDB Nano's SQL against SQLite on the same workload, in
** one run.
**
**   sql_bench [--rows N] [--commits N] [--only LIST] [--repeat N]
**
** --only runs the load and the tests named in LIST (comma-separated names
** as printed: "range,idx range"; also "branch"); the others print zeros.
** --repeat N runs each timed read test N times on each engine and keeps the
** best time (for quieter numbers on a busy machine); the default is once.
** The three short tests (range, idx range, join3: tens of milliseconds
** each, where one slow spell of the machine moves the ratio most) run 3N
** times.  Their repeats ask for other keys than the earlier runs (so a
** repeat does not find its pages cached); the others read every key each
** time.
**
** Both engines run the same statements through their prepared-statement
** APIs (hdb_prepare/hdb_step mirror sqlite3_prepare_v2/sqlite3_step), each
** on a fresh file in one temporary directory.  The engines take turns in
** slices of each test (TIME SLICES below: a twentieth of its queries, rows
** or commits), the first of each pair alternating, so that a slow spell of
** the machine falls on both alike:
**   load      N rows inserted in one transaction by one prepared INSERT
**             into t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL)
**             with an index on a
**   pk get    N point SELECTs by primary key, in a fixed random order
**   idx get   N/10 SELECTs by the indexed column
**   range     1,000 range scans of 100 rows by primary key (sum of c)
**   idx range 1,000 range scans of the index on a (about 30 rows each)
**   join3     1,000 joins of three tables: u (N/10 rows) JOIN t on t's
**             primary key JOIN v (N/10 rows) by an index, 10 rows of u each
**   group     a full-scan GROUP BY of 10 groups with count and avg
**   sort      ORDER BY b LIMIT 10 over the whole table (no index on b)
**   commits   C durable single-row UPDATEs in autocommit (HeliosDB
**             sync=full: one fsync per commit; SQLite journal_mode=WAL,
**             synchronous=FULL)
** and, HeliosDB only, CREATE BRANCH at N rows and a MERGE of 1,000 rows
** updated on the branch.
**
** Times are wall-clock (CLOCK_MONOTONIC); the ratio is ours / SQLite's, so
** below 1 means faster.  Every query's result is checked to be the same on
** both engines: a benchmark of wrong answers is worthless.
*/
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "heliosdb.h"

static long nrows = 1000000, ncommits = 10000, nrepeat = 1;
static const char *only; /* NULL: every test */
static char tmpdir[] = "/tmp/hdb-sqlbench-XXXXXX";

/* One engine behind a small table of functions. */
typedef struct eng {
    const char *name;
    void *db;
    int (*exec)(void *db, const char *sql);
    void *(*prepare)(void *db, const char *sql);
    void (*bind_int)(void *st, int i, int64_t v);
    void (*bind_text)(void *st, int i, const char *v);
    void (*bind_double)(void *st, int i, double v);
    int (*step)(void *st); /* 1 row, 0 done */
    int64_t (*col_int)(void *st, int i);
    double (*col_double)(void *st, int i);
    void (*reset)(void *st);
    void (*finalize)(void *st);
} eng;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *eng_name, const char *what, const char *msg)
{
    fprintf(stderr, "sql_bench: %s: %s: %s\n", eng_name, what, msg);
    exit(1);
}

/* ---- HeliosDB ----------------------------------------------------------- */
static int h_exec(void *db, const char *sql)
{
    if (hdb_exec(db, sql, NULL, NULL) != HDB_OK)
        die("heliosdb", sql, hdb_errmsg(db));
    return 0;
}
static void *h_prepare(void *db, const char *sql)
{
    hdb_stmt *st;
    if (hdb_prepare(db, sql, -1, &st, NULL) != HDB_OK)
        die("heliosdb", sql, hdb_errmsg(db));
    return st;
}
static void h_bind_int(void *st, int i, int64_t v) { hdb_bind_int64(st, i, v); }
static void h_bind_text(void *st, int i, const char *v) { hdb_bind_text(st, i, v, -1); }
static void h_bind_double(void *st, int i, double v) { hdb_bind_double(st, i, v); }
static hdb *h_db;
static int h_step(void *st)
{
    int rc = hdb_step(st);
    if (rc != HDB_ROW && rc != HDB_DONE)
        die("heliosdb", hdb_sql(st), hdb_errmsg(h_db));
    return rc == HDB_ROW;
}
static int64_t h_col_int(void *st, int i) { return hdb_column_int64(st, i); }
static double h_col_double(void *st, int i) { return hdb_column_double(st, i); }
static void h_reset(void *st) { hdb_reset(st); }
static void h_finalize(void *st) { hdb_finalize(st); }

/* ---- SQLite ------------------------------------------------------------- */
static int s_exec(void *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        die("sqlite", sql, err ? err : "?");
    return 0;
}
static void *s_prepare(void *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die("sqlite", sql, sqlite3_errmsg(db));
    return st;
}
static void s_bind_int(void *st, int i, int64_t v) { sqlite3_bind_int64(st, i, v); }
static void s_bind_text(void *st, int i, const char *v) { sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT); }
static void s_bind_double(void *st, int i, double v) { sqlite3_bind_double(st, i, v); }
static int s_step(void *st)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        die("sqlite", sqlite3_sql(st), sqlite3_errmsg(sqlite3_db_handle(st)));
    return rc == SQLITE_ROW;
}
static int64_t s_col_int(void *st, int i) { return sqlite3_column_int64(st, i); }
static double s_col_double(void *st, int i) { return sqlite3_column_double(st, i); }
static void s_reset(void *st) { sqlite3_reset(st); }
static void s_finalize(void *st) { sqlite3_finalize(st); }

/* ---- the workload ------------------------------------------------------- */
enum { T_LOAD, T_PKGET, T_IDXGET, T_RANGE, T_IRANGE, T_JOIN3, T_GROUP, T_SORT, T_COMMITS, T__N };
static const char *tname[T__N] = { "load", "pk get", "idx get", "range", "idx range", "join3",
                                   "group", "sort", "commits" };

/* Is test name (or "branch") to be run? */
static int want(const char *name)
{
    if (!only)
        return 1;
    size_t n = strlen(name);
    for (const char *p = only; *p;) {
        const char *e = strchr(p, ',');
        size_t m = e ? (size_t)(e - p) : strlen(p);
        if (m == n && !strncmp(p, name, n))
            return 1;
        p += m + (e != NULL);
    }
    return 0;
}

static long perm(long i, long n)
{
    return (long)(((unsigned long long)i * 2654435761ULL + 12345) % (unsigned long long)n);
}

/* How many times test k runs (--only, --repeat; a short test 3 times as
 * often; a write test once). */
static long reps(int k)
{
    if (!want(tname[k]))
        return 0;
    if (k == T_RANGE || k == T_IRANGE || k == T_JOIN3)
        return 3 * nrepeat;
    return k == T_COMMITS ? 1 : nrepeat;
}

/* Keep the best time of test k's runs. */
static void keep(double t[T__N], int k, long rep, double dt)
{
    if (rep == 0 || dt < t[k])
        t[k] = dt;
}

/* TIME SLICES.  Each timed test is cut into SLICES slices of its queries
 * (of its rows, for the load; of its commits); the two engines take turns
 * slice by slice, the first of each pair alternating, and each engine's
 * time is the sum of its own slices.  A slow spell of the machine, which on
 * a shared host lasts seconds, so falls on both engines alike, where whole
 * runs one after the other would give it to one of them.  GROUP BY and the
 * sort are one statement each: they alternate run by run only. */
#define SLICES 20

/* Slice j of n items: [*from, *to). */
static void slice(long n, int j, long *from, long *to)
{
    *from = n * j / SLICES;
    *to = n * (j + 1) / SLICES;
}

/* Is engine e's turn first in slice j of repeat rep? */
static int first_of(int e, int j, long rep) { return ((j + rep) & 1) == e; }

/* Insert rows [from, to) of t with e's prepared statement st. */
static void load_rows(eng *e, void *st, long from, long to)
{
    char b[64];
    for (long i = from; i < to; i++) {
        long id = perm(i, nrows);
        snprintf(b, sizeof b, "name-%08ld", perm(id, 1000003));
        e->bind_int(st, 1, id);
        e->bind_int(st, 2, id % (nrows / 10 + 1));
        e->bind_text(st, 3, b);
        e->bind_double(st, 4, id * 0.5);
        e->step(st);
        e->reset(st);
    }
}

/* Create and load both engines' tables (e[0], e[1]): t timed into t_load[]
 * (its INSERTs slice by slice, then its COMMIT), u and v not timed. */
static void setup(eng *e[2], double t_load[2])
{
    void *st[2];
    for (int k = 0; k < 2; k++) {
        e[k]->exec(e[k]->db, "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL)");
        e[k]->exec(e[k]->db, "CREATE INDEX t_a ON t(a)");
        double t0 = now();
        e[k]->exec(e[k]->db, "BEGIN");
        st[k] = e[k]->prepare(e[k]->db, "INSERT INTO t VALUES(?1, ?2, ?3, ?4)");
        t_load[k] = now() - t0;
    }
    for (int j = 0; j < SLICES; j++) {
        long from, to;
        slice(nrows, j, &from, &to);
        for (int o = 0; o < 2; o++) {
            int k = first_of(0, j, 0) ? o : 1 - o;
            double t0 = now();
            load_rows(e[k], st[k], from, to);
            t_load[k] += now() - t0;
        }
    }
    for (int k = 0; k < 2; k++) {
        double t0 = now();
        e[k]->finalize(st[k]);
        e[k]->exec(e[k]->db, "COMMIT");
        t_load[k] += now() - t0;
    }
    long nsmall = nrows / 10;
    for (int k = 0; k < 2; k++) {
        eng *x = e[k];
        x->exec(x->db, "CREATE TABLE u(id INTEGER PRIMARY KEY, t_id INTEGER, x INTEGER)");
        x->exec(x->db, "CREATE TABLE v(id INTEGER PRIMARY KEY, u_id INTEGER, y INTEGER)");
        x->exec(x->db, "BEGIN");
        void *su = x->prepare(x->db, "INSERT INTO u VALUES(?1, ?2, ?3)");
        void *sv = x->prepare(x->db, "INSERT INTO v VALUES(?1, ?2, ?3)");
        for (long i = 0; i < nsmall; i++) {
            x->bind_int(su, 1, i);
            x->bind_int(su, 2, perm(i, nrows));
            x->bind_int(su, 3, i % 97);
            x->step(su);
            x->reset(su);
            x->bind_int(sv, 1, i);
            x->bind_int(sv, 2, perm(i, nsmall));
            x->bind_int(sv, 3, i % 89);
            x->step(sv);
            x->reset(sv);
        }
        x->finalize(su);
        x->finalize(sv);
        x->exec(x->db, "COMMIT");
        x->exec(x->db, "CREATE INDEX v_u ON v(u_id)");
    }
}

/* Test k's statement and its number of queries (1: one statement read to
 * its end). */
static const char *test_sql(int k, long *n)
{
    long nsmall = nrows / 10;
    *n = 1000;
    switch (k) {
    case T_PKGET: *n = nrows; return "SELECT c FROM t WHERE id = ?1";
    case T_IDXGET: *n = nsmall; return "SELECT count(*) FROM t WHERE a = ?1";
    case T_RANGE: return "SELECT sum(c) FROM t WHERE id BETWEEN ?1 AND ?1 + 99";
    case T_IRANGE: return "SELECT count(*), sum(c) FROM t WHERE a BETWEEN ?1 AND ?1 + 2";
    case T_JOIN3:
        return "SELECT count(*), sum(v.y + t.c) FROM u JOIN t ON t.id = u.t_id "
               "JOIN v ON v.u_id = u.id WHERE u.id BETWEEN ?1 AND ?1 + 9";
    case T_GROUP: *n = 1; return "SELECT a % 10, count(*), avg(c) FROM t GROUP BY 1";
    case T_SORT: *n = 1; return "SELECT id FROM t ORDER BY b, id LIMIT 10";
    default: *n = ncommits; return "UPDATE t SET c = c + 1 WHERE id = ?1";
    }
}

/* Queries [from, to) of test k, its rep-th run, with e's statement st; a
 * digest of every answer is added to *sum. */
static void run_queries(eng *e, void *st, int k, long rep, long from, long to, double *sum)
{
    long nsmall = nrows / 10;
    for (long i = from; i < to; i++) {
        switch (k) {
        case T_PKGET:
            e->bind_int(st, 1, perm(i * 7, nrows));
            if (e->step(st))
                *sum += e->col_double(st, 0);
            break;
        case T_IDXGET:
            e->bind_int(st, 1, perm(i, nsmall));
            if (e->step(st))
                *sum += e->col_int(st, 0);
            break;
        case T_RANGE:
            e->bind_int(st, 1, perm(i + rep * 1000, nrows > 100 ? nrows - 100 : 1));
            if (e->step(st))
                *sum += e->col_double(st, 0);
            break;
        case T_IRANGE:
            e->bind_int(st, 1, perm(i + rep * 1000, nsmall));
            if (e->step(st))
                *sum += e->col_int(st, 0) + e->col_double(st, 1);
            break;
        case T_JOIN3:
            e->bind_int(st, 1, perm(i + rep * 1000, nsmall > 10 ? nsmall - 10 : 1));
            if (e->step(st))
                *sum += e->col_int(st, 0) + e->col_double(st, 1);
            break;
        case T_GROUP:
            while (e->step(st))
                *sum += e->col_int(st, 0) + e->col_int(st, 1) + e->col_double(st, 2);
            break;
        case T_SORT:
            while (e->step(st))
                *sum += e->col_int(st, 0);
            break;
        default: /* T_COMMITS */
            e->bind_int(st, 1, perm(i * 13, nrows));
            e->step(st);
            break;
        }
        e->reset(st);
    }
}

/* Run test k (not the load) once on both engines, its rep-th run, slice by
 * slice (TIME SLICES): each engine's time into t[], its digest into sum[]. */
static void run_test(eng *e[2], int k, long rep, double t[2], double sum[2])
{
    long n;
    const char *sql = test_sql(k, &n);
    void *st[2];
    for (int o = 0; o < 2; o++) {
        double t0 = now();
        st[o] = e[o]->prepare(e[o]->db, sql);
        t[o] = now() - t0;
    }
    int slices = n >= SLICES ? SLICES : 1;
    for (int j = 0; j < slices; j++) {
        long from = 0, to = n;
        if (slices > 1)
            slice(n, j, &from, &to);
        for (int o = 0; o < 2; o++) {
            int k2 = first_of(0, j, rep) ? o : 1 - o;
            double t0 = now();
            run_queries(e[k2], st[k2], k, rep, from, to, &sum[k2]);
            t[k2] += now() - t0;
        }
    }
    for (int o = 0; o < 2; o++) {
        double t0 = now();
        e[o]->finalize(st[o]);
        t[o] += now() - t0;
    }
}

/* The whole workload on both engines, times into th[] and ts[], digests of
 * the answers into *sumh and *sums.  Each engine keeps its best time of a
 * test's runs. */
static void workload(eng *h, eng *s, double th[T__N], double ts[T__N], double *sumh, double *sums)
{
    eng *e[2] = {s, h};
    double load[2], sum[2] = {0, 0};
    for (int k = 0; k < T__N; k++)
        th[k] = ts[k] = 0;
    setup(e, load);
    ts[T_LOAD] = load[0];
    th[T_LOAD] = load[1];
    for (int k = T_LOAD + 1; k < T__N; k++)
        for (long rep = 0; rep < reps(k); rep++) {
            double t[2];
            run_test(e, k, rep, t, sum);
            keep(ts, k, rep, t[0]);
            keep(th, k, rep, t[1]);
        }
    *sums = sum[0];
    *sumh = sum[1];
}

static void branch_part(void)
{
    double t0 = now();
    h_exec(h_db, "CREATE BRANCH dev FROM main");
    double create = now() - t0;
    h_exec(h_db, "USE BRANCH dev");
    h_exec(h_db, "BEGIN");
    void *st = h_prepare(h_db, "UPDATE t SET b = b || '!' WHERE id = ?1");
    for (long i = 0; i < 1000; i++) {
        hdb_bind_int64(st, 1, perm(i * 31, nrows));
        h_step(st);
        hdb_reset(st);
    }
    hdb_finalize(st);
    h_exec(h_db, "COMMIT");
    h_exec(h_db, "USE BRANCH main");
    t0 = now();
    h_exec(h_db, "MERGE BRANCH dev INTO main");
    double merge = now() - t0;
    printf("%-10s %12.1f us   (HeliosDB only, %ld rows)\n", "branch", create * 1e6, nrows);
    printf("%-10s %12.2f ms   (HeliosDB only, 1,000 rows changed on the branch)\n", "merge", merge * 1e3);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rows") && i + 1 < argc)
            nrows = atol(argv[++i]);
        else if (!strcmp(argv[i], "--commits") && i + 1 < argc)
            ncommits = atol(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            nrepeat = atol(argv[++i]);
        else {
            fprintf(stderr, "usage: sql_bench [--rows N] [--commits N] [--only LIST] [--repeat N]\n");
            return 2;
        }
    }
    if (nrows < 1000)
        nrows = 1000;
    if (ncommits < 1)
        ncommits = 1;
    if (nrepeat < 1)
        nrepeat = 1;
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[256];
    snprintf(path, sizeof path, "%s/h.db", tmpdir);
    if (hdb_open(path, NULL, &h_db) != HDB_OK) {
        fprintf(stderr, "sql_bench: cannot open %s\n", path);
        return 1;
    }
    eng h = { "heliosdb", h_db, h_exec, h_prepare, h_bind_int, h_bind_text, h_bind_double, h_step,
              h_col_int, h_col_double, h_reset, h_finalize };
    sqlite3 *sdb;
    snprintf(path, sizeof path, "%s/s.db", tmpdir);
    if (sqlite3_open(path, &sdb) != SQLITE_OK) {
        fprintf(stderr, "sql_bench: cannot open %s\n", path);
        return 1;
    }
    eng s = { "sqlite", sdb, s_exec, s_prepare, s_bind_int, s_bind_text, s_bind_double, s_step,
              s_col_int, s_col_double, s_reset, s_finalize };
    s_exec(sdb, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL");

    double th[T__N], ts[T__N], sumh, sums;
    workload(&h, &s, th, ts, &sumh, &sums);
    printf("SQL: HeliosDB Nano vs SQLite %s, %ld rows, %ld durable commits\n", sqlite3_libversion(), nrows,
           ncommits);
    printf("%-10s %12s %12s %8s\n", "test", "heliosdb s", "sqlite s", "ratio");
    for (int i = 0; i < T__N; i++)
        printf("%-10s %12.4f %12.4f %8.2f\n", tname[i], th[i], ts[i], ts[i] > 0 ? th[i] / ts[i] : 0);
    if (want("branch"))
        branch_part();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS of the process (both engines): %ld MiB\n", ru.ru_maxrss / 1024);
    int same = sumh == sums;
    printf("answers: %s (digest %.1f vs %.1f)\n", same ? "identical" : "DIFFERENT", sumh, sums);
    hdb_close(h_db);
    sqlite3_close(sdb);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "sql_bench: could not remove %s\n", tmpdir);
    return same ? 0 : 1;
}
