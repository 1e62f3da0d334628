/*
** cache.c — the page cache: frames, hash, LRU, eviction, page I/O.
**
** HOW IT WORKS
**   A frame is one allocation: the hdb_page struct followed by the page
**   buffer.  Frames are found through a hash on the page number (map pages
**   are cached under the number of their region's slot A) and kept on an
**   LRU list (with a midpoint, below).  A new frame reuses a spare one, or
**   allocates one while the cache is under its budget, or evicts the least
**   recently used unpinned frame, writing it first if it is dirty (pager.h,
**   invariant 5).  When every frame is pinned the cache goes over budget
**   rather than fail: pins are short-lived and bounded by the open cursors.
**
**   COLD READS.  A page that a walk reads once (the two versions of every
**   changed leaf that a diff compares) would push the cache's working set
**   out, dirty pages included, each costing a write.  Such a page enters
**   at the cold end of the LRU instead (hdb__cache_new_at, cold != 0): once
**   unpinned it is the next frame evicted, so a long diff recycles a few
**   clean frames and leaves the rest of the cache as it was.  A cold get of
**   a page already cached does not move it.  The frame a cold read takes
**   is a clean one if one of the CLEAN_SCAN least recently used unpinned
**   frames is clean: other reads and new pages take frames from the cold
**   end too, and a dirty frame there would cost a write for a page that is
**   read once.
**
**   MIDPOINT.  The LRU is split by a sentinel frame (`mid`, pinned, so
**   never evicted) into a young part, at most YOUNG_MAX (5/8) of the
**   frames, and an old part behind it.  A page read or made enters at the
**   head of the old part, and moves to the front only when it is used
**   again after at least HOLD(p) (1/128 of the frames) more pages entered
**   the old part: a use again at once (a walk reading a leaf for each of
**   its keys, a write after its read) is not reuse.  The front's growth
**   pushes the last young frame into the old part, where its next use moves
**   it back.  A stream of pages used once (a join's inner lookups of a large
**   table, a full scan) so cycles through the old part and leaves the
**   young part, the pages used again and again (roots, inner nodes, a
**   small table), where it was.  Under an exact LRU every page read
**   pushes the least recently used one out, whatever its use.
**
**   TOUCHES.  A hit moves its frame to the front of the LRU, which writes
**   the frame's two neighbours: cold memory, on every get of a hot page (a
**   root, an inner node).  A frame carries the value of a counter of moves
**   to the front (`clock`) taken at its last move.  A frame is never
**   further from the front than the number of moves made since its own, so
**   a young one moved fewer than RECENT(p) (an eighth of the frames) moves
**   ago is in the LRU's first eighth already, and a touch leaves it there.  A
**   frame's place is thus that of a use at most RECENT(p) moves older than
**   its last one: it reaches the cold end that much sooner, at most, than
**   under an exact LRU.  A frame of the old part carries instead the count
**   of pages entered there (`ins`) at its entry, for HOLD(p) (MIDPOINT);
**   one entered at the cold end, or pushed out of the young part, carries
**   a count HOLD(p) old, so that its next use moves it.
**
**   HASH.  The frames are found by open addressing with linear probing on
**   the page number, in a table of at least twice as many slots as
**   frames.  A slot holds the page number beside the frame pointer: a
**   lookup of a page that is not cached (every page read) touches the
**   table alone, and one that is cached touches only its own frame, not
**   the frames of other pages on its way.  Removal shifts the rest of the
**   run back into the hole (no tombstones).  A page number is in the table
**   at most once.
**
**   SLABS.  Frames are carved from slabs of up to HDB_BIG_ALIGN (2 MiB)
**   bytes, allocated as the cache grows and never more than its budget
**   needs: a slab holds min(what fits, frames still allowed) frames, or one
**   frame when every frame is pinned and the cache goes over budget; half
**   as many, and so on down to one, when the allocator refuses the block
**   (a fragmented heap still serves the cache in smaller pieces).  A
**   slab of k frames is laid out as
**       k page buffers of P bytes    (page-aligned when mapped: mem.h)
**       k frame headers of FRAME_HDR bytes (hdb_page)
**       hdb_slab                     (the list of slabs, for freeing)
**   A frame is never given back to its slab: an unused one goes to the
**   spare list.  Slabs are freed with the cache (hdb__cache_free_all).
**   One allocation per 2 MiB, not per page, and, with the C library's
**   allocator, huge pages (mem.h, LARGE BLOCKS): a cold cache's page reads
**   each landed in a new frame, and the faults of its fresh memory cost as
**   much as the reads.
**
**   Every function here is called with p->mu held.
*/
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>
#include "pager/pager_int.h"

#define FRAME_HDR ((sizeof(hdb_page) + 63) & ~(size_t)63)

typedef struct hdb_slab {
    struct hdb_slab *next;
    uint8_t *base;
    size_t bytes;
} hdb_slab;
#define SLAB_TAIL ((sizeof(hdb_slab) + 63) & ~(size_t)63)

/* libxxhash built for x86 also exports XXH3 choosing SSE2, AVX2 or AVX-512
 * at run time (the same hashes, 2-3 times faster than its SSE2 default on a
 * 4 KiB page here); other builds, and a static libxxhash.a, lack it: the
 * weak reference is then NULL and the plain function serves. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
extern XXH64_hash_t XXH3_64bits_dispatch(const void *input, size_t len) __attribute__((weak));
#define XXH3_FAST(p, n) (XXH3_64bits_dispatch ? XXH3_64bits_dispatch(p, n) : XXH3_64bits(p, n))
#else
#define XXH3_FAST(p, n) XXH3_64bits(p, n)
#endif

uint64_t hdb__page_checksum(const uint8_t *pg, unsigned psize)
{
    return XXH3_FAST(pg + 8, psize - 8);
}

static size_t hhome(hdb_pgno pgno, size_t mask)
{
    return (size_t)(pgno * 2654435761u) & mask;
}

static size_t hslot(const hdb_pager *p, hdb_pgno pgno)
{
    return hhome(pgno, p->hmask);
}

hdb_page *hdb__cache_find(hdb_pager *p, hdb_pgno pgno)
{
    for (size_t i = hslot(p, pgno);; i = (i + 1) & p->hmask) {
        const hdb_hent *e = &p->hash[i];
        if (!e->pg || e->pgno == pgno)
            return e->pg;
    }
}

static void hash_put(hdb_hent *h, size_t mask, hdb_page *pg)
{
    size_t i = hhome(pg->pgno, mask);
    while (h[i].pg)
        i = (i + 1) & mask;
    h[i].pgno = pg->pgno;
    h[i].pg = pg;
}

/* A frame moved to the front fewer than this many moves ago is among the
 * first RECENT(p) of the LRU: a touch leaves it where it is (TOUCHES). */
#define RECENT(p) ((p)->max_frames / 8 + 1)

/* The young part's most frames (MIDPOINT). */
#define YOUNG_MAX(p) ((p)->max_frames * 5 / 8)

/* An old frame used again before this many pages entered the old part
 * after it stays where it is (MIDPOINT: used again at once is not reuse). */
#define HOLD(p) ((p)->max_frames / 128 + 2)

void hdb__cache_init_lru(hdb_pager *p)
{
    p->lru.lnext = p->lru.lprev = &p->mid;
    p->mid.lnext = p->mid.lprev = &p->lru;
    p->mid.pin = 1; /* never evicted; never dirty; in no hash chain */
    p->mid.loaded = 1;
    p->nyoung = 0;
}

static void link_after(hdb_page *at, hdb_page *pg)
{
    pg->lprev = at;
    pg->lnext = at->lnext;
    at->lnext->lprev = pg;
    at->lnext = pg;
}

static void lru_unlink(hdb_pager *p, hdb_page *pg)
{
    pg->lprev->lnext = pg->lnext;
    pg->lnext->lprev = pg->lprev;
    if (pg->young) {
        pg->young = 0;
        p->nyoung--;
    }
}

/* To the front; the last young frame goes old if the young part is full. */
static void lru_push(hdb_pager *p, hdb_page *pg)
{
    pg->stamp = ++p->clock;
    pg->young = 1;
    p->nyoung++;
    link_after(&p->lru, pg);
    if (p->nyoung > YOUNG_MAX(p)) {
        hdb_page *last = p->mid.lprev, *mid = &p->mid;
        mid->lprev->lnext = mid->lnext; /* the midpoint moves before it */
        mid->lnext->lprev = mid->lprev;
        link_after(last->lprev, mid);
        last->young = 0;
        last->stamp = p->ins - HOLD(p); /* its next use moves it back */
        p->nyoung--;
    }
}

/* At the head of the old part: a new frame, moved to the front if used
 * again (after HOLD(p) more entries) before it is evicted. */
static void lru_push_mid(hdb_pager *p, hdb_page *pg)
{
    pg->stamp = p->ins++;
    pg->young = 0;
    link_after(&p->mid, pg);
}

/* At the cold end: the next frame evicted once it is unpinned. */
static void lru_push_cold(hdb_pager *p, hdb_page *pg)
{
    pg->stamp = p->ins - HOLD(p); /* its first touch moves it */
    pg->young = 0;
    link_after(p->lru.lprev, pg);
}

void hdb__cache_touch(hdb_pager *p, hdb_page *pg)
{
    if (pg->young ? p->clock - pg->stamp < RECENT(p) : p->ins - pg->stamp < HOLD(p))
        return;
    lru_unlink(p, pg);
    lru_push(p, pg);
}

static void hash_remove(hdb_pager *p, hdb_page *pg)
{
    size_t mask = p->hmask, hole = hslot(p, pg->pgno);
    while (p->hash[hole].pg != pg) {
        if (!p->hash[hole].pg)
            return; /* not in the table (never: every frame in service is) */
        hole = (hole + 1) & mask;
    }
    /* Shift the rest of the run back (hdb__probe_stays). */
    for (size_t j = (hole + 1) & mask; p->hash[j].pg; j = (j + 1) & mask) {
        if (!hdb__probe_stays(hole, j, hslot(p, p->hash[j].pgno))) {
            p->hash[hole] = p->hash[j];
            hole = j;
        }
    }
    p->hash[hole].pg = NULL;
}

static int hash_grow(hdb_pager *p)
{
    size_t cap = (p->hmask + 1) * 2;
    hdb_hent *h = hdb__zalloc(p->mem, cap * sizeof *h);
    if (!h)
        return HDB_NOMEM;
    for (size_t i = 0; i <= p->hmask; i++)
        if (p->hash[i].pg)
            hash_put(h, cap - 1, p->hash[i].pg);
    hdb__free(p->mem, p->hash);
    p->hash = h;
    p->hmask = cap - 1;
    return HDB_OK;
}

void hdb__cache_mark_dirty(hdb_pager *p, hdb_page *pg)
{
    if (!pg->dirty) {
        pg->dirty = 1;
        p->ndirty++;
    }
}

void hdb__cache_mark_clean(hdb_pager *p, hdb_page *pg)
{
    if (pg->dirty) {
        pg->dirty = 0;
        p->ndirty--;
    }
}

void hdb__cache_drop(hdb_pager *p, hdb_page *pg)
{
    hash_remove(p, pg);
    lru_unlink(p, pg);
    hdb__cache_mark_clean(p, pg);
    pg->hnext = p->spare;
    p->spare = pg;
}

int hdb__page_write(hdb_pager *p, hdb_pgno pgno, uint8_t *buf)
{
    if (p->err)
        return p->err;
    hdb__put64(buf + HDB_PH_CHECKSUM, hdb__page_checksum(buf, p->psize));
    int rc = p->vfs->write(p->file, buf, p->psize, (uint64_t)pgno * p->psize);
    if (rc != HDB_OK)
        return hdb__pager_fail(p, rc, "write of page %u failed", pgno);
    p->st.page_writes++;
    return HDB_OK;
}

/* Read and verify a page.  HDB_CORRUPT (with a message) if it is short,
 * fails its checksum or names another page. */
enum { READ_SHORT = 1, READ_CHECKSUM, READ_MISDIRECTED };

int hdb__page_fetch(const hdb_pager *p, hdb_pgno pgno, uint8_t *buf, int *bad)
{
    size_t got = 0;
    *bad = 0;
    int rc = p->vfs->read(p->file, buf, p->psize, (uint64_t)pgno * p->psize, &got);
    if (rc != HDB_OK)
        return rc;
    if (got != p->psize)
        *bad = READ_SHORT;
    else if (hdb__get64(buf + HDB_PH_CHECKSUM) != hdb__page_checksum(buf, p->psize))
        *bad = READ_CHECKSUM;
    else if (hdb__page_pgno(buf) != pgno)
        *bad = READ_MISDIRECTED;
    return *bad ? HDB_CORRUPT : HDB_OK;
}

int hdb__page_fetched(hdb_pager *p, hdb_pgno pgno, const uint8_t *buf, int rc, int bad)
{
    if (rc != HDB_OK && !bad) {
        snprintf(p->errmsg, sizeof p->errmsg, "read of page %u failed", pgno);
        return rc;
    }
    p->st.page_reads++;
    switch (bad) {
    case READ_SHORT:
        return hdb__pager_corrupt(p, "page %u is beyond the end of the file", pgno);
    case READ_CHECKSUM:
        return hdb__pager_corrupt(p, "page %u: checksum mismatch", pgno);
    case READ_MISDIRECTED:
        return hdb__pager_corrupt(p, "page %u: holds page %u (misdirected write)", pgno,
                                  hdb__page_pgno(buf));
    }
    return HDB_OK;
}

int hdb__page_read(hdb_pager *p, hdb_pgno pgno, uint8_t *buf)
{
    int bad;
    int rc = hdb__page_fetch(p, pgno, buf, &bad);
    return hdb__page_fetched(p, pgno, buf, rc, bad);
}

int hdb__cache_write(hdb_pager *p, hdb_page *pg)
{
    int rc;
    if (pg->is_map)
        rc = hdb__map_write_slot(p, pg, p->meta.ckpt_seq + 1);
    else
        rc = hdb__page_write(p, pg->pgno, pg->data);
    if (rc == HDB_OK)
        hdb__cache_mark_clean(p, pg);
    return rc;
}

/* A page freed and reusable needs no write: its content is dead.  Only a
 * cached map page is consulted, so that eviction never recurses into
 * loading map pages (which could evict again). */
int hdb__cache_frame_dead(hdb_pager *p, hdb_page *pg)
{
    if (pg->is_map || hdb__u32set_has(&p->pending, pg->pgno))
        return 0;
    hdb_page *m = hdb__cache_find(p, hdb__map_slot_a(p, hdb__map_region(p, pg->pgno)));
    if (!m || !m->loaded)
        return 0;
    return hdb__map_count_in(p, m, pg->pgno) == 0;
}

/* Take frame pg (unpinned) out of service, writing it first if dirty. */
static int evict(hdb_pager *p, hdb_page *pg, hdb_page **out)
{
    if (pg->dirty && !hdb__cache_frame_dead(p, pg)) {
        pg->pin++; /* the map lookup or write may need frames itself */
        int rc = hdb__cache_write(p, pg);
        pg->pin--;
        if (rc != HDB_OK)
            return rc;
    }
    hdb__pager_note_evicted(p, pg);
    hash_remove(p, pg);
    lru_unlink(p, pg);
    hdb__cache_mark_clean(p, pg);
    p->st.evictions++;
    *out = pg;
    return HDB_OK;
}

/* Take a frame out of service: the LRU unpinned one, written if dirty.
 * For a cold read (COLD READS above) a clean frame among the
 * CLEAN_SCAN least recently used ones is taken first, if there is one: a
 * page read once is not worth a write. */
#define CLEAN_SCAN 64

static int evict_one(hdb_pager *p, int cold, hdb_page **out)
{
    hdb_page *lru = NULL;
    int seen = 0;
    for (hdb_page *pg = p->lru.lprev; pg != &p->lru; pg = pg->lprev) {
        if (pg->pin)
            continue;
        if (!lru)
            lru = pg;
        if (!cold || !pg->dirty)
            return evict(p, pg, out);
        if (++seen >= CLEAN_SCAN)
            break;
    }
    if (lru)
        return evict(p, lru, out);
    *out = NULL;
    return HDB_OK;
}

/* A new slab of frames (SLABS), for p->nframes frames in use. */
static int slab_grow(hdb_pager *p)
{
    size_t per = p->psize + FRAME_HDR;
    size_t k = (HDB_BIG_ALIGN - SLAB_TAIL) / per;
    size_t left = p->max_frames > p->nframes ? p->max_frames - p->nframes : 1;
    if (k > left)
        k = left;
    if (k == 0)
        k = 1;
    size_t bytes = k * per + SLAB_TAIL;
    uint8_t *b;
    while (!(b = hdb__big_alloc(p->mem, bytes)) && k > 1) { /* a fragmented heap: smaller */
        k /= 2;
        bytes = k * per + SLAB_TAIL;
    }
    if (!b)
        return HDB_NOMEM;
    hdb_slab *s = (hdb_slab *)(b + k * per);
    s->next = p->slabs;
    s->base = b;
    s->bytes = bytes;
    p->slabs = s;
    p->fresh = b;
    p->fresh_k = k;
    p->fresh_i = 0;
    return HDB_OK;
}

/* A frame never used yet, from the newest slab or a new one. */
static hdb_page *frame_fresh(hdb_pager *p)
{
    if (p->fresh_i == p->fresh_k && slab_grow(p) != HDB_OK)
        return NULL;
    size_t i = p->fresh_i++;
    hdb_page *pg = (hdb_page *)(p->fresh + p->fresh_k * p->psize + i * FRAME_HDR);
    pg->data = p->fresh + i * p->psize;
    return pg;
}

int hdb__cache_new(hdb_pager *p, hdb_pgno pgno, int is_map, hdb_page **out)
{
    return hdb__cache_new_at(p, pgno, is_map, 0, out);
}

int hdb__cache_new_at(hdb_pager *p, hdb_pgno pgno, int is_map, int cold, hdb_page **out)
{
    hdb_page *pg = NULL;
    if (p->spare) {
        pg = p->spare;
        p->spare = pg->hnext;
    } else if (p->nframes >= p->max_frames) {
        int rc = evict_one(p, cold, &pg);
        if (rc != HDB_OK)
            return rc;
    }
    if (!pg) {
        if (p->nframes + 1 > (p->hmask + 1) / 2 && hash_grow(p) != HDB_OK)
            return HDB_NOMEM;
        pg = frame_fresh(p);
        if (!pg)
            return HDB_NOMEM;
        p->nframes++;
    }
    pg->pgno = pgno;
    pg->pin = 1;
    pg->dirty = 0;
    pg->is_map = (uint8_t)is_map;
    pg->loaded = 0;
    pg->ioerr = 0;
    pg->gen = 0;
    assert(!hdb__cache_find(p, pgno));
    hash_put(p->hash, p->hmask, pg);
    if (cold)
        lru_push_cold(p, pg);
    else
        lru_push_mid(p, pg);
    *out = pg;
    return HDB_OK;
}

void hdb__cache_free_all(hdb_pager *p)
{
    hdb__cache_init_lru(p);
    p->spare = NULL;
    while (p->slabs) {
        hdb_slab *s = p->slabs;
        p->slabs = s->next;
        hdb__big_free(p->mem, s->base, s->bytes);
    }
    p->fresh = NULL;
    p->fresh_k = p->fresh_i = 0;
    hdb__free(p->mem, p->hash);
    p->hash = NULL;
    p->nframes = 0;
    p->ndirty = 0;
}
