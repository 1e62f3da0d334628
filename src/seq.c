/*
** seq.c — database-wide sequences: numbers that no two branches share.
**
** WHAT IT IS
**   A sequence is a 64-bit id (the SQL layer uses a table's id) and the
**   largest number it handed out.  hdb_seq_next() returns a number larger
**   than every number the sequence returned before, on any branch, and at
**   least the caller's floor; so two branches that each insert a row get
**   two different rowids, and a merge finds no collision.
**
** THE SEQUENCE TREE (database-wide, beside the registry and the history;
** its root is in the meta's engine area, engine.h)
**   key    u64 BE sequence id
**   value  u64 BE the last number handed out (a non-negative int64)
**
** INVARIANTS
**   1. A stored value never decreases.  Branches, time travel and merges do
**      not touch the tree: a branch created as of the past draws numbers
**      after the present's.
**   2. Every change is logged (HDB_REC_SEQ: u64 id, u64 value) after the
**      tree accepted it, and replay stores the same value through
**      seq_store(); a reconstruction of the past (history.c) skips it.
**   3. The tree belongs to the write transaction like the registry: its
**      working root is restored by savepoint rollbacks and dropped by aborts,
**      so a number handed out by a transaction that did not commit may be
**      handed out again (no committed row can hold it).
*/
#include <string.h>
#include "src/engine.h"

static int seq_load(hdb_txn *t, uint64_t id, int64_t *v)
{
    uint8_t k[8];
    hdb_btval bv;
    *v = 0;
    if (!t->seq.pgno)
        return HDB_OK;
    hdb__put64be(k, id);
    int rc = hdb__bt_get(&t->e->bt, t->seq, k, 8, &bv);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK)
        return rc;
    if (bv.size != 8 || (hdb__get64be(bv.data) >> 63))
        rc = hdb__pager_corrupt(t->e->pager, "damaged sequence value");
    else
        *v = (int64_t)hdb__get64be(bv.data);
    hdb__btval_release(&t->e->bt, &bv);
    return rc;
}

/* Store v as sequence id's value (never lower: replay of an older record
 * after a newer one cannot happen, but a smaller value is no change). */
int hdb__seq_store(hdb_txn *t, uint64_t id, int64_t v)
{
    uint8_t k[8], w[16];
    int64_t cur;
    if (t->failed)
        return t->failed;
    if (t->scratch)
        return HDB_OK; /* a reconstruction of the past has no sequences */
    int rc = seq_load(t, id, &cur);
    if (rc != HDB_OK || v <= cur)
        return rc;
    hdb__txn_drop_last(t);
    hdb__put64be(k, id);
    hdb__put64be(w, id);
    hdb__put64be(w + 8, (uint64_t)v);
    rc = hdb__bt_put(&t->e->bt, &t->seq, k, 8, w + 8, 8, 0);
    if (rc == HDB_OK)
        rc = hdb__txn_log(t, HDB_REC_SEQ, w, 16, NULL, 0);
    if (rc != HDB_OK)
        t->failed = rc;
    return rc;
}

int hdb_seq_next(hdb_txn *t, uint64_t id, int64_t at_least, int64_t *out)
{
    int64_t cur, v;
    if (!t || !out)
        return HDB_MISUSE;
    *out = 0;
    if (!t->write)
        return hdb__seterr(t->db, HDB_READONLY, "hdb_seq_next in a read transaction");
    if (t->failed)
        return hdb__seterr(t->db, t->failed, "the transaction failed: roll it back");
    int rc = seq_load(t, id, &cur);
    if (rc != HDB_OK)
        return hdb__seterr(t->db, rc, "sequence %llu: %s", (unsigned long long)id, hdb_errstr(rc));
    if (cur == INT64_MAX)
        return hdb__seterr(t->db, HDB_FULL, "sequence %llu is exhausted", (unsigned long long)id);
    v = cur + 1 > at_least ? cur + 1 : at_least;
    if ((rc = hdb__seq_store(t, id, v)) != HDB_OK)
        return hdb__seterr(t->db, rc, "sequence %llu: %s", (unsigned long long)id, hdb_errstr(rc));
    *out = v;
    return HDB_OK;
}

int hdb_seq_get(hdb_txn *t, uint64_t id, int64_t *out)
{
    if (!t || !out)
        return HDB_MISUSE;
    int rc = seq_load(t, id, out);
    return rc == HDB_OK ? rc : hdb__seterr(t->db, rc, "sequence %llu: %s", (unsigned long long)id,
                                           hdb_errstr(rc));
}
