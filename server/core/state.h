/* state.h: the daemon's state, which the core's files share under one lock (the front ends never see it). */
#ifndef TR_SERVER_CORE_STATE_H
#define TR_SERVER_CORE_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/server.h"

/* epoll tags: what an event's data.ptr points to starts with one */
enum { EP_CONN = 1, EP_UNIX = 2, EP_TCP = 3, EP_SIGNAL = 4, EP_WAKE = 5,
       EP_GDB = 6, EP_SUB = 7, EP_DAP = 8, EP_MAX_ };

struct srv_conn;
struct srv_sess;

struct srv_daemon {
	struct srv_opts o;
	struct srv_hooks h;  /* the front ends */
	int ep;
	int ufd, tfd, sfd, wfd, gfd, dfd; /* dfd: --dap-listen */
	int tags[EP_MAX_];
	int rsp_fds[16];     /* gdb and DAP connections, under mu */
	unsigned nrsp;
	char sock_path[108];
	dev_t sock_dev;      /* the socket file we made */
	ino_t sock_ino;
	char token[256];
	bool have_token;
	unsigned nunauthed;  /* TCP connections without a token yet (epoll
				thread's) */

	pthread_mutex_t mu; /* conns, sesss, next ids */
	struct srv_conn *conns;
	struct srv_sess *sesss;
	struct srv_sess *ended;  /* left the list; worker not joined yet */
	uint32_t next_sid;
	unsigned next_cid;
	atomic_bool stopping;
};

/* The one daemon (state.c); set up by srv_run before any other thread. */
extern struct srv_daemon srv;

/* srv__wake_loop: poke the epoll loop's eventfd (a worker is done, a
 * shutdown was asked for). Any thread. */
void srv__wake_loop(void);

#endif
