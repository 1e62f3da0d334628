/*
** func_str.c — string functions: length, lower, upper, substr/substring,
** trim, ltrim, rtrim, replace, instr, hex, quote, char, unicode, like,
** glob; the UTF-8 helpers of func_int.h; LIKE and GLOB matching.
**
** Texts are UTF-8 and counted in characters; blobs in bytes.  Upper and
** lower case are ASCII only (as SQLite without ICU).  A malformed UTF-8
** byte counts as one character: nothing here reads past p[n).
**
** LIKE/GLOB HOW IT WORKS
**   One pass over pattern and string with a single backtrack point at the
**   last '%' ('*'): every other pattern element consumes exactly one
**   character, so retrying from the last star is enough (no recursion,
**   O(pattern x string) at worst).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "pager/mem.h"
#include "src/sql/func_int.h"
#include "src/sql/value_int.h"

/* ---- UTF-8 ------------------------------------------------------------------- */

uint32_t hdb__sql_utf8_get(const char *p, size_t n, size_t *k)
{
    uint32_t c = (unsigned char)p[(*k)++];
    if (c < 0xc0)
        return c;
    int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
    c &= more == 3 ? 0x07 : more == 2 ? 0x0f : 0x1f;
    while (*k < n && ((unsigned char)p[*k] & 0xc0) == 0x80) {
        c = c << 6 | ((unsigned char)p[(*k)++] & 0x3f);
        more--;
    }
    if (more < 0 || c > 0x10ffff || c < 0x80 || (c & 0xfffff800) == 0xd800 || (c & 0xfffffffe) == 0xfffe)
        return 0xfffd; /* as SQLite: overlong forms, surrogates and non-characters */
    return c;
}

size_t hdb__sql_utf8_count(const char *p, size_t n)
{
    size_t k = 0, count = 0;
    while (k < n) {
        hdb__sql_utf8_get(p, n, &k);
        count++;
    }
    return count;
}

void hdb__sql_utf8_put(hdb_buf *b, uint32_t c)
{
    uint8_t t[4];
    size_t n;
    if (c < 0x80) {
        t[0] = (uint8_t)c, n = 1;
    } else if (c < 0x800) {
        t[0] = (uint8_t)(0xc0 | c >> 6), t[1] = (uint8_t)(0x80 | (c & 0x3f)), n = 2;
    } else if (c < 0x10000) {
        t[0] = (uint8_t)(0xe0 | c >> 12), t[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
        t[2] = (uint8_t)(0x80 | (c & 0x3f)), n = 3;
    } else {
        t[0] = (uint8_t)(0xf0 | c >> 18), t[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
        t[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f)), t[3] = (uint8_t)(0x80 | (c & 0x3f)), n = 4;
    }
    hdb__buf_append(b, t, n);
}

/* Byte offset of character number `chars` (0-based) in p[0..n), or n. */
static size_t utf8_skip(const char *p, size_t n, int64_t chars)
{
    size_t k = 0;
    while (k < n && chars-- > 0)
        hdb__sql_utf8_get(p, n, &k);
    return k;
}

/* ---- simple string functions ---------------------------------------------- */

#define ARG_TEXT(v, tmp, n) hdb__sql_func_text((v), (tmp), (n))

static int fn_length(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char tmp[40];
    size_t n;
    const char *p = ARG_TEXT(&argv[0], tmp, &n);
    if (!p) {
        hdb__sql_value_clear(out);
        return HDB_OK;
    }
    if (argv[0].type == HDB_BLOB) {
        hdb__sql_value_int(out, (int64_t)n);
        return HDB_OK;
    }
    const char *nul = memchr(p, 0, n); /* SQLite counts up to the first NUL */
    hdb__sql_value_int(out, (int64_t)hdb__sql_utf8_count(p, nul ? (size_t)(nul - p) : n));
    return HDB_OK;
}

static int change_case(hdb_sql_value *argv, hdb_sql_value *out, int upper)
{
    char tmp[40];
    size_t n;
    const char *p = ARG_TEXT(&argv[0], tmp, &n);
    if (!p) {
        hdb__sql_value_clear(out);
        return HDB_OK;
    }
    hdb_sql_value r = HDB_SQL_NULL_INIT;
    if (hdb__sql_value_text(&r, p, n) != HDB_OK)
        return HDB_NOMEM;
    for (size_t k = 0; k < n; k++) {
        char c = r.u.s.p[k];
        if (upper && c >= 'a' && c <= 'z')
            r.u.s.p[k] = (char)(c - 32);
        else if (!upper && c >= 'A' && c <= 'Z')
            r.u.s.p[k] = (char)(c + 32);
    }
    hdb__sql_value_clear(out);
    *out = r;
    return HDB_OK;
}

static int fn_lower(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return change_case(argv, out, 0);
}

static int fn_upper(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return change_case(argv, out, 1);
}

/* substr(X, Y [, Z]) by SQLite's index rules (characters, bytes for blobs). */
static int fn_substr(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char tmp[40];
    size_t n;
    const char *p = ARG_TEXT(&argv[0], tmp, &n);
    hdb__sql_value_clear(out);
    if (!p || argv[1].type == HDB_NULL || (argc == 3 && argv[2].type == HDB_NULL))
        return HDB_OK;
    const int64_t lim = 1000000000; /* SQLite's default SQLITE_LIMIT_LENGTH */
    int blob = argv[0].type == HDB_BLOB, neg2 = 0;
    int64_t len = blob ? (int64_t)n : (int64_t)hdb__sql_utf8_count(p, n);
    /* SQLite reads Y and Z as 32-bit ints (sqlite3_value_int truncates) */
    int64_t p1 = (int32_t)(uint32_t)hdb__sql_value_to_int(&argv[1]), p2 = lim;
    if (argc == 3) {
        p2 = (int32_t)(uint32_t)hdb__sql_value_to_int(&argv[2]);
        if (p2 < 0)
            p2 = -p2, neg2 = 1;
    }
    if (p1 < 0) {
        p1 += len;
        if (p1 < 0) {
            p2 += p1;
            if (p2 < 0)
                p2 = 0;
            p1 = 0;
        }
    } else if (p1 > 0) {
        p1--;
    } else if (p2 > 0) {
        p2--;
    }
    if (neg2) {
        p1 -= p2;
        if (p1 < 0)
            p2 += p1, p1 = 0;
    }
    if (blob) {
        if (p1 > len)
            p1 = len;
        if (p1 + p2 > len)
            p2 = len - p1;
        return hdb__sql_value_blob(out, p + p1, (size_t)p2);
    }
    size_t a = utf8_skip(p, n, p1);
    size_t b = a + utf8_skip(p + a, n - a, p2);
    return hdb__sql_value_text(out, p + a, b - a);
}

/* Does the character p[k..k+len) occur among the characters of set? */
static int in_set(const char *p, size_t len, const char *set, size_t ns)
{
    for (size_t k = 0; k < ns;) {
        size_t s = k;
        hdb__sql_utf8_get(set, ns, &k);
        if (k - s == len && memcmp(set + s, p, len) == 0)
            return 1;
    }
    return 0;
}

static int trim(hdb_sql_value *argv, int argc, hdb_sql_value *out, int left, int right)
{
    char tmp[40], tmp2[40];
    size_t n, ns = 1;
    const char *p = ARG_TEXT(&argv[0], tmp, &n), *set = " ";
    if (argc == 2)
        set = ARG_TEXT(&argv[1], tmp2, &ns);
    hdb__sql_value_clear(out);
    if (!p || !set)
        return HDB_OK;
    size_t a = 0, b = n;
    while (left && a < b) {
        size_t k = a;
        hdb__sql_utf8_get(p, b, &k);
        if (!in_set(p + a, k - a, set, ns))
            break;
        a = k;
    }
    while (right && a < b) {
        size_t s = b - 1; /* back to the start of the last character */
        while (s > a && ((unsigned char)p[s] & 0xc0) == 0x80)
            s--;
        size_t k = s;
        hdb__sql_utf8_get(p, b, &k);
        if (k != b)
            s = b - 1; /* a stray continuation byte: one character */
        if (!in_set(p + s, b - s, set, ns))
            break;
        b = s;
    }
    return hdb__sql_value_text(out, p + a, b - a);
}

static int fn_trim(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return trim(argv, argc, out, 1, 1);
}

static int fn_ltrim(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return trim(argv, argc, out, 1, 0);
}

static int fn_rtrim(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return trim(argv, argc, out, 0, 1);
}

static int fn_replace(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char t0[40], t1[40], t2[40];
    size_t n, nf, nt;
    const char *p = ARG_TEXT(&argv[0], t0, &n), *from = ARG_TEXT(&argv[1], t1, &nf);
    const char *to = ARG_TEXT(&argv[2], t2, &nt);
    hdb__sql_value_clear(out);
    if (!p || !from)
        return HDB_OK;
    if (nf == 0)
        return hdb__sql_value_copy(out, &argv[0]);
    if (!to)
        return HDB_OK;
    if (nt > nf) { /* the result's length first: refuse before building it */
        size_t hits = 0;
        for (size_t k = 0; k + nf <= n;)
            if (memcmp(p + k, from, nf) == 0)
                hits++, k += nf;
            else
                k++;
        if (hits && (n > HDB_SQL_MAX_LENGTH || (nt - nf) > (HDB_SQL_MAX_LENGTH - n) / hits))
            return hdb__sql_func_error(ctx, "string or blob too big");
    }
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    size_t k = 0, run = 0;
    while (k < n) {
        if (n - k >= nf && memcmp(p + k, from, nf) == 0) {
            hdb__buf_append(&b, p + k - run, run);
            hdb__buf_append(&b, to, nt);
            k += nf;
            run = 0;
        } else {
            k++, run++;
        }
    }
    hdb__buf_append(&b, p + k - run, run);
    return hdb__sql_func_take(out, &b, HDB_TEXT);
}

static int fn_instr(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char t0[40], t1[40];
    size_t n, nf;
    const char *p = ARG_TEXT(&argv[0], t0, &n), *f = ARG_TEXT(&argv[1], t1, &nf);
    hdb__sql_value_clear(out);
    if (!p || !f)
        return HDB_OK;
    int bytes = argv[0].type == HDB_BLOB && argv[1].type == HDB_BLOB;
    int64_t pos = 1;
    for (size_t k = 0;; pos++) {
        if (n - k < nf) {
            pos = 0;
            break;
        }
        if (nf == 0 || memcmp(p + k, f, nf) == 0)
            break;
        if (bytes)
            k++;
        else
            hdb__sql_utf8_get(p, n, &k);
    }
    hdb__sql_value_int(out, pos);
    return HDB_OK;
}

static int fn_hex(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char tmp[40];
    size_t n;
    const char *p = ARG_TEXT(&argv[0], tmp, &n);
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__buf_reserve(&b, 2 * n);
    for (size_t k = 0; k < n; k++)
        hdb__buf_printf(&b, "%02X", (unsigned char)p[k]);
    return hdb__sql_func_take(out, &b, HDB_TEXT);
}

/* The SQL literal of v, as quote(v). */
static void quote_value(hdb_buf *b, const hdb_sql_value *v)
{
    char tmp[40];
    size_t n;
    switch (v->type) {
    case HDB_INTEGER: hdb__buf_printf(b, "%lld", (long long)v->u.i); return;
    case HDB_FLOAT: {
        n = hdb__sql_fmt_real(v->u.f, tmp);
        hdb_sql_num num;
        hdb__sql_num_parse(tmp, n, &num);
        if (num.f != v->u.f && !isinf(v->u.f)) /* not exact in 15 digits */
            hdb__sql_fmt_float(b, v->u.f, 'e', 20, HDB_FMT_BANG);
        else
            hdb__buf_append(b, tmp, n);
        return;
    }
    case HDB_TEXT:
        hdb__buf_append(b, "'", 1);
        for (size_t k = 0; k < v->u.s.n; k++) {
            if (v->u.s.p[k] == '\'')
                hdb__buf_append(b, "'", 1);
            hdb__buf_append(b, v->u.s.p + k, 1);
        }
        hdb__buf_append(b, "'", 1);
        return;
    case HDB_BLOB:
        hdb__buf_append(b, "X'", 2);
        for (size_t k = 0; k < v->u.s.n; k++)
            hdb__buf_printf(b, "%02X", (unsigned char)v->u.s.p[k]);
        hdb__buf_append(b, "'", 1);
        return;
    default: hdb__buf_puts(b, "NULL"); return;
    }
}

static int fn_quote(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    quote_value(&b, &argv[0]);
    return hdb__sql_func_take(out, &b, HDB_TEXT);
}

static int fn_char(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    for (int k = 0; k < argc; k++) {
        int64_t c = hdb__sql_value_to_int(&argv[k]);
        hdb__sql_utf8_put(&b, c < 0 || c > 0x10ffff ? 0xfffd : (uint32_t)c);
    }
    return hdb__sql_func_take(out, &b, HDB_TEXT);
}

static int fn_unicode(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char tmp[40];
    size_t n, k = 0;
    const char *p = ARG_TEXT(&argv[0], tmp, &n);
    if (!p || n == 0)
        hdb__sql_value_clear(out);
    else
        hdb__sql_value_int(out, hdb__sql_utf8_get(p, n, &k));
    return HDB_OK;
}

/* ---- LIKE and GLOB ------------------------------------------------------------ */

static uint32_t fold(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* A GLOB class "[...]" whose '[' was just read at pat[*p - 1]: does c match?
 * -1 if the class is not closed (then nothing matches). */
static int glob_class(const char *pat, size_t np, size_t *p, uint32_t c)
{
    int seen = 0, invert = 0;
    uint32_t prior = 0, c2 = *p < np ? hdb__sql_utf8_get(pat, np, p) : 0;
    if (c2 == '^') {
        invert = 1;
        c2 = *p < np ? hdb__sql_utf8_get(pat, np, p) : 0;
    }
    if (c2 == ']') {
        seen = c == ']';
        c2 = *p < np ? hdb__sql_utf8_get(pat, np, p) : 0;
    }
    while (c2 && c2 != ']') {
        if (c2 == '-' && *p < np && pat[*p] != ']' && prior > 0) {
            c2 = hdb__sql_utf8_get(pat, np, p);
            if (c >= prior && c <= c2)
                seen = 1;
            prior = 0;
        } else {
            if (c == c2)
                seen = 1;
            prior = c2;
        }
        c2 = *p < np ? hdb__sql_utf8_get(pat, np, p) : 0;
    }
    if (c2 != ']')
        return -1;
    return seen ^ invert;
}

static int pattern_match(const char *pat, size_t np, const char *s, size_t ns, int glob, int esc)
{
    const uint32_t all = glob ? '*' : '%', one = glob ? '?' : '_';
    size_t p = 0, k = 0, star_p = 0, star_k = 0;
    int have_star = 0;
    while (k < ns || p < np) {
        if (p < np) {
            size_t p0 = p, k0 = k;
            uint32_t c = hdb__sql_utf8_get(pat, np, &p);
            if (c == all) {
                have_star = 1, star_p = p, star_k = k;
                continue;
            }
            if (k < ns) {
                uint32_t sc = hdb__sql_utf8_get(s, ns, &k);
                int ok;
                if (!glob && esc >= 0 && c == (uint32_t)esc) {
                    if (p >= np)
                        return 0;
                    c = hdb__sql_utf8_get(pat, np, &p);
                    ok = fold(c) == fold(sc);
                } else if (c == one) {
                    ok = 1;
                } else if (glob && c == '[') {
                    ok = glob_class(pat, np, &p, sc);
                    if (ok < 0)
                        return 0;
                } else {
                    ok = glob ? c == sc : fold(c) == fold(sc);
                }
                if (ok)
                    continue;
            }
            p = p0, k = k0;
        }
        if (!have_star || star_k >= ns)
            return 0;
        hdb__sql_utf8_get(s, ns, &star_k);
        p = star_p, k = star_k;
    }
    return 1;
}

int hdb__sql_like(const char *pat, size_t np, const char *s, size_t ns, int esc)
{
    return pattern_match(pat, np, s, ns, 0, esc);
}

int hdb__sql_glob(const char *pat, size_t np, const char *s, size_t ns)
{
    return pattern_match(pat, np, s, ns, 1, -1);
}

#define MAX_PATTERN 50000 /* SQLite's SQLITE_MAX_LIKE_PATTERN_LENGTH */

/* like(pattern, string [, escape]) and glob(pattern, string). */
static int match_fn(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out, int glob)
{
    char t0[40], t1[40], t2[40];
    size_t np, ns, ne;
    const char *pat = ARG_TEXT(&argv[0], t0, &np), *s = ARG_TEXT(&argv[1], t1, &ns);
    int esc = -1;
    hdb__sql_value_clear(out);
    if (np > MAX_PATTERN)
        return hdb__sql_func_error(ctx, "LIKE or GLOB pattern too complex");
    if (argc == 3) {
        const char *e = ARG_TEXT(&argv[2], t2, &ne);
        if (!e)
            return HDB_OK;
        size_t k = 0;
        if (ne == 0 || (esc = (int)hdb__sql_utf8_get(e, ne, &k), k != ne))
            return hdb__sql_func_error(ctx, "ESCAPE expression must be a single character");
    }
    if (!pat || !s)
        return HDB_OK;
    hdb__sql_value_int(out, pattern_match(pat, np, s, ns, glob, esc));
    return HDB_OK;
}

static int fn_like(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return match_fn(ctx, argc, argv, out, 0);
}

static int fn_glob(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return match_fn(ctx, argc, argv, out, 1);
}

const hdb_sql_funcdef hdb__sql_funcs_str[] = {
    {"length", 1, 1, fn_length, NULL, 1},
    {"lower", 1, 1, fn_lower, NULL, 1},
    {"upper", 1, 1, fn_upper, NULL, 1},
    {"substr", 2, 3, fn_substr, NULL, 1},
    {"substring", 2, 3, fn_substr, NULL, 1},
    {"trim", 1, 2, fn_trim, NULL, 1},
    {"ltrim", 1, 2, fn_ltrim, NULL, 1},
    {"rtrim", 1, 2, fn_rtrim, NULL, 1},
    {"replace", 3, 3, fn_replace, NULL, 1},
    {"instr", 2, 2, fn_instr, NULL, 1},
    {"hex", 1, 1, fn_hex, NULL, 1},
    {"quote", 1, 1, fn_quote, NULL, 1},
    {"char", 0, -1, fn_char, NULL, 1},
    {"unicode", 1, 1, fn_unicode, NULL, 1},
    {"like", 2, 3, fn_like, NULL, 1},
    {"glob", 2, 2, fn_glob, NULL, 1},
    {NULL, 0, 0, NULL, NULL, 0},
};
