/*
** branch.c — the branch registry: records, create, drop, read-only, base.
**
** BRANCH RECORD (the registry value, after its REFS prefix)
**   OFFSET SIZE DESCRIPTION
**        0    1 k = 2 (REFS count)
**        1   12 ref: object-tree root (the branch's state)
**       13   12 ref: merge-base root (the state last shared with its
**               parent; held so a three-way merge always has its base)
**       25    8 id (database-wide, never reused)
**       33    8 fork LSN (the LSN the branch was created as of)
**       41    8 head LSN (the last commit that wrote the branch)
**       49    8 creation time (µs)
**       57    1 read-only flag
**       58    1 parent name length p
**       59    p parent name
**     59+p    2 description length d
**     61+p    d description
**     61+p+d  1 accounting block version, 1 (absent in records written
**               before size accounting: their sizes are recounted)
**     62+p+d  8 tot: pages of the state (everything its object root reaches)
**     70+p+d  8 lat: pages of its region (see SIZE ACCOUNTING)
**     78+p+d  8 gen: the accounting generation tot and lat are exact for
**
** HOW IT WORKS
**   Creating a branch adds one registry entry whose two refs point to the
**   source's object root: two count increments, whatever the size of the
**   data.  Dropping deletes the entry; releasing its refs frees exactly the
**   pages no other branch (or retained history) reaches.
**
** SIZE ACCOUNTING
**   What the numbers mean (btree/size.c has the walks):
**     tot(B)    the pages reachable from B's object root: its keyspaces,
**               object tree and overflow chains.
**     lat(B)    the pages of B's "region": reachable from the object root
**               through pages that, below the root, all have reference
**               count 1.  Nothing but B's state points to them.
**     owned(B)  lat(B) when no other branch's record (its state or its
**               merge base) names the same object root, else 0: those pages
**               are B's alone.  Retained history shares B's pages through
**               the registry; pages below the root that a snapshot still
**               shares have count 2 and are not in the region.
**     shared(B) tot(B) - owned(B): pages B reaches that something else
**               reaches too (another branch, a merge base, history).
**   hdb_branch_list() reports owned and shared times the page size.
**
**   How they are kept (incrementally, never by walking on a plain write):
**     - Each record holds tot, lat and gen.  The engine holds the
**       accounting generation G (meta engine area, written at checkpoints;
**       recovery rebuilds it, since replay runs the same code).  A record's
**       numbers are exact when its gen equals G.
**     - When a write transaction stores branch B's new object root
**       (hdb__brec_write called by the flush), the change from B's
**       committed root is measured by walking only the pages the
**       transaction wrote and the pages it replaced or released
**       (hdb__bt_size_delta), and B's numbers move by it.
**       This costs about one visit per page the transaction wrote, so a
**       transaction of more than ACCT_MAX_WRITES changes, and a merge (whose
**       adopted subtrees would all have to be read again), leave B's
**       numbers unknown instead.
**     - Creating a branch copies the source's numbers (same root, same
**       pages); a fast-forward copies the source's numbers too.
**     - Some changes can move pages into or out of ANOTHER branch's region,
**       and nothing points back from a page to its holders: a write that
**       leaves a page to its one other holder, a merge that adopts another
**       state's pages, copying a root another branch shares, dropping a
**       branch, moving a merge base, an expiring snapshot, a branch made as
**       of the past.  Such a change increments G; the writer's own numbers
**       stay exact (its gen becomes the new G), the others become unknown.
**     - Unknown numbers are recounted by a walk of that branch alone
**       (check.c) the first time they are asked for, and the result is kept
**       in memory for the generation; a branch's next write stores exact
**       numbers again when its recount is at hand.  hdb_check() recounts
**       every branch and reports a record whose numbers claim to be exact
**       but differ from the walk as corruption of the accounting.
*/
#include <string.h>
#include "src/engine.h"

#define BREC_FIXED 59
#define BREC_ACCT 25 /* the accounting block */

/* Past this many changes in one transaction, measuring its change (a walk
 * of about the pages it wrote, most of them out of the cache by then) costs
 * more than recounting the branch when its size is next asked for. */
#define ACCT_MAX_WRITES 4096

/* Internal flag of hdb__brec_write: the record's accounting is final. */
#define BRW_ACCT 0x100

void hdb__acct_bump(hdb_engine *e)
{
    pthread_mutex_lock(&e->mu);
    e->acct_gen++;
    pthread_mutex_unlock(&e->mu);
}

static uint64_t acct_gen(hdb_engine *e)
{
    pthread_mutex_lock(&e->mu);
    uint64_t g = e->acct_gen;
    pthread_mutex_unlock(&e->mu);
    return g;
}

int hdb__branch_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 1 || n > HDB_MAX_BRANCH_NAME)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == '/'))
            return 0;
    }
    return 1;
}

int hdb__brec_decode(const uint8_t *v, size_t n, hdb_brec *r)
{
    memset(r, 0, sizeof *r);
    if (n < BREC_FIXED + 2 || v[0] != 2)
        return HDB_CORRUPT;
    r->obj = hdb__ref_get(v + 1);
    r->base = hdb__ref_get(v + 13);
    r->id = hdb__get64(v + 25);
    r->fork_lsn = hdb__get64(v + 33);
    r->head_lsn = hdb__get64(v + 41);
    r->created_us = (int64_t)hdb__get64(v + 49);
    r->read_only = v[57];
    size_t p = v[58];
    if (p > HDB_MAX_BRANCH_NAME || BREC_FIXED + p + 2 > n)
        return HDB_CORRUPT;
    memcpy(r->parent, v + BREC_FIXED, p);
    r->parent[p] = 0;
    r->desc_len = hdb__get16(v + BREC_FIXED + p);
    size_t end = BREC_FIXED + p + 2 + r->desc_len;
    if (end != n && (end + BREC_ACCT != n || v[end] != 1))
        return HDB_CORRUPT;
    r->desc = (char *)(v + BREC_FIXED + p + 2);
    if (end != n) {
        r->acct = 1;
        r->tot = hdb__get64(v + end + 1);
        r->lat = hdb__get64(v + end + 9);
        r->gen = hdb__get64(v + end + 17);
    }
    return HDB_OK;
}

static int brec_get(hdb_txn *t, const char *name, hdb_brec *r, hdb_btval *v);

/* The committed record of a branch (the state before this transaction). */
static int brec_committed(hdb_txn *t, const char *name, hdb_brec *r)
{
    hdb_btval v;
    pthread_mutex_lock(&t->e->mu);
    hdb_ref reg = t->e->reg;
    pthread_mutex_unlock(&t->e->mu);
    int rc = hdb__bt_get(&t->e->bt, reg, name, strlen(name), &v);
    if (rc == HDB_OK) {
        rc = hdb__brec_decode(v.data, v.size, r);
        r->desc = NULL;
        hdb__btval_release(&t->e->bt, &v);
    }
    return rc;
}

/* A recount kept for this generation (check.c), if any. */
static int acct_cached(hdb_engine *e, hdb_ref obj, uint64_t gen, uint64_t *tot, uint64_t *lat)
{
    int hit = 0;
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->nacct && !hit; i++)
        if (hdb__ref_eq(e->acct[i].obj, obj) && e->acct[i].gen == gen) {
            *tot = e->acct[i].tot;
            *lat = e->acct[i].lat;
            hit = 1;
        }
    pthread_mutex_unlock(&e->mu);
    return hit;
}

/* Other branches whose regions may take pages the flushing one left. */
typedef struct holder {
    char name[HDB_MAX_BRANCH_NAME + 1];
    hdb_ref obj;
    int cached; /* its numbers are a recount kept in memory, not its record's */
    uint64_t credit;
} holder;

typedef struct credit_ctx {
    hdb_txn *t;
    holder *h;
    size_t n;
} credit_ctx;

/* The other branches of the committed registry with exact numbers. */
static int holders_load(hdb_txn *t, const char *self, uint64_t gen, credit_ctx *cc)
{
    hdb_btcur c;
    size_t cap = 0;
    int rc;
    pthread_mutex_lock(&t->e->mu);
    hdb_ref reg = t->e->reg;
    pthread_mutex_unlock(&t->e->mu);
    hdb__btcur_init(&c, &t->e->bt, reg);
    for (rc = hdb__btcur_first(&c); rc == HDB_OK; rc = hdb__btcur_next(&c)) {
        const uint8_t *k;
        size_t kn;
        hdb_btval v;
        hdb_brec r;
        if ((rc = hdb__btcur_key(&c, &k, &kn)) != HDB_OK || (rc = hdb__btcur_val(&c, &v)) != HDB_OK)
            break;
        rc = kn > HDB_MAX_BRANCH_NAME ? HDB_CORRUPT : hdb__brec_decode(v.data, v.size, &r);
        hdb__btval_release(&t->e->bt, &v);
        if (rc != HDB_OK)
            break;
        uint64_t ct, cl;
        int cached = !(r.acct && r.gen == gen);
        if ((kn == strlen(self) && !memcmp(k, self, kn)) || !r.obj.pgno ||
            (cached && !acct_cached(t->e, r.obj, gen, &ct, &cl)))
            continue;
        if (cc->n == cap) {
            cap = cap ? cap * 2 : 8;
            holder *nh = hdb__realloc(t->e->mem, cc->h, cap * sizeof *nh);
            if (!nh) {
                rc = HDB_NOMEM;
                break;
            }
            cc->h = nh;
        }
        holder *h = &cc->h[cc->n++];
        memcpy(h->name, k, kn);
        h->name[kn] = 0;
        h->obj = r.obj;
        h->cached = cached;
        h->credit = 0;
    }
    hdb__btcur_reset(&c);
    return rc == HDB_NOTFOUND ? HDB_OK : rc;
}

/* A page left the flushing branch and has one other holder: the regions
 * that hold it (at the same place of the same keyspace) take it, with what
 * it alone reaches. */
static int credit_fn(void *ctx, const hdb_szpos *pos, hdb_ref q)
{
    credit_ctx *cc = ctx;
    hdb_bt *bt = &cc->t->e->bt;
    uint64_t tot, lat = 0;
    int have = 0;
    for (size_t i = 0; i < cc->n; i++) {
        int holds;
        int rc = hdb__bt_size_holds(bt, cc->h[i].obj, pos, q, &holds);
        if (rc != HDB_OK)
            return rc;
        if (!holds)
            continue;
        if (!have && (rc = hdb__bt_size_walk(bt, q, &tot, &lat)) != HDB_OK)
            return rc;
        have = 1;
        cc->h[i].credit += lat;
    }
    return HDB_OK;
}

static void add_credit(hdb_brec *r, const void *arg) { r->lat += *(const uint64_t *)arg; }

static int brec_update(hdb_txn *t, const char *name, void (*fn)(hdb_brec *, const void *),
                       const void *arg);

/* The flush stores the branch's new object root: move its numbers by what
 * the transaction changed since the committed state, and credit the pages
 * it left to the other branches that now hold them alone. */
static int acct_flush(hdb_txn *t, const char *name, hdb_brec *r)
{
    hdb_brec c;
    hdb_szdelta d;
    credit_ctx cc = {t, NULL, 0};
    uint64_t g = acct_gen(t->e);
    r->acct = 0;
    if (t->scratch)
        return HDB_OK; /* a reconstruction of the past: discarded anyway */
    if (t->acct_skip || t->writes > ACCT_MAX_WRITES) {
        hdb__acct_bump(t->e);
        return HDB_OK;
    }
    int rc = brec_committed(t, name, &c);
    if (rc == HDB_NOTFOUND) { /* created in this transaction */
        hdb_btval v;
        if ((rc = brec_get(t, name, &c, &v)) != HDB_OK)
            return rc;
        hdb__btval_release(&t->e->bt, &v);
        if (c.obj.pgno && c.obj.birth == t->lsn)
            return HDB_OK; /* its old state is not committed: unknown */
    }
    if (rc != HDB_OK)
        return rc;
    int exact = c.acct && c.gen == g;
    if (!exact && c.obj.pgno && acct_cached(t->e, c.obj, g, &c.tot, &c.lat))
        exact = 1;
    if (!c.obj.pgno)
        c.tot = c.lat = 0, exact = 1;
    rc = holders_load(t, name, g, &cc);
    if (rc == HDB_OK)
        rc = hdb__bt_size_delta(&t->e->bt, t->lsn, c.obj, r->obj, &d, credit_fn, &cc);
    for (size_t i = 0; rc == HDB_OK && i < cc.n; i++) {
        holder *h = &cc.h[i];
        int dup = 0;
        for (size_t j = 0; j < i && h->cached; j++)
            dup |= cc.h[j].cached && cc.h[j].obj.pgno == h->obj.pgno;
        if (!h->credit || dup)
            continue;
        if (h->cached)
            hdb__acct_cache_add(t->e, h->obj, g, h->credit);
        else
            rc = brec_update(t, h->name, add_credit, &h->credit);
    }
    hdb__free(t->e->mem, cc.h);
    if (rc != HDB_OK)
        return rc;
    if (d.cross || d.unknown)
        hdb__acct_bump(t->e);
    if (!exact || d.unknown)
        return HDB_OK;
    r->acct = 1;
    r->tot = c.tot + d.born + d.adopted - d.left;
    r->lat = d.root_shared ? d.born + d.adopted_lat : c.lat + d.born - d.freed + d.adopted_lat;
    r->gen = acct_gen(t->e);
    return HDB_OK;
}

/* Store a record.  Its refs are taken (HDB_BT_REFS); with HDB_BT_TRANSFER
 * the old record's refs are not released (they moved to the new one).
 * Called by the flush (HDB_BT_TRANSFER without BRW_ACCT), the record's
 * size accounting is brought up to date here. */
int hdb__brec_write(hdb_txn *t, const char *name, const hdb_brec *r, unsigned flags)
{
    hdb_brec ar = *r;
    int rc;
    if ((flags & HDB_BT_TRANSFER) && !(flags & BRW_ACCT)) {
        if ((rc = acct_flush(t, name, &ar)) != HDB_OK)
            return t->failed = rc;
    } else if (!(flags & BRW_ACCT) && !r->acct) {
        hdb__acct_bump(t->e); /* made from a reconstruction (history.c) */
    }
    r = &ar;
    flags &= ~(unsigned)BRW_ACCT;
    size_t p = strlen(r->parent), n = BREC_FIXED + p + 2 + r->desc_len + (r->acct ? BREC_ACCT : 0);
    uint8_t *v = hdb__malloc(t->e->mem, n);
    if (!v)
        return HDB_NOMEM;
    v[0] = 2;
    hdb__ref_put(v + 1, r->obj);
    hdb__ref_put(v + 13, r->base);
    hdb__put64(v + 25, r->id);
    hdb__put64(v + 33, r->fork_lsn);
    hdb__put64(v + 41, r->head_lsn);
    hdb__put64(v + 49, (uint64_t)r->created_us);
    v[57] = (uint8_t)r->read_only;
    v[58] = (uint8_t)p;
    memcpy(v + BREC_FIXED, r->parent, p);
    hdb__put16(v + BREC_FIXED + p, (uint16_t)r->desc_len);
    if (r->desc_len)
        memcpy(v + BREC_FIXED + p + 2, r->desc, r->desc_len);
    if (r->acct) {
        uint8_t *a = v + BREC_FIXED + p + 2 + r->desc_len;
        a[0] = 1;
        hdb__put64(a + 1, r->tot);
        hdb__put64(a + 9, r->lat);
        hdb__put64(a + 17, r->gen);
    }
    hdb__txn_drop_last(t);
    rc = hdb__bt_put(&t->e->bt, &t->reg, name, strlen(name), v, n, HDB_BT_REFS | flags);
    hdb__free(t->e->mem, v);
    return rc;
}

/* Read a branch's record; the caller releases v. */
static int brec_get(hdb_txn *t, const char *name, hdb_brec *r, hdb_btval *v)
{
    int rc = hdb__bt_get(&t->e->bt, t->reg, name, strlen(name), v);
    if (rc == HDB_OK && hdb__brec_decode(v->data, v->size, r) != HDB_OK) {
        hdb__btval_release(&t->e->bt, v);
        rc = hdb__pager_corrupt(t->e->pager, "branch '%s': damaged record", name);
    }
    return rc;
}

static void put_str(hdb_buf *b, const char *s)
{
    uint8_t n = (uint8_t)strlen(s);
    hdb__buf_append(b, &n, 1);
    hdb__buf_append(b, s, n);
}

int hdb__brec_log_create(hdb_txn *t, const char *name, const char *from, const hdb_brec *r,
                         int as_of)
{
    hdb_buf b;
    uint8_t w[8];
    hdb__buf_init(&b, t->e->mem);
    put_str(&b, name);
    put_str(&b, from);
    hdb__put64(w, r->id);
    hdb__buf_append(&b, w, 8);
    hdb__put64(w, (uint64_t)r->created_us);
    hdb__buf_append(&b, w, 8);
    w[0] = (uint8_t)r->read_only;
    hdb__buf_append(&b, w, 1);
    hdb__put64(w, r->fork_lsn);
    hdb__buf_append(&b, w, 8);
    hdb__put16(w, (uint16_t)r->desc_len);
    hdb__buf_append(&b, w, 2);
    hdb__buf_append(&b, r->desc, r->desc_len);
    w[0] = (uint8_t)as_of;
    hdb__buf_append(&b, w, 1);
    int rc = b.oom ? HDB_NOMEM : hdb__txn_log(t, HDB_REC_BR_CREATE, b.data, b.len, NULL, 0);
    hdb__buf_free(&b);
    return rc;
}

/* Create `name` as a copy of `from`'s current state (O(1): two increments).
 * With from == NULL an empty branch is made (the first "main"). */
int hdb__br_create(hdb_txn *t, const char *name, const char *from, uint64_t id, int64_t created,
                   int ro, uint64_t fork_lsn, const char *desc, size_t dlen)
{
    hdb_brec r, src;
    hdb_btval v = {0}, sv = {0};
    int rc = brec_get(t, name, &r, &v);
    if (rc == HDB_OK) {
        hdb__btval_release(&t->e->bt, &v);
        return HDB_EXISTS;
    }
    if (rc != HDB_NOTFOUND)
        return rc;
    memset(&r, 0, sizeof r);
    if (from) {
        if ((rc = brec_get(t, from, &src, &sv)) != HDB_OK)
            return rc;
        r.obj = r.base = src.obj;
        /* The same root: the same pages, the same region. */
        r.acct = src.acct;
        r.tot = src.tot;
        r.lat = src.lat;
        r.gen = src.gen;
        snprintf(r.parent, sizeof r.parent, "%s", from);
        hdb__btval_release(&t->e->bt, &sv);
        /* The registry path to `from` is private (its leaf is read, not
         * shared in this transaction), so the new pointers are counted here. */
        if (r.obj.pgno && (rc = hdb__pager_incr(t->e->pager, r.obj.pgno)) == HDB_OK)
            rc = hdb__pager_incr(t->e->pager, r.obj.pgno);
        if (rc != HDB_OK)
            return t->failed = rc;
    }
    if (!from) {
        r.acct = 1;
        r.gen = acct_gen(t->e);
    }
    if (dlen > 65535)
        dlen = 65535;
    r.id = id;
    r.fork_lsn = fork_lsn;
    r.head_lsn = fork_lsn;
    r.created_us = created;
    r.read_only = ro;
    r.desc = (char *)desc;
    r.desc_len = dlen;
    if (id >= t->next_branch)
        t->next_branch = id + 1;
    rc = hdb__brec_write(t, name, &r, BRW_ACCT);
    if (rc == HDB_OK)
        rc = hdb__brec_log_create(t, name, from ? from : "", &r, 0);
    if (rc != HDB_OK)
        t->failed = rc;
    return rc;
}

int hdb__br_drop(hdb_txn *t, const char *name)
{
    hdb_buf b;
    hdb__txn_drop_last(t);
    int rc = hdb__bt_del(&t->e->bt, &t->reg, name, strlen(name), 0);
    if (rc != HDB_OK)
        return rc == HDB_NOTFOUND ? rc : (t->failed = rc);
    hdb__acct_bump(t->e); /* pages it shared may now be another branch's alone */
    hdb__buf_init(&b, t->e->mem);
    put_str(&b, name);
    rc = b.oom ? HDB_NOMEM : hdb__txn_log(t, HDB_REC_BR_DROP, b.data, b.len, NULL, 0);
    hdb__buf_free(&b);
    if (rc != HDB_OK)
        t->failed = rc;
    return rc;
}

/* Rewrite a record with a change applied by fn. */
static int brec_update(hdb_txn *t, const char *name, void (*fn)(hdb_brec *, const void *),
                       const void *arg)
{
    hdb_brec r;
    hdb_btval v;
    int rc = brec_get(t, name, &r, &v);
    if (rc != HDB_OK)
        return rc;
    char *desc = r.desc_len ? hdb__memdup(t->e->mem, r.desc, r.desc_len) : NULL;
    hdb__btval_release(&t->e->bt, &v);
    if (r.desc_len && !desc)
        return HDB_NOMEM;
    r.desc = desc;
    fn(&r, arg);
    rc = hdb__brec_write(t, name, &r, HDB_BT_TRANSFER | BRW_ACCT);
    hdb__free(t->e->mem, desc);
    if (rc != HDB_OK)
        t->failed = rc;
    return rc;
}

static void set_ro(hdb_brec *r, const void *arg) { r->read_only = *(const int *)arg; }

int hdb__br_set_ro(hdb_txn *t, const char *name, int ro)
{
    hdb_buf b;
    int rc = brec_update(t, name, set_ro, &ro);
    if (rc != HDB_OK)
        return rc;
    uint8_t f = (uint8_t)ro;
    hdb__buf_init(&b, t->e->mem);
    put_str(&b, name);
    hdb__buf_append(&b, &f, 1);
    rc = b.oom ? HDB_NOMEM : hdb__txn_log(t, HDB_REC_BR_RO, b.data, b.len, NULL, 0);
    hdb__buf_free(&b);
    return rc;
}

static void set_base(hdb_brec *r, const void *arg) { r->base = *(const hdb_ref *)arg; }

/* Set name's merge base to other's current state (after a merge). */
int hdb__br_set_base(hdb_txn *t, const char *name, const char *other)
{
    hdb_brec r, o;
    hdb_btval v, ov;
    hdb_buf b;
    int rc = brec_get(t, other, &o, &ov);
    if (rc != HDB_OK)
        return rc;
    hdb__btval_release(&t->e->bt, &ov);
    if ((rc = brec_get(t, name, &r, &v)) != HDB_OK)
        return rc;
    hdb_ref old = r.base;
    hdb__btval_release(&t->e->bt, &v);
    /* The new base is one more pointer; the old one is released after the
     * record no longer names it. */
    if (o.obj.pgno && (rc = hdb__pager_incr(t->e->pager, o.obj.pgno)) != HDB_OK)
        return t->failed = rc;
    if ((rc = brec_update(t, name, set_base, &o.obj)) == HDB_OK && old.pgno)
        rc = hdb__bt_release(&t->e->bt, old);
    hdb__acct_bump(t->e); /* the old base may have shared pages */
    if (rc != HDB_OK)
        return t->failed = rc;
    hdb__buf_init(&b, t->e->mem);
    put_str(&b, name);
    put_str(&b, other);
    rc = b.oom ? HDB_NOMEM : hdb__txn_log(t, HDB_REC_BR_BASE, b.data, b.len, NULL, 0);
    hdb__buf_free(&b);
    return rc;
}

/* The state and size of another branch's record. */
static void set_obj(hdb_brec *r, const void *arg)
{
    const hdb_brec *o = arg;
    r->obj = o->obj;
    r->acct = o->acct;
    r->tot = o->tot;
    r->lat = o->lat;
    r->gen = o->gen;
}

/* Fast-forward: name's state := from's state (one more reference to it). */
int hdb__br_adopt(hdb_txn *t, const char *name, const char *from)
{
    hdb_brec r, o;
    hdb_btval v, ov;
    hdb_buf b;
    int rc = hdb__txn_flush(t);
    if (rc == HDB_OK)
        rc = brec_get(t, from, &o, &ov);
    if (rc != HDB_OK)
        return rc;
    hdb__btval_release(&t->e->bt, &ov);
    if ((rc = brec_get(t, name, &r, &v)) != HDB_OK)
        return rc;
    hdb_ref old = r.obj;
    hdb__btval_release(&t->e->bt, &v);
    if (o.obj.pgno && (rc = hdb__pager_incr(t->e->pager, o.obj.pgno)) != HDB_OK)
        return t->failed = rc;
    if ((rc = brec_update(t, name, set_obj, &o)) == HDB_OK && old.pgno)
        rc = hdb__bt_release(&t->e->bt, old);
    hdb__acct_bump(t->e); /* the old state may have shared pages */
    if (rc != HDB_OK)
        return t->failed = rc;
    t->obj_loaded = 0;
    hdb__buf_init(&b, t->e->mem);
    put_str(&b, name);
    put_str(&b, from);
    rc = b.oom ? HDB_NOMEM : hdb__txn_log(t, HDB_REC_BR_ADOPT, b.data, b.len, NULL, 0);
    hdb__buf_free(&b);
    return rc;
}
