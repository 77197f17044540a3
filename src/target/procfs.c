/* procfs.c: thread names and states from /proc. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "target/procfs.h"

static ssize_t
read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? -TR_ESRCH : tr_errno_map(errno);
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return errno == ESRCH ? -TR_ESRCH : tr_errno_map(errno);
	buf[n] = 0;
	return n;
}

int
tr_proc_thread_name(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	if (len == 0)
		return -TR_ERANGE;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	n = read_small(path, buf, len);
	if (n < 0)
		return (int)n;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

int
tr_proc_thread_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	/* The name in parentheses may itself hold ") ": the state follows
	 * the last one. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -TR_ESYS;
	return p[2];
}

int
tr_proc_sig_pending(pid_t pid, pid_t tid, int sig)
{
	char path[64], buf[2048], *p;
	unsigned long long mask;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	p = strstr(buf, "\nSigPnd:");
	if (!p || sscanf(p + 8, "%llx", &mask) != 1)
		return -TR_ESYS;
	return (mask >> (sig - 1)) & 1;
}

int
tr_proc_auxv(pid_t pid, uint64_t type, uint64_t *val)
{
	char path[64];
	Elf64_auxv_t av[64];
	ssize_t n;
	int fd;

	*val = 0;
	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -TR_EGONE;
	n = read(fd, av, sizeof(av));
	close(fd);
	for (ssize_t i = 0; n > 0 && i < n / (ssize_t)sizeof(av[0]); i++)
		if (av[i].a_type == type)
			*val = av[i].a_un.a_val;
	return *val ? 0 : -TR_ENOENT;
}
