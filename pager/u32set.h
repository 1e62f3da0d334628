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
    size_t mask;    /* capacity - 1, or 0 when unallocated */
    size_t n;
    unsigned shift; /* 32 - log2(capacity): the home slot is the top bits */
} hdb_u32set;

/* The home slot of v: Fibonacci hashing, the top bits of v times 2^32 / phi
 * (one multiply; page numbers in a run spread over the whole table). */
static inline size_t hdb__u32set_home(const hdb_u32set *s, uint32_t v)
{
    return (size_t)((uint32_t)(v * 0x9E3779B1u) >> s->shift);
}

/* The slot holding v (0 .. mask), or SIZE_MAX if v is not a member.  A
 * slot stays v's until the set grows or v is deleted, so an array of
 * mask + 1 entries beside the set can carry a flag per member. */
static inline size_t hdb__u32set_find(const hdb_u32set *s, uint32_t v)
{
    if (!s->slot)
        return SIZE_MAX;
    for (size_t i = hdb__u32set_home(s, v);; i = (i + 1) & s->mask) {
        if (s->slot[i] == v)
            return i;
        if (s->slot[i] == 0)
            return SIZE_MAX;
    }
}

static inline int hdb__u32set_has(const hdb_u32set *s, uint32_t v)
{
    return hdb__u32set_find(s, v) != SIZE_MAX;
}

/* Backward-shift deletion in a table of linear probing (this set, the page
 * cache's frame table): when slot `hole` empties, may the member at slot
 * j, whose home slot is `home`, stay where it is?  Yes when its home lies
 * cyclically in (hole, j]: its probe from home does not pass the hole.
 * Otherwise it moves into the hole, which moves to j. */
static inline int hdb__probe_stays(size_t hole, size_t j, size_t home)
{
    return hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
}

void hdb__u32set_init(hdb_u32set *s, const hdb_allocator *mem);
void hdb__u32set_free(hdb_u32set *s);
void hdb__u32set_clear(hdb_u32set *s);
/* HDB_OK (added or already there) or HDB_NOMEM. */
int hdb__u32set_add(hdb_u32set *s, uint32_t v);
/* Make room for n members without growing again: HDB_OK or HDB_NOMEM. */
int hdb__u32set_reserve(hdb_u32set *s, size_t n);
/* Returns 1 if v was there. */
int hdb__u32set_del(hdb_u32set *s, uint32_t v);

#endif
