/*
** api_kv.c — keyspaces, keys and cursors of the public API.
**
** CURSORS
**   A cursor remembers the key it is on (a copy, which hdb_cursor_get lends)
**   and the transaction's change counter when it got there.  Before every
**   write the transaction unpins all its cursors (the write may change or
**   free their pages); a cursor that finds the counter moved seeks its key
**   again, so it continues from the key it was on, or the next one if that
**   was deleted.
*/
#include <string.h>
#include "src/engine.h"

struct hdb_cursor {
    hdb_txn *t; /* NULL once the transaction ended: the cursor is dead */
    const hdb_allocator *mem;
    struct hdb_cursor *next;
    uint32_t ks;
    hdb_btcur c;
    hdb_btval val; /* an overflow value lent by hdb_cursor_get() */
    uint64_t stamp;
    uint8_t *key;
    size_t kn, kcap;
    int on; /* positioned on a key */
};

static int txn_err(hdb_txn *t, int rc, const char *what)
{
    if (rc == HDB_OK || rc == HDB_NOTFOUND)
        return rc;
    if (rc == HDB_CORRUPT)
        return hdb__seterr(t->db, rc, "%s: %s", what, hdb__pager_errmsg(t->e->pager));
    if (rc == HDB_READONLY)
        return hdb__seterr(t->db, rc, "%s: branch '%s' is read only", what, t->branch);
    return hdb__seterr(t->db, rc, "%s: %s", what, hdb_errstr(rc));
}

int hdb_ks_open(hdb_txn *t, const char *name, unsigned flags, uint32_t *ks)
{
    if (!t || !ks)
        return HDB_MISUSE;
    size_t n = name ? strlen(name) : 0;
    if (n < 1 || n > HDB_MAX_KS_NAME)
        return hdb__seterr(t->db, HDB_MISUSE, "keyspace names are 1 to %d bytes", HDB_MAX_KS_NAME);
    int rc = hdb__ks_lookup(t, name, ks);
    if (rc == HDB_NOTFOUND && (flags & HDB_CREATE)) {
        if (!t->write)
            return hdb__seterr(t->db, HDB_READONLY, "cannot create keyspace '%s' in a read transaction", name);
        if ((rc = hdb__ks_create(t, name, 0)) == HDB_OK)
            rc = hdb__ks_lookup(t, name, ks);
    }
    if (rc == HDB_NOTFOUND)
        return hdb__seterr(t->db, rc, "no keyspace '%s' on branch '%s'", name, t->branch);
    return txn_err(t, rc, "keyspace");
}

int hdb_ks_drop(hdb_txn *t, const char *name)
{
    uint32_t id;
    if (!t)
        return HDB_MISUSE;
    int rc = hdb__ks_lookup(t, name, &id);
    if (rc == HDB_OK)
        rc = hdb__ks_drop_id(t, id);
    if (rc == HDB_NOTFOUND)
        return hdb__seterr(t->db, rc, "no keyspace '%s'", name ? name : "");
    return txn_err(t, rc, "drop keyspace");
}

int hdb_ks_rename(hdb_txn *t, const char *from, const char *to)
{
    uint32_t id;
    if (!t)
        return HDB_MISUSE;
    int rc = hdb__ks_lookup(t, from, &id);
    if (rc == HDB_OK)
        rc = hdb__ks_rename_id(t, id, to);
    if (rc == HDB_EXISTS)
        return hdb__seterr(t->db, rc, "keyspace '%s' exists", to);
    return txn_err(t, rc, "rename keyspace");
}

int hdb_ks_list(hdb_txn *t, char ***names, size_t *n)
{
    hdb_btcur c;
    uint8_t first = HDB_OBJ_NAME;
    hdb_buf b;
    size_t cnt = 0;
    if (!t || !names || !n)
        return HDB_MISUSE;
    *names = NULL;
    *n = 0;
    int rc = hdb__txn_flush(t);
    if (rc == HDB_OK)
        rc = hdb__txn_branch(t, 0);
    if (rc != HDB_OK)
        return txn_err(t, rc, "list keyspaces");
    hdb__buf_init(&b, NULL);
    hdb__btcur_init(&c, &t->e->bt, t->obj);
    int exact;
    rc = hdb__btcur_seek(&c, &first, 1, &exact);
    while (rc == HDB_OK) {
        const uint8_t *k;
        size_t kn;
        if ((rc = hdb__btcur_key(&c, &k, &kn)) != HDB_OK || k[0] != HDB_OBJ_NAME)
            break;
        hdb__buf_append(&b, k + 1, kn - 1);
        hdb__buf_append(&b, "", 1);
        cnt++;
        rc = hdb__btcur_next(&c);
    }
    hdb__btcur_reset(&c);
    if (rc == HDB_NOTFOUND)
        rc = HDB_OK;
    if (rc == HDB_OK && b.oom)
        rc = HDB_NOMEM;
    /* One allocation: the pointer array, then the names. */
    char **v = rc == HDB_OK ? malloc((cnt + 1) * sizeof *v + b.len + 1) : NULL;
    if (rc == HDB_OK && !v)
        rc = HDB_NOMEM;
    if (rc == HDB_OK) {
        char *s = (char *)(v + cnt + 1);
        if (b.len)
            memcpy(s, b.data, b.len);
        for (size_t i = 0; i < cnt; i++) {
            v[i] = s;
            s += strlen(s) + 1;
        }
        v[cnt] = NULL;
        *names = v;
        *n = cnt;
    }
    hdb__buf_free(&b);
    return txn_err(t, rc, "list keyspaces");
}

int hdb_put(hdb_txn *t, uint32_t ks, hdb_val key, hdb_val val)
{
    if (!t || (!key.data && key.size) || (!val.data && val.size))
        return HDB_MISUSE;
    if (!t->write)
        return hdb__seterr(t->db, HDB_READONLY, "put in a read transaction");
    int rc = hdb__kv_put(t, ks, key.data, key.size, val.data, val.size);
    if (rc == HDB_RANGE)
        return hdb__seterr(t->db, rc, "key of %zu bytes (1..%zu) or value of %zu bytes (max %u)",
                           key.size, t->e->bt.max_key, val.size, HDB_MAX_VALUE);
    if (rc == HDB_NOTFOUND)
        return hdb__seterr(t->db, rc, "no keyspace %u", ks);
    return txn_err(t, rc, "put");
}

int hdb_get(hdb_txn *t, uint32_t ks, hdb_val key, hdb_val *val)
{
    hdb_ksroot *r;
    if (!t || !val || (!key.data && key.size))
        return HDB_MISUSE;
    hdb__btval_release(&t->e->bt, &t->last);
    if (key.size == 0 || key.size > t->e->bt.max_key)
        return HDB_NOTFOUND;
    int rc = hdb__txn_ks(t, ks, 0, &r);
    if (rc == HDB_OK)
        rc = hdb__bt_get(&t->e->bt, r->root, key.data, key.size, &t->last);
    if (rc == HDB_OK) {
        val->data = t->last.data ? t->last.data : (const void *)"";
        val->size = t->last.size;
    }
    return txn_err(t, rc, "get");
}

int hdb_del(hdb_txn *t, uint32_t ks, hdb_val key)
{
    if (!t || (!key.data && key.size))
        return HDB_MISUSE;
    if (!t->write)
        return hdb__seterr(t->db, HDB_READONLY, "delete in a read transaction");
    return txn_err(t, hdb__kv_del(t, ks, key.data, key.size), "delete");
}

size_t hdb_max_key(const hdb *db) { return db ? db->e->bt.max_key : 0; }

int hdb_next_id(hdb_txn *t, uint64_t *id)
{
    uint8_t w[8];
    if (!t || !id)
        return HDB_MISUSE;
    if (!t->write)
        return hdb__seterr(t->db, HDB_READONLY, "hdb_next_id in a read transaction");
    if (t->next_id == UINT64_MAX)
        return hdb__seterr(t->db, HDB_FULL, "the id counter is exhausted");
    hdb__put64(w, t->next_id + 1);
    int rc = hdb__txn_log(t, HDB_REC_NEXT_ID, w, 8, NULL, 0);
    if (rc == HDB_OK)
        *id = t->next_id++;
    return txn_err(t, rc, "next id");
}

/* ------------------------------------------------------------------------
** Cursors
*/
void hdb__cursor_unpin_all(hdb_txn *t)
{
    for (hdb_cursor *c = t->cursors; c; c = c->next) {
        hdb__btval_release(&t->e->bt, &c->val);
        hdb__btcur_reset(&c->c);
    }
}

int hdb_cursor_open(hdb_txn *t, uint32_t ks, hdb_cursor **out)
{
    hdb_ksroot *r;
    if (!t || !out)
        return HDB_MISUSE;
    *out = NULL;
    int rc = hdb__txn_ks(t, ks, 0, &r);
    if (rc != HDB_OK)
        return rc == HDB_NOTFOUND ? hdb__seterr(t->db, rc, "no keyspace %u", ks)
                                  : txn_err(t, rc, "cursor");
    hdb_cursor *c = hdb__zalloc(t->e->mem, sizeof *c);
    if (!c)
        return HDB_NOMEM;
    c->t = t;
    c->mem = t->e->mem;
    c->ks = ks;
    hdb__btcur_init(&c->c, &t->e->bt, r->root);
    c->next = t->cursors;
    t->cursors = c;
    *out = c;
    return HDB_OK;
}

/* The transaction ends: its cursors stay allocated until closed, dead. */
void hdb__cursor_detach_all(hdb_txn *t)
{
    hdb__cursor_unpin_all(t);
    for (hdb_cursor *c = t->cursors; c; c = c->next)
        c->t = NULL;
    t->cursors = NULL;
}

void hdb_cursor_close(hdb_cursor *c)
{
    if (!c)
        return;
    if (c->t) {
        hdb__btval_release(&c->t->e->bt, &c->val);
        hdb__btcur_reset(&c->c);
        for (hdb_cursor **pp = &c->t->cursors; *pp; pp = &(*pp)->next)
            if (*pp == c) {
                *pp = c->next;
                break;
            }
    }
    hdb__free(c->mem, c->key);
    hdb__free(c->mem, c);
}

/* Point the tree cursor at the keyspace's current root. */
static int rebase(hdb_cursor *c)
{
    hdb_ksroot *r;
    int rc = hdb__txn_ks(c->t, c->ks, 0, &r);
    if (rc != HDB_OK)
        return rc;
    hdb__btval_release(&c->t->e->bt, &c->val);
    hdb__btcur_reset(&c->c);
    hdb__btcur_init(&c->c, &c->t->e->bt, r->root);
    return HDB_OK;
}

/* After a move: remember the key (or that there is none). */
static int settle(hdb_cursor *c, int rc)
{
    const uint8_t *k;
    size_t kn;
    c->on = 0;
    c->stamp = c->t->writes;
    hdb__btval_release(&c->t->e->bt, &c->val);
    if (rc == HDB_OK)
        rc = hdb__btcur_key(&c->c, &k, &kn);
    if (rc == HDB_OK) {
        if (kn > c->kcap) {
            uint8_t *nk = hdb__realloc(c->t->e->mem, c->key, kn);
            if (!nk)
                return HDB_NOMEM;
            c->key = nk;
            c->kcap = kn;
        }
        memcpy(c->key, k, kn);
        c->kn = kn;
        c->on = 1;
    }
    return txn_err(c->t, rc, "cursor");
}

int hdb_cursor_first(hdb_cursor *c)
{
    if (!c || !c->t)
        return HDB_MISUSE;
    int rc = rebase(c);
    return settle(c, rc == HDB_OK ? hdb__btcur_first(&c->c) : rc);
}

int hdb_cursor_last(hdb_cursor *c)
{
    if (!c || !c->t)
        return HDB_MISUSE;
    int rc = rebase(c);
    return settle(c, rc == HDB_OK ? hdb__btcur_last(&c->c) : rc);
}

int hdb_cursor_seek(hdb_cursor *c, hdb_val key)
{
    int exact;
    if (!c || !c->t || (!key.data && key.size))
        return HDB_MISUSE;
    int rc = rebase(c);
    if (rc == HDB_OK)
        rc = hdb__btcur_seek(&c->c, key.data, key.size, &exact);
    return settle(c, rc);
}

/* Is the tree cursor still usable, or must the key be sought again?
 * *exact tells whether the remembered key is still there. */
static int refresh(hdb_cursor *c, int *exact)
{
    *exact = 1;
    if (c->stamp == c->t->writes && c->c.depth > 0)
        return HDB_OK;
    int rc = rebase(c);
    if (rc == HDB_OK)
        rc = hdb__btcur_seek(&c->c, c->key, c->kn, exact);
    return rc;
}

int hdb_cursor_next(hdb_cursor *c)
{
    int exact;
    if (!c || !c->t)
        return HDB_MISUSE;
    if (!c->on)
        return HDB_NOTFOUND;
    int rc = refresh(c, &exact);
    if (rc == HDB_OK && exact)
        rc = hdb__btcur_next(&c->c);
    return settle(c, rc);
}

int hdb_cursor_prev(hdb_cursor *c)
{
    int exact;
    if (!c || !c->t)
        return HDB_MISUSE;
    if (!c->on)
        return HDB_NOTFOUND;
    int rc = refresh(c, &exact);
    if (rc == HDB_NOTFOUND) /* every key is below the remembered one */
        rc = hdb__btcur_last(&c->c);
    else if (rc == HDB_OK)
        rc = hdb__btcur_prev(&c->c);
    return settle(c, rc);
}

/* The value at the cursor.  One inside the leaf is lent as it is there:
 * the cursor's path keeps the leaf pinned until the cursor moves or the
 * transaction writes, which is as long as a value is lent.  An overflow
 * value is read into c->val. */
static int cursor_val(hdb_cursor *c, hdb_val *val)
{
    hdb_btcur *bc = &c->c;
    hdb_cell cell;
    if (!bc->valid)
        return HDB_NOTFOUND;
    int rc = hdb__node_cell(bc->t, bc->path[bc->depth - 1].pg->data,
                            (unsigned)bc->path[bc->depth - 1].idx, &cell);
    if (rc == HDB_OK && (cell.flags & HDB_CELL_OVERFLOW)) {
        rc = hdb__btcur_val(bc, &c->val);
        if (rc == HDB_OK) {
            val->data = c->val.data ? c->val.data : (const void *)"";
            val->size = c->val.size;
        }
        return rc;
    }
    if (rc == HDB_OK) {
        val->data = cell.val;
        val->size = cell.vlen;
    }
    return rc;
}

/* The key lent is the cursor's own copy of it (settle), which lives until
 * the cursor moves. */
int hdb_cursor_get(hdb_cursor *c, hdb_val *key, hdb_val *val)
{
    int exact;
    if (!c || !c->t || !key)
        return HDB_MISUSE;
    if (!c->on)
        return HDB_NOTFOUND;
    int rc = refresh(c, &exact);
    if (rc == HDB_OK && !exact && (rc = settle(c, HDB_OK)) != HDB_OK)
        return rc;
    if (rc == HDB_OK && val) {
        hdb__btval_release(&c->t->e->bt, &c->val);
        rc = cursor_val(c, val);
    }
    if (rc == HDB_OK) {
        key->data = c->key;
        key->size = c->kn;
    }
    if (rc == HDB_NOTFOUND)
        c->on = 0;
    return txn_err(c->t, rc, "cursor");
}
