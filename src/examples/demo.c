/*
** demo.c — the branching workflow, end to end, printing what it does.
**
**   demo [FILE]      (default: heliosdb-demo.db, created afresh)
**
** 1. load 10,000 customer rows into "main";
** 2. create the branch "dev" from "main" (one root reference) and time it;
** 3. change, add and delete rows on "dev", and show that "main" is untouched;
** 4. list the branches with their sizes;
** 5. change main meanwhile, then merge "dev" into "main" (three-way);
** 6. drop "dev", checkpoint, reopen and verify the whole file.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "heliosdb.h"

#define ROWS 10000

static hdb *db;

static void die(const char *what, int rc)
{
    fprintf(stderr, "demo: %s: %s (%s)\n", what, hdb_errstr(rc), hdb_errmsg(db));
    exit(1);
}

#define TRY(what, call)                                                                    \
    do {                                                                                   \
        int rc_ = (call);                                                                  \
        if (rc_ != HDB_OK)                                                                 \
            die(what, rc_);                                                                \
    } while (0)

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static hdb_val str(const char *s) { return (hdb_val){s, strlen(s)}; }

static void load(void)
{
    hdb_txn *t;
    uint32_t ks;
    char k[32], v[96];
    TRY("begin", hdb_txn_begin(db, 0, &t));
    TRY("keyspace", hdb_ks_open(t, "customers", HDB_CREATE, &ks));
    for (int i = 0; i < ROWS; i++) {
        snprintf(k, sizeof k, "cust:%06d", i);
        snprintf(v, sizeof v, "{\"name\":\"Customer %d\",\"tier\":\"basic\",\"balance\":%d}", i,
                 i * 7 % 1000);
        TRY("put", hdb_put(t, ks, str(k), str(v)));
    }
    TRY("commit", hdb_txn_commit(t));
    printf("main: loaded %d rows into keyspace 'customers' (LSN %llu)\n", ROWS,
           (unsigned long long)hdb_lsn(db));
}

static void show(const char *branch, const char *key)
{
    hdb_txn *t;
    uint32_t ks;
    hdb_val v;
    TRY("use", hdb_branch_use(db, branch));
    TRY("begin", hdb_txn_begin(db, HDB_TXN_READ, &t));
    TRY("keyspace", hdb_ks_open(t, "customers", 0, &ks));
    int rc = hdb_get(t, ks, str(key), &v);
    if (rc == HDB_OK)
        printf("  %-5s %s = %.*s\n", branch, key, (int)v.size, (const char *)v.data);
    else
        printf("  %-5s %s is absent\n", branch, key);
    hdb_txn_abort(t);
}

static long count(const char *branch)
{
    hdb_txn *t;
    hdb_cursor *c;
    uint32_t ks;
    long n = 0;
    TRY("use", hdb_branch_use(db, branch));
    TRY("begin", hdb_txn_begin(db, HDB_TXN_READ, &t));
    TRY("keyspace", hdb_ks_open(t, "customers", 0, &ks));
    TRY("cursor", hdb_cursor_open(t, ks, &c));
    for (int rc = hdb_cursor_first(c); rc == HDB_OK; rc = hdb_cursor_next(c))
        n++;
    hdb_cursor_close(c);
    hdb_txn_abort(t);
    return n;
}

static void work_on_dev(void)
{
    hdb_txn *t;
    uint32_t ks;
    TRY("use dev", hdb_branch_use(db, "dev"));
    TRY("begin", hdb_txn_begin(db, 0, &t));
    TRY("keyspace", hdb_ks_open(t, "customers", 0, &ks));
    TRY("put", hdb_put(t, ks, str("cust:000042"),
                       str("{\"name\":\"Customer 42\",\"tier\":\"gold\",\"balance\":9000}")));
    TRY("put", hdb_put(t, ks, str("cust:999999"), str("{\"name\":\"Test account\"}")));
    TRY("del", hdb_del(t, ks, str("cust:000007")));
    TRY("commit", hdb_txn_commit(t));
    printf("dev: upgraded cust:000042, added cust:999999, deleted cust:000007\n");
}

static void list(void)
{
    hdb_branch_info *b;
    size_t n;
    TRY("list", hdb_branch_list(db, &b, &n));
    printf("  %-6s %-6s %8s %12s %12s  %s\n", "branch", "parent", "head", "own bytes",
           "shared bytes", "description");
    for (size_t i = 0; i < n; i++)
        printf("  %-6s %-6s %8llu %12llu %12llu  %s\n", b[i].name, b[i].parent,
               (unsigned long long)b[i].head_lsn, (unsigned long long)b[i].owned_bytes,
               (unsigned long long)b[i].shared_bytes, b[i].description ? b[i].description : "");
    hdb_branch_list_free(b, n);
}

static void merge(void)
{
    hdb_txn *t;
    uint32_t ks;
    hdb_merge_result *r;
    TRY("use main", hdb_branch_use(db, "main"));
    TRY("begin", hdb_txn_begin(db, 0, &t));
    TRY("keyspace", hdb_ks_open(t, "customers", 0, &ks));
    TRY("put", hdb_put(t, ks, str("cust:000100"),
                       str("{\"name\":\"Customer 100\",\"tier\":\"silver\",\"balance\":700}")));
    TRY("commit", hdb_txn_commit(t));
    printf("\nmain: meanwhile upgraded cust:000100\n");
    double t0 = now_us();
    int rc = hdb_branch_merge(db, "dev", "main", NULL, &r);
    double t1 = now_us();
    if (rc != HDB_OK)
        die("merge", rc);
    printf("merged 'dev' into 'main' in %.0f us: %llu added, %llu changed, %llu deleted, "
           "%zu conflicts\n", t1 - t0, (unsigned long long)r->added,
           (unsigned long long)r->changed, (unsigned long long)r->deleted, r->nconflicts);
    hdb_merge_result_free(r);
    show("main", "cust:000042");
    show("main", "cust:000100");
    show("main", "cust:000007");
    printf("  rows: main %ld\n", count("main"));
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "heliosdb-demo.db";
    char wal[4096];
    snprintf(wal, sizeof wal, "rm -rf '%s-wal'", path);
    unlink(path);
    if (system(wal) != 0)
        return 1;
    printf("HeliosDB Nano %s demo on %s\n\n", HDB_VERSION, path);
    TRY("open", hdb_open(path, NULL, &db));
    load();

    hdb_branch_opts o = {0};
    o.description = "try a data migration";
    double t0 = now_us();
    TRY("create branch", hdb_branch_create(db, "dev", "main", &o));
    double t1 = now_us();
    printf("\ncreated branch 'dev' from 'main' in %.0f us (copies one root, whatever the size)\n",
           t1 - t0);

    work_on_dev();
    printf("\nisolation:\n");
    show("main", "cust:000042");
    show("dev", "cust:000042");
    show("main", "cust:000007");
    show("dev", "cust:000007");
    printf("  rows: main %ld, dev %ld\n\n", count("main"), count("dev"));
    list();

    merge();
    TRY("use main", hdb_branch_use(db, "main"));
    TRY("drop", hdb_branch_drop(db, "dev"));
    printf("\ndropped 'dev': the pages only it owned are free again\n");
    TRY("checkpoint", hdb_checkpoint(db));
    TRY("close", hdb_close(db));
    db = NULL;

    TRY("reopen", hdb_open(path, NULL, &db));
    char *report = NULL;
    int rc = hdb_check(db, &report);
    printf("reopened: main has %ld rows; integrity check: %s", count("main"),
           report ? report : "\n");
    hdb_free(report);
    if (rc != HDB_OK)
        die("check", rc);
    TRY("close", hdb_close(db));
    printf("\ndemo finished.\n");
    return 0;
}
