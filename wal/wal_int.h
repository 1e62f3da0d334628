/*
** wal_int.h — the log handle, shared by wal.c (append) and wal_read.c
** (open, recovery, reading the past).
*/
#ifndef HDB_WAL_INT_H
#define HDB_WAL_INT_H

#include <stdio.h>
#include "pager/buf.h"
#include "pager/bytes.h"
#include "pager/mem.h"
#include "wal/wal.h"

#define HDB_WAL_MAGIC "HDBLOG\0\1"
#define HDB_WAL_HDR 64
#define HDB_WAL_MAX_PAYLOAD (1u << 30)
#define HDB_WAL_PATH 4200

struct hdb_wal {
    hdb_wal_cfg cfg;
    const hdb_vfs *vfs;
    char *dir;
    hdb_wal_seg_info *seg; /* retained segments, oldest first; the last is current */
    size_t nseg, seg_cap;
    hdb_file *f;           /* the current segment */
    uint64_t salt, off, chain;
    uint64_t last_lsn;
    int in_txn, rotate, err;
    uint64_t txn_off, txn_chain;
    hdb_buf buf;           /* frames of the open transaction not yet written */
    uint64_t appended, unsynced;
    int64_t unsynced_since;
};

void hdb__wal_seg_name(const hdb_wal *w, uint64_t seq, char *out, size_t n);
int hdb__wal_grow(hdb_wal *w);

#endif
