/*
** shell_dot.c — the dot-commands of the heliosdb-nano shell (.help lists
** them).  The branch commands read the engine directly (hdb_branch_list,
** hdb_history_list, hdb_check, hdb_stats_get); .branch, .tables and .schema
** run SQL, so that the SQL layer's view of the session stays the one true
** state.
*/
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "shell.h"

#define MAX_READ_DEPTH 16
#define MAX_ARGS 16

/* The line of the dot-command being run, when reading a script. */
static int dot_line(const shell *sh) { return sh->src ? sh->src_line : 0; }

/* Run a query built by the shell itself (dot-commands). */
static void run_internal(shell *sh, const char *sql)
{
    int saved = sh->src_line;
    sh->src_line = 0;
    hdb__cli_run_sql(sh, sql);
    sh->src_line = saved;
}

static const char help_text[] =
    ".bail on|off            stop at the first error (default off)\n"
    ".branch [NAME]          show the current branch, or switch (= USE BRANCH NAME)\n"
    ".branches               list the branches (* marks the current one)\n"
    ".check                  verify the whole database (checksums, trees, page counts)\n"
    ".dump [TABLE]           SQL text that rebuilds the tables (LIKE pattern), rows, indexes\n"
    ".echo on|off            print each statement before running it\n"
    ".exit [CODE]            leave the shell\n"
    ".headers on|off         show column names (default off; on in box mode)\n"
    ".help                   this text\n"
    ".history [BRANCH]       the retained commits (LSN and time), of one branch or all\n"
    ".import [--csv] [--skip N] FILE TABLE\n"
    "                        read rows from FILE (CSV, or the list separator) into TABLE\n"
    ".lsn                    the LSN of the last commit (for AS OF LSN)\n"
    ".mode MODE              list | csv | column | box | json | line\n"
    ".nullvalue TEXT         how NULL is shown (default empty)\n"
    ".output [FILE]          send output to FILE (created or emptied), or back to stdout\n"
    ".print TEXT...          print the words\n"
    ".quit                   leave the shell\n"
    ".read FILE              run the SQL and dot-commands of FILE\n"
    ".schema [TABLE]         the CREATE statements, of one table or all\n"
    ".separator SEP          the column separator of list mode (default |)\n"
    ".show                   the current settings\n"
    ".stats                  page cache, file and log statistics\n"
    ".tables                 the tables and views of the current branch\n"
    ".timer on|off           print the time each statement took\n";

/* Split a dot-command into words ('quoted' and "quoted" words allowed). */
static int split_args(char *z, char **argv)
{
    int n = 0;
    while (*z && n < MAX_ARGS) {
        while (isspace((unsigned char)*z))
            z++;
        if (!*z)
            break;
        if (*z == '\'' || *z == '"') {
            char q = *z++;
            argv[n++] = z;
            while (*z && *z != q)
                z++;
        } else {
            argv[n++] = z;
            while (*z && !isspace((unsigned char)*z))
                z++;
        }
        if (*z)
            *z++ = 0;
    }
    return n;
}

/* "on"/"off" (also yes/no, 1/0); -1 if neither. */
static int parse_bool(const char *s)
{
    if (!strcasecmp(s, "on") || !strcasecmp(s, "yes") || !strcmp(s, "1"))
        return 1;
    if (!strcasecmp(s, "off") || !strcasecmp(s, "no") || !strcmp(s, "0"))
        return 0;
    return -1;
}

/* Append s to b (size n) as a single-quoted SQL string. */
static void sql_quote(char *b, size_t n, const char *s, char q)
{
    size_t k = 0;
    if (n < 3)
        return;
    b[k++] = q;
    for (; *s && k + 3 < n; s++) {
        if (*s == q)
            b[k++] = q;
        b[k++] = *s;
    }
    b[k++] = q;
    b[k] = 0;
}

static void format_time(char *buf, size_t n, int64_t us)
{
    time_t secs = (time_t)(us / 1000000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm)) {
        snprintf(buf, n, "%lld", (long long)us);
        return;
    }
    strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Print one row of strings through the printer. */
static void out_strings(shell *sh, const char *const *v, const int *types, int n)
{
    cli_cell c[16];
    for (int i = 0; i < n && i < 16; i++)
        c[i].text = v[i], c[i].type = types ? types[i] : HDB_TEXT;
    hdb__cli_out_row(sh, c);
}

static void dot_branches(shell *sh)
{
    static const char *const names[] = {"current", "name", "parent", "fork_lsn", "head_lsn",
                                        "read_only", "created", "owned_bytes", "description"};
    static const int types[] = {HDB_TEXT, HDB_TEXT, HDB_TEXT, HDB_INTEGER, HDB_INTEGER,
                                HDB_TEXT, HDB_TEXT, HDB_INTEGER, HDB_TEXT};
    hdb_branch_info *b;
    size_t n;
    const char *cur = be_branch_current(sh->db);
    int rc = be_branch_list(sh->db, &b, &n);
    if (rc != HDB_OK)
        return hdb__cli_fail(sh, dot_line(sh), BE_HAS_BRANCHES ? be_errmsg(sh->db) : be_no_branches());
    hdb__cli_out_begin(sh, 9, names);
    for (size_t i = 0; i < n; i++) {
        char fork[24], head[24], created[32], owned[24];
        const char *v[9];
        snprintf(fork, sizeof fork, "%llu", (unsigned long long)b[i].fork_lsn);
        snprintf(head, sizeof head, "%llu", (unsigned long long)b[i].head_lsn);
        snprintf(owned, sizeof owned, "%llu", (unsigned long long)b[i].owned_bytes);
        format_time(created, sizeof created, b[i].created_us);
        v[0] = cur && !strcmp(cur, b[i].name) ? "*" : "";
        v[1] = b[i].name, v[2] = b[i].parent, v[3] = fork, v[4] = head;
        v[5] = b[i].read_only ? "yes" : "no", v[6] = created, v[7] = owned;
        v[8] = b[i].description ? b[i].description : "";
        out_strings(sh, v, types, 9);
    }
    hdb__cli_out_end(sh);
    be_branch_list_free(b, n);
}

static void dot_history(shell *sh, const char *branch)
{
    static const char *const names[] = {"lsn", "time", "branch"};
    static const int types[] = {HDB_INTEGER, HDB_TEXT, HDB_TEXT};
    hdb_history_entry *h;
    size_t n;
    int rc = be_history(sh->db, branch, &h, &n);
    if (rc != HDB_OK)
        return hdb__cli_fail(sh, dot_line(sh), BE_HAS_BRANCHES ? be_errmsg(sh->db) : be_no_branches());
    hdb__cli_out_begin(sh, 3, names);
    for (size_t i = 0; i < n; i++) {
        char lsn[24], day[32], when[48];
        const char *v[3] = {lsn, when, h[i].branch};
        snprintf(lsn, sizeof lsn, "%llu", (unsigned long long)h[i].lsn);
        format_time(day, sizeof day, h[i].time_us);
        snprintf(when, sizeof when, "%s.%06d", day, (int)(h[i].time_us % 1000000 + 1000000) % 1000000);
        out_strings(sh, v, types, 3);
    }
    hdb__cli_out_end(sh);
    be_free(h);
}

static void dot_check(shell *sh)
{
    char *report = NULL;
    int rc = be_check(sh->db, &report);
    if (!BE_HAS_BRANCHES)
        return hdb__cli_fail(sh, dot_line(sh), "the integrity check needs the HeliosDB engine");
    if (rc == HDB_OK) {
        fprintf(sh->out, "ok\n");
    } else {
        if (report && *report)
            fprintf(sh->out, "%s%s", report, report[strlen(report) - 1] == '\n' ? "" : "\n");
        hdb__cli_fail(sh, dot_line(sh), hdb_errstr(rc));
    }
    be_free(report);
}

static void dot_stats(shell *sh)
{
    static const char *const names[] = {"stat", "value"};
    static const int types[] = {HDB_TEXT, HDB_INTEGER};
    hdb_stats st;
    if (be_stats(sh->db, &st) != HDB_OK)
        return hdb__cli_fail(sh, dot_line(sh), BE_HAS_BRANCHES ? be_errmsg(sh->db) : "statistics need the HeliosDB engine");
    struct { const char *name; uint64_t v; } rows[] = {
        {"page_size", st.page_size},       {"file_bytes", st.file_bytes},
        {"wal_bytes", st.wal_bytes},       {"live_pages", st.live_pages},
        {"free_pages", st.free_pages},     {"history_pages", st.history_pages},
        {"page_reads", st.page_reads},     {"page_writes", st.page_writes},
        {"cache_hits", st.cache_hits},     {"cache_bytes", st.cache_bytes},
        {"checkpoints", st.checkpoints},   {"lsn", be_lsn(sh->db)}};
    hdb__cli_out_begin(sh, 2, names);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        char num[24];
        const char *v[2] = {rows[i].name, num};
        snprintf(num, sizeof num, "%llu", (unsigned long long)rows[i].v);
        out_strings(sh, v, types, 2);
    }
    hdb__cli_out_end(sh);
}

static void dot_branch(shell *sh, int argc, char **argv)
{
    char sql[HDB_MAX_BRANCH_NAME * 2 + 32], name[HDB_MAX_BRANCH_NAME * 2 + 8];
    if (argc < 2) {
        fprintf(sh->out, "%s\n", be_branch_current(sh->db));
        return;
    }
    if (strlen(argv[1]) > HDB_MAX_BRANCH_NAME)
        return hdb__cli_fail(sh, dot_line(sh), "branch name too long");
    sql_quote(name, sizeof name, argv[1], '"');
    snprintf(sql, sizeof sql, "USE BRANCH %s;", name);
    run_internal(sh, sql);
}

static void dot_schema(shell *sh, int argc, char **argv)
{
    char sql[1024], pat[256];
    const char *base = "SELECT sql || ';' FROM sqlite_master WHERE sql IS NOT NULL";
    int headers = sh->headers, mode = sh->mode;
    if (argc >= 2) {
        sql_quote(pat, sizeof pat, argv[1], '\'');
        snprintf(sql, sizeof sql, "%s AND (name LIKE %s OR tbl_name LIKE %s) "
                 "ORDER BY tbl_name, type DESC, name;", base, pat, pat);
    } else {
        snprintf(sql, sizeof sql, "%s AND name NOT LIKE 'sqlite_%%' "
                 "ORDER BY tbl_name, type DESC, name;", base);
    }
    sh->headers = 0, sh->mode = MODE_LIST;
    run_internal(sh, sql);
    sh->headers = headers, sh->mode = mode;
}

static void dot_tables(shell *sh, int argc, char **argv)
{
    char sql[512], pat[256];
    int headers = sh->headers, mode = sh->mode;
    sql_quote(pat, sizeof pat, argc >= 2 ? argv[1] : "%", '\'');
    snprintf(sql, sizeof sql,
             "SELECT name FROM sqlite_master WHERE type IN ('table','view') "
             "AND name NOT LIKE 'sqlite_%%' AND name LIKE %s ORDER BY name;", pat);
    sh->headers = 0, sh->mode = MODE_LIST;
    run_internal(sh, sql);
    sh->headers = headers, sh->mode = mode;
}

static void dot_read(shell *sh, const char *path)
{
    FILE *f;
    const char *src = sh->src;
    int line = sh->src_line, interactive = sh->interactive;
    if (sh->depth >= MAX_READ_DEPTH)
        return hdb__cli_fail(sh, dot_line(sh), ".read nested too deeply");
    if (!(f = fopen(path, "r"))) {
        char msg[600];
        snprintf(msg, sizeof msg, "cannot open \"%s\": %s", path, strerror(errno));
        return hdb__cli_fail(sh, dot_line(sh), msg);
    }
    sh->depth++;
    sh->src = path, sh->interactive = 0;
    hdb__cli_process(sh, f);
    sh->depth--;
    sh->src = src, sh->src_line = line, sh->interactive = interactive;
    fclose(f);
}

static void dot_show(shell *sh)
{
    fprintf(sh->out,
            "        bail: %s\n        echo: %s\n     headers: %s\n        mode: %s\n"
            "   nullvalue: \"%s\"\n   separator: \"%s\"\n       timer: %s\n    database: %s\n"
            "      branch: %s\n      engine: %s %s\n",
            sh->bail ? "on" : "off", sh->echo ? "on" : "off", sh->headers ? "on" : "off",
            hdb__cli_mode_name(sh->mode), sh->nullvalue, sh->separator, sh->timer ? "on" : "off",
            sh->dbpath, be_branch_current(sh->db), BE_ENGINE, be_version());
}

/* Set an on/off flag from argv[1]; 0 on success. */
static int set_flag(shell *sh, int *flag, int argc, char **argv)
{
    int v = argc >= 2 ? parse_bool(argv[1]) : -1;
    if (v < 0) {
        char msg[64];
        snprintf(msg, sizeof msg, "usage: %s on|off", argv[0]);
        hdb__cli_fail(sh, dot_line(sh), msg);
        return -1;
    }
    *flag = v;
    return 0;
}

static void dot_mode(shell *sh, int argc, char **argv)
{
    int m;
    if (argc < 2) {
        fprintf(sh->out, "current output mode: %s\n", hdb__cli_mode_name(sh->mode));
        return;
    }
    if ((m = hdb__cli_mode_parse(argv[1])) < 0)
        return hdb__cli_fail(sh, dot_line(sh), "mode should be one of: list csv column box json line");
    sh->mode = m;
    if (m == MODE_LIST && !strcmp(sh->separator, ","))
        strcpy(sh->separator, "|");
}

/* .output FILE / .output: where results and dot-command output go. */
static void dot_output(shell *sh, int argc, char **argv)
{
    FILE *f = stdout;
    if (argc > 2)
        return hdb__cli_fail(sh, dot_line(sh), "usage: .output [FILE]");
    if (argc == 2 && strcmp(argv[1], "stdout") && !(f = fopen(argv[1], "w"))) {
        char msg[600];
        snprintf(msg, sizeof msg, "cannot open \"%s\": %s", argv[1], strerror(errno));
        return hdb__cli_fail(sh, dot_line(sh), msg);
    }
    hdb__cli_output_close(sh);
    sh->out = f;
}

void hdb__cli_output_close(shell *sh)
{
    if (sh->out && sh->out != stdout && fclose(sh->out) != 0)
        hdb__cli_fail(sh, dot_line(sh), "writing the output file failed");
    sh->out = stdout;
}

/* Run one dot-command line (it starts with '.'). */
void hdb__cli_dot(shell *sh, char *line)
{
    char *argv[MAX_ARGS + 1];
    int argc = split_args(line + 1, argv);
    const char *c = argc ? argv[0] : "";
    argv[argc] = NULL;
    if (!argc)
        return;
    if (!strcmp(c, "quit") || !strcmp(c, "q") || !strcmp(c, "exit")) {
        sh->stop = 1;
        if (!strcmp(c, "exit") && argc >= 2)
            sh->exit_code = atoi(argv[1]) & 0xff, sh->has_exit_code = 1;
    } else if (!strcmp(c, "help")) {
        fputs(help_text, sh->out);
    } else if (!strcmp(c, "mode")) {
        dot_mode(sh, argc, argv);
    } else if (!strcmp(c, "headers") || !strcmp(c, "header")) {
        set_flag(sh, &sh->headers, argc, argv);
    } else if (!strcmp(c, "nullvalue")) {
        snprintf(sh->nullvalue, sizeof sh->nullvalue, "%s", argc >= 2 ? argv[1] : "");
    } else if (!strcmp(c, "separator")) {
        snprintf(sh->separator, sizeof sh->separator, "%s", argc >= 2 ? argv[1] : "|");
    } else if (!strcmp(c, "timer")) {
        set_flag(sh, &sh->timer, argc, argv);
    } else if (!strcmp(c, "bail")) {
        set_flag(sh, &sh->bail, argc, argv);
    } else if (!strcmp(c, "echo")) {
        set_flag(sh, &sh->echo, argc, argv);
    } else if (!strcmp(c, "print")) {
        for (int i = 1; i < argc; i++)
            fprintf(sh->out, "%s%s", argv[i], i + 1 < argc ? " " : "");
        fputc('\n', sh->out);
    } else if (!strcmp(c, "tables")) {
        dot_tables(sh, argc, argv);
    } else if (!strcmp(c, "schema")) {
        dot_schema(sh, argc, argv);
    } else if (!strcmp(c, "branches")) {
        dot_branches(sh);
    } else if (!strcmp(c, "branch")) {
        dot_branch(sh, argc, argv);
    } else if (!strcmp(c, "history")) {
        dot_history(sh, argc >= 2 ? argv[1] : NULL);
    } else if (!strcmp(c, "lsn")) {
        if (!BE_HAS_BRANCHES)
            hdb__cli_fail(sh, dot_line(sh), be_no_branches());
        else
            fprintf(sh->out, "%llu\n", (unsigned long long)be_lsn(sh->db));
    } else if (!strcmp(c, "check")) {
        dot_check(sh);
    } else if (!strcmp(c, "stats")) {
        dot_stats(sh);
    } else if (!strcmp(c, "read")) {
        if (argc < 2)
            hdb__cli_fail(sh, dot_line(sh), "usage: .read FILE");
        else
            dot_read(sh, argv[1]);
    } else if (!strcmp(c, "output")) {
        dot_output(sh, argc, argv);
    } else if (!strcmp(c, "dump")) {
        hdb__cli_dump(sh, argc, argv);
    } else if (!strcmp(c, "import")) {
        hdb__cli_import(sh, argc, argv);
    } else if (!strcmp(c, "show")) {
        dot_show(sh);
    } else {
        char msg[128];
        snprintf(msg, sizeof msg, "unknown command or invalid arguments: \"%.40s\"; enter \".help\"",
                 c);
        hdb__cli_fail(sh, dot_line(sh), msg);
    }
}

