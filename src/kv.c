/*
** kv.c — keyspaces and keys: the operations behind hdb_put/get/del and
** hdb_ks_*, shared by the API and by log replay (engine.h, invariant 2).
**
** Every change is validated before the tree is touched, applied to the
** tree, and then logged; a failure after the tree changed marks the
** transaction failed (txn.c).
*/
#include <string.h>
#include "src/engine.h"

/* Start a record: u8 length + branch name, then u32 BE keyspace id. */
static void rec_head(hdb_buf *b, const hdb_txn *t, uint32_t ks)
{
    uint8_t n = (uint8_t)strlen(t->branch), id[4];
    hdb__buf_append(b, &n, 1);
    hdb__buf_append(b, t->branch, n);
    hdb__put32be(id, ks);
    hdb__buf_append(b, id, 4);
}

static void put_name(hdb_buf *b, const char *s)
{
    uint8_t n = (uint8_t)strlen(s);
    hdb__buf_append(b, &n, 1);
    hdb__buf_append(b, s, n);
}

static int fail(hdb_txn *t, int rc)
{
    if (rc != HDB_OK && rc != HDB_NOTFOUND && rc != HDB_RANGE && rc != HDB_EXISTS &&
        rc != HDB_READONLY && rc != HDB_MISUSE)
        t->failed = rc;
    return rc;
}

int hdb__kv_put(hdb_txn *t, uint32_t ks, const void *k, size_t kn, const void *v, size_t vn)
{
    hdb_ksroot *r;
    if (kn == 0 || kn > t->e->bt.max_key || vn > HDB_MAX_VALUE)
        return HDB_RANGE;
    if (t->failed)
        return t->failed;
    int rc = hdb__txn_ks(t, ks, 1, &r);
    if (rc != HDB_OK)
        return fail(t, rc);
    hdb__txn_drop_last(t);
    rc = hdb__bt_put(&t->e->bt, &r->root, k, kn, v, vn, 0);
    if (rc != HDB_OK)
        return fail(t, rc);
    if (t->replay)
        return hdb__txn_log(t, HDB_REC_PUT, NULL, 0, NULL, 0); /* counts; writes nothing */
    hdb_buf b;
    uint8_t vi[10];
    hdb__buf_init(&b, t->e->mem);
    rec_head(&b, t, ks);
    hdb__buf_append(&b, vi, hdb__varint_put(vi, kn));
    hdb__buf_append(&b, k, kn);
    rc = b.oom ? HDB_NOMEM : hdb__txn_log(t, HDB_REC_PUT, b.data, b.len, v, vn);
    hdb__buf_free(&b);
    return fail(t, rc);
}

int hdb__kv_del(hdb_txn *t, uint32_t ks, const void *k, size_t kn)
{
    hdb_ksroot *r;
    hdb_btval v;
    if (kn == 0 || kn > t->e->bt.max_key)
        return HDB_NOTFOUND;
    if (t->failed)
        return t->failed;
    /* A miss must not copy any page: look first. */
    int rc = hdb__txn_ks(t, ks, 0, &r);
    if (rc == HDB_OK)
        rc = hdb__bt_get(&t->e->bt, r->root, k, kn, &v);
    if (rc != HDB_OK)
        return fail(t, rc);
    hdb__btval_release(&t->e->bt, &v);
    if ((rc = hdb__txn_ks(t, ks, 1, &r)) != HDB_OK)
        return fail(t, rc);
    hdb__txn_drop_last(t);
    if ((rc = hdb__bt_del(&t->e->bt, &r->root, k, kn, 0)) != HDB_OK)
        return fail(t, rc == HDB_NOTFOUND ? HDB_CORRUPT : rc);
    hdb_buf b;
    hdb__buf_init(&b, t->e->mem);
    rec_head(&b, t, ks);
    rc = b.oom ? HDB_NOMEM : hdb__txn_log(t, HDB_REC_DEL, b.data, b.len, k, kn);
    hdb__buf_free(&b);
    return fail(t, rc);
}

/* ------------------------------------------------------------------------
** Keyspaces
*/
static int name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n >= 1 && n <= HDB_MAX_KS_NAME;
}

static size_t name_key(uint8_t *key, const char *name)
{
    size_t n = strlen(name);
    key[0] = HDB_OBJ_NAME;
    memcpy(key + 1, name, n);
    return n + 1;
}

int hdb__ks_lookup(hdb_txn *t, const char *name, uint32_t *id)
{
    uint8_t key[1 + HDB_MAX_KS_NAME];
    hdb_btval v;
    if (!name_ok(name))
        return HDB_MISUSE;
    int rc = hdb__txn_branch(t, 0);
    if (rc == HDB_OK)
        rc = hdb__bt_get(&t->e->bt, t->obj, key, name_key(key, name), &v);
    if (rc != HDB_OK)
        return rc;
    if (v.size != 4)
        rc = hdb__pager_corrupt(t->e->pager, "keyspace name entry of %zu bytes", v.size);
    else
        *id = hdb__get32be(v.data);
    hdb__btval_release(&t->e->bt, &v);
    return rc;
}

/* Write the id entry (REFS: the tree root) and the name entry of a keyspace. */
static int ks_entries(hdb_txn *t, uint32_t id, hdb_ref root, const char *name, unsigned flags)
{
    uint8_t key[1 + HDB_MAX_KS_NAME], val[1 + HDB_REF_SIZE + HDB_MAX_KS_NAME], ik[5], iv[4];
    size_t nn = strlen(name);
    ik[0] = HDB_OBJ_ID;
    hdb__put32be(ik + 1, id);
    hdb__put32be(iv, id);
    val[0] = 1;
    hdb__ref_put(val + 1, root);
    memcpy(val + 1 + HDB_REF_SIZE, name, nn);
    int rc = hdb__bt_put(&t->e->bt, &t->obj, ik, 5, val, 1 + HDB_REF_SIZE + nn,
                         HDB_BT_REFS | flags);
    if (rc == HDB_OK)
        rc = hdb__bt_put(&t->e->bt, &t->obj, key, name_key(key, name), iv, 4, 0);
    return rc;
}

static int ks_log(hdb_txn *t, uint8_t type, uint32_t id, const char *name)
{
    hdb_buf b;
    hdb__buf_init(&b, t->e->mem);
    rec_head(&b, t, id);
    if (name) {
        uint8_t n = (uint8_t)strlen(name);
        hdb__buf_append(&b, &n, 1);
        hdb__buf_append(&b, name, n);
    }
    int rc = b.oom ? HDB_NOMEM : hdb__txn_log(t, type, b.data, b.len, NULL, 0);
    hdb__buf_free(&b);
    return rc;
}

/* Create keyspace `name`; id 0 draws a new id from the counter. */
int hdb__ks_create(hdb_txn *t, const char *name, uint32_t id)
{
    uint32_t old;
    if (!name_ok(name))
        return HDB_MISUSE;
    if (t->failed)
        return t->failed;
    int rc = hdb__ks_lookup(t, name, &old);
    if (rc == HDB_OK)
        return HDB_EXISTS;
    if (rc != HDB_NOTFOUND)
        return rc;
    if ((rc = hdb__txn_branch(t, 1)) != HDB_OK)
        return fail(t, rc);
    if (!id) {
        if (t->next_ks == 0 || t->next_ks > UINT32_MAX)
            return HDB_FULL;
        id = (uint32_t)t->next_ks;
    }
    if (id >= t->next_ks)
        t->next_ks = (uint64_t)id + 1;
    hdb_ref none = {0, 0};
    rc = ks_entries(t, id, none, name, 0);
    if (rc == HDB_OK)
        rc = ks_log(t, HDB_REC_KS_CREATE, id, name);
    return fail(t, rc);
}

/* The name stored in a keyspace's id entry. */
static int ks_name(hdb_txn *t, uint32_t id, char *name)
{
    uint8_t ik[5];
    hdb_btval v;
    ik[0] = HDB_OBJ_ID;
    hdb__put32be(ik + 1, id);
    int rc = hdb__bt_get(&t->e->bt, t->obj, ik, 5, &v);
    if (rc != HDB_OK)
        return rc;
    size_t n = v.size - 1 - HDB_REF_SIZE;
    if (v.size < 2 + HDB_REF_SIZE || n > HDB_MAX_KS_NAME)
        rc = hdb__pager_corrupt(t->e->pager, "keyspace %u: bad entry", id);
    else {
        memcpy(name, v.data + 1 + HDB_REF_SIZE, n);
        name[n] = 0;
    }
    hdb__btval_release(&t->e->bt, &v);
    return rc;
}

int hdb__ks_drop_id(hdb_txn *t, uint32_t id)
{
    char name[HDB_MAX_KS_NAME + 1];
    uint8_t key[1 + HDB_MAX_KS_NAME], ik[5];
    if (t->failed)
        return t->failed;
    /* Store the cached roots first: the delete releases what the entry names. */
    int rc = hdb__txn_flush(t);
    if (rc == HDB_OK)
        rc = hdb__txn_branch(t, 1);
    if (rc == HDB_OK)
        rc = ks_name(t, id, name);
    if (rc != HDB_OK)
        return fail(t, rc);
    ik[0] = HDB_OBJ_ID;
    hdb__put32be(ik + 1, id);
    hdb__txn_drop_last(t);
    rc = hdb__bt_del(&t->e->bt, &t->obj, ik, 5, 0);
    if (rc == HDB_OK)
        rc = hdb__bt_del(&t->e->bt, &t->obj, key, name_key(key, name), 0);
    if (rc == HDB_OK)
        rc = ks_log(t, HDB_REC_KS_DROP, id, NULL);
    return fail(t, rc);
}

int hdb__ks_rename_id(hdb_txn *t, uint32_t id, const char *to)
{
    char name[HDB_MAX_KS_NAME + 1];
    uint8_t key[1 + HDB_MAX_KS_NAME], ik[5];
    hdb_btval v;
    uint32_t other;
    if (!name_ok(to))
        return HDB_MISUSE;
    if (t->failed)
        return t->failed;
    int rc = hdb__ks_lookup(t, to, &other);
    if (rc == HDB_OK)
        return other == id ? HDB_OK : HDB_EXISTS;
    if (rc != HDB_NOTFOUND)
        return rc;
    if ((rc = hdb__txn_flush(t)) == HDB_OK && (rc = hdb__txn_branch(t, 1)) == HDB_OK)
        rc = ks_name(t, id, name);
    if (rc != HDB_OK)
        return fail(t, rc);
    ik[0] = HDB_OBJ_ID;
    hdb__put32be(ik + 1, id);
    hdb_ref root = {0, 0};
    if ((rc = hdb__bt_get(&t->e->bt, t->obj, ik, 5, &v)) == HDB_OK) {
        root = hdb__refs_get(v.data, 0);
        hdb__btval_release(&t->e->bt, &v);
    }
    hdb__txn_drop_last(t);
    if (rc == HDB_OK)
        rc = hdb__bt_del(&t->e->bt, &t->obj, key, name_key(key, name), 0);
    /* The root moves from the old entry to the new one: no count changes. */
    if (rc == HDB_OK)
        rc = ks_entries(t, id, root, to, HDB_BT_TRANSFER);
    if (rc == HDB_OK)
        rc = ks_log(t, HDB_REC_KS_RENAME, id, to);
    return fail(t, rc);
}

/* Make keyspace `id` of the transaction's branch the one of branch `from`
 * (same root, one more reference), replacing what it had (merges). */
int hdb__ks_copy(hdb_txn *t, uint32_t id, const char *from)
{
    char name[HDB_MAX_KS_NAME + 1], old[HDB_MAX_KS_NAME + 1];
    uint8_t ik[5], key[1 + HDB_MAX_KS_NAME];
    hdb_btval v;
    hdb_brec r;
    if (t->failed)
        return t->failed;
    int rc = hdb__txn_flush(t);
    if (rc == HDB_OK)
        rc = hdb__txn_branch(t, 1);
    if (rc == HDB_OK && (rc = hdb__bt_get(&t->e->bt, t->reg, from, strlen(from), &v)) == HDB_OK) {
        rc = hdb__brec_decode(v.data, v.size, &r);
        hdb__btval_release(&t->e->bt, &v);
    }
    ik[0] = HDB_OBJ_ID;
    hdb__put32be(ik + 1, id);
    hdb_ref root = {0, 0};
    if (rc == HDB_OK && (rc = hdb__bt_get(&t->e->bt, r.obj, ik, 5, &v)) == HDB_OK) {
        size_t n = v.size - 1 - HDB_REF_SIZE;
        if (hdb__refs_count(v.data, v.size) != 1 || n < 1 || n > HDB_MAX_KS_NAME)
            rc = hdb__pager_corrupt(t->e->pager, "keyspace %u: bad entry", id);
        else {
            root = hdb__refs_get(v.data, 0);
            memcpy(name, v.data + 1 + HDB_REF_SIZE, n);
            name[n] = 0;
        }
        hdb__btval_release(&t->e->bt, &v);
    }
    if (rc != HDB_OK)
        return fail(t, rc);
    hdb__txn_drop_last(t);
    /* Replace: the old entry's delete releases its tree. */
    if ((rc = ks_name(t, id, old)) == HDB_OK) {
        rc = hdb__bt_del(&t->e->bt, &t->obj, ik, 5, 0);
        if (rc == HDB_OK)
            rc = hdb__bt_del(&t->e->bt, &t->obj, key, name_key(key, old), 0);
    } else if (rc == HDB_NOTFOUND) {
        rc = HDB_OK;
    }
    if (rc == HDB_OK && root.pgno)
        rc = hdb__pager_incr(t->e->pager, root.pgno);
    if (rc == HDB_OK)
        rc = ks_entries(t, id, root, name, 0);
    if (rc == HDB_OK) {
        hdb_buf b;
        hdb__buf_init(&b, t->e->mem);
        rec_head(&b, t, id);
        put_name(&b, from);
        rc = b.oom ? HDB_NOMEM : hdb__txn_log(t, HDB_REC_KS_COPY, b.data, b.len, NULL, 0);
        hdb__buf_free(&b);
    }
    return fail(t, rc);
}
