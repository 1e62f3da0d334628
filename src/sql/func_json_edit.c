/*
** func_json_edit.c — the JSON functions that edit a document: json_set,
** json_insert, json_replace and json_remove (SQLite 3.40's semantics).
**
** HOW IT WORKS
**   The (validated) document is turned into a small tree in an arena: a
**   leaf keeps the span of its JSON text, a container its children (and,
**   in an object, each child's key as written between the quotes).  Each
**   path is followed in the tree as SQLite follows it:
**     - ".key" on anything but an object, or a missing key, finds nothing;
**     - "[N]", "[#-N]" on an array finds element N; "[#]" (or N equal to
**       the length) is one past the end;
**     - a path that finds nothing can be created by json_set/json_insert
**       when the missing part is a key of an existing object or the end of
**       an existing array, and what follows it is only ".key" steps and
**       "[0]" steps (which create objects and one-element arrays).
**   Path errors are reported only where the path is actually read, as in
**   SQLite.  The tree is then written out minified.
**
** INVARIANTS
**   - The tree never points outside the document or the new values' text,
**     which live in the arena until the result is written.
**   - Recursion is bounded by the validator's nesting limit.
*/
#include <string.h>
#include "src/sql/ast.h"
#include "src/sql/func_int.h"

typedef struct jnode jnode;
struct jnode {
    char kind;         /* '[' or '{' for a container, 0 for a leaf */
    const char *text;  /* leaf: its JSON text */
    size_t len;
    const char *key;   /* in an object: the key as written between quotes */
    size_t nkey;
    int key_new;       /* the key came from a path: written escaped */
    int replaced;      /* a new value: paths do not go through it (SQLite 3.40) */
    jnode **kids;      /* container: the children */
    int nkids, cap;
};

enum { EDIT_REMOVE, EDIT_REPLACE, EDIT_INSERT, EDIT_SET };

/* ---- the tree -------------------------------------------------------------------- */

static jnode *new_node(hdb_sql_arena *a, char kind)
{
    jnode *x = hdb__sql_arena_alloc(a, sizeof *x);
    if (x)
        memset(x, 0, sizeof *x), x->kind = kind;
    return x;
}

static int add_kid(hdb_sql_arena *a, jnode *parent, jnode *kid)
{
    if (parent->nkids == parent->cap) {
        int cap = parent->cap ? 2 * parent->cap : 4;
        jnode **k = hdb__sql_arena_alloc(a, (size_t)cap * sizeof *k);
        if (!k)
            return 0;
        if (parent->nkids)
            memcpy(k, parent->kids, (size_t)parent->nkids * sizeof *k);
        parent->kids = k, parent->cap = cap;
    }
    parent->kids[parent->nkids++] = kid;
    return 1;
}

/* The value at p[*k] (valid JSON, no leading space) as a tree. */
static jnode *build(hdb_sql_arena *a, const char *p, size_t n, size_t *k)
{
    if (p[*k] != '[' && p[*k] != '{') {
        jnode *leaf = new_node(a, 0);
        size_t s = *k;
        hdb__sql_json_skip(p, n, k);
        if (leaf)
            leaf->text = p + s, leaf->len = *k - s;
        return leaf;
    }
    jnode *x = new_node(a, p[*k]);
    char close = p[*k] == '[' ? ']' : '}';
    *k = hdb__sql_json_ws(p, n, *k + 1);
    while (x && *k < n && p[*k] != close) {
        const char *key = NULL;
        size_t nkey = 0;
        if (close == '}') {
            size_t ks = *k;
            hdb__sql_json_skip(p, n, k);
            key = p + ks + 1, nkey = *k - ks - 2;
            *k = hdb__sql_json_ws(p, n, hdb__sql_json_ws(p, n, *k) + 1); /* past ':' */
        }
        jnode *kid = build(a, p, n, k);
        if (!kid || !add_kid(a, x, kid))
            return NULL;
        kid->key = key, kid->nkey = nkey;
        *k = hdb__sql_json_ws(p, n, *k);
        if (*k < n && p[*k] == ',')
            *k = hdb__sql_json_ws(p, n, *k + 1);
    }
    (*k)++;
    return x;
}

static void write_tree(hdb_buf *b, const jnode *x)
{
    if (!x->kind) {
        hdb__sql_json_minify(b, x->text, 0, x->len);
        return;
    }
    hdb__buf_append(b, x->kind == '[' ? "[" : "{", 1);
    for (int i = 0; i < x->nkids; i++) {
        if (i)
            hdb__buf_append(b, ",", 1);
        const jnode *kid = x->kids[i];
        if (x->kind == '{' && kid->key_new) {
            hdb__sql_json_quote(b, kid->key, kid->nkey);
            hdb__buf_append(b, ":", 1);
        } else if (x->kind == '{') {
            hdb__buf_append(b, "\"", 1);
            hdb__buf_append(b, kid->key, kid->nkey);
            hdb__buf_append(b, "\":", 2);
        }
        write_tree(b, x->kids[i]);
    }
    hdb__buf_append(b, x->kind == '[' ? "]" : "}", 1);
}

/* ---- paths -------------------------------------------------------------------------- */

/* A ".key" step at path[*i] ('.' seen): the key; 0 if malformed. */
static int path_key(const char *path, size_t np, size_t *i, const char **key, size_t *nk)
{
    size_t k = *i + 1;
    if (k < np && path[k] == '"') {
        const char *end = memchr(path + k + 1, '"', np - k - 1);
        if (!end)
            return 0;
        *key = path + k + 1, *nk = (size_t)(end - *key);
        *i = (size_t)(end - path) + 1;
        return 1;
    }
    *key = path + k;
    while (k < np && path[k] != '.' && path[k] != '[')
        k++;
    *nk = (size_t)(path + k - *key);
    *i = k;
    return *nk > 0;
}

/* A "[N]", "[#]" or "[#-N]" step at path[*i] for an array of count
 * elements: the index (count for one past the end); 0 if malformed. */
static int path_index(const char *path, size_t np, size_t *i, int count, int64_t *idx)
{
    size_t k = *i + 1;
    int64_t v = 0, from_end = 0;
    if (k < np && path[k] == '#') {
        from_end = 1, k++;
        if (k < np && path[k] == '-')
            k++;
        else if (k >= np || path[k] != ']')
            return 0;
    }
    size_t d0 = k;
    while (k < np && path[k] >= '0' && path[k] <= '9' && v < ((int64_t)1 << 40))
        v = v * 10 + (path[k++] - '0');
    if ((k == d0 && !(from_end && path[k - 1] == '#')) || k >= np || path[k] != ']')
        return 0;
    *idx = from_end ? count - v : v;
    *i = k + 1;
    return 1;
}

static int path_error(hdb_sql_fctx *ctx, const char *at, size_t n)
{
    hdb__sql_func_error(ctx, "JSON path error near '%.*s'", (int)(n > 100 ? 100 : n), at);
    return -1;
}

/* What a missing path path[i..np) creates around value: objects for ".key"
 * steps, one-element arrays for "[0]" steps.  NULL if it cannot (*err set
 * to -1 for a malformed key). */
static jnode *create_chain(hdb_sql_fctx *ctx, hdb_sql_arena *a, const char *path, size_t np, size_t i,
                           jnode *value, int *err)
{
    if (i >= np)
        return value;
    const char *key = NULL;
    size_t nk = 0, at = i;
    jnode *x;
    if (path[i] == '.') {
        if (!path_key(path, np, &i, &key, &nk)) {
            *err = path_error(ctx, path + at + 1, np - at - 1);
            return NULL;
        }
        x = new_node(a, '{');
    } else if (np - i >= 3 && memcmp(path + i, "[0]", 3) == 0) {
        i += 3;
        x = new_node(a, '[');
    } else {
        return NULL;
    }
    jnode *kid = create_chain(ctx, a, path, np, i, value, err);
    if (!x || !kid || !add_kid(a, x, kid))
        return NULL;
    kid->key = key, kid->nkey = nk, kid->key_new = 1;
    return x;
}

/* Apply one edit (mode) at path to *root; value for the modes that set.
 * 1 done (or nothing to do), 2 the root itself was replaced, 3 the root
 * was removed (the tree is kept: later paths are still checked), -1 error. */
static int edit(hdb_sql_fctx *ctx, hdb_sql_arena *a, jnode **root, const char *path, size_t np, int mode,
                jnode *value)
{
    jnode **slot = root, *parent = NULL;
    int at_index = 0;
    size_t i = 1;
    if (np == 0 || path[0] != '$')
        return path_error(ctx, path, np);
    while (i < np) {
        jnode *cur = *slot;
        size_t at = i;
        if (cur->replaced)
            return 1;
        const char *key = NULL;
        size_t nk = 0;
        int64_t idx = -1, found = -1;
        if (path[i] == '.') {
            if (cur->kind != '{')
                return 1;
            if (!path_key(path, np, &i, &key, &nk))
                return path_error(ctx, path + at + 1, np - at - 1);
            for (int k = 0; k < cur->nkids && found < 0; k++)
                if (cur->kids[k]->nkey == nk && memcmp(cur->kids[k]->key, key, nk) == 0)
                    found = k;
        } else if (path[i] == '[') {
            if (i + 1 < np && path[i + 1] == '#' && cur->kind != '[')
                return 1;
            if (!path_index(path, np, &i, cur->nkids, &idx))
                return path_error(ctx, path + at, np - at);
            if (cur->kind != '[' || idx < 0 || idx > cur->nkids)
                return 1;
            found = idx < cur->nkids ? idx : -1;
        } else {
            return path_error(ctx, path + at, np - at);
        }
        if (found < 0) { /* missing: create it for set and insert */
            int err = 0;
            if (mode != EDIT_SET && mode != EDIT_INSERT)
                return 1;
            jnode *x = create_chain(ctx, a, path, np, i, value, &err);
            if (err)
                return -1;
            if (!x)
                return 1;
            if (!add_kid(a, cur, x))
                return hdb__sql_func_error(ctx, "out of memory");
            x->key = key, x->nkey = nk, x->key_new = 1;
            return 1;
        }
        parent = cur, at_index = (int)found;
        slot = &cur->kids[found];
    }
    if (mode == EDIT_INSERT)
        return 1;
    if (mode != EDIT_REMOVE) {
        value->key = (*slot)->key, value->nkey = (*slot)->nkey, value->key_new = (*slot)->key_new;
        *slot = value;
        return parent ? 1 : 2;
    } else if (!parent) {
        return 3;
    } else {
        memmove(&parent->kids[at_index], &parent->kids[at_index + 1],
                (size_t)(parent->nkids - at_index - 1) * sizeof(jnode *));
        parent->nkids--;
    }
    return 1;
}

/* ---- the functions -------------------------------------------------------------------- */

/* A leaf holding the JSON of v (in the arena); NULL with an error for a BLOB. */
static jnode *value_node(hdb_sql_fctx *ctx, hdb_sql_arena *a, const hdb_sql_value *v)
{
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    if (!hdb__sql_json_append(&b, v)) {
        hdb__buf_free(&b);
        hdb__sql_func_error(ctx, "JSON cannot hold BLOB values");
        return NULL;
    }
    jnode *x = b.oom ? NULL : new_node(a, 0);
    if (x) {
        x->replaced = 1;
        x->text = hdb__sql_arena_strndup(a, b.data, b.len);
        x->len = b.len;
        if (!x->text)
            x = NULL;
    }
    hdb__buf_free(&b);
    if (!x)
        hdb__sql_func_error(ctx, "out of memory");
    return x;
}

static int run_edits(hdb_sql_fctx *ctx, hdb_sql_arena *a, int argc, hdb_sql_value *argv, int mode,
                     hdb_sql_value *out)
{
    char tmp[40], tp[40];
    const char *p;
    size_t n, vs, ve, np;
    int rc = hdb__sql_json_doc(ctx, &argv[0], tmp, &p, &n, &vs, &ve);
    hdb__sql_value_clear(out);
    if (rc <= 0)
        return rc < 0 ? HDB_ERROR : HDB_OK;
    size_t k = vs;
    jnode *root = build(a, p, n, &k);
    if (!root)
        return HDB_NOMEM;
    int step = mode == EDIT_REMOVE ? 1 : 2, root_arg = 0, removed = 0;
    for (int i = 1; i < argc; i += step) {
        const char *path = hdb__sql_func_text(&argv[i], tp, &np);
        if (!path) {
            if (mode == EDIT_REMOVE)
                return HDB_OK; /* SQLite: a NULL path makes json_remove() NULL */
            continue;
        }
        jnode *value = NULL;
        if (mode != EDIT_REMOVE && !(value = value_node(ctx, a, &argv[i + 1])))
            return HDB_ERROR;
        rc = edit(ctx, a, &root, path, np, mode, value);
        if (rc < 0)
            return HDB_ERROR;
        if (rc == 2)
            root_arg = i + 1;
        removed |= rc == 3;
    }
    if (removed) /* json_remove(X, '$') is NULL */
        return HDB_OK;
    if (root_arg) /* SQLite 3.40 then returns that argument itself */
        return hdb__sql_value_copy(out, &argv[root_arg]);
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    write_tree(&b, root);
    return hdb__sql_json_take(out, &b);
}

static int edit_fn(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out, int mode,
                   const char *name)
{
    if (mode != EDIT_REMOVE && !(argc & 1))
        return hdb__sql_func_error(ctx, "%s() needs an odd number of arguments", name);
    hdb_sql_arena a;
    hdb__sql_arena_init(&a, NULL);
    int rc = run_edits(ctx, &a, argc, argv, mode, out);
    hdb__sql_arena_free(&a);
    return rc;
}

static int fn_json_remove(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return edit_fn(ctx, argc, argv, out, EDIT_REMOVE, "json_remove");
}

static int fn_json_replace(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return edit_fn(ctx, argc, argv, out, EDIT_REPLACE, "json_replace");
}

static int fn_json_insert(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return edit_fn(ctx, argc, argv, out, EDIT_INSERT, "json_insert");
}

static int fn_json_set(hdb_sql_fctx *ctx, int argc, hdb_sql_value *argv, hdb_sql_value *out)
{
    return edit_fn(ctx, argc, argv, out, EDIT_SET, "json_set");
}

const hdb_sql_funcdef hdb__sql_funcs_json_edit[] = {
    {"json_remove", 1, -1, fn_json_remove, NULL, 1},
    {"json_replace", 1, -1, fn_json_replace, NULL, 1},
    {"json_insert", 1, -1, fn_json_insert, NULL, 1},
    {"json_set", 1, -1, fn_json_set, NULL, 1},
    {NULL, 0, 0, NULL, NULL, 0},
};
