/*
** mem.c — allocation through the connection's hooks (see mem.h).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#include "mem.h"

#if defined(__linux__) && defined(MADV_HUGEPAGE)
#define BIG_MAP 1
#else
#define BIG_MAP 0
#endif

void *hdb__malloc(const hdb_allocator *a, size_t n)
{
    if (n == 0)
        n = 1;
    return a ? a->malloc(a->ctx, n) : malloc(n);
}

void *hdb__zalloc(const hdb_allocator *a, size_t n)
{
    void *p = hdb__malloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *hdb__realloc(const hdb_allocator *a, void *p, size_t n)
{
    if (n == 0)
        n = 1;
    return a ? a->realloc(a->ctx, p, n) : realloc(p, n);
}

void hdb__free(const hdb_allocator *a, void *p)
{
    if (!p)
        return;
    if (a)
        a->free(a->ctx, p);
    else
        free(p);
}

void *hdb__memdup(const hdb_allocator *a, const void *p, size_t n)
{
    void *q = hdb__malloc(a, n);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

char *hdb__strndup(const hdb_allocator *a, const char *s, size_t n)
{
    char *q = hdb__malloc(a, n + 1);
    if (!q)
        return NULL;
    memcpy(q, s, n);
    q[n] = 0;
    return q;
}

char *hdb__strdup(const hdb_allocator *a, const char *s)
{
    return s ? hdb__strndup(a, s, strlen(s)) : NULL;
}

void *hdb__big_alloc(const hdb_allocator *a, size_t n)
{
#if BIG_MAP
    if (!a && n >= HDB_BIG_ALIGN / 2) {
        n = (n + HDB_BIG_ALIGN - 1) & ~(HDB_BIG_ALIGN - 1); /* whole pages to unmap */
        size_t len = n + HDB_BIG_ALIGN;
        uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        uintptr_t at = ((uintptr_t)m + HDB_BIG_ALIGN - 1) & ~(uintptr_t)(HDB_BIG_ALIGN - 1);
        uint8_t *b = (uint8_t *)at;
        if (b > m)
            munmap(m, (size_t)(b - m));
        if (m + len > b + n)
            munmap(b + n, (size_t)(m + len - (b + n)));
        madvise(b, n, MADV_HUGEPAGE); /* advice: a refusal changes nothing */
        return b;
    }
#endif
    return hdb__malloc(a, n);
}

void hdb__big_free(const hdb_allocator *a, void *p, size_t n)
{
#if BIG_MAP
    if (!a && n >= HDB_BIG_ALIGN / 2) {
        n = (n + HDB_BIG_ALIGN - 1) & ~(HDB_BIG_ALIGN - 1);
        if (p)
            munmap(p, n);
        return;
    }
#else
    (void)n;
#endif
    hdb__free(a, p);
}
