/*
** exec_dml.h — the compiled form of INSERT, UPDATE and DELETE, shared by
** exec_dml.c (INSERT, DELETE, rowids, RETURNING) and exec_update.c
** (UPDATE, UPDATE ... FROM, UPSERT).
*/
#ifndef HDB_SQL_EXEC_DML_H
#define HDB_SQL_EXEC_DML_H

#include "src/sql/exec.h"

typedef struct xdml {
    hdb_sql_table *tab;
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
