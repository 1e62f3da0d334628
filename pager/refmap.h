/*
** refmap.h — the reference-count map: one 32-bit count per data page.
**
** HOW IT IS LAID OUT
**   After the header (page 0) and the two meta slots (pages 1, 2) the file
**   is a sequence of regions.  With E = (P - 32) / 4 counts per map page,
**   region r starts at page 3 + r * (E + 2):
**
**     [map slot A][map slot B][E data pages]
**
**   The two slots hold two versions of the region's map page.  A checkpoint
**   writes a changed map page to the slot the durable meta does not use, so
**   a crash during a checkpoint leaves the previous version whole; the map
**   is never overwritten in place while the durable meta needs it.
**
** MAP PAGE
**   OFFSET SIZE DESCRIPTION
**        0   24 common page header (page.h); type HDB_PT_MAP; pgno is the
**               slot's own page number; birth is the checkpoint sequence
**               number the copy belongs to
**       24    4 region number r
**       28    4 reserved, zero
**       32   4E count of data page i of the region (u32, little-endian)
**
** WHICH SLOT IS CURRENT
**   At open, of the two slots the valid one (checksum, type, pgno, region)
**   with the highest sequence <= the meta's sequence is current.  Copies
**   with a higher sequence are leftovers of an interrupted checkpoint or
**   epoch; the open-time scan marks their regions so the next checkpoint
**   overwrites them (otherwise a later meta with that sequence could adopt
**   them).  During a run the pager remembers, per region, which slot holds
**   the latest copy (rstate bits below).
**
** COUNTS
**   The count of a page is the number of pointers to it from live pages,
**   roots and branch records.  0 = free.  A count is 32 bits; an increment
**   past UINT32_MAX - 1 fails with HDB_FULL (it would take four billion
**   pointers to one page).
*/
#ifndef HDB_REFMAP_H
#define HDB_REFMAP_H

#define HDB_MAP_HDR 32
#define HDB_MAP_FIRST 3 /* first page of region 0 */

/* rstate bits, one byte per region */
#define HDB_RS_CUR_B 0x01 /* the durable copy is in slot B (else A) */
#define HDB_RS_HAS 0x02   /* a durable copy exists */
#define HDB_RS_EPOCH 0x04 /* the write slot holds a newer copy (evicted this epoch) */
#define HDB_RS_FORCE 0x08 /* the write slot holds a stale copy: rewrite at checkpoint */

#endif
