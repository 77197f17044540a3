/* many.c: a tracee with many threads, most of them asleep; it prints how many once they all exist. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * many N [B]: N sleeping threads (blocked in pause(), on the smallest
 * stack pthreads allows) and B busy ones (each increments its own
 * counter in `busy_count` forever), besides main. Once every thread
 * exists it prints one line, "ready threads=T busy_count=ADDR" (T =
 * N + B + 1, main included), then sleeps too, until killed. It exits
 * 1, saying why on stderr, when a thread cannot be created (the
 * machine's limits: threads-max, max_map_count, ulimit -u).
 */

#define MAX_BUSY 16

volatile unsigned long busy_count[MAX_BUSY];

static void *
sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *
busy(void *arg)
{
	volatile unsigned long *c = arg;

	for (;;)
		(*c)++;
	return NULL;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
	long nbusy = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	pthread_attr_t attr;

	if (n < 0 || nbusy < 0 || nbusy > MAX_BUSY) {
		fprintf(stderr, "usage: many N [B]  (B at most %d)\n", MAX_BUSY);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (long i = 0; i < n + nbusy; i++) {
		pthread_t th;
		int err = i < n ? pthread_create(&th, &attr, sleeper, NULL)
				: pthread_create(&th, &attr, busy,
						 (void *)&busy_count[i - n]);

		if (err) {
			fprintf(stderr, "many: thread %ld: %s\n", i + 1,
				strerror(err));
			return 1;
		}
	}
	printf("ready threads=%ld busy_count=%p\n", n + nbusy + 1,
	       (void *)busy_count);
	for (;;)
		pause();
}
