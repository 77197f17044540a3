/* loop.c: the workhorse tracee of check_tracer; its first line tells the test its addresses. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Modes (argv[1]); every mode but "spin" stops itself with raise(SIGTRAP)
 * right after the "ready" line, so the test knows the addresses there:
 *   loop N     tick(i) for i in [0, N), then "ticks N counter SUM"
 *   report     report(7), report_double(1.5), report_double(2.5), then
 *              "buffer" and the first 19 bytes of buffer
 *   usr1       raise SIGUSR1 under a handler: "handled <times run>"
 *   exit N     exit with status N
 *   stdin      "running", then tick until a byte comes on stdin: exit
 *              with that byte as status
 *   forever    "running", then tick forever
 *   spin       untraced at first (attach tests): no SIGTRAP; tick and
 *              print "alive COUNTER" every 20 ticks, 5 ms apart, forever
 */

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

/* Tick until stdin has a byte, then exit with it. Busy on purpose: the
 * test wants the target running while its requests are in flight. */
static void
tick_until_stdin(void)
{
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	unsigned char c;

	for (;;) {
		for (int i = 0; i < 1000; i++)
			tick(1);
		if (poll(&pfd, 1, 0) == 1) {
			if (read(0, &c, 1) != 1)
				exit(99);
			exit(c);
		}
	}
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
		for (long i = 0;; i++) {
			tick(1);
			if (i % 20 == 0)
				printf("alive %ld\n", counter);
			usleep(5000);
		}
	}
	raise(SIGTRAP);
	if (strcmp(mode, "loop") == 0) {
		for (long i = 0; i < n; i++)
			tick(i);
		printf("ticks %ld counter %ld\n", n, counter);
	} else if (strcmp(mode, "report") == 0) {
		report(7);
		report_double(1.5);
		report_double(2.5);
		printf("buffer %.19s\n", buffer);
	} else if (strcmp(mode, "usr1") == 0) {
		signal(SIGUSR1, on_usr1);
		raise(SIGUSR1);
		printf("handled %d\n", usr1_seen);
	} else if (strcmp(mode, "exit") == 0) {
		exit((int)n);
	} else if (strcmp(mode, "stdin") == 0) {
		printf("running\n");
		tick_until_stdin();
	} else if (strcmp(mode, "forever") == 0) {
		printf("running\n");
		for (;;)
			tick(1);
	}
	return 0;
}
