/*
** diff.c — structural diff of two trees: the keys added, removed or changed
** from tree A to tree B, in key order, without visiting shared subtrees.
**
** HOW IT WORKS
**   Each side is a stack of pinned pages.  The "head" of a side is the cell
**   at the top of its stack: an entry (leaf cell) or a pointer (branch cell,
**   with the lower bound of the keys below it).  At every step:
**     - two pointers to the same page: both subtrees are equal, skip both;
**     - a pointer whose lower bound is <= the other side's head key is
**       expanded (its page is pushed), since entries below it may come first;
**     - two entries: the smaller key is removed (A) or added (B); equal keys
**       are compared by value and reported when they differ.
**   Copy-on-write keeps unchanged subtrees at the same page in both trees,
**   and the two walks reach them at the same time, so the cost is about
**   (changed keys) x (depth) pages.  Expanding more than needed only costs
**   time, never correctness.
**
**   hdb__btdiff_count() runs the same walk without materializing entries:
**   no key is copied and no value is read, except the two overflow values
**   of a key whose descriptors differ (they must be compared).  Where both
**   heads are in leaves it merges the two leaves in a tight loop
**   (count_leaves), and cells of equal bytes are passed over without
**   comparing keys: the pair of leaves of a changed key, its usual case,
**   costs one memcmp per unchanged key.
*/
#include <string.h>
#include "btree/btree_int.h"

typedef struct dside {
    int depth;
    struct {
        hdb_page *pg;
        unsigned idx;
        uint8_t *lb; /* lower bound of the page's keys (NULL: minus infinity) */
        size_t lbn;
        unsigned parsed; /* cell `parsed - 1` is in `cell` (0: none) */
        hdb_cell cell;
    } s[HDB_BT_MAXDEPTH];
} dside;

struct hdb_btdiff {
    hdb_bt *t;
    dside a, b;
    hdb_btval va, vb;
    uint8_t *key;
    size_t kn, kcap;
};

static void side_pop(hdb_btdiff *d, dside *s)
{
    s->depth--;
    hdb__pager_put(d->t->pager, s->s[s->depth].pg);
    hdb__free(d->t->mem, s->s[s->depth].lb);
}

static int side_push(hdb_btdiff *d, dside *s, hdb_ref r, const uint8_t *lb, size_t lbn)
{
    hdb_page *pg = NULL;
    if (s->depth >= HDB_BT_MAXDEPTH)
        return hdb__pager_corrupt(d->t->pager, "tree deeper than %d levels", HDB_BT_MAXDEPTH);
    int rc = hdb__pager_get_cold(d->t->pager, r, &pg); /* each page is read once */
    if (rc != HDB_OK)
        pg = NULL;
    if (rc == HDB_OK && (rc = hdb__node_check(d->t, pg->data)) == HDB_OK &&
        hdb__page_count(pg->data) == 0 && s->depth > 0)
        rc = hdb__pager_corrupt(d->t->pager, "page %u: empty node inside a tree", r.pgno);
    if (rc != HDB_OK) {
        hdb__pager_put(d->t->pager, pg);
        return rc;
    }
    uint8_t *copy = NULL;
    if (lb && !(copy = hdb__memdup(d->t->mem, lb, lbn ? lbn : 1))) {
        hdb__pager_put(d->t->pager, pg);
        return HDB_NOMEM;
    }
    /* The walk reads every cell of a leaf, in key order, not in the order
     * they lie in the page: ask for all of it at once. */
    if (hdb__page_type(pg->data) == HDB_PT_LEAF)
        for (unsigned off = 0; off < d->t->psize; off += 64)
            HDB_PREFETCH(pg->data + off);
    s->s[s->depth].pg = pg;
    s->s[s->depth].idx = 0;
    s->s[s->depth].parsed = 0;
    s->s[s->depth].lb = copy;
    s->s[s->depth].lbn = lbn;
    s->depth++;
    return HDB_OK;
}

/* Drop finished pages so the top holds a cell (or the side is empty). */
static void side_settle(hdb_btdiff *d, dside *s)
{
    while (s->depth && s->s[s->depth - 1].idx >= hdb__page_count(s->s[s->depth - 1].pg->data)) {
        side_pop(d, s);
        if (s->depth)
            s->s[s->depth - 1].idx++;
    }
}

typedef struct dhead {
    int leaf;
    hdb_cell c;
    const uint8_t *k; /* key, or lower bound for a pointer (NULL = -inf) */
    size_t kn;
} dhead;

static int head(hdb_btdiff *d, dside *s, dhead *h)
{
    uint8_t *pg = s->s[s->depth - 1].pg->data;
    unsigned idx = s->s[s->depth - 1].idx;
    /* The page is pinned and not written while the diff reads it: a cell
     * parsed once stays valid until the walk moves past it. */
    if (s->s[s->depth - 1].parsed != idx + 1) {
        int rc = hdb__node_cell(d->t, pg, idx, &s->s[s->depth - 1].cell);
        if (rc != HDB_OK)
            return rc;
        s->s[s->depth - 1].parsed = idx + 1;
    }
    h->c = s->s[s->depth - 1].cell;
    h->leaf = hdb__page_type(pg) == HDB_PT_LEAF;
    if (h->leaf || idx > 0) {
        h->k = h->c.key;
        h->kn = h->c.klen;
    } else {
        h->k = s->s[s->depth - 1].lb;
        h->kn = s->s[s->depth - 1].lbn;
    }
    return HDB_OK;
}

/* Is key a (NULL = -inf) <= key b? */
static int le(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    if (!a)
        return 1;
    if (!b)
        return 0;
    return hdb__keycmp(a, an, b, bn) <= 0;
}

static int expand(hdb_btdiff *d, dside *s, const dhead *h)
{
    return side_push(d, s, h->c.child, h->k, h->kn);
}

int hdb__btdiff_open(hdb_bt *t, hdb_ref a, hdb_ref b, hdb_btdiff **out)
{
    /* Not zero-filled: the stacks are large and side_push() fills each level. */
    hdb_btdiff *d = hdb__malloc(t->mem, sizeof *d);
    *out = NULL;
    if (!d)
        return HDB_NOMEM;
    d->t = t;
    d->a.depth = d->b.depth = 0;
    memset(&d->va, 0, sizeof d->va);
    memset(&d->vb, 0, sizeof d->vb);
    d->key = NULL;
    d->kn = d->kcap = 0;
    int rc = HDB_OK;
    if (a.pgno == b.pgno) /* the same tree: nothing differs */
        a.pgno = b.pgno = 0;
    if (a.pgno)
        rc = side_push(d, &d->a, a, NULL, 0);
    if (rc == HDB_OK && b.pgno)
        rc = side_push(d, &d->b, b, NULL, 0);
    if (rc != HDB_OK) {
        hdb__btdiff_close(d);
        return rc;
    }
    *out = d;
    return HDB_OK;
}

void hdb__btdiff_close(hdb_btdiff *d)
{
    if (!d)
        return;
    hdb__btval_release(d->t, &d->va);
    hdb__btval_release(d->t, &d->vb);
    while (d->a.depth)
        side_pop(d, &d->a);
    while (d->b.depth)
        side_pop(d, &d->b);
    hdb__free(d->t->mem, d->key);
    hdb__free(d->t->mem, d);
}

/* Emit an entry: the key and the values of the sides that have it. */
static int emit(hdb_btdiff *d, dside *sa, const dhead *ha, dside *sb, const dhead *hb,
                hdb_btdiff_entry *e)
{
    const dhead *h = ha ? ha : hb;
    if (h->kn > d->kcap) {
        uint8_t *k = hdb__realloc(d->t->mem, d->key, h->kn);
        if (!k)
            return HDB_NOMEM;
        d->key = k;
        d->kcap = h->kn;
    }
    memcpy(d->key, h->k, h->kn);
    d->kn = h->kn;
    e->key = d->key;
    e->klen = d->kn;
    e->a = ha ? &d->va : NULL;
    e->b = hb ? &d->vb : NULL;
    int rc = HDB_OK;
    if (ha) {
        hdb__pager_pin(d->t->pager, sa->s[sa->depth - 1].pg);
        rc = hdb__bt_cell_value(d->t, sa->s[sa->depth - 1].pg, &ha->c, &d->va);
        sa->s[sa->depth - 1].idx++;
    }
    if (hb && rc == HDB_OK) {
        hdb__pager_pin(d->t->pager, sb->s[sb->depth - 1].pg);
        rc = hdb__bt_cell_value(d->t, sb->s[sb->depth - 1].pg, &hb->c, &d->vb);
        sb->s[sb->depth - 1].idx++;
    }
    return rc;
}

static int same_value(hdb_btdiff *d, const dhead *ha, const dhead *hb, dside *sa, dside *sb,
                      int *same)
{
    *same = 0;
    if (ha->c.flags == hb->c.flags && ha->c.vlen == hb->c.vlen &&
        !memcmp(ha->c.val, hb->c.val, ha->c.vlen)) {
        *same = 1; /* also for overflow: the same descriptor is the same chain */
        return HDB_OK;
    }
    if (!(ha->c.flags & HDB_CELL_OVERFLOW) && !(hb->c.flags & HDB_CELL_OVERFLOW))
        return HDB_OK;
    hdb_btval x, y;
    hdb__pager_pin(d->t->pager, sa->s[sa->depth - 1].pg);
    int rc = hdb__bt_cell_value(d->t, sa->s[sa->depth - 1].pg, &ha->c, &x);
    if (rc != HDB_OK)
        return rc;
    hdb__pager_pin(d->t->pager, sb->s[sb->depth - 1].pg);
    if ((rc = hdb__bt_cell_value(d->t, sb->s[sb->depth - 1].pg, &hb->c, &y)) == HDB_OK) {
        *same = x.size == y.size && (x.size == 0 || !memcmp(x.data, y.data, x.size));
        hdb__btval_release(d->t, &y);
    }
    hdb__btval_release(d->t, &x);
    return rc;
}

/* The walk.  With e == NULL the entry is not materialized (no key copy, no
 * value read): *kind says what it is, and the walk moves past it. */
static int step(hdb_btdiff *d, hdb_btdiff_entry *e, int *kind)
{
    dhead ha, hb;
    int rc = HDB_OK;
    for (;;) {
        side_settle(d, &d->a);
        side_settle(d, &d->b);
        int ea = d->a.depth == 0, eb = d->b.depth == 0;
        if (ea && eb)
            return HDB_DONE;
        if (!ea && (rc = head(d, &d->a, &ha)) != HDB_OK)
            return rc;
        if (!eb && (rc = head(d, &d->b, &hb)) != HDB_OK)
            return rc;
        if (!ea && !eb && !ha.leaf && !hb.leaf && ha.c.child.pgno == hb.c.child.pgno) {
            d->a.s[d->a.depth - 1].idx++; /* a shared subtree */
            d->b.s[d->b.depth - 1].idx++;
            continue;
        }
        if (!ea && !ha.leaf && (eb || le(ha.k, ha.kn, hb.k, hb.kn))) {
            if ((rc = expand(d, &d->a, &ha)) != HDB_OK)
                return rc;
            continue;
        }
        if (!eb && !hb.leaf) {
            if ((rc = expand(d, &d->b, &hb)) != HDB_OK)
                return rc;
            continue;
        }
        /* Entries (or one side exhausted). */
        int c = ea ? 1 : eb ? -1 : hdb__keycmp(ha.k, ha.kn, hb.k, hb.kn);
        int same = 0;
        if (c == 0 && (rc = same_value(d, &ha, &hb, &d->a, &d->b, &same)) != HDB_OK)
            return rc;
        if (!same && !e) {
            *kind = c < 0 ? HDB_DIFF_DELETED : c > 0 ? HDB_DIFF_ADDED : HDB_DIFF_CHANGED;
            if (c <= 0)
                d->a.s[d->a.depth - 1].idx++;
            if (c >= 0)
                d->b.s[d->b.depth - 1].idx++;
            return HDB_OK;
        }
        if (c < 0)
            return emit(d, &d->a, &ha, NULL, NULL, e);
        if (c > 0)
            return emit(d, NULL, NULL, &d->b, &hb, e);
        if (!same)
            return emit(d, &d->a, &ha, &d->b, &hb, e);
        d->a.s[d->a.depth - 1].idx++;
        d->b.s[d->b.depth - 1].idx++;
    }
}

int hdb__btdiff_next(hdb_btdiff *d, hdb_btdiff_entry *e)
{
    int kind;
    hdb__btval_release(d->t, &d->va);
    hdb__btval_release(d->t, &d->vb);
    return step(d, e, &kind);
}

/* Both heads are entries of leaves: count what differs from there on, as
 * step() would one entry at a time, until one of the leaves ends.  Cells
 * of the same bytes (the same key, flags and value, or the same overflow
 * descriptor: step() calls those the same) are passed over without
 * comparing keys. */
static int count_leaves(hdb_btdiff *d, uint64_t n[3])
{
    dside *sa = &d->a, *sb = &d->b;
    const uint8_t *pa = sa->s[sa->depth - 1].pg->data, *pb = sb->s[sb->depth - 1].pg->data;
    unsigned ia = sa->s[sa->depth - 1].idx, na = hdb__page_count(pa);
    unsigned ib = sb->s[sb->depth - 1].idx, nb = hdb__page_count(pb);
    int rc = HDB_OK;
    while (ia < na && ib < nb) {
        dhead ha, hb;
        ha.leaf = hb.leaf = 1;
        if ((rc = hdb__node_leaf_cell(d->t, pa, ia, &ha.c)) != HDB_OK ||
            (rc = hdb__node_leaf_cell(d->t, pb, ib, &hb.c)) != HDB_OK)
            break;
        if (ha.c.size == hb.c.size && !memcmp(ha.c.val + ha.c.vlen - ha.c.size,
                                               hb.c.val + hb.c.vlen - hb.c.size, ha.c.size)) {
            ia++, ib++;
            continue;
        }
        int c = hdb__keycmp(ha.c.key, ha.c.klen, hb.c.key, hb.c.klen), same = 0;
        if (c == 0) {
            ha.k = ha.c.key, ha.kn = ha.c.klen;
            hb.k = hb.c.key, hb.kn = hb.c.klen;
            if ((rc = same_value(d, &ha, &hb, sa, sb, &same)) != HDB_OK)
                break;
        }
        if (!same)
            n[c < 0 ? HDB_DIFF_DELETED : c > 0 ? HDB_DIFF_ADDED : HDB_DIFF_CHANGED]++;
        ia += c <= 0;
        ib += c >= 0;
    }
    sa->s[sa->depth - 1].idx = ia;
    sa->s[sa->depth - 1].parsed = 0;
    sb->s[sb->depth - 1].idx = ib;
    sb->s[sb->depth - 1].parsed = 0;
    return rc;
}

static int top_is_leaf(const dside *s)
{
    return s->depth && hdb__page_type(s->s[s->depth - 1].pg->data) == HDB_PT_LEAF;
}

int hdb__btdiff_count(hdb_bt *t, hdb_ref a, hdb_ref b, uint64_t n[3])
{
    hdb_btdiff *d;
    int kind, rc = hdb__btdiff_open(t, a, b, &d);
    n[HDB_DIFF_ADDED] = n[HDB_DIFF_CHANGED] = n[HDB_DIFF_DELETED] = 0;
    while (rc == HDB_OK) {
        side_settle(d, &d->a);
        side_settle(d, &d->b);
        if (top_is_leaf(&d->a) && top_is_leaf(&d->b) && (rc = count_leaves(d, n)) != HDB_OK)
            break;
        if ((rc = step(d, NULL, &kind)) == HDB_OK)
            n[kind]++;
    }
    hdb__btdiff_close(d);
    return rc == HDB_DONE ? HDB_OK : rc;
}
