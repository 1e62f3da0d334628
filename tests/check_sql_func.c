/*
** check_sql_func.c — the built-in SQL functions (src/sql/func.h).
**
** The expected results in the tables are what the sqlite3 shell prints for
** the same call (typeof(f(..)) and CAST(f(..) AS TEXT), or hex() for
** blobs; "ERROR msg" for an error).  Arguments are SQL literals: 12, 0x1F,
** 1.5, 'text' (with '' for a quote), x'hex', NULL.
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "src/sql/func.h"
#include "src/sql/func_int.h"
#include "support/test_util.h"

/* A value from an SQL literal (owned). */
static void lit(hdb_sql_value *v, const char *s)
{
    size_t n = strlen(s);
    *v = (hdb_sql_value)HDB_SQL_NULL_INIT;
    if (strcmp(s, "NULL") == 0)
        return;
    if (s[0] == '\'') {
        char *t = malloc(n + 1);
        size_t k = 0;
        for (size_t i = 1; i + 1 < n; i++) {
            t[k++] = s[i];
            if (s[i] == '\'')
                i++;
        }
        ck_assert_int_eq(hdb__sql_value_text(v, t, k), HDB_OK);
        free(t);
    } else if (s[0] == 'x') {
        char bytes[64];
        size_t k = 0;
        for (const char *p = s + 2; *p != '\''; p += 2) {
            unsigned x;
            sscanf(p, "%2x", &x);
            bytes[k++] = (char)x;
        }
        ck_assert_int_eq(hdb__sql_value_blob(v, bytes, k), HDB_OK);
    } else if (strncmp(s, "0x", 2) == 0) {
        hdb__sql_value_int(v, strtoll(s + 2, NULL, 16));
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

struct fcase {
    const char *name;
    int argc;
    const char *argv[16];
    const char *want;
};

static hdb_sql_fctx new_ctx(void)
{
    hdb_sql_fctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.now_us = INT64_C(1700000000123456); /* 2023-11-14 22:13:20.123456 UTC */
    ctx.rand_state = 1;
    return ctx;
}

/* Call name(args) and describe the result as the tables do. */
static void call(const char *name, int argc, const char *const *args, char *got, size_t cap)
{
    hdb_sql_fctx ctx = new_ctx();
    hdb_sql_value argv[16], out = HDB_SQL_NULL_INIT;
    int exists = 0;
    const hdb_sql_funcdef *f = hdb__sql_func_find(name, argc, &exists);
    ck_assert_msg(f && exists && f->scalar, "%s/%d not found", name, argc);
    for (int k = 0; k < argc; k++)
        lit(&argv[k], args[k]);
    int rc = f->scalar(&ctx, argc, argv, &out);
    if (rc == HDB_ERROR)
        snprintf(got, cap, "ERROR %s", ctx.err);
    else if (rc != HDB_OK)
        snprintf(got, cap, "rc %d", rc);
    else
        show(&out, got, cap);
    for (int k = 0; k < argc; k++)
        hdb__sql_value_clear(&argv[k]);
    hdb__sql_value_clear(&out);
}

static void run_cases(const struct fcase *cases, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        char got[512];
        call(cases[k].name, cases[k].argc, cases[k].argv, got, sizeof got);
        ck_assert_msg(strcmp(got, cases[k].want) == 0, "%s(%s%s%s): got [%s] want [%s]", cases[k].name,
                      cases[k].argc > 0 ? cases[k].argv[0] : "", cases[k].argc > 1 ? ", " : "",
                      cases[k].argc > 1 ? cases[k].argv[1] : "", got, cases[k].want);
    }
}

static const struct fcase scalar_cases[] = {
    {"abs", 1, {"-5"}, "integer 5"},
    {"abs", 1, {"'-5'"}, "real 5.0"},
    {"abs", 1, {"NULL"}, "null "},
    {"abs", 1, {"-2.5"}, "real 2.5"},
    {"abs", 1, {"-9223372036854775808"}, "ERROR integer overflow"},
    {"coalesce", 4, {"NULL", "NULL", "3", "4"}, "integer 3"},
    {"coalesce", 2, {"NULL", "NULL"}, "null "},
    {"ifnull", 2, {"NULL", "'x'"}, "text x"},
    {"ifnull", 2, {"1", "2"}, "integer 1"},
    {"iif", 3, {"1", "'a'", "'b'"}, "text a"},
    {"iif", 3, {"0", "'a'", "'b'"}, "text b"},
    {"iif", 3, {"NULL", "'a'", "'b'"}, "text b"},
    {"iif", 3, {"'0.5'", "'a'", "'b'"}, "text a"},
    {"nullif", 2, {"1", "1"}, "null "},
    {"nullif", 2, {"1", "'1'"}, "integer 1"},
    {"nullif", 2, {"1", "1.0"}, "null "},
    {"nullif", 2, {"NULL", "1"}, "null "},
    {"typeof", 1, {"1"}, "text integer"},
    {"typeof", 1, {"1.5"}, "text real"},
    {"typeof", 1, {"'a'"}, "text text"},
    {"typeof", 1, {"x'00'"}, "text blob"},
    {"typeof", 1, {"NULL"}, "text null"},
    {"typeof", 1, {"1e400"}, "text real"},
    {"min", 3, {"3", "1", "2"}, "integer 1"},
    {"min", 3, {"3", "NULL", "2"}, "null "},
    {"max", 4, {"1", "'a'", "x'00'", "2.5"}, "blob 00"},
    {"max", 2, {"2", "2.5"}, "real 2.5"},
    {"min", 2, {"'b'", "'a'"}, "text a"},
    {"sign", 1, {"-3"}, "integer -1"},
    {"sign", 1, {"'5'"}, "integer 1"},
    {"sign", 1, {"'abc'"}, "null "},
    {"sign", 1, {"0.0"}, "integer 0"},
    {"sign", 1, {"NULL"}, "null "},
    {"sign", 1, {"2.5"}, "integer 1"},
    {"round", 1, {"2.5"}, "real 3.0"},
    {"round", 1, {"-2.5"}, "real -3.0"},
    {"round", 2, {"1.005", "2"}, "real 1.01"},
    {"round", 2, {"2.675", "2"}, "real 2.68"},
    {"round", 2, {"1.15", "1"}, "real 1.2"},
    {"round", 2, {"123.456", "-1"}, "real 123.0"},
    {"round", 1, {"'abc'"}, "real 0.0"},
    {"round", 1, {"1e20"}, "real 1.0e+20"},
    {"round", 2, {"1234567.891", "2"}, "real 1234567.89"},
    {"round", 1, {"3"}, "real 3.0"},
    {"round", 1, {"NULL"}, "null "},
    {"round", 2, {"1.5", "NULL"}, "null "},
    {"round", 1, {"-0.4"}, "real 0.0"},
    {"round", 1, {"0.49999999999999994"}, "real 1.0"},
    {"round", 2, {"1e300", "2"}, "real 1.0e+300"},
    {"round", 2, {"12345.6789", "30"}, "real 12345.6789"},
    {"zeroblob", 1, {"3"}, "blob 000000"},
    {"zeroblob", 1, {"-1"}, "blob "},
    {"likely", 1, {"5"}, "integer 5"},
    {"unlikely", 1, {"'a'"}, "text a"},
    {"likelihood", 2, {"'x'", "0.5"}, "text x"},
    {"length", 1, {"'héllo'"}, "integer 5"},
    {"length", 1, {"x'0001'"}, "integer 2"},
    {"length", 1, {"12.50"}, "integer 4"},
    {"length", 1, {"NULL"}, "null "},
    {"length", 1, {"''"}, "integer 0"},
    {"length", 1, {"123"}, "integer 3"},
    {"lower", 1, {"'AbC'"}, "text abc"},
    {"upper", 1, {"'aBcé'"}, "text ABCé"},
    {"upper", 1, {"12"}, "text 12"},
    {"lower", 1, {"NULL"}, "null "},
    {"substr", 2, {"'hello'", "0"}, "text hello"},
    {"substr", 3, {"'hello'", "0", "2"}, "text h"},
    {"substr", 2, {"'hello'", "-2"}, "text lo"},
    {"substr", 3, {"'hello'", "2", "-1"}, "text h"},
    {"substr", 3, {"'hello'", "-10", "3"}, "text "},
    {"substr", 3, {"x'010203'", "2", "1"}, "blob 02"},
    {"substr", 3, {"'héllo'", "2", "2"}, "text él"},
    {"substr", 2, {"'hello'", "2"}, "text ello"},
    {"substr", 2, {"'hello'", "10"}, "text "},
    {"substr", 3, {"'hello'", "3", "-5"}, "text he"},
    {"substr", 3, {"'hello'", "-3", "-2"}, "text he"},
    {"substr", 2, {"NULL", "1"}, "null "},
    {"substr", 2, {"'abc'", "NULL"}, "null "},
    {"substring", 3, {"'hello'", "2", "3"}, "text ell"},
    {"substr", 3, {"12345", "2", "2"}, "text 23"},
    {"substr", 2, {"x'0102'", "-1"}, "blob 02"},
    {"substr", 3, {"'hello'", "1", "0"}, "text "},
    {"substr", 3, {"'hello'", "0", "0"}, "text "},
    {"substr", 3, {"'hello'", "0", "-1"}, "text "},
    {"trim", 1, {"'  ab  '"}, "text ab"},
    {"trim", 2, {"'xxabyy'", "'xy'"}, "text ab"},
    {"ltrim", 1, {"'  a '"}, "text a "},
    {"rtrim", 1, {"' a  '"}, "text  a"},
    {"trim", 2, {"'éaé'", "'é'"}, "text a"},
    {"trim", 1, {"NULL"}, "null "},
    {"trim", 2, {"'ab'", "NULL"}, "null "},
    {"trim", 2, {"'aaa'", "'a'"}, "text "},
    {"rtrim", 2, {"'abc'", "''"}, "text abc"},
    {"replace", 3, {"'abcabc'", "'b'", "'XY'"}, "text aXYcaXYc"},
    {"replace", 3, {"'abc'", "''", "'x'"}, "text abc"},
    {"replace", 3, {"NULL", "'a'", "'b'"}, "null "},
    {"replace", 3, {"'abc'", "'b'", "NULL"}, "null "},
    {"replace", 3, {"'aaa'", "'aa'", "'b'"}, "text ba"},
    {"replace", 3, {"123", "2", "9"}, "text 193"},
    {"instr", 2, {"'héllo'", "'l'"}, "integer 3"},
    {"instr", 2, {"x'0102'", "x'02'"}, "integer 2"},
    {"instr", 2, {"'abc'", "''"}, "integer 1"},
    {"instr", 2, {"'abc'", "'x'"}, "integer 0"},
    {"instr", 2, {"NULL", "'a'"}, "null "},
    {"instr", 2, {"'abc'", "NULL"}, "null "},
    {"instr", 2, {"12345", "34"}, "integer 3"},
    {"instr", 2, {"''", "''"}, "integer 1"},
    {"hex", 1, {"12"}, "text 3132"},
    {"hex", 1, {"1.5"}, "text 312E35"},
    {"hex", 1, {"NULL"}, "text "},
    {"hex", 1, {"'é'"}, "text C3A9"},
    {"hex", 1, {"x'00ff'"}, "text 00FF"},
    {"quote", 1, {"1.5"}, "text 1.5"},
    {"quote", 1, {"0.1"}, "text 0.1"},
    {"quote", 1, {"'it''s'"}, "text 'it''s'"},
    {"quote", 1, {"x'ab'"}, "text X'AB'"},
    {"quote", 1, {"NULL"}, "text NULL"},
    {"quote", 1, {"1e300"}, "text 1.0e+300"},
    {"quote", 1, {"-7"}, "text -7"},
    {"quote", 1, {"9223372036854775807.0"}, "text 9.2233720368547758078e+18"},
    {"char", 2, {"72", "105"}, "text Hi"},
    {"char", 2, {"233", "0x1F600"}, "text é😀"},
    {"char", 0, {}, "text "},
    {"char", 1, {"-1"}, "text �"},
    {"unicode", 1, {"'é'"}, "integer 233"},
    {"unicode", 1, {"''"}, "null "},
    {"unicode", 1, {"NULL"}, "null "},
    {"unicode", 1, {"'A'"}, "integer 65"},
    {"like", 2, {"'a%'", "'ABC'"}, "integer 1"},
    {"like", 2, {"'a_c'", "'abc'"}, "integer 1"},
    {"like", 3, {"'a\\%'", "'a%'", "'\\'"}, "integer 1"},
    {"like", 2, {"'%'", "''"}, "integer 1"},
    {"like", 2, {"'_'", "'é'"}, "integer 1"},
    {"like", 2, {"'%b%'", "'abc'"}, "integer 1"},
    {"like", 2, {"'a%c%e'", "'abcxe'"}, "integer 1"},
    {"like", 2, {"'abc'", "NULL"}, "null "},
    {"like", 3, {"'a'", "'a'", "'xy'"}, "ERROR ESCAPE expression must be a single character"},
    {"like", 2, {"'%%%x'", "'aaaaaaaaaax'"}, "integer 1"},
    {"like", 2, {"'é'", "'É'"}, "integer 0"},
    {"glob", 2, {"'a*'", "'abc'"}, "integer 1"},
    {"glob", 2, {"'A*'", "'abc'"}, "integer 0"},
    {"glob", 2, {"'a?c'", "'abc'"}, "integer 1"},
    {"glob", 2, {"'[a-c]x'", "'bx'"}, "integer 1"},
    {"glob", 2, {"'[^a-c]x'", "'bx'"}, "integer 0"},
    {"glob", 2, {"'[]]'", "']'"}, "integer 1"},
    {"glob", 2, {"'[abc'", "'a'"}, "integer 0"},
    {"glob", 2, {"'*.txt'", "'file.txt'"}, "integer 1"},
    {"glob", 2, {"'[a-]'", "'-'"}, "integer 1"},
    {"printf", 16, {"'%d|%5.2f|%-5s|%05d|%x|%q|%Q|%w|%c|%,d|%e|%g|%.3s|%!.3g|%s'", "42", "3.14159", "'ab'", "42", "255", "'it''s'", "NULL", "'a\"b'", "'xyz'", "1234567", "1234.5", "0.0001", "'abcdef'", "1.0", "1.5"}, "text 42| 3.14|ab   |00042|ff|it''s|NULL|a\"\"b|x|1,234,567|1.234500e+03|0.0001|abc|1.0|1.5"},
    {"printf", 11, {"'%5.1e %G %#x %+d % d %lld %.0f %i %u %o %%'", "12345.678", "1e-10", "255", "5", "5", "123", "2.5", "7", "-1", "8"}, "text 1.2e+04 1E-10 0xff +5  5 123 3 7 18446744073709551615 10 %"},
    {"printf", 2, {"'%s %d'", "'x'"}, "text x 0"},
    {"printf", 2, {"'%.2f'", "'3.14159'"}, "text 3.14"},
    {"printf", 2, {"'%d'", "3.9"}, "text 3"},
    {"printf", 2, {"'%s'", "1.0"}, "text 1.0"},
    {"format", 2, {"'%5s|'", "'abcdefg'"}, "text abcdefg|"},
    {"printf", 5, {"'%*d|%-*d|'", "4", "7", "3", "8"}, "text    7|8  |"},
    {"printf", 11, {"'%08.2f|%-8d|%+.3e|%!.2f|%!e|%#g|%#.0f|%.10s|%5c|%.3c|'", "-3.14159", "42", "12345.6789", "2.50", "100.0", "1.5", "3.0", "'héllo wörld'", "'x'", "'ab'"}, "text -0003.14|42      |+1.235e+04|2.5|1.0e+02|1.50000|3.|héllo wö|    x|aaa|"},
    {"printf", 1, {"'%y abc'"}, "null "},
    {"printf", 3, {"'%,d|%,d'", "-1234567", "12"}, "text -1,234,567|12"},
    {"printf", 6, {"'%010.3d|%.5d|%x|%#o|%5.1s|'", "42", "-42", "-1", "8", "'abc'"}, "text 0000000042|-00042|ffffffffffffffff|010|    a|"},
    {"printf", 2, {"'%!.10s|'", "'héllo wörld'"}, "text héllo wörl|"},
    {"printf", 4, {"'%s|%d|%f'", "NULL", "NULL", "NULL"}, "text |0|0.000000"},
    {"printf", 1, {"NULL"}, "null "},
    {"printf", 4, {"'%f|%e|%g'", "1e400", "-1e400", "1e400"}, "text Inf|-Inf|Inf"},
    {"printf", 5, {"'%.1f|%.2f|%.3f|%f'", "0.05", "0.125", "2.0005", "1e20"}, "text 0.1|0.13|2.001|100000000000000000000.000000"},
    {"printf", 3, {"'%10.4f|%-10.2e|'", "3.14159265", "0.000123"}, "text     3.1416|1.23e-04  |"},
    {"printf", 2, {"'%5%|%c'", "''"}, "text     %|"},
    {"printf", 2, {"'%.20f'", "0.1"}, "text 0.10000000000000000000"},
    {"printf", 4, {"'%g|%g|%g'", "100000", "1000000", "1e-5"}, "text 100000|1e+06|1e-05"},
};

struct acase {
    const char *name;
    int argc, nrows;
    const char *rows[8]; /* each row: its arguments, comma-separated literals */
    const char *want;
};

/* Split "lit, lit" (quotes respected) into argv; returns the count. */
static int split_row(const char *row, hdb_sql_value *argv)
{
    char part[128];
    int n = 0;
    const char *p = row;
    while (*p) {
        size_t k = 0;
        int inq = 0;
        while (*p && (inq || *p != ',')) {
            if (*p == '\'')
                inq = !inq;
            part[k++] = *p++;
        }
        part[k] = 0;
        lit(&argv[n++], part);
        while (*p == ',' || *p == ' ')
            p++;
    }
    return n;
}

static const struct acase agg_cases[] = {
    {"count", 0, 3, {"1", "NULL", "3"}, "integer 3"},
    {"count", 1, 3, {"1", "NULL", "3"}, "integer 2"},
    {"count", 1, 0, {}, "integer 0"},
    {"count", 0, 0, {}, "integer 0"},
    {"sum", 1, 3, {"1", "2", "3"}, "integer 6"},
    {"sum", 1, 3, {"1", "2.5", "NULL"}, "real 3.5"},
    {"sum", 1, 0, {}, "null "},
    {"sum", 1, 2, {"NULL", "NULL"}, "null "},
    {"sum", 1, 2, {"'3'", "'4'"}, "integer 7"},
    {"sum", 1, 2, {"'x'", "1"}, "real 1.0"},
    {"sum", 1, 2, {"9223372036854775807", "1"}, "ERROR integer overflow"},
    {"sum", 1, 3, {"1.5", "9223372036854775807", "1"}, "real 9.22337203685478e+18"},
    {"sum", 1, 2, {"-9223372036854775808", "-1"}, "ERROR integer overflow"},
    {"sum", 1, 2, {"'1.5'", "2"}, "real 3.5"},
    {"total", 1, 2, {"1", "2"}, "real 3.0"},
    {"total", 1, 0, {}, "real 0.0"},
    {"total", 1, 1, {"NULL"}, "real 0.0"},
    {"total", 1, 2, {"'a'", "2.5"}, "real 2.5"},
    {"avg", 1, 2, {"1", "2"}, "real 1.5"},
    {"avg", 1, 3, {"1", "2", "4"}, "real 2.33333333333333"},
    {"avg", 1, 0, {}, "null "},
    {"avg", 1, 2, {"NULL", "3"}, "real 3.0"},
    {"avg", 1, 2, {"'2'", "'x'"}, "real 1.0"},
    {"min", 1, 4, {"3", "NULL", "1", "2"}, "integer 1"},
    {"min", 1, 1, {"NULL"}, "null "},
    {"min", 1, 3, {"'b'", "'a'", "2"}, "integer 2"},
    {"max", 1, 4, {"3", "'a'", "x'00'", "NULL"}, "blob 00"},
    {"max", 1, 3, {"1", "1.5", "1"}, "real 1.5"},
    {"max", 1, 2, {"2", "2.0"}, "integer 2"},
    {"min", 1, 2, {"2.0", "2"}, "real 2.0"},
    {"max", 1, 0, {}, "null "},
    {"group_concat", 1, 4, {"'a'", "NULL", "'b'", "3"}, "text a,b,3"},
    {"group_concat", 2, 3, {"'a', '-'", "'b', '+'", "'c', NULL"}, "text a+bc"},
    {"group_concat", 1, 1, {"NULL"}, "null "},
    {"group_concat", 1, 0, {}, "null "},
    {"group_concat", 1, 2, {"''", "''"}, "text ,"},
    {"group_concat", 2, 3, {"1, 'x'", "NULL, 'y'", "2, 'z'"}, "text 1z2"},
    {"group_concat", 1, 2, {"1.5", "x'41'"}, "text 1.5,A"},
    {"string_agg", 2, 2, {"'a', ';'", "'b', ';'"}, "text a;b"},
};

START_TEST(test_aggregates)
{
    for (size_t k = 0; k < sizeof agg_cases / sizeof agg_cases[0]; k++) {
        const struct acase *c = &agg_cases[k];
        hdb_sql_fctx ctx = new_ctx();
        const hdb_sql_funcdef *f = hdb__sql_func_find(c->name, c->argc, NULL);
        ck_assert_msg(f && f->agg, "%s", c->name);
        void *state = calloc(1, f->agg->state_size);
        int rc = HDB_OK;
        for (int r = 0; r < c->nrows && rc == HDB_OK; r++) {
            hdb_sql_value argv[2];
            int n = split_row(c->rows[r], argv);
            ck_assert_int_eq(n, c->argc ? c->argc : 1);
            rc = f->agg->step(&ctx, state, c->argc, argv);
            for (int i = 0; i < n; i++)
                hdb__sql_value_clear(&argv[i]);
        }
        ck_assert_int_eq(rc, HDB_OK);
        hdb_sql_value out = HDB_SQL_NULL_INIT;
        char got[256];
        rc = f->agg->final(&ctx, state, &out);
        if (rc == HDB_ERROR)
            snprintf(got, sizeof got, "ERROR %s", ctx.err);
        else
            show(&out, got, sizeof got);
        ck_assert_msg(strcmp(got, c->want) == 0, "case %zu %s: got [%s] want [%s]", k, c->name, got, c->want);
        hdb__sql_value_clear(&out);
        free(state);
    }
}
END_TEST

static const struct fcase json_cases[] = {
    {"json", 1, {"' { \"a\" : [1, 2.5, \"x\\\"y\", true, null] } '"}, "text {\"a\":[1,2.5,\"x\\\"y\",true,null]}"},
    {"json", 1, {"'{\"a\":1'"}, "ERROR malformed JSON"},
    {"json", 1, {"NULL"}, "null "},
    {"json", 1, {"x'00'"}, "ERROR malformed JSON"},
    {"json", 1, {"5"}, "text 5"},
    {"json", 1, {"'\"a b\"'"}, "text \"a b\""},
    {"json_valid", 1, {"'{\"a\":1,}'"}, "integer 0"},
    {"json_valid", 1, {"'01'"}, "integer 0"},
    {"json_valid", 1, {"'-0'"}, "integer 1"},
    {"json_valid", 1, {"' 1 '"}, "integer 1"},
    {"json_valid", 1, {"''"}, "integer 0"},
    {"json_valid", 1, {"NULL"}, "integer 0"},
    {"json_valid", 1, {"'[1,[2,{\"a\":[]}]]'"}, "integer 1"},
    {"json_valid", 1, {"'\"\\u12\"'"}, "integer 0"},
    {"json_valid", 1, {"'\"\\x\"'"}, "integer 0"},
    {"json_valid", 1, {"'[1 2]'"}, "integer 0"},
    {"json_valid", 1, {"'{\"a\" 1}'"}, "integer 0"},
    {"json_valid", 1, {"'tru'"}, "integer 0"},
    {"json_valid", 1, {"'1.'"}, "integer 0"},
    {"json_valid", 1, {"'.5'"}, "integer 0"},
    {"json_valid", 1, {"'1e5'"}, "integer 1"},
    {"json_valid", 1, {"'-'"}, "integer 0"},
    {"json_valid", 1, {"'{}'"}, "integer 1"},
    {"json_valid", 1, {"'[]'"}, "integer 1"},
    {"json_valid", 1, {"'[1,]'"}, "integer 0"},
    {"json_extract", 2, {"'{\"a\":{\"b\":[1,2,{\"c\":\"d\"}]}}'", "'$.a.b[2].c'"}, "text d"},
    {"json_extract", 2, {"'{\"a\":[1,2,3]}'", "'$.a[#-1]'"}, "integer 3"},
    {"json_extract", 2, {"'{\"a\":[1,2,3]}'", "'$.a'"}, "text [1,2,3]"},
    {"json_extract", 4, {"'{\"a\":1,\"b\":\"x\"}'", "'$.a'", "'$.b'", "'$.c'"}, "text [1,\"x\",null]"},
    {"json_extract", 2, {"'{\"a\":1}'", "'$.z'"}, "null "},
    {"json_extract", 2, {"'[1.50]'", "'$[0]'"}, "real 1.5"},
    {"json_extract", 2, {"'{\"a b\":1}'", "'$.\"a b\"'"}, "integer 1"},
    {"json_extract", 2, {"'{\"a\":1}'", "'x'"}, "ERROR JSON path error near 'x'"},
    {"json_extract", 2, {"'[1,2]'", "'$['"}, "ERROR JSON path error near '['"},
    {"json_extract", 2, {"'\"\\u00e9\\n\"'", "'$'"}, "text é\n"},
    {"json_extract", 2, {"'{\"a\":99999999999999999999}'", "'$.a'"}, "real 1.0e+20"},
    {"json_extract", 2, {"'[true,false,null]'", "'$[0]'"}, "integer 1"},
    {"json_extract", 2, {"'[true,false,null]'", "'$[2]'"}, "null "},
    {"json_extract", 2, {"'[1,2,3]'", "'$[#-3]'"}, "integer 1"},
    {"json_extract", 2, {"'[1,2,3]'", "'$[#-4]'"}, "null "},
    {"json_extract", 2, {"'[1,2,3]'", "'$[3]'"}, "null "},
    {"json_extract", 2, {"'[1,2,3]'", "'$[#]'"}, "null "},
    {"json_extract", 2, {"'{\"a\":[1, {\"b\" : 2} ]}'", "'$.a'"}, "text [1,{\"b\":2}]"},
    {"json_extract", 2, {"'\"\\ud83d\\ude00\"'", "'$'"}, "text 😀"},
    {"json_extract", 2, {"'{\"a\":1}'", "NULL"}, "null "},
    {"json_extract", 2, {"NULL", "'$'"}, "null "},
    {"json_extract", 2, {"'{\"a\":1}'", "'$.'"}, "ERROR JSON path error near ''"},
    {"json_extract", 2, {"'{\"a\":1}'", "'$a'"}, "ERROR JSON path error near 'a'"},
    {"json_type", 1, {"'{\"a\":[1,2.0,\"s\",true,false,null,{}]}'"}, "text object"},
    {"json_type", 2, {"'{\"a\":[1,2.0,\"s\",true,false,null,{}]}'", "'$.a[1]'"}, "text real"},
    {"json_type", 2, {"'[1]'", "'$[5]'"}, "null "},
    {"json_type", 1, {"'99999999999999999999'"}, "text integer"},
    {"json_type", 2, {"'[1,2.0,\"s\",true,false,null,{}]'", "'$[3]'"}, "text true"},
    {"json_type", 2, {"'[1,2.0,\"s\",true,false,null,{}]'", "'$[5]'"}, "text null"},
    {"json_type", 2, {"'[1,2.0,\"s\",true,false,null,{}]'", "'$[0]'"}, "text integer"},
    {"json_array", 5, {"1", "2.5", "'a\"b'", "NULL", "1e20"}, "text [1,2.5,\"a\\\"b\",null,1.0e+20]"},
    {"json_array", 0, {}, "text []"},
    {"json_array", 1, {"x'00'"}, "ERROR JSON cannot hold BLOB values"},
    {"json_object", 6, {"'a'", "1", "'b'", "'x'", "'c'", "NULL"}, "text {\"a\":1,\"b\":\"x\",\"c\":null}"},
    {"json_object", 0, {}, "text {}"},
    {"json_object", 1, {"'a'"}, "ERROR json_object() requires an even number of arguments"},
    {"json_object", 2, {"1", "2"}, "ERROR json_object() labels must be TEXT"},
    {"json_array_length", 1, {"'[1,2,3]'"}, "integer 3"},
    {"json_array_length", 1, {"'{\"a\":1}'"}, "integer 0"},
    {"json_array_length", 2, {"'[1,[2,3]]'", "'$[1]'"}, "integer 2"},
    {"json_array_length", 1, {"'[]'"}, "integer 0"},
    {"json_array_length", 2, {"'[1]'", "'$[3]'"}, "null "},
    {"json_array_length", 1, {"NULL"}, "null "},
    {"json_quote", 1, {"'a\"b\\'"}, "text \"a\\\"b\\\\\""},
    {"json_quote", 1, {"1.5"}, "text 1.5"},
    {"json_quote", 1, {"NULL"}, "text null"},
    {"json_quote", 1, {"3"}, "text 3"},
};

START_TEST(test_json)
{
    run_cases(json_cases, sizeof json_cases / sizeof json_cases[0]);
    /* Control characters are escaped; raw ones are malformed. */
    hdb_sql_fctx ctx = new_ctx();
    hdb_sql_value a = HDB_SQL_NULL_INIT, out = HDB_SQL_NULL_INIT;
    hdb__sql_value_text(&a, "t\tn\n\x01", 5);
    const hdb_sql_funcdef *f = hdb__sql_func_find("json_array", 1, NULL);
    ck_assert_int_eq(f->scalar(&ctx, 1, &a, &out), HDB_OK);
    ck_assert_str_eq(out.u.s.p, "[\"t\\tn\\n\\u0001\"]");
    ck_assert_int_eq(hdb__sql_json_valid("\"a\nb\"", 5), 0);
    ck_assert_int_eq(hdb__sql_json_valid(out.u.s.p, out.u.s.n), 1);
    hdb__sql_value_clear(&out);
    /* A JSON result nested in json_object/json_array is embedded, not quoted. */
    hdb_sql_value inner = HDB_SQL_NULL_INIT, args[2] = {HDB_SQL_NULL_INIT, HDB_SQL_NULL_INIT};
    lit(&args[0], "1");
    lit(&args[1], "'x'");
    f = hdb__sql_func_find("json_array", 2, NULL);
    ck_assert_int_eq(f->scalar(&ctx, 2, args, &inner), HDB_OK);
    ck_assert_int_eq(inner.owned, HDB_SQL_OWNED_JSON);
    hdb__sql_value_clear(&args[1]);
    args[1] = inner; /* json_object('k', json_array(1, 'x')) */
    hdb__sql_value_text(&args[0], "k", 1);
    f = hdb__sql_func_find("json_object", 2, NULL);
    ck_assert_int_eq(f->scalar(&ctx, 2, args, &out), HDB_OK);
    ck_assert_str_eq(out.u.s.p, "{\"k\":[1,\"x\"]}");
    hdb__sql_value_clear(&out);
    hdb_sql_value copy = HDB_SQL_NULL_INIT; /* a copy is plain text */
    hdb__sql_value_copy(&copy, &args[1]);
    ck_assert_int_eq(copy.owned, 1);
    ck_assert_int_eq(f->scalar(&ctx, 2, (hdb_sql_value[]){args[0], copy}, &out), HDB_OK);
    ck_assert_str_eq(out.u.s.p, "{\"k\":\"[1,\\\"x\\\"]\"}");
    hdb__sql_value_clear(&out);
    hdb__sql_value_clear(&copy);
    f = hdb__sql_func_find("json_quote", 1, NULL);
    ck_assert_int_eq(f->scalar(&ctx, 1, &args[1], &out), HDB_OK);
    ck_assert_str_eq(out.u.s.p, "[1,\"x\"]");
    hdb__sql_value_clear(&out);
    /* The group aggregates. */
    f = hdb__sql_func_find("json_group_object", 2, NULL);
    void *state = calloc(1, f->agg->state_size);
    ck_assert_int_eq(f->agg->step(&ctx, state, 2, args), HDB_OK);
    ck_assert_int_eq(f->agg->final(&ctx, state, &out), HDB_OK);
    ck_assert_str_eq(out.u.s.p, "{\"k\":[1,\"x\"]}");
    hdb__sql_value_clear(&out);
    free(state);
    f = hdb__sql_func_find("json_group_array", 1, NULL);
    state = calloc(1, f->agg->state_size);
    ck_assert_int_eq(f->agg->final(&ctx, state, &out), HDB_OK);
    ck_assert_str_eq(out.u.s.p, "[]");
    hdb__sql_value_clear(&out);
    ck_assert_int_eq(f->agg->step(&ctx, state, 1, &args[0]), HDB_OK);
    ck_assert_int_eq(f->agg->step(&ctx, state, 1, &a), HDB_OK);
    hdb_sql_value nul = HDB_SQL_NULL_INIT;
    ck_assert_int_eq(f->agg->step(&ctx, state, 1, &nul), HDB_OK);
    ck_assert_int_eq(f->agg->final(&ctx, state, &out), HDB_OK);
    ck_assert_str_eq(out.u.s.p, "[\"k\",\"t\\tn\\n\\u0001\",null]");
    hdb__sql_value_clear(&out);
    free(state);
    hdb__sql_value_clear(&args[0]);
    hdb__sql_value_clear(&args[1]);
    hdb__sql_value_clear(&a);
    /* Deep nesting is malformed, not a crash. */
    static char deep[6000];
    memset(deep, '[', 3000);
    memset(deep + 3000, ']', 3000);
    ck_assert_int_eq(hdb__sql_json_valid(deep, sizeof deep), 0);
    ck_assert_int_eq(hdb__sql_json_valid(deep + 2500, 1000), 1);
}
END_TEST

static const struct fcase jedit_cases[] = {
    {"json_set", 3, {"'{\"a\":1}'", "'$.b'", "2"}, "text {\"a\":1,\"b\":2}"},
    {"json_set", 3, {"'{\"a\":1}'", "'$.a'", "'x'"}, "text {\"a\":\"x\"}"},
    {"json_insert", 3, {"'{\"a\":1}'", "'$.a'", "5"}, "text {\"a\":1}"},
    {"json_insert", 3, {"'{\"a\":1}'", "'$.c'", "5"}, "text {\"a\":1,\"c\":5}"},
    {"json_replace", 3, {"'{\"a\":1}'", "'$.a'", "5"}, "text {\"a\":5}"},
    {"json_replace", 3, {"'{\"a\":1}'", "'$.c'", "5"}, "text {\"a\":1}"},
    {"json_set", 3, {"'[1,2]'", "'$[1]'", "9"}, "text [1,9]"},
    {"json_set", 3, {"'[1,2]'", "'$[2]'", "9"}, "text [1,2,9]"},
    {"json_set", 3, {"'[1,2]'", "'$[#]'", "9"}, "text [1,2,9]"},
    {"json_insert", 3, {"'[1,2]'", "'$[#]'", "9"}, "text [1,2,9]"},
    {"json_set", 3, {"'{}'", "'$.a.b'", "1"}, "text {\"a\":{\"b\":1}}"},
    {"json_set", 3, {"'{\"a\":1}'", "'$.a.b'", "1"}, "text {\"a\":1}"},
    {"json_set", 3, {"'[1]'", "'$[5]'", "1"}, "text [1]"},
    {"json_remove", 2, {"'[1,2,3]'", "'$[1]'"}, "text [1,3]"},
    {"json_remove", 2, {"'{\"a\":1,\"b\":2}'", "'$.a'"}, "text {\"b\":2}"},
    {"json_remove", 2, {"'{\"a\":1,\"b\":2}'", "'$.b'"}, "text {\"a\":1}"},
    {"json_remove", 2, {"'[1,2,3]'", "'$[#-1]'"}, "text [1,2]"},
    {"json_remove", 2, {"'{\"a\":1}'", "'$.z'"}, "text {\"a\":1}"},
    {"json_remove", 2, {"'[1,2]'", "'$'"}, "null "},
    {"json_remove", 3, {"'[1,2,3]'", "'$[0]'", "'$[0]'"}, "text [3]"},
    {"json_remove", 1, {"'{\"a\":1}'"}, "text {\"a\":1}"},
    {"json_set", 3, {"' { \"a\" : 1 } '", "'$.a'", "2"}, "text {\"a\":2}"},
    {"json_set", 3, {"'{\"a\":1}'", "'$'", "5"}, "integer 5"},
    {"json_insert", 3, {"'{}'", "'$.a[#]'", "1"}, "text {}"},
    {"json_set", 3, {"'{}'", "'$.a[0]'", "1"}, "text {\"a\":[1]}"},
    {"json_set", 3, {"'{\"a\":[]}'", "'$.a[#]'", "1"}, "text {\"a\":[1]}"},
    {"json_set", 2, {"'{\"a\":1}'", "'$.b'"}, "ERROR json_set() needs an odd number of arguments"},
    {"json_set", 3, {"'{\"a\":1}'", "'x'", "1"}, "ERROR JSON path error near 'x'"},
    {"json_remove", 2, {"'{\"a\":1}'", "'x'"}, "ERROR JSON path error near 'x'"},
    {"json_set", 3, {"'{\"a\":1}'", "'$.b'", "x'00'"}, "ERROR JSON cannot hold BLOB values"},
    {"json_set", 3, {"'{\"a\":1}'", "NULL", "1"}, "text {\"a\":1}"},
    {"json_remove", 2, {"'{\"a\":1}'", "NULL"}, "null "},
    {"json_insert", 3, {"'{\"a\":1}'", "'$.b.c.d'", "1"}, "text {\"a\":1,\"b\":{\"c\":{\"d\":1}}}"},
    {"json_set", 3, {"'{\"a\":1}'", "'$.b[0][0]'", "1"}, "text {\"a\":1,\"b\":[[1]]}"},
    {"json_set", 3, {"'{\"a\":1}'", "'$.b[1]'", "1"}, "text {\"a\":1}"},
    {"json_replace", 3, {"'[1,2,3]'", "'$[#-1]'", "'x'"}, "text [1,2,\"x\"]"},
    {"json_set", 5, {"'{\"a\":{\"b\":1}}'", "'$.a.c'", "2", "'$.a.b'", "3"}, "text {\"a\":{\"b\":3,\"c\":2}}"},
    {"json_remove", 2, {"'[1,[2,3]]'", "'$[1][0]'"}, "text [1,[3]]"},
    {"json_set", 5, {"'[]'", "'$[0]'", "1", "'$[1]'", "2"}, "text [1,2]"},
    {"json_set", 3, {"'{\"a\":1}'", "'$.\"x y\"'", "1"}, "text {\"a\":1,\"x y\":1}"},
    {"json_set", 3, {"'{}'", "'$.a.'", "1"}, "ERROR JSON path error near ''"},
    {"json_set", 3, {"'{}'", "'$.a[x]'", "1"}, "text {}"},
    {"json_remove", 2, {"'{}'", "'$[x]'"}, "ERROR JSON path error near '[x]'"},
    {"json_set", 3, {"'{\"a\":1}'", "'$.a\"b'", "1"}, "text {\"a\":1,\"a\\\"b\":1}"},
    {"json_set", 3, {"'{\"a b\":1}'", "'$.\"a b\"'", "2"}, "text {\"a b\":2}"},
    {"json_set", 3, {"'{\"a\":1}'", "'$.a'", "1.5"}, "text {\"a\":1.5}"},
    {"json_set", 3, {"'{\"a\":1}'", "'$.a'", "NULL"}, "text {\"a\":null}"},
    {"json_set", 3, {"'{\"a\":1,\"a\":2}'", "'$.a'", "3"}, "text {\"a\":3,\"a\":2}"},
    {"json_remove", 2, {"'{\"x\":[1,{\"y\":2}]}'", "'$.x[1].y'"}, "text {\"x\":[1,{}]}"},
    {"json_set", 3, {"'[1,2]'", "'$[#-3]'", "7"}, "text [1,2]"},
    {"json_insert", 3, {"'[[1]]'", "'$[0][#]'", "2"}, "text [[1,2]]"},
    {"json_set", 3, {"'{\"a\":1}'", "'$.\"\"'", "2"}, "text {\"a\":1,\"\":2}"},
};

START_TEST(test_json_edit)
{
    run_cases(jedit_cases, sizeof jedit_cases / sizeof jedit_cases[0]);
    /* A JSON value (json_array(...)) is embedded as JSON. */
    hdb_sql_fctx ctx = new_ctx();
    hdb_sql_value args[3], out = HDB_SQL_NULL_INIT;
    lit(&args[0], "'{\"a\":1}'");
    lit(&args[1], "'$.b'");
    lit(&args[2], "'[1,2]'");
    const hdb_sql_funcdef *f = hdb__sql_func_find("json_set", 3, NULL);
    ck_assert_int_eq(f->scalar(&ctx, 3, args, &out), HDB_OK);
    ck_assert_str_eq(out.u.s.p, "{\"a\":1,\"b\":\"[1,2]\"}");
    hdb__sql_value_clear(&out);
    args[2].owned = HDB_SQL_OWNED_JSON;
    ck_assert_int_eq(f->scalar(&ctx, 3, args, &out), HDB_OK);
    ck_assert_str_eq(out.u.s.p, "{\"a\":1,\"b\":[1,2]}");
    ck_assert_int_eq(out.owned, HDB_SQL_OWNED_JSON);
    hdb__sql_value_clear(&out);
    for (int k = 0; k < 3; k++)
        hdb__sql_value_clear(&args[k]);
}
END_TEST

START_TEST(test_json_arrow)
{
    static const struct {
        const char *x, *path;
        int ptr2;
        const char *want;
    } cases[] = {
        {"'{\"a\":[1,\"x\"]}'", "'$.a'", 0, "text [1,\"x\"]"},
        {"'{\"a\":[1,\"x\"]}'", "'$.a[1]'", 0, "text \"x\""},
        {"'{\"a\":[1,\"x\"]}'", "'$.a[1]'", 1, "text x"},
        {"'{\"a\":[1,\"x\"]}'", "'a'", 1, "text [1,\"x\"]"},
        {"'[5,6]'", "1", 1, "integer 6"},
        {"'[5,6]'", "1", 0, "text 6"},
        {"'{\"a\":1}'", "'b'", 0, "null "},
        {"'{\"a\":1}'", "NULL", 0, "null "},
        {"NULL", "'a'", 0, "null "},
        {"'{\"a\":null}'", "'a'", 0, "text null"},
        {"'{\"a\":null}'", "'a'", 1, "null "},
        {"'{\"a\":1'", "'a'", 1, "ERROR malformed JSON"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        hdb_sql_fctx ctx = new_ctx();
        hdb_sql_value x, p, out = HDB_SQL_NULL_INIT;
        char got[256];
        lit(&x, cases[k].x);
        lit(&p, cases[k].path);
        int rc = hdb__sql_json_arrow(&ctx, &x, &p, cases[k].ptr2, &out);
        if (rc == HDB_ERROR)
            snprintf(got, sizeof got, "ERROR %s", ctx.err);
        else
            show(&out, got, sizeof got);
        ck_assert_msg(strcmp(got, cases[k].want) == 0, "%s -> %s: got [%s]", cases[k].x, cases[k].path, got);
        hdb__sql_value_clear(&x);
        hdb__sql_value_clear(&p);
        hdb__sql_value_clear(&out);
    }
}
END_TEST

static const struct fcase date_cases[] = {
    {"date", 1, {"'2023-02-31'"}, "text 2023-02-31"},
    {"datetime", 1, {"'2023-01-15 10:20:30.5'"}, "text 2023-01-15 10:20:30"},
    {"time", 1, {"'12:34'"}, "text 12:34:00"},
    {"datetime", 1, {"'2023-01-15T10:20:30Z'"}, "text 2023-01-15 10:20:30"},
    {"datetime", 1, {"'2023-01-15 10:20:30+02:00'"}, "text 2023-01-15 08:20:30"},
    {"datetime", 1, {"'2023-01-15 10:20:30 -05:30'"}, "text 2023-01-15 15:50:30"},
    {"datetime", 1, {"2460000.5"}, "text 2023-02-25 00:00:00"},
    {"datetime", 1, {"'2460000.5'"}, "text 2023-02-25 00:00:00"},
    {"datetime", 2, {"1700000000", "'unixepoch'"}, "text 2023-11-14 22:13:20"},
    {"datetime", 2, {"1700000000.5", "'auto'"}, "text 2023-11-14 22:13:20"},
    {"datetime", 2, {"2460000.5", "'auto'"}, "text 2023-02-25 00:00:00"},
    {"julianday", 1, {"'2000-01-01'"}, "real 2451544.5"},
    {"unixepoch", 1, {"'2023-11-14 22:13:20'"}, "integer 1700000000"},
    {"date", 2, {"'2023-01-31'", "'+1 month'"}, "text 2023-03-03"},
    {"date", 2, {"'2024-02-29'", "'+1 year'"}, "text 2025-03-01"},
    {"datetime", 2, {"'2023-01-15'", "'+1.5 days'"}, "text 2023-01-16 12:00:00"},
    {"datetime", 2, {"'2023-01-15 10:00'", "'-90 minutes'"}, "text 2023-01-15 08:30:00"},
    {"date", 2, {"'2023-05-17'", "'start of month'"}, "text 2023-05-01"},
    {"date", 2, {"'2023-05-17'", "'start of year'"}, "text 2023-01-01"},
    {"datetime", 2, {"'2023-05-17 13:14'", "'start of day'"}, "text 2023-05-17 00:00:00"},
    {"date", 2, {"'2023-05-17'", "'weekday 0'"}, "text 2023-05-21"},
    {"date", 2, {"'2023-05-17'", "'weekday 3'"}, "text 2023-05-17"},
    {"datetime", 2, {"'2023-01-15 10:00'", "'+01:30'"}, "text 2023-01-15 11:30:00"},
    {"datetime", 2, {"'2023-01-15 10:00'", "'-00:00:30.5'"}, "text 2023-01-15 09:59:29"},
    {"strftime", 2, {"'%Y-%m-%d %H:%M:%f %j %J %s %w %W %%'", "'2023-03-05 06:07:08.987'"}, "text 2023-03-05 06:07:08.987 064 2460008.754965127 1677996428 0 09 %"},
    {"strftime", 2, {"'%d'", "NULL"}, "null "},
    {"strftime", 2, {"'%Q'", "'2023-01-01'"}, "null "},
    {"date", 1, {"'bogus'"}, "null "},
    {"date", 2, {"'2023-01-01'", "'bogus'"}, "null "},
    {"date", 1, {"'2023-13-01'"}, "null "},
    {"time", 1, {"'24:00'"}, "text 24:00:00"},
    {"datetime", 1, {"'2023-01-01 10:00:60'"}, "null "},
    {"date", 1, {"NULL"}, "null "},
    {"date", 2, {"'2023-01-01'", "NULL"}, "null "},
    {"datetime", 2, {"'2023-01-15'", "'+1 DAYS'"}, "text 2023-01-16 00:00:00"},
    {"datetime", 1, {"'  2023-01-15  '"}, "null "},
    {"strftime", 2, {"'%W %j'", "'2023-01-01'"}, "text 00 001"},
    {"strftime", 2, {"'%W'", "'2024-12-31'"}, "text 53"},
    {"datetime", 1, {"-1"}, "null "},
    {"datetime", 1, {"0"}, "text -4713-11-24 12:00:00"},
    {"julianday", 1, {"'0000-01-01'"}, "real 1721059.5"},
    {"datetime", 1, {"5373484.4"}, "text 9999-12-31 21:36:00"},
    {"date", 2, {"'9999-12-31'", "'+1 day'"}, "null "},
    {"date", 2, {"'2023-01-01'", "'+1'"}, "null "},
    {"datetime", 2, {"'2023-01-01'", "'+1 fortnights'"}, "null "},
    {"date", 2, {"'2023-03-31'", "'-1 month'"}, "text 2023-03-03"},
    {"datetime", 2, {"'2023-01-01'", "'0.5 day'"}, "text 2023-01-01 12:00:00"},
    {"datetime", 2, {"1e10", "'unixepoch'"}, "text 2286-11-20 17:46:40"},
    {"date", 2, {"'2023-01-01'", "'julianday'"}, "null "},
    {"date", 2, {"2460000", "'julianday'"}, "text 2023-02-24"},
    {"unixepoch", 1, {"2460000.5"}, "integer 1677283200"},
    {"julianday", 2, {"1700000000", "'unixepoch'"}, "real 2460263.42592593"},
    {"datetime", 4, {"'2023-01-01 12:00'", "'+1 day'", "'start of month'", "'-1 second'"}, "text 2022-12-31 23:59:59"},
    {"date", 2, {"'2023-01-01'", "'unixepoch'"}, "null "},
    {"datetime", 3, {"1700000000", "'+1 day'", "'unixepoch'"}, "null "},
    {"date", 1, {"'-0044-03-15'"}, "text -0044-03-15"},
    {"strftime", 2, {"'%H:%M'", "'2023-01-01 23:59:59.9999'"}, "text 23:59"},
    {"time", 1, {"'23:59:59.9999'"}, "text 23:59:59"},
    {"date", 3, {"'2023-06-15'", "'+3 months'", "'-10 years'"}, "text 2013-09-15"},
    {"datetime", 2, {"'2023-01-01'", "'+36 hours'"}, "text 2023-01-02 12:00:00"},
    {"date", 1, {"'2023-1-01'"}, "null "},
    {"datetime", 1, {"'2023-01-01 5:00'"}, "null "},
    {"date", 1, {"20230101"}, "null "},
    {"date", 2, {"'2023-01-01'", "'weekday 7'"}, "null "},
    {"date", 2, {"'2023-01-01'", "'weekday 1.5'"}, "null "},
    {"date", 1, {"'2023-01-01T'"}, "text 2023-01-01"},
};

START_TEST(test_date)
{
    run_cases(date_cases, sizeof date_cases / sizeof date_cases[0]);
    /* 'now' is ctx->now_us: 1700000000.123456 s after the epoch. */
    static const struct fcase now_cases[] = {
        {"datetime", 0, {0}, "text 2023-11-14 22:13:20"},
        {"date", 1, {"'now'"}, "text 2023-11-14"},
        {"time", 1, {"'NOW'"}, "text 22:13:20"},
        {"unixepoch", 0, {0}, "integer 1700000000"},
        {"strftime", 2, {"'%s.%f'", "'now'"}, "text 1700000000.20.123"},
        {"datetime", 2, {"'now'", "'start of year'"}, "text 2023-01-01 00:00:00"},
        {"datetime", 2, {"'now'", "'subsec'"}, "text 2023-11-14 22:13:20.123"},
        {"datetime", 3, {"'2023-01-01 10:00'", "'localtime'", "'utc'"}, "text 2023-01-01 10:00:00"},
    };
    run_cases(now_cases, sizeof now_cases / sizeof now_cases[0]);
    char got[128];
    const char *args[] = {"'2023-06-01 12:00'", "'localtime'"};
    call("datetime", 2, args, got, sizeof got); /* depends on TZ: only well-formed */
    ck_assert_uint_eq(strlen(got), strlen("text 2023-06-01 12:00:00"));
}
END_TEST

/* Corner cases found by comparing with sqlite3 on random inputs. */
static const struct fcase extra_cases[] = {
    {"substr", 2, {"'abc'", "4294967297"}, "text abc"},
    {"substr", 2, {"'abc'", "-4294967295"}, "text abc"},
    {"substr", 3, {"'abcdef'", "2", "4294967298"}, "text bc"},
    {"substr", 2, {"'B'", "-545474419920565363"}, "text "},
    {"substr", 3, {"'hello'", "2", "7e11"}, "text h"},
    {"strftime", 2, {"'%j'", "'2023-01-31 12:19'"}, "text 031"},
    {"date", 2, {"'2023-01-31'", "'auto'"}, "text 2023-01-31"},
    {"datetime", 2, {"'14:09:30'", "'auto'"}, "text 2000-01-01 14:09:30"},
    {"datetime", 2, {"1e10", "'auto'"}, "text 2286-11-20 17:46:40"},
    {"unixepoch", 3, {"'2023-06-15 12:00:00.250'", "'auto'", "'+204 month'"}, "integer 2223374400"},
    {"strftime", 2, {"'%Y'", "'-0044-03-15'"}, "text -044"},
    {"json_extract", 2, {"'[]'", "'$.'"}, "null "},
    {"json_array_length", 2, {"'-668'", "'$.[#-2]'"}, "null "},
    {"json_type", 2, {"'[0.5e-3]'", "'$.[2]'"}, "null "},
    {"json_extract", 2, {"'[1,2]'", "'$[#-0]'"}, "null "},
    {"printf", 3, {"'%+ .0i|% +d|'", "0", "5"}, "text  0|+5|"},
    {"printf", 2, {"'%-012.0u|'", "''"}, "text 000000000000|"},
    {"printf", 3, {"'%.0q|%12.0Q|'", "NULL", "NULL"}, "text |            |"},
    {"printf", 3, {"'%,5d|%0,7d|'", "55", "1234"}, "text    55|0,001,234|"},
    {"printf", 3, {"'%!5.0f|%!,.0f|'", "-58.0229", "-2.5"}, "text -58.0|-3.0|"},
    {"printf", 2, {"'% .17e|'", "9223372036854775807"}, "text  9.22337203685477500e+18|"},
    {"printf", 2, {"'%#-5.0E|'", "45"}, "text 5.E+01|"},
    {"printf", 3, {"'%.20g|%!.20e|'", "0.1", "0.1"}, "text 0.1|1.00000000000000005551e-01|"},
    {"round", 2, {"-9223372036854775808", "9"}, "real -9.22337203685478e+18"},
    {"round", 1, {"4503599627370497.5"}, "real 4.5035996273705e+15"},
    {"round", 1, {"-0.5"}, "real -1.0"},
    {"round", 2, {"2.5", "0"}, "real 3.0"},
    {"round", 2, {"0.15", "1"}, "real 0.2"},
    {"round", 2, {"1e-320", "5"}, "real 0.0"},
    {"quote", 1, {"775.6868874304337"}, "text 7.75686887430433671388e+02"},
    {"quote", 1, {"0.30000000000000004"}, "text 3.00000000000000044408e-01"},
};


START_TEST(test_scalars)
{
    run_cases(scalar_cases, sizeof scalar_cases / sizeof scalar_cases[0]);
    run_cases(extra_cases, sizeof extra_cases / sizeof extra_cases[0]);
}
END_TEST

START_TEST(test_find)
{
    int exists = -1;
    ck_assert_ptr_nonnull(hdb__sql_func_find("SUBSTR", 2, &exists));
    ck_assert_int_eq(exists, 1);
    ck_assert_ptr_null(hdb__sql_func_find("substr", 4, &exists));
    ck_assert_int_eq(exists, 1);
    ck_assert_ptr_null(hdb__sql_func_find("nosuch", 1, &exists));
    ck_assert_int_eq(exists, 0);
    const hdb_sql_funcdef *f = hdb__sql_func_find("max", 1, &exists);
    ck_assert(f && f->agg && !f->scalar);
    f = hdb__sql_func_find("Max", 3, &exists);
    ck_assert(f && f->scalar && !f->agg);
    f = hdb__sql_func_find("count", 0, &exists);
    ck_assert(f && f->agg);
    f = hdb__sql_func_find("random", 0, &exists);
    ck_assert(f && !f->deterministic);
    ck_assert_ptr_null(hdb__sql_func_find("count", 2, &exists));
}
END_TEST

START_TEST(test_random)
{
    hdb_sql_fctx ctx = new_ctx();
    hdb_sql_value a = HDB_SQL_NULL_INIT, b = HDB_SQL_NULL_INIT, n;
    const hdb_sql_funcdef *f = hdb__sql_func_find("random", 0, NULL);
    ck_assert_int_eq(f->scalar(&ctx, 0, NULL, &a), HDB_OK);
    ck_assert_int_eq(f->scalar(&ctx, 0, NULL, &b), HDB_OK);
    ck_assert(a.type == HDB_INTEGER && b.type == HDB_INTEGER && a.u.i != b.u.i);
    f = hdb__sql_func_find("randomblob", 1, NULL);
    lit(&n, "13");
    ck_assert_int_eq(f->scalar(&ctx, 1, &n, &a), HDB_OK);
    ck_assert(a.type == HDB_BLOB && a.u.s.n == 13);
    lit(&n, "0");
    ck_assert_int_eq(f->scalar(&ctx, 1, &n, &b), HDB_OK);
    ck_assert(b.type == HDB_BLOB && b.u.s.n == 1);
    hdb__sql_value_clear(&a);
    hdb__sql_value_clear(&b);
    f = hdb__sql_func_find("zeroblob", 1, NULL);
    lit(&n, "2000000000");
    ck_assert_int_eq(f->scalar(&ctx, 1, &n, &a), HDB_ERROR);
}
END_TEST

START_TEST(test_like_glob)
{
    ck_assert_int_eq(hdb__sql_like("a%", 2, "AbC", 3, -1), 1);
    ck_assert_int_eq(hdb__sql_like("%", 1, "", 0, -1), 1);
    ck_assert_int_eq(hdb__sql_like("", 0, "", 0, -1), 1);
    ck_assert_int_eq(hdb__sql_like("", 0, "a", 1, -1), 0);
    ck_assert_int_eq(hdb__sql_like("a", 1, "", 0, -1), 0);
    ck_assert_int_eq(hdb__sql_like("%a%b%c%", 7, "xxaxxbxxcxx", 11, -1), 1);
    ck_assert_int_eq(hdb__sql_like("%a%b%c%", 7, "xxaxxcxxbxx", 11, -1), 0);
    ck_assert_int_eq(hdb__sql_like("a!%", 3, "a%", 2, '!'), 1);
    ck_assert_int_eq(hdb__sql_like("a!%", 3, "ab", 2, '!'), 0);
    ck_assert_int_eq(hdb__sql_like("a!", 2, "a", 1, '!'), 0);
    ck_assert_int_eq(hdb__sql_like("_%_", 3, "\xc3\xa9", 2, -1), 0);
    ck_assert_int_eq(hdb__sql_like("__", 2, "\xc3\xa9x", 3, -1), 1);
    ck_assert_int_eq(hdb__sql_glob("*", 1, "", 0), 1);
    ck_assert_int_eq(hdb__sql_glob("a[", 2, "a[", 2), 0);
    ck_assert_int_eq(hdb__sql_glob("[*]", 3, "*", 1), 1);
    ck_assert_int_eq(hdb__sql_glob("*[0-9]", 6, "abc7", 4), 1);
    ck_assert_int_eq(hdb__sql_glob("*[0-9]", 6, "abc", 3), 0);
    /* Long inputs stay fast (no exponential backtracking). */
    static char s[20000], p[2000];
    memset(s, 'a', sizeof s);
    for (size_t k = 0; k < sizeof p; k++)
        p[k] = k % 2 ? '%' : 'a';
    ck_assert_int_eq(hdb__sql_like(p, sizeof p, s, sizeof s - 1, -1), 1);
    p[sizeof p - 1] = 'b';
    ck_assert_int_eq(hdb__sql_like(p, sizeof p, s, 3000, -1), 0);
}
END_TEST

/* A random argument: numbers of every kind, and texts made of the
 * characters that matter to the functions (formats, dates, JSON, UTF-8). */
static void random_arg(tu_rng *r, hdb_sql_value *v)
{
    static const char *const bits[] = {
        "%", "d", "s", "q", "Q", "w", "f", "e", "g", "c", "!", "-", "+", "#", "0", "9", "*", ".", ",", "l",
        "$", "[", "]", "{", "}", "\"", ":", "\\", "u", "#-", "a", " ", "T", "Z", "2023-01-01", "12:30",
        "now", "start of ", "day", "month", "weekday ", "unixepoch", "\xc3\xa9", "\xff", "\xe2\x82", "_",
        "?", "^", "1e", "99999999999999999999", "null", "true", "'",
    };
    *v = (hdb_sql_value)HDB_SQL_NULL_INIT;
    switch (tu_below(r, 7)) {
    case 0: return;
    case 1: hdb__sql_value_int(v, (int64_t)tu_next(r) >> tu_below(r, 64)); return;
    case 2: hdb__sql_value_int(v, (int64_t)tu_below(r, 40) - 10); return;
    case 3: hdb__sql_value_float(v, ldexp((double)(int64_t)tu_next(r), (int)tu_below(r, 200) - 130)); return;
    default: {
        char buf[64];
        size_t n = 0;
        for (int k = (int)tu_below(r, 8); k > 0; k--) {
            const char *b = bits[tu_below(r, sizeof bits / sizeof bits[0])];
            size_t len = strlen(b);
            if (n + len < sizeof buf)
                memcpy(buf + n, b, len), n += len;
        }
        if (tu_below(r, 6) == 0)
            hdb__sql_value_blob(v, buf, n);
        else
            hdb__sql_value_text(v, buf, n);
        return;
    }
    }
}

/* Every function with random arguments: a result or an error, never a crash
 * (run under the sanitizers). */
START_TEST(test_random_arguments)
{
    const hdb_sql_funcdef *const tables[] = {hdb__sql_funcs_core, hdb__sql_funcs_str, hdb__sql_funcs_agg,
                                             hdb__sql_funcs_printf, hdb__sql_funcs_date, hdb__sql_funcs_json,
                                             hdb__sql_funcs_json_edit};
    tu_rng r = {777};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const hdb_sql_funcdef *f = tables[t]; f->name; f++)
            for (int it = 0; it < 300; it++) {
                hdb_sql_fctx ctx = new_ctx();
                int argc = f->min_args + (int)tu_below(&r, 3);
                if (f->max_args >= 0 && argc > f->max_args)
                    argc = f->max_args;
                hdb_sql_value argv[8], out = HDB_SQL_NULL_INIT;
                int rc = HDB_OK;
                if (f->scalar) {
                    for (int k = 0; k < argc; k++)
                        random_arg(&r, &argv[k]);
                    if (strcmp(f->name, "zeroblob") == 0 || strcmp(f->name, "randomblob") == 0)
                        hdb__sql_value_int(&argv[0], (int64_t)tu_below(&r, 100));
                    rc = f->scalar(&ctx, argc, argv, &out);
                    for (int k = 0; k < argc; k++)
                        hdb__sql_value_clear(&argv[k]);
                } else {
                    void *state = calloc(1, f->agg->state_size);
                    for (int row = (int)tu_below(&r, 5); row > 0 && rc == HDB_OK; row--) {
                        for (int k = 0; k < argc; k++)
                            random_arg(&r, &argv[k]);
                        rc = f->agg->step(&ctx, state, argc, argv);
                        for (int k = 0; k < argc; k++)
                            hdb__sql_value_clear(&argv[k]);
                    }
                    int rc2 = f->agg->final(&ctx, state, &out);
                    rc = rc == HDB_OK ? rc2 : rc;
                    free(state);
                }
                ck_assert_msg(rc == HDB_OK || rc == HDB_ERROR, "%s: rc %d", f->name, rc);
                if (rc == HDB_ERROR)
                    ck_assert(strlen(ctx.err) > 0);
                if (rc == HDB_OK && (out.type == HDB_TEXT))
                    ck_assert(out.u.s.p[out.u.s.n] == 0);
                hdb__sql_value_clear(&out);
            }
}
END_TEST

/* A result longer than HDB_SQL_MAX_LENGTH is refused before it is built:
 * replace() of 100,000 'a's by 100,000 'b's each would be 10^10 bytes. */
START_TEST(test_max_length)
{
    enum { N = 100000 };
    char *a = malloc(N), *b = malloc(N);
    memset(a, 'a', N);
    memset(b, 'b', N);
    hdb_sql_value argv[3];
    ck_assert_int_eq(hdb__sql_value_text(&argv[0], a, N), HDB_OK);
    ck_assert_int_eq(hdb__sql_value_text(&argv[1], "a", 1), HDB_OK);
    ck_assert_int_eq(hdb__sql_value_text(&argv[2], b, N), HDB_OK);
    hdb_sql_value out = HDB_SQL_NULL_INIT;
    hdb_sql_fctx ctx = new_ctx();
    int exists = 0;
    const hdb_sql_funcdef *f = hdb__sql_func_find("replace", 3, &exists);
    ck_assert_int_eq(f->scalar(&ctx, 3, argv, &out), HDB_ERROR);
    ck_assert_str_eq(ctx.err, "string or blob too big");
    /* 100,000 replacements of one byte by three: fine. */
    hdb__sql_value_clear(&argv[2]);
    ck_assert_int_eq(hdb__sql_value_text(&argv[2], "xyz", 3), HDB_OK);
    ck_assert_int_eq(f->scalar(&ctx, 3, argv, &out), HDB_OK);
    ck_assert_uint_eq(out.u.s.n, 3 * N);
    hdb__sql_value_clear(&out);
    for (int i = 0; i < 3; i++)
        hdb__sql_value_clear(&argv[i]);
    free(a);
    free(b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_func");
    TCase *c = tcase_create("core");
    tcase_add_test(c, test_find);
    tcase_add_test(c, test_scalars);
    tcase_add_test(c, test_random);
    tcase_add_test(c, test_random_arguments);
    tcase_add_test(c, test_date);
    tcase_add_test(c, test_json);
    tcase_add_test(c, test_json_arrow);
    tcase_add_test(c, test_json_edit);
    tcase_add_test(c, test_aggregates);
    tcase_add_test(c, test_like_glob);
    tcase_add_test(c, test_max_length);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
