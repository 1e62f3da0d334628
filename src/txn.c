/*
** txn.c — transactions: snapshots, the working roots of a writer, the log.
**
** HOW IT WORKS
**   A read transaction copies the committed registry root and LSN under the
**   engine mutex and registers the LSN with the pager, so no page it can
**   reach is reused while it reads (pager.h, invariant 3).
**
**   A write transaction takes the writer slot, begins a pager transaction
**   with LSN = last + 1 and works on its own registry root.  The first write
**   to a keyspace makes the registry path of the branch, then the object
**   tree path of the keyspace private (engine.h, invariant 1) and caches the
**   keyspace's root in `ks`; later writes change the cached root only.
**   hdb__txn_flush() stores the cached roots back into the object tree and
**   the object root into the registry (with HDB_BT_TRANSFER: the counts
**   moved when the roots were shadowed).
**
**   Each change appends its log record after the tree accepted it.  A change
**   that fails half way (no memory, disk full) marks the transaction failed:
**   it can then only be rolled back (to a savepoint, or aborted).
**
**   Savepoints copy the working roots and take a pager savepoint and a log
**   position; rolling back restores all three.
**
** ROOT CACHE
**   A read transaction finds its branch's object-tree root in the registry
**   and each keyspace's root in the object tree: two tree lookups that every
**   statement of a connection repeats while nothing commits.  The
**   connection (hdb.roots) keeps the last answers, keyed by the roots they
**   were read under: the object root by (registry root, branch name), the
**   keyspace roots by the object root.  A root names a committed tree that
**   never changes (copy-on-write; a freed page that comes back has another
**   birth), so a key that matches gives the same answer a lookup would.
**   Write and scratch transactions neither read nor fill it (their trees
**   change in place).  A connection is used by one thread at a time, so
**   the cache needs no lock.
*/
#include <string.h>
#include "src/engine.h"

int hdb__txn_open(hdb *db, hdb_engine *e, const char *branch, int write, hdb_txn **out)
{
    hdb_txn *t = hdb__zalloc(e->mem, sizeof *t);
    *out = NULL;
    if (!t)
        return HDB_NOMEM;
    t->db = db;
    t->e = e;
    t->write = write;
    size_t bn = strnlen(branch, sizeof t->branch - 1); /* as snprintf would cut it */
    memcpy(t->branch, branch, bn);
    t->branch[bn] = 0;
    int rc = HDB_OK;
    if (write) {
        if ((rc = hdb__engine_writer_acquire(e)) != HDB_OK) {
            hdb__free(e->mem, t);
            return rc;
        }
        pthread_mutex_lock(&e->mu);
        t->reg = e->reg;
        t->hist = e->hist;
        t->seq = e->seq;
        t->lsn = e->lsn + 1;
        t->next_ks = e->next_ks;
        t->next_id = e->next_id;
        t->next_branch = e->next_branch;
        pthread_mutex_unlock(&e->mu);
        rc = hdb__pager_begin(e->pager, t->lsn);
        if (rc != HDB_OK) {
            hdb__engine_writer_release(e);
            hdb__free(e->mem, t);
            return rc;
        }
    } else {
        pthread_mutex_lock(&e->mu);
        t->reg = e->reg;
        t->hist = e->hist;
        t->seq = e->seq;
        t->lsn = e->lsn;
        rc = hdb__pager_reader_add(e->pager, t->lsn);
        pthread_mutex_unlock(&e->mu);
        if (rc != HDB_OK) {
            hdb__free(e->mem, t);
            return rc;
        }
    }
    *out = t;
    return HDB_OK;
}

/* Before a write: take back the value lent by hdb_get() and the pages
 * cursors hold, since the write may change or free those pages. */
void hdb__txn_drop_last(hdb_txn *t)
{
    hdb__btval_release(&t->e->bt, &t->last);
    hdb__cursor_unpin_all(t);
}

/* Free the transaction's memory (the pager and writer slot are released by
 * the caller). */
void hdb__txn_free(hdb_txn *t)
{
    hdb__kv_find_end(t);
    hdb__txn_drop_last(t);
    hdb__cursor_detach_all(t);
    for (int i = 0; i < t->nsp; i++)
        hdb__free(t->e->mem, t->sp[i].ks);
    hdb__free(t->e->mem, t->sp);
    hdb__free(t->e->mem, t->ks);
    hdb__free(t->e->mem, t);
}

int hdb__txn_log(hdb_txn *t, uint8_t type, const void *a, size_t an, const void *b, size_t bn)
{
    t->writes++;
    t->records++;
    if (t->replay)
        return HDB_OK;
    int rc = hdb__wal_append(t->e->wal, type, a, an, b, bn);
    if (rc != HDB_OK)
        t->failed = rc;
    return rc;
}

/* ------------------------------------------------------------------------
** The branch and its keyspaces
*/
static int load_brec(hdb_txn *t, hdb_brec *r, hdb_btval *v)
{
    int rc = hdb__bt_get(&t->e->bt, t->reg, t->branch, strlen(t->branch), v);
    if (rc == HDB_OK && (rc = hdb__brec_decode(v->data, v->size, r)) != HDB_OK)
        hdb__btval_release(&t->e->bt, v);
    return rc;
}

/* The connection's root cache, when t may use it. */
static hdb_rootcache *root_cache(hdb_txn *t)
{
    return t->db && !t->write && !t->scratch ? &t->db->roots : NULL;
}

int hdb__txn_branch(hdb_txn *t, int for_write)
{
    hdb_brec r;
    hdb_btval v = {0};
    int rc = HDB_OK;
    if (for_write && !t->write)
        return HDB_READONLY;
    if (!t->obj_loaded) {
        hdb_rootcache *rc_ = root_cache(t);
        if (rc_ && rc_->valid && hdb__ref_eq(rc_->reg, t->reg) && !strcmp(rc_->branch, t->branch)) {
            t->obj = rc_->obj;
            t->read_only_branch = rc_->read_only;
            t->obj_loaded = 1;
            return HDB_OK; /* a read transaction: not for_write */
        }
        if ((rc = load_brec(t, &r, &v)) != HDB_OK)
            return rc;
        t->obj = r.obj;
        t->read_only_branch = r.read_only;
        t->obj_loaded = 1;
        hdb__btval_release(&t->e->bt, &v);
        if (rc_) {
            rc_->valid = 1;
            rc_->reg = t->reg;
            snprintf(rc_->branch, sizeof rc_->branch, "%s", t->branch);
            rc_->obj = t->obj;
            rc_->read_only = t->read_only_branch;
            rc_->nks = rc_->next = 0;
        }
    }
    if (!for_write || t->obj_touched)
        return HDB_OK;
    if (t->read_only_branch && !t->replay)
        return HDB_READONLY;
    /* Invariant 1: the registry path first, so the object root's count is exact. */
    rc = hdb__bt_touch(&t->e->bt, &t->reg, t->branch, strlen(t->branch));
    if (rc == HDB_OK)
        t->obj_touched = 1;
    else
        t->failed = rc;
    return rc;
}

static void obj_key(uint8_t key[5], uint32_t id)
{
    key[0] = HDB_OBJ_ID;
    hdb__put32be(key + 1, id);
}

static hdb_ksroot *ks_find(hdb_txn *t, uint32_t id)
{
    for (size_t i = 0; i < t->nks; i++)
        if (t->ks[i].id == id)
            return &t->ks[i];
    return NULL;
}

static int ks_add(hdb_txn *t, uint32_t id, hdb_ksroot **out)
{
    if (t->nks == t->ks_cap) {
        size_t cap = t->ks_cap ? t->ks_cap * 2 : 8;
        hdb_ksroot *v = hdb__realloc(t->e->mem, t->ks, cap * sizeof *v);
        if (!v)
            return HDB_NOMEM;
        t->ks = v;
        t->ks_cap = cap;
    }
    *out = &t->ks[t->nks++];
    memset(*out, 0, sizeof **out);
    (*out)->id = id;
    return HDB_OK;
}

int hdb__txn_ks(hdb_txn *t, uint32_t id, int for_write, hdb_ksroot **out)
{
    hdb_ksroot *k = ks_find(t, id);
    uint8_t key[5];
    hdb_btval v;
    if (k && k->dropped)
        return HDB_NOTFOUND;
    if (k && (!for_write || k->touched)) {
        *out = k;
        return HDB_OK;
    }
    int rc = hdb__txn_branch(t, for_write);
    if (rc != HDB_OK)
        return rc;
    hdb_rootcache *rcache = root_cache(t);
    if (rcache && !(rcache->valid && hdb__ref_eq(rcache->obj, t->obj)))
        rcache = NULL; /* it holds the roots of another object tree */
    for (int i = 0; rcache && i < rcache->nks; i++)
        if (rcache->ks[i].id == id) {
            if (!k && (rc = ks_add(t, id, &k)) != HDB_OK)
                return rc;
            k->root = rcache->ks[i].root;
            *out = k;
            return HDB_OK;
        }
    obj_key(key, id);
    if (for_write && (rc = hdb__bt_touch(&t->e->bt, &t->obj, key, 5)) != HDB_OK) {
        t->failed = rc;
        return rc;
    }
    rc = hdb__bt_get(&t->e->bt, t->obj, key, 5, &v);
    if (rc != HDB_OK)
        return rc;
    if (hdb__refs_count(v.data, v.size) != 1) {
        hdb__btval_release(&t->e->bt, &v);
        return hdb__pager_corrupt(t->e->pager, "keyspace %u: bad object entry", id);
    }
    hdb_ref root = hdb__refs_get(v.data, 0);
    hdb__btval_release(&t->e->bt, &v);
    if (!k && (rc = ks_add(t, id, &k)) != HDB_OK)
        return rc;
    k->root = root;
    k->touched = (uint8_t)for_write;
    *out = k;
    if (rcache) {
        int i = rcache->nks < HDB_ROOT_CACHE_KS ? rcache->nks++ : rcache->next;
        rcache->next = (i + 1) % HDB_ROOT_CACHE_KS;
        rcache->ks[i] = (hdb_ksroot){.id = id, .root = root};
    }
    return HDB_OK;
}

/* Forget the cached roots of keyspaces (after they were written back). */
static void ks_forget(hdb_txn *t) { t->nks = 0; }

/* ------------------------------------------------------------------------
** Writing the working roots back
*/
static int flush_ks(hdb_txn *t, hdb_ksroot *k)
{
    uint8_t key[5];
    hdb_btval v;
    hdb_bt *bt = &t->e->bt;
    obj_key(key, k->id);
    int rc = hdb__bt_get(bt, t->obj, key, 5, &v);
    if (rc != HDB_OK)
        return rc == HDB_NOTFOUND ? hdb__pager_corrupt(t->e->pager, "keyspace entry lost") : rc;
    size_t n = v.size;
    uint8_t *nv = n > HDB_REF_SIZE ? hdb__malloc(t->e->mem, n) : NULL;
    if (nv)
        memcpy(nv, v.data, n);
    hdb__btval_release(bt, &v);
    if (!nv)
        return n > HDB_REF_SIZE ? HDB_NOMEM : hdb__pager_corrupt(t->e->pager, "bad keyspace entry");
    hdb__ref_put(nv + 1, k->root);
    rc = hdb__bt_put(bt, &t->obj, key, 5, nv, n, HDB_BT_REFS | HDB_BT_TRANSFER);
    hdb__free(t->e->mem, nv);
    return rc;
}

static int flush_branch(hdb_txn *t)
{
    hdb_brec r;
    hdb_btval v;
    int rc = load_brec(t, &r, &v);
    if (rc != HDB_OK)
        return rc == HDB_NOTFOUND ? hdb__pager_corrupt(t->e->pager, "branch entry lost") : rc;
    hdb_brec nr = r;
    char *desc = NULL;
    if (r.desc_len && !(desc = hdb__memdup(t->e->mem, r.desc, r.desc_len)))
        rc = HDB_NOMEM;
    nr.desc = desc;
    hdb__btval_release(&t->e->bt, &v);
    nr.obj = t->obj;
    nr.head_lsn = t->lsn;
    if (rc == HDB_OK)
        rc = hdb__brec_write(t, t->branch, &nr, HDB_BT_TRANSFER);
    hdb__free(t->e->mem, desc);
    return rc;
}

int hdb__txn_flush(hdb_txn *t)
{
    int rc = HDB_OK;
    if (!t->write || !t->obj_touched)
        return t->failed;
    for (size_t i = 0; i < t->nks && rc == HDB_OK; i++)
        if (t->ks[i].touched && !t->ks[i].dropped)
            rc = flush_ks(t, &t->ks[i]);
    if (rc == HDB_OK)
        rc = flush_branch(t);
    if (rc != HDB_OK)
        t->failed = rc;
    else
        ks_forget(t);
    /* The paths stay private; the next write re-reads the roots. */
    t->obj_touched = 0;
    t->obj_loaded = 0;
    return rc;
}

/* Work on another branch in the same transaction (replay and merge). */
int hdb__txn_switch(hdb_txn *t, const char *branch)
{
    if (!strcmp(t->branch, branch))
        return HDB_OK;
    int rc = hdb__txn_flush(t);
    if (rc != HDB_OK)
        return rc;
    ks_forget(t);
    t->obj_loaded = t->obj_touched = 0;
    snprintf(t->branch, sizeof t->branch, "%s", branch);
    return HDB_OK;
}

/* After the log commit: publish the new state. */
int hdb__txn_finish(hdb_txn *t)
{
    hdb_engine *e = t->e;
    /* The pager may reuse freed pages as soon as it commits, so the new
     * roots must be published in the same step: a reader that took the old
     * root after that would read reused pages (engine.h, invariant 3). */
    pthread_mutex_lock(&e->mu);
    hdb__pager_commit(e->pager);
    e->reg = t->reg;
    e->hist = t->hist;
    e->seq = t->seq;
    e->lsn = t->lsn;
    if (t->next_ks > e->next_ks)
        e->next_ks = t->next_ks;
    if (t->next_id > e->next_id)
        e->next_id = t->next_id;
    if (t->next_branch > e->next_branch)
        e->next_branch = t->next_branch;
    pthread_mutex_unlock(&e->mu);
    return HDB_OK;
}

/* ------------------------------------------------------------------------
** Savepoints
*/
int hdb__txn_savepoint(hdb_txn *t, int *level)
{
    hdb_engine *e = t->e;
    if (t->nsp == t->sp_cap) {
        int cap = t->sp_cap ? t->sp_cap * 2 : 4;
        hdb_txn_state *v = hdb__realloc(e->mem, t->sp, (size_t)cap * sizeof *v);
        if (!v)
            return HDB_NOMEM;
        t->sp = v;
        t->sp_cap = cap;
    }
    hdb_txn_state *s = &t->sp[t->nsp];
    memset(s, 0, sizeof *s);
    if (t->nks && !(s->ks = hdb__memdup(e->mem, t->ks, t->nks * sizeof *t->ks)))
        return HDB_NOMEM;
    int rc = hdb__pager_savepoint(e->pager, &s->psp);
    if (rc != HDB_OK) {
        hdb__free(e->mem, s->ks);
        return rc;
    }
    hdb__txn_drop_last(t);
    s->reg = t->reg;
    s->hist = t->hist;
    s->seq = t->seq;
    s->obj = t->obj;
    s->obj_touched = t->obj_touched | (t->obj_loaded << 1);
    s->nks = t->nks;
    s->next_ks = t->next_ks;
    s->next_id = t->next_id;
    s->next_branch = t->next_branch;
    hdb__wal_mark(e->wal, &s->wal);
    *level = t->nsp++;
    return HDB_OK;
}

int hdb__txn_rollback_to(hdb_txn *t, int level)
{
    hdb_engine *e = t->e;
    hdb_txn_state *s = &t->sp[level];
    hdb__txn_drop_last(t);
    int rc = t->replay ? HDB_OK : hdb__wal_rewind(e->wal, &s->wal);
    if (rc != HDB_OK) {
        t->failed = rc;
        return rc;
    }
    hdb__pager_rollback_to(e->pager, &s->psp);
    hdb__track_forget(&e->bt, t->lsn); /* track.c, invariant 3 */
    for (int i = level + 1; i < t->nsp; i++)
        hdb__free(e->mem, t->sp[i].ks);
    t->nsp = level + 1;
    t->reg = s->reg;
    t->hist = s->hist;
    t->seq = s->seq;
    t->obj = s->obj;
    t->obj_touched = s->obj_touched & 1;
    t->obj_loaded = s->obj_touched >> 1;
    if (s->nks > t->ks_cap) {
        hdb_ksroot *v = hdb__realloc(e->mem, t->ks, s->nks * sizeof *v);
        if (!v)
            return HDB_NOMEM;
        t->ks = v;
        t->ks_cap = s->nks;
    }
    if (s->nks)
        memcpy(t->ks, s->ks, s->nks * sizeof *t->ks);
    t->nks = s->nks;
    t->next_ks = s->next_ks;
    t->next_id = s->next_id;
    t->next_branch = s->next_branch;
    t->failed = 0;
    t->writes++;
    return HDB_OK;
}

void hdb__txn_release(hdb_txn *t, int level)
{
    hdb__pager_release(t->e->pager, &t->sp[level].psp);
    for (int i = level; i < t->nsp; i++)
        hdb__free(t->e->mem, t->sp[i].ks);
    t->nsp = level;
}

/* ------------------------------------------------------------------------
** The end
*/
static void maybe_checkpoint(hdb_engine *e)
{
    uint64_t grown = hdb__wal_appended(e->wal) - e->ckpt_wal_mark;
    uint64_t limit = e->opt.checkpoint_bytes ? e->opt.checkpoint_bytes : 8u << 20;
    if (grown >= limit || hdb__pager_dirty_bytes(e->pager) > e->opt.cache_bytes / 2)
        (void)hdb__engine_checkpoint(e); /* the data is safe in the log either way */
}

int hdb__txn_end(hdb_txn *t, int commit)
{
    hdb_engine *e = t->e;
    int rc = HDB_OK, published = 0;
    hdb__txn_drop_last(t);
    if (!t->write) {
        hdb__kv_find_end(t); /* its pins go before the snapshot does */
        hdb__pager_reader_remove(e->pager, t->lsn);
        hdb__txn_free(t);
        return HDB_OK;
    }
    if (commit) {
        rc = t->failed ? t->failed : hdb__txn_flush(t);
        if (rc == HDB_OK && t->records) {
            int64_t now = hdb__engine_now(e);
            if (now < e->last_time)
                now = e->last_time; /* commit times never go back */
            /* The commit names the branch it wrote (for the history list). */
            rc = hdb__wal_commit(e->wal, t->lsn, now, t->branch, strlen(t->branch));
            if (rc == HDB_OK) {
                hdb__txn_finish(t);
                pthread_mutex_lock(&e->mu);
                e->last_time = now;
                pthread_mutex_unlock(&e->mu);
                published = 1;
            }
        }
    }
    if (!published) {
        hdb__wal_abort(e->wal);
        hdb__pager_abort(e->pager);
        hdb__track_forget(&e->bt, t->lsn); /* track.c, invariant 3 */
    }
    hdb__engine_writer_release(e);
    hdb__txn_free(t);
    if (published)
        maybe_checkpoint(e);
    return rc;
}
