/*
** wal_read.c — opening the log, recovery, and reading past commits.
**
** HOW RECOVERY WORKS
**   Segments are scanned oldest first.  In each, frames are checked against
**   the chained checksum; the records of a transaction are held until its
**   commit frame arrives, then handed over (commits at or below after_lsn
**   are skipped).  The first frame that does not check ends the segment:
**   in the last segment that is the torn tail, cut away; in an earlier one
**   the next segment must start exactly at the last valid commit, or the
**   log has a hole (HDB_CORRUPT).  A last segment whose header never
**   reached the disk whole is removed.
**
** LIMITATIONS
**   A segment is read into memory whole to be scanned; segments are small
**   (4 MiB by default) but one transaction may make one larger.
*/
#include <lz4.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "wal/wal_int.h"

int hdb__wal_grow(hdb_wal *w)
{
    if (w->nseg < w->seg_cap)
        return HDB_OK;
    size_t cap = w->seg_cap ? w->seg_cap * 2 : 8;
    hdb_wal_seg_info *v = hdb__realloc(w->cfg.mem, w->seg, cap * sizeof *v);
    if (!v)
        return HDB_NOMEM;
    w->seg = v;
    w->seg_cap = cap;
    return HDB_OK;
}

static int on_name(void *ctx, const char *name)
{
    hdb_wal *w = ctx;
    uint64_t seq = 0;
    if (strlen(name) != 16)
        return HDB_OK;
    for (int i = 0; i < 16; i++) {
        char c = name[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return HDB_OK;
        seq = seq << 4 | (uint64_t)d;
    }
    int rc = hdb__wal_grow(w);
    if (rc != HDB_OK)
        return rc;
    memset(&w->seg[w->nseg], 0, sizeof *w->seg);
    w->seg[w->nseg++].seq = seq;
    return HDB_OK;
}

static int seg_cmp(const void *a, const void *b)
{
    uint64_t x = ((const hdb_wal_seg_info *)a)->seq, y = ((const hdb_wal_seg_info *)b)->seq;
    return x < y ? -1 : x > y;
}

/* Read a whole segment; *salt and the header fields are checked. */
static int load_seg(hdb_wal *w, size_t i, uint8_t **data, uint64_t *size)
{
    char path[HDB_WAL_PATH];
    hdb_file *f;
    size_t got;
    *data = NULL;
    hdb__wal_seg_name(w, w->seg[i].seq, path, sizeof path);
    int rc = w->vfs->open(w->vfs, path, HDB_VFS_READONLY, &f);
    if (rc != HDB_OK)
        return rc == HDB_NOTFOUND ? HDB_CORRUPT : rc;
    if ((rc = w->vfs->size(f, size)) == HDB_OK && *size > ((uint64_t)1 << 31))
        rc = HDB_CORRUPT;
    if (rc == HDB_OK && !(*data = hdb__malloc(w->cfg.mem, *size ? *size : 1)))
        rc = HDB_NOMEM;
    if (rc == HDB_OK && (rc = w->vfs->read(f, *data, *size, 0, &got)) == HDB_OK && got != *size)
        rc = HDB_IOERR;
    w->vfs->close(f);
    if (rc != HDB_OK) {
        hdb__free(w->cfg.mem, *data);
        *data = NULL;
    }
    return rc;
}

static int header_ok(const hdb_wal *w, const uint8_t *h, uint64_t size, uint64_t seq)
{
    return size >= HDB_WAL_HDR && !memcmp(h, HDB_WAL_MAGIC, 8) && hdb__get32(h + 8) == 1 &&
           hdb__get32(h + 12) == HDB_WAL_HDR && hdb__get64(h + 16) == seq &&
           hdb__get64(h + 56) == XXH64(h, 56, 0);
}

int hdb__wal_open(const hdb_wal_cfg *cfg, hdb_wal **out)
{
    hdb_wal *w = hdb__zalloc(cfg->mem, sizeof *w);
    *out = NULL;
    if (!w)
        return HDB_NOMEM;
    w->cfg = *cfg;
    w->vfs = cfg->vfs;
    if (!w->cfg.segment_bytes)
        w->cfg.segment_bytes = 4u << 20;
    if (!w->cfg.compress_min)
        w->cfg.compress_min = 256;
    hdb__buf_init(&w->buf, cfg->mem);
    int rc = (w->dir = hdb__strdup(cfg->mem, cfg->dir)) ? HDB_OK : HDB_NOMEM;
    if (rc == HDB_OK && !cfg->read_only)
        rc = w->vfs->mkdir(w->vfs, w->dir);
    if (rc == HDB_OK && w->vfs->exists(w->vfs, w->dir))
        rc = w->vfs->list(w->vfs, w->dir, on_name, w);
    if (rc == HDB_OK && w->nseg > 1)
        qsort(w->seg, w->nseg, sizeof *w->seg, seg_cmp);
    if (rc != HDB_OK) {
        hdb__wal_close(w);
        return rc;
    }
    *out = w;
    return HDB_OK;
}

void hdb__wal_close(hdb_wal *w)
{
    if (!w)
        return;
    if (w->f) {
        if (!w->err)
            (void)hdb__wal_sync(w);
        w->vfs->close(w->f);
    }
    hdb__buf_free(&w->buf);
    hdb__free(w->cfg.mem, w->seg);
    hdb__free(w->cfg.mem, w->dir);
    hdb__free(w->cfg.mem, w);
}

/* ------------------------------------------------------------------------
** Scanning
*/
typedef struct scan {
    hdb_wal *w;
    uint64_t after, upto, last;
    hdb_wal_rec_fn rec;
    hdb_wal_commit_fn commit;
    void *ctx;
    hdb_buf recs; /* held records: u8 type, u8 flags, u32 n, payload */
    uint64_t end_off, end_chain;
    int torn;
} scan;

static int deliver_one(scan *s, uint8_t type, uint8_t flags, const uint8_t *p, uint32_t n)
{
    hdb_wal_rec r = {type, p, n};
    if (!(flags & 1))
        return s->rec ? s->rec(s->ctx, &r) : HDB_OK;
    if (n < 4)
        return HDB_CORRUPT;
    uint32_t raw = hdb__get32(p);
    if (raw > HDB_WAL_MAX_PAYLOAD)
        return HDB_CORRUPT;
    uint8_t *u = hdb__malloc(s->w->cfg.mem, raw ? raw : 1);
    if (!u)
        return HDB_NOMEM;
    int rc = HDB_OK;
    if (LZ4_decompress_safe((const char *)p + 4, (char *)u, (int)n - 4, (int)raw) != (int)raw)
        rc = HDB_CORRUPT;
    r.data = u;
    r.size = raw;
    if (rc == HDB_OK && s->rec)
        rc = s->rec(s->ctx, &r);
    hdb__free(s->w->cfg.mem, u);
    return rc;
}

static int deliver(scan *s, const uint8_t *c, uint32_t n)
{
    const uint8_t *p = (const uint8_t *)s->recs.data, *end = p + s->recs.len;
    int rc = HDB_OK;
    while (rc == HDB_OK && p < end) {
        uint32_t len = hdb__get32(p + 2);
        rc = deliver_one(s, p[0], p[1], p + 6, len);
        p += 6 + len;
    }
    hdb_wal_commit cm = {hdb__get64(c), (int64_t)hdb__get64(c + 8), c + 16, n - 16};
    if (rc == HDB_OK && s->commit)
        rc = s->commit(s->ctx, &cm);
    return rc;
}

static int on_commit_frame(scan *s, const uint8_t *p, uint32_t n)
{
    if (n < 16)
        return HDB_CORRUPT;
    uint64_t lsn = hdb__get64(p);
    int rc = HDB_OK;
    if (lsn > s->after) {
        uint64_t want = (s->last > s->after ? s->last : s->after) + 1;
        if (lsn != want)
            return HDB_CORRUPT;
        if (lsn <= s->upto)
            rc = deliver(s, p, n);
    }
    if (lsn > s->last)
        s->last = lsn;
    hdb__buf_reset(&s->recs);
    return rc;
}

/* Scan one loaded segment; sets end_off/end_chain/torn. */
static int scan_frames(scan *s, const uint8_t *d, uint64_t size, hdb_wal_seg_info *si)
{
    uint64_t pos = HDB_WAL_HDR, chain = hdb__get64(d + 24);
    int rc = HDB_OK;
    hdb__buf_reset(&s->recs);
    s->end_off = pos;
    s->end_chain = chain;
    s->torn = 0;
    si->base_lsn = hdb__get64(d + 32);
    si->created_us = (int64_t)hdb__get64(d + 40);
    si->last_lsn = si->base_lsn;
    while (rc == HDB_OK && pos + 16 <= size) {
        uint32_t n = hdb__get32(d + pos);
        if ((uint64_t)n + 16 > size - pos)
            break;
        uint64_t sum = XXH64(d + pos, 8 + (size_t)n, chain);
        if (sum != hdb__get64(d + pos + 8 + n))
            break;
        chain = sum;
        uint8_t type = d[pos + 4], flags = d[pos + 5];
        if (type == HDB_WAL_COMMIT) {
            rc = on_commit_frame(s, d + pos + 8, n);
            si->last_lsn = hdb__get64(d + pos + 8);
            s->end_off = pos + 16 + n;
            s->end_chain = chain;
        } else {
            uint8_t h[6];
            h[0] = type;
            h[1] = flags;
            hdb__put32(h + 2, n);
            hdb__buf_append(&s->recs, h, 6);
            hdb__buf_append(&s->recs, d + pos + 8, n);
            if (s->recs.oom)
                rc = HDB_NOMEM;
        }
        pos += 16 + (uint64_t)n;
    }
    s->torn = s->end_off != size;
    si->bytes = s->end_off;
    return rc;
}

/* Scan every segment; with `fix`, cut the torn tail and remove a last
 * segment whose header is damaged. */
static int scan_all(scan *s, int fix)
{
    hdb_wal *w = s->w;
    int rc = HDB_OK;
    uint64_t prev_end = 0;
    for (size_t i = 0; i < w->nseg && rc == HDB_OK; i++) {
        uint8_t *d;
        uint64_t size;
        if ((rc = load_seg(w, i, &d, &size)) != HDB_OK)
            break;
        if (!header_ok(w, d, size, w->seg[i].seq)) {
            hdb__free(w->cfg.mem, d);
            if (i + 1 < w->nseg)
                return HDB_CORRUPT;
            if (fix && !w->cfg.read_only) {
                char path[HDB_WAL_PATH];
                hdb__wal_seg_name(w, w->seg[i].seq, path, sizeof path);
                if ((rc = w->vfs->remove(w->vfs, path)) != HDB_OK)
                    return rc;
            }
            w->nseg--;
            break;
        }
        uint64_t base = hdb__get64(d + 32);
        /* Each segment starts where the one before ended; the first must
         * reach back to the checkpoint. */
        if ((i > 0 && base != prev_end) || (i == 0 && base > s->after))
            rc = HDB_CORRUPT;
        if (rc == HDB_OK)
            rc = scan_frames(s, d, size, &w->seg[i]);
        prev_end = w->seg[i].last_lsn;
        hdb__free(w->cfg.mem, d);
    }
    return rc;
}

int hdb__wal_recover(hdb_wal *w, uint64_t after_lsn, hdb_wal_rec_fn rec,
                     hdb_wal_commit_fn commit, void *ctx, uint64_t *last_lsn)
{
    scan s = {w, after_lsn, UINT64_MAX, after_lsn, rec, commit, ctx, {0}, 0, 0, 0};
    hdb__buf_init(&s.recs, w->cfg.mem);
    int rc = scan_all(&s, 1);
    hdb__buf_free(&s.recs);
    if (rc != HDB_OK)
        return rc;
    w->last_lsn = s.last > after_lsn ? s.last : after_lsn;
    *last_lsn = w->last_lsn;
    if (w->cfg.read_only)
        return HDB_OK;
    if (!w->nseg || s.last < after_lsn) {
        w->rotate = 1; /* the next transaction starts a segment at last_lsn */
        return HDB_OK;
    }
    /* Append after the last valid commit of the last segment. */
    char path[HDB_WAL_PATH];
    hdb_wal_seg_info *si = &w->seg[w->nseg - 1];
    hdb__wal_seg_name(w, si->seq, path, sizeof path);
    rc = w->vfs->open(w->vfs, path, 0, &w->f);
    if (rc == HDB_OK && s.torn) {
        rc = w->vfs->truncate(w->f, s.end_off);
        if (rc == HDB_OK)
            rc = w->vfs->sync(w->f);
    }
    if (rc != HDB_OK)
        return rc;
    w->off = s.end_off;
    w->chain = s.end_chain;
    w->rotate = w->off >= w->cfg.segment_bytes;
    return HDB_OK;
}

int hdb__wal_read(hdb_wal *w, uint64_t after_lsn, uint64_t upto_lsn, hdb_wal_rec_fn rec,
                  hdb_wal_commit_fn commit, void *ctx)
{
    if (!w->nseg || w->seg[0].base_lsn > after_lsn)
        return HDB_RANGE;
    scan s = {w, after_lsn, upto_lsn, after_lsn, rec, commit, ctx, {0}, 0, 0, 0};
    hdb__buf_init(&s.recs, w->cfg.mem);
    /* Keep the sizes of the current segment as they are: scan a copy. */
    size_t n = w->nseg;
    hdb_wal_seg_info *keep = hdb__memdup(w->cfg.mem, w->seg, n * sizeof *w->seg);
    int rc = keep ? scan_all(&s, 0) : HDB_NOMEM;
    if (keep) {
        memcpy(w->seg, keep, n * sizeof *w->seg);
        w->nseg = n;
        hdb__free(w->cfg.mem, keep);
    }
    hdb__buf_free(&s.recs);
    if (rc == HDB_OK && s.last < upto_lsn)
        rc = HDB_RANGE;
    return rc;
}
