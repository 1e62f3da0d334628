/*
** catalog.h — the schema of one branch: tables, indexes and views, as the
** SQL layer sees them, loaded from the branch's catalog keyspace.
**
** WHAT IT IS
**   Each branch keeps its schema in the keyspace "__schema", so a branch
**   made by copying a root pointer carries its schema with it and DDL on one
**   branch is invisible on the others.  A connection caches the parsed
**   schema and reloads it when the branch or the schema version changes.
**
** THE CATALOG KEYSPACE "__schema"
**   key   8 bytes: u64 big-endian object id (from hdb_next_id)
**   value a record (codec.h) of the columns
**           0 type      TEXT  'table', 'index' or 'view'
**           1 name      TEXT  the object's name as written
**           2 tbl_name  TEXT  the table an index belongs to (= name otherwise)
**           3 sql       TEXT  the CREATE statement, re-parsed at load
**   key   8 zero bytes (id 0): a record of two INTEGERs
**           0 version     drawn from hdb_next_id at every DDL.  Ids are
**                         database-wide, so (branch, version) names
**                         exactly one schema: the cache key.
**           1 key format  HDB_SQL_KEY_FORMAT (2): the key encoding
**                         (codec.h) of the objects' keyspaces, and rows
**                         whose INTEGER PRIMARY KEY column is stored as
**                         NULL.  Format 1, whose numbers took a tag and 8
**                         bytes and whose rows held the rowid twice, wrote
**                         a record of the version alone.
**         A catalog that holds an object but another key format (or none)
**         does not load: HDB_CORRUPT, "this database's SQL tables use key
**         format 1; this library reads key format 2".  An empty catalog
**         loads whatever its format, and its next DDL writes the current
**         one.
**
** KEYSPACES OF OBJECTS (names stable across RENAME: they use the id)
**   "t<id>"        a table: key = key encoding (codec.h) of the rowid as
**                  an INTEGER; value = record of all columns in declared
**                  order (the INTEGER PRIMARY KEY column stored as NULL:
**                  its value is the rowid, read from the key).
**   "i<id>"        a CREATE INDEX: key = key encodings of the indexed
**                  columns (collation, DESC) then of the rowid; value empty.
**   "t<id>_a<n>"   the n-th automatic index of table <id> (a PRIMARY KEY
**                  that is not an INTEGER PRIMARY KEY, or a UNIQUE
**                  constraint, n counting from 1 in declaration order):
**                  same layout as an index.  Automatic indexes have no
**                  catalog entry; they are derived from the table's SQL.
**
** ROWIDS
**   Every table is keyed by a 64-bit rowid.  An INTEGER PRIMARY KEY column
**   is the rowid (NULL inserts max+1, as SQLite; with AUTOINCREMENT one
**   more than the largest it ever had, kept in HDB_SQL_SEQ_KS).  Otherwise the rowid is
**   hidden and drawn from hdb_next_id(), so rows inserted on two branches
**   never collide when the branches merge; any other PRIMARY KEY (single,
**   composite or not an integer) is enforced by a unique automatic index.
**
** INVARIANTS
**   - Everything of a schema (names, parsed trees, arrays) lives in its
**     arena and is freed at once by hdb__sql_schema_free().
**   - Column, CHECK and DEFAULT expressions of a table are resolved against
**     the table itself when it is loaded (their aux fields point into the
**     schema arena and hold only indexes, never run-time pointers).
*/
#ifndef HDB_SQL_CATALOG_H
#define HDB_SQL_CATALOG_H

#include "src/sql/ast.h"
#include "src/sql/value.h"

#define HDB_SQL_CATALOG_KS "__schema"
/* The key format written in the catalog's record 0 (see above). */
#define HDB_SQL_KEY_FORMAT 2
/* AUTOINCREMENT sequences: key = table id (8 bytes BE), value = a record of
 * one INTEGER, the largest rowid the table ever had. */
#define HDB_SQL_SEQ_KS "__seq"

typedef struct hdb_sql_table hdb_sql_table;

typedef struct hdb_sql_column {
    char *name;
    char *type;          /* declared type or NULL */
    int aff;             /* HDB_AFF_* */
    int coll;            /* HDB_COLL_* */
    int notnull;
    int is_json;         /* declared JSON or JSONB */
    hdb_sql_expr *dflt;  /* DEFAULT or NULL */
} hdb_sql_column;

typedef struct hdb_sql_index {
    char *name;
    char ks[HDB_MAX_KS_NAME + 1];
    hdb_sql_table *table;
    uint64_t id;         /* catalog id; 0 for an automatic index */
    int unique, is_pk, autoidx;
    int ncol;
    int *cols;           /* column numbers */
    int *desc;
    int *coll;
    char *sql;           /* NULL for automatic indexes */
    struct hdb_sql_index *next;
} hdb_sql_index;

typedef struct hdb_sql_fk {
    int nchild;
    int *child;          /* column numbers in this table */
    char *parent;        /* the parent table's name */
    char **pcols;        /* parent column names, or NULL: its primary key */
    int on_delete, on_update;
} hdb_sql_fk;

struct hdb_sql_table {
    char *name;
    char ks[HDB_MAX_KS_NAME + 1];
    uint64_t id;
    int is_view;
    hdb_sql_select *view;   /* the view's select */
    hdb_sql_names view_cols;
    int ncol;
    hdb_sql_column *cols;
    int ipk;                /* column of the INTEGER PRIMARY KEY, or -1 */
    int autoinc;
    int npk;                /* columns of the declared primary key */
    int *pk;
    hdb_sql_index *indexes; /* automatic and created, in creation order */
    int ncheck;
    hdb_sql_expr **check;
    int nfk;
    hdb_sql_fk *fk;
    char *sql;
    hdb_sql_create_table *def;
};

typedef struct hdb_sql_entry {
    char *type, *name, *tbl, *sql; /* sql may be NULL (automatic index) */
    uint64_t id;
} hdb_sql_entry;

typedef struct hdb_sql_schema {
    hdb_sql_arena arena;
    char branch[HDB_MAX_BRANCH_NAME + 1];
    uint64_t version;
    int ntab;
    hdb_sql_table **tab;
    int nent;
    hdb_sql_entry *ent;
} hdb_sql_schema;

/* Load the schema of the transaction's branch into a new schema.
 * HDB_OK, HDB_NOMEM, HDB_CORRUPT (an entry that does not parse, or a key
 * format other than HDB_SQL_KEY_FORMAT; err says). */
int hdb__sql_schema_load(hdb_txn *t, const hdb_allocator *mem, hdb_sql_schema **out, char *err,
                         size_t errlen);
void hdb__sql_schema_free(hdb_sql_schema *s, const hdb_allocator *mem);
/* The schema version stored in the branch (0 if none). */
int hdb__sql_schema_version(hdb_txn *t, uint64_t *ver);

/* Lookup by name (ASCII case-insensitive); NULL if absent. */
hdb_sql_table *hdb__sql_table_find(hdb_sql_schema *s, const char *name);
hdb_sql_index *hdb__sql_index_find(hdb_sql_schema *s, const char *name);
int hdb__sql_column_find(const hdb_sql_table *t, const char *name);

/* Catalog writes (write transactions): put/delete one entry and bump the
 * version.  sql is the CREATE text to store. */
int hdb__sql_catalog_put(hdb_txn *t, uint64_t id, const char *type, const char *name,
                         const char *tbl, const char *sql);
int hdb__sql_catalog_del(hdb_txn *t, uint64_t id);
int hdb__sql_catalog_bump(hdb_txn *t);

/* ASCII case-insensitive equality of names. */
int hdb__sql_name_eq(const char *a, const char *b);

#endif
