/*
** mem.c — allocation through the connection's hooks (see mem.h).
*/
#include <stdlib.h>
#include <string.h>
#include "mem.h"

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
