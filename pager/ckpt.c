/*
** ckpt.c — the checkpoint: dirty pages, then map pages, sync, meta, sync.
**
** HOW IT WORKS
**   1. Under the mutex, pin every dirty data frame; frames of pages that are
**      free and reusable are dropped instead (their content is dead).
**   2. Without the mutex, write the pinned frames.  Their content cannot
**      change: only the writer modifies pages, and the writer is here.
**      Readers keep reading (and evicting other frames) meanwhile.
**   3. Under the mutex, write every dirty map page (and the regions marked
**      FORCE) to its write slot with the new sequence number.
**   4. Sync; write the meta to the slot the durable meta does not use; sync.
**   5. The new meta is durable: adopt it, flip the map slots, release the
**      pages that were waiting for this checkpoint.
**   A failure at any step leaves the previous meta and everything it
**   reaches untouched (pager.h, invariant 1) and the pager sticky-failed.
*/
#include <string.h>
#include "pager/pager_int.h"

/* Pin the dirty frames to write (map frames if want_map). */
static int collect(hdb_pager *p, int want_map, hdb_page ***out, size_t *n)
{
    size_t cap = p->ndirty + 1, k = 0;
    hdb_page **v = hdb__malloc(p->mem, cap * sizeof *v);
    if (!v)
        return HDB_NOMEM;
    for (hdb_page *pg = p->lru.lnext; pg != &p->lru && k < cap; pg = pg->lnext) {
        if (pg->dirty && pg->is_map == want_map) {
            pg->pin++;
            v[k++] = pg;
        }
    }
    *out = v;
    *n = k;
    return HDB_OK;
}

static int write_data_pages(hdb_pager *p)
{
    hdb_page **v;
    size_t n, k = 0;
    int rc = collect(p, 0, &v, &n);
    if (rc != HDB_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (hdb__cache_frame_dead(p, v[i])) {
            hdb__cache_mark_clean(p, v[i]);
            v[i]->pin--;
        } else {
            v[k++] = v[i];
        }
    }
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < k && rc == HDB_OK; i++)
        rc = hdb__page_write(p, v[i]->pgno, v[i]->data);
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < k; i++) {
        if (rc == HDB_OK)
            hdb__cache_mark_clean(p, v[i]);
        v[i]->pin--;
    }
    hdb__free(p->mem, v);
    return rc;
}

static int write_map_pages(hdb_pager *p, uint64_t seq)
{
    hdb_page **v;
    size_t n;
    int rc = hdb__map_force_dirty(p);
    if (rc == HDB_OK)
        rc = collect(p, 1, &v, &n);
    if (rc != HDB_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (rc == HDB_OK)
            rc = hdb__map_write_slot(p, v[i], seq);
        if (rc == HDB_OK)
            hdb__cache_mark_clean(p, v[i]);
        v[i]->pin--;
    }
    hdb__free(p->mem, v);
    return rc;
}

static int sync_file(hdb_pager *p)
{
    int rc = p->vfs->sync(p->file);
    if (rc != HDB_OK)
        return hdb__pager_fail(p, rc, "sync of the database file failed");
    return HDB_OK;
}

static int write_meta(hdb_pager *p, hdb_meta *m, int slot)
{
    uint8_t *buf = hdb__malloc(p->mem, p->psize);
    if (!buf)
        return HDB_NOMEM;
    hdb__pager_meta_encode(p, m, slot, buf);
    int rc = hdb__page_write(p, (hdb_pgno)slot, buf);
    hdb__free(p->mem, buf);
    return rc;
}

int hdb__pager_checkpoint(hdb_pager *p, const hdb_meta *m_in)
{
    hdb_meta m = *m_in;
    int slot = 3 - p->meta_slot;
    pthread_mutex_lock(&p->mu);
    int rc = p->err ? p->err : (p->in_txn || p->read_only) ? HDB_MISUSE : HDB_OK;
    if (rc == HDB_OK)
        rc = write_data_pages(p);
    m.ckpt_seq = p->meta.ckpt_seq + 1;
    m.next_pgno = p->next_pgno;
    if (rc == HDB_OK)
        rc = write_map_pages(p, m.ckpt_seq);
    pthread_mutex_unlock(&p->mu);
    if (rc == HDB_OK)
        rc = sync_file(p);
    if (rc == HDB_OK)
        rc = write_meta(p, &m, slot);
    if (rc == HDB_OK)
        rc = sync_file(p);
    pthread_mutex_lock(&p->mu);
    if (rc == HDB_OK) {
        p->meta = m;
        p->meta_slot = slot;
        hdb__map_checkpointed(p);
        hdb__pager_release_pending(p);
        p->st.checkpoints++;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}
