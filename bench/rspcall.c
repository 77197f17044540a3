/* rspcall.c: gdb's call and bulk read through tracerd --gdb and gdbserver. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gdbrun.h"

/*
 * Method. rspcall-target fills a 16 MiB heap buffer with memread's
 * pattern and stops in ready(); it also has add(int, int). A session is
 * one batch gdb (gdb -nx -batch -x SCRIPT) that loads the target's
 * symbols, connects with `target remote 127.0.0.1:PORT` to `tracerd
 * --gdb 127.0.0.1:PORT --launch rspcall-target` or to `gdbserver --once
 * 127.0.0.1:PORT rspcall-target` (for the gdb-alone figure it runs the
 * target itself), stops at ready() and then:
 *
 * calls: W warm-up `call add(2,3)` (untimed), then R loops, each a gdb
 * `while` loop of K iterations doing nothing but its counter followed by
 * the same loop with `call add(2,3)` in it. This is gdb's own call: gdb
 * injects it client side through register (g/G/p/P) and memory (m/M/X)
 * packets, and resumes until add() returns to a breakpoint it planted on
 * the stack (about 28 packets a call, against either server).
 * Each loop is timed inside gdb with Python's time.perf_counter(), the
 * figure written to a file of ours, so gdb's startup, connection and
 * symbol loading are in no timing (differencing whole gdb runs, as
 * memread does, leaves their jitter of tens of ms in every pair). A
 * loop's figure is (t_calls - t_empty) / K. After each loop `print $`
 * is written too: the last value must be 5 and its history number
 * W + r * (K + 1) (each call records one value, and so does each
 * `print $`), so every call really ran and returned 5.
 *
 * dumps: then D times `dump binary memory FILE buf buf+buf_len`, each
 * timed alone the same way into a file of its own, each file checked
 * byte for byte against the pattern after the session. MB = 1e6 bytes.
 *
 * Placement. Each of a call's packets is a round trip, a wake-up of
 * gdb and of the server, and where the two run decides more than the
 * server does: here gdbserver took 1.6 ms a call with gdb on its CPU and
 * 4.3 ms with gdb on the other one, and unpinned sessions landed
 * anywhere between (1.8 to 5.5 ms over ten sessions). So every session
 * is pinned (sched_setaffinity, inherited by the server and its target):
 * "split", gdb on the first CPU we may use and the server with its
 * target on the second, as gdb and a remote server usually run, and the
 * primary figures; then "same", all on the first CPU. With one CPU only
 * "same" runs, and is primary. The gdb-alone figure is "same". A pinned
 * session cannot move away from other work on its CPU: the min-max of
 * the loops shows how much of that there was.
 *
 * Per placement, P pairs of sessions alternate tracerd and gdbserver
 * (tracerd first in even pairs, gdbserver first in odd ones) so that the
 * machine's other load falls on both alike. A server's call figure is
 * the median of its P * R loops, its MB/s that of the median of its
 * P * D dumps.
 */

#ifndef BENCH_TRACERD
#define BENCH_TRACERD "server/tracerd"
#endif
#ifndef BENCH_RSPCALL_TARGET
#define BENCH_RSPCALL_TARGET "bench/rspcall-target"
#endif

#define BYTES (16u << 20)
#define MAX_SAMPLES 64

struct plan {
	int warmup; /* W */
	int calls;  /* K, calls per loop */
	int loops;  /* R, per session */
	int dumps;  /* D, per session */
	int pairs;  /* P, per placement */
};

/* What one server gave in one placement, over all its sessions. */
struct samples {
	double call_us[MAX_SAMPLES]; /* per call, the empty loop taken off */
	double loop_us[MAX_SAMPLES]; /* per iteration of the empty loop */
	double dump_s[MAX_SAMPLES];
	int ncalls, ndumps;
	bool failed;
};

/* Their medians. */
struct figures {
	double call_us, call_min, call_max, loop_us, mbs;
};

enum server { TRACERD, GDBSERVER, GDB_ALONE };
static const char *const server_name[] = { "tracerd", "gdbserver", "gdb" };

static char dir[] = "/tmp/rspcall.XXXXXX";
static unsigned char *want; /* the target's pattern */
static cpu_set_t all_cpus;  /* ours at the start */
static bool no_python;      /* gdb said it has none */

/* ---- one gdb session -------------------------------------------------- */

/* The batch script; port 0: gdb runs the target itself. */
static char *
gdb_script(const struct plan *p, int port)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	fprintf(f, "set pagination off\nset confirm off\nset width 0\n"
		"set logging file %s/gdb.log\nset logging overwrite on\n"
		"set logging redirect off\nset logging enabled on\n"
		"file %s\n", dir, BENCH_RSPCALL_TARGET);
	if (port)
		fprintf(f, "target remote 127.0.0.1:%d\nbreak ready\n"
			"continue\n", port);
	else
		fprintf(f, "break ready\nrun\n");
	/* flushed at each line: a session that dies halfway leaves what it
	 * measured so far */
	fprintf(f, "python\nimport time\nout = open(\"%s/result\", \"w\")\n"
		"def note(line):\n    out.write(line + \"\\n\")\n"
		"    out.flush()\nend\n", dir);
	fprintf(f, "set $i = 0\nwhile $i < %d\ncall add(2,3)\n"
		"set $i = $i + 1\nend\n", p->warmup);
	for (int r = 0; r < p->loops; r++) {
		fprintf(f, "python t0 = time.perf_counter()\nset $i = 0\n"
			"while $i < %d\nset $i = $i + 1\nend\n"
			"python note(\"empty %%.9f\" %% "
			"(time.perf_counter() - t0))\n", p->calls);
		fprintf(f, "python t0 = time.perf_counter()\nset $i = 0\n"
			"while $i < %d\ncall add(2,3)\nset $i = $i + 1\nend\n"
			"python note(\"calls %%.9f %%s\" %% "
			"(time.perf_counter() - t0, gdb.execute(\"print $\", "
			"to_string=True).strip()))\n", p->calls);
	}
	for (int d = 0; d < p->dumps; d++)
		fprintf(f, "python t0 = time.perf_counter()\n"
			"dump binary memory %s/dump%d buf buf+buf_len\n"
			"python note(\"dump %%.9f\" %% "
			"(time.perf_counter() - t0))\n", dir, d);
	fprintf(f, "python note(\"done\")\nkill\n");
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	return s;
}

/* The last lines of gdb's log on stderr, to say where a session broke;
 * notes a gdb without Python instead. */
static void
show_log(const char *who)
{
	char path[64], line[512], tail[12][512];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/gdb.log", dir);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "rspcall: %s: gdb left no log\n", who);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "Python scripting is not supported"))
			no_python = true;
		snprintf(tail[n++ % 12], sizeof(tail[0]), "%s", line);
	}
	fclose(f);
	if (no_python)
		return;
	fprintf(stderr, "rspcall: %s: the end of gdb's log:\n", who);
	for (int i = n > 12 ? n - 12 : 0; i < n; i++)
		fprintf(stderr, "    %s", tail[i % 12]);
}

static bool
dump_ok(int d, const char *who, unsigned char *out)
{
	char path[64];
	struct stat st;
	bool ok = false;
	int fd;

	snprintf(path, sizeof(path), "%s/dump%d", dir, d);
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || st.st_size != (off_t)BYTES ||
	    read(fd, out, BYTES) != (ssize_t)BYTES) {
		fprintf(stderr, "rspcall: %s: dump %d is not 16 MiB\n", who, d);
		goto out;
	}
	ok = !memcmp(out, want, BYTES);
	for (size_t i = 0; !ok && i < BYTES; i++)
		if (out[i] != want[i]) {
			fprintf(stderr, "rspcall: %s: dump %d: byte %zu is "
				"0x%02x, expected 0x%02x\n", who, d, i, out[i],
				want[i]);
			break;
		}
out:
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Add what the session measured to *sm; false when it is short, a call
 * did not give 5 or a dump is wrong. */
static bool
parse_result(const struct plan *p, const char *who, struct samples *sm,
	     unsigned char *out)
{
	int loops = 0, nd = 0, hist, val, n0 = sm->ncalls, d0 = sm->ndumps;
	bool done = false, ok = true;
	char path[64], line[256];
	double t, t_empty = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/result", dir);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (ok && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "empty %lf", &t) == 1) {
			t_empty = t;
		} else if (sscanf(line, "calls %lf $%d = %d", &t, &hist,
				  &val) == 3 && t_empty >= 0) {
			int want_hist = p->warmup + ++loops * (p->calls + 1);

			if (val != 5 || hist != want_hist) {
				const char *v = strchr(line, '$');

				fprintf(stderr, "rspcall: %s: loop %d ended "
					"with %.*s, not $%d = 5\n", who, loops,
					(int)strcspn(v, "\n"), v, want_hist);
				ok = false;
			} else if (sm->ncalls < MAX_SAMPLES) {
				sm->loop_us[sm->ncalls] = t_empty / p->calls *
							  1e6;
				sm->call_us[sm->ncalls++] = (t - t_empty) /
							    p->calls * 1e6;
			}
			t_empty = -1;
		} else if (sscanf(line, "dump %lf", &t) == 1) {
			if (sm->ndumps < MAX_SAMPLES)
				sm->dump_s[sm->ndumps++] = t;
			ok = dump_ok(nd++, who, out);
		} else if (!strcmp(line, "done\n")) {
			done = true;
		}
	}
	fclose(f);
	unlink(path);
	if (ok && (!done || loops != p->loops || nd != p->dumps)) {
		fprintf(stderr, "rspcall: %s: the session stopped after %d "
			"of %d loops and %d of %d dumps\n", who, loops,
			p->loops, nd, p->dumps);
		ok = false;
	}
	if (!ok) {
		/* nothing of a broken session counts */
		sm->ncalls = n0;
		sm->ndumps = d0;
	}
	return ok;
}

/* Run a session against whatever listens on port (0: none), gdb on
 * cpu; its figures added to *sm. False on failure (said on stderr). */
static bool
session(const char *gdb, const struct plan *p, int port, int cpu,
	const char *who, struct samples *sm, unsigned char *out)
{
	char *s = gdb_script(p, port), path[64];
	/* 10 s for the start, 50 ms a call and 20 s a dump: ten times what
	 * gdbserver takes here */
	double limit = 10 + (p->warmup + p->loops * p->calls) * 0.05 +
		       p->dumps * 20.0, secs;
	cpu_set_t one;
	bool ran, ok;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
	ran = s && bench_gdb_batch(gdb, s, limit, &secs);
	sched_setaffinity(0, sizeof(all_cpus), &all_cpus);
	free(s);
	ok = parse_result(p, who, sm, out);
	if (!ok)
		show_log(who);
	else if (!ran)
		/* the figures are in; only the closing kill failed */
		fprintf(stderr, "rspcall: %s: gdb did not exit 0 after the "
			"last dump\n", who);
	for (int d = 0; d < p->dumps; d++) {
		snprintf(path, sizeof(path), "%s/dump%d", dir, d);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/gdb.log", dir);
	unlink(path);
	return ok;
}

/* ---- the servers -------------------------------------------------------- */

/* tracerd on a socket in our private directory, serving --gdb on port;
 * its pid once it said it listens, or -1. */
static pid_t
tracerd_start(int port)
{
	char sock[64], log[64], where[32], line[256];
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/s", dir);
	snprintf(log, sizeof(log), "%s/tracerd.out", dir);
	snprintf(where, sizeof(where), "127.0.0.1:%d", port);
	pid = fork();
	if (pid == 0) {
		/* its "listening" line goes to a file we poll; warnings stay
		 * on stderr */
		int nul = open("/dev/null", O_RDONLY);
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (nul < 0 || fd < 0)
			_exit(127);
		dup2(nul, 0);
		dup2(fd, 1);
		execl(BENCH_TRACERD, BENCH_TRACERD, "--socket", sock,
		      "--log-level", "warn", "--gdb", where, "--launch",
		      BENCH_RSPCALL_TARGET, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	/* the line comes once the target is launched: a gdb that connects
	 * before would find no session */
	for (double end = bench_now() + 10; bench_now() < end;
	     usleep(5000)) {
		FILE *f = fopen(log, "r");
		bool up = false;
		int status;

		while (f && fgets(line, sizeof(line), f))
			up |= strstr(line, "listening") != NULL;
		if (f)
			fclose(f);
		if (up)
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "rspcall: %s exited before "
				"listening\n", BENCH_TRACERD);
			unlink(log);
			return -1;
		}
	}
	fprintf(stderr, "rspcall: %s not listening after 10 s\n",
		BENCH_TRACERD);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(log);
	return -1;
}

/* SIGTERM is a requested shutdown: tracerd must exit 0, in 10 s. */
static bool
tracerd_stop(pid_t pid)
{
	char path[64];
	int status = 0;
	bool ok = true;

	kill(pid, SIGTERM);
	for (double end = bench_now() + 10;
	     waitpid(pid, &status, WNOHANG) == 0; usleep(2000))
		if (bench_now() > end) {
			fprintf(stderr, "rspcall: tracerd still up 10 s after "
				"SIGTERM; killed\n");
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			ok = false;
			break;
		}
	if (ok && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		fprintf(stderr, "rspcall: tracerd ended with status 0x%x "
			"after SIGTERM\n", status);
		ok = false;
	}
	snprintf(path, sizeof(path), "%s/tracerd.out", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/s", dir);
	unlink(path);
	return ok;
}

/* One session of gdb on gdb_cpu with the server (started here, pinned
 * to srv_cpu, and stopped) or gdb alone. */
static bool
run_one(enum server w, const char *gdb, const char *gdbserver,
	const struct plan *p, int gdb_cpu, int srv_cpu, struct samples *sm,
	unsigned char *out)
{
	int port = w == GDB_ALONE ? 0 : bench_free_port();
	cpu_set_t one;
	bool ok;
	int pid;

	if (w == GDB_ALONE)
		return session(gdb, p, 0, gdb_cpu, "gdb", sm, out);
	if (port <= 0)
		return false;
	CPU_ZERO(&one);
	CPU_SET(srv_cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
	pid = w == TRACERD ? tracerd_start(port)
			   : bench_gdbserver_start(gdbserver, port,
						   BENCH_RSPCALL_TARGET, NULL);
	sched_setaffinity(0, sizeof(all_cpus), &all_cpus);
	if (pid < 0)
		return false;
	ok = session(gdb, p, port, gdb_cpu, server_name[w], sm, out);
	if (w == TRACERD) {
		/* a daemon that misbehaves at shutdown is reported, its
		 * figures kept: they were measured and checked */
		tracerd_stop(pid);
	} else {
		/* gdbserver --once goes with its inferior; not if gdb
		 * failed */
		if (!ok)
			kill(pid, SIGKILL);
		bench_reap(pid);
	}
	return ok;
}

static struct figures
figures_of(struct samples *sm)
{
	struct figures f = { -1, -1, -1, -1, -1 };
	double dump;

	if (sm->failed || !sm->ncalls || !sm->ndumps)
		return f;
	f.call_us = bench_median(sm->call_us, (size_t)sm->ncalls);
	f.call_min = sm->call_us[0]; /* sorted by bench_median */
	f.call_max = sm->call_us[sm->ncalls - 1];
	f.loop_us = bench_median(sm->loop_us, (size_t)sm->ncalls);
	dump = bench_median(sm->dump_s, (size_t)sm->ndumps);
	f.mbs = dump > 0 ? BYTES / dump / 1e6 : -1;
	return f;
}

/* ---- report ------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fputs("usage: rspcall [--json] [--quick] [--help]\n"
	      "\n"
	      "gdb's own `call add(2,3)` (injected by gdb through register\n"
	      "and memory packets) and `dump binary memory` of 16 MiB, in\n"
	      "gdb sessions through tracerd --gdb and through gdbserver, and\n"
	      "gdb alone; calls are timed inside gdb, without its startup.\n"
	      "Pinned: gdb and the server on two CPUs (primary), then on one.\n"
	      "MB = 1e6 bytes. call_ratio = tracerd / gdbserver call time\n"
	      "(target <= 0.5); read_ratio = tracerd / gdbserver MB/s\n"
	      "(target >= 1).\n"
	      "\n"
	      "  --json    one JSON object on stdout\n"
	      "  --quick   per placement one pair of sessions of 2 loops of\n"
	      "            100 calls and 1 dump; default: 3 pairs of 2 loops\n"
	      "            of 200 calls and 1 dump\n"
	      "\n"
	      "Exit: 0 measured, 1 failed, 77 no gdb (or no Python in it).\n",
	      f);
}

static void
json_num(const char *prefix, const char *key, double v, const char *fmt)
{
	printf("\"%s%s\": ", prefix, key);
	if (v > 0)
		printf(fmt, v);
	else
		printf("null");
	printf(", ");
}

static double
ratio(double a, double b)
{
	return a > 0 && b > 0 ? a / b : -1;
}

static void
json_placement(const char *prefix, const struct figures *t,
	       const struct figures *s)
{
	json_num(prefix, "tracerd_call_us", t->call_us, "%.1f");
	json_num(prefix, "gdbserver_call_us", s->call_us, "%.1f");
	json_num(prefix, "call_ratio", ratio(t->call_us, s->call_us), "%.3f");
	json_num(prefix, "tracerd_mb_per_s", t->mbs, "%.2f");
	json_num(prefix, "gdbserver_mb_per_s", s->mbs, "%.2f");
	json_num(prefix, "read_ratio", ratio(t->mbs, s->mbs), "%.3f");
}

static void
print_row(const char *who, const struct figures *f, const char *why)
{
	if (f->call_us > 0)
		printf("  %-10s %7.0f us/call (%.0f-%.0f)  %6.1f MB/s\n", who,
		       f->call_us, f->call_min, f->call_max, f->mbs);
	else
		printf("  %-10s %s\n", who, why);
}

static void
print_placement(const char *title, const struct figures *t,
		const struct figures *s, const char *why)
{
	double c = ratio(t->call_us, s->call_us), r = ratio(t->mbs, s->mbs);

	printf("%s\n", title);
	print_row("tracerd", t, "failed");
	print_row("gdbserver", s, why);
	if (c > 0)
		printf("  call: tracerd / gdbserver time %.2f (target <= 0.5: "
		       "%s)\n", c, c <= 0.5 ? "met" : "not met");
	if (r > 0)
		printf("  read: tracerd / gdbserver MB/s %.2f (target >= 1: "
		       "%s)\n", r, r >= 1 ? "met" : "not met");
}

int
main(int argc, char **argv)
{
	struct plan p = { .warmup = 20, .calls = 200, .loops = 2, .dumps = 1,
			  .pairs = 3 };
	/* [placement][server]: placement 0 split, 1 same */
	static struct samples sm[2][3];
	struct figures f[2][3];
	char gdb[512], gdbserver[512], title[2][128];
	bool json = false, have_srv;
	int cpu[2] = { -1, -1 }, nplace, rc = 0;
	unsigned char *out;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--quick")) {
			p = (struct plan){ .warmup = 10, .calls = 100,
					   .loops = 2, .dumps = 1,
					   .pairs = 1 };
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!bench_which("gdb", gdb, sizeof(gdb))) {
		fprintf(stderr, "rspcall: gdb is not installed: nothing to "
			"measure (tools/quickstart installs it)\n");
		return 77;
	}
	have_srv = bench_which("gdbserver", gdbserver, sizeof(gdbserver));
	if (!have_srv)
		fprintf(stderr, "rspcall: gdbserver is not installed: its "
			"column is skipped\n");
	if (sched_getaffinity(0, sizeof(all_cpus), &all_cpus)) {
		fprintf(stderr, "rspcall: sched_getaffinity: %s\n",
			strerror(errno));
		return 1;
	}
	for (int c = 0, n = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &all_cpus))
			cpu[n++] = c;
	/* placement 0 is split when there are two CPUs, else it is same */
	nplace = cpu[1] >= 0 ? 2 : 1;
	if (cpu[1] < 0)
		cpu[1] = cpu[0];
	snprintf(title[0], sizeof(title[0]), nplace == 2 ?
		 "gdb on CPU %d, the server and its target on CPU %d:" :
		 "gdb, the server and its target on CPU %d:", cpu[0], cpu[1]);
	snprintf(title[1], sizeof(title[1]), "gdb, the server and its "
		 "target all on CPU %d:", cpu[0]);
	want = malloc(BYTES);
	out = malloc(BYTES);
	if (!want || !out || !mkdtemp(dir)) {
		fprintf(stderr, "rspcall: %s\n", strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < BYTES; i++)
		want[i] = (unsigned char)((i * 131 + 7) & 0xff);
	sm[0][GDBSERVER].failed = sm[1][GDBSERVER].failed = !have_srv;

	for (int pl = 0; pl < nplace && !rc; pl++) {
		int srv_cpu = pl == 0 ? cpu[1] : cpu[0];

		for (int i = 0; i < 2 * p.pairs && !rc; i++) {
			/* T S, S T, T S...: drift in the load falls on both */
			enum server w = (i + i / 2) % 2 ? GDBSERVER : TRACERD;
			struct samples *s = &sm[pl][w];

			if (s->failed)
				continue;
			if (!run_one(w, gdb, gdbserver, &p, cpu[0], srv_cpu, s,
				     out))
				s->failed = true;
			if (no_python)
				rc = 77;
			else if (w == TRACERD && s->failed)
				rc = 1;
		}
	}
	if (!rc && !run_one(GDB_ALONE, gdb, NULL, &p, cpu[0], cpu[0],
			    &sm[1][GDB_ALONE], out))
		sm[1][GDB_ALONE].failed = true;
	rmdir(dir);
	free(want);
	free(out);
	if (rc == 77)
		fprintf(stderr, "rspcall: %s has no Python, which times the "
			"loops\n", gdb);
	if (rc)
		return rc;
	for (int pl = 0; pl < 2; pl++)
		for (int w = 0; w < 3; w++)
			f[pl][w] = figures_of(&sm[pl][w]);

	if (json) {
		printf("{\"placement\": \"%s\", ", nplace == 2 ? "split" :
		       "same");
		json_placement("", &f[0][TRACERD], &f[0][GDBSERVER]);
		json_num("", "tracerd_call_us_min", f[0][TRACERD].call_min,
			 "%.1f");
		json_num("", "tracerd_call_us_max", f[0][TRACERD].call_max,
			 "%.1f");
		json_num("", "gdbserver_call_us_min",
			 f[0][GDBSERVER].call_min, "%.1f");
		json_num("", "gdbserver_call_us_max",
			 f[0][GDBSERVER].call_max, "%.1f");
		if (nplace == 2)
			json_placement("same_cpu_", &f[1][TRACERD],
				       &f[1][GDBSERVER]);
		json_num("", "gdb_call_us", f[1][GDB_ALONE].call_us, "%.1f");
		json_num("", "gdb_mb_per_s", f[1][GDB_ALONE].mbs, "%.1f");
		json_num("", "loop_us", f[0][TRACERD].loop_us, "%.2f");
		printf("\"cpus\": [%d, %d], \"calls\": %d, \"loops\": %d, "
		       "\"pairs\": %d, \"warmup\": %d, \"dumps\": %d, "
		       "\"bytes\": %u}\n", cpu[0], cpu[1], p.calls, p.loops,
		       p.pairs, p.warmup, p.dumps, BYTES);
		return 0;
	}
	printf("gdb's own call add(2,3) and dump binary memory of 16 MiB, "
	       "timed inside gdb\n(per server and placement: median of %d "
	       "loops of %d calls, the empty loop\ntaken off, min-max in "
	       "brackets; median of %d dumps; MB = 1e6 bytes)\n",
	       p.pairs * p.loops, p.calls, p.pairs * p.dumps);
	for (int pl = 0; pl < nplace; pl++)
		print_placement(title[pl], &f[pl][TRACERD], &f[pl][GDBSERVER],
				have_srv ? "failed" : "not installed");
	printf("gdb alone, on CPU %d:\n", cpu[0]);
	print_row("gdb", &f[1][GDB_ALONE], "failed");
	return 0;
}
