/*
** pager.c — open/close, the meta, page access, allocation, reference counts
** and the write transaction's undo (contract and invariants in pager.h).
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>
#include "pager/pager_int.h"

#define META_SEQ 24
#define META_LSN 32
#define META_TIME 40
#define META_NEXT 48
#define META_REG 52
#define META_HIST 64
#define META_ENGINE 80

int hdb__pager_fail(hdb_pager *p, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->errmsg, sizeof p->errmsg, fmt, ap);
    va_end(ap);
    if (!p->err)
        p->err = rc;
    return rc;
}

int hdb__pager_corrupt(hdb_pager *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->errmsg, sizeof p->errmsg, fmt, ap);
    va_end(ap);
    return HDB_CORRUPT;
}

const char *hdb__pager_errmsg(const hdb_pager *p) { return p->errmsg; }
int hdb__pager_error(const hdb_pager *p) { return p->err; }
uint64_t hdb__pager_db_salt(const hdb_pager *p) { return p->db_salt; }

unsigned hdb__pager_page_size(const hdb_pager *p) { return p->psize; }
size_t hdb__pager_cache_frames(const hdb_pager *p) { return p->max_frames; }
const hdb_meta *hdb__pager_meta(const hdb_pager *p) { return &p->meta; }
hdb_pgno hdb__pager_next_pgno(const hdb_pager *p) { return p->next_pgno; }
uint64_t hdb__pager_txn_lsn(const hdb_pager *p) { return p->txn_lsn; }
int hdb__pager_in_txn(const hdb_pager *p) { return p->in_txn; }

/* ------------------------------------------------------------------------
** The file header and the meta slots
*/
static void header_build(uint8_t *buf, unsigned psize, int64_t now, uint64_t salt)
{
    memset(buf, 0, psize);
    memcpy(buf, HDB_MAGIC, HDB_MAGIC_LEN);
    hdb__put32(buf + 16, HDB_FORMAT_VERSION);
    hdb__put32(buf + 20, psize);
    hdb__put64(buf + 24, (uint64_t)now);
    hdb__put64(buf + 32, salt);
    hdb__put64(buf + 40, XXH3_64bits(buf, 40));
}

/* Rewrite an older header as the current version (same creation time and
 * salt) and make it durable before anything else is written. */
static int header_upgrade(hdb_pager *p, const uint8_t *old)
{
    unsigned ps = hdb__get32(old + 20);
    uint8_t *buf = hdb__malloc(p->mem, ps);
    if (!buf)
        return HDB_NOMEM;
    header_build(buf, ps, (int64_t)hdb__get64(old + 24), hdb__get64(old + 32));
    int rc = p->vfs->write(p->file, buf, 48, 0);
    if (rc == HDB_OK)
        rc = p->vfs->sync(p->file);
    hdb__free(p->mem, buf);
    return rc;
}

static int valid_page_size(unsigned ps)
{
    return ps >= HDB_MIN_PAGE && ps <= HDB_MAX_PAGE && (ps & (ps - 1)) == 0;
}

static int header_check(hdb_pager *p, const uint8_t *buf, size_t got)
{
    if (got < 48 || memcmp(buf, HDB_MAGIC, HDB_MAGIC_LEN) != 0)
        return hdb__pager_corrupt(p, "not a HeliosDB Nano database (bad magic)");
    if (hdb__get64(buf + 40) != XXH3_64bits(buf, 40))
        return hdb__pager_corrupt(p, "file header checksum mismatch");
    unsigned v = hdb__get32(buf + 16);
    if (v < HDB_FORMAT_OLDEST || v > HDB_FORMAT_VERSION)
        return hdb__pager_corrupt(p, "unsupported format version %u (this library reads %u to %u)", v,
                                  HDB_FORMAT_OLDEST, HDB_FORMAT_VERSION);
    unsigned ps = hdb__get32(buf + 20);
    p->db_salt = hdb__get64(buf + 32);
    if (!valid_page_size(ps))
        return hdb__pager_corrupt(p, "bad page size %u in the file header", ps);
    p->psize = ps;
    return HDB_OK;
}

void hdb__pager_meta_encode(const hdb_pager *p, const hdb_meta *m, int slot, uint8_t *buf)
{
    memset(buf, 0, p->psize);
    buf[HDB_PH_TYPE] = HDB_PT_META;
    hdb__put32(buf + HDB_PH_PGNO, (uint32_t)slot);
    hdb__put64(buf + HDB_PH_BIRTH, m->ckpt_lsn);
    hdb__put64(buf + META_SEQ, m->ckpt_seq);
    hdb__put64(buf + META_LSN, m->ckpt_lsn);
    hdb__put64(buf + META_TIME, (uint64_t)m->ckpt_time_us);
    hdb__put32(buf + META_NEXT, m->next_pgno);
    hdb__ref_put(buf + META_REG, m->registry);
    hdb__ref_put(buf + META_HIST, m->history);
    memcpy(buf + META_ENGINE, m->engine, HDB_META_ENGINE_SIZE);
}

static int meta_decode(hdb_pager *p, const uint8_t *buf, hdb_meta *m)
{
    if (hdb__page_type(buf) != HDB_PT_META)
        return HDB_CORRUPT;
    m->ckpt_seq = hdb__get64(buf + META_SEQ);
    m->ckpt_lsn = hdb__get64(buf + META_LSN);
    m->ckpt_time_us = (int64_t)hdb__get64(buf + META_TIME);
    m->next_pgno = hdb__get32(buf + META_NEXT);
    m->registry = hdb__ref_get(buf + META_REG);
    m->history = hdb__ref_get(buf + META_HIST);
    memcpy(m->engine, buf + META_ENGINE, HDB_META_ENGINE_SIZE);
    if (m->next_pgno < HDB_MAP_FIRST + 2)
        return HDB_CORRUPT;
    return HDB_OK;
}

/* Pick the valid meta slot with the highest sequence. */
static int meta_load(hdb_pager *p)
{
    uint8_t *buf = hdb__malloc(p->mem, p->psize);
    int best = 0, rc = HDB_OK;
    if (!buf)
        return HDB_NOMEM;
    for (int slot = 1; slot <= 2; slot++) {
        hdb_meta m;
        rc = hdb__page_read(p, (hdb_pgno)slot, buf);
        if (rc == HDB_IOERR || rc == HDB_NOMEM)
            goto out;
        if (rc != HDB_OK || meta_decode(p, buf, &m) != HDB_OK)
            continue;
        if (!best || m.ckpt_seq > p->meta.ckpt_seq) {
            p->meta = m;
            best = slot;
        }
    }
    rc = best ? HDB_OK : hdb__pager_corrupt(p, "no valid meta page");
    p->meta_slot = best;
out:
    hdb__free(p->mem, buf);
    return rc;
}

static int file_create(hdb_pager *p, const hdb_pager_cfg *cfg)
{
    uint8_t *buf = hdb__malloc(p->mem, p->psize);
    if (!buf)
        return HDB_NOMEM;
    header_build(buf, p->psize, cfg->now_us, cfg->salt);
    p->db_salt = cfg->salt;
    int rc = p->vfs->write(p->file, buf, p->psize, 0);
    memset(&p->meta, 0, sizeof p->meta);
    p->meta.ckpt_seq = 1;
    p->meta.ckpt_time_us = cfg->now_us;
    p->meta.next_pgno = HDB_MAP_FIRST + 2;
    if (rc == HDB_OK) {
        hdb__pager_meta_encode(p, &p->meta, 1, buf);
        rc = hdb__page_write(p, 1, buf);
    }
    if (rc == HDB_OK)
        rc = p->vfs->sync(p->file);
    p->meta_slot = 1;
    hdb__free(p->mem, buf);
    return rc;
}

/* ------------------------------------------------------------------------
** Open and close
*/
static int open_file(hdb_pager *p, const hdb_pager_cfg *cfg, int *created)
{
    int flags = cfg->read_only ? HDB_VFS_READONLY : (cfg->create ? HDB_VFS_CREATE : 0);
    int rc = p->vfs->open(p->vfs, cfg->path, flags, &p->file);
    if (rc != HDB_OK)
        return rc;
    rc = p->vfs->lock(p->file, cfg->read_only ? HDB_LOCK_SHARED : HDB_LOCK_EXCL);
    if (rc != HDB_OK)
        return rc;
    uint64_t size;
    if ((rc = p->vfs->size(p->file, &size)) != HDB_OK)
        return rc;
    if (size == 0) {
        if (cfg->read_only || !cfg->create)
            return hdb__pager_corrupt(p, "the database file is empty");
        *created = 1;
        return file_create(p, cfg);
    }
    uint8_t hdr[64];
    size_t got = 0;
    if ((rc = p->vfs->read(p->file, hdr, sizeof hdr, 0, &got)) != HDB_OK)
        return rc;
    if ((rc = header_check(p, hdr, got)) != HDB_OK)
        return rc;
    if (!cfg->read_only && hdb__get32(hdr + 16) < HDB_FORMAT_VERSION &&
        (rc = header_upgrade(p, hdr)) != HDB_OK)
        return rc;
    if ((rc = meta_load(p)) != HDB_OK)
        return rc;
    /* Pages past the durable high-water mark are leftovers of a run that
     * did not reach its checkpoint: drop them. */
    if (!cfg->read_only && size > (uint64_t)p->meta.next_pgno * p->psize)
        rc = p->vfs->truncate(p->file, (uint64_t)p->meta.next_pgno * p->psize);
    return rc;
}

static int alloc_state(hdb_pager *p, size_t cache_bytes)
{
    size_t frame = p->psize + 128;
    p->max_frames = cache_bytes / frame;
    if (p->max_frames < 16)
        p->max_frames = 16;
    size_t hcap = 64;
    while (hcap < p->max_frames * 2)
        hcap *= 2;
    p->hash = hdb__zalloc(p->mem, hcap * sizeof *p->hash);
    p->hmask = hcap - 1;
    p->free_cap = 4096;
    p->free_now = hdb__malloc(p->mem, p->free_cap * sizeof *p->free_now);
    return p->hash && p->free_now ? HDB_OK : HDB_NOMEM;
}

int hdb__pager_open(const hdb_pager_cfg *cfg, hdb_pager **out, int *created)
{
    *out = NULL;
    *created = 0;
    unsigned ps = cfg->page_size ? cfg->page_size : HDB_DEFAULT_PAGE;
    if (!valid_page_size(ps))
        return HDB_MISUSE;
    hdb_pager *p = hdb__zalloc(cfg->mem, sizeof *p);
    if (!p)
        return HDB_NOMEM;
    p->vfs = cfg->vfs;
    p->mem = cfg->mem;
    p->psize = ps;
    p->read_only = cfg->read_only;
    hdb__cache_init_lru(p);
    hdb__u32set_init(&p->pending, p->mem);
    hdb__u32set_init(&p->spilled, p->mem);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->loaded_cv, NULL);
    int rc = open_file(p, cfg, created);
    if (rc == HDB_OK) {
        p->per_map = (p->psize - HDB_MAP_HDR) / 4;
        p->next_pgno = p->meta.next_pgno;
        rc = alloc_state(p, cfg->cache_bytes);
    }
    if (rc == HDB_OK)
        rc = hdb__map_scan_open(p);
    if (rc != HDB_OK) {
        hdb__pager_close(p);
        return rc;
    }
    *out = p;
    return HDB_OK;
}

static void pq_free(hdb_pager *p, hdb_pqueue *q) { hdb__free(p->mem, q->v); }

void hdb__pager_close(hdb_pager *p)
{
    if (!p)
        return;
    if (p->file)
        p->vfs->close(p->file);
    hdb__cache_free_all(p);
    hdb__free(p->mem, p->rstate);
    hdb__free(p->mem, p->free_now);
    pq_free(p, &p->pend_ckpt);
    pq_free(p, &p->pend_read);
    hdb__u32set_free(&p->pending);
    hdb__u32set_free(&p->spilled);
    hdb__free(p->mem, p->undo);
    hdb__free(p->mem, p->freed);
    hdb__free(p->mem, p->sp);
    hdb__free(p->mem, p->readers);
    pthread_cond_destroy(&p->loaded_cv);
    pthread_mutex_destroy(&p->mu);
    hdb__free(p->mem, p);
}

/* ------------------------------------------------------------------------
** Page access
*/
int hdb__pager_is_data_page(const hdb_pager *p, hdb_pgno pgno)
{
    return pgno >= HDB_MAP_FIRST && pgno < p->next_pgno && !hdb__map_is_slot(p, pgno);
}

/* Let go of a frame whose read failed: the last thread to do so drops it
 * (until then it stays in the hash, and a get of it returns the error). */
static void unpin_failed(hdb_pager *p, hdb_page *pg)
{
    if (--pg->pin == 0)
        hdb__cache_drop(p, pg);
}

/* Wait, pinned, for another thread's read of frame pg to end. */
static int wait_loaded(hdb_pager *p, hdb_page *pg)
{
    p->load_waiters++;
    while (!pg->loaded && !pg->ioerr)
        pthread_cond_wait(&p->loaded_cv, &p->mu);
    p->load_waiters--;
    if (pg->loaded)
        return HDB_OK;
    int rc = pg->ioerr;
    unpin_failed(p, pg);
    return rc;
}

static int get_locked(hdb_pager *p, hdb_ref ref, int cold, hdb_page **out)
{
    /* A cached frame that is not a map page's is a data page's (every data
     * frame was checked when made): the division of hdb__map_is_slot is
     * left for the pages to read. */
    hdb_page *pg = ref.pgno >= HDB_MAP_FIRST && ref.pgno < p->next_pgno
                       ? hdb__cache_find(p, ref.pgno) : NULL;
    if (pg ? pg->is_map : !hdb__pager_is_data_page(p, ref.pgno))
        return hdb__pager_corrupt(p, "pointer to page %u, outside the data pages", ref.pgno);
    if (pg) {
        pg->pin++;
        if (!cold)
            hdb__cache_touch(p, pg);
        p->st.cache_hits++;
        int rc = pg->loaded ? HDB_OK : wait_loaded(p, pg);
        if (rc != HDB_OK)
            return rc;
    } else {
        int rc = hdb__cache_new_at(p, ref.pgno, 0, cold, &pg);
        if (rc != HDB_OK)
            return rc;
        if (p->in_txn && hdb__u32set_has(&p->spilled, ref.pgno))
            pg->gen = p->gen; /* still writable (SPILLED PAGES) */
        /* Read without the mutex (THREADS in pager.h): the frame is pinned,
         * so it is not evicted, and not loaded, so nobody else uses it. */
        int bad;
        pthread_mutex_unlock(&p->mu);
        rc = hdb__page_fetch(p, ref.pgno, pg->data, &bad);
        pthread_mutex_lock(&p->mu);
        rc = hdb__page_fetched(p, ref.pgno, pg->data, rc, bad);
        if (rc == HDB_OK)
            pg->loaded = 1;
        else
            pg->ioerr = rc;
        if (p->load_waiters)
            pthread_cond_broadcast(&p->loaded_cv);
        if (rc != HDB_OK) {
            unpin_failed(p, pg);
            return rc;
        }
    }
    if (ref.birth && hdb__page_birth(pg->data) != ref.birth) {
        uint64_t b = hdb__page_birth(pg->data);
        pg->pin--;
        return hdb__pager_corrupt(p, "page %u: birth %llu, pointer expects %llu (lost write)",
                                  ref.pgno, (unsigned long long)b,
                                  (unsigned long long)ref.birth);
    }
    *out = pg;
    return HDB_OK;
}

int hdb__pager_get(hdb_pager *p, hdb_ref ref, hdb_page **out)
{
    pthread_mutex_lock(&p->mu);
    int rc = get_locked(p, ref, 0, out);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int hdb__pager_get_cold(hdb_pager *p, hdb_ref ref, hdb_page **out)
{
    pthread_mutex_lock(&p->mu);
    int rc = get_locked(p, ref, 1, out);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int hdb__pager_put_get(hdb_pager *p, hdb_page *const *put, int n, hdb_ref ref, hdb_page **out)
{
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < n; i++)
        if (put[i])
            put[i]->pin--;
    int rc = get_locked(p, ref, 0, out);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void hdb__pager_put_n(hdb_pager *p, hdb_page *const *put, int n)
{
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < n; i++)
        if (put[i])
            put[i]->pin--;
    pthread_mutex_unlock(&p->mu);
}

void hdb__pager_put(hdb_pager *p, hdb_page *pg)
{
    if (!pg)
        return;
    pthread_mutex_lock(&p->mu);
    pg->pin--;
    pthread_mutex_unlock(&p->mu);
}

void hdb__pager_pin(hdb_pager *p, hdb_page *pg)
{
    pthread_mutex_lock(&p->mu);
    pg->pin++;
    pthread_mutex_unlock(&p->mu);
}

/* ------------------------------------------------------------------------
** Growable arrays
*/
static int grow(const hdb_allocator *mem, void **v, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return HDB_OK;
    size_t c = *cap ? *cap * 2 : 64;
    while (c < need)
        c *= 2;
    void *n = hdb__realloc(mem, *v, c * elem);
    if (!n)
        return HDB_NOMEM;
    *v = n;
    *cap = c;
    return HDB_OK;
}

static int pq_push(hdb_pager *p, hdb_pqueue *q, hdb_pgno pgno, uint64_t lsn)
{
    if (q->head && q->head + q->n == q->cap) {
        memmove(q->v, q->v + q->head, q->n * sizeof *q->v);
        q->head = 0;
    }
    if (grow(p->mem, (void **)&q->v, &q->cap, q->head + q->n + 1, sizeof *q->v) != HDB_OK)
        return HDB_NOMEM;
    q->v[q->head + q->n].pgno = pgno;
    q->v[q->head + q->n].freed_lsn = lsn;
    q->n++;
    return HDB_OK;
}

/* ------------------------------------------------------------------------
** Reference counts, with undo
*/
static int set_count(hdb_pager *p, hdb_pgno pgno, uint32_t old, uint32_t now)
{
    if (p->in_txn) {
        if (grow(p->mem, (void **)&p->undo, &p->undo_cap, p->nundo + 1, sizeof *p->undo))
            return HDB_NOMEM;
        p->undo[p->nundo].pgno = pgno;
        p->undo[p->nundo].old = old;
    }
    int rc = hdb__map_set(p, pgno, now);
    if (rc != HDB_OK)
        return rc;
    if (p->in_txn)
        p->nundo++;
    if (old == 0 && now)
        p->live_pages++;
    else if (old && now == 0)
        p->live_pages--;
    return HDB_OK;
}

/* A page that just became reusable. */
static void make_free(hdb_pager *p, hdb_pgno pgno)
{
    if (p->nfree_now < p->free_cap)
        p->free_now[p->nfree_now++] = pgno;
    else
        p->scan_dry = 0;
}

int hdb__pager_rc(hdb_pager *p, hdb_pgno pgno, uint32_t *count)
{
    pthread_mutex_lock(&p->mu);
    int rc = hdb__map_count(p, pgno, count);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int hdb__pager_incr_many(hdb_pager *p, const hdb_pgno *v, size_t n)
{
    hdb_page *m = NULL;
    uint32_t c = 0;
    pthread_mutex_lock(&p->mu);
    int rc = p->err;
    if (rc == HDB_OK && p->in_txn &&
        grow(p->mem, (void **)&p->undo, &p->undo_cap, p->nundo + n, sizeof *p->undo))
        rc = HDB_NOMEM;
    for (size_t i = 0; rc == HDB_OK && i < n; i++) {
        if ((rc = hdb__map_bump(p, v[i], &m, &c)) != HDB_OK)
            break;
        if (c == 0)
            rc = hdb__pager_corrupt(p, "reference to free page %u", v[i]);
        else if (c >= UINT32_MAX - 1)
            rc = HDB_FULL;
        else if (p->in_txn) {
            p->undo[p->nundo].pgno = v[i];
            p->undo[p->nundo].old = c;
            p->nundo++;
        }
    }
    if (m)
        m->pin--;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int hdb__pager_incr(hdb_pager *p, hdb_pgno pgno) { return hdb__pager_incr_many(p, &pgno, 1); }

static int freed_push(hdb_pager *p, hdb_ref ref)
{
    if (grow(p->mem, (void **)&p->freed, &p->freed_cap, p->nfreed + 1, sizeof *p->freed))
        return HDB_NOMEM;
    if (hdb__u32set_add(&p->pending, ref.pgno) != HDB_OK)
        return HDB_NOMEM;
    p->freed[p->nfreed].pgno = ref.pgno;
    p->freed[p->nfreed].birth = ref.birth;
    p->nfreed++;
    return HDB_OK;
}

int hdb__pager_decr(hdb_pager *p, hdb_ref ref, uint32_t *left)
{
    uint32_t c;
    pthread_mutex_lock(&p->mu);
    int rc = p->err ? p->err : hdb__map_count(p, ref.pgno, &c);
    if (rc == HDB_OK && c == 0)
        rc = hdb__pager_corrupt(p, "release of free page %u", ref.pgno);
    if (rc == HDB_OK && c == 1) {
        /* Born in this transaction with no savepoint open: no rollback
         * target can need it, so it is reusable at once. */
        if (p->nsp == 0 && ref.birth == p->txn_lsn)
            make_free(p, ref.pgno);
        else
            rc = freed_push(p, ref);
    }
    if (rc == HDB_OK)
        rc = set_count(p, ref.pgno, c, c - 1);
    if (rc == HDB_OK)
        *left = c - 1;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* ------------------------------------------------------------------------
** Allocation
*/
static int pop_free(hdb_pager *p, hdb_pgno *out)
{
    while (p->nfree_now) {
        hdb_pgno pg = p->free_now[--p->nfree_now];
        uint32_t c;
        /* Entries may be stale or repeated (undo can free a page twice):
         * trust the map, not the list. */
        if (pg >= p->next_pgno || hdb__u32set_has(&p->pending, pg))
            continue;
        int rc = hdb__map_count(p, pg, &c);
        if (rc != HDB_OK)
            return rc;
        if (c == 0) {
            *out = pg;
            return HDB_OK;
        }
    }
    return hdb__map_find_free(p, out);
}

static int extend(hdb_pager *p, hdb_pgno *out)
{
    hdb_pgno pg = p->next_pgno;
    if (hdb__map_is_slot(p, pg))
        pg = hdb__map_slot_a(p, hdb__map_region(p, pg)) + 2;
    if (pg >= UINT32_MAX - 2)
        return HDB_FULL;
    int rc = hdb__map_grow_regions(p, hdb__map_region(p, pg) + 1);
    if (rc != HDB_OK)
        return rc;
    p->next_pgno = pg + 1;
    *out = pg;
    return HDB_OK;
}

static int alloc_locked(hdb_pager *p, unsigned type, hdb_page **out)
{
    hdb_pgno pgno;
    hdb_page *pg;
    int rc = p->err;
    if (rc == HDB_OK && !p->in_txn)
        rc = HDB_MISUSE;
    if (rc == HDB_OK) {
        rc = pop_free(p, &pgno);
        if (rc == HDB_NOTFOUND)
            rc = extend(p, &pgno);
    }
    if (rc != HDB_OK)
        return rc;
    pg = hdb__cache_find(p, pgno);
    if (pg) {
        if (pg->pin)
            return hdb__pager_corrupt(p, "page %u is free but still in use", pgno);
        pg->pin = 1;
        hdb__cache_touch(p, pg);
    } else if ((rc = hdb__cache_new(p, pgno, 0, &pg)) != HDB_OK) {
        return rc;
    }
    if ((rc = set_count(p, pgno, 0, 1)) != HDB_OK) {
        pg->pin--;
        return rc;
    }
    memset(pg->data, 0, p->psize);
    pg->data[HDB_PH_TYPE] = (uint8_t)type;
    hdb__put32(pg->data + HDB_PH_PGNO, pgno);
    hdb__put64(pg->data + HDB_PH_BIRTH, p->txn_lsn);
    pg->gen = p->gen;
    pg->loaded = 1;
    hdb__cache_mark_dirty(p, pg);
    *out = pg;
    return HDB_OK;
}

int hdb__pager_alloc(hdb_pager *p, unsigned type, hdb_page **out)
{
    pthread_mutex_lock(&p->mu);
    int rc = alloc_locked(p, type, out);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void hdb__pager_dirty(hdb_pager *p, hdb_page *pg)
{
    pthread_mutex_lock(&p->mu);
    hdb__cache_mark_dirty(p, pg);
    pthread_mutex_unlock(&p->mu);
}

int hdb__pager_writable(const hdb_pager *p, const hdb_page *pg)
{
    if (!p->in_txn || hdb__page_birth(pg->data) != p->txn_lsn)
        return 0;
    unsigned floor = p->nsp ? p->sp[p->nsp - 1].gen : 0;
    return pg->gen >= floor;
}

/* SPILLED PAGES.  A frame's gen says whether its page was born after the
 * latest savepoint (invariant 2), and a frame read back after its eviction
 * would not know it: under a savepoint (every SQL statement inside BEGIN
 * that is not a one-row INSERT), a statement larger than the cache would
 * copy each page again at each return to the cache.  So eviction notes the
 * writable pages it writes out, and a read in the transaction gives them
 * back a current gen.  A new savepoint or a rollback to one makes none of
 * them writable (or frees them): the set is emptied.  Without a savepoint
 * every page born in the transaction is writable: nothing is noted.  Out
 * of memory only loses the note (the page is then copied once more). */
void hdb__pager_note_evicted(hdb_pager *p, const hdb_page *pg)
{
    if (p->in_txn && p->nsp && !pg->is_map && pg->loaded && hdb__pager_writable(p, pg))
        (void)hdb__u32set_add(&p->spilled, pg->pgno);
}

static void spilled_clear(hdb_pager *p)
{
    if (p->spilled.n == 0)
        return;
    if (p->spilled.mask >= 4095)
        hdb__u32set_free(&p->spilled); /* no large memset per statement */
    else
        hdb__u32set_clear(&p->spilled);
}

/* ------------------------------------------------------------------------
** The write transaction
*/
int hdb__pager_begin(hdb_pager *p, uint64_t lsn)
{
    if (p->err)
        return p->err;
    if (p->in_txn || p->read_only)
        return p->read_only ? HDB_READONLY : HDB_MISUSE;
    p->in_txn = 1;
    p->txn_lsn = lsn;
    p->gen = 1;
    p->nundo = p->nfreed = p->nsp = 0;
    return HDB_OK;
}

int hdb__pager_savepoint(hdb_pager *p, hdb_pager_sp *sp)
{
    pthread_mutex_lock(&p->mu);
    int rc = grow(p->mem, (void **)&p->sp, &p->sp_cap, p->nsp + 1, sizeof *p->sp);
    if (rc == HDB_OK) {
        p->gen++;
        spilled_clear(p);
        sp->undo = p->nundo;
        sp->freed = p->nfreed;
        sp->gen = p->gen;
        p->sp[p->nsp].undo = sp->undo;
        p->sp[p->nsp].freed = sp->freed;
        p->sp[p->nsp].gen = sp->gen;
        p->nsp++;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* Undo count changes back to position `to`. */
static void undo_to(hdb_pager *p, size_t to)
{
    while (p->nundo > to) {
        hdb_undo *u = &p->undo[--p->nundo];
        uint32_t now = 0;
        hdb__map_count(p, u->pgno, &now);
        if (hdb__map_set(p, u->pgno, u->old) != HDB_OK)
            p->err = p->err ? p->err : HDB_NOMEM; /* cannot restore: stop writing */
        if (now && u->old == 0) {
            p->live_pages--;
            make_free(p, u->pgno);
        } else if (now == 0 && u->old) {
            p->live_pages++;
        }
    }
}

static void unfree_to(hdb_pager *p, size_t to)
{
    while (p->nfreed > to)
        hdb__u32set_del(&p->pending, p->freed[--p->nfreed].pgno);
}

void hdb__pager_rollback_to(hdb_pager *p, const hdb_pager_sp *sp)
{
    pthread_mutex_lock(&p->mu);
    undo_to(p, sp->undo);
    unfree_to(p, sp->freed);
    while (p->nsp && p->sp[p->nsp - 1].gen > sp->gen)
        p->nsp--;
    p->gen++;
    spilled_clear(p);
    pthread_mutex_unlock(&p->mu);
}

/* Release: forget the savepoint (and those above).  With none left, pages
 * born in the transaction and freed since are reusable at once. */
void hdb__pager_release(hdb_pager *p, const hdb_pager_sp *sp)
{
    pthread_mutex_lock(&p->mu);
    while (p->nsp && p->sp[p->nsp - 1].gen >= sp->gen)
        p->nsp--;
    if (p->nsp == 0) {
        size_t k = 0;
        for (size_t i = 0; i < p->nfreed; i++) {
            if (p->freed[i].birth == p->txn_lsn) {
                hdb__u32set_del(&p->pending, p->freed[i].pgno);
                make_free(p, p->freed[i].pgno);
            } else {
                p->freed[k++] = p->freed[i];
            }
        }
        p->nfreed = k;
    }
    pthread_mutex_unlock(&p->mu);
}

void hdb__pager_commit(hdb_pager *p)
{
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->nfreed; i++) {
        hdb_freed *f = &p->freed[i];
        int rc = HDB_OK;
        if (f->birth == p->txn_lsn) {
            hdb__u32set_del(&p->pending, f->pgno);
            make_free(p, f->pgno);
        } else if (f->birth > p->meta.ckpt_lsn) {
            rc = pq_push(p, &p->pend_read, f->pgno, p->txn_lsn);
        } else {
            rc = pq_push(p, &p->pend_ckpt, f->pgno, p->txn_lsn);
        }
        /* Out of memory here only delays reuse: the page stays pending in
         * the set until reopen, when the map shows it free. */
        (void)rc;
    }
    p->nundo = p->nfreed = p->nsp = 0;
    p->in_txn = 0;
    spilled_clear(p);
    hdb__pager_release_pending(p);
    pthread_mutex_unlock(&p->mu);
}

void hdb__pager_abort(hdb_pager *p)
{
    pthread_mutex_lock(&p->mu);
    undo_to(p, 0);
    unfree_to(p, 0);
    p->nsp = 0;
    p->in_txn = 0;
    spilled_clear(p);
    pthread_mutex_unlock(&p->mu);
}

/* ------------------------------------------------------------------------
** Readers and pending pages
*/
uint64_t hdb__pager_min_reader(const hdb_pager *p)
{
    uint64_t m = UINT64_MAX;
    for (size_t i = 0; i < p->nreaders; i++)
        if (p->readers[i] < m)
            m = p->readers[i];
    return m;
}

static void pq_release(hdb_pager *p, hdb_pqueue *q, uint64_t upto)
{
    while (q->n && q->v[q->head].freed_lsn <= upto) {
        hdb_pgno pg = q->v[q->head].pgno;
        q->head++;
        q->n--;
        hdb__u32set_del(&p->pending, pg);
        make_free(p, pg);
    }
    if (q->n == 0)
        q->head = 0;
}

void hdb__pager_release_pending(hdb_pager *p)
{
    uint64_t minr = hdb__pager_min_reader(p);
    pq_release(p, &p->pend_read, minr);
    pq_release(p, &p->pend_ckpt, minr < p->meta.ckpt_lsn ? minr : p->meta.ckpt_lsn);
}

int hdb__pager_reader_add(hdb_pager *p, uint64_t lsn)
{
    pthread_mutex_lock(&p->mu);
    int rc = grow(p->mem, (void **)&p->readers, &p->readers_cap, p->nreaders + 1,
                  sizeof *p->readers);
    if (rc == HDB_OK)
        p->readers[p->nreaders++] = lsn;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void hdb__pager_reader_remove(hdb_pager *p, uint64_t lsn)
{
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->nreaders; i++) {
        if (p->readers[i] == lsn) {
            p->readers[i] = p->readers[--p->nreaders];
            break;
        }
    }
    hdb__pager_release_pending(p);
    pthread_mutex_unlock(&p->mu);
}

int hdb__pager_is_pending(hdb_pager *p, hdb_pgno pgno)
{
    pthread_mutex_lock(&p->mu);
    int r = hdb__u32set_has(&p->pending, pgno);
    pthread_mutex_unlock(&p->mu);
    return r;
}

uint64_t hdb__pager_dirty_bytes(const hdb_pager *p) { return (uint64_t)p->ndirty * p->psize; }

void hdb__pager_stats(hdb_pager *p, hdb_pager_stats *out)
{
    pthread_mutex_lock(&p->mu);
    *out = p->st;
    out->cache_frames = p->nframes;
    out->cache_bytes = (uint64_t)p->nframes * p->psize;
    out->dirty_frames = p->ndirty;
    out->file_pages = p->next_pgno;
    out->live_pages = p->live_pages;
    out->pending_pages = p->pending.n;
    uint64_t data = 0;
    if (p->next_pgno > HDB_MAP_FIRST) {
        size_t nreg = hdb__map_region(p, p->next_pgno - 1) + 1;
        data = p->next_pgno - HDB_MAP_FIRST - 2 * nreg;
    }
    out->free_pages = data > p->live_pages ? data - p->live_pages : 0;
    pthread_mutex_unlock(&p->mu);
}

