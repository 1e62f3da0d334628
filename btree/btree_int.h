/*
** btree_int.h — declarations shared by the files of btree/ only.
*/
#ifndef HDB_BTREE_INT_H
#define HDB_BTREE_INT_H

#include "btree/btree.h"
#include "pager/mem.h"

/* A cell's bytes somewhere in memory (for splits and merges). */
typedef struct hdb_cellref {
    const uint8_t *p;
    size_t size;
} hdb_cellref;

/* Where a node's cell area starts (0 stored for a 64 KiB page's 65536). */
static inline unsigned hdb__node_content(const hdb_bt *t, const uint8_t *pg)
{
    unsigned c = hdb__get16(pg + HDB_NODE_CONTENT);
    return (c == 0 && t->psize == 65536) ? 65536 : c;
}
/* Leaf cell i holds no pointer (neither OVERFLOW nor REFS), read from its
 * flags byte alone; 0 when it may (or is out of place: decode it). */
static inline int hdb__leaf_cell_plain(const hdb_bt *t, const uint8_t *pg, unsigned i)
{
    size_t off = hdb__get16(pg + HDB_NODE_SLOTS + 2 * i);
    return off >= hdb__node_content(t, pg) && off < t->psize &&
           !(pg[off] & (HDB_CELL_OVERFLOW | HDB_CELL_REFS));
}
/* hdb__node_leaf_cell's common case in line: cell i of leaf pg with
 * one-byte key and value lengths, every check passed: 1; anything else
 * (another kind of cell, or damage to report): 0, *c unspecified. */
static inline int hdb__leaf_cell_fast(const hdb_bt *t, const uint8_t *pg, unsigned i, hdb_cell *c)
{
    if (i >= hdb__page_count(pg) || hdb__page_type(pg) != HDB_PT_LEAF)
        return 0;
    size_t off = hdb__get16(pg + HDB_NODE_SLOTS + 2 * i);
    const uint8_t *end = pg + t->psize, *cell = pg + off, *p = cell + 1;
    if (off < hdb__node_content(t, pg) || off + 3 > t->psize || p[0] >= 0x80 || p[1] >= 0x80)
        return 0;
    size_t kl = p[0], vl = p[1];
    p += 2;
    if (kl > (size_t)(end - p) || vl > (size_t)(end - p) - kl ||
        ((*cell & HDB_CELL_OVERFLOW) && vl != HDB_OVF_DESC))
        return 0;
    c->flags = *cell;
    c->key = p;
    c->klen = kl;
    c->val = p + kl;
    c->vlen = vl;
    c->size = (size_t)(c->val + vl - cell);
    return 1;
}

/* The child of branch cell i, read from the cell's first bytes alone:
 * 1, or 0 when the cell is out of place (decode it to report why). */
static inline int hdb__branch_child(const hdb_bt *t, const uint8_t *pg, unsigned i, hdb_ref *out)
{
    if (i >= hdb__page_count(pg))
        return 0;
    size_t off = hdb__get16(pg + HDB_NODE_SLOTS + 2 * i);
    if (off < hdb__node_content(t, pg) || off + HDB_REF_SIZE + 1 > t->psize)
        return 0;
    *out = hdb__ref_get(pg + off);
    return 1;
}
void hdb__node_set_content(uint8_t *pg, unsigned c);
void hdb__node_init(hdb_bt *t, uint8_t *pg, unsigned type);
size_t hdb__node_free(const hdb_bt *t, const uint8_t *pg);
size_t hdb__node_used(const hdb_bt *t, const uint8_t *pg);
size_t hdb__leaf_cell_size(size_t klen, size_t vlen);
size_t hdb__leaf_cell_build(uint8_t *out, uint8_t flags, const void *key, size_t klen,
                            const void *val, size_t vlen);
size_t hdb__branch_cell_build(uint8_t *out, hdb_ref child, const void *key, size_t klen);
void hdb__node_defrag(hdb_bt *t, uint8_t *pg);
void hdb__node_insert(hdb_bt *t, uint8_t *pg, unsigned i, const uint8_t *cell, size_t size);
void hdb__node_remove(hdb_bt *t, uint8_t *pg, unsigned i);
void hdb__node_set_child(uint8_t *pg, unsigned i, hdb_ref child);
void hdb__node_fill(hdb_bt *t, uint8_t *pg, const hdb_cellref *cells, unsigned from, unsigned to);


/* btree.c */
int hdb__bt_incr_pointers(hdb_bt *t, const uint8_t *pg);
int hdb__bt_shadow(hdb_bt *t, hdb_ref ref, hdb_page **out, hdb_ref *now);
int hdb__bt_shadow_child(hdb_bt *t, hdb_page *parent, unsigned i, hdb_page **out);
int hdb__bt_descend(hdb_bt *t, hdb_ref root, const void *key, size_t klen, hdb_page **leaf);

/* A root-to-leaf path of private, pinned pages. */
typedef struct hdb_btpath {
    int depth;
    struct {
        hdb_page *pg;
        unsigned idx;
    } e[HDB_BT_MAXDEPTH];
} hdb_btpath;

/* insert.c */
int hdb__bt_path_write(hdb_bt *t, hdb_ref *root, const void *key, size_t klen, hdb_btpath *path);
void hdb__bt_path_release(hdb_bt *t, hdb_btpath *path);
int hdb__bt_release_value(hdb_bt *t, const hdb_cell *c, unsigned flags);
/* The cells of full page pg plus `cell` at `at`, into t->cells (their
 * bytes copied to scratch2): returns their number. */
unsigned hdb__bt_gather(hdb_bt *t, const uint8_t *pg, unsigned at, const uint8_t *cell,
                        size_t size);
/* The separator between t->cells[m - 1] and t->cells[m] of a page of
 * `type`, written to out (room for the key of cell m): returns its length. */
size_t hdb__bt_separator(hdb_bt *t, unsigned type, unsigned m, uint8_t *out);

/* balance.c: make room for `cell` at `at` of the full leaf at path level
 * lvl (> 0) by moving cells to a sibling.  *done = 1 when the cell is in;
 * *done = 0 when nothing changed (split instead). */
int hdb__bt_balance_leaf(hdb_bt *t, hdb_btpath *path, int lvl, unsigned at, const uint8_t *cell,
                         size_t size, int *done);

/* overflow.c */
int hdb__ovf_write(hdb_bt *t, const void *val, size_t vlen, uint8_t desc[HDB_OVF_DESC]);
int hdb__ovf_read(hdb_bt *t, const uint8_t desc[HDB_OVF_DESC], void **out, size_t *n);
hdb_ref hdb__ovf_first(const uint8_t *desc);

#endif
