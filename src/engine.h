/*
** engine.h — one open database: pager, tree context, log, registry.
**
** WHAT IT IS
**   An engine is shared by every connection (hdb) of a process to one file
**   (DESIGN.md §7).  It owns the pager, the B+tree context, the log and the
**   committed state: the root of the branch registry and the LSN of the last
**   commit.  Connections hold a reference and are counted; the last close
**   checkpoints and frees the engine.
**
** THE TREES
**   registry   key: branch name (1..63 bytes)
**              value (REFS, k = 2): ref object-tree root, ref merge-base
**              root, then the branch record (branch.c, BRANCH RECORD).
**   object     key 0x01 | u32 BE id   value (REFS, k = 1): ref keyspace
**              tree root, then the keyspace name.
**              key 0x02 | name        value: u32 BE id.
**   keyspace   the user's keys and values.
**
** THE META ENGINE AREA (pager.h, offset 80, little-endian)
**   OFFSET SIZE DESCRIPTION
**        0    8 next keyspace id (ids are database-wide, never reused)
**        8    8 next value of hdb_next_id()
**       16    8 next branch id
**       24    8 time of the last commit (µs); commit times never go back
**       32    8 accounting generation (branch.c, SIZE ACCOUNTING)
**       40   12 sequence tree root (u32 pgno, u64 birth; seq.c), since
**               format version 3 (zero before: no sequence used)
**       52   76 zero
**
** LOG RECORDS (payloads; strings are u8 length + bytes; see txn.c)
**   HDB_REC_PUT        branch, u32 ks, varint klen, key, value
**   HDB_REC_DEL        branch, u32 ks, key (the rest of the payload)
**   HDB_REC_KS_CREATE  branch, u32 ks, name
**   HDB_REC_KS_DROP    branch, u32 ks
**   HDB_REC_KS_RENAME  branch, u32 ks, new name
**   HDB_REC_NEXT_ID    u64 the counter after the call
**   HDB_REC_BR_CREATE  name, from, u64 id, i64 created, u8 read-only,
**                      u64 fork LSN, description (u16 length + bytes)
**   HDB_REC_BR_DROP    name
**   HDB_REC_BR_RO      name, u8 read-only
**   HDB_REC_BR_BASE    branch, other: branch's merge base := other's state
**   HDB_REC_KS_COPY    branch, u32 ks, from: the keyspace := from's (merges)
**   HDB_REC_BR_ADOPT   branch, from: the branch's state := from's (fast-forward)
**   HDB_REC_SNAPSHOT   u64 LSN, i64 time: keep the registry as of that commit
**   HDB_REC_SNAP_DROP  u64 LSN, i64 0: forget that snapshot (history.c)
**   HDB_REC_SEQ        u64 BE sequence id, u64 BE its new value (seq.c)
**   HDB_REC_KS_GRAFT   branch, u32 ks, from, u8 level, u8 from level, key
**                      (the rest): the subtree of the keyspace at (level,
**                      key) := from's at (from level, key), where (d, k)
**                      is the cell taken at depth d (0 = root page) on the
**                      way toward k (merges; merge.c, btree/graft.c)
**   A BR_CREATE record ends with a u8 flag: 1 = created as of its fork LSN
**   (replay reconstructs that state again, history.c).
**   The commit record's extra bytes name the branch the transaction wrote.
**
** INVARIANTS
**   1. Every change to a tree reached through the registry first makes the
**      registry path, then the object-tree path private, top-down, so the
**      count of each root below is exact before it is shadowed (btree.h 1).
**   2. Replay after a crash applies the log's records through the same
**      functions as the original transaction, so both reach the same state.
**   3. The committed registry root and LSN change only under `mu`, after the
**      log commit succeeded, in the same critical section as the pager's
**      commit (which may hand freed pages out again at once): readers take
**      their snapshot and register it under `mu` too.
*/
#ifndef HDB_ENGINE_H
#define HDB_ENGINE_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "btree/btree.h"
#include "heliosdb.h"
#include "pager/buf.h"
#include "pager/mem.h"
#include "pager/pager.h"
#include "wal/wal.h"

enum {
    HDB_REC_PUT = 1,
    HDB_REC_DEL,
    HDB_REC_KS_CREATE,
    HDB_REC_KS_DROP,
    HDB_REC_KS_RENAME,
    HDB_REC_NEXT_ID,
    HDB_REC_BR_CREATE,
    HDB_REC_BR_DROP,
    HDB_REC_BR_RO,
    HDB_REC_BR_BASE,
    HDB_REC_KS_COPY,
    HDB_REC_BR_ADOPT,
    HDB_REC_SNAPSHOT,
    HDB_REC_SNAP_DROP,
    HDB_REC_SEQ,
    HDB_REC_KS_GRAFT
};

#define HDB_OBJ_ID 0x01
#define HDB_OBJ_NAME 0x02

typedef struct hdb_engine {
    struct hdb_engine *next; /* process-wide list (api.c) */
    char *path;
    int nconn;
    hdb *conns;
    hdb_options opt;
    hdb_allocator mem_store;
    const hdb_allocator *mem;
    hdb_pager *pager;
    hdb_bt bt;
    hdb_wal *wal;
    pthread_mutex_t mu;   /* committed state and the writer slot */
    pthread_cond_t cv;    /* signalled when the writer slot frees */
    int writer;           /* a write transaction is open */
    hdb_ref reg;          /* committed registry root */
    hdb_ref hist;         /* committed history root (history.c) */
    hdb_ref seq;          /* committed sequence tree root (seq.c) */
    uint64_t lsn;         /* last committed LSN */
    uint64_t next_ks, next_id, next_branch;
    int64_t last_time;
    uint64_t ckpt_wal_mark; /* hdb__wal_appended() at the last checkpoint */
    int in_ckpt;            /* a checkpoint is running (no nested one) */
    uint64_t acct_gen;      /* accounting generation (branch.c, SIZE ACCOUNTING) */
    struct hdb_acct_cache *acct; /* recounted sizes (check.c), under mu */
    size_t nacct, acct_cap;
    uint64_t hist_gen, hist_lsn, hist_pages; /* history_pages as last recounted */
    int hist_known;
    char errmsg[256];       /* detail of the last engine-level error */
} hdb_engine;

/* One cached keyspace root of a transaction. */
typedef struct hdb_ksroot {
    uint32_t id;
    uint8_t touched; /* the path to it is private and `root` is authoritative */
    uint8_t dropped;
    hdb_ref root;
} hdb_ksroot;

/* The root state a savepoint restores. */
typedef struct hdb_txn_state {
    hdb_ref reg, hist, seq, obj;
    int obj_touched;
    size_t nks;
    hdb_ksroot *ks;
    uint64_t next_ks, next_id, next_branch;
    hdb_wal_pos wal;
    hdb_pager_sp psp;
} hdb_txn_state;

struct hdb_txn {
    hdb *db;
    hdb_engine *e;
    int write, replay, failed;
    uint64_t lsn;       /* commit LSN (write) or snapshot LSN (read) */
    char branch[HDB_MAX_BRANCH_NAME + 1];
    int read_only_branch;
    hdb_ref reg;        /* working registry root */
    hdb_ref hist;       /* working history root */
    hdb_ref seq;        /* working sequence tree root (seq.c) */
    int scratch;        /* a reconstruction of the past: no history, no log */
    hdb_ref obj;        /* the branch's object-tree root */
    int obj_loaded, obj_touched, branch_found;
    size_t nks, ks_cap;
    hdb_ksroot *ks;
    uint64_t writes;    /* changes so far (cursors re-seek when it moves) */
    uint64_t records;   /* log records appended */
    struct hdb_cursor *cursors; /* open cursors, unpinned before each write */
    hdb_btval last;     /* the value hdb_get() lent out */
    struct hdb_kvfinds *finds; /* kept lookup scans (kvscan.c), or NULL */
    hdb_txn_state *sp;  /* savepoints */
    int nsp, sp_cap;
    uint64_t next_ks, next_id, next_branch;
    int acct_skip;      /* do not measure size changes (branch.c, SIZE ACCOUNTING) */
};

/* Roots the read transactions of one connection looked up (txn.c, ROOT
 * CACHE).  A committed tree never changes under a root (pgno, birth), so an
 * entry stays true while its key matches. */
#define HDB_ROOT_CACHE_KS 16
typedef struct hdb_rootcache {
    int valid;
    hdb_ref reg;            /* the registry root `branch` was looked up in */
    char branch[HDB_MAX_BRANCH_NAME + 1];
    hdb_ref obj;            /* the branch's object-tree root there */
    int read_only;
    int nks, next;          /* keyspace roots found in obj; next to replace */
    hdb_ksroot ks[HDB_ROOT_CACHE_KS];
} hdb_rootcache;

struct hdb {
    hdb *next; /* the engine's connections */
    hdb_engine *e;
    hdb_options opt;
    char branch[HDB_MAX_BRANCH_NAME + 1];
    hdb_txn *txn;
    hdb_rootcache roots;    /* txn.c */
    char errmsg[512];
    int64_t changes, last_rowid;
    void *sql; /* the SQL layer's per-connection state */
    void (*sql_close)(hdb *db); /* frees it */
    char *memdir; /* ":memory:": the private directory removed at the close */
};

/* memdb.c: the files of a ":memory:" database.  make writes the database's
 * path into path[0..n) and returns its directory in *dir (HDB_IOERR,
 * HDB_NOMEM); remove deletes them all and frees dir (NULL: nothing). */
int hdb__memdb_make(const hdb_allocator *mem, char *path, size_t n, char **dir);
void hdb__memdb_remove(const hdb_allocator *mem, char *dir);

/* engine.c */
int hdb__engine_open(const char *path, const hdb_options *o, hdb_engine **out, char *err,
                     size_t errlen);
int hdb__engine_close(hdb_engine *e);
int hdb__engine_checkpoint(hdb_engine *e);
int64_t hdb__engine_now(hdb_engine *e);
int hdb__engine_writer_acquire(hdb_engine *e);
void hdb__engine_writer_release(hdb_engine *e);

/* txn.c */
int hdb__txn_open(hdb *db, hdb_engine *e, const char *branch, int write, hdb_txn **out);
int hdb__txn_log(hdb_txn *t, uint8_t type, const void *a, size_t an, const void *b, size_t bn);
int hdb__txn_branch(hdb_txn *t, int for_write);
int hdb__txn_ks(hdb_txn *t, uint32_t id, int for_write, hdb_ksroot **out);
int hdb__txn_flush(hdb_txn *t);
int hdb__txn_finish(hdb_txn *t); /* commit the pager side after the log */
int hdb__txn_switch(hdb_txn *t, const char *branch);
int hdb__txn_savepoint(hdb_txn *t, int *level);
int hdb__txn_rollback_to(hdb_txn *t, int level);
void hdb__txn_release(hdb_txn *t, int level);
/* End a transaction: commit (write: log then publish) or abort; frees t. */
int hdb__txn_end(hdb_txn *t, int commit);
void hdb__txn_free(hdb_txn *t);
void hdb__txn_drop_last(hdb_txn *t);

/* kv.c: the operations shared by the API and replay. */
int hdb__kv_put(hdb_txn *t, uint32_t ks, const void *k, size_t kn, const void *v, size_t vn);
int hdb__kv_del(hdb_txn *t, uint32_t ks, const void *k, size_t kn);
int hdb__ks_create(hdb_txn *t, const char *name, uint32_t id);
int hdb__ks_lookup(hdb_txn *t, const char *name, uint32_t *id);
int hdb__ks_drop_id(hdb_txn *t, uint32_t id);
int hdb__ks_rename_id(hdb_txn *t, uint32_t id, const char *to);
int hdb__ks_copy(hdb_txn *t, uint32_t id, const char *from);

/* kv.c: a walk over one keyspace for a read transaction that lends each
 * entry's key and value straight from the pinned leaf, parsed once (the
 * SQL layer's range scans).  Unlike an hdb_cursor it keeps no copy of its
 * key and is not re-sought after writes: a read transaction never writes,
 * and a write transaction gets HDB_MISUSE from hdb__kvscan_open (use an
 * hdb_cursor there).  Moves answer HDB_OK or HDB_NOTFOUND (past the end);
 * what hdb__kvscan_get lends lives until the next move or the close. */
typedef struct hdb_kvscan {
    hdb_txn *t;
    hdb_btcur c;
    hdb_btval ovf; /* an overflow value lent by hdb__kvscan_get */
} hdb_kvscan;
int hdb__kvscan_open(hdb_txn *t, uint32_t ks, hdb_kvscan *s);
int hdb__kvscan_first(hdb_kvscan *s);
int hdb__kvscan_last(hdb_kvscan *s);
int hdb__kvscan_seek(hdb_kvscan *s, const void *key, size_t kn); /* the first key >= key */
int hdb__kvscan_next(hdb_kvscan *s);
int hdb__kvscan_prev(hdb_kvscan *s);
int hdb__kvscan_get(hdb_kvscan *s, hdb_val *key, hdb_val *val); /* val may be NULL */
/* Position on key itself and lend its value: HDB_OK or HDB_NOTFOUND. */
int hdb__kvscan_find(hdb_kvscan *s, const void *key, size_t kn, hdb_val *val);
void hdb__kvscan_close(hdb_kvscan *s);
/* A point lookup of a read transaction that keeps its scan (and so its
 * pinned path: a next lookup in the same keyspace searches the pages it
 * shares with the last one without asking the pager).  The transaction
 * keeps the scans of its last HDB_KVFIND_MAX keyspaces until it ends.
 * HDB_OK or HDB_NOTFOUND; *val lives until the next lookup in the same
 * keyspace or the end of the transaction.  HDB_MISUSE in a write
 * transaction. */
#define HDB_KVFIND_MAX 4
int hdb__kv_find(hdb_txn *t, uint32_t ks, const void *key, size_t kn, hdb_val *val);
/* A walk of keyspace ks for a read transaction that keeps its scan when
 * given back: the next walk of ks (the inner table of a join, once per
 * outer row) seeks from the pinned path of the last one.  The transaction
 * keeps up to HDB_KVWALK_MAX, apart from the lookups'.  NULL in a write
 * transaction, when every kept walk is taken (walks nested that deep), or
 * when ks cannot be opened: the caller then opens a scan of its own (and
 * meets the error there).  A taken walk is positioned nowhere in
 * particular: it starts with first, last or seek. */
#define HDB_KVWALK_MAX 4
hdb_kvscan *hdb__kv_walk_take(hdb_txn *t, uint32_t ks);
void hdb__kv_walk_give(hdb_kvscan *s); /* back to the transaction, pins kept */
void hdb__kv_find_end(hdb_txn *t); /* close them all (at the transaction's end) */

/* branch.c */
typedef struct hdb_brec {
    hdb_ref obj, base;
    uint64_t id, fork_lsn, head_lsn;
    int64_t created_us;
    int read_only;
    char parent[HDB_MAX_BRANCH_NAME + 1];
    char *desc; /* points into the decoded value */
    size_t desc_len;
    /* Size accounting (branch.c): pages of the state, pages of its region,
     * and the generation they are exact for; acct = 0: not known. */
    int acct;
    uint64_t tot, lat, gen;
} hdb_brec;

/* One recounted branch size (check.c). */
typedef struct hdb_acct_cache {
    hdb_ref obj; /* the state's root: page and birth (a freed page number comes back) */
    uint64_t gen, tot, lat;
} hdb_acct_cache;

int hdb__brec_decode(const uint8_t *v, size_t n, hdb_brec *r);
int hdb__brec_write(hdb_txn *t, const char *name, const hdb_brec *r, unsigned flags);
int hdb__brec_log_create(hdb_txn *t, const char *name, const char *from, const hdb_brec *r,
                         int as_of);
int hdb__branch_name_ok(const char *name);
int hdb__br_create(hdb_txn *t, const char *name, const char *from, uint64_t id, int64_t created,
                   int ro, uint64_t fork_lsn, const char *desc, size_t dlen);
int hdb__br_drop(hdb_txn *t, const char *name);
int hdb__br_set_ro(hdb_txn *t, const char *name, int ro);
int hdb__br_set_base(hdb_txn *t, const char *name, const char *other);
int hdb__br_adopt(hdb_txn *t, const char *name, const char *from);

/* cursor.c */
void hdb__cursor_unpin_all(hdb_txn *t);
void hdb__cursor_detach_all(hdb_txn *t);

/* check.c: bytes a branch owns alone and shares (from its record's
 * counters, recounted when they are not exact), and the recount itself. */
int hdb__branch_sizes(hdb_engine *e, hdb_ref obj, uint64_t *owned, uint64_t *shared);
int hdb__acct_recount(hdb_engine *e, hdb_ref obj, uint64_t *tot, uint64_t *lat);
void hdb__acct_cache_add(hdb_engine *e, hdb_ref obj, uint64_t gen, uint64_t lat);
/* branch.c: a change may have moved pages between branch regions. */
void hdb__acct_bump(hdb_engine *e);

/* replay.c */
int hdb__replay(hdb_engine *e);

/* track_file.c: the writer's notes on changed leaves, kept from a close
 * (after its checkpoint) to the next writable open (after recovery). */
void hdb__track_file_save(hdb_engine *e);
void hdb__track_file_load(hdb_engine *e);
int hdb__replay_rec(hdb_txn *t, const hdb_wal_rec *rec);

/* history.c */
int hdb__history_add(hdb_txn *t, uint64_t lsn, int64_t time_us);
int hdb__history_drop(hdb_txn *t, uint64_t lsn);
int hdb__history_snapshot(hdb_engine *e); /* at checkpoints: add one, expire old ones */
uint64_t hdb__history_oldest(hdb_engine *e, int64_t *time_us); /* 0 if none */
int hdb__history_resolve_time(hdb_engine *e, int64_t time_us, uint64_t *lsn);
/* seq.c */
int hdb__seq_store(hdb_txn *t, uint64_t id, int64_t v);

/* merge_count.c: counts of adopted subtrees on a second thread */
typedef struct hdb_mcount hdb_mcount;
hdb_mcount *hdb__mcount_start(hdb_engine *e); /* NULL: count inline */
int hdb__mcount_add(hdb_mcount *c, hdb_ref a, hdb_ref b); /* HDB_NOMEM */
int hdb__mcount_finish(hdb_mcount *c, int abandon, uint64_t sum[3]); /* the first error */
/* merge.c: a keyspace subtree := another branch's (HDB_REC_KS_GRAFT) */
int hdb__merge_graft(hdb_txn *t, uint32_t id, const char *from, const hdb_ref *from_root,
                     int level, int from_level, const uint8_t *key, size_t kn, hdb_ref *was,
                     hdb_ref *now);

int hdb__br_create_asof(hdb_txn *t, const char *name, const char *from, uint64_t id,
                        int64_t created, int ro, uint64_t as_of, const char *desc, size_t dlen);

/* errors: set the connection's message and return rc (HDB_OK clears it) */
static inline int hdb__ok(hdb *db)
{
    if (db)
        db->errmsg[0] = 0;
    return HDB_OK;
}
int hdb__seterr(hdb *db, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
