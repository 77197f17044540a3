/* fork.c: forks and vforks as events (tr_fork_events): the child held stopped until the layer above lets it go (tr_fork_detach) or follows it (tr_fork_follow: the parent detached, the child the target). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "target/tracer_int.h"

int
tr__kid_wait(struct tr_tracer *t, struct fork_kid *k)
{
	int st;

	(void)t;
	/* An auto-attached child stops at once (SIGSTOP or its
	 * PTRACE_EVENT_STOP); the loop's waitpid may have had it already. */
	while (!k->stopped) {
		pid_t w = waitpid(k->pid, &st, __WALL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 || WIFEXITED(st) || WIFSIGNALED(st)) {
			k->pid = 0;
			k->held = false;
			return -TR_ESRCH;
		}
		if (WIFSTOPPED(st))
			k->stopped = true;
	}
	return 0;
}

static bool
event_pending(const struct tr_tracer *t, pid_t child)
{
	for (size_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].has_pending &&
		    (t->threads[i].pending.reason == TR_STOP_FORK ||
		     t->threads[i].pending.reason == TR_STOP_VFORK) &&
		    t->threads[i].pending.child == child)
			return true;
	return false;
}

void
tr__kids_release(struct tr_tracer *t, bool all)
{
	for (int i = 0; i < MAX_FORK_KIDS; i++) {
		struct fork_kid *k = &t->kids[i];

		if (!k->pid || !k->held || (!all && event_pending(t, k->pid)))
			continue;
		if (tr__kid_wait(t, k) == 0)
			tr__kid_release(t, k);
	}
}

static int
set_events(struct tr_tracer *t, void *arg)
{
	t->fork_events = *(bool *)arg;
	return 0;
}

int
tr_fork_events(struct tr_tracer *t, bool on)
{
	return tr_call(t, set_events, &on);
}

static struct fork_kid *
held_kid(struct tr_tracer *t, pid_t child)
{
	struct fork_kid *k = child > 0 ? tr__kid_find(t, child, false) : NULL;

	return k && k->held ? k : NULL;
}

static int
is_held(struct tr_tracer *t, void *arg)
{
	return held_kid(t, *(pid_t *)arg) != NULL;
}

bool
tr_fork_held(struct tr_tracer *t, pid_t pid)
{
	int rc = tr_call(t, is_held, &pid);

	return rc > 0;
}

static int
detach_kid(struct tr_tracer *t, void *arg)
{
	struct fork_kid *k = held_kid(t, *(pid_t *)arg);

	if (!k)
		return -TR_ESRCH;
	if (tr__kid_wait(t, k) < 0)
		return 0; /* gone already: nothing left to let go */
	tr_log_info("fork child %d detached", k->pid);
	tr__kid_release(t, k);
	return 0;
}

int
tr_fork_detach(struct tr_tracer *t, pid_t child)
{
	return tr_call(t, detach_kid, &child);
}

struct unplant {
	pid_t child;
	uint64_t addr;
};

static int
unplant_kid(struct tr_tracer *t, void *arg)
{
	struct unplant *u = arg;
	struct fork_kid *k = held_kid(t, u->child);
	const struct tr_bp *bp;
	char path[64];
	int fd, err = 0;

	if (!k)
		return -TR_ESRCH;
	if (k->kind != PTRACE_EVENT_FORK)
		return 0; /* a vfork child's memory is its parent's */
	bp = tr__bp_find(t, u->addr);
	if (!bp)
		return -TR_ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/mem", k->pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -TR_ESRCH;
	if (pwrite(fd, &bp->orig, 1, (off_t)u->addr) != 1)
		err = -TR_EFAULT;
	close(fd);
	return err;
}

int
tr_fork_unplant(struct tr_tracer *t, pid_t child, uint64_t addr)
{
	struct unplant u = { child, addr };

	return tr_call(t, unplant_kid, &u);
}

/*
 * Follow the child: the parent is let go as it was found (our int3s out
 * of its memory; a vfork child shares that memory, so the sites are
 * taken out of both), and the child becomes the target, with the sites
 * of a fork in its copy of the memory as they are in the table.
 */
static int
follow_kid(struct tr_tracer *t, void *arg)
{
	struct fork_kid *k = held_kid(t, *(pid_t *)arg);
	struct tr_thread *th;
	pid_t parent = t->pid, child;
	bool vfork;

	if (!k)
		return -TR_ESRCH;
	if (t->phase != PH_STOPPED)
		return -TR_ERUNNING;
	if (t->nwpages)
		return -TR_EBUSY; /* the parent's page protections */
	if (tr__kid_wait(t, k) < 0)
		return -TR_ESRCH;
	child = k->pid;
	vfork = k->kind == PTRACE_EVENT_VFORK;
	k->pid = 0;
	k->held = false;
	tr__kids_release(t, true); /* any other child: as without us */
	if (vfork)
		tr__sites_clear(t);
	else
		tr__bp_restore_in(t, parent);
	tr__detach_threads(t);
	tr_log_info("followed fork child %d, detached from %d", child, parent);

	tr__threads_clear(t);
	t->pid = child;
	th = tr__thread_add(t, child);
	if (!th)
		return -TR_ENOMEM;
	th->state = TH_STOPPED;
	t->current_tid = child;
	t->all_interrupted = false;
	t->last_stop.pid = child;
	t->last_stop.tid = child;
	if (vfork)
		tr__hooks_reset(t);
	if (tr__open_mem(t) < 0)
		tr_log_warn("fork child %d: cannot open its memory", child);
	return 0;
}

int
tr_fork_follow(struct tr_tracer *t, pid_t child)
{
	return tr_call(t, follow_kid, &child);
}
