/*
** wal_seg.c — segment files: names, the 64-byte header (layout in wal.h),
** the listing at open, creation, pruning, and the segment list.
**
** TORN NEW SEGMENTS
**   A new segment's header is written at once but fsynced only with the
**   first commit in it (or by hdb__wal_sync()).  A power loss before that
**   can leave the newest segment shorter than a header, or with a header of
**   zeros (the size reached the disk, the data did not).  Such a segment
**   holds no commit: hdb__wal_open() sets it aside and recovery deletes it.
**   Any other damaged header is HDB_CORRUPT.
**
** LEFTOVERS OF A PRUNE
**   hdb__wal_prune() removes the oldest segments one by one without an
**   fsync of the directory, so after a power loss some of them may come
**   back while a later one stays removed.  Recovery takes the segments
**   before a gap in the sequence numbers for such leftovers when the
**   segment after the gap starts at or before the checkpoint (after_lsn):
**   they are deleted.  Otherwise the gap is a hole: HDB_CORRUPT.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "wal/wal_int.h"

void hdb__wal_seg_path(const hdb_wal *w, uint64_t seq, char *out, size_t n)
{
    snprintf(out, n, "%s/%016llx", w->dir, (unsigned long long)seq);
}

int hdb__wal_open_segment(hdb_wal *w, size_t i, int flags, hdb_file **f, uint64_t *size)
{
    char path[HDB_WAL_PATH];
    hdb__wal_seg_path(w, w->seg[i].seq, path, sizeof path);
    int rc = w->cfg.vfs->open(w->cfg.vfs, path, flags, f);
    if (rc != HDB_OK)
        return rc == HDB_NOTFOUND ? HDB_CORRUPT : rc;
    if ((rc = w->cfg.vfs->size(*f, size)) != HDB_OK) {
        w->cfg.vfs->close(*f);
        *f = NULL;
    }
    return rc;
}

static int grow(hdb_wal *w)
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

/* Remove segments [0, k) from the list, and their files unless read only. */
static int drop_front(hdb_wal *w, size_t k)
{
    char path[HDB_WAL_PATH];
    size_t i = 0;
    int rc = HDB_OK;
    for (; i < k && !w->cfg.read_only; i++) {
        hdb__wal_seg_path(w, w->seg[i].seq, path, sizeof path);
        rc = w->cfg.vfs->remove(w->cfg.vfs, path);
        if (rc == HDB_NOTFOUND)
            rc = HDB_OK;
        if (rc != HDB_OK)
            break;
    }
    if (w->cfg.read_only)
        i = k;
    memmove(w->seg, w->seg + i, (w->nseg - i) * sizeof *w->seg);
    w->nseg -= i;
    return rc;
}

/* ------------------------------------------------------------------------
** The header
*/
static void header_put(uint8_t *h, uint64_t seq, uint64_t salt, uint64_t base, int64_t now,
                       uint64_t owner)
{
    memset(h, 0, HDB_WAL_HDR);
    memcpy(h, HDB_WAL_MAGIC, 8);
    hdb__put32(h + 8, HDB_WAL_VERSION);
    hdb__put32(h + 12, HDB_WAL_HDR);
    hdb__put64(h + 16, seq);
    hdb__put64(h + 24, salt);
    hdb__put64(h + 32, base);
    hdb__put64(h + 40, (uint64_t)now);
    hdb__put64(h + 48, owner);
    hdb__put64(h + 56, XXH64(h, 56, 0));
}

int hdb__wal_header_parse(const uint8_t *h, uint64_t seq, hdb_wal_seg_info *si, uint64_t *salt)
{
    if (memcmp(h, HDB_WAL_MAGIC, 8) || hdb__get32(h + 8) != HDB_WAL_VERSION ||
        hdb__get32(h + 12) != HDB_WAL_HDR || hdb__get64(h + 16) != seq ||
        hdb__get64(h + 56) != XXH64(h, 56, 0))
        return HDB_CORRUPT;
    si->seq = seq;
    si->base_lsn = hdb__get64(h + 32);
    si->created_us = (int64_t)hdb__get64(h + 40);
    *salt = hdb__get64(h + 24);
    return HDB_OK;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* Read and check segment i's header; *torn: it never reached the disk. */
static int load_header(hdb_wal *w, size_t i, int *torn)
{
    uint8_t h[HDB_WAL_HDR];
    hdb_file *f;
    uint64_t size, salt;
    size_t got = 0;
    int rc = hdb__wal_open_segment(w, i, HDB_VFS_READONLY, &f, &size);
    if (rc != HDB_OK)
        return rc;
    if (size)
        rc = w->cfg.vfs->read(f, h, sizeof h, 0, &got);
    w->cfg.vfs->close(f);
    *torn = rc == HDB_OK && (got < sizeof h || all_zero(h, sizeof h));
    if (rc != HDB_OK || *torn)
        return rc;
    rc = hdb__wal_header_parse(h, w->seg[i].seq, &w->seg[i], &salt);
    uint64_t owner = hdb__get64(h + 48);
    if (rc == HDB_OK && owner && w->cfg.owner && owner != w->cfg.owner)
        rc = HDB_CORRUPT; /* the log of another database file */
    w->seg[i].last_lsn = w->seg[i].base_lsn;
    w->seg[i].bytes = size;
    return rc;
}

/* ------------------------------------------------------------------------
** The directory and its listing
*/
int hdb__wal_make_dir(hdb_wal *w)
{
    const hdb_vfs *vfs = w->cfg.vfs;
    if (vfs->exists(vfs, w->dir))
        return HDB_OK;
    int rc = vfs->mkdir(vfs, w->dir);
    if (rc != HDB_OK)
        return rc;
    /* A new directory's own entry is durable only once its parent is
     * fsynced: without that, a power loss could take the whole log. */
    const char *slash = strrchr(w->dir, '/');
    size_t n = slash ? (size_t)(slash - w->dir) : 0;
    char *parent = hdb__strndup(w->cfg.mem, slash ? (n ? w->dir : "/") : ".", n ? n : 1);
    if (!parent)
        return HDB_NOMEM;
    rc = vfs->sync_dir(vfs, parent);
    hdb__free(w->cfg.mem, parent);
    return rc;
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
            return HDB_OK; /* not a segment */
        seq = seq << 4 | (uint64_t)d;
    }
    if (seq == 0)
        return HDB_OK;
    int rc = grow(w);
    if (rc == HDB_OK) {
        memset(&w->seg[w->nseg], 0, sizeof *w->seg);
        w->seg[w->nseg++].seq = seq;
    }
    return rc;
}

static int seq_cmp(const void *a, const void *b)
{
    uint64_t x = ((const hdb_wal_seg_info *)a)->seq, y = ((const hdb_wal_seg_info *)b)->seq;
    return x < y ? -1 : x > y;
}

int hdb__wal_load_segments(hdb_wal *w)
{
    const hdb_vfs *vfs = w->cfg.vfs;
    if (!vfs->exists(vfs, w->dir))
        return HDB_OK; /* read only, and no log yet */
    int rc = vfs->list(vfs, w->dir, on_name, w), torn = 0;
    if (rc != HDB_OK)
        return rc;
    if (w->nseg > 1)
        qsort(w->seg, w->nseg, sizeof *w->seg, seq_cmp);
    for (size_t i = 0; i < w->nseg && rc == HDB_OK; i++) {
        rc = load_header(w, i, &torn);
        if (rc == HDB_OK && torn)
            rc = i + 1 == w->nseg ? HDB_OK : HDB_CORRUPT;
        if (rc == HDB_OK && i && w->seg[i - 1].base_lsn >= w->seg[i].base_lsn && !torn)
            rc = HDB_CORRUPT; /* every segment follows a commit in the one before */
    }
    if (rc == HDB_OK && torn)
        w->torn_seq = w->seg[--w->nseg].seq;
    /* Until recovery scans them, a segment's commits are known to end where
     * the next one begins. */
    for (size_t i = 0; rc == HDB_OK && i + 1 < w->nseg; i++)
        w->seg[i].last_lsn = w->seg[i + 1].base_lsn;
    if (rc == HDB_OK && w->nseg)
        w->last_lsn = w->seg[w->nseg - 1].base_lsn;
    return rc;
}

int hdb__wal_tidy_segments(hdb_wal *w, uint64_t after_lsn)
{
    char path[HDB_WAL_PATH];
    int rc = HDB_OK;
    if (w->torn_seq && !w->cfg.read_only) {
        hdb__wal_seg_path(w, w->torn_seq, path, sizeof path);
        rc = w->cfg.vfs->remove(w->cfg.vfs, path);
        if (rc != HDB_OK && rc != HDB_NOTFOUND)
            return rc;
    }
    w->torn_seq = 0;
    for (size_t i = w->nseg; i-- > 1;)
        if (w->seg[i].seq != w->seg[i - 1].seq + 1)
            return w->seg[i].base_lsn > after_lsn ? HDB_CORRUPT : drop_front(w, i);
    return HDB_OK;
}

/* ------------------------------------------------------------------------
** A new segment
*/
static uint64_t new_salt(const hdb_wal *w, uint64_t seq, uint64_t base, int64_t now)
{
    uint8_t seed[32];
    hdb__put64(seed, (uint64_t)now);
    hdb__put64(seed + 8, seq);
    hdb__put64(seed + 16, w->chain);
    hdb__put64(seed + 24, (uint64_t)(uintptr_t)w ^ base);
    return XXH64(seed, sizeof seed, w->appended);
}

/* Create the file of segment seq with its header, not synced. */
static int create_file(hdb_wal *w, uint64_t seq, uint64_t salt, uint64_t base, int64_t now,
                       hdb_file **out)
{
    char path[HDB_WAL_PATH];
    uint8_t h[HDB_WAL_HDR];
    uint64_t size = 0;
    const hdb_vfs *vfs = w->cfg.vfs;
    hdb__wal_seg_path(w, seq, path, sizeof path);
    int rc = vfs->open(vfs, path, HDB_VFS_CREATE, out);
    if (rc != HDB_OK)
        return rc;
    header_put(h, seq, salt, base, now, w->cfg.owner);
    rc = vfs->size(*out, &size);
    if (rc == HDB_OK && size > sizeof h) /* a stale file of that name */
        rc = vfs->truncate(*out, 0);
    if (rc == HDB_OK)
        rc = vfs->write(*out, h, sizeof h, 0);
    if (rc != HDB_OK) {
        vfs->close(*out);
        *out = NULL;
        (void)vfs->remove(vfs, path);
    }
    return rc;
}

int hdb__wal_new_segment(hdb_wal *w, uint64_t base)
{
    hdb_file *f;
    int rc = HDB_OK;
    /* Invariant 3 of wal_int.h: the current segment is durable first, cut
     * to its last commit (wal.h, SEGMENT SIZE). */
    int cut = w->f && w->alloc_end > w->off;
    if (cut)
        rc = hdb__wal_unextend(w);
    if (rc == HDB_OK && w->f && (w->unsynced || w->dir_dirty || cut))
        rc = hdb__wal_sync_now(w);
    if (rc == HDB_OK)
        rc = grow(w);
    if (rc != HDB_OK)
        return rc;
    uint64_t seq = w->nseg ? w->seg[w->nseg - 1].seq + 1 : 1;
    int64_t now = hdb__wal_now(w);
    uint64_t salt = new_salt(w, seq, base, now);
    if ((rc = create_file(w, seq, salt, base, now, &f)) != HDB_OK)
        return rc;
    if (w->f)
        w->cfg.vfs->close(w->f);
    w->f = f;
    hdb_wal_seg_info *s = &w->seg[w->nseg++];
    s->seq = seq;
    s->base_lsn = s->last_lsn = base;
    s->bytes = HDB_WAL_HDR;
    s->created_us = now;
    w->off = w->fsize = HDB_WAL_HDR;
    w->alloc_end = 0;
    w->chain = salt;
    w->rotate = 0;
    w->dir_dirty = 1;
    return HDB_OK;
}

/* ------------------------------------------------------------------------
** Pruning and listing
*/
int hdb__wal_prune(hdb_wal *w, uint64_t lsn)
{
    if (w->err)
        return HDB_IOERR;
    if (w->cfg.read_only)
        return HDB_READONLY;
    size_t k = 0;
    while (k + 1 < w->nseg && w->seg[k].last_lsn <= lsn)
        k++;
    return k ? drop_front(w, k) : HDB_OK;
}

int hdb__wal_segments(hdb_wal *w, hdb_wal_seg_info **out, size_t *n)
{
    *n = 0;
    *out = hdb__malloc(w->cfg.mem, (w->nseg ? w->nseg : 1) * sizeof **out);
    if (!*out)
        return HDB_NOMEM;
    if (w->nseg)
        memcpy(*out, w->seg, w->nseg * sizeof **out);
    *n = w->nseg;
    return HDB_OK;
}

uint64_t hdb__wal_oldest_base(const hdb_wal *w)
{
    return w->nseg ? w->seg[0].base_lsn : w->last_lsn;
}

uint64_t hdb__wal_bytes(const hdb_wal *w)
{
    uint64_t n = 0;
    for (size_t i = 0; i < w->nseg; i++)
        n += w->seg[i].bytes;
    return n;
}
