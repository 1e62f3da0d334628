/*
** check_kvscan.c — the read transaction's lean keyspace walk (src/kvscan.c):
** it visits the same entries in the same order as a public cursor, forward
** and backward, from a seek, the first and the last key; it lends inline
** and overflow values whole; an exact lookup finds a key or reports it
** missing; an empty keyspace has no entries; a write
** transaction cannot open one; and hdb_check() stays clean.
** Kept lookups (hdb__kv_find) answer as hdb_get does across more keyspaces
** than they keep, and a lookup in the leaf of the last one asks the pager
** for no page.  Searches order short keys made of zero, low and high bytes
** (prefixes of one another, shorter than eight bytes) as memcmp does.
** Kept walks (hdb__kv_walk_take) are refused to a write transaction and
** for a missing keyspace; two taken at once are two scans; one given back
** comes back with its path pinned; no more than HDB_KVWALK_MAX are out.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heliosdb.h"
#include "src/engine.h"
#include "support/test_util.h"

#define NKEYS 2000

static hdb_val key_of(int i, char *buf)
{
    int n = snprintf(buf, 16, "k%06d", i);
    return (hdb_val){buf, (size_t)n};
}

/* Entry i's value: short, except every 97th, which goes to overflow pages. */
static size_t val_of(int i, unsigned char *buf)
{
    size_t n = i % 97 == 0 ? 9000 + (size_t)i : 1 + (size_t)i % 40;
    for (size_t j = 0; j < n; j++)
        buf[j] = (unsigned char)(i * 31 + j * 7);
    return n;
}

static hdb *fill(char **dir, uint32_t *ks)
{
    hdb_txn *t;
    static unsigned char v[20000];
    char k[16];
    *dir = tu_tmpdir();
    hdb *db = tu_open_nosync(*dir, "scan.db");
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "empty", HDB_CREATE, ks), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "data", HDB_CREATE, ks), HDB_OK);
    for (int i = 0; i < NKEYS; i += 2) /* even keys only, so seeks fall between */
        ck_assert_int_eq(hdb_put(t, *ks, key_of(i, k), (hdb_val){v, val_of(i, v)}), HDB_OK);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    return db;
}

static void done(hdb *db, char *dir)
{
    char *rep = NULL;
    int rc = hdb_check(db, &rep);
    ck_assert_msg(rc == HDB_OK, "hdb_check: %s", rep ? rep : "?");
    hdb_free(rep);
    ck_assert_int_eq(hdb_close(db), HDB_OK);
    tu_rmdir(dir);
    free(dir);
}

/* The entry at s is entry i (key and value). */
static void expect(hdb_kvscan *s, int i)
{
    static unsigned char want[20000];
    char k[16];
    hdb_val key, val, wk = key_of(i, k);
    ck_assert_int_eq(hdb__kvscan_get(s, &key, &val), HDB_OK);
    ck_assert_uint_eq(key.size, wk.size);
    ck_assert(memcmp(key.data, wk.data, wk.size) == 0);
    size_t n = val_of(i, want);
    ck_assert_uint_eq(val.size, n);
    ck_assert(memcmp(val.data, want, n) == 0);
    ck_assert_int_eq(hdb__kvscan_get(s, &key, NULL), HDB_OK); /* the key alone */
    ck_assert(memcmp(key.data, wk.data, wk.size) == 0);
}

START_TEST(walks)
{
    char *dir, k[16];
    uint32_t ks;
    hdb *db = fill(&dir, &ks);
    hdb_txn *t;
    hdb_kvscan s;
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_int_eq(hdb__kvscan_open(t, ks, &s), HDB_OK);
    /* Forward from the first key, every entry once. */
    int i = 0, rc;
    for (rc = hdb__kvscan_first(&s); rc == HDB_OK; rc = hdb__kvscan_next(&s), i += 2)
        expect(&s, i);
    ck_assert_int_eq(rc, HDB_NOTFOUND);
    ck_assert_int_eq(i, NKEYS);
    /* Backward from the last. */
    i = NKEYS - 2;
    for (rc = hdb__kvscan_last(&s); rc == HDB_OK; rc = hdb__kvscan_prev(&s), i -= 2)
        expect(&s, i);
    ck_assert_int_eq(rc, HDB_NOTFOUND);
    ck_assert_int_eq(i, -2);
    /* A seek lands on the key or the next one. */
    hdb_val sk = key_of(1001, k);
    ck_assert_int_eq(hdb__kvscan_seek(&s, sk.data, sk.size), HDB_OK);
    expect(&s, 1002);
    sk = key_of(1002, k);
    ck_assert_int_eq(hdb__kvscan_seek(&s, sk.data, sk.size), HDB_OK);
    expect(&s, 1002);
    ck_assert_int_eq(hdb__kvscan_next(&s), HDB_OK);
    expect(&s, 1004);
    sk = key_of(NKEYS, k);
    ck_assert_int_eq(hdb__kvscan_seek(&s, sk.data, sk.size), HDB_NOTFOUND);
    hdb_val key, val;
    ck_assert_int_eq(hdb__kvscan_get(&s, &key, NULL), HDB_NOTFOUND);
    /* Exact lookups: a key that is there (inline and overflow values), one
     * between two keys, past the last, before the first, the empty key. */
    for (int j = 0; j < NKEYS; j += 97) {
        sk = key_of(j, k);
        if (j % 2) {
            ck_assert_int_eq(hdb__kvscan_find(&s, sk.data, sk.size, &val), HDB_NOTFOUND);
            continue;
        }
        ck_assert_int_eq(hdb__kvscan_find(&s, sk.data, sk.size, &val), HDB_OK);
        expect(&s, j);
    }
    sk = key_of(NKEYS + 5, k);
    ck_assert_int_eq(hdb__kvscan_find(&s, sk.data, sk.size, &val), HDB_NOTFOUND);
    ck_assert_int_eq(hdb__kvscan_find(&s, "a", 1, &val), HDB_NOTFOUND);
    ck_assert_int_eq(hdb__kvscan_find(&s, "k", 1, &val), HDB_NOTFOUND);
    ck_assert_int_eq(hdb__kvscan_find(&s, "", 0, &val), HDB_NOTFOUND);
    hdb__kvscan_close(&s);
    hdb__kvscan_close(&s); /* twice is harmless */
    /* An empty keyspace. */
    uint32_t eks;
    ck_assert_int_eq(hdb_ks_open(t, "empty", 0, &eks), HDB_OK);
    ck_assert_int_eq(hdb__kvscan_open(t, eks, &s), HDB_OK);
    ck_assert_int_eq(hdb__kvscan_first(&s), HDB_NOTFOUND);
    ck_assert_int_eq(hdb__kvscan_last(&s), HDB_NOTFOUND);
    ck_assert_int_eq(hdb__kvscan_seek(&s, "a", 1), HDB_NOTFOUND);
    hdb__kvscan_close(&s);
    /* A keyspace that does not exist. */
    ck_assert_int_eq(hdb__kvscan_open(t, 999999, &s), HDB_NOTFOUND);
    hdb__kvscan_close(&s);
    hdb_txn_abort(t);
    done(db, dir);
}
END_TEST

START_TEST(write_txn_refused)
{
    char *dir;
    uint32_t ks;
    hdb *db = fill(&dir, &ks);
    hdb_txn *t;
    hdb_kvscan s;
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb__kvscan_open(t, ks, &s), HDB_MISUSE);
    hdb__kvscan_close(&s);
    hdb_txn_abort(t);
    done(db, dir);
}
END_TEST

static uint64_t pager_requests(hdb *db)
{
    hdb_stats st;
    ck_assert_int_eq(hdb_stats_get(db, &st), HDB_OK);
    return st.cache_hits + st.page_reads;
}

START_TEST(kept_lookups)
{
    char *dir, k[16];
    uint32_t ks[HDB_KVFIND_MAX + 2];
    static unsigned char v[20000];
    hdb *db = fill(&dir, &ks[0]);
    hdb_txn *t;
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    for (int j = 1; j < HDB_KVFIND_MAX + 2; j++) { /* more keyspaces than are kept */
        char name[16];
        snprintf(name, sizeof name, "more%d", j);
        ck_assert_int_eq(hdb_ks_open(t, name, HDB_CREATE, &ks[j]), HDB_OK);
        for (int i = j; i < NKEYS; i += j + 1)
            ck_assert_int_eq(hdb_put(t, ks[j], key_of(i, k), (hdb_val){v, val_of(i + j, v)}), HDB_OK);
    }
    hdb_val val;
    ck_assert_int_eq(hdb__kv_find(t, ks[0], "k", 1, &val), HDB_MISUSE);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);

    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    unsigned rng = 12345;
    for (int n = 0; n < 6000; n++) {
        rng = rng * 1103515245u + 12345u;
        int j = (int)(rng >> 8) % (HDB_KVFIND_MAX + 2), i = (int)(rng >> 16) % (NKEYS + 3);
        hdb_val key = key_of(i, k), want;
        int rc = hdb_get(t, ks[j], key, &want), rc2;
        size_t wn = rc == HDB_OK ? want.size : 0;
        static unsigned char wbuf[20000];
        if (rc == HDB_OK)
            memcpy(wbuf, want.data, wn);
        rc2 = hdb__kv_find(t, ks[j], key.data, key.size, &val);
        ck_assert_int_eq(rc2, rc);
        if (rc == HDB_OK) {
            ck_assert_uint_eq(val.size, wn);
            ck_assert(memcmp(val.data, wbuf, wn) == 0);
        }
    }
    /* A keyspace that does not exist: reported, and the kept ones go on. */
    ck_assert_int_eq(hdb__kv_find(t, 999999, "k", 1, &val), HDB_NOTFOUND);
    ck_assert_int_eq(hdb__kv_find(t, ks[0], key_of(2, k).data, 7, &val), HDB_OK);
    ck_assert_uint_eq(val.size, val_of(2, v));
    /* The next key in the same leaf: found from the pinned path alone. */
    uint64_t before = pager_requests(db);
    ck_assert_int_eq(hdb__kv_find(t, ks[0], key_of(4, k).data, 7, &val), HDB_OK);
    ck_assert_uint_eq(val.size, val_of(4, v));
    ck_assert_int_eq(hdb__kv_find(t, ks[0], key_of(3, k).data, 7, &val), HDB_NOTFOUND);
    ck_assert_uint_eq(pager_requests(db), before);
    hdb_txn_abort(t); /* closes the kept scans: their pages are let go */
    done(db, dir);
}
END_TEST

/* The key a walk is on, checked against entry i. */
static void walk_at(hdb_kvscan *w, int i)
{
    char k[16];
    hdb_val key, want = key_of(i, k), val;
    ck_assert_int_eq(hdb__kvscan_get(w, &key, &val), HDB_OK);
    ck_assert_uint_eq(key.size, want.size);
    ck_assert(memcmp(key.data, want.data, want.size) == 0);
}

START_TEST(kept_walks)
{
    char *dir, k[16];
    uint32_t ks;
    hdb *db = fill(&dir, &ks);
    hdb_txn *t;
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_ptr_null(hdb__kv_walk_take(t, ks)); /* a write transaction keeps none */
    hdb_txn_abort(t);

    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_ptr_null(hdb__kv_walk_take(t, 999999)); /* no such keyspace */
    /* Two walks of one keyspace at once (a self-join): two scans. */
    hdb_kvscan *a = hdb__kv_walk_take(t, ks), *b = hdb__kv_walk_take(t, ks);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_ne(a, b);
    ck_assert_int_eq(hdb__kvscan_seek(a, key_of(10, k).data, 7), HDB_OK);
    ck_assert_int_eq(hdb__kvscan_seek(b, key_of(1501, k).data, 7), HDB_OK);
    ck_assert_int_eq(hdb__kvscan_next(b), HDB_OK);
    walk_at(a, 10);
    walk_at(b, 1504);
    /* Given back, a walk is handed out again with its path still pinned: a
     * seek in the same leaf asks the pager for nothing. */
    hdb__kv_walk_give(a);
    ck_assert_ptr_eq(hdb__kv_walk_take(t, ks), a);
    uint64_t before = pager_requests(db);
    ck_assert_int_eq(hdb__kvscan_seek(a, key_of(13, k).data, 7), HDB_OK);
    walk_at(a, 14);
    ck_assert_uint_eq(pager_requests(db), before);
    /* At most HDB_KVWALK_MAX are taken at once; the others are refused. */
    hdb_kvscan *w[HDB_KVWALK_MAX + 1];
    int n = 0;
    while (n <= HDB_KVWALK_MAX && (w[n] = hdb__kv_walk_take(t, ks)) != NULL)
        n++;
    ck_assert_int_eq(n, HDB_KVWALK_MAX - 2);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(hdb__kvscan_last(w[i]), HDB_OK);
        walk_at(w[i], NKEYS - 2);
        hdb__kv_walk_give(w[i]);
    }
    hdb__kv_walk_give(a);
    hdb__kv_walk_give(b);
    hdb_txn_abort(t); /* closes the kept walks: their pages are let go */
    done(db, dir);
}
END_TEST

/* Keys of 1..12 bytes drawn from 0x00, 0x01, 'a' and 0xFF: many are
 * prefixes of others or differ only past a zero, and branch separators are
 * shorter than eight bytes. */
static size_t short_key(tu_rng *r, uint8_t *k)
{
    static const uint8_t alpha[4] = {0x00, 0x01, 'a', 0xff};
    size_t n = 1 + (size_t)tu_below(r, 12);
    for (size_t i = 0; i < n; i++)
        k[i] = alpha[tu_below(r, 4)];
    return n;
}

typedef struct skey {
    uint8_t b[12];
    size_t n;
} skey;

static int skey_cmp(const void *x, const void *y)
{
    const skey *a = x, *b = y;
    size_t n = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->b, b->b, n);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

START_TEST(short_keys)
{
    enum { N = 4000, PROBES = 4000 };
    char *dir = tu_tmpdir();
    hdb *db = tu_open_nosync(dir, "short.db");
    static skey model[N];
    size_t m = 0;
    tu_rng r = {2026};
    hdb_txn *t;
    uint32_t ks;
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "s", HDB_CREATE, &ks), HDB_OK);
    for (int i = 0; i < N; i++) {
        skey k;
        k.n = short_key(&r, k.b);
        ck_assert_int_eq(hdb_put(t, ks, (hdb_val){k.b, k.n}, (hdb_val){k.b, k.n}), HDB_OK);
        model[m++] = k;
    }
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    qsort(model, m, sizeof *model, skey_cmp);
    size_t u = 0; /* unique */
    for (size_t i = 0; i < m; i++)
        if (!u || skey_cmp(&model[i], &model[u - 1]))
            model[u++] = model[i];
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "s", 0, &ks), HDB_OK);
    hdb_cursor *cu;
    ck_assert_int_eq(hdb_cursor_open(t, ks, &cu), HDB_OK);
    for (int i = 0; i < PROBES; i++) {
        skey p;
        p.n = short_key(&r, p.b);
        size_t lo = 0, hi = u; /* the first model key >= p */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (skey_cmp(&model[mid], &p) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        int present = lo < u && !skey_cmp(&model[lo], &p);
        hdb_val v, k;
        ck_assert_int_eq(hdb_get(t, ks, (hdb_val){p.b, p.n}, &v), present ? HDB_OK : HDB_NOTFOUND);
        ck_assert_int_eq(hdb__kv_find(t, ks, p.b, p.n, &v), present ? HDB_OK : HDB_NOTFOUND);
        int rc = hdb_cursor_seek(cu, (hdb_val){p.b, p.n});
        ck_assert_int_eq(rc, lo < u ? HDB_OK : HDB_NOTFOUND);
        if (lo < u) {
            ck_assert_int_eq(hdb_cursor_get(cu, &k, &v), HDB_OK);
            ck_assert_uint_eq(k.size, model[lo].n);
            ck_assert(!memcmp(k.data, model[lo].b, k.size));
        }
    }
    hdb_cursor_close(cu);
    hdb_txn_abort(t);
    done(db, dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kvscan");
    TCase *c = tcase_create("core");
    tcase_set_timeout(c, 60);
    tcase_add_test(c, walks);
    tcase_add_test(c, write_txn_refused);
    tcase_add_test(c, kept_lookups);
    tcase_add_test(c, kept_walks);
    tcase_add_test(c, short_keys);
    suite_add_tcase(s, c);
    return tu_run(s);
}
