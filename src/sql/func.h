/*
** func.h — the built-in SQL functions: scalar functions and aggregates.
**
** WHAT IT IS
**   A table of functions by name (ASCII case-insensitive) and argument count.
**   Each scalar function maps argument values to a result value; each
**   aggregate keeps a state that is stepped once per row and finished once.
**   Semantics follow SQLite's documentation of each function
**   (https://sqlite.org/lang_corefunc.html, lang_aggfunc.html,
**   lang_datefunc.html, json1.html).
**
**   Scalars: abs, changes*, char, coalesce, glob, hex, ifnull, iif, instr,
**   last_insert_rowid*, length, like, likelihood, likely, lower, ltrim, max
**   (2+ args), min (2+ args), nullif, printf/format, quote, random,
**   randomblob, replace, round, rtrim, sign, substr/substring, trim, typeof,
**   unicode, unlikely, upper, zeroblob; date, time, datetime, julianday,
**   unixepoch, strftime; json, json_valid, json_extract, json_type,
**   json_array, json_object, json_array_length, json_quote, json_set,
**   json_insert, json_replace, json_remove, and the -> and ->> operators
**   (hdb__sql_json_arrow).  (* need the connection: the executor handles
**   them before calling here.)
**   Aggregates: count(*), count(x), sum, total, avg, min, max,
**   group_concat(x [, sep]), string_agg(x, sep), json_group_array(x),
**   json_group_object(name, value).
**
** ERRORS
**   A function returns HDB_OK, HDB_NOMEM, or HDB_ERROR with a message in
**   ctx->err (a NUL-terminated string of at most 200 bytes), as SQLite's
**   "wrong number of arguments to function substr()" or
**   "malformed JSON".
**
** INVARIANTS
**   - Functions never keep pointers to their arguments; results are owned.
**   - The clock is read only through ctx->now_us (one value per statement,
**     as SQLite's 'now' is stable within a statement).
*/
#ifndef HDB_SQL_FUNC_H
#define HDB_SQL_FUNC_H

#include <stdint.h>
#include "src/sql/value.h"

typedef struct hdb_sql_fctx {
    int64_t now_us;          /* 'now' for date functions */
    uint64_t rand_state;     /* random(): a PRNG state the executor seeds */
    char err[200];           /* the message when HDB_ERROR is returned */
} hdb_sql_fctx;

typedef int (*hdb_sql_scalar_fn)(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out);

/* Aggregate state: opaque to the caller, sized by agg_size. */
typedef struct hdb_sql_aggdef {
    size_t state_size;       /* bytes of state, zeroed by the caller before the first step */
    int (*step)(hdb_sql_fctx *ctx, void *state, int argc, hdb_sql_value *argv);
    int (*final)(hdb_sql_fctx *ctx, void *state, hdb_sql_value *out); /* also frees the state's memory */
} hdb_sql_aggdef;

typedef struct hdb_sql_funcdef {
    const char *name;        /* lower case */
    int min_args, max_args;  /* max_args -1: any number */
    hdb_sql_scalar_fn scalar;        /* NULL for an aggregate */
    const hdb_sql_aggdef *agg;       /* NULL for a scalar */
    int deterministic;       /* same arguments, same result (not random, not 'now') */
} hdb_sql_funcdef;

/* The function called `name` accepting argc arguments; NULL if none.
 * *exists is set to 1 if some function has that name (for the message
 * "wrong number of arguments to function f()" vs "no such function: f"). */
const hdb_sql_funcdef *hdb__sql_func_find(const char *name, int argc, int *exists);

/* LIKE and GLOB matching (SQLite's rules: LIKE is ASCII case-insensitive,
 * '%' '_' and an optional escape character; GLOB is case-sensitive with
 * '*' '?' '[...]').  1 match, 0 no match. */
int hdb__sql_like(const char *pat, size_t np, const char *s, size_t ns, int esc /* -1 none */);
int hdb__sql_glob(const char *pat, size_t np, const char *s, size_t ns);

/* x -> path (as JSON text) when ptr2 == 0, x ->> path (as an SQL value)
 * when ptr2 == 1.  HDB_OK, HDB_NOMEM or HDB_ERROR ("malformed JSON"). */
int hdb__sql_json_arrow(hdb_sql_fctx *ctx, const hdb_sql_value *x, const hdb_sql_value *path, int ptr2,
                        hdb_sql_value *out);
/* 1 if p[0..n) is well-formed JSON text (RFC 8259), else 0. */
int hdb__sql_json_valid(const char *p, size_t n);

#endif
