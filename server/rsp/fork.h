/* fork.h: fork, vfork and exec events for gdb (fork-events+, vfork-events+, exec-events+): the stop replies' fork/vfork/vforkdone/exec, D;PID of a fork child or of its parent (follow-fork-mode child). */
#ifndef TR_SERVER_RSP_FORK_H
#define TR_SERVER_RSP_FORK_H

#include "rsp/rsp_int.h"

/* rsp_fork_events_sync: the tracer reports forks when the client takes
 * them (before a resume). */
void rsp_fork_events_sync(struct rsp *r);
/* rsp_fork_detach: D;PID when PID is the held child of the last fork
 * stop (it is let go, our int3s out of its memory) or its parent (the
 * parent is let go and the child becomes the target: gdb's
 * follow-fork-mode child): 0 done, 1 failed; -1: not such a D (p: the
 * whole packet). */
int rsp_fork_detach(struct rsp *r, const char *p);
/* rsp_fork_stop_append: a stop reply's fork:ID; vfork:ID; vforkdone:;
 * or exec:HEXPATH; for ev, when the client takes them. */
void rsp_fork_stop_append(struct rsp *r, const struct tr_event *ev,
			  struct tr_buf *b);

#endif
