/*
** wal_read.c — scanning the log: recovery and reading past commits.
**
** HOW A SCAN WORKS
**   Segments are scanned oldest first, from the last one whose base LSN is
**   at or before the start of the range (the ones before hold nothing
**   newer).  Each segment is read transaction by transaction in two passes:
**   the first checks the frames' chained checksums up to the commit frame;
**   only then does the second hand the records and the commit to the
**   callbacks, so a reader never sees a record of a transaction that did
**   not commit.  The reader keeps a window of the file in memory
**   (RD_CHUNK, or one frame if larger) that starts at the transaction when
**   it fits, so the second pass of a small transaction reads nothing again.
**   Memory is bounded by the window plus one decompressed payload, whatever
**   the size of a transaction or a segment.
**
** WHERE A SCAN STOPS (wal.h invariant 2)
**   The first frame that does not check (its length runs past the end of
**   the file, or its checksum differs) ends the segment.  A frame that
**   checks but cannot be right (type 0, unknown flags, a commit shorter
**   than 16 bytes, a commit LSN that is not the last + 1, a payload that
**   does not decompress) is HDB_CORRUPT.  The next segment must begin at
**   the last valid LSN, or the log has a hole: HDB_CORRUPT.
**
** READING DURING RECOVERY
**   The engine rebuilds point-in-time branches while it replays the log, so
**   hdb__wal_read() works from inside a recovery callback, for LSNs up to
**   the commit being delivered (last_lsn follows the scan).
*/
#include <lz4.h>
#include <string.h>
#include <xxhash.h>
#include "wal/wal_int.h"

#define RD_CHUNK (1u << 20)
#define SCAN_END (-1) /* internal: the segment ends here (torn or clean) */

/* ------------------------------------------------------------------------
** The reader: a window over one segment file
*/
typedef struct rd {
    hdb_wal *w;
    hdb_file *f;
    uint64_t limit;  /* bytes of the file that count */
    uint8_t *buf;
    size_t cap, len;
    uint64_t at;     /* file offset of buf[0] */
    uint64_t anchor; /* where the current transaction begins */
} rd;

/* Point *p at bytes [off, off + n): HDB_OK, SCAN_END if they run past the
 * limit, or the error of the read. */
static int rd_get(rd *r, uint64_t off, size_t n, const uint8_t **p)
{
    if (off > r->limit || n > r->limit - off)
        return SCAN_END;
    if (off >= r->at && off + n <= r->at + r->len) {
        *p = r->buf + (off - r->at);
        return HDB_OK;
    }
    uint64_t from = r->anchor <= off && off + n - r->anchor <= RD_CHUNK ? r->anchor : off;
    uint64_t want = off + n - from < RD_CHUNK ? RD_CHUNK : off + n - from;
    if (want > r->limit - from)
        want = r->limit - from;
    if (want > r->cap) {
        hdb__free(r->w->cfg.mem, r->buf);
        r->len = r->cap = 0;
        if (!(r->buf = hdb__malloc(r->w->cfg.mem, (size_t)want)))
            return HDB_NOMEM;
        r->cap = (size_t)want;
    }
    size_t got = 0;
    r->len = 0;
    int rc = r->w->cfg.vfs->read(r->f, r->buf, (size_t)want, from, &got);
    if (rc != HDB_OK)
        return rc;
    if (got < off + n - from)
        return HDB_IOERR; /* the file is shorter than it was */
    r->at = from;
    r->len = got;
    *p = r->buf + (off - from);
    return HDB_OK;
}

/* The frame at *pos, if its checksum (seeded with *chain) holds: moves *pos
 * and *chain past it.  HDB_OK, SCAN_END, or an error. */
static int rd_frame(rd *r, uint64_t *pos, uint64_t *chain, const uint8_t **frame)
{
    const uint8_t *p;
    int rc = rd_get(r, *pos, 8, &p);
    if (rc != HDB_OK)
        return rc;
    uint32_t n = hdb__get32(p);
    if (n > HDB_WAL_MAX_PAYLOAD)
        return SCAN_END;
    if ((rc = rd_get(r, *pos, HDB_WAL_FRAME + (size_t)n, &p)) != HDB_OK)
        return rc;
    uint64_t sum = XXH64(p, 8 + (size_t)n, *chain);
    if (sum != hdb__get64(p + 8 + n))
        return SCAN_END;
    *chain = sum;
    *pos += HDB_WAL_FRAME + (uint64_t)n;
    *frame = p;
    return HDB_OK;
}

/* ------------------------------------------------------------------------
** The scan
*/
typedef struct scan {
    hdb_wal *w;
    uint64_t after, upto; /* deliver commits with after < LSN <= upto */
    hdb_wal_rec_fn rec;
    hdb_wal_commit_fn commit;
    void *ctx;
    uint64_t last;            /* LSN of the last valid commit so far */
    uint64_t end, end_chain;  /* in the segment scanned last: where that commit ends */
    uint64_t size;            /* that segment's file size */
    uint8_t *raw;             /* decompressed payloads */
    size_t raw_cap;
    int recovering;
} scan;

/* Pass 1: check frames from *pos up to a commit frame; *commit_at is
 * where it begins.  HDB_OK, SCAN_END, HDB_CORRUPT or an I/O error. */
static int find_commit(rd *r, uint64_t *pos, uint64_t *chain, uint64_t *commit_at)
{
    for (;;) {
        const uint8_t *p;
        uint64_t at = *pos;
        int rc = rd_frame(r, pos, chain, &p);
        if (rc != HDB_OK)
            return rc;
        uint32_t n = hdb__get32(p);
        uint8_t type = p[4], flags = p[5];
        if (type == 0 || (flags & ~1u) || (type == HDB_WAL_COMMIT && (flags || n < 16)))
            return HDB_CORRUPT;
        if (type == HDB_WAL_COMMIT) {
            *commit_at = at;
            return HDB_OK;
        }
    }
}

static int deliver_rec(scan *s, const uint8_t *frame)
{
    uint32_t n = hdb__get32(frame);
    hdb_wal_rec r = {frame[4], frame + 8, n};
    if (frame[5] & 1) {
        uint32_t raw = n >= 4 ? hdb__get32(frame + 8) : 0;
        if (n < 4 || raw > HDB_WAL_MAX_PAYLOAD)
            return HDB_CORRUPT;
        if (raw > s->raw_cap || !s->raw) {
            hdb__free(s->w->cfg.mem, s->raw);
            s->raw_cap = 0;
            if (!(s->raw = hdb__malloc(s->w->cfg.mem, raw)))
                return HDB_NOMEM;
            s->raw_cap = raw;
        }
        if (LZ4_decompress_safe((const char *)frame + 12, (char *)s->raw, (int)n - 4,
                                (int)raw) != (int)raw)
            return HDB_CORRUPT;
        r.data = s->raw;
        r.size = raw;
    }
    return s->rec(s->ctx, &r);
}

/* Pass 2: hand over the records in [from, commit_at) and the commit. */
static int deliver(scan *s, rd *r, uint64_t from, uint64_t commit_at)
{
    const uint8_t *p;
    int rc = HDB_OK;
    while (s->rec && rc == HDB_OK && from < commit_at) {
        if ((rc = rd_get(r, from, 8, &p)) != HDB_OK)
            break;
        size_t n = hdb__get32(p);
        if ((rc = rd_get(r, from, HDB_WAL_FRAME + n, &p)) == HDB_OK)
            rc = deliver_rec(s, p);
        from += HDB_WAL_FRAME + n;
    }
    if (rc == HDB_OK && s->commit && (rc = rd_get(r, commit_at, 8, &p)) == HDB_OK) {
        size_t n = hdb__get32(p);
        if ((rc = rd_get(r, commit_at, HDB_WAL_FRAME + n, &p)) == HDB_OK) {
            hdb_wal_commit c = {hdb__get64(p + 8), (int64_t)hdb__get64(p + 16), p + 24, n - 16};
            rc = s->commit(s->ctx, &c);
        }
    }
    return rc == SCAN_END ? HDB_IOERR : rc; /* checked by pass 1: cannot end */
}

/* Scan the transactions of an open segment from its header on. */
static int scan_frames(scan *s, rd *r, uint64_t chain)
{
    uint64_t pos = HDB_WAL_HDR;
    int rc = HDB_OK;
    s->end = pos;
    s->end_chain = chain;
    while (rc == HDB_OK && s->last < s->upto) {
        uint64_t start = pos, commit_at;
        const uint8_t *p;
        r->anchor = start;
        if ((rc = find_commit(r, &pos, &chain, &commit_at)) != HDB_OK)
            break;
        if ((rc = rd_get(r, commit_at + 8, 8, &p)) != HDB_OK)
            break;
        uint64_t lsn = hdb__get64(p);
        if (lsn != s->last + 1)
            return HDB_CORRUPT; /* an LSN gap or repeat (invariant 1) */
        if (s->recovering && lsn > s->w->last_lsn)
            s->w->last_lsn = lsn; /* checked: readable from a callback */
        if (lsn > s->after)
            rc = deliver(s, r, start, commit_at);
        s->last = lsn;
        s->end = pos;
        s->end_chain = chain;
    }
    return rc == SCAN_END ? HDB_OK : rc;
}

/* Scan segment i; `limit` (0 = the whole file) bounds the bytes read. */
static int scan_segment(scan *s, size_t i, uint64_t limit)
{
    hdb_wal *w = s->w;
    hdb_wal_seg_info si;
    rd r = {w, NULL, 0, NULL, 0, 0, 0, 0};
    const uint8_t *h;
    uint64_t salt;
    int rc = hdb__wal_open_segment(w, i, HDB_VFS_READONLY, &r.f, &s->size);
    if (rc != HDB_OK)
        return rc;
    r.limit = limit && limit < s->size ? limit : s->size;
    rc = rd_get(&r, 0, HDB_WAL_HDR, &h);
    if (rc == SCAN_END)
        rc = HDB_CORRUPT;
    if (rc == HDB_OK && (rc = hdb__wal_header_parse(h, w->seg[i].seq, &si, &salt)) == HDB_OK &&
        si.base_lsn != w->seg[i].base_lsn)
        rc = HDB_CORRUPT;
    if (rc == HDB_OK)
        rc = scan_frames(s, &r, salt);
    hdb__free(w->cfg.mem, r.buf);
    w->cfg.vfs->close(r.f);
    return rc;
}

/* The last segment whose base LSN is at or before lsn (segments before it
 * hold nothing newer); nseg if none is. */
static size_t first_segment(const hdb_wal *w, uint64_t lsn)
{
    size_t i = w->nseg;
    while (i > 0 && w->seg[i - 1].base_lsn > lsn)
        i--;
    return i ? i - 1 : w->nseg;
}

/* Scan segments i.. in order.  Recovering, record each one's last LSN and
 * size; reading, stop at the committed end of the current one. */
static int scan_from(scan *s, size_t i)
{
    hdb_wal *w = s->w;
    int rc = HDB_OK;
    s->last = w->seg[i].base_lsn;
    for (; i < w->nseg && rc == HDB_OK && s->last < s->upto; i++) {
        hdb_wal_seg_info *si = &w->seg[i];
        if (si->base_lsn != s->last)
            return HDB_CORRUPT; /* a hole (invariant 2) */
        uint64_t limit = 0; /* while recovering, a read stops at upto, checked already */
        if (!s->recovering && !w->recovering && i + 1 == w->nseg)
            limit = w->in_txn ? w->txn_off : w->off;
        rc = scan_segment(s, i, limit);
        if (rc == HDB_OK && s->recovering) {
            si->last_lsn = s->last;
            si->bytes = s->size;
        }
    }
    return rc;
}

/* ------------------------------------------------------------------------
** Recovery
*/

/* Ready the last segment for appending after its last valid commit. */
static int recover_tail(hdb_wal *w, const scan *s)
{
    hdb_wal_seg_info *si = &w->seg[w->nseg - 1];
    uint64_t size;
    int rc = hdb__wal_open_segment(w, w->nseg - 1, 0, &w->f, &size);
    if (rc == HDB_OK && size > s->end) {
        rc = w->cfg.vfs->truncate(w->f, s->end); /* the torn tail */
        if (rc == HDB_OK && w->cfg.sync != HDB_SYNC_OFF)
            rc = w->cfg.vfs->sync(w->f);
    }
    if (rc != HDB_OK)
        return rc;
    si->bytes = w->off = w->fsize = s->end;
    w->alloc_end = 0;
    w->chain = s->end_chain;
    w->rotate = w->off >= w->cfg.segment_bytes;
    return HDB_OK;
}

static int recover_scan(hdb_wal *w, scan *s)
{
    if (!w->nseg) {
        s->last = s->after;
        return HDB_OK;
    }
    size_t i = first_segment(w, s->after);
    if (i == w->nseg)
        return HDB_CORRUPT; /* the log does not reach back to after_lsn + 1 */
    int rc = scan_from(s, i);
    if (rc == HDB_OK) {
        w->off = s->end; /* read only: where reads of the last segment stop */
        w->seg[w->nseg - 1].bytes = s->end; /* not an extension's zeros (wal.h) */
    }
    return rc;
}

int hdb__wal_recover(hdb_wal *w, uint64_t after_lsn, hdb_wal_rec_fn rec,
                     hdb_wal_commit_fn commit, void *ctx, uint64_t *last_lsn)
{
    scan s = {w, after_lsn, UINT64_MAX, rec, commit, ctx, 0, 0, 0, 0, NULL, 0, 0};
    if (w->err)
        return HDB_IOERR;
    if (w->recovered)
        return HDB_MISUSE;
    int rc = hdb__wal_tidy_segments(w, after_lsn);
    s.recovering = w->recovering = 1;
    w->last_lsn = after_lsn;
    if (rc == HDB_OK)
        rc = recover_scan(w, &s);
    w->recovering = 0;
    hdb__free(w->cfg.mem, s.raw);
    if (rc != HDB_OK)
        return rc;
    w->last_lsn = s.last > after_lsn ? s.last : after_lsn;
    if (!w->cfg.read_only && w->nseg)
        rc = recover_tail(w, &s);
    /* No segment yet, or the log ends before the checkpoint: start one at
     * the checkpoint's LSN. */
    if (rc == HDB_OK && !w->cfg.read_only && (!w->nseg || s.last < after_lsn))
        rc = hdb__wal_new_segment(w, after_lsn);
    if (rc != HDB_OK)
        return rc;
    w->recovered = 1;
    *last_lsn = w->last_lsn;
    return HDB_OK;
}

/* ------------------------------------------------------------------------
** Reading the past
*/
int hdb__wal_read(hdb_wal *w, uint64_t after_lsn, uint64_t upto_lsn, hdb_wal_rec_fn rec,
                  hdb_wal_commit_fn commit, void *ctx)
{
    scan s = {w, after_lsn, upto_lsn, rec, commit, ctx, 0, 0, 0, 0, NULL, 0, 0};
    if (w->err)
        return HDB_IOERR;
    if (!w->recovered && !w->recovering)
        return HDB_MISUSE;
    if (upto_lsn > w->last_lsn)
        return HDB_RANGE;
    if (after_lsn >= upto_lsn)
        return HDB_OK;
    size_t i = first_segment(w, after_lsn);
    if (i == w->nseg)
        return HDB_RANGE; /* pruned */
    int rc = scan_from(&s, i);
    hdb__free(w->cfg.mem, s.raw);
    if (rc == HDB_OK && s.last < upto_lsn)
        rc = HDB_RANGE; /* the log ends before (it lost commits the checkpoint has) */
    return rc;
}
