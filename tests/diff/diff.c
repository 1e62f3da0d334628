/*
** diff.c — a differential tester: random SQL in the styles of SQLite's
** sqllogictest suite, run on HeliosDB Nano and on libsqlite3, answers compared.
**
**   sqldiff [-n STATEMENTS] [-s FIRST_SEED] [-k SEEDS] [-v] [-q] [-t] [-b]
**
**     -n  statements per seed (default 2000)    -s  first seed (default 1)
**     -k  number of seeds (default 1)           -v  print every statement
**     -t  also report values whose storage class differs (int vs real...)
**     -b  also build the 10,000-row indexed table and time queries on it
**     -q  print only the totals
**     -f FILE  instead: run FILE's statements (one a line) on both, show each
**
** HOW IT WORKS
**   For one seed the generator creates the same schema and rows in both
**   engines: tab0..tab2 as the index/ tests (pk INTEGER PRIMARY KEY, col0..col5
**   of types INTEGER, FLOAT, TEXT), each with its own indexes; tab3..tab5 as
**   the random/ tests (col0..col2 INTEGER); t1..t3 as select1-4 (a..e);
**   j1..j10 as select5 (a<i>..e<i>, x<i> VARCHAR(30)).  Then it generates
**   statements: expressions with unary and binary operators, CAST, CASE,
**   COALESCE/NULLIF/ABS, BETWEEN, IN lists and subqueries, EXISTS,
**   aggregates with GROUP BY/HAVING, joins of 1-4 tables, compounds,
**   ORDER BY (numbers and expressions) with LIMIT/OFFSET, views, and
**   UPDATE/DELETE followed by a re-query of the table changed.
**
**   Results are compared the way the sqllogictest runner renders them:
**   each column takes the type letter (I, R, T) of SQLite's first non-NULL
**   value in it; rows are compared in order only when the ORDER BY covers
**   every result column, otherwise sorted.  An error on one side only is a
**   difference too.  A SELECT that differs is minimised by dropping its
**   clauses and result columns one at a time while the difference stays.
**
**   A statement slower than 50 ms on HeliosDB and more than 20 times slower
**   than on SQLite is reported as slow.
**
** LIMITATIONS
**   Queries avoid what SQLite leaves unspecified: bare columns in aggregate
**   queries, LIMIT without a full ordering, the order of GROUP_CONCAT (its
**   items are compared sorted), scalar subqueries of more than one row.
*/
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include "heliosdb.h"

/* ------------------------------------------------------------------------
** Strings
*/
typedef struct sb {
    char *p;
    size_t n, cap;
} sb;

static void sb_add(sb *s, const char *fmt, ...)
{
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (s->n + (size_t)k + 1 > s->cap) {
        s->cap = 2 * (s->n + (size_t)k + 1) + 64;
        s->p = realloc(s->p, s->cap);
    }
    va_start(ap, fmt);
    vsnprintf(s->p + s->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    s->n += (size_t)k;
}

static char *sb_take(sb *s)
{
    char *p = s->p ? s->p : strdup("");
    memset(s, 0, sizeof *s);
    return p;
}

static char *xfmt(const char *fmt, ...)
{
    va_list ap;
    char *p;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    p = malloc((size_t)k + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)k + 1, fmt, ap);
    va_end(ap);
    return p;
}

/* ------------------------------------------------------------------------
** Random numbers (xorshift64*)
*/
static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return n ? (uint32_t)((rng_state * 2685821657736338717ULL) >> 33) % n : 0;
}
#define ONEIN(n) (rnd(n) == 0)

/* ------------------------------------------------------------------------
** The schema model
*/
#define MAXCOL 8
typedef struct table {
    char name[16];
    int ncol;
    char col[MAXCOL][8];
    char type[MAXCOL]; /* 'I', 'R', 'T' */
    int family;        /* 0 index-style, 1 random-style, 2 select1-style, 3 select5-style,
                          4 the big table, 5 a view */
    char *body;        /* a view: its select, to use as a subquery in FROM */
} table;

static table tabs[32];
static int ntab;

/* ------------------------------------------------------------------------
** Results
*/
typedef struct result {
    int err;
    char *errmsg;
    int ncol;
    int nrow;
    int *vtype;   /* nrow*ncol storage classes */
    char **val;   /* nrow*ncol values rendered exactly (owned) */
    double ms;
    long changes;
    int skip;     /* SQLite gave up (too slow): not compared */
} result;

static void result_free(result *r)
{
    for (int i = 0; i < r->nrow * r->ncol; i++)
        free(r->val[i]);
    free(r->val);
    free(r->vtype);
    free(r->errmsg);
    memset(r, 0, sizeof *r);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* SQLite gives up on a statement after 3 s (the generator can write joins
 * of correlated subqueries that take minutes); such statements are skipped. */
static double lite_t0;

static int lite_progress(void *arg)
{
    (void)arg;
    return now_ms() - lite_t0 > 3000;
}

static void run_sqlite(sqlite3 *db, const char *sql, result *r)
{
    sqlite3_stmt *st;
    double t0 = now_ms();
    lite_t0 = t0;
    sqlite3_progress_handler(db, 10000, lite_progress, NULL);
    int rc;
    memset(r, 0, sizeof *r);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        r->err = 1;
        r->errmsg = strdup(sqlite3_errmsg(db));
        return;
    }
    r->ncol = sqlite3_column_count(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < r->ncol; i++) {
            int t = sqlite3_column_type(st, i);
            int64_t iv = sqlite3_column_int64(st, i);
            double dv = sqlite3_column_double(st, i);
            const char *z = (const char *)sqlite3_column_text(st, i);
            int zn = sqlite3_column_bytes(st, i);
            int save = r->nrow;
            r->nrow = save; /* index = nrow*ncol + i */
            {
                int k = r->nrow * r->ncol + i;
                r->val = realloc(r->val, sizeof *r->val * (size_t)(k + 1));
                r->vtype = realloc(r->vtype, sizeof *r->vtype * (size_t)(k + 1));
                r->vtype[k] = t;
                r->val[k] = t == SQLITE_NULL      ? strdup("NULL")
                            : t == SQLITE_INTEGER ? xfmt("%lld", (long long)iv)
                            : t == SQLITE_FLOAT   ? xfmt("%.17g", dv)
                                                  : xfmt("%.*s", zn, z ? z : "");
            }
        }
        r->nrow++;
    }
    if (rc == SQLITE_INTERRUPT)
        r->skip = 1;
    if (rc != SQLITE_DONE) {
        r->err = 1;
        r->errmsg = strdup(sqlite3_errmsg(db));
    }
    r->changes = sqlite3_changes(db);
    sqlite3_finalize(st);
    r->ms = now_ms() - t0;
}

static void run_hdb(hdb *db, const char *sql, result *r)
{
    hdb_stmt *st;
    double t0 = now_ms();
    int rc;
    memset(r, 0, sizeof *r);
    if (hdb_prepare(db, sql, -1, &st, NULL) != HDB_OK || !st) {
        r->err = 1;
        r->errmsg = strdup(hdb_errmsg(db));
        return;
    }
    r->ncol = hdb_column_count(st);
    while ((rc = hdb_step(st)) == HDB_ROW) {
        for (int i = 0; i < r->ncol; i++) {
            int t = hdb_column_type(st, i);
            int64_t iv = hdb_column_int64(st, i);
            double dv = hdb_column_double(st, i);
            const char *z = hdb_column_text(st, i);
            int zn = hdb_column_bytes(st, i);
            int k = r->nrow * r->ncol + i;
            r->val = realloc(r->val, sizeof *r->val * (size_t)(k + 1));
            r->vtype = realloc(r->vtype, sizeof *r->vtype * (size_t)(k + 1));
            r->vtype[k] = t;
            r->val[k] = t == HDB_NULL      ? strdup("NULL")
                        : t == HDB_INTEGER ? xfmt("%lld", (long long)iv)
                        : t == HDB_FLOAT   ? xfmt("%.17g", dv)
                                           : xfmt("%.*s", zn, z ? z : "");
        }
        r->nrow++;
    }
    if (rc != HDB_DONE) {
        r->err = 1;
        r->errmsg = strdup(hdb_errmsg(db));
    }
    r->changes = (long)hdb_changes(db);
    hdb_finalize(st);
    r->ms = now_ms() - t0;
}

/* ------------------------------------------------------------------------
** Rendering as the sqllogictest runner does
*/
static char *render_real(double v)
{
    char buf[400], out[400];
    int exp, k = 0, neg;
    if (v == 0)
        v = 0;
    if (isnan(v))
        return strdup("NaN");
    if (isinf(v))
        return strdup(v < 0 ? "-Inf" : "Inf");
    if (fabs(v) < 1e13)
        return xfmt("%.3f", v);
    neg = v < 0;
    snprintf(buf, sizeof buf, "%.15e", fabs(v));
    exp = atoi(strchr(buf, 'e') + 1);
    if (neg)
        out[k++] = '-';
    for (int pos = 0; pos <= exp + 3 && k < 390; pos++) {
        if (pos == exp + 1)
            out[k++] = '.';
        out[k++] = pos < 16 ? buf[pos == 0 ? 0 : pos + 1] : '0';
    }
    out[k] = 0;
    return strdup(out);
}

static int cmp_rowstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The value v (exact rendering of storage class t) as letter L renders it. */
static char *render(const char *v, int t, char L, int gc)
{
    if (t == 5)
        return strdup("NULL");
    if (L == 'I') {
        int64_t i = t == 1 ? strtoll(v, NULL, 10) : t == 2 ? (int64_t)strtod(v, NULL) : (int64_t)strtod(v, NULL);
        if (t == 2) {
            double d = strtod(v, NULL);
            i = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
        }
        return xfmt("%d", (int)(int32_t)(uint32_t)(uint64_t)i);
    }
    if (L == 'R')
        return render_real(strtod(v, NULL));
    if (gc) { /* GROUP_CONCAT: sort the items */
        char *c = strdup(v), **items = malloc(sizeof *items * (strlen(v) + 1));
        int n = 0;
        sb s = {0};
        for (char *p = strtok(c, ","); p; p = strtok(NULL, ","))
            items[n++] = p;
        qsort(items, (size_t)n, sizeof *items, cmp_rowstr);
        for (int i = 0; i < n; i++)
            sb_add(&s, "%s%s", i ? "," : "", items[i]);
        free(items);
        free(c);
        return sb_take(&s);
    }
    if (!*v)
        return strdup("(empty)");
    char *p = strdup(v);
    for (char *q = p; *q; q++)
        if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e)
            *q = '@';
    return p;
}

typedef struct qinfo {
    int ordered;      /* ORDER BY covers every result column */
    unsigned gcmask;  /* result columns that are GROUP_CONCATs */
} qinfo;


/* Rows of r rendered with letters L, one string per row; sorted unless
 * ordered.  Returned-owned. */
static char **render_rows(const result *r, const char *L, const qinfo *q)
{
    char **rows = calloc((size_t)r->nrow + 1, sizeof *rows);
    for (int i = 0; i < r->nrow; i++) {
        sb s = {0};
        sb_add(&s, "%s", "");
        for (int j = 0; j < r->ncol; j++) {
            int k = i * r->ncol + j;
            char *v = render(r->val[k], r->vtype[k], L[j], j < 32 && (q->gcmask >> j & 1));
            sb_add(&s, "%s%s", j ? " " : "", v);
            free(v);
        }
        rows[i] = sb_take(&s);
    }
    if (!q->ordered)
        qsort(rows, (size_t)r->nrow, sizeof *rows, cmp_rowstr);
    return rows;
}

static void free_rows(char **rows, int n)
{
    for (int i = 0; i < n; i++)
        free(rows[i]);
    free(rows);
}

static void letters(const result *a, char *L)
{
    for (int j = 0; j < a->ncol && j < 255; j++) {
        L[j] = 'I';
        for (int i = 0; i < a->nrow; i++) {
            int t = a->vtype[i * a->ncol + j];
            if (t != 5) {
                L[j] = t == 1 ? 'I' : t == 2 ? 'R' : 'T';
                break;
            }
        }
    }
}

enum { SAME = 0, DIFF_ERR, DIFF_ROWS, DIFF_TYPE };

/* Compare SQLite's answer a with ours b. */
static int compare(const result *a, const result *b, const qinfo *q, int strict_types)
{
    char L[256];
    char **ra, **rb;
    int d = SAME;
    if (a->err || b->err)
        return a->err == b->err ? SAME : DIFF_ERR;
    if (a->ncol != b->ncol || a->nrow != b->nrow)
        return DIFF_ROWS;
    if (a->ncol > 255)
        return SAME;
    letters(a, L);
    ra = render_rows(a, L, q);
    rb = render_rows(b, L, q);
    for (int i = 0; i < a->nrow && !d; i++)
        if (strcmp(ra[i], rb[i]))
            d = DIFF_ROWS;
    free_rows(ra, a->nrow);
    free_rows(rb, b->nrow);
    if (!d && strict_types) {
        for (int i = 0; i < a->nrow * a->ncol; i++) {
            int x = a->vtype[i], y = b->vtype[i];
            if (x != y && !(q->gcmask) && !q->ordered) {
                /* only meaningful when the rows line up; unordered rows
                 * are compared as multisets of types per column */
            }
        }
        /* per column sets of storage classes */
        for (int j = 0; j < a->ncol; j++) {
            int ca[6] = {0}, cb[6] = {0};
            for (int i = 0; i < a->nrow; i++) {
                ca[a->vtype[i * a->ncol + j] % 6]++;
                cb[b->vtype[i * a->ncol + j] % 6]++;
            }
            if (memcmp(ca, cb, sizeof ca))
                d = DIFF_TYPE;
        }
    }
    return d;
}

static void show_result(const char *who, const result *r, const result *ref, const qinfo *q)
{
    char L[256];
    char **rows;
    if (r->err) {
        printf("  %s: error: %s\n", who, r->errmsg ? r->errmsg : "?");
        return;
    }
    if (ref->err || ref->ncol != r->ncol || r->ncol > 255)
        letters(r, L);
    else
        letters(ref, L);
    rows = render_rows(r, L, q);
    printf("  %s: %d row%s\n", who, r->nrow, r->nrow == 1 ? "" : "s");
    for (int i = 0; i < r->nrow && i < 12; i++) {
        printf("    %s   [", rows[i]);
        for (int j = 0; j < r->ncol; j++)
            printf("%s%c", j ? "," : "", "?IRTBN"[r->vtype[i * r->ncol + j] % 6]);
        printf("]\n");
    }
    if (r->nrow > 12)
        printf("    ...\n");
    free_rows(rows, r->nrow);
}

/* ------------------------------------------------------------------------
** Schema and data
*/
static const char *words[] = {"a", "b", "abc", "xyz", "foo", "bar", "hello", "", "1", "10",
                              "2.5", "zz", "Abc", "table tn", "-3"};

static void lit_of(sb *s, char type, int nullpct)
{
    if ((int)rnd(100) < nullpct) {
        sb_add(s, "NULL");
        return;
    }
    if (type == 'I')
        sb_add(s, "%d", (int)rnd(40) - (ONEIN(8) ? 20 : 0));
    else if (type == 'R')
        sb_add(s, "%d.%02d", (int)rnd(60) - (ONEIN(8) ? 30 : 0), (int)rnd(100));
    else
        sb_add(s, "'%s'", words[rnd(sizeof words / sizeof *words)]);
}

static table *add_table(const char *name, int family)
{
    table *t = &tabs[ntab++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->family = family;
    return t;
}

static void add_col(table *t, const char *name, char type)
{
    snprintf(t->col[t->ncol], sizeof t->col[0], "%s", name);
    t->type[t->ncol++] = type;
}

/* Append to setup the statements that create the schema and rows. */
static void gen_schema(char ***setup, int *nsetup, int big)
{
    sb s = {0};
#define EMIT() ((*setup) = realloc(*setup, sizeof **setup * (size_t)(*nsetup + 1)), \
                (*setup)[(*nsetup)++] = sb_take(&s))
    ntab = 0;
    for (int k = 0; k < 3; k++) { /* index/ style */
        static const char tp[] = "IRTIRT";
        char nm[16];
        table *t;
        int nrow = 5 + (int)rnd(25), pk = (int)rnd(5);
        snprintf(nm, sizeof nm, "tab%d", k);
        t = add_table(nm, 0);
        add_col(t, "pk", 'I');
        for (int c = 0; c < 6; c++) {
            char cn[8];
            snprintf(cn, sizeof cn, "col%d", c);
            add_col(t, cn, tp[c]);
        }
        sb_add(&s, "CREATE TABLE %s(pk INTEGER PRIMARY KEY, col0 INTEGER, col1 FLOAT, col2 TEXT, "
                   "col3 INTEGER, col4 FLOAT, col5 TEXT)", nm);
        EMIT();
        for (int i = 0; i < nrow; i++) {
            pk += 1 + (int)rnd(3);
            sb_add(&s, "INSERT INTO %s VALUES(%d", nm, pk);
            for (int c = 0; c < 6; c++) {
                sb_add(&s, ",");
                lit_of(&s, tp[c], k == 2 ? 15 : 3);
            }
            sb_add(&s, ")");
            EMIT();
        }
        for (int x = 0, nx = (int)rnd(4); x < nx; x++) {
            int c1 = 1 + (int)rnd(6), c2 = 1 + (int)rnd(6);
            sb_add(&s, "CREATE %sINDEX idx_%s_%d ON %s(col%d%s", ONEIN(6) ? "UNIQUE " : "", nm, x, nm,
                   c1 - 1, ONEIN(3) ? " DESC" : "");
            if (c2 != c1 && ONEIN(2))
                sb_add(&s, ",col%d%s", c2 - 1, ONEIN(3) ? " DESC" : "");
            sb_add(&s, ")");
            EMIT();
        }
    }
    for (int k = 3; k < 6; k++) { /* random/ style */
        char nm[16];
        table *t;
        snprintf(nm, sizeof nm, "tab%d", k);
        t = add_table(nm, 1);
        add_col(t, "col0", 'I');
        add_col(t, "col1", 'I');
        add_col(t, "col2", 'I');
        sb_add(&s, "CREATE TABLE %s(col0 INTEGER, col1 INTEGER, col2 INTEGER)", nm);
        EMIT();
        for (int i = 0, n = 3 + (int)rnd(3); i < n; i++) {
            sb_add(&s, "INSERT INTO %s VALUES(%d,%d,%d)", nm, (int)rnd(100), (int)rnd(100),
                   (int)rnd(100) - (ONEIN(4) ? 50 : 0));
            EMIT();
        }
        if (ONEIN(2)) {
            sb_add(&s, "CREATE INDEX idx_%s ON %s(col%d)", nm, nm, (int)rnd(3));
            EMIT();
        }
    }
    for (int k = 1; k <= 3; k++) { /* select1-4 style */
        char nm[16];
        table *t;
        snprintf(nm, sizeof nm, "t%d", k);
        t = add_table(nm, 2);
        for (int c = 0; c < 5; c++) {
            char cn[2] = {(char)('a' + c), 0};
            add_col(t, cn, 'I');
        }
        sb_add(&s, "CREATE TABLE %s(a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER)", nm);
        EMIT();
        for (int i = 0, n = 5 + (int)rnd(25); i < n; i++) {
            sb_add(&s, "INSERT INTO %s VALUES(", nm);
            for (int c = 0; c < 5; c++) {
                if (c)
                    sb_add(&s, ",");
                if (ONEIN(12))
                    sb_add(&s, "NULL");
                else
                    sb_add(&s, "%d", 100 + (int)rnd(150));
            }
            sb_add(&s, ")");
            EMIT();
        }
        if (ONEIN(2)) {
            sb_add(&s, "CREATE INDEX %s_i ON %s(%c,%c)", nm, nm, 'a' + (int)rnd(5), 'a' + (int)rnd(5));
            EMIT();
        }
    }
    for (int k = 1; k <= 10; k++) { /* select5 style */
        char nm[16], cn[8];
        table *t;
        snprintf(nm, sizeof nm, "j%d", k);
        t = add_table(nm, 3);
        for (int c = 0; c < 5; c++) {
            snprintf(cn, sizeof cn, "%c%d", 'a' + c, k);
            add_col(t, cn, 'I');
        }
        snprintf(cn, sizeof cn, "x%d", k);
        add_col(t, cn, 'T');
        sb_add(&s, "CREATE TABLE %s(a%d INTEGER, b%d INTEGER, c%d INTEGER, d%d INTEGER, e%d INTEGER, "
                   "x%d VARCHAR(30))", nm, k, k, k, k, k, k);
        EMIT();
        for (int i = 0; i < 10; i++) {
            sb_add(&s, "INSERT INTO %s VALUES(%d,%d,%d,%d,%d,'table %s row %d')", nm, (int)rnd(10) + 1,
                   (int)rnd(10) + 1, (int)rnd(10) + 1, (int)rnd(10) + 1, (int)rnd(10) + 1, nm, i + 1);
            EMIT();
        }
        if (ONEIN(2)) {
            sb_add(&s, "CREATE INDEX %s_a ON %s(a%d)", nm, nm, k);
            EMIT();
        }
    }
    if (big) {
        table *t = add_table("big", 4);
        add_col(t, "pk", 'I');
        add_col(t, "col0", 'I');
        add_col(t, "col1", 'R');
        add_col(t, "col3", 'I');
        sb_add(&s, "CREATE TABLE big(pk INTEGER PRIMARY KEY, col0 INTEGER, col1 FLOAT, col3 INTEGER)");
        EMIT();
        sb_add(&s, "BEGIN");
        EMIT();
        for (int i = 0; i < 10000; i++) {
            sb_add(&s, "INSERT INTO big VALUES(%d,%d,%d.%d,%d)", i, (int)rnd(10000), (int)rnd(10000),
                   (int)rnd(100), (int)rnd(10000));
            EMIT();
        }
        sb_add(&s, "COMMIT");
        EMIT();
        sb_add(&s, "CREATE INDEX big_0 ON big(col0)");
        EMIT();
        sb_add(&s, "CREATE INDEX big_13 ON big(col1, col3 DESC)");
        EMIT();
    }
#undef EMIT
}

/* ------------------------------------------------------------------------
** Expressions
*/
typedef struct fromitem {
    const table *t;
    char alias[12]; /* or "" */
} fromitem;

typedef struct scope {
    fromitem f[12];
    int nf;
    const struct scope *outer; /* for correlated subqueries */
    int agg;                   /* aggregates allowed here */
    int nocols;                /* column references not allowed (aggregate query, outside groups) */
    char groupcols[8][24];     /* what a bare column may be in an aggregate query */
    int ngroup;
} scope;

static int depth_left;
static int force_qual; /* an ON clause: later tables of the FROM may share names */

static void gen_expr(sb *s, const scope *sc, int d);
static void gen_pred(sb *s, const scope *sc, int d);
static void gen_subselect(sb *s, const scope *outer, int kind);

static const char *qual(const fromitem *fi) { return fi->alias[0] ? fi->alias : fi->t->name; }

/* A column of the scope, written as the generator likes. */
static void gen_colref(sb *s, const scope *sc, char want)
{
    if (sc->nocols) {
        if (sc->ngroup) {
            sb_add(s, "%s", sc->groupcols[rnd((uint32_t)sc->ngroup)]);
            return;
        }
        lit_of(s, want ? want : 'I', 5);
        return;
    }
    if (sc->outer && ONEIN(4) && sc->outer->nf && !sc->outer->nocols) {
        const fromitem *fi = &sc->outer->f[rnd((uint32_t)sc->outer->nf)];
        int c = (int)rnd((uint32_t)fi->t->ncol);
        sb_add(s, "%s.%s", qual(fi), fi->t->col[c]);
        return;
    }
    if (!sc->nf) {
        lit_of(s, want ? want : 'I', 10);
        return;
    }
    const fromitem *fi = &sc->f[rnd((uint32_t)sc->nf)];
    int c = (int)rnd((uint32_t)fi->t->ncol);
    if (want)
        for (int tries = 0; tries < 4 && fi->t->type[c] != want; tries++)
            c = (int)rnd((uint32_t)fi->t->ncol);
    int unique = 1;
    for (int i = 0; i < sc->nf; i++)
        if (&sc->f[i] != fi)
            for (int j = 0; j < sc->f[i].t->ncol; j++)
                if (!strcmp(sc->f[i].t->col[j], fi->t->col[c]))
                    unique = 0;
    if (unique && !sc->outer && !force_qual && ONEIN(2))
        sb_add(s, "%s", fi->t->col[c]);
    else
        sb_add(s, "%s.%s", qual(fi), fi->t->col[c]);
}

static void gen_literal(sb *s)
{
    switch (rnd(8)) {
    case 0:
        sb_add(s, "NULL");
        break;
    case 1:
        if (ONEIN(10))
            sb_add(s, "%s", ONEIN(2) ? "9223372036854775807" : ONEIN(2) ? "4611686018427387904" : "1e308");
        else
            sb_add(s, "%d.%d", (int)rnd(100), (int)rnd(100));
        break;
    case 2:
        sb_add(s, "'%s'", words[rnd(sizeof words / sizeof *words)]);
        break;
    default:
        sb_add(s, "%d", (int)rnd(100));
        break;
    }
}

static const char *unary(void)
{
    static const char *u[] = {"", "", "", "- ", "+ ", "- - ", "+ - "};
    return u[rnd(7)];
}

static void gen_agg(sb *s, const scope *sc, int d)
{
    static const char *fn[] = {"COUNT", "SUM", "AVG", "MIN", "MAX", "TOTAL", "COUNT"};
    int f = (int)rnd(7);
    scope in = *sc;
    in.agg = 0;
    in.nocols = 0;
    in.ngroup = 0;
    in.outer = NULL; /* an aggregate of outer columns only belongs to the outer query */
    if (f == 0 && ONEIN(2)) {
        sb_add(s, "COUNT( * )");
        return;
    }
    sb_add(s, "%s( %s", fn[f], ONEIN(3) ? "DISTINCT " : ONEIN(4) ? "ALL " : "");
    if (ONEIN(3))
        gen_expr(s, &in, d - 1);
    else {
        sb_add(s, "%s", unary());
        gen_colref(s, &in, 0);
    }
    sb_add(s, " )");
}

static void gen_expr(sb *s, const scope *sc, int d)
{
    int k = d <= 0 ? (int)rnd(3) : (int)rnd(24);
    if (--depth_left < 0)
        k = (int)rnd(3);
    switch (k) {
    case 0:
    case 1:
        sb_add(s, "%s", unary());
        gen_colref(s, sc, 0);
        break;
    case 2:
        sb_add(s, "%s", unary());
        gen_literal(s);
        break;
    case 3:
    case 4:
    case 5:
    case 6: {
        static const char *op[] = {"+", "-", "*", "/", "%", "+", "-", "*"};
        int paren = ONEIN(3);
        sb_add(s, "%s", paren ? "( " : "");
        gen_expr(s, sc, d - 1);
        sb_add(s, " %s ", op[rnd(8)]);
        gen_expr(s, sc, d - 1);
        sb_add(s, "%s", paren ? " )" : "");
        break;
    }
    case 7: {
        static const char *ty[] = {"INTEGER", "REAL", "TEXT", "SIGNED", "DECIMAL", "VARCHAR(10)",
                                   "NUMERIC", "INTEGER"};
        sb_add(s, "%sCAST( ", unary());
        gen_expr(s, sc, d - 1);
        sb_add(s, " AS %s )", ty[rnd(8)]);
        break;
    }
    case 8:
        sb_add(s, "CASE ");
        if (ONEIN(2)) {
            gen_expr(s, sc, d - 1);
            for (int i = 0, n = 1 + (int)rnd(2); i < n; i++) {
                sb_add(s, " WHEN ");
                gen_expr(s, sc, d - 1);
                sb_add(s, " THEN ");
                gen_expr(s, sc, d - 1);
            }
        } else {
            for (int i = 0, n = 1 + (int)rnd(2); i < n; i++) {
                sb_add(s, " WHEN ");
                gen_pred(s, sc, d - 1);
                sb_add(s, " THEN ");
                gen_expr(s, sc, d - 1);
            }
        }
        if (ONEIN(2)) {
            sb_add(s, " ELSE ");
            gen_expr(s, sc, d - 1);
        }
        sb_add(s, " END");
        break;
    case 9:
        sb_add(s, "COALESCE( ");
        gen_expr(s, sc, d - 1);
        for (int i = 0, n = 1 + (int)rnd(2); i < n; i++) {
            sb_add(s, ", ");
            gen_expr(s, sc, d - 1);
        }
        sb_add(s, " )");
        break;
    case 10:
        sb_add(s, "NULLIF( ");
        gen_expr(s, sc, d - 1);
        sb_add(s, ", ");
        gen_expr(s, sc, d - 1);
        sb_add(s, " )");
        break;
    case 11:
        sb_add(s, "%sABS( ", unary());
        gen_expr(s, sc, d - 1);
        sb_add(s, " )");
        break;
    case 12:
    case 13:
    case 14:
        if (sc->agg) {
            sb_add(s, "%s", unary());
            gen_agg(s, sc, d);
        } else {
            sb_add(s, "%s", unary());
            gen_colref(s, sc, 0);
        }
        break;
    case 15:
        sb_add(s, "%s( ", unary());
        gen_subselect(s, sc, 0);
        sb_add(s, " )");
        break;
    case 16:
        sb_add(s, "( ");
        gen_expr(s, sc, d - 1);
        sb_add(s, " )");
        break;
    case 17:
        sb_add(s, "CASE WHEN ");
        gen_pred(s, sc, d - 1);
        sb_add(s, " THEN 1 ELSE 0 END");
        break;
    case 18:
        gen_expr(s, sc, d - 1);
        sb_add(s, " || ");
        gen_expr(s, sc, d - 1);
        break;
    default:
        sb_add(s, "%s", unary());
        gen_colref(s, sc, 0);
        sb_add(s, " %s %d", ONEIN(2) ? "+" : "*", (int)rnd(99));
        break;
    }
}

static void gen_cmp(sb *s, const scope *sc, int d)
{
    static const char *op[] = {"=", "<>", "<", "<=", ">", ">=", "!=", "IS", "IS NOT", "=="};
    gen_expr(s, sc, d - 1);
    sb_add(s, " %s ", op[rnd(10)]);
    gen_expr(s, sc, d - 1);
}

static void gen_pred(sb *s, const scope *sc, int d)
{
    int k = d <= 0 ? (int)rnd(3) : (int)rnd(16);
    if (--depth_left < 0)
        k = (int)rnd(3);
    switch (k) {
    case 0:
    case 1:
        gen_cmp(s, sc, 1);
        break;
    case 2:
        gen_expr(s, sc, 0);
        sb_add(s, " IS %sNULL", ONEIN(2) ? "NOT " : "");
        break;
    case 3:
    case 4:
        sb_add(s, "( ");
        gen_pred(s, sc, d - 1);
        sb_add(s, " %s ", ONEIN(2) ? "AND" : "OR");
        gen_pred(s, sc, d - 1);
        sb_add(s, " )");
        break;
    case 5:
        sb_add(s, "NOT ");
        if (ONEIN(2)) {
            sb_add(s, "( ");
            gen_pred(s, sc, d - 1);
            sb_add(s, " )");
        } else
            gen_pred(s, sc, d - 1);
        break;
    case 6:
        gen_expr(s, sc, d - 1);
        sb_add(s, " %sBETWEEN ", ONEIN(3) ? "NOT " : "");
        gen_expr(s, sc, d - 1);
        sb_add(s, " AND ");
        gen_expr(s, sc, d - 1);
        break;
    case 7:
    case 8:
        gen_expr(s, sc, d - 1);
        sb_add(s, " %sIN ( ", ONEIN(3) ? "NOT " : "");
        if (ONEIN(8)) {
            sb_add(s, " )");
            break;
        }
        for (int i = 0, n = 1 + (int)rnd(5); i < n; i++) {
            if (i)
                sb_add(s, ", ");
            if (ONEIN(4))
                gen_expr(s, sc, 0);
            else
                gen_literal(s);
        }
        sb_add(s, " )");
        break;
    case 9:
        gen_expr(s, sc, d - 1);
        sb_add(s, " %sIN ( ", ONEIN(3) ? "NOT " : "");
        gen_subselect(s, sc, 1);
        sb_add(s, " )");
        break;
    case 10:
        sb_add(s, "%sEXISTS ( ", ONEIN(3) ? "NOT " : "");
        gen_subselect(s, sc, 2);
        sb_add(s, " )");
        break;
    case 11:
        sb_add(s, "( ");
        gen_expr(s, sc, d - 1);
        sb_add(s, " ) IS %sNULL", ONEIN(2) ? "NOT " : "");
        break;
    case 12:
        sb_add(s, "NOT ( NULL ) IS NULL");
        break;
    case 13:
        gen_expr(s, sc, d - 1);
        break;
    default:
        gen_cmp(s, sc, d);
        break;
    }
}

static const table *pick_table(int family)
{
    int idx[32], n = 0;
    for (int i = 0; i < ntab; i++)
        if (tabs[i].family == family)
            idx[n++] = i;
    return &tabs[idx[rnd((uint32_t)n)]];
}

/* kind 0: a scalar subquery (one row, one column); 1: one column; 2: any. */
static void gen_subselect(sb *s, const scope *outer, int kind)
{
    scope in;
    memset(&in, 0, sizeof in);
    in.outer = outer->outer ? NULL : outer; /* one level of correlation */
    in.nf = 1;
    in.f[0].t = pick_table((int)rnd(3));
    snprintf(in.f[0].alias, sizeof in.f[0].alias, "sq%d", (int)rnd(10));
    sb_add(s, "SELECT ");
    if (kind == 0) {
        in.agg = 1;
        gen_agg(s, &in, 1);
        if (ONEIN(3)) {
            sb_add(s, " + ");
            gen_agg(s, &in, 1);
        }
    } else if (kind == 1)
        gen_expr(s, &in, 1);
    else
        sb_add(s, "*");
    sb_add(s, " FROM %s AS %s", in.f[0].t->name, in.f[0].alias);
    in.agg = 0;
    if (!ONEIN(4)) {
        sb_add(s, " WHERE ");
        gen_pred(s, &in, 2);
    }
}

/* ------------------------------------------------------------------------
** Statements
*/
#define MAXITEM 6
typedef struct query {
    char *item[MAXITEM];
    int nitem;
    int distinct;
    char *from, *where, *group, *having, *order, *limit;
    int ordered;
    unsigned gcmask;
} query;

static void query_free(query *q)
{
    for (int i = 0; i < q->nitem; i++)
        free(q->item[i]);
    free(q->from);
    free(q->where);
    free(q->group);
    free(q->having);
    free(q->order);
    free(q->limit);
    memset(q, 0, sizeof *q);
}

static char *query_sql(const query *q)
{
    sb s = {0};
    sb_add(&s, "SELECT %s", q->distinct == 1 ? "DISTINCT " : q->distinct == 2 ? "ALL " : "");
    for (int i = 0; i < q->nitem; i++)
        sb_add(&s, "%s%s", i ? ", " : "", q->item[i]);
    if (q->from)
        sb_add(&s, " FROM %s", q->from);
    if (q->where)
        sb_add(&s, " WHERE %s", q->where);
    if (q->group)
        sb_add(&s, " GROUP BY %s", q->group);
    if (q->having)
        sb_add(&s, " HAVING %s", q->having);
    if (q->order)
        sb_add(&s, " ORDER BY %s", q->order);
    if (q->limit)
        sb_add(&s, " %s", q->limit);
    return sb_take(&s);
}

/* A source of the FROM clause: a view is sometimes written out as a
 * subquery (which then needs its alias). */
static void emit_source(sb *s, fromitem *fi, int i)
{
    if (fi->t->family == 5 && fi->t->body && ONEIN(2)) {
        if (!fi->alias[0])
            snprintf(fi->alias, sizeof fi->alias, "cor%d", i & 7);
        sb_add(s, "( %s ) AS %s", fi->t->body, fi->alias);
        return;
    }
    sb_add(s, "%s", fi->t->name);
    if (fi->alias[0])
        sb_add(s, "%s%s", ONEIN(2) ? " AS " : " ", fi->alias);
}

/* The FROM clause: 1-4 sources of the families allowed. */
static void gen_from(sb *s, scope *sc, int maxsrc)
{
    int n = 1 + (ONEIN(2) ? 0 : (int)rnd((uint32_t)maxsrc));
    int fam = (int)rnd(3);
    int views = 0;
    for (int i = 0; i < ntab; i++)
        views += tabs[i].family == 5;
    for (int i = 0; i < n; i++) {
        fromitem *fi = &sc->f[sc->nf];
        int f = ONEIN(3) ? (int)rnd(3) : fam;
        if (views && ONEIN(4))
            f = 5;
        fi->t = pick_table(f);
        if (ONEIN(2) || i > 0)
            snprintf(fi->alias, sizeof fi->alias, "cor%d", i);
        else
            fi->alias[0] = 0;
        for (int j = 0; j < sc->nf; j++)
            if (!strcmp(qual(&sc->f[j]), qual(fi)))
                snprintf(fi->alias, sizeof fi->alias, "cor%d", i);
        if (i) {
            int how = (int)rnd(5);
            sb_add(s, "%s", how == 0 ? ", " : how == 1 ? " CROSS JOIN " : how == 2 ? " JOIN "
                                            : how == 3 ? " INNER JOIN " : " LEFT JOIN ");
            emit_source(s, fi, i);
            sc->nf++;
            if (how >= 2) {
                sb_add(s, " ON ");
                force_qual = 1;
                gen_pred(s, sc, 2);
                force_qual = 0;
            }
            continue;
        }
        emit_source(s, fi, i);
        sc->nf++;
    }
}

/* A simple SELECT; ncol > 0 fixes the number of result columns. */
static void gen_query(query *q, int ncol, int allow_order, const char *colalias)
{
    scope sc;
    sb s = {0};
    int agg = ONEIN(3), grouped = agg && ONEIN(2);
    memset(q, 0, sizeof *q);
    memset(&sc, 0, sizeof sc);
    depth_left = 40;
    if (!ONEIN(12)) {
        gen_from(&s, &sc, 3);
        q->from = sb_take(&s);
    }
    if (!ONEIN(4)) {
        gen_pred(&s, &sc, 3);
        q->where = sb_take(&s);
    }
    if (grouped && sc.nf) {
        for (int i = 0, n = 1 + (int)rnd(2); i < n; i++) {
            sb g = {0};
            scope plain = sc;
            plain.outer = NULL;
            gen_colref(&g, &plain, 0);
            char *c = sb_take(&g);
            snprintf(sc.groupcols[sc.ngroup++], sizeof sc.groupcols[0], "%s", c);
            sb_add(&s, "%s%s", i ? ", " : "", c);
            free(c);
        }
        q->group = sb_take(&s);
    }
    if (agg) {
        sc.agg = 1;
        sc.nocols = 1;
    }
    q->nitem = ncol > 0 ? ncol : 1 + (int)rnd(3);
    for (int i = 0; i < q->nitem; i++) {
        if (agg && !grouped && ONEIN(2)) {
            gen_agg(&s, &sc, 2);
        } else if (agg && ONEIN(5)) {
            sb_add(&s, "GROUP_CONCAT( ");
            scope in = sc;
            in.agg = in.nocols = in.ngroup = 0;
            gen_colref(&s, &in, 0);
            sb_add(&s, " )");
            q->gcmask |= 1u << i;
        } else
            gen_expr(&s, &sc, 2);
        if (colalias)
            sb_add(&s, " AS %s%d", colalias, i);
        else if (ONEIN(6))
            sb_add(&s, " AS col%d", (int)rnd(6));
        q->item[i] = sb_take(&s);
    }
    if (agg && (q->group || ONEIN(4)) && ONEIN(2)) { /* HAVING without GROUP BY too */
        gen_pred(&s, &sc, 2);
        q->having = sb_take(&s);
    }
    q->distinct = ONEIN(4) ? 1 : ONEIN(8) ? 2 : 0;
    if (allow_order && ONEIN(2)) {
        int full = ONEIN(2);
        if (full) {
            int perm[MAXITEM];
            for (int i = 0; i < q->nitem; i++)
                perm[i] = i;
            for (int i = q->nitem - 1; i > 0; i--) {
                int j = (int)rnd((uint32_t)i + 1), x = perm[i];
                perm[i] = perm[j];
                perm[j] = x;
            }
            for (int i = 0; i < q->nitem; i++)
                sb_add(&s, "%s%d%s", i ? ", " : "", perm[i] + 1, ONEIN(2) ? " DESC" : ONEIN(3) ? " ASC" : "");
            q->ordered = 1;
            if (q->gcmask)
                q->ordered = 0;
        } else if (ONEIN(2)) { /* an expression (an aggregate's in a grouped query) */
            gen_expr(&s, &sc, 1);
            if (ONEIN(2))
                sb_add(&s, " DESC");
        } else
            sb_add(&s, "%d", 1 + (int)rnd((uint32_t)q->nitem));
        q->order = sb_take(&s);
        if (q->ordered && ONEIN(2)) {
            sb_add(&s, "LIMIT %d", (int)rnd(8));
            if (ONEIN(2))
                sb_add(&s, " OFFSET %d", (int)rnd(5));
            q->limit = sb_take(&s);
        }
    }
}

/* ------------------------------------------------------------------------
** The run
*/
typedef struct ctx {
    sqlite3 *lite;
    hdb *h;
    int verbose, quiet, strict_types;
    long compared, diffs, slow, errdiffs, typediffs;
} ctx;

static int diff_of(ctx *c, const char *sql, const qinfo *qi, result *a, result *b)
{
    run_sqlite(c->lite, sql, a);
    if (a->skip) {
        memset(b, 0, sizeof *b);
        return SAME;
    }
    run_hdb(c->h, sql, b);
    if (!a->err && !b->err && a->changes != b->changes && !a->ncol &&
        (!strncmp(sql, "INSERT", 6) || !strncmp(sql, "UPDATE", 6) || !strncmp(sql, "DELETE", 6)))
        return DIFF_ROWS;
    return compare(a, b, qi, c->strict_types);
}

static void report(ctx *c, const char *what, const char *sql, const result *a, const result *b,
                   const qinfo *qi)
{
    if (c->quiet)
        return;
    printf("DIFF (%s): %s\n", what, sql);
    show_result("sqlite", a, a, qi);
    show_result("heliosdb", b, a, qi);
    if (!a->err && !b->err && !a->ncol)
        printf("  changes: sqlite %ld, heliosdb %ld\n", a->changes, b->changes);
    fflush(stdout);
}

static const char *kind_name(int d)
{
    return d == DIFF_ERR ? "error" : d == DIFF_TYPE ? "type" : "rows";
}

static void write_repro(const char *sql);

/* Run one statement on both and report a difference; returns it. */
static int check(ctx *c, const char *sql, const qinfo *qi)
{
    result a, b;
    int d = diff_of(c, sql, qi, &a, &b);
    c->compared++;
    if (c->verbose)
        printf("%s\n", sql);
    if (d) {
        c->diffs++;
        if (d == DIFF_ERR)
            c->errdiffs++;
        if (d == DIFF_TYPE)
            c->typediffs++;
        report(c, kind_name(d), sql, &a, &b, qi);
    } else if (b.ms > 50 && b.ms > 20 * a.ms + 5) {
        c->slow++;
        if (!c->quiet) {
            printf("SLOW (%.1f ms, sqlite %.1f ms): %s\n", b.ms, a.ms, sql);
            if (b.ms > 1000)
                write_repro(sql);
        }
    }
    result_free(&a);
    result_free(&b);
    return d;
}

static void write_repro(const char *sql);

/* Drop parts of q while the difference stays; print the smallest. */
static void minimise(ctx *c, query *q)
{
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int part = 0; part < 6 + MAXITEM; part++) {
            query t = *q;
            char *save = NULL;
            char **slot = NULL;
            int drop_item = -1;
            if (part == 0)
                slot = &t.where;
            else if (part == 1)
                slot = &t.having;
            else if (part == 2)
                slot = &t.limit;
            else if (part == 3 && !q->limit)
                slot = &t.order;
            else if (part == 4 && q->distinct)
                t.distinct = 0;
            else if (part >= 6 && part - 6 < q->nitem && q->nitem > 1 && !q->order)
                drop_item = part - 6;
            else
                continue;
            if (slot) {
                if (!*slot)
                    continue;
                save = *slot;
                *slot = NULL;
            }
            if (slot == &t.order)
                t.ordered = 0;
            if (drop_item >= 0) {
                for (int i = drop_item; i + 1 < t.nitem; i++)
                    t.item[i] = t.item[i + 1];
                t.nitem--;
                t.gcmask = (q->gcmask & ((1u << drop_item) - 1)) | ((q->gcmask >> (drop_item + 1)) << drop_item);
            }
            char *sql = query_sql(&t);
            qinfo qi = {t.ordered, t.gcmask};
            result a, b;
            int d = diff_of(c, sql, &qi, &a, &b);
            result_free(&a);
            result_free(&b);
            free(sql);
            if (d && d != DIFF_TYPE) {
                if (drop_item >= 0)
                    free(q->item[drop_item]);
                free(save);
                *q = t;
                changed = 1;
            }
        }
    }
    char *sql = query_sql(q);
    qinfo qi = {q->ordered, q->gcmask};
    result a, b;
    diff_of(c, sql, &qi, &a, &b);
    if (!c->quiet) {
        printf("  minimised:\n");
        report(c, "min", sql, &a, &b, &qi);
        write_repro(sql);
    }
    result_free(&a);
    result_free(&b);
    free(sql);
}

static void one_select(ctx *c)
{
    query q;
    gen_query(&q, 0, 1, NULL);
    char *sql = query_sql(&q);
    qinfo qi = {q.ordered, q.gcmask};
    int d = check(c, sql, &qi);
    free(sql);
    if (d && d != DIFF_TYPE)
        minimise(c, &q);
    query_free(&q);
}

static void one_compound(ctx *c)
{
    static const char *op[] = {"UNION", "UNION ALL", "INTERSECT", "EXCEPT"};
    int ncol = 1 + (int)rnd(2), n = 2 + (int)rnd(2);
    sb s = {0};
    qinfo qi = {0, 0};
    for (int i = 0; i < n; i++) {
        query q;
        gen_query(&q, ncol, 0, NULL);
        q.gcmask = 0;
        for (int j = 0; j < q.nitem; j++)
            if (strstr(q.item[j], "GROUP_CONCAT")) { /* unordered items: avoid */
                free(q.item[j]);
                q.item[j] = strdup("1");
            }
        char *sql = query_sql(&q);
        sb_add(&s, "%s%s", i ? op[rnd(4)] : "", i ? " " : "");
        sb_add(&s, "%s ", sql);
        free(sql);
        query_free(&q);
    }
    if (ONEIN(2)) {
        sb_add(&s, "ORDER BY ");
        for (int j = 0; j < ncol; j++)
            sb_add(&s, "%s%d%s", j ? ", " : "", j + 1, ONEIN(2) ? " DESC" : "");
        qi.ordered = 1;
        if (ONEIN(2))
            sb_add(&s, " LIMIT %d OFFSET %d", (int)rnd(6), (int)rnd(3));
    }
    char *sql = sb_take(&s);
    if (check(c, sql, &qi))
        write_repro(sql);
    free(sql);
}

static int nview;

/* The statements that made the current state (setup, views, DML), so that
 * a difference can be written out as a script for -f. */
static char **statelog;
static int nstatelog, nrepro;
static uint64_t cur_seed;

static void log_state(const char *sql)
{
    statelog = realloc(statelog, sizeof *statelog * (size_t)(nstatelog + 1));
    statelog[nstatelog++] = strdup(sql);
}

static void write_repro(const char *sql)
{
    char path[64];
    FILE *f;
    snprintf(path, sizeof path, "/tmp/sqldiff-%llu-%d.sql", (unsigned long long)cur_seed, ++nrepro);
    if (!(f = fopen(path, "w")))
        return;
    for (int i = 0; i < nstatelog; i++)
        fprintf(f, "%s\n", statelog[i]);
    fprintf(f, "%s\n", sql);
    fclose(f);
    printf("  repro: sqldiff -f %s\n", path);
}

static void one_view(ctx *c)
{
    char nm[16];
    query q;
    qinfo none = {0, 0};
    if (nview && ONEIN(2)) { /* drop one */
        for (int i = ntab - 1; i >= 0; i--)
            if (tabs[i].family == 5) {
                char *sql = xfmt("DROP VIEW %s", tabs[i].name);
                check(c, sql, &none);
                log_state(sql);
                free(sql);
                free(tabs[i].body);
                memmove(&tabs[i], &tabs[i + 1], sizeof *tabs * (size_t)(ntab - i - 1));
                ntab--;
                nview--;
                return;
            }
    }
    if (ntab >= 31)
        return;
    snprintf(nm, sizeof nm, "view_%d", (int)rnd(100000));
    gen_query(&q, 1 + (int)rnd(3), 0, "vc");
    for (int j = 0; j < q.nitem; j++)
        if (q.gcmask >> j & 1) {
            free(q.item[j]);
            q.item[j] = xfmt("%d AS vc%d", j, j);
        }
    q.gcmask = 0;
    if (!q.group) { /* CREATE VIEW checks its select more strictly than SQLite: see the report */
        free(q.having);
        q.having = NULL;
    }
    char *body = query_sql(&q), *sql = xfmt("CREATE VIEW %s AS %s", nm, body);
    int d = check(c, sql, &none);
    log_state(sql);
    if (!d) {
        result a;
        run_sqlite(c->lite, "SELECT 1", &a);
        result_free(&a);
        table *t = add_table(nm, 5);
        t->body = strdup(body);
        for (int j = 0; j < q.nitem; j++) {
            char cn[8];
            snprintf(cn, sizeof cn, "vc%d", j % 10);
            add_col(t, cn, 'I');
        }
        nview++;
        char *all = xfmt("SELECT * FROM %s", nm);
        check(c, all, &none);
        free(all);
    }
    free(body);
    free(sql);
    query_free(&q);
}

static void one_dml(ctx *c)
{
    const table *t = pick_table(ONEIN(3) ? 2 : ONEIN(2) ? 1 : 0);
    scope sc;
    sb s = {0};
    qinfo none = {0, 0};
    memset(&sc, 0, sizeof sc);
    sc.nf = 1;
    sc.f[0].t = t;
    depth_left = 30;
    switch (rnd(3)) {
    case 0: {
        int col = (int)rnd((uint32_t)t->ncol);
        if (!strcmp(t->col[col], "pk"))
            col = 1;
        sb_add(&s, "UPDATE %s SET %s = ", t->name, t->col[col]);
        gen_expr(&s, &sc, 1);
        break;
    }
    case 1:
        sb_add(&s, "DELETE FROM %s", t->name);
        break;
    default:
        sb_add(&s, "INSERT INTO %s VALUES(", t->name);
        for (int j = 0; j < t->ncol; j++) {
            if (j)
                sb_add(&s, ",");
            if (!strcmp(t->col[j], "pk"))
                sb_add(&s, "%d", 100 + (int)rnd(200));
            else
                lit_of(&s, t->type[j], 10);
        }
        sb_add(&s, ")");
        goto run;
    }
    if (!ONEIN(10)) {
        sb_add(&s, " WHERE ");
        gen_pred(&s, &sc, 2);
    }
run:;
    char *sql = sb_take(&s);
    if (check(c, sql, &none))
        write_repro(sql);
    log_state(sql);
    free(sql);
    sql = xfmt("SELECT * FROM %s", t->name);
    check(c, sql, &none);
    free(sql);
}

/* select5: many small tables joined by equalities. */
static void one_join(ctx *c)
{
    int n = 2 + (int)rnd(8), used[11] = {0}, pick[10];
    sb s = {0};
    qinfo none = {0, 0};
    for (int i = 0; i < n; i++) {
        int k;
        do
            k = 1 + (int)rnd(10);
        while (used[k]);
        used[k] = 1;
        pick[i] = k;
    }
    sb_add(&s, "SELECT ");
    for (int i = 0, m = 1 + (int)rnd(3); i < m; i++)
        sb_add(&s, "%sx%d", i ? "," : "", pick[rnd((uint32_t)n)]);
    sb_add(&s, " FROM ");
    for (int i = 0; i < n; i++)
        sb_add(&s, "%sj%d", i ? "," : "", pick[i]);
    sb_add(&s, " WHERE ");
    int nc = 0;
    for (int i = 1; i < n; i++) { /* a spanning tree of equalities */
        int j = (int)rnd((uint32_t)i);
        sb_add(&s, "%s%c%d=%c%d", nc++ ? " AND " : "", 'a' + (int)rnd(5), pick[i], 'a' + (int)rnd(5), pick[j]);
    }
    for (int i = 0, m = (int)rnd(4); i < m; i++) {
        int k = pick[rnd((uint32_t)n)];
        char col = (char)('a' + (int)rnd(5));
        switch (rnd(3)) {
        case 0:
            sb_add(&s, "%s%c%d=%d", nc++ ? " AND " : "", col, k, 1 + (int)rnd(10));
            break;
        case 1:
            sb_add(&s, "%s%c%d in (%d,%d,%d)", nc++ ? " AND " : "", col, k, 1 + (int)rnd(10),
                   1 + (int)rnd(10), 1 + (int)rnd(10));
            break;
        default:
            sb_add(&s, "%s(%c%d=%d OR %c%d=%d)", nc++ ? " AND " : "", col, k, 1 + (int)rnd(10), col, k,
                   1 + (int)rnd(10));
            break;
        }
    }
    if (!nc)
        sb_add(&s, "1");
    char *sql = sb_take(&s);
    if (check(c, sql, &none))
        write_repro(sql);
    free(sql);
}

static void one_big(ctx *c)
{
    sb s = {0};
    qinfo qi = {0, 0};
    int lo = (int)rnd(10000);
    switch (rnd(6)) {
    case 0:
        sb_add(&s, "SELECT pk FROM big WHERE col0 BETWEEN %d AND %d", lo, lo + (int)rnd(200));
        break;
    case 1:
        sb_add(&s, "SELECT pk, col0 FROM big WHERE col0 IN (%d,%d,%d,%d) OR col3 = %d", lo, lo + 1,
               (int)rnd(10000), (int)rnd(10000), (int)rnd(10000));
        break;
    case 2:
        sb_add(&s, "SELECT pk FROM big WHERE col1 > %d.5 AND col3 < %d ORDER BY col1 DESC, pk LIMIT 10",
               lo, (int)rnd(10000));
        qi.ordered = 1;
        break;
    case 3:
        sb_add(&s, "SELECT pk FROM big WHERE (col0 > %d AND col0 < %d) OR (col1 BETWEEN %d AND %d) "
                   "ORDER BY 1", lo, lo + 30, lo, lo + 20);
        qi.ordered = 1;
        break;
    case 4:
        sb_add(&s, "SELECT pk FROM big WHERE col0 IN (SELECT col3 FROM big WHERE col1 < %d)", (int)rnd(300));
        break;
    default:
        sb_add(&s, "SELECT col0, pk FROM big WHERE col0 >= %d ORDER BY col0, pk LIMIT 5 OFFSET 2", lo);
        qi.ordered = 1;
        break;
    }
    char *sql = sb_take(&s);
    if (check(c, sql, &qi))
        write_repro(sql);
    free(sql);
}

static int rm_entry(const char *p, const struct stat *sb_, int flag, struct FTW *f)
{
    (void)sb_;
    (void)flag;
    (void)f;
    return remove(p);
}

static int run_seed(ctx *c, uint64_t seed, int nstmt, int big)
{
    char dir[] = "/tmp/sqldiff.XXXXXX", path[64];
    char **setup = NULL;
    int nsetup = 0;
    hdb_options o;
    qinfo none = {0, 0};
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    cur_seed = seed;
    nrepro = 0;
    for (int i = 0; i < nstatelog; i++)
        free(statelog[i]);
    nstatelog = 0;
    nview = 0;
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/h.db", dir);
    hdb_options_init(&o);
    o.sync = HDB_SYNC_OFF;
    if (hdb_open(path, &o, &c->h) != HDB_OK || sqlite3_open(":memory:", &c->lite) != SQLITE_OK) {
        fprintf(stderr, "sqldiff: cannot open the databases\n");
        return 1;
    }
    gen_schema(&setup, &nsetup, big);
    for (int i = 0; i < nsetup; i++) {
        result a, b;
        if (diff_of(c, setup[i], &none, &a, &b)) {
            c->diffs++;
            report(c, "setup", setup[i], &a, &b, &none);
        }
        result_free(&a);
        result_free(&b);
        log_state(setup[i]);
        free(setup[i]);
    }
    free(setup);
    for (int i = 0; i < nstmt; i++) {
        int k = (int)rnd(100);
        if (k < 55)
            one_select(c);
        else if (k < 70)
            one_compound(c);
        else if (k < 76)
            one_view(c);
        else if (k < 84)
            one_dml(c);
        else if (k < 94 || !big)
            one_join(c);
        else
            one_big(c);
    }
    hdb_close(c->h);
    sqlite3_close(c->lite);
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* Each line of path is a statement: run it on both and show both answers. */
static int run_file(ctx *c, const char *path)
{
    char dir[] = "/tmp/sqldiff.XXXXXX", db[64], line[65536];
    hdb_options o;
    qinfo none = {0, 0};
    FILE *f = fopen(path, "r");
    if (!f || !mkdtemp(dir))
        return 2;
    snprintf(db, sizeof db, "%s/h.db", dir);
    hdb_options_init(&o);
    o.sync = HDB_SYNC_OFF;
    if (hdb_open(db, &o, &c->h) != HDB_OK || sqlite3_open(":memory:", &c->lite) != SQLITE_OK)
        return 2;
    while (fgets(line, sizeof line, f)) {
        result a, b;
        line[strcspn(line, "\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        none.gcmask = strstr(line, "GROUP_CONCAT") || strstr(line, "group_concat") ? ~0u : 0;
        int d = diff_of(c, line, &none, &a, &b);
        c->compared++;
        c->diffs += d != 0;
        if (d || c->verbose)
            report(c, d ? kind_name(d) : "same", line, &a, &b, &none);
        if (b.ms > 20 && b.ms > 5 * a.ms)
            printf("SLOW (%.1f ms, sqlite %.1f ms): %.200s\n", b.ms, a.ms, line);
        result_free(&a);
        result_free(&b);
    }
    fclose(f);
    hdb_close(c->h);
    sqlite3_close(c->lite);
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    printf("sqldiff: %ld statements, %ld differences\n", c->compared, c->diffs);
    return c->diffs ? 1 : 0;
}

int main(int argc, char **argv)
{
    ctx c;
    int opt, nstmt = 2000, nseed = 1, big = 0;
    uint64_t first = 1;
    memset(&c, 0, sizeof c);
    while ((opt = getopt(argc, argv, "n:s:k:vqtbf:")) != -1) {
        switch (opt) {
        case 'n':
            nstmt = atoi(optarg);
            break;
        case 's':
            first = strtoull(optarg, NULL, 10);
            break;
        case 'k':
            nseed = atoi(optarg);
            break;
        case 'v':
            c.verbose = 1;
            break;
        case 'q':
            c.quiet = 1;
            break;
        case 't':
            c.strict_types = 1;
            break;
        case 'b':
            big = 1;
            break;
        case 'f':
            return run_file(&c, optarg);
        default:
            fprintf(stderr, "usage: sqldiff [-n STATEMENTS] [-s FIRST_SEED] [-k SEEDS] [-v] [-q] [-t] [-b]\n");
            return 2;
        }
    }
    for (int k = 0; k < nseed; k++) {
        if (!c.quiet)
            printf("== seed %llu\n", (unsigned long long)(first + (uint64_t)k));
        fflush(stdout);
        if (run_seed(&c, first + (uint64_t)k, nstmt, big))
            return 2;
    }
    printf("sqldiff: %ld statements compared at %d seed%s: %ld differences (%ld error/success, %ld "
           "storage class), %ld slow\n",
           c.compared, nseed, nseed == 1 ? "" : "s", c.diffs, c.errdiffs, c.typediffs, c.slow);
    return c.diffs ? 1 : 0;
}
