/*
** node.c — slotted-page primitives for B+tree nodes (layout in btree.h).
**
** Reading functions verify every offset and length against the page before
** using it and answer HDB_CORRUPT otherwise.  Writing functions are only
** called on private pages whose cells were verified when read.
*/
#include <string.h>
#include "btree/btree_int.h"

int hdb__keycmp(const void *a, size_t an, const void *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

int hdb__node_check(hdb_bt *t, const uint8_t *pg)
{
    unsigned type = hdb__page_type(pg), n = hdb__page_count(pg);
    unsigned content = hdb__get16(pg + HDB_NODE_CONTENT);
    if (content == 0 && t->psize == 65536)
        content = 65536;
    if ((type != HDB_PT_LEAF && type != HDB_PT_BRANCH) || HDB_NODE_SLOTS + 2 * n > content ||
        content > t->psize || hdb__get16(pg + HDB_NODE_FRAG) > t->psize)
        return hdb__pager_corrupt(t->pager, "page %u: bad node header", hdb__page_pgno(pg));
    return HDB_OK;
}

void hdb__node_set_content(uint8_t *pg, unsigned c) { hdb__put16(pg + HDB_NODE_CONTENT, (uint16_t)c); }

void hdb__node_init(hdb_bt *t, uint8_t *pg, unsigned type)
{
    hdb__track_drop(t, hdb__page_pgno(pg)); /* a new node (track.c, invariant 2) */
    pg[HDB_PH_TYPE] = (uint8_t)type;
    hdb__page_set_count(pg, 0);
    hdb__node_set_content(pg, t->psize);
    hdb__put16(pg + HDB_NODE_FRAG, 0);
    hdb__put32(pg + 28, 0);
}

size_t hdb__node_free(const hdb_bt *t, const uint8_t *pg)
{
    unsigned n = hdb__page_count(pg);
    return hdb__node_content(t, pg) - (HDB_NODE_SLOTS + 2 * n) + hdb__get16(pg + HDB_NODE_FRAG);
}

/* Bytes of cells and slots. */
size_t hdb__node_used(const hdb_bt *t, const uint8_t *pg)
{
    return t->psize - HDB_NODE_SLOTS - hdb__node_free(t, pg);
}

static int bad_cell(hdb_bt *t, const uint8_t *pg, unsigned i)
{
    return hdb__pager_corrupt(t->pager, "page %u: cell %u is damaged", hdb__page_pgno(pg), i);
}

/* Locate cell i and its lengths, checking that it lies inside the cell
 * area: *cell is its first byte, *key the first byte of its key. */
static inline int cell_at(hdb_bt *t, const uint8_t *pg, unsigned i, const uint8_t **cell,
                          const uint8_t **key, uint64_t *kl, uint64_t *vl)
{
    if (i >= hdb__page_count(pg))
        return bad_cell(t, pg, i);
    size_t off = hdb__get16(pg + HDB_NODE_SLOTS + 2 * i), k;
    const uint8_t *end = pg + t->psize, *p = pg + off;
    *vl = 0;
    if (off < hdb__node_content(t, pg) || off >= t->psize)
        return bad_cell(t, pg, i);
    *cell = p;
    if (hdb__page_type(pg) == HDB_PT_LEAF) {
        p++; /* flags */
        if (!(k = hdb__varint_get(p, end, kl)))
            return bad_cell(t, pg, i);
        p += k;
        if (!(k = hdb__varint_get(p, end, vl)))
            return bad_cell(t, pg, i);
        p += k;
    } else {
        if (end - p < HDB_REF_SIZE + 1)
            return bad_cell(t, pg, i);
        p += HDB_REF_SIZE;
        if (!(k = hdb__varint_get(p, end, kl)))
            return bad_cell(t, pg, i);
        p += k;
    }
    if (*kl > (size_t)(end - p) || *vl > (size_t)(end - p) - *kl)
        return bad_cell(t, pg, i);
    *key = p;
    return HDB_OK;
}

/* Parse cell i, checking that it lies inside the cell area. */
int hdb__node_cell(hdb_bt *t, const uint8_t *pg, unsigned i, hdb_cell *c)
{
    const uint8_t *cell = pg, *p = pg;
    uint64_t kl = 0, vl = 0;
    int rc = cell_at(t, pg, i, &cell, &p, &kl, &vl);
    if (rc != HDB_OK)
        return rc;
    if (hdb__page_type(pg) == HDB_PT_LEAF) {
        c->flags = *cell;
    } else {
        c->child = hdb__ref_get(cell);
        c->flags = 0;
    }
    c->key = p;
    c->klen = (size_t)kl;
    c->val = p + kl;
    c->vlen = (size_t)vl;
    c->size = (size_t)(c->val + vl - cell);
    if ((c->flags & HDB_CELL_OVERFLOW) && vl != HDB_OVF_DESC)
        return bad_cell(t, pg, i);
    return HDB_OK;
}

/* The key of cell i without the rest: the hot path of searches, so the
 * checks of cell_at are repeated here, inline, rather than called. */
static inline int cell_key(hdb_bt *t, const uint8_t *pg, unsigned i, const uint8_t **key,
                           size_t *klen)
{
    if (i >= hdb__page_count(pg))
        return bad_cell(t, pg, i);
    size_t off = hdb__get16(pg + HDB_NODE_SLOTS + 2 * i), k;
    const uint8_t *end = pg + t->psize, *p = pg + off;
    uint64_t kl, vl = 0;
    if (off < hdb__node_content(t, pg) || off >= t->psize)
        return bad_cell(t, pg, i);
    if (hdb__page_type(pg) == HDB_PT_LEAF) {
        p++; /* flags */
        if (!(k = hdb__varint_get(p, end, &kl)))
            return bad_cell(t, pg, i);
        p += k;
        if (!(k = hdb__varint_get(p, end, &vl)))
            return bad_cell(t, pg, i);
        p += k;
    } else {
        if (end - p < HDB_REF_SIZE + 1)
            return bad_cell(t, pg, i);
        p += HDB_REF_SIZE;
        if (!(k = hdb__varint_get(p, end, &kl)))
            return bad_cell(t, pg, i);
        p += k;
    }
    if (kl > (size_t)(end - p) || vl > (size_t)(end - p) - kl)
        return bad_cell(t, pg, i);
    *key = p;
    *klen = (size_t)kl;
    return HDB_OK;
}

/* ------------------------------------------------------------------------
** Building cells
*/
size_t hdb__leaf_cell_size(size_t klen, size_t vlen)
{
    return 1 + hdb__varint_len(klen) + hdb__varint_len(vlen) + klen + vlen;
}

size_t hdb__leaf_cell_build(uint8_t *out, uint8_t flags, const void *key, size_t klen,
                            const void *val, size_t vlen)
{
    size_t n = 0;
    out[n++] = flags;
    n += hdb__varint_put(out + n, klen);
    n += hdb__varint_put(out + n, vlen);
    memcpy(out + n, key, klen);
    n += klen;
    if (vlen)
        memcpy(out + n, val, vlen);
    return n + vlen;
}

size_t hdb__branch_cell_build(uint8_t *out, hdb_ref child, const void *key, size_t klen)
{
    hdb__ref_put(out, child);
    size_t n = HDB_REF_SIZE + hdb__varint_put(out + HDB_REF_SIZE, klen);
    if (klen)
        memcpy(out + n, key, klen);
    return n + klen;
}

/* ------------------------------------------------------------------------
** Changing a private node
*/

/* Rewrite the cells compactly at the end of the page (no fragments). */
void hdb__node_defrag(hdb_bt *t, uint8_t *pg)
{
    unsigned n = hdb__page_count(pg);
    memcpy(t->scratch, pg, t->psize);
    unsigned top = t->psize;
    for (unsigned i = 0; i < n; i++) {
        hdb_cell c;
        hdb__node_cell(t, t->scratch, i, &c); /* verified when the page was read */
        size_t off = hdb__get16(t->scratch + HDB_NODE_SLOTS + 2 * i);
        top -= (unsigned)c.size;
        memcpy(pg + top, t->scratch + off, c.size);
        hdb__put16(pg + HDB_NODE_SLOTS + 2 * i, (uint16_t)top);
    }
    hdb__node_set_content(pg, top);
    hdb__put16(pg + HDB_NODE_FRAG, 0);
}

/* Insert a cell at slot i.  The caller made sure it fits (node_free). */
void hdb__node_insert(hdb_bt *t, uint8_t *pg, unsigned i, const uint8_t *cell, size_t size)
{
    unsigned n = hdb__page_count(pg);
    unsigned content = hdb__node_content(t, pg);
    if (content < HDB_NODE_SLOTS + 2 * (n + 1) + size) {
        hdb__node_defrag(t, pg);
        content = hdb__node_content(t, pg);
    }
    content -= (unsigned)size;
    memcpy(pg + content, cell, size);
    uint8_t *slots = pg + HDB_NODE_SLOTS;
    memmove(slots + 2 * (i + 1), slots + 2 * i, 2 * (n - i));
    hdb__put16(slots + 2 * i, (uint16_t)content);
    hdb__node_set_content(pg, content);
    hdb__page_set_count(pg, n + 1);
}

/* Remove slot i (the cell's bytes become free space). */
void hdb__node_remove(hdb_bt *t, uint8_t *pg, unsigned i)
{
    unsigned n = hdb__page_count(pg);
    hdb_cell c;
    hdb__node_cell(t, pg, i, &c);
    unsigned off = hdb__get16(pg + HDB_NODE_SLOTS + 2 * i);
    if (off == hdb__node_content(t, pg))
        hdb__node_set_content(pg, off + (unsigned)c.size);
    else
        hdb__put16(pg + HDB_NODE_FRAG, (uint16_t)(hdb__get16(pg + HDB_NODE_FRAG) + c.size));
    uint8_t *slots = pg + HDB_NODE_SLOTS;
    memmove(slots + 2 * i, slots + 2 * (i + 1), 2 * (n - i - 1));
    hdb__page_set_count(pg, n - 1);
    if (n == 1) {
        hdb__node_set_content(pg, t->psize);
        hdb__put16(pg + HDB_NODE_FRAG, 0);
    }
}

/* Point branch cell i at a new child (same size: in place). */
void hdb__node_set_child(uint8_t *pg, unsigned i, hdb_ref child)
{
    size_t off = hdb__get16(pg + HDB_NODE_SLOTS + 2 * i);
    hdb__ref_put(pg + off, child);
}

/* Fill an empty page with cells [from, to) of a cell list. */
void hdb__node_fill(hdb_bt *t, uint8_t *pg, const hdb_cellref *cells, unsigned from, unsigned to)
{
    hdb__track_drop(t, hdb__page_pgno(pg)); /* cells moved (track.c, invariant 2) */
    unsigned top = t->psize;
    for (unsigned i = from; i < to; i++) {
        top -= (unsigned)cells[i].size;
        memcpy(pg + top, cells[i].p, cells[i].size);
        hdb__put16(pg + HDB_NODE_SLOTS + 2 * (i - from), (uint16_t)top);
    }
    hdb__page_set_count(pg, to - from);
    hdb__node_set_content(pg, top);
    hdb__put16(pg + HDB_NODE_FRAG, 0);
}

/* ------------------------------------------------------------------------
** The hot path of cursor walks
*/

/* Cell i of a leaf, as hdb__node_cell parses it (same checks), with the
 * one-byte key and value lengths of small cells read in line
 * (hdb__leaf_cell_fast); any other cell, or damage to report, takes the
 * general path. */
int hdb__node_leaf_cell(hdb_bt *t, const uint8_t *pg, unsigned i, hdb_cell *c)
{
    return hdb__leaf_cell_fast(t, pg, i, c) ? HDB_OK : hdb__node_cell(t, pg, i, c);
}

/* The key of cell i of a node whose content starts at `content` (i below
 * the cell count), for a cell with a one-byte key length (and value
 * length, in a leaf), with the checks of cell_key; its length goes to
 * *klen.  NULL for any other cell: cell_key reads it or reports the
 * damage. */
static inline const uint8_t *probe_fast(size_t psize, const uint8_t *pg, unsigned i,
                                        size_t content, int leaf, size_t *klen)
{
    size_t off = hdb__get16(pg + HDB_NODE_SLOTS + 2 * i);
    const uint8_t *end = pg + psize, *p = pg + off + (leaf ? 1 : HDB_REF_SIZE);
    if (off >= content && off + (leaf ? 3 : HDB_REF_SIZE + 1) <= psize) {
        if (leaf && p[0] < 0x80 && p[1] < 0x80) {
            size_t kl = p[0], vl = p[1];
            p += 2;
            if (kl <= (size_t)(end - p) && vl <= (size_t)(end - p) - kl) {
                *klen = kl;
                return p;
            }
        } else if (!leaf && p[0] < 0x80) {
            size_t kl = p[0];
            p++;
            if (kl <= (size_t)(end - p)) {
                *klen = kl;
                return p;
            }
        }
    }
    return NULL;
}

static inline int probe_key(hdb_bt *t, const uint8_t *pg, unsigned i, size_t content, int leaf,
                            const uint8_t **key, size_t *klen)
{
    size_t kl;
    const uint8_t *k = probe_fast(t->psize, pg, i, content, leaf, &kl);
    if (!k)
        return cell_key(t, pg, i, key, klen);
    *key = k;
    *klen = kl;
    return HDB_OK;
}

int hdb__node_key(hdb_bt *t, const uint8_t *pg, unsigned i, const uint8_t **key, size_t *klen)
{
    if (i >= hdb__page_count(pg))
        return hdb__pager_corrupt(t->pager, "page %u: no cell %u", hdb__page_pgno(pg), i);
    return probe_key(t, pg, i, hdb__node_content(t, pg), hdb__page_type(pg) == HDB_PT_LEAF, key, klen);
}

int hdb__node_child(hdb_bt *t, const uint8_t *pg, unsigned i, hdb_ref *child)
{
    hdb_cell c;
    if (hdb__page_type(pg) == HDB_PT_BRANCH && hdb__branch_child(t, pg, i, child))
        return HDB_OK;
    int rc = hdb__node_cell(t, pg, i, &c);
    if (rc == HDB_OK && hdb__page_type(pg) != HDB_PT_BRANCH)
        rc = hdb__pager_corrupt(t->pager, "page %u is not a branch", hdb__page_pgno(pg));
    if (rc == HDB_OK)
        *child = c.child;
    return rc;
}

int hdb__node_same_keys(hdb_bt *t, const uint8_t *a, const uint8_t *b)
{
    unsigned n = hdb__page_count(a);
    if (hdb__page_type(a) != HDB_PT_BRANCH || hdb__page_type(b) != HDB_PT_BRANCH ||
        hdb__page_count(b) != n)
        return 0;
    size_t ca = hdb__node_content(t, a), cb = hdb__node_content(t, b);
    for (unsigned i = 1; i < n; i++) {
        const uint8_t *x, *y;
        size_t xn, yn;
        if (probe_key(t, a, i, ca, 0, &x, &xn) != HDB_OK ||
            probe_key(t, b, i, cb, 0, &y, &yn) != HDB_OK || xn != yn || memcmp(x, y, xn) != 0)
            return 0;
    }
    return 1;
}

static inline uint64_t be64_at(const uint8_t *p)
{
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
           (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

/* The first eight bytes of key k[0..n) as a big-endian number, padded
 * with zeros when n < 8; lim is the end of the buffer k lies in (nothing at
 * or past it is read). */
static inline uint64_t prefix8(const uint8_t *k, size_t n, const uint8_t *lim)
{
    if (n >= 8)
        return be64_at(k);
    if (lim - k >= 8) /* one load, the bytes past the key masked off */
        return be64_at(k) & ~(~(uint64_t)0 >> (8 * n));
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | (i < n ? k[i] : 0);
    return v;
}

/* hdb__keycmp of page key a[0..an) (its page ends at lim) and the search
 * key b[0..bn), whose prefix8 is y.  Equal padded prefixes mean equal
 * first min(an, bn, 8) bytes, and zeros in the longer key up to byte 8:
 * then the bytes past 8 decide, else the lengths. */
static inline int probe_cmp(const uint8_t *a, size_t an, const uint8_t *lim, uint64_t y,
                            const uint8_t *b, size_t bn)
{
    uint64_t x = prefix8(a, an, lim);
    if (x != y)
        return x < y ? -1 : 1;
    size_t n = an < bn ? an : bn;
    int c = n > 8 ? memcmp(a + 8, b + 8, n - 8) : 0;
    return c ? c : (an > bn) - (an < bn);
}

/* cell_key for a probe of find, into *key and *klen through locals of
 * its own: the search's key and length then stay in registers. */
static inline int probe_slow(hdb_bt *t, const uint8_t *pg, unsigned i, const uint8_t **key,
                             size_t *klen)
{
    const uint8_t *k;
    size_t kn;
    int rc = cell_key(t, pg, i, &k, &kn);
    *key = k;
    *klen = kn;
    return rc;
}

/* hdb__node_find for a leaf (leaf != 0) or a branch page. */
static inline int find(hdb_bt *t, const uint8_t *pg, const void *key, size_t klen, unsigned *idx,
                       int *eq, int leaf)
{
    unsigned n = hdb__page_count(pg);
    const size_t psize = t->psize, content = hdb__node_content(t, pg);
    const uint8_t *k, *lim = pg + psize, *b = key;
    size_t kn;
    uint64_t y;
    int rc;
    if (klen >= 8) {
        y = be64_at(b);
    } else { /* short keys (SQL rowids): zero-padded, in loads of 4, 2
              * and 1 bytes (a copy to a padded buffer would stall the
              * load that reads it back) */
        size_t i = 0;
        y = 0;
        if (klen & 4) {
            y = (uint64_t)hdb__get32be(b) << 32;
            i = 4;
        }
        if (klen & 2) {
            y |= (uint64_t)(b[i] << 8 | b[i + 1]) << (48 - 8 * i);
            i += 2;
        }
        if (klen & 1)
            y |= (uint64_t)b[i] << (56 - 8 * i);
    }
    *eq = 0;
    if (!leaf) {
        /* The first cell (from 1) whose key is > key; follow the one before. */
        unsigned lo = 1, hi = n;
        if (n == 0)
            return hdb__pager_corrupt(t->pager, "page %u: empty branch", hdb__page_pgno(pg));
        while (lo < hi) {
            unsigned mid = (lo + hi) / 2;
            if (!(k = probe_fast(psize, pg, mid, content, 0, &kn)) &&
                (rc = probe_slow(t, pg, mid, &k, &kn)) != HDB_OK)
                return rc;
            if (probe_cmp(k, kn, lim, y, b, klen) <= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        *idx = lo - 1;
        return HDB_OK;
    }
    /* The first cell whose key is >= key. */
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (!(k = probe_fast(psize, pg, mid, content, 1, &kn)) &&
            (rc = probe_slow(t, pg, mid, &k, &kn)) != HDB_OK)
            return rc;
        int c = probe_cmp(k, kn, lim, y, b, klen);
        if (c < 0)
            lo = mid + 1;
        else {
            *eq = c == 0;
            hi = mid;
        }
    }
    *idx = lo;
    return HDB_OK;
}

int hdb__node_find(hdb_bt *t, const uint8_t *pg, const void *key, size_t klen, unsigned *idx,
                   int *eq)
{
    return hdb__page_type(pg) == HDB_PT_LEAF ? find(t, pg, key, klen, idx, eq, 1)
                                             : find(t, pg, key, klen, idx, eq, 0);
}

int hdb__node_search_leaf(hdb_bt *t, const uint8_t *pg, const void *key, size_t klen,
                          unsigned *idx, int *eq)
{
    return find(t, pg, key, klen, idx, eq, 1);
}

int hdb__node_search_branch(hdb_bt *t, const uint8_t *pg, const void *key, size_t klen,
                            unsigned *idx)
{
    int eq;
    return find(t, pg, key, klen, idx, &eq, 0);
}
