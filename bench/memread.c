/* memread.c: reading 16 MiB of a target, tracerd against gdbserver and gdb. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base64.h"
#include "client.h"
#include "base/error.h"
#include "gdbrun.h"
#include "json.h"

/*
 * Method. memread-target fills a 16 MiB heap buffer with a known pattern
 * and stops in ready(); every reader reads that buffer, the bytes ending
 * in its own memory (or a file, for gdb). MB/s with MB = 1e6 bytes.
 *
 * tracerd: a daemon launched with --launch on the target, driven over
 * its Unix socket with the client library (proto/client.h): break at
 * ready, continue, eval the buffer's address, then --reps read_memory
 * calls with "encoding": "binary" straight into one 16 MiB buffer of
 * ours, each timed alone from request to last byte, after a warm-up
 * read. Each read is checked against the pattern (outside the timing);
 * the figure is that of the median time. The base64 figure is the same
 * read as JSON, decoded here (tr_base64_decode) so that we hold the
 * bytes too, in one call (22 MB of base64).
 *
 * gdbserver and gdb: a batch gdb stops at ready() (through `target
 * remote` to `gdbserver --once`, or running the target itself) and runs
 * `dump binary memory FILE buf buf+buf_len` 1 + K times; another run
 * does it once. Their wall times differ by K dumps (startup, symbols,
 * the run and the first dump cancel out): per dump = (t_1+K - t_1) / K,
 * the median of three pairs. K is 3 through gdbserver (about 1 s a
 * dump) and 20 for gdb alone, whose dump is short beside the jitter of
 * its startup. The last dump file is checked against the pattern, so
 * the figure is of bytes gdb really read.
 */

#ifndef BENCH_TRACERD
#define BENCH_TRACERD "server/tracerd"
#endif
#ifndef BENCH_MEMREAD_TARGET
#define BENCH_MEMREAD_TARGET "bench/memread-target"
#endif

#define BYTES (16u << 20)
#define B64_CHUNK BYTES

static char dir[] = "/tmp/memread.XXXXXX";
static unsigned char *want; /* the target's pattern */

static double
mb_per_s(double secs)
{
	return secs > 0 ? BYTES / secs / 1e6 : -1;
}

static bool
pattern_ok(const unsigned char *p, const char *who)
{
	if (!memcmp(p, want, BYTES))
		return true;
	for (size_t i = 0; i < BYTES; i++)
		if (p[i] != want[i]) {
			fprintf(stderr, "memread: %s: byte %zu is 0x%02x, "
				"expected 0x%02x\n", who, i, p[i], want[i]);
			break;
		}
	return false;
}

/* ---- tracerd ------------------------------------------------------------ */

static pid_t
daemon_start(const char *sock)
{
	pid_t pid = fork();
	struct stat st;

	if (pid == 0) {
		/* stdout is the report (--json): only warnings, to stderr */
		int nul = open("/dev/null", O_RDWR);

		dup2(nul, 0);
		dup2(nul, 1);
		execl(BENCH_TRACERD, BENCH_TRACERD, "--socket", sock,
		      "--log-level", "warn", "--launch", BENCH_MEMREAD_TARGET,
		      (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	for (double end = bench_now() + 10; bench_now() < end;
	     usleep(5000)) {
		int status;

		if (stat(sock, &st) == 0)
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "memread: %s exited before listening\n",
				BENCH_TRACERD);
			return -1;
		}
	}
	fprintf(stderr, "memread: no socket %s after 10 s\n", sock);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* A call that must succeed; false (said on stderr) when it did not. */
static bool
call(struct tr_cl *cl, const char *method, const char *params, void *bin,
     size_t binlen, struct tr_cl_reply *r)
{
	int err = tr_cl_call(cl, method, params, bin, binlen, NULL, r);

	if (err) {
		fprintf(stderr, "memread: %s: %s\n", method, tr_strerror(err));
		return false;
	}
	if (r->code) {
		fprintf(stderr, "memread: %s: %s\n", method, r->message);
		tr_cl_reply_free(r);
		return false;
	}
	return true;
}

static bool
read_binary(struct tr_cl *cl, uint64_t addr, unsigned char *out,
	    double *secs)
{
	struct tr_cl_reply r;
	char params[128];
	double t0;
	size_t got;

	snprintf(params, sizeof(params), "{\"addr\":%llu,\"length\":%u,"
		 "\"encoding\":\"binary\"}", (unsigned long long)addr, BYTES);
	t0 = bench_now();
	if (!call(cl, "read_memory", params, out, BYTES, &r))
		return false;
	*secs = bench_now() - t0;
	got = r.binary_len;
	tr_cl_reply_free(&r);
	if (got != BYTES) {
		fprintf(stderr, "memread: read_memory gave %zu bytes, not "
			"%u\n", got, BYTES);
		return false;
	}
	return pattern_ok(out, "tracerd binary");
}

static bool
read_base64(struct tr_cl *cl, uint64_t addr, unsigned char *out,
	    double *secs)
{
	double t0 = bench_now();

	for (size_t off = 0; off < BYTES; off += B64_CHUNK) {
		struct tr_cl_reply r;
		char params[128];
		const char *s;
		size_t slen = 0, n = 0;
		int bad;

		snprintf(params, sizeof(params),
			 "{\"addr\":%llu,\"length\":%u}",
			 (unsigned long long)(addr + off), B64_CHUNK);
		if (!call(cl, "read_memory", params, NULL, 0, &r))
			return false;
		s = tr_json_str(tr_json_get(r.result, "data"), &slen);
		bad = !s || slen > TR_BASE64_ENCODED_LEN(B64_CHUNK) ||
		      tr_base64_decode(s, slen, out + off, &n) ||
		      n != B64_CHUNK;
		tr_cl_reply_free(&r);
		if (bad) {
			fprintf(stderr, "memread: base64 read_memory gave "
				"%zu bytes, not %u\n", n, B64_CHUNK);
			return false;
		}
	}
	*secs = bench_now() - t0;
	return pattern_ok(out, "tracerd base64");
}

/* The median MB/s of tracerd's binary reads, and of its base64 ones in
 * *b64; -1 on failure. */
static double
tracerd_read(int reps, int b64reps, unsigned char *out, double *b64)
{
	char sock[64], why[256], *end;
	double *t = calloc((size_t)reps, sizeof(double)), mbs = -1, dt;
	double tb[3]; /* b64reps <= 3 */
	struct tr_cl *cl = NULL;
	struct tr_cl_reply r;
	const char *v;
	uint64_t addr;
	int status;
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/s", dir);
	if (!t || (pid = daemon_start(sock)) < 0) {
		free(t);
		return -1;
	}
	if (tr_cl_connect(sock, NULL, &cl, why, sizeof(why))) {
		fprintf(stderr, "memread: %s\n", why);
		goto out;
	}
	if (!call(cl, "break", "{\"location\":\"ready\"}", NULL, 0, &r))
		goto out;
	tr_cl_reply_free(&r);
	if (!call(cl, "continue", "{}", NULL, 0, &r))
		goto out;
	tr_cl_reply_free(&r);
	if (!call(cl, "eval", "{\"expr\":\"(unsigned long)buf\"}", NULL, 0,
		  &r))
		goto out;
	v = tr_json_str(tr_json_get(r.result, "value"), NULL);
	addr = v ? strtoull(v, &end, 0) : 0;
	if (!v || end == v || !addr) {
		fprintf(stderr, "memread: eval buf gave \"%s\"\n",
			v ? v : "(none)");
		tr_cl_reply_free(&r);
		goto out;
	}
	tr_cl_reply_free(&r);

	/* warm-up: our pages faulted in, the target's page tables walked;
	 * tracerd allocates its reply buffer afresh at each call anyway */
	memset(out, 0, BYTES);
	if (!read_binary(cl, addr, out, &dt))
		goto out;
	for (int i = 0; i < reps; i++)
		if (!read_binary(cl, addr, out, &t[i]))
			goto out;
	memset(out, 0, BYTES);
	for (int i = 0; i < b64reps; i++)
		if (!read_base64(cl, addr, out, &tb[i]))
			goto out;
	*b64 = mb_per_s(bench_median(tb, (size_t)b64reps));
	mbs = mb_per_s(bench_median(t, (size_t)reps));
out:
	if (cl && call(cl, "shutdown", NULL, NULL, 0, &r))
		tr_cl_reply_free(&r);
	tr_cl_free(cl);
	if (!cl)
		kill(pid, SIGTERM);
	/* a daemon that does not go in 10 s is a bug of its own */
	for (double end_t = bench_now() + 10;
	     waitpid(pid, &status, WNOHANG) == 0; usleep(2000))
		if (bench_now() > end_t) {
			fprintf(stderr, "memread: tracerd still up after "
				"shutdown; killed\n");
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			mbs = -1;
			break;
		}
	unlink(sock);
	free(t);
	return mbs;
}

/* ---- gdb and gdbserver -------------------------------------------------- */

/* port 0: gdb runs the target itself. */
static char *
gdb_script(int port, int dumps, const char *file)
{
	size_t len = 512 + (size_t)dumps * 160;
	char *s = malloc(len);
	size_t n;

	if (!s)
		return NULL;
	n = (size_t)snprintf(s, len, "set pagination off\nset confirm off\n"
			     "file %s\n", BENCH_MEMREAD_TARGET);
	if (port)
		n += (size_t)snprintf(s + n, len - n, "target remote "
				      "127.0.0.1:%d\nbreak ready\ncontinue\n",
				      port);
	else
		n += (size_t)snprintf(s + n, len - n, "break ready\nrun\n");
	for (int i = 0; i < dumps; i++)
		n += (size_t)snprintf(s + n, len - n, "dump binary memory %s "
				      "buf buf+buf_len\n", file);
	snprintf(s + n, len - n, "kill\n");
	return s;
}

/* One batch run with `dumps` dumps; its wall time, -1 on failure. */
static double
gdb_run(const char *gdb, const char *gdbserver, int dumps, const char *file)
{
	int port = gdbserver ? bench_free_port() : 0, srv = -1;
	char *s;
	double secs;
	bool ok;

	if (gdbserver) {
		if (port <= 0)
			return -1;
		srv = bench_gdbserver_start(gdbserver, port,
					    BENCH_MEMREAD_TARGET, NULL);
		if (srv < 0)
			return -1;
	}
	s = gdb_script(port, dumps, file);
	ok = s && bench_gdb_batch(gdb, s, 300, &secs);
	free(s);
	if (srv > 0) {
		/* gdbserver --once goes with its inferior; not if gdb failed */
		if (!ok)
			kill(srv, SIGKILL);
		bench_reap(srv);
	}
	return ok ? secs : -1;
}

/* MB/s of one `dump binary memory` from gdb, through gdbserver when it is
 * given, median of `rounds` pairs of runs; -1 on failure. */
static double
gdb_read(const char *gdb, const char *gdbserver, int k, int rounds,
	 unsigned char *out)
{
	const char *who = gdbserver ? "gdbserver" : "gdb";
	double per[3], mbs = -1;
	char file[64];
	int fd, ok = 0;

	snprintf(file, sizeof(file), "%s/dump", dir);
	for (int i = 0; i < rounds && i < 3; i++) {
		double one = gdb_run(gdb, gdbserver, 1, file);
		double more = one > 0 ? gdb_run(gdb, gdbserver, 1 + k, file)
				      : -1;

		if (one < 0 || more < 0) {
			fprintf(stderr, "memread: %s: the gdb batch run "
				"failed\n", who);
			goto out;
		}
		/* a pair the machine's load upset; the others decide */
		if (more > one)
			per[ok++] = (more - one) / k;
	}
	fd = open(file, O_RDONLY);
	memset(out, 0, BYTES);
	if (fd < 0 || read(fd, out, BYTES) != (ssize_t)BYTES) {
		fprintf(stderr, "memread: %s: no 16 MiB dump in %s\n", who,
			file);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	if (!pattern_ok(out, who))
		goto out;
	if (!ok) {
		fprintf(stderr, "memread: %s: %d more dumps never took any "
			"time\n", who, k);
		goto out;
	}
	mbs = mb_per_s(bench_median(per, (size_t)ok));
out:
	unlink(file);
	return mbs;
}

/* ---- report ------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fputs("usage: memread [--json] [--quick] [--reps N] [--help]\n"
	      "\n"
	      "Reads 16 MiB of a stopped target's memory end to end, in MB/s\n"
	      "(1e6 bytes): tracerd's read_memory over its socket (binary\n"
	      "and base64), gdbserver + gdb and gdb alone with `dump binary\n"
	      "memory` when installed.\n"
	      "\n"
	      "  --json    one JSON object on stdout\n"
	      "  --quick   5 tracerd reads, one pair of gdb runs with 1\n"
	      "            (gdbserver) or 5 (gdb) more dumps; default: 20\n"
	      "            reads, three pairs with 3 or 20 more dumps\n"
	      "  --reps N  tracerd binary reads\n",
	      f);
}

static void
json_num(const char *key, double v, bool last)
{
	if (v > 0)
		printf("\"%s\": %.1f%s", key, v, last ? "" : ", ");
	else
		printf("\"%s\": null%s", key, last ? "" : ", ");
}

int
main(int argc, char **argv)
{
	int reps = 20, b64reps = 3, k = 3, kg = 20, rounds = 3;
	bool json = false;
	char gdb[512], gdbserver[512];
	double mbs, b64 = -1, srv = -1, g = -1;
	unsigned char *out;
	bool have_gdb;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--quick")) {
			reps = 5, b64reps = 1, k = 1, kg = 5, rounds = 1;
		} else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			reps = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (reps < 1)
		reps = 1;
	want = malloc(BYTES);
	out = malloc(BYTES);
	if (!want || !out || !mkdtemp(dir)) {
		fprintf(stderr, "memread: %s\n", strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < BYTES; i++)
		want[i] = (unsigned char)((i * 131 + 7) & 0xff);

	mbs = tracerd_read(reps, b64reps, out, &b64);
	have_gdb = bench_which("gdb", gdb, sizeof(gdb));
	if (mbs > 0 && have_gdb &&
	    bench_which("gdbserver", gdbserver, sizeof(gdbserver)))
		srv = gdb_read(gdb, gdbserver, k, rounds, out);
	if (mbs > 0 && have_gdb)
		g = gdb_read(gdb, NULL, kg, rounds, out);
	rmdir(dir);
	free(want);
	free(out);
	if (mbs < 0)
		return 1;

	if (json) {
		printf("{");
		json_num("tracerd_mb_per_s", mbs, false);
		json_num("tracerd_base64_mb_per_s", b64, false);
		json_num("gdbserver_mb_per_s", srv, false);
		json_num("gdb_mb_per_s", g, false);
		printf("\"bytes\": %u, \"reps\": %d, \"base64_reps\": %d, "
		       "\"gdbserver_dumps\": %d, \"gdb_dumps\": %d, "
		       "\"gdb_rounds\": %d}\n", BYTES, reps, b64reps, k, kg,
		       rounds);
		return 0;
	}
	printf("16 MiB of target memory read end to end (MB = 1e6 bytes)\n");
	printf("  tracerd binary  %8.1f MB/s  (median of %d read_memory "
	       "calls)\n", mbs, reps);
	printf("  tracerd base64  %8.1f MB/s  (median of %d, decoded)\n",
	       b64, b64reps);
	if (srv > 0)
		printf("  gdbserver       %8.1f MB/s  (dump binary memory, "
		       "1+%d dumps minus 1)\n", srv, k);
	else
		printf("  gdbserver       %s\n", have_gdb ? "failed or not "
		       "installed" : "not installed");
	if (g > 0)
		printf("  gdb             %8.1f MB/s  (dump binary memory, "
		       "1+%d dumps minus 1)\n", g, kg);
	else
		printf("  gdb             %s\n", have_gdb ? "failed" :
		       "not installed");
	if (srv > 0)
		printf("  tracerd / gdbserver: %.0fx\n", mbs / srv);
	if (g > 0)
		printf("  tracerd / gdb: %.1fx\n", mbs / g);
	return 0;
}
