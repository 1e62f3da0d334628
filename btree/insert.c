/*
** insert.c — the write path: private descent, insert or replace, splits.
**
** HOW IT WORKS
**   A write first walks from the root to the leaf that holds (or would
**   hold) the key, shadowing every page on the way (btree.h, invariant 1),
**   so the whole path is private and pinned (hdb_btpath).  The leaf is then
**   changed in place.  A cell that does not fit in a leaf below a branch
**   first tries to share the leaf's cells with its left, then its right
**   sibling under the same parent (balance.c): if the pair holds them with
**   neither page more than 7/8 full and the parent holds the new separator
**   between them, the cells are divided evenly by bytes between the two
**   pages and nothing splits.  Otherwise, and for a branch or a root leaf,
**   the node splits: the cells plus the new one are divided by bytes, the
**   right half goes to a new page, and a separator is inserted into the
**   parent, which may split in turn; a split root grows the tree by one
**   level.  Branches never share.
**
**   Appending past the last key of the rightmost leaf splits unevenly (the
**   left page keeps all its cells, the new page starts with the new cell)
**   without trying to share, so sequential loads fill pages completely;
**   appending past the last key of the rightmost branch splits it the same
**   way.  Leaf separators are shortened to the shortest prefix of the right
**   key that is still greater than the left key.
*/
#include <string.h>
#include "btree/btree_int.h"

void hdb__bt_path_release(hdb_bt *t, hdb_btpath *path)
{
    for (int i = 0; i < path->depth; i++)
        hdb__pager_put(t->pager, path->e[i].pg);
    path->depth = 0;
}

/* Shadow the path from *root to the leaf for key. */
int hdb__bt_path_write(hdb_bt *t, hdb_ref *root, const void *key, size_t klen, hdb_btpath *path)
{
    hdb_page *pg;
    hdb_ref now;
    int rc = hdb__bt_shadow(t, *root, &pg, &now);
    path->depth = 0;
    if (rc != HDB_OK)
        return rc;
    *root = now;
    for (;;) {
        path->e[path->depth].pg = pg;
        path->e[path->depth].idx = 0;
        path->depth++;
        if (hdb__page_type(pg->data) == HDB_PT_LEAF)
            return HDB_OK;
        if (path->depth >= HDB_BT_MAXDEPTH) {
            rc = hdb__pager_corrupt(t->pager, "tree deeper than %d levels", HDB_BT_MAXDEPTH);
            break;
        }
        unsigned idx;
        rc = hdb__node_search_branch(t, pg->data, key, klen, &idx);
        if (rc == HDB_OK)
            rc = hdb__bt_shadow_child(t, pg, idx, &pg);
        if (rc != HDB_OK)
            break;
        path->e[path->depth - 1].idx = idx;
    }
    hdb__bt_path_release(t, path);
    return rc;
}

int hdb__bt_touch(hdb_bt *t, hdb_ref *root, const void *key, size_t klen)
{
    hdb_btpath path;
    if (!root->pgno)
        return HDB_OK;
    int rc = hdb__bt_path_write(t, root, key, klen, &path);
    hdb__bt_path_release(t, &path);
    return rc;
}

/* Release what a leaf cell's value points to. */
int hdb__bt_release_value(hdb_bt *t, const hdb_cell *c, unsigned flags)
{
    if (c->flags & HDB_CELL_OVERFLOW)
        return hdb__bt_release(t, hdb__ovf_first(c->val));
    if ((c->flags & HDB_CELL_REFS) && !(flags & HDB_BT_TRANSFER)) {
        int k = hdb__refs_count(c->val, c->vlen);
        if (k < 0)
            return hdb__pager_corrupt(t->pager, "bad refs in a leaf cell");
        for (int i = 0; i < k; i++) {
            hdb_ref r = hdb__refs_get(c->val, i);
            int rc = r.pgno ? hdb__bt_release(t, r) : HDB_OK;
            if (rc != HDB_OK)
                return rc;
        }
    }
    return HDB_OK;
}

/* ------------------------------------------------------------------------
** Splits
*/

/* The cells of a full page plus one new cell at position `at`, copied to
 * scratch2 so the page can be rebuilt.  Returns the number of cells. */
unsigned hdb__bt_gather(hdb_bt *t, const uint8_t *pg, unsigned at, const uint8_t *cell,
                       size_t size)
{
    unsigned n = hdb__page_count(pg), k = 0;
    memcpy(t->scratch2, pg, t->psize);
    for (unsigned i = 0; i <= n; i++) {
        if (i == at) {
            t->cells[k].p = cell;
            t->cells[k++].size = size;
        }
        if (i < n) {
            hdb_cell c;
            hdb__node_cell(t, t->scratch2, i, &c); /* verified on read */
            t->cells[k].p = t->scratch2 + hdb__get16(t->scratch2 + HDB_NODE_SLOTS + 2 * i);
            t->cells[k++].size = c.size;
        }
    }
    return k;
}

/* Where to split n cells: the first index of the right page. */
static unsigned split_point(hdb_bt *t, unsigned n, int append)
{
    if (append)
        return n - 1;
    size_t total = 0, acc = 0;
    for (unsigned i = 0; i < n; i++)
        total += t->cells[i].size + 2;
    unsigned m = 0;
    while (m < n - 1 && acc + t->cells[m].size + 2 <= total / 2)
        acc += t->cells[m++].size + 2;
    return m ? m : 1;
}

static int cell_key_of(hdb_bt *t, const uint8_t *cell, unsigned type, const uint8_t **k,
                       size_t *kn)
{
    uint64_t kl = 0;
    const uint8_t *p = cell, *end = cell + t->psize;
    size_t n;
    if (type == HDB_PT_LEAF) {
        uint64_t vl;
        p++;
        p += hdb__varint_get(p, end, &kl);
        p += hdb__varint_get(p, end, &vl);
    } else {
        p += HDB_REF_SIZE;
        n = hdb__varint_get(p, end, &kl);
        p += n;
    }
    *k = p;
    *kn = (size_t)kl;
    return HDB_OK;
}

/* The separator between the last key of the left page and the first of the
 * right: for leaves the shortest prefix of the right key above the left. */
size_t hdb__bt_separator(hdb_bt *t, unsigned type, unsigned m, uint8_t *out)
{
    const uint8_t *l, *r;
    size_t ln, rn;
    cell_key_of(t, t->cells[m].p, type, &r, &rn);
    if (type == HDB_PT_LEAF) {
        cell_key_of(t, t->cells[m - 1].p, type, &l, &ln);
        size_t d = 0;
        while (d < ln && d < rn && l[d] == r[d])
            d++;
        if (d < rn)
            rn = d + 1;
    }
    memcpy(out, r, rn);
    return rn;
}

static int insert_at(hdb_bt *t, hdb_ref *root, hdb_btpath *path, int lvl, unsigned at,
                     const uint8_t *cell, size_t size);

/* Inserting at `at` of path level lvl appends past the last key of the
 * tree's rightmost page at that level. */
static int is_append(const hdb_btpath *path, int lvl, unsigned at)
{
    int append = at == hdb__page_count(path->e[lvl].pg->data);
    for (int i = 0; append && i < lvl; i++)
        append = path->e[i].idx + 1 == hdb__page_count(path->e[i].pg->data);
    return append;
}

/* Split path level lvl while inserting cell at `at`. */
static int split(hdb_bt *t, hdb_ref *root, hdb_btpath *path, int lvl, unsigned at,
                 const uint8_t *cell, size_t size)
{
    hdb_page *left = path->e[lvl].pg, *right;
    unsigned type = hdb__page_type(left->data);
    int append = is_append(path, lvl, at);
    int rc = hdb__pager_alloc(t->pager, type, &right);
    if (rc != HDB_OK)
        return rc;
    unsigned n = hdb__bt_gather(t, left->data, at, cell, size);
    unsigned m = split_point(t, n, append);
    uint8_t *sep = hdb__malloc(t->mem, t->psize + 16);
    if (!sep) {
        hdb__pager_put(t->pager, right);
        return HDB_NOMEM;
    }
    size_t seplen = hdb__bt_separator(t, type, m, sep);
    hdb_ref rref = {right->pgno, hdb__page_birth(right->data)};
    if (type == HDB_PT_BRANCH) {
        /* The right page's first cell stands for minus infinity. */
        hdb_ref child = hdb__ref_get(t->cells[m].p);
        uint8_t *c0 = sep + seplen;
        t->cells[m].p = c0;
        t->cells[m].size = hdb__branch_cell_build(c0, child, NULL, 0);
    }
    hdb__node_init(t, right->data, type);
    hdb__node_fill(t, right->data, t->cells, m, n);
    hdb__node_fill(t, left->data, t->cells, 0, m);
    hdb__pager_put(t->pager, right);
    uint8_t *pc = hdb__malloc(t->mem, seplen + 32);
    if (!pc) {
        hdb__free(t->mem, sep);
        return HDB_NOMEM;
    }
    size_t psz = hdb__branch_cell_build(pc, rref, sep, seplen);
    hdb__free(t->mem, sep);
    if (lvl == 0) {
        hdb_page *nr;
        rc = hdb__pager_alloc(t->pager, HDB_PT_BRANCH, &nr);
        if (rc == HDB_OK) {
            uint8_t c0[HDB_REF_SIZE + 1];
            hdb_ref lref = {left->pgno, hdb__page_birth(left->data)};
            hdb__node_init(t, nr->data, HDB_PT_BRANCH);
            hdb__node_insert(t, nr->data, 0, c0, hdb__branch_cell_build(c0, lref, NULL, 0));
            hdb__node_insert(t, nr->data, 1, pc, psz);
            root->pgno = nr->pgno;
            root->birth = hdb__page_birth(nr->data);
            hdb__pager_put(t->pager, nr);
        }
    } else {
        rc = insert_at(t, root, path, lvl - 1, path->e[lvl - 1].idx + 1, pc, psz);
    }
    hdb__free(t->mem, pc);
    return rc;
}

static int insert_at(hdb_bt *t, hdb_ref *root, hdb_btpath *path, int lvl, unsigned at,
                     const uint8_t *cell, size_t size)
{
    uint8_t *pg = path->e[lvl].pg->data;
    if (hdb__node_free(t, pg) >= size + 2) {
        hdb__node_insert(t, pg, at, cell, size);
        return HDB_OK;
    }
    if (lvl > 0 && hdb__page_type(pg) == HDB_PT_LEAF && !is_append(path, lvl, at)) {
        int done;
        int rc = hdb__bt_balance_leaf(t, path, lvl, at, cell, size, &done);
        if (rc != HDB_OK || done)
            return rc;
    }
    return split(t, root, path, lvl, at, cell, size);
}

/* ------------------------------------------------------------------------
** Put
*/
static int build_cell(hdb_bt *t, const void *key, size_t klen, const void *val, size_t vlen,
                      unsigned flags, uint8_t **cell, size_t *size)
{
    uint8_t desc[HDB_OVF_DESC];
    uint8_t cf = (flags & HDB_BT_REFS) ? HDB_CELL_REFS : 0;
    size_t inl = hdb__leaf_cell_size(klen, vlen);
    if (inl > t->inline_max && vlen > HDB_OVF_DESC) {
        if (cf)
            return HDB_RANGE; /* REFS values are small by construction */
        int rc = hdb__ovf_write(t, val, vlen, desc);
        if (rc != HDB_OK)
            return rc;
        cf = HDB_CELL_OVERFLOW;
        val = desc;
        vlen = HDB_OVF_DESC;
        inl = hdb__leaf_cell_size(klen, vlen);
    }
    *cell = hdb__malloc(t->mem, inl);
    if (!*cell)
        return HDB_NOMEM;
    *size = hdb__leaf_cell_build(*cell, cf, key, klen, val, vlen);
    return HDB_OK;
}

/* A new cell for an existing key, for track.c: the same bytes, other
 * bytes, or a value whose equality its bytes do not decide. */
static int edit_kind(const hdb_cell *old, const uint8_t *cell, size_t size)
{
    const uint8_t *ob = old->val + old->vlen - old->size;
    if (old->flags || cell[0])
        return HDB_TRACK_UNKNOWN;
    return old->size == size && !memcmp(ob, cell, size) ? HDB_TRACK_SAME : HDB_TRACK_CHANGE;
}

int hdb__bt_put(hdb_bt *t, hdb_ref *root, const void *key, size_t klen, const void *val,
                size_t vlen, unsigned flags)
{
    uint8_t *cell = NULL;
    size_t size;
    hdb_btpath path = {0};
    if (klen == 0 || klen > t->max_key || vlen > HDB_MAX_VALUE)
        return HDB_RANGE;
    if ((flags & HDB_BT_REFS) && hdb__refs_count(val, vlen) < 0)
        return HDB_MISUSE;
    int rc = build_cell(t, key, klen, val, vlen, flags, &cell, &size);
    if (rc != HDB_OK)
        return rc;
    if (!root->pgno) {
        hdb_page *pg;
        rc = hdb__pager_alloc(t->pager, HDB_PT_LEAF, &pg);
        if (rc == HDB_OK) {
            hdb__node_init(t, pg->data, HDB_PT_LEAF);
            hdb__node_insert(t, pg->data, 0, cell, size);
            root->pgno = pg->pgno;
            root->birth = hdb__page_birth(pg->data);
            hdb__pager_put(t->pager, pg);
        }
        goto out;
    }
    rc = hdb__bt_path_write(t, root, key, klen, &path);
    if (rc != HDB_OK)
        goto out;
    int lvl = path.depth - 1, eq;
    unsigned idx;
    uint8_t *leaf = path.e[lvl].pg->data;
    rc = hdb__node_search_leaf(t, leaf, key, klen, &idx, &eq);
    if (rc == HDB_OK && eq) {
        hdb_cell old;
        rc = hdb__node_cell(t, leaf, idx, &old);
        if (rc == HDB_OK)
            hdb__track_edit(t, leaf, key, klen, edit_kind(&old, cell, size));
        if (rc == HDB_OK)
            rc = hdb__bt_release_value(t, &old, flags);
        if (rc == HDB_OK)
            hdb__node_remove(t, leaf, idx);
    } else if (rc == HDB_OK) {
        hdb__track_edit(t, leaf, key, klen, HDB_TRACK_ADD);
    }
    if (rc == HDB_OK) {
        path.e[lvl].idx = idx;
        rc = insert_at(t, root, &path, lvl, idx, cell, size);
    }
out:
    hdb__bt_path_release(t, &path);
    hdb__free(t->mem, cell);
    return rc;
}
