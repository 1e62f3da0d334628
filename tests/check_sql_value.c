/*
** check_sql_value.c — SQL values (src/sql/value.h): arithmetic, CAST,
** affinity, comparison and the text form of numbers.
**
** The expected results in the tables are what the sqlite3 shell prints for
** the same expression (typeof(x) and CAST(x AS TEXT), or hex(x) for blobs).
** Operands are written as SQL literals: 12, 1.5, 'text', x'hex', NULL.
*/
#include <check.h>
#include "support/test_util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "src/sql/ast.h"
#include "src/sql/value.h"
#include "src/sql/value_int.h"

/* A value from an SQL literal (owned). */
static void lit(hdb_sql_value *v, const char *s)
{
    size_t n = strlen(s);
    *v = (hdb_sql_value)HDB_SQL_NULL_INIT;
    if (strcmp(s, "NULL") == 0)
        return;
    if (s[0] == '\'') {
        ck_assert_int_eq(hdb__sql_value_text(v, s + 1, n - 2), HDB_OK);
    } else if (s[0] == 'x') {
        char bytes[64];
        size_t k = 0;
        for (const char *p = s + 2; *p != '\''; p += 2) {
            unsigned x;
            sscanf(p, "%2x", &x);
            bytes[k++] = (char)x;
        }
        ck_assert_int_eq(hdb__sql_value_blob(v, bytes, k), HDB_OK);
    } else if (strpbrk(s, ".eE")) {
        hdb__sql_value_float(v, strtod(s, NULL));
    } else {
        hdb__sql_value_int(v, strtoll(s, NULL, 10));
    }
}

/* "type text" as the sqlite3 shell shows typeof(x) || ' ' || x. */
static void show(const hdb_sql_value *v, char *out, size_t cap)
{
    static const char *const names[] = {"?", "integer", "real", "text", "blob", "null"};
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__buf_printf(&b, "%s ", names[v->type]);
    if (v->type == HDB_BLOB)
        for (size_t k = 0; k < v->u.s.n; k++)
            hdb__buf_printf(&b, "%02X", (unsigned char)v->u.s.p[k]);
    else
        hdb__sql_value_to_text(v, &b);
    ck_assert(!b.oom);
    snprintf(out, cap, "%s", b.data);
    hdb__buf_free(&b);
}

struct arith_case {
    const char *a;
    int op;
    const char *b, *want;
};
struct cast_case {
    const char *a, *type, *want;
};
static const struct arith_case arith_cases[] = {
    {"1", HDB_SQL_OP_ADD, "2", "integer 3"},
    {"1", HDB_SQL_OP_DIV, "2", "integer 0"},
    {"1.0", HDB_SQL_OP_DIV, "3", "real 0.333333333333333"},
    {"10", HDB_SQL_OP_MOD, "3", "integer 1"},
    {"'3'", HDB_SQL_OP_ADD, "4", "integer 7"},
    {"'3.0'", HDB_SQL_OP_ADD, "4", "real 7.0"},
    {"'12abc'", HDB_SQL_OP_ADD, "0", "integer 12"},
    {"'1e3x'", HDB_SQL_OP_ADD, "0", "real 1000.0"},
    {"'abc'", HDB_SQL_OP_ADD, "1", "integer 1"},
    {"' 5 '", HDB_SQL_OP_MUL, "2", "integer 10"},
    {"x'3132'", HDB_SQL_OP_ADD, "1", "integer 13"},
    {"9223372036854775807", HDB_SQL_OP_ADD, "1", "real 9.22337203685478e+18"},
    {"-9223372036854775808", HDB_SQL_OP_SUB, "1", "real -9.22337203685478e+18"},
    {"9223372036854775807", HDB_SQL_OP_MUL, "2", "real 1.84467440737096e+19"},
    {"-9223372036854775808", HDB_SQL_OP_DIV, "-1", "real 9.22337203685478e+18"},
    {"-9223372036854775808", HDB_SQL_OP_MOD, "-1", "integer 0"},
    {"5", HDB_SQL_OP_DIV, "0", "null "},
    {"5", HDB_SQL_OP_MOD, "0", "null "},
    {"5.0", HDB_SQL_OP_DIV, "0", "null "},
    {"5.5", HDB_SQL_OP_MOD, "2", "real 1.0"},
    {"-7", HDB_SQL_OP_MOD, "3", "integer -1"},
    {"7", HDB_SQL_OP_MOD, "-3", "integer 1"},
    {"-7", HDB_SQL_OP_DIV, "2", "integer -3"},
    {"1e308", HDB_SQL_OP_MUL, "10", "real Inf"},
    {"0.1", HDB_SQL_OP_ADD, "0.2", "real 0.3"},
    {"2", HDB_SQL_OP_MUL, "0.5", "real 1.0"},
    {"NULL", HDB_SQL_OP_ADD, "1", "null "},
    {"1", HDB_SQL_OP_SUB, "NULL", "null "},
    {"6", HDB_SQL_OP_BITAND, "3", "integer 2"},
    {"6", HDB_SQL_OP_BITOR, "3", "integer 7"},
    {"1", HDB_SQL_OP_LSHIFT, "62", "integer 4611686018427387904"},
    {"1", HDB_SQL_OP_LSHIFT, "63", "integer -9223372036854775808"},
    {"1", HDB_SQL_OP_LSHIFT, "64", "integer 0"},
    {"-1", HDB_SQL_OP_RSHIFT, "70", "integer -1"},
    {"-16", HDB_SQL_OP_RSHIFT, "2", "integer -4"},
    {"1", HDB_SQL_OP_LSHIFT, "-1", "integer 0"},
    {"8", HDB_SQL_OP_RSHIFT, "-1", "integer 16"},
    {"3.7", HDB_SQL_OP_BITAND, "7", "integer 3"},
    {"'12'", HDB_SQL_OP_BITOR, "1", "integer 13"},
    {"'a'", HDB_SQL_OP_CONCAT, "'b'", "text ab"},
    {"1", HDB_SQL_OP_CONCAT, "2", "text 12"},
    {"1.5", HDB_SQL_OP_CONCAT, "'x'", "text 1.5x"},
    {"NULL", HDB_SQL_OP_CONCAT, "'x'", "null "},
    {"x'41'", HDB_SQL_OP_CONCAT, "'b'", "text Ab"},
    {"'9223372036854775808'", HDB_SQL_OP_ADD, "0", "real 9.22337203685478e+18"},
    {"'-9223372036854775808'", HDB_SQL_OP_ADD, "0", "integer -9223372036854775808"},
    {"1e400", HDB_SQL_OP_SUB, "1e400", "null "},
    {"100", HDB_SQL_OP_MUL, "1.5", "real 150.0"},
    {"7", HDB_SQL_OP_DIV, "2.0", "real 3.5"},
    /* % with a REAL works on the operands' integer values (no rounding to double) */
    {"-2943623437653315061", HDB_SQL_OP_MOD, "2.675", "real -1.0"},
    {"9223372036854775807", HDB_SQL_OP_MOD, "'1e3x'", "real 0.0"},
    {"5517364519655439401", HDB_SQL_OP_MOD, "8e10", "real 39655439401.0"},
    {"1000000000000000.0", HDB_SQL_OP_ADD, "'5.'", "real 1.00000000000001e+15"},
};
static const struct cast_case cast_cases[] = {
    {"'12abc'", "INTEGER", "integer 12"},
    {"'1e3'", "INTEGER", "integer 1"},
    {"'  -12.7e1 '", "INT", "integer -12"},
    {"'abc'", "NUMERIC", "integer 0"},
    {"3.0", "NUMERIC", "real 3.0"},
    {"'3.0'", "NUMERIC", "integer 3"},
    {"' 12 '", "NUMERIC", "integer 12"},
    {"'1e3'", "NUMERIC", "integer 1000"},
    {"'12abc'", "NUMERIC", "integer 12"},
    {"'1.5x'", "NUMERIC", "real 1.5"},
    {"1e20", "INTEGER", "integer 9223372036854775807"},
    {"-1e20", "INTEGER", "integer -9223372036854775808"},
    {"'9223372036854775808'", "INT", "integer 9223372036854775807"},
    {"'9223372036854775808'", "NUMERIC", "real 9.22337203685478e+18"},
    {"'-9223372036854775809'", "INTEGER", "integer -9223372036854775808"},
    {"x'3132'", "INTEGER", "integer 12"},
    {"12", "BLOB", "blob 3132"},
    {"1.5", "TEXT", "text 1.5"},
    {"1e15", "TEXT", "text 1.0e+15"},
    {"'0x1F'", "INTEGER", "integer 0"},
    {"'.5'", "REAL", "real 0.5"},
    {"'5.'", "REAL", "real 5.0"},
    {"'-'", "INT", "integer 0"},
    {"'+5'", "INT", "integer 5"},
    {"'abc'", "REAL", "real 0.0"},
    {"3.9", "INTEGER", "integer 3"},
    {"-3.9", "INTEGER", "integer -3"},
    {"12", "REAL", "real 12.0"},
    {"12", "VARCHAR(10)", "text 12"},
    {"x'41'", "TEXT", "text A"},
    {"'A'", "BLOB", "blob 41"},
    {"NULL", "INTEGER", "null "},
    {"'1e400'", "REAL", "real Inf"},
    {"'-0.0'", "NUMERIC", "integer 0"},
    {"1.5", "FLOATING POINT", "integer 1"},
    {"'7'", "DOUBLE PRECISION", "real 7.0"},
    {"'12'", "STRING", "integer 12"},
    {"'12.5'", "DECIMAL(10,2)", "real 12.5"},
};

START_TEST(test_arith)
{
    for (size_t k = 0; k < sizeof arith_cases / sizeof arith_cases[0]; k++) {
        const struct arith_case *c = &arith_cases[k];
        hdb_sql_value a, b, r = HDB_SQL_NULL_INIT;
        char got[128];
        lit(&a, c->a);
        lit(&b, c->b);
        ck_assert_int_eq(hdb__sql_arith(c->op, &a, &b, &r), HDB_OK);
        show(&r, got, sizeof got);
        ck_assert_msg(strcmp(got, c->want) == 0, "%s op%d %s: got [%s] want [%s]", c->a, c->op, c->b, got,
                      c->want);
        hdb__sql_value_clear(&a);
        hdb__sql_value_clear(&b);
        hdb__sql_value_clear(&r);
    }
}
END_TEST

START_TEST(test_unary)
{
    static const struct {
        int op;
        const char *a, *want;
    } cases[] = {
        {HDB_SQL_OP_NEG, "5", "integer -5"},
        {HDB_SQL_OP_NEG, "-9223372036854775808", "real 9.22337203685478e+18"},
        {HDB_SQL_OP_NEG, "1.5", "real -1.5"},
        {HDB_SQL_OP_NEG, "'3abc'", "integer -3"},
        {HDB_SQL_OP_NEG, "'1.5'", "real -1.5"},
        {HDB_SQL_OP_NEG, "NULL", "null "},
        {HDB_SQL_OP_POS, "'abc'", "text abc"},
        {HDB_SQL_OP_BITNOT, "5", "integer -6"},
        {HDB_SQL_OP_BITNOT, "'5'", "integer -6"},
        {HDB_SQL_OP_BITNOT, "NULL", "null "},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        hdb_sql_value a, r = HDB_SQL_NULL_INIT;
        char got[128];
        lit(&a, cases[k].a);
        ck_assert_int_eq(hdb__sql_unary(cases[k].op, &a, &r), HDB_OK);
        show(&r, got, sizeof got);
        ck_assert_msg(strcmp(got, cases[k].want) == 0, "%s: got [%s]", cases[k].a, got);
        hdb__sql_value_clear(&a);
        hdb__sql_value_clear(&r);
    }
}
END_TEST

START_TEST(test_cast)
{
    for (size_t k = 0; k < sizeof cast_cases / sizeof cast_cases[0]; k++) {
        const struct cast_case *c = &cast_cases[k];
        hdb_sql_value v;
        char got[128];
        lit(&v, c->a);
        ck_assert_int_eq(hdb__sql_value_cast(&v, c->type), HDB_OK);
        show(&v, got, sizeof got);
        ck_assert_msg(strcmp(got, c->want) == 0, "CAST(%s AS %s): got [%s] want [%s]", c->a, c->type, got,
                      c->want);
        hdb__sql_value_clear(&v);
    }
    /* A borrowed text cast to BLOB becomes owned. */
    char buf[] = "xyz";
    hdb_sql_value v = HDB_SQL_NULL_INIT;
    hdb__sql_value_text_ref(&v, buf, 3);
    ck_assert_int_eq(hdb__sql_value_cast(&v, "BLOB"), HDB_OK);
    ck_assert(v.owned && v.type == HDB_BLOB && memcmp(v.u.s.p, "xyz", 3) == 0);
    hdb__sql_value_clear(&v);
}
END_TEST

START_TEST(test_real_text)
{
    static const struct {
        double f;
        const char *want;
    } cases[] = {
        {1.0, "1.0"}, {0.1, "0.1"}, {1e20, "1.0e+20"}, {-1.5e-7, "-1.5e-07"}, {1e15, "1.0e+15"},
        {1e14, "100000000000000.0"}, {100.0, "100.0"}, {1e-5, "1.0e-05"}, {0.0001, "0.0001"},
        {-0.0, "0.0"}, {123456789.123456789, "123456789.123457"}, {1.0 / 3, "0.333333333333333"},
        {12345678901234567890.0, "1.23456789012346e+19"}, {-2.5, "-2.5"},
        /* near ties in the 16th digit round as SQLite's printf does */
        {1000000000000005.0, "1.00000000000001e+15"}, {3000000000000035.0, "3.00000000000003e+15"},
        {-7558252238688455.0, "-7.55825223868845e+15"}, {-999999999999964.5, "-999999999999965.0"},
        {-1.254457480542235e+16, "-1.25445748054223e+16"}, {3.863034617241635e+306, "3.86303461724163e+306"},
        {1.7976931348623157e308, "1.79769313486232e+308"}, {5e-324, "4.94065645841247e-324"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char out[40];
        size_t n = hdb__sql_fmt_real(cases[k].f, out);
        ck_assert_msg(strcmp(out, cases[k].want) == 0, "%.17g: got [%s] want [%s]", cases[k].f, out,
                      cases[k].want);
        ck_assert_uint_eq(n, strlen(out));
    }
    char out[40];
    hdb__sql_fmt_real(INFINITY, out);
    ck_assert_str_eq(out, "Inf");
    hdb__sql_fmt_real(-INFINITY, out);
    ck_assert_str_eq(out, "-Inf");
    /* NaN never becomes a REAL value. */
    hdb_sql_value v = HDB_SQL_NULL_INIT;
    hdb__sql_value_float(&v, NAN);
    ck_assert_int_eq(v.type, HDB_NULL);
}
END_TEST

START_TEST(test_text_to_number)
{
    int64_t i = 0;
    double f = 0;
    ck_assert_int_eq(hdb__sql_text_to_number(" 12 ", 4, &i, &f), HDB_INTEGER);
    ck_assert_int_eq(i, 12);
    ck_assert_int_eq(hdb__sql_text_to_number("-1.5e3", 6, &i, &f), HDB_FLOAT);
    ck_assert(f == -1500.0);
    ck_assert_int_eq(hdb__sql_text_to_number("12abc", 5, &i, &f), 0);
    ck_assert_int_eq(hdb__sql_text_to_number("", 0, &i, &f), 0);
    ck_assert_int_eq(hdb__sql_text_to_number("   ", 3, &i, &f), 0);
    ck_assert_int_eq(hdb__sql_text_to_number("0x10", 4, &i, &f), 0);
    ck_assert_int_eq(hdb__sql_text_to_number("1e", 2, &i, &f), 0);
    ck_assert_int_eq(hdb__sql_text_to_number(".", 1, &i, &f), 0);
    ck_assert_int_eq(hdb__sql_text_to_number("9223372036854775807", 19, &i, &f), HDB_INTEGER);
    ck_assert(i == INT64_MAX);
    ck_assert_int_eq(hdb__sql_text_to_number("-9223372036854775808", 20, &i, &f), HDB_INTEGER);
    ck_assert(i == INT64_MIN);
    ck_assert_int_eq(hdb__sql_text_to_number("9223372036854775808", 19, &i, &f), HDB_FLOAT);
    ck_assert(f == 9223372036854775808.0);
    /* Not NUL-terminated: only n bytes are read. */
    ck_assert_int_eq(hdb__sql_text_to_number("123456", 3, &i, &f), HDB_INTEGER);
    ck_assert_int_eq(i, 123);
    /* A long mantissa. */
    char big[400];
    memset(big, '1', sizeof big);
    big[1] = '.';
    ck_assert_int_eq(hdb__sql_text_to_number(big, sizeof big, &i, &f), HDB_FLOAT);
    ck_assert(fabs(f - 1.1111111111111111) < 1e-12);
}
END_TEST

START_TEST(test_conversions)
{
    hdb_sql_value v;
    lit(&v, "'12abc'");
    ck_assert_int_eq(hdb__sql_value_to_int(&v), 12);
    ck_assert(hdb__sql_value_to_float(&v) == 12.0);
    hdb__sql_value_clear(&v);
    lit(&v, "'1e3x'");
    ck_assert_int_eq(hdb__sql_value_to_int(&v), 1);
    ck_assert(hdb__sql_value_to_float(&v) == 1000.0);
    hdb__sql_value_clear(&v);
    lit(&v, "NULL");
    ck_assert_int_eq(hdb__sql_value_to_int(&v), 0);
    ck_assert_int_eq(hdb__sql_value_truth(&v), -1);
    lit(&v, "'0.5'");
    ck_assert_int_eq(hdb__sql_value_truth(&v), 1);
    hdb__sql_value_clear(&v);
    lit(&v, "'x'");
    ck_assert_int_eq(hdb__sql_value_truth(&v), 0);
    hdb__sql_value_clear(&v);
    lit(&v, "' 1x'");
    ck_assert_int_eq(hdb__sql_value_truth(&v), 1);
    hdb__sql_value_clear(&v);
    lit(&v, "0.0");
    ck_assert_int_eq(hdb__sql_value_truth(&v), 0);
    lit(&v, "-3");
    ck_assert_int_eq(hdb__sql_value_truth(&v), 1);
    lit(&v, "1e300");
    ck_assert(hdb__sql_value_to_int(&v) == INT64_MAX);
}
END_TEST

START_TEST(test_affinity)
{
    static const struct {
        const char *decl;
        int aff;
    } cases[] = {
        {"INTEGER", HDB_AFF_INTEGER}, {"int", HDB_AFF_INTEGER}, {"BIGINT", HDB_AFF_INTEGER},
        {"VARCHAR(10)", HDB_AFF_TEXT}, {"nchar", HDB_AFF_TEXT}, {"CLOB", HDB_AFF_TEXT},
        {"text", HDB_AFF_TEXT}, {"BLOB", HDB_AFF_BLOB}, {"", HDB_AFF_BLOB}, {NULL, HDB_AFF_BLOB},
        {"REAL", HDB_AFF_REAL}, {"double precision", HDB_AFF_REAL}, {"FLOAT", HDB_AFF_REAL},
        {"FLOATING POINT", HDB_AFF_INTEGER}, {"NUMERIC", HDB_AFF_NUMERIC},
        {"DECIMAL(10,5)", HDB_AFF_NUMERIC}, {"BOOLEAN", HDB_AFF_NUMERIC}, {"STRING", HDB_AFF_NUMERIC},
        {"DATETIME", HDB_AFF_NUMERIC}, {"CHARINT", HDB_AFF_INTEGER}, {"JSON", HDB_AFF_NUMERIC},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        ck_assert_msg(hdb__sql_affinity(cases[k].decl) == cases[k].aff, "%s", cases[k].decl);
}
END_TEST

/* Storing values into columns (the sqlite3 shell: CREATE TABLE t(a INT, b
 * TEXT, c REAL, d NUMERIC, e BLOB) and quote()/typeof() of what is read). */
START_TEST(test_apply_affinity)
{
    static const struct {
        const char *in;
        int aff;
        const char *want;
    } cases[] = {
        {"'3.0'", HDB_AFF_INTEGER, "integer 3"},
        {"3.0", HDB_AFF_INTEGER, "integer 3"},
        {"' 12 '", HDB_AFF_INTEGER, "integer 12"},
        {"'0x10'", HDB_AFF_INTEGER, "text 0x10"},
        {"'3.0'", HDB_AFF_TEXT, "text 3.0"},
        {"3.5", HDB_AFF_TEXT, "text 3.5"},
        {"1e20", HDB_AFF_TEXT, "text 1.0e+20"},
        {"12", HDB_AFF_TEXT, "text 12"},
        {"'3'", HDB_AFF_REAL, "real 3.0"},
        {"'x'", HDB_AFF_REAL, "text x"},
        {"' 1.5 '", HDB_AFF_REAL, "real 1.5"},
        {"3", HDB_AFF_REAL, "real 3.0"},
        {"'1e3'", HDB_AFF_NUMERIC, "integer 1000"},
        {"'3.5'", HDB_AFF_NUMERIC, "real 3.5"},
        {"'9223372036854775808'", HDB_AFF_NUMERIC, "real 9.22337203685478e+18"},
        {"'-9223372036854775808.0'", HDB_AFF_NUMERIC, "real -9.22337203685478e+18"},
        {"'12'", HDB_AFF_BLOB, "text 12"},
        {"1.5", HDB_AFF_BLOB, "real 1.5"},
        {"x'01'", HDB_AFF_NUMERIC, "blob 01"},
        {"NULL", HDB_AFF_TEXT, "null "},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        hdb_sql_value v;
        char got[128];
        lit(&v, cases[k].in);
        ck_assert_int_eq(hdb__sql_apply_affinity(&v, cases[k].aff), HDB_OK);
        show(&v, got, sizeof got);
        ck_assert_msg(strcmp(got, cases[k].want) == 0, "%s aff %c: got [%s]", cases[k].in, cases[k].aff, got);
        hdb__sql_value_clear(&v);
    }
}
END_TEST

START_TEST(test_compare_affinity)
{
    hdb_sql_value a, b;
    /* INTEGER column holding 3 = ' 3': the text becomes a number. */
    lit(&a, "3");
    lit(&b, "' 3'");
    hdb__sql_compare_affinity(&a, HDB_AFF_INTEGER, &b, HDB_AFF_BLOB);
    ck_assert_int_eq(hdb__sql_value_eq3(&a, &b, HDB_COLL_BINARY), 1);
    hdb__sql_value_clear(&b);
    /* TEXT column '3.0' = 3.0: the number becomes text "3.0". */
    lit(&a, "'3.0'");
    lit(&b, "3.0");
    hdb__sql_compare_affinity(&a, HDB_AFF_TEXT, &b, HDB_AFF_BLOB);
    ck_assert_int_eq(hdb__sql_value_eq3(&a, &b, HDB_COLL_BINARY), 1);
    hdb__sql_value_clear(&a);
    hdb__sql_value_clear(&b);
    /* No affinity on either side: no conversion, '12' != 12. */
    lit(&a, "'12'");
    lit(&b, "12");
    hdb__sql_compare_affinity(&a, HDB_AFF_BLOB, &b, HDB_AFF_BLOB);
    ck_assert_int_eq(hdb__sql_value_eq3(&a, &b, HDB_COLL_BINARY), 0);
    hdb__sql_value_clear(&a);
    /* NUMERIC column holding text 'abc' stays text. */
    lit(&a, "'abc'");
    hdb__sql_compare_affinity(&a, HDB_AFF_NUMERIC, &b, HDB_AFF_BLOB);
    ck_assert_int_eq(a.type, HDB_TEXT);
    hdb__sql_value_clear(&a);
    lit(&a, "NULL");
    ck_assert_int_eq(hdb__sql_value_eq3(&a, &b, HDB_COLL_BINARY), -1);
}
END_TEST

/* Literals in strictly increasing order by hdb__sql_value_cmp. */
static const char *const sorted[] = {
    "NULL", "-1e400", "-1e300", "-9223372036854775808", "-9223372036854775807",
    "-4611686018427387904.5e0", "-3", "-2.5", "0", "0.5", "1", "1.0000000000000002", "2",
    "9007199254740992", "9007199254740993", "9223372036854775807", "9223372036854775808.0", "1e300",
    "1e400", "''", "'A'", "'B'", "'a'", "'a '", "'ab'", "'b'", "x''", "x'00'", "x'0000'", "x'01'",
};

START_TEST(test_compare)
{
    size_t n = sizeof sorted / sizeof sorted[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            hdb_sql_value a, b;
            lit(&a, sorted[i]);
            lit(&b, sorted[j]);
            int c = hdb__sql_value_cmp(&a, &b, HDB_COLL_BINARY);
            int want = i < j ? -1 : i > j;
            ck_assert_msg((c > 0) - (c < 0) == want, "%s vs %s: %d", sorted[i], sorted[j], c);
            hdb__sql_value_clear(&a);
            hdb__sql_value_clear(&b);
        }
    hdb_sql_value a, b;
    lit(&a, "3");
    lit(&b, "3.0");
    ck_assert_int_eq(hdb__sql_value_cmp(&a, &b, HDB_COLL_BINARY), 0);
    ck_assert_int_eq(hdb__sql_value_eq3(&a, &b, HDB_COLL_BINARY), 1);
    lit(&a, "9223372036854775807");
    lit(&b, "9223372036854775807.0"); /* 2^63 as a double */
    ck_assert_int_lt(hdb__sql_value_cmp(&a, &b, HDB_COLL_BINARY), 0);
    lit(&a, "'abc'");
    lit(&b, "'ABC'");
    ck_assert_int_gt(hdb__sql_value_cmp(&a, &b, HDB_COLL_BINARY), 0);
    ck_assert_int_eq(hdb__sql_value_cmp(&a, &b, HDB_COLL_NOCASE), 0);
    hdb__sql_value_clear(&b);
    lit(&b, "'abc   '");
    ck_assert_int_lt(hdb__sql_value_cmp(&a, &b, HDB_COLL_BINARY), 0);
    ck_assert_int_eq(hdb__sql_value_cmp(&a, &b, HDB_COLL_RTRIM), 0);
    hdb__sql_value_clear(&a);
    hdb__sql_value_clear(&b);
    ck_assert_int_eq(hdb__sql_collation("nocase"), HDB_COLL_NOCASE);
    ck_assert_int_eq(hdb__sql_collation("Binary"), HDB_COLL_BINARY);
    ck_assert_int_eq(hdb__sql_collation("RTRIM"), HDB_COLL_RTRIM);
    ck_assert_int_eq(hdb__sql_collation("rtrimx"), -1);
    ck_assert_int_eq(hdb__sql_collation(""), -1);
}
END_TEST

START_TEST(test_ownership)
{
    char buf[] = "hello";
    hdb_sql_value a = HDB_SQL_NULL_INIT, b = HDB_SQL_NULL_INIT;
    hdb__sql_value_text_ref(&a, buf, 5);
    ck_assert_int_eq(a.owned, 0);
    ck_assert_int_eq(hdb__sql_value_copy(&b, &a), HDB_OK);
    ck_assert(b.owned && b.u.s.p != buf && b.u.s.p[5] == 0);
    ck_assert_int_eq(hdb__sql_value_own(&a), HDB_OK);
    ck_assert(a.owned && a.u.s.p != buf && strcmp(a.u.s.p, "hello") == 0);
    ck_assert_int_eq(hdb__sql_value_own(&a), HDB_OK);
    ck_assert_int_eq(hdb__sql_value_copy(&a, &a), HDB_OK);
    hdb__sql_value_int(&a, 7); /* frees the text */
    ck_assert_int_eq(a.type, HDB_INTEGER);
    ck_assert_int_eq(hdb__sql_value_blob(&b, NULL, 0), HDB_OK);
    ck_assert(b.type == HDB_BLOB && b.u.s.n == 0 && b.u.s.p);
    hdb__sql_value_null(&b);
    ck_assert_int_eq(b.type, HDB_NULL);
    hdb__sql_value_clear(&b);
}
END_TEST

/* a || b longer than HDB_SQL_MAX_LENGTH is refused before it is built
 * (the lengths alone decide: the bytes are not read). */
START_TEST(test_concat_too_big)
{
    static const char small[4] = "abc";
    hdb_sql_value a = HDB_SQL_NULL_INIT, b = HDB_SQL_NULL_INIT, out = HDB_SQL_NULL_INIT;
    a.type = b.type = HDB_TEXT;
    a.u.s.p = b.u.s.p = (char *)small;
    a.u.s.n = b.u.s.n = HDB_SQL_MAX_LENGTH / 2 + 1;
    ck_assert_int_eq(hdb__sql_arith(HDB_SQL_OP_CONCAT, &a, &b, &out), HDB_RANGE);
    ck_assert_int_eq(out.type, HDB_NULL);
    a.u.s.n = b.u.s.n = 3;
    ck_assert_int_eq(hdb__sql_arith(HDB_SQL_OP_CONCAT, &a, &b, &out), HDB_OK);
    ck_assert_int_eq((int)out.u.s.n, 6);
    hdb__sql_value_clear(&out);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_value");
    TCase *c = tcase_create("core");
    tcase_add_test(c, test_arith);
    tcase_add_test(c, test_unary);
    tcase_add_test(c, test_cast);
    tcase_add_test(c, test_real_text);
    tcase_add_test(c, test_text_to_number);
    tcase_add_test(c, test_conversions);
    tcase_add_test(c, test_affinity);
    tcase_add_test(c, test_apply_affinity);
    tcase_add_test(c, test_compare_affinity);
    tcase_add_test(c, test_compare);
    tcase_add_test(c, test_ownership);
    tcase_add_test(c, test_concat_too_big);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
