/* reply.h: sending to the client: packets and error replies. */
#ifndef TR_SERVER_RSP_REPLY_H
#define TR_SERVER_RSP_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rsp/rsp_int.h"

/*
 * All on the connection's thread. They return 0, or -1 when the client
 * is gone (the connection then ends).
 */

/* rsp_recv: recv(), or read() when fd is no socket (the protocol on
 * stdin); nowait: -1 with EAGAIN when nothing is there. */
ssize_t rsp_recv(int fd, void *buf, size_t len, bool nowait);
/* rsp_send_all: n bytes to fd as they are (acks, a resent packet);
 * write() when fd is no socket (stdout). */
int rsp_send_all(int fd, const char *p, size_t n);
/* rsp_reply: payload[0..len) as a packet, kept in r->last for a `-`. */
int rsp_reply(struct rsp *r, const char *payload, size_t len);
int rsp_reply_str(struct rsp *r, const char *s);
/* rsp_reply_err: E and two hex digits of -err (gdb shows the number). */
int rsp_reply_err(struct rsp *r, int err);

#endif
