/*
** shell_io.c — .dump and .import of the heliosdb-nano shell.
**
** .dump [PATTERN]
**   Writes SQL text that rebuilds the current branch's tables (all, or those
**   whose name is LIKE PATTERN), their rows, views and indexes, in the shape
**   sqlite3's shell writes: PRAGMA foreign_keys=OFF; BEGIN TRANSACTION; each
**   table's CREATE statement followed by one INSERT per row; the CREATE
**   VIEW/TRIGGER/INDEX statements; COMMIT.  The AUTOINCREMENT marks
**   (sqlite_sequence) come after the tables' rows, as DELETE FROM
**   sqlite_sequence and one INSERT per mark (only the INSERTs for a dump
**   of some tables), so that reloaded tables never reuse a rowid.
**   Values are written by the
**   engine's own quote() (a REAL as digits that read back to the same
**   double, a blob as X'..'); infinities as 1e999 and -1e999.  Foreign keys
**   are enforced by default here, and the dump turns them off for the
**   connection that reads it (its first line, as sqlite3's), so rows that
**   reference each other reload; tables still come after the tables they
**   reference (a cycle keeps the catalog's order).  A text holding a NUL
**   byte, which SQL text cannot carry, is written as CAST(X'..' AS TEXT).
**   Each table is read by one statement, on one snapshot.
**
** .import [--csv] [--skip N] FILE TABLE
**   Reads FILE as records of fields: separated by ',' with --csv or in csv
**   mode, else by the list separator's first character; one record per line
**   ("\n" or "\r\n"); a field that starts with '"' is quoted RFC 4180 style
**   ("" is a quote, and separators and line ends inside are data).  If TABLE
**   does not exist, the first record names its columns (all TEXT, as
**   sqlite3 does); otherwise every record is a row.  A short record is
**   filled with NULLs and a long one cut, each with a warning naming the
**   line, as is a quoted field still open at the end of the file; empty
**   lines are skipped; a row the table refuses is reported and skipped.
**   Outside a transaction the rows are inserted in one.
*/
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "shell.h"

/* The line of the command being run, when reading a script. */
static int at_line(const shell *sh) { return sh->src ? sh->src_line : 0; }

/* ------------------------------------------------------------------------
** Small text helpers
*/
static void sb_str(cli_buf *b, const char *s) { hdb__cli_buf_add(b, s, strlen(s)); }

/* Append name as a double-quoted SQL identifier. */
static void sb_name(cli_buf *b, const char *name)
{
    hdb__cli_buf_add(b, "\"", 1);
    for (const char *s = name; *s; s++) {
        if (*s == '"')
            hdb__cli_buf_add(b, "\"", 1);
        hdb__cli_buf_add(b, s, 1);
    }
    hdb__cli_buf_add(b, "\"", 1);
}

/* Run a statement of the shell's own that returns nothing; 0 or -1. */
static int run_quiet(shell *sh, const char *sql)
{
    be_stmt *st = NULL;
    int rc = be_prepare(sh->db, sql, &st, NULL);
    while (rc == BE_OK && st && (rc = be_step(st)) == BE_ROW)
        rc = BE_OK;
    if (st)
        be_finalize(st);
    return rc == BE_OK || rc == BE_DONE ? 0 : -1;
}

/* The column names of table `name` (from its SELECT *), returned-owned. */
static char **column_names(shell *sh, const char *name, int *ncol)
{
    cli_buf q = {0};
    be_stmt *st = NULL;
    char **v = NULL;
    *ncol = 0;
    sb_str(&q, "SELECT * FROM ");
    sb_name(&q, name);
    if (!q.oom && be_prepare(sh->db, q.p, &st, NULL) == BE_OK && st) {
        int n = be_column_count(st);
        if ((v = calloc(n ? (size_t)n : 1, sizeof *v)) != NULL) {
            for (int i = 0; i < n; i++)
                v[i] = strdup(be_column_name(st, i) ? be_column_name(st, i) : "");
            *ncol = n;
        }
    }
    if (st)
        be_finalize(st);
    free(q.p);
    return v;
}

static void free_names(char **v, int n)
{
    for (int i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* ------------------------------------------------------------------------
** .dump
*/
typedef struct dtab {
    char *name, *sql;
    char **parents; /* tables its foreign keys reference */
    int nparent, done;
} dtab;

static void free_tables(dtab *t, int n)
{
    for (int i = 0; i < n; i++) {
        free(t[i].name);
        free(t[i].sql);
        free_names(t[i].parents, t[i].nparent);
    }
    free(t);
}

/* The tables to dump, in the catalog's order; -1 on failure (reported). */
static int load_tables(shell *sh, const char *pat, dtab **out, int *n)
{
    be_stmt *st = NULL;
    int rc, cap = 0;
    *out = NULL, *n = 0;
    rc = be_prepare(sh->db,
                    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL "
                    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name LIKE ?1",
                    &st, NULL);
    if (rc == BE_OK)
        rc = be_bind_text(st, 1, pat ? pat : "%", -1);
    while (rc == BE_OK && (rc = be_step(st)) == BE_ROW) {
        if (*n == cap) {
            dtab *v = realloc(*out, (size_t)(cap = cap ? cap * 2 : 8) * sizeof *v);
            if (!v) {
                rc = HDB_NOMEM;
                break;
            }
            *out = v;
        }
        dtab *t = &(*out)[(*n)++];
        memset(t, 0, sizeof *t);
        t->name = strdup(be_column_text(st, 0));
        t->sql = strdup(be_column_text(st, 1));
        rc = t->name && t->sql ? BE_OK : HDB_NOMEM;
    }
    if (st)
        be_finalize(st);
    if (rc != BE_DONE) {
        hdb__cli_fail(sh, at_line(sh), rc == HDB_NOMEM ? "out of memory" : be_errmsg(sh->db));
        free_tables(*out, *n);
        *out = NULL, *n = 0;
        return -1;
    }
    for (int i = 0; i < *n; i++) { /* the tables each one references */
        dtab *t = &(*out)[i];
        cli_buf q = {0};
        sb_str(&q, "PRAGMA foreign_key_list(");
        sb_name(&q, t->name);
        sb_str(&q, ")");
        st = NULL;
        if (q.oom || be_prepare(sh->db, q.p, &st, NULL) != BE_OK || !st) {
            free(q.p);
            continue;
        }
        int col = -1;
        for (int c = 0; c < be_column_count(st); c++)
            if (!strcmp(be_column_name(st, c), "table"))
                col = c;
        while (col >= 0 && be_step(st) == BE_ROW) {
            char **p = realloc(t->parents, (size_t)(t->nparent + 1) * sizeof *p);
            if (!p)
                break;
            t->parents = p;
            t->parents[t->nparent++] = strdup(be_column_text(st, col));
        }
        be_finalize(st);
        free(q.p);
    }
    return 0;
}

/* May t come now: is every other table it references (among those being
 * dumped) out already? */
static int ready(const dtab *v, int n, const dtab *t)
{
    for (int k = 0; k < t->nparent; k++)
        for (int j = 0; j < n; j++)
            if (&v[j] != t && !v[j].done && t->parents[k] &&
                !strcasecmp(v[j].name, t->parents[k]))
                return 0;
    return 1;
}

/* A quoted TEXT literal q[0..n) holding a NUL byte (which no SQL text can
 * carry) as CAST(X'..' AS TEXT) of the same bytes. */
static void text_as_blob(cli_buf *b, const char *q, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    sb_str(b, "CAST(X'");
    for (size_t k = 1; k + 1 < n; k++) { /* inside the quotes; '' is one quote */
        unsigned char c = (unsigned char)q[k];
        char h[2] = {hex[c >> 4], hex[c & 15]};
        hdb__cli_buf_add(b, h, 2);
        if (c == '\'' && k + 2 < n && q[k + 1] == '\'')
            k++;
    }
    sb_str(b, "' AS TEXT)");
}

/* Write the rows of table name as INSERT statements; -1 on failure. */
static int dump_rows(shell *sh, const char *name)
{
    int ncol, rc;
    char **cols = column_names(sh, name, &ncol);
    cli_buf q = {0}, line = {0};
    be_stmt *st = NULL;
    if (!cols)
        return -1;
    sb_str(&q, "SELECT ");
    for (int i = 0; i < ncol; i++) {
        sb_str(&q, i ? ", quote(" : "quote(");
        sb_name(&q, cols[i]);
        sb_str(&q, ")");
    }
    sb_str(&q, " FROM ");
    sb_name(&q, name);
    free_names(cols, ncol);
    rc = q.oom ? HDB_NOMEM : be_prepare(sh->db, q.p, &st, NULL);
    free(q.p);
    while (rc == BE_OK && (rc = be_step(st)) == BE_ROW) {
        line.n = 0;
        sb_str(&line, "INSERT INTO ");
        sb_name(&line, name);
        sb_str(&line, " VALUES(");
        for (int i = 0; i < ncol; i++) {
            const char *v = be_column_text(st, i);
            if (i)
                hdb__cli_buf_add(&line, ",", 1);
            if (!v)
                sb_str(&line, "NULL");
            else if (!strcmp(v, "Inf") || !strcmp(v, "-Inf"))
                sb_str(&line, v[0] == '-' ? "-1e999" : "1e999"); /* reads back as infinity */
            else if (strlen(v) != (size_t)be_column_bytes(st, i))
                text_as_blob(&line, v, (size_t)be_column_bytes(st, i));
            else
                hdb__cli_buf_add(&line, v, (size_t)be_column_bytes(st, i));
        }
        sb_str(&line, ");\n");
        rc = line.oom ? HDB_NOMEM : BE_OK;
        if (!line.oom)
            fwrite(line.p, 1, line.n, sh->out);
    }
    if (st)
        be_finalize(st);
    free(line.p);
    if (rc != BE_DONE) {
        hdb__cli_fail(sh, at_line(sh), rc == HDB_NOMEM ? "out of memory" : be_errmsg(sh->db));
        return -1;
    }
    return 0;
}

/* Run sql with ?1.. bound to the texts args[0..nargs) and hand each row to
 * emit (n: rows before it); -1 on failure (reported). */
static int dump_each(shell *sh, const char *sql, const char *const *args, int nargs,
                     void (*emit)(shell *sh, be_stmt *st, int n))
{
    be_stmt *st = NULL;
    int rc = be_prepare(sh->db, sql, &st, NULL);
    for (int i = 0; rc == BE_OK && i < nargs; i++)
        rc = be_bind_text(st, i + 1, args[i], -1);
    for (int n = 0; rc == BE_OK && (rc = be_step(st)) == BE_ROW; n++) {
        emit(sh, st, n);
        rc = BE_OK;
    }
    if (st)
        be_finalize(st);
    if (rc != BE_DONE) {
        hdb__cli_fail(sh, at_line(sh), be_errmsg(sh->db));
        return -1;
    }
    return 0;
}

/* A row of sqlite_sequence (quoted name, seq); a whole dump first clears
 * the marks (emit_seq_all), as sqlite3's shell writes. */
static void emit_seq(shell *sh, be_stmt *st, int n)
{
    fprintf(sh->out, "INSERT INTO sqlite_sequence VALUES(%s,%s);\n", be_column_text(st, 0),
            be_column_text(st, 1));
}

static void emit_seq_all(shell *sh, be_stmt *st, int n)
{
    if (n == 0)
        fputs("DELETE FROM sqlite_sequence;\n", sh->out);
    emit_seq(sh, st, n);
}

static void emit_sql(shell *sh, be_stmt *st, int n) { fprintf(sh->out, "%s;\n", be_column_text(st, 0)); }

/* The AUTOINCREMENT marks of the dumped tables (sqlite_sequence), then the
 * CREATE statements of their views, triggers and indexes, views first. */
static int dump_others(shell *sh, const char *pat)
{
    static const char *const kinds[] = {"view", "trigger", "index"};
    const char *like = pat ? pat : "%";
    if (dump_each(sh, "SELECT quote(name), seq FROM sqlite_sequence WHERE name LIKE ?1", &like, 1,
                  pat ? emit_seq : emit_seq_all) != 0)
        return -1;
    for (int k = 0; k < 3; k++) {
        const char *args[2] = {kinds[k], like};
        if (dump_each(sh,
                      "SELECT sql FROM sqlite_master WHERE type = ?1 AND sql IS NOT NULL "
                      "AND tbl_name LIKE ?2 AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                      args, 2, emit_sql) != 0)
            return -1;
    }
    return 0;
}

void hdb__cli_dump(shell *sh, int argc, char **argv)
{
    const char *pat = argc >= 2 ? argv[1] : NULL;
    dtab *t;
    int n, failed = 0;
    if (argc > 2)
        return hdb__cli_fail(sh, at_line(sh), "usage: .dump [TABLE-PATTERN]");
    if (load_tables(sh, pat, &t, &n) != 0)
        return;
    fputs("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n", sh->out);
    for (int left = n; left > 0 && !failed;) {
        int i = 0;
        for (; i < n; i++) /* the first table whose parents are out */
            if (!t[i].done && ready(t, n, &t[i]))
                break;
        if (i == n) /* a cycle: the catalog's order */
            for (i = 0; t[i].done; i++)
                ;
        t[i].done = 1;
        left--;
        fprintf(sh->out, "%s;\n", t[i].sql);
        failed = dump_rows(sh, t[i].name) != 0;
    }
    if (!failed)
        failed = dump_others(sh, pat) != 0;
    fputs(failed ? "ROLLBACK; -- the dump failed\n" : "COMMIT;\n", sh->out);
    free_tables(t, n);
}

/* ------------------------------------------------------------------------
** .import
*/
typedef struct csv {
    FILE *f;
    const char *name;
    int sep;
    int blank;     /* the record read was an empty line */
    long line;     /* line of the record being read (1-based) */
    cli_buf field;
    char **v;      /* the record's fields (copies) */
    int n, cap;
} csv;

static int csv_push(csv *c)
{
    if (c->n == c->cap) {
        char **v = realloc(c->v, (size_t)(c->cap = c->cap ? c->cap * 2 : 16) * sizeof *v);
        if (!v)
            return -1;
        c->v = v;
    }
    c->v[c->n] = malloc(c->field.n + 1);
    if (!c->v[c->n])
        return -1;
    memcpy(c->v[c->n], c->field.p ? c->field.p : "", c->field.n);
    c->v[c->n++][c->field.n] = 0;
    c->field.n = 0;
    return c->field.oom ? -1 : 0;
}

static void csv_clear(csv *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->v[i]);
    c->n = 0;
}

/* Read the next record: 1, 0 at the end of the file, -1 out of memory. */
static int csv_next(csv *c, long *at)
{
    int ch, quoted = 0, started = 0, chars = 0;
    csv_clear(c);
    c->field.n = 0;
    c->blank = 0;
    *at = c->line;
    while ((ch = getc(c->f)) != EOF) {
        started = 1;
        if (quoted) {
            if (ch == '"') {
                int nx = getc(c->f);
                if (nx == '"') {
                    hdb__cli_buf_add(&c->field, "\"", 1);
                    continue;
                }
                quoted = 0;
                if (nx == EOF)
                    break;
                ungetc(nx, c->f);
                continue;
            }
            if (ch == '\n')
                c->line++;
            char b = (char)ch;
            hdb__cli_buf_add(&c->field, &b, 1);
            continue;
        }
        if (ch != '\n' && ch != '\r')
            chars = 1;
        if (ch == '"' && c->field.n == 0) {
            quoted = 1;
        } else if (ch == c->sep) {
            if (csv_push(c) != 0)
                return -1;
        } else if (ch == '\n' || ch == '\r') {
            if (ch == '\r') {
                int nx = getc(c->f);
                if (nx != '\n' && nx != EOF)
                    ungetc(nx, c->f);
            }
            c->line++;
            c->blank = !chars;
            return csv_push(c) != 0 ? -1 : 1;
        } else {
            char b = (char)ch;
            hdb__cli_buf_add(&c->field, &b, 1);
        }
    }
    if (!started)
        return 0;
    if (quoted)
        fprintf(stderr, "%s:%ld: unterminated \"-quoted field\n", c->name, *at);
    c->line++;
    return csv_push(c) != 0 ? -1 : 1;
}

static int table_exists(shell *sh, const char *name)
{
    be_stmt *st = NULL;
    int found = 0;
    if (be_prepare(sh->db, "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND "
                           "name = ?1 COLLATE NOCASE", &st, NULL) == BE_OK && st &&
        be_bind_text(st, 1, name, -1) == BE_OK)
        found = be_step(st) == BE_ROW;
    if (st)
        be_finalize(st);
    return found;
}

void hdb__cli_import(shell *sh, int argc, char **argv)
{
    const char *file = NULL, *table = NULL;
    long skip = 0, at;
    int force_csv = 0, nargs = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--csv"))
            force_csv = 1;
        else if (!strcmp(argv[i], "--skip") && i + 1 < argc)
            skip = atol(argv[++i]);
        else if (argv[i][0] == '-' && argv[i][1] == '-')
            return hdb__cli_fail(sh, at_line(sh), "usage: .import [--csv] [--skip N] FILE TABLE");
        else if (nargs++ == 0)
            file = argv[i];
        else
            table = argv[i];
    }
    if (!file || !table || nargs != 2 || skip < 0)
        return hdb__cli_fail(sh, at_line(sh), "usage: .import [--csv] [--skip N] FILE TABLE");
    csv c = {0};
    c.sep = force_csv || sh->mode == MODE_CSV ? ',' : (unsigned char)sh->separator[0];
    c.name = file;
    c.line = 1;
    if (!(c.f = fopen(file, "rb"))) {
        char msg[600];
        snprintf(msg, sizeof msg, "cannot open \"%s\": %s", file, strerror(errno));
        return hdb__cli_fail(sh, at_line(sh), msg);
    }
    cli_buf q = {0};
    char msg[700];
    be_stmt *ins = NULL;
    int ncol = 0, rc = 0, own_txn = be_autocommit(sh->db);
    for (long k = 0; k < skip && (rc = csv_next(&c, &at)) == 1;)
        k++;
    if (rc >= 0 && !table_exists(sh, table)) { /* the header names the columns */
        if ((rc = csv_next(&c, &at)) != 1) {
            snprintf(msg, sizeof msg, "%s: %s", file, rc ? "out of memory" : "no header line");
            goto fail;
        }
        sb_str(&q, "CREATE TABLE ");
        sb_name(&q, table);
        for (int i = 0; i < c.n; i++) {
            sb_str(&q, i ? ", " : "(");
            sb_name(&q, c.v[i]);
            sb_str(&q, " TEXT");
        }
        sb_str(&q, ")");
        if (q.oom || run_quiet(sh, q.p) != 0) {
            snprintf(msg, sizeof msg, "%s: %s", file, q.oom ? "out of memory" : be_errmsg(sh->db));
            goto fail;
        }
    }
    char **cols = column_names(sh, table, &ncol);
    free_names(cols, ncol);
    if (ncol == 0) {
        snprintf(msg, sizeof msg, "no such table: %s", table);
        goto fail;
    }
    q.n = 0;
    sb_str(&q, "INSERT INTO ");
    sb_name(&q, table);
    for (int i = 0; i < ncol; i++)
        sb_str(&q, i ? ",?" : " VALUES(?");
    sb_str(&q, ")");
    if (q.oom || be_prepare(sh->db, q.p, &ins, NULL) != BE_OK) {
        snprintf(msg, sizeof msg, "%s", q.oom ? "out of memory" : be_errmsg(sh->db));
        goto fail;
    }
    if (own_txn && run_quiet(sh, "BEGIN") != 0)
        own_txn = 0;
    while ((rc = csv_next(&c, &at)) == 1) {
        if (c.blank)
            continue; /* an empty line */
        if (c.n != ncol) {
            fflush(sh->out);
            fprintf(stderr, "%s:%ld: expected %d columns but found %d - %s\n", file, at, ncol, c.n,
                    c.n < ncol ? "filling the rest with NULL" : "extras ignored");
        }
        for (int i = 0; i < ncol; i++)
            if (i < c.n)
                be_bind_text(ins, i + 1, c.v[i], -1);
            else
                be_bind_null(ins, i + 1);
        int s = be_step(ins);
        if (s != BE_DONE) {
            snprintf(msg, sizeof msg, "%s:%ld: INSERT failed: %s", file, at, be_errmsg(sh->db));
            hdb__cli_fail(sh, at_line(sh), msg);
        }
        be_reset(ins);
        if (sh->stop)
            break;
    }
    be_finalize(ins);
    ins = NULL;
    if (own_txn && run_quiet(sh, "COMMIT") != 0) {
        snprintf(msg, sizeof msg, "COMMIT failed: %s", be_errmsg(sh->db));
        run_quiet(sh, "ROLLBACK");
        goto fail;
    }
    if (rc < 0) {
        snprintf(msg, sizeof msg, "%s: out of memory", file);
        goto fail;
    }
    goto done;
fail:
    if (ins)
        be_finalize(ins);
    hdb__cli_fail(sh, at_line(sh), msg);
done:
    csv_clear(&c);
    free(c.v);
    free(c.field.p);
    free(q.p);
    fclose(c.f);
}
