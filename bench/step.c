/* step.c: the cost of `next` with and without range stepping, and gdb's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "control/breakpoint.h"
#include "control/stepping.h"
#include "gdbrun.h"
#include "symbols/debuginfo.h"
#include "target/tracer.h"

/*
 * Method. tracerd: two tracers (range stepping on, and off: gdb's `set
 * range-stepping off`) launch step-target, stop at main and run
 * tr_step_line(next) --iters times in turn after a warm-up, timing each
 * (the two meet the same load); the
 * loop's body alternates a long line of straight code (80-odd
 * instructions at -O0) and short lines, so the medians are given per
 * kind: the line the most instructions ran in, and all lines. Each
 * next must land on a new line (checked).
 *
 * gdb: one batch session stops at main and runs `next` K times; another
 * does the same with none. Their wall times differ by K nexts (startup
 * and symbol loading cancel out): per next = (t_K - t_0) / K, the median
 * of three pairs. Native gdb single-steps each instruction itself (range
 * stepping is a remote protocol feature), with no server between.
 */

#ifndef BENCH_STEP_TARGET
#define BENCH_STEP_TARGET "bench/step-target"
#endif

struct result {
	double long_us, all_us; /* medians */
};

/* One traced run of step-target, stopped in main's loop. */
struct run {
	struct tr_tracer *t;
	struct tr_debuginfo *di;
	pid_t pid;
	uint32_t long_line;
	double *all, *lng;
	size_t nall, nlong;
};

static int
run_start(struct run *u, bool range, int iters)
{
	char *argv[] = { BENCH_STEP_TARGET, NULL };
	struct tr_launch l = { .path = BENCH_STEP_TARGET, .argv = argv,
			       .stdin_fd = -1, .stdout_fd = -1,
			       .stderr_fd = -1 };
	struct tr_tracer_opts o = { .no_range_steps = !range };
	struct tr_event ev;
	uint32_t id = 0;
	uint64_t m;
	size_t n = 0;

	memset(u, 0, sizeof(*u));
	u->all = calloc((size_t)iters, sizeof(double));
	u->lng = calloc((size_t)iters, sizeof(double));
	if (!u->all || !u->lng || tr_tracer_new(&o, &u->t) ||
	    tr_launch(u->t, &l, &u->pid) || tr_debuginfo_new(u->pid, &u->di) ||
	    tr_debuginfo_resolve(u->di, "main", &m, 1, &n) || n != 1 ||
	    tr_break_set(u->t, &m, 1, NULL, &id) || tr_cont(u->t, 0, 0, &ev) ||
	    ev.reason != TR_STOP_BREAKPOINT) {
		fprintf(stderr, "step: cannot stop at main\n");
		return -1;
	}
	tr_break_delete(u->t, id);
	/* into the loop; the long line: the one whose rows span the most */
	for (int i = 0; i < 20; i++) {
		struct tr_location loc;
		struct user_regs_struct r;

		if (tr_regs_get(u->t, u->pid, &r) ||
		    tr_debuginfo_describe(u->di, r.rip, &loc) < 0 ||
		    tr_step_line(u->t, u->di, 0, true, &ev) ||
		    ev.type != TR_EV_STOP)
			return -1;
		if (loc.line_hi - loc.line_lo > 32 && !u->long_line)
			u->long_line = loc.line;
	}
	return u->long_line ? 0 : -1;
}

/* One next, timed. */
static int
run_next(struct run *u)
{
	struct tr_location loc, after;
	struct user_regs_struct r;
	struct tr_event ev;
	double t0;

	if (tr_regs_get(u->t, u->pid, &r) ||
	    tr_debuginfo_describe(u->di, r.rip, &loc) < 0)
		return -1;
	t0 = bench_now();
	if (tr_step_line(u->t, u->di, 0, true, &ev) || ev.type != TR_EV_STOP ||
	    ev.reason != TR_STOP_STEP)
		return -1;
	u->all[u->nall++] = (bench_now() - t0) * 1e6;
	if (tr_debuginfo_describe(u->di, ev.pc, &after) < 0 ||
	    after.line == loc.line) {
		fprintf(stderr, "step: next stayed on line %u\n", loc.line);
		return -1;
	}
	if (loc.line == u->long_line)
		u->lng[u->nlong++] = u->all[u->nall - 1];
	return 0;
}

static void
run_end(struct run *u, struct result *res)
{
	if (res && u->nall && u->nlong) {
		res->all_us = bench_median(u->all, u->nall);
		res->long_us = bench_median(u->lng, u->nlong);
	}
	free(u->all);
	free(u->lng);
	tr_debuginfo_free(u->di);
	tr_tracer_free(u->t);
}

/* The two runs side by side, one next of each in turn: both meet the
 * same load (the machines are shared and busy). */
static int
tracerd_nexts(int iters, struct result *on, struct result *off)
{
	struct run a, b;
	int err = run_start(&a, true, iters) || run_start(&b, false, iters);

	for (int i = 0; !err && i < iters; i++)
		err = run_next(&a) || run_next(&b);
	run_end(&a, err ? NULL : on);
	run_end(&b, err ? NULL : off);
	return err ? -1 : 0;
}

int
main(int argc, char **argv)
{
	int iters = 3000, k = 1500;
	bool json = false;
	char gdb[512];
	struct result on, off;
	double gus = -1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--quick"))
			iters = 300, k = 150;
		else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			iters = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: step [--json] [--quick] "
				"[--iters N]\n");
			return 2;
		}
	}
	if (iters < 30)
		iters = 30;
	if (tracerd_nexts(iters, &on, &off))
		return 1;
	if (bench_which("gdb", gdb, sizeof(gdb)))
		gus = bench_gdb_per_command(gdb, BENCH_STEP_TARGET, "main",
					    "next", k, 600);
	if (json) {
		printf("{\"range_long_us\": %.2f, \"range_all_us\": %.2f, "
		       "\"single_long_us\": %.2f, \"single_all_us\": %.2f, "
		       "\"gdb_all_us\": ", on.long_us, on.all_us, off.long_us,
		       off.all_us);
		if (gus > 0)
			printf("%.2f}\n", gus);
		else
			printf("null}\n");
		return 0;
	}
	printf("next in a loop of a long straight line and short lines, %d "
	       "nexts\n", iters);
	printf("  tracerd, range stepping     long line %8.1f us  all lines "
	       "%8.1f us\n", on.long_us, on.all_us);
	printf("  tracerd, one step a request long line %8.1f us  all lines "
	       "%8.1f us\n", off.long_us, off.all_us);
	printf("  range stepping saves        long line %7.1fx    all lines "
	       "%7.1fx\n", off.long_us / on.long_us, off.all_us / on.all_us);
	if (gus > 0)
		printf("  gdb (native), all lines     %8.1f us  (batch "
		       "difference of %d nexts)  gdb / tracerd: %.1fx\n",
		       gus, k, gus / on.all_us);
	else
		printf("  gdb not installed\n");
	return 0;
}
