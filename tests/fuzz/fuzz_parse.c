/*
** fuzz_parse.c — libFuzzer target for the SQL front end (make fuzz).
**
** For each input it
**   1. tokenizes the whole input and checks that the tokens tile it;
**   2. parses statement after statement (following *tail) and, for each
**      statement, checks the round trip: dump, parse the dump, dump again,
**      and the two dumps must be equal;
**   3. parses the input once more with an allocator that fails the Nth
**      allocation (N drawn from the input), which must give HDB_NOMEM or
**      a normal result, and must leave nothing allocated.
** Any broken check aborts, so libFuzzer records the input.  Sanitizers
** (address, undefined) catch the rest; libFuzzer's own limits catch hangs
** and memory blow-ups.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pager/buf.h"
#include "src/sql/parse.h"
#include "src/sql/token.h"

#define CHECK(cond, ...)                                                            \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "fuzz_parse: check failed: %s\n  ", #cond);             \
            fprintf(stderr, __VA_ARGS__);                                           \
            fprintf(stderr, "\n");                                                  \
            abort();                                                                \
        }                                                                           \
    } while (0)

static void tokenize(const char *z, size_t n)
{
    size_t pos = 0;
    hdb_sql_token t;
    for (;;) {
        hdb__sql_token_scan(z, n, pos, &t);
        CHECK(t.pos == pos && t.pos + t.len <= n, "token at %zu", pos);
        if (t.type == HDB_TK_EOF)
            break;
        CHECK(t.len > 0, "empty token at %zu", pos);
        pos += t.len;
    }
    CHECK(pos == n, "tokens end at %zu of %zu", pos, n);
}

static void round_trip(const hdb_sql_stmt *s)
{
    hdb_buf b1, b2;
    hdb_sql_arena a;
    hdb_sql_stmt *s2 = NULL;
    char err[256];
    hdb__buf_init(&b1, NULL);
    hdb__buf_init(&b2, NULL);
    hdb__sql_stmt_dump(&b1, s);
    CHECK(!b1.oom && b1.len > 0, "empty dump");
    hdb__sql_arena_init(&a, NULL);
    int rc = hdb__sql_parse(b1.data, b1.len, &a, &s2, NULL, err, sizeof err);
    if (!(rc == HDB_ERROR && strstr(err, "too many levels of nesting"))) {
        CHECK(rc == HDB_OK && s2, "dump does not parse back: %s\n  dump: %s", err, b1.data);
        hdb__sql_stmt_dump(&b2, s2);
        CHECK(!b2.oom && strcmp(b1.data, b2.data) == 0, "round trip differs\n  1: %s\n  2: %s",
              b1.data, b2.data ? b2.data : "");
    }
    hdb__sql_arena_free(&a);
    hdb__buf_free(&b1);
    hdb__buf_free(&b2);
}

static void parse_all(const char *z, size_t n)
{
    const char *p = z, *end = z + n;
    while (p < end) {
        hdb_sql_arena a;
        hdb_sql_stmt *s = NULL;
        const char *tail = NULL;
        char err[256];
        hdb__sql_arena_init(&a, NULL);
        int rc = hdb__sql_parse(p, (size_t)(end - p), &a, &s, &tail, err, sizeof err);
        CHECK(tail && tail >= p && tail <= end, "tail out of range");
        if (rc != HDB_OK) {
            CHECK(rc == HDB_ERROR && !s && err[0] && tail == end, "rc %d, err [%s]", rc, err);
            hdb__sql_arena_free(&a);
            return;
        }
        CHECK(err[0] == 0, "message on success: %s", err);
        if (s) {
            CHECK(tail > p, "no progress");
            CHECK(s->sql && s->pos + s->len <= (size_t)(end - p), "statement span");
            round_trip(s);
        } else {
            CHECK(tail == end, "no statement but text left");
        }
        hdb__sql_arena_free(&a);
        p = tail;
    }
}

/* An allocator that fails one allocation and counts live blocks. */
typedef struct fail_alloc {
    long allocs, fail_at, live;
} fail_alloc;

static void *fa_malloc(void *ctx, size_t n)
{
    fail_alloc *f = ctx;
    if (++f->allocs == f->fail_at)
        return NULL;
    void *p = malloc(n);
    f->live += p != NULL;
    return p;
}

static void *fa_realloc(void *ctx, void *p, size_t n)
{
    fail_alloc *f = ctx;
    if (++f->allocs == f->fail_at)
        return NULL;
    void *q = realloc(p, n);
    f->live += q && !p;
    return q;
}

static void fa_free(void *ctx, void *p)
{
    fail_alloc *f = ctx;
    f->live -= p != NULL;
    free(p);
}

static void parse_failing(const char *z, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)z[i]) * 16777619u;
    fail_alloc f = {0, 1 + (long)(h % 24), 0};
    hdb_allocator al = {fa_malloc, fa_realloc, fa_free, &f};
    hdb_sql_arena a;
    hdb_sql_stmt *s;
    char err[128];
    hdb__sql_arena_init(&a, &al);
    int rc = hdb__sql_parse(z, n, &a, &s, NULL, err, sizeof err);
    CHECK(rc == HDB_OK || rc == HDB_ERROR || rc == HDB_NOMEM, "rc %d", rc);
    CHECK(rc != HDB_NOMEM || f.allocs >= f.fail_at, "NOMEM without a failed allocation");
    hdb__sql_arena_free(&a);
    CHECK(f.live == 0, "%ld blocks left after the arena was freed", f.live);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *z = (const char *)data;
    tokenize(z, size);
    parse_all(z, size);
    parse_failing(z, size);
    return 0;
}
