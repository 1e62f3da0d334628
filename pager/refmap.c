/*
** refmap.c — the reference-count map (layout and rules in refmap.h).
**
** Map pages live in the cache like other pages, keyed by the number of
** their region's slot A and flagged is_map; which slot they are read from
** and written to is decided here from the region's rstate byte.  Every
** function is called with p->mu held.
*/
#include <string.h>
#include "pager/pager_int.h"

#define REGION_SPAN(p) ((hdb_pgno)(p)->per_map + 2)

int hdb__map_is_slot(const hdb_pager *p, hdb_pgno pgno)
{
    return pgno >= HDB_MAP_FIRST && (pgno - HDB_MAP_FIRST) % REGION_SPAN(p) < 2;
}

size_t hdb__map_region(const hdb_pager *p, hdb_pgno pgno)
{
    return (pgno - HDB_MAP_FIRST) / REGION_SPAN(p);
}

hdb_pgno hdb__map_slot_a(const hdb_pager *p, size_t region)
{
    return HDB_MAP_FIRST + (hdb_pgno)region * REGION_SPAN(p);
}

static size_t map_index(const hdb_pager *p, hdb_pgno pgno)
{
    return (pgno - HDB_MAP_FIRST) % REGION_SPAN(p) - 2;
}

int hdb__map_grow_regions(hdb_pager *p, size_t n)
{
    if (n <= p->nregions)
        return HDB_OK;
    size_t cap = p->nregions ? p->nregions : 16;
    while (cap < n)
        cap *= 2;
    uint8_t *r = hdb__realloc(p->mem, p->rstate, cap);
    if (!r)
        return HDB_NOMEM;
    memset(r + p->nregions, 0, cap - p->nregions);
    p->rstate = r;
    p->nregions = cap;
    return HDB_OK;
}

static void map_init_page(hdb_pager *p, uint8_t *buf, size_t region)
{
    memset(buf, 0, p->psize);
    buf[HDB_PH_TYPE] = HDB_PT_MAP;
    hdb__put32(buf + HDB_PH_PGNO, hdb__map_slot_a(p, region));
    hdb__put32(buf + 24, (uint32_t)region);
}

static hdb_pgno read_slot(const hdb_pager *p, size_t region)
{
    uint8_t rs = p->rstate[region];
    hdb_pgno a = hdb__map_slot_a(p, region);
    int cur_b = (rs & HDB_RS_CUR_B) != 0;
    if (rs & HDB_RS_EPOCH)
        return (rs & HDB_RS_HAS) ? (cur_b ? a : a + 1) : a;
    return cur_b ? a + 1 : a;
}

static hdb_pgno write_slot(const hdb_pager *p, size_t region)
{
    uint8_t rs = p->rstate[region];
    hdb_pgno a = hdb__map_slot_a(p, region);
    if (!(rs & HDB_RS_HAS))
        return a;
    return (rs & HDB_RS_CUR_B) ? a : a + 1;
}

/* Load the latest copy of a region's map page into buf. */
int hdb__map_load(hdb_pager *p, size_t region, uint8_t *buf)
{
    int rc = hdb__map_grow_regions(p, region + 1);
    if (rc != HDB_OK)
        return rc;
    uint8_t rs = p->rstate[region];
    if (!(rs & (HDB_RS_HAS | HDB_RS_EPOCH))) {
        map_init_page(p, buf, region);
        return HDB_OK;
    }
    hdb_pgno slot = read_slot(p, region);
    rc = hdb__page_read(p, slot, buf);
    if (rc != HDB_OK)
        return rc;
    if (hdb__page_type(buf) != HDB_PT_MAP || hdb__get32(buf + 24) != region)
        return hdb__pager_corrupt(p, "map page %u of region %zu is not a map page", slot, region);
    hdb__put32(buf + HDB_PH_PGNO, hdb__map_slot_a(p, region));
    return HDB_OK;
}

int hdb__map_write_slot(hdb_pager *p, hdb_page *pg, uint64_t seq)
{
    size_t region = hdb__map_region(p, pg->pgno);
    hdb_pgno slot = write_slot(p, region);
    hdb__put32(pg->data + HDB_PH_PGNO, slot);
    hdb__put64(pg->data + HDB_PH_BIRTH, seq);
    int rc = hdb__page_write(p, slot, pg->data);
    hdb__put32(pg->data + HDB_PH_PGNO, pg->pgno);
    if (rc != HDB_OK)
        return rc;
    p->rstate[region] = (uint8_t)((p->rstate[region] | HDB_RS_EPOCH) & ~HDB_RS_FORCE);
    return HDB_OK;
}

/* After a durable meta: every region written this epoch now has its
 * durable copy in the slot it was written to. */
void hdb__map_checkpointed(hdb_pager *p)
{
    for (size_t r = 0; r < p->nregions; r++) {
        uint8_t rs = p->rstate[r];
        if (!(rs & HDB_RS_EPOCH))
            continue;
        int now_b = (rs & HDB_RS_HAS) ? !(rs & HDB_RS_CUR_B) : 0;
        p->rstate[r] = (uint8_t)(HDB_RS_HAS | (now_b ? HDB_RS_CUR_B : 0));
    }
}

/* A pinned frame holding the region's map page. */
static int map_frame(hdb_pager *p, size_t region, hdb_page **out)
{
    hdb_pgno key = hdb__map_slot_a(p, region);
    hdb_page *pg = hdb__cache_find(p, key);
    if (pg) {
        pg->pin++;
        hdb__cache_touch(p, pg);
        *out = pg;
        return HDB_OK;
    }
    int rc = hdb__cache_new(p, key, 1, &pg);
    if (rc != HDB_OK)
        return rc;
    rc = hdb__map_load(p, region, pg->data);
    if (rc != HDB_OK) {
        pg->pin--;
        hdb__cache_drop(p, pg);
        return rc;
    }
    pg->loaded = 1;
    *out = pg;
    return HDB_OK;
}

uint32_t hdb__map_count_in(const hdb_pager *p, const hdb_page *map, hdb_pgno pgno)
{
    return hdb__get32(map->data + HDB_MAP_HDR + 4 * map_index(p, pgno));
}

/* The region of data page pgno and its index there, with one division
 * (counts are changed one page after another: a copied page's children);
 * HDB_CORRUPT if pgno is no data page. */
static int locate(hdb_pager *p, hdb_pgno pgno, size_t *region, size_t *idx)
{
    hdb_pgno span = REGION_SPAN(p), off = pgno - HDB_MAP_FIRST;
    if (pgno < HDB_MAP_FIRST)
        return hdb__pager_corrupt(p, "page %u is not a data page", pgno);
    *region = off / span;
    hdb_pgno in = off - (hdb_pgno)*region * span;
    if (in < 2)
        return hdb__pager_corrupt(p, "page %u is not a data page", pgno);
    *idx = in - 2;
    return HDB_OK;
}

int hdb__map_count(hdb_pager *p, hdb_pgno pgno, uint32_t *count)
{
    hdb_page *m;
    size_t region = 0, idx = 0;
    int rc = locate(p, pgno, &region, &idx);
    if (rc == HDB_OK)
        rc = map_frame(p, region, &m);
    if (rc != HDB_OK)
        return rc;
    *count = hdb__get32(m->data + HDB_MAP_HDR + 4 * idx);
    m->pin--;
    return HDB_OK;
}

int hdb__map_bump(hdb_pager *p, hdb_pgno pgno, hdb_page **m, uint32_t *old)
{
    size_t region = 0, idx = 0;
    int rc = locate(p, pgno, &region, &idx);
    if (rc != HDB_OK)
        return rc;
    if (!*m || (*m)->pgno != hdb__map_slot_a(p, region)) {
        if (*m)
            (*m)->pin--;
        *m = NULL;
        if ((rc = map_frame(p, region, m)) != HDB_OK)
            return rc;
    }
    uint8_t *at = (*m)->data + HDB_MAP_HDR + 4 * idx;
    *old = hdb__get32(at);
    if (*old == 0 || *old >= UINT32_MAX - 1)
        return HDB_OK; /* the caller's error */
    hdb__put32(at, *old + 1);
    hdb__cache_mark_dirty(p, *m);
    return HDB_OK;
}

int hdb__map_set(hdb_pager *p, hdb_pgno pgno, uint32_t count)
{
    hdb_page *m;
    size_t region = 0, idx = 0;
    int rc = locate(p, pgno, &region, &idx);
    if (rc == HDB_OK)
        rc = map_frame(p, region, &m);
    if (rc != HDB_OK)
        return rc;
    hdb__put32(m->data + HDB_MAP_HDR + 4 * idx, count);
    hdb__cache_mark_dirty(p, m);
    m->pin--;
    return HDB_OK;
}

/* Is a slot's copy usable for a meta of sequence `seq`?  Returns 1 (valid),
 * 0 (absent or damaged), 2 (valid but newer than the meta: a leftover). */
static int slot_state(hdb_pager *p, hdb_pgno slot, size_t region, uint8_t *buf, uint64_t seq,
                      uint64_t *copy_seq, int *ioerr)
{
    int rc = hdb__page_read(p, slot, buf);
    if (rc == HDB_IOERR || rc == HDB_NOMEM) {
        *ioerr = rc;
        return 0;
    }
    if (rc != HDB_OK || hdb__page_type(buf) != HDB_PT_MAP || hdb__get32(buf + 24) != region)
        return 0;
    *copy_seq = hdb__page_birth(buf);
    return *copy_seq <= seq ? 1 : 2;
}

static void note_free(hdb_pager *p, hdb_pgno pgno)
{
    if (p->nfree_now < p->free_cap)
        p->free_now[p->nfree_now++] = pgno;
}

/* Count live pages of one region's map page and note free ones. */
static void scan_counts(hdb_pager *p, size_t region, const uint8_t *buf)
{
    hdb_pgno first = hdb__map_slot_a(p, region) + 2;
    for (uint32_t i = 0; i < p->per_map && first + i < p->next_pgno; i++) {
        if (hdb__get32(buf + HDB_MAP_HDR + 4 * i))
            p->live_pages++;
        else
            note_free(p, first + i);
    }
}

/* At open: decide the current slot of every region below next_pgno, mark
 * leftovers for rewriting, count live pages, collect free ones. */
int hdb__map_scan_open(hdb_pager *p)
{
    int rc = HDB_OK;
    uint8_t *a = hdb__malloc(p->mem, 2 * (size_t)p->psize), *b = a ? a + p->psize : NULL;
    if (!a)
        return HDB_NOMEM;
    size_t n = p->next_pgno > HDB_MAP_FIRST + 2 ? hdb__map_region(p, p->next_pgno - 1) + 1 : 0;
    if ((rc = hdb__map_grow_regions(p, n)) != HDB_OK)
        goto out;
    for (size_t r = 0; r < n && rc == HDB_OK; r++) {
        hdb_pgno sa = hdb__map_slot_a(p, r);
        uint64_t qa = 0, qb = 0;
        int ioerr = HDB_OK;
        int va = slot_state(p, sa, r, a, p->meta.ckpt_seq, &qa, &ioerr);
        int vb = slot_state(p, sa + 1, r, b, p->meta.ckpt_seq, &qb, &ioerr);
        if (ioerr != HDB_OK) {
            rc = ioerr;
            break;
        }
        int use_b = vb == 1 && (va != 1 || qb > qa);
        if (va != 1 && vb != 1) {
            rc = hdb__pager_corrupt(p, "region %zu has no valid map page", r);
            break;
        }
        p->rstate[r] = (uint8_t)(HDB_RS_HAS | (use_b ? HDB_RS_CUR_B : 0));
        if ((use_b ? va : vb) == 2)
            p->rstate[r] |= HDB_RS_FORCE;
        scan_counts(p, r, use_b ? b : a);
    }
out:
    hdb__free(p->mem, a);
    return rc;
}

/* Refill free_now by scanning map pages from scan_next.  HDB_NOTFOUND when
 * a whole pass finds no free page. */
int hdb__map_find_free(hdb_pager *p, hdb_pgno *out)
{
    if (p->scan_dry || p->next_pgno <= HDB_MAP_FIRST + 2)
        return HDB_NOTFOUND;
    size_t nreg = hdb__map_region(p, p->next_pgno - 1) + 1;
    size_t start = p->scan_next < p->next_pgno ? hdb__map_region(p, p->scan_next) : 0;
    for (size_t k = 0; k <= nreg; k++) {
        size_t r = (start + k) % nreg;
        hdb_page *m;
        int rc = map_frame(p, r, &m);
        if (rc != HDB_OK)
            return rc;
        hdb_pgno first = hdb__map_slot_a(p, r) + 2;
        for (uint32_t i = 0; i < p->per_map && first + i < p->next_pgno; i++) {
            hdb_pgno pg = first + i;
            if (hdb__get32(m->data + HDB_MAP_HDR + 4 * i) == 0 &&
                !hdb__u32set_has(&p->pending, pg) && p->nfree_now < p->free_cap / 2)
                p->free_now[p->nfree_now++] = pg;
        }
        m->pin--;
        if (p->nfree_now) {
            p->scan_next = hdb__map_slot_a(p, (r + 1) % nreg);
            *out = p->free_now[--p->nfree_now];
            return HDB_OK;
        }
    }
    p->scan_dry = 1;
    return HDB_NOTFOUND;
}

/* Regions whose write slot holds a leftover copy get their map page
 * rewritten at the next checkpoint. */
int hdb__map_force_dirty(hdb_pager *p)
{
    for (size_t r = 0; r < p->nregions; r++) {
        if (!(p->rstate[r] & HDB_RS_FORCE))
            continue;
        hdb_page *m;
        int rc = map_frame(p, r, &m);
        if (rc != HDB_OK)
            return rc;
        hdb__cache_mark_dirty(p, m);
        m->pin--;
    }
    return HDB_OK;
}
