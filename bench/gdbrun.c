/* gdbrun.c: running gdb and gdbserver from the benchmarks, and timing them. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gdbrun.h"

/* A child of a tracerd benchmark inherits the SIGCHLD that tracerd's
 * tracer blocks (tr_tracer_new): gdb and gdbserver wait for their
 * inferiors with SIGCHLD, and hang without it. */
static void
child_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool
bench_which(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char *dup, *dir, *save = NULL;
	bool found = false;

	if (!path)
		path = "/usr/bin:/bin";
	dup = strdup(path);
	if (!dup)
		return false;
	for (dir = strtok_r(dup, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, len, "%s/%s", dir, name);
		found = access(buf, X_OK) == 0;
	}
	free(dup);
	return found;
}

/* Wait for pid until the deadline, killing it then. True: exit 0. */
static bool
wait_until(pid_t pid, double deadline)
{
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st); /* batch gdb exits 1 when its last command fails (kill after an exit) */
		if (r < 0)
			return false;
		if (bench_now() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return false;
		}
		usleep(200);
	}
}

bool
bench_gdb_batch(const char *gdb, const char *script, double timeout_s,
		double *secs)
{
	char path[] = "/tmp/tracerd-bench-XXXXXX";
	int fd = mkstemp(path);
	double t0;
	pid_t pid;
	bool ok;

	if (fd < 0)
		return false;
	if (write(fd, script, strlen(script)) != (ssize_t)strlen(script)) {
		close(fd);
		unlink(path);
		return false;
	}
	close(fd);
	t0 = bench_now();
	pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		child_signals();
		execl(gdb, gdb, "-nx", "-batch", "-x", path, (char *)NULL);
		_exit(127);
	}
	ok = pid > 0 && wait_until(pid, t0 + timeout_s);
	*secs = bench_now() - t0;
	unlink(path);
	return ok;
}

int
bench_free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (s >= 0)
		close(s);
	return port;
}

int
bench_gdbserver_start(const char *gdbserver, int port, const char *prog,
		      const char *arg)
{
	char where[64];
	pid_t pid;

	snprintf(where, sizeof(where), "127.0.0.1:%d", port);
	pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		child_signals();
		execl(gdbserver, gdbserver, "--once", where, prog, arg,
		      (char *)NULL);
		_exit(127);
	}
	usleep(300000); /* until it listens */
	return pid;
}

void
bench_reap(int pid)
{
	if (pid > 0)
		wait_until(pid, bench_now() + 10);
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
bench_median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static char *
per_command_script(const char *prog, const char *stop_at, const char *cmd,
		   int k)
{
	size_t len = 256 + strlen(prog) + strlen(stop_at) +
		     (size_t)k * (strlen(cmd) + 1);
	char *s = malloc(len);
	size_t n;

	if (!s)
		return NULL;
	n = (size_t)snprintf(s, len, "set pagination off\nset confirm off\n"
			     "file %s\nbreak %s\nrun\n", prog, stop_at);
	for (int i = 0; i < k; i++)
		n += (size_t)snprintf(s + n, len - n, "%s\n", cmd);
	snprintf(s + n, len - n, "kill\n");
	return s;
}

double
bench_gdb_per_command(const char *gdb, const char *prog, const char *stop_at,
		      const char *cmd, int k, double timeout_s)
{
	double per[3];
	char *with = per_command_script(prog, stop_at, cmd, k);
	char *without = per_command_script(prog, stop_at, cmd, 0);
	int ok = 0;

	for (int r = 0; r < 3 && with && without && k > 0; r++) {
		double a, b;

		if (!bench_gdb_batch(gdb, without, 120, &b) ||
		    !bench_gdb_batch(gdb, with, timeout_s, &a))
			break;
		per[ok++] = (a - b) / k * 1e6;
	}
	free(with);
	free(without);
	return ok ? bench_median(per, (size_t)ok) : -1;
}
