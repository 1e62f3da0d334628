/*
** memdb.c — the files behind hdb_open(":memory:").
**
** A database named ":memory:" (as in SQLite) is private to its connection
** and gone when the connection closes.  The engine works on files, so such
** a database is a file in a fresh private directory of the temporary
** directory ($TMPDIR, else /tmp): "heliosdb-mem-XXXXXX/memory.db", with its
** log in "memory.db-wal/" beside it.  Commits skip fsync (nothing is to
** survive a crash), and hdb_close() removes the directory and everything in
** it.  The page cache keeps a small database in memory all the same; a
** large one spills to the temporary directory, as SQLite's temporary
** databases do.  A process that dies leaves the directory behind.
**
** INVARIANTS
**   - Only files this module's database made are removed: the directory
**     is mkdtemp()'s own, and the walk goes one level into its log
**     directory, no deeper, following no symbolic link.
*/
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "src/engine.h"

#define MEM_FILE "memory.db"

int hdb__memdb_make(const hdb_allocator *mem, char *path, size_t n, char **dir)
{
    const char *tmp = getenv("TMPDIR");
    char d[PATH_MAX];
    if (!tmp || !*tmp)
        tmp = "/tmp";
    if ((size_t)snprintf(d, sizeof d, "%s/heliosdb-mem-XXXXXX", tmp) >= sizeof d || !mkdtemp(d))
        return HDB_IOERR;
    size_t dn = strlen(d);
    if ((size_t)snprintf(path, n, "%s/%s", d, MEM_FILE) >= n || !(*dir = hdb__malloc(mem, dn + 1))) {
        rmdir(d);
        return HDB_NOMEM;
    }
    memcpy(*dir, d, dn + 1);
    return HDB_OK;
}

/* Remove the regular files of directory d, then d (depth levels below d
 * are walked too). */
static void remove_dir(const char *d, int depth)
{
    DIR *dp = opendir(d);
    struct dirent *de;
    char p[PATH_MAX];
    struct stat st;
    while (dp && (de = readdir(dp)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if ((size_t)snprintf(p, sizeof p, "%s/%s", d, de->d_name) >= sizeof p || lstat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth > 0)
                remove_dir(p, depth - 1);
        } else {
            unlink(p);
        }
    }
    if (dp)
        closedir(dp);
    rmdir(d);
}

void hdb__memdb_remove(const hdb_allocator *mem, char *dir)
{
    if (!dir)
        return;
    remove_dir(dir, 1);
    hdb__free(mem, dir);
}
