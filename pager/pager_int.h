/*
** pager_int.h — the pager's private state, shared by pager.c, cache.c,
** refmap.c and ckpt.c.  Nothing outside pager/
** includes this file.
*/
#ifndef HDB_PAGER_INT_H
#define HDB_PAGER_INT_H

#include <pthread.h>
#include "pager/buf.h"
#include "pager/mem.h"
#include "pager/pager.h"
#include "pager/refmap.h"
#include "pager/u32set.h"

typedef struct hdb_undo {
    hdb_pgno pgno;
    uint32_t old;
} hdb_undo;

typedef struct hdb_freed {
    hdb_pgno pgno;
    uint64_t birth;
} hdb_freed;

typedef struct hdb_pending {
    hdb_pgno pgno;
    uint64_t freed_lsn;
} hdb_pending;

/* A FIFO of pending pages, in freeing order. */
typedef struct hdb_pqueue {
    hdb_pending *v;
    size_t head, n, cap;
} hdb_pqueue;

typedef struct hdb_spinfo {
    size_t undo, freed;
    unsigned gen;
} hdb_spinfo;

/* A slot of the cache's hash: a frame and its page number, so that a probe
 * reads no frame but the one it finds (pg == NULL: empty). */
typedef struct hdb_hent {
    hdb_pgno pgno;
    hdb_page *pg;
} hdb_hent;

struct hdb_pager {
    const hdb_vfs *vfs;
    hdb_file *file;
    const hdb_allocator *mem;
    unsigned psize;
    int read_only;
    pthread_mutex_t mu;
    pthread_cond_t loaded_cv; /* a frame's read ended (see get_locked) */
    unsigned load_waiters;
    int err;            /* sticky write error */
    char errmsg[200];

    hdb_meta meta;      /* durable */
    int meta_slot;      /* 1 or 2: where `meta` lives */
    hdb_pgno next_pgno; /* high-water mark now (>= meta.next_pgno) */

    /* cache */
    hdb_hent *hash; /* open addressing on the page number (cache.c, HASH) */
    size_t hmask;
    hdb_page lru; /* sentinel: lnext = most recently used */
    hdb_page mid; /* sentinel between the young and the old part (cache.c) */
    size_t nyoung; /* frames before `mid` */
    uint64_t clock; /* moves to the LRU's front so far (cache.c, TOUCHES) */
    uint64_t ins;   /* pages entered in the old part so far (cache.c, MIDPOINT) */
    size_t nframes, max_frames, ndirty;
    hdb_page *spare; /* unused frames, linked by hnext */
    struct hdb_slab *slabs; /* the frames' memory (cache.c, SLABS) */
    uint8_t *fresh;         /* the newest slab: fresh_k frames, fresh_i used */
    size_t fresh_k, fresh_i;

    /* map */
    uint32_t per_map;
    uint8_t *rstate;
    size_t nregions; /* entries of rstate */

    /* allocation */
    hdb_pgno *free_now;
    size_t nfree_now, free_cap;
    hdb_pgno scan_next;  /* where the free-page scan continues */
    int scan_dry;        /* the last full scan found nothing; no page freed since */
    hdb_pqueue pend_ckpt; /* waiting for a checkpoint (and readers) */
    hdb_pqueue pend_read; /* waiting for readers only */
    hdb_u32set pending;   /* every page not reusable yet though its count is 0 */
    uint64_t live_pages;

    /* write transaction */
    int in_txn;
    uint64_t txn_lsn;
    unsigned gen;
    hdb_undo *undo;
    size_t nundo, undo_cap;
    hdb_freed *freed;
    size_t nfreed, freed_cap;
    hdb_spinfo *sp;
    size_t nsp, sp_cap;
    uint64_t db_salt;     /* the file header's salt: who the log belongs to (engine.c) */
    hdb_u32set spilled;   /* writable pages evicted since the latest savepoint (pager.c) */

    /* readers: snapshot LSNs of open read transactions */
    uint64_t *readers;
    size_t nreaders, readers_cap;

    hdb_pager_stats st;
};

/* pager.c */
int hdb__pager_fail(hdb_pager *p, int rc, const char *fmt, ...);
void hdb__pager_release_pending(hdb_pager *p);
uint64_t hdb__pager_min_reader(const hdb_pager *p);

/* cache.c — all with p->mu held */
hdb_page *hdb__cache_find(hdb_pager *p, hdb_pgno pgno);
int hdb__cache_new(hdb_pager *p, hdb_pgno pgno, int is_map, hdb_page **out);
void hdb__pager_note_evicted(hdb_pager *p, const hdb_page *pg); /* pager.c, SPILLED PAGES */
/* The same, at the cold end of the LRU when cold != 0 (cache.c, COLD READS). */
int hdb__cache_new_at(hdb_pager *p, hdb_pgno pgno, int is_map, int cold, hdb_page **out);
void hdb__cache_touch(hdb_pager *p, hdb_page *pg);
void hdb__cache_init_lru(hdb_pager *p); /* an empty LRU, with its midpoint */
void hdb__cache_drop(hdb_pager *p, hdb_page *pg); /* unpinned frame out of the cache */
int hdb__cache_write(hdb_pager *p, hdb_page *pg); /* write a dirty frame to its place */
void hdb__cache_free_all(hdb_pager *p);
int hdb__page_read(hdb_pager *p, hdb_pgno pgno, uint8_t *buf);
/* hdb__page_read in two halves: the read and its checks, which touch no
 * shared state (callable without the mutex), then, with the mutex held,
 * the count and the error message (*bad as set by the first half). */
int hdb__page_fetch(const hdb_pager *p, hdb_pgno pgno, uint8_t *buf, int *bad);
int hdb__page_fetched(hdb_pager *p, hdb_pgno pgno, const uint8_t *buf, int rc, int bad);
int hdb__page_write(hdb_pager *p, hdb_pgno pgno, uint8_t *buf);
void hdb__cache_mark_dirty(hdb_pager *p, hdb_page *pg);
void hdb__cache_mark_clean(hdb_pager *p, hdb_page *pg);
int hdb__cache_frame_dead(hdb_pager *p, hdb_page *pg);

/* refmap.c — all with p->mu held */
int hdb__map_is_slot(const hdb_pager *p, hdb_pgno pgno);
size_t hdb__map_region(const hdb_pager *p, hdb_pgno pgno);
hdb_pgno hdb__map_slot_a(const hdb_pager *p, size_t region);
int hdb__map_count(hdb_pager *p, hdb_pgno pgno, uint32_t *count);
uint32_t hdb__map_count_in(const hdb_pager *p, const hdb_page *map, hdb_pgno pgno);
int hdb__map_set(hdb_pager *p, hdb_pgno pgno, uint32_t count);
/* Add one to pgno's count unless it is 0 or at its limit (*old is the count
 * before).  *m is a pinned map frame kept between calls (NULL at first; the
 * caller unpins it at the end). */
int hdb__map_bump(hdb_pager *p, hdb_pgno pgno, hdb_page **m, uint32_t *old);
int hdb__map_load(hdb_pager *p, size_t region, uint8_t *buf);
int hdb__map_write_slot(hdb_pager *p, hdb_page *pg, uint64_t seq);
int hdb__map_scan_open(hdb_pager *p);
int hdb__map_find_free(hdb_pager *p, hdb_pgno *out);
int hdb__map_grow_regions(hdb_pager *p, size_t nregions);
void hdb__map_checkpointed(hdb_pager *p);
int hdb__map_force_dirty(hdb_pager *p);
void hdb__pager_meta_encode(const hdb_pager *p, const hdb_meta *m, int slot, uint8_t *buf);

#endif
