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
**
** GRAFTING BY POSITION (hdb__bt_graft_from)
**   A subtree is also named by its position: the cell taken at depth
**   `level` (0 = the root page) on the way from a root toward a key.  Page
**   numbers differ from one run to the next (replay allocates its own), the
**   shape of a tree built by the same operations does not, so a log record
**   names the two subtrees of a graft this way (src/merge.c).  Before it
**   changes anything but the shadowed path, hdb__bt_graft_from checks what
**   the caller of hdb__bt_graft guarantees: the two cells bound the same
**   keys (the nearest separators above them on both ways are equal) and the
**   two subtrees have the same height.  A violation is HDB_CORRUPT.
**   hdb__bt_graft_at is the same graft for a caller that already holds the
**   source subtree and knows both cells bound the same keys (a merge that
**   found the three trees' pages at that depth to have the same separators,
**   src/merge.c): it shadows the way down to `level` and swaps the child if
**   it is still page `old`, without reading the source's way again.  It
**   can keep the page it changed pinned for the caller, and try that page
**   first on the next call (the next graft of a merge is usually a sibling
**   of the last): a try that does not find page `old` there falls back to
**   the walk from the root, so a stale page costs only the walk.
**
** VALUES REPLACED IN PLACE (hdb__bt_overwrite)
**   A merge writes many keys of one leaf in a row.  When a key's new value
**   is a plain inline value of the length of the old one, the cell keeps
**   its size, so the leaf is exactly what hdb__bt_put would make of it (no
**   split, no move): the value bytes are overwritten in the private leaf,
**   which stays pinned for the next key instead of being searched again
**   from the root.  Anything else is left to hdb__bt_put (HDB_RANGE).
*/
#include <string.h>
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

int hdb__bt_graft_level(hdb_bt *t, hdb_ref root, const void *key, size_t klen, hdb_pgno old,
                        int *level)
{
    return root.pgno ? find(t, root, key, klen, old, level) : HDB_NOTFOUND;
}

/* The pages of a way toward key, pinned, down to depth level, and the cell
 * taken in each. */
typedef struct gpath {
    int n;
    hdb_page *pg[HDB_BT_MAXDEPTH];
    unsigned idx[HDB_BT_MAXDEPTH];
} gpath;

static void path_put(hdb_bt *t, gpath *p)
{
    while (p->n > 0)
        hdb__pager_put(t->pager, p->pg[--p->n]);
}

/* Take page pg as depth p->n of the way and choose its cell toward key. */
static int path_add(hdb_bt *t, gpath *p, hdb_page *pg, const void *key, size_t klen)
{
    p->pg[p->n++] = pg;
    if (hdb__page_type(pg->data) != HDB_PT_BRANCH)
        return HDB_NOTFOUND; /* the way ends above the level */
    return hdb__node_search_branch(t, pg->data, key, klen, &p->idx[p->n - 1]);
}

/* Read-only way from root. */
static int path_read(hdb_bt *t, hdb_ref root, const void *key, size_t klen, int level, gpath *p)
{
    hdb_ref r = root;
    p->n = 0;
    for (int depth = 0; depth <= level; depth++) {
        hdb_page *pg;
        hdb_cell c;
        int rc = hdb__pager_get(t->pager, r, &pg);
        if (rc == HDB_OK && (rc = hdb__node_check(t, pg->data)) != HDB_OK)
            hdb__pager_put(t->pager, pg);
        if (rc == HDB_OK)
            rc = path_add(t, p, pg, key, klen);
        if (rc == HDB_OK && depth < level &&
            (rc = hdb__node_cell(t, pg->data, p->idx[p->n - 1], &c)) == HDB_OK)
            r = c.child;
        if (rc != HDB_OK)
            return rc;
    }
    return HDB_OK;
}

/* The same way, every page shadowed (invariant 1); *root may move. */
static int path_write(hdb_bt *t, hdb_ref *root, const void *key, size_t klen, int level, gpath *p)
{
    hdb_page *pg;
    hdb_ref nr;
    p->n = 0;
    int rc = hdb__bt_shadow(t, *root, &pg, &nr);
    if (rc != HDB_OK)
        return rc;
    *root = nr;
    for (int depth = 0;; depth++) {
        if ((rc = path_add(t, p, pg, key, klen)) != HDB_OK || depth == level)
            return rc;
        if ((rc = hdb__bt_shadow_child(t, pg, p->idx[p->n - 1], &pg)) != HDB_OK)
            return rc;
    }
}

/* The nearest bound of the cell at the bottom of way p: the key of the
 * cell taken (lower bound, upper == 0) or of the cell after it (upper
 * bound), at the deepest page where that cell exists.  *k = NULL: none
 * (minus or plus infinity). */
static int bound(hdb_bt *t, const gpath *p, int upper, const uint8_t **k, size_t *kn)
{
    *k = NULL;
    *kn = 0;
    for (int i = p->n - 1; i >= 0; i--) {
        unsigned at = p->idx[i] + (unsigned)upper;
        hdb_cell c;
        if (upper ? at >= hdb__page_count(p->pg[i]->data) : at == 0)
            continue;
        int rc = hdb__node_cell(t, p->pg[i]->data, at, &c);
        if (rc == HDB_OK) {
            *k = c.key;
            *kn = c.klen;
        }
        return rc;
    }
    return HDB_OK;
}

static int same_bounds(hdb_bt *t, const gpath *a, const gpath *b, int *same)
{
    *same = 1;
    for (int upper = 0; upper < 2 && *same; upper++) {
        const uint8_t *x, *y;
        size_t xn, yn;
        int rc = bound(t, a, upper, &x, &xn);
        if (rc == HDB_OK)
            rc = bound(t, b, upper, &y, &yn);
        if (rc != HDB_OK)
            return rc;
        *same = (!x && !y) || (x && y && hdb__keycmp(x, xn, y, yn) == 0);
    }
    return HDB_OK;
}

/* Do subtrees a and b have the same height (the leftmost ways reach a leaf
 * at the same depth)?  The pages are read at the cold end of the cache: a
 * merge grafts many subtrees and reads each of these pages once more at
 * most (to count the changes inside), right after. */
static int same_height(hdb_bt *t, hdb_ref a, hdb_ref b, int *same)
{
    for (int depth = 0; depth < HDB_BT_MAXDEPTH; depth++) {
        hdb_page *pa, *pb = NULL;
        hdb_cell ca, cb;
        int rc = hdb__pager_get_cold(t->pager, a, &pa);
        if (rc != HDB_OK)
            return rc;
        if ((rc = hdb__node_check(t, pa->data)) == HDB_OK &&
            (rc = hdb__pager_get_cold(t->pager, b, &pb)) == HDB_OK)
            rc = hdb__node_check(t, pb->data);
        unsigned ta = hdb__page_type(pa->data), tb = pb ? hdb__page_type(pb->data) : 0;
        int go = rc == HDB_OK && ta == HDB_PT_BRANCH && tb == HDB_PT_BRANCH;
        if (go && (rc = hdb__node_cell(t, pa->data, 0, &ca)) == HDB_OK)
            rc = hdb__node_cell(t, pb->data, 0, &cb);
        hdb__pager_put(t->pager, pb);
        hdb__pager_put(t->pager, pa);
        if (rc != HDB_OK)
            return rc;
        if (!go) {
            *same = ta == tb;
            return HDB_OK;
        }
        a = ca.child;
        b = cb.child;
    }
    return hdb__pager_corrupt(t->pager, "tree deeper than %d levels", HDB_BT_MAXDEPTH);
}

int hdb__bt_graft_from(hdb_bt *t, hdb_ref *root, int level, hdb_ref from, int from_level,
                       const void *key, size_t klen, hdb_pgno expect, hdb_ref *was, hdb_ref *now)
{
    gpath src = {0}, dst = {0};
    hdb_cell cs, cd;
    int same = 0;
    if (!root->pgno || !from.pgno)
        return HDB_NOTFOUND;
    int rc = path_read(t, from, key, klen, from_level, &src);
    if (rc == HDB_NOTFOUND)
        rc = hdb__pager_corrupt(t->pager, "a graft's source ends above its level");
    if (rc == HDB_OK)
        rc = path_write(t, root, key, klen, level, &dst);
    if (rc == HDB_OK)
        rc = hdb__node_cell(t, src.pg[src.n - 1]->data, src.idx[src.n - 1], &cs);
    if (rc == HDB_OK)
        rc = hdb__node_cell(t, dst.pg[dst.n - 1]->data, dst.idx[dst.n - 1], &cd);
    if ((rc == HDB_OK && expect && cd.child.pgno != expect) || (rc == HDB_NOTFOUND && expect)) {
        path_put(t, &dst);
        path_put(t, &src);
        return HDB_NOTFOUND; /* not there: only shadowed */
    }
    if (rc == HDB_NOTFOUND)
        rc = hdb__pager_corrupt(t->pager, "a graft's way ends above its level");
    if (rc == HDB_OK)
        rc = same_bounds(t, &src, &dst, &same);
    if (rc == HDB_OK && same)
        rc = same_height(t, cs.child, cd.child, &same);
    if (rc == HDB_OK && !same)
        rc = hdb__pager_corrupt(t->pager, "a graft's subtrees differ in range or height");
    if (rc == HDB_OK) {
        *was = cd.child;
        *now = cs.child;
        if (cd.child.pgno != cs.child.pgno &&
            (rc = hdb__pager_incr(t->pager, cs.child.pgno)) == HDB_OK) {
            hdb__node_set_child(dst.pg[dst.n - 1]->data, dst.idx[dst.n - 1], cs.child);
            rc = hdb__bt_release(t, cd.child);
        }
    }
    path_put(t, &dst);
    path_put(t, &src);
    return rc;
}

/* Make the cell of private page pg toward key point to now if it points
 * to page old (HDB_NOTFOUND otherwise, nothing changed). */
static int swap_child(hdb_bt *t, hdb_page *pg, unsigned idx, hdb_pgno old, hdb_ref now)
{
    hdb_cell c;
    int rc = hdb__node_cell(t, pg->data, idx, &c);
    if (rc == HDB_OK && c.child.pgno != old)
        rc = HDB_NOTFOUND;
    if (rc == HDB_OK && old != now.pgno && (rc = hdb__pager_incr(t->pager, now.pgno)) == HDB_OK) {
        hdb__node_set_child(pg->data, idx, now);
        rc = hdb__bt_release(t, c.child);
    }
    return rc;
}

int hdb__bt_graft_at(hdb_bt *t, hdb_ref *root, int level, const void *key, size_t klen,
                     hdb_pgno old, hdb_ref now, hdb_page **keep)
{
    gpath dst = {0};
    unsigned idx;
    if (!root->pgno)
        return HDB_NOTFOUND;
    if (keep && *keep) { /* the page of the last graft, if it still holds the cell */
        hdb_page *pg = *keep;
        int rc = hdb__pager_writable(t->pager, pg) && hdb__page_type(pg->data) == HDB_PT_BRANCH
                     ? hdb__node_search_branch(t, pg->data, key, klen, &idx)
                     : HDB_NOTFOUND;
        if (rc == HDB_OK && (rc = swap_child(t, pg, idx, old, now)) != HDB_NOTFOUND)
            return rc;
        hdb__pager_put(t->pager, pg);
        *keep = NULL;
    }
    int rc = path_write(t, root, key, klen, level, &dst);
    if (rc == HDB_OK)
        rc = swap_child(t, dst.pg[dst.n - 1], dst.idx[dst.n - 1], old, now);
    if (rc == HDB_OK && keep)
        *keep = dst.pg[--dst.n]; /* stays pinned for the caller */
    path_put(t, &dst);
    return rc;
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

/* ------------------------------------------------------------------------
** Values replaced in place (merges)
*/

/* The private leaf for key, pinned in *leaf (the path to it shadowed). */
static int leaf_write(hdb_bt *t, hdb_ref *root, const void *key, size_t klen, hdb_page **leaf)
{
    hdb_btpath path;
    int rc = hdb__bt_path_write(t, root, key, klen, &path);
    if (rc != HDB_OK)
        return rc;
    *leaf = path.e[path.depth - 1].pg;
    path.depth--; /* the leaf stays pinned */
    hdb__bt_path_release(t, &path);
    return HDB_OK;
}

int hdb__bt_overwrite(hdb_bt *t, hdb_ref *root, hdb_page **leaf, const void *key, size_t klen,
                      const void *val, size_t vlen)
{
    unsigned idx;
    int eq = 0, rc = HDB_OK;
    hdb_cell c;
    if (!root->pgno)
        return HDB_NOTFOUND;
    if (*leaf && (rc = hdb__node_search_leaf(t, (*leaf)->data, key, klen, &idx, &eq)) == HDB_OK &&
        !eq) {
        hdb__pager_put(t->pager, *leaf); /* another leaf's key */
        *leaf = NULL;
    }
    if (rc == HDB_OK && !*leaf && (rc = leaf_write(t, root, key, klen, leaf)) == HDB_OK)
        rc = hdb__node_search_leaf(t, (*leaf)->data, key, klen, &idx, &eq);
    if (rc == HDB_OK && !eq)
        rc = HDB_NOTFOUND;
    if (rc == HDB_OK)
        rc = hdb__node_cell(t, (*leaf)->data, idx, &c);
    if (rc == HDB_OK && (c.flags != 0 || c.vlen != vlen))
        rc = HDB_RANGE;
    if (rc == HDB_OK) {
        hdb__track_edit(t, (*leaf)->data, key, klen,
                        memcmp(c.val, val, vlen) ? HDB_TRACK_CHANGE : HDB_TRACK_SAME);
        hdb__pager_dirty(t->pager, *leaf);
        memcpy((uint8_t *)c.val, val, vlen);
    }
    return rc;
}
