/*
** check.c — the integrity check, branch sizes and statistics.
**
** HOW hdb_check() WORKS
**   (Also the branch size accounting, see branch.c, SIZE ACCOUNTING, and
**   history_pages: the pages only retained history reaches.)
**   With the writer slot held (nothing changes meanwhile) it walks the
**   committed registry tree and, through REFS values, every object tree
**   and keyspace tree, then the sequence tree and the history tree
**   (btree/verify.c checks each page).  Every pointer met
**   is counted per page.  Then every data page of the file is compared
**   with the map: its count must equal the pointers found; a page with a
**   count that nothing reaches is leaked; a reachable page with count 0 is
**   doubly owned (it would be reused while in use).
*/
#include <stdlib.h>
#include <string.h>
#include "src/engine.h"

static void check_sizes(hdb_engine *e, hdb_buf *rep, uint64_t *problems);

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
    uint64_t cur = 0, all = 0;
    if (rc == HDB_OK && e->reg.pgno)
        rc = hdb__bt_verify(&v, e->reg);
    if (rc == HDB_OK && e->seq.pgno)
        rc = hdb__bt_verify(&v, e->seq);
    for (hdb_pgno pg = 0; rc == HDB_OK && pg < s.n; pg++)
        cur += s.c[pg] != 0;
    if (rc == HDB_OK && e->hist.pgno)
        rc = hdb__bt_verify(&v, e->hist);
    for (hdb_pgno pg = 0; rc == HDB_OK && pg < s.n; pg++)
        all += s.c[pg] != 0;
    if (rc == HDB_CORRUPT) {
        v.problems++;
        hdb__buf_printf(&rep, "%s\n", hdb__pager_errmsg(e->pager));
        rc = HDB_OK;
    }
    if (rc == HDB_OK)
        compare_counts(e, &s);
    if (rc == HDB_OK && !v.problems && !s.problems) {
        check_sizes(e, &rep, &s.problems);
        pthread_mutex_lock(&e->mu);
        e->hist_pages = all - cur; /* reachable only from retained history */
        e->hist_known = 1;
        pthread_mutex_unlock(&e->mu);
    }
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
** Branch sizes (meaning and upkeep: branch.c, SIZE ACCOUNTING)
*/
static void cache_put(hdb_engine *e, hdb_ref obj, uint64_t gen, uint64_t tot, uint64_t lat)
{
    pthread_mutex_lock(&e->mu);
    size_t i = 0;
    while (i < e->nacct && !hdb__ref_eq(e->acct[i].obj, obj) && e->acct[i].gen == e->acct_gen)
        i++;
    if (i == e->nacct && e->nacct == e->acct_cap) {
        size_t cap = e->acct_cap ? e->acct_cap * 2 : 8;
        hdb_acct_cache *v = hdb__realloc(e->mem, e->acct, cap * sizeof *v);
        if (v) {
            e->acct = v;
            e->acct_cap = cap;
        }
    }
    if (i < e->acct_cap) {
        e->acct[i] = (hdb_acct_cache){obj, gen, tot, lat};
        if (i == e->nacct)
            e->nacct++;
    }
    pthread_mutex_unlock(&e->mu);
}

/* Pages credited to the region of a state whose numbers are a recount. */
void hdb__acct_cache_add(hdb_engine *e, hdb_ref obj, uint64_t gen, uint64_t lat)
{
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->nacct; i++)
        if (hdb__ref_eq(e->acct[i].obj, obj) && e->acct[i].gen == gen)
            e->acct[i].lat += lat;
    pthread_mutex_unlock(&e->mu);
}

/* Walk one state and keep the result for the current generation. */
int hdb__acct_recount(hdb_engine *e, hdb_ref obj, uint64_t *tot, uint64_t *lat)
{
    pthread_mutex_lock(&e->mu);
    uint64_t gen = e->acct_gen;
    for (size_t i = 0; i < e->nacct; i++)
        if (hdb__ref_eq(e->acct[i].obj, obj) && e->acct[i].gen == gen) {
            *tot = e->acct[i].tot;
            *lat = e->acct[i].lat;
            pthread_mutex_unlock(&e->mu);
            return HDB_OK;
        }
    pthread_mutex_unlock(&e->mu);
    int rc = hdb__bt_size_walk(&e->bt, obj, tot, lat);
    if (rc == HDB_OK && obj.pgno)
        cache_put(e, obj, gen, *tot, *lat);
    return rc;
}

/* The record naming obj in the committed registry, and how many other
 * record fields (another branch's state, any merge base but its own) name
 * the same root. */
static int holders(hdb_engine *e, hdb_pgno obj, hdb_brec *rec, int *found, int *others)
{
    hdb_btcur c;
    pthread_mutex_lock(&e->mu);
    hdb_ref reg = e->reg;
    pthread_mutex_unlock(&e->mu);
    *found = *others = 0;
    hdb__btcur_init(&c, &e->bt, reg);
    int rc;
    for (rc = hdb__btcur_first(&c); rc == HDB_OK; rc = hdb__btcur_next(&c)) {
        hdb_btval v;
        hdb_brec r;
        if ((rc = hdb__btcur_val(&c, &v)) != HDB_OK)
            break;
        rc = hdb__brec_decode(v.data, v.size, &r);
        hdb__btval_release(&e->bt, &v);
        if (rc != HDB_OK) {
            rc = hdb__pager_corrupt(e->pager, "damaged branch record");
            break;
        }
        int mine = !*found && r.obj.pgno == obj;
        if (mine) {
            *rec = r;
            *found = 1;
        } else {
            *others += r.obj.pgno == obj;
        }
        *others += !mine && r.base.pgno == obj;
    }
    hdb__btcur_reset(&c);
    return rc == HDB_NOTFOUND ? HDB_OK : rc;
}

int hdb__branch_sizes(hdb_engine *e, hdb_ref obj, uint64_t *owned, uint64_t *shared)
{
    hdb_brec r = {0};
    int found, others;
    uint64_t tot = 0, lat = 0;
    *owned = *shared = 0;
    if (!obj.pgno)
        return HDB_OK;
    int rc = holders(e, obj.pgno, &r, &found, &others);
    if (rc != HDB_OK)
        return rc;
    pthread_mutex_lock(&e->mu);
    int exact = found && r.acct && r.gen == e->acct_gen;
    pthread_mutex_unlock(&e->mu);
    if (exact) {
        tot = r.tot;
        lat = r.lat;
    } else if ((rc = hdb__acct_recount(e, obj, &tot, &lat)) != HDB_OK) {
        return rc;
    }
    uint64_t own = others ? 0 : lat;
    *owned = own * e->bt.psize;
    *shared = (tot - own) * e->bt.psize;
    return HDB_OK;
}

/* hdb_check(): every branch's numbers that claim to be exact must equal a
 * walk; the walks are kept as the recount of this generation. */
static void check_sizes(hdb_engine *e, hdb_buf *rep, uint64_t *problems)
{
    hdb_btcur c;
    int rc;
    hdb__btcur_init(&c, &e->bt, e->reg);
    for (rc = hdb__btcur_first(&c); rc == HDB_OK; rc = hdb__btcur_next(&c)) {
        const uint8_t *k;
        size_t kn;
        hdb_btval v;
        hdb_brec r;
        uint64_t tot, lat;
        if ((rc = hdb__btcur_key(&c, &k, &kn)) != HDB_OK || (rc = hdb__btcur_val(&c, &v)) != HDB_OK)
            break;
        rc = hdb__brec_decode(v.data, v.size, &r);
        hdb__btval_release(&e->bt, &v);
        if (rc != HDB_OK || (rc = hdb__bt_size_walk(&e->bt, r.obj, &tot, &lat)) != HDB_OK)
            break;
        uint64_t ct = tot, cl = lat;
        int cached = 0;
        pthread_mutex_lock(&e->mu);
        for (size_t i = 0; i < e->nacct; i++)
            if (hdb__ref_eq(e->acct[i].obj, r.obj) && e->acct[i].gen == e->acct_gen) {
                ct = e->acct[i].tot;
                cl = e->acct[i].lat;
                cached = 1;
            }
        pthread_mutex_unlock(&e->mu);
        if (r.obj.pgno)
            cache_put(e, r.obj, e->acct_gen, tot, lat);
        if (cached && (ct != tot || cl != lat)) {
            (*problems)++;
            hdb__buf_printf(rep, "branch '%.*s': kept recount says %llu pages, %llu in its "
                                 "region; the walk finds %llu and %llu\n",
                            (int)kn, (const char *)k, (unsigned long long)ct,
                            (unsigned long long)cl, (unsigned long long)tot,
                            (unsigned long long)lat);
        }
        if (r.acct && r.gen == e->acct_gen && (r.tot != tot || r.lat != lat)) {
            (*problems)++;
            hdb__buf_printf(rep, "branch '%.*s': size accounting says %llu pages, %llu in its "
                                 "region; the walk finds %llu and %llu\n",
                            (int)kn, (const char *)k, (unsigned long long)r.tot,
                            (unsigned long long)r.lat, (unsigned long long)tot,
                            (unsigned long long)lat);
        }
    }
    hdb__btcur_reset(&c);
    if (rc != HDB_NOTFOUND) {
        (*problems)++;
        hdb__buf_printf(rep, "size accounting: %s\n", hdb_errstr(rc));
    }
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
    pthread_mutex_lock(&db->e->mu);
    out->history_pages = db->e->hist_known ? db->e->hist_pages : 0;
    pthread_mutex_unlock(&db->e->mu);
    return HDB_OK;
}
