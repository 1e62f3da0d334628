/*
** u32set.h — an open-addressing hash set of non-zero 32-bit integers.
**
** Used for page numbers (0 is never a page that can be in a set).  Linear
** probing with backward-shift deletion, so there are no tombstones; the
** table is a power of two and kept at most half full.
*/
#ifndef HDB_U32SET_H
#define HDB_U32SET_H

#include <stddef.h>
#include <stdint.h>
#include "heliosdb.h"

typedef struct hdb_u32set {
    const hdb_allocator *mem;
    uint32_t *slot;
    size_t mask; /* capacity - 1, or 0 when unallocated */
    size_t n;
} hdb_u32set;

void hdb__u32set_init(hdb_u32set *s, const hdb_allocator *mem);
void hdb__u32set_free(hdb_u32set *s);
void hdb__u32set_clear(hdb_u32set *s);
int hdb__u32set_has(const hdb_u32set *s, uint32_t v);
/* HDB_OK (added or already there) or HDB_NOMEM. */
int hdb__u32set_add(hdb_u32set *s, uint32_t v);
/* Make room for n members without growing again: HDB_OK or HDB_NOMEM. */
int hdb__u32set_reserve(hdb_u32set *s, size_t n);
/* Returns 1 if v was there. */
int hdb__u32set_del(hdb_u32set *s, uint32_t v);

#endif
