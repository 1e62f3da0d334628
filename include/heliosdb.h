/*
** heliosdb.h — the public interface of HeliosDB Nano.
**
** HeliosDB Nano is an embeddable SQL database whose storage engine gives
** Git-like branches to data.  One database is one file of fixed-size pages
** (`NAME`) and a directory of log segments (`NAME-wal/`).  Every branch is
** one root of a copy-on-write B+tree; creating a branch copies one root
** pointer, whatever the size of the data.
**
** CONVENTIONS
**   - Every fallible function returns an int result code: HDB_OK (0) on
**     success, a small positive error code otherwise.  HDB_ROW and HDB_DONE
**     are outside the error range.  hdb_errstr() names every code and
**     hdb_errmsg() gives the connection's detailed message for the last
**     failed call.
**   - Handles are opaque.  Lifecycles are paired: hdb_open/hdb_close,
**     hdb_txn_begin/(hdb_txn_commit | hdb_txn_abort),
**     hdb_cursor_open/hdb_cursor_close, hdb_prepare/hdb_finalize.
**   - Ownership is stated on every function: a value "borrowed" stays owned
**     by the library and is valid for the stated time; "copied" means the
**     library keeps its own copy; "returned-owned" means the caller frees it
**     with the named function.  A call that fails has taken nothing.
**   - A connection (hdb *) and everything opened from it is used by one
**     thread at a time.  Several connections, in one thread or several, may
**     work on the same file at once: readers never block, one writer at a
**     time per database.
*/
#ifndef HELIOSDB_H
#define HELIOSDB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HDB_VERSION        "0.1.0"
#define HDB_VERSION_NUMBER 1000

/* ------------------------------------------------------------------------
** Result codes
*/
enum {
    HDB_OK = 0,      /**< success */
    HDB_ERROR,       /**< generic error (SQL error, bad statement, ...) */
    HDB_NOTFOUND,    /**< key, keyspace, branch or cursor position not found */
    HDB_EXISTS,      /**< object already exists */
    HDB_READONLY,    /**< write on a read-only branch or database */
    HDB_BUSY,        /**< another writer holds the database */
    HDB_CONFLICT,    /**< merge conflicts (see hdb_merge_result) */
    HDB_CORRUPT,     /**< the file or the log is damaged */
    HDB_IOERR,       /**< an I/O operation failed */
    HDB_FULL,        /**< disk full, or a counter reached its limit */
    HDB_NOMEM,       /**< an allocation failed */
    HDB_MISUSE,      /**< the API was used wrongly (bad argument, bad state) */
    HDB_RANGE,       /**< a value out of range (key too long, LSN outside history) */
    HDB_CONSTRAINT,  /**< an SQL constraint failed */
    HDB_ROW = 100,   /**< hdb_step(): a row is ready */
    HDB_DONE = 101   /**< hdb_step(): the statement has finished */
};

/** Durability of a commit; see README "Durability modes". */
enum { HDB_SYNC_FULL, HDB_SYNC_NORMAL, HDB_SYNC_OFF };

/** Flags for hdb_txn_begin(). */
#define HDB_TXN_READ 0x1u
/** Flags for hdb_ks_open(). */
#define HDB_CREATE 0x1u

/** Longest branch name, in bytes. */
#define HDB_MAX_BRANCH_NAME 63
/** Longest keyspace name, in bytes. */
#define HDB_MAX_KS_NAME 63
/** Longest value, in bytes (64 MiB). */
#define HDB_MAX_VALUE (64u * 1024u * 1024u)

typedef struct hdb hdb;               /**< one connection to a database file */
typedef struct hdb_txn hdb_txn;       /**< a read or write transaction */
typedef struct hdb_cursor hdb_cursor; /**< an ordered walk over one keyspace */

/** A byte string.  Who owns `data` is stated by each function. */
typedef struct hdb_val {
    const void *data;
    size_t size;
} hdb_val;

/* ------------------------------------------------------------------------
** The VFS: every byte of file I/O goes through this table, so that tests can
** inject faults and ports can replace the operating system layer.
**
** read() may be called by several threads at once, for different pages of
** one file (readers do not wait for each other's I/O); a file's other
** functions are called by one thread at a time.
** Each function returns HDB_OK, HDB_IOERR (any failure), HDB_FULL (no space),
** HDB_NOTFOUND (open of a missing file without HDB_VFS_CREATE, remove of a
** missing file) or HDB_BUSY (lock held elsewhere).
*/
typedef struct hdb_file hdb_file; /**< defined by each VFS */

#define HDB_VFS_CREATE   0x1 /**< open: create the file if missing */
#define HDB_VFS_READONLY 0x2 /**< open: read only */
#define HDB_VFS_EXCL     0x4 /**< open: fail with HDB_EXISTS if it exists */

#define HDB_LOCK_NONE   0 /**< lock(): release */
#define HDB_LOCK_SHARED 1 /**< lock(): shared (readers) */
#define HDB_LOCK_EXCL   2 /**< lock(): exclusive (writers) */

typedef struct hdb_vfs {
    const char *name;
    void *ctx; /**< for the VFS's own use */
    int (*open)(const struct hdb_vfs *vfs, const char *path, int flags, hdb_file **out);
    /** Read up to n bytes at off; *got is set to the bytes read (less at end of file). */
    int (*read)(hdb_file *f, void *buf, size_t n, uint64_t off, size_t *got);
    /** Write exactly n bytes at off (a short write is an error). */
    int (*write)(hdb_file *f, const void *buf, size_t n, uint64_t off);
    int (*sync)(hdb_file *f);
    int (*truncate)(hdb_file *f, uint64_t size);
    int (*size)(hdb_file *f, uint64_t *size);
    /** Take (HDB_LOCK_SHARED/EXCL) or release (HDB_LOCK_NONE) a whole-file lock
     *  without waiting: HDB_BUSY if another process holds a conflicting one. */
    int (*lock)(hdb_file *f, int mode);
    int (*close)(hdb_file *f);
    /** Delete a file. */
    int (*remove)(const struct hdb_vfs *vfs, const char *path);
    /** Create a directory (HDB_OK if it exists already). */
    int (*mkdir)(const struct hdb_vfs *vfs, const char *path);
    /** Call fn(ctx, name) for every entry of a directory except "." and "..";
     *  stops early with fn's result when it is not HDB_OK. */
    int (*list)(const struct hdb_vfs *vfs, const char *dir,
                int (*fn)(void *ctx, const char *name), void *ctx);
    /** Make a directory's entries durable (fsync of the directory). */
    int (*sync_dir)(const struct hdb_vfs *vfs, const char *dir);
    /** Does the path exist?  Returns 1 or 0. */
    int (*exists)(const struct hdb_vfs *vfs, const char *path);
} hdb_vfs;

/** The default VFS: POSIX pread/pwrite/fsync/flock.  Borrowed, static. */
const hdb_vfs *hdb_vfs_posix(void);

/* ------------------------------------------------------------------------
** Allocation hooks.  Every allocation of a connection and of the engine it
** opens goes through them; NULL means malloc/realloc/free.
*/
typedef struct hdb_allocator {
    void *(*malloc)(void *ctx, size_t n);
    void *(*realloc)(void *ctx, void *p, size_t n);
    void (*free)(void *ctx, void *p);
    void *ctx;
} hdb_allocator;

/* ------------------------------------------------------------------------
** Opening and closing
*/
typedef struct hdb_options {
    size_t cache_bytes;  /**< page cache budget (default 8 MiB, minimum 64 KiB) */
    unsigned page_size;  /**< at creation: power of two, 512..65536 (default 4096) */
    int sync;            /**< HDB_SYNC_FULL (default), HDB_SYNC_NORMAL, HDB_SYNC_OFF */
    int read_only;       /**< open the database read only */
    int create;          /**< create the database if missing (default 1) */
    int64_t retention_us; /**< history kept for AS OF (default 7 days; 0 = none) */
    int64_t (*clock_us)(void *ctx); /**< wall clock, µs since 1970 (default: real time) */
    void *clock_ctx;
    const struct hdb_vfs *vfs; /**< NULL = hdb_vfs_posix() */
    int busy_timeout_ms;       /**< how long a writer waits for another (default 5000) */
    const hdb_allocator *allocator; /**< NULL = libc; borrowed for the connection's life */
    uint64_t checkpoint_bytes;  /**< log bytes between automatic checkpoints (default 8 MiB) */
} hdb_options;

/** Fill *o with the defaults. */
void hdb_options_init(hdb_options *o);

/**
 * Open (and with o->create, create) the database at path.
 * Recovers from the log whatever was committed before a crash.
 * The path ":memory:" (with the default VFS) opens a new database of the
 * connection's own, as in SQLite: its files live in a private directory
 * of $TMPDIR (else /tmp), commits skip fsync, and hdb_close() removes it.
 * @param path  the database file; the log lives in "path-wal/"
 * @param o     options, copied (NULL = defaults)
 * @param out   receives the connection; returned-owned, free with hdb_close()
 * @return HDB_OK, HDB_NOTFOUND (missing and !create), HDB_CORRUPT, HDB_IOERR,
 *         HDB_BUSY (another process has it open), HDB_NOMEM, HDB_MISUSE.
 *         On error *out is NULL.
 */
int hdb_open(const char *path, const hdb_options *o, hdb **out);

/**
 * Why the last hdb_open() of the calling thread failed (for example which
 * file is damaged, or the recovery step that failed); "" after one that
 * succeeded.  Valid until the thread's next hdb_open().
 */
const char *hdb_open_errmsg(void);

/**
 * Close a connection: aborts its open transactions, finalizes nothing for
 * you (unfinalized statements are freed), and when it is the last
 * connection to the file, checkpoints and releases the engine.
 * @return HDB_OK or the error of the final checkpoint (the data is safe in
 *         the log either way).  NULL is a no-op.
 */
int hdb_close(hdb *db);

/** The detailed message of the connection's last error; borrowed until the next call. */
const char *hdb_errmsg(const hdb *db);
/** The name of a result code ("HDB_CORRUPT: database disk image is damaged"); static. */
const char *hdb_errstr(int rc);
/** Free memory the library returned (reports, lists); NULL is a no-op. */
void hdb_free(void *p);

/* ------------------------------------------------------------------------
** Transactions and keyspaces
*/

/**
 * Begin a transaction on the connection's current branch.
 * A read transaction (HDB_TXN_READ) sees a snapshot taken now and never
 * blocks; a write transaction waits up to busy_timeout_ms for the writer
 * lock.  A connection has at most one open transaction.
 * @return HDB_OK, HDB_BUSY, HDB_READONLY (write on a read-only branch or
 *         database), HDB_MISUSE (a transaction is already open), HDB_NOMEM.
 */
int hdb_txn_begin(hdb *db, unsigned flags, hdb_txn **out);

/**
 * Commit: append the transaction's records and a commit record to the log
 * (one fsync under HDB_SYNC_FULL).  The handle is freed whatever the result.
 * @return HDB_OK, HDB_IOERR/HDB_FULL (nothing of the transaction is visible
 *         or durable), HDB_MISUSE.
 */
int hdb_txn_commit(hdb_txn *t);

/** Abort: the transaction leaves no trace.  Frees the handle; NULL is a no-op. */
void hdb_txn_abort(hdb_txn *t);

/** The LSN this write transaction will commit as, or the snapshot LSN of a read one. */
uint64_t hdb_txn_lsn(const hdb_txn *t);

/**
 * Savepoints nest inside a write transaction.  hdb_txn_savepoint() returns a
 * level in *sp; hdb_txn_rollback_to() undoes everything since (the savepoint
 * stays open); hdb_txn_release() forgets it (and those above it).
 */
int hdb_txn_savepoint(hdb_txn *t, int *sp);
int hdb_txn_rollback_to(hdb_txn *t, int sp);
int hdb_txn_release(hdb_txn *t, int sp);

/**
 * Open the keyspace `name` (1..63 bytes) of the transaction's branch.
 * With HDB_CREATE it is created when missing (write transactions only).
 * @param ks receives the keyspace handle, valid for this transaction
 * @return HDB_OK, HDB_NOTFOUND, HDB_READONLY, HDB_MISUSE (bad name)
 */
int hdb_ks_open(hdb_txn *t, const char *name, unsigned flags, uint32_t *ks);

/** Drop the keyspace `name` and all its keys.  HDB_NOTFOUND if absent. */
int hdb_ks_drop(hdb_txn *t, const char *name);

/** Rename a keyspace.  HDB_NOTFOUND, HDB_EXISTS. */
int hdb_ks_rename(hdb_txn *t, const char *from, const char *to);

/**
 * List the keyspaces of the transaction's branch.  *names receives a
 * returned-owned array of *n NUL-terminated names in one allocation: free it
 * with hdb_free().
 */
int hdb_ks_list(hdb_txn *t, char ***names, size_t *n);

/**
 * Insert or replace.  Keys are 1..HDB_MAX_KEY bytes compared with memcmp
 * (HDB_MAX_KEY depends on the page size: see hdb_max_key()); values 0..64 MiB.
 * key and val are copied.
 * @return HDB_OK, HDB_RANGE (too long), HDB_READONLY, HDB_FULL, HDB_NOMEM, HDB_IOERR
 */
int hdb_put(hdb_txn *t, uint32_t ks, hdb_val key, hdb_val val);

/**
 * Look up a key.  *val is borrowed: valid until the next write in this
 * transaction or its end.
 * @return HDB_OK, HDB_NOTFOUND, HDB_CORRUPT, HDB_IOERR
 */
int hdb_get(hdb_txn *t, uint32_t ks, hdb_val key, hdb_val *val);

/** Delete a key: HDB_OK or HDB_NOTFOUND if absent. */
int hdb_del(hdb_txn *t, uint32_t ks, hdb_val key);

/** The longest key this connection's page size allows. */
size_t hdb_max_key(const hdb *db);

/**
 * A database-wide counter (never returns the same number twice in the life
 * of the database, whatever the branch).  Write transactions only.
 */
int hdb_next_id(hdb_txn *t, uint64_t *id);

/**
 * Database-wide sequences, one per 64-bit id (the SQL layer uses a table's
 * id).  hdb_seq_next() returns max(last + 1, at_least), remembers it and
 * never returns a number at or below it again, on any branch: two branches
 * drawing from one sequence never get the same number (write transactions
 * only; HDB_FULL once INT64_MAX was handed out).  A number drawn by a
 * transaction that rolled back may be drawn again.  hdb_seq_get() reads the
 * last number handed out (0 if none).
 */
int hdb_seq_next(hdb_txn *t, uint64_t seq, int64_t at_least, int64_t *out);
int hdb_seq_get(hdb_txn *t, uint64_t seq, int64_t *out);

/* ------------------------------------------------------------------------
** Cursors.  A cursor stays valid across writes in its transaction: after a
** write it continues from the key it was on (or the next one if that key was
** deleted).
*/
int hdb_cursor_open(hdb_txn *t, uint32_t ks, hdb_cursor **out);
int hdb_cursor_first(hdb_cursor *c);   /**< HDB_NOTFOUND if empty */
int hdb_cursor_last(hdb_cursor *c);    /**< HDB_NOTFOUND if empty */
int hdb_cursor_seek(hdb_cursor *c, hdb_val key); /**< first key >= key; HDB_NOTFOUND if none */
int hdb_cursor_next(hdb_cursor *c);    /**< HDB_NOTFOUND at the end */
int hdb_cursor_prev(hdb_cursor *c);    /**< HDB_NOTFOUND at the start */
/** The current key and value, borrowed until the cursor moves or the transaction writes. */
int hdb_cursor_get(hdb_cursor *c, hdb_val *key, hdb_val *val);
void hdb_cursor_close(hdb_cursor *c);

/* ------------------------------------------------------------------------
** Branches
**
** Names: 1..63 bytes of letters, digits, '_', '-', '.', '/'; anything else
** is HDB_MISUSE.  Every database has a branch "main".
*/
typedef struct hdb_branch_opts {
    const char *description; /**< copied; NULL = none */
    int read_only;           /**< create read only (an audit branch) */
    uint64_t as_of_lsn;      /**< 0 = now; else the state right after commit as_of_lsn */
    int64_t as_of_time_us;   /**< 0 = now; else the last commit at or before this time */
} hdb_branch_opts;

/**
 * Create branch `name` from branch `from` (NULL = the current branch), in
 * O(1) for a branch of "now".  As of a past LSN or time, the cost is at most
 * one checkpoint interval of log replay.
 * @return HDB_OK, HDB_EXISTS, HDB_NOTFOUND (from), HDB_RANGE (outside the
 *         retained history, or in the future), HDB_MISUSE (bad name), HDB_BUSY
 */
int hdb_branch_create(hdb *db, const char *name, const char *from, const hdb_branch_opts *o);

/** Make `name` the connection's current branch (no transaction may be open). */
int hdb_branch_use(hdb *db, const char *name);

/** The connection's current branch; borrowed until the next hdb_branch_use(). */
const char *hdb_branch_current(const hdb *db);

/**
 * Drop a branch, freeing the pages only it owned.  "main" and a branch that
 * is current on an open connection cannot be dropped (HDB_MISUSE).
 */
int hdb_branch_drop(hdb *db, const char *name);

/** Mark a branch read-only (every write on it fails with HDB_READONLY) or writable. */
int hdb_branch_set_read_only(hdb *db, const char *name, int read_only);

typedef struct hdb_branch_info {
    char name[64], parent[64];
    char *description;     /**< owned by the list; NULL if none */
    uint64_t id, fork_lsn, head_lsn;
    int64_t created_us;
    int read_only;
    /** Bytes of pages only this branch reaches: pages of its state reached
     *  from its root through pages of reference count 1 (0 while another
     *  branch's state or merge base is the same root). */
    uint64_t owned_bytes;
    /** Bytes of the rest of its state: pages it shares with other branches,
     *  merge bases or retained history.  owned + shared = its state's size. */
    uint64_t shared_bytes;
} hdb_branch_info;

/**
 * List every branch; *out is returned-owned: free with hdb_branch_list_free().
 * The sizes are kept per branch as it is written (src/branch.c, SIZE
 * ACCOUNTING); after a change that moves pages between branches (a merge,
 * a drop, a branch's first writes after it forked, an expiring snapshot) a
 * branch's size is recounted once, by a walk of that branch, when it is
 * next listed.
 */
int hdb_branch_list(hdb *db, hdb_branch_info **out, size_t *n);
void hdb_branch_list_free(hdb_branch_info *b, size_t n);

/** LSN of the last commit in the database. */
uint64_t hdb_lsn(hdb *db);

/** Write every changed page to the file and a new meta; truncate old log. */
int hdb_checkpoint(hdb *db);

/**
 * Verify the whole database: every reachable page's checksum, key order, tree
 * depth, and that each page's reference count equals the number of pointers
 * to it, with no page leaked or doubly owned.  It also recounts every
 * branch's size: a branch whose kept size claims to be exact but differs
 * from the count is reported (corruption of the accounting); and it counts
 * hdb_stats.history_pages.
 * @param report  if not NULL, receives a returned-owned text (hdb_free)
 * @return HDB_OK if clean, HDB_CORRUPT otherwise
 */
int hdb_check(hdb *db, char **report);

/* ------------------------------------------------------------------------
** History (time travel)
*/

/** Resolve a wall-clock time to the LSN of the last commit at or before it. */
int hdb_lsn_at_time(hdb *db, int64_t time_us, uint64_t *lsn);

typedef struct hdb_history_entry {
    uint64_t lsn;
    int64_t time_us;
    char branch[64]; /**< the branch the commit wrote to ("" for database-wide) */
} hdb_history_entry;

/**
 * List the retained commits of `branch` (NULL = all branches), oldest first.
 * *out is returned-owned (hdb_free).
 */
int hdb_history_list(hdb *db, const char *branch, hdb_history_entry **out, size_t *n);

/* ------------------------------------------------------------------------
** Diff and merge
*/
typedef struct hdb_diff hdb_diff;
typedef struct hdb_diff_entry {
    hdb_val key;
    hdb_val old_val; /**< .data NULL: the key was added */
    hdb_val new_val; /**< .data NULL: the key was removed */
} hdb_diff_entry;

/**
 * Stream the differences of keyspace `keyspace` from branch `from` to branch
 * `to`, in key order, skipping every subtree the two share.
 */
int hdb_diff_open(hdb *db, const char *from_branch, const char *to_branch,
                  const char *keyspace, hdb_diff **out);
/** Next entry (borrowed until the next call): HDB_OK, or HDB_DONE at the end. */
int hdb_diff_next(hdb_diff *it, hdb_diff_entry *e);
void hdb_diff_close(hdb_diff *it);

enum { HDB_MERGE_ABORT, HDB_MERGE_OURS, HDB_MERGE_THEIRS };
/** Results of the resolve hook. */
enum { HDB_RESOLVE_MERGED, HDB_RESOLVE_CONFLICT, HDB_RESOLVE_OURS, HDB_RESOLVE_THEIRS };

typedef struct hdb_conflict {
    char keyspace[64];
    hdb_val key, base, ours, theirs; /**< .data NULL = absent */
} hdb_conflict;

typedef struct hdb_merge_opts {
    int policy;  /**< HDB_MERGE_ABORT (default), HDB_MERGE_OURS, HDB_MERGE_THEIRS */
    int dry_run; /**< report only; write nothing */
    /** Decide one key changed on both sides.  *out (for HDB_RESOLVE_MERGED) is
     *  copied by the merge; .data NULL in *out means "delete". */
    int (*resolve)(void *ctx, const char *keyspace, hdb_val key, const hdb_val *base,
                   const hdb_val *ours, const hdb_val *theirs, hdb_val *out);
    void *resolve_ctx;
    /** If set, called (with resolve_ctx) for every key the merge changes on
     *  dst (or would change, in a dry run; fast-forwards included), after the
     *  write: old is dst's value before (NULL: absent), val the new one
     *  (NULL: deleted); both borrowed for the call.  A non-zero return
     *  aborts the merge with it. */
    int (*applied)(void *ctx, const char *keyspace, hdb_val key, const hdb_val *old,
                   const hdb_val *val);
    /** If set, called once after every change is applied, inside dst's
     *  merge transaction and before its commit: the layer above may read and
     *  write t (derived data such as indexes), or refuse the merge by
     *  returning an error (nothing is written; the connection's message is
     *  kept).  Not called by dry runs, fast-forwards or merges that write
     *  nothing. */
    int (*finish)(void *ctx, hdb_txn *t);
} hdb_merge_opts;

typedef struct hdb_merge_result {
    uint64_t added, changed, deleted;
    int fast_forward;
    size_t nconflicts;
    hdb_conflict *conflicts;
    /** Leaves taken whole from src whose changes were counted from what the
     *  writer noted when it changed them, without reading them. */
    uint64_t noted_leaves;
} hdb_merge_result;

/**
 * Three-way merge of branch src into branch dst, as one atomic commit on dst.
 * @param out if not NULL, receives a returned-owned result (hdb_merge_result_free)
 * @return HDB_OK, HDB_CONFLICT (policy ABORT: nothing written), HDB_READONLY,
 *         HDB_NOTFOUND, HDB_BUSY
 */
int hdb_branch_merge(hdb *db, const char *src, const char *dst, const hdb_merge_opts *o,
                     hdb_merge_result **out);
void hdb_merge_result_free(hdb_merge_result *r);

/* ------------------------------------------------------------------------
** Statistics
*/
typedef struct hdb_stats {
    uint64_t page_size;
    uint64_t file_bytes;    /**< size of the database file */
    uint64_t wal_bytes;     /**< size of the log segments */
    uint64_t live_pages;    /**< pages with a reference */
    uint64_t free_pages;    /**< pages free for reuse */
    uint64_t history_pages; /**< pages reachable only from retained history, as of the
                                 last hdb_check() (0 before one) */
    uint64_t page_reads;    /**< pages read from the file (this engine's life) */
    uint64_t page_writes;   /**< pages written to the file */
    uint64_t cache_hits;    /**< page requests served from the cache */
    uint64_t cache_bytes;   /**< bytes held by the cache now */
    uint64_t checkpoints;   /**< checkpoints run */
} hdb_stats;

int hdb_stats_get(hdb *db, hdb_stats *out);

/* ------------------------------------------------------------------------
** SQL (absent from a NO_SQL=1 build)
*/
typedef struct hdb_stmt hdb_stmt;

enum { HDB_INTEGER = 1, HDB_FLOAT = 2, HDB_TEXT = 3, HDB_BLOB = 4, HDB_NULL = 5 };

/**
 * Run every statement of `sql`.  For each result row, row(ctx, ncol, vals,
 * names) is called with borrowed strings (NULL for SQL NULL); a non-zero
 * return stops execution with HDB_ERROR ("callback requested abort").
 */
int hdb_exec(hdb *db, const char *sql,
             int (*row)(void *ctx, int ncol, const char *const *vals, const char *const *names),
             void *ctx);

/**
 * Compile the first statement of sql.  *tail (if not NULL) is set to the rest.
 * *out is NULL when sql holds only whitespace or comments.
 */
int hdb_prepare(hdb *db, const char *sql, int nbytes, hdb_stmt **out, const char **tail);

/* Bind a parameter (1-based index).  Text and blobs are copied. */
int hdb_bind_int64(hdb_stmt *s, int i, int64_t v);
int hdb_bind_double(hdb_stmt *s, int i, double v);
int hdb_bind_text(hdb_stmt *s, int i, const char *v, int n); /**< n < 0: NUL-terminated */
int hdb_bind_blob(hdb_stmt *s, int i, const void *v, int n);
int hdb_bind_null(hdb_stmt *s, int i);
/** The index of a named parameter (":name", "@name", "$name"), 0 if none. */
int hdb_bind_parameter_index(hdb_stmt *s, const char *name);
int hdb_bind_parameter_count(hdb_stmt *s);

/** Run to the next row: HDB_ROW, HDB_DONE, or an error code. */
int hdb_step(hdb_stmt *s);

int hdb_column_count(hdb_stmt *s);
const char *hdb_column_name(hdb_stmt *s, int i);
int hdb_column_type(hdb_stmt *s, int i);
int64_t hdb_column_int64(hdb_stmt *s, int i);
double hdb_column_double(hdb_stmt *s, int i);
/** Borrowed until the next step/reset/finalize or another conversion of the column. */
const char *hdb_column_text(hdb_stmt *s, int i);
const void *hdb_column_blob(hdb_stmt *s, int i);
int hdb_column_bytes(hdb_stmt *s, int i);

int hdb_reset(hdb_stmt *s);
int hdb_clear_bindings(hdb_stmt *s);
int hdb_finalize(hdb_stmt *s); /**< NULL is a no-op */
/** The SQL text of a prepared statement; borrowed. */
const char *hdb_sql(hdb_stmt *s);

/** Rows changed by the last INSERT, UPDATE or DELETE. */
int64_t hdb_changes(hdb *db);
/** Rowid of the last successful INSERT on this connection. */
int64_t hdb_last_insert_rowid(hdb *db);
/** Is the connection outside an explicit transaction?  1 or 0. */
int hdb_get_autocommit(hdb *db);

/**
 * Bound the work of each SQL statement run on this connection: a statement
 * that reads more than `rows` rows in all (from tables, indexes, views,
 * subqueries and recursive CTEs, counting every re-read by a join or a
 * correlated subquery) fails with HDB_ERROR and the message "interrupted";
 * its changes are rolled back as for any failed statement.  It keeps a
 * runaway query (a cross join, a recursive CTE without an end) from running
 * for hours.  Statements already running are not affected.
 * @param rows  the budget per statement; 0 = no limit (the default)
 * @return HDB_OK, HDB_MISUSE (rows < 0), HDB_NOMEM
 */
int hdb_set_progress_limit(hdb *db, int64_t rows);

#ifdef __cplusplus
}
#endif
#endif /* HELIOSDB_H */
