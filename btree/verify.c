/*
** verify.c — structural verification of trees, for the integrity check.
**
** HOW IT WORKS
**   hdb__bt_verify() walks a tree from its root.  Every pointer met (child,
**   overflow page, REFS root) is reported to the caller's on_ref(), which
**   counts it and answers whether the page was seen before; a page seen
**   before is not walked again (shared subtrees are verified once).  For
**   each node it checks the header, every cell, that keys increase strictly
**   and stay inside the bounds set by the parent's separators, that branch
**   cell 0 has an empty key, that all leaves are at one depth, and that
**   overflow chains have exactly the length their descriptor states.  REFS
**   values name the roots of other trees; they are verified as trees too.
**   Problems are appended to the report and counted; the walk goes on where
**   it safely can.
*/
#include <string.h>
#include "btree/btree_int.h"
#include "pager/buf.h"

static void problem(hdb_btverify *v, const char *fmt, hdb_pgno pg, const char *what)
{
    v->problems++;
    if (v->report && v->problems <= 100)
        hdb__buf_printf(v->report, fmt, pg, what);
}

typedef struct bound {
    const uint8_t *k;
    size_t n;
    int set;
} bound;

static int walk(hdb_btverify *v, hdb_ref r, int depth, bound lo, bound hi, int *leaf_depth);

static int walk_chain(hdb_btverify *v, const uint8_t *desc)
{
    hdb_ref r = hdb__ref_get(desc);
    size_t stored = hdb__get32(desc + 16), got = 0, room = v->t->psize - HDB_OVF_HDR;
    for (size_t hop = 0; r.pgno; hop++) {
        int seen = v->on_ref(v->ctx, r, hop ? HDB_VREF_CHAIN : HDB_VREF_OVERFLOW);
        if (seen < 0)
            return HDB_NOMEM;
        if (seen)
            return HDB_OK;
        hdb_page *pg;
        if (hop > stored / room + 1 || hdb__pager_get(v->t->pager, r, &pg) != HDB_OK) {
            problem(v, "page %u: %s\n", r.pgno, "unreadable or endless overflow chain");
            return HDB_OK;
        }
        v->pages++;
        if (hdb__page_type(pg->data) != HDB_PT_OVERFLOW)
            problem(v, "page %u: %s\n", r.pgno, "overflow pointer to a page of another type");
        got += hdb__get32(pg->data + 36);
        r = hdb__ref_get(pg->data + 24);
        hdb__pager_put(v->t->pager, pg);
    }
    if (got != stored)
        problem(v, "page %u: %s\n", hdb__ref_get(desc).pgno, "overflow chain length differs");
    return HDB_OK;
}

static int check_cell_value(hdb_btverify *v, const hdb_cell *c, hdb_pgno pg)
{
    if (c->flags & HDB_CELL_OVERFLOW)
        return walk_chain(v, c->val);
    if (!(c->flags & HDB_CELL_REFS))
        return HDB_OK;
    int k = hdb__refs_count(c->val, c->vlen);
    if (k < 0) {
        problem(v, "page %u: %s\n", pg, "bad refs value");
        return HDB_OK;
    }
    for (int i = 0; i < k; i++) {
        hdb_ref r = hdb__refs_get(c->val, i);
        int rc = r.pgno ? hdb__bt_verify(v, r) : HDB_OK;
        if (rc != HDB_OK)
            return rc;
    }
    return HDB_OK;
}

/* Check cell i against its neighbour and the bounds; walk what it names. */
static int check_cell(hdb_btverify *v, hdb_page *page, unsigned i, int depth, bound lo,
                      bound hi, bound *prev, int *leaf_depth)
{
    hdb_cell c;
    const uint8_t *pg = page->data;
    int branch = hdb__page_type(pg) == HDB_PT_BRANCH;
    if (hdb__node_cell(v->t, pg, i, &c) != HDB_OK) {
        problem(v, "page %u: %s\n", page->pgno, "damaged cell");
        return HDB_OK;
    }
    if (branch && i == 0 && c.klen)
        problem(v, "page %u: %s\n", page->pgno, "first branch cell has a key");
    if (!(branch && i == 0)) {
        if (prev->set && hdb__keycmp(prev->k, prev->n, c.key, c.klen) >= 0)
            problem(v, "page %u: %s\n", page->pgno, "keys out of order");
        if (lo.set && hdb__keycmp(c.key, c.klen, lo.k, lo.n) < 0)
            problem(v, "page %u: %s\n", page->pgno, "key below its parent's separator");
        if (hi.set && hdb__keycmp(c.key, c.klen, hi.k, hi.n) >= 0)
            problem(v, "page %u: %s\n", page->pgno, "key above its parent's separator");
        prev->k = c.key;
        prev->n = c.klen;
        prev->set = 1;
    }
    if (!branch) {
        v->cells++;
        return check_cell_value(v, &c, page->pgno);
    }
    bound clo = (i == 0) ? lo : *prev, chi = hi;
    if (i + 1 < hdb__page_count(pg)) {
        hdb_cell nx;
        if (hdb__node_cell(v->t, pg, i + 1, &nx) == HDB_OK) {
            chi.k = nx.key;
            chi.n = nx.klen;
            chi.set = 1;
        }
    }
    return walk(v, c.child, depth + 1, clo, chi, leaf_depth);
}

static int walk(hdb_btverify *v, hdb_ref r, int depth, bound lo, bound hi, int *leaf_depth)
{
    hdb_page *page;
    int seen = v->on_ref(v->ctx, r, depth ? HDB_VREF_CHILD : HDB_VREF_ROOT);
    if (seen)
        return seen < 0 ? HDB_NOMEM : HDB_OK;
    if (depth >= HDB_BT_MAXDEPTH) {
        problem(v, "page %u: %s\n", r.pgno, "tree too deep (a cycle?)");
        return HDB_OK;
    }
    if (hdb__pager_get(v->t->pager, r, &page) != HDB_OK) {
        problem(v, "page %u: %s\n", r.pgno, hdb__pager_errmsg(v->t->pager));
        return HDB_OK;
    }
    v->pages++;
    int rc = HDB_OK;
    const uint8_t *pg = page->data;
    unsigned n = hdb__page_count(pg);
    if (hdb__node_check(v->t, pg) != HDB_OK || n == 0) {
        problem(v, "page %u: %s\n", r.pgno, n ? "bad node header" : "empty node");
        goto out;
    }
    if (hdb__page_type(pg) == HDB_PT_LEAF) {
        if (*leaf_depth < 0)
            *leaf_depth = depth;
        else if (*leaf_depth != depth)
            problem(v, "page %u: %s\n", r.pgno, "leaves at different depths");
    }
    bound prev = {NULL, 0, 0};
    for (unsigned i = 0; i < n && rc == HDB_OK; i++)
        rc = check_cell(v, page, i, depth, lo, hi, &prev, leaf_depth);
out:
    hdb__pager_put(v->t->pager, page);
    return rc;
}

int hdb__bt_verify(hdb_btverify *v, hdb_ref root)
{
    bound none = {NULL, 0, 0};
    int leaf_depth = -1;
    if (!root.pgno)
        return HDB_OK;
    return walk(v, root, 0, none, none, &leaf_depth);
}
