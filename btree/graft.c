/*
** graft.c — replace one subtree pointer of a tree (three-way merges).
**
** HOW IT WORKS
**   hdb__bt_graft() first walks, without writing, from the root toward a
**   key and looks for the branch cell that points to page `old`.  Only if
**   it is there does it walk again, shadowing the path down to that cell's
**   page (btree.h, invariant 1), and make the cell point to `now`: `now`
**   gains a reference, `old` loses one (and is freed, with what it alone
**   reaches, if that was its last).  The caller guarantees that `now` is a
**   subtree of the same height whose keys lie inside the cell's range.
*/
#include "btree/btree_int.h"

/* The level (0 = root) whose page points to old on the way to key. */
static int find(hdb_bt *t, hdb_ref root, const void *key, size_t klen, hdb_pgno old, int *level)
{
    hdb_ref r = root;
    for (int depth = 0; depth < HDB_BT_MAXDEPTH; depth++) {
        hdb_page *pg;
        unsigned idx;
        hdb_cell c;
        int rc = hdb__pager_get(t->pager, r, &pg);
        if (rc != HDB_OK)
            return rc;
        if ((rc = hdb__node_check(t, pg->data)) == HDB_OK && hdb__page_type(pg->data) == HDB_PT_LEAF)
            rc = HDB_NOTFOUND;
        if (rc == HDB_OK && (rc = hdb__node_search_branch(t, pg->data, key, klen, &idx)) == HDB_OK)
            rc = hdb__node_cell(t, pg->data, idx, &c);
        hdb__pager_put(t->pager, pg);
        if (rc != HDB_OK)
            return rc;
        if (c.child.pgno == old) {
            *level = depth;
            return HDB_OK;
        }
        r = c.child;
    }
    return hdb__pager_corrupt(t->pager, "tree deeper than %d levels", HDB_BT_MAXDEPTH);
}

int hdb__bt_graft(hdb_bt *t, hdb_ref *root, const void *key, size_t klen, hdb_pgno old, hdb_ref now)
{
    int level = 0;
    hdb_page *pg;
    hdb_ref nr;
    unsigned idx = 0;
    hdb_cell c;
    if (!root->pgno)
        return HDB_NOTFOUND;
    int rc = find(t, *root, key, klen, old, &level);
    if (rc != HDB_OK)
        return rc;
    if ((rc = hdb__bt_shadow(t, *root, &pg, &nr)) != HDB_OK)
        return rc;
    *root = nr;
    for (int depth = 0; rc == HDB_OK; depth++) {
        rc = hdb__node_search_branch(t, pg->data, key, klen, &idx);
        if (rc != HDB_OK || depth == level)
            break;
        hdb_page *child;
        rc = hdb__bt_shadow_child(t, pg, idx, &child);
        hdb__pager_put(t->pager, pg);
        pg = rc == HDB_OK ? child : NULL;
    }
    if (rc == HDB_OK && (rc = hdb__node_cell(t, pg->data, idx, &c)) == HDB_OK && c.child.pgno != old)
        rc = hdb__pager_corrupt(t->pager, "page %u changed under a graft", pg->pgno);
    if (rc == HDB_OK && (rc = hdb__pager_incr(t->pager, now.pgno)) == HDB_OK) {
        hdb_ref was = c.child;
        hdb__node_set_child(pg->data, idx, now);
        rc = hdb__bt_release(t, was);
    }
    hdb__pager_put(t->pager, pg);
    return rc;
}
