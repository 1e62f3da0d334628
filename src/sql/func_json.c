/*
** func_json.c — JSON functions: json, json_valid, json_type, json_extract,
** json_array, json_object, json_array_length, json_quote, the -> and ->>
** operators, and the aggregates json_group_array and json_group_object
** (SQLite's json1 semantics).
**
** JSON SUBTYPE
**   A result that is JSON text is marked owned == HDB_SQL_OWNED_JSON, and
**   json_array(), json_object(), json_quote() and the group aggregates embed
**   a marked argument as JSON instead of quoting it as a string, as SQLite
**   does with its JSON subtype: json_object('a', json_array(1, 2)) is
**   {"a":[1,2]}.
**
** HOW IT WORKS
**   JSON text is never turned into a tree.  A validating scanner
**   (skip_value) finds where each value ends; a path ("$.a.b[2]",
**   "$[#-1]", '$."key with spaces"') is followed by scanning the members
**   of each object or array in turn.  The value found is a span [vs, ve) of
**   the original text, which is then converted: to an SQL value
**   (json_extract, ->>) or to minified JSON text (json, ->).
**
** INVARIANTS
**   - Every document is validated in full before it is navigated, so the
**     navigation code may assume well-formed input; it still never reads
**     past p[n).
**   - Nesting deeper than MAX_DEPTH is malformed (bounded recursion).
**   - Object keys are compared as written between the quotes (no
**     unescaping), as SQLite 3.40 does.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pager/mem.h"
#include "src/sql/func_int.h"
#include "src/sql/value_int.h"

#define MAX_DEPTH 1000

/* ---- scanning ----------------------------------------------------------------- */

static size_t skip_ws(const char *p, size_t n, size_t k)
{
    while (k < n && (p[k] == ' ' || p[k] == '\t' || p[k] == '\n' || p[k] == '\r'))
        k++;
    return k;
}

static int is_hex(int c) { return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f'); }
static int is_dig(int c) { return c >= '0' && c <= '9'; }

static int skip_string(const char *p, size_t n, size_t *k)
{
    size_t i = *k + 1;
    while (i < n && p[i] != '"') {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20)
            return 0;
        if (c == '\\') {
            if (++i >= n)
                return 0;
            if (p[i] == 'u') {
                if (i + 4 >= n || !is_hex(p[i + 1]) || !is_hex(p[i + 2]) || !is_hex(p[i + 3]) || !is_hex(p[i + 4]))
                    return 0;
                i += 4;
            } else if (p[i] == 0 || !strchr("\"\\/bfnrt", p[i])) {
                return 0;
            }
        }
        i++;
    }
    if (i >= n)
        return 0;
    *k = i + 1;
    return 1;
}

/* A number; *is_int says whether it has no fraction and no exponent. */
static int skip_number(const char *p, size_t n, size_t *k, int *is_int)
{
    size_t i = *k;
    *is_int = 1;
    if (i < n && p[i] == '-')
        i++;
    if (i >= n || !is_dig(p[i]))
        return 0;
    if (p[i] == '0')
        i++;
    else
        while (i < n && is_dig(p[i]))
            i++;
    if (i < n && p[i] == '.') {
        *is_int = 0;
        if (++i >= n || !is_dig(p[i]))
            return 0;
        while (i < n && is_dig(p[i]))
            i++;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        *is_int = 0;
        if (++i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i >= n || !is_dig(p[i]))
            return 0;
        while (i < n && is_dig(p[i]))
            i++;
    }
    *k = i;
    return 1;
}

static int skip_value(const char *p, size_t n, size_t *k, int depth);

/* An array or object at p[*k] ('[' or '{'). */
static int skip_container(const char *p, size_t n, size_t *k, int depth)
{
    char close = p[*k] == '[' ? ']' : '}';
    size_t i = skip_ws(p, n, *k + 1);
    if (depth > MAX_DEPTH)
        return 0;
    if (i < n && p[i] == close) {
        *k = i + 1;
        return 1;
    }
    for (;;) {
        if (close == '}') {
            if (i >= n || p[i] != '"' || !skip_string(p, n, &i))
                return 0;
            i = skip_ws(p, n, i);
            if (i >= n || p[i] != ':')
                return 0;
            i = skip_ws(p, n, i + 1);
        }
        if (!skip_value(p, n, &i, depth + 1))
            return 0;
        i = skip_ws(p, n, i);
        if (i < n && p[i] == ',') {
            i = skip_ws(p, n, i + 1);
            continue;
        }
        if (i < n && p[i] == close) {
            *k = i + 1;
            return 1;
        }
        return 0;
    }
}

static int skip_word(const char *p, size_t n, size_t *k, const char *w)
{
    size_t len = strlen(w);
    if (n - *k < len || memcmp(p + *k, w, len) != 0)
        return 0;
    *k += len;
    return 1;
}

/* The value at p[*k] (no leading space); *k is left just past it. */
static int skip_value(const char *p, size_t n, size_t *k, int depth)
{
    int is_int;
    if (*k >= n)
        return 0;
    switch (p[*k]) {
    case '"': return skip_string(p, n, k);
    case '[':
    case '{': return skip_container(p, n, k, depth);
    case 't': return skip_word(p, n, k, "true");
    case 'f': return skip_word(p, n, k, "false");
    case 'n': return skip_word(p, n, k, "null");
    default: return skip_number(p, n, k, &is_int);
    }
}

int hdb__sql_json_valid(const char *p, size_t n)
{
    size_t k = skip_ws(p, n, 0);
    if (!skip_value(p, n, &k, 0))
        return 0;
    return skip_ws(p, n, k) == n;
}

/* ---- output ------------------------------------------------------------------- */

/* Append p[vs..ve) without the whitespace outside strings. */
static void minify(hdb_buf *b, const char *p, size_t vs, size_t ve)
{
    size_t k = vs;
    while (k < ve) {
        size_t run = k;
        while (k < ve && p[k] != '"' && p[k] != ' ' && p[k] != '\t' && p[k] != '\n' && p[k] != '\r')
            k++;
        if (k < ve && p[k] == '"')
            skip_string(p, ve, &k);
        hdb__buf_append(b, p + run, k - run);
        k = skip_ws(p, ve, k);
    }
}

/* Append s[0..n) as a JSON string. */
static void quote_string(hdb_buf *b, const char *s, size_t n)
{
    hdb__buf_append(b, "\"", 1);
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c == '"' || c == '\\') {
            hdb__buf_append(b, "\\", 1);
            hdb__buf_append(b, s + k, 1);
        } else if (c < 0x20) {
            static const char esc[] = "btn?fr";
            if (c >= 8 && c <= 13 && c != 11)
                hdb__buf_printf(b, "\\%c", esc[c - 8]);
            else
                hdb__buf_printf(b, "\\u%04x", c);
        } else {
            hdb__buf_append(b, s + k, 1);
        }
    }
    hdb__buf_append(b, "\"", 1);
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int c = p[k];
        v = v << 4 | (unsigned)(is_dig(c) ? c - '0' : (c | 32) - 'a' + 10);
    }
    return v;
}

/* The text of the JSON string at p[vs..ve) (quotes included), unescaped. */
static void unescape(hdb_buf *b, const char *p, size_t vs, size_t ve)
{
    for (size_t k = vs + 1; k + 1 < ve; k++) {
        if (p[k] != '\\') {
            hdb__buf_append(b, p + k, 1);
            continue;
        }
        char c = p[++k];
        if (c != 'u') {
            static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
            const char *f = strchr(from, c);
            char out = f ? to[f - from] : c;
            hdb__buf_append(b, &out, 1);
            continue;
        }
        uint32_t u = hex4(p + k + 1);
        k += 4;
        if (u >= 0xd800 && u < 0xdc00 && k + 6 < ve && p[k + 1] == '\\' && p[k + 2] == 'u') {
            uint32_t lo = hex4(p + k + 3);
            if (lo >= 0xdc00 && lo < 0xe000) {
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                k += 6;
            }
        }
        hdb__sql_utf8_put(b, u);
    }
}

/* out := b's bytes as TEXT marked as JSON (SQLite's JSON subtype). */
static int take_json(hdb_sql_value *out, hdb_buf *b)
{
    int rc = hdb__sql_func_take(out, b, HDB_TEXT);
    if (rc == HDB_OK)
        out->owned = HDB_SQL_OWNED_JSON;
    return rc;
}

/* out := the SQL value of the JSON value p[vs..ve). */
static int to_sql(const char *p, size_t vs, size_t ve, hdb_sql_value *out)
{
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    switch (p[vs]) {
    case 'n': hdb__sql_value_clear(out); return HDB_OK;
    case 't': hdb__sql_value_int(out, 1); return HDB_OK;
    case 'f': hdb__sql_value_int(out, 0); return HDB_OK;
    case '"': unescape(&b, p, vs, ve); return hdb__sql_func_take(out, &b, HDB_TEXT);
    case '[':
    case '{': minify(&b, p, vs, ve); return take_json(out, &b);
    default: {
        int64_t i;
        double f = 0;
        int t = hdb__sql_text_to_number(p + vs, ve - vs, &i, &f);
        if (t == HDB_INTEGER)
            hdb__sql_value_int(out, i);
        else
            hdb__sql_value_float(out, f);
        return HDB_OK;
    }
    }
}

/* Append v as JSON (json_quote, json_array, json_object); 0 for a BLOB. */
static int append_json(hdb_buf *b, const hdb_sql_value *v)
{
    char tmp[40];
    switch (v->type) {
    case HDB_NULL: hdb__buf_puts(b, "null"); return 1;
    case HDB_INTEGER: hdb__buf_printf(b, "%lld", (long long)v->u.i); return 1;
    case HDB_FLOAT: hdb__buf_append(b, tmp, hdb__sql_fmt_real(v->u.f, tmp)); return 1;
    case HDB_TEXT:
        if (v->owned == HDB_SQL_OWNED_JSON) /* made by a JSON function: embed it */
            hdb__buf_append(b, v->u.s.p, v->u.s.n);
        else
            quote_string(b, v->u.s.p, v->u.s.n);
        return 1;
    default: return 0;
    }
}

/* ---- paths -------------------------------------------------------------------- */

/* In the object p[*vs..*ve), the member whose key is key[0..nk). */
static int find_key(const char *p, size_t *vs, size_t *ve, const char *key, size_t nk)
{
    size_t k = skip_ws(p, *ve, *vs + 1);
    while (k < *ve && p[k] == '"') {
        size_t ks = k;
        skip_string(p, *ve, &k);
        int match = k - ks - 2 == nk && memcmp(p + ks + 1, key, nk) == 0;
        k = skip_ws(p, *ve, skip_ws(p, *ve, k) + 1); /* past ':' */
        size_t s = k;
        skip_value(p, *ve, &k, 0);
        if (match) {
            *vs = s, *ve = k;
            return 1;
        }
        k = skip_ws(p, *ve, k);
        if (k < *ve && p[k] == ',')
            k = skip_ws(p, *ve, k + 1);
    }
    return 0;
}

/* In the array p[*vs..*ve), element idx (idx < 0: from the end, -1 last). */
static int find_index(const char *p, size_t *vs, size_t *ve, int64_t idx)
{
    int64_t count = 0;
    if (idx < 0) { /* count the elements first */
        size_t k = skip_ws(p, *ve, *vs + 1);
        while (k < *ve && p[k] != ']') {
            skip_value(p, *ve, &k, 0);
            count++;
            k = skip_ws(p, *ve, k);
            if (k < *ve && p[k] == ',')
                k = skip_ws(p, *ve, k + 1);
        }
        idx += count;
        if (idx < 0)
            return 0;
    }
    size_t k = skip_ws(p, *ve, *vs + 1);
    for (int64_t i = 0; k < *ve && p[k] != ']'; i++) {
        size_t s = k;
        skip_value(p, *ve, &k, 0);
        if (i == idx) {
            *vs = s, *ve = k;
            return 1;
        }
        k = skip_ws(p, *ve, k);
        if (k < *ve && p[k] == ',')
            k = skip_ws(p, *ve, k + 1);
    }
    return 0;
}

/* Parse "[N]" or "[#-N]" at path[*i] ('[' seen); 0 if malformed. */
static int path_index(const char *path, size_t np, size_t *i, int64_t *idx)
{
    size_t k = *i + 1;
    int from_end = 0;
    int64_t v = 0;
    if (k < np && path[k] == '#') {
        from_end = 1;
        k++;
        if (k < np && path[k] == ']') {
            *idx = INT64_MIN; /* one past the end: never found */
            *i = k + 1;
            return 1;
        }
        if (k >= np || path[k] != '-')
            return 0;
        k++;
    }
    size_t d0 = k;
    while (k < np && is_dig(path[k]) && v < ((int64_t)1 << 40))
        v = v * 10 + (path[k++] - '0');
    if (k == d0 || k >= np || path[k] != ']')
        return 0;
    *idx = from_end ? -v : v;
    if (from_end && v == 0)
        *idx = INT64_MIN;
    *i = k + 1;
    return 1;
}

/* Follow path[0..np) in the value p[*vs..*ve): 1 found, 0 not found, -1 a
 * bad path (message in ctx). */
static int follow(hdb_sql_fctx *ctx, const char *p, size_t *vs, size_t *ve, const char *path, size_t np)
{
    size_t i = 1;
    if (np == 0 || path[0] != '$')
        goto bad;
    while (i < np) {
        size_t at = i;
        if (path[i] == '.') { /* as SQLite, the rest of the path is checked lazily */
            const char *key;
            size_t nk;
            if (p[*vs] != '{')
                return 0;
            at = ++i;
            if (i < np && path[i] == '"') {
                key = path + i + 1;
                const char *end = memchr(key, '"', np - i - 1);
                if (!end)
                    goto bad_at;
                nk = (size_t)(end - key);
                i += nk + 2;
            } else {
                key = path + i;
                while (i < np && path[i] != '.' && path[i] != '[')
                    i++;
                nk = (size_t)(path + i - key);
                if (nk == 0)
                    goto bad_at;
            }
            if (!find_key(p, vs, ve, key, nk))
                return 0;
        } else if (path[i] == '[') {
            int64_t idx;
            if (i + 1 < np && path[i + 1] == '#' && p[*vs] != '[')
                return 0;
            if (!path_index(path, np, &i, &idx))
                goto bad_at;
            if (p[*vs] != '[' || idx == INT64_MIN || !find_index(p, vs, ve, idx))
                return 0;
        } else {
            goto bad_at;
        }
        continue;
    bad_at:
        hdb__sql_func_error(ctx, "JSON path error near '%.*s'", (int)(np - at > 100 ? 100 : np - at), path + at);
        return -1;
    }
    return 1;
bad:
    hdb__sql_func_error(ctx, "JSON path error near '%.*s'", (int)(np > 100 ? 100 : np), path);
    return -1;
}

/* ---- argument helpers ---------------------------------------------------------- */

/* The JSON text of argument v, validated; *vs and *ve the value's span.
 * 1 ok, 0 SQL NULL, -1 error (malformed). */
static int json_arg(hdb_sql_fctx *ctx, const hdb_sql_value *v, char *tmp, const char **p, size_t *n,
                    size_t *vs, size_t *ve)
{
    if (v->type == HDB_NULL)
        return 0;
    *p = hdb__sql_func_text(v, tmp, n); /* a BLOB is read as text */
    if (!hdb__sql_json_valid(*p, *n)) {
        hdb__sql_func_error(ctx, "malformed JSON");
        return -1;
    }
    *vs = skip_ws(*p, *n, 0);
    *ve = *vs;
    skip_value(*p, *n, ve, 0);
    return 1;
}

/* Locate argv[1] (a path) in argv[0]: 1 found, 0 NULL result, -1 error. */
static int locate(hdb_sql_fctx *ctx, hdb_sql_value *argv, int argc, char *tmp, const char **p, size_t *vs,
                  size_t *ve)
{
    size_t n, np;
    char tp[40];
    int rc = json_arg(ctx, &argv[0], tmp, p, &n, vs, ve);
    if (rc <= 0 || argc < 2)
        return rc;
    const char *path = hdb__sql_func_text(&argv[1], tp, &np);
    if (!path)
        return 0;
    return follow(ctx, *p, vs, ve, path, np);
}

#define RESULT_OF(rc, out) \
    do { \
        if ((rc) < 0) \
            return HDB_ERROR; \
        if ((rc) == 0) { \
            hdb__sql_value_clear(out); \
            return HDB_OK; \
        } \
    } while (0)

/* ---- the functions --------------------------------------------------------------- */

static int fn_json(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char tmp[40];
    const char *p;
    size_t n, vs, ve;
    int rc = json_arg(ctx, &argv[0], tmp, &p, &n, &vs, &ve);
    RESULT_OF(rc, out);
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    minify(&b, p, vs, ve);
    return take_json(out, &b);
}

static int fn_json_valid(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char tmp[40];
    size_t n;
    const char *p = hdb__sql_func_text(&argv[0], tmp, &n);
    hdb__sql_value_int(out, p && argv[0].type != HDB_BLOB && hdb__sql_json_valid(p, n));
    return HDB_OK;
}

static int fn_json_type(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char tmp[40];
    const char *p, *t;
    size_t vs, ve;
    int rc = locate(ctx, argv, argc, tmp, &p, &vs, &ve), is_int = 1;
    RESULT_OF(rc, out);
    switch (p[vs]) {
    case 'n': t = "null"; break;
    case 't': t = "true"; break;
    case 'f': t = "false"; break;
    case '"': t = "text"; break;
    case '[': t = "array"; break;
    case '{': t = "object"; break;
    default:
        skip_number(p, ve, &vs, &is_int);
        t = is_int ? "integer" : "real";
        break;
    }
    return hdb__sql_value_text(out, t, strlen(t));
}

static int fn_json_extract(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char tmp[40], tp[40];
    const char *p;
    size_t n, vs, ve, np;
    int rc = json_arg(ctx, &argv[0], tmp, &p, &n, &vs, &ve);
    RESULT_OF(rc, out);
    if (argc == 2) {
        rc = locate(ctx, argv, argc, tmp, &p, &vs, &ve);
        RESULT_OF(rc, out);
        return to_sql(p, vs, ve, out);
    }
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__buf_append(&b, "[", 1);
    for (int k = 1; k < argc; k++) {
        size_t s = vs, e = ve;
        const char *path = hdb__sql_func_text(&argv[k], tp, &np);
        rc = path ? follow(ctx, p, &s, &e, path, np) : 0;
        if (rc < 0 || !path) {
            hdb__buf_free(&b);
            hdb__sql_value_clear(out);
            return rc < 0 ? HDB_ERROR : HDB_OK;
        }
        if (k > 1)
            hdb__buf_append(&b, ",", 1);
        if (rc)
            minify(&b, p, s, e);
        else
            hdb__buf_puts(&b, "null");
    }
    hdb__buf_append(&b, "]", 1);
    return take_json(out, &b);
}

static int fn_json_array(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__buf_append(&b, "[", 1);
    for (int k = 0; k < argc; k++) {
        if (k)
            hdb__buf_append(&b, ",", 1);
        if (!append_json(&b, &argv[k])) {
            hdb__buf_free(&b);
            return hdb__sql_func_error(ctx, "JSON cannot hold BLOB values");
        }
    }
    hdb__buf_append(&b, "]", 1);
    return take_json(out, &b);
}

static int fn_json_object(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    if (argc & 1)
        return hdb__sql_func_error(ctx, "json_object() requires an even number of arguments");
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    hdb__buf_append(&b, "{", 1);
    for (int k = 0; k < argc; k += 2) {
        if (argv[k].type != HDB_TEXT) {
            hdb__buf_free(&b);
            return hdb__sql_func_error(ctx, "json_object() labels must be TEXT");
        }
        if (k)
            hdb__buf_append(&b, ",", 1);
        quote_string(&b, argv[k].u.s.p, argv[k].u.s.n);
        hdb__buf_append(&b, ":", 1);
        if (!append_json(&b, &argv[k + 1])) {
            hdb__buf_free(&b);
            return hdb__sql_func_error(ctx, "JSON cannot hold BLOB values");
        }
    }
    hdb__buf_append(&b, "}", 1);
    return take_json(out, &b);
}

static int fn_json_array_length(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    char tmp[40];
    const char *p;
    size_t vs, ve;
    int rc = locate(ctx, argv, argc, tmp, &p, &vs, &ve);
    RESULT_OF(rc, out);
    int64_t count = 0;
    if (p[vs] == '[') {
        size_t k = skip_ws(p, ve, vs + 1);
        while (k < ve && p[k] != ']') {
            skip_value(p, ve, &k, 0);
            count++;
            k = skip_ws(p, ve, k);
            if (k < ve && p[k] == ',')
                k = skip_ws(p, ve, k + 1);
        }
    }
    hdb__sql_value_int(out, count);
    return HDB_OK;
}

static int fn_json_quote(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    if (!append_json(&b, &argv[0])) {
        hdb__buf_free(&b);
        return hdb__sql_func_error(ctx, "JSON cannot hold BLOB values");
    }
    return take_json(out, &b);
}

int hdb__sql_json_arrow(hdb_sql_fctx *ctx, const hdb_sql_value *x, const hdb_sql_value *path, int ptr2,
                        hdb_sql_value *out)
{
    char tmp[40], tp[40];
    const char *p;
    size_t n, vs, ve, np;
    int rc = json_arg(ctx, x, tmp, &p, &n, &vs, &ve);
    RESULT_OF(rc, out);
    if (path->type == HDB_NULL) {
        hdb__sql_value_clear(out);
        return HDB_OK;
    }
    hdb_buf pb;
    hdb__buf_init(&pb, NULL);
    if (path->type == HDB_INTEGER) {
        hdb__buf_printf(&pb, "$[%lld]", (long long)path->u.i);
    } else {
        const char *s = hdb__sql_func_text(path, tp, &np);
        if (np == 0 || s[0] != '$')
            hdb__buf_append(&pb, "$.", 2);
        hdb__buf_append(&pb, s, np);
    }
    if (pb.oom)
        return HDB_NOMEM;
    rc = follow(ctx, p, &vs, &ve, pb.data, pb.len);
    hdb__buf_free(&pb);
    RESULT_OF(rc, out);
    if (ptr2)
        return to_sql(p, vs, ve, out);
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    minify(&b, p, vs, ve);
    return take_json(out, &b);
}

/* ---- shared with func_json_edit.c (func_int.h) ----------------------------------- */

size_t hdb__sql_json_ws(const char *p, size_t n, size_t k) { return skip_ws(p, n, k); }

int hdb__sql_json_skip(const char *p, size_t n, size_t *k) { return skip_value(p, n, k, 0); }

void hdb__sql_json_minify(hdb_buf *b, const char *p, size_t vs, size_t ve) { minify(b, p, vs, ve); }

void hdb__sql_json_quote(hdb_buf *b, const char *s, size_t n) { quote_string(b, s, n); }

int hdb__sql_json_append(hdb_buf *b, const hdb_sql_value *v) { return append_json(b, v); }

int hdb__sql_json_take(hdb_sql_value *out, hdb_buf *b) { return take_json(out, b); }

int hdb__sql_json_doc(hdb_sql_fctx *ctx, const hdb_sql_value *v, char *tmp, const char **p, size_t *n,
                      size_t *vs, size_t *ve)
{
    return json_arg(ctx, v, tmp, p, n, vs, ve);
}

/* ---- json_group_array, json_group_object -------------------------------------- */

typedef struct jgroup {
    int64_t n;
    hdb_buf buf; /* "[v,v" or "{"k":v" so far; valid zeroed */
} jgroup;

static int group_step(hdb_sql_fctx *ctx, jgroup *g, const hdb_sql_value *key, const hdb_sql_value *v)
{
    char tmp[40];
    size_t nk;
    hdb__buf_append(&g->buf, g->n ? "," : key ? "{" : "[", 1);
    if (key) {
        const char *k = hdb__sql_func_text(key, tmp, &nk);
        quote_string(&g->buf, k ? k : "", k ? nk : 0);
        hdb__buf_append(&g->buf, ":", 1);
    }
    if (!append_json(&g->buf, v))
        return hdb__sql_func_error(ctx, "JSON cannot hold BLOB values");
    g->n++;
    return g->buf.oom ? HDB_NOMEM : HDB_OK;
}

static int garray_step(hdb_sql_fctx *ctx, void *state, int argc, hdb_sql_value *argv)
{
    return group_step(ctx, state, NULL, &argv[0]);
}

static int gobject_step(hdb_sql_fctx *ctx, void *state, int argc, hdb_sql_value *argv)
{
    return group_step(ctx, state, &argv[0], &argv[1]);
}

static int group_final(jgroup *g, hdb_sql_value *out, const char *empty, const char *close)
{
    if (g->n == 0)
        hdb__buf_puts(&g->buf, empty);
    else
        hdb__buf_puts(&g->buf, close);
    g->n = 0;
    return take_json(out, &g->buf);
}

static int garray_final(hdb_sql_fctx *ctx, void *state, hdb_sql_value *out)
{
    return group_final(state, out, "[]", "]");
}

static int gobject_final(hdb_sql_fctx *ctx, void *state, hdb_sql_value *out)
{
    return group_final(state, out, "{}", "}");
}

static const hdb_sql_aggdef agg_group_array = {sizeof(jgroup), garray_step, garray_final};
static const hdb_sql_aggdef agg_group_object = {sizeof(jgroup), gobject_step, gobject_final};

const hdb_sql_funcdef hdb__sql_funcs_json[] = {
    {"json_group_array", 1, 1, NULL, &agg_group_array, 1},
    {"json_group_object", 2, 2, NULL, &agg_group_object, 1},
    {"json", 1, 1, fn_json, NULL, 1},
    {"json_valid", 1, 1, fn_json_valid, NULL, 1},
    {"json_type", 1, 2, fn_json_type, NULL, 1},
    {"json_extract", 2, -1, fn_json_extract, NULL, 1},
    {"json_array", 0, -1, fn_json_array, NULL, 1},
    {"json_object", 0, -1, fn_json_object, NULL, 1},
    {"json_array_length", 1, 2, fn_json_array_length, NULL, 1},
    {"json_quote", 1, 1, fn_json_quote, NULL, 1},
    {NULL, 0, 0, NULL, NULL, 0},
};
