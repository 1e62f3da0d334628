/*
** value.c — SQL values: lifetime, affinity and comparison (see value.h).
** Conversions live in value_conv.c, arithmetic in value_arith.c.
**
** INVARIANTS
**   - An owned TEXT or BLOB has n + 1 bytes allocated with the C library's
**     allocator and p[n] == 0, so owned texts are C strings too.
**   - A REAL is never NaN: hdb__sql_value_float stores NaN as NULL, as
**     SQLite does.
**   - Numbers compare by exact value: an INTEGER and a REAL are never
**     converted to one another to be compared (2^63-1 < 2^63 as a REAL).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "pager/mem.h"
#include "src/sql/value.h"
#include "src/sql/value_int.h"

/* ---- construction and lifetime ------------------------------------------- */

void hdb__sql_value_clear(hdb_sql_value *v)
{
    if ((v->type == HDB_TEXT || v->type == HDB_BLOB) && v->owned)
        hdb__free(NULL, v->u.s.p);
    v->type = HDB_NULL;
    v->owned = 0;
    v->u.i = 0;
}

void hdb__sql_value_null(hdb_sql_value *v) { hdb__sql_value_clear(v); }

void hdb__sql_value_int(hdb_sql_value *v, int64_t i)
{
    hdb__sql_value_clear(v);
    v->type = HDB_INTEGER;
    v->u.i = i;
}

void hdb__sql_value_float(hdb_sql_value *v, double f)
{
    hdb__sql_value_clear(v);
    if (isnan(f))
        return;
    v->type = HDB_FLOAT;
    v->u.f = f;
}

static int set_bytes(hdb_sql_value *v, int type, const void *p, size_t n)
{
    char *q = hdb__malloc(NULL, n + 1);
    hdb__sql_value_clear(v);
    if (!q)
        return HDB_NOMEM;
    if (n)
        memcpy(q, p, n);
    q[n] = 0;
    v->type = type;
    v->owned = 1;
    v->u.s.p = q;
    v->u.s.n = n;
    return HDB_OK;
}

int hdb__sql_value_text(hdb_sql_value *v, const char *p, size_t n) { return set_bytes(v, HDB_TEXT, p, n); }

int hdb__sql_value_blob(hdb_sql_value *v, const void *p, size_t n) { return set_bytes(v, HDB_BLOB, p, n); }

void hdb__sql_value_text_ref(hdb_sql_value *v, const char *p, size_t n)
{
    hdb__sql_value_clear(v);
    v->type = HDB_TEXT;
    v->u.s.p = (char *)p;
    v->u.s.n = n;
}

void hdb__sql_value_blob_ref(hdb_sql_value *v, const void *p, size_t n)
{
    hdb__sql_value_clear(v);
    v->type = HDB_BLOB;
    v->u.s.p = (char *)p;
    v->u.s.n = n;
}

int hdb__sql_value_copy(hdb_sql_value *dst, const hdb_sql_value *src)
{
    if (dst == src)
        return hdb__sql_value_own(dst);
    if (src->type == HDB_TEXT || src->type == HDB_BLOB)
        return set_bytes(dst, src->type, src->u.s.p, src->u.s.n);
    hdb__sql_value_clear(dst);
    *dst = *src;
    dst->owned = 0;
    return HDB_OK;
}

int hdb__sql_value_own(hdb_sql_value *v)
{
    if ((v->type != HDB_TEXT && v->type != HDB_BLOB) || v->owned)
        return HDB_OK;
    const char *p = v->u.s.p;
    v->owned = 0; /* set_bytes clears v: it must not free the borrowed bytes */
    return set_bytes(v, v->type, p, v->u.s.n);
}

/* ---- affinity -------------------------------------------------------------- */

/* Does s contain word (upper case) in any case? */
static int has_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (; *s; s++) {
        size_t k = 0;
        while (k < n && s[k] && (s[k] & ~0x20) == word[k])
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

int hdb__sql_affinity(const char *decltype)
{
    if (!decltype)
        return HDB_AFF_BLOB;
    if (has_word(decltype, "INT"))
        return HDB_AFF_INTEGER;
    if (has_word(decltype, "CHAR") || has_word(decltype, "CLOB") || has_word(decltype, "TEXT"))
        return HDB_AFF_TEXT;
    if (has_word(decltype, "BLOB") || !*decltype)
        return HDB_AFF_BLOB;
    if (has_word(decltype, "REAL") || has_word(decltype, "FLOA") || has_word(decltype, "DOUB"))
        return HDB_AFF_REAL;
    return HDB_AFF_NUMERIC;
}

/* TEXT that is wholly a number becomes that number (INTEGER if it fits). */
static void text_to_numeric(hdb_sql_value *v, int try_int)
{
    int64_t i;
    double f = 0;
    int t = hdb__sql_text_to_number(v->u.s.p, v->u.s.n, &i, &f);
    if (t == HDB_INTEGER)
        hdb__sql_value_int(v, i);
    else if (t == HDB_FLOAT && try_int && hdb__sql_real_is_int(f, &i))
        hdb__sql_value_int(v, i);
    else if (t == HDB_FLOAT)
        hdb__sql_value_float(v, f);
}

static int number_to_text(hdb_sql_value *v)
{
    char tmp[40];
    size_t n;
    if (v->type == HDB_INTEGER)
        n = (size_t)snprintf(tmp, sizeof tmp, "%lld", (long long)v->u.i);
    else
        n = hdb__sql_fmt_real(v->u.f, tmp);
    return hdb__sql_value_text(v, tmp, n);
}

int hdb__sql_apply_affinity(hdb_sql_value *v, int aff)
{
    int64_t i;
    switch (aff) {
    case HDB_AFF_TEXT:
        if (v->type == HDB_INTEGER || v->type == HDB_FLOAT)
            return number_to_text(v);
        return HDB_OK;
    case HDB_AFF_NUMERIC:
    case HDB_AFF_INTEGER:
        if (v->type == HDB_TEXT)
            text_to_numeric(v, 1);
        else if (v->type == HDB_FLOAT && hdb__sql_real_is_int(v->u.f, &i))
            hdb__sql_value_int(v, i);
        return HDB_OK;
    case HDB_AFF_REAL:
        if (v->type == HDB_TEXT)
            text_to_numeric(v, 0);
        if (v->type == HDB_INTEGER)
            hdb__sql_value_float(v, (double)v->u.i);
        return HDB_OK;
    default: return HDB_OK;
    }
}

static int is_numeric_aff(int aff) { return aff == HDB_AFF_NUMERIC || aff == HDB_AFF_INTEGER || aff == HDB_AFF_REAL; }

int hdb__sql_compare_affinity(hdb_sql_value *a, int aff_a, hdb_sql_value *b, int aff_b)
{
    if (is_numeric_aff(aff_a) || is_numeric_aff(aff_b)) {
        if (a->type == HDB_TEXT)
            text_to_numeric(a, 0);
        if (b->type == HDB_TEXT)
            text_to_numeric(b, 0);
        return HDB_OK;
    }
    if (aff_a == HDB_AFF_TEXT || aff_b == HDB_AFF_TEXT) {
        if (a->type == HDB_INTEGER || a->type == HDB_FLOAT) {
            int rc = number_to_text(a);
            if (rc != HDB_OK)
                return rc;
        }
        if (b->type == HDB_INTEGER || b->type == HDB_FLOAT)
            return number_to_text(b);
    }
    return HDB_OK;
}

/* ---- comparison ------------------------------------------------------------ */

/* i versus d, exactly. */
static int cmp_int_real(int64_t i, double d)
{
    if (isnan(d))
        return 1;
    if (d < -9223372036854775808.0)
        return 1;
    if (d >= 9223372036854775808.0)
        return -1;
    int64_t t = (int64_t)d;
    if (i != t)
        return i < t ? -1 : 1;
    double frac = d - (double)t;
    return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

static int cmp_numbers(const hdb_sql_value *a, const hdb_sql_value *b)
{
    if (a->type == HDB_INTEGER && b->type == HDB_INTEGER)
        return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
    if (a->type == HDB_INTEGER)
        return cmp_int_real(a->u.i, b->u.f);
    if (b->type == HDB_INTEGER)
        return -cmp_int_real(b->u.i, a->u.f);
    if (a->u.f < b->u.f)
        return -1;
    if (a->u.f > b->u.f)
        return 1;
    return isnan(a->u.f) ? (isnan(b->u.f) ? 0 : -1) : (isnan(b->u.f) ? 1 : 0);
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int cmp_text(const char *a, size_t na, const char *b, size_t nb, int coll)
{
    if (coll == HDB_COLL_RTRIM) {
        while (na && a[na - 1] == ' ')
            na--;
        while (nb && b[nb - 1] == ' ')
            nb--;
    }
    if (coll != HDB_COLL_NOCASE)
        return hdb__sql_text_cmp_binary(a, na, b, nb);
    size_t n = na < nb ? na : nb;
    for (size_t k = 0; k < n; k++) {
        int x = lower((unsigned char)a[k]), y = lower((unsigned char)b[k]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return na < nb ? -1 : na > nb;
}

static int type_class(int type)
{
    switch (type) {
    case HDB_NULL: return 0;
    case HDB_INTEGER:
    case HDB_FLOAT: return 1;
    case HDB_TEXT: return 2;
    default: return 3;
    }
}

int hdb__sql_value_cmp(const hdb_sql_value *a, const hdb_sql_value *b, int coll)
{
    int ca = type_class(a->type), cb = type_class(b->type);
    if (ca != cb)
        return ca < cb ? -1 : 1;
    switch (ca) {
    case 0: return 0;
    case 1: return cmp_numbers(a, b);
    case 2: return cmp_text(a->u.s.p, a->u.s.n, b->u.s.p, b->u.s.n, coll);
    default: return cmp_text(a->u.s.p, a->u.s.n, b->u.s.p, b->u.s.n, HDB_COLL_BINARY);
    }
}

int hdb__sql_value_eq3(const hdb_sql_value *a, const hdb_sql_value *b, int coll)
{
    if (a->type == HDB_NULL || b->type == HDB_NULL)
        return -1;
    return hdb__sql_value_cmp(a, b, coll) == 0;
}

int hdb__sql_collation(const char *name)
{
    static const char *const names[] = {"BINARY", "NOCASE", "RTRIM"};
    for (int c = 0; c < 3; c++) {
        const char *s = name, *w = names[c];
        while (*s && *w && (*s & ~0x20) == *w)
            s++, w++;
        if (!*s && !*w)
            return c;
    }
    return -1;
}
