/*
** check_sql_cover.c — reading a source from an index alone (exec_scan.c,
** "READING AN INDEX ALONE"): a query whose columns are all in the index
** returns exactly the rows and values of the same query over the table,
** whatever the values (NULLs, integers and reals of every range, -0.0,
** text under BINARY, NOCASE and RTRIM, blobs), the affinity of the column
** and the direction of the index; and such a query really does not read
** the table.  Also the other shortcuts of the read path: a rowid fixed
** by = or IN read by lookups, a prepared query that skips reading the
** schema and its keyspaces' names again in the snapshot it last read (and
** the connection's cache of branch and keyspace roots under it, txn.c),
** and aggregates that copy no row when no bare column reads it.
*/
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heliosdb.h"
#include "src/sql/codec.h"
#include "support/test_util.h"

static char *dir;
static hdb *db;

static void setup(void)
{
    dir = tu_tmpdir();
    db = tu_open_nosync(dir, "c.db");
}

static void teardown(void)
{
    hdb_close(db);
    tu_rmdir(dir);
    free(dir);
}

static void exec_ok(const char *sql)
{
    ck_assert_msg(hdb_exec(db, sql, NULL, NULL) == HDB_OK, "%s: %s", sql, hdb_errmsg(db));
}

static int line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rows of sql as "a|b" lines sorted (the order a plan gives aside),
 * joined by '\n'; returned-owned (free()). */
static char *rows(const char *sql)
{
    hdb_stmt *st;
    ck_assert_msg(hdb_prepare(db, sql, -1, &st, NULL) == HDB_OK, "%s: %s", sql, hdb_errmsg(db));
    size_t n = 0, cap = 64, len = 1;
    char **line = malloc(cap * sizeof *line);
    int rc;
    while ((rc = hdb_step(st)) == HDB_ROW) {
        char b[1024];
        size_t k = 0;
        b[0] = 0;
        for (int i = 0; i < hdb_column_count(st); i++) {
            const char *v = hdb_column_text(st, i);
            k += (size_t)snprintf(b + k, sizeof b - k, "%s%s", i ? "|" : "", v ? v : "NULL");
            ck_assert(k < sizeof b);
        }
        if (n == cap)
            line = realloc(line, (cap *= 2) * sizeof *line);
        line[n++] = strdup(b);
        len += k + 1;
    }
    ck_assert_msg(rc == HDB_DONE, "%s: %s", sql, hdb_errmsg(db));
    hdb_finalize(st);
    qsort(line, n, sizeof *line, line_cmp);
    char *out = malloc(len);
    out[0] = 0;
    for (size_t i = 0, k = 0; i < n; i++) {
        k += (size_t)sprintf(out + k, "%s\n", line[i]);
        free(line[i]);
    }
    free(line);
    return out;
}

/* q has one %s where the source's hint goes: the rows with the plan's
 * choice ("", which must use an index) and with INDEXED BY ix (unless NULL)
 * must be those of a table scan. */
static void same_as_scan(const char *q, const char *ix)
{
    char a[1024], b[1024], c[1024], hint[64];
    snprintf(hint, sizeof hint, "INDEXED BY %s", ix ? ix : "");
    snprintf(a, sizeof a, "EXPLAIN QUERY PLAN %s", q);
    snprintf(b, sizeof b, a, "");
    char *plan = rows(b);
    ck_assert_msg(strstr(plan, " USING "), "%s: %s", b, plan);
    free(plan);
    snprintf(a, sizeof a, q, "");
    snprintf(b, sizeof b, q, ix ? hint : "");
    snprintf(c, sizeof c, q, "NOT INDEXED");
    char *ra = rows(a), *rb = rows(b), *rc = rows(c);
    ck_assert_msg(rc[0], "%s: no rows (the test means to read some)", c);
    ck_assert_msg(!strcmp(ra, rc), "%s: got\n%.400s\nwant\n%.400s", a, ra, rc);
    ck_assert_msg(!strcmp(rb, rc), "%s: got\n%.400s\nwant\n%.400s", b, rb, rc);
    free(ra);
    free(rb);
    free(rc);
}

/* q (with one %s) gives the same rows as written and NOT INDEXED (no
 * row at all is fine here). */
static void same_unindexed(const char *q)
{
    char e[1024];
    snprintf(e, sizeof e, q, "");
    char *a = rows(e);
    snprintf(e, sizeof e, q, "NOT INDEXED");
    char *b = rows(e);
    ck_assert_msg(!strcmp(a, b), "%s: got\n%.300s\nwant\n%.300s", q, a, b);
    free(a);
    free(b);
}

/* The one value of the one-column, one-row query sql on connection d. */
static long long one(hdb *d, const char *sql)
{
    hdb_stmt *st;
    ck_assert_msg(hdb_prepare(d, sql, -1, &st, NULL) == HDB_OK, "%s: %s", sql, hdb_errmsg(d));
    ck_assert_msg(hdb_step(st) == HDB_ROW, "%s: %s", sql, hdb_errmsg(d));
    long long v = hdb_column_int64(st, 0);
    hdb_finalize(st);
    return v;
}

/* The first value of the next run of a prepared statement. */
static long long again(hdb_stmt *st)
{
    ck_assert_msg(hdb_step(st) == HDB_ROW, "%s: %s", hdb_sql(st), hdb_errmsg(db));
    long long v = hdb_column_int64(st, 0);
    hdb_reset(st);
    return v;
}

/* One column of every affinity and collation, each with its own index, and
 * values that a key does not give back as they are stored. */
static void make_table(void)
{
    exec_ok("CREATE TABLE t(id INTEGER PRIMARY KEY, i INTEGER, r REAL, n NUMERIC, "
            "x TEXT COLLATE NOCASE, y TEXT, z TEXT COLLATE RTRIM, w, v INT)");
    exec_ok("CREATE INDEX ti ON t(i); CREATE INDEX tr ON t(r DESC); CREATE INDEX tn ON t(n);"
            "CREATE INDEX tx ON t(x); CREATE INDEX ty ON t(y DESC, i); CREATE INDEX tz ON t(z);"
            "CREATE INDEX tw ON t(w); CREATE INDEX tyn ON t(y COLLATE NOCASE);"
            "CREATE INDEX tiv ON t(i, v DESC)");
    exec_ok("BEGIN");
    exec_ok("INSERT INTO t VALUES(1, 5, 3.0, 3.0, 'Abc', 'Abc', 'abc  ', 3, 1)");
    exec_ok("INSERT INTO t VALUES(2, 5, -0.0, '2.5', 'abc', 'abc', 'abc', 3.0, NULL)");
    exec_ok("INSERT INTO t VALUES(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2)");
    exec_ok("INSERT INTO t VALUES(4, -9223372036854775808, -9223372036854775808.0, "
            "-9223372036854775808.0, 'ABC', 'ab' || char(0) || 'c', 'x', '3', 3)");
    exec_ok("INSERT INTO t VALUES(5, 9007199254740993, 1e300, 9007199254740993, 'b', 'b', ' b ', "
            "x'0300ff', 4)");
    exec_ok("INSERT INTO t VALUES(6, '12', '7', 'text', 'Zz', 'zz', 'zz ', 2.5, 5)");
    exec_ok("INSERT INTO t VALUES(7, 2.5, 0, 1e20, 'é', 'É', '', -1, 6)");
    exec_ok("INSERT INTO t VALUES(8, x'01', x'02', x'03', x'04', x'05', x'06', x'07', 7)");
    exec_ok("INSERT INTO t VALUES(9, 9223372036854775807, -1e-300, -0.0, 'a b', 'a b', 'a b', "
            "-0.0, 8)");
    exec_ok("INSERT INTO t VALUES(10, 0, 4, 4.0, 'ABC', 'ABC', 'ABC ', 'ABC', 9)");
    exec_ok("COMMIT");
}

START_TEST(test_cover_values_are_the_stored_ones)
{
    make_table();
    static const struct { const char *q, *ix; } c[] = {
        {"SELECT id, i, typeof(i), quote(i) FROM t %s WHERE i > -1e300", "ti"},
        {"SELECT i FROM t %s WHERE i < 100", "ti"},
        {"SELECT id, r, typeof(r), quote(r), 1 / r FROM t %s ORDER BY r DESC", NULL},
        {"SELECT id, r, typeof(r), quote(r) FROM t %s WHERE r = 3", "tr"},
        {"SELECT id, r, typeof(r), quote(r) FROM t %s WHERE r = 0", "tr"},
        {"SELECT id, n, typeof(n), quote(n) FROM t %s WHERE n >= -1e300", "tn"},
        {"SELECT id, n, typeof(n), quote(n) FROM t %s WHERE n > 'a'", "tn"},
        {"SELECT id, x, typeof(x), hex(x) FROM t %s WHERE x >= 'a'", "tx"},
        {"SELECT id, x FROM t %s WHERE x = 'abc'", "tx"},
        {"SELECT id, y, hex(y), i FROM t %s ORDER BY y DESC", NULL},
        {"SELECT id, y, i FROM t %s WHERE y = 'abc' AND i = 5", "ty"},
        {"SELECT id, z, length(z), hex(z) FROM t %s WHERE z >= ''", "tz"},
        {"SELECT id, z FROM t %s WHERE z = 'abc'", "tz"},
        {"SELECT id, w, typeof(w), quote(w) FROM t %s WHERE w > -100", "tw"},
        {"SELECT id, w, typeof(w), quote(w) FROM t %s WHERE w >= ''", "tw"},
        {"SELECT rowid, id, i, v FROM t %s WHERE i >= 0", "tiv"},
        {"SELECT i, v FROM t %s WHERE i = 5 AND v IS NULL", "tiv"},
        {"SELECT count(*) FROM t %s WHERE i = 5", "ti"},
        {"SELECT count(*), sum(v) FROM t %s WHERE i BETWEEN 0 AND 100", "tiv"},
        {"SELECT i, count(*), max(id) FROM t %s WHERE i > -1e300 GROUP BY i", "ti"},
        {"SELECT DISTINCT i FROM t %s WHERE i > -1e300", "ti"},
        {"SELECT id, i FROM t %s WHERE i IN (5, 0, 12)", "ti"},
        {"SELECT i, x FROM t %s WHERE i > -1e300", "ti"}, /* x not in the index */
        {"SELECT * FROM t %s WHERE i > -1e300", "ti"},
        /* conditions the key range decides (not checked again on the row) */
        {"SELECT id FROM t %s WHERE i BETWEEN 0 AND 12", "ti"},
        {"SELECT id FROM t %s WHERE i > 0 AND i <= 12 AND i > 2", "ti"},
        {"SELECT id FROM t %s WHERE 5 >= i", "ti"},
        {"SELECT id FROM t %s WHERE i <= '12'", "ti"},
        {"SELECT id FROM t %s WHERE i > 'a'", "ti"},
        {"SELECT id FROM t %s WHERE i = 5 AND v > 0", "tiv"},
        {"SELECT id FROM t %s WHERE i = 5 AND v BETWEEN 0 AND 1", "tiv"},
        {"SELECT id, x FROM t %s WHERE x > 'a' AND x < 'b'", "tx"},
        {"SELECT id, x FROM t %s WHERE x = 'ABC'", "tx"},
        {"SELECT id, z FROM t %s WHERE z BETWEEN 'a' AND 'abc'", "tz"},
        {"SELECT id, z FROM t %s WHERE z = 'abc   '", "tz"},
        {"SELECT id, w FROM t %s WHERE w >= 3 AND w < 4", "tw"},
        {"SELECT id, w FROM t %s WHERE w IN (3, '3', x'03', 2.5)", "tw"},
        {"SELECT id, n FROM t %s WHERE n > 2 AND n < '5'", "tn"},
    };
    for (size_t k = 0; k < sizeof c / sizeof *c; k++)
        same_as_scan(c[k].q, c[k].ix);
}
END_TEST

/* An UPDATE rewrites an index entry only when its key changed: after
 * updates of unindexed and indexed columns, of the rowid, case-only changes
 * under NOCASE, trailing spaces under RTRIM and no-op assignments, a scan
 * of every index returns exactly the table's rows (no entry left behind,
 * none missing). */
START_TEST(test_updates_keep_every_index)
{
    static const char *up[] = {
        "UPDATE t SET v = v + 1",
        "UPDATE t SET x = lower(x), z = z || ' '",
        "UPDATE t SET y = upper(y) WHERE id > 3",
        "UPDATE t SET id = id + 100 WHERE id % 2 = 0",
        "UPDATE t SET i = i, r = r",
        "UPDATE OR REPLACE t SET id = 1 WHERE id = 3",
        "UPDATE t SET w = NULL, n = n + 1 WHERE id > 100",
        "UPDATE t SET id = -id, v = NULL WHERE id > 100",
    };
    static const char *ix[][3] = {{"ti", "i", "i"},  {"tr", "r", "r"},   {"tn", "n", "n"},
                                  {"tx", "x", "x"},  {"ty", "y, i", "y"}, {"tz", "z", "z"},
                                  {"tw", "w", "w"},  {"tyn", "y", "y"},  {"tiv", "i, v", "v"}};
    make_table();
    for (size_t u = 0; u < sizeof up / sizeof *up; u++) {
        exec_ok(up[u]);
        for (size_t j = 0; j < sizeof ix / sizeof *ix; j++) {
            char a[256], b[256];
            snprintf(a, sizeof a, "SELECT %s, id, typeof(%s) FROM t INDEXED BY %s", ix[j][1], ix[j][2],
                     ix[j][0]);
            snprintf(b, sizeof b, "SELECT %s, id, typeof(%s) FROM t NOT INDEXED", ix[j][1], ix[j][2]);
            char *ra = rows(a), *rb = rows(b);
            ck_assert_msg(!strcmp(ra, rb), "after %s, %s: got\n%.400s\nwant\n%.400s", up[u], a,
                          ra, rb);
            free(ra);
            free(rb);
        }
    }
}
END_TEST

START_TEST(test_cover_in_joins_and_subqueries)
{
    make_table();
    exec_ok("CREATE TABLE u(k INTEGER PRIMARY KEY, i INT, s TEXT);"
            "INSERT INTO u VALUES(1, 5, 'abc'), (2, 0, 'b'), (3, NULL, 'zz'), (4, 12, 'x')");
    static const struct { const char *q, *ix; } c[] = {
        {"SELECT u.k, t.id, t.i FROM u JOIN t %s ON t.i = u.i", "ti"},
        {"SELECT u.k, t.id, t.y FROM u JOIN t %s ON t.i = u.i", "ti"}, /* y is not in ti */
        {"SELECT u.k, t.i FROM u LEFT JOIN t %s ON t.i = u.i", "ti"},
        {"SELECT k, t.i FROM u JOIN t %s USING (i)", "ti"},
        {"SELECT id, (SELECT s FROM u WHERE u.i = t.i) FROM t %s WHERE i >= 0", "ti"},
        {"SELECT id, (SELECT s FROM u WHERE u.s = t.y) FROM t %s WHERE i >= 0", "ti"},
        {"SELECT id FROM t %s WHERE i >= 0 AND EXISTS (SELECT 1 FROM u WHERE u.s = t.x)", "ti"},
        {"SELECT id FROM t %s WHERE i >= 0 AND v IN (SELECT k FROM u)", "tiv"},
        {"SELECT id FROM t %s WHERE i >= 0 AND z IN (SELECT s FROM u)", "ti"},
    };
    for (size_t k = 0; k < sizeof c / sizeof *c; k++)
        same_as_scan(c[k].q, c[k].ix);
    /* a view reads its table through its own select */
    exec_ok("CREATE VIEW vw AS SELECT i, id FROM t WHERE i >= 0");
    char *a = rows("SELECT * FROM vw"), *b = rows("SELECT i, id FROM t NOT INDEXED WHERE i >= 0");
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

/* Random conditions on indexed columns of every affinity, with values of
 * every type: an index plan (ranges deciding conditions, the index read
 * alone or not) gives the rows of a table scan. */
START_TEST(test_random_ranges_match_scans)
{
    exec_ok("CREATE TABLE r(id INTEGER PRIMARY KEY, i INT, f REAL, s TEXT COLLATE NOCASE, "
            "u, e TEXT); CREATE INDEX ri ON r(i); CREATE INDEX rf ON r(f); CREATE INDEX rs ON r(s);"
            "CREATE INDEX ru ON r(u); CREATE INDEX rie ON r(i, e)");
    static const char *const val[] = {"NULL", "0", "1", "-1", "2", "2.5", "-0.0", "3.0", "'2'",
                                      "'a'", "'A'", "'b '", "'B'", "x'00'", "x'61'", "1e19",
                                      "-9223372036854775808", "'abc'", "''", "7"};
    const int nv = (int)(sizeof val / sizeof *val);
    tu_rng r = {7};
    exec_ok("BEGIN");
    for (int k = 1; k <= 300; k++) {
        char q[512];
        snprintf(q, sizeof q, "INSERT INTO r VALUES(%d, %s, %s, %s, %s, %s)", k,
                 val[tu_below(&r, nv)], val[tu_below(&r, nv)], val[tu_below(&r, nv)],
                 val[tu_below(&r, nv)], val[tu_below(&r, nv)]);
        exec_ok(q);
    }
    exec_ok("COMMIT");
    static const char *const col[] = {"i", "f", "s", "u", "id"};
    static const char *const op[] = {"=", "<", "<=", ">", ">="};
    for (int k = 0; k < 400; k++) {
        const char *c = col[tu_below(&r, 5)];
        char w[256], q[512];
        int form = (int)tu_below(&r, 4);
        if (form == 0)
            snprintf(w, sizeof w, "%s %s %s", c, op[tu_below(&r, 5)], val[tu_below(&r, nv)]);
        else if (form == 1)
            snprintf(w, sizeof w, "%s %s %s AND %s %s %s", c, op[tu_below(&r, 5)],
                     val[tu_below(&r, nv)], c, op[tu_below(&r, 5)], val[tu_below(&r, nv)]);
        else if (form == 2)
            snprintf(w, sizeof w, "%s BETWEEN %s AND %s", c, val[tu_below(&r, nv)],
                     val[tu_below(&r, nv)]);
        else
            snprintf(w, sizeof w, "%s IN (%s, %s, %s)", c, val[tu_below(&r, nv)],
                     val[tu_below(&r, nv)], val[tu_below(&r, nv)]);
        snprintf(q, sizeof q, "SELECT %s, id, typeof(%s) FROM r %%s WHERE %s", c, c, w);
        same_unindexed(q);
        snprintf(q, sizeof q,
                 "SELECT count(*), e FROM r %%s WHERE %s AND i IS NOT NULL GROUP BY e", w);
        same_unindexed(q);
    }
}
END_TEST

/* The keyspace of the one table of the database ("t<id>", not an index). */
static void drop_table_rows(void)
{
    hdb_txn *t;
    char **names;
    size_t n;
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_list(t, &names, &n), HDB_OK);
    int done = 0;
    for (size_t i = 0; i < n; i++) {
        if (names[i][0] != 't' || strchr(names[i], '_'))
            continue;
        uint32_t ks;
        hdb_cursor *cu;
        ck_assert_int_eq(hdb_ks_open(t, names[i], 0, &ks), HDB_OK);
        ck_assert_int_eq(hdb_cursor_open(t, ks, &cu), HDB_OK);
        while (hdb_cursor_first(cu) == HDB_OK) {
            hdb_val k, v;
            ck_assert_int_eq(hdb_cursor_get(cu, &k, &v), HDB_OK);
            char key[64];
            ck_assert(k.size <= sizeof key);
            memcpy(key, k.data, k.size);
            ck_assert_int_eq(hdb_del(t, ks, (hdb_val){key, k.size}), HDB_OK);
            done++;
        }
        hdb_cursor_close(cu);
    }
    free(names);
    ck_assert_int_gt(done, 0);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
}

/* With the table's rows gone behind the SQL layer's back, a covered query
 * still finds them in the index, and one that needs the table does not:
 * proof that the first never read the table. */
START_TEST(test_cover_reads_no_table_row)
{
    exec_ok("CREATE TABLE t(id INTEGER PRIMARY KEY, a INT, b TEXT COLLATE NOCASE, c REAL);"
            "CREATE INDEX ta ON t(a); CREATE INDEX tb ON t(b); CREATE INDEX tc ON t(c)");
    exec_ok("INSERT INTO t VALUES(1, 10, 'x', 1.5), (2, 20, 'Y', 2.0), (3, 20, 'z', 0.0)");
    drop_table_rows();
    char *s;
#define ROWS(q, want) s = rows(q), ck_assert_msg(!strcmp(s, want), "%s: %s", q, s), free(s)
    ROWS("SELECT count(*) FROM t WHERE a = 20", "2\n");
    ROWS("SELECT id, a, rowid FROM t WHERE a > 0", "1|10|1\n2|20|2\n3|20|3\n");
    ROWS("SELECT a FROM t WHERE a = 20 AND id > 2", "20\n");
    ROWS("SELECT id, b FROM t WHERE a > 0", "");        /* b is not in ta */
    ROWS("SELECT b FROM t WHERE b = 'x'", "");           /* NOCASE: the key's text is folded */
    ROWS("SELECT id FROM t WHERE b = 'x'", "");          /* (the condition reads b) */
    ROWS("SELECT c FROM t WHERE c > 1", "1.5\n2.0\n");   /* REAL 2.0 from the key's 2 */
    ROWS("SELECT c FROM t WHERE c >= 0", "1.5\n2.0\n");  /* 0 may be -0.0: fetched, gone */
#undef ROWS
}
END_TEST

/* A rowid fixed by = or IN is one lookup per key: the same rows as a scan,
 * whatever the type of the value. */
START_TEST(test_rowid_lookups)
{
    make_table();
    static const char *const v[] = {"3", "3.0", "'3'", "' 3 '", "3.5", "'3.5'", "'abc'", "NULL",
                                    "x'03'", "-9223372036854775808", "9223372036854775807",
                                    "1e300", "-0.0", "(SELECT max(id) FROM t)", "?1"};
    for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
        char q[256];
        snprintf(q, sizeof q, "SELECT id, i, y, rowid FROM t %%s WHERE rowid IN (%s, 4, 4, 99)",
                 v[k]);
        same_unindexed(q);
        snprintf(q, sizeof q, "SELECT id, i, y FROM t %%s WHERE id = %s", v[k]);
        same_unindexed(q);
    }
    static const char *const r[] = {"id BETWEEN 2 AND 5", "rowid < 3", "id > 2.5", "id < 'x'",
                                    "id >= NULL", "id > 8 AND id <= 9223372036854775807",
                                    "id >= 3 AND id < 6 AND id > 4", "id > -1e300 AND id < 1e300",
                                    "id BETWEEN '2' AND x'00'"};
    for (size_t k = 0; k < sizeof r / sizeof *r; k++) {
        char q[256];
        snprintf(q, sizeof q, "SELECT id, i FROM t %%s WHERE %s", r[k]);
        same_unindexed(q);
    }
    same_as_scan("SELECT u.id, t.i FROM t AS u JOIN t %s ON t.id = u.v", NULL);
    same_as_scan("SELECT count(*), sum(t.i) FROM t AS u JOIN t %s ON t.id = u.v + 0", NULL);
}
END_TEST

/* A prepared query rerun in a later read transaction sees what was
 * committed in between (by this or another connection), the branch it
 * runs on, and its own transaction's changes. */
START_TEST(test_rerun_sees_each_snapshot)
{
    hdb *db2 = tu_open_nosync(dir, "c.db");
    exec_ok("CREATE TABLE t(id INTEGER PRIMARY KEY, a INT); CREATE INDEX ta ON t(a);"
            "INSERT INTO t VALUES(1, 10)");
    hdb_stmt *st, *sa;
    ck_assert_int_eq(hdb_prepare(db, "SELECT count(*) FROM t WHERE id = 1", -1, &st, NULL), HDB_OK);
    ck_assert_int_eq(hdb_prepare(db, "SELECT count(*) FROM t WHERE a = 10", -1, &sa, NULL), HDB_OK);
    ck_assert_int_eq(again(st), 1);
    ck_assert_int_eq(again(st), 1);
    ck_assert_int_eq(again(sa), 1);
    /* another connection drops and makes the table again */
    ck_assert_int_eq(hdb_exec(db2, "DROP TABLE t; CREATE TABLE t(id INTEGER PRIMARY KEY, a INT);"
                                   "CREATE INDEX ta ON t(a)", NULL, NULL), HDB_OK);
    ck_assert_int_eq(again(st), 0);
    ck_assert_int_eq(again(sa), 0);
    ck_assert_int_eq(hdb_exec(db2, "INSERT INTO t VALUES(1, 10), (2, 10)", NULL, NULL), HDB_OK);
    ck_assert_int_eq(again(st), 1);
    ck_assert_int_eq(again(sa), 2);
    /* the same LSN, another branch (where t has other keyspaces) */
    exec_ok("CREATE BRANCH dev FROM main; USE BRANCH dev; DROP TABLE t;"
            "CREATE TABLE t(id INTEGER PRIMARY KEY, a INT); CREATE INDEX ta ON t(a);"
            "INSERT INTO t VALUES(3, 10), (4, 10), (5, 10); USE BRANCH main");
    ck_assert_int_eq(again(st), 1);
    ck_assert_int_eq(again(sa), 2);
    exec_ok("USE BRANCH dev");
    ck_assert_int_eq(again(st), 0);
    ck_assert_int_eq(again(sa), 3);
    exec_ok("USE BRANCH main");
    ck_assert_int_eq(again(st), 1);
    ck_assert_int_eq(again(sa), 2);
    /* inside a transaction: its own changes, then none after ROLLBACK */
    exec_ok("BEGIN; DELETE FROM t WHERE id = 1");
    ck_assert_int_eq(again(st), 0);
    ck_assert_int_eq(again(sa), 1);
    exec_ok("ROLLBACK");
    ck_assert_int_eq(again(st), 1);
    ck_assert_int_eq(again(sa), 2);
    ck_assert_int_eq(one(db2, "SELECT count(*) FROM t"), 2);
    hdb_finalize(st);
    hdb_finalize(sa);
    hdb_close(db2);
}
END_TEST

/* Stepping over key values without decoding them, and reading a rowid:
 * the same positions as hdb__sql_key_decode, and only integers are rowids. */
START_TEST(test_key_skip_and_int)
{
    hdb_sql_value v[9];
    for (int i = 0; i < 9; i++)
        v[i] = (hdb_sql_value)HDB_SQL_NULL_INIT;
    hdb__sql_value_int(&v[1], 3);
    hdb__sql_value_float(&v[2], 2.5);
    hdb__sql_value_text_ref(&v[3], "a\0b\xff", 4);
    hdb__sql_value_blob_ref(&v[4], "\0\0\x01", 3);
    hdb__sql_value_int(&v[5], INT64_MIN);
    hdb__sql_value_int(&v[6], (int64_t)1 << 60);
    hdb__sql_value_float(&v[7], -1e300);
    hdb__sql_value_text_ref(&v[8], "", 0);
    for (int desc = 0; desc < 2; desc++) {
        hdb_buf b;
        hdb__buf_init(&b, NULL);
        for (int i = 0; i < 9; i++)
            hdb__sql_key_append(&b, &v[i], HDB_COLL_BINARY, desc);
        const uint8_t *p = (const uint8_t *)b.data, *q = p;
        size_t n = b.len, m = b.len;
        for (int i = 0; i < 9; i++) {
            hdb_sql_value d;
            ck_assert_int_eq(hdb__sql_key_skip(&p, &n, desc), HDB_OK);
            ck_assert_int_eq(hdb__sql_key_decode(&q, &m, desc, &d), HDB_OK);
            ck_assert(p == q && n == m);
            ck_assert_int_eq(hdb__sql_value_cmp(&d, &v[i], HDB_COLL_BINARY), 0);
            hdb__sql_value_clear(&d);
        }
        ck_assert_int_eq(n, 0);
        ck_assert_int_eq(hdb__sql_key_skip(&p, &n, desc), HDB_CORRUPT);
        hdb__buf_free(&b);
    }
    for (int i = 0; i < 9; i++) {
        hdb_buf b;
        hdb__buf_init(&b, NULL);
        hdb__sql_key_append(&b, &v[i], HDB_COLL_BINARY, 0);
        const uint8_t *p = (const uint8_t *)b.data;
        size_t n = b.len;
        int64_t r = 0;
        int rc = hdb__sql_key_int(&p, &n, &r);
        ck_assert_int_eq(rc, v[i].type == HDB_INTEGER ? HDB_OK : HDB_CORRUPT);
        if (rc == HDB_OK) {
            uint8_t k[9];
            size_t kn = hdb__sql_key_int_put(k, v[i].u.i);
            ck_assert(r == v[i].u.i && n == 0 && b.len == kn && !memcmp(k, b.data, kn));
        }
        n = b.len - 1; /* cut short */
        p = (const uint8_t *)b.data;
        ck_assert_int_eq(hdb__sql_key_int(&p, &n, &r), HDB_CORRUPT);
        if (v[i].type == HDB_TEXT || v[i].type == HDB_BLOB) {
            n = b.len - 1; /* no terminator */
            p = (const uint8_t *)b.data;
            ck_assert_int_eq(hdb__sql_key_skip(&p, &n, 0), HDB_CORRUPT);
        }
        hdb__buf_free(&b);
    }
}
END_TEST

/* A cursor lends its own copy of the key, and the value where it lies (an
 * overflow value from a buffer of its own): both right for small and
 * overflowing values, the key still right after a write. */
START_TEST(test_cursor_lends_key_and_value)
{
    hdb_txn *t;
    uint32_t ks;
    hdb_cursor *cu;
    static char big[20000];
    memset(big, 'v', sizeof big);
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", HDB_CREATE, &ks), HDB_OK);
    for (int i = 0; i < 200; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%04d", i);
        size_t n = i % 7 ? (size_t)(i % 50) : sizeof big;
        big[0] = (char)('a' + i % 26);
        ck_assert_int_eq(hdb_put(t, ks, (hdb_val){k, 5}, (hdb_val){big, n}), HDB_OK);
    }
    ck_assert_int_eq(hdb_cursor_open(t, ks, &cu), HDB_OK);
    int i = 0;
    for (int rc = hdb_cursor_first(cu); rc == HDB_OK; rc = hdb_cursor_next(cu), i++) {
        hdb_val k, v;
        char want[16];
        snprintf(want, sizeof want, "k%04d", i);
        ck_assert_int_eq(hdb_cursor_get(cu, &k, &v), HDB_OK);
        if (i == 200) {
            ck_assert(k.size == 1 && v.size == 1 && !memcmp(k.data, "z", 1));
            continue;
        }
        ck_assert(k.size == 5 && !memcmp(k.data, want, 5));
        ck_assert_uint_eq(v.size, i % 7 ? (size_t)(i % 50) : sizeof big);
        ck_assert(v.size == 0 || ((const char *)v.data)[0] == (char)('a' + i % 26));
        ck_assert(v.size < 2 || ((const char *)v.data)[v.size - 1] == 'v');
        if (i % 10 == 0) { /* a write: the key lent stays the key */
            ck_assert_int_eq(hdb_put(t, ks, (hdb_val){"z", 1}, (hdb_val){"1", 1}), HDB_OK);
            ck_assert(k.size == 5 && !memcmp(k.data, want, 5));
        }
    }
    ck_assert_int_eq(i, 201); /* and "z" */
    hdb_cursor_close(cu);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
}
END_TEST

/* The rows of sql in the order they come, as "a|b;" each; in a static
 * buffer. */
static const char *ordered(const char *sql)
{
    static char out[1024];
    hdb_stmt *st;
    size_t k = 0;
    int rc;
    ck_assert_msg(hdb_prepare(db, sql, -1, &st, NULL) == HDB_OK, "%s: %s", sql, hdb_errmsg(db));
    out[0] = 0;
    while ((rc = hdb_step(st)) == HDB_ROW) {
        for (int i = 0; i < hdb_column_count(st); i++) {
            const char *v = hdb_column_text(st, i);
            k += (size_t)snprintf(out + k, sizeof out - k, "%s%s", i ? "|" : "", v ? v : "NULL");
            ck_assert(k < sizeof out);
        }
        k += (size_t)snprintf(out + k, sizeof out - k, ";");
        ck_assert(k < sizeof out);
    }
    ck_assert_msg(rc == HDB_DONE, "%s: %s", sql, hdb_errmsg(db));
    hdb_finalize(st);
    return out;
}

/* An aggregate query keeps a copy of each group's last row only when its
 * output reads a bare column (exec_group.c): every place a bare column can
 * hide (result, expression, CASE, HAVING, ORDER BY, a correlated subquery)
 * still reads the last row, and the queries without one (aggregates,
 * constants, an uncorrelated subquery, no rows at all) give the same
 * answers as SQLite. */
START_TEST(test_aggregates_save_rows_only_when_read)
{
    exec_ok("CREATE TABLE g(id INTEGER PRIMARY KEY, a INT, b TEXT);"
            "INSERT INTO g VALUES(1, 5, 'x'), (2, 7, 'y'), (3, 6, 'z')");
    static const char *const q[][2] = {
        /* no bare column */
        {"SELECT sum(a) FROM g", "18;"},
        {"SELECT sum(a) FROM g WHERE id BETWEEN 2 AND 3", "13;"},
        {"SELECT count(*) FROM g WHERE a > 100", "0;"},
        {"SELECT count(*) * 2, sum(a) || 'x', (SELECT 5) FROM g", "6|18x|5;"},
        {"SELECT count(*) FROM g GROUP BY a % 2 ORDER BY 1", "1;2;"},
        {"SELECT count(*) FROM g GROUP BY a % 2 ORDER BY max(b)", "2;1;"},
        {"SELECT sum(a) FROM g HAVING max(b) = 'z'", "18;"},
        {"SELECT count(*) FROM g WHERE a IN (SELECT a FROM g WHERE b <> 'x')", "2;"},
        /* a bare column: the group's last row */
        {"SELECT max(a), b FROM g", "7|z;"},
        {"SELECT sum(a) + id FROM g", "21;"},
        {"SELECT sum(a) FROM g HAVING b = 'z'", "18;"},
        {"SELECT sum(a) FROM g HAVING b = 'x'", ""},
        {"SELECT count(*), (SELECT g.b) FROM g", "3|z;"},
        {"SELECT CASE WHEN count(*) > 1 THEN b END FROM g", "z;"},
        {"SELECT count(*) FROM g GROUP BY a % 2 ORDER BY b", "2;1;"},
        {"SELECT count(*) FROM g GROUP BY a % 2 ORDER BY b DESC", "1;2;"},
        {"SELECT a % 2, count(*) FROM g GROUP BY 1", "0|1;1|2;"},
        {"SELECT b, count(*) FROM g WHERE a > 100", "NULL|0;"},
        {"SELECT count(*), id IS NULL FROM g WHERE a > 100", "0|1;"},
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        const char *got = ordered(q[i][0]);
        ck_assert_msg(!strcmp(got, q[i][1]), "%s: got %s want %s", q[i][0], got, q[i][1]);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_cover");
    TCase *c = tcase_create("cover");
    tcase_set_timeout(c, 60);
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_add_test(c, test_cover_values_are_the_stored_ones);
    tcase_add_test(c, test_cover_in_joins_and_subqueries);
    tcase_add_test(c, test_cover_reads_no_table_row);
    tcase_add_test(c, test_random_ranges_match_scans);
    tcase_add_test(c, test_updates_keep_every_index);
    TCase *r = tcase_create("reads");
    tcase_set_timeout(r, 60);
    tcase_add_checked_fixture(r, setup, teardown);
    tcase_add_test(r, test_rowid_lookups);
    tcase_add_test(r, test_rerun_sees_each_snapshot);
    tcase_add_test(r, test_key_skip_and_int);
    tcase_add_test(r, test_cursor_lends_key_and_value);
    tcase_add_test(r, test_aggregates_save_rows_only_when_read);
    suite_add_tcase(s, c);
    suite_add_tcase(s, r);
    return s;
}

int main(void) { return tu_run(suite()); }
