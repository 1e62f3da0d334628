/*
** plan.c — choosing the access path of each table source, and EXPLAIN
** QUERY PLAN's description of it.
**
** HOW IT CHOOSES
**   The conditions placed at a source (exec_compile.c) are the candidates
**   (for a LEFT JOIN source only its own ON conditions).  A usable term is
**   "column OP value" (OP one of = < <= > >=, or BETWEEN, or IN (list))
**   where the column belongs to this source and the value reads only
**   earlier sources, outer queries, parameters and constants, and where
**   SQLite's comparison rules would compare the stored value as is (the
**   column's collation, and no affinity applied to the column side).
**   Candidates: the rowid (or INTEGER PRIMARY KEY), and each index by the
**   longest prefix of its columns fixed by = followed by an IN or a range.
**   Score: rowid = beats everything; a unique index fully fixed by = next;
**   then more = columns, then IN, then a range; a full scan last.
**   Conditions whose terms all bound the chosen keys are not checked again
**   on each row (drop_decided).
**
** LIMITATIONS
**   Ranges are not used on DESC index columns; join order is chosen by a
**   greedy search with one level of look-ahead (no costs, no statistics).
*/
#include <stdio.h>
#include <string.h>
#include "src/sql/exec.h"

/* Does e read a source of its own core at join level lv or later (pos:
 * the level of each source, NULL for FROM order), or run a correlated
 * subquery? */
static int uses_src(const hdb_sql_expr *e, const int *pos, int lv);

static int uses_list(const hdb_sql_exprlist *l, const int *pos, int lv)
{
    for (int k = 0; k < l->n; k++)
        if (uses_src(l->a[k], pos, lv))
            return 1;
    return 0;
}

static int uses_src(const hdb_sql_expr *e, const int *pos, int lv)
{
    if (!e)
        return 0;
    const xref *r = e->aux;
    switch (e->kind) {
    case HDB_SQL_E_COLUMN:
        return r && ((r->kind == XR_COL && r->up == 0 && (pos ? pos[r->src] : r->src) >= lv) ||
                     r->kind == XR_ALIAS);
    case HDB_SQL_E_UNARY: case HDB_SQL_E_ISNULL: return uses_src(e->u.unary.x, pos, lv);
    case HDB_SQL_E_BINARY: return uses_src(e->u.binary.l, pos, lv) || uses_src(e->u.binary.r, pos, lv);
    case HDB_SQL_E_COLLATE: return uses_src(e->u.collate.x, pos, lv);
    case HDB_SQL_E_CAST: return uses_src(e->u.cast.x, pos, lv);
    case HDB_SQL_E_CASE:
        return uses_src(e->u.kase.operand, pos, lv) || uses_list(&e->u.kase.when, pos, lv) ||
               uses_list(&e->u.kase.then, pos, lv) || uses_src(e->u.kase.else_, pos, lv);
    case HDB_SQL_E_BETWEEN:
        return uses_src(e->u.between.x, pos, lv) || uses_src(e->u.between.lo, pos, lv) ||
               uses_src(e->u.between.hi, pos, lv);
    case HDB_SQL_E_IN:
        return uses_src(e->u.in.x, pos, lv) || uses_list(&e->u.in.list, pos, lv) || (r && r->correlated);
    case HDB_SQL_E_LIKE:
        return uses_src(e->u.like.x, pos, lv) || uses_src(e->u.like.pattern, pos, lv) ||
               uses_src(e->u.like.escape, pos, lv);
    case HDB_SQL_E_EXISTS: case HDB_SQL_E_SUBQUERY: return r && r->correlated;
    case HDB_SQL_E_FUNCTION:
        return uses_list(&e->u.func.args, pos, lv) || (r && r->fn && !r->fn->deterministic);
    case HDB_SQL_E_VECTOR: return uses_list(&e->u.list, pos, lv);
    default: return 0;
    }
}

/* Column of source i that e names (-1 = rowid), or -2 if e is not one. */
static int src_column(const hdb_sql_expr *e, int i)
{
    const xref *r = e->aux;
    if (e->kind != HDB_SQL_E_COLUMN || !r || r->kind != XR_COL || r->up != 0 || r->src != i)
        return -2;
    return r->col;
}

static int is_numeric_aff(int a)
{
    return a == HDB_AFF_INTEGER || a == HDB_AFF_REAL || a == HDB_AFF_NUMERIC;
}

/* May a value of expression v look up column col (affinity caff, stored
 * with collation ccoll) for the comparison "colexpr OP v"?  Yes when the
 * comparison affinity leaves the stored column values as they are; *vaff
 * receives the affinity to apply to the value. */
static int usable(const hdb_sql_expr *colexpr, const hdb_sql_expr *v, int caff, int ccoll,
                  int col_left, int *vaff_out)
{
    int vaff = hdb__sql_expr_aff(v);
    int aff = hdb__sql_cmp_affinity(caff, vaff);
    if (hdb__sql_is_numeric_aff(aff) && !is_numeric_aff(caff))
        return 0; /* text in the column would be converted */
    if (aff == HDB_AFF_TEXT && caff != HDB_AFF_TEXT)
        return 0;
    if (vaff_out)
        *vaff_out = aff;
    int el, er;
    int cl = hdb__sql_expr_coll(col_left ? colexpr : v, &el);
    int cr = hdb__sql_expr_coll(col_left ? v : colexpr, &er);
    int coll = el ? cl : er ? cr : cl >= 0 ? cl : cr >= 0 ? cr : HDB_COLL_BINARY;
    return coll == ccoll;
}

typedef struct term {
    int col;             /* -1 rowid */
    int op;              /* HDB_SQL_OP_EQ, LT, LE, GT, GE, or 0 for IN */
    hdb_sql_expr *val;   /* the value (IN: the IN expression) */
    int cond;            /* the condition it comes from (index in s->cond) */
} term;

static int col_info(xsrc *s, int col, int *aff, int *coll)
{
    if (col < 0) {
        *aff = HDB_AFF_INTEGER;
        *coll = HDB_COLL_BINARY;
        return 1;
    }
    if (!s->tab)
        return 0;
    *aff = s->tab->cols[col].aff;
    *coll = s->tab->cols[col].coll;
    return 1;
}

static int flip(int op)
{
    switch (op) {
    case HDB_SQL_OP_LT: return HDB_SQL_OP_GT;
    case HDB_SQL_OP_LE: return HDB_SQL_OP_GE;
    case HDB_SQL_OP_GT: return HDB_SQL_OP_LT;
    case HDB_SQL_OP_GE: return HDB_SQL_OP_LE;
    default: return op;
    }
}

static int collect_terms(xsrc *s, int i, const int *pos, term *t, int max)
{
    int lv = pos ? pos[i] : i;
    int n = 0, lim = s->left || s->right ? s->non : s->ncond;
    for (int k = 0; k < lim && n + 2 <= max; k++) {
        hdb_sql_expr *e = s->cond[k];
        int aff, coll, c;
        if (e->kind == HDB_SQL_E_BINARY && e->op >= HDB_SQL_OP_EQ && e->op <= HDB_SQL_OP_GE &&
            e->op != HDB_SQL_OP_NE && e->op != HDB_SQL_OP_IS && e->op != HDB_SQL_OP_ISNOT) {
            hdb_sql_expr *l = e->u.binary.l, *r = e->u.binary.r;
            if ((c = src_column(l, i)) >= -1 && !uses_src(r, pos, lv) && col_info(s, c, &aff, &coll) &&
                usable(l, r, aff, coll, 1, NULL))
                t[n++] = (term){c, e->op, r, k};
            else if ((c = src_column(r, i)) >= -1 && !uses_src(l, pos, lv) &&
                     col_info(s, c, &aff, &coll) && usable(r, l, aff, coll, 0, NULL))
                t[n++] = (term){c, flip(e->op), l, k};
        } else if (e->kind == HDB_SQL_E_BETWEEN && !(e->flags & HDB_SQL_EF_NOT) &&
                   (c = src_column(e->u.between.x, i)) >= -1 && col_info(s, c, &aff, &coll) &&
                   !uses_src(e->u.between.lo, pos, lv) && !uses_src(e->u.between.hi, pos, lv) &&
                   usable(e->u.between.x, e->u.between.lo, aff, coll, 1, NULL) &&
                   usable(e->u.between.x, e->u.between.hi, aff, coll, 1, NULL)) {
            t[n++] = (term){c, HDB_SQL_OP_GE, e->u.between.lo, k};
            t[n++] = (term){c, HDB_SQL_OP_LE, e->u.between.hi, k};
        } else if (e->kind == HDB_SQL_E_IN && !(e->flags & HDB_SQL_EF_NOT) && !e->aux &&
                   e->u.in.list.n > 0 && (c = src_column(e->u.in.x, i)) >= -1 &&
                   col_info(s, c, &aff, &coll) && !uses_list(&e->u.in.list, pos, lv)) {
            int ok = 1;
            for (int j = 0; j < e->u.in.list.n && ok; j++)
                ok = usable(e->u.in.x, e->u.in.list.a[j], aff, coll, 1, NULL);
            if (ok)
                t[n++] = (term){c, 0, e, k};
        }
    }
    return n;
}

/* Fill plan p for key columns cols[0..ncol) from the terms; returns a score. */
static int fit(xsrc *s, term *t, int nt, const int *cols, const int *desc, int ncol, xplan *p)
{
    memset(p, 0, sizeof *p);
    int k = 0;
    for (; k < ncol && k < 16; k++) {
        int found = 0;
        for (int j = 0; j < nt && !found; j++)
            if (t[j].col == cols[k] && t[j].op == HDB_SQL_OP_EQ) {
                p->eq[k] = t[j].val;
                found = 1;
            }
        if (!found)
            break;
        col_info(s, cols[k], &p->aff[k], &p->coll[k]);
        p->desc[k] = desc ? desc[k] : 0;
    }
    p->neq = k;
    int score = k * 10;
    if (k < ncol && k < 16) {
        col_info(s, cols[k], &p->aff[k], &p->coll[k]);
        p->desc[k] = desc ? desc[k] : 0;
        for (int j = 0; j < nt && !p->in; j++)
            if (t[j].col == cols[k] && t[j].op == 0)
                p->in = t[j].val;
        if (p->in)
            score += 6;
        for (int j = 0; j < nt && !p->in && !p->desc[k]; j++) {
            if (t[j].col != cols[k] || t[j].op == 0 || t[j].op == HDB_SQL_OP_EQ)
                continue;
            int lower = t[j].op == HDB_SQL_OP_GT || t[j].op == HDB_SQL_OP_GE;
            if (lower && !p->lo) {
                p->lo = t[j].val;
                p->lo_incl = t[j].op == HDB_SQL_OP_GE;
                score += 3;
            } else if (!lower && !p->hi) {
                p->hi = t[j].val;
                p->hi_incl = t[j].op == HDB_SQL_OP_LE;
                score += 3;
            }
        }
    }
    return score;
}

/* The best plan for source i of c (index i in c->src) given the levels
 * pos (NULL: FROM order): its score, 0 for a full scan (*best untouched). */
static int choose(xsrc *s, int i, const int *pos, xplan *best)
{
    term t[64];
    if (!s->tab) /* a subquery or view: nothing to look up by */
        return 0;
    int nt = collect_terms(s, i, pos, t, 64);
    if (nt == 0)
        return 0;
    hdb_sql_table *tab = s->tab;
    xplan cand;
    int bscore = 0;
    for (int pass = 0; pass < 2; pass++) { /* the rowid by name and by its column */
        int col = pass == 0 ? -1 : tab->ipk;
        if (pass == 1 && tab->ipk < 0)
            break;
        int sc = fit(s, t, nt, &col, NULL, 1, &cand);
        if (cand.neq == 1)
            sc = 1000;
        if (sc > bscore) {
            bscore = sc;
            *best = cand;
            best->kind = PLAN_ROWID;
            best->aff[0] = HDB_AFF_INTEGER;
        }
    }
    for (hdb_sql_index *ix = tab->indexes; ix; ix = ix->next) {
        if (s->noindex || (s->forced && ix != s->forced))
            continue;
        int sc = fit(s, t, nt, ix->cols, ix->desc, ix->ncol, &cand);
        if (ix->unique && cand.neq == ix->ncol)
            sc = 900;
        for (int k = 0; k < ix->ncol && k <= cand.neq && k < 16; k++)
            if (ix->coll[k] != cand.coll[k] && (k < cand.neq || cand.in || cand.lo || cand.hi))
                sc = 0;
        if (sc > bscore) {
            bscore = sc;
            *best = cand;
            best->kind = PLAN_INDEX;
            best->idx = ix;
            best->nkey = ix->ncol;
            for (int k = 0; k < ix->ncol && k < 17; k++)
                best->coll[k] = ix->coll[k];
        }
    }
    if (s->forced && bscore > 0 && best->kind != PLAN_INDEX)
        bscore = 0;
    return bscore;
}

/* Does plan p bound its key by term t (its value is one of the plan's)?
 * An upper bound alone does not decide its term on an index: NULLs sort
 * first, below any bound, and "NULL < v" is not true. */
static int term_used(const xplan *p, const term *t)
{
    switch (t->op) {
    case 0: return p->in == t->val;
    case HDB_SQL_OP_EQ:
        for (int k = 0; k < p->neq; k++)
            if (p->eq[k] == t->val)
                return 1;
        return 0;
    case HDB_SQL_OP_GT: case HDB_SQL_OP_GE: return p->lo == t->val;
    default: return p->hi == t->val && (p->lo || p->kind == PLAN_ROWID);
    }
}

/* Take out of s->cond the conditions whose every term bounds the plan's
 * keys: the key ranges hold exactly the rows that satisfy them (the value
 * converted by the comparison's affinity, encoded under the column's
 * collation, and keys ordered as values compare: codec.h), so checking
 * them again on each row is wasted.  Only for a SELECT's inner sources:
 * LEFT and RIGHT JOIN sources count their ON conditions. */
static void drop_decided(xsrc *s, int i, const int *pos)
{
    term t[64];
    if (!s->cover_ok || s->left || s->right || s->plan.kind == PLAN_SCAN)
        return;
    int nt = collect_terms(s, i, pos, t, 64), m = 0;
    for (int k = 0; k < s->ncond; k++) {
        int nterm = 0, nused = 0;
        for (int j = 0; j < nt; j++)
            if (t[j].cond == k) {
                nterm++;
                nused += term_used(&s->plan, &t[j]);
            }
        if (!nterm || nused < nterm)
            s->cond[m++] = s->cond[k];
    }
    s->ncond = m;
}

void hdb__sql_plan_source(xctx *x, xcore *c, int i)
{
    xsrc *s = &c->src[i];
    xplan best;
    memset(&s->plan, 0, sizeof s->plan);
    int score = choose(s, i, c->pos, &best);
    if (s->forced && score <= 0) {
        /* INDEXED BY and nothing bounds that index: all of it, in its
         * order (SQLite's choice too; the conditions are checked per row). */
        hdb_sql_index *ix = s->forced;
        fit(s, NULL, 0, ix->cols, ix->desc, ix->ncol, &s->plan);
        s->plan.kind = PLAN_INDEX;
        s->plan.idx = ix;
        s->plan.nkey = ix->ncol;
        for (int k = 0; k < ix->ncol && k < 17; k++)
            s->plan.coll[k] = ix->coll[k];
        (void)x;
        return;
    }
    if (score > 0) {
        s->plan = best;
        drop_decided(s, i, c->pos);
    }
}


int hdb__sql_plan_hint(xctx *x, xsrc *s, const char *indexed_by, int not_indexed)
{
    s->noindex = not_indexed;
    if (!indexed_by)
        return HDB_OK;
    for (hdb_sql_index *ix = s->tab ? s->tab->indexes : NULL; ix; ix = ix->next)
        if (hdb__sql_name_eq(ix->name, indexed_by)) {
            s->forced = ix;
            return HDB_OK;
        }
    return hdb__sql_err(x, HDB_ERROR, "no such index: %s", indexed_by);
}

/* ---- join order ------------------------------------------------------------------ */

/* The plan score of source i read at level k after the sources with
 * lvl[j] >= 0 (their levels), using the conjuncts that read only those. */
static int score_at(xcore *c, xcondlist *l, hdb_sql_expr **buf, const int *lvl, int i, int k)
{
    int n = c->nsrc, tpos[16];
    for (int j = 0; j < n; j++)
        tpos[j] = lvl[j] >= 0 ? lvl[j] : j == i ? k : k + 1;
    xsrc tmp = c->src[i];
    tmp.ncond = tmp.non = 0;
    tmp.cond = buf;
    for (int m = 0; m < l->n; m++) {
        int at = -1;
        hdb__sql_max_level(l->a[m], n, tpos, &at);
        if (at == k && l->on[m] < 0)
            buf[tmp.ncond++] = l->a[m];
    }
    xplan p;
    return choose(&tmp, i, tpos, &p);
}

/* Greedy with one level of look-ahead: at each level, the source whose own
 * plan plus the best plan it gives a source after it scores most (so a
 * table an index can reach goes inside the loop of the one that feeds the
 * lookup); ties keep the FROM order.  Only plain inner joins (no LEFT,
 * RIGHT or FULL, no CROSS, which fixes the order as in SQLite, no INDEXED
 * BY) of 2..16 sources are reordered. */
int hdb__sql_plan_join_order(xctx *x, xcore *c, xcondlist *l)
{
    int n = c->nsrc;
    if (n < 2 || n > 16)
        return HDB_OK;
    for (int i = 0; i < n; i++)
        if (c->src[i].left || c->src[i].right || c->src[i].join == HDB_SQL_JOIN_CROSS ||
            c->src[i].forced)
            return HDB_OK;
    int *perm = hdb__sql_alloc(x, sizeof(int) * n), *pos = hdb__sql_alloc(x, sizeof(int) * n);
    hdb_sql_expr **buf = hdb__sql_alloc(x, sizeof *buf * (l->n + 1));
    if (!perm || !pos || !buf)
        return x->rc;
    int lvl[16], changed = 0;
    for (int j = 0; j < n; j++)
        lvl[j] = -1;
    for (int k = 0; k < n; k++) {
        int pick = -1, pscore = -1;
        for (int i = 0; i < n; i++) {
            if (lvl[i] >= 0)
                continue;
            int sc = score_at(c, l, buf, lvl, i, k), ahead = 0;
            lvl[i] = k;
            for (int j = 0; j < n && k + 1 < n; j++)
                if (lvl[j] < 0) {
                    int a = score_at(c, l, buf, lvl, j, k + 1);
                    ahead = a > ahead ? a : ahead;
                }
            lvl[i] = -1;
            if (sc + ahead > pscore) {
                pscore = sc + ahead;
                pick = i;
            }
        }
        lvl[pick] = k;
        perm[k] = pick;
        pos[pick] = k;
        changed |= pick != k;
    }
    if (changed) {
        c->perm = perm;
        c->pos = pos;
    }
    return HDB_OK;
}

/* ---- ORDER BY from the access path ---------------------------------------- */

/* The column of source 0 that ORDER BY term o sorts on (-1 rowid), or -2. */
static int order_col(xsel *q, const xorder *o)
{
    xcore *c = q->core[0];
    int first = HDB_SQL_LEVEL_SRC(c, 0);
    hdb_sql_expr *e = o->col < q->ncol ? c->res[o->col] : c->order[o->col - q->ncol];
    while (e->kind == HDB_SQL_E_COLLATE)
        e = e->u.collate.x;
    int col = src_column(e, first);
    if (col < -1 || o->nulls_first >= 0)
        return -2;
    xsrc *s = &c->src[first];
    int coll = col < 0 ? HDB_COLL_BINARY : s->tab->cols[col].coll;
    return o->coll == coll ? col : -2;
}

/* Does walking plan p (forward or backward) give the order of q's terms? */
static int plan_gives_order(xsel *q, xsrc *s, xplan *p, const int *cols, int *reverse)
{
    int rev = -1;
    if (p->in)
        return 0;
    if (p->kind != PLAN_INDEX) {
        if (q->norder != 1 || (cols[0] != -1 && cols[0] != s->tab->ipk))
            return 0;
        *reverse = q->order[0].desc;
        return 1;
    }
    hdb_sql_index *ix = p->idx;
    int k = p->neq;
    for (int t = 0; t < q->norder; t++) {
        int fixed = 0;
        for (int j = 0; j < p->neq; j++)
            fixed |= ix->cols[j] == cols[t];
        if (fixed)
            continue;
        if (k >= ix->ncol || ix->cols[k] != cols[t])
            return 0;
        int r = q->order[t].desc != ix->desc[k];
        if (rev >= 0 && r != rev)
            return 0;
        rev = r;
        k++;
    }
    *reverse = rev > 0;
    return 1;
}

void hdb__sql_plan_order(xctx *x, xsel *q)
{
    (void)x;
    if (q->ncore != 1 || q->norder == 0 || q->norder > 16)
        return;
    xcore *c = q->core[0];
    if (c->is_agg || (c->ast && (c->ast->distinct || c->ast->is_values)) || c->nsrc == 0 ||
        !c->src[HDB_SQL_LEVEL_SRC(c, 0)].tab)
        return;
    xsrc *s = &c->src[HDB_SQL_LEVEL_SRC(c, 0)];
    int cols[16], rev = 0;
    for (int t = 0; t < q->norder; t++)
        if ((cols[t] = order_col(q, &q->order[t])) < -1)
            return;
    if (plan_gives_order(q, s, &s->plan, cols, &rev)) {
        s->plan.reverse = rev;
        q->presorted = 1;
        return;
    }
    if (s->plan.kind != PLAN_SCAN || s->noindex)
        return;
    for (hdb_sql_index *ix = s->tab->indexes; ix; ix = ix->next) {
        xplan p;
        memset(&p, 0, sizeof p);
        p.kind = PLAN_INDEX;
        p.idx = ix;
        p.nkey = ix->ncol;
        for (int k = 0; k < ix->ncol && k < 17; k++) {
            p.coll[k] = ix->coll[k];
            p.desc[k] = ix->desc[k];
        }
        if (plan_gives_order(q, s, &p, cols, &rev)) {
            p.reverse = rev;
            s->plan = p;
            q->presorted = 1;
            return;
        }
    }
}

/* ---- EXPLAIN QUERY PLAN ----------------------------------------------------- */

static void describe(xsrc *s, hdb_buf *b)
{
    xplan *p = &s->plan;
    const char *nm = s->tab ? s->tab->name : s->name;
    int aliased = s->tab && s->name && !hdb__sql_name_eq(s->name, s->tab->name);
    if (!s->tab) {
        hdb__buf_printf(b, "SCAN %s", s->name && s->name[0] ? s->name : "(subquery)");
        return;
    }
    if (p->kind == PLAN_SCAN) {
        hdb__buf_printf(b, "SCAN %s%s%s", nm, aliased ? " AS " : "", aliased ? s->name : "");
        return;
    }
    if (p->kind == PLAN_INDEX && !p->neq && !p->in && !p->lo && !p->hi) {
        hdb__buf_printf(b, "SCAN %s%s%s USING %sINDEX %s", nm, aliased ? " AS " : "",
                        aliased ? s->name : "", hdb__sql_covers(s) ? "COVERING " : "",
                        p->idx->name);
        return;
    }
    hdb__buf_printf(b, "SEARCH %s%s%s USING ", nm, aliased ? " AS " : "", aliased ? s->name : "");
    if (p->kind == PLAN_ROWID)
        hdb__buf_puts(b, "INTEGER PRIMARY KEY (");
    else
        hdb__buf_printf(b, "%sINDEX %s (", hdb__sql_covers(s) ? "COVERING " : "", p->idx->name);
    int k = 0;
    for (; k < p->neq; k++)
        hdb__buf_printf(b, "%s%s=?", k ? " AND " : "",
                        p->kind == PLAN_ROWID ? "rowid" : s->tab->cols[p->idx->cols[k]].name);
    const char *cn = p->kind == PLAN_ROWID ? "rowid" : s->tab->cols[p->idx->cols[k]].name;
    if (p->in)
        hdb__buf_printf(b, "%s%s=?", k ? " AND " : "", cn);
    if (p->lo)
        hdb__buf_printf(b, "%s%s>?", k ? " AND " : "", cn);
    if (p->hi)
        hdb__buf_printf(b, "%s%s<?", k || p->lo ? " AND " : "", cn);
    hdb__buf_puts(b, ")");
}

static void add_row(xrows *out, int id, int parent, const char *detail)
{
    hdb_sql_value *row = hdb__sql_row_new(4);
    if (!row)
        return;
    hdb__sql_value_int(&row[0], id);
    hdb__sql_value_int(&row[1], parent);
    hdb__sql_value_int(&row[2], 0);
    if (hdb__sql_value_text(&row[3], detail, strlen(detail)) != HDB_OK) {
        hdb__sql_row_free(row, 4);
        return;
    }
    hdb__sql_rows_add(out, row, 4);
}

void hdb__sql_plan_explain_core(xcore *c, xrows *out, int *id, int par)
{
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    for (int lv = 0; lv < c->nsrc; lv++) {
        xsrc *s = &c->src[HDB_SQL_LEVEL_SRC(c, lv)];
        hdb__buf_reset(&b);
        describe(s, &b);
        if (!b.oom)
            add_row(out, ++*id, par, b.data);
        if (s->sub)
            hdb__sql_plan_explain(s->sub, out, id, *id);
    }
    if (c->is_agg && c->ngroup)
        add_row(out, ++*id, par, "USE TEMP B-TREE FOR GROUP BY");
    if (c->ast && c->ast->distinct)
        add_row(out, ++*id, par, "USE TEMP B-TREE FOR DISTINCT");
    hdb__buf_free(&b);
}

void hdb__sql_plan_explain(xsel *q, xrows *out, int *id, int parent)
{
    hdb_buf b;
    hdb__buf_init(&b, NULL);
    int top = parent;
    if (q->ncore > 1) {
        top = ++*id;
        add_row(out, top, parent, "COMPOUND QUERY");
    }
    for (int k = 0; k < q->ncore; k++) {
        int par = top;
        if (q->ncore > 1) {
            par = ++*id;
            add_row(out, par, top, k == 0 ? "LEFT-MOST SUBQUERY" : "UNION ALL");
        }
        hdb__sql_plan_explain_core(q->core[k], out, id, par);
    }
    if (q->norder && !q->presorted)
        add_row(out, ++*id, parent, "USE TEMP B-TREE FOR ORDER BY");
    hdb__buf_free(&b);
}
