/*
** codec.c — row records and order-preserving keys (byte layouts in codec.h).
**
** RECORDS
**   Decoding reads the header (ncol, then one type code per column) once to
**   find where the bodies start and how long each is, checking every length
**   against the buffer; the bodies must fill the record exactly.  TEXT and
**   BLOB values borrow from the record.
**
** KEYS (the layout of a number is in codec.h, NUMBERS)
**   Why a number's encoding orders and delimits itself:
**   - Tags order the ranges, and the ranges are in value order.
**   - Within a mid-range tag the exponent is fixed, so the order is that of
**     the mantissa field m.  Two group strings first differ either in a
**     group (the high 7 bits of the byte decide) or where one stops
**     (more = 0) while the other goes on (more = 1): the one that stops is
**     smaller, and its value is too, because the other's remaining groups
**     are not all zero (trailing zeros are dropped).  Equal values give
**     equal strings (one canonical form), and no string is a proper prefix
**     of another: a prefix would end on a byte whose more bit is set.
**   - A negative f of the same exponent sorts the other way round: its
**     groups are those of |f| inverted, which reverses the memcmp order of
**     a prefix-free set; its tags run down as e goes up.
**   - Fixed 8-byte bodies are prefix-free by length; order-preserving IEEE
**     bits order doubles of one sign as integers do.
**   Every integer of (-2^53, 2^53) is exact as a double and is encoded as
**   one; a REAL outside it but inside the int64 range is an integer and is
**   encoded as the INTEGER (ranges 0x09 and 0x77 hold integers only).
**   Decoding (hdb__sql_key_int on every row fetch) rebuilds an integer from
**   exponent and groups with shifts alone.
**
** INVARIANTS
**   - Every read is bounds-checked; bad input gives HDB_CORRUPT.
**   - memcmp order of encoded keys == hdb__sql_value_cmp order of values
**     (with the column's collation; DESC columns reversed).
**   - No value's encoding is a proper prefix of another's.
*/
#include <math.h>
#include <string.h>
#include "pager/mem.h"
#include "src/sql/codec.h"

enum { KEY_NULL = 0x05, KEY_REAL_LO = 0x08, KEY_INT_LO = 0x09, KEY_NEG = 0x0a, KEY_NEG_FRAC = 0x3f,
       KEY_ZERO = 0x40, KEY_POS_FRAC = 0x41, KEY_POS = 0x42, KEY_INT_HI = 0x77, KEY_REAL_HI = 0x78,
       KEY_TEXT = 0x80, KEY_BLOB = 0x90 };

#define TWO53 9007199254740992.0
#define TWO53I ((int64_t)1 << 53)
#define TWO63 9223372036854775808.0

/* ---- varints and fixed integers ------------------------------------------- */

static void put_varint(hdb_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            tmp[n] |= 0x80;
        n++;
    } while (v);
    hdb__buf_append(b, tmp, n);
}

/* Read a varint at p[*k..n); 0 if it is truncated or too long. */
static int get_varint_long(const uint8_t *p, size_t n, size_t *k, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70 && *k < n; shift += 7) {
        uint8_t c = p[(*k)++];
        if (shift == 63 && (c & 0x7e))
            return 0;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 1;
        }
    }
    return 0;
}

/* The same, with the one-byte varints of type codes and counts inline. */
static inline int get_varint(const uint8_t *p, size_t n, size_t *k, uint64_t *out)
{
    if (*k < n && p[*k] < 0x80) {
        *out = p[(*k)++];
        return 1;
    }
    return get_varint_long(p, n, k, out);
}

/* Written out byte by byte so that compilers make each one a single
 * load or store and a byte swap. */
static void put_be64(uint8_t *p, uint64_t v)
{
    p[0] = (uint8_t)(v >> 56), p[1] = (uint8_t)(v >> 48), p[2] = (uint8_t)(v >> 40);
    p[3] = (uint8_t)(v >> 32), p[4] = (uint8_t)(v >> 24), p[5] = (uint8_t)(v >> 16);
    p[6] = (uint8_t)(v >> 8), p[7] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t *p)
{
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
           (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

static uint64_t dbl_bits(double f)
{
    uint64_t u;
    memcpy(&u, &f, 8);
    return u;
}

static double bits_dbl(uint64_t u)
{
    double f;
    memcpy(&f, &u, 8);
    return f;
}

/* ---- records ----------------------------------------------------------------- */

static uint64_t int_code(int64_t i, int *nbytes)
{
    *nbytes = 0;
    if (i == 0 || i == 1)
        return (uint64_t)i + 1;
    int n = 1;
    while (n < 8 && (i < -((int64_t)1 << (8 * n - 1)) || i >= ((int64_t)1 << (8 * n - 1))))
        n++;
    *nbytes = n;
    return (uint64_t)n + 2;
}

void hdb__sql_record_encode(hdb_buf *b, const hdb_sql_value *v, int n)
{
    hdb__sql_record_encode_row(b, v, n, -1);
}

void hdb__sql_record_encode_row(hdb_buf *b, const hdb_sql_value *v, int n, int ipk)
{
    int nb;
    put_varint(b, (uint64_t)(n < 0 ? 0 : n));
    for (int c = 0; c < n; c++) {
        switch (c == ipk ? HDB_NULL : v[c].type) {
        case HDB_INTEGER: put_varint(b, int_code(v[c].u.i, &nb)); break;
        case HDB_FLOAT: put_varint(b, 11); break;
        case HDB_BLOB: put_varint(b, 12 + 2 * (uint64_t)v[c].u.s.n); break;
        case HDB_TEXT: put_varint(b, 13 + 2 * (uint64_t)v[c].u.s.n); break;
        default: put_varint(b, 0); break;
        }
    }
    for (int c = 0; c < n; c++) {
        uint8_t tmp[8];
        switch (c == ipk ? HDB_NULL : v[c].type) {
        case HDB_INTEGER:
            int_code(v[c].u.i, &nb);
            put_be64(tmp, (uint64_t)v[c].u.i);
            hdb__buf_append(b, tmp + 8 - nb, (size_t)nb);
            break;
        case HDB_FLOAT:
            put_be64(tmp, dbl_bits(v[c].u.f));
            hdb__buf_append(b, tmp, 8);
            break;
        case HDB_BLOB:
        case HDB_TEXT: hdb__buf_append(b, v[c].u.s.p, v[c].u.s.n); break;
        default: break;
        }
    }
}

/* Body length of type code t; (uint64_t)-1 if t is not a valid code. */
static uint64_t body_len(uint64_t t)
{
    if (t <= 2)
        return 0;
    if (t <= 10)
        return t - 2;
    if (t == 11)
        return 8;
    return (t - 12) / 2;
}

/* The header of record p[0..n): column count and where the bodies start;
 * checks that the bodies fill the record exactly.  0 if corrupt. */
static int read_header(const uint8_t *p, size_t n, uint64_t *ncol, size_t *body)
{
    size_t k = 0;
    if (!get_varint(p, n, &k, ncol) || *ncol > n - k || *ncol > 0x7fffffff)
        return 0;
    uint64_t total = 0;
    for (uint64_t c = 0; c < *ncol; c++) {
        uint64_t t;
        if (!get_varint(p, n, &k, &t))
            return 0;
        uint64_t len = body_len(t);
        if (len > n || total + len > n)
            return 0;
        total += len;
    }
    *body = k;
    return total == n - k;
}

/* Decode the body at q (len checked) of type code t into out, borrowing;
 * out is overwritten, not cleared. */
static inline void decode_body(const uint8_t *q, uint64_t t, hdb_sql_value *out)
{
    out->owned = 0;
    out->type = HDB_INTEGER;
    if (t == 0) {
        out->type = HDB_NULL;
        out->u.i = 0;
    } else if (t <= 2) {
        out->u.i = (int64_t)t - 1;
    } else if (t <= 10) {
        int nb = (int)(t - 2);
        uint64_t u = (q[0] & 0x80) ? ~(uint64_t)0 : 0;
        for (int k = 0; k < nb; k++)
            u = u << 8 | q[k];
        out->u.i = (int64_t)u;
    } else if (t == 11) {
        out->u.f = bits_dbl(get_be64(q));
        out->type = isnan(out->u.f) ? HDB_NULL : HDB_FLOAT;
    } else {
        out->type = (t & 1) ? HDB_TEXT : HDB_BLOB;
        out->u.s.p = (char *)q;
        out->u.s.n = (size_t)body_len(t);
    }
}

int hdb__sql_record_ncol(const void *p, size_t n)
{
    uint64_t ncol;
    size_t body;
    if (!p || !read_header(p, n, &ncol, &body))
        return -1;
    return (int)ncol;
}

/* Body length of every one-byte type code (body_len of codes 0..127). */
#define LEN1(t) ((t) < 3 ? 0 : (t) < 11 ? (t) - 2 : (t) == 11 ? 8 : ((t) - 12) / 2)
#define LEN8(b) LEN1(b), LEN1(b + 1), LEN1(b + 2), LEN1(b + 3), LEN1(b + 4), LEN1(b + 5), \
                LEN1(b + 6), LEN1(b + 7)
static const uint8_t len1[128] = {LEN8(0),  LEN8(8),  LEN8(16),  LEN8(24),  LEN8(32),  LEN8(40),
                                  LEN8(48), LEN8(56), LEN8(64),  LEN8(72),  LEN8(80),  LEN8(88),
                                  LEN8(96), LEN8(104), LEN8(112), LEN8(120)};

/* Decode the first c columns of a record whose header (from rec + k, ncol
 * codes) holds only one-byte type codes, as the general path would, with
 * the same checks: the common case of rows without long texts or blobs.
 * 0 when the header is not of that kind (nothing written), 1 when decoded,
 * -1 when corrupt. */
static int decode_short(const uint8_t *rec, size_t n, size_t k, uint64_t ncol, hdb_sql_value *out,
                        int c, uint64_t skip)
{
    const uint8_t *h = rec + k;
    uint32_t off[64], total = 0;
    if (ncol > 64 || ncol > n - k)
        return 0;
    /* Each body is under 64 bytes: the total cannot overflow. */
    for (uint64_t i = 0; i < ncol; i++) {
        uint8_t t = h[i];
        if (t & 0x80)
            return 0; /* a longer type code: the general path */
        off[i] = total;
        total += len1[t];
    }
    if (total != n - k - ncol)
        return -1;
    const uint8_t *body = h + ncol;
    /* Columns 0..c-1, the skipped ones (bits below 63) left NULL. */
    uint64_t all = c >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << c) - 1;
    uint64_t drop = all & skip & ~((uint64_t)1 << 63);
    for (uint64_t b = drop; b; b &= b - 1)
        out[hdb__sql_lowbit(b)] = (hdb_sql_value)HDB_SQL_NULL_INIT;
    for (uint64_t b = all & ~drop; b; b &= b - 1) {
        int j = hdb__sql_lowbit(b);
        decode_body(body + off[j], h[j], &out[j]);
    }
    return 1;
}

/* One pass over the header (the checks of read_header) until the bodies
 * are known to fill the record; then a second over the type codes of the
 * first max columns (each one already checked), decoding their bodies.
 * A header of one-byte codes (the usual row) takes decode_short. */
int hdb__sql_record_decode(const void *p, size_t n, hdb_sql_value *out, int max, int *nstored)
{
    return hdb__sql_record_decode_some(p, n, out, max, nstored, 0);
}

int hdb__sql_record_decode_some(const void *p, size_t n, hdb_sql_value *out, int max,
                                int *nstored, uint64_t skip)
{
    const uint8_t *rec = p;
    uint64_t ncol, total = 0;
    size_t k = 0;
    if (nstored)
        *nstored = 0;
    if (!rec || !get_varint(rec, n, &k, &ncol) || ncol > n - k || ncol > 0x7fffffff)
        return HDB_CORRUPT;
    int c = ncol < (uint64_t)(max > 0 ? max : 0) ? (int)ncol : (max > 0 ? max : 0);
    int fast = decode_short(rec, n, k, ncol, out, c, skip);
    if (fast < 0)
        return HDB_CORRUPT;
    if (!fast) {
        size_t hdr = k;
        for (uint64_t i = 0; i < ncol; i++) {
            uint64_t t, len;
            if (!get_varint(rec, n, &k, &t) || (len = body_len(t)) > n || total + len > n)
                return HDB_CORRUPT;
            total += len;
        }
        if (total != n - k)
            return HDB_CORRUPT;
        size_t body = k;
        for (int j = 0; j < c; j++) {
            uint64_t t = 0;
            get_varint(rec, n, &hdr, &t); /* checked above */
            if (j < 63 && (skip >> j & 1))
                out[j] = (hdb_sql_value)HDB_SQL_NULL_INIT;
            else
                decode_body(rec + body, t, &out[j]);
            body += (size_t)body_len(t);
        }
    }
    if (nstored)
        *nstored = c;
    for (; c < max; c++)
        out[c] = (hdb_sql_value)HDB_SQL_NULL_INIT;
    return HDB_OK;
}

int hdb__sql_record_column(const void *p, size_t n, int i, hdb_sql_value *out)
{
    const uint8_t *rec = p;
    uint64_t ncol, t = 0;
    size_t k = 0, body;
    if (!rec || !read_header(rec, n, &ncol, &body))
        return HDB_CORRUPT;
    if (i < 0 || (uint64_t)i >= ncol)
        return HDB_NOTFOUND;
    get_varint(rec, n, &k, &ncol);
    for (int c = 0; c <= i; c++) {
        get_varint(rec, n, &k, &t);
        if (c < i)
            body += (size_t)body_len(t);
    }
    decode_body(rec + body, t, out);
    return HDB_OK;
}

/* ---- keys --------------------------------------------------------------------- */

/* Order-preserving IEEE bits: for a negative double all 64 bits inverted,
 * otherwise the sign bit set. */
static uint64_t ordered_dbl(double f)
{
    uint64_t u = dbl_bits(f);
    return (u >> 63) ? ~u : u | (uint64_t)1 << 63;
}

static double unordered_dbl(uint64_t u) { return bits_dbl((u >> 63) ? u & ~((uint64_t)1 << 63) : ~u); }

static size_t fixed_put(uint8_t out[9], int tag, uint64_t u)
{
    out[0] = (uint8_t)tag;
    put_be64(out + 1, u);
    return 9;
}

/* The key of f, 1 <= |f| < 2^53, into out[0..9): its length, 2..9. */
static size_t mid_put(uint8_t out[9], double f)
{
    uint64_t u = dbl_bits(f), m = u << 12; /* the mantissa field, from bit 63 down */
    int neg = (int)(u >> 63), e = (int)(u >> 52 & 0x7ff) - 1023;
    uint8_t inv = neg ? 0xff : 0x00;
    size_t k = 1;
    out[0] = (uint8_t)(neg ? KEY_NEG + 52 - e : KEY_POS + e);
    do {
        uint8_t g = (uint8_t)(m >> 57);
        m <<= 7;
        out[k++] = (uint8_t)((g << 1 | (m != 0)) ^ inv);
    } while (m); /* 52 bits: at most 8 groups */
    return k;
}

size_t hdb__sql_key_int_put(uint8_t out[9], int64_t i)
{
    if (i == 0) {
        out[0] = KEY_ZERO;
        return 1;
    }
    if (i > -TWO53I && i < TWO53I)
        return mid_put(out, (double)i); /* exact */
    return fixed_put(out, i < 0 ? KEY_INT_LO : KEY_INT_HI, (uint64_t)i ^ (uint64_t)1 << 63);
}

static size_t real_put(uint8_t out[9], double f)
{
    if (f == 0.0) /* and -0.0 */
        return hdb__sql_key_int_put(out, 0);
    if (f > -1.0 && f < 1.0)
        return fixed_put(out, f < 0 ? KEY_NEG_FRAC : KEY_POS_FRAC, ordered_dbl(f));
    if (f > -TWO53 && f < TWO53)
        return mid_put(out, f);
    if (f >= -TWO63 && f < TWO63)
        return hdb__sql_key_int_put(out, (int64_t)f); /* integral there */
    return fixed_put(out, f < 0 ? KEY_REAL_LO : KEY_REAL_HI, ordered_dbl(f));
}

static void key_bytes(hdb_buf *b, int tag, const char *p, size_t n, int coll)
{
    uint8_t t = (uint8_t)tag;
    hdb__buf_append(b, &t, 1);
    if (tag == KEY_TEXT && coll == HDB_COLL_RTRIM)
        while (n && p[n - 1] == ' ')
            n--;
    size_t run = 0; /* bytes p[k - run..k) not yet appended */
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)p[k];
        int fold = tag == KEY_TEXT && coll == HDB_COLL_NOCASE && c >= 'A' && c <= 'Z';
        if (c != 0 && !fold) {
            run++;
            continue;
        }
        if (run)
            hdb__buf_append(b, p + k - run, run);
        run = 0;
        if (fold) {
            uint8_t l = (uint8_t)(c + 32);
            hdb__buf_append(b, &l, 1);
        } else {
            hdb__buf_append(b, "\0\xff", 2);
        }
    }
    if (run)
        hdb__buf_append(b, p + n - run, run);
    hdb__buf_append(b, "\0\0", 2);
}

void hdb__sql_key_append(hdb_buf *b, const hdb_sql_value *v, int coll, int desc)
{
    size_t start = b->len;
    uint8_t num[9];
    switch (v->type) {
    case HDB_INTEGER: hdb__buf_append(b, num, hdb__sql_key_int_put(num, v->u.i)); break;
    case HDB_FLOAT:
        if (isnan(v->u.f))
            hdb__buf_append(b, "\x05", 1); /* NaN is NULL */
        else
            hdb__buf_append(b, num, real_put(num, v->u.f));
        break;
    case HDB_NULL: hdb__buf_append(b, "\x05", 1); break;
    case HDB_TEXT: key_bytes(b, KEY_TEXT, v->u.s.p, v->u.s.n, coll); break;
    default: key_bytes(b, KEY_BLOB, v->u.s.p, v->u.s.n, coll); break;
    }
    if (desc && !b->oom)
        for (size_t k = start; k < b->len; k++)
            b->data[k] = (char)~(unsigned char)b->data[k];
}

/* The escaped bytes at p[1..n) (after the tag): *used bytes with the tag
 * and the terminator, *len once unescaped.  HDB_CORRUPT if malformed. */
static int bytes_extent(const uint8_t *p, size_t n, uint8_t inv, size_t *used, size_t *len_out)
{
    size_t len = 0, k = 1;
    for (;; k++) {
        if (k >= n)
            return HDB_CORRUPT;
        if ((p[k] ^ inv) != 0) {
            len++;
            continue;
        }
        if (k + 1 >= n)
            return HDB_CORRUPT;
        uint8_t next = p[k + 1] ^ inv;
        k++;
        if (next == 0x00)
            break;
        if (next != 0xff)
            return HDB_CORRUPT;
        len++;
    }
    *used = k + 1;
    *len_out = len;
    return HDB_OK;
}

/* Decode escaped bytes at p[1..n) (after the tag) into an owned value. */
static int key_decode_bytes(const uint8_t *p, size_t n, uint8_t inv, int type, size_t *used,
                            hdb_sql_value *out)
{
    size_t len;
    int rc = bytes_extent(p, n, inv, used, &len);
    if (rc != HDB_OK)
        return rc;
    char *s = hdb__malloc(NULL, len + 1);
    if (!s)
        return HDB_NOMEM;
    size_t j = 0;
    for (size_t q = 1; j < len; q++) {
        s[j++] = (char)(p[q] ^ inv);
        if ((p[q] ^ inv) == 0)
            q++; /* skip the 0xFF of an escaped zero */
    }
    s[len] = 0;
    out->type = type;
    out->owned = 1;
    out->u.s.p = s;
    out->u.s.n = len;
    return HDB_OK;
}

/* The mantissa groups at p[0..n) (each byte ^ inv) of a number of the mid
 * range: its 52-bit mantissa field into *m from bit 63 down, and the bytes
 * used; 0 if they are cut short or not canonical (a last byte with more
 * set, more than 8 bytes, bits beyond the 52, a last group of zero after
 * others). */
static size_t groups_get(const uint8_t *p, size_t n, uint8_t inv, uint64_t *m)
{
    uint64_t v = 0;
    for (size_t k = 0; k < n && k < 8; k++) {
        uint8_t c = p[k] ^ inv;
        v |= (uint64_t)(c >> 1) << (57 - 7 * k);
        if (c & 1)
            continue;
        if ((c == 0 && k > 0) || (v & 0xfff))
            return 0;
        *m = v;
        return k + 1;
    }
    return 0;
}

/* groups_get with its first three groups (integers below 2^22) read in
 * line, with the same checks; longer strings go to groups_get. */
static inline size_t groups_fast(const uint8_t *p, size_t n, uint8_t inv, uint64_t *m)
{
    uint8_t a = n >= 1 ? p[0] ^ inv : 1, b = n >= 2 ? p[1] ^ inv : 1, c = n >= 3 ? p[2] ^ inv : 1;
    if (!(a & 1)) {
        *m = (uint64_t)(a >> 1) << 57;
        return 1;
    }
    if (!(b & 1)) {
        *m = (uint64_t)(a >> 1) << 57 | (uint64_t)(b >> 1) << 50;
        return b ? 2 : 0;
    }
    if (!(c & 1)) {
        *m = (uint64_t)(a >> 1) << 57 | (uint64_t)(b >> 1) << 50 | (uint64_t)(c >> 1) << 43;
        return c ? 3 : 0;
    }
    return n > 3 ? groups_get(p, n, inv, m) : 0;
}

/* The integer 2^e times 1.m (m: the mantissa field from bit 63 down, with
 * no bits below the units). */
static inline int64_t mid_magnitude(uint64_t m, int e)
{
    return (int64_t)((m >> 1 | (uint64_t)1 << 63) >> (63 - e));
}

/* Set *v, whatever it held (nothing owned), to a number; f is not NaN. */
static void set_int(hdb_sql_value *v, int64_t i)
{
    v->type = HDB_INTEGER;
    v->owned = 0;
    v->u.i = i;
}

static void set_real(hdb_sql_value *v, double f)
{
    v->type = HDB_FLOAT;
    v->owned = 0;
    v->u.f = f;
}

/* The number at q[0..n), n >= 1, whose tag (q[0] ^ inv) is tag: its value
 * into *out (an INTEGER when it is integral and not in a REAL range, else a
 * REAL) and the bytes used; 0 if tag is not a number's, or the bytes are cut
 * short or not the canonical encoding of a value of the tag's range. */
static size_t num_get(const uint8_t *q, size_t n, uint8_t tag, uint8_t inv, hdb_sql_value *out)
{
    int neg = tag >= KEY_NEG && tag <= KEY_NEG + 52;
    if (tag == KEY_ZERO) {
        set_int(out, 0);
        return 1;
    }
    if (neg || (tag >= KEY_POS && tag <= KEY_POS + 52)) {
        int e = neg ? KEY_NEG + 52 - tag : tag - KEY_POS;
        uint64_t m;
        size_t used = groups_fast(q + 1, n - 1, inv ^ (neg ? 0xff : 0x00), &m);
        if (!used)
            return 0;
        if ((m << e) == 0) { /* no bits below the units: |f| = 1 mantissa bits, shifted */
            int64_t mag = mid_magnitude(m, e);
            set_int(out, neg ? -mag : mag);
        } else {
            set_real(out, bits_dbl((uint64_t)neg << 63 | (uint64_t)(1023 + e) << 52 | m >> 12));
        }
        return used + 1;
    }
    if (n < 9)
        return 0;
    uint64_t u = get_be64(q + 1) ^ (inv ? ~(uint64_t)0 : 0);
    if (tag == KEY_INT_LO || tag == KEY_INT_HI) {
        int64_t i = (int64_t)(u ^ (uint64_t)1 << 63);
        if (tag == KEY_INT_LO ? i > -TWO53I : i < TWO53I)
            return 0;
        set_int(out, i);
        return 9;
    }
    double f = unordered_dbl(u); /* the comparisons fail for a NaN */
    if (tag == KEY_REAL_LO ? f < -TWO63
        : tag == KEY_NEG_FRAC ? f > -1.0 && f < 0.0
        : tag == KEY_POS_FRAC ? f > 0.0 && f < 1.0
        : tag == KEY_REAL_HI && f >= TWO63) {
        set_real(out, f);
        return 9;
    }
    return 0;
}

int hdb__sql_key_decode(const uint8_t **p, size_t *n, int desc, hdb_sql_value *out)
{
    const uint8_t *q = *p;
    uint8_t inv = desc ? 0xff : 0x00;
    size_t used = 1;
    if (*n < 1)
        return HDB_CORRUPT;
    uint8_t tag = q[0] ^ inv;
    *out = (hdb_sql_value)HDB_SQL_NULL_INIT;
    if (tag == KEY_NULL) {
        /* out is NULL already */
    } else if (tag == KEY_TEXT || tag == KEY_BLOB) {
        int rc = key_decode_bytes(q, *n, inv, tag == KEY_TEXT ? HDB_TEXT : HDB_BLOB, &used, out);
        if (rc != HDB_OK)
            return rc;
    } else if (!(used = num_get(q, *n, tag, inv, out))) {
        return HDB_CORRUPT;
    }
    *p += used;
    *n -= used;
    return HDB_OK;
}

int hdb__sql_key_skip(const uint8_t **p, size_t *n, int desc)
{
    uint8_t inv = desc ? 0xff : 0x00;
    size_t used = 1, len;
    hdb_sql_value v;
    if (*n < 1)
        return HDB_CORRUPT;
    uint8_t tag = **p ^ inv;
    uint64_t m;
    if (tag >= KEY_POS && tag <= KEY_POS + 52) { /* num_get's checks, no value made */
        if (!(used = groups_fast(*p + 1, *n - 1, inv, &m)))
            return HDB_CORRUPT;
        used++;
    } else if (tag == KEY_TEXT || tag == KEY_BLOB) {
        if (bytes_extent(*p, *n, inv, &used, &len) != HDB_OK)
            return HDB_CORRUPT;
    } else if (tag != KEY_NULL && !(used = num_get(*p, *n, tag, inv, &v))) {
        return HDB_CORRUPT;
    }
    *p += used;
    *n -= used;
    return HDB_OK;
}

/* hdb__sql_key_int for any number key, through num_get (out of line, so
 * that the usual key's path needs no stack frame). */
static __attribute__((noinline)) int key_int_any(const uint8_t **p, size_t *n, int64_t *out)
{
    hdb_sql_value v;
    size_t used = *n ? num_get(*p, *n, **p, 0x00, &v) : 0;
    if (!used || v.type != HDB_INTEGER)
        return HDB_CORRUPT;
    *out = v.u.i;
    *p += used;
    *n -= used;
    return HDB_OK;
}

int hdb__sql_key_int(const uint8_t **p, size_t *n, int64_t *out)
{
    const uint8_t *q = *p;
    if (*n >= 2 && q[0] >= KEY_POS && q[0] <= KEY_POS + 52) {
        /* A positive rowid, the usual key: num_get's path for it, without
         * building a value. */
        int e = q[0] - KEY_POS;
        uint64_t m;
        size_t used = groups_fast(q + 1, *n - 1, 0x00, &m);
        if (used && (m << e) == 0) {
            *out = mid_magnitude(m, e);
            *p += used + 1;
            *n -= used + 1;
            return HDB_OK;
        }
    }
    return key_int_any(p, n, out);
}

void hdb__sql_key_prefix_end(hdb_buf *b, const void *prefix, size_t n)
{
    const uint8_t *p = prefix;
    while (n && p[n - 1] == 0xff)
        n--;
    if (!n)
        return;
    hdb__buf_append(b, p, n - 1);
    uint8_t last = (uint8_t)(p[n - 1] + 1);
    hdb__buf_append(b, &last, 1);
}
