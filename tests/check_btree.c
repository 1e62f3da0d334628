/*
** check_btree.c — the pager and the copy-on-write B+tree, below the engine.
**
** Trees are driven directly through hdb__bt_* inside pager transactions and
** compared with an in-memory model; after each scenario every reference
** count in the map is compared with the pointers actually found by walking
** the trees (no page leaked, none counted twice).
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "btree/btree.h"
#include "pager/buf.h"
#include "pager/pager.h"
#include "support/test_util.h"

typedef struct env {
    char *dir;
    char path[512];
    hdb_pager *p;
    hdb_bt t;
    uint64_t lsn;
} env;

static void env_open(env *e, unsigned psize, size_t cache)
{
    hdb_pager_cfg cfg = {0};
    int created;
    cfg.vfs = hdb_vfs_posix();
    cfg.path = e->path;
    cfg.page_size = psize;
    cfg.cache_bytes = cache;
    cfg.create = 1;
    cfg.salt = 42;
    ck_assert_int_eq(hdb__pager_open(&cfg, &e->p, &created), HDB_OK);
    ck_assert_int_eq(hdb__bt_init(&e->t, e->p, NULL), HDB_OK);
    e->lsn = hdb__pager_meta(e->p)->ckpt_lsn;
}

static void env_init(env *e, unsigned psize, size_t cache)
{
    memset(e, 0, sizeof *e);
    e->dir = tu_tmpdir();
    ck_assert_ptr_nonnull(e->dir);
    tu_path(e->path, sizeof e->path, e->dir, "t.db");
    env_open(e, psize, cache);
}

static void env_close(env *e)
{
    hdb__bt_fini(&e->t);
    hdb__pager_close(e->p);
    e->p = NULL;
}

static void env_fini(env *e)
{
    env_close(e);
    tu_rmdir(e->dir);
    free(e->dir);
}

static void begin(env *e) { ck_assert_int_eq(hdb__pager_begin(e->p, e->lsn + 1), HDB_OK); }
static void commit(env *e)
{
    hdb__pager_commit(e->p);
    e->lsn++;
}
static void checkpoint(env *e, hdb_ref root)
{
    hdb_meta m = *hdb__pager_meta(e->p);
    m.ckpt_lsn = e->lsn;
    m.registry = root;
    ck_assert_int_eq(hdb__pager_checkpoint(e->p, &m), HDB_OK);
}

/* --- reference verification ------------------------------------------ */
typedef struct seen {
    uint32_t *c;
    size_t n;
} seen;

static int on_ref(void *ctx, hdb_ref r, int kind)
{
    seen *s = ctx;
    (void)kind;
    if (r.pgno >= s->n)
        return 0;
    return ++s->c[r.pgno] > 1;
}

/* Walk every root; compare each page's count with the pointers found. */
static void verify(env *e, const hdb_ref *roots, int n)
{
    seen s;
    hdb_buf rep;
    hdb__buf_init(&rep, NULL);
    s.n = hdb__pager_next_pgno(e->p);
    s.c = calloc(s.n, sizeof *s.c);
    hdb_btverify v = {&e->t, on_ref, &s, &rep, 0, 0, 0};
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(hdb__bt_verify(&v, roots[i]), HDB_OK);
    if (v.problems)
        ck_abort_msg("tree problems: %s", rep.data);
    for (hdb_pgno pg = 0; pg < s.n; pg++) {
        uint32_t c;
        if (!hdb__pager_is_data_page(e->p, pg))
            continue;
        ck_assert_int_eq(hdb__pager_rc(e->p, pg, &c), HDB_OK);
        if (c != s.c[pg])
            ck_abort_msg("page %u: count %u, pointers %u", pg, c, s.c[pg]);
    }
    free(s.c);
    hdb__buf_free(&rep);
}

static void check_model(env *e, hdb_ref root, const tu_model *m)
{
    hdb_btcur c;
    hdb__btcur_init(&c, &e->t, root);
    size_t i = 0;
    int rc = hdb__btcur_first(&c);
    while (rc == HDB_OK) {
        const uint8_t *k;
        size_t kn;
        hdb_btval v;
        ck_assert_uint_lt(i, m->n);
        ck_assert_int_eq(hdb__btcur_key(&c, &k, &kn), HDB_OK);
        ck_assert_int_eq(tu_keycmp(k, kn, m->e[i].k, m->e[i].kn), 0);
        ck_assert_int_eq(hdb__btcur_val(&c, &v), HDB_OK);
        ck_assert_uint_eq(v.size, m->e[i].vn);
        ck_assert(v.size == 0 || memcmp(v.data, m->e[i].v, v.size) == 0);
        hdb__btval_release(&e->t, &v);
        i++;
        rc = hdb__btcur_next(&c);
    }
    ck_assert_int_eq(rc, HDB_NOTFOUND);
    ck_assert_uint_eq(i, m->n);
    /* and backwards */
    rc = hdb__btcur_last(&c);
    while (rc == HDB_OK) {
        const uint8_t *k;
        size_t kn;
        ck_assert_uint_gt(i, 0);
        i--;
        ck_assert_int_eq(hdb__btcur_key(&c, &k, &kn), HDB_OK);
        ck_assert_int_eq(tu_keycmp(k, kn, m->e[i].k, m->e[i].kn), 0);
        rc = hdb__btcur_prev(&c);
    }
    ck_assert_int_eq(rc, HDB_NOTFOUND);
    ck_assert_uint_eq(i, 0);
    /* Seeks land on the first key >= the one sought (a model key, or one
     * just past it), and the cell there reads whole in one parse. */
    tu_rng r = {m->n * 2 + 1};
    static unsigned char probe[8192];
    for (int s = 0; s < 300 && m->n; s++) {
        size_t j = tu_below(&r, m->n), pn = m->e[j].kn, at;
        int found, exact;
        memcpy(probe, m->e[j].k, pn);
        if (s % 3 == 1)
            probe[pn++] = 0;
        else if (s % 3 == 2 && pn > 1)
            pn--;
        at = tu_model_find(m, probe, pn, &found);
        rc = hdb__btcur_seek(&c, probe, pn, &exact);
        if (at == m->n) {
            ck_assert_int_eq(rc, HDB_NOTFOUND);
            continue;
        }
        ck_assert_int_eq(rc, HDB_OK);
        ck_assert_int_eq(exact, found);
        hdb_cell cell;
        ck_assert_int_eq(hdb__btcur_cell(&c, &cell), HDB_OK);
        ck_assert_int_eq(tu_keycmp(cell.key, cell.klen, m->e[at].k, m->e[at].kn), 0);
        if (!(cell.flags & HDB_CELL_OVERFLOW)) {
            ck_assert_uint_eq(cell.vlen, m->e[at].vn);
            ck_assert(cell.vlen == 0 || memcmp(cell.val, m->e[at].v, cell.vlen) == 0);
        }
    }
    hdb__btcur_reset(&c);
}

static size_t mkkey(tu_rng *r, unsigned char *k, size_t maxk, int space)
{
    size_t n = 1 + tu_below(r, tu_below(r, 8) == 0 ? maxk : 24);
    for (size_t i = 0; i < n; i++)
        k[i] = (unsigned char)('a' + tu_below(r, (unsigned)space));
    return n;
}

static size_t mkval(tu_rng *r, unsigned char *v)
{
    size_t n;
    switch (tu_below(r, 10)) {
    case 0: n = 0; break;
    case 1: n = 500 + tu_below(r, 20000); break; /* overflow */
    case 2: n = 200 + tu_below(r, 800); break;
    default: n = tu_below(r, 60); break;
    }
    unsigned char b = (unsigned char)tu_next(r);
    for (size_t i = 0; i < n; i++)
        v[i] = (unsigned char)(tu_below(r, 4) ? b : tu_next(r)); /* compressible */
    return n;
}

START_TEST(test_basic)
{
    env e;
    env_init(&e, 4096, 1 << 20);
    hdb_ref root = {0, 0};
    hdb_btval v;
    begin(&e);
    ck_assert_int_eq(hdb__bt_put(&e.t, &root, "b", 1, "2", 1, 0), HDB_OK);
    ck_assert_int_eq(hdb__bt_put(&e.t, &root, "a", 1, "1", 1, 0), HDB_OK);
    ck_assert_int_eq(hdb__bt_put(&e.t, &root, "c", 1, "3", 1, 0), HDB_OK);
    ck_assert_int_eq(hdb__bt_get(&e.t, root, "b", 1, &v), HDB_OK);
    ck_assert_int_eq(memcmp(v.data, "2", 1), 0);
    hdb__btval_release(&e.t, &v);
    ck_assert_int_eq(hdb__bt_get(&e.t, root, "x", 1, &v), HDB_NOTFOUND);
    ck_assert_int_eq(hdb__bt_del(&e.t, &root, "b", 1, 0), HDB_OK);
    ck_assert_int_eq(hdb__bt_del(&e.t, &root, "b", 1, 0), HDB_NOTFOUND);
    ck_assert_int_eq(hdb__bt_put(&e.t, &root, "", 0, "x", 1, 0), HDB_RANGE);
    commit(&e);
    verify(&e, &root, 1);
    env_fini(&e);
}
END_TEST

/* Keys of 1 to 9 bytes over {0x00, 0x01, 0xff}: many differ only by
 * trailing zero bytes, which a search pads short keys with.  Small pages
 * give three levels.  Every key is found, absent keys are not, and each
 * seek lands on the next key in memcmp-then-length order. */
static int key_order(const void *a, const void *b)
{
    const unsigned char *x = a, *y = b;
    return hdb__keycmp(x + 1, x[0], y + 1, y[0]);
}

START_TEST(test_short_keys)
{
    static const unsigned char sym[3] = {0x00, 0x01, 0xff};
    static unsigned char keys[4000][10]; /* [0] length, then the key */
    size_t nk = 0;
    env e;
    env_init(&e, 512, 256 * 1024);
    hdb_ref root = {0, 0};
    for (unsigned len = 1; len <= 9; len++) {
        unsigned combos = len <= 7 ? 1 : 0;
        for (unsigned i = 0; i < len && len <= 7; i++)
            combos *= 3;
        if (len > 7)
            combos = 300;
        for (unsigned c = 0; c < combos && nk < 4000; c++) {
            unsigned x = len <= 7 ? c : c * 7919u;
            keys[nk][0] = (unsigned char)len;
            for (unsigned i = 0; i < len; i++, x /= 3)
                keys[nk][1 + i] = sym[x % 3];
            nk++;
        }
    }
    qsort(keys, nk, sizeof keys[0], key_order);
    size_t n = 0; /* drop duplicates (len > 7 may repeat) */
    for (size_t i = 0; i < nk; i++)
        if (!n || key_order(keys[n - 1], keys[i]) != 0)
            memmove(keys[n++], keys[i], sizeof keys[0]);
    begin(&e);
    for (size_t i = 0; i < n; i += 2) /* every other key: the others stay absent */
        ck_assert_int_eq(hdb__bt_put(&e.t, &root, keys[i] + 1, keys[i][0], keys[i] + 1, 1, 0), HDB_OK);
    commit(&e);
    hdb_btcur c;
    hdb__btcur_init(&c, &e.t, root);
    for (size_t i = 0; i < n; i++) {
        hdb_btval v;
        int exact;
        int rc = hdb__bt_get(&e.t, root, keys[i] + 1, keys[i][0], &v);
        ck_assert_int_eq(rc, i % 2 ? HDB_NOTFOUND : HDB_OK);
        if (rc == HDB_OK)
            hdb__btval_release(&e.t, &v);
        size_t want = i + (i % 2); /* the first stored key >= keys[i] */
        rc = hdb__btcur_seek(&c, keys[i] + 1, keys[i][0], &exact);
        if (want >= n) {
            ck_assert_int_eq(rc, HDB_NOTFOUND);
            continue;
        }
        ck_assert_int_eq(rc, HDB_OK);
        ck_assert_int_eq(exact, i % 2 == 0);
        const uint8_t *k;
        size_t kn;
        ck_assert_int_eq(hdb__btcur_key(&c, &k, &kn), HDB_OK);
        ck_assert_uint_eq(kn, keys[want][0]);
        ck_assert_int_eq(memcmp(k, keys[want] + 1, kn), 0);
    }
    hdb__btcur_reset(&c);
    verify(&e, &root, 1);
    env_fini(&e);
}
END_TEST

/* Sequential load, full walk, then deleting everything returns every page. */
START_TEST(test_sequential_and_empty)
{
    env e;
    env_init(&e, 4096, 1 << 20);
    hdb_ref root = {0, 0};
    char k[32], val[100];
    memset(val, 'v', sizeof val);
    begin(&e);
    for (int i = 0; i < 20000; i++) {
        snprintf(k, sizeof k, "key%08d", i);
        ck_assert_int_eq(hdb__bt_put(&e.t, &root, k, strlen(k), val, sizeof val, 0), HDB_OK);
    }
    commit(&e);
    verify(&e, &root, 1);
    hdb_pager_stats st;
    hdb__pager_stats(e.p, &st);
    /* 20000 cells of ~115 bytes: about 35 per page; appends fill pages */
    ck_assert_uint_lt(st.live_pages, 20000 / 30 + 20);
    begin(&e);
    for (int i = 0; i < 20000; i++) {
        snprintf(k, sizeof k, "key%08d", (i * 7919) % 20000);
        ck_assert_int_eq(hdb__bt_del(&e.t, &root, k, strlen(k), 0), HDB_OK);
    }
    commit(&e);
    ck_assert_uint_eq(root.pgno, 0);
    hdb__pager_stats(e.p, &st);
    ck_assert_uint_eq(st.live_pages, 0);
    verify(&e, &root, 1);
    env_fini(&e);
}
END_TEST

static void random_ops(env *e, hdb_ref *root, tu_model *m, tu_rng *r, int n, size_t maxk,
                       int space)
{
    unsigned char k[4096], v[21000];
    for (int i = 0; i < n; i++) {
        size_t kn = mkkey(r, k, maxk, space);
        if (tu_below(r, 3) == 0) {
            int found;
            tu_model_find(m, k, kn, &found);
            ck_assert_int_eq(hdb__bt_del(&e->t, root, k, kn, 0), found ? HDB_OK : HDB_NOTFOUND);
            tu_model_del(m, k, kn);
        } else {
            size_t vn = mkval(r, v);
            ck_assert_int_eq(hdb__bt_put(&e->t, root, k, kn, v, vn, 0), HDB_OK);
            tu_model_put(m, k, kn, v, vn);
        }
    }
}

/* Random puts and deletes with commits, aborts and savepoints. */
static void run_random(unsigned psize, size_t cache, uint64_t seed)
{
    env e;
    env_init(&e, psize, cache);
    hdb_ref root = {0, 0};
    tu_model m = {0}, saved;
    tu_rng r = {seed};
    size_t maxk = e.t.max_key < 4000 ? e.t.max_key : 4000;
    for (int round = 0; round < 30; round++) {
        hdb_ref before = root;
        tu_model_copy(&saved, &m);
        begin(&e);
        int mode = (int)tu_below(&r, 4);
        random_ops(&e, &root, &m, &r, 300, maxk, 4 + round % 20);
        if (mode == 0) {
            hdb__pager_abort(e.p);
            root = before;
            tu_model_free(&m);
            tu_model_copy(&m, &saved);
        } else if (mode == 1) {
            hdb_pager_sp sp;
            hdb_ref at = root;
            tu_model mid;
            tu_model_copy(&mid, &m);
            ck_assert_int_eq(hdb__pager_savepoint(e.p, &sp), HDB_OK);
            random_ops(&e, &root, &m, &r, 200, maxk, 6);
            hdb__pager_rollback_to(e.p, &sp);
            root = at;
            tu_model_free(&m);
            m = mid;
            random_ops(&e, &root, &m, &r, 50, maxk, 6);
            hdb__pager_release(e.p, &sp);
            commit(&e);
        } else {
            commit(&e);
        }
        tu_model_free(&saved);
        check_model(&e, root, &m);
        verify(&e, &root, 1);
        if (round % 7 == 6)
            checkpoint(&e, root);
    }
    /* reopen from the checkpoint */
    checkpoint(&e, root);
    env_close(&e);
    env_open(&e, psize, cache);
    root = hdb__pager_meta(e.p)->registry;
    check_model(&e, root, &m);
    verify(&e, &root, 1);
    tu_model_free(&m);
    env_fini(&e);
}

START_TEST(test_random_4k) { run_random(4096, 1 << 20, 0x1234567); }
END_TEST
START_TEST(test_random_small_cache) { run_random(4096, 64 * 1024, 0xfeedbeef); }
END_TEST
START_TEST(test_random_512) { run_random(512, 256 * 1024, 77); }
END_TEST
START_TEST(test_random_64k) { run_random(65536, 4 << 20, 99); }
END_TEST

/* Clones a and b read as their models; every count matches its pointers. */
static void check_clones(env *e, hdb_ref a, const tu_model *ma, hdb_ref b, const tu_model *mb)
{
    check_model(e, a, ma);
    check_model(e, b, mb);
    verify(e, (hdb_ref[]){a, b}, 2);
}

/* Release clone a (b, with model mb, reads as before), then b: no page
 * is left. */
static void release_both(env *e, hdb_ref a, hdb_ref b, const tu_model *mb)
{
    begin(e);
    ck_assert_int_eq(hdb__bt_release(&e->t, a), HDB_OK);
    commit(e);
    check_model(e, b, mb);
    verify(e, &b, 1);
    begin(e);
    ck_assert_int_eq(hdb__bt_release(&e->t, b), HDB_OK);
    commit(e);
    hdb_pager_stats st;
    hdb__pager_stats(e->p, &st);
    ck_assert_uint_eq(st.live_pages, 0);
}

/* Two holders of one root (a clone): writes through one never show in the
 * other, and releasing both frees everything. */
START_TEST(test_clone_isolation)
{
    env e;
    env_init(&e, 4096, 1 << 20);
    hdb_ref a = {0, 0}, b;
    tu_model ma = {0}, mb;
    tu_rng r = {5};
    begin(&e);
    random_ops(&e, &a, &ma, &r, 3000, 40, 20);
    commit(&e);
    begin(&e);
    ck_assert_int_eq(hdb__pager_incr(e.p, a.pgno), HDB_OK);
    b = a;
    commit(&e);
    tu_model_copy(&mb, &ma);
    verify(&e, (hdb_ref[]){a, b}, 2);
    for (int round = 0; round < 5; round++) {
        begin(&e);
        random_ops(&e, &b, &mb, &r, 400, 40, 20);
        random_ops(&e, &a, &ma, &r, 100, 40, 20);
        commit(&e);
        check_clones(&e, a, &ma, b, &mb);
    }
    release_both(&e, a, b, &mb);
    tu_model_free(&ma);
    tu_model_free(&mb);
    env_fini(&e);
}
END_TEST

/* The child of the cell taken at depth `level` on the way from root to key. */
static hdb_ref child_at(env *e, hdb_ref root, const char *key, int level)
{
    hdb_ref r = root;
    for (int depth = 0; depth <= level; depth++) {
        hdb_page *pg;
        unsigned idx;
        hdb_cell c;
        ck_assert_int_eq(hdb__pager_get(e->p, r, &pg), HDB_OK);
        ck_assert_int_eq(hdb__node_search_branch(&e->t, pg->data, key, strlen(key), &idx), HDB_OK);
        ck_assert_int_eq(hdb__node_cell(&e->t, pg->data, idx, &c), HDB_OK);
        hdb__pager_put(e->p, pg);
        r = c.child;
    }
    return r;
}

/* hdb__bt_graft_at swaps one child for another only where the cell still
 * points to the page expected, and keeps every reference count exact. */
START_TEST(test_graft_at)
{
    env e;
    env_init(&e, 4096, 1 << 20);
    hdb_ref a = {0, 0}, b, c;
    tu_model ma = {0}, mb;
    char k[32], v[64];
    begin(&e);
    for (int i = 0; i < 20000; i++) {
        snprintf(k, sizeof k, "k%06d", i);
        snprintf(v, sizeof v, "value-%06d-padding-padding", i);
        ck_assert_int_eq(hdb__bt_put(&e.t, &a, k, strlen(k), v, strlen(v), 0), HDB_OK);
        tu_model_put(&ma, k, strlen(k), v, strlen(v));
    }
    commit(&e);
    int height = 1;
    for (hdb_ref r = a;; height++) { /* levels above the leaves */
        hdb_page *pg;
        ck_assert_int_eq(hdb__pager_get(e.p, r, &pg), HDB_OK);
        int leaf = hdb__page_type(pg->data) == HDB_PT_LEAF;
        hdb_cell cl;
        if (!leaf)
            ck_assert_int_eq(hdb__node_cell(&e.t, pg->data, 0, &cl), HDB_OK);
        hdb__pager_put(e.p, pg);
        if (leaf)
            break;
        r = cl.child;
    }
    ck_assert_int_ge(height, 3);
    int level = height - 2; /* the leaves' parents */
    begin(&e);
    ck_assert_int_eq(hdb__pager_incr(e.p, a.pgno), HDB_OK);
    ck_assert_int_eq(hdb__pager_incr(e.p, a.pgno), HDB_OK);
    b = c = a;
    tu_model_copy(&mb, &ma);
    for (int i = 10000; i <= 10200; i += i == 10002 ? 198 : 1) { /* two leaves of b */
        snprintf(k, sizeof k, "k%06d", i);
        snprintf(v, sizeof v, "VALUE-%06d-padding-padding", i);
        ck_assert_int_eq(hdb__bt_put(&e.t, &b, k, strlen(k), v, strlen(v), 0), HDB_OK);
        tu_model_put(&mb, k, strlen(k), v, strlen(v));
    }
    commit(&e);
    hdb_ref old = child_at(&e, a, "k010000", level), now = child_at(&e, b, "k010000", level);
    hdb_ref old2 = child_at(&e, a, "k010200", level), now2 = child_at(&e, b, "k010200", level);
    ck_assert_uint_ne(old.pgno, now.pgno);
    ck_assert_uint_ne(old2.pgno, now2.pgno);
    ck_assert_uint_ne(old.pgno, old2.pgno);
    begin(&e);
    /* The cell does not point to the page named: nothing but the way changes. */
    ck_assert_int_eq(hdb__bt_graft_at(&e.t, &c, level, "k010000", 7, now.pgno, now, NULL),
                     HDB_NOTFOUND);
    /* A level below the leaves' parents: the way ends above it (another
     * way: this one shadows the leaf it reaches). */
    ck_assert_int_eq(hdb__bt_graft_at(&e.t, &c, level + 1, "k000001", 7, old.pgno, now, NULL),
                     HDB_NOTFOUND);
    /* Two siblings, the second through the page the first one kept. */
    hdb_page *keep = NULL;
    ck_assert_int_eq(hdb__bt_graft_at(&e.t, &c, level, "k010001", 7, old.pgno, now, &keep), HDB_OK);
    ck_assert_ptr_nonnull(keep);
    hdb_page *kept = keep;
    ck_assert_int_eq(hdb__bt_graft_at(&e.t, &c, level, "k010200", 7, old2.pgno, now2, &keep),
                     HDB_OK);
    ck_assert_ptr_eq(keep, kept);
    /* Page old is no longer there: the kept page is let go, nothing changes. */
    ck_assert_int_eq(hdb__bt_graft_at(&e.t, &c, level, "k010001", 7, old.pgno, now, &keep),
                     HDB_NOTFOUND);
    ck_assert_ptr_null(keep);
    ck_assert_uint_eq(child_at(&e, c, "k010000", level).pgno, now.pgno);
    ck_assert_uint_eq(child_at(&e, c, "k010200", level).pgno, now2.pgno);
    commit(&e);
    check_model(&e, a, &ma);
    check_model(&e, b, &mb);
    check_model(&e, c, &mb); /* c now holds b's two leaves */
    verify(&e, (hdb_ref[]){a, b, c}, 3);
    tu_model_free(&ma);
    tu_model_free(&mb);
    env_fini(&e);
}
END_TEST

/* --- leaf fill: inserts share cells with a sibling before splitting --- */

/* Leaves, and the bytes their cells and slots take, of the tree at root. */
static void leaf_fill(env *e, hdb_ref root, uint64_t *leaves, uint64_t *used)
{
    hdb_page *pg;
    ck_assert_int_eq(hdb__pager_get(e->p, root, &pg), HDB_OK);
    unsigned n = hdb__page_count(pg->data);
    for (unsigned i = 0; i < n; i++) {
        hdb_cell c;
        ck_assert_int_eq(hdb__node_cell(&e->t, pg->data, i, &c), HDB_OK);
        if (hdb__page_type(pg->data) == HDB_PT_LEAF)
            *used += c.size + 2;
        else
            leaf_fill(e, c.child, leaves, used);
    }
    if (hdb__page_type(pg->data) == HDB_PT_LEAF)
        ++*leaves;
    hdb__pager_put(e->p, pg);
}

/* The share of the leaves' usable bytes that cells take, in percent. */
static unsigned fill_percent(env *e, hdb_ref root)
{
    uint64_t leaves = 0, used = 0;
    leaf_fill(e, root, &leaves, &used);
    return (unsigned)(100 * used / (leaves * (e->t.psize - 32)));
}

/* 20,000 distinct keys in random order, committed every 1,000 (so
 * siblings are committed pages and get shadowed when shared with): leaves
 * end about 80% full, where splitting in halves alone leaves 69%. */
START_TEST(test_fill)
{
    env e;
    env_init(&e, 4096, 1 << 20);
    hdb_ref root = {0, 0};
    tu_model m = {0};
    char k[32], v[64];
    static uint32_t order[20000];
    tu_rng r = {2026};
    for (uint32_t i = 0; i < 20000; i++)
        order[i] = i * 50;
    for (uint32_t i = 19999; i > 0; i--) { /* shuffled */
        uint32_t j = (uint32_t)tu_below(&r, i + 1), x = order[i];
        order[i] = order[j];
        order[j] = x;
    }
    for (uint32_t i = 0; i < 20000; i++) {
        if (i % 1000 == 0)
            begin(&e);
        uint32_t x = order[i];
        int kn = snprintf(k, sizeof k, "user:%07u", x);
        int vn = snprintf(v, sizeof v, "%u-%.*s", x, (int)(x % 40), "abcdefghijklmnopqrstuvwxyz0123456789ABCD");
        ck_assert_int_eq(hdb__bt_put(&e.t, &root, k, kn, v, vn, 0), HDB_OK);
        tu_model_put(&m, k, kn, v, vn);
        if (i % 1000 == 999)
            commit(&e);
    }
    check_model(&e, root, &m);
    verify(&e, &root, 1);
    unsigned fill = fill_percent(&e, root);
    if (getenv("HDB_TEST_FILL"))
        printf("test_fill: leaves %u%% full\n", fill);
    ck_assert_uint_ge(fill, 77);
    tu_model_free(&m);
    env_fini(&e);
}
END_TEST

/* Inserts only, in random order, of keys of random sizes up to max_key and
 * values up to overflow size; the tree is checked against a model and its
 * counts against its pointers as it grows. */
static void run_inserts(unsigned psize, uint64_t seed)
{
    env e;
    env_init(&e, psize, 1 << 20);
    hdb_ref root = {0, 0};
    tu_model m = {0};
    tu_rng r = {seed};
    static unsigned char k[4096], v[21000];
    size_t maxk = e.t.max_key < 4000 ? e.t.max_key : 4000;
    begin(&e);
    for (int i = 1; i <= 20000; i++) {
        size_t kn = mkkey(&r, k, maxk, 26), vn = mkval(&r, v);
        if (tu_below(&r, 16) == 0) { /* near max_key */
            kn = maxk - tu_below(&r, 8);
            for (size_t j = 12; j < kn; j++)
                k[j] = 'm';
        }
        ck_assert_int_eq(hdb__bt_put(&e.t, &root, k, kn, v, vn, 0), HDB_OK);
        tu_model_put(&m, k, kn, v, vn);
        if (i % 2500 == 0) {
            commit(&e);
            check_model(&e, root, &m);
            verify(&e, &root, 1);
            begin(&e);
        }
    }
    commit(&e);
    tu_model_free(&m);
    env_fini(&e);
}

START_TEST(test_inserts_4k) { run_inserts(4096, 0xabcdef); }
END_TEST
START_TEST(test_inserts_512) { run_inserts(512, 4242); }
END_TEST

/* Key j of group g: one byte for the group, a long common part, then j,
 * so leaves of whole groups have one-byte separators and any boundary
 * inside a group needs a long one. */
static size_t group_key(char *k, int g, int j)
{
    k[0] = (char)('A' + g);
    memset(k + 1, 'p', 60);
    k[61] = (char)('0' + j);
    return 62;
}

/* A leaf whose left sibling has room shares with it, unless the parent is
 * full and the new separator is longer: then the leaf splits and the
 * sibling is left alone.  Pages of 512 bytes: seven keys of group_key fill
 * a leaf, thirty one-byte separators a branch. */
START_TEST(test_share_full_parent)
{
    env e;
    env_init(&e, 512, 1 << 20);
    hdb_ref root = {0, 0};
    tu_model m = {0};
    char k[64];
    begin(&e);
    for (int g = 0; g < 40; g++) /* in order: each leaf holds one group */
        for (int j = 0; j < 14; j += 2) {
            size_t kn = group_key(k, g, j);
            ck_assert_int_eq(hdb__bt_put(&e.t, &root, k, kn, "", 0, 0), HDB_OK);
            tu_model_put(&m, k, kn, "", 0);
        }
    for (int g = 0; g < 40; g += 33) { /* room in groups 0 and 33 */
        for (int j = 0; j < 6; j += 2) {
            size_t kn = group_key(k, g, j);
            ck_assert_int_eq(hdb__bt_del(&e.t, &root, k, kn, 0), HDB_OK);
            tu_model_del(&m, k, kn);
        }
    }
    commit(&e);
    verify(&e, &root, 1);
    uint64_t leaves = 0, used = 0;
    leaf_fill(&e, root, &leaves, &used);
    ck_assert_uint_eq(leaves, 40);
    /* Group 1's parent is full (thirty leaves): the split takes over. */
    hdb_ref g0 = child_at(&e, root, "A", 1);
    begin(&e);
    size_t kn = group_key(k, 1, 7);
    ck_assert_int_eq(hdb__bt_put(&e.t, &root, k, kn, "", 0, 0), HDB_OK);
    tu_model_put(&m, k, kn, "", 0);
    commit(&e);
    ck_assert_uint_eq(child_at(&e, root, "A", 1).pgno, g0.pgno);
    leaves = 0;
    leaf_fill(&e, root, &leaves, &used);
    ck_assert_uint_eq(leaves, 41);
    check_model(&e, root, &m);
    verify(&e, &root, 1);
    /* Group 34's parent has room: the leaf shares with group 33's. */
    char g33[2] = {'A' + 33, 0};
    hdb_ref before = child_at(&e, root, g33, 1);
    begin(&e);
    kn = group_key(k, 34, 7);
    ck_assert_int_eq(hdb__bt_put(&e.t, &root, k, kn, "", 0, 0), HDB_OK);
    tu_model_put(&m, k, kn, "", 0);
    commit(&e);
    ck_assert_uint_ne(child_at(&e, root, g33, 1).pgno, before.pgno);
    leaves = 0;
    leaf_fill(&e, root, &leaves, &used);
    ck_assert_uint_eq(leaves, 41);
    check_model(&e, root, &m);
    verify(&e, &root, 1);
    tu_model_free(&m);
    env_fini(&e);
}
END_TEST

/* Two holders of one tree (as a branch makes): inserts through one share
 * cells with siblings that are still shared with the other, which copies
 * them (with their overflow chains counted twice); both read as before. */
START_TEST(test_share_shared)
{
    env e;
    env_init(&e, 4096, 1 << 20);
    hdb_ref a = {0, 0}, b;
    tu_model ma = {0}, mb;
    tu_rng r = {99};
    static unsigned char v[21000];
    char k[32];
    begin(&e);
    for (uint32_t i = 0; i < 6000; i++) {
        uint32_t x = (i * 2654435761u) % 1000003u;
        int kn = snprintf(k, sizeof k, "row%07u", x);
        size_t vn = mkval(&r, v);
        ck_assert_int_eq(hdb__bt_put(&e.t, &a, k, kn, v, vn, 0), HDB_OK);
        tu_model_put(&ma, k, kn, v, vn);
    }
    commit(&e);
    begin(&e);
    ck_assert_int_eq(hdb__pager_incr(e.p, a.pgno), HDB_OK);
    b = a;
    commit(&e);
    tu_model_copy(&mb, &ma);
    for (int round = 0; round < 4; round++) {
        begin(&e);
        for (uint32_t i = 0; i < 1500; i++) {
            uint32_t x = ((6000 + round * 1500 + i) * 2654435761u) % 1000003u;
            int kn = snprintf(k, sizeof k, "row%07u", x);
            size_t vn = mkval(&r, v);
            hdb_ref *into = round % 2 ? &a : &b;
            ck_assert_int_eq(hdb__bt_put(&e.t, into, k, kn, v, vn, 0), HDB_OK);
            tu_model_put(round % 2 ? &ma : &mb, k, kn, v, vn);
        }
        commit(&e);
        check_clones(&e, a, &ma, b, &mb);
    }
    release_both(&e, a, b, &mb);
    tu_model_free(&ma);
    tu_model_free(&mb);
    env_fini(&e);
}
END_TEST

/* A flipped bit on disk is HDB_CORRUPT, never a crash or a wrong answer. */
START_TEST(test_bitflip)
{
    env e;
    env_init(&e, 4096, 1 << 20);
    hdb_ref root = {0, 0};
    tu_model m = {0};
    tu_rng r = {11};
    begin(&e);
    random_ops(&e, &root, &m, &r, 2000, 30, 20);
    commit(&e);
    checkpoint(&e, root);
    hdb_pgno npages = hdb__pager_next_pgno(e.p);
    env_close(&e);
    FILE *f = fopen(e.path, "r+b");
    ck_assert_ptr_nonnull(f);
    for (hdb_pgno pg = 3; pg < npages; pg += 3) {
        long off = (long)pg * 4096 + 100 + (long)(pg % 3900);
        int c;
        fseek(f, off, SEEK_SET);
        c = fgetc(f);
        fseek(f, off, SEEK_SET);
        fputc(c ^ 0x10, f);
    }
    fclose(f);
    hdb_pager_cfg cfg = {0};
    int created, rc;
    cfg.vfs = hdb_vfs_posix();
    cfg.path = e.path;
    cfg.cache_bytes = 1 << 20;
    rc = hdb__pager_open(&cfg, &e.p, &created);
    if (rc == HDB_OK) {
        ck_assert_int_eq(hdb__bt_init(&e.t, e.p, NULL), HDB_OK);
        hdb_btcur c;
        hdb__btcur_init(&c, &e.t, hdb__pager_meta(e.p)->registry);
        rc = hdb__btcur_first(&c);
        while (rc == HDB_OK)
            rc = hdb__btcur_next(&c);
        hdb__btcur_reset(&c);
        ck_assert_int_eq(rc, HDB_CORRUPT);
        env_close(&e);
    } else {
        ck_assert_int_eq(rc, HDB_CORRUPT);
    }
    tu_model_free(&m);
    tu_rmdir(e.dir);
    free(e.dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("btree");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_basic);
    tcase_add_test(tc, test_short_keys);
    tcase_add_test(tc, test_sequential_and_empty);
    tcase_add_test(tc, test_random_4k);
    tcase_add_test(tc, test_random_small_cache);
    tcase_add_test(tc, test_random_512);
    tcase_add_test(tc, test_random_64k);
    tcase_add_test(tc, test_clone_isolation);
    tcase_add_test(tc, test_graft_at);
    tcase_add_test(tc, test_bitflip);
    tcase_add_test(tc, test_fill);
    tcase_add_test(tc, test_inserts_4k);
    tcase_add_test(tc, test_inserts_512);
    tcase_add_test(tc, test_share_full_parent);
    tcase_add_test(tc, test_share_shared);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(suite()); }
