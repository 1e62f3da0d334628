/*
** codec.h — the bytes of SQL rows and keys in the tree.
**
** ROWS (the value of a table's keyspace entry)
**   A record is a header then the column bodies:
**     varint ncol | ncol type codes (one varint each) | bodies in column order
**   Type codes: 0 NULL, 1 integer 0, 2 integer 1, 3..10 a signed integer of
**   (code - 2) bytes big-endian two's complement (1..8 bytes, the shortest
**   that holds it), 11 REAL (8 bytes IEEE big-endian), 12 + 2n a BLOB of n
**   bytes, 13 + 2n a TEXT of n bytes (no NUL stored).  Varints are LEB128
**   (7 bits a byte, low first, at most 10 bytes).
**   A record may hold fewer columns than the table has: the missing trailing
**   columns read as their declared defaults (so ADD COLUMN rewrites no row).
**   A table's INTEGER PRIMARY KEY column is stored as NULL: it is the rowid,
**   which the row's key holds, and readers put it back (as SQLite does).
**   Decoding checks every length against the buffer: a bad record is
**   HDB_CORRUPT, never a read out of bounds.
**
** KEYS (table primary keys and index entries)
**   A key is the concatenation of its values' key encodings, each
**   self-delimiting, so that memcmp order of two keys is the order of their
**   value tuples by hdb__sql_value_cmp (column by column; a DESC column's
**   encoding is inverted byte by byte).  Values equal by hdb__sql_value_cmp
**   under the column's collation encode to identical bytes (3 and 3.0 alike;
**   'a' and 'A' alike under NOCASE), so keys decide uniqueness.
**     0x05                 NULL
**     0x08..0x78, 0..8 B   a number: an order-preserving, self-delimiting
**                          form of its exact value (integers and reals
**                          interleave correctly; NUMBERS below)
**     0x80 + escaped bytes TEXT (after collation folding): 0x00 -> 0x00 0xFF,
**                          ended by 0x00 0x00
**     0x90 + escaped bytes BLOB, same escaping
**   No encoding is a proper prefix of another (tags differ by kind and
**   range; each range's bodies are fixed-length or themselves prefix-free),
**   so a key's first differing byte decides, column by column, and an
**   inverted (DESC) encoding orders in reverse.
**
** NUMBERS
**   A number f is encoded by its value, not its storage class: an INTEGER
**   inside (-2^53, 2^53) is exact as a double and encodes as that double, so
**   3 and 3.0 give the same bytes.  With e = floor(log2 |f|):
**     tag          range of f                  then
**     0x08         REAL below -2^63            8 B order-preserving IEEE bits
**     0x09         [-2^63, -2^53]              8 B the INTEGER, sign bit
**                                              flipped, big-endian
**     0x0a + 52-e  (-2^53, -1], e = 52..0      mantissa groups of |f|, every
**                                              byte inverted
**     0x3f         (-1, 0)                     8 B order-preserving IEEE bits
**     0x40         0 (and -0.0)                nothing
**     0x41         (0, 1)                      8 B order-preserving IEEE bits
**     0x42 + e     [1, 2^53), e = 0..52        mantissa groups of f
**     0x77         [2^53, 2^63)                8 B the INTEGER, as 0x09
**     0x78         REAL at or above 2^63       8 B order-preserving IEEE bits
**   Mantissa groups: the 52-bit mantissa field m of f as an IEEE double
**   (|f| = 2^e * (1 + m / 2^52)) as a bit string from its top bit, trailing
**   zero bits dropped, cut into 7-bit groups (the last one padded with
**   zeros); each group g is the byte (g << 1) | more, more = 1 when another
**   byte follows.  At least one byte (a power of two is the single byte
**   0x00), at most 8; no bits beyond the 52; the last group is nonzero
**   unless it is the only one.  An integer of magnitude below 2^8 takes 2
**   bytes, below 2^15 3, below 2^22 4 (fewer when it ends in zero bits:
**   the groups hold the bits below the leading one), a full mantissa 9.
**   Order-preserving IEEE bits: of a negative double all 64 bits inverted,
**   of any other the sign bit set.  A NaN encodes as NULL.  Only the
**   canonical encoding of a value in the tag's range decodes.
**   Examples: 0 = 40; 1 = 42 00; 3 = 43 80; 100 = 48 90; -100 = 38 6f;
**   1000000 (2^19 * 1.1110100001001b) = 55 e9 24; 999999 = 55 e9 23 f8;
**   0.5 = 41 bf e0 00 00 00 00 00 00.
**   This is key format 2 (HDB_SQL_KEY_FORMAT, catalog.h: a database records
**   its format, and one of another is refused); format 1 gave every number a
**   tag and 8 bytes.
**
**   Key decoding gives back a value of the same order (a number may come back
**   as a REAL instead of an INTEGER only if it was stored as a REAL; NOCASE
**   text comes back folded): keys are for ordering and lookup, the row record
**   holds the true values.
*/
#ifndef HDB_SQL_CODEC_H
#define HDB_SQL_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "pager/buf.h"
#include "src/sql/value.h"

/* Append the record of v[0..n) to b.  The caller checks b->oom. */
void hdb__sql_record_encode(hdb_buf *b, const hdb_sql_value *v, int n);
/* The same for a table row, whose column ipk (its INTEGER PRIMARY KEY, or
 * -1 for none) is stored as NULL: it is the rowid, which the key holds. */
void hdb__sql_record_encode_row(hdb_buf *b, const hdb_sql_value *v, int n, int ipk);
/* Number of columns stored in record p[0..n), or -1 if it is corrupt. */
int hdb__sql_record_ncol(const void *p, size_t n);
/* Decode every stored column of p[0..n) into out[0..max): columns beyond
 * the record read as NULL (the caller substitutes defaults; *nstored tells
 * how many were stored, at most max; stored columns beyond max are
 * skipped).  TEXT and BLOB values borrow from p.  out[] is overwritten,
 * not cleared (clear any owned values in it first); when the record is
 * corrupt, some of it may have been set to NULL.  HDB_OK or HDB_CORRUPT. */
int hdb__sql_record_decode(const void *p, size_t n, hdb_sql_value *out, int max, int *nstored);
/* The same, leaving as NULL (not decoded) each column j < 63 whose bit is
 * set in skip: a reader that needs a few columns of a wide row. */
int hdb__sql_record_decode_some(const void *p, size_t n, hdb_sql_value *out, int max,
                                int *nstored, uint64_t skip);
/* Decode column i only (borrowing; out is overwritten, not cleared);
 * HDB_NOTFOUND if the record has fewer columns; HDB_CORRUPT if bad. */
int hdb__sql_record_column(const void *p, size_t n, int i, hdb_sql_value *out);

/* Append the key encoding of v (collation coll, descending if desc). */
void hdb__sql_key_append(hdb_buf *b, const hdb_sql_value *v, int coll, int desc);
/* Decode one value from *p (advancing *p, *n); TEXT/BLOB are owned copies.
 * out is overwritten, not cleared.  HDB_OK, HDB_CORRUPT, or HDB_NOMEM (then
 * *p, *n are unchanged and out is NULL). */
int hdb__sql_key_decode(const uint8_t **p, size_t *n, int desc, hdb_sql_value *out);
/* The key encoding of INTEGER i (ascending, as key_append) into out:
 * returns its length, 1..9. */
size_t hdb__sql_key_int_put(uint8_t out[9], int64_t i);
/* Step over one value at *p without decoding it.  HDB_OK or HDB_CORRUPT. */
int hdb__sql_key_skip(const uint8_t **p, size_t *n, int desc);
/* Decode one ascending value that must be an INTEGER (a rowid) into *out,
 * advancing *p, *n.  HDB_OK, or HDB_CORRUPT for anything else. */
int hdb__sql_key_int(const uint8_t **p, size_t *n, int64_t *out);
/* The smallest byte string greater than every key that starts with
 * prefix[0..n): appended to b (for range scans "all keys with this prefix").
 * When there is none (prefix empty or all 0xFF bytes) nothing is appended:
 * the range has no upper bound. */
void hdb__sql_key_prefix_end(hdb_buf *b, const void *prefix, size_t n);

#endif
