/*
** check_sql_codec.c — row records and order-preserving keys
** (src/sql/codec.h).
**
** Records: round trips of every type and size class, short records, and
** corrupt input (truncations, random bytes, lying lengths) that must give
** HDB_CORRUPT and never read out of bounds (run under the sanitizers).
** Keys: memcmp order of encodings equals hdb__sql_value_cmp order for a
** hand-picked list and for random values, equal values encode alike, DESC
** reverses, decoding gives back an equal value.
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "src/sql/codec.h"
#include "support/test_util.h"

static hdb_sql_value vint(int64_t i)
{
    hdb_sql_value v = HDB_SQL_NULL_INIT;
    hdb__sql_value_int(&v, i);
    return v;
}

static hdb_sql_value vreal(double f)
{
    hdb_sql_value v = HDB_SQL_NULL_INIT;
    hdb__sql_value_float(&v, f);
    return v;
}

static hdb_sql_value vtext(const char *s, size_t n)
{
    hdb_sql_value v = HDB_SQL_NULL_INIT;
    hdb__sql_value_text_ref(&v, s, n);
    return v;
}

static hdb_sql_value vblob(const char *s, size_t n)
{
    hdb_sql_value v = HDB_SQL_NULL_INIT;
    hdb__sql_value_blob_ref(&v, s, n);
    return v;
}

static int same(const hdb_sql_value *a, const hdb_sql_value *b)
{
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case HDB_NULL: return 1;
    case HDB_INTEGER: return a->u.i == b->u.i;
    case HDB_FLOAT: return memcmp(&a->u.f, &b->u.f, sizeof(double)) == 0;
    default: return a->u.s.n == b->u.s.n && (a->u.s.n == 0 || memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0);
    }
}

START_TEST(test_record_roundtrip)
{
    static const int64_t ints[] = {0, 1, -1, 2, 127, 128, -128, -129, 32767, 32768, -32769, 1 << 23,
                                   -(1 << 23) - 1, INT64_C(1) << 40, INT64_MAX, INT64_MIN, 2147483648LL};
    hdb_sql_value v[40];
    int n = 0;
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++)
        v[n++] = vint(ints[k]);
    v[n++] = vreal(1.5);
    v[n++] = vreal(-0.0);
    v[n++] = vreal(INFINITY);
    v[n++] = vreal(1e-300);
    v[n++] = (hdb_sql_value)HDB_SQL_NULL_INIT;
    v[n++] = vtext("", 0);
    v[n++] = vtext("hello", 5);
    v[n++] = vtext("a\0b", 3);
    v[n++] = vblob("", 0);
    v[n++] = vblob("\0\1\2", 3);
    char big[300];
    memset(big, 'z', sizeof big);
    v[n++] = vtext(big, sizeof big);
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__sql_record_encode(&b, v, n);
    ck_assert(!b.oom);
    ck_assert_int_eq(hdb__sql_record_ncol(b.data, b.len), n);
    hdb_sql_value out[50];
    int nstored = -1;
    ck_assert_int_eq(hdb__sql_record_decode(b.data, b.len, out, 50, &nstored), HDB_OK);
    ck_assert_int_eq(nstored, n);
    for (int c = 0; c < n; c++) {
        ck_assert_msg(same(&v[c], &out[c]), "column %d", c);
        ck_assert_int_eq(out[c].owned, 0);
        hdb_sql_value one;
        ck_assert_int_eq(hdb__sql_record_column(b.data, b.len, c, &one), HDB_OK);
        ck_assert_msg(same(&v[c], &one), "column %d alone", c);
    }
    for (int c = n; c < 50; c++)
        ck_assert_int_eq(out[c].type, HDB_NULL);
    hdb_sql_value one;
    ck_assert_int_eq(hdb__sql_record_column(b.data, b.len, n, &one), HDB_NOTFOUND);
    ck_assert_int_eq(hdb__sql_record_column(b.data, b.len, -1, &one), HDB_NOTFOUND);
    /* Some columns only: the skipped ones read as NULL, the others as stored. */
    static const uint64_t masks[] = {0, ~(uint64_t)0, 0x5555555555555555ull, (uint64_t)1 << 17, 6};
    for (size_t m = 0; m < sizeof masks / sizeof *masks; m++) {
        ck_assert_int_eq(hdb__sql_record_decode_some(b.data, b.len, out, 50, &nstored, masks[m]),
                         HDB_OK);
        ck_assert_int_eq(nstored, n);
        for (int c = 0; c < n; c++)
            ck_assert_msg((masks[m] >> c & 1) ? out[c].type == HDB_NULL : same(&v[c], &out[c]),
                          "mask %zu column %d", m, c);
    }
    /* Fewer slots than columns. */
    ck_assert_int_eq(hdb__sql_record_decode(b.data, b.len, out, 3, &nstored), HDB_OK);
    ck_assert_int_eq(nstored, 3);
    ck_assert(same(&v[2], &out[2]));
    /* Sizes: the shortest integer forms. */
    hdb__buf_reset(&b);
    hdb_sql_value small[3] = {vint(0), vint(1), vint(-1)};
    hdb__sql_record_encode(&b, small, 3);
    ck_assert_uint_eq(b.len, 1 + 3 + 1);
    ck_assert(memcmp(b.data, "\x03\x01\x02\x03\xff", 5) == 0);
    /* The empty record. */
    hdb__buf_reset(&b);
    hdb__sql_record_encode(&b, NULL, 0);
    ck_assert_uint_eq(b.len, 1);
    ck_assert_int_eq(hdb__sql_record_ncol(b.data, b.len), 0);
    ck_assert_int_eq(hdb__sql_record_decode(b.data, b.len, out, 2, &nstored), HDB_OK);
    ck_assert_int_eq(nstored, 0);
    ck_assert_int_eq(out[0].type, HDB_NULL);
    hdb__buf_free(&b);
}
END_TEST

START_TEST(test_record_corrupt)
{
    static const struct {
        const char *p;
        size_t n;
    } bad[] = {
        {"", 0},                                       /* no header */
        {"\x80", 1},                                   /* truncated varint */
        {"\x05\x01", 2},                               /* 5 columns, 1 code */
        {"\x01\x03", 2},                               /* 1-byte int missing */
        {"\x01\x0b\x00\x00", 4},                       /* REAL cut short */
        {"\x01\x0f" "a", 3},                           /* TEXT of 1 byte + junk? no: 1 byte ok */
        {"\x01\x11" "a", 3},                           /* TEXT of 2 bytes, 1 present */
        {"\x01\x01\x00", 3},                           /* trailing byte */
        {"\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11}, /* varint too long */
        {"\xff\xff\xff\xff\x0f", 5},                   /* huge column count */
    };
    hdb_sql_value out[4];
    int ns;
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        if (k == 5) { /* the valid one */
            ck_assert_int_eq(hdb__sql_record_decode(bad[k].p, bad[k].n, out, 4, &ns), HDB_OK);
            continue;
        }
        ck_assert_msg(hdb__sql_record_decode(bad[k].p, bad[k].n, out, 4, &ns) == HDB_CORRUPT, "case %zu", k);
        ck_assert_int_eq(hdb__sql_record_ncol(bad[k].p, bad[k].n), -1);
        ck_assert_int_eq(hdb__sql_record_column(bad[k].p, bad[k].n, 0, out), HDB_CORRUPT);
    }
    ck_assert_int_eq(hdb__sql_record_ncol(NULL, 0), -1);
    /* Every truncation of a good record is corrupt; random bytes never crash. */
    hdb_sql_value v[4] = {vint(300), vtext("abc", 3), vreal(2.5), vblob("xy", 2)};
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__sql_record_encode(&b, v, 4);
    for (size_t n = 0; n < b.len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size so ASan sees overreads */
        memcpy(copy, b.data, n);
        ck_assert_int_eq(hdb__sql_record_decode(copy, n, out, 4, &ns), HDB_CORRUPT);
        free(copy);
    }
    tu_rng r = {12345};
    for (int it = 0; it < 20000; it++) {
        size_t n = (size_t)tu_below(&r, 24);
        uint8_t *p = malloc(n ? n : 1);
        for (size_t k = 0; k < n; k++)
            p[k] = (uint8_t)(tu_below(&r, 4) ? tu_below(&r, 32) : tu_next(&r));
        int rc = hdb__sql_record_decode(p, n, out, 4, &ns);
        ck_assert(rc == HDB_OK || rc == HDB_CORRUPT);
        rc = hdb__sql_record_column(p, n, (int)tu_below(&r, 4), out);
        ck_assert(rc == HDB_OK || rc == HDB_CORRUPT || rc == HDB_NOTFOUND);
        free(p);
    }
    hdb__buf_free(&b);
}
END_TEST

/* The decoder's paths (one-byte type codes read at once, longer headers
 * varint by varint) agree with the reference reading of hdb__sql_record_ncol
 * and hdb__sql_record_column: the same records are corrupt, and a good one
 * gives the same value in every column, for any mask of skipped columns. */
START_TEST(test_record_paths_agree)
{
    tu_rng r = {777};
    hdb_sql_value v[80], out[80], one;
    char text[200];
    memset(text, 't', sizeof text);
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    for (int it = 0; it < 3000; it++) {
        /* Record 30: 64 short columns (the widest of the fast path), all
         * skip bits set: column 63 and on are still decoded. */
        int n = it == 30 ? 64 : (int)tu_below(&r, it % 10 == 0 ? 80 : 8), ns;
        for (int c = 0; c < n; c++) {
            switch (tu_below(&r, 6)) {
            case 0: v[c] = (hdb_sql_value)HDB_SQL_NULL_INIT; break;
            case 1: v[c] = vint((int64_t)tu_next(&r) >> tu_below(&r, 64)); break;
            case 2: v[c] = vreal((double)(int64_t)tu_next(&r) / 7.0); break;
            case 3: v[c] = vblob(text, (size_t)tu_below(&r, 8)); break;
            default: v[c] = vtext(text, (size_t)tu_below(&r, tu_below(&r, 8) || it == 30 ? 50 : 200)); break;
            }
        }
        hdb__buf_reset(&b);
        hdb__sql_record_encode(&b, v, n);
        ck_assert(!b.oom);
        uint8_t *p = malloc(b.len + 1); /* exact size so ASan sees overreads */
        memcpy(p, b.data, b.len);
        size_t len = b.len;
        if (it % 3 == 1 && len > 1) /* damage one byte */
            p[tu_below(&r, len)] ^= (uint8_t)(1 + tu_below(&r, 255));
        if (it % 3 == 2 && len > 1) /* or cut it short */
            len -= 1 + (size_t)tu_below(&r, len - 1);
        int max = it == 30 ? 80 : (int)tu_below(&r, 80);
        uint64_t skip = it == 30 ? ~(uint64_t)0 : tu_below(&r, 2) ? tu_next(&r) : 0;
        int rc = hdb__sql_record_decode_some(p, len, out, max, &ns, skip);
        int ncol = hdb__sql_record_ncol(p, len);
        ck_assert_msg((rc == HDB_OK) == (ncol >= 0), "record %d: decode %d, reference %d", it, rc, ncol);
        if (it % 3 == 0)
            ck_assert_int_eq(rc, HDB_OK);
        for (int c = 0; rc == HDB_OK && c < max; c++) {
            if (c >= ncol || (c < 63 && (skip >> c & 1))) {
                ck_assert_msg(out[c].type == HDB_NULL, "record %d column %d", it, c);
                continue;
            }
            ck_assert_int_eq(hdb__sql_record_column(p, len, c, &one), HDB_OK);
            ck_assert_msg(same(&one, &out[c]), "record %d column %d", it, c);
        }
        if (rc == HDB_OK)
            ck_assert_int_eq(ns, ncol < max ? ncol : max);
        free(p);
    }
    hdb__buf_free(&b);
}
END_TEST

/* Key of one value. */
static void key1(hdb_buf *b, const hdb_sql_value *v, int coll, int desc)
{
    hdb__buf_reset(b);
    hdb__sql_key_append(b, v, coll, desc);
    ck_assert(!b->oom);
}

static int bytes_cmp(const hdb_buf *a, const hdb_buf *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->data, b->data, n);
    if (c)
        return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* Check order and equality of keys for a[i], b[j] under coll, both directions. */
static void check_pair(const hdb_sql_value *x, const hdb_sql_value *y, int coll)
{
    hdb_buf kx, ky;
    hdb__buf_init(&kx, NULL);
    hdb__buf_init(&ky, NULL);
    int want = hdb__sql_value_cmp(x, y, coll);
    want = (want > 0) - (want < 0);
    for (int desc = 0; desc < 2; desc++) {
        key1(&kx, x, coll, desc);
        key1(&ky, y, coll, desc);
        int got = bytes_cmp(&kx, &ky);
        ck_assert_msg(got == (desc ? -want : want), "types %d/%d coll %d desc %d: got %d want %d", x->type,
                      y->type, coll, desc, got, want);
    }
    hdb__buf_free(&kx);
    hdb__buf_free(&ky);
}

static void check_decode(const hdb_sql_value *v, int coll)
{
    hdb_buf k;
    hdb__buf_init(&k, NULL);
    for (int desc = 0; desc < 2; desc++) {
        key1(&k, v, coll, desc);
        hdb__buf_append(&k, "\x77", 1); /* something after it */
        const uint8_t *p = (const uint8_t *)k.data;
        size_t n = k.len;
        hdb_sql_value out;
        ck_assert_int_eq(hdb__sql_key_decode(&p, &n, desc, &out), HDB_OK);
        ck_assert_uint_eq(n, 1);
        ck_assert(p == (const uint8_t *)k.data + k.len - 1);
        ck_assert_int_eq(hdb__sql_value_cmp(v, &out, coll), 0);
        if (v->type == HDB_INTEGER)
            ck_assert_int_eq(out.type, HDB_INTEGER);
        hdb__sql_value_clear(&out);
    }
    hdb__buf_free(&k);
}

START_TEST(test_key_order)
{
    hdb_sql_value v[] = {
        HDB_SQL_NULL_INIT, vreal(-INFINITY), vreal(-1e300), vreal(-9223372036854777856.0), vint(INT64_MIN),
        vint(INT64_MIN + 1), vreal(-9007199254740994.0), vint(-9007199254740993), vint(-9007199254740992),
        vreal(-9007199254740991.0), vreal(-2.5), vint(-2), vreal(-1e-300), vreal(0.0), vint(0), vreal(-0.0),
        vreal(1e-300), vreal(0.5), vint(1), vreal(1.0), vreal(1.0000000000000002), vint(9007199254740991),
        vint(9007199254740992), vreal(9007199254740992.0), vint(9007199254740993), vreal(9007199254740994.0),
        vint(INT64_MAX - 1), vint(INT64_MAX), vreal(9223372036854775808.0), vreal(1e300), vreal(INFINITY),
        vtext("", 0), vtext("\0", 1), vtext("\0\0", 2), vtext("\0a", 2), vtext("A", 1), vtext("B", 1),
        vtext("a", 1), vtext("a\0", 2), vtext("a ", 2), vtext("a  ", 3), vtext("a\x01", 2), vtext("ab", 2),
        vtext("b", 1), vtext("\xff", 1), vtext("\xff\xff", 2), vblob("", 0), vblob("\0", 1), vblob("\0\xff", 2),
        vblob("\x01", 1), vblob("\xff", 1),
    };
    size_t n = sizeof v / sizeof v[0];
    for (int coll = 0; coll < 3; coll++)
        for (size_t i = 0; i < n; i++) {
            check_decode(&v[i], coll);
            for (size_t j = 0; j < n; j++)
                check_pair(&v[i], &v[j], coll);
        }
    /* 3 and 3.0 alike; 'a' and 'A' alike under NOCASE; 'a ' and 'a' under RTRIM. */
    hdb_buf a, b;
    hdb__buf_init(&a, NULL);
    hdb__buf_init(&b, NULL);
    hdb_sql_value i3 = vint(3), r3 = vreal(3.0);
    key1(&a, &i3, 0, 0);
    key1(&b, &r3, 0, 0);
    ck_assert_int_eq(bytes_cmp(&a, &b), 0);
    hdb_sql_value la = vtext("aBc", 3), ua = vtext("AbC", 3);
    key1(&a, &la, HDB_COLL_NOCASE, 0);
    key1(&b, &ua, HDB_COLL_NOCASE, 0);
    ck_assert_int_eq(bytes_cmp(&a, &b), 0);
    ck_assert_uint_eq(a.len, 1 + 3 + 2);
    ck_assert(memcmp(a.data, "\x80" "abc\0\0", 6) == 0);
    /* A null byte is escaped. */
    hdb_sql_value z = vblob("a\0b", 3);
    key1(&a, &z, 0, 0);
    ck_assert_uint_eq(a.len, 1 + 4 + 2);
    ck_assert(memcmp(a.data, "\x90" "a\0\xff" "b\0\0", 7) == 0);
    hdb__buf_free(&a);
    hdb__buf_free(&b);
}
END_TEST

static hdb_sql_value random_value(tu_rng *r, char *store)
{
    switch (tu_below(r, 6)) {
    case 0: return (hdb_sql_value)HDB_SQL_NULL_INIT;
    case 1: return vint((int64_t)tu_next(r) >> tu_below(r, 64));
    case 2: return vint((int64_t)tu_below(r, 7) - 3);
    case 3: {
        double f = (double)((int64_t)tu_next(r) >> tu_below(r, 64)) / (double)(1 + tu_below(r, 1000));
        if (tu_below(r, 8) == 0)
            f = ldexp(f, (int)tu_below(r, 400) - 200);
        return vreal(f);
    }
    default: {
        size_t n = (size_t)tu_below(r, 5);
        for (size_t k = 0; k < n; k++)
            store[k] = "\0\x01 aAbB\xff"[tu_below(r, 8)];
        return tu_below(r, 2) ? vtext(store, n) : vblob(store, n);
    }
    }
}

START_TEST(test_key_random)
{
    tu_rng r = {987654321};
    char sa[8], sb[8];
    for (int it = 0; it < 20000; it++) {
        hdb_sql_value a = random_value(&r, sa), b = random_value(&r, sb);
        int coll = (int)tu_below(&r, 3);
        check_pair(&a, &b, coll);
        if (it % 8 == 0)
            check_decode(&a, coll);
    }
    /* Composite keys: tuples compare column by column. */
    for (int it = 0; it < 5000; it++) {
        hdb_sql_value a[2] = {random_value(&r, sa), vint((int64_t)tu_below(&r, 3))};
        hdb_sql_value b[2] = {random_value(&r, sb), vint((int64_t)tu_below(&r, 3))};
        hdb_buf ka, kb;
        hdb__buf_init(&ka, NULL);
        hdb__buf_init(&kb, NULL);
        for (int c = 0; c < 2; c++) {
            hdb__sql_key_append(&ka, &a[c], 0, c == 1);
            hdb__sql_key_append(&kb, &b[c], 0, c == 1);
        }
        int want = hdb__sql_value_cmp(&a[0], &b[0], 0);
        if (want == 0)
            want = -hdb__sql_value_cmp(&a[1], &b[1], 0);
        want = (want > 0) - (want < 0);
        ck_assert_int_eq(bytes_cmp(&ka, &kb), want);
        hdb__buf_free(&ka);
        hdb__buf_free(&kb);
    }
}
END_TEST

START_TEST(test_key_corrupt)
{
    static const struct {
        const char *p;
        size_t n;
    } bad[] = {
        {"", 0}, {"\x01", 1}, {"\x11", 1}, {"\x41\x00", 2}, {"\x80" "abc", 4}, {"\x80" "a\0", 3},
        {"\x80" "a\0\x01", 4}, {"\x90\0", 2}, {"\xff", 1},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const uint8_t *p = (const uint8_t *)bad[k].p;
        size_t n = bad[k].n;
        hdb_sql_value out;
        ck_assert_msg(hdb__sql_key_decode(&p, &n, 0, &out) == HDB_CORRUPT, "case %zu", k);
        ck_assert(p == (const uint8_t *)bad[k].p && n == bad[k].n);
    }
    tu_rng r = {42};
    static const char likely[] = "\x05\x40\x42\x80\x90\x00\xff\x61\x09\x3f\x41\x01"; /* tags and such */
    for (int it = 0; it < 20000; it++) {
        size_t n = (size_t)tu_below(&r, 16);
        uint8_t *buf = malloc(n ? n : 1);
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)(tu_below(&r, 3) ? likely[tu_below(&r, sizeof likely - 1)] : tu_next(&r));
        const uint8_t *p = buf;
        size_t left = n;
        hdb_sql_value out;
        int desc = (int)tu_below(&r, 2);
        while (hdb__sql_key_decode(&p, &left, desc, &out) == HDB_OK) {
            ck_assert(left < n);
            hdb__sql_value_clear(&out);
        }
        free(buf);
    }
}
END_TEST

START_TEST(test_prefix_end)
{
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__sql_key_prefix_end(&b, "\x80" "ab", 3);
    ck_assert_uint_eq(b.len, 3);
    ck_assert(memcmp(b.data, "\x80" "ac", 3) == 0);
    hdb__buf_reset(&b);
    hdb__sql_key_prefix_end(&b, "\x80\xff\xff", 3);
    ck_assert_uint_eq(b.len, 1);
    ck_assert((uint8_t)b.data[0] == 0x81);
    hdb__buf_reset(&b);
    hdb__sql_key_prefix_end(&b, "\xff", 1);
    ck_assert_uint_eq(b.len, 0);
    hdb__sql_key_prefix_end(&b, "", 0);
    ck_assert_uint_eq(b.len, 0);
    /* Every key with the prefix sorts below the end. */
    hdb_buf k, e;
    hdb__buf_init(&k, NULL);
    hdb__buf_init(&e, NULL);
    hdb_sql_value v = vint(7), t = vtext("\xff\xff", 2);
    hdb__sql_key_append(&k, &v, 0, 0);
    hdb__sql_key_prefix_end(&e, k.data, k.len);
    hdb__sql_key_append(&k, &t, 0, 0);
    ck_assert_int_lt(bytes_cmp(&k, &e), 0);
    hdb__buf_free(&k);
    hdb__buf_free(&e);
    hdb__buf_free(&b);
}
END_TEST

/* ---- numbers in keys ------------------------------------------------------------ */

#define TWO63 9223372036854775808.0

/* The numbers at and around every range boundary of the number encoding
 * (codec.h, NUMBERS), both signs, as INTEGER and as REAL where each exists:
 * written into v[0..), their count returned. */
static size_t boundary_numbers(hdb_sql_value *v)
{
    static const double reals[] = {
        0.0, 4.9406564584124654e-324, 2.2250738585072014e-308, 1e-300, 0.5, 0.75, 1.5, 3.0, 3.14159265358979,
        100.0, 1e6, 4503599627370496.5, 9007199254740991.0, 9007199254740992.0, 9007199254740994.0,
        9223372036854774784.0, 9223372036854775808.0, 9223372036854777856.0, 1e300,
        1.7976931348623157e308, INFINITY,
    };
    size_t n = 0;
    for (size_t k = 0; k < sizeof reals / sizeof reals[0]; k++)
        for (int sign = 1; sign >= -1; sign -= 2) {
            double f = sign * reals[k];
            v[n++] = vreal(f);
            v[n++] = vreal(nextafter(f, -INFINITY));
            v[n++] = vreal(nextafter(f, INFINITY));
        }
    for (int e = -4; e <= 64; e++)
        for (int sign = 1; sign >= -1; sign -= 2) {
            double f = sign * ldexp(1.0, e);
            v[n++] = vreal(f);
            v[n++] = vreal(nextafter(f, -INFINITY));
            v[n++] = vreal(nextafter(f, INFINITY));
        }
    for (int e = 0; e < 63; e++)
        for (int sign = 1; sign >= -1; sign -= 2) {
            int64_t p = sign * ((int64_t)1 << e);
            v[n++] = vint(p);
            v[n++] = vint(p - 1);
            v[n++] = vint(p + 1);
        }
    static const int64_t ints[] = {0, 100, -100, 999999, 1000000, INT64_MAX, INT64_MAX - 1, INT64_MIN,
                                   INT64_MIN + 1, 9007199254740993, -9007199254740993};
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++)
        v[n++] = vint(ints[k]);
    return n;
}

static hdb_sql_value random_number(tu_rng *r)
{
    if (tu_below(r, 2))
        return vint((int64_t)tu_next(r) >> tu_below(r, 64));
    double f = ldexp((double)(tu_next(r) >> 11), (int)tu_below(r, 200) - 100 - 53);
    if (tu_below(r, 10) == 0)
        f = ldexp(f, (int)tu_below(r, 2100) - 1050);
    if (tu_below(r, 4) == 0)
        f = floor(f);
    return vreal(tu_below(r, 2) ? -f : f);
}

typedef struct enc {
    uint8_t b[2][32]; /* ascending, descending */
    size_t n;
} enc;

static void encode(enc *e, const hdb_sql_value *v)
{
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    memset(e, 0, sizeof *e);
    for (int desc = 0; desc < 2; desc++) {
        key1(&b, v, HDB_COLL_BINARY, desc);
        ck_assert(b.len <= sizeof e->b[desc]);
        memcpy(e->b[desc], b.data, b.len);
        e->n = b.len;
    }
    hdb__buf_free(&b);
}

static int sign_of(int c) { return (c > 0) - (c < 0); }

/* Keys (x, fx) and (y, fy), each column ascending or descending by d's
 * bits, compare as their tuples. */
static void check_composite(const hdb_sql_value *x, const enc *ex, const hdb_sql_value *fx, const enc *efx,
                            const hdb_sql_value *y, const enc *ey, const hdb_sql_value *fy, const enc *efy,
                            int d)
{
    int d0 = d & 1, d1 = d >> 1;
    int want = sign_of(hdb__sql_value_cmp(x, y, 0)) * (d0 ? -1 : 1);
    if (!want)
        want = sign_of(hdb__sql_value_cmp(fx, fy, 0)) * (d1 ? -1 : 1);
    uint8_t a[64], b[64];
    memcpy(a, ex->b[d0], ex->n);
    memcpy(a + ex->n, efx->b[d1], efx->n);
    memcpy(b, ey->b[d0], ey->n);
    memcpy(b + ey->n, efy->b[d1], efy->n);
    size_t na = ex->n + efx->n, nb = ey->n + efy->n, m = na < nb ? na : nb;
    int got = sign_of(memcmp(a, b, m));
    if (!got)
        got = (na > nb) - (na < nb);
    if (got != want) /* (each ck_assert costs a system call: only on failure here) */
        ck_abort_msg("%.17g/%d then %.17g/%d (desc %d): got %d want %d",
                     x->type == HDB_INTEGER ? (double)x->u.i : x->u.f, x->type,
                     y->type == HDB_INTEGER ? (double)y->u.i : y->u.f, y->type, d, got, want);
}

/* Decode, skip and (for an integral value in the int64 range) read as a
 * rowid: all agree with the value and stop at its end. */
static void check_number_reads(const hdb_sql_value *v, const enc *e)
{
    for (int desc = 0; desc < 2; desc++) {
        uint8_t buf[40];
        memcpy(buf, e->b[desc], e->n);
        buf[e->n] = 0x77; /* something after it */
        const uint8_t *p = buf, *q = buf;
        size_t n = e->n + 1, m = e->n + 1;
        hdb_sql_value out;
        ck_assert_int_eq(hdb__sql_key_decode(&p, &n, desc, &out), HDB_OK);
        ck_assert_int_eq(hdb__sql_value_cmp(v, &out, 0), 0);
        ck_assert(p == buf + e->n && n == 1);
        ck_assert_int_eq(hdb__sql_key_skip(&q, &m, desc), HDB_OK);
        ck_assert(q == p && m == 1);
        double f = v->type == HDB_INTEGER ? (double)v->u.i : v->u.f;
        int integral = v->type == HDB_INTEGER || (f == floor(f) && f >= -TWO63 && f < TWO63);
        if (integral)
            ck_assert_int_eq(out.type, HDB_INTEGER);
        /* every cut-short encoding is refused: no encoding is a prefix of another */
        for (size_t cut = 0; cut < e->n; cut++) {
            const uint8_t *c = buf;
            size_t cn = cut;
            if (hdb__sql_key_decode(&c, &cn, desc, &out) != HDB_CORRUPT ||
                hdb__sql_key_skip(&c, &cn, desc) != HDB_CORRUPT || c != buf || cn != cut)
                ck_abort_msg("a key cut to %zu of %zu bytes was read", cut, e->n);
        }
        if (desc)
            continue;
        p = buf;
        n = e->n + 1;
        int64_t r = 0;
        ck_assert_int_eq(hdb__sql_key_int(&p, &n, &r), integral ? HDB_OK : HDB_CORRUPT);
        if (!integral)
            continue;
        ck_assert(p == buf + e->n && n == 1);
        int64_t want = v->type == HDB_INTEGER ? v->u.i : (int64_t)f;
        ck_assert_int_eq(r, want);
        uint8_t k[9];
        ck_assert_uint_eq(hdb__sql_key_int_put(k, want), e->n);
        ck_assert(!memcmp(k, e->b[0], e->n));
    }
}


static hdb_sql_value followers[] = {
    HDB_SQL_NULL_INIT, {HDB_TEXT, 0, {.s = {"", 0}}}, {HDB_TEXT, 0, {.s = {"a", 1}}},
    {HDB_INTEGER, 0, {.i = 0}}, {HDB_INTEGER, 0, {.i = 5}}, {HDB_FLOAT, 0, {.f = -0.5}},
    {HDB_BLOB, 0, {.s = {"\xff", 1}}}, {HDB_INTEGER, 0, {.i = INT64_MAX}}, {HDB_FLOAT, 0, {.f = -1e300}},
};
#define NFOLLOW (sizeof followers / sizeof followers[0])

/* Every pair of boundary numbers, ascending and descending, alone and
 * followed by another column: memcmp order is hdb__sql_value_cmp order,
 * equal values have identical bytes, and each reads back. */
START_TEST(test_key_number_boundaries)
{
    hdb_sql_value v[1024];
    size_t n = boundary_numbers(v);
    ck_assert(n <= 1024);
    enc *e = malloc(sizeof *e * n), ef[NFOLLOW];
    ck_assert(e != NULL);
    for (size_t i = 0; i < NFOLLOW; i++)
        encode(&ef[i], &followers[i]);
    for (size_t i = 0; i < n; i++) {
        encode(&e[i], &v[i]);
        check_number_reads(&v[i], &e[i]);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            size_t fi = i % NFOLLOW, fj = (7 * j + 3) % NFOLLOW;
            if (hdb__sql_value_cmp(&v[i], &v[j], 0) == 0 &&
                (e[i].n != e[j].n || memcmp(e[i].b, e[j].b, sizeof e[i].b)))
                ck_abort_msg("values %zu and %zu are equal, their keys differ", i, j);
            for (int d = 0; d < 4; d++)
                check_composite(&v[i], &e[i], &followers[fi], &ef[fi], &v[j], &e[j], &followers[fj], &ef[fj],
                                d);
        }
    free(e);
}
END_TEST

START_TEST(test_key_number_random)
{
    tu_rng r = {20240611};
    enum { N = 3000 };
    hdb_sql_value *v = malloc(sizeof *v * (N + 1024));
    enc *e = malloc(sizeof *e * (N + 1024)), ef[NFOLLOW];
    ck_assert(v && e);
    size_t n = boundary_numbers(v);
    for (size_t i = 0; i < N; i++)
        v[n++] = random_number(&r);
    for (size_t i = 0; i < NFOLLOW; i++)
        encode(&ef[i], &followers[i]);
    for (size_t i = 0; i < n; i++) {
        encode(&e[i], &v[i]);
        check_number_reads(&v[i], &e[i]);
    }
    for (int it = 0; it < 400000; it++) {
        size_t i = (size_t)tu_below(&r, n), j = tu_below(&r, 4) ? (size_t)tu_below(&r, n) : i;
        size_t fi = (size_t)tu_below(&r, NFOLLOW), fj = (size_t)tu_below(&r, NFOLLOW);
        check_composite(&v[i], &e[i], &followers[fi], &ef[fi], &v[j], &e[j], &followers[fj], &ef[fj],
                        (int)tu_below(&r, 4));
    }
    free(v);
    free(e);
}
END_TEST

/* The exact bytes of a few numbers, the length of every integer of
 * magnitude up to 2^22, and their order, one after the other. */
START_TEST(test_key_number_bytes)
{
    static const struct {
        double f;
        int is_int;
        const char *k;
        size_t n;
    } ex[] = {
        {0, 1, "\x40", 1}, {-0.0, 0, "\x40", 1}, {1, 1, "\x42\x00", 2}, {3, 1, "\x43\x80", 2},
        {3.0, 0, "\x43\x80", 2}, {2.5, 0, "\x43\x40", 2}, {100, 1, "\x48\x90", 2}, {-100, 1, "\x38\x6f", 2},
        {1000000, 1, "\x55\xe9\x24", 3}, {999999, 1, "\x55\xe9\x23\xf8", 4},
        {0.5, 0, "\x41\xbf\xe0\0\0\0\0\0\0", 9}, {-0.5, 0, "\x3f\x40\x1f\xff\xff\xff\xff\xff\xff", 9},
        {1.0000000000000002, 0, "\x42\x01\x01\x01\x01\x01\x01\x01\x20", 9},
        {9007199254740991.0, 1, "\x76\xff\xff\xff\xff\xff\xff\xff\xe0", 9},
        {-9007199254740991.0, 1, "\x0a\x00\x00\x00\x00\x00\x00\x00\x1f", 9},
        {9007199254740992.0, 1, "\x77\x80\x20\0\0\0\0\0\0", 9},
        {-9007199254740992.0, 1, "\x09\x7f\xe0\0\0\0\0\0\0", 9},
    };
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    for (size_t k = 0; k < sizeof ex / sizeof ex[0]; k++) {
        hdb_sql_value v = ex[k].is_int ? vint((int64_t)ex[k].f) : vreal(ex[k].f);
        key1(&b, &v, 0, 0);
        ck_assert_msg(b.len == ex[k].n && !memcmp(b.data, ex[k].k, b.len), "example %zu", k);
    }
    hdb_sql_value nan = {HDB_FLOAT, 0, {.f = NAN}};
    key1(&b, &nan, 0, 0);
    ck_assert(b.len == 1 && b.data[0] == 0x05);
    hdb__buf_free(&b);
    uint8_t prev[9], k[9];
    size_t np = hdb__sql_key_int_put(prev, -((int64_t)1 << 22) - 1);
    for (int64_t i = -((int64_t)1 << 22); i <= (int64_t)1 << 22; i++) {
        size_t n = hdb__sql_key_int_put(k, i);
        uint64_t mag = (uint64_t)(i < 0 ? -i : i);
        int bits = i ? 63 - __builtin_clzll(mag) - __builtin_ctzll(mag) : 0; /* mantissa bits in use */
        const uint8_t *p = k;
        size_t left = n;
        int64_t r;
        size_t want = i == 0 ? 1 : 1 + (bits ? (size_t)(bits + 6) / 7 : 1);
        if (n != want || memcmp(prev, k, np < n ? np : n) >= 0 || hdb__sql_key_int(&p, &left, &r) != HDB_OK ||
            r != i || left != 0)
            ck_abort_msg("integer %lld: %zu bytes", (long long)i, n);
        memcpy(prev, k, n);
        np = n;
    }
}
END_TEST

/* hdb__sql_key_int against a reference decoder of codec.h's layout for a
 * positive number (tag 0x42 + e, then 7-bit groups with a "more" bit): on
 * every key of one or two group bytes and on a million random longer ones
 * (cut short, non-canonical, fractional and integral), it answers exactly
 * when the key is a canonical integer, with its value and length; the
 * general decoder (hdb__sql_key_decode) agrees with both. */
static int ref_int(const uint8_t *k, size_t n, int64_t *v, size_t *used)
{
    int e = k[0] - 0x42;
    uint64_t m = 0;
    for (size_t j = 0; j < 8; j++) {
        if (1 + j >= n)
            return 0; /* cut short */
        uint8_t c = k[1 + j];
        m |= (uint64_t)(c >> 1) << (57 - 7 * j);
        if (c & 1)
            continue;
        if ((c == 0 && j > 0) || (m & 0xfff))
            return 0; /* a zero last group after others; bits beyond the 52 */
        if (e < 64 && (e == 0 ? m != 0 : (m << e) != 0))
            return 0; /* bits below the units: not an integer */
        *v = (int64_t)(((uint64_t)1 << e) + (e ? m >> (64 - e) : 0));
        *used = j + 2;
        return 1;
    }
    return 0; /* a ninth group */
}

static int key_int_agrees(const uint8_t *k, size_t n)
{
    const uint8_t *p1 = k, *p2 = k;
    size_t n1 = n, n2 = n, want_n = 0;
    hdb_sql_value v;
    int64_t r, want = 0;
    int is = ref_int(k, n, &want, &want_n), ok;
    int rc1 = hdb__sql_key_decode(&p1, &n1, 0, &v), rc2 = hdb__sql_key_int(&p2, &n2, &r);
    if (is)
        ok = rc2 == HDB_OK && r == want && n - n2 == want_n && rc1 == HDB_OK && v.type == HDB_INTEGER &&
             v.u.i == want && n - n1 == want_n;
    else
        ok = rc2 == HDB_CORRUPT && n2 == n && !(rc1 == HDB_OK && v.type == HDB_INTEGER);
    if (rc1 == HDB_OK)
        hdb__sql_value_clear(&v);
    if (!ok) /* (no ck_assert per key: each one is a write to the test's runner) */
        fprintf(stderr, "disagree: %02x %02x %02x %02x, length %zu\n", k[0], n > 1 ? k[1] : 0,
                n > 2 ? k[2] : 0, n > 3 ? k[3] : 0, n);
    return ok;
}

START_TEST(test_key_int_agrees)
{
    uint8_t k[8];
    long bad = 0;
    for (unsigned tag = 0x42; tag <= 0x42 + 52; tag++) {
        k[0] = (uint8_t)tag;
        bad += !key_int_agrees(k, 1);
        for (unsigned a = 0; a < 256; a++) {
            k[1] = (uint8_t)a;
            bad += !key_int_agrees(k, 2);
            for (unsigned b = 0; b < 256; b++) {
                k[2] = (uint8_t)b;
                bad += !key_int_agrees(k, 3);
            }
        }
    }
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 1000000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = 4 + (size_t)(x % 3);
        k[0] = (uint8_t)(0x42 + (x >> 8) % 53);
        for (size_t j = 1; j < n; j++) /* mostly "more" bits set, so that the groups run on */
            k[j] = (uint8_t)((x >> (8 * j + 8)) | (j + 1 < n || (x >> 60) & 1 ? 1 : 0));
        bad += !key_int_agrees(k, n);
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* Truncated, unknown and non-canonical number encodings are refused by
 * every reader, ascending and (inverted) descending. */
START_TEST(test_key_number_corrupt)
{
    static const struct {
        const char *p;
        size_t n;
    } bad[] = {
        {"\x42", 1},                                         /* no groups */
        {"\x42\x01", 2},                                    /* last byte says more */
        {"\x42\x03\x00", 3},                               /* a last group of zero */
        {"\x42\x81\x00", 3},                               /* the same */
        {"\x42\x01\x01\x01\x01\x01\x01\x01\x02", 9},    /* a bit beyond the 52 */
        {"\x42\x01\x01\x01\x01\x01\x01\x01\x01\x00", 10}, /* nine groups */
        {"\x38\x90", 2},                                    /* negative, groups not inverted */
        {"\x09\x7f\xff\xff\xff\xff\xff\xff\xfb", 9},    /* -5 in the range below -2^53 */
        {"\x77\x80\0\0\0\0\0\0\x05", 9},                /* 5 in the range above 2^53 */
        {"\x41\x80\0\0\0\0\0\0\0", 9},                  /* 0 as a fraction */
        {"\x41\xbf\xf0\0\0\0\0\0\0", 9},                /* 1.0 as a fraction */
        {"\x3f\xbf\xe0\0\0\0\0\0\0", 9},                /* +0.5 in (-1, 0) */
        {"\x3f\x7f\xff\xff\xff\xff\xff\xff\xff", 9},    /* -0.0 in (-1, 0) */
        {"\x08\x40\x0f\xff\xff\xff\xff\xff\xff", 9},    /* -1.0 below -2^63 */
        {"\x78\xbf\xf0\0\0\0\0\0\0", 9},                /* 1.0 at or above 2^63 */
        {"\x78\xff\xf8\0\0\0\0\0\0", 9},                /* a NaN */
        {"\x41\xbf\xe0\0\0", 5},                         /* cut short */
        {"\x06", 1}, {"\x07\0\0\0\0\0\0\0\0", 9}, {"\x79\0\0\0\0\0\0\0\0", 9}, {"\x7f", 1},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        for (int desc = 0; desc < 2; desc++) {
            uint8_t buf[16];
            for (size_t j = 0; j < bad[k].n; j++)
                buf[j] = (uint8_t)bad[k].p[j] ^ (desc ? 0xff : 0x00);
            const uint8_t *p = buf;
            size_t n = bad[k].n;
            hdb_sql_value out;
            int64_t r;
            ck_assert_msg(hdb__sql_key_decode(&p, &n, desc, &out) == HDB_CORRUPT, "case %zu/%d", k, desc);
            ck_assert_msg(hdb__sql_key_skip(&p, &n, desc) == HDB_CORRUPT, "case %zu/%d", k, desc);
            if (!desc)
                ck_assert_msg(hdb__sql_key_int(&p, &n, &r) == HDB_CORRUPT, "case %zu", k);
            ck_assert(p == buf && n == bad[k].n);
        }
    /* the largest mantissa the groups can hold decodes: 1 + (2^52 - 1) / 2^52 */
    const uint8_t *p = (const uint8_t *)"\x42\xff\xff\xff\xff\xff\xff\xff\xe0";
    size_t n = 9;
    hdb_sql_value out;
    ck_assert_int_eq(hdb__sql_key_decode(&p, &n, 0, &out), HDB_OK);
    ck_assert(out.type == HDB_FLOAT && out.u.f == nextafter(2.0, 0.0) && n == 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_codec");
    TCase *c = tcase_create("core");
    tcase_add_test(c, test_record_roundtrip);
    tcase_add_test(c, test_record_corrupt);
    tcase_add_test(c, test_record_paths_agree);
    tcase_add_test(c, test_key_order);
    tcase_add_test(c, test_key_random);
    tcase_add_test(c, test_key_corrupt);
    tcase_add_test(c, test_prefix_end);
    tcase_add_test(c, test_key_number_boundaries);
    tcase_add_test(c, test_key_number_random);
    tcase_add_test(c, test_key_number_bytes);
    tcase_add_test(c, test_key_number_corrupt);
    tcase_add_test(c, test_key_int_agrees);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
