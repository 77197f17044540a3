/* tracer.c: the tracer thread: its loop, and the ops it runs for requests. */
#include <errno.h>
#include <stddef.h>
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

#include "base/error.h"
#include "base/log.h"
#include "target/procfs.h"
#include "target/tracer_int.h"

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

/* ---- completing requests --------------------------------------------- */

static void run_batch(struct tr_tracer *t, struct tr_req *r);

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

/* Complete the deferred requests the stop machinery found ready
 * (deferred.c); the rest of a batch may defer or complete more. */
static void
drain_done(struct tr_tracer *t)
{
	struct tr_req *r;
	int result;

	while ((r = tr__done_take(t, &result)))
		finish_req(t, r, result);
}

/* ---- wait statuses -------------------------------------------------- */

/*
 * Below this many threads to stop, waitpid(-1) alone reaps the stops of a
 * stop-all; at or above it, each is also waited for by its tid.
 */
#define SWEEP_MIN 16

/*
 * Wait for each thread expected to stop (all-stop in progress) by its
 * tid, WNOHANG: the kernel looks at that one task only, where
 * waitpid(-1) scans every task we trace for each status it returns, so
 * that reaping the N stops of a stop-all that way costs N^2 (FIELD-
 * NOTES). Returns how many statuses it handled.
 */
static size_t
sweep(struct tr_tracer *t)
{
	size_t n = 0, got = 0;
	int status;

	if (t->cap_sweep < t->nthreads) {
		pid_t *s = realloc(t->sweep, t->nthreads * sizeof(*s));

		if (!s)
			return 0; /* waitpid(-1) reaps them, more slowly */
		t->sweep = s;
		t->cap_sweep = t->nthreads;
	}
	/* The tids first: handling a status may add, drop or move threads. */
	for (size_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].state != TH_STOPPED)
			t->sweep[n++] = t->threads[i].tid;
	for (size_t i = 0; i < n && t->pid && !t->gone; i++) {
		pid_t tid = waitpid(t->sweep[i], &status,
				    WNOHANG | __WALL | __WNOTHREAD);

		if (tid <= 0)
			continue;
		tr__handle_status(t, tid, status);
		drain_done(t);
		got++;
	}
	return got;
}

void
tr__reap(struct tr_tracer *t)
{
	int status;
	pid_t tid;

	/* __WNOTHREAD: only our own tracees, never a sibling thread's
	 * children; __WALL: threads too. */
	while (t->pid && !t->gone) {
		bool many = t->phase == PH_STOPPING && t->nrunning >= SWEEP_MIN;
		size_t got = many ? sweep(t) : 0;

		/* What the sweep cannot see: threads we do not know yet, fork
		 * children. While sweeping, one scan a round; else until
		 * nothing is left. */
		while (t->pid && !t->gone &&
		       (tid = waitpid(-1, &status,
				      WNOHANG | __WALL | __WNOTHREAD)) > 0) {
			tr__handle_status(t, tid, status);
			drain_done(t);
			got++;
			if (many)
				break;
		}
		if (!got)
			break;
	}
}

/* ---- request ops ---------------------------------------------------- */


static int
op_resume(struct tr_tracer *t, struct tr_req *r)
{
	struct tr_thread *th;
	int sig = (int)(int64_t)r->val;
	int err = tr__stopped_thread(t, r->tid, &th);

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
		t->deadline_ns = r->len ? tr__now_ns() + r->len * 1000000ull : 0;
		tr__resume_thread(t, th, PTRACE_CONT, 0);
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
	if (tr__report_pending(t))
		goto done;
	/* Fork children reported and not claimed go their way. */
	tr__kids_release(t, false);

	t->have_report = false;
	t->phase = PH_RUNNING;
	if (r->op == TR_OP_STEP) {
		uint64_t addr;

		struct user_regs_struct regs;

		/* Step alone; the others stay stopped. */
		th->step_from = tr__regs_of(th->tid, &regs) == 0 ? regs.rip : 0;
		/* A range step: only where no watchpoint needs each step
		 * looked at (a debug register's hit hides behind the step
		 * trap, a watched page's fault is stepped by watch.c). */
		th->range_hi = 0;
		th->range_steps = 0;
		if (r->len && th->step_from && !t->nwps && !t->nwpages &&
		    !t->opts.no_range_steps &&
		    th->step_from >= r->addr && th->step_from - r->addr < r->len) {
			th->range_lo = r->addr;
			th->range_hi = r->addr + r->len;
			th->range_sp = regs.rsp;
		}
		if (!th->pc_moved && tr__at_breakpoint(t, th, &addr)) {
			if (tr__bp_jumped(t, tr__bp_find(t, addr)))
				th->at_bp = true; /* steps the moved copy */
			else if (tr__bp_lift(t, addr) == 0)
				th->step_bp = addr;
		}
		th->stepping = true;
		t->single = true;
		tr__resume_thread(t, th, PTRACE_SINGLESTEP, th->resume_sig);
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

		/* A thread resumed where it stopped, on a breakpoint it
		 * did not hit (one set since, or it stopped there for
		 * another reason), steps over it as gdb does; one whose pc
		 * was moved onto a breakpoint hits it (pc_moved). */
		if (!th->at_bp && !th->pc_moved &&
		    tr__at_breakpoint(t, th, &addr))
			th->at_bp = true;
		tr__continue_resume(t);
	}
	/* the stop pcs are the next stop's */
	for (size_t i = 0; i < t->nthreads; i++) {
		t->threads[i].stop_pc_known = false;
		t->threads[i].pc_moved = false;
	}
done:
	if (r->flags & TR_REQ_WAIT_STOP) {
		if (t->phase == PH_STOPPED) {
			r->ev = t->last_stop;
			return 0;
		}
		tr__defer(t, r, DEF_STOP);
		return TR_DEFERRED;
	}
	return 0;
}

static int
op_interrupt(struct tr_tracer *t, struct tr_req *r)
{
	int err = tr__need_target(t);

	if (err)
		return err;
	t->auto_resume = false; /* a silent stop in progress now reports */
	if (t->phase == PH_RUNNING) {
		t->phase = PH_STOPPING;
		tr__interrupt_all(t);
		/* Nothing may be left to stop (threads on their way out). */
		tr__maybe_finish_stop(t);
	}
	if (t->phase == PH_STOPPED) {
		r->ev = t->last_stop;
		return 0;
	}
	if (r->flags & TR_REQ_WAIT_STOP) {
		tr__defer(t, r, DEF_STOP);
		return TR_DEFERRED;
	}
	return 0;
}

static int
op_kill(struct tr_tracer *t, struct tr_req *r)
{
	int err = tr__need_target(t);

	if (err)
		return err;
	if (kill(t->pid, SIGKILL) < 0 && errno != ESRCH)
		return tr_errno_map(errno);
	/* The threads leave their ptrace stops on SIGKILL; done once the
	 * leader is reaped. */
	tr__defer(t, r, DEF_GONE);
	return TR_DEFERRED;
}

static int
op_detach(struct tr_tracer *t, struct tr_req *r)
{
	int err = tr__need_target(t);

	if (err)
		return err;
	t->detach_nosig = r->val == 1;
	if (t->phase == PH_STOPPED) {
		tr__detach(t);
		return 0;
	}
	/* Running: stop everything first. */
	t->auto_resume = false;
	if (t->phase == PH_RUNNING) {
		t->phase = PH_STOPPING;
		tr__interrupt_all(t);
	}
	tr__defer(t, r, DEF_DETACH);
	return TR_DEFERRED;
}

static int
op_attach(struct tr_tracer *t, struct tr_req *r)
{
	struct tr_event ev = { .reason = TR_STOP_ATTACH };
	int err;

	if (t->pid && !t->gone)
		return -TR_EBUSY;
	tr__target_reset(t);
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
	tr__defer(t, r, DEF_STOP);
	return TR_DEFERRED;
}

static int
op_launch(struct tr_tracer *t, struct tr_req *r)
{
	struct tr_event ev = { .reason = TR_STOP_EXEC };
	int err;

	if (t->pid && !t->gone)
		return -TR_EBUSY;
	tr__target_reset(t);
	t->gone = false;
	err = tr__launch(t, r->arg);
	if (err)
		return err;
	r->val = (uint64_t)t->pid;
	ev.tid = t->pid;
	t->report = ev;
	t->have_report = true;
	tr_log_info("launched %d", t->pid);
	tr__finish_stop(t);
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
	int err = tr__stopped_thread(t, r->tid, &th);

	if (err)
		return err;
	if (r->op == TR_OP_REGS_SET && !th->stop_pc_known) {
		long pc;

		errno = 0;
		pc = ptrace(PTRACE_PEEKUSER, th->tid,
			    (void *)offsetof(struct user, regs.rip), NULL);
		if (errno == 0) {
			th->stop_pc = (uint64_t)pc;
			th->stop_pc_known = true;
		}
	}
	if (ptrace(req[r->op], th->tid, NULL, r->buf) < 0)
		return tr__ptrace_err(t, th->tid);
	/* A pc written back to where the thread stopped, onto one of our
	 * breakpoints (registers restored after an injected call, at the
	 * breakpoint the thread stopped at), is stepped over on resume, not
	 * hit again; a pc moved elsewhere onto one (gdb's jump) hits it. */
	if (r->op == TR_OP_REGS_SET) {
		uint64_t rip = ((struct user_regs_struct *)r->buf)->rip;

		th->pc_moved = th->stop_pc_known && rip != th->stop_pc;
		th->at_bp = !th->pc_moved && tr__bp_find(t, rip) != NULL;
		th->in_patch = t->ntramps && tr__tramp_inside(t, rip);
	}
	return 0;
}

static int
op_xstate(struct tr_tracer *t, struct tr_req *r)
{
	struct iovec iov = { r->buf, r->len };
	struct tr_thread *th;
	int err = tr__stopped_thread(t, r->tid, &th);

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
		err = tr__stopped_thread(t, r->tid, &th);
		return err ? err : tr__peek(t, th->tid, r->addr, &r->val);
	case TR_OP_POKE:
		err = tr__stopped_thread(t, r->tid, &th);
		return err ? err : tr__poke(t, th->tid, r->addr, r->val);
	case TR_OP_MEM_READ:
		err = tr__need_target(t);
		return err ? err
			   : tr__mem_read(t, r->addr, r->buf, r->len, &r->done);
	case TR_OP_MEM_WRITE:
		err = tr__need_target(t);
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
		err = tr__need_target(t);
		return err ? err : tr__bp_insert(t, r->addr);
	case TR_OP_BP_REMOVE:
		err = tr__need_target(t);
		return err ? err : tr__bp_remove(t, r->addr);
	case TR_OP_THREADS: {
		pid_t *tids = r->buf;

		err = tr__need_target(t);
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
	/* What the op made ready completes first, as it happened first. */
	drain_done(t);
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
	    tr__now_ns() < t->deadline_ns)
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
	tr__interrupt_all(t);
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
	now = tr__now_ns();
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
		    tr__now_ns() - t->resumed_ns < RESUME_POLL_NS) {
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
	tr__complete_deferred(t, DEF_STOP, -TR_ESHUTDOWN, NULL);
	tr__complete_deferred(t, DEF_GONE, -TR_ESHUTDOWN, NULL);
	tr__complete_deferred(t, DEF_DETACH, -TR_ESHUTDOWN, NULL);
	drain_done(t);
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
	t->done = calloc(t->cap_deferred, sizeof(*t->done));

	/* Blocked here, the tracer thread and every thread created later
	 * inherit the mask; the signalfd then sees target stops. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, NULL);
	t->sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!t->deferred || !t->done || t->sigfd < 0 || t->epfd < 0) {
		err = t->deferred && t->done ? tr_errno_map(errno) : -TR_ENOMEM;
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
	free(t->done);
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
	free(t->tidx);
	free(t->sweep);
	free(t->bps);
	tr__tramp_reset(t);
	free(t->tramps);
	tr__wp_reset(t);
	free(t->wps);
	free(t->wpages);
	/* The layer above forgets the target, then lets go of its state. */
	tr__hooks_reset(t);
	if (t->hooks.release)
		t->hooks.release(t->hooks_ctx);
	free(t->deferred);
	free(t->done);
	tr_slab_free(t->slab);
	free(t);
}

struct tr_slab *
tr_tracer_slab(struct tr_tracer *t)
{
	return t->slab;
}

