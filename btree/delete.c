/*
** delete.c — deletion with merging, and collapsing the root.
**
** HOW IT WORKS
**   A delete first checks, without shadowing anything, that the key exists
**   (a miss must not copy pages).  It then makes the path private, removes
**   the cell, releases what its value pointed to, and walks back up:
**     - an empty node is removed from its parent and freed;
**     - a node less than a quarter full is merged with a neighbour when
**       both fit in one page (the right one's cells move into the left one
**       and the right one is released: its pointers move with its cells, or
**       are incremented first if the page is shared);
**     - otherwise the walk stops.
**   Finally a branch root with a single child is replaced by that child
**   (repeatedly), and an empty leaf root leaves the tree empty.  A tree
**   emptied by deletes thus returns every page.
**
** LIMITATIONS
**   Underfull nodes that cannot merge are left as they are (no
**   redistribution); this keeps deletes cheap and never breaks an invariant.
*/
#include <string.h>
#include "btree/btree_int.h"

/* Remove cell i of a private branch; cell 0 must keep an empty key. */
static int branch_remove(hdb_bt *t, uint8_t *pg, unsigned i)
{
    hdb__node_remove(t, pg, i);
    if (i != 0 || hdb__page_count(pg) == 0)
        return HDB_OK;
    hdb_cell c;
    int rc = hdb__node_cell(t, pg, 0, &c);
    if (rc != HDB_OK)
        return rc;
    if (c.klen) {
        uint8_t cell[HDB_REF_SIZE + 1];
        hdb_ref child = c.child;
        hdb__node_remove(t, pg, 0);
        hdb__node_insert(t, pg, 0, cell, hdb__branch_cell_build(cell, child, NULL, 0));
    }
    return HDB_OK;
}

/* Free a private page that no longer holds pointers (or whose pointers
 * were taken over). */
static int drop_private(hdb_bt *t, hdb_page *pg)
{
    uint32_t left;
    hdb_ref r = {pg->pgno, hdb__page_birth(pg->data)};
    return hdb__pager_decr(t->pager, r, &left);
}

/* Bytes the merge of r into l needs in l. */
static size_t merged_need(hdb_bt *t, const uint8_t *l, const uint8_t *r, size_t sepkey)
{
    size_t need = hdb__node_used(t, l) + hdb__node_used(t, r);
    if (hdb__page_type(l) == HDB_PT_BRANCH)
        need += sepkey + HDB_VARINT_MAX;
    return need;
}

/* Move the cells of r (a child of parent at ri, ri > 0) into l (private,
 * at ri - 1), then release r as a page whose pointers were taken over. */
static int absorb(hdb_bt *t, hdb_page *parent, unsigned ri, hdb_page *l, hdb_page *r)
{
    hdb_cell sep, c;
    uint32_t count, left;
    int rc = hdb__node_cell(t, parent->data, ri, &sep);
    unsigned n = hdb__page_count(r->data);
    int branch = hdb__page_type(r->data) == HDB_PT_BRANCH;
    hdb__track_drop(t, l->pgno); /* track.c, invariant 2 */
    hdb__track_drop(t, r->pgno);
    for (unsigned i = 0; i < n && rc == HDB_OK; i++) {
        rc = hdb__node_cell(t, r->data, i, &c);
        if (rc != HDB_OK)
            break;
        const uint8_t *cell = r->data + hdb__get16(r->data + HDB_NODE_SLOTS + 2 * i);
        size_t size = c.size;
        if (branch && i == 0) {
            /* r's minus-infinity cell takes the parent's separator. */
            cell = t->scratch2;
            size = hdb__branch_cell_build(t->scratch2, c.child, sep.key, sep.klen);
        }
        if (hdb__node_free(t, l->data) < size + 2)
            return hdb__pager_corrupt(t->pager, "merge overflow on page %u", l->pgno);
        hdb__node_insert(t, l->data, hdb__page_count(l->data), cell, size);
    }
    hdb_ref rref = {r->pgno, hdb__page_birth(r->data)};
    if (rc == HDB_OK)
        rc = hdb__pager_rc(t->pager, r->pgno, &count);
    if (rc == HDB_OK && count > 1)
        rc = hdb__bt_incr_pointers(t, r->data);
    if (rc == HDB_OK)
        rc = hdb__pager_decr(t->pager, rref, &left);
    if (rc == HDB_OK)
        rc = branch_remove(t, parent->data, ri);
    return rc;
}

/* Try to merge the private node at path level lvl with a neighbour.
 * *merged is set when the parent lost a cell. */
static int try_merge(hdb_bt *t, hdb_btpath *path, int lvl, int *merged)
{
    hdb_page *parent = path->e[lvl - 1].pg, *node = path->e[lvl].pg, *sib, *l, *r;
    unsigned pi = path->e[lvl - 1].idx, np = hdb__page_count(parent->data);
    unsigned ri = pi > 0 ? pi : pi + 1;
    hdb_cell sepc, sc;
    int rc;
    *merged = 0;
    if (np < 2)
        return HDB_OK;
    if ((rc = hdb__node_cell(t, parent->data, ri, &sepc)) != HDB_OK)
        return rc;
    if (pi > 0) {
        rc = hdb__bt_shadow_child(t, parent, pi - 1, &sib);
        l = sib;
        r = node;
    } else {
        if ((rc = hdb__node_cell(t, parent->data, pi + 1, &sc)) == HDB_OK)
            rc = hdb__pager_get(t->pager, sc.child, &sib);
        l = node;
        r = sib;
    }
    if (rc != HDB_OK)
        return rc;
    if (hdb__page_type(sib->data) != hdb__page_type(node->data) ||
        hdb__node_check(t, sib->data) != HDB_OK) {
        hdb__pager_put(t->pager, sib);
        return hdb__pager_corrupt(t->pager, "sibling pages of different kinds");
    }
    if (merged_need(t, l->data, r->data, sepc.klen) <= t->psize - HDB_NODE_SLOTS) {
        rc = absorb(t, parent, ri, l, r);
        *merged = rc == HDB_OK;
    }
    hdb__pager_put(t->pager, sib);
    return rc;
}

static int rebalance(hdb_bt *t, hdb_btpath *path)
{
    int rc = HDB_OK;
    for (int lvl = path->depth - 1; lvl > 0 && rc == HDB_OK; lvl--) {
        hdb_page *node = path->e[lvl].pg, *parent = path->e[lvl - 1].pg;
        if (hdb__page_count(node->data) == 0) {
            rc = branch_remove(t, parent->data, path->e[lvl - 1].idx);
            if (rc == HDB_OK)
                rc = drop_private(t, node);
            continue;
        }
        if (hdb__node_used(t, node->data) >= (t->psize - HDB_NODE_SLOTS) / 4)
            break;
        int merged;
        rc = try_merge(t, path, lvl, &merged);
        if (!merged)
            break;
    }
    return rc;
}

/* Replace a one-child branch root by its child; free an empty leaf root. */
static int collapse_root(hdb_bt *t, hdb_ref *root, hdb_page *top)
{
    int rc = HDB_OK;
    hdb_page *pg = top;
    hdb__pager_pin(t->pager, pg);
    while (rc == HDB_OK) {
        unsigned n = hdb__page_count(pg->data), type = hdb__page_type(pg->data);
        hdb_ref r = *root;
        if (type == HDB_PT_LEAF && n == 0) {
            uint32_t left;
            rc = hdb__pager_decr(t->pager, r, &left);
            root->pgno = 0;
            root->birth = 0;
            break;
        }
        if (type != HDB_PT_BRANCH || n != 1)
            break;
        hdb_cell c;
        rc = hdb__node_cell(t, pg->data, 0, &c);
        if (rc != HDB_OK)
            break;
        /* The root reference moves to the child: free the old root without
         * touching the child's count (its pointer is taken over). */
        uint32_t count, left;
        rc = hdb__pager_rc(t->pager, r.pgno, &count);
        if (rc == HDB_OK && count > 1)
            rc = hdb__pager_incr(t->pager, c.child.pgno);
        if (rc == HDB_OK)
            rc = hdb__pager_decr(t->pager, r, &left);
        if (rc != HDB_OK)
            break;
        *root = c.child;
        hdb__pager_put(t->pager, pg);
        pg = NULL;
        rc = hdb__pager_get(t->pager, *root, &pg);
        if (rc == HDB_OK)
            rc = hdb__node_check(t, pg->data);
    }
    hdb__pager_put(t->pager, pg);
    return rc;
}

int hdb__bt_del(hdb_bt *t, hdb_ref *root, const void *key, size_t klen, unsigned flags)
{
    hdb_btval v;
    hdb_btpath path = {0};
    if (klen == 0 || klen > t->max_key)
        return HDB_NOTFOUND;
    int rc = hdb__bt_get(t, *root, key, klen, &v);
    if (rc != HDB_OK)
        return rc;
    hdb__btval_release(t, &v);
    rc = hdb__bt_path_write(t, root, key, klen, &path);
    if (rc != HDB_OK)
        return rc;
    int lvl = path.depth - 1, eq;
    unsigned idx;
    hdb_cell c;
    uint8_t *leaf = path.e[lvl].pg->data;
    rc = hdb__node_search_leaf(t, leaf, key, klen, &idx, &eq);
    if (rc == HDB_OK && !eq)
        rc = hdb__pager_corrupt(t->pager, "key vanished between lookup and delete");
    if (rc == HDB_OK)
        rc = hdb__node_cell(t, leaf, idx, &c);
    if (rc == HDB_OK)
        rc = hdb__bt_release_value(t, &c, flags);
    if (rc == HDB_OK) {
        hdb__track_edit(t, leaf, key, klen, HDB_TRACK_DEL);
        hdb__node_remove(t, leaf, idx);
        rc = rebalance(t, &path);
    }
    if (rc == HDB_OK)
        rc = collapse_root(t, root, path.e[0].pg);
    hdb__bt_path_release(t, &path);
    return rc;
}
