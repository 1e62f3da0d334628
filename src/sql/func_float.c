/*
** func_float.c — SQLite's printf conversions of a double: %f, %e, %E, %g,
** %G (hdb__sql_fmt_float, used by printf(), round() and quote()).
**
** HOW IT WORKS
**   The same steps as SQLite's own printf, so that the digits agree with
**   sqlite3 to the last place, including SQLite's rounding quirks:
**     1. A rounder of half a unit in the last place asked for is made
**        (with a small nudge of 3e-16 times the value for %f when few
**        digits are asked, so that round(1.005, 2) is 1.01).
**     2. For %f it is added first; the value is then scaled into [1, 10)
**        in long double; for %e and %g the rounder is added after scaling.
**     3. %g becomes %e or %f by the decimal exponent.
**     4. Digits are taken by truncation, at most 16 significant ones (26
**        with the '!' flag), the rest '0'.
**     5. Trailing zeros go for %g (unless '#') and with '!' (which keeps
**        one digit after the point).
**
** INVARIANTS
**   - Nothing is written outside the hdb_buf; any precision is safe.
*/
#include <math.h>
#include <string.h>
#include "src/sql/func_int.h"

/* The next digit of *val (in [0, 10)), while *cnt significant digits last. */
static char next_digit(long double *val, int *cnt)
{
    if (*cnt <= 0)
        return '0';
    (*cnt)--;
    int digit = (int)*val;
    if (digit > 9)
        digit = 9;
    if (digit < 0)
        digit = 0;
    *val = (*val - digit) * 10.0;
    return (char)('0' + digit);
}

/* Scale r (> 0) into [1, 10); returns the decimal exponent (> 350: Inf). */
static int normalize(long double *r)
{
    long double scale = 1.0;
    int exp = 0;
    while (*r >= 1e100 * scale && exp <= 350)
        scale *= 1e100, exp += 100;
    while (*r >= 1e10 * scale && exp <= 350)
        scale *= 1e10, exp += 10;
    while (*r >= 10.0 * scale && exp <= 350)
        scale *= 10.0, exp++;
    *r /= scale;
    while (*r < 1e-8)
        *r *= 1e8, exp -= 8;
    while (*r < 1.0)
        *r *= 10.0, exp--;
    return exp;
}

static long double make_rounder(int prec)
{
    static const double half[] = {5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05,
                                  5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10};
    int idx = prec & 0xfff;
    long double rounder = half[idx % 10];
    for (; idx >= 10; idx -= 10)
        rounder *= 1.0e-10;
    return rounder;
}

/* Digits of r (scaled, exponent exp) laid out as %f (e2 = exp) or %e (e2 = 0). */
static void put_digits(hdb_buf *b, long double r, int e2, int prec, int nsd, int dp)
{
    char c;
    if (e2 < 0) {
        hdb__buf_append(b, "0", 1);
    } else {
        for (; e2 >= 0; e2--)
            c = next_digit(&r, &nsd), hdb__buf_append(b, &c, 1);
    }
    if (dp)
        hdb__buf_append(b, ".", 1);
    for (e2++; e2 < 0 && prec > 0; prec--, e2++)
        hdb__buf_append(b, "0", 1);
    for (; prec > 0; prec--)
        c = next_digit(&r, &nsd), hdb__buf_append(b, &c, 1);
}

void hdb__sql_fmt_float(hdb_buf *b, double v, int conv, int prec, int flags)
{
    int alt = flags & HDB_FMT_ALT, bang = flags & HDB_FMT_BANG, is_exp = conv == 'e' || conv == 'E';
    int generic = conv == 'g' || conv == 'G', upper = conv == 'E' || conv == 'G';
    long double r = v;
    if (isnan(v)) {
        hdb__buf_puts(b, "NaN");
        return;
    }
    if (r < 0) {
        r = -r;
        hdb__buf_append(b, "-", 1);
    } else if (flags & (HDB_FMT_PLUS | HDB_FMT_SPACE)) {
        hdb__buf_append(b, (flags & HDB_FMT_PLUS) ? "+" : " ", 1);
    }
    if (generic && prec > 0)
        prec--;
    long double rounder = make_rounder(prec);
    if (!is_exp && !generic) {
        double rx = (double)r;
        uint64_t u;
        memcpy(&u, &rx, sizeof u);
        int ex = -1023 + (int)((u >> 52) & 0x7ff);
        if (prec + (ex / 3) < 15)
            rounder += r * 3e-16;
        r += rounder;
    }
    int exp = 0;
    if (r > 0.0) {
        exp = normalize(&r);
        if (exp > 350) {
            hdb__buf_puts(b, "Inf");
            return;
        }
    }
    if (is_exp || generic) {
        r += rounder;
        if (r >= 10.0)
            r *= 0.1, exp++;
    }
    int rtz = bang;
    if (generic) {
        rtz = !alt;
        if (exp < -4 || exp > prec)
            is_exp = 1;
        else
            prec -= exp;
    }
    int nsd = bang ? 26 : 16, dp = prec > 0 || alt || bang;
    size_t digits_from = b->len;
    put_digits(b, r, is_exp ? 0 : exp, prec, nsd, dp);
    if (rtz && dp && !b->oom) {
        while (b->len > digits_from && b->data[b->len - 1] == '0')
            b->len--;
        b->data[b->len] = 0;
        if (b->len > digits_from && b->data[b->len - 1] == '.') {
            if (bang)
                hdb__buf_append(b, "0", 1);
            else
                b->data[--b->len] = 0;
        }
    }
    if (is_exp)
        hdb__buf_printf(b, "%c%c%02d", upper ? 'E' : 'e', exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}
