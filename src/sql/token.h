/*
** token.h — the SQL tokenizer (SQLite's lexical rules).
**
** WHAT IT IS
**   hdb__sql_token_scan() cuts the one token that starts at a byte offset of
**   the input.  It allocates nothing, never reads past the given length and
**   accepts any bytes (a NUL byte is an illegal token, never an end marker).
**   The parser (parse.h) pulls tokens lazily, skipping HDB_TK_SPACE and
**   HDB_TK_COMMENT.
**
** TOKENS (SQLite's rules)
**   identifiers   [A-Za-z_\x80-\xff][A-Za-z0-9_$\x80-\xff]*, or quoted as
**                 "x""y", [x y] or `x``y` (HDB_TK_ID; `quote` is the
**                 opening character, 0 for a bare word)
**   keywords      bare identifiers whose text, compared without case, is in
**                 the keyword table: still HDB_TK_ID, with `kw` set.  Whether
**                 a keyword may serve as a name is the parser's business
**                 (hdb__sql_keyword_flags).
**   strings       'it''s' (HDB_TK_STRING); blobs X'00ff' / x'' (HDB_TK_BLOB,
**                 an even number of hex digits)
**   numbers       123, 0x7f (HDB_TK_INTEGER); 1.5, .5, 1., 1e10, 2.5E-3
**                 (HDB_TK_FLOAT).  A number running into identifier
**                 characters ("12ab", "0x", "1e+") is HDB_TK_ILLEGAL.
**   parameters    ?, ?NNN, :name, @name, $name (HDB_TK_PARAM)
**   operators     ( ) ; , . + - * / % = == != <> < <= > >= << >> & | ~ ||
**                 -> ->>
**   comments      -- to end of line; slash-star to star-slash, or to the end
**                 of the input when unterminated (as SQLite does)
**   whitespace    space, \t, \n, \f, \r, \v
**
** INVARIANTS
**   - Every token but HDB_TK_EOF has len >= 1, so a scan loop always makes
**     progress; HDB_TK_EOF has pos == n and len == 0.
**   - pos + len <= n.
**   - An unterminated string, quoted identifier or blob is one HDB_TK_ILLEGAL
**     token running to the end of the input, or, for a string or quoted
**     identifier, up to a NUL byte inside it: no STRING or quoted ID token
**     holds a NUL.
*/
#ifndef HDB_SQL_TOKEN_H
#define HDB_SQL_TOKEN_H

#include <stddef.h>

enum {
    HDB_TK_EOF = 0,  /* end of input */
    HDB_TK_SPACE,    /* whitespace */
    HDB_TK_COMMENT,  /* -- or slash-star comment */
    HDB_TK_ILLEGAL,  /* a byte sequence that is no token */
    HDB_TK_ID,       /* identifier or keyword (see kw, quote) */
    HDB_TK_STRING,   /* 'text' */
    HDB_TK_BLOB,     /* X'hex' */
    HDB_TK_INTEGER,  /* 123, 0x1f */
    HDB_TK_FLOAT,    /* 1.5, 1e3 */
    HDB_TK_PARAM,    /* ?, ?3, :a, @a, $a */
    HDB_TK_LP,       /* ( */
    HDB_TK_RP,       /* ) */
    HDB_TK_SEMI,     /* ; */
    HDB_TK_COMMA,    /* , */
    HDB_TK_DOT,      /* . */
    HDB_TK_PLUS,     /* + */
    HDB_TK_MINUS,    /* - */
    HDB_TK_STAR,     /* * */
    HDB_TK_SLASH,    /* / */
    HDB_TK_REM,      /* % */
    HDB_TK_EQ,       /* = or == */
    HDB_TK_NE,       /* != or <> */
    HDB_TK_LT,       /* < */
    HDB_TK_LE,       /* <= */
    HDB_TK_GT,       /* > */
    HDB_TK_GE,       /* >= */
    HDB_TK_LSHIFT,   /* << */
    HDB_TK_RSHIFT,   /* >> */
    HDB_TK_BITAND,   /* & */
    HDB_TK_BITOR,    /* | */
    HDB_TK_BITNOT,   /* ~ */
    HDB_TK_CONCAT,   /* || */
    HDB_TK_PTR,      /* -> */
    HDB_TK_PTR2,     /* ->> */
    HDB_TK__COUNT
};

/* Keyword flags. */
#define HDB_KWF_RESERVED 0x1 /* never a bare name (SELECT, FROM, ...) */
#define HDB_KWF_JOIN     0x2 /* a name, but never a bare alias (LEFT, NATURAL, ...) */

/*
** The keywords, in strictly increasing byte order of their upper-case
** spelling (the lookup is a binary search; a unit test checks the order).
** X(name, flags).  Keywords without flags are ordinary names wherever the
** grammar does not expect them, as with SQLite's %fallback ID.  BRANCH ..
** WRITE, TRUE and FALSE are this product's additions; all are unreserved.
*/
#define HDB_SQL_KEYWORDS(X)                                                        \
    X(ABORT, 0) X(ACTION, 0) X(ADD, HDB_KWF_RESERVED) X(AFTER, 0)                  \
    X(ALL, HDB_KWF_RESERVED) X(ALTER, HDB_KWF_RESERVED) X(ALWAYS, 0)               \
    X(ANALYZE, 0) X(AND, HDB_KWF_RESERVED) X(AS, HDB_KWF_RESERVED) X(ASC, 0)       \
    X(ATTACH, 0) X(AUTOINCREMENT, HDB_KWF_RESERVED) X(BEFORE, 0) X(BEGIN, 0)       \
    X(BETWEEN, HDB_KWF_RESERVED) X(BRANCH, 0) X(BRANCHES, 0) X(BY, 0)              \
    X(CASCADE, 0) X(CASE, HDB_KWF_RESERVED) X(CAST, 0)                             \
    X(CHECK, HDB_KWF_RESERVED) X(CHECKPOINT, 0) X(COLLATE, HDB_KWF_RESERVED)       \
    X(COLUMN, 0) X(COMMENT, 0) X(COMMIT, HDB_KWF_RESERVED) X(CONFLICT, 0)          \
    X(CONSTRAINT, HDB_KWF_RESERVED) X(CREATE, HDB_KWF_RESERVED)                    \
    X(CROSS, HDB_KWF_JOIN) X(CURRENT, 0) X(CURRENT_DATE, 0) X(CURRENT_TIME, 0)     \
    X(CURRENT_TIMESTAMP, 0) X(DATABASE, 0) X(DEFAULT, HDB_KWF_RESERVED)            \
    X(DEFERRABLE, HDB_KWF_RESERVED) X(DEFERRED, 0) X(DELETE, HDB_KWF_RESERVED)     \
    X(DESC, 0) X(DETACH, 0) X(DISTINCT, HDB_KWF_RESERVED) X(DO, 0)                 \
    X(DROP, HDB_KWF_RESERVED) X(DRY, 0) X(EACH, 0) X(ELSE, HDB_KWF_RESERVED)       \
    X(END, 0) X(ESCAPE, HDB_KWF_RESERVED) X(EXCEPT, HDB_KWF_RESERVED)              \
    X(EXCLUDE, 0) X(EXCLUSIVE, 0) X(EXISTS, HDB_KWF_RESERVED) X(EXPLAIN, 0)        \
    X(FAIL, 0) X(FALSE, 0) X(FILTER, 0) X(FIRST, 0) X(FOLLOWING, 0) X(FOR, 0)      \
    X(FOREIGN, HDB_KWF_RESERVED) X(FROM, HDB_KWF_RESERVED) X(FULL, HDB_KWF_JOIN)   \
    X(GENERATED, 0) X(GLOB, 0) X(GROUP, HDB_KWF_RESERVED) X(GROUPS, 0)             \
    X(HAVING, HDB_KWF_RESERVED) X(HISTORY, 0) X(IF, 0) X(IGNORE, 0)                \
    X(IMMEDIATE, 0) X(IN, HDB_KWF_RESERVED) X(INDEX, HDB_KWF_RESERVED)             \
    X(INDEXED, HDB_KWF_RESERVED) X(INITIALLY, 0) X(INNER, HDB_KWF_JOIN)            \
    X(INSERT, HDB_KWF_RESERVED) X(INSTEAD, 0) X(INTERSECT, HDB_KWF_RESERVED)       \
    X(INTO, HDB_KWF_RESERVED) X(IS, HDB_KWF_RESERVED) X(ISNULL, HDB_KWF_RESERVED)  \
    X(JOIN, HDB_KWF_RESERVED) X(KEY, 0) X(LAST, 0) X(LEFT, HDB_KWF_JOIN) X(LIKE, 0) \
    X(LIMIT, HDB_KWF_RESERVED) X(LSN, 0) X(MATCH, 0) X(MATERIALIZED, 0)            \
    X(MERGE, 0) X(NATURAL, HDB_KWF_JOIN) X(NO, 0) X(NOT, HDB_KWF_RESERVED)         \
    X(NOTHING, HDB_KWF_RESERVED) X(NOTNULL, HDB_KWF_RESERVED)                      \
    X(NULL, HDB_KWF_RESERVED) X(NULLS, 0) X(OF, 0) X(OFFSET, 0)                    \
    X(ON, HDB_KWF_RESERVED) X(ONLY, 0) X(OR, HDB_KWF_RESERVED)                     \
    X(ORDER, HDB_KWF_RESERVED) X(OTHERS, 0) X(OURS, 0) X(OUTER, HDB_KWF_JOIN)      \
    X(OVER, 0) X(PARTITION, 0) X(PLAN, 0) X(PRAGMA, 0) X(PRECEDING, 0)             \
    X(PRIMARY, HDB_KWF_RESERVED) X(QUERY, 0) X(RAISE, 0) X(RANGE, 0) X(READ, 0)    \
    X(RECURSIVE, 0) X(REFERENCES, HDB_KWF_RESERVED) X(REGEXP, 0) X(REINDEX, 0)     \
    X(RELEASE, 0) X(RENAME, 0) X(REPLACE, 0) X(RESTRICT, 0)                        \
    X(RETURNING, HDB_KWF_RESERVED) X(RIGHT, HDB_KWF_JOIN) X(ROLLBACK, 0) X(ROW, 0) \
    X(ROWS, 0) X(RUN, 0) X(SAVEPOINT, 0) X(SELECT, HDB_KWF_RESERVED)               \
    X(SET, HDB_KWF_RESERVED) X(SHOW, 0) X(STRICT, 0) X(TABLE, HDB_KWF_RESERVED)    \
    X(TEMP, 0) X(TEMPORARY, 0) X(THEIRS, 0) X(THEN, HDB_KWF_RESERVED) X(TIES, 0)   \
    X(TIMESTAMP, 0) X(TO, HDB_KWF_RESERVED) X(TRANSACTION, HDB_KWF_RESERVED)       \
    X(TRIGGER, 0) X(TRUE, 0) X(UNBOUNDED, 0) X(UNION, HDB_KWF_RESERVED)            \
    X(UNIQUE, HDB_KWF_RESERVED) X(UPDATE, HDB_KWF_RESERVED) X(USE, 0)              \
    X(USING, HDB_KWF_RESERVED) X(VACUUM, 0) X(VALUES, HDB_KWF_RESERVED) X(VIEW, 0) \
    X(VIRTUAL, 0) X(WHEN, HDB_KWF_RESERVED) X(WHERE, HDB_KWF_RESERVED)             \
    X(WINDOW, 0) X(WITH, 0) X(WITHOUT, 0) X(WRITE, 0)

#define HDB_KW_ENUM_(name, flags) HDB_KW_##name,
enum {
    HDB_KW_NONE = 0, /* not a keyword (or a quoted identifier) */
    HDB_SQL_KEYWORDS(HDB_KW_ENUM_)
    HDB_KW__COUNT
};
#undef HDB_KW_ENUM_

typedef struct hdb_sql_token {
    int type;   /* HDB_TK_* */
    int kw;     /* HDB_TK_ID of a bare word: its HDB_KW_* (HDB_KW_NONE if none) */
    char quote; /* HDB_TK_ID: '"', '[' or '`' when quoted, else 0 */
    size_t pos; /* byte offset of the first byte in the input */
    size_t len; /* bytes; 0 only for HDB_TK_EOF */
} hdb_sql_token;

/* Scan the token that starts at z[pos] (0 <= pos <= n) into *t.  Never reads
 * z[n] or beyond; z may be NULL when n == 0. */
void hdb__sql_token_scan(const char *z, size_t n, size_t pos, hdb_sql_token *t);

/* The next token at or after *pos that is not whitespace or a comment;
 * *pos moves past it.  Returns its type. */
int hdb__sql_token_next(const char *z, size_t n, size_t *pos, hdb_sql_token *t);

/* The HDB_KW_* of z[0..n) compared without case, or HDB_KW_NONE. */
int hdb__sql_keyword(const char *z, size_t n);
/* The upper-case spelling of a keyword ("SELECT"); "?" for a bad code. */
const char *hdb__sql_keyword_name(int kw);
/* HDB_KWF_* of a keyword (0 for HDB_KW_NONE). */
int hdb__sql_keyword_flags(int kw);
/* A short name of a token type ("identifier", "'('"), for messages. */
const char *hdb__sql_token_name(int type);

/* Character classes shared with the parser (bytes >= 0x80 count as letters,
 * so UTF-8 identifiers pass through untouched). */
int hdb__sql_is_idstart(unsigned char c);
int hdb__sql_is_idchar(unsigned char c);

#endif
