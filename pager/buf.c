/*
** buf.c — a growable byte buffer (see buf.h).
*/
#include <stdio.h>
#include <string.h>
#include "buf.h"
#include "mem.h"

void hdb__buf_init(hdb_buf *b, const hdb_allocator *mem)
{
    memset(b, 0, sizeof *b);
    b->mem = mem;
}

void hdb__buf_init_in(hdb_buf *b, const hdb_allocator *mem, void *storage, size_t cap)
{
    hdb__buf_init(b, mem);
    b->data = storage;
    b->data[0] = 0;
    b->cap = cap;
    b->ext = 1;
}

int hdb__buf_reserve(hdb_buf *b, size_t extra)
{
    if (b->oom)
        return HDB_NOMEM;
    if (b->len + extra + 1 <= b->cap)
        return HDB_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return HDB_NOMEM;
        }
        cap *= 2;
    }
    char *p = b->ext ? hdb__malloc(b->mem, cap) : hdb__realloc(b->mem, b->data, cap);
    if (!p) {
        b->oom = 1;
        return HDB_NOMEM;
    }
    if (b->ext) {
        memcpy(p, b->data, b->len);
        p[b->len] = 0;
    }
    b->data = p;
    b->cap = cap;
    b->ext = 0;
    return HDB_OK;
}

void hdb__buf_append(hdb_buf *b, const void *p, size_t n)
{
    if (hdb__buf_reserve(b, n) != HDB_OK)
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void hdb__buf_puts(hdb_buf *b, const char *s) { hdb__buf_append(b, s, strlen(s)); }

void hdb__buf_vprintf(hdb_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || hdb__buf_reserve(b, (size_t)n) != HDB_OK)
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void hdb__buf_printf(hdb_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hdb__buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void hdb__buf_reset(hdb_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

void hdb__buf_free(hdb_buf *b)
{
    if (!b->ext)
        hdb__free(b->mem, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
    b->ext = 0;
}

char *hdb__buf_take(hdb_buf *b)
{
    if (b->oom) {
        hdb__buf_free(b);
        return NULL;
    }
    if (b->ext) { /* the caller's storage: hand out a copy */
        char *c = hdb__malloc(b->mem, b->len + 1);
        if (c) {
            memcpy(c, b->data, b->len);
            c[b->len] = 0;
        }
        hdb__buf_free(b);
        return c;
    }
    if (hdb__buf_reserve(b, 0) != HDB_OK)
        return NULL;
    char *p = b->data;
    p[b->len] = 0;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
