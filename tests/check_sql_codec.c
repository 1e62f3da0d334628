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
    ck_assert(memcmp(a.data, "\x30" "abc\0\0", 6) == 0);
    /* A null byte is escaped. */
    hdb_sql_value z = vblob("a\0b", 3);
    key1(&a, &z, 0, 0);
    ck_assert_uint_eq(a.len, 1 + 4 + 2);
    ck_assert(memcmp(a.data, "\x40" "a\0\xff" "b\0\0", 7) == 0);
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
        {"", 0}, {"\x01", 1}, {"\x11", 1}, {"\x14\x00", 2}, {"\x30" "abc", 4}, {"\x30" "a\0", 3},
        {"\x30" "a\0\x01", 4}, {"\x40\0", 2}, {"\xff", 1},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const uint8_t *p = (const uint8_t *)bad[k].p;
        size_t n = bad[k].n;
        hdb_sql_value out;
        ck_assert_msg(hdb__sql_key_decode(&p, &n, 0, &out) == HDB_CORRUPT, "case %zu", k);
        ck_assert(p == (const uint8_t *)bad[k].p && n == bad[k].n);
    }
    tu_rng r = {42};
    for (int it = 0; it < 20000; it++) {
        size_t n = (size_t)tu_below(&r, 16);
        uint8_t *buf = malloc(n ? n : 1);
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)(tu_below(&r, 3) ? "\x05\x14\x30\x40\x00\xff\x61"[tu_below(&r, 7)] : tu_next(&r));
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
    hdb__sql_key_prefix_end(&b, "\x30" "ab", 3);
    ck_assert_uint_eq(b.len, 3);
    ck_assert(memcmp(b.data, "\x30" "ac", 3) == 0);
    hdb__buf_reset(&b);
    hdb__sql_key_prefix_end(&b, "\x30\xff\xff", 3);
    ck_assert_uint_eq(b.len, 1);
    ck_assert((uint8_t)b.data[0] == 0x31);
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
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
