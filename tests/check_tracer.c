/* check_tracer.c: the tracer thread on real programs: memory, registers, steps, breakpoints, threads, exits, detach. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "procfs.h"
#include "suites.h"
#include "tracer.h"

/* ---- memory ---------------------------------------------------------- */

START_TEST(test_memory)
{
	struct tracee te;
	char line[512], buf[3 * 4096];
	uint64_t buffer, tick, v;
	size_t done;
	uint8_t code[16], patched[16], back[16];

	tracee_launch(&te, "loop", "report", NULL);
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	buffer = line_addr(line, "buffer");
	tick = line_addr(line, "tick");
	ck_assert_uint_ne(buffer, 0);

	/* Any size, straight into our buffer: three pages at once. */
	ck_assert_int_eq(tr_mem_read(te.t, buffer, buf, sizeof(buf), &done), 0);
	ck_assert_uint_eq(done, sizeof(buf));
	ck_assert_str_eq(buf, "the quick brown fox");
	for (size_t i = 32; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], (char)(i * 7));
	/* A word through PEEKDATA agrees. */
	ck_assert_int_eq(tr_peek(te.t, 0, buffer, &v), 0);
	ck_assert_int_eq(memcmp(&v, "the quic", 8), 0);

	/* Write data, and code (read-only text) too. */
	ck_assert_int_eq(tr_mem_write(te.t, buffer, "THE QUICK", 9, &done), 0);
	ck_assert_uint_eq(done, 9);
	ck_assert_int_eq(tr_mem_read(te.t, tick, code, sizeof(code), NULL), 0);
	memcpy(patched, code, sizeof(code));
	patched[15] ^= 0xff;
	ck_assert_int_eq(tr_mem_write(te.t, tick, patched, 16, NULL), 0);
	ck_assert_int_eq(tr_mem_read(te.t, tick, back, 16, NULL), 0);
	ck_assert_int_eq(memcmp(back, patched, 16), 0);
	ck_assert_int_eq(tr_mem_write(te.t, tick, code, 16, NULL), 0);
	ck_assert_int_eq(tr_poke(te.t, 0, buffer + 16, 0x0a21212121212121ull),
			 0);

	/* Bad addresses: a clear error, nothing else. */
	ck_assert_int_eq(tr_mem_read(te.t, 0, buf, 8, &done), -TR_EFAULT);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(tr_mem_read(te.t, 1, buf, 8, NULL), -TR_EFAULT);
	ck_assert_int_eq(tr_mem_read(te.t, 0xffffffffff600000ull - 4096, buf,
				     8, NULL), -TR_EFAULT);
	ck_assert_int_eq(tr_mem_read(te.t, 0xffff800000000000ull, buf, 8,
				     NULL), -TR_EFAULT);
	ck_assert_int_eq(tr_mem_read(te.t, UINT64_MAX - 2, buf, 8, NULL),
			 -TR_EFAULT);
	ck_assert_int_eq(tr_peek(te.t, 0, 8, &v), -TR_EFAULT);
	ck_assert_int_eq(tr_mem_write(te.t, 16, "x", 1, &done), -TR_EFAULT);
	ck_assert_uint_eq(done, 0);
	/* A read running off the end of the mapping stops there. */
	{
		uint64_t end = (buffer + sizeof(buf) + 0xfffff) & ~0xfffffull;
		char probe;

		/* Find the first unmapped byte after buffer. */
		for (end = buffer; tr_mem_read(te.t, end, &probe, 1, NULL) == 0;
		     end += 4096)
			;
		end &= ~4095ull;
		ck_assert_int_eq(tr_mem_read(te.t, end - 100, buf, 200, &done),
				 -TR_EFAULT);
		ck_assert_uint_eq(done, 100);
	}
	ck_assert_int_eq(tr_mem_read(te.t, buffer, buf, 0, &done), 0);
	ck_assert_uint_eq(done, 0);

	/* The program sees our writes. */
	ck_assert_int_eq(tr_cont(te.t, 0, -1, NULL), 0);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert_str_eq(line, "report 7");
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert_str_eq(line, "double 1.500");
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	/* "%.19s" of "THE QUICK brown " + the poked "!!!" */
	ck_assert_str_eq(line, "buffer THE QUICK brown !!!");
	tracee_end(&te);
}
END_TEST

/* ---- registers -------------------------------------------------------- */

START_TEST(test_registers)
{
	struct tracee te;
	struct tr_event ev;
	struct user_regs_struct regs;
	struct user_fpregs_struct fp;
	char line[512];
	static uint8_t xs[8192];
	size_t xsize = 0;
	uint64_t report, report_double;
	double d = 42.25;

	tracee_launch(&te, "loop", "report", NULL);
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	report = line_addr(line, "report");
	report_double = line_addr(line, "report_double");

	ck_assert_int_eq(tr_bp_insert(te.t, report), 0);
	ck_assert_int_eq(tr_bp_insert(te.t, report_double), 0);
	ck_assert_int_eq(tr_bp_insert(te.t, report), -TR_EEXIST);
	ck_assert_int_eq(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_int_eq(ev.reason, TR_STOP_BREAKPOINT);
	ck_assert_uint_eq(ev.pc, report);
	ck_assert_int_eq(tr_regs_get(te.t, 0, &regs), 0);
	ck_assert_uint_eq(regs.rip, report);
	ck_assert_uint_eq(regs.rdi, 7);
	regs.rdi = 1234;
	ck_assert_int_eq(tr_regs_set(te.t, 0, &regs), 0);

	ck_assert_int_eq(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_int_eq(ev.reason, TR_STOP_BREAKPOINT);
	ck_assert_uint_eq(ev.pc, report_double);
	/* The double argument is in xmm0: FXSAVE area, and XSAVE area. */
	ck_assert_int_eq(tr_fpregs_get(te.t, 0, &fp), 0);
	ck_assert_int_eq(memcmp(&fp.xmm_space[0], &(double){ 1.5 }, 8), 0);
	ck_assert_int_eq(tr_xstate_get(te.t, 0, xs, sizeof(xs), &xsize), 0);
	ck_assert_uint_ge(xsize, 512 + 64);
	ck_assert_int_eq(memcmp(xs + 160, &(double){ 1.5 }, 8), 0);
	memcpy(&fp.xmm_space[0], &d, 8);
	ck_assert_int_eq(tr_fpregs_set(te.t, 0, &fp), 0);
	ck_assert_int_eq(tr_xstate_get(te.t, 0, xs, sizeof(xs), &xsize), 0);
	ck_assert_int_eq(memcmp(xs + 160, &d, 8), 0);
	ck_assert_int_eq(tr_xstate_set(te.t, 0, xs, xsize), 0);
	/* A tid that is not the target's. */
	ck_assert_int_eq(tr_regs_get(te.t, 1, &regs), -TR_ESRCH);

	ck_assert_int_eq(tr_bp_remove(te.t, report), 0);
	ck_assert_int_eq(tr_bp_remove(te.t, report), -TR_ENOENT);
	ck_assert_int_eq(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_int_eq(ev.type, TR_EV_EXIT);
	ck_assert_int_eq(ev.status, 0);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert_str_eq(line, "report 1234");
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert_str_eq(line, "double 42.250");
	tracee_end(&te);
}
END_TEST

/* ---- single-step and breakpoints -------------------------------------- */

START_TEST(test_single_step)
{
	struct tracee te;
	struct tr_event ev;
	struct user_regs_struct before, after;
	char line[512];
	uint64_t tick;

	tracee_launch(&te, "loop", "loop", "3");
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	tick = line_addr(line, "tick");
	ck_assert_int_eq(tr_bp_insert(te.t, tick), 0);
	ck_assert_int_eq(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_uint_eq(ev.pc, tick);
	/* Step off the breakpoint: it is lifted for the step and back. */
	ck_assert_int_eq(tr_regs_get(te.t, 0, &before), 0);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(tr_step(te.t, 0, 0, &ev), 0);
		ck_assert_int_eq(ev.type, TR_EV_STOP);
		ck_assert_int_eq(ev.reason, TR_STOP_STEP);
		ck_assert_int_eq(ev.tid, te.pid);
		ck_assert_int_eq(tr_regs_get(te.t, 0, &after), 0);
		ck_assert_uint_eq(ev.pc, after.rip);
		ck_assert_uint_ne(after.rip, before.rip);
		ck_assert_uint_gt(after.rip, tick);
		ck_assert_uint_lt(after.rip, tick + 64);
		before = after;
	}
	{
		uint8_t b;

		/* The int3 is back, and hidden from reads. */
		ck_assert_int_eq(tr_mem_read(te.t, tick, &b, 1, NULL), 0);
		ck_assert_uint_ne(b, 0xcc);
	}
	ck_assert_int_eq(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_int_eq(ev.reason, TR_STOP_BREAKPOINT);
	tracee_end(&te);
}
END_TEST

/* A breakpoint in a loop is hit exactly as many times as the loop runs. */
START_TEST(test_breakpoint_loop)
{
	struct tracee te;
	struct tr_event ev;
	char line[512];
	uint64_t tick;
	int hits = 0;

	tracee_launch(&te, "loop", "loop", "25");
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	tick = line_addr(line, "tick");
	ck_assert_int_eq(tr_bp_insert(te.t, tick), 0);
	for (;;) {
		ck_assert_int_eq(tr_cont(te.t, 0, hits ? 0 : -1, &ev), 0);
		if (ev.type != TR_EV_STOP)
			break;
		ck_assert_int_eq(ev.reason, TR_STOP_BREAKPOINT);
		ck_assert_uint_eq(ev.addr, tick);
		hits++;
	}
	ck_assert_int_eq(ev.type, TR_EV_EXIT);
	ck_assert_int_eq(hits, 25);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert_str_eq(line, "ticks 25 counter 300");
	tracee_end(&te);
}
END_TEST

/* An int3 written by hand is the target's SIGTRAP, not ours: the pc is
 * past it and the test puts things right itself. */
START_TEST(test_raw_int3)
{
	struct tracee te;
	struct tr_event ev;
	struct user_regs_struct regs;
	char line[512];
	uint64_t tick;
	uint8_t orig, cc = 0xcc;

	tracee_launch(&te, "loop", "loop", "2");
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	tick = line_addr(line, "tick");
	ck_assert_int_eq(tr_mem_read(te.t, tick, &orig, 1, NULL), 0);
	ck_assert_int_eq(tr_mem_write(te.t, tick, &cc, 1, NULL), 0);
	ck_assert_int_eq(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_int_eq(ev.reason, TR_STOP_SIGNAL);
	ck_assert_int_eq(ev.sig, SIGTRAP);
	ck_assert_int_eq(tr_regs_get(te.t, 0, &regs), 0);
	ck_assert_uint_eq(regs.rip, tick + 1);
	regs.rip = tick;
	ck_assert_int_eq(tr_regs_set(te.t, 0, &regs), 0);
	ck_assert_int_eq(tr_mem_write(te.t, tick, &orig, 1, NULL), 0);
	ck_assert_int_eq(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_int_eq(ev.type, TR_EV_EXIT);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert_str_eq(line, "ticks 2 counter 1");
	tracee_end(&te);
}
END_TEST

/* The target's own signals are reported and passed on by default. */
START_TEST(test_signals)
{
	struct tracee te;
	struct tr_event ev;
	char line[512];
	siginfo_t si;

	for (int pass = 0; pass < 2; pass++) {
		tracee_launch(&te, "loop", "usr1", NULL);
		tracee_to_trap(&te);
		ck_assert_int_eq(tr_cont(te.t, 0, -1, &ev), 0);
		ck_assert_int_eq(ev.reason, TR_STOP_SIGNAL);
		ck_assert_int_eq(ev.sig, SIGUSR1);
		ck_assert_int_eq(tr_siginfo_get(te.t, 0, &si), 0);
		ck_assert_int_eq(si.si_signo, SIGUSR1);
		/* pass 0: delivered (0 = as it came); pass 1: suppressed. */
		ck_assert_int_eq(tr_cont(te.t, 0, pass ? -1 : 0, &ev), 0);
		ck_assert_int_eq(ev.type, TR_EV_EXIT);
		while (tracee_line(&te, line, sizeof(line), 5000) &&
		       strncmp(line, "handled", 7) != 0)
			;
		ck_assert_str_eq(line, pass ? "handled 0" : "handled 1");
		tracee_end(&te);
	}
}
END_TEST

/* ---- threads ---------------------------------------------------------- */

static int
count_state(pid_t pid, char want, int *total)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	int n = 0;

	*total = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		pid_t tid = atoi(de->d_name);

		if (tid <= 0)
			continue;
		(*total)++;
		if (tr_proc_thread_state(pid, tid) == want)
			n++;
	}
	closedir(d);
	return n;
}

START_TEST(test_threads_all_stop)
{
	struct tracee te;
	struct tr_event ev;
	char line[512], name[32];
	pid_t tids[16];
	size_t n;
	int total, stopped, workers = 0;
	uint64_t stop_addr;
	int one = 1;

	tracee_launch(&te, "threads", NULL, NULL);
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	stop_addr = line_addr(line, "stop");

	/* Stopped at the SIGTRAP: every thread is stopped. */
	ck_assert_int_eq(tr_threads(te.t, tids, 16, &n), 0);
	ck_assert_uint_eq(n, 5);
	stopped = count_state(te.pid, 't', &total);
	ck_assert_int_eq(total, 5);
	ck_assert_int_eq(stopped, 5);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(tr_proc_thread_name(te.pid, tids[i], name,
						     sizeof(name)), 0);
		if (strncmp(name, "worker-", 7) == 0)
			workers++;
	}
	ck_assert_int_eq(workers, 4);

	for (int round = 0; round < 3; round++) {
		/* All resume... */
		ck_assert_int_eq(tr_cont(te.t, 0, -1, NULL), 0);
		usleep(20000);
		stopped = count_state(te.pid, 't', &total);
		ck_assert_int_eq(stopped, 0);
		/* ...and all stop. */
		ck_assert_int_eq(tr_interrupt(te.t, &ev), 0);
		ck_assert_int_eq(ev.type, TR_EV_STOP);
		stopped = count_state(te.pid, 't', &total);
		ck_assert_int_eq(stopped, 5);
	}
	/* Let the workers finish: write their stop flag. */
	ck_assert_int_eq(tr_mem_write(te.t, stop_addr, &one, sizeof(one), NULL),
			 0);
	ck_assert_int_eq(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_int_eq(ev.type, TR_EV_EXIT);
	ck_assert_int_eq(ev.status, 0);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert_str_eq(line, "done");
	tracee_end(&te);
}
END_TEST

/* Every worker hits the same breakpoint; no hit is lost (all-stop keeps
 * the others' hits pending), and events arrive through a subscriber. */
START_TEST(test_threads_breakpoint)
{
	struct tracee te;
	struct tr_event ev;
	struct tr_sub *sub;
	char line[512];
	uint64_t work, stop_addr, seq = 0;
	int hits = 0, one = 1, tids_seen = 0;
	pid_t seen[8] = { 0 };

	tracee_launch(&te, "threads", NULL, NULL);
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	work = line_addr(line, "work");
	stop_addr = line_addr(line, "stop");
	ck_assert_int_eq(tr_sub_new(te.t, 0, &sub), 0);
	ck_assert_int_eq(tr_bp_insert(te.t, work), 0);
	for (int i = 0; i < 200; i++) {
		int k;

		ck_assert_int_eq(tr_cont(te.t, 0, hits ? 0 : -1, NULL), 0);
		do
			ck_assert_int_eq(tr_sub_wait(sub, &ev, 10000), 0);
		while (ev.type != TR_EV_STOP);
		ck_assert_int_eq(ev.reason, TR_STOP_BREAKPOINT);
		ck_assert_uint_eq(ev.pc, work);
		ck_assert_uint_gt(ev.seq, seq);
		seq = ev.seq;
		hits++;
		for (k = 0; k < tids_seen && seen[k] != ev.tid; k++)
			;
		if (k == tids_seen && k < 8)
			seen[tids_seen++] = ev.tid;
	}
	ck_assert_int_eq(hits, 200);
	ck_assert_int_ge(tids_seen, 2);
	ck_assert_uint_eq(tr_sub_lost(sub), 0);
	ck_assert_int_eq(tr_bp_remove(te.t, work), 0);
	ck_assert_int_eq(tr_mem_write(te.t, stop_addr, &one, sizeof(one), NULL),
			 0);
	ck_assert_int_eq(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_msg(ev.type == TR_EV_EXIT, "then %s/%s sig %d tid %d",
		      tr_event_type_name(ev.type),
		      tr_stop_reason_name(ev.reason), ev.sig, ev.tid);
	tr_sub_free(te.t, sub);
	tracee_end(&te);
}
END_TEST

/* ---- targets that go away -------------------------------------------- */

START_TEST(test_exit_status)
{
	struct tracee te;
	struct tr_event ev;
	uint64_t v;
	struct user_regs_struct regs;

	tracee_launch(&te, "loop", "exit", "3");
	tracee_to_trap(&te);
	ck_assert_int_eq(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_int_eq(ev.type, TR_EV_EXIT);
	ck_assert_int_eq(ev.status, 3);
	/* Everything afterwards: "target gone", not a hang or a crash. */
	ck_assert_int_eq(tr_peek(te.t, 0, 0x1000, &v), -TR_EGONE);
	ck_assert_int_eq(tr_regs_get(te.t, 0, &regs), -TR_EGONE);
	ck_assert_int_eq(tr_cont(te.t, 0, 0, &ev), -TR_EGONE);
	ck_assert_int_eq(tr_mem_read(te.t, 0x1000, &v, 8, NULL), -TR_EGONE);
	ck_assert_int_eq(tr_kill(te.t), -TR_EGONE);
	tracee_end(&te);
}
END_TEST

struct waiter {
	struct tr_tracer *t;
	struct tr_event ev;
	int err;
};

static void *
cont_waiter(void *arg)
{
	struct waiter *w = arg;

	w->err = tr_cont(w->t, 0, -1, &w->ev);
	return NULL;
}

struct peeker {
	struct tr_tracer *t;
	uint64_t addr;
	int last;
	long ok;
};

static void *
peek_loop(void *arg)
{
	struct peeker *p = arg;
	uint64_t v;
	char buf[256];

	/* Until the target is gone: each request completes, with a value
	 * or an error, never hangs. */
	for (;;) {
		p->last = tr_mem_read(p->t, p->addr, buf, sizeof(buf), NULL);
		if (p->last == -TR_EGONE)
			break;
		if (p->last == 0)
			p->ok++;
		p->last = tr_peek(p->t, 0, p->addr, &v);
		if (p->last == -TR_EGONE)
			break;
	}
	return NULL;
}

/* Killed from outside while one thread waits in tr_cont and others have
 * requests in flight: all of them complete. */
START_TEST(test_killed_with_requests_pending)
{
	struct tracee te;
	char line[512];
	struct waiter w;
	struct peeker p[3];
	pthread_t wt, pt[3];

	tracee_launch(&te, "loop", "forever", NULL);
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	w.t = te.t;
	ck_assert_int_eq(pthread_create(&wt, NULL, cont_waiter, &w), 0);
	for (int i = 0; i < 3; i++) {
		p[i] = (struct peeker){ .t = te.t,
					.addr = line_addr(line, "buffer") };
		ck_assert_int_eq(pthread_create(&pt[i], NULL, peek_loop, &p[i]),
				 0);
	}
	usleep(50000);
	ck_assert_int_eq(kill(te.pid, SIGKILL), 0);
	pthread_join(wt, NULL);
	ck_assert_int_eq(w.err, 0);
	ck_assert_int_eq(w.ev.type, TR_EV_KILLED);
	ck_assert_int_eq(w.ev.sig, SIGKILL);
	for (int i = 0; i < 3; i++) {
		pthread_join(pt[i], NULL);
		ck_assert_int_eq(p[i].last, -TR_EGONE);
		ck_assert_int_gt(p[i].ok, 0);
	}
	tracee_end(&te);
}
END_TEST

START_TEST(test_kill)
{
	struct tracee te;
	struct tr_event ev;
	struct tr_state st;

	tracee_launch(&te, "loop", "forever", NULL);
	tracee_to_trap(&te);
	ck_assert_int_eq(tr_cont(te.t, 0, -1, NULL), 0);
	ck_assert_int_eq(tr_kill(te.t), 0);
	/* Reaped by the time tr_kill returns. */
	ck_assert_int_eq(kill(te.pid, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(tr_state_get(te.t, &st), 0);
	ck_assert(st.gone);
	ck_assert_int_eq(st.last_stop.type, TR_EV_KILLED);
	ck_assert_int_eq(tr_cont(te.t, 0, 0, &ev), -TR_EGONE);
	tracee_end(&te);
}
END_TEST

START_TEST(test_launch_errors)
{
	struct tr_tracer *t;
	pid_t pid = 0;
	int st;
	struct tr_launch l = { .path = "/nonexistent/program", .stdin_fd = -1,
			       .stdout_fd = -1, .stderr_fd = -1 };
	struct tr_launch nodir = { .stdin_fd = -1, .stdout_fd = -1,
				   .stderr_fd = -1, .cwd = "/nonexistent" };
	char path[512];

	ck_assert_int_eq(tr_tracer_new(NULL, &t), 0);
	ck_assert_int_eq(tr_launch(t, &l, &pid), -TR_EEXEC);
	snprintf(path, sizeof(path), "%s/loop", TRACEE_DIR);
	nodir.path = path;
	ck_assert_int_eq(tr_launch(t, &nodir, &pid), -TR_EEXEC);
	l.path = "no-such-program-in-path-xyz";
	ck_assert_int_eq(tr_launch(t, &l, &pid), -TR_EEXEC);
	/* No child left behind, not even a zombie. */
	ck_assert_int_eq(waitpid(-1, &st, WNOHANG | __WALL), -1);
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_int_eq(tr_attach(t, 0x3fffffff), -TR_ESRCH);
	ck_assert_int_eq(tr_attach(t, -5), -TR_EINVAL);
	ck_assert_int_eq(tr_attach(t, getpid()), -TR_EPERM);
	tr_tracer_free(t);
}
END_TEST

/* Launch with arguments, environment and working directory. */
START_TEST(test_launch_env)
{
	struct tr_tracer *t;
	struct tr_event ev;
	char *argv[] = { "sh", "-c", "echo \"$TRACERD_TEST:$1:$(pwd)\"", "sh",
			 "arg1", NULL };
	char *envp[] = { "TRACERD_TEST=hello", "PATH=/usr/bin:/bin", NULL };
	int fds[2];
	char buf[256] = { 0 };
	pid_t pid;
	struct tr_launch l = { .path = "sh", .argv = argv, .envp = envp,
			       .cwd = "/tmp", .stdin_fd = -1, .stderr_fd = -1 };

	ck_assert_int_eq(pipe(fds), 0);
	l.stdout_fd = fds[1];
	ck_assert_int_eq(tr_tracer_new(NULL, &t), 0);
	ck_assert_int_eq(tr_launch(t, &l, &pid), 0);
	close(fds[1]);
	ck_assert_int_eq(tr_cont(t, 0, 0, &ev), 0);
	/* sh forks for $(pwd): the child is let go, the parent followed. */
	while (ev.type == TR_EV_STOP)
		ck_assert_int_eq(tr_cont(t, 0, 0, &ev), 0);
	ck_assert_int_eq(ev.type, TR_EV_EXIT);
	ck_assert_int_eq(ev.status, 0);
	ck_assert_int_gt(read(fds[0], buf, sizeof(buf) - 1), 0);
	ck_assert_str_eq(buf, "hello:arg1:/tmp\n");
	close(fds[0]);
	tr_tracer_free(t);
}
END_TEST

/* ---- attach and detach --------------------------------------------- */

static size_t
read_text(pid_t pid, uint8_t *buf, size_t max, uint64_t *start)
{
	char path[64], line[512];
	FILE *f;
	unsigned long lo = 0, hi = 0;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " r-xp ") && strstr(line, "/loop")) {
			sscanf(line, "%lx-%lx", &lo, &hi);
			break;
		}
	fclose(f);
	ck_assert_uint_gt(hi, lo);
	if (hi - lo > max)
		hi = lo + max;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = pread(fd, buf, hi - lo, (off_t)lo);
	close(fd);
	ck_assert_int_eq(n, (ssize_t)(hi - lo));
	*start = lo;
	return (size_t)n;
}

/* Detach leaves the target byte-identical and running, as found. */
START_TEST(test_attach_detach)
{
	struct tracee te = { .out = -1 };
	static uint8_t before[1 << 16], after[1 << 16];
	struct tr_event ev;
	char line[512];
	size_t n1, n2;
	uint64_t text, tick, buffer;
	int out, st;
	pid_t pid, tids[4];
	size_t nt;
	uint8_t b = 'X', orig;

	pid = tracee_spawn("loop", "spin", NULL, &out);
	te.out = out;
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	tick = line_addr(line, "tick");
	buffer = line_addr(line, "buffer");
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	n1 = read_text(pid, before, sizeof(before), &text);

	ck_assert_int_eq(tr_tracer_new(NULL, &te.t), 0);
	ck_assert_int_eq(tr_attach(te.t, pid), 0);
	ck_assert_int_eq(tr_attach(te.t, pid), -TR_EBUSY);
	ck_assert_int_eq(tr_threads(te.t, tids, 4, &nt), 0);
	ck_assert_uint_eq(nt, 1);
	ck_assert_int_eq(tr_proc_thread_state(pid, pid), 't');
	/* Breakpoints, a hit, a data write undone, a resume, an interrupt. */
	ck_assert_int_eq(tr_bp_insert(te.t, tick), 0);
	ck_assert_int_eq(tr_bp_insert(te.t, tick + 4), 0);
	ck_assert_int_eq(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_int_eq(ev.reason, TR_STOP_BREAKPOINT);
	ck_assert_int_eq(tr_mem_read(te.t, buffer, &orig, 1, NULL), 0);
	ck_assert_int_eq(tr_mem_write(te.t, buffer, &b, 1, NULL), 0);
	ck_assert_int_eq(tr_mem_write(te.t, buffer, &orig, 1, NULL), 0);
	ck_assert_int_eq(tr_bp_remove(te.t, tick + 4), 0);
	ck_assert_int_eq(tr_cont(te.t, 0, 0, NULL), 0);
	usleep(20000);
	/* Detach while it runs, with a breakpoint still planted. */
	ck_assert_int_eq(tr_detach(te.t), 0);
	n2 = read_text(pid, after, sizeof(after), &text);
	ck_assert_uint_eq(n1, n2);
	ck_assert_int_eq(memcmp(before, after, n1), 0);
	/* Still alive and running on its own. */
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert_str_eq(strtok(line, " "), "alive");
	ck_assert_int_ne(tr_proc_thread_state(pid, pid), 't');
	tr_tracer_free(te.t);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	waitpid(pid, &st, 0);
	close(out);
}
END_TEST

/* Freeing the tracer detaches from an attached target. */
START_TEST(test_free_detaches)
{
	struct tracee te = { .out = -1 };
	char line[512];
	int out, st;
	pid_t pid;
	uint64_t tick;

	pid = tracee_spawn("loop", "spin", NULL, &out);
	te.out = out;
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	tick = line_addr(line, "tick");
	ck_assert_int_eq(tr_tracer_new(NULL, &te.t), 0);
	ck_assert_int_eq(tr_attach(te.t, pid), 0);
	ck_assert_int_eq(tr_bp_insert(te.t, tick), 0);
	tr_tracer_free(te.t);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert_str_eq(strtok(line, " "), "alive");
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	waitpid(pid, &st, 0);
	close(out);
}
END_TEST

/* A batch: set registers + write memory + continue, as one submission. */
START_TEST(test_batch)
{
	struct tracee te;
	struct tr_event ev;
	struct user_regs_struct regs;
	struct tr_req *r[3];
	char line[512];
	uint64_t report, buffer;

	tracee_launch(&te, "loop", "report", NULL);
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	report = line_addr(line, "report");
	buffer = line_addr(line, "buffer");
	ck_assert_int_eq(tr_bp_insert(te.t, report), 0);
	ck_assert_int_eq(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_int_eq(tr_bp_remove(te.t, report), 0);
	ck_assert_int_eq(tr_regs_get(te.t, 0, &regs), 0);
	regs.rdi = 99;
	r[0] = tr_req_get(te.t);
	r[0]->op = TR_OP_REGS_SET;
	r[0]->buf = &regs;
	r[1] = tr_req_get(te.t);
	r[1]->op = TR_OP_MEM_WRITE;
	r[1]->addr = buffer;
	r[1]->buf = "BATCHED";
	r[1]->len = 7;
	r[2] = tr_req_get(te.t);
	r[2]->op = TR_OP_CONT;
	r[2]->flags = TR_REQ_WAIT_STOP;
	r[0]->next = r[1];
	r[1]->next = r[2];
	tr_req_submit(te.t, r[0]);
	ck_assert_int_eq(tr_req_wait(te.t, r[2]), 0);
	ck_assert_int_eq(r[0]->result, 0);
	ck_assert_int_eq(r[1]->result, 0);
	ck_assert_uint_eq(r[1]->done, 7);
	ck_assert_int_eq(r[2]->ev.type, TR_EV_EXIT);
	for (int i = 0; i < 3; i++)
		tr_req_put(te.t, r[i]);
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert_str_eq(line, "report 99");
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert(tracee_line(&te, line, sizeof(line), 5000));
	ck_assert_str_eq(line, "buffer BATCHEDck brown fox");
	tracee_end(&te);
}
END_TEST

Suite *
suite_tracer(void)
{
	Suite *s = suite_create("tracer");
	TCase *tc = tcase_create("tracer");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_memory);
	tcase_add_test(tc, test_registers);
	tcase_add_test(tc, test_single_step);
	tcase_add_test(tc, test_breakpoint_loop);
	tcase_add_test(tc, test_raw_int3);
	tcase_add_test(tc, test_signals);
	tcase_add_test(tc, test_threads_all_stop);
	tcase_add_test(tc, test_threads_breakpoint);
	tcase_add_test(tc, test_exit_status);
	tcase_add_test(tc, test_killed_with_requests_pending);
	tcase_add_test(tc, test_kill);
	tcase_add_test(tc, test_launch_errors);
	tcase_add_test(tc, test_launch_env);
	tcase_add_test(tc, test_attach_detach);
	tcase_add_test(tc, test_free_detaches);
	tcase_add_test(tc, test_batch);
	suite_add_tcase(s, tc);
	return s;
}
