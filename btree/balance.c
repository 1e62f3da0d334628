/*
** balance.c — making room in a full leaf by sharing its cells with a
** sibling, so that inserts in scattered order keep leaves fuller.
**
** HOW IT WORKS
**   insert.c calls hdb__bt_balance_leaf when a cell does not fit in a leaf
**   that has a parent (and the insert is not an append at the right edge,
**   which splits unevenly and fills pages completely).  The leaf's cells
**   plus the new one are shared with a sibling under the same parent,
**   tried in this order:
**     - the left sibling: the leaf's first cells move to its end;
**     - the right sibling: the leaf's last cells move to its start.
**   The cells are divided so that the fuller of the two pages holds as few
**   bytes as cell boundaries allow, each page keeping at least one cell.
**   A sibling takes part only if, so divided, neither page holds more than
**   SHARE_FILL (7/8) of its usable bytes; otherwise the leaf splits
**   (insert.c).
**   The parent's cell for the right page of the pair gets the separator of
**   the new boundary (the shortest prefix of the right page's first key
**   above the left page's last key, as a split makes) and keeps its child.
**
**   Nothing changes unless the whole move can be done: the sibling is
**   read and measured first (unchanged), and the parent must hold the new
**   separator (a longer one in a full parent sends the leaf to the split
**   instead).  Only then is the sibling shadowed (btree.h, invariant 1:
**   copied if it is shared, with its pointers incremented) and changed.
**   Cells move as opaque bytes: an overflow chain or REFS value moves with
**   its cell from one private page to another and keeps its count.
**
** WHY 7/8
**   Sharing with a nearly full sibling leaves both pages nearly full, so
**   the next insert into either shares or splits again: the fuller the
**   pages may end, the more often two pages and the parent are rewritten
**   (and a sibling read) for each insert.  Measured on 1,000,000 16-byte
**   keys loaded in random order in one transaction (bench/kv_bench, 8 MiB
**   cache; 40,000 splits a load without sharing; times are single runs on
**   a noisy machine, against the same code that never shares), and on a
**   1,000,000-row SQL table loaded in scattered order (27,039 pages
**   without sharing):
**     limit    shares a kv load   kv load time   SQL table pages
**     none     231,000            +58%           21,413
**     15/16     91,000            +20%           22,771
**     7/8       62,000            +12%           23,304
**   7/8 keeps most of the gain in density for a quarter of the shares of
**   no limit.  In test_fill (check_btree.c) leaves end 80% full with it, 85%
**   with no limit and 69% with 50/50 splits alone.
*/
#include <string.h>
#include "btree/btree_int.h"

/* The most of its usable bytes a page may hold after a share. */
#define SHARE_FILL(usable) ((usable) / 8 * 7)

/* The bytes (cells and slots) of the leaf at the parent's slot si, read
 * without changing it; its cells are checked, since a share may rewrite
 * them (btree.h, invariant 5). */
static int sibling_used(hdb_bt *t, hdb_page *parent, unsigned si, hdb_pgno leaf, size_t *used)
{
    hdb_cell c;
    hdb_page *pg;
    int rc = hdb__node_cell(t, parent->data, si, &c);
    if (rc == HDB_OK && c.child.pgno == leaf)
        rc = hdb__pager_corrupt(t->pager, "page %u: two cells point to page %u", parent->pgno,
                                leaf);
    if (rc == HDB_OK)
        rc = hdb__pager_get(t->pager, c.child, &pg);
    if (rc != HDB_OK)
        return rc;
    rc = hdb__node_check(t, pg->data);
    if (rc == HDB_OK && hdb__page_type(pg->data) != HDB_PT_LEAF)
        rc = hdb__pager_corrupt(t->pager, "page %u: a leaf's sibling is not a leaf", pg->pgno);
    for (unsigned i = 0; rc == HDB_OK && i < hdb__page_count(pg->data); i++) {
        hdb_cell cc;
        rc = hdb__node_cell(t, pg->data, i, &cc);
    }
    if (rc == HDB_OK)
        *used = hdb__node_used(t, pg->data);
    hdb__pager_put(t->pager, pg);
    return rc;
}

/* Where to divide the n gathered cells (t->cells) between a left page that
 * already holds `lx` bytes and a right page that already holds `rx`: the
 * first index of the right page (1 .. n-1) that makes the fuller page
 * smallest, or 0 if that page would hold more than `limit` bytes. */
static unsigned share_point(hdb_bt *t, unsigned n, size_t lx, size_t rx, size_t limit)
{
    size_t total = rx, acc = lx, best = (size_t)-1;
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++)
        total += t->cells[i].size + 2;
    for (unsigned m = 1; m < n; m++) {
        acc += t->cells[m - 1].size + 2;
        size_t fuller = acc > total - acc + lx ? acc : total - acc + lx;
        if (fuller < best) {
            best = fuller;
            k = m;
        }
    }
    return best <= limit ? k : 0;
}

/* Move the gathered cells of the leaf: [0, k) to the end of a left
 * sibling, or [k, n) to the start of a right one, at the parent's slot si;
 * the parent's cell ci (the right page's) takes the separator sep.
 * *done = 0 (nothing changed) if the parent cannot hold it. */
static int share(hdb_bt *t, hdb_page *parent, unsigned si, unsigned ci, hdb_page *leaf,
                 unsigned n, unsigned k, int left, int *done)
{
    hdb_cell old;
    hdb_page *sib;
    size_t cap = t->max_key + HDB_REF_SIZE + HDB_VARINT_MAX;
    uint8_t *pc = hdb__malloc(t->mem, 2 * cap);
    if (!pc)
        return HDB_NOMEM;
    uint8_t *sep = pc + cap;
    size_t seplen = hdb__bt_separator(t, HDB_PT_LEAF, k, sep);
    size_t need = HDB_REF_SIZE + hdb__varint_len(seplen) + seplen;
    int rc = hdb__node_cell(t, parent->data, ci, &old);
    if (rc != HDB_OK || (need > old.size && hdb__node_free(t, parent->data) + old.size < need))
        goto out; /* the split takes over */
    if ((rc = hdb__bt_shadow_child(t, parent, si, &sib)) != HDB_OK)
        goto out;
    /* Read the child again: shadowing may have moved the sibling. */
    if ((rc = hdb__node_cell(t, parent->data, ci, &old)) != HDB_OK) {
        hdb__pager_put(t->pager, sib);
        goto out;
    }
    hdb__track_drop(t, sib->pgno); /* cells move in (track.c, invariant 2) */
    hdb__branch_cell_build(pc, old.child, sep, seplen);
    hdb__node_remove(t, parent->data, ci);
    hdb__node_insert(t, parent->data, ci, pc, need);
    if (left) {
        for (unsigned i = 0; i < k; i++)
            hdb__node_insert(t, sib->data, hdb__page_count(sib->data), t->cells[i].p,
                             t->cells[i].size);
        hdb__node_fill(t, leaf->data, t->cells, k, n);
    } else {
        for (unsigned i = k; i < n; i++)
            hdb__node_insert(t, sib->data, i - k, t->cells[i].p, t->cells[i].size);
        hdb__node_fill(t, leaf->data, t->cells, 0, k);
    }
    hdb__pager_put(t->pager, sib);
    *done = 1;
out:
    hdb__free(t->mem, pc);
    return rc;
}

int hdb__bt_balance_leaf(hdb_bt *t, hdb_btpath *path, int lvl, unsigned at, const uint8_t *cell,
                         size_t size, int *done)
{
    hdb_page *parent = path->e[lvl - 1].pg, *leaf = path->e[lvl].pg;
    unsigned pi = path->e[lvl - 1].idx, np = hdb__page_count(parent->data);
    size_t limit = SHARE_FILL(t->psize - HDB_NODE_SLOTS);
    size_t mine = hdb__node_used(t, leaf->data) + size + 2;
    unsigned n = 0; /* cells gathered (t->cells), 0 before the first try */
    *done = 0;
    for (int left = 1; left >= 0; left--) {
        size_t used;
        if (left ? pi == 0 : pi + 1 >= np)
            continue;
        unsigned si = left ? pi - 1 : pi + 1;
        int rc = sibling_used(t, parent, si, leaf->pgno, &used);
        if (rc != HDB_OK)
            return rc;
        if (used + mine > 2 * limit)
            continue;
        if (!n) /* once: nothing below changes the gathered cells */
            n = hdb__bt_gather(t, leaf->data, at, cell, size);
        unsigned k = share_point(t, n, left ? used : 0, left ? 0 : used, limit);
        if (!k)
            continue;
        rc = share(t, parent, si, left ? pi : pi + 1, leaf, n, k, left, done);
        if (rc != HDB_OK || *done)
            return rc;
    }
    return HDB_OK;
}
