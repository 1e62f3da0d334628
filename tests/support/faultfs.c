/*
** faultfs.c — the fault-injecting VFS (faultfs.h).
*/
#include <stdlib.h>
#include <string.h>
#include "faultfs.h"

/* A tracked file: its durable image and its last unsynced write. */
typedef struct ffile {
    struct ffile *next;
    char *path;
    uint8_t *img;
    size_t len;
    int synced_once;
    uint8_t *last; /* last unsynced write */
    size_t last_n;
    uint64_t last_off;
} ffile;

struct hdb_ffs {
    hdb_vfs vfs;
    const hdb_vfs *base;
    uint64_t reads, writes, syncs;
    /* armed faults */
    int kinds, err, persistent;
    uint64_t left;          /* operations of `kinds` before the failure */
    uint64_t short_left;    /* writes before a short one */
    uint64_t crash_left;    /* writes+syncs before the crash */
    int crash_armed, dead, fired;
    int track;
    unsigned epoch;         /* power losses so far */
    ffile *files;
};

struct hdb_file {
    hdb_file *base;
    hdb_ffs *fs;
    ffile *node;
    unsigned epoch;
};

static hdb_ffs *FS(const hdb_vfs *v) { return (hdb_ffs *)v->ctx; }

/* ------------------------------------------------------------------------
** Fault decisions
*/
static int fault(hdb_ffs *fs, int kind)
{
    if (fs->dead)
        return HDB_IOERR;
    if (fs->crash_armed && kind != FFS_READ) {
        if (fs->crash_left == 0) {
            fs->dead = fs->fired = 1;
            return HDB_IOERR;
        }
        fs->crash_left--;
    }
    if (fs->left && (fs->kinds & kind)) {
        if (--fs->left == 0) {
            fs->fired = 1;
            if (fs->persistent == 2)
                fs->dead = 1; /* the process died here */
            else if (fs->persistent)
                fs->left = 1; /* and again next time */
            else
                fs->kinds = 0;
            return fs->err;
        }
    }
    return HDB_OK;
}

/* ------------------------------------------------------------------------
** Durable images
*/
static ffile *node_for(hdb_ffs *fs, const char *path, hdb_file *bf)
{
    for (ffile *n = fs->files; n; n = n->next)
        if (!strcmp(n->path, path))
            return n;
    ffile *n = calloc(1, sizeof *n);
    n->path = strdup(path);
    uint64_t size = 0;
    if (fs->base->size(bf, &size) == HDB_OK && size) {
        size_t got = 0;
        n->img = malloc(size);
        fs->base->read(bf, n->img, size, 0, &got);
        n->len = got;
    }
    n->next = fs->files;
    fs->files = n;
    return n;
}

static void snapshot(hdb_ffs *fs, hdb_file *f)
{
    uint64_t size = 0;
    ffile *n = f->node;
    if (fs->base->size(f->base, &size) != HDB_OK)
        return;
    uint8_t *img = malloc(size ? size : 1);
    size_t got = 0;
    fs->base->read(f->base, img, size, 0, &got);
    free(n->img);
    n->img = img;
    n->len = got;
    free(n->last);
    n->last = NULL;
    n->last_n = 0;
}

/* ------------------------------------------------------------------------
** The VFS functions
*/
static int f_open(const hdb_vfs *v, const char *path, int flags, hdb_file **out)
{
    hdb_ffs *fs = FS(v);
    if (fs->dead)
        return HDB_IOERR;
    hdb_file *f = calloc(1, sizeof *f);
    int rc = fs->base->open(fs->base, path, flags, &f->base);
    if (rc != HDB_OK) {
        free(f);
        return rc;
    }
    f->fs = fs;
    f->epoch = fs->epoch;
    if (fs->track)
        f->node = node_for(fs, path, f->base);
    *out = f;
    return HDB_OK;
}

static int alive(hdb_file *f) { return f->epoch == f->fs->epoch; }

static int f_read(hdb_file *f, void *buf, size_t n, uint64_t off, size_t *got)
{
    *got = 0;
    if (!alive(f))
        return HDB_IOERR;
    int rc = fault(f->fs, FFS_READ);
    if (rc != HDB_OK)
        return rc;
    f->fs->reads++;
    return f->fs->base->read(f->base, buf, n, off, got);
}

static int f_write(hdb_file *f, const void *buf, size_t n, uint64_t off)
{
    hdb_ffs *fs = f->fs;
    if (!alive(f))
        return HDB_IOERR;
    int rc = fault(fs, FFS_WRITE);
    if (rc != HDB_OK)
        return rc;
    fs->writes++;
    if (fs->short_left && --fs->short_left == 0) {
        fs->fired = 1;
        fs->base->write(f->base, buf, n / 2, off);
        return HDB_IOERR;
    }
    if (f->node) {
        free(f->node->last);
        f->node->last = malloc(n ? n : 1);
        memcpy(f->node->last, buf, n);
        f->node->last_n = n;
        f->node->last_off = off;
    }
    return fs->base->write(f->base, buf, n, off);
}

static int f_sync(hdb_file *f)
{
    if (!alive(f))
        return HDB_IOERR;
    int rc = fault(f->fs, FFS_SYNC);
    if (rc != HDB_OK)
        return rc;
    f->fs->syncs++;
    rc = f->fs->base->sync(f->base);
    if (rc == HDB_OK && f->node)
        snapshot(f->fs, f);
    return rc;
}

static int f_truncate(hdb_file *f, uint64_t size)
{
    if (!alive(f))
        return HDB_IOERR;
    int rc = fault(f->fs, FFS_WRITE);
    return rc != HDB_OK ? rc : f->fs->base->truncate(f->base, size);
}

static int f_size(hdb_file *f, uint64_t *size)
{
    return alive(f) ? f->fs->base->size(f->base, size) : HDB_IOERR;
}

static int f_lock(hdb_file *f, int mode)
{
    return alive(f) || mode == HDB_LOCK_NONE ? f->fs->base->lock(f->base, mode) : HDB_IOERR;
}

static int f_close(hdb_file *f)
{
    if (!f)
        return HDB_OK;
    int rc = f->fs->base->close(f->base);
    free(f);
    return rc;
}

static int f_remove(const hdb_vfs *v, const char *path)
{
    hdb_ffs *fs = FS(v);
    if (fs->dead)
        return HDB_IOERR;
    for (ffile **pp = &fs->files; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->path, path)) {
            ffile *n = *pp;
            *pp = n->next;
            free(n->path);
            free(n->img);
            free(n->last);
            free(n);
            break;
        }
    return fs->base->remove(fs->base, path);
}

static int f_mkdir(const hdb_vfs *v, const char *path)
{
    return FS(v)->dead ? HDB_IOERR : FS(v)->base->mkdir(FS(v)->base, path);
}

static int f_list(const hdb_vfs *v, const char *dir, int (*fn)(void *, const char *), void *ctx)
{
    return FS(v)->dead ? HDB_IOERR : FS(v)->base->list(FS(v)->base, dir, fn, ctx);
}

static int f_sync_dir(const hdb_vfs *v, const char *dir)
{
    hdb_ffs *fs = FS(v);
    int rc = fault(fs, FFS_SYNC);
    return rc != HDB_OK ? rc : fs->base->sync_dir(fs->base, dir);
}

static int f_exists(const hdb_vfs *v, const char *path) { return FS(v)->base->exists(FS(v)->base, path); }

/* ------------------------------------------------------------------------
** Control
*/
hdb_ffs *hdb__ffs_new(const hdb_vfs *base)
{
    hdb_ffs *fs = calloc(1, sizeof *fs);
    fs->base = base;
    fs->vfs = (hdb_vfs){"faultfs", fs,       f_open,  f_read,     f_write,  f_sync,
                        f_truncate, f_size,  f_lock,  f_close,    f_remove, f_mkdir,
                        f_list,     f_sync_dir, f_exists};
    return fs;
}

void hdb__ffs_free(hdb_ffs *fs)
{
    if (!fs)
        return;
    while (fs->files) {
        ffile *n = fs->files;
        fs->files = n->next;
        free(n->path);
        free(n->img);
        free(n->last);
        free(n);
    }
    free(fs);
}

const hdb_vfs *hdb__ffs_vfs(hdb_ffs *fs) { return &fs->vfs; }

void hdb__ffs_fail(hdb_ffs *fs, int kinds, uint64_t n, int err, int persistent)
{
    fs->kinds = kinds;
    fs->left = n;
    fs->err = err;
    fs->persistent = persistent;
}

void hdb__ffs_short_write(hdb_ffs *fs, uint64_t n) { fs->short_left = n; }

void hdb__ffs_crash_at(hdb_ffs *fs, uint64_t n)
{
    fs->crash_armed = 1;
    fs->crash_left = n;
}

void hdb__ffs_clear(hdb_ffs *fs)
{
    fs->kinds = 0;
    fs->left = fs->short_left = fs->crash_left = 0;
    fs->crash_armed = fs->dead = fs->fired = 0;
}

int hdb__ffs_fired(const hdb_ffs *fs) { return fs->fired; }

void hdb__ffs_track(hdb_ffs *fs, int on) { fs->track = on; }

int hdb__ffs_power_loss(hdb_ffs *fs, int tear)
{
    int rc = HDB_OK;
    fs->epoch++;
    for (ffile *n = fs->files; n; n = n->next) {
        hdb_file *bf;
        if (fs->base->open(fs->base, n->path, HDB_VFS_CREATE, &bf) != HDB_OK) {
            rc = HDB_IOERR;
            continue;
        }
        if (fs->base->truncate(bf, n->len) != HDB_OK ||
            (n->len && fs->base->write(bf, n->img, n->len, 0) != HDB_OK))
            rc = HDB_IOERR;
        if (tear && n->last && n->last_n > 1)
            fs->base->write(bf, n->last, n->last_n / 2, n->last_off);
        fs->base->sync(bf);
        fs->base->close(bf);
        free(n->last);
        n->last = NULL;
        n->last_n = 0;
    }
    fs->dead = 0;
    return rc;
}

uint64_t hdb__ffs_reads(const hdb_ffs *fs) { return fs->reads; }
uint64_t hdb__ffs_writes(const hdb_ffs *fs) { return fs->writes; }
uint64_t hdb__ffs_syncs(const hdb_ffs *fs) { return fs->syncs; }
