/* watch.c: watchpoints, tracerd (debug registers or page protection) against gdb, gdbserver and gdb's software watchpoints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "gdbrun.h"
#include "session/session.h"
#include "target/tracer.h"

/*
 * Method. watch-target MODE:N runs a loop of N writes to another page,
 * then writes the watched variable once (m: `hot`, 4 bytes; b: `buf`,
 * 4 KiB), or N writes to near_hot, on hot's page but outside it, then
 * hot once (w: the worst case of page protection, each write a fault
 * stepped over). Every run stops at ready() first.
 *
 * tracerd: a session (the library, no socket) sets the watchpoint at
 * ready() and is timed around tr_session_cont() until the stop, which
 * must be that watchpoint (tracerd_hit). The 1M run uses what the probe
 * picked (--watch-mechanism to force either); the buffer is 4 KiB, page
 * protection whatever the probe says; the worst case forces page
 * protection.
 *
 * gdb: a batch run with the watchpoint, minus the same run without it
 * (startup, symbols and the loop itself cancel out); the hit is read in
 * its output (gdb_hit: "New value = 42" for gdb alone; on a machine
 * whose debug registers do not fire it never comes: a miss, no time).
 * gdbserver: gdb connects with `target remote` to `gdbserver --once`.
 * gdb's software watchpoint: `set can-use-hw-watchpoints 0`, which
 * single-steps the program and compares the 4 KiB at each step.
 */

#ifndef BENCH_WATCH_TARGET
#define BENCH_WATCH_TARGET "bench/watch-target"
#endif

/* tracerd: seconds from the resume to the stop of a watchpoint on
 * `expr`; *hit when it was that watchpoint. -1 on failure. */
static double
tracerd_run(const char *mode, const char *expr, bool *hit)
{
	char *argv[] = { BENCH_WATCH_TARGET, (char *)mode, NULL };
	struct tr_launch l = { .path = BENCH_WATCH_TARGET, .argv = argv };
	struct tr_session_watch w = { .kind = TR_WATCH_WRITE };
	struct tr_session *s;
	struct tr_event ev;
	struct tr_expr_err err = { 0 };
	uint32_t rid;
	double t0, dt = -1;
	pid_t pid;

	*hit = false;
	if (tr_session_new(NULL, &s))
		return -1;
	if (tr_session_launch(s, &l, &pid) ||
	    tr_session_break(s, "ready", NULL, NULL, &rid, &err) ||
	    tr_session_cont(s, 0, 0, &ev) ||
	    tr_session_watch(s, expr, 0, 0, NULL, &w, &err)) {
		fprintf(stderr, "watch: setup failed: %s\n", err.msg);
		goto out;
	}
	t0 = bench_now();
	if (tr_session_cont(s, 0, 0, &ev))
		goto out;
	dt = bench_now() - t0;
	*hit = ev.type == TR_EV_STOP && ev.reason == TR_STOP_WATCH &&
	       ev.bpnum == w.id;
out:
	tr_session_free(s);
	return dt;
}

/* gdb: 0 alone, 1 through gdbserver, 2 alone with software
 * watchpoints; with_wp: watch `expr`. Seconds of the run, *hit when its
 * output has `hitline`. */
static bool
gdb_run(const char *gdb, const char *gdbserver, int how, const char *mode,
	const char *expr, bool with_wp, const char *hitline, double *secs,
	bool *hit)
{
	char dir[] = "/tmp/bench-watch.XXXXXX", sc[128], out[128], cmd[1024];
	char line[512];
	int port = bench_free_port(), srv = -1, rc;
	double t0;
	FILE *f;

	*hit = false;
	if (!mkdtemp(dir))
		return false;
	snprintf(sc, sizeof(sc), "%s/s.gdb", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	if (!(f = fopen(sc, "w")))
		return false;
	fprintf(f, "set pagination off\nset confirm off\nfile %s\n"
		"set args %s\nbreak ready\n%s",
		BENCH_WATCH_TARGET, mode,
		how == 2 ? "set can-use-hw-watchpoints 0\n" : "");
	if (how == 1)
		fprintf(f, "target remote 127.0.0.1:%d\ncontinue\n", port);
	else
		fprintf(f, "run\n");
	if (with_wp)
		fprintf(f, "watch %s\n", expr);
	fprintf(f, "continue\nkill\n");
	fclose(f);
	if (how == 1)
		srv = bench_gdbserver_start(gdbserver, port, BENCH_WATCH_TARGET,
					    mode);
	snprintf(cmd, sizeof(cmd), "timeout 900 %s -nx -batch -x %s >%s 2>&1",
		 gdb, sc, out);
	t0 = bench_now();
	rc = system(cmd);
	*secs = bench_now() - t0;
	if (how == 1)
		bench_reap(srv);
	if ((f = fopen(out, "r"))) {
		while (fgets(line, sizeof(line), f))
			if (strstr(line, hitline))
				*hit = true;
		fclose(f);
	}
	unlink(sc);
	unlink(out);
	rmdir(dir);
	/* gdb's batch exit status is that of its last command (the kill of
	 * a program that may have exited): only timeout's 124 fails */
	return rc != -1 && !(WIFEXITED(rc) && WEXITSTATUS(rc) == 124);
}

/* The watchpoint's cost in gdb: with minus without. */
static double
gdb_cost(const char *gdb, const char *gdbserver, int how, const char *mode,
	 const char *expr, const char *hitline, bool *hit)
{
	double with, without;
	bool h2;

	if (!gdb_run(gdb, gdbserver, how, mode, expr, true, hitline, &with,
		     hit) ||
	    !gdb_run(gdb, gdbserver, how, mode, expr, false, hitline,
		     &without, &h2))
		return -1;
	return with - without > 0 ? with - without : 0;
}

int
main(int argc, char **argv)
{
	bool json = false, thit = false, thit_pages = false, bhit = false,
	     whit = false, ghit = false, gshit = false, swhit = false;
	long n1m = 1000000, nbuf = 100000, nworst = 100000, nsys = 100000;
	double tsys_base = -1, tsys_pages = -1;
	bool sbhit = false, sphit = false;
	char ms[32];
	char gdb[512], gdbserver[512], m1[32], mb[32], mw[32];
	double t1m, t1m_pages, tbuf, tworst, g1m = -1, gs1m = -1, gsw = -1;
	const char *mech;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--buffer-iters") && i + 1 < argc)
			nbuf = atol(argv[++i]);
		else if (!strcmp(argv[i], "--worst-iters") && i + 1 < argc)
			nworst = atol(argv[++i]);
		else if (!strcmp(argv[i], "--syscall-iters") && i + 1 < argc)
			nsys = atol(argv[++i]);
		else if (!strcmp(argv[i], "--watch-mechanism") && i + 1 < argc)
			tr_watch_set_mechanism(
				!strcmp(argv[++i], "page-protection")
					? TR_WATCH_MECH_PAGES
				: !strcmp(argv[i], "debug-registers")
					? TR_WATCH_MECH_DR
					: TR_WATCH_MECH_AUTO);
		else {
			fprintf(stderr, "usage: watch [--json] [--buffer-iters N] [--worst-iters N] [--syscall-iters N]"
				" [--watch-mechanism M]\n");
			return 2;
		}
	}
	tr_watch_probe();
	mech = tr_watch_mechanism();
	snprintf(m1, sizeof(m1), "m:%ld", n1m);
	snprintf(mb, sizeof(mb), "b:%ld", nbuf);
	snprintf(mw, sizeof(mw), "w:%ld", nworst);
	t1m = tracerd_run(m1, "hot", &thit);
	tbuf = tracerd_run(mb, "buf", &bhit);
	{
		int was = strcmp(mech, "debug-registers") ? TR_WATCH_MECH_PAGES
							   : TR_WATCH_MECH_DR;

		tr_watch_set_mechanism(TR_WATCH_MECH_PAGES);
		t1m_pages = tracerd_run(m1, "hot", &thit_pages);
		tworst = tracerd_run(mw, "hot", &whit);
		/* the cost of stopping at every system call while a page is
		 * protected: N getppid() with `buf` watched by page protection,
		 * against the same with `hot` in a debug register (no page
		 * protected, no system-call stop; where the registers do not
		 * fire the program runs to its end unseen: the same loop) */
		snprintf(ms, sizeof(ms), "s:%ld", nsys);
		tsys_pages = tracerd_run(ms, "buf", &sphit);
		tr_watch_set_mechanism(TR_WATCH_MECH_DR);
		tsys_base = tracerd_run(ms, "hot", &sbhit);
		tr_watch_set_mechanism(was);
	}
	if (bench_which("gdb", gdb, sizeof(gdb))) {
		g1m = gdb_cost(gdb, NULL, 0, m1, "hot", "New value = 42",
			       &ghit);
		if (bench_which("gdbserver", gdbserver, sizeof(gdbserver)))
			gs1m = gdb_cost(gdb, gdbserver, 1, m1, "hot",
					"New value = 42", &gshit);
		gsw = gdb_cost(gdb, NULL, 2, mb, "buf", "New value = ",
			       &swhit);
	}
	if (json) {
		printf("{\"mechanism\":\"%s\",\"probe\":\"%s\","
		       "\"tracerd_hit\":%s,\"gdb_hit\":%s,"
		       "\"gdbserver_hit\":%s,\"gdb_sw_hit\":%s,"
		       "\"tracerd_1m_s\":%.6f,\"tracerd_1m_pages_s\":%.6f,"
		       "\"gdb_1m_s\":%.6f,\"gdbserver_1m_s\":%.6f,"
		       "\"buffer_iters\":%ld,\"tracerd_buffer_s\":%.6f,"
		       "\"gdb_sw_buffer_s\":%.6f,\"buffer_ratio\":%.1f,"
		       "\"worst_case_s\":%.6f,\"fault_us\":%.2f,"
		       "\"syscall_iters\":%ld,\"syscall_base_s\":%.6f,"
		       "\"syscall_pages_s\":%.6f,\"syscall_pages_hit\":%s,"
		       "\"syscall_stop_us\":%.2f}\n",
		       mech, tr_watch_probe()->why,
		       thit && thit_pages && bhit && whit ? "true" : "false",
		       ghit ? "true" : "false", gshit ? "true" : "false",
		       swhit ? "true" : "false", t1m, t1m_pages,
		       ghit ? g1m : -1, gshit ? gs1m : -1, nbuf, tbuf,
		       swhit ? gsw : -1,
		       swhit && tbuf > 0 ? gsw / tbuf : -1, tworst,
		       tworst / (double)nworst * 1e6, nsys, tsys_base,
		       tsys_pages, sphit ? "true" : "false",
		       (tsys_pages - tsys_base) / (double)nsys * 1e6);
		return 0;
	}
	printf("watchpoints: %s (%s)\n", mech, tr_watch_probe()->why);
	printf("%-50s %12s %s\n", "run", "seconds", "hit");
	printf("%-50s %12.6f %s\n", "tracerd, 1M writes elsewhere, then hot",
	       t1m, thit ? "yes" : "MISS");
	printf("%-50s %12.6f %s\n", "tracerd page protection, same", t1m_pages,
	       thit_pages ? "yes" : "MISS");
	printf("%-50s %12.6f %s\n", "gdb alone, same (cost of the watchpoint)",
	       g1m, ghit ? "yes" : "MISS");
	printf("%-50s %12.6f %s\n", "gdb + gdbserver, same", gs1m,
	       gshit ? "yes" : "MISS");
	printf("%-50s %12.6f %s\n", "tracerd, 4 KiB buffer, loop elsewhere",
	       tbuf, bhit ? "yes" : "MISS");
	printf("%-50s %12.6f %s\n", "gdb software watchpoint, same", gsw,
	       swhit ? "yes" : "MISS");
	printf("buffer ratio (gdb / tracerd), %ld iterations: %.1f\n", nbuf,
	       swhit && tbuf > 0 ? gsw / tbuf : -1);
	printf("%-50s %12.6f %s\n",
	       "worst case: 100,000 writes on the watched page", tworst,
	       whit ? "yes" : "MISS");
	printf("one fault on a watched page (stepped over): %.2f us\n",
	       tworst / (double)nworst * 1e6);
	printf("%-50s %12.6f\n", "system calls, no page protected", tsys_base);
	printf("%-50s %12.6f %s\n", "system calls, a page protected", tsys_pages,
	       sphit ? "yes" : "MISS");
	printf("each system call's stops while a page is protected: %.2f us\n",
	       (tsys_pages - tsys_base) / (double)nsys * 1e6);
	return 0;
}
