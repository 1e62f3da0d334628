/*
** func_agg.c — the aggregate functions: count(*), count(x), sum, total,
** avg, min, max, group_concat(x [, sep]) and string_agg(x, sep).
**
** Each aggregate's state starts zeroed (the caller's promise) and is
** valid zeroed: counters at 0, an hdb_buf with the C library's allocator,
** and a "have" flag instead of a value for min and max.  final() gives the
** result and frees what the state holds.
**
** SUM follows SQLite exactly: integers are added in 64 bits and in a
** double side by side; the first non-integer switches the result to the
** double; an integer overflow before any non-integer is the error
** "integer overflow".  Text arguments count as numbers only if they look
** like one (sum('3') is 3; sum('x') adds 0.0 and makes the result REAL).
*/
#include <string.h>
#include "pager/mem.h"
#include "src/sql/func_int.h"
#include "src/sql/value_int.h"

/* ---- count ---------------------------------------------------------------- */

typedef struct count_state {
    int64_t n;
} count_state;

static int count_step(hdb_sql_fctx *ctx, void *state, int argc, hdb_sql_value *argv)
{
    count_state *s = state;
    if (argc == 0 || argv[0].type != HDB_NULL)
        s->n++;
    return HDB_OK;
}

static int count_final(hdb_sql_fctx *ctx, void *state, hdb_sql_value *out)
{
    hdb__sql_value_int(out, ((count_state *)state)->n);
    return HDB_OK;
}

static const hdb_sql_aggdef agg_count = {sizeof(count_state), count_step, count_final};

/* ---- sum, total, avg ------------------------------------------------------- */

typedef struct sum_state {
    int64_t cnt, isum;
    double rsum;
    int approx, overflow;
} sum_state;

static int sum_step(hdb_sql_fctx *ctx, void *state, int argc, hdb_sql_value *argv)
{
    sum_state *s = state;
    const hdb_sql_value *v = &argv[0];
    int64_t i = 0;
    double f = 0;
    int t = v->type;
    if (t == HDB_NULL)
        return HDB_OK;
    if (t == HDB_TEXT || t == HDB_BLOB) {
        t = hdb__sql_text_to_number(v->u.s.p, v->u.s.n, &i, &f);
        if (t != HDB_INTEGER)
            f = hdb__sql_value_to_float(v);
    } else if (t == HDB_INTEGER) {
        i = v->u.i;
    } else {
        f = v->u.f;
    }
    s->cnt++;
    if (t == HDB_INTEGER) {
        s->rsum += (double)i;
        if (!s->approx && !s->overflow && __builtin_add_overflow(s->isum, i, &s->isum))
            s->approx = s->overflow = 1;
    } else {
        s->rsum += f;
        s->approx = 1;
    }
    return HDB_OK;
}

static int sum_final(hdb_sql_fctx *ctx, void *state, hdb_sql_value *out)
{
    sum_state *s = state;
    hdb__sql_value_clear(out);
    if (s->cnt == 0)
        return HDB_OK;
    if (s->overflow)
        return hdb__sql_func_error(ctx, "integer overflow");
    if (s->approx)
        hdb__sql_value_float(out, s->rsum);
    else
        hdb__sql_value_int(out, s->isum);
    return HDB_OK;
}

static int total_final(hdb_sql_fctx *ctx, void *state, hdb_sql_value *out)
{
    hdb__sql_value_float(out, ((sum_state *)state)->rsum);
    return HDB_OK;
}

static int avg_final(hdb_sql_fctx *ctx, void *state, hdb_sql_value *out)
{
    sum_state *s = state;
    hdb__sql_value_clear(out);
    if (s->cnt > 0)
        hdb__sql_value_float(out, s->rsum / (double)s->cnt);
    return HDB_OK;
}

static const hdb_sql_aggdef agg_sum = {sizeof(sum_state), sum_step, sum_final};
static const hdb_sql_aggdef agg_total = {sizeof(sum_state), sum_step, total_final};
static const hdb_sql_aggdef agg_avg = {sizeof(sum_state), sum_step, avg_final};

/* ---- min, max ----------------------------------------------------------------- */

typedef struct minmax_state {
    int have;
    hdb_sql_value best; /* valid when have */
} minmax_state;

static int minmax_step(void *state, hdb_sql_value *v, int sign)
{
    minmax_state *s = state;
    if (v->type == HDB_NULL)
        return HDB_OK;
    if (s->have && hdb__sql_value_cmp(v, &s->best, HDB_COLL_BINARY) * sign <= 0)
        return HDB_OK;
    if (!s->have)
        s->best = (hdb_sql_value)HDB_SQL_NULL_INIT;
    s->have = 1;
    return hdb__sql_value_copy(&s->best, v);
}

static int min_step(hdb_sql_fctx *ctx, void *state, int argc, hdb_sql_value *argv)
{
    return minmax_step(state, &argv[0], -1);
}

static int max_step(hdb_sql_fctx *ctx, void *state, int argc, hdb_sql_value *argv)
{
    return minmax_step(state, &argv[0], 1);
}

static int minmax_final(hdb_sql_fctx *ctx, void *state, hdb_sql_value *out)
{
    minmax_state *s = state;
    hdb__sql_value_clear(out);
    if (s->have) {
        *out = s->best; /* hand over the owned copy */
        s->have = 0;
    }
    return HDB_OK;
}

static const hdb_sql_aggdef agg_min = {sizeof(minmax_state), min_step, minmax_final};
static const hdb_sql_aggdef agg_max = {sizeof(minmax_state), max_step, minmax_final};

/* ---- group_concat, string_agg ------------------------------------------------ */

typedef struct concat_state {
    int have;
    hdb_buf buf;
} concat_state;

static int concat_step(hdb_sql_fctx *ctx, void *state, int argc, hdb_sql_value *argv)
{
    concat_state *s = state;
    char tmp[40];
    size_t n, ns = 1;
    const char *p = hdb__sql_func_text(&argv[0], tmp, &n);
    if (!p)
        return HDB_OK;
    if (s->have) {
        char tmp2[40];
        const char *sep = ",";
        if (argc == 2)
            sep = hdb__sql_func_text(&argv[1], tmp2, &ns);
        if (sep)
            hdb__buf_append(&s->buf, sep, ns);
    }
    s->have = 1;
    if (s->buf.len + n > HDB_SQL_MAX_LENGTH)
        return hdb__sql_func_error(ctx, "string or blob too big");
    hdb__buf_append(&s->buf, p, n);
    return s->buf.oom ? HDB_NOMEM : HDB_OK;
}

static int concat_final(hdb_sql_fctx *ctx, void *state, hdb_sql_value *out)
{
    concat_state *s = state;
    hdb__sql_value_clear(out);
    if (!s->have) {
        hdb__buf_free(&s->buf);
        return HDB_OK;
    }
    s->have = 0;
    return hdb__sql_func_take(out, &s->buf, HDB_TEXT);
}

static const hdb_sql_aggdef agg_concat = {sizeof(concat_state), concat_step, concat_final};

const hdb_sql_funcdef hdb__sql_funcs_agg[] = {
    {"count", 0, 1, NULL, &agg_count, 1},
    {"sum", 1, 1, NULL, &agg_sum, 1},
    {"total", 1, 1, NULL, &agg_total, 1},
    {"avg", 1, 1, NULL, &agg_avg, 1},
    {"min", 1, 1, NULL, &agg_min, 1},
    {"max", 1, 1, NULL, &agg_max, 1},
    {"group_concat", 1, 2, NULL, &agg_concat, 1},
    {"string_agg", 2, 2, NULL, &agg_concat, 1},
    {NULL, 0, 0, NULL, NULL, 0},
};
