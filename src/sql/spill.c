/*
** spill.c — the external sorter: sorted runs in a temporary file and their
** k-way merge (spill.h is the interface).
**
** HOW IT WORKS
**   Rows arrive in an xrows (the batch) that counts the bytes its rows
**   hold (hdb__sql_row_bytes).  When the count passes the budget, the batch
**   is sorted in memory (the stable merge sort of exec_rows.c), written to
**   the end of the sorter's temporary file as one run, and freed.  At the
**   end of input (rewind) the rows still in the batch are sorted and kept
**   in memory as the last run.  If more runs are on file than can be read
**   at once (the fan-in), consecutive groups of them are merged into longer
**   runs appended to the same file, until few enough are left.  Reading
**   then merges every run through a binary heap of one current row per
**   run.  This is SQLite's external sorter (vdbesort.c) in miniature.
**
**   Order is exactly that of one in-memory stable sort: each run is a
**   stable sort of rows that arrived consecutively, runs are numbered in
**   arrival order (the in-memory run last), intermediate merges combine
**   consecutive runs only, and the heap breaks ties by run number.  DESC,
**   NULLS FIRST/LAST and collations are the xorder's, compared by
**   hdb__sql_row_cmp, the same function the in-memory sort uses.
**
** MEMORY
**   The batch holds at most budget bytes (plus the one row that passed
**   it).  The merge holds one buffer of `bufsz` bytes and one row per run
**   read together (fan-in + 1 runs), and the write buffer; bufsz and the
**   fan-in are chosen from the budget (bufsz = budget / 32 within
**   [1 KiB, 64 KiB]; fan-in = budget / (2 bufsz) within [2, 16]).  A
**   record longer than bufsz grows its reader's buffer to fit it.
**
** THE RUN FILE
**   Created in $TMPDIR (else /tmp) through the database's VFS, exclusively,
**   as "hdb-sort-<pid>-<n>", and removed right after it is opened: the
**   open handle keeps its data until close, and no path (error, reset,
**   crash) leaves the file behind.  Should the removal fail, close removes
**   it.  Integers in the header are little-endian.
**
**     OFFSET SIZE DESCRIPTION
**     0      8    magic "HDBSORT\0"
**     8      4    format version (1)
**     12     4    ncol, the values in every record
**     16     ...  runs, back to back, each a sequence of entries:
**                   varint n (LEB128, at most 10 bytes) | n bytes: the
**                   record of the row's ncol values (codec.h), which gives
**                   every value back exactly (type, bytes, sign of zero)
**
**   Where each run starts, its length and its row count are kept in memory
**   (`run`); the file is never read by anything but its sorter.  Runs
**   merged into a longer one stay in the file (it only grows): the space
**   comes back at close.
**
** INVARIANTS
**   1. Runs on file are numbered in arrival order, and run i's rows all
**      arrived before run i+1's; the in-memory run comes last.
**   2. `held` is the byte count of the batch's rows (0 after each spill).
**   3. After an error (`failed`) nothing is read or written again; close
**      frees and removes everything.
**   4. A distinct sorter never writes or returns two rows that compare
**      equal: the first to arrive wins (stable order makes it the first in
**      its run, and the lowest run number wins among runs).
**
** LIMITATIONS
**   Values come back as plain owned values: the JSON mark of a TEXT made by
**   a JSON function (value.h) is dropped, as any copy of a value drops it.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pager/bytes.h"
#include "src/sql/spill.h"

#define SPILL_MAGIC "HDBSORT"
#define SPILL_VERSION 1
#define SPILL_HDR 16
#define SPILL_MAX_FANIN 16
#define SPILL_MIN_BUDGET (16u << 10)

typedef struct xrun {
    uint64_t off, len;
    size_t nrow;
} xrun;

/* One run being read: from the file (off..end) or from memory (mem). */
typedef struct xreader {
    uint64_t pos, end;      /* file bytes not yet in buf */
    char *buf;
    size_t cap, lo, hi;     /* buf[lo..hi) are read and not yet decoded */
    xrows *mem;             /* the in-memory run, or NULL */
    size_t mi;
    size_t num;             /* the run's number (ties: lower first) */
    hdb_sql_value *row;     /* current row (owned), NULL when done */
} xreader;

/* A merge of several runs: a heap of reader indexes by current row. */
typedef struct xmerge {
    xreader *rd;
    size_t nrd;
    size_t *heap;
    size_t nheap;
} xmerge;

struct xsorter {
    xctx *x;
    int ncol, no;
    const xorder *o;
    size_t budget, bufsz, fanin;
    size_t held, peak, keep;
    int distinct, failed;
    const hdb_vfs *vfs;
    hdb_file *f;
    char path[512];
    int removed;
    xrun *run;
    size_t nrun, runcap;
    char *wbuf;             /* write buffer: wbuf[0..wlen) goes at woff */
    size_t wlen;
    uint64_t woff;
    hdb_buf rec;
    xrows *att;             /* the attached batch */
    xrows last_run;         /* after rewind: the in-memory run */
    xmerge m;               /* after rewind: the final merge */
    int merging;
    hdb_sql_value *prev;    /* distinct: the sort values of the last row out */
    size_t nout;
};

static int nomem(xsorter *s)
{
    s->failed = 1;
    return hdb__sql_err(s->x, HDB_NOMEM, "out of memory");
}

static int io_err(xsorter *s, int rc, const char *what)
{
    s->failed = 1;
    if (rc == HDB_FULL)
        return hdb__sql_err(s->x, HDB_FULL, "%s the temporary sort file %s: disk full", what,
                            s->path);
    return hdb__sql_err(s->x, rc == HDB_CORRUPT ? HDB_CORRUPT : HDB_IOERR,
                        "%s the temporary sort file %s failed (%s)", what, s->path,
                        hdb_errstr(rc));
}

static void note_peak(xsorter *s, size_t extra)
{
    if (s->held + extra > s->peak)
        s->peak = s->held + extra;
}

/* ---- sizes ------------------------------------------------------------------- */

size_t hdb__sql_spill_budget(const xctx *x)
{
    size_t b = x->spill_budget;
    if (!b)
        b = x->db ? x->db->opt.cache_bytes / 4 : (size_t)2 << 20;
    return b < SPILL_MIN_BUDGET ? SPILL_MIN_BUDGET : b;
}

size_t hdb__sql_row_bytes(const hdb_sql_value *v, int n)
{
    /* the row array, its pointer in the batch, and allocator overhead */
    size_t b = sizeof *v * (size_t)(n > 0 ? n : 1) + sizeof v + 16;
    for (int i = 0; i < n; i++)
        if (v[i].type == HDB_TEXT || v[i].type == HDB_BLOB)
            b += v[i].u.s.n + 1 + 16;
    return b;
}

static size_t clamp(size_t v, size_t lo, size_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* ---- open, options, close ------------------------------------------------------ */

int hdb__sql_sorter_open(xctx *x, int ncol, const xorder *o, int no, xsorter **out)
{
    xsorter *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return hdb__sql_err(x, HDB_NOMEM, "out of memory");
    s->x = x;
    s->ncol = ncol;
    s->o = o;
    s->no = no;
    s->budget = hdb__sql_spill_budget(x);
    s->bufsz = clamp(s->budget / 32, 1024, 64u << 10);
    s->fanin = clamp(s->budget / (2 * s->bufsz), 2, SPILL_MAX_FANIN);
    s->vfs = x->db && x->db->opt.vfs ? x->db->opt.vfs : hdb_vfs_posix();
    s->last_run.ncol = ncol;
    hdb__buf_init(&s->rec, NULL);
    *out = s;
    return HDB_OK;
}

void hdb__sql_sorter_keep(xsorter *s, size_t n) { s->keep = n; }
void hdb__sql_sorter_distinct(xsorter *s, int on) { s->distinct = on; }
size_t hdb__sql_sorter_runs(const xsorter *s) { return s->nrun; }
size_t hdb__sql_sorter_peak(const xsorter *s) { return s->peak; }

void hdb__sql_sorter_attach(xsorter *s, xrows *b)
{
    s->att = b;
    b->spill = s;
    s->held = 0;
    for (size_t i = 0; i < b->n; i++)
        s->held += hdb__sql_row_bytes(b->r[i], b->ncol);
    note_peak(s, 0);
}

static void merge_free(xsorter *s, xmerge *m)
{
    for (size_t i = 0; i < m->nrd; i++) {
        hdb__sql_row_free(m->rd[i].row, s->ncol);
        free(m->rd[i].buf);
    }
    free(m->rd);
    free(m->heap);
    memset(m, 0, sizeof *m);
}

void hdb__sql_sorter_close(xsorter *s)
{
    if (!s)
        return;
    if (s->att && s->att->spill == s)
        s->att->spill = NULL;
    merge_free(s, &s->m);
    hdb__sql_rows_clear(&s->last_run);
    hdb__sql_row_free(s->prev, s->ncol);
    if (s->f) {
        s->vfs->close(s->f);
        if (!s->removed)
            s->vfs->remove(s->vfs, s->path);
    }
    free(s->run);
    free(s->wbuf);
    hdb__buf_free(&s->rec);
    free(s);
}

/* ---- writing runs -------------------------------------------------------------- */

static int file_create(xsorter *s)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    if (!(s->wbuf = malloc(s->bufsz)))
        return nomem(s);
    int rc = HDB_EXISTS;
    uint64_t salt = (uint64_t)(uintptr_t)s ^ (uint64_t)s->x->f.rand_state;
    for (int i = 0; i < 16 && rc == HDB_EXISTS; i++) {
        salt = salt * 6364136223846793005ull + 1442695040888963407ull;
        snprintf(s->path, sizeof s->path, "%s/hdb-sort-%ld-%08x", dir, (long)getpid(),
                 (unsigned)(salt >> 32));
        rc = s->vfs->open(s->vfs, s->path, HDB_VFS_CREATE | HDB_VFS_EXCL, &s->f);
    }
    if (rc != HDB_OK) {
        s->f = NULL;
        s->failed = 1;
        return hdb__sql_err(s->x, rc == HDB_FULL ? HDB_FULL : HDB_IOERR,
                            "cannot create a temporary file in %s to sort rows (%s)", dir,
                            hdb_errstr(rc));
    }
    s->removed = s->vfs->remove(s->vfs, s->path) == HDB_OK;
    uint8_t h[SPILL_HDR];
    memcpy(h, SPILL_MAGIC, 8);
    hdb__put32(h + 8, SPILL_VERSION);
    hdb__put32(h + 12, (uint32_t)s->ncol);
    memcpy(s->wbuf, h, SPILL_HDR);
    s->wlen = SPILL_HDR;
    return HDB_OK;
}

static int w_flush(xsorter *s)
{
    if (!s->wlen)
        return HDB_OK;
    int rc = s->vfs->write(s->f, s->wbuf, s->wlen, s->woff);
    if (rc != HDB_OK)
        return io_err(s, rc, "writing");
    s->woff += s->wlen;
    s->wlen = 0;
    return HDB_OK;
}

static int w_put(xsorter *s, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        size_t k = s->bufsz - s->wlen < n ? s->bufsz - s->wlen : n;
        memcpy(s->wbuf + s->wlen, c, k);
        s->wlen += k, c += k, n -= k;
        if (s->wlen == s->bufsz && w_flush(s) != HDB_OK)
            return s->x->rc;
    }
    return HDB_OK;
}

static int w_row(xsorter *s, const hdb_sql_value *row)
{
    uint8_t v[10];
    hdb__buf_reset(&s->rec);
    hdb__sql_record_encode(&s->rec, row, s->ncol);
    if (s->rec.oom)
        return nomem(s);
    size_t n = s->rec.len, k = 0;
    do {
        v[k++] = (uint8_t)((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
        n >>= 7;
    } while (n);
    if (w_put(s, v, k) != HDB_OK || w_put(s, s->rec.data, s->rec.len) != HDB_OK)
        return s->x->rc;
    return HDB_OK;
}

static int run_begin(xsorter *s, uint64_t *off)
{
    if (!s->f && file_create(s) != HDB_OK)
        return s->x->rc;
    if (s->nrun == s->runcap) {
        size_t nc = s->runcap ? 2 * s->runcap : 16;
        xrun *nr = realloc(s->run, sizeof *nr * nc);
        if (!nr)
            return nomem(s);
        s->run = nr;
        s->runcap = nc;
    }
    *off = s->woff + s->wlen;
    return HDB_OK;
}

static int run_end(xsorter *s, xrun *list, size_t *n, uint64_t off, size_t nrow)
{
    if (w_flush(s) != HDB_OK)
        return s->x->rc;
    list[*n].off = off;
    list[*n].len = s->woff - off;
    list[*n].nrow = nrow;
    (*n)++;
    return HDB_OK;
}

/* Does row b repeat a (distinct sorter)? */
static int repeats(xsorter *s, const hdb_sql_value *a, const hdb_sql_value *b)
{
    return s->distinct && a && hdb__sql_row_cmp(a, b, s->o, s->no) == 0;
}

int hdb__sql_sorter_spill(xsorter *s, xrows *b)
{
    if (s->failed)
        return s->x->rc ? s->x->rc : HDB_ERROR;
    if (!b->n)
        return HDB_OK;
    if (hdb__sql_rows_sort(b, s->o, s->no) != HDB_OK)
        return nomem(s);
    uint64_t off = 0;
    int rc = run_begin(s, &off);
    size_t nrow = 0;
    const hdb_sql_value *prev = NULL;
    for (size_t i = 0; rc == HDB_OK && i < b->n && (!s->keep || nrow < s->keep); i++) {
        if (repeats(s, prev, b->r[i]))
            continue;
        rc = w_row(s, b->r[i]);
        prev = b->r[i];
        nrow++;
    }
    if (rc == HDB_OK)
        rc = run_end(s, s->run, &s->nrun, off, nrow);
    note_peak(s, s->bufsz);
    for (size_t i = 0; i < b->n; i++)
        hdb__sql_row_free(b->r[i], b->ncol);
    b->n = 0;
    s->held = 0;
    return rc;
}

int hdb__sql_sorter_added(xsorter *s, xrows *b)
{
    s->held += hdb__sql_row_bytes(b->r[b->n - 1], b->ncol);
    note_peak(s, 0);
    return s->held > s->budget ? hdb__sql_sorter_spill(s, b) : HDB_OK;
}

/* ---- reading runs -------------------------------------------------------------- */

/* Make at least `need` bytes (or all the run has left) available. */
static int rd_fill(xsorter *s, xreader *r, size_t need)
{
    size_t have = r->hi - r->lo;
    if (have >= need || r->pos == r->end)
        return HDB_OK;
    if (r->lo) {
        memmove(r->buf, r->buf + r->lo, have);
        r->lo = 0, r->hi = have;
    }
    if (need > r->cap) {
        char *nb = realloc(r->buf, need);
        if (!nb)
            return nomem(s);
        r->buf = nb;
        r->cap = need;
    }
    size_t want = r->cap - r->hi;
    if (want > r->end - r->pos)
        want = (size_t)(r->end - r->pos);
    size_t got = 0;
    int rc = s->vfs->read(s->f, r->buf + r->hi, want, r->pos, &got);
    if (rc == HDB_OK && got != want)
        rc = HDB_CORRUPT;
    if (rc != HDB_OK)
        return io_err(s, rc, "reading");
    r->hi += got;
    r->pos += got;
    return HDB_OK;
}

static int rd_decode(xsorter *s, xreader *r, size_t n)
{
    hdb_sql_value *row = hdb__sql_row_new(s->ncol);
    if (!row)
        return nomem(s);
    int nstored = 0;
    int rc = hdb__sql_record_decode(r->buf + r->lo, n, row, s->ncol, &nstored);
    if (rc == HDB_OK && nstored != s->ncol)
        rc = HDB_CORRUPT;
    for (int i = 0; rc == HDB_OK && i < s->ncol; i++)
        if (hdb__sql_value_own(&row[i]) != HDB_OK)
            rc = HDB_NOMEM;
    if (rc != HDB_OK) {
        hdb__sql_row_free(row, s->ncol); /* frees only what was made owned */
        return rc == HDB_NOMEM ? nomem(s) : io_err(s, HDB_CORRUPT, "reading");
    }
    r->lo += n;
    r->row = row;
    return HDB_OK;
}

/* Advance r to its next row (r->row NULL at the end of the run). */
static int rd_next(xsorter *s, xreader *r)
{
    hdb__sql_row_free(r->row, s->ncol);
    r->row = NULL;
    if (r->mem) {
        if (r->mi < r->mem->n) {
            r->row = r->mem->r[r->mi];
            r->mem->r[r->mi++] = NULL;
        }
        return HDB_OK;
    }
    if (r->lo == r->hi && r->pos == r->end)
        return HDB_OK;
    if (rd_fill(s, r, 10) != HDB_OK)
        return s->x->rc;
    uint64_t n = 0;
    size_t k = 0;
    for (;; k++) {
        if (k == 10 || r->lo + k >= r->hi)
            return io_err(s, HDB_CORRUPT, "reading");
        uint8_t c = (uint8_t)r->buf[r->lo + k];
        n |= (uint64_t)(c & 0x7f) << (7 * k);
        if (!(c & 0x80))
            break;
    }
    r->lo += k + 1;
    if (n > r->hi - r->lo + (r->end - r->pos) || n > SIZE_MAX / 2)
        return io_err(s, HDB_CORRUPT, "reading");
    if (rd_fill(s, r, (size_t)n) != HDB_OK)
        return s->x->rc;
    return rd_decode(s, r, (size_t)n);
}

/* ---- merging ------------------------------------------------------------------- */

static int rd_less(xsorter *s, const xreader *a, const xreader *b)
{
    int c = hdb__sql_row_cmp(a->row, b->row, s->o, s->no);
    return c ? c < 0 : a->num < b->num;
}

static void sift_down(xsorter *s, xmerge *m, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, best = i;
        if (l < m->nheap && rd_less(s, &m->rd[m->heap[l]], &m->rd[m->heap[best]]))
            best = l;
        if (r < m->nheap && rd_less(s, &m->rd[m->heap[r]], &m->rd[m->heap[best]]))
            best = r;
        if (best == i)
            return;
        size_t t = m->heap[i];
        m->heap[i] = m->heap[best];
        m->heap[best] = t;
        i = best;
    }
}

/* Readers for runs list[0..n) (numbered first, first+1, ...) and, when
 * mem is set, the in-memory run after them. */
static int merge_init(xsorter *s, xmerge *m, const xrun *list, size_t n, size_t first, xrows *mem)
{
    size_t k = n + (mem ? 1 : 0);
    memset(m, 0, sizeof *m);
    m->rd = calloc(k + 1, sizeof *m->rd);
    m->heap = calloc(k + 1, sizeof *m->heap);
    if (!m->rd || !m->heap)
        return nomem(s);
    m->nrd = k;
    for (size_t i = 0; i < k; i++) {
        xreader *r = &m->rd[i];
        r->num = first + i;
        if (i == n) {
            r->mem = mem;
        } else {
            r->pos = list[i].off, r->end = list[i].off + list[i].len;
            r->cap = s->bufsz;
            if (!(r->buf = malloc(r->cap)))
                return nomem(s);
        }
        if (rd_next(s, r) != HDB_OK)
            return s->x->rc;
        if (r->row)
            m->heap[m->nheap++] = i;
    }
    for (size_t i = m->nheap / 2; i-- > 0;)
        sift_down(s, m, i);
    return HDB_OK;
}

/* The smallest current row (returned-owned) or NULL; advances its run. */
static int merge_pop(xsorter *s, xmerge *m, hdb_sql_value **row)
{
    *row = NULL;
    if (!m->nheap)
        return HDB_OK;
    xreader *r = &m->rd[m->heap[0]];
    *row = r->row;
    r->row = NULL;
    if (rd_next(s, r) != HDB_OK)
        return s->x->rc;
    if (!r->row)
        m->heap[0] = m->heap[--m->nheap];
    sift_down(s, m, 0);
    return HDB_OK;
}

static size_t merge_bytes(xsorter *s, const xmerge *m)
{
    size_t b = 0;
    for (size_t i = 0; i < m->nrd; i++)
        b += m->rd[i].cap + (m->rd[i].row ? hdb__sql_row_bytes(m->rd[i].row, s->ncol) : 0);
    return b;
}

/* Merge runs list[0..n) into one new run at the end of the file. */
static int merge_to_run(xsorter *s, const xrun *list, size_t n, size_t first, xrun *dst,
                        size_t *ndst)
{
    xmerge m;
    uint64_t off = s->woff + s->wlen;
    size_t nrow = 0;
    hdb_sql_value *prev = NULL, *row = NULL;
    int rc = merge_init(s, &m, list, n, first, NULL);
    note_peak(s, merge_bytes(s, &m) + s->bufsz);
    while (rc == HDB_OK && (rc = merge_pop(s, &m, &row)) == HDB_OK && row) {
        if (!repeats(s, prev, row) && (!s->keep || nrow < s->keep)) {
            rc = w_row(s, row);
            nrow++;
        }
        hdb__sql_row_free(prev, s->ncol);
        prev = row;
        row = NULL;
    }
    hdb__sql_row_free(prev, s->ncol);
    hdb__sql_row_free(row, s->ncol);
    merge_free(s, &m);
    if (rc == HDB_OK)
        rc = run_end(s, dst, ndst, off, nrow);
    return rc;
}

/* Merge groups of fan-in consecutive runs until at most fan-in are left. */
static int reduce_runs(xsorter *s)
{
    while (s->nrun > s->fanin) {
        size_t nn = 0;
        xrun *nl = calloc((s->nrun + s->fanin - 1) / s->fanin + 1, sizeof *nl);
        if (!nl)
            return nomem(s);
        int rc = HDB_OK;
        for (size_t i = 0; rc == HDB_OK && i < s->nrun; i += s->fanin) {
            size_t k = s->nrun - i < s->fanin ? s->nrun - i : s->fanin;
            if (k == 1)
                nl[nn++] = s->run[i];
            else
                rc = merge_to_run(s, s->run + i, k, i, nl, &nn);
        }
        if (rc != HDB_OK) {
            free(nl);
            return rc;
        }
        free(s->run);
        s->run = nl;
        s->nrun = s->runcap = nn;
    }
    return HDB_OK;
}

int hdb__sql_sorter_rewind(xsorter *s, xrows *b)
{
    if (s->failed)
        return s->x->rc ? s->x->rc : HDB_ERROR;
    if (b->spill == s)
        b->spill = NULL;
    s->att = NULL;
    /* b's rows become the in-memory run (b keeps nothing) */
    s->last_run.r = b->r, s->last_run.n = b->n, s->last_run.cap = b->cap;
    s->last_run.ncol = b->ncol;
    b->r = NULL, b->n = b->cap = 0;
    if (hdb__sql_rows_sort(&s->last_run, s->o, s->no) != HDB_OK)
        return nomem(s);
    int rc = s->nrun ? reduce_runs(s) : HDB_OK;
    if (rc == HDB_OK)
        rc = merge_init(s, &s->m, s->run, s->nrun, 0, &s->last_run);
    if (rc == HDB_OK) {
        note_peak(s, merge_bytes(s, &s->m));
        s->merging = 1;
    }
    return rc;
}

/* Keep the sort values of row (distinct: what the next row must differ from). */
static int remember(xsorter *s, const hdb_sql_value *row)
{
    if (!s->prev && !(s->prev = hdb__sql_row_new(s->ncol)))
        return nomem(s);
    for (int i = 0; i < s->no; i++) {
        int c = s->o[i].col;
        if (hdb__sql_value_copy(&s->prev[c], &row[c]) != HDB_OK)
            return nomem(s);
    }
    return HDB_OK;
}

void hdb__sql_sorter_rebind(xsorter *s, xctx *x) { s->x = x; }

int hdb__sql_sorter_next(xsorter *s, hdb_sql_value **row)
{
    *row = NULL;
    if (s->failed)
        return s->x->rc ? s->x->rc : HDB_ERROR;
    if (!s->merging || (s->keep && s->nout >= s->keep))
        return HDB_OK;
    for (;;) {
        hdb_sql_value *r;
        if (merge_pop(s, &s->m, &r) != HDB_OK)
            return s->x->rc;
        if (r && repeats(s, s->prev, r)) {
            hdb__sql_row_free(r, s->ncol);
            continue;
        }
        if (r && s->distinct && remember(s, r) != HDB_OK) {
            hdb__sql_row_free(r, s->ncol);
            return s->x->rc;
        }
        if (r)
            s->nout++;
        *row = r;
        return HDB_OK;
    }
}
