/* fork.c: fork, vfork and exec events for gdb (fork-events+, vfork-events+, exec-events+): the stop replies' fork/vfork/vforkdone/exec, D;PID of a fork child or of its parent (follow-fork-mode child). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "rsp.h"
#include "rsp/breakpoints.h"
#include "rsp/fork.h"
#include "rsp/ids.h"
#include "rsp/regs.h"

void
rsp_fork_events_sync(struct rsp *r)
{
	if (!r->t || r->fork_events_t == r->t)
		return;
	if (tr_fork_events(r->t, r->fork_events) == 0)
		r->fork_events_t = r->t;
}

int
rsp_fork_detach(struct rsp *r, const char *p)
{
	uint64_t v;
	pid_t pid, child = r->fork_child;
	int err;

	if (!child || !r->t || r->gone || p[1] != ';' ||
	    tr_rsp_hex_u64(p + 2, strlen(p + 2), &v))
		return -1;
	pid = (pid_t)v;
	if (pid == child) {
		/* the breakpoints gdb took out go now: a vfork child runs in
		 * its parent's memory, gdb's z0s were for it */
		rsp_bps_sync(r, false);
		err = tr_fork_detach(r->t, child);
		r->fork_child = 0;
		if (r->gtid == child)
			r->gtid = 0;
		return err ? 1 : 0;
	}
	if (pid != rsp_pid(r))
		return -1;
	/* follow-fork-mode child: gdb lets the parent go */
	err = tr_fork_follow(r->t, child);
	if (err) {
		tr_log_warn("rsp: follow fork child %d: %s", child,
			    tr_strerror(err));
		return 1;
	}
	atomic_store(&r->ss->pid, child);
	r->fork_child = 0;
	r->gtid = 0;
	r->stop.pid = r->stop.tid = child;
	r->stop.reason = TR_STOP_NONE; /* a T05, nothing more */
	rsp_regs_forget(r);
	return 0;
}

void
rsp_fork_stop_append(struct rsp *r, const struct tr_event *ev,
		     struct tr_buf *b)
{
	char buf[2 * PATH_MAX + 16], path[64], exe[PATH_MAX];
	ssize_t n;

	switch (ev->reason) {
	case TR_STOP_FORK:
	case TR_STOP_VFORK:
		r->fork_child = ev->child;
		if (r->multiprocess)
			snprintf(buf, sizeof(buf), "%s:p%x.%x;",
				 ev->reason == TR_STOP_FORK ? "fork" : "vfork",
				 (unsigned)ev->child, (unsigned)ev->child);
		else
			snprintf(buf, sizeof(buf), "%s:%x;",
				 ev->reason == TR_STOP_FORK ? "fork" : "vfork",
				 (unsigned)ev->child);
		break;
	case TR_STOP_VFORK_DONE:
		snprintf(buf, sizeof(buf), "vforkdone:;");
		break;
	case TR_STOP_EXEC:
		/* the launch's own stop is no event; the new program's
		 * path as the kernel has it */
		if (!r->exec_events || !r->ran)
			return;
		snprintf(path, sizeof(path), "/proc/%d/exe", (int)ev->pid);
		n = readlink(path, exe, sizeof(exe) - 1);
		if (n <= 0)
			return;
		memcpy(buf, "exec:", 5);
		tr_rsp_hex_encode(exe, (size_t)n, buf + 5);
		memcpy(buf + 5 + 2 * n, ";", 2);
		break;
	default:
		return;
	}
	tr_buf_append(b, buf, strlen(buf));
}
