/*
** btree.h — the copy-on-write B+tree with reference-counted pages.
**
** WHAT IT IS
**   A tree is named by a counted reference to its root page (hdb_ref; pgno 0
**   is the empty tree).  Keys are byte strings ordered by memcmp (a shorter
**   key that is a prefix of a longer one sorts first); values are byte
**   strings up to HDB_MAX_VALUE.  Writes copy the path from the root to the
**   changed leaf ("shadowing"); the caller's root reference moves to the new
**   root.  Every pointer counts: child pointers in branch pages, the first
**   page of an overflow chain in a leaf, refs stored in REFS values, and the
**   caller's root reference.
**
** NODE PAGE (HDB_PT_LEAF or HDB_PT_BRANCH), a slotted page
**   OFFSET SIZE DESCRIPTION
**        0   24 common page header (page.h); count = number of cells n
**       24    2 content start: cells occupy [content start, P)
**       26    2 fragmented bytes: free bytes inside the cell area
**       28    4 reserved, zero
**       32   2n slot array: the offset of each cell, in key order
**   Free space = content start - (32 + 2n) + fragmented bytes.
**
** LEAF CELL
**   u8 flags (HDB_CELL_OVERFLOW 0x01, HDB_CELL_REFS 0x02), varint klen,
**   varint vlen, key[klen], value[vlen].  With OVERFLOW the value bytes are
**   a 21-byte descriptor: u32 first page, u64 its birth, u32 raw length,
**   u32 stored length, u8 codec (0 = none, 1 = lz4).  With REFS the value
**   starts with u8 k and k refs (u32 pgno, u64 birth) that are counted
**   pointers to other trees' roots; the rest is opaque.
**
** BRANCH CELL
**   u32 child page, u64 child birth, varint klen, key[klen].  Cell 0's key
**   is empty and stands for minus infinity; cell i's child holds the keys
**   k with key(i) <= k < key(i+1).
**
** OVERFLOW PAGE (HDB_PT_OVERFLOW)
**   OFFSET SIZE DESCRIPTION
**        0   24 common page header
**       24    4 next page (0 = last)
**       28    8 next page's birth
**       36    4 bytes of data used in this page
**       40    - data
**
** INVARIANTS
**   1. Before a page is modified it is private to the write transaction
**      (hdb__pager_writable) or shadowed: copied to a new page, with, if the
**      original's count was > 1, every pointer in it incremented; then the
**      original is decremented.  Shadowing goes top-down, so a page's count
**      is exact by the time it is examined (its parent is already private).
**   2. A page whose count falls to 0 on release decrements every pointer in
**      it (children, overflow chain, REFS); shadowing a page with count 1
**      frees it without that cascade (the copy took its pointers over).
**   3. Every node holds at least one cell; a branch with one cell is never
**      the root (it collapses).  All leaves are at the same depth.
**   4. A cell is at most max_cell bytes (a third of the usable page), so any
**      node split yields two nodes that fit.
**   5. Nothing read from a page is trusted: offsets, lengths, counts,
**      depths and page types are checked, and a violation is HDB_CORRUPT.
*/
#ifndef HDB_BTREE_H
#define HDB_BTREE_H

#include <stddef.h>
#include <stdint.h>
#include "pager/pager.h"

#define HDB_CELL_OVERFLOW 0x01
#define HDB_CELL_REFS 0x02

#define HDB_NODE_CONTENT 24
#define HDB_NODE_FRAG 26
#define HDB_NODE_SLOTS 32
#define HDB_OVF_DESC 21
#define HDB_OVF_HDR 40
#define HDB_BT_MAXDEPTH 32

/* A hint to the CPU that memory at p is read soon (no effect elsewhere). */
#if defined(__GNUC__)
#define HDB_PREFETCH(p) __builtin_prefetch(p)
#else
#define HDB_PREFETCH(p) ((void)(p))
#endif

/* Flags for hdb__bt_put / hdb__bt_del. */
#define HDB_BT_REFS 0x1     /* put: the value is a REFS value; its refs are taken */
#define HDB_BT_TRANSFER 0x2 /* replace/delete: the old value's refs are not released */

/* The tree context: one per pager. */
/* What leaves copied since the open changed (track.c). */
#define HDB_TRACK_KEYS 7
#define HDB_TRACK_ENT_BYTES (28 + 4 * HDB_TRACK_KEYS) /* saved form */
typedef struct hdb_track_ent hdb_track_ent;
#define HDB_TRACK_RECENT 256 /* entries made in one transaction that a rollback drops one by one */
typedef struct hdb_track {
    hdb_track_ent *v; /* cap slots, n in use */
    size_t cap, n;
    uint64_t recent_lsn;          /* the transaction of recent[] */
    hdb_pgno recent[HDB_TRACK_RECENT]; /* leaves of the entries it made */
    size_t nrecent;
    int recent_full;  /* it made more: a rollback scans the table */
    int failed;       /* no memory for the table: go without */
} hdb_track;

typedef struct hdb_bt {
    hdb_pager *pager;
    const hdb_allocator *mem;
    unsigned psize;
    size_t max_cell;   /* invariant 4 */
    size_t inline_max; /* larger leaf cells send their value to overflow */
    size_t max_key;
    /* Scratch space for the writer (splits, merges, defragmentation). */
    uint8_t *scratch, *scratch2;
    struct hdb_cellref *cells;
    hdb_track track;
} hdb_bt;

int hdb__bt_init(hdb_bt *t, hdb_pager *p, const hdb_allocator *mem); /* HDB_NOMEM */
void hdb__bt_fini(hdb_bt *t);

/* A value read from a tree: points into a pinned page, or into an owned
 * buffer (overflow).  Release with hdb__btval_release. */
typedef struct hdb_btval {
    const uint8_t *data;
    size_t size;
    uint8_t flags; /* HDB_CELL_REFS if it is a REFS value */
    hdb_page *pin;
    void *owned;
} hdb_btval;

void hdb__btval_release(hdb_bt *t, hdb_btval *v);

/* Look up key.  HDB_OK (v filled), HDB_NOTFOUND, HDB_CORRUPT, HDB_IOERR. */
int hdb__bt_get(hdb_bt *t, hdb_ref root, const void *key, size_t klen, hdb_btval *v);

/* Insert or replace (write transaction).  *root may move. */
int hdb__bt_put(hdb_bt *t, hdb_ref *root, const void *key, size_t klen, const void *val,
                size_t vlen, unsigned flags);

/* Delete key: HDB_OK or HDB_NOTFOUND.  *root may move (to {0,0} if empty). */
int hdb__bt_del(hdb_bt *t, hdb_ref *root, const void *key, size_t klen, unsigned flags);

/* Make the path to key private without changing anything (so the counts of
 * what the leaf points to are exact, invariant 1).  *root may move. */
int hdb__bt_touch(hdb_bt *t, hdb_ref *root, const void *key, size_t klen);

/* Make the branch cell that points to page `old`, on the way from *root to
 * key, point to `now` instead (graft.c).  HDB_NOTFOUND (nothing written)
 * when no cell on that way points to old.  *root may move. */
int hdb__bt_graft(hdb_bt *t, hdb_ref *root, const void *key, size_t klen, hdb_pgno old,
                  hdb_ref now);
/* The depth (0 = the root page) of the page whose cell points to page old
 * on the way from root to key; HDB_NOTFOUND if none does. */
int hdb__bt_graft_level(hdb_bt *t, hdb_ref root, const void *key, size_t klen, hdb_pgno old,
                        int *level);
/* Make the cell taken at depth `level` on the way from *root to key point
 * to the child of the cell taken at depth `from_level` on the way from
 * `from` to key (graft.c, GRAFTING BY POSITION).  *was and *now receive the
 * old and the new child.  With expect != 0, HDB_NOTFOUND (the way shadowed,
 * nothing else changed) if the old child is not page expect.  HDB_CORRUPT if
 * the two cells do not bound the same keys, their subtrees differ in
 * height, or a way ends above its level.  *root may move. */
int hdb__bt_graft_from(hdb_bt *t, hdb_ref *root, int level, hdb_ref from, int from_level,
                       const void *key, size_t klen, hdb_pgno expect, hdb_ref *was,
                       hdb_ref *now);
/* The same graft when the caller holds the new child `now` and knows its
 * range is the cell's: the cell taken at depth `level` toward key, if it
 * points to page old, points to now instead.  HDB_NOTFOUND (the way
 * shadowed, nothing else changed) if it does not, or a way ends above the
 * level.  *root may move.  keep (may be NULL): a page of this tree kept
 * pinned between calls (NULL at first), tried before the walk; after a
 * graft it is the page changed.  The caller puts it (hdb__pager_put) before
 * any other change to the tree's shape. */
int hdb__bt_graft_at(hdb_bt *t, hdb_ref *root, int level, const void *key, size_t klen,
                     hdb_pgno old, hdb_ref now, hdb_page **keep);
/* Replace the value of key, in place, by val when the old one is a plain
 * inline value of the same length (graft.c): HDB_OK, HDB_NOTFOUND (no such
 * key) or HDB_RANGE (nothing changed: use hdb__bt_put).  *leaf is a private
 * leaf kept pinned between calls (NULL at first; a leaf without the key is
 * let go); the caller puts it (hdb__pager_put) before any other write to the
 * tree.  *root may move. */
int hdb__bt_overwrite(hdb_bt *t, hdb_ref *root, hdb_page **leaf, const void *key, size_t klen,
                      const void *val, size_t vlen);

/* Release one reference to a page and, at count 0, everything it reaches. */
int hdb__bt_release(hdb_bt *t, hdb_ref ref);

/* Parse the refs at the start of a REFS value: returns k, or -1 if bad. */
int hdb__refs_count(const uint8_t *v, size_t n);
hdb_ref hdb__refs_get(const uint8_t *v, int i);

/* ------------------------------------------------------------------------
** Cursors.  A cursor pins the pages of its path; it must not be used across
** a write to its tree (the engine saves and re-seeks cursors around writes).
*/
typedef struct hdb_btcur {
    hdb_bt *t;
    hdb_ref root;
    int depth;   /* pages on the path; 0 when not positioned */
    int valid;   /* positioned on a cell */
    struct {
        hdb_page *pg;
        int idx;
    } path[HDB_BT_MAXDEPTH];
} hdb_btcur;

void hdb__btcur_init(hdb_btcur *c, hdb_bt *t, hdb_ref root);
void hdb__btcur_reset(hdb_btcur *c); /* unpin everything */
int hdb__btcur_first(hdb_btcur *c);  /* HDB_NOTFOUND if empty */
int hdb__btcur_last(hdb_btcur *c);
int hdb__btcur_seek(hdb_btcur *c, const void *key, size_t klen, int *exact); /* first >= key */
int hdb__btcur_next(hdb_btcur *c);   /* HDB_NOTFOUND at the end */
int hdb__btcur_prev(hdb_btcur *c);
/* The current key (borrowed from the pinned leaf). */
int hdb__btcur_key(hdb_btcur *c, const uint8_t **key, size_t *klen);
/* The current value (v to be released with hdb__btval_release). */
int hdb__btcur_val(hdb_btcur *c, hdb_btval *v);
/* The current cell, parsed once (struct hdb_cell, below): its key and an
 * inline value are borrowed from the pinned leaf until the cursor moves. */
struct hdb_cell;
int hdb__btcur_cell(hdb_btcur *c, struct hdb_cell *cell);

/* ------------------------------------------------------------------------
** Structural diff (diff.c): the keys that differ between trees a and b, in
** key order, skipping subtrees the two share.
*/
typedef struct hdb_btdiff hdb_btdiff;
typedef struct hdb_btdiff_entry {
    const uint8_t *key; /* borrowed until the next call */
    size_t klen;
    const hdb_btval *a, *b; /* the value in a / in b; NULL where absent */
} hdb_btdiff_entry;

int hdb__btdiff_open(hdb_bt *t, hdb_ref a, hdb_ref b, hdb_btdiff **out);
/* HDB_OK (e filled), HDB_DONE at the end, or an error. */
int hdb__btdiff_next(hdb_btdiff *d, hdb_btdiff_entry *e);
void hdb__btdiff_close(hdb_btdiff *d);
/* Count the keys added (only in b), changed and deleted (only in a) from a
 * to b, by the same walk, without reading values that are equal. */
enum { HDB_DIFF_ADDED, HDB_DIFF_CHANGED, HDB_DIFF_DELETED };
int hdb__btdiff_count(hdb_bt *t, hdb_ref a, hdb_ref b, uint64_t n[3]);

/* ------------------------------------------------------------------------
** Size accounting (size.c): the pages of a state and its exclusive region.
*/
typedef struct hdb_szdelta {
    uint64_t born;        /* pages the transaction wrote that the new state reaches */
    uint64_t left;        /* pages of the old state the new one no longer reaches */
    uint64_t freed;       /* of those, pages of the old region now free */
    uint64_t adopted;     /* older pages taken from other states (keyspace copies, merges) */
    uint64_t adopted_lat; /* of those, pages the new state now holds alone */
    uint64_t cross;       /* changes that may move pages into or out of other states' regions */
    int root_shared;      /* the old root is still alive: the region was rebuilt */
    int unknown;          /* the new root is older than the transaction: not measured */
} hdb_szdelta;

/* Where a page sits in a state: in the tree named by the key `tree` of the
 * root tree (in_tree) or in the root tree itself; `lo` (if has_lo) is a key
 * of its range, else its range starts at the smallest key; kind says what
 * points to it. */
enum { HDB_SZ_NODE, HDB_SZ_CHAIN, HDB_SZ_TREE, HDB_SZ_NEXT, HDB_SZ_OTHER };
typedef struct hdb_szpos {
    int in_tree;
    const uint8_t *tree;
    size_t tree_len;
    int has_lo;
    const uint8_t *lo;
    size_t lo_len;
    int kind; /* NODE: a branch cell's child; CHAIN: the overflow chain of the
               * leaf cell with key lo; TREE: the root the REFS value `tree` names */
} hdb_szpos;
/* Called for a page q that left the state and now has one other holder;
 * returns HDB_OK once it has credited it (or found no branch region holding
 * it), or an error. */
typedef int (*hdb_sz_credit)(void *ctx, const hdb_szpos *pos, hdb_ref q);

/* tot: the pages reachable from root; lat: those reached through pages of
 * count 1 below the root (the root always counts). */
int hdb__bt_size_walk(hdb_bt *t, hdb_ref root, uint64_t *tot, uint64_t *lat);
/* The change from the committed state `old` to the state `now` that the
 * write transaction `lsn` made (see size.c for what it counts). */
int hdb__bt_size_delta(hdb_bt *t, uint64_t lsn, hdb_ref old, hdb_ref now, hdb_szdelta *d,
                       hdb_sz_credit credit, void *cctx);
/* *holds = 1 when the region of the state at root holds page q at pos. */
int hdb__bt_size_holds(hdb_bt *t, hdb_ref root, const hdb_szpos *pos, hdb_ref q, int *holds);

/* ------------------------------------------------------------------------
** Verification (for the integrity check, see verify.c)
*/
enum { HDB_VREF_ROOT, HDB_VREF_CHILD, HDB_VREF_OVERFLOW, HDB_VREF_CHAIN };

typedef struct hdb_btverify {
    hdb_bt *t;
    /* Called for every pointer met: count it; return 1 if the page was seen
     * before (it is not walked again), 0 to walk it, -1 on out of memory. */
    int (*on_ref)(void *ctx, hdb_ref r, int kind);
    void *ctx;
    struct hdb_buf *report; /* problems are appended here (may be NULL) */
    uint64_t problems, pages, cells;
} hdb_btverify;

/* Call fn for every counted pointer held by a page (children, overflow
 * chain start or next page, REFS).  Stops at the first non-OK result. */
int hdb__page_pointers(hdb_bt *t, const uint8_t *pg, int (*fn)(void *ctx, hdb_ref r), void *ctx);

/* Verify the tree at root and every tree its REFS values name. */
int hdb__bt_verify(hdb_btverify *v, hdb_ref root);

/* ------------------------------------------------------------------------
** Node internals shared by the files of btree/
*/
typedef struct hdb_cell {
    const uint8_t *key;
    size_t klen;
    const uint8_t *val; /* leaf */
    size_t vlen;
    uint8_t flags;      /* leaf */
    hdb_ref child;      /* branch */
    size_t size;        /* bytes of the cell */
} hdb_cell;

int hdb__node_check(hdb_bt *t, const uint8_t *pg); /* header sanity: HDB_OK or HDB_CORRUPT */
int hdb__node_cell(hdb_bt *t, const uint8_t *pg, unsigned i, hdb_cell *c);
/* The child of branch cell i, as hdb__node_cell reads it; faster. */
int hdb__node_child(hdb_bt *t, const uint8_t *pg, unsigned i, hdb_ref *child);
/* The same for a cell of a leaf, faster for cells with one-byte lengths. */
int hdb__node_leaf_cell(hdb_bt *t, const uint8_t *pg, unsigned i, hdb_cell *c);
/* Index of the first cell with key >= key (leaf); *eq set if equal. */
int hdb__node_search_leaf(hdb_bt *t, const uint8_t *pg, const void *key, size_t klen,
                          unsigned *idx, int *eq);
/* Index of the child to follow for key (branch). */
int hdb__node_search_branch(hdb_bt *t, const uint8_t *pg, const void *key, size_t klen,
                            unsigned *idx);
/* Either search, by the page's type (a branch sets *eq = 0).  All three
 * read cells with one-byte lengths inline and compare keys eight bytes at
 * a time. */
int hdb__node_find(hdb_bt *t, const uint8_t *pg, const void *key, size_t klen, unsigned *idx,
                   int *eq);
int hdb__keycmp(const void *a, size_t an, const void *b, size_t bn);
/* The key of cell i (below the cell count) of a node, as hdb__node_cell
 * reads it (same checks); faster for cells with one-byte lengths. */
int hdb__node_key(hdb_bt *t, const uint8_t *pg, unsigned i, const uint8_t **key, size_t *klen);

/* track.c: the changes of leaves copied since the open (see there).  The
 * writer reports each key it changes in a copied leaf with its kind; a
 * merge asks for a leaf's counts against `from` (1 if known, else 0). */
enum { HDB_TRACK_ADD, HDB_TRACK_CHANGE, HDB_TRACK_DEL, HDB_TRACK_SAME, HDB_TRACK_UNKNOWN };
void hdb__track_copy(hdb_bt *t, hdb_ref from, hdb_ref to, int last);
void hdb__track_edit(hdb_bt *t, const uint8_t *leaf, const void *key, size_t klen, int kind);
void hdb__track_drop(hdb_bt *t, hdb_pgno pgno);
/* Drop the entries of leaves born at lsn or later (a rollback). */
void hdb__track_forget(hdb_bt *t, uint64_t lsn);
void hdb__track_fini(hdb_bt *t);
int hdb__track_counts(hdb_bt *t, hdb_ref from, hdb_ref leaf, uint64_t n[3]);
/* The entries whose pages were born at upto or before, in the saved form,
 * into out (max bytes; hdb__track_saved_max() is enough): bytes written.
 * hdb__track_load() adds saved entries (n bytes) to the table. */
size_t hdb__track_save(hdb_bt *t, uint64_t upto, uint8_t *out, size_t max);
size_t hdb__track_saved_max(hdb_bt *t);
void hdb__track_load(hdb_bt *t, const uint8_t *in, size_t n);
/* 1 if branch pages a and b have the same number of cells and the same
 * separator keys (cells 1..n-1; children are not compared), else 0 (also
 * for a cell that does not parse: the caller then takes its general way). */
int hdb__node_same_keys(hdb_bt *t, const uint8_t *a, const uint8_t *b);
/* The value of leaf cell c of a leaf the caller pinned once more for it: the
 * pin moves to v (released with hdb__btval_release). */
int hdb__bt_cell_value(hdb_bt *t, hdb_page *leaf, const hdb_cell *c, hdb_btval *v);

#endif
