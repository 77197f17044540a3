/* check_tracer.c: the tracer on real programs: memory, registers, stops, threads, exits, detach. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "suites.h"
#include "target/tracer.h"

#define LINE_MS 5000 /* how long a tracee may take to print a line */
#define NWORKERS 4   /* as in tracees/threads.c */

/* The "tids=A,B,C,D" of the threads tracee's line. */
static void
parse_tids(const char *line, pid_t *tids)
{
	const char *p = strstr(line, "tids=");

	ck_assert_ptr_nonnull(p);
	p += 5;
	for (int i = 0; i < NWORKERS; i++) {
		char *end;

		tids[i] = (pid_t)strtol(p, &end, 10);
		ck_assert_int_gt(tids[i], 0);
		p = end + 1;
	}
}

static bool
has_tid(const pid_t *tids, size_t n, pid_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (tids[i] == tid)
			return true;
	return false;
}

/* The first unmapped byte at or after addr, found by reading through the
 * tracer page by page (mappings may follow each other). */
static uint64_t
end_of_mapped(struct tracee *te, uint64_t addr)
{
	char probe;

	addr &= ~4095ull;
	for (int i = 0; i < 1 << 20; i++, addr += 4096)
		if (tr_mem_read(te->t, addr, &probe, 1, NULL) != 0)
			return addr;
	ck_abort_msg("no unmapped page after %#lx", (unsigned long)addr);
	return 0;
}

/* ---- memory ---------------------------------------------------------- */

START_TEST(test_memory)
{
	struct tracee te;
	char line[512], buf[3 * 4096];
	uint64_t buffer, tick, v;
	size_t done = 1;
	uint8_t code[16], patched[16], back[16];

	tracee_launch(&te, "loop", "report", NULL);
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	buffer = line_addr(line, "buffer");
	tick = line_addr(line, "tick");
	ck_assert_uint_ne(buffer, 0);
	ck_assert_uint_ne(tick, 0);

	/* Any size, straight into our buffer: three pages at once. */
	ck_assert_tr(tr_mem_read(te.t, buffer, buf, sizeof(buf), &done), 0);
	ck_assert_uint_eq(done, sizeof(buf));
	ck_assert_str_eq(buf, "the quick brown fox");
	for (size_t i = 32; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], (char)(i * 7));
	/* A word through PEEKDATA agrees, at any alignment. */
	ck_assert_tr(tr_peek(te.t, 0, buffer, &v), 0);
	ck_assert_int_eq(memcmp(&v, "the quic", 8), 0);
	ck_assert_tr(tr_peek(te.t, te.pid, buffer + 3, &v), 0);
	ck_assert_int_eq(memcmp(&v, " quick b", 8), 0);
	ck_assert_tr(tr_mem_read(te.t, buffer, buf, 0, &done), 0);
	ck_assert_uint_eq(done, 0);

	/* Write data, and code (read-only text) too: read back both through
	 * the tracer and behind its back. */
	ck_assert_tr(tr_mem_write(te.t, buffer, "THE QUICK", 9, &done), 0);
	ck_assert_uint_eq(done, 9);
	ck_assert_int_eq(proc_mem_read(te.pid, buffer, buf, 9), 9);
	ck_assert_int_eq(memcmp(buf, "THE QUICK", 9), 0);
	ck_assert_tr(tr_mem_read(te.t, tick, code, sizeof(code), NULL), 0);
	memcpy(patched, code, sizeof(code));
	patched[15] ^= 0xff;
	ck_assert_tr(tr_mem_write(te.t, tick, patched, 16, NULL), 0);
	ck_assert_tr(tr_mem_read(te.t, tick, back, 16, NULL), 0);
	ck_assert_int_eq(memcmp(back, patched, 16), 0);
	ck_assert_int_eq(proc_mem_read(te.pid, tick, back, 16), 16);
	ck_assert_int_eq(memcmp(back, patched, 16), 0);
	ck_assert_tr(tr_mem_write(te.t, tick, code, 16, NULL), 0);
	ck_assert_int_eq(proc_mem_read(te.pid, tick, back, 16), 16);
	ck_assert_int_eq(memcmp(back, code, 16), 0);
	/* A word through POKEDATA. */
	ck_assert_tr(tr_poke(te.t, 0, buffer + 16, 0x0a21212121212121ull), 0);
	ck_assert_tr(tr_peek(te.t, 0, buffer + 16, &v), 0);
	ck_assert_uint_eq(v, 0x0a21212121212121ull);

	/* The program sees our writes. */
	ck_assert_tr(tr_cont(te.t, 0, -1, NULL), 0);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "report 7");
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "double 1.500");
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "double 2.500");
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	/* "%.19s" of "THE QUICK brown " + the poked "!!!". */
	ck_assert_str_eq(line, "buffer THE QUICK brown !!!");
	tracee_end(&te);
}
END_TEST

/* Null, low, kernel, non-canonical and wrapping addresses: -TR_EFAULT with
 * nothing transferred, for every kind of access, and the target and the
 * tracer carry on unharmed. */
START_TEST(test_bad_addresses)
{
	static const uint64_t bad[] = {
		0, 1, 0xfff, 0x800000000000ull, 0xffff800000000000ull,
		0xffffffff81000000ull, 0xffffffffff5ff000ull, UINT64_MAX - 2,
	};
	struct tracee te;
	struct tr_event ev;
	struct user_regs_struct regs;
	char line[512], buf[256], orig[200], back[200];
	uint64_t buffer, v = 0, end;
	size_t done, wdone = 0;
	int err;

	tracee_launch(&te, "loop", "loop", "5");
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	buffer = line_addr(line, "buffer");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t a = bad[i];

		done = 99;
		ck_assert_msg(tr_mem_read(te.t, a, buf, 8, &done) == -TR_EFAULT
			      && done == 0, "read at %#lx", (unsigned long)a);
		done = 99;
		ck_assert_msg(tr_mem_write(te.t, a, "x", 1, &done) ==
			      -TR_EFAULT && done == 0, "write at %#lx",
			      (unsigned long)a);
		ck_assert_msg(tr_peek(te.t, 0, a, &v) == -TR_EFAULT,
			      "peek at %#lx", (unsigned long)a);
		ck_assert_msg(tr_poke(te.t, 0, a, 0) == -TR_EFAULT,
			      "poke at %#lx", (unsigned long)a);
		err = tr_bp_insert(te.t, a);
		ck_assert_msg(err == -TR_EFAULT, "breakpoint at %#lx: %s",
			      (unsigned long)a, tr_strerror(err));
	}
	/* A read or write running off the end of a mapping stops there and
	 * says how far it got (the write puts back what was there). */
	end = end_of_mapped(&te, buffer);
	ck_assert_tr(tr_mem_read(te.t, end - 100, orig, 200, &done),
		     -TR_EFAULT);
	ck_assert_uint_eq(done, 100);
	ck_assert_tr(tr_mem_write(te.t, end - 100, orig, 200, &wdone),
		     -TR_EFAULT);
	ck_assert_int_eq(proc_mem_read(te.pid, end - 100, back, 100), 100);
	ck_assert_int_eq(memcmp(orig, back, 100), 0);

	/* Unharmed: registers, memory, and the program runs to its end. */
	ck_assert_tr(tr_regs_get(te.t, 0, &regs), 0);
	ck_assert_tr(tr_mem_read(te.t, buffer, buf, 19, NULL), 0);
	ck_assert_int_eq(memcmp(buf, "the quick brown fox", 19), 0);
	ck_assert_tr(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_event(ev, TR_EV_EXIT, 0);
	ck_assert_int_eq(ev.status, 0);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "ticks 5 counter 10");
	tracee_end(&te);
	/* Checked last so that it hides nothing above. */
	ck_assert_msg(wdone == 100, "a write across the end of a mapping "
		      "says %zu bytes were written, not 100", wdone);
}
END_TEST

/* ---- registers -------------------------------------------------------- */

/* xmm0 in an FXSAVE/XSAVE area: the legacy region puts it at byte 160. */
#define XMM0_OFF 160

/* General registers, the FXSAVE area and the XSAVE area: each changed at
 * a breakpoint, with the effect printed by the program afterwards. */
START_TEST(test_registers)
{
	struct tracee te;
	struct tr_event ev;
	struct user_regs_struct regs, regs2;
	struct user_fpregs_struct fp;
	char line[512];
	static uint8_t xs[16384];
	size_t xsize = 0;
	uint64_t report, report_double;
	double d;

	tracee_launch(&te, "loop", "report", NULL);
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	report = line_addr(line, "report");
	report_double = line_addr(line, "report_double");

	ck_assert_tr(tr_bp_insert(te.t, report), 0);
	ck_assert_tr(tr_bp_insert(te.t, report_double), 0);
	ck_assert_tr(tr_bp_insert(te.t, report), -TR_EEXIST);

	/* report(7): the argument is in rdi. */
	ck_assert_tr(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
	ck_assert_uint_eq(ev.pc, report);
	ck_assert_tr(tr_regs_get(te.t, 0, &regs), 0);
	ck_assert_uint_eq(regs.rip, report);
	ck_assert_uint_eq(regs.rdi, 7);
	ck_assert_tr(tr_regs_get(te.t, te.pid, &regs2), 0);
	ck_assert_int_eq(memcmp(&regs, &regs2, sizeof(regs)), 0);
	regs.rdi = 1234;
	ck_assert_tr(tr_regs_set(te.t, 0, &regs), 0);
	ck_assert_tr(tr_regs_get(te.t, 0, &regs2), 0);
	ck_assert_uint_eq(regs2.rdi, 1234);

	/* report_double(1.5): xmm0, changed through the FXSAVE area. */
	ck_assert_tr(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
	ck_assert_uint_eq(ev.pc, report_double);
	ck_assert_tr(tr_fpregs_get(te.t, 0, &fp), 0);
	memcpy(&d, &fp.xmm_space[0], 8);
	ck_assert(d == 1.5);
	ck_assert_tr(tr_xstate_get(te.t, 0, xs, sizeof(xs), &xsize), 0);
	ck_assert_uint_ge(xsize, 512 + 64);
	ck_assert_uint_le(xsize, sizeof(xs));
	memcpy(&d, xs + XMM0_OFF, 8);
	ck_assert(d == 1.5);
	d = 42.25;
	memcpy(&fp.xmm_space[0], &d, 8);
	ck_assert_tr(tr_fpregs_set(te.t, 0, &fp), 0);
	ck_assert_tr(tr_xstate_get(te.t, 0, xs, sizeof(xs), &xsize), 0);
	ck_assert_int_eq(memcmp(xs + XMM0_OFF, &d, 8), 0);

	/* report_double(2.5): xmm0, changed through the XSAVE area. */
	ck_assert_tr(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
	ck_assert_uint_eq(ev.pc, report_double);
	ck_assert_tr(tr_xstate_get(te.t, 0, xs, sizeof(xs), &xsize), 0);
	memcpy(&d, xs + XMM0_OFF, 8);
	ck_assert(d == 2.5);
	d = -8.5;
	memcpy(xs + XMM0_OFF, &d, 8);
	ck_assert_tr(tr_xstate_set(te.t, 0, xs, xsize), 0);
	ck_assert_tr(tr_fpregs_get(te.t, 0, &fp), 0);
	ck_assert_int_eq(memcmp(&fp.xmm_space[0], &d, 8), 0);

	/* A tid that is not one of the target's. */
	ck_assert_tr(tr_regs_get(te.t, 1, &regs), -TR_ESRCH);
	ck_assert_tr(tr_fpregs_get(te.t, 1, &fp), -TR_ESRCH);

	ck_assert_tr(tr_bp_remove(te.t, report), 0);
	ck_assert_tr(tr_bp_remove(te.t, report), -TR_ENOENT);
	ck_assert_tr(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_EXIT, 0);
	ck_assert_int_eq(ev.status, 0);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "report 1234");
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "double 42.250");
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "double -8.500");
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
	uint8_t b;

	tracee_launch(&te, "loop", "loop", "3");
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	tick = line_addr(line, "tick");
	ck_assert_tr(tr_bp_insert(te.t, tick), 0);
	ck_assert_tr(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
	ck_assert_uint_eq(ev.pc, tick);
	/* Step off the breakpoint (lifted for the step, back after), then
	 * on through tick's body. */
	ck_assert_tr(tr_regs_get(te.t, 0, &before), 0);
	for (int i = 0; i < 5; i++) {
		ck_assert_tr(tr_step(te.t, 0, 0, &ev), 0);
		ck_assert_event(ev, TR_EV_STOP, TR_STOP_STEP);
		ck_assert_int_eq(ev.tid, te.pid);
		ck_assert_tr(tr_regs_get(te.t, 0, &after), 0);
		ck_assert_uint_eq(ev.pc, after.rip);
		ck_assert_uint_ne(after.rip, before.rip);
		ck_assert_uint_gt(after.rip, tick);
		ck_assert_uint_lt(after.rip, tick + 64);
		before = after;
	}
	/* The int3 is back, hidden from our reads, there for the kernel. */
	ck_assert_tr(tr_mem_read(te.t, tick, &b, 1, NULL), 0);
	ck_assert_uint_ne(b, 0xcc);
	ck_assert_int_eq(proc_mem_read(te.pid, tick, &b, 1), 1);
	ck_assert_uint_eq(b, 0xcc);
	ck_assert_tr(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
	ck_assert_uint_eq(ev.pc, tick);
	tracee_end(&te);
}
END_TEST

/*
 * Single steps from the launch stop, the first instruction of the dynamic
 * loader: each executes one instruction. (The launch stop is inside
 * execve: the kernel reports a first step trap on the way out of the
 * system call, before any instruction ran.)
 */
START_TEST(test_step_from_launch)
{
	struct tracee te;
	struct tr_event ev;
	struct user_regs_struct before, after;

	tracee_launch(&te, "loop", "loop", "3");
	ck_assert_tr(tr_regs_get(te.t, 0, &before), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_tr(tr_step(te.t, te.pid, -1, &ev), 0);
		ck_assert_event(ev, TR_EV_STOP, TR_STOP_STEP);
		ck_assert_int_eq(ev.tid, te.pid);
		ck_assert_tr(tr_regs_get(te.t, 0, &after), 0);
		ck_assert_uint_eq(ev.pc, after.rip);
		ck_assert_msg(after.rip != before.rip, "step %d did not move "
			      "from %#llx", i, before.rip);
		before = after;
	}
	tracee_end(&te);
}
END_TEST

/* A breakpoint in a loop is hit exactly as many times as the loop runs,
 * each hit with its own iteration's argument. */
START_TEST(test_breakpoint_loop)
{
	struct tracee te;
	struct tr_event ev;
	struct user_regs_struct regs;
	char line[512];
	uint64_t tick;
	int hits = 0;

	tracee_launch(&te, "loop", "loop", "25");
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	tick = line_addr(line, "tick");
	ck_assert_tr(tr_bp_insert(te.t, tick), 0);
	for (;;) {
		ck_assert_tr(tr_cont(te.t, 0, hits ? 0 : -1, &ev), 0);
		if (ev.type != TR_EV_STOP)
			break;
		ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
		ck_assert_uint_eq(ev.addr, tick);
		ck_assert_uint_eq(ev.pc, tick);
		ck_assert_uint_eq(ev.bpnum, 0);
		ck_assert_tr(tr_regs_get(te.t, 0, &regs), 0);
		ck_assert_uint_eq(regs.rip, tick);
		ck_assert_uint_eq(regs.rdi, (uint64_t)hits);
		hits++;
		ck_assert_int_le(hits, 25);
	}
	ck_assert_event(ev, TR_EV_EXIT, 0);
	ck_assert_int_eq(ev.status, 0);
	ck_assert_int_eq(hits, 25);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "ticks 25 counter 300");
	tracee_end(&te);
}
END_TEST

/* A hardware breakpoint (a debug register, execute): each pass stops
 * with the pc at the address (nothing to rewind), a continue goes over
 * it; four registers, the fifth address -TR_ENOSPC; where the debug
 * registers do not fire, -TR_ENOTSUP. */
START_TEST(test_hardware_breakpoint)
{
	struct tracee te;
	struct tr_event ev;
	struct user_regs_struct regs;
	char line[512];
	uint64_t tick;
	int hits = 0;

	tracee_launch(&te, "loop", "loop", "5");
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	tick = line_addr(line, "tick");
	if (!tr_watch_probe()->fires) {
		ck_assert_tr(tr_hbp_insert(te.t, tick), -TR_ENOTSUP);
		tracee_end(&te);
		return;
	}
	ck_assert_tr(tr_hbp_insert(te.t, tick), 0);
	ck_assert_tr(tr_hbp_insert(te.t, tick), -TR_EEXIST);
	ck_assert(tr_hbp_at(te.t, tick));
	for (uint64_t a = 1; a < 4; a++)
		ck_assert_tr(tr_hbp_insert(te.t, tick + a), 0);
	ck_assert_tr(tr_hbp_insert(te.t, tick + 4), -TR_ENOSPC);
	for (uint64_t a = 1; a < 4; a++)
		ck_assert_tr(tr_hbp_remove(te.t, tick + a), 0);
	ck_assert_tr(tr_hbp_remove(te.t, tick + 1), -TR_ENOENT);
	for (;;) {
		ck_assert_tr(tr_cont(te.t, 0, hits ? 0 : -1, &ev), 0);
		if (ev.type != TR_EV_STOP)
			break;
		ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
		ck_assert_uint_eq(ev.pc, tick);
		ck_assert_uint_eq(ev.bpnum, 0);
		ck_assert_tr(tr_regs_get(te.t, 0, &regs), 0);
		ck_assert_uint_eq(regs.rip, tick);
		ck_assert_uint_eq(regs.rdi, (uint64_t)hits);
		if (++hits == 3)
			ck_assert_tr(tr_hbp_remove(te.t, tick), 0);
		ck_assert_int_le(hits, 3);
	}
	ck_assert_event(ev, TR_EV_EXIT, 0);
	ck_assert_int_eq(ev.status, 0);
	ck_assert_int_eq(hits, 3);
	ck_assert(!tr_hbp_at(te.t, tick));
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "ticks 5 counter 10");
	tracee_end(&te);
}
END_TEST

/* An interrupt stop reports where the thread is now, not where an earlier
 * stop was. */
START_TEST(test_interrupt_reports_pc)
{
	struct tracee te;
	struct tr_event ev;
	struct user_regs_struct regs;
	char line[512];
	uint64_t tick;

	tracee_launch(&te, "loop", "spin", NULL);
	ck_assert_tr(tr_cont(te.t, 0, 0, NULL), 0);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	tick = line_addr(line, "tick");
	ck_assert_tr(tr_interrupt(te.t, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_INTERRUPT);
	ck_assert_int_eq(ev.tid, te.pid);
	ck_assert_tr(tr_regs_get(te.t, ev.tid, &regs), 0);
	ck_assert_uint_eq(ev.pc, regs.rip);

	ck_assert_tr(tr_bp_insert(te.t, tick), 0);
	ck_assert_tr(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
	ck_assert_uint_eq(ev.pc, tick);
	ck_assert_tr(tr_bp_remove(te.t, tick), 0);
	ck_assert_tr(tr_cont(te.t, 0, 0, NULL), 0);
	/* It printed: it has left tick well behind (it sleeps 5 ms between
	 * ticks, most likely where the interrupt finds it). */
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_tr(tr_interrupt(te.t, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_INTERRUPT);
	ck_assert_tr(tr_regs_get(te.t, ev.tid, &regs), 0);
	ck_assert_msg(ev.pc == regs.rip, "interrupt stop reports pc %#lx, the "
		      "thread is at %#llx (the breakpoint was at %#lx)",
		      (unsigned long)ev.pc, regs.rip, (unsigned long)tick);
	tracee_end(&te);
}
END_TEST

/*
 * Interrupted right after a resume from a breakpoint, the thread may be
 * anywhere in the step over it. tick() begins with the one-byte
 * `push %rbp`: stepped over, the pc is site + 1 with a SIGTRAP, just like
 * an int3 hit. Whatever the stop, the pc it reports is the thread's, and
 * a thread at the site has not run the push yet (its rsp is the rsp of
 * every real hit: spin mode always calls tick from the same frame).
 */
START_TEST(test_interrupt_during_step_over)
{
	struct tracee te;
	struct tr_event ev;
	struct user_regs_struct regs;
	char line[512];
	uint64_t tick, rsp_hit;
	long alive;

	tracee_launch(&te, "loop", "spin", NULL);
	ck_assert_tr(tr_cont(te.t, 0, 0, NULL), 0);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	tick = line_addr(line, "tick");
	ck_assert_tr(tr_interrupt(te.t, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_INTERRUPT);
	ck_assert_tr(tr_bp_insert(te.t, tick), 0);
	ck_assert_tr(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
	ck_assert_tr(tr_regs_get(te.t, 0, &regs), 0);
	rsp_hit = regs.rsp;

	for (int i = 0; i < 100; i++) {
		ck_assert_tr(tr_cont(te.t, 0, 0, NULL), 0);
		ck_assert_tr(tr_interrupt(te.t, &ev), 0);
		ck_assert_msg(ev.type == TR_EV_STOP &&
			      (ev.reason == TR_STOP_INTERRUPT ||
			       ev.reason == TR_STOP_BREAKPOINT),
			      "round %d: %s/%s", i, tr_event_type_name(ev.type),
			      tr_stop_reason_name(ev.reason));
		ck_assert_tr(tr_regs_get(te.t, ev.tid, &regs), 0);
		if (regs.rip == tick) {
			ck_assert_msg(regs.rsp == rsp_hit, "round %d: %s stop "
				      "at the site with rsp %+ld from a hit: "
				      "the push ran and the pc was rewound",
				      i, tr_stop_reason_name(ev.reason),
				      (long)(regs.rsp - rsp_hit));
		} else {
			ck_assert_uint_ne(ev.reason, TR_STOP_BREAKPOINT);
		}
		ck_assert_msg(ev.pc == regs.rip, "round %d: %s stop reports pc "
			      "tick%+ld, the thread is at tick%+ld", i,
			      tr_stop_reason_name(ev.reason),
			      (long)(ev.pc - tick), (long)(regs.rip - tick));
		if (ev.reason != TR_STOP_BREAKPOINT) {
			/* Back to a real hit for the next round. */
			ck_assert_tr(tr_cont(te.t, 0, 0, &ev), 0);
			ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
			ck_assert_tr(tr_regs_get(te.t, 0, &regs), 0);
			ck_assert_uint_eq(regs.rsp, rsp_hit);
		}
	}
	/* Without the breakpoint it runs on, unharmed. */
	ck_assert_tr(tr_bp_remove(te.t, tick), 0);
	ck_assert_tr(tr_cont(te.t, 0, 0, NULL), 0);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_int_eq(sscanf(line, "alive %ld", &alive), 1);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
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
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	tick = line_addr(line, "tick");
	ck_assert_tr(tr_mem_read(te.t, tick, &orig, 1, NULL), 0);
	ck_assert_uint_ne(orig, 0xcc);
	ck_assert_tr(tr_mem_write(te.t, tick, &cc, 1, NULL), 0);
	ck_assert_tr(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_SIGNAL);
	ck_assert_int_eq(ev.sig, SIGTRAP);
	ck_assert_tr(tr_regs_get(te.t, 0, &regs), 0);
	ck_assert_uint_eq(regs.rip, tick + 1);
	ck_assert_uint_eq(ev.pc, tick + 1);
	regs.rip = tick;
	ck_assert_tr(tr_regs_set(te.t, 0, &regs), 0);
	ck_assert_tr(tr_mem_write(te.t, tick, &orig, 1, NULL), 0);
	/* Suppressed: passed on, the SIGTRAP would kill the program. */
	ck_assert_tr(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_event(ev, TR_EV_EXIT, 0);
	ck_assert_int_eq(ev.status, 0);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "ticks 2 counter 1");
	tracee_end(&te);
}
END_TEST

/* The target's own signals are reported; on resume they are passed on
 * (sig 0), suppressed (-1) or replaced (> 0). */
START_TEST(test_signals)
{
	struct tracee te;
	struct tr_event ev;
	char line[512];
	siginfo_t si;

	for (int pass = 0; pass < 2; pass++) {
		tracee_launch(&te, "loop", "usr1", NULL);
		tracee_to_trap(&te);
		ck_assert_tr(tr_cont(te.t, 0, -1, &ev), 0);
		ck_assert_event(ev, TR_EV_STOP, TR_STOP_SIGNAL);
		ck_assert_int_eq(ev.sig, SIGUSR1);
		ck_assert_tr(tr_siginfo_get(te.t, 0, &si), 0);
		ck_assert_int_eq(si.si_signo, SIGUSR1);
		ck_assert_int_eq(si.si_pid, te.pid);
		ck_assert_tr(tr_cont(te.t, 0, pass ? -1 : 0, &ev), 0);
		ck_assert_event(ev, TR_EV_EXIT, 0);
		while (tracee_line(&te, line, sizeof(line), LINE_MS) &&
		       strncmp(line, "handled", 7) != 0)
			;
		ck_assert_str_eq(line, pass ? "handled 0" : "handled 1");
		tracee_end(&te);
	}

	/* At its SIGTRAP, before it has a handler: a SIGUSR1 of ours kills
	 * it by the default action. */
	tracee_launch(&te, "loop", "usr1", NULL);
	tracee_to_trap(&te);
	ck_assert_tr(tr_cont(te.t, 0, SIGUSR1, &ev), 0);
	ck_assert_event(ev, TR_EV_KILLED, 0);
	ck_assert_int_eq(ev.sig, SIGUSR1);
	tracee_end(&te);
}
END_TEST

/* ---- threads ---------------------------------------------------------- */

struct progress {
	pid_t pid;
	uint64_t work_done;
	long base[NWORKERS];
};

static void
read_work(struct progress *p, long *now)
{
	ck_assert_int_eq(proc_mem_read(p->pid, p->work_done, now,
				       sizeof(long) * NWORKERS),
			 (ssize_t)(sizeof(long) * NWORKERS));
}

/* Every worker has done some work since p->base was read. */
static bool
all_workers_moved(void *arg)
{
	struct progress *p = arg;
	long now[NWORKERS];

	read_work(p, now);
	for (int i = 0; i < NWORKERS; i++)
		if (now[i] == p->base[i])
			return false;
	return true;
}

/* Every thread of pid running or sleeping, as /proc says: the first that
 * is not, or 0. */
static pid_t
not_running(pid_t pid, char *state)
{
	pid_t tids[64];
	size_t n = proc_tids(pid, tids, 64);

	ck_assert_uint_gt(n, 0);
	for (size_t i = 0; i < n && i < 64; i++) {
		*state = proc_state(pid, tids[i]);
		if (*state != 'R' && *state != 'S')
			return tids[i];
	}
	return 0;
}

/* The all-stop model: at every stop each thread is stopped (as /proc says,
 * read by the test), after a resume each runs (and works), after an
 * interrupt each is stopped again and does nothing. */
START_TEST(test_threads_all_stop)
{
	struct tracee te;
	struct tr_event ev;
	struct progress pr;
	char line[512];
	pid_t tids[16], workers[NWORKERS];
	size_t n, total;
	long frozen[NWORKERS], later[NWORKERS];
	int one = 1;
	uint64_t stop_addr;

	tracee_launch(&te, "threads", NULL, NULL);
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	stop_addr = line_addr(line, "stop");
	parse_tids(line, workers);
	pr = (struct progress){ .pid = te.pid,
				.work_done = line_addr(line, "work_done") };
	ck_assert_uint_ne(pr.work_done, 0);

	/* The tracer knows exactly the program's threads. */
	ck_assert_tr(tr_threads(te.t, tids, 16, &n), 0);
	ck_assert_uint_eq(n, NWORKERS + 1);
	ck_assert(has_tid(tids, n, te.pid));
	for (int i = 0; i < NWORKERS; i++)
		ck_assert(has_tid(tids, n, workers[i]));
	/* A short array: the count is still the whole. */
	ck_assert_tr(tr_threads(te.t, tids, 2, &n), 0);
	ck_assert_uint_eq(n, NWORKERS + 1);
	ck_assert_uint_eq(proc_count_state(te.pid, 't', &total), total);
	ck_assert_uint_eq(total, NWORKERS + 1);

	for (int round = 0; round < 3; round++) {
		/* All resume... */
		pid_t late;
		char state;

		read_work(&pr, pr.base);
		ck_assert_tr(tr_cont(te.t, 0, -1, NULL), 0);
		/* Resumed when tr_cont returns: PTRACE_CONT wakes a thread
		 * at once. */
		late = not_running(te.pid, &state);
		ck_assert_msg(late == 0, "round %d: thread %d is in state %c "
			      "after the resume", round, late, state);
		ck_assert_msg(wait_until(all_workers_moved, &pr, 5000),
			      "round %d: a worker never ran", round);
		/* ...and all stop. */
		ck_assert_tr(tr_interrupt(te.t, &ev), 0);
		ck_assert_event(ev, TR_EV_STOP, TR_STOP_INTERRUPT);
		ck_assert_uint_eq(proc_count_state(te.pid, 't', &total),
				  NWORKERS + 1);
		ck_assert_uint_eq(total, NWORKERS + 1);
		/* Stopped means no work is done: checking that nothing
		 * happens takes a little time. */
		read_work(&pr, frozen);
		usleep(20000);
		read_work(&pr, later);
		ck_assert_int_eq(memcmp(frozen, later, sizeof(frozen)), 0);
	}
	/* Let the workers finish: write their stop flag. */
	ck_assert_tr(tr_mem_write(te.t, stop_addr, &one, sizeof(one), NULL), 0);
	ck_assert_tr(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_event(ev, TR_EV_EXIT, 0);
	ck_assert_int_eq(ev.status, 0);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "done");
	tracee_end(&te);
}
END_TEST

/* Every worker hits the same breakpoint; no hit is lost (all-stop keeps
 * the others' hits pending), every thread is stopped at each, and the
 * stops arrive through a subscriber. */
START_TEST(test_threads_breakpoint)
{
	struct tracee te;
	struct tr_event ev;
	struct tr_sub *sub;
	char line[512];
	uint64_t work, stop_addr, seq = 0;
	int hits = 0, one = 1, tids_seen = 0;
	pid_t seen[8] = { 0 }, workers[NWORKERS];
	size_t total;

	tracee_launch(&te, "threads", NULL, NULL);
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	work = line_addr(line, "work");
	stop_addr = line_addr(line, "stop");
	parse_tids(line, workers);
	ck_assert_tr(tr_sub_new(te.t, 0, &sub), 0);
	ck_assert_tr(tr_bp_insert(te.t, work), 0);
	for (int i = 0; i < 200; i++) {
		int k;

		ck_assert_tr(tr_cont(te.t, 0, hits ? 0 : -1, NULL), 0);
		do
			ck_assert_tr(tr_sub_wait(sub, &ev, 10000), 0);
		while (ev.type != TR_EV_STOP);
		ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
		ck_assert_uint_eq(ev.pc, work);
		ck_assert_uint_gt(ev.seq, seq);
		ck_assert(has_tid(workers, NWORKERS, ev.tid));
		seq = ev.seq;
		hits++;
		if (i < 20)
			ck_assert_uint_eq(proc_count_state(te.pid, 't', &total),
					  total);
		for (k = 0; k < tids_seen && seen[k] != ev.tid; k++)
			;
		if (k == tids_seen && k < 8)
			seen[tids_seen++] = ev.tid;
	}
	ck_assert_int_eq(hits, 200);
	ck_assert_int_ge(tids_seen, 2);
	ck_assert_uint_eq(tr_sub_lost(sub), 0);
	ck_assert_tr(tr_bp_remove(te.t, work), 0);
	ck_assert_tr(tr_mem_write(te.t, stop_addr, &one, sizeof(one), NULL), 0);
	ck_assert_tr(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_EXIT, 0);
	tr_sub_free(te.t, sub);
	tracee_end(&te);
}
END_TEST

/* A subscriber sees threads come and go: a THREAD_NEW for each worker
 * before the stop they were created ahead of, a THREAD_EXIT for each
 * before the process's EXIT, which comes last. */
START_TEST(test_thread_events)
{
	struct tracee te;
	struct tr_event ev, sync_ev;
	struct tr_sub *sub;
	char line[512];
	pid_t workers[NWORKERS];
	int born = 0, died = 0, one = 1;
	uint64_t seq = 0;

	tracee_launch(&te, "threads", NULL, NULL);
	ck_assert_tr(tr_sub_new(te.t, 0, &sub), 0);
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	parse_tids(line, workers);
	for (;;) {
		ck_assert_tr(tr_sub_wait(sub, &ev, 5000), 0);
		ck_assert_uint_gt(ev.seq, seq);
		seq = ev.seq;
		ck_assert_int_eq(ev.pid, te.pid);
		if (ev.type == TR_EV_STOP)
			break;
		ck_assert_event(ev, TR_EV_THREAD_NEW, 0);
		ck_assert(has_tid(workers, NWORKERS, ev.tid));
		born++;
	}
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_SIGNAL);
	ck_assert_int_eq(ev.sig, SIGTRAP);
	ck_assert_int_eq(born, NWORKERS);

	ck_assert_tr(tr_mem_write(te.t, line_addr(line, "stop"), &one,
				  sizeof(one), NULL), 0);
	ck_assert_tr(tr_cont(te.t, 0, -1, &sync_ev), 0);
	ck_assert_event(sync_ev, TR_EV_EXIT, 0);
	for (;;) {
		ck_assert_tr(tr_sub_wait(sub, &ev, 5000), 0);
		ck_assert_uint_gt(ev.seq, seq);
		seq = ev.seq;
		if (ev.type == TR_EV_EXIT)
			break;
		ck_assert_event(ev, TR_EV_THREAD_EXIT, 0);
		if (has_tid(workers, NWORKERS, ev.tid))
			died++;
		else
			ck_assert_int_eq(ev.tid, te.pid);
	}
	ck_assert_int_eq(died, NWORKERS);
	/* The subscriber's EXIT is the one tr_cont returned. */
	ck_assert_uint_eq(ev.seq, sync_ev.seq);
	ck_assert_int_eq(ev.status, 0);
	ck_assert_tr(tr_sub_wait(sub, &ev, 50), -TR_ETIMEDOUT);
	tr_sub_free(te.t, sub);
	tracee_end(&te);
}
END_TEST

static bool
readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/* Two subscribers get the same events in the same order as the
 * synchronous calls; a full queue drops and counts; the descriptor is
 * readable while events are queued, and not once the queue was found
 * empty. */
START_TEST(test_subscribers)
{
	struct tracee te;
	struct tr_event ev, got[8];
	struct tr_sub *a, *b;
	char line[512];
	uint64_t tick;
	int n = 0;

	tracee_launch(&te, "loop", "loop", "3");
	ck_assert_tr(tr_sub_new(te.t, 0, &a), 0);
	ck_assert_tr(tr_sub_new(te.t, 2, &b), 0);
	ck_assert_int_ge(tr_sub_fd(a), 0);
	ck_assert(!readable(tr_sub_fd(a)));
	ck_assert_tr(tr_sub_next(a, &ev), -TR_EAGAIN);
	ck_assert_tr(tr_sub_wait(a, &ev, 20), -TR_ETIMEDOUT);

	/* trap, 3 hits, exit: 5 events, each also returned by tr_cont. */
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	tick = line_addr(line, "tick");
	ck_assert(readable(tr_sub_fd(a)));
	ck_assert_tr(tr_bp_insert(te.t, tick), 0);
	do {
		ck_assert_tr(tr_cont(te.t, 0, n ? 0 : -1, &got[n]), 0);
	} while (got[n++].type == TR_EV_STOP && n < 8);
	ck_assert_int_eq(n, 4);
	ck_assert_event(got[3], TR_EV_EXIT, 0);

	/* a: the trap, then the same four. */
	ck_assert_tr(tr_sub_next(a, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_SIGNAL);
	for (int i = 0; i < 4; i++) {
		ck_assert_tr(tr_sub_next(a, &ev), 0);
		ck_assert_uint_eq(ev.seq, got[i].seq);
		ck_assert_uint_eq(ev.type, got[i].type);
		ck_assert_uint_eq(ev.reason, got[i].reason);
		ck_assert_uint_eq(ev.pc, got[i].pc);
	}
	/* Readiness may be stale until a tr_sub_next finds the queue empty
	 * (event.c); from then on, not readable. */
	ck_assert_tr(tr_sub_next(a, &ev), -TR_EAGAIN);
	ck_assert(!readable(tr_sub_fd(a)));
	ck_assert_uint_eq(tr_sub_lost(a), 0);

	/* b held two and dropped three. */
	ck_assert_tr(tr_sub_next(b, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_SIGNAL);
	ck_assert_tr(tr_sub_next(b, &ev), 0);
	ck_assert_uint_eq(ev.seq, got[0].seq);
	ck_assert_tr(tr_sub_next(b, &ev), -TR_EAGAIN);
	ck_assert_uint_eq(tr_sub_lost(b), 3);
	tr_sub_free(te.t, b);
	tr_sub_free(te.t, a);
	tracee_end(&te);
}
END_TEST

/* ---- targets that go away -------------------------------------------- */

START_TEST(test_exit_status)
{
	struct tracee te;
	struct tr_event ev;
	struct tr_state st;
	uint64_t v;
	struct user_regs_struct regs;
	pid_t tids[4];
	size_t n = 0;
	char line[512];
	int err;

	tracee_launch(&te, "loop", "exit", "3");
	tracee_to_trap(&te);
	ck_assert_tr(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_event(ev, TR_EV_EXIT, 0);
	ck_assert_int_eq(ev.status, 3);
	ck_assert_int_eq(ev.pid, te.pid);
	ck_assert_tr(tr_state_get(te.t, &st), 0);
	ck_assert(st.gone);
	ck_assert_int_eq(st.last_stop.type, TR_EV_EXIT);
	ck_assert_int_eq(st.last_stop.status, 3);
	/* Everything afterwards: "target gone", not a hang or a crash. */
	ck_assert_tr(tr_peek(te.t, 0, 0x1000, &v), -TR_EGONE);
	ck_assert_tr(tr_poke(te.t, 0, 0x1000, 0), -TR_EGONE);
	ck_assert_tr(tr_regs_get(te.t, 0, &regs), -TR_EGONE);
	ck_assert_tr(tr_cont(te.t, 0, 0, &ev), -TR_EGONE);
	ck_assert_tr(tr_cont(te.t, 0, 0, NULL), -TR_EGONE);
	ck_assert_tr(tr_step(te.t, 0, 0, &ev), -TR_EGONE);
	ck_assert_tr(tr_interrupt(te.t, &ev), -TR_EGONE);
	ck_assert_tr(tr_mem_read(te.t, 0x1000, &v, 8, NULL), -TR_EGONE);
	ck_assert_tr(tr_mem_write(te.t, 0x1000, &v, 8, NULL), -TR_EGONE);
	ck_assert_tr(tr_bp_insert(te.t, 0x1000), -TR_EGONE);
	/* A list of threads may be asked for: there are none left. */
	err = tr_threads(te.t, tids, 4, &n);
	ck_assert_msg(err == -TR_EGONE || (err == 0 && n == 0),
		      "threads after exit: %s, %zu", tr_strerror(err), n);
	ck_assert_tr(tr_kill(te.t), -TR_EGONE);
	ck_assert_tr(tr_detach(te.t), -TR_EGONE);
	/* Reaped: no zombie. */
	ck_assert_int_eq(kill(te.pid, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	/* Its stdout is closed: EOF after the ready line. */
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert(!tracee_line(&te, line, sizeof(line), LINE_MS));
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
	int last;       /* the result that ended the loop */
	atomic_long ok; /* successful reads */
	long other;     /* results neither 0, -TR_ERUNNING nor -TR_EGONE */
	int first_other;
	const char *first_op;
};

static void
note_other(struct peeker *p, int err, const char *op)
{
	if (!p->other++) {
		p->first_other = err;
		p->first_op = op;
	}
}

static void *
peek_loop(void *arg)
{
	struct peeker *p = arg;
	uint64_t v;
	char buf[256];

	/* Until the target is gone: each request completes, with a value
	 * or an error, never hangs. */
	for (;;) {
		struct tr_req *r[2];

		p->last = tr_mem_read(p->t, p->addr, buf, sizeof(buf), NULL);
		if (p->last == -TR_EGONE)
			break;
		if (p->last == 0)
			atomic_fetch_add(&p->ok, 1);
		else
			note_other(p, p->last, "tr_mem_read");
		/* PEEKDATA needs the thread stopped: -TR_ERUNNING. */
		p->last = tr_peek(p->t, 0, p->addr, &v);
		if (p->last == -TR_EGONE)
			break;
		if (p->last != 0 && p->last != -TR_ERUNNING)
			note_other(p, p->last, "tr_peek");
		/* An asynchronous batch too. */
		for (int i = 0; i < 2; i++) {
			r[i] = tr_req_get(p->t);
			r[i]->op = TR_OP_MEM_READ;
			r[i]->addr = p->addr;
			r[i]->buf = buf;
			r[i]->len = 64;
		}
		r[0]->next = r[1];
		tr_req_submit(p->t, r[0]);
		p->last = tr_req_wait(p->t, r[1]);
		if (r[0]->result != 0 && r[0]->result != -TR_EGONE)
			note_other(p, r[0]->result, "batched read");
		tr_req_put(p->t, r[0]);
		tr_req_put(p->t, r[1]);
		if (p->last == -TR_EGONE || p->last == -TR_ECANCELED)
			break;
	}
	return NULL;
}

static bool
peekers_going(void *arg)
{
	struct peeker *p = arg;

	for (int i = 0; i < 3; i++)
		if (atomic_load(&p[i].ok) < 10)
			return false;
	return true;
}

/* Start a waiter in tr_cont and three peekers on a running target. */
static void
start_pending(struct tracee *te, struct waiter *w, pthread_t *wt,
	      struct peeker *p, pthread_t *pt)
{
	char line[512];
	uint64_t buffer;

	ck_assert(tracee_line(te, line, sizeof(line), LINE_MS));
	buffer = line_addr(line, "buffer");
	*w = (struct waiter){ .t = te->t };
	ck_assert_int_eq(pthread_create(wt, NULL, cont_waiter, w), 0);
	/* Running once it says so: the waiter's resume went through. */
	ck_assert(tracee_line(te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "running");
	for (int i = 0; i < 3; i++) {
		p[i] = (struct peeker){ .t = te->t, .addr = buffer };
		ck_assert_int_eq(pthread_create(&pt[i], NULL, peek_loop, &p[i]),
				 0);
	}
	ck_assert_msg(wait_until(peekers_going, p, 10000),
		      "the peekers' reads never succeeded");
}

static void
join_pending(pthread_t wt, struct peeker *p, pthread_t *pt)
{
	/* Join all before any assertion: a failing one must not leave
	 * threads behind. */
	pthread_join(wt, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(pt[i], NULL);
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(p[i].last == -TR_EGONE ||
			      p[i].last == -TR_ECANCELED,
			      "peeker %d ended with %s", i,
			      tr_strerror(p[i].last));
		ck_assert_msg(p[i].other == 0, "peeker %d: %ld unexpected "
			      "results, the first from %s: %s", i, p[i].other,
			      p[i].first_op, tr_strerror(p[i].first_other));
	}
}

/* The target exits on its own while one thread waits in tr_cont and three
 * others have requests in flight: all of them complete, the waiter with
 * the exit and its status, the others with "target gone". */
START_TEST(test_exit_with_requests_pending)
{
	struct tracee te;
	struct waiter w;
	struct peeker p[3];
	pthread_t wt, pt[3];
	unsigned char status = 42;
	uint64_t v;

	tracee_launch_stdin(&te, "loop", "stdin", NULL);
	tracee_to_trap(&te);
	start_pending(&te, &w, &wt, p, pt);
	ck_assert_int_eq(write(te.in, &status, 1), 1);
	join_pending(wt, p, pt);
	ck_assert_tr(w.err, 0);
	ck_assert_event(w.ev, TR_EV_EXIT, 0);
	ck_assert_int_eq(w.ev.status, 42);
	ck_assert_tr(tr_peek(te.t, 0, 0x1000, &v), -TR_EGONE);
	tracee_end(&te);
}
END_TEST

/* Killed from outside while one thread waits in tr_cont and others have
 * requests in flight: all of them complete. */
START_TEST(test_killed_with_requests_pending)
{
	struct tracee te;
	struct waiter w;
	struct peeker p[3];
	pthread_t wt, pt[3];
	uint64_t v;

	tracee_launch(&te, "loop", "forever", NULL);
	tracee_to_trap(&te);
	start_pending(&te, &w, &wt, p, pt);
	ck_assert_int_eq(kill(te.pid, SIGKILL), 0);
	join_pending(wt, p, pt);
	ck_assert_tr(w.err, 0);
	ck_assert_event(w.ev, TR_EV_KILLED, 0);
	ck_assert_int_eq(w.ev.sig, SIGKILL);
	ck_assert_tr(tr_peek(te.t, 0, 0x1000, &v), -TR_EGONE);
	tracee_end(&te);
}
END_TEST

START_TEST(test_kill)
{
	struct tracee te;
	struct tr_event ev;
	struct tr_state st;
	int status;

	tracee_launch(&te, "loop", "forever", NULL);
	tracee_to_trap(&te);
	ck_assert_tr(tr_cont(te.t, 0, -1, NULL), 0);
	ck_assert_tr(tr_kill(te.t), 0);
	/* Reaped by the time tr_kill returns (a zombie still takes a
	 * kill(pid, 0)), and not by us. */
	ck_assert_int_eq(kill(te.pid, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(waitpid(te.pid, &status, WNOHANG | __WALL), -1);
	ck_assert_tr(tr_state_get(te.t, &st), 0);
	ck_assert(st.gone);
	ck_assert_int_eq(st.last_stop.type, TR_EV_KILLED);
	ck_assert_int_eq(st.last_stop.sig, SIGKILL);
	ck_assert_tr(tr_cont(te.t, 0, 0, &ev), -TR_EGONE);
	tracee_end(&te);
}
END_TEST

/* No leftover child of any kind in this process. */
static void
assert_no_children(void)
{
	int st;

	ck_assert_int_eq(waitpid(-1, &st, WNOHANG | __WALL), -1);
	ck_assert_int_eq(errno, ECHILD);
}

START_TEST(test_launch_errors)
{
	struct tr_tracer *t;
	struct tr_event ev;
	pid_t pid = 0, pid2 = 0;
	struct tr_launch l = { .path = "/nonexistent/program", .stdin_fd = -1,
			       .stdout_fd = -1, .stderr_fd = -1 };
	struct tr_launch ok = { .stdin_fd = -1, .stdout_fd = -1,
				.stderr_fd = -1 };
	char *argv[] = { "loop", "exit", "0", NULL };
	char path[512];

	ck_assert_int_eq(tr_tracer_new(NULL, &t), 0);
	ck_assert_tr(tr_launch(t, &l, &pid), -TR_EEXEC);
	assert_no_children();
	l.path = "no-such-program-in-path-xyz";
	ck_assert_tr(tr_launch(t, &l, &pid), -TR_EEXEC);
	l.path = "/etc/passwd"; /* not executable */
	ck_assert_tr(tr_launch(t, &l, &pid), -TR_EEXEC);
	l.path = "/tmp"; /* a directory */
	ck_assert_tr(tr_launch(t, &l, &pid), -TR_EEXEC);
	snprintf(path, sizeof(path), "%s/loop", TRACEE_DIR);
	l.path = path;
	l.cwd = "/nonexistent";
	ck_assert_tr(tr_launch(t, &l, &pid), -TR_EEXEC);
	assert_no_children();

	/* Attach errors. */
	ck_assert_tr(tr_attach(t, 0x3fffffff), -TR_ESRCH);
	ck_assert_tr(tr_attach(t, -5), -TR_EINVAL);
	ck_assert_tr(tr_attach(t, getpid()), -TR_EPERM);

	/* One target per tracer. */
	ok.path = path;
	ok.argv = argv;
	ok.stdout_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(ok.stdout_fd, 0);
	ck_assert_tr(tr_launch(t, &ok, &pid), 0);
	ck_assert_int_gt(pid, 0);
	ck_assert_tr(tr_launch(t, &ok, &pid2), -TR_EBUSY);
	ck_assert_tr(tr_attach(t, pid), -TR_EBUSY);
	ck_assert_tr(tr_cont(t, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_SIGNAL);
	ck_assert_tr(tr_cont(t, 0, -1, &ev), 0);
	ck_assert_event(ev, TR_EV_EXIT, 0);
	/* A new target once the old one is gone. */
	ck_assert_tr(tr_launch(t, &ok, &pid2), 0);
	ck_assert_int_ne(pid2, pid);
	tr_tracer_free(t);
	close(ok.stdout_fd);
	assert_no_children();
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
	ck_assert_tr(tr_launch(t, &l, &pid), 0);
	close(fds[1]);
	ck_assert_tr(tr_cont(t, 0, 0, &ev), 0);
	/* sh forks for $(pwd): the child is let go, the parent followed. */
	while (ev.type == TR_EV_STOP)
		ck_assert_tr(tr_cont(t, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_EXIT, 0);
	ck_assert_int_eq(ev.status, 0);
	ck_assert_int_gt(read(fds[0], buf, sizeof(buf) - 1), 0);
	ck_assert_str_eq(buf, "hello:arg1:/tmp\n");
	close(fds[0]);
	tr_tracer_free(t);
}
END_TEST

/* ---- attach and detach --------------------------------------------- */

/* "alive N" lines of a spawned loop: the next N, which must be larger
 * than `after` (the program runs and ticks). */
static long
next_alive(struct tracee *te, long after)
{
	char line[512];
	long n;

	if (!tracee_line(te, line, sizeof(line), LINE_MS)) {
		int st;

		/* Say why: a target we left in a bad state dies of it. */
		if (waitpid(te->pid, &st, WNOHANG) == te->pid) {
			te->spawned = false;
			ck_abort_msg("no 'alive' line: the program died "
				     "(%s %d)", WIFSIGNALED(st) ? "signal"
								: "exit",
				     WIFSIGNALED(st) ? WTERMSIG(st)
						     : WEXITSTATUS(st));
		}
		ck_abort_msg("no 'alive' line; the program is in state %c",
			     proc_state(te->pid, te->pid));
	}
	ck_assert_msg(sscanf(line, "alive %ld", &n) == 1, "line '%s'", line);
	ck_assert_int_gt(n, after);
	return n;
}

/*
 * Attach to a program the test started, plant breakpoints, take a hit,
 * write code and data and put them back, resume, detach while it runs
 * with a breakpoint still planted: its code and data are byte for byte
 * what they were before the attach (read by the test from /proc/PID/mem),
 * and it runs on, printing.
 */
START_TEST(test_attach_detach)
{
	struct tracee te;
	static uint8_t text0[1 << 16], text1[1 << 16];
	static uint8_t data0[3 * 4096], data1[3 * 4096];
	struct tr_event ev;
	struct tr_state st;
	char line[512];
	uint64_t lo, hi, tick, buffer;
	size_t ntext, nt;
	pid_t tids[4];
	uint8_t b = 'X', orig, code[4], junk[4] = { 0x90, 0x90, 0x90, 0x90 };
	long alive;

	tracee_spawn_te(&te, "loop", "spin", NULL);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	tick = line_addr(line, "tick");
	buffer = line_addr(line, "buffer");
	alive = next_alive(&te, 0);
	ck_assert(proc_mapping(te.pid, " r-xp ", "/loop", &lo, &hi));
	ck_assert(tick >= lo && tick + 16 <= hi);
	ntext = hi - lo < sizeof(text0) ? hi - lo : sizeof(text0);
	ck_assert_int_eq(proc_mem_read(te.pid, lo, text0, ntext),
			 (ssize_t)ntext);
	ck_assert_int_eq(proc_mem_read(te.pid, buffer, data0, sizeof(data0)),
			 (ssize_t)sizeof(data0));

	ck_assert_int_eq(tr_tracer_new(NULL, &te.t), 0);
	ck_assert_tr(tr_attach(te.t, te.pid), 0);
	ck_assert_tr(tr_attach(te.t, te.pid), -TR_EBUSY);
	ck_assert_tr(tr_threads(te.t, tids, 4, &nt), 0);
	ck_assert_uint_eq(nt, 1);
	ck_assert_int_eq(tids[0], te.pid);
	ck_assert_int_eq(proc_state(te.pid, te.pid), 't');
	ck_assert_tr(tr_state_get(te.t, &st), 0);
	ck_assert_int_eq(st.pid, te.pid);
	ck_assert(!st.launched);
	ck_assert(!st.running);
	ck_assert_event(st.last_stop, TR_EV_STOP, TR_STOP_ATTACH);

	/* Breakpoints, and a hit. */
	ck_assert_tr(tr_bp_insert(te.t, tick), 0);
	ck_assert_tr(tr_bp_insert(te.t, tick + 4), 0);
	ck_assert_int_eq(proc_mem_read(te.pid, tick, &b, 1), 1);
	ck_assert_uint_eq(b, 0xcc);
	ck_assert_tr(tr_cont(te.t, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
	ck_assert_uint_eq(ev.pc, tick);
	/* Data and code written, then put back. */
	ck_assert_tr(tr_mem_read(te.t, buffer, &orig, 1, NULL), 0);
	b = 'X';
	ck_assert_tr(tr_mem_write(te.t, buffer, &b, 1, NULL), 0);
	ck_assert_tr(tr_mem_write(te.t, buffer, &orig, 1, NULL), 0);
	ck_assert_tr(tr_mem_read(te.t, tick + 8, code, 4, NULL), 0);
	ck_assert_tr(tr_mem_write(te.t, tick + 8, junk, 4, NULL), 0);
	ck_assert_tr(tr_mem_write(te.t, tick + 8, code, 4, NULL), 0);
	ck_assert_tr(tr_bp_remove(te.t, tick + 4), 0);
	/* Detach right after a resume (running, or stopped again at tick
	 * already: both must end the same), the breakpoint still planted. */
	ck_assert_tr(tr_cont(te.t, 0, 0, NULL), 0);
	ck_assert_tr(tr_detach(te.t), 0);

	/* Still alive and running on its own (an int3 left behind would
	 * kill it with SIGTRAP). */
	alive = next_alive(&te, alive);
	alive = next_alive(&te, alive);
	/* Byte for byte as before (neither changes as it runs). */
	ck_assert_int_eq(proc_mem_read(te.pid, lo, text1, ntext),
			 (ssize_t)ntext);
	ck_assert_int_eq(memcmp(text0, text1, ntext), 0);
	ck_assert_int_eq(proc_mem_read(te.pid, buffer, data1, sizeof(data1)),
			 (ssize_t)sizeof(data1));
	ck_assert_int_eq(memcmp(data0, data1, sizeof(data0)), 0);
	ck_assert_int_ne(proc_state(te.pid, te.pid), 't');
	ck_assert_int_ne(proc_state(te.pid, te.pid), 0);
	ck_assert_tr(tr_state_get(te.t, &st), 0);
	ck_assert_int_eq(st.pid, 0);
	tracee_end(&te);
}
END_TEST

/* Attach stops every thread of a multi-threaded program; detach lets them
 * all run on. */
START_TEST(test_attach_threads)
{
	struct tracee te;
	struct progress pr;
	char line[512];
	pid_t tids[16], workers[NWORKERS];
	size_t n, total;
	long frozen[NWORKERS], later[NWORKERS];
	pid_t late;
	char state;

	tracee_spawn_te(&te, "threads", "free", NULL);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	parse_tids(line, workers);
	pr = (struct progress){ .pid = te.pid,
				.work_done = line_addr(line, "work_done") };
	ck_assert_int_eq(tr_tracer_new(NULL, &te.t), 0);
	ck_assert_tr(tr_attach(te.t, te.pid), 0);
	ck_assert_tr(tr_threads(te.t, tids, 16, &n), 0);
	ck_assert_uint_eq(n, NWORKERS + 1);
	for (int i = 0; i < NWORKERS; i++)
		ck_assert(has_tid(tids, n, workers[i]));
	ck_assert_uint_eq(proc_count_state(te.pid, 't', &total), total);
	ck_assert_uint_eq(total, NWORKERS + 1);
	read_work(&pr, frozen);
	usleep(20000);
	read_work(&pr, later);
	ck_assert_int_eq(memcmp(frozen, later, sizeof(frozen)), 0);

	ck_assert_tr(tr_detach(te.t), 0);
	memcpy(pr.base, later, sizeof(later));
	late = not_running(te.pid, &state);
	ck_assert_msg(late == 0, "thread %d is in state %c after the detach",
		      late, state);
	ck_assert_msg(wait_until(all_workers_moved, &pr, 5000),
		      "a worker did not run after the detach");
	tracee_end(&te);
}
END_TEST

/* Freeing the tracer detaches from an attached target. */
START_TEST(test_free_detaches)
{
	struct tracee te;
	char line[512];
	uint64_t tick;
	long alive;

	tracee_spawn_te(&te, "loop", "spin", NULL);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	tick = line_addr(line, "tick");
	alive = next_alive(&te, 0);
	ck_assert_int_eq(tr_tracer_new(NULL, &te.t), 0);
	ck_assert_tr(tr_attach(te.t, te.pid), 0);
	ck_assert_tr(tr_bp_insert(te.t, tick), 0);
	tr_tracer_free(te.t);
	te.t = NULL;
	alive = next_alive(&te, alive);
	next_alive(&te, alive);
	tracee_end(&te);
}
END_TEST

/* ---- many threads ----------------------------------------------------- */

#define MANY_SLEEPERS "2000" /* threads of tracees/many.c, and 2 busy */
#define MANY_BUSY 2

static int
cmp_tid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* How many of the n threads in tids are in /proc state `want`; *odd gets
 * one that is not (or 0). */
static size_t
count_state(pid_t pid, const pid_t *tids, size_t n, char want, pid_t *odd,
	    char *odd_state)
{
	size_t k = 0;

	*odd = 0;
	for (size_t i = 0; i < n; i++) {
		char c = proc_state(pid, tids[i]);

		if (c == want) {
			k++;
		} else if (!*odd) {
			*odd = tids[i];
			*odd_state = c;
		}
	}
	return k;
}

struct busy_progress {
	pid_t pid;
	uint64_t addr;
	unsigned long base[MANY_BUSY];
};

static void
read_busy(const struct busy_progress *b, unsigned long *now)
{
	ck_assert_int_eq(proc_mem_read(b->pid, b->addr, now,
				       sizeof(*now) * MANY_BUSY),
			 (ssize_t)(sizeof(*now) * MANY_BUSY));
}

static bool
busy_moved(void *arg)
{
	struct busy_progress *b = arg;
	unsigned long now[MANY_BUSY];

	read_busy(b, now);
	for (int i = 0; i < MANY_BUSY; i++)
		if (now[i] == b->base[i])
			return false;
	return true;
}

/*
 * Attach to a program of 2,000 sleeping threads and 2 busy ones: every
 * thread is listed (the same set as /proc/PID/task), each stop-all stops
 * every one of them (/proc says 't', the busy counters stand still), each
 * resume lets them run (the counters move), and after the detach none is
 * traced any more.
 */
START_TEST(test_attach_many)
{
	struct tracee te;
	struct tr_event ev;
	struct busy_progress bp;
	char line[512], st = 0, status[4096];
	unsigned long frozen[MANY_BUSY], later[MANY_BUSY];
	size_t n, want, nproc;
	pid_t *tids, *ptids, odd;
	char *tp;
	int fd;
	ssize_t len;

	tracee_spawn_te(&te, "many", MANY_SLEEPERS, "2");
	ck_assert_msg(tracee_line(&te, line, sizeof(line), 4 * LINE_MS),
		      "tracees/many printed nothing (thread limits?)");
	ck_assert_int_eq(sscanf(line, "ready threads=%zu", &want), 1);
	ck_assert_uint_eq(want, (size_t)atoi(MANY_SLEEPERS) + MANY_BUSY + 1);
	bp = (struct busy_progress){ .pid = te.pid,
				     .addr = line_addr(line, "busy_count") };
	tids = calloc(want + 1, sizeof(*tids));
	ptids = calloc(want + 1, sizeof(*ptids));
	ck_assert(tids && ptids);

	ck_assert_int_eq(tr_tracer_new(NULL, &te.t), 0);
	ck_assert_tr(tr_attach(te.t, te.pid), 0);
	ck_assert_tr(tr_threads(te.t, tids, want + 1, &n), 0);
	ck_assert_uint_eq(n, want);
	nproc = proc_tids(te.pid, ptids, want + 1);
	ck_assert_uint_eq(nproc, want);
	qsort(tids, n, sizeof(*tids), cmp_tid);
	qsort(ptids, n, sizeof(*ptids), cmp_tid);
	ck_assert_int_eq(memcmp(tids, ptids, n * sizeof(*tids)), 0);
	ck_assert_msg(count_state(te.pid, tids, n, 't', &odd, &st) == n,
		      "thread %d is in state %c after the attach", odd, st);

	for (int round = 0; round < 3; round++) {
		read_busy(&bp, bp.base);
		ck_assert_tr(tr_cont(te.t, 0, -1, NULL), 0);
		ck_assert_msg(wait_until(busy_moved, &bp, 4 * LINE_MS),
			      "round %d: a busy thread never ran", round);
		ck_assert_tr(tr_interrupt(te.t, &ev), 0);
		ck_assert_event(ev, TR_EV_STOP, TR_STOP_INTERRUPT);
		ck_assert_msg(count_state(te.pid, tids, n, 't', &odd, &st) ==
				      n,
			      "round %d: thread %d is in state %c at the "
			      "stop", round, odd, st);
		read_busy(&bp, frozen);
		usleep(20000);
		read_busy(&bp, later);
		ck_assert_int_eq(memcmp(frozen, later, sizeof(frozen)), 0);
		ck_assert_tr(tr_threads(te.t, tids, want + 1, &n), 0);
		ck_assert_uint_eq(n, want);
	}

	ck_assert_tr(tr_detach(te.t), 0);
	fd = -1;
	snprintf(line, sizeof(line), "/proc/%d/status", te.pid);
	fd = open(line, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	len = read(fd, status, sizeof(status) - 1);
	close(fd);
	ck_assert_int_gt(len, 0);
	status[len] = 0;
	tp = strstr(status, "TracerPid:");
	ck_assert_ptr_nonnull(tp);
	ck_assert_int_eq(atoi(tp + 10), 0);
	ck_assert_msg(count_state(te.pid, tids, n, 't', &odd, &st) == 0,
		      "a thread is still in state t after the detach");
	read_busy(&bp, bp.base);
	ck_assert_msg(wait_until(busy_moved, &bp, 4 * LINE_MS),
		      "a busy thread did not run after the detach");
	free(tids);
	free(ptids);
	tracee_end(&te);
}
END_TEST

/* ---- requests in batches ------------------------------------------- */

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
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	report = line_addr(line, "report");
	buffer = line_addr(line, "buffer");
	ck_assert_tr(tr_bp_insert(te.t, report), 0);
	ck_assert_tr(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
	ck_assert_tr(tr_bp_remove(te.t, report), 0);
	ck_assert_tr(tr_regs_get(te.t, 0, &regs), 0);
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
	ck_assert_tr(tr_req_wait(te.t, r[2]), 0);
	ck_assert_int_eq(r[0]->result, 0);
	ck_assert_int_eq(r[1]->result, 0);
	ck_assert_uint_eq(r[1]->done, 7);
	ck_assert_event(r[2]->ev, TR_EV_EXIT, 0);
	for (int i = 0; i < 3; i++)
		tr_req_put(te.t, r[i]);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "report 99");
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "buffer BATCHEDck brown fox");
	tracee_end(&te);
}
END_TEST

/* A failing request cancels the rest of its batch: a write after it is not
 * made, a resume after it does not happen. */
START_TEST(test_batch_cancel)
{
	struct tracee te;
	struct tr_event ev;
	struct tr_state st;
	struct tr_req *r[4];
	char line[512], buf[32];
	uint64_t buffer, word = 0;

	tracee_launch(&te, "loop", "report", NULL);
	tracee_to_trap(&te);
	ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	buffer = line_addr(line, "buffer");
	for (int i = 0; i < 4; i++) {
		r[i] = tr_req_get(te.t);
		if (i)
			r[i - 1]->next = r[i];
	}
	r[0]->op = TR_OP_PEEK;
	r[0]->addr = buffer;
	r[1]->op = TR_OP_MEM_READ;
	r[1]->addr = 0;
	r[1]->buf = buf;
	r[1]->len = 8;
	r[2]->op = TR_OP_MEM_WRITE;
	r[2]->addr = buffer;
	r[2]->buf = "XXXX";
	r[2]->len = 4;
	r[3]->op = TR_OP_CONT;
	r[3]->flags = TR_REQ_WAIT_STOP;
	r[3]->val = (uint64_t)-1;
	tr_req_submit(te.t, r[0]);
	ck_assert_tr(tr_req_wait(te.t, r[3]), -TR_ECANCELED);
	ck_assert_tr(r[0]->result, 0);
	memcpy(&word, &r[0]->val, 8);
	ck_assert_int_eq(memcmp(&word, "the quic", 8), 0);
	ck_assert_tr(r[1]->result, -TR_EFAULT);
	ck_assert_tr(r[2]->result, -TR_ECANCELED);
	ck_assert_tr(r[3]->result, -TR_ECANCELED);
	for (int i = 0; i < 4; i++)
		tr_req_put(te.t, r[i]);
	/* Nothing written, still stopped. */
	ck_assert_int_eq(proc_mem_read(te.pid, buffer, buf, 4), 4);
	ck_assert_int_eq(memcmp(buf, "the ", 4), 0);
	ck_assert_tr(tr_state_get(te.t, &st), 0);
	ck_assert(!st.running);
	ck_assert_int_eq(proc_state(te.pid, te.pid), 't');

	/* Asynchronous requests, several in flight from one thread. */
	for (int i = 0; i < 4; i++) {
		r[i] = tr_req_get(te.t);
		r[i]->op = TR_OP_PEEK;
		r[i]->addr = buffer + (uint64_t)i * 4;
		tr_req_submit(te.t, r[i]);
	}
	for (int i = 3; i >= 0; i--) {
		ck_assert_tr(tr_req_wait(te.t, r[i]), 0);
		ck_assert_int_eq(memcmp(&r[i]->val,
					"the quick brown fox" + i * 4, 8), 0);
		tr_req_put(te.t, r[i]);
	}

	ck_assert_tr(tr_cont(te.t, 0, -1, &ev), 0);
	ck_assert_event(ev, TR_EV_EXIT, 0);
	for (int i = 0; i < 4; i++)
		ck_assert(tracee_line(&te, line, sizeof(line), LINE_MS));
	ck_assert_str_eq(line, "buffer the quick brown fox");
	tracee_end(&te);
}
END_TEST

Suite *
suite_tracer(void)
{
	Suite *s = suite_create("tracer");
	TCase *tc = tcase_create("tracer");

	/* Generous for the sanitizer builds. */
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_memory);
	tcase_add_test(tc, test_bad_addresses);
	tcase_add_test(tc, test_registers);
	tcase_add_test(tc, test_single_step);
	tcase_add_test(tc, test_step_from_launch);
	tcase_add_test(tc, test_breakpoint_loop);
	tcase_add_test(tc, test_hardware_breakpoint);
	tcase_add_test(tc, test_interrupt_reports_pc);
	tcase_add_test(tc, test_interrupt_during_step_over);
	tcase_add_test(tc, test_raw_int3);
	tcase_add_test(tc, test_signals);
	tcase_add_test(tc, test_threads_all_stop);
	tcase_add_test(tc, test_threads_breakpoint);
	tcase_add_test(tc, test_thread_events);
	tcase_add_test(tc, test_subscribers);
	tcase_add_test(tc, test_exit_status);
	tcase_add_test(tc, test_exit_with_requests_pending);
	tcase_add_test(tc, test_killed_with_requests_pending);
	tcase_add_test(tc, test_kill);
	tcase_add_test(tc, test_launch_errors);
	tcase_add_test(tc, test_launch_env);
	tcase_add_test(tc, test_attach_detach);
	tcase_add_test(tc, test_attach_threads);
	tcase_add_test(tc, test_free_detaches);
	tcase_add_test(tc, test_attach_many);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_batch_cancel);
	suite_add_tcase(s, tc);
	return s;
}
