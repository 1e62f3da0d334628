/*
** exec_merge.c — MERGE BRANCH src INTO dst [USING OURS|THEIRS] [DRY RUN]:
** the key-value three-way merge (hdb_branch_merge) with SQL's rules on top.
**
** HOW IT WORKS
**   The engine merges every keyspace key by key: tables (rowid -> record),
**   index keyspaces (values + rowid -> empty) and the catalog.  A key changed
**   on one side only is taken from that side, so a row changed on one side
**   only arrives with its own index entries, consistent.  For a key changed
**   on both sides the engine calls resolve_row():
**     - a table row: merged cell by cell (a column changed on one side takes
**       that side's value; changed on both to different values, or deleted
**       on one side and changed on the other, is a conflict);
**     - the catalog ("__schema"): the schema changed on both sides is a
**       schema conflict, never merged;
**     - "__seq" (AUTOINCREMENT): the larger value;
**     - with USING OURS / THEIRS what cannot be merged takes that side.
**   A row resolved this way may leave index entries of the values either
**   side had, and a row taken from src arrives with the entries of src's
**   indexes only (an index created on dst after the fork has none), so
**   every row the merge changes is remembered (applied() and resolve_row()),
**   and finish() — called by the engine inside dst's merge transaction,
**   before its commit — deletes the index entries of the versions the row
**   had (base, dst's, src's) and writes those of the row as merged, for
**   every index of the merged schema.  Its cost follows the rows changed.  finish() also checks every
**   entry the merge added to a UNIQUE index (applied() records them): two
**   rows with the same unique value, one from each side, refuse the merge
**   ("UNIQUE constraint failed"), so a merge never breaks a constraint.
**   An index whose catalog entry the merge brings from src was built from
**   src's rows only: finish() fills it again from the merged table.
**   All of it is one atomic commit on dst.
**
** CONFLICT REPORT
**   When the merge stops on conflicts (policy ABORT), the error message
**   names each conflict (at most HDB_SQL_MERGE_REPORT of them): the table,
**   the rowid and the row in the base, on dst ("ours") and on src
**   ("theirs"), e.g.
**     merge of 'dev' into 'main': 1 conflict; nothing written:
**       accounts rowid 2: base (2, 'bob', 200), ours (2, 'bob', 250),
**       theirs (2, 'bob', 275)
**   The result row: added, changed, deleted (rows of tables on dst, not
**   index entries), conflicts (rows or schema entries changed on both sides
**   that no cell merge reconciles: taken from one side by USING OURS /
**   THEIRS), fast_forward.  DRY RUN gives the same row and writes nothing.
**
** INVARIANTS
**   - The hooks never keep pointers into the engine's buffers: the records
**     of resolved rows and the added unique keys are copied.
**   - finish() runs with x->t = the merge transaction and leaves x->t as it
**     found it.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "src/sql/exec.h"

/* Conflicts named in the error message, at most. */
#define HDB_SQL_MERGE_REPORT 5
/* Columns of a row the cell merge accepts. */
#define MERGE_MAXCOL 2000

static const char *const merge_cols[] = {"added", "changed", "deleted", "conflicts", "fast_forward"};

/* A copy of a record, or absent (p NULL). */
typedef struct rec {
    void *p;
    size_t n;
} rec;

/* A row resolved by resolve_row(): its table keyspace, key and versions. */
typedef struct rrow {
    char ks[HDB_MAX_KS_NAME + 1];
    void *key;
    size_t nkey;
    rec base, ours, theirs;
} rrow;

/* A key added to an index keyspace by the merge. */
typedef struct ikey {
    char ks[HDB_MAX_KS_NAME + 1];
    void *key;
    size_t nkey;
} ikey;

typedef struct mergectx {
    xctx *x;
    int policy;
    hdb_buf out;
    rrow *rows;
    size_t nrows, caprows;
    ikey *keys;
    size_t nkeys, capkeys;
    uint64_t added, changed, deleted; /* rows of tables */
    uint64_t conflicts;      /* keys changed on both sides that no cell merge reconciled */
    char **newidx;           /* indexes whose catalog entry the merge added */
    size_t nnewidx;
    int oom;
} mergectx;

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

static int give_up(mergectx *m)
{
    m->conflicts++;
    return m->policy == HDB_MERGE_OURS     ? HDB_RESOLVE_OURS
           : m->policy == HDB_MERGE_THEIRS ? HDB_RESOLVE_THEIRS
                                           : HDB_RESOLVE_CONFLICT;
}

static int is_table_ks(const char *ks) { return ks[0] == 't' && !strchr(ks, '_'); }
static int is_index_ks(const char *ks) { return ks[0] == 'i' || (ks[0] == 't' && strchr(ks, '_')); }

static int same(const hdb_sql_value *a, const hdb_sql_value *b)
{
    if (a->type != b->type)
        return 0;
    if (a->type == HDB_NULL)
        return 1;
    if (a->type == HDB_TEXT || a->type == HDB_BLOB)
        return a->u.s.n == b->u.s.n && (!a->u.s.n || !memcmp(a->u.s.p, b->u.s.p, a->u.s.n));
    return hdb__sql_value_cmp(a, b, HDB_COLL_BINARY) == 0;
}

static int rec_copy(rec *r, const hdb_val *v)
{
    r->p = NULL;
    r->n = 0;
    if (!v || !v->data)
        return 0;
    r->p = malloc(v->size ? v->size : 1);
    if (!r->p)
        return -1;
    memcpy(r->p, v->data, v->size);
    r->n = v->size;
    return 0;
}

/* Remember a resolved row (its three versions) for finish(). */
static void remember(mergectx *m, const char *ks, hdb_val key, const hdb_val *base,
                     const hdb_val *ours, const hdb_val *theirs)
{
    if (m->nrows == m->caprows) {
        size_t cap = m->caprows ? 2 * m->caprows : 16;
        rrow *a = realloc(m->rows, cap * sizeof *a);
        if (!a) {
            m->oom = 1;
            return;
        }
        m->rows = a;
        m->caprows = cap;
    }
    rrow *r = &m->rows[m->nrows];
    memset(r, 0, sizeof *r);
    snprintf(r->ks, sizeof r->ks, "%s", ks);
    r->key = malloc(key.size ? key.size : 1);
    if (!r->key || rec_copy(&r->base, base) || rec_copy(&r->ours, ours) ||
        rec_copy(&r->theirs, theirs)) {
        free(r->key);
        free(r->base.p);
        free(r->ours.p);
        m->oom = 1;
        return;
    }
    memcpy(r->key, key.data, key.size);
    r->nkey = key.size;
    m->nrows++;
}

static int cell_merge(mergectx *m, const hdb_val *base, const hdb_val *ours, const hdb_val *theirs,
                      hdb_val *out)
{
    int nb = hdb__sql_record_ncol(base->data, base->size);
    int no = hdb__sql_record_ncol(ours->data, ours->size);
    int nt = hdb__sql_record_ncol(theirs->data, theirs->size);
    if (nb < 0 || no < 0 || nt < 0 || nb > MERGE_MAXCOL || no > MERGE_MAXCOL || nt > MERGE_MAXCOL)
        return give_up(m);
    int n = nb > no ? nb : no;
    n = n > nt ? n : nt;
    hdb_sql_value *vb = hdb__sql_row_new(n), *vo = hdb__sql_row_new(n), *vt = hdb__sql_row_new(n),
                  *res = hdb__sql_row_new(n);
    int how = HDB_RESOLVE_MERGED, s;
    if (!vb || !vo || !vt || !res ||
        hdb__sql_record_decode(base->data, base->size, vb, n, &s) != HDB_OK ||
        hdb__sql_record_decode(ours->data, ours->size, vo, n, &s) != HDB_OK ||
        hdb__sql_record_decode(theirs->data, theirs->size, vt, n, &s) != HDB_OK)
        how = give_up(m);
    for (int j = 0; j < n && how == HDB_RESOLVE_MERGED; j++) {
        if (same(&vo[j], &vb[j]))
            res[j] = vt[j];
        else if (same(&vt[j], &vb[j]) || same(&vo[j], &vt[j]))
            res[j] = vo[j];
        else
            how = give_up(m);
        res[j].owned = 0;
    }
    if (how == HDB_RESOLVE_MERGED) {
        hdb__buf_reset(&m->out);
        hdb__sql_record_encode(&m->out, res, n);
        if (m->out.oom)
            how = give_up(m);
        else
            *out = (hdb_val){m->out.data, m->out.len};
    }
    free(res); /* borrowed values only */
    hdb__sql_row_free(vb, vb ? n : 0);
    hdb__sql_row_free(vo, vo ? n : 0);
    hdb__sql_row_free(vt, vt ? n : 0);
    return how;
}

static int resolve_row(void *ctx, const char *keyspace, hdb_val key, const hdb_val *base,
                       const hdb_val *ours, const hdb_val *theirs, hdb_val *out)
{
    mergectx *m = ctx;
    if (!strcmp(keyspace, HDB_SQL_CATALOG_KS))
        return give_up(m);
    if (!strcmp(keyspace, HDB_SQL_SEQ_KS) && ours && theirs) { /* the larger sequence */
        hdb_sql_value a = HDB_SQL_NULL_INIT, b = HDB_SQL_NULL_INIT;
        hdb__sql_record_column(ours->data, ours->size, 0, &a);
        hdb__sql_record_column(theirs->data, theirs->size, 0, &b);
        return a.type == HDB_INTEGER && b.type == HDB_INTEGER && a.u.i < b.u.i ? HDB_RESOLVE_THEIRS
                                                                              : HDB_RESOLVE_OURS;
    }
    if (!is_table_ks(keyspace))
        return give_up(m);
    int how = base && ours && theirs ? cell_merge(m, base, ours, theirs, out) : give_up(m);
    if (how != HDB_RESOLVE_CONFLICT)
        remember(m, keyspace, key, base, ours, theirs);
    return how;
}

/* A catalog entry the merge writes: remember an index (its name), which
 * src built from src's rows only. */
static int catalog_entry(mergectx *m, const hdb_val *val)
{
    hdb_sql_value type = HDB_SQL_NULL_INIT, name = HDB_SQL_NULL_INIT;
    if (hdb__sql_record_column(val->data, val->size, 0, &type) != HDB_OK || type.type != HDB_TEXT ||
        type.u.s.n != 5 || memcmp(type.u.s.p, "index", 5) ||
        hdb__sql_record_column(val->data, val->size, 1, &name) != HDB_OK || name.type != HDB_TEXT)
        return HDB_OK;
    char **a = realloc(m->newidx, (m->nnewidx + 1) * sizeof *a);
    if (!a)
        return HDB_NOMEM;
    m->newidx = a;
    if (!(a[m->nnewidx] = malloc(name.u.s.n + 1)))
        return HDB_NOMEM;
    memcpy(a[m->nnewidx], name.u.s.p, name.u.s.n);
    a[m->nnewidx++][name.u.s.n] = 0;
    return HDB_OK;
}

/* Record the keys the merge adds to index keyspaces (for the UNIQUE check)
 * and the indexes it adds to the catalog. */
static int applied(void *ctx, const char *keyspace, hdb_val key, const hdb_val *old,
                   const hdb_val *val)
{
    mergectx *m = ctx;
    if (is_table_ks(keyspace)) { /* rows, as SQL counts them */
        if (old && val)
            m->changed++;
        else if (val)
            m->added++;
        else
            m->deleted++;
        /* Its index entries came from src, for src's indexes: finish()
         * makes those of every index of the merged schema exact. */
        remember(m, keyspace, key, NULL, old, NULL);
        return m->oom ? HDB_NOMEM : HDB_OK;
    }
    if (val && !strcmp(keyspace, HDB_SQL_CATALOG_KS) && key.size == 8)
        return catalog_entry(m, val);
    if (!val || !is_index_ks(keyspace))
        return HDB_OK;
    if (m->nkeys == m->capkeys) {
        size_t cap = m->capkeys ? 2 * m->capkeys : 64;
        ikey *a = realloc(m->keys, cap * sizeof *a);
        if (!a)
            return HDB_NOMEM;
        m->keys = a;
        m->capkeys = cap;
    }
    ikey *k = &m->keys[m->nkeys];
    snprintf(k->ks, sizeof k->ks, "%s", keyspace);
    k->key = malloc(key.size ? key.size : 1);
    if (!k->key)
        return HDB_NOMEM;
    memcpy(k->key, key.data, key.size);
    k->nkey = key.size;
    m->nkeys++;
    return HDB_OK;
}

static void mergectx_free(mergectx *m)
{
    for (size_t i = 0; i < m->nrows; i++) {
        free(m->rows[i].key);
        free(m->rows[i].base.p);
        free(m->rows[i].ours.p);
        free(m->rows[i].theirs.p);
    }
    free(m->rows);
    for (size_t i = 0; i < m->nkeys; i++)
        free(m->keys[i].key);
    free(m->keys);
    for (size_t i = 0; i < m->nnewidx; i++)
        free(m->newidx[i]);
    free(m->newidx);
    hdb__buf_free(&m->out);
}

/* ---- finishing inside the merge transaction -------------------------------------- */

static hdb_sql_table *table_of_ks(hdb_sql_schema *s, const char *ks)
{
    for (int i = 0; i < s->ntab; i++)
        if (!strcmp(s->tab[i]->ks, ks))
            return s->tab[i];
    return NULL;
}

static hdb_sql_index *index_of_ks(hdb_sql_schema *s, const char *ks)
{
    for (int i = 0; i < s->ntab; i++)
        for (hdb_sql_index *ix = s->tab[i]->indexes; ix; ix = ix->next)
            if (!strcmp(ix->ks, ks))
                return ix;
    return NULL;
}

/* Delete (del) or write the entries of row version r in every index of t. */
static int index_entries(xctx *x, xsrc *src, hdb_sql_table *t, int64_t rowid, const void *p,
                         size_t n, int del)
{
    int rc = hdb__sql_load_row(x, src, rowid, p, n);
    hdb_buf k;
    hdb__buf_init(&k, NULL);
    for (hdb_sql_index *ix = t->indexes; ix && rc == HDB_OK; ix = ix->next) {
        uint32_t ks;
        if ((rc = hdb__sql_ks(x, ix->ks, 1, &ks)) != HDB_OK)
            break;
        hdb__buf_reset(&k);
        hdb__sql_index_key(&k, ix, src->row, rowid, 1);
        if (k.oom) {
            rc = nomem(x);
            break;
        }
        hdb_val key = {k.data, k.len};
        rc = del ? hdb_del(x->t, ks, key) : hdb_put(x->t, ks, key, (hdb_val){"", 0});
        if (rc == HDB_NOTFOUND && del)
            rc = HDB_OK;
        if (rc != HDB_OK)
            hdb__sql_err(x, rc, "merge: index %s: %s", ix->name, hdb_errstr(rc));
    }
    hdb__buf_free(&k);
    return rc;
}

/* The one-table core fix_row() reads rows with, kept while consecutive
 * rows belong to the same table (the merge reports them table by table). */
typedef struct fixcache {
    hdb_sql_table *t;
    xcore *c;
} fixcache;

static void fixcache_release(fixcache *fc)
{
    if (fc->c) {
        xsrc *src = &fc->c->src[0];
        hdb__sql_row_free(src->rowbuf, src->ncol);
        hdb__sql_row_free(src->dflt, src->ncol);
        src->rowbuf = src->dflt = NULL;
    }
    fc->t = NULL;
    fc->c = NULL;
}

/* Make the index entries of one changed row those of the row as merged. */
static int fix_row(xctx *x, rrow *r, fixcache *fc)
{
    hdb_sql_table *t = table_of_ks(x->schema, r->ks);
    if (!t || !t->indexes)
        return HDB_OK; /* a table dropped by the merge, or without indexes */
    const uint8_t *kp = r->key;
    size_t kn = r->nkey;
    hdb_sql_value rv = HDB_SQL_NULL_INIT;
    if (hdb__sql_key_decode(&kp, &kn, 0, &rv) != HDB_OK || rv.type != HDB_INTEGER)
        return hdb__sql_err(x, HDB_CORRUPT, "merge: bad row key in %s", t->name);
    int64_t rowid = rv.u.i;
    int rc = HDB_OK;
    if (fc->t != t) {
        fixcache_release(fc);
        if (!(fc->c = hdb__sql_table_core(x, t, NULL, NULL)))
            return x->rc ? x->rc : nomem(x);
        fc->t = t;
        rc = hdb__sql_source_defaults(x, &fc->c->src[0]);
    }
    xsrc *src = &fc->c->src[0];
    const rec *old[3] = {&r->base, &r->ours, &r->theirs};
    for (int i = 0; i < 3 && rc == HDB_OK; i++)
        if (old[i]->p)
            rc = index_entries(x, src, t, rowid, old[i]->p, old[i]->n, 1);
    uint32_t ks;
    hdb_val now;
    if (rc == HDB_OK && (rc = hdb__sql_ks(x, t->ks, 0, &ks)) == HDB_OK) {
        rc = hdb_get(x->t, ks, (hdb_val){r->key, r->nkey}, &now);
        if (rc == HDB_OK)
            rc = index_entries(x, src, t, rowid, now.data, now.size, 0);
    }
    if (rc == HDB_NOTFOUND)
        rc = HDB_OK; /* the row is deleted as merged */
    return rc;
}

/* The entry k added to a UNIQUE index: refuse a second row with its value. */
static int check_unique_key(xctx *x, ikey *k)
{
    hdb_sql_index *ix = index_of_ks(x->schema, k->ks);
    if (!ix || !ix->unique)
        return HDB_OK;
    const uint8_t *p = k->key;
    size_t n = k->nkey;
    for (int i = 0; i < ix->ncol; i++) {
        hdb_sql_value v = HDB_SQL_NULL_INIT;
        if (hdb__sql_key_decode(&p, &n, ix->desc[i], &v) != HDB_OK)
            return hdb__sql_err(x, HDB_CORRUPT, "merge: bad key in index %s", ix->name);
        int null = v.type == HDB_NULL;
        hdb__sql_value_clear(&v);
        if (null) /* NULLs are distinct in a UNIQUE index */
            return HDB_OK;
    }
    size_t plen = k->nkey - n; /* the values, without the rowid */
    uint32_t ks;
    int rc = hdb__sql_ks(x, ix->ks, 0, &ks);
    if (rc != HDB_OK)
        return rc == HDB_NOTFOUND ? HDB_OK : rc;
    hdb_cursor *cur;
    if ((rc = hdb_cursor_open(x->t, ks, &cur)) != HDB_OK)
        return hdb__sql_err(x, rc, "merge: %s", hdb_errstr(rc));
    int count = 0;
    hdb_val ck, cv;
    for (rc = hdb_cursor_seek(cur, (hdb_val){k->key, plen}); rc == HDB_OK && count < 2;
         rc = hdb_cursor_next(cur)) {
        if ((rc = hdb_cursor_get(cur, &ck, &cv)) != HDB_OK)
            break;
        if (ck.size < plen || memcmp(ck.data, k->key, plen))
            break;
        count++;
    }
    hdb_cursor_close(cur);
    if (rc != HDB_OK && rc != HDB_NOTFOUND)
        return hdb__sql_err(x, rc, "merge: %s", hdb_errstr(rc));
    if (count < 2)
        return HDB_OK;
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    for (int i = 0; i < ix->ncol; i++)
        hdb__buf_printf(&b, "%s%s.%s", i ? ", " : "", ix->table->name, ix->table->cols[ix->cols[i]].name);
    rc = hdb__sql_err(x, HDB_CONSTRAINT, "UNIQUE constraint failed: %s (rows from both branches)",
                      b.oom ? "?" : b.data);
    hdb__buf_free(&b);
    return rc;
}

/* An index that came from src holds src's rows only: empty it and fill it
 * from the merged table (checking uniqueness). */
static int rebuild_index(xctx *x, const char *name)
{
    hdb_sql_index *ix = NULL;
    for (int i = 0; i < x->schema->ntab && !ix; i++)
        for (hdb_sql_index *j = x->schema->tab[i]->indexes; j && !ix; j = j->next)
            if (j->name && !strcmp(j->name, name))
                ix = j;
    if (!ix)
        return HDB_OK; /* dropped again by the merge */
    uint32_t ks;
    int rc = hdb__sql_ks(x, ix->ks, 1, &ks);
    hdb_cursor *c = NULL;
    if (rc == HDB_OK)
        rc = hdb_cursor_open(x->t, ks, &c);
    while (rc == HDB_OK && (rc = hdb_cursor_first(c)) == HDB_OK) {
        hdb_val k, v;
        if ((rc = hdb_cursor_get(c, &k, &v)) == HDB_OK)
            rc = hdb_del(x->t, ks, k);
    }
    hdb_cursor_close(c);
    if (rc != HDB_NOTFOUND)
        return hdb__sql_err(x, rc, "merge: index %s: %s", name, hdb_errstr(rc));
    return hdb__sql_index_fill(x, ix, 1);
}

static int finish(void *ctx, hdb_txn *t)
{
    mergectx *m = ctx;
    xctx *x = m->x;
    if (m->oom)
        return nomem(x);
    hdb_txn *saved = x->t;
    hdb_sql_schema *saved_schema = x->schema;
    x->t = t;
    int rc = hdb__sql_schema_sync(x);
    fixcache fc = {NULL, NULL};
    for (size_t i = 0; rc == HDB_OK && i < m->nrows; i++)
        rc = fix_row(x, &m->rows[i], &fc);
    fixcache_release(&fc);
    for (size_t i = 0; rc == HDB_OK && i < m->nkeys; i++)
        rc = check_unique_key(x, &m->keys[i]);
    for (size_t i = 0; rc == HDB_OK && i < m->nnewidx; i++)
        rc = rebuild_index(x, m->newidx[i]);
    x->t = saved;
    x->schema = saved_schema == x->c->schema ? saved_schema : x->c->schema;
    return rc;
}

/* ---- the conflict report --------------------------------------------------------- */

/* Append a record as "(1, 'bob', NULL)", or "absent"; column ipk (if >= 0,
 * stored as NULL) shows the rowid, *rowid (NULL: unknown, shown NULL). */
static void append_record(hdb_buf *b, const hdb_val *v, int ipk, const hdb_sql_value *rowid)
{
    if (!v || !v->data) {
        hdb__buf_puts(b, "absent");
        return;
    }
    int n = hdb__sql_record_ncol(v->data, v->size);
    if (n < 0 || n > MERGE_MAXCOL) {
        hdb__buf_printf(b, "(%zu bytes)", v->size);
        return;
    }
    hdb__buf_puts(b, "(");
    for (int i = 0; i < n; i++) {
        hdb_sql_value c = HDB_SQL_NULL_INIT;
        if (hdb__sql_record_column(v->data, v->size, i, &c) != HDB_OK)
            break;
        if (i == ipk && rowid)
            c = *rowid;
        if (i)
            hdb__buf_puts(b, ", ");
        if (c.type == HDB_NULL)
            hdb__buf_puts(b, "NULL");
        else if (c.type == HDB_TEXT)
            hdb__buf_printf(b, "'%.*s'", (int)(c.u.s.n > 40 ? 40 : c.u.s.n), c.u.s.p);
        else if (c.type == HDB_BLOB)
            hdb__buf_printf(b, "x'…' (%zu bytes)", c.u.s.n);
        else
            hdb__sql_value_to_text(&c, b);
    }
    hdb__buf_puts(b, ")");
}

static void describe(xctx *x, hdb_buf *b, const hdb_conflict *c)
{
    hdb_sql_table *t = x->schema ? table_of_ks(x->schema, c->keyspace) : NULL;
    hdb_sql_index *ix = x->schema && !t ? index_of_ks(x->schema, c->keyspace) : NULL;
    if (!strcmp(c->keyspace, HDB_SQL_CATALOG_KS)) {
        hdb__buf_puts(b, "schema changed on both branches: ");
        hdb_sql_value name = HDB_SQL_NULL_INIT;
        const hdb_val *v = c->ours.data ? &c->ours : c->theirs.data ? &c->theirs : &c->base;
        if (c->key.size == 8 && v->data &&
            hdb__sql_record_column(v->data, v->size, 1, &name) == HDB_OK && name.type == HDB_TEXT)
            hdb__buf_printf(b, "%.*s", (int)name.u.s.n, name.u.s.p);
        else
            hdb__buf_puts(b, "the schema version");
        return;
    }
    if (t) {
        const uint8_t *p = c->key.data;
        size_t n = c->key.size;
        hdb_sql_value rv = HDB_SQL_NULL_INIT;
        if (n && hdb__sql_key_decode(&p, &n, 0, &rv) == HDB_OK && rv.type == HDB_INTEGER)
            hdb__buf_printf(b, "%s rowid %lld: base ", t->name, (long long)rv.u.i);
        else
            hdb__buf_printf(b, "table %s: ", t->name);
        if (!c->key.size) {
            hdb__buf_puts(b, "dropped on one branch and changed on the other");
            return;
        }
        const hdb_sql_value *id = rv.type == HDB_INTEGER ? &rv : NULL;
        append_record(b, &c->base, t->ipk, id);
        hdb__buf_puts(b, ", ours ");
        append_record(b, &c->ours, t->ipk, id);
        hdb__buf_puts(b, ", theirs ");
        append_record(b, &c->theirs, t->ipk, id);
        hdb__sql_value_clear(&rv);
        return;
    }
    if (ix) {
        hdb__buf_printf(b, "index %s on %s changed on both branches", ix->name, ix->table->name);
        return;
    }
    hdb__buf_printf(b, "keyspace %s", c->keyspace);
}

static int conflict_error(xctx *x, int rc, const char *src, const char *dst, hdb_merge_result *r)
{
    if (!r || !r->nconflicts)
        return hdb__sql_err(x, rc, "%s", hdb_errmsg(x->db));
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__buf_printf(&b, "merge of '%s' into '%s': %zu conflict%s; nothing written:", src, dst,
                    r->nconflicts, r->nconflicts == 1 ? "" : "s");
    for (size_t i = 0; i < r->nconflicts && i < HDB_SQL_MERGE_REPORT; i++) {
        hdb__buf_puts(&b, "\n  ");
        describe(x, &b, &r->conflicts[i]);
    }
    if (r->nconflicts > HDB_SQL_MERGE_REPORT)
        hdb__buf_printf(&b, "\n  ... and %zu more", r->nconflicts - HDB_SQL_MERGE_REPORT);
    rc = hdb__sql_err(x, rc, "%s", b.oom ? "merge conflicts (out of memory describing them)" : b.data);
    hdb__buf_free(&b);
    return rc;
}

/* The connection's schema of the current branch, for naming tables. */
static void load_names(xctx *x)
{
    hdb_txn *t;
    if (hdb_txn_begin(x->db, HDB_TXN_READ, &t) != HDB_OK)
        return;
    hdb_txn *saved = x->t;
    x->t = t;
    if (hdb__sql_schema_sync(x) != HDB_OK)
        x->schema = NULL;
    x->t = saved;
    hdb_txn_abort(t);
}

int hdb__sql_exec_merge(xctx *x, hdb_sql_branch *b, xrows *out, char ***names, int *ncol)
{
    mergectx m;
    memset(&m, 0, sizeof m);
    m.x = x;
    m.policy = b->policy;
    hdb__buf_init(&m.out, NULL);
    hdb_merge_opts o;
    memset(&o, 0, sizeof o);
    o.policy = b->policy;
    o.dry_run = b->dry_run;
    o.resolve = resolve_row;
    o.applied = applied;
    o.finish = finish;
    o.resolve_ctx = &m;
    *names = (char **)merge_cols;
    *ncol = 5;
    hdb_merge_result *r = NULL;
    int rc = hdb_branch_merge(x->db, b->name, b->from, &o, &r);
    if (rc == HDB_CONFLICT && b->dry_run)
        rc = HDB_OK; /* a dry run reports its conflicts as a count */
    if (rc == HDB_CONFLICT) {
        load_names(x);
        conflict_error(x, rc, b->name, b->from, r);
    } else if (rc != HDB_OK && x->rc == HDB_OK) {
        hdb__sql_err(x, rc, "%s", hdb_errmsg(x->db));
    } else if (rc != HDB_OK) { /* finish() refused: say so, keeping its reason */
        char why[sizeof x->err];
        snprintf(why, sizeof why, "%s", x->err);
        x->rc = HDB_OK;
        rc = hdb__sql_err(x, rc, "merge of '%s' into '%s' refused, nothing written: %s", b->name,
                          b->from, why);
    }
    hdb_sql_value *row = rc == HDB_OK ? hdb__sql_row_new(5) : NULL;
    if (rc == HDB_OK && !row)
        rc = nomem(x);
    if (row) {
        hdb__sql_value_int(&row[0], (int64_t)m.added);
        hdb__sql_value_int(&row[1], (int64_t)m.changed);
        hdb__sql_value_int(&row[2], (int64_t)m.deleted);
        hdb__sql_value_int(&row[3], (int64_t)m.conflicts);
        hdb__sql_value_int(&row[4], r ? r->fast_forward : 0);
        out->ncol = 5;
        if (hdb__sql_rows_add(out, row, 5) != HDB_OK)
            rc = nomem(x);
    }
    mergectx_free(&m);
    hdb_merge_result_free(r);
    return rc;
}
