/* embed.c — the smallest useful program: store a key, branch, read it back. */
#include <stdio.h>
#include "heliosdb.h"

int main(int argc, char **argv)
{
    hdb *db;
    hdb_txn *t;
    uint32_t ks;
    hdb_val v;
    int rc = hdb_open(argc > 1 ? argv[1] : "embed.db", NULL, &db);
    if (rc != HDB_OK)
        return fprintf(stderr, "open: %s\n", hdb_errstr(rc)), 1;
    if ((rc = hdb_txn_begin(db, 0, &t)) == HDB_OK) {
        hdb_ks_open(t, "config", HDB_CREATE, &ks);
        hdb_put(t, ks, (hdb_val){"mode", 4}, (hdb_val){"fast", 4});
        rc = hdb_txn_commit(t);
    }
    if (rc == HDB_OK && (rc = hdb_branch_create(db, "experiment", "main", NULL)) == HDB_EXISTS)
        rc = HDB_OK; /* made by an earlier run */
    if (rc == HDB_OK && (rc = hdb_txn_begin(db, HDB_TXN_READ, &t)) == HDB_OK) {
        if (hdb_ks_open(t, "config", 0, &ks) == HDB_OK &&
            hdb_get(t, ks, (hdb_val){"mode", 4}, &v) == HDB_OK)
            printf("mode = %.*s\n", (int)v.size, (const char *)v.data);
        hdb_txn_abort(t);
    }
    if (rc != HDB_OK)
        fprintf(stderr, "error: %s\n", hdb_errmsg(db));
    hdb_close(db);
    return rc == HDB_OK ? 0 : 1;
}
