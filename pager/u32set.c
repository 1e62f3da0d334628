/*
** u32set.c — open-addressing hash set of non-zero u32 (see u32set.h).
*/
#include <string.h>
#include "pager/mem.h"
#include "pager/u32set.h"

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

static void put_raw(const hdb_u32set *s, uint32_t v)
{
    size_t i = hdb__u32set_home(s, v);
    while (s->slot[i] && s->slot[i] != v)
        i = (i + 1) & s->mask;
    s->slot[i] = v;
}

static unsigned log2_of(size_t cap)
{
    unsigned b = 0;
    while (((size_t)1 << b) < cap)
        b++;
    return b;
}

static int grow_to(hdb_u32set *s, size_t cap)
{
    hdb_u32set g = *s;
    unsigned bits = log2_of(cap);
    if (bits > 32) /* more than 2^31 members: not page numbers */
        return HDB_NOMEM;
    g.slot = hdb__zalloc(s->mem, cap * sizeof *g.slot);
    if (!g.slot)
        return HDB_NOMEM;
    g.mask = cap - 1;
    g.shift = 32 - bits;
    if (s->slot) {
        for (size_t i = 0; i <= s->mask; i++)
            if (s->slot[i])
                put_raw(&g, s->slot[i]);
        hdb__free(s->mem, s->slot);
    }
    *s = g;
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
    size_t i = hdb__u32set_home(s, v);
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
    size_t i = hdb__u32set_home(s, v);
    while (s->slot[i] != v) {
        if (s->slot[i] == 0)
            return 0;
        i = (i + 1) & s->mask;
    }
    /* Backward-shift: move later members of the cluster into the hole when
     * their home slot does not lie cyclically between the hole and them. */
    size_t hole = i;
    for (size_t j = (i + 1) & s->mask; s->slot[j]; j = (j + 1) & s->mask) {
        if (!hdb__probe_stays(hole, j, hdb__u32set_home(s, s->slot[j]))) {
            s->slot[hole] = s->slot[j];
            hole = j;
        }
    }
    s->slot[hole] = 0;
    s->n--;
    return 1;
}
