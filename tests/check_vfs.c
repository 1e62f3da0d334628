/*
** check_vfs.c — the POSIX VFS (pager/vfs_posix.c) and the fault-injecting
** VFS of the tests (tests/support/fault_vfs.c).
**
** The POSIX cases pin down the result codes the rest of the library relies
** on (NOTFOUND, EXISTS, BUSY, short reads at the end of a file).  The fault
** cases check each fault mode against the model written in fault_vfs.h, the
** bytes on disk being read back through the plain POSIX VFS.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "support/fault_vfs.h"
#include "support/test_util.h"

typedef struct fx {
    char *dir;
    char path[600];
} fx;

static fx fx_new(const char *name)
{
    fx x;
    x.dir = tu_tmpdir();
    ck_assert_ptr_nonnull(x.dir);
    tu_path(x.path, sizeof x.path, x.dir, name);
    return x;
}

static void fx_free(fx *x)
{
    tu_rmdir(x->dir);
    free(x->dir);
}

static hdb_file *must_open(const hdb_vfs *v, const char *path, int flags)
{
    hdb_file *f = NULL;
    ck_assert_int_eq(v->open(v, path, flags, &f), HDB_OK);
    ck_assert_ptr_nonnull(f);
    return f;
}

/* The whole file as the POSIX VFS sees it; returned-owned (free). */
static uint8_t *slurp(const char *path, uint64_t *len)
{
    const hdb_vfs *v = hdb_vfs_posix();
    hdb_file *f = must_open(v, path, HDB_VFS_READONLY);
    size_t got;
    ck_assert_int_eq(v->size(f, len), HDB_OK);
    uint8_t *p = malloc(*len + 1);
    ck_assert_int_eq(v->read(f, p, (size_t)*len, 0, &got), HDB_OK);
    ck_assert_uint_eq(got, *len);
    v->close(f);
    return p;
}

static void expect_file(const char *path, const void *want, size_t n)
{
    uint64_t len;
    uint8_t *p = slurp(path, &len);
    ck_assert_uint_eq(len, n);
    ck_assert(n == 0 || memcmp(p, want, n) == 0);
    free(p);
}

/* ------------------------------------------------------------------------
** POSIX
*/
START_TEST(test_posix_open)
{
    fx x = fx_new("f");
    const hdb_vfs *v = hdb_vfs_posix();
    hdb_file *f = (hdb_file *)&x; /* must be reset to NULL on failure */
    ck_assert_int_eq(v->open(v, x.path, 0, &f), HDB_NOTFOUND);
    ck_assert_ptr_null(f);
    ck_assert_int_eq(v->exists(v, x.path), 0);
    f = must_open(v, x.path, HDB_VFS_CREATE | HDB_VFS_EXCL);
    ck_assert_int_eq(v->close(f), HDB_OK);
    ck_assert_int_eq(v->exists(v, x.path), 1);
    ck_assert_int_eq(v->open(v, x.path, HDB_VFS_CREATE | HDB_VFS_EXCL, &f), HDB_EXISTS);
    f = must_open(v, x.path, HDB_VFS_CREATE); /* CREATE on an existing file opens it */
    v->close(f);
    f = must_open(v, x.path, HDB_VFS_READONLY);
    ck_assert_int_eq(v->write(f, "x", 1, 0), HDB_IOERR);
    ck_assert_int_eq(v->close(f), HDB_OK);
    ck_assert_int_eq(v->close(NULL), HDB_OK);
    fx_free(&x);
}
END_TEST

START_TEST(test_posix_read_write)
{
    fx x = fx_new("f");
    const hdb_vfs *v = hdb_vfs_posix();
    hdb_file *f = must_open(v, x.path, HDB_VFS_CREATE);
    uint8_t buf[32];
    size_t got = 99;
    uint64_t size;
    ck_assert_int_eq(v->read(f, buf, sizeof buf, 0, &got), HDB_OK); /* empty file */
    ck_assert_uint_eq(got, 0);
    ck_assert_int_eq(v->write(f, "hello", 5, 0), HDB_OK);
    ck_assert_int_eq(v->write(f, "world", 5, 10), HDB_OK); /* leaves a hole */
    ck_assert_int_eq(v->size(f, &size), HDB_OK);
    ck_assert_uint_eq(size, 15);
    ck_assert_int_eq(v->read(f, buf, sizeof buf, 0, &got), HDB_OK);
    ck_assert_uint_eq(got, 15);
    ck_assert(!memcmp(buf, "hello\0\0\0\0\0world", 15));
    ck_assert_int_eq(v->read(f, buf, 10, 12, &got), HDB_OK); /* across the end */
    ck_assert_uint_eq(got, 3);
    ck_assert(!memcmp(buf, "rld", 3));
    ck_assert_int_eq(v->read(f, buf, 10, 1000, &got), HDB_OK); /* past the end */
    ck_assert_uint_eq(got, 0);
    ck_assert_int_eq(v->sync(f), HDB_OK);
    ck_assert_int_eq(v->truncate(f, 3), HDB_OK);
    ck_assert_int_eq(v->size(f, &size), HDB_OK);
    ck_assert_uint_eq(size, 3);
    ck_assert_int_eq(v->truncate(f, 8), HDB_OK); /* growing fills with zeros */
    ck_assert_int_eq(v->read(f, buf, sizeof buf, 0, &got), HDB_OK);
    ck_assert_uint_eq(got, 8);
    ck_assert(!memcmp(buf, "hel\0\0\0\0\0", 8));
    v->close(f);
    fx_free(&x);
}
END_TEST

/* Reading a file through the VFS leaves its access time alone (O_NOATIME):
 * an access time older than a day, which a relatime mount would update on
 * a read, stays as it was. */
START_TEST(test_posix_noatime)
{
    fx x = fx_new("f");
    const hdb_vfs *v = hdb_vfs_posix();
    hdb_file *f = must_open(v, x.path, HDB_VFS_CREATE);
    uint8_t buf[8];
    size_t got;
    ck_assert_int_eq(v->write(f, "abcdefgh", 8, 0), HDB_OK);
    v->close(f);
    struct timespec ts[2] = {{time(NULL) - 2 * 86400, 0}, {time(NULL) - 3 * 86400, 0}};
    ck_assert_int_eq(utimensat(AT_FDCWD, x.path, ts, 0), 0);
    f = must_open(v, x.path, HDB_VFS_READONLY);
    ck_assert_int_eq(v->read(f, buf, sizeof buf, 0, &got), HDB_OK);
    ck_assert_uint_eq(got, 8);
    v->close(f);
    f = must_open(v, x.path, 0);
    ck_assert_int_eq(v->read(f, buf, sizeof buf, 0, &got), HDB_OK);
    v->close(f);
    struct stat st;
    ck_assert_int_eq(stat(x.path, &st), 0);
    ck_assert_int_eq((long long)st.st_atim.tv_sec, (long long)ts[0].tv_sec);
    fx_free(&x);
}
END_TEST

/* flock() locks belong to the open file description: two opens conflict
 * even in one process. */
START_TEST(test_posix_lock)
{
    fx x = fx_new("f");
    const hdb_vfs *v = hdb_vfs_posix();
    hdb_file *a = must_open(v, x.path, HDB_VFS_CREATE);
    hdb_file *b = must_open(v, x.path, 0);
    ck_assert_int_eq(v->lock(a, HDB_LOCK_EXCL), HDB_OK);
    ck_assert_int_eq(v->lock(b, HDB_LOCK_EXCL), HDB_BUSY);
    ck_assert_int_eq(v->lock(b, HDB_LOCK_SHARED), HDB_BUSY);
    ck_assert_int_eq(v->lock(a, HDB_LOCK_NONE), HDB_OK);
    ck_assert_int_eq(v->lock(b, HDB_LOCK_SHARED), HDB_OK);
    ck_assert_int_eq(v->lock(a, HDB_LOCK_SHARED), HDB_OK); /* readers share */
    ck_assert_int_eq(v->lock(a, HDB_LOCK_EXCL), HDB_BUSY);
    ck_assert_int_eq(v->lock(b, HDB_LOCK_NONE), HDB_OK);
    ck_assert_int_eq(v->lock(a, HDB_LOCK_EXCL), HDB_OK);
    v->close(a); /* closing releases the lock */
    ck_assert_int_eq(v->lock(b, HDB_LOCK_EXCL), HDB_OK);
    v->close(b);
    fx_free(&x);
}
END_TEST

typedef struct names {
    char seen[8][32];
    int n, stop_at;
} names;

static int on_name(void *ctx, const char *name)
{
    names *s = ctx;
    if (s->n < 8)
        snprintf(s->seen[s->n], sizeof s->seen[0], "%s", name);
    s->n++;
    return s->n == s->stop_at ? HDB_EXISTS : HDB_OK;
}

static int has_name(const names *s, const char *name)
{
    for (int i = 0; i < s->n && i < 8; i++)
        if (!strcmp(s->seen[i], name))
            return 1;
    return 0;
}

START_TEST(test_posix_dir)
{
    fx x = fx_new("d");
    const hdb_vfs *v = hdb_vfs_posix();
    char p[700];
    names s = {.stop_at = -1};
    ck_assert_int_eq(v->list(v, x.path, on_name, &s), HDB_NOTFOUND);
    ck_assert_int_eq(v->mkdir(v, x.path), HDB_OK);
    ck_assert_int_eq(v->mkdir(v, x.path), HDB_OK); /* exists already */
    ck_assert_int_eq(v->exists(v, x.path), 1);
    const char *files[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", x.path, files[i]);
        v->close(must_open(v, p, HDB_VFS_CREATE));
    }
    ck_assert_int_eq(v->mkdir(v, p), HDB_IOERR); /* a file is in the way */
    ck_assert_int_eq(v->sync_dir(v, x.path), HDB_OK);
    ck_assert_int_eq(v->list(v, x.path, on_name, &s), HDB_OK);
    ck_assert_int_eq(s.n, 3); /* without "." and ".." */
    ck_assert(has_name(&s, "a") && has_name(&s, "b") && has_name(&s, "c"));
    names stop = {.stop_at = 2};
    ck_assert_int_eq(v->list(v, x.path, on_name, &stop), HDB_EXISTS);
    ck_assert_int_eq(stop.n, 2);
    ck_assert_int_eq(v->remove(v, p), HDB_OK);
    ck_assert_int_eq(v->exists(v, p), 0);
    ck_assert_int_eq(v->remove(v, p), HDB_NOTFOUND);
    fx_free(&x);
}
END_TEST

/* ------------------------------------------------------------------------
** Fault VFS: pass-through, counters, armed faults
*/
START_TEST(test_fault_passthrough)
{
    fx x = fx_new("f");
    hdb_fault_vfs *fv = hdb__fault_create(hdb_vfs_posix());
    const hdb_vfs *v = hdb__fault_vfs(fv);
    hdb_file *f = must_open(v, x.path, HDB_VFS_CREATE);
    uint8_t buf[8];
    size_t got;
    uint64_t size;
    ck_assert_int_eq(v->write(f, "abcdef", 6, 0), HDB_OK);
    ck_assert_int_eq(v->truncate(f, 4), HDB_OK);
    ck_assert_int_eq(v->sync(f), HDB_OK);
    ck_assert_int_eq(v->sync_dir(v, x.dir), HDB_OK);
    ck_assert_int_eq(v->read(f, buf, sizeof buf, 0, &got), HDB_OK);
    ck_assert_uint_eq(got, 4);
    ck_assert_int_eq(v->size(f, &size), HDB_OK);
    ck_assert_uint_eq(size, 4);
    ck_assert_uint_eq(hdb__fault_reads(fv), 1);
    ck_assert_uint_eq(hdb__fault_writes(fv), 2); /* write + truncate */
    ck_assert_uint_eq(hdb__fault_syncs(fv), 2);  /* sync + sync_dir */
    ck_assert_uint_eq(hdb__fault_injected(fv), 0);
    v->close(f);
    expect_file(x.path, "abcd", 4);
    ck_assert_int_eq(v->exists(v, x.path), 1);
    ck_assert_int_eq(v->remove(v, x.path), HDB_OK);
    ck_assert_int_eq(v->open(v, x.path, 0, &f), HDB_NOTFOUND);
    hdb__fault_destroy(fv);
    fx_free(&x);
}
END_TEST

START_TEST(test_fault_fail_nth)
{
    fx x = fx_new("f");
    hdb_fault_vfs *fv = hdb__fault_create(hdb_vfs_posix());
    const hdb_vfs *v = hdb__fault_vfs(fv);
    hdb_file *f = must_open(v, x.path, HDB_VFS_CREATE);
    uint8_t buf[4];
    size_t got;
    /* Once: the 3rd write fails and writes nothing. */
    hdb__fault_fail_write(fv, 3, HDB_IOERR, 0);
    ck_assert_int_eq(v->write(f, "a", 1, 0), HDB_OK);
    ck_assert_int_eq(v->write(f, "b", 1, 1), HDB_OK);
    ck_assert_int_eq(v->write(f, "c", 1, 2), HDB_IOERR);
    ck_assert_int_eq(v->write(f, "d", 1, 3), HDB_OK);
    expect_file(x.path, "ab\0d", 4);
    /* Persistent, with HDB_FULL, and truncate counts as a write. */
    hdb__fault_fail_write(fv, 2, HDB_FULL, 1);
    ck_assert_int_eq(v->truncate(f, 4), HDB_OK);
    ck_assert_int_eq(v->write(f, "e", 1, 4), HDB_FULL);
    ck_assert_int_eq(v->truncate(f, 0), HDB_FULL);
    ck_assert_int_eq(v->write(f, "f", 1, 0), HDB_FULL);
    expect_file(x.path, "ab\0d", 4);
    hdb__fault_fail_write(fv, 0, HDB_OK, 0); /* disarm */
    ck_assert_int_eq(v->write(f, "g", 1, 4), HDB_OK);
    /* Reads. */
    hdb__fault_fail_read(fv, 1, HDB_IOERR, 0);
    ck_assert_int_eq(v->read(f, buf, 4, 0, &got), HDB_IOERR);
    ck_assert_int_eq(v->read(f, buf, 4, 0, &got), HDB_OK);
    ck_assert_uint_eq(got, 4);
    /* Syncs: sync_dir counts too. */
    hdb__fault_fail_sync(fv, 2, HDB_IOERR, 1);
    ck_assert_int_eq(v->sync(f), HDB_OK);
    ck_assert_int_eq(v->sync_dir(v, x.dir), HDB_IOERR);
    ck_assert_int_eq(v->sync(f), HDB_IOERR);
    hdb__fault_reset(fv);
    ck_assert_int_eq(v->sync(f), HDB_OK);
    ck_assert_uint_eq(hdb__fault_injected(fv), 7);
    ck_assert_uint_eq(hdb__fault_writes(fv), 9);
    ck_assert_uint_eq(hdb__fault_reads(fv), 2);
    ck_assert_uint_eq(hdb__fault_syncs(fv), 4);
    v->close(f);
    hdb__fault_destroy(fv);
    fx_free(&x);
}
END_TEST

START_TEST(test_fault_short_write)
{
    fx x = fx_new("f");
    hdb_fault_vfs *fv = hdb__fault_create(hdb_vfs_posix());
    const hdb_vfs *v = hdb__fault_vfs(fv);
    hdb_file *f = must_open(v, x.path, HDB_VFS_CREATE);
    hdb__fault_short_write(fv, 2);
    ck_assert_int_eq(v->write(f, "0123", 4, 0), HDB_OK);
    ck_assert_int_eq(v->write(f, "abcdefgh", 8, 4), HDB_IOERR);
    expect_file(x.path, "0123abcd", 8); /* half of the second write landed */
    ck_assert_int_eq(v->write(f, "abcdefgh", 8, 4), HDB_OK); /* once only */
    /* A truncate counts but is never cut: the write after it is. */
    hdb__fault_short_write(fv, 1);
    ck_assert_int_eq(v->truncate(f, 2), HDB_OK);
    ck_assert_int_eq(v->write(f, "WXYZ", 4, 2), HDB_IOERR);
    expect_file(x.path, "01WX", 4);
    ck_assert_uint_eq(hdb__fault_injected(fv), 2);
    v->close(f);
    hdb__fault_destroy(fv);
    fx_free(&x);
}
END_TEST

START_TEST(test_fault_crash)
{
    fx x = fx_new("f");
    hdb_fault_vfs *fv = hdb__fault_create(hdb_vfs_posix());
    const hdb_vfs *v = hdb__fault_vfs(fv);
    hdb_file *f = must_open(v, x.path, HDB_VFS_CREATE), *g;
    uint8_t buf[4];
    size_t got;
    uint64_t size;
    hdb__fault_crash_after(fv, 2);
    ck_assert_int_eq(v->read(f, buf, 4, 0, &got), HDB_OK); /* reads do not count */
    ck_assert_int_eq(v->write(f, "ab", 2, 0), HDB_OK);
    ck_assert_int_eq(v->sync(f), HDB_OK);
    ck_assert_int_eq(hdb__fault_crashed(fv), 0);
    ck_assert_int_eq(v->write(f, "cd", 2, 2), HDB_IOERR); /* the process died here */
    ck_assert_int_eq(hdb__fault_crashed(fv), 1);
    ck_assert_int_eq(v->read(f, buf, 4, 0, &got), HDB_IOERR);
    ck_assert_int_eq(v->size(f, &size), HDB_IOERR);
    ck_assert_int_eq(v->lock(f, HDB_LOCK_SHARED), HDB_IOERR);
    ck_assert_int_eq(v->open(v, x.path, 0, &g), HDB_IOERR);
    ck_assert_int_eq(v->mkdir(v, x.path), HDB_IOERR);
    ck_assert_int_eq(v->remove(v, x.path), HDB_IOERR);
    ck_assert_int_eq(v->sync_dir(v, x.dir), HDB_IOERR);
    ck_assert_int_eq(v->exists(v, x.path), 1);
    ck_assert_int_eq(v->close(f), HDB_OK);
    expect_file(x.path, "ab", 2);
    hdb__fault_reset(fv); /* the process restarts; what it wrote stays */
    f = must_open(v, x.path, 0);
    ck_assert_int_eq(v->write(f, "cd", 2, 2), HDB_OK);
    v->close(f);
    expect_file(x.path, "abcd", 4);
    /* crash_after(0): the very next write or sync fails. */
    hdb__fault_crash_after(fv, 0);
    f = must_open(v, x.path, 0);
    ck_assert_int_eq(v->sync(f), HDB_IOERR);
    v->close(f);
    hdb__fault_destroy(fv);
    fx_free(&x);
}
END_TEST

/* ------------------------------------------------------------------------
** Fault VFS: power loss
*/
START_TEST(test_fault_power_loss)
{
    fx x = fx_new("a");
    char b[700], c[700], d[700];
    snprintf(b, sizeof b, "%s/b", x.dir);
    snprintf(c, sizeof c, "%s/c", x.dir);
    snprintf(d, sizeof d, "%s/d", x.dir);
    const hdb_vfs *px = hdb_vfs_posix();
    hdb_file *f = must_open(px, c, HDB_VFS_CREATE); /* c exists before: durable */
    ck_assert_int_eq(px->write(f, "old-c", 5, 0), HDB_OK);
    px->close(f);
    hdb_fault_vfs *fv = hdb__fault_create(px);
    const hdb_vfs *v = hdb__fault_vfs(fv);
    hdb__fault_power_loss_mode(fv, 1);
    /* a: synced content kept, later writes and a truncate undone */
    hdb_file *fa = must_open(v, x.path, HDB_VFS_CREATE);
    ck_assert_int_eq(v->write(fa, "synced!!", 8, 0), HDB_OK);
    ck_assert_int_eq(v->sync(fa), HDB_OK);
    ck_assert_int_eq(v->write(fa, "XX", 2, 2), HDB_OK);
    ck_assert_int_eq(v->truncate(fa, 5), HDB_OK);
    ck_assert_int_eq(v->write(fa, "more", 4, 5), HDB_OK);
    /* b: created, written, never synced */
    hdb_file *fb = must_open(v, b, HDB_VFS_CREATE);
    ck_assert_int_eq(v->write(fb, "lost", 4, 0), HDB_OK);
    /* c: existed, overwritten and grown without a sync */
    hdb_file *fc = must_open(v, c, 0);
    ck_assert_int_eq(v->write(fc, "new-c-longer", 12, 0), HDB_OK);
    /* d: created and synced, then removed: stays removed */
    hdb_file *fd = must_open(v, d, HDB_VFS_CREATE);
    ck_assert_int_eq(v->write(fd, "d", 1, 0), HDB_OK);
    ck_assert_int_eq(v->sync(fd), HDB_OK);
    v->close(fd);
    ck_assert_int_eq(v->remove(v, d), HDB_OK);
    ck_assert_int_eq(hdb__fault_power_loss(fv), HDB_OK);
    expect_file(x.path, "synced!!", 8);
    expect_file(b, "", 0);
    expect_file(c, "old-c", 5);
    ck_assert_int_eq(px->exists(px, d), 0);
    /* The old handles are dead; new ones work and the images go on. */
    uint8_t buf[8];
    size_t got;
    ck_assert_int_eq(v->read(fa, buf, 8, 0, &got), HDB_IOERR);
    ck_assert_int_eq(v->write(fb, "x", 1, 0), HDB_IOERR);
    ck_assert_int_eq(v->sync(fc), HDB_IOERR);
    v->close(fa);
    v->close(fb);
    v->close(fc);
    fa = must_open(v, x.path, 0);
    ck_assert_int_eq(v->read(fa, buf, 8, 0, &got), HDB_OK);
    ck_assert_uint_eq(got, 8);
    ck_assert_int_eq(v->truncate(fa, 3), HDB_OK);
    ck_assert_int_eq(v->sync(fa), HDB_OK); /* a synced truncate is kept */
    ck_assert_int_eq(v->write(fa, "zz", 2, 3), HDB_OK);
    v->close(fa);
    ck_assert_int_eq(hdb__fault_power_loss(fv), HDB_OK);
    expect_file(x.path, "syn", 3);
    hdb__fault_destroy(fv);
    fx_free(&x);
}
END_TEST

/* A crash at every point of a small workload, then power loss: the file is
 * always exactly what the last successful sync made it. */
START_TEST(test_fault_crash_then_power_loss)
{
    for (uint64_t n = 0; n < 8; n++) {
        fx x = fx_new("f");
        hdb_fault_vfs *fv = hdb__fault_create(hdb_vfs_posix());
        const hdb_vfs *v = hdb__fault_vfs(fv);
        hdb__fault_power_loss_mode(fv, 1);
        hdb_file *f = must_open(v, x.path, HDB_VFS_CREATE);
        hdb__fault_crash_after(fv, n);
        char want[8] = "";
        /* ops: w1 s1 w2 s2 w3 s3 w4 s4 */
        for (int i = 0; i < 4; i++) {
            char c = (char)('a' + i);
            if (v->write(f, &c, 1, (uint64_t)i) != HDB_OK || v->sync(f) != HDB_OK)
                break;
            want[i] = c;
        }
        ck_assert_int_eq(hdb__fault_crashed(fv), n < 8);
        v->close(f);
        ck_assert_int_eq(hdb__fault_power_loss(fv), HDB_OK);
        ck_assert_int_eq(hdb__fault_crashed(fv), 0);
        expect_file(x.path, want, strlen(want));
        hdb__fault_destroy(fv);
        fx_free(&x);
    }
}
END_TEST

/* A file opened before the mode was turned on is covered from its first
 * write on (its content then is taken as durable). */
START_TEST(test_fault_mode_late)
{
    fx x = fx_new("f");
    hdb_fault_vfs *fv = hdb__fault_create(hdb_vfs_posix());
    const hdb_vfs *v = hdb__fault_vfs(fv);
    hdb_file *f = must_open(v, x.path, HDB_VFS_CREATE);
    ck_assert_int_eq(v->write(f, "base", 4, 0), HDB_OK);
    hdb__fault_power_loss_mode(fv, 1);
    ck_assert_int_eq(v->write(f, "BASE+", 5, 0), HDB_OK);
    v->close(f);
    ck_assert_int_eq(hdb__fault_power_loss(fv), HDB_OK);
    expect_file(x.path, "base", 4);
    hdb__fault_power_loss_mode(fv, 0); /* off: power loss only kills handles */
    f = must_open(v, x.path, 0);
    ck_assert_int_eq(v->write(f, "kept", 4, 0), HDB_OK);
    ck_assert_int_eq(hdb__fault_power_loss(fv), HDB_OK);
    ck_assert_int_eq(v->write(f, "dead", 4, 0), HDB_IOERR);
    v->close(f);
    expect_file(x.path, "kept", 4);
    hdb__fault_destroy(fv);
    fx_free(&x);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("vfs");
    TCase *p = tcase_create("posix");
    tcase_add_test(p, test_posix_open);
    tcase_add_test(p, test_posix_read_write);
    tcase_add_test(p, test_posix_noatime);
    tcase_add_test(p, test_posix_lock);
    tcase_add_test(p, test_posix_dir);
    suite_add_tcase(s, p);
    TCase *f = tcase_create("fault");
    tcase_add_test(f, test_fault_passthrough);
    tcase_add_test(f, test_fault_fail_nth);
    tcase_add_test(f, test_fault_short_write);
    tcase_add_test(f, test_fault_crash);
    tcase_add_test(f, test_fault_power_loss);
    tcase_add_test(f, test_fault_crash_then_power_loss);
    tcase_add_test(f, test_fault_mode_late);
    suite_add_tcase(s, f);
    return s;
}

int main(void) { return tu_run(suite()); }
