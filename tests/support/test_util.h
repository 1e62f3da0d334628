/*
** test_util.h — small helpers shared by the test suites: temporary
** directories, a deterministic random generator, a sorted in-memory
** key-value model, a counting allocator.
*/
#ifndef HDB_TEST_UTIL_H
#define HDB_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "heliosdb.h"

/* Run a Check suite (takes it) and give main()'s exit status (check_run.c). */
struct Suite;
int tu_run(struct Suite *s);

/* Open (creating) dir/name with sync off, the way the SQL suites do; the
 * test fails if it cannot.  Returns the connection (hdb_close it). */
struct hdb;
struct hdb *tu_open_nosync(const char *dir, const char *name);

/* A hdb_exec() row callback: appends the row to ctx, a char[TU_ROWS_MAX]
 * holding a string, as "a|b\n" (NULL as "NULL"); the test fails if the
 * rows do not fit. */
#define TU_ROWS_MAX 8192
int tu_collect(void *ctx, int ncol, const char *const *vals, const char *const *names);

/* A fresh directory under /tmp (returned-owned, free()); removed with tu_rmdir. */
char *tu_tmpdir(void);
/* Remove a directory and everything below it. */
void tu_rmdir(const char *dir);
/* path = dir + "/" + name, in a static-free caller buffer. */
void tu_path(char *out, size_t n, const char *dir, const char *name);

/* An hdb_allocator (hand &x.a to the library) that counts what it holds
 * and can fail: the fail_at-th request (0: never) and every request over
 * refuse_over bytes (0: none) get NULL. */
typedef struct tu_alloc {
    hdb_allocator a;
    size_t live, peak, largest; /* bytes held now, at most, largest block */
    long blocks, allocs;        /* blocks held now; allocations served */
    uint64_t count, fail_at;    /* requests so far; the one to fail */
    size_t refuse_over;
    int failed;                 /* a request was failed */
} tu_alloc;
void tu_alloc_init(tu_alloc *al);

typedef struct tu_rng {
    uint64_t s;
} tu_rng;
static inline uint64_t tu_next(tu_rng *r)
{
    uint64_t x = r->s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return r->s = x;
}
static inline uint64_t tu_below(tu_rng *r, uint64_t n) { return n ? tu_next(r) % n : 0; }

/* A model: a sorted map of byte strings (simple, for tests only). */
typedef struct tu_kv {
    unsigned char *k, *v;
    size_t kn, vn;
} tu_kv;
typedef struct tu_model {
    tu_kv *e;
    size_t n, cap;
} tu_model;

void tu_model_free(tu_model *m);
void tu_model_copy(tu_model *dst, const tu_model *src);
/* Index of key or where it would go; *found. */
size_t tu_model_find(const tu_model *m, const void *k, size_t kn, int *found);
void tu_model_put(tu_model *m, const void *k, size_t kn, const void *v, size_t vn);
int tu_model_del(tu_model *m, const void *k, size_t kn);
int tu_keycmp(const void *a, size_t an, const void *b, size_t bn);

#endif
