/* condbreak.c: a conditional breakpoint in a loop, tracerd against gdb and gdbserver. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "gdbrun.h"
#include "session/session.h"

/*
 * Method. call-target runs loop_body(i) for i < N (100,000); a breakpoint
 * on loop_body has the condition `i == N-1`, true at the last call only.
 * hits/s = N / (time from the resume to the stop at the last call).
 *
 * tracerd: a session stops at ready(), sets the breakpoint with its
 * condition (evaluated on the tracer thread at each hit), and is timed
 * around tr_session_cont(); the stop must be that breakpoint with i ==
 * N-1.
 *
 * gdb and gdbserver: a batch gdb run with the conditional breakpoint,
 * minus the same run without it (startup, symbols and the loop itself
 * cancel out), median of --rounds pairs. gdbserver: gdb connects with
 * `target remote` to `gdbserver --once`; gdb 13 has gdbserver evaluate
 * the condition (breakpoint condition-evaluation auto -> target);
 * --host-too also times it evaluated by gdb (much slower).
 */

#ifndef BENCH_CALL_TARGET
#define BENCH_CALL_TARGET "bench/call-target"
#endif

static double
tracerd_hits(int n)
{
	char arg[32];
	char *argv[] = { BENCH_CALL_TARGET, arg, NULL };
	struct tr_launch l = { .path = BENCH_CALL_TARGET, .argv = argv };
	struct tr_session *s;
	struct tr_event ev;
	struct tr_expr_err err;
	char cond[64], out[64];
	uint32_t id, rid;
	double t0, dt, hits = -1;
	pid_t pid;

	snprintf(arg, sizeof(arg), "%d", n);
	snprintf(cond, sizeof(cond), "i == %d", n - 1);
	if (tr_session_new(NULL, &s))
		return -1;
	if (tr_session_launch(s, &l, &pid) ||
	    tr_session_break(s, "ready", NULL, NULL, &rid, &err) ||
	    tr_session_cont(s, 0, 0, &ev) ||
	    tr_session_break(s, "loop_body", cond, NULL, &id, &err)) {
		fprintf(stderr, "condbreak: setup failed: %s\n", err.msg);
		goto out;
	}
	t0 = bench_now();
	if (tr_session_cont(s, 0, 0, &ev))
		goto out;
	dt = bench_now() - t0;
	if (ev.type != TR_EV_STOP || ev.bpnum != id ||
	    tr_session_eval(s, "i", 0, 0, out, sizeof(out), &err) ||
	    atoi(out) != n - 1) {
		fprintf(stderr, "condbreak: wrong stop (type %u bp %u i %s)\n",
			ev.type, ev.bpnum, out);
		goto out;
	}
	hits = n / dt;
out:
	tr_session_free(s);
	return hits;
}

/* mode: 0 gdb alone, 1 gdbserver (target-side conditions), 2 gdbserver
 * with gdb evaluating them. */
static char *
script(int mode, int n, int port, bool with_bp)
{
	char *s = malloc(1024);
	size_t k;

	if (!s)
		return NULL;
	k = (size_t)snprintf(s, 1024, "set pagination off\nset confirm off\n"
			     "file %s\nset args %d\nbreak ready\n",
			     BENCH_CALL_TARGET, n);
	if (mode == 2)
		k += (size_t)snprintf(s + k, 1024 - k, "set breakpoint "
				      "condition-evaluation host\n");
	if (mode)
		k += (size_t)snprintf(s + k, 1024 - k, "target remote "
				      "127.0.0.1:%d\ncontinue\n", port);
	else
		k += (size_t)snprintf(s + k, 1024 - k, "run\n");
	if (with_bp)
		k += (size_t)snprintf(s + k, 1024 - k, "break loop_body if "
				      "i == %d\n", n - 1);
	snprintf(s + k, 1024 - k, "continue\nkill\n");
	return s;
}

static bool
timed(const char *gdb, const char *gdbserver, int mode, int n, bool with_bp,
      double *secs)
{
	int port = bench_free_port(), srv = -1;
	char *sc = script(mode, n, port, with_bp);
	char arg[32];
	bool ok;

	snprintf(arg, sizeof(arg), "%d", n);
	if (!sc)
		return false;
	if (mode)
		srv = bench_gdbserver_start(gdbserver, port, BENCH_CALL_TARGET,
					    arg);
	ok = bench_gdb_batch(gdb, sc, 600, secs);
	if (mode)
		bench_reap(srv);
	free(sc);
	return ok;
}

static double
gdb_hits(const char *gdb, const char *gdbserver, int mode, int n, int rounds)
{
	double v[8];
	int ok = 0;

	for (int r = 0; r < rounds && r < 8; r++) {
		double a, b;

		if (!timed(gdb, gdbserver, mode, n, false, &b) ||
		    !timed(gdb, gdbserver, mode, n, true, &a) || a <= b)
			break;
		v[ok++] = n / (a - b);
	}
	return ok ? bench_median(v, (size_t)ok) : -1;
}

static void
jnum(const char *k, double v, bool last)
{
	if (v > 0)
		printf("\"%s\": %.0f%s", k, v, last ? "" : ", ");
	else
		printf("\"%s\": null%s", k, last ? "" : ", ");
}

int
main(int argc, char **argv)
{
	int n = 100000, rounds = 1;
	bool json = false, host = false;
	char gdb[512], gdbserver[512];
	double th, gh = -1, sh = -1, hh = -1;
	bool have_gdb, have_srv;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--quick"))
			n = 10000;
		else if (!strcmp(argv[i], "--host-too"))
			host = true;
		else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: condbreak [--json] [--quick] "
				"[--iters N] [--rounds N] [--host-too]\n");
			return 2;
		}
	}
	if (n < 2)
		n = 2;
	th = tracerd_hits(n);
	if (th < 0)
		return 1;
	have_gdb = bench_which("gdb", gdb, sizeof(gdb));
	have_srv = have_gdb && bench_which("gdbserver", gdbserver,
					   sizeof(gdbserver));
	if (have_gdb)
		gh = gdb_hits(gdb, NULL, 0, n, rounds);
	if (have_srv)
		sh = gdb_hits(gdb, gdbserver, 1, n, rounds);
	if (have_srv && host)
		hh = gdb_hits(gdb, gdbserver, 2, n, rounds);
	if (json) {
		printf("{\"iterations\": %d, ", n);
		jnum("tracerd_hits_per_s", th, false);
		jnum("gdb_hits_per_s", gh, false);
		jnum("gdbserver_hits_per_s", sh, false);
		jnum("gdbserver_host_cond_hits_per_s", hh, false);
		if (sh > 0)
			printf("\"ratio_vs_gdbserver\": %.1f, ", th / sh);
		else
			printf("\"ratio_vs_gdbserver\": null, ");
		if (gh > 0)
			printf("\"ratio_vs_gdb\": %.1f}\n", th / gh);
		else
			printf("\"ratio_vs_gdb\": null}\n");
		return 0;
	}
	printf("breakpoint on loop_body if i == %d, %d iterations\n", n - 1, n);
	printf("  tracerd                         %9.0f hits/s\n", th);
	if (gh > 0)
		printf("  gdb                             %9.0f hits/s  "
		       "(tracerd %.1fx)\n", gh, th / gh);
	if (sh > 0)
		printf("  gdbserver, target-side cond.    %9.0f hits/s  "
		       "(tracerd %.1fx)\n", sh, th / sh);
	if (hh > 0)
		printf("  gdbserver, gdb-side cond.       %9.0f hits/s\n", hh);
	if (!have_gdb)
		printf("  gdb, gdbserver                  not installed\n");
	return 0;
}
