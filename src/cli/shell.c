/*
** shell.c — heliosdb-nano, the command-line shell of HeliosDB Nano.
**
**   heliosdb-nano [options] [FILE] [SQL...]
**
** Works like sqlite3's shell: SQL comes from the arguments after FILE (each
** one SQL text or a dot-command, run in order, then the shell exits), else
** from standard input — a pipe or a file read to the end, or a terminal
** with a prompt that names the current branch ("heliosdb:main> ").
**
** HOW IT WORKS
**   Input is read a line at a time.  A line that starts with '.' when no
**   statement is pending is a dot-command.  Other lines accumulate until the
**   text is complete: it ends with ';' outside quotes, brackets and comments
**   (and, for CREATE TRIGGER, after END) — see sql_complete().  The text is
**   then run statement by statement (hdb_prepare with its tail, hdb_step to
**   the end); statements that return columns are printed in the output mode
**   (shell_out.c).  Dot-commands are in shell_dot.c.  An error prints
**   "Error: <message>" on stderr (with the line of the statement when
**   reading a script), counts as a failure for the exit status, and under
**   .bail stops the input.
**
** Built with -DHDB_BACKEND_SQLITE the same program runs on libsqlite3
** (see src/cli/backend.h); the branch commands then report that branches
** need the HeliosDB engine.
*/
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "shell.h"

#define DEFAULT_DB "heliosdb.db"

/* ------------------------------------------------------------------------
** Messages
*/
static void print_error(shell *sh, int line, const char *msg)
{
    fflush(sh->out);
    if (line > 0)
        fprintf(stderr, "Error: near line %d: ", line);
    else
        fputs("Error: ", stderr);
    for (; *msg; msg++) { /* continuation lines indented */
        fputc(*msg, stderr);
        if (*msg == '\n' && msg[1])
            fputs("  ", stderr);
    }
    fputc('\n', stderr);
    fflush(stderr);
}

/* A failed statement or command: report, count, maybe stop. */
void hdb__cli_fail(shell *sh, int line, const char *msg)
{
    print_error(sh, line, msg);
    sh->errors++;
    if (sh->bail)
        sh->stop = 1;
}

/* ------------------------------------------------------------------------
** Is the SQL text complete?
*/

/* Skip a quoted run starting at *z (a quote char or '['); NULL if open. */
static const char *skip_quoted(const char *z)
{
    char close = *z == '[' ? ']' : *z;
    for (z++; *z; z++)
        if (*z == close) {
            if (close != ']' && z[1] == close) {
                z++;
                continue;
            }
            return z + 1;
        }
    return NULL;
}

static int word_is(const char *w, size_t n, const char *kw)
{
    return strlen(kw) == n && !strncasecmp(w, kw, n);
}

/*
 * 1 when the text ends with ';' outside quotes, brackets and comments.  In
 * CREATE TRIGGER the ';' of the body do not end the statement: only one
 * right after END does.
 */
static int sql_complete(const char *z)
{
    int semi = 0, trigger = 0, words = 0, create = 0, after_end = 0;
    while (*z) {
        if (isspace((unsigned char)*z)) {
            z++;
        } else if (z[0] == '-' && z[1] == '-') {
            while (*z && *z != '\n')
                z++;
        } else if (z[0] == '/' && z[1] == '*') {
            const char *e = strstr(z + 2, "*/");
            if (!e)
                return 0;
            z = e + 2;
        } else if (*z == '\'' || *z == '"' || *z == '`' || *z == '[') {
            if (!(z = skip_quoted(z)))
                return 0;
            semi = after_end = 0;
        } else if (*z == ';') {
            if (!trigger || after_end) {
                semi = 1;
                trigger = words = create = 0;
            }
            after_end = 0;
            z++;
        } else if (isalpha((unsigned char)*z) || *z == '_') {
            const char *w = z;
            while (isalnum((unsigned char)*z) || *z == '_' || *z == '$')
                z++;
            words++;
            if (words == 1)
                create = word_is(w, (size_t)(z - w), "create");
            else if (create && words <= 3 && word_is(w, (size_t)(z - w), "trigger"))
                trigger = 1;
            after_end = word_is(w, (size_t)(z - w), "end");
            semi = 0;
        } else {
            semi = after_end = 0;
            z++;
        }
    }
    return semi;
}

static int is_blank(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return !*s;
}

/* Nothing but spaces and a "--" comment: between statements such a line
 * starts nothing (as in sqlite3's shell), so a dot-command may follow. */
static int is_comment_line(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s[0] == '-' && s[1] == '-';
}

/* ------------------------------------------------------------------------
** Running SQL
*/
static double now_real(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void cpu_times(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* The text of a blob as x'hex' (returned-owned). */
static char *blob_text(be_stmt *st, int i)
{
    const unsigned char *p = (const unsigned char *)be_column_text(st, i);
    int n = be_column_bytes(st, i);
    char *s = malloc((size_t)n * 2 + 4);
    if (!s)
        return NULL;
    s[0] = 'x', s[1] = '\'';
    for (int k = 0; k < n && p; k++)
        sprintf(s + 2 + 2 * k, "%02x", p[k]);
    strcpy(s + 2 + 2 * (p ? n : 0), "'");
    return s;
}

/* Print the rows of a prepared statement; returns the last step's code.
 * The column count is taken after the first step: some statements (SHOW
 * BRANCHES, MERGE BRANCH) know their columns only once they have run. */
static int print_rows(shell *sh, be_stmt *st)
{
    int rc = be_step(st), ncol = be_column_count(st);
    const char **names;
    cli_cell *cells;
    if (rc != BE_ROW || ncol <= 0) {
        while (rc == BE_ROW)
            rc = be_step(st);
        return rc;
    }
    names = calloc((size_t)ncol, sizeof *names);
    cells = calloc((size_t)ncol, sizeof *cells);
    if (!names || !cells) {
        free(names), free(cells);
        return HDB_NOMEM;
    }
    for (int i = 0; i < ncol; i++)
        names[i] = be_column_name(st, i);
    hdb__cli_out_begin(sh, ncol, names);
    for (; rc == BE_ROW; rc = be_step(st)) {
        char **blobs = calloc((size_t)ncol, sizeof *blobs);
        for (int i = 0; i < ncol; i++) {
            cells[i].type = be_column_type(st, i);
            if (cells[i].type == HDB_NULL)
                cells[i].text = NULL;
            else if (cells[i].type == HDB_BLOB && blobs)
                cells[i].text = blobs[i] = blob_text(st, i);
            else
                cells[i].text = be_column_text(st, i);
            if (cells[i].type != HDB_NULL && !cells[i].text)
                cells[i].text = "";
        }
        hdb__cli_out_row(sh, cells);
        for (int i = 0; blobs && i < ncol; i++)
            free(blobs[i]);
        free(blobs);
    }
    hdb__cli_out_end(sh);
    free(names);
    free(cells);
    return rc;
}

/* Past the whitespace and comments at p: the statement's first token. */
static const char *first_token(const char *p)
{
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (p[0] == '-' && p[1] == '-')
            p += strcspn(p, "\n");
        else if (p[0] == '/' && p[1] == '*' && strstr(p + 2, "*/"))
            p = strstr(p + 2, "*/") + 2;
        else
            return p;
    }
}

/* The input line where the statement at p begins. */
static int line_of(shell *sh, const char *sql, const char *p)
{
    int line = sh->src_line;
    if (line <= 0)
        return 0;
    p = first_token(p);
    for (; sql < p; sql++)
        line += *sql == '\n';
    return line;
}

/* Run every statement of sql, printing results. */
static void run_statements(shell *sh, const char *sql)
{
    const char *p = sql;
    while (p && *p && !sh->stop) {
        be_stmt *st = NULL;
        const char *tail = NULL;
        double t0 = now_real(), u0, s0, u1, s1;
        int rc;
        cpu_times(&u0, &s0);
        if (be_prepare(sh->db, p, &st, &tail) != BE_OK) {
            if (sh->echo)
                fprintf(sh->out, "%s\n", first_token(p));
            hdb__cli_fail(sh, line_of(sh, sql, p), be_errmsg(sh->db));
            return; /* the rest cannot be split reliably */
        }
        if (!st)
            return; /* only whitespace or comments left */
        if (sh->echo) {
            const char *b = first_token(p);
            int n = tail && tail > b ? (int)(tail - b) : (int)strlen(b);
            while (n > 0 && isspace((unsigned char)b[n - 1]))
                n--;
            fprintf(sh->out, "%.*s\n", n, b);
        }
        rc = print_rows(sh, st);
        if (rc != BE_DONE) { /* like a prepare error, it ends this input */
            char *msg = strdup(be_errmsg(sh->db));
            be_finalize(st);
            hdb__cli_fail(sh, line_of(sh, sql, p), msg ? msg : "out of memory");
            free(msg);
            return;
        }
        be_finalize(st);
        if (sh->timer) {
            cpu_times(&u1, &s1);
            fprintf(sh->out, "Run Time: real %.3f user %.6f sys %.6f\n", now_real() - t0, u1 - u0,
                    s1 - s0);
        }
        if (!tail || tail <= p)
            return;
        p = tail;
    }
}

/* Interactive sessions say when the current branch changes (USE BRANCH,
 * .branch), as the prompt will show it from now on. */
static void note_switch(shell *sh, const char *before)
{
    const char *now = be_branch_current(sh->db);
    hdb_branch_info *b;
    size_t n;
    int ro = 0;
    if (!sh->interactive || !now || !strcmp(before, now))
        return;
    if (be_branch_list(sh->db, &b, &n) == HDB_OK) {
        for (size_t i = 0; i < n; i++)
            ro |= !strcmp(b[i].name, now) && b[i].read_only;
        be_branch_list_free(b, n);
    }
    fprintf(sh->out, "Switched to branch: %s%s\n", now, ro ? " (read-only)" : "");
}

void hdb__cli_run_sql(shell *sh, const char *sql)
{
    char before[HDB_MAX_BRANCH_NAME + 1];
    snprintf(before, sizeof before, "%s", be_branch_current(sh->db));
    run_statements(sh, sql);
    note_switch(sh, before);
}

/* ------------------------------------------------------------------------
** Input
*/
void hdb__cli_buf_add(cli_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *p;
        while (cap < b->n + n + 1)
            cap *= 2;
        if (!(p = realloc(b->p, cap))) {
            b->oom = 1;
            return;
        }
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void prompt(shell *sh, int more)
{
    if (!sh->interactive)
        return;
    if (more)
        fputs("   ...> ", stdout);
    else
        printf("heliosdb:%s> ", be_branch_current(sh->db));
    fflush(stdout);
}

/* Read and run everything from `in`; returns 0 (see shell.h). */
int hdb__cli_process(shell *sh, FILE *in)
{
    cli_buf buf = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, start = 0;
    while (!sh->stop) {
        prompt(sh, buf.n > 0);
        if ((len = getline(&line, &cap, in)) < 0)
            break;
        lineno++;
        if (buf.n == 0) {
            if (is_blank(line) || is_comment_line(line))
                continue;
            if (line[0] == '.') {
                sh->src_line = sh->src ? lineno : 0;
                line[strcspn(line, "\r\n")] = 0;
                hdb__cli_dot(sh, line);
                continue;
            }
            start = lineno;
        }
        hdb__cli_buf_add(&buf, line, (size_t)len);
        if (buf.oom) {
            hdb__cli_fail(sh, lineno, "out of memory");
            buf.n = 0, buf.oom = 0;
            continue;
        }
        if (sql_complete(buf.p)) {
            sh->src_line = sh->src ? start : 0;
            hdb__cli_run_sql(sh, buf.p);
            buf.n = 0;
        }
    }
    if (buf.n && !sh->stop && !is_blank(buf.p)) { /* a last statement without ';' */
        sh->src_line = sh->src ? start : 0;
        hdb__cli_run_sql(sh, buf.p);
    }
    if (sh->interactive && !sh->stop)
        fputc('\n', stdout);
    free(line);
    free(buf.p);
    return 0;
}

/* ------------------------------------------------------------------------
** Options
*/
static void usage(FILE *f)
{
    fprintf(f,
        "usage: heliosdb-nano [options] [FILE] [SQL...]\n"
        "The HeliosDB Nano shell.  Opens (and creates) the database FILE; without FILE,\n"
        "the file named by $HELIOSDB_DB, else \"" DEFAULT_DB "\" in the current directory.\n"
        "FILE \":memory:\" is a database of the session's own, gone when it ends.\n"
        "Runs each SQL argument (SQL text or a dot-command) and exits; without SQL\n"
        "arguments, reads standard input (with a prompt on a terminal).  Enter .help\n"
        "for the dot-commands.\n"
        "Options:\n"
        "  -bail              stop at the first error\n"
        "  -batch             no prompts, even on a terminal\n"
        "  -box | -column | -csv | -json | -line | -list   the output mode (default list)\n"
        "  -cache BYTES       page cache budget (K, M, G suffixes allowed)\n"
        "  -cmd COMMAND       run COMMAND before the input (may be repeated)\n"
        "  -echo              print each statement before running it\n"
        "  -header | -noheader   show column names or not (default not)\n"
        "  -help              this text\n"
        "  -interactive       prompts even when the input is not a terminal\n"
        "  -nullvalue TEXT    how NULL is shown\n"
        "  -readonly          open the database read only (it must exist)\n"
        "  -separator SEP     the separator of list mode (default |)\n"
        "  -sync full|normal|off   durability of commits (default full)\n"
        "  -version           print the version and exit\n"
        "The exit status is 1 when a statement or command failed (not counting the\n"
        "interactive ones), 0 otherwise.\n");
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    switch (toupper((unsigned char)*end)) {
    case 'K': v <<= 10, end++; break;
    case 'M': v <<= 20, end++; break;
    case 'G': v <<= 30, end++; break;
    default: break;
    }
    if (toupper((unsigned char)*end) == 'B' || toupper((unsigned char)*end) == 'I')
        end += strspn(end, "iIbB");
    if (*end)
        return -1;
    *out = (size_t)v;
    return 0;
}

typedef struct args {
    const char *file;
    char **sql;      /* the SQL arguments */
    int nsql;
    char **cmd;      /* -cmd values */
    int ncmd;
    int batch, force_interactive;
} args;

/* Options with a value; returns 1 if `o` was one (and consumed v), -1 on a
 * bad value, 0 if `o` takes no value. */
static int option_with_value(shell *sh, args *a, const char *o, char *v)
{
    if (!strcmp(o, "cache")) {
        if (!v || parse_size(v, &sh->oo.cache_bytes) < 0)
            return fprintf(stderr, "heliosdb-nano: -cache needs a size in bytes\n"), -1;
    } else if (!strcmp(o, "sync")) {
        if (v && !strcmp(v, "full"))
            sh->oo.sync = HDB_SYNC_FULL;
        else if (v && !strcmp(v, "normal"))
            sh->oo.sync = HDB_SYNC_NORMAL;
        else if (v && !strcmp(v, "off"))
            sh->oo.sync = HDB_SYNC_OFF;
        else
            return fprintf(stderr, "heliosdb-nano: -sync needs full, normal or off\n"), -1;
    } else if (!strcmp(o, "cmd")) {
        if (!v)
            return fprintf(stderr, "heliosdb-nano: -cmd needs a command\n"), -1;
        a->cmd[a->ncmd++] = v;
    } else if (!strcmp(o, "nullvalue")) {
        if (!v)
            return fprintf(stderr, "heliosdb-nano: -nullvalue needs a text\n"), -1;
        snprintf(sh->nullvalue, sizeof sh->nullvalue, "%s", v);
    } else if (!strcmp(o, "separator")) {
        if (!v)
            return fprintf(stderr, "heliosdb-nano: -separator needs a text\n"), -1;
        snprintf(sh->separator, sizeof sh->separator, "%s", v);
    } else {
        return 0;
    }
    return 1;
}

/* Options without a value; 1 if known, 2 for "exit now with 0". */
static int option_flag(shell *sh, args *a, const char *o)
{
    int m = hdb__cli_mode_parse(o);
    if (m >= 0)
        sh->mode = m;
    else if (!strcmp(o, "bail"))
        sh->bail = 1;
    else if (!strcmp(o, "batch"))
        a->batch = 1;
    else if (!strcmp(o, "interactive"))
        a->force_interactive = 1;
    else if (!strcmp(o, "echo"))
        sh->echo = 1;
    else if (!strcmp(o, "header") || !strcmp(o, "headers"))
        sh->headers = 1;
    else if (!strcmp(o, "noheader"))
        sh->headers = 0;
    else if (!strcmp(o, "readonly"))
        sh->oo.read_only = 1, sh->oo.create = 0;
    else if (!strcmp(o, "version"))
        return printf("heliosdb-nano %s (engine: %s %s)\n", HDB_VERSION, BE_ENGINE, be_version()), 2;
    else if (!strcmp(o, "help") || !strcmp(o, "h"))
        return usage(stdout), 2;
    else
        return 0;
    return 1;
}

/* Returns 0 to go on, 1 for a usage error, 2 to exit with 0. */
static int parse_args(shell *sh, args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int rc;
        if (o[0] != '-' || !o[1] || a->nsql) {
            if (!a->file && !a->nsql)
                a->file = o;
            else
                a->sql[a->nsql++] = argv[i];
            continue;
        }
        o += o[1] == '-' ? 2 : 1;
        if ((rc = option_with_value(sh, a, o, i + 1 < argc ? argv[i + 1] : NULL)) < 0)
            return 1;
        if (rc > 0) {
            i++;
            continue;
        }
        if ((rc = option_flag(sh, a, o)) == 0) {
            fprintf(stderr, "heliosdb-nano: unknown option: %s\nUse -help for a list of options.\n",
                    argv[i]);
            return 1;
        }
        if (rc == 2)
            return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    shell sh;
    args a;
    char err[256];
    int rc;
    memset(&sh, 0, sizeof sh);
    memset(&a, 0, sizeof a);
    sh.out = stdout;
    strcpy(sh.separator, "|");
    be_open_opts_init(&sh.oo);
    a.sql = calloc((size_t)argc + 1, sizeof *a.sql);
    a.cmd = calloc((size_t)argc + 1, sizeof *a.cmd);
    if (!a.sql || !a.cmd)
        return 1;
    if ((rc = parse_args(&sh, &a, argc, argv)) != 0) {
        free(a.sql), free(a.cmd);
        return rc == 2 ? 0 : 1;
    }
    sh.dbpath = a.file ? a.file : getenv("HELIOSDB_DB") ? getenv("HELIOSDB_DB") : DEFAULT_DB;
    if (be_open(sh.dbpath, &sh.oo, &sh.db, err, sizeof err) != BE_OK) {
        fprintf(stderr, "Error: cannot open \"%s\": %s\n", sh.dbpath, err);
        free(a.sql), free(a.cmd);
        return 1;
    }
    sh.interactive = !a.nsql && !a.batch && (a.force_interactive || isatty(0));
    for (int i = 0; i < a.ncmd && !sh.stop; i++) {
        char *c = a.cmd[i];
        if (c[0] == '.')
            hdb__cli_dot(&sh, c);
        else
            hdb__cli_run_sql(&sh, c);
    }
    if (a.nsql) {
        for (int i = 0; i < a.nsql && !sh.stop; i++) {
            if (a.sql[i][0] == '.')
                hdb__cli_dot(&sh, a.sql[i]);
            else
                hdb__cli_run_sql(&sh, a.sql[i]);
        }
    } else if (!sh.stop) {
        if (sh.interactive)
            printf("HeliosDB Nano %s  (database \"%s\"; enter \".help\" for usage)\n", HDB_VERSION,
                   sh.dbpath);
        else
            sh.src = "stdin";
        hdb__cli_process(&sh, stdin);
    }
    hdb__cli_output_close(&sh);
    fflush(stdout);
    if ((rc = be_close(sh.db)) != BE_OK && rc != HDB_BUSY)
        fprintf(stderr, "Error: closing the database: %s\n", hdb_errstr(rc)), sh.errors++;
    free(a.sql), free(a.cmd);
    if (sh.has_exit_code)
        return sh.exit_code;
    return sh.interactive ? 0 : sh.errors > 0;
}
