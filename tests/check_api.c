/*
** check_api.c — the public key-value and branch API, end to end.
**
** Each test opens a database in a fresh directory, drives it through
** include/heliosdb.h only, and ends with hdb_check() clean.
*/
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "heliosdb.h"
#include "support/test_util.h"
#include <pthread.h>
#include <stdatomic.h>

typedef struct env {
    char *dir;
    char path[512];
    hdb *db;
    hdb_options o;
} env;

static void env_open(env *e)
{
    ck_assert_int_eq(hdb_open(e->path, &e->o, &e->db), HDB_OK);
}

static void env_init(env *e)
{
    memset(e, 0, sizeof *e);
    e->dir = tu_tmpdir();
    tu_path(e->path, sizeof e->path, e->dir, "api.db");
    hdb_options_init(&e->o);
    e->o.sync = HDB_SYNC_OFF;
    env_open(e);
}

static void check_clean(hdb *db)
{
    char *rep = NULL;
    int rc = hdb_check(db, &rep);
    if (rc != HDB_OK)
        ck_abort_msg("hdb_check: %s", rep ? rep : hdb_errmsg(db));
    hdb_free(rep);
}

static void env_fini(env *e)
{
    if (e->db) {
        check_clean(e->db);
        ck_assert_int_eq(hdb_close(e->db), HDB_OK);
    }
    tu_rmdir(e->dir);
    free(e->dir);
}

static hdb_val sv(const char *s) { return (hdb_val){s, strlen(s)}; }

static void put(hdb *db, const char *ks, const char *k, const char *v)
{
    hdb_txn *t;
    uint32_t id;
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, ks, HDB_CREATE, &id), HDB_OK);
    ck_assert_int_eq(hdb_put(t, id, sv(k), sv(v)), HDB_OK);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
}

/* The value of k, or NULL; in a static buffer. */
static const char *get(hdb *db, const char *ks, const char *k)
{
    static char out[256];
    hdb_txn *t;
    uint32_t id;
    hdb_val v;
    const char *res = NULL;
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    if (hdb_ks_open(t, ks, 0, &id) == HDB_OK && hdb_get(t, id, sv(k), &v) == HDB_OK) {
        snprintf(out, sizeof out, "%.*s", (int)v.size, (const char *)v.data);
        res = out;
    }
    hdb_txn_abort(t);
    return res;
}

START_TEST(test_put_get_reopen)
{
    env e;
    env_init(&e);
    ck_assert_str_eq(hdb_branch_current(e.db), "main");
    put(e.db, "kv", "a", "1");
    put(e.db, "kv", "b", "2");
    put(e.db, "kv", "a", "3");
    ck_assert_str_eq(get(e.db, "kv", "a"), "3");
    ck_assert_ptr_null(get(e.db, "kv", "zz"));
    ck_assert_int_eq(hdb_close(e.db), HDB_OK);
    env_open(&e);
    ck_assert_str_eq(get(e.db, "kv", "a"), "3");
    ck_assert_str_eq(get(e.db, "kv", "b"), "2");
    env_fini(&e);
}
END_TEST

/* Recovery from the log alone: no checkpoint after the writes. */
START_TEST(test_recovery_without_checkpoint)
{
    env e;
    env_init(&e);
    e.o.checkpoint_bytes = 1ull << 40;
    ck_assert_int_eq(hdb_close(e.db), HDB_OK);
    env_open(&e);
    for (int i = 0; i < 300; i++) {
        char k[16], v[16];
        snprintf(k, sizeof k, "k%04d", i);
        snprintf(v, sizeof v, "v%d", i);
        put(e.db, "kv", k, v);
    }
    ck_assert_int_eq(hdb_branch_create(e.db, "dev", "main", NULL), HDB_OK);
    ck_assert_int_eq(hdb_branch_use(e.db, "dev"), HDB_OK);
    put(e.db, "kv", "k0001", "dev");
    uint64_t lsn = hdb_lsn(e.db);
    /* Simulate a crash: copy the file and the log as they are now. */
    char cmd[4096], copy[600];
    snprintf(copy, sizeof copy, "%s/copy.db", e.dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && cp -r '%s-wal' '%s-wal'", e.path, copy, e.path, copy);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(hdb_close(e.db), HDB_OK);
    hdb *c;
    ck_assert_int_eq(hdb_open(copy, &e.o, &c), HDB_OK);
    ck_assert_uint_eq(hdb_lsn(c), lsn);
    ck_assert_str_eq(get(c, "kv", "k0001"), "v1");
    ck_assert_str_eq(get(c, "kv", "k0299"), "v299");
    ck_assert_int_eq(hdb_branch_use(c, "dev"), HDB_OK);
    ck_assert_str_eq(get(c, "kv", "k0001"), "dev");
    check_clean(c);
    ck_assert_int_eq(hdb_close(c), HDB_OK);
    e.db = NULL;
    env_fini(&e);
}
END_TEST

START_TEST(test_abort_leaves_no_trace)
{
    env e;
    env_init(&e);
    put(e.db, "kv", "a", "1");
    hdb_txn *t;
    uint32_t id;
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", 0, &id), HDB_OK);
    ck_assert_int_eq(hdb_put(t, id, sv("a"), sv("2")), HDB_OK);
    ck_assert_int_eq(hdb_put(t, id, sv("b"), sv("2")), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "other", HDB_CREATE, &id), HDB_OK);
    hdb_txn_abort(t);
    ck_assert_str_eq(get(e.db, "kv", "a"), "1");
    ck_assert_ptr_null(get(e.db, "kv", "b"));
    ck_assert_ptr_null(get(e.db, "other", "x"));
    env_fini(&e);
}
END_TEST

START_TEST(test_errors)
{
    env e;
    env_init(&e);
    hdb_txn *t, *t2;
    uint32_t id;
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t2), HDB_MISUSE);
    ck_assert_int_eq(hdb_ks_open(t, "", HDB_CREATE, &id), HDB_MISUSE);
    ck_assert_int_eq(hdb_ks_open(t, "nope", 0, &id), HDB_NOTFOUND);
    ck_assert_int_eq(hdb_ks_open(t, "kv", HDB_CREATE, &id), HDB_OK);
    ck_assert_int_eq(hdb_put(t, id, sv(""), sv("x")), HDB_RANGE);
    size_t big = hdb_max_key(e.db) + 1;
    char *k = calloc(1, big);
    memset(k, 'k', big);
    ck_assert_int_eq(hdb_put(t, id, (hdb_val){k, big}, sv("x")), HDB_RANGE);
    ck_assert_int_eq(hdb_put(t, id, (hdb_val){k, big - 1}, sv("x")), HDB_OK);
    free(k);
    ck_assert_int_eq(hdb_del(t, id, sv("missing")), HDB_NOTFOUND);
    ck_assert_int_eq(hdb_put(t, 9999, sv("a"), sv("x")), HDB_NOTFOUND);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    ck_assert_int_eq(hdb_branch_create(e.db, "bad name", NULL, NULL), HDB_MISUSE);
    ck_assert_int_eq(hdb_branch_create(e.db, "x", "nosuch", NULL), HDB_NOTFOUND);
    ck_assert_int_eq(hdb_branch_drop(e.db, "main"), HDB_MISUSE);
    ck_assert_int_eq(hdb_branch_use(e.db, "nosuch"), HDB_NOTFOUND);
    ck_assert_str_eq(hdb_errstr(HDB_CORRUPT), "HDB_CORRUPT: database disk image is damaged");
    env_fini(&e);
}
END_TEST

START_TEST(test_branch_isolation)
{
    env e;
    env_init(&e);
    put(e.db, "kv", "a", "main1");
    ck_assert_int_eq(hdb_branch_create(e.db, "dev", NULL, NULL), HDB_OK);
    ck_assert_int_eq(hdb_branch_create(e.db, "dev", NULL, NULL), HDB_EXISTS);
    ck_assert_int_eq(hdb_branch_use(e.db, "dev"), HDB_OK);
    put(e.db, "kv", "a", "dev1");
    put(e.db, "kv", "b", "dev2");
    put(e.db, "devonly", "x", "y");
    ck_assert_str_eq(get(e.db, "kv", "a"), "dev1");
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    ck_assert_str_eq(get(e.db, "kv", "a"), "main1");
    ck_assert_ptr_null(get(e.db, "kv", "b"));
    ck_assert_ptr_null(get(e.db, "devonly", "x"));
    put(e.db, "kv", "c", "main3");
    ck_assert_int_eq(hdb_branch_use(e.db, "dev"), HDB_OK);
    ck_assert_ptr_null(get(e.db, "kv", "c"));
    check_clean(e.db);
    hdb_branch_info *b;
    size_t n;
    ck_assert_int_eq(hdb_branch_list(e.db, &b, &n), HDB_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(b[0].name, "dev");
    ck_assert_str_eq(b[0].parent, "main");
    ck_assert_str_eq(b[1].name, "main");
    ck_assert_uint_gt(b[0].owned_bytes, 0);
    hdb_branch_list_free(b, n);
    ck_assert_int_eq(hdb_branch_drop(e.db, "dev"), HDB_MISUSE); /* current */
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    ck_assert_int_eq(hdb_branch_drop(e.db, "dev"), HDB_OK);
    ck_assert_int_eq(hdb_branch_use(e.db, "dev"), HDB_NOTFOUND);
    ck_assert_str_eq(get(e.db, "kv", "c"), "main3");
    env_fini(&e);
}
END_TEST

START_TEST(test_read_only_branch)
{
    env e;
    env_init(&e);
    put(e.db, "kv", "a", "1");
    hdb_branch_opts o = {0};
    o.read_only = 1;
    o.description = "audit";
    ck_assert_int_eq(hdb_branch_create(e.db, "audit", "main", &o), HDB_OK);
    ck_assert_int_eq(hdb_branch_use(e.db, "audit"), HDB_OK);
    hdb_txn *t;
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_READONLY);
    ck_assert_str_eq(get(e.db, "kv", "a"), "1");
    ck_assert_int_eq(hdb_branch_set_read_only(e.db, "audit", 0), HDB_OK);
    put(e.db, "kv", "a", "2");
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    ck_assert_str_eq(get(e.db, "kv", "a"), "1");
    env_fini(&e);
}
END_TEST

START_TEST(test_cursor_across_writes)
{
    env e;
    env_init(&e);
    hdb_txn *t;
    uint32_t id;
    hdb_cursor *c;
    hdb_val k, v;
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", HDB_CREATE, &id), HDB_OK);
    for (int i = 0; i < 100; i += 2) {
        char kb[16];
        snprintf(kb, sizeof kb, "%03d", i);
        ck_assert_int_eq(hdb_put(t, id, sv(kb), sv("v")), HDB_OK);
    }
    ck_assert_int_eq(hdb_cursor_open(t, id, &c), HDB_OK);
    ck_assert_int_eq(hdb_cursor_seek(c, sv("010")), HDB_OK);
    ck_assert_int_eq(hdb_cursor_get(c, &k, &v), HDB_OK);
    ck_assert_int_eq(memcmp(k.data, "010", 3), 0);
    ck_assert_int_eq(hdb_put(t, id, sv("011"), sv("new")), HDB_OK);
    ck_assert_int_eq(hdb_cursor_next(c), HDB_OK);
    ck_assert_int_eq(hdb_cursor_get(c, &k, &v), HDB_OK);
    ck_assert_int_eq(memcmp(k.data, "011", 3), 0);
    ck_assert_int_eq(hdb_del(t, id, sv("011")), HDB_OK);
    ck_assert_int_eq(hdb_cursor_get(c, &k, &v), HDB_OK);
    ck_assert_int_eq(memcmp(k.data, "012", 3), 0);
    ck_assert_int_eq(hdb_cursor_prev(c), HDB_OK);
    ck_assert_int_eq(hdb_cursor_get(c, &k, &v), HDB_OK);
    ck_assert_int_eq(memcmp(k.data, "010", 3), 0);
    ck_assert_int_eq(hdb_cursor_last(c), HDB_OK);
    ck_assert_int_eq(hdb_cursor_get(c, &k, &v), HDB_OK);
    ck_assert_int_eq(memcmp(k.data, "098", 3), 0);
    ck_assert_int_eq(hdb_cursor_next(c), HDB_NOTFOUND);
    hdb_cursor_close(c);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    env_fini(&e);
}
END_TEST

START_TEST(test_savepoints_and_keyspaces)
{
    env e;
    env_init(&e);
    hdb_txn *t;
    uint32_t a, b;
    int sp;
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "a", HDB_CREATE, &a), HDB_OK);
    ck_assert_int_eq(hdb_put(t, a, sv("k1"), sv("1")), HDB_OK);
    ck_assert_int_eq(hdb_txn_savepoint(t, &sp), HDB_OK);
    ck_assert_int_eq(hdb_put(t, a, sv("k2"), sv("2")), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "b", HDB_CREATE, &b), HDB_OK);
    ck_assert_int_eq(hdb_txn_rollback_to(t, sp), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "b", 0, &b), HDB_NOTFOUND);
    ck_assert_int_eq(hdb_put(t, a, sv("k3"), sv("3")), HDB_OK);
    ck_assert_int_eq(hdb_txn_release(t, sp), HDB_OK);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    ck_assert_str_eq(get(e.db, "a", "k1"), "1");
    ck_assert_ptr_null(get(e.db, "a", "k2"));
    ck_assert_str_eq(get(e.db, "a", "k3"), "3");
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_rename(t, "a", "renamed"), HDB_OK);
    char **names;
    size_t n;
    ck_assert_int_eq(hdb_ks_list(t, &names, &n), HDB_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(names[0], "renamed");
    hdb_free(names);
    uint64_t id1, id2;
    ck_assert_int_eq(hdb_next_id(t, &id1), HDB_OK);
    ck_assert_int_eq(hdb_next_id(t, &id2), HDB_OK);
    ck_assert_uint_eq(id2, id1 + 1);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    ck_assert_str_eq(get(e.db, "renamed", "k1"), "1");
    ck_assert_int_eq(hdb_close(e.db), HDB_OK);
    env_open(&e);
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_next_id(t, &id1), HDB_OK);
    ck_assert_uint_gt(id1, id2);
    ck_assert_int_eq(hdb_ks_drop(t, "renamed"), HDB_OK);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    ck_assert_ptr_null(get(e.db, "renamed", "k1"));
    env_fini(&e);
}
END_TEST

/* Random operations against a model: puts, deletes, gets and cursor walks
 * in transactions that commit or abort, on up to four branches that are
 * created (from a random live branch), switched to and dropped, with
 * close/reopen and an integrity check now and then. */
enum { MAXB = 4 };

static void model_walk(hdb_txn *t, uint32_t id, const tu_model *m, int backwards)
{
    hdb_cursor *c;
    hdb_val k, v;
    size_t n = 0;
    ck_assert_int_eq(hdb_cursor_open(t, id, &c), HDB_OK);
    for (int rc = backwards ? hdb_cursor_last(c) : hdb_cursor_first(c); rc == HDB_OK;
         rc = backwards ? hdb_cursor_prev(c) : hdb_cursor_next(c), n++) {
        size_t i = backwards ? m->n - 1 - n : n;
        ck_assert_uint_lt(n, m->n);
        ck_assert_int_eq(hdb_cursor_get(c, &k, &v), HDB_OK);
        ck_assert_int_eq(tu_keycmp(k.data, k.size, m->e[i].k, m->e[i].kn), 0);
        ck_assert_uint_eq(v.size, m->e[i].vn);
        ck_assert(v.size == 0 || memcmp(v.data, m->e[i].v, v.size) == 0);
    }
    ck_assert_uint_eq(n, m->n);
    hdb_cursor_close(c);
}

static void model_get(hdb_txn *t, uint32_t id, const tu_model *m, const char *k, size_t kn)
{
    hdb_val v;
    int found;
    size_t i = tu_model_find(m, k, kn, &found);
    int rc = hdb_get(t, id, (hdb_val){k, kn}, &v);
    ck_assert_int_eq(rc, found ? HDB_OK : HDB_NOTFOUND);
    if (found) {
        ck_assert_uint_eq(v.size, m->e[i].vn);
        ck_assert(v.size == 0 || memcmp(v.data, m->e[i].v, v.size) == 0);
    }
}

/* One write transaction of n operations on branch b; returns operations done. */
static int model_txn(env *e, tu_model *m, tu_rng *r, int n)
{
    hdb_txn *t;
    uint32_t id;
    tu_model scratch = {0};
    tu_model_copy(&scratch, m);
    ck_assert_int_eq(hdb_txn_begin(e->db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", HDB_CREATE, &id), HDB_OK);
    for (int j = 0; j < n; j++) {
        char k[32], v[300];
        size_t kn = (size_t)snprintf(k, sizeof k, "key%05u", (unsigned)tu_below(r, 3000));
        size_t vn = tu_below(r, sizeof v);
        memset(v, 'a' + j % 26, vn);
        uint64_t op = tu_below(r, 10);
        if (op < 3) {
            int rc = hdb_del(t, id, (hdb_val){k, kn});
            ck_assert_int_eq(rc, tu_model_del(&scratch, k, kn) ? HDB_OK : HDB_NOTFOUND);
        } else if (op < 5) {
            model_get(t, id, &scratch, k, kn);
        } else if (op == 5 && tu_below(r, 20) == 0) {
            model_walk(t, id, &scratch, (int)tu_below(r, 2));
        } else {
            ck_assert_int_eq(hdb_put(t, id, (hdb_val){k, kn}, (hdb_val){v, vn}), HDB_OK);
            tu_model_put(&scratch, k, kn, v, vn);
        }
    }
    if (tu_below(r, 5) == 0) {
        hdb_txn_abort(t);
    } else {
        ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
        tu_model_free(m);
        tu_model_copy(m, &scratch);
    }
    tu_model_free(&scratch);
    return n;
}

static void model_check_branch(env *e, const char *name, const tu_model *m)
{
    hdb_txn *t;
    uint32_t id;
    ck_assert_int_eq(hdb_branch_use(e->db, name), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(e->db, HDB_TXN_READ, &t), HDB_OK);
    if (hdb_ks_open(t, "kv", 0, &id) == HDB_OK)
        model_walk(t, id, m, 0);
    else
        ck_assert_uint_eq(m->n, 0);
    hdb_txn_abort(t);
}

/* A savepoint's writes larger than the cache: a page born after the
 * savepoint and evicted stays writable when read back (pager.c, SPILLED
 * PAGES), so the transaction leaves no pile of copies behind; a nested
 * savepoint rolled back while its pages were out of the cache loses only
 * its own writes. */
static void kv_key(char *k, unsigned i) { snprintf(k, 16, "k%08u", i); }
static void kv_val(char *v, unsigned i, unsigned gen) { snprintf(v, 64, "%0*u-%u", 48, i * 7919u, gen); }

START_TEST(test_savepoint_larger_than_cache)
{
    env e;
    memset(&e, 0, sizeof e);
    e.dir = tu_tmpdir();
    tu_path(e.path, sizeof e.path, e.dir, "api.db");
    hdb_options_init(&e.o);
    e.o.sync = HDB_SYNC_OFF;
    e.o.cache_bytes = 64 << 10;
    env_open(&e);
    enum { N = 20000 };
    hdb_txn *t;
    uint32_t ks;
    int sp, sp2;
    char k[16], v[64];
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", HDB_CREATE, &ks), HDB_OK);
    ck_assert_int_eq(hdb_txn_savepoint(t, &sp), HDB_OK);
    for (unsigned i = 0; i < N; i++) { /* scattered: every leaf leaves the cache and comes back */
        unsigned x = (i * 7919u) % N;
        kv_key(k, x), kv_val(v, x, 1);
        ck_assert_int_eq(hdb_put(t, ks, sv(k), sv(v)), HDB_OK);
    }
    ck_assert_int_eq(hdb_txn_release(t, sp), HDB_OK);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    hdb_stats st;
    ck_assert_int_eq(hdb_stats_get(e.db, &st), HDB_OK);
    ck_assert_uint_gt(st.live_pages, 200);
    ck_assert_msg(st.free_pages < st.live_pages / 10, "%llu free pages for %llu live",
                  (unsigned long long)st.free_pages, (unsigned long long)st.live_pages);
    /* Nested: the inner savepoint's writes are rolled back, the outer's kept. */
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", 0, &ks), HDB_OK);
    ck_assert_int_eq(hdb_txn_savepoint(t, &sp), HDB_OK);
    for (unsigned i = 0; i < N; i += 3) {
        kv_key(k, i), kv_val(v, i, 2);
        ck_assert_int_eq(hdb_put(t, ks, sv(k), sv(v)), HDB_OK);
    }
    ck_assert_int_eq(hdb_txn_savepoint(t, &sp2), HDB_OK);
    for (unsigned i = 1; i < N; i += 3) {
        kv_key(k, i), kv_val(v, i, 3);
        ck_assert_int_eq(hdb_put(t, ks, sv(k), sv(v)), HDB_OK);
    }
    ck_assert_int_eq(hdb_txn_rollback_to(t, sp2), HDB_OK);
    for (unsigned i = 2; i < N; i += 3) {
        kv_key(k, i), kv_val(v, i, 4);
        ck_assert_int_eq(hdb_put(t, ks, sv(k), sv(v)), HDB_OK);
    }
    ck_assert_int_eq(hdb_txn_release(t, sp2), HDB_OK);
    ck_assert_int_eq(hdb_txn_release(t, sp), HDB_OK);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    ck_assert_int_eq(hdb_close(e.db), HDB_OK);
    env_open(&e);
    for (unsigned i = 0; i < N; i++) {
        const unsigned gen[3] = {2, 1, 4};
        kv_key(k, i), kv_val(v, i, gen[i % 3]);
        const char *got = get(e.db, "kv", k);
        ck_assert_ptr_nonnull(got);
        ck_assert_str_eq(got, v);
    }
    env_fini(&e);
}
END_TEST

/* A log is replayed only into its own database file: a file made anew
 * beside an old log, or the log of another database put beside a file, is
 * reported (HDB_CORRUPT, with the reason from hdb_open_errmsg()), not
 * replayed into it. */
START_TEST(test_log_of_another_file)
{
    env e;
    env_init(&e);
    put(e.db, "kv", "k", "v1");
    ck_assert_int_eq(hdb_close(e.db), HDB_OK);
    e.db = NULL;
    char wal[700], other[600], other_wal[700];
    snprintf(wal, sizeof wal, "%s-wal", e.path);
    tu_path(other, sizeof other, e.dir, "other.db");
    snprintf(other_wal, sizeof other_wal, "%s-wal", other);
    /* The file removed, its log left: a new file does not take the log. */
    ck_assert_int_eq(unlink(e.path), 0);
    hdb *db = NULL;
    ck_assert_int_eq(hdb_open(e.path, &e.o, &db), HDB_CORRUPT);
    ck_assert_ptr_null(db);
    ck_assert_ptr_nonnull(strstr(hdb_open_errmsg(), "another database file"));
    /* Without the old log the new file opens (empty). */
    tu_rmdir(wal);
    env_open(&e);
    ck_assert_str_eq(hdb_open_errmsg(), "");
    ck_assert_ptr_null(get(e.db, "kv", "k"));
    put(e.db, "kv", "k", "v2");
    ck_assert_int_eq(hdb_close(e.db), HDB_OK);
    e.db = NULL;
    /* Another database's log beside this file. */
    ck_assert_int_eq(hdb_open(other, &e.o, &db), HDB_OK);
    ck_assert_int_eq(hdb_close(db), HDB_OK);
    tu_rmdir(wal);
    ck_assert_int_eq(rename(other_wal, wal), 0);
    ck_assert_int_eq(hdb_open(e.path, &e.o, &db), HDB_CORRUPT);
    ck_assert_ptr_nonnull(strstr(hdb_open_errmsg(), "-wal"));
    /* Without that log the file opens with its own data (checkpointed when
     * it was closed). */
    tu_rmdir(wal);
    env_open(&e);
    ck_assert_str_eq(get(e.db, "kv", "k"), "v2");
    env_fini(&e);
}
END_TEST

START_TEST(test_random_model)
{
    env e;
    env_init(&e);
    e.o.cache_bytes = 256 << 10;
    ck_assert_int_eq(hdb_close(e.db), HDB_OK);
    env_open(&e);
    tu_model model[MAXB] = {{0}};
    char names[MAXB][16] = {"main"};
    int live[MAXB] = {1}, made = 0;
    tu_rng r = {12345};
    /* HDB_TEST_OPS lowers the count for slow runs (valgrind). */
    int ops = getenv("HDB_TEST_OPS") ? atoi(getenv("HDB_TEST_OPS")) : 100000;
    for (int i = 0; i < ops;) {
        int b = (int)tu_below(&r, MAXB);
        uint64_t what = tu_below(&r, 100);
        if (!live[b] && what < 5) { /* create it from a random live branch */
            int from;
            do
                from = (int)tu_below(&r, MAXB);
            while (!live[from]);
            snprintf(names[b], sizeof names[b], "br%d", ++made);
            ck_assert_int_eq(hdb_branch_create(e.db, names[b], names[from], NULL), HDB_OK);
            tu_model_copy(&model[b], &model[from]);
            live[b] = 1;
            i++;
            continue;
        }
        if (!live[b])
            continue;
        if (b != 0 && what < 2) { /* drop it */
            ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
            ck_assert_int_eq(hdb_branch_drop(e.db, names[b]), HDB_OK);
            ck_assert_int_eq(hdb_branch_use(e.db, names[b]), HDB_NOTFOUND);
            tu_model_free(&model[b]);
            live[b] = 0;
            i++;
            continue;
        }
        ck_assert_int_eq(hdb_branch_use(e.db, names[b]), HDB_OK);
        i += model_txn(&e, &model[b], &r, 1 + (int)tu_below(&r, 50));
        if (tu_below(&r, 60) == 0) {
            ck_assert_int_eq(hdb_close(e.db), HDB_OK);
            env_open(&e);
            check_clean(e.db);
            for (int x = 0; x < MAXB; x++)
                if (live[x])
                    model_check_branch(&e, names[x], &model[x]);
        }
    }
    for (int b = 0; b < MAXB; b++) {
        if (live[b])
            model_check_branch(&e, names[b], &model[b]);
        tu_model_free(&model[b]);
    }
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    env_fini(&e);
}
END_TEST


/* One writer moves value between two keys of each branch; readers on other
 * connections and threads must always see the total unchanged, and never
 * wait for the writer. */
typedef struct conc {
    const char *path;
    hdb_options o;
    atomic_int stop, bad, reads;
} conc;

static void *conc_reader(void *arg)
{
    conc *c = arg;
    hdb *db;
    if (hdb_open(c->path, &c->o, &db) != HDB_OK) {
        c->bad = 1;
        return NULL;
    }
    while (!c->stop) {
        hdb_txn *t;
        uint32_t ks;
        hdb_val a, b;
        if (hdb_txn_begin(db, HDB_TXN_READ, &t) != HDB_OK || hdb_ks_open(t, "acct", 0, &ks) != HDB_OK ||
            hdb_get(t, ks, sv("a"), &a) != HDB_OK) {
            fprintf(stderr, "reader: %s\n", hdb_errmsg(db));
            c->bad = 1;
            break;
        }
        char buf[32];
        snprintf(buf, sizeof buf, "%.*s", (int)a.size, (const char *)a.data);
        long x = strtol(buf, NULL, 10);
        if (hdb_get(t, ks, sv("b"), &b) != HDB_OK) {
            c->bad = 1;
            break;
        }
        snprintf(buf, sizeof buf, "%.*s", (int)b.size, (const char *)b.data);
        long y = strtol(buf, NULL, 10);
        if (x + y != 1000) {
            fprintf(stderr, "reader: %ld + %ld\n", x, y);
            c->bad = 1;
        }
        hdb_txn_abort(t);
        c->reads++;
    }
    hdb_close(db);
    return NULL;
}

START_TEST(test_concurrent_readers)
{
    /* Under valgrind (which runs one thread at a time, unfairly) spinning
     * readers can starve the writer for hours; ThreadSanitizer runs this. */
    if (getenv("HDB_TEST_NO_THREADS"))
        return;
    env e;
    env_init(&e);
    put(e.db, "acct", "a", "1000");
    put(e.db, "acct", "b", "0");
    conc c;
    c.path = e.path;
    c.o = e.o;
    atomic_init(&c.stop, 0);
    atomic_init(&c.bad, 0);
    atomic_init(&c.reads, 0);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, conc_reader, &c);
    for (int i = 0; i < 3000; i++) {
        hdb_txn *t;
        uint32_t ks;
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", 1000 - i % 1000);
        snprintf(b, sizeof b, "%d", i % 1000);
        ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
        ck_assert_int_eq(hdb_ks_open(t, "acct", 0, &ks), HDB_OK);
        ck_assert_int_eq(hdb_put(t, ks, sv("a"), sv(a)), HDB_OK);
        for (int j = 0; j < 20; j++) { /* churn: pages freed while readers read */
            char k[16];
            snprintf(k, sizeof k, "pad%04d", (i * 20 + j) % 2000);
            ck_assert_int_eq(hdb_put(t, ks, sv(k), sv("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")), HDB_OK);
        }
        ck_assert_int_eq(hdb_put(t, ks, sv("b"), sv(b)), HDB_OK);
        ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
        if (i % 500 == 0)
            ck_assert_int_eq(hdb_checkpoint(e.db), HDB_OK);
    }
    c.stop = 1;
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    ck_assert_int_eq(c.bad, 0);
    ck_assert_int_gt(c.reads, 0);
    env_fini(&e);
}
END_TEST

/* A connection's read transactions reuse the branch and keyspace roots
 * they looked up while the snapshot is the same (txn.c, ROOT CACHE): a
 * commit by another connection, a keyspace dropped and made again, another
 * branch at the same LSN and more keyspaces than the cache holds must all
 * still read what is committed. */
START_TEST(test_read_roots_follow_commits)
{
    env e;
    hdb *db2;
    char ks[16], want[16];
    env_init(&e);
    ck_assert_int_eq(hdb_open(e.path, &e.o, &db2), HDB_OK);
    put(e.db, "kv", "a", "1");
    ck_assert_str_eq(get(e.db, "kv", "a"), "1");
    ck_assert_str_eq(get(e.db, "kv", "a"), "1");
    put(db2, "kv", "a", "2");
    ck_assert_str_eq(get(e.db, "kv", "a"), "2");
    hdb_txn *t;
    ck_assert_int_eq(hdb_txn_begin(db2, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_drop(t, "kv"), HDB_OK);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    ck_assert_ptr_null(get(e.db, "kv", "a"));
    put(db2, "kv", "a", "3");
    ck_assert_str_eq(get(e.db, "kv", "a"), "3");
    /* a branch made by the other connection: the same LSN on both */
    ck_assert_int_eq(hdb_branch_create(db2, "dev", "main", NULL), HDB_OK);
    ck_assert_int_eq(hdb_branch_use(db2, "dev"), HDB_OK);
    put(db2, "kv", "a", "dev");
    ck_assert_str_eq(get(e.db, "kv", "a"), "3");
    ck_assert_int_eq(hdb_branch_use(e.db, "dev"), HDB_OK);
    ck_assert_str_eq(get(e.db, "kv", "a"), "dev");
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    ck_assert_str_eq(get(e.db, "kv", "a"), "3");
    /* more keyspaces than the cache keeps, read round and round */
    ck_assert_int_eq(hdb_branch_use(db2, "main"), HDB_OK);
    for (int i = 0; i < 40; i++) {
        snprintf(ks, sizeof ks, "k%d", i);
        snprintf(want, sizeof want, "v%d", i);
        put(db2, ks, "a", want);
    }
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 40; i++) {
            snprintf(ks, sizeof ks, "k%d", i);
            snprintf(want, sizeof want, "v%d", i);
            ck_assert_str_eq(get(e.db, ks, "a"), want);
        }
    put(db2, "k7", "a", "new");
    ck_assert_str_eq(get(e.db, "k7", "a"), "new");
    ck_assert_int_eq(hdb_close(db2), HDB_OK);
    env_fini(&e);
}
END_TEST

/* Entries of directory d (not . and ..). */
static int entries(const char *d)
{
    DIR *dp = opendir(d);
    struct dirent *de;
    int n = 0;
    ck_assert_ptr_nonnull(dp);
    while ((de = readdir(dp)) != NULL)
        n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(dp);
    return n;
}

/* ":memory:" (as in SQLite): each open is a database of its own, kept in a
 * private directory of $TMPDIR that its close removes; no file named
 * ":memory:" appears. */
START_TEST(test_memory_database)
{
    char *tmp = tu_tmpdir(), *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    ck_assert_int_eq(setenv("TMPDIR", tmp, 1), 0);
    hdb *a, *b;
    ck_assert_int_eq(hdb_open(":memory:", NULL, &a), HDB_OK);
    ck_assert_int_eq(hdb_open(":memory:", NULL, &b), HDB_OK);
    ck_assert_int_eq(entries(tmp), 2);
    put(a, "kv", "k", "1");
    ck_assert_str_eq(get(a, "kv", "k"), "1");
    ck_assert_ptr_null(get(b, "kv", "k"));
    ck_assert_int_eq(hdb_branch_create(a, "dev", "main", 0), HDB_OK); /* files of every kind */
    put(a, "kv", "k", "2");
    check_clean(a);
    ck_assert_int_eq(hdb_close(a), HDB_OK);
    ck_assert_int_eq(entries(tmp), 1);
    ck_assert_int_eq(hdb_close(b), HDB_OK);
    ck_assert_int_eq(entries(tmp), 0);
    ck_assert_int_ne(access(":memory:", F_OK), 0);
    if (old)
        setenv("TMPDIR", old, 1);
    else
        unsetenv("TMPDIR");
    free(old);
    tu_rmdir(tmp);
    free(tmp);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("api");
    TCase *c = tcase_create("core");
    tcase_set_timeout(c, 300);
    tcase_add_test(c, test_put_get_reopen);
    tcase_add_test(c, test_recovery_without_checkpoint);
    tcase_add_test(c, test_abort_leaves_no_trace);
    tcase_add_test(c, test_errors);
    tcase_add_test(c, test_branch_isolation);
    tcase_add_test(c, test_read_only_branch);
    tcase_add_test(c, test_cursor_across_writes);
    tcase_add_test(c, test_savepoints_and_keyspaces);
    tcase_add_test(c, test_savepoint_larger_than_cache);
    tcase_add_test(c, test_log_of_another_file);
    tcase_add_test(c, test_random_model);
    tcase_add_test(c, test_concurrent_readers);
    tcase_add_test(c, test_read_roots_follow_commits);
    tcase_add_test(c, test_memory_database);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
