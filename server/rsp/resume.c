/* resume.c: running the target (c, C, s, S, vCont) on a helper thread while the connection watches for ^C, and the signals passed without a stop (QPassSignals). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sess.h"
#include "base/error.h"
#include "base/log.h"
#include "rsp.h"
#include "rsp/breakpoints.h"
#include "rsp/ids.h"
#include "rsp/regs.h"
#include "rsp/reply.h"
#include "rsp/resume.h"
#include "rsp/stop.h"

/*
 * A connection's thread does blocking I/O (conn.c), as the protocol is a
 * strict request/reply alternation, except that a 0x03 byte may come
 * while the target runs. A resume is therefore run by a helper thread
 * while the connection's thread watches the socket (for ^C, which
 * interrupts) and an eventfd (the stop).
 */

struct runner {
	struct rsp *r;
	bool step;
	pid_t tid;
	int sig;
	struct tr_event ev;
	int err;
	int efd;
};

static void *
runner_main(void *arg)
{
	struct runner *ru = arg;
	struct rsp *r = ru->r;
	uint64_t one = 1;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (ru->step)
		ru->err = ru->sig > 0
				  ? tr_step(r->t, ru->tid, ru->sig, &ru->ev)
				  : tr_session_step(r->s, ru->tid, &ru->ev);
	else
		for (;;) {
			ru->err = tr_session_cont(r->s, ru->tid, ru->sig,
						  &ru->ev);
			/* QPassSignals: the program gets them, the client
			 * never hears of them */
			if (ru->err || ru->ev.type != TR_EV_STOP ||
			    ru->ev.reason != TR_STOP_SIGNAL ||
			    ru->ev.sig <= 0 || ru->ev.sig > 64 ||
			    !r->pass[ru->ev.sig])
				break;
			ru->tid = ru->ev.tid;
			ru->sig = ru->ev.sig;
		}
	if (write(ru->efd, &one, sizeof(one)) < 0)
		tr_log_debug("rsp: eventfd: %s", strerror(errno));
	return NULL;
}

/* Resume (step or continue) and answer with the stop; ^C from the client
 * interrupts. */
int
rsp_resume(struct rsp *r, bool step, pid_t tid, int sig)
{
	struct runner ru = { .r = r, .step = step, .tid = tid,
			     .sig = sig ? sig : -1 };
	pthread_t th;
	bool done = false;

	if (r->gone || !r->t)
		return rsp_reply_str(r, "E01");
	rsp_bps_sync(r, false);
	rsp_regs_forget(r);
	ru.efd = eventfd(0, EFD_CLOEXEC);
	if (ru.efd < 0 || pthread_create(&th, NULL, runner_main, &ru)) {
		if (ru.efd >= 0)
			close(ru.efd);
		return rsp_reply_str(r, "E01");
	}
	atomic_store(&r->ss->busy_running, true);
	atomic_store(&r->ss->state, SRV_RUNNING);
	while (!done) {
		struct pollfd p[2] = { { .fd = ru.efd, .events = POLLIN },
				       { .fd = r->fd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			done = true;
		if (!done && p[1].revents) {
			char buf[4096];
			ssize_t k = recv(r->fd, buf, sizeof(buf), 0);
			const char *pk;
			size_t pl;
			int e;

			if (k <= 0) {
				/* the client left while the target runs:
				 * stop it, the session stays */
				tr_interrupt(r->t, NULL);
				p[1].fd = -1;
				continue;
			}
			tr_rsp_feed(&r->rd, buf, (size_t)k);
			/* only ^C is meaningful now; packets wait */
			while ((e = tr_rsp_next(&r->rd, &pk, &pl)) !=
			       TR_RSP_NONE)
				if (e == TR_RSP_INTERRUPT)
					tr_interrupt(r->t, NULL);
		}
	}
	pthread_join(th, NULL);
	close(ru.efd);
	atomic_store(&r->ss->busy_running, false);
	if (ru.err) {
		atomic_store(&r->ss->state, SRV_EXITED);
		if (ru.err == -TR_EGONE) {
			r->gone = true;
			return rsp_reply_str(r, "W00");
		}
		return rsp_reply_err(r, ru.err);
	}
	atomic_store(&r->ss->state, ru.ev.type == TR_EV_STOP ? SRV_STOPPED
							     : SRV_EXITED);
	return rsp_send_stop(r, &ru.ev);
}

/* vCont;ACTION[:TID]... — one action applies to the whole target here
 * (all-stop): a step of one thread, or a continue. */
int
rsp_vcont(struct rsp *r, const char *p)
{
	bool step = false;
	pid_t tid = 0;
	int sig = 0;

	while (*p == ';') {
		char a = p[1];
		const char *colon;
		uint64_t v;

		p += 2;
		if ((a == 'C' || a == 'S') &&
		    tr_rsp_hex_u64(p, 2, &v) == 0) {
			sig = rsp_host_signo((int)v);
			p += 2;
		}
		colon = *p == ':' ? p + 1 : NULL;
		if (colon && a != 'c' && a != 't') {
			/* the thread that steps, or gets the signal */
			size_t l = strcspn(colon, ";");

			if (l > 0 && l < 64) {
				char id[64];

				memcpy(id, colon, l);
				id[l] = 0;
				tid = rsp_parse_tid(id) > 0 ? rsp_parse_tid(id)
							    : 0;
			}
		}
		if (a == 's' || a == 'S')
			step = true;
		p += strcspn(p, ";");
		if (step)
			break;
	}
	return rsp_resume(r, step, tid, sig);
}

/* QPassSignals:SIG;SIG...: the signals the program gets without a stop. */
int
rsp_pass_signals(struct rsp *r, const char *p)
{
	memset(r->pass, 0, sizeof(r->pass));
	while (*p) {
		size_t n = strcspn(p, ";");
		uint64_t g;

		if (tr_rsp_hex_u64(p, n, &g) == 0) {
			int s = rsp_host_signo((int)g);

			if (s > 0 && s <= 64)
				r->pass[s] = true;
		}
		p += n + (p[n] == ';');
	}
	return rsp_reply_str(r, "OK");
}
