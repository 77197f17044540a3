/* helpers.c: launching tracees and reading their lines, for the check suites. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

#ifndef TRACEE_DIR
#error TRACEE_DIR must name the directory of the tracee programs
#endif

void
tracee_launch(struct tracee *te, const char *prog, const char *a1,
	      const char *a2)
{
	char path[512];
	char *argv[4] = { path, (char *)a1, a1 ? (char *)a2 : NULL, NULL };
	int fds[2];
	struct tr_launch l = { .path = path, .argv = argv, .stdin_fd = -1,
			       .stderr_fd = -1 };
	int err;

	memset(te, 0, sizeof(*te));
	snprintf(path, sizeof(path), "%s/%s", TRACEE_DIR, prog);
	ck_assert_int_eq(pipe(fds), 0);
	l.stdout_fd = fds[1];
	ck_assert_int_eq(tr_tracer_new(NULL, &te->t), 0);
	err = tr_launch(te->t, &l, &te->pid);
	ck_assert_msg(err == 0, "launch %s: %s", path, tr_strerror(err));
	close(fds[1]);
	te->out = fds[0];
}

pid_t
tracee_spawn(const char *prog, const char *a1, const char *a2, int *out)
{
	char path[512];
	int fds[2];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", TRACEE_DIR, prog);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(fds[1], 1);
		close(fds[0]);
		execl(path, path, a1, a2, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	*out = fds[0];
	return pid;
}

bool
tracee_line(struct tracee *te, char *line, size_t len, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(te->buf, '\n', te->len);
		struct pollfd pfd = { .fd = te->out, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - te->buf);

			snprintf(line, len, "%.*s", (int)l, te->buf);
			memmove(te->buf, nl + 1, te->len - l - 1);
			te->len -= l + 1;
			return true;
		}
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return false;
		n = read(te->out, te->buf + te->len, sizeof(te->buf) - te->len - 1);
		if (n <= 0)
			return false;
		te->len += (size_t)n;
	}
}

uint64_t
line_addr(const char *line, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "%s=", key);
	p = strstr(line, k);
	return p ? strtoull(p + strlen(k), NULL, 16) : 0;
}

void
tracee_to_trap(struct tracee *te)
{
	struct tr_event ev;

	ck_assert_int_eq(tr_cont(te->t, 0, 0, &ev), 0);
	ck_assert_msg(ev.type == TR_EV_STOP && ev.reason == TR_STOP_SIGNAL &&
		      ev.sig == SIGTRAP, "expected the tracee's SIGTRAP, got "
		      "%s/%s sig %d", tr_event_type_name(ev.type),
		      tr_stop_reason_name(ev.reason), ev.sig);
}

void
tracee_end(struct tracee *te)
{
	tr_tracer_free(te->t);
	if (te->out >= 0)
		close(te->out);
}
