/*
** cursor.c — ordered walks over a tree (btree.h).
**
** A cursor keeps the pinned pages of its root-to-leaf path and the index
** taken at each level.  Moving past the end of a leaf climbs to the first
** ancestor with a next (or previous) child and descends along its leftmost
** (or rightmost) edge.  A seek keeps the part of the path the new key's
** way shares with the old one.  The cursor never writes and never looks at
** counts.
*/
#include <string.h>
#include "btree/btree_int.h"

void hdb__btcur_init(hdb_btcur *c, hdb_bt *t, hdb_ref root)
{
    c->t = t;
    c->root = root;
    c->depth = 0;
    c->valid = 0;
}

void hdb__btcur_reset(hdb_btcur *c)
{
    hdb_page *put[HDB_BT_MAXDEPTH];
    for (int i = 0; i < c->depth; i++)
        put[i] = c->path[i].pg;
    if (c->depth)
        hdb__pager_put_n(c->t->pager, put, c->depth);
    c->depth = 0;
    c->valid = 0;
}

/* Let go of the path below level lvl, and push the page named by ref onto
 * it (one call to the pager for both). */
static int push_at(hdb_btcur *c, int lvl, hdb_ref ref)
{
    hdb_page *pg, *put[HDB_BT_MAXDEPTH];
    int nput = 0;
    while (c->depth > lvl)
        put[nput++] = c->path[--c->depth].pg;
    if (c->depth >= HDB_BT_MAXDEPTH) {
        for (int i = 0; i < nput; i++)
            hdb__pager_put(c->t->pager, put[i]);
        return hdb__pager_corrupt(c->t->pager, "tree deeper than %d levels", HDB_BT_MAXDEPTH);
    }
    int rc = hdb__pager_put_get(c->t->pager, put, nput, ref, &pg);
    if (rc != HDB_OK)
        return rc;
    if ((rc = hdb__node_check(c->t, pg->data)) != HDB_OK) {
        hdb__pager_put(c->t->pager, pg);
        return rc;
    }
    if (hdb__page_count(pg->data) == 0 && (c->depth > 0 || hdb__page_type(pg->data) == HDB_PT_BRANCH)) {
        hdb__pager_put(c->t->pager, pg);
        return hdb__pager_corrupt(c->t->pager, "page %u: empty node inside a tree", ref.pgno);
    }
    c->path[c->depth].pg = pg;
    c->path[c->depth].idx = 0;
    c->depth++;
    return HDB_OK;
}

/* Push the page named by ref onto the path. */
static int push(hdb_btcur *c, hdb_ref ref) { return push_at(c, c->depth, ref); }

static int is_leaf(const hdb_btcur *c) { return hdb__page_type(c->path[c->depth - 1].pg->data) == HDB_PT_LEAF; }

/* From the top of the path, descend along the left (dir 0) or right edge. */
static int descend_edge(hdb_btcur *c, int right)
{
    for (;;) {
        uint8_t *pg = c->path[c->depth - 1].pg->data;
        unsigned n = hdb__page_count(pg);
        int idx = right ? (int)n - 1 : 0;
        c->path[c->depth - 1].idx = idx;
        if (is_leaf(c)) {
            c->valid = n > 0;
            return n > 0 ? HDB_OK : HDB_NOTFOUND;
        }
        hdb_cell cell;
        int rc = hdb__node_cell(c->t, pg, (unsigned)idx, &cell);
        if (rc == HDB_OK)
            rc = push(c, cell.child);
        if (rc != HDB_OK)
            return rc;
    }
}

static int edge(hdb_btcur *c, int right)
{
    hdb__btcur_reset(c);
    if (!c->root.pgno)
        return HDB_NOTFOUND;
    int rc = push(c, c->root);
    if (rc == HDB_OK)
        rc = descend_edge(c, right);
    if (rc != HDB_OK)
        hdb__btcur_reset(c);
    return rc;
}

int hdb__btcur_first(hdb_btcur *c) { return edge(c, 0); }
int hdb__btcur_last(hdb_btcur *c) { return edge(c, 1); }

/* Step to the next (dir +1) or previous (-1) cell. */
static int step(hdb_btcur *c, int dir)
{
    if (!c->valid)
        return HDB_NOTFOUND;
    int lvl = c->depth - 1;
    for (;;) {
        int n = (int)hdb__page_count(c->path[lvl].pg->data);
        int idx = c->path[lvl].idx + dir;
        if (idx >= 0 && idx < n) {
            c->path[lvl].idx = idx;
            break;
        }
        if (lvl == 0) {
            hdb__btcur_reset(c);
            return HDB_NOTFOUND;
        }
        lvl--;
    }
    if (lvl == c->depth - 1) /* the next cell of the same leaf */
        return HDB_OK;
    /* Pop the levels below lvl and descend from the new child. */
    hdb_cell cell;
    int rc = hdb__node_cell(c->t, c->path[lvl].pg->data, (unsigned)c->path[lvl].idx, &cell);
    if (rc == HDB_OK)
        rc = push_at(c, lvl + 1, cell.child);
    if (rc == HDB_OK)
        rc = descend_edge(c, dir < 0);
    if (rc != HDB_OK)
        hdb__btcur_reset(c);
    return rc;
}

int hdb__btcur_next(hdb_btcur *c) { return step(c, 1); }
int hdb__btcur_prev(hdb_btcur *c) { return step(c, -1); }

/* Is the page pinned at path level lvl the one ref names?  (A seek keeps
 * such a page instead of asking the pager for it again.) */
static int path_has(const hdb_btcur *c, int lvl, hdb_ref ref)
{
    if (lvl >= c->depth)
        return 0;
    const hdb_page *pg = c->path[lvl].pg;
    return pg->pgno == ref.pgno && (!ref.birth || hdb__page_birth(pg->data) == ref.birth);
}

/* Make the page at level lvl the one ref names: keep it if it is already
 * pinned there, else let go of the path from lvl down and push it. */
static int path_set(hdb_btcur *c, int lvl, hdb_ref ref)
{
    if (path_has(c, lvl, ref))
        return HDB_OK;
    return push_at(c, lvl, ref);
}

/* A seek starts from the path it is on: the pages that the new key's way
 * shares with it (at least the root) stay pinned and are searched again
 * without going through the pager.  They cannot have changed: the cursor is
 * not used across a write to its tree (btree.h). */
int hdb__btcur_seek(hdb_btcur *c, const void *key, size_t klen, int *exact)
{
    int eq = 0, rc, lvl = 0;
    c->valid = 0;
    if (exact)
        *exact = 0;
    if (!c->root.pgno) {
        hdb__btcur_reset(c);
        return HDB_NOTFOUND;
    }
    rc = path_set(c, 0, c->root);
    while (rc == HDB_OK && hdb__page_type(c->path[lvl].pg->data) != HDB_PT_LEAF) {
        unsigned idx;
        int ignored;
        hdb_ref child;
        uint8_t *pg = c->path[lvl].pg->data;
        rc = hdb__node_find(c->t, pg, key, klen, &idx, &ignored);
        if (rc == HDB_OK && !hdb__branch_child(c->t, pg, idx, &child)) {
            hdb_cell cell; /* out of place: the full parse says why */
            if ((rc = hdb__node_cell(c->t, pg, idx, &cell)) == HDB_OK)
                child = cell.child;
        }
        if (rc == HDB_OK) {
            c->path[lvl].idx = (int)idx;
            rc = path_set(c, ++lvl, child);
        }
    }
    if (rc == HDB_OK) {
        unsigned idx;
        while (c->depth > lvl + 1) /* pinned below the leaf: not on this way */
            hdb__pager_put(c->t->pager, c->path[--c->depth].pg);
        uint8_t *pg = c->path[lvl].pg->data;
        rc = hdb__node_find(c->t, pg, key, klen, &idx, &eq);
        if (rc == HDB_OK) {
            c->valid = 1;
            c->path[lvl].idx = (int)idx;
            if (idx >= hdb__page_count(pg)) {
                /* Past the last key of this leaf: the answer is the next one. */
                c->path[lvl].idx = (int)idx - 1;
                return step(c, 1);
            }
        }
    }
    if (rc != HDB_OK) {
        hdb__btcur_reset(c);
        return rc;
    }
    if (exact)
        *exact = eq;
    return HDB_OK;
}

int hdb__btcur_key(hdb_btcur *c, const uint8_t **key, size_t *klen)
{
    hdb_cell cell;
    if (!c->valid)
        return HDB_NOTFOUND;
    int rc = hdb__node_cell(c->t, c->path[c->depth - 1].pg->data,
                            (unsigned)c->path[c->depth - 1].idx, &cell);
    if (rc == HDB_OK) {
        *key = cell.key;
        *klen = cell.klen;
    }
    return rc;
}

int hdb__btcur_val(hdb_btcur *c, hdb_btval *v)
{
    hdb_cell cell;
    if (!c->valid)
        return HDB_NOTFOUND;
    hdb_page *leaf = c->path[c->depth - 1].pg;
    int rc = hdb__node_cell(c->t, leaf->data, (unsigned)c->path[c->depth - 1].idx, &cell);
    if (rc != HDB_OK)
        return rc;
    hdb__pager_pin(c->t->pager, leaf); /* the value holds its own pin */
    return hdb__bt_cell_value(c->t, leaf, &cell, v);
}

/* The current cell parsed once: key and value bytes borrowed from the
 * pinned leaf (with HDB_CELL_OVERFLOW, cell->val is the descriptor: read
 * the value with hdb__btcur_val). */
int hdb__btcur_cell(hdb_btcur *c, hdb_cell *cell)
{
    if (!c->valid)
        return HDB_NOTFOUND;
    const uint8_t *pg = c->path[c->depth - 1].pg->data;
    unsigned i = (unsigned)c->path[c->depth - 1].idx;
    return hdb__leaf_cell_fast(c->t, pg, i, cell) ? HDB_OK : hdb__node_cell(c->t, pg, i, cell);
}
