/*
** shell_out.c — the output modes of the heliosdb-nano shell.
**
**   list    values separated by .separator ("|"), one row a line
**   csv     RFC 4180 fields (quoted when they hold , " or a line break),
**           rows ended by "\n"
**   column  aligned columns, numbers to the right, a dashed rule under the
**           headers
**   box     the same inside Unicode box-drawing lines (headers always shown)
**   json    an array of objects, one per row; numbers bare, NULL as null
**   line    one "name = value" line per column, a blank line between rows
**
** NULL prints as .nullvalue (default "") except in json.  Widths count
** UTF-8 characters, not bytes.
*/
#include <stdlib.h>
#include <string.h>
#include "shell.h"

static const char *const mode_names[] = {"list", "csv", "column", "box", "json", "line"};

int hdb__cli_mode_parse(const char *name)
{
    for (int i = 0; i < (int)(sizeof mode_names / sizeof *mode_names); i++)
        if (!strcmp(name, mode_names[i]))
            return i;
    return -1;
}

const char *hdb__cli_mode_name(int mode)
{
    return mode >= 0 && mode <= MODE_LINE ? mode_names[mode] : "?";
}

static char *dup_or_null(const char *s)
{
    size_t n;
    char *p;
    if (!s)
        return NULL;
    n = strlen(s) + 1;
    if ((p = malloc(n)))
        memcpy(p, s, n);
    return p;
}

/* Characters (not bytes) of UTF-8 text. */
static int width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

static const char *shown(const shell *sh, const char *text)
{
    return text ? text : sh->nullvalue;
}

static int is_number(int type) { return type == HDB_INTEGER || type == HDB_FLOAT; }

/* ---- csv and json quoting ---------------------------------------------- */
static void put_csv(FILE *f, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")] && s[0] != ' ' && (!s[0] || s[strlen(s) - 1] != ' ')) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void put_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c == '\r')
            fputs("\\r", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* ---- streaming modes --------------------------------------------------- */
static void row_list(shell *sh, const cli_cell *c)
{
    for (int i = 0; i < sh->tab.ncol; i++) {
        if (i)
            fputs(sh->mode == MODE_CSV ? "," : sh->separator, sh->out);
        if (sh->mode == MODE_CSV)
            put_csv(sh->out, shown(sh, c[i].text));
        else
            fputs(shown(sh, c[i].text), sh->out);
    }
    fputc('\n', sh->out);
}

static void row_json(shell *sh, const cli_cell *c)
{
    fputs(sh->tab.row_count ? ",\n{" : "[{", sh->out);
    for (int i = 0; i < sh->tab.ncol; i++) {
        if (i)
            fputc(',', sh->out);
        put_json_string(sh->out, sh->tab.names[i]);
        fputc(':', sh->out);
        if (!c[i].text)
            fputs("null", sh->out);
        else if (is_number(c[i].type))
            fputs(c[i].text, sh->out);
        else
            put_json_string(sh->out, c[i].text);
    }
    fputc('}', sh->out);
}

static void row_line(shell *sh, const cli_cell *c)
{
    int w = 0;
    for (int i = 0; i < sh->tab.ncol; i++)
        if (width(sh->tab.names[i]) > w)
            w = width(sh->tab.names[i]);
    if (sh->tab.row_count)
        fputc('\n', sh->out);
    for (int i = 0; i < sh->tab.ncol; i++)
        fprintf(sh->out, "%*s = %s\n", w, sh->tab.names[i], shown(sh, c[i].text));
}

/* ---- column and box ---------------------------------------------------- */
static void keep_row(shell *sh, const cli_cell *c)
{
    cli_table *t = &sh->tab;
    size_t need = (t->nrow + 1) * (size_t)t->ncol;
    if (need > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64 * (size_t)t->ncol;
        char **cells;
        int *types;
        while (cap < need)
            cap *= 2;
        cells = realloc(t->cells, cap * sizeof *cells);
        if (cells)
            t->cells = cells;
        types = realloc(t->types, cap * sizeof *types);
        if (types)
            t->types = types;
        if (!cells || !types)
            return; /* out of memory: the row is dropped */
        t->cap = cap;
    }
    for (int i = 0; i < t->ncol; i++) {
        t->cells[t->nrow * t->ncol + i] = dup_or_null(c[i].text);
        t->types[t->nrow * t->ncol + i] = c[i].type;
    }
    t->nrow++;
}

/* Column mode writes blanks only when text follows them (no trailing
 * blanks); *pending counts the blanks owed. */
static void put_text(FILE *f, const char *s, int *pending)
{
    if (!*s)
        return;
    fprintf(f, "%*s%s", *pending, "", s);
    *pending = 0;
}

static void put_padded(FILE *f, const char *s, int w, int right, int *pending)
{
    int pad = w - width(s);
    pad = pad > 0 ? pad : 0;
    if (right)
        *pending += pad, put_text(f, s, pending);
    else
        put_text(f, s, pending), *pending += pad;
}

/* A horizontal line of the box: left, fill, cross, right pieces. */
static void box_rule(shell *sh, const int *w, const char *l, const char *m, const char *r)
{
    fputs(l, sh->out);
    for (int i = 0; i < sh->tab.ncol; i++) {
        for (int k = 0; k < w[i] + 2; k++)
            fputs("─", sh->out);
        fputs(i + 1 < sh->tab.ncol ? m : r, sh->out);
    }
    fputc('\n', sh->out);
}

static void table_line(shell *sh, const int *w, char **v, const int *types)
{
    int box = sh->mode == MODE_BOX, pending = 0;
    if (box)
        fputs("│ ", sh->out);
    for (int i = 0; i < sh->tab.ncol; i++) {
        const char *s = v[i] ? v[i] : sh->nullvalue;
        put_padded(sh->out, s, w[i], types && is_number(types[i]), &pending);
        if (box)
            fprintf(sh->out, "%*s%s", pending, "", i + 1 < sh->tab.ncol ? " │ " : " │"),
                pending = 0;
        else if (i + 1 < sh->tab.ncol)
            pending += 2;
    }
    fputc('\n', sh->out);
}

static void print_kept(shell *sh)
{
    cli_table *t = &sh->tab;
    int *w = calloc((size_t)t->ncol, sizeof *w), box = sh->mode == MODE_BOX;
    if (!w)
        return;
    for (int i = 0; i < t->ncol; i++) {
        w[i] = sh->headers || box ? width(t->names[i]) : 0;
        for (size_t r = 0; r < t->nrow; r++) {
            const char *s = t->cells[r * t->ncol + i];
            int cw = width(s ? s : sh->nullvalue);
            w[i] = cw > w[i] ? cw : w[i];
        }
    }
    if (box)
        box_rule(sh, w, "┌", "┬", "┐");
    if (sh->headers || box) {
        table_line(sh, w, t->names, NULL);
        if (box) {
            box_rule(sh, w, "├", "┼", "┤");
        } else {
            for (int i = 0; i < t->ncol; i++) {
                for (int k = 0; k < w[i]; k++)
                    fputc('-', sh->out);
                fputs(i + 1 < t->ncol ? "  " : "\n", sh->out);
            }
        }
    }
    for (size_t r = 0; r < t->nrow; r++)
        table_line(sh, w, t->cells + r * t->ncol, t->types + r * t->ncol);
    if (box)
        box_rule(sh, w, "└", "┴", "┘");
    free(w);
}

/* ---- the printer ------------------------------------------------------- */
void hdb__cli_out_begin(shell *sh, int ncol, const char *const *names)
{
    cli_table *t = &sh->tab;
    memset(t, 0, sizeof *t);
    t->names = calloc((size_t)(ncol > 0 ? ncol : 1), sizeof *t->names);
    if (!t->names)
        return;
    t->ncol = ncol;
    for (int i = 0; i < ncol; i++)
        if (!(t->names[i] = dup_or_null(names[i] ? names[i] : "")))
            t->names[i] = dup_or_null("?");
}

/* list and csv: the header line, before the first row (none for no rows). */
static void list_header(shell *sh)
{
    cli_table *t = &sh->tab;
    cli_cell *c = calloc((size_t)(t->ncol > 0 ? t->ncol : 1), sizeof *c);
    if (!c)
        return;
    for (int i = 0; i < t->ncol; i++)
        c[i].type = HDB_TEXT, c[i].text = t->names[i] ? t->names[i] : "";
    row_list(sh, c);
    free(c);
}

void hdb__cli_out_row(shell *sh, const cli_cell *cells)
{
    if (!sh->tab.names)
        return;
    switch (sh->mode) {
    case MODE_COLUMN:
    case MODE_BOX:
        keep_row(sh, cells);
        break;
    case MODE_JSON:
        row_json(sh, cells);
        break;
    case MODE_LINE:
        row_line(sh, cells);
        break;
    default:
        if (sh->headers && sh->tab.row_count == 0)
            list_header(sh);
        row_list(sh, cells);
    }
    sh->tab.row_count++;
}

void hdb__cli_out_end(shell *sh)
{
    cli_table *t = &sh->tab;
    if (!t->names)
        return;
    if ((sh->mode == MODE_COLUMN || sh->mode == MODE_BOX) && t->nrow)
        print_kept(sh);
    if (sh->mode == MODE_JSON && t->row_count)
        fputs("]\n", sh->out);
    for (size_t i = 0; i < t->nrow * (size_t)t->ncol; i++)
        free(t->cells[i]);
    for (int i = 0; i < t->ncol; i++)
        free(t->names[i]);
    free(t->cells);
    free(t->types);
    free(t->names);
    memset(t, 0, sizeof *t);
}
