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
    size_t dbytes;           /* what `seen` holds (estimated) */
    struct xsorter *dspill;  /* DISTINCT past the budget: new rows by key (exec_select.c) */
    xrows dbatch;            /* its batch */
    int64_t dseq;            /* arrival number of the next row sent to it */
    int *matched;
    xset *rmatch;            /* per source: ids of rows a RIGHT/FULL JOIN matched */
    int agg;
    int bare, bare_known;    /* the output reads the sources' rows (exec_group.c) */
    xset gmap;
    group *g;
    size_t ng, gcap;
    size_t gbytes;           /* what the groups in memory hold (estimated) */
    struct xsorter *gspill;  /* input rows of the groups not in memory (exec_group.c) */
    xrows gbatch;            /* its batch */
    hdb_sql_value *thr;      /* ORDER BY .. LIMIT k: a copy of the k-th row at the last
                              * pruning; a row not before it is dropped (exec_select.c) */
    hdb_sql_value *probe;    /* the order keys of the row being emitted, checked against thr */
} runst;

/* exec_select.c */
int hdb__sql_emit(xctx *x, runst *st);
int hdb__sql_run_core(xctx *x, xsel *q, xcore *c, xrows *out, size_t stop);
/* exec_group.c */
int hdb__sql_group_accumulate(xctx *x, runst *st);
int hdb__sql_group_output(xctx *x, runst *st);
void hdb__sql_group_free(xcore *c, group *g, int finalize_states);
/* Free every group of st and its spilled rows (the end of a run). */
void hdb__sql_group_end(runst *st);
/* exec_compound.c */
int hdb__sql_run_compound(xctx *x, xsel *q, xrows *out);
int hdb__sql_run_recursive(xctx *x, xsel *q, xrows *out, int64_t limit);

#endif
