/*
** fault_vfs.c — the fault-injecting VFS (see fault_vfs.h for the model).
**
** HOW IT WORKS
**   Every call goes through one decision function per class (read, write,
**   sync) that counts it, applies a crash, then the armed fault.  Shadows
**   (durable images) live in a list keyed by path; a handle keeps its path
**   and looks its shadow up on each mutating call, so removing a file (which
**   drops the shadow) never leaves a handle with a dangling pointer.  A
**   shadow remembers the lowest offset changed since the last sync
**   (`dirty`): a sync re-reads the file from there, a power loss rewrites it
**   from there.
*/
#include <stdlib.h>
#include <string.h>
#include "fault_vfs.h"

#define NONE UINT64_MAX

typedef struct shadow {
    struct shadow *next;
    char *path;
    uint8_t *img;   /* the durable bytes */
    uint64_t len;   /* the durable size */
    uint64_t dirty; /* lowest offset changed since the last sync, NONE if none */
} shadow;

/* One armed fault: `left` calls until it fires (0: disarmed). */
typedef struct arm {
    uint64_t left;
    int err, persistent, firing;
} arm;

struct hdb_fault_vfs {
    hdb_vfs vfs; /* vfs.ctx points back here */
    const hdb_vfs *base;
    uint64_t reads, writes, syncs, injected;
    arm rd, wr, sy;
    uint64_t short_left;
    uint64_t crash_left;
    int crash_armed, crashed;
    int track;
    unsigned epoch; /* power losses so far: a handle of an older epoch is dead */
    shadow *shadows;
};

struct hdb_file {
    hdb_file *base;
    hdb_fault_vfs *fv;
    unsigned epoch;
    char path[]; /* as given to open */
};

static hdb_fault_vfs *FV(const hdb_vfs *v) { return (hdb_fault_vfs *)v->ctx; }

/* ------------------------------------------------------------------------
** Fault decisions
*/
static int arm_hit(arm *a)
{
    if (a->firing)
        return a->err;
    if (!a->left || --a->left)
        return HDB_OK;
    a->firing = a->persistent;
    return a->err;
}

/* Does the crash stop this call?  `counts`: a write or sync. */
static int crash_hit(hdb_fault_vfs *fv, int counts)
{
    if (!fv->crashed && fv->crash_armed && counts) {
        if (fv->crash_left == 0)
            fv->crashed = 1;
        else
            fv->crash_left--;
    }
    return fv->crashed;
}

/* The verdict for one call of a class: HDB_OK or the error to return. */
static int decide(hdb_fault_vfs *fv, arm *a, int counts)
{
    int rc = crash_hit(fv, counts) ? HDB_IOERR : arm_hit(a);
    if (rc != HDB_OK)
        fv->injected++;
    return rc;
}

static int dead(hdb_file *f) { return f->epoch != f->fv->epoch; }

/* ------------------------------------------------------------------------
** Shadows
*/
static shadow *shadow_find(hdb_fault_vfs *fv, const char *path)
{
    for (shadow *s = fv->shadows; s; s = s->next)
        if (!strcmp(s->path, path))
            return s;
    return NULL;
}

/* Read the whole file behind bf into a fresh allocation. */
static int read_all(const hdb_vfs *base, hdb_file *bf, uint8_t **img, uint64_t *len)
{
    size_t got = 0;
    int rc = base->size(bf, len);
    if (rc != HDB_OK)
        return rc;
    if (!(*img = malloc(*len ? (size_t)*len : 1)))
        return HDB_NOMEM;
    if ((rc = base->read(bf, *img, (size_t)*len, 0, &got)) == HDB_OK && got != *len)
        rc = HDB_IOERR;
    if (rc != HDB_OK) {
        free(*img);
        *img = NULL;
    }
    return rc;
}

/* A new shadow for path: empty if `created`, else the file's content. */
static int shadow_add(hdb_fault_vfs *fv, const char *path, hdb_file *bf, int created)
{
    shadow *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return HDB_NOMEM;
    }
    int rc = created ? HDB_OK : read_all(fv->base, bf, &s->img, &s->len);
    if (rc != HDB_OK) {
        free(s->path);
        free(s);
        return rc;
    }
    s->dirty = created ? 0 : NONE;
    s->next = fv->shadows;
    fv->shadows = s;
    return HDB_OK;
}

/* The shadow of f's file, made on first sight while tracking; NULL when not
 * tracking (or out of memory: the file is then simply not covered). */
static shadow *shadow_of(hdb_file *f)
{
    hdb_fault_vfs *fv = f->fv;
    if (!fv->track)
        return NULL;
    shadow *s = shadow_find(fv, f->path);
    if (!s && shadow_add(fv, f->path, f->base, 0) == HDB_OK)
        s = fv->shadows;
    return s;
}

static void shadow_free(shadow *s)
{
    free(s->path);
    free(s->img);
    free(s);
}

static void shadow_drop(hdb_fault_vfs *fv, const char *path)
{
    for (shadow **pp = &fv->shadows; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->path, path)) {
            shadow *s = *pp;
            *pp = s->next;
            shadow_free(s);
            return;
        }
}

static void mark_dirty(shadow *s, uint64_t off)
{
    if (s && off < s->dirty)
        s->dirty = off;
}

/* After a successful sync: the image becomes the file as it is now. */
static int shadow_sync(hdb_fault_vfs *fv, shadow *s, hdb_file *bf)
{
    uint64_t size;
    size_t got = 0;
    int rc = fv->base->size(bf, &size);
    if (rc != HDB_OK || s->dirty == NONE)
        return rc;
    uint64_t keep = s->dirty < s->len ? s->dirty : s->len;
    if (keep > size)
        keep = size;
    uint8_t *img = realloc(s->img, size ? (size_t)size : 1);
    if (!img)
        return HDB_NOMEM;
    s->img = img;
    rc = fv->base->read(bf, img + keep, (size_t)(size - keep), keep, &got);
    if (rc == HDB_OK && got != size - keep)
        rc = HDB_IOERR;
    if (rc == HDB_OK) {
        s->len = size;
        s->dirty = NONE;
    }
    return rc;
}

/* Rewrite one file from its image. */
static int shadow_restore(hdb_fault_vfs *fv, shadow *s)
{
    hdb_file *bf;
    if (s->dirty == NONE)
        return HDB_OK;
    int rc = fv->base->open(fv->base, s->path, HDB_VFS_CREATE, &bf);
    if (rc != HDB_OK)
        return rc;
    uint64_t from = s->dirty < s->len ? s->dirty : s->len;
    rc = fv->base->truncate(bf, s->len);
    if (rc == HDB_OK && from < s->len)
        rc = fv->base->write(bf, s->img + from, (size_t)(s->len - from), from);
    fv->base->close(bf);
    if (rc == HDB_OK)
        s->dirty = NONE;
    return rc;
}

/* ------------------------------------------------------------------------
** The table
*/
static int f_open(const hdb_vfs *v, const char *path, int flags, hdb_file **out)
{
    hdb_fault_vfs *fv = FV(v);
    *out = NULL;
    if (fv->crashed)
        return HDB_IOERR;
    size_t n = strlen(path) + 1;
    hdb_file *f = malloc(sizeof *f + n);
    if (!f)
        return HDB_NOMEM;
    int existed = fv->base->exists(fv->base, path);
    int rc = fv->base->open(fv->base, path, flags, &f->base);
    if (rc != HDB_OK) {
        free(f);
        return rc;
    }
    if (fv->track && !shadow_find(fv, path))
        rc = shadow_add(fv, path, f->base, !existed);
    if (rc != HDB_OK) {
        fv->base->close(f->base);
        free(f);
        return rc;
    }
    f->fv = fv;
    f->epoch = fv->epoch;
    memcpy(f->path, path, n);
    *out = f;
    return HDB_OK;
}

static int f_read(hdb_file *f, void *buf, size_t n, uint64_t off, size_t *got)
{
    hdb_fault_vfs *fv = f->fv;
    *got = 0;
    __atomic_fetch_add(&fv->reads, 1, __ATOMIC_RELAXED); /* reads run in parallel */
    if (dead(f))
        return HDB_IOERR;
    int rc = decide(fv, &fv->rd, 0);
    return rc != HDB_OK ? rc : fv->base->read(f->base, buf, n, off, got);
}

static int f_write(hdb_file *f, const void *buf, size_t n, uint64_t off)
{
    hdb_fault_vfs *fv = f->fv;
    fv->writes++;
    int cut = fv->short_left && --fv->short_left == 0;
    if (dead(f))
        return HDB_IOERR;
    int rc = decide(fv, &fv->wr, 1);
    if (rc != HDB_OK)
        return rc;
    mark_dirty(shadow_of(f), off);
    if (cut) {
        fv->injected++;
        (void)fv->base->write(f->base, buf, n / 2, off);
        return HDB_IOERR;
    }
    return fv->base->write(f->base, buf, n, off);
}

static int f_truncate(hdb_file *f, uint64_t size)
{
    hdb_fault_vfs *fv = f->fv;
    fv->writes++;
    if (fv->short_left > 1)
        fv->short_left--; /* counts towards nth, never cut short itself */
    if (dead(f))
        return HDB_IOERR;
    int rc = decide(fv, &fv->wr, 1);
    if (rc != HDB_OK)
        return rc;
    mark_dirty(shadow_of(f), size);
    return fv->base->truncate(f->base, size);
}

static int f_sync(hdb_file *f)
{
    hdb_fault_vfs *fv = f->fv;
    fv->syncs++;
    if (dead(f))
        return HDB_IOERR;
    int rc = decide(fv, &fv->sy, 1);
    if (rc != HDB_OK)
        return rc;
    shadow *s = shadow_of(f);
    rc = fv->base->sync(f->base);
    return rc == HDB_OK && s ? shadow_sync(fv, s, f->base) : rc;
}

static int f_size(hdb_file *f, uint64_t *size)
{
    if (dead(f) || f->fv->crashed)
        return HDB_IOERR;
    return f->fv->base->size(f->base, size);
}

static int f_lock(hdb_file *f, int mode)
{
    if (mode != HDB_LOCK_NONE && (dead(f) || f->fv->crashed))
        return HDB_IOERR;
    return f->fv->base->lock(f->base, mode);
}

static int f_close(hdb_file *f)
{
    if (!f)
        return HDB_OK;
    int rc = f->fv->base->close(f->base);
    free(f);
    return rc;
}

static int f_remove(const hdb_vfs *v, const char *path)
{
    hdb_fault_vfs *fv = FV(v);
    if (fv->crashed)
        return HDB_IOERR;
    int rc = fv->base->remove(fv->base, path);
    if (rc == HDB_OK)
        shadow_drop(fv, path);
    return rc;
}

static int f_mkdir(const hdb_vfs *v, const char *path)
{
    return FV(v)->crashed ? HDB_IOERR : FV(v)->base->mkdir(FV(v)->base, path);
}

static int f_list(const hdb_vfs *v, const char *dir, int (*fn)(void *, const char *), void *ctx)
{
    return FV(v)->crashed ? HDB_IOERR : FV(v)->base->list(FV(v)->base, dir, fn, ctx);
}

static int f_sync_dir(const hdb_vfs *v, const char *dir)
{
    hdb_fault_vfs *fv = FV(v);
    fv->syncs++;
    int rc = decide(fv, &fv->sy, 1);
    return rc != HDB_OK ? rc : fv->base->sync_dir(fv->base, dir);
}

static int f_exists(const hdb_vfs *v, const char *path)
{
    return FV(v)->base->exists(FV(v)->base, path);
}

/* ------------------------------------------------------------------------
** Control
*/
hdb_fault_vfs *hdb__fault_create(const hdb_vfs *base)
{
    hdb_fault_vfs *fv = calloc(1, sizeof *fv);
    if (!fv)
        return NULL;
    fv->base = base;
    fv->vfs = (hdb_vfs){"fault",    fv,      f_open,  f_read,   f_write,    f_sync,
                        f_truncate, f_size,  f_lock,  f_close,  f_remove,   f_mkdir,
                        f_list,     f_sync_dir, f_exists};
    return fv;
}

void hdb__fault_destroy(hdb_fault_vfs *fv)
{
    if (!fv)
        return;
    while (fv->shadows) {
        shadow *s = fv->shadows;
        fv->shadows = s->next;
        shadow_free(s);
    }
    free(fv);
}

const hdb_vfs *hdb__fault_vfs(hdb_fault_vfs *fv) { return &fv->vfs; }

uint64_t hdb__fault_reads(const hdb_fault_vfs *fv) { return fv->reads; }
uint64_t hdb__fault_writes(const hdb_fault_vfs *fv) { return fv->writes; }
uint64_t hdb__fault_syncs(const hdb_fault_vfs *fv) { return fv->syncs; }
uint64_t hdb__fault_injected(const hdb_fault_vfs *fv) { return fv->injected; }

static void arm_set(arm *a, uint64_t nth, int err, int persistent)
{
    a->left = nth;
    a->err = err;
    a->persistent = persistent;
    a->firing = 0;
}

void hdb__fault_fail_read(hdb_fault_vfs *fv, uint64_t nth, int err, int persistent)
{
    arm_set(&fv->rd, nth, err, persistent);
}

void hdb__fault_fail_write(hdb_fault_vfs *fv, uint64_t nth, int err, int persistent)
{
    arm_set(&fv->wr, nth, err, persistent);
}

void hdb__fault_fail_sync(hdb_fault_vfs *fv, uint64_t nth, int err, int persistent)
{
    arm_set(&fv->sy, nth, err, persistent);
}

void hdb__fault_short_write(hdb_fault_vfs *fv, uint64_t nth) { fv->short_left = nth; }

void hdb__fault_crash_after(hdb_fault_vfs *fv, uint64_t nops)
{
    fv->crash_armed = 1;
    fv->crash_left = nops;
}

int hdb__fault_crashed(const hdb_fault_vfs *fv) { return fv->crashed; }

void hdb__fault_reset(hdb_fault_vfs *fv)
{
    arm_set(&fv->rd, 0, HDB_OK, 0);
    arm_set(&fv->wr, 0, HDB_OK, 0);
    arm_set(&fv->sy, 0, HDB_OK, 0);
    fv->short_left = fv->crash_left = 0;
    fv->crash_armed = fv->crashed = 0;
}

void hdb__fault_power_loss_mode(hdb_fault_vfs *fv, int on)
{
    fv->track = on != 0;
    if (on)
        return;
    while (fv->shadows) {
        shadow *s = fv->shadows;
        fv->shadows = s->next;
        shadow_free(s);
    }
}

int hdb__fault_power_loss(hdb_fault_vfs *fv)
{
    int rc = HDB_OK;
    fv->epoch++;
    for (shadow *s = fv->shadows; s; s = s->next) {
        int r = shadow_restore(fv, s);
        if (rc == HDB_OK)
            rc = r;
    }
    hdb__fault_reset(fv);
    return rc;
}
