/*
** shell.h — the state of the heliosdb-nano shell, shared by shell.c (input,
** statements, options), shell_dot.c (the dot-commands) and shell_out.c (the
** output modes).
**
** OUTPUT
**   Every table the shell prints — query results and the tables of the
**   dot-commands (.branches, .history, ...) — goes through one printer:
**   hdb__cli_out_begin() with the column names, hdb__cli_out_row() per row,
**   hdb__cli_out_end().  Streaming modes (list, csv, json, line) print each
**   row at once; column and box keep the rows until the end to size the
**   columns.
*/
#ifndef HDB_CLI_SHELL_H
#define HDB_CLI_SHELL_H

#include <stdio.h>
#include "src/cli/backend.h"

enum { MODE_LIST, MODE_CSV, MODE_COLUMN, MODE_BOX, MODE_JSON, MODE_LINE };

/* One printed value.  text is NULL for SQL NULL; borrowed by the printer
 * for the duration of the call (the printer copies what it keeps). */
typedef struct cli_cell {
    int type; /* HDB_INTEGER .. HDB_NULL */
    const char *text;
} cli_cell;

/* The table being printed. */
typedef struct cli_table {
    int ncol;
    char **names;   /* owned */
    char **cells;   /* column/box: kept rows, ncol per row (NULL = SQL NULL) */
    int *types;
    size_t nrow, cap;
    int row_count;  /* rows printed so far (json, line) */
} cli_table;

typedef struct shell {
    be_db *db;
    const char *dbpath;
    be_open_opts oo;
    FILE *out;
    int mode;
    int headers;
    char nullvalue[64];
    char separator[16];
    int timer, bail, echo;
    int interactive;  /* reading a terminal: prompts, no exit status */
    int errors;       /* statements that failed */
    int stop;         /* .quit, or an error under .bail */
    int exit_code;    /* .exit CODE */
    int has_exit_code;
    int depth;        /* .read nesting */
    const char *src;  /* name of the input for error messages, NULL = none */
    int src_line;     /* line where the current statement started */
    cli_table tab;
} shell;

/* A growable NUL-terminated text (shell.c): when an allocation fails, oom
 * is set and later adds do nothing. */
typedef struct cli_buf {
    char *p;
    size_t n, cap;
    int oom;
} cli_buf;
void hdb__cli_buf_add(cli_buf *b, const char *s, size_t n);

/* Statements (shell.c). */
/* Run every statement of sql, printing the results. */
void hdb__cli_run_sql(shell *sh, const char *sql);
/* Read and run the SQL and dot-commands of `in` to its end, or a stop. */
int hdb__cli_process(shell *sh, FILE *in);
/* Report a failed statement or command (line 0: none), count it, and
 * under .bail stop. */
void hdb__cli_fail(shell *sh, int line, const char *msg);

/* Run one dot-command line, which starts with '.' (shell_dot.c). */
void hdb__cli_dot(shell *sh, char *line);
/* Close a file .output opened; output goes to stdout again. */
void hdb__cli_output_close(shell *sh);

/* .dump and .import (shell_io.c); argv[0] is the command. */
void hdb__cli_dump(shell *sh, int argc, char **argv);
void hdb__cli_import(shell *sh, int argc, char **argv);

/* The printer (shell_out.c).  names are copied. */
void hdb__cli_out_begin(shell *sh, int ncol, const char *const *names);
void hdb__cli_out_row(shell *sh, const cli_cell *cells);
void hdb__cli_out_end(shell *sh);
/* "list", "csv", ...: the mode's number, or -1. */
int hdb__cli_mode_parse(const char *name);
const char *hdb__cli_mode_name(int mode);

#endif
