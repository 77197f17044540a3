/* memory.h: the target's memory: m, x, M, X. */
#ifndef TR_SERVER_RSP_MEMORY_H
#define TR_SERVER_RSP_MEMORY_H

#include <stdbool.h>
#include <stddef.h>

#include "rsp/rsp_int.h"

/* rsp_read_mem: m (hex) or x (binary): p after the letter. A read that
 * stops at an unmapped page returns what it got. */
int rsp_read_mem(struct rsp *r, const char *p, bool binary);
/* rsp_write_mem: M (hex) or X (binary): p[0..plen) after the letter. */
int rsp_write_mem(struct rsp *r, const char *p, size_t plen, bool binary);

#endif
