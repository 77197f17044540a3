/* listen.h: the daemon's listeners, and what a front end that serves its own connections (gdb) gives and tells the core. */
#ifndef TR_SERVER_CORE_LISTEN_H
#define TR_SERVER_CORE_LISTEN_H

#include <stdbool.h>

struct srv_sess;

/*
 * A front end that serves its own connections, one thread each (gdb's
 * remote protocol, the Debug Adapter Protocol): the core listens on its TCP address,
 * accepts, and hands each connection over with the daemon's only
 * session. The core knows it only through this (struct srv_hooks).
 */
struct srv_frontend {
	const char *name;     /* "gdb": its option (--gdb) and its clients
				 in the log ("gdb client on session 1") */
	const char *protocol; /* "remote protocol", for the log */
	/* Serve fd for session ss (NULL: none yet), on a thread of its
	 * own that takes ss's reference and fd, and calls srv_rsp_done(fd)
	 * when it is gone. authed: the peer is a local process of an
	 * allowed uid; else it is elsewhere and must present the token
	 * (srv_token_ok) before it may have a session. 0, or a negative
	 * TR_E* code with fd and ss still the caller's. Epoll thread. */
	int (*start)(int fd, struct srv_sess *ss, bool authed);
};

/* srv_rsp_register / srv_rsp_done: a front end's connection fd is being
 * served / is gone (its thread closes fd after). The core hangs up on
 * those still registered at shutdown and waits for them to be done.
 * Any thread. */
void srv_rsp_register(int fd);
void srv_rsp_done(int fd);

/* The core's own (not for the front ends): opened by srv_run on the
 * main thread before the loop, served and closed on the epoll thread. */
int srv__listen_unix(void);
int srv__listen_tcp(void);
/* srv__listen_front: front end fe's listener on addr, into *fdp
 * (srv.gfd, srv.dfd). */
int srv__listen_front(const struct srv_frontend *fe, const char *addr,
		      int *fdp);
/* srv__accept_front: a connection on fe's listener lfd, handed to fe. */
void srv__accept_front(const struct srv_frontend *fe, int lfd);
/* srv__fronts_shutdown: hang up on every front end's connection and wait
 * (up to 5 s) until they are done. */
void srv__fronts_shutdown(void);
/* srv__listen_close: close the listeners (and unlink the socket). */
void srv__listen_close(void);

#endif
