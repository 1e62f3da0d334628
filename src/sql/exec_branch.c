/*
** exec_branch.c — the branch statements (ast.h): CREATE / USE / MERGE /
** DROP / ALTER BRANCH, SHOW BRANCHES, SHOW HISTORY, CHECKPOINT.
**
** MERGE BRANCH is exec_merge.c.
**
** RESULTS
**   SHOW BRANCHES: name, parent, read_only, fork_lsn, head_lsn, created_us,
**                  owned_bytes, shared_bytes, description, current
**   SHOW HISTORY:  lsn, time_us, branch
**   MERGE BRANCH:  added, changed, deleted, conflicts, fast_forward
**
** These statements run outside transactions: inside BEGIN they fail.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "src/sql/exec.h"

static const char *const br_cols[] = {"name", "parent", "read_only", "fork_lsn", "head_lsn",
                                      "created_us", "owned_bytes", "shared_bytes", "description",
                                      "current"};
static const char *const hist_cols[] = {"lsn", "time_us", "branch"};

static int nomem(xctx *x) { return hdb__sql_err(x, HDB_NOMEM, "out of memory"); }

static int api_err(xctx *x, int rc)
{
    return rc == HDB_OK ? HDB_OK : hdb__sql_err(x, rc, "%s", hdb_errmsg(x->db));
}

/* "YYYY-MM-DD[ HH:MM[:SS[.fff]]]" (UTC) to µs since 1970; -1 if malformed. */
static int64_t parse_time(const char *s)
{
    int y, mo, d, h = 0, mi = 0, n = 0;
    double sec = 0;
    if (sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n) < 3)
        return -1;
    const char *p = s + n;
    if (*p == ' ' || *p == 'T') {
        n = 0;
        if (sscanf(p + 1, "%d:%d%n", &h, &mi, &n) < 2)
            return -1;
        p += 1 + n;
        if (*p == ':') {
            n = 0;
            if (sscanf(p + 1, "%lf%n", &sec, &n) < 1)
                return -1;
            p += 1 + n;
        }
    }
    if (*p && *p != 'Z')
        return -1;
    if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || !(sec >= 0 && sec < 61))
        return -1;
    /* days from civil (Howard Hinnant's algorithm) */
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    return ((days * 86400 + h * 3600 + mi * 60) * 1000000) + (int64_t)(sec * 1e6);
}

static int add_row(xctx *x, xrows *out, hdb_sql_value *row, int n)
{
    return hdb__sql_rows_add(out, row, n) == HDB_OK ? HDB_OK : nomem(x);
}

static int text(hdb_sql_value *v, const char *s)
{
    if (!s)
        return HDB_OK;
    return hdb__sql_value_text(v, s, strlen(s));
}

static int show_branches(xctx *x, xrows *out)
{
    hdb_branch_info *b;
    size_t n;
    int rc = api_err(x, hdb_branch_list(x->db, &b, &n));
    if (rc != HDB_OK)
        return rc;
    out->ncol = 10;
    const char *cur = hdb_branch_current(x->db);
    for (size_t i = 0; i < n && rc == HDB_OK; i++) {
        hdb_sql_value *r = hdb__sql_row_new(10);
        if (!r) {
            rc = nomem(x);
            break;
        }
        if (text(&r[0], b[i].name) || text(&r[1], b[i].parent[0] ? b[i].parent : NULL) ||
            text(&r[8], b[i].description))
            rc = nomem(x);
        hdb__sql_value_int(&r[2], b[i].read_only);
        hdb__sql_value_int(&r[3], (int64_t)b[i].fork_lsn);
        hdb__sql_value_int(&r[4], (int64_t)b[i].head_lsn);
        hdb__sql_value_int(&r[5], b[i].created_us);
        hdb__sql_value_int(&r[6], (int64_t)b[i].owned_bytes);
        hdb__sql_value_int(&r[7], (int64_t)b[i].shared_bytes);
        hdb__sql_value_int(&r[9], cur && !strcmp(cur, b[i].name));
        if (rc == HDB_OK)
            rc = add_row(x, out, r, 10);
        else
            hdb__sql_row_free(r, 10);
    }
    hdb_branch_list_free(b, n);
    return rc;
}

static int show_history(xctx *x, hdb_sql_branch *b, xrows *out)
{
    hdb_history_entry *h;
    size_t n;
    int rc = api_err(x, hdb_history_list(x->db, b->name, &h, &n));
    if (rc != HDB_OK)
        return rc;
    out->ncol = 3;
    for (size_t i = 0; i < n && rc == HDB_OK; i++) {
        hdb_sql_value *r = hdb__sql_row_new(3);
        if (!r) {
            rc = nomem(x);
            break;
        }
        hdb__sql_value_int(&r[0], (int64_t)h[i].lsn);
        hdb__sql_value_int(&r[1], h[i].time_us);
        if (text(&r[2], h[i].branch)) {
            hdb__sql_row_free(r, 3);
            rc = nomem(x);
            break;
        }
        rc = add_row(x, out, r, 3);
    }
    hdb_free(h);
    return rc;
}

static int create_branch(xctx *x, hdb_sql_branch *b)
{
    hdb_branch_opts o;
    memset(&o, 0, sizeof o);
    o.description = b->comment;
    o.read_only = b->read_only;
    if (b->as_of == HDB_SQL_ASOF_LSN)
        o.as_of_lsn = b->lsn;
    if (b->as_of == HDB_SQL_ASOF_TIMESTAMP) {
        o.as_of_time_us = parse_time(b->timestamp);
        if (o.as_of_time_us <= 0)
            return hdb__sql_err(x, HDB_ERROR, "malformed timestamp: '%s'", b->timestamp);
    }
    int rc = hdb_branch_create(x->db, b->name, b->from, &o);
    if (rc == HDB_EXISTS && b->if_exists)
        return HDB_OK;
    return api_err(x, rc);
}

int hdb__sql_exec_branch(xctx *x, hdb_sql_stmt *st, xrows *out, char ***names, int *ncol)
{
    hdb_sql_branch *b = &st->u.branch;
    if (x->c->explicit_txn || x->db->txn)
        return hdb__sql_err(x, HDB_ERROR, "cannot run %s within a transaction",
                            hdb__sql_stmt_name(st->kind));
    *ncol = 0;
    out->ncol = 0;
    switch (st->kind) {
    case HDB_SQL_S_CREATE_BRANCH: return create_branch(x, b);
    case HDB_SQL_S_USE_BRANCH: return api_err(x, hdb_branch_use(x->db, b->name));
    case HDB_SQL_S_DROP_BRANCH: {
        int rc = hdb_branch_drop(x->db, b->name);
        if (rc == HDB_NOTFOUND && b->if_exists)
            return HDB_OK;
        return api_err(x, rc);
    }
    case HDB_SQL_S_ALTER_BRANCH:
        return api_err(x, hdb_branch_set_read_only(x->db, b->name, b->read_only));
    case HDB_SQL_S_CHECKPOINT: return api_err(x, hdb_checkpoint(x->db));
    case HDB_SQL_S_SHOW_BRANCHES:
        *names = (char **)br_cols;
        *ncol = 10;
        return show_branches(x, out);
    case HDB_SQL_S_SHOW_HISTORY:
        *names = (char **)hist_cols;
        *ncol = 3;
        return show_history(x, b, out);
    case HDB_SQL_S_MERGE_BRANCH:
        return hdb__sql_exec_merge(x, b, out, names, ncol);
    default:
        return hdb__sql_err(x, HDB_ERROR, "not a branch statement");
    }
}
