/*
** check_wal.c — the log (wal/): format, recovery, torn tails, holes,
** savepoints, abort, compression, reading the past, pruning, durability
** modes, and sweeps of I/O faults, power losses and failed allocations.
**
** HOW THE CHECKS WORK
**   Transaction `lsn` of the standard workload (put_txn) holds rec_count(lsn)
**   records whose payload encodes (lsn, index, length) and a filler derived
**   from them, commit time lsn * 1000 and 8 bytes of extra; a `chk` replays a
**   log and verifies every record and commit exactly, in order.  Most cases
**   run on `fast`, the POSIX VFS without fsync (durability is then simulated
**   by the fault VFS's power loss, which does not need real fsyncs).
**   Faults come from tests/support/fault_vfs.h.  Every fault iteration ends
**   with reopen + recovery + a full check of the log.
*/
#include <check.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>
#include "pager/bytes.h"
#include "support/fault_vfs.h"
#include "support/test_util.h"
#include "wal/wal.h"

#define REC 7      /* type of the workload's records */
#define BIG 8      /* type of the 100 KiB filler records */
#define BIG_LEN (100u * 1024u)
#define XK 0x5a5a5a5a5a5a5a5aull

/* ------------------------------------------------------------------------
** Environment
*/
typedef struct env {
    char *tmp;
    char dir[600]; /* the log directory */
    hdb_vfs fast;  /* POSIX without fsync */
    int64_t now;   /* the fake clock */
} env;

static int nop_sync(hdb_file *f) { return HDB_OK; }
static int nop_sync_dir(const hdb_vfs *v, const char *d) { return HDB_OK; }
static int64_t fake_clock(void *ctx) { return *(int64_t *)ctx; }

static void env_init(env *e)
{
    e->tmp = tu_tmpdir();
    ck_assert_ptr_nonnull(e->tmp);
    tu_path(e->dir, sizeof e->dir, e->tmp, "db-wal");
    e->fast = *hdb_vfs_posix();
    e->fast.name = "fast";
    e->fast.sync = nop_sync;
    e->fast.sync_dir = nop_sync_dir;
    e->now = 1000000;
}

static void env_fini(env *e)
{
    tu_rmdir(e->tmp);
    free(e->tmp);
}

static int prealloc; /* cfg.prealloc of the handles opened (wal.h, SEGMENT SIZE) */

static hdb_wal_cfg cfg_of(env *e, const hdb_vfs *vfs, int sync, uint64_t seg)
{
    hdb_wal_cfg c = {0};
    c.prealloc = prealloc;
    c.vfs = vfs ? vfs : &e->fast;
    c.dir = e->dir;
    c.sync = sync;
    c.segment_bytes = seg;
    c.clock_us = fake_clock;
    c.clock_ctx = &e->now;
    return c;
}

static hdb_wal *wopen(env *e, const hdb_vfs *vfs, int sync, uint64_t seg)
{
    hdb_wal_cfg c = cfg_of(e, vfs, sync, seg);
    hdb_wal *w = NULL;
    ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_OK);
    return w;
}

/* Open and recover (no callbacks); *last receives the last LSN. */
static hdb_wal *wready(env *e, const hdb_vfs *vfs, int sync, uint64_t seg, uint64_t after,
                       uint64_t *last)
{
    uint64_t l;
    hdb_wal *w = wopen(e, vfs, sync, seg);
    ck_assert_int_eq(hdb__wal_recover(w, after, NULL, NULL, NULL, last ? last : &l), HDB_OK);
    return w;
}

static void seg_path(const env *e, uint64_t seq, char *out, size_t n)
{
    snprintf(out, n, "%s/%016llx", e->dir, (unsigned long long)seq);
}

static uint64_t file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return (uint64_t)n;
}

static uint8_t *file_read(const char *path, uint64_t *n)
{
    *n = file_size(path);
    FILE *f = fopen(path, "rb");
    uint8_t *p = malloc(*n + 1);
    ck_assert_uint_eq(fread(p, 1, *n, f), *n);
    fclose(f);
    return p;
}

static void file_write(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(p, 1, n, f), n);
    fclose(f);
}

static void file_flip(const char *path, uint64_t off, int bit)
{
    uint64_t n;
    uint8_t *p = file_read(path, &n);
    ck_assert_uint_lt(off, n);
    p[off] ^= (uint8_t)(1u << bit);
    file_write(path, p, n);
    free(p);
}

static uint64_t seg_count(hdb_wal *w)
{
    hdb_wal_seg_info *s;
    size_t n;
    ck_assert_int_eq(hdb__wal_segments(w, &s, &n), HDB_OK);
    free(s);
    return n;
}

/* The last segment's info. */
static hdb_wal_seg_info seg_last(hdb_wal *w)
{
    hdb_wal_seg_info *s, r;
    size_t n;
    ck_assert_int_eq(hdb__wal_segments(w, &s, &n), HDB_OK);
    ck_assert_uint_gt(n, 0);
    r = s[n - 1];
    free(s);
    return r;
}

/* ------------------------------------------------------------------------
** The workload and its checker
*/
static uint32_t rec_count(uint64_t lsn) { return lsn % 7 == 0 ? 0 : (uint32_t)(lsn % 4) + 1; }
static size_t rec_len(uint64_t lsn, uint32_t i) { return 16 + (size_t)((lsn * 31 + i * 17) % 600); }

static void rec_fill(uint8_t *p, uint64_t lsn, uint32_t i, size_t n)
{
    hdb__put64(p, lsn);
    hdb__put32(p + 8, i);
    hdb__put32(p + 12, (uint32_t)n);
    for (size_t j = 16; j < n; j++)
        p[j] = (uint8_t)(lsn * 131 + i * 7 + j % 97);
}

static void big_fill(uint8_t *p, uint64_t seed)
{
    tu_rng r = {seed * 2654435761u + 1};
    for (size_t j = 0; j < BIG_LEN; j += 8) {
        uint64_t x = tu_next(&r);
        memcpy(p + j, &x, 8);
    }
}

/* Append `nbig` incompressible 100 KiB records, then the standard records
 * of `lsn`, then commit.  The first error is returned. */
static int put_txn_big(hdb_wal *w, uint64_t lsn, int nbig)
{
    uint8_t buf[700], extra[8];
    int rc = HDB_OK;
    uint8_t *big = nbig ? malloc(BIG_LEN) : NULL;
    for (int k = 0; k < nbig && rc == HDB_OK; k++) {
        big_fill(big, lsn * 100 + (uint64_t)k);
        rc = hdb__wal_append(w, BIG, big, BIG_LEN, NULL, 0);
    }
    free(big);
    for (uint32_t i = 0; i < rec_count(lsn) && rc == HDB_OK; i++) {
        size_t n = rec_len(lsn, i), split = n / 3;
        rec_fill(buf, lsn, i, n);
        rc = hdb__wal_append(w, REC, buf, split, buf + split, n - split);
    }
    hdb__put64(extra, lsn ^ XK);
    return rc == HDB_OK ? hdb__wal_commit(w, lsn, (int64_t)lsn * 1000, extra, 8) : rc;
}

static int put_txn(hdb_wal *w, uint64_t lsn) { return put_txn_big(w, lsn, 0); }

typedef struct chk {
    uint64_t expect;  /* the next LSN */
    uint64_t commits, records, bigs, last;
    uint32_t nrec;    /* workload records since the last commit */
    int bad;
    char why[200];
    hdb_wal *w;       /* for a read from inside recovery */
    uint64_t nested_at;
    int nested_rc, nested_range_rc;
    uint64_t nested_n;
} chk;

static chk chk_from(uint64_t after)
{
    chk c;
    memset(&c, 0, sizeof c);
    c.expect = after + 1;
    c.last = after;
    return c;
}

static void bad(chk *c, const char *what, uint64_t lsn)
{
    if (!c->bad)
        snprintf(c->why, sizeof c->why, "%s at lsn %llu", what, (unsigned long long)lsn);
    c->bad = 1;
}

static int chk_rec(void *ctx, const hdb_wal_rec *r)
{
    chk *c = ctx;
    c->records++;
    if (r->type == BIG) {
        c->bigs++;
        if (r->size != BIG_LEN)
            bad(c, "big record size", c->expect);
        return HDB_OK;
    }
    if (r->type != REC || r->size < 16) {
        bad(c, "record type or size", c->expect);
        return HDB_OK;
    }
    uint64_t lsn = hdb__get64(r->data);
    uint32_t i = hdb__get32(r->data + 8);
    uint8_t want[700];
    if (lsn != c->expect || i != c->nrec || r->size != rec_len(lsn, i)) {
        bad(c, "record out of place", c->expect);
        return HDB_OK;
    }
    rec_fill(want, lsn, i, r->size);
    if (memcmp(want, r->data, r->size))
        bad(c, "record content", lsn);
    c->nrec++;
    return HDB_OK;
}

static int count_commit(void *ctx, const hdb_wal_commit *cm)
{
    (*(uint64_t *)ctx)++;
    return HDB_OK;
}

static int chk_commit(void *ctx, const hdb_wal_commit *cm)
{
    chk *c = ctx;
    if (cm->lsn != c->expect)
        bad(c, "commit LSN", cm->lsn);
    if (cm->time_us != (int64_t)cm->lsn * 1000)
        bad(c, "commit time", cm->lsn);
    if (cm->extra_size != 8 || hdb__get64(cm->extra) != (cm->lsn ^ XK))
        bad(c, "commit extra", cm->lsn);
    if (c->nrec != rec_count(cm->lsn))
        bad(c, "record count", cm->lsn);
    if (c->w && cm->lsn == c->nested_at) {
        c->nested_rc = hdb__wal_read(c->w, cm->lsn - 10, cm->lsn, NULL, count_commit, &c->nested_n);
        c->nested_range_rc = hdb__wal_read(c->w, cm->lsn - 10, cm->lsn + 1, NULL, NULL, NULL);
    }
    c->nrec = 0;
    c->commits++;
    c->last = cm->lsn;
    c->expect = cm->lsn + 1;
    return HDB_OK;
}

/* Recover the log (writable: the torn tail is cut) and check all of it. */
static int replay(env *e, uint64_t after, chk *c)
{
    uint64_t last;
    hdb_wal *w = wopen(e, NULL, HDB_SYNC_OFF, 0);
    *c = chk_from(after);
    int rc = hdb__wal_recover(w, after, chk_rec, chk_commit, c, &last);
    if (rc == HDB_OK)
        ck_assert_uint_eq(last, c->last);
    hdb__wal_close(w);
    ck_assert_msg(!c->bad, "%s", c->why);
    ck_assert_uint_eq(c->nrec, 0); /* no record without its commit */
    return rc;
}

/* The log holds exactly the commits 1..n, every one whole. */
static void expect_log(env *e, uint64_t n)
{
    chk c;
    ck_assert_int_eq(replay(e, 0, &c), HDB_OK);
    ck_assert_uint_eq(c.last, n);
    ck_assert_uint_eq(c.commits, n);
}

/* ------------------------------------------------------------------------
** Round trips and the byte layout
*/
START_TEST(test_roundtrip_segments)
{
    env e;
    env_init(&e);
    uint64_t last;
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 16 << 10, 0, &last);
    ck_assert_uint_eq(last, 0);
    ck_assert_uint_eq(seg_count(w), 1); /* created by recovery */
    uint64_t appended = 0;
    for (uint64_t l = 1; l <= 300; l++) {
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
        ck_assert_uint_gt(hdb__wal_appended(w), appended);
        appended = hdb__wal_appended(w);
    }
    ck_assert_uint_eq(hdb__wal_last_lsn(w), 300);
    hdb_wal_seg_info *s;
    size_t n;
    uint64_t bytes = 0;
    ck_assert_int_eq(hdb__wal_segments(w, &s, &n), HDB_OK);
    ck_assert_uint_gt(n, 3);
    for (size_t i = 0; i < n; i++) {
        char p[700];
        seg_path(&e, s[i].seq, p, sizeof p);
        ck_assert_uint_eq(s[i].seq, i + 1);
        ck_assert_uint_eq(s[i].bytes, file_size(p));
        ck_assert_int_eq(s[i].created_us, e.now);
        if (i)
            ck_assert_uint_eq(s[i].base_lsn, s[i - 1].last_lsn);
        if (i + 1 < n) /* rotation only past segment_bytes */
            ck_assert_uint_ge(s[i].bytes, 16 << 10);
        bytes += s[i].bytes;
    }
    ck_assert_uint_eq(s[n - 1].last_lsn, 300);
    ck_assert_uint_eq(bytes, hdb__wal_bytes(w));
    free(s);
    hdb__wal_close(w);
    expect_log(&e, 300);
    chk c;
    ck_assert_int_eq(replay(&e, 150, &c), HDB_OK); /* only what follows the checkpoint */
    ck_assert_uint_eq(c.commits, 150);
    ck_assert_int_eq(replay(&e, 300, &c), HDB_OK);
    ck_assert_uint_eq(c.commits, 0);
    /* Reopened, the log goes on where it stopped. */
    w = wready(&e, NULL, HDB_SYNC_OFF, 16 << 10, 0, &last);
    ck_assert_uint_eq(last, 300);
    for (uint64_t l = 301; l <= 310; l++)
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    hdb__wal_close(w);
    expect_log(&e, 310);
    env_fini(&e);
}
END_TEST

/* A segment builder following wal.h byte by byte. */
typedef struct sb {
    uint8_t p[8192];
    size_t len;
    uint64_t chain;
} sb;

static void sb_header(sb *b, uint64_t seq, uint64_t salt, uint64_t base)
{
    memset(b->p, 0, 64);
    memcpy(b->p, "HDBLOG\0\1", 8);
    hdb__put32(b->p + 8, 1);
    hdb__put32(b->p + 12, 64);
    hdb__put64(b->p + 16, seq);
    hdb__put64(b->p + 24, salt);
    hdb__put64(b->p + 32, base);
    hdb__put64(b->p + 40, 77);
    hdb__put64(b->p + 56, XXH64(b->p, 56, 0));
    b->len = 64;
    b->chain = salt;
}

static void sb_frame(sb *b, uint8_t type, uint8_t flags, const void *p, size_t n)
{
    uint8_t *f = b->p + b->len;
    hdb__put32(f, (uint32_t)n);
    f[4] = type;
    f[5] = flags;
    f[6] = f[7] = 0;
    memcpy(f + 8, p, n);
    b->chain = XXH64(f, 8 + n, b->chain);
    hdb__put64(f + 8 + n, b->chain);
    b->len += 16 + n;
}

static void sb_commit(sb *b, uint64_t lsn, const char *extra)
{
    uint8_t c[64];
    hdb__put64(c, lsn);
    hdb__put64(c + 8, lsn * 1000);
    memcpy(c + 16, extra, strlen(extra));
    sb_frame(b, 255, 0, c, 16 + strlen(extra));
}

static void sb_save(env *e, uint64_t seq, const sb *b)
{
    char p[700];
    seg_path(e, seq, p, sizeof p);
    file_write(p, b->p, b->len);
}

typedef struct tape {
    char s[4096];
} tape;

static int tape_rec(void *ctx, const hdb_wal_rec *r)
{
    tape *t = ctx;
    size_t l = strlen(t->s);
    snprintf(t->s + l, sizeof t->s - l, "r%u:%zu:%016llx ", r->type, r->size,
             (unsigned long long)XXH64(r->data, r->size, 0));
    return HDB_OK;
}

static int tape_commit(void *ctx, const hdb_wal_commit *c)
{
    tape *t = ctx;
    size_t l = strlen(t->s);
    snprintf(t->s + l, sizeof t->s - l, "c%llu@%lld:%.*s ", (unsigned long long)c->lsn,
             (long long)c->time_us, (int)c->extra_size, (const char *)c->extra);
    return HDB_OK;
}

static const char *tape_expect(char *out, size_t n, int rtype, const void *p, size_t len)
{
    snprintf(out, n, "r%d:%zu:%016llx ", rtype, len, (unsigned long long)XXH64(p, len, 0));
    return out;
}

/* What the log writes is exactly the layout of wal.h, and a segment built
 * by hand from wal.h is read back. */
START_TEST(test_byte_layout)
{
    env e;
    env_init(&e);
    e.now = 123456789;
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 0, 0, NULL);
    ck_assert_int_eq(hdb__wal_append(w, 9, "abc", 3, "defghijklmnopqrstu", 17), HDB_OK);
    ck_assert_int_eq(hdb__wal_commit(w, 1, 5000, "xy", 2), HDB_OK);
    hdb__wal_close(w);
    char p1[700];
    uint64_t n;
    seg_path(&e, 1, p1, sizeof p1);
    uint8_t *d = file_read(p1, &n);
    ck_assert_uint_eq(n, 64 + (16 + 20) + (16 + 18));
    ck_assert(!memcmp(d, "HDBLOG\0\1", 8));
    ck_assert_uint_eq(hdb__get32(d + 8), 1);
    ck_assert_uint_eq(hdb__get32(d + 12), 64);
    ck_assert_uint_eq(hdb__get64(d + 16), 1);
    uint64_t salt = hdb__get64(d + 24);
    ck_assert_uint_eq(hdb__get64(d + 32), 0);
    ck_assert_uint_eq(hdb__get64(d + 40), 123456789);
    ck_assert_uint_eq(hdb__get64(d + 48), 0);
    ck_assert_uint_eq(hdb__get64(d + 56), XXH64(d, 56, 0));
    const uint8_t *f = d + 64;
    ck_assert_uint_eq(hdb__get32(f), 20);
    ck_assert(f[4] == 9 && f[5] == 0 && f[6] == 0 && f[7] == 0);
    ck_assert(!memcmp(f + 8, "abcdefghijklmnopqrstu", 20));
    uint64_t chain = XXH64(f, 28, salt);
    ck_assert_uint_eq(hdb__get64(f + 28), chain);
    f += 36;
    ck_assert_uint_eq(hdb__get32(f), 18);
    ck_assert(f[4] == 255 && f[5] == 0);
    ck_assert_uint_eq(hdb__get64(f + 8), 1);
    ck_assert_uint_eq(hdb__get64(f + 16), 5000);
    ck_assert(!memcmp(f + 24, "xy", 2));
    ck_assert_uint_eq(hdb__get64(f + 26), XXH64(f, 26, chain));
    free(d);
    /* Segment 2 by hand: a plain record, a compressed one, a commit. */
    sb b;
    uint8_t raw[1000], z[1100];
    memset(raw, 'q', sizeof raw);
    int zn = LZ4_compress_default((const char *)raw, (char *)z + 4, sizeof raw, 1096);
    hdb__put32(z, sizeof raw);
    sb_header(&b, 2, 0xabcdef, 1);
    sb_frame(&b, 3, 0, "hello", 5);
    sb_frame(&b, 4, 1, z, (size_t)zn + 4);
    sb_commit(&b, 2, "z");
    sb_save(&e, 2, &b);
    tape t = {""};
    char want[4096], r1[100], r2[100], r3[100];
    uint64_t last;
    w = wopen(&e, NULL, HDB_SYNC_OFF, 0);
    ck_assert_int_eq(hdb__wal_recover(w, 0, tape_rec, tape_commit, &t, &last), HDB_OK);
    snprintf(want, sizeof want, "%sc1@5000:xy %s%sc2@2000:z ",
             tape_expect(r1, sizeof r1, 9, "abcdefghijklmnopqrstu", 20),
             tape_expect(r2, sizeof r2, 3, "hello", 5), tape_expect(r3, sizeof r3, 4, raw, 1000));
    ck_assert_str_eq(t.s, want);
    ck_assert_uint_eq(last, 2);
    ck_assert_uint_eq(seg_last(w).created_us, 77);
    ck_assert_int_eq(hdb__wal_commit(w, 3, 3000, "w", 1), HDB_OK); /* appends to segment 2 */
    ck_assert_uint_eq(seg_count(w), 2);
    hdb__wal_close(w);
    memset(&t, 0, sizeof t);
    w = wopen(&e, NULL, HDB_SYNC_OFF, 0);
    ck_assert_int_eq(hdb__wal_recover(w, 2, tape_rec, tape_commit, &t, &last), HDB_OK);
    ck_assert_str_eq(t.s, "c3@3000:w ");
    hdb__wal_close(w);
    env_fini(&e);
}
END_TEST

/* Frames with good checksums that break the rules are corruption. */
START_TEST(test_bad_frames_corrupt)
{
    env e;
    env_init(&e);
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 0, 0, NULL);
    ck_assert_int_eq(put_txn(w, 1), HDB_OK);
    hdb__wal_close(w);
    chk c;
    sb b;
    uint8_t junk[8] = {0}, lz[8] = {100, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    for (int kind = 0; kind < 6; kind++) {
        sb_header(&b, 2, 99, 1);
        if (kind == 0)
            sb_commit(&b, 3, ""); /* an LSN gap inside the log */
        if (kind == 1)
            sb_frame(&b, 255, 0, junk, 8); /* a commit shorter than 16 */
        if (kind == 2)
            sb_frame(&b, 0, 0, junk, 8); /* type 0 */
        if (kind == 3)
            sb_frame(&b, REC, 4, junk, 8); /* unknown flag */
        if (kind == 4)
            sb_frame(&b, REC, 1, lz, 8); /* does not decompress */
        if (kind == 5) {
            sb_header(&b, 2, 99, 2); /* a segment that does not begin at the last LSN */
            sb_commit(&b, 3, "");
        }
        if (kind == 4)
            sb_commit(&b, 2, "");
        sb_save(&e, 2, &b);
        ck_assert_msg(replay(&e, 0, &c) == HDB_CORRUPT, "kind %d", kind);
    }
    /* Base LSNs go up from segment to segment. */
    sb_header(&b, 2, 99, 0);
    sb_commit(&b, 1, "");
    sb_save(&e, 2, &b);
    hdb_wal_cfg cfg = cfg_of(&e, NULL, HDB_SYNC_OFF, 0);
    hdb_wal *w2;
    ck_assert_int_eq(hdb__wal_open(&cfg, &w2), HDB_CORRUPT);
    env_fini(&e);
}
END_TEST

/* ------------------------------------------------------------------------
** Torn tails, bit flips, holes, damaged headers
*/

/* Cut the log at every byte of its last transaction: that transaction
 * vanishes, every earlier one stays, and appending works again. */
START_TEST(test_torn_tail_every_byte)
{
    env e;
    env_init(&e);
    char p[700];
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 0, 0, NULL);
    for (uint64_t l = 1; l <= 5; l++)
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    uint64_t before = seg_last(w).bytes;
    ck_assert_int_eq(put_txn(w, 6), HDB_OK);
    uint64_t after = seg_last(w).bytes;
    hdb__wal_close(w);
    seg_path(&e, 1, p, sizeof p);
    uint64_t n;
    uint8_t *img = file_read(p, &n);
    ck_assert_uint_eq(n, after);
    for (uint64_t cut = before; cut < after; cut++) {
        file_write(p, img, cut);
        uint64_t last;
        w = wready(&e, NULL, HDB_SYNC_OFF, 0, 0, &last);
        ck_assert_uint_eq(last, 5);
        ck_assert_uint_eq(file_size(p), before); /* the torn tail is cut */
        ck_assert_int_eq(put_txn(w, 6), HDB_OK);
        hdb__wal_close(w);
        expect_log(&e, 6);
    }
    free(img);
    env_fini(&e);
}
END_TEST

/* A new segment whose header never reached the disk is dropped; a header
 * damaged in any other way is HDB_CORRUPT at open. */
START_TEST(test_segment_headers)
{
    env e;
    env_init(&e);
    char p1[700], p2[700];
    seg_path(&e, 1, p1, sizeof p1);
    seg_path(&e, 2, p2, sizeof p2);
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 256, 0, NULL);
    for (uint64_t l = 1; l <= 3; l++)
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    hdb__wal_close(w);
    uint64_t n2;
    uint8_t *h2 = file_read(p2, &n2);
    ck_assert_uint_ge(n2, 64);
    uint8_t zero[64] = {0};
    size_t cuts[] = {0, 1, 32, 63, 64};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        file_write(p2, cuts[i] == 64 ? zero : h2, cuts[i]);
        uint64_t last;
        w = wready(&e, NULL, HDB_SYNC_OFF, 256, 0, &last);
        ck_assert_uint_eq(last, seg_last(w).last_lsn);
        ck_assert_uint_eq(seg_count(w), 1);
        ck_assert_int_eq(access(p2, F_OK), -1); /* deleted by recovery */
        hdb__wal_close(w);
    }
    /* Damaged headers. */
    hdb_wal_cfg c = cfg_of(&e, NULL, HDB_SYNC_OFF, 256);
    int offs[] = {0, 8, 12, 16, 24, 40, 56};
    for (size_t i = 0; i < sizeof offs / sizeof *offs; i++) {
        file_write(p2, h2, n2);
        file_flip(p2, (uint64_t)offs[i], 1);
        ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_CORRUPT);
        ck_assert_ptr_null(w);
        file_write(p2, h2, n2);
        file_flip(p1, (uint64_t)offs[i], 3); /* an earlier segment */
        ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_CORRUPT);
        file_flip(p1, (uint64_t)offs[i], 3);
    }
    /* A short earlier segment is no torn creation. */
    uint64_t n1;
    uint8_t *h1 = file_read(p1, &n1);
    file_write(p1, h1, 10);
    ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_CORRUPT);
    free(h1);
    free(h2);
    env_fini(&e);
}
END_TEST

/* The owner in every segment header: written from cfg.owner; a log whose
 * segments name another owner does not open; 0 (a log written before
 * owners were recorded, or a handle that names none) is not checked. */
START_TEST(test_owner)
{
    env e;
    env_init(&e);
    char p1[700], p2[700];
    seg_path(&e, 1, p1, sizeof p1);
    seg_path(&e, 2, p2, sizeof p2);
    hdb_wal_cfg c = cfg_of(&e, NULL, HDB_SYNC_OFF, 256);
    c.owner = 0x1122334455667788ull;
    hdb_wal *w = NULL;
    uint64_t last;
    ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_OK);
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_OK);
    for (uint64_t l = 1; l <= 3; l++) /* two segments */
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    hdb__wal_close(w);
    uint64_t n;
    uint8_t *h = file_read(p2, &n);
    ck_assert_uint_eq(hdb__get64(h + 48), c.owner);
    free(h);
    ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_OK); /* its own owner */
    hdb__wal_close(w);
    hdb_wal_cfg other = c;
    other.owner = 0x99;
    ck_assert_int_eq(hdb__wal_open(&other, &w), HDB_CORRUPT);
    ck_assert_ptr_null(w);
    other.owner = 0; /* names none: opens */
    ck_assert_int_eq(hdb__wal_open(&other, &w), HDB_OK);
    hdb__wal_close(w);
    /* Segments without an owner (as older logs are) open under any owner,
     * and a new segment then records it. */
    tu_rmdir(e.dir);
    c.owner = 0;
    ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_OK);
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_OK);
    ck_assert_int_eq(put_txn(w, 1), HDB_OK);
    hdb__wal_close(w);
    c.owner = 0x99;
    ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_OK);
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_OK);
    ck_assert_uint_eq(last, 1);
    for (uint64_t l = 2; l <= 4; l++)
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    hdb__wal_close(w);
    h = file_read(p2, &n);
    ck_assert_uint_eq(hdb__get64(h + 48), 0x99);
    free(h);
    h = file_read(p1, &n);
    ck_assert_uint_eq(hdb__get64(h + 48), 0);
    free(h);
    env_fini(&e);
}
END_TEST

/* A bit flipped in a frame: recovery stops there when nothing follows, and
 * reports a hole when a later segment exists. */
START_TEST(test_bit_flip)
{
    env e;
    env_init(&e);
    char p[700];
    seg_path(&e, 1, p, sizeof p);
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 0, 0, NULL);
    uint64_t at9 = 0;
    for (uint64_t l = 1; l <= 20; l++) {
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
        if (l == 9)
            at9 = seg_last(w).bytes;
    }
    hdb__wal_close(w);
    file_flip(p, at9 + 30, 5); /* inside the first record of commit 10 */
    expect_log(&e, 9);
    ck_assert_uint_eq(file_size(p), at9);
    tu_rmdir(e.dir);
    /* Several segments: damage in the first one is a hole. */
    w = wready(&e, NULL, HDB_SYNC_OFF, 2048, 0, NULL);
    for (uint64_t l = 1; l <= 60; l++)
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    uint64_t nseg = seg_count(w);
    ck_assert_uint_ge(nseg, 3);
    hdb__wal_close(w);
    uint64_t n;
    uint8_t *img = file_read(p, &n);
    file_flip(p, 200, 2);
    chk c;
    ck_assert_int_eq(replay(&e, 0, &c), HDB_CORRUPT);
    file_write(p, img, n);
    free(img);
    /* In the last segment: the log ends there. */
    char pl[700];
    seg_path(&e, nseg, pl, sizeof pl);
    file_flip(pl, 64 + 20, 0);
    ck_assert_int_eq(replay(&e, 0, &c), HDB_OK);
    ck_assert_uint_lt(c.last, 60);
    ck_assert_uint_gt(c.last, 0);
    /* A later segment with no commit yet still says where the earlier one
     * ended. */
    tu_rmdir(e.dir);
    w = wready(&e, NULL, HDB_SYNC_OFF, 1024, 0, NULL);
    for (uint64_t l = 1; seg_count(w) == 1; l++) {
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
        ck_assert_int_eq(hdb__wal_append(w, 1, "x", 1, NULL, 0), HDB_OK);
        hdb__wal_abort(w);
    }
    hdb__wal_close(w);
    file_flip(p, 100, 4);
    ck_assert_int_eq(replay(&e, 0, &c), HDB_CORRUPT);
    env_fini(&e);
}
END_TEST


/* A missing middle segment is a hole unless it lies before the checkpoint
 * (a prune the power loss half undid). */
START_TEST(test_holes_and_prune_leftovers)
{
    env e;
    env_init(&e);
    char p1[700], p2[700], p3[700];
    seg_path(&e, 1, p1, sizeof p1);
    seg_path(&e, 2, p2, sizeof p2);
    seg_path(&e, 3, p3, sizeof p3);
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 1024, 0, NULL);
    for (uint64_t l = 1; l <= 40; l++)
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    ck_assert_uint_ge(seg_count(w), 4);
    hdb__wal_close(w);
    uint64_t n1, n2;
    uint8_t *s1 = file_read(p1, &n1), *s2 = file_read(p2, &n2);
    unlink(p2);
    chk c;
    ck_assert_int_eq(replay(&e, 0, &c), HDB_CORRUPT);
    /* With the checkpoint past segment 3's base, 1 is a leftover. */
    w = wopen(&e, NULL, HDB_SYNC_OFF, 1024);
    hdb_wal_seg_info *s;
    size_t n;
    ck_assert_int_eq(hdb__wal_segments(w, &s, &n), HDB_OK);
    uint64_t base3 = s[1].base_lsn;
    ck_assert_uint_eq(s[1].seq, 3);
    free(s);
    hdb__wal_close(w);
    ck_assert_int_eq(replay(&e, base3, &c), HDB_OK);
    ck_assert_uint_eq(c.last, 40);
    ck_assert_int_eq(access(p1, F_OK), -1);
    /* The log must reach back to the checkpoint. */
    ck_assert_int_eq(replay(&e, base3 - 1, &c), HDB_CORRUPT);
    /* A log that ends before the checkpoint goes on from the checkpoint. */
    file_write(p1, s1, n1);
    file_write(p2, s2, n2);
    ck_assert_int_eq(replay(&e, 0, &c), HDB_OK);
    uint64_t last;
    w = wready(&e, NULL, HDB_SYNC_OFF, 1024, 45, &last);
    ck_assert_uint_eq(last, 45);
    ck_assert_uint_eq(seg_last(w).base_lsn, 45);
    ck_assert_int_eq(put_txn(w, 46), HDB_OK);
    hdb__wal_close(w);
    ck_assert_int_eq(replay(&e, 45, &c), HDB_OK);
    ck_assert_uint_eq(c.last, 46);
    free(s1);
    free(s2);
    env_fini(&e);
}
END_TEST

/* ------------------------------------------------------------------------
** Savepoints, abort, compression
*/
static int tape_rec_short(void *ctx, const hdb_wal_rec *r)
{
    tape *t = ctx;
    size_t l = strlen(t->s);
    snprintf(t->s + l, sizeof t->s - l, "%u:%.*s ", r->type, (int)(r->size < 8 ? r->size : 8),
             (const char *)r->data);
    return HDB_OK;
}

static int tape_commit_short(void *ctx, const hdb_wal_commit *c)
{
    tape *t = ctx;
    size_t l = strlen(t->s);
    snprintf(t->s + l, sizeof t->s - l, "c%llu ", (unsigned long long)c->lsn);
    return HDB_OK;
}

static void tape_log(env *e, tape *t)
{
    uint64_t last;
    memset(t, 0, sizeof *t);
    hdb_wal *w = wopen(e, NULL, HDB_SYNC_OFF, 0);
    ck_assert_int_eq(hdb__wal_recover(w, 0, tape_rec_short, tape_commit_short, t, &last), HDB_OK);
    hdb__wal_close(w);
}

static void append_bigs(hdb_wal *w, int n, uint64_t seed)
{
    uint8_t *big = malloc(BIG_LEN);
    for (int k = 0; k < n; k++) {
        big_fill(big, seed + (uint64_t)k);
        memcpy(big, "BIGBIGBI", 8);
        ck_assert_int_eq(hdb__wal_append(w, BIG, big, BIG_LEN, NULL, 0), HDB_OK);
    }
    free(big);
}

START_TEST(test_savepoints)
{
    env e;
    env_init(&e);
    char p[700];
    seg_path(&e, 1, p, sizeof p);
    hdb_wal_pos a, b, c, z;
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 0, 0, NULL);
    hdb__wal_mark(w, &z); /* before the first record */
    ck_assert_int_eq(hdb__wal_rewind(w, &z), HDB_OK); /* nothing to undo */
    ck_assert_int_eq(hdb__wal_append(w, 1, "r0", 2, NULL, 0), HDB_OK);
    hdb__wal_mark(w, &a);
    ck_assert_int_eq(hdb__wal_append(w, 1, "r1", 2, NULL, 0), HDB_OK);
    ck_assert_int_eq(hdb__wal_append(w, 1, "r2", 2, NULL, 0), HDB_OK);
    hdb__wal_mark(w, &b);
    ck_assert_int_eq(hdb__wal_append(w, 1, "r3", 2, NULL, 0), HDB_OK);
    ck_assert_int_eq(hdb__wal_rewind(w, &b), HDB_OK);
    ck_assert_int_eq(hdb__wal_append(w, 1, "r3b", 3, NULL, 0), HDB_OK);
    ck_assert_int_eq(hdb__wal_rewind(w, &b), HDB_OK); /* the mark stays usable */
    ck_assert_int_eq(hdb__wal_rewind(w, &a), HDB_OK);
    uint64_t base = file_size(p);
    hdb__wal_mark(w, &c);
    append_bigs(w, 15, 1); /* past the write buffer: written to the file */
    ck_assert_uint_gt(file_size(p), base + (1u << 20) - BIG_LEN);
    ck_assert_int_eq(hdb__wal_rewind(w, &c), HDB_OK);
    ck_assert_uint_le(file_size(p), base + 16 + 2); /* at most r0, flushed with them */
    ck_assert_int_eq(hdb__wal_append(w, 1, "r4", 2, NULL, 0), HDB_OK);
    ck_assert_int_eq(hdb__wal_rewind(w, &b), HDB_MISUSE); /* beyond the end now */
    ck_assert_int_eq(hdb__wal_commit(w, 1, 1, NULL, 0), HDB_OK);
    ck_assert_int_eq(hdb__wal_rewind(w, &a), HDB_MISUSE); /* its transaction is over */
    /* A mark before the first record: the transaction moves to a new
     * segment, and rewinding goes back to its start there. */
    hdb__wal_close(w);
    w = wready(&e, NULL, HDB_SYNC_OFF, 64, 0, NULL); /* rotation is due */
    hdb__wal_mark(w, &z);
    ck_assert_int_eq(hdb__wal_append(w, 1, "r5", 2, NULL, 0), HDB_OK);
    ck_assert_uint_eq(seg_count(w), 2);
    ck_assert_int_eq(hdb__wal_rewind(w, &z), HDB_OK);
    ck_assert_int_eq(hdb__wal_append(w, 1, "r6", 2, NULL, 0), HDB_OK);
    ck_assert_int_eq(hdb__wal_commit(w, 2, 2, NULL, 0), HDB_OK);
    hdb__wal_close(w);
    tape t;
    tape_log(&e, &t);
    ck_assert_str_eq(t.s, "1:r0 1:r4 c1 1:r6 c2 ");
    env_fini(&e);
}
END_TEST

START_TEST(test_abort)
{
    env e;
    env_init(&e);
    char p[700];
    seg_path(&e, 1, p, sizeof p);
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 0, 0, NULL);
    hdb__wal_abort(w); /* nothing open: a no-op */
    ck_assert_int_eq(put_txn(w, 1), HDB_OK);
    uint64_t size = file_size(p), bytes = hdb__wal_bytes(w), app = hdb__wal_appended(w);
    ck_assert_int_eq(hdb__wal_append(w, 1, "gone", 4, NULL, 0), HDB_OK);
    hdb__wal_abort(w);
    append_bigs(w, 25, 7); /* 2.5 MiB, mostly in the file */
    ck_assert_uint_gt(file_size(p), size + (2u << 20));
    hdb__wal_abort(w);
    ck_assert_uint_eq(file_size(p), size);
    ck_assert_uint_eq(hdb__wal_bytes(w), bytes);
    ck_assert_uint_eq(hdb__wal_appended(w), app);
    ck_assert_int_eq(put_txn(w, 2), HDB_OK);
    append_bigs(w, 3, 9); /* closing aborts too */
    hdb__wal_close(w);
    expect_log(&e, 2);
    env_fini(&e);
}
END_TEST

/* A record that fails to be added leaves the transaction as it was: it
 * can go on and commit. */
START_TEST(test_failed_append_takes_nothing)
{
    env e;
    env_init(&e);
    hdb_fault_vfs *fv = hdb__fault_create(&e.fast);
    hdb_wal *w = wready(&e, hdb__fault_vfs(fv), HDB_SYNC_FULL, 0, 0, NULL);
    ck_assert_int_eq(put_txn(w, 1), HDB_OK);
    append_bigs(w, 10, 1); /* just under the write buffer */
    uint8_t *big = malloc(BIG_LEN);
    big_fill(big, 99);
    hdb__fault_fail_write(fv, 1, HDB_IOERR, 0);
    ck_assert_int_eq(hdb__wal_append(w, BIG, big, BIG_LEN, NULL, 0), HDB_IOERR); /* the flush */
    hdb__fault_fail_write(fv, 1, HDB_FULL, 0);
    ck_assert_int_eq(hdb__wal_append(w, BIG, big, BIG_LEN - 10, big + BIG_LEN - 10, 10), HDB_FULL);
    free(big);
    ck_assert_int_eq(put_txn(w, 2), HDB_OK); /* records of commit 2, after the ten */
    hdb__wal_close(w);
    hdb__fault_destroy(fv);
    chk c;
    ck_assert_int_eq(replay(&e, 0, &c), HDB_OK);
    ck_assert_uint_eq(c.last, 2);
    ck_assert_uint_eq(c.bigs, 10);
    env_fini(&e);
}
END_TEST

typedef struct blob {
    uint64_t sum[4];
    size_t size[4];
    int n;
} blob;

static int blob_rec(void *ctx, const hdb_wal_rec *r)
{
    blob *b = ctx;
    if (b->n < 4) {
        b->sum[b->n] = XXH64(r->data, r->size, 0);
        b->size[b->n] = r->size;
    }
    b->n++;
    return HDB_OK;
}

START_TEST(test_compression)
{
    env e;
    env_init(&e);
    size_t big = 3u << 20, rnd = 2u << 20, mid = 600u << 10;
    uint8_t *p = malloc(big);
    for (size_t i = 0; i < big; i++)
        p[i] = (uint8_t)("heliosdb"[i % 8] + (i >> 16));
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 0, 0, NULL);
    uint64_t b0 = hdb__wal_bytes(w);
    ck_assert_int_eq(hdb__wal_append(w, 5, p, 16, p + 16, big - 16), HDB_OK);
    ck_assert_int_eq(hdb__wal_commit(w, 1, 1, NULL, 0), HDB_OK);
    uint64_t b1 = hdb__wal_bytes(w);
    ck_assert_uint_lt(b1 - b0, big / 20); /* stored compressed */
    uint8_t *r = malloc(rnd);
    tu_rng g = {42};
    for (size_t i = 0; i < rnd; i++)
        r[i] = (uint8_t)tu_next(&g);
    ck_assert_int_eq(hdb__wal_append(w, 6, r, rnd, NULL, 0), HDB_OK); /* too big to buffer */
    ck_assert_int_eq(hdb__wal_append(w, 6, NULL, 0, NULL, 0), HDB_OK); /* empty */
    ck_assert_int_eq(hdb__wal_commit(w, 2, 2, NULL, 0), HDB_OK);
    ck_assert_uint_ge(hdb__wal_bytes(w) - b1, rnd);
    hdb__wal_close(w);
    blob bl = {{0}, {0}, 0};
    uint64_t last;
    w = wopen(&e, NULL, HDB_SYNC_OFF, 0);
    ck_assert_int_eq(hdb__wal_recover(w, 0, blob_rec, NULL, &bl, &last), HDB_OK);
    hdb__wal_close(w);
    ck_assert_int_eq(bl.n, 3);
    ck_assert_uint_eq(bl.size[0], big);
    ck_assert_uint_eq(bl.sum[0], XXH64(p, big, 0));
    ck_assert_uint_eq(bl.size[1], rnd);
    ck_assert_uint_eq(bl.sum[1], XXH64(r, rnd, 0));
    ck_assert_uint_eq(bl.size[2], 0);
    /* compress_min: below it, payloads are stored as they are. */
    hdb_wal_cfg c = cfg_of(&e, NULL, HDB_SYNC_OFF, 0);
    c.compress_min = 1u << 20;
    ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_OK);
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_OK);
    uint64_t b2 = hdb__wal_bytes(w);
    ck_assert_int_eq(hdb__wal_append(w, 5, p, mid, NULL, 0), HDB_OK);
    ck_assert_int_eq(hdb__wal_commit(w, 3, 3, NULL, 0), HDB_OK);
    ck_assert_uint_ge(hdb__wal_bytes(w) - b2, mid);
    hdb__wal_close(w);
    free(p);
    free(r);
    env_fini(&e);
}
END_TEST

/* ------------------------------------------------------------------------
** Reading the past, pruning, misuse
*/
static int stop_at_5(void *ctx, const hdb_wal_commit *c)
{
    (*(uint64_t *)ctx)++;
    return c->lsn == 5 ? HDB_DONE : HDB_OK;
}

START_TEST(test_read_and_prune)
{
    env e;
    env_init(&e);
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 8 << 10, 0, NULL);
    for (uint64_t l = 1; l <= 200; l++)
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    chk c = chk_from(50);
    ck_assert_int_eq(hdb__wal_read(w, 50, 60, chk_rec, chk_commit, &c), HDB_OK);
    ck_assert_msg(!c.bad, "%s", c.why);
    ck_assert_uint_eq(c.commits, 10);
    ck_assert_uint_eq(c.last, 60);
    c = chk_from(0);
    ck_assert_int_eq(hdb__wal_read(w, 0, 200, chk_rec, chk_commit, &c), HDB_OK);
    ck_assert_uint_eq(c.commits, 200);
    ck_assert_msg(!c.bad, "%s", c.why);
    uint64_t n = 0;
    ck_assert_int_eq(hdb__wal_read(w, 0, 200, NULL, stop_at_5, &n), HDB_DONE);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(hdb__wal_read(w, 10, 10, NULL, count_commit, &n), HDB_OK);
    ck_assert_int_eq(hdb__wal_read(w, 150, 201, NULL, NULL, NULL), HDB_RANGE);
    /* Frames of an open transaction are not committed history. */
    append_bigs(w, 12, 3);
    c = chk_from(190);
    ck_assert_int_eq(hdb__wal_read(w, 190, 200, chk_rec, chk_commit, &c), HDB_OK);
    ck_assert_uint_eq(c.commits, 10);
    ck_assert_uint_eq(c.bigs, 0);
    hdb__wal_abort(w);
    /* Prune: whole segments whose commits are all <= 100 go. */
    uint64_t nseg = seg_count(w);
    ck_assert_int_eq(hdb__wal_prune(w, 100), HDB_OK);
    ck_assert_uint_lt(seg_count(w), nseg);
    uint64_t oldest = hdb__wal_oldest_base(w);
    ck_assert_uint_le(oldest, 100);
    hdb_wal_seg_info *s;
    size_t ns;
    ck_assert_int_eq(hdb__wal_segments(w, &s, &ns), HDB_OK);
    ck_assert_uint_gt(s[0].last_lsn, 100);
    char p[700];
    seg_path(&e, s[0].seq - 1, p, sizeof p);
    ck_assert_int_eq(access(p, F_OK), -1);
    free(s);
    ck_assert_int_eq(hdb__wal_read(w, 10, 20, NULL, count_commit, &n), HDB_RANGE);
    c = chk_from(oldest);
    ck_assert_int_eq(hdb__wal_read(w, oldest, 200, chk_rec, chk_commit, &c), HDB_OK);
    ck_assert_uint_eq(c.commits, 200 - oldest);
    /* Never the segment appended to. */
    ck_assert_int_eq(hdb__wal_prune(w, 1000), HDB_OK);
    ck_assert_uint_eq(seg_count(w), 1);
    ck_assert_int_eq(put_txn(w, 201), HDB_OK);
    oldest = hdb__wal_oldest_base(w);
    hdb__wal_close(w);
    ck_assert_int_eq(replay(&e, oldest, &c), HDB_OK);
    ck_assert_uint_eq(c.last, 201);
    env_fini(&e);
}
END_TEST

/* The engine rebuilds point-in-time branches while it replays the log. */
START_TEST(test_read_during_recovery)
{
    env e;
    env_init(&e);
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 4096, 0, NULL);
    for (uint64_t l = 1; l <= 80; l++)
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    hdb__wal_close(w);
    w = wopen(&e, NULL, HDB_SYNC_OFF, 4096);
    chk c = chk_from(0);
    uint64_t last;
    c.w = w;
    c.nested_at = 50;
    ck_assert_int_eq(hdb__wal_recover(w, 0, chk_rec, chk_commit, &c, &last), HDB_OK);
    ck_assert_msg(!c.bad, "%s", c.why);
    ck_assert_int_eq(c.nested_rc, HDB_OK);
    ck_assert_uint_eq(c.nested_n, 10);
    ck_assert_int_eq(c.nested_range_rc, HDB_RANGE); /* not read yet */
    hdb__wal_close(w);
    env_fini(&e);
}
END_TEST

START_TEST(test_misuse_and_read_only)
{
    env e;
    env_init(&e);
    char p[700];
    seg_path(&e, 1, p, sizeof p);
    hdb_wal_cfg c = cfg_of(&e, NULL, HDB_SYNC_OFF, 0);
    hdb_wal *w;
    uint64_t last;
    /* Read only, no log yet: nothing is created. */
    c.read_only = 1;
    ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_OK);
    ck_assert_int_eq(hdb__wal_recover(w, 7, NULL, NULL, NULL, &last), HDB_OK);
    ck_assert_uint_eq(last, 7);
    ck_assert_int_eq(hdb__wal_append(w, 1, "x", 1, NULL, 0), HDB_READONLY);
    hdb__wal_close(w);
    ck_assert_int_eq(access(e.dir, F_OK), -1);
    /* Writable. */
    w = wopen(&e, NULL, HDB_SYNC_OFF, 0);
    ck_assert_int_eq(hdb__wal_append(w, 1, "x", 1, NULL, 0), HDB_MISUSE); /* not recovered */
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_OK);
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_MISUSE);
    ck_assert_int_eq(hdb__wal_append(w, 0, "x", 1, NULL, 0), HDB_MISUSE);
    ck_assert_int_eq(hdb__wal_append(w, HDB_WAL_COMMIT, "x", 1, NULL, 0), HDB_MISUSE);
    ck_assert_int_eq(hdb__wal_append(w, 1, "x", (1u << 30) + 1, NULL, 0), HDB_RANGE);
    ck_assert_int_eq(hdb__wal_append(w, 1, "x", 1u << 30, "y", 1), HDB_RANGE);
    ck_assert_int_eq(hdb__wal_append(w, 1, "r", 1, NULL, 0), HDB_OK);
    ck_assert_int_eq(hdb__wal_commit(w, 2, 0, NULL, 0), HDB_MISUSE); /* LSNs go up by one */
    ck_assert_int_eq(hdb__wal_commit(w, 1, 1000, NULL, 0), HDB_OK); /* the record stayed */
    ck_assert_int_eq(hdb__wal_read(w, 0, 1, NULL, NULL, NULL), HDB_OK);
    ck_assert_int_eq(put_txn(w, 2), HDB_OK);
    ck_assert_int_eq(hdb__wal_append(w, 1, "torn", 4, NULL, 0), HDB_OK);
    ck_assert_int_eq(hdb__wal_sync(w), HDB_OK);
    hdb__wal_close(w);
    /* Read only with a torn tail: read, never cut. */
    uint64_t n;
    uint8_t *img = file_read(p, &n);
    img = realloc(img, n + 5);
    memcpy(img + n, "junk!", 5);
    n += 5;
    file_write(p, img, n);
    ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_OK);
    tape t = {""};
    ck_assert_int_eq(hdb__wal_recover(w, 0, tape_rec_short, tape_commit_short, &t, &last), HDB_OK);
    ck_assert_uint_eq(last, 2);
    ck_assert_uint_eq(file_size(p), n);
    ck_assert_int_eq(hdb__wal_read(w, 1, 2, NULL, NULL, NULL), HDB_OK);
    ck_assert_int_eq(hdb__wal_commit(w, 3, 0, NULL, 0), HDB_READONLY);
    ck_assert_int_eq(hdb__wal_prune(w, 2), HDB_READONLY);
    hdb__wal_close(w);
    free(img);
    env_fini(&e);
}
END_TEST

/* ------------------------------------------------------------------------
** Durability modes (invariant 3), counted through the fault VFS
*/

/* FULL: one fsync per commit, plus the directory's for a new segment. */
START_TEST(test_sync_full)
{
    env e;
    env_init(&e);
    hdb_fault_vfs *fv = hdb__fault_create(&e.fast);
    hdb_wal *w = wready(&e, hdb__fault_vfs(fv), HDB_SYNC_FULL, 0, 0, NULL);
    uint64_t s0 = hdb__fault_syncs(fv);
    ck_assert_int_eq(put_txn(w, 1), HDB_OK);
    ck_assert_uint_eq(hdb__fault_syncs(fv) - s0, 2);
    ck_assert_int_eq(put_txn(w, 2), HDB_OK);
    ck_assert_uint_eq(hdb__fault_syncs(fv) - s0, 3);
    ck_assert_int_eq(hdb__wal_sync(w), HDB_OK); /* nothing left to sync */
    hdb__wal_close(w);
    ck_assert_uint_eq(hdb__fault_syncs(fv) - s0, 3);
    hdb__fault_destroy(fv);
    env_fini(&e);
}
END_TEST

/* NORMAL: after 50 ms or 1 MiB of commits, by hdb__wal_sync, and at close. */
START_TEST(test_sync_normal)
{
    env e;
    env_init(&e);
    hdb_fault_vfs *fv = hdb__fault_create(&e.fast);
    hdb_wal *w = wready(&e, hdb__fault_vfs(fv), HDB_SYNC_NORMAL, 0, 0, NULL);
    uint64_t s0 = hdb__fault_syncs(fv);
    for (uint64_t l = 1; l <= 10; l++) {
        e.now += 1000;
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    }
    ck_assert_uint_eq(hdb__fault_syncs(fv), s0);
    e.now += 50000;
    ck_assert_int_eq(put_txn(w, 11), HDB_OK);
    ck_assert_uint_eq(hdb__fault_syncs(fv) - s0, 2); /* file + new directory entry */
    ck_assert_int_eq(put_txn(w, 12), HDB_OK);
    ck_assert_uint_eq(hdb__fault_syncs(fv) - s0, 2);
    ck_assert_int_eq(hdb__wal_sync(w), HDB_OK);
    ck_assert_uint_eq(hdb__fault_syncs(fv) - s0, 3);
    ck_assert_int_eq(hdb__wal_sync(w), HDB_OK);
    ck_assert_uint_eq(hdb__fault_syncs(fv) - s0, 3);
    ck_assert_int_eq(put_txn_big(w, 13, 11), HDB_OK); /* 1.1 MiB */
    ck_assert_uint_eq(hdb__fault_syncs(fv) - s0, 4);
    ck_assert_int_eq(put_txn(w, 14), HDB_OK);
    hdb__wal_close(w);
    ck_assert_uint_eq(hdb__fault_syncs(fv) - s0, 5);
    hdb__fault_destroy(fv);
    env_fini(&e);
}
END_TEST

/* OFF: only hdb__wal_sync, and once before a new segment starts. */
START_TEST(test_sync_off)
{
    env e;
    env_init(&e);
    hdb_fault_vfs *fv = hdb__fault_create(&e.fast);
    hdb_wal *w = wready(&e, hdb__fault_vfs(fv), HDB_SYNC_OFF, 8192, 0, NULL);
    uint64_t s0 = hdb__fault_syncs(fv);
    for (uint64_t l = 1; l <= 5; l++)
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    ck_assert_uint_eq(seg_count(w), 1);
    ck_assert_uint_eq(hdb__fault_syncs(fv), s0);
    ck_assert_int_eq(hdb__wal_sync(w), HDB_OK);
    ck_assert_uint_eq(hdb__fault_syncs(fv) - s0, 2);
    uint64_t l = 6;
    while (seg_count(w) == 1)
        ck_assert_int_eq(put_txn(w, l++), HDB_OK);
    ck_assert_uint_eq(hdb__fault_syncs(fv) - s0, 3); /* the full segment, once */
    hdb__wal_close(w);
    ck_assert_uint_eq(hdb__fault_syncs(fv) - s0, 3);
    hdb__fault_destroy(fv);
    env_fini(&e);
}
END_TEST

/* ------------------------------------------------------------------------
** Fault sweeps
*/
enum { F_WRITE, F_SYNC, F_SHORT };

typedef struct sweep {
    int kind, persistent, err;
    uint64_t setup;  /* commits before the one that fails */
    uint64_t segsz;
    int nbig;
    int power_loss;  /* lose power right after the failure (no retry) */
} sweep;

static void arm(hdb_fault_vfs *fv, const sweep *s, uint64_t nth)
{
    if (s->kind == F_WRITE)
        hdb__fault_fail_write(fv, nth, s->err, s->persistent);
    else if (s->kind == F_SYNC)
        hdb__fault_fail_sync(fv, nth, s->err, s->persistent);
    else
        hdb__fault_short_write(fv, nth);
}

/* After the failure: a transient one lets the log go on (unless the power
 * goes first); a persistent one refuses the next commit too.  Returns the
 * last LSN the log must hold. */
static uint64_t sweep_after(const sweep *s, hdb_wal *w, uint64_t p)
{
    if (s->persistent) {
        ck_assert_int_ne(put_txn(w, p), HDB_OK);
        hdb__wal_abort(w);
        return s->setup;
    }
    if (s->power_loss)
        return s->setup;
    ck_assert_int_eq(put_txn_big(w, p, s->nbig), HDB_OK);
    ck_assert_int_eq(put_txn(w, p + 1), HDB_OK);
    return p + 1;
}

/* One iteration: returns 0 once nth lies past every operation of the
 * transaction (the fault did not fire). */
static int sweep_one(const sweep *s, uint64_t nth)
{
    env e;
    env_init(&e);
    hdb_fault_vfs *fv = hdb__fault_create(&e.fast);
    hdb__fault_power_loss_mode(fv, s->power_loss);
    uint64_t p = s->setup + 1, want = p;
    hdb_wal *w = wready(&e, hdb__fault_vfs(fv), HDB_SYNC_FULL, s->segsz, 0, NULL);
    for (uint64_t l = 1; l < p; l++)
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    arm(fv, s, nth);
    int rc = put_txn_big(w, p, s->nbig);
    int fired = hdb__fault_injected(fv) > 0;
    ck_assert_int_eq(rc, !fired ? HDB_OK : s->kind == F_SHORT ? HDB_IOERR : s->err);
    if (rc != HDB_OK)
        hdb__wal_abort(w); /* as the engine does after a failed append */
    if (s->power_loss)
        hdb__fault_crash_after(fv, 0); /* nothing more reaches the disk */
    if (fired)
        want = sweep_after(s, w, p);
    hdb__wal_close(w);
    if (s->power_loss)
        ck_assert_int_eq(hdb__fault_power_loss(fv), HDB_OK);
    hdb__fault_destroy(fv);
    chk c;
    ck_assert_int_eq(replay(&e, 0, &c), HDB_OK);
    /* A disk that fails for good may keep a commit that reported failure
     * when the power goes: no cut could be made durable. */
    if (fired && s->persistent && s->power_loss && c.last == p)
        want = p;
    ck_assert_msg(c.last == want, "nth %llu: last %llu, want %llu", (unsigned long long)nth,
                  (unsigned long long)c.last, (unsigned long long)want);
    ck_assert_uint_eq(c.bigs, want > s->setup ? (uint64_t)s->nbig : 0);
    /* After the restart the log takes commits again. */
    hdb_wal *w2 = wready(&e, NULL, HDB_SYNC_OFF, s->segsz, 0, NULL);
    ck_assert_int_eq(put_txn(w2, want + 1), HDB_OK);
    hdb__wal_close(w2);
    expect_log(&e, want + 1);
    env_fini(&e);
    return fired;
}

/* Fail each write and sync of a transaction in turn (once, for good,
 * cut short, disk full), with or without a power loss right after: the
 * commit reports the error, and after reopen the log holds exactly the
 * earlier commits (or, when the failure was transient, the retried ones). */
START_TEST(test_commit_fault_sweep)
{
    static const sweep shapes[] = {
        {0, 0, 0, 3, 0, 0, 0},   /* small: one write, one sync */
        {0, 0, 0, 3, 0, 12, 0},  /* 1.2 MiB: written in two parts */
        {0, 0, 0, 6, 512, 0, 0}, /* commit 7 has no records and starts a segment */
    };
    static const struct {
        int kind, persistent, err;
    } modes[] = {
        {F_WRITE, 0, HDB_IOERR}, {F_WRITE, 1, HDB_FULL}, {F_SYNC, 0, HDB_IOERR},
        {F_SYNC, 1, HDB_IOERR},  {F_SHORT, 0, HDB_IOERR},
    };
    int runs = 0;
    for (int pl = 0; pl < 2; pl++)
        for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
            for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
                sweep s = shapes[i];
                s.kind = modes[m].kind;
                s.persistent = modes[m].persistent;
                s.err = modes[m].err;
                s.power_loss = pl;
                uint64_t nth = 1;
                while (sweep_one(&s, nth))
                    nth++, runs++;
                ck_assert_msg(nth > 1, "shape %zu mode %zu never fired", i, m);
            }
    ck_assert_int_eq(runs, 2 * 23); /* every write and sync of the three shapes */
}
END_TEST

/* A failed rewind makes the log refuse everything until it is reopened. */
START_TEST(test_sticky_failure)
{
    env e;
    env_init(&e);
    hdb_fault_vfs *fv = hdb__fault_create(&e.fast);
    hdb_wal *w = wready(&e, hdb__fault_vfs(fv), HDB_SYNC_FULL, 0, 0, NULL);
    ck_assert_int_eq(put_txn(w, 1), HDB_OK);
    hdb__fault_fail_sync(fv, 1, HDB_IOERR, 0);
    hdb__fault_fail_write(fv, 2, HDB_IOERR, 0); /* the commit's write passes, the cut fails */
    ck_assert_int_eq(put_txn(w, 2), HDB_IOERR);
    hdb__fault_reset(fv);
    ck_assert_int_eq(put_txn(w, 2), HDB_IOERR);
    ck_assert_int_eq(hdb__wal_append(w, 1, "x", 1, NULL, 0), HDB_IOERR);
    ck_assert_int_eq(hdb__wal_sync(w), HDB_IOERR);
    ck_assert_int_eq(hdb__wal_read(w, 0, 1, NULL, NULL, NULL), HDB_IOERR);
    ck_assert_int_eq(hdb__wal_prune(w, 1), HDB_IOERR);
    hdb_wal_pos pos;
    hdb__wal_mark(w, &pos);
    ck_assert_int_eq(hdb__wal_rewind(w, &pos), HDB_IOERR);
    hdb__wal_close(w);
    hdb__fault_destroy(fv);
    expect_log(&e, 1); /* the torn commit 2 is cut at recovery */
    env_fini(&e);
}
END_TEST

/* Power loss at every write or sync of a workload that rotates segments.
 * FULL keeps every acknowledged commit; NORMAL and OFF keep everything up
 * to the last hdb__wal_sync(); no mode ever leaves a log that does not
 * recover. */
static void power_loss_round(int mode, uint64_t crash_at, uint64_t *ops)
{
    env e;
    env_init(&e);
    hdb_fault_vfs *fv = hdb__fault_create(&e.fast);
    hdb__fault_power_loss_mode(fv, 1);
    hdb_wal *w = wready(&e, hdb__fault_vfs(fv), mode, 1024, 0, NULL);
    uint64_t w0 = hdb__fault_writes(fv) + hdb__fault_syncs(fv), acked = 0, synced = 0;
    if (ops == NULL)
        hdb__fault_crash_after(fv, crash_at);
    for (uint64_t l = 1; l <= 24; l++) {
        e.now += 20000; /* NORMAL: every third commit is 50 ms after the last fsync */
        if (put_txn(w, l) != HDB_OK)
            break;
        acked = l;
        if (mode == HDB_SYNC_FULL)
            synced = l;
        if (l % 5 == 0 && hdb__wal_sync(w) != HDB_OK)
            break;
        if (l % 5 == 0)
            synced = l;
    }
    if (ops)
        *ops = hdb__fault_writes(fv) + hdb__fault_syncs(fv) - w0;
    hdb__wal_close(w);
    ck_assert_int_eq(hdb__fault_power_loss(fv), HDB_OK);
    chk c;
    hdb_wal *r = wopen(&e, hdb__fault_vfs(fv), HDB_SYNC_OFF, 0);
    uint64_t last;
    c = chk_from(0);
    ck_assert_int_eq(hdb__wal_recover(r, 0, chk_rec, chk_commit, &c, &last), HDB_OK);
    ck_assert_msg(!c.bad, "%s", c.why);
    ck_assert_msg(last >= synced && last <= acked + 1, "crash at %llu: last %llu, synced %llu",
                  (unsigned long long)crash_at, (unsigned long long)last,
                  (unsigned long long)synced);
    ck_assert_int_eq(put_txn(r, last + 1), HDB_OK);
    hdb__wal_close(r);
    hdb__fault_destroy(fv);
    expect_log(&e, last + 1);
    env_fini(&e);
}

START_TEST(test_power_loss)
{
    int modes[] = {HDB_SYNC_FULL, HDB_SYNC_NORMAL, HDB_SYNC_OFF};
    for (int m = 0; m < 4; m++) {
        uint64_t ops = 0;
        prealloc = m == 3; /* and FULL again with extended segments */
        power_loss_round(modes[m % 3], 0, &ops); /* no crash: count the operations */
        ck_assert_uint_gt(ops, 24);
        for (uint64_t n = 0; n <= ops; n++)
            power_loss_round(modes[m % 3], n, NULL);
    }
    prealloc = 0;
}
END_TEST

/* Extended segments (wal.h, SEGMENT SIZE): the segment appended to has its
 * full size at once and commits are written inside it; every other segment,
 * and the last one once closed, ends at its last commit; a crash leaves a
 * tail of zeros that recovery reads as the end of the log and cuts; an
 * abort that cut the file extends it again. */
static uint64_t seg_file(env *e, uint64_t seq)
{
    char p[700];
    seg_path(e, seq, p, sizeof p);
    return file_size(p);
}

START_TEST(test_prealloc)
{
    env e;
    env_init(&e);
    prealloc = 1;
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 16 << 10, 0, NULL);
    ck_assert_uint_eq(seg_file(&e, 1), 64); /* not before a transaction */
    ck_assert_int_eq(put_txn(w, 1), HDB_OK);
    ck_assert_uint_eq(seg_file(&e, 1), 16 << 10);
    ck_assert_uint_lt(seg_last(w).bytes, 16 << 10);
    for (uint64_t l = 2; l <= 200; l++)
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    hdb_wal_seg_info *si;
    size_t n;
    ck_assert_int_eq(hdb__wal_segments(w, &si, &n), HDB_OK);
    ck_assert_uint_gt(n, 3);
    for (size_t i = 0; i + 1 < n; i++)
        ck_assert_uint_eq(seg_file(&e, si[i].seq), si[i].bytes);
    uint64_t last_seq = si[n - 1].seq, last_bytes = si[n - 1].bytes;
    free(si);
    ck_assert_uint_eq(seg_file(&e, last_seq), last_bytes < (16 << 10) ? 16 << 10 : last_bytes);
    /* a read-only handle counts the commits' bytes, not the zeros */
    hdb_wal_cfg rc = cfg_of(&e, NULL, HDB_SYNC_OFF, 16 << 10);
    rc.read_only = 1;
    hdb_wal *ro = NULL;
    uint64_t ro_last;
    ck_assert_int_eq(hdb__wal_open(&rc, &ro), HDB_OK);
    ck_assert_int_eq(hdb__wal_recover(ro, 0, NULL, NULL, NULL, &ro_last), HDB_OK);
    ck_assert_uint_eq(ro_last, 200);
    ck_assert_uint_eq(seg_last(ro).bytes, last_bytes);
    ck_assert_uint_eq(hdb__wal_bytes(ro), hdb__wal_bytes(w));
    hdb__wal_close(ro);
    /* a crash now: recovery by another handle stops at the zeros and cuts them */
    prealloc = 0;
    expect_log(&e, 200);
    ck_assert_uint_eq(seg_file(&e, last_seq), last_bytes);
    prealloc = 1;
    ck_assert_int_eq(put_txn(w, 201), HDB_OK);
    hdb__wal_close(w);
    w = wready(&e, NULL, HDB_SYNC_OFF, 4u << 20, 0, NULL);
    last_seq = seg_last(w).seq;
    ck_assert_uint_eq(seg_file(&e, last_seq), seg_last(w).bytes); /* cut at close */
    /* a transaction flushed to the file and aborted: the cut takes the
     * extension with it, and the next transaction extends again */
    ck_assert_int_eq(put_txn(w, 202), HDB_OK);
    ck_assert_uint_eq(seg_file(&e, last_seq), 4u << 20);
    uint8_t *big = malloc(BIG_LEN);
    for (int k = 0; k < 12; k++) {
        big_fill(big, (uint64_t)k); /* incompressible: the buffer is flushed */
        ck_assert_int_eq(hdb__wal_append(w, BIG, big, BIG_LEN, NULL, 0), HDB_OK);
    }
    free(big);
    hdb__wal_abort(w);
    ck_assert_uint_eq(seg_file(&e, last_seq), seg_last(w).bytes);
    ck_assert_int_eq(put_txn(w, 203), HDB_OK);
    ck_assert_uint_eq(seg_file(&e, last_seq), 4u << 20);
    hdb__wal_close(w);
    prealloc = 0;
    expect_log(&e, 203);
    env_fini(&e);
}
END_TEST

/* ------------------------------------------------------------------------
** Memory: bounded, and every allocation may fail
*/
START_TEST(test_memory_bounded)
{
    env e;
    env_init(&e);
    tu_alloc al;
    tu_alloc_init(&al);
    hdb_wal_cfg c = cfg_of(&e, NULL, HDB_SYNC_OFF, 0);
    c.mem = &al.a;
    hdb_wal *w;
    uint64_t last;
    ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_OK);
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, NULL, NULL, &last), HDB_OK);
    /* 8 MiB of 4 KiB records in one transaction. */
    uint8_t rec[4096];
    tu_rng g = {7};
    for (int i = 0; i < 2048; i++) {
        for (size_t j = 0; j < sizeof rec; j += 8) {
            uint64_t x = tu_next(&g);
            memcpy(rec + j, &x, 8);
        }
        ck_assert_int_eq(hdb__wal_append(w, 1, rec, sizeof rec, NULL, 0), HDB_OK);
    }
    ck_assert_int_eq(hdb__wal_commit(w, 1, 1, NULL, 0), HDB_OK);
    ck_assert_uint_lt(al.peak, 5u << 20);
    hdb__wal_close(w);
    ck_assert_uint_eq(al.live, 0);
    al.peak = 0;
    uint64_t n = 0;
    ck_assert_int_eq(hdb__wal_open(&c, &w), HDB_OK);
    ck_assert_int_eq(hdb__wal_recover(w, 0, NULL, count_commit, &n, &last), HDB_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_lt(al.peak, 3u << 20); /* the reader's window, not the transaction */
    hdb__wal_close(w);
    ck_assert_uint_eq(al.live, 0);
    env_fini(&e);
}
END_TEST

/* Fail each allocation of open + recover + a transaction in turn: every
 * call reports HDB_NOMEM or works, nothing leaks, and the log holds the
 * transaction exactly when its commit said HDB_OK. */
START_TEST(test_alloc_failures)
{
    env e;
    env_init(&e);
    hdb_wal *w = wready(&e, NULL, HDB_SYNC_OFF, 0, 0, NULL);
    for (uint64_t l = 1; l <= 3; l++)
        ck_assert_int_eq(put_txn(w, l), HDB_OK);
    hdb__wal_close(w);
    for (uint64_t nth = 1;; nth++) {
        tu_alloc al;
        tu_alloc_init(&al);
        al.fail_at = nth;
        hdb_wal_cfg c = cfg_of(&e, NULL, HDB_SYNC_OFF, 0);
        c.mem = &al.a;
        uint64_t last, want = 3;
        int rc = hdb__wal_open(&c, &w);
        if (rc == HDB_OK) {
            rc = hdb__wal_recover(w, 0, NULL, NULL, NULL, &last);
            if (rc == HDB_OK)
                rc = put_txn_big(w, 4, 1);
            if (rc == HDB_OK)
                want = 4;
            hdb__wal_close(w);
        }
        ck_assert_int_eq(rc, al.failed ? HDB_NOMEM : HDB_OK);
        ck_assert_uint_eq(al.live, 0);
        expect_log(&e, want);
        if (!al.failed)
            break;
        if (want == 4) { /* go back to three commits for the next round */
            tu_rmdir(e.dir);
            w = wready(&e, NULL, HDB_SYNC_OFF, 0, 0, NULL);
            for (uint64_t l = 1; l <= 3; l++)
                ck_assert_int_eq(put_txn(w, l), HDB_OK);
            hdb__wal_close(w);
        }
    }
    env_fini(&e);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("wal");
    TCase *f = tcase_create("format");
    tcase_add_test(f, test_roundtrip_segments);
    tcase_add_test(f, test_byte_layout);
    tcase_add_test(f, test_bad_frames_corrupt);
    tcase_add_test(f, test_torn_tail_every_byte);
    tcase_add_test(f, test_segment_headers);
    tcase_add_test(f, test_owner);
    tcase_add_test(f, test_bit_flip);
    tcase_add_test(f, test_holes_and_prune_leftovers);
    suite_add_tcase(s, f);
    TCase *t = tcase_create("txn");
    tcase_add_test(t, test_savepoints);
    tcase_add_test(t, test_abort);
    tcase_add_test(t, test_failed_append_takes_nothing);
    tcase_add_test(t, test_compression);
    tcase_add_test(t, test_read_and_prune);
    tcase_add_test(t, test_read_during_recovery);
    tcase_add_test(t, test_misuse_and_read_only);
    tcase_add_test(t, test_prealloc);
    suite_add_tcase(s, t);
    TCase *d = tcase_create("faults");
    tcase_set_timeout(d, 120);
    tcase_add_test(d, test_sync_full);
    tcase_add_test(d, test_sync_normal);
    tcase_add_test(d, test_sync_off);
    tcase_add_test(d, test_commit_fault_sweep);
    tcase_add_test(d, test_sticky_failure);
    tcase_add_test(d, test_power_loss);
    tcase_add_test(d, test_memory_bounded);
    tcase_add_test(d, test_alloc_failures);
    suite_add_tcase(s, d);
    return s;
}

int main(void) { return tu_run(suite()); }
