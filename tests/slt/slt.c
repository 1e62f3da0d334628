/*
** slt.c — a sqllogictest runner for HeliosDB Nano (and, built with
** -DHDB_BACKEND_SQLITE, for stock SQLite, to prove the runner itself).
**
**   slt [-v] [--engine NAME] [--fail-limit N] [--timeout SEC] [--hash-threshold N]
**       [--min-rate PCT] [--no-fork] file...
**
** HOW IT WORKS
**   The format is the one described in shared/sqllogictest/FORMAT.md (the
**   original SQLite dialect).  Each file is parsed whole into records, then
**   run against a fresh database in a temporary directory.
**
**   Isolation: the records of a file run in a child process that reports
**   each record on a pipe ("S i" when it starts record i, "R i P|F" when it
**   is done, "E" at the end, "H" at a halt).  The parent waits at most
**   --timeout seconds for each report.  When the child dies or stops
**   answering, the record it was running counts as failed and a new child
**   takes over from the next record: it replays the earlier statements
**   (leaving out those that failed this way) on a new database, and then
**   carries on.  So no statement can crash, hang or stop the file.
**
**   Rendering follows the reference driver: NULL as "NULL"; I as a 32-bit
**   int, printed with %d (the value converted as sqlite3_column_int does);
**   R as "%.3f" with at most 16 significant digits; T as the text, empty as
**   "(empty)", each byte outside 0x20..0x7E as '@'.
**
** LIMITATIONS
**   - A query runs only the first statement of its SQL (as the reference).
**   - A query whose step fails at run time keeps the rows produced so far
**     and does not report the error: the reference driver's behaviour, on
**     which one record of evidence/slt_lang_aggfunc.test depends.
**   - After a crash or a timeout, labelled queries before the restart point
**     contribute their expected hash (as skipped queries do).
*/
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/cli/backend.h"
#include "md5.h"

#define MAX_RESTARTS 200

enum { R_STMT_OK = 1, R_STMT_ERROR, R_QUERY, R_THRESHOLD, R_HALT, R_BAD };
enum { SORT_NONE, SORT_ROW, SORT_VALUE };

typedef struct record {
    int line;        /* first line of the record in the file (1-based) */
    int kind;        /* R_* */
    int skip;        /* a skipif/onlyif condition says skip */
    int sort;        /* SORT_*: queries */
    int threshold;   /* R_THRESHOLD */
    char *types;     /* queries: the column letters */
    char *label;     /* queries: may be NULL */
    char *sql;       /* statements and queries: owned */
    char **exp;      /* queries: expected lines (borrowed from the file text) */
    int nexp;
    char *bad;       /* R_BAD: what is wrong (owned) */
} record;

typedef struct script {
    const char *path;
    char *text;   /* the file, its lines NUL-terminated in place */
    char **lines; /* the lines without comments; records point into it */
    record *r;
    int n;
} script;

typedef struct options {
    int verbose;
    const char *engine;
    int fail_limit; /* failures shown in full per file */
    int timeout;    /* seconds per record */
    int threshold;  /* -1 = as the file says */
    double min_rate;
    int has_min_rate;
    int no_fork;
} options;

/* A list of rendered values. */
typedef struct strvec {
    char **v;
    int n, cap;
} strvec;

/* The labels of one file and their hashes. */
typedef struct labels {
    char **name;
    char (*hash)[33];
    int n, cap;
} labels;

/* Counts of one file. */
typedef struct tally {
    long passed, failed;
    int shown;  /* failures printed in full */
    int halted;
} tally;

/* What a child needs to run records. */
typedef struct runner {
    const options *opt;
    const script *s;
    be_db *db;
    int threshold;
    labels lab;
    tally t;
    int fd;             /* report pipe, or -1 */
    const char *skipset; /* s->n flags: records not to run again */
} runner;

/* ------------------------------------------------------------------------
** Small helpers
*/
static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "slt: out of memory\n");
        exit(3);
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "slt: out of memory\n");
        exit(3);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

static void strvec_push(strvec *sv, char *s) /* takes ownership of s */
{
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? 2 * sv->cap : 16;
        sv->v = xrealloc(sv->v, sizeof *sv->v * (size_t)sv->cap);
    }
    sv->v[sv->n++] = s;
}

static void strvec_clear(strvec *sv)
{
    for (int i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    memset(sv, 0, sizeof *sv);
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

/* Split s into at most max whitespace-separated tokens (in place). */
static int tokens(char *s, char **tok, int max)
{
    int n = 0;
    while (n < max) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        tok[n++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        if (!*s)
            break;
        *s++ = 0;
    }
    return n;
}

/* ------------------------------------------------------------------------
** Reading a file into records
*/
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (cap - n < 65536)
            buf = xrealloc(buf, cap = cap ? 2 * cap : 65536 * 2);
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

static char *join_lines(char **l, int n)
{
    size_t len = 1;
    char *p, *s;
    for (int i = 0; i < n; i++)
        len += strlen(l[i]) + 1;
    p = s = xmalloc(len);
    for (int i = 0; i < n; i++) {
        size_t k = strlen(l[i]);
        memcpy(p, l[i], k);
        p += k;
        if (i + 1 < n)
            *p++ = '\n';
    }
    *p = 0;
    return s;
}

static void set_bad(record *r, const char *what, const char *word)
{
    r->kind = R_BAD;
    r->bad = xprintf("%s \"%s\"", what, word);
}

/* The header of a query: "query TYPES [SORT [LABEL]]". */
static void parse_query(record *r, char **tok, int nt, char **l, int n)
{
    int sep = n;
    r->kind = R_QUERY;
    if (nt < 2)
        return set_bad(r, "query without types", "");
    if (strspn(tok[1], "ITR") != strlen(tok[1]))
        return set_bad(r, "bad column types", tok[1]);
    r->types = xstrdup(tok[1]);
    if (nt >= 3) {
        if (!strcmp(tok[2], "rowsort"))
            r->sort = SORT_ROW;
        else if (!strcmp(tok[2], "valuesort"))
            r->sort = SORT_VALUE;
        else if (strcmp(tok[2], "nosort"))
            return set_bad(r, "bad sort mode", tok[2]);
    }
    if (nt >= 4)
        r->label = xstrdup(tok[3]);
    for (int i = 0; i < n; i++)
        if (!strcmp(l[i], "----")) {
            sep = i;
            break;
        }
    r->sql = join_lines(l, sep);
    if (sep < n) {
        r->exp = l + sep + 1;
        r->nexp = n - sep - 1;
    }
}

/* One record from its lines l[0..n) (comments already dropped). */
static void parse_record(record *r, char **l, int n, const char *engine)
{
    char hdr[256], *tok[4];
    int nt;
    for (;;) {
        snprintf(hdr, sizeof hdr, "%s", l[0]);
        nt = tokens(hdr, tok, 4);
        if (nt >= 2 && !strcmp(tok[0], "skipif")) {
            r->skip |= !strcasecmp(tok[1], engine);
        } else if (nt >= 2 && !strcmp(tok[0], "onlyif")) {
            r->skip |= strcasecmp(tok[1], engine) != 0;
        } else {
            break;
        }
        if (--n == 0)
            return set_bad(r, "condition without a record", tok[0]);
        l++;
    }
    if (nt == 0)
        return set_bad(r, "empty header", "");
    if (!strcmp(tok[0], "statement")) {
        r->kind = nt >= 2 && !strcmp(tok[1], "ok")      ? R_STMT_OK
                  : nt >= 2 && !strcmp(tok[1], "error") ? R_STMT_ERROR
                                                        : 0;
        if (!r->kind)
            return set_bad(r, "bad statement kind", nt >= 2 ? tok[1] : "");
        r->sql = join_lines(l + 1, n - 1);
    } else if (!strcmp(tok[0], "query")) {
        parse_query(r, tok, nt, l + 1, n - 1);
    } else if (!strcmp(tok[0], "hash-threshold")) {
        r->kind = R_THRESHOLD;
        r->threshold = nt >= 2 ? atoi(tok[1]) : 0;
    } else if (!strcmp(tok[0], "halt")) {
        r->kind = R_HALT;
    } else {
        set_bad(r, "unknown record type", tok[0]);
    }
}

/* Split the text into lines and the lines into records. */
static int script_load(script *s, const char *path, const char *engine)
{
    size_t len, nlines = 0, cap = 1024;
    char **line = xmalloc(sizeof *line * cap), *p;
    int *lineno = xmalloc(sizeof *lineno * cap), ln = 0, rcap = 0;
    memset(s, 0, sizeof *s);
    s->path = path;
    if (!(s->text = read_file(path, &len))) {
        free(line), free(lineno);
        return -1;
    }
    /* Lines, without comments; a blank line is kept as "". */
    for (p = s->text; p < s->text + len;) {
        char *e = memchr(p, '\n', (size_t)(s->text + len - p));
        char *end = e ? e : s->text + len;
        ln++;
        *end = 0;
        if (end > p && end[-1] == '\r')
            end[-1] = 0;
        if (p[0] != '#') {
            if (nlines == cap) {
                cap *= 2;
                line = xrealloc(line, sizeof *line * cap);
                lineno = xrealloc(lineno, sizeof *lineno * cap);
            }
            line[nlines] = p;
            lineno[nlines++] = ln;
        }
        if (!e)
            break;
        p = e + 1;
    }
    /* Records: runs of non-blank lines. */
    for (size_t i = 0; i < nlines;) {
        size_t j = i;
        if (is_blank(line[i])) {
            i++;
            continue;
        }
        while (j < nlines && !is_blank(line[j]))
            j++;
        if (s->n == rcap)
            s->r = xrealloc(s->r, sizeof *s->r * (size_t)(rcap = rcap ? 2 * rcap : 256));
        memset(&s->r[s->n], 0, sizeof s->r[0]);
        s->r[s->n].line = lineno[i];
        parse_record(&s->r[s->n++], line + i, (int)(j - i), engine);
        i = j;
    }
    free(lineno);
    s->lines = line; /* r->exp points into it */
    return 0;
}

static void script_free(script *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->r[i].types);
        free(s->r[i].label);
        free(s->r[i].sql);
        free(s->r[i].bad);
    }
    free(s->lines);
    free(s->r);
    free(s->text);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------------------
** Rendering values as the reference driver does
*/

/* "%.3f" as SQLite's printf gives it: at most 16 significant digits, the
 * rest of the integer part padded with zeros. */
static char *render_real(double v)
{
    char buf[400], out[400];
    int exp, k = 0, neg;
    const char *d;
    if (v == 0)
        v = 0; /* -0.0 prints as 0.000 */
    if (isnan(v))
        return xstrdup("NaN");
    if (isinf(v))
        return xstrdup(v < 0 ? "-Inf" : "Inf");
    if (fabs(v) < 1e13)
        return xprintf("%.3f", v);
    neg = v < 0;
    snprintf(buf, sizeof buf, "%.15e", fabs(v)); /* d.ddddddddddddddde+XX */
    exp = atoi(strchr(buf, 'e') + 1);
    if (neg)
        out[k++] = '-';
    d = buf;
    for (int pos = 0; pos <= exp + 3; pos++) {
        int idx = pos; /* digit index among the 16 significant ones */
        if (pos == exp + 1)
            out[k++] = '.';
        out[k++] = idx < 16 ? d[idx == 0 ? 0 : idx + 1] : '0';
    }
    out[k] = 0;
    return xstrdup(out);
}

static char *render_text(const char *z, int n)
{
    char *p;
    if (n <= 0 || !z)
        return xstrdup("(empty)");
    p = xmalloc((size_t)n + 1);
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)z[i];
        p[i] = c < 0x20 || c > 0x7e ? '@' : (char)c;
    }
    p[n] = 0;
    return p;
}

static char *render(be_stmt *st, int i, char letter)
{
    if (be_column_type(st, i) == HDB_NULL)
        return xstrdup("NULL");
    switch (letter) {
    case 'I':
        return xprintf("%d", (int)(int32_t)(uint32_t)(uint64_t)be_column_int64(st, i));
    case 'R':
        return render_real(be_column_double(st, i));
    default: {
        const char *z = be_column_text(st, i);
        return render_text(z, be_column_bytes(st, i));
    }
    }
}

/* ------------------------------------------------------------------------
** Sorting, hashing, labels
*/
typedef struct row {
    char **v;
    int n;
} row;

static int cmp_row(const void *a, const void *b)
{
    const row *x = a, *y = b;
    for (int i = 0; i < x->n; i++) {
        int c = strcmp(x->v[i], y->v[i]);
        if (c)
            return c;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_values(strvec *sv, int sort, int ncol)
{
    if (sv->n < 2)
        return;
    if (sort == SORT_VALUE) {
        qsort(sv->v, (size_t)sv->n, sizeof *sv->v, cmp_str);
    } else if (sort == SORT_ROW && ncol > 0) {
        int nrow = sv->n / ncol;
        row *r = xmalloc(sizeof *r * (size_t)nrow);
        char **flat = xmalloc(sizeof *flat * (size_t)sv->n);
        for (int i = 0; i < nrow; i++)
            r[i].v = sv->v + i * ncol, r[i].n = ncol;
        qsort(r, (size_t)nrow, sizeof *r, cmp_row);
        for (int i = 0; i < nrow; i++)
            memcpy(flat + i * ncol, r[i].v, sizeof *flat * (size_t)ncol);
        memcpy(sv->v, flat, sizeof *flat * (size_t)(nrow * ncol));
        free(flat);
        free(r);
    }
}

static void hash_values(char **v, int n, char hex[33])
{
    slt_md5 m;
    slt_md5_init(&m);
    for (int i = 0; i < n; i++) {
        slt_md5_update(&m, v[i], strlen(v[i]));
        slt_md5_update(&m, "\n", 1);
    }
    slt_md5_hex(&m, hex);
}

/* Does the line read "<count> values hashing to <md5>"?  Copies the md5. */
static int is_hash_line(const char *l, char hex[33])
{
    const char *p = l;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p == l || strncmp(p, " values hashing to ", 19))
        return 0;
    p += 19;
    if (strlen(p) != 32 || strspn(p, "0123456789abcdef") != 32)
        return 0;
    memcpy(hex, p, 33);
    return 1;
}

/* The hash a query's expected lines stand for. */
static void expected_hash(const record *r, char hex[33])
{
    if (r->nexp == 1 && is_hash_line(r->exp[0], hex))
        return;
    hash_values(r->exp, r->nexp, hex);
}

/* Check the label's hash, or record it; 1 if consistent. */
static int label_check(labels *lab, const char *name, const char hex[33])
{
    for (int i = 0; i < lab->n; i++)
        if (!strcmp(lab->name[i], name))
            return !strcmp(lab->hash[i], hex);
    if (lab->n == lab->cap) {
        lab->cap = lab->cap ? 2 * lab->cap : 64;
        lab->name = xrealloc(lab->name, sizeof *lab->name * (size_t)lab->cap);
        lab->hash = xrealloc(lab->hash, sizeof *lab->hash * (size_t)lab->cap);
    }
    lab->name[lab->n] = xstrdup(name);
    memcpy(lab->hash[lab->n++], hex, 33);
    return 1;
}

static void labels_free(labels *lab)
{
    for (int i = 0; i < lab->n; i++)
        free(lab->name[i]);
    free(lab->name);
    free(lab->hash);
    memset(lab, 0, sizeof *lab);
}

/* ------------------------------------------------------------------------
** Running records
*/

/* Run every statement of sql; 0, or -1 with the error in *err (owned). */
static int exec_all(be_db *db, const char *sql, char **err)
{
    const char *p = sql;
    *err = NULL;
    while (p && *p) {
        be_stmt *st = NULL;
        const char *tail = NULL;
        int rc = be_prepare(db, p, &st, &tail);
        if (rc != BE_OK) {
            *err = xstrdup(be_errmsg(db));
            return -1;
        }
        if (!st)
            break;
        while ((rc = be_step(st)) == BE_ROW)
            ;
        if (rc != BE_DONE) {
            *err = xstrdup(be_errmsg(db));
            be_finalize(st);
            return -1;
        }
        be_finalize(st);
        if (!tail || tail <= p)
            break;
        p = tail;
    }
    return 0;
}

/* Run a query's first statement and render its values; -1 with *err. */
static int query_values(be_db *db, const record *r, strvec *out, char **err)
{
    be_stmt *st = NULL;
    int ncol = (int)strlen(r->types), rc;
    *err = NULL;
    if (be_prepare(db, r->sql, &st, NULL) != BE_OK) {
        *err = xstrdup(be_errmsg(db));
        return -1;
    }
    if (!st) {
        *err = xstrdup("no statement");
        return -1;
    }
    /* The column count is checked after the first step, which is when
     * every statement knows it; a step error ends the rows silently, as in
     * the reference driver. */
    rc = be_step(st);
    if (be_column_count(st) != ncol) {
        *err = xprintf("expected %d columns, got %d", ncol, be_column_count(st));
        be_finalize(st);
        return -1;
    }
    for (; rc == BE_ROW; rc = be_step(st))
        for (int i = 0; i < ncol; i++)
            strvec_push(out, render(st, i, r->types[i]));
    be_finalize(st);
    return 0;
}

static void print_lines(const char *title, char **v, int n)
{
    printf("  %s (%d line%s):\n", title, n, n == 1 ? "" : "s");
    for (int i = 0; i < n && i < 40; i++)
        printf("    %s\n", v[i]);
    if (n > 40)
        printf("    ... %d more\n", n - 40);
}

/* Print a failure in full, when the limit allows; 1 if printed. */
static int show_failure(const options *opt, const script *s, const record *r, int shown,
                        const char *why, char **got, int ngot)
{
    if (!opt->verbose && shown >= opt->fail_limit)
        return 0;
    printf("FAIL %s:%d: %s\n", s->path, r->line, why);
    if (r->sql) {
        printf("  SQL:\n");
        for (const char *p = r->sql; *p;) {
            const char *e = strchr(p, '\n');
            int len = e ? (int)(e - p) : (int)strlen(p);
            printf("    %.*s\n", len, p);
            p += len + (e != NULL);
        }
    }
    if (r->kind == R_QUERY) {
        print_lines("expected", r->exp, r->nexp);
        if (got)
            print_lines("got", got, ngot);
    }
    fflush(stdout);
    return 1;
}

/* Compare rendered, sorted values with the record; NULL if they match,
 * else the reason (static text). */
static const char *compare(runner *ru, const record *r, strvec *got, char **gotline)
{
    char hex[33];
    hash_values(got->v, got->n, hex);
    *gotline = NULL;
    if (ru->threshold > 0 && got->n > ru->threshold) {
        *gotline = xprintf("%d values hashing to %s", got->n, hex);
        if (r->nexp != 1 || strcmp(r->exp[0], *gotline))
            return "wrong result hash";
    } else {
        if (got->n != r->nexp)
            return "wrong number of values";
        for (int i = 0; i < got->n; i++)
            if (strcmp(got->v[i], r->exp[i]))
                return "wrong value";
    }
    if (r->label && !label_check(&ru->lab, r->label, hex))
        return "result differs from an earlier query with the same label";
    return NULL;
}

/* Run one statement or query record; 1 if it passed. */
static int run_one(runner *ru, const record *r)
{
    char *err = NULL, *gotline = NULL, *why = NULL;
    strvec got = {0};
    int ok;
    if (r->kind == R_BAD) {
        why = xprintf("bad record: %s", r->bad);
        ok = 0;
    } else if (r->kind != R_QUERY) {
        int rc = exec_all(ru->db, r->sql, &err);
        ok = (rc == 0) == (r->kind == R_STMT_OK);
        if (!ok)
            why = r->kind == R_STMT_OK ? xprintf("statement failed: %s", err)
                                       : xstrdup("statement succeeded, expected an error");
    } else if (query_values(ru->db, r, &got, &err) < 0) {
        why = xprintf("query failed: %s", err);
        ok = 0;
    } else {
        const char *bad;
        sort_values(&got, r->sort, (int)strlen(r->types));
        ok = !(bad = compare(ru, r, &got, &gotline));
        if (!ok)
            why = xstrdup(bad);
    }
    if (!ok)
        ru->t.shown += show_failure(ru->opt, ru->s, r, ru->t.shown, why,
                                    gotline ? &gotline : got.v, gotline ? 1 : got.n);
    free(why);
    free(err);
    free(gotline);
    strvec_clear(&got);
    return ok;
}

static void report(runner *ru, const char *fmt, ...)
{
    char buf[64];
    va_list ap;
    int n;
    if (ru->fd < 0)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (write(ru->fd, buf, (size_t)n) != n)
        _exit(4); /* the parent is gone */
}

/* Run the records of the script from record `from` on; the ones before it
 * only rebuild the database state. */
static void run_records(runner *ru, int from)
{
    const script *s = ru->s;
    char hex[33];
    for (int i = 0; i < s->n; i++) {
        const record *r = &s->r[i];
        if (r->skip || i < from || ru->skipset[i]) {
            if (r->kind == R_QUERY && r->label && (r->skip || i < from)) {
                expected_hash(r, hex);
                label_check(&ru->lab, r->label, hex);
            }
            if (!r->skip && i < from && !ru->skipset[i] &&
                (r->kind == R_STMT_OK || r->kind == R_STMT_ERROR)) {
                char *err;
                exec_all(ru->db, r->sql, &err);
                free(err);
            }
            if (!r->skip && r->kind == R_THRESHOLD && ru->opt->threshold < 0)
                ru->threshold = r->threshold;
            continue;
        }
        if (r->kind == R_THRESHOLD) {
            if (ru->opt->threshold < 0)
                ru->threshold = r->threshold;
            continue;
        }
        if (r->kind == R_HALT) {
            ru->t.halted = 1;
            report(ru, "H\n");
            return;
        }
        report(ru, "S %d\n", i);
        if (run_one(ru, r))
            ru->t.passed++, report(ru, "R %d P 0\n", i);
        else
            ru->t.failed++, report(ru, "R %d F %d\n", i, ru->t.shown);
        if (r->kind == R_BAD) { /* the reference stops the file */
            ru->t.halted = 1;
            report(ru, "H\n");
            return;
        }
    }
    report(ru, "E\n");
}

/* Open a fresh database at path and run; returns the tally. */
static tally run_child(const options *opt, const script *s, const char *dbpath, int from,
                       const char *skipset, int shown, int fd)
{
    runner ru;
    char err[256];
    be_open_opts oo;
    memset(&ru, 0, sizeof ru);
    ru.opt = opt, ru.s = s, ru.fd = fd, ru.skipset = skipset;
    ru.threshold = opt->threshold >= 0 ? opt->threshold : 8;
    ru.t.shown = shown;
    be_open_opts_init(&oo);
    oo.sync = HDB_SYNC_OFF;
    if (be_open(dbpath, &oo, &ru.db, err, sizeof err) != BE_OK) {
        fprintf(stderr, "slt: %s: cannot open a database at %s: %s\n", s->path, dbpath, err);
        ru.t.halted = -1;
        return ru.t;
    }
    run_records(&ru, from);
    be_close(ru.db);
    labels_free(&ru.lab);
    return ru.t;
}

/* ------------------------------------------------------------------------
** The supervising parent
*/
typedef struct watch {
    int fd;
    char buf[256];
    int len;
} watch;

/* Read one report line within timeout ms: 1 got one, 0 EOF, -1 timeout. */
static int read_report(watch *w, char *line, size_t n, int timeout_ms)
{
    for (;;) {
        char *nl = memchr(w->buf, '\n', (size_t)w->len);
        if (nl) {
            size_t k = (size_t)(nl - w->buf);
            snprintf(line, n, "%.*s", (int)k, w->buf);
            memmove(w->buf, nl + 1, (size_t)w->len - k - 1);
            w->len -= (int)k + 1;
            return 1;
        }
        struct pollfd p = {w->fd, POLLIN, 0};
        int rc = poll(&p, 1, timeout_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc == 0)
            return -1;
        ssize_t got = read(w->fd, w->buf + w->len, sizeof w->buf - (size_t)w->len - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0;
        w->len += (int)got;
    }
}

/* Follow one child until it ends; returns the record it died in, or -1
 * when it finished (t->halted tells a halt). */
static int follow_child(const options *opt, pid_t pid, int fd, tally *t, char *why, size_t whyn)
{
    watch w = {fd, {0}, 0};
    char line[256];
    int current = -1, status = 0, idx, shown, rc;
    char verdict;
    for (;;) {
        rc = read_report(&w, line, sizeof line, opt->timeout * 1000);
        if (rc < 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            snprintf(why, whyn, "no answer within %d s (killed)", opt->timeout);
            return current;
        }
        if (rc == 0)
            break;
        if (line[0] == 'S' && sscanf(line, "S %d", &idx) == 1) {
            current = idx;
        } else if (line[0] == 'R' && sscanf(line, "R %d %c %d", &idx, &verdict, &shown) == 3) {
            if (verdict == 'P')
                t->passed++;
            else
                t->failed++, t->shown = shown > t->shown ? shown : t->shown;
            current = -1;
        } else if (line[0] == 'H') {
            t->halted = 1;
        } else if (line[0] == 'E') {
            current = -2;
        }
    }
    waitpid(pid, &status, 0);
    if (current == -2 || t->halted)
        return -1;
    if (WIFSIGNALED(status))
        snprintf(why, whyn, "the engine crashed (signal %d)", WTERMSIG(status));
    else
        snprintf(why, whyn, "the runner exited early (status %d)", WEXITSTATUS(status));
    return current >= 0 ? current : -3;
}

/* Records from `from` on that would run (the denominator when a file is
 * given up: they count as failed rather than vanish from the rate). */
static long remaining(const script *s, int from, const char *skipset)
{
    long n = 0;
    for (int i = from; i < s->n; i++) {
        const record *r = &s->r[i];
        if (r->skip || skipset[i])
            continue;
        if (r->kind == R_HALT || r->kind == R_BAD)
            return n + (r->kind == R_BAD);
        n += r->kind == R_STMT_OK || r->kind == R_STMT_ERROR || r->kind == R_QUERY;
    }
    return n;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

/* Run one file in child processes; returns its tally. */
static tally run_file_forked(const options *opt, const script *s, const char *dir)
{
    tally t = {0};
    char *skipset = calloc((size_t)s->n + 1, 1), why[200];
    int from = 0;
    for (int restart = 0; restart <= MAX_RESTARTS; restart++) {
        char dbpath[600];
        int pfd[2], died;
        pid_t pid;
        snprintf(dbpath, sizeof dbpath, "%s/db-%d", dir, restart);
        fflush(stdout);
        if (pipe(pfd) < 0 || (pid = fork()) < 0) {
            perror("slt: fork");
            break;
        }
        if (pid == 0) {
            close(pfd[0]);
            tally ct = run_child(opt, s, dbpath, from, skipset, t.shown, pfd[1]);
            fflush(stdout);
            _exit(ct.halted < 0 ? 5 : 0);
        }
        close(pfd[1]);
        died = follow_child(opt, pid, pfd[0], &t, why, sizeof why);
        close(pfd[0]);
        if (died == -1)
            break;
        if (died == -3) { /* outside any record: opening, or replaying */
            long rest = remaining(s, from, skipset);
            printf("FAIL %s: %s; the %ld remaining records count as failed\n", s->path, why, rest);
            t.failed += rest;
            break;
        }
        t.failed++;
        t.shown += show_failure(opt, s, &s->r[died], t.shown, why, NULL, 0);
        skipset[died] = 1;
        from = died + 1;
        if (restart == MAX_RESTARTS) {
            long rest = remaining(s, from, skipset);
            printf("FAIL %s: %d restarts; the %ld remaining records count as failed\n", s->path,
                   MAX_RESTARTS, rest);
            t.failed += rest;
        }
    }
    free(skipset);
    return t;
}

static tally run_file(const options *opt, const script *s)
{
    char dir[] = "/tmp/slt-XXXXXX", dbpath[64];
    tally t = {0};
    if (!mkdtemp(dir)) {
        perror("slt: mkdtemp");
        t.halted = -1;
        return t;
    }
    if (opt->no_fork) {
        char *skipset = calloc((size_t)s->n + 1, 1);
        snprintf(dbpath, sizeof dbpath, "%s/db", dir);
        t = run_child(opt, s, dbpath, 0, skipset, 0, -1);
        free(skipset);
    } else {
        t = run_file_forked(opt, s, dir);
    }
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return t;
}

/* ------------------------------------------------------------------------
** Main
*/
static void usage(FILE *f)
{
    fprintf(f,
            "usage: slt [options] file...\n"
            "Run sqllogictest files against " BE_ENGINE " (%s), each on a fresh database.\n"
            "  -v, --verbose          show every failure in full, not only the first ones\n"
            "  --engine NAME          the name skipif/onlyif compare with (default sqlite,\n"
            "                         since the expected results come from SQLite)\n"
            "  --fail-limit N         failures shown in full per file (default 5)\n"
            "  --timeout SEC          longest wait for one record (default 60)\n"
            "  --hash-threshold N     override the files' hash-threshold (0 = never hash)\n"
            "  --min-rate PCT         exit 1 only when the pass rate is below PCT\n"
            "                         (default: exit 1 when any record fails)\n"
            "  --no-fork              run in this process (no crash or hang guard)\n",
            be_version());
}

static int parse_args(int argc, char **argv, options *o, int *first)
{
    int i;
    memset(o, 0, sizeof *o);
    o->engine = "sqlite", o->fail_limit = 5, o->timeout = 60, o->threshold = -1;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
            o->verbose = 1;
        else if (!strcmp(a, "--no-fork"))
            o->no_fork = 1;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return usage(stdout), -2;
        else if (!val)
            return fprintf(stderr, "slt: %s needs a value or is unknown\n", a), -1;
        else if (!strcmp(a, "--engine"))
            o->engine = val, i++;
        else if (!strcmp(a, "--fail-limit"))
            o->fail_limit = atoi(val), i++;
        else if (!strcmp(a, "--timeout"))
            o->timeout = atoi(val) > 0 ? atoi(val) : 60, i++;
        else if (!strcmp(a, "--hash-threshold"))
            o->threshold = atoi(val), i++;
        else if (!strcmp(a, "--min-rate"))
            o->min_rate = atof(val), o->has_min_rate = 1, i++;
        else
            return fprintf(stderr, "slt: unknown option %s\n", a), -1;
    }
    *first = i;
    return 0;
}

int main(int argc, char **argv)
{
    options opt;
    int first, nfiles = 0, errors = 0;
    long passed = 0, failed = 0;
    double rate;
    int rc = parse_args(argc, argv, &opt, &first);
    if (rc == -2)
        return 0;
    if (rc < 0 || first >= argc) {
        usage(stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    for (int i = first; i < argc; i++) {
        script s;
        tally t;
        if (script_load(&s, argv[i], opt.engine) < 0) {
            fprintf(stderr, "slt: cannot read %s\n", argv[i]);
            errors++;
            continue;
        }
        t = run_file(&opt, &s);
        printf("%s: %ld passed, %ld failed%s\n", argv[i], t.passed, t.failed,
               t.halted > 0 ? " (halted)" : t.halted < 0 ? " (not run)" : "");
        fflush(stdout);
        errors += t.halted < 0;
        passed += t.passed, failed += t.failed, nfiles++;
        script_free(&s);
    }
    rate = passed + failed ? 100.0 * (double)passed / (double)(passed + failed) : 0.0;
    printf("total: %ld passed, %ld failed of %ld records in %d files: %.2f%% passed (%s)\n",
           passed, failed, passed + failed, nfiles, rate, BE_ENGINE);
    if (errors)
        return 2;
    if (opt.has_min_rate && rate + 1e-9 < opt.min_rate) {
        printf("slt: the pass rate %.2f%% is below the required %.2f%%\n", rate, opt.min_rate);
        return 1;
    }
    if (opt.has_min_rate)
        return 0;
    return failed ? 1 : 0;
}
