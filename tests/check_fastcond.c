/* check_fastcond.c: breakpoint conditions compiled into the target: right answers, and the target left as it was. */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "control/breakpoint.h"
#include "base/error.h"
#include "helpers.h"
#include "session/session.h"
#include "suites.h"
#include "target/tracer.h"

/*
 * tests/tracees/fcond.c calls step(i, &acc) in a loop and prints the
 * checksum of each loop. Every test here sets a conditional breakpoint in
 * step, checks where it stops, and lets the program finish: its checksums
 * must be the ones computed here, so a trampoline that disturbed a
 * register, a flag or the stack of the loop would show. Whether the
 * condition was compiled into the target is seen from outside: the first
 * byte at the breakpoint is then a jmp (0xe9), not an int3 (0xcc).
 */

static const char *const progs[] = { "fcond-O0", "fcond-O2" };

struct fsess {
	struct tr_session *s;
	struct tr_tracer *t;
	pid_t pid;
	struct tracee out; /* its stdout (only out/buf/len used) */
	const char *prog;
};

static void
fs_start(struct fsess *x, const char *prog, const char *n, const char *nth,
	 bool no_compile)
{
	char path[512];
	char *argv[4] = { path, (char *)n, (char *)nth, NULL };
	struct tr_session_opts o = { .no_compiled_conditions = no_compile };
	struct tr_launch l = { .path = path, .argv = argv, .stdin_fd = -1,
			       .stderr_fd = -1 };
	int fds[2];

	memset(x, 0, sizeof(*x));
	x->prog = prog;
	x->out.out = -1;
	x->out.in = -1;
	snprintf(path, sizeof(path), "%s/%s", TRACEE_DIR, prog);
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	l.stdout_fd = fds[1];
	ck_assert_tr(tr_session_new(&o, &x->s), 0);
	x->t = tr_session_tracer(x->s);
	ck_assert_tr(tr_session_launch(x->s, &l, &x->pid), 0);
	close(fds[1]);
	x->out.out = fds[0];
}

static void
fs_end(struct fsess *x)
{
	tr_session_free(x->s);
	if (x->out.out >= 0)
		close(x->out.out);
}

/* A breakpoint on step() if cond; its number. */
static uint32_t
fs_break(struct fsess *x, const char *cond)
{
	struct tr_expr_err err;
	uint32_t id = 0;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(tr_session_break(x->s, "step", cond, NULL, &id, &err) ==
			      0,
		      "%s: break if %s: %s", x->prog, cond, err.msg);
	return id;
}

/* What fcond computes for loop k of n iterations. */
static unsigned long
checksum(long k, long n)
{
	unsigned long acc = 0;

	for (long j = 0; j < n; j++) {
		int i = (int)(j + k * 1000000);
		int local = i * 3;
		long b = (long)i * -2;
		unsigned char c = (unsigned char)i;
		unsigned long x = acc;

		x = x * 31 + (unsigned long)local + (unsigned long)b + c;
		x ^= x >> 7;
		acc = x;
	}
	return acc;
}

/* Read nloops "checksum K ACC" lines and compare. */
static void
expect_checksums(struct fsess *x, long nloops, long n)
{
	bool seen[8] = { false };

	for (long i = 0; i < nloops; i++) {
		char line[256];
		long k;
		unsigned long acc;

		ck_assert_msg(tracee_line(&x->out, line, sizeof(line), 20000),
			      "%s: no checksum line", x->prog);
		ck_assert_msg(sscanf(line, "checksum %ld %lu", &k, &acc) == 2 &&
				      k >= 0 && k < 8,
			      "%s: odd line \"%s\"", x->prog, line);
		ck_assert_msg(acc == checksum(k, n),
			      "%s: loop %ld checksum %lu, want %lu", x->prog, k,
			      acc, checksum(k, n));
		seen[k] = true;
	}
	for (long k = 0; k < nloops; k++)
		ck_assert(seen[k]);
}

static void
cont_exit(struct fsess *x)
{
	struct tr_event ev;

	ck_assert_tr(tr_session_cont(x->s, 0, 0, &ev), 0);
	ck_assert_msg(ev.type == TR_EV_EXIT && ev.status == 0,
		      "%s: event %u status %d, not a clean exit", x->prog,
		      ev.type, ev.status);
}

static void
cont_bp(struct fsess *x, uint32_t id, struct tr_event *ev)
{
	ck_assert_tr(tr_session_cont(x->s, 0, 0, ev), 0);
	ck_assert_msg(ev->type == TR_EV_STOP &&
			      ev->reason == TR_STOP_BREAKPOINT &&
			      ev->bpnum == id,
		      "%s: event %u reason %u bp %u, not breakpoint %u",
		      x->prog, ev->type, ev->reason, ev->bpnum, id);
}

static long
eval_long(struct fsess *x, const char *expr)
{
	struct tr_expr_err err;
	char out[256];
	int rc = tr_session_eval(x->s, expr, 0, 0, out, sizeof(out), &err);

	ck_assert_msg(rc == 0, "%s: %s: %s", x->prog, expr, err.msg);
	return atol(out);
}

/* The first byte at the breakpoint's location, read from outside. */
static int
first_byte(struct fsess *x, uint32_t id, uint64_t *addr)
{
	struct tr_break_info info;
	uint64_t loc;
	char path[64];
	uint8_t b;
	int fd;

	ck_assert_tr(tr_break_info(x->t, id, &info, &loc, 1), 0);
	ck_assert_uint_ge(info.nlocs, 1);
	snprintf(path, sizeof(path), "/proc/%d/mem", x->pid);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &b, 1, (off_t)loc), 1);
	close(fd);
	if (addr)
		*addr = loc;
	return b;
}

/* ---- the table ------------------------------------------------------------ */

static const struct row {
	const char *cond;
	long first;     /* the i of the first stop */
	bool compiles;  /* must be compiled at -O0 (at -O2 it may not) */
	bool o2;        /* and at -O2 too */
	bool to_exit;   /* true once only: continue to the end after */
} rows[] = {
	{ "i == 777", 777, true, true, true },
	{ "i * 3 + 1 == 2332", 777, true, true, true },
	{ "(i & 0xff) == 0x11 && i > 1000", 1041, true, true, false },
	{ "i / 7 == 100 && i % 7 == 3", 703, true, true, true },
	{ "-i == -500", 500, true, true, true },
	{ "(unsigned char)i == 200 && i > 255", 456, true, true, false },
	{ "(i >> 2) == 50 && (i & 3) == 2", 202, true, true, true },
	{ "i ? 0 : 1", 0, true, true, true },
	{ "i > g_int * 1000 || i == 3", 3, true, true, false },
	{ "g_arr[2] + i == 1003", 1000, true, true, true },
	{ "g_pair.b + i == 478", 500, true, true, true },
	{ "g_color == 5 && i == 1234", 1234, true, true, true },
	{ "g_uns > 3000000000 && i == 1500", 1500, true, true, true },
	{ "g_short < 0 && i == 1600", 1600, true, true, true },
	{ "g_uc > 100 && i == 1700", 1700, true, true, true },
	{ "g_long + i * 100 == 0", 1000, true, true, true },
	{ "s_static == 42 && i == 1800", 1800, true, true, true },
	{ "'fcond.c'::g_int == 7 && i == 1900", 1900, true, true, true },
	{ "sizeof(struct pair) == 24 && i == 1950", 1950, true, true, true },
	{ "g_bool && i == 1960", 1960, true, true, true },
	{ "(long)i * 4000000000 == 4000000000000", 1000, true, true, true },
	{ "(unsigned)-i > 4294966000 && i > 0", 1, true, true, false },
	/* a shift count out of range is left to the tracer: 1 << 40 is 0
	 * in gdb, never 1024 */
	{ "(1 << i) == 1024", 10, true, true, true },
	/* a division by zero too: an error, which stops */
	{ "1000 % (i - 30) == 0 && i > 1000", 30, true, true, false },
	/* these do not compile: evaluated by the tracer */
	{ "add_one(i) == 101", 100, false, false, true },
	{ "(double)i == 300.5 - 0.5", 300, false, false, true },
	{ "*acc != 0 && i == 1000", 1000, false, false, true },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))
#define N_ITER "2000"

START_TEST(test_table)
{
	const char *prog = progs[_i / NROWS];
	const struct row *r = &rows[_i % NROWS];
	struct tr_break_info info;
	struct tr_event ev;
	struct fsess x;
	uint32_t id;
	int b;

	fs_start(&x, prog, N_ITER, NULL, false);
	id = fs_break(&x, r->cond);
	cont_bp(&x, id, &ev);
	ck_assert_msg(eval_long(&x, "i") == r->first,
		      "%s: if %s stopped at i = %ld, not %ld", prog, r->cond,
		      eval_long(&x, "i"), r->first);
	ck_assert_tr(tr_break_info(x.t, id, &info, NULL, 0), 0);
	ck_assert_uint_eq(info.hits, 1);
	b = first_byte(&x, id, NULL);
	/* compiled at the first hit, in place from the next resume on */
	if (r->compiles && (r->o2 || _i < (int)NROWS) && r->first > 0)
		ck_assert_msg(b == 0xe9, "%s: if %s: not compiled (byte %#x)",
			      prog, r->cond, b);
	if (!r->compiles)
		ck_assert_msg(b == 0xcc, "%s: if %s: compiled (byte %#x)",
			      prog, r->cond, b);
	if (r->to_exit) {
		cont_exit(&x);
		expect_checksums(&x, 1, atol(N_ITER));
	}
	fs_end(&x);
}
END_TEST

/* Changing the condition takes the compiled one out; removing it leaves
 * an unconditional breakpoint; deleting it puts the code back. */
START_TEST(test_change)
{
	const char *prog = progs[_i];
	struct tr_expr_err err;
	struct tr_break_info info;
	struct tr_event ev;
	struct fsess x;
	uint64_t addr;
	uint32_t id;

	fs_start(&x, prog, N_ITER, NULL, false);
	id = fs_break(&x, "i == 100");
	cont_bp(&x, id, &ev);
	ck_assert_int_eq(eval_long(&x, "i"), 100);
	ck_assert_int_eq(first_byte(&x, id, &addr), 0xe9);
	ck_assert_tr(tr_session_condition(x.s, id, "i == 1500", &err), 0);
	ck_assert_int_eq(first_byte(&x, id, NULL), 0xcc);
	cont_bp(&x, id, &ev);
	ck_assert_int_eq(eval_long(&x, "i"), 1500);
	ck_assert_int_eq(first_byte(&x, id, NULL), 0xe9);
	ck_assert_tr(tr_session_condition(x.s, id, NULL, &err), 0);
	cont_bp(&x, id, &ev);
	ck_assert_int_eq(eval_long(&x, "i"), 1501);
	ck_assert_tr(tr_break_info(x.t, id, &info, NULL, 0), 0);
	ck_assert_uint_eq(info.hits, 3);
	ck_assert_tr(tr_break_delete(x.t, id), 0);
	cont_exit(&x);
	expect_checksums(&x, 1, atol(N_ITER));
	fs_end(&x);
}
END_TEST

/*
 * Instruction steps from a compiled breakpoint go where they go from a
 * plain one: the moved instructions are shown at their own addresses.
 */
START_TEST(test_steps)
{
	const char *prog = progs[_i];
	uint64_t pcs[2][8], base[2];

	for (int mode = 0; mode < 2; mode++) {
		struct tr_event ev;
		struct fsess x;
		uint32_t id;

		fs_start(&x, prog, N_ITER, NULL, mode == 1);
		id = fs_break(&x, "i == 5");
		cont_bp(&x, id, &ev);
		ck_assert_int_eq(first_byte(&x, id, &base[mode]),
				 mode == 0 ? 0xe9 : 0xcc);
		for (int k = 0; k < 8; k++) {
			struct user_regs_struct r;

			ck_assert_tr(tr_session_step(x.s, 0, &ev), 0);
			ck_assert_uint_eq(ev.reason, TR_STOP_STEP);
			ck_assert_tr(tr_regs_get(x.t, x.pid, &r), 0);
			pcs[mode][k] = r.rip;
		}
		ck_assert_int_eq(eval_long(&x, "i"), 5);
		cont_exit(&x);
		expect_checksums(&x, 1, atol(N_ITER));
		fs_end(&x);
	}
	for (int k = 0; k < 8; k++)
		ck_assert_msg(pcs[0][k] - base[0] == pcs[1][k] - base[1],
			      "%s: step %d at +%#lx compiled, +%#lx plain", prog,
			      k, (unsigned long)(pcs[0][k] - base[0]),
			      (unsigned long)(pcs[1][k] - base[1]));
}
END_TEST

/* ---- interrupts and detach -------------------------------------------------- */

struct pester {
	struct tr_tracer *t;
	atomic_bool done;
	atomic_int sent;
};

static void *
pester_main(void *arg)
{
	struct pester *p = arg;
	unsigned seed = 12345;

	while (!atomic_load(&p->done)) {
		struct timespec ts = { 0, 200000 + (rand_r(&seed) % 1500) * 1000 };

		nanosleep(&ts, NULL);
		if (tr_interrupt(p->t, NULL) == 0)
			atomic_fetch_add(&p->sent, 1);
	}
	return NULL;
}

/* Whether pc lies in a mapping of a file (not the scratch area, which is
 * anonymous). */
static bool
pc_in_file(pid_t pid, uint64_t pc)
{
	char path[64], line[512];
	bool ok = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char file[256] = "";

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %255s", &lo, &hi,
			   file) >= 2 &&
		    pc >= lo && pc < hi) {
			ok = file[0] == '/';
			break;
		}
	}
	fclose(f);
	return ok;
}

/*
 * A condition that is never true, and the target interrupted again and
 * again while its threads run through the trampoline: no stopped thread
 * is ever seen inside it, and the loops compute what they should.
 *
 * The loops are long enough (some 0.2 s of CPU at -O0) for the pester to
 * land its interrupts on a loaded machine too, where every hand-over
 * between threads may wait for a scheduler tick (4 ms): loops of
 * 2,000,000 iterations ended after as few as three interrupts.
 */
#define INTR_ITER "20000000"
START_TEST(test_interrupts)
{
	const char *prog = progs[_i / 2];
	const char *nth = _i % 2 ? "3" : NULL;
	struct pester p = { 0 };
	struct tr_event ev;
	struct fsess x;
	pthread_t pt;
	int stops = 0, rc;

	fs_start(&x, prog, INTR_ITER, nth, false);
	fs_break(&x, "i == -1");
	p.t = x.t;
	ck_assert_int_eq(pthread_create(&pt, NULL, pester_main, &p), 0);
	for (;;) {
		pid_t tids[16];
		size_t n;

		rc = tr_session_cont(x.s, 0, 0, &ev);
		/* An interrupt can land as the program exits: the resume then
		 * finds it gone. Its checksums tell whether it ran right. */
		if (rc == -TR_EGONE) {
			ev.type = TR_EV_EXIT;
			ev.status = 0;
			break;
		}
		ck_assert_tr(rc, 0);
		if (ev.type == TR_EV_EXIT)
			break;
		ck_assert_msg(ev.type == TR_EV_STOP, "event %u", ev.type);
		ck_assert_msg(ev.reason != TR_STOP_BREAKPOINT,
			      "the condition is never true");
		stops++;
		n = proc_tids(x.pid, tids, 16);
		for (size_t k = 0; k < n; k++) {
			struct user_regs_struct r;

			if (tr_regs_get(x.t, tids[k], &r) != 0)
				continue;
			ck_assert_msg(pc_in_file(x.pid, r.rip),
				      "%s: thread %d stopped at %#lx, outside "
				      "the program's code",
				      prog, tids[k], (unsigned long)r.rip);
		}
	}
	atomic_store(&p.done, true);
	pthread_join(pt, NULL);
	ck_assert_int_eq(ev.status, 0);
	ck_assert_int_gt(stops, 5);
	expect_checksums(&x, nth ? 3 : 1, atol(INTR_ITER));
	fs_end(&x);
}
END_TEST

/* Detach with a compiled condition in place: the code is the program's
 * own again, and it runs to its end correctly. */
START_TEST(test_detach)
{
	const char *prog = progs[_i];
	struct tr_expr_err err;
	struct tr_event ev;
	struct fsess x;
	uint8_t before[16], after[16];
	uint64_t addr;
	char path[64];
	uint32_t id;
	int fd, st;

	fs_start(&x, prog, "100000000", NULL, false);
	id = fs_break(&x, "i == 20");
	first_byte(&x, id, &addr);
	snprintf(path, sizeof(path), "/proc/%d/mem", x.pid);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	cont_bp(&x, id, &ev);
	ck_assert_int_eq(first_byte(&x, id, NULL), 0xe9);
	ck_assert_tr(tr_session_condition(x.s, id, "i == 2000000", &err), 0);
	cont_bp(&x, id, &ev);
	ck_assert_int_eq(first_byte(&x, id, NULL), 0xe9);
	ck_assert_tr(tr_session_condition(x.s, id, "i == -1", &err), 0);
	/* the bytes as the program has them, through the tracer */
	ck_assert_tr(tr_mem_read(x.t, addr, before, sizeof(before), NULL), 0);
	ck_assert_tr(tr_detach(x.t), 0);
	ck_assert_int_eq(pread(fd, after, sizeof(after), (off_t)addr),
			 (ssize_t)sizeof(after));
	close(fd);
	ck_assert_int_eq(memcmp(before, after, sizeof(after)), 0);
	ck_assert_int_ne(after[0], 0xcc);
	ck_assert_int_ne(after[0], 0xe9);
	expect_checksums(&x, 1, 100000000);
	ck_assert_int_eq(waitpid(x.pid, &st, 0), x.pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fs_end(&x);
}
END_TEST

/* Threads: a condition true in one thread only stops there, the others
 * are stopped outside the trampoline, and every loop ends right. */
START_TEST(test_threads)
{
	const char *prog = progs[_i];
	struct tr_event ev;
	struct fsess x;
	pid_t tids[16];
	size_t n;
	uint32_t id;

	fs_start(&x, prog, "200000", "4", false);
	id = fs_break(&x, "i == 2150000");
	cont_bp(&x, id, &ev);
	ck_assert_int_eq(eval_long(&x, "i"), 2150000);
	n = proc_tids(x.pid, tids, 16);
	for (size_t k = 0; k < n; k++) {
		struct user_regs_struct r;

		ck_assert_tr(tr_regs_get(x.t, tids[k], &r), 0);
		ck_assert_msg(pc_in_file(x.pid, r.rip),
			      "thread %d at %#lx", tids[k],
			      (unsigned long)r.rip);
	}
	cont_exit(&x);
	expect_checksums(&x, 4, 200000);
	fs_end(&x);
}
END_TEST

Suite *
suite_fastcond(void)
{
	Suite *s = suite_create("fastcond");
	TCase *tc = tcase_create("compiled");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_table, 0, (int)(2 * NROWS));
	tcase_add_loop_test(tc, test_change, 0, 2);
	tcase_add_loop_test(tc, test_steps, 0, 2);
	tcase_add_loop_test(tc, test_interrupts, 0, 4);
	tcase_add_loop_test(tc, test_detach, 0, 2);
	tcase_add_loop_test(tc, test_threads, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
