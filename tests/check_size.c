/*
** check_size.c — branch size accounting (src/branch.c, SIZE ACCOUNTING).
**
** Sequences of writes, branch creation, drops, merges and reopens, with
** the owned and shared numbers hdb_branch_list() reports compared with
** what they must be, and hdb_check() after every step (it walks every
** branch and fails when a record that claims exact numbers disagrees).
** One test shows that on a branch written alone the list reads a handful
** of pages (the numbers are kept, not walked).
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heliosdb.h"
#include "support/test_util.h"

typedef struct env {
    char *dir;
    char path[512];
    hdb *db;
    hdb_options o;
} env;

static void env_init(env *e, int64_t retention)
{
    memset(e, 0, sizeof *e);
    e->dir = tu_tmpdir();
    tu_path(e->path, sizeof e->path, e->dir, "s.db");
    hdb_options_init(&e->o);
    e->o.sync = HDB_SYNC_OFF;
    e->o.retention_us = retention;
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

static void env_fini(env *e)
{
    check_clean(e->db);
    ck_assert_int_eq(hdb_close(e->db), HDB_OK);
    tu_rmdir(e->dir);
    free(e->dir);
}

/* Put keys [from, to) on branch b (every `step`-th), with values of vlen. */
static void put_range(hdb *db, const char *b, int from, int to, int step, size_t vlen, int gen)
{
    hdb_txn *t;
    uint32_t id;
    char k[32];
    char *v = malloc(vlen + 1);
    ck_assert_int_eq(hdb_branch_use(db, b), HDB_OK);
    ck_assert_int_eq(hdb_txn_begin(db, 0, &t), HDB_OK);
    ck_assert_int_eq(hdb_ks_open(t, "kv", HDB_CREATE, &id), HDB_OK);
    for (int i = from; i < to; i += step) {
        snprintf(k, sizeof k, "key%08d", i);
        uint32_t x = (uint32_t)(i * 2654435761u + (unsigned)gen);
        for (size_t j = 0; j < vlen; j++) { /* incompressible, so large values overflow */
            x = x * 1103515245u + 12345u;
            v[j] = (char)('a' + (x >> 16) % 26);
        }
        ck_assert_int_eq(hdb_put(t, id, (hdb_val){k, strlen(k)}, (hdb_val){v, vlen}), HDB_OK);
    }
    ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
    free(v);
}

typedef struct sz {
    uint64_t owned, shared;
} sz;

/* The numbers hdb_branch_list() reports for branch `name`. */
static sz size_of(hdb *db, const char *name)
{
    hdb_branch_info *b;
    size_t n;
    sz r = {UINT64_MAX, UINT64_MAX};
    ck_assert_int_eq(hdb_branch_list(db, &b, &n), HDB_OK);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(b[i].name, name))
            r = (sz){b[i].owned_bytes, b[i].shared_bytes};
    hdb_branch_list_free(b, n);
    ck_assert_msg(r.owned != UINT64_MAX, "no branch %s", name);
    return r;
}

static void sequence(int64_t retention)
{
    env e;
    env_init(&e, retention);
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    put_range(e.db, "main", 0, 3000, 1, 40, 0);
    put_range(e.db, "main", 0, 20, 1, 9000, 0); /* overflow chains */
    check_clean(e.db);
    sz m = size_of(e.db, "main");
    uint64_t total = m.owned + m.shared;
    ck_assert_uint_gt(total, 100 * 4096);
    if (!retention)
        ck_assert_uint_eq(m.shared, 0); /* nothing else holds its pages */

    /* A new branch shares everything; both report the same state. */
    ck_assert_int_eq(hdb_branch_create(e.db, "dev", "main", NULL), HDB_OK);
    check_clean(e.db);
    sz d = size_of(e.db, "dev");
    m = size_of(e.db, "main");
    ck_assert_uint_eq(d.owned, 0);
    ck_assert_uint_eq(m.owned, 0);
    ck_assert_uint_eq(d.shared, total);
    ck_assert_uint_eq(m.shared, total);

    /* dev changes one key: it owns the pages it copied, a few. */
    put_range(e.db, "dev", 25, 26, 1, 40, 1);
    check_clean(e.db);
    d = size_of(e.db, "dev");
    ck_assert_uint_gt(d.owned, 0);
    ck_assert_uint_le(d.owned, 8 * 4096);
    ck_assert_uint_eq(d.owned + d.shared, total);
    m = size_of(e.db, "main");
    ck_assert_uint_eq(m.owned, 0); /* dev's merge base still names main's root */

    /* dev rewrites a large value and a tenth of the keys. */
    put_range(e.db, "dev", 0, 3000, 10, 40, 2);
    put_range(e.db, "dev", 3, 4, 1, 12000, 2);
    check_clean(e.db);
    sz d2 = size_of(e.db, "dev");
    ck_assert_uint_gt(d2.owned, d.owned);
    reopen(&e);
    sz d3 = size_of(e.db, "dev");
    ck_assert_uint_eq(d3.owned, d2.owned);
    ck_assert_uint_eq(d3.shared, d2.shared);
    check_clean(e.db);

    /* main writes too; then dev is merged back and dropped. */
    put_range(e.db, "main", 1, 3000, 20, 40, 3);
    check_clean(e.db);
    hdb_merge_result *r;
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    ck_assert_int_eq(hdb_branch_merge(e.db, "dev", "main", NULL, &r), HDB_OK);
    hdb_merge_result_free(r);
    check_clean(e.db);
    m = size_of(e.db, "main");
    d = size_of(e.db, "dev");
    ck_assert_uint_gt(m.shared, 0); /* dev still holds most of it */
    ck_assert_int_eq(hdb_branch_drop(e.db, "dev"), HDB_OK);
    check_clean(e.db);
    m = size_of(e.db, "main");
    if (!retention)
        ck_assert_uint_eq(m.shared, 0); /* alone again: everything is main's */
    ck_assert_uint_gt(m.owned, 0);
    reopen(&e);
    sz m2 = size_of(e.db, "main");
    ck_assert_uint_eq(m2.owned, m.owned);
    ck_assert_uint_eq(m2.shared, m.shared);

    /* A fast-forward: main adopts a child's state whole. */
    ck_assert_int_eq(hdb_branch_create(e.db, "ff", "main", NULL), HDB_OK);
    put_range(e.db, "ff", 100, 200, 1, 40, 4);
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    ck_assert_int_eq(hdb_branch_merge(e.db, "ff", "main", NULL, &r), HDB_OK);
    ck_assert_int_eq(r->fast_forward, 1);
    hdb_merge_result_free(r);
    check_clean(e.db);
    m = size_of(e.db, "main");
    sz f = size_of(e.db, "ff");
    ck_assert_uint_eq(m.owned, 0);
    ck_assert_uint_eq(f.owned, 0);
    ck_assert_uint_eq(m.shared, f.shared);
    ck_assert_int_eq(hdb_branch_drop(e.db, "ff"), HDB_OK);
    ck_assert_int_eq(hdb_checkpoint(e.db), HDB_OK);
    check_clean(e.db);
    env_fini(&e);
}

START_TEST(test_sequence_no_history) { sequence(0); }
END_TEST

START_TEST(test_sequence_history) { sequence(7LL * 24 * 3600 * 1000000); }
END_TEST

/* Writes keep every branch's numbers: listing reads a handful of pages. */
START_TEST(test_list_does_not_walk)
{
    env e;
    env_init(&e, 0);
    put_range(e.db, "main", 0, 20000, 1, 60, 0);
    ck_assert_int_eq(hdb_branch_create(e.db, "side", "main", NULL), HDB_OK);
    put_range(e.db, "side", 0, 20000, 50, 60, 1);
    check_clean(e.db); /* recounts what the un-sharing left unknown */
    for (int round = 0; round < 4; round++) {
        /* Rounds 0-1: the same keys again, pages side already holds alone.
         * Rounds 2-3: other keys, so side leaves pages to main's region
         * (credited to main where they now sit, no recount either). */
        int from = round < 2 ? 0 : 7 * round;
        put_range(e.db, "side", from, 20000, round < 2 ? 50 : 97, 60, 2 + round);
        hdb_stats s0, s1;
        ck_assert_int_eq(hdb_stats_get(e.db, &s0), HDB_OK);
        sz s = size_of(e.db, "side");
        ck_assert_int_eq(hdb_stats_get(e.db, &s1), HDB_OK);
        uint64_t pages = (s1.page_reads + s1.cache_hits) - (s0.page_reads + s0.cache_hits);
        ck_assert_msg(pages < 40, "listing touched %llu pages", (unsigned long long)pages);
        ck_assert_uint_gt(s.owned, 0);
        check_clean(e.db); /* and the kept numbers equal the walk */
    }
    hdb_stats st;
    ck_assert_int_eq(hdb_stats_get(e.db, &st), HDB_OK);
    ck_assert_uint_eq(st.history_pages, 0); /* no retention */
    ck_assert_uint_gt(st.live_pages, 0);
    ck_assert_uint_eq(st.file_bytes % st.page_size, 0);
    env_fini(&e);
}
END_TEST

/* Retained history keeps pages a branch no longer uses. */
START_TEST(test_history_pages)
{
    env e;
    env_init(&e, 7LL * 24 * 3600 * 1000000);
    put_range(e.db, "main", 0, 5000, 1, 60, 0);
    ck_assert_int_eq(hdb_checkpoint(e.db), HDB_OK); /* a snapshot holds this state */
    put_range(e.db, "main", 0, 5000, 1, 60, 1);     /* every leaf copied */
    check_clean(e.db);
    hdb_stats st;
    ck_assert_int_eq(hdb_stats_get(e.db, &st), HDB_OK);
    ck_assert_uint_gt(st.history_pages, 50);
    ck_assert_uint_lt(st.history_pages, st.live_pages);
    env_fini(&e);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("size");
    TCase *c = tcase_create("core");
    tcase_set_timeout(c, 120);
    tcase_add_test(c, test_sequence_no_history);
    tcase_add_test(c, test_sequence_history);
    tcase_add_test(c, test_list_does_not_walk);
    tcase_add_test(c, test_history_pages);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
