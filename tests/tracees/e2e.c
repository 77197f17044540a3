/* e2e.c: the tracee of the end-to-end tests; its first line tells them its pid and tick's address. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Modes (argv[1]):
 *   spin    tick forever, 1 ms apart, printing "alive TICKS" every 100
 *   crash   tick 3 times, then write through a null pointer
 *   exit N  tick 3 times, then exit with status N
 *   usr1 N  raise SIGUSR1 N times (caught), print how many arrived, exit
 */

volatile long ticks;
static volatile sig_atomic_t usr1s;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1s++;
}

__attribute__((noinline)) void
tick(void)
{
	ticks++;
}

/* Called by the tests with a bad pointer: a fault inside an injected
 * call. */
__attribute__((noinline)) int
deref(const int *p)
{
	return *p;
}

__attribute__((noinline)) int
twice(int v)
{
	return 2 * v;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "spin";

	printf("pid %d tick %p\n", (int)getpid(), (void *)tick);
	fflush(stdout);
	if (!strcmp(mode, "usr1")) {
		int n = argc > 2 ? atoi(argv[2]) : 1;

		signal(SIGUSR1, on_usr1);
		for (int i = 0; i < n; i++) {
			tick();
			raise(SIGUSR1);
		}
		printf("usr1 %d of %d\n", (int)usr1s, n);
		return 0;
	}
	if (!strcmp(mode, "crash") || !strcmp(mode, "exit")) {
		for (int i = 0; i < 3; i++)
			tick();
		if (!strcmp(mode, "exit"))
			return argc > 2 ? atoi(argv[2]) : 0;
		*(volatile int *)(long)(ticks - 3) = 1;
		return 0;
	}
	for (;;) {
		tick();
		if (ticks % 100 == 0) {
			printf("alive %ld\n", ticks);
			fflush(stdout);
		}
		usleep(1000);
	}
}
