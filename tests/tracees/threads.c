/* threads.c: a tracee with worker threads that run until told to stop. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NWORKERS 4

volatile int stop;
volatile long work_done[NWORKERS];

__attribute__((noinline)) void
work(int id)
{
	work_done[id]++;
}

static void *
worker(void *arg)
{
	int id = (int)(long)arg;

	while (!stop)
		work(id);
	return NULL;
}

int
main(void)
{
	pthread_t th[NWORKERS];

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (long i = 0; i < NWORKERS; i++) {
		char name[16];

		pthread_create(&th[i], NULL, worker, (void *)i);
		/* Named before "ready": the test reads the names at once. */
		snprintf(name, sizeof(name), "worker-%ld", i);
		pthread_setname_np(th[i], name);
	}
	printf("ready stop=%p work=%p workers=%d\n", (void *)&stop,
	       (void *)work, NWORKERS);
	raise(SIGTRAP);
	for (int i = 0; i < NWORKERS; i++)
		pthread_join(th[i], NULL);
	printf("done\n");
	return 0;
}
