/*
** catalog.c — loading and writing the schema of a branch (catalog.h has
** the byte layout of the catalog keyspace and of every object's keyspace).
**
** INVARIANTS
**   - Loading never changes the database; writing always bumps the version
**     (so every cache of the old schema notices at its next statement).
**   - A schema is built in its own arena: the entries' SQL is re-parsed into
**     it and the tables point into those trees.
*/
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "pager/mem.h"
#include "src/engine.h"
#include "src/sql/catalog.h"
#include "src/sql/codec.h"
#include "src/sql/parse.h"

int hdb__sql_name_eq(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

static void id_key(uint8_t k[8], uint64_t id)
{
    for (int i = 0; i < 8; i++)
        k[i] = (uint8_t)(id >> (56 - 8 * i));
}

hdb_sql_table *hdb__sql_table_find(hdb_sql_schema *s, const char *name)
{
    for (int i = 0; s && i < s->ntab; i++)
        if (hdb__sql_name_eq(s->tab[i]->name, name))
            return s->tab[i];
    return NULL;
}

hdb_sql_index *hdb__sql_index_find(hdb_sql_schema *s, const char *name)
{
    for (int i = 0; s && i < s->ntab; i++)
        for (hdb_sql_index *x = s->tab[i]->indexes; x; x = x->next)
            if (hdb__sql_name_eq(x->name, name))
                return x;
    return NULL;
}

int hdb__sql_column_find(const hdb_sql_table *t, const char *name)
{
    for (int i = 0; i < t->ncol; i++)
        if (hdb__sql_name_eq(t->cols[i].name, name))
            return i;
    return -1;
}

/* ---- building objects from their CREATE statements ---------------------- */

static int is_json_type(const char *ty)
{
    return ty && (hdb__sql_name_eq(ty, "JSON") || hdb__sql_name_eq(ty, "JSONB"));
}

static hdb_sql_index *autoindex(hdb_sql_schema *s, hdb_sql_table *t, const hdb_sql_idxcols *ic,
                                int single, int is_pk, int n)
{
    hdb_sql_arena *a = &s->arena;
    hdb_sql_index *x = hdb__sql_arena_alloc(a, sizeof *x);
    int nc = ic ? ic->n : 1;
    if (!x)
        return NULL;
    x->cols = hdb__sql_arena_alloc(a, sizeof(int) * nc);
    x->desc = hdb__sql_arena_alloc(a, sizeof(int) * nc);
    x->coll = hdb__sql_arena_alloc(a, sizeof(int) * nc);
    char nm[160];
    snprintf(nm, sizeof nm, "sqlite_autoindex_%s_%d", t->name, n);
    x->name = hdb__sql_arena_strndup(a, nm, strlen(nm));
    if (!x->cols || !x->desc || !x->coll || !x->name)
        return NULL;
    snprintf(x->ks, sizeof x->ks, "t%llu_a%d", (unsigned long long)t->id, n);
    x->table = t;
    x->unique = 1;
    x->is_pk = is_pk;
    x->autoidx = 1;
    x->ncol = nc;
    for (int i = 0; i < nc; i++) {
        int c = single;
        if (ic) {
            const hdb_sql_expr *e = ic->a[i].expr;
            if (e->kind != HDB_SQL_E_COLUMN || (c = hdb__sql_column_find(t, e->u.col.column)) < 0)
                return NULL;
            x->desc[i] = ic->a[i].sort == HDB_SQL_SORT_DESC;
        }
        x->cols[i] = c;
        x->coll[i] = t->cols[c].coll;
        if (ic && ic->a[i].collate && hdb__sql_collation(ic->a[i].collate) >= 0)
            x->coll[i] = hdb__sql_collation(ic->a[i].collate);
    }
    return x;
}

static void add_index(hdb_sql_table *t, hdb_sql_index *x)
{
    hdb_sql_index **pp = &t->indexes;
    while (*pp)
        pp = &(*pp)->next;
    *pp = x;
}

static int build_pk(hdb_sql_schema *s, hdb_sql_table *t, const hdb_sql_idxcols *ic, int col,
                    int desc, int *nauto)
{
    hdb_sql_arena *a = &s->arena;
    int n = ic ? ic->n : 1;
    t->npk = n;
    t->pk = hdb__sql_arena_alloc(a, sizeof(int) * n);
    if (!t->pk)
        return HDB_NOMEM;
    for (int i = 0; i < n; i++) {
        int c = col;
        if (ic) {
            const hdb_sql_expr *e = ic->a[i].expr;
            if (e->kind != HDB_SQL_E_COLUMN || (c = hdb__sql_column_find(t, e->u.col.column)) < 0)
                return HDB_ERROR;
            if (n == 1)
                desc = ic->a[i].sort == HDB_SQL_SORT_DESC;
        }
        t->pk[i] = c;
    }
    if (n == 1 && t->cols[t->pk[0]].type && hdb__sql_name_eq(t->cols[t->pk[0]].type, "INTEGER") &&
        !desc) {
        t->ipk = t->pk[0];
        return HDB_OK;
    }
    hdb_sql_index *x = autoindex(s, t, ic, col, 1, ++*nauto);
    if (!x)
        return HDB_ERROR;
    add_index(t, x);
    return HDB_OK;
}

static int build_fk(hdb_sql_schema *s, hdb_sql_table *t, const hdb_sql_tcons *k, hdb_sql_fk *f)
{
    hdb_sql_arena *a = &s->arena;
    f->nchild = k->child.n;
    f->child = hdb__sql_arena_alloc(a, sizeof(int) * (f->nchild ? f->nchild : 1));
    if (!f->child)
        return HDB_NOMEM;
    for (int i = 0; i < f->nchild; i++)
        if ((f->child[i] = hdb__sql_column_find(t, k->child.a[i])) < 0)
            return HDB_ERROR;
    f->parent = k->fk.table;
    f->pcols = k->fk.cols.n ? k->fk.cols.a : NULL;
    if (f->pcols && k->fk.cols.n != f->nchild)
        return HDB_ERROR;
    f->on_delete = k->fk.on_delete;
    f->on_update = k->fk.on_update;
    return HDB_OK;
}

static int build_columns(hdb_sql_schema *s, hdb_sql_table *t, hdb_sql_create_table *ct)
{
    t->ncol = ct->ncol;
    t->cols = hdb__sql_arena_alloc(&s->arena, sizeof *t->cols * (ct->ncol ? ct->ncol : 1));
    if (!t->cols)
        return HDB_NOMEM;
    for (int i = 0; i < ct->ncol; i++) {
        hdb_sql_coldef *d = &ct->cols[i];
        hdb_sql_column *c = &t->cols[i];
        c->name = d->name;
        c->type = d->type;
        c->aff = hdb__sql_affinity(d->type);
        c->coll = d->collate ? hdb__sql_collation(d->collate) : HDB_COLL_BINARY;
        if (c->coll < 0)
            return HDB_ERROR;
        c->notnull = !!(d->flags & HDB_SQL_COL_NOTNULL);
        c->is_json = is_json_type(d->type);
        c->dflt = d->dflt;
    }
    return HDB_OK;
}

static int build_constraints(hdb_sql_schema *s, hdb_sql_table *t, hdb_sql_create_table *ct)
{
    hdb_sql_arena *a = &s->arena;
    int nauto = 0, rc;
    for (int i = 0; i < ct->ncol; i++) { /* column PRIMARY KEY / UNIQUE, in order */
        unsigned fl = ct->cols[i].flags;
        if (fl & HDB_SQL_COL_PK) {
            if ((rc = build_pk(s, t, NULL, i, !!(fl & HDB_SQL_COL_PK_DESC), &nauto)) != HDB_OK)
                return rc;
            t->autoinc = !!(fl & HDB_SQL_COL_AUTOINC);
        }
        if (fl & HDB_SQL_COL_UNIQUE) {
            hdb_sql_index *x = autoindex(s, t, NULL, i, 0, ++nauto);
            if (!x)
                return HDB_ERROR;
            add_index(t, x);
        }
    }
    t->check = hdb__sql_arena_alloc(a, sizeof(hdb_sql_expr *) * (ct->ncons + 1));
    t->fk = hdb__sql_arena_alloc(a, sizeof(hdb_sql_fk) * (ct->ncons + 1));
    if (!t->check || !t->fk)
        return HDB_NOMEM;
    for (int i = 0; i < ct->ncons; i++) {
        hdb_sql_tcons *k = &ct->cons[i];
        if (k->kind == HDB_SQL_TC_PRIMARY) {
            if (t->npk)
                return HDB_ERROR;
            if ((rc = build_pk(s, t, &k->cols, -1, 0, &nauto)) != HDB_OK)
                return rc;
            t->autoinc = k->autoincrement;
        } else if (k->kind == HDB_SQL_TC_UNIQUE) {
            hdb_sql_index *x = autoindex(s, t, &k->cols, -1, 0, ++nauto);
            if (!x)
                return HDB_ERROR;
            add_index(t, x);
        } else if (k->kind == HDB_SQL_TC_CHECK) {
            t->check[t->ncheck++] = k->check;
        } else if (k->kind == HDB_SQL_TC_FOREIGN) {
            if ((rc = build_fk(s, t, k, &t->fk[t->nfk++])) != HDB_OK)
                return rc;
        }
    }
    return HDB_OK;
}

static int build_table(hdb_sql_schema *s, hdb_sql_stmt *st, uint64_t id, hdb_sql_table **out)
{
    hdb_sql_table *t = hdb__sql_arena_alloc(&s->arena, sizeof *t);
    if (!t)
        return HDB_NOMEM;
    t->id = id;
    t->ipk = -1;
    t->sql = st->sql;
    snprintf(t->ks, sizeof t->ks, "t%llu", (unsigned long long)id);
    if (st->kind == HDB_SQL_S_CREATE_VIEW) {
        t->is_view = 1;
        t->name = st->u.create_view.name;
        t->view = st->u.create_view.select;
        t->view_cols = st->u.create_view.cols;
        *out = t;
        return HDB_OK;
    }
    if (st->kind != HDB_SQL_S_CREATE_TABLE || st->u.create_table.ncol == 0)
        return HDB_ERROR;
    hdb_sql_create_table *ct = &st->u.create_table;
    t->name = ct->name;
    t->def = ct;
    int rc = build_columns(s, t, ct);
    if (rc == HDB_OK)
        rc = build_constraints(s, t, ct);
    *out = t;
    return rc;
}

static int build_index(hdb_sql_schema *s, hdb_sql_stmt *st, uint64_t id)
{
    if (st->kind != HDB_SQL_S_CREATE_INDEX)
        return HDB_ERROR;
    hdb_sql_create_index *ci = &st->u.create_index;
    hdb_sql_table *t = hdb__sql_table_find(s, ci->table);
    if (!t || t->is_view)
        return HDB_ERROR;
    hdb_sql_index *x = autoindex(s, t, &ci->cols, -1, 0, 0);
    if (!x)
        return HDB_ERROR;
    x->name = ci->name;
    x->autoidx = 0;
    x->unique = ci->unique;
    x->is_pk = 0;
    x->id = id;
    x->sql = st->sql;
    snprintf(x->ks, sizeof x->ks, "i%llu", (unsigned long long)id);
    add_index(t, x);
    return HDB_OK;
}

/* ---- loading ------------------------------------------------------------- */

static char *vdup(hdb_sql_arena *a, const hdb_sql_value *v)
{
    if (v->type != HDB_TEXT)
        return NULL;
    return hdb__sql_arena_strndup(a, v->u.s.p ? v->u.s.p : "", v->u.s.n);
}

static int add_entry(hdb_sql_schema *s, const void *rec, size_t n, uint64_t id, int *cap)
{
    hdb_sql_value v[4];
    int nst = 0;
    for (int i = 0; i < 4; i++)
        v[i].type = HDB_NULL, v[i].owned = 0;
    if (hdb__sql_record_decode(rec, n, v, 4, &nst) != HDB_OK || nst < 4)
        return HDB_CORRUPT;
    if (s->nent == *cap) {
        int nc = *cap ? *cap * 2 : 16;
        hdb_sql_entry *ne = hdb__sql_arena_alloc(&s->arena, sizeof *ne * nc);
        if (!ne)
            return HDB_NOMEM;
        if (s->nent)
            memcpy(ne, s->ent, sizeof *ne * s->nent);
        s->ent = ne;
        *cap = nc;
    }
    hdb_sql_entry *e = &s->ent[s->nent];
    e->type = vdup(&s->arena, &v[0]);
    e->name = vdup(&s->arena, &v[1]);
    e->tbl = vdup(&s->arena, &v[2]);
    e->sql = vdup(&s->arena, &v[3]);
    e->id = id;
    if (!e->type || !e->name || !e->tbl || !e->sql)
        return HDB_CORRUPT;
    s->nent++;
    return HDB_OK;
}

/* Read every entry of the catalog keyspace ks into s, and the key format
 * of its record 0 into *fmt (1 when the record or its column is missing). */
static int read_entries(hdb_txn *t, uint32_t ks, hdb_sql_schema *s, int64_t *fmt)
{
    hdb_cursor *cu;
    int rc = hdb_cursor_open(t, ks, &cu), cap = 0;
    if (rc != HDB_OK)
        return rc;
    for (rc = hdb_cursor_first(cu); rc == HDB_OK; rc = hdb_cursor_next(cu)) {
        hdb_val k, v;
        if ((rc = hdb_cursor_get(cu, &k, &v)) != HDB_OK)
            break;
        if (k.size != 8) {
            rc = HDB_CORRUPT;
            break;
        }
        uint64_t id = 0;
        for (int i = 0; i < 8; i++)
            id = id << 8 | ((const uint8_t *)k.data)[i];
        if (id == 0) {
            hdb_sql_value ver = HDB_SQL_NULL_INIT, f = HDB_SQL_NULL_INIT;
            if (hdb__sql_record_column(v.data, v.size, 0, &ver) == HDB_OK && ver.type == HDB_INTEGER)
                s->version = (uint64_t)ver.u.i;
            if (hdb__sql_record_column(v.data, v.size, 1, &f) == HDB_OK)
                *fmt = f.type == HDB_INTEGER ? f.u.i : 0;
            continue;
        }
        if ((rc = add_entry(s, v.data, v.size, id, &cap)) != HDB_OK)
            break;
    }
    hdb_cursor_close(cu);
    return rc == HDB_NOTFOUND ? HDB_OK : rc;
}

static int build_all(hdb_sql_schema *s, char *err, size_t errlen)
{
    s->tab = hdb__sql_arena_alloc(&s->arena, sizeof(hdb_sql_table *) * (s->nent + 1));
    if (!s->tab)
        return HDB_NOMEM;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < s->nent; i++) {
            hdb_sql_entry *e = &s->ent[i];
            int is_index = !strcmp(e->type, "index");
            if (is_index != pass)
                continue;
            hdb_sql_stmt *st = NULL;
            int rc = hdb__sql_parse(e->sql, strlen(e->sql), &s->arena, &st, NULL, err, errlen);
            if (rc == HDB_OK && !st)
                rc = HDB_CORRUPT;
            if (rc == HDB_OK && is_index)
                rc = build_index(s, st, e->id);
            else if (rc == HDB_OK) {
                hdb_sql_table *t = NULL;
                rc = build_table(s, st, e->id, &t);
                if (rc == HDB_OK)
                    s->tab[s->ntab++] = t;
            }
            if (rc == HDB_NOMEM)
                return rc;
            if (rc != HDB_OK) {
                snprintf(err, errlen, "malformed database schema (%s)", e->name);
                return HDB_CORRUPT;
            }
        }
    return HDB_OK;
}

int hdb__sql_schema_load(hdb_txn *t, const hdb_allocator *mem, hdb_sql_schema **out, char *err,
                         size_t errlen)
{
    *out = NULL;
    hdb_sql_schema *s = hdb__zalloc(mem, sizeof *s);
    if (!s)
        return HDB_NOMEM;
    hdb__sql_arena_init(&s->arena, mem);
    snprintf(s->branch, sizeof s->branch, "%s", t->branch);
    uint32_t ks;
    int64_t fmt = 1;
    int rc = hdb_ks_open(t, HDB_SQL_CATALOG_KS, 0, &ks);
    if (rc == HDB_OK)
        rc = read_entries(t, ks, s, &fmt);
    else if (rc == HDB_NOTFOUND)
        rc = HDB_OK;
    if (rc == HDB_OK && s->nent && fmt != HDB_SQL_KEY_FORMAT) {
        if (err)
            snprintf(err, errlen,
                     "this database's SQL tables use key format %lld; this library reads key format %d",
                     (long long)fmt, HDB_SQL_KEY_FORMAT);
        rc = HDB_CORRUPT;
    }
    if (rc == HDB_OK)
        rc = build_all(s, err, errlen);
    if (rc != HDB_OK) {
        if (rc == HDB_CORRUPT && err && !err[0])
            snprintf(err, errlen, "malformed database schema");
        hdb__sql_schema_free(s, mem);
        return rc;
    }
    *out = s;
    return HDB_OK;
}

void hdb__sql_schema_free(hdb_sql_schema *s, const hdb_allocator *mem)
{
    if (!s)
        return;
    hdb__sql_arena_free(&s->arena);
    hdb__free(mem, s);
}

int hdb__sql_schema_version(hdb_txn *t, uint64_t *ver)
{
    *ver = 0;
    uint32_t ks;
    int rc = hdb_ks_open(t, HDB_SQL_CATALOG_KS, 0, &ks);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK)
        return rc;
    uint8_t k[8];
    id_key(k, 0);
    hdb_val v;
    rc = hdb_get(t, ks, (hdb_val){k, 8}, &v);
    if (rc == HDB_NOTFOUND)
        return HDB_OK;
    if (rc != HDB_OK)
        return rc;
    hdb_sql_value x = HDB_SQL_NULL_INIT;
    if (hdb__sql_record_column(v.data, v.size, 0, &x) == HDB_OK && x.type == HDB_INTEGER)
        *ver = (uint64_t)x.u.i;
    return HDB_OK;
}

/* ---- writing ------------------------------------------------------------- */

int hdb__sql_catalog_bump(hdb_txn *t)
{
    uint32_t ks;
    uint64_t id;
    int rc = hdb_ks_open(t, HDB_SQL_CATALOG_KS, HDB_CREATE, &ks);
    if (rc == HDB_OK)
        rc = hdb_next_id(t, &id);
    if (rc != HDB_OK)
        return rc;
    hdb_sql_value v[2] = {{HDB_INTEGER, 0, {.i = (int64_t)id}}, {HDB_INTEGER, 0, {.i = HDB_SQL_KEY_FORMAT}}};
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__sql_record_encode(&b, v, 2);
    uint8_t k[8];
    id_key(k, 0);
    rc = b.oom ? HDB_NOMEM : hdb_put(t, ks, (hdb_val){k, 8}, (hdb_val){b.data, b.len});
    hdb__buf_free(&b);
    return rc;
}

int hdb__sql_catalog_put(hdb_txn *t, uint64_t id, const char *type, const char *name,
                         const char *tbl, const char *sql)
{
    uint32_t ks;
    int rc = hdb_ks_open(t, HDB_SQL_CATALOG_KS, HDB_CREATE, &ks);
    if (rc != HDB_OK)
        return rc;
    hdb_sql_value v[4];
    const char *s[4] = {type, name, tbl, sql};
    for (int i = 0; i < 4; i++) {
        v[i].type = HDB_NULL;
        v[i].owned = 0;
        hdb__sql_value_text_ref(&v[i], s[i], strlen(s[i]));
    }
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__sql_record_encode(&b, v, 4);
    uint8_t k[8];
    id_key(k, id);
    rc = b.oom ? HDB_NOMEM : hdb_put(t, ks, (hdb_val){k, 8}, (hdb_val){b.data, b.len});
    hdb__buf_free(&b);
    return rc == HDB_OK ? hdb__sql_catalog_bump(t) : rc;
}

int hdb__sql_catalog_del(hdb_txn *t, uint64_t id)
{
    uint32_t ks;
    int rc = hdb_ks_open(t, HDB_SQL_CATALOG_KS, HDB_CREATE, &ks);
    if (rc != HDB_OK)
        return rc;
    uint8_t k[8];
    id_key(k, id);
    rc = hdb_del(t, ks, (hdb_val){k, 8});
    if (rc != HDB_OK && rc != HDB_NOTFOUND)
        return rc;
    return hdb__sql_catalog_bump(t);
}
