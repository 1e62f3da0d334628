/*
** value_int.h — number parsing and formatting shared by the value module
** (value.c, value_conv.c, value_arith.c), the codec and the functions.
**
** These follow SQLite's own routines: a numeric prefix of a text is
** [spaces] [+-] digits [. digits] [e [+-] digits] (at least one mantissa
** digit; ".5" and "5." count), an integer-looking text that does not fit in
** 64 bits is a REAL, and a REAL prints with 15 significant digits and
** always shows a '.' or an exponent.
*/
#ifndef HDB_SQL_VALUE_INT_H
#define HDB_SQL_VALUE_INT_H

#include <stddef.h>
#include <stdint.h>

/* The numeric prefix of a text. */
typedef struct hdb_sql_num {
    int type;    /* 0 (no digits), HDB_INTEGER or HDB_FLOAT */
    int whole;   /* the number is the whole text (spaces around it allowed) */
    int64_t i;   /* the value when type == HDB_INTEGER */
    double f;    /* the value as a double (0.0 when type == 0) */
} hdb_sql_num;

void hdb__sql_num_parse(const char *p, size_t n, hdb_sql_num *out);
/* SQLite's sqlite3Atoi64 on a prefix: [spaces][+-]digits, saturating at
 * the int64 limits; 0 when there are no digits. */
int64_t hdb__sql_atoi64(const char *p, size_t n);
/* A double to int64 by truncation, saturating; NaN gives 0. */
int64_t hdb__sql_dbl_to_int(double f);
/* 1 and *i set if f is an integer strictly inside the int64 range. */
int hdb__sql_real_is_int(double f, int64_t *i);
/* The text of a REAL as SQLite prints it into out (at least 32 bytes,
 * NUL-terminated); returns its length.  NaN prints as "" (SQLite has no NaN). */
size_t hdb__sql_fmt_real(double f, char *out);
/* The SQLite space characters: ' ' \t \n \v \f \r. */
static inline int hdb__sql_isspace(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

#endif
