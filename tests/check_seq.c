/*
** check_seq.c — database-wide sequences (src/seq.c): numbers never repeat
** across branches, a floor is respected, savepoint rollbacks and aborts
** undo a draw, the values survive a checkpointed reopen and a replay of the
** log alone, branches as of the past do not bring old values back, errors
** are clear, and hdb_check() stays clean.
*/
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heliosdb.h"
#include "support/test_util.h"

static int64_t next(hdb *db, uint64_t seq, int64_t floor)
{
    hdb_txn *t;
    int64_t v = -1;
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_seq_next(t, seq, floor, &v), HDB_OK);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    return v;
}

static int64_t last(hdb *db, uint64_t seq)
{
    hdb_txn *t;
    int64_t v = -1;
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_int_eq(hdb_seq_get(t, seq, &v), HDB_OK);
    hdb_txn_abort(t);
    return v;
}

static void clean(hdb *db)
{
    char *rep = NULL;
    int rc = hdb_check(db, &rep);
    ck_assert_msg(rc == HDB_OK, "hdb_check: %s", rep ? rep : "?");
    hdb_free(rep);
}

static void finish(hdb *db, char *dir)
{
    clean(db);
    ck_assert_int_eq(hdb_close(db), HDB_OK);
    tu_rmdir(dir);
    free(dir);
}

START_TEST(test_next_and_floor)
{
    char *dir = tu_tmpdir();
    hdb *db = tu_open_nosync(dir, "s.db");
    ck_assert_int_eq(last(db, 7), 0);
    ck_assert_int_eq(next(db, 7, 0), 1);
    ck_assert_int_eq(next(db, 7, 0), 2);
    ck_assert_int_eq(next(db, 7, 10), 10);  /* the floor wins */
    ck_assert_int_eq(next(db, 7, 5), 11);   /* a lower floor does not go back */
    ck_assert_int_eq(next(db, 8, 0), 1);    /* sequences are independent */
    ck_assert_int_eq(last(db, 7), 11);
    /* Branches share the sequence: no number twice. */
    ck_assert_int_eq(hdb_branch_create(db, "dev", "main", NULL), HDB_OK);
    ck_assert_int_eq(hdb_branch_use(db, "dev"), HDB_OK);
    ck_assert_int_eq(next(db, 7, 0), 12);
    ck_assert_int_eq(hdb_branch_use(db, "main"), HDB_OK);
    ck_assert_int_eq(next(db, 7, 0), 13);
    clean(db);
    ck_assert_int_eq(hdb_close(db), HDB_OK);
    db = tu_open_nosync(dir, "s.db");
    ck_assert_int_eq(last(db, 7), 13);
    ck_assert_int_eq(next(db, 7, 0), 14);
    finish(db, dir);
}
END_TEST

START_TEST(test_rollback_and_errors)
{
    char *dir = tu_tmpdir();
    hdb *db = tu_open_nosync(dir, "s.db");
    hdb_txn *t;
    int64_t v;
    int sp;
    ck_assert_int_eq(next(db, 1, 0), 1);
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_txn_savepoint(t, &sp), HDB_OK);
    ck_assert_int_eq(hdb_seq_next(t, 1, 0, &v), HDB_OK);
    ck_assert_int_eq(v, 2);
    ck_assert_int_eq(hdb_txn_rollback_to(t, sp), HDB_OK);
    ck_assert_int_eq(hdb_seq_next(t, 1, 0, &v), HDB_OK);
    ck_assert_int_eq(v, 2);
    hdb_txn_abort(t);
    ck_assert_int_eq(last(db, 1), 1);
    /* Read transactions cannot draw; bad arguments are misuse. */
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_int_eq(hdb_seq_next(t, 1, 0, &v), HDB_READONLY);
    ck_assert_int_eq(hdb_seq_get(t, 1, NULL), HDB_MISUSE);
    hdb_txn_abort(t);
    ck_assert_int_eq(hdb_seq_next(NULL, 1, 0, &v), HDB_MISUSE);
    /* The end of the range. */
    ck_assert_int_eq(next(db, 2, INT64_MAX), INT64_MAX);
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_seq_next(t, 2, 0, &v), HDB_FULL);
    ck_assert_ptr_nonnull(strstr(hdb_errmsg(db), "exhausted"));
    hdb_txn_abort(t);
    ck_assert_int_eq(last(db, 2), INT64_MAX);
    finish(db, dir);
}
END_TEST

/* The log alone brings the values back (no checkpoint after the draws),
 * and a branch as of the past draws after the present's numbers. */
START_TEST(test_replay_and_past)
{
    char *dir = tu_tmpdir(), path[512], copy[600], cmd[4096];
    tu_path(path, sizeof path, dir, "s.db");
    hdb_options o;
    hdb_options_init(&o);
    o.sync = HDB_SYNC_NORMAL; /* the log reaches the file at each commit */
    o.checkpoint_bytes = 1ull << 40;
    hdb *db;
    ck_assert_int_eq(hdb_open(path, &o, &db), HDB_OK);
    ck_assert_int_eq(next(db, 3, 0), 1);
    uint64_t early = hdb_lsn(db);
    for (int i = 0; i < 50; i++)
        next(db, 3, 0);
    ck_assert_int_eq(next(db, 4, 100), 100);
    snprintf(copy, sizeof copy, "%s/copy.db", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && cp -r '%s-wal' '%s-wal'", path, copy, path, copy);
    ck_assert_int_eq(system(cmd), 0);
    hdb_branch_opts bo = {0};
    bo.as_of_lsn = early;
    ck_assert_int_eq(hdb_branch_create(db, "old", "main", &bo), HDB_OK);
    ck_assert_int_eq(hdb_branch_use(db, "old"), HDB_OK);
    ck_assert_int_eq(next(db, 3, 0), 52);
    clean(db);
    ck_assert_int_eq(hdb_close(db), HDB_OK);
    ck_assert_int_eq(hdb_open(copy, &o, &db), HDB_OK);
    ck_assert_int_eq(last(db, 3), 51);
    ck_assert_int_eq(last(db, 4), 100);
    ck_assert_int_eq(next(db, 3, 0), 52);
    finish(db, dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("seq");
    TCase *c = tcase_create("seq");
    tcase_set_timeout(c, 60);
    tcase_add_test(c, test_next_and_floor);
    tcase_add_test(c, test_rollback_and_errors);
    tcase_add_test(c, test_replay_and_past);
    suite_add_tcase(s, c);
    return tu_run(s);
}
