/*
** bytes.h — fixed byte order access to buffers.
**
** Every on-disk integer of HeliosDB Nano is little-endian and is read and
** written only through the get/put helpers below; page buffers are never
** cast to structs.  Big-endian helpers exist for order-preserving keys
** (memcmp order equals numeric order).
**
** Varints (unsigned LEB128): 7 bits per byte, low group first, the high bit
** set on every byte but the last; at most 10 bytes for a uint64_t.
** hdb__varint_get() never reads past `end` and returns 0 on a malformed or
** truncated varint, so callers turn a 0 into HDB_CORRUPT.
*/
#ifndef HDB_BYTES_H
#define HDB_BYTES_H

#include <stddef.h>
#include <stdint.h>

#define HDB_VARINT_MAX 10

static inline uint16_t hdb__get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t hdb__get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t hdb__get64(const uint8_t *p)
{
    return (uint64_t)hdb__get32(p) | ((uint64_t)hdb__get32(p + 4) << 32);
}
static inline void hdb__put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void hdb__put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void hdb__put64(uint8_t *p, uint64_t v)
{
    hdb__put32(p, (uint32_t)v);
    hdb__put32(p + 4, (uint32_t)(v >> 32));
}

/* Big-endian, for keys that must sort with memcmp. */
static inline uint32_t hdb__get32be(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static inline uint64_t hdb__get64be(const uint8_t *p)
{
    return ((uint64_t)hdb__get32be(p) << 32) | (uint64_t)hdb__get32be(p + 4);
}
static inline void hdb__put32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void hdb__put64be(uint8_t *p, uint64_t v)
{
    hdb__put32be(p, (uint32_t)(v >> 32));
    hdb__put32be(p + 4, (uint32_t)v);
}

/* Write v as a varint at p (room for HDB_VARINT_MAX bytes); returns its length. */
static inline size_t hdb__varint_put(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/* Length of v as a varint. */
static inline size_t hdb__varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Read a varint from [p, end); returns the bytes used, 0 if malformed. */
static inline size_t hdb__varint_get(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    size_t n = 0;
    unsigned shift = 0;
    while (p + n < end && n < HDB_VARINT_MAX) {
        uint8_t b = p[n++];
        if (shift == 63 && b > 1)
            return 0;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return n;
        }
        shift += 7;
    }
    return 0;
}

#endif
