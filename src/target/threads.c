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

/*
 * The thread table is an array (its order is the order threads were
 * found in), with an index from tid to position beside it: a hash table
 * of positions + 1 (0: empty), open addressing with linear probing, at
 * most half full. With thousands of threads, every wait status looks its
 * thread up: a scan of the array there made a stop of all N threads cost
 * N^2.
 */
static size_t
tid_home(pid_t tid, size_t mask)
{
	return ((uint32_t)tid * 2654435761u) & mask;
}

/* The index slot holding `tid`, or the empty slot where it would go. */
static size_t
tid_slot(const struct tr_tracer *t, pid_t tid)
{
	size_t mask = t->cap_tidx - 1, i = tid_home(tid, mask);

	while (t->tidx[i] && t->threads[t->tidx[i] - 1].tid != tid)
		i = (i + 1) & mask;
	return i;
}

static int
tidx_grow(struct tr_tracer *t, size_t want)
{
	size_t cap = t->cap_tidx ? t->cap_tidx : 64;
	uint32_t *n;

	while (cap < 2 * want)
		cap *= 2;
	if (cap == t->cap_tidx)
		return 0;
	n = calloc(cap, sizeof(*n));
	if (!n)
		return -TR_ENOMEM;
	free(t->tidx);
	t->tidx = n;
	t->cap_tidx = cap;
	for (size_t i = 0; i < t->nthreads; i++)
		t->tidx[tid_slot(t, t->threads[i].tid)] = (uint32_t)i + 1;
	return 0;
}

struct tr_thread *
tr__thread_find(struct tr_tracer *t, pid_t tid)
{
	uint32_t v;

	if (!t->nthreads)
		return NULL;
	v = t->tidx[tid_slot(t, tid)];
	return v ? &t->threads[v - 1] : NULL;
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
	if (tidx_grow(t, t->nthreads + 1) < 0)
		return NULL;
	th = &t->threads[t->nthreads++];
	memset(th, 0, sizeof(*th));
	th->tid = tid;
	th->state = TH_STOPPED;
	t->tidx[tid_slot(t, tid)] = (uint32_t)t->nthreads;
	return th;
}

void
tr__thread_del(struct tr_tracer *t, struct tr_thread *th)
{
	size_t mask = t->cap_tidx - 1, hole = tid_slot(t, th->tid), j = hole;
	size_t last = t->nthreads - 1, pos = (size_t)(th - t->threads);

	if (th->state == TH_RUNNING && t->nrunning)
		t->nrunning--;
	/* gone in a system call that had the watched pages open (watch.c):
	 * they are protected again at the next sync */
	if (th->sys_open && t->sys_open)
		t->sys_open--;
	/* Take the tid out of the index, moving back every later entry of
	 * its probe run that may no longer be reached past the hole. */
	t->tidx[hole] = 0;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!t->tidx[j])
			break;
		home = tid_home(t->threads[t->tidx[j] - 1].tid, mask);
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			t->tidx[hole] = t->tidx[j];
			t->tidx[j] = 0;
			hole = j;
		}
	}
	/* The last thread fills the gap. */
	if (pos != last) {
		t->threads[pos] = t->threads[last];
		t->tidx[tid_slot(t, t->threads[pos].tid)] = (uint32_t)pos + 1;
	}
	t->nthreads--;
}

void
tr__threads_clear(struct tr_tracer *t)
{
	t->nthreads = 0;
	t->nrunning = 0;
	if (t->tidx)
		memset(t->tidx, 0, t->cap_tidx * sizeof(*t->tidx));
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
