/*
** md5.h — MD5 (RFC 1321) for the sqllogictest runner's "values hashing to"
** results and labels.  Not for anything that needs a secure hash.
*/
#ifndef HDB_SLT_MD5_H
#define HDB_SLT_MD5_H

#include <stddef.h>
#include <stdint.h>

typedef struct slt_md5 {
    uint32_t h[4];
    uint64_t len;          /* bytes hashed so far */
    unsigned char buf[64]; /* the partial block */
} slt_md5;

void slt_md5_init(slt_md5 *m);
void slt_md5_update(slt_md5 *m, const void *data, size_t n);
/* Finish and write 32 lowercase hex digits and a NUL to hex[33]. */
void slt_md5_hex(slt_md5 *m, char hex[33]);

#endif
