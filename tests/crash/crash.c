/*
** crash.c — kill -9 torture: every acknowledged commit survives, nothing
** unacknowledged is half there.
**
**   crash [--cycles N] [--seed S] [--dir D]
**
** Each cycle forks a child that opens the database (recovering it), and
** runs random transactions on three branches.  Transaction s on branch b
** writes keys "t<s>.<j>" (j < J) with value s, deletes the keys of an
** older transaction now and then, and sets "counter" to s; after the
** commit returns the child reports (b, s) to the parent through a pipe.
** The parent kills the child at a random moment with SIGKILL, then opens
** the database itself and checks, per branch:
**   - counter >= the last s acknowledged for the branch (durability);
**   - every transaction present is whole: all J keys or none, and none of
**     its own newer than the counter (atomicity; keys are t<s>.<b>.<j>, and
**     a merge brings another branch's, numbered by that branch's counter);
**   - hdb_check() is clean.
** Each transaction also draws a number q from a database-wide sequence
** (hdb_seq_next) and writes key "q<q>" = "<b>:<s>": after recovery no
** number may be above the sequence's value, and one number found on two
** branches must come from one transaction (a merge copies it), never from
** two (a number handed out twice).
** Keyspace "big" holds JBIG keys "u<b>.<j>" per branch b, created on main
** (value s = 0) before the branches fork; one transaction s in 16 of
** branch b rewrites all of b's with s, in fixed-width values, so no page
** ever splits there: main and a branch then change different whole leaves
** of trees of one shape, and a merge into main takes the branch's leaves by
** grafting (one log record per subtree).  Kills thus land inside grafting
** merges and their replay.  After a kill, each group "u<b>.*" holds one
** value everywhere: 0 or a big transaction of branch b.
** Branch creation, checkpoints and merges happen in the child too, so
** kills land inside them as well.  Every 250 cycles start from a new file.
*/
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "heliosdb.h"

#define J 4
#define JBIG 600
#define NB 3
static const char *bn[NB] = {"main", "b1", "b2"};

static void fail(const char *fmt, const char *a, long x)
{
    fprintf(stderr, "crash: ");
    fprintf(stderr, fmt, a, x);
    fprintf(stderr, "\n");
    exit(1);
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static hdb_val sv(const char *s) { return (hdb_val){s, strlen(s)}; }

/* Does transaction s of branch b also rewrite b's keys in "big"? */
static int is_big(long s, int b) { return (s * NB + b) % 16 == 7; }

/* Write group b of keyspace "big" with value s (8 digits). */
static int big_put(hdb_txn *t, int b, long s)
{
    uint32_t ks;
    char k[16], v[24];
    int rc = hdb_ks_open(t, "big", HDB_CREATE, &ks);
    snprintf(v, sizeof v, "%08ld", s);
    for (int j = 0; j < JBIG && rc == HDB_OK; j++) {
        snprintf(k, sizeof k, "u%d.%03d", b, j);
        rc = hdb_put(t, ks, sv(k), sv(v));
    }
    return rc;
}

/* Create keyspace "big" on main (all groups 0) unless it is there. */
static void big_init(hdb *db)
{
    hdb_txn *t;
    uint32_t ks;
    if (hdb_branch_use(db, "main") != HDB_OK || hdb_txn_begin(db, 0, &t) != HDB_OK)
        _exit(12);
    if (hdb_ks_open(t, "big", 0, &ks) == HDB_OK) {
        hdb_txn_abort(t);
        return;
    }
    for (int b = 0; b < NB; b++)
        if (big_put(t, b, 0) != HDB_OK)
            _exit(12);
    if (hdb_txn_commit(t) != HDB_OK)
        _exit(12);
}

/* The counter of branch b (0 if none). */
static long counter(hdb *db, int b)
{
    hdb_txn *t;
    uint32_t ks;
    hdb_val v;
    long c = 0;
    if (hdb_branch_use(db, bn[b]) != HDB_OK || hdb_txn_begin(db, HDB_TXN_READ, &t) != HDB_OK)
        fail("cannot read branch %s (%ld)", bn[b], 0);
    if (hdb_ks_open(t, "kv", 0, &ks) == HDB_OK && hdb_get(t, ks, sv("counter"), &v) == HDB_OK)
        c = strtol((const char *)v.data, NULL, 10);
    hdb_txn_abort(t);
    return c;
}

static void child(const char *path, int fd, uint64_t seed)
{
    hdb *db;
    hdb_options o;
    hdb_options_init(&o);
    o.checkpoint_bytes = 256 << 10;
    o.cache_bytes = 256 << 10;
    if (hdb_open(path, &o, &db) != HDB_OK)
        _exit(3);
    big_init(db); /* before the branches fork: all trees of "big" share one shape */
    for (int b = 1; b < NB; b++) {
        int rc = hdb_branch_create(db, bn[b], "main", NULL);
        if (rc != HDB_OK && rc != HDB_EXISTS)
            _exit(4);
    }
    long seq[NB];
    for (int b = 0; b < NB; b++)
        seq[b] = counter(db, b);
    for (;;) {
        int b = (int)(rnd(&seed) % NB);
        hdb_txn *t;
        uint32_t ks;
        char k[32], v[32];
        long s = seq[b] + 1;
        if (hdb_branch_use(db, bn[b]) != HDB_OK || hdb_txn_begin(db, 0, &t) != HDB_OK ||
            hdb_ks_open(t, "kv", HDB_CREATE, &ks) != HDB_OK)
            _exit(5);
        snprintf(v, sizeof v, "%ld", s);
        for (int j = 0; j < J; j++) {
            snprintf(k, sizeof k, "t%08ld.%d.%d", s, b, j);
            if (hdb_put(t, ks, sv(k), sv(v)) != HDB_OK)
                _exit(6);
        }
        if (is_big(s, b) && big_put(t, b, s) != HDB_OK)
            _exit(6);
        if (s > 10 && rnd(&seed) % 3 == 0) { /* delete an older transaction whole */
            long old = 1 + (long)(rnd(&seed) % (uint64_t)(s - 5));
            for (int j = 0; j < J; j++) {
                snprintf(k, sizeof k, "t%08ld.%d.%d", old, b, j);
                int rc = hdb_del(t, ks, sv(k));
                if (rc != HDB_OK && rc != HDB_NOTFOUND)
                    _exit(7);
            }
        }
        int64_t q;
        char qv[48];
        snprintf(qv, sizeof qv, "%d:%ld", b, s);
        if (hdb_seq_next(t, 1, 0, &q) != HDB_OK)
            _exit(10);
        snprintf(k, sizeof k, "q%020lld", (long long)q);
        if (hdb_put(t, ks, sv(k), sv(qv)) != HDB_OK)
            _exit(11);
        if (hdb_put(t, ks, sv("counter"), sv(v)) != HDB_OK || hdb_txn_commit(t) != HDB_OK)
            _exit(8);
        seq[b] = s;
        long msg[2] = {b, s};
        if (write(fd, msg, sizeof msg) != sizeof msg)
            _exit(9);
        uint64_t r = rnd(&seed) % 100;
        if (r == 0)
            hdb_checkpoint(db);
        else if (r <= 3 && b != 0 && hdb_branch_use(db, "main") == HDB_OK)
            hdb_branch_merge(db, bn[b], "main", &(hdb_merge_opts){.policy = HDB_MERGE_OURS}, NULL);
    }
}

/* The sequence numbers met on the branches: "q<q>" = origin. */
typedef struct qkey {
    long long q;
    char origin[24];
} qkey;

static qkey *qs;
static size_t nq, qcap;

static void q_add(const hdb_val *k, const hdb_val *v)
{
    if (nq == qcap) {
        qcap = qcap ? qcap * 2 : 1024;
        if (!(qs = realloc(qs, qcap * sizeof *qs)))
            fail("out of memory (%s %ld)", "", 0);
    }
    char num[32];
    snprintf(num, sizeof num, "%.*s", (int)(k->size - 1), (const char *)k->data + 1);
    qs[nq].q = strtoll(num, NULL, 10);
    snprintf(qs[nq].origin, sizeof qs[nq].origin, "%.*s", (int)v->size, (const char *)v->data);
    nq++;
}

static int qcmp(const void *a, const void *b)
{
    const qkey *x = a, *y = b;
    return x->q < y->q ? -1 : x->q > y->q;
}

/* No number above the sequence; one number, one transaction. */
static void verify_seq(hdb *db)
{
    hdb_txn *t;
    int64_t last = 0;
    if (hdb_txn_begin(db, HDB_TXN_READ, &t) != HDB_OK || hdb_seq_get(t, 1, &last) != HDB_OK)
        fail("cannot read the sequence (%s %ld)", "", 0);
    hdb_txn_abort(t);
    qsort(qs, nq, sizeof *qs, qcmp);
    for (size_t i = 0; i < nq; i++) {
        if (qs[i].q > last)
            fail("number %s%ld is above the sequence", "", (long)qs[i].q);
        if (i && qs[i].q == qs[i - 1].q && strcmp(qs[i].origin, qs[i - 1].origin))
            fail("number %s%ld was handed out twice", "", (long)qs[i].q);
    }
    nq = 0;
}

/* On branch b, each group of "big" holds one value: 0 or the s of a big
 * transaction of the group's branch (not newer than b's counter c when the
 * group is b's own). */
static void verify_big(hdb_txn *t, int b, long c)
{
    uint32_t ks;
    hdb_cursor *cur;
    hdb_val k, v;
    long val[NB];
    int n[NB] = {0};
    if (hdb_ks_open(t, "big", 0, &ks) != HDB_OK)
        return;
    hdb_cursor_open(t, ks, &cur);
    for (int rc = hdb_cursor_first(cur); rc == HDB_OK; rc = hdb_cursor_next(cur)) {
        char num[16];
        hdb_cursor_get(cur, &k, &v);
        int g = k.size == 6 ? ((const char *)k.data)[1] - '0' : -1;
        snprintf(num, sizeof num, "%.*s", (int)(v.size < 15 ? v.size : 15), (const char *)v.data);
        long s = strtol(num, NULL, 10);
        if (g < 0 || g >= NB || v.size != 8 || (s && !is_big(s, g)) || (n[g] && s != val[g]) ||
            (g == b && s > c))
            fail("branch %s: keyspace big is not whole (value %ld)", bn[b], s);
        val[g] = s;
        n[g]++;
    }
    hdb_cursor_close(cur);
    for (int g = 0; g < NB; g++)
        if (n[g] != JBIG)
            fail("branch %s: keyspace big lacks keys of group %ld", bn[b], g);
}

/* Every transaction on branch b is whole and not newer than its counter. */
static void verify_branch(hdb *db, int b, long acked)
{
    long c = counter(db, b);
    if (c < acked)
        fail("branch %s lost acknowledged commits (counter %ld)", bn[b], c);
    hdb_txn *t;
    uint32_t ks;
    hdb_cursor *cur;
    hdb_val k, v;
    if (hdb_txn_begin(db, HDB_TXN_READ, &t) != HDB_OK)
        fail("begin on %s (%ld)", bn[b], 0);
    verify_big(t, b, c);
    if (hdb_ks_open(t, "kv", 0, &ks) != HDB_OK) {
        hdb_txn_abort(t);
        return;
    }
    hdb_cursor_open(t, ks, &cur);
    long cur_s = -1;
    int n = 0;
    for (int rc = hdb_cursor_first(cur); rc == HDB_OK; rc = hdb_cursor_next(cur)) {
        hdb_cursor_get(cur, &k, &v);
        if (k.size > 1 && ((const char *)k.data)[0] == 'q')
            q_add(&k, &v);
        if (k.size < 10 || ((const char *)k.data)[0] != 't')
            continue;
        long s = strtol((const char *)k.data + 1, NULL, 10);
        /* A merge brings the transactions of another branch (key
         * t<s>.<branch>.<j>), numbered by that branch's counter: only this
         * branch's own are bounded by its; each is whole wherever it is. */
        long from = strtol((const char *)k.data + 10, NULL, 10);
        if (from == b && s > c)
            fail("branch %s holds a transaction newer than its counter (%ld)", bn[b], s);
        if (s * NB + from != cur_s) {
            if (cur_s >= 0 && n != J)
                fail("branch %s: transaction %ld is partly there", bn[b], cur_s / NB);
            cur_s = s * NB + from;
            n = 0;
        }
        n++;
    }
    if (cur_s >= 0 && n != J)
        fail("branch %s: transaction %ld is partly there", bn[b], cur_s / NB);
    hdb_cursor_close(cur);
    hdb_txn_abort(t);
}

static void verify(const char *path, const long *acked)
{
    hdb *db;
    char *rep = NULL;
    int rc = hdb_open(path, NULL, &db);
    if (rc != HDB_OK)
        fail("reopen failed: %s (%ld)", hdb_errstr(rc), rc);
    for (int b = 0; b < NB; b++)
        if (hdb_branch_use(db, bn[b]) == HDB_OK)
            verify_branch(db, b, acked[b]);
        else if (acked[b])
            fail("branch %s vanished (%ld)", bn[b], acked[b]);
    verify_seq(db);
    if (hdb_check(db, &rep) != HDB_OK)
        fail("integrity check: %s (%ld)", rep ? rep : "?", 0);
    hdb_free(rep);
    hdb_close(db);
}

int main(int argc, char **argv)
{
    int cycles = 200;
    uint64_t seed = (uint64_t)time(NULL);
    const char *dir = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--cycles"))
            cycles = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed"))
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
    }
    char tmpl[] = "/tmp/hdb-crash-XXXXXX", path[4200];
    if (!dir && !(dir = mkdtemp(tmpl)))
        return 1;
    snprintf(path, sizeof path, "%s/crash.db", dir);
    printf("crash torture: %d cycles, seed %llu, %s\n", cycles, (unsigned long long)seed, path);
    long acked[NB] = {0};
    uint64_t rs = seed | 1;
    long commits = 0;
    for (int cyc = 0; cyc < cycles; cyc++) {
        int p[2];
        if (cyc % 250 == 0) { /* a fresh database now and then keeps cycles short */
            char cmd[8500];
            snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s-wal'", path, path);
            if (system(cmd) != 0)
                return 1;
            memset(acked, 0, sizeof acked);
        }
        if (pipe(p) != 0)
            return 1;
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            child(path, p[1], seed + (uint64_t)cyc * 7919);
        }
        close(p[1]);
        struct timespec d = {0, (long)(1 + rnd(&rs) % 40) * 1000000L};
        nanosleep(&d, NULL);
        kill(pid, SIGKILL);
        long msg[2];
        ssize_t got;
        while ((got = read(p[0], msg, sizeof msg)) == (ssize_t)sizeof msg) {
            acked[msg[0]] = msg[1];
            commits++;
        }
        close(p[0]);
        int st;
        waitpid(pid, &st, 0);
        if (WIFEXITED(st))
            fail("the child failed%s with status %ld", "", (long)WEXITSTATUS(st));
        verify(path, acked);
    }
    printf("crash torture: %d cycles, %ld acknowledged commits, all present and whole\n", cycles,
           commits);
    if (dir == tmpl) {
        char cmd[4300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 1;
    }
    return 0;
}
