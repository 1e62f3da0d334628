/*
** exec_dml.h — the compiled form of INSERT, UPDATE and DELETE, shared by
** exec_dml.c (INSERT, DELETE, rowids, RETURNING) and exec_update.c
** (UPDATE, UPDATE ... FROM, UPSERT).
*/
#ifndef HDB_SQL_EXEC_DML_H
#define HDB_SQL_EXEC_DML_H

#include "src/sql/exec.h"

typedef struct xdml {
    hdb_sql_table *tab;   /* NULL for sqlite_sequence (exec_seq.c) */
    int seq;              /* writes sqlite_sequence: src gives its rows (exec_seq.c) */
    xcore *core;
    xsel *src;
    int *colmap;          /* INSERT: table column -> source column or -1 */
    int nset;
    int *setcol;          /* UPDATE: column of each assignment */
    hdb_sql_expr **setval;
    int nret;
    hdb_sql_expr **ret;
    char **retnames;
    int or_action;
    int scans;                /* UPDATE / DELETE: reads the table by its plan */
    xsel *fromsel;            /* UPDATE .. FROM: the join giving (rowid, values) */
    /* ON CONFLICT DO UPDATE: a core of (the table, "excluded") */
    xcore *ucore;
    int unset;
    int *usetcol;
    hdb_sql_expr **usetval;
    hdb_sql_expr *uwhere;
    int utarget_ipk;          /* the target is the INTEGER PRIMARY KEY */
    hdb_sql_index *utarget;   /* the target's unique index, or NULL (any) */
} xdml;
/* exec_dml.c */
int hdb__sql_dml_returning(xctx *x, xdml *d, hdb_sql_value *row, int64_t rowid, xrows *out);
/* AUTOINCREMENT high-water marks (exec_dml.c): read (*found = 0 when t
 * has none), set to *seq, or removed (seq NULL). */
int hdb__sql_seq_read(xctx *x, const hdb_sql_table *t, int64_t *seq, int *found);
int hdb__sql_seq_write(xctx *x, const hdb_sql_table *t, const int64_t *seq);
/* exec_seq.c: INSERT, UPDATE and DELETE of sqlite_sequence. */
int hdb__sql_seq_is(const char *name);
int hdb__sql_seq_compile(xctx *x, hdb_sql_stmt *st, xdml *d);
int hdb__sql_seq_exec(xctx *x, hdb_sql_stmt *st, xdml *d);
/* exec_update.c */
int hdb__sql_dml_compile_sets(xctx *x, xcore *c, hdb_sql_table *t, hdb_sql_sets *set, int *n,
                              int **cols, hdb_sql_expr ***vals);
int hdb__sql_dml_compile_upsert(xctx *x, xdml *d, hdb_sql_upsert *u);
int hdb__sql_dml_compile_from(xctx *x, xdml *d, hdb_sql_update *up);
/* Update row `old` (rowid oldid) with the assignments (evaluated in c, or
 * taken from preset[] when not NULL). */
int hdb__sql_dml_update_one(xctx *x, xdml *d, xcore *c, int nset, const int *setcol,
                            hdb_sql_expr **setval, const hdb_sql_value *preset,
                            hdb_sql_value *old, int64_t oldid, xrows *out);
/* INSERT .. ON CONFLICT DO UPDATE: *done when the row was handled. */
int hdb__sql_dml_upsert(xctx *x, xdml *d, hdb_sql_value *row, int64_t rowid, xrows *out,
                        int *done);
int hdb__sql_dml_update_from(xctx *x, xdml *d, xrows *out);

#endif
