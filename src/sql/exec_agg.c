/*
** exec_agg.c — min() and max() aggregates under a collation.
**
** SQLite's min(x) and max(x) compare with the collation of x (a column
** declared COLLATE NOCASE, or x COLLATE RTRIM).  The built-in aggregates
** (func.h) compare binary, so for a non-binary collation the executor uses
** these instead.  State: the best value so far (owned) and whether one was
** seen.  NULLs are skipped, as in SQLite.
*/
#include <string.h>
#include "src/sql/exec.h"

typedef struct mmstate {
    int seen;
    hdb_sql_value best;
} mmstate;

static int step(hdb_sql_fctx *ctx, void *state, int argc, hdb_sql_value *argv, int coll, int max)
{
    mmstate *s = state;
    (void)ctx;
    if (argc != 1 || argv[0].type == HDB_NULL)
        return HDB_OK;
    if (s->seen) {
        int c = hdb__sql_value_cmp(&argv[0], &s->best, coll);
        if (max ? c <= 0 : c >= 0)
            return HDB_OK;
    }
    if (!s->seen)
        s->best.type = HDB_NULL;
    s->seen = 1;
    return hdb__sql_value_copy(&s->best, &argv[0]);
}

static int final(hdb_sql_fctx *ctx, void *state, hdb_sql_value *out)
{
    mmstate *s = state;
    (void)ctx;
    hdb__sql_value_clear(out);
    if (s->seen) {
        *out = s->best;
        s->best.type = HDB_NULL;
        s->best.owned = 0;
        s->seen = 0;
    }
    return HDB_OK;
}

#define MM(name, coll, max)                                                                    \
    static int name(hdb_sql_fctx *ctx, void *state, int argc, hdb_sql_value *argv)            \
    {                                                                                          \
        return step(ctx, state, argc, argv, coll, max);                                        \
    }
MM(min_nocase, HDB_COLL_NOCASE, 0)
MM(max_nocase, HDB_COLL_NOCASE, 1)
MM(min_rtrim, HDB_COLL_RTRIM, 0)
MM(max_rtrim, HDB_COLL_RTRIM, 1)
#undef MM

static const hdb_sql_aggdef aggs[4] = {
    {sizeof(mmstate), min_nocase, final}, {sizeof(mmstate), max_nocase, final},
    {sizeof(mmstate), min_rtrim, final},  {sizeof(mmstate), max_rtrim, final},
};
static const hdb_sql_funcdef defs[4] = {
    {"min", 1, 1, NULL, &aggs[0], 1}, {"max", 1, 1, NULL, &aggs[1], 1},
    {"min", 1, 1, NULL, &aggs[2], 1}, {"max", 1, 1, NULL, &aggs[3], 1},
};

const hdb_sql_funcdef *hdb__sql_minmax_coll(const char *name, int coll)
{
    int is_max = hdb__sql_name_eq(name, "max");
    if ((!is_max && !hdb__sql_name_eq(name, "min")) ||
        (coll != HDB_COLL_NOCASE && coll != HDB_COLL_RTRIM))
        return NULL;
    return &defs[(coll == HDB_COLL_RTRIM ? 2 : 0) + is_max];
}
