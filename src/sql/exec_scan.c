/*
** exec_scan.c — reading a source row by row: a materialised subquery, a
** full scan of a table's keyspace, or the key ranges of an access plan
** (plan.c) over the table's keyspace or one of its indexes.
**
** KEY RANGES
**   A plan fixes a prefix P of the key (the = columns, then one IN value
**   per range when there is an IN) and optionally bounds the next column.
**   A range is [start, end) in memcmp order:
**     start = P + enc(lo)            (lo inclusive)
**           = prefix_end(P + enc(lo)) (lo exclusive)        default P
**     end   = P + enc(hi)            (hi exclusive)
**           = prefix_end(P + enc(hi)) (hi inclusive)       default prefix_end(P)
**   Ranges are a superset of the matching rows: the conditions are still
**   checked on each row, except those the ranges decide exactly (plan.c,
**   drop_decided), so a plan can only make a query faster.  A rowid plan
**   fixed by = or IN names whole table keys: each is one lookup.
**
** READING AN INDEX ALONE
**   When every column a SELECT reads from a source (xsrc.need, filled by name
**   resolution) is a column of its plan's index or the rowid, its rows are
**   made from the index keys and the table row is never fetched.  A key does
**   not always give back the stored value (codec.h: NOCASE text comes back
**   folded, 3.0 as 3): key_value_exact says when it does, and for a row with
**   a value it cannot vouch for the table row is fetched after all.
**
** INVARIANTS
**   - A loaded row is owned by the source (copied out of the tree at once),
**     so nested scans and lookups never invalidate it.
**   - Missing trailing columns of a record read as the column's DEFAULT.
*/
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec.h"

/* Bytes of a lookup's keys kept on the stack (longer ones go to the heap). */
#define KEY_STACK 128

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

int hdb__sql_ks(xctx *x, const char *name, int create, uint32_t *ks)
{
    int rc = hdb_ks_open(x->t, name, create ? HDB_CREATE : 0, ks);
    if (rc != HDB_OK && rc != HDB_NOTFOUND)
        hdb__sql_err(x, rc, "cannot open %s: %s", name, hdb_errstr(rc));
    return rc;
}

/* The progress limit counts rows read from any source (tables, indexes,
 * materialised subqueries, a recursive CTE's queue): every loop of the
 * executor that can run long reads a source per iteration, so a budget of
 * rows bounds a statement's work (a join, a recursive CTE, a correlated
 * subquery) without a clock. */
int hdb__sql_progress(xctx *x)
{
    if (!x->touch_limit || ++x->touched <= x->touch_limit)
        return HDB_OK;
    return hdb__sql_err(x, HDB_ERROR, "interrupted");
}

int hdb__sql_source_defaults(xctx *x, xsrc *s)
{
    hdb_sql_table *t = s->tab;
    if (!s->rowbuf && !(s->rowbuf = hdb__sql_row_new(t->ncol)))
        return nomem(x);
    if (!s->dflt && !(s->dflt = hdb__sql_row_new(t->ncol)))
        return nomem(x);
    for (int j = 0; j < t->ncol; j++) {
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        if (!t->cols[j].dflt)
            continue;
        xcore empty;
        memset(&empty, 0, sizeof empty);
        int rc = hdb__sql_eval(x, &empty, t->cols[j].dflt, &v);
        if (rc == HDB_OK && hdb__sql_apply_affinity(&v, t->cols[j].aff) != HDB_OK)
            rc = nomem(x);
        if (rc == HDB_OK && hdb__sql_value_copy(&s->dflt[j], &v) != HDB_OK)
            rc = nomem(x);
        hdb__sql_value_clear(&v);
        if (rc != HDB_OK)
            return rc;
    }
    return HDB_OK;
}

/* A stored text or blob borrows from the record: make it the row's own. */
static int own_stored(hdb_sql_value *v)
{
    return v->type == HDB_TEXT || v->type == HDB_BLOB ? hdb__sql_value_own(v) : HDB_OK;
}

/* hdb__sql_load_row; with borrow, texts and blobs are left pointing into
 * rec (see scan_range: BORROWED ROWS). */
static int load_row(xctx *x, xsrc *s, int64_t rowid, const void *rec, size_t n, int borrow)
{
    int ncol = s->tab->ncol, ipk = s->tab->ipk, nst = 0, rc = HDB_OK, j;
    /* A SELECT's source keeps only the columns the query reads (no copy of
     * a text nobody looks at); the others read as NULL, and nothing reads
     * them (xsrc.need). */
    uint64_t skip = s->cover_ok && !(s->need >> 63) ? ~s->need : 0;
    for (j = 0; j < ncol; j++)
        if (s->rowbuf[j].owned) /* only an owned value holds memory */
            hdb__sql_value_clear(&s->rowbuf[j]);
    if (hdb__sql_record_decode_some(rec, n, s->rowbuf, ncol, &nst, skip) != HDB_OK)
        return hdb__sql_err(x, HDB_CORRUPT, "malformed row in table %s", s->tab->name);
    /* Stored columns: a skipped one was left NULL; a text or blob borrows
     * from the record, so it is copied.  The loop visits only the columns
     * decoded (and every one from 63 on). */
    int lim = nst < 63 ? nst : 63;
    for (uint64_t m = (((uint64_t)1 << lim) - 1) & ~skip; m && rc == HDB_OK && !borrow; m &= m - 1)
        rc = own_stored(&s->rowbuf[hdb__sql_lowbit(m)]);
    for (j = 63; j < nst && rc == HDB_OK && !borrow; j++)
        rc = own_stored(&s->rowbuf[j]);
    /* Columns the record lacks read as their default. */
    for (j = nst; j < ncol && rc == HDB_OK; j++)
        if (!(j < 63 && (skip >> j & 1)))
            rc = hdb__sql_value_copy(&s->rowbuf[j], &s->dflt[j]);
    if (rc != HDB_OK) {
        /* Nothing may keep pointing into the record. */
        for (int k = 0; k < ncol; k++)
            if ((s->rowbuf[k].type == HDB_TEXT || s->rowbuf[k].type == HDB_BLOB) &&
                !s->rowbuf[k].owned)
                s->rowbuf[k].type = HDB_NULL;
        return nomem(x);
    }
    if (ipk >= 0 && ipk < ncol)
        s->rowbuf[ipk] = (hdb_sql_value){HDB_INTEGER, 0, {.i = rowid}}; /* decoded NULL: nothing owned */
    s->rowid = rowid;
    s->row = s->rowbuf;
    return HDB_OK;
}

int hdb__sql_load_row(xctx *x, xsrc *s, int64_t rowid, const void *rec, size_t n)
{
    return load_row(x, s, rowid, rec, n, 0);
}

/* Forget the texts and blobs of s's row that borrow from a record. */
static void unborrow(xsrc *s)
{
    for (int j = 0; j < s->tab->ncol; j++) {
        hdb_sql_value *v = &s->rowbuf[j];
        if ((v->type == HDB_TEXT || v->type == HDB_BLOB) && !v->owned)
            *v = (hdb_sql_value)HDB_SQL_NULL_INIT;
    }
}

/* The rowid that ends key k, after skip values (an index's columns); its
 * bytes into *rk, *rkn (the rowid's canonical key encoding, which is its
 * table's key: hdb__sql_key_int takes no other). */
static int key_rowid(xctx *x, const void *k, size_t kn, int skip, const int *desc, int64_t *rowid,
                     const uint8_t **rk, size_t *rkn)
{
    const uint8_t *p = k;
    size_t n = kn;
    *rowid = 0;
    for (int i = 0; i < skip; i++)
        if (hdb__sql_key_skip(&p, &n, desc ? desc[i] : 0) != HDB_OK)
            return hdb__sql_err(x, HDB_CORRUPT, "malformed key");
    *rk = p;
    if (hdb__sql_key_int(&p, &n, rowid) != HDB_OK)
        return hdb__sql_err(x, HDB_CORRUPT, "malformed key");
    *rkn = (size_t)(p - *rk);
    return HDB_OK;
}

/* ---- one range ------------------------------------------------------------ */

typedef struct range {
    hdb_buf start, end;
    int has_end;
} range;

static int keycmp(hdb_val k, const void *b, size_t bn)
{
    size_t m = k.size < bn ? k.size : bn;
    int cmp = m ? memcmp(k.data, b, m) : 0;
    return cmp ? cmp : (k.size > bn) - (k.size < bn);
}

/* ---- the cursor of a scan ---------------------------------------------------
** A read transaction walks with the engine's lean scan (hdb_kvscan: key and
** value lent from the leaf, one parse per entry), one the transaction keeps
** when it can (hdb__kv_walk_take: the next walk of the same keyspace, such
** as a join's inner one for the next outer row, starts from its pinned
** path); a write transaction walks with a public cursor, which survives the
** writes a statement may make. */
typedef struct xcur {
    hdb_cursor *pub;  /* NULL: a lean scan */
    hdb_kvscan *lean; /* a kept walk, or &own */
    hdb_kvscan own;
} xcur;

static int xcur_open(hdb_txn *t, uint32_t ks, xcur *cu)
{
    cu->pub = NULL;
    cu->own.t = NULL;
    if (!t->write) {
        if ((cu->lean = hdb__kv_walk_take(t, ks)) != NULL)
            return HDB_OK;
        cu->lean = &cu->own;
        return hdb__kvscan_open(t, ks, &cu->own);
    }
    cu->lean = NULL;
    return hdb_cursor_open(t, ks, &cu->pub);
}

static void xcur_close(xcur *cu)
{
    if (cu->pub)
        hdb_cursor_close(cu->pub);
    else if (cu->lean == &cu->own)
        hdb__kvscan_close(&cu->own);
    else if (cu->lean)
        hdb__kv_walk_give(cu->lean);
}

static int xcur_first(xcur *cu) { return cu->pub ? hdb_cursor_first(cu->pub) : hdb__kvscan_first(cu->lean); }
static int xcur_last(xcur *cu) { return cu->pub ? hdb_cursor_last(cu->pub) : hdb__kvscan_last(cu->lean); }
static int xcur_next(xcur *cu) { return cu->pub ? hdb_cursor_next(cu->pub) : hdb__kvscan_next(cu->lean); }
static int xcur_prev(xcur *cu) { return cu->pub ? hdb_cursor_prev(cu->pub) : hdb__kvscan_prev(cu->lean); }

static int xcur_seek(xcur *cu, const hdb_buf *key)
{
    if (cu->pub)
        return hdb_cursor_seek(cu->pub, (hdb_val){key->data, key->len});
    return hdb__kvscan_seek(cu->lean, key->data, key->len);
}

static int xcur_get(xcur *cu, hdb_val *k, hdb_val *v)
{
    return cu->pub ? hdb_cursor_get(cu->pub, k, v) : hdb__kvscan_get(cu->lean, k, v);
}

/* Position on the last key of range r (for a reverse walk). */
static int range_last(xcur *cu, range *r)
{
    if (!r->has_end)
        return xcur_last(cu);
    int rc = xcur_seek(cu, &r->end);
    if (rc == HDB_NOTFOUND)
        return xcur_last(cu);
    return rc == HDB_OK ? xcur_prev(cu) : rc;
}

/* Load s's row stored under table key `key`; *found = 0 when there is
 * none.  A read transaction finds it with its kept lookup of the table
 * (hdb__kv_find: the search starts from the last lookup's pinned path), a
 * write transaction with hdb_get. */
static int load_by_key(xctx *x, xsrc *s, uint32_t tks, int64_t rowid, const void *key, size_t kn,
                       int *found)
{
    hdb_val v;
    int rc;
    if (x->t->write)
        rc = hdb_get(x->t, tks, (hdb_val){key, kn}, &v);
    else
        rc = hdb__kv_find(x->t, tks, key, kn, &v);
    *found = rc == HDB_OK;
    if (rc == HDB_OK)
        rc = hdb__sql_load_row(x, s, rowid, v.data, v.size);
    else if (rc == HDB_NOTFOUND)
        rc = HDB_OK;
    else
        rc = hdb__sql_err(x, rc, "cannot read row: %s", hdb_errstr(rc));
    return rc;
}

static int fetch_row(xctx *x, xsrc *s, uint32_t tks, int64_t rowid, int *found)
{
    uint8_t k[9];
    size_t kn = hdb__sql_key_int_put(k, rowid);
    return load_by_key(x, s, tks, rowid, k, kn, found);
}

/* ---- reading an index alone ------------------------------------------------ */

/* May source s be read from the entries of its plan's index alone?  When it
 * belongs to a SELECT (whose rows are read only through resolved columns)
 * and every column the query reads is an index column or the INTEGER
 * PRIMARY KEY (each index key ends with the rowid). */
int hdb__sql_covers(const xsrc *s)
{
    const hdb_sql_index *ix = s->plan.idx;
    uint64_t have = 0;
    if (!s->cover_ok || s->plan.kind != PLAN_INDEX || (s->need >> 63))
        return 0;
    for (int k = 0; k < ix->ncol; k++)
        if (ix->cols[k] < 63)
            have |= 1ull << ix->cols[k];
    if (s->tab->ipk >= 0 && s->tab->ipk < 63)
        have |= 1ull << s->tab->ipk;
    return (s->need & ~have) == 0;
}

/* Is v, decoded from a key, the very value stored in a column of affinity
 * aff indexed under collation coll?  A key folds text by its collation and
 * keeps a number's value but not its storage class (codec.h), so:
 *   TEXT     exact under BINARY only (NOCASE and RTRIM fold it);
 *   INTEGER  exact in an INTEGER or NUMERIC column, whose affinity makes
 *            every integral REAL an INTEGER, except INT64_MIN (-2^63 stays
 *            REAL there); in a REAL column, which holds no INTEGER, it is
 *            the REAL of that value (made one here), except 0 (which may
 *            have been -0.0); elsewhere unknown;
 *   others   exact (NULL, BLOB, and a REAL, whose bits the key keeps). */
static int key_value_exact(hdb_sql_value *v, int aff, int coll)
{
    switch (v->type) {
    case HDB_TEXT: return coll == HDB_COLL_BINARY;
    case HDB_INTEGER:
        if (aff == HDB_AFF_INTEGER || aff == HDB_AFF_NUMERIC)
            return v->u.i != INT64_MIN;
        if (aff == HDB_AFF_REAL && v->u.i != 0) {
            hdb__sql_value_float(v, (double)v->u.i);
            return 1;
        }
        return 0;
    default: return 1;
    }
}

/* Load s's row from index key k: the rowid, the INTEGER PRIMARY KEY and the
 * index columns the query reads (the other columns read as NULL, and no
 * expression reads them).  *exact = 0 when a value read is not known
 * exactly from the key: then the caller fetches the row by s->rowid. */
static int cover_row(xctx *x, xsrc *s, const void *k, size_t kn, int *exact)
{
    const hdb_sql_index *ix = s->plan.idx;
    hdb_sql_table *t = s->tab;
    const uint8_t *p = k;
    size_t n = kn;
    *exact = 1;
    for (int j = 0; j < t->ncol; j++) {
        hdb_sql_value *v = &s->rowbuf[j];
        if (v->owned) /* only an owned value holds memory */
            hdb__sql_value_clear(v);
        else
            *v = (hdb_sql_value)HDB_SQL_NULL_INIT;
    }
    for (int j = 0; j < ix->ncol; j++) {
        int col = ix->cols[j], rc;
        hdb_sql_value v;
        if (col >= 63 || !(s->need >> col & 1)) {
            if (hdb__sql_key_skip(&p, &n, ix->desc[j]) != HDB_OK)
                return hdb__sql_err(x, HDB_CORRUPT, "malformed key");
            continue;
        }
        if ((rc = hdb__sql_key_decode(&p, &n, ix->desc[j], &v)) != HDB_OK)
            return rc == HDB_NOMEM ? nomem(x) : hdb__sql_err(x, HDB_CORRUPT, "malformed key");
        if (!key_value_exact(&v, t->cols[col].aff, ix->coll[j]))
            *exact = 0;
        hdb__sql_value_clear(&s->rowbuf[col]); /* an index may name a column twice */
        s->rowbuf[col] = v;
    }
    if (hdb__sql_key_int(&p, &n, &s->rowid) != HDB_OK)
        return hdb__sql_err(x, HDB_CORRUPT, "malformed key");
    if (t->ipk >= 0)
        hdb__sql_value_int(&s->rowbuf[t->ipk], s->rowid);
    s->row = s->rowbuf;
    return HDB_OK;
}

/* Read the rows of range r of source i (cover: from the index alone).
 *
 * BORROWED ROWS.  In a read transaction, a row read from the table itself
 * keeps its texts and blobs in the leaf (no copy): the scan's cursor pins
 * the leaf and does not move until fn has returned, nothing writes the tree,
 * and whatever keeps a value beyond the row (results, sorters, groups,
 * aggregates) copies it, as it must anyway since the next row overwrites
 * the row buffer.  When the scan ends the borrowed values are forgotten, so
 * that none outlives the cursor's pin. */
static int scan_range(xctx *x, xcore *c, int i, uint32_t ks, uint32_t tks, range *r, int cover,
                      int (*fn)(xctx *, xcore *, int, void *), void *arg)
{
    xsrc *s = &c->src[i];
    int is_index = s->plan.kind == PLAN_INDEX;
    xcur cu;
    int rc = xcur_open(x->t, ks, &cu);
    if (rc != HDB_OK)
        return hdb__sql_err(x, rc, "cannot open cursor: %s", hdb_errstr(rc));
    int rev = s->plan.reverse, borrow = !x->t->write;
    rc = rev ? range_last(&cu, r) : r->start.len ? xcur_seek(&cu, &r->start) : xcur_first(&cu);
    for (; rc == HDB_OK; rc = rev ? xcur_prev(&cu) : xcur_next(&cu)) {
        hdb_val k, v; /* an index entry's value is empty: not asked for */
        if ((rc = xcur_get(&cu, &k, is_index ? NULL : &v)) != HDB_OK)
            break;
        if (!rev && r->has_end && keycmp(k, r->end.data, r->end.len) >= 0)
            break;
        if (rev && r->start.len && keycmp(k, r->start.data, r->start.len) < 0)
            break;
        int64_t rowid;
        const uint8_t *rk = NULL;
        size_t rkn = 0;
        if (cover) {
            int exact, found = 1;
            if ((rc = cover_row(x, s, k.data, k.size, &exact)) != HDB_OK ||
                (!exact && (rc = fetch_row(x, s, tks, s->rowid, &found)) != HDB_OK))
                break;
            if (!found)
                continue;
        } else if ((rc = key_rowid(x, k.data, k.size, is_index ? s->plan.nkey : 0,
                                    is_index ? s->plan.idx->desc : NULL, &rowid, &rk, &rkn)) != HDB_OK) {
            break;
        } else if (is_index) {
            int found; /* the row's key: the index key's last bytes */
            if ((rc = load_by_key(x, s, tks, rowid, rk, rkn, &found)) != HDB_OK)
                break;
            if (!found)
                continue;
        } else {
            if ((rc = load_row(x, s, rowid, v.data, v.size, borrow)) != HDB_OK)
                break;
        }
        if ((rc = hdb__sql_progress(x)) != HDB_OK || (rc = fn(x, c, i, arg)) != HDB_OK)
            break;
    }
    if (borrow && !is_index && !cover && s->rowbuf)
        unborrow(s);
    xcur_close(&cu);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK && x->rc == HDB_OK && rc != HDB_SQL_STOP)
        hdb__sql_err(x, rc, "scan failed: %s", hdb_errstr(rc));
    return rc;
}

/* ---- building ranges from the plan ---------------------------------------- */

/* Evaluate e for key column k of the plan; *null set when the value is NULL
 * (then no row can match). */
static int plan_value(xctx *x, xcore *c, xplan *p, int k, hdb_sql_expr *e, hdb_buf *b, int *null)
{
    hdb_sql_value v = HDB_SQL_NULL_INIT;
    int rc = hdb__sql_eval(x, c, e, &v);
    if (rc != HDB_OK)
        return rc;
    int aff = hdb__sql_cmp_affinity(p->aff[k], hdb__sql_expr_aff(e));
    if (hdb__sql_apply_cmp(&v, aff) != HDB_OK) {
        hdb__sql_value_clear(&v);
        return nomem(x);
    }
    if (v.type == HDB_NULL)
        *null = 1;
    hdb__sql_key_append(b, &v, p->coll[k], p->desc[k]);
    hdb__sql_value_clear(&v);
    return b->oom ? nomem(x) : HDB_OK;
}

/* Range r of the plan under prefix; the prefix's memory may move into r
 * (it is left empty then). */
static int make_range(xctx *x, xcore *c, xplan *p, hdb_buf *prefix, range *r, int *empty)
{
    int k = p->neq + (p->in ? 1 : 0), null = 0, rc = HDB_OK;
    char st[KEY_STACK];
    if (p->lo) {
        hdb_buf t;
        hdb__buf_init_in(&t, NULL, st, sizeof st);
        hdb__buf_append(&t, prefix->data, prefix->len);
        rc = plan_value(x, c, p, k, p->lo, &t, &null);
        if (p->lo_incl)
            hdb__buf_append(&r->start, t.data, t.len);
        else
            hdb__sql_key_prefix_end(&r->start, t.data, t.len);
        hdb__buf_free(&t);
    }
    if (rc == HDB_OK && p->hi) {
        hdb_buf t;
        hdb__buf_init_in(&t, NULL, st, sizeof st);
        hdb__buf_append(&t, prefix->data, prefix->len);
        rc = plan_value(x, c, p, k, p->hi, &t, &null);
        if (p->hi_incl)
            hdb__sql_key_prefix_end(&r->end, t.data, t.len);
        else
            hdb__buf_append(&r->end, t.data, t.len);
        r->has_end = 1;
        hdb__buf_free(&t);
    } else if (prefix->len) {
        hdb__sql_key_prefix_end(&r->end, prefix->data, prefix->len);
        r->has_end = 1;
    }
    if (!p->lo) { /* the range starts at the prefix: take its bytes */
        hdb__buf_free(&r->start);
        r->start = *prefix;
        hdb__buf_init(prefix, NULL);
    }
    *empty = null;
    if (rc == HDB_OK && (r->start.oom || r->end.oom))
        rc = nomem(x);
    return rc;
}

static int bufcmp(const void *a, const void *b)
{
    const hdb_buf *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->data, y->data, n) : 0;
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The key prefixes of the plan: one (in *one, which *out then points to),
 * or one per IN value (sorted, unique; *out allocated). */
static int plan_prefixes(xctx *x, xcore *c, xplan *p, hdb_buf *one, hdb_buf **out, int *n)
{
    hdb_buf base;
    int null = 0, rc = HDB_OK;
    *n = 0;
    if (!p->in) { /* the one prefix is the = columns, built in *one */
        *out = one;
        for (int k = 0; k < p->neq && rc == HDB_OK; k++)
            rc = plan_value(x, c, p, k, p->eq[k], one, &null);
        *n = rc == HDB_OK && !null;
        return rc;
    }
    hdb__buf_init(&base, NULL);
    for (int k = 0; k < p->neq && rc == HDB_OK; k++)
        rc = plan_value(x, c, p, k, p->eq[k], &base, &null);
    int nin = p->in->u.in.list.n;
    hdb_buf *pre = calloc(nin + 1, sizeof *pre);
    *out = pre;
    if (!pre) {
        hdb__buf_free(&base);
        return nomem(x);
    }
    for (int j = 0; j < nin && rc == HDB_OK && !null; j++) {
        int vnull = 0;
        hdb__buf_init(&pre[*n], NULL);
        hdb__buf_append(&pre[*n], base.data, base.len);
        if (p->in)
            rc = plan_value(x, c, p, p->neq, p->in->u.in.list.a[j], &pre[*n], &vnull);
        if (vnull)
            hdb__buf_free(&pre[*n]);
        else
            (*n)++;
    }
    hdb__buf_free(&base);
    if (rc == HDB_OK && *n > 1) {
        qsort(pre, *n, sizeof *pre, bufcmp);
        int m = 1;
        for (int j = 1; j < *n; j++) {
            if (bufcmp(&pre[j], &pre[m - 1]) == 0)
                hdb__buf_free(&pre[j]);
            else
                pre[m++] = pre[j];
        }
        *n = m;
    }
    return rc;
}

/* The row whose table key is exactly key (a rowid plan fixed by = or IN). */
static int scan_point(xctx *x, xcore *c, int i, uint32_t tks, const hdb_buf *key,
                      int (*fn)(xctx *, xcore *, int, void *), void *arg)
{
    xsrc *s = &c->src[i];
    int64_t rowid;
    const uint8_t *p = (const uint8_t *)key->data;
    size_t n = key->len;
    if (hdb__sql_key_int(&p, &n, &rowid) != HDB_OK || n != 0)
        return HDB_OK; /* not an integer: no row has this key */
    int found, rc = load_by_key(x, s, tks, rowid, key->data, key->len, &found);
    if (rc != HDB_OK || !found)
        return rc;
    if ((rc = hdb__sql_progress(x)) != HDB_OK)
        return rc;
    return fn(x, c, i, arg);
}

static int scan_plan(xctx *x, xcore *c, int i, uint32_t tks, uint32_t ks,
                     int (*fn)(xctx *, xcore *, int, void *), void *arg)
{
    xsrc *s = &c->src[i];
    xplan *p = &s->plan;
    int rc = HDB_OK, n = 0;
    /* A rowid plan without a range names whole keys: one lookup each. */
    int point = p->kind == PLAN_ROWID && !p->lo && !p->hi;
    hdb_buf *pre = NULL, one;
    char st_one[KEY_STACK], st_start[KEY_STACK], st_end[KEY_STACK];
    hdb__buf_init_in(&one, NULL, st_one, sizeof st_one);
    rc = plan_prefixes(x, c, p, &one, &pre, &n);
    for (int jj = 0; jj < n && rc == HDB_OK; jj++) {
        int j = p->reverse ? n - 1 - jj : jj;
        range r;
        int empty = 0;
        if (point) {
            rc = scan_point(x, c, i, tks, &pre[j], fn, arg);
            continue;
        }
        hdb__buf_init_in(&r.start, NULL, st_start, sizeof st_start);
        hdb__buf_init_in(&r.end, NULL, st_end, sizeof st_end);
        r.has_end = 0;
        rc = make_range(x, c, p, &pre[j], &r, &empty);
        if (rc == HDB_OK && !empty)
            rc = scan_range(x, c, i, ks, tks, &r, hdb__sql_covers(s), fn, arg);
        hdb__buf_free(&r.start);
        hdb__buf_free(&r.end);
    }
    if (pre == &one) {
        hdb__buf_free(&one);
        return rc;
    }
    for (int j = 0; j < n; j++)
        hdb__buf_free(&pre[j]);
    free(pre);
    return rc;
}

/* The keyspaces of table source s: its table's, and its plan's index's
 * (*iks; the table's for a plan on the table).  HDB_NOTFOUND when one does
 * not exist (yet): then the source has no rows.  Looked up by name, or
 * taken from the last lookup when that was in the same snapshot: a read
 * transaction at the same LSN (every commit moves it) under the same loaded
 * schema (so on the same branch) sees the same keyspaces. */
static int source_ks(xctx *x, xsrc *s, uint32_t *tks, uint32_t *iks)
{
    const hdb_sql_index *ix = s->plan.kind == PLAN_INDEX ? s->plan.idx : NULL;
    int same = !x->t->write && s->ks_gen && s->ks_gen == x->c->generation &&
               s->ks_lsn == x->t->lsn;
    int rc = HDB_OK;
    if (same)
        *tks = s->ks_tab;
    else if ((rc = hdb__sql_ks(x, s->tab->ks, 0, tks)) != HDB_OK)
        return rc;
    *iks = *tks;
    if (ix && same && s->ks_ix == ix)
        *iks = s->ks_idx;
    else if (ix && (rc = hdb__sql_ks(x, ix->ks, 0, iks)) != HDB_OK)
        return rc;
    if (!x->t->write) {
        s->ks_gen = x->c->generation;
        s->ks_lsn = x->t->lsn;
        s->ks_tab = *tks;
        if (ix) {
            s->ks_ix = ix;
            s->ks_idx = *iks;
        } else if (!same)
            s->ks_ix = NULL;
    }
    return HDB_OK;
}

int hdb__sql_scan_source(xctx *x, xcore *c, int i, int (*fn)(xctx *, xcore *, int, void *),
                         void *arg)
{
    xsrc *s = &c->src[i];
    int rc = HDB_OK;
    if (!s->tab) {
        for (size_t r = 0; s->mat && r < s->mat->n && rc == HDB_OK; r++) {
            s->row = s->mat->r[r];
            s->rowid = (int64_t)r + 1;
            rc = hdb__sql_progress(x);
            if (rc == HDB_OK)
                rc = fn(x, c, i, arg);
        }
        s->row = NULL;
        return rc;
    }
    uint32_t tks, iks;
    rc = source_ks(x, s, &tks, &iks);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK)
        return rc;
    if (s->plan.kind == PLAN_SCAN) {
        range r;
        hdb__buf_init(&r.start, NULL);
        hdb__buf_init(&r.end, NULL);
        r.has_end = 0;
        rc = scan_range(x, c, i, tks, tks, &r, 0, fn, arg);
    } else
        rc = scan_plan(x, c, i, tks, iks, fn, arg);
    s->row = NULL;
    return rc;
}
