/* server.c: the tracerd daemon's epoll loop: start-up, the events of listeners, clients, signals and workers, and shutdown. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "core/auth.h"
#include "core/conn.h"
#include "core/listen.h"
#include "core/request.h"
#include "core/server.h"
#include "core/sess.h"
#include "core/state.h"
#include "endpoint.h"
#include "base/error.h"
#include "base/log.h"

const struct srv_opts *
srv_options(void)
{
	return &srv.o;
}

void
srv_shutdown_request(void)
{
	atomic_store(&srv.stopping, true);
	srv__wake_loop();
}

bool
srv_stopping(void)
{
	return atomic_load(&srv.stopping);
}

static int
ep_add(int fd, int *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(srv.ep, EPOLL_CTL_ADD, fd, &ev);
}

/* A session made from the command line (--launch, --attach). */
static int
initial_session(struct tr_launch *l, pid_t attach_pid)
{
	int err;
	struct srv_sess *ss = srv_sess_start(l, attach_pid, &err);

	if (!ss) {
		srv__sess_reap(true);
		return -1;
	}
	srv_sess_unref(ss);
	return 0;
}

int
srv_core_init(const struct srv_opts *o, const struct srv_hooks *h)
{
	srv.o = *o;
	srv.h = *h;
	pthread_mutex_init(&srv.mu, NULL);
	for (int i = 0; i < EP_MAX_; i++)
		srv.tags[i] = i;
	srv.ep = epoll_create1(EPOLL_CLOEXEC);
	srv.wfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (srv.ep < 0 || srv.wfd < 0) {
		tr_log_error("epoll/eventfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
srv_run(const struct srv_opts *o, const struct srv_hooks *h,
	struct tr_launch *launch, pid_t attach_pid)
{
	sigset_t mask;
	int rc = 1;

	/* SIGCHLD for the tracers' signalfds, SIGINT/SIGTERM for ours:
	 * blocked before any thread exists, so every thread inherits it. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (srv_core_init(o, h))
		return 1;

	if (o->token_file) {
		char why[200];
		int err = tr_ep_read_token(o->token_file, srv.token,
					   sizeof(srv.token), why, sizeof(why));

		if (err) {
			tr_log_error("--token-file %s: %s", o->token_file, why);
			return 2;
		}
		srv.have_token = true;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	srv.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (srv.sfd < 0) {
		tr_log_error("signalfd: %s", strerror(errno));
		return 1;
	}
	/* an adapter an editor started (or gdb, --gdb -) serves its client
	 * only, unless given a socket: another daemon may hold the default
	 * one */
	if (((!(o->dap_stdio || o->gdb_stdio) || o->socket_path) &&
	     srv__listen_unix()) ||
	    (o->tcp && srv__listen_tcp()) ||
	    (o->gdb && h->gdb && srv__listen_front(h->gdb, o->gdb,
						   &srv.gfd)) ||
	    (o->dap && h->dap && srv__listen_front(h->dap, o->dap,
						   &srv.dfd)))
		goto out;
	if ((srv.ufd >= 0 && ep_add(srv.ufd, &srv.tags[EP_UNIX])) ||
	    (srv.tfd >= 0 && ep_add(srv.tfd, &srv.tags[EP_TCP])) ||
	    ep_add(srv.sfd, &srv.tags[EP_SIGNAL]) ||
	    ep_add(srv.wfd, &srv.tags[EP_WAKE]) ||
	    (srv.gfd >= 0 && ep_add(srv.gfd, &srv.tags[EP_GDB])) ||
	    (srv.dfd >= 0 && ep_add(srv.dfd, &srv.tags[EP_DAP])))
		goto out;
	if ((launch || attach_pid) && initial_session(launch, attach_pid))
		goto out;
	if (o->gdb_stdio) {
		struct srv_sess *ss = srv_sess_only();
		int err = h->gdb_stdio ? h->gdb_stdio(o->gdb_in, o->gdb_out, ss)
				       : -1;

		if (err) {
			if (ss)
				srv_sess_unref(ss);
			goto out;
		}
	}
	/* Ready: a line on stdout for whoever started us (scripts wait
	 * for it instead of polling for the socket); with DAP on stdio,
	 * stdout is the protocol's and the line goes to stderr. */
	if (o->gdb_stdio) {
		if (srv.ufd >= 0)
			tr_log_info("listening on %s", srv.sock_path);
	} else if (o->dap_stdio) {
		if (!h->dap_stdio || h->dap_stdio())
			goto out;
		if (srv.ufd >= 0)
			tr_log_info("listening on %s", srv.sock_path);
	} else {
		printf("tracerd: listening on %s\n", srv.sock_path);
		fflush(stdout);
	}

	while (!atomic_load(&srv.stopping)) {
		struct epoll_event evs[64];
		int tick = srv__auth_tick();
		int n = epoll_wait(srv.ep, evs, 64,
				   srv__sess_reinterrupt() ? 20 : tick);

		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			int *tag = evs[i].data.ptr;

			switch (*tag) {
			case EP_UNIX:
				srv__conn_accept(srv.ufd, false);
				break;
			case EP_TCP:
				srv__conn_accept(srv.tfd, true);
				break;
			case EP_GDB:
				srv__accept_front(srv.h.gdb, srv.gfd);
				break;
			case EP_DAP:
				srv__accept_front(srv.h.dap, srv.dfd);
				break;
			case EP_SIGNAL: {
				struct signalfd_siginfo si;

				while (read(srv.sfd, &si, sizeof(si)) ==
				       sizeof(si)) {
					tr_log_info("signal %u: shutting "
						    "down", si.ssi_signo);
					atomic_store(&srv.stopping, true);
				}
				break;
			}
			case EP_SUB:
				srv__sess_watch();
				break;
			case EP_WAKE: {
				uint64_t v;

				if (read(srv.wfd, &v, sizeof(v)) < 0)
					(void)0;
				srv__sess_reap(false);
				break;
			}
			case EP_CONN: {
				struct srv_conn *c = (struct srv_conn *)tag;

				srv__conn_ref(c);
				pthread_mutex_lock(&c->mu);
				bool closed = c->closed;
				pthread_mutex_unlock(&c->mu);
				if (!closed && c->auth_failed) {
					/* waiting for its answer (auth.c):
					 * nothing is read; a client that
					 * gives up is let go */
					if (evs[i].events &
					    (EPOLLHUP | EPOLLERR))
						srv__conn_close(c);
					srv__conn_unref(c);
					break;
				}
				if (!closed && (evs[i].events & EPOLLOUT))
					srv__conn_writable(c);
				if (evs[i].events & (EPOLLIN | EPOLLHUP |
						     EPOLLERR)) {
					pthread_mutex_lock(&c->mu);
					closed = c->closed;
					pthread_mutex_unlock(&c->mu);
					if (!closed)
						srv__request_read(c);
				}
				srv__conn_unref(c);
				break;
			}
			}
		}
	}
	rc = 0;
out:
	tr_log_info("shutting down");
	atomic_store(&srv.stopping, true);
	/* the front ends' connections first: their threads use the
	 * sessions */
	srv__fronts_shutdown();
	srv__sess_stop_all();
	srv__conns_close_all();
	srv__listen_close();
	return rc;
}
