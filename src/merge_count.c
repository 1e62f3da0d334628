/*
** merge_count.c — a merge's counts of adopted subtrees, on a second thread.
**
** WHY
**   Where only src changed a subtree, a merge grafts src's subtree into dst
**   (one pointer), but the result's counts (added, changed, deleted) still
**   need the structural diff of base -> src inside it (hdb__btdiff_count),
**   which reads both versions of every changed leaf.  That is most of the
**   pages a merge of scattered changes reads.  The diff only reads committed
**   pages, so it can run beside the merge's writes.
**
** HOW IT WORKS
**   The merge queues each pair (base subtree, src subtree) with
**   hdb__mcount_add(); one worker thread takes them in order and sums their
**   counts.  hdb__mcount_finish() takes what is left in the queue itself,
**   alongside the worker (so the two threads end together), or with
**   abandon drops it, then joins the worker and returns the sums and the
**   first error.  The worker is a reader of the tree like any
**   other (pager.h, THREADS): it pins what it reads, and the pages it reads
**   stay as they are until the merge's transaction ends (base's and src's
**   pages belong to committed states, and a page the merge frees is only
**   reused after its commit), which is after hdb__mcount_finish().
**
** INVARIANTS
**   1. The counts are the same as counting each pair inline, in any order
**      (they are sums).
**   2. hdb__mcount_start() gives NULL (count inline) on a machine with one
**      processor, or when no thread can be made: never an error.
*/
#include <pthread.h>
#include <unistd.h>
#include "src/engine.h"

typedef struct mpair {
    hdb_ref a, b;
} mpair;

struct hdb_mcount {
    hdb_engine *e;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    mpair *q;
    size_t n, next, cap; /* pairs queued; the next one to take */
    int stop, abandon, rc;
    uint64_t sum[3];
};

/* Take the next pair and count it (with c->mu held; it is released while
 * counting).  0 if there is none to take. */
static int count_next(hdb_mcount *c)
{
    if (c->next == c->n || c->abandon)
        return 0;
    mpair pr = c->q[c->next++];
    int failed = c->rc != HDB_OK;
    pthread_mutex_unlock(&c->mu);
    uint64_t n[3] = {0, 0, 0};
    int rc = failed ? HDB_OK : hdb__btdiff_count(&c->e->bt, pr.a, pr.b, n);
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < 3; i++)
        c->sum[i] += n[i];
    if (rc != HDB_OK && c->rc == HDB_OK)
        c->rc = rc;
    return 1;
}

static void *worker(void *arg)
{
    hdb_mcount *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (c->next == c->n && !c->stop)
            pthread_cond_wait(&c->cv, &c->mu);
        if (!count_next(c))
            break;
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

hdb_mcount *hdb__mcount_start(hdb_engine *e)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 2)
        return NULL;
    hdb_mcount *c = hdb__zalloc(e->mem, sizeof *c);
    if (!c)
        return NULL;
    c->e = e;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    pthread_attr_t at;
    int made = pthread_attr_init(&at) == 0;
    if (made) {
        (void)pthread_attr_setstacksize(&at, 256 << 10); /* a diff's walk is shallow */
        made = pthread_create(&c->th, &at, worker, c) == 0;
        pthread_attr_destroy(&at);
    }
    if (!made) {
        pthread_cond_destroy(&c->cv);
        pthread_mutex_destroy(&c->mu);
        hdb__free(e->mem, c);
        return NULL;
    }
    return c;
}

int hdb__mcount_add(hdb_mcount *c, hdb_ref a, hdb_ref b)
{
    int rc = HDB_OK;
    pthread_mutex_lock(&c->mu);
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        mpair *q = hdb__realloc(c->e->mem, c->q, cap * sizeof *q);
        if (q) {
            c->q = q;
            c->cap = cap;
        } else {
            rc = HDB_NOMEM;
        }
    }
    if (rc == HDB_OK) {
        c->q[c->n].a = a;
        c->q[c->n].b = b;
        c->n++;
        pthread_cond_signal(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int hdb__mcount_finish(hdb_mcount *c, int abandon, uint64_t sum[3])
{
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    c->abandon = abandon;
    pthread_cond_signal(&c->cv);
    while (count_next(c)) /* the caller helps empty the queue */
        ;
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->th, NULL);
    for (int i = 0; i < 3; i++)
        sum[i] = c->sum[i];
    int rc = c->rc;
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    hdb__free(c->e->mem, c->q);
    hdb__free(c->e->mem, c);
    return rc;
}
