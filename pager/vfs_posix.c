/*
** vfs_posix.c — the default VFS: pread/pwrite/fsync/flock on POSIX.
**
** Every call maps errno to a result code: ENOSPC/EDQUOT -> HDB_FULL,
** ENOENT -> HDB_NOTFOUND (open without create, remove), EEXIST ->
** HDB_EXISTS (exclusive create), EWOULDBLOCK on flock -> HDB_BUSY, anything
** else -> HDB_IOERR.  Reads and writes retry on EINTR and on partial
** transfers, so a short write reported by the kernel is completed or turned
** into an error, never silently accepted.
**
** The lock is flock(2) on the file itself: it is per open file description,
** so two connections of one process that each open the file conflict just
** as two processes do.
**
** Files are opened with O_NOATIME where the system has it: a read then does
** not have the kernel check and update the file's access time (about 2% of
** the time of a page read from the OS cache).  Only the file's owner may
** ask for it; for anyone else (EPERM) the open is made again without it.
*/
#define _GNU_SOURCE /* O_NOATIME */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <dirent.h>
#include <unistd.h>
#include <stdlib.h>

#include "heliosdb.h"

struct hdb_file {
    int fd;
};

static int errno_rc(int e)
{
    switch (e) {
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
    case EFBIG:
        return HDB_FULL;
    case ENOENT:
        return HDB_NOTFOUND;
    case EEXIST:
        return HDB_EXISTS;
    case ENOMEM:
        return HDB_NOMEM;
    default:
        return HDB_IOERR;
    }
}

static int px_open(const hdb_vfs *vfs, const char *path, int flags, hdb_file **out)
{
    int oflags = (flags & HDB_VFS_READONLY) ? O_RDONLY : O_RDWR;
    if (flags & HDB_VFS_CREATE)
        oflags |= O_CREAT;
    if (flags & HDB_VFS_EXCL)
        oflags |= O_CREAT | O_EXCL;
    *out = NULL;
    hdb_file *f = malloc(sizeof *f);
    if (!f)
        return HDB_NOMEM;
    int fd;
#ifdef O_NOATIME
    do
        fd = open(path, oflags | O_CLOEXEC | O_NOATIME, 0644);
    while (fd < 0 && errno == EINTR);
    if (fd < 0 && errno == EPERM) /* not the owner: no O_NOATIME for us */
#endif
        do
            fd = open(path, oflags | O_CLOEXEC, 0644);
        while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int rc = errno_rc(errno);
        free(f);
        return rc;
    }
    f->fd = fd;
    *out = f;
    return HDB_OK;
}

static int px_read(hdb_file *f, void *buf, size_t n, uint64_t off, size_t *got)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(f->fd, (char *)buf + done, n - done, (off_t)(off + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            *got = done;
            return errno_rc(errno);
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    *got = done;
    return HDB_OK;
}

static int px_write(hdb_file *f, const void *buf, size_t n, uint64_t off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pwrite(f->fd, (const char *)buf + done, n - done, (off_t)(off + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno_rc(errno);
        }
        if (r == 0)
            return HDB_IOERR;
        done += (size_t)r;
    }
    return HDB_OK;
}

static int px_sync(hdb_file *f)
{
    int r;
    do
#if defined(__linux__)
        r = fdatasync(f->fd);
#else
        r = fsync(f->fd);
#endif
    while (r < 0 && errno == EINTR);
    return r < 0 ? errno_rc(errno) : HDB_OK;
}

static int px_truncate(hdb_file *f, uint64_t size)
{
    int r;
    do
        r = ftruncate(f->fd, (off_t)size);
    while (r < 0 && errno == EINTR);
    return r < 0 ? errno_rc(errno) : HDB_OK;
}

static int px_size(hdb_file *f, uint64_t *size)
{
    struct stat st;
    if (fstat(f->fd, &st) < 0)
        return errno_rc(errno);
    *size = (uint64_t)st.st_size;
    return HDB_OK;
}

static int px_lock(hdb_file *f, int mode)
{
    int op = mode == HDB_LOCK_NONE ? LOCK_UN : mode == HDB_LOCK_SHARED ? LOCK_SH : LOCK_EX;
    if (mode != HDB_LOCK_NONE)
        op |= LOCK_NB;
    int r;
    do
        r = flock(f->fd, op);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return errno == EWOULDBLOCK ? HDB_BUSY : errno_rc(errno);
    return HDB_OK;
}

static int px_close(hdb_file *f)
{
    if (!f)
        return HDB_OK;
    int r = close(f->fd);
    free(f);
    return r < 0 && errno != EINTR ? HDB_IOERR : HDB_OK;
}

static int px_remove(const hdb_vfs *vfs, const char *path)
{
    return unlink(path) < 0 ? errno_rc(errno) : HDB_OK;
}

static int px_mkdir(const hdb_vfs *vfs, const char *path)
{
    if (mkdir(path, 0755) == 0)
        return HDB_OK;
    if (errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return HDB_OK;
        return HDB_IOERR;
    }
    return errno_rc(errno);
}

static int px_list(const hdb_vfs *vfs, const char *dir, int (*fn)(void *, const char *),
                   void *ctx)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno_rc(errno);
    int rc = HDB_OK;
    struct dirent *e;
    while (rc == HDB_OK && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        rc = fn(ctx, e->d_name);
    }
    closedir(d);
    return rc;
}

static int px_sync_dir(const hdb_vfs *vfs, const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno_rc(errno);
    int r;
    do
        r = fsync(fd);
    while (r < 0 && errno == EINTR);
    int e = errno;
    close(fd);
    /* Some file systems refuse fsync on a directory; that is not a failure
     * of durability we can do anything about. */
    return r < 0 && e != EINVAL ? errno_rc(e) : HDB_OK;
}

static int px_exists(const hdb_vfs *vfs, const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static const hdb_vfs posix_vfs = {
    "posix",     NULL,      px_open,   px_read,     px_write,       px_sync,  px_truncate,
    px_size,     px_lock,   px_close,  px_remove,   px_mkdir,       px_list,  px_sync_dir,
    px_exists,
};

const hdb_vfs *hdb_vfs_posix(void)
{
    return &posix_vfs;
}
