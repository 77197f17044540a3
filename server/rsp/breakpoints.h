/* breakpoints.h: gdb's breakpoints and watchpoints (Z0-Z4, z0-z4). */
#ifndef TR_SERVER_RSP_BREAKPOINTS_H
#define TR_SERVER_RSP_BREAKPOINTS_H

#include <stdbool.h>
#include <stdint.h>

#include "rsp/rsp_int.h"

/* rsp_z_packet: Z (insert) or z: p after the letter. A z only marks the
 * breakpoint or watchpoint unwanted: it stays until the next
 * rsp_bps_sync. */
int rsp_z_packet(struct rsp *r, const char *p, bool insert);
/* rsp_bps_sync: take out the int3s and watchpoints the client no longer
 * wants (before a resume), or all of them (all: it leaves, or the target
 * goes). */
void rsp_bps_sync(struct rsp *r, bool all);
/* rsp_watch_of: the client's watchpoint numbered wpid (a TR_STOP_WATCH
 * stop's bpnum), or NULL when it is not one of the client's. */
const struct rsp_bp *rsp_watch_of(const struct rsp *r, uint32_t wpid);
/* rsp_hbreak_at: the client's hardware breakpoint (Z1) at addr, or NULL. */
const struct rsp_bp *rsp_hbreak_at(const struct rsp *r, uint64_t addr);
#endif
