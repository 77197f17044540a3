/* auth.c: who may use the daemon: the uid of a local peer (Unix socket, loopback TCP), tokens, and the limits on guessing them. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/auth.h"
#include "core/conn.h"
#include "core/state.h"
#include "endpoint.h"
#include "base/log.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool
srv_uid_allowed(uid_t uid)
{
	if (uid == geteuid())
		return true;
	for (unsigned i = 0; i < srv.o.nallow_uids; i++)
		if (srv.o.allow_uids[i] == uid)
			return true;
	return false;
}

int
srv_peer_admit(int fd, bool tcp, const char *what, uid_t *uidp)
{
	uid_t uid;

	*uidp = geteuid();
	if (!tcp) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl)) {
			tr_log_warn("refused a %s: SO_PEERCRED: %s", what,
				    strerror(errno));
			return -1;
		}
		uid = cred.uid;
	} else {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);

		if (getpeername(fd, (struct sockaddr *)&peer, &pl)) {
			tr_log_warn("refused a %s: %s", what,
				    strerror(errno));
			return -1;
		}
		if (!tr_ep_is_loopback(&peer))
			return 0; /* elsewhere: its token decides */
		/* Loopback: a process of this machine, whose uid the
		 * kernel lists with its socket. Any local user can reach a
		 * loopback port; only ours may drive a debugger that runs
		 * programs with our rights. */
		if (tr_ep_tcp_peer_uid(fd, &uid)) {
			tr_log_warn("refused a %s over loopback: its socket "
				    "is not in /proc/net/tcp, so its uid is "
				    "unknown", what);
			return -1;
		}
	}
	if (!srv_uid_allowed(uid)) {
		tr_log_warn("refused a %s of uid %u (only uid %u%s may "
			    "connect)", what, (unsigned)uid,
			    (unsigned)geteuid(),
			    srv.o.nallow_uids ? " and --allow-uid's" : "");
		return -1;
	}
	*uidp = uid;
	return 1;
}

bool
srv_token_ok(const char *given, size_t len)
{
	size_t tl = strlen(srv.token);
	unsigned char diff = len != tl || !srv.have_token;

	/* compare every byte whatever differs first */
	for (size_t i = 0; i < tl; i++)
		diff |= (unsigned char)(srv.token[i] ^
					(i < len ? given[i] : 0));
	return diff == 0;
}

void
srv_auth_failed(const char *who)
{
	static atomic_ulong failures;

	tr_log_warn("wrong token from %s (%lu so far): answered in %d ms, "
		    "then hung up on", who, atomic_fetch_add(&failures, 1) + 1,
		    SRV_AUTH_DELAY_MS);
}

void
srv__auth_penalize(struct srv_conn *c, struct tr_buf *reply)
{
	struct epoll_event ev = { .events = 0, .data.ptr = c };

	srv_auth_failed(c->peer);
	c->auth_failed = true;
	c->auth_deadline_ns = now_ns() + SRV_AUTH_DELAY_MS * 1000000ull;
	tr_buf_free(&c->auth_reply);
	c->auth_reply = *reply;
	tr_buf_init(reply);
	/* nothing more is read from it: pipelined guesses wait too */
	epoll_ctl(srv.ep, EPOLL_CTL_MOD, c->fd, &ev);
}

int
srv__auth_tick(void)
{
	struct srv_conn *due[64];
	unsigned n = 0;
	uint64_t now = now_ns();

	if (!srv.nunauthed)
		return -1;
	pthread_mutex_lock(&srv.mu);
	for (struct srv_conn *c = srv.conns; c && n < 64; c = c->next)
		if (c->tcp && !c->authed && now >= c->auth_deadline_ns) {
			srv__conn_ref(c);
			due[n++] = c;
		}
	pthread_mutex_unlock(&srv.mu);
	for (unsigned i = 0; i < n; i++) {
		struct srv_conn *c = due[i];

		if (c->auth_failed) {
			char junk[4096];
			int k = 0;

			srv__conn_deliver(c, &c->auth_reply, 0);
			/* what it sent meanwhile goes unread: drop it first,
			 * or the close resets the connection and the answer
			 * may never reach the client */
			while (k++ < 256 && c->fd >= 0 &&
			       recv(c->fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
				;
		} else {
			tr_log_warn("client %u (%s) sent no token in %d s: "
				    "hung up on", c->id, c->peer,
				    SRV_AUTH_GRACE_MS / 1000);
		}
		pthread_mutex_lock(&c->mu);
		bool closed = c->closed;
		pthread_mutex_unlock(&c->mu);
		if (!closed)
			srv__conn_close(c);
		srv__conn_unref(c);
	}
	/* deadlines are a second or more: a tenth of one is close enough */
	return 100;
}
