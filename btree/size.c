/*
** size.c — page accounting of a tree state: its size, its exclusive region,
** and how a write transaction changed both (btree.h, SIZE ACCOUNTING).
**
** DEFINITIONS
**   A state is everything reachable from one root: the tree, its overflow
**   chains, and the trees its REFS values name (an object tree and its
**   keyspaces).  For a state with root R:
**     tot(R)  the pages reachable from R;
**     lat(R)  the pages reachable from R through pages that, below R, all
**             have reference count 1 (R itself always counts).  These are
**             the pages nothing else points to, except through R.
**
** HOW A TRANSACTION'S CHANGE IS MEASURED (hdb__bt_size_delta)
**   Copy-on-write makes every page a write transaction creates carry its
**   LSN as birth, and every committed page it replaces or releases stays
**   readable until the commit (pager.h, invariant 3).  So the change from
**   the committed root O to the new root N is found by two walks that only
**   visit what changed:
**     1. From N, through pages born in the transaction ("born" pages).
**        Every pointer they hold to an older page is noted in a set K.
**     2. From O, through the pages that left the state: a page that is N or
**        in K stayed (the walk stops there); any other page left, and the
**        walk goes on below it.
**   An older page in K that walk 2 never met was adopted from another state
**   (a keyspace copy, a merge): it is walked whole.
**   tot changes by born + adopted - left.  A left page whose count is now 0
**   was freed: it was in the region (the transaction removed the only
**   pointer), so lat loses it.  If O itself was shared (it is still alive),
**   copying it gave each of its children a second pointer: the region is
**   then exactly the born pages plus the adopted pages of count 1.
**
** WHAT IT CANNOT SEE
**   A page that left this state but is still alive with count 1 has one
**   other holder now, whose region may have grown; an adopted page of count
**   2 or more had another holder whose region may have shrunk; copying a
**   shared root changes the region of every other state with that root.
**   These are counted in `cross`; the engine then treats the other states'
**   numbers as unknown until recounted (src/check.c).  The first case, the
**   common one (two branches that both copied the parent of a page they
**   share), is resolved instead when the caller passes a `credit` function:
**   walk 2 knows where the page sits (its tree and a key of its range), so
**   the caller can look at that place in each other state
**   (hdb__bt_size_holds) and move the page, with what it alone reaches, into
**   the region that holds it.
*/
#include <string.h>
#include "btree/btree_int.h"
#include "pager/buf.h"
#include "pager/u32set.h"

typedef struct szent {
    hdb_ref r;
    uint8_t in_region; /* the page's parent was in the region (old walk) */
    uint8_t root;
} szent;

typedef struct szstack {
    hdb_bt *t;
    szent *v;
    size_t n, cap;
    uint8_t cur_in_region; /* for push callbacks */
} szstack;

static int st_push(szstack *s, hdb_ref r, int in_region, int root)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        szent *v = hdb__realloc(s->t->mem, s->v, cap * sizeof *v);
        if (!v)
            return HDB_NOMEM;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].r = r;
    s->v[s->n].in_region = (uint8_t)in_region;
    s->v[s->n].root = (uint8_t)root;
    s->n++;
    return HDB_OK;
}

static int push_child(void *ctx, hdb_ref r) { return st_push(ctx, r, ((szstack *)ctx)->cur_in_region, 0); }

/* Read a page and push its pointers with the given region flag. */
static int expand(szstack *s, hdb_ref r, int in_region)
{
    hdb_page *pg;
    int rc = hdb__pager_get(s->t->pager, r, &pg);
    if (rc != HDB_OK)
        return rc;
    s->cur_in_region = (uint8_t)in_region;
    rc = hdb__page_pointers(s->t, pg->data, push_child, s);
    hdb__pager_put(s->t->pager, pg);
    return rc;
}

int hdb__bt_size_walk(hdb_bt *t, hdb_ref root, uint64_t *tot, uint64_t *lat)
{
    szstack s = {t, NULL, 0, 0, 0};
    uint64_t nt = 0, nl = 0;
    int rc = root.pgno ? st_push(&s, root, 1, 1) : HDB_OK;
    while (rc == HDB_OK && s.n) {
        szent e = s.v[--s.n];
        uint32_t c = 1;
        if (!e.root && e.in_region && (rc = hdb__pager_rc(t->pager, e.r.pgno, &c)) != HDB_OK)
            break;
        int in = e.in_region && (e.root || c == 1);
        nt++;
        nl += in;
        if (nt > ((uint64_t)1 << 33)) {
            rc = hdb__pager_corrupt(t->pager, "a cycle of pages below page %u", root.pgno);
            break;
        }
        rc = expand(&s, e.r, in);
    }
    hdb__free(t->mem, s.v);
    *tot = nt;
    *lat = nl;
    return rc;
}

/* Walk 1: the pages born in the transaction, from the new root.  An older
 * page they point to goes into k at once, and into `older` with repeats
 * (walk 3 looks there for adopted pages); only born pages are walked. */
typedef struct bwalk {
    szstack s;
    uint64_t lsn;
    hdb_u32set *k;
    hdb_ref *older;
    size_t nolder, cap;
} bwalk;

static int born_child(void *ctx, hdb_ref r)
{
    bwalk *b = ctx;
    if (r.birth == b->lsn)
        return st_push(&b->s, r, 1, 0);
    if (b->nolder == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        hdb_ref *v = hdb__realloc(b->s.t->mem, b->older, cap * sizeof *v);
        if (!v)
            return HDB_NOMEM;
        b->older = v;
        b->cap = cap;
    }
    b->older[b->nolder++] = r;
    return hdb__u32set_add(b->k, r.pgno);
}

static int walk_born(bwalk *b, hdb_ref root, hdb_szdelta *d)
{
    hdb_bt *t = b->s.t;
    int rc = hdb__u32set_reserve(b->k, 512);
    if (rc == HDB_OK)
        rc = born_child(b, root);
    while (rc == HDB_OK && b->s.n) {
        szent e = b->s.v[--b->s.n];
        hdb_page *pg;
        d->born++;
        if ((rc = hdb__pager_get(t->pager, e.r, &pg)) != HDB_OK)
            break;
        rc = hdb__page_pointers(t, pg->data, born_child, b);
        hdb__pager_put(t->pager, pg);
    }
    return rc;
}

/* Walk 2: the pages that left, from the old root.  `met` flags the pages
 * of K met on the way (they stayed), by their slot in k.  Each entry
 * carries where the page sits (hdb_szpos), its key bytes kept in an arena
 * by offset. */
typedef struct lent {
    hdb_ref r;
    uint8_t in_region, root, kind, in_tree, has_lo;
    uint32_t tree_off, tree_len, lo_off, lo_len;
} lent;

typedef struct lwalk {
    hdb_bt *t;
    lent *v;
    size_t n, cap;
    hdb_buf arena;
    const hdb_u32set *k; /* the pointers of the born pages: they stayed */
    uint8_t *met;        /* met[i]: the page in k's slot i was met */
    hdb_pgno now;        /* the new root (it stayed too) */
} lwalk;

/* A child that stayed is noted here rather than pushed: most children of
 * a left branch page stayed (copy-on-write copied one path), and pushing
 * them would copy each separator key for nothing. */
static int lw_stayed(lwalk *w, hdb_pgno pg)
{
    size_t i = hdb__u32set_find(w->k, pg);
    if (i != SIZE_MAX)
        w->met[i] = 1;
    return pg == w->now || i != SIZE_MAX;
}

static int lw_push(lwalk *w, const lent *e)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        lent *v = hdb__realloc(w->t->mem, w->v, cap * sizeof *v);
        if (!v)
            return HDB_NOMEM;
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n++] = *e;
    return HDB_OK;
}

static uint32_t lw_key(lwalk *w, const uint8_t *k, size_t kn)
{
    uint32_t off = (uint32_t)w->arena.len;
    hdb__buf_append(&w->arena, k, kn);
    return off;
}

/* Push the pointers of a left page with their positions. */
static int lw_expand(lwalk *w, const lent *e, int in)
{
    hdb_page *pg;
    int rc = hdb__pager_get(w->t->pager, e->r, &pg);
    if (rc != HDB_OK)
        return rc;
    const uint8_t *d = pg->data;
    unsigned type = hdb__page_type(d), n = hdb__page_count(d);
    lent c = *e;
    c.in_region = (uint8_t)in;
    c.root = 0;
    if (type == HDB_PT_OVERFLOW) {
        c.r = hdb__ref_get(d + 24);
        c.kind = HDB_SZ_NEXT;
        rc = c.r.pgno ? lw_push(w, &c) : HDB_OK;
    } else if ((rc = hdb__node_check(w->t, d)) == HDB_OK) {
        for (unsigned i = 0; rc == HDB_OK && i < n; i++) {
            hdb_cell cell;
            hdb_ref ch;
            if (type == HDB_PT_LEAF && hdb__leaf_cell_plain(w->t, d, i))
                continue;
            /* Most children of a left branch page stayed: checked from the
             * child pointer alone (a cell it cannot read fails below). */
            if (type == HDB_PT_BRANCH && hdb__branch_child(w->t, d, i, &ch) &&
                lw_stayed(w, ch.pgno))
                continue;
            if ((rc = hdb__node_cell(w->t, d, i, &cell)) != HDB_OK)
                break;
            c = *e;
            c.in_region = (uint8_t)in;
            c.root = 0;
            if (type == HDB_PT_BRANCH) {
                c.r = cell.child;
                c.kind = HDB_SZ_NODE;
                if (i) {
                    c.has_lo = 1;
                    c.lo_off = lw_key(w, cell.key, cell.klen);
                    c.lo_len = (uint32_t)cell.klen;
                }
                rc = lw_push(w, &c);
            } else if (cell.flags & HDB_CELL_OVERFLOW) {
                c.r = hdb__ovf_first(cell.val);
                c.kind = HDB_SZ_CHAIN;
                c.has_lo = 1;
                c.lo_off = lw_key(w, cell.key, cell.klen);
                c.lo_len = (uint32_t)cell.klen;
                rc = lw_push(w, &c);
            } else if (cell.flags & HDB_CELL_REFS) {
                int k = hdb__refs_count(cell.val, cell.vlen);
                if (k < 0)
                    rc = hdb__pager_corrupt(w->t->pager, "page %u: bad refs", e->r.pgno);
                c.kind = e->in_tree ? HDB_SZ_OTHER : HDB_SZ_TREE; /* trees in trees: not placed */
                c.in_tree = 1;
                c.has_lo = 0;
                c.tree_off = lw_key(w, cell.key, cell.klen);
                c.tree_len = (uint32_t)cell.klen;
                for (int j = 0; rc == HDB_OK && j < k; j++) {
                    c.r = hdb__refs_get(cell.val, j);
                    rc = c.r.pgno ? lw_push(w, &c) : HDB_OK;
                }
            }
        }
    }
    hdb__pager_put(w->t->pager, pg);
    if (rc == HDB_OK && w->arena.oom)
        rc = HDB_NOMEM;
    return rc;
}

static int walk_left(hdb_bt *t, hdb_ref old, hdb_ref now, const hdb_u32set *k, uint8_t *met,
                     hdb_szdelta *d, hdb_sz_credit credit, void *cctx)
{
    lwalk w = {t, NULL, 0, 0, {0}, k, met, now.pgno};
    lent first = {old, 1, 1, HDB_SZ_NODE, 0, 0, 0, 0, 0, 0};
    hdb__buf_init(&w.arena, t->mem);
    int rc = lw_push(&w, &first);
    while (rc == HDB_OK && w.n) {
        lent e = w.v[--w.n];
        uint32_t c;
        if (lw_stayed(&w, e.r.pgno))
            continue;
        if ((rc = hdb__pager_rc(t->pager, e.r.pgno, &c)) != HDB_OK)
            break;
        d->left++;
        int in = 0;
        if (e.root) {
            in = 1;
            if (c) {
                d->root_shared = 1;
                d->cross++; /* other states with this root lose their region */
            }
        } else if (e.in_region) {
            /* The transaction removed one pointer: the count was c + 1. */
            in = c == 0;
            if (c == 1) { /* its one other holder may now hold it alone */
                const uint8_t *a = w.arena.data ? (const uint8_t *)w.arena.data : (const uint8_t *)"";
                hdb_szpos pos = {e.in_tree, a + (e.tree_len ? e.tree_off : 0), e.tree_len,
                                 e.has_lo, a + (e.lo_len ? e.lo_off : 0), e.lo_len, e.kind};
                if (!credit || e.kind == HDB_SZ_NEXT || e.kind == HDB_SZ_OTHER)
                    d->cross++;
                else
                    rc = credit(cctx, &pos, e.r);
            }
        }
        d->freed += in && c == 0;
        if (rc == HDB_OK)
            rc = lw_expand(&w, &e, in);
    }
    hdb__free(t->mem, w.v);
    hdb__buf_free(&w.arena);
    return rc;
}

/* Does the region of the state at root hold page q at position pos: is the
 * pointer to q in a page reached from root through pages of count 1? */
int hdb__bt_size_holds(hdb_bt *t, hdb_ref root, const hdb_szpos *pos, hdb_ref q, int *holds)
{
    hdb_ref r = root;
    int rc = HDB_OK, depth = 0;
    *holds = 0;
    const uint8_t *key = pos->in_tree ? pos->tree : pos->lo;
    size_t kn = pos->in_tree ? pos->tree_len : pos->lo_len;
    int in_tree = 0, has = pos->in_tree || pos->has_lo;
    if (!has)
        key = (const uint8_t *)"", kn = 0;
    while (rc == HDB_OK && depth++ < 2 * HDB_BT_MAXDEPTH) {
        hdb_page *pg;
        uint32_t c = 1;
        if (r.pgno != root.pgno && (rc = hdb__pager_rc(t->pager, r.pgno, &c)) != HDB_OK)
            break;
        if (c != 1)
            return HDB_OK; /* shared on the way: not in the region */
        if ((rc = hdb__pager_get(t->pager, r, &pg)) != HDB_OK)
            break;
        const uint8_t *d = pg->data;
        hdb_cell cell;
        unsigned idx;
        int eq = 0, next = 0;
        if ((rc = hdb__node_check(t, d)) != HDB_OK) {
        } else if (hdb__page_type(d) == HDB_PT_BRANCH) {
            if ((rc = hdb__node_search_branch(t, d, key, kn, &idx)) == HDB_OK &&
                (rc = hdb__node_cell(t, d, idx, &cell)) == HDB_OK) {
                if (in_tree == pos->in_tree && pos->kind == HDB_SZ_NODE && cell.child.pgno == q.pgno)
                    *holds = 1;
                else
                    r = cell.child, next = 1;
            }
        } else if ((rc = hdb__node_search_leaf(t, d, key, kn, &idx, &eq)) == HDB_OK && eq &&
                   (rc = hdb__node_cell(t, d, idx, &cell)) == HDB_OK) {
            if (in_tree == pos->in_tree && pos->kind == HDB_SZ_CHAIN &&
                (cell.flags & HDB_CELL_OVERFLOW))
                *holds = hdb__ovf_first(cell.val).pgno == q.pgno;
            else if (!in_tree && pos->in_tree && (cell.flags & HDB_CELL_REFS) &&
                     hdb__refs_count(cell.val, cell.vlen) >= 1) {
                hdb_ref sub = hdb__refs_get(cell.val, 0);
                if (pos->kind == HDB_SZ_TREE)
                    *holds = sub.pgno == q.pgno;
                else if (sub.pgno) {
                    /* Into the keyspace tree, toward lo. */
                    r = sub;
                    in_tree = 1;
                    key = pos->has_lo ? pos->lo : (const uint8_t *)"";
                    kn = pos->has_lo ? pos->lo_len : 0;
                    next = 1;
                }
            }
        }
        hdb__pager_put(t->pager, pg);
        if (!next)
            break;
    }
    return rc;
}

/* Walk 3: older pages that born pages point to and walk 2 never met. */
static int walk_adopted(hdb_bt *t, const bwalk *b, const uint8_t *met, hdb_szdelta *d)
{
    int rc = HDB_OK;
    for (size_t i = 0; i < b->nolder && rc == HDB_OK; i++) {
        hdb_ref r = b->older[i];
        uint64_t tot, lat;
        uint32_t c;
        size_t at = hdb__u32set_find(b->k, r.pgno); /* always there (walk 1) */
        if (at != SIZE_MAX && met[at])
            continue;
        if ((rc = hdb__pager_rc(t->pager, r.pgno, &c)) != HDB_OK ||
            (rc = hdb__bt_size_walk(t, r, &tot, &lat)) != HDB_OK)
            break;
        d->adopted += tot;
        if (c == 1)
            d->adopted_lat += lat;
        else
            d->cross++; /* shared with its source now */
    }
    return rc;
}

int hdb__bt_size_delta(hdb_bt *t, uint64_t lsn, hdb_ref old, hdb_ref now, hdb_szdelta *d,
                       hdb_sz_credit credit, void *cctx)
{
    hdb_u32set k;
    uint8_t *met = NULL;
    memset(d, 0, sizeof *d);
    if (old.pgno == now.pgno)
        return HDB_OK;
    if (now.pgno && now.birth != lsn) {
        /* The whole state was replaced by an older one: not measured here. */
        d->unknown = 1;
        return HDB_OK;
    }
    hdb__u32set_init(&k, t->mem);
    bwalk b = {{t, NULL, 0, 0, 0}, lsn, &k, NULL, 0, 0};
    int rc = HDB_OK;
    if (now.pgno)
        rc = walk_born(&b, now, d);
    /* k is complete: its slots stay put, and met has one flag per slot. */
    if (rc == HDB_OK && (rc = hdb__u32set_reserve(&k, 1)) == HDB_OK &&
        !(met = hdb__zalloc(t->mem, k.mask + 1)))
        rc = HDB_NOMEM;
    if (rc == HDB_OK && old.pgno)
        rc = walk_left(t, old, now, &k, met, d, credit, cctx);
    if (rc == HDB_OK && now.pgno)
        rc = walk_adopted(t, &b, met, d);
    hdb__free(t->mem, b.s.v);
    hdb__free(t->mem, b.older);
    hdb__u32set_free(&k);
    hdb__free(t->mem, met);
    return rc;
}
