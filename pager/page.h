/*
** page.h — the on-disk page: common header, page types, checksums.
**
** The database file is an array of pages of one size P (a power of two
** from 512 to 65536, fixed at creation).  Page N starts at byte N * P.
** All integers are little-endian (pager/bytes.h).
**
** PAGE 0: THE FILE HEADER (written once, at creation)
**   OFFSET SIZE DESCRIPTION
**        0   16 magic "HeliosDB Nano" followed by three zero bytes
**       16    4 format version (HDB_FORMAT_VERSION).  Version 2 added the
**               size-accounting block of branch records (src/branch.c) and
**               the accounting generation of the meta's engine area; a
**               version 1 file is read, and its header is rewritten as
**               the current version when it is opened for writing (before
**               any other write), so an older library refuses it cleanly.
**               Version 3 added the sequence tree (src/seq.c; its root in
**               the meta's engine area, its log record HDB_REC_SEQ) and the
**               log record of a merged subtree (HDB_REC_KS_GRAFT); older
**               files have neither and are upgraded the same way.
**       20    4 page size P
**       24    8 creation time (µs since 1970)
**       32    8 database salt (random)
**       40    8 XXH3-64 of bytes 0..39
**       48  P-48 zero
**
** EVERY OTHER PAGE: THE COMMON HEADER (24 bytes)
**   OFFSET SIZE DESCRIPTION
**        0    8 checksum: XXH3-64 of bytes 8..P-1, set when the page is
**               written to the file and verified on every read from it
**        8    1 page type (HDB_PT_*)
**        9    1 flags (type-specific)
**       10    2 count (type-specific: cells in a B+tree node)
**       12    4 the page's own number (catches misdirected writes)
**       16    8 birth: the LSN of the commit that wrote the page (for map
**               pages: the checkpoint sequence number, see refmap.h)
**       24  P-24 type-specific
**
** Pages 1 and 2 are the two meta slots (pager.h), then the refcount-map
** regions begin (refmap.h).  B+tree and overflow layouts are in btree/.
*/
#ifndef HDB_PAGE_H
#define HDB_PAGE_H

#include <stdint.h>
#include "pager/bytes.h"

#define HDB_FORMAT_VERSION 3u
#define HDB_FORMAT_OLDEST 1u /* the oldest version this library reads */
#define HDB_MAGIC "HeliosDB Nano\0\0\0"
#define HDB_MAGIC_LEN 16

#define HDB_MIN_PAGE 512u
#define HDB_MAX_PAGE 65536u
#define HDB_DEFAULT_PAGE 4096u

typedef uint32_t hdb_pgno; /* 0 means "no page" (page 0 is the file header) */

/* A counted pointer to a page: its number and the birth LSN it must carry. */
typedef struct hdb_ref {
    hdb_pgno pgno;
    uint64_t birth;
} hdb_ref;

#define HDB_REF_SIZE 12 /* on disk: u32 pgno, u64 birth */

enum {
    HDB_PT_FREE = 0,
    HDB_PT_META = 2,
    HDB_PT_MAP = 3,
    HDB_PT_LEAF = 4,
    HDB_PT_BRANCH = 5,
    HDB_PT_OVERFLOW = 6
};

#define HDB_PH_CHECKSUM 0
#define HDB_PH_TYPE 8
#define HDB_PH_FLAGS 9
#define HDB_PH_COUNT 10
#define HDB_PH_PGNO 12
#define HDB_PH_BIRTH 16
#define HDB_PH_SIZE 24

static inline unsigned hdb__page_type(const uint8_t *pg) { return pg[HDB_PH_TYPE]; }
static inline unsigned hdb__page_count(const uint8_t *pg) { return hdb__get16(pg + HDB_PH_COUNT); }
static inline void hdb__page_set_count(uint8_t *pg, unsigned n) { hdb__put16(pg + HDB_PH_COUNT, (uint16_t)n); }
static inline hdb_pgno hdb__page_pgno(const uint8_t *pg) { return hdb__get32(pg + HDB_PH_PGNO); }
static inline uint64_t hdb__page_birth(const uint8_t *pg) { return hdb__get64(pg + HDB_PH_BIRTH); }

static inline void hdb__ref_put(uint8_t *p, hdb_ref r)
{
    hdb__put32(p, r.pgno);
    hdb__put64(p + 4, r.birth);
}
static inline hdb_ref hdb__ref_get(const uint8_t *p)
{
    hdb_ref r;
    r.pgno = hdb__get32(p);
    r.birth = hdb__get64(p + 4);
    return r;
}
/* The same page version: a page number freed and used again has another birth. */
static inline int hdb__ref_eq(hdb_ref a, hdb_ref b) { return a.pgno == b.pgno && a.birth == b.birth; }

/* Checksum of a page buffer of size psize (bytes 8..psize-1). */
uint64_t hdb__page_checksum(const uint8_t *pg, unsigned psize);

#endif
