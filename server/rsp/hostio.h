/* hostio.h: gdb's host I/O packets (vFile:open, close, pread, pwrite, fstat, unlink, readlink, setfs). */
#ifndef TR_SERVER_RSP_HOSTIO_H
#define TR_SERVER_RSP_HOSTIO_H

#include <stddef.h>

#include "rsp/rsp_int.h"

/* rsp_hostio: one vFile: packet, p[0..len) after "vFile:". Only for a
 * client that may drive the daemon; the files are the daemon's
 * machine's, or a process's view of them after setfs. */
int rsp_hostio(struct rsp *r, const char *p, size_t len);
/* rsp_hostio_close_all: close the files the client left open. */
void rsp_hostio_close_all(struct rsp *r);

#endif
