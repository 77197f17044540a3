/* loop.c: the workhorse tracee of check_tracer; its first line tells the test its addresses. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char buffer[3 * 4096] = "the quick brown fox";
volatile long counter;
static volatile int usr1_seen;

__attribute__((noinline)) void
tick(long i)
{
	counter += i;
}

__attribute__((noinline)) void
report(long v)
{
	printf("report %ld\n", v);
}

__attribute__((noinline)) void
report_double(double d)
{
	printf("double %.3f\n", d);
}

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_seen++;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "loop";
	long n = argc > 2 ? atol(argv[2]) : 10;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 32; i < sizeof(buffer); i++)
		buffer[i] = (char)(i * 7);
	printf("ready buffer=%p tick=%p report=%p report_double=%p "
	       "counter=%p\n", (void *)buffer, (void *)tick, (void *)report,
	       (void *)report_double, (void *)&counter);
	if (strcmp(mode, "spin") == 0) {
		/* Untraced at first (attach tests): no SIGTRAP here. */
		for (long i = 0;; i++) {
			tick(1);
			if (i % 20 == 0)
				printf("alive %ld\n", counter);
			usleep(5000);
		}
	}
	raise(SIGTRAP); /* the test's stop point: addresses are known */
	if (strcmp(mode, "loop") == 0) {
		for (long i = 0; i < n; i++)
			tick(i);
		printf("ticks %ld counter %ld\n", n, counter);
	} else if (strcmp(mode, "report") == 0) {
		report(7);
		report_double(1.5);
		printf("buffer %.19s\n", buffer);
	} else if (strcmp(mode, "usr1") == 0) {
		signal(SIGUSR1, on_usr1);
		raise(SIGUSR1);
		printf("handled %d\n", usr1_seen);
	} else if (strcmp(mode, "exit") == 0) {
		usleep(20000);
		exit((int)n);
	} else if (strcmp(mode, "forever") == 0) {
		for (;;)
			tick(1);
	}
	return 0;
}
