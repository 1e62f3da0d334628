/*
** merge.c — three-way merge of branches, and the public diff iterator.
**
** THE BASE
**   Every branch record holds a merge base (branch.c).  Merging src into
**   dst uses the base of the child of the pair: src's when src's parent is
**   dst (the usual "merge the feature back"), dst's when dst's parent is src
**   ("bring the parent's changes into the child"), and src's otherwise (for
**   siblings this is the state src forked from, so changes dst made to the
**   same keys since then conflict).  After the merge the base of that child
**   becomes the state of src that was merged, so the next merge in either
**   direction sees only what changed since (as git's merge commit does).
**
** HOW IT WORKS
**   Keyspaces are matched by id (ids are database-wide: the same id on two
**   branches is the same object since their common ancestor).  For each id:
**     - unchanged by src (same root as the base): nothing;
**     - unchanged by dst: dst takes src's root (one reference, O(1));
**     - created by src: added to dst the same way; dropped by src and
**       untouched by dst: dropped; dropped on one side and changed on the
**       other: a conflict;
**     - changed on both sides: merged structurally (below), and where the
**       trees' shapes differ, key by key: the structural diff of base ->
**       src gives src's changes (skipping shared subtrees); each is
**       compared with dst's value: dst unchanged -> apply; same change ->
**       nothing; otherwise a conflict, for the resolve hook or the policy.
**
** THE STRUCTURAL MERGE (merge_node)
**   Copy-on-write keeps an unchanged subtree at the same page, so for a
**   branch page where base, dst and src have the same separator keys, each
**   child is decided by page numbers alone:
**     src's child == base's   src changed nothing there: keep dst's;
**     src's child == dst's    the same change on both sides: nothing;
**     dst's child == base's   only src changed it: dst takes src's subtree
**                             (hdb__bt_graft: one reference), and the diff
**                             of base -> src inside it is only counted and
**                             logged (no conflict is possible there);
**     otherwise               both changed it: recurse, or, for leaves or
**                             pages whose separators differ, merge key by
**                             key (dst's values then come from its leaf, not
**                             from a search from the root, and a value of
**                             unchanged length is written in place in dst's
**                             private leaf: hdb__bt_overwrite).
**   The result, the counts and the conflicts (in key order) are the same
**   as a key-by-key merge's.  The cost is the pages of the changed subtrees
**   that must be read, not a write per key.  An adopted leaf's counts come
**   from what the writer noted when it changed it (btree/track.c: no page
**   read), else from base's and src's versions (hdb__btdiff_count compares
**   them without copying keys or values).  Unless the layer above wants
**   every key (opts.applied), those diffs run on a second thread beside the
**   merge (merge_count.c).  Those pages, and the branch pages of
**   base and src, are read once: they enter the cache at its cold end
**   (hdb__pager_get_cold), so a merge that reads more of them than the
**   cache holds neither evicts dst's dirty pages (a write each) nor the
**   pages its walks keep using.  When dst did not change at all since the
**   base, dst adopts src's whole state (fast-forward).  Everything is one
**   write transaction on dst: one commit, or nothing at all.
**
** THE LOG
**   Keys merged one by one are logged as puts and deletes (kv.c's records),
**   so replay writes them through the same tree functions.  An adopted
**   subtree is one HDB_REC_KS_GRAFT record (engine.h, LOG RECORDS): "the
**   subtree of dst's keyspace at (level, key) := the one of src's keyspace
**   at (from level, key)", applied by hdb__merge_graft() in replay (engine.h,
**   invariant 2).  The merge itself already holds src's subtree and knows
**   that the three trees' pages above it have the same separators, so it
**   grafts without reading src's way again (graft_known); the record is
**   the same, and debug builds check that src's way leads to that subtree.  Positions rather than page numbers
**   name the subtrees: replay allocates other pages, but builds trees of
**   the same shape, since it applies the same operations in the same order
**   through the same functions, from the checkpoint's trees (whose shapes
**   are the original ones).  hdb__bt_graft_from checks the two ranges and
**   heights, so a log that disagrees with the file is HDB_CORRUPT.
*/
#include <assert.h>
#include <string.h>
#include "src/engine.h"

typedef struct ksent {
    uint32_t id;
    hdb_ref root;
    char name[HDB_MAX_KS_NAME + 1];
} ksent;

typedef struct kslist {
    ksent *v;
    size_t n, cap;
} kslist;

typedef struct mctx {
    hdb *db;
    hdb_engine *e;
    hdb_txn *t;
    const hdb_merge_opts *o;
    hdb_merge_result *res;
    const char *src, *dst;
    size_t cap;
    size_t unresolved;
    hdb_ref troot;     /* src's root of the keyspace being merged */
    hdb_page *wleaf;   /* dst's private leaf written in place (merge_range) */
    uint32_t wks;      /* the keyspace of wleaf */
    hdb_buf rec;       /* a log record being built (reused) */
    uint8_t *ov;       /* dst's value of the current key (reused) */
    size_t ov_cap;
    hdb_mcount *counter; /* counts adopted subtrees (merge_count.c), or NULL */
    uint64_t writes;     /* keys written to dst so far (write_key) */
    int no_counter;      /* one was tried and none could be had */
} mctx;

/* ------------------------------------------------------------------------
** Keyspace lists of an object tree
*/
static int list_ks(hdb_engine *e, hdb_ref obj, kslist *l)
{
    hdb_btcur c;
    uint8_t first = HDB_OBJ_ID;
    int exact, rc;
    memset(l, 0, sizeof *l);
    hdb__btcur_init(&c, &e->bt, obj);
    for (rc = hdb__btcur_seek(&c, &first, 1, &exact); rc == HDB_OK; rc = hdb__btcur_next(&c)) {
        const uint8_t *k;
        size_t kn;
        hdb_btval v;
        if ((rc = hdb__btcur_key(&c, &k, &kn)) != HDB_OK || k[0] != HDB_OBJ_ID)
            break;
        if ((rc = hdb__btcur_val(&c, &v)) != HDB_OK)
            break;
        size_t nn = v.size - 1 - HDB_REF_SIZE;
        if (kn != 5 || hdb__refs_count(v.data, v.size) != 1 || nn < 1 || nn > HDB_MAX_KS_NAME)
            rc = hdb__pager_corrupt(e->pager, "damaged keyspace entry");
        if (rc == HDB_OK && l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 8;
            ksent *nv = hdb__realloc(e->mem, l->v, cap * sizeof *nv);
            if (!nv)
                rc = HDB_NOMEM;
            else {
                l->v = nv;
                l->cap = cap;
            }
        }
        if (rc == HDB_OK) {
            ksent *x = &l->v[l->n++];
            x->id = hdb__get32be(k + 1);
            x->root = hdb__refs_get(v.data, 0);
            memcpy(x->name, v.data + 1 + HDB_REF_SIZE, nn);
            x->name[nn] = 0;
        }
        hdb__btval_release(&e->bt, &v);
        if (rc != HDB_OK)
            break;
    }
    hdb__btcur_reset(&c);
    return rc == HDB_NOTFOUND ? HDB_OK : rc;
}

static ksent *ks_by_id(kslist *l, uint32_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].id == id)
            return &l->v[i];
    return NULL;
}

static ksent *ks_by_name(kslist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].name, name))
            return &l->v[i];
    return NULL;
}

/* ------------------------------------------------------------------------
** Results
*/
static int val_copy(hdb_val *out, const hdb_btval *v)
{
    out->data = NULL;
    out->size = 0;
    if (!v)
        return HDB_OK;
    void *p = malloc(v->size ? v->size : 1);
    if (!p)
        return HDB_NOMEM;
    if (v->size)
        memcpy(p, v->data, v->size);
    out->data = p;
    out->size = v->size;
    return HDB_OK;
}

static int add_conflict(mctx *m, const char *ks, const uint8_t *k, size_t kn, const hdb_btval *b,
                        const hdb_btval *o, const hdb_btval *th)
{
    hdb_merge_result *r = m->res;
    if (r->nconflicts == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        hdb_conflict *v = realloc(r->conflicts, cap * sizeof *v);
        if (!v)
            return HDB_NOMEM;
        r->conflicts = v;
        m->cap = cap;
    }
    hdb_conflict *c = &r->conflicts[r->nconflicts++];
    memset(c, 0, sizeof *c);
    snprintf(c->keyspace, sizeof c->keyspace, "%s", ks);
    hdb_btval kv = {k, kn, 0, NULL, NULL};
    int rc = val_copy(&c->key, k ? &kv : NULL);
    if (rc == HDB_OK)
        rc = val_copy(&c->base, b);
    if (rc == HDB_OK)
        rc = val_copy(&c->ours, o);
    if (rc == HDB_OK)
        rc = val_copy(&c->theirs, th);
    return rc;
}

void hdb_merge_result_free(hdb_merge_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nconflicts; i++) {
        free((void *)r->conflicts[i].key.data);
        free((void *)r->conflicts[i].base.data);
        free((void *)r->conflicts[i].ours.data);
        free((void *)r->conflicts[i].theirs.data);
    }
    free(r->conflicts);
    free(r);
}

/* ------------------------------------------------------------------------
** Keys
*/
static int same(const hdb_btval *a, const hdb_btval *b)
{
    if (!a || !b)
        return !a && !b;
    return a->size == b->size && (a->size == 0 || !memcmp(a->data, b->data, a->size));
}

/* A copy of v in the merge's own buffer (writes to dst may change the page
 * v points into). */
static int own_copy(mctx *m, const hdb_btval *v, hdb_btval *oc)
{
    memset(oc, 0, sizeof *oc);
    if (v->size > m->ov_cap || !m->ov) {
        size_t cap = v->size > 64 ? v->size : 64;
        uint8_t *nb = hdb__realloc(m->e->mem, m->ov, cap);
        if (!nb)
            return HDB_NOMEM;
        m->ov = nb;
        m->ov_cap = cap;
    }
    if (v->size)
        memcpy(m->ov, v->data, v->size);
    oc->data = m->ov;
    oc->size = v->size;
    return HDB_OK;
}

/* Count what changes from tree a to tree b (the effect on dst). */
static int notify(mctx *m, const char *ks, const uint8_t *k, size_t kn, const hdb_btval *old,
                  const void *v, size_t vn);

static void add_counts(mctx *m, const uint64_t n[3])
{
    m->res->added += n[HDB_DIFF_ADDED];
    m->res->changed += n[HDB_DIFF_CHANGED];
    m->res->deleted += n[HDB_DIFF_DELETED];
}

/* The counts of a leaf b copied from leaf a that the writer recorded
 * (btree/track.c), if it did: 1, else 0.  Debug builds check them against
 * the diff. */
static int count_tracked(mctx *m, hdb_ref a, hdb_ref b)
{
    uint64_t n[3];
    if (m->o->applied || !hdb__track_counts(&m->e->bt, a, b, n))
        return 0;
#ifndef NDEBUG
    uint64_t d[3];
    if (hdb__btdiff_count(&m->e->bt, a, b, d) == HDB_OK)
        assert(d[0] == n[0] && d[1] == n[1] && d[2] == n[2]);
#endif
    add_counts(m, n);
    m->res->noted_leaves++;
    return 1;
}

static int count_diff(mctx *m, const char *ks, hdb_ref a, hdb_ref b)
{
    hdb_btdiff *d;
    hdb_btdiff_entry e;
    if (count_tracked(m, a, b))
        return HDB_OK;
    if (!m->o->applied) { /* nobody needs the keys: count them */
        uint64_t n[3];
        int rc = hdb__btdiff_count(&m->e->bt, a, b, n);
        add_counts(m, n);
        return rc;
    }
    int rc = hdb__btdiff_open(&m->e->bt, a, b, &d);
    while (rc == HDB_OK && (rc = hdb__btdiff_next(d, &e)) == HDB_OK) {
        if (e.a && e.b)
            m->res->changed++;
        else if (e.b)
            m->res->added++;
        else
            m->res->deleted++;
        rc = notify(m, ks, e.key, e.klen, e.a, e.b ? (const void *)(e.b->data ? e.b->data : (const uint8_t *)"") : NULL,
                    e.b ? e.b->size : 0);
    }
    hdb__btdiff_close(d);
    return rc == HDB_DONE ? HDB_OK : rc;
}

/* Log a put (v != NULL) or delete of key k in dst's keyspace id, in the
 * format of kv.c (engine.h, LOG RECORDS), so replay applies it as a put. */
static int log_change(mctx *m, uint32_t id, const uint8_t *k, size_t kn, const void *v, size_t vn)
{
    hdb_buf *b = &m->rec;
    uint8_t hd[1 + HDB_MAX_BRANCH_NAME + 4 + 10];
    size_t bn = strlen(m->t->branch), n = 0;
    hd[n++] = (uint8_t)bn;
    memcpy(hd + n, m->t->branch, bn);
    n += bn;
    hdb__put32be(hd + n, id);
    n += 4;
    hdb__buf_reset(b);
    hdb__buf_append(b, hd, n);
    if (!v)
        return b->oom ? HDB_NOMEM : hdb__txn_log(m->t, HDB_REC_DEL, b->data, b->len, k, kn);
    hdb__buf_append(b, hd, hdb__varint_put(hd, kn));
    hdb__buf_append(b, k, kn);
    return b->oom ? HDB_NOMEM : hdb__txn_log(m->t, HDB_REC_PUT, b->data, b->len, v ? v : "", vn);
}

/* Let go of the leaf written in place (before any other write to dst). */
static void leaf_done(mctx *m)
{
    hdb__pager_put(m->e->pager, m->wleaf);
    m->wleaf = NULL;
}

/* Put (v != NULL) or delete key k in dst's keyspace id, as hdb__kv_put and
 * hdb__kv_del do, without their per-call allocations.  A value of the same
 * length as the old one is written in place when it can be (the leaf is
 * then the one hdb__bt_put would make, so replay of the put agrees). */
static int write_key(mctx *m, uint32_t id, const uint8_t *k, size_t kn, const void *v, size_t vn)
{
    hdb_ksroot *r;
    hdb_txn *t = m->t;
    if (t->failed)
        return t->failed;
    int rc = hdb__txn_ks(t, id, 1, &r);
    m->writes++;
    if (rc == HDB_OK) {
        hdb__txn_drop_last(t);
        if (m->wleaf && m->wks != id)
            leaf_done(m);
        m->wks = id;
        rc = v ? hdb__bt_overwrite(&m->e->bt, &r->root, &m->wleaf, k, kn, v, vn) : HDB_RANGE;
        if (rc == HDB_RANGE || rc == HDB_NOTFOUND) {
            leaf_done(m);
            rc = v ? hdb__bt_put(&m->e->bt, &r->root, k, kn, v, vn, 0)
                   : hdb__bt_del(&m->e->bt, &r->root, k, kn, 0);
        }
    }
    if (rc == HDB_OK)
        rc = log_change(m, id, k, kn, v, vn);
    if (rc != HDB_OK)
        t->failed = rc == HDB_NOTFOUND ? HDB_CORRUPT : rc;
    return t->failed;
}

/* Count a change to dst (ours: dst's value before it). */
static void count(mctx *m, const void *ours, int del)
{
    if (del)
        m->res->deleted += ours != NULL;
    else if (ours)
        m->res->changed++;
    else
        m->res->added++;
}

/* Tell the layer above (opts.applied) about a key changed on dst: old is
 * dst's value before (NULL: absent), v the new one (NULL: deleted). */
static int notify(mctx *m, const char *ks, const uint8_t *k, size_t kn, const hdb_btval *old,
                  const void *v, size_t vn)
{
    if (!m->o->applied)
        return HDB_OK;
    hdb_val val = {v ? v : "", vn}, ov = {"", 0};
    if (old)
        ov = (hdb_val){old->data ? (const void *)old->data : "", old->size};
    int rc = m->o->applied(m->o->resolve_ctx, ks, (hdb_val){k, kn}, old ? &ov : NULL,
                           v ? &val : NULL);
    if (rc != HDB_OK && !m->o->dry_run)
        m->t->failed = rc;
    return rc;
}

/* Write value v (NULL = delete) for key in dst's keyspace id. */
static int apply(mctx *m, const ksent *ks, const uint8_t *k, size_t kn, const hdb_btval *ours,
                 const void *v, size_t vn, int del)
{
    if (!del || ours) {
        int rc = m->o->dry_run ? HDB_OK : write_key(m, ks->id, k, kn, del ? NULL : v ? v : "", vn);
        if (rc == HDB_OK)
            rc = notify(m, ks->name, k, kn, ours, del ? NULL : v ? v : "", vn);
        if (rc != HDB_OK)
            return rc;
    }
    count(m, ours, del);
    return HDB_OK;
}

/* A key changed differently on both sides. */
static int conflict(mctx *m, const ksent *ks, const uint8_t *k, size_t kn, const hdb_btval *base,
                    const hdb_btval *ours, const hdb_btval *theirs)
{
    int how = m->o->policy == HDB_MERGE_OURS     ? HDB_RESOLVE_OURS
              : m->o->policy == HDB_MERGE_THEIRS ? HDB_RESOLVE_THEIRS
                                                 : HDB_RESOLVE_CONFLICT;
    hdb_val out = {NULL, 0};
    if (m->o->resolve) {
        hdb_val key = {k, kn}, b = {0}, o = {0}, t = {0};
        if (base)
            b = (hdb_val){base->data ? (const void *)base->data : "", base->size};
        if (ours)
            o = (hdb_val){ours->data ? (const void *)ours->data : "", ours->size};
        if (theirs)
            t = (hdb_val){theirs->data ? (const void *)theirs->data : "", theirs->size};
        how = m->o->resolve(m->o->resolve_ctx, ks->name, key, base ? &b : NULL, ours ? &o : NULL,
                            theirs ? &t : NULL, &out);
    }
    int rc = add_conflict(m, ks->name, k, kn, base, ours, theirs);
    if (rc != HDB_OK)
        return rc;
    switch (how) {
    case HDB_RESOLVE_MERGED:
        return apply(m, ks, k, kn, ours, out.data, out.size, out.data == NULL);
    case HDB_RESOLVE_THEIRS:
        return apply(m, ks, k, kn, ours, theirs ? theirs->data : NULL,
                     theirs ? theirs->size : 0, theirs == NULL);
    case HDB_RESOLVE_OURS:
        return HDB_OK;
    default:
        m->unresolved++;
        return HDB_OK;
    }
}

/* Both sides changed this part of keyspace ks: merge key by key the
 * changes from base to theirs. */
static int merge_range(mctx *m, const ksent *ks, hdb_ref base, hdb_ref theirs,
                       hdb_page *oleaf)
{
    hdb_btdiff *d;
    hdb_btdiff_entry e;
    hdb_ksroot *r;
    hdb_bt *bt = &m->e->bt;
    int rc = hdb__btdiff_open(bt, base, theirs, &d);
    while (rc == HDB_OK && (rc = hdb__btdiff_next(d, &e)) == HDB_OK) {
        hdb_btval ov = {0}, oc = {0};
        if (oleaf) {
            /* dst's leaf for this range, as committed: its values are dst's
             * values before the merge (each key is written once). */
            unsigned idx;
            int eq;
            hdb_cell c;
            rc = hdb__node_search_leaf(bt, oleaf->data, e.key, e.klen, &idx, &eq);
            if (rc == HDB_OK && !eq)
                rc = HDB_NOTFOUND;
            if (rc == HDB_OK && (rc = hdb__node_cell(bt, oleaf->data, idx, &c)) == HDB_OK) {
                hdb__pager_pin(m->e->pager, oleaf);
                rc = hdb__bt_cell_value(bt, oleaf, &c, &ov);
            }
        } else if ((rc = hdb__txn_ks(m->t, ks->id, 0, &r)) == HDB_OK) {
            rc = hdb__bt_get(bt, r->root, e.key, e.klen, &ov);
        }
        if (rc != HDB_OK && rc != HDB_NOTFOUND)
            break;
        /* Copy dst's value out: writes to dst may change the page it is in. */
        int have = rc == HDB_OK;
        rc = have ? own_copy(m, &ov, &oc) : HDB_OK;
        hdb__btval_release(bt, &ov);
        const hdb_btval *ours = have ? &oc : NULL;
        if (rc != HDB_OK || same(ours, e.b))
            ; /* an error, or the same change on both sides */
        else if (same(ours, e.a))
            rc = apply(m, ks, e.key, e.klen, ours, e.b ? e.b->data : NULL, e.b ? e.b->size : 0,
                       !e.b);
        else
            rc = conflict(m, ks, e.key, e.klen, e.a, ours, e.b);
    }
    hdb__btdiff_close(d);
    leaf_done(m);
    return rc == HDB_DONE ? HDB_OK : rc;
}

/* ------------------------------------------------------------------------
** Structural merge of a keyspace both sides changed
*/

/* A node page, pinned and checked.  Read at the cold end of the cache
 * (pager.h): the merge visits each page of base and src once. */
static int node_get(mctx *m, hdb_ref r, hdb_page **pg)
{
    int rc = hdb__pager_get_cold(m->e->pager, r, pg);
    if (rc == HDB_OK && (rc = hdb__node_check(&m->e->bt, (*pg)->data)) != HDB_OK)
        hdb__pager_put(m->e->pager, *pg);
    if (rc != HDB_OK)
        *pg = NULL;
    return rc;
}

/* Levels of a tree (1 = a leaf root). */
static int height(mctx *m, hdb_ref r, int *h)
{
    for (*h = 1; *h <= HDB_BT_MAXDEPTH; (*h)++) {
        hdb_page *pg;
        hdb_cell c;
        int rc = node_get(m, r, &pg);
        if (rc != HDB_OK)
            return rc;
        int leaf = hdb__page_type(pg->data) == HDB_PT_LEAF;
        rc = leaf ? HDB_OK : hdb__node_cell(&m->e->bt, pg->data, 0, &c);
        hdb__pager_put(m->e->pager, pg);
        if (rc != HDB_OK || leaf)
            return rc;
        r = c.child;
    }
    return hdb__pager_corrupt(m->e->pager, "tree deeper than %d levels", HDB_BT_MAXDEPTH);
}

/* ------------------------------------------------------------------------
** Grafts
*/
static int brec_of(hdb_txn *t, const char *name, hdb_brec *r);

/* The root of keyspace id in branch `from`'s state. */
static int ks_root_by_id(hdb_txn *t, const char *from, uint32_t id, hdb_ref *root)
{
    hdb_brec r;
    hdb_btval v;
    uint8_t key[5] = {HDB_OBJ_ID};
    hdb__put32be(key + 1, id);
    int rc = brec_of(t, from, &r);
    if (rc == HDB_OK && (rc = hdb__bt_get(&t->e->bt, r.obj, key, 5, &v)) == HDB_OK) {
        if (hdb__refs_count(v.data, v.size) != 1)
            rc = hdb__pager_corrupt(t->e->pager, "keyspace %u: bad object entry", id);
        else
            *root = hdb__refs_get(v.data, 0);
        hdb__btval_release(&t->e->bt, &v);
    }
    return rc;
}

static int log_graft(hdb_txn *t, uint32_t id, const char *from, int level, int from_level,
                     const uint8_t *key, size_t kn)
{
    uint8_t b[2 * (1 + HDB_MAX_BRANCH_NAME) + 4 + 2];
    size_t n = 0, bn = strlen(t->branch), fn = strlen(from);
    if (t->replay)
        return hdb__txn_log(t, HDB_REC_KS_GRAFT, NULL, 0, NULL, 0); /* counts; writes nothing */
    assert(bn <= HDB_MAX_BRANCH_NAME && fn <= HDB_MAX_BRANCH_NAME);
    b[n++] = (uint8_t)bn;
    memcpy(b + n, t->branch, bn);
    n += bn;
    hdb__put32be(b + n, id);
    n += 4;
    b[n++] = (uint8_t)fn;
    memcpy(b + n, from, fn);
    n += fn;
    b[n++] = (uint8_t)level;
    b[n++] = (uint8_t)from_level;
    return hdb__txn_log(t, HDB_REC_KS_GRAFT, b, n, key, kn);
}

/* The subtree of keyspace id of the transaction's branch at (level, key)
 * := the subtree of the same keyspace of branch `from` at (from_level,
 * key) (graft.c, GRAFTING BY POSITION), then logged: the merge and replay
 * both come here.  from_root is from's root of the keyspace if the caller
 * has it (NULL: looked up).  was and now (may be NULL) receive the old and
 * the new subtree.  With was->pgno != 0 on entry, the old subtree must be
 * that page: HDB_NOTFOUND otherwise (nothing grafted, nothing logged, the
 * transaction not failed). */
int hdb__merge_graft(hdb_txn *t, uint32_t id, const char *from, const hdb_ref *from_root,
                     int level, int from_level, const uint8_t *key, size_t kn, hdb_ref *was,
                     hdb_ref *now)
{
    hdb_ksroot *r;
    hdb_ref src = {0, 0}, w, n;
    if (t->failed)
        return t->failed;
    if (level < 0 || level >= HDB_BT_MAXDEPTH || from_level < 0 || from_level >= HDB_BT_MAXDEPTH)
        return HDB_CORRUPT;
    int rc = HDB_OK;
    if (from_root)
        src = *from_root;
    else
        rc = ks_root_by_id(t, from, id, &src);
    if (rc == HDB_OK)
        rc = hdb__txn_ks(t, id, 1, &r);
    if (rc == HDB_OK) {
        hdb__txn_drop_last(t);
        hdb_pgno expect = was ? was->pgno : 0;
        rc = hdb__bt_graft_from(&t->e->bt, &r->root, level, src, from_level, key, kn, expect, &w,
                                &n);
        if (rc == HDB_NOTFOUND && expect)
            return rc;
    }
    if (rc == HDB_OK)
        rc = log_graft(t, id, from, level, from_level, key, kn);
    if (rc == HDB_NOTFOUND)
        rc = hdb__pager_corrupt(t->e->pager, "graft: no keyspace %u on '%s' or '%s'", id,
                                t->branch, from);
    if (rc != HDB_OK)
        return t->failed = rc;
    if (was)
        *was = w;
    if (now)
        *now = n;
    return HDB_OK;
}

/* hdb__merge_graft for a merge, which holds src's subtree (theirs, the
 * child at depth `from_level` toward key) and found the three trees' pages
 * above it to have the same separators, so the cells bound the same keys:
 * the graft (hdb__bt_graft_at) reads neither src's way nor the subtrees
 * again.  The record logged is the same, and replay applies it through
 * hdb__merge_graft with every check.  HDB_NOTFOUND (nothing grafted or
 * logged, the transaction not failed) if dst's cell there is not ours. */
static int graft_known(mctx *m, const ksent *ks, int level, int from_level, const uint8_t *key,
                       size_t kn, hdb_ref ours, hdb_ref theirs, hdb_page **keep)
{
    hdb_txn *t = m->t;
    hdb_ksroot *r;
    if (t->failed)
        return t->failed;
#ifndef NDEBUG
    int lv = -1;
    assert(hdb__bt_graft_level(&m->e->bt, m->troot, key, kn, theirs.pgno, &lv) == HDB_OK &&
           lv == from_level);
#endif
    int rc = hdb__txn_ks(t, ks->id, 1, &r);
    if (rc != HDB_OK)
        return t->failed = rc == HDB_NOTFOUND ? HDB_CORRUPT : rc;
    hdb__txn_drop_last(t);
    rc = hdb__bt_graft_at(&m->e->bt, &r->root, level, key, kn, ours.pgno, theirs, keep);
    if (rc == HDB_NOTFOUND)
        return rc;
    if (rc == HDB_OK)
        rc = log_graft(t, ks->id, m->src, level, from_level, key, kn);
    return rc == HDB_OK ? HDB_OK : (t->failed = rc);
}

/* Count what changes from tree a to tree b, on the counting thread when
 * there is one and nobody needs the keys (merge_count.c), else here. */
static int count_async(mctx *m, const char *ks, hdb_ref a, hdb_ref b)
{
    if (count_tracked(m, a, b))
        return HDB_OK;
    if (!m->o->applied && !m->counter && !m->no_counter)
        m->no_counter = !(m->counter = hdb__mcount_start(m->e));
    if (!m->o->applied && m->counter)
        return hdb__mcount_add(m->counter, a, b);
    return count_diff(m, ks, a, b);
}

/* The counting thread's sums into the result, and its first error. */
static int count_end(mctx *m, int rc)
{
    if (!m->counter)
        return rc;
    uint64_t n[3];
    int rc2 = hdb__mcount_finish(m->counter, rc != HDB_OK, n);
    m->counter = NULL;
    m->res->added += n[HDB_DIFF_ADDED];
    m->res->changed += n[HDB_DIFF_CHANGED];
    m->res->deleted += n[HDB_DIFF_DELETED];
    if (rc == HDB_OK && rc2 != HDB_OK && !m->o->dry_run)
        m->t->failed = rc2;
    return rc == HDB_OK ? rc2 : rc;
}

/* Only src changed this subtree (dst still has the base's page `ours`, in
 * a page at depth `depth` of the three trees): dst takes src's subtree
 * whole, one pointer and one log record, and the changes inside it are
 * only counted. */
static int adopt(mctx *m, const ksent *ks, const uint8_t *lo, size_t lon, int depth, hdb_ref base,
                 hdb_ref ours, hdb_ref theirs, hdb_page **keep)
{
    const uint8_t *key = lo ? lo : (const uint8_t *)"";
    if (!m->o->dry_run) {
        hdb_ksroot *r;
        int level = depth;
        /* dst's tree still has the shape of ours there (the usual case),
         * or its cell for ours is at another depth now (a split above). */
        int rc = graft_known(m, ks, level, depth, key, lon, ours, theirs, keep);
        if (rc == HDB_NOTFOUND && (rc = hdb__txn_ks(m->t, ks->id, 1, &r)) == HDB_OK &&
            (rc = hdb__bt_graft_level(&m->e->bt, r->root, key, lon, ours.pgno, &level)) == HDB_OK)
            rc = graft_known(m, ks, level, depth, key, lon, ours, theirs, NULL);
        if (rc == HDB_NOTFOUND) { /* dst's tree is shaped otherwise now */
            hdb__pager_put(m->e->pager, *keep);
            *keep = NULL;
            return merge_range(m, ks, base, theirs, NULL);
        }
        if (rc != HDB_OK)
            return m->t->failed = rc;
    }
    int rc = count_async(m, ks->name, base, theirs); /* dst's values there are the base's */
    if (rc != HDB_OK && !m->o->dry_run)
        m->t->failed = rc;
    return rc;
}

/* Merge the subtrees base, ours and theirs (all changed) of keyspace ks,
 * whose keys are >= lo.  Where the three are branch pages with the same
 * separators, each child is decided alone: unchanged by src (nothing),
 * unchanged by dst (adopt src's), changed the same (nothing), changed by
 * both (recurse); anything else is merged key by key. */
static int merge_node(mctx *m, const ksent *ks, hdb_ref b, hdb_ref o, hdb_ref th,
                      const uint8_t *lo, size_t lon, int depth)
{
    hdb_page *pb, *po = NULL, *pt = NULL;
    int rc = node_get(m, b, &pb);
    if (rc == HDB_OK)
        rc = node_get(m, o, &po);
    if (rc == HDB_OK)
        rc = node_get(m, th, &pt);
    int leaves = rc == HDB_OK && hdb__page_type(pb->data) == HDB_PT_LEAF &&
                 hdb__page_type(po->data) == HDB_PT_LEAF && hdb__page_type(pt->data) == HDB_PT_LEAF;
    /* dst's page that the last adoption here changed (hdb__bt_graft_at):
     * the next one is usually in it too, unless keys were written since. */
    hdb_page *keep = NULL;
    uint64_t writes = m->writes;
    if (rc == HDB_OK && (!hdb__node_same_keys(&m->e->bt, pb->data, po->data) ||
                          !hdb__node_same_keys(&m->e->bt, pb->data, pt->data)))
        rc = merge_range(m, ks, b, th, leaves ? po : NULL);
    else
        for (unsigned i = 0; rc == HDB_OK && i < hdb__page_count(pb->data); i++) {
            hdb_ref cb, co, ct;
            if ((rc = hdb__node_child(&m->e->bt, pb->data, i, &cb)) != HDB_OK ||
                (rc = hdb__node_child(&m->e->bt, po->data, i, &co)) != HDB_OK ||
                (rc = hdb__node_child(&m->e->bt, pt->data, i, &ct)) != HDB_OK)
                break;
            if (ct.pgno == cb.pgno || ct.pgno == co.pgno)
                continue;
            const uint8_t *clo = lo;
            size_t clon = lon;
            if (i && (rc = hdb__node_key(&m->e->bt, pb->data, i, &clo, &clon)) != HDB_OK)
                break;
            if (keep && (m->writes != writes || co.pgno != cb.pgno)) {
                hdb__pager_put(m->e->pager, keep); /* before dst's shape may change */
                keep = NULL;
            }
            if (co.pgno == cb.pgno)
                rc = adopt(m, ks, clo, clon, depth, cb, co, ct, &keep);
            else
                rc = merge_node(m, ks, cb, co, ct, clo, clon, depth + 1);
            writes = m->writes;
        }
    hdb__pager_put(m->e->pager, keep);
    hdb__pager_put(m->e->pager, pt);
    hdb__pager_put(m->e->pager, po);
    hdb__pager_put(m->e->pager, pb);
    return rc;
}

/* Both sides changed keyspace ks since the base. */
static int merge_tree(mctx *m, const ksent *ks, hdb_ref base, hdb_ref ours, hdb_ref theirs)
{
    int hb, ho, ht;
    if (!base.pgno || !ours.pgno || !theirs.pgno)
        return merge_range(m, ks, base, theirs, NULL);
    int rc = height(m, base, &hb);
    if (rc == HDB_OK)
        rc = height(m, ours, &ho);
    if (rc == HDB_OK)
        rc = height(m, theirs, &ht);
    if (rc != HDB_OK)
        return rc;
    if (hb != ho || hb != ht || hb < 2)
        return merge_range(m, ks, base, theirs, NULL);
    m->troot = theirs;
    return merge_node(m, ks, base, ours, theirs, NULL, 0, 0);
}

/* Take src's keyspace into dst whole. */
static int take_ks(mctx *m, const ksent *ours, const ksent *theirs)
{
    hdb_ref none = {0, 0};
    int rc = count_diff(m, theirs->name, ours ? ours->root : none, theirs->root);
    if (rc == HDB_OK && !m->o->dry_run)
        rc = hdb__ks_copy(m->t, theirs->id, m->src);
    return rc;
}

static int merge_one(mctx *m, uint32_t id, kslist *lb, kslist *lo, kslist *lt)
{
    ksent *b = ks_by_id(lb, id), *o = ks_by_id(lo, id), *t = ks_by_id(lt, id);
    hdb_ref none = {0, 0};
    if (t && b && t->root.pgno == b->root.pgno)
        return HDB_OK; /* src did not touch it */
    if (!t && !b)
        return HDB_OK; /* dst's own */
    if (!t) { /* dropped by src */
        if (!o)
            return HDB_OK;
        if (o->root.pgno != b->root.pgno)
            return m->unresolved++, add_conflict(m, o->name, NULL, 0, NULL, NULL, NULL);
        int rc = count_diff(m, o->name, o->root, none);
        return rc == HDB_OK && !m->o->dry_run ? hdb__ks_drop_id(m->t, id) : rc;
    }
    if (!o) {
        if (b) /* dropped by dst, changed by src */
            return m->unresolved++, add_conflict(m, t->name, NULL, 0, NULL, NULL, NULL);
        ksent *clash = ks_by_name(lo, t->name);
        if (clash) /* created on both sides under one name */
            return m->unresolved++, add_conflict(m, t->name, NULL, 0, NULL, NULL, NULL);
        return take_ks(m, NULL, t);
    }
    hdb_ref base = b ? b->root : none;
    if (o->root.pgno == base.pgno)
        return take_ks(m, o, t);
    return merge_tree(m, o, base, o->root, t->root);
}

static int merge_all(mctx *m, hdb_ref base, hdb_ref ours, hdb_ref theirs)
{
    kslist lb = {0}, lo = {0}, lt = {0};
    int rc = list_ks(m->e, base, &lb);
    if (rc == HDB_OK)
        rc = list_ks(m->e, ours, &lo);
    if (rc == HDB_OK)
        rc = list_ks(m->e, theirs, &lt);
    /* Every id of base and src (dst's own ids need nothing). */
    for (size_t i = 0; rc == HDB_OK && i < lt.n; i++)
        rc = merge_one(m, lt.v[i].id, &lb, &lo, &lt);
    for (size_t i = 0; rc == HDB_OK && i < lb.n; i++)
        if (!ks_by_id(&lt, lb.v[i].id))
            rc = merge_one(m, lb.v[i].id, &lb, &lo, &lt);
    hdb__free(m->e->mem, lb.v);
    hdb__free(m->e->mem, lo.v);
    hdb__free(m->e->mem, lt.v);
    return rc;
}

/* ------------------------------------------------------------------------
** The entry point
*/
static int brec_of(hdb_txn *t, const char *name, hdb_brec *r)
{
    hdb_btval v;
    int rc = hdb__bt_get(&t->e->bt, t->reg, name, strlen(name), &v);
    if (rc == HDB_OK) {
        rc = hdb__brec_decode(v.data, v.size, r);
        r->desc = NULL; /* points into v */
        hdb__btval_release(&t->e->bt, &v);
    }
    return rc;
}

/* A fast-forward's counts of keyspace ks from a to b: where the two roots
 * have the same separators, each pair of changed children is counted on
 * its own, so that both threads can take them (count_async). */
static int count_split(mctx *m, const char *ks, hdb_ref a, hdb_ref b)
{
    hdb_page *pa, *pb;
    if (m->o->applied || !a.pgno || !b.pgno || a.pgno == b.pgno)
        return a.pgno == b.pgno ? HDB_OK : count_diff(m, ks, a, b);
    int rc = node_get(m, a, &pa);
    if (rc != HDB_OK)
        return rc;
    if ((rc = node_get(m, b, &pb)) != HDB_OK) {
        hdb__pager_put(m->e->pager, pa);
        return rc;
    }
    if (!hdb__node_same_keys(&m->e->bt, pa->data, pb->data))
        rc = count_async(m, ks, a, b);
    else
        for (unsigned i = 0; rc == HDB_OK && i < hdb__page_count(pa->data); i++) {
            hdb_cell ca, cb;
            if ((rc = hdb__node_cell(&m->e->bt, pa->data, i, &ca)) == HDB_OK &&
                (rc = hdb__node_cell(&m->e->bt, pb->data, i, &cb)) == HDB_OK &&
                ca.child.pgno != cb.child.pgno)
                rc = count_async(m, ks, ca.child, cb.child);
        }
    hdb__pager_put(m->e->pager, pb);
    hdb__pager_put(m->e->pager, pa);
    return rc;
}

static int run(mctx *m)
{
    hdb_brec rs, rd;
    int rc = brec_of(m->t, m->src, &rs);
    if (rc == HDB_NOTFOUND)
        return hdb__seterr(m->db, rc, "no branch '%s'", m->src);
    if (rc == HDB_OK && (rc = brec_of(m->t, m->dst, &rd)) == HDB_NOTFOUND)
        return hdb__seterr(m->db, rc, "no branch '%s'", m->dst);
    if (rc != HDB_OK)
        return rc;
    if (rd.read_only)
        return hdb__seterr(m->db, HDB_READONLY, "branch '%s' is read only", m->dst);
    int dst_owns = strcmp(rs.parent, m->dst) != 0 && !strcmp(rd.parent, m->src);
    hdb_ref base = dst_owns ? rd.base : rs.base;
    if (rs.obj.pgno == base.pgno)
        return HDB_OK; /* nothing new on src */
    if (rd.obj.pgno == base.pgno) {
        m->res->fast_forward = 1;
        kslist lo = {0}, lt = {0};
        if ((rc = list_ks(m->e, rd.obj, &lo)) == HDB_OK && (rc = list_ks(m->e, rs.obj, &lt)) == HDB_OK) {
            hdb_ref none = {0, 0};
            for (size_t i = 0; rc == HDB_OK && i < lt.n; i++) {
                ksent *o = ks_by_id(&lo, lt.v[i].id);
                rc = count_split(m, lt.v[i].name, o ? o->root : none, lt.v[i].root);
            }
            for (size_t i = 0; rc == HDB_OK && i < lo.n; i++)
                if (!ks_by_id(&lt, lo.v[i].id))
                    rc = count_diff(m, lo.v[i].name, lo.v[i].root, none);
        }
        rc = count_end(m, rc);
        hdb__free(m->e->mem, lt.v);
        hdb__free(m->e->mem, lo.v);
        if (rc == HDB_OK && !m->o->dry_run)
            rc = hdb__br_adopt(m->t, m->dst, m->src);
    } else {
        rc = count_end(m, merge_all(m, base, rd.obj, rs.obj));
    }
    if (rc == HDB_OK && !m->o->dry_run && !m->unresolved && !m->res->fast_forward && m->o->finish &&
        (m->res->added || m->res->changed || m->res->deleted)) {
        rc = m->o->finish(m->o->resolve_ctx, m->t);
        if (rc != HDB_OK && !m->t->failed)
            m->t->failed = rc;
    }
    if (rc == HDB_OK && !m->o->dry_run && !m->unresolved && (rc = hdb__txn_flush(m->t)) == HDB_OK)
        rc = hdb__br_set_base(m->t, dst_owns ? m->dst : m->src, m->src);
    return rc;
}

int hdb_branch_merge(hdb *db, const char *src, const char *dst, const hdb_merge_opts *o,
                     hdb_merge_result **out)
{
    hdb_merge_opts none = {0};
    mctx m = {0};
    if (out)
        *out = NULL;
    if (!db)
        return HDB_MISUSE;
    if (!hdb__branch_name_ok(src) || !hdb__branch_name_ok(dst))
        return hdb__seterr(db, HDB_MISUSE, "bad branch name");
    if (!strcmp(src, dst))
        return hdb__seterr(db, HDB_MISUSE, "cannot merge branch '%s' into itself", src);
    if (db->txn)
        return hdb__seterr(db, HDB_MISUSE, "a transaction is open on this connection");
    if (db->e->opt.read_only)
        return hdb__seterr(db, HDB_READONLY, "the database is open read only");
    m.db = db;
    m.e = db->e;
    m.o = o ? o : &none;
    m.src = src;
    m.dst = dst;
    hdb__buf_init(&m.rec, db->e->mem);
    if (!(m.res = calloc(1, sizeof *m.res)))
        return HDB_NOMEM;
    int rc = hdb__txn_open(db, db->e, dst, 1, &m.t);
    if (rc == HDB_OK) {
        m.t->acct_skip = 1; /* a merge moves pages between branches (branch.c) */
        rc = run(&m);
        int commit = rc == HDB_OK && !m.o->dry_run && !m.unresolved;
        int rc2 = hdb__txn_end(m.t, commit);
        if (rc == HDB_OK && commit)
            rc = rc2;
    }
    if (rc == HDB_OK && m.unresolved)
        rc = hdb__seterr(db, HDB_CONFLICT, "merge of '%s' into '%s': %zu conflict%s; nothing written",
                         src, dst, m.unresolved, m.unresolved == 1 ? "" : "s");
    else if (rc == HDB_BUSY)
        hdb__seterr(db, rc, "another write transaction is open");
    else if (rc == HDB_CORRUPT)
        hdb__seterr(db, rc, "merge: %s", hdb__pager_errmsg(db->e->pager));
    else if (rc != HDB_OK && !db->errmsg[0])
        hdb__seterr(db, rc, "merge of '%s' into '%s': %s", src, dst, hdb_errstr(rc));
    else if (rc == HDB_OK)
        hdb__ok(db);
    hdb__buf_free(&m.rec);
    hdb__free(db->e->mem, m.ov);
    if (out)
        *out = m.res;
    else
        hdb_merge_result_free(m.res);
    return rc;
}

/* ------------------------------------------------------------------------
** The public diff iterator
*/
struct hdb_diff {
    hdb_txn *t;
    hdb_btdiff *d;
};

static int ks_root_of(hdb_txn *t, const char *branch, const char *ks, hdb_ref *root)
{
    hdb_brec r;
    kslist l;
    root->pgno = 0;
    root->birth = 0;
    int rc = brec_of(t, branch, &r);
    if (rc == HDB_OK && (rc = list_ks(t->e, r.obj, &l)) == HDB_OK) {
        ksent *x = ks_by_name(&l, ks);
        if (x)
            *root = x->root;
        hdb__free(t->e->mem, l.v);
    }
    return rc;
}

int hdb_diff_open(hdb *db, const char *from_branch, const char *to_branch, const char *keyspace,
                  hdb_diff **out)
{
    hdb_ref a, b;
    if (!db || !out || !keyspace || !from_branch || !to_branch)
        return HDB_MISUSE;
    *out = NULL;
    hdb_diff *d = calloc(1, sizeof *d);
    if (!d)
        return HDB_NOMEM;
    int rc = hdb__txn_open(db, db->e, from_branch, 0, &d->t);
    if (rc == HDB_OK && (rc = ks_root_of(d->t, from_branch, keyspace, &a)) == HDB_OK &&
        (rc = ks_root_of(d->t, to_branch, keyspace, &b)) == HDB_OK)
        rc = hdb__btdiff_open(&db->e->bt, a, b, &d->d);
    if (rc != HDB_OK) {
        hdb_diff_close(d);
        if (rc == HDB_NOTFOUND)
            return hdb__seterr(db, rc, "no branch '%s' or '%s'", from_branch, to_branch);
        return hdb__seterr(db, rc, "diff: %s", hdb_errstr(rc));
    }
    *out = d;
    return HDB_OK;
}

int hdb_diff_next(hdb_diff *it, hdb_diff_entry *e)
{
    hdb_btdiff_entry x;
    if (!it || !e)
        return HDB_MISUSE;
    int rc = hdb__btdiff_next(it->d, &x);
    if (rc != HDB_OK)
        return rc;
    e->key = (hdb_val){x.key, x.klen};
    e->old_val = x.a ? (hdb_val){x.a->data ? (const void *)x.a->data : "", x.a->size} : (hdb_val){NULL, 0};
    e->new_val = x.b ? (hdb_val){x.b->data ? (const void *)x.b->data : "", x.b->size} : (hdb_val){NULL, 0};
    return HDB_OK;
}

void hdb_diff_close(hdb_diff *it)
{
    if (!it)
        return;
    hdb__btdiff_close(it->d);
    if (it->t)
        hdb__txn_end(it->t, 0);
    free(it);
}
