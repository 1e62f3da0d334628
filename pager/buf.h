/*
** buf.h — a growable byte buffer (messages, reports, encoded records).
**
** An hdb_buf starts zeroed ({0} plus the allocator).  After any failed
** append the buffer is marked `oom` and further appends are no-ops, so a
** sequence of appends is checked once at the end.  `data` is always
** NUL-terminated when `len > 0` and !oom.
*/
#ifndef HDB_BUF_H
#define HDB_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "heliosdb.h"

typedef struct hdb_buf {
    const hdb_allocator *mem;
    char *data;
    size_t len, cap;
    int oom;
    int ext; /* data is the caller's storage (hdb__buf_init_in): never freed */
} hdb_buf;

void hdb__buf_init(hdb_buf *b, const hdb_allocator *mem);
/* Start in the caller's storage (cap bytes, cap >= 1), which must outlive
 * the buffer's use of it; growing past it moves the bytes to the heap. */
void hdb__buf_init_in(hdb_buf *b, const hdb_allocator *mem, void *storage, size_t cap);
int hdb__buf_reserve(hdb_buf *b, size_t extra); /* HDB_OK or HDB_NOMEM */
void hdb__buf_append(hdb_buf *b, const void *p, size_t n);
void hdb__buf_puts(hdb_buf *b, const char *s);
void hdb__buf_printf(hdb_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void hdb__buf_vprintf(hdb_buf *b, const char *fmt, va_list ap);
void hdb__buf_reset(hdb_buf *b);  /* len = 0, keeps the memory */
void hdb__buf_free(hdb_buf *b);
/* Take the data (NUL-terminated, returned-owned, free with the buffer's
 * allocator); the buffer is left empty.  NULL if oom. */
char *hdb__buf_take(hdb_buf *b);

#endif
