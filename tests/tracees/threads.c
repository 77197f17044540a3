/* threads.c: a tracee whose worker threads run until told to stop; it prints their tids. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Its one line: "ready stop=ADDR work=ADDR work_done=ADDR workers=4
 * tids=T1,T2,T3,T4", printed once every worker runs and is named. Then,
 * traced (no argument), it stops itself with raise(SIGTRAP); with "free"
 * (attach tests) it does not. Setting `stop` ends the workers; main then
 * prints "done" and exits 0.
 */

#define NWORKERS 4

volatile int stop;
volatile long work_done[NWORKERS];
static volatile pid_t tids[NWORKERS];
static pthread_barrier_t started;

__attribute__((noinline)) void
work(int id)
{
	work_done[id]++;
}

static void *
worker(void *arg)
{
	int id = (int)(long)arg;

	tids[id] = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(&started);
	while (!stop)
		work(id);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t th[NWORKERS];
	int traced = !(argc > 1 && strcmp(argv[1], "free") == 0);

	setvbuf(stdout, NULL, _IOLBF, 0);
	pthread_barrier_init(&started, NULL, NWORKERS + 1);
	for (long i = 0; i < NWORKERS; i++) {
		char name[16];

		pthread_create(&th[i], NULL, worker, (void *)i);
		/* Named before "ready": the test reads the names at once. */
		snprintf(name, sizeof(name), "worker-%ld", i);
		pthread_setname_np(th[i], name);
	}
	/* Every tid is known once all workers passed the barrier. */
	pthread_barrier_wait(&started);
	printf("ready stop=%p work=%p work_done=%p workers=%d "
	       "tids=%d,%d,%d,%d\n", (void *)&stop, (void *)work,
	       (void *)work_done, NWORKERS, tids[0], tids[1], tids[2],
	       tids[3]);
	if (traced)
		raise(SIGTRAP);
	for (int i = 0; i < NWORKERS; i++)
		pthread_join(th[i], NULL);
	printf("done\n");
	return 0;
}
