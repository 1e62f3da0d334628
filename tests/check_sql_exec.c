/*
** check_sql_exec.c — the SQL executor through the public API: DDL, DML and
** constraints, queries (joins, aggregates, compounds, subqueries), the
** planner's choices, prepared statements, transactions and savepoints,
** ALTER TABLE, foreign keys, JSON columns, and branch statements.
**
** Each case runs SQL on a fresh database and compares the rows, rendered
** as "a|b" lines (NULL as "NULL"), with what SQLite gives.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heliosdb.h"
#include "src/sql/codec.h"
#include "support/test_util.h"

static char *dir;
static hdb *db;

static void open_db(void)
{
    char path[512];
    hdb_options o;
    hdb_options_init(&o);
    o.sync = HDB_SYNC_OFF;
    tu_path(path, sizeof path, dir, "t.db");
    ck_assert_int_eq(hdb_open(path, &o, &db), HDB_OK);
}

static void setup(void)
{
    dir = tu_tmpdir();
    open_db();
}

static void teardown(void)
{
    hdb_close(db);
    tu_rmdir(dir);
    free(dir);
}

typedef struct out {
    char buf[8192];
    size_t n;
} out;

static int collect(void *ctx, int ncol, const char *const *vals, const char *const *names)
{
    out *o = ctx;
    (void)names;
    for (int i = 0; i < ncol; i++) {
        int w = snprintf(o->buf + o->n, sizeof o->buf - o->n, "%s%s", i ? "|" : "",
                         vals[i] ? vals[i] : "NULL");
        if (w > 0 && (size_t)w < sizeof o->buf - o->n)
            o->n += (size_t)w;
    }
    if (o->n + 1 < sizeof o->buf)
        o->buf[o->n++] = '\n';
    o->buf[o->n] = 0;
    return 0;
}

/* Run sql (it must succeed) and return its rows. */
static const char *q(const char *sql)
{
    static out o;
    o.n = 0;
    o.buf[0] = 0;
    int rc = hdb_exec(db, sql, collect, &o);
    ck_assert_msg(rc == HDB_OK, "%s: %s", sql, hdb_errmsg(db));
    return o.buf;
}

#define EQ(sql, want) ck_assert_str_eq(q(sql), want)

static void fails(const char *sql, int rc, const char *msg)
{
    int got = hdb_exec(db, sql, NULL, NULL);
    ck_assert_msg(got == rc, "%s: rc %d (%s), want %d", sql, got, hdb_errmsg(db), rc);
    if (msg)
        ck_assert_msg(strstr(hdb_errmsg(db), msg), "%s: message '%s' lacks '%s'", sql,
                      hdb_errmsg(db), msg);
}

START_TEST(test_basic)
{
    q("CREATE TABLE t(a INTEGER, b TEXT, c REAL)");
    q("INSERT INTO t VALUES(1, 'x', 1.5), (2, 'y', 2), (3, NULL, NULL)");
    EQ("SELECT a, b, c FROM t ORDER BY a", "1|x|1.5\n2|y|2.0\n3|NULL|NULL\n");
    EQ("SELECT count(*), sum(a), avg(c) FROM t", "3|6|1.75\n");
    EQ("SELECT typeof(a), typeof(b), typeof(c) FROM t WHERE a = 2", "integer|text|real\n");
    EQ("INSERT INTO t(b) VALUES('z') RETURNING a, b", "NULL|z\n");
    EQ("UPDATE t SET a = a * 10 WHERE a > 1 RETURNING a", "20\n30\n");
    ck_assert_int_eq(hdb_changes(db), 2);
    EQ("DELETE FROM t WHERE a IS NULL RETURNING b", "z\n");
    EQ("SELECT a FROM t ORDER BY a DESC LIMIT 2 OFFSET 1", "20\n1\n");
    EQ("SELECT a FROM t LIMIT 9223372036854775807 OFFSET 9223372036854775807", "");
    EQ("SELECT count(*) FROM (SELECT a FROM t LIMIT -1 OFFSET 1)", "2\n");
    EQ("SELECT '5' + 3, 7 / 2, 7.0 / 2, 1 / 0, 'a' || 1", "8|3|3.5|NULL|a1\n");
}
END_TEST

START_TEST(test_views)
{
    q("CREATE TABLE t(a, b)");
    q("INSERT INTO t VALUES(1, 2), (3, 4)");
    q("CREATE VIEW v(x, y) AS SELECT a, a + b FROM t");
    EQ("SELECT x, y FROM v WHERE y > 3", "3|7\n");
    fails("INSERT INTO v VALUES(1, 2)", HDB_ERROR, "cannot modify v because it is a view");
    fails("DROP TABLE v", HDB_ERROR, "use DROP VIEW");
    q("DROP VIEW v");
    fails("SELECT * FROM v", HDB_ERROR, "no such table: v");
}
END_TEST

START_TEST(test_column_names)
{
    q("CREATE TABLE t1(a, b)");
    hdb_stmt *s;
    ck_assert_int_eq(hdb_prepare(db, "SELECT a, t1.b, a+1, b AS bee, * FROM t1", -1, &s, NULL),
                     HDB_OK);
    ck_assert_int_eq(hdb_column_count(s), 6);
    const char *want[] = {"a", "b", "a+1", "bee", "a", "b"};
    for (int i = 0; i < 6; i++)
        ck_assert_str_eq(hdb_column_name(s, i), want[i]);
    ck_assert_int_eq(hdb_step(s), HDB_DONE);
    hdb_finalize(s);
}
END_TEST

START_TEST(test_constraints)
{
    q("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT UNIQUE, b INT NOT NULL DEFAULT 7,"
      " c INT CHECK (c > 0))");
    q("INSERT INTO t(a) VALUES('x')");
    EQ("SELECT id, a, b, c FROM t", "1|x|7|NULL\n");
    fails("INSERT INTO t(a) VALUES('x')", HDB_CONSTRAINT, "UNIQUE constraint failed: t.a");
    fails("INSERT INTO t(a, b) VALUES('y', NULL)", HDB_CONSTRAINT,
          "NOT NULL constraint failed: t.b");
    fails("INSERT INTO t(a, c) VALUES('y', 0)", HDB_CONSTRAINT, "CHECK constraint failed: c > 0");
    fails("INSERT INTO t(id, a) VALUES(1, 'q')", HDB_CONSTRAINT, "UNIQUE constraint failed: t.id");
    q("INSERT OR IGNORE INTO t(id, a) VALUES(1, 'q')");
    q("INSERT OR REPLACE INTO t(id, a) VALUES(5, 'x')");
    EQ("SELECT id, a FROM t", "5|x\n");
    q("REPLACE INTO t(id, a) VALUES(5, 'w')");
    EQ("SELECT id, a FROM t", "5|w\n");
    q("INSERT INTO t(a) VALUES('n')");
    EQ("SELECT max(id) FROM t", "6\n");
    ck_assert_int_eq(hdb_last_insert_rowid(db), 6);
    q("INSERT OR REPLACE INTO t(id, a, b) VALUES(7, 'r', NULL)"); /* REPLACE uses the default */
    EQ("SELECT b FROM t WHERE id = 7", "7\n");
    fails("UPDATE t SET id = NULL WHERE id = 7", HDB_ERROR, "datatype mismatch");
    q("CREATE TABLE ai(id INTEGER PRIMARY KEY AUTOINCREMENT, v)");
    q("INSERT INTO ai(v) VALUES('a'), ('b')");
    q("DELETE FROM ai WHERE id = 2");
    q("INSERT INTO ai(v) VALUES('c')");
    EQ("SELECT id, v FROM ai ORDER BY id", "1|a\n3|c\n");
    q("CREATE TABLE d(a DEFAULT 1, b DEFAULT (2 + 3))");
    q("INSERT INTO d DEFAULT VALUES");
    EQ("SELECT a, b FROM d", "1|5\n");
    q("CREATE TABLE d2 AS SELECT a + 1 AS x, b FROM d");
    EQ("SELECT x, b FROM d2", "2|5\n");
    q("CREATE TABLE p(x, y, PRIMARY KEY(x, y))");
    q("INSERT INTO p VALUES(1, 2), (1, 3)");
    fails("INSERT INTO p VALUES(1, 2)", HDB_CONSTRAINT, "UNIQUE constraint failed: p.x, p.y");
    fails("UPDATE p SET y = 2 WHERE y = 3", HDB_CONSTRAINT, "UNIQUE constraint failed: p.x, p.y");
    EQ("SELECT x, y FROM p ORDER BY y", "1|2\n1|3\n");
}
END_TEST

START_TEST(test_upsert)
{
    q("CREATE TABLE kv(k TEXT PRIMARY KEY, v INT, n INT DEFAULT 0)");
    q("INSERT INTO kv(k, v) VALUES('a', 1)");
    q("INSERT INTO kv(k, v) VALUES('a', 5) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v,"
      " n = n + 1");
    EQ("SELECT k, v, n FROM kv", "a|6|1\n");
    q("INSERT INTO kv(k, v) VALUES('a', 9) ON CONFLICT(k) DO UPDATE SET v = 0 WHERE v > 100");
    q("INSERT INTO kv(k, v) VALUES('b', 2) ON CONFLICT DO NOTHING");
    q("INSERT INTO kv(k, v) VALUES('b', 3) ON CONFLICT DO NOTHING");
    EQ("SELECT k, v, n FROM kv ORDER BY k", "a|6|1\nb|2|0\n");
    q("CREATE TABLE c(id INTEGER PRIMARY KEY, hits)");
    q("INSERT INTO c VALUES(1, 1) ON CONFLICT(id) DO UPDATE SET hits = hits + 1");
    q("INSERT INTO c VALUES(1, 1) ON CONFLICT(id) DO UPDATE SET hits = hits + 1");
    EQ("SELECT id, hits FROM c", "1|2\n");
    fails("INSERT INTO c VALUES(1, 1) ON CONFLICT(hits) DO UPDATE SET hits = 0", HDB_ERROR,
          "does not match");
}
END_TEST

START_TEST(test_order_by_index)
{
    q("CREATE TABLE t(id INTEGER PRIMARY KEY, a, b)");
    q("CREATE INDEX ta ON t(a)");
    q("INSERT INTO t VALUES(1, 30, 'x'), (2, 10, 'y'), (3, 20, 'z'), (4, NULL, 'w')");
    EQ("SELECT id FROM t ORDER BY a LIMIT 3", "4\n2\n3\n");
    EQ("SELECT id FROM t ORDER BY a DESC LIMIT 2", "1\n3\n");
    EQ("SELECT id FROM t ORDER BY id DESC", "4\n3\n2\n1\n");
    EQ("SELECT id FROM t WHERE a > 10 ORDER BY a DESC", "1\n3\n");
    EQ("EXPLAIN QUERY PLAN SELECT id FROM t ORDER BY a", "2|0|0|SCAN t USING COVERING INDEX ta\n");
    EQ("EXPLAIN QUERY PLAN SELECT id FROM t ORDER BY b",
       "2|0|0|SCAN t\n3|0|0|USE TEMP B-TREE FOR ORDER BY\n");
}
END_TEST

START_TEST(test_joins)
{
    q("CREATE TABLE a(id INTEGER PRIMARY KEY, x)");
    q("CREATE TABLE b(id INTEGER PRIMARY KEY, aid, y)");
    q("INSERT INTO a VALUES(1, 'one'), (2, 'two'), (3, 'three')");
    q("INSERT INTO b VALUES(10, 1, 'p'), (11, 1, 'q'), (12, 2, 'r')");
    EQ("SELECT a.x, b.y FROM a JOIN b ON b.aid = a.id ORDER BY b.id", "one|p\none|q\ntwo|r\n");
    EQ("SELECT a.x, b.y FROM a LEFT JOIN b ON b.aid = a.id WHERE a.id >= 2 ORDER BY a.id",
       "two|r\nthree|NULL\n");
    EQ("SELECT count(*) FROM a, b", "9\n");
    EQ("SELECT a.x FROM a LEFT JOIN b ON b.aid = a.id WHERE b.id IS NULL", "three\n");
    q("UPDATE a SET x = x || '-' || b.y FROM b WHERE b.aid = a.id AND b.y <> 'q'");
    EQ("SELECT x FROM a ORDER BY id", "one-p\ntwo-r\nthree\n");
    q("UPDATE a SET x = 'one' WHERE id = 1");
    q("UPDATE a SET x = 'two' WHERE id = 2");
    q("CREATE TABLE c(id, z)");
    q("INSERT INTO c VALUES(1, 'c1'), (3, 'c3')");
    EQ("SELECT id, x, z FROM a JOIN c USING (id) ORDER BY id", "1|one|c1\n3|three|c3\n");
    EQ("SELECT * FROM a NATURAL JOIN c ORDER BY 1", "1|one|c1\n3|three|c3\n");
    fails("SELECT id FROM a, b", HDB_ERROR, "ambiguous column name: id");
    EQ("SELECT a.x, c.z FROM c RIGHT JOIN a ON a.id = c.id ORDER BY a.id",
       "one|c1\ntwo|NULL\nthree|c3\n");
    q("INSERT INTO c VALUES(9, 'c9')");
    EQ("SELECT a.id, c.id FROM a FULL JOIN c ON a.id = c.id ORDER BY 1, 2",
       "NULL|9\n1|1\n2|NULL\n3|3\n");
    EQ("SELECT c.id FROM a RIGHT JOIN c ON a.id = c.id WHERE a.id IS NULL", "9\n");
}
END_TEST

START_TEST(test_aggregates)
{
    q("CREATE TABLE t(g, v)");
    q("INSERT INTO t VALUES('a', 1), ('b', 2), ('a', 3), ('b', NULL), ('c', 5), ('a', 1)");
    EQ("SELECT g, count(*), count(v), sum(v), min(v), max(v) FROM t GROUP BY g",
       "a|3|3|5|1|3\nb|2|1|2|2|2\nc|1|1|5|5|5\n");
    EQ("SELECT g, sum(v) AS s FROM t GROUP BY g HAVING s > 2 ORDER BY s DESC", "a|5\nc|5\n");
    EQ("SELECT count(DISTINCT v), total(v), group_concat(DISTINCT g) FROM t", "4|12.0|a,b,c\n");
    EQ("SELECT count(*), sum(v) FROM t WHERE 0", "0|NULL\n");
    EQ("SELECT DISTINCT g FROM t ORDER BY 1 DESC", "c\nb\na\n");
    EQ("SELECT g FROM t GROUP BY g ORDER BY count(*) DESC, g", "a\nb\nc\n");
    fails("SELECT g FROM t WHERE sum(v) > 1", HDB_ERROR, "misuse of aggregate");
    fails("SELECT g FROM t ORDER BY count(*)", HDB_ERROR, "misuse of aggregate");
    /* Texts in BINARY order (bytes, then length), NULL first; kept while
     * rows arrive (LIMIT) as in a full sort. */
    q("CREATE TABLE s(x)");
    q("INSERT INTO s VALUES('b'), ('a'), ('ab'), (NULL), ('B'), (''), (x'61'), (2)");
    EQ("SELECT quote(x) FROM s ORDER BY x", "NULL\n2\n''\n'B'\n'a'\n'ab'\n'b'\nX'61'\n");
    EQ("SELECT quote(x) FROM s ORDER BY x LIMIT 4", "NULL\n2\n''\n'B'\n");
    EQ("SELECT quote(x) FROM s ORDER BY x DESC LIMIT 3", "X'61'\n'b'\n'ab'\n");
    EQ("SELECT quote(x) FROM s ORDER BY x COLLATE NOCASE, x LIMIT 5", "NULL\n2\n''\n'a'\n'ab'\n");
    /* Without FROM an aggregate in ORDER BY alone is not looked at: the
     * query is no aggregate, and WHERE 0 leaves no row. */
    EQ("SELECT 5 ORDER BY count(*)", "5\n");
    EQ("SELECT 5 WHERE 0 ORDER BY count(*)", "");
    EQ("SELECT 5 WHERE 0 ORDER BY count(*), 1", "");
    EQ("SELECT count(*) WHERE 0 ORDER BY count(*)", "0\n");
}
END_TEST

/* sqlite_sequence: the AUTOINCREMENT marks read and written as SQLite's
 * table of them (exec_seq.c), with bound parameters, in a transaction
 * that rolls back, and the forms it refuses. */
START_TEST(test_sqlite_sequence)
{
    q("CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, v)");
    q("CREATE TABLE b(id INTEGER PRIMARY KEY AUTOINCREMENT, v)");
    EQ("SELECT count(*) FROM sqlite_sequence", "0\n");
    q("INSERT INTO a(v) VALUES(1), (2)");
    EQ("SELECT * FROM sqlite_sequence", "a|2\n");
    hdb_stmt *st;
    ck_assert_int_eq(hdb_prepare(db, "INSERT INTO sqlite_sequence VALUES(?1, ?2), ('a', 50)", -1, &st, NULL),
                     HDB_OK);
    ck_assert_int_eq(hdb_bind_text(st, 1, "b", -1), HDB_OK);
    ck_assert_int_eq(hdb_bind_int64(st, 2, 7), HDB_OK);
    ck_assert_int_eq(hdb_step(st), HDB_DONE);
    ck_assert_int_eq(hdb_changes(db), 2);
    hdb_finalize(st);
    EQ("SELECT name, seq, typeof(seq) FROM sqlite_sequence ORDER BY name", "a|50|integer\nb|7|integer\n");
    q("EXPLAIN DELETE FROM sqlite_sequence WHERE name = 'a'");
    q("BEGIN");
    q("DELETE FROM sqlite_sequence");
    EQ("SELECT count(*) FROM sqlite_sequence", "0\n");
    q("ROLLBACK");
    EQ("SELECT name, seq FROM sqlite_sequence WHERE seq > 10", "a|50\n");
    ck_assert_int_eq(hdb_prepare(db, "UPDATE sqlite_sequence AS s SET seq = ?2 WHERE s.name = ?1", -1, &st, NULL),
                     HDB_OK);
    ck_assert_int_eq(hdb_bind_text(st, 1, "b", -1), HDB_OK);
    ck_assert_int_eq(hdb_bind_double(st, 2, 9.0), HDB_OK); /* integer affinity */
    ck_assert_int_eq(hdb_step(st), HDB_DONE);
    hdb_finalize(st);
    q("INSERT INTO b(v) VALUES(1)");
    q("INSERT INTO a(v) VALUES(3)");
    EQ("SELECT id FROM b", "10\n");
    EQ("SELECT max(id) FROM a", "51\n");
    q("WITH m(n, s) AS (SELECT 'b', 99) INSERT INTO sqlite_sequence SELECT n, s FROM m");
    EQ("SELECT seq FROM sqlite_sequence WHERE name = 'b'", "99\n");
    fails("INSERT INTO sqlite_sequence VALUES('nope', 1)", HDB_ERROR, "no AUTOINCREMENT table named nope");
    fails("INSERT INTO sqlite_sequence VALUES(1, 1)", HDB_ERROR, "must be text");
    fails("INSERT INTO sqlite_sequence VALUES('a', NULL)", HDB_ERROR, "must be an integer");
    fails("INSERT INTO sqlite_sequence VALUES('a')", HDB_ERROR, "1 values for 2 columns");
    fails("INSERT INTO sqlite_sequence(name, x) VALUES('a', 1)", HDB_ERROR, "no column named x");
    fails("INSERT INTO sqlite_sequence DEFAULT VALUES", HDB_ERROR, "DEFAULT VALUES");
    fails("DELETE FROM sqlite_sequence RETURNING *", HDB_ERROR, "RETURNING");
    fails("UPDATE sqlite_sequence SET name = 'c'", HDB_ERROR, "only seq");
    fails("UPDATE sqlite_sequence SET nope = 1", HDB_ERROR, "no such column: nope");
    fails("DELETE FROM sqlite_sequence WHERE nope = 1", HDB_ERROR, "no such column");
    EQ("SELECT name, seq FROM sqlite_sequence ORDER BY name", "a|51\nb|99\n");
    /* A table's mark goes with the table. */
    q("DROP TABLE a");
    EQ("SELECT name FROM sqlite_sequence", "b\n");
}
END_TEST

START_TEST(test_compound_and_values)
{
    EQ("SELECT 1 UNION SELECT 2 UNION SELECT 1", "1\n2\n");
    EQ("SELECT 2 UNION ALL SELECT 1 UNION ALL SELECT 2", "2\n1\n2\n");
    EQ("SELECT 1 INTERSECT SELECT 1", "1\n");
    EQ("SELECT 3 UNION SELECT 1 EXCEPT SELECT 3", "1\n");
    EQ("VALUES(1, 'a'), (2, 'b') ORDER BY 1 DESC", "2|b\n1|a\n");
    EQ("SELECT * FROM (SELECT 1 AS x UNION ALL SELECT 2) WHERE x > 1", "2\n");
    EQ("WITH w(n) AS (SELECT 5) SELECT n * 2 FROM w", "10\n");
    EQ("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5)"
       " SELECT group_concat(n) FROM c", "1,2,3,4,5\n");
    EQ("WITH RECURSIVE c(n) AS (SELECT 1 UNION SELECT n % 3 + 1 FROM c) SELECT n FROM c",
       "1\n2\n3\n");
    EQ("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT n FROM c LIMIT 3",
       "1\n2\n3\n");
    fails("SELECT 1 UNION SELECT 1, 2", HDB_ERROR, "do not have the same number");
}
END_TEST

START_TEST(test_expressions)
{
    EQ("SELECT CASE 2 WHEN 1 THEN 'a' WHEN 2 THEN 'b' END, CASE WHEN NULL THEN 1 ELSE 0 END",
       "b|0\n");
    EQ("SELECT 5 BETWEEN 1 AND 10, 'abc' LIKE 'A%', 'abc' GLOB 'A*', NULL IS NULL, 1 IS NOT 2",
       "1|1|0|1|1\n");
    EQ("SELECT 2 IN (1, 2), 3 NOT IN (1, NULL), NULL IN (), CAST('12x' AS INTEGER)",
       "1|NULL|0|12\n");
    EQ("SELECT 'a' = 'A' COLLATE NOCASE, abs(-3), coalesce(NULL, 4), length('héllo')",
       "1|3|4|5\n");
    EQ("SELECT (1, 2) = (1, 2), (1, 2) < (1, 3)", "1|1\n");
    q("CREATE TABLE t(a INTEGER, b)");
    q("INSERT INTO t VALUES(1, 10), (2, 20), (3, 30)");
    EQ("SELECT a FROM t WHERE b > (SELECT avg(b) FROM t)", "3\n");
    EQ("SELECT a, (SELECT count(*) FROM t AS u WHERE u.a < t.a) FROM t ORDER BY a",
       "1|0\n2|1\n3|2\n");
    EQ("SELECT a FROM t WHERE EXISTS (SELECT 1 FROM t AS u WHERE u.b = t.a * 10 + 10)",
       "1\n2\n");
    EQ("SELECT a FROM t WHERE a IN (SELECT a FROM t WHERE b >= 20) ORDER BY 1", "2\n3\n");
    EQ("SELECT a FROM t WHERE '2' = a", "2\n");
    fails("SELECT nosuch(1)", HDB_ERROR, "no such function: nosuch");
    fails("SELECT x FROM t", HDB_ERROR, "no such column: x");
    fails("SELECT * FROM nowhere", HDB_ERROR, "no such table: nowhere");
    fails("SELEC 1", HDB_ERROR, "syntax error");
}
END_TEST

START_TEST(test_prepared)
{
    q("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)");
    hdb_stmt *s;
    ck_assert_int_eq(hdb_prepare(db, "INSERT INTO t VALUES(?1, :b)", -1, &s, NULL), HDB_OK);
    ck_assert_int_eq(hdb_bind_parameter_count(s), 2);
    ck_assert_int_eq(hdb_bind_parameter_index(s, ":b"), 2);
    for (int i = 1; i <= 3; i++) {
        char txt[16];
        snprintf(txt, sizeof txt, "v%d", i);
        ck_assert_int_eq(hdb_bind_int64(s, 1, i), HDB_OK);
        ck_assert_int_eq(hdb_bind_text(s, 2, txt, -1), HDB_OK);
        ck_assert_int_eq(hdb_step(s), HDB_DONE);
        ck_assert_int_eq(hdb_reset(s), HDB_OK);
    }
    hdb_finalize(s);
    ck_assert_int_eq(hdb_prepare(db, "SELECT b, a * 1.5 FROM t WHERE a >= ? ORDER BY a", -1, &s,
                                 NULL),
                     HDB_OK);
    hdb_bind_int64(s, 1, 2);
    ck_assert_int_eq(hdb_step(s), HDB_ROW);
    ck_assert_str_eq(hdb_column_text(s, 0), "v2");
    ck_assert_int_eq(hdb_column_type(s, 1), HDB_FLOAT);
    ck_assert_str_eq(hdb_column_text(s, 1), "3.0");
    ck_assert_int_eq(hdb_step(s), HDB_ROW);
    ck_assert_int_eq(hdb_column_int64(s, 1), 4);
    ck_assert_int_eq(hdb_step(s), HDB_DONE);
    /* a schema change makes the statement recompile */
    q("ALTER TABLE t ADD COLUMN c DEFAULT 'dflt'");
    hdb_reset(s);
    ck_assert_int_eq(hdb_step(s), HDB_ROW);
    hdb_finalize(s);
    EQ("SELECT a, c FROM t WHERE a = 1", "1|dflt\n");
    const char *tail;
    ck_assert_int_eq(hdb_prepare(db, "  -- nothing\n ", -1, &s, &tail), HDB_OK);
    ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_transactions)
{
    q("CREATE TABLE t(a UNIQUE)");
    ck_assert_int_eq(hdb_get_autocommit(db), 1);
    q("BEGIN");
    ck_assert_int_eq(hdb_get_autocommit(db), 0);
    q("INSERT INTO t VALUES(1)");
    fails("INSERT INTO t VALUES(2), (1)", HDB_CONSTRAINT, "UNIQUE");
    q("INSERT INTO t VALUES(3)");
    q("COMMIT");
    EQ("SELECT a FROM t ORDER BY a", "1\n3\n");
    q("BEGIN; INSERT INTO t VALUES(4); ROLLBACK");
    EQ("SELECT count(*) FROM t", "2\n");
    q("SAVEPOINT s1; INSERT INTO t VALUES(5); SAVEPOINT s2; INSERT INTO t VALUES(6)");
    q("ROLLBACK TO s2");
    q("RELEASE s1");
    ck_assert_int_eq(hdb_get_autocommit(db), 1);
    EQ("SELECT a FROM t ORDER BY a", "1\n3\n5\n");
    fails("COMMIT", HDB_ERROR, "no transaction is active");
    q("BEGIN; CREATE TABLE u(x); INSERT INTO u VALUES(1); ROLLBACK");
    fails("SELECT * FROM u", HDB_ERROR, "no such table: u");
}
END_TEST

START_TEST(test_indexes_and_plans)
{
    q("CREATE TABLE t(pk INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL)");
    q("CREATE INDEX ta ON t(a)");
    q("CREATE INDEX tbc ON t(b, c DESC)");
    for (int i = 0; i < 50; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO t VALUES(%d, %d, 'k%d', %d.5)", i, i % 10, i % 5, i);
        q(sql);
    }
    EQ("SELECT count(*) FROM t WHERE a = 3", "5\n");
    EQ("SELECT count(*) FROM t WHERE a BETWEEN 2 AND 4", "15\n");
    EQ("SELECT count(*) FROM t WHERE a IN (1, 1, 9)", "10\n");
    EQ("SELECT pk FROM t WHERE b = 'k2' AND c > 40 ORDER BY pk", "42\n47\n");
    EQ("SELECT pk FROM t WHERE pk IN (3, 7, 100)", "3\n7\n");
    EQ("SELECT count(*) FROM t WHERE a = '3'", "5\n");
    EQ("EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = 1", "2|0|0|SEARCH t USING INDEX ta (a=?)\n");
    EQ("EXPLAIN QUERY PLAN SELECT * FROM t WHERE pk = 1",
       "2|0|0|SEARCH t USING INTEGER PRIMARY KEY (rowid=?)\n");
    EQ("EXPLAIN QUERY PLAN SELECT * FROM t WHERE c = 1", "2|0|0|SCAN t\n");
    EQ("EXPLAIN QUERY PLAN SELECT * FROM t NOT INDEXED WHERE a = 1", "2|0|0|SCAN t\n");
    EQ("EXPLAIN QUERY PLAN SELECT * FROM t INDEXED BY tbc WHERE a = 1 AND b = 'k1'",
       "2|0|0|SEARCH t USING INDEX tbc (b=?)\n");
    /* nothing bounds the forced index: all of it is read (as SQLite does) */
    EQ("EXPLAIN QUERY PLAN SELECT * FROM t INDEXED BY tbc WHERE a = 1",
       "2|0|0|SCAN t USING INDEX tbc\n");
    EQ("SELECT count(*) FROM t INDEXED BY tbc WHERE a = 1", "5\n");
    EQ("EXPLAIN QUERY PLAN DELETE FROM t WHERE a = 3", "2|0|0|SEARCH t USING INDEX ta (a=?)\n");
    q("UPDATE t SET a = 100 WHERE a = 3");
    EQ("SELECT count(*) FROM t WHERE a = 3", "0\n");
    EQ("SELECT count(*) FROM t WHERE a = 100", "5\n");
    q("DELETE FROM t WHERE a = 100");
    EQ("SELECT count(*) FROM t WHERE a > 50", "0\n");
    q("CREATE TABLE u(x, y)");
    q("INSERT INTO u VALUES(1, 'k1'), (2, 'k2')");
    EQ("SELECT u.x, count(*) FROM u JOIN t ON t.b = u.y GROUP BY u.x", "1|10\n2|10\n");
    /* the join order puts the table an index can reach inside the loop */
    EQ("EXPLAIN QUERY PLAN SELECT * FROM t, u WHERE t.b = u.y",
       "2|0|0|SCAN u\n3|0|0|SEARCH t USING INDEX tbc (b=?)\n");
    EQ("EXPLAIN QUERY PLAN SELECT * FROM t CROSS JOIN u WHERE t.b = u.y",
       "2|0|0|SCAN t\n3|0|0|SCAN u\n");
    EQ("SELECT count(*) FROM t, u WHERE t.b = u.y", "20\n");
    fails("CREATE UNIQUE INDEX ua ON t(a)", HDB_CONSTRAINT, "UNIQUE constraint failed: t.a");
    q("DROP INDEX ta");
    fails("DROP INDEX ta", HDB_ERROR, "no such index: ta");
    q("DROP INDEX IF EXISTS ta");
}
END_TEST

START_TEST(test_alter)
{
    q("CREATE TABLE t(a INTEGER PRIMARY KEY, b)");
    q("INSERT INTO t VALUES(1, 'x')");
    q("ALTER TABLE t ADD COLUMN c INT DEFAULT 42");
    q("INSERT INTO t VALUES(2, 'y', 7)");
    EQ("SELECT a, b, c FROM t ORDER BY a", "1|x|42\n2|y|7\n");
    q("ALTER TABLE t RENAME TO t2");
    fails("SELECT * FROM t", HDB_ERROR, "no such table: t");
    q("ALTER TABLE t2 RENAME COLUMN b TO bb");
    EQ("SELECT bb FROM t2 ORDER BY a", "x\ny\n");
    q("ALTER TABLE t2 DROP COLUMN bb");
    EQ("SELECT * FROM t2 ORDER BY a", "1|42\n2|7\n");
    EQ("SELECT name FROM sqlite_master WHERE type = 'table'", "t2\n");
}
END_TEST

START_TEST(test_foreign_keys_and_json)
{
    q("CREATE TABLE p(id INTEGER PRIMARY KEY, name)");
    q("CREATE TABLE c(id INTEGER PRIMARY KEY, pid REFERENCES p(id))");
    q("INSERT INTO p VALUES(1, 'a')");
    q("INSERT INTO c VALUES(10, 1), (11, NULL)");
    fails("INSERT INTO c VALUES(12, 2)", HDB_CONSTRAINT, "FOREIGN KEY constraint failed");
    fails("DELETE FROM p WHERE id = 1", HDB_CONSTRAINT, "FOREIGN KEY constraint failed");
    q("DELETE FROM c WHERE pid = 1");
    q("DELETE FROM p WHERE id = 1");
    q("CREATE TABLE p2(id INTEGER PRIMARY KEY, k UNIQUE)");
    q("CREATE TABLE c2(id INTEGER PRIMARY KEY, pk REFERENCES p2(k) ON DELETE CASCADE"
      " ON UPDATE CASCADE, pid REFERENCES p2 ON DELETE SET NULL)");
    q("INSERT INTO p2 VALUES(1, 'a'), (2, 'b')");
    q("INSERT INTO c2 VALUES(10, 'a', 2), (11, 'b', 2), (12, 'a', NULL)");
    q("UPDATE p2 SET k = 'z' WHERE id = 1");
    EQ("SELECT id, pk, pid FROM c2 ORDER BY id", "10|z|2\n11|b|2\n12|z|NULL\n");
    q("DELETE FROM p2 WHERE id = 2");
    EQ("SELECT id, pk, pid FROM c2 ORDER BY id", "10|z|NULL\n12|z|NULL\n");
    q("DELETE FROM p2 WHERE k = 'z'");
    EQ("SELECT count(*) FROM c2", "0\n");
    /* PRAGMA foreign_keys = OFF: no checks and no actions on this
     * connection (a no-op inside a transaction); ON again checks. */
    q("INSERT INTO p2 VALUES(3, 'c')");
    q("INSERT INTO c2 VALUES(20, 'c', 3)");
    q("BEGIN");
    q("PRAGMA foreign_keys = OFF");
    EQ("PRAGMA foreign_keys", "1\n");
    q("COMMIT");
    q("PRAGMA foreign_keys = OFF");
    EQ("PRAGMA foreign_keys", "0\n");
    q("INSERT INTO c VALUES(13, 99)");
    q("DELETE FROM p2 WHERE id = 3");
    EQ("SELECT id, pk, pid FROM c2 ORDER BY id", "20|c|3\n");
    q("PRAGMA foreign_keys = yes");
    EQ("PRAGMA foreign_keys", "1\n");
    fails("INSERT INTO c VALUES(14, 98)", HDB_CONSTRAINT, "FOREIGN KEY constraint failed");
    q("CREATE TABLE j(doc JSON)");
    q("INSERT INTO j VALUES('{\"a\": [1, 2]}')");
    fails("INSERT INTO j VALUES('{bad')", HDB_CONSTRAINT, "JSON");
    EQ("SELECT doc ->> '$.a[1]' FROM j", "2\n");
}
END_TEST

START_TEST(test_branches)
{
    q("CREATE TABLE t(id INTEGER PRIMARY KEY, a, b)");
    q("INSERT INTO t VALUES(1, 'a0', 'b0')");
    q("CREATE BRANCH dev");
    q("USE BRANCH dev");
    q("UPDATE t SET a = 'a-dev' WHERE id = 1");
    q("CREATE TABLE only_dev(x)");
    q("USE BRANCH main");
    fails("SELECT * FROM only_dev", HDB_ERROR, "no such table: only_dev");
    q("UPDATE t SET b = 'b-main' WHERE id = 1");
    EQ("SELECT a, b FROM t", "a0|b-main\n");
    q("MERGE BRANCH dev INTO main");
    EQ("SELECT a, b FROM t", "a-dev|b-main\n");
    q("SELECT * FROM only_dev");
    const char *r = q("SHOW BRANCHES");
    ck_assert_ptr_nonnull(strstr(r, "dev|main|0"));
    q("DROP BRANCH dev");
    fails("USE BRANCH dev", HDB_NOTFOUND, NULL);
    q("CHECKPOINT");
}
END_TEST

START_TEST(test_merge_conflicts)
{
    q("CREATE TABLE t(id INTEGER PRIMARY KEY, a, b)");
    q("CREATE INDEX ta ON t(a)");
    q("INSERT INTO t VALUES(1, 'a0', 'b0'), (2, 'x', 'y')");
    q("CREATE BRANCH f");
    q("USE BRANCH f");
    q("UPDATE t SET a = 'a-f' WHERE id = 1");
    q("INSERT INTO t VALUES(3, 'new', 'row')");
    q("USE BRANCH main");
    q("UPDATE t SET a = 'a-main' WHERE id = 1");
    q("INSERT INTO t VALUES(4, 'main', 'row')");
    fails("MERGE BRANCH f INTO main", HDB_CONFLICT, NULL);
    EQ("SELECT a FROM t WHERE id = 1", "a-main\n");
    EQ("MERGE BRANCH f INTO main USING THEIRS", "1|1|0|1|0\n"); /* rows, not index entries */
    EQ("SELECT id, a FROM t ORDER BY id", "1|a-f\n2|x\n3|new\n4|main\n");
    EQ("SELECT id FROM t WHERE a IN ('a-f', 'a-main', 'a0')", "1\n"); /* index rebuilt */
    /* schema changed on both sides: a conflict in the catalog */
    q("CREATE BRANCH g");
    q("USE BRANCH g");
    q("CREATE TABLE g_only(x)");
    q("USE BRANCH main");
    q("CREATE TABLE main_only(y)");
    fails("MERGE BRANCH g INTO main", HDB_CONFLICT, NULL);
    fails("SELECT * FROM g_only", HDB_ERROR, "no such table");
    /* dry run writes nothing */
    q("CREATE BRANCH h");
    q("USE BRANCH h");
    q("INSERT INTO t VALUES(5, 'h', 'h')");
    q("USE BRANCH main");
    q("MERGE BRANCH h INTO main DRY RUN");
    EQ("SELECT count(*) FROM t WHERE id = 5", "0\n");
    fails("BEGIN; USE BRANCH h", HDB_ERROR, "within a transaction");
    q("ROLLBACK");
}
END_TEST

START_TEST(test_reopen)
{
    q("CREATE TABLE t(a TEXT, b INTEGER UNIQUE)");
    q("CREATE INDEX ta ON t(a)");
    q("INSERT INTO t VALUES('x', 1), ('y', 2)");
    hdb_close(db);
    open_db();
    EQ("SELECT a FROM t WHERE a = 'y'", "y\n");
    fails("INSERT INTO t VALUES('z', 1)", HDB_CONSTRAINT, "UNIQUE constraint failed: t.b");
    EQ("SELECT type, name, tbl_name FROM sqlite_schema ORDER BY name",
       "index|sqlite_autoindex_t_1|t\ntable|t|t\nindex|ta|t\n");
    EQ("PRAGMA table_info(t)", "0|a|TEXT|0|NULL|0\n1|b|INTEGER|0|NULL|0\n");
    EQ("PRAGMA index_list(t)", "0|sqlite_autoindex_t_1|1|u|0\n1|ta|0|c|0\n");
    EQ("PRAGMA index_info(ta)", "0|0|a\n");
    EQ("PRAGMA foreign_keys", "1\n");
    EQ("PRAGMA foreign_keys = OFF", ""); /* setting one returns nothing */
    EQ("PRAGMA foreign_keys", "0\n");
    EQ("PRAGMA foreign_keys = ON", "");
}
END_TEST

static int stop_cb(void *ctx, int ncol, const char *const *vals, const char *const *names)
{
    (void)ncol, (void)vals, (void)names;
    return ++*(int *)ctx >= 2;
}

START_TEST(test_two_connections)
{
    char path[512];
    tu_path(path, sizeof path, dir, "t.db");
    hdb *db2;
    ck_assert_int_eq(hdb_open(path, NULL, &db2), HDB_OK);
    q("CREATE TABLE t(a)");
    q("INSERT INTO t VALUES(1), (2), (3)");
    hdb_stmt *s;
    ck_assert_int_eq(hdb_prepare(db2, "SELECT count(*) FROM t", -1, &s, NULL), HDB_OK);
    ck_assert_int_eq(hdb_step(s), HDB_ROW);
    ck_assert_int_eq(hdb_column_int64(s, 0), 3);
    hdb_finalize(s);
    q("ALTER TABLE t ADD COLUMN b DEFAULT 'x'");
    ck_assert_int_eq(hdb_prepare(db2, "SELECT b FROM t LIMIT 1", -1, &s, NULL), HDB_OK);
    ck_assert_int_eq(hdb_step(s), HDB_ROW);
    ck_assert_str_eq(hdb_column_text(s, 0), "x");
    hdb_finalize(s);
    int n = 0;
    ck_assert_int_eq(hdb_exec(db2, "SELECT a FROM t", stop_cb, &n), HDB_ERROR);
    ck_assert_ptr_nonnull(strstr(hdb_errmsg(db2), "callback requested abort"));
    ck_assert_int_eq(hdb_prepare(db2, "SELECT * FROM t", -1, &s, NULL), HDB_OK); /* freed by close */
    hdb_close(db2);
}
END_TEST

START_TEST(test_progress_limit)
{
    q("CREATE TABLE t(a INTEGER PRIMARY KEY, b)");
    q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)"
      " INSERT INTO t SELECT i, i FROM n");
    ck_assert_int_eq(hdb_set_progress_limit(db, -1), HDB_MISUSE);
    ck_assert_int_eq(hdb_set_progress_limit(db, 1000), HDB_OK);
    EQ("SELECT count(*) FROM t AS x, t AS y WHERE x.a < 10", "900\n");
    fails("SELECT count(*) FROM t AS x, t AS y, t AS z", HDB_ERROR, "interrupted");
    fails("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n",
          HDB_ERROR, "interrupted");
    fails("SELECT (SELECT count(*) FROM t AS y WHERE y.b > x.b) FROM t AS x", HDB_ERROR,
          "interrupted");
    /* A statement stopped inside a transaction leaves nothing behind. */
    q("BEGIN");
    fails("UPDATE t SET b = (SELECT count(*) FROM t AS y WHERE y.a <= t.a)", HDB_ERROR,
          "interrupted");
    EQ("SELECT sum(b) FROM t", "5050\n");
    q("COMMIT");
    ck_assert_int_eq(hdb_set_progress_limit(db, 0), HDB_OK);
    EQ("SELECT count(*) FROM t AS x, t AS y, t AS z", "1000000\n");
    ck_assert_int_eq(hdb_check(db, NULL), HDB_OK);
}
END_TEST

/* Run every statement of the n bytes at z through prepare/step, as the
 * executor fuzzer does (tests/fuzz/fuzz_exec.c); failures are skipped, a
 * parse error ends the text. */
static void run_bytes(const char *z, size_t n)
{
    const char *p = z, *end = z + n;
    while (p < end) {
        hdb_stmt *s = NULL;
        const char *tail = NULL;
        int rc = hdb_prepare(db, p, (int)(end - p), &s, &tail);
        ck_assert_int_ne(rc, HDB_CORRUPT);
        if (s) {
            while ((rc = hdb_step(s)) == HDB_ROW)
                ;
            ck_assert_msg(rc != HDB_CORRUPT, "%s: %s", hdb_sql(s), hdb_errmsg(db));
            hdb_finalize(s);
        }
        if (!tail || tail == p)
            break;
        p = tail;
    }
    ck_assert_int_eq(hdb_check(db, NULL), HDB_OK);
}

#define RUN_BYTES(lit) run_bytes(lit, sizeof lit - 1)

/* Inputs found by tests/fuzz/fuzz_exec.c, minimised. */
START_TEST(test_fuzz_exec_regressions)
{
    /* A NUL inside the text given to hdb_prepare: the CREATE ran on the
     * whole text but the schema kept it only up to the NUL, so every later
     * statement found a malformed schema (HDB_CORRUPT).  The text now ends
     * at its first NUL, as in SQLite. */
    RUN_BYTES("CREATE TABLE t(a DEFAULT 'x\0y'); CREATE TABLE u(b)");
    EQ("SELECT count(*) FROM sqlite_master", "0\n");
    q("CREATE TABLE t(a)");
    EQ("SELECT name FROM sqlite_master", "t\n");

    /* CTEs reading each other: compiling a compiled b, which compiled a
     * again, until the stack overflowed. */
    fails("WITH RECURSIVE a(x) AS (SELECT * FROM b), b(x) AS (SELECT * FROM a) SELECT * FROM a",
          HDB_ERROR, "circular reference: a");
    fails("WITH RECURSIVE a(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM b WHERE x < 5),"
          " b(x) AS (SELECT x FROM a) SELECT * FROM a",
          HDB_ERROR, "circular reference: a");
    /* A CTE reads the ones before it in its WITH (it could not see them). */
    EQ("WITH a(x) AS (SELECT 1), b(y) AS (SELECT x + 1 FROM a), c AS (SELECT * FROM a, b)"
       " SELECT * FROM c",
       "1|2\n");
    EQ("WITH a(x) AS (SELECT 1) SELECT * FROM (WITH b AS (SELECT x FROM a) SELECT * FROM b)",
       "1\n");

    /* Views on views, each used twice: every use compiles the body again,
     * so view n compiled 2^n selects and hdb_prepare hung. */
    q("CREATE VIEW v0 AS SELECT 1 AS x");
    char sql[128];
    int n;
    for (n = 1; n < 40; n++) {
        snprintf(sql, sizeof sql, "CREATE VIEW v%d AS SELECT a.x FROM v%d AS a, v%d AS b", n,
                 n - 1, n - 1);
        if (hdb_exec(db, sql, NULL, NULL) != HDB_OK)
            break;
    }
    ck_assert_msg(n < 20, "view v%d still compiles", n);
    ck_assert_ptr_nonnull(strstr(hdb_errmsg(db), "statement too complex"));
    EQ("SELECT count(*) FROM v3", "1\n");
}
END_TEST

/* One-row INSERTs inside BEGIN run without a savepoint of their own: a
 * refused row (constraint, too long an index key, a datatype mismatch)
 * writes nothing, the transaction goes on, and the sequence of an INTEGER
 * PRIMARY KEY loses no number to it. */
START_TEST(test_single_row_insert_in_txn)
{
    q("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT UNIQUE);"
      "CREATE INDEX t_a ON t(a)");
    q("BEGIN; INSERT INTO t(a, b) VALUES('x', 'u1')");
    fails("INSERT INTO t(a, b) VALUES(NULL, 'u2')", HDB_CONSTRAINT, "NOT NULL constraint failed: t.a");
    fails("INSERT INTO t(a, b) VALUES('y', 'u1')", HDB_CONSTRAINT, "UNIQUE constraint failed: t.b");
    fails("INSERT INTO t(id, a) VALUES('z', 'y')", HDB_ERROR, "datatype mismatch");
    fails("INSERT INTO t(a, b) VALUES(printf('%.3000c', 'k'), 'u3')", HDB_RANGE, "index t_a: a key of");
    q("INSERT INTO t(a, b) VALUES('y', 'u2')");
    q("COMMIT");
    EQ("SELECT id, a, b FROM t", "1|x|u1\n2|y|u2\n");
    EQ("SELECT count(*) FROM t INDEXED BY t_a WHERE a > ''", "2\n");
    EQ("SELECT id FROM t WHERE b = 'u2'", "2\n");
    /* Several rows still share one savepoint: all or nothing. */
    q("BEGIN");
    fails("INSERT INTO t(a, b) VALUES('p', 'u5'), (NULL, 'u6')", HDB_CONSTRAINT,
          "NOT NULL constraint failed: t.a");
    q("COMMIT");
    EQ("SELECT count(*) FROM t", "2\n");
    char *rep = NULL;
    ck_assert_int_eq(hdb_check(db, &rep), HDB_OK);
    hdb_free(rep);
}
END_TEST

/* The column of an INTEGER PRIMARY KEY is the rowid: its record stores
 * NULL there, and every reader (scans, lookups, covering indexes, DROP
 * COLUMN, integrity check) gives the rowid back. */
START_TEST(test_rowid_alias_record)
{
    q("CREATE TABLE r(a TEXT, id INTEGER PRIMARY KEY, b INTEGER)");
    q("CREATE INDEX r_bid ON r(b, id)");
    q("INSERT INTO r VALUES('x', 5, 7), ('y', NULL, 8), ('z', 300, 9)");
    q("UPDATE r SET id = 10 WHERE id = 5");
    EQ("SELECT id, a, b FROM r ORDER BY id", "6|y|8\n10|x|7\n300|z|9\n");
    EQ("SELECT a, id FROM r WHERE id = 300", "z|300\n");
    EQ("SELECT id FROM r WHERE id IN (6, 10) ORDER BY id DESC", "10\n6\n");
    EQ("SELECT id, b FROM r INDEXED BY r_bid WHERE b >= 8 ORDER BY b", "6|8\n300|9\n");
    EQ("SELECT count(*) FROM r WHERE id BETWEEN 6 AND 10", "2\n");
    EQ("PRAGMA integrity_check", "ok\n");
    /* The stored records: column 1 is NULL in every one. */
    hdb_txn *t;
    char **names;
    size_t n, rows = 0;
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_list(t, &names, &n), HDB_OK);
    for (size_t i = 0; i < n; i++) {
        uint32_t ks;
        hdb_cursor *cu;
        if (names[i][0] != 't' || hdb_ks_open(t, names[i], 0, &ks) != HDB_OK)
            continue;
        ck_assert_int_eq(hdb_cursor_open(t, ks, &cu), HDB_OK);
        for (int rc = hdb_cursor_first(cu); rc == HDB_OK; rc = hdb_cursor_next(cu)) {
            hdb_val k, v;
            hdb_sql_value col[3];
            int nst;
            ck_assert_int_eq(hdb_cursor_get(cu, &k, &v), HDB_OK);
            ck_assert_int_eq(hdb__sql_record_decode(v.data, v.size, col, 3, &nst), HDB_OK);
            ck_assert_int_eq(nst, 3);
            ck_assert_int_eq(col[1].type, HDB_NULL);
            rows++;
        }
        hdb_cursor_close(cu);
    }
    hdb_free(names);
    hdb_txn_abort(t);
    ck_assert_uint_eq(rows, 3);
    /* A column dropped before it moves the rowid's column left. */
    q("ALTER TABLE r DROP COLUMN a");
    EQ("SELECT * FROM r ORDER BY id", "6|8\n10|7\n300|9\n");
    q("INSERT INTO r VALUES(1, 1)");
    EQ("SELECT id FROM r WHERE b = 1", "1\n");
    EQ("PRAGMA integrity_check", "ok\n");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_exec");
    TCase *c = tcase_create("core");
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_set_timeout(c, 60);
    tcase_add_test(c, test_basic);
    tcase_add_test(c, test_column_names);
    tcase_add_test(c, test_views);
    tcase_add_test(c, test_constraints);
    tcase_add_test(c, test_upsert);
    tcase_add_test(c, test_order_by_index);
    tcase_add_test(c, test_joins);
    tcase_add_test(c, test_aggregates);
    tcase_add_test(c, test_compound_and_values);
    tcase_add_test(c, test_expressions);
    tcase_add_test(c, test_prepared);
    tcase_add_test(c, test_transactions);
    tcase_add_test(c, test_indexes_and_plans);
    tcase_add_test(c, test_alter);
    tcase_add_test(c, test_foreign_keys_and_json);
    tcase_add_test(c, test_branches);
    tcase_add_test(c, test_merge_conflicts);
    tcase_add_test(c, test_reopen);
    tcase_add_test(c, test_two_connections);
    tcase_add_test(c, test_progress_limit);
    tcase_add_test(c, test_fuzz_exec_regressions);
    tcase_add_test(c, test_single_row_insert_in_txn);
    tcase_add_test(c, test_rowid_alias_record);
    tcase_add_test(c, test_sqlite_sequence);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
