/*
** wal.c — appending to the log: segments, frames, commits, rewind.
**
** See wal.h for the format and the invariants.  The frames of the open
** transaction are built in `buf` and written to the segment when it passes
** BUF_FLUSH bytes or at commit; `txn_off`/`txn_chain` say where the
** transaction began, so abort and failed commits truncate back to it.
*/
#include <lz4.h>
#include <string.h>
#include <xxhash.h>
#include "wal/wal_int.h"

#define BUF_FLUSH (1u << 20)
#define NORMAL_BYTES (1u << 20)
#define NORMAL_US 50000

/* ------------------------------------------------------------------------
** Segments
*/
void hdb__wal_seg_name(const hdb_wal *w, uint64_t seq, char *out, size_t n)
{
    snprintf(out, n, "%s/%016llx", w->dir, (unsigned long long)seq);
}

static int write_header(hdb_wal *w, hdb_file *f, uint64_t seq, uint64_t salt, uint64_t base,
                        int64_t now)
{
    uint8_t h[HDB_WAL_HDR];
    memset(h, 0, sizeof h);
    memcpy(h, HDB_WAL_MAGIC, 8);
    hdb__put32(h + 8, 1);
    hdb__put32(h + 12, HDB_WAL_HDR);
    hdb__put64(h + 16, seq);
    hdb__put64(h + 24, salt);
    hdb__put64(h + 32, base);
    hdb__put64(h + 40, (uint64_t)now);
    hdb__put64(h + 56, XXH64(h, 56, 0));
    return w->vfs->write(f, h, sizeof h, 0);
}

/* Start segment seq with base LSN `base`, and make it the current one. */
static int new_segment(hdb_wal *w, uint64_t base)
{
    char path[HDB_WAL_PATH];
    hdb_file *f;
    uint64_t seq = w->nseg ? w->seg[w->nseg - 1].seq + 1 : 1;
    int64_t now = w->cfg.clock_us ? w->cfg.clock_us(w->cfg.clock_ctx) : 0;
    uint64_t salt = XXH64(&now, sizeof now, seq ^ (uint64_t)(uintptr_t)w);
    int rc = hdb__wal_grow(w);
    if (rc != HDB_OK)
        return rc;
    hdb__wal_seg_name(w, seq, path, sizeof path);
    if ((rc = w->vfs->open(w->vfs, path, HDB_VFS_CREATE, &f)) != HDB_OK)
        return rc;
    rc = w->vfs->truncate(f, 0);
    if (rc == HDB_OK)
        rc = write_header(w, f, seq, salt, base, now);
    if (rc == HDB_OK && w->cfg.sync != HDB_SYNC_OFF)
        rc = w->vfs->sync(f);
    if (rc == HDB_OK && w->cfg.sync != HDB_SYNC_OFF)
        rc = w->vfs->sync_dir(w->vfs, w->dir);
    if (rc != HDB_OK) {
        w->vfs->close(f);
        w->vfs->remove(w->vfs, path);
        return rc;
    }
    if (w->f)
        w->vfs->close(w->f);
    w->f = f;
    hdb_wal_seg_info *s = &w->seg[w->nseg++];
    s->seq = seq;
    s->base_lsn = s->last_lsn = base;
    s->bytes = HDB_WAL_HDR;
    s->created_us = now;
    w->salt = salt;
    w->off = HDB_WAL_HDR;
    w->chain = salt;
    w->rotate = 0;
    return HDB_OK;
}

/* ------------------------------------------------------------------------
** The open transaction
*/
static int write_buf(hdb_wal *w)
{
    if (!w->buf.len)
        return HDB_OK;
    int rc = w->vfs->write(w->f, w->buf.data, w->buf.len, w->off);
    if (rc != HDB_OK)
        return rc;
    w->off += w->buf.len;
    w->appended += w->buf.len;
    hdb__buf_reset(&w->buf);
    return HDB_OK;
}

/* The first frame of a transaction: rotate if due, remember the start. */
static int txn_start(hdb_wal *w)
{
    if (w->in_txn)
        return HDB_OK;
    if (w->err)
        return w->err;
    if (w->rotate || !w->f) {
        int rc = new_segment(w, w->last_lsn);
        if (rc != HDB_OK)
            return rc;
    }
    w->in_txn = 1;
    w->txn_off = w->off;
    w->txn_chain = w->chain;
    return HDB_OK;
}

static int add_frame(hdb_wal *w, uint8_t type, uint8_t flags, const void *a, size_t an,
                     const void *b, size_t bn)
{
    uint8_t h[8], sum[8];
    size_t start = w->buf.len;
    hdb__put32(h, (uint32_t)(an + bn));
    h[4] = type;
    h[5] = flags;
    h[6] = h[7] = 0;
    hdb__buf_append(&w->buf, h, 8);
    hdb__buf_append(&w->buf, a, an);
    hdb__buf_append(&w->buf, b, bn);
    if (w->buf.oom) {
        w->buf.oom = 0;
        w->buf.len = start;
        return HDB_NOMEM;
    }
    w->chain = XXH64(w->buf.data + start, 8 + an + bn, w->chain);
    hdb__put64(sum, w->chain);
    hdb__buf_append(&w->buf, sum, 8);
    if (w->buf.oom) {
        w->buf.oom = 0;
        w->buf.len = start;
        return HDB_NOMEM;
    }
    return w->buf.len >= BUF_FLUSH ? write_buf(w) : HDB_OK;
}

int hdb__wal_append(hdb_wal *w, uint8_t type, const void *a, size_t an, const void *b,
                    size_t bn)
{
    if (type == 0 || type == HDB_WAL_COMMIT)
        return HDB_MISUSE;
    if (an + bn > HDB_WAL_MAX_PAYLOAD)
        return HDB_RANGE;
    int rc = txn_start(w);
    if (rc != HDB_OK)
        return rc;
    size_t n = an + bn;
    if (n >= w->cfg.compress_min && n <= (size_t)LZ4_MAX_INPUT_SIZE) {
        /* Compress when that saves space: u32 raw length, then lz4. */
        uint8_t *raw = hdb__malloc(w->cfg.mem, n);
        int cap = LZ4_compressBound((int)n);
        uint8_t *z = raw ? hdb__malloc(w->cfg.mem, (size_t)cap + 4) : NULL;
        int zn = 0;
        if (z) {
            if (an)
                memcpy(raw, a, an);
            if (bn)
                memcpy(raw + an, b, bn);
            zn = LZ4_compress_default((const char *)raw, (char *)z + 4, (int)n, cap);
            hdb__put32(z, (uint32_t)n);
        }
        if (z && zn > 0 && (size_t)zn + 4 < n)
            rc = add_frame(w, type, 1, z, (size_t)zn + 4, NULL, 0);
        else
            rc = raw && z ? add_frame(w, type, 0, a, an, b, bn) : HDB_NOMEM;
        hdb__free(w->cfg.mem, raw);
        hdb__free(w->cfg.mem, z);
        return rc;
    }
    return add_frame(w, type, 0, a, an, b, bn);
}

void hdb__wal_mark(hdb_wal *w, hdb_wal_pos *pos)
{
    pos->seg = w->nseg ? w->seg[w->nseg - 1].seq : 0;
    pos->off = w->in_txn ? w->off + w->buf.len : 0; /* 0: before the transaction */
    pos->chain = w->chain;
}

/* Drop what the transaction wrote beyond file offset `off`. */
static int cut(hdb_wal *w, uint64_t off, uint64_t chain)
{
    if (off >= w->off) {
        w->buf.len = (size_t)(off - w->off);
        w->chain = chain;
        return HDB_OK;
    }
    hdb__buf_reset(&w->buf);
    int rc = w->vfs->truncate(w->f, off);
    if (rc == HDB_OK && w->cfg.sync != HDB_SYNC_OFF)
        rc = w->vfs->sync(w->f);
    if (rc != HDB_OK) {
        w->err = HDB_IOERR; /* invariant 4: sticky */
        return w->err;
    }
    w->off = off;
    w->chain = chain;
    return HDB_OK;
}

int hdb__wal_rewind(hdb_wal *w, const hdb_wal_pos *pos)
{
    if (!w->in_txn)
        return HDB_OK;
    if (pos->off == 0)
        return cut(w, w->txn_off, w->txn_chain);
    return cut(w, pos->off, pos->chain);
}

void hdb__wal_abort(hdb_wal *w)
{
    if (w->in_txn)
        (void)cut(w, w->txn_off, w->txn_chain);
    w->in_txn = 0;
}

static int64_t now_us(hdb_wal *w) { return w->cfg.clock_us ? w->cfg.clock_us(w->cfg.clock_ctx) : 0; }

/* Durability after a commit was written (invariant 3). */
static int commit_sync(hdb_wal *w, uint64_t bytes)
{
    w->unsynced += bytes;
    if (w->cfg.sync == HDB_SYNC_OFF)
        return HDB_OK;
    if (w->cfg.sync == HDB_SYNC_NORMAL) {
        int64_t now = now_us(w);
        if (w->unsynced == bytes)
            w->unsynced_since = now;
        if (w->unsynced < NORMAL_BYTES && now - w->unsynced_since < NORMAL_US)
            return HDB_OK;
    }
    int rc = w->vfs->sync(w->f);
    if (rc == HDB_OK)
        w->unsynced = 0;
    return rc;
}

int hdb__wal_commit(hdb_wal *w, uint64_t lsn, int64_t time_us, const void *extra, size_t n)
{
    uint8_t c[16];
    if (lsn != w->last_lsn + 1)
        return HDB_MISUSE;
    int rc = txn_start(w);
    if (rc != HDB_OK)
        return rc;
    hdb__put64(c, lsn);
    hdb__put64(c + 8, (uint64_t)time_us);
    uint64_t start = w->txn_off;
    rc = add_frame(w, HDB_WAL_COMMIT, 0, c, 16, extra, n);
    if (rc == HDB_OK)
        rc = write_buf(w);
    if (rc == HDB_OK)
        rc = commit_sync(w, w->off - start);
    if (rc != HDB_OK) {
        (void)cut(w, w->txn_off, w->txn_chain);
        w->in_txn = 0;
        return rc == HDB_NOMEM ? rc : (rc == HDB_FULL ? HDB_FULL : HDB_IOERR);
    }
    w->in_txn = 0;
    w->last_lsn = lsn;
    hdb_wal_seg_info *s = &w->seg[w->nseg - 1];
    s->last_lsn = lsn;
    s->bytes = w->off;
    if (w->off >= w->cfg.segment_bytes)
        w->rotate = 1;
    return HDB_OK;
}

int hdb__wal_sync(hdb_wal *w)
{
    if (w->err)
        return w->err;
    if (!w->unsynced || !w->f)
        return HDB_OK;
    int rc = w->vfs->sync(w->f);
    if (rc == HDB_OK)
        w->unsynced = 0;
    return rc;
}

uint64_t hdb__wal_last_lsn(const hdb_wal *w) { return w->last_lsn; }
uint64_t hdb__wal_appended(const hdb_wal *w) { return w->appended; }
uint64_t hdb__wal_oldest_base(const hdb_wal *w) { return w->nseg ? w->seg[0].base_lsn : w->last_lsn; }

uint64_t hdb__wal_bytes(const hdb_wal *w)
{
    uint64_t n = 0;
    for (size_t i = 0; i < w->nseg; i++)
        n += w->seg[i].bytes;
    return n;
}

int hdb__wal_segments(hdb_wal *w, hdb_wal_seg_info **out, size_t *n)
{
    *out = hdb__memdup(w->cfg.mem, w->seg, (w->nseg ? w->nseg : 1) * sizeof *w->seg);
    *n = w->nseg;
    return *out ? HDB_OK : HDB_NOMEM;
}

int hdb__wal_prune(hdb_wal *w, uint64_t lsn)
{
    char path[HDB_WAL_PATH];
    size_t keep = 0;
    /* Whole segments from the front, never the current (last) one. */
    while (keep + 1 < w->nseg && w->seg[keep].last_lsn <= lsn && w->seg[keep + 1].base_lsn <= lsn)
        keep++;
    for (size_t i = 0; i < keep; i++) {
        hdb__wal_seg_name(w, w->seg[i].seq, path, sizeof path);
        int rc = w->vfs->remove(w->vfs, path);
        if (rc != HDB_OK && rc != HDB_NOTFOUND) {
            if (i)
                memmove(w->seg, w->seg + i, (w->nseg - i) * sizeof *w->seg);
            w->nseg -= i;
            return rc;
        }
    }
    if (keep)
        memmove(w->seg, w->seg + keep, (w->nseg - keep) * sizeof *w->seg);
    w->nseg -= keep;
    return HDB_OK;
}
