/* check_unwind.c: backtraces of real programs (-O0, -O2, .debug_frame) through libc, threads and signal handlers, and the fallbacks. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#include "symbols/debuginfo.h"
#include "helpers.h"
#include "suites.h"
#include "target/tracer.h"
#include "symbols/unwind.h"

#ifndef TRACEE_SRC_DIR
#error TRACEE_SRC_DIR must name the directory of the tracee sources
#endif

#define MAXF 64
#define ALL_REGS ((1u << TR_UREG_COUNT) - 1)

/* The builds of tests/tracees/nested.c. The last has no .eh_frame of
 * its own (-fno-asynchronous-unwind-tables): gcc -g puts its CFI in
 * .debug_frame, and only the C runtime's _start keeps .eh_frame. */
static const struct variant {
	const char *name;
	bool optimized;
} variants[] = {
	{ "nested-O0", false },
	{ "nested-O2", true },
	{ "nested-O2-dframe", true },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

struct session {
	struct tracee te;
	struct tr_debuginfo *di;
	struct tr_unwinder *u;
};

/* A backtrace and what each frame is. */
struct bt {
	struct tr_frame f[MAXF];
	struct tr_location loc[MAXF];
	size_t n;
	int rc;
	char text[4096]; /* for failure messages */
};

static void
start(struct session *s, const char *prog, const char *what)
{
	tracee_launch(&s->te, prog, what, NULL);
	ck_assert_int_eq(tr_debuginfo_new(s->te.pid, &s->di), 0);
	ck_assert_int_eq(tr_unwinder_new(s->di, &s->u), 0);
}

static void
stop(struct session *s)
{
	tr_unwinder_free(s->u);
	tr_debuginfo_free(s->di);
	tracee_end(&s->te);
}

/* The line of nested.c carrying the marker "LINE:name". */
static unsigned
marker_line(const char *name)
{
	return tracee_marker_line("nested.c", name);
}

static uint64_t
resolve1(struct session *s, const char *spec)
{
	uint64_t a[4];
	size_t n = 0;
	int err = tr_debuginfo_resolve(s->di, spec, a, 4, &n);

	ck_assert_msg(err == 0, "resolve %s: %s", spec, tr_strerror(err));
	ck_assert_msg(n == 1, "resolve %s: %zu locations", spec, n);
	return a[0];
}

/* Continue (passing signals on) until a breakpoint stop at addr. */
static struct tr_event
cont_to_bp(struct session *s, uint64_t addr)
{
	struct tr_event ev;

	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(tr_cont(s->te.t, 0, 0, &ev), 0);
		ck_assert_msg(ev.type == TR_EV_STOP, "expected a stop, got %s",
			      tr_event_type_name(ev.type));
		if (ev.reason == TR_STOP_BREAKPOINT)
			break;
		ck_assert_msg(ev.reason == TR_STOP_SIGNAL, "stopped by %s",
			      tr_stop_reason_name(ev.reason));
	}
	ck_assert_int_eq(ev.reason, TR_STOP_BREAKPOINT);
	ck_assert_uint_eq(ev.pc, addr);
	/* libc and the thread library are mapped by now. */
	ck_assert_int_eq(tr_debuginfo_refresh(s->di, NULL), 0);
	return ev;
}

static void
cont_to_exit(struct session *s, const char *want_line)
{
	struct tr_event ev;
	char line[256];

	ck_assert_int_eq(tr_cont(s->te.t, 0, 0, &ev), 0);
	ck_assert_str_eq(tr_event_type_name(ev.type), "exit");
	ck_assert_int_eq(ev.status, 0);
	ck_assert(tracee_line(&s->te, line, sizeof(line), 2000));
	ck_assert_str_eq(line, want_line);
}

static const char *const how_name[] = { "regs", "cfi", "guess" };

static void
bt_text(struct bt *bt)
{
	size_t off = 0;

	off += (size_t)snprintf(bt->text, sizeof(bt->text), "rc %d (%s):",
				bt->rc, tr_strerror(bt->rc));
	for (size_t i = 0; i < bt->n && off < sizeof(bt->text); i++) {
		const struct tr_location *l = &bt->loc[i];
		const struct tr_frame *f = &bt->f[i];
		const char *file = l->file ? strrchr(l->file, '/') : NULL;
		uint64_t rel = f->pc - (l->module ? l->module->bias : 0);

		off += (size_t)snprintf(
			bt->text + off, sizeof(bt->text) - off,
			"\n  #%zu %#lx cfa %#lx %s %s:%u in %s+%#lx [%s%s%s]",
			i, (unsigned long)f->pc, (unsigned long)f->cfa,
			l->function ? l->function : "??",
			file ? file + 1 : "?", l->line,
			l->module ? l->module->name : "?", (unsigned long)rel,
			how_name[f->how], f->signal_frame ? " signal" : "",
			f->sigtramp ? " sigtramp" : "");
	}
}

/* Describe every frame (at the address that stands for it). */
static void
bt_describe(struct tr_debuginfo *di, struct bt *bt)
{
	for (size_t i = 0; i < bt->n; i++)
		tr_debuginfo_describe(di, tr_unwind_lookup_pc(&bt->f[i]),
				      &bt->loc[i]);
	bt_text(bt);
}

static void
take_bt(struct session *s, pid_t tid, struct bt *bt)
{
	struct user_regs_struct r;

	ck_assert_int_eq(tr_regs_get(s->te.t, tid, &r), 0);
	bt->rc = tr_backtrace(s->u, &r, tr_mem_read_cb, s->te.t, bt->f, MAXF,
			      &bt->n);
	bt_describe(s->di, bt);
}

static bool
named(const struct bt *bt, size_t i, const char *name)
{
	return i < bt->n && bt->loc[i].function &&
	       strcmp(bt->loc[i].function, name) == 0;
}

static bool
in_module(const struct bt *bt, size_t i, const char *name)
{
	return i < bt->n && bt->loc[i].module &&
	       strcmp(bt->loc[i].module->name, name) == 0;
}

static size_t
find(const struct bt *bt, size_t from, const char *name)
{
	for (size_t i = from; i < bt->n; i++)
		if (named(bt, i, name))
			return i;
	return SIZE_MAX;
}

/*
 * What must hold of every backtrace taken on a stopped thread: it ended
 * at the outermost frame, each frame came from CFI, each frame's CFA is
 * its caller's stack pointer and they grow outwards.
 */
static void
check_sane_how(const struct bt *bt, bool allow_guess)
{
	ck_assert_msg(bt->rc == 0, "backtrace failed: %s", bt->text);
	ck_assert_msg(bt->n >= 2, "%s", bt->text);
	ck_assert_int_eq(bt->f[0].how, TR_FRAME_REGS);
	ck_assert_uint_eq(bt->f[0].valid, ALL_REGS);
	for (size_t i = 1; i < bt->n; i++) {
		ck_assert_msg(bt->f[i].how == TR_FRAME_CFI ||
			      (allow_guess && bt->f[i].how == TR_FRAME_GUESS),
			      "frame %zu not from CFI: %s", i, bt->text);
		ck_assert_msg(bt->f[i - 1].cfa == bt->f[i].regs[TR_UREG_RSP],
			      "frame %zu: cfa is not the caller's rsp: %s",
			      i - 1, bt->text);
		ck_assert(bt->f[i].valid & (1u << TR_UREG_RSP));
		ck_assert(bt->f[i].valid & (1u << TR_UREG_RA));
		if (!bt->f[i - 1].sigtramp)
			ck_assert_msg(bt->f[i].cfa == 0 ||
				      bt->f[i].cfa > bt->f[i - 1].cfa,
				      "frame %zu: cfa not growing: %s", i,
				      bt->text);
	}
}

static void
check_sane(const struct bt *bt)
{
	check_sane_how(bt, false);
}

/* After main: libc's __libc_start_call_main and __libc_start_main, then
 * the program's _start, and nothing else. */
static void
check_tail_after_main(const struct bt *bt, size_t main_at)
{
	ck_assert_msg(main_at != SIZE_MAX, "main not reached: %s", bt->text);
	ck_assert_msg(bt->n - main_at - 1 <= 3, "frames after main: %s",
		      bt->text);
	ck_assert_msg(named(bt, bt->n - 1, "_start"),
		      "_start not last: %s", bt->text);
	for (size_t i = main_at + 1; i + 1 < bt->n; i++)
		ck_assert_msg(in_module(bt, i, "libc.so.6"),
			      "frame %zu after main not in libc: %s", i,
			      bt->text);
}

static const char *
base(const char *path)
{
	const char *p = path ? strrchr(path, '/') : NULL;

	return p ? p + 1 : path;
}

/* main -> level1 -> level2 -> level3: names, call lines, the end. */
START_TEST(test_chain)
{
	const struct variant *v = &variants[_i];
	struct session s;
	struct bt bt;
	uint64_t addr;
	const char *want[] = { "level3", "level2", "level1", "main" };
	const char *line[] = { NULL, "call_l3", "call_l2", "call_l1" };

	start(&s, v->name, "chain");
	addr = resolve1(&s, "level3");
	ck_assert_int_eq(tr_bp_insert(s.te.t, addr), 0);
	cont_to_bp(&s, addr);
	take_bt(&s, 0, &bt);
	check_sane(&bt);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_msg(named(&bt, i, want[i]), "frame %zu is not %s: %s",
			      i, want[i], bt.text);
		ck_assert_str_eq(base(bt.loc[i].file), "nested.c");
		if (line[i])
			ck_assert_msg(bt.loc[i].line == marker_line(line[i]),
				      "frame %zu: line %u, expected %u: %s", i,
				      bt.loc[i].line, marker_line(line[i]),
				      bt.text);
		/* Callee-saved registers are known all the way up. */
		ck_assert_msg((bt.f[i].valid & 0xf048) == 0xf048,
			      "frame %zu: valid %#x", i, bt.f[i].valid);
	}
	if (!v->optimized)
		ck_assert_uint_eq(bt.loc[0].line, marker_line("l3_body"));
	/* Above the innermost frame, call-clobbered registers are not
	 * known. */
	ck_assert_uint_eq(bt.f[1].valid & (1u << TR_UREG_RAX), 0);
	check_tail_after_main(&bt, 3);
	cont_to_exit(&s, "nested: chain 8");
	stop(&s);
}
END_TEST

/*
 * Single-step from the entry of level3 until it has returned to level2:
 * through its prologue and epilogue, the PLT stub of getppid (a CFA
 * expression), the dynamic linker's lazy resolver and getppid in libc.
 * At every instruction the backtrace must hold level3, level2, level1,
 * main in order.
 */
START_TEST(test_step_through)
{
	const struct variant *v = &variants[_i];
	struct session s;
	struct tr_location loc;
	struct tr_event ev;
	static struct bt bt;
	struct tr_frame want; /* level2's frame, as first unwound */
	const uint32_t kept = (1u << TR_UREG_RSP) | (1u << TR_UREG_RA) |
			      0xf048; /* rbx rbp r12-r15 */
	uint64_t addr;
	unsigned steps = 0, plt = 0, ldso = 0, libc = 0;

	start(&s, v->name, "chain");
	ck_assert_int_eq(tr_debuginfo_describe(s.di, resolve1(&s, "level3"),
					       &loc), 0);
	addr = loc.func_lo;
	ck_assert_uint_ne(addr, 0);
	ck_assert_int_eq(tr_bp_insert(s.te.t, addr), 0);
	cont_to_bp(&s, addr);
	for (;;) {
		size_t i;

		take_bt(&s, 0, &bt);
		if (named(&bt, 0, "level2"))
			break;
		check_sane(&bt);
		i = find(&bt, 0, "level2");
		ck_assert_msg(i != SIZE_MAX && i >= 1 &&
			      named(&bt, i - 1, "level3") &&
			      named(&bt, i + 1, "level1") &&
			      named(&bt, i + 2, "main"),
			      "step %u: %s", steps, bt.text);
		check_tail_after_main(&bt, i + 2);
		/* level2 does not move while level3 runs: what is unwound
		 * of it must not either, whatever the code below saved
		 * where. */
		if (steps == 0)
			want = bt.f[i];
		ck_assert_uint_eq(bt.f[i].valid & kept, kept);
		for (unsigned r = 0; r < TR_UREG_COUNT; r++)
			ck_assert_msg(!((kept >> r) & 1) ||
				      bt.f[i].regs[r] == want.regs[r],
				      "step %u: level2's register %u: %#lx, "
				      "was %#lx: %s", steps, r,
				      (unsigned long)bt.f[i].regs[r],
				      (unsigned long)want.regs[r], bt.text);
		if (tr_symtab_in_plt(tr_debuginfo_symtab(s.di), bt.f[0].pc))
			plt++;
		if (in_module(&bt, 0, "ld-linux-x86-64.so.2"))
			ldso++;
		if (in_module(&bt, 0, "libc.so.6"))
			libc++;
		ck_assert_uint_lt(++steps, 20000);
		ck_assert_int_eq(tr_step(s.te.t, 0, 0, &ev), 0);
		ck_assert_int_eq(ev.reason, TR_STOP_STEP);
	}
	/* Back in level2, the real registers are what was unwound. */
	for (unsigned r = 0; r < TR_UREG_COUNT; r++)
		ck_assert_msg(!((kept >> r) & 1) ||
			      bt.f[0].regs[r] == want.regs[r],
			      "back in level2: register %u is %#lx, unwound "
			      "%#lx", r, (unsigned long)bt.f[0].regs[r],
			      (unsigned long)want.regs[r]);
	ck_assert_uint_gt(plt, 0);
	ck_assert_uint_gt(libc, 0);
	if (!getenv("LD_BIND_NOW"))
		ck_assert_uint_gt(ldso, 0); /* lazy binding: the resolver */
	cont_to_exit(&s, "nested: chain 8");
	stop(&s);
}
END_TEST

/* cmp_cb called back by libc's qsort (no debug info there): through
 * msort_with_tmp and qsort_r back to main. */
START_TEST(test_qsort)
{
	const struct variant *v = &variants[_i];
	struct session s;
	struct bt bt;
	uint64_t addr;
	size_t q;

	start(&s, v->name, "qsort");
	addr = resolve1(&s, "cmp_cb");
	ck_assert_int_eq(tr_bp_insert(s.te.t, addr), 0);
	cont_to_bp(&s, addr);
	take_bt(&s, 0, &bt);
	check_sane(&bt);
	ck_assert_msg(named(&bt, 0, "cmp_cb"), "%s", bt.text);
	/* qsort is a tail call to qsort_r: qsort_r is what is on the
	 * stack. */
	q = find(&bt, 1, "qsort_r");
	if (q == SIZE_MAX)
		q = find(&bt, 1, "qsort");
	ck_assert_msg(q != SIZE_MAX && q >= 2, "no qsort_r: %s", bt.text);
	for (size_t i = 1; i <= q; i++)
		ck_assert_msg(in_module(&bt, i, "libc.so.6"),
			      "frame %zu not in libc: %s", i, bt.text);
	ck_assert_msg(named(&bt, q + 1, "main"), "%s", bt.text);
	ck_assert_uint_eq(bt.loc[q + 1].line, marker_line("call_qsort"));
	check_tail_after_main(&bt, q + 1);
	ck_assert_int_eq(tr_bp_remove(s.te.t, addr), 0);
	cont_to_exit(&s, "nested: sorted 1 2 3 5 7 9");
	stop(&s);
}
END_TEST

/* A thread: in_thread -> thread_fn -> start_thread -> clone3, and the
 * end there; and every other thread back to its own start. */
START_TEST(test_thread)
{
	const struct variant *v = &variants[_i];
	struct session s;
	struct bt bt;
	struct tr_event ev;
	uint64_t addr;
	pid_t tids[8];
	size_t n;

	start(&s, v->name, "thread");
	addr = resolve1(&s, "in_thread");
	ck_assert_int_eq(tr_bp_insert(s.te.t, addr), 0);
	ev = cont_to_bp(&s, addr);
	ck_assert_int_ne(ev.tid, s.te.pid);
	take_bt(&s, ev.tid, &bt);
	check_sane(&bt);
	ck_assert_msg(named(&bt, 0, "in_thread") && named(&bt, 1, "thread_fn"),
		      "%s", bt.text);
	ck_assert_uint_eq(bt.loc[1].line, marker_line("call_in_thread"));
	/* start_thread and clone3, whose CFI marks the end. */
	ck_assert_msg(bt.n >= 3 && bt.n <= 5, "%s", bt.text);
	for (size_t i = 2; i < bt.n; i++)
		ck_assert_msg(in_module(&bt, i, "libc.so.6"), "%s", bt.text);

	ck_assert_int_eq(tr_threads(s.te.t, tids, 8, &n), 0);
	ck_assert_uint_eq(n, 2);
	for (size_t k = 0; k < n; k++) {
		take_bt(&s, tids[k], &bt);
		/* The main thread may be anywhere in pthread_create,
		 * including the instructions of clone3 that glibc leaves
		 * without CFI: a guess is allowed there. */
		check_sane_how(&bt, true);
		if (tids[k] == s.te.pid)
			check_tail_after_main(&bt, find(&bt, 0, "main"));
		else
			ck_assert_msg(named(&bt, 0, "in_thread"), "%s",
				      bt.text);
	}
	cont_to_exit(&s, "nested: thread 6");
	stop(&s);
}
END_TEST

/* A handler: on_usr1 -> __restore_rt (the signal trampoline) -> kill,
 * interrupted with every register saved -> raiser -> main. */
START_TEST(test_signal)
{
	const struct variant *v = &variants[_i];
	struct session s;
	struct bt bt;
	uint64_t addr;

	start(&s, v->name, "signal");
	addr = resolve1(&s, "on_usr1");
	ck_assert_int_eq(tr_bp_insert(s.te.t, addr), 0);
	cont_to_bp(&s, addr);
	take_bt(&s, 0, &bt);
	check_sane(&bt);
	ck_assert_msg(named(&bt, 0, "on_usr1"), "%s", bt.text);
	ck_assert_msg(in_module(&bt, 1, "libc.so.6") && bt.f[1].sigtramp &&
		      !bt.f[1].signal_frame, "%s", bt.text);
	ck_assert_msg(bt.f[2].signal_frame && named(&bt, 2, "kill"), "%s",
		      bt.text);
	/* The kernel saved the whole context: every register is known. */
	ck_assert_uint_eq(bt.f[2].valid, ALL_REGS);
	ck_assert_msg(named(&bt, 3, "raiser") && named(&bt, 4, "main"), "%s",
		      bt.text);
	ck_assert_uint_eq(bt.loc[3].line, marker_line("call_kill"));
	ck_assert_uint_eq(bt.loc[4].line, marker_line("call_raiser"));
	check_tail_after_main(&bt, 4);
	cont_to_exit(&s, "nested: signal 1");
	stop(&s);
}
END_TEST

/* ---- without a tracee ---------------------------------------------- */

/* A made-up stack: reads inside `stk`, and "code" at [0x1000, 0x4000),
 * where no module of this process is, made of call instructions (e8) so
 * that every address there looks like a return address. */
struct fake {
	uint64_t stk[32];
	unsigned reads;
};

static int
read_fake(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake *fk = ctx;
	uint64_t lo = (uint64_t)(uintptr_t)fk->stk;

	fk->reads++;
	if (addr >= 0x1000 && addr + len <= 0x4000) {
		memset(buf, 0xe8, len);
		return 0;
	}
	if (addr < lo || addr + len > lo + sizeof(fk->stk) || addr + len < addr)
		return -TR_EFAULT;
	memcpy(buf, (const uint8_t *)fk->stk + (addr - lo), len);
	return 0;
}

static uint64_t
at(struct fake *fk, int i)
{
	return (uint64_t)(uintptr_t)&fk->stk[i];
}

/* Frame pointer chain: [rbp] = caller's rbp, [rbp + 8] = return. */
static void
fake_chain(struct fake *fk, struct user_regs_struct *r)
{
	memset(fk, 0, sizeof(*fk));
	memset(r, 0, sizeof(*r));
	r->rip = 0x1111;
	r->rsp = at(fk, 0);
	r->rbp = at(fk, 2);
	fk->stk[2] = at(fk, 6);
	fk->stk[3] = 0x2222;
	fk->stk[6] = at(fk, 10);
	fk->stk[7] = 0x3333;
	fk->stk[10] = 0;
	fk->stk[11] = 0; /* a zero return address: the end */
}

START_TEST(test_fp_fallback)
{
	struct tr_debuginfo *di;
	struct tr_unwinder *u;
	struct tr_frame f[8];
	struct user_regs_struct r;
	static struct fake fk;
	size_t n;

	ck_assert_int_eq(tr_debuginfo_new(getpid(), &di), 0);
	ck_assert_int_eq(tr_unwinder_new(di, &u), 0);

	/* A good chain, to its end. */
	fake_chain(&fk, &r);
	ck_assert_int_eq(tr_backtrace(u, &r, read_fake, &fk, f, 8, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(f[0].pc, 0x1111);
	ck_assert_uint_eq(f[1].pc, 0x2222);
	ck_assert_uint_eq(f[2].pc, 0x3333);
	ck_assert_int_eq(f[0].how, TR_FRAME_REGS);
	ck_assert_int_eq(f[1].how, TR_FRAME_GUESS);
	ck_assert_int_eq(f[2].how, TR_FRAME_GUESS);
	ck_assert_uint_eq(f[0].cfa, at(&fk, 4));
	ck_assert_uint_eq(f[1].cfa, at(&fk, 8));
	ck_assert_uint_eq(f[1].regs[TR_UREG_RSP], at(&fk, 4));
	ck_assert_uint_eq(f[1].valid, (1u << TR_UREG_RBP) |
					      (1u << TR_UREG_RSP) |
					      (1u << TR_UREG_RA));
	ck_assert_uint_eq(tr_unwind_lookup_pc(&f[0]), 0x1111);
	ck_assert_uint_eq(tr_unwind_lookup_pc(&f[1]), 0x2221);

	/* Not enough room. */
	ck_assert_int_eq(tr_backtrace(u, &r, read_fake, &fk, f, 2, &n),
			 -TR_ERANGE);
	ck_assert_uint_eq(n, 2);

	/* A chain pointing back down (a loop): stop there. */
	fake_chain(&fk, &r);
	fk.stk[6] = at(&fk, 2);
	ck_assert_int_eq(tr_backtrace(u, &r, read_fake, &fk, f, 8, &n),
			 -TR_EINVAL);
	ck_assert_uint_eq(n, 3);

	/* A pointing-to-itself frame pointer. */
	fake_chain(&fk, &r);
	fk.stk[2] = at(&fk, 2);
	ck_assert_int_eq(tr_backtrace(u, &r, read_fake, &fk, f, 8, &n),
			 -TR_EINVAL);
	ck_assert_uint_eq(n, 2);

	/* Misaligned. */
	fake_chain(&fk, &r);
	fk.stk[6] = at(&fk, 10) + 3;
	ck_assert_int_eq(tr_backtrace(u, &r, read_fake, &fk, f, 8, &n),
			 -TR_EINVAL);
	ck_assert_uint_eq(n, 3);

	/* Unreadable. */
	fake_chain(&fk, &r);
	fk.stk[6] = at(&fk, 31) + 4096;
	ck_assert_int_eq(tr_backtrace(u, &r, read_fake, &fk, f, 8, &n),
			 -TR_EFAULT);
	ck_assert_uint_eq(n, 3);

	/* rbp 0: the end of the chain. */
	fake_chain(&fk, &r);
	r.rbp = 0;
	ck_assert_int_eq(tr_backtrace(u, &r, read_fake, &fk, f, 8, &n), 0);
	ck_assert_uint_eq(n, 1);

	/* A return address that does not follow a call: not taken. */
	fake_chain(&fk, &r);
	fk.stk[3] = 0x5000;
	ck_assert_int_eq(tr_backtrace(u, &r, read_fake, &fk, f, 8, &n),
			 -TR_EINVAL);
	ck_assert_uint_eq(n, 1);

	/* A call through a NULL pointer: pc unreadable, the return
	 * address on top of the stack (it follows a call: taken before the
	 * frame pointer); callee-saved registers survive. */
	fake_chain(&fk, &r);
	r.rip = 0;
	r.rsp = at(&fk, 1);
	fk.stk[1] = 0x2222;
	r.rbp = at(&fk, 6);
	r.rbx = 77;
	r.rax = 5;
	ck_assert_int_eq(tr_backtrace(u, &r, read_fake, &fk, f, 8, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(f[0].pc, 0);
	ck_assert_uint_eq(f[0].cfa, at(&fk, 2));
	ck_assert_uint_eq(f[1].pc, 0x2222);
	ck_assert_uint_eq(f[1].regs[TR_UREG_RSP], at(&fk, 2));
	ck_assert_uint_eq(f[1].regs[TR_UREG_RBX], 77);
	ck_assert(f[1].valid & (1u << TR_UREG_RBX));
	ck_assert(!(f[1].valid & (1u << TR_UREG_RAX)));
	ck_assert_uint_eq(f[2].pc, 0x3333);

	tr_unwinder_free(u);
	tr_debuginfo_free(di);
}
END_TEST

/* This very process, from getcontext(): the unwinder on the test binary
 * as built (sanitizers included) and the libraries it uses, to _start. */
static int
read_self(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	(void)ctx;
	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) ==
			       (ssize_t)len
		       ? 0
		       : -TR_EFAULT;
}

static volatile int self_sink;

/* Unwind from `uc`, whose frames are still live (the caller of this
 * function is the one getcontext() returned to). */
__attribute__((noinline)) static void
self_check(ucontext_t *uc)
{
	struct tr_debuginfo *di;
	struct tr_unwinder *u;
	struct user_regs_struct r;
	static struct bt bt;
	const greg_t *g = uc->uc_mcontext.gregs;

	memset(&r, 0, sizeof(r));
	r.rax = (uint64_t)g[REG_RAX];
	r.rdx = (uint64_t)g[REG_RDX];
	r.rcx = (uint64_t)g[REG_RCX];
	r.rbx = (uint64_t)g[REG_RBX];
	r.rsi = (uint64_t)g[REG_RSI];
	r.rdi = (uint64_t)g[REG_RDI];
	r.rbp = (uint64_t)g[REG_RBP];
	r.rsp = (uint64_t)g[REG_RSP];
	r.r8 = (uint64_t)g[REG_R8];
	r.r9 = (uint64_t)g[REG_R9];
	r.r10 = (uint64_t)g[REG_R10];
	r.r11 = (uint64_t)g[REG_R11];
	r.r12 = (uint64_t)g[REG_R12];
	r.r13 = (uint64_t)g[REG_R13];
	r.r14 = (uint64_t)g[REG_R14];
	r.r15 = (uint64_t)g[REG_R15];
	r.rip = (uint64_t)g[REG_RIP];

	ck_assert_int_eq(tr_debuginfo_new(getpid(), &di), 0);
	ck_assert_int_eq(tr_unwinder_new(di, &u), 0);
	bt.rc = tr_backtrace(u, &r, read_self, NULL, bt.f, MAXF, &bt.n);
	bt_describe(di, &bt);
	check_sane(&bt);
	ck_assert_msg(named(&bt, 0, "self_l2") && named(&bt, 1, "self_l1") &&
		      named(&bt, 2, "test_self_fn"), "%s", bt.text);
	ck_assert_msg(find(&bt, 3, "main") != SIZE_MAX, "%s", bt.text);
	ck_assert_msg(named(&bt, bt.n - 1, "_start"), "%s", bt.text);
	tr_unwinder_free(u);
	tr_debuginfo_free(di);
}

__attribute__((noinline, noclone)) static int
self_l2(void)
{
	ucontext_t uc;

	getcontext(&uc);
	self_check(&uc);
	self_sink++;
	return self_sink;
}

__attribute__((noinline, noclone)) static int
self_l1(void)
{
	int r = self_l2();

	self_sink++;
	return r;
}

START_TEST(test_self)
{
	ck_assert_int_gt(self_l1(), 0);
}
END_TEST

Suite *
suite_unwind(void)
{
	Suite *s = suite_create("unwind");
	TCase *tc = tcase_create("programs");
	TCase *tl = tcase_create("local");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_chain, 0, NVARIANTS);
	tcase_add_loop_test(tc, test_step_through, 0, NVARIANTS);
	tcase_add_loop_test(tc, test_qsort, 0, NVARIANTS);
	tcase_add_loop_test(tc, test_thread, 0, NVARIANTS);
	tcase_add_loop_test(tc, test_signal, 0, NVARIANTS);
	suite_add_tcase(s, tc);
	tcase_add_test(tl, test_fp_fallback);
	tcase_add_test(tl, test_self);
	suite_add_tcase(s, tl);
	return s;
}
