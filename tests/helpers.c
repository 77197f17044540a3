/* helpers.c: launching tracees, reading their lines, and /proc probes, for the suites. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#ifndef TRACEE_SRC_DIR
#error TRACEE_SRC_DIR must name the directory of the tracee sources
#endif
#ifndef TRACEE_DIR
#error TRACEE_DIR must name the directory of the tracee programs
#endif

static void
launch(struct tracee *te, const char *prog, const char *a1, const char *a2,
       bool with_stdin)
{
	char path[512];
	char *argv[4] = { path, (char *)a1, a1 ? (char *)a2 : NULL, NULL };
	int outp[2], inp[2] = { -1, -1 };
	struct tr_launch l = { .path = path, .argv = argv, .stdin_fd = -1,
			       .stderr_fd = -1 };
	int err;

	memset(te, 0, sizeof(*te));
	te->in = -1;
	te->out = -1;
	snprintf(path, sizeof(path), "%s/%s", TRACEE_DIR, prog);
	ck_assert_int_eq(pipe2(outp, O_CLOEXEC), 0);
	if (with_stdin) {
		ck_assert_int_eq(pipe2(inp, O_CLOEXEC), 0);
		l.stdin_fd = inp[0];
	}
	l.stdout_fd = outp[1];
	ck_assert_int_eq(tr_tracer_new(NULL, &te->t), 0);
	err = tr_launch(te->t, &l, &te->pid);
	ck_assert_msg(err == 0, "launch %s: %s", path, tr_strerror(err));
	/* Only the target keeps the other ends: EOF once it is gone. */
	close(outp[1]);
	if (with_stdin)
		close(inp[0]);
	te->out = outp[0];
	te->in = inp[1];
}

void
tracee_launch(struct tracee *te, const char *prog, const char *a1,
	      const char *a2)
{
	launch(te, prog, a1, a2, false);
}

void
tracee_launch_stdin(struct tracee *te, const char *prog, const char *a1,
		    const char *a2)
{
	launch(te, prog, a1, a2, true);
}

pid_t
tracee_spawn(const char *prog, const char *a1, const char *a2, int *out)
{
	char path[512];
	int fds[2];
	pid_t pid, parent = getpid();

	snprintf(path, sizeof(path), "%s/%s", TRACEE_DIR, prog);
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sigset_t none;

		/* A failed test ends its process without cleaning up: the
		 * death signal takes the spawned program with it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(fds[1], 1);
		execl(path, path, a1, a1 ? a2 : NULL, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	*out = fds[0];
	return pid;
}

void
tracee_spawn_te(struct tracee *te, const char *prog, const char *a1,
		const char *a2)
{
	memset(te, 0, sizeof(*te));
	te->in = -1;
	te->pid = tracee_spawn(prog, a1, a2, &te->out);
	te->spawned = true;
}

bool
tracee_line(struct tracee *te, char *line, size_t len, int timeout_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		char *nl = memchr(te->buf, '\n', te->len);
		struct pollfd pfd = { .fd = te->out, .events = POLLIN };
		uint64_t now;
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - te->buf);

			snprintf(line, len, "%.*s", (int)l, te->buf);
			memmove(te->buf, nl + 1, te->len - l - 1);
			te->len -= l + 1;
			return true;
		}
		if (te->len >= sizeof(te->buf) - 1)
			return false; /* a line longer than we keep */
		now = now_ms();
		if (now >= deadline)
			return false;
		/* EINTR restarts with what is left of the budget. */
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			return false;
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(te->out, te->buf + te->len,
			 sizeof(te->buf) - te->len - 1);
		if (n <= 0)
			return false;
		te->len += (size_t)n;
	}
}

uint64_t
line_addr(const char *line, const char *key)
{
	char k[64];
	const char *p = line;
	size_t kl;

	snprintf(k, sizeof(k), "%s=", key);
	kl = strlen(k);
	/* "tick=" must not match inside "report_tick=". */
	while ((p = strstr(p, k))) {
		if (p == line || p[-1] == ' ')
			return strtoull(p + kl, NULL, 0);
		p += kl;
	}
	return 0;
}

void
tracee_to_trap(struct tracee *te)
{
	struct tr_event ev;

	ck_assert_tr(tr_cont(te->t, 0, 0, &ev), 0);
	ck_assert_msg(ev.type == TR_EV_STOP && ev.reason == TR_STOP_SIGNAL &&
		      ev.sig == SIGTRAP, "expected the tracee's SIGTRAP, got "
		      "%s/%s sig %d", tr_event_type_name(ev.type),
		      tr_stop_reason_name(ev.reason), ev.sig);
}

void
tracee_end(struct tracee *te)
{
	if (te->t)
		tr_tracer_free(te->t);
	te->t = NULL;
	if (te->spawned && te->pid > 0) {
		int st;

		kill(te->pid, SIGKILL);
		while (waitpid(te->pid, &st, 0) < 0 && errno == EINTR)
			;
		te->pid = 0;
	}
	if (te->out >= 0)
		close(te->out);
	if (te->in >= 0)
		close(te->in);
	te->out = te->in = -1;
}

/* ---- /proc ----------------------------------------------------------- */

char
proc_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* "tid (comm) S ...": comm may hold spaces and parentheses. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

size_t
proc_tids(pid_t pid, pid_t *tids, size_t max)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	size_t n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		pid_t tid = (pid_t)atoi(de->d_name);

		if (tid <= 0)
			continue;
		if (n < max)
			tids[n] = tid;
		n++;
	}
	closedir(d);
	return n;
}

size_t
proc_count_state(pid_t pid, char want, size_t *total)
{
	pid_t tids[64];
	size_t n = proc_tids(pid, tids, 64), k = 0;

	ck_assert_uint_le(n, 64);
	for (size_t i = 0; i < n; i++)
		if (proc_state(pid, tids[i]) == want)
			k++;
	*total = n;
	return k;
}

ssize_t
proc_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n;
}

bool
proc_mapping(pid_t pid, const char *perms, const char *name, uint64_t *lo,
	     uint64_t *hi)
{
	char path[64], line[1024];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long a, b;

		if (!strstr(line, perms) || !strstr(line, name) ||
		    sscanf(line, "%lx-%lx", &a, &b) != 2)
			continue;
		*lo = a;
		*hi = b;
		found = true;
	}
	fclose(f);
	return found;
}

/* ---- waiting ------------------------------------------------------- */

uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool
wait_until(bool (*cond)(void *), void *arg, int timeout_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		if (cond(arg))
			return true;
		if (now_ms() >= deadline)
			return false;
		usleep(200);
	}
}

unsigned
tracee_marker_line(const char *file, const char *name)
{
	char path[512], line[512], tag[128];
	unsigned n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", TRACEE_SRC_DIR, file);
	snprintf(tag, sizeof(tag), "LINE:%s ", name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, tag)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	ck_abort_msg("no marker %s in %s", name, file);
	return 0;
}
