/*
** u32set.c — open-addressing hash set of non-zero u32 (see u32set.h).
*/
#include <string.h>
#include "pager/mem.h"
#include "pager/u32set.h"

static size_t hash32(uint32_t v)
{
    v ^= v >> 16;
    v *= 0x7feb352dU;
    v ^= v >> 15;
    v *= 0x846ca68bU;
    v ^= v >> 16;
    return v;
}

void hdb__u32set_init(hdb_u32set *s, const hdb_allocator *mem)
{
    memset(s, 0, sizeof *s);
    s->mem = mem;
}

void hdb__u32set_free(hdb_u32set *s)
{
    hdb__free(s->mem, s->slot);
    s->slot = NULL;
    s->mask = 0;
    s->n = 0;
}

void hdb__u32set_clear(hdb_u32set *s)
{
    if (s->slot)
        memset(s->slot, 0, (s->mask + 1) * sizeof *s->slot);
    s->n = 0;
}

int hdb__u32set_has(const hdb_u32set *s, uint32_t v)
{
    if (!s->slot)
        return 0;
    for (size_t i = hash32(v) & s->mask;; i = (i + 1) & s->mask) {
        if (s->slot[i] == v)
            return 1;
        if (s->slot[i] == 0)
            return 0;
    }
}

static void put_raw(uint32_t *slot, size_t mask, uint32_t v)
{
    size_t i = hash32(v) & mask;
    while (slot[i] && slot[i] != v)
        i = (i + 1) & mask;
    slot[i] = v;
}

static int grow_to(hdb_u32set *s, size_t cap)
{
    uint32_t *slot = hdb__zalloc(s->mem, cap * sizeof *slot);
    if (!slot)
        return HDB_NOMEM;
    if (s->slot) {
        for (size_t i = 0; i <= s->mask; i++)
            if (s->slot[i])
                put_raw(slot, cap - 1, s->slot[i]);
        hdb__free(s->mem, s->slot);
    }
    s->slot = slot;
    s->mask = cap - 1;
    return HDB_OK;
}

int hdb__u32set_reserve(hdb_u32set *s, size_t n)
{
    size_t cap = s->slot ? s->mask + 1 : 64;
    while (cap < 2 * n)
        cap *= 2;
    return s->slot && cap == s->mask + 1 ? HDB_OK : grow_to(s, cap);
}

int hdb__u32set_add(hdb_u32set *s, uint32_t v)
{
    if (!s->slot || (s->n + 1) * 2 > s->mask + 1) {
        if (hdb__u32set_has(s, v))
            return HDB_OK;
        if (grow_to(s, s->slot ? (s->mask + 1) * 2 : 64) != HDB_OK)
            return HDB_NOMEM;
    }
    size_t i = hash32(v) & s->mask;
    for (; s->slot[i]; i = (i + 1) & s->mask)
        if (s->slot[i] == v)
            return HDB_OK;
    s->slot[i] = v;
    s->n++;
    return HDB_OK;
}

int hdb__u32set_del(hdb_u32set *s, uint32_t v)
{
    if (!s->slot)
        return 0;
    size_t i = hash32(v) & s->mask;
    while (s->slot[i] != v) {
        if (s->slot[i] == 0)
            return 0;
        i = (i + 1) & s->mask;
    }
    /* Backward-shift: move later members of the cluster into the hole when
     * their home slot does not lie cyclically between the hole and them. */
    size_t hole = i;
    for (size_t j = (i + 1) & s->mask; s->slot[j]; j = (j + 1) & s->mask) {
        size_t home = hash32(s->slot[j]) & s->mask;
        int between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!between) {
            s->slot[hole] = s->slot[j];
            hole = j;
        }
    }
    s->slot[hole] = 0;
    s->n--;
    return 1;
}
