/* ids.c: what the client knows things by: the process, thread ids (pPID.TID once multiprocess+ is agreed), the thread list, and gdb's signal numbers. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsp.h"
#include "rsp/ids.h"
#include "rsp/reply.h"

pid_t
rsp_pid(const struct rsp *r)
{
	return r->ss ? atomic_load(&r->ss->pid) : 0;
}

pid_t
rsp_gtid(const struct rsp *r)
{
	return r->gtid > 0 ? r->gtid : r->stop.tid;
}

/* gdb's signal numbers are its own; for the signals a program meets,
 * Linux's agree with them up to SIGSYS except where mapped here. */
int
rsp_gdb_signo(int sig)
{
	switch (sig) {
	case SIGBUS: return 10;
	case SIGUSR1: return 30;
	case SIGUSR2: return 31;
	case SIGCHLD: return 20;
	case SIGCONT: return 19;
	case SIGSTOP: return 17;
	case SIGTSTP: return 18;
	case SIGURG: return 16;
	case SIGSYS: return 12;
	case SIGIO: return 23;
	case SIGPWR: return 32;
	case SIGWINCH: return 28;
	case SIGVTALRM: return 26;
	case SIGPROF: return 27;
	case SIGXCPU: return 24;
	case SIGXFSZ: return 25;
	case SIGTTIN: return 21;
	case SIGTTOU: return 22;
	default: return sig < 16 ? sig : 143; /* unknown */
	}
}

int
rsp_host_signo(int g)
{
	for (int s = 1; s < 32; s++)
		if (rsp_gdb_signo(s) == g)
			return s;
	return 0;
}

/* A thread id as the client wants it: pPID.TID once multiprocess+ is
 * agreed, else TID; hex. */
const char *
rsp_tid_str(const struct rsp *r, pid_t tid, char *buf, size_t len)
{
	if (r->multiprocess)
		snprintf(buf, len, "p%x.%x", (unsigned)rsp_pid(r),
			 (unsigned)tid);
	else
		snprintf(buf, len, "%x", (unsigned)tid);
	return buf;
}

pid_t
rsp_parse_tid(const char *p)
{
	uint64_t v;

	if (!strcmp(p, "-1"))
		return -1;
	if (p[0] == 'p') {
		/* multiprocess form p<pid>.<tid> */
		const char *dot = strchr(p, '.');

		p = dot ? dot + 1 : "0";
	}
	return tr_rsp_hex_u64(p, strlen(p), &v) ? 0 : (pid_t)v;
}

/* The target's threads as a comma-separated list of ids, appended to b;
 * -1 when they cannot be listed. */
int
rsp_append_tids(struct rsp *r, struct tr_buf *b)
{
	pid_t *tids;
	size_t n = 0;

	if (tr_threads_all(r->t, &tids, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		char id[48];

		if (i)
			tr_buf_append(b, ",", 1);
		rsp_tid_str(r, tids[i], id, sizeof(id));
		tr_buf_append(b, id, strlen(id));
	}
	free(tids);
	return 0;
}

/* The next chunk of the list taken at qfThreadInfo: `m` and up to
 * RSP_TIDS_PER_REPLY ids, or `l` once every id was sent. */
static int
thread_list_chunk(struct rsp *r)
{
	struct tr_buf b;
	size_t end = r->tlist_n - r->tlist_pos < RSP_TIDS_PER_REPLY
			     ? r->tlist_n
			     : r->tlist_pos + RSP_TIDS_PER_REPLY;
	int rc;

	if (r->tlist_pos >= r->tlist_n) {
		rsp_thread_list_free(r);
		return rsp_reply_str(r, "l");
	}
	tr_buf_init(&b);
	tr_buf_append(&b, "m", 1);
	for (size_t i = r->tlist_pos; i < end; i++) {
		char id[48];

		if (i > r->tlist_pos)
			tr_buf_append(&b, ",", 1);
		rsp_tid_str(r, r->tlist[i], id, sizeof(id));
		tr_buf_append(&b, id, strlen(id));
	}
	r->tlist_pos = end;
	rc = rsp_reply(r, b.data, b.len);
	tr_buf_free(&b);
	return rc;
}

int
rsp_thread_list(struct rsp *r)
{
	rsp_thread_list_free(r);
	if (r->gone || tr_threads_all(r->t, &r->tlist, &r->tlist_n))
		return rsp_reply_str(r, "l");
	return thread_list_chunk(r);
}

int
rsp_thread_list_next(struct rsp *r)
{
	return thread_list_chunk(r);
}

void
rsp_thread_list_free(struct rsp *r)
{
	free(r->tlist);
	r->tlist = NULL;
	r->tlist_n = r->tlist_pos = 0;
}
