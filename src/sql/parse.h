/*
** parse.h — the SQL parser: text of one statement in, syntax tree out.
**
** WHAT IT IS
**   A recursive-descent parser for the SQLite dialect plus this product's
**   branch statements (see ast.h for the tree and the grammar of the branch
**   statements).  It parses; it does not resolve names or check types: a
**   missing table, a wrong column count or an unknown function are the
**   planner's errors.
**
** CONTRACT
**   - One call parses ONE statement.  The caller loops, handing back *tail,
**     until hdb__sql_parse() returns HDB_OK with *out == NULL (only
**     whitespace, comments and ';' were left).
**   - Never crashes, never hangs (time is linear in the input up to the
**     nesting limits), never leaks: everything it allocates is in the arena,
**     so hdb__sql_arena_free() cleans up after success and failure alike.
**   - Nesting deeper than HDB_SQL_MAX_DEPTH and expression trees taller than
**     HDB_SQL_MAX_HEIGHT are errors, so the parser's own recursion and any
**     later recursive walk of the tree are bounded.
**   - Messages are SQLite's, with a position appended:
**       near "FROM": syntax error at line 1 column 8
**       incomplete input at line 1 column 15
**       unrecognized token: "'abc" at line 2 column 3
**     Lines and columns count from 1; a column counts characters (UTF-8
**     sequences), not bytes, from the start of its line in `sql`.
*/
#ifndef HDB_SQL_PARSE_H
#define HDB_SQL_PARSE_H

#include <stddef.h>
#include "src/sql/ast.h"

/**
 * Parse the first statement of sql[0..n).
 * @param sql    the text (borrowed for the call only; NUL bytes inside the
 *               range are illegal tokens); may be NULL when n == 0
 * @param a      an arena (hdb__sql_arena_init'ed) that receives the tree and
 *               every other allocation of the call; the caller frees it
 * @param out    receives the statement (in the arena), or NULL when the
 *               text held no statement; NULL on error
 * @param tail   if not NULL, receives where the next statement starts: just
 *               past the statement's ';', or sql + n.  On error, sql + n.
 * @param err    if not NULL, receives the NUL-terminated message (truncated
 *               to errlen bytes) on HDB_ERROR / HDB_NOMEM; "" on success
 * @return HDB_OK, HDB_ERROR (syntax error, limit exceeded), HDB_NOMEM,
 *         HDB_MISUSE (a, out NULL, or sql NULL with n > 0)
 */
int hdb__sql_parse(const char *sql, size_t n, hdb_sql_arena *a, hdb_sql_stmt **out,
                   const char **tail, char *err, size_t errlen);

#endif
