/* threads.c: the tracer's table of target threads, and questions about them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ptrace.h>

#include "base/error.h"
#include "target/tracer_int.h"

uint64_t
tr__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool
tr__on_tracer_thread(const struct tr_tracer *t)
{
	return pthread_equal(pthread_self(), t->thread);
}

struct tr_thread *
tr__thread_find(struct tr_tracer *t, pid_t tid)
{
	for (size_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].tid == tid)
			return &t->threads[i];
	return NULL;
}

struct tr_thread *
tr__thread_add(struct tr_tracer *t, pid_t tid)
{
	struct tr_thread *th;

	if (t->nthreads == t->cap_threads) {
		size_t cap = t->cap_threads ? t->cap_threads * 2 : 16;
		struct tr_thread *n = realloc(t->threads, cap * sizeof(*n));

		if (!n)
			return NULL;
		t->threads = n;
		t->cap_threads = cap;
	}
	th = &t->threads[t->nthreads++];
	memset(th, 0, sizeof(*th));
	th->tid = tid;
	th->state = TH_STOPPED;
	return th;
}

void
tr__thread_del(struct tr_tracer *t, struct tr_thread *th)
{
	if (th->state == TH_RUNNING && t->nrunning)
		t->nrunning--;
	*th = t->threads[--t->nthreads];
}

int
tr__regs_of(pid_t tid, struct user_regs_struct *r)
{
	return ptrace(PTRACE_GETREGS, tid, NULL, r) < 0 ? -errno : 0;
}

int
tr__need_target(const struct tr_tracer *t)
{
	if (t->gone)
		return -TR_EGONE;
	if (!t->pid)
		return -TR_ENOTARGET;
	return 0;
}

int
tr__stopped_thread(struct tr_tracer *t, pid_t tid, struct tr_thread **out)
{
	struct tr_thread *th;
	int err = tr__need_target(t);

	if (err)
		return err;
	th = tr__thread_find(t, tid ? tid : t->current_tid);
	if (!th)
		return -TR_ESRCH;
	if (th->state != TH_STOPPED)
		return -TR_ERUNNING;
	*out = th;
	return 0;
}

/*
 * Whether the whole target is going away: reaped already, or a zombie
 * (its exit status waiting for the tracer's next wait), or past the point
 * where /proc still describes it. The loop reaps it; this only asks, so
 * that a ptrace call failing with ESRCH can tell "dying" from "running".
 */
bool
tr__target_dying(struct tr_tracer *t)
{
	char path[64], buf[256], *p;
	FILE *f;
	int c = 0;

	if (t->gone || !t->pid)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", t->pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		c = p[2];
	fclose(f);
	return c == 'Z' || c == 'X' || c == 0;
}
