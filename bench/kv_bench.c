/*
** kv_bench.c — HeliosDB Nano against LMDB on the same data, in one run.
**
**   kv_bench [--keys N] [--commits N] [--quick] [--only PART]
**
** PART runs one part alone: "kv" (the table against LMDB), "branch" (the
** branch rows), "merge" (only the merge rows) or "history".
**
** Key-value: bulk load of N keys (16-byte keys in a fixed random order,
** 100-byte values) in one transaction; N random point gets; a full ordered
** scan; C durable single-put commits (HeliosDB sync=full: one fsync per
** commit; LMDB's default durable commits).  Branches: creation at 10,000
** and at N keys; point-in-time creation 10 and 10,000 commits back; a
** three-way merge of 10,000 changed keys (5,000 per side) into a keyspace
** of N keys and of 10,000 keys (with the pages it read from the file), and
** the first again after a reopen (the cache cold); a
** diff of 10 changed keys at N keys; the space a branch with 10% of N keys
** updated adds; the space 7 days of history keep under a steady workload.
**
** Times are wall-clock (CLOCK_MONOTONIC); ratios are ours / LMDB's, so
** below 1 means faster.  Peak RSS is the process's (getrusage).  LMDB
** reads through the OS page cache; HeliosDB through its own cache
** (cache_bytes; the default 8 MiB unless stated).
*/
#include <dirent.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "heliosdb.h"

static long nkeys = 1000000, ncommits = 10000;
static const char *only; /* run one part (NULL = all) */

static int part(const char *name) { return !only || !strcmp(only, name); }
static char tmpdir[] = "/tmp/hdb-bench-XXXXXX";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static void hcheck(int rc, hdb *db, const char *what)
{
    if (rc != HDB_OK) {
        fprintf(stderr, "kv_bench: %s: %s (%s)\n", what, hdb_errstr(rc), db ? hdb_errmsg(db) : "");
        exit(1);
    }
}

static void lcheck(int rc, const char *what)
{
    if (rc != MDB_SUCCESS) {
        fprintf(stderr, "kv_bench: lmdb %s: %s\n", what, mdb_strerror(rc));
        exit(1);
    }
}

/* Key i of a fixed pseudo-random order: a bijection of [0, n). */
static long perm(long i, long n)
{
    return (long)(((unsigned long long)i * 2654435761ULL + 12345) % (unsigned long long)n);
}

static void key(char *k, long i) { snprintf(k, 32, "key%012ld", i % 1000000000000L); }
static void val(char *v, long i, int gen)
{
    memset(v, 'a' + (int)((i + gen) % 26), 100);
    snprintf(v, 100, "value-%ld-%d", i, gen);
}

static uint64_t du(const char *path)
{
    struct stat st;
    uint64_t n = 0;
    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return (uint64_t)st.st_size;
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char p[4200];
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        n += du(p);
    }
    if (d)
        closedir(d);
    return n;
}

static void row(const char *op, double ours, double theirs, long ops)
{
    if (theirs > 0)
        printf("%-44s %10.3f s %10.3f s %7.2f  %12.0f/s\n", op, ours, theirs, ours / theirs,
               ops / ours);
    else
        printf("%-44s %10.3f s %12s %7s  %12.0f/s\n", op, ours, "n/a", "", ops / ours);
}

/* ------------------------------------------------------------------------
** HeliosDB
*/
typedef struct htimes {
    double load, gets, scan, commits;
} htimes;

static hdb *hopen(const char *name, int sync, size_t cache)
{
    char path[4200];
    hdb *db;
    hdb_options o;
    hdb_options_init(&o);
    o.sync = sync;
    if (cache)
        o.cache_bytes = cache;
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    hcheck(hdb_open(path, &o, &db), NULL, "open");
    return db;
}

static void hload(hdb *db, long n, const char *ks_name)
{
    hdb_txn *t;
    uint32_t ks;
    char k[32], v[128];
    hcheck(hdb_txn_begin(db, 0, &t), db, "begin");
    hcheck(hdb_ks_open(t, ks_name, HDB_CREATE, &ks), db, "ks");
    for (long i = 0; i < n; i++) {
        long x = perm(i, n);
        key(k, x);
        val(v, x, 0);
        hcheck(hdb_put(t, ks, (hdb_val){k, 15}, (hdb_val){v, 100}), db, "put");
    }
    hcheck(hdb_txn_commit(t), db, "commit");
}

static void hbench(htimes *ht, size_t cache)
{
    hdb *db = hopen(cache ? "kvbig.db" : "kv.db", HDB_SYNC_FULL, cache);
    hdb_txn *t;
    uint32_t ks;
    hdb_cursor *c;
    char k[32], v[128];
    double t0 = now();
    hload(db, nkeys, "kv");
    ht->load = now() - t0;
    t0 = now();
    hcheck(hdb_txn_begin(db, HDB_TXN_READ, &t), db, "begin");
    hcheck(hdb_ks_open(t, "kv", 0, &ks), db, "ks");
    for (long i = 0; i < nkeys; i++) {
        hdb_val out;
        key(k, perm(i * 7 + 3, nkeys));
        hcheck(hdb_get(t, ks, (hdb_val){k, 15}, &out), db, "get");
    }
    ht->gets = now() - t0;
    t0 = now();
    long n = 0;
    hcheck(hdb_cursor_open(t, ks, &c), db, "cursor");
    for (int rc = hdb_cursor_first(c); rc == HDB_OK; rc = hdb_cursor_next(c)) {
        hdb_val a, b;
        hdb_cursor_get(c, &a, &b);
        n++;
    }
    hdb_cursor_close(c);
    hdb_txn_abort(t);
    ht->scan = now() - t0;
    if (n != nkeys)
        fprintf(stderr, "kv_bench: scan saw %ld keys\n", n), exit(1);
    if (!cache) {
        t0 = now();
        for (long i = 0; i < ncommits; i++) {
            hcheck(hdb_txn_begin(db, 0, &t), db, "begin");
            hcheck(hdb_ks_open(t, "kv", 0, &ks), db, "ks");
            key(k, perm(i, nkeys));
            val(v, i, 1);
            hcheck(hdb_put(t, ks, (hdb_val){k, 15}, (hdb_val){v, 100}), db, "put");
            hcheck(hdb_txn_commit(t), db, "commit");
        }
        ht->commits = now() - t0;
    }
    hcheck(hdb_close(db), NULL, "close");
}

/* ------------------------------------------------------------------------
** LMDB
*/
static void lbench(htimes *lt)
{
    MDB_env *env;
    MDB_txn *t;
    MDB_dbi dbi;
    MDB_cursor *c;
    MDB_val mk, mv;
    char k[32], v[128], path[4200];
    snprintf(path, sizeof path, "%s/lmdb", tmpdir);
    mkdir(path, 0755);
    lcheck(mdb_env_create(&env), "create");
    lcheck(mdb_env_set_mapsize(env, (size_t)8 << 30), "mapsize");
    lcheck(mdb_env_open(env, path, 0, 0644), "open");
    double t0 = now();
    lcheck(mdb_txn_begin(env, NULL, 0, &t), "begin");
    lcheck(mdb_dbi_open(t, NULL, 0, &dbi), "dbi");
    for (long i = 0; i < nkeys; i++) {
        long x = perm(i, nkeys);
        key(k, x);
        val(v, x, 0);
        mk = (MDB_val){15, k};
        mv = (MDB_val){100, v};
        lcheck(mdb_put(t, dbi, &mk, &mv, 0), "put");
    }
    lcheck(mdb_txn_commit(t), "commit");
    lt->load = now() - t0;
    t0 = now();
    lcheck(mdb_txn_begin(env, NULL, MDB_RDONLY, &t), "begin");
    for (long i = 0; i < nkeys; i++) {
        key(k, perm(i * 7 + 3, nkeys));
        mk = (MDB_val){15, k};
        lcheck(mdb_get(t, dbi, &mk, &mv), "get");
    }
    lt->gets = now() - t0;
    t0 = now();
    long n = 0;
    lcheck(mdb_cursor_open(t, dbi, &c), "cursor");
    while (mdb_cursor_get(c, &mk, &mv, n ? MDB_NEXT : MDB_FIRST) == MDB_SUCCESS)
        n++;
    mdb_cursor_close(c);
    mdb_txn_abort(t);
    lt->scan = now() - t0;
    t0 = now();
    for (long i = 0; i < ncommits; i++) {
        lcheck(mdb_txn_begin(env, NULL, 0, &t), "begin");
        key(k, perm(i, nkeys));
        val(v, i, 1);
        mk = (MDB_val){15, k};
        mv = (MDB_val){100, v};
        lcheck(mdb_put(t, dbi, &mk, &mv, 0), "put");
        lcheck(mdb_txn_commit(t), "commit");
    }
    lt->commits = now() - t0;
    mdb_env_close(env);
}

/* ------------------------------------------------------------------------
** Branches
*/
static double median(double *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    return v[n / 2];
}

/* Median time of creating (and dropping) a branch of a database of n keys. */
static double branch_create_us(long n, int sync)
{
    char name[64];
    snprintf(name, sizeof name, "br%ld-%d.db", n, sync);
    hdb *db = hopen(name, sync, 0);
    double v[21];
    hload(db, n, "kv");
    for (int i = 0; i < 21; i++) {
        double t0 = now();
        hcheck(hdb_branch_create(db, "b", "main", NULL), db, "branch");
        v[i] = (now() - t0) * 1e6;
        hcheck(hdb_branch_drop(db, "b"), db, "drop");
    }
    hcheck(hdb_close(db), NULL, "close");
    return median(v, 21);
}

static void put_range(hdb *db, const char *branch, long from, long to, long stride, int gen)
{
    hdb_txn *t;
    uint32_t ks;
    char k[32], v[128];
    hcheck(hdb_branch_use(db, branch), db, "use");
    hcheck(hdb_txn_begin(db, 0, &t), db, "begin");
    hcheck(hdb_ks_open(t, "kv", 0, &ks), db, "ks");
    for (long i = from; i < to; i += stride) {
        key(k, i);
        val(v, i, gen);
        hcheck(hdb_put(t, ks, (hdb_val){k, 15}, (hdb_val){v, 100}), db, "put");
    }
    hcheck(hdb_txn_commit(t), db, "commit");
}

static uint64_t merge_reads, merge_hits, merge_writes, merge_ckpts; /* of the last merge_ms() */
static double merge_cpu_ms;                              /* its CPU time */

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The merge of 10,000 changed keys into n keys; with reopen, the database
 * is closed and opened again before it: what the writer noted about the
 * leaves it changed (btree/track.c) comes back from the file the close
 * wrote (src/track_file.c), and the cache is cold. */
static double merge_ms(long n, int reopen)
{
    char name[64];
    snprintf(name, sizeof name, "merge%ld-%d.db", n, reopen);
    hdb *db = hopen(name, HDB_SYNC_NORMAL, 0);
    hload(db, n, "kv");
    hcheck(hdb_branch_create(db, "dev", "main", NULL), db, "branch");
    long stride = n / 10000 > 0 ? n / 10000 : 1;
    put_range(db, "dev", 0, n, stride * 2, 7);          /* 5,000 keys on dev */
    put_range(db, "main", stride, n, stride * 2, 8);    /* 5,000 other keys on main */
    hcheck(hdb_branch_use(db, "main"), db, "use");
    /* The setup's dirty pages go to the file first (as in any idle moment),
     * so the time is the merge's own and not a checkpoint of the setup. */
    hcheck(hdb_checkpoint(db), db, "checkpoint");
    if (reopen) {
        hcheck(hdb_close(db), NULL, "close");
        db = hopen(name, HDB_SYNC_NORMAL, 0);
        hcheck(hdb_branch_use(db, "main"), db, "use");
    }
    hdb_merge_result *r;
    hdb_stats s0, s1;
    hcheck(hdb_stats_get(db, &s0), db, "stats");
    double t0 = now(), c0 = cpu_now();
    hcheck(hdb_branch_merge(db, "dev", "main", NULL, &r), db, "merge");
    double ms = (now() - t0) * 1e3;
    merge_cpu_ms = (cpu_now() - c0) * 1e3;
    hcheck(hdb_stats_get(db, &s1), db, "stats");
    merge_reads = s1.page_reads - s0.page_reads;
    merge_hits = s1.cache_hits - s0.cache_hits;
    merge_writes = s1.page_writes - s0.page_writes;
    merge_ckpts = s1.checkpoints - s0.checkpoints;
    if (r->changed < 4000)
        fprintf(stderr, "kv_bench: merge changed only %llu keys\n", (unsigned long long)r->changed);
    hdb_merge_result_free(r);
    hcheck(hdb_close(db), NULL, "close");
    return ms;
}

static void merge_bench(void)
{
    double ms = merge_ms(10000, 0);
    printf("  merge of 10,000 changed keys (5,000 per side) into 10,000 keys: %8.2f ms"
           " (%.2f ms CPU; %llu pages read, %llu written, %llu cache hits, %llu checkpoints)\n",
           ms, merge_cpu_ms, (unsigned long long)merge_reads, (unsigned long long)merge_writes,
           (unsigned long long)merge_hits, (unsigned long long)merge_ckpts);
    ms = merge_ms(nkeys, 0);
    printf("  merge of 10,000 changed keys (5,000 per side) into %ld keys: %8.2f ms"
           " (target < 20 ms; %.2f ms CPU; %llu pages read, %llu written, %llu cache hits,"
           " %llu checkpoints)\n",
           nkeys, ms, merge_cpu_ms, (unsigned long long)merge_reads,
           (unsigned long long)merge_writes, (unsigned long long)merge_hits,
           (unsigned long long)merge_ckpts);
    ms = merge_ms(nkeys, 1);
    printf("  the same, the database reopened before the merge:           %8.2f ms"
           " (%.2f ms CPU; %llu pages read, %llu written, %llu cache hits)\n",
           ms, merge_cpu_ms, (unsigned long long)merge_reads, (unsigned long long)merge_writes,
           (unsigned long long)merge_hits);
}

static void branch_bench(void)
{
    printf("\nbranches (HeliosDB only)\n");
    if (!part("branch")) {
        merge_bench();
        return;
    }
    printf("  create, 10,000 keys, sync=full:   %8.1f us (median of 21)\n",
           branch_create_us(10000, HDB_SYNC_FULL));
    printf("  create, %ld keys, sync=full: %8.1f us\n", nkeys, branch_create_us(nkeys, HDB_SYNC_FULL));
    printf("  create, 10,000 keys, sync=off:    %8.1f us (the O(1) work without the commit's fsync)\n",
           branch_create_us(10000, HDB_SYNC_OFF));
    printf("  create, %ld keys, sync=off:  %8.1f us\n", nkeys, branch_create_us(nkeys, HDB_SYNC_OFF));

    /* Point in time, diff, space. */
    hdb *db = hopen("pit.db", HDB_SYNC_OFF, 0);
    hload(db, nkeys, "kv");
    hcheck(hdb_checkpoint(db), db, "checkpoint");
    uint64_t lsns[10001];
    for (int i = 0; i < 10000; i++) {
        put_range(db, "main", perm(i, nkeys), perm(i, nkeys) + 1, 1, 2);
        lsns[i] = hdb_lsn(db);
    }
    hdb_branch_opts o = {0};
    o.as_of_lsn = lsns[9999 - 10];
    double t0 = now();
    hcheck(hdb_branch_create(db, "pit10", "main", &o), db, "as of");
    double a = now() - t0;
    o.as_of_lsn = lsns[0];
    t0 = now();
    hcheck(hdb_branch_create(db, "pit10000", "main", &o), db, "as of");
    double b = now() - t0;
    printf("  as of 10 commits back, %ld keys:      %8.2f ms\n", nkeys, a * 1e3);
    printf("  as of 10,000 commits back, %ld keys:  %8.2f ms\n", nkeys, b * 1e3);

    /* Diff of 10 changed keys. */
    hcheck(hdb_branch_create(db, "d10", "main", NULL), db, "branch");
    for (int i = 0; i < 10; i++)
        put_range(db, "d10", perm(i * 1000, nkeys), perm(i * 1000, nkeys) + 1, 1, 9);
    hdb_diff *d;
    hdb_diff_entry e;
    int nd = 0;
    hcheck(hdb_branch_use(db, "main"), db, "use");
    t0 = now();
    hcheck(hdb_diff_open(db, "main", "d10", "kv", &d), db, "diff");
    while (hdb_diff_next(d, &e) == HDB_OK)
        nd++;
    hdb_diff_close(d);
    printf("  diff of %d changed keys at %ld keys:  %8.3f ms\n", nd, nkeys, (now() - t0) * 1e3);

    /* Space a branch with 10% of the keys updated adds (pages allocated):
     * a contiguous tenth, and every 10th key (every leaf changes). */
    hdb_stats s0, s1, s2;
    hcheck(hdb_checkpoint(db), db, "checkpoint");
    hcheck(hdb_stats_get(db, &s0), db, "stats");
    hcheck(hdb_branch_create(db, "ten", "main", NULL), db, "branch");
    put_range(db, "ten", 0, nkeys / 10, 1, 5);
    hcheck(hdb_checkpoint(db), db, "checkpoint");
    hcheck(hdb_stats_get(db, &s1), db, "stats");
    hcheck(hdb_branch_create(db, "spread", "main", NULL), db, "branch");
    put_range(db, "spread", 0, nkeys, 10, 5);
    hcheck(hdb_checkpoint(db), db, "checkpoint");
    hcheck(hdb_stats_get(db, &s2), db, "stats");
    double base = (double)nkeys * 115; /* bytes of keys and values */
    printf("  branch with a contiguous 10%% of keys updated adds %.1f MiB = %.1f%% of the data"
           " (target <= 15%%)\n", (s1.live_pages - s0.live_pages) * 4096 / 1048576.0,
           100.0 * (s1.live_pages - s0.live_pages) * 4096 / base);
    printf("  branch with every 10th key updated adds %.1f MiB = %.1f%% (every leaf is copied)\n",
           (s2.live_pages - s1.live_pages) * 4096 / 1048576.0,
           100.0 * (s2.live_pages - s1.live_pages) * 4096 / base);
    hcheck(hdb_close(db), NULL, "close");
    merge_bench();
}

/* Space held by history: a steady workload over 7 simulated days. */
static int64_t fake_clock;
static int64_t clockf(void *ctx) { (void)ctx; return fake_clock; }

static void history_bench(void)
{
    char path[4200];
    hdb *db;
    hdb_options o;
    long live = nkeys / 10;
    hdb_options_init(&o);
    o.sync = HDB_SYNC_OFF;
    o.clock_us = clockf;
    fake_clock = 1700000000000000LL;
    snprintf(path, sizeof path, "%s/hist.db", tmpdir);
    hcheck(hdb_open(path, &o, &db), NULL, "open");
    hload(db, live, "kv");
    /* 14 days: 2,000 updates an hour in 20 commits of 100 keys. */
    for (int hour = 0; hour < 14 * 24; hour++)
        for (int c = 0; c < 20; c++) {
            fake_clock += 180000000LL;
            long base = perm(hour * 20 + c, live);
            put_range(db, "main", base, base + 100 < live ? base + 100 : live, 1, hour);
        }
    hcheck(hdb_checkpoint(db), db, "checkpoint");
    char wal[4300];
    snprintf(wal, sizeof wal, "%s-wal", path);
    printf("\nhistory: %ld keys x 100 B live, 2,000 updates/hour for 14 days, retention 7 days\n", live);
    printf("  file %.1f MiB + log %.1f MiB, for %.1f MiB of live data\n", du(path) / 1048576.0,
           du(wal) / 1048576.0, live * 115 / 1048576.0);
    hcheck(hdb_close(db), NULL, "close");
}

static void kv_table(void);

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            nkeys = 100000, ncommits = 2000;
        else if (!strcmp(argv[i], "--keys") && i + 1 < argc)
            nkeys = atol(argv[++i]);
        else if (!strcmp(argv[i], "--commits") && i + 1 < argc)
            ncommits = atol(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
    }
    if (!mkdtemp(tmpdir))
        return 1;
    printf("HeliosDB Nano %s vs LMDB %d.%d.%d: %ld keys (16 B keys, 100 B values), %ld commits\n",
           HDB_VERSION, MDB_VERSION_MAJOR, MDB_VERSION_MINOR, MDB_VERSION_PATCH, nkeys, ncommits);
    if (part("kv"))
        kv_table();
    if (part("branch") || part("merge"))
        branch_bench();
    if (part("history"))
        history_bench();
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) != 0;
}

static void kv_table(void)
{
    printf("ratio = HeliosDB / LMDB (below 1: HeliosDB is faster)\n\n");
    printf("%-44s %12s %12s %7s  %14s\n", "operation", "HeliosDB", "LMDB", "ratio", "HeliosDB rate");
    htimes h = {0}, hb = {0}, l = {0};
    hbench(&h, 0);
    long rss_h = rss_mb();
    hbench(&hb, 64u << 20);
    lbench(&l);
    row("bulk load (one transaction)", h.load, l.load, nkeys);
    row("random point gets", h.gets, l.gets, nkeys);
    row("full ordered scan", h.scan, l.scan, nkeys);
    row("durable single-put commits (sync=full)", h.commits, l.commits, ncommits);
    row("bulk load, cache 64 MiB", hb.load, l.load, nkeys);
    row("random point gets, cache 64 MiB", hb.gets, l.gets, nkeys);
    printf("peak RSS after the HeliosDB runs with the 8 MiB cache: %ld MiB; at the end: %ld MiB\n",
           rss_h, rss_mb());
    printf("targets: load <= 1.0, gets <= 1.5, commit rate >= 2x LMDB (ratio <= 0.5)\n");
}
