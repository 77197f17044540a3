/* conn.h: the GDB remote protocol front end as the core sees it: a connection served on a thread of its own. */
#ifndef TR_SERVER_RSP_CONN_H
#define TR_SERVER_RSP_CONN_H

#include <stdbool.h>

#include "core/listen.h"

/* srv_rsp_start: serve gdb's remote protocol on fd for session ss (NULL:
 * none yet, extended-remote makes one), on a detached thread of its own
 * that takes ss's reference and closes fd when the client leaves (and
 * tells the core: srv_rsp_done). !authed: a client from elsewhere, which
 * gets no session until `monitor auth TOKEN` (monitor.c). 0, or
 * -TR_ENOMEM with fd and ss still the caller's. Epoll thread (the core's
 * listener calls it). */
int srv_rsp_start(int fd, struct srv_sess *ss, bool authed);

/* The front end for the core's --gdb listener: srv_rsp_start, and the
 * words the core's log uses for it. */
extern const struct srv_frontend srv_rsp_frontend;

#endif
