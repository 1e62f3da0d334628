/*
** fuzz_exec.c — libFuzzer target for the SQL executor (make fuzz-exec).
**
** For each input it
**   1. opens a fresh database (a file in a per-process temporary
**      directory, /dev/shm when there is one; sync off, a 256 KiB cache,
**      a clock that only moves when read, so a run is repeatable): a copy
**      of a template made once at start-up with a fixed schema: tables with
**      an INTEGER PRIMARY KEY, a composite PRIMARY KEY, UNIQUE constraints,
**      indexes, a foreign key with ON DELETE CASCADE, AUTOINCREMENT, a view,
**      a few rows, and a branch "dev";
**   2. runs the input as SQL, statement after statement, with
**      hdb_prepare/hdb_step (at most MAX_STMTS statements, MAX_ROWS rows
**      read back from each, every column converted to text and blob);
**      a statement that fails is skipped (but none may fail with
**      HDB_CORRUPT), a parse error ends the input;
**      hdb_set_progress_limit bounds each statement's work, so a recursive
**      CTE without an end or a cross join of cross joins ends in an error
**      ("interrupted") rather than a timeout;
**   3. ends an open transaction (COMMIT, else ROLLBACK), and when the input
**      committed anything, checks the database with hdb_check() and the SQL
**      layer's invariants on every branch (the schema loads; each index has
**      exactly one entry per row of its table; UNIQUE holds), closes it,
**      reopens it (recovery from the log) and checks it again.
** A failed check aborts, so libFuzzer records the input.  Sanitizers
** (address, undefined, leaks at exit) catch the rest.
**
** Set FUZZ_EXEC_VERBOSE=1 to print each statement and its result (for
** minimising a crash by hand).
*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "heliosdb.h"
#include "src/sql/catalog.h"
#include "src/sql/codec.h"

#define MAX_STMTS 64
#define MAX_ROWS 10000
#define PROGRESS_LIMIT 20000
#define CLOCK_TEMPLATE 1700000000000000 /* µs: the template's commits */
#define CLOCK_INPUT 1700001000000000    /* µs: an input's, 1000 s later */

#define CHECK(cond, ...)                                                            \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "fuzz_exec: check failed: %s\n  ", #cond);              \
            fprintf(stderr, __VA_ARGS__);                                           \
            fprintf(stderr, "\n");                                                  \
            abort();                                                                \
        }                                                                           \
    } while (0)

static const char SCHEMA[] =
    "CREATE TABLE t1(a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER);"
    "INSERT INTO t1 VALUES(104,100,102,101,103),(107,105,106,108,109),"
    "  (111,112,113,114,110),(NULL,118,119,116,117),(121,124,123,122,NULL);"
    "CREATE INDEX t1_ab ON t1(a, b DESC);"
    "CREATE TABLE tab0(pk INTEGER PRIMARY KEY, col0 INTEGER, col1 FLOAT, col2 TEXT,"
    "  col3 INTEGER, col4 FLOAT, col5 TEXT);"
    "INSERT INTO tab0 VALUES(0,5,6.5,'a',7,8.25,'x'),(1,-3,NULL,'bb',2,0.5,'y'),"
    "  (2,9,1e10,NULL,4,-2.0,'zz'),(3,5,2.5,'ccc',NULL,3.0,'x');"
    "CREATE INDEX tab0_c0 ON tab0(col0);"
    "CREATE INDEX tab0_c34 ON tab0(col3, col4);"
    "CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  v REAL DEFAULT 1.5 CHECK(v >= 0));"
    "INSERT INTO p VALUES(1,'one',1.0),(2,'two',2.0),(3,'Three',NULL);"
    "CREATE TABLE c(a INTEGER, b TEXT, pid INTEGER REFERENCES p(id) ON DELETE CASCADE,"
    "  x BLOB, j TEXT, PRIMARY KEY(a, b), UNIQUE(pid, x));"
    "INSERT INTO c VALUES(1,'x',1,X'00ff',NULL),(1,'y',2,NULL,'{\"k\":[1,2]}'),"
    "  (2,'x',NULL,X'',NULL),(3,'z',3,'t','[]');"
    "CREATE INDEX c_pid ON c(pid);"
    "CREATE TABLE kv(k TEXT PRIMARY KEY, v);"
    "INSERT INTO kv VALUES('a',1),('b',x'01'),('c',NULL);"
    "CREATE TABLE ai(id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);"
    "INSERT INTO ai(v) VALUES('a'),('b');"
    "CREATE VIEW pv AS SELECT p.id, p.name, count(c.a) AS n FROM p LEFT JOIN c ON c.pid = p.id"
    "  GROUP BY p.id;"
    "CREATE BRANCH dev FROM main;";

static char g_dir[256];
static unsigned long g_seq;
static int g_verbose;

static int64_t fake_clock(void *ctx)
{
    int64_t *t = ctx;
    return *t += 1000;
}

static void rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[512];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_tree(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void copy_tree(const char *from, const char *to)
{
    struct stat st;
    CHECK(lstat(from, &st) == 0, "stat %s", from);
    if (S_ISDIR(st.st_mode)) {
        CHECK(mkdir(to, 0700) == 0, "mkdir %s", to);
        DIR *d = opendir(from);
        struct dirent *e;
        CHECK(d != NULL, "opendir %s", from);
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char a[512], b[512];
            snprintf(a, sizeof a, "%s/%s", from, e->d_name);
            snprintf(b, sizeof b, "%s/%s", to, e->d_name);
            copy_tree(a, b);
        }
        closedir(d);
        return;
    }
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    CHECK(in && out, "copy %s to %s", from, to);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        CHECK(fwrite(buf, 1, n, out) == n, "write %s", to);
    fclose(in);
    CHECK(fclose(out) == 0, "close %s", to);
}

static void cleanup(void)
{
    if (g_dir[0])
        rm_tree(g_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

static hdb *db_open(const char *path, int64_t *clock);
static void check_db(hdb *db, const char *when);

/* The template: the schema, made once; each input starts from a copy. */
static void make_template(void)
{
    char path[300];
    int64_t clock = CLOCK_TEMPLATE;
    snprintf(path, sizeof path, "%s/template", g_dir);
    hdb *db = db_open(path, &clock);
    int rc = hdb_exec(db, SCHEMA, NULL, NULL);
    CHECK(rc == HDB_OK, "schema: %s", hdb_errmsg(db));
    check_db(db, "of the template");
    CHECK(hdb_close(db) == HDB_OK, "close the template");
}

/* A temporary directory in memory when there is one: the file system's
 * own work would otherwise take most of the time of an input. */
static const char *tmp_dir(void)
{
    struct stat st;
    const char *tmp = getenv("TMPDIR");
    if (tmp && *tmp)
        return tmp;
    return stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    snprintf(g_dir, sizeof g_dir, "%s/hdb-fuzz-exec-XXXXXX", tmp_dir());
    CHECK(mkdtemp(g_dir) != NULL, "mkdtemp %s", g_dir);
    atexit(cleanup);
    g_verbose = getenv("FUZZ_EXEC_VERBOSE") != NULL;
    make_template();
    return 0;
}

static hdb *db_open(const char *path, int64_t *clock)
{
    hdb_options o;
    hdb_options_init(&o);
    o.sync = HDB_SYNC_OFF;
    o.cache_bytes = 256 << 10;
    o.clock_us = fake_clock;
    o.clock_ctx = clock;
    hdb *db = NULL;
    int rc = hdb_open(path, &o, &db);
    CHECK(rc == HDB_OK, "open %s: %s", path, hdb_errstr(rc));
    CHECK(hdb_set_progress_limit(db, PROGRESS_LIMIT) == HDB_OK, "progress limit");
    return db;
}

static void check_db(hdb *db, const char *when)
{
    char *report = NULL;
    int rc = hdb_check(db, &report);
    CHECK(rc == HDB_OK, "hdb_check %s: %s\n%s", when, hdb_errstr(rc), report ? report : "");
    hdb_free(report);
}

/* The length of the first ncol values of an index key, and whether one
 * of them is NULL (then the key never conflicts). */
static size_t key_prefix(const void *key, size_t n, const hdb_sql_index *ix, int *has_null)
{
    const uint8_t *p = key;
    size_t left = n;
    *has_null = 0;
    for (int i = 0; i < ix->ncol; i++) {
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        int rc = hdb__sql_key_decode(&p, &left, ix->desc ? ix->desc[i] : 0, &v);
        CHECK(rc == HDB_OK, "index %s: a key does not decode", ix->name);
        *has_null |= v.type == HDB_NULL;
        hdb__sql_value_clear(&v);
    }
    return n - left;
}

/* The entries of keyspace name; with a UNIQUE index ix, also that no two
 * entries share their values (ix NULL: a table). */
static uint64_t ks_count(hdb_txn *t, const char *name, const hdb_sql_index *ix)
{
    uint32_t ks;
    hdb_cursor *cu;
    uint64_t n = 0;
    char prev[1024];
    size_t nprev = SIZE_MAX;
    int rc = hdb_ks_open(t, name, 0, &ks);
    if (rc == HDB_NOTFOUND)
        return 0;
    CHECK(rc == HDB_OK, "open keyspace %s: %s", name, hdb_errstr(rc));
    CHECK(hdb_cursor_open(t, ks, &cu) == HDB_OK, "cursor on %s", name);
    for (rc = hdb_cursor_first(cu); rc == HDB_OK; rc = hdb_cursor_next(cu)) {
        n++;
        hdb_val k, v;
        if (!ix || !ix->unique)
            continue;
        CHECK(hdb_cursor_get(cu, &k, &v) == HDB_OK, "read %s", name);
        int has_null;
        size_t len = key_prefix(k.data, k.size, ix, &has_null);
        CHECK(has_null || len != nprev || memcmp(prev, k.data, len) != 0,
              "UNIQUE index %s holds the same values twice", ix->name);
        nprev = has_null || len > sizeof prev ? SIZE_MAX : len;
        if (nprev != SIZE_MAX)
            memcpy(prev, k.data, len);
    }
    CHECK(rc == HDB_NOTFOUND, "walk of %s: %s", name, hdb_errstr(rc));
    hdb_cursor_close(cu);
    return n;
}

/* The schema of the current branch loads, every index of every table has
 * one entry per row (no index is partial), and no UNIQUE index holds the
 * same values twice. */
static void check_branch_sql(hdb *db, const char *branch)
{
    hdb_txn *t;
    hdb_sql_schema *sc = NULL;
    char err[256] = "";
    CHECK(hdb_txn_begin(db, HDB_TXN_READ, &t) == HDB_OK, "read txn on %s", branch);
    int rc = hdb__sql_schema_load(t, NULL, &sc, err, sizeof err);
    CHECK(rc == HDB_OK, "schema of branch %s does not load: %s", branch, err);
    for (int i = 0; i < sc->ntab; i++) {
        hdb_sql_table *tb = sc->tab[i];
        if (tb->is_view)
            continue;
        uint64_t rows = ks_count(t, tb->ks, NULL);
        for (hdb_sql_index *ix = tb->indexes; ix; ix = ix->next) {
            uint64_t n = ks_count(t, ix->ks, ix);
            CHECK(n == rows, "branch %s: index %s of %s has %llu entries for %llu rows", branch,
                  ix->name, tb->name, (unsigned long long)n, (unsigned long long)rows);
        }
    }
    hdb__sql_schema_free(sc, NULL);
    hdb_txn_abort(t);
}

static void check_sql(hdb *db)
{
    hdb_branch_info *b = NULL;
    size_t n = 0;
    char cur[64];
    snprintf(cur, sizeof cur, "%s", hdb_branch_current(db));
    CHECK(hdb_branch_list(db, &b, &n) == HDB_OK, "branch list");
    for (size_t i = 0; i < n; i++) {
        if (hdb_branch_use(db, b[i].name) != HDB_OK)
            continue;
        check_branch_sql(db, b[i].name);
    }
    hdb_branch_list_free(b, n);
    CHECK(hdb_branch_use(db, cur) == HDB_OK, "back to branch %s", cur);
}

/* Read every column of the current row in every form. */
static void read_row(hdb_stmt *st)
{
    int n = hdb_column_count(st);
    for (int i = 0; i < n; i++) {
        (void)hdb_column_name(st, i);
        int type = hdb_column_type(st, i);
        CHECK(type >= HDB_INTEGER && type <= HDB_NULL, "column type %d", type);
        (void)hdb_column_int64(st, i);
        (void)hdb_column_double(st, i);
        const char *t = hdb_column_text(st, i);
        int nb = hdb_column_bytes(st, i);
        CHECK(nb >= 0 && (!t || (int)strlen(t) <= nb), "text of %d bytes", nb);
        if (type == HDB_BLOB)
            (void)hdb_column_blob(st, i);
    }
}

static void run_one(hdb *db, hdb_stmt *st)
{
    int rc, rows = 0;
    while ((rc = hdb_step(st)) == HDB_ROW && rows++ < MAX_ROWS)
        read_row(st);
    CHECK(rc == HDB_ROW || rc == HDB_DONE || (rc > HDB_OK && rc < HDB_ROW), "step rc %d", rc);
    CHECK(rc != HDB_CORRUPT, "corrupt: %s", hdb_errmsg(db));
    if (g_verbose)
        fprintf(stderr, "  -> %s %s (%d rows)\n", hdb_errstr(rc),
                rc == HDB_DONE || rc == HDB_ROW ? "" : hdb_errmsg(db), rows);
}

static void run_sql(hdb *db, const char *z, size_t n)
{
    const char *p = z, *end = z + n;
    for (int k = 0; k < MAX_STMTS && p < end; k++) {
        hdb_stmt *st = NULL;
        const char *tail = NULL;
        int rc = hdb_prepare(db, p, (int)(end - p), &st, &tail);
        CHECK(rc != HDB_CORRUPT && rc != HDB_MISUSE, "prepare: %s", hdb_errmsg(db));
        CHECK(tail && tail >= p && tail <= end, "tail out of range");
        if (g_verbose)
            fprintf(stderr, "stmt %d: %.*s\n  prepare -> %s %s\n", k, (int)(tail - p), p,
                    hdb_errstr(rc), rc ? hdb_errmsg(db) : "");
        if (st) {
            CHECK(rc == HDB_OK, "statement with rc %d", rc);
            run_one(db, st);
            hdb_finalize(st);
        } else if (rc != HDB_OK && tail == p) {
            return; /* a parse error: the rest is not SQL */
        }
        if (tail == p)
            return;
        p = tail;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[300], wal[320], from[300];
    int64_t clock = CLOCK_INPUT;
    int rc;
    snprintf(path, sizeof path, "%s/db%lu", g_dir, g_seq++);
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(from, sizeof from, "%s/template", g_dir);
    copy_tree(from, path);
    snprintf(from, sizeof from, "%s/template-wal", g_dir);
    if (access(from, F_OK) == 0)
        copy_tree(from, wal);
    hdb *db = db_open(path, &clock);
    uint64_t lsn = hdb_lsn(db);

    run_sql(db, (const char *)data, size);

    if (!hdb_get_autocommit(db) && hdb_exec(db, "COMMIT", NULL, NULL) != HDB_OK)
        hdb_exec(db, "ROLLBACK", NULL, NULL);
    CHECK(hdb_get_autocommit(db), "transaction left open: %s", hdb_errmsg(db));
    if (hdb_lsn(db) != lsn) {
        check_db(db, "after the input");
        check_sql(db);
        CHECK(hdb_close(db) == HDB_OK, "close");
        db = db_open(path, &clock);
        check_db(db, "after reopening");
        rc = hdb_exec(db, "SELECT count(*) FROM sqlite_master; SELECT * FROM p; SELECT * FROM c",
                      NULL, NULL);
    }
    hdb_close(db);
    rm_tree(path);
    rm_tree(wal);
    return 0;
}
