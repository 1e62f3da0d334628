/*
** token.c — the SQL tokenizer (see token.h for the rules it implements).
**
** HOW IT WORKS
**   scan() looks at the first byte and hands over to one small reader per
**   token class.  Each reader is given the bounds explicitly and returns the
**   token's length, so no reader can run past the input.  Keywords are found
**   by a binary search of the sorted table that HDB_SQL_KEYWORDS generates.
*/
#include <string.h>
#include "src/sql/token.h"

#define KW_NAME_(name, flags) #name,
static const char *const kw_names[HDB_KW__COUNT] = {"", HDB_SQL_KEYWORDS(KW_NAME_)};
#undef KW_NAME_
#define KW_FLAGS_(name, flags) flags,
static const unsigned char kw_flags[HDB_KW__COUNT] = {0, HDB_SQL_KEYWORDS(KW_FLAGS_)};
#undef KW_FLAGS_

/* The longest keyword, CURRENT_TIMESTAMP, has 17 bytes. */
#define KW_MAXLEN 17

int hdb__sql_is_idstart(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

int hdb__sql_is_idchar(unsigned char c)
{
    return hdb__sql_is_idstart(c) || (c >= '0' && c <= '9') || c == '$';
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '\v';
}

static unsigned char upper(unsigned char c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }

int hdb__sql_keyword(const char *z, size_t n)
{
    char up[KW_MAXLEN + 1];
    if (n == 0 || n > KW_MAXLEN)
        return HDB_KW_NONE;
    for (size_t i = 0; i < n; i++)
        up[i] = (char)upper((unsigned char)z[i]);
    up[n] = 0;
    int lo = 1, hi = HDB_KW__COUNT - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(up, kw_names[mid]);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return HDB_KW_NONE;
}

const char *hdb__sql_keyword_name(int kw)
{
    return kw > 0 && kw < HDB_KW__COUNT ? kw_names[kw] : "?";
}

int hdb__sql_keyword_flags(int kw)
{
    return kw > 0 && kw < HDB_KW__COUNT ? kw_flags[kw] : 0;
}

const char *hdb__sql_token_name(int type)
{
    static const char *const names[HDB_TK__COUNT] = {
        "end of input", "whitespace", "comment", "illegal token", "identifier",
        "string", "blob", "integer", "real number", "parameter", "'('", "')'", "';'",
        "','", "'.'", "'+'", "'-'", "'*'", "'/'", "'%'", "'='", "'!='", "'<'", "'<='",
        "'>'", "'>='", "'<<'", "'>>'", "'&'", "'|'", "'~'", "'||'", "'->'", "'->>'"};
    return type >= 0 && type < HDB_TK__COUNT ? names[type] : "?";
}

/* ---------------------------------------------------------------------------
** Readers.  Each gets the token's first byte at z[0] and m >= 1 bytes
** available, and returns the token's length (1..m); *type is set.
*/

/* '...' or "..." or `...` with the closing character doubled as escape; or
 * [...] with no escape.  Unterminated: the rest of the input, ILLEGAL.  A
 * NUL byte ends it unterminated (ILLEGAL up to the NUL, as in SQLite, for
 * which a NUL ends the text): no string or name holds one. */
static size_t read_quoted(const char *z, size_t m, int *type, int ok_type)
{
    char close = z[0] == '[' ? ']' : z[0];
    for (size_t i = 1; i < m; i++) {
        if (z[i] == 0) {
            *type = HDB_TK_ILLEGAL;
            return i;
        }
        if (z[i] != close)
            continue;
        if (close != ']' && i + 1 < m && z[i + 1] == close) {
            i++;
            continue;
        }
        *type = ok_type;
        return i + 1;
    }
    *type = HDB_TK_ILLEGAL;
    return m;
}

/* Digits, '.', exponent; or 0x hex.  Followed by an identifier character it
 * is ILLEGAL (that character and the rest of the word belong to it). */
static size_t read_number(const char *z, size_t m, int *type)
{
    size_t i = 0;
    *type = HDB_TK_INTEGER;
    if (m >= 2 && z[0] == '0' && (z[1] == 'x' || z[1] == 'X')) {
        for (i = 2; i < m && is_hex((unsigned char)z[i]); i++) {
        }
        if (i == 2)
            *type = HDB_TK_ILLEGAL;
    } else {
        while (i < m && is_digit((unsigned char)z[i]))
            i++;
        if (i < m && z[i] == '.') {
            *type = HDB_TK_FLOAT;
            for (i++; i < m && is_digit((unsigned char)z[i]); i++) {
            }
        }
        if (i < m && (z[i] == 'e' || z[i] == 'E')) {
            size_t j = i + 1;
            if (j < m && (z[j] == '+' || z[j] == '-'))
                j++;
            if (j < m && is_digit((unsigned char)z[j])) {
                while (j < m && is_digit((unsigned char)z[j]))
                    j++;
                i = j;
                *type = HDB_TK_FLOAT;
            } else {
                *type = HDB_TK_ILLEGAL; /* "1e", "1e+" */
                i = j;
            }
        }
    }
    if (i < m && hdb__sql_is_idchar((unsigned char)z[i])) {
        *type = HDB_TK_ILLEGAL;
        while (i < m && hdb__sql_is_idchar((unsigned char)z[i]))
            i++;
    }
    return i;
}

/* ?NNN, :name, @name, $name.  A lone ':', '@' or '$' is ILLEGAL. */
static size_t read_param(const char *z, size_t m, int *type)
{
    size_t i = 1;
    *type = HDB_TK_PARAM;
    if (z[0] == '?') {
        while (i < m && is_digit((unsigned char)z[i]))
            i++;
        return i;
    }
    while (i < m && hdb__sql_is_idchar((unsigned char)z[i]))
        i++;
    if (i == 1)
        *type = HDB_TK_ILLEGAL;
    return i;
}

/* X'hex': an even count of hex digits, then the quote.  Anything else up to
 * the closing quote (or the end) is one ILLEGAL token. */
static size_t read_blob(const char *z, size_t m, int *type)
{
    size_t i = 2;
    while (i < m && is_hex((unsigned char)z[i]))
        i++;
    if (i < m && z[i] == '\'' && (i - 2) % 2 == 0) {
        *type = HDB_TK_BLOB;
        return i + 1;
    }
    while (i < m && z[i] != '\'')
        i++;
    *type = HDB_TK_ILLEGAL;
    return i < m ? i + 1 : m;
}

static size_t read_comment(const char *z, size_t m, int *type)
{
    size_t i = 2;
    *type = HDB_TK_COMMENT;
    if (z[0] == '-') {
        while (i < m && z[i] != '\n')
            i++;
        return i < m ? i + 1 : m;
    }
    while (i + 1 < m && !(z[i] == '*' && z[i + 1] == '/'))
        i++;
    return i + 1 < m ? i + 2 : m;
}

/* Operators of one to three bytes; 0 if z[0] starts none. */
static size_t read_operator(const char *z, size_t m, int *type)
{
    char c1 = m > 1 ? z[1] : 0;
    switch (z[0]) {
    case '(': *type = HDB_TK_LP; return 1;
    case ')': *type = HDB_TK_RP; return 1;
    case ';': *type = HDB_TK_SEMI; return 1;
    case ',': *type = HDB_TK_COMMA; return 1;
    case '+': *type = HDB_TK_PLUS; return 1;
    case '*': *type = HDB_TK_STAR; return 1;
    case '/': *type = HDB_TK_SLASH; return 1;
    case '%': *type = HDB_TK_REM; return 1;
    case '&': *type = HDB_TK_BITAND; return 1;
    case '~': *type = HDB_TK_BITNOT; return 1;
    case '.': *type = HDB_TK_DOT; return 1;
    case '-':
        if (c1 == '>') {
            if (m > 2 && z[2] == '>') {
                *type = HDB_TK_PTR2;
                return 3;
            }
            *type = HDB_TK_PTR;
            return 2;
        }
        *type = HDB_TK_MINUS;
        return 1;
    case '=': *type = HDB_TK_EQ; return c1 == '=' ? 2 : 1;
    case '|':
        *type = c1 == '|' ? HDB_TK_CONCAT : HDB_TK_BITOR;
        return c1 == '|' ? 2 : 1;
    case '!':
        *type = c1 == '=' ? HDB_TK_NE : HDB_TK_ILLEGAL;
        return c1 == '=' ? 2 : 1;
    case '<':
        switch (c1) {
        case '=': *type = HDB_TK_LE; return 2;
        case '>': *type = HDB_TK_NE; return 2;
        case '<': *type = HDB_TK_LSHIFT; return 2;
        default: *type = HDB_TK_LT; return 1;
        }
    case '>':
        switch (c1) {
        case '=': *type = HDB_TK_GE; return 2;
        case '>': *type = HDB_TK_RSHIFT; return 2;
        default: *type = HDB_TK_GT; return 1;
        }
    default:
        return 0;
    }
}

static size_t read_word(const char *z, size_t m, hdb_sql_token *t)
{
    size_t i = 1;
    while (i < m && hdb__sql_is_idchar((unsigned char)z[i]))
        i++;
    t->type = HDB_TK_ID;
    t->kw = hdb__sql_keyword(z, i);
    return i;
}

/* The token at z[0], m >= 1 bytes available. */
static size_t scan(const char *z, size_t m, hdb_sql_token *t)
{
    unsigned char c = (unsigned char)z[0];
    char c1 = m > 1 ? z[1] : 0;
    size_t len;
    if (is_space(c)) {
        for (len = 1; len < m && is_space((unsigned char)z[len]); len++) {
        }
        t->type = HDB_TK_SPACE;
        return len;
    }
    if ((c == '-' && c1 == '-') || (c == '/' && c1 == '*'))
        return read_comment(z, m, &t->type);
    if (c == '\'')
        return read_quoted(z, m, &t->type, HDB_TK_STRING);
    if (c == '"' || c == '`' || c == '[') {
        len = read_quoted(z, m, &t->type, HDB_TK_ID);
        t->quote = (char)c;
        return len;
    }
    if (is_digit(c) || (c == '.' && is_digit((unsigned char)c1)))
        return read_number(z, m, &t->type);
    if (c == '?' || c == ':' || c == '@' || c == '$')
        return read_param(z, m, &t->type);
    if ((c == 'x' || c == 'X') && c1 == '\'')
        return read_blob(z, m, &t->type);
    if (hdb__sql_is_idstart(c))
        return read_word(z, m, t);
    len = read_operator(z, m, &t->type);
    if (len)
        return len;
    t->type = HDB_TK_ILLEGAL; /* NUL, '#', '^', '\\', '{', ... */
    return 1;
}

void hdb__sql_token_scan(const char *z, size_t n, size_t pos, hdb_sql_token *t)
{
    t->type = HDB_TK_EOF;
    t->kw = HDB_KW_NONE;
    t->quote = 0;
    t->pos = pos < n ? pos : n;
    t->len = 0;
    if (pos >= n)
        return;
    t->len = scan(z + pos, n - pos, t);
}

int hdb__sql_token_next(const char *z, size_t n, size_t *pos, hdb_sql_token *t)
{
    do {
        hdb__sql_token_scan(z, n, *pos, t);
        *pos = t->pos + t->len;
    } while (t->type == HDB_TK_SPACE || t->type == HDB_TK_COMMENT);
    return t->type;
}
