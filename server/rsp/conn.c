/* conn.c: a gdb connection: its thread, which reads packets, acks them and has them handled, and its start (the core's --gdb listener calls srv_rsp_start). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/listen.h"
#include "core/server.h"
#include "core/sess.h"
#include "base/error.h"
#include "base/log.h"
#include "rsp.h"
#include "rsp/breakpoints.h"
#include "rsp/conn.h"
#include "rsp/extended.h"
#include "rsp/hostio.h"
#include "rsp/packet.h"
#include "rsp/regs.h"
#include "rsp/reply.h"
#include "rsp/rsp_int.h"

/*
 * One thread per connection, with blocking I/O: the protocol is a strict
 * request/reply alternation, except that a 0x03 byte may come while the
 * target runs (resume.c watches for it then).
 */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Waiting for the client's next packet. gdb sends it within tens of
 * microseconds of our reply; a thread asleep in recv() takes about as
 * long again to be woken (FIELD-NOTES: 11-21 us for a futex round trip
 * across CPUs, more on a virtual machine whose idle CPU has halted). So
 * the connection polls for up to SPIN_NS first, yielding the CPU at
 * each turn, then sleeps. That halved the time of a gdb round trip
 * here (qC: 79 -> 21 us). The yield lets a client on the same CPU
 * run; on a machine with one CPU there is no polling at all.
 */
#define SPIN_NS 200000

static bool
may_spin(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

static ssize_t
recv_next(int fd, char *buf, size_t len, bool spin)
{
	uint64_t t0 = now_ns();

	while (spin) {
		ssize_t k = rsp_recv(fd, buf, len, true);

		if (k >= 0 || (errno != EAGAIN && errno != EINTR))
			return k;
		if (now_ns() - t0 >= SPIN_NS)
			break;
		sched_yield();
	}
	return rsp_recv(fd, buf, len, false);
}

static void *
rsp_main(void *arg)
{
	struct rsp *r = arg;
	char buf[65536];
	sigset_t all;
	bool spin = may_spin();

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		ssize_t k = recv_next(r->fd, buf, sizeof(buf), spin);
		const char *p;
		size_t len;
		int e, rc = 0;

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (tr_rsp_feed(&r->rd, buf, (size_t)k))
			break;
		while (rc == 0 &&
		       (e = tr_rsp_next(&r->rd, &p, &len)) != TR_RSP_NONE) {
			switch (e) {
			case TR_RSP_PACKET:
				if (!r->noack && rsp_send_all(r->wfd, "+", 1)) {
					rc = -1;
					break;
				}
				rc = rsp_locked_packet(r, p, len);
				break;
			case TR_RSP_NAK:
				if (!r->noack)
					rc = rsp_send_all(r->wfd, r->last.data,
							  r->last.len);
				break;
			case TR_RSP_BAD_CHECKSUM:
				if (!r->noack)
					rc = rsp_send_all(r->wfd, "-", 1);
				break;
			case TR_RSP_TOO_LONG:
			case TR_RSP_BAD_PACKET:
				if (!r->noack)
					rc = rsp_send_all(r->wfd, "+", 1);
				if (!rc)
					rc = rsp_reply_str(r, "E01");
				break;
			case TR_RSP_INTERRUPT:
				/* stopped already: the stop stands */
				break;
			default:
				break;
			}
		}
		if (rc)
			break;
	}
	if (r->ss) {
		pthread_mutex_lock(&r->ss->target_mu);
		/* gdb's breakpoints leave with it */
		if (!atomic_load(&r->ss->ended) && r->ss->s)
			rsp_bps_sync(r, true);
		tr_log_info("gdb client left session %u", r->ss->id);
		rsp_drop_session(r, NULL); /* unlocks */
	} else {
		tr_log_info("gdb client left");
	}
	srv_rsp_done(r->fd);
	close(r->fd);
	if (r->wfd != r->fd)
		close(r->wfd);
	if (r->stdio) {
		/* as gdbserver on stdio: the daemon goes with its client */
		tr_log_info("gdb on stdin and stdout left: shutting down");
		srv_shutdown_request();
	}
	rsp_conn_free(r);
	return NULL;
}

struct rsp *
rsp_conn_new(int fd, struct srv_sess *ss, bool authed)
{
	struct rsp *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fd = r->wfd = fd;
	r->authed = authed;
	rsp_conn_bind(r, ss);
	r->xml = rsp_target_xml();
	tr_rsp_reader_init(&r->rd, RSP_PACKET_SIZE);
	tr_buf_init(&r->out);
	tr_buf_init(&r->last);
	tr_buf_init(&r->osdata);
	if (!r->xml) {
		rsp_conn_free(r);
		return NULL;
	}
	return r;
}

void
rsp_conn_bind(struct rsp *r, struct srv_sess *ss)
{
	if (ss) {
		pthread_mutex_lock(&ss->target_mu);
		rsp_bind_session(r, ss);
		pthread_mutex_unlock(&ss->target_mu);
	} else {
		rsp_bind_session(r, NULL);
	}
}

bool
rsp_conn_live(const struct rsp *r)
{
	return r->ss && !r->gone;
}

void
rsp_conn_drop(struct rsp *r, bool kill_it)
{
	if (!r->ss)
		return;
	pthread_mutex_lock(&r->ss->target_mu);
	if (kill_it)
		rsp_end_target(r, true); /* unlocks */
	else
		rsp_drop_session(r, NULL); /* unlocks */
}

void
rsp_conn_free(struct rsp *r)
{
	free(r->bps);
	tr_rsp_reader_free(&r->rd);
	tr_buf_free(&r->out);
	tr_buf_free(&r->last);
	free(r->xml);
	srv_argv_free(r->run_argv);
	rsp_hostio_close_all(r);
	free(r->tlist);
	free(r->threads_xml);
	tr_buf_free(&r->osdata);
	free(r);
}

int
srv_rsp_start(int fd, struct srv_sess *ss, bool authed)
{
	struct rsp *r = rsp_conn_new(fd, ss, authed);
	pthread_t th;
	pthread_attr_t a;

	if (!r)
		return -TR_ENOMEM;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &a, rsp_main, r)) {
		pthread_attr_destroy(&a);
		r->ss = NULL; /* the reference stays the caller's */
		rsp_conn_free(r);
		return -TR_ENOMEM;
	}
	pthread_attr_destroy(&a);
	return 0;
}

int
srv_rsp_start_stdio(int in, int out, struct srv_sess *ss)
{
	struct rsp *r = rsp_conn_new(in, ss, true);
	pthread_t th;
	pthread_attr_t a;

	if (!r)
		return -TR_ENOMEM;
	r->wfd = out;
	r->stdio = true;
	srv_rsp_register(in);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &a, rsp_main, r)) {
		pthread_attr_destroy(&a);
		srv_rsp_done(in);
		r->ss = NULL; /* the reference stays the caller's */
		rsp_conn_free(r);
		return -TR_ENOMEM;
	}
	pthread_attr_destroy(&a);
	tr_log_info("gdb remote protocol on stdin and stdout");
	return 0;
}

const struct srv_frontend srv_rsp_frontend = {
	.name = "gdb",
	.protocol = "remote protocol",
	.start = srv_rsp_start,
};
