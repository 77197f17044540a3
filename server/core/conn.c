/* conn.c: the JSON-RPC clients' connections: accepting them, their output (replies and notifications, written by whichever thread made them), what they follow, closing. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/auth.h"
#include "core/conn.h"
#include "core/passfd.h"
#include "core/sess.h"
#include "core/state.h"
#include "base/log.h"

/* A connection whose unsent output grows past this is not reading its
 * replies: it is dropped rather than let it hold the daemon's memory. */
#define MAX_PENDING_OUT (1u << 30)

void
srv__conn_ref(struct srv_conn *c)
{
	atomic_fetch_add(&c->refs, 1);
}

void
srv__conn_unref(struct srv_conn *c)
{
	if (atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	tr_buf_free(&c->out);
	tr_buf_free(&c->auth_reply);
	srv__conn_drop_fds(c);
	tr_rpc_framer_free(&c->fr);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* Write what the socket takes; arm EPOLLOUT for the rest. c->mu held. */
static void
conn_flush_locked(struct srv_conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off,
				 c->out.len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			c->out_off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!c->want_out) {
				struct epoll_event ev = {
					.events = EPOLLIN | EPOLLOUT,
					.data.ptr = c };

				c->want_out = true;
				epoll_ctl(srv.ep, EPOLL_CTL_MOD, c->fd, &ev);
			}
			return;
		}
		/* the peer is gone: the epoll loop closes on the hang-up */
		shutdown(c->fd, SHUT_RDWR);
		c->out_off = c->out.len;
		break;
	}
	c->out_off = 0;
	if (c->out.cap > (1u << 20))
		tr_buf_free(&c->out); /* do not keep a bulk reply's memory */
	else
		tr_buf_reset(&c->out);
	if (c->want_out) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

		c->want_out = false;
		epoll_ctl(srv.ep, EPOLL_CTL_MOD, c->fd, &ev);
	}
}

/* Replies this large are written by the thread that made them, from its
 * own buffer, while it waits for the socket (see srv__conn_deliver). */
#define BIG_REPLY (256u << 10)
/* A client that takes nothing for this long while a large reply waits has
 * the rest queued like any reply, for the epoll loop to write. */
#define SEND_STALL_MS 5000

/* Write buf[0..len) to fd, waiting for the socket; stops early when it
 * makes no progress for SEND_STALL_MS. Returns the bytes written, or
 * (size_t)-1 when the peer is gone. */
static size_t
send_waiting(int fd, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, buf + done, len - done,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, SEND_STALL_MS) == 0)
				return done; /* stalled */
			continue;
		}
		return (size_t)-1;
	}
	return done;
}

/*
 * Hand b->data[off..len) to c, in order after what c already has queued.
 *  - A large reply (a bulk memory read) to a connection with nothing
 *    queued is written from b by the calling thread (a session worker),
 *    which waits for the socket without holding c's lock: the target's
 *    bytes go from the buffer process_vm_readv wrote them into to the
 *    socket, and b keeps its memory (and its pages) for the next read.
 *    Meanwhile other replies for c are queued behind it.
 *  - Otherwise, when nothing is queued and b is small, the buffers are
 *    swapped rather than copied; else b's bytes are appended.
 */
void
srv__conn_deliver(struct srv_conn *c, struct tr_buf *b, size_t off)
{
	if (off >= b->len)
		return;
	pthread_mutex_lock(&c->mu);
	if (c->closed) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	if (c->out_off >= c->out.len && !c->sending &&
	    b->len - off >= BIG_REPLY) {
		int fd = c->fd;
		size_t n;

		c->sending = true;
		pthread_mutex_unlock(&c->mu);
		n = send_waiting(fd, b->data + off, b->len - off);
		pthread_mutex_lock(&c->mu);
		c->sending = false;
		if (c->closed) {
			/* srv__conn_close left the descriptor to us */
			close(fd);
			pthread_mutex_unlock(&c->mu);
			return;
		}
		if (n == (size_t)-1) {
			shutdown(fd, SHUT_RDWR);
		} else if (n < b->len - off) {
			/* stalled: the rest goes first in line */
			struct tr_buf rest;

			tr_buf_init(&rest);
			if (tr_buf_append(&rest, b->data + off + n,
					  b->len - off - n) ||
			    tr_buf_append(&rest, c->out.data + c->out_off,
					  c->out.len - c->out_off)) {
				shutdown(fd, SHUT_RDWR);
				tr_buf_free(&rest);
			} else {
				tr_buf_free(&c->out);
				c->out = rest;
				c->out_off = 0;
			}
		}
	} else if (c->out_off >= c->out.len && !c->sending &&
		   b->cap <= (1u << 20)) {
		struct tr_buf tmp = c->out;

		c->out = *b;
		c->out_off = off;
		*b = tmp;
	} else if (c->out.len - c->out_off > MAX_PENDING_OUT) {
		tr_log_warn("client %u reads no replies: dropped", c->id);
		shutdown(c->fd, SHUT_RDWR);
	} else if (tr_buf_append(&c->out, b->data + off, b->len - off)) {
		tr_log_warn("client %u: out of memory for a reply: dropped",
			    c->id);
		shutdown(c->fd, SHUT_RDWR);
	}
	tr_buf_reset(b);
	if (!c->sending)
		conn_flush_locked(c);
	pthread_mutex_unlock(&c->mu);
}

void
srv__conn_writable(struct srv_conn *c)
{
	pthread_mutex_lock(&c->mu);
	if (!c->closed && !c->sending)
		conn_flush_locked(c);
	pthread_mutex_unlock(&c->mu);
}

/* "127.0.0.1:41234", or "unix" for the log. */
static void
peer_name(int fd, bool tcp, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	snprintf(buf, len, "unix");
	if (!tcp || getpeername(fd, (struct sockaddr *)&ss, &sl))
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
	}
	snprintf(buf, len, "%s:%u", host, port);
}

void
srv__conn_accept(int lfd, bool tcp)
{
	struct srv_conn *c;
	struct epoll_event ev;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	uid_t uid;
	int local;

	if (fd < 0)
		return;
	/* Only our uid (and --allow-uid's) from this machine; from
	 * elsewhere, only with the token. */
	local = srv_peer_admit(fd, tcp, tcp ? "tcp client" : "client", &uid);
	if (local < 0) {
		close(fd);
		return;
	}
	if (tcp) {
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (srv.have_token && srv.nunauthed >= SRV_MAX_UNAUTHED) {
			tr_log_warn("refused a tcp client: %d others have "
				    "not presented their token yet",
				    SRV_MAX_UNAUTHED);
			close(fd);
			return;
		}
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->kind = EP_CONN;
	c->fd = fd;
	c->tcp = tcp;
	c->uid = uid;
	c->authed = !tcp || !srv.have_token;
	peer_name(fd, tcp, c->peer, sizeof(c->peer));
	if (!c->authed) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		c->auth_deadline_ns = (uint64_t)ts.tv_sec * 1000000000u +
				      (uint64_t)ts.tv_nsec +
				      SRV_AUTH_GRACE_MS * 1000000ull;
		srv.nunauthed++;
	}
	atomic_init(&c->refs, 1);
	pthread_mutex_init(&c->mu, NULL);
	tr_buf_init(&c->out);
	tr_rpc_framer_init(&c->fr, srv.o.max_line);
	pthread_mutex_lock(&srv.mu);
	c->id = ++srv.next_cid;
	c->next = srv.conns;
	srv.conns = c;
	pthread_mutex_unlock(&srv.mu);
	ev.events = EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(srv.ep, EPOLL_CTL_ADD, fd, &ev)) {
		srv__conn_close(c);
		return;
	}
	tr_log_info("client %u connected (%s)", c->id, c->peer);
}

void
srv__conn_close(struct srv_conn *c)
{
	struct srv_conn **pp;

	pthread_mutex_lock(&srv.mu);
	for (pp = &srv.conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	pthread_mutex_unlock(&srv.mu);
	if (c->tcp && !c->authed && srv.nunauthed)
		srv.nunauthed--;
	srv__sess_cancel_conn(c);
	pthread_mutex_lock(&c->mu);
	c->closed = true;
	epoll_ctl(srv.ep, EPOLL_CTL_DEL, c->fd, NULL);
	/* a worker writing a large reply closes it when done, so that the
	 * descriptor is not reused under it */
	if (!c->sending)
		close(c->fd);
	c->fd = -1;
	pthread_mutex_unlock(&c->mu);
	tr_log_info("client %u disconnected", c->id);
	srv__conn_unref(c);
}

/* At shutdown (epoll thread, the workers joined): let every connection's
 * queued replies out, then close it. */
void
srv__conns_close_all(void)
{
	while (srv.conns) {
		struct srv_conn *c = srv.conns;

		/* let queued replies out before closing */
		pthread_mutex_lock(&c->mu);
		if (c->out_off < c->out.len) {
			int fl = fcntl(c->fd, F_GETFL);

			fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK);
			while (c->out_off < c->out.len) {
				ssize_t k = send(c->fd,
						 c->out.data + c->out_off,
						 c->out.len - c->out_off,
						 MSG_NOSIGNAL);

				if (k <= 0)
					break;
				c->out_off += (size_t)k;
			}
		}
		pthread_mutex_unlock(&c->mu);
		srv__conn_close(c);
	}
}

struct srv_follow *
srv_follow_get(struct srv_conn *c, uint32_t sid, bool add)
{
	for (unsigned i = 0; i < c->nfollows; i++)
		if (c->follows[i].sid == sid)
			return &c->follows[i];
	if (!add || c->nfollows == SRV_MAX_FOLLOW)
		return NULL;
	c->follows[c->nfollows] = (struct srv_follow){ .sid = sid };
	return &c->follows[c->nfollows++];
}

void
srv__follow_drop(struct srv_conn *c, uint32_t sid)
{
	for (unsigned i = 0; i < c->nfollows; i++)
		if (c->follows[i].sid == sid) {
			c->follows[i] = c->follows[--c->nfollows];
			return;
		}
}

/* A new stop: every follower's selected frame goes back to the innermost
 * of the current thread, as in gdb. */
void
srv_reset_frames(struct srv_sess *ss)
{
	pthread_mutex_lock(&srv.mu);
	for (struct srv_conn *c = srv.conns; c; c = c->next) {
		struct srv_follow *f;

		pthread_mutex_lock(&c->mu);
		if ((f = srv_follow_get(c, ss->id, false))) {
			f->tid = 0;
			f->frame = 0;
		}
		pthread_mutex_unlock(&c->mu);
	}
	pthread_mutex_unlock(&srv.mu);
}

/* Send one notification (b) to every connection following ss. */
static void
broadcast(struct srv_sess *ss, struct tr_buf *b)
{
	struct srv_conn *to[256];
	unsigned n = 0;

	pthread_mutex_lock(&srv.mu);
	for (struct srv_conn *c = srv.conns; c && n < 256; c = c->next) {
		bool f;

		pthread_mutex_lock(&c->mu);
		f = srv_follow_get(c, ss->id, false) != NULL;
		pthread_mutex_unlock(&c->mu);
		if (f) {
			srv__conn_ref(c);
			to[n++] = c;
		}
	}
	pthread_mutex_unlock(&srv.mu);
	for (unsigned i = 0; i < n; i++) {
		struct tr_buf copy;

		tr_buf_init(&copy);
		if (tr_buf_append(&copy, b->data, b->len) == 0)
			srv__conn_deliver(to[i], &copy, 0);
		tr_buf_free(&copy);
		srv__conn_unref(to[i]);
	}
}

void
srv_notify_stop(struct srv_sess *ss, bool stop, const char *json, size_t len)
{
	struct tr_buf b;
	struct tr_jw w;

	/* the end of a target is told once: by its run request or by the
	 * watch (sess.c), whichever comes first */
	if (!stop && atomic_exchange(&ss->exit_told, true))
		return;
	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	tr_rpc_begin_notification(&w, stop ? "stopped" : "exited");
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "session");
	tr_jw_uint(&w, ss->id);
	tr_jw_key(&w, "stop");
	tr_jw_raw(&w, json, len);
	if (tr_rpc_end(&w) == 0)
		broadcast(ss, &b);
	tr_buf_free(&b);
}

void
srv__notify_ended(struct srv_sess *ss, const char *how)
{
	struct tr_buf b;
	struct tr_jw w;

	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	tr_rpc_begin_notification(&w, "session_ended");
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "session");
	tr_jw_uint(&w, ss->id);
	tr_jw_key(&w, "how");
	tr_jw_cstr(&w, how);
	if (tr_rpc_end(&w) == 0)
		broadcast(ss, &b);
	tr_buf_free(&b);
}
