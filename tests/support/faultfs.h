/*
** faultfs.h — a fault-injecting VFS for tests, wrapped around another VFS.
**
** FAULTS
**   hdb__ffs_fail(fs, kinds, n, err, persistent): the n-th operation
**     (1-based, counted from this call) among `kinds` (FFS_READ | FFS_WRITE |
**     FFS_SYNC) fails with err (HDB_IOERR or HDB_FULL) and does nothing;
**     with `persistent` = 1 every later one of those kinds fails too; with 2
**     every later operation of any kind fails (the process died there).
**   hdb__ffs_short_write(fs, n): the n-th write from now writes only the
**     first half of its bytes and returns HDB_IOERR.
**   hdb__ffs_crash_at(fs, n): after n more writes+syncs, every operation
**     fails with HDB_IOERR: the process "died" there.
**
** POWER LOSS
**   While tracking is on (hdb__ffs_track), the wrapper keeps, per file, the
**   bytes as of that file's last sync (its "durable image"; a file that
**   existed when first opened starts with its content).  hdb__ffs_power_loss()
**   rewrites every tracked file from its durable image, so everything not
**   followed by a sync of that file is gone; with `tear`, the first half of
**   the last unsynced write of each file survives (a torn page).  Directory
**   entries are taken as durable at once (files are never unlinked by a
**   power loss; a file never synced comes back empty).  Handles opened
**   before the power loss fail with HDB_IOERR afterwards.
**
** COUNTERS
**   reads, writes, syncs: operations passed to the base VFS since creation.
**
** Memory comes from malloc: this is test code.
*/
#ifndef HDB_FAULTFS_H
#define HDB_FAULTFS_H

#include <stdint.h>
#include "heliosdb.h"

#define FFS_READ 1
#define FFS_WRITE 2
#define FFS_SYNC 4

typedef struct hdb_ffs hdb_ffs;

hdb_ffs *hdb__ffs_new(const hdb_vfs *base);
void hdb__ffs_free(hdb_ffs *fs);
/* The VFS to pass in hdb_options.vfs; valid while fs lives. */
const hdb_vfs *hdb__ffs_vfs(hdb_ffs *fs);

void hdb__ffs_fail(hdb_ffs *fs, int kinds, uint64_t n, int err, int persistent);
void hdb__ffs_short_write(hdb_ffs *fs, uint64_t n);
void hdb__ffs_crash_at(hdb_ffs *fs, uint64_t n);
/* Forget every armed fault. */
void hdb__ffs_clear(hdb_ffs *fs);
/* Has an armed fault fired? */
int hdb__ffs_fired(const hdb_ffs *fs);

void hdb__ffs_track(hdb_ffs *fs, int on);
/* Drop every unsynced write (see above).  HDB_OK or HDB_IOERR. */
int hdb__ffs_power_loss(hdb_ffs *fs, int tear);

uint64_t hdb__ffs_reads(const hdb_ffs *fs);
uint64_t hdb__ffs_writes(const hdb_ffs *fs);
uint64_t hdb__ffs_syncs(const hdb_ffs *fs);

#endif
