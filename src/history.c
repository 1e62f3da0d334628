/*
** history.c — retained snapshots, point-in-time branches, time -> LSN.
**
** THE HISTORY TREE (root in the meta, pager.h)
**   key    u64 BE: the LSN of the commit the snapshot keeps
**   value  REFS, k = 1: ref to the registry root as of that commit; then
**          i64 the time of that commit (µs)
**   One counted reference per snapshot keeps the whole database state of
**   that moment alive, at the cost of one pointer.  Snapshots are taken at
**   checkpoints (one write transaction with a SNAPSHOT record) and expire
**   with the retention window: the newest snapshot older than the window is
**   kept too, so that every commit inside the window can be reached.
**
** POINT-IN-TIME BRANCHES
**   The state of branch b right after commit n is rebuilt from the newest
**   snapshot s <= n: a scratch transaction starts from the registry as of s
**   (one more reference, so every change copies) and applies the log's
**   records of commits s+1..n through the replay path (engine.h 2).  The new
**   branch takes b's object root from the result; the rest of the scratch
**   state is released.  The cost is the log between s and n: at most one
**   checkpoint interval, whatever the size of the database.
**
** LIMITATIONS
**   Resolving a time reads the log from the newest snapshot at or before it.
*/
#include <string.h>
#include "src/engine.h"

#define SNAP_VAL (1 + HDB_REF_SIZE + 8)

static void snap_key(uint8_t k[8], uint64_t lsn) { hdb__put64be(k, lsn); }

static int log_snap(hdb_txn *t, uint8_t type, uint64_t lsn, int64_t time_us)
{
    uint8_t p[16];
    hdb__put64(p, lsn);
    hdb__put64(p + 8, (uint64_t)time_us);
    return hdb__txn_log(t, type, p, 16, NULL, 0);
}

/* Keep the transaction's registry (as it was when the transaction began:
 * the snapshot transaction changes nothing else) as of commit lsn. */
int hdb__history_add(hdb_txn *t, uint64_t lsn, int64_t time_us)
{
    uint8_t k[8], v[SNAP_VAL];
    snap_key(k, lsn);
    v[0] = 1;
    hdb__ref_put(v + 1, t->reg);
    hdb__put64(v + 1 + HDB_REF_SIZE, (uint64_t)time_us);
    int rc = t->reg.pgno ? hdb__pager_incr(t->e->pager, t->reg.pgno) : HDB_OK;
    if (rc == HDB_OK)
        rc = hdb__bt_put(&t->e->bt, &t->hist, k, 8, v, sizeof v, HDB_BT_REFS);
    if (rc == HDB_OK)
        rc = log_snap(t, HDB_REC_SNAPSHOT, lsn, time_us);
    if (rc != HDB_OK)
        t->failed = rc;
    return rc;
}

int hdb__history_drop(hdb_txn *t, uint64_t lsn)
{
    uint8_t k[8];
    snap_key(k, lsn);
    int rc = hdb__bt_del(&t->e->bt, &t->hist, k, 8, 0);
    if (rc == HDB_OK)
        rc = log_snap(t, HDB_REC_SNAP_DROP, lsn, 0);
    if (rc != HDB_OK)
        t->failed = rc;
    return rc;
}

/* One snapshot entry. */
typedef struct snap {
    uint64_t lsn;
    int64_t time_us;
    hdb_ref reg;
} snap;

static int snap_read(hdb_btcur *c, snap *s)
{
    const uint8_t *k;
    size_t kn;
    hdb_btval v;
    int rc = hdb__btcur_key(c, &k, &kn);
    if (rc == HDB_OK && (rc = hdb__btcur_val(c, &v)) == HDB_OK) {
        if (kn != 8 || v.size != SNAP_VAL || hdb__refs_count(v.data, v.size) != 1)
            rc = HDB_CORRUPT;
        else {
            s->lsn = hdb__get64be(k);
            s->reg = hdb__refs_get(v.data, 0);
            s->time_us = (int64_t)hdb__get64(v.data + 1 + HDB_REF_SIZE);
        }
        hdb__btval_release(c->t, &v);
    }
    return rc;
}

/* The newest snapshot with lsn <= n (HDB_NOTFOUND if none). */
static int snap_at_or_before(hdb_bt *bt, hdb_ref hist, uint64_t n, snap *s)
{
    hdb_btcur c;
    uint8_t k[8];
    int exact;
    snap_key(k, n);
    hdb__btcur_init(&c, bt, hist);
    int rc = hdb__btcur_seek(&c, k, 8, &exact);
    if (rc == HDB_NOTFOUND)
        rc = hdb__btcur_last(&c);
    else if (rc == HDB_OK && !exact)
        rc = hdb__btcur_prev(&c);
    if (rc == HDB_OK)
        rc = snap_read(&c, s);
    hdb__btcur_reset(&c);
    return rc;
}

uint64_t hdb__history_oldest(hdb_engine *e, int64_t *time_us)
{
    hdb_btcur c;
    snap s = {0};
    pthread_mutex_lock(&e->mu);
    hdb_ref h = e->hist;
    pthread_mutex_unlock(&e->mu);
    hdb__btcur_init(&c, &e->bt, h);
    if (hdb__btcur_first(&c) != HDB_OK || snap_read(&c, &s) != HDB_OK)
        s.lsn = 0;
    hdb__btcur_reset(&c);
    if (time_us)
        *time_us = s.time_us;
    return s.lsn;
}

/* ------------------------------------------------------------------------
** Taking and expiring snapshots (at checkpoints)
*/
static int expire(hdb_txn *t, int64_t now, int *changed)
{
    hdb_btcur c;
    snap s, prev = {0};
    int have_prev = 0, rc;
    uint64_t *drop = NULL;
    size_t nd = 0, cap = 0;
    hdb__btcur_init(&c, &t->e->bt, t->hist);
    for (rc = hdb__btcur_first(&c); rc == HDB_OK; rc = hdb__btcur_next(&c)) {
        if ((rc = snap_read(&c, &s)) != HDB_OK)
            break;
        int old = t->e->opt.retention_us == 0 || s.time_us < now - t->e->opt.retention_us;
        if (!old)
            break;
        /* s is outside the window; prev is older still and not needed. */
        if (have_prev) {
            if (nd == cap) {
                cap = cap ? cap * 2 : 16;
                uint64_t *nv = hdb__realloc(t->e->mem, drop, cap * sizeof *nv);
                if (!nv) {
                    rc = HDB_NOMEM;
                    break;
                }
                drop = nv;
            }
            drop[nd++] = prev.lsn;
        }
        prev = s;
        have_prev = 1;
    }
    hdb__btcur_reset(&c);
    if (rc == HDB_NOTFOUND)
        rc = HDB_OK;
    /* With no retention, even the last one goes. */
    if (rc == HDB_OK && have_prev && t->e->opt.retention_us == 0 && rc == HDB_OK) {
        if (nd == cap) {
            uint64_t *nv = hdb__realloc(t->e->mem, drop, (cap + 1) * sizeof *nv);
            rc = nv ? HDB_OK : HDB_NOMEM;
            if (nv)
                drop = nv;
        }
        if (rc == HDB_OK)
            drop[nd++] = prev.lsn;
    }
    for (size_t i = 0; rc == HDB_OK && i < nd; i++)
        rc = hdb__history_drop(t, drop[i]);
    *changed = nd > 0;
    hdb__free(t->e->mem, drop);
    return rc;
}

int hdb__history_snapshot(hdb_engine *e)
{
    hdb_txn *t;
    snap last;
    int changed = 0;
    if (e->opt.read_only)
        return HDB_OK;
    int rc = hdb__txn_open(NULL, e, "", 1, &t);
    if (rc != HDB_OK)
        return rc;
    int64_t now = hdb__engine_now(e);
    int have = snap_at_or_before(&e->bt, t->hist, UINT64_MAX, &last);
    if (have != HDB_OK && have != HDB_NOTFOUND)
        rc = have;
    /* A new snapshot only when the registry changed since the last one. */
    if (rc == HDB_OK && e->opt.retention_us > 0 && t->lsn > 1 &&
        (have == HDB_NOTFOUND || last.reg.pgno != t->reg.pgno)) {
        rc = hdb__history_add(t, t->lsn - 1, e->last_time);
        changed = 1;
    }
    int dropped = 0;
    if (rc == HDB_OK)
        rc = expire(t, now, &dropped);
    return hdb__txn_end(t, rc == HDB_OK && (changed || dropped)) == HDB_OK ? rc : HDB_IOERR;
}

/* ------------------------------------------------------------------------
** Point-in-time branches
*/
typedef struct rebuild {
    hdb_txn *st;
} rebuild;

static int rb_rec(void *ctx, const hdb_wal_rec *r) { return hdb__replay_rec(((rebuild *)ctx)->st, r); }
/* Commits need nothing: the scratch transaction stores its cached roots
 * when it changes branch and once at the end. */
static int rb_commit(void *ctx, const hdb_wal_commit *c) { return HDB_OK; }

/* The object root of branch `from` right after commit n, with one reference
 * held for the caller. */
static int state_at(hdb_txn *t, const char *from, uint64_t n, hdb_ref *obj)
{
    snap s;
    int rc = snap_at_or_before(&t->e->bt, t->hist, n, &s);
    if (rc == HDB_NOTFOUND)
        return HDB_RANGE;
    if (rc != HDB_OK)
        return rc;
    hdb_txn *st = hdb__zalloc(t->e->mem, sizeof *st);
    if (!st)
        return HDB_NOMEM;
    st->e = t->e;
    st->write = st->replay = st->scratch = 1;
    st->lsn = t->lsn;
    st->reg = s.reg;
    st->hist = t->hist; /* read only: a reconstruction adds no snapshot */
    st->next_ks = t->next_ks;
    st->next_id = t->next_id;
    st->next_branch = t->next_branch;
    snprintf(st->branch, sizeof st->branch, "%s", from);
    rc = s.reg.pgno ? hdb__pager_incr(t->e->pager, s.reg.pgno) : HDB_OK;
    rebuild rb = {st};
    if (rc == HDB_OK && n > s.lsn)
        rc = hdb__wal_read(t->e->wal, s.lsn, n, rb_rec, rb_commit, &rb);
    if (rc == HDB_OK)
        rc = hdb__txn_flush(st);
    if (rc == HDB_OK) {
        hdb_btval v;
        hdb_brec r;
        rc = hdb__bt_get(&t->e->bt, st->reg, from, strlen(from), &v);
        if (rc == HDB_OK) {
            rc = hdb__brec_decode(v.data, v.size, &r);
            hdb__btval_release(&t->e->bt, &v);
        }
        if (rc == HDB_OK && r.obj.pgno)
            rc = hdb__pager_incr(t->e->pager, r.obj.pgno);
        if (rc == HDB_OK)
            *obj = r.obj;
    }
    int rc2 = st->reg.pgno ? hdb__bt_release(&t->e->bt, st->reg) : HDB_OK;
    hdb__txn_free(st);
    if (rc == HDB_OK)
        rc = rc2;
    if (rc != HDB_OK && rc != HDB_RANGE && rc != HDB_NOTFOUND)
        t->failed = rc;
    return rc;
}

int hdb__br_create_asof(hdb_txn *t, const char *name, const char *from, uint64_t id,
                        int64_t created, int ro, uint64_t as_of, const char *desc, size_t dlen)
{
    hdb_brec r;
    hdb_btval v;
    int rc = hdb__bt_get(&t->e->bt, t->reg, name, strlen(name), &v);
    if (rc == HDB_OK) {
        hdb__btval_release(&t->e->bt, &v);
        return HDB_EXISTS;
    }
    if (rc != HDB_NOTFOUND)
        return rc;
    memset(&r, 0, sizeof r);
    if ((rc = state_at(t, from, as_of, &r.obj)) != HDB_OK)
        return rc;
    r.base = r.obj;
    if (r.obj.pgno && (rc = hdb__pager_incr(t->e->pager, r.obj.pgno)) != HDB_OK)
        return t->failed = rc;
    snprintf(r.parent, sizeof r.parent, "%s", from);
    r.id = id;
    r.fork_lsn = r.head_lsn = as_of;
    r.created_us = created;
    r.read_only = ro;
    r.desc = (char *)desc;
    r.desc_len = dlen > 65535 ? 65535 : dlen;
    if (id >= t->next_branch)
        t->next_branch = id + 1;
    rc = hdb__brec_write(t, name, &r, 0);
    if (rc == HDB_OK)
        rc = hdb__brec_log_create(t, name, from, &r, 1);
    if (rc != HDB_OK)
        t->failed = rc;
    return rc;
}

/* ------------------------------------------------------------------------
** Time -> LSN
*/
typedef struct tfind {
    int64_t t;
    uint64_t lsn;
} tfind;

static int tf_commit(void *ctx, const hdb_wal_commit *c)
{
    tfind *f = ctx;
    if (c->time_us > f->t)
        return HDB_DONE; /* stop: commits after t */
    f->lsn = c->lsn;
    return HDB_OK;
}

/* The last commit at or before time_us.  The caller holds the writer slot. */
int hdb__history_resolve_time(hdb_engine *e, int64_t time_us, uint64_t *lsn)
{
    hdb_btcur c;
    snap s, best = {0};
    int have = 0, rc;
    if (time_us >= e->last_time) {
        *lsn = e->lsn;
        return time_us > hdb__engine_now(e) ? HDB_RANGE : HDB_OK;
    }
    hdb__btcur_init(&c, &e->bt, e->hist);
    for (rc = hdb__btcur_first(&c); rc == HDB_OK; rc = hdb__btcur_next(&c)) {
        if ((rc = snap_read(&c, &s)) != HDB_OK || s.time_us > time_us)
            break;
        best = s;
        have = 1;
    }
    hdb__btcur_reset(&c);
    if (rc != HDB_OK && rc != HDB_NOTFOUND)
        return rc;
    if (!have)
        return HDB_RANGE;
    tfind f = {time_us, best.lsn};
    rc = hdb__wal_read(e->wal, best.lsn, e->lsn, NULL, tf_commit, &f);
    if (rc != HDB_OK && rc != HDB_DONE)
        return rc;
    *lsn = f.lsn;
    return HDB_OK;
}
