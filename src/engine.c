/*
** engine.c — opening, recovering, checkpointing and closing an engine.
**
** OPEN
**   1. The pager opens (or creates) the file and picks the newest valid
**      meta: the registry root, the checkpoint LSN and the counters.
**   2. The log opens; every commit after the checkpoint LSN is replayed
**      (replay.c) and the torn tail, if any, is cut.
**   3. A database whose log and file hold no commit yet gets its "main"
**      branch in commit 1, through the ordinary write path.
**
** CHECKPOINT
**   Writes the tree and a meta naming the last commit, then deletes the log
**   segments that hold nothing newer (beyond the retention window).  Runs
**   on demand, on the last close, and after a commit once the log grew by
**   checkpoint_bytes since the last one.
*/
#include <errno.h>
#include <string.h>
#include <time.h>
#include "src/engine.h"

static int64_t real_clock(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t hdb__engine_now(hdb_engine *e)
{
    int64_t now = e->opt.clock_us ? e->opt.clock_us(e->opt.clock_ctx) : real_clock(NULL);
    return now;
}

static int ckpt_write(hdb_engine *e);

static void counters_load(hdb_engine *e)
{
    const hdb_meta *m = hdb__pager_meta(e->pager);
    e->reg = m->registry;
    e->hist = m->history;
    e->lsn = m->ckpt_lsn;
    e->next_ks = hdb__get64(m->engine + 0);
    e->next_id = hdb__get64(m->engine + 8);
    e->next_branch = hdb__get64(m->engine + 16);
    e->last_time = (int64_t)hdb__get64(m->engine + 24);
    e->acct_gen = hdb__get64(m->engine + 32);
    e->seq = hdb__ref_get(m->engine + 40);
    if (!e->next_ks)
        e->next_ks = 1;
    if (!e->next_id)
        e->next_id = 1;
    if (!e->next_branch)
        e->next_branch = 1;
}

int hdb__engine_checkpoint(hdb_engine *e)
{
    if (e->in_ckpt)
        return HDB_OK;
    e->in_ckpt = 1;
    uint64_t oldest = hdb__history_oldest(e, NULL);
    int rc = hdb__history_snapshot(e);
    /* An expired snapshot may leave pages to a branch alone. */
    if (hdb__history_oldest(e, NULL) != oldest)
        hdb__acct_bump(e);
    if (rc == HDB_OK)
        rc = ckpt_write(e);
    e->in_ckpt = 0;
    return rc;
}

/* Write the tree and the meta, then prune the log. */
static int ckpt_write(hdb_engine *e)
{
    hdb_meta m;
    int rc = hdb__engine_writer_acquire(e);
    if (rc != HDB_OK)
        return rc;
    if ((rc = hdb__wal_sync(e->wal)) == HDB_OK) {
        m = *hdb__pager_meta(e->pager);
        m.ckpt_lsn = e->lsn;
        m.ckpt_time_us = e->last_time;
        m.registry = e->reg;
        m.history = e->hist;
        memset(m.engine, 0, sizeof m.engine);
        hdb__put64(m.engine + 0, e->next_ks);
        hdb__put64(m.engine + 8, e->next_id);
        hdb__put64(m.engine + 16, e->next_branch);
        hdb__put64(m.engine + 24, (uint64_t)e->last_time);
        hdb__put64(m.engine + 32, e->acct_gen);
        hdb__ref_put(m.engine + 40, e->seq);
        rc = hdb__pager_checkpoint(e->pager, &m);
    }
    if (rc == HDB_OK) {
        /* Keep the log back to the oldest snapshot history still holds. */
        uint64_t keep = hdb__history_oldest(e, NULL);
        e->ckpt_wal_mark = hdb__wal_appended(e->wal);
        rc = hdb__wal_prune(e->wal, keep && keep < e->lsn ? keep : e->lsn);
    }
    hdb__engine_writer_release(e);
    return rc;
}

int hdb__engine_writer_acquire(hdb_engine *e)
{
    int rc = HDB_OK;
    pthread_mutex_lock(&e->mu);
    if (e->writer) {
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        int ms = e->opt.busy_timeout_ms > 0 ? e->opt.busy_timeout_ms : 0;
        dl.tv_sec += ms / 1000;
        dl.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
        while (e->writer && rc == HDB_OK)
            if (pthread_cond_timedwait(&e->cv, &e->mu, &dl) == ETIMEDOUT && e->writer)
                rc = HDB_BUSY;
    }
    if (rc == HDB_OK)
        e->writer = 1;
    pthread_mutex_unlock(&e->mu);
    return rc;
}

void hdb__engine_writer_release(hdb_engine *e)
{
    pthread_mutex_lock(&e->mu);
    e->writer = 0;
    pthread_cond_signal(&e->cv);
    pthread_mutex_unlock(&e->mu);
}

/* Commit 1 of a new database: the branch "main". */
static int make_main(hdb_engine *e)
{
    hdb_txn *t;
    int rc = hdb__txn_open(NULL, e, "main", 1, &t);
    if (rc != HDB_OK)
        return rc;
    int64_t now = hdb__engine_now(e);
    rc = hdb__br_create(t, "main", NULL, t->next_branch, now, 0, 0, NULL, 0);
    if (rc == HDB_OK)
        rc = hdb__wal_commit(e->wal, t->lsn, now, "main", 4);
    if (rc == HDB_OK) {
        e->last_time = now;
        hdb__txn_finish(t);
    } else {
        hdb__wal_abort(e->wal);
        hdb__pager_abort(e->pager);
        hdb__track_forget(&e->bt, t->lsn); /* track.c, invariant 3 */
    }
    hdb__engine_writer_release(e);
    hdb__txn_free(t);
    return rc;
}

static int open_parts(hdb_engine *e, const char *path, char *err, size_t errlen)
{
    hdb_pager_cfg pc = {0};
    int created, rc;
    pc.vfs = e->opt.vfs;
    pc.mem = e->mem;
    pc.path = path;
    pc.page_size = e->opt.page_size;
    pc.cache_bytes = e->opt.cache_bytes;
    pc.read_only = e->opt.read_only;
    pc.create = e->opt.create;
    pc.now_us = hdb__engine_now(e);
    pc.salt = (uint64_t)pc.now_us ^ ((uint64_t)(uintptr_t)e << 16);
    if ((rc = hdb__pager_open(&pc, &e->pager, &created)) != HDB_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path, hdb_errstr(rc));
        return rc;
    }
    if ((rc = hdb__bt_init(&e->bt, e->pager, e->mem)) != HDB_OK)
        return rc;
    counters_load(e);
    char *dir = hdb__malloc(e->mem, strlen(path) + 5);
    if (!dir)
        return HDB_NOMEM;
    strcpy(dir, path);
    strcat(dir, "-wal");
    hdb_wal_cfg wc = {0};
    wc.vfs = e->opt.vfs;
    wc.mem = e->mem;
    wc.dir = dir;
    wc.sync = e->opt.sync;
    wc.read_only = e->opt.read_only;
    wc.prealloc = 1;
    wc.clock_us = e->opt.clock_us;
    wc.clock_ctx = e->opt.clock_ctx;
    wc.owner = hdb__pager_db_salt(e->pager); /* a log is replayed only into its own file */
    rc = hdb__wal_open(&wc, &e->wal);
    if (rc == HDB_CORRUPT)
        snprintf(err, errlen, "cannot open the log %s: damaged, or the log of another database file",
                 dir);
    else if (rc != HDB_OK)
        snprintf(err, errlen, "cannot open the log of %s: %s", path, hdb_errstr(rc));
    hdb__free(e->mem, dir);
    return rc;
}

static void engine_free(hdb_engine *e)
{
    if (e->wal)
        hdb__wal_close(e->wal);
    hdb__bt_fini(&e->bt);
    if (e->pager)
        hdb__pager_close(e->pager);
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->cv);
    const hdb_allocator *mem = e->mem;
    hdb__free(mem, e->acct);
    hdb__free(mem, e->path);
    hdb__free(mem, e);
}

int hdb__engine_open(const char *path, const hdb_options *o, hdb_engine **out, char *err,
                     size_t errlen)
{
    hdb_engine *e = hdb__zalloc(o->allocator, sizeof *e);
    *out = NULL;
    if (!e)
        return HDB_NOMEM;
    e->opt = *o;
    if (o->allocator) {
        e->mem_store = *o->allocator;
        e->mem = &e->mem_store;
    }
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->cv, NULL);
    e->path = hdb__strdup(e->mem, path);
    int rc = e->path ? open_parts(e, path, err, errlen) : HDB_NOMEM;
    uint64_t ckpt_lsn = e->lsn;
    if (rc == HDB_OK && (rc = hdb__replay(e)) != HDB_OK)
        snprintf(err, errlen, "recovery of %s failed: %s%s%s", path, hdb_errstr(rc),
                 *hdb__pager_errmsg(e->pager) ? ": " : "", hdb__pager_errmsg(e->pager));
    /* Replayed snapshot expiries are not seen by the size accounting. */
    if (rc == HDB_OK && e->lsn > ckpt_lsn)
        hdb__acct_bump(e);
    if (rc == HDB_OK && e->lsn == 0 && !e->opt.read_only && (rc = make_main(e)) == HDB_OK)
        rc = hdb__history_snapshot(e); /* so that every commit can be branched from */
    if (rc == HDB_OK && e->lsn == 0) {
        snprintf(err, errlen, "%s holds no branch yet (open it writable once)", path);
        rc = HDB_CORRUPT;
    }
    if (rc != HDB_OK) {
        if (!*err)
            snprintf(err, errlen, "cannot open %s: %s", path, hdb_errstr(rc));
        engine_free(e);
        return rc;
    }
    e->ckpt_wal_mark = hdb__wal_appended(e->wal);
    hdb__track_file_load(e);
    *out = e;
    return HDB_OK;
}

/* The last connection is gone: checkpoint and free everything. */
int hdb__engine_close(hdb_engine *e)
{
    int rc = HDB_OK;
    if (!e->opt.read_only && hdb__pager_error(e->pager) == HDB_OK)
        rc = hdb__engine_checkpoint(e);
    if (rc == HDB_OK && !e->opt.read_only && hdb__pager_error(e->pager) == HDB_OK)
        hdb__track_file_save(e);
    engine_free(e);
    return rc;
}
