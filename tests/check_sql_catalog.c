/*
** check_sql_catalog.c — the on-disk layout of the SQL schema and rows
** (src/sql/catalog.h), read back through the key-value API: the catalog
** keyspace "__schema" (8-byte big-endian ids, records of type, name,
** tbl_name, sql; id 0 the schema version and key format), a table's
** keyspace "t<id>" keyed by the rowid, and an index's keyspace "i<id>"
** keyed by (values, rowid); that the schema is per branch; and that a
** catalog of another key format is refused.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heliosdb.h"
#include "src/sql/catalog.h"
#include "src/sql/codec.h"
#include "support/test_util.h"

static char *dir;
static hdb *db;

static void setup(void)
{
    char path[512];
    dir = tu_tmpdir();
    tu_path(path, sizeof path, dir, "t.db");
    hdb_options o;
    hdb_options_init(&o);
    o.sync = HDB_SYNC_OFF;
    ck_assert_int_eq(hdb_open(path, &o, &db), HDB_OK);
}

static void teardown(void)
{
    hdb_close(db);
    tu_rmdir(dir);
    free(dir);
}

static void run(const char *sql)
{
    ck_assert_msg(hdb_exec(db, sql, NULL, NULL) == HDB_OK, "%s: %s", sql, hdb_errmsg(db));
}

static uint64_t be64(const void *p)
{
    const uint8_t *b = p;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

/* Find the catalog entry called name; returns its id (0 if none). */
static uint64_t entry_id(hdb_txn *t, const char *name, char *type, size_t tn)
{
    uint32_t ks;
    hdb_cursor *c;
    uint64_t found = 0;
    ck_assert_int_eq(hdb_ks_open(t, HDB_SQL_CATALOG_KS, 0, &ks), HDB_OK);
    ck_assert_int_eq(hdb_cursor_open(t, ks, &c), HDB_OK);
    int saw_version = 0;
    for (int rc = hdb_cursor_first(c); rc == HDB_OK; rc = hdb_cursor_next(c)) {
        hdb_val k, v;
        ck_assert_int_eq(hdb_cursor_get(c, &k, &v), HDB_OK);
        ck_assert_uint_eq(k.size, 8);
        hdb_sql_value col[4];
        int n = 0;
        ck_assert_int_eq(hdb__sql_record_decode(v.data, v.size, col, 4, &n), HDB_OK);
        if (be64(k.data) == 0) {
            ck_assert_int_eq(n, 2);
            ck_assert_int_eq(col[0].type, HDB_INTEGER);
            ck_assert_int_eq(col[1].type, HDB_INTEGER);
            ck_assert_int_eq(col[1].u.i, HDB_SQL_KEY_FORMAT);
            saw_version = 1;
            continue;
        }
        ck_assert_int_eq(n, 4);
        for (int i = 0; i < 4; i++)
            ck_assert_int_eq(col[i].type, HDB_TEXT);
        if (col[1].u.s.n == strlen(name) && !memcmp(col[1].u.s.p, name, col[1].u.s.n)) {
            found = be64(k.data);
            snprintf(type, tn, "%.*s", (int)col[0].u.s.n, col[0].u.s.p);
        }
    }
    hdb_cursor_close(c);
    ck_assert(saw_version);
    return found;
}

START_TEST(test_layout)
{
    run("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)");
    run("CREATE INDEX tn ON t(name)");
    run("INSERT INTO t VALUES(7, 'seven')");
    hdb_txn *t;
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    char type[16], ksname[64];
    uint64_t tid = entry_id(t, "t", type, sizeof type);
    ck_assert(tid != 0);
    ck_assert_str_eq(type, "table");
    uint64_t iid = entry_id(t, "tn", type, sizeof type);
    ck_assert(iid != 0);
    ck_assert_str_eq(type, "index");

    /* the table: key = encoding of the rowid, value = record of all columns */
    uint32_t ks;
    snprintf(ksname, sizeof ksname, "t%llu", (unsigned long long)tid);
    ck_assert_int_eq(hdb_ks_open(t, ksname, 0, &ks), HDB_OK);
    hdb_buf k;
    hdb__buf_init(&k, NULL);
    hdb_sql_value v = {HDB_INTEGER, 0, {.i = 7}};
    hdb__sql_key_append(&k, &v, HDB_COLL_BINARY, 0);
    hdb_val val;
    ck_assert_int_eq(hdb_get(t, ks, (hdb_val){k.data, k.len}, &val), HDB_OK);
    hdb_sql_value col[2];
    int n;
    ck_assert_int_eq(hdb__sql_record_decode(val.data, val.size, col, 2, &n), HDB_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(col[0].type, HDB_NULL); /* the INTEGER PRIMARY KEY: the rowid, in the key */
    ck_assert_int_eq((int)col[1].u.s.n, 5);

    /* the index: key = encoding of ('seven', 7), value empty */
    snprintf(ksname, sizeof ksname, "i%llu", (unsigned long long)iid);
    ck_assert_int_eq(hdb_ks_open(t, ksname, 0, &ks), HDB_OK);
    hdb__buf_reset(&k);
    hdb_sql_value s;
    s.type = HDB_TEXT, s.owned = 0, s.u.s.p = "seven", s.u.s.n = 5;
    hdb__sql_key_append(&k, &s, HDB_COLL_BINARY, 0);
    hdb__sql_key_append(&k, &v, HDB_COLL_BINARY, 0);
    ck_assert_int_eq(hdb_get(t, ks, (hdb_val){k.data, k.len}, &val), HDB_OK);
    ck_assert_uint_eq(val.size, 0);
    hdb__buf_free(&k);
    hdb_txn_abort(t);
}
END_TEST

START_TEST(test_schema_per_branch)
{
    run("CREATE TABLE a(x)");
    run("CREATE BRANCH b");
    run("USE BRANCH b");
    run("CREATE TABLE only_b(y)");
    run("ALTER TABLE a RENAME TO a2");
    ck_assert_int_eq(hdb_exec(db, "SELECT * FROM a", NULL, NULL), HDB_ERROR);
    run("SELECT * FROM a2, only_b");
    run("USE BRANCH main");
    run("SELECT * FROM a");
    ck_assert_int_eq(hdb_exec(db, "SELECT * FROM only_b", NULL, NULL), HDB_ERROR);
    /* renaming kept the table's keyspace: the id, not the name, names it */
    hdb_txn *t;
    char type[16];
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    uint64_t on_main = entry_id(t, "a", type, sizeof type);
    hdb_txn_abort(t);
    run("USE BRANCH b");
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_uint_eq(entry_id(t, "a2", type, sizeof type), on_main);
    hdb_txn_abort(t);
}
END_TEST

/* Write catalog record 0 as ncol INTEGERs (version 5, then key format fmt),
 * and, when with_table, the entry of a table t(x). */
static void write_catalog(int ncol, int64_t fmt, int with_table)
{
    hdb_txn *t;
    uint32_t ks;
    uint8_t k[8] = {0};
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, HDB_SQL_CATALOG_KS, HDB_CREATE, &ks), HDB_OK);
    hdb_sql_value rec0[2] = {{HDB_INTEGER, 0, {.i = 5}}, {HDB_INTEGER, 0, {.i = fmt}}};
    hdb__sql_record_encode(&b, rec0, ncol);
    ck_assert_int_eq(hdb_put(t, ks, (hdb_val){k, 8}, (hdb_val){b.data, b.len}), HDB_OK);
    if (with_table) {
        const char *col[4] = {"table", "t", "t", "CREATE TABLE t(x)"};
        hdb_sql_value v[4];
        for (int i = 0; i < 4; i++) {
            v[i] = (hdb_sql_value)HDB_SQL_NULL_INIT;
            hdb__sql_value_text_ref(&v[i], col[i], strlen(col[i]));
        }
        hdb__buf_reset(&b);
        hdb__sql_record_encode(&b, v, 4);
        k[7] = 1;
        ck_assert_int_eq(hdb_put(t, ks, (hdb_val){k, 8}, (hdb_val){b.data, b.len}), HDB_OK);
    }
    ck_assert(!b.oom);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    hdb__buf_free(&b);
}

/* A catalog with objects written before the key format was recorded (its
 * record 0 holds the version alone) or with another format is refused with
 * a message that says so; an empty one loads, and DDL records the format. */
START_TEST(test_key_format)
{
    write_catalog(1, 0, 1);
    ck_assert_int_eq(hdb_exec(db, "SELECT * FROM t", NULL, NULL), HDB_CORRUPT);
    ck_assert_str_eq(hdb_errmsg(db),
                     "this database's SQL tables use key format 1; this library reads key format 2");
    write_catalog(2, 3, 1);
    ck_assert_int_eq(hdb_exec(db, "SELECT 1", NULL, NULL), HDB_CORRUPT);
    ck_assert_str_eq(hdb_errmsg(db),
                     "this database's SQL tables use key format 3; this library reads key format 2");
    write_catalog(2, HDB_SQL_KEY_FORMAT, 1);
    run("INSERT INTO t VALUES(1)");
    run("SELECT * FROM t");
    /* an empty catalog of format 1 */
    hdb_txn *t;
    uint32_t ks;
    uint8_t k[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, HDB_SQL_CATALOG_KS, 0, &ks), HDB_OK);
    ck_assert_int_eq(hdb_del(t, ks, (hdb_val){k, 8}), HDB_OK);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    write_catalog(1, 0, 0);
    run("SELECT 1");
    run("CREATE TABLE u(y)");
    run("SELECT * FROM u");
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    char type[16];
    ck_assert(entry_id(t, "u", type, sizeof type) != 0); /* record 0 checked there */
    hdb_txn_abort(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_catalog");
    TCase *c = tcase_create("core");
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_add_test(c, test_layout);
    tcase_add_test(c, test_schema_per_branch);
    tcase_add_test(c, test_key_format);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
