/*
** exec_rows.c — row arrays, a hash set of byte strings, and a stable sort:
** the containers behind result sets, DISTINCT, GROUP BY and compounds.
**
** INVARIANTS
**   - Every value in an xrows row is owned by the row; rows are freed with
**     hdb__sql_row_free.
**   - xset keys are copies; their order of insertion is kept in `idx`.
**   - An xrows with `spill` set is the batch of an external sorter
**     (spill.h): each row added is counted, and when the batch passes the
**     sorter's budget it is written out as a sorted run and emptied.
**   - The sort is stable and reports memory exhaustion: it never leaves
**     rows unsorted silently.
*/
#include <stdlib.h>
#include <string.h>
#include "pager/mem.h"
#include "src/sql/exec.h"
#include "src/sql/spill.h"

hdb_sql_value *hdb__sql_row_new(int n)
{
    hdb_sql_value *v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
    if (!v)
        return NULL;
    for (int i = 0; i < n; i++) {
        v[i].type = HDB_NULL;
        v[i].owned = 0;
        v[i].u.i = 0;
    }
    return v;
}

void hdb__sql_row_free(hdb_sql_value *v, int n)
{
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        hdb__sql_value_clear(&v[i]);
    free(v);
}

int hdb__sql_rows_add(xrows *r, hdb_sql_value *v, int ncol)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 16;
        hdb_sql_value **nr = realloc(r->r, sizeof *nr * nc);
        if (!nr) {
            hdb__sql_row_free(v, ncol);
            return HDB_NOMEM;
        }
        r->r = nr;
        r->cap = nc;
    }
    r->r[r->n++] = v;
    if (r->spill)
        return hdb__sql_sorter_added(r->spill, r);
    if (r->lazy && (r->lazy_bytes += hdb__sql_row_bytes(v, ncol)) > r->lazy_budget) {
        xsorter *so; /* the rows outgrew memory: from now on they go through a sorter */
        int rc = hdb__sql_sorter_open(r->lazy, ncol, NULL, 0, &so);
        if (rc != HDB_OK)
            return rc;
        r->lazy = NULL;
        hdb__sql_sorter_attach(so, r);
        return hdb__sql_sorter_added(so, r);
    }
    return HDB_OK;
}

void hdb__sql_rows_clear(xrows *r)
{
    for (size_t i = 0; i < r->n; i++)
        hdb__sql_row_free(r->r[i], r->ncol);
    free(r->r);
    r->r = NULL;
    r->n = r->cap = 0;
    hdb__sql_sorter_close(r->stream);
    r->stream = NULL;
}

/* ---- stable merge sort -------------------------------------------------- */

/* Texts under BINARY, the usual sort key, are compared here in line. */
int hdb__sql_order_cmp(const hdb_sql_value *x, const hdb_sql_value *y, const xorder *o)
{
    int c;
    if (x->type == HDB_TEXT && y->type == HDB_TEXT && o->coll == HDB_COLL_BINARY) {
        c = hdb__sql_text_cmp_binary(x->u.s.p, x->u.s.n, y->u.s.p, y->u.s.n);
    } else if (x->type == HDB_NULL || y->type == HDB_NULL) {
        if (x->type == y->type)
            return 0;
        int nf = o->nulls_first >= 0 ? o->nulls_first : !o->desc;
        return (x->type == HDB_NULL) == nf ? -1 : 1;
    } else {
        c = hdb__sql_value_cmp(x, y, o->coll);
    }
    return o->desc ? -c : c;
}

int hdb__sql_row_cmp(const hdb_sql_value *a, const hdb_sql_value *b, const xorder *o, int no)
{
    for (int i = 0; i < no; i++) {
        int c = hdb__sql_order_cmp(&a[o[i].col], &b[o[i].col], &o[i]);
        if (c)
            return c;
    }
    return 0;
}

static void msort(hdb_sql_value **a, hdb_sql_value **tmp, size_t n, const xorder *o, int no)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    msort(a, tmp, h, o, no);
    msort(a + h, tmp, n - h, o, no);
    if (hdb__sql_row_cmp(a[h - 1], a[h], o, no) <= 0)
        return;
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = hdb__sql_row_cmp(a[j], a[i], o, no) < 0 ? a[j++] : a[i++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, sizeof *a * n);
}

int hdb__sql_rows_sort(xrows *r, const xorder *o, int no)
{
    if (r->n < 2 || no == 0)
        return HDB_OK;
    hdb_sql_value **tmp = malloc(sizeof *tmp * r->n);
    if (!tmp)
        return HDB_NOMEM;
    msort(r->r, tmp, r->n, o, no);
    free(tmp);
    return HDB_OK;
}

int hdb__sql_rows_top(xrows *r, const xorder *o, int no, size_t n)
{
    if (r->n <= n)
        return HDB_OK;
    hdb_sql_value **tmp = malloc(sizeof *tmp * r->n);
    if (!tmp)
        return HDB_NOMEM;
    msort(r->r, tmp, r->n, o, no);
    free(tmp);
    for (size_t i = n; i < r->n; i++)
        hdb__sql_row_free(r->r[i], r->ncol);
    r->n = n;
    if (r->spill)
        hdb__sql_sorter_attach(r->spill, r); /* recount what is left */
    return HDB_OK;
}

/* ---- keys and the set ---------------------------------------------------- */

void hdb__sql_row_key(hdb_buf *b, const hdb_sql_value *v, int n, const int *coll)
{
    for (int i = 0; i < n; i++)
        hdb__sql_key_append(b, &v[i], coll && coll[i] >= 0 ? coll[i] : HDB_COLL_BINARY, 0);
}

static uint64_t hash(const void *p, size_t n)
{
    const uint8_t *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

static int grow(xset *s)
{
    size_t nc = s->cap ? s->cap * 2 : 64;
    struct xset_ent *ne = calloc(nc, sizeof *ne);
    if (!ne)
        return HDB_NOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->e[i].k)
            continue;
        size_t j = s->e[i].h & (nc - 1);
        while (ne[j].k)
            j = (j + 1) & (nc - 1);
        ne[j] = s->e[i];
    }
    free(s->e);
    s->e = ne;
    s->cap = nc;
    return HDB_OK;
}

long hdb__sql_set_find(xset *s, const void *k, size_t kn, long idx_if_new, int *added)
{
    *added = 0;
    if ((s->n + 1) * 2 > s->cap && grow(s) != HDB_OK)
        return -1;
    uint64_t h = hash(k, kn);
    size_t j = h & (s->cap - 1);
    while (s->e[j].k) {
        if (s->e[j].h == h && s->e[j].kn == kn && !memcmp(s->e[j].k, k, kn))
            return s->e[j].idx;
        j = (j + 1) & (s->cap - 1);
    }
    char *c = malloc(kn ? kn : 1);
    if (!c)
        return -1;
    memcpy(c, k, kn);
    s->e[j].k = c;
    s->e[j].kn = kn;
    s->e[j].h = h;
    s->e[j].idx = idx_if_new;
    s->n++;
    *added = 1;
    return idx_if_new;
}

long hdb__sql_set_get(const xset *s, const void *k, size_t kn)
{
    if (!s->cap)
        return -1;
    uint64_t h = hash(k, kn);
    for (size_t j = h & (s->cap - 1); s->e[j].k; j = (j + 1) & (s->cap - 1))
        if (s->e[j].h == h && s->e[j].kn == kn && !memcmp(s->e[j].k, k, kn))
            return s->e[j].idx;
    return -1;
}

int hdb__sql_set_has(const xset *s, const void *k, size_t kn)
{
    if (!s->cap)
        return 0;
    uint64_t h = hash(k, kn);
    for (size_t j = h & (s->cap - 1); s->e[j].k; j = (j + 1) & (s->cap - 1))
        if (s->e[j].h == h && s->e[j].kn == kn && !memcmp(s->e[j].k, k, kn))
            return 1;
    return 0;
}

void hdb__sql_set_free(xset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->e[i].k);
    free(s->e);
    memset(s, 0, sizeof *s);
}
