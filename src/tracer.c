/* tracer.c: the tracer thread: its loop, all-stop bookkeeping and request ops. */
#include <errno.h>
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "procfs.h"
#include "tracer_int.h"

/*
 * While the target runs, the tracer sleeps in epoll on the slab's eventfd
 * and a SIGCHLD signalfd. If some thread of the process does not block
 * SIGCHLD, it may take the signal instead; this timeout bounds how late a
 * stop can then be noticed.
 */
#define RUNNING_POLL_MS 20
#define IDLE_POLL_MS 500

/*
 * After resuming, the tracer polls waitpid for this long (yielding the
 * CPU between polls) before it sleeps in epoll: a single-step, a step
 * over a breakpoint, an injected call or the next hit of a conditional
 * breakpoint in a loop usually stops within microseconds, and waking a
 * sleeping thread costs 10-25 us here (FIELD-NOTES), more than all of
 * the ptrace work of a hit.
 */
#define RESUME_POLL_NS 300000

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool on_tracer_thread(const struct tr_tracer *t)
{
	return pthread_equal(pthread_self(), t->thread);
}

/* ---- threads ------------------------------------------------------- */

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

static void
thread_del(struct tr_tracer *t, struct tr_thread *th)
{
	if (th->state == TH_RUNNING && t->nrunning)
		t->nrunning--;
	*th = t->threads[--t->nthreads];
}

static void
emit(struct tr_tracer *t, uint32_t type, pid_t tid, int sig, int status)
{
	struct tr_event ev = {
		.type = type, .pid = t->pid, .tid = tid, .sig = sig,
		.status = status, .seq = ++t->ev_seq,
	};

	tr__publish(t, &ev);
}

/* ---- deferred requests ---------------------------------------------- */

static void run_batch(struct tr_tracer *t, struct tr_req *r);

static void
defer(struct tr_tracer *t, struct tr_req *r, enum deferred_kind kind)
{
	/* There is room: at most one entry per slot. */
	t->deferred[t->ndeferred].req = r;
	t->deferred[t->ndeferred].kind = kind;
	t->ndeferred++;
}

/* Complete `r` and go on with the rest of its batch. */
static void
finish_req(struct tr_tracer *t, struct tr_req *r, int result)
{
	struct tr_req *next = r->next; /* r is the requester's once done */

	tr_slab_complete(t->slab, r, result);
	if (!next)
		return;
	if (result < 0) {
		for (; next; next = r) {
			r = next->next;
			tr_slab_complete(t->slab, next, -TR_ECANCELED);
		}
		return;
	}
	run_batch(t, next);
}

static void
complete_deferred(struct tr_tracer *t, enum deferred_kind kind, int result,
		  const struct tr_event *ev)
{
	size_t i = 0;

	while (i < t->ndeferred) {
		struct tr_req *r = t->deferred[i].req;

		if (t->deferred[i].kind != kind) {
			i++;
			continue;
		}
		t->deferred[i] = t->deferred[--t->ndeferred];
		if (ev)
			r->ev = *ev;
		finish_req(t, r, result);
		/* finish_req may have deferred more: restart the scan. */
		i = 0;
	}
}

/* ---- the target goes away ------------------------------------------ */

static void
target_reset(struct tr_tracer *t)
{
	t->nthreads = 0;
	t->nrunning = 0;
	t->nbps = 0;
	t->scratch = 0; /* the old address space's */
	t->scratch_failed = false;
	tr__tramp_reset(t);
	tr__ubp_reset(t);
	t->auto_resume = false;
	t->have_report = false;
	t->phase = PH_NONE;
	t->single = false;
	if (t->memfd >= 0) {
		close(t->memfd);
		t->memfd = -1;
	}
	memset(t->kids, 0, sizeof(t->kids));
}

static void
target_gone(struct tr_tracer *t, int status)
{
	struct tr_event ev = { .pid = t->pid, .tid = t->pid };

	if (WIFEXITED(status)) {
		ev.type = TR_EV_EXIT;
		ev.status = WEXITSTATUS(status);
	} else {
		ev.type = TR_EV_KILLED;
		ev.sig = WTERMSIG(status);
	}
	ev.seq = ++t->ev_seq;
	t->gone = true;
	target_reset(t);
	t->last_stop = ev;
	tr_log_info("target %d %s", t->pid,
		    ev.type == TR_EV_EXIT ? "exited" : "was killed");
	tr__publish(t, &ev);
	complete_deferred(t, DEF_STOP, 0, &ev);
	complete_deferred(t, DEF_GONE, 0, &ev);
	complete_deferred(t, DEF_DETACH, -TR_EGONE, &ev);
}

bool
tr__target_dying(struct tr_tracer *t)
{
	char path[64], buf[256], *p;
	FILE *f;
	int c = 0;

	if (t->gone || !t->pid)
		return true;
	tr__reap(t);
	if (t->gone)
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

/* ---- all-stop ------------------------------------------------------- */

static void do_detach(struct tr_tracer *t);

static int
regs_of(pid_t tid, struct user_regs_struct *r)
{
	return ptrace(PTRACE_GETREGS, tid, NULL, r) < 0 ? -errno : 0;
}

/* Every thread has stopped: publish the stop, complete who waits for it. */
static void
finish_stop(struct tr_tracer *t)
{
	struct tr_event ev = t->report;
	struct user_regs_struct regs;

	t->phase = PH_STOPPED;
	t->have_report = false;
	t->single = false;
	t->deadline_ns = 0;
	if (ev.pc == 0 && regs_of(ev.tid, &regs) == 0)
		ev.pc = regs.rip;
	ev.type = TR_EV_STOP;
	ev.pid = t->pid;
	ev.seq = ++t->ev_seq;
	t->last_stop = ev;
	t->current_tid = ev.tid;
	tr__publish(t, &ev);
	complete_deferred(t, DEF_STOP, 0, &ev);
	for (size_t i = 0; i < t->ndeferred; i++) {
		if (t->deferred[i].kind == DEF_DETACH) {
			do_detach(t);
			complete_deferred(t, DEF_DETACH, 0, NULL);
			break;
		}
	}
}

/* Ask every running thread to stop. */
static void
interrupt_all(struct tr_tracer *t)
{
	for (size_t i = 0; i < t->nthreads; i++) {
		struct tr_thread *th = &t->threads[i];

		/*
		 * Every running thread, even one with an interrupt already
		 * sent: the kernel may have folded that one into a stop we
		 * have seen (a new thread's first stop), and a thread left
		 * running would hang the stop. An extra trap that fires later
		 * is taken as "nothing to report". A new thread stops by
		 * itself.
		 */
		if (th->state != TH_RUNNING || th->fresh)
			continue;
		if (ptrace(PTRACE_INTERRUPT, th->tid, NULL, NULL) == 0)
			th->interrupt_sent = true;
	}
}

static void maybe_finish_stop(struct tr_tracer *t);

static bool
report_is_weak(const struct tr_tracer *t)
{
	return !t->have_report || t->report.reason == TR_STOP_INTERRUPT ||
	       t->report.reason == TR_STOP_ATTACH;
}

/* A thread stopped with something to report. */
static void
record_stop(struct tr_tracer *t, struct tr_thread *th,
	    const struct tr_event *ev)
{
	if (report_is_weak(t)) {
		/* The first real event is what the stop reports; an
		 * interrupt in progress gives way to it. */
		bool attach = t->have_report &&
			      t->report.reason == TR_STOP_ATTACH;

		if (attach) {
			/* Keep "attached" as the report: the event stays
			 * pending, reported at the first resume. */
			th->pending = *ev;
			th->has_pending = true;
		} else {
			t->report = *ev;
			t->have_report = true;
			t->auto_resume = false;
		}
	} else {
		th->pending = *ev;
		th->has_pending = true;
	}
	if (t->phase == PH_RUNNING)
		t->phase = PH_STOPPING;
	interrupt_all(t);
	maybe_finish_stop(t);
}

static bool report_pending(struct tr_tracer *t);
static void continue_resume(struct tr_tracer *t);

/*
 * Whether the stop being gathered must still wait for threads on their
 * way out (past PTRACE_EVENT_EXIT, running to their end). Such a thread
 * cannot be stopped, but it is still listed in /proc and a request about
 * it would find it running: the stop is reported once it is reaped. The
 * leader is reaped only after every other thread is gone, so it is not
 * waited for while another thread remains (stopped). With no thread
 * stopped, the whole target is on its way out, and its exit is what ends
 * the wait (target_gone).
 */
static bool
exits_pending(const struct tr_tracer *t)
{
	bool stopped = false;

	for (size_t i = 0; i < t->nthreads; i++) {
		const struct tr_thread *th = &t->threads[i];

		if (th->state == TH_EXITING && th->tid != t->pid)
			return true;
		if (th->state == TH_STOPPED)
			stopped = true;
	}
	return !stopped;
}

/* A stopped thread for a report of no thread's own, the current one when
 * it can be: the next request about "the current thread" must find it
 * stopped. */
static pid_t
report_tid(struct tr_tracer *t)
{
	struct tr_thread *th = tr__thread_find(t, t->current_tid);

	if (th && th->state == TH_STOPPED)
		return th->tid;
	for (size_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].state == TH_STOPPED)
			return t->threads[i].tid;
	return t->current_tid;
}

static void
maybe_finish_stop(struct tr_tracer *t)
{
	if (t->phase == PH_STOPPING && t->nrunning == 0) {
		if (exits_pending(t))
			return;
		if (t->auto_resume && !t->have_report) {
			/* A silent stop: resume, unless another thread has a
			 * stop of its own to tell. */
			t->auto_resume = false;
			if (!report_pending(t)) {
				t->phase = PH_RUNNING;
				continue_resume(t);
			}
			return;
		}
		t->auto_resume = false;
		if (!t->have_report) {
			/* A fresh report: nothing of an earlier stop (its pc,
			 * its breakpoint) may leak into this one. */
			memset(&t->report, 0, sizeof(t->report));
			t->report.reason = TR_STOP_INTERRUPT;
			t->report.tid = report_tid(t);
			t->have_report = true;
		}
		finish_stop(t);
	}
}

static void
resume_thread(struct tr_tracer *t, struct tr_thread *th, int req, int sig)
{
	if (t->ntramps && (th->at_bp || th->in_patch))
		tr__tramp_resume(t, th);
	if (ptrace(req, th->tid, NULL, (void *)(long)sig) < 0) {
		/* ESRCH: killed meanwhile; its exit status will come. */
		tr_log_debug("resume %d: %s", th->tid, strerror(errno));
		return;
	}
	th->state = TH_RUNNING;
	th->at_bp = false;
	t->nrunning++;
	t->resumed_ns = now_ns();
}

static bool
at_breakpoint(struct tr_tracer *t, struct tr_thread *th, uint64_t *addr)
{
	struct user_regs_struct regs;

	if (!t->nbps || regs_of(th->tid, &regs) < 0)
		return false;
	*addr = regs.rip;
	return tr__bp_find(t, regs.rip) != NULL;
}

/*
 * Resume everything (phase RUNNING). A thread standing on one of our
 * breakpoints first steps over it alone, with the int3 lifted and every
 * other thread still stopped, so no other thread can run past the lifted
 * breakpoint unseen. Then all threads continue.
 */
static void
continue_resume(struct tr_tracer *t)
{
	for (size_t i = 0; i < t->nthreads; i++) {
		struct tr_thread *th = &t->threads[i];
		uint64_t addr;

		if (th->state != TH_STOPPED || !th->at_bp)
			continue;
		if (!at_breakpoint(t, th, &addr)) {
			th->at_bp = false;
			continue;
		}
		/* A jumped site needs no step: the thread runs the moved
		 * copy (resume_thread). */
		if (tr__bp_jumped(t, tr__bp_find(t, addr)))
			continue;
		th->at_bp = false;
		if (tr__bp_lift(t, addr) < 0)
			continue;
		th->over_bp = addr;
		t->single = true;
		resume_thread(t, th, PTRACE_SINGLESTEP, th->resume_sig);
		if (th->state == TH_RUNNING) {
			th->resume_sig = 0;
			return;
		}
		tr__bp_plant(t, addr);
		th->over_bp = 0;
	}
	t->single = false;
	/* Every thread is stopped: jumps to compiled conditions go in. */
	if ((t->tramp_want || t->tramp_ready) && t->nrunning == 0)
		tr__tramp_arm(t);
	for (size_t i = 0; i < t->nthreads; i++) {
		struct tr_thread *th = &t->threads[i];

		if (th->state != TH_STOPPED)
			continue;
		resume_thread(t, th, PTRACE_CONT, th->resume_sig);
		th->resume_sig = 0;
	}
}

/* ---- wait statuses -------------------------------------------------- */

static struct fork_kid *
kid_find(struct tr_tracer *t, pid_t pid, bool add)
{
	struct fork_kid *free_slot = NULL;

	for (int i = 0; i < MAX_FORK_KIDS; i++) {
		if (t->kids[i].pid == pid)
			return &t->kids[i];
		if (!t->kids[i].pid && !free_slot)
			free_slot = &t->kids[i];
	}
	if (add && free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->pid = pid;
		return free_slot;
	}
	return NULL;
}

/* We follow threads, not forked processes: once a fork child is stopped
 * and we know it is a fork (not a vfork sharing our memory), take our
 * int3s out of its memory and let it go. */
static void
kid_progress(struct tr_tracer *t, struct fork_kid *k)
{
	if (!k->stopped || !k->kind)
		return;
	if (k->kind == PTRACE_EVENT_FORK)
		tr__bp_restore_in(t, k->pid);
	ptrace(PTRACE_DETACH, k->pid, NULL, NULL);
	k->pid = 0;
}

/* The thread group of `tid`, from /proc, or 0. */
static pid_t
tgid_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

static void
handle_exec(struct tr_tracer *t, struct tr_thread *th)
{
	/* execve killed every other thread and took over the leader's tid;
	 * the old address space, and our int3s in it, are gone. */
	struct tr_thread leader = *th;

	leader.tid = t->pid;
	t->threads[0] = leader;
	t->nthreads = 1;
	t->nrunning = 0;
	t->nbps = 0;
	t->scratch = 0; /* the old address space's */
	t->scratch_failed = false;
	tr__tramp_reset(t);
	tr__ubp_reset(t);
	if (tr__open_mem(t) < 0)
		tr_log_warn("exec: cannot reopen /proc/%d/mem", t->pid);
}

/* Put back a breakpoint lifted for a step of `th`, whatever ended the
 * step; returns its address, or 0. If the step did not get past it, the
 * thread is at the breakpoint and steps over it again on resume. */
static uint64_t
replant(struct tr_tracer *t, struct tr_thread *th, bool check_pc)
{
	uint64_t lifted = th->over_bp ? th->over_bp : th->step_bp;
	struct user_regs_struct regs;

	if (!lifted)
		return 0;
	tr__bp_plant(t, lifted);
	th->over_bp = th->step_bp = 0;
	if (check_pc)
		th->at_bp = regs_of(th->tid, &regs) == 0 && regs.rip == lifted;
	return lifted;
}

/*
 * A breakpoint hit that does not stop (condition false, hits ignored).
 * Alone in the target, the thread steps over it and runs on at once, no
 * other thread involved: the cheap path conditional breakpoints need.
 * With other threads running, they are stopped first, so none can pass
 * the lifted int3 unseen, and everything resumes without a report.
 */
static void
go_on(struct tr_tracer *t, struct tr_thread *th)
{
	bool others = false;
	struct user_regs_struct regs;
	uint64_t slot;

	/* A condition compiled since the last resume goes into the target
	 * now if nothing else runs, else after the others are stopped. */
	if (t->tramp_want && t->nrunning == 0)
		tr__tramp_arm(t);

	/* The thread was running and nothing is being reported: it runs the
	 * displaced copy of the instruction and goes on alone, whatever the
	 * other threads do (the int3 stays). */
	if (t->phase == PH_RUNNING && !t->have_report && !t->tramp_want &&
	    regs_of(th->tid, &regs) == 0 &&
	    tr__scratch_ensure(t, th) == 0 &&
	    (slot = tr__bp_displaced(t, regs.rip)) != 0) {
		regs.rip = slot;
		if (ptrace(PTRACE_SETREGS, th->tid, NULL, &regs) == 0) {
			resume_thread(t, th, PTRACE_CONT, 0);
			if (th->state == TH_RUNNING)
				return;
		}
	}

	for (size_t i = 0; i < t->nthreads && !others; i++)
		others = t->threads[i].state == TH_RUNNING;
	if (t->phase == PH_RUNNING && !t->have_report && !t->single &&
	    !others) {
		continue_resume(t);
		return;
	}
	if (t->phase == PH_RUNNING && !t->have_report) {
		t->auto_resume = true;
		t->phase = PH_STOPPING;
		interrupt_all(t);
	}
	maybe_finish_stop(t);
}

static void
handle_signal_stop(struct tr_tracer *t, struct tr_thread *th, int sig)
{
	struct tr_event ev = { .tid = th->tid, .sig = sig };
	siginfo_t si;
	bool have_si = ptrace(PTRACE_GETSIGINFO, th->tid, NULL, &si) == 0;
	uint64_t lifted;

	if (sig == SIGTRAP && have_si &&
	    ((th->eat_sigtrap && si.si_code == SI_KERNEL) ||
	     (th->eat_step_trap && si.si_code != SI_KERNEL))) {
		/* The queued SIGTRAP of a hit already taken, or of a step
		 * abandoned by an interrupt after it completed: swallow it
		 * and carry on with whatever the thread was resumed to do. */
		if (si.si_code == SI_KERNEL)
			th->eat_sigtrap = false;
		else
			th->eat_step_trap = false;
		if (t->phase == PH_RUNNING) {
			if (th->stepping || th->over_bp)
				resume_thread(t, th, PTRACE_SINGLESTEP, 0);
			else if (!t->single || th->calling)
				resume_thread(t, th, PTRACE_CONT, 0);
		} else if (th->stepping || th->over_bp || th->step_bp) {
			replant(t, th, true);
			th->stepping = false;
		}
		maybe_finish_stop(t);
		return;
	}
	lifted = replant(t, th, false);

	if (have_si && sig != SIGTRAP)
		ev.addr = (uint64_t)(uintptr_t)si.si_addr;

	if (sig == SIGTRAP && have_si && si.si_code == SI_KERNEL) {
		/* An int3: ours if one of our sites sits just before pc. */
		struct user_regs_struct regs;

		if (regs_of(th->tid, &regs) == 0 &&
		    tr__bp_find(t, regs.rip - 1)) {
			bool stepping = th->stepping;

			regs.rip--;
			ptrace(PTRACE_SETREGS, th->tid, NULL, &regs);
			th->at_bp = true;
			th->stepping = false;
			ev.sig = 0;
			ev.addr = regs.rip;
			ev.pc = regs.rip;
			struct tr_bp *site = tr__bp_find(t, regs.rip);

			if (th->calling && site->trap) {
				/* an injected call came back */
				ev.reason = TR_STOP_BREAKPOINT;
				record_stop(t, th, &ev);
			} else if (tr__ubp_hit(t, th->tid, regs.rip,
					       &ev.bpnum)) {
				ev.reason = TR_STOP_BREAKPOINT;
				record_stop(t, th, &ev);
			} else if (stepping) {
				/* A step onto a breakpoint that does not stop
				 * is just a step. */
				ev.reason = TR_STOP_STEP;
				record_stop(t, th, &ev);
			} else {
				go_on(t, th);
			}
			return;
		}
	}
	if (sig == SIGTRAP && (th->stepping || lifted) &&
	    !(have_si && si.si_code == SI_KERNEL)) {
		struct user_regs_struct now;

		/*
		 * A thread stopped inside a system call (the exec stop of a
		 * launch) first reports the way out of it (TRAP_BRKPT) without
		 * running an instruction: that is no step yet, step again.
		 */
		if (have_si && si.si_code == TRAP_BRKPT && th->stepping &&
		    regs_of(th->tid, &now) == 0 && now.rip == th->step_from) {
			if (lifted && tr__bp_lift(t, lifted) == 0)
				th->step_bp = lifted;
			resume_thread(t, th, PTRACE_SINGLESTEP, 0);
			if (th->state == TH_RUNNING)
				return;
		}
		if (th->stepping) {
			th->stepping = false;
			ev.reason = TR_STOP_STEP;
			ev.sig = 0;
			record_stop(t, th, &ev);
			return;
		}
		/* Stepped over a breakpoint on the way to resuming all. */
		if (t->phase == PH_RUNNING && !t->have_report) {
			continue_resume(t);
			return;
		}
		maybe_finish_stop(t);
		return;
	}
	/* A signal of the target's own: report it, pass it on by default.
	 * If it interrupted a step over a breakpoint, the pc still points at
	 * the breakpoint, to be stepped over again on resume. */
	if (lifted) {
		struct user_regs_struct regs;

		th->at_bp = regs_of(th->tid, &regs) == 0 &&
			    regs.rip == lifted;
	}
	th->stepping = false;
	th->resume_sig = sig;
	ev.reason = TR_STOP_SIGNAL;
	record_stop(t, th, &ev);
}

/*
 * An interrupt can be reported before a SIGTRAP the thread already has
 * queued: the kernel runs the interrupt trap before it dequeues signals.
 * If the thread has just executed one of our int3s (pc - 1 is a site and
 * SIGTRAP is pending), take the hit now, and swallow the SIGTRAP when it
 * is delivered on the next resume. Otherwise the hit would surface later,
 * after the breakpoint may be gone, as a stray SIGTRAP in the middle of
 * an instruction.
 */
static bool
took_queued_hit(struct tr_tracer *t, struct tr_thread *th)
{
	struct user_regs_struct regs;
	struct tr_event ev = { .tid = th->tid, .reason = TR_STOP_BREAKPOINT };

	if (!t->nbps || regs_of(th->tid, &regs) < 0 ||
	    !tr__bp_find(t, regs.rip - 1) ||
	    tr_proc_sig_pending(t->pid, th->tid, SIGTRAP) != 1)
		return false;
	regs.rip--;
	if (ptrace(PTRACE_SETREGS, th->tid, NULL, &regs) < 0)
		return false;
	th->eat_sigtrap = true;
	th->at_bp = true;
	ev.addr = ev.pc = regs.rip;
	if (tr__ubp_hit(t, th->tid, regs.rip, &ev.bpnum))
		record_stop(t, th, &ev);
	else
		maybe_finish_stop(t);
	return true;
}

static void
handle_ptrace_event(struct tr_tracer *t, struct tr_thread *th, int event,
		    int sig)
{
	unsigned long msg = 0;
	bool keep_stopped = t->phase == PH_STOPPING || t->phase == PH_STOPPED;

	switch (event) {
	case PTRACE_EVENT_STOP:
		if (th->fresh) {
			th->fresh = false;
			emit(t, TR_EV_THREAD_NEW, th->tid, 0, 0);
		} else if (th->interrupt_sent) {
			th->interrupt_sent = false;
			/* With a step in flight, a queued SIGTRAP is the step's
			 * (a one-byte instruction stepped leaves pc just past
			 * the site): not a hit. */
			if (!th->stepping && !th->over_bp && !th->step_bp &&
			    took_queued_hit(t, th))
				return;
		} else if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
			   sig == SIGTTOU) {
			struct tr_event ev = { .tid = th->tid, .sig = sig,
					       .reason = TR_STOP_GROUP };

			record_stop(t, th, &ev);
			return;
		}
		if (t->phase == PH_RUNNING) {
			/*
			 * Nothing to report: a new thread, or an interrupt sent
			 * for an earlier stop that fires only now that the
			 * thread runs again. Resume it the way it was running;
			 * during a single-thread step the others stay put.
			 */
			if (th->stepping || th->over_bp)
				resume_thread(t, th, PTRACE_SINGLESTEP, 0);
			else if (!t->single || th->calling)
				resume_thread(t, th, PTRACE_CONT, 0);
		} else if (th->stepping || th->over_bp || th->step_bp) {
			/* Stopped in the middle of a step (say, a blocking
			 * system call): the step is abandoned. If its trap is
			 * already queued, the step did happen: swallow that
			 * trap when it is delivered on the next resume. */
			replant(t, th, true);
			th->stepping = false;
			if (tr_proc_sig_pending(t->pid, th->tid, SIGTRAP) == 1)
				th->eat_step_trap = true;
		}
		maybe_finish_stop(t);
		return;
	case PTRACE_EVENT_CLONE:
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
		ptrace(PTRACE_GETEVENTMSG, th->tid, NULL, &msg);
		if (event == PTRACE_EVENT_CLONE &&
		    !tr__thread_find(t, (pid_t)msg)) {
			struct tr_thread *nt = tr__thread_add(t, (pid_t)msg);

			th = tr__thread_find(t, th->tid); /* may have moved */
			if (nt) {
				nt = tr__thread_find(t, (pid_t)msg);
				nt->state = TH_RUNNING;
				nt->fresh = true;
				t->nrunning++;
			}
		} else if (event != PTRACE_EVENT_CLONE) {
			struct fork_kid *k = kid_find(t, (pid_t)msg, true);

			if (k) {
				k->kind = event;
				kid_progress(t, k);
			}
		}
		break;
	case PTRACE_EVENT_EXEC: {
		struct tr_event ev = { .reason = TR_STOP_EXEC };

		handle_exec(t, th);
		th = &t->threads[0];
		ev.tid = th->tid;
		if (t->phase == PH_RUNNING)
			t->phase = PH_STOPPING;
		t->report = ev;
		t->have_report = true;
		maybe_finish_stop(t);
		return;
	}
	case PTRACE_EVENT_EXIT: {
		/* The thread that was running alone (a step, a call, a step
		 * over a breakpoint): nothing else would end that run. */
		bool alone = t->single && t->phase == PH_RUNNING &&
			     (th->stepping || th->over_bp || th->step_bp ||
			      th->calling);
		bool silent = alone && !th->stepping && !th->calling;

		/* Dying: let it finish; it takes no part in all-stop. A
		 * breakpoint lifted for its step goes back in. */
		replant(t, th, false);
		th->stepping = false;
		th->state = TH_EXITING;
		ptrace(PTRACE_CONT, th->tid, NULL, NULL);
		if (alone) {
			/* A step over a breakpoint resumes the others, once
			 * it is gone; a step or a call ends in a stop. */
			t->phase = PH_STOPPING;
			t->auto_resume = silent && !t->have_report;
		}
		maybe_finish_stop(t);
		return;
	}
	default:
		break;
	}
	if (!keep_stopped && !t->single)
		resume_thread(t, th, PTRACE_CONT, 0);
	else if (t->single && th->state == TH_STOPPED &&
		 (th->stepping || th->over_bp)) {
		/* The stepping thread itself made a clone/fork: keep stepping
		 * is not what PTRACE_EVENT means; finish the step. */
		resume_thread(t, th, PTRACE_SINGLESTEP, 0);
	}
	maybe_finish_stop(t);
}

static void
handle_status(struct tr_tracer *t, pid_t tid, int status)
{
	struct tr_thread *th = tr__thread_find(t, tid);

	if (!th) {
		struct fork_kid *k = kid_find(t, tid, false);
		pid_t tgid;

		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (k)
				k->pid = 0;
			return;
		}
		if (k) {
			k->stopped = true;
			kid_progress(t, k);
			return;
		}
		tgid = tgid_of(tid);
		if (tgid == t->pid && tgid) {
			/* A new thread whose stop beat its clone event. */
			th = tr__thread_add(t, tid);
			if (!th)
				return;
			th->state = TH_RUNNING;
			th->fresh = true;
			t->nrunning++;
		} else {
			/* A fork child whose stop beat the fork event. */
			k = kid_find(t, tid, true);
			if (k) {
				k->stopped = true;
				kid_progress(t, k);
			}
			return;
		}
	}

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (tid == t->pid) {
			/* The leader is reaped last: the process is gone. */
			target_gone(t, status);
			return;
		}
		thread_del(t, th);
		emit(t, TR_EV_THREAD_EXIT, tid, WIFSIGNALED(status) ?
		     WTERMSIG(status) : 0, WIFEXITED(status) ?
		     WEXITSTATUS(status) : 0);
		if (t->current_tid == tid)
			t->current_tid = t->pid;
		maybe_finish_stop(t);
		return;
	}
	if (!WIFSTOPPED(status))
		return;

	if (th->state == TH_RUNNING && t->nrunning)
		t->nrunning--;
	if (th->state != TH_EXITING)
		th->state = TH_STOPPED;
	/* Never seen inside a trampoline (tramp.c). */
	if (t->scratch_used && tr__tramp_stop(t, th, status)) {
		if (t->phase == PH_RUNNING)
			resume_thread(t, th, PTRACE_CONT, 0);
		else
			maybe_finish_stop(t);
		return;
	}
	if (status >> 16)
		handle_ptrace_event(t, th, status >> 16, WSTOPSIG(status));
	else
		handle_signal_stop(t, th, WSTOPSIG(status));
	/* The stop that ends an injected call is the call's business: the
	 * thread keeps the signal it had before the call (a SIGSEGV of the
	 * callee must not be delivered by the next resume or detach). The
	 * handlers may have grown the thread table: look the thread up. */
	th = tr__thread_find(t, tid);
	if (th && th->calling && th->state != TH_RUNNING) {
		th->calling = false;
		th->resume_sig = th->saved_sig;
	}
}

void
tr__reap(struct tr_tracer *t)
{
	int status;
	pid_t tid;

	/* __WNOTHREAD: only our own tracees, never a sibling thread's
	 * children; __WALL: threads too. */
	while (t->pid && !t->gone &&
	       (tid = waitpid(-1, &status, WNOHANG | __WALL | __WNOTHREAD)) > 0)
		handle_status(t, tid, status);
}

/* ---- detach ------------------------------------------------------- */

static void
do_detach(struct tr_tracer *t)
{
	/* Out with every int3 first: a thread released while another still
	 * has an int3 in the shared text would die of SIGTRAP. */
	tr__sites_clear(t);
	for (size_t i = 0; i < t->nthreads; i++) {
		struct tr_thread *th = &t->threads[i];
		int sig = t->detach_nosig ? 0 : th->resume_sig;
		int st;

		/* A queued SIGTRAP of ours would kill the process once we are
		 * gone: let it be delivered to us first (at once: a resumed
		 * thread takes pending signals before any instruction). */
		if ((th->eat_sigtrap || th->eat_step_trap) &&
		    th->state == TH_STOPPED &&
		    tr_proc_sig_pending(t->pid, th->tid, SIGTRAP) == 1 &&
		    ptrace(PTRACE_CONT, th->tid, NULL, NULL) == 0) {
			while (waitpid(th->tid, &st, __WALL) < 0 && errno == EINTR)
				;
			th->eat_sigtrap = th->eat_step_trap = false;
		}

		/* A real signal still owed to the thread is delivered; our own
		 * traps (breakpoints, steps, interrupts) are not. */
		if (th->has_pending && th->pending.reason == TR_STOP_SIGNAL)
			sig = th->pending.sig;
		if (ptrace(PTRACE_DETACH, th->tid, NULL, (void *)(long)sig) < 0)
			tr_log_debug("detach %d: %s", th->tid, strerror(errno));
	}
	for (int i = 0; i < MAX_FORK_KIDS; i++)
		if (t->kids[i].pid && t->kids[i].stopped)
			ptrace(PTRACE_DETACH, t->kids[i].pid, NULL, NULL);
	emit(t, TR_EV_DETACHED, t->pid, 0, 0);
	tr_log_info("detached from %d", t->pid);
	target_reset(t);
	t->pid = 0;
}

/* ---- request ops ---------------------------------------------------- */

static int
need_target(const struct tr_tracer *t)
{
	if (t->gone)
		return -TR_EGONE;
	if (!t->pid)
		return -TR_ENOTARGET;
	return 0;
}

/* The stopped thread a request is about. */
static int
stopped_thread(struct tr_tracer *t, pid_t tid, struct tr_thread **out)
{
	struct tr_thread *th;
	int err = need_target(t);

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

/* A resume with a stop still untold reports that stop instead. */
static bool
report_pending(struct tr_tracer *t)
{
	for (size_t i = 0; i < t->nthreads; i++) {
		struct tr_thread *th = &t->threads[i];

		if (!th->has_pending)
			continue;
		th->has_pending = false;
		/* A breakpoint removed since is no stop any more. */
		if (th->pending.reason == TR_STOP_BREAKPOINT &&
		    !tr__bp_find(t, th->pending.addr))
			continue;
		t->report = th->pending;
		t->have_report = true;
		finish_stop(t);
		return true;
	}
	return false;
}

static int
op_resume(struct tr_tracer *t, struct tr_req *r)
{
	struct tr_thread *th;
	int sig = (int)(int64_t)r->val;
	int err = stopped_thread(t, r->tid, &th);

	/* The program runs on its own: it may map or unmap libraries
	 * (tr_run_count). Injected calls (TR_OP_RESUME_ONE) do not count:
	 * a library they load is seen at the dynamic linker's breakpoint. */
	if (r->op != TR_OP_RESUME_ONE)
		atomic_fetch_add_explicit(&t->runs, 1, memory_order_relaxed);
	if (err)
		return err;
	if (t->phase != PH_STOPPED)
		return -TR_ERUNNING;
	if (r->op == TR_OP_RESUME_ONE) {
		/* An injected call: this thread alone, no signal, nothing
		 * pending reported instead, no step over a breakpoint (the
		 * pc has been moved to the callee). */
		th->saved_sig = th->resume_sig;
		th->calling = true;
		th->stepping = false;
		t->have_report = false;
		t->phase = PH_RUNNING;
		t->single = true;
		t->deadline_ns = r->len ? now_ns() + r->len * 1000000ull : 0;
		resume_thread(t, th, PTRACE_CONT, 0);
		if (th->state != TH_RUNNING) {
			th->calling = false;
			t->phase = PH_STOPPED;
			t->single = false;
			t->deadline_ns = 0;
			return tr__target_dying(t) ? -TR_EGONE : -TR_ESRCH;
		}
		goto done;
	}
	if (sig > 0)
		th->resume_sig = sig;
	else if (sig < 0)
		th->resume_sig = 0;
	if (report_pending(t))
		goto done;

	t->have_report = false;
	t->phase = PH_RUNNING;
	if (r->op == TR_OP_STEP) {
		uint64_t addr;

		struct user_regs_struct regs;

		/* Step alone; the others stay stopped. */
		th->step_from = regs_of(th->tid, &regs) == 0 ? regs.rip : 0;
		if (at_breakpoint(t, th, &addr)) {
			if (tr__bp_jumped(t, tr__bp_find(t, addr)))
				th->at_bp = true; /* steps the moved copy */
			else if (tr__bp_lift(t, addr) == 0)
				th->step_bp = addr;
		}
		th->stepping = true;
		t->single = true;
		resume_thread(t, th, PTRACE_SINGLESTEP, th->resume_sig);
		th->resume_sig = 0;
		if (th->state != TH_RUNNING) {
			if (th->step_bp)
				tr__bp_plant(t, th->step_bp);
			th->step_bp = 0;
			th->stepping = false;
			t->phase = PH_STOPPED;
			t->single = false;
			return tr__target_dying(t) ? -TR_EGONE : -TR_ESRCH;
		}
	} else {
		uint64_t addr;

		/* The thread resumed may have had its pc moved onto a
		 * breakpoint by a register write: step over it too. */
		if (!th->at_bp && at_breakpoint(t, th, &addr))
			th->at_bp = true;
		continue_resume(t);
	}
done:
	if (r->flags & TR_REQ_WAIT_STOP) {
		if (t->phase == PH_STOPPED) {
			r->ev = t->last_stop;
			return 0;
		}
		defer(t, r, DEF_STOP);
		return TR_DEFERRED;
	}
	return 0;
}

static int
op_interrupt(struct tr_tracer *t, struct tr_req *r)
{
	int err = need_target(t);

	if (err)
		return err;
	t->auto_resume = false; /* a silent stop in progress now reports */
	if (t->phase == PH_RUNNING) {
		t->phase = PH_STOPPING;
		interrupt_all(t);
		/* Nothing may be left to stop (threads on their way out). */
		maybe_finish_stop(t);
	}
	if (t->phase == PH_STOPPED) {
		r->ev = t->last_stop;
		return 0;
	}
	if (r->flags & TR_REQ_WAIT_STOP) {
		defer(t, r, DEF_STOP);
		return TR_DEFERRED;
	}
	return 0;
}

static int
op_kill(struct tr_tracer *t, struct tr_req *r)
{
	int err = need_target(t);

	if (err)
		return err;
	if (kill(t->pid, SIGKILL) < 0 && errno != ESRCH)
		return tr_errno_map(errno);
	/* The threads leave their ptrace stops on SIGKILL; done once the
	 * leader is reaped. */
	defer(t, r, DEF_GONE);
	return TR_DEFERRED;
}

static int
op_detach(struct tr_tracer *t, struct tr_req *r)
{
	int err = need_target(t);

	if (err)
		return err;
	t->detach_nosig = r->val == 1;
	if (t->phase == PH_STOPPED) {
		do_detach(t);
		return 0;
	}
	/* Running: stop everything first. */
	t->auto_resume = false;
	if (t->phase == PH_RUNNING) {
		t->phase = PH_STOPPING;
		interrupt_all(t);
	}
	defer(t, r, DEF_DETACH);
	return TR_DEFERRED;
}

static int
op_attach(struct tr_tracer *t, struct tr_req *r)
{
	struct tr_event ev = { .reason = TR_STOP_ATTACH };
	int err;

	if (t->pid && !t->gone)
		return -TR_EBUSY;
	target_reset(t);
	t->gone = false;
	err = tr__attach_begin(t, (pid_t)r->val);
	if (err)
		return err;
	ev.tid = t->pid;
	t->report = ev;
	t->have_report = true;
	t->phase = PH_STOPPING;
	tr_log_info("attached to %d (%zu threads)", t->pid, t->nthreads);
	/* Complete once each thread has reported its interrupt stop. */
	tr__reap(t);
	if (t->phase == PH_STOPPED)
		return 0;
	defer(t, r, DEF_STOP);
	return TR_DEFERRED;
}

static int
op_launch(struct tr_tracer *t, struct tr_req *r)
{
	struct tr_event ev = { .reason = TR_STOP_EXEC };
	int err;

	if (t->pid && !t->gone)
		return -TR_EBUSY;
	target_reset(t);
	t->gone = false;
	err = tr__launch(t, r->arg);
	if (err)
		return err;
	r->val = (uint64_t)t->pid;
	ev.tid = t->pid;
	t->report = ev;
	t->have_report = true;
	tr_log_info("launched %d", t->pid);
	finish_stop(t);
	r->ev = t->last_stop;
	return 0;
}

static int
op_regs(struct tr_tracer *t, struct tr_req *r)
{
	static const int req[] = {
		[TR_OP_REGS_GET] = PTRACE_GETREGS,
		[TR_OP_REGS_SET] = PTRACE_SETREGS,
		[TR_OP_FPREGS_GET] = PTRACE_GETFPREGS,
		[TR_OP_FPREGS_SET] = PTRACE_SETFPREGS,
		[TR_OP_SIGINFO_GET] = PTRACE_GETSIGINFO,
		[TR_OP_SIGINFO_SET] = PTRACE_SETSIGINFO,
	};
	struct tr_thread *th;
	int err = stopped_thread(t, r->tid, &th);

	if (err)
		return err;
	if (ptrace(req[r->op], th->tid, NULL, r->buf) < 0)
		return tr__ptrace_err(t, th->tid);
	/* A pc written onto one of our breakpoints (registers restored
	 * after an injected call, at the breakpoint the thread stopped at)
	 * is stepped over on resume, not hit again. */
	if (r->op == TR_OP_REGS_SET) {
		uint64_t rip = ((struct user_regs_struct *)r->buf)->rip;

		th->at_bp = tr__bp_find(t, rip) != NULL;
		th->in_patch = t->ntramps && tr__tramp_inside(t, rip);
	}
	return 0;
}

static int
op_xstate(struct tr_tracer *t, struct tr_req *r)
{
	struct iovec iov = { r->buf, r->len };
	struct tr_thread *th;
	int err = stopped_thread(t, r->tid, &th);

	if (err)
		return err;
	if (ptrace(r->op == TR_OP_XSTATE_GET ? PTRACE_GETREGSET
					       : PTRACE_SETREGSET,
		   th->tid, (void *)NT_X86_XSTATE, &iov) < 0)
		return tr__ptrace_err(t, th->tid);
	r->done = iov.iov_len;
	return 0;
}

static int
op_state(struct tr_tracer *t, struct tr_req *r)
{
	struct tr_state *st = r->buf;

	memset(st, 0, sizeof(*st));
	st->pid = t->pid;
	st->launched = t->launched;
	st->gone = t->gone;
	st->running = t->phase == PH_RUNNING || t->phase == PH_STOPPING;
	st->current_tid = t->current_tid;
	st->nthreads = (unsigned)t->nthreads;
	st->nbreakpoints = (unsigned)t->nbps;
	st->last_stop = t->last_stop;
	return 0;
}

static int
exec_op(struct tr_tracer *t, struct tr_req *r)
{
	struct tr_thread *th;
	int err;

	switch (r->op) {
	case TR_OP_NOP:
		return 0;
	case TR_OP_CALL:
		return r->fn ? r->fn(t, r->arg) : -TR_EINVAL;
	case TR_OP_PEEK:
		err = stopped_thread(t, r->tid, &th);
		return err ? err : tr__peek(t, th->tid, r->addr, &r->val);
	case TR_OP_POKE:
		err = stopped_thread(t, r->tid, &th);
		return err ? err : tr__poke(t, th->tid, r->addr, r->val);
	case TR_OP_MEM_READ:
		err = need_target(t);
		return err ? err
			   : tr__mem_read(t, r->addr, r->buf, r->len, &r->done);
	case TR_OP_MEM_WRITE:
		err = need_target(t);
		return err ? err
			   : tr__mem_write(t, r->addr, r->buf, r->len, &r->done);
	case TR_OP_REGS_GET:
	case TR_OP_REGS_SET:
	case TR_OP_FPREGS_GET:
	case TR_OP_FPREGS_SET:
	case TR_OP_SIGINFO_GET:
	case TR_OP_SIGINFO_SET:
		return op_regs(t, r);
	case TR_OP_XSTATE_GET:
	case TR_OP_XSTATE_SET:
		return op_xstate(t, r);
	case TR_OP_STEP:
	case TR_OP_CONT:
	case TR_OP_RESUME_ONE:
		return op_resume(t, r);
	case TR_OP_INTERRUPT:
		return op_interrupt(t, r);
	case TR_OP_KILL:
		return op_kill(t, r);
	case TR_OP_DETACH:
		return op_detach(t, r);
	case TR_OP_LAUNCH:
		return op_launch(t, r);
	case TR_OP_ATTACH:
		return op_attach(t, r);
	case TR_OP_BP_INSERT:
		err = need_target(t);
		return err ? err : tr__bp_insert(t, r->addr);
	case TR_OP_BP_REMOVE:
		err = need_target(t);
		return err ? err : tr__bp_remove(t, r->addr);
	case TR_OP_THREADS: {
		pid_t *tids = r->buf;

		err = need_target(t);
		if (err)
			return err;

		for (size_t i = 0; i < t->nthreads && i < r->len; i++)
			tids[i] = t->threads[i].tid;
		r->done = t->nthreads;
		return 0;
	}
	case TR_OP_STATE:
		return op_state(t, r);
	case TR_OP_QUIT_:
		t->quit = true;
		return 0;
	case TR_OP_SUB_ADD_:
		tr__sub_add(t, r->arg);
		return 0;
	case TR_OP_SUB_DEL_:
		tr__sub_del(t, r->arg);
		return 0;
	default:
		return -TR_EINVAL;
	}
}

static void
run_batch(struct tr_tracer *t, struct tr_req *r)
{
	int res;

	if (t->quit && r->op != TR_OP_SUB_DEL_) {
		finish_req(t, r, -TR_ESHUTDOWN);
		return;
	}
	res = exec_op(t, r);
	if (res == TR_DEFERRED)
		return; /* the rest of the batch runs when r completes */
	finish_req(t, r, res);
}

/* ---- the loop ------------------------------------------------------- */

static void
drain_signalfd(struct tr_tracer *t)
{
	struct signalfd_siginfo si[8];

	while (read(t->sigfd, si, sizeof(si)) > 0)
		;
}

static bool
target_running(const struct tr_tracer *t)
{
	return t->pid && !t->gone &&
	       (t->phase == PH_RUNNING || t->phase == PH_STOPPING ||
		t->nrunning > 0);
}

/* tr_resume_one's timeout: interrupt the thread, report TR_STOP_TIMEOUT.
 * True when it fired. */
static bool
check_deadline(struct tr_tracer *t)
{
	if (!t->deadline_ns || t->phase != PH_RUNNING ||
	    now_ns() < t->deadline_ns)
		return false;
	t->deadline_ns = 0;
	memset(&t->report, 0, sizeof(t->report));
	t->report.reason = TR_STOP_TIMEOUT;
	t->report.tid = t->current_tid;
	for (size_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].calling)
			t->report.tid = t->threads[i].tid;
	t->have_report = true;
	t->phase = PH_STOPPING;
	interrupt_all(t);
	return true;
}

static int
poll_ms(const struct tr_tracer *t)
{
	uint64_t now;
	int ms;

	if (!target_running(t))
		return IDLE_POLL_MS;
	if (!t->deadline_ns)
		return RUNNING_POLL_MS;
	now = now_ns();
	ms = now >= t->deadline_ns ? 0
	     : (int)((t->deadline_ns - now) / 1000000u) + 1;
	return ms < RUNNING_POLL_MS ? ms : RUNNING_POLL_MS;
}

static void *
tracer_main(void *arg)
{
	struct tr_tracer *t = arg;
	struct epoll_event evs[2];
	struct tr_req *r;

	tr_slab_server_bind(t->slab);
	while (!t->quit) {
		bool got = false;

		while ((r = tr_slab_server_next(t->slab))) {
			run_batch(t, r);
			got = true;
		}
		if (target_running(t))
			tr__reap(t);
		if (got || t->quit)
			continue;
		/* Idle. Spin only while the target is stopped: a running
		 * target needs the CPU more than we do. */
		if (!target_running(t) && tr_slab_server_spin(t->slab))
			continue;
		if (target_running(t) && check_deadline(t))
			continue;
		if (target_running(t) &&
		    now_ns() - t->resumed_ns < RESUME_POLL_NS) {
			sched_yield();
			continue;
		}
		if (tr_slab_server_sleep_prepare(t->slab))
			continue;
		epoll_wait(t->epfd, evs, 2, poll_ms(t));
		tr_slab_server_sleep_end(t->slab);
		drain_signalfd(t);
		tr__reap(t);
	}
	/* Fail whatever is still queued or waiting. */
	while ((r = tr_slab_server_next(t->slab)))
		finish_req(t, r, -TR_ESHUTDOWN);
	complete_deferred(t, DEF_STOP, -TR_ESHUTDOWN, NULL);
	complete_deferred(t, DEF_GONE, -TR_ESHUTDOWN, NULL);
	complete_deferred(t, DEF_DETACH, -TR_ESHUTDOWN, NULL);
	return NULL;
}

int
tr_tracer_new(const struct tr_tracer_opts *opts, struct tr_tracer **out)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct tr_tracer *t;
	sigset_t chld;
	int err;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -TR_ENOMEM;
	if (opts)
		t->opts = *opts;
	t->memfd = -1;
	t->epfd = -1;
	t->sigfd = -1;
	err = tr_slab_new(&t->opts.slab, &t->slab);
	if (err)
		goto fail;
	t->cap_deferred = t->opts.slab.nslots ? t->opts.slab.nslots : 64;
	t->deferred = calloc(t->cap_deferred, sizeof(*t->deferred));

	/* Blocked here, the tracer thread and every thread created later
	 * inherit the mask; the signalfd then sees target stops. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, NULL);
	t->sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!t->deferred || t->sigfd < 0 || t->epfd < 0) {
		err = t->deferred ? tr_errno_map(errno) : -TR_ENOMEM;
		goto fail;
	}
	ev.data.fd = t->sigfd;
	epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->sigfd, &ev);
	ev.data.fd = tr_slab_server_fd(t->slab);
	epoll_ctl(t->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);

	err = pthread_create(&t->thread, NULL, tracer_main, t);
	if (err) {
		err = tr_errno_map(err);
		goto fail;
	}
	pthread_setname_np(t->thread, "tracer");
	*out = t;
	return 0;
fail:
	if (t->epfd >= 0)
		close(t->epfd);
	if (t->sigfd >= 0)
		close(t->sigfd);
	free(t->deferred);
	tr_slab_free(t->slab);
	free(t);
	return err;
}

void
tr_tracer_free(struct tr_tracer *t)
{
	struct tr_state st;
	struct tr_req *r;

	if (!t)
		return;
	if (tr_state_get(t, &st) == 0 && st.pid && !st.gone) {
		if (st.launched && !t->opts.detach_launched)
			tr_kill(t);
		else
			tr_detach(t);
	}
	r = tr_req_get(t);
	r->op = TR_OP_QUIT_;
	tr_req_submit(t, r);
	tr_req_wait(t, r);
	tr_req_put(t, r);
	pthread_join(t->thread, NULL);
	/* A target still attached (the detach failed) is let go by the
	 * kernel when the tracer thread exits; a launched one is killed by
	 * PTRACE_O_EXITKILL. */
	close(t->epfd);
	close(t->sigfd);
	if (t->memfd >= 0)
		close(t->memfd);
	free(t->threads);
	free(t->bps);
	tr__tramp_reset(t);
	free(t->tramps);
	tr__ubp_reset(t);
	free(t->ubps);
	free(t->deferred);
	tr_slab_free(t->slab);
	free(t);
}

struct tr_slab *
tr_tracer_slab(struct tr_tracer *t)
{
	return t->slab;
}

/* ---- the requester API -------------------------------------------- */

struct tr_req *
tr_req_get(struct tr_tracer *t)
{
	return tr_slab_get(t->slab);
}

void
tr_req_submit(struct tr_tracer *t, struct tr_req *head)
{
	tr_slab_submit(t->slab, head);
}

int
tr_req_wait(struct tr_tracer *t, struct tr_req *r)
{
	return tr_slab_wait(t->slab, r);
}

void
tr_req_put(struct tr_tracer *t, struct tr_req *r)
{
	tr_slab_put(t->slab, r);
}

/* One synchronous round trip; `r` comes filled, results stay in it. */
static int
roundtrip(struct tr_tracer *t, struct tr_req *r)
{
	if (on_tracer_thread(t)) {
		tr_slab_put(t->slab, r);
		return -TR_ENOTTHREAD; /* would wait for itself forever */
	}
	tr_slab_submit(t->slab, r);
	return tr_slab_wait(t->slab, r);
}

#define REQ(t, r, opcode)                                                 \
	struct tr_req *r = tr_slab_get((t)->slab);                        \
	r->op = (opcode)

int
tr_nop(struct tr_tracer *t)
{
	REQ(t, r, TR_OP_NOP);
	int err = roundtrip(t, r);

	tr_slab_put(t->slab, r);
	return err;
}

int
tr_call(struct tr_tracer *t, int (*fn)(struct tr_tracer *, void *), void *arg)
{
	REQ(t, r, TR_OP_CALL);
	int err;

	r->fn = fn;
	r->arg = arg;
	err = roundtrip(t, r);
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_launch(struct tr_tracer *t, const struct tr_launch *l, pid_t *pid)
{
	REQ(t, r, TR_OP_LAUNCH);
	int err;

	r->arg = (void *)l;
	err = roundtrip(t, r);
	if (err == 0 && pid)
		*pid = (pid_t)r->val;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_attach(struct tr_tracer *t, pid_t pid)
{
	REQ(t, r, TR_OP_ATTACH);
	int err;

	r->val = (uint64_t)pid;
	err = roundtrip(t, r);
	tr_slab_put(t->slab, r);
	return err;
}

static int
simple(struct tr_tracer *t, uint16_t op)
{
	REQ(t, r, op);
	int err = roundtrip(t, r);

	tr_slab_put(t->slab, r);
	return err;
}

int
tr_detach(struct tr_tracer *t)
{
	return simple(t, TR_OP_DETACH);
}

int
tr_detach_nosig(struct tr_tracer *t)
{
	REQ(t, r, TR_OP_DETACH);
	r->val = 1;
	int err = roundtrip(t, r);

	tr_slab_put(t->slab, r);
	return err;
}

int
tr_kill(struct tr_tracer *t)
{
	return simple(t, TR_OP_KILL);
}

static int
mem_op(struct tr_tracer *t, uint16_t op, uint64_t addr, void *buf, size_t len,
       size_t *done)
{
	REQ(t, r, op);
	int err;

	r->addr = addr;
	r->buf = buf;
	r->len = len;
	err = roundtrip(t, r);
	if (done)
		*done = r->done;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_mem_read(struct tr_tracer *t, uint64_t addr, void *buf, size_t len,
	    size_t *done)
{
	return mem_op(t, TR_OP_MEM_READ, addr, buf, len, done);
}

int
tr_mem_read_cb(void *tracer, uint64_t addr, void *buf, size_t len)
{
	return tr_mem_read(tracer, addr, buf, len, NULL);
}

int
tr_mem_write(struct tr_tracer *t, uint64_t addr, const void *buf, size_t len,
	     size_t *done)
{
	return mem_op(t, TR_OP_MEM_WRITE, addr, (void *)buf, len, done);
}

int
tr_peek(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t *val)
{
	REQ(t, r, TR_OP_PEEK);
	int err;

	r->tid = tid;
	r->addr = addr;
	err = roundtrip(t, r);
	if (err == 0)
		*val = r->val;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_poke(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t val)
{
	REQ(t, r, TR_OP_POKE);
	int err;

	r->tid = tid;
	r->addr = addr;
	r->val = val;
	err = roundtrip(t, r);
	tr_slab_put(t->slab, r);
	return err;
}

static int
buf_op(struct tr_tracer *t, uint16_t op, pid_t tid, void *buf, size_t len,
       size_t *done)
{
	REQ(t, r, op);
	int err;

	r->tid = tid;
	r->buf = buf;
	r->len = len;
	err = roundtrip(t, r);
	if (done)
		*done = r->done;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_regs_get(struct tr_tracer *t, pid_t tid, struct user_regs_struct *regs)
{
	return buf_op(t, TR_OP_REGS_GET, tid, regs, sizeof(*regs), NULL);
}

int
tr_regs_set(struct tr_tracer *t, pid_t tid,
	    const struct user_regs_struct *regs)
{
	return buf_op(t, TR_OP_REGS_SET, tid, (void *)regs, sizeof(*regs),
		      NULL);
}

int
tr_fpregs_get(struct tr_tracer *t, pid_t tid, struct user_fpregs_struct *f)
{
	return buf_op(t, TR_OP_FPREGS_GET, tid, f, sizeof(*f), NULL);
}

int
tr_fpregs_set(struct tr_tracer *t, pid_t tid,
	      const struct user_fpregs_struct *f)
{
	return buf_op(t, TR_OP_FPREGS_SET, tid, (void *)f, sizeof(*f), NULL);
}

int
tr_xstate_get(struct tr_tracer *t, pid_t tid, void *buf, size_t len,
	      size_t *size)
{
	return buf_op(t, TR_OP_XSTATE_GET, tid, buf, len, size);
}

int
tr_xstate_set(struct tr_tracer *t, pid_t tid, const void *buf, size_t len)
{
	return buf_op(t, TR_OP_XSTATE_SET, tid, (void *)buf, len, NULL);
}

int
tr_siginfo_get(struct tr_tracer *t, pid_t tid, void *siginfo)
{
	return buf_op(t, TR_OP_SIGINFO_GET, tid, siginfo, sizeof(siginfo_t),
		      NULL);
}

int
tr_siginfo_set(struct tr_tracer *t, pid_t tid, const void *siginfo)
{
	return buf_op(t, TR_OP_SIGINFO_SET, tid, (void *)siginfo,
		      sizeof(siginfo_t), NULL);
}

static int
exec_req(struct tr_tracer *t, uint16_t op, pid_t tid, int sig,
	 struct tr_event *ev)
{
	REQ(t, r, op);
	int err;

	r->tid = tid;
	r->val = (uint64_t)(int64_t)sig;
	if (ev)
		r->flags = TR_REQ_WAIT_STOP;
	err = roundtrip(t, r);
	if (err == 0 && ev)
		*ev = r->ev;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_step(struct tr_tracer *t, pid_t tid, int sig, struct tr_event *ev)
{
	return exec_req(t, TR_OP_STEP, tid, sig, ev);
}

int
tr_cont(struct tr_tracer *t, pid_t tid, int sig, struct tr_event *ev)
{
	return exec_req(t, TR_OP_CONT, tid, sig, ev);
}

static int
trap_insert(struct tr_tracer *t, void *arg)
{
	int err = need_target(t);

	return err ? err : tr__trap_insert(t, *(uint64_t *)arg);
}

int
tr_call_trap_insert(struct tr_tracer *t, uint64_t addr)
{
	return tr_call(t, trap_insert, &addr);
}

int
tr_resume_one(struct tr_tracer *t, pid_t tid, unsigned timeout_ms,
	      struct tr_event *ev)
{
	REQ(t, r, TR_OP_RESUME_ONE);
	int err;

	r->tid = tid;
	r->len = timeout_ms;
	r->flags = TR_REQ_WAIT_STOP;
	err = roundtrip(t, r);
	if (err == 0)
		*ev = r->ev;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_interrupt(struct tr_tracer *t, struct tr_event *ev)
{
	return exec_req(t, TR_OP_INTERRUPT, 0, 0, ev);
}

static int
bp_op(struct tr_tracer *t, uint16_t op, uint64_t addr)
{
	REQ(t, r, op);
	int err;

	r->addr = addr;
	err = roundtrip(t, r);
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_bp_insert(struct tr_tracer *t, uint64_t addr)
{
	return bp_op(t, TR_OP_BP_INSERT, addr);
}

int
tr_bp_remove(struct tr_tracer *t, uint64_t addr)
{
	return bp_op(t, TR_OP_BP_REMOVE, addr);
}

int
tr_threads(struct tr_tracer *t, pid_t *tids, size_t max, size_t *n)
{
	return buf_op(t, TR_OP_THREADS, 0, tids, max, n);
}

int
tr_state_get(struct tr_tracer *t, struct tr_state *st)
{
	return buf_op(t, TR_OP_STATE, 0, st, sizeof(*st), NULL);
}

/* ---- direct calls, on the tracer thread ----------------------------- */

int
tr_direct_peek(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t *val)
{
	struct tr_thread *th;
	int err;

	if (!on_tracer_thread(t))
		return -TR_ENOTTHREAD;
	err = stopped_thread(t, tid, &th);
	return err ? err : tr__peek(t, th->tid, addr, val);
}

int
tr_direct_mem_read(struct tr_tracer *t, uint64_t addr, void *buf, size_t len,
		   size_t *done)
{
	int err;

	if (!on_tracer_thread(t))
		return -TR_ENOTTHREAD;
	err = need_target(t);
	return err ? err : tr__mem_read(t, addr, buf, len, done);
}

int
tr_direct_mem_write(struct tr_tracer *t, uint64_t addr, const void *buf,
		    size_t len, size_t *done)
{
	int err;

	if (!on_tracer_thread(t))
		return -TR_ENOTTHREAD;
	err = need_target(t);
	return err ? err : tr__mem_write(t, addr, buf, len, done);
}

int
tr_direct_regs_get(struct tr_tracer *t, pid_t tid, struct user_regs_struct *r)
{
	struct tr_thread *th;
	int err;

	if (!on_tracer_thread(t))
		return -TR_ENOTTHREAD;
	err = stopped_thread(t, tid, &th);
	if (err)
		return err;
	return ptrace(PTRACE_GETREGS, th->tid, NULL, r) < 0
		       ? tr__ptrace_err(t, th->tid)
		       : 0;
}

int
tr_direct_regs_set(struct tr_tracer *t, pid_t tid,
		   const struct user_regs_struct *r)
{
	struct tr_thread *th;
	int err;

	if (!on_tracer_thread(t))
		return -TR_ENOTTHREAD;
	err = stopped_thread(t, tid, &th);
	if (err)
		return err;
	if (ptrace(PTRACE_SETREGS, th->tid, NULL, r) < 0)
		return tr__ptrace_err(t, th->tid);
	return 0;
}

uint64_t
tr_run_count(struct tr_tracer *t)
{
	return atomic_load_explicit(&t->runs, memory_order_relaxed);
}

int
tr_direct_fast_cond(struct tr_tracer *t, uint64_t addr, uint32_t bpnum,
		    const uint8_t *body, size_t blen, unsigned ntemps,
		    uint64_t func_lo, uint64_t func_hi)
{
	return tr__tramp_request(t, addr, bpnum, body, blen, ntemps, func_lo,
				 func_hi);
}

pid_t
tr_direct_pid(const struct tr_tracer *t)
{
	return t->gone ? 0 : t->pid;
}
