/*
** track_file.c — what the writer noted about the leaves it changed
** (btree/track.c), kept across a close and the next open.
**
** WHY
**   Those notes let a merge count an adopted leaf without reading it.  They
**   live in memory; without this file a merge after a reopen reads both
**   versions of every such leaf again.
**
** HOW IT WORKS
**   At close, after the last checkpoint, the notes about pages that
**   checkpoint wrote go to the file "track" in the log directory (the log
**   reads only its 16-hex-digit segment names).  The next writable open
**   reads it after recovery, takes it only if it was written at the very
**   checkpoint the database file now holds, and removes it.  Nothing about
**   it is synced: a file that is missing, torn or stale is ignored, and a
**   merge then reads the leaves as it would without it.
**
** THE FILE (little-endian)
**   OFFSET SIZE DESCRIPTION
**        0    8 magic "HDBTRACK"
**        8    4 version (1)
**       12    4 entries
**       16    8 the database's salt (page 0)
**       24    8 checkpoint sequence   } of the meta written by the close
**       32    8 checkpoint LSN        } that wrote this file
**       40    8 checkpoint time (µs)  }
**       48  ... entries, each in btree/track.c's saved form
**      end    8 XXH3-64 of every byte before it
**
** INVARIANTS
**   1. Every entry in the file names pages born at or before the
**      checkpoint LSN in its header: pages that are in the database file,
**      and that no recovery makes anew.
**   2. An entry is loaded only when salt, sequence, LSN and time equal the
**      meta of the open database: the file was written at the checkpoint
**      the database holds, so its pages are the ones the entries describe.
**   3. No error here fails an open or a close.
*/
#include <string.h>
#include <xxhash.h>
#include "src/engine.h"

#define TRACK_MAGIC "HDBTRACK"
#define TRACK_HDR 48
#define TRACK_VERSION 1u

static char *track_path(hdb_engine *e)
{
    char *p = hdb__malloc(e->mem, strlen(e->path) + sizeof "-wal/track");
    if (p) {
        strcpy(p, e->path);
        strcat(p, "-wal/track");
    }
    return p;
}

static void header(hdb_engine *e, uint8_t *h, size_t nent)
{
    const hdb_meta *m = hdb__pager_meta(e->pager);
    memcpy(h, TRACK_MAGIC, 8);
    hdb__put32(h + 8, TRACK_VERSION);
    hdb__put32(h + 12, (uint32_t)nent);
    hdb__put64(h + 16, hdb__pager_db_salt(e->pager));
    hdb__put64(h + 24, m->ckpt_seq);
    hdb__put64(h + 32, m->ckpt_lsn);
    hdb__put64(h + 40, (uint64_t)m->ckpt_time_us);
}

void hdb__track_file_save(hdb_engine *e)
{
    const hdb_vfs *vfs = e->opt.vfs;
    size_t max = hdb__track_saved_max(&e->bt);
    if (e->opt.read_only || !max)
        return;
    char *path = track_path(e);
    uint8_t *b = hdb__malloc(e->mem, TRACK_HDR + max + 8);
    hdb_file *f = NULL;
    if (path && b) {
        size_t n = hdb__track_save(&e->bt, hdb__pager_meta(e->pager)->ckpt_lsn, b + TRACK_HDR, max);
        header(e, b, n / HDB_TRACK_ENT_BYTES);
        hdb__put64(b + TRACK_HDR + n, XXH3_64bits(b, TRACK_HDR + n));
        if (n && vfs->open(vfs, path, HDB_VFS_CREATE, &f) == HDB_OK) {
            if (vfs->truncate(f, 0) != HDB_OK || vfs->write(f, b, TRACK_HDR + n + 8, 0) != HDB_OK)
                (void)vfs->remove(vfs, path);
            vfs->close(f);
        }
    }
    hdb__free(e->mem, b);
    hdb__free(e->mem, path);
}

void hdb__track_file_load(hdb_engine *e)
{
    const hdb_vfs *vfs = e->opt.vfs;
    char *path = track_path(e);
    hdb_file *f = NULL;
    uint8_t *b = NULL;
    uint64_t size = 0;
    if (e->opt.read_only || !path || !vfs->exists(vfs, path) ||
        vfs->open(vfs, path, HDB_VFS_READONLY, &f) != HDB_OK) {
        hdb__free(e->mem, path);
        return;
    }
    size_t got = 0;
    uint8_t h[TRACK_HDR];
    header(e, h, 0);
    if (vfs->size(f, &size) == HDB_OK && size >= TRACK_HDR + 8 && size <= ((uint64_t)1 << 30) &&
        (b = hdb__malloc(e->mem, (size_t)size)) &&
        vfs->read(f, b, (size_t)size, 0, &got) == HDB_OK && got == size &&
        !memcmp(b, h, 12) &&
        !memcmp(b + 16, h + 16, TRACK_HDR - 16) &&
        (uint64_t)hdb__get32(b + 12) * HDB_TRACK_ENT_BYTES == size - TRACK_HDR - 8 &&
        hdb__get64(b + size - 8) == XXH3_64bits(b, (size_t)size - 8))
        hdb__track_load(&e->bt, b + TRACK_HDR, (size_t)size - TRACK_HDR - 8);
    vfs->close(f);
    (void)vfs->remove(vfs, path); /* the pages it names change from now on */
    hdb__free(e->mem, b);
    hdb__free(e->mem, path);
}
