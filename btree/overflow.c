/*
** overflow.c — large values in chains of overflow pages (layout in btree.h).
**
** A value whose leaf cell would be too large is stored, lz4-compressed when
** that saves at least an eighth, in a chain of overflow pages written back
** to front (so each page knows its successor when it is written); the leaf
** cell keeps a 21-byte descriptor.  Chains are immutable: replacing the
** value writes a new chain and releases the old one.  Each page of a chain
** is referenced once by its predecessor; the first page by the leaf cell.
*/
#include <lz4.h>
#include <string.h>
#include "btree/btree_int.h"

#define CODEC_NONE 0
#define CODEC_LZ4 1

static size_t room(const hdb_bt *t) { return t->psize - HDB_OVF_HDR; }

/* Compress into a new buffer when it saves at least 1/8; else *out = NULL. */
static int maybe_compress(hdb_bt *t, const void *val, size_t vlen, void **out, size_t *n)
{
    *out = NULL;
    if (vlen < 64 || vlen > (size_t)LZ4_MAX_INPUT_SIZE)
        return HDB_OK;
    int bound = LZ4_compressBound((int)vlen);
    char *buf = hdb__malloc(t->mem, (size_t)bound);
    if (!buf)
        return HDB_NOMEM;
    int c = LZ4_compress_default(val, buf, (int)vlen, bound);
    if (c > 0 && (size_t)c <= vlen - vlen / 8) {
        *out = buf;
        *n = (size_t)c;
    } else {
        hdb__free(t->mem, buf);
    }
    return HDB_OK;
}

int hdb__ovf_write(hdb_bt *t, const void *val, size_t vlen, uint8_t desc[HDB_OVF_DESC])
{
    void *z;
    size_t stored = vlen;
    int rc = maybe_compress(t, val, vlen, &z, &stored);
    if (rc != HDB_OK)
        return rc;
    const uint8_t *src = z ? z : val;
    size_t npages = stored ? (stored + room(t) - 1) / room(t) : 1;
    hdb_ref next = {0, 0};
    for (size_t i = npages; i-- > 0 && rc == HDB_OK;) {
        hdb_page *pg;
        size_t off = i * room(t);
        size_t len = stored - off < room(t) ? stored - off : room(t);
        rc = hdb__pager_alloc(t->pager, HDB_PT_OVERFLOW, &pg);
        if (rc != HDB_OK)
            break;
        hdb__ref_put(pg->data + 24, next);
        hdb__put32(pg->data + 36, (uint32_t)len);
        memcpy(pg->data + HDB_OVF_HDR, src + off, len);
        next.pgno = pg->pgno;
        next.birth = hdb__page_birth(pg->data);
        hdb__pager_put(t->pager, pg);
    }
    hdb__free(t->mem, z);
    if (rc != HDB_OK)
        return rc; /* pages already written are undone with the transaction */
    hdb__ref_put(desc, next);
    hdb__put32(desc + 12, (uint32_t)vlen);
    hdb__put32(desc + 16, (uint32_t)stored);
    desc[20] = z ? CODEC_LZ4 : CODEC_NONE;
    return HDB_OK;
}

static int corrupt(hdb_bt *t, hdb_pgno pg, const char *what)
{
    return hdb__pager_corrupt(t->pager, "overflow page %u: %s", pg, what);
}

/* Read the stored bytes of a chain into buf (exactly `stored` bytes). */
static int read_chain(hdb_bt *t, hdb_ref r, uint8_t *buf, size_t stored)
{
    size_t got = 0, hops = 0, max_hops = stored / room(t) + 1;
    while (r.pgno) {
        hdb_page *pg;
        if (++hops > max_hops)
            return corrupt(t, r.pgno, "chain longer than its value");
        int rc = hdb__pager_get(t->pager, r, &pg);
        if (rc != HDB_OK)
            return rc;
        size_t len = hdb__get32(pg->data + 36);
        hdb_pgno me = pg->pgno;
        if (hdb__page_type(pg->data) != HDB_PT_OVERFLOW || len > room(t) || len > stored - got) {
            hdb__pager_put(t->pager, pg);
            return corrupt(t, me, "bad header");
        }
        memcpy(buf + got, pg->data + HDB_OVF_HDR, len);
        got += len;
        r = hdb__ref_get(pg->data + 24);
        hdb__pager_put(t->pager, pg);
    }
    return got == stored ? HDB_OK : corrupt(t, 0, "chain shorter than its value");
}

int hdb__ovf_read(hdb_bt *t, const uint8_t desc[HDB_OVF_DESC], void **out, size_t *n)
{
    hdb_ref first = hdb__ref_get(desc);
    size_t raw = hdb__get32(desc + 12), stored = hdb__get32(desc + 16);
    unsigned codec = desc[20];
    *out = NULL;
    if (raw > HDB_MAX_VALUE || codec > CODEC_LZ4 || (codec == CODEC_NONE && stored != raw) ||
        (codec == CODEC_LZ4 && (stored > raw + raw / 255 + 16 || stored == 0)))
        return corrupt(t, first.pgno, "bad value descriptor");
    uint8_t *sbuf = hdb__malloc(t->mem, stored);
    if (!sbuf)
        return HDB_NOMEM;
    int rc = read_chain(t, first, sbuf, stored);
    if (rc == HDB_OK && codec == CODEC_LZ4) {
        uint8_t *rbuf = hdb__malloc(t->mem, raw);
        if (!rbuf) {
            rc = HDB_NOMEM;
        } else if (LZ4_decompress_safe((const char *)sbuf, (char *)rbuf, (int)stored, (int)raw) !=
                   (int)raw) {
            hdb__free(t->mem, rbuf);
            rc = corrupt(t, first.pgno, "compressed value does not decode");
        } else {
            hdb__free(t->mem, sbuf);
            sbuf = rbuf;
        }
    }
    if (rc != HDB_OK) {
        hdb__free(t->mem, sbuf);
        return rc;
    }
    *out = sbuf;
    *n = raw;
    return HDB_OK;
}
