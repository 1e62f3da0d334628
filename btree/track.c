/*
** track.c — what each leaf copied since the database was opened changed
** since the page it was copied from, so that a merge counts an adopted
** leaf's changes without reading the two leaves.
**
** WHY
**   Where only src changed a leaf, a merge grafts src's leaf into dst
**   without reading it, but its counts (added, changed, deleted) need the
**   diff of base's leaf and src's leaf: two page reads per adopted leaf,
**   most of what a merge of scattered changes reads.  The writer that made
**   src's leaf knew what it changed, one key at a time, so it records it.
**
** HOW IT WORKS
**   When the writer copies a leaf `from` into a new page (hdb__bt_shadow),
**   an entry for the new page starts: "same as from".  Each later change
**   to that page through hdb__bt_put, hdb__bt_del or hdb__bt_overwrite
**   reports its kind (hdb__track_edit), and the entry counts it and keeps a
**   32-bit hash of the key.  A leaf changed by several transactions is a
**   chain of entries, each against the version before it, except that a
**   copy of a page nothing else refers to (`last`: the copy frees it, and
**   its number comes back) takes over that page's entry.  A merge asks
**   hdb__track_counts(base's leaf, src's leaf): it follows the chain from
**   src's leaf back to base's (at most TRACK_HOPS entries) and sums the
**   counts, if no key was changed in two of them (a key in one entry only
**   is, in every other step, the same before and after: its class from
**   base to src is the one that entry gives).  Any other answer sends the
**   merge to the diff.
**
** INVARIANTS
**   1. An entry (leaf L, from F, counts, hashes) means: F is an immutable
**      page version born before L (a number and a birth: pages are never
**      changed once shared or committed, and a number freed and used again
**      in a later transaction has another birth), and every key whose hash
**      is not in the list has the same presence and value in L as in F;
**      the keys in the list make up exactly the counts of diff(F -> L).
**      The entry is keyed by L's number and checked against L's birth.  A
**      copy of a page born in the same transaction starts no entry (its
**      number may come back in that transaction with the same birth),
**      unless it takes over that page's entry, whose F is older.
**   2. An edit that cannot keep invariant 1 drops the entry: a second edit
**      of a listed key (its value in F is not known here; a false match of
**      hashes only drops), a full list, an overflow or REFS value whose
**      equality is not decided by its bytes, and every change of a leaf
**      other than one key's edit (splits, sharing with a sibling, merges of
**      leaves, a page initialised as a node: hdb__track_drop).
**   3. Rolling back a transaction or a savepoint drops the entries of the
**      pages born in it (hdb__track_forget): those pages are gone or back
**      as they were, and their numbers and births come back.  The pages
**      of earlier transactions never change, nor do their entries.  The
**      transaction's first HDB_TRACK_RECENT entries are listed, so a rollback
**      drops them one by one; past that it scans the table.
**   4. Memory is bounded: one slot of 56 bytes per 512 bytes of the
**      cache's frames (11% of cache_bytes, on top of it), allocated at the
**      first copy; at most three quarters are used, and a full table drops
**      the entry found first from the new one's home slot.  Losing entries
**      only costs reads, never a wrong count.
**   5. Only the writer (one thread) calls these functions.  The merge
**      asks on its own thread, not from its counting thread.
**   6. A chain is followed only toward older pages (an entry's `from` was
**      born before its leaf), through at most TRACK_HOPS entries.
*/
#include <string.h>
#include <xxhash.h>
#include "btree/btree_int.h"

struct hdb_track_ent { /* 56 bytes */
    uint64_t leaf_birth, from_birth;
    hdb_pgno leaf, from; /* leaf 0: an empty slot */
    uint8_t n[3];        /* HDB_DIFF_ADDED, _CHANGED, _DELETED: each key once */
    uint8_t nkeys;
    uint32_t keys[HDB_TRACK_KEYS];
};

_Static_assert(sizeof(struct hdb_track_ent) == 56, "track entry layout");

#define TRACK_HOPS 8 /* entries a chain is followed through */

/* Slot of pgno in [0, cap) (cap need not be a power of two). */
static size_t home(const hdb_track *tr, hdb_pgno pgno)
{
    return (size_t)(((uint64_t)(uint32_t)(pgno * 2654435761u) * tr->cap) >> 32);
}

static size_t after(const hdb_track *tr, size_t i) { return i + 1 == tr->cap ? 0 : i + 1; }

static hdb_track_ent *lookup(hdb_track *tr, hdb_pgno pgno)
{
    if (!tr->n || !pgno) /* empty (one long transaction): no slot read */
        return NULL;
    for (size_t i = home(tr, pgno);; i = after(tr, i)) {
        if (tr->v[i].leaf == pgno)
            return &tr->v[i];
        if (!tr->v[i].leaf)
            return NULL;
    }
}

/* Remove slot i, moving later entries of its run back (linear probing
 * without tombstones). */
static void remove_at(hdb_track *tr, size_t i)
{
    tr->v[i].leaf = 0;
    tr->n--;
    for (size_t j = after(tr, i); tr->v[j].leaf; j = after(tr, j)) {
        size_t h = home(tr, tr->v[j].leaf);
        /* Entry j may fill the hole at i if its home is not in (i, j]. */
        if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
            tr->v[i] = tr->v[j];
            tr->v[j].leaf = 0;
            i = j;
        }
    }
}

static void drop(hdb_track *tr, hdb_track_ent *e) { remove_at(tr, (size_t)(e - tr->v)); }

void hdb__track_drop(hdb_bt *t, hdb_pgno pgno)
{
    hdb_track_ent *e = lookup(&t->track, pgno);
    if (e)
        drop(&t->track, e);
}

/* Note that an entry for `to` is made in the transaction to.birth (for
 * hdb__track_forget); 0 if no entry may be made (nothing can be noted). */
static int recent_add(hdb_track *tr, hdb_ref to)
{
    if (to.birth != tr->recent_lsn) { /* a new transaction: the list starts anew */
        tr->nrecent = 0;
        tr->recent_full = 0;
        tr->recent_lsn = to.birth;
    }
    if (tr->recent_full)
        return 1; /* forget scans the table */
    if (tr->nrecent == HDB_TRACK_RECENT) {
        tr->recent_full = 1;
        return 1;
    }
    tr->recent[tr->nrecent++] = to.pgno;
    return 1;
}

void hdb__track_forget(hdb_bt *t, uint64_t lsn)
{
    hdb_track *tr = &t->track;
    if (!tr->v || tr->recent_lsn < lsn)
        return; /* nothing was copied since */
    if (!tr->recent_full) {
        for (size_t k = 0; k < tr->nrecent; k++) {
            hdb_track_ent *e = lookup(tr, tr->recent[k]);
            if (e && e->leaf_birth >= lsn)
                drop(tr, e);
        }
    } else {
        /* A removal may move a later entry of the run into slot i: look again. */
        for (size_t i = 0; i < tr->cap;)
            if (tr->v[i].leaf && tr->v[i].leaf_birth >= lsn)
                remove_at(tr, i);
            else
                i++;
    }
    tr->nrecent = 0;
    tr->recent_full = 0;
}

void hdb__track_fini(hdb_bt *t)
{
    hdb__free(t->mem, t->track.v);
    memset(&t->track, 0, sizeof t->track);
}

static int table(hdb_bt *t)
{
    hdb_track *tr = &t->track;
    if (tr->v)
        return 1;
    if (tr->failed)
        return 0;
    size_t cap = hdb__pager_cache_frames(t->pager) * t->psize / 512;
    if (cap < 64)
        cap = 64;
    tr->v = hdb__zalloc(t->mem, cap * sizeof *tr->v);
    if (!tr->v) {
        tr->failed = 1; /* tracking is an optimisation: go without */
        return 0;
    }
    tr->cap = cap;
    return 1;
}

void hdb__track_copy(hdb_bt *t, hdb_ref from, hdb_ref to, int last)
{
    hdb_track *tr = &t->track;
    if (!table(t))
        return;
    hdb__track_drop(t, to.pgno);
    hdb_track_ent ne, *old = lookup(tr, from.pgno); /* after the drop, which may move it */
    if (last && old && old->leaf_birth == from.birth) {
        ne = *old; /* `from` goes: the new entry takes its place in the chain */
        drop(tr, old);
    } else if (from.birth < to.birth) {
        memset(&ne, 0, sizeof ne);
        ne.from = from.pgno;
        ne.from_birth = from.birth;
    } else {
        return; /* a page of this transaction: its number and birth may come back (invariant 1) */
    }
    ne.leaf = to.pgno;
    ne.leaf_birth = to.birth;
    if (!recent_add(tr, to))
        return;
    size_t i = home(tr, to.pgno);
    while (tr->n + 1 > tr->cap / 2 + tr->cap / 4) { /* full: the next entry from home goes */
        while (!tr->v[i].leaf)
            i = after(tr, i);
        remove_at(tr, i);
    }
    i = home(tr, to.pgno);
    while (tr->v[i].leaf)
        i = after(tr, i);
    tr->v[i] = ne;
    tr->n++;
}

void hdb__track_edit(hdb_bt *t, const uint8_t *leaf, const void *key, size_t klen, int kind)
{
    hdb_track_ent *e = lookup(&t->track, hdb__page_pgno(leaf));
    if (!e || kind == HDB_TRACK_SAME)
        return;
    if (e->leaf_birth != hdb__page_birth(leaf) || kind == HDB_TRACK_UNKNOWN) {
        drop(&t->track, e);
        return;
    }
    uint32_t h = (uint32_t)XXH3_64bits(key, klen);
    for (uint32_t i = 0; i < e->nkeys; i++)
        if (e->keys[i] == h) {
            drop(&t->track, e); /* its value in `from` is not known here */
            return;
        }
    if (e->nkeys == HDB_TRACK_KEYS) {
        drop(&t->track, e);
        return;
    }
    /* The key is not listed, so it is in the leaf as it was in `from`: an
     * insert adds a key `from` lacks, a delete or a new value changes one
     * it has. */
    e->keys[e->nkeys++] = h;
    e->n[kind == HDB_TRACK_ADD ? HDB_DIFF_ADDED
                               : kind == HDB_TRACK_DEL ? HDB_DIFF_DELETED : HDB_DIFF_CHANGED]++;
}

int hdb__track_counts(hdb_bt *t, hdb_ref from, hdb_ref leaf, uint64_t n[3])
{
    uint32_t seen[TRACK_HOPS * HDB_TRACK_KEYS];
    size_t nseen = 0;
    n[0] = n[1] = n[2] = 0;
    for (int hop = 0; hop < TRACK_HOPS; hop++) {
        const hdb_track_ent *e = lookup(&t->track, leaf.pgno);
        if (!e || e->leaf_birth != leaf.birth || e->from_birth >= e->leaf_birth)
            return 0;
        for (unsigned i = 0; i < e->nkeys; i++) {
            for (size_t j = 0; j < nseen; j++)
                if (seen[j] == e->keys[i])
                    return 0; /* a key changed in two steps: its class is not a sum */
            seen[nseen++] = e->keys[i];
        }
        for (int i = 0; i < 3; i++)
            n[i] += e->n[i];
        if (e->from == from.pgno && e->from_birth == from.birth)
            return 1;
        leaf = (hdb_ref){e->from, e->from_birth};
    }
    return 0;
}

/* ------------------------------------------------------------------------
** Saved form (src/track_file.c writes it at close and reads it at open)
**
**   The caller's header, then per entry ENT_BYTES, little-endian:
**     0 u32 leaf   4 u32 from   8 u64 leaf birth   16 u64 from birth
**    24 u8 added  25 u8 changed  26 u8 deleted  27 u8 keys in the list
**    28 HDB_TRACK_KEYS x u32 key hashes
*/
#define ENT_BYTES HDB_TRACK_ENT_BYTES

size_t hdb__track_save(hdb_bt *t, uint64_t upto, uint8_t *out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; t->track.v && i < t->track.cap && (k + 1) * ENT_BYTES <= max; i++) {
        const hdb_track_ent *e = &t->track.v[i];
        if (!e->leaf || e->leaf_birth > upto || e->from_birth > upto)
            continue; /* only pages of the checkpoint: replay may make others anew */
        uint8_t *p = out + k++ * ENT_BYTES;
        hdb__put32(p, e->leaf);
        hdb__put32(p + 4, e->from);
        hdb__put64(p + 8, e->leaf_birth);
        hdb__put64(p + 16, e->from_birth);
        memcpy(p + 24, e->n, 3);
        p[27] = e->nkeys;
        for (int j = 0; j < HDB_TRACK_KEYS; j++)
            hdb__put32(p + 28 + 4 * j, e->keys[j]);
    }
    return k * ENT_BYTES;
}

size_t hdb__track_saved_max(hdb_bt *t) { return t->track.n * ENT_BYTES; }

void hdb__track_load(hdb_bt *t, const uint8_t *in, size_t n)
{
    for (size_t off = 0; off + ENT_BYTES <= n; off += ENT_BYTES) {
        const uint8_t *p = in + off;
        hdb_ref leaf = {hdb__get32(p), hdb__get64(p + 8)};
        hdb_ref from = {hdb__get32(p + 4), hdb__get64(p + 16)};
        if (!leaf.pgno || p[27] > HDB_TRACK_KEYS || p[24] + p[25] + p[26] != p[27])
            continue; /* not an entry this library wrote */
        if (lookup(&t->track, leaf.pgno))
            continue; /* a page made since (by recovery) has the number now */
        hdb__track_copy(t, from, leaf, 0);
        hdb_track_ent *e = lookup(&t->track, leaf.pgno);
        if (!e)
            return; /* no table */
        memcpy(e->n, p + 24, 3);
        e->nkeys = p[27];
        for (int j = 0; j < HDB_TRACK_KEYS; j++)
            e->keys[j] = hdb__get32(p + 28 + 4 * j);
    }
}
