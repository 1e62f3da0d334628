/*
** func_int.h — what the files of the built-in functions share: their
** tables, error reporting, result helpers, UTF-8 helpers, SQLite's
** formatting of doubles, and the JSON text helpers.
**
** Each func_*.c file defines one table of hdb_sql_funcdef ended by an entry
** whose name is NULL; func.c searches them all.  Everything else in those
** files is static.
*/
#ifndef HDB_SQL_FUNC_INT_H
#define HDB_SQL_FUNC_INT_H

#include <stddef.h>
#include <stdint.h>
#include "pager/buf.h"
#include "src/sql/func.h"

extern const hdb_sql_funcdef hdb__sql_funcs_core[];      /* func.c */
extern const hdb_sql_funcdef hdb__sql_funcs_str[];       /* func_str.c */
extern const hdb_sql_funcdef hdb__sql_funcs_agg[];       /* func_agg.c */
extern const hdb_sql_funcdef hdb__sql_funcs_printf[];    /* func_printf.c */
extern const hdb_sql_funcdef hdb__sql_funcs_date[];      /* func_date.c */
extern const hdb_sql_funcdef hdb__sql_funcs_json[];      /* func_json.c */
extern const hdb_sql_funcdef hdb__sql_funcs_json_edit[]; /* func_json_edit.c */

/* Format a message into ctx->err; returns HDB_ERROR. */
int hdb__sql_func_error(hdb_sql_fctx *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The text form of v as (pointer, *n): TEXT and BLOB bytes as they are,
 * numbers printed into tmp (at least 40 bytes); NULL for SQL NULL. */
const char *hdb__sql_func_text(const hdb_sql_value *v, char *tmp, size_t *n);
/* out := b's bytes as a value of type (HDB_TEXT or HDB_BLOB), taking
 * them (b must use the C library's allocator).  HDB_NOMEM if b->oom. */
int hdb__sql_func_take(hdb_sql_value *out, hdb_buf *b, int type);

/* UTF-8 (invalid bytes count as one character each). */
uint32_t hdb__sql_utf8_get(const char *p, size_t n, size_t *k); /* decode at *k, advance */
size_t hdb__sql_utf8_count(const char *p, size_t n);
void hdb__sql_utf8_put(hdb_buf *b, uint32_t c);

/* SQLite's printf conversion of v by conv ('f', 'e', 'E', 'g' or 'G') at
 * precision prec (>= 0) with HDB_FMT_* flags, appended to b without width
 * padding (func_float.c).  round() uses "%!.*f", quote() "%!.20e". */
enum { HDB_FMT_ALT = 1 /* # */, HDB_FMT_BANG = 2 /* ! */, HDB_FMT_PLUS = 4, HDB_FMT_SPACE = 8 };
void hdb__sql_fmt_float(hdb_buf *b, double v, int conv, int prec, int flags);

/* JSON text helpers shared by func_json.c (which defines them) and
 * func_json_edit.c.  Documents given to them are validated first. */
size_t hdb__sql_json_ws(const char *p, size_t n, size_t k);   /* index past whitespace */
int hdb__sql_json_skip(const char *p, size_t n, size_t *k);    /* past one value; 0 if bad */
void hdb__sql_json_minify(hdb_buf *b, const char *p, size_t vs, size_t ve);
void hdb__sql_json_quote(hdb_buf *b, const char *s, size_t n); /* as a JSON string */
int hdb__sql_json_append(hdb_buf *b, const hdb_sql_value *v); /* v as JSON; 0 for a BLOB */
int hdb__sql_json_take(hdb_sql_value *out, hdb_buf *b);       /* TEXT marked as JSON */
/* The validated JSON document of argument v and the span of its value:
 * 1 ok, 0 SQL NULL, -1 malformed (message in ctx).  tmp: 40 bytes. */
int hdb__sql_json_doc(hdb_sql_fctx *ctx, const hdb_sql_value *v, char *tmp, const char **p, size_t *n,
                      size_t *vs, size_t *ve);

#endif
