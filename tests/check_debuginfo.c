/* check_debuginfo.c: symbols, DWARF index, location specs and user breakpoints on real programs. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control/breakpoint.h"
#include "helpers.h"
#include "symbols/debuginfo.h"
#include "control/stepping.h"
#include "suites.h"
#include "symbols/unwind.h"
#include "control/backtrace.h"
#include "target/tracer.h"

#ifndef TRACEE_DIR
#error TRACEE_DIR must name the directory of the tracee programs
#endif
#ifndef TRACEE_SRC_DIR
#error TRACEE_SRC_DIR must name the directory of the tracee sources
#endif

/* The four builds of tests/tracees/prog.c. */
static const struct variant {
	const char *name;
	bool optimized;
	bool pie;
} variants[] = {
	{ "prog-O0", false, true },
	{ "prog-O2", true, true },
	{ "prog-O0-nopie", false, false },
	{ "prog-O2-nopie", true, false },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

struct session {
	struct tr_tracer *t;
	struct tr_debuginfo *di;
	pid_t pid;
	int out;  /* read end of the program's stdout */
};

static void
start(struct session *s, const char *prog, const char *arg)
{
	char path[512];
	char *argv[3];
	int fds[2];
	struct tr_launch l = { .stdin_fd = -1, .stderr_fd = -1 };

	snprintf(path, sizeof(path), "%s/%s", TRACEE_DIR, prog);
	argv[0] = path;
	argv[1] = (char *)arg;
	argv[2] = NULL;
	ck_assert_int_eq(pipe(fds), 0);
	l.path = path;
	l.argv = argv;
	l.stdout_fd = fds[1];
	ck_assert_int_eq(tr_tracer_new(NULL, &s->t), 0);
	ck_assert_int_eq(tr_launch(s->t, &l, &s->pid), 0);
	close(fds[1]);
	s->out = fds[0];
	ck_assert_int_eq(tr_debuginfo_new(s->pid, &s->di), 0);
}

static void
stop(struct session *s)
{
	tr_debuginfo_free(s->di);
	tr_tracer_free(s->t);
	close(s->out);
}

/* Everything the program printed, once it has exited. */
static void
output(struct session *s, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < len && (n = read(s->out, buf + got, len - got - 1)) > 0)
		got += (size_t)n;
	buf[got] = 0;
}

static uint64_t
resolve1(struct session *s, const char *spec)
{
	uint64_t a[8];
	size_t n = 0;
	int err = tr_debuginfo_resolve(s->di, spec, a, 8, &n);

	ck_assert_msg(err == 0, "resolve %s: %s", spec, tr_strerror(err));
	ck_assert_msg(n == 1, "resolve %s: %zu locations", spec, n);
	return a[0];
}

static void
cont_expect_bp(struct session *s, uint32_t id, uint64_t addr)
{
	struct tr_event ev;

	ck_assert_int_eq(tr_cont(s->t, 0, 0, &ev), 0);
	ck_assert_msg(ev.type == TR_EV_STOP && ev.reason == TR_STOP_BREAKPOINT,
		      "expected a breakpoint stop, got %s/%s",
		      tr_event_type_name(ev.type),
		      tr_stop_reason_name(ev.reason));
	ck_assert_uint_eq(ev.bpnum, id);
	ck_assert_uint_eq(ev.pc, addr);
	ck_assert_uint_eq(ev.addr, addr);
}

static uint32_t
brk_at(struct session *s, uint64_t addr)
{
	uint32_t id = 0;

	ck_assert_int_eq(tr_break_set(s->t, &addr, 1, NULL, &id), 0);
	ck_assert_uint_gt(id, 0);
	return id;
}

static void
cont_to_exit(struct session *s, int status)
{
	struct tr_event ev;

	ck_assert_int_eq(tr_cont(s->t, 0, 0, &ev), 0);
	ck_assert_str_eq(tr_event_type_name(ev.type), "exit");
	ck_assert_int_eq(ev.status, status);
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* Symbols: the executable, PIE or not, and libc (IFUNCs, stripped). */
START_TEST(test_symbols)
{
	const struct variant *v = &variants[_i];
	struct session s;
	struct tr_sym sym, back;
	uint64_t off;
	const struct tr_module *exe = NULL;

	start(&s, v->name, NULL);
	for (size_t i = 0; i < tr_symtab_nmodules(tr_debuginfo_symtab(s.di));
	     i++) {
		const struct tr_module *m =
			tr_symtab_module(tr_debuginfo_symtab(s.di), i);

		if (m->is_exec)
			exe = m;
	}
	ck_assert_ptr_nonnull(exe);
	ck_assert(ends_with(exe->path, v->name));
	ck_assert_int_eq(exe->pie, v->pie);
	if (!v->pie)
		ck_assert_uint_eq(exe->bias, 0);
	else
		ck_assert_uint_ne(exe->bias, 0);

	ck_assert_int_eq(tr_symtab_lookup(tr_debuginfo_symtab(s.di),
					  "compute_sum", &sym), 0);
	ck_assert_int_eq(sym.kind, TR_SYM_FUNC);
	ck_assert_ptr_eq(sym.module, exe);
	ck_assert_uint_ge(sym.addr, exe->lo);
	ck_assert_uint_lt(sym.addr, exe->hi);
	ck_assert_int_eq(tr_symtab_addr(tr_debuginfo_symtab(s.di),
					sym.addr + 3, &back, &off), 0);
	ck_assert_str_eq(back.name, "compute_sum");
	ck_assert_uint_eq(off, 3);
	ck_assert_int_eq(tr_symtab_lookup(tr_debuginfo_symtab(s.di),
					  "no_such_symbol_anywhere", &sym),
			 -TR_ENOENT);

	/* libc is mapped once the program runs: break at main, refresh. */
	{
		uint64_t m = resolve1(&s, "main");

		cont_expect_bp(&s, brk_at(&s, m), m);
	}
	ck_assert_int_eq(tr_debuginfo_refresh(s.di, NULL), 0);
	ck_assert_int_eq(tr_symtab_lookup(tr_debuginfo_symtab(s.di),
					  "libc.so.6:strlen", &sym), 0);
	ck_assert_int_eq(sym.kind, TR_SYM_IFUNC);
	ck_assert_str_eq(sym.module->name, "libc.so.6");
	ck_assert_int_eq(tr_symtab_lookup(tr_debuginfo_symtab(s.di),
					  "libc:malloc", &sym), 0);
	ck_assert_int_eq(sym.kind, TR_SYM_FUNC);
	stop(&s);
}
END_TEST

/* break FUNCTION lands where gdb puts it and is hit there, with the
 * argument in rdi. */
START_TEST(test_function_breakpoint)
{
	const struct variant *v = &variants[_i];
	struct session s;
	struct tr_location loc;
	struct user_regs_struct regs;
	uint64_t addr;
	uint32_t id;
	char out[256];

	start(&s, v->name, "5");
	addr = resolve1(&s, "compute_sum");
	ck_assert_int_eq(tr_debuginfo_describe(s.di, addr, &loc), 0);
	ck_assert_str_eq(loc.function, "compute_sum");
	ck_assert_ptr_nonnull(loc.file);
	ck_assert(ends_with(loc.file, "prog.c"));
	if (!v->optimized) {
		/* -O0: past the prologue, on the first line of the body. */
		ck_assert_uint_eq(loc.line, tracee_marker_line("prog.c", "sum_first"));
		ck_assert_uint_gt(loc.offset, 0);
	} else {
		/* -O2: frameless, gdb breaks at the entry. */
		ck_assert_uint_eq(loc.offset, 0);
	}
	id = brk_at(&s, addr);
	cont_expect_bp(&s, id, addr);
	ck_assert_int_eq(tr_regs_get(s.t, 0, &regs), 0);
	ck_assert_uint_eq(regs.rdi & 0xffffffff, 5);
	cont_to_exit(&s, 0);
	output(&s, out, sizeof(out));
	ck_assert_str_eq(out, "prog: sum 70 leaf 12 lib 71 iterations 5\n");
	stop(&s);
}
END_TEST

/* break FILE:LINE in a loop is hit exactly once per iteration (-O0),
 * and describes back to that line. */
START_TEST(test_line_breakpoint_in_loop)
{
	struct session s;
	struct tr_location loc;
	unsigned line = tracee_marker_line("prog.c", "sum_loop");
	char spec[64];
	uint64_t addr;
	uint32_t id;
	int hits = 0;
	struct tr_event ev;

	start(&s, variants[_i].name, "7");
	snprintf(spec, sizeof(spec), "prog.c:%u", line);
	addr = resolve1(&s, spec);
	ck_assert_int_eq(tr_debuginfo_describe(s.di, addr, &loc), 0);
	ck_assert_uint_eq(loc.line, line);
	ck_assert_str_eq(loc.function, "compute_sum");
	id = brk_at(&s, addr);
	for (;;) {
		ck_assert_int_eq(tr_cont(s.t, 0, 0, &ev), 0);
		if (ev.type != TR_EV_STOP)
			break;
		ck_assert_int_eq(ev.reason, TR_STOP_BREAKPOINT);
		ck_assert_uint_eq(ev.bpnum, id);
		hits++;
	}
	ck_assert_int_eq(ev.type, TR_EV_EXIT);
	ck_assert_int_eq(hits, 7);
	stop(&s);
}
END_TEST

/* A shared library of the program's own: by name and qualified. */
START_TEST(test_shared_library)
{
	const struct variant *v = &variants[_i];
	struct session s;
	struct tr_location loc;
	struct user_regs_struct regs;
	uint64_t addr, qaddr;
	uint32_t id;
	bool changed = false;

	start(&s, v->name, "4");
	/* Not loaded yet at the exec stop. */
	{
		uint64_t a[2];
		size_t n;

		ck_assert_int_eq(tr_debuginfo_resolve(s.di, "tshared_add", a, 2,
						      &n), -TR_ENOENT);
	}
	id = brk_at(&s, resolve1(&s, "main"));
	cont_expect_bp(&s, id, resolve1(&s, "main"));
	ck_assert_int_eq(tr_debuginfo_refresh(s.di, &changed), 0);
	ck_assert(changed);
	addr = resolve1(&s, "tshared_add");
	qaddr = resolve1(&s, "libtshared.so:tshared_add");
	ck_assert_uint_eq(addr, qaddr);
	ck_assert_int_eq(tr_debuginfo_describe(s.di, addr, &loc), 0);
	ck_assert_str_eq(loc.module->name, "libtshared.so");
	ck_assert_str_eq(loc.function, "tshared_add");
	ck_assert(ends_with(loc.file, "tshared.c"));
	ck_assert_uint_eq(loc.line, tracee_marker_line("tshared.c", "tshared_body"));
	id = brk_at(&s, addr);
	cont_expect_bp(&s, id, addr);
	ck_assert_int_eq(tr_regs_get(s.t, 0, &regs), 0);
	/* tshared_add(sum, 1) with sum = 7 * (0 + 1 + 2 + 3) */
	ck_assert_uint_eq(regs.rdi & 0xffffffff, 42);
	ck_assert_uint_eq(regs.rsi & 0xffffffff, 1);
	cont_to_exit(&s, 0);
	stop(&s);
}
END_TEST

static int
cond_rdi_is(struct tr_tracer *t, pid_t tid, uint64_t addr, void *ctx)
{
	struct user_regs_struct r;
	int err = tr_direct_regs_get(t, tid, &r);

	(void)addr;
	if (err)
		return err;
	return (r.rdi & 0xffffffff) == *(unsigned *)ctx;
}

/* Enable/disable, ignore counts, conditions, temporary breakpoints and
 * hit counts, on the loop line. */
START_TEST(test_breakpoint_controls)
{
	struct session s;
	char spec[64];
	uint64_t addr, leaf;
	uint32_t id, tid_leaf, ids[8];
	size_t n;
	struct tr_event ev;
	struct tr_break_info info;
	unsigned want = 6;
	struct tr_break_opts cond = { .cond = cond_rdi_is, .cond_ctx = &want };
	struct tr_break_opts temp = { .temporary = true };

	start(&s, "prog-O0", "10");
	snprintf(spec, sizeof(spec), "prog.c:%u",
		 tracee_marker_line("prog.c", "sum_loop"));
	addr = resolve1(&s, spec);
	leaf = resolve1(&s, "leaf");

	/* Disabled: never stops; the int3 is not even in memory. */
	{
		struct tr_break_opts off = { .disabled = true };
		uint8_t byte, orig;

		ck_assert_int_eq(tr_break_set(s.t, &addr, 1, &off, &id), 0);
		ck_assert_int_eq(tr_debuginfo_read_code(s.di, addr, &orig, 1), 0);
		ck_assert_int_eq(tr_mem_read(s.t, addr, &byte, 1, NULL), 0);
		ck_assert_uint_eq(byte, orig);
	}
	/* Ignore the first 3 hits, then stop at the 4th (i == 3). */
	ck_assert_int_eq(tr_break_ignore(s.t, id, 3), 0);
	ck_assert_int_eq(tr_break_enable(s.t, id, true), 0);
	cont_expect_bp(&s, id, addr);
	ck_assert_int_eq(tr_break_info(s.t, id, &info, NULL, 0), 0);
	ck_assert_uint_eq(info.hits, 4);
	ck_assert_uint_eq(info.ignore_count, 0);
	ck_assert(info.enabled);
	ck_assert_uint_eq(info.nlocs, 1);
	ck_assert_int_eq(tr_break_delete(s.t, id), 0);
	ck_assert_int_eq(tr_break_delete(s.t, id), -TR_ENOENT);

	/* A temporary breakpoint on leaf goes away after its stop. */
	ck_assert_int_eq(tr_break_set(s.t, &leaf, 1, &temp, &tid_leaf), 0);
	cont_expect_bp(&s, tid_leaf, leaf);
	ck_assert_int_eq(tr_break_info(s.t, tid_leaf, &info, NULL, 0),
			 -TR_ENOENT);
	ck_assert_int_eq(tr_break_list(s.t, ids, 8, &n), 0);
	ck_assert_uint_eq(n, 0);
	cont_to_exit(&s, 0);
	stop(&s);

	/* A condition evaluated on the tracer thread: stop only when
	 * compute_sum is called with n == 6. */
	start(&s, "prog-O0", "6");
	addr = resolve1(&s, "compute_sum");
	ck_assert_int_eq(tr_break_set(s.t, &addr, 1, &cond, &id), 0);
	cont_expect_bp(&s, id, addr);
	ck_assert_int_eq(tr_break_info(s.t, id, &info, NULL, 0), 0);
	ck_assert(info.has_cond);
	ck_assert_uint_eq(info.hits, 1);
	cont_to_exit(&s, 0);
	stop(&s);

	/* The same condition false: the program runs to its end. */
	start(&s, "prog-O0", "3");
	addr = resolve1(&s, "compute_sum");
	ck_assert_int_eq(tr_break_set(s.t, &addr, 1, &cond, &id), 0);
	ck_assert_int_eq(tr_cont(s.t, 0, 0, &ev), 0);
	ck_assert_int_eq(ev.type, TR_EV_EXIT);
	stop(&s);
}
END_TEST

/* Specs that name nothing, or nothing well formed. */
START_TEST(test_bad_specs)
{
	struct session s;
	uint64_t a[4];
	size_t n;

	start(&s, "prog-O0", NULL);
	ck_assert_int_eq(tr_debuginfo_resolve(s.di, "no_such_function", a, 4,
					      &n), -TR_ENOENT);
	ck_assert_int_eq(tr_debuginfo_resolve(s.di, "prog.c:0", a, 4, &n),
			 -TR_EINVAL);
	ck_assert_int_eq(tr_debuginfo_resolve(s.di, "nosuchfile.c:10", a, 4,
					      &n), -TR_ENOENT);
	ck_assert_int_eq(tr_debuginfo_resolve(s.di, "*0xzz", a, 4, &n),
			 -TR_EINVAL);
	ck_assert_int_eq(tr_debuginfo_resolve(s.di, "", a, 4, &n),
			 -TR_EINVAL);
	ck_assert_int_eq(tr_debuginfo_resolve(s.di, "*0x1000", a, 4, &n), 0);
	ck_assert_uint_eq(a[0], 0x1000);
	/* A breakpoint at an unmapped address fails cleanly. */
	ck_assert_int_eq(tr_break_set(s.t, a, 1, NULL, NULL), -TR_EFAULT);
	stop(&s);
}
END_TEST

/* The lines `step` and `next` land on, as gdb 13 lands (checked against
 * it on these programs with separate libc debug info out of reach:
 * without line information libc is stepped over, and stepping out of
 * main ends in __libc_start_call_main, which has no lines). */
static const char *const step_o0[] = {
	"main_n", "main_s", "sum_first", "sum_for", "sum_loop", "sum_for",
	"sum_loop", "sum_for", "sum_loop", "sum_for", "sum_counter", "sum_ret",
	"sum_end", "main_printf", "@tshared_body", "@tshared_ret",
	"@tshared_end", "leaf_body", "leaf_end", "main_ret", "main_end", "",
	NULL,
};
static const char *const next_o0[] = {
	"main_n", "main_s", "main_printf", "main_ret", "main_end", "", NULL,
};
/* -O2: atoi is inlined into main's first line; next steps over it. */
static const char *const next_o2[] = {
	"main_s", "main_printf", "main_ret", "", NULL,
};

/* Line of a marker: "name" in prog.c, "@name" in tshared.c, "" no line. */
static unsigned
expected_line(const char *m)
{
	if (!*m)
		return 0;
	if (*m == '@')
		return tracee_marker_line("tshared.c", m + 1);
	return tracee_marker_line("prog.c", m);
}

static void
run_steps(const char *prog, bool over, const char *const *want)
{
	struct session s;
	struct tr_event ev;
	struct tr_location loc;
	uint64_t m;

	start(&s, prog, "3");
	m = resolve1(&s, "main");
	cont_expect_bp(&s, brk_at(&s, m), m);
	for (int i = 0; want[i]; i++) {
		ck_assert_int_eq(tr_step_line(s.t, s.di, 0, over, &ev), 0);
		ck_assert_msg(ev.type == TR_EV_STOP && ev.reason == TR_STOP_STEP,
			      "%s %s #%d: stopped by %s/%s", prog,
			      over ? "next" : "step", i,
			      tr_event_type_name(ev.type),
			      tr_stop_reason_name(ev.reason));
		ck_assert_int_eq(tr_debuginfo_describe(s.di, ev.pc, &loc), 0);
		ck_assert_msg(loc.line == expected_line(want[i]),
			      "%s %s #%d: line %u, expected %u (%s)", prog,
			      over ? "next" : "step", i, loc.line,
			      expected_line(want[i]), want[i]);
	}
	/* One more from libc: the program runs to its end. */
	ck_assert_int_eq(tr_step_line(s.t, s.di, 0, over, &ev), 0);
	ck_assert_int_eq(ev.type, TR_EV_EXIT);
	stop(&s);
}

START_TEST(test_step_next_o0)
{
	const char *prog = _i ? "prog-O0-nopie" : "prog-O0";

	run_steps(prog, false, step_o0);
	run_steps(prog, true, next_o0);
}
END_TEST

/* -O2: the loop and the calls are still stepped into in order. */
START_TEST(test_step_o2)
{
	struct session s;
	struct tr_event ev;
	struct tr_location loc;
	const char *const order[] = { "sum_loop", "@tshared_body", "leaf_body",
				      NULL };
	int k = 0;
	uint64_t m;

	run_steps(_i ? "prog-O2-nopie" : "prog-O2", true, next_o2);
	start(&s, _i ? "prog-O2-nopie" : "prog-O2", "3");
	m = resolve1(&s, "main");
	cont_expect_bp(&s, brk_at(&s, m), m);
	for (int i = 0; i < 60; i++) {
		ck_assert_int_eq(tr_step_line(s.t, s.di, 0, false, &ev), 0);
		if (ev.type != TR_EV_STOP)
			break;
		ck_assert_int_eq(ev.reason, TR_STOP_STEP);
		ck_assert_int_eq(tr_debuginfo_describe(s.di, ev.pc, &loc), 0);
		if (order[k] && loc.line == expected_line(order[k]) &&
		    ends_with(loc.file, order[k][0] == '@' ? "tshared.c"
							   : "prog.c"))
			k++;
	}
	ck_assert_int_eq(ev.type, TR_EV_EXIT);
	ck_assert_msg(order[k] == NULL, "never stepped to %s", order[k]);
	stop(&s);
}
END_TEST

/* finish: back in the caller at the call's line, with the return value
 * in rax, twice up the chain level3 -> level2 -> level1. */
START_TEST(test_finish)
{
	struct session s;
	struct tr_unwinder *u;
	struct tr_event ev;
	struct tr_location loc;
	struct user_regs_struct regs;
	uint64_t a;
	const char *prog = _i ? "nested-O2" : "nested-O0";

	start(&s, prog, "chain");
	ck_assert_int_eq(tr_unwinder_new(s.di, &u), 0);
	a = resolve1(&s, "main");
	cont_expect_bp(&s, brk_at(&s, a), a);
	ck_assert_int_eq(tr_debuginfo_refresh(s.di, NULL), 0);
	a = resolve1(&s, "level3");
	cont_expect_bp(&s, brk_at(&s, a), a);

	ck_assert_int_eq(tr_finish(s.t, s.di, u, 0, 0, &ev, &regs, NULL), 0);
	ck_assert_int_eq(ev.type, TR_EV_STOP);
	ck_assert_int_eq(ev.reason, TR_STOP_FINISH);
	ck_assert_int_eq(tr_debuginfo_describe(s.di, ev.pc, &loc), 0);
	ck_assert_str_eq(loc.function, "level2");
	/* level1(1) -> level2(2) -> level3(3) returns 6 */
	ck_assert_uint_eq(regs.rax & 0xffffffff, 6);
	{
		char val[64];
		struct user_fpregs_struct fp;

		ck_assert_int_eq(tr_fpregs_get(s.t, 0, &fp), 0);
		ck_assert_int_eq(tr_return_value(s.t, s.di, resolve1(&s, "level3"),
						 &regs, &fp, val, sizeof(val)), 0);
		ck_assert_str_eq(val, "6");
	}
	if (!_i)
		ck_assert_uint_eq(loc.line, tracee_marker_line("nested.c", "call_l3"));

	ck_assert_int_eq(tr_finish(s.t, s.di, u, 0, 0, &ev, &regs, NULL), 0);
	ck_assert_int_eq(ev.reason, TR_STOP_FINISH);
	ck_assert_int_eq(tr_debuginfo_describe(s.di, ev.pc, &loc), 0);
	ck_assert_str_eq(loc.function, "level1");
	ck_assert_uint_eq(regs.rax & 0xffffffff, 7);
	cont_to_exit(&s, 0);
	tr_unwinder_free(u);
	stop(&s);
}
END_TEST

/* A breakpoint on a library loaded later (dlopen) is pending until the
 * dynamic linker maps it, then planted and hit, with no stop for the
 * library event itself. */
START_TEST(test_pending_breakpoint)
{
	struct tr_tracer *t;
	struct tr_event ev;
	struct tr_break_info info;
	struct user_regs_struct regs;
	char prog[512], lib[512];
	char *argv[] = { prog, lib, NULL };
	struct tr_launch l = { .path = prog, .argv = argv, .stdin_fd = -1,
			       .stdout_fd = -1, .stderr_fd = -1 };
	uint32_t id, line_id;
	uint64_t loc;
	pid_t pid;
	char spec[64];

	snprintf(prog, sizeof(prog), "%s/dl", TRACEE_DIR);
	snprintf(lib, sizeof(lib), "%s/libtshared.so", TRACEE_DIR);
	l.stdout_fd = open("/dev/null", O_WRONLY);
	ck_assert_int_eq(tr_tracer_new(NULL, &t), 0);
	ck_assert_int_eq(tr_launch(t, &l, &pid), 0);
	close(l.stdout_fd);
	ck_assert_int_eq(tr_break_set_spec(t, "tshared_add", NULL, &id), 0);
	ck_assert_int_eq(tr_break_info(t, id, &info, NULL, 0), 0);
	ck_assert_uint_eq(info.nlocs, 0); /* pending */
	snprintf(spec, sizeof(spec), "tshared.c:%u",
		 tracee_marker_line("tshared.c", "tshared_ret"));
	ck_assert_int_eq(tr_break_set_spec(t, spec, NULL, &line_id), 0);
	ck_assert_int_eq(tr_break_set_spec(t, "prog.c:", NULL, NULL),
			 -TR_EINVAL);

	ck_assert_int_eq(tr_cont(t, 0, 0, &ev), 0);
	ck_assert_msg(ev.type == TR_EV_STOP && ev.reason == TR_STOP_BREAKPOINT,
		      "got %s/%s", tr_event_type_name(ev.type),
		      tr_stop_reason_name(ev.reason));
	ck_assert_uint_eq(ev.bpnum, id);
	ck_assert_int_eq(tr_break_info(t, id, &info, &loc, 1), 0);
	ck_assert_uint_eq(info.nlocs, 1);
	ck_assert_uint_eq(ev.pc, loc);
	ck_assert_int_eq(tr_regs_get(t, 0, &regs), 0);
	ck_assert_uint_eq(regs.rdi & 0xffffffff, 20);
	ck_assert_uint_eq(regs.rsi & 0xffffffff, 22);
	ck_assert_int_eq(tr_cont(t, 0, 0, &ev), 0);
	ck_assert_int_eq(ev.reason, TR_STOP_BREAKPOINT);
	ck_assert_uint_eq(ev.bpnum, line_id);
	ck_assert_int_eq(tr_cont(t, 0, 0, &ev), 0);
	ck_assert_int_eq(ev.type, TR_EV_EXIT);
	ck_assert_int_eq(ev.status, 0);
	tr_tracer_free(t);
}
END_TEST

/* A library closed and opened again at the same address
 * (gdb.base/unload.exp): the breakpoint in it is hit in each round, the
 * int3 planted again in the new mapping; a raw site (the GDB protocol's
 * Z0) is planted again when inserted again. */
START_TEST(test_breakpoint_library_reloaded)
{
	struct tr_tracer *t;
	struct tr_event ev;
	struct user_regs_struct regs;
	char prog[512], lib[512], rounds[] = "3";
	char *argv[] = { prog, lib, rounds, NULL };
	struct tr_launch l = { .path = prog, .argv = argv, .stdin_fd = -1,
			       .stdout_fd = -1, .stderr_fd = -1 };
	uint64_t first = 0;
	uint32_t id;
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/dl", TRACEE_DIR);
	snprintf(lib, sizeof(lib), "%s/libtshared.so", TRACEE_DIR);
	l.stdout_fd = open("/dev/null", O_WRONLY);
	ck_assert_int_eq(tr_tracer_new(NULL, &t), 0);
	ck_assert_int_eq(tr_launch(t, &l, &pid), 0);
	close(l.stdout_fd);
	ck_assert_int_eq(tr_break_set_spec(t, "tshared_add", NULL, &id), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(tr_cont(t, 0, 0, &ev), 0);
		ck_assert_msg(ev.type == TR_EV_STOP &&
			      ev.reason == TR_STOP_BREAKPOINT,
			      "round %d: got %s/%s", i,
			      tr_event_type_name(ev.type),
			      tr_stop_reason_name(ev.reason));
		ck_assert_uint_eq(ev.bpnum, id);
		ck_assert_int_eq(tr_regs_get(t, 0, &regs), 0);
		ck_assert_uint_eq(regs.rsi & 0xffffffff, 22 + (unsigned)i);
		if (i == 0) {
			first = ev.pc;
			/* a raw site at the same place, as gdb's Z0 */
			ck_assert_int_eq(tr_bp_insert(t, ev.pc), 0);
		} else {
			/* the library came back where it was (the test
			 * means nothing otherwise) */
			ck_assert_uint_eq(ev.pc, first);
			ck_assert_int_eq(tr_bp_insert(t, ev.pc), -TR_EEXIST);
		}
	}
	ck_assert_int_eq(tr_cont(t, 0, 0, &ev), 0);
	ck_assert_int_eq(ev.type, TR_EV_EXIT);
	ck_assert_int_eq(ev.status, 0);
	tr_tracer_free(t);
}
END_TEST

/* A backtrace with arguments, as gdb's bt shows it; at -O2 an argument
 * is its value or <optimized out>, never a wrong value. */
START_TEST(test_backtrace_args)
{
	struct session s;
	struct tr_unwinder *u;
	struct tr_bt_frame f[16];
	size_t n = 0;
	uint64_t a;
	const char *const fn[] = { "level3", "level2", "level1", "main" };
	const char *const x[] = { "3", "2", "1" };
	bool optimized = _i == 1;

	start(&s, optimized ? "nested-O2" : "nested-O0", "chain");
	ck_assert_int_eq(tr_unwinder_new(s.di, &u), 0);
	a = resolve1(&s, "main");
	cont_expect_bp(&s, brk_at(&s, a), a);
	a = resolve1(&s, "level3");
	cont_expect_bp(&s, brk_at(&s, a), a);
	ck_assert_int_eq(tr_backtrace_thread(s.t, s.di, u, 0, f, 16, &n), 0);
	ck_assert_uint_ge(n, 4);
	for (int i = 0; i < 4; i++) {
		ck_assert_ptr_nonnull(f[i].function);
		ck_assert_str_eq(f[i].function, fn[i]);
		ck_assert(ends_with(f[i].file, "nested.c"));
	}
	if (!optimized) {
		ck_assert_uint_eq(f[1].line, tracee_marker_line("nested.c", "call_l3"));
		ck_assert_uint_eq(f[2].line, tracee_marker_line("nested.c", "call_l2"));
		ck_assert_uint_eq(f[3].line, tracee_marker_line("nested.c", "call_l1"));
	}
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(f[i].nargs, 1);
		ck_assert_str_eq(f[i].args[0].name, "x");
		if (!optimized || strcmp(f[i].args[0].value,
					 "<optimized out>") != 0)
			ck_assert_str_eq(f[i].args[0].value, x[i]);
	}
	/* The innermost frame's argument is always known at the entry. */
	ck_assert_str_eq(f[0].args[0].value, "3");
	ck_assert_uint_eq(f[3].nargs, 2);
	ck_assert_str_eq(f[3].args[0].name, "argc");
	ck_assert_str_eq(f[3].args[1].name, "argv");
	if (!optimized) {
		ck_assert_str_eq(f[3].args[0].value, "2");
		/* char **: an address on the stack, as gdb shows it */
		ck_assert_int_eq(strncmp(f[3].args[1].value, "0x7ff", 5), 0);
	}
	tr_unwinder_free(u);
	stop(&s);
}
END_TEST

/*
 * Two runs of one program side by side: in one, each line is range
 * stepped; in the other, single-stepped until the pc leaves the line, the
 * stack pointer changes or a breakpoint is at the pc. Both must stop at
 * the same place after as many instructions, line after line (through
 * main, into calls and back); and the range steps must take fewer
 * requests than the instructions they ran.
 */
START_TEST(test_range_step)
{
	const char *prog = _i ? "prog-O2" : "prog-O0";
	struct session a, b;
	uint64_t ma, mb, sa, sb;
	unsigned ranged = 0, longest = 0, in_plt = 0;
	struct user_regs_struct r0;
	const struct tr_module *exe;

	start(&a, prog, "3");
	start(&b, prog, "3");
	ma = resolve1(&a, "main");
	mb = resolve1(&b, "main");
	cont_expect_bp(&a, brk_at(&a, ma), ma);
	cont_expect_bp(&b, brk_at(&b, mb), mb);
	/* the stacks of the two runs are apart: compare offsets */
	ck_assert_int_eq(tr_regs_get(a.t, a.pid, &r0), 0);
	sa = r0.rsp;
	ck_assert_int_eq(tr_regs_get(b.t, b.pid, &r0), 0);
	sb = r0.rsp;
	{
		struct tr_location m;

		ck_assert_int_eq(tr_debuginfo_describe(a.di, ma, &m), 0);
		exe = m.module;
	}
	for (int i = 0; i < 40; i++) {
		struct user_regs_struct ra, rb;
		struct tr_location loc;
		struct tr_event ev;
		uint64_t lo, hi;
		unsigned k = 0;

		ck_assert_int_eq(tr_regs_get(a.t, a.pid, &ra), 0);
		ck_assert_int_eq(tr_regs_get(b.t, b.pid, &rb), 0);
		if (tr_debuginfo_describe(a.di, ra.rip, &loc) < 0 ||
		    loc.line == 0 || loc.line_hi <= loc.line_lo ||
		    loc.module != exe) {
			/* no line here (a PLT stub): back to one, or the
			 * walk ends (libc: its place differs in each run) */
			if (in_plt++)
				break;
			ck_assert_int_eq(tr_step_line(a.t, a.di, 0, true, &ev), 0);
			if (ev.type != TR_EV_STOP)
				break;
			ck_assert_int_eq(tr_step_line(b.t, b.di, 0, true, &ev), 0);
			continue;
		}
		in_plt = 0;
		ck_assert_uint_eq(ra.rip - ma, rb.rip - mb);
		lo = loc.line_lo;
		hi = loc.line_hi;
		ck_assert_int_eq(tr_step_range(a.t, 0, lo, hi, &ev), 0);
		if (ev.type != TR_EV_STOP)
			break; /* the program ended */
		ck_assert_int_eq(ev.reason, TR_STOP_STEP);
		ck_assert_uint_ge(ev.steps, 1);
		ck_assert_uint_lt(ev.steps, TR_RANGE_STEPS);
		for (;;) {
			struct tr_event eb;
			struct user_regs_struct now;

			ck_assert_int_eq(tr_step(b.t, 0, 0, &eb), 0);
			ck_assert_int_eq(eb.reason, TR_STOP_STEP);
			k++;
			ck_assert_int_eq(tr_regs_get(b.t, b.pid, &now), 0);
			if (now.rip - mb + ma < lo || now.rip - mb + ma >= hi ||
			    now.rsp != rb.rsp || now.rip == mb)
				break;
		}
		ck_assert_msg(ev.steps == k, "%s line %u: range step ran %u "
			      "instructions, single steps %u", prog, loc.line,
			      ev.steps, k);
		ck_assert_int_eq(tr_regs_get(a.t, a.pid, &ra), 0);
		ck_assert_int_eq(tr_regs_get(b.t, b.pid, &rb), 0);
		ck_assert_uint_eq(ra.rip - ma, rb.rip - mb);
		ck_assert_uint_eq(sa - ra.rsp, sb - rb.rsp);
		ranged++;
		if (k > longest)
			longest = k;
	}
	/* the walk went through lines, some of more than one instruction */
	ck_assert_uint_ge(ranged, 5);
	ck_assert_uint_ge(longest, 3);
	tr_tracer_free(a.t);
	a.t = NULL;
	tr_debuginfo_free(a.di);
	close(a.out);
	stop(&b);
}
END_TEST

Suite *
suite_debuginfo(void)
{
	Suite *s = suite_create("debuginfo");
	TCase *tc = tcase_create("programs");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_symbols, 0, NVARIANTS);
	tcase_add_loop_test(tc, test_function_breakpoint, 0, NVARIANTS);
	tcase_add_loop_test(tc, test_line_breakpoint_in_loop, 0, 1);
	tcase_add_loop_test(tc, test_line_breakpoint_in_loop, 2, 3);
	tcase_add_loop_test(tc, test_shared_library, 0, NVARIANTS);
	tcase_add_test(tc, test_breakpoint_controls);
	tcase_add_test(tc, test_bad_specs);
	tcase_add_loop_test(tc, test_step_next_o0, 0, 2);
	tcase_add_loop_test(tc, test_step_o2, 0, 2);
	tcase_add_loop_test(tc, test_finish, 0, 2);
	tcase_add_loop_test(tc, test_range_step, 0, 2);
	tcase_add_test(tc, test_pending_breakpoint);
	tcase_add_test(tc, test_breakpoint_library_reloaded);
	tcase_add_loop_test(tc, test_backtrace_args, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
