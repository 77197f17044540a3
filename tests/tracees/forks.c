/* forks.c: a tracee that forks, vforks or execs, for fork/vfork/exec
 * events and follow-fork-mode (tests/e2e/forks.sh).
 *   forks fork     fork; the child calls in_child, the parent waits
 *   forks vfork    vfork; the child calls in_child, then _exit
 *   forks exec     exec this program again as "forks after"
 *   forks after    (the exec'd image) calls after_exec
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

volatile int counter;

int __attribute__((noinline))
in_child(int v)
{
	counter += v;
	return counter;
}

int __attribute__((noinline))
in_parent(int v)
{
	counter += v;
	return counter;
}

int __attribute__((noinline))
after_exec(int v)
{
	counter += v;
	return counter;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "fork";
	int st = 0;
	pid_t pid;

	if (!strcmp(mode, "after")) {
		printf("after exec: %d\n", after_exec(7));
		return 0;
	}
	if (!strcmp(mode, "exec")) {
		char *args[] = { argv[0], "after", NULL };

		fflush(stdout);
		execv("/proc/self/exe", args);
		perror("execv");
		return 1;
	}
	if (!strcmp(mode, "vfork")) {
		pid = vfork();
		if (pid == 0) {
			in_child(1);
			_exit(3);
		}
	} else {
		pid = fork();
		if (pid == 0) {
			printf("child: %d\n", in_child(2));
			return 4;
		}
	}
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	waitpid(pid, &st, 0);
	printf("parent: child exit %d, %d\n", WEXITSTATUS(st), in_parent(5));
	return 0;
}
