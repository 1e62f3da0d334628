/*
** check_sql_spill.c — sorting and grouping beyond the memory budget
** (spill.c): the external sorter on its own (order, stability, ties,
** distinct, keep, bounded memory), then whole queries run on a connection
** with the smallest cache budget (so they spill) against the same queries
** on a connection with a huge one (all in memory): ORDER BY with ties and
** collations, GROUP BY with every aggregate, LIMIT/OFFSET, DISTINCT, UNION.
** Temporary files are made in a private TMPDIR that must end up empty; a
** TMPDIR that cannot be written and a disk that fills up give errors.
*/
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "heliosdb.h"
#include "src/sql/exec.h"
#include "src/sql/spill.h"
#include "support/fault_vfs.h"
#include "support/test_util.h"

#define NROWS 40000 /* about 2.5 MB of rows: ~150 runs at the 16 KiB budget */

static char *dir, tmpdir[512];
static hdb *small, *big;
static hdb_fault_vfs *fv;

static int count_files(const char *d)
{
    DIR *dp = opendir(d);
    int n = 0;
    ck_assert_ptr_nonnull(dp);
    for (struct dirent *e; (e = readdir(dp));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(dp);
    return n;
}

/* ---- the sorter on its own ---------------------------------------------------- */

static void sorter_fixture(void)
{
    dir = tu_tmpdir();
    tu_path(tmpdir, sizeof tmpdir, dir, "tmp");
}

static void sorter_teardown(void)
{
    tu_rmdir(dir);
    free(dir);
}

static hdb_sql_value *mkrow(int64_t key, int64_t seq, const char *text)
{
    hdb_sql_value *r = hdb__sql_row_new(3);
    ck_assert_ptr_nonnull(r);
    hdb__sql_value_int(&r[0], key);
    hdb__sql_value_int(&r[1], seq);
    ck_assert_int_eq(hdb__sql_value_text(&r[2], text, strlen(text)), HDB_OK);
    return r;
}

/* Sort n rows with keys in [0, nkeys) through a sorter of the given
 * budget; check order and stability (seq grows within equal keys) and
 * return how many rows came out. */
static size_t sort_rows(size_t budget, size_t n, int nkeys, int desc, size_t keep, int distinct,
                        size_t *runs, size_t *peak)
{
    xctx x;
    memset(&x, 0, sizeof x);
    x.spill_budget = budget;
    xorder o = {0, desc, -1, HDB_COLL_BINARY};
    xsorter *s;
    xrows b;
    memset(&b, 0, sizeof b);
    b.ncol = 3;
    ck_assert_int_eq(hdb__sql_sorter_open(&x, 3, &o, 1, &s), HDB_OK);
    hdb__sql_sorter_keep(s, keep);
    hdb__sql_sorter_distinct(s, distinct);
    hdb__sql_sorter_attach(s, &b);
    tu_rng r = {7};
    char text[96];
    for (size_t i = 0; i < n; i++) {
        snprintf(text, sizeof text, "row %zu %.*s", i, (int)tu_below(&r, 40),
                 "........................................");
        ck_assert_int_eq(hdb__sql_rows_add(&b, mkrow((int64_t)tu_below(&r, (uint64_t)nkeys),
                                                     (int64_t)i, text), 3), HDB_OK);
    }
    *runs = hdb__sql_sorter_runs(s);
    ck_assert_int_eq(hdb__sql_sorter_rewind(s, &b), HDB_OK);
    ck_assert_ptr_null(b.spill);
    size_t got = 0;
    int64_t pk = 0, ps = -1;
    for (;;) {
        hdb_sql_value *row;
        ck_assert_int_eq(hdb__sql_sorter_next(s, &row), HDB_OK);
        if (!row)
            break;
        int64_t k = row[0].u.i, q = row[1].u.i;
        if (got) {
            ck_assert(desc ? k <= pk : k >= pk);
            ck_assert(k != pk || (!distinct && q > ps));
        }
        pk = k, ps = q, got++;
        hdb__sql_row_free(row, 3);
    }
    *peak = hdb__sql_sorter_peak(s);
    hdb__sql_sorter_close(s);
    hdb__sql_rows_clear(&b);
    return got;
}

START_TEST(test_sorter_runs_merge_in_order)
{
    setenv("TMPDIR", dir, 1);
    size_t runs, peak;
    ck_assert_uint_eq(sort_rows(16 << 10, 100000, 5000, 0, 0, 0, &runs, &peak), 100000);
    ck_assert_uint_gt(runs, 100); /* several merge passes */
    ck_assert_uint_lt(peak, 2 * (16 << 10));
    ck_assert_uint_eq(sort_rows(16 << 10, 50000, 7, 1, 0, 0, &runs, &peak), 50000);
    ck_assert_uint_gt(runs, 10);
    ck_assert_uint_eq(sort_rows(16 << 10, 50000, 300, 0, 0, 1, &runs, &peak), 300);
    ck_assert_uint_eq(sort_rows(16 << 10, 50000, 100000, 0, 25, 0, &runs, &peak), 25);
    /* all in memory: no run, no file */
    ck_assert_uint_eq(sort_rows(64 << 20, 20000, 50, 0, 0, 0, &runs, &peak), 20000);
    ck_assert_uint_eq(runs, 0);
    ck_assert_int_eq(count_files(dir), 0);
}
END_TEST

START_TEST(test_sorter_reports_a_missing_tmpdir)
{
    char bad[600];
    snprintf(bad, sizeof bad, "%s/no/such/dir", dir);
    setenv("TMPDIR", bad, 1);
    xctx x;
    memset(&x, 0, sizeof x);
    x.spill_budget = 16 << 10;
    xorder o = {0, 0, -1, HDB_COLL_BINARY};
    xsorter *s;
    xrows b;
    memset(&b, 0, sizeof b);
    b.ncol = 3;
    ck_assert_int_eq(hdb__sql_sorter_open(&x, 3, &o, 1, &s), HDB_OK);
    hdb__sql_sorter_attach(s, &b);
    int rc = HDB_OK;
    for (int i = 0; i < 10000 && rc == HDB_OK; i++)
        rc = hdb__sql_rows_add(&b, mkrow(i % 13, i, "some text to fill the budget"), 3);
    ck_assert_int_eq(rc, HDB_IOERR);
    ck_assert_msg(strstr(x.err, "temporary file") && strstr(x.err, bad), "%s", x.err);
    hdb__sql_sorter_close(s);
    hdb__sql_rows_clear(&b);
}
END_TEST

/* ---- whole queries ------------------------------------------------------------ */

static hdb *open_with(size_t cache, const hdb_vfs *vfs)
{
    char path[512];
    hdb_options o;
    hdb *db = NULL;
    hdb_options_init(&o);
    o.sync = HDB_SYNC_OFF;
    o.cache_bytes = cache;
    o.vfs = vfs;
    tu_path(path, sizeof path, dir, "s.db");
    ck_assert_int_eq(hdb_open(path, &o, &db), HDB_OK);
    return db;
}

static void fill(hdb *db)
{
    ck_assert_int_eq(hdb_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b TEXT, "
                                  "c REAL, d BLOB, g INT, w TEXT COLLATE NOCASE)",
                              NULL, NULL), HDB_OK);
    ck_assert_int_eq(hdb_exec(db, "BEGIN", NULL, NULL), HDB_OK);
    hdb_stmt *st;
    ck_assert_int_eq(hdb_prepare(db, "INSERT INTO t VALUES(?,?,?,?,?,?,?)", -1, &st, NULL),
                     HDB_OK);
    static const char *words[] = {"apple", "Apple", "APPLE", "banana", "Banana", "cherry",
                                  "date", "Date", "elder", "fig", "", "zeta"};
    tu_rng r = {12345};
    for (int i = 1; i <= NROWS; i++) {
        char b[64];
        unsigned char blob[8];
        hdb_bind_int64(st, 1, i);
        switch (tu_below(&r, 5)) { /* a: every type */
        case 0: hdb_bind_null(st, 2); break;
        case 1: hdb_bind_int64(st, 2, (int64_t)tu_below(&r, 100) - 50); break;
        case 2: hdb_bind_double(st, 2, (double)tu_below(&r, 100) / 4 - 10); break;
        case 3:
            snprintf(b, sizeof b, "t%d", (int)tu_below(&r, 60));
            hdb_bind_text(st, 2, b, -1);
            break;
        default:
            for (int k = 0; k < 3; k++)
                blob[k] = (unsigned char)tu_below(&r, 4);
            hdb_bind_blob(st, 2, blob, 3);
        }
        snprintf(b, sizeof b, "%s%d", words[tu_below(&r, 12)], (int)tu_below(&r, 30));
        hdb_bind_text(st, 3, b, -1);
        if (tu_below(&r, 8))
            hdb_bind_double(st, 4, (double)tu_below(&r, 2000) / 8);
        else
            hdb_bind_null(st, 4);
        for (int k = 0; k < 8; k++)
            blob[k] = (unsigned char)tu_below(&r, 256);
        hdb_bind_blob(st, 5, blob, (int)tu_below(&r, 9));
        hdb_bind_int64(st, 6, (int64_t)tu_below(&r, 1500));
        hdb_bind_text(st, 7, words[tu_below(&r, 12)], -1);
        ck_assert_int_eq(hdb_step(st), HDB_DONE);
        hdb_reset(st);
    }
    hdb_finalize(st);
    ck_assert_int_eq(hdb_exec(db, "COMMIT", NULL, NULL), HDB_OK);
}

/* Once per run of the case: the database of NROWS rows. */
static void data_setup(void)
{
    dir = tu_tmpdir();
    tu_path(tmpdir, sizeof tmpdir, dir, "tmp");
    ck_assert_int_eq(mkdir(tmpdir, 0700), 0);
    hdb *db = open_with(8 << 20, NULL);
    fill(db);
    hdb_close(db);
}

static void data_teardown(void)
{
    tu_rmdir(dir);
    free(dir);
}

/* Each test: a connection with the smallest budget (through a fault VFS)
 * and one that sorts everything in memory. */
static void query_setup(void)
{
    setenv("TMPDIR", tmpdir, 1);
    fv = hdb__fault_create(hdb_vfs_posix());
    small = open_with(64 << 10, hdb__fault_vfs(fv));
    big = open_with((size_t)1 << 30, NULL);
}

static void query_teardown(void)
{
    hdb_close(small);
    hdb_close(big);
    hdb__fault_destroy(fv);
}

/* Every row of sql on db, one line each, values tagged by type; returned-
 * owned.  NULL (and *rc) if the statement fails. */
static char *rows(hdb *db, const char *sql, int *rc)
{
    hdb_stmt *st;
    *rc = hdb_prepare(db, sql, -1, &st, NULL);
    ck_assert_msg(*rc == HDB_OK, "%s: %s", sql, hdb_errmsg(db));
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    while ((*rc = hdb_step(st)) == HDB_ROW) {
        for (int i = 0; i < hdb_column_count(st); i++) {
            int t = hdb_column_type(st, i);
            hdb__buf_printf(&b, "%s%d:", i ? "|" : "", t);
            if (t == HDB_BLOB) {
                const unsigned char *p = hdb_column_blob(st, i);
                for (int k = 0; k < hdb_column_bytes(st, i); k++)
                    hdb__buf_printf(&b, "%02x", p[k]);
            } else if (t != HDB_NULL) {
                hdb__buf_puts(&b, hdb_column_text(st, i));
            }
        }
        hdb__buf_puts(&b, "\n");
    }
    hdb_finalize(st);
    ck_assert(!b.oom);
    if (*rc != HDB_DONE) {
        hdb__buf_free(&b);
        return NULL;
    }
    *rc = HDB_OK;
    char *s = hdb__buf_take(&b);
    return s ? s : strdup("");
}

static void same(const char *sql, size_t min_lines)
{
    int rc;
    char *want = rows(big, sql, &rc);
    ck_assert_msg(want, "%s (in memory): %s", sql, hdb_errmsg(big));
    char *got = rows(small, sql, &rc);
    ck_assert_msg(got, "%s (spilling): %s", sql, hdb_errmsg(small));
    size_t lines = 0;
    for (const char *p = want; (p = strchr(p, '\n')); p++)
        lines++;
    ck_assert_msg(lines >= min_lines, "%s: %zu rows", sql, lines);
    if (strcmp(want, got)) {
        size_t i = 0;
        while (want[i] == got[i])
            i++;
        while (i && want[i - 1] != '\n')
            i--;
        ck_abort_msg("%s: differs at byte %zu:\nwant %.120s\ngot  %.120s", sql, i, want + i,
                     got + i);
    }
    free(want);
    free(got);
    ck_assert_int_eq(count_files(tmpdir), 0);
}

START_TEST(test_order_by)
{
    same("SELECT * FROM t ORDER BY a", NROWS);
    same("SELECT id, a, b FROM t ORDER BY b DESC, a, c DESC", NROWS);
    same("SELECT id, w, g FROM t ORDER BY w, g DESC", NROWS);
    same("SELECT id, b FROM t ORDER BY b COLLATE NOCASE DESC", NROWS);
    same("SELECT id, c FROM t ORDER BY c NULLS LAST, g", NROWS);
    same("SELECT id, c FROM t ORDER BY c DESC NULLS FIRST", NROWS);
    same("SELECT d, id FROM t ORDER BY d, g", NROWS);
    same("SELECT g, upper(b) FROM t ORDER BY g * 3 % 7, length(b)", NROWS);
}
END_TEST

START_TEST(test_order_by_limit)
{
    same("SELECT id, b, c FROM t ORDER BY b, c LIMIT 50 OFFSET 100", 50);
    same("SELECT id, b FROM t ORDER BY w DESC, b LIMIT 4000 OFFSET 6000", 4000);
    same("SELECT id, a FROM t ORDER BY a LIMIT 10 OFFSET 39995", 5);
    same("SELECT id, g FROM t ORDER BY g DESC LIMIT 30000", 30000);
    same("SELECT * FROM (SELECT id, b FROM t ORDER BY b DESC LIMIT 1000 OFFSET 7) "
         "ORDER BY id", 1000);
}
END_TEST

START_TEST(test_group_by)
{
    same("SELECT g, count(*), count(a), sum(g), total(c), avg(c), min(b), max(b), "
         "min(a), max(a) FROM t GROUP BY g", 1500);
    same("SELECT b, count(*), group_concat(id), group_concat(DISTINCT w) FROM t GROUP BY b",
         300);
    same("SELECT w, count(DISTINCT b), sum(DISTINCT g), min(w), max(w), group_concat(g, ';') "
         "FROM t GROUP BY w", 7);
    same("SELECT a, count(*), max(id), id FROM t GROUP BY a ORDER BY 2 DESC, 1", 100);
    same("SELECT g % 100 AS k, b COLLATE NOCASE, count(*), sum(c) FILTER (WHERE g > 700) "
         "FROM t GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 3, 1, 2 DESC", 100);
    same("SELECT id, count(*) FROM t GROUP BY id ORDER BY id DESC LIMIT 5 OFFSET 10", 5);
    same("SELECT count(*), sum(g), group_concat(DISTINCT w) FROM t", 1);
}
END_TEST

START_TEST(test_distinct_and_union)
{
    same("SELECT DISTINCT b, w FROM t", 300);
    same("SELECT DISTINCT g, w FROM t ORDER BY w, g", 1000);
    same("SELECT DISTINCT a, g % 50 FROM t", 10000);
    same("SELECT DISTINCT w, g FROM t LIMIT 3000 OFFSET 100", 3000);
    same("SELECT DISTINCT b COLLATE NOCASE, count(*) FROM t GROUP BY b", 100);
    same("SELECT b, g FROM t WHERE g < 900 UNION SELECT w, g FROM t WHERE g > 100", 1000);
    same("SELECT a FROM t UNION SELECT b FROM t UNION SELECT c FROM t", 1000);
    same("SELECT w FROM t UNION ALL SELECT b FROM t WHERE id < 1000 UNION SELECT w FROM t", 5);
    same("SELECT id, b FROM t WHERE g < 500 UNION ALL SELECT id, w FROM t WHERE g >= 500 "
         "ORDER BY 2, 1 DESC", NROWS);
    same("SELECT g, b FROM t UNION SELECT g, w FROM t ORDER BY 2 DESC, 1 LIMIT 100 OFFSET 20",
         100);
    same("SELECT g, b FROM t INTERSECT SELECT g, b FROM t WHERE id % 3 = 0 ORDER BY 2, 1 DESC",
         1000);
    same("SELECT id, w FROM t EXCEPT SELECT id, b FROM t ORDER BY 2 DESC, 1", NROWS);
    same("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 60000) "
         "SELECT n, n % 7 FROM c ORDER BY n % 7 DESC, n LIMIT 100 OFFSET 20000", 100);
}
END_TEST

START_TEST(test_tmpdir_errors)
{
    const char *sql = "SELECT * FROM t ORDER BY b";
    char bad[600];
    int rc;
    snprintf(bad, sizeof bad, "%s/missing", tmpdir);
    setenv("TMPDIR", bad, 1);
    char *s = rows(small, sql, &rc);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(rc, HDB_IOERR);
    ck_assert_msg(strstr(hdb_errmsg(small), bad), "%s", hdb_errmsg(small));
    s = rows(small, "SELECT b, count(*) FROM t GROUP BY b", &rc);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(rc, HDB_IOERR);
    s = rows(small, "SELECT DISTINCT a, g FROM t", &rc);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(rc, HDB_IOERR);
    s = rows(small, "SELECT g FROM t UNION SELECT id FROM t", &rc);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(rc, HDB_IOERR);
    /* the in-memory connection needs no file */
    s = rows(big, sql, &rc);
    ck_assert_ptr_nonnull(s);
    free(s);
    setenv("TMPDIR", tmpdir, 1);
    /* a disk that fills up while a run is written, then one that fails */
    hdb__fault_fail_write(fv, 3, HDB_FULL, 1);
    s = rows(small, sql, &rc);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(rc, HDB_FULL);
    ck_assert_msg(strstr(hdb_errmsg(small), "disk full"), "%s", hdb_errmsg(small));
    hdb__fault_fail_write(fv, 40, HDB_IOERR, 0);
    s = rows(small, "SELECT b, count(*) FROM t GROUP BY b", &rc);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(rc, HDB_IOERR);
    hdb__fault_fail_read(fv, 5, HDB_IOERR, 0);
    s = rows(small, sql, &rc);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(rc, HDB_IOERR);
    hdb__fault_reset(fv);
    ck_assert_int_eq(count_files(tmpdir), 0);
    /* and the connection still works */
    same(sql, NROWS);
}
END_TEST

START_TEST(test_reset_midway_leaves_no_file)
{
    hdb_stmt *st;
    ck_assert_int_eq(hdb_prepare(small, "SELECT id, b FROM t ORDER BY b, id DESC", -1, &st,
                                 NULL), HDB_OK);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 10; i++)
            ck_assert_int_eq(hdb_step(st), HDB_ROW);
        ck_assert_int_eq(count_files(tmpdir), 0);
        ck_assert_int_eq(hdb_reset(st), HDB_OK);
    }
    ck_assert_int_eq(hdb_finalize(st), HDB_OK);
    ck_assert_int_eq(count_files(tmpdir), 0);
}
END_TEST

/* A spilled ORDER BY is read row by row from the sorter: the statement
 * holds its current row only, OFFSET and LIMIT apply while reading. */
START_TEST(test_sorted_result_streams)
{
    hdb_stmt *st;
    ck_assert_int_eq(hdb_prepare(small, "SELECT id, b FROM t ORDER BY b, id LIMIT 5000 OFFSET 10",
                                 -1, &st, NULL), HDB_OK);
    int n = 0;
    while (hdb_step(st) == HDB_ROW) {
        ck_assert_ptr_nonnull(st->res.stream);
        ck_assert_uint_eq(st->res.n, 1);
        n++;
    }
    ck_assert_int_eq(n, 5000);
    ck_assert_ptr_null(st->res.stream); /* closed at the end */
    ck_assert_int_eq(hdb_finalize(st), HDB_OK);
    ck_assert_int_eq(count_files(tmpdir), 0);
    same("SELECT id, b FROM t ORDER BY b, id LIMIT 5000 OFFSET 10", 5000);
    same("SELECT id, b FROM t ORDER BY b DESC, id LIMIT 0", 0);
    /* A large result without ORDER BY streams too, in its own order. */
    ck_assert_int_eq(hdb_prepare(small, "SELECT id, b, c FROM t WHERE id % 3 > 0", -1, &st, NULL),
                     HDB_OK);
    ck_assert_int_eq(hdb_step(st), HDB_ROW);
    ck_assert_ptr_nonnull(st->res.stream);
    ck_assert_int_eq(hdb_finalize(st), HDB_OK);
    ck_assert_int_eq(count_files(tmpdir), 0);
    same("SELECT id, b, c FROM t WHERE id % 3 > 0", NROWS / 2);
    same("SELECT id, b FROM t LIMIT -1 OFFSET 7", NROWS - 7);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_spill");
    TCase *c = tcase_create("sorter");
    tcase_set_timeout(c, 300);
    tcase_add_checked_fixture(c, sorter_fixture, sorter_teardown);
    tcase_add_test(c, test_sorter_runs_merge_in_order);
    tcase_add_test(c, test_sorter_reports_a_missing_tmpdir);
    suite_add_tcase(s, c);
    c = tcase_create("queries");
    tcase_set_timeout(c, 900);
    tcase_add_unchecked_fixture(c, data_setup, data_teardown);
    tcase_add_checked_fixture(c, query_setup, query_teardown);
    tcase_add_test(c, test_order_by);
    tcase_add_test(c, test_order_by_limit);
    tcase_add_test(c, test_group_by);
    tcase_add_test(c, test_distinct_and_union);
    tcase_add_test(c, test_tmpdir_errors);
    tcase_add_test(c, test_reset_midway_leaves_no_file);
    tcase_add_test(c, test_sorted_result_streams);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
