/*
** ast.h — the syntax tree of one SQL statement, and the arena that owns it.
**
** WHAT IT IS
**   The parser (parse.h) turns the text of one statement into a tree of the
**   structs below.  The tree is plain data, built for a planner and an
**   executor to read: every node kind is listed with the fields it uses,
**   lists are counted arrays, names are dequoted NUL-terminated strings,
**   and every node records where it came from in the source.
**
** OWNERSHIP
**   Every byte of a tree (nodes, arrays, strings) lives in one
**   hdb_sql_arena.  Nothing points into the SQL text the parser was given:
**   the caller may free that text at once.  Freeing the arena frees the tree;
**   there is no per-node free.  A tree is immutable by convention once
**   parsed, except that a planner may annotate the `aux` fields.
**
** INVARIANTS
**   - Child pointers are never shared: the tree is a tree (no DAG, no cycle).
**   - Expression height (1 for a leaf, 1 + the tallest child otherwise,
**     counting the expressions of subqueries) is at most HDB_SQL_MAX_HEIGHT,
**     and syntactic nesting at most HDB_SQL_MAX_DEPTH, so a recursive walk
**     is safe.
**   - Counted arrays: `n` == 0 means the pointer may be NULL.
**   - Strings marked "may be NULL" are NULL when the clause is absent, never
**     "".  Other strings are never NULL.
**   - pos/len: byte offset and length in the text given to hdb__sql_parse()
**     (pos is relative to its `sql` argument, not to the statement).
**
** NAMES
**   Identifiers are stored as written once dequoted ("a""b" -> a"b, [x] -> x);
**   case is kept and comparisons are the executor's business (SQLite compares
**   names case-insensitively in ASCII).
*/
#ifndef HDB_SQL_AST_H
#define HDB_SQL_AST_H

#include <stddef.h>
#include <stdint.h>
#include "heliosdb.h"
#include "pager/buf.h"

/* Nesting of expressions, subqueries and parentheses during the parse. */
#define HDB_SQL_MAX_DEPTH 200
/* Height of an expression tree (SQLite's SQLITE_MAX_EXPR_DEPTH). */
#define HDB_SQL_MAX_HEIGHT 1000
/* Largest ?NNN (SQLite's SQLITE_MAX_VARIABLE_NUMBER). */
#define HDB_SQL_MAX_PARAM 32766

/* ---------------------------------------------------------------------------
** Arena: bump allocation in chunks; everything freed at once.
*/
typedef struct hdb_sql_chunk hdb_sql_chunk;
typedef struct hdb_sql_arena {
    const hdb_allocator *mem; /* borrowed; NULL = libc */
    hdb_sql_chunk *head;      /* newest chunk first */
    size_t used;              /* bytes used in head */
    size_t total;             /* bytes obtained from mem, all chunks */
} hdb_sql_arena;

/* Start an empty arena (allocates nothing). */
void hdb__sql_arena_init(hdb_sql_arena *a, const hdb_allocator *mem);
/* n zeroed bytes aligned for any type, or NULL when out of memory. */
void *hdb__sql_arena_alloc(hdb_sql_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n), or NULL when out of memory. */
char *hdb__sql_arena_strndup(hdb_sql_arena *a, const char *s, size_t n);
/* Free every chunk; the arena is empty and reusable afterwards. */
void hdb__sql_arena_free(hdb_sql_arena *a);

/* ---------------------------------------------------------------------------
** Expressions
*/
typedef struct hdb_sql_expr hdb_sql_expr;
typedef struct hdb_sql_select hdb_sql_select;

/* Expression kinds; the comment names the fields of `u` each one uses. */
enum {
    HDB_SQL_E_NULL = 1, /* NULL */
    HDB_SQL_E_INTEGER,  /* u.ival.  Also TRUE/FALSE (flag HDB_SQL_EF_BOOL) and
                         * -9223372036854775808 (the minus folded in) */
    HDB_SQL_E_FLOAT,    /* u.fval; also integers too big for int64, as SQLite */
    HDB_SQL_E_STRING,   /* u.str: dequoted text (never holds NUL) */
    HDB_SQL_E_BLOB,     /* u.str: the bytes */
    HDB_SQL_E_PARAM,    /* u.param: index 1..HDB_SQL_MAX_PARAM, name or NULL */
    HDB_SQL_E_COLUMN,   /* u.col: [schema.][table.]column */
    HDB_SQL_E_UNARY,    /* op, u.unary.x: - + ~ NOT */
    HDB_SQL_E_BINARY,   /* op, u.binary.l, u.binary.r */
    HDB_SQL_E_COLLATE,  /* u.collate.x COLLATE u.collate.name */
    HDB_SQL_E_CAST,     /* CAST(u.cast.x AS u.cast.type) */
    HDB_SQL_E_CASE,     /* u.kase: CASE [operand] WHEN..THEN.. [ELSE] END */
    HDB_SQL_E_BETWEEN,  /* u.between.x [NOT] BETWEEN lo AND hi; flag NOT */
    HDB_SQL_E_IN,       /* u.in.x [NOT] IN (list | subquery | table); flag NOT */
    HDB_SQL_E_LIKE,     /* op (LIKE/GLOB/REGEXP/MATCH), u.like; flag NOT */
    HDB_SQL_E_ISNULL,   /* u.unary.x ISNULL / IS NULL; flag NOT for NOTNULL,
                         * NOT NULL and IS NOT NULL */
    HDB_SQL_E_EXISTS,   /* EXISTS (u.select) (NOT EXISTS is NOT over it) */
    HDB_SQL_E_SUBQUERY, /* (u.select): a scalar subquery */
    HDB_SQL_E_FUNCTION, /* u.func: name(args), count(*), f(DISTINCT x),
                         * FILTER (WHERE ..); also CURRENT_TIME/_DATE/
                         * _TIMESTAMP as a call with no arguments */
    HDB_SQL_E_VECTOR,   /* u.list: a row value (a, b, ...), n >= 2 */
    HDB_SQL_E__COUNT
};

/* Operators of HDB_SQL_E_UNARY, HDB_SQL_E_BINARY and HDB_SQL_E_LIKE. */
enum {
    HDB_SQL_OP_NONE = 0,
    /* unary */
    HDB_SQL_OP_NEG, HDB_SQL_OP_POS, HDB_SQL_OP_BITNOT, HDB_SQL_OP_NOT,
    /* binary, from loosest to tightest binding */
    HDB_SQL_OP_OR, HDB_SQL_OP_AND,
    HDB_SQL_OP_EQ, HDB_SQL_OP_NE,
    HDB_SQL_OP_IS,    /* IS and IS NOT DISTINCT FROM */
    HDB_SQL_OP_ISNOT, /* IS NOT and IS DISTINCT FROM */
    HDB_SQL_OP_LT, HDB_SQL_OP_LE, HDB_SQL_OP_GT, HDB_SQL_OP_GE,
    HDB_SQL_OP_BITAND, HDB_SQL_OP_BITOR, HDB_SQL_OP_LSHIFT, HDB_SQL_OP_RSHIFT,
    HDB_SQL_OP_ADD, HDB_SQL_OP_SUB,
    HDB_SQL_OP_MUL, HDB_SQL_OP_DIV, HDB_SQL_OP_MOD,
    HDB_SQL_OP_CONCAT, HDB_SQL_OP_PTR /* -> */, HDB_SQL_OP_PTR2 /* ->> */,
    /* pattern matches (HDB_SQL_E_LIKE) */
    HDB_SQL_OP_LIKE, HDB_SQL_OP_GLOB, HDB_SQL_OP_REGEXP, HDB_SQL_OP_MATCH,
    HDB_SQL_OP__COUNT
};

/* hdb_sql_expr.flags */
#define HDB_SQL_EF_NOT      0x01 /* BETWEEN/IN/LIKE/ISNULL: the negated form */
#define HDB_SQL_EF_DISTINCT 0x02 /* FUNCTION: f(DISTINCT x) */
#define HDB_SQL_EF_STAR     0x04 /* FUNCTION: f(*) (nargs == 0) */
#define HDB_SQL_EF_BOOL     0x08 /* INTEGER: written TRUE or FALSE.  Note
                                  * SQLite's "x IS [NOT] TRUE/FALSE" is a truth
                                  * test, not IS: check this flag on the right
                                  * side of HDB_SQL_OP_IS / _ISNOT */
#define HDB_SQL_EF_DQUOTED  0x10 /* COLUMN: written "x", a name SQLite may
                                  * take for a string when no column matches */
#define HDB_SQL_EF_PAREN    0x20 /* written in parentheses (for messages) */

typedef struct hdb_sql_exprlist {
    int n;
    hdb_sql_expr **a;
} hdb_sql_exprlist;

struct hdb_sql_expr {
    uint8_t kind;   /* HDB_SQL_E_* */
    uint8_t op;     /* HDB_SQL_OP_* (UNARY, BINARY, LIKE) */
    uint8_t flags;  /* HDB_SQL_EF_* */
    uint16_t height;/* see INVARIANTS */
    size_t pos, len;/* source span of the whole expression */
    void *aux;      /* free for the planner; NULL after the parse */
    union {
        int64_t ival;
        double fval;
        struct { char *s; size_t n; } str;                    /* n excludes the NUL */
        struct { int index; char *name; } param;              /* name incl. its ':' '@' '$'; NULL for ? and ?N */
        struct { char *schema, *table, *column; } col;        /* schema, table may be NULL */
        struct { hdb_sql_expr *x; } unary;
        struct { hdb_sql_expr *l, *r; } binary;
        struct { hdb_sql_expr *x; char *name; } collate;
        struct { hdb_sql_expr *x; char *type; } cast;         /* type: see hdb_sql_coldef.type */
        struct {
            hdb_sql_expr *operand;    /* may be NULL */
            hdb_sql_exprlist when;    /* when.a[i] -> then.a[i]; n >= 1 */
            hdb_sql_exprlist then;
            hdb_sql_expr *else_;      /* may be NULL */
        } kase;
        struct { hdb_sql_expr *x, *lo, *hi; } between;
        struct {
            hdb_sql_expr *x;
            hdb_sql_exprlist list;    /* IN (a, b): used when select and table are NULL; may be empty */
            hdb_sql_select *select;   /* IN (SELECT ...) */
            char *schema, *table;     /* IN t / IN s.t (schema may be NULL) */
        } in;
        struct { hdb_sql_expr *x, *pattern, *escape; } like; /* escape may be NULL */
        hdb_sql_select *select;
        struct {
            char *name;
            hdb_sql_exprlist args;
            hdb_sql_expr *filter;     /* FILTER (WHERE filter); may be NULL */
        } func;
        hdb_sql_exprlist list;
    } u;
};

/* ---------------------------------------------------------------------------
** SELECT
*/

/* One result column: expr [AS alias], *, or table.* */
typedef struct hdb_sql_rescol {
    hdb_sql_expr *expr; /* NULL for * and table.* */
    char *table;        /* table.*: the table (schema ignored); NULL otherwise */
    char *alias;        /* may be NULL */
    char *span;         /* the expression as written (SQLite's default column
                         * name when there is no alias); "*" or "t.*" */
} hdb_sql_rescol;

typedef struct hdb_sql_rescols {
    int n;
    hdb_sql_rescol *a;
} hdb_sql_rescols;

typedef struct hdb_sql_names {
    int n;
    char **a;
} hdb_sql_names;

/* Join operators between an item of a FROM clause and those before it. */
enum {
    HDB_SQL_JOIN_FIRST = 0, /* the first item */
    HDB_SQL_JOIN_COMMA,     /* a, b */
    HDB_SQL_JOIN_INNER,     /* [INNER] JOIN */
    HDB_SQL_JOIN_CROSS,     /* CROSS JOIN (SQLite: an inner join that fixes the order) */
    HDB_SQL_JOIN_LEFT,      /* LEFT [OUTER] JOIN */
    HDB_SQL_JOIN_RIGHT,     /* RIGHT [OUTER] JOIN */
    HDB_SQL_JOIN_FULL       /* FULL [OUTER] JOIN */
};

typedef struct hdb_sql_from hdb_sql_from;

/* One item of a FROM clause.  Exactly one of name, subquery, nested is set. */
typedef struct hdb_sql_src {
    int join;               /* HDB_SQL_JOIN_*: how it joins the items before it */
    int natural;            /* NATURAL join */
    char *schema;           /* may be NULL */
    char *name;             /* a table or view; or a table-valued function when has_args */
    int has_args;           /* name(args) */
    hdb_sql_exprlist args;
    hdb_sql_select *subquery;
    hdb_sql_from *nested;   /* a parenthesised join: FROM (a JOIN b) */
    char *alias;            /* may be NULL */
    char *indexed_by;       /* INDEXED BY i; may be NULL */
    int not_indexed;        /* NOT INDEXED */
    hdb_sql_expr *on;       /* may be NULL */
    hdb_sql_names using_;   /* USING (a, b) */
    size_t pos, len;
} hdb_sql_src;

struct hdb_sql_from {
    int n;
    hdb_sql_src *a;
};

/* One ORDER BY term (also used for the columns of indexes and keys). */
enum { HDB_SQL_SORT_NONE = 0, HDB_SQL_SORT_ASC, HDB_SQL_SORT_DESC };
enum { HDB_SQL_NULLS_DEFAULT = 0, HDB_SQL_NULLS_FIRST, HDB_SQL_NULLS_LAST };

typedef struct hdb_sql_orderterm {
    hdb_sql_expr *expr; /* a COLLATE is an HDB_SQL_E_COLLATE around the term */
    int sort;           /* HDB_SQL_SORT_* */
    int nulls;          /* HDB_SQL_NULLS_* */
} hdb_sql_orderterm;

typedef struct hdb_sql_orderby {
    int n;
    hdb_sql_orderterm *a;
} hdb_sql_orderby;

/* Compound operators. */
enum {
    HDB_SQL_COMPOUND_NONE = 0, HDB_SQL_COMPOUND_UNION, HDB_SQL_COMPOUND_UNION_ALL,
    HDB_SQL_COMPOUND_INTERSECT, HDB_SQL_COMPOUND_EXCEPT
};

/* One simple SELECT or VALUES of a (possibly compound) select. */
typedef struct hdb_sql_core {
    int compound;          /* how it combines with the cores before it
                            * (NONE for the first; left-associative, all
                            * operators of equal precedence, as SQLite) */
    int is_values;         /* VALUES (..), (..): only `values` is used */
    hdb_sql_exprlist *values; /* nvalues rows, all of the same length */
    int nvalues;
    int distinct;          /* SELECT DISTINCT (ALL is the default) */
    hdb_sql_rescols cols;
    hdb_sql_from *from;    /* may be NULL (SELECT 1) */
    hdb_sql_expr *where;   /* may be NULL */
    hdb_sql_exprlist group_by;
    hdb_sql_expr *having;  /* may be NULL */
    size_t pos, len;
} hdb_sql_core;

/* One common table expression: name [(cols)] AS [[NOT] MATERIALIZED] (select) */
typedef struct hdb_sql_cte {
    char *name;
    hdb_sql_names cols;
    int materialized;      /* 0 default, 1 MATERIALIZED, -1 NOT MATERIALIZED */
    hdb_sql_select *select;
} hdb_sql_cte;

typedef struct hdb_sql_with {
    int recursive;
    int n;
    hdb_sql_cte *a;
} hdb_sql_with;

struct hdb_sql_select {
    hdb_sql_with *with;    /* may be NULL */
    int ncore;             /* >= 1 */
    hdb_sql_core **cores;
    hdb_sql_orderby order_by; /* of the whole compound */
    hdb_sql_expr *limit;   /* may be NULL */
    hdb_sql_expr *offset;  /* may be NULL; LIMIT a, b is stored as LIMIT b OFFSET a */
    int height;            /* 1 + the tallest expression or subquery inside */
    size_t pos, len;
};

/* ---------------------------------------------------------------------------
** INSERT, UPDATE, DELETE
*/

/* A column of an index, a key or an ON CONFLICT target. */
typedef struct hdb_sql_idxcol {
    hdb_sql_expr *expr;     /* a plain column is an HDB_SQL_E_COLUMN */
    char *collate;          /* may be NULL */
    int sort;               /* HDB_SQL_SORT_* */
} hdb_sql_idxcol;

typedef struct hdb_sql_idxcols {
    int n;
    hdb_sql_idxcol *a;
} hdb_sql_idxcols;

/* INSERT OR x / UPDATE OR x / ON CONFLICT x of constraints. */
enum {
    HDB_SQL_OR_NONE = 0, HDB_SQL_OR_ROLLBACK, HDB_SQL_OR_ABORT, HDB_SQL_OR_FAIL,
    HDB_SQL_OR_IGNORE, HDB_SQL_OR_REPLACE
};

/* One assignment of SET: col = value, or (a, b) = value (a row value). */
typedef struct hdb_sql_set {
    hdb_sql_names cols;    /* n >= 1; n > 1 for the (a, b) = ... form */
    hdb_sql_expr *value;
} hdb_sql_set;

typedef struct hdb_sql_sets {
    int n;
    hdb_sql_set *a;
} hdb_sql_sets;

/* ON CONFLICT [(target) [WHERE]] DO NOTHING | DO UPDATE SET .. [WHERE] */
typedef struct hdb_sql_upsert hdb_sql_upsert;
struct hdb_sql_upsert {
    hdb_sql_idxcols *target;   /* NULL: any conflict */
    hdb_sql_expr *target_where;     /* may be NULL */
    int do_update;                  /* 0 = DO NOTHING */
    hdb_sql_sets set;
    hdb_sql_expr *where;            /* may be NULL */
    hdb_sql_upsert *next;           /* the next ON CONFLICT clause, or NULL */
};

typedef struct hdb_sql_insert {
    hdb_sql_with *with;
    int or_action;          /* HDB_SQL_OR_*; REPLACE INTO is OR_REPLACE */
    char *schema, *table;   /* schema may be NULL */
    char *alias;            /* INSERT INTO t AS x; may be NULL */
    hdb_sql_names cols;     /* n == 0: all columns in order */
    hdb_sql_select *select; /* VALUES rows are a select of one VALUES core;
                             * NULL for DEFAULT VALUES */
    hdb_sql_upsert *upsert; /* may be NULL */
    hdb_sql_rescols returning;
} hdb_sql_insert;

typedef struct hdb_sql_update {
    hdb_sql_with *with;
    int or_action;
    char *schema, *table, *alias; /* schema, alias may be NULL */
    char *indexed_by;
    int not_indexed;
    hdb_sql_sets set;
    hdb_sql_from *from;     /* UPDATE .. FROM; may be NULL */
    hdb_sql_expr *where;    /* may be NULL */
    hdb_sql_rescols returning;
} hdb_sql_update;

typedef struct hdb_sql_delete {
    hdb_sql_with *with;
    char *schema, *table, *alias;
    char *indexed_by;
    int not_indexed;
    hdb_sql_expr *where;
    hdb_sql_rescols returning;
} hdb_sql_delete;

/* ---------------------------------------------------------------------------
** DDL
*/

/* Foreign-key actions. */
enum {
    HDB_SQL_FK_NONE = 0, HDB_SQL_FK_SET_NULL, HDB_SQL_FK_SET_DEFAULT,
    HDB_SQL_FK_CASCADE, HDB_SQL_FK_RESTRICT, HDB_SQL_FK_NO_ACTION
};

typedef struct hdb_sql_fkey {
    char *table;            /* the parent table */
    hdb_sql_names cols;     /* parent columns; n == 0: its primary key */
    int on_delete, on_update; /* HDB_SQL_FK_* */
    int deferred;           /* DEFERRABLE INITIALLY DEFERRED */
} hdb_sql_fkey;

/* Column flags. */
#define HDB_SQL_COL_NOTNULL  0x01
#define HDB_SQL_COL_PK       0x02
#define HDB_SQL_COL_PK_DESC  0x04
#define HDB_SQL_COL_AUTOINC  0x08
#define HDB_SQL_COL_UNIQUE   0x10
#define HDB_SQL_COL_HIDDEN   0x20 /* reserved for the executor */

typedef struct hdb_sql_coldef {
    char *name;
    char *type;             /* declared type, normalised: the words joined by
                             * one space, then "(10)" or "(10,2)" as written
                             * ("VARCHAR(10)", "UNSIGNED BIG INT"); NULL if none */
    unsigned flags;         /* HDB_SQL_COL_* */
    int pk_conflict;        /* HDB_SQL_OR_* of PRIMARY KEY ON CONFLICT x */
    int notnull_conflict;   /* ... of NOT NULL */
    int unique_conflict;    /* ... of UNIQUE */
    hdb_sql_expr *dflt;     /* DEFAULT; may be NULL.  A signed number is
                             * folded to a literal; (expr) is the expression */
    char *collate;          /* may be NULL */
    size_t pos, len;
} hdb_sql_coldef;

/* Table constraints.  A column's own CHECK and REFERENCES are stored here
 * too, as if written at table level (column >= 0 says which column wrote it);
 * its PRIMARY KEY, NOT NULL, UNIQUE, DEFAULT and COLLATE are in the coldef. */
enum { HDB_SQL_TC_PRIMARY = 1, HDB_SQL_TC_UNIQUE, HDB_SQL_TC_CHECK, HDB_SQL_TC_FOREIGN };

typedef struct hdb_sql_tcons {
    int kind;               /* HDB_SQL_TC_* */
    char *name;             /* CONSTRAINT name; may be NULL */
    int column;             /* index of the column that wrote it, or -1 */
    hdb_sql_idxcols cols;   /* PRIMARY, UNIQUE: the key */
    hdb_sql_names child;    /* FOREIGN: the child columns (the writer's own
                             * column for a column's REFERENCES) */
    int autoincrement;      /* PRIMARY KEY (a AUTOINCREMENT) */
    int conflict;           /* HDB_SQL_OR_* (PRIMARY, UNIQUE) */
    hdb_sql_expr *check;    /* CHECK */
    hdb_sql_fkey fk;        /* FOREIGN */
} hdb_sql_tcons;

typedef struct hdb_sql_create_table {
    int if_not_exists, temp;
    int without_rowid, strict;
    char *schema, *name;
    int ncol;
    hdb_sql_coldef *cols;
    int ncons;
    hdb_sql_tcons *cons;
    hdb_sql_select *as_select; /* CREATE TABLE t AS SELECT: ncol == 0 */
} hdb_sql_create_table;

typedef struct hdb_sql_create_index {
    int unique, if_not_exists;
    char *schema, *name, *table;
    hdb_sql_idxcols cols;
    hdb_sql_expr *where;    /* partial index; may be NULL */
} hdb_sql_create_index;

typedef struct hdb_sql_create_view {
    int if_not_exists, temp;
    char *schema, *name;
    hdb_sql_names cols;     /* CREATE VIEW v(a, b); n may be 0 */
    hdb_sql_select *select;
} hdb_sql_create_view;

enum { HDB_SQL_OBJ_TABLE = 1, HDB_SQL_OBJ_INDEX, HDB_SQL_OBJ_VIEW, HDB_SQL_OBJ_TRIGGER };

typedef struct hdb_sql_drop {
    int object;             /* HDB_SQL_OBJ_* */
    int if_exists;
    char *schema, *name;
} hdb_sql_drop;

enum { HDB_SQL_ALTER_RENAME = 1, HDB_SQL_ALTER_RENAME_COLUMN, HDB_SQL_ALTER_ADD_COLUMN,
       HDB_SQL_ALTER_DROP_COLUMN };

typedef struct hdb_sql_alter {
    int action;             /* HDB_SQL_ALTER_* */
    char *schema, *table;
    char *name;             /* RENAME: the new table name; RENAME COLUMN: the
                             * old column; DROP COLUMN: the column */
    char *new_name;         /* RENAME COLUMN: the new column name */
    hdb_sql_coldef *col;    /* ADD COLUMN */
    int ncons;              /* ADD COLUMN: its CHECK / REFERENCES (column 0) */
    hdb_sql_tcons *cons;
} hdb_sql_alter;

/* ---------------------------------------------------------------------------
** Transactions, PRAGMA
*/
enum { HDB_SQL_TXN_DEFAULT = 0, HDB_SQL_TXN_DEFERRED, HDB_SQL_TXN_IMMEDIATE,
       HDB_SQL_TXN_EXCLUSIVE };

typedef struct hdb_sql_pragma {
    char *schema, *name;    /* schema may be NULL */
    char *value;            /* = value or (value), as text: a name or number
                             * as written (with its sign), a string dequoted;
                             * NULL when absent */
    int value_is_string;    /* the value was a 'string' */
} hdb_sql_pragma;

/* ---------------------------------------------------------------------------
** Branch statements (this product's additions)
**
**   CREATE BRANCH [IF NOT EXISTS] name [FROM parent]
**       [AS OF TIMESTAMP 'text' | AS OF LSN n] [READ ONLY] [COMMENT 'text']
**   USE BRANCH name
**   MERGE BRANCH src INTO dst [USING OURS | THEIRS | ABORT] [DRY RUN]
**   DROP BRANCH [IF EXISTS] name
**   ALTER BRANCH name SET READ ONLY | SET READ WRITE
**   SHOW BRANCHES
**   SHOW HISTORY [FOR BRANCH name]
**   CHECKPOINT
**
** A branch name is a 'string', a quoted identifier, or a bare run of
** letters, digits and _ - . / (so feature/x-1.2 needs no quotes; "--" and
** "/" followed by "*" end it, as they start comments).
*/
enum { HDB_SQL_ASOF_NONE = 0, HDB_SQL_ASOF_TIMESTAMP, HDB_SQL_ASOF_LSN };
/* Merge policies; the values match heliosdb.h's HDB_MERGE_*. */
enum { HDB_SQL_MERGE_ABORT = 0, HDB_SQL_MERGE_OURS, HDB_SQL_MERGE_THEIRS };

typedef struct hdb_sql_branch {
    char *name;             /* CREATE/USE/DROP/ALTER: the branch; MERGE: the
                             * source; SHOW HISTORY: FOR BRANCH name or NULL */
    char *from;             /* CREATE: FROM parent, or NULL (the current one);
                             * MERGE: the target (INTO) */
    int if_exists;          /* DROP: IF EXISTS; CREATE: IF NOT EXISTS */
    int as_of;              /* HDB_SQL_ASOF_* */
    char *timestamp;        /* AS OF TIMESTAMP: the text */
    uint64_t lsn;           /* AS OF LSN */
    int read_only;          /* CREATE: READ ONLY; ALTER: 1 = SET READ ONLY,
                             * 0 = SET READ WRITE */
    char *comment;          /* may be NULL */
    int policy;             /* MERGE: HDB_SQL_MERGE_* */
    int dry_run;            /* MERGE: DRY RUN */
} hdb_sql_branch;

/* ---------------------------------------------------------------------------
** Statements
*/
enum {
    HDB_SQL_S_SELECT = 1,   /* u.select */
    HDB_SQL_S_INSERT,       /* u.insert */
    HDB_SQL_S_UPDATE,       /* u.update */
    HDB_SQL_S_DELETE,       /* u.del */
    HDB_SQL_S_CREATE_TABLE, /* u.create_table */
    HDB_SQL_S_CREATE_INDEX, /* u.create_index */
    HDB_SQL_S_CREATE_VIEW,  /* u.create_view */
    HDB_SQL_S_DROP,         /* u.drop (TABLE, INDEX, VIEW, TRIGGER) */
    HDB_SQL_S_ALTER_TABLE,  /* u.alter */
    HDB_SQL_S_BEGIN,        /* u.txn_mode: HDB_SQL_TXN_* */
    HDB_SQL_S_COMMIT,       /* COMMIT / END [TRANSACTION] */
    HDB_SQL_S_ROLLBACK,     /* u.savepoint: ROLLBACK TO x, or NULL */
    HDB_SQL_S_SAVEPOINT,    /* u.savepoint */
    HDB_SQL_S_RELEASE,      /* u.savepoint */
    HDB_SQL_S_PRAGMA,       /* u.pragma */
    HDB_SQL_S_CREATE_BRANCH,/* u.branch */
    HDB_SQL_S_USE_BRANCH,
    HDB_SQL_S_MERGE_BRANCH,
    HDB_SQL_S_DROP_BRANCH,
    HDB_SQL_S_ALTER_BRANCH,
    HDB_SQL_S_SHOW_BRANCHES,
    HDB_SQL_S_SHOW_HISTORY,
    HDB_SQL_S_CHECKPOINT,
    HDB_SQL_S__COUNT
};

typedef struct hdb_sql_stmt {
    int kind;               /* HDB_SQL_S_* */
    int explain;            /* 0, 1 = EXPLAIN, 2 = EXPLAIN QUERY PLAN */
    size_t pos, len;        /* the statement in the input, without ';' */
    char *sql;              /* a copy of that text (for sqlite_schema) */
    int nparam;             /* the largest parameter index used */
    char **param_names;     /* [0..nparam): name of parameter i+1 or NULL */
    union {
        hdb_sql_select *select;
        hdb_sql_insert insert;
        hdb_sql_update update;
        hdb_sql_delete del;
        hdb_sql_create_table create_table;
        hdb_sql_create_index create_index;
        hdb_sql_create_view create_view;
        hdb_sql_drop drop;
        hdb_sql_alter alter;
        int txn_mode;
        char *savepoint;
        hdb_sql_pragma pragma;
        hdb_sql_branch branch;
    } u;
} hdb_sql_stmt;

/* ---------------------------------------------------------------------------
** Names and dumps
*/

/* "OR", "+", "LIKE", ...; "?" for a bad code. */
const char *hdb__sql_op_name(int op);
/* "SELECT", "CREATE TABLE", ...; "?" for a bad code. */
const char *hdb__sql_stmt_name(int kind);

/*
 * Append to b a canonical, fully parenthesised SQL text of an expression:
 * every operator node in parentheses, "(a + (b * c))", "(NOT (x IS NULL))",
 * names quoted only when they must be.  The text parses back to the same
 * tree (that round trip is what the tests and the fuzzer check).
 */
void hdb__sql_expr_dump(hdb_buf *b, const hdb_sql_expr *e);
/* The same for a whole select and a whole statement (with its EXPLAIN). */
void hdb__sql_select_dump(hdb_buf *b, const hdb_sql_select *s);
void hdb__sql_stmt_dump(hdb_buf *b, const hdb_sql_stmt *s);

#endif
