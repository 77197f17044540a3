/* threads.c: attach, list and stop-all on targets of many threads, tracerd against gdb. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "base/error.h"
#include "gdbrun.h"
#include "json.h"
#include "target/tracer.h"

/*
 * Method. For each N, bench/threads-target (tests/tracees/many.c) starts
 * N sleeping threads besides main and says "ready". Then, on that one
 * process:
 *
 * attach + list + detach (tracerd): a daemon started once (--socket in a
 * private directory), driven over its socket with the client library as
 * a user's client would: `attach`, `threads` in pages of 1,000 until a
 * short page, `detach`; wall time from the attach request to the detach
 * reply, median of --reps. threads_listed is what the pages held (it
 * must be N + 1). After each detach the target's TracerPid must be 0.
 *
 * stop cycle (tracerd): the library in this process (tr_attach, then
 * --cycles times tr_cont + tr_interrupt returning once every thread is
 * stopped), timed from the continue to the interrupt's return; median.
 * The daemon adds one JSON stop notification to this, nothing per
 * thread.
 *
 * gdb: `gdb -nx -batch` with `attach PID`, `info threads`, `detach`;
 * wall time from spawn to exit, median of --gdb-reps (1 at 10,000
 * threads, where one run takes half a minute).
 *
 * Limits: kernel.threads-max, vm.max_map_count (two mappings a thread)
 * and kernel.pid_max are raised when too low for the largest N and put
 * back at the end; RLIMIT_NPROC is raised for the target. The target is
 * killed once it is no longer traced.
 */

#ifndef BENCH_TRACERD
#define BENCH_TRACERD "server/tracerd"
#endif
#ifndef BENCH_THREADS_TARGET
#define BENCH_THREADS_TARGET "bench/threads-target"
#endif

#define PAGE 1000
#define MAXN 8

static char dir[] = "/tmp/bench-threads.XXXXXX";

struct sysctl_saved {
	const char *path;
	long old;
	bool changed;
};

static struct sysctl_saved sysctls[] = {
	{ "/proc/sys/kernel/threads-max", 0, false },
	{ "/proc/sys/vm/max_map_count", 0, false },
	{ "/proc/sys/kernel/pid_max", 0, false },
};

static long
read_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static bool
write_long(const char *path, long v)
{
	FILE *f = fopen(path, "we");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok;
}

static void
limits_restore(void)
{
	for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++)
		if (sysctls[i].changed &&
		    write_long(sysctls[i].path, sysctls[i].old))
			sysctls[i].changed = false;
}

/* Room for a target of n threads; false (said why) when it cannot be. */
static bool
limits_raise(long n)
{
	long want[] = { 2 * n + 20000, 2 * n + 70000, 2 * n + 40000 };
	struct rlimit rl;

	for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		long cur = read_long(sysctls[i].path);

		if (cur < 0 || cur >= want[i])
			continue;
		if (!sysctls[i].changed) {
			sysctls[i].old = cur;
			sysctls[i].changed = true;
		}
		if (!write_long(sysctls[i].path, want[i])) {
			fprintf(stderr, "threads: cannot raise %s to %ld "
				"(%s)\n", sysctls[i].path, want[i],
				strerror(errno));
			return false;
		}
	}
	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)(2 * n + 1000)) {
		rl.rlim_cur = (rlim_t)(2 * n + 1000);
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NPROC, &rl) < 0) {
			fprintf(stderr, "threads: cannot raise RLIMIT_NPROC: "
				"%s\n", strerror(errno));
			return false;
		}
	}
	return true;
}

static void
on_signal(int sig)
{
	limits_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- the target --------------------------------------------------------- */

/* Start a target of n sleeping threads; its pid once it is ready, or -1. */
static pid_t
target_start(long n)
{
	int fds[2];
	char arg[32], line[256];
	size_t len = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	snprintf(arg, sizeof(arg), "%ld", n);
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(fds[1], 1);
		execl(BENCH_THREADS_TARGET, BENCH_THREADS_TARGET, arg,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	while (len < sizeof(line) - 1) {
		ssize_t k = read(fds[0], line + len, sizeof(line) - 1 - len);

		if (k <= 0)
			break;
		len += (size_t)k;
		if (memchr(line, '\n', len))
			break;
	}
	close(fds[0]);
	line[len] = 0;
	if (strncmp(line, "ready ", 6)) {
		fprintf(stderr, "threads: the target of %ld threads did not "
			"start\n", n);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static long
tracer_pid(pid_t pid)
{
	char path[64], line[256];
	long tp = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %ld", &tp) == 1)
			break;
	fclose(f);
	return tp;
}

/* ---- tracerd through its socket ------------------------------------------ */

static pid_t
daemon_start(const char *sock)
{
	pid_t pid = fork();
	struct stat st;

	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		dup2(nul, 0);
		dup2(nul, 1);
		execl(BENCH_TRACERD, BENCH_TRACERD, "--socket", sock,
		      "--log-level", "warn", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	for (double end = bench_now() + 10; bench_now() < end;
	     usleep(5000)) {
		if (stat(sock, &st) == 0)
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			fprintf(stderr, "threads: %s exited before "
				"listening\n", BENCH_TRACERD);
			return -1;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static bool
call(struct tr_cl *cl, const char *method, const char *params,
     struct tr_cl_reply *r)
{
	int err = tr_cl_call(cl, method, params, NULL, 0, NULL, r);

	if (err) {
		fprintf(stderr, "threads: %s: %s\n", method, tr_strerror(err));
		return false;
	}
	if (r->code) {
		fprintf(stderr, "threads: %s: %s\n", method, r->message);
		tr_cl_reply_free(r);
		return false;
	}
	return true;
}

/* attach + every page of threads + detach; seconds, -1 on failure;
 * *listed gets how many threads the pages held. */
static double
tracerd_attach_list(struct tr_cl *cl, pid_t pid, long *listed,
		    double phase[3])
{
	struct tr_cl_reply r;
	char params[96];
	double t0 = bench_now(), t1, ta, tl;
	size_t got;

	*listed = 0;
	snprintf(params, sizeof(params), "{\"pid\":%d}", (int)pid);
	if (!call(cl, "attach", params, &r))
		return -1;
	tr_cl_reply_free(&r);
	ta = bench_now();
	do {
		snprintf(params, sizeof(params), "{\"start\":%ld,\"count\":%d}",
			 *listed, PAGE);
		if (!call(cl, "threads", params, &r))
			return -1;
		got = tr_json_len(r.result);
		*listed += (long)got;
		tr_cl_reply_free(&r);
	} while (got == PAGE);
	tl = bench_now();
	if (!call(cl, "detach", NULL, &r))
		return -1;
	tr_cl_reply_free(&r);
	t1 = bench_now();
	phase[0] = ta - t0;
	phase[1] = tl - ta;
	phase[2] = t1 - tl;
	if (tracer_pid(pid) != 0) {
		fprintf(stderr, "threads: %d still traced after detach\n",
			(int)pid);
		return -1;
	}
	return t1 - t0;
}

/* ---- the stop cycle, in this process -------------------------------------- */

static double
stop_cycle(pid_t pid, int cycles)
{
	struct tr_tracer *t;
	struct tr_event ev;
	double *v = calloc((size_t)cycles, sizeof(double)), med = -1;
	int err;

	if (!v || tr_tracer_new(NULL, &t)) {
		free(v);
		return -1;
	}
	err = tr_attach(t, pid);
	for (int i = 0; !err && i < cycles; i++) {
		double t0 = bench_now();

		err = tr_cont(t, 0, -1, NULL);
		if (!err)
			err = tr_interrupt(t, &ev);
		v[i] = bench_now() - t0;
		if (!err && ev.type != TR_EV_STOP)
			err = -TR_EGONE;
	}
	if (err)
		fprintf(stderr, "threads: stop cycle: %s\n", tr_strerror(err));
	else
		med = bench_median(v, (size_t)cycles);
	if (tr_detach(t) && !err) {
		fprintf(stderr, "threads: detach failed\n");
		med = -1;
	}
	tr_tracer_free(t);
	free(v);
	if (tracer_pid(pid) != 0)
		med = -1;
	return med;
}

/* ---- gdb -------------------------------------------------------------- */

static double
gdb_attach_list(const char *gdb, pid_t pid)
{
	char script[256];
	double secs;

	snprintf(script, sizeof(script), "set pagination off\nset confirm off\n"
		 "attach %d\ninfo threads\ndetach\n", (int)pid);
	if (!bench_gdb_batch(gdb, script, 600, &secs))
		return -1;
	return tracer_pid(pid) == 0 ? secs : -1;
}

/* ---- main ------------------------------------------------------------- */

struct result {
	long n;
	double tr, tr_cycle, gdb;
	double attach, list, detach; /* phases of the median tracerd run */
	long listed;
};

static void
usage(void)
{
	fprintf(stderr,
		"usage: threads [--n N,N,...] [--big] [--reps R] [--cycles C]\n"
		"               [--gdb-reps R] [--no-gdb] [--json]\n"
		"  --n LIST      thread counts (default 100,1000,3000)\n"
		"  --big         add 10000 (gdb alone takes a minute there)\n"
		"  --reps R      tracerd attach + list + detach runs (3)\n"
		"  --cycles C    stop cycles (5)\n"
		"  --gdb-reps R  gdb runs (1)\n"
		"  --no-gdb      tracerd only\n"
		"  --json        one JSON object instead of the table\n");
	exit(2);
}

static void
json_map_d(const char *key, const struct result *res, size_t n, size_t off,
	   bool last)
{
	printf("\"%s\":{", key);
	for (size_t i = 0; i < n; i++) {
		double v = *(const double *)((const char *)&res[i] + off);

		printf("%s\"%ld\":", i ? "," : "", res[i].n);
		if (v < 0)
			printf("null");
		else
			printf("%.4f", v);
	}
	printf("}%s", last ? "" : ",");
}

int
main(int argc, char **argv)
{
	long ns[MAXN] = { 100, 1000, 3000 };
	size_t nn = 3;
	int reps = 3, cycles = 5, gdb_reps = 1;
	bool json = false, use_gdb = true, ok = true;
	char gdb[512], sock[128], why[256];
	struct result res[MAXN];
	struct tr_cl *cl = NULL;
	pid_t dpid;
	long maxn = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--no-gdb")) {
			use_gdb = false;
		} else if (!strcmp(a, "--big")) {
			if (nn < MAXN)
				ns[nn++] = 10000;
		} else if (!strcmp(a, "--n") && v) {
			char *s = argv[++i], *end;

			nn = 0;
			while (*s && nn < MAXN) {
				ns[nn] = strtol(s, &end, 10);
				if (end == s || ns[nn] < 1)
					usage();
				nn++;
				s = *end == ',' ? end + 1 : end;
				if (*end && *end != ',')
					usage();
			}
		} else if (!strcmp(a, "--reps") && v) {
			reps = atoi(argv[++i]);
		} else if (!strcmp(a, "--cycles") && v) {
			cycles = atoi(argv[++i]);
		} else if (!strcmp(a, "--gdb-reps") && v) {
			gdb_reps = atoi(argv[++i]);
		} else {
			usage();
		}
	}
	if (reps < 1 || cycles < 1 || gdb_reps < 1 || nn == 0)
		usage();
	for (size_t i = 0; i < nn; i++)
		if (ns[i] > maxn)
			maxn = ns[i];
	if (use_gdb && !bench_which("gdb", gdb, sizeof(gdb))) {
		fprintf(stderr, "threads: gdb not found: tracerd only\n");
		use_gdb = false;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!limits_raise(maxn)) {
		limits_restore();
		return 1;
	}
	if (!mkdtemp(dir)) {
		limits_restore();
		return 1;
	}
	snprintf(sock, sizeof(sock), "%s/s", dir);
	dpid = daemon_start(sock);
	if (dpid < 0 || tr_cl_connect(sock, NULL, &cl, why, sizeof(why))) {
		fprintf(stderr, "threads: no tracerd (%s)\n", BENCH_TRACERD);
		if (dpid > 0)
			kill(dpid, SIGKILL);
		limits_restore();
		rmdir(dir);
		return 1;
	}

	for (size_t k = 0; k < nn; k++) {
		struct result *r = &res[k];
		double *v = calloc((size_t)(reps > gdb_reps ? reps : gdb_reps),
				   sizeof(double));
		double *tot = calloc((size_t)reps, sizeof(double));
		double (*ph)[3] = calloc((size_t)reps, sizeof(*ph));
		pid_t pid = target_start(ns[k]);

		*r = (struct result){ .n = ns[k], .tr = -1, .tr_cycle = -1,
				      .gdb = -1 };
		if (pid < 0 || !v || !tot || !ph) {
			free(v);
			free(tot);
			free(ph);
			ok = false;
			continue;
		}
		fprintf(stderr, "threads: %ld threads (pid %d)\n", ns[k],
			(int)pid);
		for (int i = 0; i < reps && ok; i++) {
			long listed;

			tot[i] = tracerd_attach_list(cl, pid, &listed, ph[i]);
			if (tot[i] < 0)
				ok = false;
			r->listed = listed;
		}
		if (ok) {
			size_t best = 0;

			memcpy(v, tot, (size_t)reps * sizeof(*v));
			r->tr = bench_median(v, (size_t)reps);
			/* the phases of the run nearest the median */
			for (int i = 1; i < reps; i++)
				if (fabs(tot[i] - r->tr) < fabs(tot[best] - r->tr))
					best = (size_t)i;
			r->attach = ph[best][0];
			r->list = ph[best][1];
			r->detach = ph[best][2];
		}
		r->tr_cycle = stop_cycle(pid, cycles);
		if (use_gdb) {
			for (int i = 0; i < gdb_reps; i++)
				if ((v[i] = gdb_attach_list(gdb, pid)) < 0)
					break;
			if (v[gdb_reps - 1] >= 0)
				r->gdb = bench_median(v, (size_t)gdb_reps);
		}
		free(v);
		free(tot);
		free(ph);
		if (r->listed != ns[k] + 1 || r->tr_cycle < 0 ||
		    (use_gdb && r->gdb < 0))
			ok = false;
		if (tracer_pid(pid) != 0) {
			fprintf(stderr, "threads: %d is still traced\n",
				(int)pid);
			ok = false;
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}

	{
		struct tr_cl_reply rr;

		if (call(cl, "shutdown", NULL, &rr))
			tr_cl_reply_free(&rr);
		tr_cl_free(cl);
		waitpid(dpid, NULL, 0);
		unlink(sock);
		rmdir(dir);
	}
	limits_restore();

	if (json) {
		printf("{");
		json_map_d("tracerd_attach_list_detach_s", res, nn,
			   offsetof(struct result, tr), false);
		json_map_d("gdb_attach_list_detach_s", res, nn,
			   offsetof(struct result, gdb), false);
		json_map_d("tracerd_stop_cycle_s", res, nn,
			   offsetof(struct result, tr_cycle), false);
		json_map_d("tracerd_attach_s", res, nn,
			   offsetof(struct result, attach), false);
		json_map_d("tracerd_list_s", res, nn,
			   offsetof(struct result, list), false);
		json_map_d("tracerd_detach_s", res, nn,
			   offsetof(struct result, detach), false);
		printf("\"threads_listed\":{");
		for (size_t i = 0; i < nn; i++)
			printf("%s\"%ld\":%ld", i ? "," : "", res[i].n,
			       res[i].listed);
		printf("},\"reps\":%d,\"cycles\":%d,\"gdb_reps\":%d,"
		       "\"ok\":%s}\n", reps, cycles, gdb_reps,
		       ok ? "true" : "false");
	} else {
		printf("%8s %8s %11s %26s %11s %10s %7s\n", "", "", "tracerd",
		       "(attach  list  detach)", "stop cycle", "gdb", "gdb/");
		printf("%8s %8s %11s %26s %11s %10s %7s\n", "threads",
		       "listed", "s", "s", "s", "s", "tracerd");
		for (size_t i = 0; i < nn; i++) {
			const struct result *r = &res[i];

			printf("%8ld %8ld %11.4f   (%6.3f %6.3f %6.3f)    "
			       "%11.4f %10.3f %7.1f\n", r->n, r->listed, r->tr,
			       r->attach, r->list, r->detach, r->tr_cycle,
			       r->gdb, r->gdb > 0 && r->tr > 0 ? r->gdb / r->tr
							       : 0);
		}
		if (nn >= 2 && res[0].tr > 0)
			printf("growth from %ld to %ld threads: attach+list+"
			       "detach %.1fx, stop cycle %.1fx\n", res[0].n,
			       res[nn - 1].n, res[nn - 1].tr / res[0].tr,
			       res[0].tr_cycle > 0
				       ? res[nn - 1].tr_cycle / res[0].tr_cycle
				       : 0);
	}
	return ok ? 0 : 1;
}
