/* signals.c: a program that gets the signals gdb's defaults let through
 * (SIGCHLD from its children, SIGALRM) and one they stop at (SIGUSR1),
 * then calls work() five times: for tests/e2e/signals.sh. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int got;

/* In a sanitizer build, LeakSanitizer cannot run under ptrace and makes
 * the exit status 1: the status is what the test reads, so no leak
 * check (ASan reads this hook at start; without ASan nothing calls it). */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

static void
on_signal(int sig)
{
	got += sig;
}

__attribute__((noinline)) int
work(int i)
{
	return i * 2;
}

int
main(void)
{
	signal(SIGUSR1, on_signal);
	signal(SIGALRM, on_signal);
	for (int i = 0; i < 3; i++) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
	}
	raise(SIGALRM);
	raise(SIGUSR1);
	for (int i = 0; i < 5; i++)
		work(i);
	printf("got %d\n", got);
	return got == SIGUSR1 + SIGALRM ? 0 : 3;
}
