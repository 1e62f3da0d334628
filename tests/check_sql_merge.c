/*
** check_sql_merge.c — MERGE BRANCH through SQL: rows merged cell by cell
** keep their indexes exact, a UNIQUE value inserted on both branches
** refuses the merge, an index created on one branch covers the other's rows
** after the merge, repeated merges see only what changed, conflicts are
** named in the error, DRY RUN writes nothing, and every merge leaves
** hdb_check() clean.
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
    db = tu_open_nosync(dir, "m.db");
}

static void teardown(void)
{
    char *report = NULL;
    int rc = hdb_check(db, &report);
    ck_assert_msg(rc == HDB_OK, "hdb_check: %s", report ? report : "?");
    hdb_free(report);
    hdb_close(db);
    tu_rmdir(dir);
    free(dir);
}

static int collect(void *ctx, int ncol, const char *const *vals, const char *const *names)
{
    char *b = ctx;
    size_t n = strlen(b);
    (void)names;
    for (int i = 0; i < ncol && n + 64 < 4096; i++)
        n += (size_t)snprintf(b + n, 4096 - n, "%s%s", i ? "|" : "", vals[i] ? vals[i] : "NULL");
    if (n + 1 < 4096)
        strcpy(b + n, "\n");
    return 0;
}

/* Run sql (it must succeed) and return its rows as "a|b\n" lines. */
static const char *q(const char *sql)
{
    static char b[4096];
    b[0] = 0;
    int rc = hdb_exec(db, sql, collect, b);
    ck_assert_msg(rc == HDB_OK, "%s: %s", sql, hdb_errmsg(db));
    return b;
}

#define EQ(sql, want) ck_assert_str_eq(q(sql), want)

static void ok(const char *sql) { q(sql); }

START_TEST(test_cell_merge_keeps_indexes)
{
    ok("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, price INT);"
       "CREATE INDEX t_name ON t(name);"
       "INSERT INTO t VALUES(1,'a',10),(2,'b',20),(3,'c',30);"
       "CREATE BRANCH dev FROM main;"
       "UPDATE t SET price = 11 WHERE id = 1;"
       "USE BRANCH dev; UPDATE t SET name = 'z' WHERE id = 1; USE BRANCH main");
    EQ("MERGE BRANCH dev INTO main", "0|1|0|0|0\n"); /* merged cell by cell: no conflict */
    EQ("SELECT * FROM t WHERE id = 1", "1|z|11\n");
    EQ("SELECT id FROM t WHERE name = 'z'", "1\n");
    EQ("SELECT count(*) FROM t WHERE name = 'a'", "0\n");
    EQ("SELECT count(*) FROM t INDEXED BY t_name WHERE name > ''", "3\n");
    /* later changes flow in; the indexes do not make a conflict */
    ok("USE BRANCH dev; UPDATE t SET price = 99 WHERE id = 3; USE BRANCH main");
    EQ("MERGE BRANCH dev INTO main", "0|1|0|0|0\n");
    EQ("SELECT price FROM t WHERE id = 3", "99\n");
}
END_TEST

START_TEST(test_theirs_leaves_no_stale_index_entry)
{
    ok("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT);"
       "CREATE INDEX t_name ON t(name);"
       "INSERT INTO t VALUES(1,'a');"
       "CREATE BRANCH dev FROM main;"
       "UPDATE t SET name = 'ours' WHERE id = 1;"
       "USE BRANCH dev; UPDATE t SET name = 'theirs' WHERE id = 1; USE BRANCH main");
    ck_assert_int_eq(hdb_exec(db, "MERGE BRANCH dev INTO main", NULL, NULL), HDB_CONFLICT);
    ck_assert_ptr_nonnull(strstr(hdb_errmsg(db), "t rowid 1: base (1, 'a'), ours (1, 'ours'), "
                                                 "theirs (1, 'theirs')"));
    EQ("SELECT name FROM t", "ours\n"); /* nothing written */
    ok("MERGE BRANCH dev INTO main USING THEIRS");
    EQ("SELECT name FROM t", "theirs\n");
    EQ("SELECT count(*) FROM t WHERE name = 'ours'", "0\n");
    EQ("SELECT count(*) FROM t WHERE name = 'a'", "0\n");
    EQ("SELECT id FROM t WHERE name = 'theirs'", "1\n");
}
END_TEST

START_TEST(test_unique_across_branches_refuses)
{
    ok("CREATE TABLE u(id INTEGER PRIMARY KEY, email TEXT UNIQUE);"
       "INSERT INTO u VALUES(1,'a@x');"
       "CREATE BRANCH dev FROM main;"
       "INSERT INTO u VALUES(2,'b@x');"
       "USE BRANCH dev; INSERT INTO u VALUES(3,'b@x'); USE BRANCH main");
    ck_assert_int_eq(hdb_exec(db, "MERGE BRANCH dev INTO main", NULL, NULL), HDB_CONSTRAINT);
    ck_assert_ptr_nonnull(strstr(hdb_errmsg(db), "UNIQUE constraint failed: u.email"));
    EQ("SELECT * FROM u ORDER BY id", "1|a@x\n2|b@x\n"); /* nothing written */
    /* NULLs are distinct in a UNIQUE index */
    ok("USE BRANCH dev; UPDATE u SET email = NULL WHERE id = 3; USE BRANCH main;"
       "INSERT INTO u VALUES(4, NULL)");
    ok("MERGE BRANCH dev INTO main");
    EQ("SELECT * FROM u ORDER BY id", "1|a@x\n2|b@x\n3|NULL\n4|NULL\n");
}
END_TEST

START_TEST(test_index_from_branch_covers_rows_of_target)
{
    ok("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
       "INSERT INTO t VALUES(1,'one');"
       "CREATE BRANCH dev FROM main;"
       "INSERT INTO t VALUES(2,'two');"
       "USE BRANCH dev; CREATE INDEX t_v ON t(v); INSERT INTO t VALUES(3,'three'); USE BRANCH main");
    ok("MERGE BRANCH dev INTO main");
    EQ("SELECT id FROM t WHERE v = 'two'", "2\n");
    EQ("SELECT group_concat(id) FROM t INDEXED BY t_v WHERE v > ''", "1,3,2\n");
    EQ("SELECT name FROM sqlite_master WHERE type = 'index'", "t_v\n");
}
END_TEST

/* An index created on the target after the fork covers the rows the merge
 * brings from the source (found by fuzz_exec). */
START_TEST(test_index_of_target_covers_merged_rows)
{
    ok("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT);"
       "INSERT INTO items VALUES(1, 'a'), (3, 'c');"
       "CREATE BRANCH f FROM main;"
       "CREATE INDEX items_name ON items(name);"
       "USE BRANCH f; INSERT INTO items VALUES(2, 'b'); UPDATE items SET name = 'cc' WHERE id = 3;"
       "DELETE FROM items WHERE id = 1; USE BRANCH main");
    ok("MERGE BRANCH f INTO main");
    EQ("SELECT * FROM items WHERE name = 'b'", "2|b\n");
    EQ("SELECT id FROM items WHERE name = 'cc'", "3\n");
    EQ("SELECT count(*) FROM items INDEXED BY items_name WHERE name > ''", "2\n");
}
END_TEST

START_TEST(test_dry_run_and_schema_conflict)
{
    ok("CREATE TABLE t(id INTEGER PRIMARY KEY, v INT);"
       "INSERT INTO t VALUES(1,1);"
       "CREATE BRANCH dev FROM main;"
       "UPDATE t SET v = 2;"
       "USE BRANCH dev; UPDATE t SET v = 3; USE BRANCH main");
    EQ("MERGE BRANCH dev INTO main DRY RUN", "0|0|0|1|0\n");
    EQ("SELECT v FROM t", "2\n");
    /* the same table changed on both branches' schemas */
    ok("CREATE TABLE s(a);"
       "CREATE BRANCH b2 FROM main; ALTER TABLE s ADD COLUMN x;"
       "USE BRANCH b2; ALTER TABLE s ADD COLUMN y; USE BRANCH main");
    ck_assert_int_eq(hdb_exec(db, "MERGE BRANCH b2 INTO main", NULL, NULL), HDB_CONFLICT);
    ck_assert_ptr_nonnull(strstr(hdb_errmsg(db), "schema changed on both branches"));
    EQ("SELECT sql LIKE '%x%' AND sql NOT LIKE '%y%' FROM sqlite_master WHERE name = 's'", "1\n");
    ok("MERGE BRANCH b2 INTO main USING OURS");
    EQ("SELECT sql LIKE '%x%' AND sql NOT LIKE '%y%' FROM sqlite_master WHERE name = 's'", "1\n");
}
END_TEST

/* Rows inserted without an id on two branches take different rowids (the
 * table's sequence is database-wide), so the merge brings them together;
 * before, both sides took max + 1 and the merge reported a conflict. */
START_TEST(test_rowids_differ_across_branches)
{
    ok("CREATE TABLE o(id INTEGER PRIMARY KEY, v TEXT);"
       "CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);"
       "CREATE TABLE h(v TEXT);"
       "INSERT INTO o(v) VALUES('m0'); INSERT INTO a(v) VALUES('m0'); INSERT INTO h VALUES('m0');"
       "CREATE BRANCH dev FROM main;"
       "INSERT INTO o(v) VALUES('m1'),('m2'); INSERT INTO a(v) VALUES('m1'); INSERT INTO h VALUES('m1');"
       "USE BRANCH dev;"
       "INSERT INTO o(v) VALUES('d1'),('d2'); INSERT INTO a(v) VALUES('d1'); INSERT INTO h VALUES('d1');");
    EQ("SELECT id, v FROM o", "1|m0\n4|d1\n5|d2\n");
    EQ("SELECT id, v FROM a", "1|m0\n3|d1\n");
    ok("USE BRANCH main");
    EQ("SELECT id, v FROM o", "1|m0\n2|m1\n3|m2\n");
    ok("MERGE BRANCH dev INTO main");
    EQ("SELECT id, v FROM o", "1|m0\n2|m1\n3|m2\n4|d1\n5|d2\n");
    EQ("SELECT id, v FROM a", "1|m0\n2|m1\n3|d1\n");
    EQ("SELECT v FROM h ORDER BY v", "d1\nm0\nm1\n");
    EQ("SELECT count(DISTINCT rowid) FROM h", "3\n");
    /* An explicit id still lands where it is told; the sequence goes past it. */
    ok("INSERT INTO o VALUES(100, 'x'); INSERT INTO o(v) VALUES('y')");
    EQ("SELECT id FROM o WHERE v = 'y'", "101\n");
    /* A rolled-back insert gives its rowid back. */
    ok("BEGIN; INSERT INTO o(v) VALUES('z'); ROLLBACK; INSERT INTO o(v) VALUES('w')");
    EQ("SELECT id FROM o WHERE v = 'w'", "102\n");
}
END_TEST

START_TEST(test_merge_survives_reopen)
{
    ok("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b TEXT);"
       "CREATE INDEX t_a ON t(a); CREATE INDEX t_b ON t(b);"
       "INSERT INTO t VALUES(1,'a1','b1'),(2,'a2','b2');"
       "CREATE BRANCH dev FROM main;"
       "UPDATE t SET a = 'A1' WHERE id = 1;"
       "USE BRANCH dev; UPDATE t SET b = 'B1' WHERE id = 1; USE BRANCH main;"
       "MERGE BRANCH dev INTO main");
    char path[512];
    tu_path(path, sizeof path, dir, "m.db");
    hdb_close(db);
    hdb_options o;
    hdb_options_init(&o);
    o.sync = HDB_SYNC_OFF;
    ck_assert_int_eq(hdb_open(path, &o, &db), HDB_OK);
    EQ("SELECT id FROM t WHERE a = 'A1' AND b = 'B1'", "1\n");
    EQ("SELECT count(*) FROM t WHERE b = 'b1'", "0\n");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_merge");
    TCase *c = tcase_create("merge");
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_add_test(c, test_cell_merge_keeps_indexes);
    tcase_add_test(c, test_theirs_leaves_no_stale_index_entry);
    tcase_add_test(c, test_unique_across_branches_refuses);
    tcase_add_test(c, test_index_from_branch_covers_rows_of_target);
    tcase_add_test(c, test_index_of_target_covers_merged_rows);
    tcase_add_test(c, test_dry_run_and_schema_conflict);
    tcase_add_test(c, test_merge_survives_reopen);
    tcase_add_test(c, test_rowids_differ_across_branches);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
