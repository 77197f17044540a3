/* packet.c: one packet from the client, dispatched to what handles it under the session's target_mu (lldb's own packets last). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "rsp.h"
#include "rsp/breakpoints.h"
#include "rsp/fork.h"
#include "rsp/extended.h"
#include "rsp/hostio.h"
#include "rsp/ids.h"
#include "rsp/lldb.h"
#include "rsp/memory.h"
#include "rsp/monitor.h"
#include "rsp/packet.h"
#include "rsp/qxfer.h"
#include "rsp/regs.h"
#include "rsp/reply.h"
#include "rsp/resume.h"
#include "rsp/stop.h"
#include "eval/tls.h"

/* Packets that need a process to work on. */
static bool
needs_target(const char *p)
{
	switch (p[0]) {
	case 'g': case 'G': case 'p': case 'P': case 'm': case 'M':
	case 'X': case 'x': case 'Z': case 'z': case 'c': case 'C':
	case 's': case 'S': case 'T':
		return true;
	case 'v':
		return !strncmp(p, "vCont;", 6);
	case 'q':
		return !strncmp(p, "qXfer:auxv", 10) ||
		       !strncmp(p, "qXfer:libraries", 15) ||
		       !strncmp(p, "qXfer:siginfo", 13) ||
		       !strncmp(p, "qXfer:exec-file", 15);
	default:
		return false;
	}
}

struct tls_q {
	pid_t tid;
	uint64_t offset, lm, addr;
	char why[200];
};

static int
tls_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
       void *arg)
{
	struct tls_q *q = arg;

	(void)u;
	return tr_tls_address(t, di, q->tid, q->lm, q->offset, &q->addr,
			      q->why, sizeof(q->why));
}

/* qGetTLSAddr:THREAD,OFFSET,LM: the address of a thread-local variable,
 * LM the link_map of its module (eval/tls.c, glibc's libthread_db). */
static int
get_tls_addr(struct rsp *r, const char *p)
{
	struct tls_q q = { 0 };
	const char *c1 = strchr(p, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	char buf[32];
	int err;

	if (!r->s || r->gone)
		return rsp_reply_str(r, "E01");
	char id[48];

	if (!c2 || (size_t)(c1 - p) >= sizeof(id))
		return rsp_reply_str(r, "E01");
	memcpy(id, p, (size_t)(c1 - p));
	id[c1 - p] = 0;
	if ((q.tid = rsp_parse_tid(id)) < 0 ||
	    tr_rsp_hex_u64(c1 + 1, (size_t)(c2 - c1 - 1), &q.offset) ||
	    tr_rsp_hex_u64(c2 + 1, strlen(c2 + 1), &q.lm))
		return rsp_reply_str(r, "E01");
	if (q.tid == 0)
		q.tid = rsp_gtid(r);
	err = tr_session_run(r->s, tls_fn, &q);
	if (err) {
		tr_log_info("gdb client %d: qGetTLSAddr: %s", r->fd, q.why);
		return rsp_reply_err(r, err);
	}
	snprintf(buf, sizeof(buf), "%llx", (unsigned long long)q.addr);
	return rsp_reply_str(r, buf);
}

/* Handle one packet; -1 ends the connection. Called with the session's
 * target_mu held (when there is a session). */
static int
packet(struct rsp *r, const char *p, size_t len)
{
	if (needs_target(p) && (!r->t || r->gone))
		return rsp_reply_str(r, "E01");
	switch (p[0]) {
	case '!':
		r->extended = true;
		return rsp_reply_str(r, "OK");
	case '?':
		if (r->t && (r->stop.type == TR_EV_EXIT ||
			     r->stop.type == TR_EV_KILLED))
			return rsp_send_stop(r, &r->stop); /* how it ended */
		if (!r->t || r->gone)
			return rsp_reply_str(r, "W00");
		return rsp_send_stop(r, &r->stop);
	case 'g':
		return rsp_g_packet(r);
	case 'G':
		return rsp_G_packet(r, p + 1, len - 1);
	case 'p':
		return rsp_p_packet(r, p + 1, false);
	case 'P':
		return rsp_p_packet(r, p + 1, true);
	case 'm':
		return rsp_read_mem(r, p + 1, false);
	case 'x':
		return rsp_read_mem(r, p + 1, true);
	case 'M':
		return rsp_write_mem(r, p + 1, len - 1, false);
	case 'X':
		return rsp_write_mem(r, p + 1, len - 1, true);
	case 'Z':
		return rsp_z_packet(r, p + 1, true);
	case 'z':
		return rsp_z_packet(r, p + 1, false);
	case 'c':
	case 's':
		/* "c addr" / "s addr" (resume elsewhere) is not supported:
		 * refused rather than resumed where the thread is */
		if (p[1])
			return rsp_reply_str(r, "E01");
		return rsp_resume(r, p[0] == 's',
				  p[0] == 's' && r->ctid > 0 ? r->ctid : 0, 0);
	case 'C':
	case 'S': {
		int sig;

		/* C sig[;addr]: two hex digits, C100 is malformed */
		if (rsp_resume_signal(p + 1, len - 1, &sig))
			return rsp_reply_str(r, "E01");
		return rsp_resume(r, p[0] == 'S',
				  p[0] == 'S' && r->ctid > 0 ? r->ctid : 0,
				  sig);
	}
	case 'H':
		if (p[1] == 'g')
			r->gtid =
			    rsp_parse_tid(p + 2) > 0 ? rsp_parse_tid(p + 2) : 0;
		else if (p[1] == 'c')
			r->ctid = rsp_parse_tid(p + 2);
		else
			return rsp_reply_str(r, "E01");
		return rsp_reply_str(r, "OK");
	case 'T': {
		pid_t tid = rsp_parse_tid(p + 1), *tids = NULL;
		size_t n = 0;
		bool alive = false;

		if (tr_threads_all(r->t, &tids, &n) == 0)
			for (size_t i = 0; i < n && !alive; i++)
				alive = tids[i] == tid;
		free(tids);
		return rsp_reply_str(r, alive ? "OK" : "E01");
	}
	case 'R':
		return rsp_restart(r);
	case 'k':
		if (r->ss)
			rsp_end_target(r, true); /* unlocks */
		return r->extended ? 0 : -1;
	case 'D': {
		bool had = r->ss && !r->gone;
		int fk = rsp_fork_detach(r, p);

		if (fk >= 0) /* a fork child or parent: the session goes on */
			return rsp_reply_str(r, fk ? "E01" : "OK");

		if (r->ss)
			rsp_end_target(r, false); /* unlocks */
		rsp_reply_str(r, had ? "OK" : "E01");
		return r->extended ? 0 : -1;
	}
	case 'q':
		if (!strncmp(p, "qSupported", 10)) {
			char buf[512];

			r->swbreak = strstr(p, "swbreak+") != NULL;
			r->hwbreak = strstr(p, "hwbreak+") != NULL;
			r->binary_upload = strstr(p, "binary-upload+") != NULL;
			r->multiprocess = strstr(p, "multiprocess+") != NULL;
			r->fork_events = strstr(p, "fork-events+") != NULL;
			r->exec_events = strstr(p, "exec-events+") != NULL;
			/* lldb says neither; it wants reason:breakpoint */
			r->lldb = !r->swbreak;
			snprintf(buf, sizeof(buf),
				 "PacketSize=%x;QStartNoAckMode+;swbreak+;"
				 "hwbreak+;%s"
				 "qXfer:features:read+;qXfer:auxv:read+;"
				 "qXfer:exec-file:read+;qXfer:threads:read+;"
				 "qXfer:libraries-svr4:read+;"
				 "qXfer:siginfo:read+;qXfer:siginfo:write+;"
				 "qXfer:osdata:read+;"
				 "QPassSignals+;QThreadSuffixSupported+;%s"
				 "QListThreadsInStopReply+;%s%s"
				 "vContSupported+",
				 RSP_PACKET_SIZE,
				 r->binary_upload ? "binary-upload+;" : "",
				 r->multiprocess ? "multiprocess+;" : "",
				 r->fork_events ? "fork-events+;vfork-events+;"
						: "",
				 r->exec_events ? "exec-events+;" : "");
			return rsp_reply_str(r, buf);
		}
		if (!strncmp(p, "qXfer:", 6))
			return rsp_qxfer(r, p, len);
		if (!strcmp(p, "qfThreadInfo"))
			return rsp_thread_list(r);
		if (!strcmp(p, "qsThreadInfo"))
			return rsp_thread_list_next(r);
		if (!strcmp(p, "qC")) {
			char buf[64];

			if (!r->t || r->gone)
				return rsp_reply_str(r, "E01");
			char id[48];

			snprintf(buf, sizeof(buf), "QC%s",
				 rsp_tid_str(r, r->stop.tid, id, sizeof(id)));
			return rsp_reply_str(r, buf);
		}
		if (!strncmp(p, "qAttached", 9))
			return rsp_reply_str(r, r->ss && !r->ss->launched
							? "1"
							: "0");
		if (!strncmp(p, "qGetTLSAddr:", 12))
			return get_tls_addr(r, p + 12);
		if (!strncmp(p, "qRcmd,", 6))
			return rsp_monitor(r, p + 6);
		break;
	case 'Q':
		if (!strcmp(p, "QStartNoAckMode")) {
			int rc = rsp_reply_str(r, "OK");

			r->noack = true;
			return rc;
		}
		if (!strncmp(p, "QPassSignals:", 13))
			return rsp_pass_signals(r, p + 13);
		if (!strcmp(p, "QThreadSuffixSupported")) {
			r->thread_suffix = true;
			return rsp_reply_str(r, "OK");
		}
		if (!strcmp(p, "QListThreadsInStopReply")) {
			r->list_threads_in_stop = true;
			return rsp_reply_str(r, "OK");
		}
		break;
	case 'v':
		if (!strcmp(p, "vCont?"))
			return rsp_reply_str(r, "vCont;c;C;s;S;t;r");
		if (!strncmp(p, "vCont;", 6))
			return rsp_vcont(r, p + 5);
		if (!strncmp(p, "vKill", 5)) {
			if (!r->ss)
				return rsp_reply_str(r, "E01");
			rsp_end_target(r, true); /* unlocks */
			return rsp_reply_str(r, "OK");
		}
		if (!strncmp(p, "vRun;", 5))
			return rsp_v_run(r, p + 4);
		if (!strncmp(p, "vAttach;", 8))
			return rsp_v_attach(r, p + 8);
		if (!strncmp(p, "vFile:", 6))
			return rsp_hostio(r, p + 6, len - 6);
		if (!strncmp(p, "vMustReplyEmpty", 15))
			return rsp_reply_str(r, "");
		break;
	default:
		break;
	}
	{
		int rc = rsp_lldb_packet(r, p, len);

		return rc == 1 ? rsp_reply_str(r, "") : rc;
	}
}

/* The packet under the session's target_mu; a session that another
 * client ended is let go first. lldb's thread suffix (";thread:TID;"
 * after the packet, once QThreadSuffixSupported) selects the thread for
 * this packet only. */
int
rsp_locked_packet(struct rsp *r, const char *p, size_t len)
{
	struct srv_sess *ss = r->ss;
	pid_t saved = r->gtid;
	char *copy = NULL;
	int rc;

	if (r->remote_debug)
		tr_log_info("gdb client %d: getpkt (\"%.*s\")%s", r->fd,
			    (int)(len > 200 ? 200 : len), p,
			    len > 200 ? " [truncated]" : "");
	if (ss) {
		pthread_mutex_lock(&ss->target_mu);
		if (atomic_load(&ss->ended) || !ss->s) {
			rsp_drop_session(r, NULL); /* unlocks */
			ss = NULL;
		}
	}
	if (r->thread_suffix && p[0] != 'v' && p[0] != 'q' && p[0] != 'Q') {
		const char *ts = strstr(p, ";thread:");

		if (ts && (copy = strndup(p, (size_t)(ts - p)))) {
			pid_t tid = rsp_parse_tid(ts + 8);

			if (tid > 0)
				r->gtid = tid;
			len = (size_t)(ts - p);
			p = copy;
		}
	}
	rc = packet(r, p, len);
	if (copy) {
		r->gtid = saved;
		free(copy);
	}
	if (ss && r->ss == ss)
		pthread_mutex_unlock(&ss->target_mu);
	return rc;
}
