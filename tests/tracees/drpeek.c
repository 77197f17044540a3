/* drpeek.c: prints the debug registers DR0-DR3 and DR7 of every thread of a process (seized and interrupted one by one, then let go), for tests that check a debugger left none set. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#define DR_OFF(n) (offsetof(struct user, u_debugreg) + (n) * sizeof(long))

int
main(int argc, char **argv)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: drpeek PID\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/%s/task", argv[1]);
	if (!(dir = opendir(path))) {
		perror(path);
		return 1;
	}
	while ((d = readdir(dir))) {
		pid_t tid = (pid_t)atoi(d->d_name);
		long v[8];
		int st;

		if (tid <= 0)
			continue;
		if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) < 0 ||
		    ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 ||
		    waitpid(tid, &st, __WALL) != tid) {
			fprintf(stderr, "thread %d: %s\n", tid,
				strerror(errno));
			rc = 1;
			continue;
		}
		for (int n = 0; n < 8; n++) {
			errno = 0;
			v[n] = n == 4 || n == 5
				       ? 0
				       : ptrace(PTRACE_PEEKUSER, tid,
						(void *)DR_OFF(n), NULL);
			if (errno)
				rc = 1;
		}
		printf("thread %d dr0 %#lx dr1 %#lx dr2 %#lx dr3 %#lx dr7 %#lx\n",
		       tid, v[0], v[1], v[2], v[3], v[7]);
		ptrace(PTRACE_DETACH, tid, NULL, NULL);
	}
	closedir(dir);
	return rc;
}
