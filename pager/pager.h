/*
** pager.h — the page cache, page allocation, reference counts and the meta.
**
** WHAT IT IS
**   The pager owns the database file.  It hands out pinned pages from a
**   cache with a byte budget, reads and verifies pages from the file,
**   allocates pages from the reference-count map (refmap.h), keeps the undo
**   information that makes a write transaction abortable, and writes
**   checkpoints: every dirty page, then the map, then a meta slot.
**
** THE META (pages 1 and 2, alternating; the valid one with the highest
** checkpoint sequence wins)
**   OFFSET SIZE DESCRIPTION
**        0   24 common page header (page.h); type HDB_PT_META, birth = the
**               checkpoint LSN
**       24    8 checkpoint sequence number (+1 per checkpoint)
**       32    8 checkpoint LSN: every commit up to it is in the tree
**       40    8 time of that commit (µs)
**       48    4 next_pgno: pages at or above it have never been allocated
**       52   12 registry root (u32 pgno, u64 birth), the branch registry
**       64   12 history root (u32 pgno, u64 birth), the retained history
**       76    4 reserved, zero
**       80  128 engine area: counters owned by the engine (src/engine.h)
**      208    - zero
**
** INVARIANTS
**   1. A page reachable from the durable meta is never written until a later
**      meta no longer reaches it and is itself durable (copy-on-write).
**   2. A page is modified in place only while it is private to the open
**      write transaction: born in it (birth == the transaction's LSN) and
**      not older than its latest savepoint (hdb__pager_writable()).
**   3. A page whose count falls to 0 during a transaction becomes reusable
**      only after the commit, and then:
**        - at once if it was born in that transaction;
**        - else once no reader's snapshot predates the freeing commit, and,
**          if it was born at or before the durable checkpoint, once a later
**          checkpoint is durable.
**      Until then it is "pending" and the allocator never returns it.
**   4. Every count change of a write transaction is undoable: the pager
**      keeps an undo log (pgno, old count) from hdb__pager_begin() to
**      commit, and savepoints are positions in it.
**   5. A dirty page may be evicted at any time: it is written to its own
**      place (never reachable from the durable meta, by 1) or, for a map
**      page, to the map slot the durable meta does not use.
**   6. All I/O errors during writes make the pager sticky-failed: every later
**      write call returns the error until close.
**
** STATE
**   IDLE --begin--> WRITER --commit/abort--> IDLE
**   any --write I/O error--> FAILED (until hdb__pager_close)
**   Readers never change the state; they register their snapshot LSN.
**
** THREADS
**   One mutex guards the cache, the allocator and the counts.  Any thread
**   may get/put pages; only the writer thread calls the write functions.
**   A page is read from the file with the mutex released: its frame is
**   pinned and in the hash, not yet loaded, and another thread that wants
**   the same page waits for it; so one thread's read never stalls the
**   others' cache hits or reads.
*/
#ifndef HDB_PAGER_H
#define HDB_PAGER_H

#include <stddef.h>
#include <stdint.h>
#include "heliosdb.h"
#include "pager/page.h"

#define HDB_META_ENGINE_SIZE 128

typedef struct hdb_pager hdb_pager;

/* A pinned cache frame.  `data` is the page (P bytes).  The other fields
 * are private to pager.c. */
typedef struct hdb_page {
    uint8_t *data;
    hdb_pgno pgno;
    /* private */
    int pin;
    uint8_t dirty, is_map, loaded; /* loaded == 0 in the hash: being read */
    uint8_t young;                 /* in the LRU's young part (cache.c) */
    int ioerr;                     /* the error of a read that failed */
    unsigned gen;
    uint64_t stamp; /* young: p->clock at its move to the front; old: p->ins
                       at its entry in the old part (cache.c) */
    struct hdb_page *hnext, *lprev, *lnext; /* hnext: the spare list */
} hdb_page;

typedef struct hdb_meta {
    uint64_t ckpt_seq;
    uint64_t ckpt_lsn;
    int64_t ckpt_time_us;
    hdb_pgno next_pgno;
    hdb_ref registry;
    hdb_ref history;
    uint8_t engine[HDB_META_ENGINE_SIZE];
} hdb_meta;

typedef struct hdb_pager_cfg {
    const hdb_vfs *vfs;
    const hdb_allocator *mem;
    const char *path;
    unsigned page_size; /* for a new file */
    size_t cache_bytes;
    int read_only;
    int create;
    int64_t now_us;     /* creation time for a new file */
    uint64_t salt;      /* random, for a new file */
} hdb_pager_cfg;

/* A savepoint of the write transaction. */
typedef struct hdb_pager_sp {
    size_t undo, freed;
    unsigned gen;
} hdb_pager_sp;

typedef struct hdb_pager_stats {
    uint64_t page_reads, page_writes, cache_hits, evictions;
    uint64_t cache_bytes, cache_frames, dirty_frames;
    uint64_t file_pages, live_pages, free_pages, pending_pages;
    uint64_t checkpoints;
} hdb_pager_stats;

/* Open or create the file.  *created is set when a new file was made.
 * Errors: HDB_NOTFOUND, HDB_CORRUPT (bad header, no valid meta), HDB_IOERR,
 * HDB_BUSY (locked by another process), HDB_NOMEM, HDB_MISUSE (page size). */
int hdb__pager_open(const hdb_pager_cfg *cfg, hdb_pager **out, int *created);
/* Close without writing anything (the engine checkpoints first). */
void hdb__pager_close(hdb_pager *p);

unsigned hdb__pager_page_size(const hdb_pager *p);
/* Frames the cache holds at most. */
size_t hdb__pager_cache_frames(const hdb_pager *p);
/* The salt in the file header (page 0): random per database file. */
uint64_t hdb__pager_db_salt(const hdb_pager *p);
/* The meta of the last durable checkpoint. */
const hdb_meta *hdb__pager_meta(const hdb_pager *p);
/* HDB_OK, or the sticky error. */
int hdb__pager_error(const hdb_pager *p);
/* Record a corruption detail and return HDB_CORRUPT (any layer may call it). */
int hdb__pager_corrupt(hdb_pager *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A description of the last error (corruption detail); borrowed. */
const char *hdb__pager_errmsg(const hdb_pager *p);

/* Get a page, pinned.  The page is read and verified (checksum, own number,
 * and birth when ref.birth != 0) if it is not cached.  HDB_CORRUPT with a
 * message (hdb__pager_errmsg) when verification fails. */
int hdb__pager_get(hdb_pager *p, hdb_ref ref, hdb_page **out);
/* The same, for a page the caller reads once (a diff, a scan): read from
 * the file, it enters the cache at its cold end and is the first frame
 * evicted once unpinned, so that it displaces neither the working set nor
 * dirty pages (which would cost writes); cached, it keeps its place. */
int hdb__pager_get_cold(hdb_pager *p, hdb_ref ref, hdb_page **out);
/* Unpin.  NULL is a no-op. */
void hdb__pager_put(hdb_pager *p, hdb_page *pg);
/* Unpin the n pages put[] (NULLs skipped), then hdb__pager_get(ref): one
 * taking of the mutex for a cursor that moves to another page.  The pages
 * are unpinned whatever the get returns. */
int hdb__pager_put_get(hdb_pager *p, hdb_page *const *put, int n, hdb_ref ref, hdb_page **out);
/* Unpin the n pages put[] (NULLs skipped), taking the mutex once. */
void hdb__pager_put_n(hdb_pager *p, hdb_page *const *put, int n);
/* Pin one more time (for a second holder of the same page). */
void hdb__pager_pin(hdb_pager *p, hdb_page *pg);

/* --- write transaction (one at a time) --- */
int hdb__pager_begin(hdb_pager *p, uint64_t lsn);
uint64_t hdb__pager_txn_lsn(const hdb_pager *p);
int hdb__pager_in_txn(const hdb_pager *p);
/* May pg be modified in place (invariant 2)? */
int hdb__pager_writable(const hdb_pager *p, const hdb_page *pg);
/* Declare that a writable page is about to change, so that the cache writes
 * it before dropping the frame.  Every in-place change needs this, also of a
 * page allocated earlier in the transaction: its frame may have been written
 * out (and marked clean) since. */
void hdb__pager_dirty(hdb_pager *p, hdb_page *pg);
/* Savepoints nest: rollback_to keeps sp open and forgets those above it;
 * release forgets sp and those above it. */
int hdb__pager_savepoint(hdb_pager *p, hdb_pager_sp *sp);
void hdb__pager_rollback_to(hdb_pager *p, const hdb_pager_sp *sp);
void hdb__pager_release(hdb_pager *p, const hdb_pager_sp *sp);
void hdb__pager_commit(hdb_pager *p);
void hdb__pager_abort(hdb_pager *p);

/* Allocate a page: count 1, zeroed, common header set (type, pgno, birth =
 * transaction LSN), pinned and private.  HDB_FULL when the file cannot grow
 * (2^32 pages). */
int hdb__pager_alloc(hdb_pager *p, unsigned type, hdb_page **out);

/* Reference counts (write transaction only).  hdb__pager_decr() returns the
 * new count in *left; at 0 the page is freed (invariant 3) and the caller
 * releases what the page pointed to, if anything. */
int hdb__pager_rc(hdb_pager *p, hdb_pgno pgno, uint32_t *count);
int hdb__pager_incr(hdb_pager *p, hdb_pgno pgno);
/* hdb__pager_incr of n pages under one lock (the children of a page
 * copied from a shared one).  On an error the pages before it are counted. */
int hdb__pager_incr_many(hdb_pager *p, const hdb_pgno *v, size_t n);
int hdb__pager_decr(hdb_pager *p, hdb_ref ref, uint32_t *left);

/* Readers register the LSN of their snapshot for as long as they read. */
int hdb__pager_reader_add(hdb_pager *p, uint64_t lsn);
void hdb__pager_reader_remove(hdb_pager *p, uint64_t lsn);

/* Checkpoint: write every dirty page and map page, sync, write the meta `m`
 * (its seq and next_pgno are filled in here) to the other slot, sync.
 * Must not be called inside a write transaction. */
int hdb__pager_checkpoint(hdb_pager *p, const hdb_meta *m);
/* Bytes of dirty pages held in the cache (for checkpoint triggers). */
uint64_t hdb__pager_dirty_bytes(const hdb_pager *p);

void hdb__pager_stats(hdb_pager *p, hdb_pager_stats *out);

/* --- for the integrity check --- */
/* Is pgno a page that can hold data (not the header, a meta or a map slot)? */
int hdb__pager_is_data_page(const hdb_pager *p, hdb_pgno pgno);
/* One past the highest page number allocated so far. */
hdb_pgno hdb__pager_next_pgno(const hdb_pager *p);
/* Is a page free-but-pending (invariant 3)? */
int hdb__pager_is_pending(hdb_pager *p, hdb_pgno pgno);

#endif
