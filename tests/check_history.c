/*
** check_history.c — retained history, point-in-time branches, retention.
**
** A test clock drives time.  The source branch keeps changing (puts,
** deletes, a keyspace drop, checkpoints, other branches created and
** dropped) while a model of its state is kept per LSN; branches created
** as of past LSNs and times must equal the model at that LSN, also after
** a reopen.  A steady workload under a short retention window must keep
** the file and the log bounded and refuse history beyond the window.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "heliosdb.h"
#include "support/test_util.h"

static int64_t fake_now;
static int64_t test_clock(void *ctx)
{
    (void)ctx;
    return fake_now;
}

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
    tu_path(e->path, sizeof e->path, e->dir, "h.db");
    hdb_options_init(&e->o);
    e->o.sync = HDB_SYNC_OFF;
    e->o.clock_us = test_clock;
    e->o.retention_us = retention;
    fake_now = 1000000000000LL;
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

static hdb_val sv(const char *s) { return (hdb_val){s, strlen(s)}; }

/* Compare keyspace ks of the current branch with m (absent keyspace = empty). */
static void compare(hdb *db, const char *ks, const tu_model *m)
{
    hdb_txn *t;
    uint32_t id;
    hdb_cursor *c;
    hdb_val k, v;
    size_t i = 0;
    ck_assert_int_eq(hdb_txn_begin(db, HDB_TXN_READ, &t), HDB_OK);
    if (hdb_ks_open(t, ks, 0, &id) != HDB_OK) {
        ck_assert_uint_eq(m->n, 0);
        hdb_txn_abort(t);
        return;
    }
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

enum { STEPS = 160 };

typedef struct point {
    uint64_t lsn;
    int64_t time;
    tu_model kv, kv2;
} point;

START_TEST(test_as_of)
{
    env e;
    env_init(&e, 3600LL * 1000000);
    e.o.checkpoint_bytes = 16 << 10; /* many checkpoints, many snapshots */
    reopen(&e);
    static point pts[STEPS];
    tu_model kv = {0}, kv2 = {0};
    tu_rng r = {99};
    int npts = 0;
    for (int step = 0; step < STEPS; step++) {
        hdb_txn *t;
        uint32_t a, b;
        fake_now += 1000 + (int64_t)tu_below(&r, 5000);
        ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
        ck_assert_int_eq(hdb_ks_open(t, "kv", HDB_CREATE, &a), HDB_OK);
        for (int j = 0; j < 20; j++) {
            char k[16], v[32];
            snprintf(k, sizeof k, "k%04u", (unsigned)tu_below(&r, 400));
            snprintf(v, sizeof v, "s%d-%d", step, j);
            if (tu_below(&r, 4) == 0) {
                int rc = hdb_del(t, a, sv(k));
                ck_assert_int_eq(rc, tu_model_del(&kv, k, strlen(k)) ? HDB_OK : HDB_NOTFOUND);
            } else {
                ck_assert_int_eq(hdb_put(t, a, sv(k), sv(v)), HDB_OK);
                tu_model_put(&kv, k, strlen(k), v, strlen(v));
            }
        }
        if (step < 100) {
            char k[16];
            snprintf(k, sizeof k, "x%03d", step);
            ck_assert_int_eq(hdb_ks_open(t, "kv2", HDB_CREATE, &b), HDB_OK);
            ck_assert_int_eq(hdb_put(t, b, sv(k), sv("y")), HDB_OK);
            tu_model_put(&kv2, k, strlen(k), "y", 1);
        } else if (step == 100) {
            ck_assert_int_eq(hdb_ks_drop(t, "kv2"), HDB_OK);
            tu_model_free(&kv2);
        }
        ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
        if (step % 37 == 5) {
            ck_assert_int_eq(hdb_branch_create(e.db, "tmp", "main", NULL), HDB_OK);
            ck_assert_int_eq(hdb_branch_drop(e.db, "tmp"), HDB_OK);
        }
        if (step % 3 == 0) {
            point *p = &pts[npts++];
            p->lsn = hdb_lsn(e.db);
            p->time = fake_now;
            tu_model_copy(&p->kv, &kv);
            tu_model_copy(&p->kv2, &kv2);
        }
    }
    fake_now += 10000; /* the last point's time + 500 is in the past too */
    /* Branch as of every recorded point, by LSN and by time. */
    for (int i = 0; i < npts; i++) {
        char name[32];
        hdb_branch_opts o = {0};
        o.as_of_lsn = pts[i].lsn;
        snprintf(name, sizeof name, "lsn%d", i);
        int rc = hdb_branch_create(e.db, name, "main", &o);
        ck_assert_msg(rc == HDB_OK, "as of LSN %llu: %s", (unsigned long long)pts[i].lsn,
                      hdb_errmsg(e.db));
        memset(&o, 0, sizeof o);
        o.as_of_time_us = pts[i].time + 500; /* after that commit, before the next */
        snprintf(name, sizeof name, "time%d", i);
        rc = hdb_branch_create(e.db, name, "main", &o);
        ck_assert_msg(rc == HDB_OK, "as of time: %s", hdb_errmsg(e.db));
        uint64_t l;
        ck_assert_int_eq(hdb_lsn_at_time(e.db, pts[i].time + 500, &l), HDB_OK);
        ck_assert_uint_ge(l, pts[i].lsn);
        if (i % 10 == 0)
            reopen(&e);
    }
    reopen(&e);
    for (int i = 0; i < npts; i++) {
        char name[32];
        snprintf(name, sizeof name, "lsn%d", i);
        ck_assert_int_eq(hdb_branch_use(e.db, name), HDB_OK);
        compare(e.db, "kv", &pts[i].kv);
        compare(e.db, "kv2", &pts[i].kv2);
        snprintf(name, sizeof name, "time%d", i);
        ck_assert_int_eq(hdb_branch_use(e.db, name), HDB_OK);
        compare(e.db, "kv", &pts[i].kv);
        tu_model_free(&pts[i].kv);
        tu_model_free(&pts[i].kv2);
    }
    ck_assert_int_eq(hdb_branch_use(e.db, "main"), HDB_OK);
    compare(e.db, "kv", &kv);
    tu_model_free(&kv);
    check_clean(e.db);

    /* Outside the history. */
    hdb_branch_opts o = {0};
    o.as_of_lsn = hdb_lsn(e.db) + 5;
    ck_assert_int_eq(hdb_branch_create(e.db, "future", "main", &o), HDB_RANGE);
    memset(&o, 0, sizeof o);
    o.as_of_time_us = fake_now + 1000000000;
    ck_assert_int_eq(hdb_branch_create(e.db, "future", "main", &o), HDB_RANGE);
    o.as_of_time_us = 5;
    ck_assert_int_eq(hdb_branch_create(e.db, "past", "main", &o), HDB_RANGE);
    ck_assert_ptr_nonnull(strstr(hdb_errmsg(e.db), "retained"));

    hdb_history_entry *h;
    size_t n;
    ck_assert_int_eq(hdb_history_list(e.db, "main", &h, &n), HDB_OK);
    ck_assert_uint_ge(n, STEPS);
    for (size_t i = 1; i < n; i++)
        ck_assert_uint_gt(h[i].lsn, h[i - 1].lsn);
    hdb_free(h);
    env_fini(&e);
}
END_TEST

static uint64_t disk_bytes(const char *path)
{
    char cmd[700];
    uint64_t n = 0;
    snprintf(cmd, sizeof cmd, "du -sb '%s' '%s-wal' | awk '{s+=$1} END {print s}'", path, path);
    FILE *f = popen(cmd, "r");
    if (f) {
        if (fscanf(f, "%llu", (unsigned long long *)&n) != 1)
            n = 0;
        pclose(f);
    }
    return n;
}

START_TEST(test_retention_bounded)
{
    env e;
    env_init(&e, 1000000); /* one second */
    e.o.checkpoint_bytes = 64 << 10;
    reopen(&e);
    uint64_t after_first = 0, max_after = 0;
    uint64_t first_lsn = hdb_lsn(e.db);
    for (int round = 0; round < 1500; round++) {
        hdb_txn *t;
        uint32_t a;
        char k[16], v[200];
        fake_now += 10000; /* 10 ms per commit: 100 commits per window */
        ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
        ck_assert_int_eq(hdb_ks_open(t, "kv", HDB_CREATE, &a), HDB_OK);
        for (int j = 0; j < 10; j++) {
            snprintf(k, sizeof k, "k%04d", (round * 10 + j) % 2000);
            memset(v, 'a' + round % 26, sizeof v);
            ck_assert_int_eq(hdb_put(t, a, sv(k), (hdb_val){v, sizeof v}), HDB_OK);
        }
        ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
        if (round == 500)
            after_first = disk_bytes(e.path);
        if (round > 500) {
            uint64_t b = disk_bytes(e.path);
            if (b > max_after)
                max_after = b;
        }
    }
    /* No growth after the first windows: allow slack for the log's segment rounding. */
    ck_assert_msg(max_after < after_first * 2 + (4u << 20),
                  "grew from %llu to %llu bytes", (unsigned long long)after_first,
                  (unsigned long long)max_after);
    hdb_branch_opts o = {0};
    o.as_of_lsn = first_lsn + 1;
    ck_assert_int_eq(hdb_branch_create(e.db, "old", "main", &o), HDB_RANGE);
    o.as_of_lsn = hdb_lsn(e.db) - 5;
    ck_assert_int_eq(hdb_branch_create(e.db, "recent", "main", &o), HDB_OK);
    check_clean(e.db);
    env_fini(&e);
}
END_TEST

/* A point-in-time branch made after the last checkpoint is rebuilt by
 * recovery from the log alone. */
START_TEST(test_as_of_recovery)
{
    env e;
    env_init(&e, 3600LL * 1000000);
    e.o.checkpoint_bytes = 1ull << 40;
    reopen(&e);
    hdb_txn *t;
    uint32_t a;
    uint64_t mid = 0;
    for (int i = 0; i < 50; i++) {
        char k[16];
        fake_now += 1000;
        snprintf(k, sizeof k, "k%03d", i);
        ck_assert_int_eq(hdb_txn_begin(e.db, 0, &t), HDB_OK);
        ck_assert_int_eq(hdb_ks_open(t, "kv", HDB_CREATE, &a), HDB_OK);
        ck_assert_int_eq(hdb_put(t, a, sv(k), sv("v")), HDB_OK);
        ck_assert_int_eq(hdb_txn_commit(t), HDB_OK);
        if (i == 24)
            mid = hdb_lsn(e.db);
    }
    hdb_branch_opts o = {0};
    o.as_of_lsn = mid;
    ck_assert_int_eq(hdb_branch_create(e.db, "half", "main", &o), HDB_OK);
    char cmd[4096], copy[600];
    snprintf(copy, sizeof copy, "%s/crash.db", e.dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && cp -r '%s-wal' '%s-wal'", e.path, copy, e.path, copy);
    ck_assert_int_eq(system(cmd), 0);
    hdb *c;
    ck_assert_int_eq(hdb_open(copy, &e.o, &c), HDB_OK);
    ck_assert_int_eq(hdb_branch_use(c, "half"), HDB_OK);
    tu_model m = {0};
    for (int i = 0; i < 25; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%03d", i);
        tu_model_put(&m, k, strlen(k), "v", 1);
    }
    compare(c, "kv", &m);
    tu_model_free(&m);
    check_clean(c);
    ck_assert_int_eq(hdb_close(c), HDB_OK);
    env_fini(&e);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("history");
    TCase *c = tcase_create("core");
    tcase_set_timeout(c, 600);
    tcase_add_test(c, test_as_of);
    tcase_add_test(c, test_retention_bounded);
    tcase_add_test(c, test_as_of_recovery);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
