/*
** check_wal.c — the log: frames, commits, recovery, torn tails, segments.
**
** Transactions carry records whose payload encodes (lsn, index) so every
** replay can be checked exactly.  Torn tails are made by cutting the last
** segment at every byte offset of its last transaction; damage in the
** middle of the log is made by flipping a bit.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "support/faultfs.h"
#include "support/test_util.h"
#include "wal/wal.h"

typedef struct seen {
    uint64_t commits, last, records;
    int bad;
} seen;

static int on_rec(void *ctx, const hdb_wal_rec *r)
{
    seen *s = ctx;
    s->records++;
    if (r->type != 7 || r->size < 16)
        s->bad = 1;
    return HDB_OK;
}

static int on_commit(void *ctx, const hdb_wal_commit *c)
{
    seen *s = ctx;
    if (c->lsn != s->last + 1 && s->commits)
        s->bad = 1;
    s->last = c->lsn;
    s->commits++;
    return HDB_OK;
}

static hdb_wal *wopen(const char *dir, const hdb_vfs *vfs, uint64_t seg)
{
    hdb_wal_cfg cfg = {0};
    hdb_wal *w;
    cfg.vfs = vfs ? vfs : hdb_vfs_posix();
    cfg.dir = dir;
    cfg.sync = HDB_SYNC_FULL;
    cfg.segment_bytes = seg;
    ck_assert_int_eq(hdb__wal_open(&cfg, &w), HDB_OK);
    return w;
}

/* Append one transaction of n records (payload: lsn, index, filler). */
static int txn(hdb_wal *w, uint64_t lsn, int n, size_t extra)
{
    uint8_t buf[4096];
    memset(buf, 'x', sizeof buf);
    for (int i = 0; i < n; i++) {
        memcpy(buf, &lsn, 8);
        memcpy(buf + 8, &i, 4);
        int rc = hdb__wal_append(w, 7, buf, 16 + extra % 4000, NULL, 0);
        if (rc != HDB_OK)
            return rc;
    }
    return hdb__wal_commit(w, lsn, (int64_t)lsn * 1000, "main", 4);
}

static seen recover(const char *dir, uint64_t after, int *rc)
{
    seen s = {0};
    uint64_t last;
    hdb_wal *w = wopen(dir, NULL, 0);
    *rc = hdb__wal_recover(w, after, on_rec, on_commit, &s, &last);
    hdb__wal_close(w);
    return s;
}

START_TEST(test_roundtrip_segments)
{
    char *dir = tu_tmpdir(), path[600];
    tu_path(path, sizeof path, dir, "log");
    hdb_wal *w = wopen(path, NULL, 16 << 10);
    uint64_t last;
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_OK);
    ck_assert_uint_eq(last, 0);
    for (uint64_t l = 1; l <= 200; l++)
        ck_assert_int_eq(txn(w, l, (int)(l % 5) + 1, l * 37), HDB_OK);
    ck_assert_int_eq(txn(w, 500, 1, 0), HDB_MISUSE); /* LSNs go up by one */
    hdb__wal_abort(w);
    hdb_wal_seg_info *segs;
    size_t n;
    ck_assert_int_eq(hdb__wal_segments(w, &segs, &n), HDB_OK);
    ck_assert_uint_gt(n, 1);
    free(segs);
    hdb__wal_close(w);
    int rc;
    seen s = recover(path, 0, &rc);
    ck_assert_int_eq(rc, HDB_OK);
    ck_assert_int_eq(s.bad, 0);
    ck_assert_uint_eq(s.commits, 200);
    ck_assert_uint_eq(s.last, 200);
    s = recover(path, 150, &rc);
    ck_assert_int_eq(rc, HDB_OK);
    ck_assert_uint_eq(s.commits, 50);
    /* Read a past range, prune, and the range is gone. */
    w = wopen(path, NULL, 16 << 10);
    ck_assert_int_eq(hdb__wal_recover(w, 200, NULL, NULL, NULL, &last), HDB_OK);
    seen r = {0};
    ck_assert_int_eq(hdb__wal_read(w, 10, 20, on_rec, on_commit, &r), HDB_OK);
    ck_assert_uint_eq(r.commits, 10);
    ck_assert_int_eq(hdb__wal_prune(w, 150), HDB_OK);
    seen r2 = {0};
    ck_assert_int_eq(hdb__wal_read(w, 10, 20, on_rec, on_commit, &r2), HDB_RANGE);
    ck_assert_int_eq(txn(w, 201, 2, 5), HDB_OK);
    hdb__wal_close(w);
    s = recover(path, 150, &rc);
    ck_assert_int_eq(rc, HDB_OK);
    ck_assert_uint_eq(s.last, 201);
    tu_rmdir(dir);
    free(dir);
}
END_TEST

/* Cut the log at every byte of its last transaction: that transaction
 * vanishes, every earlier one stays, and appending works again. */
START_TEST(test_torn_tail)
{
    char *dir = tu_tmpdir(), path[600], seg[700];
    tu_path(path, sizeof path, dir, "log");
    hdb_wal *w = wopen(path, NULL, 0);
    uint64_t last;
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_OK);
    for (uint64_t l = 1; l <= 5; l++)
        ck_assert_int_eq(txn(w, l, 2, 100), HDB_OK);
    hdb_wal_seg_info *segs;
    size_t n;
    ck_assert_int_eq(hdb__wal_segments(w, &segs, &n), HDB_OK);
    uint64_t before = segs[n - 1].bytes;
    free(segs);
    ck_assert_int_eq(txn(w, 6, 3, 300), HDB_OK);
    ck_assert_int_eq(hdb__wal_segments(w, &segs, &n), HDB_OK);
    uint64_t after = segs[n - 1].bytes;
    snprintf(seg, sizeof seg, "%s/%016llx", path, (unsigned long long)segs[n - 1].seq);
    free(segs);
    hdb__wal_close(w);
    FILE *f = fopen(seg, "rb");
    uint8_t *img = malloc(after);
    ck_assert_uint_eq(fread(img, 1, after, f), after);
    fclose(f);
    for (uint64_t cut = before; cut < after; cut++) {
        f = fopen(seg, "wb");
        fwrite(img, 1, cut, f);
        fclose(f);
        int rc;
        seen s = recover(path, 0, &rc);
        ck_assert_int_eq(rc, HDB_OK);
        ck_assert_uint_eq(s.last, 5);
        ck_assert_int_eq(s.bad, 0);
    }
    /* After the cut the log appends from commit 5. */
    w = wopen(path, NULL, 0);
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_OK);
    ck_assert_uint_eq(last, 5);
    ck_assert_int_eq(txn(w, 6, 1, 1), HDB_OK);
    hdb__wal_close(w);
    int rc;
    seen s = recover(path, 0, &rc);
    ck_assert_uint_eq(s.last, 6);
    free(img);
    tu_rmdir(dir);
    free(dir);
}
END_TEST

/* A bit flipped inside an earlier segment, with later segments present: a
 * hole, not a torn tail. */
START_TEST(test_hole_is_corrupt)
{
    char *dir = tu_tmpdir(), path[600], seg[700];
    tu_path(path, sizeof path, dir, "log");
    hdb_wal *w = wopen(path, NULL, 4096);
    uint64_t last;
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_OK);
    for (uint64_t l = 1; l <= 60; l++)
        ck_assert_int_eq(txn(w, l, 3, 200), HDB_OK);
    hdb__wal_close(w);
    snprintf(seg, sizeof seg, "%s/%016llx", path, 1ULL);
    FILE *f = fopen(seg, "r+b");
    fseek(f, 200, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 200, SEEK_SET);
    fputc(c ^ 0x10, f);
    fclose(f);
    int rc;
    recover(path, 0, &rc);
    ck_assert_int_eq(rc, HDB_CORRUPT);
    tu_rmdir(dir);
    free(dir);
}
END_TEST

START_TEST(test_rewind_abort_compress)
{
    char *dir = tu_tmpdir(), path[600];
    tu_path(path, sizeof path, dir, "log");
    hdb_wal *w = wopen(path, NULL, 0);
    uint64_t last;
    hdb_wal_pos pos;
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_OK);
    uint8_t big[100000];
    memset(big, 'z', sizeof big);
    uint64_t one = 1;
    memcpy(big, &one, 8);
    ck_assert_int_eq(hdb__wal_append(w, 7, big, sizeof big, NULL, 0), HDB_OK);
    hdb__wal_mark(w, &pos);
    for (int i = 0; i < 30; i++) /* past the 1 MiB buffer: written, then cut */
        ck_assert_int_eq(hdb__wal_append(w, 7, big, sizeof big, "", 0), HDB_OK);
    ck_assert_int_eq(hdb__wal_rewind(w, &pos), HDB_OK);
    ck_assert_int_eq(hdb__wal_commit(w, 1, 1, NULL, 0), HDB_OK);
    ck_assert_int_eq(txn(w, 2, 2, 0), HDB_OK);
    ck_assert_int_eq(hdb__wal_append(w, 7, big, 50, NULL, 0), HDB_OK);
    hdb__wal_abort(w);
    ck_assert_uint_lt(hdb__wal_bytes(w), 10000); /* the 100 kB record compressed */
    hdb__wal_close(w);
    int rc;
    seen s = recover(path, 0, &rc);
    ck_assert_int_eq(rc, HDB_OK);
    ck_assert_uint_eq(s.commits, 2);
    ck_assert_uint_eq(s.records, 3);
    ck_assert_int_eq(s.bad, 0);
    tu_rmdir(dir);
    free(dir);
}
END_TEST

/* Fail each write and sync of a commit in turn: the commit reports the
 * error and the log holds exactly the earlier commits. */
START_TEST(test_commit_faults)
{
    for (uint64_t nth = 1; nth <= 4; nth++) {
        for (int kind = FFS_WRITE; kind <= FFS_SYNC; kind *= 2) {
            char *dir = tu_tmpdir(), path[600];
            tu_path(path, sizeof path, dir, "log");
            hdb_ffs *fs = hdb__ffs_new(hdb_vfs_posix());
            hdb_wal *w = wopen(path, hdb__ffs_vfs(fs), 0);
            uint64_t last;
            ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_OK);
            ck_assert_int_eq(txn(w, 1, 2, 10), HDB_OK);
            hdb__ffs_fail(fs, kind, nth, HDB_IOERR, 0);
            int rc = txn(w, 2, 2, 10);
            if (hdb__ffs_fired(fs))
                ck_assert_int_ne(rc, HDB_OK);
            if (rc != HDB_OK)
                ck_assert_int_eq(txn(w, 2, 1, 10), HDB_OK); /* the log goes on */
            hdb__wal_close(w);
            seen s = recover(path, 0, &rc);
            ck_assert_int_eq(rc, HDB_OK);
            ck_assert_uint_eq(s.last, 2);
            ck_assert_int_eq(s.bad, 0);
            hdb__ffs_free(fs);
            tu_rmdir(dir);
            free(dir);
        }
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("wal");
    TCase *c = tcase_create("core");
    tcase_set_timeout(c, 300);
    tcase_add_test(c, test_roundtrip_segments);
    tcase_add_test(c, test_torn_tail);
    tcase_add_test(c, test_hole_is_corrupt);
    tcase_add_test(c, test_rewind_abort_compress);
    tcase_add_test(c, test_commit_faults);
    suite_add_tcase(s, c);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
