/* conn.h: a JSON-RPC client's connection: its output, what it follows, and the notifications sent to followers. */
#ifndef TR_SERVER_CORE_CONN_H
#define TR_SERVER_CORE_CONN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "jsonrpc.h"

struct srv_sess;

/* What a connection follows: the sessions whose events it gets, with the
 * thread and frame it selected in each. */
struct srv_follow {
	uint32_t sid;
	pid_t tid;        /* 0: the session's current thread */
	unsigned frame;
};

#define SRV_MAX_FOLLOW 64
/* What one connection may have queued on sessions at once: past it, a
 * request is refused with SRV_E_BUSY (a client pipelining more waits for
 * replies first). */
#define SRV_MAX_QUEUED 64

struct srv_conn {
	int kind;               /* epoll tag: EP_CONN (core/state.h) */
	int fd;
	unsigned id;
	atomic_uint refs;
	atomic_uint queued;     /* its requests queued on sessions */
	bool tcp;
	uid_t uid;              /* its uid (srv_peer_admit) */
	bool authed;            /* token presented (or none needed) */
	/* Epoll thread's: until when an unauthenticated TCP client may
	 * present its token, or (auth_failed) when it hears that its token
	 * was wrong (auth_reply) and is hung up on (core/auth.c). */
	uint64_t auth_deadline_ns;
	bool auth_failed;
	struct tr_buf auth_reply;
	char peer[64];          /* its address, for the log */

	pthread_mutex_t mu;     /* out, closed, follows */
	struct tr_buf out;
	size_t out_off;         /* first unsent byte of out */
	bool closed;
	bool want_out;          /* EPOLLOUT armed */
	bool sending;           /* a worker writes a large reply to fd */
	struct srv_follow follows[SRV_MAX_FOLLOW];
	unsigned nfollows;

	/* descriptors passed with its requests (core/passfd.c), under mu */
#define SRV_MAX_PASSED_FDS 3
	int passed[SRV_MAX_PASSED_FDS];
	unsigned npassed;

	struct tr_rpc_framer fr; /* epoll thread's */
	struct srv_conn *next;   /* server list, under srv.mu */
};

/* srv_follow_get: c's follow of session sid, made when add and there is
 * room; NULL if none. c->mu held. */
struct srv_follow *srv_follow_get(struct srv_conn *c, uint32_t sid,
				  bool add);

/* srv_reset_frames: a new stop of ss: every follower's selected frame
 * goes back to the innermost of the current thread, as in gdb. Any
 * thread, no connection's lock held. */
void srv_reset_frames(struct srv_sess *ss);

/* srv_notify_stop: tell every follower of ss of a stop (stop) or an exit
 * (!stop), json[0..len) the stop as srv_write_stop wrote it. Any thread,
 * no connection's lock held. */
void srv_notify_stop(struct srv_sess *ss, bool stop, const char *json,
		     size_t len);

/* The core's own (not for the front ends). The list of connections is
 * under srv.mu; a connection is reference counted: the epoll thread's
 * reference, one per queued request. */
void srv__conn_ref(struct srv_conn *c);
void srv__conn_unref(struct srv_conn *c);
/* srv__conn_accept: accept a client on listener lfd (Unix, or TCP when
 * tcp). Epoll thread. */
void srv__conn_accept(int lfd, bool tcp);
/* srv__conn_deliver: hand b->data[off..len) to c, after what c has
 * queued; b is left empty (its memory kept or swapped). Any thread. */
void srv__conn_deliver(struct srv_conn *c, struct tr_buf *b, size_t off);
/* srv__conn_writable: EPOLLOUT: write what c has queued. Epoll thread. */
void srv__conn_writable(struct srv_conn *c);
/* srv__conn_close: take c off the list and close it; drops the epoll
 * thread's reference. Epoll thread. */
void srv__conn_close(struct srv_conn *c);
/* srv__conns_close_all: at shutdown, let every connection's queued
 * replies out, then close it. Epoll thread. */
void srv__conns_close_all(void);
/* srv__follow_drop: c no longer follows sid. c->mu held. */
void srv__follow_drop(struct srv_conn *c, uint32_t sid);
/* srv__notify_ended: tell ss's followers that it ended, how. */
void srv__notify_ended(struct srv_sess *ss, const char *how);

#endif
