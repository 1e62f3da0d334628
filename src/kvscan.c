/*
** kvscan.c — the read transaction's lean walk over a keyspace (engine.h,
** hdb_kvscan), behind the SQL layer's range scans.
**
** WHY NOT AN hdb_cursor
**   A public cursor must survive writes of its transaction: it copies every
**   key it lands on and checks the change counter on every call, and its
**   get parses the leaf cell again for the value.  In a read transaction no
**   write can come, and the snapshot's pages are never reused while it
**   lives (pager.h, invariant 3), so a walk can keep the tree cursor's
**   pinned path as it is and lend key and value from the leaf with one
**   parse of the cell.
**
** KEPT LOOKUPS (hdb__kv_find)
**   Fetching rows by key (a join's inner table, an index scan's rows) seeks
**   the same tree again and again.  A read transaction keeps one scan per
**   keyspace for that (the last HDB_KVFIND_MAX keyspaces, the oldest
**   replaced first) until it ends, so each seek starts from the pinned
**   path of the last one (btree/cursor.c).
**
** KEPT WALKS (hdb__kv_walk_take / _give)
**   A join walks its inner table once per outer row.  A walk given back
**   keeps its cursor's pinned path for the next walk of the same keyspace,
**   up to HDB_KVWALK_MAX of them, apart from the lookups' scans (a lookup's
**   value is lent until the next lookup in its keyspace, which a walk must
**   not move).  A walk taken and not yet given back is never handed out
**   again, so nested walks of one keyspace (a self-join) each get their
**   own.
**
** INVARIANTS
**   - Only a read transaction opens one (a write could change or free the
**     pinned pages under it).
**   - What get lends points into a pinned leaf or into `ovf`, both held
**     until the next move or the close (or the give back of a kept walk).
**   - Every kept scan is closed when its read transaction ends
**     (hdb__kv_find_end), before the snapshot goes.
*/
#include <string.h>
#include "src/engine.h"

static int report(hdb_kvscan *s, int rc)
{
    if (rc == HDB_CORRUPT)
        return hdb__seterr(s->t->db, rc, "cursor: %s", hdb__pager_errmsg(s->t->e->pager));
    return hdb__seterr(s->t->db, rc, "cursor: %s", hdb_errstr(rc));
}

/* rc, with the connection's message set when it is an error. */
static inline int scan_err(hdb_kvscan *s, int rc)
{
    return rc == HDB_OK || rc == HDB_NOTFOUND ? rc : report(s, rc);
}

int hdb__kvscan_open(hdb_txn *t, uint32_t ks, hdb_kvscan *s)
{
    hdb_ksroot *r;
    s->t = t;
    s->ovf.pin = NULL;
    s->ovf.owned = NULL;
    hdb__btcur_init(&s->c, &t->e->bt, (hdb_ref){0, 0});
    if (t->write)
        return HDB_MISUSE;
    int rc = hdb__txn_ks(t, ks, 0, &r);
    if (rc == HDB_NOTFOUND)
        return hdb__seterr(t->db, rc, "no keyspace %u", ks);
    if (rc != HDB_OK)
        return scan_err(s, rc);
    hdb__btcur_init(&s->c, &t->e->bt, r->root);
    return HDB_OK;
}

/* Before a move: give back the overflow value lent last. */
static void drop_ovf(hdb_kvscan *s)
{
    if (s->ovf.pin || s->ovf.owned)
        hdb__btval_release(&s->t->e->bt, &s->ovf);
}

int hdb__kvscan_first(hdb_kvscan *s)
{
    drop_ovf(s);
    return scan_err(s, hdb__btcur_first(&s->c));
}

int hdb__kvscan_last(hdb_kvscan *s)
{
    drop_ovf(s);
    return scan_err(s, hdb__btcur_last(&s->c));
}

int hdb__kvscan_seek(hdb_kvscan *s, const void *key, size_t kn)
{
    int exact;
    drop_ovf(s);
    return scan_err(s, hdb__btcur_seek(&s->c, key, kn, &exact));
}

int hdb__kvscan_next(hdb_kvscan *s)
{
    drop_ovf(s);
    return scan_err(s, hdb__btcur_next(&s->c));
}

int hdb__kvscan_prev(hdb_kvscan *s)
{
    drop_ovf(s);
    return scan_err(s, hdb__btcur_prev(&s->c));
}

int hdb__kvscan_get(hdb_kvscan *s, hdb_val *key, hdb_val *val)
{
    hdb_cell cell;
    int rc = hdb__btcur_cell(&s->c, &cell);
    if (rc != HDB_OK)
        return scan_err(s, rc);
    key->data = cell.key;
    key->size = cell.klen;
    if (!val)
        return HDB_OK;
    if (!(cell.flags & HDB_CELL_OVERFLOW)) {
        val->data = cell.vlen ? cell.val : (const void *)"";
        val->size = cell.vlen;
        return HDB_OK;
    }
    drop_ovf(s);
    if ((rc = hdb__btcur_val(&s->c, &s->ovf)) != HDB_OK)
        return scan_err(s, rc);
    val->data = s->ovf.data ? s->ovf.data : (const void *)"";
    val->size = s->ovf.size;
    return HDB_OK;
}

int hdb__kvscan_find(hdb_kvscan *s, const void *key, size_t kn, hdb_val *val)
{
    hdb_val k;
    int exact = 0;
    drop_ovf(s);
    int rc = scan_err(s, hdb__btcur_seek(&s->c, key, kn, &exact));
    if (rc == HDB_OK && !exact) /* the seek's search saw whether the key is there */
        rc = HDB_NOTFOUND;
    if (rc == HDB_OK)
        rc = hdb__kvscan_get(s, &k, val);
    return rc;
}

void hdb__kvscan_close(hdb_kvscan *s)
{
    if (!s->t)
        return;
    drop_ovf(s);
    hdb__btcur_reset(&s->c);
    s->t = NULL;
}

/* ---- kept lookups and walks ---------------------------------------------- */
struct hdb_kvfinds {
    int n, next; /* scans open; the one to replace next */
    struct {
        uint32_t ks;
        hdb_kvscan s;
    } v[HDB_KVFIND_MAX];
    struct { /* kept walks (hdb__kv_walk_take); s.t == NULL: an empty slot */
        uint32_t ks;
        int busy; /* taken, not given back */
        hdb_kvscan s;
    } w[HDB_KVWALK_MAX];
    int wnext; /* the walk to replace next */
};

/* The transaction's kept scans, allocated at the first use. */
static struct hdb_kvfinds *kept(hdb_txn *t)
{
    struct hdb_kvfinds *f = t->finds;
    if (!f) { /* not zeroed (about 5 KiB): a scan is set up by hdb__kvscan_open */
        if (!(f = t->finds = hdb__malloc(t->e->mem, sizeof *f)))
            return NULL;
        f->n = f->next = f->wnext = 0;
        for (int i = 0; i < HDB_KVWALK_MAX; i++)
            f->w[i].s.t = NULL;
    }
    return f;
}

int hdb__kv_find(hdb_txn *t, uint32_t ks, const void *key, size_t kn, hdb_val *val)
{
    if (t->write)
        return hdb__seterr(t->db, HDB_MISUSE, "kept lookups are for read transactions");
    struct hdb_kvfinds *f = kept(t);
    if (!f)
        return hdb__seterr(t->db, HDB_NOMEM, "out of memory");
    int i = 0;
    while (i < f->n && f->v[i].ks != ks)
        i++;
    if (i == f->n) {
        if (f->n < HDB_KVFIND_MAX) {
            f->n++;
        } else {
            i = f->next;
            f->next = (f->next + 1) % HDB_KVFIND_MAX;
            hdb__kvscan_close(&f->v[i].s);
        }
        f->v[i].ks = ks;
        int rc = hdb__kvscan_open(t, ks, &f->v[i].s);
        if (rc != HDB_OK) {
            hdb__kvscan_close(&f->v[i].s);
            f->v[i] = f->v[--f->n]; /* (a struct copy: the pins move with it) */
            f->next = 0;
            return rc;
        }
    }
    return hdb__kvscan_find(&f->v[i].s, key, kn, val);
}

hdb_kvscan *hdb__kv_walk_take(hdb_txn *t, uint32_t ks)
{
    struct hdb_kvfinds *f = t->write ? NULL : kept(t);
    if (!f)
        return NULL;
    int i, pick = -1;
    for (i = 0; i < HDB_KVWALK_MAX; i++) {
        if (f->w[i].s.t && !f->w[i].busy && f->w[i].ks == ks) {
            f->w[i].busy = 1;
            return &f->w[i].s;
        }
        if (!f->w[i].s.t && pick < 0)
            pick = i;
    }
    for (i = 0; pick < 0 && i < HDB_KVWALK_MAX; i++) { /* replace one not taken */
        int j = (f->wnext + i) % HDB_KVWALK_MAX;
        if (!f->w[j].busy) {
            pick = j;
            f->wnext = (j + 1) % HDB_KVWALK_MAX;
            hdb__kvscan_close(&f->w[j].s);
        }
    }
    if (pick < 0)
        return NULL; /* all taken (walks nested that deep) */
    if (hdb__kvscan_open(t, ks, &f->w[pick].s) != HDB_OK) {
        hdb__kvscan_close(&f->w[pick].s); /* an empty slot again */
        return NULL;
    }
    f->w[pick].ks = ks;
    f->w[pick].busy = 1;
    return &f->w[pick].s;
}

void hdb__kv_walk_give(hdb_kvscan *s)
{
    struct hdb_kvfinds *f = s->t->finds;
    drop_ovf(s);
    for (int i = 0; i < HDB_KVWALK_MAX; i++)
        if (&f->w[i].s == s)
            f->w[i].busy = 0;
}

void hdb__kv_find_end(hdb_txn *t)
{
    struct hdb_kvfinds *f = t->finds;
    if (!f)
        return;
    for (int i = 0; i < f->n; i++)
        hdb__kvscan_close(&f->v[i].s);
    for (int i = 0; i < HDB_KVWALK_MAX; i++)
        hdb__kvscan_close(&f->w[i].s);
    hdb__free(t->e->mem, f);
    t->finds = NULL;
}
