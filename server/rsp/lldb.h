/* lldb.h: the packets lldb sends that gdb does not. */
#ifndef TR_SERVER_RSP_LLDB_H
#define TR_SERVER_RSP_LLDB_H

#include <stddef.h>

#include "rsp/rsp_int.h"

/* rsp_lldb_packet: p[0..len) if it is one of lldb's own packets (the
 * dispatcher, packet.c, tries them last); 1: not one of them. */
int rsp_lldb_packet(struct rsp *r, const char *p, size_t len);

#endif
