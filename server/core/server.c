/* server.c: the tracerd daemon: the epoll loop, client connections, sessions and their workers. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/server.h"
#include "endpoint.h"
#include "error.h"
#include "log.h"

/* epoll tags */
enum { EP_CONN = 1, EP_UNIX = 2, EP_TCP = 3, EP_SIGNAL = 4, EP_WAKE = 5,
       EP_GDB = 6 };

/* A connection whose unsent output grows past this is not reading its
 * replies: it is dropped rather than let it hold the daemon's memory. */
#define MAX_PENDING_OUT (1u << 30)
#define MAX_SESSIONS 64

static struct {
	struct srv_opts o;
	struct srv_hooks h;  /* the front ends */
	int ep;
	int ufd, tfd, sfd, wfd, gfd;
	int tags[7];
	int rsp_fds[16];     /* gdb connections, under mu */
	unsigned nrsp;
	char sock_path[108];
	char token[256];
	bool have_token;

	pthread_mutex_t mu; /* conns, sesss, next ids */
	struct srv_conn *conns;
	struct srv_sess *sesss;
	struct srv_sess *ended;  /* left the list; worker not joined yet */
	uint32_t next_sid;
	unsigned next_cid;
	atomic_bool stopping;
} srv = { .ufd = -1, .tfd = -1, .sfd = -1, .wfd = -1, .gfd = -1 };

const struct srv_opts *
srv_options(void)
{
	return &srv.o;
}

static void
wake_loop(void)
{
	uint64_t one = 1;

	if (write(srv.wfd, &one, sizeof(one)) < 0)
		tr_log_debug("wake: %s", strerror(errno));
}

/* ---- connections ------------------------------------------------------ */

static void
conn_ref(struct srv_conn *c)
{
	atomic_fetch_add(&c->refs, 1);
}

static void
conn_unref(struct srv_conn *c)
{
	if (atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	tr_buf_free(&c->out);
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
 * own buffer, while it waits for the socket (see conn_deliver). */
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
static void
conn_deliver(struct srv_conn *c, struct tr_buf *b, size_t off)
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
			/* conn_close left the descriptor to us */
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

static void
conn_close(struct srv_conn *c)
{
	struct srv_conn **pp;

	pthread_mutex_lock(&srv.mu);
	for (pp = &srv.conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	pthread_mutex_unlock(&srv.mu);
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
	conn_unref(c);
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

static void
follow_drop(struct srv_conn *c, uint32_t sid)
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
			conn_ref(c);
			to[n++] = c;
		}
	}
	pthread_mutex_unlock(&srv.mu);
	for (unsigned i = 0; i < n; i++) {
		struct tr_buf copy;

		tr_buf_init(&copy);
		if (tr_buf_append(&copy, b->data, b->len) == 0)
			conn_deliver(to[i], &copy, 0);
		tr_buf_free(&copy);
		conn_unref(to[i]);
	}
}

void
srv_notify_stop(struct srv_sess *ss, bool stop, const char *json, size_t len)
{
	struct tr_buf b;
	struct tr_jw w;

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

static void
notify_ended(struct srv_sess *ss, const char *how)
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

/* ---- replies ------------------------------------------------------------ */

int
srv_begin(struct srv_call *x)
{
	x->replied = true;
	return tr_rpc_begin_result(&x->w, x->req->id);
}

int
srv_error(struct srv_call *x, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* a result half written is dropped: the error replaces it */
	x->out->len = x->body_off;
	x->replied = true;
	tr_rpc_begin_error(&x->w, x->req->id, code, msg);
	tr_rpc_end(&x->w);
	return code;
}

/* An error of the library, as a JSON-RPC error: the codes a client acts
 * on get their own numbers, the rest SRV_E_TARGET with the message. */
int
srv_lib_error(struct srv_call *x, int err, const char *what)
{
	int code = SRV_E_TARGET;

	switch (-err) {
	case TR_ERUNNING:
		code = SRV_E_RUNNING;
		break;
	case TR_EFAULT:
		code = SRV_E_MEMORY;
		break;
	case TR_EGONE:
		code = SRV_E_GONE;
		break;
	case TR_EINVAL:
		code = TR_RPC_INVALID_PARAMS;
		break;
	}
	return srv_error(x, code, "%s%s%s", what ? what : "",
			 what ? ": " : "", tr_strerror(err));
}

/*
 * A reply made of a JSON line and raw bytes after it. The caller put the
 * raw bytes at x->out->data[body_off + header_room ..len) and gives the
 * JSON line (with its '\n') in header: it goes just before them, so the
 * bytes are never moved.
 */
int
srv_reply_binary(struct srv_call *x, size_t header_room, const char *header,
		 size_t hlen)
{
	if (hlen > header_room)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "header too long");
	memcpy(x->out->data + x->body_off + header_room - hlen, header, hlen);
	x->body_off += header_room - hlen;
	x->replied = true;
	return 0;
}

/* ---- sessions ----------------------------------------------------------- */

static void
job_free(struct srv_job *j)
{
	tr_rpc_request_free(&j->req);
	if (j->c)
		conn_unref(j->c);
	free(j);
}

/* Run one request of a session (worker) or of the server (epoll thread)
 * into *out; *off: where the reply starts in it. */
static void
call_exec(struct srv_conn *c, struct srv_sess *ss,
	  const struct tr_rpc_request *req, const struct srv_method *m,
	  struct tr_buf *out, size_t *off)
{
	struct srv_call x = { .c = c, .ss = ss, .req = req, .out = out };

	tr_jw_init(&x.w, out);
	x.params = req->params && req->params->kind == TR_JSON_OBJECT
			   ? req->params : NULL;
	m->fn(&x);
	if (!x.replied)
		srv_error(&x, TR_RPC_INTERNAL_ERROR, "no reply");
	*off = x.body_off;
}

static void
call_run(struct srv_conn *c, struct srv_sess *ss,
	 const struct tr_rpc_request *req, const struct srv_method *m)
{
	struct tr_buf out;
	size_t off;

	tr_buf_init(&out);
	call_exec(c, ss, req, m, &out, &off);
	if (!tr_rpc_is_notification(req))
		conn_deliver(c, &out, off);
	tr_buf_free(&out);
}

static void
sess_unref_free(struct srv_sess *ss)
{
	while (ss->bps) {
		struct srv_bp *b = ss->bps;

		ss->bps = b->next;
		free(b->spec);
		free(b->cond);
		free(b);
	}
	free(ss->program);
	tr_buf_free(&ss->out);
	pthread_mutex_destroy(&ss->mu);
	pthread_mutex_destroy(&ss->target_mu);
	pthread_cond_destroy(&ss->cv);
	free(ss);
}

void
srv_sess_unref(struct srv_sess *ss)
{
	if (atomic_fetch_sub(&ss->refs, 1) == 1)
		sess_unref_free(ss);
}

static void
sess_list_remove(struct srv_sess *ss)
{
	struct srv_sess **pp;
	bool found = false;

	pthread_mutex_lock(&srv.mu);
	for (pp = &srv.sesss; *pp; pp = &(*pp)->next)
		if (*pp == ss) {
			*pp = ss->next;
			found = true;
			break;
		}
	/* the list's reference goes with it to the ended list, where the
	 * epoll loop joins the worker */
	if (found) {
		ss->next = srv.ended;
		srv.ended = ss;
	}
	for (struct srv_conn *c = srv.conns; c; c = c->next) {
		pthread_mutex_lock(&c->mu);
		follow_drop(c, ss->id);
		pthread_mutex_unlock(&c->mu);
	}
	pthread_mutex_unlock(&srv.mu);
}

static void *
worker_main(void *arg)
{
	struct srv_sess *ss = arg;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct srv_job *j;

		pthread_mutex_lock(&ss->mu);
		while (!ss->head && !ss->quit)
			pthread_cond_wait(&ss->cv, &ss->mu);
		j = ss->head;
		if (j) {
			ss->head = j->next;
			if (!ss->head)
				ss->tail = NULL;
		}
		pthread_mutex_unlock(&ss->mu);
		if (!j)
			break; /* quit, queue empty */
		if (atomic_load(&ss->ended) || ss->quit) {
			struct srv_call x = { 0 };
			struct tr_buf out;

			tr_buf_init(&out);
			x.out = &out;
			x.req = &j->req;
			tr_jw_init(&x.w, &out);
			srv_error(&x, ss->quit ? SRV_E_SHUTDOWN
					       : SRV_E_NO_SESSION,
				  ss->quit ? "the server is shutting down"
					   : "session %u has ended", ss->id);
			if (!tr_rpc_is_notification(&j->req))
				conn_deliver(j->c, &out, 0);
			tr_buf_free(&out);
		} else {
			struct timespec t0, t1;

			struct tr_buf *out = &ss->out;
			size_t off;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (j->m->flags & SRV_M_RUNS)
				atomic_store(&ss->busy_running, true);
			tr_buf_reset(out);
			pthread_mutex_lock(&ss->target_mu);
			call_exec(j->c, ss, &j->req, j->m, out, &off);
			pthread_mutex_unlock(&ss->target_mu);
			/* not running any more before the client hears it:
			 * its next request must not be refused */
			if (j->m->flags & SRV_M_RUNS) {
				atomic_store(&ss->busy_running, false);
				atomic_fetch_sub(&ss->runs_queued, 1);
			}
			if (!tr_rpc_is_notification(&j->req))
				conn_deliver(j->c, out, off);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			ss->requests++;
			ss->busy_ns += (uint64_t)(t1.tv_sec - t0.tv_sec) *
					       1000000000u +
				       (uint64_t)(t1.tv_nsec - t0.tv_nsec);
		}
		job_free(j);
		if (atomic_load(&ss->ended) && !ss->quit) {
			/* detached or killed: no more requests */
			pthread_mutex_lock(&ss->mu);
			ss->quit = true;
			pthread_mutex_unlock(&ss->mu);
		}
	}
	/* a gdb connection may be in a packet: it sees `ended` next */
	pthread_mutex_lock(&ss->target_mu);
	tr_session_free(ss->s);
	ss->s = NULL;
	ss->t = NULL;
	pthread_mutex_unlock(&ss->target_mu);
	atomic_store(&ss->worker_done, true);
	wake_loop(); /* the epoll loop joins this thread */
	return NULL;
}

struct srv_sess *
srv_sess_new(struct srv_call *x)
{
	struct tr_session_opts so = {
		.detach_launched = srv.o.on_exit == SRV_DETACH_LAUNCHED,
		.no_compiled_conditions = srv.o.no_compiled_conditions,
	};
	struct srv_sess *ss;
	unsigned n = 0;
	int err;

	pthread_mutex_lock(&srv.mu);
	for (ss = srv.sesss; ss; ss = ss->next)
		n++;
	pthread_mutex_unlock(&srv.mu);
	if (n >= MAX_SESSIONS) {
		srv_error(x, SRV_E_BUSY, "too many sessions (%d)",
			  MAX_SESSIONS);
		return NULL;
	}
	ss = calloc(1, sizeof(*ss));
	if (!ss) {
		srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&ss->mu, NULL);
	pthread_mutex_init(&ss->target_mu, NULL);
	pthread_cond_init(&ss->cv, NULL);
	atomic_init(&ss->refs, 2); /* the list's and the worker's */
	err = tr_session_new(&so, &ss->s);
	if (err) {
		srv_lib_error(x, err, "cannot start a session");
		sess_unref_free(ss);
		return NULL;
	}
	ss->t = tr_session_tracer(ss->s);
	if (pthread_create(&ss->th, NULL, worker_main, ss)) {
		tr_session_free(ss->s);
		sess_unref_free(ss);
		srv_error(x, TR_RPC_INTERNAL_ERROR, "cannot start a thread");
		return NULL;
	}
	pthread_mutex_lock(&srv.mu);
	ss->id = ++srv.next_sid;
	ss->next = srv.sesss;
	srv.sesss = ss;
	pthread_mutex_unlock(&srv.mu);
	tr_log_info("session %u started", ss->id);
	return ss;
}

/* The session was detached or killed (its worker, in the method): it
 * leaves the list, its followers are told `how` (NULL: nobody), its
 * worker stops. */
void
srv_sess_end(struct srv_sess *ss, const char *how)
{
	atomic_store(&ss->ended, true);
	if (how)
		notify_ended(ss, how);
	sess_list_remove(ss);
	tr_log_info("session %u ended", ss->id);
}

struct srv_sess *
srv_sess_find(uint32_t id)
{
	struct srv_sess *ss;

	pthread_mutex_lock(&srv.mu);
	for (ss = srv.sesss; ss; ss = ss->next)
		if (ss->id == id && !atomic_load(&ss->ended))
			break;
	if (ss)
		atomic_fetch_add(&ss->refs, 1);
	pthread_mutex_unlock(&srv.mu);
	return ss;
}

int
srv_sessions_write(struct tr_jw *w)
{
	static const char *const st[] = { "stopped", "running", "exited" };

	pthread_mutex_lock(&srv.mu);
	tr_jw_arr_begin(w);
	for (struct srv_sess *ss = srv.sesss; ss; ss = ss->next) {
		tr_jw_obj_begin(w);
		tr_jw_key(w, "session");
		tr_jw_uint(w, ss->id);
		tr_jw_key(w, "pid");
		tr_jw_int(w, atomic_load(&ss->pid));
		tr_jw_key(w, "state");
		tr_jw_cstr(w, st[atomic_load(&ss->state)]);
		tr_jw_key(w, "launched");
		tr_jw_bool(w, ss->launched);
		tr_jw_key(w, "program");
		if (ss->program)
			tr_jw_cstr(w, ss->program);
		else
			tr_jw_null(w);
		tr_jw_obj_end(w);
	}
	tr_jw_arr_end(w);
	pthread_mutex_unlock(&srv.mu);
	return tr_jw_error(w);
}

/* Stop a running target (an interrupt without waiting): the run request
 * going on then ends with the stop. Any thread. */
void
srv_sess_interrupt(struct srv_sess *ss)
{
	pthread_mutex_lock(&ss->mu);
	/* once quit is set the worker may free the tracer */
	if (!ss->quit)
		tr_interrupt(ss->t, NULL);
	pthread_mutex_unlock(&ss->mu);
}

static void
sess_enqueue(struct srv_sess *ss, struct srv_job *j)
{
	if (j->m->flags & SRV_M_RUNS)
		atomic_fetch_add(&ss->runs_queued, 1);
	pthread_mutex_lock(&ss->mu);
	if (ss->tail)
		ss->tail->next = j;
	else
		ss->head = j;
	ss->tail = j;
	pthread_cond_signal(&ss->cv);
	pthread_mutex_unlock(&ss->mu);
}

/* Join the workers of the sessions that ended (epoll thread): those done,
 * or all of them, waiting. Each drops the ended list's reference and the
 * worker's. */
static void
reap_sessions(bool all)
{
	for (;;) {
		struct srv_sess **pp, *ss = NULL;

		pthread_mutex_lock(&srv.mu);
		for (pp = &srv.ended; *pp; pp = &(*pp)->next)
			if (all || atomic_load(&(*pp)->worker_done)) {
				ss = *pp;
				*pp = ss->next;
				break;
			}
		pthread_mutex_unlock(&srv.mu);
		if (!ss)
			return;
		pthread_join(ss->th, NULL);
		srv_sess_unref(ss);
		srv_sess_unref(ss);
	}
}

/* ---- requests ----------------------------------------------------------- */

/* An error reply, at once. A request without id (a notification) gets
 * none, as JSON-RPC 2.0 says; callers pass a NULL `req` for messages that
 * are not valid requests, which are answered with id null. */
static void
reply_error_now(struct srv_conn *c, const struct tr_rpc_request *req,
		const struct tr_json *id, int code, const char *msg)
{
	struct tr_buf b;

	if (req && tr_rpc_is_notification(req))
		return;

	tr_buf_init(&b);
	if (tr_rpc_write_error(&b, id, code, msg, NULL) == 0)
		conn_deliver(c, &b, 0);
	tr_buf_free(&b);
}

static struct srv_sess *
resolve_session(struct srv_conn *c, const struct tr_rpc_request *req,
		char *why, size_t len)
{
	const struct tr_json *p = req->params;
	const struct tr_json *v = p && p->kind == TR_JSON_OBJECT
					  ? tr_json_get(p, "session")
					  : NULL;
	struct srv_sess *ss = NULL;
	uint64_t id;

	if (v) {
		if (tr_json_uint64(v, &id) || id > UINT32_MAX) {
			snprintf(why, len, "\"session\" must be a session id");
			return NULL;
		}
		if (!(ss = srv_sess_find((uint32_t)id)))
			snprintf(why, len, "no session %llu",
				 (unsigned long long)id);
		return ss;
	}
	/* none named: the only one there is */
	pthread_mutex_lock(&srv.mu);
	if (srv.sesss && !srv.sesss->next && !atomic_load(&srv.sesss->ended)) {
		ss = srv.sesss;
		atomic_fetch_add(&ss->refs, 1);
	}
	if (!ss)
		snprintf(why, len, srv.sesss ? "several sessions: give "
					       "\"session\""
					     : "no session: launch or attach "
					       "first");
	pthread_mutex_unlock(&srv.mu);
	(void)c;
	return ss;
}

static bool
token_ok(const char *given, size_t len)
{
	size_t tl = strlen(srv.token);
	unsigned char diff = len != tl;

	/* compare every byte whatever differs first */
	for (size_t i = 0; i < tl; i++)
		diff |= (unsigned char)(srv.token[i] ^
					(i < len ? given[i] : 0));
	return diff == 0;
}

static void
handle_line(struct srv_conn *c, const char *line, size_t len)
{
	struct tr_json_limits lim = { .max_string = srv.o.max_line };
	struct tr_rpc_request req;
	struct tr_rpc_error perr;
	const struct srv_method *m;
	struct srv_sess *ss;
	struct srv_job *j;
	char why[160];

	if (tr_rpc_parse_request(line, len, &lim, &req, &perr)) {
		reply_error_now(c, NULL, perr.has_id ? perr.id : NULL, perr.code,
				perr.message);
		tr_rpc_request_free(&req);
		return;
	}
	if (req.params && req.params->kind != TR_JSON_OBJECT) {
		reply_error_now(c, &req, req.id, TR_RPC_INVALID_PARAMS,
				"params must be an object");
		goto done;
	}
	if (c->tcp && !c->authed) {
		const struct tr_json *tok =
			req.params ? tr_json_get(req.params, "token") : NULL;
		const char *s;
		size_t sl;

		if (strcmp(req.method, "auth") || !tok ||
		    !(s = tr_json_str(tok, &sl)) || !token_ok(s, sl)) {
			reply_error_now(c, &req, req.id, SRV_E_AUTH,
					"authenticate first: "
					"auth {\"token\": ...}");
			goto done;
		}
		c->authed = true;
	}
	m = srv.h.method_find(req.method, req.method_len);
	if (!m) {
		snprintf(why, sizeof(why), "no method \"%.100s\"",
			 req.method);
		reply_error_now(c, &req, req.id, TR_RPC_METHOD_NOT_FOUND, why);
		goto done;
	}
	if (atomic_load(&srv.stopping) && !(m->flags & SRV_M_SERVER)) {
		reply_error_now(c, &req, req.id, SRV_E_SHUTDOWN,
				"the server is shutting down");
		goto done;
	}
	if (m->flags & SRV_M_SERVER) {
		call_run(c, NULL, &req, m);
		goto done;
	}
	if (m->flags & SRV_M_CREATES) {
		struct srv_call x = { .c = c, .req = &req };
		struct tr_buf out;

		tr_buf_init(&out);
		x.out = &out;
		tr_jw_init(&x.w, &out);
		ss = srv_sess_new(&x);
		if (!ss) {
			if (!tr_rpc_is_notification(&req))
				conn_deliver(c, &out, 0);
			tr_buf_free(&out);
			goto done;
		}
		tr_buf_free(&out);
		atomic_fetch_add(&ss->refs, 1);
	} else if (!(ss = resolve_session(c, &req, why, sizeof(why)))) {
		reply_error_now(c, &req, req.id, SRV_E_NO_SESSION, why);
		goto done;
	}
	pthread_mutex_lock(&c->mu);
	if (!srv_follow_get(c, ss->id, true))
		tr_log_warn("client %u follows too many sessions", c->id);
	pthread_mutex_unlock(&c->mu);
	if (m->flags & SRV_M_NOW) {
		call_run(c, ss, &req, m);
		srv_sess_unref(ss);
		goto done;
	}
	if ((m->flags & SRV_M_STOPPED) && atomic_load(&ss->busy_running)) {
		reply_error_now(c, &req, req.id, SRV_E_RUNNING,
				"Cannot execute this command while the "
				"target is running (interrupt it first)");
		srv_sess_unref(ss);
		goto done;
	}
	if ((m->flags & SRV_M_STOPS_FIRST) &&
	    atomic_load(&ss->runs_queued)) {
		atomic_store(&ss->stop_req, true);
		srv_sess_interrupt(ss);
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		reply_error_now(c, &req, req.id, TR_RPC_INTERNAL_ERROR,
				"out of memory");
		srv_sess_unref(ss);
		goto done;
	}
	j->c = c;
	conn_ref(c);
	j->ss = ss;
	j->req = req;
	j->m = m;
	sess_enqueue(ss, j);
	srv_sess_unref(ss);
	return;
done:
	tr_rpc_request_free(&req);
}

static void
conn_readable(struct srv_conn *c)
{
	char buf[65536];
	ssize_t n;
	const char *line;
	size_t len;
	int k;

	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		conn_close(c);
		return;
	}
	if (n < 0)
		return;
	if (tr_rpc_framer_feed(&c->fr, buf, (size_t)n))
		tr_log_warn("client %u: out of memory for a request", c->id);
	while ((k = tr_rpc_framer_next(&c->fr, &line, &len)) !=
	       TR_RPC_FRAME_NONE) {
		if (k == TR_RPC_FRAME_TOO_LONG)
			reply_error_now(c, NULL, NULL, TR_RPC_INVALID_REQUEST,
					"request too large");
		else
			handle_line(c, line, len);
	}
}

static void
conn_writable(struct srv_conn *c)
{
	pthread_mutex_lock(&c->mu);
	if (!c->closed && !c->sending)
		conn_flush_locked(c);
	pthread_mutex_unlock(&c->mu);
}

static void
accept_one(int lfd, bool tcp)
{
	struct srv_conn *c;
	struct epoll_event ev;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (!tcp) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);

		/* The socket's directory and mode keep others out; this
		 * is the second lock. */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) ||
		    cred.uid != geteuid()) {
			tr_log_warn("refused a client of uid %d",
				    (int)cred.uid);
			close(fd);
			return;
		}
	} else {
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->kind = EP_CONN;
	c->fd = fd;
	c->tcp = tcp;
	c->authed = !tcp || !srv.have_token;
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
		conn_close(c);
		return;
	}
	tr_log_info("client %u connected (%s)", c->id, tcp ? "tcp" : "unix");
}

void
srv_shutdown_request(void)
{
	atomic_store(&srv.stopping, true);
	wake_loop();
}

/* ---- listeners ----------------------------------------------------------- */

/* The socket's directory: made 0700 if missing; refused unless ours and
 * closed to others, so no one else can swap the socket. */
static int
private_dir(const char *path)
{
	char dir[sizeof(srv.sock_path)];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		tr_log_error("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode)) {
		tr_log_error("%s is not a directory", dir);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		tr_log_error("%s must belong to us and not be writable by "
			     "others", dir);
		return -1;
	}
	return 0;
}

static int
listen_unix(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	if (srv.o.socket_path) {
		if (strlen(srv.o.socket_path) >= sizeof(a.sun_path)) {
			tr_log_error("socket path too long");
			return -1;
		}
		snprintf(srv.sock_path, sizeof(srv.sock_path), "%s",
			 srv.o.socket_path);
	} else if (tr_ep_default_socket(srv.sock_path,
					sizeof(srv.sock_path))) {
		tr_log_error("default socket path too long");
		return -1;
	}
	if (private_dir(srv.sock_path))
		return -1;
	memcpy(a.sun_path, srv.sock_path, strlen(srv.sock_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A socket file nobody answers on is a leftover: replace it. */
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		tr_log_error("another tracerd is listening on %s",
			     srv.sock_path);
		close(fd);
		srv.sock_path[0] = 0;
		return -1;
	}
	close(fd);
	unlink(srv.sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	old = umask(077);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    chmod(srv.sock_path, 0600) || listen(fd, 64)) {
		umask(old);
		tr_log_error("cannot listen on %s: %s", srv.sock_path,
			     strerror(errno));
		if (fd >= 0)
			close(fd);
		srv.sock_path[0] = 0;
		return -1;
	}
	umask(old);
	srv.ufd = fd;
	tr_log_info("listening on %s", srv.sock_path);
	return 0;
}

/* A non-blocking TCP socket listening on ss (`what`: the address, for
 * the log); -1 when it cannot be. */
static int
tcp_listen(const struct sockaddr_storage *ss, socklen_t sl, int backlog,
	   const char *what)
{
	int one = 1,
	    fd = socket(ss->ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, sl) || listen(fd, backlog)) {
		tr_log_error("cannot listen on %s: %s", what, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
listen_tcp(void)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	bool loop;
	int fd;

	if (tr_ep_parse_tcp(srv.o.tcp, &ss, &sl, &loop)) {
		tr_log_error("--listen %s: expected HOST:PORT", srv.o.tcp);
		return -1;
	}
	if (!loop && (!srv.o.allow_remote || !srv.have_token)) {
		tr_log_error("--listen %s is not a loopback address: it "
			     "needs --allow-remote and --token-file",
			     srv.o.tcp);
		return -1;
	}
	if ((fd = tcp_listen(&ss, sl, 64, srv.o.tcp)) < 0)
		return -1;
	srv.tfd = fd;
	tr_log_info("listening on tcp %s%s", srv.o.tcp,
		    srv.have_token ? " (token required)" : "");
	return 0;
}

/* The listener of front end fe (the --gdb one) on addr: the TCP
 * listener's rules (loopback unless --allow-remote). Such protocols have
 * no token to present, so a non-loopback address needs --allow-remote
 * alone. */
static int
listen_front(const struct srv_frontend *fe, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	bool loop;
	int fd;

	if (tr_ep_parse_tcp(addr, &ss, &sl, &loop)) {
		tr_log_error("--%s %s: expected HOST:PORT", fe->name, addr);
		return -1;
	}
	if (!loop && !srv.o.allow_remote) {
		tr_log_error("--%s %s is not a loopback address: it needs "
			     "--allow-remote", fe->name, addr);
		return -1;
	}
	if ((fd = tcp_listen(&ss, sl, 8, addr)) < 0)
		return -1;
	srv.gfd = fd;
	tr_log_info("%s %s on %s", fe->name, fe->protocol, addr);
	return 0;
}

void
srv_rsp_register(int fd)
{
	pthread_mutex_lock(&srv.mu);
	if (srv.nrsp < 16)
		srv.rsp_fds[srv.nrsp++] = fd;
	pthread_mutex_unlock(&srv.mu);
}

void
srv_rsp_done(int fd)
{
	pthread_mutex_lock(&srv.mu);
	for (unsigned i = 0; i < srv.nrsp; i++)
		if (srv.rsp_fds[i] == fd) {
			srv.rsp_fds[i] = srv.rsp_fds[--srv.nrsp];
			break;
		}
	pthread_mutex_unlock(&srv.mu);
}

/* A connection for front end fe (gdb): it drives the only session
 * there is. */
static void
accept_front(const struct srv_frontend *fe, int lfd)
{
	struct srv_sess *ss = NULL;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), one = 1;

	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pthread_mutex_lock(&srv.mu);
	if (srv.nrsp >= 16) {
		pthread_mutex_unlock(&srv.mu);
		close(fd);
		return;
	}
	if (srv.sesss && srv.sesss->next) {
		pthread_mutex_unlock(&srv.mu);
		tr_log_warn("%s connection refused: several sessions, and "
			    "the %s drives one", fe->name, fe->protocol);
		close(fd);
		return;
	}
	/* the only session; none: extended-remote makes one (vRun,
	 * vAttach) */
	if (srv.sesss && !atomic_load(&srv.sesss->ended)) {
		ss = srv.sesss;
		atomic_fetch_add(&ss->refs, 1);
	}
	pthread_mutex_unlock(&srv.mu);
	srv_rsp_register(fd);
	if (fe->start(fd, ss)) {
		srv_rsp_done(fd);
		if (ss)
			srv_sess_unref(ss);
		close(fd);
		return;
	}
	if (ss)
		tr_log_info("%s client on session %u", fe->name, ss->id);
	else
		tr_log_info("%s client, no session yet", fe->name);
}

static int
ep_add(int fd, int *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(srv.ep, EPOLL_CTL_ADD, fd, &ev);
}

/* ---- the loop ------------------------------------------------------------- */

/*
 * An interrupt can reach the tracer just before the resume it was meant
 * for (the worker had already looked for one): it then finds the target
 * stopped and does nothing. So while a session's interrupt is pending
 * (stop_req, cleared when its run request ends), the loop sends it again
 * every 20 ms. Returns whether one is pending.
 */
static bool
reinterrupt(void)
{
	bool pending = false;

	pthread_mutex_lock(&srv.mu);
	for (struct srv_sess *ss = srv.sesss; ss; ss = ss->next)
		if (atomic_load(&ss->stop_req) &&
		    atomic_load(&ss->busy_running)) {
			srv_sess_interrupt(ss);
			pending = true;
		}
	pthread_mutex_unlock(&srv.mu);
	return pending;
}

struct srv_sess *
srv_sess_start(const struct tr_launch *l, pid_t attach_pid, int *errp)
{
	struct tr_rpc_request req = { 0 };
	struct tr_buf out;
	struct srv_call x = { .req = &req };
	struct srv_sess *ss;
	pid_t pid = 0;
	int err;

	tr_buf_init(&out);
	x.out = &out;
	tr_jw_init(&x.w, &out);
	ss = srv_sess_new(&x);
	tr_buf_free(&out);
	if (!ss) {
		*errp = -TR_ENOMEM;
		return NULL;
	}
	if (l) {
		err = tr_session_launch(ss->s, l, &pid);
		ss->launched = true;
		ss->program = strdup(l->path);
	} else {
		err = tr_session_attach(ss->s, attach_pid);
		pid = attach_pid;
	}
	if (err) {
		tr_log_error("%s %s: %s", l ? "launch" : "attach",
			     l ? l->path : "", tr_strerror(err));
		pthread_mutex_lock(&ss->mu);
		ss->quit = true;
		pthread_cond_signal(&ss->cv);
		pthread_mutex_unlock(&ss->mu);
		atomic_store(&ss->ended, true);
		sess_list_remove(ss);
		*errp = err;
		return NULL;
	}
	atomic_store(&ss->pid, pid);
	atomic_store(&ss->state, SRV_STOPPED);
	{
		struct tr_state st;

		if (tr_state_get(ss->t, &st) == 0) {
			pthread_mutex_lock(&ss->mu);
			ss->last = st.last_stop;
			pthread_mutex_unlock(&ss->mu);
		}
	}
	atomic_fetch_add(&ss->refs, 1);
	tr_log_info("session %u: %s process %d", ss->id,
		    l ? "launched" : "attached to", (int)pid);
	return ss;
}

void
srv_sess_finish(struct srv_sess *ss, const char *how)
{
	srv_sess_end(ss, how);
	pthread_mutex_lock(&ss->mu);
	ss->quit = true;
	pthread_cond_signal(&ss->cv);
	pthread_mutex_unlock(&ss->mu);
}

/* A session made from the command line (--launch, --attach). */
static int
initial_session(struct tr_launch *l, pid_t attach_pid)
{
	int err;
	struct srv_sess *ss = srv_sess_start(l, attach_pid, &err);

	if (!ss) {
		reap_sessions(true);
		return -1;
	}
	srv_sess_unref(ss);
	return 0;
}

/* Ask every worker to stop: targets are detached (or launched ones
 * killed) by tr_session_free, breakpoints removed first. */
static void
stop_all_sessions(void)
{
	for (;;) {
		struct srv_sess *ss;

		pthread_mutex_lock(&srv.mu);
		ss = srv.sesss;
		if (ss) {
			srv.sesss = ss->next;
			ss->next = srv.ended;
			srv.ended = ss;
		}
		pthread_mutex_unlock(&srv.mu);
		if (!ss)
			break;
		pthread_mutex_lock(&ss->mu);
		/* before quit: once it is set the worker may free the
		 * tracer */
		if (atomic_load(&ss->runs_queued) && !ss->quit)
			tr_interrupt(ss->t, NULL);
		ss->quit = true;
		pthread_cond_signal(&ss->cv);
		pthread_mutex_unlock(&ss->mu);
	}
	reap_sessions(true);
}

int
srv_run(const struct srv_opts *o, const struct srv_hooks *h,
	struct tr_launch *launch, pid_t attach_pid)
{
	sigset_t mask;
	int rc = 1;

	srv.o = *o;
	srv.h = *h;
	pthread_mutex_init(&srv.mu, NULL);
	for (int i = 0; i < 7; i++)
		srv.tags[i] = i;
	/* SIGCHLD for the tracers' signalfds, SIGINT/SIGTERM for ours:
	 * blocked before any thread exists, so every thread inherits it. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o->token_file) {
		int err = tr_ep_read_token(o->token_file, srv.token,
					   sizeof(srv.token));

		if (err) {
			tr_log_error("--token-file %s: %s", o->token_file,
				     err == -TR_EINVAL
					     ? "needs one line of 16 to 254 "
					       "characters"
					     : tr_strerror(err));
			return 2;
		}
		srv.have_token = true;
	}
	srv.ep = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	srv.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	srv.wfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (srv.ep < 0 || srv.sfd < 0 || srv.wfd < 0) {
		tr_log_error("epoll/signalfd/eventfd: %s", strerror(errno));
		return 1;
	}
	if (listen_unix() || (o->tcp && listen_tcp()) ||
	    (o->gdb && h->gdb && listen_front(h->gdb, o->gdb)))
		goto out;
	if (ep_add(srv.ufd, &srv.tags[EP_UNIX]) ||
	    (srv.tfd >= 0 && ep_add(srv.tfd, &srv.tags[EP_TCP])) ||
	    ep_add(srv.sfd, &srv.tags[EP_SIGNAL]) ||
	    ep_add(srv.wfd, &srv.tags[EP_WAKE]) ||
	    (srv.gfd >= 0 && ep_add(srv.gfd, &srv.tags[EP_GDB])))
		goto out;
	if ((launch || attach_pid) && initial_session(launch, attach_pid))
		goto out;
	/* Ready: a line on stdout for whoever started us (scripts wait
	 * for it instead of polling for the socket). */
	printf("tracerd: listening on %s\n", srv.sock_path);
	fflush(stdout);

	while (!atomic_load(&srv.stopping)) {
		struct epoll_event evs[64];
		int n = epoll_wait(srv.ep, evs, 64,
				   reinterrupt() ? 20 : -1);

		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			int *tag = evs[i].data.ptr;

			switch (*tag) {
			case EP_UNIX:
				accept_one(srv.ufd, false);
				break;
			case EP_TCP:
				accept_one(srv.tfd, true);
				break;
			case EP_GDB:
				accept_front(srv.h.gdb, srv.gfd);
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
			case EP_WAKE: {
				uint64_t v;

				if (read(srv.wfd, &v, sizeof(v)) < 0)
					(void)0;
				reap_sessions(false);
				break;
			}
			case EP_CONN: {
				struct srv_conn *c = (struct srv_conn *)tag;

				conn_ref(c);
				if (evs[i].events & EPOLLOUT)
					conn_writable(c);
				if (evs[i].events & (EPOLLIN | EPOLLHUP |
						     EPOLLERR)) {
					pthread_mutex_lock(&c->mu);
					bool closed = c->closed;
					pthread_mutex_unlock(&c->mu);
					if (!closed)
						conn_readable(c);
				}
				conn_unref(c);
				break;
			}
			}
		}
	}
	rc = 0;
out:
	tr_log_info("shutting down");
	atomic_store(&srv.stopping, true);
	/* gdb connections first: their threads use the sessions */
	for (int i = 0; i < 500; i++) {
		pthread_mutex_lock(&srv.mu);
		for (unsigned k = 0; k < srv.nrsp; k++)
			shutdown(srv.rsp_fds[k], SHUT_RDWR);
		i = srv.nrsp ? i : 500;
		pthread_mutex_unlock(&srv.mu);
		if (i < 500)
			usleep(10000);
	}
	stop_all_sessions();
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
		conn_close(c);
	}
	if (srv.ufd >= 0) {
		close(srv.ufd);
		if (srv.sock_path[0])
			unlink(srv.sock_path);
	}
	if (srv.tfd >= 0)
		close(srv.tfd);
	if (srv.gfd >= 0)
		close(srv.gfd);
	return rc;
}
