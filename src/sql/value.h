/*
** value.h — SQL values with SQLite's semantics: storage classes, affinity,
** comparison, conversion, arithmetic, and their text form.
**
** WHAT IT IS
**   An hdb_sql_value is one SQL value: NULL, a 64-bit integer, a double, a
**   text (UTF-8) or a blob.  Everything the executor computes with is one of
**   these.  Semantics follow SQLite 3 exactly where SQLite defines them
**   (https://sqlite.org/datatype3.html): storage classes, column affinity
**   from the declared type, comparison affinity, the sort order
**   NULL < numbers < TEXT < BLOB, integer arithmetic that overflows to REAL,
**   division by zero giving NULL, and the text of a REAL as SQLite prints it
**   ("%!.15g": 1.0 prints "1.0", 1e+20 prints "1.0e+20").
**
** OWNERSHIP
**   A text or blob value either borrows its bytes (owned == 0: they belong to
**   someone else and live as long as the caller says) or owns them
**   (owned == 1: allocated by this module with hdb__malloc(NULL, ..), i.e.
**   the C library's allocator, and freed by hdb__sql_value_clear).
**   Text is always NUL-terminated at u.s.p[u.s.n] when owned; a borrowed text
**   may not be (use u.s.n).  hdb__sql_value_copy makes an owned deep copy.
**   owned == HDB_SQL_OWNED_JSON (2) is owned as well, and marks a TEXT made
**   by a JSON function (SQLite's JSON subtype), so that json_array() and
**   json_object() embed it as JSON instead of quoting it; any copy drops
**   the mark (as a subtype does not outlive an expression in SQLite).
**
** INVARIANTS
**   - type is one of HDB_NULL, HDB_INTEGER, HDB_FLOAT, HDB_TEXT, HDB_BLOB
**     (heliosdb.h); a zeroed value is NOT valid: use HDB_SQL_NULL_INIT.
**   - u.s.p may be NULL only when u.s.n == 0.
**   - No function here keeps a pointer to its arguments.
*/
#ifndef HDB_SQL_VALUE_H
#define HDB_SQL_VALUE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "heliosdb.h"
#include "pager/buf.h"

/* The longest string or blob a function or operator makes (SQLite's
 * default SQLITE_MAX_LENGTH): beyond, "string or blob too big". */
#define HDB_SQL_MAX_LENGTH 1000000000

typedef struct hdb_sql_value {
    int type;      /* HDB_NULL, HDB_INTEGER, HDB_FLOAT, HDB_TEXT, HDB_BLOB */
    int owned;     /* TEXT/BLOB: u.s.p is owned by the value (1, or HDB_SQL_OWNED_JSON) */
    union {
        int64_t i;
        double f;
        struct { char *p; size_t n; } s; /* TEXT and BLOB */
    } u;
} hdb_sql_value;

#define HDB_SQL_NULL_INIT { HDB_NULL, 0, { 0 } }
#define HDB_SQL_OWNED_JSON 2 /* owned, and the text is JSON (see OWNERSHIP) */

/* Column affinities (SQLite's names). */
enum { HDB_AFF_BLOB = 'A', HDB_AFF_TEXT = 'B', HDB_AFF_NUMERIC = 'C', HDB_AFF_INTEGER = 'D',
       HDB_AFF_REAL = 'E' };
/* Collating sequences. */
enum { HDB_COLL_BINARY = 0, HDB_COLL_NOCASE, HDB_COLL_RTRIM };

/* ---- construction and lifetime ----------------------------------------- */
void hdb__sql_value_clear(hdb_sql_value *v);             /* free if owned; becomes NULL */
void hdb__sql_value_null(hdb_sql_value *v);               /* = clear */
void hdb__sql_value_int(hdb_sql_value *v, int64_t i);     /* clears v first */
void hdb__sql_value_float(hdb_sql_value *v, double f);   /* NaN becomes NULL, as in SQLite */
/* Owned copies of p[0..n); HDB_OK or HDB_NOMEM (v is NULL then). */
int hdb__sql_value_text(hdb_sql_value *v, const char *p, size_t n);
int hdb__sql_value_blob(hdb_sql_value *v, const void *p, size_t n);
/* Borrowing versions: v points at p, which must outlive v's use. */
void hdb__sql_value_text_ref(hdb_sql_value *v, const char *p, size_t n);
void hdb__sql_value_blob_ref(hdb_sql_value *v, const void *p, size_t n);
/* dst := an owned deep copy of src (dst cleared first). HDB_OK or HDB_NOMEM. */
int hdb__sql_value_copy(hdb_sql_value *dst, const hdb_sql_value *src);
/* Make a borrowed text/blob owned in place.  HDB_OK or HDB_NOMEM. */
int hdb__sql_value_own(hdb_sql_value *v);

/* ---- affinity ------------------------------------------------------------ */
/* The affinity of a declared column type by SQLite's five rules (NULL -> BLOB). */
int hdb__sql_affinity(const char *decltype);
/* Apply a column affinity to v in place (SQLite's rules for storing a value
 * in a column: TEXT of a well-formed number becomes INTEGER/REAL for
 * NUMERIC/INTEGER/REAL; REAL with an exact integer value becomes INTEGER
 * for NUMERIC/INTEGER; numbers become TEXT for TEXT).  HDB_OK or HDB_NOMEM. */
int hdb__sql_apply_affinity(hdb_sql_value *v, int aff);
/* Before a comparison a OP b, apply SQLite's comparison-affinity rules
 * (https://sqlite.org/datatype3.html#type_conversions_prior_to_comparison)
 * given the affinity of each operand's expression (HDB_AFF_BLOB for "no
 * affinity", e.g. a literal).  Converts a and/or b in place. */
int hdb__sql_compare_affinity(hdb_sql_value *a, int aff_a, hdb_sql_value *b, int aff_b);

/* ---- comparison ---------------------------------------------------------- */
/* Total order used by ORDER BY, indexes, DISTINCT and GROUP BY:
 * NULL < INTEGER/FLOAT (compared numerically, exactly: 2^63-1 vs 9.2e18 is
 * right) < TEXT (by collation) < BLOB (memcmp, then length).  <0, 0, >0. */
int hdb__sql_value_cmp(const hdb_sql_value *a, const hdb_sql_value *b, int coll);
/* "a = b" etc. in SQL: 1, 0, or -1 when either is NULL (the result is NULL). */
int hdb__sql_value_eq3(const hdb_sql_value *a, const hdb_sql_value *b, int coll);
/* Collation by name ("BINARY", "NOCASE", "RTRIM", any case); -1 if unknown. */
int hdb__sql_collation(const char *name);

/* ---- conversion ---------------------------------------------------------- */
/* SQLite's conversions (as sqlite3_value_int64 / _double / _text):
 * TEXT "12abc" -> 12, NULL -> 0, BLOB as text.  to_int reads the integer
 * prefix only, saturating ("1e3" -> 1, as CAST('1e3' AS INTEGER) in SQLite
 * 3.40; a REAL is truncated, 1e20 -> INT64_MAX); to_float reads the whole
 * numeric prefix ("1e3x" -> 1000.0). */
int64_t hdb__sql_value_to_int(const hdb_sql_value *v);
double hdb__sql_value_to_float(const hdb_sql_value *v);
/* Truth of v in WHERE/AND/OR/NOT/CASE: 1, 0, or -1 for NULL
 * (numbers: != 0; text/blob: their numeric prefix != 0). */
int hdb__sql_value_truth(const hdb_sql_value *v);
/* Append the text form of v to b as SQLite's CAST(v AS TEXT) would (integers
 * "%lld", reals "%!.15g" with ".0" for integral values, blobs their bytes).
 * NULL appends nothing.  The caller checks b->oom. */
void hdb__sql_value_to_text(const hdb_sql_value *v, hdb_buf *b);
/* CAST(v AS type) in place, type as written ("INT", "VARCHAR(10)", ...),
 * by the type's affinity with CAST's rules (CAST('12abc' AS INTEGER) = 12,
 * CAST(x AS NUMERIC) ...).  HDB_OK or HDB_NOMEM. */
int hdb__sql_value_cast(hdb_sql_value *v, const char *type);
/* Parse text p[0..n) as a number the way SQLite does for affinity: leading
 * and trailing spaces allowed, the whole text must be a number.  Returns
 * HDB_INTEGER (into *i), HDB_FLOAT (into *f) or 0 if it is not a number. */
int hdb__sql_text_to_number(const char *p, size_t n, int64_t *i, double *f);

/* ---- arithmetic ---------------------------------------------------------- */
/* out := a OP b for OP one of the binary operators of ast.h:
 * HDB_SQL_OP_ADD, SUB, MUL, DIV, MOD, BITAND, BITOR, LSHIFT, RSHIFT, CONCAT.
 * NULL in -> NULL out; text operands convert as SQLite does; integer
 * overflow of + - * gives REAL; x/0 and x%0 give NULL; integer division
 * truncates.  out may alias neither a nor b.  HDB_OK or HDB_NOMEM. */
int hdb__sql_arith(int op, const hdb_sql_value *a, const hdb_sql_value *b, hdb_sql_value *out);
/* Unary minus, plus, and ~ (HDB_SQL_OP_NEG, POS, BITNOT).  -(INT64_MIN) is REAL. */
int hdb__sql_unary(int op, const hdb_sql_value *a, hdb_sql_value *out);

/* Texts a[0..na) and b[0..nb) under BINARY: bytes, then length (-1, 0, 1);
 * in line for the comparisons of sorting. */
static inline int hdb__sql_text_cmp_binary(const char *a, size_t na, const char *b, size_t nb)
{
    size_t n = na < nb ? na : nb;
    int c = n ? memcmp(a, b, n) : 0;
    return c ? (c < 0 ? -1 : 1) : (na > nb) - (na < nb);
}

/* ---- column masks -------------------------------------------------------- */
/* The index of the lowest set bit of m (m != 0): walks the columns named
 * by a mask of bit j = column j (codec.h's skip, exec.h's need). */
static inline int hdb__sql_lowbit(uint64_t m)
{
#if defined(__GNUC__)
    return __builtin_ctzll(m);
#else
    int j = 0;
    while (!(m & 1))
        m >>= 1, j++;
    return j;
#endif
}

#endif
