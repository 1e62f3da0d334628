/*
** mem.h — allocation through the connection's hooks.
**
** Every allocation of the library goes through an hdb_allocator (see
** heliosdb.h), so that tests can fail the Nth allocation and firmware can
** supply its own heap.  A NULL allocator means the C library's.
**
** LARGE BLOCKS.  hdb__big_alloc serves the page cache's slabs of frames
** (cache.c).  Through a caller's allocator it is hdb__malloc.  With the C
** library's, on Linux, a block of at least half HDB_BIG_ALIGN is mapped
** anonymously at an address aligned to HDB_BIG_ALIGN and advised as
** transparent huge pages where the kernel offers them on request: its
** first use then costs one page fault per 2 MiB instead of one per 4 KiB
** (on a cold cache, where every page read lands in a new frame, those
** faults cost as much as the reads).  The memory used is the same.
**
** Invariants
**   - hdb__free(a, NULL) is a no-op; hdb__realloc(a, NULL, n) allocates.
**   - A block of hdb__big_alloc(a, n) is freed by hdb__big_free(a, b, n),
**     with the same n, and by nothing else.
**   - Memory is freed with the allocator that allocated it.
**   - hdb__malloc(a, 0) returns a valid pointer (never NULL on success).
*/
#ifndef HDB_MEM_H
#define HDB_MEM_H

#include <stddef.h>
#include "heliosdb.h"

void *hdb__malloc(const hdb_allocator *a, size_t n);
void *hdb__zalloc(const hdb_allocator *a, size_t n);       /* zero-filled */
void *hdb__realloc(const hdb_allocator *a, void *p, size_t n);
void hdb__free(const hdb_allocator *a, void *p);
char *hdb__strdup(const hdb_allocator *a, const char *s);   /* NULL -> NULL */
char *hdb__strndup(const hdb_allocator *a, const char *s, size_t n);
void *hdb__memdup(const hdb_allocator *a, const void *p, size_t n);

#define HDB_BIG_ALIGN ((size_t)2 << 20)
void *hdb__big_alloc(const hdb_allocator *a, size_t n);
void hdb__big_free(const hdb_allocator *a, void *p, size_t n);

#endif
