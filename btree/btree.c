/*
** btree.c — lookups, shadowing, release and the pointer walk (btree.h).
**
** Insertion with splits lives in insert.c, deletion with merges in
** delete.c, overflow chains in overflow.c, cursors in cursor.c.
*/
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "btree/btree_int.h"

int hdb__bt_init(hdb_bt *t, hdb_pager *p, const hdb_allocator *mem)
{
    memset(t, 0, sizeof *t);
    t->pager = p;
    t->mem = mem;
    t->psize = hdb__pager_page_size(p);
    size_t usable = t->psize - HDB_NODE_SLOTS;
    t->max_cell = usable / 3 - 2;
    t->inline_max = usable / 4 - 2;
    /* A leaf cell holding the longest key and an overflow descriptor (or a
     * value of the same size) must fit in max_cell. */
    t->max_key = t->max_cell - (1 + 3 + 1 + HDB_OVF_DESC);
    t->scratch = hdb__malloc(mem, 2 * (size_t)t->psize);
    t->scratch2 = t->scratch ? t->scratch + t->psize : NULL;
    t->cells = hdb__malloc(mem, (t->psize / 4 + 4) * sizeof *t->cells);
    if (!t->scratch || !t->cells) {
        hdb__bt_fini(t);
        return HDB_NOMEM;
    }
    return HDB_OK;
}

void hdb__bt_fini(hdb_bt *t)
{
    hdb__track_fini(t);
    hdb__free(t->mem, t->scratch);
    hdb__free(t->mem, t->cells);
    t->scratch = t->scratch2 = NULL;
    t->cells = NULL;
}

void hdb__btval_release(hdb_bt *t, hdb_btval *v)
{
    if (v->pin)
        hdb__pager_put(t->pager, v->pin);
    hdb__free(t->mem, v->owned);
    v->pin = NULL;
    v->owned = NULL;
    v->data = NULL;
    v->size = 0;
}

/* ------------------------------------------------------------------------
** REFS values
*/
int hdb__refs_count(const uint8_t *v, size_t n)
{
    if (n < 1 || (size_t)v[0] * HDB_REF_SIZE > n - 1)
        return -1;
    return v[0];
}

hdb_ref hdb__refs_get(const uint8_t *v, int i) { return hdb__ref_get(v + 1 + HDB_REF_SIZE * i); }

hdb_ref hdb__ovf_first(const uint8_t *desc) { return hdb__ref_get(desc); }

/* ------------------------------------------------------------------------
** Every counted pointer of a page
*/
static int leaf_pointers(hdb_bt *t, const uint8_t *pg, int (*fn)(void *, hdb_ref), void *ctx)
{
    unsigned n = hdb__page_count(pg);
    for (unsigned i = 0; i < n; i++) {
        hdb_cell c;
        if (hdb__leaf_cell_plain(t, pg, i))
            continue;
        int rc = hdb__node_cell(t, pg, i, &c);
        if (rc == HDB_OK && (c.flags & HDB_CELL_OVERFLOW))
            rc = fn(ctx, hdb__ovf_first(c.val));
        else if (rc == HDB_OK && (c.flags & HDB_CELL_REFS)) {
            int k = hdb__refs_count(c.val, c.vlen);
            if (k < 0)
                return hdb__pager_corrupt(t->pager, "page %u: bad refs in cell %u",
                                          hdb__page_pgno(pg), i);
            for (int j = 0; j < k && rc == HDB_OK; j++) {
                hdb_ref r = hdb__refs_get(c.val, j);
                if (r.pgno)
                    rc = fn(ctx, r);
            }
        }
        if (rc != HDB_OK)
            return rc;
    }
    return HDB_OK;
}

int hdb__page_pointers(hdb_bt *t, const uint8_t *pg, int (*fn)(void *ctx, hdb_ref r), void *ctx)
{
    unsigned type = hdb__page_type(pg);
    if (type == HDB_PT_OVERFLOW) {
        hdb_ref next = hdb__ref_get(pg + 24);
        return next.pgno ? fn(ctx, next) : HDB_OK;
    }
    int rc = hdb__node_check(t, pg);
    if (rc != HDB_OK)
        return rc;
    if (type == HDB_PT_LEAF)
        return leaf_pointers(t, pg, fn, ctx);
    unsigned n = hdb__page_count(pg);
    for (unsigned i = 0; i < n; i++) {
        hdb_cell c;
        hdb_ref r;
        if (hdb__branch_child(t, pg, i, &r))
            c.child = r;
        else if ((rc = hdb__node_cell(t, pg, i, &c)) != HDB_OK)
            return rc;
        if ((rc = fn(ctx, c.child)) != HDB_OK)
            return rc;
    }
    return HDB_OK;
}

/* Page numbers whose counts go up together (hdb__pager_incr_many). */
typedef struct incr_batch {
    hdb_bt *t;
    size_t n;
    hdb_pgno v[256];
} incr_batch;

/* Sort v[0..n) (n <= 256) ascending: one counting pass per byte in which the
 * numbers differ (two for a file of fewer than 65,536 pages), a few
 * thousand instructions where qsort() took tens of thousands. */
static void sort_pgnos(hdb_pgno *v, size_t n)
{
    hdb_pgno tmp[256], all_or = 0, all_and = ~(hdb_pgno)0;
    hdb_pgno *from = v, *to = tmp;
    assert(n <= sizeof tmp / sizeof tmp[0]);
    for (size_t i = 0; i < n; i++) {
        all_or |= v[i];
        all_and &= v[i];
    }
    for (unsigned shift = 0; shift < 32; shift += 8) {
        if ((((all_or ^ all_and) >> shift) & 0xff) == 0)
            continue; /* every number has the same byte here */
        size_t at[256] = {0};
        for (size_t i = 0; i < n; i++)
            at[(from[i] >> shift) & 0xff]++;
        for (size_t b = 0, sum = 0; b < 256; b++) {
            size_t c = at[b];
            at[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            to[at[(from[i] >> shift) & 0xff]++] = from[i];
        hdb_pgno *x = from;
        from = to;
        to = x;
    }
    if (from != v)
        memcpy(v, from, n * sizeof *v);
}

/* In page order, the counts of one map page are changed together. */
static int incr_flush(incr_batch *b)
{
    sort_pgnos(b->v, b->n);
    int rc = hdb__pager_incr_many(b->t->pager, b->v, b->n);
    b->n = 0;
    return rc;
}

static int incr_fn(void *ctx, hdb_ref r)
{
    incr_batch *b = ctx;
    b->v[b->n++] = r.pgno;
    return b->n < sizeof b->v / sizeof b->v[0] ? HDB_OK : incr_flush(b);
}

/* The copy of a shared page points to everything the original does. */
int hdb__bt_incr_pointers(hdb_bt *t, const uint8_t *pg)
{
    incr_batch b;
    b.t = t;
    b.n = 0;
    int rc = hdb__page_pointers(t, pg, incr_fn, &b);
    if (rc == HDB_OK && b.n)
        rc = incr_flush(&b);
    return rc;
}

/* ------------------------------------------------------------------------
** Shadowing (btree.h, invariant 1)
*/
int hdb__bt_shadow(hdb_bt *t, hdb_ref ref, hdb_page **out, hdb_ref *now)
{
    hdb_page *pg, *np;
    uint32_t count, left;
    int rc = hdb__pager_get(t->pager, ref, &pg);
    if (rc != HDB_OK)
        return rc;
    /* A page born in this transaction may still be shared: a branch created
     * in the transaction points to it too.  Only a count of 1 makes it ours. */
    if (hdb__pager_writable(t->pager, pg) &&
        (rc = hdb__pager_rc(t->pager, ref.pgno, &count)) == HDB_OK && count == 1) {
        hdb__pager_dirty(t->pager, pg);
        *out = pg;
        *now = ref;
        return HDB_OK;
    }
    unsigned type = hdb__page_type(pg->data);
    if (rc == HDB_OK && type != HDB_PT_LEAF && type != HDB_PT_BRANCH)
        rc = hdb__pager_corrupt(t->pager, "page %u is not a tree node", ref.pgno);
    if (rc == HDB_OK)
        rc = hdb__node_check(t, pg->data);
    if (rc == HDB_OK)
        rc = hdb__pager_rc(t->pager, ref.pgno, &count);
    if (rc == HDB_OK)
        rc = hdb__pager_alloc(t->pager, type, &np);
    if (rc != HDB_OK) {
        hdb__pager_put(t->pager, pg);
        return rc;
    }
    memcpy(np->data + HDB_PH_SIZE, pg->data + HDB_PH_SIZE, t->psize - HDB_PH_SIZE);
    memcpy(np->data + HDB_PH_FLAGS, pg->data + HDB_PH_FLAGS, 3); /* flags, count */
    if (count > 1)
        rc = hdb__bt_incr_pointers(t, np->data);
    if (rc == HDB_OK)
        rc = hdb__pager_decr(t->pager, ref, &left);
    hdb_ref from = {ref.pgno, hdb__page_birth(pg->data)};
    hdb__pager_put(t->pager, pg);
    if (rc != HDB_OK) {
        hdb__pager_put(t->pager, np);
        return rc;
    }
    now->pgno = np->pgno;
    now->birth = hdb__page_birth(np->data);
    if (type == HDB_PT_LEAF)
        hdb__track_copy(t, from, *now, count == 1);
    *out = np;
    return HDB_OK;
}

/* Make the child of private branch cell i private; returns it pinned. */
int hdb__bt_shadow_child(hdb_bt *t, hdb_page *parent, unsigned i, hdb_page **out)
{
    hdb_cell c;
    hdb_ref now;
    int rc = hdb__node_cell(t, parent->data, i, &c);
    if (rc == HDB_OK)
        rc = hdb__bt_shadow(t, c.child, out, &now);
    if (rc == HDB_OK && now.pgno != c.child.pgno)
        hdb__node_set_child(parent->data, i, now);
    return rc;
}

/* ------------------------------------------------------------------------
** Release (btree.h, invariant 2)
*/
typedef struct relstack {
    hdb_bt *t;
    hdb_ref *v;
    size_t n, cap;
} relstack;

static int rel_push(void *ctx, hdb_ref r)
{
    relstack *s = ctx;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        hdb_ref *v = hdb__realloc(s->t->mem, s->v, cap * sizeof *v);
        if (!v)
            return HDB_NOMEM;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = r;
    return HDB_OK;
}

int hdb__bt_release(hdb_bt *t, hdb_ref ref)
{
    relstack s = {t, NULL, 0, 0};
    int rc = ref.pgno ? rel_push(&s, ref) : HDB_OK;
    while (rc == HDB_OK && s.n) {
        hdb_ref r = s.v[--s.n];
        hdb_page *pg;
        uint32_t count, left;
        rc = hdb__pager_rc(t->pager, r.pgno, &count);
        if (rc == HDB_OK && count > 1) {
            rc = hdb__pager_decr(t->pager, r, &left);
            continue;
        }
        /* The last reference: read the page before it is freed, since a
         * free page may not be read. */
        if (rc == HDB_OK)
            rc = hdb__pager_get(t->pager, r, &pg);
        if (rc != HDB_OK)
            break;
        rc = hdb__pager_decr(t->pager, r, &left);
        if (rc == HDB_OK && left == 0)
            rc = hdb__page_pointers(t, pg->data, rel_push, &s);
        hdb__pager_put(t->pager, pg);
    }
    hdb__free(t->mem, s.v);
    return rc;
}

/* ------------------------------------------------------------------------
** Lookup
*/
int hdb__bt_descend(hdb_bt *t, hdb_ref root, const void *key, size_t klen, hdb_page **leaf)
{
    hdb_ref r = root;
    hdb_page *up = NULL; /* the parent, let go of as the child is taken */
    for (int depth = 0;; depth++) {
        hdb_page *pg;
        unsigned idx;
        if (depth >= HDB_BT_MAXDEPTH) {
            hdb__pager_put(t->pager, up);
            return hdb__pager_corrupt(t->pager, "tree deeper than %d levels", HDB_BT_MAXDEPTH);
        }
        int rc = up ? hdb__pager_put_get(t->pager, &up, 1, r, &pg) : hdb__pager_get(t->pager, r, &pg);
        up = NULL;
        if (rc != HDB_OK)
            return rc;
        if ((rc = hdb__node_check(t, pg->data)) != HDB_OK) {
            hdb__pager_put(t->pager, pg);
            return rc;
        }
        if (hdb__page_type(pg->data) == HDB_PT_LEAF) {
            *leaf = pg;
            return HDB_OK;
        }
        int eq;
        rc = hdb__node_find(t, pg->data, key, klen, &idx, &eq);
        if (rc == HDB_OK && !hdb__branch_child(t, pg->data, idx, &r)) {
            hdb_cell c; /* out of place: the full parse says why */
            if ((rc = hdb__node_cell(t, pg->data, idx, &c)) == HDB_OK)
                r = c.child;
        }
        if (rc != HDB_OK) {
            hdb__pager_put(t->pager, pg);
            return rc;
        }
        up = pg;
    }
}

int hdb__bt_cell_value(hdb_bt *t, hdb_page *leaf, const hdb_cell *c, hdb_btval *v)
{
    v->flags = c->flags & HDB_CELL_REFS;
    v->pin = NULL;
    v->owned = NULL;
    if (c->flags & HDB_CELL_OVERFLOW) {
        void *buf;
        size_t n;
        int rc = hdb__ovf_read(t, c->val, &buf, &n);
        hdb__pager_put(t->pager, leaf);
        if (rc != HDB_OK)
            return rc;
        v->owned = buf;
        v->data = buf;
        v->size = n;
        return HDB_OK;
    }
    v->pin = leaf;
    v->data = c->val;
    v->size = c->vlen;
    return HDB_OK;
}

int hdb__bt_get(hdb_bt *t, hdb_ref root, const void *key, size_t klen, hdb_btval *v)
{
    hdb_page *leaf = NULL;
    unsigned idx;
    int eq, rc;
    hdb_cell c;
    if (!root.pgno)
        return HDB_NOTFOUND;
    rc = hdb__bt_descend(t, root, key, klen, &leaf);
    if (rc != HDB_OK)
        return rc;
    rc = hdb__node_find(t, leaf->data, key, klen, &idx, &eq);
    if (rc == HDB_OK && !eq)
        rc = HDB_NOTFOUND;
    if (rc == HDB_OK)
        rc = hdb__node_leaf_cell(t, leaf->data, idx, &c);
    if (rc != HDB_OK) {
        hdb__pager_put(t->pager, leaf);
        return rc;
    }
    return hdb__bt_cell_value(t, leaf, &c, v);
}
