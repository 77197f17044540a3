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
/* srv_rsp_start_stdio: the same on descriptors in and out (copies of
 * stdin and stdout: tracerd --gdb -), the client trusted as the one who
 * started us; when it leaves, the daemon shuts down. */
int srv_rsp_start_stdio(int in, int out, struct srv_sess *ss);

/*
 * A connection served by the caller rather than by a thread of its own
 * (tests/fuzz drives the packet handlers this way; srv_rsp_start uses
 * them too). rsp_conn_new: the state of connection fd (replies are
 * written to it) on session ss (NULL: none; it takes ss's reference),
 * authed as for srv_rsp_start; NULL when out of memory. Packets go to
 * rsp_locked_packet (rsp/packet.h). rsp_conn_bind: take on session ss
 * (its reference). rsp_conn_live: it has a session whose target lives.
 * rsp_conn_drop: let the session go (kill_it: its target killed and the
 * session ended first). rsp_conn_free: free the state (not fd, nor a
 * session still bound). The connection's thread, or the caller's.
 */
struct rsp;
struct rsp *rsp_conn_new(int fd, struct srv_sess *ss, bool authed);
void rsp_conn_bind(struct rsp *r, struct srv_sess *ss);
bool rsp_conn_live(const struct rsp *r);
void rsp_conn_drop(struct rsp *r, bool kill_it);
void rsp_conn_free(struct rsp *r);

/* The front end for the core's --gdb listener: srv_rsp_start, and the
 * words the core's log uses for it. */
extern const struct srv_frontend srv_rsp_frontend;

#endif
