/*
** ast.c — the arena that owns a syntax tree, and the names of node codes.
**
** THE ARENA
**   Chunks are allocated through the connection's allocator and chained,
**   newest first.  An allocation is carved from the head chunk when it fits;
**   otherwise a new chunk is made, twice the previous size (from 1 KiB up to
**   64 KiB), or exactly the request's size for a large one, which is linked
**   behind the head so the head's free space is not lost.  Every block is
**   aligned to ALIGN bytes and zeroed.
*/
#include <stddef.h>
#include <string.h>
#include "pager/mem.h"
#include "src/sql/ast.h"

#define ALIGN 16
#define CHUNK_MIN 1024
#define CHUNK_MAX 65536

struct hdb_sql_chunk {
    hdb_sql_chunk *next;
    size_t cap; /* bytes of data[] */
    size_t pad; /* keeps data[] ALIGN-aligned on 64-bit targets */
    _Alignas(ALIGN) unsigned char data[];
};

void hdb__sql_arena_init(hdb_sql_arena *a, const hdb_allocator *mem)
{
    a->mem = mem;
    a->head = NULL;
    a->used = 0;
    a->total = 0;
}

static hdb_sql_chunk *chunk_new(hdb_sql_arena *a, size_t cap)
{
    if (cap > (size_t)-1 - sizeof(hdb_sql_chunk))
        return NULL;
    hdb_sql_chunk *c = hdb__malloc(a->mem, sizeof *c + cap);
    if (!c)
        return NULL;
    c->cap = cap;
    a->total += sizeof *c + cap;
    return c;
}

void *hdb__sql_arena_alloc(hdb_sql_arena *a, size_t n)
{
    if (n > (size_t)-1 - ALIGN)
        return NULL;
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (n == 0)
        n = ALIGN;
    hdb_sql_chunk *h = a->head;
    if (h && h->cap - a->used >= n) {
        void *p = h->data + a->used;
        a->used += n;
        memset(p, 0, n);
        return p;
    }
    size_t want = h ? h->cap * 2 : CHUNK_MIN;
    if (want > CHUNK_MAX)
        want = CHUNK_MAX;
    if (n > want / 2 && h) { /* a large block: its own chunk, behind the head */
        hdb_sql_chunk *c = chunk_new(a, n);
        if (!c)
            return NULL;
        c->next = h->next;
        h->next = c;
        memset(c->data, 0, n);
        return c->data;
    }
    hdb_sql_chunk *c = chunk_new(a, n > want ? n : want);
    if (!c)
        return NULL;
    c->next = h;
    a->head = c;
    a->used = n;
    memset(c->data, 0, n);
    return c->data;
}

char *hdb__sql_arena_strndup(hdb_sql_arena *a, const char *s, size_t n)
{
    if (n == (size_t)-1)
        return NULL;
    char *q = hdb__sql_arena_alloc(a, n + 1);
    if (q && n)
        memcpy(q, s, n);
    return q;
}

void hdb__sql_arena_free(hdb_sql_arena *a)
{
    hdb_sql_chunk *c = a->head;
    while (c) {
        hdb_sql_chunk *next = c->next;
        hdb__free(a->mem, c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
    a->total = 0;
}

const char *hdb__sql_op_name(int op)
{
    static const char *const names[HDB_SQL_OP__COUNT] = {
        "?", "-", "+", "~", "NOT", "OR", "AND", "=", "!=", "IS", "IS NOT", "<", "<=", ">",
        ">=", "&", "|", "<<", ">>", "+", "-", "*", "/", "%", "||", "->", "->>", "LIKE",
        "GLOB", "REGEXP", "MATCH"};
    return op > 0 && op < HDB_SQL_OP__COUNT ? names[op] : "?";
}

const char *hdb__sql_stmt_name(int kind)
{
    static const char *const names[HDB_SQL_S__COUNT] = {
        "?", "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE TABLE", "CREATE INDEX",
        "CREATE VIEW", "DROP", "ALTER TABLE", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
        "RELEASE", "PRAGMA", "CREATE BRANCH", "USE BRANCH", "MERGE BRANCH", "DROP BRANCH",
        "ALTER BRANCH", "SHOW BRANCHES", "SHOW HISTORY", "CHECKPOINT"};
    return kind > 0 && kind < HDB_SQL_S__COUNT ? names[kind] : "?";
}
