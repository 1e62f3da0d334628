/*
** fault_vfs.h — a fault-injecting hdb_vfs for tests, wrapped around another.
**
** WHAT IT IS
**   hdb__fault_create(base) returns a wrapper whose table (hdb__fault_vfs())
**   forwards every call to `base` and can, on request, fail chosen calls,
**   cut a write short, "kill the process" after a number of operations, or
**   simulate a power loss that throws away everything not fsynced.  It is
**   what lets the suites check invariant 4 of wal.h and the pager's sticky
**   failures: loop "fail the Nth operation" over every N of a workload and
**   end each iteration with reopen + integrity check.
**
** OPERATION CLASSES AND COUNTERS
**   read  = read()
**   write = write() and truncate()
**   sync  = sync() and sync_dir()
**   hdb__fault_reads/writes/syncs() count every call of each class made on
**   the wrapper since it was created, whatever its outcome (a call refused
**   by a fault is counted too).  open, size, lock, close, remove, mkdir,
**   list and exists are not counted and are never failed by an armed fault
**   (only by a crash, see below).  hdb__fault_injected() counts the read,
**   write and sync calls the wrapper failed or cut short on purpose (armed
**   faults, short writes, a crash), so a sweep knows when its nth operation
**   lies past the end of the workload.
**
** ARMED FAULTS
**   hdb__fault_fail_read/_write/_sync(fv, nth, err, persistent): the nth call
**   of that class from now (1-based: nth = 1 is the very next one) returns
**   err (HDB_IOERR or HDB_FULL) and does nothing.  With persistent != 0,
**   every later call of that class fails the same way too (a dead disk);
**   otherwise the fault fires once and disarms.  nth = 0 disarms.  Each
**   class has one fault; arming again replaces it.
**   hdb__fault_short_write(fv, nth): the nth write-class call from now, if
**   it is a write(), writes only the first n/2 bytes of its n to the file,
**   then returns HDB_IOERR.  A truncate() counts towards nth but is never
**   cut short: if the nth call is a truncate, the next write() is cut
**   instead; if the nth write() is refused by another fault, nothing is cut.
**   Its counter is independent of hdb__fault_fail_write's.
**   hdb__fault_crash_after(fv, nops): the next nops writes + syncs proceed;
**   from then on EVERY call (open, read, write, sync, truncate, size, lock
**   other than release, remove, mkdir, list, sync_dir) returns HDB_IOERR, as
**   if the process had died right there.  close() still closes the base
**   handle and frees (so tests do not leak), and exists() passes through
**   (it cannot return an error).  Combine with hdb__fault_power_loss() to
**   model the machine dying, or call hdb__fault_reset() to model only the
**   process dying (what it wrote to the OS stays).
**   hdb__fault_reset(fv): disarm every fault and end a crash.
**
** POWER LOSS
**   While hdb__fault_power_loss_mode(fv, 1) is on, the wrapper keeps, per
**   path, a shadow "durable image": the file's bytes and size as of its last
**   successful sync() through the wrapper.  A file's image starts as its
**   content when the wrapper first meets it with the mode on (at open, or at
**   the first write/truncate/sync of a handle opened before the mode was
**   turned on); a file the open creates starts empty.  hdb__fault_power_loss()
**   then rewrites every shadowed file from its image (only the bytes from the
**   lowest offset changed since the last sync, and the size), so every write
**   and truncate not followed by a sync of that file is undone, and everything
**   synced is kept.  Afterwards every handle opened before the power loss is
**   dead (each call returns HDB_IOERR; close() still frees it), armed faults
**   and a crash are cleared (the machine restarted) and the images stay as
**   they are for the next round.  Without the mode on, power loss only kills
**   the handles.
**   Directory entries are durable at once: a created file is kept even if
**   its directory was never sync_dir'ed (it comes back empty if the file was
**   never synced), a removed file stays removed (its shadow is dropped), and
**   mkdir is durable.  This is the weaker, simpler model; tests that need
**   lost directory entries must remove the files themselves.
**   Paths are compared as strings: name a file by the same path every time.
**
** LIMITATIONS
**   One thread at a time.  Shadows hold whole files in memory (test data).
**   Memory comes from malloc: this is test code, not the library.
*/
#ifndef HDB_FAULT_VFS_H
#define HDB_FAULT_VFS_H

#include <stdint.h>
#include "heliosdb.h"

typedef struct hdb_fault_vfs hdb_fault_vfs;

/* A wrapper around base (borrowed: it must outlive the wrapper).
 * Returned-owned (hdb__fault_destroy); NULL if out of memory. */
hdb_fault_vfs *hdb__fault_create(const hdb_vfs *base);
/* Free the wrapper and its shadows; every handle must be closed first.
 * NULL is a no-op. */
void hdb__fault_destroy(hdb_fault_vfs *fv);
/* The table to give to the code under test; borrowed, valid while fv lives. */
const hdb_vfs *hdb__fault_vfs(hdb_fault_vfs *fv);

uint64_t hdb__fault_reads(const hdb_fault_vfs *fv);
uint64_t hdb__fault_writes(const hdb_fault_vfs *fv);
uint64_t hdb__fault_syncs(const hdb_fault_vfs *fv);
uint64_t hdb__fault_injected(const hdb_fault_vfs *fv);

void hdb__fault_fail_read(hdb_fault_vfs *fv, uint64_t nth, int err, int persistent);
void hdb__fault_fail_write(hdb_fault_vfs *fv, uint64_t nth, int err, int persistent);
void hdb__fault_fail_sync(hdb_fault_vfs *fv, uint64_t nth, int err, int persistent);
void hdb__fault_short_write(hdb_fault_vfs *fv, uint64_t nth);
void hdb__fault_crash_after(hdb_fault_vfs *fv, uint64_t nops);
/* Has a crash happened (and not been cleared)?  1 or 0. */
int hdb__fault_crashed(const hdb_fault_vfs *fv);
void hdb__fault_reset(hdb_fault_vfs *fv);

void hdb__fault_power_loss_mode(hdb_fault_vfs *fv, int on);
/* Undo every unsynced write (see POWER LOSS).  HDB_OK, or the first error
 * of the base VFS while restoring (the restore goes on with the other
 * files). */
int hdb__fault_power_loss(hdb_fault_vfs *fv);

#endif
