/*
** parse.c — the parser's entry point, its token window, errors, names, and
** the small statements (transactions, PRAGMA).  The grammar of expressions,
** selects, DML, DDL and branch statements lives in parse_expr.c,
** parse_select.c, parse_dml.c, parse_ddl.c and parse_branch.c.
**
** THE TOKEN WINDOW
**   Tokens are scanned lazily into la[0..nla): la[0] is the current token,
**   and hdb__sqlp_peek() scans ahead at most HDB_SQLP_LOOKAHEAD - 1 more.
**   Comments and whitespace never enter the window.  hdb__sqlp_reset()
**   empties the window and restarts the scan at a byte offset; the branch
**   name reader uses it to take "a/b-1.2" as one name although the lexer
**   would cut it into five tokens.
*/
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "src/sql/parse.h"
#include "src/sql/parse_int.h"

/* Lists longer than this are refused (no input the size of a list of this
 * length is a sensible statement, and it keeps int counts safe). */
#define MAX_LIST (1 << 26)

/* ---------------------------------------------------------------------------
** Token window
*/
const hdb_sql_token *hdb__sqlp_peek(hdb_sql_parser *p, int k)
{
    assert(k >= 0 && k < HDB_SQLP_LOOKAHEAD);
    while (p->nla <= k)
        hdb__sql_token_next(p->z, p->n, &p->next, &p->la[p->nla++]);
    return &p->la[k];
}

void hdb__sqlp_advance(hdb_sql_parser *p)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    if (t->type == HDB_TK_EOF)
        return;
    p->last_end = t->pos + t->len;
    memmove(&p->la[0], &p->la[1], (size_t)(p->nla - 1) * sizeof p->la[0]);
    p->nla--;
}

int hdb__sqlp_is_kw(hdb_sql_parser *p, int k, int kw)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, k);
    return t->type == HDB_TK_ID && t->kw == kw;
}

int hdb__sqlp_is(hdb_sql_parser *p, int k, int type)
{
    return hdb__sqlp_peek(p, k)->type == type;
}

int hdb__sqlp_accept_kw(hdb_sql_parser *p, int kw)
{
    if (!hdb__sqlp_is_kw(p, 0, kw))
        return 0;
    hdb__sqlp_advance(p);
    return 1;
}

int hdb__sqlp_accept(hdb_sql_parser *p, int type)
{
    if (!hdb__sqlp_is(p, 0, type))
        return 0;
    hdb__sqlp_advance(p);
    return 1;
}

int hdb__sqlp_expect_kw(hdb_sql_parser *p, int kw)
{
    if (hdb__sqlp_accept_kw(p, kw))
        return 0;
    hdb__sqlp_syntax_here(p);
    return -1;
}

int hdb__sqlp_expect(hdb_sql_parser *p, int type)
{
    if (hdb__sqlp_accept(p, type))
        return 0;
    hdb__sqlp_syntax_here(p);
    return -1;
}

void hdb__sqlp_reset(hdb_sql_parser *p, size_t pos)
{
    p->nla = 0;
    p->next = pos;
    p->last_end = pos;
}

/* ---------------------------------------------------------------------------
** Errors
*/

/* Line and column (both from 1, column in characters) of byte offset pos. */
static void position(const hdb_sql_parser *p, size_t pos, unsigned long *line, unsigned long *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < pos && i < p->n; i++) {
        unsigned char c = (unsigned char)p->z[i];
        if (c == '\n') {
            ++*line;
            *col = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

static void verror(hdb_sql_parser *p, size_t pos, const char *fmt, va_list ap)
{
    if (p->rc != HDB_OK)
        return;
    p->rc = HDB_ERROR;
    if (!p->err || p->errlen == 0)
        return;
    unsigned long line, col;
    position(p, pos, &line, &col);
    int k = vsnprintf(p->err, p->errlen, fmt, ap);
    if (k >= 0 && (size_t)k < p->errlen)
        snprintf(p->err + k, p->errlen - (size_t)k, " at line %lu column %lu", line, col);
}

void hdb__sqlp_error(hdb_sql_parser *p, size_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(p, pos, fmt, ap);
    va_end(ap);
}

void hdb__sqlp_nomem(hdb_sql_parser *p)
{
    if (p->rc != HDB_OK)
        return;
    p->rc = HDB_NOMEM;
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "out of memory");
}

/* The token's text for a message: at most 40 bytes, control bytes as '?'. */
static void token_text(const hdb_sql_parser *p, const hdb_sql_token *t, char *out, size_t cap)
{
    size_t n = t->len < cap - 4 ? t->len : cap - 4, i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p->z[t->pos + i];
        out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (n < t->len)
        memcpy(out + i, "...", 3), i += 3;
    out[i] = 0;
}

void hdb__sqlp_syntax(hdb_sql_parser *p, const hdb_sql_token *t)
{
    char text[44];
    if (t->type == HDB_TK_EOF) {
        hdb__sqlp_error(p, t->pos, "incomplete input");
        return;
    }
    token_text(p, t, text, sizeof text);
    if (t->type == HDB_TK_ILLEGAL)
        hdb__sqlp_error(p, t->pos, "unrecognized token: \"%s\"", text);
    else
        hdb__sqlp_error(p, t->pos, "near \"%s\": syntax error", text);
}

void hdb__sqlp_syntax_here(hdb_sql_parser *p)
{
    hdb__sqlp_syntax(p, hdb__sqlp_peek(p, 0));
}

int hdb__sqlp_enter(hdb_sql_parser *p)
{
    if (p->rc != HDB_OK)
        return -1;
    if (p->depth >= HDB_SQL_MAX_DEPTH) {
        hdb__sqlp_error(p, hdb__sqlp_peek(p, 0)->pos,
                        "too many levels of nesting (maximum %d)", HDB_SQL_MAX_DEPTH);
        return -1;
    }
    p->depth++;
    return 0;
}

void hdb__sqlp_leave(hdb_sql_parser *p) { p->depth--; }

/* ---------------------------------------------------------------------------
** Memory
*/
void *hdb__sqlp_alloc(hdb_sql_parser *p, size_t n)
{
    void *q = hdb__sql_arena_alloc(p->a, n);
    if (!q)
        hdb__sqlp_nomem(p);
    return q;
}

void *hdb__sqlp_grow(hdb_sql_parser *p, void *arr, int n, size_t elsz)
{
    if (n > 0 && (n < 4 || (n & (n - 1)) != 0))
        return arr; /* capacity is 4, then the next power of two >= n */
    if (n >= MAX_LIST) {
        hdb__sqlp_error(p, hdb__sqlp_peek(p, 0)->pos, "too many terms in a list");
        return NULL;
    }
    size_t cap = n == 0 ? 4 : (size_t)n * 2;
    if (cap > (size_t)-1 / elsz) { /* only reachable on 32-bit targets */
        hdb__sqlp_nomem(p);
        return NULL;
    }
    void *q = hdb__sqlp_alloc(p, cap * elsz);
    if (q && n)
        memcpy(q, arr, (size_t)n * elsz);
    return q;
}

char *hdb__sqlp_strndup(hdb_sql_parser *p, size_t pos, size_t len)
{
    char *s = hdb__sql_arena_strndup(p->a, p->z + pos, len);
    if (!s)
        hdb__sqlp_nomem(p);
    return s;
}

char *hdb__sqlp_dequote(hdb_sql_parser *p, const hdb_sql_token *t)
{
    const char *z = p->z + t->pos;
    char q = t->type == HDB_TK_STRING ? '\'' : t->quote;
    if (!q)
        return hdb__sqlp_strndup(p, t->pos, t->len);
    char *s = hdb__sqlp_alloc(p, t->len); /* >= inner length + 1 */
    if (!s)
        return NULL;
    size_t k = 0;
    for (size_t i = 1; i + 1 < t->len; i++) {
        s[k++] = z[i];
        if (q != '[' && z[i] == q)
            i++; /* a doubled quote */
    }
    s[k] = 0;
    return s;
}

/* ---------------------------------------------------------------------------
** Names
*/
int hdb__sqlp_is_name(hdb_sql_parser *p, int k)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, k);
    if (t->type == HDB_TK_STRING)
        return 1;
    return t->type == HDB_TK_ID && !(hdb__sql_keyword_flags(t->kw) & HDB_KWF_RESERVED);
}

char *hdb__sqlp_name(hdb_sql_parser *p)
{
    if (!hdb__sqlp_is_name(p, 0)) {
        hdb__sqlp_syntax_here(p);
        return NULL;
    }
    char *s = hdb__sqlp_dequote(p, hdb__sqlp_peek(p, 0));
    if (s)
        hdb__sqlp_advance(p);
    return s;
}

int hdb__sqlp_qualified(hdb_sql_parser *p, char **schema, char **name)
{
    *schema = NULL;
    if (!(*name = hdb__sqlp_name(p)))
        return -1;
    if (!hdb__sqlp_accept(p, HDB_TK_DOT))
        return 0;
    *schema = *name;
    return (*name = hdb__sqlp_name(p)) ? 0 : -1;
}

int hdb__sqlp_alias(hdb_sql_parser *p, char **alias)
{
    *alias = NULL;
    if (hdb__sqlp_accept_kw(p, HDB_KW_AS))
        return (*alias = hdb__sqlp_name(p)) ? 0 : -1;
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    if (!hdb__sqlp_is_name(p, 0) || (hdb__sql_keyword_flags(t->kw) & HDB_KWF_JOIN))
        return 0;
    if (t->kw == HDB_KW_WINDOW && hdb__sqlp_is_name(p, 1) && hdb__sqlp_is_kw(p, 2, HDB_KW_AS))
        return 0; /* WINDOW w AS (...): a window clause, not an alias */
    return (*alias = hdb__sqlp_name(p)) ? 0 : -1;
}

int hdb__sqlp_name_list(hdb_sql_parser *p, hdb_sql_names *out)
{
    if (hdb__sqlp_expect(p, HDB_TK_LP))
        return -1;
    do {
        char *s = hdb__sqlp_name(p);
        if (!s || !(out->a = hdb__sqlp_grow(p, out->a, out->n, sizeof *out->a)))
            return -1;
        out->a[out->n++] = s;
    } while (hdb__sqlp_accept(p, HDB_TK_COMMA));
    return hdb__sqlp_expect(p, HDB_TK_RP);
}

int hdb__sqlp_if_not_exists(hdb_sql_parser *p)
{
    if (!hdb__sqlp_is_kw(p, 0, HDB_KW_IF) || !hdb__sqlp_is_kw(p, 1, HDB_KW_NOT))
        return 0;
    hdb__sqlp_advance(p);
    hdb__sqlp_advance(p);
    return hdb__sqlp_expect_kw(p, HDB_KW_EXISTS) ? -1 : 1;
}

int hdb__sqlp_if_exists(hdb_sql_parser *p)
{
    if (!hdb__sqlp_is_kw(p, 0, HDB_KW_IF) || !hdb__sqlp_is_kw(p, 1, HDB_KW_EXISTS))
        return 0;
    hdb__sqlp_advance(p);
    hdb__sqlp_advance(p);
    return 1;
}

int hdb__sqlp_conflict_action(hdb_sql_parser *p)
{
    static const int map[][2] = {
        {HDB_KW_ROLLBACK, HDB_SQL_OR_ROLLBACK}, {HDB_KW_ABORT, HDB_SQL_OR_ABORT},
        {HDB_KW_FAIL, HDB_SQL_OR_FAIL}, {HDB_KW_IGNORE, HDB_SQL_OR_IGNORE},
        {HDB_KW_REPLACE, HDB_SQL_OR_REPLACE}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (hdb__sqlp_accept_kw(p, map[i][0]))
            return map[i][1];
    hdb__sqlp_syntax_here(p);
    return -1;
}

/* ---------------------------------------------------------------------------
** Small statements
*/
hdb_sql_stmt *hdb__sqlp_stmt_new(hdb_sql_parser *p, int kind)
{
    hdb_sql_stmt *s = hdb__sqlp_alloc(p, sizeof *s);
    if (s)
        s->kind = kind;
    return s;
}

/* BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION [name]] */
static int begin_stmt(hdb_sql_parser *p, hdb_sql_stmt *s)
{
    if (hdb__sqlp_accept_kw(p, HDB_KW_DEFERRED))
        s->u.txn_mode = HDB_SQL_TXN_DEFERRED;
    else if (hdb__sqlp_accept_kw(p, HDB_KW_IMMEDIATE))
        s->u.txn_mode = HDB_SQL_TXN_IMMEDIATE;
    else if (hdb__sqlp_accept_kw(p, HDB_KW_EXCLUSIVE))
        s->u.txn_mode = HDB_SQL_TXN_EXCLUSIVE;
    if (hdb__sqlp_accept_kw(p, HDB_KW_TRANSACTION) && hdb__sqlp_is_name(p, 0))
        hdb__sqlp_advance(p); /* a transaction name, ignored as by SQLite */
    return 0;
}

/* COMMIT|END [TRANSACTION [name]]; the first keyword is consumed. */
static int commit_stmt(hdb_sql_parser *p, hdb_sql_stmt *s)
{
    if (hdb__sqlp_accept_kw(p, HDB_KW_TRANSACTION) && hdb__sqlp_is_name(p, 0))
        hdb__sqlp_advance(p);
    return 0;
}

/* ROLLBACK [TRANSACTION [name]] [TO [SAVEPOINT] name] */
static int rollback_stmt(hdb_sql_parser *p, hdb_sql_stmt *s)
{
    if (hdb__sqlp_accept_kw(p, HDB_KW_TRANSACTION) && hdb__sqlp_is_name(p, 0) &&
        !hdb__sqlp_is_kw(p, 0, HDB_KW_TO))
        hdb__sqlp_advance(p);
    if (!hdb__sqlp_accept_kw(p, HDB_KW_TO))
        return 0;
    hdb__sqlp_accept_kw(p, HDB_KW_SAVEPOINT);
    return (s->u.savepoint = hdb__sqlp_name(p)) ? 0 : -1;
}

/* PRAGMA [schema.]name [= value | (value)] */
static int pragma_stmt(hdb_sql_parser *p, hdb_sql_stmt *s)
{
    hdb_sql_pragma *pr = &s->u.pragma;
    if (hdb__sqlp_qualified(p, &pr->schema, &pr->name))
        return -1;
    int paren = 0;
    if (hdb__sqlp_accept(p, HDB_TK_LP))
        paren = 1;
    else if (!hdb__sqlp_accept(p, HDB_TK_EQ))
        return 0;
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    if (t->type == HDB_TK_STRING || t->type == HDB_TK_ID) { /* any word: ON, FULL, DELETE */
        pr->value_is_string = t->type == HDB_TK_STRING;
        if (!(pr->value = hdb__sqlp_dequote(p, t)))
            return -1;
        hdb__sqlp_advance(p);
    } else if (!(pr->value = hdb__sqlp_signed_number(p))) {
        return -1;
    }
    return paren ? hdb__sqlp_expect(p, HDB_TK_RP) : 0;
}

/* SAVEPOINT name | RELEASE [SAVEPOINT] name */
static int savepoint_stmt(hdb_sql_parser *p, hdb_sql_stmt *s, int release)
{
    if (release)
        hdb__sqlp_accept_kw(p, HDB_KW_SAVEPOINT);
    return (s->u.savepoint = hdb__sqlp_name(p)) ? 0 : -1;
}

/* A statement starting with WITH: the select, insert, update or delete it
 * introduces. */
static hdb_sql_stmt *with_stmt(hdb_sql_parser *p)
{
    size_t pos = hdb__sqlp_peek(p, 0)->pos;
    hdb_sql_with *w = hdb__sqlp_with(p);
    if (!w)
        return NULL;
    hdb_sql_stmt *s = NULL;
    int rc = -1;
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_INSERT) || hdb__sqlp_is_kw(p, 0, HDB_KW_REPLACE)) {
        if ((s = hdb__sqlp_stmt_new(p, HDB_SQL_S_INSERT)))
            rc = hdb__sqlp_insert(p, s, w);
    } else if (hdb__sqlp_is_kw(p, 0, HDB_KW_UPDATE)) {
        if ((s = hdb__sqlp_stmt_new(p, HDB_SQL_S_UPDATE)))
            rc = hdb__sqlp_update(p, s, w);
    } else if (hdb__sqlp_is_kw(p, 0, HDB_KW_DELETE)) {
        if ((s = hdb__sqlp_stmt_new(p, HDB_SQL_S_DELETE)))
            rc = hdb__sqlp_delete(p, s, w);
    } else if ((s = hdb__sqlp_stmt_new(p, HDB_SQL_S_SELECT))) {
        rc = (s->u.select = hdb__sqlp_select_with(p, w, pos)) ? 0 : -1;
    }
    return rc ? NULL : s;
}

/* Statements whose first keyword decides alone; the keyword is consumed. */
static hdb_sql_stmt *simple_stmt(hdb_sql_parser *p, int kw)
{
    static const int kinds[][2] = {
        {HDB_KW_BEGIN, HDB_SQL_S_BEGIN}, {HDB_KW_COMMIT, HDB_SQL_S_COMMIT},
        {HDB_KW_END, HDB_SQL_S_COMMIT}, {HDB_KW_ROLLBACK, HDB_SQL_S_ROLLBACK},
        {HDB_KW_SAVEPOINT, HDB_SQL_S_SAVEPOINT}, {HDB_KW_RELEASE, HDB_SQL_S_RELEASE},
        {HDB_KW_PRAGMA, HDB_SQL_S_PRAGMA}, {HDB_KW_CREATE, 0}, {HDB_KW_DROP, 0},
        {HDB_KW_ALTER, 0}};
    size_t i;
    for (i = 0; i < sizeof kinds / sizeof kinds[0] && kinds[i][0] != kw; i++) {
    }
    if (i == sizeof kinds / sizeof kinds[0]) {
        hdb__sqlp_syntax_here(p);
        return NULL;
    }
    hdb__sqlp_advance(p);
    hdb_sql_stmt *s = hdb__sqlp_stmt_new(p, kinds[i][1]);
    if (!s)
        return NULL;
    int rc;
    switch (kw) {
    case HDB_KW_BEGIN: rc = begin_stmt(p, s); break;
    case HDB_KW_COMMIT: case HDB_KW_END: rc = commit_stmt(p, s); break;
    case HDB_KW_ROLLBACK: rc = rollback_stmt(p, s); break;
    case HDB_KW_SAVEPOINT: rc = savepoint_stmt(p, s, 0); break;
    case HDB_KW_RELEASE: rc = savepoint_stmt(p, s, 1); break;
    case HDB_KW_PRAGMA: rc = pragma_stmt(p, s); break;
    case HDB_KW_CREATE: rc = hdb__sqlp_create(p, s); break;
    case HDB_KW_DROP: rc = hdb__sqlp_drop(p, s); break;
    default: rc = hdb__sqlp_alter(p, s); break;
    }
    return rc ? NULL : s;
}

/* One statement, without its EXPLAIN prefix. */
static hdb_sql_stmt *statement(hdb_sql_parser *p)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    int kw = t->type == HDB_TK_ID ? t->kw : HDB_KW_NONE;
    hdb_sql_stmt *s;
    int rc = -1;
    switch (kw) {
    case HDB_KW_SELECT: case HDB_KW_VALUES:
        if ((s = hdb__sqlp_stmt_new(p, HDB_SQL_S_SELECT)))
            rc = (s->u.select = hdb__sqlp_select(p)) ? 0 : -1;
        return rc ? NULL : s;
    case HDB_KW_WITH:
        return with_stmt(p);
    case HDB_KW_INSERT: case HDB_KW_REPLACE:
        if ((s = hdb__sqlp_stmt_new(p, HDB_SQL_S_INSERT)))
            rc = hdb__sqlp_insert(p, s, NULL);
        return rc ? NULL : s;
    case HDB_KW_UPDATE:
        if ((s = hdb__sqlp_stmt_new(p, HDB_SQL_S_UPDATE)))
            rc = hdb__sqlp_update(p, s, NULL);
        return rc ? NULL : s;
    case HDB_KW_DELETE:
        if ((s = hdb__sqlp_stmt_new(p, HDB_SQL_S_DELETE)))
            rc = hdb__sqlp_delete(p, s, NULL);
        return rc ? NULL : s;
    case HDB_KW_USE: case HDB_KW_MERGE: case HDB_KW_SHOW: case HDB_KW_CHECKPOINT:
        if ((s = hdb__sqlp_stmt_new(p, 0)))
            rc = hdb__sqlp_branch(p, s, kw);
        return rc ? NULL : s;
    default:
        return simple_stmt(p, kw);
    }
}

/* [EXPLAIN [QUERY PLAN]] statement */
static hdb_sql_stmt *explain_stmt(hdb_sql_parser *p)
{
    int explain = 0;
    if (hdb__sqlp_accept_kw(p, HDB_KW_EXPLAIN)) {
        explain = 1;
        if (hdb__sqlp_accept_kw(p, HDB_KW_QUERY)) {
            if (hdb__sqlp_expect_kw(p, HDB_KW_PLAN))
                return NULL;
            explain = 2;
        }
    }
    hdb_sql_stmt *s = statement(p);
    if (s)
        s->explain = explain;
    return s;
}

/* The statement's text and parameter table. */
static int finish_stmt(hdb_sql_parser *p, hdb_sql_stmt *s, size_t pos)
{
    s->pos = pos;
    s->len = p->last_end - pos;
    if (!(s->sql = hdb__sqlp_strndup(p, s->pos, s->len)))
        return -1;
    s->nparam = p->nparam;
    if (p->nparam == 0)
        return 0;
    s->param_names = hdb__sqlp_alloc(p, (size_t)p->nparam * sizeof *s->param_names);
    if (!s->param_names)
        return -1;
    for (int i = 0; i < p->nnamed; i++)
        s->param_names[p->named_idx[i] - 1] = p->named[i];
    return 0;
}

int hdb__sql_parse(const char *sql, size_t n, hdb_sql_arena *a, hdb_sql_stmt **out,
                   const char **tail, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (tail)
        *tail = sql ? sql + n : sql;
    if (err && errlen)
        err[0] = 0;
    if (!a || !out || (!sql && n))
        return HDB_MISUSE;
    hdb_sql_parser p;
    memset(&p, 0, sizeof p);
    p.z = sql;
    p.n = n;
    p.a = a;
    p.err = err;
    p.errlen = errlen;
    while (hdb__sqlp_accept(&p, HDB_TK_SEMI)) {
    }
    if (hdb__sqlp_is(&p, 0, HDB_TK_EOF))
        return HDB_OK;
    size_t pos = hdb__sqlp_peek(&p, 0)->pos;
    hdb_sql_stmt *s = explain_stmt(&p);
    if (!s && p.rc == HDB_OK)
        hdb__sqlp_syntax_here(&p); /* cannot happen: a NULL comes with an error */
    if (s && !hdb__sqlp_is(&p, 0, HDB_TK_SEMI) && !hdb__sqlp_is(&p, 0, HDB_TK_EOF))
        hdb__sqlp_syntax_here(&p);
    if (s && p.rc == HDB_OK)
        finish_stmt(&p, s, pos);
    if (p.rc != HDB_OK)
        return p.rc;
    if (tail && hdb__sqlp_accept(&p, HDB_TK_SEMI))
        *tail = sql + p.last_end;
    *out = s;
    return HDB_OK;
}
