/*
** wal.h — the write-ahead log: segment files of checksummed logical records.
**
** WHAT IT IS
**   The log of a database NAME is the directory NAME-wal/ holding segment
**   files named by their sequence number in 16 lowercase hex digits
**   ("0000000000000001", ...).  A commit appends the records of one
**   transaction and then one commit record carrying the transaction's LSN and
**   wall-clock time.  The log is logical: the payload of a record is opaque
**   here; the engine defines record types 1..254 and their encoding.
**
** SEGMENT HEADER (64 bytes, little-endian)
**   OFFSET SIZE DESCRIPTION
**        0    8 magic "HDBLOG\0\1"
**        8    4 format version (1)
**       12    4 header size (64)
**       16    8 segment number (equals the file name)
**       24    8 salt: random, chosen when the segment is created
**       32    8 base LSN: every commit in this segment has an LSN > base
**       40    8 creation time (µs since 1970, from the engine's clock)
**       48    8 owner: the salt of the database file the log belongs to
**               (page.h, file header); 0 = not recorded (logs written
**               before it was), and then not checked
**       56    8 XXH64 of bytes 0..55 (seed 0)
**
** RECORD FRAME (follows the header, frames back to back)
**   OFFSET SIZE DESCRIPTION
**        0    4 n: stored payload length
**        4    1 type (1..254 engine records; 255 = commit)
**        5    1 flags: bit 0 = payload is lz4-compressed, and then begins
**                with a u32 of the uncompressed length
**        6    2 reserved, zero
**        8    n payload
**      8+n    8 checksum: XXH64 of bytes 0..8+n-1 of this frame, seeded
**               with the previous frame's checksum in the segment (the first
**               frame is seeded with the salt)
**   A commit frame's payload: u64 LSN, i64 time (µs), then engine bytes.
**
** INVARIANTS
**   1. A transaction's frames are all in one segment and end with its commit
**      frame; LSNs of commits increase by exactly 1 through the whole log.
**   2. Recovery stops at the first frame whose checksum does not match (the
**      torn tail); frames after the last valid commit frame are never passed
**      to the engine and are truncated away (unless read-only).  A later
**      segment whose base LSN is not the last valid LSN is HDB_CORRUPT (a
**      hole in the log, not a torn tail).
**   3. HDB_SYNC_FULL: hdb__wal_commit() returns after one fsync of the
**      segment (plus one of the directory when the segment is new).
**      HDB_SYNC_NORMAL: commits are written to the OS at once and fsynced
**      together when 1 MiB or 50 ms of unsynced commits have built up, and
**      by hdb__wal_sync().  HDB_SYNC_OFF: fsync only by hdb__wal_sync().
**      In every mode, a segment holding unsynced commits is fsynced (and the
**      directory, if the segment is new) before the next segment is
**      started: otherwise a power loss could keep the later segment and
**      lose the end of the earlier one, a hole by invariant 2.
**   4. A failed write or fsync during a commit rewinds the log to the start
**      of the transaction (truncate + fsync) and returns the error; if that
**      rewind fails too, the log is sticky-failed: every later call returns
**      HDB_IOERR until it is closed.
**   5. Segments rotate only between transactions: a commit that leaves the
**      current segment above segment_bytes makes the next transaction start
**      a new segment.
**
** SEGMENT SIZE (cfg.prealloc)
**   With prealloc, the segment appended to is extended to segment_bytes
**   (sparse: its end reads as zeros) when its first transaction starts, so
**   that a commit writes inside the file and its fsync need not also make a
**   new file size durable (on ext4 without a journal that is a second write
**   per commit).  Zeros after the last commit end a scan as a torn tail
**   does (invariant 2).  The extension is cut off again before the next
**   segment is started, at hdb__wal_close() and by a rewind that truncates,
**   so every segment but the last one being appended to ends at its last
**   commit.  An extension that fails is not an error: the segment then grows
**   commit by commit.
*/
#ifndef HDB_WAL_H
#define HDB_WAL_H

#include <stddef.h>
#include <stdint.h>
#include "heliosdb.h"

#define HDB_WAL_COMMIT 255

typedef struct hdb_wal hdb_wal;

typedef struct hdb_wal_cfg {
    const hdb_vfs *vfs;
    const hdb_allocator *mem;
    const char *dir;          /* the log directory; created if missing (unless read_only) */
    int sync;                 /* HDB_SYNC_FULL, HDB_SYNC_NORMAL, HDB_SYNC_OFF */
    int read_only;            /* never write, create or truncate */
    uint64_t segment_bytes;   /* 0 = default 4 MiB */
    int prealloc;             /* give a segment segment_bytes at once (SEGMENT SIZE) */
    size_t compress_min;      /* payloads of at least this many bytes are lz4-compressed
                                 when that saves space; 0 = default 256 */
    int64_t (*clock_us)(void *ctx); /* for segment creation times and NORMAL's 50 ms */
    void *clock_ctx;
    uint64_t owner;           /* written into every new segment's header; a segment
                                 whose recorded owner differs is HDB_CORRUPT at open
                                 (0 = none: nothing written or checked) */
} hdb_wal_cfg;

/* One record handed to a reader.  data is borrowed until the callback returns. */
typedef struct hdb_wal_rec {
    uint8_t type;
    const uint8_t *data;
    size_t size;
} hdb_wal_rec;

/* One commit record.  extra is borrowed until the callback returns. */
typedef struct hdb_wal_commit {
    uint64_t lsn;
    int64_t time_us;
    const uint8_t *extra;
    size_t extra_size;
} hdb_wal_commit;

typedef int (*hdb_wal_rec_fn)(void *ctx, const hdb_wal_rec *r);
typedef int (*hdb_wal_commit_fn)(void *ctx, const hdb_wal_commit *c);

/* Where the log stands, for savepoints and rollback. */
typedef struct hdb_wal_pos {
    uint64_t seg, off, chain;
} hdb_wal_pos;

/* One segment as listed by hdb__wal_segments(). */
typedef struct hdb_wal_seg_info {
    uint64_t seq, base_lsn, last_lsn, bytes;
    int64_t created_us;
} hdb_wal_seg_info;

/* Open the log (does not read the records yet: call hdb__wal_recover).
 * cfg is copied, cfg->dir too.  HDB_OK, HDB_IOERR, HDB_CORRUPT (a segment
 * header is damaged, or names another owner), HDB_NOMEM. */
int hdb__wal_open(const hdb_wal_cfg *cfg, hdb_wal **out);
void hdb__wal_close(hdb_wal *w);

/* Recovery: pass every committed transaction with LSN > after_lsn, in order:
 * rec() for each of its records, then commit() for its commit.  On return
 * the log is ready to append after the last valid commit (the torn tail is
 * truncated unless read_only).  *last_lsn receives the LSN of the last valid
 * commit in the log (after_lsn if none is newer).  The first non-OK callback
 * result stops the scan and is returned.  If the log has no segment yet, one
 * is created with base LSN after_lsn.  Returns HDB_OK, HDB_CORRUPT (hole,
 * LSN gap, or the log does not reach back to after_lsn + 1 while holding
 * later commits), HDB_IOERR, HDB_NOMEM. */
int hdb__wal_recover(hdb_wal *w, uint64_t after_lsn, hdb_wal_rec_fn rec,
                     hdb_wal_commit_fn commit, void *ctx, uint64_t *last_lsn);

/* Append one record of the current transaction; payload = a||b (either may
 * be empty).  Records are buffered and written as the buffer fills.
 * HDB_OK, HDB_IOERR, HDB_FULL, HDB_NOMEM, HDB_RANGE (payload > 1 GiB). */
int hdb__wal_append(hdb_wal *w, uint8_t type, const void *a, size_t an, const void *b,
                    size_t bn);

/* Savepoints: hdb__wal_mark() records the current position inside the
 * transaction; hdb__wal_rewind() drops every record appended after it. */
void hdb__wal_mark(hdb_wal *w, hdb_wal_pos *pos);
int hdb__wal_rewind(hdb_wal *w, const hdb_wal_pos *pos);

/* Drop every record of the current transaction. */
void hdb__wal_abort(hdb_wal *w);

/* Commit: append the commit frame (lsn, time_us, extra) and make it durable
 * according to the sync mode.  lsn must be the last LSN + 1 (HDB_MISUSE
 * otherwise).  On failure nothing of the transaction remains (invariant 4). */
int hdb__wal_commit(hdb_wal *w, uint64_t lsn, int64_t time_us, const void *extra, size_t n);

/* Make every commit so far durable (fsync if anything is unsynced). */
int hdb__wal_sync(hdb_wal *w);

/* Read committed transactions with after_lsn < LSN <= upto_lsn from the
 * retained segments (for point-in-time branches).  HDB_RANGE if the log no
 * longer holds LSN after_lsn + 1. */
int hdb__wal_read(hdb_wal *w, uint64_t after_lsn, uint64_t upto_lsn, hdb_wal_rec_fn rec,
                  hdb_wal_commit_fn commit, void *ctx);

/* Delete whole segments all of whose commits have LSN <= lsn; never the
 * segment being appended to. */
int hdb__wal_prune(hdb_wal *w, uint64_t lsn);

/* The LSN after which the oldest retained segment starts (its base LSN). */
uint64_t hdb__wal_oldest_base(const hdb_wal *w);
/* LSN of the last commit written. */
uint64_t hdb__wal_last_lsn(const hdb_wal *w);
/* Bytes in all segments. */
uint64_t hdb__wal_bytes(const hdb_wal *w);
/* Bytes appended by this handle since it was opened (monotonic; for
 * checkpoint triggers). */
uint64_t hdb__wal_appended(const hdb_wal *w);

/* A returned-owned array (free with the cfg allocator) of the segments. */
int hdb__wal_segments(hdb_wal *w, hdb_wal_seg_info **out, size_t *n);

#endif
