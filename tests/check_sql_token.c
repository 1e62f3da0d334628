/*
** check_sql_token.c — the SQL tokenizer (src/sql/token.h).
**
** Each case names an input and the tokens it must give (type and text);
** further tests check the keyword table, illegal tokens, bounds (inputs
** without a NUL terminator, scanned under the sanitizers) and that random
** bytes always tokenize into pieces that cover the input exactly.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "src/sql/token.h"
#include "support/test_util.h"

/* All tokens of s (comments and spaces skipped) as "TYPE:text " pairs. */
static void tokens(const char *s, size_t n, char *out, size_t cap)
{
    size_t pos = 0, k = 0;
    hdb_sql_token t;
    out[0] = 0;
    while (hdb__sql_token_next(s, n, &pos, &t) != HDB_TK_EOF) {
        int w = snprintf(out + k, cap - k, "%s%d:%.*s", k ? " " : "", t.type, (int)t.len, s + t.pos);
        ck_assert(w > 0 && (size_t)w < cap - k);
        k += (size_t)w;
    }
}

static void expect_tokens(const char *s, const char *want)
{
    char got[1024];
    tokens(s, strlen(s), got, sizeof got);
    ck_assert_msg(strcmp(got, want) == 0, "input [%s]\n got  [%s]\n want [%s]", s, got, want);
}

/* The single token of s: its type and length. */
static void expect_one(const char *s, int type, size_t len)
{
    hdb_sql_token t;
    hdb__sql_token_scan(s, strlen(s), 0, &t);
    ck_assert_msg(t.type == type && t.len == len, "[%s]: type %d len %zu, want %d %zu", s, t.type,
                  t.len, type, len);
}

START_TEST(test_keyword_table)
{
    for (int kw = 1; kw < HDB_KW__COUNT; kw++) {
        const char *name = hdb__sql_keyword_name(kw);
        ck_assert_int_eq(hdb__sql_keyword(name, strlen(name)), kw);
        if (kw > 1)
            ck_assert_msg(strcmp(hdb__sql_keyword_name(kw - 1), name) < 0, "table unsorted at %s", name);
        char lower[32];
        size_t n = strlen(name);
        ck_assert_uint_lt(n, sizeof lower);
        for (size_t i = 0; i <= n; i++)
            lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
        ck_assert_int_eq(hdb__sql_keyword(lower, n), kw);
    }
    ck_assert_int_eq(hdb__sql_keyword("SELECTX", 7), HDB_KW_NONE);
    ck_assert_int_eq(hdb__sql_keyword("SELEC", 5), HDB_KW_NONE);
    ck_assert_int_eq(hdb__sql_keyword("", 0), HDB_KW_NONE);
    ck_assert_int_eq(hdb__sql_keyword("CURRENT_TIMESTAMPX", 18), HDB_KW_NONE);
    ck_assert_int_eq(hdb__sql_keyword("select", 3), HDB_KW_NONE); /* "sel" */
    ck_assert_str_eq(hdb__sql_keyword_name(0), "?");
    ck_assert_str_eq(hdb__sql_keyword_name(HDB_KW__COUNT), "?");
    ck_assert(hdb__sql_keyword_flags(HDB_KW_SELECT) & HDB_KWF_RESERVED);
    ck_assert(hdb__sql_keyword_flags(HDB_KW_LEFT) & HDB_KWF_JOIN);
    ck_assert_int_eq(hdb__sql_keyword_flags(HDB_KW_BRANCH), 0);
    ck_assert_int_eq(hdb__sql_keyword_flags(HDB_KW_KEY), 0);
    ck_assert_str_eq(hdb__sql_token_name(HDB_TK_LP), "'('");
}
END_TEST

START_TEST(test_identifiers_and_keywords)
{
    hdb_sql_token t;
    expect_tokens("abc _x1 a$b \xc3\xa9t\xc3\xa9", "4:abc 4:_x1 4:a$b 4:\xc3\xa9t\xc3\xa9");
    expect_tokens("\"a\"\"b\" [x y] `c``d`", "4:\"a\"\"b\" 4:[x y] 4:`c``d`");
    hdb__sql_token_scan("SeLeCt", 6, 0, &t);
    ck_assert_int_eq(t.type, HDB_TK_ID);
    ck_assert_int_eq(t.kw, HDB_KW_SELECT);
    ck_assert_int_eq(t.quote, 0);
    hdb__sql_token_scan("\"select\"", 8, 0, &t);
    ck_assert_int_eq(t.kw, HDB_KW_NONE); /* quoted: never a keyword */
    ck_assert_int_eq(t.quote, '"');
    hdb__sql_token_scan("[select]", 8, 0, &t);
    ck_assert_int_eq(t.quote, '[');
    hdb__sql_token_scan("`x`", 3, 0, &t);
    ck_assert_int_eq(t.quote, '`');
    expect_one("[a]]", HDB_TK_ID, 3); /* brackets have no escape */
}
END_TEST

START_TEST(test_literals)
{
    expect_tokens("'it''s' '' x'00ff' X'' 'a\nb'", "5:'it''s' 5:'' 6:x'00ff' 6:X'' 5:'a\nb'");
    expect_tokens("0 123 0x1F 0XaB 1.5 .5 1. 1e10 2.5E-3 1e+7",
                  "7:0 7:123 7:0x1F 7:0XaB 8:1.5 8:.5 8:1. 8:1e10 8:2.5E-3 8:1e+7");
    expect_tokens("1.2.3", "8:1.2 8:.3");
    expect_tokens("x 'y'", "4:x 5:'y'"); /* x followed by a space is a name */
    expect_tokens("a.b", "4:a 14:. 4:b");
}
END_TEST

START_TEST(test_parameters)
{
    expect_tokens("? ?1 ?123 :a @b $c :a1$", "9:? 9:?1 9:?123 9::a 9:@b 9:$c 9::a1$");
    expect_tokens("?a", "9:? 4:a");
}
END_TEST

START_TEST(test_operators)
{
    expect_tokens("( ) ; , . + - * / % = == != <> < <= > >= << >> & | ~ || -> ->>",
                  "10:( 11:) 12:; 13:, 14:. 15:+ 16:- 17:* 18:/ 19:% 20:= 20:== 21:!= 21:<> "
                  "22:< 23:<= 24:> 25:>= 26:<< 27:>> 28:& 29:| 30:~ 31:|| 32:-> 33:->>");
    expect_tokens("a->>'x'||b<=-1", "4:a 33:->> 5:'x' 31:|| 4:b 23:<= 16:- 7:1");
    expect_tokens("1<>2", "7:1 21:<> 7:2");
    expect_tokens("a|||b", "4:a 31:|| 29:| 4:b");
}
END_TEST

START_TEST(test_comments_and_space)
{
    hdb_sql_token t;
    expect_tokens("a -- comment\nb /* c */ c", "4:a 4:b 4:c");
    expect_tokens("a/**/b", "4:a 4:b");
    expect_tokens("a /* unterminated", "4:a"); /* runs to the end, as in SQLite */
    expect_tokens("a --", "4:a");
    expect_tokens(" \t\n\f\r\v", "");
    hdb__sql_token_scan("/* x */y", 8, 0, &t);
    ck_assert_int_eq(t.type, HDB_TK_COMMENT);
    ck_assert_uint_eq(t.len, 7);
    hdb__sql_token_scan("-- x\ny", 6, 0, &t);
    ck_assert_int_eq(t.type, HDB_TK_COMMENT);
    ck_assert_uint_eq(t.len, 5);
    hdb__sql_token_scan("/*/", 3, 0, &t);
    ck_assert_uint_eq(t.len, 3);
    hdb__sql_token_scan("  x", 3, 0, &t);
    ck_assert_int_eq(t.type, HDB_TK_SPACE);
    ck_assert_uint_eq(t.len, 2);
}
END_TEST

START_TEST(test_illegal)
{
    expect_one("'abc", HDB_TK_ILLEGAL, 4);
    expect_one("\"abc", HDB_TK_ILLEGAL, 4);
    expect_one("[abc", HDB_TK_ILLEGAL, 4);
    expect_one("`abc", HDB_TK_ILLEGAL, 4);
    expect_one("x'abc'", HDB_TK_ILLEGAL, 6); /* odd digit count */
    expect_one("x'zz'", HDB_TK_ILLEGAL, 5);
    expect_one("x'00", HDB_TK_ILLEGAL, 4);
    expect_one("12ab", HDB_TK_ILLEGAL, 4);
    expect_one("0x", HDB_TK_ILLEGAL, 2);
    expect_one("0xg", HDB_TK_ILLEGAL, 3);
    expect_one("1e", HDB_TK_ILLEGAL, 2);
    expect_one("1e+", HDB_TK_ILLEGAL, 3);
    expect_one("1.5x", HDB_TK_ILLEGAL, 4);
    expect_one("!", HDB_TK_ILLEGAL, 1);
    expect_one(":", HDB_TK_ILLEGAL, 1);
    expect_one("@", HDB_TK_ILLEGAL, 1);
    expect_one("$", HDB_TK_ILLEGAL, 1);
    expect_one("#", HDB_TK_ILLEGAL, 1);
    expect_one("^", HDB_TK_ILLEGAL, 1);
    expect_one("\\", HDB_TK_ILLEGAL, 1);
    hdb_sql_token t;
    hdb__sql_token_scan("a\0b", 3, 1, &t); /* NUL is a token, not the end */
    ck_assert_int_eq(t.type, HDB_TK_ILLEGAL);
    ck_assert_uint_eq(t.len, 1);
    /* A NUL inside a string or quoted name ends it unterminated (a fuzz
     * finding: a type name holding `x<NUL>y` was cut at the NUL when
     * written back, and the text no longer parsed). */
    static const char *const quoted[] = {"'a\0b'", "\"a\0b\"", "`a\0b`", "[a\0b]"};
    for (int i = 0; i < 4; i++) {
        hdb__sql_token_scan(quoted[i], 5, 0, &t);
        ck_assert_int_eq(t.type, HDB_TK_ILLEGAL);
        ck_assert_uint_eq(t.len, 2);
    }
    hdb__sql_token_scan("ab", 2, 2, &t);
    ck_assert_int_eq(t.type, HDB_TK_EOF);
    ck_assert_uint_eq(t.pos, 2);
    hdb__sql_token_scan(NULL, 0, 0, &t);
    ck_assert_int_eq(t.type, HDB_TK_EOF);
    hdb__sql_token_scan("ab", 2, 5, &t); /* past the end: EOF at n */
    ck_assert_int_eq(t.type, HDB_TK_EOF);
    ck_assert_uint_eq(t.pos, 2);
}
END_TEST

/* Every prefix of every case, copied into a buffer of exactly its length
 * (no NUL after it), so the sanitizers catch any read past the end. */
START_TEST(test_bounds)
{
    static const char *const cases[] = {
        "'abc''", "x'0", "X'", "0x", "1e+", "1.", "->>", "-", "<", "/*", "--", "[a", "\"a\"\"",
        "`a", "?12", ":ab", "||", "!=", "a$"};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t n = strlen(cases[c]);
        for (size_t k = 0; k <= n; k++) {
            char *buf = malloc(k ? k : 1);
            ck_assert_ptr_nonnull(buf);
            memcpy(buf, cases[c], k);
            size_t pos = 0, covered = 0;
            hdb_sql_token t;
            do {
                hdb__sql_token_scan(buf, k, pos, &t);
                ck_assert_uint_eq(t.pos, pos);
                ck_assert_uint_le(t.pos + t.len, k);
                pos += t.len;
                covered += t.len;
            } while (t.type != HDB_TK_EOF);
            ck_assert_uint_eq(covered, k);
            free(buf);
        }
    }
}
END_TEST

/* Random bytes: tokens are contiguous, non-empty, and cover the input. */
START_TEST(test_random_bytes)
{
    static const char alphabet[] = "ab x'\"[]`-/*.0123456789eE+<>=!|&~?:@$;,()\n\t\0\x80\xff#";
    tu_rng r = {0x9e3779b97f4a7c15ull};
    char buf[64];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = (size_t)tu_below(&r, sizeof buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = alphabet[tu_below(&r, sizeof alphabet - 1)];
        size_t pos = 0;
        hdb_sql_token t;
        for (;;) {
            hdb__sql_token_scan(buf, n, pos, &t);
            ck_assert_uint_eq(t.pos, pos);
            if (t.type == HDB_TK_EOF)
                break;
            ck_assert_uint_ge(t.len, 1);
            ck_assert_uint_le(t.pos + t.len, n);
            pos += t.len;
        }
        ck_assert_uint_eq(pos, n);
    }
}
END_TEST

START_TEST(test_positions)
{
    const char *s = "SELECT a,\n  'x' FROM t";
    size_t pos = 0;
    hdb_sql_token t;
    static const size_t want[][2] = {{0, 6}, {7, 1}, {8, 1}, {12, 3}, {16, 4}, {21, 1}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        hdb__sql_token_next(s, strlen(s), &pos, &t);
        ck_assert_uint_eq(t.pos, want[i][0]);
        ck_assert_uint_eq(t.len, want[i][1]);
    }
    ck_assert_int_eq(hdb__sql_token_next(s, strlen(s), &pos, &t), HDB_TK_EOF);
    ck_assert_uint_eq(t.pos, strlen(s));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_token");
    TCase *c = tcase_create("core");
    tcase_add_test(c, test_keyword_table);
    tcase_add_test(c, test_identifiers_and_keywords);
    tcase_add_test(c, test_literals);
    tcase_add_test(c, test_parameters);
    tcase_add_test(c, test_operators);
    tcase_add_test(c, test_comments_and_space);
    tcase_add_test(c, test_illegal);
    tcase_add_test(c, test_bounds);
    tcase_add_test(c, test_random_bytes);
    tcase_add_test(c, test_positions);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
