/*
** check_sql_select.c — SELECT behaviours that need many rows: ORDER BY with
** LIMIT/OFFSET (which keeps only the rows that can be in the result while
** they arrive) gives exactly the rows of a full sort, ties included, for
** plain, DISTINCT, grouped and joined queries, and for order keys that are
** not among the result columns.  Rows whose texts stay in the page during
** a read (no copy) give the same answers with a cache so small that every
** page is evicted and its frame reused soon after the scan leaves it.
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
    db = tu_open_nosync(dir, "s.db");
}

static void teardown(void)
{
    hdb_close(db);
    tu_rmdir(dir);
    free(dir);
}

/* All rows of sql as "a|b\n" lines, returned-owned (free()). */
static char *rows(const char *sql)
{
    hdb_stmt *st;
    ck_assert_msg(hdb_prepare(db, sql, -1, &st, NULL) == HDB_OK, "%s: %s", sql, hdb_errmsg(db));
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    b[0] = 0;
    int rc;
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
    ck_assert_msg(rc == HDB_DONE, "%s: %s", sql, hdb_errmsg(db));
    hdb_finalize(st);
    return b;
}

/* Run sql (it must succeed). */
static void q_exec(const char *sql)
{
    ck_assert_msg(hdb_exec(db, sql, NULL, NULL) == HDB_OK, "%s: %s", sql, hdb_errmsg(db));
}

/* Lines [from, from + count) of text, returned-owned. */
static char *slice(const char *text, int from, int count)
{
    const char *p = text;
    for (int i = 0; i < from && *p; i++)
        p = strchr(p, '\n') + 1;
    const char *q = p;
    for (int i = 0; i < count && *q; i++)
        q = strchr(q, '\n') + 1;
    char *s = malloc((size_t)(q - p) + 1);
    memcpy(s, p, (size_t)(q - p));
    s[q - p] = 0;
    return s;
}

static void same_as_full_sort(const char *query, int limit, int offset)
{
    char sql[512];
    char *full = rows(query);
    snprintf(sql, sizeof sql, "%s LIMIT %d OFFSET %d", query, limit, offset);
    char *part = rows(sql);
    char *want = slice(full, offset, limit);
    ck_assert_msg(!strcmp(part, want), "%s: got\n%.200s\nwant\n%.200s", sql, part, want);
    free(full);
    free(part);
    free(want);
}

START_TEST(test_order_limit_is_a_full_sort_cut)
{
    ck_assert_int_eq(hdb_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, a INT, b TEXT, c REAL);"
                                  "CREATE TABLE u(k INT, w TEXT)", NULL, NULL), HDB_OK);
    ck_assert_int_eq(hdb_exec(db, "BEGIN", NULL, NULL), HDB_OK);
    hdb_stmt *st;
    ck_assert_int_eq(hdb_prepare(db, "INSERT INTO t VALUES(?, ?, ?, ?)", -1, &st, NULL), HDB_OK);
    tu_rng r = {42};
    for (int i = 1; i <= 2500; i++) {
        char b[16];
        snprintf(b, sizeof b, "v%02d", (int)tu_below(&r, 40)); /* many ties */
        hdb_bind_int64(st, 1, i);
        hdb_bind_int64(st, 2, (int64_t)tu_below(&r, 7));
        hdb_bind_text(st, 3, b, -1);
        if (tu_below(&r, 10))
            hdb_bind_double(st, 4, (double)tu_below(&r, 1000) / 8);
        else
            hdb_bind_null(st, 4);
        ck_assert_int_eq(hdb_step(st), HDB_DONE);
        hdb_reset(st);
    }
    hdb_finalize(st);
    ck_assert_int_eq(hdb_exec(db, "INSERT INTO u SELECT a, b FROM t WHERE id % 50 = 0; COMMIT",
                              NULL, NULL), HDB_OK);
    const char *q[] = {
        "SELECT id, b FROM t ORDER BY b",
        "SELECT id, b FROM t ORDER BY b DESC, a",
        "SELECT id, c FROM t ORDER BY c",
        "SELECT id FROM t ORDER BY a, c DESC",
        "SELECT DISTINCT b, a FROM t ORDER BY a",
        "SELECT b, count(*), sum(c) FROM t GROUP BY b ORDER BY 2 DESC",
        "SELECT t.id, u.w FROM t JOIN u ON t.a = u.k ORDER BY u.w",
        "SELECT id FROM t WHERE a > 2 ORDER BY id DESC",
        /* order keys that are not result columns (the rows past the k-th are
         * dropped on their keys alone, before the row is built) */
        "SELECT id, b FROM t ORDER BY lower(b) COLLATE NOCASE DESC, c NULLS FIRST",
        "SELECT id FROM t ORDER BY -c NULLS LAST, a * 2 DESC",
        "SELECT b || '-' || a AS k FROM t ORDER BY k, id",
        /* keys read where the row holds them (a column of the core's own
         * source), or evaluated: a null-extended row, a collation, a
         * subquery's column with NULLs among the texts */
        "SELECT t.id, u.w FROM t LEFT JOIN u ON t.id = u.k * 50 ORDER BY u.w DESC, t.id",
        "SELECT id, b FROM t ORDER BY b COLLATE NOCASE DESC, id",
        "SELECT id, n FROM (SELECT id, CASE WHEN a = 3 THEN NULL ELSE b END AS n FROM t) ORDER BY n, id",
    };
    int lim[][2] = {{1, 0}, {10, 0}, {7, 13}, {100, 250}, {64, 0}, {3, 2490}, {500, 1}};
    for (size_t i = 0; i < sizeof q / sizeof *q; i++)
        for (size_t j = 0; j < sizeof lim / sizeof *lim; j++)
            same_as_full_sort(q[i], lim[j][0], lim[j][1]);
}
END_TEST

/* With a 64 KiB cache (16 frames), each query read in autocommit (a read
 * transaction: texts stay in their pages) gives what it gives inside BEGIN
 * (a write transaction: every text is copied).  A text borrowed from a
 * page that something still read after the scan let the page go would
 * read a frame reused by then, or the NULL the scan leaves behind. */
START_TEST(test_borrowed_texts_small_cache)
{
    q_exec("CREATE TABLE w(id INTEGER PRIMARY KEY, g INTEGER, b TEXT, x BLOB)");
    q_exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
           "INSERT INTO w SELECT i, i % 7, printf('w%05d-%s', (i * 7919) % 3001, "
           "substr('abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz', 1 + i % 40)), "
           "CAST(printf('%08d', i) AS BLOB) FROM n");
    static const char *const q[] = {
        "SELECT b FROM w ORDER BY b DESC LIMIT 5",
        "SELECT g, min(b), max(b), count(*), length(group_concat(b, '')) FROM w GROUP BY g",
        "SELECT b, max(id) FROM w",
        "SELECT b, min(id) FROM w WHERE g = 3",
        "SELECT DISTINCT substr(b, 1, 3) FROM w ORDER BY 1",
        "SELECT a.b, c.b FROM w a JOIN w c ON c.id = a.id + 1 WHERE a.id % 500 = 0 ORDER BY a.id",
        "SELECT o.b FROM w o WHERE o.b = (SELECT max(i.b) FROM w i WHERE i.g = o.g) ORDER BY 1",
        "SELECT a.b, c.b FROM w a LEFT JOIN w c ON c.b = a.b || '!' WHERE a.id < 40 ORDER BY a.id",
        "SELECT x, b FROM w WHERE id BETWEEN 1000 AND 1010 ORDER BY b",
        "SELECT count(*) FROM w a WHERE EXISTS (SELECT 1 FROM w c WHERE c.g = a.g AND c.b > a.b)",
    };
    enum { NQ = sizeof q / sizeof *q };
    char *want[NQ];
    hdb_close(db);
    char path[512];
    hdb_options o;
    hdb_options_init(&o);
    o.sync = HDB_SYNC_OFF;
    o.cache_bytes = 64 << 10;
    tu_path(path, sizeof path, dir, "s.db");
    ck_assert_int_eq(hdb_open(path, &o, &db), HDB_OK);
    q_exec("BEGIN");
    for (int i = 0; i < NQ; i++)
        want[i] = rows(q[i]);
    q_exec("COMMIT");
    for (int i = 0; i < NQ; i++) {
        char *got = rows(q[i]);
        ck_assert_msg(!strcmp(got, want[i]), "%s: got\n%.300s\nwant\n%.300s", q[i], got, want[i]);
        free(got);
        free(want[i]);
    }
}
END_TEST

/* An aggregate of a plain column (read in line by group_fold) answers as
 * the same aggregate of an expression of it (the general way): over a LEFT
 * JOIN's missing rows, the rowid, texts, NULLs, with and without GROUP BY. */
START_TEST(test_aggregates_of_columns)
{
    q_exec("CREATE TABLE a(id INTEGER PRIMARY KEY, g INT, x);"
           "CREATE TABLE b(k INT, y REAL, s TEXT);"
           "INSERT INTO a VALUES(1, 1, 10), (2, 1, NULL), (3, 2, 'z'), (4, 2, 2.5), (7, 3, -4);"
           "INSERT INTO b VALUES(1, 0.5, 'p'), (1, 1.5, NULL), (3, NULL, 'q'), (4, 8, 'r')");
    const char *pairs[][2] = {
        {"SELECT count(*), count(x), sum(x), total(x), avg(x), min(x), max(x), group_concat(x) FROM a",
         "SELECT count(*), count(+x), sum(+x), total(+x), avg(+x), min(+x), max(+x), group_concat(+x) FROM a"},
        {"SELECT g, count(y), sum(y), min(s), max(s), group_concat(s, ';'), sum(id), max(b.rowid) "
         "FROM a LEFT JOIN b ON b.k = a.id GROUP BY g ORDER BY g",
         "SELECT g, count(+y), sum(+y), min(+s), max(+s), group_concat(+s, ';'), sum(+id), max(+b.rowid) "
         "FROM a LEFT JOIN b ON b.k = a.id GROUP BY g ORDER BY g"},
        {"SELECT count(y), sum(id), count(*) FROM a LEFT JOIN b ON b.k = a.id WHERE a.id > 1",
         "SELECT count(+y), sum(+id), count(*) FROM a LEFT JOIN b ON b.k = a.id WHERE a.id > 1"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char *fast = rows(pairs[i][0]), *slow = rows(pairs[i][1]);
        ck_assert_msg(!strcmp(fast, slow), "%s:\n%s\nagainst\n%s", pairs[i][0], fast, slow);
        free(fast);
        free(slow);
    }
    char *r = rows("SELECT count(*), count(x), sum(id), max(x), group_concat(x) FROM a");
    ck_assert_str_eq(r, "5|4|17|z|10,z,2.5,-4\n");
    free(r);
    r = rows("SELECT g, count(y), sum(y), max(s) FROM a LEFT JOIN b ON b.k = a.id GROUP BY g");
    ck_assert_str_eq(r, "1|2|2.0|p\n2|1|8.0|r\n3|0|NULL|NULL\n");
    free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_select");
    TCase *c = tcase_create("select");
    tcase_set_timeout(c, 120);
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_add_test(c, test_order_limit_is_a_full_sort_cut);
    tcase_add_test(c, test_borrowed_texts_small_cache);
    tcase_add_test(c, test_aggregates_of_columns);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
