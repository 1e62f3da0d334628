/*
** check_sql_diff.c — regressions found by the differential tester
** (tests/diff): each case is SQL whose answer must be SQLite's.
**
** A case is a setup script (run with hdb_exec) and a query with the rows
** SQLite returns, rendered "a|b" per row, "\n" between rows, NULL as
** "NULL"; or "ERROR" when SQLite rejects the query.  Rows are compared in
** order, so queries without a full ORDER BY return one row or are ordered.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heliosdb.h"
#include "support/test_util.h"

static char *dir;
static hdb *db;

static void setup(void)
{
    dir = tu_tmpdir();
    db = tu_open_nosync(dir, "d.db");
}

static void teardown(void)
{
    hdb_close(db);
    tu_rmdir(dir);
    free(dir);
}

/* The rows of sql rendered as described above, or "ERROR"; returned-owned. */
static char *answer(const char *sql)
{
    hdb_stmt *st;
    size_t cap = 1 << 12, n = 0;
    char *b;
    int rc;
    if (hdb_prepare(db, sql, -1, &st, NULL) != HDB_OK)
        return strdup("ERROR");
    b = malloc(cap);
    b[0] = 0;
    while ((rc = hdb_step(st)) == HDB_ROW) {
        for (int i = 0; i < hdb_column_count(st); i++) {
            const char *v = hdb_column_text(st, i);
            size_t need = n + (v ? strlen(v) : 4) + 3;
            if (need > cap) {
                cap = 2 * need;
                b = realloc(b, cap);
            }
            n += (size_t)sprintf(b + n, "%s%s", i ? "|" : "", v ? v : "NULL");
        }
        b[n++] = '\n';
        b[n] = 0;
    }
    hdb_finalize(st);
    if (rc != HDB_DONE) {
        free(b);
        return strdup("ERROR");
    }
    if (n)
        b[n - 1] = 0; /* no newline after the last row */
    return b;
}

typedef struct dcase {
    const char *setup; /* may be NULL */
    const char *sql;
    const char *expect;
} dcase;

static void run_cases(const dcase *c, int n)
{
    for (int i = 0; i < n; i++) {
        if (c[i].setup)
            ck_assert_msg(hdb_exec(db, c[i].setup, NULL, NULL) == HDB_OK, "%s: %s", c[i].setup,
                          hdb_errmsg(db));
        char *got = answer(c[i].sql);
        ck_assert_msg(!strcmp(got, c[i].expect), "%s\n  expected: %s\n  got: %s", c[i].sql,
                      c[i].expect, got);
        free(got);
    }
}

#define RUN(cases) run_cases(cases, (int)(sizeof cases / sizeof *cases))

/* ORDER BY and GROUP BY take a literal under unary + and - as a column
 * number, as SQLite does: "ORDER BY - - 2" is column 2, "+ 19" is out of
 * range. */
START_TEST(test_order_by_signed_number)
{
    static const dcase cases[] = {
        {"CREATE TABLE t(a INTEGER, b INTEGER); INSERT INTO t VALUES(1,9),(2,8),(3,7)",
         "SELECT a, b FROM t ORDER BY - - 2", "3|7\n2|8\n1|9"},
        {NULL, "SELECT a, b FROM t ORDER BY + 1 DESC", "3|7\n2|8\n1|9"},
        {NULL, "SELECT a FROM t ORDER BY + 19", "ERROR"},
        {NULL, "SELECT a FROM t ORDER BY - 1", "ERROR"},
        {NULL, "SELECT a FROM t UNION SELECT b FROM t ORDER BY - - 38", "ERROR"},
        {NULL, "SELECT a % 2, COUNT(*) FROM t GROUP BY + 1 ORDER BY 1", "0|1\n1|2"},
        /* a literal beyond 32 bits is a constant, not a column number */
        {NULL, "SELECT COUNT(*) FROM (SELECT a FROM t ORDER BY - - 9223372036854775807)", "3"},
        {NULL, "SELECT COUNT(*) FROM (SELECT a FROM t ORDER BY 2147483648)", "3"},
        {NULL, "SELECT a FROM t ORDER BY 2147483647", "ERROR"},
    };
    RUN(cases);
}
END_TEST

/* A view used twice in one FROM, its select holding a correlated
 * subquery: each use compiles its own copy (they shared the subquery, and
 * the first use read the second's rows: no rows at all). */
START_TEST(test_view_used_twice)
{
    static const dcase cases[] = {
        {"CREATE TABLE t(a INTEGER, b FLOAT); INSERT INTO t VALUES(5,2.5),(6,3.5);"
         "CREATE VIEW v AS SELECT - b * 24 AS c FROM t AS o WHERE EXISTS (SELECT * FROM t AS i WHERE o.a <> o.b + 5)",
         "SELECT v.c, w.c FROM v, v AS w ORDER BY 1, 2", "-84.0|-84.0\n-84.0|-60.0\n-60.0|-84.0\n-60.0|-60.0"},
        {NULL, "SELECT COUNT(*) FROM v JOIN v AS w ON 1", "4"},
    };
    RUN(cases);
}
END_TEST

/* x IN (list) compares by the affinity of x alone: the list's own columns
 * lend none, so 3 IN (text '3') is false while 3 = text '3' is true. */
START_TEST(test_in_list_affinity)
{
    static const dcase cases[] = {
        {"CREATE TABLE t(a TEXT, b INTEGER); INSERT INTO t VALUES('-3', 3)",
         "SELECT -b IN (13, a), -b = a, a IN (-3), b IN ('3'), 3 IN (a), -b NOT IN (a) FROM t",
         "0|1|1|1|0|1"},
        {NULL, "SELECT COUNT(*) AS a FROM t GROUP BY a HAVING - COUNT(*) IN (13, a)", ""},
    };
    RUN(cases);
}
END_TEST

/* "x IN ()" is false and "x NOT IN ()" true without looking at x: names in
 * it are not resolved, so an ambiguous one or an aggregate is no error. */
START_TEST(test_in_empty_list)
{
    static const dcase cases[] = {
        {"CREATE TABLE a(x INTEGER, y INTEGER); CREATE TABLE b(y INTEGER); INSERT INTO a VALUES(1,2);"
         "INSERT INTO b VALUES(3)",
         "SELECT x FROM a, b WHERE y IN ()", ""},
        {NULL, "SELECT x FROM a, b WHERE y NOT IN ()", "1"},
        {NULL, "SELECT (SELECT COUNT(*) FROM b WHERE MAX(b.y) IN ()) FROM a", "0"},
        {NULL, "SELECT NULL IN (), NULL NOT IN ()", "0|1"},
    };
    RUN(cases);
}
END_TEST

/* A LEFT JOIN's ON with a correlated subquery decides whether the row
 * matched, also when sources follow it (it was checked at the last source,
 * as a filter: no rows). */
START_TEST(test_left_join_on_subquery)
{
    static const dcase cases[] = {
        {"CREATE TABLE a(x INTEGER); CREATE TABLE b(y INTEGER); CREATE TABLE c(z INTEGER);"
         "CREATE TABLE d(q INTEGER); INSERT INTO a VALUES(1),(2); INSERT INTO b VALUES(5);"
         "INSERT INTO c VALUES(7); INSERT INTO d VALUES(7)",
         "SELECT x, y, z FROM a LEFT JOIN b ON EXISTS (SELECT 1 FROM d WHERE q >= b.y + 10), c ORDER BY 1",
         "1|NULL|7\n2|NULL|7"},
        {NULL, "SELECT x, y, z FROM a LEFT JOIN b ON (SELECT 1 FROM d WHERE q >= b.y) CROSS JOIN c ORDER BY 1",
         "1|5|7\n2|5|7"},
        {NULL, "SELECT x, y FROM a LEFT JOIN b ON (SELECT q FROM d WHERE q = a.x + 5), c ORDER BY 1",
         "1|NULL\n2|5"},
    };
    RUN(cases);
}
END_TEST

/* A correlated subquery in WHERE is checked as soon as the sources it reads
 * have rows (it used to wait for the last source), and an uncorrelated
 * IN (SELECT) probes a sorted copy of its rows: both give the same rows. */
START_TEST(test_subquery_placement_and_in_set)
{
    static const dcase cases[] = {
        {"CREATE TABLE t(a INTEGER, b TEXT, c FLOAT); INSERT INTO t VALUES(1,'1',1.0),(2,'x',2.5),"
         "(3,NULL,3.0),(4,'4',NULL),(5,'5',5.0),(6,'06',6.0),(7,'7',7.0),(8,'8',8.5),(9,'9',9.0),"
         "(10,'10',10.0),(11,'abc',11.0)",
         "SELECT a FROM t WHERE a IN (SELECT b FROM t) ORDER BY 1", "1\n4\n5\n6\n7\n8\n9\n10"},
        {NULL, "SELECT a FROM t WHERE a NOT IN (SELECT b FROM t WHERE b IS NOT NULL) ORDER BY 1",
         "2\n3\n11"},
        {NULL, "SELECT COUNT(*) FROM t WHERE a NOT IN (SELECT b FROM t)", "0"},
        {NULL, "SELECT a FROM t WHERE c IN (SELECT a FROM t) ORDER BY 1", "1\n3\n5\n6\n7\n9\n10\n11"},
        {NULL, "SELECT b FROM t WHERE b IN (SELECT a FROM t) ORDER BY 1", "06\n1\n10\n4\n5\n7\n8\n9"},
        {NULL,
         "SELECT t1.a, t2.a FROM t AS t1, t AS t2, t AS t3 WHERE t3.a = 1 AND EXISTS (SELECT 1 FROM t AS s "
         "WHERE s.a = t1.a + 9) AND t2.a = t1.a ORDER BY 1",
         "1|1\n2|2"},
    };
    RUN(cases);
}
END_TEST

/* LIMIT 0 runs nothing, as in SQLite: no rows, no run-time error, and no
 * time spent on a large join, a sort or a compound first. */
START_TEST(test_limit_zero)
{
    static const dcase cases[] = {
        {"CREATE TABLE t(a INTEGER); INSERT INTO t VALUES(1),(2)",
         "SELECT a FROM t UNION SELECT abs(-9223372036854775807 - 1) ORDER BY 1 LIMIT 0", ""},
        {NULL, "SELECT a FROM t ORDER BY abs(-9223372036854775807 - 1 + a) LIMIT 0", ""},
        {NULL, "SELECT a FROM t ORDER BY abs(-9223372036854775807 - 1 + a) LIMIT 1", "2"},
        {NULL, "SELECT COUNT(*) FROM t AS x, t AS y, t AS z LIMIT 0 OFFSET 1", ""},
    };
    RUN(cases);
}
END_TEST

/* A query is an aggregate by its GROUP BY or by aggregates in its result
 * columns: HAVING on any other query is an error, and so is an aggregate
 * in its ORDER BY (SQLite 3.39 and later). */
START_TEST(test_having_non_aggregate)
{
    static const dcase cases[] = {
        {"CREATE TABLE t(a INTEGER); INSERT INTO t VALUES(1),(2)", "SELECT 1 FROM t HAVING COUNT(*) > 0",
         "ERROR"},
        {NULL, "SELECT 57 HAVING 1", "ERROR"},
        {NULL, "SELECT a FROM t WHERE a > 1 HAVING a > 0", "ERROR"},
        {NULL, "SELECT COUNT(*) FROM t HAVING 1", "2"},
        {NULL, "SELECT MAX(a) + 1 FROM t HAVING MIN(a) > 0", "3"},
        {NULL, "SELECT a FROM t GROUP BY a HAVING a > 1", "2"},
        {NULL, "SELECT 1 FROM t ORDER BY COUNT(*)", "ERROR"},
        {NULL, "SELECT 9, 27 ORDER BY MAX(26)", "9|27"},
        {NULL, "SELECT a FROM t GROUP BY a ORDER BY COUNT(*), a", "1\n2"},
        {NULL, "SELECT COUNT(*) FROM t ORDER BY SUM(a)", "2"},
        {NULL, "SELECT a FROM t ORDER BY (SELECT COUNT(*) FROM t), a", "1\n2"},
    };
    RUN(cases);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_diff");
    TCase *tc = tcase_create("diff");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_order_by_signed_number);
    tcase_add_test(tc, test_view_used_twice);
    tcase_add_test(tc, test_in_list_affinity);
    tcase_add_test(tc, test_in_empty_list);
    tcase_add_test(tc, test_left_join_on_subquery);
    tcase_add_test(tc, test_subquery_placement_and_in_set);
    tcase_add_test(tc, test_limit_zero);
    tcase_add_test(tc, test_having_non_aggregate);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(suite()); }
