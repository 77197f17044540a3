/* breakpoints.h: gdb's software breakpoints (Z0, z0). */
#ifndef TR_SERVER_RSP_BREAKPOINTS_H
#define TR_SERVER_RSP_BREAKPOINTS_H

#include <stdbool.h>

#include "rsp/rsp_int.h"

/* rsp_z_packet: Z (insert) or z: p after the letter. A z0 only marks the
 * site unwanted: the int3 stays until the next rsp_bps_sync. */
int rsp_z_packet(struct rsp *r, const char *p, bool insert);
/* rsp_bps_sync: take out the int3s the client no longer wants (before a
 * resume), or all of them (all: it leaves, or the target goes). */
void rsp_bps_sync(struct rsp *r, bool all);

#endif
