/* nested.c: traced by check_unwind (-O0, -O2, -O2 with .debug_frame): call chains through the program, libc's qsort, a thread, a signal handler. */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Every function the tests name stays a function of its own at -O2: not
 * inlined, not cloned (a clone would be named level3.constprop.0), and
 * with work after each call so that no call becomes a jump.
 */
#define KEEP __attribute__((noinline, noclone))

volatile int sink; /* side effects the optimizer must keep */
static volatile sig_atomic_t got_usr1;

KEEP int
level3(int x)
{
	/* A libc function called nowhere else, through the PLT: with lazy
	 * binding its first call goes through the dynamic linker's
	 * resolver. The test single-steps through all of it. */
	sink += x + (getppid() > 0); /* LINE:l3_body */
	return x * 2;
}

KEEP int
level2(int x)
{
	int r = level3(x + 1); /* LINE:call_l3 */

	sink += r;
	return r + 1;
}

KEEP int
level1(int x)
{
	int r = level2(x + 1); /* LINE:call_l2 */

	sink += r;
	return r + 1;
}

KEEP static int
cmp_cb(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	sink++; /* LINE:cmp_body */
	return (x > y) - (x < y);
}

KEEP int
in_thread(int x)
{
	sink += x; /* LINE:thread_body */
	return x + 1;
}

static void *
thread_fn(void *arg)
{
	int r = in_thread((int)(long)arg); /* LINE:call_in_thread */

	sink += r;
	return (void *)(long)r;
}

KEEP static void
on_usr1(int sig)
{
	got_usr1 = sig; /* LINE:handler_body */
	sink++;
}

KEEP int
raiser(void)
{
	/* kill() rather than raise(): the signal arrives as kill's system
	 * call returns, so the interrupted frame is kill itself. */
	kill(getpid(), SIGUSR1); /* LINE:call_kill */
	sink++;
	return got_usr1;
}

/* The calls the tests follow are made from main itself: each backtrace
 * ends ... -> main. argv[1] picks one (default: all, in turn). */
int
main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	bool all = strcmp(what, "all") == 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (all || strcmp(what, "chain") == 0) {
		int r = level1(1); /* LINE:call_l1 */

		printf("nested: chain %d\n", r);
	}
	if (all || strcmp(what, "qsort") == 0) {
		int v[] = { 5, 3, 9, 1, 7, 2 };

		qsort(v, 6, sizeof(v[0]), cmp_cb); /* LINE:call_qsort */
		printf("nested: sorted %d %d %d %d %d %d\n", v[0], v[1], v[2],
		       v[3], v[4], v[5]);
	}
	if (all || strcmp(what, "thread") == 0) {
		pthread_t th;
		void *ret;

		pthread_create(&th, NULL, thread_fn, (void *)5L);
		pthread_join(th, &ret); /* LINE:call_join */
		printf("nested: thread %ld\n", (long)ret);
	}
	if (all || strcmp(what, "signal") == 0) {
		struct sigaction sa;
		int r;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr1;
		sigaction(SIGUSR1, &sa, NULL);
		r = raiser(); /* LINE:call_raiser */
		printf("nested: signal %d\n", r == SIGUSR1);
	}
	sink++;
	return 0;
}
