/*
** replay.c — recovery: apply the log's committed transactions after the
** checkpoint, through the same functions that made them (engine.h 2).
**
** The log hands over each transaction's records and then its commit; one
** replay transaction (no logging) collects the records and is committed
** with the commit's LSN.  A record that does not parse, or that the tree
** rejects, is HDB_CORRUPT: the log and the file disagree.
*/
#include <string.h>
#include "src/engine.h"

typedef struct replay {
    hdb_engine *e;
    hdb_txn *t;
} replay;

/* A cursor over a record payload. */
typedef struct rd {
    const uint8_t *p, *end;
    int bad;
} rd;

static const uint8_t *take(rd *r, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *q = r->p;
    r->p += n;
    return q;
}

static void str(rd *r, char *out, size_t max)
{
    const uint8_t *n = take(r, 1);
    const uint8_t *s = n ? take(r, *n) : NULL;
    if (!s || *n > max) {
        r->bad = 1;
        out[0] = 0;
        return;
    }
    memcpy(out, s, *n);
    out[*n] = 0;
}

static uint64_t u64(rd *r)
{
    const uint8_t *p = take(r, 8);
    return p ? hdb__get64(p) : 0;
}

static int apply_branch(hdb_txn *t, uint8_t type, rd *r)
{
    char name[64], other[64];
    str(r, name, HDB_MAX_BRANCH_NAME);
    if (type == HDB_REC_BR_DROP)
        return r->bad ? HDB_CORRUPT : hdb__br_drop(t, name);
    if (type == HDB_REC_BR_RO) {
        const uint8_t *f = take(r, 1);
        return r->bad ? HDB_CORRUPT : hdb__br_set_ro(t, name, *f);
    }
    str(r, other, HDB_MAX_BRANCH_NAME);
    if (type == HDB_REC_BR_BASE)
        return r->bad ? HDB_CORRUPT : hdb__br_set_base(t, name, other);
    if (type == HDB_REC_BR_ADOPT)
        return r->bad ? HDB_CORRUPT : hdb__br_adopt(t, name, other);
    uint64_t id = u64(r);
    int64_t created = (int64_t)u64(r);
    const uint8_t *ro = take(r, 1);
    uint64_t fork = u64(r);
    const uint8_t *dl = take(r, 2);
    const uint8_t *d = dl ? take(r, hdb__get16(dl)) : NULL;
    const uint8_t *asof = take(r, 1);
    if (r->bad)
        return HDB_CORRUPT;
    if (*asof)
        return hdb__br_create_asof(t, name, other, id, created, *ro, fork, (const char *)d,
                                   hdb__get16(dl));
    return hdb__br_create(t, name, *other ? other : NULL, id, created, *ro, fork,
                          (const char *)d, hdb__get16(dl));
}

static int apply_ks(hdb_txn *t, uint8_t type, rd *r)
{
    char branch[64], name[64];
    str(r, branch, HDB_MAX_BRANCH_NAME);
    const uint8_t *idp = take(r, 4);
    if (r->bad)
        return HDB_CORRUPT;
    uint32_t id = hdb__get32be(idp);
    int rc = hdb__txn_switch(t, branch);
    if (rc != HDB_OK)
        return rc;
    switch (type) {
    case HDB_REC_PUT: {
        uint64_t kn;
        size_t n = hdb__varint_get(r->p, r->end, &kn);
        if (!n || kn > (uint64_t)(r->end - r->p - n))
            return HDB_CORRUPT;
        const uint8_t *k = r->p + n;
        return hdb__kv_put(t, id, k, kn, k + kn, (size_t)(r->end - k - kn));
    }
    case HDB_REC_DEL:
        return hdb__kv_del(t, id, r->p, (size_t)(r->end - r->p));
    case HDB_REC_KS_CREATE:
        str(r, name, HDB_MAX_KS_NAME);
        return r->bad ? HDB_CORRUPT : hdb__ks_create(t, name, id);
    case HDB_REC_KS_DROP:
        return hdb__ks_drop_id(t, id);
    case HDB_REC_KS_COPY:
        str(r, name, HDB_MAX_BRANCH_NAME);
        return r->bad ? HDB_CORRUPT : hdb__ks_copy(t, id, name);
    case HDB_REC_KS_RENAME:
        str(r, name, HDB_MAX_KS_NAME);
        return r->bad ? HDB_CORRUPT : hdb__ks_rename_id(t, id, name);
    case HDB_REC_KS_GRAFT: {
        str(r, name, HDB_MAX_BRANCH_NAME);
        const uint8_t *lv = take(r, 2);
        if (r->bad)
            return HDB_CORRUPT;
        return hdb__merge_graft(t, id, name, NULL, lv[0], lv[1], r->p, (size_t)(r->end - r->p),
                                NULL, NULL);
    }
    }
    return HDB_CORRUPT;
}

/* Apply one log record to transaction t (recovery, or a reconstruction of
 * the past in history.c). */
int hdb__replay_rec(hdb_txn *t, const hdb_wal_rec *rec)
{
    rd r = {rec->data, rec->data + rec->size, 0};
    int rc;
    if (rec->type == HDB_REC_NEXT_ID) {
        uint64_t v = u64(&r);
        if (v > t->next_id)
            t->next_id = v;
        return r.bad ? HDB_CORRUPT : HDB_OK;
    }
    if (rec->type == HDB_REC_SEQ) { /* big-endian, as stored in the tree */
        const uint8_t *p = take(&r, 16);
        uint64_t id = p ? hdb__get64be(p) : 0, v = p ? hdb__get64be(p + 8) : 0;
        if (r.bad || r.p != r.end || v >> 63)
            return hdb__pager_corrupt(t->e->pager, "damaged sequence record");
        rc = hdb__seq_store(t, id, (int64_t)v);
        return rc == HDB_OK ? rc
                            : hdb__pager_corrupt(t->e->pager, "sequence record cannot be applied (%s)",
                                                 hdb_errstr(rc));
    }
    if (rec->type == HDB_REC_SNAPSHOT || rec->type == HDB_REC_SNAP_DROP) {
        uint64_t lsn = u64(&r), tm = u64(&r);
        if (r.bad)
            return HDB_CORRUPT;
        if (t->scratch)
            return HDB_OK; /* a reconstruction has no history of its own */
        return rec->type == HDB_REC_SNAPSHOT ? hdb__history_add(t, lsn, (int64_t)tm)
                                             : hdb__history_drop(t, lsn);
    }
    if ((rec->type >= HDB_REC_BR_CREATE && rec->type <= HDB_REC_BR_BASE) ||
        rec->type == HDB_REC_BR_ADOPT) {
        if ((rc = hdb__txn_flush(t)) != HDB_OK)
            return rc;
        rc = apply_branch(t, rec->type, &r);
    } else {
        rc = apply_ks(t, rec->type, &r);
    }
    if (rc != HDB_OK)
        return hdb__pager_corrupt(t->e->pager, "log record of type %u cannot be applied (%s)",
                                  rec->type, hdb_errstr(rc));
    return HDB_OK;
}

static int on_rec(void *ctx, const hdb_wal_rec *rec)
{
    replay *rp = ctx;
    int rc;
    if (!rp->t) {
        if ((rc = hdb__txn_open(NULL, rp->e, "", 1, &rp->t)) != HDB_OK)
            return rc;
        rp->t->replay = 1;
    }
    return hdb__replay_rec(rp->t, rec);
}

static int on_commit(void *ctx, const hdb_wal_commit *c)
{
    replay *rp = ctx;
    hdb_engine *e = rp->e;
    hdb_txn *t = rp->t;
    int rc = HDB_OK;
    if (t && t->lsn != c->lsn)
        rc = hdb__pager_corrupt(e->pager, "log commit %llu where %llu was expected",
                                (unsigned long long)c->lsn, (unsigned long long)t->lsn);
    if (t && rc == HDB_OK)
        rc = hdb__txn_flush(t);
    if (t && rc == HDB_OK)
        hdb__txn_finish(t);
    if (t) {
        if (rc != HDB_OK) {
            hdb__pager_abort(e->pager);
            hdb__track_forget(&e->bt, t->lsn); /* track.c, invariant 3 */
        }
        hdb__engine_writer_release(e);
        hdb__txn_free(t);
        rp->t = NULL;
    }
    if (rc == HDB_OK) {
        pthread_mutex_lock(&e->mu);
        e->lsn = c->lsn;
        if (c->time_us > e->last_time)
            e->last_time = c->time_us;
        pthread_mutex_unlock(&e->mu);
    }
    return rc;
}

int hdb__replay(hdb_engine *e)
{
    replay rp = {e, NULL};
    uint64_t last;
    int rc = hdb__wal_recover(e->wal, e->lsn, on_rec, on_commit, &rp, &last);
    if (rp.t) {
        hdb__pager_abort(e->pager);
        hdb__track_forget(&e->bt, rp.t->lsn); /* track.c, invariant 3 */
        hdb__engine_writer_release(e);
        hdb__txn_free(rp.t);
    }
    return rc;
}
