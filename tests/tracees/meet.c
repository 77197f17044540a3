/* meet.c: five threads that reach one function at about the same time (gdb.threads/print-threads.exp's shape): every thread's breakpoint hit must be reported, one per continue. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define NUM 5

__attribute__((noinline)) void
meet_here(int n)
{
	printf("meet: thread %d\n", n);
}

static void *
thread_main(void *arg)
{
	meet_here(*(int *)arg);
	usleep(100000);
	return NULL;
}

int
main(void)
{
	pthread_t th[NUM];
	int args[NUM];

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < NUM; i++) {
		args[i] = i;
		pthread_create(&th[i], NULL, thread_main, &args[i]);
	}
	for (int i = 0; i < NUM; i++)
		pthread_join(th[i], NULL);
	printf("meet: done\n");
	return 0;
}
