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
#include "rsp/fork.h"
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
	uint64_t lo, hi; /* a range step (vCont;r), hi 0: none */
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
	if (ru->step && ru->hi)
		ru->err = tr_session_step_range(r->s, ru->tid, ru->lo, ru->hi,
						&ru->ev);
	else if (ru->step)
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

/* Whether what peek was fed holds a ^C (0x03 between packets). */
static bool
saw_interrupt(struct tr_rsp_reader *peek)
{
	const char *pk;
	size_t pl;
	bool seen = false;
	int e;

	while ((e = tr_rsp_next(peek, &pk, &pl)) != TR_RSP_NONE)
		seen |= e == TR_RSP_INTERRUPT;
	return seen;
}

/* Resume (step, range step in [lo, hi) or continue) and answer with the
 * stop; ^C from the client interrupts. */
static int
resume(struct rsp *r, bool step, uint64_t lo, uint64_t hi, pid_t tid, int sig)
{
	struct runner ru = { .r = r, .step = step, .tid = tid,
			     .sig = sig ? sig : -1, .lo = lo, .hi = hi };
	pthread_t th;
	bool done = false, want_int = false;
	int cfd = r->fd; /* -1 once the client left */
	struct tr_rsp_reader peek;
	struct tr_buf held;

	if (r->gone || !r->t)
		return rsp_reply_str(r, "E01");
	rsp_bps_sync(r, false);
	rsp_regs_forget(r);
	rsp_fork_events_sync(r);
	r->fork_child = 0; /* the tracer lets an unclaimed one go */
	r->ran = true;
	ru.efd = eventfd(0, EFD_CLOEXEC);
	if (ru.efd < 0 || pthread_create(&th, NULL, runner_main, &ru)) {
		if (ru.efd >= 0)
			close(ru.efd);
		return rsp_reply_str(r, "E01");
	}
	atomic_store(&r->ss->busy_running, true);
	atomic_store(&r->ss->state, SRV_RUNNING);
	/* While the target runs only ^C matters, but packets a client
	 * sends meanwhile are its next requests: they are kept (held) and
	 * handed to the connection's reader after the stop, in order. A
	 * reader of their own (peek) finds the ^C among them. */
	tr_rsp_reader_init(&peek, RSP_PACKET_SIZE);
	tr_buf_init(&held);
	/* a ^C already read with the resume packet (typed at once): the
	 * bytes stay the reader's, peek only looks for it */
	if (r->rd.in_len > r->rd.in_start &&
	    tr_rsp_feed(&peek, r->rd.in + r->rd.in_start,
			r->rd.in_len - r->rd.in_start) == 0)
		want_int = saw_interrupt(&peek);
	while (!done) {
		struct pollfd p[2] = { { .fd = ru.efd, .events = POLLIN },
				       { .fd = cfd, .events = POLLIN } };
		int k;

		/* An interrupt that reached the tracer before the resume
		 * took effect finds the target stopped and does nothing:
		 * once asked for, it is sent again every 20 ms until the
		 * stop (as the core does for JSON-RPC, sess.c). */
		if (want_int)
			tr_interrupt(r->t, NULL);
		k = poll(p, 2, want_int ? 20 : -1);
		if (k < 0 && errno != EINTR)
			break;
		if (k <= 0)
			continue;
		if (p[0].revents)
			done = true;
		if (!done && p[1].revents) {
			char buf[4096];
			ssize_t n = rsp_recv(r->fd, buf, sizeof(buf), false);

			if (n <= 0) {
				/* the client left while the target runs:
				 * stop it, the session stays */
				want_int = true;
				cfd = -1;
				continue;
			}
			if (tr_buf_append(&held, buf, (size_t)n) ||
			    tr_rsp_feed(&peek, buf, (size_t)n))
				tr_log_warn("rsp: out of memory for packets "
					    "sent while the target runs");
			want_int |= saw_interrupt(&peek);
		}
	}
	pthread_join(th, NULL);
	close(ru.efd);
	/* (a ^C among them is met again after the stop: it is ignored) */
	if (held.len && tr_rsp_feed(&r->rd, held.data, held.len))
		tr_log_warn("rsp: out of memory for packets sent while the "
			    "target ran");
	tr_buf_free(&held);
	tr_rsp_reader_free(&peek);
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

/* A thread id of a resume action, p[0..n): -1, a hex id, or pPID.TID
 * (each part hex or -1). 0 with *tid (0: any, -1: all), -1 if it is
 * not one. */
static int
parse_tid(const char *p, size_t n, pid_t *tid)
{
	uint64_t v;
	const char *dot;

	if (n == 2 && !memcmp(p, "-1", 2)) {
		*tid = -1;
		return 0;
	}
	if (n && p[0] == 'p') {
		dot = memchr(p, '.', n);
		if (!dot) /* pPID: every thread of it */
			return (n == 3 && !memcmp(p + 1, "-1", 2)) ||
			       tr_rsp_hex_u64(p + 1, n - 1, &v) == 0
			       ? (*tid = -1, 0) : -1;
		if (!(dot - p == 3 && !memcmp(p + 1, "-1", 2)) &&
		    tr_rsp_hex_u64(p + 1, (size_t)(dot - p - 1), &v))
			return -1;
		n -= (size_t)(dot + 1 - p);
		p = dot + 1;
		if (n == 2 && !memcmp(p, "-1", 2)) {
			*tid = -1;
			return 0;
		}
	}
	if (tr_rsp_hex_u64(p, n, &v) || v > INT32_MAX)
		return -1;
	*tid = (pid_t)v;
	return 0;
}

int
rsp_resume_signal(const char *p, size_t n, int *sig)
{
	uint64_t g;

	/* gdb's signal numbers are two hex digits (GDB manual, "Packets":
	 * C sig, vCont;C sig) */
	if (n != 2 || tr_rsp_hex_u64(p, 2, &g))
		return -1;
	*sig = g ? rsp_host_signo((int)g) : 0;
	return g && !*sig ? -1 : 0; /* a signal we cannot deliver */
}

/* vCont;ACTION[:TID]... — one action applies to the whole target here
 * (all-stop): a step of one thread, or a continue. A packet that is not
 * well formed resumes nothing: vCont;x, vCont;C, vCont;Czz, vCont;C100,
 * vCont;c:zz and vCont;t alone are errors. vCont;r START,END is a range step (GDB
 * manual, "Packets": step, and keep stepping while the thread stops in
 * [START, END)): the tracer thread steps the line without a round trip
 * per instruction (tr_step_range), and stops early, harmlessly, where
 * the stack pointer changes (gdb then steps on). */
int
rsp_vcont(struct rsp *r, const char *p)
{
	bool step = false, any = false, run = false;
	uint64_t lo = 0, hi = 0;
	pid_t tid = 0;
	int sig = 0;

	while (*p == ';') {
		char a = p[1];
		size_t n;
		pid_t t = 0;
		int s = 0;
		uint64_t rl = 0, rh = 0;

		p += 2;
		if (a != 'c' && a != 'C' && a != 's' && a != 'S' && a != 't' &&
		    a != 'r')
			return rsp_reply_str(r, "E01");
		if (a == 'C' || a == 'S') {
			n = strcspn(p, ":;");
			if (rsp_resume_signal(p, n, &s))
				return rsp_reply_str(r, "E01");
			p += n;
		}
		if (a == 'r') {
			const char *comma;

			n = strcspn(p, ":;");
			comma = memchr(p, ',', n);
			if (!comma || tr_rsp_hex_u64(p, (size_t)(comma - p), &rl) ||
			    tr_rsp_hex_u64(comma + 1,
					   n - (size_t)(comma + 1 - p), &rh) ||
			    rh < rl)
				return rsp_reply_str(r, "E01");
			p += n;
		}
		if (*p == ':') {
			n = strcspn(++p, ";");
			if (parse_tid(p, n, &t))
				return rsp_reply_str(r, "E01");
			p += n;
		}
		if (*p && *p != ';')
			return rsp_reply_str(r, "E01");
		any = true;
		run |= a != 't';
		if (step)
			continue; /* the step decided: the rest is syntax */
		if (a == 'C' || a == 'S')
			sig = s;
		/* the thread that steps, or gets the signal */
		if (a != 'c' && a != 't' && t > 0)
			tid = t;
		if (a == 's' || a == 'S' || a == 'r')
			step = true;
		if (a == 'r') {
			lo = rl;
			hi = rh;
		}
	}
	/* t (stop) alone resumes nothing: in all-stop every thread is
	 * stopped already (it is non-stop's action); it ran the program
	 * on before (found by fuzz_rsp_packet: vCont;t never came back) */
	if (!any || *p || !run)
		return rsp_reply_str(r, "E01");
	return resume(r, step, lo, hi, tid, sig);
}

int
rsp_resume(struct rsp *r, bool step, pid_t tid, int sig)
{
	return resume(r, step, 0, 0, tid, sig);
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
