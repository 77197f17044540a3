/* call.c: latency of one injected add(2,3), tracerd against gdb's call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "gdbrun.h"
#include "session/session.h"

/*
 * Method. tracerd: a session launches call-target, stops at ready(), and
 * evaluates "add(2,3)" through tr_session_eval() --iters times after a
 * warm-up, timing each call alone (client to interpreter to tracer and
 * back, the call injected and undone) and checking each result is "5";
 * the median and percentiles are of those samples.
 *
 * gdb: one batch session stops at ready() and runs `call add(2,3)` K
 * times; another does the same with no call. Their wall times differ by
 * K calls (startup, symbol loading and the run cancel out): per call =
 * (t_K - t_0) / K, the median of three pairs. gdb's own call: registers
 * and memory written by gdb itself, no server.
 */

#ifndef BENCH_CALL_TARGET
#define BENCH_CALL_TARGET "bench/call-target"
#endif

static double
tracerd_calls(int iters, double *p10, double *p90, double *p99)
{
	char *argv[] = { BENCH_CALL_TARGET, NULL };
	struct tr_launch l = { .path = BENCH_CALL_TARGET, .argv = argv };
	struct tr_session *s;
	struct tr_event ev;
	struct tr_expr_err err;
	double *v = calloc((size_t)iters, sizeof(double)), med = -1;
	char out[64];
	uint32_t id;
	pid_t pid;

	if (!v || tr_session_new(NULL, &s))
		return -1;
	if (tr_session_launch(s, &l, &pid) ||
	    tr_session_break(s, "ready", NULL, NULL, &id, &err) ||
	    tr_session_cont(s, 0, 0, &ev) || ev.reason != TR_STOP_BREAKPOINT) {
		fprintf(stderr, "call: cannot stop at ready()\n");
		goto out;
	}
	for (int i = 0; i < 200; i++)
		tr_session_eval(s, "add(2,3)", 0, 0, out, sizeof(out), &err);
	for (int i = 0; i < iters; i++) {
		double t0 = bench_now();
		int e = tr_session_eval(s, "add(2,3)", 0, 0, out, sizeof(out),
					&err);

		v[i] = (bench_now() - t0) * 1e6;
		if (e || strcmp(out, "5")) {
			fprintf(stderr, "call: add(2,3) gave %d \"%s\" %s\n", e,
				out, err.msg);
			goto out;
		}
	}
	med = bench_median(v, (size_t)iters);
	*p10 = v[iters / 10];
	*p90 = v[iters * 9 / 10];
	*p99 = v[iters * 99 / 100];
out:
	free(v);
	tr_session_free(s);
	return med;
}

int
main(int argc, char **argv)
{
	int iters = 5000, k = 2000;
	bool json = false;
	char gdb[512];
	double p10 = 0, p90 = 0, p99 = 0, us, gus = -1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--quick"))
			iters = 500, k = 300;
		else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			iters = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: call [--json] [--quick] "
				"[--iters N]\n");
			return 2;
		}
	}
	if (iters < 10)
		iters = 10;
	us = tracerd_calls(iters, &p10, &p90, &p99);
	if (us < 0)
		return 1;
	if (bench_which("gdb", gdb, sizeof(gdb)))
		gus = bench_gdb_per_command(gdb, BENCH_CALL_TARGET, "ready",
					    "call add(2,3)", k, 300);
	if (json) {
		printf("{\"tracerd_us\": %.2f, \"tracerd_p10_us\": %.2f, "
		       "\"tracerd_p90_us\": %.2f, \"tracerd_p99_us\": %.2f, "
		       "\"calls\": %d, ", us, p10, p90, p99, iters);
		if (gus > 0)
			printf("\"gdb_us\": %.2f, \"ratio\": %.1f}\n", gus,
			       gus / us);
		else
			printf("\"gdb_us\": null, \"ratio\": null}\n");
		return 0;
	}
	printf("one injected add(2,3), %d calls\n", iters);
	printf("  tracerd  median %8.1f us  (p10 %.1f, p90 %.1f, p99 %.1f)\n",
	       us, p10, p90, p99);
	if (gus > 0)
		printf("  gdb      median %8.1f us  (call add(2,3), batch "
		       "difference of %d calls)\n  gdb / tracerd: %.1fx\n",
		       gus, k, gus / us);
	else
		printf("  gdb      not installed\n");
	return 0;
}
