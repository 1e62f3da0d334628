/*
** test_util.c — helpers for the test suites (see test_util.h).
*/
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test_util.h"

char *tu_tmpdir(void)
{
    char tmpl[] = "/tmp/hdbtest-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmdir(const char *dir)
{
    if (dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void tu_path(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

int tu_keycmp(const void *a, size_t an, const void *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

void tu_model_free(tu_model *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->e[i].k);
        free(m->e[i].v);
    }
    free(m->e);
    memset(m, 0, sizeof *m);
}

static unsigned char *mdup(const void *p, size_t n)
{
    unsigned char *q = malloc(n ? n : 1);
    if (n)
        memcpy(q, p, n);
    return q;
}

void tu_model_copy(tu_model *dst, const tu_model *src)
{
    memset(dst, 0, sizeof *dst);
    dst->cap = src->n ? src->n : 1;
    dst->e = malloc(dst->cap * sizeof *dst->e);
    for (size_t i = 0; i < src->n; i++) {
        dst->e[i].k = mdup(src->e[i].k, src->e[i].kn);
        dst->e[i].kn = src->e[i].kn;
        dst->e[i].v = mdup(src->e[i].v, src->e[i].vn);
        dst->e[i].vn = src->e[i].vn;
    }
    dst->n = src->n;
}

size_t tu_model_find(const tu_model *m, const void *k, size_t kn, int *found)
{
    size_t lo = 0, hi = m->n;
    *found = 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = tu_keycmp(m->e[mid].k, m->e[mid].kn, k, kn);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void tu_model_put(tu_model *m, const void *k, size_t kn, const void *v, size_t vn)
{
    int found;
    size_t i = tu_model_find(m, k, kn, &found);
    if (found) {
        free(m->e[i].v);
        m->e[i].v = mdup(v, vn);
        m->e[i].vn = vn;
        return;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->e = realloc(m->e, m->cap * sizeof *m->e);
    }
    memmove(m->e + i + 1, m->e + i, (m->n - i) * sizeof *m->e);
    m->e[i].k = mdup(k, kn);
    m->e[i].kn = kn;
    m->e[i].v = mdup(v, vn);
    m->e[i].vn = vn;
    m->n++;
}

int tu_model_del(tu_model *m, const void *k, size_t kn)
{
    int found;
    size_t i = tu_model_find(m, k, kn, &found);
    if (!found)
        return 0;
    free(m->e[i].k);
    free(m->e[i].v);
    memmove(m->e + i, m->e + i + 1, (m->n - i - 1) * sizeof *m->e);
    m->n--;
    return 1;
}

/* ---- the counting allocator ---------------------------------------------- */
/* Each block carries its size in the 16 bytes before it. */
static void *al_malloc(void *ctx, size_t n)
{
    tu_alloc *al = ctx;
    if ((al->fail_at && ++al->count == al->fail_at) || (al->refuse_over && n > al->refuse_over)) {
        al->failed = 1;
        return NULL;
    }
    size_t *p = malloc(n + 16);
    if (!p)
        return NULL;
    p[0] = n;
    al->live += n;
    al->blocks++;
    al->allocs++;
    if (al->live > al->peak)
        al->peak = al->live;
    if (n > al->largest)
        al->largest = n;
    return (char *)p + 16;
}

static void al_free(void *ctx, void *q)
{
    tu_alloc *al = ctx;
    if (!q)
        return;
    size_t *p = (size_t *)((char *)q - 16);
    al->live -= p[0];
    al->blocks--;
    free(p);
}

static void *al_realloc(void *ctx, void *q, size_t n)
{
    if (!q)
        return al_malloc(ctx, n);
    size_t old = ((size_t *)((char *)q - 16))[0];
    void *r = al_malloc(ctx, n);
    if (!r)
        return NULL;
    memcpy(r, q, old < n ? old : n);
    al_free(ctx, q);
    return r;
}

void tu_alloc_init(tu_alloc *al)
{
    memset(al, 0, sizeof *al);
    al->a.malloc = al_malloc;
    al->a.realloc = al_realloc;
    al->a.free = al_free;
    al->a.ctx = al;
}
