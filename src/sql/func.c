/*
** func.c — the function lookup (func.h), the helpers every function file
** shares (func_int.h), and the core scalars: abs, coalesce, ifnull, iif,
** nullif, typeof, min/max of 2+ arguments, sign, round, random,
** randomblob, zeroblob, likely, unlikely, likelihood.
**
** INVARIANTS
**   - The tables are searched in a fixed order; a name appears in one table
**     only, possibly several times with disjoint argument counts.
**   - Results are owned values; arguments are never kept.
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "pager/mem.h"
#include "src/sql/func_int.h"
#include "src/sql/value_int.h"

/* ---- lookup ----------------------------------------------------------------- */

static const hdb_sql_funcdef *const tables[] = {
    hdb__sql_funcs_core, hdb__sql_funcs_str, hdb__sql_funcs_agg,
    hdb__sql_funcs_printf, hdb__sql_funcs_date, hdb__sql_funcs_json, hdb__sql_funcs_json_edit,
};

static int name_eq(const char *lower_name, const char *s)
{
    for (; *lower_name; lower_name++, s++) {
        int c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z')
            c += 32;
        if (c != *lower_name)
            return 0;
    }
    return *s == 0;
}

const hdb_sql_funcdef *hdb__sql_func_find(const char *name, int argc, int *exists)
{
    int seen = 0;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const hdb_sql_funcdef *f = tables[t]; f->name; f++) {
            if (!name_eq(f->name, name))
                continue;
            seen = 1;
            if (argc >= f->min_args && (f->max_args < 0 || argc <= f->max_args)) {
                if (exists)
                    *exists = 1;
                return f;
            }
        }
    if (exists)
        *exists = seen;
    return NULL;
}

/* ---- shared helpers ------------------------------------------------------- */

int hdb__sql_func_error(hdb_sql_fctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
    va_end(ap);
    return HDB_ERROR;
}

const char *hdb__sql_func_text(const hdb_sql_value *v, char *tmp, size_t *n)
{
    switch (v->type) {
    case HDB_TEXT:
    case HDB_BLOB:
        *n = v->u.s.n;
        return v->u.s.p ? v->u.s.p : "";
    case HDB_INTEGER: *n = (size_t)snprintf(tmp, 40, "%lld", (long long)v->u.i); return tmp;
    case HDB_FLOAT: *n = hdb__sql_fmt_real(v->u.f, tmp); return tmp;
    default: *n = 0; return NULL;
    }
}

int hdb__sql_func_take(hdb_sql_value *out, hdb_buf *b, int type)
{
    size_t n = b->len;
    char *p = hdb__buf_take(b);
    hdb__sql_value_clear(out);
    if (!p)
        return HDB_NOMEM;
    out->type = type;
    out->owned = 1;
    out->u.s.p = p;
    out->u.s.n = n;
    return HDB_OK;
}

/* ---- core scalars ---------------------------------------------------------- */

static int fn_abs(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    switch (argv[0].type) {
    case HDB_NULL: hdb__sql_value_clear(out); return HDB_OK;
    case HDB_INTEGER:
        if (argv[0].u.i == INT64_MIN)
            return hdb__sql_func_error(ctx, "integer overflow");
        hdb__sql_value_int(out, argv[0].u.i < 0 ? -argv[0].u.i : argv[0].u.i);
        return HDB_OK;
    default: hdb__sql_value_float(out, fabs(hdb__sql_value_to_float(&argv[0]))); return HDB_OK;
    }
}

static int fn_coalesce(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    for (int k = 0; k < argc; k++)
        if (argv[k].type != HDB_NULL)
            return hdb__sql_value_copy(out, &argv[k]);
    hdb__sql_value_clear(out);
    return HDB_OK;
}

static int fn_iif(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return hdb__sql_value_copy(out, &argv[hdb__sql_value_truth(&argv[0]) == 1 ? 1 : 2]);
}

static int fn_nullif(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    if (hdb__sql_value_eq3(&argv[0], &argv[1], HDB_COLL_BINARY) == 1) {
        hdb__sql_value_clear(out);
        return HDB_OK;
    }
    return hdb__sql_value_copy(out, &argv[0]);
}

static int fn_typeof(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    static const char *const names[] = {"null", "integer", "real", "text", "blob", "null"};
    int t = argv[0].type >= 1 && argv[0].type <= 5 ? argv[0].type : 5;
    return hdb__sql_value_text(out, names[t], strlen(names[t]));
}

/* min(a, b, ...) and max(...) of 2+ arguments: NULL if any is NULL. */
static int minmax(int argc, hdb_sql_value *argv, hdb_sql_value *out, int sign)
{
    int best = 0;
    for (int k = 0; k < argc; k++) {
        if (argv[k].type == HDB_NULL) {
            hdb__sql_value_clear(out);
            return HDB_OK;
        }
        if (hdb__sql_value_cmp(&argv[k], &argv[best], HDB_COLL_BINARY) * sign > 0)
            best = k;
    }
    return hdb__sql_value_copy(out, &argv[best]);
}

static int fn_min(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return minmax(argc, argv, out, -1);
}

static int fn_max(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return minmax(argc, argv, out, 1);
}

static int fn_sign(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    double f = 0;
    int64_t i = 0;
    int t = argv[0].type;
    if (t == HDB_TEXT || t == HDB_BLOB) {
        t = hdb__sql_text_to_number(argv[0].u.s.p, argv[0].u.s.n, &i, &f);
        if (t == HDB_INTEGER)
            f = (double)i;
    } else {
        f = hdb__sql_value_to_float(&argv[0]);
    }
    if (t != HDB_INTEGER && t != HDB_FLOAT)
        hdb__sql_value_clear(out);
    else
        hdb__sql_value_int(out, f > 0 ? 1 : f < 0 ? -1 : 0);
    return HDB_OK;
}

static int fn_round(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    int64_t n = 0;
    if (argc == 2) {
        if (argv[1].type == HDB_NULL) {
            hdb__sql_value_clear(out);
            return HDB_OK;
        }
        n = hdb__sql_value_to_int(&argv[1]);
        n = n > 30 ? 30 : n < 0 ? 0 : n;
    }
    if (argv[0].type == HDB_NULL) {
        hdb__sql_value_clear(out);
        return HDB_OK;
    }
    double r = hdb__sql_value_to_float(&argv[0]);
    if (r < -4503599627370496.0 || r > 4503599627370496.0 || isnan(r)) {
        /* no fractional part: nothing to round */
    } else if (n == 0) {
        r = (double)(int64_t)(r + (r < 0 ? -0.5 : 0.5));
    } else {
        hdb_buf b;
        hdb__buf_init(&b, NULL);
        hdb__sql_fmt_float(&b, r, 'f', (int)n, HDB_FMT_BANG); /* SQLite: "%!.*f" */
        if (b.oom)
            return HDB_NOMEM;
        hdb_sql_num num;
        hdb__sql_num_parse(b.data, b.len, &num);
        r = num.f;
        hdb__buf_free(&b);
    }
    hdb__sql_value_float(out, r);
    return HDB_OK;
}

/* splitmix64 on the statement's PRNG state. */
static uint64_t next_random(hdb_sql_fctx *ctx)
{
    uint64_t z = (ctx->rand_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int fn_random(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    hdb__sql_value_int(out, (int64_t)next_random(ctx));
    return HDB_OK;
}

static int fn_randomblob(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    int64_t n = hdb__sql_value_to_int(&argv[0]);
    if (n < 1)
        n = 1;
    if (n > HDB_SQL_MAX_LENGTH)
        return hdb__sql_func_error(ctx, "string or blob too big");
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    if (hdb__buf_reserve(&b, (size_t)n) != HDB_OK)
        return HDB_NOMEM;
    for (int64_t k = 0; k < n; k += 8) {
        uint64_t r = next_random(ctx);
        hdb__buf_append(&b, &r, (size_t)(n - k < 8 ? n - k : 8));
    }
    return hdb__sql_func_take(out, &b, HDB_BLOB);
}

static int fn_zeroblob(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    int64_t n = hdb__sql_value_to_int(&argv[0]);
    if (n < 0)
        n = 0;
    if (n > HDB_SQL_MAX_LENGTH)
        return hdb__sql_func_error(ctx, "string or blob too big");
    char *p = hdb__zalloc(NULL, (size_t)n + 1);
    if (!p)
        return HDB_NOMEM;
    hdb__sql_value_clear(out);
    out->type = HDB_BLOB;
    out->owned = 1;
    out->u.s.p = p;
    out->u.s.n = (size_t)n;
    return HDB_OK;
}

static int fn_first(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return hdb__sql_value_copy(out, &argv[0]);
}

const hdb_sql_funcdef hdb__sql_funcs_core[] = {
    {"abs", 1, 1, fn_abs, NULL, 1},
    {"coalesce", 2, -1, fn_coalesce, NULL, 1},
    {"ifnull", 2, 2, fn_coalesce, NULL, 1},
    {"iif", 3, 3, fn_iif, NULL, 1},
    {"nullif", 2, 2, fn_nullif, NULL, 1},
    {"typeof", 1, 1, fn_typeof, NULL, 1},
    {"min", 2, -1, fn_min, NULL, 1},
    {"max", 2, -1, fn_max, NULL, 1},
    {"sign", 1, 1, fn_sign, NULL, 1},
    {"round", 1, 2, fn_round, NULL, 1},
    {"random", 0, 0, fn_random, NULL, 0},
    {"randomblob", 1, 1, fn_randomblob, NULL, 0},
    {"zeroblob", 1, 1, fn_zeroblob, NULL, 1},
    {"likely", 1, 1, fn_first, NULL, 1},
    {"unlikely", 1, 1, fn_first, NULL, 1},
    {"likelihood", 2, 2, fn_first, NULL, 1},
    {NULL, 0, 0, NULL, NULL, 0},
};
