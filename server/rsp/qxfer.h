/* qxfer.h: the objects of qXfer. */
#ifndef TR_SERVER_RSP_QXFER_H
#define TR_SERVER_RSP_QXFER_H

#include <stddef.h>

#include "rsp/rsp_int.h"

/* rsp_qxfer: the whole packet p[0..plen): qXfer:OBJECT:read:ANNEX:OFF,LEN
 * or qXfer:siginfo:write::OFF:DATA. */
int rsp_qxfer(struct rsp *r, const char *p, size_t plen);
/* rsp_xfer_reply: the part OFF,LEN (args) of data[0..total): m or l and
 * the bytes. */
int rsp_xfer_reply(struct rsp *r, const char *data, size_t total,
		   const char *args);
/* rsp_xml_escape: s into b, with XML's five entities. */
void rsp_xml_escape(struct tr_buf *b, const char *s);
/* rsp_osdata: qXfer:osdata:read:ANNEX:OFF,LEN (osdata.c). */
int rsp_osdata(struct rsp *r, const char *annex, const char *args);

#endif
