/*
** mem.h — allocation through the connection's hooks.
**
** Every allocation of the library goes through an hdb_allocator (see
** heliosdb.h), so that tests can fail the Nth allocation and firmware can
** supply its own heap.  A NULL allocator means the C library's.
**
** Invariants
**   - hdb__free(a, NULL) is a no-op; hdb__realloc(a, NULL, n) allocates.
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

#endif
