/*
** check_sql_check.c — PRAGMA integrity_check and quick_check: "ok" on a
** clean database (also after updates, deletes, ALTER TABLE and inside a
** write transaction), and each kind of damage named: an index entry
** removed behind the table's back, an entry left over, a NULL in a NOT
** NULL column, a record that does not decode; the limit on reported
** problems; a table named alone; the storage check's report.
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
    db = tu_open_nosync(dir, "c.db");
}

static void teardown(void)
{
    hdb_close(db);
    tu_rmdir(dir);
    free(dir);
}

/* The rows of sql, "a|b\n" each (static buffer). */
static const char *q(const char *sql)
{
    static char b[TU_ROWS_MAX];
    b[0] = 0;
    ck_assert_msg(hdb_exec(db, sql, tu_collect, b) == HDB_OK, "%s: %s", sql, hdb_errmsg(db));
    return b;
}

#define EQ(sql, want) ck_assert_str_eq(q(sql), want)

/* A keyspace of the current branch named c<id> that is not `not` (tables
 * are "t<id>", indexes "i<id>", automatic indexes "t<id>_a<n>"). */
static void ks_named(char c, const char *not, char *out, size_t n)
{
    hdb_txn *t;
    char **names;
    size_t k;
    out[0] = 0;
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_list(t, &names, &k), HDB_OK);
    for (size_t i = 0; i < k; i++)
        if (names[i][0] == c && !strchr(names[i], '_') && (!not || strcmp(names[i], not)) &&
            !out[0])
            snprintf(out, n, "%s", names[i]);
    hdb_free(names);
    hdb_txn_abort(t);
    ck_assert_msg(out[0], "no keyspace %c...", c);
}

/* Write (val != NULL) or delete key in keyspace ks behind SQL's back. */
static void raw(const char *ks, const void *key, size_t kn, const void *val, size_t vn)
{
    hdb_txn *t;
    uint32_t id;
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, ks, 0, &id), HDB_OK);
    if (val)
        ck_assert_int_eq(hdb_put(t, id, (hdb_val){key, kn}, (hdb_val){val, vn}), HDB_OK);
    else
        ck_assert_int_eq(hdb_del(t, id, (hdb_val){key, kn}), HDB_OK);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
}

/* The first key of keyspace ks, copied into out (returns its length). */
static size_t first_key(const char *ks, uint8_t *out, size_t cap)
{
    hdb_txn *t;
    hdb_cursor *c;
    uint32_t id;
    hdb_val k, v;
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, ks, 0, &id), HDB_OK);
    ck_assert_int_eq(hdb_cursor_open(t, id, &c), HDB_OK);
    ck_assert_int_eq(hdb_cursor_first(c), HDB_OK);
    ck_assert_int_eq(hdb_cursor_get(c, &k, &v), HDB_OK);
    ck_assert_uint_le(k.size, cap);
    memcpy(out, k.data, k.size);
    hdb_cursor_close(c);
    hdb_txn_abort(t);
    return k.size;
}

static void make_table(void)
{
    q("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INT UNIQUE, c)");
    q("CREATE INDEX ta ON t(a COLLATE NOCASE, b DESC)");
    q("INSERT INTO t VALUES(1, 'x', 1, 'p'), (2, 'Y', 2, NULL), (3, 'z', NULL, x'00')");
}

START_TEST(test_clean_database_is_ok)
{
    EQ("PRAGMA integrity_check", "ok\n");
    make_table();
    EQ("PRAGMA integrity_check", "ok\n");
    q("UPDATE t SET a = upper(a), b = b + 10 WHERE id < 3");
    q("DELETE FROM t WHERE id = 2");
    q("ALTER TABLE t ADD COLUMN d INT NOT NULL DEFAULT 7");
    q("CREATE VIEW v AS SELECT a FROM t");
    EQ("PRAGMA integrity_check", "ok\n");
    EQ("PRAGMA quick_check", "ok\n");
    EQ("PRAGMA integrity_check(t)", "ok\n");
    EQ("PRAGMA integrity_check(3)", "ok\n");
    q("BEGIN");
    q("INSERT INTO t(id, a) VALUES(9, 'w')");
    EQ("PRAGMA integrity_check", "ok\n"); /* the SQL part, in the transaction's snapshot */
    q("COMMIT");
    q("CREATE BRANCH dev FROM main");
    q("USE BRANCH dev");
    q("CREATE INDEX tc ON t(c)");
    EQ("PRAGMA integrity_check", "ok\n");
    ck_assert_int_eq(hdb_exec(db, "PRAGMA integrity_check(nosuch)", NULL, NULL), HDB_ERROR);
    ck_assert_ptr_nonnull(strstr(hdb_errmsg(db), "no such table: nosuch"));
}
END_TEST

/* A recount kept by one check must not be taken for another state whose
 * root reuses the page number: two checks with commits between stay "ok". */
START_TEST(test_checks_between_commits)
{
    for (int i = 0; i < 4; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "CREATE TABLE t%d(a); INSERT INTO t%d VALUES(%d)", i, i, i);
        q(sql);
        EQ("PRAGMA integrity_check", "ok\n");
    }
}
END_TEST

/* While another connection writes, the storage part waits at most the busy
 * timeout and is then left out: the SQL part still answers. */
START_TEST(test_check_beside_a_writer)
{
    char path[512];
    hdb_options o;
    hdb *w;
    make_table();
    hdb_options_init(&o);
    o.sync = HDB_SYNC_OFF;
    o.busy_timeout_ms = 20;
    tu_path(path, sizeof path, dir, "c.db");
    ck_assert_int_eq(hdb_open(path, &o, &w), HDB_OK);
    ck_assert_int_eq(hdb_exec(w, "BEGIN; INSERT INTO t(a) VALUES('w')", NULL, NULL), HDB_OK);
    hdb_close(db);
    ck_assert_int_eq(hdb_open(path, &o, &db), HDB_OK);
    EQ("PRAGMA integrity_check", "ok\n");
    ck_assert_int_eq(hdb_exec(w, "COMMIT", NULL, NULL), HDB_OK);
    EQ("PRAGMA integrity_check", "ok\n");
    EQ("SELECT count(*) FROM t", "4\n");
    hdb_close(w);
}
END_TEST

START_TEST(test_index_damage_is_named)
{
    char tks[64], iks[64];
    uint8_t key[256];
    make_table();
    ks_named('t', NULL, tks, sizeof tks);
    /* the first index keyspace whose entries are not the UNIQUE one's: ta
     * was created last, so take the index with the larger number */
    hdb_txn *t;
    char **names;
    size_t k;
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_list(t, &names, &k), HDB_OK);
    iks[0] = 0;
    for (size_t i = 0; i < k; i++)
        if (names[i][0] == 'i' && (!iks[0] || strtol(names[i] + 1, NULL, 10) > strtol(iks + 1, NULL, 10)))
            snprintf(iks, sizeof iks, "%s", names[i]);
    hdb_free(names);
    hdb_txn_abort(t);
    ck_assert_msg(iks[0], "no index keyspace");
    size_t kn = first_key(iks, key, sizeof key);
    raw(iks, key, kn, NULL, 0); /* an entry removed */
    EQ("PRAGMA quick_check", "ok\n"); /* does not look into index contents */
    const char *r = q("PRAGMA integrity_check");
    ck_assert_msg(strstr(r, "missing from index ta\n") && strstr(r, "wrong # of entries in index ta\n"),
                  "%s", r);
    raw(iks, key, kn, "", 0); /* back */
    EQ("PRAGMA integrity_check", "ok\n");
    raw(iks, "\x7f\x7f\x7f", 3, "", 0); /* an entry left over */
    EQ("PRAGMA integrity_check", "wrong # of entries in index ta\n");
    EQ("PRAGMA integrity_check(1)", "wrong # of entries in index ta\n");
    raw(iks, "\x7f\x7f\x7f", 3, NULL, 0);
    EQ("PRAGMA integrity_check", "ok\n");
}
END_TEST

START_TEST(test_row_damage_is_named)
{
    char tks[64];
    uint8_t key[64];
    make_table();
    ks_named('t', NULL, tks, sizeof tks);
    size_t kn = first_key(tks, key, sizeof key);
    /* a record that does not decode */
    raw(tks, key, kn, "\xff\xff\xff\xff", 4);
    const char *r = q("PRAGMA quick_check");
    ck_assert_msg(strstr(r, "malformed row 1 in table t\n"), "%s", r);
    /* a record of one NULL column: a NULL in NOT NULL column a (the
     * record of a row (NULL): the row codec's own encoding of one NULL) */
    q("CREATE TABLE one(x)");
    q("INSERT INTO one VALUES(NULL)");
    char oks[64];
    ks_named('t', tks, oks, sizeof oks);
    uint8_t okey[64], rec[64];
    size_t okn = first_key(oks, okey, sizeof okey);
    hdb_txn *t;
    uint32_t id;
    hdb_val v;
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, oks, 0, &id), HDB_OK);
    ck_assert_int_eq(hdb_get(t, id, (hdb_val){okey, okn}, &v), HDB_OK);
    size_t rn = v.size;
    memcpy(rec, v.data, rn);
    hdb_txn_abort(t);
    raw(tks, key, kn, rec, rn);
    r = q("PRAGMA quick_check");
    ck_assert_msg(strstr(r, "NULL value in t.a\n"), "%s", r);
    r = q("PRAGMA integrity_check(t)");
    ck_assert_msg(strstr(r, "NULL value in t.a\n"), "%s", r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_check");
    TCase *c = tcase_create("check");
    tcase_set_timeout(c, 60);
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_add_test(c, test_clean_database_is_ok);
    tcase_add_test(c, test_checks_between_commits);
    tcase_add_test(c, test_check_beside_a_writer);
    tcase_add_test(c, test_index_damage_is_named);
    tcase_add_test(c, test_row_damage_is_named);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
