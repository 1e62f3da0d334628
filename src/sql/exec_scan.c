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
**   Ranges are a superset of the matching rows: every condition is still
**   checked on each row, so a plan can only make a query faster.
**
** INVARIANTS
**   - A loaded row is owned by the source (copied out of the tree at once),
**     so nested scans and lookups never invalidate it.
**   - Missing trailing columns of a record read as the column's DEFAULT.
*/
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec.h"

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

int hdb__sql_load_row(xctx *x, xsrc *s, const void *rec, size_t n)
{
    int ncol = s->tab->ncol, nst = 0;
    for (int j = 0; j < ncol; j++)
        hdb__sql_value_clear(&s->rowbuf[j]);
    if (hdb__sql_record_decode(rec, n, s->rowbuf, ncol, &nst) != HDB_OK)
        return hdb__sql_err(x, HDB_CORRUPT, "malformed row in table %s", s->tab->name);
    for (int j = 0; j < ncol; j++) {
        int rc = j < nst ? hdb__sql_value_own(&s->rowbuf[j])
                         : hdb__sql_value_copy(&s->rowbuf[j], &s->dflt[j]);
        if (rc != HDB_OK) {
            for (int k = j; k < ncol; k++)
                s->rowbuf[k].type = HDB_NULL;
            return nomem(x);
        }
    }
    s->row = s->rowbuf;
    return HDB_OK;
}

static int key_rowid(xctx *x, const void *k, size_t kn, int skip, const int *desc, int64_t *rowid)
{
    const uint8_t *p = k;
    size_t n = kn;
    *rowid = 0;
    for (int i = 0; i <= skip; i++) {
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        if (hdb__sql_key_decode(&p, &n, i < skip && desc ? desc[i] : 0, &v) != HDB_OK)
            return hdb__sql_err(x, HDB_CORRUPT, "malformed key");
        if (i == skip) {
            if (v.type != HDB_INTEGER)
                return hdb__sql_err(x, HDB_CORRUPT, "malformed key");
            *rowid = v.u.i;
        }
        hdb__sql_value_clear(&v);
    }
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

/* Position on the last key of range r (for a reverse walk). */
static int range_last(hdb_cursor *cu, range *r)
{
    if (!r->has_end)
        return hdb_cursor_last(cu);
    int rc = hdb_cursor_seek(cu, (hdb_val){r->end.data, r->end.len});
    if (rc == HDB_NOTFOUND)
        return hdb_cursor_last(cu);
    return rc == HDB_OK ? hdb_cursor_prev(cu) : rc;
}

static int fetch_row(xctx *x, xsrc *s, uint32_t tks, int64_t rowid, int *found)
{
    hdb_buf k;
    hdb__buf_init(&k, NULL);
    hdb__sql_rowid_key(&k, rowid);
    hdb_val v;
    int rc = k.oom ? HDB_NOMEM : hdb_get(x->t, tks, (hdb_val){k.data, k.len}, &v);
    hdb__buf_free(&k);
    *found = rc == HDB_OK;
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK)
        return hdb__sql_err(x, rc, "cannot read row: %s", hdb_errstr(rc));
    s->rowid = rowid;
    return hdb__sql_load_row(x, s, v.data, v.size);
}

static int scan_range(xctx *x, xcore *c, int i, uint32_t ks, uint32_t tks, range *r,
                      int (*fn)(xctx *, xcore *, int, void *), void *arg)
{
    xsrc *s = &c->src[i];
    int is_index = s->plan.kind == PLAN_INDEX;
    hdb_cursor *cu;
    int rc = hdb_cursor_open(x->t, ks, &cu);
    if (rc != HDB_OK)
        return hdb__sql_err(x, rc, "cannot open cursor: %s", hdb_errstr(rc));
    int rev = s->plan.reverse;
    rc = rev ? range_last(cu, r)
         : r->start.len ? hdb_cursor_seek(cu, (hdb_val){r->start.data, r->start.len})
                        : hdb_cursor_first(cu);
    for (; rc == HDB_OK; rc = rev ? hdb_cursor_prev(cu) : hdb_cursor_next(cu)) {
        hdb_val k, v;
        if ((rc = hdb_cursor_get(cu, &k, &v)) != HDB_OK)
            break;
        if (!rev && r->has_end && keycmp(k, r->end.data, r->end.len) >= 0)
            break;
        if (rev && r->start.len && keycmp(k, r->start.data, r->start.len) < 0)
            break;
        int64_t rowid;
        if ((rc = key_rowid(x, k.data, k.size, is_index ? s->plan.nkey : 0,
                             is_index ? s->plan.idx->desc : NULL, &rowid)) != HDB_OK)
            break;
        if (is_index) {
            int found;
            if ((rc = fetch_row(x, s, tks, rowid, &found)) != HDB_OK)
                break;
            if (!found)
                continue;
        } else {
            s->rowid = rowid;
            if ((rc = hdb__sql_load_row(x, s, v.data, v.size)) != HDB_OK)
                break;
        }
        if ((rc = hdb__sql_progress(x)) != HDB_OK || (rc = fn(x, c, i, arg)) != HDB_OK)
            break;
    }
    hdb_cursor_close(cu);
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

static int make_range(xctx *x, xcore *c, xplan *p, const hdb_buf *prefix, range *r, int *empty)
{
    int k = p->neq + (p->in ? 1 : 0), null = 0, rc = HDB_OK;
    hdb__buf_append(&r->start, prefix->data, prefix->len);
    if (prefix->len) {
        hdb__sql_key_prefix_end(&r->end, prefix->data, prefix->len);
        r->has_end = 1;
    }
    if (p->lo) {
        hdb_buf t;
        hdb__buf_init(&t, NULL);
        hdb__buf_append(&t, prefix->data, prefix->len);
        rc = plan_value(x, c, p, k, p->lo, &t, &null);
        hdb__buf_reset(&r->start);
        if (p->lo_incl)
            hdb__buf_append(&r->start, t.data, t.len);
        else
            hdb__sql_key_prefix_end(&r->start, t.data, t.len);
        hdb__buf_free(&t);
    }
    if (rc == HDB_OK && p->hi) {
        hdb_buf t;
        hdb__buf_init(&t, NULL);
        hdb__buf_append(&t, prefix->data, prefix->len);
        rc = plan_value(x, c, p, k, p->hi, &t, &null);
        hdb__buf_reset(&r->end);
        if (p->hi_incl)
            hdb__sql_key_prefix_end(&r->end, t.data, t.len);
        else
            hdb__buf_append(&r->end, t.data, t.len);
        r->has_end = 1;
        hdb__buf_free(&t);
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

/* The key prefixes of the plan: one, or one per IN value (sorted, unique). */
static int plan_prefixes(xctx *x, xcore *c, xplan *p, hdb_buf **out, int *n)
{
    hdb_buf base;
    hdb__buf_init(&base, NULL);
    int null = 0, rc = HDB_OK;
    for (int k = 0; k < p->neq && rc == HDB_OK; k++)
        rc = plan_value(x, c, p, k, p->eq[k], &base, &null);
    int nin = p->in ? p->in->u.in.list.n : 1;
    hdb_buf *pre = calloc(nin + 1, sizeof *pre);
    *out = pre;
    *n = 0;
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

static int scan_plan(xctx *x, xcore *c, int i, uint32_t tks,
                     int (*fn)(xctx *, xcore *, int, void *), void *arg)
{
    xsrc *s = &c->src[i];
    xplan *p = &s->plan;
    uint32_t ks = tks;
    int rc = HDB_OK, n = 0;
    if (p->kind == PLAN_INDEX) {
        rc = hdb__sql_ks(x, p->idx->ks, 0, &ks);
        if (rc == HDB_NOTFOUND)
            return HDB_OK;
        if (rc != HDB_OK)
            return rc;
    }
    hdb_buf *pre = NULL;
    rc = plan_prefixes(x, c, p, &pre, &n);
    for (int jj = 0; jj < n && rc == HDB_OK; jj++) {
        int j = p->reverse ? n - 1 - jj : jj;
        range r;
        int empty = 0;
        hdb__buf_init(&r.start, NULL);
        hdb__buf_init(&r.end, NULL);
        r.has_end = 0;
        rc = make_range(x, c, p, &pre[j], &r, &empty);
        if (rc == HDB_OK && !empty)
            rc = scan_range(x, c, i, ks, tks, &r, fn, arg);
        hdb__buf_free(&r.start);
        hdb__buf_free(&r.end);
    }
    for (int j = 0; j < n; j++)
        hdb__buf_free(&pre[j]);
    free(pre);
    return rc;
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
    uint32_t tks;
    rc = hdb__sql_ks(x, s->tab->ks, 0, &tks);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK)
        return rc;
    if (s->plan.kind == PLAN_SCAN) {
        range r;
        hdb__buf_init(&r.start, NULL);
        hdb__buf_init(&r.end, NULL);
        r.has_end = 0;
        rc = scan_range(x, c, i, tks, tks, &r, fn, arg);
    } else
        rc = scan_plan(x, c, i, tks, fn, arg);
    s->row = NULL;
    return rc;
}
