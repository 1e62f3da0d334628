/*
** exec_run.h — the run state of one core, shared by the files that run a
** SELECT: exec_select.c (the join loop and projection), exec_group.c
** (aggregation) and exec_compound.c (compounds and recursive CTEs).
*/
#ifndef HDB_SQL_EXEC_RUN_H
#define HDB_SQL_EXEC_RUN_H

#include "src/sql/exec.h"

/* One group of an aggregate query. */
typedef struct group {
    char *key;               /* key encoding of its GROUP BY values */
    size_t kn;
    void **state;            /* per aggregate */
    xset *dist;              /* per aggregate (DISTINCT) or NULL */
    hdb_sql_value **rows;    /* per source: saved row, or NULL */
    int64_t *rowid;
    int *nullrow;
} group;

/* The run of one core. */
typedef struct runst {
    xsel *q;
    xcore *c;
    xrows *out;
    size_t stop;
    int distinct;
    xset seen;
    int *matched;
    xset *rmatch;            /* per source: ids of rows a RIGHT/FULL JOIN matched */
    int agg;
    xset gmap;
    group *g;
    size_t ng, gcap;
} runst;

/* exec_select.c */
int hdb__sql_emit(xctx *x, runst *st);
int hdb__sql_run_core(xctx *x, xsel *q, xcore *c, xrows *out, size_t stop);
/* exec_group.c */
int hdb__sql_group_accumulate(xctx *x, runst *st);
int hdb__sql_group_output(xctx *x, runst *st);
void hdb__sql_group_free(xcore *c, group *g, int finalize_states);
/* exec_compound.c */
int hdb__sql_run_compound(xctx *x, xsel *q, xrows *out);
int hdb__sql_run_recursive(xctx *x, xsel *q, xrows *out, int64_t limit);

#endif
