/* index.c: time to break at the last function of a huge program, tracerd vs gdb. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "symbols/dwarf_index.h"
#include "base/error.h"
#include "base/log.h"
#include "symbols/symtab.h"
#include "target/tracer.h"

/*
 * Method. bench/gen-index writes a program of N functions fn_0..fn_{N-1}
 * and N struct types into a cache directory (default: index-prog/ next to
 * this executable); it is compiled there with `cc -O0 -g`, one unit per
 * CPU at a time, and its DIEs are counted once with readelf: all of them,
 * and those at the top level of their unit (the units and their
 * children), which is what tr_dwarf_dies_seen() counts. The program is
 * reused until --functions or --types change or gen-index is rebuilt.
 *
 * One tracerd repetition, timed from before tr_tracer_new() to after
 * tr_bp_insert() succeeds, is what a debugger front end does for
 * `tracerd prog` + `break fn_{N-1}`:
 *
 *   launch  tr_tracer_new + tr_launch (the program stops at its exec);
 *   symtab  tr_symtab_new(pid): the executable's load bias;
 *   index   tr_dwarf_open(prog): the top-level DWARF index;
 *   break   tr_dwarf_lookup, 16 code bytes with tr_mem_read,
 *           tr_dwarf_breakpoint_addr (reads the unit's line table),
 *           tr_bp_insert.
 *
 * Then, untimed, the program is resumed and must stop on that breakpoint,
 * and gdb's address for the same breakpoint must be the same: a benchmark
 * that measures a wrong answer is worthless, so a mismatch is an error.
 *
 * One gdb repetition is the issue's command, `gdb -nx -batch -ex 'break
 * fn_{N-1}' prog`, from fork to exit; it must print "Breakpoint 1 at".
 * gdb does not run the program; tracerd does, so tracerd's time includes
 * a fork and exec that gdb's does not. For information, the same command
 * on a one-line program (`break main`) shows gdb's fixed startup cost.
 *
 * Memory: once, after the timings, a daemon (`tracerd --launch PROG`) is
 * asked `tracectl break FN` as a user would; tracerd_rss_kb is its VmHWM
 * then (everything the session took, the second debug-info instance of
 * the event loop included), tracerd_rss_after_kb its VmRSS after `kill`
 * ended the session (once it has held for 250 ms: the session ends after
 * the reply). gdb_rss_kb is the largest ru_maxrss of the gdb runs
 * on the program (wait4).
 *
 * The machine is shared and noisy: the two sides alternate (one untimed
 * warm-up each first, so both find the program in the page cache), and
 * the median of --reps repetitions of each is compared. The phase times
 * are medians of their own, so they need not add up to the total.
 */

#define DEFAULT_FUNCTIONS 20000
#define DEFAULT_TYPES 20000
#define DEFAULT_REPS 5
#define MAX_REPS 1000
#define NFILES 20

/* The issue's targets. */
#define TARGET_READY_S 0.5
#define TARGET_RATIO 3.0

/* Bytes of code tr_dwarf_breakpoint_addr wants. */
#define CODE_LEN 16

enum phase { PH_LAUNCH, PH_SYMTAB, PH_INDEX, PH_BREAK, NPHASES };

static const char *const phase_names[NPHASES] = { "launch", "symtab",
						  "dwarf index",
						  "lookup + break" };
static const char *const phase_keys[NPHASES] = { "launch_s", "symtab_s",
						 "dwarf_index_s", "break_s" };

struct config {
	long functions;
	long types;
	int reps;
	int jobs;
	bool json;
	bool verbose;
	const char *dir;
	const char *cc;
	const char *gdb;
	const char *gen;
};

/* What we know of the generated program. */
struct prog {
	char path[PATH_MAX + 16];
	char tiny[PATH_MAX + 16]; /* a one-line program: gdb's fixed cost */
	char fname[64];           /* fn_{N-1} */
	long dies;                /* every DIE; -1 if readelf failed */
	long top_dies;            /* CU DIEs and their children */
	long long bytes;          /* size of the executable */
};

/* One tracerd repetition. */
struct tracerd_run {
	double total;
	double phase[NPHASES];
	uint64_t bias;
	uint64_t link_addr;  /* the breakpoint, link-time */
	uint64_t dies_seen;  /* tr_dwarf_dies_seen */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void __attribute__((format(printf, 1, 2)))
note(const char *fmt, ...)
{
	va_list ap;

	/* Progress goes to stderr so that --json leaves stdout to the
	 * object alone. */
	va_start(ap, fmt);
	fputs("index: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(const double *v, int n)
{
	double s[MAX_REPS];

	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double
minimum(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

/* ---- running other programs ---------------------------------------------- */

/*
 * Spawn argv with stdin from /dev/null and stdout+stderr into a pipe
 * (NULL out: to /dev/null); the pipe's first outsz-1 bytes go to out.
 * Returns the wait status, or -1 when it could not be started. The child
 * gets an empty signal mask: tr_tracer_new() blocks SIGCHLD in this
 * thread, and no child should inherit that.
 */
static long run_maxrss_kb; /* the peak RSS of run's last child */

static int
run(char *const argv[], char *out, size_t outsz)
{
	struct rusage ru = { 0 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int fds[2] = { -1, -1 }, status = -1;
	size_t len = 0;
	pid_t pid;
	int err;

	if (out && pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out) {
		posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
		posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	} else {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
						 0);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	}
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	err = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (out)
		close(fds[1]);
	if (err) {
		if (out)
			close(fds[0]);
		errno = err;
		return -1;
	}
	if (out) {
		for (;;) {
			char buf[4096];
			ssize_t r = read(fds[0], buf, sizeof(buf));

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (len + 1 < outsz) {
				size_t k = (size_t)r;

				if (k > outsz - 1 - len)
					k = outsz - 1 - len;
				memcpy(out + len, buf, k);
				len += k;
			}
		}
		out[len] = 0;
		close(fds[0]);
	}
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	run_maxrss_kb = ru.ru_maxrss;
	return status;
}

static bool
exited_ok(int status)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* `cmd` through the shell, so that CC may carry flags ("gcc -m64"). */
static pid_t
spawn_sh(const char *cmd)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	pid_t pid;

	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0)
		return -1;
	return pid;
}

/* Run the shell commands cmds[0..n), at most `jobs` at a time. */
static bool
run_parallel(char **cmds, int n, int jobs)
{
	int next = 0, running = 0;
	bool ok = true;

	while (next < n || running > 0) {
		int status;

		while (ok && next < n && running < jobs) {
			if (spawn_sh(cmds[next]) < 0) {
				note("cannot run: %s", cmds[next]);
				ok = false;
				break;
			}
			next++;
			running++;
		}
		if (running == 0)
			break;
		if (wait(&status) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		running--;
		if (!exited_ok(status))
			ok = false;
	}
	return ok;
}

/* Find `name` as an executable, directly or through PATH: *out. */
static bool
find_exec(const char *name, char *out, size_t outsz)
{
	const char *p = getenv("PATH");

	if (strchr(name, '/')) {
		snprintf(out, outsz, "%s", name);
		return access(out, X_OK) == 0;
	}
	if (!p)
		p = "/usr/local/bin:/usr/bin:/bin";
	for (;;) {
		const char *end = strchrnul(p, ':');
		int n = (int)(end - p);

		if ((size_t)snprintf(out, outsz, "%.*s/%s", n, p, name) <
		    outsz && access(out, X_OK) == 0)
			return true;
		if (!*end)
			return false;
		p = end + 1;
	}
}

/* ---- the generated program ----------------------------------------------- */

/* The directory this executable is in: gen-index and the default cache
 * directory live next to it in the build tree. */
static void
self_dir(char *out, size_t outsz)
{
	ssize_t n = readlink("/proc/self/exe", out, outsz - 1);
	char *slash;

	if (n <= 0) {
		snprintf(out, outsz, ".");
		return;
	}
	out[n] = 0;
	slash = strrchr(out, '/');
	if (slash)
		*slash = 0;
}

/*
 * Count DIEs from readelf's dump: each DIE is one line
 * " <depth><offset>: Abbrev Number: K (DW_TAG_...)", K 0 being the null
 * entry that ends a list of children, not a DIE. Depth 0 and 1 lines are
 * what tr_dwarf_dies_seen() counts (units and their children).
 */
static bool
count_dies(const char *prog, long *all, long *top)
{
	char cmd[PATH_MAX + 64];
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	*all = *top = 0;
	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=info '%s' 2>/dev/null",
		 prog);
	f = popen(cmd, "r");
	if (!f)
		return false;
	while (getline(&line, &cap, f) > 0) {
		const char *p = line;
		long depth = 0;

		while (*p == ' ')
			p++;
		if (*p++ != '<' || *p < '0' || *p > '9')
			continue;
		while (*p >= '0' && *p <= '9')
			depth = depth * 10 + (*p++ - '0');
		if (*p++ != '>' || *p != '<')
			continue;
		p = strchr(p, '>');
		if (!p || strncmp(p, ">: Abbrev Number: ", 18) != 0)
			continue;
		p += 18;
		if (*p < '1' || *p > '9')
			continue;
		(*all)++;
		if (depth <= 1)
			(*top)++;
	}
	free(line);
	return exited_ok(pclose(f)) && *all > 0;
}

static bool
read_stamp(const char *path, const struct config *cfg, struct prog *p)
{
	long functions = -1, types = -1;
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "functions %ld types %ld dies %ld top %ld",
		    &functions, &types, &p->dies, &p->top_dies) == 4;
	fclose(f);
	return ok && functions == cfg->functions && types == cfg->types;
}

static bool
newer(const char *a, const char *b)
{
	struct stat sa, sb;

	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return false;
	return sa.st_mtim.tv_sec > sb.st_mtim.tv_sec ||
	       (sa.st_mtim.tv_sec == sb.st_mtim.tv_sec &&
		sa.st_mtim.tv_nsec > sb.st_mtim.tv_nsec);
}

/* The source of the tiny program: gdb's time on it is its fixed cost. */
static const char tiny_src[] =
	"/* tiny.c: written by bench/index; gdb's startup cost. */\n"
	"int\nmain(void)\n{\n\treturn 0;\n}\n";

/* Compile the units (one per CPU at a time) and the tiny program, then
 * link. Object files are named, not globbed: the directory may hold
 * others. */
static int
build(const struct config *cfg, const char *dir, const struct prog *p)
{
	char *cmds[NFILES + 2], *link = NULL, src[PATH_MAX + 32];
	size_t linklen = 0;
	int n = 0, ret = -1;
	FILE *f, *lf;

	snprintf(src, sizeof(src), "%s.c", p->tiny);
	f = fopen(src, "w");
	if (!f)
		return -1;
	fputs(tiny_src, f);
	fclose(f);
	lf = open_memstream(&link, &linklen);
	if (!lf)
		return -1;
	fprintf(lf, "%s -o '%s'", cfg->cc, p->path);
	/* -w: the generated code is not worth the warnings' time. */
	for (int k = 0; k <= NFILES; k++) {
		char unit[32];

		if (k < NFILES)
			snprintf(unit, sizeof(unit), "prog_%02d", k);
		else
			snprintf(unit, sizeof(unit), "main");
		if (asprintf(&cmds[n], "%s -O0 -g -w -c -o '%s/%s.o' "
			     "'%s/%s.c'", cfg->cc, dir, unit, dir, unit) < 0)
			goto out;
		n++;
		fprintf(lf, " '%s/%s.o'", dir, unit);
	}
	if (asprintf(&cmds[n], "%s -O0 -g -o '%s' '%s'", cfg->cc, p->tiny,
		     src) < 0)
		goto out;
	n++;
	if (fclose(lf) != 0) {
		lf = NULL;
		goto out;
	}
	lf = NULL;
	note("compiling %d units with %s, %d at a time", n, cfg->cc,
	     cfg->jobs);
	if (!run_parallel(cmds, n, cfg->jobs)) {
		note("compiling the program failed");
		goto out;
	}
	if (!run_parallel(&link, 1, 1)) {
		note("linking the program failed");
		goto out;
	}
	ret = 0;
out:
	if (lf)
		fclose(lf);
	free(link);
	for (int k = 0; k < n; k++)
		free(cmds[k]);
	return ret;
}

/* Generate, build and measure the program unless the cache has it. */
static int
prepare_program(const struct config *cfg, struct prog *p)
{
	char stamp[PATH_MAX + 16], dir[PATH_MAX], nf[32], nt[32], nfiles[32];
	char *argv[] = { (char *)cfg->gen, "--functions", nf, "--types", nt,
			 "--files", nfiles, "--dir", dir, NULL };
	struct stat sb;
	double t0;
	FILE *f;

	if (mkdir(cfg->dir, 0777) != 0 && errno != EEXIST) {
		note("cannot create %s: %s", cfg->dir, strerror(errno));
		return -1;
	}
	if (!realpath(cfg->dir, dir)) {
		note("%s: %s", cfg->dir, strerror(errno));
		return -1;
	}
	snprintf(p->path, sizeof(p->path), "%s/prog", dir);
	snprintf(p->tiny, sizeof(p->tiny), "%s/tiny", dir);
	snprintf(p->fname, sizeof(p->fname), "fn_%ld", cfg->functions - 1);
	snprintf(stamp, sizeof(stamp), "%s/prog.stamp", dir);
	if (access(p->path, X_OK) == 0 && access(p->tiny, X_OK) == 0 &&
	    read_stamp(stamp, cfg, p) && !newer(cfg->gen, stamp))
		goto done;

	unlink(stamp);
	t0 = now();
	note("generating %ld functions and %ld types in %s", cfg->functions,
	     cfg->types, dir);
	snprintf(nf, sizeof(nf), "%ld", cfg->functions);
	snprintf(nt, sizeof(nt), "%ld", cfg->types);
	snprintf(nfiles, sizeof(nfiles), "%d", NFILES);
	if (!exited_ok(run(argv, NULL, 0))) {
		note("%s failed (build it with `make bench`, or pass --gen)",
		     cfg->gen);
		return -1;
	}
	if (build(cfg, dir, p) < 0)
		return -1;
	note("counting DIEs with readelf");
	if (!count_dies(p->path, &p->dies, &p->top_dies)) {
		note("readelf could not count the DIEs");
		p->dies = p->top_dies = -1;
	}
	f = fopen(stamp, "w");
	if (f) {
		fprintf(f, "functions %ld types %ld dies %ld top %ld\n",
			cfg->functions, cfg->types, p->dies, p->top_dies);
		fclose(f);
	}
	note("program ready in %.1f s", now() - t0);
done:
	if (stat(p->path, &sb) != 0) {
		note("%s: %s", p->path, strerror(errno));
		return -1;
	}
	p->bytes = (long long)sb.st_size;
	return 0;
}

/* ---- tracerd ------------------------------------------------------------- */

static int
fail(const char *what, int err)
{
	note("tracerd: %s: %s", what, tr_strerror(err));
	return -1;
}

/*
 * One repetition (see the method at the top). Returns 0 when the
 * breakpoint was planted and hit, -1 otherwise.
 */
static int
tracerd_once(const struct prog *p, struct tracerd_run *r)
{
	struct tr_tracer *t = NULL;
	struct tr_symtab *st = NULL;
	struct tr_dwarf *d = NULL;
	const struct tr_module *exe = NULL;
	const struct tr_dw_entry *fn = NULL;
	struct tr_launch l = {
		.path = p->path,
		.stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1,
	};
	uint8_t code[CODE_LEN];
	struct tr_event ev;
	uint64_t addr;
	double t0, t1, t2, t3, t4;
	size_t n;
	pid_t pid;
	int err, ret = -1;

	t0 = now();
	err = tr_tracer_new(NULL, &t);
	if (err)
		return fail("tr_tracer_new", err);
	err = tr_launch(t, &l, &pid);
	if (err) {
		fail("tr_launch", err);
		goto out;
	}
	t1 = now();
	err = tr_symtab_new(pid, &st);
	if (err) {
		fail("tr_symtab_new", err);
		goto out;
	}
	for (size_t i = 0; i < tr_symtab_nmodules(st) && !exe; i++)
		if (tr_symtab_module(st, i)->is_exec)
			exe = tr_symtab_module(st, i);
	if (!exe) {
		note("tracerd: no executable module in the symbol table");
		goto out;
	}
	t2 = now();
	err = tr_dwarf_open(p->path, &d);
	if (err) {
		fail("tr_dwarf_open", err);
		goto out;
	}
	t3 = now();
	/* Definitions come first; one is enough. */
	err = tr_dwarf_lookup(d, p->fname, TR_DW_FUNC, &fn, 1, &n);
	if (err || fn->declaration || !fn->lowpc) {
		fail(p->fname, err ? err : -TR_ENOENT);
		goto out;
	}
	err = tr_mem_read(t, exe->bias + fn->lowpc, code, sizeof(code), NULL);
	if (err) {
		fail("tr_mem_read", err);
		goto out;
	}
	err = tr_dwarf_breakpoint_addr(d, fn, code, sizeof(code), &addr);
	if (err) {
		fail("tr_dwarf_breakpoint_addr", err);
		goto out;
	}
	err = tr_bp_insert(t, exe->bias + addr);
	if (err) {
		fail("tr_bp_insert", err);
		goto out;
	}
	t4 = now();

	r->total = t4 - t0;
	r->phase[PH_LAUNCH] = t1 - t0;
	r->phase[PH_SYMTAB] = t2 - t1;
	r->phase[PH_INDEX] = t3 - t2;
	r->phase[PH_BREAK] = t4 - t3;
	r->bias = exe->bias;
	r->link_addr = addr;
	r->dies_seen = tr_dwarf_dies_seen(d);

	/* Untimed: the breakpoint must be hit where we put it. -1: deliver
	 * no signal (0 would pass on the one of the last stop). */
	err = tr_cont(t, 0, -1, &ev);
	if (err) {
		fail("tr_cont", err);
		goto out;
	}
	if (ev.type != TR_EV_STOP || ev.reason != TR_STOP_BREAKPOINT ||
	    ev.addr != exe->bias + addr || ev.pc != exe->bias + addr) {
		note("tracerd: expected a breakpoint stop at %#" PRIx64
		     ", got %s/%s at pc %#" PRIx64 " addr %#" PRIx64,
		     exe->bias + addr, tr_event_type_name(ev.type),
		     tr_stop_reason_name(ev.reason), ev.pc, ev.addr);
		goto out;
	}
	ret = 0;
out:
	if (t) {
		err = tr_kill(t);
		if (err && err != -TR_ENOTARGET && err != -TR_EGONE)
			fail("tr_kill", err);
	}
	tr_dwarf_close(d);
	if (st)
		tr_symtab_free(st);
	if (t)
		tr_tracer_free(t);
	return ret;
}

/* ---- gdb ----------------------------------------------------------------- */

static long gdb_rss_kb; /* gdb's peak RSS on the program, largest seen */

/* One `gdb -nx -batch -ex 'break FN' PROG`: its time, or -1. *addr gets
 * the address gdb printed (link-time: gdb has not run the program). */
static double
gdb_once(const char *gdb, const char *prog, const char *fn, uint64_t *addr)
{
	char brk[96], out[8192];
	char *argv[] = { (char *)gdb, "-nx", "-batch", "-ex", brk,
			 (char *)prog, NULL };
	const char *s;
	double t0, t;
	int status;

	snprintf(brk, sizeof(brk), "break %s", fn);
	t0 = now();
	status = run(argv, out, sizeof(out));
	t = now() - t0;
	s = strstr(out, "Breakpoint 1 at ");
	if (!exited_ok(status) || !s) {
		note("gdb failed (status %#x): %s", (unsigned)status, out);
		return -1;
	}
	*addr = strtoull(s + 16, NULL, 16);
	if (run_maxrss_kb > gdb_rss_kb && strcmp(fn, "main"))
		gdb_rss_kb = run_maxrss_kb;
	return t;
}

/* ---- the daemon's memory ---------------------------------------------------- */

#ifndef BENCH_TRACERD
#define BENCH_TRACERD "server/tracerd"
#endif
#ifndef BENCH_TRACECTL
#define BENCH_TRACECTL "tools/tracectl"
#endif

/* A field of /proc/PID/status in kB, or -1. */
static long
status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/*
 * What a user's session costs the daemon: `tracerd --launch PROG`, then
 * `tracectl break FN`, as gdb's `break FN`; *peak_kb gets the daemon's
 * VmHWM then (its peak so far), *after_kb its VmRSS once the session was
 * killed and ended. 0, or -1 (said why).
 */
static int
tracerd_memory(const struct prog *p, long *peak_kb, long *after_kb)
{
	char dir[] = "/tmp/bench-index.XXXXXX", sock[64], out[4096];
	char *brk[] = { BENCH_TRACECTL, "--socket", sock, "break",
			(char *)p->fname, NULL };
	char *kill_[] = { BENCH_TRACECTL, "--socket", sock, "kill", NULL };
	char *down[] = { BENCH_TRACECTL, "--socket", sock, "shutdown", NULL };
	struct stat st;
	pid_t pid;
	int ret = -1, status;

	*peak_kb = *after_kb = -1;
	if (!mkdtemp(dir))
		return -1;
	snprintf(sock, sizeof(sock), "%s/s", dir);
	pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(nul, 0);
		dup2(nul, 1);
		execl(BENCH_TRACERD, BENCH_TRACERD, "--socket", sock,
		      "--log-level", "warn", "--launch", p->path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		rmdir(dir);
		return -1;
	}
	for (double end = now() + 10; stat(sock, &st) != 0; usleep(5000))
		if (now() > end || waitpid(pid, &status, WNOHANG) == pid) {
			note("%s did not start", BENCH_TRACERD);
			goto out;
		}
	if (!exited_ok(run(brk, out, sizeof(out))) ||
	    !strstr(out, "Breakpoint 1 at")) {
		note("tracectl break %s failed: %s", p->fname, out);
		goto out;
	}
	*peak_kb = status_kb(pid, "VmHWM");
	if (!exited_ok(run(kill_, out, sizeof(out)))) {
		note("tracectl kill failed: %s", out);
		goto out;
	}
	/* The session ends (its threads joined, malloc_trim) after the
	 * reply to kill: read until the figure has held for 250 ms. */
	*after_kb = status_kb(pid, "VmRSS");
	for (int same = 0, i = 0; same < 5 && i < 200; i++) {
		long v;

		usleep(50000);
		v = status_kb(pid, "VmRSS");
		same = v == *after_kb ? same + 1 : 0;
		*after_kb = v;
	}
	ret = 0;
out:
	if (!exited_ok(run(down, NULL, 0)))
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	unlink(sock);
	rmdir(dir);
	return ret;
}

/* ---- output -------------------------------------------------------------- */

struct results {
	int reps;
	double tr[MAX_REPS];
	double ph[NPHASES][MAX_REPS];
	double gdb[MAX_REPS];
	double tiny[MAX_REPS]; /* gdb on the tiny program */
	bool have_gdb;
	struct tracerd_run last;
	long tr_rss_kb, tr_rss_after_kb; /* the daemon's (tracerd_memory) */
};

static const char *
verdict(bool ok)
{
	return ok ? "PASS" : "MISS";
}

static void
print_table(const struct config *cfg, const struct prog *p,
	    const struct results *r)
{
	double trm = median(r->tr, r->reps);
	double gm = r->have_gdb ? median(r->gdb, r->reps) : 0;
	char what[64];

	printf("index: launch + DWARF index + break at the last function, "
	       "tracerd vs gdb\n\n");
	printf("program     %s\n", p->path);
	printf("functions   %ld\n", cfg->functions);
	printf("types       %ld\n", cfg->types);
	if (p->dies >= 0)
		printf("DIEs        %ld (readelf), of which %ld units and their"
		       " children\n", p->dies, p->top_dies);
	else
		printf("DIEs        unknown (readelf failed)\n");
	printf("            tracerd's index looked at %" PRIu64 "\n",
	       r->last.dies_seen);
	printf("binary      %.1f MB\n", (double)p->bytes / 1e6);
	printf("breakpoint  %s at %#" PRIx64 "%s, hit at %#" PRIx64 "\n\n",
	       p->fname, r->last.link_addr,
	       r->have_gdb ? " (link time, as gdb says)" : " (link time)",
	       r->last.bias + r->last.link_addr);

	printf("%-30s %9s %9s   (%d reps)\n", "", "median", "min", r->reps);
	printf("%-30s %8.3fs %8.3fs\n", "tracerd ready to break", trm,
	       minimum(r->tr, r->reps));
	for (int k = 0; k < NPHASES; k++)
		printf("  %-28s %8.3fs %8.3fs\n", phase_names[k],
		       median(r->ph[k], r->reps), minimum(r->ph[k], r->reps));
	if (r->have_gdb) {
		printf("%-30s %8.3fs %8.3fs\n", "gdb -batch -ex 'break FN'",
		       gm, minimum(r->gdb, r->reps));
		printf("  %-28s %8.3fs %8.3fs\n", "break main, tiny program",
		       median(r->tiny, r->reps), minimum(r->tiny, r->reps));
		printf("%-30s %8.2fx\n", "ratio gdb/tracerd (medians)",
		       gm / trm);
	} else {
		printf("%-30s %9s\n", "gdb", "not installed");
	}
	printf("\n%-30s %8.1f MB\n", "tracerd daemon, peak RSS",
	       r->tr_rss_kb / 1024.0);
	printf("%-30s %8.1f MB\n", "  after the session ended",
	       r->tr_rss_after_kb / 1024.0);
	if (r->have_gdb)
		printf("%-30s %8.1f MB (tracerd %.0f%%)\n", "gdb, peak RSS",
		       gdb_rss_kb / 1024.0, 100.0 * r->tr_rss_kb / gdb_rss_kb);
	snprintf(what, sizeof(what), "tracerd ready to break <= %.1f s",
		 TARGET_READY_S);
	printf("\ntarget: %-33s %s (%.3f s)\n", what,
	       verdict(trm <= TARGET_READY_S), trm);
	snprintf(what, sizeof(what), "gdb / tracerd >= %.0fx", TARGET_RATIO);
	if (r->have_gdb)
		printf("target: %-33s %s (%.2fx)\n", what,
		       verdict(gm / trm >= TARGET_RATIO), gm / trm);
	else
		printf("target: %-33s n/a (no gdb)\n", what);
	if (r->have_gdb)
		printf("target: %-33s %s (%.0f%%)\n", "tracerd RSS <= gdb's / 2",
		       verdict(2 * r->tr_rss_kb <= gdb_rss_kb),
		       100.0 * r->tr_rss_kb / gdb_rss_kb);
}

static void
json_num(const char *key, double v, bool have)
{
	if (have)
		printf("  \"%s\": %.6f,\n", key, v);
	else
		printf("  \"%s\": null,\n", key);
}

static void
print_json(const struct config *cfg, const struct prog *p,
	   const struct results *r)
{
	double trm = median(r->tr, r->reps);
	double gm = r->have_gdb ? median(r->gdb, r->reps) : 0;
	bool g = r->have_gdb;

	printf("{\n");
	json_num("tracerd_s", trm, true);
	json_num("gdb_s", gm, g);
	json_num("ratio", g ? gm / trm : 0, g);
	json_num("tracerd_min_s", minimum(r->tr, r->reps), true);
	json_num("gdb_min_s", g ? minimum(r->gdb, r->reps) : 0, g);
	json_num("gdb_tiny_s", g ? median(r->tiny, r->reps) : 0, g);
	printf("  \"phases\": {");
	for (int k = 0; k < NPHASES; k++)
		printf("%s\"%s\": %.6f", k ? ", " : "", phase_keys[k],
		       median(r->ph[k], r->reps));
	printf("},\n");
	if (p->dies >= 0)
		printf("  \"dies\": %ld,\n  \"top_level_dies\": %ld,\n",
		       p->dies, p->top_dies);
	else
		printf("  \"dies\": null,\n  \"top_level_dies\": null,\n");
	printf("  \"dies_seen\": %" PRIu64 ",\n", r->last.dies_seen);
	printf("  \"tracerd_rss_kb\": %ld,\n  \"tracerd_rss_after_kb\": %ld,\n",
	       r->tr_rss_kb, r->tr_rss_after_kb);
	if (g)
		printf("  \"gdb_rss_kb\": %ld,\n  \"rss_pass\": %s,\n",
		       gdb_rss_kb, 2 * r->tr_rss_kb <= gdb_rss_kb ? "true"
								: "false");
	else
		printf("  \"gdb_rss_kb\": null,\n  \"rss_pass\": null,\n");
	printf("  \"functions\": %ld,\n  \"types\": %ld,\n", cfg->functions,
	       cfg->types);
	printf("  \"binary_bytes\": %lld,\n  \"reps\": %d,\n", p->bytes,
	       r->reps);
	printf("  \"breakpoint\": \"%s\",\n  \"breakpoint_addr\": %" PRIu64
	       ",\n", p->fname, r->last.link_addr);
	printf("  \"ready_target_s\": %.1f,\n  \"ready_pass\": %s,\n",
	       TARGET_READY_S, trm <= TARGET_READY_S ? "true" : "false");
	printf("  \"ratio_target\": %.1f,\n  \"ratio_pass\": %s\n}\n",
	       TARGET_RATIO, !g ? "null" :
	       gm / trm >= TARGET_RATIO ? "true" : "false");
}

/* ---- main ---------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: index [--functions N] [--types N] [--reps N] [--json]\n"
		"             [--dir DIR] [--cc CC] [--gdb GDB] [--gen PATH]\n"
		"             [--jobs N] [--verbose]\n"
		"  --functions N  functions in the program (default %d)\n"
		"  --types N      struct types in the program (default %d)\n"
		"  --reps N       timed repetitions of each side (default %d)\n"
		"  --json         print one JSON object instead of the table\n"
		"  --dir DIR      where the program is generated and kept\n"
		"                 (default: index-prog/ next to this program)\n"
		"  --cc CC        compiler for the program (default: $CC, cc)\n"
		"  --gdb GDB      gdb to compare with (default: gdb in PATH)\n"
		"  --gen PATH     the generator (default: gen-index next to "
		"this program)\n"
		"  --jobs N       parallel compiles (default: CPUs online)\n"
		"  --verbose      libtracer's log on stderr\n",
		DEFAULT_FUNCTIONS, DEFAULT_TYPES, DEFAULT_REPS);
}

static long
parse_long(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = s ? strtol(s, &end, 10) : 0;
	if (!s || errno || *end || v < min || v > max) {
		fprintf(stderr, "index: %s wants a number in [%ld, %ld]\n", opt,
			min, max);
		exit(2);
	}
	return v;
}

static void
parse_args(int argc, char **argv, struct config *cfg)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--json")) {
			cfg->json = true;
		} else if (!strcmp(a, "--verbose")) {
			cfg->verbose = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--functions")) {
			cfg->functions = parse_long(a, v, 1, 10000000);
			i++;
		} else if (!strcmp(a, "--types")) {
			cfg->types = parse_long(a, v, 0, 10000000);
			i++;
		} else if (!strcmp(a, "--reps")) {
			cfg->reps = (int)parse_long(a, v, 1, MAX_REPS);
			i++;
		} else if (!strcmp(a, "--jobs")) {
			cfg->jobs = (int)parse_long(a, v, 1, 256);
			i++;
		} else if (v && !strcmp(a, "--dir")) {
			cfg->dir = argv[++i];
		} else if (v && !strcmp(a, "--cc")) {
			cfg->cc = argv[++i];
		} else if (v && !strcmp(a, "--gdb")) {
			cfg->gdb = argv[++i];
		} else if (v && !strcmp(a, "--gen")) {
			cfg->gen = argv[++i];
		} else {
			usage(stderr);
			exit(2);
		}
	}
}

/* One gdb repetition on the program, checked against tracerd's answer,
 * and one on the tiny program. */
static int
gdb_rep(const char *gdb, const struct prog *p, uint64_t want, double *t,
	double *tiny)
{
	uint64_t a = 0;

	*t = gdb_once(gdb, p->path, p->fname, &a);
	if (*t < 0)
		return -1;
	if (a != want) {
		note("tracerd puts the breakpoint at %#" PRIx64 ", gdb at %#"
		     PRIx64 ": the timings compare different answers", want, a);
		return -1;
	}
	*tiny = gdb_once(gdb, p->tiny, "main", &a);
	return *tiny < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	static char here[PATH_MAX], dir[PATH_MAX + 16], gen[PATH_MAX + 16];
	static char gdb[PATH_MAX];
	static struct results r;
	struct config cfg = {
		.functions = DEFAULT_FUNCTIONS,
		.types = DEFAULT_TYPES,
		.reps = DEFAULT_REPS,
	};
	struct prog p;
	struct tracerd_run warm;
	double t, tiny;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	self_dir(here, sizeof(here));
	snprintf(dir, sizeof(dir), "%s/index-prog", here);
	snprintf(gen, sizeof(gen), "%s/gen-index", here);
	cfg.dir = dir;
	cfg.gen = gen;
	cfg.cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
	cfg.jobs = ncpu > 0 ? (int)ncpu : 2;
	parse_args(argc, argv, &cfg);
	if (cfg.verbose)
		tr_log_set(TR_LOG_DEBUG, tr_log_stderr, NULL);
	/* gdb must not go to the network for debug info: that would time
	 * the network, not the indexer. */
	unsetenv("DEBUGINFOD_URLS");

	memset(&p, 0, sizeof(p));
	if (prepare_program(&cfg, &p) < 0)
		return 1;
	r.have_gdb = find_exec(cfg.gdb ? cfg.gdb : "gdb", gdb, sizeof(gdb));
	if (!r.have_gdb)
		note("gdb is not installed: timing tracerd alone");
	r.reps = cfg.reps;

	/* Warm-up, untimed: the page cache, and the answer both sides must
	 * agree on. */
	if (tracerd_once(&p, &warm) < 0)
		return 1;
	if (r.have_gdb && gdb_rep(gdb, &p, warm.link_addr, &t, &tiny) < 0)
		return 1;

	for (int i = 0; i < cfg.reps; i++) {
		struct tracerd_run one;

		if (!cfg.json)
			note("repetition %d/%d", i + 1, cfg.reps);
		if (tracerd_once(&p, &one) < 0)
			return 1;
		if (one.link_addr != warm.link_addr) {
			note("tracerd's breakpoint moved from %#" PRIx64
			     " to %#" PRIx64, warm.link_addr, one.link_addr);
			return 1;
		}
		r.tr[i] = one.total;
		for (int k = 0; k < NPHASES; k++)
			r.ph[k][i] = one.phase[k];
		r.last = one;
		if (r.have_gdb && gdb_rep(gdb, &p, warm.link_addr, &r.gdb[i],
					  &r.tiny[i]) < 0)
			return 1;
	}
	if (tracerd_memory(&p, &r.tr_rss_kb, &r.tr_rss_after_kb) < 0)
		return 1;
	if (cfg.json)
		print_json(&cfg, &p, &r);
	else
		print_table(&cfg, &p, &r);
	return 0;
}
