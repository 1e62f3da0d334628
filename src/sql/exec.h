/*
** exec.h — the SQL executor's shared structures: compiled statements,
** scopes, access plans and the connection's SQL state.
**
** HOW IT WORKS
**   hdb_prepare parses one statement (parse.h) and compiles it against the
**   connection's cached schema: names are resolved once and each expression
**   node's `aux` points at an xref (what the node reads: a column of some
**   scope, an aggregate slot, a function, a compiled subquery).  A SELECT
**   compiles into an xsel of xcores (one per simple select of a compound);
**   each xcore owns its FROM sources (xsrc) with the access plan chosen for
**   each and the order the join loop reads them in (plan.c; `perm` maps a
**   loop level to a source, `pos` a source to its level).  Run-time state (the current row of each source, the
**   aggregate values of the current group) lives in those same structures:
**   a correlated subquery re-runs its own xcore while the outer one keeps
**   its state, and no xcore is ever active twice at once.
**
**   Execution is materialising: the first hdb_step runs the statement to the
**   end inside one transaction (its own in autocommit mode) and keeps the
**   result rows; later steps hand them out.  So no cursor outlives a
**   transaction and a DML statement reads everything it changes first.
**
** FILES
**   api_sql.c       the public API: prepare, bind, step, columns, exec
**   exec_stmt.c     compile/run one statement; transactions; schema cache
**   exec_resolve.c  name resolution (xref)      exec_compile.c  SELECT
**   exec_where.c    WHERE/ON placement, USING   plan.c          access paths
**   exec_expr.c     evaluation                  exec_cmp.c      comparisons
**   exec_subq.c     subqueries and IN           exec_agg.c      min/max by collation
**   exec_select.c   the join loop (exec_run.h)  exec_group.c    GROUP BY
**   exec_compound.c compounds, recursive CTEs   exec_scan.c     reading sources
**   exec_rows.c     row sets, hash set, sort    exec_write.c    rows, indexes, constraints
**   spill.c         external sorter: runs, merge (spill.h)
**   exec_fk.c       foreign keys and actions    exec_dml.c      INSERT, DELETE (exec_dml.h)
**   exec_update.c   UPDATE, UPDATE FROM, UPSERT exec_ddl.c      CREATE, DROP
**   exec_alter.c    ALTER TABLE                 exec_pragma.c   PRAGMA
**   exec_branch.c   branch statements, row-level merge
**   catalog.c       the schema keyspace (catalog.h: the byte layouts)
**
** MEMORY
**   Compiled structures live in the statement's arena; schema structures in
**   the schema's arena.  Values and row sets use the C library allocator,
**   as value.h's owned values do (not the connection's hooks).
**
** INVARIANTS
**   - A compiled statement is valid for one loaded schema (the connection's
**     generation counter); a step that finds another one re-parses and
**     recompiles it.
**   - xref indexes (up, src, col) never point at run-time memory, so
**     expressions of the schema (CHECK, DEFAULT) resolved once serve every
**     statement.
**   - Values in result rows are owned; values in source rows are owned.
*/
#ifndef HDB_SQL_EXEC_H
#define HDB_SQL_EXEC_H

#include <stdint.h>
#include "src/engine.h"
#include "src/sql/ast.h"
#include "src/sql/catalog.h"
#include "src/sql/codec.h"
#include "src/sql/func.h"
#include "src/sql/parse.h"
#include "src/sql/value.h"

typedef struct xcore xcore;
typedef struct xsel xsel;

/* The source read at join level k of core c, and the level of source i. */
#define HDB_SQL_LEVEL_SRC(c, k) ((c)->perm ? (c)->perm[k] : (k))
#define HDB_SQL_SRC_LEVEL(c, i) ((c)->pos ? (c)->pos[i] : (i))

/* Returned by row callbacks to stop a scan early (not an error). */
#define HDB_SQL_STOP 1000

/* A growable array of rows of values (each row ncol values, owned).
 * With `spill` set (spill.h), the rows are the batch of an external
 * sorter: hdb__sql_rows_add writes them out as a sorted run when the bytes
 * they hold pass its budget.  With `stream` set, a statement's sorted
 * result that spilled is read from that sorter row by row (api_sql.c):
 * past stream_skip rows, at most stream_left more (-1: all); the array then
 * holds the current row only. */
typedef struct xrows {
    int ncol;
    size_t n, cap;
    hdb_sql_value **r;
    struct xsorter *spill;
    struct xsorter *stream;
    int64_t stream_skip, stream_left;
    struct xctx *lazy;      /* set: count the bytes, and attach a sorter (arrival
                             * order) once they pass lazy_budget (exec_select.c) */
    size_t lazy_bytes, lazy_budget;
} xrows;

enum { XR_COL = 1, XR_AGG, XR_FUNC, XR_SUBQ, XR_ALIAS, XR_CONST };

typedef struct xref {
    int kind;
    int up, src, col;       /* XR_COL: scopes up, source, column (-1 = rowid) */
    int aff, coll;          /* XR_COL: the column's affinity and collation */
    int agg;                /* XR_AGG: slot in the core's aggregate list */
    const hdb_sql_funcdef *fn;
    xsel *sub;              /* XR_SUBQ */
    int correlated;
    int have_cache;
    hdb_sql_value cache;    /* scalar / EXISTS result of an uncorrelated subquery */
    xrows *set;             /* IN (SELECT): rows of an uncorrelated subquery */
    int set_sorted;         /* set holds IN's comparison form, sorted (exec_subq.c) */
    hdb_sql_expr *alias;    /* XR_ALIAS: the result expression it names */
    struct xref *next_cache;/* the run's list of filled caches */
} xref;

/* The access path of one table source. */
enum { PLAN_SCAN = 0, PLAN_ROWID, PLAN_INDEX };
typedef struct xplan {
    int kind;
    hdb_sql_index *idx;     /* PLAN_INDEX */
    int neq;                /* leading columns fixed by = */
    hdb_sql_expr *eq[16];
    hdb_sql_expr *in;       /* an IN (list) on column neq (then no range) */
    hdb_sql_expr *lo, *hi;  /* a range on column neq; may be NULL */
    int lo_incl, hi_incl;
    int aff[17], coll[17], desc[17];
    int nkey;               /* columns of the key before the rowid (0 for the table) */
    int reverse;            /* walk the ranges from the end (ORDER BY ... DESC) */
} xplan;

typedef struct xsrc {
    char *name;             /* what qualifies its columns: alias or table name */
    hdb_sql_table *tab;     /* a table, or NULL */
    xsel *sub;              /* a subquery, view or CTE, or NULL */
    int is_master;          /* 1: sqlite_master / sqlite_schema; 2: sqlite_sequence */
    int ncol;
    char **cols;
    int *aff, *coll;
    unsigned char *hide;    /* hidden from * and unqualified names (USING) */
    int join;               /* HDB_SQL_JOIN_* */
    int left;               /* LEFT/FULL JOIN: null-extend when nothing matches */
    int right;              /* RIGHT/FULL JOIN: its unmatched rows come out at the end */
    xplan plan;
    hdb_sql_index *forced;  /* INDEXED BY */
    int noindex;            /* NOT INDEXED */
    int ncond;              /* conditions checked once this source has a row */
    hdb_sql_expr **cond;
    int non;                /* the first non conditions are its LEFT JOIN ON */
    uint64_t need;          /* columns the query reads (bit j: column j; bit 63: any >= 63) */
    int cover_ok;           /* a SELECT's source: may be read from an index alone */
    /* run state */
    hdb_sql_value *row;
    hdb_sql_value *rowbuf;  /* a table source's own row (row points here) */
    int64_t rowid;
    int nullrow;
    xrows *mat;             /* materialised rows of sub / master */
    struct xrecur *queue_of;/* a recursive CTE's reference to itself */
    hdb_sql_value *dflt;    /* defaults of the table's columns */
    uint64_t ks_lsn, ks_gen;/* the read snapshot ks_tab, ks_idx were looked up in (exec_scan.c) */
    uint32_t ks_tab, ks_idx;
    const hdb_sql_index *ks_ix; /* the index ks_idx belongs to */
} xsrc;

/* An aggregate's argument as group_fold reads it in line: src >= 0 and
 * col (-1: the rowid) a plain column of the core's own row; src == -1 no
 * argument (count(*)); src == -2 the general way (FILTER, DISTINCT, an
 * expression, several arguments). */
typedef struct xaggarg {
    int src, col;
} xaggarg;

struct xcore {
    xcore *outer;
    int correlated;         /* reads a column of a core outside it */
    uint64_t outer_srcs;    /* sources of `outer` read from in here (bit 63: any >= 63) */
    int alias_ok;           /* result aliases may be named (after the result list) */
    hdb_sql_core *ast;
    int nsrc;
    xsrc *src;
    int *perm;              /* join order: the source read at each level (NULL: FROM order) */
    int *pos;               /* the level of each source (NULL: its index) */
    int nres;
    hdb_sql_expr **res;
    char **names;
    int is_agg;
    int nagg;
    hdb_sql_expr **agg;
    xaggarg *aggarg;        /* per aggregate, how group_fold reads its argument
                               (hdb__sql_agg_prepare; NULL: every one the general way) */
    hdb_sql_value *aggval;  /* output phase: the finished aggregates */
    int ngroup;
    hdb_sql_expr **group;
    hdb_sql_expr *having;
    int ntop;               /* conditions with no source (checked first) */
    hdb_sql_expr **top;
    int norder;             /* ORDER BY terms evaluated per row (simple select) */
    hdb_sql_expr **order;
    size_t stop_after;      /* 0 = all; else stop after this many rows */
};

typedef struct xorder {
    int col;                /* column of the output row to sort on */
    int desc, nulls_first, coll;
} xorder;

struct xsel {
    hdb_sql_select *ast;
    xcore *outer;
    int ncore;
    xcore **core;
    int ncol;
    char **names;
    int *aff, *coll;
    int norder;
    xorder *order;
    int nextra;             /* hidden sort columns after the ncol */
    int presorted;          /* the plan of the first source gives the ORDER BY */
    size_t topn;            /* run state: ORDER BY .. LIMIT keeps this many rows (0: all) */
    struct xrecur *recur;   /* a recursive CTE: core 0 seeds, the others step */
    hdb_sql_expr *limit, *offset;
    xcore *limcore;         /* the scope LIMIT and OFFSET are evaluated in */
};

/* The SQL state of a connection (hdb->sql). */
typedef struct xsavepoint {
    char *name;
    int level;
} xsavepoint;

typedef struct xconn {
    hdb *db;
    const hdb_allocator *mem;
    hdb_sql_schema *schema;
    int explicit_txn;       /* inside BEGIN (or a SAVEPOINT that began one) */
    int nsp, sp_cap;
    xsavepoint *sp;
    struct hdb_stmt *stmts; /* every unfinalised statement */
    uint64_t rand_state;
    uint64_t generation;    /* moves at every schema reload */
    int64_t progress_limit; /* rows one statement may touch (0: no limit) */
    int fk_off;             /* PRAGMA foreign_keys = OFF: no checks, no actions */
} xconn;

/* Views and CTEs compiled inside one another, at most (exec_compile.c). */
#define HDB_SQL_MAX_VIEW_DEPTH 64

/* One run of a statement. */
typedef struct xctx {
    hdb *db;
    xconn *c;
    hdb_txn *t;
    hdb_sql_schema *schema;
    hdb_sql_fctx f;
    hdb_sql_value *params;
    int nparam;
    char err[512];
    int rc;
    hdb_sql_arena *arena;   /* the statement's compile arena */
    int64_t changes;
    uint64_t puts;          /* row and index writes of this run (exec_write.c) */
    xref *caches;           /* subquery caches to drop at the end of the run */
    int fk_depth;           /* nesting of foreign key actions */
    int64_t touched;        /* rows read so far by this run (hdb__sql_progress) */
    int64_t touch_limit;    /* the connection's progress_limit when the run began */
    int ncompiled;          /* selects compiled (exec_compile.c: a cap) */
    int nactive;            /* views and CTEs whose bodies are being compiled */
    const void *active[HDB_SQL_MAX_VIEW_DEPTH];
    size_t spill_budget;    /* sort/group working memory per sorter (0: from the cache budget) */
    xrows *stream_to;       /* the statement's result: a spilled sort may stream into it */
} xctx;

/* Drop the subquery caches of a run. */
void hdb__sql_caches_free(xctx *x);

struct hdb_stmt {
    hdb *db;
    struct hdb_stmt *next;
    char *sql;
    hdb_sql_arena arena;
    hdb_sql_stmt *ast;
    int compiled;
    char branch[HDB_MAX_BRANCH_NAME + 1];
    uint64_t version;
    void *prog;             /* compiled form (exec_stmt.c) */
    int nparam;
    hdb_sql_value *params;
    char **param_names;
    int ncol;
    char **names;
    xrows res;
    size_t pos;
    int state;              /* 0 ready, 1 rows pending, 2 done */
    char **text;            /* per-column text conversions of the current row */
    int *textlen;
};

/* ---- errors (exec_expr.c) ---- */
int hdb__sql_err(xctx *x, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- rows (exec_rows.c) ---- */
int hdb__sql_rows_add(xrows *r, hdb_sql_value *v, int ncol);   /* takes v (owned values) */
hdb_sql_value *hdb__sql_row_new(int n);                        /* n NULLs, or NULL */
void hdb__sql_row_free(hdb_sql_value *v, int n);
void hdb__sql_rows_clear(xrows *r);
/* Stable sort in memory: HDB_OK or HDB_NOMEM (r is then unchanged). */
int hdb__sql_rows_sort(xrows *r, const xorder *o, int no);
/* Compare two rows by o[0..no) (<0, 0, >0), as the sort does. */
int hdb__sql_row_cmp(const hdb_sql_value *a, const hdb_sql_value *b, const xorder *o, int no);
/* The same for the values x and y of the one term o. */
int hdb__sql_order_cmp(const hdb_sql_value *x, const hdb_sql_value *y, const xorder *o);
/* Sort r and keep its first n rows (ORDER BY .. LIMIT while rows arrive). */
int hdb__sql_rows_top(xrows *r, const xorder *o, int no, size_t n);
/* A set of byte strings (DISTINCT, UNION, GROUP BY): returns the index of
 * key (inserting it when absent, *added = 1). -1 on NOMEM. */
typedef struct xset {
    size_t n, cap;
    struct xset_ent { char *k; size_t kn; uint64_t h; long idx; } *e;
} xset;
long hdb__sql_set_find(xset *s, const void *k, size_t kn, long idx_if_new, int *added);
int hdb__sql_set_has(const xset *s, const void *k, size_t kn); /* 1 or 0 */
long hdb__sql_set_get(const xset *s, const void *k, size_t kn); /* its index, or -1 */
void hdb__sql_set_free(xset *s);
/* The key encoding of a row of values (binary collation unless coll != NULL). */
void hdb__sql_row_key(hdb_buf *b, const hdb_sql_value *v, int n, const int *coll);

/* ---- expressions (exec_expr.c) ---- */
/* "No affinity" (a literal, an expression), distinct from a BLOB column. */
#define HDB_AFF_NONE 0
int hdb__sql_is_numeric_aff(int a);
int hdb__sql_cmp_affinity(int a1, int a2);
int hdb__sql_apply_cmp(hdb_sql_value *v, int aff);
int hdb__sql_eval(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out);
/* The value a plain column of core c's own sources, e, has now, where it
 * is (what hdb__sql_eval would lend); NULL when e is anything else (a rowid,
 * an alias, a column of an outer query or of a null-extended row), to be
 * evaluated. */
const hdb_sql_value *hdb__sql_column_now(const xcore *c, const hdb_sql_expr *e);
/* Truth of e: 1, 0, -1 (NULL), or -2 on error (x->rc set). */
int hdb__sql_eval_truth(xctx *x, xcore *c, hdb_sql_expr *e);
int hdb__sql_expr_aff(const hdb_sql_expr *e);
int hdb__sql_expr_coll(const hdb_sql_expr *e, int *explicit_);
/* exec_cmp.c: comparisons (res: 1, 0, -1 for NULL); exec_subq.c: subqueries. */
int hdb__sql_binary_coll(const hdb_sql_expr *l, const hdb_sql_expr *r);
int hdb__sql_cmp_values(xctx *x, hdb_sql_value *a, int affa, hdb_sql_value *b, int affb, int coll,
                        int op, int *res);
void hdb__sql_set_bool(hdb_sql_value *out, int r);
int hdb__sql_eval_compare(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out);
int hdb__sql_eval_between(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out);
int hdb__sql_eval_case(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out);
int hdb__sql_eval_like(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out);
int hdb__sql_eval_in(xctx *x, xcore *c, hdb_sql_expr *e, hdb_sql_value *out);
int hdb__sql_eval_subquery(xctx *x, hdb_sql_expr *e, hdb_sql_value *out);

/* ---- compilation (exec_resolve.c) ---- */
/* A recursive CTE being compiled or run: the rows of the last step, which
 * its recursive part reads as the CTE's own table. */
typedef struct xrecur {
    xrows queue;            /* row pointers borrowed from the result */
    int ncol;
    char **names;
    int *aff, *coll;
    const hdb_sql_names *cols; /* the CTE's column list (may be empty) */
} xrecur;

typedef struct xcte_scope {
    struct xcte_scope *up;
    hdb_sql_with *with;
    hdb_sql_cte *compiling; /* the recursive CTE whose body is compiled */
    xrecur *recur;
} xcte_scope;
int hdb__sql_compile_select(xctx *x, hdb_sql_select *s, xcore *outer, xcte_scope *ctes,
                            xsel **out);
int hdb__sql_resolve(xctx *x, xcore *c, hdb_sql_expr *e, int allow_agg);
/* A one-source core over table t (DML targets, RETURNING, CHECK). */
xcore *hdb__sql_table_core(xctx *x, hdb_sql_table *t, const char *alias, xcore *outer);
void *hdb__sql_alloc(xctx *x, size_t n);
/* Fill c->aggarg once c's aggregates are resolved (exec_group.c). */
int hdb__sql_agg_prepare(xctx *x, xcore *c);
char *hdb__sql_strdup(xctx *x, const char *s);

/* ---- conditions (exec_where.c) ---- */
typedef struct xcondlist {
    int n, cap;
    hdb_sql_expr **a;
    int *lvl;
    int *on;                /* the source whose LEFT/RIGHT JOIN ON it came from, or -1 */
} xcondlist;
int hdb__sql_cond_add(xctx *x, xcondlist *l, hdb_sql_expr *e, int on);
int hdb__sql_cond_place(xctx *x, xcore *c, xcondlist *l);
int hdb__sql_join_using_all(xctx *x, xcore *c, hdb_sql_from *f, xcondlist *l);
int hdb__sql_join_on(xctx *x, xcore *c, hdb_sql_from *f, xcondlist *l);
/* The highest join level e reads (-1 none) into *m (pos NULL: FROM order). */
void hdb__sql_max_level(const hdb_sql_expr *e, int nsrc, const int *pos, int *m);

/* ---- planning (plan.c) ---- */
void hdb__sql_plan_source(xctx *x, xcore *c, int i);
/* May source s be read from its plan's index alone (exec_scan.c)? */
int hdb__sql_covers(const xsrc *s);
/* Choose the join order of an inner join (c->perm, c->pos) from the
 * conjuncts l, before they are placed. */
int hdb__sql_plan_join_order(xctx *x, xcore *c, xcondlist *l);
/* INDEXED BY name / NOT INDEXED on source s (before planning). */
int hdb__sql_plan_hint(xctx *x, xsrc *s, const char *indexed_by, int not_indexed);
void hdb__sql_plan_order(xctx *x, xsel *q);
void hdb__sql_plan_explain_core(xcore *c, xrows *out, int *id, int parent);
void hdb__sql_plan_explain(xsel *s, xrows *out, int *id, int parent);

/* ---- SELECT (exec_select.c) ---- */
int hdb__sql_run_select(xctx *x, xsel *s, xrows *out, size_t limit_hint);
/* The rows of sqlite_sequence (exec_seq.c). */
int hdb__sql_seq_rows(xctx *x, xrows *m);
/* Count one row read by the run; an error ("interrupted") once the
 * connection's progress limit is exceeded (hdb_set_progress_limit). */
int hdb__sql_progress(xctx *x);
/* Iterate every row of source i of core c, calling fn after setting it. */
int hdb__sql_scan_source(xctx *x, xcore *c, int i, int (*fn)(xctx *, xcore *, int, void *),
                         void *arg);
/* Make record rec[0..n) of rowid the current row of table source s (its
 * INTEGER PRIMARY KEY column, stored as NULL, reads as the rowid). */
int hdb__sql_load_row(xctx *x, xsrc *s, int64_t rowid, const void *rec, size_t n);
int hdb__sql_source_defaults(xctx *x, xsrc *s);

/* ---- DML (exec_dml.c) ---- */
int hdb__sql_compile_insert(xctx *x, hdb_sql_stmt *st, void **prog);
int hdb__sql_compile_update(xctx *x, hdb_sql_stmt *st, void **prog);
int hdb__sql_compile_delete(xctx *x, hdb_sql_stmt *st, void **prog);
int hdb__sql_dml_columns(void *prog, int *n, char ***names);
/* EXPLAIN QUERY PLAN of a DML statement. */
void hdb__sql_dml_explain(void *prog, xrows *out, int *id);
/* Fill an index from its table's rows (with check_unique, a duplicate key
 * of a UNIQUE index fails). */
int hdb__sql_index_fill(xctx *x, hdb_sql_index *ix, int check_unique);
int hdb__sql_exec_insert(xctx *x, hdb_sql_stmt *st, void *prog, xrows *out);
int hdb__sql_insert_single_shot(const hdb_sql_stmt *st);
int hdb__sql_exec_update(xctx *x, hdb_sql_stmt *st, void *prog, xrows *out);
int hdb__sql_exec_delete(xctx *x, hdb_sql_stmt *st, void *prog, xrows *out);
/* Row writes with index maintenance (exec_write.c). */
int hdb__sql_row_write(xctx *x, hdb_sql_table *t, int64_t rowid, hdb_sql_value *row);
int hdb__sql_row_delete(xctx *x, hdb_sql_table *t, int64_t rowid, hdb_sql_value *row);
int hdb__sql_row_update(xctx *x, hdb_sql_table *t, int64_t oldid, const hdb_sql_value *old,
                        int64_t rowid, hdb_sql_value *row);
int hdb__sql_row_read(xctx *x, xsrc *s, int64_t rowid, int *found); /* into s->row */
/* Check NOT NULL, CHECK, JSON, UNIQUE and FOREIGN KEY constraints of a new
 * row (exec_write.c).  or_action: HDB_SQL_OR_*; with REPLACE, conflicting
 * rows are deleted; *skip is set when OR IGNORE drops the row.  old_rowid
 * is the row being updated (or INT64_MIN). */
int hdb__sql_check_row(xctx *x, hdb_sql_table *t, hdb_sql_value *row, int64_t rowid,
                       int64_t old_rowid, int or_action, int *skip);
/* The row conflicting with `row` on unique index ix (NULL: on the rowid). */
int hdb__sql_find_conflict(xctx *x, hdb_sql_table *t, hdb_sql_index *ix, const hdb_sql_value *row,
                           int64_t rowid, int64_t *other, int *found);
/* The same, with the FOREIGN KEY check of the row itself only when fk. */
int hdb__sql_check_row_ex(xctx *x, hdb_sql_table *t, hdb_sql_value *row, int64_t rowid,
                          int64_t old_rowid, int or_action, int *skip, int fk);
/* exec_fk.c: the parent row of every FOREIGN KEY of a new row must exist. */
int hdb__sql_check_fk(xctx *x, hdb_sql_table *t, const hdb_sql_value *row);
/* exec_fk.c: a parent row is deleted (newrow NULL) or its key changes to
 * newrow's: run each referencing key's action (error, CASCADE, SET NULL,
 * SET DEFAULT) on the child rows. */
int hdb__sql_check_parent(xctx *x, hdb_sql_table *t, const hdb_sql_value *row,
                          const hdb_sql_value *newrow);
/* Resolve WHERE in a one-source core, place its conjuncts and plan it. */
int hdb__sql_core_where(xctx *x, xcore *c, hdb_sql_expr *where);
void hdb__sql_rowid_key(hdb_buf *b, int64_t rowid);
void hdb__sql_index_key(hdb_buf *b, hdb_sql_index *ix, const hdb_sql_value *row, int64_t rowid,
                        int with_rowid);
int hdb__sql_ks(xctx *x, const char *name, int create, uint32_t *ks);

/* ---- DDL (exec_ddl.c) and others (exec_misc.c) ---- */
int hdb__sql_exec_ddl(xctx *x, hdb_sql_stmt *st);
int hdb__sql_exec_alter(xctx *x, hdb_sql_stmt *st);
int hdb__sql_exec_branch(xctx *x, hdb_sql_stmt *st, xrows *out, char ***names, int *ncol);
/* MERGE BRANCH (exec_merge.c). */
int hdb__sql_exec_merge(xctx *x, hdb_sql_branch *b, xrows *out, char ***names, int *ncol);

/* ---- min/max under a collation (exec_agg.c): NULL when the built-in serves */
const hdb_sql_funcdef *hdb__sql_minmax_coll(const char *name, int coll);

/* ---- PRAGMA (exec_pragma.c) ---- */
int hdb__sql_pragma_columns(const hdb_sql_pragma *p, int *n, char ***names);
int hdb__sql_exec_pragma(xctx *x, hdb_sql_pragma *p, xrows *out);
/* PRAGMA integrity_check / quick_check (exec_check.c). */
int hdb__sql_exec_check(xctx *x, const hdb_sql_pragma *p, xrows *out);

/* ---- statements (exec_stmt.c) ---- */
int hdb__sql_stmt_compile(xctx *x, struct hdb_stmt *s);
int hdb__sql_stmt_exec(xctx *x, struct hdb_stmt *s, xrows *out);
int hdb__sql_txn_stmt(xctx *x, hdb_sql_stmt *st);

/* ---- connection (api_sql.c) ---- */
xconn *hdb__sql_conn(hdb *db);
/* Make sure x->schema is the current one for x->t (reload if needed). */
int hdb__sql_schema_sync(xctx *x);

#endif
