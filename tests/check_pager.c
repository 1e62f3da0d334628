/*
** check_pager.c — the pager on its own: allocation and reuse, the cache
** budget with dirty evictions, checksums, meta slots, savepoints, and
** pages freed under a reader.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <xxhash.h>
#include "heliosdb.h"
#include "pager/page.h"
#include "pager/pager.h"
#include "pager/pager_int.h"
#include "pager/refmap.h"
#include "pager/u32set.h"
#include "support/test_util.h"

typedef struct env {
    char *dir;
    char path[512];
    hdb_pager *p;
} env;

static void env_open(env *e, size_t cache)
{
    hdb_pager_cfg cfg = {0};
    int created;
    cfg.vfs = hdb_vfs_posix();
    cfg.path = e->path;
    cfg.page_size = 4096;
    cfg.cache_bytes = cache;
    cfg.create = 1;
    cfg.salt = 7;
    ck_assert_int_eq(hdb__pager_open(&cfg, &e->p, &created), HDB_OK);
}

static void env_init(env *e, size_t cache)
{
    memset(e, 0, sizeof *e);
    e->dir = tu_tmpdir();
    tu_path(e->path, sizeof e->path, e->dir, "p.db");
    env_open(e, cache);
}

static void env_fini(env *e)
{
    hdb__pager_close(e->p);
    tu_rmdir(e->dir);
    free(e->dir);
}

static void ckpt(env *e, uint64_t lsn, hdb_ref root)
{
    hdb_meta m = *hdb__pager_meta(e->p);
    m.ckpt_lsn = lsn;
    m.registry = root;
    ck_assert_int_eq(hdb__pager_checkpoint(e->p, &m), HDB_OK);
}

/* Allocate n pages stamped with their index; their refs go to out. */
static void alloc_n(env *e, int n, hdb_ref *out)
{
    for (int i = 0; i < n; i++) {
        hdb_page *pg;
        ck_assert_int_eq(hdb__pager_alloc(e->p, HDB_PT_LEAF, &pg), HDB_OK);
        hdb__put32(pg->data + 100, (uint32_t)i);
        out[i].pgno = pg->pgno;
        out[i].birth = hdb__page_birth(pg->data);
        hdb__pager_put(e->p, pg);
    }
}

/* n pages made in transaction 1, committed and checkpointed. */
static void fill_committed(env *e, int n, hdb_ref *out)
{
    ck_assert_int_eq(hdb__pager_begin(e->p, 1), HDB_OK);
    alloc_n(e, n, out);
    hdb__pager_commit(e->p);
    ckpt(e, 1, out[0]);
}

/* 2,000 pages through a 256 KiB cache: dirty pages are evicted to the
 * file mid-transaction and read back intact, after a checkpoint too. */
START_TEST(test_budget_and_eviction)
{
    env e;
    enum { N = 2000 };
    static hdb_ref refs[N];
    env_init(&e, 256 << 10);
    ck_assert_int_eq(hdb__pager_begin(e.p, 1), HDB_OK);
    alloc_n(&e, N, refs);
    hdb_pager_stats st;
    hdb__pager_stats(e.p, &st);
    ck_assert_uint_le(st.cache_bytes, (256 << 10) + 8 * 4096);
    ck_assert_uint_gt(st.evictions, N / 2);
    for (int i = 0; i < N; i++) {
        hdb_page *pg;
        ck_assert_int_eq(hdb__pager_get(e.p, refs[i], &pg), HDB_OK);
        ck_assert_uint_eq(hdb__get32(pg->data + 100), (uint32_t)i);
        hdb__pager_put(e.p, pg);
    }
    hdb__pager_commit(e.p);
    ckpt(&e, 1, refs[0]);
    hdb__pager_close(e.p);
    env_open(&e, 256 << 10);
    ck_assert_uint_eq(hdb__pager_meta(e.p)->ckpt_lsn, 1);
    for (int i = 0; i < N; i += 7) {
        hdb_page *pg;
        ck_assert_int_eq(hdb__pager_get(e.p, refs[i], &pg), HDB_OK);
        ck_assert_uint_eq(hdb__get32(pg->data + 100), (uint32_t)i);
        hdb__pager_put(e.p, pg);
    }
    /* The wrong birth in a pointer is a lost or misdirected write. */
    hdb_page *pg;
    hdb_ref wrong = {refs[3].pgno, refs[3].birth + 1};
    ck_assert_int_eq(hdb__pager_get(e.p, wrong, &pg), HDB_CORRUPT);
    env_fini(&e);
}
END_TEST

static uint64_t reads_of(env *e)
{
    hdb_pager_stats st;
    hdb__pager_stats(e->p, &st);
    return st.page_reads;
}

/* Read page r and let it go; it must hold its index i. */
static void read_one(env *e, hdb_ref r, int i)
{
    hdb_page *pg;
    ck_assert_int_eq(hdb__pager_get(e->p, r, &pg), HDB_OK);
    ck_assert_uint_eq(hdb__get32(pg->data + 100), (uint32_t)i);
    hdb__pager_put(e->p, pg);
}

/* A get of a number that is no data page is corruption, whether the
 * page is cached (the map page of region 0, under its slot A) or not (its
 * slot B, a meta slot, the high-water mark and beyond). */
START_TEST(test_get_not_data)
{
    env e;
    static hdb_ref refs[40];
    env_init(&e, 256 << 10);
    fill_committed(&e, 40, refs);
    uint32_t c;
    ck_assert_int_eq(hdb__pager_rc(e.p, refs[3].pgno, &c), HDB_OK); /* the map page is cached */
    ck_assert_ptr_nonnull(hdb__cache_find(e.p, HDB_MAP_FIRST));
    hdb_pgno bad[] = {0, 1, HDB_MAP_FIRST, HDB_MAP_FIRST + 1, e.p->next_pgno, e.p->next_pgno + 9};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hdb_page *pg = NULL;
        hdb_ref r = {bad[i], 0};
        ck_assert_int_eq(hdb__pager_get(e.p, r, &pg), HDB_CORRUPT);
        ck_assert_ptr_nonnull(strstr(hdb__pager_errmsg(e.p), "outside the data pages"));
    }
    read_one(&e, refs[3], 3);
    env_fini(&e);
}
END_TEST

/* Every frame on the LRU is found under its page number. */
static int frames_unfound(hdb_pager *p)
{
    int bad = 0;
    for (hdb_page *pg = p->lru.lnext; pg != &p->lru; pg = pg->lnext)
        bad += pg != &p->mid && hdb__cache_find(p, pg->pgno) != pg;
    return bad;
}

/* The frame table (cache.c, HASH) with long runs of colliding page
 * numbers: 16 frames, a table of 64 slots, and pages of four residues
 * modulo 64 read in a scattered order, so that evictions keep taking
 * entries out of the middle of runs.  Every page read holds its own
 * index, every cached frame stays findable, and a page just read is found
 * again without a read. */
START_TEST(test_hash_runs)
{
    env e;
    enum { N = 1500 };
    static hdb_ref refs[N];
    env_init(&e, 16 * (4096 + 128));
    fill_committed(&e, N, refs);
    int cand[N], nc = 0;
    for (int i = 0; i < N; i++)
        if (refs[i].pgno % 64 == 3 || refs[i].pgno % 64 == 4 || refs[i].pgno % 64 == 40 ||
            refs[i].pgno % 64 == 63)
            cand[nc++] = i;
    ck_assert_int_gt(nc, 80);
    int bad = 0;
    for (int k = 0; k < 4000; k++) {
        int i = cand[(unsigned)(k * 2654435761u >> 7) % (unsigned)nc];
        hdb_page *pg;
        uint64_t r0 = reads_of(&e);
        if (hdb__pager_get(e.p, refs[i], &pg) != HDB_OK)
            bad++;
        else {
            bad += hdb__get32(pg->data + 100) != (uint32_t)i;
            hdb__pager_put(e.p, pg);
        }
        uint64_t r1 = reads_of(&e);
        read_one(&e, refs[i], i);
        bad += reads_of(&e) != r1; /* cached: no second read */
        bad += r1 - r0 > 1;
        bad += frames_unfound(e.p);
    }
    ck_assert_int_eq(bad, 0);
    env_fini(&e);
}
END_TEST

/* The cache's frames come from slabs of at most 2 MiB (cache.c, SLABS):
 * a 5 MiB cache takes three, a few allocations in all; every frame is
 * its own, those of the slabs and those made over budget while every
 * frame is pinned alike (each pinned page keeps its own stamp); the
 * memory held stays within the budget while it is, and all of it is
 * returned at close.  The same through the C library's allocator, and
 * through one that refuses blocks over 100,000 bytes (a fragmented heap:
 * the slabs get smaller, the cache works as before). */
static void slab_round(const hdb_allocator *a, tu_alloc *c)
{
    enum { N = 1400, BUDGET = 5 << 20 };
    static hdb_ref refs[N];
    static hdb_page *pin[N];
    env e;
    memset(&e, 0, sizeof e);
    e.dir = tu_tmpdir();
    tu_path(e.path, sizeof e.path, e.dir, "p.db");
    hdb_pager_cfg cfg = {0};
    int created;
    cfg.vfs = hdb_vfs_posix();
    cfg.mem = a;
    cfg.path = e.path;
    cfg.page_size = 4096;
    cfg.cache_bytes = BUDGET;
    cfg.create = 1;
    cfg.salt = 7;
    ck_assert_int_eq(hdb__pager_open(&cfg, &e.p, &created), HDB_OK);
    size_t max = hdb__pager_cache_frames(e.p);
    ck_assert_uint_lt(max, N); /* the last pins go over budget */
    ck_assert_int_eq(hdb__pager_begin(e.p, 1), HDB_OK);
    long allocs0 = c ? c->allocs : 0;
    size_t bytes0 = c ? c->live : 0;
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(hdb__pager_alloc(e.p, HDB_PT_LEAF, &pin[i]), HDB_OK);
        memset(pin[i]->data + 64, (int)(i % 251), 4096 - 64);
        refs[i].pgno = pin[i]->pgno;
        refs[i].birth = hdb__page_birth(pin[i]->data);
        if (c && (size_t)i + 1 == max)
            ck_assert_uint_le(c->live - bytes0, BUDGET);
    }
    if (c && !c->refuse_over) /* three slabs, the overflow frames one by one, a few others */
        ck_assert_int_le(c->allocs - allocs0, 3 + (N - (long)max) + 8);
    if (c && c->refuse_over) /* smaller slabs (15 frames here): still far fewer than frames */
        ck_assert_int_le(c->allocs - allocs0, (long)max / 8 + 1 + (N - (long)max) + 8);
    int bad = 0;
    for (int i = 0; i < N; i++) {
        const uint8_t *d = pin[i]->data;
        bad += d[64] != i % 251 || d[2000] != i % 251 || d[4095] != i % 251;
        for (int j = i + 1; j < N && j < i + 3; j++)
            bad += pin[j]->data == pin[i]->data || pin[j] == pin[i];
    }
    ck_assert_int_eq(bad, 0);
    for (int i = 0; i < N; i++)
        hdb__pager_put(e.p, pin[i]);
    /* Unpinned, through the cache again: evicted pages read back whole. */
    for (int i = 0; i < N; i += 3) {
        hdb_page *pg;
        ck_assert_int_eq(hdb__pager_get(e.p, refs[i], &pg), HDB_OK);
        bad += pg->data[64] != i % 251 || pg->data[4095] != i % 251;
        hdb__pager_put(e.p, pg);
    }
    ck_assert_int_eq(bad, 0);
    hdb__pager_commit(e.p);
    hdb__pager_close(e.p);
    if (c) {
        ck_assert_int_eq(c->blocks, 0);
        ck_assert_uint_eq(c->live, 0);
        ck_assert_uint_le(c->largest, 2u << 20);
    }
    tu_rmdir(e.dir);
    free(e.dir);
}

START_TEST(test_slabs)
{
    tu_alloc c, small;
    tu_alloc_init(&c);
    slab_round(&c.a, &c);
    slab_round(NULL, NULL);
    tu_alloc_init(&small);
    small.refuse_over = 100000;
    slab_round(&small.a, &small);
    ck_assert_uint_le(small.largest, 100000);
}
END_TEST

/* The cache's midpoint: pages used again stay cached while a stream of
 * pages used once, many times the cache's size, passes through it (under
 * an exact LRU the stream would push them out); a page of the stream
 * itself is gone once the stream has moved on, and so is a page used twice
 * in a row (a second use at once is not reuse). */
START_TEST(test_midpoint)
{
    env e;
    enum { N = 400, HOT = 4 };
    static hdb_ref refs[N];
    env_init(&e, 64 << 10); /* 16 frames */
    fill_committed(&e, N, refs);
    hdb__pager_close(e.p);
    env_open(&e, 64 << 10);
    enum { TWICE = HOT, FIRST = HOT + 3 };
    for (int i = 0; i < HOT; i++) /* the hot pages, */
        read_one(&e, refs[i], i);
    read_one(&e, refs[TWICE], TWICE); /* a page used twice in a row, */
    read_one(&e, refs[TWICE], TWICE);
    read_one(&e, refs[HOT + 1], HOT + 1); /* others */
    read_one(&e, refs[HOT + 2], HOT + 2);
    for (int i = 0; i < HOT; i++) /* and the hot pages used again: young */
        read_one(&e, refs[i], i);
    uint64_t r0 = reads_of(&e);
    for (int i = FIRST; i < N; i++) { /* the stream, each page once */
        read_one(&e, refs[i], i);
        if (i % 50 == 0) /* the hot pages are used now and then */
            for (int h = 0; h < HOT; h++)
                read_one(&e, refs[h], h);
    }
    ck_assert_uint_eq(reads_of(&e) - r0, N - FIRST); /* the hot pages were never read again */
    read_one(&e, refs[FIRST], FIRST);                /* the stream's first page was, */
    read_one(&e, refs[TWICE], TWICE);                /* and the page used twice in a row */
    ck_assert_uint_eq(reads_of(&e) - r0, N - FIRST + 2);
    env_fini(&e);
}
END_TEST

/* Freed pages are reused: at once when born in the transaction, after the
 * commit (and a checkpoint) otherwise; never while a reader may see them. */
START_TEST(test_free_and_reuse)
{
    env e;
    hdb_ref a[10], b[10];
    uint32_t left;
    env_init(&e, 1 << 20);
    ck_assert_int_eq(hdb__pager_begin(e.p, 1), HDB_OK);
    alloc_n(&e, 10, a);
    ck_assert_int_eq(hdb__pager_decr(e.p, a[9], &left), HDB_OK);
    ck_assert_uint_eq(left, 0);
    alloc_n(&e, 1, b); /* born and freed in this transaction: reused at once */
    ck_assert_uint_eq(b[0].pgno, a[9].pgno);
    hdb__pager_commit(e.p);
    ckpt(&e, 1, a[0]);
    ck_assert_int_eq(hdb__pager_reader_add(e.p, 1), HDB_OK);
    ck_assert_int_eq(hdb__pager_begin(e.p, 2), HDB_OK);
    ck_assert_int_eq(hdb__pager_decr(e.p, a[0], &left), HDB_OK);
    alloc_n(&e, 1, b); /* a[0] is durable and read: not reused */
    ck_assert_uint_ne(b[0].pgno, a[0].pgno);
    hdb__pager_commit(e.p);
    ck_assert_int_eq(hdb__pager_is_pending(e.p, a[0].pgno), 1);
    hdb__pager_reader_remove(e.p, 1);
    ckpt(&e, 2, a[1]);
    ck_assert_int_eq(hdb__pager_begin(e.p, 3), HDB_OK);
    int reused = 0;
    for (int i = 0; i < 20; i++) {
        alloc_n(&e, 1, b);
        reused |= b[0].pgno == a[0].pgno;
    }
    ck_assert_int_eq(reused, 1);
    hdb__pager_abort(e.p);
    env_fini(&e);
}
END_TEST

/* Savepoints undo count changes and allocations; abort undoes everything. */
START_TEST(test_savepoints_abort)
{
    env e;
    hdb_ref a[5], b[5];
    uint32_t c;
    env_init(&e, 1 << 20);
    ck_assert_int_eq(hdb__pager_begin(e.p, 1), HDB_OK);
    alloc_n(&e, 5, a);
    hdb__pager_commit(e.p);
    ckpt(&e, 1, a[0]);
    ck_assert_int_eq(hdb__pager_begin(e.p, 2), HDB_OK);
    hdb_pager_sp sp;
    ck_assert_int_eq(hdb__pager_savepoint(e.p, &sp), HDB_OK);
    ck_assert_int_eq(hdb__pager_incr(e.p, a[1].pgno), HDB_OK);
    alloc_n(&e, 5, b);
    hdb__pager_rollback_to(e.p, &sp);
    ck_assert_int_eq(hdb__pager_rc(e.p, a[1].pgno, &c), HDB_OK);
    ck_assert_uint_eq(c, 1);
    ck_assert_int_eq(hdb__pager_rc(e.p, b[0].pgno, &c), HDB_OK);
    ck_assert_uint_eq(c, 0);
    ck_assert_int_eq(hdb__pager_incr(e.p, a[2].pgno), HDB_OK);
    hdb__pager_abort(e.p);
    ck_assert_int_eq(hdb__pager_rc(e.p, a[2].pgno, &c), HDB_OK);
    ck_assert_uint_eq(c, 1);
    env_fini(&e);
}
END_TEST

/* hdb__pager_incr_many: counts of pages in several map regions go up
 * together (a page twice: twice), a savepoint undoes them, and a free page
 * in the list is corrupt. */
START_TEST(test_incr_many)
{
    env e;
    enum { N = 2500 }; /* more than one map region of 4 KiB pages */
    static hdb_ref a[N];
    static hdb_pgno v[N + 1];
    uint32_t c;
    env_init(&e, 1 << 20);
    ck_assert_int_eq(hdb__pager_begin(e.p, 1), HDB_OK);
    alloc_n(&e, N, a);
    hdb__pager_commit(e.p);
    ckpt(&e, 1, a[0]);
    for (int i = 0; i < N; i++)
        v[i] = a[(i * 7) % N].pgno;
    v[N] = a[5].pgno;
    ck_assert_int_eq(hdb__pager_begin(e.p, 2), HDB_OK);
    hdb_pager_sp sp;
    ck_assert_int_eq(hdb__pager_savepoint(e.p, &sp), HDB_OK);
    ck_assert_int_eq(hdb__pager_incr_many(e.p, v, N + 1), HDB_OK);
    for (int i = 0; i < N; i += 97) {
        ck_assert_int_eq(hdb__pager_rc(e.p, a[i].pgno, &c), HDB_OK);
        ck_assert_uint_eq(c, i == 5 ? 3 : 2);
    }
    ck_assert_int_eq(hdb__pager_rc(e.p, a[5].pgno, &c), HDB_OK);
    ck_assert_uint_eq(c, 3);
    hdb__pager_rollback_to(e.p, &sp);
    for (int i = 0; i < N; i += 97) {
        ck_assert_int_eq(hdb__pager_rc(e.p, a[i].pgno, &c), HDB_OK);
        ck_assert_uint_eq(c, 1);
    }
    /* Numbers that are no data page: a meta slot, the map slots of regions
     * 0 and 1 (each after a data page of the same region). */
    hdb_pgno span = (hdb_pgno)((4096 - HDB_MAP_HDR) / 4 + 2);
    hdb_pgno notdata[][2] = {{a[1].pgno, 1},
                             {a[1].pgno, HDB_MAP_FIRST},
                             {a[1].pgno, HDB_MAP_FIRST + 1},
                             {HDB_MAP_FIRST + span + 2, HDB_MAP_FIRST + span},
                             {HDB_MAP_FIRST + span + 2, HDB_MAP_FIRST + span + 1}};
    for (size_t i = 0; i < sizeof notdata / sizeof notdata[0]; i++) {
        ck_assert_int_eq(hdb__pager_incr_many(e.p, notdata[i], 2), HDB_CORRUPT);
        ck_assert_ptr_nonnull(strstr(hdb__pager_errmsg(e.p), "not a data page"));
    }
    ck_assert_int_eq(hdb__pager_decr(e.p, a[N - 1], &c), HDB_OK); /* now free */
    hdb_pgno bad[3] = {a[1].pgno, a[N - 1].pgno, a[2].pgno};
    ck_assert_int_eq(hdb__pager_incr_many(e.p, bad, 3), HDB_CORRUPT);
    hdb__pager_abort(e.p);
    ck_assert_int_eq(hdb__pager_rc(e.p, a[1].pgno, &c), HDB_OK);
    ck_assert_uint_eq(c, 1);
    ck_assert_int_eq(hdb__pager_rc(e.p, a[N - 1].pgno, &c), HDB_OK);
    ck_assert_uint_eq(c, 1);
    env_fini(&e);
}
END_TEST

/* A damaged meta slot falls back to the other one; both damaged is corrupt. */
START_TEST(test_meta_slots)
{
    env e;
    hdb_ref a[3];
    env_init(&e, 1 << 20);
    for (uint64_t l = 1; l <= 3; l++) {
        ck_assert_int_eq(hdb__pager_begin(e.p, l), HDB_OK);
        alloc_n(&e, 1, a);
        hdb__pager_commit(e.p);
        ckpt(&e, l, a[0]);
    }
    hdb__pager_close(e.p);
    FILE *f = fopen(e.path, "r+b");
    uint64_t seq1, seq2;
    fseek(f, 4096 + 24, SEEK_SET);
    ck_assert_int_eq(fread(&seq1, 8, 1, f), 1);
    fseek(f, 8192 + 24, SEEK_SET);
    ck_assert_int_eq(fread(&seq2, 8, 1, f), 1);
    long newer = seq1 > seq2 ? 4096 : 8192, older = seq1 > seq2 ? 8192 : 4096;
    fseek(f, newer + 50, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    env_open(&e, 1 << 20);
    ck_assert_uint_eq(hdb__pager_meta(e.p)->ckpt_lsn, 2);
    hdb__pager_close(e.p);
    f = fopen(e.path, "r+b");
    fseek(f, older + 50, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    hdb_pager_cfg cfg = {0};
    int created;
    cfg.vfs = hdb_vfs_posix();
    cfg.path = e.path;
    cfg.cache_bytes = 1 << 20;
    ck_assert_int_eq(hdb__pager_open(&cfg, &e.p, &created), HDB_CORRUPT);
    e.p = NULL;
    tu_rmdir(e.dir);
    free(e.dir);
}
END_TEST

/* Set the header's format version of the file at path (checksum fixed). */
static void set_version(const char *path, uint32_t v)
{
    uint8_t h[48];
    int fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pread(fd, h, 48, 0), 48);
    hdb__put32(h + 16, v);
    hdb__put64(h + 40, XXH3_64bits(h, 40));
    ck_assert_int_eq(pwrite(fd, h, 48, 0), 48);
    close(fd);
}

static uint32_t get_version(const char *path)
{
    uint8_t h[48];
    int fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pread(fd, h, 48, 0), 48);
    close(fd);
    return hdb__get32(h + 16);
}

/* A version 1 file opens and is upgraded when opened for writing; a
 * version from the future is refused as corrupt with the versions named. */
START_TEST(test_format_versions)
{
    char *dir = tu_tmpdir(), path[512];
    tu_path(path, sizeof path, dir, "v.db");
    hdb *db;
    ck_assert_int_eq(hdb_open(path, NULL, &db), HDB_OK);
    ck_assert_int_eq(hdb_close(db), HDB_OK);
    ck_assert_uint_eq(get_version(path), HDB_FORMAT_VERSION);
    set_version(path, 1);
    hdb_options o;
    hdb_options_init(&o);
    o.read_only = 1;
    ck_assert_int_eq(hdb_open(path, &o, &db), HDB_OK);
    ck_assert_int_eq(hdb_close(db), HDB_OK);
    ck_assert_uint_eq(get_version(path), 1); /* read only: untouched */
    ck_assert_int_eq(hdb_open(path, NULL, &db), HDB_OK);
    ck_assert_int_eq(hdb_check(db, NULL), HDB_OK);
    ck_assert_int_eq(hdb_close(db), HDB_OK);
    ck_assert_uint_eq(get_version(path), HDB_FORMAT_VERSION);
    set_version(path, HDB_FORMAT_VERSION + 1);
    ck_assert_int_eq(hdb_open(path, NULL, &db), HDB_CORRUPT);
    tu_rmdir(dir);
    free(dir);
}
END_TEST

/* The page-number set against a plain array: adds (repeated), reserve,
 * deletes (backward shift) and membership over many sizes and clusters. */
START_TEST(test_u32set_model)
{
    enum { N = 5000 };
    static unsigned char in[N + 1];
    hdb_u32set s;
    uint32_t seed = 12345;
    memset(in, 0, sizeof in);
    hdb__u32set_init(&s, NULL);
    ck_assert_int_eq(hdb__u32set_has(&s, 7), 0);
    ck_assert_int_eq(hdb__u32set_del(&s, 7), 0);
    size_t n = 0;
    for (int step = 0; step < 60000; step++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t v = 1 + (seed >> 8) % N;
        unsigned op = (seed >> 4) % 8;
        if (step == 20000)
            ck_assert_int_eq(hdb__u32set_reserve(&s, 3 * N), HDB_OK);
        if (op < 5) {
            ck_assert_int_eq(hdb__u32set_add(&s, v), HDB_OK);
            n += !in[v];
            in[v] = 1;
        } else if (op < 7) {
            ck_assert_int_eq(hdb__u32set_del(&s, v), in[v]);
            n -= in[v];
            in[v] = 0;
        }
        ck_assert_int_eq(hdb__u32set_has(&s, v), in[v]);
        ck_assert_uint_eq(s.n, n);
    }
    for (uint32_t v = 1; v <= N; v++)
        ck_assert_int_eq(hdb__u32set_has(&s, v), in[v]);
    ck_assert_int_eq(hdb__u32set_has(&s, N + 1), 0);
    hdb__u32set_clear(&s);
    ck_assert_int_eq(hdb__u32set_has(&s, 1), 0);
    ck_assert_int_eq(hdb__u32set_reserve(&s, 10), HDB_OK);
    hdb__u32set_free(&s);
}
END_TEST

/* Pages read with hdb__pager_get_cold enter at the cold end of the cache:
 * reading many of them through a small cache neither pushes out the pages
 * in use (no re-read) nor evicts dirty pages (no write); a cached page read
 * cold stays where it is. */
START_TEST(test_cold_reads)
{
    env e;
    enum { N = 300, HOT = 24 };
    static hdb_ref refs[N];
    env_init(&e, 256 << 10); /* 64 frames */
    fill_committed(&e, N, refs);
    hdb_pager_stats s0, s1, s2;
    hdb_page *pg;
    for (int i = 0; i < HOT; i++) { /* the working set */
        ck_assert_int_eq(hdb__pager_get(e.p, refs[i], &pg), HDB_OK);
        hdb__pager_put(e.p, pg);
    }
    ck_assert_int_eq(hdb__pager_begin(e.p, 2), HDB_OK);
    hdb_ref dirty[HOT];
    alloc_n(&e, HOT, dirty); /* dirty, never written */
    hdb__pager_stats(e.p, &s0);
    for (int i = HOT; i < N; i++) {
        ck_assert_int_eq(hdb__pager_get_cold(e.p, refs[i], &pg), HDB_OK);
        ck_assert_uint_eq(hdb__get32(pg->data + 100), (uint32_t)i);
        hdb__pager_put(e.p, pg);
    }
    hdb__pager_stats(e.p, &s1);
    ck_assert_uint_gt(s1.page_reads - s0.page_reads, N - HOT - 64);
    for (int i = 0; i < HOT; i++) {
        ck_assert_int_eq(hdb__pager_get_cold(e.p, refs[i], &pg), HDB_OK); /* cached */
        hdb__pager_put(e.p, pg);
        ck_assert_int_eq(hdb__pager_get(e.p, dirty[i], &pg), HDB_OK);
        ck_assert_uint_eq(hdb__get32(pg->data + 100), (uint32_t)i);
        hdb__pager_put(e.p, pg);
    }
    hdb__pager_stats(e.p, &s2);
    ck_assert_uint_eq(s2.page_reads - s1.page_reads, 0);
    ck_assert_uint_eq(s2.page_writes - s0.page_writes, 0);
    ck_assert_uint_le(s2.cache_bytes, (256 << 10) + 8 * 4096);
    hdb__pager_abort(e.p);
    env_fini(&e);
}
END_TEST

/* Reads run without the mutex (pager.h, THREADS): threads that get the
 * same pages through a cache far smaller than them wait for each other's
 * reads, see every page whole, and each get of a damaged page fails alone
 * (no thread hangs on it, and it is read again by a later get). */
enum { TR_N = 600, TR_THREADS = 4, TR_GETS = 6000 };
typedef struct treader {
    env *e;
    const hdb_ref *refs;
    hdb_pgno bad;
    unsigned seed;
    int wrong, corrupt;
} treader;

static void *treader_run(void *arg)
{
    treader *r = arg;
    for (int i = 0; i < TR_GETS; i++) {
        r->seed = r->seed * 1103515245u + 12345u;
        int k = (int)((r->seed >> 8) % TR_N);
        hdb_page *pg;
        int rc = (r->seed >> 4) & 1 ? hdb__pager_get(r->e->p, r->refs[k], &pg)
                                    : hdb__pager_get_cold(r->e->p, r->refs[k], &pg);
        if (r->refs[k].pgno == r->bad) {
            r->corrupt += rc == HDB_CORRUPT;
            r->wrong += rc != HDB_CORRUPT;
            if (rc == HDB_OK)
                hdb__pager_put(r->e->p, pg);
            continue;
        }
        if (rc != HDB_OK) {
            r->wrong++;
            continue;
        }
        r->wrong += hdb__get32(pg->data + 100) != (uint32_t)k;
        hdb__pager_put(r->e->p, pg);
    }
    return NULL;
}

START_TEST(test_parallel_reads)
{
    env e;
    static hdb_ref refs[TR_N];
    env_init(&e, 64 << 10);
    ck_assert_int_eq(hdb__pager_begin(e.p, 1), HDB_OK);
    alloc_n(&e, TR_N, refs);
    hdb__pager_commit(e.p);
    ckpt(&e, 1, refs[0]);
    hdb__pager_close(e.p);
    int fd = open(e.path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    uint8_t b = 0;
    off_t at = (off_t)refs[TR_N / 2].pgno * 4096 + 2000;
    ck_assert_int_eq(pread(fd, &b, 1, at), 1);
    b ^= 0xff;
    ck_assert_int_eq(pwrite(fd, &b, 1, at), 1);
    close(fd);
    env_open(&e, 64 << 10);
    pthread_t th[TR_THREADS];
    treader r[TR_THREADS];
    for (int i = 0; i < TR_THREADS; i++) {
        r[i] = (treader){&e, refs, refs[TR_N / 2].pgno, 17u + 31u * (unsigned)i, 0, 0};
        ck_assert_int_eq(pthread_create(&th[i], NULL, treader_run, &r[i]), 0);
    }
    int corrupt = 0;
    for (int i = 0; i < TR_THREADS; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(r[i].wrong, 0);
        corrupt += r[i].corrupt;
    }
    ck_assert_int_gt(corrupt, 0);
    hdb_pager_stats st;
    hdb__pager_stats(e.p, &st);
    ck_assert_uint_le(st.cache_bytes, (64 << 10) + (TR_THREADS + 8) * 4096);
    ck_assert_uint_gt(st.page_reads, TR_N);
    env_fini(&e);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pager");
    TCase *c = tcase_create("core");
    tcase_add_test(c, test_budget_and_eviction);
    tcase_add_test(c, test_midpoint);
    tcase_add_test(c, test_free_and_reuse);
    tcase_add_test(c, test_savepoints_abort);
    tcase_add_test(c, test_incr_many);
    tcase_add_test(c, test_meta_slots);
    tcase_add_test(c, test_format_versions);
    tcase_add_test(c, test_u32set_model);
    tcase_add_test(c, test_cold_reads);
    tcase_add_test(c, test_hash_runs);
    tcase_add_test(c, test_get_not_data);
    tcase_add_test(c, test_slabs);
    suite_add_tcase(s, c);
    TCase *t = tcase_create("threads"); /* also run under TSan */
    tcase_add_test(t, test_parallel_reads);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run(suite()); }
