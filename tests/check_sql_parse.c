/*
** check_sql_parse.c — the SQL parser (src/sql/parse.h) and its tree (ast.h).
**
** WHAT IS CHECKED
**   - Every statement of every `statement ok` and `query` record of the
**     sqllogictest files (HDB_SLT_DIR, default ../shared/sqllogictest,
**     walked at test time; skipped with a message when missing) parses, and
**     round-trips: parse -> dump -> parse -> dump gives the same text.
**   - Precedence, through the canonical fully parenthesised dump.
**   - Each statement kind, through its dump and through the tree's fields.
**   - Error messages and their line/column positions.
**   - Limits: nesting and tree height are errors, never a stack overflow.
**   - Allocation failures: fail the Nth allocation for every N; each run
**     returns HDB_NOMEM (or succeeds) and frees everything.
**   - Inputs the fuzzer once found (regressions).
*/
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "pager/buf.h"
#include "src/sql/parse.h"
#include "support/test_util.h"

/* ---------------------------------------------------------------------------
** Helpers
*/

/* Parse the first statement of sql into a (caller frees a). */
static int parse(const char *sql, hdb_sql_arena *a, hdb_sql_stmt **out, char *err, size_t errlen)
{
    hdb__sql_arena_init(a, NULL);
    return hdb__sql_parse(sql, strlen(sql), a, out, NULL, err, errlen);
}

/* The dump of a statement (static buffer). */
static const char *stmt_text(const hdb_sql_stmt *s)
{
    static char out[8192];
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__sql_stmt_dump(&b, s);
    ck_assert(!b.oom);
    snprintf(out, sizeof out, "%s", b.len ? b.data : "");
    hdb__buf_free(&b);
    return out;
}

/* parse(dump(s)) must dump to the same text.  Returns nothing; fails the
 * test with both texts otherwise. */
static void check_round_trip(const hdb_sql_stmt *s, const char *where)
{
    hdb_buf b1, b2;
    hdb_sql_arena a;
    hdb_sql_stmt *s2;
    char err[256];
    hdb__buf_init(&b1, NULL);
    hdb__buf_init(&b2, NULL);
    hdb__sql_stmt_dump(&b1, s);
    ck_assert(!b1.oom && b1.len > 0);
    hdb__sql_arena_init(&a, NULL);
    int rc = hdb__sql_parse(b1.data, b1.len, &a, &s2, NULL, err, sizeof err);
    if (rc == HDB_ERROR && strstr(err, "too many levels of nesting")) {
        /* A tall left-deep chain ("1+1+...") is legal, but its dump puts
         * one parenthesis per level and nests deeper than the limit. */
        goto out;
    }
    ck_assert_msg(rc == HDB_OK && s2, "%.200s: dump does not parse back: %s\n  dump: %.500s", where,
                  err, b1.data);
    hdb__sql_stmt_dump(&b2, s2);
    ck_assert_msg(strcmp(b1.data, b2.data) == 0, "%.200s: round trip differs\n  1: %.500s\n  2: %.500s",
                  where, b1.data, b2.data);
out:
    hdb__sql_arena_free(&a);
    hdb__buf_free(&b1);
    hdb__buf_free(&b2);
}

/* sql must parse to one statement that dumps as want (and round-trips). */
static void expect_dump(const char *sql, const char *want)
{
    hdb_sql_arena a;
    hdb_sql_stmt *s;
    char err[256];
    int rc = parse(sql, &a, &s, err, sizeof err);
    ck_assert_msg(rc == HDB_OK && s, "[%.300s]: %s", sql, err);
    const char *got = stmt_text(s);
    ck_assert_msg(strcmp(got, want) == 0, "[%s]\n got  [%s]\n want [%s]", sql, got, want);
    check_round_trip(s, sql);
    hdb__sql_arena_free(&a);
}

/* sql is the same text in canonical form. */
static void expect_same(const char *sql) { expect_dump(sql, sql); }

/* The expression e, dumped: parses "SELECT e". */
static void expect_expr(const char *expr, const char *want)
{
    char sql[1024];
    hdb_sql_arena a;
    hdb_sql_stmt *s;
    char err[256];
    snprintf(sql, sizeof sql, "SELECT %s", expr);
    int rc = parse(sql, &a, &s, err, sizeof err);
    ck_assert_msg(rc == HDB_OK && s, "[%s]: %s", expr, err);
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__sql_expr_dump(&b, s->u.select->cores[0]->cols.a[0].expr);
    ck_assert_msg(strcmp(b.data, want) == 0, "[%s]\n got  [%s]\n want [%s]", expr, b.data, want);
    check_round_trip(s, expr);
    hdb__buf_free(&b);
    hdb__sql_arena_free(&a);
}

/* sql must fail with exactly this message. */
static void expect_error(const char *sql, size_t n, const char *want)
{
    hdb_sql_arena a;
    hdb_sql_stmt *s = (hdb_sql_stmt *)1;
    const char *tail;
    char err[256];
    hdb__sql_arena_init(&a, NULL);
    int rc = hdb__sql_parse(sql, n, &a, &s, &tail, err, sizeof err);
    ck_assert_msg(rc == HDB_ERROR, "[%.*s]: rc %d, want an error", (int)n, sql, rc);
    ck_assert_ptr_null(s);
    ck_assert_ptr_eq(tail, sql + n);
    ck_assert_msg(strcmp(err, want) == 0, "[%.*s]\n got  [%s]\n want [%s]", (int)n, sql, err, want);
    hdb__sql_arena_free(&a);
}

static void expect_err(const char *sql, const char *want) { expect_error(sql, strlen(sql), want); }

/* prefix, reps copies of unit, mid, reps copies of unit2, suffix (malloc'd). */
static char *repeat(const char *prefix, const char *unit, int reps, const char *mid,
                    const char *unit2, const char *suffix)
{
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__buf_puts(&b, prefix);
    for (int i = 0; i < reps; i++)
        hdb__buf_puts(&b, unit);
    hdb__buf_puts(&b, mid);
    for (int i = 0; i < reps; i++)
        hdb__buf_puts(&b, unit2);
    hdb__buf_puts(&b, suffix);
    char *s = hdb__buf_take(&b);
    if (!s)
        abort();
    return s; /* from the libc allocator (NULL hooks): free() */
}

/* rc and the first few words of the message of parsing sql. */
static int parse_rc(const char *sql, char *err, size_t errlen)
{
    hdb_sql_arena a;
    hdb_sql_stmt *s;
    int rc = parse(sql, &a, &s, err, errlen);
    if (rc == HDB_OK)
        check_round_trip(s, "limit test");
    hdb__sql_arena_free(&a);
    return rc;
}

/* ---------------------------------------------------------------------------
** The sqllogictest corpus
*/
typedef struct slt_stats {
    long files, records, statements, error_records, error_parsed;
} slt_stats;

/* Parse every statement of sql; each one parsed must round-trip, and for
 * must_parse each must parse.  Returns the number of statements, -1 on a
 * parse error. */
static long parse_all(const char *sql, size_t n, int must_parse, const char *where)
{
    const char *p = sql, *end = sql + n;
    long count = 0;
    while (p < end) {
        hdb_sql_arena a;
        hdb_sql_stmt *s;
        const char *tail;
        char err[256];
        hdb__sql_arena_init(&a, NULL);
        int rc = hdb__sql_parse(p, (size_t)(end - p), &a, &s, &tail, err, sizeof err);
        if (rc != HDB_OK) {
            ck_assert_msg(!must_parse, "%.300s: %s\n  in: %.*s", where, err,
                          (int)(end - p < 300 ? end - p : 300), p);
            hdb__sql_arena_free(&a);
            return -1;
        }
        ck_assert_ptr_nonnull(tail);
        ck_assert(tail > p || !s);
        if (s) {
            count++;
            check_round_trip(s, where);
        }
        hdb__sql_arena_free(&a);
        if (tail <= p)
            break;
        p = tail;
    }
    return count;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r')
            return 0;
    return 1;
}

static int starts_word(const char *line, const char *word)
{
    size_t n = strlen(word);
    return strncmp(line, word, n) == 0 && (line[n] == 0 || line[n] == ' ' || line[n] == '\t');
}

/* Should a condition line make the record be skipped for engine "sqlite"? */
static int condition_skips(const char *line)
{
    char kind[16], db[32];
    if (sscanf(line, "%15s %31s", kind, db) != 2)
        return 0;
    int is_sqlite = strcasecmp(db, "sqlite") == 0;
    return strcmp(kind, "skipif") == 0 ? is_sqlite : !is_sqlite;
}

/* One record (lines[0..n)); returns 1 at a `halt` that applies. */
static int slt_record(char **lines, int n, const char *path, int lineno, slt_stats *st)
{
    int i = 0, skip = 0;
    while (i < n && (starts_word(lines[i], "skipif") || starts_word(lines[i], "onlyif")))
        skip |= condition_skips(lines[i++]);
    if (i == n)
        return 0;
    const char *h = lines[i++];
    if (starts_word(h, "halt"))
        return !skip;
    int query = starts_word(h, "query"), stmt = starts_word(h, "statement");
    if ((!query && !stmt) || skip)
        return 0;
    int must = query || strstr(h, " ok") != NULL;
    hdb_buf sql;
    hdb__buf_init(&sql, NULL);
    for (; i < n && !(query && strcmp(lines[i], "----") == 0); i++) {
        if (sql.len)
            hdb__buf_append(&sql, "\n", 1);
        hdb__buf_puts(&sql, lines[i]);
    }
    ck_assert(!sql.oom);
    char where[600];
    snprintf(where, sizeof where, "%s:%d", path, lineno);
    long k = parse_all(sql.len ? sql.data : "", sql.len, must, where);
    st->records++;
    if (must) {
        ck_assert_msg(k > 0, "%s: no statement in a record", where);
        st->statements += k;
    } else {
        st->error_records++;
        st->error_parsed += k > 0;
    }
    hdb__buf_free(&sql);
    return 0;
}

static void slt_file(const char *path, slt_stats *st)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    text[size] = 0;
    st->files++;
    /* Split into lines in place; collect each record's non-comment lines. */
    char **lines = NULL;
    int n = 0, cap = 0, lineno = 0, start = 0;
    char *p = text;
    while (p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        lineno++;
        size_t len = strlen(p);
        if (len && p[len - 1] == '\r')
            p[len - 1] = 0;
        if (is_blank(p)) {
            if (n && slt_record(lines, n, path, start, st))
                break;
            n = 0;
        } else if (p[0] != '#') {
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                lines = realloc(lines, (size_t)cap * sizeof *lines);
                ck_assert_ptr_nonnull(lines);
            }
            if (n == 0)
                start = lineno;
            lines[n++] = p;
        }
        p = nl ? nl + 1 : NULL;
    }
    if (!p && n)
        slt_record(lines, n, path, start, st);
    free(lines);
    free(text);
}

static void slt_walk(const char *dir, slt_stats *st)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &sb) != 0)
            continue;
        size_t len = strlen(e->d_name);
        if (S_ISDIR(sb.st_mode))
            slt_walk(path, st);
        else if (len > 5 && strcmp(e->d_name + len - 5, ".test") == 0)
            slt_file(path, st);
    }
    closedir(d);
}

START_TEST(test_sqllogictest_corpus)
{
    const char *dir = getenv("HDB_SLT_DIR");
    struct stat sb;
    if (!dir || !*dir)
        dir = "../shared/sqllogictest";
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("sql_parse: sqllogictest corpus not found at %s (set HDB_SLT_DIR); skipped\n", dir);
        return;
    }
    slt_stats st = {0};
    slt_walk(dir, &st);
    printf("sql_parse: sqllogictest: %ld statements parsed and round-tripped "
           "(%ld records in %ld files; %ld `statement error` records, %ld of them parse)\n",
           st.statements, st.records, st.files, st.error_records, st.error_parsed);
    ck_assert_int_gt(st.files, 0);
    ck_assert_int_gt(st.statements, 0);
}
END_TEST

/* ---------------------------------------------------------------------------
** Precedence and expressions
*/
START_TEST(test_precedence)
{
    static const char *const cases[][2] = {
        {"1 + 2 * 3", "(1 + (2 * 3))"},
        {"1 * 2 + 3", "((1 * 2) + 3)"},
        {"1 - 2 - 3", "((1 - 2) - 3)"},
        {"8 / 4 / 2 % 3", "(((8 / 4) / 2) % 3)"},
        {"a OR b AND c", "(a OR (b AND c))"},
        {"a AND b OR c", "((a AND b) OR c)"},
        {"NOT a AND b", "((NOT a) AND b)"},
        {"NOT a = b", "(NOT (a = b))"},
        {"NOT NOT a", "(NOT (NOT a))"},
        {"a = NOT b = c", "(a = (NOT (b = c)))"},
        {"a = b < c", "(a = (b < c))"},
        {"a < b = c", "((a < b) = c)"},
        {"a = b = c", "((a = b) = c)"},
        {"a == b != c <> d", "(((a = b) != c) != d)"},
        {"a < b <= c > d >= e", "((((a < b) <= c) > d) >= e)"},
        {"a & b + c", "(a & (b + c))"},
        {"a | b & c << d >> e", "((((a | b) & c) << d) >> e)"},
        {"a < b & c", "(a < (b & c))"},
        {"a + b || c", "(a + (b || c))"},
        {"a * b -> c", "(a * (b -> c))"},
        {"a -> 'x' ->> 'y'", "((a -> 'x') ->> 'y')"},
        {"a || b COLLATE x", "(a || (b COLLATE x))"},
        {"-a COLLATE x", "((-a) COLLATE x)"},
        {"-a * b", "((-a) * b)"},
        {"- - a", "(-(-a))"},
        {"~a + +b", "((~a) + (+b))"},
        {"-a || b", "((-a) || b)"},
        {"a = b IS NULL", "((a = b) IS NULL)"},
        {"a IS NULL = 0", "((a IS NULL) = 0)"},
        {"a IS NOT NULL", "(a IS NOT NULL)"},
        {"a IS (NULL)", "(a IS NULL)"},
        {"a IS b", "(a IS b)"},
        {"a IS NOT b", "(a IS NOT b)"},
        {"a IS DISTINCT FROM b", "(a IS NOT b)"},
        {"a IS NOT DISTINCT FROM b", "(a IS b)"},
        {"a IS b + 1", "(a IS (b + 1))"},
        {"a ISNULL", "(a IS NULL)"},
        {"a NOTNULL", "(a IS NOT NULL)"},
        {"a NOT NULL", "(a IS NOT NULL)"},
        {"a NOT NULL AND b", "((a IS NOT NULL) AND b)"},
        {"a BETWEEN b AND c AND d", "((a BETWEEN b AND c) AND d)"},
        {"a BETWEEN b + 1 AND c * 2", "(a BETWEEN (b + 1) AND (c * 2))"},
        {"a NOT BETWEEN 1 AND 2 = 0", "((a NOT BETWEEN 1 AND 2) = 0)"},
        {"a BETWEEN b = c AND d", "(a BETWEEN (b = c) AND d)"},
        {"a LIKE b ESCAPE c", "(a LIKE b ESCAPE c)"},
        {"a NOT LIKE 'x%' OR c", "((a NOT LIKE 'x%') OR c)"},
        {"a LIKE b || c", "(a LIKE (b || c))"},
        {"a NOT GLOB b", "(a NOT GLOB b)"},
        {"a REGEXP b AND c MATCH d", "((a REGEXP b) AND (c MATCH d))"},
        {"x IN (1, 2) = 1", "((x IN (1, 2)) = 1)"},
        {"x NOT IN (SELECT 1)", "(x NOT IN (SELECT 1))"},
        {"x IN ()", "(x IN ())"},
        {"x IN t", "(x IN t)"},
        {"x NOT IN main.t", "(x NOT IN main.t)"},
        {"(a, b) IN (SELECT 1, 2)", "((a, b) IN (SELECT 1, 2))"},
        {"(a, b) = (1, 2)", "((a, b) = (1, 2))"},
        {"(1 + 2) * 3", "((1 + 2) * 3)"},
        {"((a))", "a"},
        {"CASE WHEN a THEN b ELSE c END", "CASE WHEN a THEN b ELSE c END"},
        {"CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' END", "CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' END"},
        {"CAST(a + 1 AS INTEGER)", "CAST((a + 1) AS INTEGER)"},
        {"cast(a as varchar ( 10 ))", "CAST(a AS varchar(10))"},
        {"CAST(a AS DECIMAL(10, -2))", "CAST(a AS DECIMAL(10,-2))"},
        {"EXISTS (SELECT 1) OR NOT EXISTS (SELECT 2)", "(EXISTS (SELECT 1) OR (NOT EXISTS (SELECT 2)))"},
        {"(SELECT max(x) FROM t) + 1", "((SELECT max(x) FROM t) + 1)"},
        {"count(*) + count(DISTINCT a) + f()", "((count(*) + count(DISTINCT a)) + f())"},
        {"count(ALL a)", "count(a)"},
        {"sum(x) FILTER (WHERE x > 0)", "sum(x) FILTER (WHERE (x > 0))"},
        {"t.a + s.t.b", "(t.a + s.t.b)"},
        {"\"a b\" + [c] + `d`", "((\"a b\" + c) + d)"},
        {"\"select\"", "\"select\""},
        {"replace(a, 'x', 'y')", "\"replace\"(a, 'x', 'y')"},
        {"left(a) + right", "(\"left\"(a) + \"right\")"},
        {"key + action", "(\"key\" + \"action\")"},
        {"current_timestamp", "current_timestamp"},
        {"CURRENT_DATE()", "CURRENT_DATE"},
        {"TRUE AND false", "(TRUE AND FALSE)"},
        {"true.x", "\"true\".x"},
        {"'it''s'", "'it''s'"},
        {"x'00fF'", "X'00FF'"},
        {"NULL", "NULL"},
        {"1.5e3", "1500.0"},
        {".5", "0.5"},
        {"1e999", "1e999"},
        {"9223372036854775807", "9223372036854775807"},
        {"9223372036854775808", "9.2233720368547758e+18"},
        {"-9223372036854775808", "-9223372036854775808"},
        {"- 9223372036854775808", "-9223372036854775808"},
        {"-(9223372036854775808)", "(-9.2233720368547758e+18)"},
        {"- -9223372036854775808", "(- -9223372036854775808)"},
        {"0x7fffffffffffffff", "9223372036854775807"},
        {"0xFFFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFF"},
        {"0x0000000000000000001", "1"},
        {"-0x1", "(-1)"},
        {"? + ?5 + :a + @b + $c + :a + ?", "((((((?1 + ?5) + :a) + @b) + $c) + :a) + ?9)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_expr(cases[i][0], cases[i][1]);
}
END_TEST

START_TEST(test_expression_fields)
{
    hdb_sql_arena a;
    hdb_sql_stmt *s;
    char err[256];
    const char *sql = "SELECT (a) + \"b\", TRUE, x IS NULL, ?3, :n, :n, @m FROM t";
    ck_assert_int_eq(parse(sql, &a, &s, err, sizeof err), HDB_OK);
    hdb_sql_rescols *c = &s->u.select->cores[0]->cols;
    ck_assert_int_eq(c->n, 7);
    hdb_sql_expr *e = c->a[0].expr;
    ck_assert_int_eq(e->kind, HDB_SQL_E_BINARY);
    ck_assert_int_eq(e->op, HDB_SQL_OP_ADD);
    ck_assert_uint_eq(e->pos, 7);
    ck_assert_uint_eq(e->len, 9);
    ck_assert_int_eq(e->height, 2);
    ck_assert(e->u.binary.l->flags & HDB_SQL_EF_PAREN);
    ck_assert_str_eq(e->u.binary.l->u.col.column, "a");
    ck_assert(e->u.binary.r->flags & HDB_SQL_EF_DQUOTED);
    ck_assert_str_eq(e->u.binary.r->u.col.column, "b");
    ck_assert_ptr_null(e->u.binary.r->u.col.table);
    ck_assert_str_eq(c->a[0].span, "(a) + \"b\"");
    e = c->a[1].expr;
    ck_assert_int_eq(e->kind, HDB_SQL_E_INTEGER);
    ck_assert_int_eq(e->u.ival, 1);
    ck_assert(e->flags & HDB_SQL_EF_BOOL);
    e = c->a[2].expr;
    ck_assert_int_eq(e->kind, HDB_SQL_E_ISNULL);
    ck_assert(!(e->flags & HDB_SQL_EF_NOT));
    ck_assert_int_eq(c->a[3].expr->u.param.index, 3);
    ck_assert_int_eq(c->a[4].expr->u.param.index, 4);
    ck_assert_str_eq(c->a[4].expr->u.param.name, ":n");
    ck_assert_int_eq(c->a[5].expr->u.param.index, 4);
    ck_assert_int_eq(c->a[6].expr->u.param.index, 5);
    ck_assert_int_eq(s->nparam, 5);
    ck_assert_ptr_null(s->param_names[0]);
    ck_assert_ptr_null(s->param_names[2]);
    ck_assert_str_eq(s->param_names[3], ":n");
    ck_assert_str_eq(s->param_names[4], "@m");
    hdb__sql_arena_free(&a);

    ck_assert_int_eq(parse("SELECT 'a''b', x'00ff', 2.5, -9223372036854775808", &a, &s, err, sizeof err),
                     HDB_OK);
    c = &s->u.select->cores[0]->cols;
    ck_assert_int_eq(c->a[0].expr->kind, HDB_SQL_E_STRING);
    ck_assert_str_eq(c->a[0].expr->u.str.s, "a'b");
    ck_assert_uint_eq(c->a[0].expr->u.str.n, 3);
    ck_assert_int_eq(c->a[1].expr->kind, HDB_SQL_E_BLOB);
    ck_assert_uint_eq(c->a[1].expr->u.str.n, 2);
    ck_assert(memcmp(c->a[1].expr->u.str.s, "\x00\xff", 2) == 0);
    ck_assert_int_eq(c->a[2].expr->kind, HDB_SQL_E_FLOAT);
    ck_assert(c->a[2].expr->u.fval == 2.5);
    ck_assert_int_eq(c->a[3].expr->kind, HDB_SQL_E_INTEGER);
    ck_assert(c->a[3].expr->u.ival == INT64_MIN);
    ck_assert_uint_eq(c->a[3].expr->pos, 29);
    ck_assert_uint_eq(c->a[3].expr->len, 20);
    hdb__sql_arena_free(&a);

    ck_assert_str_eq(hdb__sql_op_name(HDB_SQL_OP_CONCAT), "||");
    ck_assert_str_eq(hdb__sql_op_name(999), "?");
    ck_assert_str_eq(hdb__sql_stmt_name(HDB_SQL_S_MERGE_BRANCH), "MERGE BRANCH");
    ck_assert_str_eq(hdb__sql_stmt_name(0), "?");
}
END_TEST

/* Parameter numbering, as SQLite: ? takes max + 1, ?N takes N, a name keeps
 * the index of its first use; many distinct names (the hash table). */
START_TEST(test_parameters)
{
    hdb_buf b;
    hdb_sql_arena a;
    hdb_sql_stmt *s;
    char err[256];
    hdb__buf_init(&b, NULL);
    hdb__buf_puts(&b, "SELECT ?");
    for (int i = 0; i < 3000; i++)
        hdb__buf_printf(&b, ", :p%d, $p%d", i, i % 7); /* $p0..$p6 repeat */
    for (int i = 2999; i >= 0; i -= 3)
        hdb__buf_printf(&b, ", :p%d", i);
    hdb__buf_puts(&b, ", ?, ?20000, ?");
    ck_assert(!b.oom);
    hdb__sql_arena_init(&a, NULL);
    ck_assert_int_eq(hdb__sql_parse(b.data, b.len, &a, &s, NULL, err, sizeof err), HDB_OK);
    hdb_sql_rescols *c = &s->u.select->cores[0]->cols;
    ck_assert_int_eq(c->a[0].expr->u.param.index, 1);
    for (int i = 0; i < 3000; i++) {
        const hdb_sql_expr *named = c->a[1 + 2 * i].expr, *dollar = c->a[2 + 2 * i].expr;
        int want = 2 + i + (i < 7 ? i : 7); /* the $p names are new only in the first 7 rounds */
        ck_assert_int_eq(named->u.param.index, want);
        ck_assert_str_eq(s->param_names[want - 1], named->u.param.name);
        ck_assert_int_eq(dollar->u.param.index, i < 7 ? want + 1 : 3 + 2 * (i % 7));
    }
    int k = 1 + 2 * 3000;
    for (int i = 2999; i >= 0; i -= 3, k++)
        ck_assert_int_eq(c->a[k].expr->u.param.index, 2 + i + (i < 7 ? i : 7));
    ck_assert_int_eq(c->a[k].expr->u.param.index, 3009); /* 1 + 3000 + 7 names, then ? */
    ck_assert_int_eq(c->a[k + 1].expr->u.param.index, 20000);
    ck_assert_int_eq(c->a[k + 2].expr->u.param.index, 20001);
    ck_assert_int_eq(s->nparam, 20001);
    ck_assert_ptr_null(s->param_names[19999]);
    hdb__sql_arena_free(&a);
    hdb__buf_free(&b);
}
END_TEST

/* ---------------------------------------------------------------------------
** Statements
*/
START_TEST(test_select_statements)
{
    expect_same("SELECT * FROM t");
    expect_dump("select distinct a as x, b y, t.*, 'c' 'd' from t1 as t, t2",
                "SELECT DISTINCT a AS x, b AS y, t.*, 'c' AS d FROM t1 AS t, t2");
    expect_dump("SELECT ALL a FROM t WHERE a > 1 GROUP BY a, b HAVING count(*) > 1 "
                "ORDER BY a COLLATE nocase DESC NULLS LAST, b ASC NULLS FIRST, c LIMIT 5 OFFSET 2",
                "SELECT a FROM t WHERE (a > 1) GROUP BY a, b HAVING (count(*) > 1) ORDER BY "
                "(a COLLATE nocase) DESC NULLS LAST, b ASC NULLS FIRST, c LIMIT 5 OFFSET 2");
    expect_dump("SELECT a FROM t LIMIT 2, 10", "SELECT a FROM t LIMIT 10 OFFSET 2");
    expect_dump("SELECT 1 UNION SELECT 2 UNION ALL SELECT 3 INTERSECT SELECT 4 EXCEPT VALUES(5) ORDER BY 1",
                "SELECT 1 UNION SELECT 2 UNION ALL SELECT 3 INTERSECT SELECT 4 EXCEPT VALUES (5) ORDER BY 1");
    expect_same("VALUES (1, 2), (3, 4)");
    expect_dump("SELECT * FROM a JOIN b ON a.x = b.x INNER JOIN c USING (x, y) LEFT OUTER JOIN d "
                "ON 1 LEFT JOIN e CROSS JOIN f NATURAL JOIN g NATURAL LEFT JOIN h RIGHT JOIN i "
                "FULL OUTER JOIN j",
                "SELECT * FROM a JOIN b ON (a.x = b.x) JOIN c USING (x, y) LEFT JOIN d ON 1 "
                "LEFT JOIN e CROSS JOIN f NATURAL JOIN g NATURAL LEFT JOIN h RIGHT JOIN i "
                "FULL JOIN j");
    expect_dump("SELECT * FROM (SELECT 1) AS s, (SELECT 2) t, (a JOIN b) c, ((SELECT 3))",
                "SELECT * FROM (SELECT 1) AS s, (SELECT 2) AS t, (a JOIN b) AS c, ((SELECT 3))");
    expect_dump("SELECT * FROM main.t INDEXED BY i, u NOT INDEXED, json_each('[1]') AS j, f()",
                "SELECT * FROM main.t INDEXED BY i, u NOT INDEXED, json_each('[1]') AS j, f()");
    expect_dump("WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x+1 FROM c WHERE x<10), "
                "d AS MATERIALIZED (SELECT 1), e AS NOT MATERIALIZED (SELECT 2) SELECT * FROM c",
                "WITH RECURSIVE c(x) AS (VALUES (1) UNION ALL SELECT (x + 1) FROM c WHERE (x < 10)), "
                "d AS MATERIALIZED (SELECT 1), e AS NOT MATERIALIZED (SELECT 2) SELECT * FROM c");
    expect_dump("SELECT a FROM t WHERE b IN (SELECT b FROM u WHERE u.c = t.c) AND EXISTS "
                "(SELECT 1 FROM v)",
                "SELECT a FROM t WHERE ((b IN (SELECT b FROM u WHERE (u.c = t.c))) AND EXISTS "
                "(SELECT 1 FROM v))");
    expect_dump("SELECT x FROM t1 WHERE x NOT NULL ORDER BY x",
                "SELECT x FROM t1 WHERE (x IS NOT NULL) ORDER BY x");
    expect_dump("SELECT group_concat(DISTINCT x) FROM t1 NOT INDEXED",
                "SELECT group_concat(DISTINCT x) FROM t1 NOT INDEXED");
    expect_dump("select a from left, right, natural", "SELECT a FROM \"left\", \"right\", \"natural\"");
    expect_dump("SELECT a FROM t HAVING a", "SELECT a FROM t HAVING a");
    expect_dump("SELECT * FROM a, b ON a.x = b.x", "SELECT * FROM a, b ON (a.x = b.x)");
}
END_TEST

START_TEST(test_select_fields)
{
    hdb_sql_arena a;
    hdb_sql_stmt *s;
    char err[256];
    ck_assert_int_eq(parse("SELECT a+b  AS x, c*2 FROM t1 AS u LEFT JOIN t2 USING (k) "
                           "UNION ALL VALUES (1, 2) ORDER BY 1 DESC LIMIT 3, 4",
                           &a, &s, err, sizeof err), HDB_OK);
    ck_assert_int_eq(s->kind, HDB_SQL_S_SELECT);
    hdb_sql_select *sel = s->u.select;
    ck_assert_int_eq(sel->ncore, 2);
    hdb_sql_core *c = sel->cores[0];
    ck_assert_int_eq(c->compound, HDB_SQL_COMPOUND_NONE);
    ck_assert_str_eq(c->cols.a[0].span, "a+b");
    ck_assert_str_eq(c->cols.a[0].alias, "x");
    ck_assert_str_eq(c->cols.a[1].span, "c*2");
    ck_assert_ptr_null(c->cols.a[1].alias);
    ck_assert_int_eq(c->from->n, 2);
    ck_assert_int_eq(c->from->a[0].join, HDB_SQL_JOIN_FIRST);
    ck_assert_str_eq(c->from->a[0].name, "t1");
    ck_assert_str_eq(c->from->a[0].alias, "u");
    ck_assert_int_eq(c->from->a[1].join, HDB_SQL_JOIN_LEFT);
    ck_assert_int_eq(c->from->a[1].natural, 0);
    ck_assert_int_eq(c->from->a[1].using_.n, 1);
    ck_assert_str_eq(c->from->a[1].using_.a[0], "k");
    c = sel->cores[1];
    ck_assert_int_eq(c->compound, HDB_SQL_COMPOUND_UNION_ALL);
    ck_assert(c->is_values);
    ck_assert_int_eq(c->nvalues, 1);
    ck_assert_int_eq(c->values[0].n, 2);
    ck_assert_int_eq(sel->order_by.n, 1);
    ck_assert_int_eq(sel->order_by.a[0].sort, HDB_SQL_SORT_DESC);
    ck_assert_int_eq(sel->limit->u.ival, 4);
    ck_assert_int_eq(sel->offset->u.ival, 3);
    ck_assert_int_eq(s->explain, 0);
    ck_assert_uint_eq(s->pos, 0);
    ck_assert_str_eq(s->sql, "SELECT a+b  AS x, c*2 FROM t1 AS u LEFT JOIN t2 USING (k) "
                             "UNION ALL VALUES (1, 2) ORDER BY 1 DESC LIMIT 3, 4");
    hdb__sql_arena_free(&a);
}
END_TEST

START_TEST(test_dml_statements)
{
    expect_dump("INSERT INTO t VALUES(1,'a'),(2,'b')", "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    expect_dump("insert or replace into main.t (a, b) select * from u",
                "REPLACE INTO main.t (a, b) SELECT * FROM u");
    expect_dump("REPLACE INTO t1 VALUES(2, 'replace')", "REPLACE INTO t1 VALUES (2, 'replace')");
    expect_same("INSERT OR IGNORE INTO t DEFAULT VALUES");
    expect_same("INSERT OR ABORT INTO t VALUES (1)");
    expect_same("INSERT OR FAIL INTO t VALUES (1)");
    expect_same("INSERT OR ROLLBACK INTO t VALUES (1)");
    expect_dump("INSERT INTO t AS q (a,b) VALUES (1,2) ON CONFLICT (a COLLATE nocase) WHERE a > 0 "
                "DO UPDATE SET b = excluded.b, (a,b) = (1,2) WHERE 1 ON CONFLICT DO NOTHING "
                "RETURNING *, a AS z",
                "INSERT INTO t AS q (a, b) VALUES (1, 2) ON CONFLICT (a COLLATE nocase) WHERE "
                "(a > 0) DO UPDATE SET b = excluded.b, (a, b) = (1, 2) WHERE 1 ON CONFLICT DO "
                "NOTHING RETURNING *, a AS z");
    expect_dump("INSERT INTO t SELECT * FROM u ON CONFLICT DO NOTHING",
                "INSERT INTO t SELECT * FROM u ON CONFLICT DO NOTHING");
    expect_dump("WITH w AS (SELECT 1) INSERT INTO t SELECT * FROM w",
                "WITH w AS (SELECT 1) INSERT INTO t SELECT * FROM w");
    expect_dump("INSERT INTO t1 VALUES(1<<63,'true');", "INSERT INTO t1 VALUES ((1 << 63), 'true')");
    expect_dump("UPDATE t1 SET x=3, x=4, x=5", "UPDATE t1 SET x = 3, x = 4, x = 5");
    expect_dump("update or fail t as u indexed by i set (a, b) = (select 1, 2), c = c + 1 "
                "from v where u.k = v.k returning a, b",
                "UPDATE OR FAIL t AS u INDEXED BY i SET (a, b) = (SELECT 1, 2), c = (c + 1) FROM "
                "v WHERE (u.k = v.k) RETURNING a, b");
    expect_same("UPDATE t NOT INDEXED SET a = NULL");
    expect_dump("WITH x AS (SELECT 1) UPDATE t SET a = 1", "WITH x AS (SELECT 1) UPDATE t SET a = 1");
    expect_dump("DELETE FROM t WHERE a IS DISTINCT FROM b RETURNING *",
                "DELETE FROM t WHERE (a IS NOT b) RETURNING *");
    expect_same("DELETE FROM s.t AS x INDEXED BY i");
    expect_same("WITH x AS (SELECT 1) DELETE FROM t WHERE (a IN x)");

    hdb_sql_arena a;
    hdb_sql_stmt *s;
    char err[256];
    ck_assert_int_eq(parse("REPLACE INTO t(a,b) VALUES (1,2),(3,4)", &a, &s, err, sizeof err), HDB_OK);
    ck_assert_int_eq(s->kind, HDB_SQL_S_INSERT);
    ck_assert_int_eq(s->u.insert.or_action, HDB_SQL_OR_REPLACE);
    ck_assert_str_eq(s->u.insert.table, "t");
    ck_assert_int_eq(s->u.insert.cols.n, 2);
    ck_assert_str_eq(s->u.insert.cols.a[1], "b");
    ck_assert(s->u.insert.select->cores[0]->is_values);
    ck_assert_int_eq(s->u.insert.select->cores[0]->nvalues, 2);
    hdb__sql_arena_free(&a);
    ck_assert_int_eq(parse("INSERT INTO t DEFAULT VALUES", &a, &s, err, sizeof err), HDB_OK);
    ck_assert_ptr_null(s->u.insert.select);
    hdb__sql_arena_free(&a);
    ck_assert_int_eq(parse("UPDATE t SET (a,b) = (1,2) WHERE k = 1", &a, &s, err, sizeof err), HDB_OK);
    ck_assert_int_eq(s->u.update.set.n, 1);
    ck_assert_int_eq(s->u.update.set.a[0].cols.n, 2);
    ck_assert_int_eq(s->u.update.set.a[0].value->kind, HDB_SQL_E_VECTOR);
    ck_assert_ptr_nonnull(s->u.update.where);
    hdb__sql_arena_free(&a);
}
END_TEST

START_TEST(test_ddl_statements)
{
    expect_dump("CREATE TABLE t1( x INTEGER PRIMARY KEY, y VARCHAR(16) )",
                "CREATE TABLE t1 (x INTEGER PRIMARY KEY, y VARCHAR(16))");
    expect_dump("create temp table if not exists s.t (a integer primary key desc on conflict "
                "replace autoincrement, b text not null on conflict fail unique default 'x' "
                "collate nocase, c decimal( 10 , 2 ) check (c > 0) references p(id) on delete "
                "cascade on update set null deferrable initially deferred, d unsigned big int "
                "null default -5, e default (1 + 2), f default current_timestamp, g default "
                "abc, h real default -1.5, i default +7, j blob default x'ff', "
                "constraint pk primary key (a, b desc) on conflict ignore, unique (c collate "
                "binary) check (d > 0) foreign key (d) references q (x) on delete set default "
                "match full) without rowid, strict",
                "CREATE TEMP TABLE IF NOT EXISTS s.t (a integer PRIMARY KEY DESC ON CONFLICT "
                "REPLACE AUTOINCREMENT, b text NOT NULL ON CONFLICT FAIL UNIQUE DEFAULT 'x' "
                "COLLATE nocase, c decimal(10,2) CHECK ((c > 0)) REFERENCES p(id) ON DELETE "
                "CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED, d unsigned big int "
                "DEFAULT -5, e DEFAULT ((1 + 2)), f DEFAULT current_timestamp, g DEFAULT 'abc', "
                "h real DEFAULT -1.5, i DEFAULT 7, j blob DEFAULT X'FF', CONSTRAINT pk PRIMARY "
                "KEY (a, b DESC) ON CONFLICT IGNORE, UNIQUE (c COLLATE binary), CHECK ((d > 0)), "
                "FOREIGN KEY (d) REFERENCES q(x) ON DELETE SET DEFAULT) WITHOUT ROWID, STRICT");
    expect_dump("CREATE TABLE t(a, b PRIMARY KEY, PRIMARY KEY(a AUTOINCREMENT))",
                "CREATE TABLE t (a, b PRIMARY KEY, PRIMARY KEY (a AUTOINCREMENT))");
    expect_dump("CREATE TABLE t(a CONSTRAINT c1 CHECK (a > 0) CONSTRAINT n NOT NULL, b "
                "REFERENCES u NOT DEFERRABLE INITIALLY DEFERRED NOT NULL)",
                "CREATE TABLE t (a NOT NULL CONSTRAINT c1 CHECK ((a > 0)), b NOT NULL REFERENCES u)");
    expect_dump("CREATE TABLE t(\"a b\" \"my type\", 'c' 'd')",
                "CREATE TABLE t (\"a b\" \"my type\", c 'd')");
    expect_dump("CREATE TABLE t AS SELECT * FROM u", "CREATE TABLE t AS SELECT * FROM u");
    expect_dump("CREATE TABLE t(a DEFAULT -9223372036854775808, b DEFAULT -0x8000000000000000, "
                "c DEFAULT 0xffffffffffffffff, d DEFAULT -0.0, e DEFAULT TRUE, f DEFAULT NULL)",
                "CREATE TABLE t (a DEFAULT -9223372036854775808, b DEFAULT 9.2233720368547758e+18, "
                "c DEFAULT -1, d DEFAULT -0.0, e DEFAULT TRUE, f DEFAULT NULL)");
    expect_dump("CREATE UNIQUE INDEX IF NOT EXISTS main.i ON t(a COLLATE nocase DESC, lower(b), "
                "c ASC) WHERE a > 0",
                "CREATE UNIQUE INDEX IF NOT EXISTS main.i ON t (a COLLATE nocase DESC, lower(b), "
                "c ASC) WHERE (a > 0)");
    expect_same("CREATE INDEX t1i1 ON t1 (x)");
    expect_dump("CREATE VIEW IF NOT EXISTS v(a, b) AS SELECT 1, 2",
                "CREATE VIEW IF NOT EXISTS v(a, b) AS SELECT 1, 2");
    expect_same("CREATE TEMP VIEW v AS SELECT * FROM t");
    expect_same("DROP TABLE IF EXISTS s.t");
    expect_same("DROP INDEX t1i1");
    expect_same("DROP VIEW v");
    expect_same("DROP TRIGGER tr");
    expect_dump("ALTER TABLE t ADD x INT NOT NULL DEFAULT 0 CHECK (x>0) REFERENCES u",
                "ALTER TABLE t ADD COLUMN x INT NOT NULL DEFAULT 0 CHECK ((x > 0)) REFERENCES u");
    expect_same("ALTER TABLE t ADD COLUMN y");
    expect_same("ALTER TABLE main.t RENAME TO u");
    expect_dump("ALTER TABLE t RENAME a TO b", "ALTER TABLE t RENAME COLUMN a TO b");
    expect_dump("ALTER TABLE t RENAME column TO b", "ALTER TABLE t RENAME COLUMN \"column\" TO b");
    expect_dump("ALTER TABLE t DROP c", "ALTER TABLE t DROP COLUMN c");
    expect_same("ALTER TABLE t DROP COLUMN c");

    hdb_sql_arena a;
    hdb_sql_stmt *s;
    char err[256];
    ck_assert_int_eq(parse("CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(10) "
                           "NOT NULL UNIQUE, price DECIMAL(10,2) CHECK(price >= 0), owner "
                           "REFERENCES users(id), CHECK(name <> ''))",
                           &a, &s, err, sizeof err), HDB_OK);
    ck_assert_int_eq(s->kind, HDB_SQL_S_CREATE_TABLE);
    hdb_sql_create_table *ct = &s->u.create_table;
    ck_assert_int_eq(ct->ncol, 4);
    ck_assert_str_eq(ct->cols[0].type, "INTEGER");
    ck_assert_uint_eq(ct->cols[0].flags, HDB_SQL_COL_PK | HDB_SQL_COL_AUTOINC);
    ck_assert_str_eq(ct->cols[1].type, "VARCHAR(10)");
    ck_assert_uint_eq(ct->cols[1].flags, HDB_SQL_COL_NOTNULL | HDB_SQL_COL_UNIQUE);
    ck_assert_str_eq(ct->cols[2].type, "DECIMAL(10,2)");
    ck_assert_ptr_null(ct->cols[3].type);
    ck_assert_int_eq(ct->ncons, 3);
    ck_assert_int_eq(ct->cons[0].kind, HDB_SQL_TC_CHECK);
    ck_assert_int_eq(ct->cons[0].column, 2);
    ck_assert_int_eq(ct->cons[1].kind, HDB_SQL_TC_FOREIGN);
    ck_assert_int_eq(ct->cons[1].column, 3);
    ck_assert_str_eq(ct->cons[1].child.a[0], "owner");
    ck_assert_str_eq(ct->cons[1].fk.table, "users");
    ck_assert_str_eq(ct->cons[1].fk.cols.a[0], "id");
    ck_assert_int_eq(ct->cons[2].kind, HDB_SQL_TC_CHECK);
    ck_assert_int_eq(ct->cons[2].column, -1);
    ck_assert_str_eq(s->sql, "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(10) "
                             "NOT NULL UNIQUE, price DECIMAL(10,2) CHECK(price >= 0), owner "
                             "REFERENCES users(id), CHECK(name <> ''))");
    hdb__sql_arena_free(&a);
    ck_assert_int_eq(parse("ALTER TABLE t ADD COLUMN c TEXT DEFAULT 'x'", &a, &s, err, sizeof err),
                     HDB_OK);
    ck_assert_int_eq(s->u.alter.action, HDB_SQL_ALTER_ADD_COLUMN);
    ck_assert_str_eq(s->u.alter.col->name, "c");
    ck_assert_str_eq(s->u.alter.col->dflt->u.str.s, "x");
    hdb__sql_arena_free(&a);
}
END_TEST

START_TEST(test_other_statements)
{
    expect_dump("BEGIN", "BEGIN");
    expect_dump("BEGIN DEFERRED TRANSACTION", "BEGIN DEFERRED");
    expect_dump("begin immediate", "BEGIN IMMEDIATE");
    expect_dump("BEGIN EXCLUSIVE TRANSACTION t1", "BEGIN EXCLUSIVE");
    expect_dump("COMMIT TRANSACTION", "COMMIT");
    expect_dump("END", "COMMIT");
    expect_dump("ROLLBACK", "ROLLBACK");
    expect_dump("ROLLBACK TRANSACTION TO sp1", "ROLLBACK TO SAVEPOINT sp1");
    expect_dump("ROLLBACK TO SAVEPOINT sp1", "ROLLBACK TO SAVEPOINT sp1");
    expect_dump("SAVEPOINT sp1", "SAVEPOINT sp1");
    expect_dump("RELEASE sp1", "RELEASE SAVEPOINT sp1");
    expect_dump("RELEASE SAVEPOINT sp1", "RELEASE SAVEPOINT sp1");
    expect_dump("PRAGMA foreign_keys", "PRAGMA foreign_keys");
    expect_dump("PRAGMA main.journal_mode=WAL", "PRAGMA main.journal_mode = WAL");
    expect_dump("PRAGMA cache_size(-2000)", "PRAGMA cache_size = -2000");
    expect_dump("PRAGMA foreign_keys = on", "PRAGMA foreign_keys = on");
    expect_dump("PRAGMA journal_mode = delete", "PRAGMA journal_mode = delete");
    expect_dump("PRAGMA user_version = +3", "PRAGMA user_version = +3");
    expect_dump("PRAGMA x = 'a b'", "PRAGMA x = 'a b'");
    expect_dump("PRAGMA x = \"1abc\"", "PRAGMA x = \"1abc\"");
    expect_dump("EXPLAIN SELECT 1", "EXPLAIN SELECT 1");
    expect_dump("EXPLAIN QUERY PLAN SELECT * FROM t", "EXPLAIN QUERY PLAN SELECT * FROM t");
    expect_dump("explain insert into t values (1)", "EXPLAIN INSERT INTO t VALUES (1)");

    hdb_sql_arena a;
    hdb_sql_stmt *s;
    char err[256];
    ck_assert_int_eq(parse("PRAGMA s.cache_size = -2000", &a, &s, err, sizeof err), HDB_OK);
    ck_assert_int_eq(s->kind, HDB_SQL_S_PRAGMA);
    ck_assert_str_eq(s->u.pragma.schema, "s");
    ck_assert_str_eq(s->u.pragma.name, "cache_size");
    ck_assert_str_eq(s->u.pragma.value, "-2000");
    ck_assert_int_eq(s->u.pragma.value_is_string, 0);
    hdb__sql_arena_free(&a);
    ck_assert_int_eq(parse("BEGIN IMMEDIATE", &a, &s, err, sizeof err), HDB_OK);
    ck_assert_int_eq(s->kind, HDB_SQL_S_BEGIN);
    ck_assert_int_eq(s->u.txn_mode, HDB_SQL_TXN_IMMEDIATE);
    hdb__sql_arena_free(&a);
    ck_assert_int_eq(parse("EXPLAIN QUERY PLAN DELETE FROM t", &a, &s, err, sizeof err), HDB_OK);
    ck_assert_int_eq(s->kind, HDB_SQL_S_DELETE);
    ck_assert_int_eq(s->explain, 2);
    hdb__sql_arena_free(&a);
}
END_TEST

START_TEST(test_branch_statements)
{
    expect_dump("CREATE BRANCH dev FROM main", "CREATE BRANCH dev FROM main");
    expect_dump("create branch audit as of timestamp '2024-12-31'",
                "CREATE BRANCH audit AS OF TIMESTAMP '2024-12-31'");
    expect_dump("CREATE BRANCH IF NOT EXISTS feature/login-v1.2 COMMENT 'it''s' READ ONLY AS OF "
                "LSN 42 FROM release/2024.1",
                "CREATE BRANCH IF NOT EXISTS feature/login-v1.2 FROM release/2024.1 AS OF LSN 42 "
                "READ ONLY COMMENT 'it''s'");
    expect_dump("CREATE BRANCH \"odd name\" FROM 'a b'", "CREATE BRANCH 'odd name' FROM 'a b'");
    expect_dump("CREATE BRANCH 1abc FROM 2024-01", "CREATE BRANCH 1abc FROM 2024-01");
    expect_dump("CREATE BRANCH a--comment\nFROM b", "CREATE BRANCH a FROM b");
    expect_dump("CREATE BRANCH a/*c*/FROM b", "CREATE BRANCH a FROM b");
    expect_dump("USE BRANCH dev;", "USE BRANCH dev");
    expect_dump("use branch 'main'", "USE BRANCH main");
    expect_dump("MERGE BRANCH dev INTO main", "MERGE BRANCH dev INTO main USING ABORT");
    expect_dump("MERGE BRANCH dev INTO main DRY RUN USING THEIRS",
                "MERGE BRANCH dev INTO main USING THEIRS DRY RUN");
    expect_dump("MERGE BRANCH a/b INTO c.d USING OURS", "MERGE BRANCH a/b INTO c.d USING OURS");
    expect_dump("DROP BRANCH IF EXISTS old-1", "DROP BRANCH IF EXISTS old-1");
    expect_dump("DROP BRANCH x", "DROP BRANCH x");
    expect_dump("SHOW BRANCHES", "SHOW BRANCHES");
    expect_dump("SHOW HISTORY", "SHOW HISTORY");
    expect_dump("SHOW HISTORY FOR BRANCH dev", "SHOW HISTORY FOR BRANCH dev");
    expect_dump("ALTER BRANCH dev SET READ ONLY", "ALTER BRANCH dev SET READ ONLY");
    expect_dump("ALTER BRANCH dev SET READ WRITE", "ALTER BRANCH dev SET READ WRITE");
    expect_dump("CHECKPOINT", "CHECKPOINT");
    /* The branch keywords stay usable as names. */
    expect_dump("CREATE TABLE branch(merge, show, use, history, lsn, comment, timestamp)",
                "CREATE TABLE \"branch\" (\"merge\", \"show\", \"use\", \"history\", \"lsn\", "
                "\"comment\", \"timestamp\")");

    hdb_sql_arena a;
    hdb_sql_stmt *s;
    char err[256];
    ck_assert_int_eq(parse("CREATE BRANCH x FROM y AS OF LSN 18446744073709551615 READ ONLY "
                           "COMMENT 'c'", &a, &s, err, sizeof err), HDB_OK);
    ck_assert_int_eq(s->kind, HDB_SQL_S_CREATE_BRANCH);
    hdb_sql_branch *b = &s->u.branch;
    ck_assert_str_eq(b->name, "x");
    ck_assert_str_eq(b->from, "y");
    ck_assert_int_eq(b->as_of, HDB_SQL_ASOF_LSN);
    ck_assert(b->lsn == UINT64_MAX);
    ck_assert_int_eq(b->read_only, 1);
    ck_assert_str_eq(b->comment, "c");
    hdb__sql_arena_free(&a);
    ck_assert_int_eq(parse("MERGE BRANCH a INTO b USING THEIRS DRY RUN", &a, &s, err, sizeof err),
                     HDB_OK);
    ck_assert_int_eq(s->kind, HDB_SQL_S_MERGE_BRANCH);
    ck_assert_str_eq(s->u.branch.name, "a");
    ck_assert_str_eq(s->u.branch.from, "b");
    ck_assert_int_eq(s->u.branch.policy, HDB_SQL_MERGE_THEIRS);
    ck_assert_int_eq(s->u.branch.dry_run, 1);
    hdb__sql_arena_free(&a);
    ck_assert_int_eq(parse("ALTER BRANCH x SET READ WRITE", &a, &s, err, sizeof err), HDB_OK);
    ck_assert_int_eq(s->kind, HDB_SQL_S_ALTER_BRANCH);
    ck_assert_int_eq(s->u.branch.read_only, 0);
    hdb__sql_arena_free(&a);
    ck_assert_int_eq(HDB_SQL_MERGE_OURS, HDB_MERGE_OURS);
    ck_assert_int_eq(HDB_SQL_MERGE_THEIRS, HDB_MERGE_THEIRS);
}
END_TEST

/* ---------------------------------------------------------------------------
** Multiple statements, empty input, contract
*/
START_TEST(test_multiple_statements)
{
    const char *sql = "  ;; SELECT 1; -- one\n INSERT INTO t VALUES (';');\n/* end */ ; ";
    const char *p = sql, *end = sql + strlen(sql);
    static const int kinds[] = {HDB_SQL_S_SELECT, HDB_SQL_S_INSERT};
    int k = 0;
    for (;;) {
        hdb_sql_arena a;
        hdb_sql_stmt *s;
        const char *tail;
        char err[128];
        hdb__sql_arena_init(&a, NULL);
        ck_assert_int_eq(hdb__sql_parse(p, (size_t)(end - p), &a, &s, &tail, err, sizeof err), HDB_OK);
        ck_assert_str_eq(err, "");
        if (!s) {
            ck_assert_ptr_eq(tail, end);
            hdb__sql_arena_free(&a);
            break;
        }
        ck_assert_int_lt(k, 2);
        ck_assert_int_eq(s->kind, kinds[k]);
        if (k == 0) {
            ck_assert_str_eq(s->sql, "SELECT 1");
            ck_assert_ptr_eq(tail, strstr(sql, "1;") + 2);
        } else {
            ck_assert_str_eq(s->sql, "INSERT INTO t VALUES (';')");
        }
        k++;
        p = tail;
        hdb__sql_arena_free(&a);
    }
    ck_assert_int_eq(k, 2);
}
END_TEST

START_TEST(test_empty_and_misuse)
{
    static const char *const empty[] = {"", "   ", ";", " ; ;; ", "-- c", "/* c */", "/* unterminated",
                                        "-- a\n-- b\n"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        hdb_sql_arena a;
        hdb_sql_stmt *s = (hdb_sql_stmt *)1;
        const char *tail = NULL;
        hdb__sql_arena_init(&a, NULL);
        ck_assert_int_eq(hdb__sql_parse(empty[i], strlen(empty[i]), &a, &s, &tail, NULL, 0), HDB_OK);
        ck_assert_ptr_null(s);
        ck_assert_ptr_eq(tail, empty[i] + strlen(empty[i]));
        hdb__sql_arena_free(&a);
    }
    hdb_sql_arena a;
    hdb_sql_stmt *s;
    hdb__sql_arena_init(&a, NULL);
    ck_assert_int_eq(hdb__sql_parse(NULL, 0, &a, &s, NULL, NULL, 0), HDB_OK);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(hdb__sql_parse(NULL, 3, &a, &s, NULL, NULL, 0), HDB_MISUSE);
    ck_assert_int_eq(hdb__sql_parse("SELECT 1", 8, NULL, &s, NULL, NULL, 0), HDB_MISUSE);
    ck_assert_int_eq(hdb__sql_parse("SELECT 1", 8, &a, NULL, NULL, NULL, 0), HDB_MISUSE);
    /* A length shorter than the string: only that prefix is read. */
    ck_assert_int_eq(hdb__sql_parse("SELECT 12345", 8, &a, &s, NULL, NULL, 0), HDB_OK);
    ck_assert_int_eq(s->u.select->cores[0]->cols.a[0].expr->u.ival, 1);
    /* No message buffer, or a tiny one: no crash, truncated text. */
    ck_assert_int_eq(hdb__sql_parse("SELECT FROM", 11, &a, &s, NULL, NULL, 0), HDB_ERROR);
    char tiny[8];
    ck_assert_int_eq(hdb__sql_parse("SELECT FROM", 11, &a, &s, NULL, tiny, sizeof tiny), HDB_ERROR);
    ck_assert_str_eq(tiny, "near \"F");
    hdb__sql_arena_free(&a);
    hdb__sql_arena_free(&a); /* twice is harmless */
}
END_TEST

/* ---------------------------------------------------------------------------
** Errors
*/
START_TEST(test_error_messages)
{
    expect_err("SELECT FROM", "near \"FROM\": syntax error at line 1 column 8");
    expect_err("SELECT * FORM t", "near \"FORM\": syntax error at line 1 column 10");
    expect_err("SELECT a FROM", "incomplete input at line 1 column 14");
    expect_err("SELECT\n  a,\n  FROM t", "near \"FROM\": syntax error at line 3 column 3");
    expect_err("SELECT 'abc", "unrecognized token: \"'abc\" at line 1 column 8");
    expect_err("SELECT \xc3\xa9\xc3\xa9 ! 1", "unrecognized token: \"!\" at line 1 column 11");
    expect_err("SELECT 1 2", "near \"2\": syntax error at line 1 column 10");
    expect_err("SELECT (((1)", "incomplete input at line 1 column 13");
    expect_err("SELECT 12abc", "unrecognized token: \"12abc\" at line 1 column 8");
    expect_error("SELECT 1\0", 9, "unrecognized token: \"?\" at line 1 column 9");
    expect_err("SELEC 1", "near \"SELEC\": syntax error at line 1 column 1");
    expect_err("INSERT INTO t", "incomplete input at line 1 column 14");
    expect_err("INSERT INTO t SET a = 1", "near \"SET\": syntax error at line 1 column 15");
    expect_err("CREATE TABLE t(a INT GENERATED ALWAYS AS (1))",
               "generated columns are not supported at line 1 column 22");
    expect_err("CREATE TABLE t(a AS (1))", "generated columns are not supported at line 1 column 18");
    expect_err("CREATE TABLE t(PRIMARY KEY(a), b)", "near \"b\": syntax error at line 1 column 32");
    expect_err("CREATE TABLE t(a) WITHOUT rowids", "unknown table option: rowids at line 1 column 19");
    expect_err("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END",
               "CREATE TRIGGER is not supported at line 1 column 8");
    expect_err("CREATE VIRTUAL TABLE t USING fts5(a)", "virtual tables are not supported at line 1 column 8");
    expect_err("SELECT sum(a) OVER (PARTITION BY b) FROM t",
               "window functions are not supported at line 1 column 15");
    expect_err("SELECT a FROM t WINDOW w AS (ORDER BY a)",
               "window functions are not supported at line 1 column 17");
    expect_err("SELECT 0x12345678901234567", "hex literal too big: 0x12345678901234567 at line 1 column 8");
    expect_err("SELECT ?0", "variable number must be between ?1 and ?32766 at line 1 column 8");
    expect_err("SELECT ?32767", "variable number must be between ?1 and ?32766 at line 1 column 8");
    expect_err("SELECT ?99999999999999999999", "variable number must be between ?1 and ?32766 at line 1 column 8");
    expect_err("VALUES (1,2),(3)", "all VALUES must have the same number of terms at line 1 column 14");
    expect_err("SELECT * FROM a NATURAL JOIN b ON 1",
               "a NATURAL join may not have an ON or USING clause at line 1 column 32");
    expect_err("SELECT * FROM a ON 1", "near \"ON\": syntax error at line 1 column 17");
    expect_err("SELECT * FROM a LEFT b", "near \"b\": syntax error at line 1 column 22");
    expect_err("SELECT RAISE(IGNORE)", "RAISE() may only be used within a trigger-program at line 1 column 8");
    expect_err("SELECT CAST(a AS)", "near \")\": syntax error at line 1 column 17");
    expect_err("USE BRANCH", "incomplete input at line 1 column 11");
    expect_err("USE BRANCH ''", "empty branch name at line 1 column 12");
    expect_err("USE BRANCH -x", "near \"-\": syntax error at line 1 column 12");
    expect_err("CREATE BRANCH a FROM b FROM c", "near \"FROM\": syntax error at line 1 column 24");
    expect_err("CREATE BRANCH a AS OF LSN 18446744073709551616", "LSN out of range at line 1 column 27");
    expect_err("CREATE BRANCH a AS OF LSN -1", "near \"-\": syntax error at line 1 column 27");
    expect_err("CREATE BRANCH a AS OF TIMESTAMP 5", "near \"5\": syntax error at line 1 column 33");
    expect_err("MERGE BRANCH a INTO b USING MINE", "near \"MINE\": syntax error at line 1 column 29");
    expect_err("MERGE BRANCH a INTO b DRY RUN DRY RUN", "near \"DRY\": syntax error at line 1 column 31");
    expect_err("ALTER BRANCH a SET READ", "incomplete input at line 1 column 24");
    expect_err("SHOW TABLES", "near \"TABLES\": syntax error at line 1 column 6");
    expect_err("EXPLAIN EXPLAIN SELECT 1", "near \"EXPLAIN\": syntax error at line 1 column 9");
    expect_err("SELECT 1 UNION", "incomplete input at line 1 column 15");
}
END_TEST

/* A message with a long token is cut, and the second statement's position
 * counts from the text handed to that call. */
START_TEST(test_error_details)
{
    hdb_sql_arena a;
    hdb_sql_stmt *s;
    const char *tail;
    char err[256];
    const char *sql = "SELECT 1;\nSELECT FROM";
    hdb__sql_arena_init(&a, NULL);
    ck_assert_int_eq(hdb__sql_parse(sql, strlen(sql), &a, &s, &tail, err, sizeof err), HDB_OK);
    ck_assert_int_eq(hdb__sql_parse(tail, strlen(tail), &a, &s, &tail, err, sizeof err), HDB_ERROR);
    ck_assert_str_eq(err, "near \"FROM\": syntax error at line 2 column 8");
    ck_assert_int_eq(hdb__sql_parse("SELECT 1; garbage", 17, &a, &s, &tail, err, sizeof err), HDB_OK);
    ck_assert_int_eq(hdb__sql_parse(tail, strlen(tail), &a, &s, &tail, err, sizeof err), HDB_ERROR);
    ck_assert_str_eq(err, "near \"garbage\": syntax error at line 1 column 2");
    hdb__sql_arena_free(&a);
    expect_err("SELECT 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
               "unrecognized token: \"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" at line 1 column 8");
    expect_err("SELECT 1 'a\nb' c", "near \"c\": syntax error at line 2 column 4");
}
END_TEST

/* ---------------------------------------------------------------------------
** Limits
*/
START_TEST(test_depth_limits)
{
    char err[256];
    char *s;
    struct { const char *pre, *unit, *mid, *unit2, *suf; } nests[] = {
        {"SELECT ", "(", "1", ")", ""},
        {"SELECT ", "~", "1", "", ""},
        {"SELECT ", "- ", "1", "", ""},
        {"SELECT ", "NOT ", "1", "", ""},
        {"SELECT ", "(SELECT ", "1", ")", ""},
        {"SELECT * FROM ", "(", "t", ")", ""},
        {"SELECT * FROM ", "(SELECT * FROM ", "t", ")", ""},
        {"SELECT ", "f(", "1", ")", ""},
        {"SELECT ", "CASE WHEN ", "1", " THEN 1 END", ""},
        {"SELECT ", "1 IN (", "1", ")", ""},
        {"SELECT ", "EXISTS (SELECT ", "1", ")", ""},
        {"SELECT ", "CAST(", "1", " AS INT)", ""},
        {"SELECT ", "a BETWEEN ", "1", " AND 2", ""},
        {"SELECT ", "1 + (", "1", ")", ""},
        {"WITH ", "a AS (WITH ", "b AS (SELECT 1) SELECT 1", ") SELECT 1", ""},
        {"SELECT ", "(1, ", "1", ")", ""},
    };
    for (size_t i = 0; i < sizeof nests / sizeof nests[0]; i++) {
        s = repeat(nests[i].pre, nests[i].unit, 50, nests[i].mid, nests[i].unit2, nests[i].suf);
        ck_assert_msg(parse_rc(s, err, sizeof err) == HDB_OK, "depth 50 of %s: %s", nests[i].unit, err);
        free(s);
        s = repeat(nests[i].pre, nests[i].unit, 100000, nests[i].mid, nests[i].unit2, nests[i].suf);
        ck_assert_msg(parse_rc(s, err, sizeof err) == HDB_ERROR, "depth 100000 of %s", nests[i].unit);
        ck_assert_msg(strstr(err, "too many levels of nesting (maximum 200)") ||
                      strstr(err, "expression tree is too large"), "%s: %s", nests[i].unit, err);
        free(s);
    }
    /* Long flat chains are fine up to the height limit, then an error. */
    s = repeat("SELECT 1", "+1", 900, "", "", "");
    ck_assert_int_eq(parse_rc(s, err, sizeof err), HDB_OK);
    free(s);
    s = repeat("SELECT 1", "+1", 1500, "", "", "");
    ck_assert_int_eq(parse_rc(s, err, sizeof err), HDB_ERROR);
    ck_assert_str_eq(err, "expression tree is too large (maximum depth 1000) at line 1 column 8");
    free(s);
    s = repeat("SELECT * FROM t WHERE a=1", " OR a=1", 5000, "", "", "");
    ck_assert_int_eq(parse_rc(s, err, sizeof err), HDB_ERROR);
    free(s);
    /* Flat lists and compounds are not nesting. */
    s = repeat("SELECT 1 IN (1", ",1", 100000, "", "", ")");
    ck_assert_int_eq(parse_rc(s, err, sizeof err), HDB_OK);
    free(s);
    s = repeat("SELECT 1", " UNION SELECT 1", 5000, "", "", "");
    ck_assert_int_eq(parse_rc(s, err, sizeof err), HDB_OK);
    free(s);
    s = repeat("INSERT INTO t VALUES (1)", ",(1)", 50000, "", "", "");
    ck_assert_int_eq(parse_rc(s, err, sizeof err), HDB_OK);
    free(s);
    s = repeat("SELECT * FROM t1", ",t1", 10000, "", "", "");
    ck_assert_int_eq(parse_rc(s, err, sizeof err), HDB_OK);
    free(s);
    /* Parameter count limit. */
    s = repeat("SELECT ?", ",?", 32765, "", "", "");
    ck_assert_int_eq(parse_rc(s, err, sizeof err), HDB_OK);
    free(s);
    s = repeat("SELECT ?", ",?", 32766, "", "", "");
    ck_assert_int_eq(parse_rc(s, err, sizeof err), HDB_ERROR);
    ck_assert(strstr(err, "too many SQL variables") != NULL);
    free(s);
}
END_TEST

/* ---------------------------------------------------------------------------
** Allocation failures
*/
typedef struct fail_alloc {
    long allocs, fail_at, live;
} fail_alloc;

static void *fa_malloc(void *ctx, size_t n)
{
    fail_alloc *f = ctx;
    if (++f->allocs == f->fail_at)
        return NULL;
    void *p = malloc(n);
    if (p)
        f->live++;
    return p;
}

static void *fa_realloc(void *ctx, void *p, size_t n)
{
    fail_alloc *f = ctx;
    if (++f->allocs == f->fail_at)
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        f->live++;
    return q;
}

static void fa_free(void *ctx, void *p)
{
    fail_alloc *f = ctx;
    if (p)
        f->live--;
    free(p);
}

START_TEST(test_allocation_failures)
{
    static const char *const stmts[] = {
        "WITH c(x) AS (SELECT 1) SELECT a + b * ?, 'str', x'00', t.*, count(DISTINCT y) FROM t1 "
        "JOIN t2 USING (k) LEFT JOIN (SELECT 1) s ON s.a = t1.a WHERE a IN (1,2,3) AND b LIKE "
        "'%x' GROUP BY 1 HAVING 1 ORDER BY 2 LIMIT 3",
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b VARCHAR(10) NOT NULL DEFAULT 'x' CHECK(b <> ''), "
        "c REFERENCES u(id), UNIQUE(b, c), FOREIGN KEY(c) REFERENCES v)",
        "INSERT INTO t(a, b) VALUES (:a, :b), (:a, 2) ON CONFLICT(a) DO UPDATE SET b = 1 RETURNING *",
        "CREATE BRANCH feature/x FROM main AS OF TIMESTAMP '2024-01-01' COMMENT 'c'",
    };
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
        int done = 0;
        for (long n = 1; !done; n++) {
            fail_alloc f = {0, n, 0};
            hdb_allocator al = {fa_malloc, fa_realloc, fa_free, &f};
            hdb_sql_arena a;
            hdb_sql_stmt *s;
            char err[128];
            hdb__sql_arena_init(&a, &al);
            int rc = hdb__sql_parse(stmts[i], strlen(stmts[i]), &a, &s, NULL, err, sizeof err);
            if (rc == HDB_OK) {
                ck_assert_ptr_nonnull(s);
                ck_assert_int_lt(f.allocs, n); /* it succeeded before the failure was due */
                done = 1;
            } else {
                ck_assert_msg(rc == HDB_NOMEM, "stmt %zu, failing allocation %ld: rc %d: %s", i, n,
                              rc, err);
                ck_assert_str_eq(err, "out of memory");
                ck_assert_ptr_null(s);
            }
            hdb__sql_arena_free(&a);
            ck_assert_int_eq(f.live, 0);
            ck_assert_int_lt(n, 100000);
        }
    }
}
END_TEST

/* ---------------------------------------------------------------------------
** Regressions: inputs the fuzzer found (each once crashed, hung, leaked or
** broke the round trip).  They must parse or fail cleanly and round-trip.
*/
START_TEST(test_fuzz_regressions)
{
    static const char *const inputs[] = {
        "SELECT 1",
        /* (CURRENT_DATE) was dumped as the call "CURRENT_DATE"(), which dumps again as
         * CURRENT_DATE: the parentheses' flag hid the keyword form */
        "SELECT a+b*2+c*3+d*4,\n       (ab+cd+++e)/5,\n       (CURRENT_DATE),\n    ~ aFROM t1\n"
        " WHERE COL1",
        "SELECT (CURRENT_TIME), (CURRENT_TIMESTAMP) FROM t",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        parse_all(inputs[i], strlen(inputs[i]), 0, "regression");
    /* A NUL inside a quoted name of a type name: the name was written back
     * cut at the NUL, and the text no longer parsed.  Now no quoted token
     * holds a NUL (token.c): each is an error. */
    static const char nul_type[] = "CREATE TABLE t(a INT `x\0y`, b)";
    static const char nul_str[] = "SELECT 'a\0b', 1";
    static const char nul_name[] = "SELECT `a\0b` FROM t";
    ck_assert_int_eq(parse_all(nul_type, sizeof nul_type - 1, 0, "regression"), -1);
    ck_assert_int_eq(parse_all(nul_str, sizeof nul_str - 1, 0, "regression"), -1);
    ck_assert_int_eq(parse_all(nul_name, sizeof nul_name - 1, 0, "regression"), -1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sql_parse");
    TCase *c = tcase_create("core");
    tcase_set_timeout(c, 120);
    tcase_add_test(c, test_precedence);
    tcase_add_test(c, test_expression_fields);
    tcase_add_test(c, test_parameters);
    tcase_add_test(c, test_select_statements);
    tcase_add_test(c, test_select_fields);
    tcase_add_test(c, test_dml_statements);
    tcase_add_test(c, test_ddl_statements);
    tcase_add_test(c, test_other_statements);
    tcase_add_test(c, test_branch_statements);
    tcase_add_test(c, test_multiple_statements);
    tcase_add_test(c, test_empty_and_misuse);
    tcase_add_test(c, test_error_messages);
    tcase_add_test(c, test_error_details);
    tcase_add_test(c, test_depth_limits);
    tcase_add_test(c, test_allocation_failures);
    tcase_add_test(c, test_fuzz_regressions);
    tcase_add_test(c, test_sqllogictest_corpus);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run(suite()); }
