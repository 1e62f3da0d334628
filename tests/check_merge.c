/*
** check_merge.c — structural diff and three-way merge of branches.
**
** Scenario tests pin down the rules (one-sided changes, same changes,
** conflicts, policies, the resolve hook, dry runs, fast-forward, keyspaces
** created and dropped); a model test merges random workloads on three
** branches in random directions and compares every branch with a model
** merge; a scale test counts the pages a diff and a merge read; the graft
** tests replay merges that adopted subtrees (one log record each) after a
** crash and for a branch made as of the past, and compare with a model.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "heliosdb.h"
#include "support/test_util.h"

typedef struct env {
    char *dir;
    char path[512];
    hdb *db;
    hdb_options o;
} env;

static void env_init(env *e)
{
    memset(e, 0, sizeof *e);
    e->dir = tu_tmpdir();
    tu_path(e->path, sizeof e->path, e->dir, "m.db");
    hdb_options_init(&e->o);
    e->o.sync = HDB_SYNC_OFF;
    ck_assert_int_eq(hdb_open(e->path, &e->o, &e->db), HDB_OK);
}

static void check_clean(hdb *db)
{
    char *rep = NULL;
    int rc = hdb_check(db, &rep);
    if (rc != HDB_OK)
        ck_abort_msg("hdb_check: %s", rep ? rep : hdb_errmsg(db));
    hdb_free(rep);
}

static void reopen(env *e)
{
    ck_assert_int_eq(hdb_close(e->db), HDB_OK);
    ck_assert_int_eq(hdb_open(e->path, &e->o, &e->db), HDB_OK);
}

/* Open a copy of the files as they are now: what a crash would leave. */
static hdb *crash_copy(env *e, const char *name)
{
    char cmd[4096], copy[600], p2[700];
    hdb *db2;
    snprintf(copy, sizeof copy, "%s/%s", e->dir, name);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && cp -r '%s' '%s-wal' '%s/'", copy,
             copy, e->path, e->path, copy);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(p2, sizeof p2, "%s/m.db", copy);
    ck_assert_int_eq(hdb_open(p2, &e->o, &db2), HDB_OK);
    return db2;
}

static void env_fini(env *e)
{
    check_clean(e->db);
    ck_assert_int_eq(hdb_close(e->db), HDB_OK);
    tu_rmdir(e->dir);
    free(e->dir);
}

static hdb_val sv(const char *s) { return (hdb_val){s, strlen(s)}; }

/* Put (v != NULL) or delete k on branch b. */
static void set(hdb *db, const char *b, const char *ks, const char *k, const char *v)
{
    hdb_txn *t;
    uint32_t id;
    ck_assert_int_eq(hdb_branch_use(db, b), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, ks, HDB_CREATE, &id), HDB_OK);
    if (v)
        ck_assert_int_eq(hdb_put(t, id, sv(k), sv(v)), HDB_OK);
    else
        ck_assert_int_eq(hdb_del(t, id, sv(k)), HDB_OK);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
}

static const char *get(hdb *db, const char *b, const char *ks, const char *k)
{
    static char out[256];
    hdb_txn *t;
    uint32_t id;
    hdb_val v;
    const char *res = NULL;
    ck_assert_int_eq(hdb_branch_use(db, b), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    if (hdb_ks_open(t, ks, 0, &id) == HDB_OK && hdb_get(t, id, sv(k), &v) == HDB_OK) {
        snprintf(out, sizeof out, "%.*s", (int)v.size, (const char *)v.data);
        res = out;
    }
    hdb_txn_abort(t);
    return res;
}

START_TEST(test_merge_rules)
{
    env e;
    env_init(&e);
    set(e.db, "main", "kv", "same", "0");
    set(e.db, "main", "kv", "mine", "0");
    set(e.db, "main", "kv", "theirs", "0");
    set(e.db, "main", "kv", "both", "0");
    set(e.db, "main", "kv", "gone", "0");
    ck_assert_int_eq(hdb_branch_create(e.db, "dev", "main", NULL), HDB_OK);
    set(e.db, "dev", "kv", "theirs", "dev");
    set(e.db, "dev", "kv", "both", "dev");
    set(e.db, "dev", "kv", "same", "x");
    set(e.db, "dev", "kv", "new", "dev");
    set(e.db, "dev", "kv", "gone", NULL);
    set(e.db, "dev", "newks", "a", "1");
    set(e.db, "main", "kv", "mine", "main");
    set(e.db, "main", "kv", "both", "main");
    set(e.db, "main", "kv", "same", "x");
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);

    /* Abort policy: one conflict, nothing written. */
    hdb_merge_result *r;
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", NULL, &r), HDB_CONFLICT);
    ck_assert_uint_eq(r->nconflicts, 1);
    ck_assert_str_eq(r->conflicts[0].keyspace, "kv");
    ck_assert_int_eq(memcmp(r->conflicts[0].key.data, "both", 4), 0);
    ck_assert_int_eq(memcmp(r->conflicts[0].base.data, "0", 1), 0);
    ck_assert_int_eq(memcmp(r->conflicts[0].ours.data, "main", 4), 0);
    ck_assert_int_eq(memcmp(r->conflicts[0].theirs.data, "dev", 3), 0);
    hdb_merge_result_free(r);
    ck_assert_str_eq(get(e.db, "main", "kv", "theirs"), "0");

    /* Dry run with THEIRS: a report, still nothing written. */
    hdb_merge_opts o = {0};
    o.policy = HDB_MERGE_THEIRS;
    o.dry_run = 1;
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", &o, &r), HDB_OK);
    ck_assert_uint_eq(r->added, 2); /* kv "new", and "a" of the new keyspace */
    ck_assert_uint_eq(r->deleted, 1);
    ck_assert_uint_eq(r->changed, 2); /* "theirs", and "both" by the policy */
    hdb_merge_result_free(r);
    ck_assert_ptr_null(get(e.db, "main", "kv", "new"));

    o.dry_run = 0;
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", &o, &r), HDB_OK);
    ck_assert_uint_eq(r->nconflicts, 1);
    ck_assert_int_eq(r->fast_forward, 0);
    hdb_merge_result_free(r);
    ck_assert_str_eq(get(e.db, "main", "kv", "theirs"), "dev");
    ck_assert_str_eq(get(e.db, "main", "kv", "mine"), "main");
    ck_assert_str_eq(get(e.db, "main", "kv", "both"), "dev");
    ck_assert_str_eq(get(e.db, "main", "kv", "same"), "x");
    ck_assert_str_eq(get(e.db, "main", "kv", "new"), "dev");
    ck_assert_ptr_null(get(e.db, "main", "kv", "gone"));
    ck_assert_str_eq(get(e.db, "main", "newks", "a"), "1");
    check_clean(e.db);

    /* A second merge sees only what changed since. */
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", NULL, &r), HDB_OK);
    ck_assert_uint_eq(r->added + r->changed + r->deleted + r->nconflicts, 0);
    hdb_merge_result_free(r);
    set(e.db, "dev", "kv", "later", "dev");
    reopen(&e);
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", NULL, &r), HDB_OK);
    ck_assert_uint_eq(r->added, 1);
    ck_assert_uint_eq(r->changed + r->deleted + r->nconflicts, 0);
    hdb_merge_result_free(r);
    ck_assert_str_eq(get(e.db, "main", "kv", "later"), "dev");
    ck_assert_str_eq(get(e.db, "main", "kv", "mine"), "main");
    env_fini(&e);
}
END_TEST

static int resolve_concat(void *ctx, const char *ks, hdb_val key, const hdb_val *base,
                          const hdb_val *ours, const hdb_val *theirs, hdb_val *out)
{
    static char buf[64];
    (void)ctx;
    (void)ks;
    (void)key;
    (void)base;
    snprintf(buf, sizeof buf, "%.*s+%.*s", (int)ours->size, (const char *)ours->data,
             (int)theirs->size, (const char *)theirs->data);
    *out = sv(buf);
    return HDB_RESOLVE_MERGED;
}

START_TEST(test_resolve_ff_readonly_diff)
{
    env e;
    env_init(&e);
    set(e.db, "main", "kv", "k", "0");
    ck_assert_int_eq(hdb_branch_create(e.db, "a", "main", NULL), HDB_OK);
    ck_assert_int_eq(hdb_branch_create(e.db, "b", "main", NULL), HDB_OK);
    set(e.db, "a", "kv", "k", "A");
    set(e.db, "a", "kv", "x", "1");
    /* main unchanged since a forked: fast-forward. */
    hdb_merge_result *r;
    ck_assert_int_eq(hdb_branch_merge(e.db, "a", "main", NULL, &r), HDB_OK);
    ck_assert_int_eq(r->fast_forward, 1);
    ck_assert_uint_eq(r->added, 1);
    ck_assert_uint_eq(r->changed, 1);
    hdb_merge_result_free(r);
    ck_assert_str_eq(get(e.db, "main", "kv", "k"), "A");

    /* Diff of main and b. */
    hdb_diff *d;
    hdb_diff_entry de;
    ck_assert_int_eq(hdb_diff_open(e.db, "b", "main", "kv", &d), HDB_OK);
    ck_assert_int_eq(hdb_diff_next(d, &de), HDB_OK);
    ck_assert_int_eq(memcmp(de.key.data, "k", 1), 0);
    ck_assert_int_eq(memcmp(de.old_val.data, "0", 1), 0);
    ck_assert_int_eq(memcmp(de.new_val.data, "A", 1), 0);
    ck_assert_int_eq(hdb_diff_next(d, &de), HDB_OK);
    ck_assert_int_eq(memcmp(de.key.data, "x", 1), 0);
    ck_assert_ptr_null(de.old_val.data);
    ck_assert_int_eq(hdb_diff_next(d, &de), HDB_DONE);
    hdb_diff_close(d);

    /* b changed k too: the hook merges it. */
    set(e.db, "b", "kv", "k", "B");
    hdb_merge_opts o = {0};
    o.resolve = resolve_concat;
    ck_assert_int_eq(hdb_branch_merge(e.db, "b", "main", &o, &r), HDB_OK);
    hdb_merge_result_free(r);
    ck_assert_str_eq(get(e.db, "main", "kv", "k"), "A+B");

    /* Parent into child: b receives main's x. */
    ck_assert_int_eq(hdb_branch_merge(e.db, "main", "b", NULL, &r), HDB_OK);
    hdb_merge_result_free(r);
    ck_assert_str_eq(get(e.db, "b", "kv", "x"), "1");
    ck_assert_str_eq(get(e.db, "b", "kv", "k"), "A+B");

    /* Read-only target. */
    ck_assert_int_eq(hdb_branch_set_read_only(e.db, "b", 1), HDB_OK);
    set(e.db, "main", "kv", "y", "2");
    ck_assert_int_eq(hdb_branch_merge(e.db, "main", "b", NULL, NULL), HDB_READONLY);
    ck_assert_int_eq(hdb_branch_merge(e.db, "main", "main", NULL, NULL), HDB_MISUSE);
    ck_assert_int_eq(hdb_branch_merge(e.db, "nosuch", "main", NULL, NULL), HDB_NOTFOUND);
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    env_fini(&e);
}
END_TEST

START_TEST(test_keyspace_drop_merge)
{
    env e;
    env_init(&e);
    set(e.db, "main", "k1", "a", "1");
    set(e.db, "main", "k2", "a", "1");
    ck_assert_int_eq(hdb_branch_create(e.db, "dev", "main", NULL), HDB_OK);
    hdb_txn *t;
    ck_assert_int_eq(hdb_branch_use(e.db, "dev"), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_drop(t, "k1"), HDB_OK);
    ck_assert_int_eq(hdb_ks_drop(t, "k2"), HDB_OK);
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    set(e.db, "main", "k2", "b", "2"); /* changed on main, dropped on dev */
    hdb_merge_result *r;
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", NULL, &r), HDB_CONFLICT);
    ck_assert_uint_eq(r->nconflicts, 1);
    ck_assert_str_eq(r->conflicts[0].keyspace, "k2");
    ck_assert_ptr_null(r->conflicts[0].key.data);
    hdb_merge_result_free(r);
    hdb_merge_opts o = {0};
    o.policy = HDB_MERGE_OURS;
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", &o, &r), HDB_CONFLICT);
    hdb_merge_result_free(r);
    ck_assert_str_eq(get(e.db, "main", "k1", "a"), "1");
    set(e.db, "main", "k2", "b", NULL);
    set(e.db, "main", "k2", "a", NULL);
    env_fini(&e);
}
END_TEST

/* ------------------------------------------------------------------------
** The model test: main and two children, random writes and merges.
*/
enum { NB = 3 };
static const char *bn[NB] = {"main", "c1", "c2"};

static int mval(const tu_model *m, const char *k, const unsigned char **v, size_t *vn)
{
    int found;
    size_t i = tu_model_find(m, k, strlen(k), &found);
    if (found) {
        *v = m->e[i].v;
        *vn = m->e[i].vn;
    }
    return found;
}

static int mequal(const tu_model *a, const tu_model *b, const char *k)
{
    const unsigned char *x = NULL, *y = NULL;
    size_t xn = 0, yn = 0;
    int fa = mval(a, k, &x, &xn), fb = mval(b, k, &y, &yn);
    return fa == fb && (!fa || (xn == yn && !memcmp(x, y, xn)));
}

/* dst := merge(base, dst, src) with policy; returns the conflicts. */
static size_t model_merge(tu_model *dst, const tu_model *base, const tu_model *src, int policy,
                          int apply, char (*keys)[16])
{
    size_t conflicts = 0;
    tu_model out = {0};
    tu_model_copy(&out, dst);
    for (int i = 0; i < 200; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%03d", i);
        if (mequal(src, base, k) || mequal(dst, src, k))
            continue;
        int take = mequal(dst, base, k);
        if (!take) {
            if (keys)
                memcpy(keys[conflicts], k, 16);
            conflicts++;
            take = policy == HDB_MERGE_THEIRS;
        }
        if (!take)
            continue;
        const unsigned char *v;
        size_t vn;
        if (mval(src, k, &v, &vn))
            tu_model_put(&out, k, strlen(k), v, vn);
        else
            tu_model_del(&out, k, strlen(k));
    }
    if (apply && (policy != HDB_MERGE_ABORT || conflicts == 0)) {
        tu_model_free(dst);
        tu_model_copy(dst, &out);
    }
    tu_model_free(&out);
    return conflicts;
}

/* Branch b's keyspace "kv" equals the model. */
static void compare_kv(hdb *db, const char *b, const tu_model *m)
{
    hdb_txn *t;
    uint32_t id;
    hdb_cursor *c;
    hdb_val k, v;
    size_t i = 0;
    ck_assert_int_eq(hdb_branch_use(db, b), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", 0, &id), HDB_OK);
    ck_assert_int_eq(hdb_cursor_open(t, id, &c), HDB_OK);
    for (int rc = hdb_cursor_first(c); rc == HDB_OK; rc = hdb_cursor_next(c), i++) {
        ck_assert_int_eq(hdb_cursor_get(c, &k, &v), HDB_OK);
        ck_assert_uint_lt(i, m->n);
        ck_assert_int_eq(tu_keycmp(k.data, k.size, m->e[i].k, m->e[i].kn), 0);
        ck_assert_uint_eq(v.size, m->e[i].vn);
        ck_assert(v.size == 0 || !memcmp(v.data, m->e[i].v, v.size));
    }
    ck_assert_uint_eq(i, m->n);
    hdb_cursor_close(c);
    hdb_txn_abort(t);
}

static void compare(hdb *db, int b, const tu_model *m) { compare_kv(db, bn[b], m); }

START_TEST(test_model_merges)
{
    env e;
    env_init(&e);
    tu_model m[NB] = {{0}}, base[NB] = {{0}};
    tu_rng r = {777};
    set(e.db, "main", "kv", "k000", "seed");
    tu_model_put(&m[0], "k000", 4, "seed", 4);
    for (int b = 1; b < NB; b++) {
        ck_assert_int_eq(hdb_branch_create(e.db, bn[b], "main", NULL), HDB_OK);
        tu_model_copy(&m[b], &m[0]);
        tu_model_copy(&base[b], &m[0]);
    }
    for (int round = 0; round < 300; round++) {
        int b = (int)tu_below(&r, NB);
        if (tu_below(&r, 3)) { /* a transaction of writes */
            hdb_txn *t;
            uint32_t id;
            ck_assert_int_eq(hdb_branch_use(e.db, bn[b]), HDB_OK);
            ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
            ck_assert_int_eq(hdb_ks_open(t, "kv", 0, &id), HDB_OK);
            for (int j = (int)tu_below(&r, 8); j >= 0; j--) {
                char k[16], v[16];
                snprintf(k, sizeof k, "k%03u", (unsigned)tu_below(&r, 200));
                snprintf(v, sizeof v, "%s%d", bn[b], round);
                if (tu_below(&r, 4) == 0) {
                    int rc = hdb_del(t, id, sv(k));
                    ck_assert_int_eq(rc, tu_model_del(&m[b], k, strlen(k)) ? HDB_OK : HDB_NOTFOUND);
                } else {
                    ck_assert_int_eq(hdb_put(t, id, sv(k), sv(v)), HDB_OK);
                    tu_model_put(&m[b], k, strlen(k), v, strlen(v));
                }
            }
            ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
            continue;
        }
        /* A merge between main and child c (either direction). */
        int c = 1 + (int)tu_below(&r, NB - 1), up = (int)tu_below(&r, 2);
        int src = up ? c : 0, dst = up ? 0 : c;
        int policy = (int)tu_below(&r, 3);
        hdb_merge_opts o = {0};
        o.policy = policy;
        hdb_merge_result *res;
        static char keys[200][16];
        size_t want = model_merge(&m[dst], &base[c], &m[src], policy, 0, keys);
        int rc = hdb_branch_merge(e.db, bn[src], bn[dst], &o, &res);
        ck_assert_uint_eq(res->nconflicts, want);
        for (size_t i = 0; i < want; i++) { /* the same keys, in key order */
            ck_assert_str_eq(res->conflicts[i].keyspace, "kv");
            ck_assert_uint_eq(res->conflicts[i].key.size, strlen(keys[i]));
            ck_assert(!memcmp(res->conflicts[i].key.data, keys[i], strlen(keys[i])));
        }
        hdb_merge_result_free(res);
        if (policy == HDB_MERGE_ABORT && want) {
            ck_assert_int_eq(rc, HDB_CONFLICT);
        } else {
            ck_assert_int_eq(rc, HDB_OK);
            int nothing_new = 1;
            for (int i = 0; i < 200 && nothing_new; i++) {
                char k[16];
                snprintf(k, sizeof k, "k%03d", i);
                nothing_new = mequal(&m[src], &base[c], k);
            }
            model_merge(&m[dst], &base[c], &m[src], policy, 1, NULL);
            (void)nothing_new;
            tu_model_free(&base[c]);
            tu_model_copy(&base[c], &m[src]);
        }
        compare(e.db, dst, &m[dst]);
        check_clean(e.db);
        if (round % 25 == 0)
            reopen(&e);
    }
    for (int b = 0; b < NB; b++) {
        compare(e.db, b, &m[b]);
        tu_model_free(&m[b]);
        tu_model_free(&base[b]);
    }
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    env_fini(&e);
}
END_TEST

/* A diff and a merge read pages in proportion to the changes. */
START_TEST(test_diff_cost)
{
    env e;
    env_init(&e);
    int n = getenv("HDB_TEST_KEYS") ? atoi(getenv("HDB_TEST_KEYS")) : 1000000;
    hdb_txn *t;
    uint32_t id;
    char k[32], v[64];
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "big", HDB_CREATE, &id), HDB_OK);
    for (int i = 0; i < n; i++) {
        snprintf(k, sizeof k, "key%09d", i);
        snprintf(v, sizeof v, "value-%d", i);
        ck_assert_int_eq(hdb_put(t, id, sv(k), sv(v)), HDB_OK);
    }
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    ck_assert_int_eq(hdb_branch_create(e.db, "dev", "main", NULL), HDB_OK);
    ck_assert_int_eq(hdb_branch_use(e.db, "dev"), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "big", 0, &id), HDB_OK);
    for (int i = 0; i < 10; i++) {
        snprintf(k, sizeof k, "key%09d", i * (n / 10) + 7);
        ck_assert_int_eq(hdb_put(t, id, sv(k), sv("changed")), HDB_OK);
    }
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    set(e.db, "main", "big", "key-main-only", "x");
    ck_assert_int_eq(hdb_checkpoint(e.db), HDB_OK);
    reopen(&e); /* an empty cache: every page a diff needs is read */

    hdb_stats s0, s1;
    hdb_diff *d;
    hdb_diff_entry de;
    int changes = 0;
    ck_assert_int_eq(hdb_stats_get(e.db, &s0), HDB_OK);
    ck_assert_int_eq(hdb_diff_open(e.db, "main", "dev", "big", &d), HDB_OK);
    while (hdb_diff_next(d, &de) == HDB_OK)
        changes++;
    hdb_diff_close(d);
    ck_assert_int_eq(hdb_stats_get(e.db, &s1), HDB_OK);
    ck_assert_int_eq(changes, 11);
    uint64_t pages = (s1.page_reads + s1.cache_hits) - (s0.page_reads + s0.cache_hits);
    ck_assert_msg(pages < 300, "diff touched %llu pages", (unsigned long long)pages);

    hdb_merge_result *r;
    reopen(&e);
    ck_assert_int_eq(hdb_stats_get(e.db, &s0), HDB_OK);
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", NULL, &r), HDB_OK);
    ck_assert_int_eq(hdb_stats_get(e.db, &s1), HDB_OK);
    ck_assert_uint_eq(r->changed, 10);
    hdb_merge_result_free(r);
    pages = (s1.page_reads + s1.cache_hits) - (s0.page_reads + s0.cache_hits);
    ck_assert_msg(pages < 1000, "merge touched %llu pages", (unsigned long long)pages);
    pages = s1.page_reads - s0.page_reads;
    ck_assert_msg(pages < 300, "merge read %llu pages", (unsigned long long)pages);
    ck_assert_str_eq(get(e.db, "main", "big", "key000000007"), "changed");

    /* Two branches of the same shape: the subtrees only d2 changed are
     * grafted whole (one pointer and one log record each). */
    ck_assert_int_eq(hdb_branch_create(e.db, "d2", "main", NULL), HDB_OK);
    ck_assert_int_eq(hdb_branch_create(e.db, "m2", "main", NULL), HDB_OK);
    ck_assert_int_eq(hdb_branch_use(e.db, "d2"), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "big", 0, &id), HDB_OK);
    for (int i = 0; i < 10; i++) /* 30 keys in each of 10 places, values no longer */
        for (int j = 0; j < 30; j++) {
            snprintf(k, sizeof k, "key%09d", i * (n / 10) + 1234 + j);
            ck_assert_int_eq(hdb_put(t, id, sv(k), sv("again")), HDB_OK);
        }
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    set(e.db, "m2", "big", "key000000003", "m2");
    ck_assert_int_eq(hdb_checkpoint(e.db), HDB_OK);
    reopen(&e);
    ck_assert_int_eq(hdb_stats_get(e.db, &s0), HDB_OK);
    ck_assert_int_eq(hdb_branch_merge(e.db, "d2", "m2", NULL, &r), HDB_OK);
    ck_assert_int_eq(hdb_stats_get(e.db, &s1), HDB_OK);
    ck_assert_uint_eq(r->changed, 300);
    ck_assert_uint_eq(r->added + r->deleted + r->nconflicts, 0);
    hdb_merge_result_free(r);
    pages = s1.page_reads - s0.page_reads;
    ck_assert_msg(pages < 300, "merge read %llu pages", (unsigned long long)pages);
    ck_assert_uint_lt(s1.wal_bytes - s0.wal_bytes, 2000); /* not a put per key */

    /* The grafts replayed after a crash give the same keys. */
    hdb *db2 = crash_copy(&e, "crash");
    for (int i = 0; i < 10; i++) {
        snprintf(k, sizeof k, "key%09d", i * (n / 10) + 1234 + 29);
        ck_assert_str_eq(get(db2, "m2", "big", k), "again");
        snprintf(k, sizeof k, "key%09d", i * (n / 10) + 1234 + 30);
        snprintf(v, sizeof v, "value-%d", i * (n / 10) + 1234 + 30);
        ck_assert_str_eq(get(db2, "m2", "big", k), v);
    }
    ck_assert_str_eq(get(db2, "m2", "big", "key000000003"), "m2");
    ck_assert_str_eq(get(db2, "m2", "big", "key000000007"), "changed");
    check_clean(db2);
    ck_assert_int_eq(hdb_branch_use(db2, "main"), HDB_OK);
    ck_assert_int_eq(hdb_close(db2), HDB_OK);
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    env_fini(&e);
}
END_TEST


/* A merge that grafts subtrees: replaying it after a crash (no checkpoint
 * since) rebuilds the same keys. */
static void put_n(hdb *db, const char *b, int from, int to, int step, const char *tag)
{
    hdb_txn *t;
    uint32_t id;
    char k[32], v[64];
    ck_assert_int_eq(hdb_branch_use(db, b), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", HDB_CREATE, &id), HDB_OK);
    for (int i = from; i < to; i += step) {
        snprintf(k, sizeof k, "key%07d", i);
        snprintf(v, sizeof v, "%s-%d-%s", tag, i, "padding-padding-padding");
        ck_assert_int_eq(hdb_put(t, id, sv(k), sv(v)), HDB_OK);
    }
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
}

static uint64_t digest(hdb *db, const char *b, size_t *n)
{
    hdb_txn *t;
    uint32_t id;
    hdb_cursor *c;
    hdb_val k, v;
    uint64_t h = 1469598103934665603ULL;
    *n = 0;
    ck_assert_int_eq(hdb_branch_use(db, b), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", 0, &id), HDB_OK);
    ck_assert_int_eq(hdb_cursor_open(t, id, &c), HDB_OK);
    for (int rc = hdb_cursor_first(c); rc == HDB_OK; rc = hdb_cursor_next(c), (*n)++) {
        ck_assert_int_eq(hdb_cursor_get(c, &k, &v), HDB_OK);
        for (size_t i = 0; i < k.size; i++)
            h = (h ^ ((const uint8_t *)k.data)[i]) * 1099511628211ULL;
        for (size_t i = 0; i < v.size; i++)
            h = (h ^ ((const uint8_t *)v.data)[i]) * 1099511628211ULL;
    }
    hdb_cursor_close(c);
    hdb_txn_abort(t);
    return h;
}

START_TEST(test_graft_replay)
{
    env e;
    char cmd[4096], copy[600];
    env_init(&e);
    ck_assert_int_eq(hdb_close(e.db), HDB_OK);
    e.o.sync = HDB_SYNC_FULL;
    ck_assert_int_eq(hdb_open(e.path, &e.o, &e.db), HDB_OK);
    put_n(e.db, "main", 0, 20000, 1, "base");
    ck_assert_int_eq(hdb_checkpoint(e.db), HDB_OK);
    ck_assert_int_eq(hdb_branch_create(e.db, "dev", "main", NULL), HDB_OK);
    put_n(e.db, "dev", 0, 20000, 400, "dev");      /* one key in every few leaves */
    put_n(e.db, "dev", 20000, 20050, 1, "new");    /* and new keys at the end */
    put_n(e.db, "main", 200, 20000, 400, "main");  /* other leaves on main */
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    hdb_merge_result *r;
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", NULL, &r), HDB_OK);
    ck_assert_uint_eq(r->changed, 50);
    ck_assert_uint_eq(r->added, 50);
    ck_assert_uint_eq(r->deleted + r->nconflicts, 0);
    hdb_merge_result_free(r);
    ck_assert_str_eq(get(e.db, "main", "kv", "key0000400"), "dev-400-padding-padding-padding");
    ck_assert_str_eq(get(e.db, "main", "kv", "key0000600"), "main-600-padding-padding-padding");
    size_t n0, n1;
    uint64_t h0 = digest(e.db, "main", &n0);
    ck_assert_uint_eq(n0, 20050);
    /* The files as a crash would leave them: the merge is only in the log. */
    snprintf(copy, sizeof copy, "%s/crash", e.dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp -r '%s' '%s-wal' '%s/'", copy, e.path, e.path,
             copy);
    ck_assert_int_eq(system(cmd), 0);
    hdb *db2;
    char p2[700];
    snprintf(p2, sizeof p2, "%s/m.db", copy);
    ck_assert_int_eq(hdb_open(p2, &e.o, &db2), HDB_OK);
    uint64_t h1 = digest(db2, "main", &n1);
    ck_assert_uint_eq(n1, n0);
    ck_assert(h1 == h0);
    check_clean(db2);
    ck_assert_int_eq(hdb_branch_use(db2, "main"), HDB_OK);
    ck_assert_int_eq(hdb_close(db2), HDB_OK);
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    env_fini(&e);
}
END_TEST

/* ------------------------------------------------------------------------
** Grafts in the log: merges that adopt subtrees are logged as one record
** per subtree (HDB_REC_KS_GRAFT) and replayed by position.
*/


/* One transaction on branch b: `runs` runs of `len` consecutive keys from
 * random places of [0, span) are put (a new value) or deleted, or keys
 * between them are added (unless puts_only). */
static void churn(hdb *db, const char *b, tu_model *m, tu_rng *r, int span, int runs, int len,
                  int tag, int puts_only)
{
    hdb_txn *t;
    uint32_t id;
    char k[32], v[64];
    ck_assert_int_eq(hdb_branch_use(db, b), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", 0, &id), HDB_OK);
    for (int i = 0; i < runs; i++) {
        int at = (int)tu_below(r, (uint64_t)span);
        int del = !puts_only && tu_below(r, 5) == 0, add = !puts_only && tu_below(r, 4) == 0;
        for (int j = at; j < at + len && j < span; j++) {
            snprintf(k, sizeof k, add ? "key%07d+" : "key%07d", j);
            snprintf(v, sizeof v, "%s-%d-%d-padding", b, j, tag);
            if (del && !add) {
                int rc = hdb_del(t, id, sv(k));
                ck_assert_int_eq(rc, tu_model_del(m, k, strlen(k)) ? HDB_OK : HDB_NOTFOUND);
            } else {
                ck_assert_int_eq(hdb_put(t, id, sv(k), sv(v)), HDB_OK);
                tu_model_put(m, k, strlen(k), v, strlen(v));
            }
        }
    }
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
}

/* The model of a merge with policy THEIRS: every key src changed since
 * base takes src's value (or goes) on dst. */
static void model_take(tu_model *dst, const tu_model *base, const tu_model *src)
{
    tu_model out = {0};
    tu_model_copy(&out, dst);
    for (int side = 0; side < 2; side++) {
        const tu_model *x = side ? base : src;
        for (size_t i = 0; i < x->n; i++) {
            int fs, fb;
            size_t is = tu_model_find(src, x->e[i].k, x->e[i].kn, &fs);
            size_t ib = tu_model_find(base, x->e[i].k, x->e[i].kn, &fb);
            if (fs && fb && src->e[is].vn == base->e[ib].vn &&
                !memcmp(src->e[is].v, base->e[ib].v, src->e[is].vn))
                continue;
            if (fs)
                tu_model_put(&out, src->e[is].k, src->e[is].kn, src->e[is].v, src->e[is].vn);
            else if (fb)
                tu_model_del(&out, base->e[ib].k, base->e[ib].kn);
        }
    }
    tu_model_free(dst);
    tu_model_copy(dst, &out);
    tu_model_free(&out);
}

START_TEST(test_graft_log_model)
{
    env e;
    tu_model mm = {0}, md = {0}, base = {0}, past = {0};
    tu_rng r = {4242};
    uint64_t past_lsn = 0;
    env_init(&e);
    ck_assert_int_eq(hdb_close(e.db), HDB_OK);
    e.o.sync = HDB_SYNC_FULL;
    ck_assert_int_eq(hdb_open(e.path, &e.o, &e.db), HDB_OK);
    put_n(e.db, "main", 0, 20000, 1, "base");
    for (int i = 0; i < 20000; i++) {
        char k[32], v[64];
        snprintf(k, sizeof k, "key%07d", i);
        snprintf(v, sizeof v, "%s-%d-%s", "base", i, "padding-padding-padding");
        tu_model_put(&mm, k, strlen(k), v, strlen(v));
    }
    ck_assert_int_eq(hdb_checkpoint(e.db), HDB_OK);
    ck_assert_int_eq(hdb_branch_create(e.db, "dev", "main", NULL), HDB_OK);
    tu_model_copy(&md, &mm);
    tu_model_copy(&base, &mm);
    hdb_merge_opts o = {0};
    o.policy = HDB_MERGE_THEIRS;
    for (int round = 0; round < 12; round++) {
        /* Dense runs on dev (whole leaves to adopt), sparse ones on main;
         * every fourth round dev appends past the end (new leaves, so the
         * trees' shapes differ there). */
        churn(e.db, "dev", &md, &r, 20000, 6, 40, round, round == 0);
        churn(e.db, "main", &mm, &r, 20000, 8, 2, round, round == 0);
        if (round % 4 == 3)
            churn(e.db, "dev", &md, &r, 20000 + 400 * (round + 1), 1, 400, round, 0);
        hdb_merge_result *res;
        hdb_stats s0, s1;
        int up = round % 3 != 2; /* dev -> main, or main -> dev */
        ck_assert_int_eq(hdb_stats_get(e.db, &s0), HDB_OK);
        ck_assert_int_eq(hdb_branch_merge(e.db, up ? "dev" : "main", up ? "main" : "dev", &o, &res),
                         HDB_OK);
        ck_assert_int_eq(hdb_stats_get(e.db, &s1), HDB_OK);
        uint64_t keys = res->added + res->changed + res->deleted;
        hdb_merge_result_free(res);
        if (up) {
            model_take(&mm, &base, &md);
            tu_model_free(&base);
            tu_model_copy(&base, &md);
        } else {
            model_take(&md, &base, &mm);
            tu_model_free(&base);
            tu_model_copy(&base, &mm);
        }
        if (round == 0) {
            /* Whole leaves were adopted: the log holds far less than a
             * record per key (a put of these keys is over 40 bytes). */
            ck_assert_uint_gt(keys, 150);
            ck_assert_uint_lt(s1.wal_bytes - s0.wal_bytes, keys * 20);
            past_lsn = hdb_lsn(e.db);
            tu_model_copy(&past, &mm);
        }
        compare_kv(e.db, "main", &mm);
        compare_kv(e.db, "dev", &md);
    }
    check_clean(e.db);

    /* Replay of every merge since the checkpoint. */
    hdb *db2 = crash_copy(&e, "crash");
    compare_kv(db2, "main", &mm);
    compare_kv(db2, "dev", &md);
    check_clean(db2);
    /* ... and once more on the replayed state, then closed cleanly. */
    churn(db2, "dev", &md, &r, 20000, 6, 40, 99, 0);
    ck_assert_int_eq(hdb_branch_merge(db2, "dev", "main", &o, NULL), HDB_OK);
    model_take(&mm, &base, &md);
    compare_kv(db2, "main", &mm);
    check_clean(db2);
    ck_assert_int_eq(hdb_branch_use(db2, "main"), HDB_OK);
    ck_assert_int_eq(hdb_close(db2), HDB_OK);

    /* A branch as of the first merge is rebuilt from the checkpoint's
     * snapshot through the same records. */
    hdb_branch_opts bo = {0};
    bo.as_of_lsn = past_lsn;
    ck_assert_int_eq(hdb_branch_create(e.db, "past", "main", &bo), HDB_OK);
    compare_kv(e.db, "past", &past);
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    tu_model_free(&mm);
    tu_model_free(&md);
    tu_model_free(&base);
    tu_model_free(&past);
    env_fini(&e);
}
END_TEST

/* A merge whose diffs read many leaves that the cache cannot hold, while
 * the cache is full of dirty pages: the leaves read only to be compared
 * enter at the cold end of the cache (pager.h, hdb__pager_get_cold), so
 * they do not push the dirty pages out (each would cost a write), and the
 * counts, the keys and a replay after a crash stay exact. */
START_TEST(test_merge_cold_reads)
{
    env e;
    memset(&e, 0, sizeof e);
    e.dir = tu_tmpdir();
    tu_path(e.path, sizeof e.path, e.dir, "m.db");
    hdb_options_init(&e.o);
    e.o.sync = HDB_SYNC_OFF;
    e.o.cache_bytes = 256 << 10; /* 64 pages */
    ck_assert_int_eq(hdb_open(e.path, &e.o, &e.db), HDB_OK);
    enum { N = 40000 };
    put_n(e.db, "main", 0, N, 1, "base");
    ck_assert_int_eq(hdb_checkpoint(e.db), HDB_OK);
    ck_assert_int_eq(hdb_branch_create(e.db, "dev", "main", NULL), HDB_OK);
    put_n(e.db, "dev", 0, N, 200, "dev");    /* 200 leaves, only dev's */
    put_n(e.db, "main", 100, N, 200, "main"); /* 200 others, only main's */
    ck_assert_int_eq(hdb_checkpoint(e.db), HDB_OK);
    put_n(e.db, "main", 50, N, 4000, "late"); /* 10 dirty leaves in the cache */

    hdb_stats s0, s1;
    hdb_merge_result *r;
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    ck_assert_int_eq(hdb_stats_get(e.db, &s0), HDB_OK);
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", NULL, &r), HDB_OK);
    ck_assert_int_eq(hdb_stats_get(e.db, &s1), HDB_OK);
    ck_assert_uint_eq(r->changed, N / 200);
    ck_assert_uint_eq(r->added + r->deleted + r->nconflicts, 0);
    hdb_merge_result_free(r);
    uint64_t reads = s1.page_reads - s0.page_reads, writes = s1.page_writes - s0.page_writes;
    ck_assert_msg(reads >= N / 200, "merge read %llu pages", (unsigned long long)reads);
    ck_assert_msg(writes < 5, "merge wrote %llu pages for %llu read",
                  (unsigned long long)writes, (unsigned long long)reads);

    char k[32], v[64];
    hdb *db2 = crash_copy(&e, "crash");
    for (int i = 0; i < N; i += 100) {
        snprintf(k, sizeof k, "key%07d", i);
        snprintf(v, sizeof v, "%s-%d-%s", i % 200 ? "main" : "dev", i, "padding-padding-padding");
        ck_assert_str_eq(get(e.db, "main", "kv", k), v);
        ck_assert_str_eq(get(db2, "main", "kv", k), v);
    }
    size_t n1, n2;
    ck_assert_uint_eq(digest(e.db, "main", &n1), digest(db2, "main", &n2));
    ck_assert_uint_eq(n1, N);
    ck_assert_uint_eq(n2, N);
    check_clean(db2);
    ck_assert_int_eq(hdb_close(db2), HDB_OK);
    env_fini(&e);
}
END_TEST

/* The counts of a merge whose changes are only counted (fast-forward, and
 * subtrees adopted whole: hdb__btdiff_count) agree with the entries of the
 * diff iterator, for puts of the same value, of new values of the same and
 * other lengths, of overflow values, deletes and adds. */
START_TEST(test_merge_counts_exact)
{
    env e;
    env_init(&e);
    enum { N = 6000 };
    static char big[3000];
    char k[32], v[3100];
    put_n(e.db, "main", 0, N, 1, "base");
    hdb_txn *t;
    uint32_t id;
    ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", 0, &id), HDB_OK);
    memset(big, 'o', sizeof big - 1);
    for (int i = 0; i < N; i += 97) { /* overflow values in the base */
        snprintf(k, sizeof k, "key%07d", i);
        ck_assert_int_eq(hdb_put(t, id, sv(k), sv(big)), HDB_OK);
    }
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    for (int round = 0; round < 2; round++) {
        ck_assert_int_eq(hdb_branch_create(e.db, "dev", "main", NULL), HDB_OK);
        ck_assert_int_eq(hdb_branch_use(e.db, "dev"), HDB_OK);
        ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
        ck_assert_int_eq(hdb_ks_open(t, "kv", 0, &id), HDB_OK);
        uint32_t seed = 99 + round;
        for (int j = 0; j < 1500; j++) {
            seed = seed * 1103515245u + 12345u;
            int i = (int)((seed >> 8) % (N + N / 10)), op = (int)((seed >> 4) % 7);
            snprintf(k, sizeof k, "key%07d", i);
            if (op == 0)
                (void)hdb_del(t, id, sv(k));
            else if (op == 1) /* the value it has, when it is the loaded one */
                snprintf(v, sizeof v, "base-%d-%s", i, "padding-padding-padding");
            else if (op == 2)
                snprintf(v, sizeof v, "%s%d", big, i); /* overflow */
            else if (op == 3)
                snprintf(v, sizeof v, "%s", big); /* overflow, maybe the same */
            else
                snprintf(v, sizeof v, "%c-%d", 'a' + op, i);
            if (op)
                ck_assert_int_eq(hdb_put(t, id, sv(k), sv(v)), HDB_OK);
        }
        ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
        uint64_t n[3] = {0, 0, 0};
        hdb_diff *d;
        hdb_diff_entry de;
        ck_assert_int_eq(hdb_diff_open(e.db, "main", "dev", "kv", &d), HDB_OK);
        while (hdb_diff_next(d, &de) == HDB_OK)
            n[de.old_val.data && de.new_val.data ? 1 : de.new_val.data ? 0 : 2]++;
        hdb_diff_close(d);
        if (round == 1) /* main changes too: dev's leaves are adopted */
            for (int i = 5; i < N; i += 1000) {
                snprintf(k, sizeof k, "key%07d", i);
                set(e.db, "main", "kv", k, "main");
            }
        hdb_merge_result *r;
        ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
        ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", NULL, &r), HDB_OK);
        ck_assert_int_eq(r->fast_forward, round == 0);
        ck_assert_uint_eq(r->nconflicts, 0);
        ck_assert_uint_eq(r->added, n[0]);
        ck_assert_uint_eq(r->changed, n[1]);
        ck_assert_uint_eq(r->deleted, n[2]);
        ck_assert_uint_gt(n[0] * n[1] * n[2], 0);
        hdb_merge_result_free(r);
        ck_assert_int_eq(hdb_branch_drop(e.db, "dev"), HDB_OK);
    }
    env_fini(&e);
}
END_TEST

/* A damaged page in a subtree only src changed (whose changes are counted
 * beside the merge, merge_count.c) fails the merge with HDB_CORRUPT, and
 * dst keeps every key it had. */
START_TEST(test_merge_corrupt_counted)
{
    env e;
    env_init(&e);
    put_n(e.db, "main", 0, 20000, 1, "base");
    ck_assert_int_eq(hdb_branch_create(e.db, "dev", "main", NULL), HDB_OK);
    put_n(e.db, "dev", 500, 10000, 100, "dev");     /* a key in many leaves */
    put_n(e.db, "main", 15050, 20000, 1000, "main"); /* leaves dev did not touch */
    ck_assert_int_eq(hdb_checkpoint(e.db), HDB_OK);
    ck_assert_int_eq(hdb_close(e.db), HDB_OK);
    FILE *f = fopen(e.path, "r+b");
    ck_assert_ptr_nonnull(f);
    static unsigned char pg[4096];
    int damaged = 0;
    for (long at = 0; fseek(f, at, SEEK_SET) == 0 && fread(pg, 1, sizeof pg, f) == sizeof pg;
         at += (long)sizeof pg) {
        int has = 0;
        for (size_t i = 0; i + 4 <= sizeof pg && !has; i++)
            has = !memcmp(pg + i, "dev-", 4);
        if (!has)
            continue;
        pg[sizeof pg - 1] ^= 0x5a; /* a byte of a cell: the checksum no longer holds */
        ck_assert_int_eq(fseek(f, at, SEEK_SET), 0);
        ck_assert_uint_eq(fwrite(pg, 1, sizeof pg, f), sizeof pg);
        damaged++;
    }
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_gt(damaged, 20);
    ck_assert_int_eq(hdb_open(e.path, &e.o, &e.db), HDB_OK);
    hdb_merge_result *r = NULL;
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", NULL, &r), HDB_CORRUPT);
    ck_assert_ptr_nonnull(strstr(hdb_errmsg(e.db), "checksum"));
    hdb_merge_result_free(r);
    ck_assert_str_eq(get(e.db, "main", "kv", "key0000500"), "base-500-padding-padding-padding");
    ck_assert_str_eq(get(e.db, "main", "kv", "key0016050"), "main-16050-padding-padding-padding");
    ck_assert_int_eq(hdb_close(e.db), HDB_OK);
    e.db = NULL;
    tu_rmdir(e.dir);
    free(e.dir);
}
END_TEST

/* One transaction of random edits of keys [lo, hi) (and a few past hi)
 * on branch b: deletes, puts of the loaded value, of new values, of
 * overflow values, a key changed and changed back, puts of the value a key
 * has; with a savepoint rolled back (rollback) or aborted (abort). */
static void tracked_txn(hdb *db, const char *b, int lo, int hi, uint32_t *seed, int rollback,
                        int abort)
{
    static char big[2500];
    char k[32], v[2600];
    hdb_txn *t;
    uint32_t id;
    int sp = -1;
    memset(big, 'q', sizeof big - 1);
    ck_assert_int_eq(hdb_branch_use(db, b), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", 0, &id), HDB_OK);
    for (int j = 0; j < 80; j++) {
        *seed = *seed * 1103515245u + 12345u;
        int i = lo + (int)((*seed >> 8) % (hi - lo + (hi - lo) / 20)), op = (int)((*seed >> 4) % 8);
        snprintf(k, sizeof k, "key%07d", i);
        if (j == 20)
            ck_assert_int_eq(hdb_txn_savepoint(t, &sp), HDB_OK);
        if (j == 50 && rollback)
            ck_assert_int_eq(hdb_txn_rollback_to(t, sp), HDB_OK);
        if (op == 0) {
            (void)hdb_del(t, id, sv(k));
            continue;
        }
        if (op == 1 || op == 2) /* the loaded value, or changed and changed back */
            snprintf(v, sizeof v, "base-%d-%s", i, "padding-padding-padding");
        else if (op == 3 && *seed % 4 == 0) /* overflow values: their keys are not noted */
            snprintf(v, sizeof v, "%s%d", big, i % 3);
        else /* as long as the loaded value: leaves keep their shape */
            snprintf(v, sizeof v, "%c%03u-%d-%s", 'a' + op, *seed % 4, i, "padding-padding-padding");
        if (op == 2) {
            char bv[64];
            snprintf(bv, sizeof bv, "btwn-%d-%s", i, "padding-padding-padding");
            ck_assert_int_eq(hdb_put(t, id, sv(k), sv(bv)), HDB_OK);
        }
        ck_assert_int_eq(hdb_put(t, id, sv(k), sv(v)), HDB_OK);
        if (op == 4) { /* the value it has now, again */
            hdb_val cur;
            ck_assert_int_eq(hdb_get(t, id, sv(k), &cur), HDB_OK);
            memcpy(v, cur.data, cur.size);
            ck_assert_int_eq(hdb_put(t, id, sv(k), (hdb_val){v, cur.size}), HDB_OK);
        }
    }
    if (abort)
        hdb_txn_abort(t);
    else
        ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
}

/* The counts a merge takes from what the writer recorded about the leaves
 * it copied (btree/track.c) are those of the same merge on a copy of the
 * files after a checkpoint, which has recorded nothing and reads the
 * leaves; and the merged branches are the same.  Many transactions per branch, in both
 * directions, with the edits of tracked_txn. */
START_TEST(test_merge_tracked_counts)
{
    env e;
    env_init(&e);
    enum { N = 8000 };
    uint32_t seed = 4242;
    put_n(e.db, "main", 0, N, 1, "base");
    ck_assert_int_eq(hdb_branch_create(e.db, "dev", "main", NULL), HDB_OK);
    /* Keys changed again in later transactions, each in a leaf of its own:
     * changed and changed back, deleted and put back, added and deleted,
     * put with the value it has; and one real change of each kind. */
    const char *back = "base-1000-padding-padding-padding";
    set(e.db, "dev", "kv", "key0001000", "x");
    set(e.db, "dev", "kv", "key0001000", back);
    set(e.db, "dev", "kv", "key0002000", NULL);
    set(e.db, "dev", "kv", "key0002000", "base-2000-padding-padding-padding");
    set(e.db, "dev", "kv", "key0003000a", "new");
    set(e.db, "dev", "kv", "key0003000a", NULL);
    set(e.db, "dev", "kv", "key0004000", "base-4000-padding-padding-padding");
    set(e.db, "dev", "kv", "key0005000", "y");
    set(e.db, "dev", "kv", "key0005000", "z");
    set(e.db, "dev", "kv", "key0006000", NULL);
    set(e.db, "dev", "kv", "key0007000a", "new");
    set(e.db, "dev", "kv", "key0001500", "p"); /* one leaf, two transactions */
    set(e.db, "dev", "kv", "key0001501", "q");
    set(e.db, "main", "kv", "key0007900", "main");
    hdb_merge_result *r0;
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", NULL, &r0), HDB_OK);
    ck_assert_uint_eq(r0->added, 1);
    ck_assert_uint_eq(r0->changed, 3);
    ck_assert_uint_eq(r0->deleted, 1);
    ck_assert_uint_ge(r0->noted_leaves, 3);
    hdb_merge_result_free(r0);
    uint64_t noted = 0;
    for (int round = 0; round < 6; round++) {
        /* The two sides' ranges overlap (conflicts: src wins), and keys are
         * often changed again by a later transaction.
         * Rolling back clears what was recorded (track.c, invariant 3):
         * some rounds do, with the rest of their transactions after. */
        for (int tx = 0; tx < 8; tx++)
            tracked_txn(e.db, tx % 2 ? "main" : "dev", tx % 2 ? N * 40 / 100 : 0,
                        tx % 2 ? N * 85 / 100 : N * 45 / 100, &seed, round % 3 == 1 && tx == 2,
                        round % 3 == 2 && tx == 5);
        const char *src = round % 2 ? "main" : "dev", *dst = round % 2 ? "dev" : "main";
        hdb_merge_opts o;
        memset(&o, 0, sizeof o);
        o.policy = HDB_MERGE_THEIRS;
        hdb_merge_result *r, *rc;
        ck_assert_int_eq(hdb_checkpoint(e.db), HDB_OK); /* the copy replays nothing */
        hdb *copy = crash_copy(&e, "untracked");
        ck_assert_int_eq(hdb_branch_merge(e.db, src, dst, &o, &r), HDB_OK);
        ck_assert_int_eq(hdb_branch_merge(copy, src, dst, &o, &rc), HDB_OK);
        ck_assert_uint_eq(rc->noted_leaves, 0);
        noted += r->noted_leaves;
        ck_assert_uint_eq(r->added, rc->added);
        ck_assert_uint_eq(r->changed, rc->changed);
        ck_assert_uint_eq(r->deleted, rc->deleted);
        ck_assert_uint_eq(r->nconflicts, rc->nconflicts);
        ck_assert_uint_gt(r->added + r->changed + r->deleted, 0);
        size_t n1, n2;
        ck_assert_uint_eq(digest(e.db, dst, &n1), digest(copy, dst, &n2));
        ck_assert_uint_eq(n1, n2);
        hdb_merge_result_free(r);
        hdb_merge_result_free(rc);
        check_clean(copy);
        ck_assert_int_eq(hdb_close(copy), HDB_OK);
    }
    ck_assert_uint_gt(noted, 5); /* keys changed again and leaves reshaped: few */
    env_fini(&e);
}
END_TEST

/* A merge of scattered one-sided changes on a handle opened after the
 * writes: its counts and result are the same with the notes kept across
 * the close (src/track_file.c), with a damaged notes file (not used), and
 * with none (a crash: the copy of the files before the close). */
static uint64_t reopened_merge(hdb *db, hdb_merge_result **r)
{
    size_t n;
    ck_assert_int_eq(hdb_branch_merge(db, "dev", "main", NULL, r), HDB_OK);
    return digest(db, "main", &n);
}

START_TEST(test_merge_tracked_reopen)
{
    enum { N = 30000 };
    for (int damage = 0; damage < 2; damage++) {
        env e;
        env_init(&e);
        put_n(e.db, "main", 0, N, 1, "base");
        ck_assert_int_eq(hdb_branch_create(e.db, "dev", "main", NULL), HDB_OK);
        put_n(e.db, "dev", 0, N, 97, "dev");
        put_n(e.db, "dev", 13, N, 301, "dev2");
        put_n(e.db, "main", 50, N, 1000, "main");
        ck_assert_int_eq(hdb_checkpoint(e.db), HDB_OK); /* the copy replays nothing */
        hdb *copy = crash_copy(&e, "crashed");
        ck_assert_int_eq(hdb_close(e.db), HDB_OK);
        char track[600];
        snprintf(track, sizeof track, "%s-wal/track", e.path);
        FILE *f = fopen(track, damage ? "r+b" : "rb");
        ck_assert_ptr_nonnull(f);
        if (damage) { /* one byte of an entry: the file is not used */
            ck_assert_int_eq(fseek(f, 100, SEEK_SET), 0);
            ck_assert_int_eq(fputc(0x5a, f), 0x5a);
        }
        fclose(f);
        ck_assert_int_eq(hdb_open(e.path, &e.o, &e.db), HDB_OK);
        ck_assert_int_eq(access(track, F_OK), -1); /* read once, then removed */
        hdb_merge_result *r, *rc;
        uint64_t h = reopened_merge(e.db, &r);
        ck_assert_uint_eq(reopened_merge(copy, &rc), h);
        ck_assert_uint_eq(r->changed, rc->changed);
        ck_assert_uint_eq(r->added, rc->added);
        ck_assert_uint_eq(r->deleted, rc->deleted);
        ck_assert_uint_gt(r->changed, 300);
        ck_assert_uint_eq(rc->noted_leaves, 0); /* a crash loses the notes */
        if (damage)
            ck_assert_uint_eq(r->noted_leaves, 0);
        else
            ck_assert_uint_gt(r->noted_leaves, 200);
        hdb_merge_result_free(r);
        hdb_merge_result_free(rc);
        check_clean(copy);
        ck_assert_int_eq(hdb_close(copy), HDB_OK);
        env_fini(&e);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("merge");
    TCase *c = tcase_create("core");
    tcase_set_timeout(c, 600);
    tcase_add_test(c, test_merge_rules);
    tcase_add_test(c, test_resolve_ff_readonly_diff);
    tcase_add_test(c, test_keyspace_drop_merge);
    tcase_add_test(c, test_model_merges);
    tcase_add_test(c, test_diff_cost);
    tcase_add_test(c, test_graft_replay);
    tcase_add_test(c, test_graft_log_model);
    tcase_add_test(c, test_merge_cold_reads);
    suite_add_tcase(s, c);
    /* Merges whose counts run on a second thread (also run under TSan). */
    TCase *w = tcase_create("counted");
    tcase_set_timeout(w, 600);
    tcase_add_test(w, test_merge_counts_exact);
    tcase_add_test(w, test_merge_corrupt_counted);
    tcase_add_test(w, test_merge_tracked_counts);
    tcase_add_test(w, test_merge_tracked_reopen);
    suite_add_tcase(s, w);
    return s;
}

int main(void) { return tu_run(suite()); }
