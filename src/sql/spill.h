/*
** spill.h — the external sorter: rows that outgrow the working-memory
** budget are sorted in memory, written to a temporary file as sorted runs,
** and merged back in order.  ORDER BY, GROUP BY and UNION use it
** (exec_select.c, exec_group.c, exec_compound.c); its workings and the
** run file's byte layout are described in spill.c.
**
** LIFECYCLE
**   open -> (rows arrive in an xrows whose `spill` is the sorter; the
**   xrows hands its rows to hdb__sql_sorter_spill whenever the bytes they
**   hold pass the budget) -> rewind (the rows still in the xrows become the
**   last run) -> next ... next (rows in order; NULL at the end) -> close.
**   close may come at any point and removes everything, file included.
**
** OWNERSHIP
**   The sorter borrows x (for errors and the budget) and the xorder array
**   for its life.  Rows given to it are taken; rows it returns are
**   returned-owned (free with hdb__sql_row_free).
**
** ERRORS
**   Every fallible call returns HDB_OK or the error code, with the message
**   left in x (hdb__sql_err): HDB_NOMEM, HDB_IOERR (the temporary file
**   cannot be created, written or read; the message names the directory),
**   HDB_FULL (no space left for it), HDB_CORRUPT (a run read back is not
**   what was written).  After an error the only valid call is close.
*/
#ifndef HDB_SQL_SPILL_H
#define HDB_SQL_SPILL_H

#include <stddef.h>
#include "src/sql/exec.h"

typedef struct xsorter xsorter;

/* The working-memory budget of one sorter in run x, in bytes: the run's
 * spill_budget when set (tests), else a quarter of the database's page
 * cache budget (hdb_options.cache_bytes), never less than 16 KiB. */
size_t hdb__sql_spill_budget(const xctx *x);

/* The bytes row v[0..n) holds in memory, as the budget counts them. */
size_t hdb__sql_row_bytes(const hdb_sql_value *v, int n);

/* A sorter of rows of ncol values by o[0..no) (no may be 0: arrival
 * order).  Returned-owned in *out; the temporary file is created only when
 * the first run is written. */
int hdb__sql_sorter_open(xctx *x, int ncol, const xorder *o, int no, xsorter **out);

/* Options, set before the first row arrives.
 * keep:     only the first n rows of the result are wanted (ORDER BY ..
 *           LIMIT): each run keeps at most n rows.  0: all.
 * distinct: of rows equal on every sort column, only the first to arrive
 *           comes out (UNION). */
void hdb__sql_sorter_keep(xsorter *s, size_t n);
void hdb__sql_sorter_distinct(xsorter *s, int on);

/* Attach the sorter to b: from now on hdb__sql_rows_add counts the bytes
 * of b's rows and spills them when they pass the budget. */
void hdb__sql_sorter_attach(xsorter *s, xrows *b);

/* Sort the rows of b (stable) and write them as one run; b is left empty.
 * Called by hdb__sql_rows_add; a no-op for an empty b. */
int hdb__sql_sorter_spill(xsorter *s, xrows *b);

/* A row was appended to the attached batch b: count it, and spill b when
 * it passes the budget (hdb__sql_rows_add calls this). */
int hdb__sql_sorter_added(xsorter *s, xrows *b);

/* Number of runs written to the file so far (0: everything fit). */
size_t hdb__sql_sorter_runs(const xsorter *s);

/* The end of input: the rows still in b (taken; b is left empty and
 * detached) become the last run, kept in memory; the runs on file are
 * merged down to a few, so that the next call can read them together. */
int hdb__sql_sorter_rewind(xsorter *s, xrows *b);

/* The next row in order into *row (returned-owned), or *row = NULL at the
 * end. */
int hdb__sql_sorter_next(xsorter *s, hdb_sql_value **row);

/* Report errors into x from now on (a result read after its run ended). */
void hdb__sql_sorter_rebind(xsorter *s, xctx *x);

/* Free everything the sorter holds and remove its file.  NULL is a no-op. */
void hdb__sql_sorter_close(xsorter *s);

/* The most bytes of rows and buffers the sorter held at once (a debug
 * counter for tests: it stays near the budget however many rows pass). */
size_t hdb__sql_sorter_peak(const xsorter *s);

#endif
