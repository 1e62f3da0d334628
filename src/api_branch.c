/*
** api_branch.c — branches in the public API: create, use, drop, list.
**
** Each call that changes the registry is one write transaction of its own
** (one log commit); none may run while the connection has a transaction
** open, so a branch's object root is never shared with pages the same
** transaction still changes in place.
*/
#include <string.h>
#include <time.h>
#include <stdlib.h>
#include "src/engine.h"

static int bad_name(hdb *db, const char *name)
{
    return hdb__seterr(db, HDB_MISUSE,
                       "bad branch name '%s': 1 to %d letters, digits, '_', '-', '.' or '/'",
                       name ? name : "(null)", HDB_MAX_BRANCH_NAME);
}

/* Begin the write transaction of a registry change. */
static int reg_begin(hdb *db, const char *branch, hdb_txn **t)
{
    if (db->txn)
        return hdb__seterr(db, HDB_MISUSE, "a transaction is open on this connection");
    if (db->e->opt.read_only)
        return hdb__seterr(db, HDB_READONLY, "the database is open read only");
    int rc = hdb__txn_open(db, db->e, branch, 1, t);
    if (rc == HDB_BUSY)
        return hdb__seterr(db, rc, "another write transaction is open");
    return hdb__seterr(db, rc, "cannot begin: %s", hdb_errstr(rc));
}

static int reg_end(hdb *db, hdb_txn *t, int rc, const char *what, const char *name)
{
    if (rc != HDB_OK) {
        int failed = t->failed;
        hdb__txn_end(t, 0);
        if (rc == HDB_EXISTS)
            return hdb__seterr(db, rc, "branch '%s' already exists", name);
        if (rc == HDB_NOTFOUND)
            return hdb__seterr(db, rc, "no branch '%s'", name);
        if (rc == HDB_CORRUPT || failed == HDB_CORRUPT)
            return hdb__seterr(db, HDB_CORRUPT, "%s: %s", what, hdb__pager_errmsg(db->e->pager));
        return hdb__seterr(db, rc, "%s '%s': %s", what, name, hdb_errstr(rc));
    }
    rc = hdb__txn_end(t, 1);
    return hdb__seterr(db, rc, "%s '%s': commit failed: %s", what, name, hdb_errstr(rc));
}

/* A time in µs since 1970 as "2026-12-01 13:06:06.663848 UTC" for messages. */
static const char *fmt_time(char *buf, size_t n, int64_t us)
{
    time_t sec = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
    struct tm tm;
    if (!gmtime_r(&sec, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm)) {
        snprintf(buf, n, "%lld us", (long long)us);
        return buf;
    }
    size_t len = strlen(buf);
    snprintf(buf + len, n - len, ".%06lld UTC", (long long)(us - (int64_t)sec * 1000000));
    return buf;
}

/* An AS OF outside the retained history: name what can be reached. */
static int range_err(hdb *db, hdb_txn *t, const char *what)
{
    int64_t oldest_t;
    uint64_t oldest = hdb__history_oldest(db->e, &oldest_t);
    uint64_t now = t->lsn - 1;
    hdb__txn_end(t, 0);
    if (!oldest)
        return hdb__seterr(db, HDB_RANGE, "AS OF %s: no history is retained (retention_us = 0); "
                                          "only the current state (LSN %llu) can be branched",
                           what, (unsigned long long)now);
    char tb[64];
    return hdb__seterr(db, HDB_RANGE,
                       "AS OF %s: outside the retained history (LSN %llu at %s to LSN %llu, now)",
                       what, (unsigned long long)oldest, fmt_time(tb, sizeof tb, oldest_t),
                       (unsigned long long)now);
}

int hdb_branch_create(hdb *db, const char *name, const char *from, const hdb_branch_opts *o)
{
    hdb_branch_opts none = {0};
    hdb_txn *t;
    if (!db)
        return HDB_MISUSE;
    if (!o)
        o = &none;
    if (!from)
        from = db->branch;
    if (!hdb__branch_name_ok(name))
        return bad_name(db, name);
    if (!hdb__branch_name_ok(from))
        return bad_name(db, from);
    size_t dlen = o->description ? strlen(o->description) : 0;
    if (dlen > 65535)
        return hdb__seterr(db, HDB_RANGE, "description longer than 65535 bytes");
    int rc = reg_begin(db, from, &t);
    if (rc != HDB_OK)
        return rc;
    uint64_t now_lsn = t->lsn - 1, as_of = o->as_of_lsn;
    if (o->as_of_time_us && !as_of) {
        rc = hdb__history_resolve_time(db->e, o->as_of_time_us, &as_of);
        if (rc == HDB_RANGE)
            return range_err(db, t, "TIMESTAMP");
        if (rc != HDB_OK)
            return reg_end(db, t, rc, "create branch", name);
    }
    if (as_of > now_lsn)
        return range_err(db, t, "LSN");
    if (as_of && as_of < now_lsn) {
        rc = hdb__br_create_asof(t, name, from, t->next_branch, hdb__engine_now(db->e),
                                 o->read_only != 0, as_of, o->description, dlen);
        if (rc == HDB_RANGE)
            return range_err(db, t, o->as_of_lsn ? "LSN" : "TIMESTAMP");
    } else {
        rc = hdb__br_create(t, name, from, t->next_branch, hdb__engine_now(db->e),
                            o->read_only != 0, now_lsn, o->description, dlen);
    }
    return reg_end(db, t, rc, "create branch", rc == HDB_NOTFOUND ? from : name);
}

int hdb_branch_use(hdb *db, const char *name)
{
    hdb_txn *t;
    if (!db)
        return HDB_MISUSE;
    if (!hdb__branch_name_ok(name))
        return bad_name(db, name);
    if (db->txn)
        return hdb__seterr(db, HDB_MISUSE, "cannot switch branches inside a transaction");
    int rc = hdb__txn_open(db, db->e, name, 0, &t);
    if (rc != HDB_OK)
        return hdb__seterr(db, rc, "%s", hdb_errstr(rc));
    rc = hdb__txn_branch(t, 0);
    hdb__txn_end(t, 0);
    if (rc == HDB_NOTFOUND)
        return hdb__seterr(db, rc, "no branch '%s'", name);
    if (rc != HDB_OK)
        return hdb__seterr(db, rc, "use branch '%s': %s", name, hdb_errstr(rc));
    snprintf(db->branch, sizeof db->branch, "%s", name);
    return hdb__ok(db);
}

const char *hdb_branch_current(const hdb *db) { return db ? db->branch : NULL; }

static int in_use(hdb *db, const char *name)
{
    int used = 0;
    pthread_mutex_lock(&db->e->mu);
    for (hdb *c = db->e->conns; c; c = c->next)
        if (!strcmp(c->branch, name))
            used = 1;
    pthread_mutex_unlock(&db->e->mu);
    return used;
}

int hdb_branch_drop(hdb *db, const char *name)
{
    hdb_txn *t;
    if (!db)
        return HDB_MISUSE;
    if (!hdb__branch_name_ok(name))
        return bad_name(db, name);
    if (!strcmp(name, "main"))
        return hdb__seterr(db, HDB_MISUSE, "the branch 'main' cannot be dropped");
    if (in_use(db, name))
        return hdb__seterr(db, HDB_MISUSE, "branch '%s' is the current branch of a connection",
                           name);
    int rc = reg_begin(db, "main", &t);
    if (rc != HDB_OK)
        return rc;
    return reg_end(db, t, hdb__br_drop(t, name), "drop branch", name);
}

int hdb_branch_set_read_only(hdb *db, const char *name, int read_only)
{
    hdb_txn *t;
    if (!db)
        return HDB_MISUSE;
    if (!hdb__branch_name_ok(name))
        return bad_name(db, name);
    int rc = reg_begin(db, "main", &t);
    if (rc != HDB_OK)
        return rc;
    return reg_end(db, t, hdb__br_set_ro(t, name, read_only != 0), "set read only", name);
}

/* ------------------------------------------------------------------------
** Listing
*/
static int list_one(hdb *db, const uint8_t *k, size_t kn, const hdb_btval *v, hdb_branch_info *b)
{
    hdb_brec r;
    if (kn > HDB_MAX_BRANCH_NAME || hdb__brec_decode(v->data, v->size, &r) != HDB_OK)
        return hdb__pager_corrupt(db->e->pager, "damaged branch record");
    memset(b, 0, sizeof *b);
    memcpy(b->name, k, kn);
    snprintf(b->parent, sizeof b->parent, "%s", r.parent);
    if (r.desc_len) {
        if (!(b->description = malloc(r.desc_len + 1)))
            return HDB_NOMEM;
        memcpy(b->description, r.desc, r.desc_len);
        b->description[r.desc_len] = 0;
    }
    b->id = r.id;
    b->fork_lsn = r.fork_lsn;
    b->head_lsn = r.head_lsn;
    b->created_us = r.created_us;
    b->read_only = r.read_only;
    return hdb__branch_sizes(db->e, r.obj, &b->owned_bytes, &b->shared_bytes);
}

int hdb_branch_list(hdb *db, hdb_branch_info **out, size_t *n)
{
    hdb_txn *t;
    hdb_btcur c;
    hdb_branch_info *v = NULL;
    size_t cnt = 0, cap = 0;
    if (!db || !out || !n)
        return HDB_MISUSE;
    *out = NULL;
    *n = 0;
    int rc = hdb__txn_open(db, db->e, db->branch, 0, &t);
    if (rc != HDB_OK)
        return hdb__seterr(db, rc, "%s", hdb_errstr(rc));
    hdb__btcur_init(&c, &db->e->bt, t->reg);
    rc = hdb__btcur_first(&c);
    while (rc == HDB_OK) {
        const uint8_t *k;
        size_t kn;
        hdb_btval bv;
        if (cnt == cap) {
            cap = cap ? cap * 2 : 8;
            hdb_branch_info *nv = realloc(v, cap * sizeof *v);
            if (!nv) {
                rc = HDB_NOMEM;
                break;
            }
            v = nv;
        }
        if ((rc = hdb__btcur_key(&c, &k, &kn)) != HDB_OK || (rc = hdb__btcur_val(&c, &bv)) != HDB_OK)
            break;
        rc = list_one(db, k, kn, &bv, &v[cnt]);
        hdb__btval_release(&db->e->bt, &bv);
        if (rc != HDB_OK)
            break;
        cnt++;
        rc = hdb__btcur_next(&c);
    }
    hdb__btcur_reset(&c);
    hdb__txn_end(t, 0);
    if (rc != HDB_NOTFOUND) {
        hdb_branch_list_free(v, cnt);
        return hdb__seterr(db, rc, "list branches: %s", rc == HDB_CORRUPT
                                                            ? hdb__pager_errmsg(db->e->pager)
                                                            : hdb_errstr(rc));
    }
    *out = v;
    *n = cnt;
    return hdb__ok(db);
}

void hdb_branch_list_free(hdb_branch_info *b, size_t n)
{
    if (!b)
        return;
    for (size_t i = 0; i < n; i++)
        free(b[i].description);
    free(b);
}

/* ------------------------------------------------------------------------
** History
*/
int hdb_lsn_at_time(hdb *db, int64_t time_us, uint64_t *lsn)
{
    if (!db || !lsn)
        return HDB_MISUSE;
    int rc = hdb__engine_writer_acquire(db->e);
    if (rc != HDB_OK)
        return hdb__seterr(db, rc, "another write transaction is open");
    rc = hdb__history_resolve_time(db->e, time_us, lsn);
    hdb__engine_writer_release(db->e);
    if (rc == HDB_RANGE) {
        int64_t ot;
        uint64_t o = hdb__history_oldest(db->e, &ot);
        char tb[64], ob[64];
        return hdb__seterr(db, rc, "time %s is outside the retained history (from %s, LSN %llu)",
                           fmt_time(tb, sizeof tb, time_us), fmt_time(ob, sizeof ob, ot),
                           (unsigned long long)o);
    }
    return rc == HDB_OK ? hdb__ok(db) : hdb__seterr(db, rc, "%s", hdb_errstr(rc));
}

typedef struct hlist {
    const char *branch;
    hdb_history_entry *v;
    size_t n, cap;
} hlist;

static int hl_commit(void *ctx, const hdb_wal_commit *c)
{
    hlist *h = ctx;
    char name[64];
    size_t n = c->extra_size < sizeof name ? c->extra_size : sizeof name - 1;
    memcpy(name, c->extra, n);
    name[n] = 0;
    if (h->branch && strcmp(h->branch, name))
        return HDB_OK;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        hdb_history_entry *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return HDB_NOMEM;
        h->v = v;
        h->cap = cap;
    }
    hdb_history_entry *e = &h->v[h->n++];
    e->lsn = c->lsn;
    e->time_us = c->time_us;
    memcpy(e->branch, name, n + 1);
    return HDB_OK;
}

int hdb_history_list(hdb *db, const char *branch, hdb_history_entry **out, size_t *n)
{
    hlist h = {branch, NULL, 0, 0};
    if (!db || !out || !n)
        return HDB_MISUSE;
    *out = NULL;
    *n = 0;
    hdb_engine *e = db->e;
    int rc = hdb__engine_writer_acquire(e);
    if (rc != HDB_OK)
        return hdb__seterr(db, rc, "another write transaction is open");
    uint64_t from = hdb__wal_oldest_base(e->wal);
    rc = from < e->lsn ? hdb__wal_read(e->wal, from, e->lsn, NULL, hl_commit, &h) : HDB_OK;
    hdb__engine_writer_release(e);
    if (rc != HDB_OK) {
        free(h.v);
        return hdb__seterr(db, rc, "history: %s", hdb_errstr(rc));
    }
    *out = h.v;
    *n = h.n;
    return hdb__ok(db);
}
