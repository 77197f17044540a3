/* reply.h: sending to the client: packets and error replies. */
#ifndef TR_SERVER_RSP_REPLY_H
#define TR_SERVER_RSP_REPLY_H

#include <stddef.h>

#include "rsp/rsp_int.h"

/*
 * All on the connection's thread. They return 0, or -1 when the client
 * is gone (the connection then ends).
 */

/* rsp_send_all: n bytes to fd as they are (acks, a resent packet). */
int rsp_send_all(int fd, const char *p, size_t n);
/* rsp_reply: payload[0..len) as a packet, kept in r->last for a `-`. */
int rsp_reply(struct rsp *r, const char *payload, size_t len);
int rsp_reply_str(struct rsp *r, const char *s);
/* rsp_reply_err: E and two hex digits of -err (gdb shows the number). */
int rsp_reply_err(struct rsp *r, int err);

#endif
