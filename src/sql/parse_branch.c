/*
** parse_branch.c — the branch statements (grammar in ast.h) and the branch
** name reader.
**
** BRANCH NAMES
**   A 'string' or a quoted identifier is taken dequoted.  Otherwise the
**   name is read from the raw text, not from tokens: a run of letters,
**   digits and _ - . / starting with a letter, digit or '_', so that
**   feature/login-v1.2 is one name (the lexer would see five tokens and a
**   real number).  "--" and "/" followed by "*" end the run because they
**   start comments.  After a raw read the token window restarts behind the
**   name (hdb__sqlp_reset).  Lengths and the characters a quoted name may
**   hold are checked by the engine (HDB_MAX_BRANCH_NAME), not here.
**
** Options of CREATE BRANCH and MERGE BRANCH may come in any order, each at
** most once.
*/
#include <string.h>
#include "src/sql/parse_int.h"

static int is_branch_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int is_branch_char(const char *z, size_t i, size_t n)
{
    char c = z[i], d = i + 1 < n ? z[i + 1] : 0;
    if (is_branch_start(c) || c == '.')
        return 1;
    if (c == '-')
        return d != '-';
    return c == '/' && d != '*';
}

char *hdb__sqlp_branch_name(hdb_sql_parser *p)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    char *s;
    if (t->type == HDB_TK_STRING || (t->type == HDB_TK_ID && t->quote)) {
        if (!(s = hdb__sqlp_dequote(p, t)))
            return NULL;
        if (!s[0]) {
            hdb__sqlp_error(p, t->pos, "empty branch name");
            return NULL;
        }
        hdb__sqlp_advance(p);
        return s;
    }
    if (t->type == HDB_TK_EOF || !is_branch_start(p->z[t->pos])) {
        hdb__sqlp_syntax(p, t);
        return NULL;
    }
    size_t start = t->pos, i = start + 1;
    while (i < p->n && is_branch_char(p->z, i, p->n))
        i++;
    if (!(s = hdb__sqlp_strndup(p, start, i - start)))
        return NULL;
    hdb__sqlp_reset(p, i);
    return s;
}

/* AS OF TIMESTAMP 'text' | AS OF LSN n; AS is current. */
static int as_of(hdb_sql_parser *p, hdb_sql_branch *b)
{
    hdb__sqlp_advance(p);
    if (hdb__sqlp_expect_kw(p, HDB_KW_OF))
        return -1;
    const hdb_sql_token *t;
    if (hdb__sqlp_accept_kw(p, HDB_KW_TIMESTAMP)) {
        t = hdb__sqlp_peek(p, 0);
        if (t->type != HDB_TK_STRING) {
            hdb__sqlp_syntax(p, t);
            return -1;
        }
        b->as_of = HDB_SQL_ASOF_TIMESTAMP;
        if (!(b->timestamp = hdb__sqlp_dequote(p, t)))
            return -1;
        hdb__sqlp_advance(p);
        return 0;
    }
    if (hdb__sqlp_expect_kw(p, HDB_KW_LSN))
        return -1;
    t = hdb__sqlp_peek(p, 0);
    const char *z = p->z + t->pos;
    if (t->type != HDB_TK_INTEGER || (t->len > 1 && (z[1] == 'x' || z[1] == 'X'))) {
        hdb__sqlp_syntax(p, t);
        return -1;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < t->len; i++) {
        unsigned d = (unsigned)(z[i] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            hdb__sqlp_error(p, t->pos, "LSN out of range");
            return -1;
        }
        v = v * 10 + d;
    }
    b->as_of = HDB_SQL_ASOF_LSN;
    b->lsn = v;
    hdb__sqlp_advance(p);
    return 0;
}

/* One option of CREATE BRANCH; 1 when the current token starts none. */
static int create_option(hdb_sql_parser *p, hdb_sql_branch *b)
{
    const hdb_sql_token *t = hdb__sqlp_peek(p, 0);
    if (t->type != HDB_TK_ID || t->quote)
        return 1;
    switch (t->kw) {
    case HDB_KW_FROM:
        if (b->from)
            break;
        hdb__sqlp_advance(p);
        return (b->from = hdb__sqlp_branch_name(p)) ? 0 : -1;
    case HDB_KW_AS:
        if (b->as_of)
            break;
        return as_of(p, b);
    case HDB_KW_READ:
        if (b->read_only)
            break;
        hdb__sqlp_advance(p);
        b->read_only = 1;
        return hdb__sqlp_expect_kw(p, HDB_KW_ONLY);
    case HDB_KW_COMMENT:
        if (b->comment)
            break;
        hdb__sqlp_advance(p);
        t = hdb__sqlp_peek(p, 0);
        if (t->type != HDB_TK_STRING)
            break;
        if (!(b->comment = hdb__sqlp_dequote(p, t)))
            return -1;
        hdb__sqlp_advance(p);
        return 0;
    default:
        return 1;
    }
    hdb__sqlp_syntax_here(p); /* a repeated option, or COMMENT without text */
    return -1;
}

/* One option of MERGE BRANCH; 1 when the current token starts none. */
static int merge_option(hdb_sql_parser *p, hdb_sql_branch *b, int *seen_policy)
{
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_USING) && !*seen_policy) {
        hdb__sqlp_advance(p);
        *seen_policy = 1;
        if (hdb__sqlp_accept_kw(p, HDB_KW_OURS))
            b->policy = HDB_SQL_MERGE_OURS;
        else if (hdb__sqlp_accept_kw(p, HDB_KW_THEIRS))
            b->policy = HDB_SQL_MERGE_THEIRS;
        else if (hdb__sqlp_expect_kw(p, HDB_KW_ABORT))
            return -1;
        return 0;
    }
    if (hdb__sqlp_is_kw(p, 0, HDB_KW_DRY) && !b->dry_run) {
        hdb__sqlp_advance(p);
        b->dry_run = 1;
        return hdb__sqlp_expect_kw(p, HDB_KW_RUN);
    }
    return 1;
}

static int create_branch(hdb_sql_parser *p, hdb_sql_branch *b)
{
    int rc;
    if ((b->if_exists = hdb__sqlp_if_not_exists(p)) < 0 || !(b->name = hdb__sqlp_branch_name(p)))
        return -1;
    while ((rc = create_option(p, b)) == 0) {
    }
    return rc < 0 ? -1 : 0;
}

static int merge_branch(hdb_sql_parser *p, hdb_sql_branch *b)
{
    int rc, seen_policy = 0;
    if (hdb__sqlp_expect_kw(p, HDB_KW_BRANCH) || !(b->name = hdb__sqlp_branch_name(p)) ||
        hdb__sqlp_expect_kw(p, HDB_KW_INTO) || !(b->from = hdb__sqlp_branch_name(p)))
        return -1;
    while ((rc = merge_option(p, b, &seen_policy)) == 0) {
    }
    return rc < 0 ? -1 : 0;
}

/* ALTER BRANCH name SET READ ONLY | SET READ WRITE */
static int alter_branch(hdb_sql_parser *p, hdb_sql_branch *b)
{
    if (!(b->name = hdb__sqlp_branch_name(p)) || hdb__sqlp_expect_kw(p, HDB_KW_SET) ||
        hdb__sqlp_expect_kw(p, HDB_KW_READ))
        return -1;
    if (hdb__sqlp_accept_kw(p, HDB_KW_ONLY)) {
        b->read_only = 1;
        return 0;
    }
    return hdb__sqlp_expect_kw(p, HDB_KW_WRITE);
}

/* SHOW BRANCHES | SHOW HISTORY [FOR BRANCH name] */
static int show(hdb_sql_parser *p, hdb_sql_stmt *s)
{
    if (hdb__sqlp_accept_kw(p, HDB_KW_BRANCHES)) {
        s->kind = HDB_SQL_S_SHOW_BRANCHES;
        return 0;
    }
    if (hdb__sqlp_expect_kw(p, HDB_KW_HISTORY))
        return -1;
    s->kind = HDB_SQL_S_SHOW_HISTORY;
    if (!hdb__sqlp_accept_kw(p, HDB_KW_FOR))
        return 0;
    if (hdb__sqlp_expect_kw(p, HDB_KW_BRANCH))
        return -1;
    return (s->u.branch.name = hdb__sqlp_branch_name(p)) ? 0 : -1;
}

int hdb__sqlp_branch(hdb_sql_parser *p, hdb_sql_stmt *s, int first_kw)
{
    hdb_sql_branch *b = &s->u.branch;
    if (first_kw != HDB_KW_CREATE && first_kw != HDB_KW_DROP && first_kw != HDB_KW_ALTER)
        hdb__sqlp_advance(p); /* USE, MERGE, SHOW, CHECKPOINT */
    switch (first_kw) {
    case HDB_KW_CREATE:
        hdb__sqlp_advance(p); /* BRANCH */
        s->kind = HDB_SQL_S_CREATE_BRANCH;
        return create_branch(p, b);
    case HDB_KW_DROP:
        hdb__sqlp_advance(p);
        s->kind = HDB_SQL_S_DROP_BRANCH;
        b->if_exists = hdb__sqlp_if_exists(p);
        return (b->name = hdb__sqlp_branch_name(p)) ? 0 : -1;
    case HDB_KW_ALTER:
        hdb__sqlp_advance(p);
        s->kind = HDB_SQL_S_ALTER_BRANCH;
        return alter_branch(p, b);
    case HDB_KW_USE:
        s->kind = HDB_SQL_S_USE_BRANCH;
        if (hdb__sqlp_expect_kw(p, HDB_KW_BRANCH))
            return -1;
        return (b->name = hdb__sqlp_branch_name(p)) ? 0 : -1;
    case HDB_KW_MERGE:
        s->kind = HDB_SQL_S_MERGE_BRANCH;
        return merge_branch(p, b);
    case HDB_KW_SHOW:
        return show(p, s);
    default:
        s->kind = HDB_SQL_S_CHECKPOINT;
        return 0;
    }
}
