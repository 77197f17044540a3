/* stop.c: all-stop: what each wait status means, when a stop is reported, how everything resumes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "target/procfs.h"
#include "target/tracer_int.h"

/* Forget what the layer above keeps about the target (tracer.h's
 * struct tr_site_hooks): it is gone, detached or exec'd. */
void
tr__hooks_reset(struct tr_tracer *t)
{
	if (t->hooks.reset)
		t->hooks.reset(t, t->hooks_ctx);
}

/*
 * Whether a hit at the site at `addr` stops: a raw site (tr_bp_insert)
 * always does; for the others the layer above decides (user breakpoints,
 * their conditions and counts: struct tr_site_hooks), and *bpnum gets the
 * breakpoint that stops (0: none).
 */
static bool
site_stops(struct tr_tracer *t, pid_t tid, uint64_t addr, uint32_t *bpnum)
{
	struct tr_bp *site = tr__bp_find(t, addr);
	bool stop = site && site->raw;

	*bpnum = 0;
	if (t->hooks.hit && t->hooks.hit(t, t->hooks_ctx, tid, addr, bpnum))
		stop = true;
	return stop;
}

/* ---- the target goes away ------------------------------------------ */

void
tr__target_reset(struct tr_tracer *t)
{
	tr__kids_release(t, true); /* while the sites are still known */
	tr__threads_clear(t);
	t->vfork_lifted = false;
	t->all_interrupted = false;
	t->nbps = 0;
	t->scratch = 0; /* the old address space's */
	t->scratch_failed = false;
	tr__tramp_reset(t);
	tr__wp_reset(t);
	tr__hooks_reset(t);
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
	tr__target_reset(t);
	t->last_stop = ev;
	tr_log_info("target %d %s", t->pid,
		    ev.type == TR_EV_EXIT ? "exited" : "was killed");
	tr__publish(t, &ev);
	tr__complete_deferred(t, DEF_STOP, 0, &ev);
	tr__complete_deferred(t, DEF_GONE, 0, &ev);
	tr__complete_deferred(t, DEF_DETACH, -TR_EGONE, &ev);
}

/* ---- all-stop ------------------------------------------------------- */

static bool
takes_turns(enum tr_stop_reason r)
{
	return r == TR_STOP_BREAKPOINT || r == TR_STOP_SIGNAL;
}

/*
 * Threads that met breakpoints (or signals) at once take turns: of the
 * stop about to be reported and the ones pending, the thread first at
 * or after pending_next is reported, the others stay pending. Otherwise
 * the thread the kernel happens to report first would always win, and a
 * client that deletes its breakpoints at each stop would never hear of
 * the others (gdb.threads/continue-pending-status.exp: "no thread
 * starvation"; gdbserver picks at random).
 */
static void
take_turns(struct tr_tracer *t)
{
	size_t n = t->nthreads, best = n, bestd = n;
	struct tr_thread *rth;

	if (!n || !takes_turns(t->report.reason) ||
	    !(rth = tr__thread_find(t, t->report.tid)))
		return;
	for (size_t i = 0; i < n; i++) {
		const struct tr_thread *th = &t->threads[i];
		size_t d = (i + n - t->pending_next % n) % n;

		if ((th == rth || (th->has_pending &&
				   takes_turns(th->pending.reason))) &&
		    d < bestd) {
			bestd = d;
			best = i;
		}
	}
	if (best == n)
		return;
	if (&t->threads[best] != rth) {
		struct tr_thread *ch = &t->threads[best];

		rth->pending = t->report;
		rth->has_pending = true;
		t->report = ch->pending;
		ch->has_pending = false;
	}
	t->pending_next = best + 1;
}

/* Every thread has stopped: publish the stop, complete who waits for it. */
void
tr__finish_stop(struct tr_tracer *t)
{
	struct tr_event ev;
	struct user_regs_struct regs;

	take_turns(t);
	/* An interrupt (^C, tr_interrupt) is told on the main thread when it
	 * is there, as the kernel gives the SIGINT a terminal sends to the
	 * process to its main thread, and gdbserver's ^C (a SIGINT to the
	 * process) is reported on it: then no thread that happened to stop
	 * first stands out (gdb.threads/continue-pending-status.exp). */
	if (t->report.reason == TR_STOP_INTERRUPT && t->report.tid != t->pid) {
		struct tr_thread *leader = tr__thread_find(t, t->pid);

		if (leader && leader->state == TH_STOPPED) {
			t->report.tid = t->pid;
			t->report.pc = 0;
			t->report.addr = 0;
		}
	}
	ev = t->report;

	t->phase = PH_STOPPED;
	t->have_report = false;
	t->single = false;
	t->deadline_ns = 0;
	if (ev.pc == 0 && tr__regs_of(ev.tid, &regs) == 0)
		ev.pc = regs.rip;
	ev.type = TR_EV_STOP;
	ev.pid = t->pid;
	ev.seq = ++t->ev_seq;
	t->last_stop = ev;
	t->current_tid = ev.tid;
	tr__publish(t, &ev);
	tr__complete_deferred(t, DEF_STOP, 0, &ev);
	if (tr__deferred_has(t, DEF_DETACH)) {
		tr__detach(t);
		tr__complete_deferred(t, DEF_DETACH, 0, NULL);
	}
}

/*
 * Ask every running thread to stop, once per stop-all: each thread that
 * runs and was not interrupted since it was last resumed. A thread
 * interrupted and resumed since may have had the interrupt folded into a
 * stop we have seen (any ptrace stop clears a pending interrupt): it is
 * asked again. An extra trap that fires later is taken as "nothing to
 * report". A new thread stops by itself. Called at every stop recorded
 * while stopping, it walks the threads only the first time after a
 * resume: with N threads, N walks of N made a stop-all quadratic.
 */
void
tr__interrupt_all(struct tr_tracer *t)
{
	if (t->all_interrupted)
		return;
	for (size_t i = 0; i < t->nthreads; i++) {
		struct tr_thread *th = &t->threads[i];

		if (th->state != TH_RUNNING || th->fresh || th->interrupted)
			continue;
		if (ptrace(PTRACE_INTERRUPT, th->tid, NULL, NULL) == 0)
			th->interrupt_sent = th->interrupted = true;
	}
	t->all_interrupted = true;
}

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
	tr__interrupt_all(t);
	tr__maybe_finish_stop(t);
}

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

void
tr__maybe_finish_stop(struct tr_tracer *t)
{
	if (t->phase == PH_STOPPING && t->nrunning == 0) {
		if (exits_pending(t))
			return;
		if (t->auto_resume && !t->have_report) {
			/* A silent stop: resume, unless another thread has a
			 * stop of its own to tell. */
			t->auto_resume = false;
			if (!tr__report_pending(t)) {
				t->phase = PH_RUNNING;
				tr__continue_resume(t);
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
		tr__finish_stop(t);
	}
}

void
tr__resume_thread(struct tr_tracer *t, struct tr_thread *th, int req, int sig)
{
	if (t->ntramps && (th->at_bp || th->in_patch))
		tr__tramp_resume(t, th);
	if (t->dr_exec)
		tr__hbp_resume(t, th);
	/* protected pages: system calls are stopped at, to open the pages
	 * under their buffers (watch.c) */
	if (req == PTRACE_CONT && (t->nwpages || th->sys_open) &&
	    tr__wp_sys_trace(t, th))
		req = PTRACE_SYSCALL;
	if (ptrace(req, th->tid, NULL, (void *)(long)sig) < 0) {
		/* ESRCH: killed meanwhile; its exit status will come. */
		tr_log_debug("resume %d: %s", th->tid, strerror(errno));
		return;
	}
	th->state = TH_RUNNING;
	th->at_bp = false;
	th->interrupted = false;
	t->all_interrupted = false;
	t->nrunning++;
	t->resumed_ns = tr__now_ns();
}

bool
tr__at_breakpoint(struct tr_tracer *t, struct tr_thread *th, uint64_t *addr)
{
	struct user_regs_struct regs;

	if (!t->nbps || tr__regs_of(th->tid, &regs) < 0)
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
void
tr__continue_resume(struct tr_tracer *t)
{
	/* A thread that faulted on a watched page steps over the access
	 * first, alone, the pages open (watch.c). */
	for (size_t i = 0; i < t->nthreads; i++) {
		struct tr_thread *th = &t->threads[i];

		if (th->state != TH_STOPPED || !th->wp_wait)
			continue;
		tr__wp_step_begin(t, th);
		if (th->state == TH_RUNNING)
			return;
	}
	for (size_t i = 0; i < t->nthreads; i++) {
		struct tr_thread *th = &t->threads[i];
		uint64_t addr;

		if (th->state != TH_STOPPED || !th->at_bp)
			continue;
		if (!tr__at_breakpoint(t, th, &addr)) {
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
		tr__resume_thread(t, th, PTRACE_SINGLESTEP, th->resume_sig);
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
		tr__resume_thread(t, th, PTRACE_CONT, th->resume_sig);
		th->resume_sig = 0;
	}
}

/*
 * A resume with a stop still untold reports that stop instead. Several
 * threads' stops (breakpoint hits of threads that met at once) are
 * reported one per resume, the threads taking turns from the one after
 * the last reported: one thread hitting again and again cannot starve
 * the others (gdb.threads/continue-pending-status.exp; gdbserver picks
 * at random among them).
 */
bool
tr__report_pending(struct tr_tracer *t)
{
	for (size_t k = 0; k < t->nthreads; k++) {
		size_t i = (t->pending_next + k) % t->nthreads;
		struct tr_thread *th = &t->threads[i];

		if (!th->has_pending)
			continue;
		th->has_pending = false;
		/* A breakpoint removed since is no stop any more: the
		 * thread's pc is at the int3 it executed, so it runs the
		 * breakpoint again if it is put back before the resume (gdb
		 * takes its breakpoints out around each step over one), not
		 * stepped over as one it stopped at. */
		if (th->pending.reason == TR_STOP_BREAKPOINT &&
		    !tr__bp_find(t, th->pending.addr)) {
			th->at_bp = false;
			continue;
		}
		t->pending_next = i + 1;
		t->report = th->pending;
		t->have_report = true;
		tr__finish_stop(t);
		return true;
	}
	return false;
}

/* ---- wait statuses -------------------------------------------------- */

struct fork_kid *
tr__kid_find(struct tr_tracer *t, pid_t pid, bool add)
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
void
tr__kid_release(struct tr_tracer *t, struct fork_kid *k)
{
	if (k->kind == PTRACE_EVENT_FORK) {
		tr__bp_restore_in(t, k->pid);
		tr__wp_restore_in(t, k->pid);
	} else if (k->kind == PTRACE_EVENT_VFORK && !t->vfork_lifted &&
		   t->nbps && !t->gone) {
		/* The child runs in our memory until it execs or exits: an
		 * int3 it met would kill it. Ours are out meanwhile, back at
		 * the parent's vfork-done (gdb does the same). */
		for (size_t i = 0; i < t->nbps; i++)
			tr__bp_lift(t, t->bps[i].addr);
		t->vfork_lifted = true;
	}
	ptrace(PTRACE_DETACH, k->pid, NULL, NULL);
	k->pid = 0;
	k->held = false;
}

static void
kid_progress(struct tr_tracer *t, struct fork_kid *k)
{
	if (!k->stopped || !k->kind || k->held)
		return;
	tr__kid_release(t, k);
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
	tr__threads_clear(t);
	*tr__thread_add(t, t->pid) = leader; /* no allocation: room for 1 */
	t->nbps = 0;
	t->scratch = 0; /* the old address space's */
	t->scratch_failed = false;
	tr__tramp_reset(t);
	tr__wp_reset(t);
	tr__hooks_reset(t);
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
		th->at_bp = tr__regs_of(th->tid, &regs) == 0 && regs.rip == lifted;
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
	    tr__regs_of(th->tid, &regs) == 0 &&
	    tr__scratch_ensure(t, th) == 0 &&
	    (slot = tr__bp_displaced(t, regs.rip)) != 0) {
		regs.rip = slot;
		if (ptrace(PTRACE_SETREGS, th->tid, NULL, &regs) == 0) {
			tr__resume_thread(t, th, PTRACE_CONT, 0);
			if (th->state == TH_RUNNING)
				return;
		}
	}

	for (size_t i = 0; i < t->nthreads && !others; i++)
		others = t->threads[i].state == TH_RUNNING;
	if (t->phase == PH_RUNNING && !t->have_report && !t->single &&
	    !others) {
		tr__continue_resume(t);
		return;
	}
	if (t->phase == PH_RUNNING && !t->have_report) {
		t->auto_resume = true;
		t->phase = PH_STOPPING;
		tr__interrupt_all(t);
	}
	tr__maybe_finish_stop(t);
}

/*
 * A range step goes on (see tr_step in tracer.h): the thread has just
 * stepped one instruction cleanly; step it again at once while its pc
 * is still in the range, with the same stack pointer (a call, a push
 * or a return ends it: the caller looks at those), on no breakpoint
 * site, nobody has asked for a stop, and the bound is not reached.
 */
static bool
range_step_on(struct tr_tracer *t, struct tr_thread *th)
{
	struct user_regs_struct now;

	if (!th->range_hi || th->range_steps + 1 >= TR_RANGE_STEPS ||
	    t->phase != PH_RUNNING || t->have_report || t->nwps ||
	    t->nwpages || tr__regs_of(th->tid, &now) < 0 ||
	    now.rip < th->range_lo || now.rip >= th->range_hi ||
	    now.rsp != th->range_sp || tr__bp_find(t, now.rip))
		return false;
	th->range_steps++;
	th->step_from = now.rip;
	tr__resume_thread(t, th, PTRACE_SINGLESTEP, 0);
	if (th->state == TH_RUNNING)
		return true;
	return false;
}

/* A system-call stop (PTRACE_SYSCALL, only while watch.c protects
 * pages): a watchpoint the call's buffers triggered, or on at once. */
static void
handle_syscall_stop(struct tr_tracer *t, struct tr_thread *th)
{
	struct tr_event ev = { .tid = th->tid };
	uint64_t waddr = 0;
	uint32_t id = tr__wp_sys_stop(t, th, &waddr);

	if (id) {
		ev.reason = TR_STOP_WATCH;
		ev.bpnum = id;
		ev.addr = waddr;
		record_stop(t, th, &ev);
		return;
	}
	if (t->phase == PH_RUNNING && !t->have_report)
		tr__resume_thread(t, th, PTRACE_CONT, 0);
	else
		tr__maybe_finish_stop(t);
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
			if (th->stepping || th->over_bp || th->wp_stepping)
				tr__resume_thread(t, th, PTRACE_SINGLESTEP, 0);
			else if (!t->single || th->calling)
				tr__resume_thread(t, th, PTRACE_CONT, 0);
		} else if (th->stepping || th->over_bp || th->step_bp ||
			   th->wp_stepping) {
			replant(t, th, true);
			th->stepping = false;
			if (th->wp_stepping) {
				tr__wp_step_cancel(t, th);
				th->wp_wait = true;
			}
		}
		tr__maybe_finish_stop(t);
		return;
	}
	/* A fault on a page a watchpoint protects (watch.c) is ours. */
	if (sig == SIGSEGV && have_si && (t->nwpages || th->wp_stepping) &&
	    tr__wp_fault(t, th, &si))
		return;
	/* A debug register of ours fired (watch.c): a hardware breakpoint
	 * or a watchpoint, alone or during a single-step (DR6 has the step's
	 * BS and the register's bit together then: the watchpoint is
	 * reported, as gdb does, and ends the step). */
	if (sig == SIGTRAP && have_si && t->dr7 && !th->wp_stepping &&
	    (si.si_code == TRAP_HWBKPT || th->stepping)) {
		uint64_t waddr = 0, baddr = 0;
		uint32_t wid = 0;
		bool exec = false;
		int r = tr__dr_trap(t, th, &exec, &baddr, &wid, &waddr);

		if (r == 0 && exec && !th->calling &&
		    tr__hbp_stops(t, th->tid, baddr, &ev.bpnum)) {
			replant(t, th, true);
			th->stepping = false;
			ev.reason = TR_STOP_BREAKPOINT;
			ev.sig = 0;
			ev.addr = ev.pc = baddr;
			record_stop(t, th, &ev);
			return;
		}
		if (r == 0 && wid) {
			replant(t, th, true);
			th->stepping = false;
			ev.reason = TR_STOP_WATCH;
			ev.bpnum = wid;
			ev.addr = waddr;
			ev.sig = 0;
			record_stop(t, th, &ev);
			return;
		}
		if (r == 0 && !th->stepping) {
			go_on(t, th);
			return;
		}
		/* else the step's own trap (or ours during it, not to report):
		 * the step goes on as below */
	}
	if (th->wp_stepping && sig == SIGTRAP &&
	    !(have_si && si.si_code == SI_KERNEL)) {
		/* The access watched pages fault on is done. */
		uint64_t waddr = 0;
		uint32_t id = tr__wp_step_done(t, th, &waddr);

		if (id) {
			replant(t, th, true);
			th->stepping = false;
			ev.reason = TR_STOP_WATCH;
			ev.bpnum = id;
			ev.addr = waddr;
			ev.sig = 0;
			record_stop(t, th, &ev);
			return;
		}
		if (!th->stepping && !th->over_bp && !th->step_bp) {
			if (th->calling)
				tr__resume_thread(t, th, PTRACE_CONT, 0);
			else if (t->phase == PH_RUNNING && !t->have_report)
				tr__continue_resume(t);
			else
				tr__maybe_finish_stop(t);
			return;
		}
		/* else the user's step, or a step over a breakpoint, is
		 * done too: as below */
	} else if (th->wp_stepping) {
		/* Something else came first: the access is still to do. */
		tr__wp_step_cancel(t, th);
		th->wp_wait = true;
	}
	lifted = replant(t, th, false);

	if (have_si && sig != SIGTRAP)
		ev.addr = (uint64_t)(uintptr_t)si.si_addr;

	if (sig == SIGTRAP && have_si && si.si_code == SI_KERNEL) {
		/* An int3: ours if one of our sites sits just before pc. */
		struct user_regs_struct regs;

		if (tr__regs_of(th->tid, &regs) == 0 &&
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
			} else if (!th->calling &&
				   (ev.bpnum = tr__wp_scope_hit(t, th,
								regs.rip))) {
				/* a watched local's frame returned */
				ev.reason = TR_STOP_WATCH_SCOPE;
				record_stop(t, th, &ev);
			} else if (site_stops(t, th->tid, regs.rip,
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
		    tr__regs_of(th->tid, &now) == 0 && now.rip == th->step_from) {
			if (lifted && tr__bp_lift(t, lifted) == 0)
				th->step_bp = lifted;
			tr__resume_thread(t, th, PTRACE_SINGLESTEP, 0);
			if (th->state == TH_RUNNING)
				return;
		}
		if (th->stepping) {
			if (range_step_on(t, th))
				return;
			th->stepping = false;
			th->range_hi = 0;
			ev.reason = TR_STOP_STEP;
			ev.sig = 0;
			ev.steps = th->range_steps + 1;
			record_stop(t, th, &ev);
			return;
		}
		/* Stepped over a breakpoint on the way to resuming all. */
		if (t->phase == PH_RUNNING && !t->have_report) {
			tr__continue_resume(t);
			return;
		}
		tr__maybe_finish_stop(t);
		return;
	}
	/* A signal of the target's own: report it, pass it on by default.
	 * If it interrupted a step over a breakpoint, the pc still points at
	 * the breakpoint, to be stepped over again on resume. */
	if (lifted) {
		struct user_regs_struct regs;

		th->at_bp = tr__regs_of(th->tid, &regs) == 0 &&
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

	if (!t->nbps || tr__regs_of(th->tid, &regs) < 0 ||
	    !tr__bp_find(t, regs.rip - 1) ||
	    tr_proc_sig_pending(t->pid, th->tid, SIGTRAP) != 1)
		return false;
	regs.rip--;
	if (ptrace(PTRACE_SETREGS, th->tid, NULL, &regs) < 0)
		return false;
	th->eat_sigtrap = true;
	th->at_bp = true;
	ev.addr = ev.pc = regs.rip;
	if (site_stops(t, th->tid, regs.rip, &ev.bpnum))
		record_stop(t, th, &ev);
	else
		tr__maybe_finish_stop(t);
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
			tr__wp_thread_new(t, th);
			tr__emit(t, TR_EV_THREAD_NEW, th->tid, 0, 0);
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
			if (th->stepping || th->over_bp || th->wp_stepping)
				tr__resume_thread(t, th, PTRACE_SINGLESTEP, 0);
			else if (!t->single || th->calling)
				tr__resume_thread(t, th, PTRACE_CONT, 0);
		} else if (th->stepping || th->over_bp || th->step_bp ||
			   th->wp_stepping) {
			/* Stopped in the middle of a step (say, a blocking
			 * system call): the step is abandoned. If its trap is
			 * already queued, the step did happen: swallow that
			 * trap when it is delivered on the next resume. */
			replant(t, th, true);
			th->stepping = false;
			if (th->wp_stepping) {
				tr__wp_step_cancel(t, th);
				th->wp_wait = true;
			}
			if (tr_proc_sig_pending(t->pid, th->tid, SIGTRAP) == 1)
				th->eat_step_trap = true;
		}
		tr__maybe_finish_stop(t);
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
			struct fork_kid *k = tr__kid_find(t, (pid_t)msg, true);

			if (k) {
				k->kind = event;
				/* Reported when asked for (fork.c), except in
				 * a step of this thread, which goes on. */
				k->held = t->fork_events && k->pid &&
					  !(t->single && (th->stepping ||
							  th->over_bp ||
							  th->calling));
				k->parent_tid = th->tid;
				kid_progress(t, k);
				if (k->held) {
					struct tr_event ev = {
						.tid = th->tid,
						.child = (pid_t)msg,
						.reason = event == PTRACE_EVENT_FORK
								  ? TR_STOP_FORK
								  : TR_STOP_VFORK,
					};

					record_stop(t, th, &ev);
					return;
				}
			}
		}
		break;
	case PTRACE_EVENT_VFORK_DONE:
		if (t->vfork_lifted) {
			for (size_t i = 0; i < t->nbps; i++)
				tr__bp_plant(t, t->bps[i].addr);
			t->vfork_lifted = false;
		}
		if (t->fork_events &&
		    !(t->single && (th->stepping || th->over_bp ||
				    th->calling))) {
			struct tr_event ev = { .tid = th->tid,
					       .reason = TR_STOP_VFORK_DONE };

			record_stop(t, th, &ev);
			return;
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
		tr__maybe_finish_stop(t);
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
		tr__maybe_finish_stop(t);
		return;
	}
	default:
		break;
	}
	if (!keep_stopped && !t->single)
		tr__resume_thread(t, th, PTRACE_CONT, 0);
	else if (t->single && th->state == TH_STOPPED &&
		 (th->stepping || th->over_bp)) {
		/* The stepping thread itself made a clone/fork: keep stepping
		 * is not what PTRACE_EVENT means; finish the step. */
		tr__resume_thread(t, th, PTRACE_SINGLESTEP, 0);
	}
	tr__maybe_finish_stop(t);
}

void
tr__handle_status(struct tr_tracer *t, pid_t tid, int status)
{
	struct tr_thread *th = tr__thread_find(t, tid);

	if (!th) {
		struct fork_kid *k = tr__kid_find(t, tid, false);
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
			k = tr__kid_find(t, tid, true);
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
		tr__thread_del(t, th);
		tr__emit(t, TR_EV_THREAD_EXIT, tid, WIFSIGNALED(status) ?
		     WTERMSIG(status) : 0, WIFEXITED(status) ?
		     WEXITSTATUS(status) : 0);
		if (t->current_tid == tid)
			t->current_tid = t->pid;
		tr__maybe_finish_stop(t);
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
			tr__resume_thread(t, th, PTRACE_CONT, 0);
		else
			tr__maybe_finish_stop(t);
		return;
	}
	if (status >> 16)
		handle_ptrace_event(t, th, status >> 16, WSTOPSIG(status));
	else if (WSTOPSIG(status) == (SIGTRAP | 0x80))
		handle_syscall_stop(t, th);
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

/* ---- detach ------------------------------------------------------- */

/* Every thread of the target let go: a real signal still owed is
 * passed on, our own traps are not (the sites must be out already). */
void
tr__detach_threads(struct tr_tracer *t)
{
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
}

void
tr__detach(struct tr_tracer *t)
{
	/* Every page as it was found, and out with every int3 first: a
	 * thread released while another still has an int3 in the shared
	 * text would die of SIGTRAP. A held fork child is let go as it
	 * would have been without us. */
	tr__kids_release(t, true);
	tr__wp_clear(t);
	tr__sites_clear(t);
	tr__detach_threads(t);
	for (int i = 0; i < MAX_FORK_KIDS; i++)
		if (t->kids[i].pid && t->kids[i].stopped)
			ptrace(PTRACE_DETACH, t->kids[i].pid, NULL, NULL);
	tr__emit(t, TR_EV_DETACHED, t->pid, 0, 0);
	tr_log_info("detached from %d", t->pid);
	tr__target_reset(t);
	t->pid = 0;
}

