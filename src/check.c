/*
** check.c — the integrity check, branch sizes and statistics.
**
** HOW hdb_check() WORKS
**   With the writer slot held (nothing changes meanwhile) it walks the
**   committed registry tree and, through REFS values, every object tree
**   and keyspace tree (btree/verify.c checks each page).  Every pointer met
**   is counted per page.  Then every data page of the file is compared
**   with the map: its count must equal the pointers found; a page with a
**   count that nothing reaches is leaked; a reachable page with count 0 is
**   doubly owned (it would be reused while in use).
*/
#include <stdlib.h>
#include <string.h>
#include "src/engine.h"

typedef struct seen {
    uint32_t *c;
    hdb_pgno n;
    hdb_buf *rep;
    uint64_t problems;
} seen;

static int on_ref(void *ctx, hdb_ref r, int kind)
{
    seen *s = ctx;
    (void)kind;
    if (r.pgno >= s->n) {
        s->problems++;
        hdb__buf_printf(s->rep, "pointer to page %u beyond the end of the file\n", r.pgno);
        return 1;
    }
    return ++s->c[r.pgno] > 1;
}

static void compare_counts(hdb_engine *e, seen *s)
{
    for (hdb_pgno pg = 0; pg < s->n; pg++) {
        uint32_t c;
        if (!hdb__pager_is_data_page(e->pager, pg))
            continue;
        if (hdb__pager_rc(e->pager, pg, &c) != HDB_OK) {
            s->problems++;
            hdb__buf_printf(s->rep, "page %u: count unreadable\n", pg);
            continue;
        }
        if (c == s->c[pg])
            continue;
        s->problems++;
        if (s->problems > 100)
            continue;
        if (s->c[pg] == 0)
            hdb__buf_printf(s->rep, "page %u: leaked (count %u, unreachable)\n", pg, c);
        else
            hdb__buf_printf(s->rep, "page %u: count %u but %u pointers\n", pg, c, s->c[pg]);
    }
}

int hdb_check(hdb *db, char **report)
{
    hdb_buf rep;
    seen s = {0};
    if (report)
        *report = NULL;
    if (!db)
        return HDB_MISUSE;
    if (db->txn && db->txn->write)
        return hdb__seterr(db, HDB_MISUSE, "cannot check inside a write transaction");
    hdb_engine *e = db->e;
    int rc = hdb__engine_writer_acquire(e);
    if (rc != HDB_OK)
        return hdb__seterr(db, rc, "another write transaction is open");
    hdb__buf_init(&rep, NULL);
    s.rep = &rep;
    s.n = hdb__pager_next_pgno(e->pager);
    s.c = calloc(s.n ? s.n : 1, sizeof *s.c);
    if (!s.c)
        rc = HDB_NOMEM;
    hdb_btverify v = {&e->bt, on_ref, &s, &rep, 0, 0, 0};
    if (rc == HDB_OK && e->reg.pgno)
        rc = hdb__bt_verify(&v, e->reg);
    if (rc == HDB_OK && e->hist.pgno)
        rc = hdb__bt_verify(&v, e->hist);
    if (rc == HDB_CORRUPT) {
        v.problems++;
        hdb__buf_printf(&rep, "%s\n", hdb__pager_errmsg(e->pager));
        rc = HDB_OK;
    }
    if (rc == HDB_OK)
        compare_counts(e, &s);
    hdb__engine_writer_release(e);
    free(s.c);
    if (rc == HDB_OK && (v.problems || s.problems))
        rc = HDB_CORRUPT;
    if (rc == HDB_OK)
        hdb__buf_printf(&rep, "ok: %llu pages, %llu cells\n", (unsigned long long)v.pages,
                        (unsigned long long)v.cells);
    if (report && !rep.oom)
        *report = hdb__buf_take(&rep);
    hdb__buf_free(&rep);
    if (rc == HDB_CORRUPT)
        return hdb__seterr(db, rc, "integrity check failed");
    return hdb__seterr(db, rc, "integrity check: %s", hdb_errstr(rc));
}

/* ------------------------------------------------------------------------
** Branch sizes: a page is the branch's own when it and every page above it
** have count 1; anything below a shared page is shared.
*/
typedef struct sizer {
    hdb_engine *e;
    uint64_t owned, shared;
    int own;
    int depth;
} sizer;

static int size_walk(void *ctx, hdb_ref r)
{
    sizer *z = ctx;
    uint32_t c;
    hdb_page *pg;
    if (z->depth > 64)
        return hdb__pager_corrupt(z->e->pager, "trees nested too deeply");
    int rc = hdb__pager_rc(z->e->pager, r.pgno, &c);
    if (rc == HDB_OK)
        rc = hdb__pager_get(z->e->pager, r, &pg);
    if (rc != HDB_OK)
        return rc;
    int own = z->own;
    z->own = own && c == 1;
    if (z->own)
        z->owned += z->e->bt.psize;
    else
        z->shared += z->e->bt.psize;
    if (hdb__page_type(pg->data) == HDB_PT_OVERFLOW) {
        /* A chain: count it in a loop, not by recursion. */
        hdb_ref next = hdb__ref_get(pg->data + 24);
        for (uint64_t hops = 0; rc == HDB_OK && next.pgno; hops++) {
            hdb_page *np;
            if (hops > (1u << 26) || (rc = hdb__pager_get(z->e->pager, next, &np)) != HDB_OK)
                break;
            if (z->own && hdb__pager_rc(z->e->pager, next.pgno, &c) == HDB_OK && c == 1)
                z->owned += z->e->bt.psize;
            else
                z->shared += z->e->bt.psize;
            next = hdb__ref_get(np->data + 24);
            hdb__pager_put(z->e->pager, np);
        }
    } else {
        z->depth++;
        rc = hdb__page_pointers(&z->e->bt, pg->data, size_walk, z);
        z->depth--;
    }
    z->own = own;
    hdb__pager_put(z->e->pager, pg);
    return rc;
}

int hdb__branch_sizes(hdb_engine *e, hdb_ref obj, uint64_t *owned, uint64_t *shared)
{
    sizer z = {e, 0, 0, 1, 0};
    int rc = obj.pgno ? size_walk(&z, obj) : HDB_OK;
    *owned = z.owned;
    *shared = z.shared;
    return rc;
}

int hdb_stats_get(hdb *db, hdb_stats *out)
{
    hdb_pager_stats ps;
    if (!db || !out)
        return HDB_MISUSE;
    hdb__pager_stats(db->e->pager, &ps);
    memset(out, 0, sizeof *out);
    out->page_size = db->e->bt.psize;
    out->file_bytes = ps.file_pages * out->page_size;
    out->wal_bytes = hdb__wal_bytes(db->e->wal);
    out->live_pages = ps.live_pages;
    out->free_pages = ps.free_pages;
    out->page_reads = ps.page_reads;
    out->page_writes = ps.page_writes;
    out->cache_hits = ps.cache_hits;
    out->cache_bytes = ps.cache_bytes;
    out->checkpoints = ps.checkpoints;
    return HDB_OK;
}
