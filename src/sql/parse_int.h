/*
** parse_int.h — what the parser's files (parse*.c) share: the parser state,
** token access, errors and allocation helpers.  Not for use outside src/sql.
**
** CONVENTIONS OF THE PARSE FUNCTIONS
**   - Each hdb__sqlp_<rule>() parses one grammar rule starting at the
**     current token and returns the node (in the arena), or NULL after
**     recording an error in the parser (p->rc != HDB_OK).  Functions that
**     build no node return 0 for success and -1 for error.
**   - The first error wins: later errors are ignored, so the message names
**     the place where parsing first went wrong.
**   - A function returning NULL/-1 may have consumed tokens; the caller
**     stops and returns its own failure at once.
**   - Recursion goes through hdb__sqlp_enter() (nested expressions, see
**     parse_expr.c; selects; parenthesised joins), which bounds it by
**     HDB_SQL_MAX_DEPTH.
*/
#ifndef HDB_SQL_PARSE_INT_H
#define HDB_SQL_PARSE_INT_H

#include "src/sql/ast.h"
#include "src/sql/token.h"

#define HDB_SQLP_LOOKAHEAD 4

typedef struct hdb_sql_parser {
    const char *z;        /* the input (borrowed) */
    size_t n;
    size_t next;          /* where the lexer resumes after the lookahead */
    hdb_sql_token la[HDB_SQLP_LOOKAHEAD]; /* la[0] is the current token */
    int nla;              /* tokens in la[] */
    size_t last_end;      /* end offset of the last consumed token */
    hdb_sql_arena *a;
    int depth;            /* current nesting (hdb__sqlp_enter) */
    int rc;               /* HDB_OK until the first error */
    char *err;            /* caller's message buffer; may be NULL */
    size_t errlen;
    /* parameters seen so far */
    int nparam;           /* largest index */
    int nnamed;           /* named parameters: named[i] has index named_idx[i] */
    char **named;
    int *named_idx;
    int *slots;           /* hash of named[]: i + 1, or 0 for an empty slot */
    int nslot;            /* a power of two > 2 * nnamed, or 0 */
} hdb_sql_parser;

/* --- tokens (parse.c) --- */
/* The k-th token from the current one (k < HDB_SQLP_LOOKAHEAD); EOF at the end.
 * The pointer is valid until the next advance (the window shifts). */
const hdb_sql_token *hdb__sqlp_peek(hdb_sql_parser *p, int k);
/* Consume the current token. */
void hdb__sqlp_advance(hdb_sql_parser *p);
/* Is the k-th token the keyword kw? */
int hdb__sqlp_is_kw(hdb_sql_parser *p, int k, int kw);
/* Is the k-th token of this type? */
int hdb__sqlp_is(hdb_sql_parser *p, int k, int type);
/* Consume the current token if it is keyword kw / of type; 1 if consumed. */
int hdb__sqlp_accept_kw(hdb_sql_parser *p, int kw);
int hdb__sqlp_accept(hdb_sql_parser *p, int type);
/* As accept, but a syntax error (returning -1) when absent; 0 when consumed. */
int hdb__sqlp_expect_kw(hdb_sql_parser *p, int kw);
int hdb__sqlp_expect(hdb_sql_parser *p, int type);
/* Throw away the lookahead and resume lexing at byte offset pos (>= the
 * current token's start): for readers that take raw text (branch names). */
void hdb__sqlp_reset(hdb_sql_parser *p, size_t pos);

/* --- errors (parse.c) --- */
/* The syntax error SQLite would give at token t ("near ..."; "incomplete
 * input" at the end; "unrecognized token" for an illegal one). */
void hdb__sqlp_syntax(hdb_sql_parser *p, const hdb_sql_token *t);
/* A syntax error at the current token. */
void hdb__sqlp_syntax_here(hdb_sql_parser *p);
/* Another message, positioned at byte offset pos. */
void hdb__sqlp_error(hdb_sql_parser *p, size_t pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void hdb__sqlp_nomem(hdb_sql_parser *p);
/* Enter one level of nesting: 0, or -1 (error recorded) past the limit. */
int hdb__sqlp_enter(hdb_sql_parser *p);
void hdb__sqlp_leave(hdb_sql_parser *p);

/* --- memory (parse.c) --- */
/* n zeroed bytes in the arena; NULL (nomem recorded) on failure. */
void *hdb__sqlp_alloc(hdb_sql_parser *p, size_t n);
/* Room for element n of an arena array that holds n elements of elsz
 * bytes; returns the array (moved when it grew) or NULL (error recorded). */
void *hdb__sqlp_grow(hdb_sql_parser *p, void *arr, int n, size_t elsz);
/* Copy of z[pos..pos+len) as a C string. */
char *hdb__sqlp_strndup(hdb_sql_parser *p, size_t pos, size_t len);
/* The text of a name token (identifier, quoted identifier or string),
 * dequoted; NULL on error. */
char *hdb__sqlp_dequote(hdb_sql_parser *p, const hdb_sql_token *t);

/* --- names (parse.c) --- */
/* Can the k-th token serve as a name (nm): a quoted identifier, a string,
 * or a bare word that is not a reserved keyword? */
int hdb__sqlp_is_name(hdb_sql_parser *p, int k);
/* Read a name; NULL (syntax error) if the current token is none. */
char *hdb__sqlp_name(hdb_sql_parser *p);
/* Read [schema.]name. */
int hdb__sqlp_qualified(hdb_sql_parser *p, char **schema, char **name);
/* An optional alias: AS name, or a bare name that cannot start a clause.
 * *alias is NULL when there is none.  0 or -1. */
int hdb__sqlp_alias(hdb_sql_parser *p, char **alias);
/* ( name, name, ... ) after the '(' has been seen (it is consumed here). */
int hdb__sqlp_name_list(hdb_sql_parser *p, hdb_sql_names *out);
/* IF NOT EXISTS / IF EXISTS: 1 if present, 0 if not, -1 on error. */
int hdb__sqlp_if_not_exists(hdb_sql_parser *p);
int hdb__sqlp_if_exists(hdb_sql_parser *p);
/* OR ROLLBACK|ABORT|FAIL|IGNORE|REPLACE after the OR / ON CONFLICT has
 * been consumed: the HDB_SQL_OR_* or -1. */
int hdb__sqlp_conflict_action(hdb_sql_parser *p);

/* --- expressions (parse_expr.c) --- */
hdb_sql_expr *hdb__sqlp_expr(hdb_sql_parser *p);
/* A prefix-operator expression or a term (precedence level 12). */
hdb_sql_expr *hdb__sqlp_unary(hdb_sql_parser *p);
/* A zeroed node of kind at pos; then, once its children are set, _done()
 * sets its length (up to the last consumed token) and height. */
hdb_sql_expr *hdb__sqlp_expr_new(hdb_sql_parser *p, int kind, size_t pos);
hdb_sql_expr *hdb__sqlp_expr_done(hdb_sql_parser *p, hdb_sql_expr *e);
/* expr, expr, ... (at least one) */
int hdb__sqlp_expr_list(hdb_sql_parser *p, hdb_sql_exprlist *out);
/* Append e to a list. */
int hdb__sqlp_list_add(hdb_sql_parser *p, hdb_sql_exprlist *l, hdb_sql_expr *e);
/* --- terms and literals (parse_term.c) --- */
/* A literal, parameter, name, function call, CASE, CAST, EXISTS, or a
 * parenthesised expression, row value or subquery. */
hdb_sql_expr *hdb__sqlp_primary(hdb_sql_parser *p);
/* Is x the literal 9223372036854775808 (written without parentheses), which
 * only exists negated? */
int hdb__sqlp_is_int_min(hdb_sql_parser *p, const hdb_sql_expr *x);
/* Fold a minus sign at pos into the numeric literal x. */
hdb_sql_expr *hdb__sqlp_negate_literal(hdb_sql_parser *p, hdb_sql_expr *x, size_t pos);
/* A type name with its optional (n) or (n, m) (see hdb_sql_coldef.type);
 * NULL with no error when there is none (check p->rc). */
char *hdb__sqlp_type_name(hdb_sql_parser *p);
/* A DEFAULT value: literal, signed number, bare name (a string), or (expr). */
hdb_sql_expr *hdb__sqlp_default_value(hdb_sql_parser *p);
/* A signed number for PRAGMA and types: its text, sign included. */
char *hdb__sqlp_signed_number(hdb_sql_parser *p);
/* The height a node gets from its children (see ast.h); sets e->height and
 * returns 0, or -1 (error recorded) above HDB_SQL_MAX_HEIGHT. */
int hdb__sqlp_expr_height(hdb_sql_parser *p, hdb_sql_expr *e);

/* --- selects (parse_select.c) --- */
hdb_sql_select *hdb__sqlp_select(hdb_sql_parser *p);
/* The rest of a select whose WITH clause has been parsed already. */
hdb_sql_select *hdb__sqlp_select_with(hdb_sql_parser *p, hdb_sql_with *with, size_t pos);
hdb_sql_with *hdb__sqlp_with(hdb_sql_parser *p);
/* Does the k-th token start a select (SELECT, VALUES, WITH)? */
int hdb__sqlp_starts_select(hdb_sql_parser *p, int k);
int hdb__sqlp_result_columns(hdb_sql_parser *p, hdb_sql_rescols *out);
hdb_sql_from *hdb__sqlp_from(hdb_sql_parser *p);
int hdb__sqlp_order_by(hdb_sql_parser *p, hdb_sql_orderby *out);
int hdb__sqlp_select_height(const hdb_sql_select *s);

/* --- statements --- */
hdb_sql_stmt *hdb__sqlp_stmt_new(hdb_sql_parser *p, int kind);
int hdb__sqlp_insert(hdb_sql_parser *p, hdb_sql_stmt *s, hdb_sql_with *with);  /* parse_dml.c */
int hdb__sqlp_update(hdb_sql_parser *p, hdb_sql_stmt *s, hdb_sql_with *with);
int hdb__sqlp_delete(hdb_sql_parser *p, hdb_sql_stmt *s, hdb_sql_with *with);
int hdb__sqlp_sets(hdb_sql_parser *p, hdb_sql_sets *out);
/* ( idxcol, ... ): expr [COLLATE c] [ASC|DESC]; the COLLATE of a term is
 * moved into the idxcol.  pk_cols also takes PRIMARY KEY's trailing
 * AUTOINCREMENT before the ')'. */
int hdb__sqlp_idxcols(hdb_sql_parser *p, hdb_sql_idxcols *out);
int hdb__sqlp_pk_cols(hdb_sql_parser *p, hdb_sql_idxcols *out, int *autoinc);
int hdb__sqlp_create(hdb_sql_parser *p, hdb_sql_stmt *s);  /* parse_ddl.c */
int hdb__sqlp_drop(hdb_sql_parser *p, hdb_sql_stmt *s);
int hdb__sqlp_alter(hdb_sql_parser *p, hdb_sql_stmt *s);
int hdb__sqlp_coldef(hdb_sql_parser *p, hdb_sql_coldef *c, hdb_sql_tcons **cons,
                     int *ncons, int colidx);
/* parse_branch.c: the branch statements, after their first keyword(s);
 * CREATE/DROP/ALTER BRANCH arrive with CREATE/DROP/ALTER consumed. */
int hdb__sqlp_branch(hdb_sql_parser *p, hdb_sql_stmt *s, int first_kw);
char *hdb__sqlp_branch_name(hdb_sql_parser *p);

#endif
