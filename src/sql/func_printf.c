/*
** func_printf.c — printf(FORMAT, ...) and format(...), SQLite's printf with
** SQL values as the arguments.
**
** WHAT IS SUPPORTED
**   Conversions d i u x X o p f e E g G c s z q Q w % (and n, ignored);
**   flags - + space 0 # , !; width and precision as numbers or '*' (taken
**   from the arguments); l and ll are accepted and ignored.  An unknown
**   conversion ends the output, as in SQLite.  A missing argument reads as
**   NULL (0, 0.0 or "").
**
** NUMBERS
**   %f %e %g are SQLite's own algorithm (func_float.c), digit for digit.
**
** LIMITATIONS
**   Width and precision are capped at 100000 (beyond: "string or blob too big").
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pager/mem.h"
#include "src/sql/func_int.h"
#include "src/sql/value_int.h"

#define MAX_WIDTH 100000

/* ---- printf ------------------------------------------------------------------ */

typedef struct spec {
    int left, plus, space, alt, bang, zero, comma;
    int width, prec; /* prec -1: none */
    char conv;
} spec;

typedef struct args {
    int argc, next;
    hdb_sql_value *argv;
} args;

static const hdb_sql_value *next_arg(args *a)
{
    static const hdb_sql_value null = HDB_SQL_NULL_INIT;
    return a->next < a->argc ? &a->argv[a->next++] : &null;
}

/* Append s[0..n) padded to the spec's width. */
static void pad(hdb_buf *b, const spec *sp, const char *s, size_t n, size_t nchars)
{
    size_t w = sp->width > 0 ? (size_t)sp->width : 0;
    size_t fill = w > nchars ? w - nchars : 0;
    if (!sp->left)
        for (size_t k = 0; k < fill; k++)
            hdb__buf_append(b, " ", 1);
    hdb__buf_append(b, s, n);
    if (sp->left)
        for (size_t k = 0; k < fill; k++)
            hdb__buf_append(b, " ", 1);
}

/* %d %i %u %x %X %o %p: digits, zero padding to the precision (or to the
 * width with the '0' flag), then thousands separators, then the prefix. */
static void fmt_int(hdb_buf *b, const spec *sp, int64_t v)
{
    char digits[80];
    size_t nd = 0;
    int is_signed = sp->conv == 'd' || sp->conv == 'i';
    uint64_t u = is_signed && v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int base = sp->conv == 'o' ? 8 : (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p') ? 16 : 10;
    const char *hex = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    do { /* reversed */
        digits[nd++] = hex[u % (uint64_t)base];
        u /= (uint64_t)base;
    } while (u);
    const char *prefix = !is_signed ? "" : v < 0 ? "-" : sp->plus ? "+" : sp->space ? " " : "";
    int prec = sp->prec;
    if (sp->zero && sp->width - (int)(*prefix != 0) > prec) /* even with '-', as SQLite */
        prec = sp->width - (int)(*prefix != 0);
    hdb_buf t;
    hdb__buf_init(&t, NULL);
    hdb__buf_puts(&t, prefix);
    if (sp->alt && base == 16 && v != 0)
        hdb__buf_puts(&t, sp->conv == 'X' ? "0X" : "0x");
    if (sp->alt && base == 8 && v != 0)
        hdb__buf_puts(&t, "0");
    size_t len = nd > (size_t)(prec > 0 ? prec : 0) ? nd : (size_t)prec;
    for (size_t k = len; k > 0; k--) { /* digit k-1 counted from the right */
        hdb__buf_append(&t, k - 1 < nd ? &digits[k - 1] : "0", 1);
        if (sp->comma && base == 10 && k > 1 && (k - 1) % 3 == 0)
            hdb__buf_append(&t, ",", 1);
    }
    if (t.oom)
        b->oom = 1;
    else
        pad(b, sp, t.data, t.len, t.len);
    hdb__buf_free(&t);
}

/* %f %e %E %g %G */
static void fmt_real(hdb_buf *b, const spec *sp, double f)
{
    int prec = sp->prec < 0 ? 6 : sp->prec;
    int flags = (sp->alt ? HDB_FMT_ALT : 0) | (sp->bang ? HDB_FMT_BANG : 0) | (sp->plus ? HDB_FMT_PLUS : 0) |
                (sp->space ? HDB_FMT_SPACE : 0);
    hdb_buf t;
    hdb__buf_init(&t, NULL);
    hdb__sql_fmt_float(&t, f, sp->conv, prec, flags);
    if (sp->zero && !sp->left && (int)t.len < sp->width && !t.oom) { /* zeros after the sign */
        size_t lead = (t.data[0] == '-' || t.data[0] == '+' || t.data[0] == ' ') ? 1 : 0;
        size_t z = (size_t)sp->width - t.len, n = t.len;
        if (hdb__buf_reserve(&t, z) == HDB_OK) {
            memmove(t.data + lead + z, t.data + lead, n - lead + 1);
            memset(t.data + lead, '0', z);
            t.len += z;
        }
    }
    if (t.oom)
        b->oom = 1;
    else
        pad(b, sp, t.data, t.len, t.len);
    hdb__buf_free(&t);
}

/* Characters (or bytes) of s[0..n) within prec; sets *nchars. */
static size_t clip(const spec *sp, const char *s, size_t n, size_t *nchars)
{
    if (!sp->bang) {
        if (sp->prec >= 0 && (size_t)sp->prec < n)
            n = (size_t)sp->prec;
        *nchars = n;
        return n;
    }
    size_t k = 0, c = 0;
    while (k < n && (sp->prec < 0 || c < (size_t)sp->prec)) {
        hdb__sql_utf8_get(s, n, &k);
        c++;
    }
    *nchars = c;
    return k;
}

/* %s %z %c %q %Q %w */
static void fmt_text(hdb_buf *b, const spec *sp, const hdb_sql_value *v)
{
    char tmp[40];
    size_t n, nchars;
    const char *s = hdb__sql_func_text(v, tmp, &n);
    if (sp->conv == 'c') {
        size_t k = 0;
        if (s && n)
            hdb__sql_utf8_get(s, n, &k);
        else
            s = "", k = 1; /* NULL or '': a NUL character, as SQLite */
        hdb_buf t;
        hdb__buf_init(&t, NULL);
        int times = sp->prec > 1 ? (sp->prec > MAX_WIDTH ? MAX_WIDTH : sp->prec) : 1;
        for (int r = 0; r < times; r++)
            hdb__buf_append(&t, s, k);
        if (!t.oom)
            pad(b, sp, t.data ? t.data : "", t.len, (size_t)times);
        hdb__buf_free(&t);
        return;
    }
    if (sp->conv == 's' || sp->conv == 'z') {
        n = clip(sp, s ? s : "", s ? n : 0, &nchars);
        pad(b, sp, s ? s : "", n, nchars);
        return;
    }
    char q = sp->conv == 'w' ? '"' : '\'';
    int quote = s && sp->conv == 'Q';
    if (!s) { /* the text for NULL is clipped by the precision too */
        s = sp->conv == 'Q' ? "NULL" : "(NULL)";
        n = strlen(s);
    }
    n = clip(sp, s, n, &nchars);
    hdb_buf t;
    hdb__buf_init(&t, NULL);
    if (quote)
        hdb__buf_append(&t, &q, 1), nchars++;
    for (size_t k = 0; k < n; k++) {
        if (s[k] == q)
            hdb__buf_append(&t, &q, 1), nchars++;
        hdb__buf_append(&t, s + k, 1);
    }
    if (quote)
        hdb__buf_append(&t, &q, 1), nchars++;
    if (!t.oom)
        pad(b, sp, t.data ? t.data : "", t.len, nchars);
    hdb__buf_free(&t);
}

/* Read flags, width and precision at fmt[*k..n) into sp; 0 if too big. */
static int parse_spec(const char *fmt, size_t n, size_t *k, args *a, spec *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->prec = -1;
    for (; *k < n; (*k)++) {
        switch (fmt[*k]) {
        case '-': sp->left = 1; continue;
        case '+': sp->plus = 1, sp->space = 0; continue; /* the last of '+' and ' ' wins */
        case ' ': sp->space = 1, sp->plus = 0; continue;
        case '#': sp->alt = 1; continue;
        case '!': sp->bang = 1; continue;
        case '0': sp->zero = 1; continue;
        case ',': sp->comma = 1; continue;
        default: break;
        }
        break;
    }
    int64_t w = 0;
    if (*k < n && fmt[*k] == '*') {
        w = hdb__sql_value_to_int(next_arg(a));
        (*k)++;
        if (w < 0)
            sp->left = 1, w = w == INT64_MIN ? INT64_MAX : -w;
    } else {
        while (*k < n && fmt[*k] >= '0' && fmt[*k] <= '9' && w <= MAX_WIDTH)
            w = w * 10 + (fmt[(*k)++] - '0');
    }
    if (w > MAX_WIDTH)
        return 0;
    sp->width = (int)w;
    if (*k < n && fmt[*k] == '.') {
        int64_t p = 0;
        (*k)++;
        if (*k < n && fmt[*k] == '*') {
            p = hdb__sql_value_to_int(next_arg(a));
            (*k)++;
            if (p < 0)
                p = p == INT64_MIN ? INT64_MAX : -p;
        } else {
            while (*k < n && fmt[*k] >= '0' && fmt[*k] <= '9' && p <= MAX_WIDTH)
                p = p * 10 + (fmt[(*k)++] - '0');
        }
        if (p > MAX_WIDTH)
            return 0;
        sp->prec = (int)p;
    }
    while (*k < n && fmt[*k] == 'l')
        (*k)++;
    sp->conv = *k < n ? fmt[(*k)++] : 0;
    return 1;
}

static int fn_printf(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char tmp[40];
    size_t n;
    const char *fmt = hdb__sql_func_text(&argv[0], tmp, &n);
    if (!fmt) {
        hdb__sql_value_clear(out);
        return HDB_OK;
    }
    args a = {argc, 1, argv};
    hdb_buf b;
    int touched = 0; /* SQLite's result is NULL when nothing was ever output */
    hdb__buf_init(&b, NULL);
    for (size_t k = 0; k < n && !b.oom;) {
        size_t run = k;
        while (k < n && fmt[k] != '%')
            k++;
        hdb__buf_append(&b, fmt + run, k - run);
        touched |= k > run;
        if (k >= n)
            break;
        k++;
        spec sp;
        if (!parse_spec(fmt, n, &k, &a, &sp)) {
            hdb__buf_free(&b);
            return hdb__sql_func_error(ctx, "string or blob too big");
        }
        switch (sp.conv) {
        case '%': pad(&b, &sp, "%", 1, 1); break;
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'p':
            fmt_int(&b, &sp, hdb__sql_value_to_int(next_arg(&a)));
            break;
        case 'f': case 'e': case 'E': case 'g': case 'G':
            fmt_real(&b, &sp, hdb__sql_value_to_float(next_arg(&a)));
            break;
        case 's': case 'z': case 'c': case 'q': case 'Q': case 'w': fmt_text(&b, &sp, next_arg(&a)); break;
        case 'n': next_arg(&a); break;
        default: k = n; continue; /* unknown conversion: the output ends */
        }
        touched = 1;
    }
    if (!touched && !b.oom) {
        hdb__buf_free(&b);
        hdb__sql_value_clear(out);
        return HDB_OK;
    }
    return hdb__sql_func_take(out, &b, HDB_TEXT);
}

const hdb_sql_funcdef hdb__sql_funcs_printf[] = {
    {"printf", 1, -1, fn_printf, NULL, 1},
    {"format", 1, -1, fn_printf, NULL, 1},
    {NULL, 0, 0, NULL, NULL, 0},
};
