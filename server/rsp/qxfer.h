/* qxfer.h: the objects of qXfer. */
#ifndef TR_SERVER_RSP_QXFER_H
#define TR_SERVER_RSP_QXFER_H

#include <stddef.h>

#include "rsp/rsp_int.h"

/* rsp_qxfer: the whole packet p[0..plen): qXfer:OBJECT:read:ANNEX:OFF,LEN
 * or qXfer:siginfo:write::OFF:DATA. */
int rsp_qxfer(struct rsp *r, const char *p, size_t plen);

#endif
