/*
** wal_int.h — the log handle, shared by the files of wal/:
**   wal.c       the handle, the open transaction, commits, durability
**   wal_seg.c   segment files: names, the header, listing, creation, pruning
**   wal_read.c  scanning frames: recovery and reading the past
**
** THE HANDLE
**   seg[0..nseg) are the retained segments, oldest first (sequence numbers
**   consecutive once recovered); the last one is the segment appended to,
**   open as `f`.  For it, `off` is the file offset where `buf` begins:
**   frames before `off` are in the file, frames from `off` on are still in
**   `buf`.  `fsize` is how far the file may hold bytes (the end of every
**   write tried, even failed ones), so a rewind knows whether it must
**   truncate.  `chain` is the checksum of the last frame (the salt when
**   there is none), which seeds the next frame's checksum.  Read only, `f`
**   is NULL and `off` is only where reads of the last segment stop.
**
** INVARIANTS
**   1. Outside a transaction, buf is empty and off is the end of the last
**      commit (or of the header); fsize == off unless a write failed.
**   2. In a transaction, txn_off/txn_chain are where it began; every frame
**      of it lies in [txn_off, off + buf.len) of the current segment.
**   3. `unsynced` counts bytes of commits written but not yet fsynced;
**      `dir_dirty` says a segment was created since the last fsync of the
**      directory.  Both are zero before a new segment is started (the
**      previous one is made durable first; see wal.h invariant 3).
**   4. err != 0 (sticky failure, wal.h invariant 4): no I/O is attempted
**      any more and every fallible call returns HDB_IOERR, except that
**      hdb__wal_close() tries the failed cut (to cut_at) once more, so that
**      a transaction whose commit failed does not come back at the next
**      recovery when the failure was transient.
*/
#ifndef HDB_WAL_INT_H
#define HDB_WAL_INT_H

#include "pager/buf.h"
#include "pager/bytes.h"
#include "pager/mem.h"
#include "wal/wal.h"

#define HDB_WAL_MAGIC "HDBLOG\0\1"
#define HDB_WAL_VERSION 1
#define HDB_WAL_HDR 64                  /* segment header bytes */
#define HDB_WAL_FRAME 16                /* frame overhead: 8 header + 8 checksum */
#define HDB_WAL_MAX_PAYLOAD (1u << 30)  /* largest payload, stored or raw */
#define HDB_WAL_FLUSH (1u << 20)        /* buffered transaction bytes before a write */
#define HDB_WAL_NORMAL_BYTES (1u << 20) /* HDB_SYNC_NORMAL: fsync after this much */
#define HDB_WAL_NORMAL_US 50000         /* ... or after this long */
#define HDB_WAL_PATH 4200               /* longest segment path */

struct hdb_wal {
    hdb_wal_cfg cfg; /* a copy; cfg.dir points at `dir` */
    char *dir;
    hdb_wal_seg_info *seg;
    size_t nseg, seg_cap;
    uint64_t torn_seq; /* a last segment whose header never reached the disk, 0 if none */
    int recovered;     /* hdb__wal_recover() has run: appends and reads allowed */
    int recovering;    /* inside hdb__wal_recover(): reads allowed up to last_lsn */
    int err;           /* sticky failure */
    uint64_t cut_at;   /* with err: where the failed cut meant to truncate */

    /* the segment appended to */
    hdb_file *f;
    uint64_t off, fsize, chain;
    uint64_t alloc_end; /* prealloc: the file was extended to this size, 0 if not */
    uint64_t last_lsn;
    int rotate;    /* the next transaction starts a new segment */
    int dir_dirty; /* a segment was created since the last sync_dir */

    /* the open transaction */
    int in_txn;
    uint64_t txn_off, txn_chain;
    hdb_buf buf;
    uint8_t *scratch[2]; /* joined payload, compressed payload */
    size_t scratch_cap[2];

    /* durability */
    uint64_t unsynced;
    int64_t unsynced_since;
    uint64_t appended;
};

/* wal.c */
int64_t hdb__wal_now(const hdb_wal *w);
/* Make the current segment (and the directory, if a segment is new) durable. */
int hdb__wal_sync_now(hdb_wal *w);
/* Return the open transaction's memory beyond the usual size to the allocator. */
void hdb__wal_trim(hdb_wal *w);
/* Cut the current segment's extension (wal.h, SEGMENT SIZE) off at `off`. */
int hdb__wal_unextend(hdb_wal *w);

/* wal_seg.c */
void hdb__wal_seg_path(const hdb_wal *w, uint64_t seq, char *out, size_t n);
/* Create the log directory if missing, durably (its parent is fsynced). */
int hdb__wal_make_dir(hdb_wal *w);
/* List the directory and check every header (hdb__wal_open). */
int hdb__wal_load_segments(hdb_wal *w);
/* Drop leftovers of an interrupted prune and a torn new segment (recovery). */
int hdb__wal_tidy_segments(hdb_wal *w, uint64_t after_lsn);
/* Start a new segment with base LSN `base` and make it the current one. */
int hdb__wal_new_segment(hdb_wal *w, uint64_t base);
/* Open segment i (flags as for hdb_vfs.open); *size receives its size.
 * A segment file that has gone is HDB_CORRUPT. */
int hdb__wal_open_segment(hdb_wal *w, size_t i, int flags, hdb_file **f, uint64_t *size);
/* Check a 64-byte header against the segment number; fill si's seq,
 * base_lsn and created_us, and *salt.  HDB_OK or HDB_CORRUPT. */
int hdb__wal_header_parse(const uint8_t *h, uint64_t seq, hdb_wal_seg_info *si, uint64_t *salt);

#endif
