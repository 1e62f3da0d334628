/*
** parse_term.c — the terms of expressions: literals, parameters, names,
** function calls, CASE, CAST, EXISTS, parentheses; and the small rules
** that read literals outside expressions (type names, DEFAULT values,
** signed numbers), plus expression heights.
**
** LITERALS
**   Decimal integers that do not fit an int64 become reals, as in SQLite;
**   the one exception is 9223372036854775808 directly after a minus sign,
**   which folds to INT64_MIN.  Hex integers are 64-bit two's complement
**   (0xffffffffffffffff is -1); more than 16 significant hex digits is an
**   error.  Reals are converted with strtod() after swapping '.' for the
**   locale's decimal point, so a host program's setlocale() cannot change
**   the value.
**
** PARAMETERS
**   As SQLite numbers them: ? takes the largest index so far plus one, ?N
**   takes N (1..HDB_SQL_MAX_PARAM), and a named parameter (:a @a $a, each
**   prefix distinct) takes the next index on first use and the same index
**   on every later use.
*/
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include "pager/buf.h"
#include "src/sql/parse_int.h"

/* ---------------------------------------------------------------------------
** Literals
*/
static double text_to_double(hdb_sql_parser *p, size_t pos, size_t len)
{
    char small[64], *buf = small;
    if (len >= sizeof small && !(buf = hdb__sql_arena_alloc(p->a, len + 1))) {
        hdb__sqlp_nomem(p);
        return 0;
    }
    memcpy(buf, p->z + pos, len);
    buf[len] = 0;
    const struct lconv *lc = localeconv();
    char dp = lc && lc->decimal_point && lc->decimal_point[0] ? lc->decimal_point[0] : '.';
    char *dot = strchr(buf, '.');
    if (dot && dp != '.')
        *dot = dp;
    return strtod(buf, NULL);
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static hdb_sql_expr *integer_lit(hdb_sql_parser *p, const hdb_sql_token *t)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_INTEGER, t->pos);
    const char *z = p->z + t->pos;
    uint64_t v = 0;
    if (!e)
        return NULL;
    if (t->len > 2 && (z[1] == 'x' || z[1] == 'X')) {
        size_t i = 2, digits;
        while (i < t->len && z[i] == '0')
            i++;
        if ((digits = t->len - i) > 16) {
            hdb__sqlp_error(p, t->pos, "hex literal too big: %.*s", (int)(t->len < 40 ? t->len : 40), z);
            return NULL;
        }
        for (; i < t->len; i++)
            v = v << 4 | (uint64_t)hexval(z[i]);
        e->u.ival = v > (uint64_t)INT64_MAX ? -(int64_t)(~v) - 1 : (int64_t)v;
    } else {
        for (size_t i = 0; i < t->len; i++) {
            unsigned d = (unsigned)(z[i] - '0');
            if (v > ((uint64_t)INT64_MAX - d) / 10) { /* does not fit: a real */
                e->kind = HDB_SQL_E_FLOAT;
                e->u.fval = text_to_double(p, t->pos, t->len);
                break;
            }
            v = v * 10 + d;
        }
        if (e->kind == HDB_SQL_E_INTEGER)
            e->u.ival = (int64_t)v;
    }
    hdb__sqlp_advance(p);
    return p->rc ? NULL : hdb__sqlp_expr_done(p, e);
}

static hdb_sql_expr *float_lit(hdb_sql_parser *p, const hdb_sql_token *t)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_FLOAT, t->pos);
    if (!e)
        return NULL;
    e->u.fval = text_to_double(p, t->pos, t->len);
    hdb__sqlp_advance(p);
    return p->rc ? NULL : hdb__sqlp_expr_done(p, e);
}

static hdb_sql_expr *string_lit(hdb_sql_parser *p, const hdb_sql_token *t)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_STRING, t->pos);
    if (!e || !(e->u.str.s = hdb__sqlp_dequote(p, t)))
        return NULL;
    e->u.str.n = strlen(e->u.str.s); /* the tokenizer lets no NUL through */
    hdb__sqlp_advance(p);
    return hdb__sqlp_expr_done(p, e);
}

static hdb_sql_expr *blob_lit(hdb_sql_parser *p, const hdb_sql_token *t)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_BLOB, t->pos);
    const char *z = p->z + t->pos + 2; /* after X' */
    size_t n = (t->len - 3) / 2;
    if (!e || !(e->u.str.s = hdb__sqlp_alloc(p, n + 1)))
        return NULL;
    for (size_t i = 0; i < n; i++)
        e->u.str.s[i] = (char)(hexval(z[2 * i]) << 4 | hexval(z[2 * i + 1]));
    e->u.str.n = n;
    hdb__sqlp_advance(p);
    return hdb__sqlp_expr_done(p, e);
}

static uint32_t name_hash(const char *z, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)z[i]) * 16777619u;
    return h;
}

/* The slot of name z[0..n) in p->slots: where it is, or the empty slot
 * where it would go.  p->nslot must be > 0. */
static int *name_slot(hdb_sql_parser *p, const char *z, size_t n)
{
    uint32_t mask = (uint32_t)p->nslot - 1, i = name_hash(z, n) & mask;
    while (p->slots[i]) {
        const char *s = p->named[p->slots[i] - 1];
        if (strncmp(s, z, n) == 0 && s[n] == 0)
            break;
        i = (i + 1) & mask;
    }
    return &p->slots[i];
}

/* Keep the table at most half full: rebuild it twice as large. */
static int grow_slots(hdb_sql_parser *p)
{
    if (p->nslot > 2 * (p->nnamed + 1))
        return 0;
    int n = p->nslot ? p->nslot * 2 : 16;
    if (!(p->slots = hdb__sqlp_alloc(p, (size_t)n * sizeof *p->slots)))
        return -1;
    p->nslot = n;
    for (int i = 0; i < p->nnamed; i++)
        *name_slot(p, p->named[i], strlen(p->named[i])) = i + 1;
    return 0;
}

/* The index of a named parameter, given a new one if it is new; -1. */
static int named_param(hdb_sql_parser *p, const hdb_sql_token *t, char **name)
{
    const char *z = p->z + t->pos;
    int *slot;
    if (grow_slots(p))
        return -1;
    if (*(slot = name_slot(p, z, t->len))) {
        *name = p->named[*slot - 1];
        return p->named_idx[*slot - 1];
    }
    if (p->nparam >= HDB_SQL_MAX_PARAM) {
        hdb__sqlp_error(p, t->pos, "too many SQL variables");
        return -1;
    }
    if (!(*name = hdb__sqlp_strndup(p, t->pos, t->len)) ||
        !(p->named = hdb__sqlp_grow(p, p->named, p->nnamed, sizeof *p->named)) ||
        !(p->named_idx = hdb__sqlp_grow(p, p->named_idx, p->nnamed, sizeof *p->named_idx)))
        return -1;
    p->named[p->nnamed] = *name;
    p->named_idx[p->nnamed++] = ++p->nparam;
    *slot = p->nnamed;
    return p->nparam;
}

static hdb_sql_expr *param(hdb_sql_parser *p, const hdb_sql_token *t)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_PARAM, t->pos);
    const char *z = p->z + t->pos;
    long idx = 0;
    if (!e)
        return NULL;
    if (z[0] != '?') {
        if ((idx = named_param(p, t, &e->u.param.name)) < 0)
            return NULL;
    } else if (t->len == 1) {
        if (p->nparam >= HDB_SQL_MAX_PARAM) {
            hdb__sqlp_error(p, t->pos, "too many SQL variables");
            return NULL;
        }
        idx = ++p->nparam;
    } else {
        for (size_t i = 1; i < t->len && idx <= HDB_SQL_MAX_PARAM; i++)
            idx = idx * 10 + (z[i] - '0');
        if (idx < 1 || idx > HDB_SQL_MAX_PARAM) {
            hdb__sqlp_error(p, t->pos, "variable number must be between ?1 and ?%d",
                            HDB_SQL_MAX_PARAM);
            return NULL;
        }
        if (idx > p->nparam)
            p->nparam = (int)idx;
    }
    e->u.param.index = (int)idx;
    hdb__sqlp_advance(p);
    return hdb__sqlp_expr_done(p, e);
}

int hdb__sqlp_is_int_min(hdb_sql_parser *p, const hdb_sql_expr *x)
{
    static const char min[] = "9223372036854775808";
    if (x->kind != HDB_SQL_E_FLOAT || (x->flags & HDB_SQL_EF_PAREN))
        return 0;
    const char *z = p->z + x->pos;
    size_t n = x->len;
    while (n > 1 && z[0] == '0')
        z++, n--;
    return n == sizeof min - 1 && memcmp(z, min, n) == 0;
}

hdb_sql_expr *hdb__sqlp_negate_literal(hdb_sql_parser *p, hdb_sql_expr *x, size_t pos)
{
    if (hdb__sqlp_is_int_min(p, x)) {
        x->kind = HDB_SQL_E_INTEGER;
        x->u.ival = INT64_MIN;
    } else if (x->kind == HDB_SQL_E_FLOAT) {
        x->u.fval = -x->u.fval;
    } else if (x->u.ival == INT64_MIN) {
        x->kind = HDB_SQL_E_FLOAT;
        x->u.fval = 9223372036854775808.0;
    } else {
        x->u.ival = -x->u.ival;
    }
    x->pos = pos;
    x->len = p->last_end - pos;
    return x;
}

/* ---------------------------------------------------------------------------
** Names, calls and compound terms
*/

/* [[schema.]table.]column */
static hdb_sql_expr *column_ref(hdb_sql_parser *p)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_COLUMN, t->pos);
    char *part[3];
    int n = 0;
    if (!e)
        return NULL;
    if (t->quote == '"')
        e->flags |= HDB_SQL_EF_DQUOTED;
    do {
        if (!(part[n++] = hdb__sqlp_name(p)))
            return NULL;
    } while (n < 3 && hdb__sqlp_accept(p, HDB_TK_DOT));
    if (n > 1)
        e->flags &= (uint8_t)~HDB_SQL_EF_DQUOTED;
    e->u.col.column = part[n - 1];
    e->u.col.table = n >= 2 ? part[n - 2] : NULL;
    e->u.col.schema = n == 3 ? part[0] : NULL;
    return hdb__sqlp_expr_done(p, e);
}

/* name ( [DISTINCT|ALL] args | * ) [FILTER (WHERE expr)]; at the name. */
static hdb_sql_expr *func_call(hdb_sql_parser *p)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_FUNCTION, hdb__sqlp_peek(p, 0)->pos);
    if (!e || !(e->u.func.name = hdb__sqlp_name(p)) || hdb__sqlp_expect(p, HDB_TK_LP))
        return NULL;
    if (hdb__sqlp_accept(p, HDB_TK_STAR)) {
        e->flags |= HDB_SQL_EF_STAR;
    } else if (!hdb__sqlp_is(p, 0, HDB_TK_RP)) {
        if (hdb__sqlp_accept_kw(p, HDB_KW_DISTINCT))
            e->flags |= HDB_SQL_EF_DISTINCT;
        else
            hdb__sqlp_accept_kw(p, HDB_KW_ALL);
        if (hdb__sqlp_expr_list(p, &e->u.func.args))
            return NULL;
    }
    if (hdb__sqlp_expect(p, HDB_TK_RP))
        return NULL;
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_FILTER) && hdb__sqlp_is(p, 1, HDB_TK_LP)) {
        hdb__sqlp_advance(p);
        hdb__sqlp_advance(p);
        if (hdb__sqlp_expect_kw(p, HDB_KW_WHERE) || !(e->u.func.filter = hdb__sqlp_expr(p)) ||
            hdb__sqlp_expect(p, HDB_TK_RP))
            return NULL;
    }
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_OVER) &&
        (hdb__sqlp_is(p, 1, HDB_TK_LP) || hdb__sqlp_is_name(p, 1))) {
        hdb__sqlp_error(p, hdb__sqlp_peek(p, 0)->pos, "window functions are not supported");
        return NULL;
    }
    return hdb__sqlp_expr_done(p, e);
}

/* CASE [x] WHEN a THEN b ... [ELSE c] END */
static hdb_sql_expr *case_expr(hdb_sql_parser *p)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_CASE, hdb__sqlp_peek(p, 0)->pos);
    if (!e)
        return NULL;
    hdb__sqlp_advance(p);
    if (!hdb__sqlp_is_kw(p, 0, HDB_KW_WHEN) && !(e->u.kase.operand = hdb__sqlp_expr(p)))
        return NULL;
    do {
        if (hdb__sqlp_expect_kw(p, HDB_KW_WHEN) ||
            hdb__sqlp_list_add(p, &e->u.kase.when, hdb__sqlp_expr(p)) ||
            hdb__sqlp_expect_kw(p, HDB_KW_THEN) ||
            hdb__sqlp_list_add(p, &e->u.kase.then, hdb__sqlp_expr(p)))
            return NULL;
    } while (hdb__sqlp_is_kw(p, 0, HDB_KW_WHEN));
    if (hdb__sqlp_accept_kw(p, HDB_KW_ELSE) && !(e->u.kase.else_ = hdb__sqlp_expr(p)))
        return NULL;
    if (hdb__sqlp_expect_kw(p, HDB_KW_END))
        return NULL;
    return hdb__sqlp_expr_done(p, e);
}

/* CAST ( x AS type ) */
static hdb_sql_expr *cast_expr(hdb_sql_parser *p)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_CAST, hdb__sqlp_peek(p, 0)->pos);
    if (!e)
        return NULL;
    hdb__sqlp_advance(p);
    if (hdb__sqlp_expect(p, HDB_TK_LP) || !(e->u.cast.x = hdb__sqlp_expr(p)) ||
        hdb__sqlp_expect_kw(p, HDB_KW_AS))
        return NULL;
    if (!(e->u.cast.type = hdb__sqlp_type_name(p))) {
        if (p->rc == HDB_OK)
            hdb__sqlp_syntax_here(p);
        return NULL;
    }
    if (hdb__sqlp_expect(p, HDB_TK_RP))
        return NULL;
    return hdb__sqlp_expr_done(p, e);
}

/* EXISTS ( select ) */
static hdb_sql_expr *exists_expr(hdb_sql_parser *p)
{
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_EXISTS, hdb__sqlp_peek(p, 0)->pos);
    if (!e)
        return NULL;
    hdb__sqlp_advance(p);
    if (hdb__sqlp_expect(p, HDB_TK_LP) || !(e->u.select = hdb__sqlp_select(p)) ||
        hdb__sqlp_expect(p, HDB_TK_RP))
        return NULL;
    return hdb__sqlp_expr_done(p, e);
}

/* ( select ) | ( expr ) | ( expr, expr, ... ) */
static hdb_sql_expr *paren_expr(hdb_sql_parser *p)
{
    size_t pos = hdb__sqlp_peek(p, 0)->pos;
    hdb__sqlp_advance(p);
    if (hdb__sqlp_starts_select(p, 0)) {
        hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_SUBQUERY, pos);
        if (!e || !(e->u.select = hdb__sqlp_select(p)) || hdb__sqlp_expect(p, HDB_TK_RP))
            return NULL;
        return hdb__sqlp_expr_done(p, e);
    }
    hdb_sql_exprlist l = {0, NULL};
    if (hdb__sqlp_expr_list(p, &l) || hdb__sqlp_expect(p, HDB_TK_RP))
        return NULL;
    if (l.n == 1) {
        hdb_sql_expr *e = l.a[0];
        e->flags |= HDB_SQL_EF_PAREN;
        e->pos = pos;
        e->len = p->last_end - pos;
        return e;
    }
    hdb_sql_expr *e = hdb__sqlp_expr_new(p, HDB_SQL_E_VECTOR, pos);
    if (!e)
        return NULL;
    e->u.list = l;
    return hdb__sqlp_expr_done(p, e);
}

/* A term that starts with a word: keyword forms, calls, column names. */
static hdb_sql_expr *word(hdb_sql_parser *p, const hdb_sql_token *t)
{
    int call = hdb__sqlp_is(p, 1, HDB_TK_LP);
    hdb_sql_expr *e;
    switch (t->kw) {
    case HDB_KW_NULL:
        if ((e = hdb__sqlp_expr_new(p, HDB_SQL_E_NULL, t->pos)))
            hdb__sqlp_advance(p);
        return e ? hdb__sqlp_expr_done(p, e) : NULL;
    case HDB_KW_TRUE: case HDB_KW_FALSE:
        if (call || hdb__sqlp_is(p, 1, HDB_TK_DOT))
            break;
        if (!(e = hdb__sqlp_expr_new(p, HDB_SQL_E_INTEGER, t->pos)))
            return NULL;
        e->u.ival = t->kw == HDB_KW_TRUE;
        e->flags |= HDB_SQL_EF_BOOL;
        hdb__sqlp_advance(p);
        return hdb__sqlp_expr_done(p, e);
    case HDB_KW_CURRENT_DATE: case HDB_KW_CURRENT_TIME: case HDB_KW_CURRENT_TIMESTAMP:
        if (call)
            break;
        if (!(e = hdb__sqlp_expr_new(p, HDB_SQL_E_FUNCTION, t->pos)) ||
            !(e->u.func.name = hdb__sqlp_name(p)))
            return NULL;
        return hdb__sqlp_expr_done(p, e);
    case HDB_KW_CASE: return case_expr(p);
    case HDB_KW_CAST:
        if (call)
            return cast_expr(p);
        break;
    case HDB_KW_EXISTS: return exists_expr(p);
    case HDB_KW_RAISE:
        if (call) {
            hdb__sqlp_error(p, t->pos, "RAISE() may only be used within a trigger-program");
            return NULL;
        }
        break;
    default:
        break;
    }
    if (!hdb__sqlp_is_name(p, 0)) {
        hdb__sqlp_syntax(p, t);
        return NULL;
    }
    return call ? func_call(p) : column_ref(p);
}

hdb_sql_expr *hdb__sqlp_primary(hdb_sql_parser *p)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    switch (t->type) {
    case HDB_TK_INTEGER: return integer_lit(p, t);
    case HDB_TK_FLOAT: return float_lit(p, t);
    case HDB_TK_STRING: return string_lit(p, t);
    case HDB_TK_BLOB: return blob_lit(p, t);
    case HDB_TK_PARAM: return param(p, t);
    case HDB_TK_LP: return paren_expr(p);
    case HDB_TK_ID: return word(p, t);
    default:
        hdb__sqlp_syntax(p, t);
        return NULL;
    }
}

/* ---------------------------------------------------------------------------
** Literals outside expressions
*/
char *hdb__sqlp_signed_number(hdb_sql_parser *p)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    int neg = 0, sign = 0;
    if (t->type == HDB_TK_PLUS || t->type == HDB_TK_MINUS) {
        sign = 1;
        neg = t->type == HDB_TK_MINUS;
        hdb__sqlp_advance(p);
        t = hdb__sqlp_peek(p, 0);
    }
    if (t->type != HDB_TK_INTEGER && t->type != HDB_TK_FLOAT) {
        hdb__sqlp_syntax(p, t);
        return NULL;
    }
    char *s = hdb__sqlp_alloc(p, t->len + 2);
    if (!s)
        return NULL;
    if (sign)
        s[0] = neg ? '-' : '+';
    memcpy(s + sign, p->z + t->pos, t->len);
    hdb__sqlp_advance(p);
    return s;
}

/* A word of a type name: any name but GENERATED (which starts a column
 * constraint). */
static int is_type_word(hdb_sql_parser *p)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    return hdb__sqlp_is_name(p, 0) && !(t->type == HDB_TK_ID && t->kw == HDB_KW_GENERATED);
}

char *hdb__sqlp_type_name(hdb_sql_parser *p)
{
    hdb_buf b;
    char *num, *s = NULL;
    hdb__buf_init(&b, p->a->mem);
    while (is_type_word(p)) {
        const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
        if (b.len)
            hdb__buf_append(&b, " ", 1);
        hdb__buf_append(&b, p->z + t->pos, t->len);
        hdb__sqlp_advance(p);
    }
    if (b.len == 0 && !b.oom)
        return NULL;
    if (hdb__sqlp_accept(p, HDB_TK_LP)) { /* (n) or (n, m) */
        hdb__buf_append(&b, "(", 1);
        if (!(num = hdb__sqlp_signed_number(p)))
            goto out;
        hdb__buf_puts(&b, num);
        if (hdb__sqlp_accept(p, HDB_TK_COMMA)) {
            if (!(num = hdb__sqlp_signed_number(p)))
                goto out;
            hdb__buf_append(&b, ",", 1);
            hdb__buf_puts(&b, num);
        }
        if (hdb__sqlp_expect(p, HDB_TK_RP))
            goto out;
        hdb__buf_append(&b, ")", 1);
    }
    if (b.oom || !(s = hdb__sql_arena_strndup(p->a, b.data, b.len)))
        hdb__sqlp_nomem(p);
out:
    hdb__buf_free(&b);
    return s;
}

hdb_sql_expr *hdb__sqlp_default_value(hdb_sql_parser *p)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    size_t pos = t->pos;
    hdb_sql_expr *e;
    switch (t->type) {
    case HDB_TK_LP:
        hdb__sqlp_advance(p);
        if (!(e = hdb__sqlp_expr(p)) || hdb__sqlp_expect(p, HDB_TK_RP))
            return NULL;
        e->flags |= HDB_SQL_EF_PAREN;
        e->pos = pos;
        e->len = p->last_end - pos;
        return e;
    case HDB_TK_PLUS: case HDB_TK_MINUS: {
        int minus = t->type == HDB_TK_MINUS; /* t moves with the window */
        hdb__sqlp_advance(p);
        if (!hdb__sqlp_is(p, 0, HDB_TK_INTEGER) && !hdb__sqlp_is(p, 0, HDB_TK_FLOAT)) {
            hdb__sqlp_syntax_here(p);
            return NULL;
        }
        if (!(e = hdb__sqlp_primary(p)))
            return NULL;
        if (minus)
            return hdb__sqlp_negate_literal(p, e, pos);
        e->pos = pos;
        e->len = p->last_end - pos;
        return e;
    }
    case HDB_TK_INTEGER: case HDB_TK_FLOAT: case HDB_TK_STRING: case HDB_TK_BLOB:
        return hdb__sqlp_primary(p);
    case HDB_TK_ID:
        if (!t->quote && (t->kw == HDB_KW_NULL || t->kw == HDB_KW_TRUE || t->kw == HDB_KW_FALSE ||
                          t->kw == HDB_KW_CURRENT_DATE || t->kw == HDB_KW_CURRENT_TIME ||
                          t->kw == HDB_KW_CURRENT_TIMESTAMP))
            return hdb__sqlp_primary(p);
        if (!(e = hdb__sqlp_expr_new(p, HDB_SQL_E_STRING, pos)) || /* DEFAULT word: a string */
            !(e->u.str.s = hdb__sqlp_name(p)))
            return NULL;
        e->u.str.n = strlen(e->u.str.s);
        return hdb__sqlp_expr_done(p, e);
    default:
        hdb__sqlp_syntax(p, t);
        return NULL;
    }
}

/* ---------------------------------------------------------------------------
** Heights
*/
static int hmax(int a, const hdb_sql_expr *e)
{
    return e && e->height > a ? e->height : a;
}

static int hlist(int a, const hdb_sql_exprlist *l)
{
    for (int i = 0; i < l->n; i++)
        a = hmax(a, l->a[i]);
    return a;
}

static int hsel(int a, const hdb_sql_select *s)
{
    return s && s->height > a ? s->height : a;
}

int hdb__sqlp_expr_height(hdb_sql_parser *p, hdb_sql_expr *e)
{
    int m = 0;
    switch (e->kind) {
    case HDB_SQL_E_UNARY: case HDB_SQL_E_ISNULL: m = hmax(m, e->u.unary.x); break;
    case HDB_SQL_E_BINARY: m = hmax(hmax(m, e->u.binary.l), e->u.binary.r); break;
    case HDB_SQL_E_COLLATE: m = hmax(m, e->u.collate.x); break;
    case HDB_SQL_E_CAST: m = hmax(m, e->u.cast.x); break;
    case HDB_SQL_E_CASE:
        m = hlist(hlist(hmax(hmax(m, e->u.kase.operand), e->u.kase.else_), &e->u.kase.when),
                  &e->u.kase.then);
        break;
    case HDB_SQL_E_BETWEEN:
        m = hmax(hmax(hmax(m, e->u.between.x), e->u.between.lo), e->u.between.hi);
        break;
    case HDB_SQL_E_IN: m = hsel(hlist(hmax(m, e->u.in.x), &e->u.in.list), e->u.in.select); break;
    case HDB_SQL_E_LIKE:
        m = hmax(hmax(hmax(m, e->u.like.x), e->u.like.pattern), e->u.like.escape);
        break;
    case HDB_SQL_E_EXISTS: case HDB_SQL_E_SUBQUERY: m = hsel(m, e->u.select); break;
    case HDB_SQL_E_FUNCTION: m = hmax(hlist(m, &e->u.func.args), e->u.func.filter); break;
    case HDB_SQL_E_VECTOR: m = hlist(m, &e->u.list); break;
    default: break;
    }
    if (m + 1 > HDB_SQL_MAX_HEIGHT) {
        hdb__sqlp_error(p, e->pos, "expression tree is too large (maximum depth %d)",
                        HDB_SQL_MAX_HEIGHT);
        return -1;
    }
    e->height = (uint16_t)(m + 1);
    return 0;
}
