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
**
** HOW IT WORKS
**   Creating a branch adds one registry entry whose two refs point to the
**   source's object root: two count increments, whatever the size of the
**   data.  Dropping deletes the entry; releasing its refs frees exactly the
**   pages no other branch (or retained history) reaches.
*/
#include <string.h>
#include "src/engine.h"

#define BREC_FIXED 59

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
    if (BREC_FIXED + p + 2 + r->desc_len != n)
        return HDB_CORRUPT;
    r->desc = (char *)(v + BREC_FIXED + p + 2);
    return HDB_OK;
}

/* Store a record.  Its refs are taken (HDB_BT_REFS); with HDB_BT_TRANSFER
 * the old record's refs are not released (they moved to the new one). */
int hdb__brec_write(hdb_txn *t, const char *name, const hdb_brec *r, unsigned flags)
{
    size_t p = strlen(r->parent), n = BREC_FIXED + p + 2 + r->desc_len;
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
    hdb__txn_drop_last(t);
    int rc = hdb__bt_put(&t->e->bt, &t->reg, name, strlen(name), v, n, HDB_BT_REFS | flags);
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
        snprintf(r.parent, sizeof r.parent, "%s", from);
        hdb__btval_release(&t->e->bt, &sv);
        /* The registry path to `from` is private (its leaf is read, not
         * shared in this transaction), so the new pointers are counted here. */
        if (r.obj.pgno && (rc = hdb__pager_incr(t->e->pager, r.obj.pgno)) == HDB_OK)
            rc = hdb__pager_incr(t->e->pager, r.obj.pgno);
        if (rc != HDB_OK)
            return t->failed = rc;
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
    rc = hdb__brec_write(t, name, &r, 0);
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
    rc = hdb__brec_write(t, name, &r, HDB_BT_TRANSFER);
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
    if (rc != HDB_OK)
        return t->failed = rc;
    hdb__buf_init(&b, t->e->mem);
    put_str(&b, name);
    put_str(&b, other);
    rc = b.oom ? HDB_NOMEM : hdb__txn_log(t, HDB_REC_BR_BASE, b.data, b.len, NULL, 0);
    hdb__buf_free(&b);
    return rc;
}

static void set_obj(hdb_brec *r, const void *arg) { r->obj = *(const hdb_ref *)arg; }

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
    if ((rc = brec_update(t, name, set_obj, &o.obj)) == HDB_OK && old.pgno)
        rc = hdb__bt_release(&t->e->bt, old);
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
