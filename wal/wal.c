/*
** wal.c — the log handle and the write side: records of the open
** transaction, savepoints, abort, commit and durability.  The format and
** the contract are in wal.h; the handle's invariants in wal_int.h.
**
** HOW APPENDING WORKS
**   The frames of the open transaction are built in `buf` and written to
**   the segment (without fsync) once HDB_WAL_FLUSH bytes have built up, so a
**   transaction of any size holds at most about that much memory; a frame
**   larger than that is written straight from the caller's memory, its
**   checksum computed in pieces.  A payload of at least compress_min bytes
**   is lz4-compressed when that makes it smaller.  A record that fails to be
**   added leaves the transaction as it was before the call (the chain and
**   the buffer are put back; bytes it may have left in the file lie beyond
**   `off` and are overwritten or truncated later).
**
** REWIND
**   hdb__wal_mark() records the end of the transaction so far (offset 0
**   means "its start", for a mark taken before its first record: the
**   transaction may still move to a new segment).  Rewinding drops the
**   buffered frames after the mark and truncates the file if frames after
**   it were written.  A rewind after a failed commit also fsyncs, so that
**   the failed transaction can never come back after a power loss
**   (invariant 4).  A truncate or fsync that fails there leaves bytes of
**   unknown state in the log: the handle becomes sticky-failed.
**
** DURABILITY (invariant 3)
**   `unsynced` counts committed bytes not yet fsynced.  FULL fsyncs at
**   every commit, NORMAL when 1 MiB or 50 ms (measured at the next commit;
**   there is no timer) have built up, OFF only in hdb__wal_sync().  In every
**   mode a segment is made durable (file, then directory) before the next
**   one is started, so a power loss cannot keep a later segment while
**   losing the end of an earlier one (which recovery would call a hole).
*/
#define XXH_STATIC_LINKING_ONLY /* XXH64_state_t on the stack */
#include <lz4.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>
#include "wal/wal_int.h"

/* ------------------------------------------------------------------------
** The handle
*/
int hdb__wal_open(const hdb_wal_cfg *cfg, hdb_wal **out)
{
    *out = NULL;
    if (!cfg || !cfg->vfs || !cfg->dir)
        return HDB_MISUSE;
    hdb_wal *w = hdb__zalloc(cfg->mem, sizeof *w);
    if (!w)
        return HDB_NOMEM;
    w->cfg = *cfg;
    if (!w->cfg.segment_bytes)
        w->cfg.segment_bytes = 4u << 20;
    if (!w->cfg.compress_min)
        w->cfg.compress_min = 256;
    hdb__buf_init(&w->buf, cfg->mem);
    int rc = (w->dir = hdb__strdup(cfg->mem, cfg->dir)) ? HDB_OK : HDB_NOMEM;
    w->cfg.dir = w->dir;
    if (rc == HDB_OK && !cfg->read_only)
        rc = hdb__wal_make_dir(w);
    if (rc == HDB_OK)
        rc = hdb__wal_load_segments(w);
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
    hdb__wal_abort(w);
    if (w->f && w->err && w->cfg.vfs->truncate(w->f, w->cut_at) == HDB_OK)
        (void)w->cfg.vfs->sync(w->f); /* wal_int.h invariant 4 */
    if (w->f) {
        int cut = !w->err && w->alloc_end > w->off && hdb__wal_unextend(w) == HDB_OK;
        if (w->cfg.sync != HDB_SYNC_OFF && !w->err && (cut || w->unsynced || w->dir_dirty))
            (void)hdb__wal_sync_now(w); /* commits not yet synced, and the cut size */
        w->cfg.vfs->close(w->f);
    }
    hdb__buf_free(&w->buf);
    for (int i = 0; i < 2; i++)
        hdb__free(w->cfg.mem, w->scratch[i]);
    hdb__free(w->cfg.mem, w->seg);
    hdb__free(w->cfg.mem, w->dir);
    hdb__free(w->cfg.mem, w);
}

int64_t hdb__wal_now(const hdb_wal *w)
{
    struct timespec ts;
    if (w->cfg.clock_us)
        return w->cfg.clock_us(w->cfg.clock_ctx);
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* May the log be written now? */
static int writable(const hdb_wal *w)
{
    if (w->err)
        return HDB_IOERR;
    if (w->cfg.read_only)
        return HDB_READONLY;
    return w->recovered ? HDB_OK : HDB_MISUSE;
}

void hdb__wal_trim(hdb_wal *w)
{
    if (w->buf.cap > 2 * (size_t)HDB_WAL_FLUSH) {
        hdb__buf_free(&w->buf);
        hdb__buf_init(&w->buf, w->cfg.mem);
    }
    for (int i = 0; i < 2; i++)
        if (w->scratch_cap[i] > HDB_WAL_FLUSH) {
            hdb__free(w->cfg.mem, w->scratch[i]);
            w->scratch[i] = NULL;
            w->scratch_cap[i] = 0;
        }
}

static uint8_t *scratch(hdb_wal *w, int i, size_t n)
{
    if (n > w->scratch_cap[i]) {
        hdb__free(w->cfg.mem, w->scratch[i]);
        w->scratch_cap[i] = 0;
        if (!(w->scratch[i] = hdb__malloc(w->cfg.mem, n)))
            return NULL;
        w->scratch_cap[i] = n;
    }
    return w->scratch[i];
}

/* ------------------------------------------------------------------------
** Frames
*/
static void note_write(hdb_wal *w, uint64_t end)
{
    if (end > w->fsize)
        w->fsize = end;
}

/* Write the buffered frames at `off`.  On failure they stay buffered. */
static int flush(hdb_wal *w)
{
    if (!w->buf.len)
        return HDB_OK;
    note_write(w, w->off + w->buf.len);
    int rc = w->cfg.vfs->write(w->f, w->buf.data, w->buf.len, w->off);
    if (rc != HDB_OK)
        return rc;
    w->off += w->buf.len;
    hdb__buf_reset(&w->buf);
    return HDB_OK;
}

static void frame_head(uint8_t *h, size_t n, uint8_t type, uint8_t flags)
{
    hdb__put32(h, (uint32_t)n);
    h[4] = type;
    h[5] = flags;
    h[6] = h[7] = 0;
}

static int frame_buffered(hdb_wal *w, uint8_t type, uint8_t flags, const void *a, size_t an,
                          const void *b, size_t bn)
{
    size_t n = an + bn;
    if (hdb__buf_reserve(&w->buf, HDB_WAL_FRAME + n) != HDB_OK) {
        w->buf.oom = 0;
        return HDB_NOMEM;
    }
    uint8_t *p = (uint8_t *)w->buf.data + w->buf.len;
    frame_head(p, n, type, flags);
    if (an)
        memcpy(p + 8, a, an);
    if (bn)
        memcpy(p + 8 + an, b, bn);
    w->chain = XXH64(p, 8 + n, w->chain);
    hdb__put64(p + 8 + n, w->chain);
    w->buf.len += HDB_WAL_FRAME + n;
    w->buf.data[w->buf.len] = 0;
    return HDB_OK;
}

/* A frame too large for the buffer: written in place, piece by piece. */
static int frame_direct(hdb_wal *w, uint8_t type, uint8_t flags, const void *a, size_t an,
                        const void *b, size_t bn)
{
    uint8_t h[8], sum[8];
    XXH64_state_t st;
    int rc = flush(w);
    if (rc != HDB_OK)
        return rc;
    frame_head(h, an + bn, type, flags);
    XXH64_reset(&st, w->chain);
    XXH64_update(&st, h, 8);
    XXH64_update(&st, a, an);
    XXH64_update(&st, b, bn);
    uint64_t chain = XXH64_digest(&st);
    hdb__put64(sum, chain);
    const void *part[4] = {h, a, b, sum};
    size_t len[4] = {8, an, bn, 8};
    uint64_t at = w->off;
    for (int i = 0; i < 4; i++) {
        if (!len[i])
            continue;
        note_write(w, at + len[i]);
        if ((rc = w->cfg.vfs->write(w->f, part[i], len[i], at)) != HDB_OK)
            return rc;
        at += len[i];
    }
    w->off = at;
    w->chain = chain;
    return HDB_OK;
}

/* Add one frame to the transaction; on failure, the transaction is as it
 * was before the call. */
static int frame_add(hdb_wal *w, uint8_t type, uint8_t flags, const void *a, size_t an,
                     const void *b, size_t bn)
{
    size_t len = w->buf.len;
    uint64_t chain = w->chain;
    int rc;
    if (HDB_WAL_FRAME + an + bn > HDB_WAL_FLUSH)
        rc = frame_direct(w, type, flags, a, an, b, bn);
    else
        rc = frame_buffered(w, type, flags, a, an, b, bn);
    if (rc == HDB_OK && w->buf.len >= HDB_WAL_FLUSH)
        rc = flush(w);
    if (rc != HDB_OK) {
        w->chain = chain;
        if (w->buf.len > len)
            w->buf.len = len;
    }
    return rc;
}

/* ------------------------------------------------------------------------
** The open transaction
*/
/* Extend the segment to segment_bytes (wal.h, SEGMENT SIZE).  A failure
 * only costs speed: the segment then grows with each commit. */
static void extend(hdb_wal *w)
{
    if (!w->cfg.prealloc || w->alloc_end || w->off >= w->cfg.segment_bytes)
        return;
    if (w->cfg.vfs->truncate(w->f, w->cfg.segment_bytes) == HDB_OK)
        w->alloc_end = w->cfg.segment_bytes;
}

int hdb__wal_unextend(hdb_wal *w)
{
    if (!w->f || w->alloc_end <= w->off)
        return HDB_OK;
    int rc = w->cfg.vfs->truncate(w->f, w->off);
    if (rc == HDB_OK)
        w->alloc_end = 0;
    return rc;
}

static int txn_start(hdb_wal *w)
{
    if (w->in_txn)
        return HDB_OK;
    if (w->rotate || !w->f) {
        int rc = hdb__wal_new_segment(w, w->last_lsn);
        if (rc != HDB_OK)
            return rc;
    }
    extend(w);
    w->in_txn = 1;
    w->txn_off = w->off;
    w->txn_chain = w->chain;
    return HDB_OK;
}

/* Compress a||b into one frame if that saves space; *done says it did. */
static int append_lz4(hdb_wal *w, uint8_t type, const void *a, size_t an, const void *b,
                      size_t bn, int *done)
{
    size_t n = an + bn;
    const void *src = !bn ? a : !an ? b : NULL;
    uint8_t *j = src ? NULL : scratch(w, 0, n);
    if (!src && !j)
        return HDB_NOMEM;
    if (j) {
        memcpy(j, a, an);
        memcpy(j + an, b, bn);
        src = j;
    }
    int bound = LZ4_compressBound((int)n);
    uint8_t *z = scratch(w, 1, (size_t)bound + 4);
    if (!z)
        return HDB_NOMEM;
    int zn = LZ4_compress_default(src, (char *)z + 4, (int)n, bound);
    if (zn <= 0 || (size_t)zn + 4 >= n)
        return HDB_OK;
    hdb__put32(z, (uint32_t)n);
    *done = 1;
    return frame_add(w, type, 1, z, (size_t)zn + 4, NULL, 0);
}

int hdb__wal_append(hdb_wal *w, uint8_t type, const void *a, size_t an, const void *b,
                    size_t bn)
{
    int rc = writable(w), done = 0;
    if (rc != HDB_OK)
        return rc;
    if (type == 0 || type == HDB_WAL_COMMIT || (an && !a) || (bn && !b))
        return HDB_MISUSE;
    if (an > HDB_WAL_MAX_PAYLOAD || bn > HDB_WAL_MAX_PAYLOAD - an)
        return HDB_RANGE;
    if ((rc = txn_start(w)) != HDB_OK)
        return rc;
    if (an + bn >= w->cfg.compress_min) {
        rc = append_lz4(w, type, a, an, b, bn, &done);
        if (w->scratch_cap[0] > HDB_WAL_FLUSH || w->scratch_cap[1] > HDB_WAL_FLUSH)
            hdb__wal_trim(w);
        if (rc != HDB_OK || done)
            return rc;
    }
    return frame_add(w, type, 0, a, an, b, bn);
}

void hdb__wal_mark(hdb_wal *w, hdb_wal_pos *pos)
{
    pos->seg = w->nseg ? w->seg[w->nseg - 1].seq : 0;
    pos->off = w->in_txn ? w->off + w->buf.len : 0;
    pos->chain = w->chain;
}

/* Drop everything of the transaction after file offset `to`; with `sync`,
 * make the cut durable.  A failed truncate or fsync is sticky. */
static int cut(hdb_wal *w, uint64_t to, uint64_t chain, int sync)
{
    if (to >= w->off) {
        w->buf.len = (size_t)(to - w->off);
    } else {
        hdb__buf_reset(&w->buf);
        w->off = to;
    }
    w->chain = chain;
    if (w->fsize <= w->off)
        return HDB_OK;
    int rc = w->cfg.vfs->truncate(w->f, w->off);
    w->alloc_end = 0; /* the extension went with the cut (re-extended later) */
    if (rc == HDB_OK && sync)
        rc = w->cfg.vfs->sync(w->f);
    if (rc != HDB_OK) {
        w->err = HDB_IOERR;
        w->cut_at = w->off;
        return HDB_IOERR;
    }
    w->fsize = w->off;
    return HDB_OK;
}

int hdb__wal_rewind(hdb_wal *w, const hdb_wal_pos *pos)
{
    if (w->err)
        return HDB_IOERR;
    if (!w->in_txn)
        return pos->off ? HDB_MISUSE : HDB_OK;
    if (pos->off == 0)
        return cut(w, w->txn_off, w->txn_chain, 0);
    if (pos->seg != w->seg[w->nseg - 1].seq || pos->off < w->txn_off ||
        pos->off > w->off + w->buf.len)
        return HDB_MISUSE;
    return cut(w, pos->off, pos->chain, 0);
}

void hdb__wal_abort(hdb_wal *w)
{
    if (w->in_txn && !w->err)
        (void)cut(w, w->txn_off, w->txn_chain, 0);
    w->in_txn = 0;
    hdb__buf_reset(&w->buf);
    hdb__wal_trim(w);
}

/* ------------------------------------------------------------------------
** Commit and durability
*/
int hdb__wal_sync_now(hdb_wal *w)
{
    int rc = w->f ? w->cfg.vfs->sync(w->f) : HDB_OK;
    if (rc == HDB_OK && w->dir_dirty && (rc = w->cfg.vfs->sync_dir(w->cfg.vfs, w->dir)) == HDB_OK)
        w->dir_dirty = 0;
    if (rc == HDB_OK)
        w->unsynced = 0;
    return rc;
}

/* The transaction's `bytes` were written: fsync as the mode says. */
static int commit_sync(hdb_wal *w, uint64_t bytes)
{
    int due = w->cfg.sync == HDB_SYNC_FULL;
    if (w->cfg.sync == HDB_SYNC_NORMAL) {
        int64_t now = hdb__wal_now(w);
        if (!w->unsynced)
            w->unsynced_since = now;
        due = w->unsynced + bytes >= HDB_WAL_NORMAL_BYTES ||
              now - w->unsynced_since >= HDB_WAL_NORMAL_US;
    }
    w->unsynced += bytes;
    int rc = due ? hdb__wal_sync_now(w) : HDB_OK;
    if (rc != HDB_OK)
        w->unsynced -= bytes; /* the transaction is about to be cut away */
    return rc;
}

static void commit_done(hdb_wal *w, uint64_t lsn)
{
    hdb_wal_seg_info *s = &w->seg[w->nseg - 1];
    w->appended += w->off - w->txn_off;
    w->in_txn = 0;
    w->last_lsn = s->last_lsn = lsn;
    s->bytes = w->off;
    if (w->off >= w->cfg.segment_bytes)
        w->rotate = 1; /* invariant 5 */
    hdb__wal_trim(w);
}

int hdb__wal_commit(hdb_wal *w, uint64_t lsn, int64_t time_us, const void *extra, size_t n)
{
    uint8_t c[16];
    int rc = writable(w);
    if (rc != HDB_OK)
        return rc;
    if (lsn != w->last_lsn + 1 || (n && !extra))
        return HDB_MISUSE;
    if (n > HDB_WAL_MAX_PAYLOAD - sizeof c)
        return HDB_RANGE;
    if ((rc = txn_start(w)) != HDB_OK)
        return rc;
    hdb__put64(c, lsn);
    hdb__put64(c + 8, (uint64_t)time_us);
    rc = frame_add(w, HDB_WAL_COMMIT, 0, c, sizeof c, extra, n);
    if (rc == HDB_OK)
        rc = flush(w);
    if (rc == HDB_OK)
        rc = commit_sync(w, w->off - w->txn_off);
    if (rc != HDB_OK) {
        (void)cut(w, w->txn_off, w->txn_chain, 1); /* invariant 4 */
        w->in_txn = 0;
        hdb__wal_trim(w);
        return rc;
    }
    commit_done(w, lsn);
    return HDB_OK;
}

int hdb__wal_sync(hdb_wal *w)
{
    if (w->err)
        return HDB_IOERR;
    if (!w->f || (!w->unsynced && !w->dir_dirty))
        return HDB_OK;
    return hdb__wal_sync_now(w);
}

uint64_t hdb__wal_last_lsn(const hdb_wal *w) { return w->last_lsn; }
uint64_t hdb__wal_appended(const hdb_wal *w) { return w->appended; }
