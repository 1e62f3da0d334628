/*
** value_conv.c — conversions between SQL values: text to number, number to
** text, truth values and CAST (see value.h; parsing helpers in value_int.h).
**
** HOW IT WORKS
**   Every conversion from text starts with hdb__sql_num_parse, which finds
**   the numeric prefix of the text once; the callers then decide by
**   SQLite's rules what a prefix is worth:
**     to_int        the integer prefix only ("12.7e1" -> 12), saturating;
**     to_float      the whole numeric prefix ("1e3x" -> 1000.0);
**     affinity      the whole text must be a number (text_to_number);
**     CAST NUMERIC  the prefix, as an INTEGER when its value is one.
**   Digits are converted by strtod on a copy of the prefix (only the
**   characters [+-.0-9eE]), so results are correctly rounded.  A REAL is
**   printed with SQLite's own digit algorithm ("%!.15g" in its printf:
**   long double scaling, half-up rounding, truncation), so that the last
**   digit agrees with sqlite3 even where the decimal expansion is a near tie.
**
** INVARIANTS
**   - Nothing here reads outside p[0..n); texts need no NUL terminator.
**   - A REAL always prints with a '.' or an exponent, infinities as "Inf".
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pager/mem.h"
#include "src/sql/value.h"
#include "src/sql/value_int.h"

static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* strtod of p[0..n), which holds only [+-.0-9eE]. */
static double span_to_double(const char *p, size_t n)
{
    char small[128];
    char *q = small;
    if (n >= sizeof small) {
        q = hdb__malloc(NULL, n + 1);
        if (!q)
            return 0.0;
    }
    memcpy(q, p, n);
    q[n] = 0;
    double f = strtod(q, NULL);
    if (q != small)
        hdb__free(NULL, q);
    return f;
}

/* Digits p[0..n) (all digits) with sign neg into *out; 0 if out of range. */
static int digits_to_int(const char *p, size_t n, int neg, int64_t *out)
{
    uint64_t u = 0;
    const uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (size_t k = 0; k < n; k++) {
        unsigned d = (unsigned)(p[k] - '0');
        if (u > (lim - d) / 10)
            return 0;
        u = u * 10 + d;
    }
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    if (neg && u == (uint64_t)INT64_MAX + 1)
        *out = INT64_MIN;
    return 1;
}

void hdb__sql_num_parse(const char *p, size_t n, hdb_sql_num *out)
{
    size_t k = 0, ndig = 0;
    int intform = 1, neg = 0;
    memset(out, 0, sizeof *out);
    while (k < n && hdb__sql_isspace((unsigned char)p[k]))
        k++;
    size_t start = k;
    if (k < n && (p[k] == '+' || p[k] == '-'))
        neg = p[k++] == '-';
    size_t d0 = k;
    while (k < n && is_digit(p[k]))
        k++;
    size_t dint = k - d0;
    ndig = dint;
    if (k < n && p[k] == '.') {
        intform = 0;
        k++;
        while (k < n && is_digit(p[k]))
            k++, ndig++;
    }
    if (ndig == 0)
        return;
    size_t end = k;
    if (k < n && (p[k] == 'e' || p[k] == 'E')) {
        size_t j = k + 1;
        if (j < n && (p[j] == '+' || p[j] == '-'))
            j++;
        if (j < n && is_digit(p[j])) {
            while (j < n && is_digit(p[j]))
                j++;
            end = j;
            intform = 0;
        }
    }
    size_t t = end;
    while (t < n && hdb__sql_isspace((unsigned char)p[t]))
        t++;
    out->whole = t == n;
    if (intform && digits_to_int(p + d0, dint, neg, &out->i)) {
        out->type = HDB_INTEGER;
        out->f = (double)out->i;
        return;
    }
    out->type = HDB_FLOAT;
    out->f = span_to_double(p + start, end - start);
}

int64_t hdb__sql_atoi64(const char *p, size_t n)
{
    size_t k = 0;
    int neg = 0;
    while (k < n && hdb__sql_isspace((unsigned char)p[k]))
        k++;
    if (k < n && (p[k] == '+' || p[k] == '-'))
        neg = p[k++] == '-';
    while (k < n && p[k] == '0')
        k++;
    size_t d0 = k;
    while (k < n && is_digit(p[k]))
        k++;
    int64_t v;
    if (digits_to_int(p + d0, k - d0, neg, &v))
        return v;
    return neg ? INT64_MIN : INT64_MAX;
}

int64_t hdb__sql_dbl_to_int(double f)
{
    if (isnan(f))
        return 0;
    if (f <= -9223372036854775808.0)
        return INT64_MIN;
    if (f >= 9223372036854775808.0)
        return INT64_MAX;
    return (int64_t)f;
}

int hdb__sql_real_is_int(double f, int64_t *i)
{
    if (!(f > -9223372036854775808.0 && f < 9223372036854775808.0) || f != trunc(f))
        return 0;
    *i = (int64_t)f;
    return *i != INT64_MIN && *i != INT64_MAX;
}

/* The 15 significant digits SQLite's printf ("%!.15g") produces for f != 0,
 * computed its way: scale into [1, 10) in long double, add half a unit of
 * the 15th digit, then take digits by truncation.  Returns the exponent. */
static int sqlite_digits15(double f, char *dig)
{
    long double r = fabsl((long double)f), scale = 1.0, rounder = 5.0e-05;
    int exp = 0;
    while (r >= 1e100 * scale && exp <= 350)
        scale *= 1e100, exp += 100;
    while (r >= 1e10 * scale && exp <= 350)
        scale *= 1e10, exp += 10;
    while (r >= 10.0 * scale && exp <= 350)
        scale *= 10.0, exp++;
    r /= scale;
    while (r < 1e-8)
        r *= 1e8, exp -= 8;
    while (r < 1.0)
        r *= 10.0, exp--;
    rounder *= 1.0e-10;
    r += rounder;
    if (r >= 10.0)
        r *= 0.1, exp++;
    for (int k = 0; k < 15; k++) {
        int d = (int)r;
        dig[k] = (char)('0' + (d > 9 ? 9 : d));
        r = (r - d) * 10.0;
    }
    return exp;
}

size_t hdb__sql_fmt_real(double f, char *out)
{
    char dig[16], *o = out;
    if (isnan(f)) {
        out[0] = 0;
        return 0;
    }
    if (isinf(f)) {
        strcpy(out, f < 0 ? "-Inf" : "Inf");
        return strlen(out);
    }
    if (f == 0.0) {
        strcpy(out, "0.0");
        return 3;
    }
    int exp = sqlite_digits15(f, dig), nd = 15;
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    if (f < 0)
        *o++ = '-';
    if (exp < -4 || exp >= 15) { /* d.ddde+XX */
        *o++ = dig[0];
        *o++ = '.';
        if (nd == 1)
            *o++ = '0';
        memcpy(o, dig + 1, (size_t)nd - 1);
        o += nd - 1;
        o += sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    } else if (exp < 0) { /* 0.000ddd */
        *o++ = '0';
        *o++ = '.';
        for (int k = exp + 1; k < 0; k++)
            *o++ = '0';
        memcpy(o, dig, (size_t)nd);
        o += nd;
    } else { /* ddd.ddd */
        memcpy(o, dig, (size_t)exp + 1);
        o += exp + 1;
        *o++ = '.';
        if (nd <= exp + 1)
            *o++ = '0';
        else
            memcpy(o, dig + exp + 1, (size_t)(nd - exp - 1)), o += nd - exp - 1;
    }
    *o = 0;
    return (size_t)(o - out);
}

/* ---- conversions of values ---------------------------------------------- */

int64_t hdb__sql_value_to_int(const hdb_sql_value *v)
{
    switch (v->type) {
    case HDB_INTEGER: return v->u.i;
    case HDB_FLOAT: return hdb__sql_dbl_to_int(v->u.f);
    case HDB_TEXT:
    case HDB_BLOB: return hdb__sql_atoi64(v->u.s.p, v->u.s.n);
    default: return 0;
    }
}

double hdb__sql_value_to_float(const hdb_sql_value *v)
{
    hdb_sql_num num;
    switch (v->type) {
    case HDB_INTEGER: return (double)v->u.i;
    case HDB_FLOAT: return v->u.f;
    case HDB_TEXT:
    case HDB_BLOB: hdb__sql_num_parse(v->u.s.p, v->u.s.n, &num); return num.f;
    default: return 0.0;
    }
}

int hdb__sql_value_truth(const hdb_sql_value *v)
{
    switch (v->type) {
    case HDB_NULL: return -1;
    case HDB_INTEGER: return v->u.i != 0;
    default: return hdb__sql_value_to_float(v) != 0.0;
    }
}

void hdb__sql_value_to_text(const hdb_sql_value *v, hdb_buf *b)
{
    char tmp[40];
    switch (v->type) {
    case HDB_INTEGER: hdb__buf_printf(b, "%lld", (long long)v->u.i); break;
    case HDB_FLOAT: hdb__buf_append(b, tmp, hdb__sql_fmt_real(v->u.f, tmp)); break;
    case HDB_TEXT:
    case HDB_BLOB: hdb__buf_append(b, v->u.s.p, v->u.s.n); break;
    default: break;
    }
}

int hdb__sql_text_to_number(const char *p, size_t n, int64_t *i, double *f)
{
    hdb_sql_num num;
    hdb__sql_num_parse(p, n, &num);
    if (!num.type || !num.whole)
        return 0;
    if (num.type == HDB_INTEGER)
        *i = num.i;
    else
        *f = num.f;
    return num.type;
}

/* ---- CAST ----------------------------------------------------------------- */

/* v (not NULL) := its text form, as type (HDB_TEXT or HDB_BLOB). */
static int cast_to_bytes(hdb_sql_value *v, int type)
{
    if (v->type == HDB_TEXT || v->type == HDB_BLOB) {
        int rc = hdb__sql_value_own(v);
        if (rc == HDB_OK)
            v->type = type;
        return rc;
    }
    char tmp[40];
    size_t n;
    if (v->type == HDB_INTEGER)
        n = (size_t)snprintf(tmp, sizeof tmp, "%lld", (long long)v->u.i);
    else
        n = hdb__sql_fmt_real(v->u.f, tmp);
    return type == HDB_TEXT ? hdb__sql_value_text(v, tmp, n) : hdb__sql_value_blob(v, tmp, n);
}

/* CAST(v AS NUMERIC) of a text or blob: the prefix, INTEGER when it is one. */
static void cast_numeric_text(hdb_sql_value *v)
{
    hdb_sql_num num;
    hdb__sql_num_parse(v->u.s.p, v->u.s.n, &num);
    if (num.type == HDB_INTEGER) {
        hdb__sql_value_int(v, num.i);
    } else if (num.f == trunc(num.f) && fabs(num.f) < 2251799813685248.0) {
        hdb__sql_value_int(v, (int64_t)num.f);
    } else {
        hdb__sql_value_float(v, num.f);
    }
}

int hdb__sql_value_cast(hdb_sql_value *v, const char *type)
{
    if (v->type == HDB_NULL)
        return HDB_OK;
    switch (hdb__sql_affinity(type)) {
    case HDB_AFF_BLOB: return cast_to_bytes(v, HDB_BLOB);
    case HDB_AFF_TEXT: return cast_to_bytes(v, HDB_TEXT);
    case HDB_AFF_INTEGER: hdb__sql_value_int(v, hdb__sql_value_to_int(v)); return HDB_OK;
    case HDB_AFF_REAL: hdb__sql_value_float(v, hdb__sql_value_to_float(v)); return HDB_OK;
    default:
        if (v->type == HDB_TEXT || v->type == HDB_BLOB)
            cast_numeric_text(v);
        return HDB_OK;
    }
}
