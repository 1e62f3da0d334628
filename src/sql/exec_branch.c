/*
** exec_branch.c — the branch statements (ast.h): CREATE / USE / MERGE /
** DROP / ALTER BRANCH, SHOW BRANCHES, SHOW HISTORY, CHECKPOINT.
**
** MERGE AND ROWS
**   MERGE BRANCH registers a resolve hook with hdb_branch_merge.  When the
**   same row of a table was changed on both sides, the three records
**   (base, ours, theirs) are merged cell by cell: a column changed on one
**   side only takes that side's value; a column changed on both sides to
**   different values, or a row deleted on one side and changed on the
**   other, is a conflict.  A conflict in the catalog keyspace (the schema
**   changed on both sides, which always rewrites its version key) is a
**   schema conflict and never merged.  AUTOINCREMENT sequences ("__seq")
**   take the larger value.  With USING OURS / THEIRS, what cannot be merged
**   takes that side.  The indexes of every table with such a row are then
**   rebuilt on the target (each side's index entries for the other's values
**   would otherwise remain).
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

/* Tables whose indexes are rebuilt after a merge, at most (then all). */
#define HDB_SQL_MAX_TOUCHED 64

static const char *const br_cols[] = {"name", "parent", "read_only", "fork_lsn", "head_lsn",
                                      "created_us", "owned_bytes", "shared_bytes", "description",
                                      "current"};
static const char *const hist_cols[] = {"lsn", "time_us", "branch"};
static const char *const merge_cols[] = {"added", "changed", "deleted", "conflicts", "fast_forward"};

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

/* ---- the row-level merge hook --------------------------------------------------- */

typedef struct mergectx {
    int policy;
    hdb_buf out;
    int ntouched;            /* table keyspaces with a row merged or resolved */
    char touched[HDB_SQL_MAX_TOUCHED][HDB_MAX_KS_NAME + 1];
    int overflow;            /* more than that: rebuild every table's indexes */
} mergectx;

static int give_up(mergectx *m)
{
    return m->policy == HDB_MERGE_OURS     ? HDB_RESOLVE_OURS
           : m->policy == HDB_MERGE_THEIRS ? HDB_RESOLVE_THEIRS
                                           : HDB_RESOLVE_CONFLICT;
}

static int same(const hdb_sql_value *a, const hdb_sql_value *b)
{
    if (a->type != b->type)
        return 0;
    if (a->type == HDB_NULL)
        return 1;
    if (a->type == HDB_TEXT || a->type == HDB_BLOB)
        return a->u.s.n == b->u.s.n && (!a->u.s.n || !memcmp(a->u.s.p, b->u.s.p, a->u.s.n));
    return hdb__sql_value_cmp(a, b, HDB_COLL_BINARY) == 0;
}

#define MERGE_MAXCOL 2000

static void touch(mergectx *m, const char *ks)
{
    for (int i = 0; i < m->ntouched; i++)
        if (!strcmp(m->touched[i], ks))
            return;
    if (m->ntouched == HDB_SQL_MAX_TOUCHED) {
        m->overflow = 1;
        return;
    }
    snprintf(m->touched[m->ntouched++], HDB_MAX_KS_NAME + 1, "%s", ks);
}

static int cell_merge(mergectx *m, const hdb_val *base, const hdb_val *ours, const hdb_val *theirs,
                      hdb_val *out)
{
    int nb = hdb__sql_record_ncol(base->data, base->size);
    int no = hdb__sql_record_ncol(ours->data, ours->size);
    int nt = hdb__sql_record_ncol(theirs->data, theirs->size);
    if (nb < 0 || no < 0 || nt < 0 || nb > MERGE_MAXCOL || no > MERGE_MAXCOL || nt > MERGE_MAXCOL)
        return give_up(m);
    int n = nb > no ? nb : no;
    n = n > nt ? n : nt;
    hdb_sql_value *vb = hdb__sql_row_new(n), *vo = hdb__sql_row_new(n), *vt = hdb__sql_row_new(n),
                  *res = hdb__sql_row_new(n);
    int how = HDB_RESOLVE_MERGED, s;
    if (!vb || !vo || !vt || !res ||
        hdb__sql_record_decode(base->data, base->size, vb, n, &s) != HDB_OK ||
        hdb__sql_record_decode(ours->data, ours->size, vo, n, &s) != HDB_OK ||
        hdb__sql_record_decode(theirs->data, theirs->size, vt, n, &s) != HDB_OK)
        how = give_up(m);
    for (int j = 0; j < n && how == HDB_RESOLVE_MERGED; j++) {
        if (same(&vo[j], &vb[j]))
            res[j] = vt[j];
        else if (same(&vt[j], &vb[j]) || same(&vo[j], &vt[j]))
            res[j] = vo[j];
        else
            how = give_up(m);
        res[j].owned = 0;
    }
    if (how == HDB_RESOLVE_MERGED) {
        hdb__buf_reset(&m->out);
        hdb__sql_record_encode(&m->out, res, n);
        if (m->out.oom)
            how = give_up(m);
        else
            *out = (hdb_val){m->out.data, m->out.len};
    }
    free(res); /* borrowed values only */
    hdb__sql_row_free(vb, vb ? n : 0);
    hdb__sql_row_free(vo, vo ? n : 0);
    hdb__sql_row_free(vt, vt ? n : 0);
    return how;
}

static int resolve_row(void *ctx, const char *keyspace, hdb_val key, const hdb_val *base,
                       const hdb_val *ours, const hdb_val *theirs, hdb_val *out)
{
    mergectx *m = ctx;
    (void)key;
    if (!strcmp(keyspace, HDB_SQL_CATALOG_KS))
        return m->policy == HDB_MERGE_ABORT ? HDB_RESOLVE_CONFLICT : give_up(m);
    if (!strcmp(keyspace, HDB_SQL_SEQ_KS) && ours && theirs) { /* the larger sequence */
        hdb_sql_value a = HDB_SQL_NULL_INIT, b = HDB_SQL_NULL_INIT;
        hdb__sql_record_column(ours->data, ours->size, 0, &a);
        hdb__sql_record_column(theirs->data, theirs->size, 0, &b);
        return a.type == HDB_INTEGER && b.type == HDB_INTEGER && a.u.i < b.u.i ? HDB_RESOLVE_THEIRS
                                                                              : HDB_RESOLVE_OURS;
    }
    int is_table = keyspace[0] == 't' && !strchr(keyspace, '_');
    if (is_table)
        touch(m, keyspace);
    if (!is_table || !base || !ours || !theirs)
        return give_up(m);
    return cell_merge(m, base, ours, theirs, out);
}

/* A row merged cell by cell, or taken whole from one side by a policy,
 * leaves each side's index entries for the values the other side had: the
 * indexes of the tables concerned are rebuilt from their rows on dst, in
 * one more transaction on dst. */
static int rebuild_indexes(xctx *x, const char *dst, mergectx *m)
{
    char cur[HDB_MAX_BRANCH_NAME + 1];
    snprintf(cur, sizeof cur, "%s", hdb_branch_current(x->db));
    int rc = strcmp(cur, dst) ? hdb_branch_use(x->db, dst) : HDB_OK;
    if (rc != HDB_OK)
        return api_err(x, rc);
    hdb_txn *t;
    rc = hdb_txn_begin(x->db, 0, &t);
    if (rc != HDB_OK) {
        api_err(x, rc);
    } else {
        x->t = t;
        rc = hdb__sql_schema_sync(x);
        for (int i = 0; rc == HDB_OK && i < x->schema->ntab; i++) {
            hdb_sql_table *tb = x->schema->tab[i];
            int hit = m->overflow;
            for (int k = 0; k < m->ntouched && !hit; k++)
                hit = !strcmp(m->touched[k], tb->ks);
            for (hdb_sql_index *ix = hit ? tb->indexes : NULL; ix && rc == HDB_OK; ix = ix->next) {
                rc = hdb_ks_drop(t, ix->ks);
                if (rc == HDB_NOTFOUND)
                    rc = HDB_OK;
                if (rc == HDB_OK)
                    rc = hdb__sql_index_fill(x, ix, 0);
            }
        }
        x->t = NULL;
        if (rc == HDB_OK)
            rc = api_err(x, hdb_txn_commit(t));
        else
            hdb_txn_abort(t);
    }
    if (strcmp(cur, dst))
        hdb_branch_use(x->db, cur);
    return rc;
}

static int merge_branch(xctx *x, hdb_sql_branch *b, xrows *out)
{
    mergectx m;
    memset(&m, 0, sizeof m);
    m.policy = b->policy;
    hdb__buf_init(&m.out, NULL);
    hdb_merge_opts o;
    memset(&o, 0, sizeof o);
    o.policy = b->policy;
    o.dry_run = b->dry_run;
    o.resolve = resolve_row;
    o.resolve_ctx = &m;
    hdb_merge_result *r = NULL;
    int rc = hdb_branch_merge(x->db, b->name, b->from, &o, &r);
    hdb__buf_free(&m.out);
    if (rc == HDB_OK && !b->dry_run && (m.ntouched || m.overflow))
        rc = rebuild_indexes(x, b->from, &m);
    else if (rc != HDB_OK)
        api_err(x, rc);
    if (rc != HDB_OK) {
        hdb_merge_result_free(r);
        return rc;
    }
    out->ncol = 5;
    hdb_sql_value *row = hdb__sql_row_new(5);
    if (!row) {
        hdb_merge_result_free(r);
        return nomem(x);
    }
    hdb__sql_value_int(&row[0], r ? (int64_t)r->added : 0);
    hdb__sql_value_int(&row[1], r ? (int64_t)r->changed : 0);
    hdb__sql_value_int(&row[2], r ? (int64_t)r->deleted : 0);
    hdb__sql_value_int(&row[3], r ? (int64_t)r->nconflicts : 0);
    hdb__sql_value_int(&row[4], r ? r->fast_forward : 0);
    hdb_merge_result_free(r);
    return add_row(x, out, row, 5);
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
        *names = (char **)merge_cols;
        *ncol = 5;
        return merge_branch(x, b, out);
    default:
        return hdb__sql_err(x, HDB_ERROR, "not a branch statement");
    }
}
