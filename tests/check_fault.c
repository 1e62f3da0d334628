/*
** check_fault.c — I/O errors, full disks, short writes and power loss.
**
** A scripted workload (loads, a branch, a merge, overflow values, deletes,
** a branch drop, checkpoints) runs once cleanly to count its I/O
** operations.  Then, for every N (every one up to a limit, then a stride):
**   - the N-th operation fails with EIO or ENOSPC (or a write is short):
**     the failing call returns an error, and after a reopen without faults
**     the database holds exactly the state after the last call that
**     succeeded, and hdb_check() is clean;
**   - power loss at the N-th sync: the process "dies" there, every write not
**     followed by a sync is dropped (the last one torn in half, every other
**     time), and the same checks apply: under HDB_SYNC_FULL every
**     acknowledged commit is there.
** A bit flipped in any page of the file is reported as HDB_CORRUPT.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heliosdb.h"
#include "support/faultfs.h"
#include "support/test_util.h"

/* The state the workload has acknowledged so far. */
typedef struct state {
    tu_model main, dev;
    int has_dev;
} state;

static void state_free(state *s)
{
    tu_model_free(&s->main);
    tu_model_free(&s->dev);
}

static void state_copy(state *d, const state *s)
{
    state_free(d);
    tu_model_copy(&d->main, &s->main);
    tu_model_copy(&d->dev, &s->dev);
    d->has_dev = s->has_dev;
}

static hdb_val sv(const char *s) { return (hdb_val){s, strlen(s)}; }

/* A transaction of puts (vsize > 0) or deletes on branch b, keys [from, to). */
static int txn(hdb *db, const char *b, tu_model *m, int from, int to, size_t vsize, char fill)
{
    hdb_txn *t;
    uint32_t ks;
    tu_model next = {0};
    int rc = hdb_branch_use(db, b);
    if (rc == HDB_OK)
        rc = hdb_txn_begin(db, 0, &t);
    if (rc != HDB_OK)
        return rc;
    tu_model_copy(&next, m);
    char *v = malloc(vsize + 1);
    memset(v, fill, vsize);
    rc = hdb_ks_open(t, "kv", HDB_CREATE, &ks);
    for (int i = from; i < to && rc == HDB_OK; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%05d", i);
        if (vsize) {
            rc = hdb_put(t, ks, sv(k), (hdb_val){v, vsize});
            tu_model_put(&next, k, strlen(k), v, vsize);
        } else {
            rc = hdb_del(t, ks, sv(k));
            if (rc == HDB_NOTFOUND && !tu_model_del(&next, k, strlen(k)))
                rc = HDB_OK;
            else
                tu_model_del(&next, k, strlen(k));
        }
    }
    if (rc == HDB_OK)
        rc = hdb_txn_commit(t);
    else
        hdb_txn_abort(t);
    if (rc == HDB_OK) {
        tu_model_free(m);
        tu_model_copy(m, &next);
    }
    tu_model_free(&next);
    free(v);
    return rc;
}

/* The workload; *ok is the state after the last call that succeeded. */
static int workload(hdb *db, state *ok)
{
    state s = {{0}, {0}, 0};
    int rc;
    state_copy(&s, ok);
#define STEP(call)                                                                         \
    do {                                                                                   \
        if ((rc = (call)) != HDB_OK)                                                       \
            goto out;                                                                      \
        state_copy(ok, &s);                                                                \
    } while (0)
    STEP(txn(db, "main", &s.main, 0, 2000, 100, 'a'));
    rc = hdb_branch_create(db, "dev", "main", NULL);
    if (rc == HDB_OK) {
        s.has_dev = 1;
        tu_model_free(&s.dev);
        tu_model_copy(&s.dev, &s.main);
    }
    STEP(rc);
    STEP(txn(db, "dev", &s.dev, 100, 160, 120, 'd'));
    STEP(txn(db, "dev", &s.dev, 200, 230, 0, 0));
    STEP(hdb_checkpoint(db));
    STEP(txn(db, "main", &s.main, 400, 450, 3000, 'o'));
    STEP(hdb_branch_use(db, "main"));
    {
        /* dev's changes do not conflict with main's: the merge applies them all */
        state m2 = {{0}, {0}, 0};
        state_copy(&m2, &s);
        rc = hdb_branch_merge(db, "dev", "main", NULL, NULL);
        if (rc == HDB_OK) {
            for (int i = 100; i < 160; i++) { /* what dev changed since it forked */
                char k[16];
                int found;
                snprintf(k, sizeof k, "k%05d", i);
                size_t at = tu_model_find(&s.dev, k, strlen(k), &found);
                tu_model_put(&m2.main, k, strlen(k), s.dev.e[at].v, s.dev.e[at].vn);
            }
            for (int i = 200; i < 230; i++) {
                char k[16];
                snprintf(k, sizeof k, "k%05d", i);
                tu_model_del(&m2.main, k, strlen(k));
            }
            state_copy(&s, &m2);
        }
        state_free(&m2);
        STEP(rc);
    }
    STEP(txn(db, "main", &s.main, 0, 100, 0, 0));
    STEP(hdb_branch_use(db, "main"));
    rc = hdb_branch_drop(db, "dev");
    if (rc == HDB_OK) {
        s.has_dev = 0;
        tu_model_free(&s.dev);
    }
    STEP(rc);
    STEP(txn(db, "main", &s.main, 500, 560, 80, 'z'));
    STEP(hdb_checkpoint(db));
#undef STEP
out:
    state_free(&s);
    return rc;
}

static void compare(hdb *db, const char *b, const tu_model *m)
{
    hdb_txn *t;
    uint32_t ks;
    hdb_cursor *c;
    hdb_val k, v;
    size_t i = 0;
    ck_assert_int_eq(hdb_branch_use(db, b), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    if (hdb_ks_open(t, "kv", 0, &ks) != HDB_OK) {
        ck_assert_uint_eq(m->n, 0);
        hdb_txn_abort(t);
        return;
    }
    ck_assert_int_eq(hdb_cursor_open(t, ks, &c), HDB_OK);
    for (int rc = hdb_cursor_first(c); rc == HDB_OK; rc = hdb_cursor_next(c), i++) {
        ck_assert_int_eq(hdb_cursor_get(c, &k, &v), HDB_OK);
        ck_assert_uint_lt(i, m->n);
        ck_assert_int_eq(tu_keycmp(k.data, k.size, m->e[i].k, m->e[i].kn), 0);
        ck_assert_uint_eq(v.size, m->e[i].vn);
        ck_assert(!memcmp(v.data, m->e[i].v, v.size));
    }
    ck_assert_uint_eq(i, m->n);
    hdb_cursor_close(c);
    hdb_txn_abort(t);
}

/* Reopen without faults and compare with the acknowledged state. */
static void verify(const char *path, const state *ok, const char *what, uint64_t n)
{
    hdb *db;
    hdb_options o;
    char *rep = NULL;
    hdb_options_init(&o);
    int rc = hdb_open(path, &o, &db);
    ck_assert_msg(rc == HDB_OK, "%s %llu: reopen: %s", what, (unsigned long long)n,
                  hdb_errstr(rc));
    compare(db, "main", &ok->main);
    if (ok->has_dev)
        compare(db, "dev", &ok->dev);
    else
        ck_assert_int_eq(hdb_branch_use(db, "dev"), HDB_NOTFOUND);
    rc = hdb_check(db, &rep);
    ck_assert_msg(rc == HDB_OK, "%s %llu: check: %s", what, (unsigned long long)n, rep);
    hdb_free(rep);
    ck_assert_int_eq(hdb_close(db), HDB_OK);
}

typedef struct run {
    char *dir;
    char path[512];
    hdb_ffs *fs;
    hdb *db;
} run;

static void run_open(run *r)
{
    hdb_options o;
    r->dir = tu_tmpdir();
    tu_path(r->path, sizeof r->path, r->dir, "f.db");
    r->fs = hdb__ffs_new(hdb_vfs_posix());
    hdb_options_init(&o);
    o.vfs = hdb__ffs_vfs(r->fs);
    o.cache_bytes = 64 << 10; /* evictions write pages in the middle of transactions */
    o.checkpoint_bytes = 32 << 10;
    hdb__ffs_track(r->fs, 1);
    ck_assert_int_eq(hdb_open(r->path, &o, &r->db), HDB_OK);
}

static void run_fini(run *r)
{
    hdb__ffs_free(r->fs);
    tu_rmdir(r->dir);
    free(r->dir);
}

/* Operations of the clean workload. */
static void clean_counts(uint64_t *ops, uint64_t *syncs)
{
    run r;
    state ok = {{0}, {0}, 0};
    run_open(&r);
    uint64_t r0 = hdb__ffs_reads(r.fs), w0 = hdb__ffs_writes(r.fs), s0 = hdb__ffs_syncs(r.fs);
    ck_assert_int_eq(workload(r.db, &ok), HDB_OK);
    *ops = hdb__ffs_reads(r.fs) - r0 + hdb__ffs_writes(r.fs) - w0 + hdb__ffs_syncs(r.fs) - s0;
    *syncs = hdb__ffs_syncs(r.fs) - s0;
    ck_assert_int_eq(hdb_close(r.db), HDB_OK);
    verify(r.path, &ok, "clean", 0);
    state_free(&ok);
    run_fini(&r);
}

static uint64_t next_n(uint64_t n, uint64_t total)
{
    uint64_t stride = total > 150 ? total / 150 : 1;
    return n < 60 ? n + 1 : n + stride;
}

START_TEST(test_io_errors)
{
    uint64_t total, syncs;
    clean_counts(&total, &syncs);
    int iters = 0, errors = 0;
    for (uint64_t n = 1; n <= total; n = next_n(n, total), iters++) {
        run r;
        state ok = {{0}, {0}, 0};
        run_open(&r);
        int mode = iters % 3;
        if (mode == 2)
            hdb__ffs_short_write(r.fs, 1 + n % 50);
        else
            hdb__ffs_fail(r.fs, FFS_READ | FFS_WRITE | FFS_SYNC, n,
                          mode ? HDB_FULL : HDB_IOERR, 0);
        /* A fault the engine absorbs (a checkpoint after a durable commit)
         * may go unreported; most surface as the error of some call. */
        errors += workload(r.db, &ok) != HDB_OK;
        hdb_close(r.db); /* may report the failure again */
        hdb__ffs_clear(r.fs);
        verify(r.path, &ok, "io error at op", n);
        state_free(&ok);
        run_fini(&r);
    }
    ck_assert_int_gt(iters, 50);
    ck_assert_int_gt(errors, iters / 2);
    printf("io errors: %d runs over %llu operations, %d reported an error\n", iters,
           (unsigned long long)total, errors);
}
END_TEST

START_TEST(test_power_loss)
{
    uint64_t total, syncs;
    clean_counts(&total, &syncs);
    for (uint64_t k = 1; k <= syncs; k++) {
        run r;
        state ok = {{0}, {0}, 0};
        run_open(&r);
        hdb__ffs_fail(r.fs, FFS_SYNC, k, HDB_IOERR, 2); /* dies at the k-th sync */
        workload(r.db, &ok);
        hdb_close(r.db);
        ck_assert_int_eq(hdb__ffs_power_loss(r.fs, (int)(k % 2)), HDB_OK);
        hdb__ffs_clear(r.fs);
        verify(r.path, &ok, "power loss at sync", k);
        if (k == syncs)
            printf("power loss: %llu sync points\n", (unsigned long long)syncs);
        state_free(&ok);
        run_fini(&r);
    }
}
END_TEST

/* Flip one bit in every page of a database: never a crash, never a wrong
 * answer; the damage is reported as HDB_CORRUPT. */
START_TEST(test_bit_flips)
{
    run r;
    state ok = {{0}, {0}, 0};
    run_open(&r);
    ck_assert_int_eq(workload(r.db, &ok), HDB_OK);
    ck_assert_int_eq(hdb_close(r.db), HDB_OK);
    FILE *f = fopen(r.path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    int corrupt = 0, pages = (int)(size / 4096);
    for (int pg = 0; pg < pages; pg++) {
        char copy[600], cmd[2000];
        snprintf(copy, sizeof copy, "%s/flip.db", r.dir);
        snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -rf '%s-wal'", r.path, copy, copy);
        ck_assert_int_eq(system(cmd), 0);
        FILE *g = fopen(copy, "r+b");
        long off = (long)pg * 4096 + 8 + (pg * 131) % 4000;
        fseek(g, off, SEEK_SET);
        int c = fgetc(g);
        fseek(g, off, SEEK_SET);
        fputc(c ^ (1 << (pg % 8)), g);
        fclose(g);
        hdb *db;
        hdb_options o;
        hdb_options_init(&o);
        int rc = hdb_open(copy, &o, &db);
        if (rc != HDB_OK) {
            ck_assert_int_eq(rc, HDB_CORRUPT);
            corrupt++;
            continue;
        }
        char *rep = NULL;
        rc = hdb_check(db, &rep);
        hdb_free(rep);
        if (rc == HDB_CORRUPT)
            corrupt++;
        else
            ck_assert_int_eq(rc, HDB_OK); /* a free page: nothing reads it */
        hdb_close(db);
    }
    ck_assert_int_gt(corrupt, pages / 2);
    state_free(&ok);
    run_fini(&r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fault");
    TCase *c = tcase_create("core");
    tcase_set_timeout(c, 900);
    tcase_add_test(c, test_io_errors);
    tcase_add_test(c, test_power_loss);
    tcase_add_test(c, test_bit_flips);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
