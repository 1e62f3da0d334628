/*
** value_arith.c — SQL arithmetic, bit operators and || on values, with
** SQLite's rules (see value.h).
**
** HOW IT WORKS
**   An operand is first made a number: INTEGER and REAL as they are, TEXT
**   and BLOB by their numeric prefix (an integer-looking prefix that fits is
**   an INTEGER: '12abc' + 0 is 12; anything else a REAL: '1e3x' + 0 is
**   1000.0; no digits at all is the INTEGER 0).  Two INTEGERs are combined
**   in 64 bits with overflow checks; on overflow, or when either side is a
**   REAL, the operation is done in doubles.  A NaN result becomes NULL.
**   Bit operators and shifts work on the operands' integer values.
**
** INVARIANTS
**   - out is written only at the end, never read: out may not alias a or b.
*/
#include <math.h>
#include <string.h>
#include "pager/mem.h"
#include "src/sql/ast.h"
#include "src/sql/value.h"
#include "src/sql/value_int.h"

/* The numeric value of v (not NULL): HDB_INTEGER into *i or HDB_FLOAT into *f. */
static int numify(const hdb_sql_value *v, int64_t *i, double *f)
{
    hdb_sql_num num;
    switch (v->type) {
    case HDB_INTEGER: *i = v->u.i; *f = (double)v->u.i; return HDB_INTEGER;
    case HDB_FLOAT: *f = v->u.f; return HDB_FLOAT;
    default:
        hdb__sql_num_parse(v->u.s.p, v->u.s.n, &num);
        if (num.type == HDB_FLOAT) {
            *f = num.f;
            return HDB_FLOAT;
        }
        *i = num.type ? num.i : 0;
        *f = (double)*i;
        return HDB_INTEGER;
    }
}

/* a OP b on integers; 1 if done, 0 to fall back to doubles; -1 for NULL. */
static int int_op(int op, int64_t a, int64_t b, int64_t *r)
{
    switch (op) {
    case HDB_SQL_OP_ADD: return !__builtin_add_overflow(a, b, r);
    case HDB_SQL_OP_SUB: return !__builtin_sub_overflow(a, b, r);
    case HDB_SQL_OP_MUL: return !__builtin_mul_overflow(a, b, r);
    case HDB_SQL_OP_DIV:
        if (b == 0)
            return -1;
        if (a == INT64_MIN && b == -1)
            return 0;
        *r = a / b;
        return 1;
    default: /* MOD */
        if (b == 0)
            return -1;
        *r = b == -1 ? 0 : a % b;
        return 1;
    }
}

/* a OP b on doubles into out (MOD: on the integer values of the operands
 * themselves, as SQLite, with a REAL result). */
static void real_op(int op, const hdb_sql_value *va, const hdb_sql_value *vb, double a, double b,
                    hdb_sql_value *out)
{
    double r;
    switch (op) {
    case HDB_SQL_OP_ADD: r = a + b; break;
    case HDB_SQL_OP_SUB: r = a - b; break;
    case HDB_SQL_OP_MUL: r = a * b; break;
    case HDB_SQL_OP_DIV:
        if (b == 0.0)
            return;
        r = a / b;
        break;
    default: {
        int64_t ia = hdb__sql_value_to_int(va), ib = hdb__sql_value_to_int(vb);
        if (ib == 0)
            return;
        r = (double)(ib == -1 ? 0 : ia % ib);
        break;
    }
    }
    hdb__sql_value_float(out, r);
}

static int64_t shift(int64_t a, int64_t by, int left)
{
    if (by < 0) {
        left = !left;
        by = by > -64 ? -by : 64;
    }
    if (by >= 64)
        return (a >= 0 || left) ? 0 : -1;
    uint64_t u = (uint64_t)a;
    if (left)
        return (int64_t)(u << by);
    u >>= by;
    if (a < 0 && by > 0)
        u |= ~(uint64_t)0 << (64 - by);
    return (int64_t)u;
}

static void bit_op(int op, const hdb_sql_value *a, const hdb_sql_value *b, hdb_sql_value *out)
{
    int64_t x = hdb__sql_value_to_int(a), y = hdb__sql_value_to_int(b), r;
    switch (op) {
    case HDB_SQL_OP_BITAND: r = x & y; break;
    case HDB_SQL_OP_BITOR: r = x | y; break;
    case HDB_SQL_OP_LSHIFT: r = shift(x, y, 1); break;
    default: r = shift(x, y, 0); break;
    }
    hdb__sql_value_int(out, r);
}

static size_t text_len_max(const hdb_sql_value *v)
{
    return v->type == HDB_TEXT || v->type == HDB_BLOB ? v->u.s.n : 32;
}

/* a || b; HDB_RANGE when longer than HDB_SQL_MAX_LENGTH (not built). */
static int concat(const hdb_sql_value *a, const hdb_sql_value *b, hdb_sql_value *out)
{
    if (text_len_max(a) + text_len_max(b) > HDB_SQL_MAX_LENGTH)
        return HDB_RANGE;
    hdb_buf buf;
    hdb__buf_init(&buf, NULL);
    hdb__sql_value_to_text(a, &buf);
    hdb__sql_value_to_text(b, &buf);
    size_t n = buf.len;
    char *p = hdb__buf_take(&buf);
    if (!p)
        return HDB_NOMEM;
    out->type = HDB_TEXT;
    out->owned = 1;
    out->u.s.p = p;
    out->u.s.n = n;
    return HDB_OK;
}

int hdb__sql_arith(int op, const hdb_sql_value *a, const hdb_sql_value *b, hdb_sql_value *out)
{
    hdb__sql_value_clear(out);
    if (a->type == HDB_NULL || b->type == HDB_NULL)
        return HDB_OK;
    switch (op) {
    case HDB_SQL_OP_CONCAT: return concat(a, b, out);
    case HDB_SQL_OP_BITAND:
    case HDB_SQL_OP_BITOR:
    case HDB_SQL_OP_LSHIFT:
    case HDB_SQL_OP_RSHIFT: bit_op(op, a, b, out); return HDB_OK;
    case HDB_SQL_OP_ADD:
    case HDB_SQL_OP_SUB:
    case HDB_SQL_OP_MUL:
    case HDB_SQL_OP_DIV:
    case HDB_SQL_OP_MOD: break;
    default: return HDB_ERROR;
    }
    int64_t ia = 0, ib = 0, r;
    double fa, fb;
    int ta = numify(a, &ia, &fa), tb = numify(b, &ib, &fb);
    if (ta == HDB_INTEGER && tb == HDB_INTEGER) {
        int done = int_op(op, ia, ib, &r);
        if (done < 0)
            return HDB_OK;
        if (done) {
            hdb__sql_value_int(out, r);
            return HDB_OK;
        }
    }
    real_op(op, a, b, fa, fb, out);
    return HDB_OK;
}

int hdb__sql_unary(int op, const hdb_sql_value *a, hdb_sql_value *out)
{
    hdb__sql_value_clear(out);
    if (op == HDB_SQL_OP_POS)
        return hdb__sql_value_copy(out, a);
    if (a->type == HDB_NULL)
        return HDB_OK;
    if (op == HDB_SQL_OP_BITNOT) {
        hdb__sql_value_int(out, ~hdb__sql_value_to_int(a));
        return HDB_OK;
    }
    if (op != HDB_SQL_OP_NEG)
        return HDB_ERROR;
    int64_t i = 0;
    double f;
    if (numify(a, &i, &f) == HDB_INTEGER && i != INT64_MIN)
        hdb__sql_value_int(out, -i);
    else
        hdb__sql_value_float(out, -f);
    return HDB_OK;
}
